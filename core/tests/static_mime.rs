//! `content_type`: charset for text, mime_guess for the rest, octet-stream when unknown.

use bext_core::static_files::content_type;

fn check(rel_path: &str, expect: &str) {
    assert_eq!(content_type(rel_path), expect, "content_type({rel_path:?})");
}

#[test]
fn text_types_carry_utf8() {
    let cases = [
        ("index.html", "text/html; charset=utf-8"),
        ("a/b/page.htm", "text/html; charset=utf-8"),
        ("INDEX.HTML", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("mod.mjs", "text/javascript; charset=utf-8"),
        ("legacy.cjs", "text/javascript; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("app.js.map", "application/json; charset=utf-8"),
        (
            "site.webmanifest",
            "application/manifest+json; charset=utf-8",
        ),
        ("robots.txt", "text/plain; charset=utf-8"),
        (".well-known/security.txt", "text/plain; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("sitemap.xml", "text/xml; charset=utf-8"),
        ("feed.rss", "application/rss+xml; charset=utf-8"),
        ("feed.atom", "application/atom+xml; charset=utf-8"),
        ("README.md", "text/markdown; charset=utf-8"),
        ("notes.markdown", "text/markdown; charset=utf-8"),
        ("table.csv", "text/csv; charset=utf-8"),
    ];
    for (path, expect) in cases {
        check(path, expect);
    }
}

#[test]
fn other_types_come_from_mime_guess() {
    let cases = [
        ("photo.png", "image/png"),
        ("photo.JPG", "image/jpeg"),
        ("img/a.webp", "image/webp"),
        ("img/a.avif", "image/avif"),
        ("fonts/a.woff2", "font/woff2"),
        ("app.wasm", "application/wasm"),
        ("doc.pdf", "application/pdf"),
        ("archive.tar.gz", "application/gzip"),
        ("favicon.ico", "image/x-icon"),
        ("video.mp4", "video/mp4"),
    ];
    for (path, expect) in cases {
        check(path, expect);
    }
}

#[test]
fn unknown_or_missing_extensions_are_octet_stream() {
    let cases = [
        "",
        "LICENSE",
        ".well-known/acme-challenge/Zm9vYmFy",
        ".bashrc",
        "dir.d/file",
        "trailing.",
        "x.unknownextension",
        "a/b/",
    ];
    for path in cases {
        check(path, "application/octet-stream");
    }
}
