//! `[cluster]` end to end: a real `redis-server` (Debian's) started here and three bext
//! nodes on loopback ports sharing it. A cache invalidation posted to node A empties node B's
//! kept answer; a client banned on A is refused by B; an event published on A reaches a
//! subscriber on C, and two publishers on two nodes are seen in one order everywhere; with
//! Redis killed the nodes serve alone, and once it is back they are one again; over TLS
//! (`rediss://`) nodes that trust Redis's authority are one cluster, and a node that does
//! not trust it serves alone and says why.

mod common;
#[path = "proxy/harness.rs"]
mod harness;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Bext, TempDir, eventually};
use harness::{Upstream, curl, curl_on};

const PUBLISH_TOKEN: &str = "publish-token-0123456789abcdef0123456789";
const INVALIDATE_TOKEN: &str = "0123456789abcdef0123";

/// A redis-server on a loopback port, without persistence; killed on drop.
struct Redis {
    child: Option<Child>,
    port: u16,
    /// Serving TLS only, with this directory's `srv.pem`/`srv.key` signed by its `ca.pem`.
    tls: Option<PathBuf>,
    /// With `tls`: clients must show a certificate `ca.pem` signed (`--tls-auth-clients
    /// yes`, Redis's default); redis-cli shows the directory's `client.pem`.
    clients_need_certs: bool,
}

impl Redis {
    fn start() -> Redis {
        Redis::start_on(None, false)
    }

    /// Serving TLS only (`--port 0 --tls-port`), with a certificate for 127.0.0.1 signed by
    /// an authority made here with openssl (`DIR/ca.pem`).
    fn start_tls(dir: &TempDir) -> Redis {
        Redis::start_tls_with(dir, false)
    }

    /// As [`start_tls`](Self::start_tls), and requiring clients to show a certificate the
    /// authority signed; one is made for them (`DIR/client.pem`, `DIR/client.key`).
    fn start_tls_requiring_client_certs(dir: &TempDir) -> Redis {
        Redis::start_tls_with(dir, true)
    }

    fn start_tls_with(dir: &TempDir, clients_need_certs: bool) -> Redis {
        let run = |args: &str| {
            let status = Command::new("sh")
                .args(["-c", &format!("openssl {args} 2>/dev/null")])
                .current_dir(dir.path())
                .status()
                .expect("openssl runs");
            assert!(status.success(), "openssl {args}");
        };
        run(
            "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
             -out ca.pem -days 2 -subj /CN=bext-test-redis-CA",
        );
        run(
            "req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key \
             -out srv.csr -subj /CN=redis",
        );
        dir.write("san.ext", "subjectAltName=IP:127.0.0.1\n");
        run(
            "x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
             -days 2 -extfile san.ext",
        );
        if clients_need_certs {
            run(
                "req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key \
                 -out client.csr -subj /CN=bext-node",
            );
            dir.write("client.ext", "extendedKeyUsage=clientAuth\n");
            run(
                "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
                 -out client.pem -days 2 -extfile client.ext",
            );
        }
        Redis::start_on(Some(dir.path().to_path_buf()), clients_need_certs)
    }

    fn start_on(tls: Option<PathBuf>, clients_need_certs: bool) -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut redis = Redis {
            child: None,
            port,
            tls,
            clients_need_certs,
        };
        redis.restart();
        redis
    }

    /// Starts it (again) on its port and waits until it answers.
    fn restart(&mut self) {
        let port = self.port.to_string();
        let mut command = Command::new("redis-server");
        command.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        let mut cli = vec!["-p".to_owned(), port.clone()];
        match &self.tls {
            None => {
                command.args(["--port", &port]);
            }
            Some(dir) => {
                let file = |name: &str| dir.join(name).display().to_string();
                command
                    .args(["--port", "0", "--tls-port", &port])
                    .args(["--tls-cert-file", &file("srv.pem")])
                    .args(["--tls-key-file", &file("srv.key")])
                    .args(["--tls-ca-cert-file", &file("ca.pem")]);
                cli.extend(["--tls".to_owned(), "--cacert".to_owned(), file("ca.pem")]);
                if self.clients_need_certs {
                    command.args(["--tls-auth-clients", "yes"]);
                    cli.extend([
                        "--cert".to_owned(),
                        file("client.pem"),
                        "--key".to_owned(),
                        file("client.key"),
                    ]);
                } else {
                    command.args(["--tls-auth-clients", "no"]);
                }
            }
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (the test command installs it)");
        self.child = Some(child);
        eventually("redis-server answers PING", || {
            let out = Command::new("redis-cli")
                .args(&cli)
                .arg("ping")
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout)
                .contains("PONG")
                .then_some(())
        });
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A node's config: the cluster, realtime, the purge token, a WAF that bans, and a caching
/// proxy route in front of `upstream`.
fn node_config(
    dir: &TempDir,
    name: &str,
    redis: &Redis,
    upstream: &Upstream,
    cluster: &str,
) -> PathBuf {
    dir.write(
        &format!("{name}.toml"),
        format!(
            "[cluster]\nredis = \"{}\"\nnode = \"{name}\"\n{cluster}\n\
             [realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\n\n\
             [render]\ninvalidate_token = \"{INVALIDATE_TOKEN}\"\n\n\
             [waf]\nallow = [\"127.0.0.1\"]\n\
             rate = {{ requests_per_sec = 1, burst = 1, ban_after = 3, ban_secs = 60 }}\n\n\
             [[upstream]]\nname = \"app\"\nservers = [\"{}\"]\n\n\
             [[site]]\n[[site.proxy]]\nmatch = \"/cached/**\"\nupstream = \"app\"\ncache = true\n",
            redis.url(),
            upstream.addr()
        ),
    )
}

struct Nodes {
    _dir: TempDir,
    _upstream: Upstream,
    nodes: Vec<Bext>,
}

fn nodes(tag: &str, redis: &Redis) -> Nodes {
    nodes_with(tag, redis, "")
}

/// Three nodes whose `[cluster]` tables also have `cluster`'s settings.
fn nodes_with(tag: &str, redis: &Redis, cluster: &str) -> Nodes {
    let dir = TempDir::new(tag);
    let upstream = Upstream::start("cached");
    let nodes: Vec<Bext> = ["a", "b", "c"]
        .iter()
        .map(|name| {
            let config = node_config(&dir, name, redis, &upstream, cluster);
            Bext::serve_config(&config, &["--shards", "2"])
        })
        .collect();
    for node in &nodes {
        eventually("the node has Redis both ways", || {
            (node.metric("bext_cluster_up") == 1).then_some(())
        });
    }
    Nodes {
        _dir: dir,
        _upstream: upstream,
        nodes,
    }
}

/// `x-bext-cache` and the upstream's count for `path` on `node`, asked from CPU 0 (so of
/// the same shard each time).
fn cached(node: &Bext, path: &str) -> (String, u64) {
    let (status, cache, body) = curl_on(0, &format!("http://{}{path}", node.addr));
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    (cache, doc["n"].as_u64().expect("n"))
}

/// Posts an invalidation of `path` to `node`.
fn invalidate(node: &Bext, path: &str) {
    let (status, body, _) = curl(
        &format!("http://{}/__bext/cache/invalidate", node.addr),
        &[
            "-X",
            "POST",
            "-H",
            &format!("authorization: Bearer {INVALIDATE_TOKEN}"),
            "-d",
            &format!("{{\"path\": \"{path}\"}}"),
        ],
    );
    assert_eq!(status, 200, "{body}");
}

/// An SSE subscriber (curl) whose `data:` lines arrive on the channel.
struct Subscriber {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Subscriber {
    fn start(node: &Bext, topic: &str) -> Subscriber {
        let mut child = Command::new("curl")
            .args(["-sSN", "--max-time", "120"])
            .arg(format!(
                "http://{}/__bext/realtime/sse?topics={topic}",
                node.addr
            ))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("curl runs");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let item = if line.starts_with(": subscribed") {
                    "(subscribed)".to_owned()
                } else if let Some(data) = line.strip_prefix("data: ") {
                    data.to_owned()
                } else {
                    continue;
                };
                if tx.send(item).is_err() {
                    return;
                }
            }
        });
        let subscriber = Subscriber { child, lines };
        assert_eq!(
            subscriber.next(Duration::from_secs(30)).as_deref(),
            Some("(subscribed)")
        );
        subscriber
    }

    fn next(&self, within: Duration) -> Option<String> {
        self.lines.recv_timeout(within).ok()
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn publish(node: &Bext, topic: &str, data: &str) {
    let (status, body, _) = curl(
        &format!("http://{}/__bext/realtime/publish", node.addr),
        &[
            "-H",
            &format!("Authorization: Bearer {PUBLISH_TOKEN}"),
            "-d",
            &format!(r#"{{"topic":"{topic}","data":"{data}"}}"#),
        ],
    );
    assert_eq!(status, 202, "{body}");
}

#[test]
fn an_invalidation_on_one_node_empties_the_others() {
    let redis = Redis::start();
    let cluster = nodes("cluster-invalidate", &redis);
    let [a, b, _] = &cluster.nodes[..] else {
        unreachable!("three nodes")
    };
    let path = "/cached/page?cc=max-age=600";
    // Pinned to CPU 0: always the same shard of B.
    assert_eq!(cached(b, path).0, "miss");
    assert_eq!(cached(b, path).0, "hit");
    invalidate(a, path);
    // B hears of it through Redis: its kept answer is stale, so the next request refetches.
    let posted = Instant::now();
    let n = eventually("B's kept answer is invalidated", || {
        let (cache, n) = cached(b, path);
        (cache == "miss").then_some(n)
    });
    let visible_ms = posted.elapsed().as_millis();
    assert!(n >= 2, "the upstream was asked again");
    assert!(b.metric("bext_cluster_notes_received_total") >= 1);
    eprintln!("invalidation visible on B {visible_ms} ms after A answered");
}

#[test]
fn with_share_pages_a_page_one_node_fetched_is_kept_by_the_others() {
    let redis = Redis::start();
    let cluster = nodes_with("cluster-share", &redis, "share_pages = true");
    let [a, b, c] = &cluster.nodes[..] else {
        unreachable!("three nodes")
    };
    let path = "/cached/shared?cc=max-age=600";
    // A asks the upstream (its first request for the path) and offers what it kept.
    assert_eq!(cached(a, path), ("miss".to_owned(), 1));
    assert!(a.metric("bext_cluster_pages_offered_total") >= 1);
    // B and C keep A's copy: the upstream is not asked again (its count stays 1).
    for node in [b, c] {
        eventually("the node kept A's page", || {
            (node.metric("bext_cluster_pages_kept_total") >= 1).then_some(())
        });
        assert_eq!(cached(node, path).1, 1, "A's copy, not a fetch of its own");
        assert_eq!(cached(node, path), ("hit".to_owned(), 1));
    }
    // An invalidation on B reaches every node; A fetches the page again and offers the new
    // copy, which the others keep fresh (it was fetched after the invalidation).
    invalidate(b, path);
    let n = eventually("A refetches after the invalidation", || {
        let (cache, n) = cached(a, path);
        (cache == "miss").then_some(n)
    });
    assert_eq!(n, 2);
    eventually("C kept A's second copy", || {
        (c.metric("bext_cluster_pages_kept_total") >= 2).then_some(())
    });
    // (A shard of C that copied the first from its owner serves that stale once, and
    // copies the owner's new one.)
    eventually("C answers with A's second copy", || {
        (cached(c, path) == ("hit".to_owned(), 2)).then_some(())
    });
    assert_eq!(
        cached(a, path),
        ("hit".to_owned(), 2),
        "fetched twice in all"
    );
}

#[test]
fn with_share_pages_a_page_one_node_rendered_is_served_by_the_other() {
    let redis = Redis::start();
    let dir = TempDir::new("cluster-share-render");
    dir.write(
        "shop/app/layout.tsx",
        "export default function L({ children }: any) { return <html><body>{children}</body></html>; }\n",
    );
    // Each render tells itself apart: two nodes rendering it would answer differently.
    dir.write(
        "shop/app/page.tsx",
        "export const revalidate = 600;\n\
         export default function P() { return <p>render {Math.random()}</p>; }\n",
    );
    let nodes: Vec<Bext> = ["a", "b"]
        .iter()
        .map(|name| {
            let config = dir.write(
                &format!("{name}.toml"),
                format!(
                    "[cluster]\nredis = \"{}\"\nnode = \"{name}\"\nshare_pages = true\n\n\
                     [[site]]\napp = \"shop\"\n",
                    redis.url()
                ),
            );
            Bext::serve_config(&config, &["--shards", "2"])
        })
        .collect();
    let [a, b] = &nodes[..] else {
        unreachable!("two nodes")
    };
    for node in &nodes {
        eventually("the node has Redis both ways", || {
            (node.metric("bext_cluster_up") == 1).then_some(())
        });
    }
    let page = |node: &Bext| {
        let (status, cache, body) = curl_on(0, &format!("http://{}/", node.addr));
        assert_eq!(status, 200, "{body}");
        (cache, body)
    };
    let (cache, rendered) = page(a);
    let answered = Instant::now();
    assert_eq!(cache, "miss");
    assert!(rendered.contains("<p>render 0."), "{rendered}");
    eventually("B kept A's page", || {
        (b.metric("bext_cluster_pages_kept_total") >= 1).then_some(())
    });
    eprintln!(
        "B kept A's page {} ms after A answered",
        answered.elapsed().as_millis()
    );
    // The page A rendered, byte for byte, without a render on B.
    assert_eq!(page(b).1, rendered);
    assert_eq!(page(b), ("hit".to_owned(), rendered));
}

#[test]
fn presence_counts_the_subscribers_of_every_node() {
    let redis = Redis::start();
    let mut cluster = nodes("cluster-presence", &redis);
    let presence = |node: &Bext| -> serde_json::Value {
        let (status, body, _) = curl(
            &format!(
                "http://{}/__bext/realtime/presence?topics=room,lobby",
                node.addr
            ),
            &[],
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("JSON")
    };
    let counted = |node: &Bext, room: u64, lobby: u64, nodes: u64| {
        let doc = presence(node);
        (doc["topics"]["room"] == room
            && doc["topics"]["lobby"] == lobby
            && doc["nodes_reporting"] == nodes)
            .then_some(())
    };
    let mut subscribers = {
        let [a, b, c] = &cluster.nodes[..] else {
            unreachable!("three nodes")
        };
        vec![
            Subscriber::start(a, "room"),
            Subscriber::start(b, "room"),
            Subscriber::start(b, "room"),
            Subscriber::start(c, "lobby"),
        ]
    };
    for node in &cluster.nodes {
        eventually("every node's subscribers counted on each", || {
            counted(node, 3, 1, 3)
        });
    }
    // One leaves: counted out everywhere with its shard's next report.
    drop(subscribers.remove(1));
    for node in &cluster.nodes {
        eventually("the one that left counted out", || counted(node, 2, 1, 3));
    }
    // C stops: on its way down it says it has no one left, and is not counted (without
    // that, its report would count until it expires, 15 s later).
    let mut c = cluster.nodes.pop().expect("C");
    c.signal(15);
    assert!(c.wait_exit().success(), "{}", c.stderr());
    let stopped = Instant::now();
    for node in &cluster.nodes {
        eventually("the stopped node counted out", || counted(node, 2, 0, 2));
    }
    // Sooner than its last report could have expired: at least 10 s after it stopped
    // (`CLUSTER_PRESENCE_EXPIRES_MS` less a refresh).
    assert!(
        stopped.elapsed() < Duration::from_secs(10),
        "{:?}",
        stopped.elapsed()
    );
    // Everyone leaves: a node with no subscribers reports none, and only this one counts.
    drop(subscribers);
    for node in &cluster.nodes {
        eventually("no one left", || counted(node, 0, 0, 1));
    }
}

#[test]
fn a_reload_joins_leaves_and_moves_a_node_s_cluster() {
    let redis = Redis::start();
    let dir = TempDir::new("cluster-reload");
    dir.write("www/index.html", "hi\n");
    let config = |name: &str, cluster: &str| {
        dir.write(
            &format!("{name}.toml"),
            format!(
                "{cluster}\n[realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\n\n[[site]]\nroot = \"www\"\n"
            ),
        )
    };
    let joined = |name: &str, channel: &str| {
        format!(
            "[cluster]\nredis = \"{}\"\nnode = \"{name}\"\nchannel = \"{channel}\"\n",
            redis.url()
        )
    };
    let a = Bext::serve_config(&config("a", &joined("a", "bext")), &["--shards", "1"]);
    let b_config = config("b", "");
    let b = Bext::serve_config(&b_config, &["--shards", "1"]);
    let reload = |cluster: &str, said: &str| {
        config("b", cluster);
        b.signal(1);
        assert!(b.wait_for_stderr(said), "{}", b.stderr());
    };
    let up = |node: &Bext| {
        eventually("the node has Redis both ways", || {
            (node.metric("bext_cluster_up") == 1).then_some(())
        });
    };
    up(&a);
    // Alone, B has no cluster metrics.
    assert!(!b.get("/__bext/metrics").text().contains("bext_cluster_up"));
    // Joined by a reload: A's events reach B's subscriber.
    reload(&joined("b", "bext"), "bext: reloaded");
    up(&b);
    let subscriber = Subscriber::start(&b, "news");
    publish(&a, "news", "one");
    assert_eq!(
        subscriber.next(Duration::from_secs(30)).as_deref(),
        Some("one")
    );
    // Moved to another channel: A's events no longer reach B; B's own still do. (A
    // publishes first: on the same channel, its event would come first.)
    reload(
        &joined("b", "elsewhere"),
        "bext: cluster: reloaded; now with Redis at",
    );
    up(&b);
    publish(&a, "news", "two");
    publish(&b, "news", "three");
    assert_eq!(
        subscriber.next(Duration::from_secs(30)).as_deref(),
        Some("three")
    );
    // A `redis_ca` that cannot be read fails the reload and leaves the link as it was.
    reload(
        &format!(
            "[cluster]\nredis = \"rediss://127.0.0.1:{}\"\nredis_ca = \"missing-ca.pem\"\n",
            redis.port
        ),
        "bext: reload failed: [cluster] redis_ca: cannot read",
    );
    publish(&b, "news", "four");
    assert_eq!(
        subscriber.next(Duration::from_secs(30)).as_deref(),
        Some("four")
    );
    // Left by a reload: alone again, its events reach its own subscribers only.
    reload("", "reloaded without [cluster]; this node serves alone");
    eventually("the cluster metrics gone", || {
        (!b.get("/__bext/metrics").text().contains("bext_cluster_up")).then_some(())
    });
    publish(&b, "news", "five");
    assert_eq!(
        subscriber.next(Duration::from_secs(30)).as_deref(),
        Some("five")
    );
}

#[test]
fn a_client_banned_on_one_node_is_refused_by_the_others() {
    let redis = Redis::start();
    let cluster = nodes("cluster-ban", &redis);
    let [a, b, c] = &cluster.nodes[..] else {
        unreachable!("three nodes")
    };
    // From 127.0.0.2 (127.0.0.1, the test's own address, is allowed), until A bans it.
    let status_from = |node: &Bext| {
        let out = Command::new("curl")
            .args([
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--interface",
                "127.0.0.2",
            ])
            .arg(format!("http://{}/cached/x?cc=max-age=60", node.addr))
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u16>()
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let status = status_from(a);
        seen.push(status);
        if status == 403 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no ban on A within 60 s: {seen:?}"
        );
    }
    // B and C never limited it; they refuse it because A banned it.
    eventually("B and C refuse the client A banned", || {
        (status_from(b) == 403 && status_from(c) == 403).then_some(())
    });
    assert_eq!(
        cached(b, "/cached/y?cc=max-age=60").0,
        "miss",
        "others are served"
    );
}

#[test]
fn events_published_on_any_node_reach_subscribers_on_every_node_in_one_order() {
    let mut redis = Redis::start();
    let cluster = nodes("cluster-realtime", &redis);
    let [a, b, c] = &cluster.nodes[..] else {
        unreachable!("three nodes")
    };
    let on_b = Subscriber::start(b, "room");
    let on_c = Subscriber::start(c, "room");
    // Two publishers on two nodes at once.
    let publishers: Vec<_> = [a.addr, b.addr]
        .into_iter()
        .enumerate()
        .map(|(n, addr)| {
            std::thread::spawn(move || {
                for i in 0..20 {
                    let (status, body, _) = curl(
                        &format!("http://{addr}/__bext/realtime/publish"),
                        &[
                            "-H",
                            &format!("Authorization: Bearer {PUBLISH_TOKEN}"),
                            "-d",
                            &format!(r#"{{"topic":"room","data":"n{n}-{i}"}}"#),
                        ],
                    );
                    assert_eq!(status, 202, "{body}");
                }
            })
        })
        .collect();
    for publisher in publishers {
        publisher.join().expect("publisher");
    }
    let take = |s: &Subscriber| -> Vec<String> {
        (0..40)
            .map(|i| {
                s.next(Duration::from_secs(30))
                    .unwrap_or_else(|| panic!("event {i} of 40 within 30 s"))
            })
            .collect()
    };
    let seen_b = take(&on_b);
    let seen_c = take(&on_c);
    assert_eq!(seen_b, seen_c, "one order on every node");
    for n in 0..2 {
        let mine: Vec<&String> = seen_b
            .iter()
            .filter(|d| d.starts_with(&format!("n{n}-")))
            .collect();
        assert_eq!(mine.len(), 20);
    }

    // Redis goes away: each node serves alone (a publish on A reaches A's subscribers).
    redis.kill();
    for node in [a, b, c] {
        eventually("the node notices Redis is gone", || {
            (node.metric("bext_cluster_up") == 0).then_some(())
        });
    }
    let on_a = Subscriber::start(a, "room");
    publish(a, "room", "alone");
    assert_eq!(on_a.next(Duration::from_secs(30)).as_deref(), Some("alone"));
    assert_eq!(on_c.next(Duration::from_millis(300)), None, "C is not told");

    // Back: the nodes reconnect by themselves, and are one again.
    redis.restart();
    for node in [a, b, c] {
        eventually("the node has Redis again", || {
            (node.metric("bext_cluster_up") == 1).then_some(())
        });
    }
    publish(a, "room", "together");
    assert_eq!(
        on_c.next(Duration::from_secs(30)).as_deref(),
        Some("together")
    );
    assert_eq!(
        on_a.next(Duration::from_secs(30)).as_deref(),
        Some("together")
    );
}

#[test]
fn nodes_share_events_over_tls_to_redis_and_refuse_an_untrusted_one() {
    let certs = TempDir::new("cluster-tls-certs");
    let redis = Redis::start_tls(&certs);
    let dir = TempDir::new("cluster-tls");
    let ca = certs.path().join("ca.pem");
    let config = |name: &str, trust: bool| {
        let redis_ca = if trust {
            format!("redis_ca = \"{}\"\n", ca.display())
        } else {
            String::new()
        };
        dir.write(
            &format!("{name}.toml"),
            format!(
                "[cluster]\nredis = \"{}\"\n{redis_ca}node = \"{name}\"\n\n\
                 [realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\n\n[[site]]\nroot = \"www\"\n",
                redis.url()
            ),
        )
    };
    dir.write("www/index.html", "hi\n");
    let a = Bext::serve_config(&config("a", true), &["--shards", "2"]);
    let b = Bext::serve_config(&config("b", true), &["--shards", "2"]);
    let untrusting = Bext::serve_config(&config("c", false), &["--shards", "1"]);
    for node in [&a, &b] {
        eventually("the node has Redis over TLS both ways", || {
            (node.metric("bext_cluster_up") == 1).then_some(())
        });
    }
    let subscriber = Subscriber::start(&b, "tls-room");
    publish(&a, "tls-room", "over-tls");
    assert_eq!(
        subscriber.next(Duration::from_secs(30)).as_deref(),
        Some("over-tls")
    );
    // The system's roots do not include the authority made here: the handshake fails, the
    // node serves alone (its publishes stay local), and the log names the URL, not a secret.
    assert!(
        untrusting.wait_for_stderr("lost Redis at rediss://127.0.0.1"),
        "{}",
        untrusting.stderr()
    );
    assert_eq!(untrusting.metric("bext_cluster_up"), 0);
    let local = Subscriber::start(&untrusting, "tls-room");
    publish(&untrusting, "tls-room", "alone");
    assert_eq!(
        local.next(Duration::from_secs(30)).as_deref(),
        Some("alone")
    );
    assert_eq!(
        subscriber.next(Duration::from_millis(500)),
        None,
        "the untrusting node's event stays on it"
    );
}

#[test]
fn a_redis_that_asks_for_a_client_certificate_is_shown_the_configured_one() {
    let certs = TempDir::new("cluster-mtls-certs");
    let redis = Redis::start_tls_requiring_client_certs(&certs);
    let dir = TempDir::new("cluster-mtls");
    let file = |name: &str| certs.path().join(name).display().to_string();
    let config = |name: &str, client: &str| {
        dir.write(
            &format!("{name}.toml"),
            format!(
                "[cluster]\nredis = \"{}\"\nredis_ca = \"{}\"\n{client}node = \"{name}\"\n\n\
                 [realtime]\npublish_token = \"{PUBLISH_TOKEN}\"\n\n[[site]]\nroot = \"www\"\n",
                redis.url(),
                file("ca.pem"),
            ),
        )
    };
    dir.write("www/index.html", "hi\n");
    let showing = format!(
        "redis_client_cert = \"{}\"\nredis_client_key = \"{}\"\n",
        file("client.pem"),
        file("client.key")
    );
    let a = Bext::serve_config(&config("a", &showing), &["--shards", "1"]);
    let b = Bext::serve_config(&config("b", &showing), &["--shards", "1"]);
    let without = Bext::serve_config(&config("c", ""), &["--shards", "1"]);
    for node in [&a, &b] {
        eventually("the node has Redis over mutual TLS", || {
            (node.metric("bext_cluster_up") == 1).then_some(())
        });
    }
    let subscriber = Subscriber::start(&b, "mtls-room");
    publish(&a, "mtls-room", "shown");
    assert_eq!(
        subscriber.next(Duration::from_secs(30)).as_deref(),
        Some("shown")
    );
    // Showing no certificate, the node is refused and serves alone.
    assert!(
        without.wait_for_stderr("lost Redis at rediss://127.0.0.1"),
        "{}",
        without.stderr()
    );
    assert_eq!(without.metric("bext_cluster_up"), 0);

    // A key that is not the certificate's stops the start, naming the key.
    let mismatched = format!(
        "redis_client_cert = \"{}\"\nredis_client_key = \"{}\"\n",
        file("client.pem"),
        file("srv.key")
    );
    let mismatched = config("d", &mismatched);
    let (status, _, stderr) = common::run_bext(&[
        "serve",
        "--config",
        mismatched.to_str().expect("UTF-8 path"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!status.success(), "started with a mismatched key: {stderr}");
    assert!(stderr.contains("[cluster] redis_client_key: "), "{stderr}");
}

#[test]
fn a_redis_ca_that_cannot_be_read_stops_the_start() {
    let dir = TempDir::new("cluster-tls-missing-ca");
    dir.write("www/index.html", "hi\n");
    let config = dir.write(
        "bext.toml",
        "[cluster]\nredis = \"rediss://127.0.0.1:6390\"\nredis_ca = \"nowhere/ca.pem\"\n\n\
         [[site]]\nroot = \"www\"\n",
    );
    let (status, _, stderr) = common::run_bext(&[
        "serve",
        "--config",
        config.to_str().expect("UTF-8 path"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("[cluster] redis_ca: cannot read") && stderr.contains("nowhere/ca.pem"),
        "{stderr}"
    );
}
