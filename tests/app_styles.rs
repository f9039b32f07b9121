//! Stylesheets of app sites end to end: `import "./globals.css"`, CSS modules and per-page CSS
//! through the real binary, fetched with curl (which decodes Brotli and gzip itself).
//!
//! The app is the Next.js corpus's `styles` app (tests/nextjs/apps/styles), which
//! tests/nextjs.rs also runs under `next start`; here the stylesheets themselves are checked.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Bext, TempDir, eventually, run_bext};

fn styles_app() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/nextjs/apps/styles"
    ))
}

/// `curl -s -D - URL` plus `extra`: (status, headers lowercased, body).
fn curl(url: &str, extra: &[&str]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let dir = TempDir::new("styles-curl");
    let headers = dir.path().join("headers");
    let output = Command::new("curl")
        .args(["-s", "--max-time", "20", "-D"])
        .arg(&headers)
        .args(extra)
        .arg(url)
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "curl {url}: {output:?}");
    let head = std::fs::read_to_string(&headers).expect("headers");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let fields = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, fields, output.stdout)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The `href`s of the page's `<link rel="stylesheet">` tags, in document order, each checked
/// to sit in `<head>` with Next's precedence.
fn stylesheets(html: &str) -> Vec<String> {
    let head_end = html.find("</head>").expect("a head");
    let mut hrefs = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<link rel=\"stylesheet\"") {
        let tag = &rest[at..at + rest[at..].find('>').expect("a closed tag")];
        let offset = html.len() - rest.len() + at;
        assert!(offset < head_end, "a stylesheet outside <head>: {tag}");
        assert!(tag.contains("data-precedence=\"next\""), "{tag}");
        let href = tag.split("href=\"").nth(1).expect("href");
        hrefs.push(href[..href.find('"').expect("quoted")].to_owned());
        rest = &rest[at + tag.len()..];
    }
    hrefs
}

fn class_of<'a>(html: &'a str, tag_start: &str) -> &'a str {
    let at = html
        .find(tag_start)
        .unwrap_or_else(|| panic!("{tag_start} in {html}"));
    let value = html[at..].split("class=\"").nth(1).expect("a class");
    &value[..value.find('"').expect("quoted")]
}

#[test]
fn pages_link_their_stylesheets_in_import_order_and_they_are_served_immutable_and_compressed() {
    let bext = Bext::serve_dir(styles_app(), &[]);
    let base = format!("http://{}", bext.addr);

    let (status, _, home) = curl(&format!("{base}/"), &[]);
    assert_eq!(status, 200);
    let home = String::from_utf8(home).expect("utf-8");
    let links = stylesheets(&home);
    assert_eq!(
        links.len(),
        3,
        "globals, the nav's module, the page's module: {links:?}"
    );
    let sheets: Vec<String> = links
        .iter()
        .map(|href| {
            assert!(
                href.starts_with("/_next/static/chunks/") && href.ends_with(".css"),
                "{href}"
            );
            let (status, fields, body) = curl(&format!("{base}{href}"), &[]);
            assert_eq!(status, 200, "{href}");
            assert_eq!(
                field(&fields, "content-type"),
                Some("text/css; charset=utf-8")
            );
            assert_eq!(
                field(&fields, "cache-control"),
                Some("public, max-age=31536000, immutable")
            );
            String::from_utf8(body).expect("utf-8 CSS")
        })
        .collect();
    // The layout's imports first (globals.css with its @import inlined ahead of its own rules,
    // then the nav's module), then the page's module with the module it composes from first.
    let globals = &sheets[0];
    assert!(
        globals.find("box-sizing:border-box") < globals.find("--accent:#0070f3"),
        "{globals}"
    );
    // Lowered and prefixed for Next's default browsers: no nesting, -webkit-user-select.
    assert!(globals.contains(".prose p{"), "{globals}");
    assert!(globals.contains("-webkit-user-select:none"), "{globals}");
    let nav_class = class_of(&home, "<nav");
    assert!(
        sheets[1].contains(&format!(".{nav_class}{{")),
        "{nav_class} in {}",
        sheets[1]
    );
    let card_classes: Vec<&str> = class_of(&home, "<section").split(' ').collect();
    assert_eq!(
        card_classes.len(),
        3,
        "card, surface, elevated: {card_classes:?}"
    );
    let card = &sheets[2];
    let elevated = card.find(&format!(".{}{{", card_classes[2])).expect(card);
    let own = card.find(&format!(".{}{{", card_classes[0])).expect(card);
    assert!(elevated < own, "the composed module's rules first: {card}");

    // The font globals.css names is served beside it, at the URL its url() resolves to.
    let font = globals
        .split("url(")
        .nth(1)
        .map(|u| u[..u.find(')').expect("closed url(")].trim_matches('"'))
        .expect("a url() in globals");
    assert!(
        font.starts_with("../media/brand.") && font.ends_with(".woff2"),
        "{font}"
    );
    let (status, fields, body) = curl(
        &format!("{base}/_next/static/{}", font.trim_start_matches("../")),
        &[],
    );
    assert_eq!(status, 200);
    assert_eq!(field(&fields, "content-type"), Some("font/woff2"));
    assert_eq!(
        body,
        std::fs::read(styles_app().join("app/fonts/brand.woff2")).expect("the font")
    );

    // Brotli and gzip, made at compile time: curl asks for one, decodes it, gets the same CSS.
    for (asked, coding) in [("br", "br"), ("gzip", "gzip"), ("br;q=0.5, gzip", "gzip")] {
        let (status, fields, body) = curl(
            &format!("{base}{}", links[0]),
            &["--compressed", "-H", &format!("accept-encoding: {asked}")],
        );
        assert_eq!(status, 200);
        assert_eq!(field(&fields, "content-encoding"), Some(coding), "{asked}");
        assert_eq!(field(&fields, "vary"), Some("accept-encoding"));
        assert_eq!(String::from_utf8(body).expect("utf-8"), *globals, "{asked}");
    }

    // Another page: the layout's stylesheets and its own, not the home page's.
    let (status, _, about) = curl(&format!("{base}/about"), &[]);
    assert_eq!(status, 200);
    let about_links = stylesheets(&String::from_utf8(about).expect("utf-8"));
    assert_eq!(about_links.len(), 3, "{about_links:?}");
    assert_eq!(about_links[..2], links[..2]);
    assert_ne!(about_links[2], links[2]);
    let (_, _, about_css) = curl(&format!("{base}{}", about_links[2]), &[]);
    let about_css = String::from_utf8(about_css).expect("utf-8");
    assert!(about_css.contains(".about-banner{"), "{about_css}");
    assert!(about_css.contains("url(\"../media/stripes."), "{about_css}");
}

/// A layout importing `globals.css`, which `@import`s `theme.css` (each test writes its own).
fn small_app(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    dir.write(
        "app/layout.tsx",
        "import \"./globals.css\";\nexport default function L({ children }: any) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        "export default function P() { return <p>hi</p>; }\n",
    );
    dir.write(
        "app/globals.css",
        "@import \"./theme.css\";\nbody { margin: 0 }\n",
    );
    dir
}

#[test]
fn a_css_syntax_error_refuses_to_start_with_file_line_column_and_a_frame() {
    let dir = small_app("styles-bad");
    dir.write(
        "app/theme.css",
        ":root {\n  --a: 1;\n}\n..x { color: red }\n",
    );
    let (status, _, stderr) = run_bext(&[
        "serve",
        dir.path().to_str().expect("utf-8 path"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!status.success());
    assert!(stderr.contains("app/theme.css:4:"), "{stderr}");
    assert!(
        stderr.contains("| ..x { color: red }"),
        "a code frame: {stderr}"
    );
}

/// Reads `stream` until `needle` has arrived (the whole text so far), within the common
/// deadline; the reload stream's pings keep reads from blocking for long.
fn read_until(stream: &mut std::net::TcpStream, seen: &mut Vec<u8>, needle: &str) -> String {
    use std::io::Read;
    let deadline = std::time::Instant::now() + common::DEADLINE;
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(seen).into_owned();
        if text.contains(needle) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {needle:?} within {:?}: {text}",
            common::DEADLINE
        );
        match stream.read(&mut chunk) {
            Ok(0) => panic!("the stream closed before {needle:?}: {text}"),
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("reading the stream: {e}"),
        }
    }
}

#[test]
fn dev_mode_swaps_stylesheets_in_place_and_reloads_for_code() {
    let dir = small_app("styles-dev");
    dir.write("app/theme.css", "p { color: red }\n");
    let bext = Bext::dev(dir.path());
    let first = stylesheets(&bext.get("/").text());
    assert_eq!(first.len(), 1, "{first:?}");
    let mut events = common::connect(bext.addr);
    common::send(
        &mut events,
        b"GET /__bext/dev/events HTTP/1.1\r\nhost: x\r\n\r\n",
    );
    let mut seen = Vec::new();
    read_until(&mut events, &mut seen, "\r\n\r\n");
    // A file the stylesheet @imports changes: the open page is told to swap its stylesheets,
    // the stream goes on, and the page now links the new one.
    dir.write("app/theme.css", "p { color: blue }\n");
    let text = read_until(&mut events, &mut seen, "event: styles");
    assert!(!text.contains("event: reload"), "{text}");
    let second = eventually("the page links the new stylesheet", || {
        let links = stylesheets(&bext.get("/").text());
        (links != first).then_some(links)
    });
    let css = bext.get(&second[0]).text();
    assert!(css.contains("color:#00f"), "{css}");
    // Code changes: a full reload, and the stream ends.
    dir.write(
        "app/page.tsx",
        "export default function P() { return <p>bye</p>; }\n",
    );
    read_until(&mut events, &mut seen, "event: reload");
}

/// A stylesheet that says `@import "tailwindcss"`: bext compiles it with its own Tailwind
/// compiler (no Node) for the classes the app's files use, reading the `tailwindcss` package
/// the app installed (here the version `render/tailwind`'s conformance test pins, compared
/// there with `@tailwindcss/cli`), and serves it minified like any stylesheet; a class put in
/// a file later is compiled in under `bext dev`.
#[test]
fn tailwind_stylesheets_are_compiled_for_the_classes_the_app_uses() {
    let package =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("render/tailwind/tests/conformance/node");
    let modules = common::npm::ci(
        &package,
        Path::new("/var/cache/bext/tailwind"),
        "the tailwindcss package",
    );
    let dir = TempDir::new("styles-tailwind");
    std::os::unix::fs::symlink(&modules, dir.path().join("node_modules")).expect("node_modules");
    dir.write(
        "app/globals.css",
        "@import \"tailwindcss\";\n@theme { --color-brand: #0a7; }\n.card { @apply rounded-lg p-4; }\n",
    );
    dir.write(
        "app/layout.tsx",
        "import \"./globals.css\";\nexport default function L({ children }: any) { return <html><body className=\"bg-white\">{children}</body></html>; }\n",
    );
    dir.write(
        "components/hero.tsx",
        "export function Hero() { return <h1 className=\"text-brand md:text-4xl hover:underline\">hi</h1>; }\n",
    );
    dir.write(
        "app/page.tsx",
        "import { Hero } from \"../components/hero\";\nexport default function P() { return <main className=\"flex gap-2 card\"><Hero /></main>; }\n",
    );
    let bext = Bext::dev(dir.path());
    let css_of = |bext: &Bext| {
        let links = stylesheets(&bext.get("/").text());
        assert_eq!(links.len(), 1, "{links:?}");
        bext.get(&links[0]).text()
    };
    let css = css_of(&bext);
    // Used classes, from the layout, a page and a component outside app/, with variants and
    // the app's own theme colour; preflight; the @apply'd rule.
    for needle in [
        ".flex{display:flex}",
        ".gap-2{gap:calc(var(--spacing) * 2)}",
        ".bg-white{",
        ".text-brand{color:var(--color-brand)}",
        "--color-brand:#0a7",
        "@media (width>=48rem){.md\\:text-4xl{",
        "@media (hover:hover){.hover\\:underline:hover{",
        ".card{border-radius:var(--radius-lg);padding:calc(var(--spacing) * 4)}",
        "box-sizing:border-box",
    ] {
        assert!(css.contains(needle), "{needle} in {css}");
    }
    // Only what is used: no other utility, no unused theme colour.
    assert!(
        !css.contains(".text-red-500") && !css.contains("--color-red-500"),
        "{css}"
    );
    // A class added to a file is compiled in on the next build.
    dir.write(
        "components/hero.tsx",
        "export function Hero() { return <h1 className=\"text-brand italic\">hi</h1>; }\n",
    );
    let css = eventually("the new class", || {
        let css = css_of(&bext);
        css.contains(".italic{font-style:italic}").then_some(css)
    });
    assert!(!css.contains(".hover\\:underline"), "{css}");
}
