//! The binary starts, serves the bundled example site, and stops cleanly.

mod common;

use common::*;

#[test]
fn serves_the_bundled_example_site_and_stops_on_sigterm() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bext.config.toml");
    let mut bext = Bext::serve_config(&example, &["--shards", "2", "--access-log", "off"]);
    let index = bext.get("/");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("It works"), "{}", index.text());
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    let missing = bext.get("/no-such-page");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Nothing here"), "the site's own 404 page: {}", missing.text());
    bext.signal(15);
    assert!(bext.wait_exit().success(), "{}", bext.stderr());
}
