//! The XDP filter end to end, in network namespaces this test creates: bext serves in one
//! (`srv`), curl runs in the other (`cli`), joined by a veth pair whose server end the filter
//! is attached to (natively: veth has a driver-mode XDP). The client end carries two
//! addresses, so one namespace is both a good client and a bad one.
//!
//! What is checked is what a user would see: a denied client's connection attempts fail and
//! never reach bext's socket (the filter's counter rises, the userspace WAF's does not), an
//! allowed one is served, a reload moves both, a flooding client is banned at XDP and later
//! let back in, the program is gone from the interface once bext exits, and with
//! `xdp_steer` the flows that one CPU receives are spread over both shards.
//!
//! Needs root (CI runs as root) to make namespaces and load BPF programs.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Bext, TempDir};

/// The bound on every wait for something to happen (a ban to end, a reload to land).
const DEADLINE: Duration = Duration::from_secs(30);
/// The port bext listens on inside the server namespace.
const PORT: u16 = 8080;

/// Two namespaces joined by a veth pair, removed (with the pair) on drop.
struct Namespaces {
    srv: String,
    cli: String,
    /// The server end of the veth pair, inside `srv`.
    link: String,
    /// The client end, inside `cli`.
    peer: String,
    /// The /24 both ends live in: `NET.1` the server, `NET.2` and `NET.3` the client.
    net: String,
}

impl Namespaces {
    fn new(tag: &str) -> Namespaces {
        // Unique per test process and test, so parallel tests and leftovers never collide.
        let id = std::process::id() % 10_000;
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let ns = Namespaces {
            srv: format!("bext-{tag}-s{id}"),
            cli: format!("bext-{tag}-c{id}"),
            link: format!("bxs{id}n{n}"),
            peer: format!("bxc{id}n{n}"),
            net: format!("10.{}.{}", 100 + n, id % 250),
        };
        let peer = ns.peer.clone();
        let steps: Vec<Vec<String>> = vec![
            vec!["netns".into(), "add".into(), ns.srv.clone()],
            vec!["netns".into(), "add".into(), ns.cli.clone()],
            vec![
                "link".into(),
                "add".into(),
                ns.link.clone(),
                "netns".into(),
                ns.srv.clone(),
                "type".into(),
                "veth".into(),
                "peer".into(),
                "name".into(),
                peer.clone(),
                "netns".into(),
                ns.cli.clone(),
            ],
        ];
        for step in steps {
            ip(&step);
        }
        let in_ns = |netns: &str, args: &[&str]| {
            let mut all = vec!["-n", netns];
            all.extend_from_slice(args);
            ip(&all.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        };
        in_ns(
            &ns.srv,
            &["addr", "add", &format!("{}.1/24", ns.net), "dev", &ns.link],
        );
        in_ns(&ns.srv, &["link", "set", &ns.link, "up"]);
        in_ns(&ns.srv, &["link", "set", "lo", "up"]);
        for host in [2, 3] {
            in_ns(
                &ns.cli,
                &[
                    "addr",
                    "add",
                    &format!("{}.{host}/24", ns.net),
                    "dev",
                    &peer,
                ],
            );
        }
        in_ns(&ns.cli, &["link", "set", &peer, "up"]);
        ns
    }

    fn server(&self) -> String {
        format!("{}.1", self.net)
    }

    fn client(&self, host: u8) -> String {
        format!("{}.{host}", self.net)
    }

    /// `curl` from client address `.host` to `path`: the status, or `None` when no
    /// connection could be made within a second (what a dropped SYN looks like).
    fn curl(&self, host: u8, path: &str) -> Option<u16> {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.cli, "curl", "-s", "-o", "/dev/null"])
            .args([
                "-w",
                "%{http_code}",
                "--connect-timeout",
                "1",
                "--max-time",
                "10",
            ])
            .args(["--interface", &self.client(host)])
            .arg(format!("http://{}:{PORT}{path}", self.server()))
            .output()
            .expect("curl runs");
        match out.status.code() {
            Some(0) => String::from_utf8_lossy(&out.stdout).parse().ok(),
            // 28: timed out connecting; 7: refused or unreachable.
            Some(28) | Some(7) => None,
            other => panic!(
                "curl from .{host} to {path}: exit {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    /// A sample from `/__bext/metrics` (asked by the good client): `name` with its labels,
    /// e.g. `bext_xdp_packets_total{verdict="denied"}`.
    fn metric(&self, name: &str) -> u64 {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.cli,
                "curl",
                "-sS",
                "--max-time",
                "10",
            ])
            .args(["--interface", &self.client(2)])
            .arg(format!("http://{}:{PORT}/__bext/metrics", self.server()))
            .output()
            .expect("curl runs");
        let text = String::from_utf8_lossy(&out.stdout);
        common::metric_sample(&text, name).unwrap_or_else(|| panic!("{name} in {text}"))
    }

    /// Makes the client's kernel fill in every checksum it sends, as a NIC's sender has.
    /// By default a veth end leaves TCP checksums to an offload that never happens (the
    /// receiving socket buffer says "partial"); a packet the filter redirects to another
    /// CPU leaves that note behind, and the stack there drops it as corrupt.
    fn full_checksums(&self) {
        let out = Command::new("ip")
            .args([
                "netns", "exec", &self.cli, "ethtool", "-K", &self.peer, "tx", "off",
            ])
            .output()
            .expect("ethtool runs (scripts/test.sh installs it)");
        assert!(
            out.status.success(),
            "ethtool -K {} tx off: {}",
            self.peer,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Which shard served a new connection from curl pinned to `cpu` (the good client's):
    /// `/__bext/health` says.
    fn shard_from(&self, cpu: usize) -> u64 {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.cli,
                "taskset",
                "-c",
                &cpu.to_string(),
            ])
            .args(["curl", "-sS", "--max-time", "10"])
            .args(["--interface", &self.client(2)])
            .arg(format!("http://{}:{PORT}/__bext/health", self.server()))
            .output()
            .expect("curl runs");
        let health: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "/__bext/health: {e}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        health["shard"]
            .as_u64()
            .unwrap_or_else(|| panic!("no shard in {health}"))
    }

    /// Whether an XDP program is attached to the server's end of the pair.
    fn xdp_attached(&self) -> bool {
        let out = Command::new("ip")
            .args(["-n", &self.srv, "link", "show", "dev", &self.link])
            .output()
            .expect("ip runs");
        String::from_utf8_lossy(&out.stdout).contains("prog/xdp")
    }

    /// bext in the server namespace, serving `config`.
    fn serve(&self, config: &std::path::Path) -> Bext {
        let bext = Bext::start_wrapped(
            &["ip", "netns", "exec", &self.srv],
            &[
                "serve".into(),
                "--config".into(),
                config.display().to_string(),
            ],
            &[],
        );
        assert!(
            bext.wait_for_stderr("bext: xdp: filtering"),
            "the filter was not attached (this test needs root, and bext built with clang and \
             libbpf-dev):\n{}",
            bext.stderr()
        );
        bext
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in [&self.srv, &self.cli] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn ip(args: &[String]) {
    let out = Command::new("ip").args(args).output().expect("ip runs");
    assert!(
        out.status.success(),
        "ip {}: {} (this test needs root to make network namespaces)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A site answering `hello` with `[waf]` settings `waf` (the XDP interface added), its
/// metrics open to the namespace's clients.
fn config(dir: &TempDir, ns: &Namespaces, waf: &str) -> std::path::PathBuf {
    dir.write("public/index.html", "hello\n");
    dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"{}:{PORT}\"\nshards = 2\nops_endpoints = \"any\"\n\
             [waf]\nxdp_interfaces = [\"{}\"]\n{waf}\n[[site]]\nroot = \"public\"\n",
            ns.server(),
            ns.link
        ),
    )
}

/// Polls `check` until it holds or `DEADLINE` passes.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !check() {
        assert!(Instant::now() < deadline, "{what}: not within {DEADLINE:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn denied_prefixes_are_dropped_before_the_socket_and_follow_reloads() {
    let ns = Namespaces::new("deny");
    let dir = TempDir::new("xdp-deny");
    let file = config(&dir, &ns, &format!("deny = [\"{}/32\"]", ns.client(3)));
    let mut bext = ns.serve(&file);
    assert!(ns.xdp_attached());
    assert_eq!(ns.curl(2, "/"), Some(200), "the allowed client is served");
    assert_eq!(ns.curl(3, "/"), None, "the denied client cannot connect");
    assert!(ns.metric("bext_xdp_packets_total{verdict=\"denied\"}") >= 1);
    assert!(ns.metric("bext_xdp_packets_total{verdict=\"passed\"}") >= 1);
    // Its packets never reached a socket: the userspace WAF saw no request to refuse.
    assert_eq!(ns.metric("bext_waf_denied_total"), 0);

    // A reload swaps them: .3 allowed (listed in allow, carved out of a denied /24 that now
    // covers .2 as well).
    dir.write(
        "bext.toml",
        std::fs::read_to_string(&file).unwrap().replace(
            &format!("deny = [\"{}/32\"]", ns.client(3)),
            &format!(
                "deny = [\"{}.0/24\"]\nallow = [\"{}/32\"]",
                ns.net,
                ns.client(3)
            ),
        ),
    );
    bext.signal(libc_sighup());
    eventually("the reload reaches the filter", || {
        ns.curl(3, "/") == Some(200)
    });
    assert_eq!(ns.curl(2, "/"), None, ".2 is in the denied /24 now");

    // Stopped, bext leaves nothing attached.
    bext.signal(15);
    assert!(bext.wait_exit().success(), "{}", bext.stderr());
    assert!(!ns.xdp_attached(), "the program outlived bext");
}

/// A veth pair has one queue, and its receive path (XDP included) runs on the sending CPU:
/// like a one-queue virtual NIC, it hands every flow to one CPU, and the listener group's
/// by-CPU program then to that CPU's shard. Steering spreads the flows over the shards.
#[test]
fn steering_spreads_the_flows_one_cpu_receives_over_the_shards_and_follows_reloads() {
    /// Connections per look: with two shards, a fair spread puts fewer than a quarter of
    /// them on one shard about once in 10^5 runs.
    const CONNECTIONS: usize = 24;
    let cpus = core_affinity::get_core_ids().expect("the allowed CPUs");
    assert!(cpus.len() >= 2, "steering needs two CPUs: {cpus:?}");
    // Shard i is pinned to the i-th allowed CPU; the client sends from shard 0's.
    let cpu = cpus[0].id;
    let ns = Namespaces::new("steer");
    ns.full_checksums();
    let dir = TempDir::new("xdp-steer");
    let file = config(&dir, &ns, "");
    let bext = ns.serve(&file);
    let served: Vec<u64> = (0..CONNECTIONS).map(|_| ns.shard_from(cpu)).collect();
    assert!(
        served.iter().all(|&shard| shard == 0),
        "without steering, flows sent from CPU {cpu} reach shard 0 alone: {served:?}"
    );
    assert_eq!(ns.metric("bext_xdp_steered_total"), 0);

    let text = std::fs::read_to_string(&file).unwrap();
    dir.write(
        "bext.toml",
        text.replace("[waf]\n", "[waf]\nxdp_steer = true\n"),
    );
    bext.signal(libc_sighup());
    eventually("the reload turns steering on", || ns.shard_from(cpu) == 1);
    let served: Vec<u64> = (0..CONNECTIONS).map(|_| ns.shard_from(cpu)).collect();
    let on_one = served.iter().filter(|&&shard| shard == 1).count();
    assert!(
        (CONNECTIONS / 4..=CONNECTIONS * 3 / 4).contains(&on_one),
        "steered flows from CPU {cpu} went {on_one} of {CONNECTIONS} to shard 1: {served:?}"
    );
    assert!(ns.metric("bext_xdp_steered_total") > 0);

    // Off again at the next reload.
    dir.write("bext.toml", text);
    bext.signal(libc_sighup());
    eventually("the reload turns steering off", || {
        (0..8).all(|_| ns.shard_from(cpu) == 0)
    });
    drop(bext);
}

#[test]
fn a_flooding_client_is_banned_at_xdp_and_let_back_in_when_the_ban_ends() {
    let ns = Namespaces::new("ban");
    let dir = TempDir::new("xdp-ban");
    let ban_secs = 3;
    let file = config(
        &dir,
        &ns,
        &format!(
            "rate = {{ requests_per_sec = 2, burst = 2, ban_after = 2, ban_secs = {ban_secs} }}"
        ),
    );
    // The metrics scrapes come from .2; the rate limit applies to it too, so it is allowed.
    let file = {
        let text = std::fs::read_to_string(&file).unwrap().replace(
            "[waf]\n",
            &format!("[waf]\nallow = [\"{}/32\"]\n", ns.client(2)),
        );
        dir.write("bext.toml", text)
    };
    let bext = ns.serve(&file);
    // Flood from .3 until it is refused at the socket (banned) or cannot connect at all.
    let mut statuses = Vec::new();
    eventually("the flooding client is banned", || {
        let status = ns.curl(3, "/");
        statuses.push(status);
        status.is_none() || status == Some(403)
    });
    eprintln!("flood: {statuses:?}");
    assert!(
        statuses.contains(&Some(429)),
        "rate-limited first: {statuses:?}"
    );
    assert_eq!(ns.metric("bext_xdp_bans_total"), 1);
    // Banned at XDP: its next connections never get through, while .2 is served.
    let banned_before = ns.metric("bext_xdp_packets_total{verdict=\"banned\"}");
    let started = Instant::now();
    let refused = ns.curl(3, "/");
    if started.elapsed() < Duration::from_secs(ban_secs) {
        assert_eq!(refused, None, "a banned client connected");
        assert!(ns.metric("bext_xdp_packets_total{verdict=\"banned\"}") > banned_before);
    }
    assert_eq!(ns.curl(2, "/"), Some(200));
    // When the ban ends, it is served again.
    eventually("the ban ends", || ns.curl(3, "/") == Some(200));
    drop(bext);
}

#[test]
fn without_the_privileges_it_says_so_once_and_the_shards_enforce_the_lists() {
    let ns = Namespaces::new("nocap");
    let dir = TempDir::new("xdp-nocap");
    let file = config(&dir, &ns, &format!("deny = [\"{}/32\"]", ns.client(3)));
    // Root without CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_PERFMON (dropped from the
    // bounding set, so bext's exec cannot have them): what a container or a hardened unit
    // gives.
    let bext = Bext::start_wrapped(
        &[
            "ip",
            "netns",
            "exec",
            &ns.srv,
            "setpriv",
            "--bounding-set=-bpf,-net_admin,-sys_admin,-perfmon",
            "--",
        ],
        &[
            "serve".into(),
            "--config".into(),
            file.display().to_string(),
        ],
        &[],
    );
    assert!(
        bext.wait_for_stderr("bext: xdp: not attached"),
        "{}",
        bext.stderr()
    );
    assert_eq!(
        bext.stderr().matches("bext: xdp:").count(),
        1,
        "said once: {}",
        bext.stderr()
    );
    assert!(!ns.xdp_attached());
    assert_eq!(ns.curl(2, "/"), Some(200));
    // The denied client connects, and the shards refuse it.
    assert_eq!(ns.curl(3, "/"), Some(403));
    assert_eq!(ns.metric("bext_xdp_attached"), 0);
    assert_eq!(ns.metric("bext_waf_denied_total"), 1);
}

/// SIGHUP's number (1 on Linux).
fn libc_sighup() -> i32 {
    1
}
