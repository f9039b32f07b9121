//! Prints what `transform` makes of a file: `cargo run -p bext-prism --example prism -- FILE [--runtime]`.

use std::path::Path;

use bext_prism::{JsxMode, TransformOptions, transform};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: prism FILE [--runtime]");
        std::process::exit(2);
    };
    let jsx = if args.iter().any(|a| a == "--runtime") {
        JsxMode::Runtime
    } else {
        JsxMode::Prism
    };
    let source = match std::fs::read_to_string(file) {
        Ok(source) => source,
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(1);
        }
    };
    match transform(&source, Path::new(file), &TransformOptions { jsx }) {
        Ok(code) => print!("{code}"),
        Err(diagnostic) => {
            eprintln!("{diagnostic}");
            std::process::exit(1);
        }
    }
}
