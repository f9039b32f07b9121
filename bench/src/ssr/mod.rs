//! The `ssr` scenario: server-side rendering of the example app (`examples/app`), page by
//! page, by bext and by the Node.js servers people would otherwise run.
//!
//! Servers ([`servers::SsrServer`], chosen with `--servers`):
//! - `bext-jsc`, `bext-quickjs`, `bext-v8`: bext rendering every request (`[render] isr =
//!   false`) with that engine. An engine the binary was built without is skipped with a note;
//!   bext-v8 runs only when `--servers` names it (V8 is a separate build, `--features v8`);
//! - `bext-isr`: bext with its ISR cache (engine `auto`): after the first request, hits;
//! - `bext-static`: bext serving a file with the same bytes as the page (bext-isr's body when
//!   it ran), from its file cache: what an ISR hit should cost;
//! - `node`: `bench/node/react-server.mjs`, node:http + react-dom/server `renderToString` on
//!   the same components, bundled by esbuild (`bench/node/build.mjs`);
//! - `next`: `next start` on a Next.js app generated from the same files, every page
//!   `force-dynamic` so that every request renders, as in bext's uncached runs. `next build`
//!   makes `--smoke` slow to set up on a fresh machine, so smoke runs leave Next.js out
//!   unless `--servers` names it;
//! - `marko`: `bench/node/marko-server.mjs`, Marko 5 (a compiled string-template renderer,
//!   the fastest JavaScript SSR in public shootouts) rendering the table page ported to
//!   Marko templates (`bench/node/marko/`); it runs on `/table/50` and `/table/200` only, and
//!   its page must have the same visible text as the React servers' ([`visible_text`]).
//!
//! Method, per page (`/simple`, `/dashboard`, `/table/50`, `/table/200`, `/full-page`):
//! 1. **First render** ([`first_render`]): a fresh server per sample; the time from its first
//!    answer to `/favicon.svg` (a file of the app's `public/`: the server is ready) to the
//!    complete first answer for the page, and the spawn-to-ready start-up time. bext's log
//!    gives the app's compile time (`compiled N modules in X ms`).
//! 2. **Throughput** ([`load`]): every server started fresh, checked to answer the page with
//!    200 and the page's own text, warmed up (not in smoke mode), then interleaved rounds of
//!    `wrk -t1` on CPU 1 against each server on CPU 0, as in every other scenario.
//! 3. **Ratios** ([`summary`]) of median req/s: bext-jsc, bext-quickjs and bext-v8 over
//!    node, next and marko, and bext-isr over bext-static.
//! 4. **Streaming** ([`stream`]): `/live`, whose panels wait inside `<Suspense>`, on the
//!    servers that stream it: time to the first byte (the shell) and to the end.
//!
//! A server that fails (does not start, answers wrongly, dies under load) leaves the run with
//! its error as a warning; the others are measured, the table and JSON are written, and the
//! scenario then fails naming it.

pub mod compile_log;
mod first_render;
mod load;
pub mod node_setup;
pub mod probe;
pub mod servers;
mod stream;
mod summary;
pub mod visible_text;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::json;

use crate::child::{ServerProcess, Stopped};
use crate::cli::Options;
use crate::contender::Contender;
use crate::error::Error;
use crate::limits::{FIRST_RENDER_SAMPLES, LOAD_CPU, SERVER_CPU, SSR_WARMUP_SECS, STREAM_SAMPLES};
use crate::locate::{self, Programs, workspace_root};
use crate::report::{self, Report};
use crate::workdir::WorkDir;
use servers::{Launcher, SsrServer};

/// A file of the app's `public/`: answered once a server serves at all.
pub const READY_PATH: &str = "/favicon.svg";

/// One benchmark page: its URL, a name usable in file names, and text only that page has
/// (so a server answering 200 with the wrong page, or an error page, is caught).
pub struct Page {
    pub path: &'static str,
    pub slug: &'static str,
    pub marker: &'static str,
}

pub const PAGES: [Page; 5] = [
    Page {
        path: "/simple",
        slug: "simple",
        marker: "<h1>Hello from bext</h1>",
    },
    Page {
        path: "/dashboard",
        slug: "dashboard",
        marker: "<h1>Dashboard</h1>",
    },
    Page {
        path: "/table/50",
        slug: "table-50",
        marker: "50 people, sorted by id",
    },
    Page {
        path: "/table/200",
        slug: "table-200",
        marker: "200 people, sorted by id",
    },
    Page {
        path: "/full-page",
        slug: "full-page",
        marker: "Ship React pages that render in microseconds",
    },
];

/// "/table/50, /simple" -> those pages' paths, in the order given, without duplicates.
pub fn parse_pages(list: &str) -> Result<Vec<&'static str>, String> {
    let mut pages = Vec::new();
    for path in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let page = PAGES.iter().find(|page| page.path == path).ok_or_else(|| {
            let known: Vec<&str> = PAGES.iter().map(|page| page.path).collect();
            format!("unknown page {path:?} (expected {})", known.join(", "))
        })?;
        if !pages.contains(&page.path) {
            pages.push(page.path);
        }
    }
    Ok(pages)
}

/// The pages this run measures, in `PAGES` order.
pub fn selected_pages(options: &Options) -> Vec<&'static Page> {
    PAGES
        .iter()
        .filter(|page| {
            options
                .pages
                .as_ref()
                .is_none_or(|asked| asked.contains(&page.path))
        })
        .collect()
}

/// What every phase needs.
pub struct Context<'a> {
    pub options: &'a Options,
    pub programs: &'a Programs,
    pub launcher: Launcher<'a>,
    pub workdir: &'a WorkDir,
}

pub fn run(options: &Options) -> Result<Report, Error> {
    let servers = options
        .servers
        .clone()
        .unwrap_or_else(|| servers::default_servers(options.smoke));
    if options.smoke && options.servers.is_none() {
        println!(
            "ssr: --smoke leaves out next (`next build` is slow on a fresh machine); name it with --servers to include it"
        );
    }
    let app = workspace_root().join("examples/app");
    // Before `locate::prepare` pins the harness to one CPU: npm and next build get both.
    if servers.iter().any(|server| server.is_bext()) {
        node_setup::install_app_packages(&app)?;
    }
    let node = if servers.iter().any(|server| server.needs_node()) {
        Some(node_setup::prepare(
            &app,
            servers.contains(&SsrServer::Next),
        )?)
    } else {
        None
    };
    let contenders: Vec<Contender> = if servers.iter().any(|server| server.is_bext()) {
        vec![Contender::Bext]
    } else {
        Vec::new()
    };
    let (programs, workdir) = locate::prepare(&contenders, locate::wrk(true))?;
    let context = Context {
        options,
        programs: &programs,
        launcher: Launcher {
            bext: programs.bext.as_deref(),
            node: node.as_ref(),
            app: &app,
            workdir: &workdir,
        },
        workdir: &workdir,
    };
    let warmup_secs = if options.smoke { 0 } else { SSR_WARMUP_SECS };
    let samples = if options.smoke {
        1
    } else {
        FIRST_RENDER_SAMPLES
    };
    let stream_samples = if options.smoke { 2 } else { STREAM_SAMPLES };
    let names: Vec<&str> = servers.iter().map(|server| server.name()).collect();
    let pages = selected_pages(options);
    let mut settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("connections".to_string(), json!(options.connections)),
        ("wrk_threads".to_string(), json!(1)),
        ("warmup_secs".to_string(), json!(warmup_secs)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("servers".to_string(), json!(names)),
        ("app".to_string(), json!("examples/app")),
        (
            "pages".to_string(),
            json!(pages.iter().map(|page| page.path).collect::<Vec<_>>()),
        ),
        ("first_render_samples".to_string(), json!(samples)),
        ("stream_samples".to_string(), json!(stream_samples)),
        ("ready_path".to_string(), json!(READY_PATH)),
        (
            "next_pages".to_string(),
            json!("force-dynamic (every request renders)"),
        ),
        (
            "servers_started".to_string(),
            json!("fresh per page and per first-render sample, kept up across rounds"),
        ),
    ]);
    if let Some(node) = &node {
        settings.insert("versions".to_string(), json!(node.versions));
    }
    let mut report = Report::new("ssr", options.smoke, settings);
    println!(
        "ssr: servers on CPU {SERVER_CPU}, `wrk -t1 -c{}` on CPU {LOAD_CPU}; {} round(s) of {} s per server and page \
         (warm-up {warmup_secs} s); {samples} first render(s) per page and server; servers {}",
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let mut roster = Roster::new(servers);
    first_render::measure(&context, &pages, samples, &mut roster, &mut report)?;
    for page in &pages {
        load::run_page(&context, page, &mut roster, &mut report)?;
    }
    stream::measure(&context, stream_samples, &mut roster, &mut report)?;
    summary::compute_ratios(&mut report);
    summary::print(&report, &roster.all, &pages);
    let failures = roster.failures();
    if failures.is_empty() {
        return Ok(report);
    }
    // The servers that did run are worth keeping; the run as a whole still failed.
    report::write_and_announce(&report, &options.json_path)?;
    Err(Error::run(format!(
        "ssr: {} server(s) failed: {}",
        failures.len(),
        failures.join("; ")
    )))
}

/// The servers still in the run, and why the others left it.
pub struct Roster {
    /// Every server asked for, in run order.
    all: Vec<SsrServer>,
    active: Vec<SsrServer>,
    /// (server, why, whether that is a failure rather than an engine left out of the build)
    dropped: Vec<(SsrServer, String, bool)>,
}

impl Roster {
    fn new(servers: Vec<SsrServer>) -> Roster {
        Roster {
            active: servers.clone(),
            all: servers,
            dropped: Vec::new(),
        }
    }

    pub fn is_active(&self, server: SsrServer) -> bool {
        self.active.contains(&server)
    }

    /// The active servers that render the app (all but bext-static), in run order.
    pub fn rendering(&self) -> Vec<SsrServer> {
        self.active
            .iter()
            .copied()
            .filter(|server| server.renders())
            .collect()
    }

    /// The active servers that render `page`.
    pub fn rendering_page(&self, page: &Page) -> Vec<SsrServer> {
        self.rendering()
            .into_iter()
            .filter(|server| server.serves(page))
            .collect()
    }

    /// Takes `server` out of the rest of the run because of `error`.
    pub fn drop_server(&mut self, server: SsrServer, error: &Error, report: &mut Report) {
        self.active.retain(|active| *active != server);
        let message = error.to_string();
        let missing_engine = engine_missing(server, &message);
        report.warn(if missing_engine {
            format!(
                "{}: skipped: this bext binary has no such engine ({})",
                server.name(),
                first_line(&message)
            )
        } else {
            format!(
                "{}: FAILED, left out of the rest of the run: {message}",
                server.name()
            )
        });
        self.dropped.push((server, message, !missing_engine));
    }

    fn failures(&self) -> Vec<String> {
        self.dropped
            .iter()
            .filter(|(_, _, failed)| *failed)
            .map(|(server, message, _)| format!("{}: {}", server.name(), first_line(message)))
            .collect()
    }
}

/// Whether a bext that would not start said that its engine is not compiled in: that is a
/// property of the build (JavaScriptCore needs a system library), not a failure.
fn engine_missing(server: SsrServer, message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    // bext-engine says "jsc is not compiled in"; the other phrasings are for wrappers of it.
    matches!(
        server,
        SsrServer::BextJsc | SsrServer::BextQuickjs | SsrServer::BextV8
    ) && (message.contains("not compiled in")
        || (message.contains("engine")
            && ["not available", "unavailable", "not built"]
                .iter()
                .any(|phrase| message.contains(phrase))))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Stops `server`, noting a bext that does not exit 0 on SIGTERM.
pub fn stop(server: ServerProcess, report: &mut Report) -> Result<(), Error> {
    let name = server.name().to_string();
    match server.stop()? {
        Stopped::Exited(status) if name.starts_with("bext") && status.code() != Some(0) => {
            report.warn(format!(
                "{name} ended with {status} after SIGTERM; its contract is to exit 0"
            ));
        }
        Stopped::Exited(_) => {}
        Stopped::Killed => report.warn(format!("{name} ignored SIGTERM and was killed")),
    }
    Ok(())
}

/// Where a bext-static run keeps the page's bytes.
pub fn static_root(workdir: &WorkDir, page: &Page) -> Result<PathBuf, Error> {
    workdir.subdir(&format!("static-{}", page.slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(server: SsrServer, message: &str, expect: bool) {
        assert_eq!(
            engine_missing(server, message),
            expect,
            "{} / {message:?}",
            server.name()
        );
    }

    #[test]
    fn tells_a_missing_engine_from_a_failure() {
        check(
            SsrServer::BextJsc,
            "bext-jsc exited (exit status: 1) while starting up; last lines:\n  | bext: render.engine: the jsc engine is not compiled into this binary",
            true,
        );
        check(
            SsrServer::BextJsc,
            "bext: engine jsc unavailable (built without libjavascriptcoregtk)",
            true,
        );
        check(
            SsrServer::BextJsc,
            "bext-jsc exited (exit status: 1) while starting up; last lines:\n  | bext: app: jsc is not compiled in",
            true,
        );
        check(
            SsrServer::BextQuickjs,
            "bext-quickjs: JavaScript engine not available",
            true,
        );
        // Only engine servers can lack their engine.
        check(SsrServer::BextIsr, "engine not available", false);
        check(
            SsrServer::BextJsc,
            "bext-jsc did not answer GET /favicon.svg within 30000 ms",
            false,
        );
        check(
            SsrServer::BextJsc,
            "unknown key `app` (site[0]); file not available",
            false,
        );
    }

    #[test]
    fn parses_page_lists() {
        assert_eq!(
            parse_pages(" /table/200,/simple,/table/200"),
            Ok(vec!["/table/200", "/simple"])
        );
        assert_eq!(parse_pages(""), Ok(vec![]));
        assert_eq!(
            parse_pages("/table/51"),
            Err("unknown page \"/table/51\" (expected /simple, /dashboard, /table/50, /table/200, /full-page)".to_string())
        );
    }

    #[test]
    fn every_page_has_its_own_marker_and_slug() {
        for (index, page) in PAGES.iter().enumerate() {
            for other in &PAGES[index + 1..] {
                assert_ne!(page.slug, other.slug);
                assert!(!page.marker.contains(other.marker) && !other.marker.contains(page.marker));
            }
            assert!(page.path.starts_with('/'));
        }
    }
}
