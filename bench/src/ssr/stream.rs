//! Streaming: the example app's `/live` (the dashboard whose panels wait on simulated queries
//! inside `<Suspense>`) on the servers that stream it, bext rendering every request and
//! `next start`. One server of each is started, `/live` is asked a few times to warm it up,
//! then `samples` times per server, the servers taking turns (interleaved, as the rounds
//! are): the time to the response's first byte (the shell, with the panels' fallbacks) and
//! to its last (every panel in place). The panels wait 40 and 120 ms by design, so
//! `complete` is bounded below by 120 ms on every server; `first_byte` is the figure.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::Error;
use crate::report::{Report, Row};
use crate::ssr::probe;
use crate::ssr::servers::SsrServer;
use crate::ssr::{Context, READY_PATH, Roster, stop};

pub const STREAM_PAGE: &str = "/live";
/// Text the shell holds, and text only the last panel brings.
const SHELL_MARKER: &str = "<h1>Live dashboard</h1>";
const CONTENT_MARKER: &str = "Recent activity";
pub const METRIC_FIRST_BYTE: &str = "first_byte";
pub const METRIC_COMPLETE: &str = "complete";
/// Requests before the samples (a JIT warms up; bext learns the route is dynamic).
const WARMUP_REQUESTS: usize = 5;

/// Whether `server` streams `/live`: bext rendering every request (the ISR server renders
/// cached pages whole) and Next.js.
fn streams(server: SsrServer) -> bool {
    matches!(
        server,
        SsrServer::BextJsc | SsrServer::BextQuickjs | SsrServer::BextV8 | SsrServer::Next
    )
}

pub fn measure(
    context: &Context<'_>,
    samples: usize,
    roster: &mut Roster,
    report: &mut Report,
) -> Result<(), Error> {
    let servers: Vec<SsrServer> = roster
        .rendering()
        .into_iter()
        .filter(|s| streams(*s))
        .collect();
    if servers.is_empty() {
        return Ok(());
    }
    println!("  streamed page {STREAM_PAGE}: time to the first byte (the shell) and to the end:");
    let mut running = Vec::new();
    for server in servers {
        let started = context
            .launcher
            .launch(server, None)
            .and_then(|mut process| {
                probe::wait_answering(&mut process, READY_PATH)?;
                for _ in 0..WARMUP_REQUESTS {
                    sample(&process, server)?;
                }
                Ok(process)
            });
        match started {
            Ok(process) => running.push((server, process)),
            Err(error) => roster.drop_server(server, &error, report),
        }
    }
    let mut first: BTreeMap<SsrServer, Vec<f64>> = BTreeMap::new();
    let mut complete: BTreeMap<SsrServer, Vec<f64>> = BTreeMap::new();
    let mut failed: Vec<(SsrServer, Error)> = Vec::new();
    for _ in 0..samples {
        for (server, process) in &running {
            if failed.iter().any(|(s, _)| s == server) {
                continue;
            }
            match sample(process, *server) {
                Ok((first_byte, end)) => {
                    first.entry(*server).or_default().push(ms(first_byte));
                    complete.entry(*server).or_default().push(ms(end));
                }
                Err(error) => failed.push((*server, error)),
            }
        }
    }
    for (server, process) in running {
        stop(process, report)?;
        if let Some(values) = first.remove(&server) {
            let end = complete.remove(&server).unwrap_or_default();
            println!(
                "  {STREAM_PAGE:<10} {:<13} first byte {:>7.2} ms, complete {:>7.2} ms (medians of {})",
                server.name(),
                median(&values),
                median(&end),
                values.len()
            );
            report.rows.push(Row::new(
                STREAM_PAGE,
                server.name(),
                METRIC_FIRST_BYTE,
                "ms",
                values,
            ));
            report.rows.push(Row::new(
                STREAM_PAGE,
                server.name(),
                METRIC_COMPLETE,
                "ms",
                end,
            ));
        }
    }
    for (server, error) in failed {
        roster.drop_server(server, &error, report);
    }
    Ok(())
}

/// One timed GET of the page, checked: a 200 whose body has the shell and the last panel.
fn sample(
    process: &crate::child::ServerProcess,
    server: SsrServer,
) -> Result<(Duration, Duration), Error> {
    let (response, first_byte, end) =
        probe::fetch_timed(process.port(), STREAM_PAGE).map_err(|error| {
            Error::run(format!(
                "{}: GET {STREAM_PAGE} failed: {error}; last lines of its log:\n{}",
                server.name(),
                process.log_tail()
            ))
        })?;
    if response.status != 200
        || !response.contains(SHELL_MARKER)
        || !response.contains(CONTENT_MARKER)
    {
        return Err(Error::run(format!(
            "{} answered GET {STREAM_PAGE} with status {} and {} bytes, without {SHELL_MARKER:?} or {CONTENT_MARKER:?}",
            server.name(),
            response.status,
            response.body.len()
        )));
    }
    Ok((first_byte, end))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
