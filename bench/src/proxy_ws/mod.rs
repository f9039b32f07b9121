//! The `proxy` scenario's WebSocket part: bext's tunnels against nginx's, both in front of one
//! WebSocket echo upstream, measured two ways.
//!
//! **The upstream** is `bext-wsecho` (`src/bin/wsecho.rs`), pinned to CPU 1 beside the load
//! generator as the HTTP part's upstream is: one process, started once, behind bext, behind
//! nginx and measured directly. It is this package's own, on bext's io_uring runtime, rather
//! than the tests' Python `websockets` server, because a Python upstream would be the
//! bottleneck of every row and hide the proxies' difference.
//!
//! **The proxies**, started fresh on CPU 0 for each part: bext with one shard and the HTTP
//! part's `[[upstream]]`/`[[site.proxy]]`, which tunnels an `Upgrade` by itself; nginx with
//! one worker and the same `proxy_pass` plus `proxy_set_header Upgrade $http_upgrade;
//! proxy_set_header Connection "upgrade";` (`nginx.rs`). Both close a tunnel silent for
//! [`WS_TUNNEL_IDLE_MS`], longer than any part runs. Before anything is measured, each must
//! carry a handshake and echoes of several sizes (beyond their first read buffers) through.
//!
//! **Round trips** ([`round_trips`]): `bext-wsload` (`src/bin/wsload.rs`, io_uring, CPU 1)
//! keeps `--connections` WebSockets, each sending a 64-byte message and awaiting its echo in
//! a loop: round trips per second, p50/p99 of one round trip, the proxy's CPU per round trip,
//! and how busy CPU 1 (generator and upstream) was, in interleaved rounds (bext, nginx,
//! direct), medians, ratios bext/nginx and bext/direct.
//!
//! **Held tunnels** ([`held`]): the issue's "10,000 concurrent WebSocket tunnels held with
//! ≤ 16 KiB server memory each". The harness opens `--count` tunnels through a fresh proxy,
//! each echoing once to prove it is live, and holds them; the proxy's RSS once settled before
//! and with every tunnel held gives the memory per tunnel (`rss.rs`, as `conns` measures
//! idle connections). Then every tunnel must echo once more: one that does not was dropped
//! while held, which is counted and reported. Kernel socket memory is not in RSS and is the
//! same for both proxies.
//!
//! **Ports and descriptors.** The tunnels of one proxy are `--count` connections from the
//! harness to the proxy and as many from the proxy to the upstream, all on 127.0.0.1. Linux
//! gives an unbound `connect` any local port whose 4-tuple is unused, so each destination
//! (the proxy's port, the upstream's) needs `--count` ports of `ip_local_port_range`, not
//! both together; the part refuses a count the range cannot hold, as `conns` does. (Several
//! upstream ports or client addresses in 127.0.0.0/8 would lift that bound; the issue's
//! 10,000 fit without.) The harness raises its open-file limit to two descriptors per tunnel
//! plus headroom before it starts any server, so bext, the upstream and the generator inherit
//! it; nginx sets its own from `worker_connections`. bext's `connections_per_shard_max`
//! default (100,000) is already far above what is held, so its config does not set it.

pub mod held;
pub mod round_trips;

use std::net::SocketAddr;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::child::{Ports, ServerProcess};
use crate::cli::Options;
use crate::conns::ephemeral_port_count;
use crate::contender::{CeilingUring, Contender, Role, ServeSpec, free_port};
use crate::error::Error;
use crate::limits::{
    LOAD_CPU, READY_DEADLINE_MS, READY_POLL_INTERVAL_MS, WS_NOFILE_HEADROOM, WS_TUNNEL_DESCRIPTORS,
    WS_TUNNEL_IDLE_MS,
};
use crate::locate::Programs;
use crate::report::Report;
use crate::sys;
use crate::workdir::WorkDir;
use crate::ws_client::WsClient;

/// The path every WebSocket asks for (the echo answers any; the proxies route `/**`).
pub const WS_PATH: &str = "/echo";
/// Message sizes each proxy must echo before it is measured: empty, the scenario's, and
/// larger than any first read buffer (bext's tunnel starts at 4 KiB and grows).
const CHECK_MESSAGE_BYTES: [usize; 3] = [0, crate::limits::WS_MESSAGE_BYTES, 100_000];

/// Both parts, in order, against one echo upstream; their rows go to `report`.
pub fn run(
    options: &Options,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<(), Error> {
    let count = options.count;
    let ports = ephemeral_port_count()?;
    if u64::from(count) >= ports {
        return Err(Error::run(format!(
            "--count {count} tunnels need as many client ports towards each proxy, but \
             net.ipv4.ip_local_port_range offers {ports}"
        )));
    }
    let descriptors = descriptors_for(count);
    let nofile = sys::raise_nofile_limit(descriptors).map_err(|error| {
        let hint = match sys::nofile_hard_limit() {
            Some(hard) if hard < descriptors => format!(
                "; the hard limit is {hard} and this process may not raise it (no \
                 CAP_SYS_RESOURCE): at most --count {} here",
                tunnels_within(hard)
            ),
            _ => String::new(),
        };
        Error::run(format!(
            "--count {count} tunnels need RLIMIT_NOFILE {descriptors} in the proxy (two per \
             tunnel, {WS_NOFILE_HEADROOM} more): {error}{hint}"
        ))
    })?;
    println!(
        "proxy: WebSocket: upstream bext-wsecho on CPU {LOAD_CPU}; round trips with \
         `bext-wsload --connections {}` on CPU {LOAD_CPU}; {count} held tunnels per proxy; \
         RLIMIT_NOFILE = {nofile}",
        options.connections
    );
    let mut upstream = launch_upstream(programs, workdir)?;
    round_trips::run(options, programs, workdir, &mut upstream, report)?;
    held::run(options, programs, workdir, &mut upstream, report)?;
    crate::contender::stop_checked(upstream, report)
}

/// The open-file limit a proxy needs to hold `count` tunnels.
fn descriptors_for(count: u32) -> u64 {
    u64::from(count) * WS_TUNNEL_DESCRIPTORS + WS_NOFILE_HEADROOM
}

/// The most tunnels a proxy can hold under an open-file limit of `nofile`.
fn tunnels_within(nofile: u64) -> u64 {
    nofile.saturating_sub(WS_NOFILE_HEADROOM) / WS_TUNNEL_DESCRIPTORS
}

/// `bext-wsecho` on CPU 1, answering.
fn launch_upstream(programs: &Programs, workdir: &WorkDir) -> Result<ServerProcess, Error> {
    let program = programs
        .wsecho
        .as_ref()
        .ok_or_else(|| Error::run("internal: bext-wsecho was not located"))?;
    let port = free_port()?;
    let mut command = Command::new("taskset");
    command
        .arg("-c")
        .arg(LOAD_CPU.to_string())
        .arg(program)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--cpu", &LOAD_CPU.to_string()]);
    let log = workdir.path(&format!("ws-upstream-{port}.log"));
    let mut upstream = ServerProcess::spawn("ws-upstream", command, Ports::http(port), log)?;
    wait_tunnelling(&mut upstream)?;
    Ok(upstream)
}

/// `contender` proxying to the echo upstream, able to hold `connections` tunnels, checked to
/// carry echoes through.
fn launch_proxy(
    contender: Contender,
    programs: &Programs,
    workdir: &WorkDir,
    upstream: &ServerProcess,
    connections: u32,
) -> Result<ServerProcess, Error> {
    let docroot = workdir.docroot();
    let spec = ServeSpec {
        docroot: &docroot,
        ceiling_body_bytes: 0,
        // Every tunnel is two of nginx's worker connections, the client's and the upstream's.
        max_connections: connections,
        ceiling_uring: CeilingUring::Defer,
        cores: 1,
        nginx_tcp_nopush: true,
        nginx_sendfile: true,
        tls: None,
        http2: false,
        http3: false,
        waf: None,
        app: None,
        role: Role::Proxy {
            upstream_port: upstream.port(),
            // Upgraded connections are never returned to the idle pool; the HTTP part's floor.
            idle_connections_max: crate::limits::UPSTREAM_IDLE_CONNECTIONS_FLOOR,
            tunnel_idle_ms: Some(WS_TUNNEL_IDLE_MS),
            http2_upstream: false,
        },
    };
    let mut proxy = contender.launch(programs, &spec, workdir)?;
    wait_tunnelling(&mut proxy)?;
    Ok(proxy)
}

/// Polls `server` with a fresh WebSocket every ~1 ms until it carries an echo of every size
/// in [`CHECK_MESSAGE_BYTES`]; fails if it exits or the deadline passes.
fn wait_tunnelling(server: &mut ServerProcess) -> Result<(), Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let deadline = server.spawned_at() + Duration::from_millis(READY_DEADLINE_MS);
    loop {
        let last_problem = match echo_sizes(addr) {
            Ok(()) => return Ok(()),
            Err(problem) => problem,
        };
        if let Some(status) = server.exited() {
            return Err(server.died_error(status, "starting up"));
        }
        if Instant::now() >= deadline {
            return Err(Error::run(format!(
                "{} did not echo WebSocket messages on port {} within {READY_DEADLINE_MS} ms \
                 (last attempt: {last_problem}); last lines of its log:\n{}",
                server.name(),
                server.port(),
                server.log_tail()
            )));
        }
        thread::sleep(Duration::from_millis(READY_POLL_INTERVAL_MS));
    }
}

fn echo_sizes(addr: SocketAddr) -> Result<(), String> {
    let mut client = WsClient::open(addr, WS_PATH)?;
    for bytes in CHECK_MESSAGE_BYTES {
        let payload: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
        client
            .echo(&payload)
            .map_err(|error| format!("a {bytes}-byte message: {error}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_descriptors_per_tunnel_and_headroom() {
        for (count, descriptors) in [(1, 130), (1_000, 2_128), (10_000, 20_128)] {
            assert_eq!(descriptors_for(count), descriptors);
            assert_eq!(tunnels_within(descriptors), u64::from(count));
        }
        // The sandbox this was first run in: a hard limit of 20,000 it could not raise.
        assert_eq!(tunnels_within(20_000), 9_936);
        assert_eq!(tunnels_within(100), 0);
    }
}
