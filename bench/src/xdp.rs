//! Scenario `xdp`: packets per second dropped by bext's XDP filter against an equivalent
//! nftables rule, on the same CPU, while a legitimate client keeps being served.
//!
//! In two network namespaces the harness makes (`netns.rs`), bext serves `NET.1:8080` on
//! CPU 0 with `[waf] deny = ["NET.3/32"]`. From the client namespace, `bext-flood` sends
//! small UDP datagrams from `NET.3` to port 8080 as fast as CPU 1 can, while wrk (pinned to
//! CPU 0 beside bext, from `NET.2`) keeps asking for the small file. Two ways to drop the flood take
//! turns, round by round:
//!
//! - `xdp`: bext with `xdp_interfaces` = the server's veth end (attached natively: veth has a
//!   driver-mode XDP); dropped = the rise of `bext_xdp_packets_total{verdict="denied"}`;
//! - `nftables`: bext without XDP, and a rule in a `netdev` table on the same interface's
//!   `ingress` hook (the earliest place nftables can drop: before IP processing, conntrack
//!   and the `inet` hooks) that drops `ip saddr NET.3 udp dport 8080`; dropped = its counter.
//!
//! On a veth pair the receiving side runs on the sending CPU (the pair hands the sender's
//! buffer over; there is no interrupt to move it), so the flood's CPU pays for both sending
//! and dropping, and the packets per second it reaches say how cheap the drop is. A veth
//! packet already has its socket buffer when XDP sees it, which a physical NIC's driver has
//! not allocated yet: on a NIC, XDP saves that allocation too, so this understates XDP's edge.
//! Worse for XDP, veth's XDP wants 256 bytes of headroom a locally built UDP skb lacks, so it
//! copies every packet into a page-pool page before running the program (`skb_pp_cow_data`),
//! the legitimate client's too; the nftables hook runs on the skb as it is. Sending costs the
//! flood's CPU more than either drop, which bounds the ratio well below the 5×
//! (`bench/README.md` has the numbers). `dropped_per_cpu_sec` divides by the flood's own CPU
//! time, so that other processes sharing CPU 1 do not count against either method.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::child::{Ports, ServerProcess};
use crate::cli::Options;
use crate::contender::Contender;
use crate::error::Error;
use crate::limits::{
    FLOOD_OVERRUN_MS, LOAD_CPU, NETNS_COMMAND_DEADLINE_MS, SERVER_CPU, WRK_OVERRUN_MS,
    WRK_TIMEOUT_SECS, XDP_ATTACH_DEADLINE_MS,
};
use crate::netns::Namespaces;
use crate::report::{Ratio, Report, Row};
use crate::run::run_captured;
use crate::workdir::SMALL_FILE;
use crate::{cpu_time, locate, wrk};

/// The port bext listens on in the server namespace.
const PORT: u16 = 8080;
/// wrk's connections for the legitimate client.
pub const LEGIT_CONNECTIONS: u32 = 8;
/// Below this share of its CPU, the flood was not alone there (a warning says so).
const FLOOD_CPU_UTIL_MIN_PERCENT: f64 = 90.0;
/// The nftables table the `nftables` method adds (and removes).
const NFT_TABLE: &str = "bext_bench";

/// How the flood is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Xdp,
    Nftables,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Xdp => "xdp",
            Method::Nftables => "nftables",
        }
    }
}

/// One round of one method.
struct Measured {
    sent_pps: f64,
    dropped_pps: f64,
    legit_rps: f64,
    /// The flood's own CPU (sending and, inline, the receive path up to the drop), percent.
    flood_cpu_util: f64,
    /// How busy the flood's CPU was with anyone's work, percent.
    flood_core_busy: f64,
    /// Packets dropped per second of the flood's CPU time.
    dropped_per_cpu_sec: f64,
    /// How bext attached its filter ("native" or "generic"); `None` for nftables.
    xdp_mode: Option<String>,
}

pub fn run(options: &Options) -> Result<Report, Error> {
    let (programs, workdir) = locate::prepare(&[Contender::Bext], locate::wrk(true))?;
    let bext = programs
        .bext
        .clone()
        .ok_or_else(|| Error::run("bext's binary was not found"))?;
    let wrk_path = programs
        .wrk
        .clone()
        .ok_or_else(|| Error::run("wrk is missing"))?;
    let flood = locate::flood_path()?;
    locate::which("nft").ok_or_else(|| {
        Error::run("nft is needed for the nftables contender: apt-get install nftables")
    })?;
    let ns = Namespaces::create()?;
    let docroot = workdir.docroot();
    let mut settings = BTreeMap::new();
    settings.insert("duration_secs".into(), options.duration_secs.into());
    settings.insert("rounds".into(), options.rounds.into());
    settings.insert("flood_cpu".into(), LOAD_CPU.into());
    settings.insert("server_cpu".into(), SERVER_CPU.into());
    settings.insert("legit_connections".into(), LEGIT_CONNECTIONS.into());
    settings.insert("legit_client".into(), ns.good_client().into());
    settings.insert("flood_client".into(), ns.bad_client().into());
    let mut report = Report::new("xdp", options.smoke, settings);
    let methods = [Method::Xdp, Method::Nftables];
    let mut rounds: Vec<Vec<Measured>> = methods.iter().map(|_| Vec::new()).collect();
    for round in 0..options.rounds {
        for (i, &method) in methods.iter().enumerate() {
            let measured = measure(
                method,
                &Setup {
                    ns: &ns,
                    bext: &bext,
                    wrk: &wrk_path,
                    flood: &flood,
                    docroot: &docroot,
                    dir: &workdir.subdir(&format!("xdp-{}-{round}", method.name()))?,
                    secs: options.duration_secs,
                },
            )?;
            println!(
                "xdp: round {} {:<8} sent {:>10.0} pkt/s, dropped {:>10.0} pkt/s, legit {:>8.0} req/s",
                round + 1,
                method.name(),
                measured.sent_pps,
                measured.dropped_pps,
                measured.legit_rps
            );
            rounds[i].push(measured);
        }
    }
    for (method, measured) in methods.iter().zip(&rounds) {
        let series = |f: fn(&Measured) -> f64| measured.iter().map(f).collect::<Vec<_>>();
        report.rows.push(Row::new(
            "udp-flood",
            method.name(),
            "dropped_pps",
            "pkt/s",
            series(|m| m.dropped_pps),
        ));
        report.rows.push(Row::new(
            "udp-flood",
            method.name(),
            "sent_pps",
            "pkt/s",
            series(|m| m.sent_pps),
        ));
        report.rows.push(Row::new(
            "udp-flood",
            method.name(),
            "legit_rps",
            "req/s",
            series(|m| m.legit_rps),
        ));
        report.rows.push(Row::new(
            "udp-flood",
            method.name(),
            "dropped_per_cpu_sec",
            "pkt/cpu-s",
            series(|m| m.dropped_per_cpu_sec),
        ));
        report.rows.push(Row::new(
            "udp-flood",
            method.name(),
            "flood_cpu_util",
            "%",
            series(|m| m.flood_cpu_util),
        ));
        report.rows.push(Row::new(
            "udp-flood",
            method.name(),
            "flood_core_busy",
            "%",
            series(|m| m.flood_core_busy),
        ));
    }
    for metric in ["dropped_pps", "dropped_per_cpu_sec", "legit_rps"] {
        let median = |method: Method| {
            report
                .rows
                .iter()
                .find(|r| r.contender == method.name() && r.metric == metric)
                .map(|r| r.median)
        };
        if let (Some(xdp), Some(nft)) = (median(Method::Xdp), median(Method::Nftables))
            && nft > 0.0
        {
            report.ratios.push(Ratio {
                case: String::from("udp-flood"),
                metric: String::from(metric),
                name: String::from("xdp/nftables"),
                value: xdp / nft,
            });
        }
    }
    if let Some(mode) = rounds[0].iter().find_map(|m| m.xdp_mode.clone()) {
        if mode != "native" {
            report.warn(format!(
                "bext attached its XDP filter in {mode} mode, not native: the xdp rows measure \
                 the kernel's generic XDP hook"
            ));
        }
        report.settings.insert("xdp_mode".into(), mode.into());
    }
    for measured in rounds.iter().flatten() {
        if measured.flood_cpu_util < FLOOD_CPU_UTIL_MIN_PERCENT {
            report.warn(format!(
                "bext-flood had {:.0}% of its CPU (busy {:.0}% with anyone's work): something \
                 else ran there or the receive path ran in ksoftirqd; compare \
                 dropped_per_cpu_sec",
                measured.flood_cpu_util, measured.flood_core_busy
            ));
        }
    }
    Ok(report)
}

struct Setup<'a> {
    ns: &'a Namespaces,
    bext: &'a Path,
    wrk: &'a Path,
    flood: &'a Path,
    docroot: &'a Path,
    dir: &'a Path,
    secs: u32,
}

/// Starts bext for `method`, checks the two clients are treated as they should be, then
/// floods while wrk loads, and reads how many packets were dropped.
fn measure(method: Method, setup: &Setup<'_>) -> Result<Measured, Error> {
    let ns = setup.ns;
    let xdp_line = match method {
        Method::Xdp => format!("xdp_interfaces = [\"{}\"]\n", ns.link),
        Method::Nftables => String::new(),
    };
    let config = setup.dir.join("bext.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"{}:{PORT}\"\nshards = 1\nops_endpoints = \"any\"\naccess_log = \"off\"\n\
             [waf]\ndeny = [\"{}/32\"]\n{xdp_line}[[site]]\nroot = \"{}\"\n",
            ns.server(),
            ns.bad_client(),
            setup.docroot.display()
        ),
    )
    .map_err(|e| Error::run(format!("cannot write {}: {e}", config.display())))?;
    let mut command = Namespaces::exec(&ns.srv, "taskset");
    command
        .args(["-c", &SERVER_CPU.to_string()])
        .arg(setup.bext)
        .args(["serve", "--config"])
        .arg(&config);
    let server = ServerProcess::spawn(
        "bext",
        command,
        Ports::http(PORT),
        setup.dir.join("bext.log"),
    )?;
    let ready = match method {
        Method::Xdp => "bext: xdp: filtering",
        Method::Nftables => "bext: serving",
    };
    wait_for_log(&server, ready)?;
    let xdp_mode = match method {
        Method::Xdp => attach_mode(&std::fs::read_to_string(server.log_path()).unwrap_or_default()),
        Method::Nftables => None,
    };
    let nft = match method {
        Method::Nftables => Some(NftRule::add(ns)?),
        Method::Xdp => None,
    };
    let dropped = || -> Result<u64, Error> {
        match &nft {
            Some(rule) => rule.dropped(),
            None => metric(ns, "bext_xdp_packets_total{verdict=\"denied\"}"),
        }
    };
    let before = dropped()?;
    let core_before = cpu_time::core_ticks(LOAD_CPU)?;
    let url = format!("http://{}:{PORT}/{SMALL_FILE}", ns.server());
    let mut flood = Namespaces::exec(&ns.cli, "taskset");
    flood
        .args(["-c", &LOAD_CPU.to_string()])
        .arg(setup.flood)
        .args(["--from", &ns.bad_client()])
        .args(["--to", &format!("{}:{PORT}", ns.server())])
        .args(["--secs", &setup.secs.to_string()]);
    let flood_child = std::thread::scope(|scope| {
        let flooding = scope.spawn(|| {
            run_captured(
                &mut flood,
                "bext-flood",
                Duration::from_secs(u64::from(setup.secs))
                    + Duration::from_millis(FLOOD_OVERRUN_MS),
            )
        });
        let legit = legit_load(ns, setup.wrk, &url, setup.secs);
        (flooding.join(), legit)
    });
    let (flooded, legit) = flood_child;
    let flooded = flooded.map_err(|_| Error::run("the flood thread panicked"))??;
    let legit = legit?;
    let after = dropped()?;
    let core_after = cpu_time::core_ticks(LOAD_CPU)?;
    if let Some(rule) = nft {
        rule.remove()?;
    }
    server.stop()?;
    if !flooded.status.success() {
        return Err(Error::run(format!(
            "bext-flood failed: {}",
            flooded.stderr.trim()
        )));
    }
    let report: serde_json::Value = serde_json::from_str(flooded.stdout.trim()).map_err(|e| {
        Error::run(format!(
            "bext-flood's report `{}`: {e}",
            flooded.stdout.trim()
        ))
    })?;
    let sent = report["sent"].as_f64().unwrap_or(0.0);
    let secs = report["secs"].as_f64().unwrap_or(0.0).max(f64::EPSILON);
    let cpu_secs = report["cpu_secs"].as_f64().unwrap_or(0.0).max(f64::EPSILON);
    let dropped = after.saturating_sub(before) as f64;
    Ok(Measured {
        sent_pps: sent / secs,
        dropped_pps: dropped / secs,
        legit_rps: legit.requests_per_sec,
        flood_cpu_util: 100.0 * cpu_secs / secs,
        flood_core_busy: cpu_time::busy_percent(core_before, core_after),
        dropped_per_cpu_sec: dropped / cpu_secs,
        xdp_mode,
    })
}

/// wrk from the legitimate client (its namespace's primary address), pinned beside bext.
fn legit_load(
    ns: &Namespaces,
    wrk_path: &Path,
    url: &str,
    secs: u32,
) -> Result<wrk::WrkResult, Error> {
    let mut command = Namespaces::exec(&ns.cli, "taskset");
    command
        .args(["-c", &SERVER_CPU.to_string()])
        .arg(wrk_path)
        .args([
            "-t1",
            &format!("-c{LEGIT_CONNECTIONS}"),
            &format!("-d{secs}s"),
        ])
        .arg(format!("--timeout={WRK_TIMEOUT_SECS}s"))
        .arg("--latency")
        .arg(url);
    let timeout = Duration::from_secs(u64::from(secs)) + Duration::from_millis(WRK_OVERRUN_MS);
    let out = run_captured(&mut command, "wrk (the legitimate client)", timeout)?;
    if !out.status.success() {
        return Err(Error::run(format!("wrk failed: {}", out.stderr.trim())));
    }
    let result = wrk::parse(&out.stdout).map_err(Error::run)?;
    if result.requests == 0 || result.non_2xx > 0 {
        return Err(Error::run(format!(
            "the legitimate client was not served during the flood: {} requests, {} not 2xx",
            result.requests, result.non_2xx
        )));
    }
    Ok(result)
}

/// "native" or "generic" from bext's `bext: xdp: filtering ... on IFACE (MODE)` line.
fn attach_mode(log: &str) -> Option<String> {
    let line = log
        .lines()
        .find(|line| line.starts_with("bext: xdp: filtering"))?;
    let mode = line.rsplit_once('(')?.1.strip_suffix(')')?;
    Some(mode.to_string())
}

/// Polls the server's log for `needle` until `XDP_ATTACH_DEADLINE_MS`.
fn wait_for_log(server: &ServerProcess, needle: &str) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_millis(XDP_ATTACH_DEADLINE_MS);
    loop {
        let log = std::fs::read_to_string(server.log_path()).unwrap_or_default();
        if log.contains(needle) {
            return Ok(());
        }
        if log.contains("bext: xdp: not attached") || Instant::now() > deadline {
            return Err(Error::run(format!(
                "bext did not say `{needle}` (the xdp scenario needs root and a bext built with \
                 clang and libbpf-dev); its log:\n{}",
                server.log_tail()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A sample of bext's `/__bext/metrics`, asked from the legitimate client.
fn metric(ns: &Namespaces, name: &str) -> Result<u64, Error> {
    let mut command = Namespaces::exec(&ns.cli, "curl");
    command
        .args(["-sS", "--max-time", "5"])
        .arg(format!("http://{}:{PORT}/__bext/metrics", ns.server()));
    let out = run_captured(
        &mut command,
        "curl (metrics)",
        Duration::from_millis(NETNS_COMMAND_DEADLINE_MS),
    )?;
    out.stdout
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .ok_or_else(|| {
            Error::run(format!(
                "{name} is not in bext's metrics: {}",
                out.stderr.trim()
            ))
        })
}

/// The nftables contender's rule: a `netdev` table on the server's veth end whose ingress
/// chain drops the flood, with a counter.
struct NftRule {
    srv: String,
}

impl NftRule {
    fn add(ns: &Namespaces) -> Result<NftRule, Error> {
        let ruleset = format!(
            "table netdev {NFT_TABLE} {{\n  chain ingress {{\n    type filter hook ingress device \"{}\" priority -500;\n    ip saddr {} udp dport {PORT} counter drop\n  }}\n}}\n",
            ns.link,
            ns.bad_client()
        );
        let path = std::env::temp_dir().join(format!("bext-bench-nft-{}.conf", std::process::id()));
        std::fs::write(&path, ruleset)
            .map_err(|e| Error::run(format!("cannot write {}: {e}", path.display())))?;
        nft(&ns.srv, &["-f", &path.display().to_string()])?;
        let _ = std::fs::remove_file(&path);
        Ok(NftRule {
            srv: ns.srv.clone(),
        })
    }

    /// Packets the rule has dropped.
    fn dropped(&self) -> Result<u64, Error> {
        let listing = nft(&self.srv, &["list", "table", "netdev", NFT_TABLE])?;
        parse_counter(&listing)
            .ok_or_else(|| Error::run(format!("no counter in nft's listing:\n{listing}")))
    }

    fn remove(self) -> Result<(), Error> {
        nft(&self.srv, &["delete", "table", "netdev", NFT_TABLE]).map(|_| ())
    }
}

fn nft(srv: &str, args: &[&str]) -> Result<String, Error> {
    let mut command = Namespaces::exec(srv, "nft");
    command.args(args);
    let out = run_captured(
        &mut command,
        "nft",
        Duration::from_millis(NETNS_COMMAND_DEADLINE_MS),
    )?;
    if !out.status.success() {
        return Err(Error::run(format!(
            "nft {}: {}",
            args.join(" "),
            out.stderr.trim()
        )));
    }
    Ok(out.stdout)
}

/// The packets of the first `counter packets N bytes M` in an nft listing.
fn parse_counter(listing: &str) -> Option<u64> {
    let after = listing.split("counter packets ").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{attach_mode, parse_counter};

    #[test]
    fn the_attach_mode_is_read_from_bexts_log() {
        let log = "bext: xdp: filtering [waf]'s denied prefixes and bans on bbs1 (native)\nbext: serving ...\n";
        assert_eq!(attach_mode(log).as_deref(), Some("native"));
        assert_eq!(attach_mode("bext: serving x"), None);
    }

    #[test]
    fn the_rules_counter_is_read_from_nfts_listing() {
        let listing = "table netdev bext_bench {\n\tchain ingress {\n\t\ttype filter hook ingress device \"bbs1\" priority -500; policy accept;\n\t\tip saddr 10.90.1.3 udp dport 8080 counter packets 123456 bytes 5678 drop\n\t}\n}\n";
        assert_eq!(parse_counter(listing), Some(123_456));
        assert_eq!(parse_counter("table netdev x {}"), None);
    }
}
