//! Throughput for one page: every active server started fresh, checked, warmed up, then
//! interleaved wrk rounds, as `wrk_case` does for files. Three things differ from files:
//! - readiness is "answers 200 for the page with the page's text" (page sizes differ per
//!   server: Next.js adds its RSC payload), and the body size is recorded (`body_bytes`);
//! - bext's cache header is checked: uncached servers must not answer `x-bext-cache: hit`,
//!   and bext-isr must, from its second answer on;
//! - bext-static needs the page's bytes first, so it starts after the renderers answered.

use std::collections::BTreeMap;

use crate::child::ServerProcess;
use crate::error::{Context as _, Error};
use crate::http_probe::wait_ready;
use crate::limits::SSR_WARMUP_SECS;
use crate::load_run::{self, Load, Measured};
use crate::report::{Report, Row};
use crate::ssr::first_render::check_page;
use crate::ssr::probe::{self, Fetched};
use crate::ssr::servers::SsrServer;
use crate::ssr::{Context, Page, READY_PATH, Roster, static_root, stop, visible_text};
use crate::wrk_case::{self, Metric};

pub const METRIC_BODY_BYTES: &str = "body_bytes";
/// The file bext-static serves, in its own root per page.
const STATIC_FILE: &str = "page.html";
/// bext-static serves the bytes of the first of these that answered: the ISR cache's own
/// body when there is one, and never Next.js's (its pages carry an RSC payload the others
/// lack).
const STATIC_BODY_SOURCES: [SsrServer; 5] = [
    SsrServer::BextIsr,
    SsrServer::BextJsc,
    SsrServer::BextQuickjs,
    SsrServer::BextV8,
    SsrServer::Node,
];
const METRICS: [Metric; 7] = [
    Metric::RequestsPerSec,
    Metric::LatencyP99,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::WrkCpuUtil,
    Metric::SocketErrors,
];

/// A server in this page's run and the path wrk loads on it.
struct Running {
    server: SsrServer,
    process: ServerProcess,
    path: String,
}

pub fn run_page(
    context: &Context<'_>,
    page: &Page,
    roster: &mut Roster,
    report: &mut Report,
) -> Result<(), Error> {
    let options = context.options;
    let mut running: Vec<Running> = Vec::new();
    let mut bodies: BTreeMap<SsrServer, Vec<u8>> = BTreeMap::new();
    for server in roster.rendering_page(page) {
        match start_renderer(context, server, page, report) {
            Ok((process, body)) => {
                report.rows.push(Row::new(
                    page.path,
                    server.name(),
                    METRIC_BODY_BYTES,
                    "bytes",
                    vec![body.len() as f64],
                ));
                bodies.insert(server, body);
                running.push(Running {
                    server,
                    process,
                    path: page.path.to_string(),
                });
            }
            Err(error) => roster.drop_server(server, &error, report),
        }
    }
    check_same_text(page, &bodies, roster, report);
    running.retain(|entry| roster.is_active(entry.server));
    if roster.is_active(SsrServer::BextStatic) {
        let source = STATIC_BODY_SOURCES
            .iter()
            .find_map(|server| bodies.get(server).map(|body| (*server, body)));
        match source {
            Some((source, body)) => match start_static(context, page, body) {
                Ok(process) => {
                    report.rows.push(Row::new(
                        page.path,
                        SsrServer::BextStatic.name(),
                        METRIC_BODY_BYTES,
                        "bytes",
                        vec![body.len() as f64],
                    ));
                    println!(
                        "  {:<10} bext-static serves {} bytes, {}'s page",
                        page.path,
                        body.len(),
                        source.name()
                    );
                    running.push(Running {
                        server: SsrServer::BextStatic,
                        process,
                        path: format!("/{STATIC_FILE}"),
                    });
                }
                Err(error) => roster.drop_server(SsrServer::BextStatic, &error, report),
            },
            None => report.warn(format!(
                "{}: bext-static not run: no bext or node server rendered the page to copy",
                page.path
            )),
        }
    }
    // Run order within a round is the servers' declared order.
    running.sort_by_key(|entry| entry.server);
    if !options.smoke {
        for entry in &mut running {
            let warmup = Load::one_core(&entry.path, SSR_WARMUP_SECS, options.connections);
            if let Err(error) = load_run::measure(&mut entry.process, context.programs, &warmup) {
                roster.drop_server(entry.server, &error, report);
            }
        }
        running.retain(|entry| roster.is_active(entry.server));
    }
    let mut results: BTreeMap<SsrServer, Vec<Measured>> = BTreeMap::new();
    for round in 1..=options.rounds {
        for entry in &mut running {
            if !roster.is_active(entry.server) {
                continue;
            }
            let load = Load::one_core(&entry.path, options.duration_secs, options.connections);
            match load_run::measure(&mut entry.process, context.programs, &load) {
                Ok(result) => {
                    println!(
                        "  {:<10} round {round}/{} {:<12} {:>9.0} req/s  p99 {:>8.0} us  {:>7.1} us CPU/req  server {:>3.0}%  wrk {:>3.0}%",
                        page.path,
                        options.rounds,
                        entry.server.name(),
                        result.wrk.requests_per_sec,
                        result.wrk.p99_us,
                        result.cpu_us_per_request,
                        result.cpu_util_percent,
                        result.wrk_cpu_util_percent,
                    );
                    results.entry(entry.server).or_default().push(result);
                }
                Err(error) => roster.drop_server(entry.server, &error, report),
            }
        }
    }
    for (server, runs) in &results {
        // A server dropped mid-run has fewer rounds than the others: not comparable.
        if !roster.is_active(*server) {
            continue;
        }
        wrk_case::push_rows(report, page.path, server.name(), runs, &METRICS);
        if let Some(warning) = load_run::saturation_warning(page.path, server.name(), runs) {
            report.warn(warning);
        }
    }
    for entry in running {
        stop(entry.process, report)?;
    }
    Ok(())
}

/// A server whose page does not show the same text as the reference's (react-dom's, else
/// bext's) renders other work: it leaves the run. Markup may differ (Marko leaves attribute
/// values unquoted, React separates text with `<!-- -->`); what a reader sees may not.
fn check_same_text(
    page: &Page,
    bodies: &BTreeMap<SsrServer, Vec<u8>>,
    roster: &mut Roster,
    report: &mut Report,
) {
    let reference = [
        SsrServer::Node,
        SsrServer::BextJsc,
        SsrServer::BextQuickjs,
        SsrServer::BextV8,
    ]
    .into_iter()
    .find_map(|server| bodies.get(&server).map(|body| (server, body)));
    let Some((reference, reference_body)) = reference else {
        return;
    };
    let want = visible_text::of(&String::from_utf8_lossy(reference_body));
    // Next.js adds its RSC payload, bext-isr is bext: only the hand-ported page is checked.
    if let Some(body) = bodies.get(&SsrServer::Marko) {
        let got = visible_text::of(&String::from_utf8_lossy(body));
        if let Some(at) = visible_text::first_difference(&want, &got) {
            let error = Error::run(format!(
                "{}: marko's page does not show the same text as {}'s, from character {at}: {:?} vs {:?}",
                page.path,
                reference.name(),
                visible_text::excerpt(&got, at),
                visible_text::excerpt(&want, at),
            ));
            roster.drop_server(SsrServer::Marko, &error, report);
        }
    }
}

/// Starts a rendering server and checks its answers for `page`; returns the page's body.
fn start_renderer(
    context: &Context<'_>,
    server: SsrServer,
    page: &Page,
    report: &mut Report,
) -> Result<(ServerProcess, Vec<u8>), Error> {
    let mut process = context.launcher.launch(server, None)?;
    probe::wait_answering(&mut process, READY_PATH)?;
    let fetch = |process: &ServerProcess| -> Result<Fetched, Error> {
        let response = probe::fetch(process.port(), page.path).map_err(|error| {
            Error::run(format!(
                "{}: GET {} failed: {error}",
                server.name(),
                page.path
            ))
        })?;
        check_page(&response, server, page, &process.log_tail())?;
        Ok(response)
    };
    fetch(&process)?;
    // The second answer: bext-isr's first cache hit.
    let second = fetch(&process)?;
    let cache = second.header("x-bext-cache");
    match (server, cache) {
        (SsrServer::BextIsr, Some("hit")) => {}
        (SsrServer::BextIsr, other) => report.warn(format!(
            "{}: bext-isr's second answer had x-bext-cache: {}, not hit: its numbers may be renders, not cache hits",
            page.path,
            other.unwrap_or("(none)")
        )),
        (
            SsrServer::BextJsc | SsrServer::BextQuickjs | SsrServer::BextV8,
            Some("hit" | "stale"),
        ) => {
            return Err(Error::run(format!(
                "{} answered {} from its ISR cache (x-bext-cache: {}) although `[render] isr = false`",
                server.name(),
                page.path,
                cache.unwrap_or_default()
            )));
        }
        _ => {}
    }
    Ok((process, second.body))
}

/// Writes `body` as the static file and starts bext-static on it.
fn start_static(context: &Context<'_>, page: &Page, body: &[u8]) -> Result<ServerProcess, Error> {
    let root = static_root(context.workdir, page)?;
    let file = root.join(STATIC_FILE);
    std::fs::write(&file, body).context(|| format!("writing {}", file.display()))?;
    let mut process = context
        .launcher
        .launch(SsrServer::BextStatic, Some(&root))?;
    wait_ready(&mut process, &format!("/{STATIC_FILE}"), body.len())?;
    Ok(process)
}
