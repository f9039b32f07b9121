//! `realtime`: SSE fan-out, bext's `[realtime]` against a reference hub in plain Node.
//!
//! **The hubs**, each started fresh on CPU 0 and kept for the whole scenario: bext with one
//! shard and `[realtime]` (`publish_token`, `queue_max` [`RT_QUEUE_MAX`], `replay_max = 0`:
//! nothing is kept for reconnecting clients, which the Node hub has no equivalent of) beside
//! one `[[site]]` root; `node`, `bench/node/realtime-hub.mjs`: the same two endpoints in
//! `node:http` (WebSockets through the `ws` package, installed by `npm ci` in `bench/node`
//! when missing), subscribers in a `Set`, each publish written to every subscriber of its
//! topic before the 202, and a subscriber holding more than `queue_max` events of unsent
//! bytes evicted as bext evicts one with `queue_max` events queued. Before it is measured, each must
//! refuse a publish without the token and deliver one with it ([`check`]).
//!
//! **The generator**, `bext-rtload` (`src/bin/rtload.rs`, io_uring, CPU 1), per run: opens
//! `--count` subscribers to one topic, waits until every stream is live, publishes for the
//! warm-up and `--duration-secs`, and reports delivered messages per second, delivery latency
//! (each event carries its send time), events lost and subscribers evicted, with the server's
//! CPU and both CPUs' business over the measured window.
//!
//! **Two measurements**, rounds interleaving the hubs, medians. Before each run the harness
//! waits until the hubs' core has been quiet for a moment ([`wait_until_quiet`]): a hub that
//! fell behind a fixed rate (the Node hub, at half of bext's maximum) goes on writing its
//! backlog for seconds after its run, and the next hub's run would share the core with it
//! (bext's `half` p99 read 1 s instead of 0.25 to 0.4 s when it did).
//!
//! 1. `sse-<count>-max`: publishing as fast as delivery allows, at most
//!    [`RT_WINDOW_EVENTS`] events per subscriber undelivered: the most messages per second
//!    the hub delivers from its one core (or the generator's, which the CPU rows tell).
//! 2. `sse-<count>-half`: a fixed publish rate making half of bext's median maximum (else
//!    the first hub's) in delivered messages per second, open loop: delivery latency
//!    percentiles. With `--rates`, those delivered rates instead, case `sse-<count>@<rate>`.
//!
//! Then the same two with WebSocket subscribers (`ws-<count>-max`, `ws-<count>-half` at half
//! of bext's WebSocket maximum, `bext-rtload --ws`), every hub. uWebSockets.js, the other
//! reference the issue names, is not on the npm registry (it installs from GitHub), so it
//! cannot be installed here.
//!
//! The targets, reported and never asserted: ≥ 1,000,000 messages/s delivered to
//! 10,000 subscribers on one core, and p99 delivery latency ≤ 5 ms at half that rate.

mod check;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use bext_bench::sse::load::{self as rtload, Summary};
use serde_json::json;

use crate::bext_config::{self, BextConfig, BextRealtime};
use crate::child::{Ports, ServerProcess};
use crate::cli::Options;
use crate::conns::ephemeral_port_count;
use crate::contender::{Contender, free_port, stop_checked};
use crate::error::Error;
use crate::latency::{METRIC_P50, METRIC_P99};
use crate::limits::{
    LOAD_CPU, NOFILE_HEADROOM, RT_QUEUE_MAX, RT_QUIET_BUSY_PERCENT, RT_QUIET_DEADLINE_MS,
    RT_QUIET_WINDOW_MS, RT_WINDOW_EVENTS, RTLOAD_OVERRUN_MS, SERVER_CPU, WARMUP_SECS,
};
use crate::locate::{self, Needs, Programs, workspace_root};
use crate::report::{Report, Row};
use crate::run::run_captured;
use crate::static_files::{METRIC_SERVER_CORE_BUSY, METRIC_SERVER_CPU_UTIL};
use crate::sys;
use crate::workdir::WorkDir;

/// The bearer token both hubs take for publishing (bext wants at least 32 characters).
const PUBLISH_TOKEN: &str = "bext-bench-publish-token-0123456789abcdef";
/// The topic every subscriber of a run follows.
const TOPIC: &str = "bench";
/// The reference hub, relative to the workspace root.
const NODE_HUB: &str = "bench/node/realtime-hub.mjs";

pub const METRIC_MESSAGES_PER_SEC: &str = "messages_per_sec";
pub const METRIC_P999: &str = "latency_p999";
pub const METRIC_MAX: &str = "latency_max";
/// The server's CPU time per delivered message over the measured window.
pub const METRIC_CPU_PER_MESSAGE: &str = "cpu_per_message";
pub const METRIC_EVENTS_PUBLISHED: &str = "events_published";
pub const METRIC_PUBLISH_RATE: &str = "publish_rate";
pub const METRIC_MESSAGES_LOST: &str = "messages_lost";
pub const METRIC_SUBSCRIBERS_EVICTED: &str = "subscribers_evicted";
pub const METRIC_SUBSCRIBERS_FAILED: &str = "subscribers_failed";
pub const METRIC_OPEN_ALL_SUBSCRIBERS: &str = "open_all_subscribers";
pub const METRIC_RTLOAD_CPU_UTIL: &str = "rtload_cpu_util";
pub const METRIC_LOAD_CORE_BUSY: &str = "load_core_busy";

/// The targets: messages per second delivered to `TARGET_SUBSCRIBERS` from one core,
/// and p99 delivery latency at half that rate.
const TARGET_MESSAGES_PER_SEC: f64 = 1_000_000.0;
const TARGET_SUBSCRIBERS: u32 = 10_000;
const TARGET_P99_US: f64 = 5_000.0;

/// Below this server CPU utilisation the hub was not what limited its maximum.
const SATURATED_CPU_PERCENT: f64 = 90.0;
/// Above this, a CPU was busy all the time.
const CORE_FULL_PERCENT: f64 = 95.0;

pub fn run(options: &Options) -> Result<Report, Error> {
    let count = options.count;
    let ports = ephemeral_port_count()?;
    if u64::from(count) >= ports {
        return Err(Error::run(format!(
            "--count {count} subscribers need as many client ports, but \
             net.ipv4.ip_local_port_range offers {ports}"
        )));
    }
    let descriptors = u64::from(count) + NOFILE_HEADROOM;
    let nofile = sys::raise_nofile_limit(descriptors).map_err(|error| {
        let hint = match sys::nofile_hard_limit() {
            Some(hard) if hard < descriptors => format!(
                "; the hard limit is {hard} and this process may not raise it: at most --count {}",
                hard.saturating_sub(NOFILE_HEADROOM)
            ),
            _ => String::new(),
        };
        Error::run(format!(
            "--count {count} subscribers need RLIMIT_NOFILE {descriptors}: {error}{hint}"
        ))
    })?;
    if options.contenders.contains(&Contender::Node) {
        // Before `locate::prepare` pins the harness to one CPU: npm gets both.
        crate::ssr::node_setup::install_bench_packages()?;
    }
    let needs = Needs {
        rtload: true,
        ..Needs::default()
    };
    let (programs, workdir) = locate::prepare(&options.contenders, needs)?;
    let warmup_secs = if options.smoke {
        0
    } else {
        WARMUP_SECS.min(options.duration_secs)
    };
    let names: Vec<&str> = options.contenders.iter().map(|c| c.name()).collect();
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("count".to_string(), json!(count)),
        ("warmup_secs".to_string(), json!(warmup_secs)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(names)),
        ("rlimit_nofile".to_string(), json!(nofile)),
        ("window_events".to_string(), json!(RT_WINDOW_EVENTS)),
        ("queue_max".to_string(), json!(RT_QUEUE_MAX)),
        (
            "bext".to_string(),
            json!(format!(
                "--shards 1, [realtime] publish_token, queue_max = {RT_QUEUE_MAX}, replay_max = 0"
            )),
        ),
        (
            "node".to_string(),
            json!(format!(
                "{NODE_HUB}: node:http and ws (no compression), subscribers in a Set, eviction past {RT_QUEUE_MAX} events unsent"
            )),
        ),
        (
            "generator".to_string(),
            json!(
                "bext-rtload on CPU 1: --count SSE subscribers to one topic (ws-* cases: \
                 WebSocket subscribers), one publisher connection (pipelined); \
                 data = send time; max: at most window_events per subscriber undelivered; \
                 half: fixed publish rate, open loop"
            ),
        ),
        (
            "targets".to_string(),
            json!(BTreeMap::from([
                (
                    format!("sse-{TARGET_SUBSCRIBERS}-max bext {METRIC_MESSAGES_PER_SEC}"),
                    format!(">= {TARGET_MESSAGES_PER_SEC}"),
                ),
                (
                    format!("sse-{TARGET_SUBSCRIBERS}-half bext {METRIC_P99}"),
                    format!("<= {TARGET_P99_US} us"),
                ),
            ])),
        ),
    ]);
    let mut report = Report::new("realtime", options.smoke, settings);
    println!(
        "realtime: hubs on CPU {SERVER_CPU}, bext-rtload with {count} subscribers on CPU \
         {LOAD_CPU}; {} round(s) of {} s (warm-up {warmup_secs} s) per hub and measurement; \
         RLIMIT_NOFILE = {nofile}; hubs {}",
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let mut hubs = Vec::new();
    for &contender in &options.contenders {
        let mut hub = launch(contender, &programs, &workdir)?;
        check::wait_ready(&mut hub, PUBLISH_TOKEN)?;
        println!("  {:<6} delivers published events", hub.name());
        hubs.push(hub);
    }
    let load = |hub: &ServerProcess, publish_rate: f64, ws: bool| rtload::Args {
        connect: SocketAddr::from(([127, 0, 0, 1], hub.port())),
        token: PUBLISH_TOKEN.to_string(),
        topic: TOPIC.to_string(),
        subscribers: count,
        publish_rate,
        window: RT_WINDOW_EVENTS,
        duration_secs: options.duration_secs,
        warmup_secs,
        server_pid: hub.pid(),
        server_cpu: SERVER_CPU,
        cpu: LOAD_CPU,
        ws,
    };
    // One measurement, every hub taking turns: the runs, their rows and warnings. A
    // `publish_rate` of 0 is the maximum.
    let mut measure =
        |case: &str, publish_rate: f64, ws: bool| -> Result<Vec<Vec<Summary>>, Error> {
            let runs = rounds(
                options,
                &mut hubs,
                case,
                |hub| load(hub, publish_rate, ws),
                &programs,
                &mut report,
            )?;
            let max = publish_rate == 0.0;
            for (hub, runs) in hubs.iter().zip(&runs) {
                push_rows(&mut report, case, hub.name(), runs, !max);
                for warning in warnings(case, hub.name(), runs, max) {
                    report.warn(warning);
                }
            }
            Ok(runs)
        };
    // Half rates are half of bext's maximum (else the first hub's).
    let reference = options
        .contenders
        .iter()
        .position(|&c| c == Contender::Bext)
        .unwrap_or(0);
    let median_max = |runs: &[Vec<Summary>]| {
        runs.get(reference).map_or(0.0, |runs| {
            crate::stats::median(&runs.iter().map(|s| s.messages_per_sec).collect::<Vec<_>>())
                .unwrap_or(0.0)
        })
    };
    // The publish rate that delivers `messages_per_sec`: at least one event a second, so a
    // short run publishes something.
    let publish_rate_for = |case: &str, messages_per_sec: f64| {
        let publish_rate = (messages_per_sec / f64::from(count)).max(1.0);
        println!(
            "  {case}: {messages_per_sec:.0} messages/s = {publish_rate:.2} events/s to {count} subscribers"
        );
        publish_rate
    };
    let max_runs = measure(&format!("sse-{count}-max"), 0.0, false)?;
    let rates: Vec<(String, f64)> = if options.rates_given {
        options
            .rates
            .iter()
            .map(|&rate| (format!("sse-{count}@{rate}"), rate as f64))
            .collect()
    } else {
        vec![(format!("sse-{count}-half"), median_max(&max_runs) / 2.0)]
    };
    for (case, messages_per_sec) in &rates {
        measure(case, publish_rate_for(case, *messages_per_sec), false)?;
    }
    // The same over WebSocket, every hub.
    let ws_max = median_max(&measure(&format!("ws-{count}-max"), 0.0, true)?);
    let case = format!("ws-{count}-half");
    measure(&case, publish_rate_for(&case, ws_max / 2.0), true)?;
    report.compute_ratios(&[
        METRIC_MESSAGES_PER_SEC,
        METRIC_P50,
        METRIC_P99,
        METRIC_P999,
        METRIC_CPU_PER_MESSAGE,
    ]);
    for line in targets(&report, count) {
        println!("{line}");
    }
    for hub in hubs {
        stop_checked(hub, &mut report)?;
    }
    Ok(report)
}

/// `contender` on CPU 0, not yet checked.
fn launch(
    contender: Contender,
    programs: &Programs,
    workdir: &WorkDir,
) -> Result<ServerProcess, Error> {
    let port = free_port()?;
    let mut command = Command::new("taskset");
    command.arg("-c").arg(SERVER_CPU.to_string());
    let missing = || Error::run(format!("internal: {} was not located", contender.name()));
    match contender {
        Contender::Bext => {
            let docroot = workdir.docroot();
            let config = bext_config::render(&BextConfig {
                docroot: &docroot,
                app: None,
                http_port: port,
                tls: None,
                http2: false,
                http3: false,
                waf: None,
                proxy: None,
                realtime: Some(BextRealtime {
                    publish_token: PUBLISH_TOKEN,
                    queue_max: RT_QUEUE_MAX,
                    replay_max: 0,
                }),
            })?;
            let path = workdir.write_file(&format!("bext-{port}.toml"), config.as_bytes())?;
            command
                .arg(programs.bext.as_ref().ok_or_else(missing)?)
                .arg("serve")
                .arg("--config")
                .arg(path)
                .args(["--shards", "1"]);
        }
        Contender::Node => {
            let hub = workspace_root().join(NODE_HUB);
            if !hub.is_file() {
                return Err(Error::run(format!("{} is missing", hub.display())));
            }
            command
                .arg(programs.node.as_ref().ok_or_else(missing)?)
                .arg(&hub)
                .arg(port.to_string())
                .arg(PUBLISH_TOKEN)
                .arg(RT_QUEUE_MAX.to_string());
        }
        Contender::Nginx | Contender::Ceiling => {
            return Err(Error::run(format!(
                "internal: {} has no realtime hub",
                contender.name()
            )));
        }
    }
    let log = workdir.path(&format!("{}-{port}.log", contender.name()));
    ServerProcess::spawn(contender.name(), command, Ports::http(port), log)
}

/// Waits until the hubs' core has been quiet (at most `RT_QUIET_BUSY_PERCENT` busy) for one
/// `RT_QUIET_WINDOW_MS` window: the hub measured last may still be writing a backlog it
/// could not deliver in time (the Node hub after a fixed rate above its maximum), and the
/// next run would share the core with it. A warning if it never is, within
/// `RT_QUIET_DEADLINE_MS` (the run goes ahead).
fn wait_until_quiet(case: &str, next: &str) -> Result<Option<String>, Error> {
    let started = std::time::Instant::now();
    let deadline = started + Duration::from_millis(RT_QUIET_DEADLINE_MS);
    loop {
        let before = crate::cpu_time::core_ticks(SERVER_CPU)?;
        std::thread::sleep(Duration::from_millis(RT_QUIET_WINDOW_MS));
        let busy = crate::cpu_time::busy_percent(before, crate::cpu_time::core_ticks(SERVER_CPU)?);
        if busy <= RT_QUIET_BUSY_PERCENT {
            let waited = started.elapsed();
            if waited > Duration::from_millis(RT_QUIET_WINDOW_MS * 2) {
                println!(
                    "  waited {:.1} s for CPU {SERVER_CPU} to be quiet before {next}'s {case} run",
                    waited.as_secs_f64()
                );
            }
            return Ok(None);
        }
        if std::time::Instant::now() >= deadline {
            return Ok(Some(format!(
                "{case}: CPU {SERVER_CPU} was still {busy:.0}% busy {} s after {next}'s run \
                 was due (another hub's backlog, or the machine's other load): the run \
                 shared the core",
                RT_QUIET_DEADLINE_MS / 1000
            )));
        }
    }
}

/// `options.rounds` rounds of one measurement, the hubs taking turns: each hub's runs.
fn rounds(
    options: &Options,
    hubs: &mut [ServerProcess],
    case: &str,
    load: impl Fn(&ServerProcess) -> rtload::Args,
    programs: &Programs,
    report: &mut Report,
) -> Result<Vec<Vec<Summary>>, Error> {
    let mut runs: Vec<Vec<Summary>> = hubs.iter().map(|_| Vec::new()).collect();
    for round in 1..=options.rounds {
        for (hub, runs) in hubs.iter_mut().zip(&mut runs) {
            if let Some(warning) = wait_until_quiet(case, hub.name())? {
                report.warn(warning);
            }
            let summary = run_rtload(programs, &load(hub), hub.name())?;
            if let Some(status) = hub.exited() {
                return Err(hub.died_error(status, "delivering events"));
            }
            print_run(case, round, options.rounds, hub.name(), &summary);
            runs.push(summary);
        }
    }
    Ok(runs)
}

/// Runs `bext-rtload` with `args` and reads its report.
fn run_rtload(programs: &Programs, args: &rtload::Args, name: &str) -> Result<Summary, Error> {
    let program = programs
        .rtload
        .as_ref()
        .ok_or_else(|| Error::run("internal: bext-rtload was not located"))?;
    let mut command = Command::new(program);
    command.args(args.to_command_line());
    let timeout = Duration::from_secs(u64::from(args.duration_secs + args.warmup_secs))
        + Duration::from_millis(RTLOAD_OVERRUN_MS);
    let output = run_captured(&mut command, "bext-rtload", timeout)?;
    if !output.status.success() {
        return Err(Error::run(format!(
            "bext-rtload against {name} failed ({}): {}",
            output.status,
            output.stderr.trim()
        )));
    }
    let line = output.stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|error| {
        Error::run(format!(
            "bext-rtload printed no report ({error}): {:?}",
            output.stdout
        ))
    })
}

fn print_run(case: &str, round: u32, rounds: u32, name: &str, s: &Summary) {
    println!(
        "  {case} round {round}/{rounds} {name:<5} {:>9.0} msg/s  p50 {:>7.0} us  p99 {:>7.0} us  \
         {} events  lost {}  evicted {}  server {:>3.0}%  CPU {SERVER_CPU} {:>3.0}%  rtload {:>3.0}%  \
         CPU {LOAD_CPU} {:>3.0}%",
        s.messages_per_sec,
        s.p50_us,
        s.p99_us,
        s.events_published,
        s.messages_lost,
        s.subscribers_evicted,
        s.cpu.server_cpu_util,
        s.cpu.server_core_busy,
        s.cpu.rtload_cpu_util,
        s.cpu.load_core_busy,
    );
}

/// How a row's value is read from one run.
type Pick = fn(&Summary) -> f64;

fn cpu_per_message(s: &Summary) -> f64 {
    let messages = s.messages_per_sec * s.measured_secs;
    if messages > 0.0 {
        s.cpu.server_cpu_secs * 1e6 / messages
    } else {
        0.0
    }
}

fn push_rows(report: &mut Report, case: &str, name: &str, runs: &[Summary], fixed_rate: bool) {
    if runs.is_empty() {
        return;
    }
    let mut metrics: Vec<(&str, &str, Pick)> = vec![
        (METRIC_MESSAGES_PER_SEC, "msg/s", |s| s.messages_per_sec),
        (METRIC_P50, "us", |s| s.p50_us),
        (METRIC_P99, "us", |s| s.p99_us),
        (METRIC_P999, "us", |s| s.p999_us),
        (METRIC_MAX, "us", |s| s.max_us),
        (METRIC_CPU_PER_MESSAGE, "us", cpu_per_message),
        (METRIC_EVENTS_PUBLISHED, "count", |s| {
            s.events_published as f64
        }),
        (METRIC_MESSAGES_LOST, "count", |s| s.messages_lost as f64),
        (METRIC_SUBSCRIBERS_EVICTED, "count", |s| {
            f64::from(s.subscribers_evicted)
        }),
        (METRIC_SUBSCRIBERS_FAILED, "count", |s| {
            f64::from(s.subscribers_failed)
        }),
        (METRIC_SERVER_CPU_UTIL, "%", |s| s.cpu.server_cpu_util),
        (METRIC_SERVER_CORE_BUSY, "%", |s| s.cpu.server_core_busy),
        (METRIC_RTLOAD_CPU_UTIL, "%", |s| s.cpu.rtload_cpu_util),
        (METRIC_LOAD_CORE_BUSY, "%", |s| s.cpu.load_core_busy),
        (METRIC_OPEN_ALL_SUBSCRIBERS, "ms", |s| s.subscribe_ms),
    ];
    if fixed_rate {
        metrics.push((METRIC_PUBLISH_RATE, "ev/s", |s| s.publish_rate));
    }
    for (metric, unit, pick) in metrics {
        report.rows.push(Row::new(
            case,
            name,
            metric,
            unit,
            runs.iter().map(pick).collect(),
        ));
    }
}

/// What makes a hub's runs suspect, in sentences: losses, evictions and failed streams; for
/// the maximum, a hub that did not use its core, and why.
fn warnings(case: &str, name: &str, runs: &[Summary], max: bool) -> Vec<String> {
    let mut warnings = Vec::new();
    let lost: u64 = runs.iter().map(|s| s.messages_lost).sum();
    let evicted: u32 = runs.iter().map(|s| s.subscribers_evicted).sum();
    if lost > 0 || evicted > 0 {
        warnings.push(format!(
            "{case}: {name} lost {lost} messages and evicted {evicted} subscribers over {} run(s)",
            runs.len()
        ));
    }
    if let Some(run) = runs
        .iter()
        .find(|s| s.subscribers_failed == 0 && s.first_error.is_some())
    {
        warnings.push(format!(
            "{case}: {name}: {}",
            run.first_error.as_deref().unwrap_or_default()
        ));
    }
    if let Some(run) = runs.iter().find(|s| s.subscribers_failed > 0) {
        warnings.push(format!(
            "{case}: {} subscribers of {name} failed mid-run; first: {}",
            run.subscribers_failed,
            run.first_error.as_deref().unwrap_or("no error reported")
        ));
    }
    let median = |pick: Pick| crate::stats::median(&runs.iter().map(pick).collect::<Vec<_>>());
    let (Some(server), Some(server_core), Some(load_core)) = (
        median(|s| s.cpu.server_cpu_util),
        median(|s| s.cpu.server_core_busy),
        median(|s| s.cpu.load_core_busy),
    ) else {
        return warnings;
    };
    if !max || server >= SATURATED_CPU_PERCENT {
        return warnings;
    }
    if server_core >= CORE_FULL_PERCENT {
        warnings.push(format!(
            "{case}: {name} got only {server:.0}% of CPU {SERVER_CPU} while it was \
             {server_core:.0}% busy: other processes shared the core"
        ));
    } else if load_core >= CORE_FULL_PERCENT {
        warnings.push(format!(
            "{case}: {name} used {server:.0}% of CPU {SERVER_CPU} while CPU {LOAD_CPU} (the \
             generator) was {load_core:.0}% busy: the generator limited messages/s, not the \
             hub; compare {METRIC_CPU_PER_MESSAGE}"
        ));
    } else {
        warnings.push(format!(
            "{case}: {name} used {server:.0}% of CPU {SERVER_CPU} and CPU {LOAD_CPU} was \
             {load_core:.0}% busy: neither core was full (the window of {RT_WINDOW_EVENTS} \
             undelivered events per subscriber, or waits, limited messages/s)"
        ));
    }
    warnings
}

/// The targets, as sentences: met or missed, with the numbers.
fn targets(report: &Report, count: u32) -> Vec<String> {
    let median = |case: &str, metric: &str| {
        report
            .rows
            .iter()
            .find(|row| row.case == case && row.contender == "bext" && row.metric == metric)
            .map(|row| row.median)
    };
    let verdict = |met: bool| if met { "met" } else { "missed" };
    let subscribers = if count == TARGET_SUBSCRIBERS {
        String::new()
    } else {
        format!(" (measured with {count} subscribers, not {TARGET_SUBSCRIBERS})")
    };
    let mut lines = Vec::new();
    if let Some(max) = median(&format!("sse-{count}-max"), METRIC_MESSAGES_PER_SEC) {
        lines.push(format!(
            "target: bext delivers >= {TARGET_MESSAGES_PER_SEC:.0} messages/s to \
             {TARGET_SUBSCRIBERS} subscribers on one core: {max:.0} ({}){subscribers}",
            verdict(max >= TARGET_MESSAGES_PER_SEC)
        ));
    }
    if let Some(p99) = median(&format!("sse-{count}-half"), METRIC_P99) {
        lines.push(format!(
            "target: bext p99 delivery latency <= {:.0} ms at half its maximum: {:.2} ms ({}){subscribers}",
            TARGET_P99_US / 1e3,
            p99 / 1e3,
            verdict(p99 <= TARGET_P99_US)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use bext_bench::sse::load::CpuUse;

    fn summary(
        messages_per_sec: f64,
        p99_us: f64,
        lost: u64,
        server: f64,
        cores: (f64, f64),
    ) -> Summary {
        Summary {
            subscribers: 100,
            publish_rate: 0.0,
            window: 64,
            subscribe_ms: 10.0,
            measured_secs: 2.0,
            events_published: 1_000,
            events_refused: 0,
            messages_expected: 100_000,
            messages_received: 100_000 - lost,
            messages_lost: lost,
            messages_per_sec,
            subscribers_evicted: 0,
            subscribers_failed: 0,
            first_error: None,
            p50_us: p99_us / 2.0,
            p90_us: p99_us,
            p99_us,
            p999_us: p99_us,
            max_us: p99_us,
            mean_us: p99_us / 2.0,
            cpu: CpuUse {
                server_cpu_secs: 1.0,
                server_cpu_util: server,
                server_core_busy: cores.0,
                rtload_cpu_util: 90.0,
                load_core_busy: cores.1,
            },
        }
    }

    #[test]
    fn rows_ratios_and_targets() {
        let mut report = Report::new("realtime", true, BTreeMap::new());
        let bext = [
            summary(1_200_000.0, 900.0, 0, 99.0, (99.0, 80.0)),
            summary(1_000_000.0, 1_100.0, 0, 99.0, (99.0, 80.0)),
        ];
        let node = [summary(400_000.0, 3_000.0, 0, 99.0, (99.0, 80.0))];
        push_rows(&mut report, "sse-10000-max", "bext", &bext, false);
        push_rows(&mut report, "sse-10000-max", "node", &node, false);
        push_rows(&mut report, "sse-10000-half", "bext", &bext, true);
        report.compute_ratios(&[METRIC_MESSAGES_PER_SEC, METRIC_CPU_PER_MESSAGE]);
        let row = |case: &str, contender: &str, metric: &str| {
            report
                .rows
                .iter()
                .find(|r| r.case == case && r.contender == contender && r.metric == metric)
                .map(|r| r.median)
        };
        assert_eq!(
            row("sse-10000-max", "bext", METRIC_MESSAGES_PER_SEC),
            Some(1_100_000.0)
        );
        // 1 s of CPU over 2.4M and over 2M messages: the median of 0.417 and 0.5 us.
        let cpu = row("sse-10000-max", "bext", METRIC_CPU_PER_MESSAGE).unwrap_or(0.0);
        assert!((cpu - 0.4583).abs() < 1e-3, "{cpu}");
        assert_eq!(row("sse-10000-max", "bext", METRIC_PUBLISH_RATE), None);
        assert_eq!(
            row("sse-10000-half", "bext", METRIC_PUBLISH_RATE),
            Some(0.0)
        );
        let ratio: Vec<String> = report
            .ratios
            .iter()
            .map(|r| format!("{} {} {} {:.3}", r.case, r.metric, r.name, r.value))
            .collect();
        assert_eq!(
            ratio,
            [
                "sse-10000-max messages_per_sec bext/node 2.750",
                "sse-10000-max cpu_per_message bext/node 0.367",
            ]
        );
        assert_eq!(
            targets(&report, 10_000),
            [
                "target: bext delivers >= 1000000 messages/s to 10000 subscribers on one core: \
                 1100000 (met)",
                "target: bext p99 delivery latency <= 5 ms at half its maximum: 1.00 ms (met)",
            ]
        );
        assert_eq!(
            targets(&report, 1_000),
            Vec::<String>::new(),
            "the cases are named by the count"
        );
    }

    #[test]
    fn warnings_say_what_limited_the_maximum() {
        let check = |runs: &[Summary], max: bool, expect: &[&str]| {
            assert_eq!(warnings("sse-100-max", "bext", runs, max), expect);
        };
        check(&[summary(1.0, 1.0, 0, 99.0, (99.0, 99.0))], true, &[]);
        check(
            &[summary(1.0, 1.0, 0, 60.0, (62.0, 99.0))],
            true,
            &[
                "sse-100-max: bext used 60% of CPU 0 while CPU 1 (the generator) was 99% busy: \
               the generator limited messages/s, not the hub; compare cpu_per_message",
            ],
        );
        // At a fixed rate the hub is meant to idle.
        check(&[summary(1.0, 1.0, 0, 60.0, (62.0, 99.0))], false, &[]);
        check(
            &[summary(1.0, 1.0, 5, 99.0, (99.0, 50.0))],
            false,
            &["sse-100-max: bext lost 5 messages and evicted 0 subscribers over 1 run(s)"],
        );
    }
}
