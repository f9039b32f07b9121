//! Reloads while requests are in flight, end to end: a render held waiting on its loader's
//! `fetch` (an upstream on loopback that answers only when the test says), a SIGHUP that
//! changes the config underneath it, then the upstream's answer. A request keeps the
//! snapshot it started with; what it renders never leaks into the new config's caches; and
//! nothing it does can take the shard down.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

use common::{Bext, TempDir, eventually, request};

const SIGHUP: i32 = 1;

/// An upstream that accepts one connection, says so, and answers `body` only when released.
struct HeldUpstream {
    port: u16,
    accepted: mpsc::Receiver<()>,
    release: mpsc::Sender<()>,
}

impl HeldUpstream {
    fn start(body: &'static str) -> HeldUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind upstream");
        let port = listener.local_addr().expect("address").port();
        let (accepted_tx, accepted) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = accepted_tx.send(());
            if release_rx.recv().is_err() {
                return;
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
        });
        HeldUpstream {
            port,
            accepted,
            release,
        }
    }

    /// Waits until the render has called the upstream.
    fn wait_accepted(&self) {
        self.accepted
            .recv_timeout(common::DEADLINE)
            .expect("the render never reached the upstream");
    }
}

fn layout(dir: &TempDir) {
    dir.write(
        "app/app/layout.tsx",
        "export default function Root({ children }: any) { return <html><body>{children}</body></html>; }\n",
    );
}

/// A page whose loader waits on the upstream, saying `version`.
fn held_page(dir: &TempDir, port: u16, version: &str) {
    dir.write(
        "app/app/page.tsx",
        format!(
            r#"export async function loader() {{
  const r = await fetch("http://127.0.0.1:{port}/data");
  return await r.json();
}}
export default function Home({{ data }}: any) {{ return <p>{version} {{data.n}}</p>; }}
"#
        ),
    );
}

/// Regression: isr.rs indexed `site_runtime[site]` after an await, so a reload that removed
/// the site of a render in flight panicked, and nothing caught panics: the shard died.
#[test]
fn a_reload_that_removes_the_site_of_a_render_in_flight() {
    let dir = TempDir::new("reload-remove");
    let upstream = HeldUpstream::start("{\"n\":7}");
    dir.write("public/index.html", "static home\n");
    dir.write("public/probe.txt", "static probe\n");
    layout(&dir);
    held_page(&dir, upstream.port, "v1");
    let config = dir.write(
        "bext.config.toml",
        "[[site]]\nhosts = [\"static.test\"]\nroot = \"public\"\ndefault = true\n\n[[site]]\nhosts = [\"app.test\"]\napp = \"app\"\n",
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let addr = bext.addr;
    let in_flight = thread::spawn(move || {
        request(
            addr,
            "GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n",
        )
    });
    upstream.wait_accepted();
    // The app site goes away while its render waits.
    dir.write(
        "bext.config.toml",
        "[[site]]\nhosts = [\"static.test\"]\nroot = \"public\"\ndefault = true\n",
    );
    bext.signal(SIGHUP);
    // Probed on another path: a request for `/` would wait behind the render in flight.
    eventually("the reload is served", || {
        let r = request(addr, "GET /probe.txt HTTP/1.1\r\nHost: app.test\r\n\r\n");
        (r.status == 200 && r.text() == "static probe\n").then_some(())
    });
    upstream.release.send(()).expect("upstream waits");
    let answered = in_flight.join().expect("client thread");
    assert_eq!(answered.status, 200, "{}", answered.summary());
    assert!(
        answered.text().contains("<p>v1 7</p>"),
        "rendered under the config it started with: {}",
        answered.text()
    );
    // The shard is alive and serving.
    let r = request(addr, "GET / HTTP/1.1\r\nHost: static.test\r\n\r\n");
    assert_eq!(r.status, 200, "{}", r.summary());
    assert!(!bext.stderr().contains("panic"), "{}", bext.stderr());
}

/// Regression: a reload rebuilt the ISR cache at era 0 instead of clearing it, so a render
/// started before the reload passed the era check and its page, made by the old app, was
/// stored in the new cache and served as a hit.
#[test]
fn a_render_from_before_a_reload_is_not_cached_after_it() {
    let dir = TempDir::new("reload-era");
    let upstream = HeldUpstream::start("{\"n\":1}");
    layout(&dir);
    held_page(&dir, upstream.port, "v1");
    dir.write(
        "app/app/version/page.tsx",
        "export default function V() { return <p>version v1</p>; }\n",
    );
    let config = dir.write(
        "bext.config.toml",
        "[[site]]\napp = \"app\"\ndefault = true\n",
    );
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let addr = bext.addr;
    let in_flight = thread::spawn(move || {
        request(
            addr,
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    });
    upstream.wait_accepted();
    // A new build of the app: the home page no longer fetches.
    dir.write(
        "app/app/page.tsx",
        "export default function Home() { return <p>v2 home</p>; }\n",
    );
    dir.write(
        "app/app/version/page.tsx",
        "export default function V() { return <p>version v2</p>; }\n",
    );
    bext.signal(SIGHUP);
    eventually("the new build is served", || {
        let r = request(addr, "GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
        r.text().contains("version v2").then_some(())
    });
    upstream.release.send(()).expect("upstream waits");
    let old = in_flight.join().expect("client thread");
    assert!(old.text().contains("<p>v1 1</p>"), "{}", old.summary());
    let home = request(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(
        home.text().contains("<p>v2 home</p>"),
        "the old build's page leaked into the new cache: {}",
        home.summary()
    );
    assert_eq!(
        home.header("x-bext-cache"),
        Some("miss"),
        "{}",
        home.summary()
    );
}
