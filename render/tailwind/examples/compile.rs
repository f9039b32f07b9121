//! Compiles a stylesheet for the sources next to it, like `@tailwindcss/cli -i`, and prints
//! the CSS (or, with `--time N`, how long parse and build take over N runs).
//!
//! `cargo run -p bext-tailwind --example compile -- INPUT.css TAILWIND_PACKAGE_DIR [--time N]`
//! where `TAILWIND_PACKAGE_DIR` holds the `tailwindcss` package's `index.css` & co.

use std::path::Path;
use std::time::Instant;

use bext_tailwind::Design;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(package)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: compile INPUT.css TAILWIND_PACKAGE_DIR [--time N]");
        std::process::exit(2);
    };
    let runs: u32 = match (args.get(3).map(String::as_str), args.get(4)) {
        (Some("--time"), Some(n)) => n.parse().unwrap_or(100),
        _ => 0,
    };
    let css = std::fs::read_to_string(input).unwrap_or_else(|e| fail(&format!("{input}: {e}")));
    let resolve = |file: &str| std::fs::read_to_string(Path::new(package).join(file)).ok();
    let base = Path::new(input).parent().unwrap_or(Path::new("."));
    let design =
        Design::parse_with(&css, &resolve).unwrap_or_else(|e| fail(&format!("{input}:{e}")));
    let candidates = bext_tailwind::sources::scan(base, design.sources());
    if runs == 0 {
        let out = design
            .build(candidates.iter().map(String::as_str))
            .unwrap_or_else(|e| fail(&format!("{input}:{e}")));
        print!("{out}");
        return;
    }
    let started = Instant::now();
    for _ in 0..runs {
        let _ = Design::parse_with(&css, &resolve);
    }
    let parse = started.elapsed() / runs;
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..runs {
        bytes = design
            .build(candidates.iter().map(String::as_str))
            .map_or(0, |s| s.len());
    }
    let build = started.elapsed() / runs;
    let started = Instant::now();
    for _ in 0..runs {
        let _ = bext_tailwind::sources::scan(base, design.sources());
    }
    let scan = started.elapsed() / runs;
    println!(
        "{} candidates, {bytes} bytes out: parse {parse:?}, scan {scan:?}, build {build:?} (mean of {runs})",
        candidates.len()
    );
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}
