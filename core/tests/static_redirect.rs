//! `directory_redirect_location`: `/dir` → `/dir/`, query kept, never another host.

use bext_core::static_files::directory_redirect_location;

fn check(raw_path: &str, query: Option<&str>, expect: &str) {
    let location = directory_redirect_location(raw_path.as_bytes(), query.map(str::as_bytes));
    assert_eq!(
        String::from_utf8(location).as_deref(),
        Ok(expect),
        "({raw_path:?}, {query:?})"
    );
}

#[test]
fn redirects_to_the_slashed_directory() {
    let cases = [
        ("/docs", None, "/docs/"),
        ("/a/b", None, "/a/b/"),
        ("/docs", Some("a=1&b"), "/docs/?a=1&b"),
        ("/docs", Some(""), "/docs/?"),
        ("/a%20b", None, "/a%20b/"),
        ("/caf%C3%A9", Some("x=%2F"), "/caf%C3%A9/?x=%2F"),
        ("/docs/", None, "/docs/"),
        ("/", None, "/"),
        ("", None, "/"),
        // Leading slashes collapse: `//evil.com/` would send the browser to another host.
        ("//evil.com", None, "/evil.com/"),
        ("///evil.com/x", Some("q"), "/evil.com/x/?q"),
    ];
    for (raw_path, query, expect) in cases {
        check(raw_path, query, expect);
    }
}
