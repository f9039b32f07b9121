//! The `bext` binary: parse the command line, load the config, start the shards, and turn
//! signals into mesh messages. Everything else lives in the crates.
#![forbid(unsafe_code)]

mod acme;
mod cli;
mod dev;
mod load;
mod roots;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use bext_server::{self as server, AppBuilder, Snapshot};
use bext_shards::rt;

use cli::{Cli, Command, ServeArgs};

/// jemalloc: a cache per thread, so a shard allocates and frees without a lock, at less per
/// call than glibc's malloc, and a freed buffer is the next one handed out (still in the
/// core's cache). Measured side by side (`ARCHITECTURE.md`, "jemalloc"): HTTP/3 small files
/// +18% req/s, HTTP/2 +6%, large bodies unchanged; mimalloc gained as much on small requests
/// but lost a third of HTTP/2's large-file throughput (it hands out a page's other blocks
/// before the ones just freed, so streamed buffers came back cold). C code (JavaScriptCore,
/// QuickJS, BoringSSL) keeps the system allocator: the symbols are prefixed.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// What the main loop acts on.
pub(crate) enum Event {
    Signal(i32),
    /// The ACME thread stored a new certificate for these hosts.
    Certificate(Vec<String>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args, false),
        Command::Dev(args) => serve(args, true),
        Command::RealtimeToken {
            config,
            topics,
            ttl_secs,
        } => realtime_token(&config, &topics, ttl_secs),
        Command::CheckConfig { file } => match load::from_file(&file).and_then(load::snapshot) {
            Ok(snapshot) => {
                let config = &snapshot.config;
                println!(
                    "bext: {}: configuration is valid ({} site{}, listen {})",
                    file.display(),
                    config.sites.len(),
                    if config.sites.len() == 1 { "" } else { "s" },
                    config
                        .server
                        .listen
                        .iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("bext: {message}");
                ExitCode::FAILURE
            }
        },
    }
}

/// `bext realtime-token`: a subscriber token signed with the config's secret.
fn realtime_token(config: &std::path::Path, topics: &str, ttl_secs: u64) -> ExitCode {
    use bext_core::realtime::token::{Claims, sign};
    let config = match load::from_file(config) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("bext: {message}");
            return ExitCode::FAILURE;
        }
    };
    let Some(secret) = config.realtime.as_ref().and_then(|r| r.secret.as_ref()) else {
        eprintln!("bext: the config has no [realtime] secret: subscribers need no token");
        return ExitCode::FAILURE;
    };
    let topics: Vec<String> = topics
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let valid = |t: &String| bext_core::realtime::topic_valid(t.strip_suffix(".*").unwrap_or(t));
    if topics.is_empty() || !topics.iter().all(valid) {
        eprintln!("bext: --topics: give topics (A-Z a-z 0-9 _ - . :), or prefixes ending in `.*`");
        return ExitCode::FAILURE;
    }
    let exp = bext_shards::clock::unix_secs().saturating_add(ttl_secs);
    println!("{}", sign(secret.as_bytes(), &Claims { topics, exp }));
    ExitCode::SUCCESS
}

fn serve(args: ServeArgs, dev: bool) -> ExitCode {
    let started = Instant::now();
    let source = match load::Source::from_args(&args) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("bext: {message}");
            return ExitCode::FAILURE;
        }
    };
    // Kept for the process's life: reloads recompile only the app modules that changed.
    let mut builder = AppBuilder::new(dev);
    let snapshot = match source
        .load()
        .and_then(|config| builder.build(config).map_err(|e| e.to_string()))
    {
        Ok(snapshot) => Arc::new(snapshot),
        Err(message) => {
            eprintln!("bext: {message}");
            return ExitCode::FAILURE;
        }
    };
    // Signals are taken before the shards start, so none is missed.
    let mut signals = match Signals::new([SIGTERM, SIGINT, SIGHUP]) {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("bext: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Dev: the files are watched before the server says it is serving, so a change made once
    // it has said so is never missed (a SIGHUP the watcher raises waits for the loop below).
    if dev {
        let apps: Vec<_> = snapshot
            .config
            .sites
            .iter()
            .filter_map(|site| site.app.clone())
            .collect();
        if apps.is_empty() {
            eprintln!("bext: dev: no app to watch (give a directory with an app/ folder)");
        } else if let Err(message) = dev::watch(apps) {
            eprintln!("bext: {message}");
            return ExitCode::FAILURE;
        }
    }
    let shards = snapshot
        .config
        .server
        .shards
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let running = match server::launch(snapshot.clone(), shards) {
        Ok(running) => running,
        Err(e) => {
            eprintln!("bext: {e}");
            return ExitCode::FAILURE;
        }
    };
    let schemes = running
        .local_addrs
        .iter()
        .map(|a| ("http", a))
        .chain(running.tls_addrs.iter().map(|a| ("https", a)))
        .chain(running.quic_addrs.iter().map(|a| ("h3", a)));
    for (scheme, addr) in schemes {
        let (scheme, tls) = match scheme {
            "https" => (
                "https",
                format!(", rustls on {}", bext_server::TLS_PROVIDER),
            ),
            // HTTP/3's URL scheme is https too: the note says it is QUIC over UDP.
            "h3" => ("https", String::from(", HTTP/3 over QUIC (UDP), quiche")),
            _ => (scheme, String::new()),
        };
        eprintln!(
            "bext: serving {} on {scheme}://{addr} ({} shard{}, {}{tls}, started in {} ms)",
            source.describe(),
            running.shards,
            if running.shards == 1 { "" } else { "s" },
            rt::BACKEND,
            started.elapsed().as_millis()
        );
    }
    // Signals and the ACME thread's news arrive on one channel.
    let (events_tx, events) = std::sync::mpsc::channel::<Event>();
    let forward = events_tx.clone();
    if let Err(e) = std::thread::Builder::new()
        .name(String::from("bext-signals"))
        .spawn(move || {
            for signal in signals.forever() {
                if forward.send(Event::Signal(signal)).is_err() {
                    return;
                }
            }
        })
    {
        eprintln!("bext: cannot start the signal thread: {e}");
        return ExitCode::FAILURE;
    }
    let mut acme: Option<bext_acme::Manager> = None;
    let start_acme = |sites: Vec<bext_acme::Site>| {
        bext_acme::Manager::start(
            sites,
            acme::Bridge {
                publisher: running.acme_publisher(),
                events: events_tx.clone(),
            },
        )
    };
    let sites = acme::sites(&snapshot.config);
    if !sites.is_empty() {
        match start_acme(sites) {
            Ok(manager) => acme = Some(manager),
            Err(e) => eprintln!("bext: acme: cannot start its thread: {e}"),
        }
    }
    let mut current = snapshot;
    for event in events.iter() {
        let signal = match event {
            Event::Signal(signal) => signal,
            Event::Certificate(hosts) => {
                // The config being served, with the certificate files read anew.
                match builder.build(current.config.clone()) {
                    Ok(next) => {
                        let next = Arc::new(next);
                        match running.reload(next.clone()) {
                            Ok(()) => {
                                eprintln!(
                                    "bext: acme: serving the new certificate for {}",
                                    hosts.join(", ")
                                );
                                current = next;
                            }
                            Err(e) => eprintln!("bext: acme: reload failed: {e}"),
                        }
                    }
                    Err(e) => eprintln!("bext: acme: the new certificate cannot be served: {e}"),
                }
                continue;
            }
        };
        match signal {
            SIGHUP => match source
                .load()
                .and_then(|config| builder.build(config).map_err(|e| e.to_string()))
            {
                Ok(next) => {
                    if next.config.server.listen != current.config.server.listen
                        || next.config.server.shards != current.config.server.shards
                    {
                        eprintln!(
                            "bext: reload: listen addresses and shard count take effect only on restart"
                        );
                    }
                    let next = Arc::new(next);
                    let sites = acme::sites(&next.config);
                    match &acme {
                        Some(manager) => manager.update(sites),
                        None if sites.is_empty() => {}
                        None => match start_acme(sites) {
                            Ok(manager) => acme = Some(manager),
                            Err(e) => eprintln!("bext: acme: cannot start its thread: {e}"),
                        },
                    }
                    match running.reload(next.clone()) {
                        Ok(()) if dev => current = next,
                        Ok(()) => {
                            eprintln!("bext: reloaded {}", source.describe());
                            current = next;
                        }
                        Err(e) => eprintln!("bext: reload failed: {e}"),
                    }
                }
                Err(message) => {
                    eprintln!("bext: reload refused, still serving the previous config: {message}")
                }
            },
            _ => {
                let drain = Duration::from_millis(current.config.server.timeouts.drain_deadline_ms);
                eprintln!(
                    "bext: stopping: draining in-flight requests (up to {} ms)",
                    drain.as_millis()
                );
                if let Err(e) = running.stop(drain) {
                    eprintln!("bext: {e}");
                }
                break;
            }
        }
    }
    match running.join() {
        Ok(()) => {
            eprintln!("bext: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bext: a shard failed: {e}");
            ExitCode::FAILURE
        }
    }
}

#[allow(dead_code)]
fn _assert_snapshot_is_shareable(s: Snapshot) -> impl Send + Sync {
    s
}
