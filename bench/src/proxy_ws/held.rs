//! WebSocket tunnels held open through each proxy, and the proxy's memory per tunnel (see the
//! module docs of [`super`]).

use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use crate::child::ServerProcess;
use crate::cli::Options;
use crate::conns::settled_rss;
use crate::contender::{Contender, stop_checked};
use crate::error::Error;
use crate::limits::{
    CONNECT_RETRY_DEADLINE_MS, CONNECT_RETRY_INTERVAL_MS, NGINX_CONNECTIONS_HEADROOM,
    WS_MESSAGE_BYTES,
};
use crate::locate::Programs;
use crate::report::{Report, Row};
use crate::workdir::WorkDir;
use crate::ws_client::WsClient;

pub const CASE: &str = "websocket-held";
/// (RSS with every tunnel held - RSS before) / tunnels.
pub const METRIC_RSS_PER_TUNNEL: &str = "rss_per_tunnel";
/// Tunnels that no longer echoed after the memory was measured (dropped while held).
pub const METRIC_TUNNELS_LOST: &str = "tunnels_lost";

/// The target: this many tunnels held with at most `TARGET_KIB_PER_TUNNEL` of server
/// memory each. Reported, never asserted.
const TARGET_TUNNELS: u32 = 10_000;
const TARGET_KIB_PER_TUNNEL: f64 = 16.0;

/// One proxy's measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Held {
    tunnels: u32,
    rss_before_bytes: u64,
    rss_after_bytes: u64,
    open_ms: u128,
    lost: u32,
}

impl Held {
    fn kib_per_tunnel(&self) -> f64 {
        (self.rss_after_bytes as f64 - self.rss_before_bytes as f64)
            / 1024.0
            / f64::from(self.tunnels.max(1))
    }
}

/// Holds `options.count` tunnels through each proxy in turn and pushes the rows.
pub fn run(
    options: &Options,
    programs: &Programs,
    workdir: &WorkDir,
    upstream: &mut ServerProcess,
    report: &mut Report,
) -> Result<(), Error> {
    let count = options.count;
    let mut measured = Vec::new();
    for &contender in &options.contenders {
        let held = hold(contender, count, programs, workdir, upstream, report)?;
        measured.push((contender, held));
    }
    for (contender, held) in &measured {
        push_rows(report, contender.name(), held);
    }
    for line in targets(&measured) {
        println!("{line}");
    }
    Ok(())
}

/// A fresh proxy: RSS settled, `count` tunnels opened and echoing, RSS settled again, every
/// tunnel asked to echo once more.
fn hold(
    contender: Contender,
    count: u32,
    programs: &Programs,
    workdir: &WorkDir,
    upstream: &mut ServerProcess,
    report: &mut Report,
) -> Result<Held, Error> {
    let max_connections = count * 2 + NGINX_CONNECTIONS_HEADROOM;
    let mut proxy = super::launch_proxy(contender, programs, workdir, upstream, max_connections)?;
    let pid = proxy
        .pid()
        .ok_or_else(|| Error::run(format!("{} has no pid", proxy.name())))?;
    let before = settled_rss(pid, &mut proxy, "before the tunnels", report)?;
    let opened_at = Instant::now();
    let mut tunnels = open_tunnels(&mut proxy, count)?;
    let open_ms = opened_at.elapsed().as_millis();
    let after = settled_rss(pid, &mut proxy, "with every tunnel held", report)?;
    let payload = vec![b'h'; WS_MESSAGE_BYTES];
    let mut lost = 0u32;
    let mut first_loss = None;
    for (index, tunnel) in tunnels.iter_mut().enumerate() {
        if let Err(error) = tunnel.echo(&payload) {
            lost += 1;
            first_loss.get_or_insert(format!("tunnel #{index}: {error}"));
        }
    }
    if let Some(status) = upstream.exited() {
        return Err(upstream.died_error(status, "holding WebSocket tunnels"));
    }
    let held = Held {
        tunnels: count,
        rss_before_bytes: before,
        rss_after_bytes: after,
        open_ms,
        lost,
    };
    println!(
        "  {CASE:<13} {:<6} RSS {:>8} KiB -> {:>8} KiB with {count} tunnels (opened in {open_ms} ms): \
         {:.2} KiB each; {lost} lost",
        proxy.name(),
        before / 1024,
        after / 1024,
        held.kib_per_tunnel()
    );
    if let Some(first) = first_loss {
        report.warn(format!(
            "{CASE}: {lost} of {count} tunnels through {} stopped echoing while held; first: {first}",
            proxy.name()
        ));
    }
    // Closed before the proxy is stopped, so its shutdown does not wait on them.
    drop(tunnels);
    stop_checked(proxy, report)?;
    Ok(held)
}

/// Opens `count` tunnels through `proxy`, each having echoed one message.
fn open_tunnels(proxy: &mut ServerProcess, count: u32) -> Result<Vec<WsClient>, Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], proxy.port()));
    let payload = vec![b'o'; WS_MESSAGE_BYTES];
    let mut tunnels = Vec::with_capacity(count as usize);
    for index in 0..count {
        let mut tunnel = open_with_retry(addr, proxy, index)?;
        tunnel.echo(&payload).map_err(|error| {
            Error::run(format!(
                "{}: tunnel #{index} did not echo when opened: {error}",
                proxy.name()
            ))
        })?;
        tunnels.push(tunnel);
    }
    Ok(tunnels)
}

/// A full accept backlog refuses or drops a connect for a moment: retried until the
/// deadline, as `conns` does.
fn open_with_retry(
    addr: SocketAddr,
    proxy: &mut ServerProcess,
    index: u32,
) -> Result<WsClient, Error> {
    let deadline = Instant::now() + Duration::from_millis(CONNECT_RETRY_DEADLINE_MS);
    loop {
        let problem = match WsClient::open(addr, super::WS_PATH) {
            Ok(tunnel) => return Ok(tunnel),
            Err(problem) => problem,
        };
        if let Some(status) = proxy.exited() {
            return Err(proxy.died_error(status, &format!("opening tunnel #{index}")));
        }
        if Instant::now() >= deadline {
            return Err(Error::run(format!(
                "{}: tunnel #{index} could not be opened for {CONNECT_RETRY_DEADLINE_MS} ms: {problem}",
                proxy.name()
            )));
        }
        thread::sleep(Duration::from_millis(CONNECT_RETRY_INTERVAL_MS));
    }
}

fn push_rows(report: &mut Report, name: &str, held: &Held) {
    let rows: [(&str, &str, f64); 5] = [
        (METRIC_RSS_PER_TUNNEL, "KiB", held.kib_per_tunnel()),
        ("rss_before", "bytes", held.rss_before_bytes as f64),
        ("rss_after", "bytes", held.rss_after_bytes as f64),
        ("open_all_tunnels", "ms", held.open_ms as f64),
        (METRIC_TUNNELS_LOST, "count", f64::from(held.lost)),
    ];
    for (metric, unit, value) in rows {
        report
            .rows
            .push(Row::new(CASE, name, metric, unit, vec![value]));
    }
}

/// The target, as sentences: bext's memory per tunnel against it (met or missed,
/// with nginx's beside it), and whether the count held was the target's.
fn targets(measured: &[(Contender, Held)]) -> Vec<String> {
    let kib = |wanted: Contender| {
        measured
            .iter()
            .find(|(contender, _)| *contender == wanted)
            .map(|(_, held)| held)
    };
    let Some(bext) = kib(Contender::Bext) else {
        return Vec::new();
    };
    let met = bext.kib_per_tunnel() <= TARGET_KIB_PER_TUNNEL && bext.lost == 0;
    let mut line = format!(
        "target: {TARGET_TUNNELS} WebSocket tunnels held with <= {TARGET_KIB_PER_TUNNEL:.0} KiB \
         server memory each: bext {:.2} KiB at {} tunnels, {} lost",
        bext.kib_per_tunnel(),
        bext.tunnels,
        bext.lost
    );
    if let Some(nginx) = kib(Contender::Nginx) {
        line.push_str(&format!(" (nginx {:.2} KiB)", nginx.kib_per_tunnel()));
    }
    line.push_str(if bext.tunnels < TARGET_TUNNELS {
        " (not judged: fewer tunnels than the target's)"
    } else if met {
        " (met)"
    } else {
        " (missed)"
    });
    vec![line]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(tunnels: u32, before_kib: u64, after_kib: u64, lost: u32) -> Held {
        Held {
            tunnels,
            rss_before_bytes: before_kib * 1024,
            rss_after_bytes: after_kib * 1024,
            open_ms: 1_500,
            lost,
        }
    }

    fn check(measured: &[(Contender, Held)], expect: &[&str]) {
        assert_eq!(targets(measured), expect);
    }

    #[test]
    fn the_target_is_judged_at_its_count_only() {
        let nginx = (Contender::Nginx, held(10_000, 1_000, 31_000, 0));
        check(
            &[(Contender::Bext, held(10_000, 2_000, 122_000, 0)), nginx],
            &[
                "target: 10000 WebSocket tunnels held with <= 16 KiB server memory each: bext \
               12.00 KiB at 10000 tunnels, 0 lost (nginx 3.00 KiB) (met)",
            ],
        );
        check(
            &[(Contender::Bext, held(10_000, 2_000, 202_000, 0))],
            &[
                "target: 10000 WebSocket tunnels held with <= 16 KiB server memory each: bext \
               20.00 KiB at 10000 tunnels, 0 lost (missed)",
            ],
        );
        // A tunnel dropped while held misses it, whatever the memory.
        check(
            &[(Contender::Bext, held(10_000, 2_000, 12_000, 3))],
            &[
                "target: 10000 WebSocket tunnels held with <= 16 KiB server memory each: bext \
               1.00 KiB at 10000 tunnels, 3 lost (missed)",
            ],
        );
        check(
            &[(Contender::Bext, held(1_000, 2_000, 14_000, 0))],
            &[
                "target: 10000 WebSocket tunnels held with <= 16 KiB server memory each: bext \
               12.00 KiB at 1000 tunnels, 0 lost (not judged: fewer tunnels than the target's)",
            ],
        );
        check(&[nginx], &[]);
    }

    #[test]
    fn rows_carry_kib_per_tunnel() {
        let mut report = Report::new("proxy", true, std::collections::BTreeMap::new());
        push_rows(&mut report, "bext", &held(4, 100, 150, 1));
        let got: Vec<String> = report
            .rows
            .iter()
            .map(|row| format!("{} {} {} {}", row.case, row.metric, row.unit, row.median))
            .collect();
        assert_eq!(
            got,
            [
                "websocket-held rss_per_tunnel KiB 12.5",
                "websocket-held rss_before bytes 102400",
                "websocket-held rss_after bytes 153600",
                "websocket-held open_all_tunnels ms 1500",
                "websocket-held tunnels_lost count 1",
            ]
        );
    }
}
