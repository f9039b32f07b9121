//! `bext-bench`: side-by-side load comparisons of bext against nginx and a bare io_uring
//! "ceiling" server, on one core each.
//!
//! ```text
//! cargo run -p bext-bench --release -- static [--duration-secs 5] [--rounds 3]
//!           [--connections 50] [--contenders bext,nginx,ceiling] [--json PATH] [--smoke]
//!           [--ceiling-uring plain|coop|defer]
//! cargo run -p bext-bench --release -- conns  [--count 10000]
//!           [--contenders bext,nginx] [--json PATH] [--smoke] [--ceiling-uring ...]
//! cargo run -p bext-bench --release -- latency [--rates 20000,100000] [--connections 64] ...
//! cargo run -p bext-bench --release -- pipeline [--depth 16] ...
//! cargo run -p bext-bench --release -- large [--connections 8] ...
//! cargo run -p bext-bench --release -- scaling ...
//! cargo run -p bext-bench --release -- tls [--connections 32] ...   # HTTPS: keep-alive, resumed and full handshakes
//! cargo run -p bext-bench --release -- h2 ...    # HTTP/2 (TLS and h2c), h2load, 100 streams on 1 and 10 connections
//! cargo run -p bext-bench --release -- waf [--crs ../shared/crs] ...  # CRS PL1/PL2 vs no WAF
//! cargo run -p bext-bench --release -- xdp ...   # UDP flood: bext's XDP filter vs nftables (root)
//! cargo run -p bext-bench --release -- proxy ... # reverse proxy: bext vs nginx proxy_pass, same upstream
//! cargo run -p bext-bench --release -- realtime [--count 10000] [--rates MSGS] ... # SSE fan-out: bext vs a Node hub
//! cargo run -p bext-bench --release -- ssr [--servers bext-jsc,bext-quickjs,bext-isr,bext-static,node,next]
//! cargo run -p bext-bench --release -- all --smoke     # every scenario, about a second each
//! ```
//!
//! Scenarios are declared in one registry ([`scenario::SCENARIOS`]), which gives each one its
//! command line, smoke mode and JSON report; `latency`, `pipeline`, `large`, `scaling`,
//! `tls`, `h2`, `h3`, `waf`, `xdp`, `proxy`, `realtime` and `ssr` are described in their modules and in
//! `bench/README.md` (the scaling scenario's load generator necessarily shares the machine's
//! two cores with the two-core server; `ssr` compares bext's rendering of `examples/app` with
//! Node + React and Next.js, built from the same app by `bench/node/`; `waf` measures the
//! OWASP Core Rule Set in bext against no WAF, with nginx + ModSecurity as a peer; `proxy`
//! puts bext's and nginx's reverse proxies in front of one nginx upstream, which shares the
//! load generator's core; `realtime` fans SSE events out from bext's `[realtime]` and from a
//! reference hub in plain Node to `--count` subscribers of `bext-rtload`).
//!
//! # Methodology
//!
//! - **One core for the server, one for the load.** Every server runs under `taskset -c 0`
//!   (bext also pins its one shard to CPU 0 itself; nginx gets `worker_cpu_affinity 1`), and
//!   `wrk -t1` runs under `taskset -c 1`. The harness pins itself to CPU 1 too, so nothing it
//!   does steals cycles from the server. On a 2-core machine this is the only split that keeps
//!   the load generator from competing with the server; the numbers are therefore per-core
//!   numbers, which is what a thread-per-core server is judged on.
//! - **Three contenders.** `bext serve DIR --shards 1`; nginx with one worker, `sendfile`,
//!   `tcp_nopush`, `open_file_cache` and no access log (its best static-file setup, see
//!   [`nginx`]); and `bext-ceiling` (`src/bin/ceiling.rs`), an io_uring loop on bext's own
//!   runtime (`bext_shards::rt`, the same backend and ring as bext's shards) that answers
//!   every read with one precomputed response without parsing anything. The ceiling is the
//!   upper bound for bext's lean path on this kernel and CPU: the cost of the syscalls and the
//!   TCP stack alone. `bext/ceiling` near 1.0 means bext's own work (parsing, routing, file
//!   cache lookup, headers) is nearly free; `bext/nginx` above 1.0 means bext is faster.
//!   By default the ceiling's ring is set up as bext's shards set up theirs, so
//!   the ratio isolates bext's own work; `--ceiling-uring coop|defer` sets the kernel's
//!   task-work flags on it to measure what they are worth before bext adopts them.
//! - **CPU accounting per run.** One wrk thread on one core can be slower than the server,
//!   and on a shared machine other processes can take either core. Each run therefore also
//!   records the server's CPU time per request and utilisation (`/proc/<pid>/stat`), how busy
//!   CPU 0 was (`/proc/stat`) and wrk's CPU time (`getrusage`), and the harness says in a
//!   warning which limit applied when the server used under 90% of its core. CPU time per
//!   request stays comparable in every case.
//! - **Interleaved rounds, medians.** For each case every contender is started fresh, checked
//!   to answer 200 with the right body length, and warmed up with one short untimed wrk run;
//!   the servers then stay up while round r runs bext, nginx and ceiling one after another.
//!   Interleaving spreads slow drifts (thermal, a noisy neighbour on the shared machine) over
//!   all contenders instead of punishing whoever ran last. Each metric reports the median over
//!   rounds, which ignores one outlier round; every round's value is kept in the JSON.
//! - **Ratios** are computed from the medians: for req/s above 1.0 is better for bext, for p99
//!   latency and for memory per connection below 1.0 is better for bext.
//! - **Start-up time** is the time from `spawn` to the first HTTP 200 for the small file,
//!   polled with a fresh connection every ~1 ms; median of [`limits::STARTUP_SAMPLES`] starts.
//! - **Memory per idle connection** (`conns`): the server's VmRSS once it has settled, then
//!   N keep-alive connections that each completed one GET and now sit idle, then VmRSS once
//!   settled again; the result is `(after - before) / N` bytes. nginx runs with
//!   `master_process off`, so the process we spawn is the one that serves and the one we
//!   measure (and SIGTERM reaches it directly).
//! - **Deadlines everywhere.** Every wait in the harness is bounded ([`limits`]), and every
//!   child process sits in a guard that sends SIGTERM and then SIGKILL when it is dropped,
//!   also on error paths; servers additionally die with the harness (`PR_SET_PDEATHSIG`).
//! - `--smoke` runs a scenario for about a second with one round and no warm-up (and 1000
//!   connections for `conns`): it proves the harness works end to end and measures nothing
//!   worth comparing. Its JSON goes to `*-smoke.json` so it never overwrites real results.
//!
//! # Reading the JSON
//!
//! `bench/results/<scenario>-latest.json` (schema in [`report`]) is flat on purpose so the
//! perf-history tooling can ingest it without knowing the scenario: one row per
//! `(case, contender, metric)` with every round's value and the median, plus a list of
//! ratios computed from the medians, plus when, where (machine fingerprint) and what (git
//! commit) was measured. See `bench/README.md` for a field-by-field description.
//!
//! # Finding the contenders
//!
//! bext: `$BEXT_BIN`, else `target/release/bext` under the workspace root, else
//! `$CARGO_TARGET_DIR/release/bext`; if none exists the harness says so and runs
//! `cargo build --release -p bext`. nginx: `/usr/sbin/nginx` (`$NGINX_BIN` overrides); nginx
//! and wrk are installed with apt-get if missing. The ceiling: `$BEXT_CEILING_BIN`, else next
//! to this executable, else built with cargo in the same profile. `tls` and `h2` also need
//! openssl and curl, and `h2` h2load: a missing one stops the run with the Debian package to
//! install (`nghttp2-client` for h2load).

#![forbid(unsafe_code)]

mod bext_config;
mod cert;
mod child;
mod cli;
mod conns;
mod contender;
mod cpu_time;
mod crs;
mod curl_check;
mod error;
mod generator;
mod h2;
mod h2load;
mod h3;
mod h3load;
mod http_probe;
mod large;
mod latency;
mod limits;
mod load_run;
mod locate;
mod modsecurity;
mod netns;
mod nginx;
mod pipeline;
mod protocol;
mod proxy;
mod proxy_check;
mod proxy_ws;
mod realtime;
mod report;
mod resumption_check;
mod rss;
mod run;
mod s_client;
mod scaling;
mod scenario;
mod ssr;
mod static_files;
mod stats;
mod sys;
mod table;
mod tls;
mod waf;
mod waf_app;
mod waf_check;
mod workdir;
mod wrk;
mod wrk_case;
mod ws_client;
mod xdp;

use std::process::ExitCode;

use cli::{Command, Options};
use error::Error;

fn main() -> ExitCode {
    match run_cli() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => {
            eprintln!("bext-bench: {message}\n\n{}", cli::usage());
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("bext-bench: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_cli() -> Result<(), Error> {
    match cli::parse(std::env::args_os().skip(1))? {
        Command::Help => {
            println!("{}", cli::usage());
            Ok(())
        }
        Command::Run(options) => run_scenario(&options),
        Command::All(all) => run_all(&all),
    }
}

fn run_scenario(options: &Options) -> Result<(), Error> {
    let scenario = scenario::find(options.scenario)
        .ok_or_else(|| Error::run(format!("internal: no scenario {:?}", options.scenario)))?;
    let report = (scenario.run)(options)?;
    report::write_and_announce(&report, &options.json_path)
}

/// Runs every scenario even if one fails, so one broken scenario does not hide the state of
/// the others; fails at the end if any did.
fn run_all(all: &[Options]) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let mut failed = Vec::new();
    for options in all {
        println!("\n######## {} ########", options.scenario);
        if let Err(error) = run_scenario(options) {
            eprintln!("bext-bench: {}: error: {error}", options.scenario);
            failed.push(options.scenario);
        }
    }
    println!(
        "\nall: {} scenario(s) in {:.1} s{}",
        all.len(),
        started.elapsed().as_secs_f64(),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; failed: {}", failed.join(", "))
        }
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::run(format!(
            "scenario(s) failed: {}",
            failed.join(", ")
        )))
    }
}
