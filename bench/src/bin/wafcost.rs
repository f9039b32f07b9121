//! `bext-wafcost`: what the OWASP Core Rule Set costs per transaction in bext's rule engine
//! alone, without a server, a socket or a load generator.
//!
//! ```text
//! bext-wafcost [--crs ../shared/crs] [--paranoia 1] [--unfolded] [--memo] [--unique] [--rounds 5]
//!              [--round-millis 1000 | --transactions N] [--case small.txt|small.txt-args3]
//! ```
//!
//! It loads CRS as `[waf] crs` does (bext's settings, `crs-setup.conf` or its example,
//! the paranoia level, `rules/*.conf` by name; `mode = "block"`), then runs whole
//! transactions (phases 1 and 2, the response head, the response body when the rules ask
//! for it, logging) for the `waf` scenario's requests (`bext_bench::waf_traffic`): the small
//! file, and the small file with three arguments. Each case runs `--rounds` rounds of
//! `--round-millis` on one thread and prints the median time per transaction, and every
//! transaction must end without an interruption (these requests match no rule), so a rule set
//! that refuses them fails the run rather than timing a refusal.
//!
//! The `waf` scenario measures the whole server; this measures the engine's part of it,
//! with less noise, and is what to run under `perf record` when changing the engine.
//! `--memo` runs the transactions through a shard's memo (`secrule::memo`), as the server
//! does by default: every transaction after the second is a hit, so this is the cost of a
//! request that repeats. Without it, every transaction runs the rules (a request seen for
//! the first time). `--unique` puts a number of its own in each transaction's path
//! (`/u17/small.txt`), so no request repeats: with `--memo`, what the memo costs a request it
//! does not hold (compare with `--unique` alone).
//! `--unfolded` loads the rules without folding (`Builder::finish_unfolded`), to see what
//! folding saves. `--transactions N` runs exactly N transactions a round instead of a
//! length of time: under `perf stat -e instructions`, the difference between two counts
//! over the difference in N is the instructions a transaction takes, a measure the other
//! processes of a busy machine do not disturb.

#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bext_bench::waf_traffic::{ARGS3_QUERY, header_pairs};
use bext_core::config::{WafMode, WafRules};
use bext_core::waf::secrule::{Builder, Memo, Request, ResponseHead, RuleSet, settings};
use std::cell::RefCell;
use std::rc::Rc;

/// The body the small file's response carries (the scenario's `small.txt`).
const RESPONSE_BODY: &[u8] = b"Hello, bext!\n";

struct Args {
    crs: PathBuf,
    paranoia: u8,
    unfolded: bool,
    memo: bool,
    unique: bool,
    rounds: usize,
    round: Duration,
    /// `--transactions`: a round is this many transactions rather than `round` long.
    transactions: Option<u64>,
    /// `--case`: only this case.
    case: Option<String>,
}

fn main() -> ExitCode {
    match parse_args().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bext-wafcost: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Args, String> {
    use lexopt::prelude::*;
    let mut args = Args {
        crs: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/crs"),
        paranoia: 1,
        unfolded: false,
        memo: false,
        unique: false,
        rounds: 5,
        round: Duration::from_millis(1000),
        transactions: None,
        case: None,
    };
    let mut parser = lexopt::Parser::from_env();
    let error = |e: lexopt::Error| e.to_string();
    while let Some(arg) = parser.next().map_err(error)? {
        match arg {
            Long("crs") => args.crs = parser.value().map_err(error)?.into(),
            Long("paranoia") => {
                args.paranoia = parser.value().map_err(error)?.parse().map_err(error)?;
            }
            Long("unfolded") => args.unfolded = true,
            Long("memo") => args.memo = true,
            Long("unique") => args.unique = true,
            Long("transactions") => {
                args.transactions = Some(parser.value().map_err(error)?.parse().map_err(error)?);
            }
            Long("case") => {
                args.case = Some(parser.value().map_err(error)?.string().map_err(error)?)
            }
            Long("rounds") => {
                args.rounds = parser.value().map_err(error)?.parse().map_err(error)?
            }
            Long("round-millis") => {
                let millis: u64 = parser.value().map_err(error)?.parse().map_err(error)?;
                args.round = Duration::from_millis(millis);
            }
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    if !(1..=4).contains(&args.paranoia) {
        return Err(format!("--paranoia {} is not 1 to 4", args.paranoia));
    }
    if args.rounds == 0 {
        return Err("--rounds must be at least 1".into());
    }
    Ok(args)
}

fn run(args: Args) -> Result<(), String> {
    let started = Instant::now();
    let rules = load(&args)?;
    println!(
        "CRS at {} paranoia {}{}{}: loaded in {} ms",
        args.crs.display(),
        args.paranoia,
        if args.unfolded { " (unfolded)" } else { "" },
        if args.memo { " through a memo" } else { "" },
        started.elapsed().as_millis()
    );
    let headers: Vec<(&[u8], &[u8])> = header_pairs()
        .map(|(name, value)| (name.as_bytes(), value.as_bytes()))
        .collect();
    let plain = "/small.txt".to_string();
    let args3 = format!("/small.txt{ARGS3_QUERY}");
    let cases = [("small.txt", &plain), ("small.txt-args3", &args3)];
    if let Some(case) = &args.case
        && !cases.iter().any(|(name, _)| name == case)
    {
        return Err(format!(
            "--case {case}: no such case (small.txt, small.txt-args3)"
        ));
    }
    for (name, target) in cases {
        if args.case.as_ref().is_some_and(|case| case != name) {
            continue;
        }
        let request = Request {
            method: b"GET",
            target: target.as_bytes(),
            protocol: "HTTP/1.1",
            headers: &headers,
            body: None,
            peer: SocketAddr::from(([127, 0, 0, 1], 40_000)),
            unique_id: "bext-wafcost-0000000000000001",
        };
        let mut times = Vec::with_capacity(args.rounds);
        for _ in 0..args.rounds {
            // A memo per round: each round's first two transactions run the rules.
            let memo = args.memo.then(|| Rc::new(RefCell::new(Memo::new())));
            times.push(round(
                &rules,
                memo.as_ref(),
                &request,
                args.unique,
                args.round,
                args.transactions,
            )?);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: {:.2} µs per transaction (median of {} rounds; min {:.2}, max {:.2})",
            times[times.len() / 2],
            times.len(),
            times[0],
            times[times.len() - 1]
        );
    }
    Ok(())
}

/// Runs transactions for `length`, or `count` of them; the mean time of one, in
/// microseconds (0 for none).
fn round(
    rules: &RuleSet,
    memo: Option<&Rc<RefCell<Memo>>>,
    request: &Request<'_>,
    unique: bool,
    length: Duration,
    count: Option<u64>,
) -> Result<f64, String> {
    let length_field = RESPONSE_BODY.len().to_string();
    let response_headers: [(&[u8], &[u8]); 2] = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", length_field.as_bytes()),
    ];
    let head = ResponseHead {
        status: 200,
        protocol: request.protocol,
        headers: &response_headers,
    };
    let mut sequence = 0u64;
    let mut target = Vec::new();
    let mut transaction = || -> Result<(), String> {
        let unique_request;
        let request = if unique {
            sequence += 1;
            target.clear();
            target.extend_from_slice(format!("/u{sequence}").as_bytes());
            target.extend_from_slice(request.target);
            unique_request = Request {
                target: &target,
                ..*request
            };
            &unique_request
        } else {
            request
        };
        let mut tx = rules.begin_with(memo, request);
        tx.check_response_head(rules, &head);
        if tx.response_body_wanted(rules).is_some() {
            tx.check_response_body(rules, RESPONSE_BODY, false);
        }
        let verdict = tx.finish(rules);
        if let Some(interruption) = &verdict.interruption {
            return Err(format!(
                "rule {} refused {} (the measured requests must match no rule)",
                interruption.rule_id,
                String::from_utf8_lossy(request.target)
            ));
        }
        Ok(())
    };
    let started = Instant::now();
    let mut done = 0u64;
    match count {
        Some(count) => {
            while done < count {
                transaction()?;
                done += 1;
            }
        }
        None => {
            while started.elapsed() < length {
                // A batch between clock reads: the clock is not what is measured.
                for _ in 0..64 {
                    transaction()?;
                }
                done += 64;
            }
        }
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / done.max(1) as f64)
}

/// CRS as `net/server/src/waf_rules.rs` loads it for `[waf] crs`.
fn load(args: &Args) -> Result<RuleSet, String> {
    let config = WafRules {
        crs: Some(args.crs.clone()),
        files: Vec::new(),
        paranoia: args.paranoia,
        mode: WafMode::Block,
        anomaly_threshold: None,
        response_body: true,
        expose_matches: false,
        memo: true,
    };
    let rules_dir = args.crs.join("rules");
    let setup = ["crs-setup.conf", "crs-setup.conf.example"]
        .iter()
        .map(|name| args.crs.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| format!("no crs-setup.conf(.example) in {}", args.crs.display()))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&rules_dir)
        .map_err(|e| format!("cannot list {}: {e}", rules_dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "conf"))
        .collect();
    files.sort();
    let mut builder = Builder::new();
    let no_data = |name: &str| Err(format!("bext's settings name no data file ({name})"));
    builder
        .add_file(
            settings::SETTINGS_FILE,
            &settings::before(&config),
            &no_data,
        )
        .map_err(|e| e.to_string())?;
    add(&mut builder, &setup)?;
    builder
        .add_file(
            settings::SETTINGS_FILE,
            &settings::after_setup(&config),
            &no_data,
        )
        .map_err(|e| e.to_string())?;
    for file in &files {
        add(&mut builder, file)?;
    }
    Ok(if args.unfolded {
        builder.finish_unfolded()
    } else {
        builder.finish()
    })
}

fn add(builder: &mut Builder, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let read = |name: &str| {
        let data = dir.join(name);
        std::fs::read_to_string(&data).map_err(|e| format!("cannot read {}: {e}", data.display()))
    };
    builder
        .add_file(&path.display().to_string(), &text, &read)
        .map_err(|e| e.to_string())
}
