//! Stylesheets compiled from files on disk (a temporary app per test).

use std::path::{Path, PathBuf};

use super::compile;

struct App(PathBuf);

impl App {
    fn new(name: &str) -> App {
        let dir = std::env::temp_dir().join(format!("bext-css-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        App(dir)
    }

    fn write(&self, rel: &str, text: &[u8]) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn root(&self) -> &Path {
        &self.0
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(sheet: &super::Stylesheet) -> &str {
    std::str::from_utf8(&sheet.file.body).unwrap()
}

#[test]
fn global_css_is_bundled_minified_and_prefixed() {
    let app = App::new("global");
    app.write("app/base.css", b"body { margin: 0 }\n");
    app.write("app/fonts/a.woff2", b"wOF2 font bytes");
    app.write(
        "node_modules/reset/package.json",
        br#"{"exports":{".":{"style":"./reset.css"}}}"#,
    );
    app.write(
        "node_modules/reset/reset.css",
        b"* { box-sizing: border-box }\n",
    );
    let entry = app.write(
        "app/globals.css",
        b"@import url(https://fonts.example/x.css);\n@import \"reset\";\n@import \"./base.css\";\n\
          .card { color: #ff0000; user-select: none; &:hover { color: blue } }\n\
          @font-face { font-family: A; src: url(./fonts/a.woff2?v=2) format(\"woff2\") }\n\
          .logo { background: url(/logo.png), url(data:image/gif;base64,R0lGOD) }\n",
    );
    let sheet = compile(&entry, app.root()).expect("compiles");
    let css = text(&sheet);
    // Package first, then the relative import, then the file's own rules, in order.
    let reset = css.find("*{box-sizing:border-box}").expect(css);
    let base = css.find("body{margin:0}").expect(css);
    let card = css.find(".card{").expect(css);
    assert!(reset < base && base < card, "{css}");
    assert!(
        css.contains("@import \"https://fonts.example/x.css\""),
        "{css}"
    );
    // Safari 16.4 needs the prefix and cannot nest: both are done for it.
    assert!(css.contains("-webkit-user-select:none"), "{css}");
    assert!(css.contains(".card:hover{color:#00f}"), "{css}");
    assert!(css.contains("color:red"), "{css}");
    // The font file is served at a hashed URL relative to the stylesheet; URLs stay.
    assert_eq!(sheet.assets.len(), 1);
    let font = &sheet.assets[0];
    assert!(font.url.starts_with("/_next/static/media/a.") && font.url.ends_with(".woff2"));
    assert_eq!(font.content_type, "font/woff2");
    let relative = format!("..{}?v=2", font.url.trim_start_matches("/_next/static"));
    assert!(css.contains(&relative), "{css}");
    assert!(
        css.contains("url(/logo.png)") || css.contains("url(\"/logo.png\")"),
        "{css}"
    );
    assert!(css.contains("data:image/gif;base64,R0lGOD"), "{css}");
    assert!(sheet.file.url.starts_with("/_next/static/chunks/"));
    assert!(sheet.exports.is_empty());
    assert_eq!(sheet.sources.len(), 3, "{:?}", sheet.sources);
}

#[test]
fn css_modules_scope_classes_and_compose() {
    let app = App::new("modules");
    app.write("app/base.module.css", b".root { padding: 1px }\n");
    let entry = app.write(
        "app/page.module.css",
        b".title { composes: root from \"./base.module.css\"; color: red }\n\
          .big { composes: title; font-size: 2em }\n\
          :global(.dark) .title { color: white }\n",
    );
    let sheet = compile(&entry, app.root()).expect("compiles");
    let css = text(&sheet);
    let names: Vec<&str> = sheet.exports.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["big", "title"]);
    let title = &sheet.exports[1].classes[0];
    assert!(title.len() == 12 && title.ends_with("_title"), "{title}");
    assert!(css.contains(&format!(".{title}{{color:red")), "{css}");
    assert!(css.contains(&format!(".dark .{title}")), "{css}");
    // The composed module's rules come first, in this stylesheet; `big` composes `title`,
    // which composes `root`: all three.
    let root = &sheet.exports[1].classes[1];
    assert!(
        root.len() == 11 && root.ends_with("_root") && root[..6] != title[..6],
        "{root}"
    );
    assert!(css.find(&format!(".{root}{{padding:1px}}")) < css.find(&format!(".{title}")));
    let big = &sheet.exports[0].classes;
    assert_eq!(big.len(), 3, "{big:?}");
    assert!(
        big[0].ends_with("_big") && big[1] == *title && big[2] == *root,
        "{big:?}"
    );
}

#[test]
fn errors_name_the_file_line_and_column() {
    let app = App::new("errors");
    let bad = app.write(
        "app/bad.css",
        b".a { color: red }\n.b { color: red; }}\n.c {",
    );
    let entry = app.write("app/globals.css", b"@import \"./bad.css\";\n");
    let error = compile(&entry, app.root()).expect_err("a syntax error");
    assert_eq!(error.file, bad);
    assert_eq!(error.line, 2, "{error:?}");
    assert!(error.column > 0, "{error:?}");
    let missing = app.write("app/missing.css", b"@import \"./nope.css\";\n");
    let error = compile(&missing, app.root()).expect_err("a missing import");
    assert!(error.message.contains("nope.css"), "{error:?}");
    let asset = app.write("app/asset.css", b".a { background: url(./nope.png) }\n");
    let error = compile(&asset, app.root()).expect_err("a missing url() file");
    assert!(error.message.contains("nope.png"), "{error:?}");
}
