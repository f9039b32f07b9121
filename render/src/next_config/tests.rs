//! The decisions of a compiled config, data-driven. Whether they agree with `next start` is
//! checked by the Next.js harness (`tests/nextjs.rs`, app `config`); these pin the edges.

use std::borrow::Cow;

use serde_json::json;

use super::*;

struct Req {
    headers: Vec<(&'static str, &'static str)>,
    query: Option<&'static str>,
}

impl RequestView for Req {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Cow::Borrowed(*v))
    }
    fn query_string(&self) -> Option<&str> {
        self.query
    }
}

fn bare() -> Req {
    Req {
        headers: vec![("host", "example.com:8080")],
        query: None,
    }
}

fn config(value: serde_json::Value) -> NextConfig {
    compile("next.config.js", &value).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn redirects_fill_params_keep_the_query_and_take_conditions() {
    let c = config(json!({
        "config": {"basePath": "/base"},
        "keys": ["basePath", "redirects", "i18n"],
        "redirects": [
            {"source": "/a/:slug", "destination": "/b/:slug", "permanent": true},
            {"source": "/ext", "destination": "https://x.test/p", "permanent": false},
            {"source": "/c", "has": [{"type": "cookie", "key": "s", "value": "(?<who>\\w+)"}],
             "destination": "/hi/:who", "statusCode": 301},
            {"source": "/top", "basePath": false, "destination": "/base/a/1", "permanent": false},
        ],
    }));
    assert_eq!(c.ignored, vec!["i18n"]);
    let r = bare();
    assert_eq!(
        c.redirect("/a/x", "/base/a/x", &r),
        Some((308, "/base/b/x".into()))
    );
    let q = Req {
        query: Some("k=1"),
        ..bare()
    };
    assert_eq!(
        c.redirect("/a/x", "/base/a/x", &q),
        Some((308, "/base/b/x?k=1".into()))
    );
    assert_eq!(
        c.redirect("/ext", "/base/ext", &r),
        Some((307, "https://x.test/p".into()))
    );
    assert_eq!(c.redirect("/c", "/base/c", &r), None);
    let cookie = Req {
        headers: vec![("cookie", "a=1; s=ann")],
        query: None,
    };
    assert_eq!(
        c.redirect("/c", "/base/c", &cookie),
        Some((301, "/base/hi/ann".into()))
    );
    assert_eq!(
        c.redirect("/top", "/top", &r),
        Some((307, "/base/a/1".into()))
    );
    assert_eq!(c.strip_base_path("/base"), Some("/"));
    assert_eq!(c.strip_base_path("/base/x"), Some("/x"));
    assert_eq!(c.strip_base_path("/basement"), None);
}

#[test]
fn rewrites_append_unused_params_and_name_external_targets() {
    let c = config(json!({
        "config": {},
        "rewrites": {
            "beforeFiles": [{"source": "/x", "has": [{"type": "query", "key": "p"}], "destination": "/y"}],
            "afterFiles": [{"source": "/u/:id", "destination": "/user"}],
            "fallback": [{"source": "/:path*", "destination": "https://old.test/:path*"}],
        },
    }));
    let r = bare();
    assert_eq!(c.rewrite(RewritePhase::BeforeFiles, "/x", "/x", &r), None);
    let p = Req {
        query: Some("p=1"),
        ..bare()
    };
    assert_eq!(
        c.rewrite(RewritePhase::BeforeFiles, "/x", "/x", &p),
        Some(Rewritten::Internal {
            path: "/y".into(),
            query: Some("p=1".into()),
        })
    );
    assert_eq!(
        c.rewrite(RewritePhase::AfterFiles, "/u/7", "/u/7", &r),
        Some(Rewritten::Internal {
            path: "/user".into(),
            query: Some("id=7".into()),
        })
    );
    assert_eq!(
        c.rewrite(RewritePhase::Fallback, "/a/b", "/a/b", &r),
        Some(Rewritten::External("https://old.test/a/b".into()))
    );
}

#[test]
fn headers_merge_later_rules_over_earlier_ones() {
    let c = config(json!({
        "config": {},
        "headers": [
            {"source": "/:path*", "headers": [{"key": "x-a", "value": "1"}, {"key": "x-b", "value": "1"}]},
            {"source": "/p/:id", "headers": [{"key": "X-A", "value": "id-:id"}]},
            {"source": "/p/:id", "missing": [{"type": "host", "value": "example\\.com"}],
             "headers": [{"key": "x-c", "value": "other host"}]},
        ],
    }));
    assert_eq!(
        c.headers("/p/9", "/p/9", &bare()),
        vec![
            ("x-a".to_owned(), "id-9".to_owned()),
            ("x-b".to_owned(), "1".to_owned())
        ]
    );
}

#[test]
fn trailing_slash_redirects_both_ways() {
    let off = config(json!({"config": {}}));
    assert_eq!(
        off.trailing_slash_redirect("/about/", Some("q=1")),
        Some("/about?q=1".into())
    );
    assert_eq!(off.trailing_slash_redirect("/", None), None);
    assert_eq!(off.trailing_slash_redirect("/about", None), None);
    let on = config(json!({"config": {"trailingSlash": true}}));
    assert_eq!(
        on.trailing_slash_redirect("/about", None),
        Some("/about/".into())
    );
    assert_eq!(on.trailing_slash_redirect("/file.txt", None), None);
    assert_eq!(
        on.trailing_slash_redirect("/file.txt/", None),
        Some("/file.txt".into())
    );
    assert_eq!(on.trailing_slash_redirect("/about/", None), None);
}

#[test]
fn bad_configs_name_the_key() {
    let cases = [
        (json!({"config": {"basePath": "docs"}}), "basePath"),
        (
            json!({"config": {}, "redirects": [{"source": "/a", "destination": "/b"}]}),
            "redirects[0]",
        ),
        (
            json!({"config": {}, "redirects": [{"source": "a", "destination": "/b", "permanent": true}]}),
            "redirects[0].source",
        ),
        (
            json!({"config": {}, "headers": [{"source": "/a", "headers": [{"key": "x"}]}]}),
            "headers[0].headers[0]",
        ),
        (
            json!({"config": {}, "rewrites": [{"source": "/a", "destination": "/b", "has": [{"type": "body", "key": "x"}]}]}),
            "rewrites[0].has[0].type",
        ),
        (
            json!({"config": {}, "redirects": {"source": "/a"}}),
            "redirects",
        ),
    ];
    for (value, key) in cases {
        let e = compile("next.config.js", &value).expect_err(key);
        assert_eq!(e.key, key, "{e}");
    }
}

#[test]
fn middleware_matchers_select_paths() {
    let c = config(json!({
        "config": {},
        "middleware": {"module": "middleware.ts", "matcher": ["/((?!api|_next/static).*)", {"source": "/api/secure/:p*", "has": [{"type": "header", "key": "x-key"}]}]},
    }));
    let m = c.middleware.as_ref().expect("middleware");
    assert!(m.runs_for("/dash", "/dash", &bare()));
    assert!(!m.runs_for("/api/x", "/api/x", &bare()));
    assert!(!m.runs_for("/api/secure/1", "/api/secure/1", &bare()));
    let keyed = Req {
        headers: vec![("x-key", "1")],
        query: None,
    };
    assert!(m.runs_for("/api/secure/1", "/api/secure/1", &keyed));
    let all = config(json!({"config": {}, "middleware": {"module": "proxy.ts", "matcher": null}}));
    assert!(
        all.middleware
            .as_ref()
            .expect("middleware")
            .runs_for("/x", "/x", &bare())
    );
}

#[test]
fn images_are_read_with_next_s_defaults_and_errors_name_the_key() {
    let c = config(json!({
        "config": {"images": {
            "deviceSizes": [1200, 640],
            "qualities": [50, 75],
            "formats": ["image/avif", "image/webp"],
            "remotePatterns": [{"hostname": "cdn.example"}],
            "localPatterns": [{"pathname": "/assets/**", "search": ""}],
        }},
        "keys": ["images"],
    }));
    assert!(c.ignored.is_empty());
    assert_eq!(c.images.device_sizes, vec![640, 1200]);
    assert_eq!(
        c.images.image_sizes,
        bext_core::image::ImagesConfig::default().image_sizes
    );
    assert_eq!(c.images.qualities, Some(vec![50, 75]));
    assert_eq!(c.notes.len(), 2, "{:?}", c.notes);
    assert!(c.notes.iter().any(|n| n.contains("AVIF")));
    assert!(
        c.notes
            .iter()
            .any(|n| n.starts_with("images.remotePatterns"))
    );
    let bad = compile(
        "next.config.js",
        &json!({"config": {"images": {"qualities": [0]}}, "keys": ["images"]}),
    )
    .unwrap_err();
    assert_eq!(
        bad.to_string(),
        "next.config.js: images.qualities: must list qualities from 1 to 100"
    );
}
