//! Site selection by `Host`: one table of sites, one `check(host, expected site)` per case.

use std::path::PathBuf;

use bext_core::config::{self, SiteConfig};
use bext_core::sites::{HOST_BYTES_MAX, SiteTable};

/// Sites by index: 0 is the default; 1 and 2 overlap on purpose to show the longest wildcard
/// wins; 3 is exact-only; 4 holds IP literals.
fn table() -> SiteTable {
    let text = r#"
[[site]]
root = "default"
hosts = ["fallback.test"]
default = true
[[site]]
root = "wide"
hosts = ["*.example.com"]
[[site]]
root = "narrow"
hosts = ["*.cdn.example.com", "www.example.com"]
[[site]]
root = "exact"
hosts = ["example.com", "EXAMPLE.org."]
[[site]]
root = "ip"
hosts = ["127.0.0.1", "[::1]"]
"#;
    let config = config::parse("t.toml", std::path::Path::new("/"), text).unwrap();
    SiteTable::new(&config.sites)
}

#[track_caller]
fn check(host: Option<&str>, expected: usize) {
    let table = table();
    let got = table.select(host.map(str::as_bytes));
    assert_eq!(got, expected, "host {host:?}");
}

#[test]
fn exact_names() {
    check(Some("example.com"), 3);
    check(Some("example.org"), 3);
    check(Some("www.example.com"), 2);
    check(Some("fallback.test"), 0);
}

#[test]
fn wildcards_need_a_label_and_the_longest_wins() {
    check(Some("a.example.com"), 1);
    check(Some("a.b.example.com"), 1);
    check(Some("cdn.example.com"), 1);
    check(Some("x.cdn.example.com"), 2);
    check(Some("y.x.cdn.example.com"), 2);
    // An exact name beats a wildcard that also matches.
    check(Some("www.example.com"), 2);
    // The `*` stands for at least one label.
    check(Some(".example.com"), 0);
    check(Some("example.com.evil"), 0);
    check(Some("notexample.com"), 0);
}

#[test]
fn ports_trailing_dots_and_case() {
    check(Some("example.com:8080"), 3);
    check(Some("EXAMPLE.Com"), 3);
    check(Some("example.com."), 3);
    check(Some("example.com.:443"), 3);
    check(Some("A.Example.COM:1"), 1);
    check(Some(" example.com "), 3);
    // Only one trailing dot is the root label.
    check(Some("example.com.."), 0);
}

#[test]
fn ip_literals() {
    check(Some("127.0.0.1"), 4);
    check(Some("127.0.0.1:8080"), 4);
    check(Some("[::1]"), 4);
    check(Some("[::1]:8080"), 4);
    check(Some("::1"), 0);
    check(Some("[::1"), 0);
}

#[test]
fn everything_else_gets_the_default() {
    check(None, 0);
    check(Some(""), 0);
    check(Some(":8080"), 0);
    check(Some("."), 0);
    check(Some("unknown.test"), 0);
    check(Some("\u{e9}xample.com"), 0);
    let long = format!("{}.example.com", "a".repeat(HOST_BYTES_MAX));
    check(Some(&long), 0);
    // Exactly at the bound still matches.
    let fits = format!(
        "{}.example.com",
        "a".repeat(HOST_BYTES_MAX - ".example.com".len())
    );
    check(Some(&fits), 1);
}

#[test]
fn default_is_the_flagged_site_else_the_first() {
    let mut first = SiteConfig::new(PathBuf::from("/a"));
    first.default = false;
    let mut second = SiteConfig::new(PathBuf::from("/b"));
    second.default = false;
    assert_eq!(
        SiteTable::new(&[first.clone(), second.clone()]).default_site(),
        0
    );
    second.default = true;
    let table = SiteTable::new(&[first, second]);
    assert_eq!(table.default_site(), 1);
    assert_eq!(table.select(Some(b"anything")), 1);
}

#[test]
fn a_host_listed_twice_belongs_to_its_first_site() {
    let mut first = SiteConfig::new(PathBuf::from("/a"));
    first.hosts = vec!["a.test".into()];
    let mut second = SiteConfig::new(PathBuf::from("/b"));
    second.hosts = vec!["a.test".into(), "b.test".into()];
    second.default = false;
    let table = SiteTable::new(&[first, second]);
    assert_eq!(table.select(Some(b"a.test")), 0);
    assert_eq!(table.select(Some(b"b.test")), 1);
}

#[test]
fn works_for_directory_config() {
    let config = config::Config::for_directory(PathBuf::from("/srv"));
    let table = SiteTable::new(&config.sites);
    assert_eq!(table.select(Some(b"whatever:80")), 0);
    assert_eq!(table.select(None), 0);
}
