//! The service on a real shard runtime, driven by hand: what happens between a request's
//! start and its answer when a reload or a mesh message comes in meanwhile.

use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use bext_net::h1;
use bext_shards::mesh::{MeshReceiver, mesh};
use bext_shards::rt;

use super::{Body, Response, Service};
use crate::shard::Shard;
use crate::shard::mesh::{FillAsk, FillRequest, Message};
use crate::snapshot::Snapshot;

struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("bext-service-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
        std::fs::write(path, text).expect("write");
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn snapshot(dir: &Path, toml: &str) -> Arc<Snapshot> {
    let config = bext_core::config::parse("test.toml", dir, toml).expect("config parses");
    Arc::new(Snapshot::build(config).expect("snapshot builds"))
}

/// Runs `test` on a shard runtime with a service for `snapshot`, shard 0 of `shards`.
fn with_service<F, Fut>(snapshot: Arc<Snapshot>, shards: usize, test: F)
where
    F: FnOnce(Rc<Service>, Vec<MeshReceiver<Message>>) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (_control, mut receivers) = mesh::<Message>(shards, 16);
    let mine = receivers.remove(0);
    rt::run(Default::default(), move |started| async move {
        let shard = Rc::new(Shard::new(
            0,
            None,
            started.driver,
            &mine,
            &snapshot.config.server,
        ));
        let service = Service::new(shard, snapshot);
        test(service, receivers).await;
    })
    .expect("runtime starts");
}

/// Answers `GET path` with `Host: host` the way the driver does (fast path, then the slow
/// one), returning the response and what its body says.
async fn get(service: &Rc<Service>, host: &str, path: &str) -> (u16, String) {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    let mut store = h1::HeaderStore::new();
    let Ok(h1::Parsed::Complete { head, .. }) =
        h1::parse_request(raw.as_bytes(), &mut store, &h1::Limits::default())
    else {
        panic!("request parses");
    };
    let request = super::Request::from_h1(&head, raw.as_bytes(), "127.0.0.1:9".parse().unwrap());
    let route = service.route(&request, false);
    let response = match service.answer_now(&request, &route, Instant::now()) {
        super::Outcome::Ready(response) => response,
        super::Outcome::Later => {
            let owned = request.owned();
            service.answer(&owned.view(), &route, Instant::now()).await
        }
    };
    (response.status, body_text(response))
}

fn body_text(response: Response) -> String {
    match response.body {
        Body::Bytes(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        other => format!("{other:?}"),
    }
}

/// Regression: a reload was not "between requests". The static-file path kept a site index
/// across `load_entry(..).await` and inserted into the new file cache, so after a reload that
/// renumbered the sites, site A's file was cached, and served, for site B.
#[test]
fn a_reload_that_renumbers_sites_during_a_file_read_cannot_mix_them() {
    let scratch = Scratch::new("renumber");
    scratch.write("a/x.txt", "site A\n");
    scratch.write("b/x.txt", "site B\n");
    let before = snapshot(
        &scratch.0,
        "[[site]]\nhosts = [\"a.test\"]\nroot = \"a\"\ndefault = true\n[[site]]\nhosts = [\"b.test\"]\nroot = \"b\"\n",
    );
    let after = snapshot(
        &scratch.0,
        "[[site]]\nhosts = [\"b.test\"]\nroot = \"b\"\ndefault = true\n[[site]]\nhosts = [\"a.test\"]\nroot = \"a\"\n",
    );
    with_service(before, 1, move |service, _| async move {
        let raw = b"GET /x.txt HTTP/1.1\r\nHost: a.test\r\n\r\n";
        let mut store = h1::HeaderStore::new();
        let Ok(h1::Parsed::Complete { head, .. }) =
            h1::parse_request(raw, &mut store, &h1::Limits::default())
        else {
            panic!("request parses");
        };
        let request = super::Request::from_h1(&head, raw, "127.0.0.1:9".parse().unwrap());
        let route = service.route(&request, false);
        assert_eq!(route.site, 0, "a.test is site 0 before the reload");
        let owned = request.owned();
        let view = owned.view();
        let mut answer = pin!(service.answer(&view, &route, Instant::now()));
        // The first poll opens the file and starts reading it through the runtime.
        let first = std::future::poll_fn(|cx| Poll::Ready(answer.as_mut().poll(cx).is_pending()));
        assert!(first.await, "a file read waits on the runtime");
        // Sites swap numbers while the read is under way.
        service.reload(after);
        let response = answer.await;
        assert_eq!(response.status, 200);
        assert_eq!(
            body_text(response),
            "site A\n",
            "the request keeps its snapshot"
        );
        // The read went into the old state's cache, never into the new one's.
        assert!(
            service
                .current()
                .files
                .borrow_mut()
                .get(0, b"/x.txt")
                .is_none(),
            "nothing was cached under the new site 0"
        );
        assert_eq!(
            get(&service, "b.test", "/x.txt").await,
            (200, "site B\n".into())
        );
        assert_eq!(
            get(&service, "a.test", "/x.txt").await,
            (200, "site A\n".into())
        );
    });
}

/// Regression: a draining shard discarded every mesh message but metrics, so a shard that
/// asked it for a page waited out its whole timeout. It must answer, with nothing.
#[test]
fn a_draining_shard_still_answers_page_requests() {
    let scratch = Scratch::new("drain-fill");
    scratch.write("public/index.html", "home");
    let snap = snapshot(&scratch.0, "[[site]]\nroot = \"public\"\ndefault = true\n");
    let id = snap.id;
    with_service(snap, 2, move |service, receivers| async move {
        service.shard.draining.set(true);
        let request = bext_render::renderer::RenderRequest {
            id: 0,
            method: String::from("GET"),
            url: String::from("/"),
            route: 0,
            params: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        service.on_fill_request(FillRequest {
            from: 1,
            id: 42,
            snapshot: id,
            site: 0,
            ask: FillAsk::Render(request),
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match receivers[0].try_recv() {
                Some(Message::FillReply {
                    id: 42,
                    reply: None,
                }) => break,
                Some(_) => panic!("another message than the empty reply"),
                None if Instant::now() > deadline => panic!("no reply from the draining shard"),
                None => rt::sleep(Duration::from_millis(1)).await,
            }
        }
    });
}

/// Regression: the cached `Date` line was updated every 1000 ms from whenever the shard
/// started, so it lagged the wall clock by up to a second. The ticker now wakes on each
/// second boundary. Started late in a second, the line must turn over right after the next
/// boundary, not a whole second after the start.
#[test]
fn the_date_line_turns_over_on_the_second() {
    let scratch = Scratch::new("date");
    scratch.write("public/index.html", "home");
    let snap = snapshot(&scratch.0, "[[site]]\nroot = \"public\"\ndefault = true\n");
    with_service(snap, 1, move |service, _| async move {
        let subsec_ms = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_millis())
        };
        let mut on_time = 0;
        for _ in 0..3 {
            // Start the ticker late in a second (600..800 ms into it).
            let deadline = Instant::now() + Duration::from_secs(30);
            while !(600..800).contains(&subsec_ms()) {
                assert!(Instant::now() < deadline, "the clock never reached 600 ms");
                rt::sleep(Duration::from_millis(5)).await;
            }
            let before = service.shard.date.borrow().line().to_vec();
            let ticker = crate::shard::ticker(service.clone());
            let changed = async {
                while service.shard.date.borrow().line() == before.as_slice() {
                    rt::sleep(Duration::from_millis(2)).await;
                }
                subsec_ms()
            };
            let turned_at =
                bext_shards::sync::race(rt::timeout(Duration::from_secs(30), changed), async {
                    ticker.await;
                })
                .await;
            let Some(Ok(turned_at)) = turned_at else {
                panic!("the date line never changed");
            };
            // Woken on the boundary: early in the new second. (A ticker on a 1000 ms period
            // from its start would turn at 600..800 ms again.)
            if turned_at < 400 {
                on_time += 1;
            }
        }
        assert!(
            on_time >= 1,
            "the Date line never turned over on the second"
        );
    });
}
