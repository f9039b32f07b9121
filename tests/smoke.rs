//! The binary starts, serves the bundled example site, and stops cleanly.

mod common;

use common::*;

#[test]
fn serves_the_bundled_example_and_stops_on_sigterm() {
    let example = example_app::config();
    let mut bext = Bext::serve_config(&example, &["--shards", "2", "--access-log", "off"]);
    // The example app: every page of the published benchmark renders.
    let index = bext.get("/");
    assert_eq!(index.status, 200, "{}", index.summary());
    assert!(
        index.text().contains("bext example app"),
        "{}",
        index.text()
    );
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    for page in [
        "/simple",
        "/dashboard",
        "/table/50",
        "/table/200",
        "/full-page",
    ] {
        let r = bext.get(page);
        assert_eq!(r.status, 200, "{page}: {}", r.summary());
        assert!(
            r.text().starts_with("<!DOCTYPE html><html"),
            "{page}: {}",
            r.summary()
        );
    }
    assert_eq!(bext.get("/favicon.svg").status, 200, "public/ is served");
    let missing = bext.get("/no-such-page");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the app's not-found page: {}",
        missing.text()
    );
    // The static example site, on its own host name.
    let site = request(
        bext.addr,
        "GET / HTTP/1.1\r\nhost: static.localhost\r\n\r\n",
    );
    assert!(site.text().contains("It works"), "{}", site.text());
    let missing = request(
        bext.addr,
        "GET /no-such-page HTTP/1.1\r\nhost: static.localhost\r\n\r\n",
    );
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Nothing here"),
        "the site's own 404 page: {}",
        missing.text()
    );
    bext.signal(15);
    assert!(bext.wait_exit().success(), "{}", bext.stderr());
}

/// Where io_uring is unavailable the shards run on monoio's epoll driver, say so once, and
/// serve the same way (forced here with the diagnostic switch).
#[test]
fn serves_on_the_epoll_fallback_and_says_so() {
    let site = TempDir::new("epoll");
    site.write("a.txt", "on epoll\n");
    let args: Vec<String> = [
        "serve",
        &site.path().display().to_string(),
        "--listen",
        "127.0.0.1:0",
        "--shards",
        "2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut bext = Bext::start_env(&args, &[("BEXT_DANGER_FORCE_EPOLL", "1")]);
    for _ in 0..2 {
        let file = bext.get("/a.txt");
        assert_eq!((file.status, file.text().as_str()), (200, "on epoll\n"));
    }
    let health = bext.get("/__bext/health");
    if health.text().contains("\"backend\":\"glommio\"") {
        // glommio has no epoll driver: the switch is the monoio backend's.
        assert!(
            health.text().contains("\"driver\":\"io_uring\""),
            "{}",
            health.text()
        );
    } else {
        assert!(
            health.text().contains("\"driver\":\"epoll\""),
            "{}",
            health.text()
        );
        let stderr = bext.stderr();
        assert_eq!(
            stderr.matches("epoll driver").count(),
            1,
            "said once for all shards: {stderr}"
        );
    }
    bext.signal(15);
    assert!(bext.wait_exit().success(), "{}", bext.stderr());
}

/// `[server] ops_endpoints`: with "off", `/__bext/…` is an ordinary path of the site; by
/// default ("loopback") a loopback client gets bext's own health answer.
#[test]
fn ops_endpoints_can_be_turned_off() {
    let dir = TempDir::new("ops");
    dir.write("site/__bext/health", "a page of the site\n");
    for (setting, expect_json) in [("off", false), ("loopback", true), ("any", true)] {
        let config = dir.write(
            "bext.config.toml",
            format!("[server]\nops_endpoints = \"{setting}\"\naccess_log = \"off\"\n\n[[site]]\nroot = \"site\"\n"),
        );
        let bext = Bext::serve_config(&config, &["--shards", "1"]);
        let health = bext.get("/__bext/health");
        assert_eq!(health.status, 200, "{setting}");
        if expect_json {
            assert!(
                health.text().starts_with("{\"status\":\"ok\""),
                "{setting}: {}",
                health.text()
            );
        } else {
            assert_eq!(health.text(), "a page of the site\n", "{setting}");
        }
    }
}
