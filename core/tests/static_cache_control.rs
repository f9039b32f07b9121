//! `CacheControlRules`: glob semantics and first-match-wins.

use bext_core::static_files::CacheControlRules;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn rules() -> CacheControlRules {
    let rules = CacheControlRules::new(&[
        ("/assets/**", IMMUTABLE),
        ("*.html", "no-cache"),
        ("/docs/*.pdf", "max-age=3600"),
        ("fonts/*.woff2", "max-age=86400"),
        ("*.{png,jpg}", "max-age=600"),
        ("/exact.txt", "max-age=1"),
        ("/img/?.gif", "max-age=2"),
    ]);
    rules.unwrap_or_else(|e| panic!("test rules must compile: {e}"))
}

fn check(rules: &CacheControlRules, request_path: &str, expect: Option<&str>) {
    assert_eq!(
        rules.lookup(request_path),
        expect,
        "lookup({request_path:?})"
    );
}

#[test]
fn glob_semantics() {
    let rules = rules();
    let cases = [
        // `/**` covers any depth under the directory, not the directory itself.
        ("/assets/app.js", Some(IMMUTABLE)),
        ("/assets/v1/app.js", Some(IMMUTABLE)),
        ("/assets", None),
        ("/x/assets/app.js", None),
        // First match wins.
        ("/assets/index.html", Some(IMMUTABLE)),
        // A pattern without `/` matches the file name at any depth.
        ("/index.html", Some("no-cache")),
        ("/a/b/c/index.html", Some("no-cache")),
        ("/index.htm", None),
        // A pattern with `/` is anchored at the root, with or without its leading `/`; `*`
        // stays within one segment.
        ("/docs/a.pdf", Some("max-age=3600")),
        ("/docs/x/a.pdf", None),
        ("/x/docs/a.pdf", None),
        ("/fonts/a.woff2", Some("max-age=86400")),
        ("/x/fonts/a.woff2", None),
        ("/exact.txt", Some("max-age=1")),
        ("/a/exact.txt", None),
        ("/img/a.gif", Some("max-age=2")),
        ("/img/ab.gif", None),
        // Alternatives, and case-sensitivity.
        ("/a.png", Some("max-age=600")),
        ("/deep/dir/a.jpg", Some("max-age=600")),
        ("/a.PNG", None),
        ("/style.css", None),
        ("/", None),
    ];
    for (path, expect) in cases {
        check(&rules, path, expect);
    }
}

#[test]
fn a_catch_all_goes_last() {
    let rules = CacheControlRules::new(&[("*.css", "max-age=60"), ("**", "no-store")]);
    let rules = rules.unwrap_or_else(|e| panic!("{e}"));
    check(&rules, "/a/b.css", Some("max-age=60"));
    check(&rules, "/a/b.js", Some("no-store"));
    check(&rules, "/", Some("no-store"));
}

#[test]
fn no_rules_match_nothing() {
    let rules = CacheControlRules::new(&[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.is_empty());
    check(&rules, "/index.html", None);
    assert!(!self::rules().is_empty());
}

#[test]
fn bad_patterns_are_errors() {
    for pattern in ["a[", "/x/{a,b", "[z-a]", "/a/b}"] {
        assert!(
            CacheControlRules::new(&[("*.css", "x"), (pattern, "y")]).is_err(),
            "{pattern:?} should not compile"
        );
    }
}

#[test]
#[should_panic(expected = "not a valid field value")]
fn a_value_with_a_line_break_is_a_programmer_error() {
    let _ = CacheControlRules::new(&[("*", "max-age=1\r\nSet-Cookie: x=1")]);
}
