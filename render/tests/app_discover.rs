//! Discovery on a real directory: the `basic` fixture app.

use std::path::Path;

use bext_render::app::{RouteKind, discover};

#[test]
fn discovers_the_fixture_app() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/basic");
    let app = discover(&root).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        app.public_dir.as_deref(),
        Some(root.join("public").as_path())
    );
    let patterns: Vec<(&str, RouteKind)> = app
        .routes
        .routes()
        .iter()
        .map(|r| (r.pattern.as_str(), r.kind))
        .collect();
    assert_eq!(
        patterns,
        [
            ("/grouped", RouteKind::Page),
            ("/api/hello", RouteKind::Handler),
            ("/cjs", RouteKind::Page),
            ("/cycle", RouteKind::Page),
            ("/dynamic", RouteKind::Page),
            ("/json", RouteKind::Page),
            ("/live", RouteKind::Page),
            ("/packages", RouteKind::Page),
            ("/reexport", RouteKind::Page),
            ("", RouteKind::NotFound),
        ]
    );
    let matched = app.routes.match_path("/api/hello/").unwrap();
    assert_eq!(
        app.routes.routes()[matched.route].module.as_deref(),
        Some("app/api/hello/route.js")
    );
    assert!(app.routes.match_path("/_private/helper").is_none());
}

#[test]
fn a_missing_app_directory_is_an_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/basic/lib");
    let errors = discover(&root).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].file, "app");
    assert!(
        errors[0].message.starts_with("no app/ directory in "),
        "{}",
        errors[0]
    );
}
