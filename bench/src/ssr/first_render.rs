//! First render after ready: for every page, `samples` times, every rendering server is
//! started fresh (interleaved, as the rounds are), polled on `/favicon.svg` until it answers
//! (ready), and then asked for the page once. Rows: `first_render` (ready to the complete
//! first answer) per page, `startup` (spawn to ready), and for bext the app's compile time
//! from its log.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::report::{Report, Row};
use crate::ssr::probe;
use crate::ssr::servers::SsrServer;
use crate::ssr::{Context, Page, READY_PATH, Roster, compile_log, stop};

pub const METRIC_FIRST_RENDER: &str = "first_render";
pub const METRIC_STARTUP: &str = "startup";
pub const METRIC_COMPILE_TIME: &str = "compile_time";
pub const METRIC_COMPILED_MODULES: &str = "compiled_modules";
pub const CASE_STARTUP: &str = "startup";
pub const CASE_COMPILE: &str = "compile";

struct Sample {
    startup: Duration,
    first_render: Duration,
    compile: Option<compile_log::CompileTime>,
}

pub fn measure(
    context: &Context<'_>,
    pages: &[&Page],
    samples: usize,
    roster: &mut Roster,
    report: &mut Report,
) -> Result<(), Error> {
    let mut startup: BTreeMap<SsrServer, Vec<f64>> = BTreeMap::new();
    let mut compile_ms: BTreeMap<SsrServer, Vec<f64>> = BTreeMap::new();
    let mut compile_modules: BTreeMap<SsrServer, Vec<f64>> = BTreeMap::new();
    println!("  first render after ready, fresh server per sample:");
    for page in pages {
        let mut first: BTreeMap<SsrServer, Vec<f64>> = BTreeMap::new();
        for _ in 0..samples {
            for server in roster.rendering_page(page) {
                let sample = match one(context, server, page, report) {
                    Ok(sample) => sample,
                    Err(error) => {
                        roster.drop_server(server, &error, report);
                        continue;
                    }
                };
                println!(
                    "  {:<10} {:<13} ready after {:>6.1} ms, first render {:>7.2} ms{}",
                    page.path,
                    server.name(),
                    ms(sample.startup),
                    ms(sample.first_render),
                    sample
                        .compile
                        .as_ref()
                        .map(|c| format!(" (compiled {} modules in {:.1} ms)", c.modules, c.ms))
                        .unwrap_or_default()
                );
                first
                    .entry(server)
                    .or_default()
                    .push(ms(sample.first_render));
                startup.entry(server).or_default().push(ms(sample.startup));
                if let Some(time) = sample.compile {
                    compile_ms.entry(server).or_default().push(time.ms);
                    compile_modules
                        .entry(server)
                        .or_default()
                        .push(time.modules as f64);
                }
            }
        }
        for (server, values) in first {
            report.rows.push(Row::new(
                page.path,
                server.name(),
                METRIC_FIRST_RENDER,
                "ms",
                values,
            ));
        }
    }
    for (server, values) in startup {
        report.rows.push(Row::new(
            CASE_STARTUP,
            server.name(),
            METRIC_STARTUP,
            "ms",
            values,
        ));
    }
    let bext_without_compile_line = roster
        .rendering()
        .into_iter()
        .any(|server| server.is_bext() && !compile_ms.contains_key(&server));
    for (server, times) in compile_ms {
        report.rows.push(Row::new(
            CASE_COMPILE,
            server.name(),
            METRIC_COMPILE_TIME,
            "ms",
            times,
        ));
    }
    for (server, modules) in compile_modules {
        report.rows.push(Row::new(
            CASE_COMPILE,
            server.name(),
            METRIC_COMPILED_MODULES,
            "count",
            modules,
        ));
    }
    if bext_without_compile_line {
        report.warn(
            "bext printed no `compiled N modules in X ms` line: no compile time recorded".into(),
        );
    }
    Ok(())
}

fn one(
    context: &Context<'_>,
    server: SsrServer,
    page: &Page,
    report: &mut Report,
) -> Result<Sample, Error> {
    let mut process = context.launcher.launch(server, None)?;
    let ready = probe::wait_answering(&mut process, READY_PATH)?;
    let sent = Instant::now();
    let response = probe::fetch(process.port(), page.path).map_err(|error| {
        Error::run(format!(
            "{}: first GET {} failed: {error}; last lines of its log:\n{}",
            server.name(),
            page.path,
            process.log_tail()
        ))
    })?;
    let first_render = sent.elapsed();
    check_page(&response, server, page, &process.log_tail())?;
    let compile = if server.is_bext() {
        std::fs::read_to_string(process.log_path())
            .ok()
            .and_then(|log| compile_log::parse(&log))
    } else {
        None
    };
    let startup = ready - process.spawned_at();
    stop(process, report)?;
    Ok(Sample {
        startup,
        first_render,
        compile,
    })
}

/// A 200 that holds the page's own text, or an error quoting what came instead.
pub fn check_page(
    response: &probe::Fetched,
    server: SsrServer,
    page: &Page,
    log_tail: &str,
) -> Result<(), Error> {
    if response.status == 200 && response.contains(page.marker) {
        return Ok(());
    }
    let body = String::from_utf8_lossy(&response.body);
    let excerpt: String = body.chars().take(300).collect();
    Err(Error::run(format!(
        "{} answered GET {} with status {} and {} bytes{} (start: {excerpt:?}); last lines of its log:\n{log_tail}",
        server.name(),
        page.path,
        response.status,
        response.body.len(),
        if response.status == 200 {
            format!(" without the page's text {:?}", page.marker)
        } else {
            String::new()
        }
    )))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
