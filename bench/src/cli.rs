//! Command-line parsing. Kept apart from the scenarios so that every option's default, bound
//! and `--smoke` override is decided in one place and tested without running anything.

use std::ffi::OsString;
use std::path::PathBuf;

use lexopt::prelude::*;

use crate::contender::{CeilingUring, Contender};
use crate::error::Error;
use crate::limits::{DURATION_SECS_MAX, IDLE_CONNECTIONS_MAX, ROUNDS_MAX, WRK_CONNECTIONS_MAX};
use crate::report;

pub const USAGE: &str = "\
usage: bext-bench static [--duration-secs 5] [--rounds 3] [--connections 50]
                         [--contenders bext,nginx,ceiling] [--json PATH] [--smoke]
                         [--ceiling-uring plain|coop|defer]
       bext-bench conns  [--count 10000] [--contenders bext,nginx] [--json PATH] [--smoke]
                         [--ceiling-uring plain|coop|defer]

static  wrk against a 13-byte and a 4 KiB file; req/s and p99 per contender, plus bext
        start-up time (spawn to first 200, median of 5)
conns   memory per idle keep-alive connection: (VmRSS after - before) / count
--ceiling-uring  the ceiling's io_uring setup: defer (SINGLE_ISSUER|DEFER_TASKRUN, the
        default, as bext's shards), coop (COOP_TASKRUN) or plain (the kernel's defaults)
--smoke about one second, one round, no warm-up (1000 connections for conns): proves the
        harness works; results go to <scenario>-smoke.json
env     BEXT_BIN, BEXT_CEILING_BIN, NGINX_BIN override where the contenders are found";

const DURATION_SECS_DEFAULT: u32 = 5;
const ROUNDS_DEFAULT: u32 = 3;
const WRK_CONNECTIONS_DEFAULT: u32 = 50;
const IDLE_CONNECTIONS_DEFAULT: u32 = 10_000;
const SMOKE_DURATION_SECS: u32 = 1;
const SMOKE_IDLE_CONNECTIONS: u32 = 1_000;

#[derive(Debug)]
pub enum Command {
    Help,
    Static(StaticOptions),
    Conns(ConnsOptions),
}

#[derive(Debug)]
pub struct StaticOptions {
    pub duration_secs: u32,
    pub rounds: u32,
    pub connections: u32,
    pub contenders: Vec<Contender>,
    pub json_path: PathBuf,
    pub smoke: bool,
    pub ceiling_uring: CeilingUring,
}

#[derive(Debug)]
pub struct ConnsOptions {
    pub count: u32,
    pub contenders: Vec<Contender>,
    pub json_path: PathBuf,
    pub smoke: bool,
    pub ceiling_uring: CeilingUring,
}

/// Everything that may appear on the command line, before defaults and checks.
#[derive(Default)]
struct Raw {
    scenario: Option<String>,
    duration_secs: Option<u32>,
    rounds: Option<u32>,
    connections: Option<u32>,
    count: Option<u32>,
    contenders: Option<Vec<Contender>>,
    json_path: Option<PathBuf>,
    smoke: bool,
    ceiling_uring: Option<CeilingUring>,
    help: bool,
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, Error> {
    let raw = parse_raw(args).map_err(|error| Error::Usage(error.to_string()))?;
    resolve(raw)
}

fn parse_raw(args: impl IntoIterator<Item = OsString>) -> Result<Raw, lexopt::Error> {
    let mut raw = Raw::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => raw.help = true,
            Long("duration-secs") => raw.duration_secs = Some(parser.value()?.parse()?),
            Long("rounds") => raw.rounds = Some(parser.value()?.parse()?),
            Long("connections") => raw.connections = Some(parser.value()?.parse()?),
            Long("count") => raw.count = Some(parser.value()?.parse()?),
            Long("contenders") => {
                raw.contenders = Some(parser.value()?.parse_with(Contender::parse_list)?)
            }
            Long("json") => raw.json_path = Some(parser.value()?.into()),
            Long("smoke") => raw.smoke = true,
            Long("ceiling-uring") => {
                raw.ceiling_uring = Some(parser.value()?.parse_with(CeilingUring::parse)?)
            }
            Value(value) if raw.scenario.is_none() => raw.scenario = Some(value.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(raw)
}

fn resolve(raw: Raw) -> Result<Command, Error> {
    if raw.help {
        return Ok(Command::Help);
    }
    let usage = |message: &str| Err(Error::Usage(message.to_string()));
    match raw.scenario.as_deref() {
        Some("static") => {
            if raw.count.is_some() {
                return usage("--count applies to the conns scenario only");
            }
            let duration_secs = raw.duration_secs.unwrap_or(if raw.smoke {
                SMOKE_DURATION_SECS
            } else {
                DURATION_SECS_DEFAULT
            });
            let rounds = raw
                .rounds
                .unwrap_or(if raw.smoke { 1 } else { ROUNDS_DEFAULT });
            let connections = raw.connections.unwrap_or(WRK_CONNECTIONS_DEFAULT);
            check_range("--duration-secs", duration_secs, DURATION_SECS_MAX)?;
            check_range("--rounds", rounds, ROUNDS_MAX)?;
            check_range("--connections", connections, WRK_CONNECTIONS_MAX)?;
            Ok(Command::Static(StaticOptions {
                duration_secs,
                rounds,
                connections,
                contenders: contenders_or(raw.contenders, &Contender::ALL)?,
                json_path: raw
                    .json_path
                    .unwrap_or_else(|| report::default_json_path("static", raw.smoke)),
                smoke: raw.smoke,
                ceiling_uring: raw.ceiling_uring.unwrap_or(CeilingUring::Defer),
            }))
        }
        Some("conns") => {
            if raw.duration_secs.is_some() || raw.rounds.is_some() || raw.connections.is_some() {
                return usage(
                    "--duration-secs, --rounds and --connections apply to the static scenario only",
                );
            }
            let count = raw.count.unwrap_or(if raw.smoke {
                SMOKE_IDLE_CONNECTIONS
            } else {
                IDLE_CONNECTIONS_DEFAULT
            });
            check_range("--count", count, IDLE_CONNECTIONS_MAX)?;
            Ok(Command::Conns(ConnsOptions {
                count,
                // The ceiling answers without keeping any per-connection state worth comparing,
                // so it runs here only when asked for.
                contenders: contenders_or(raw.contenders, &[Contender::Bext, Contender::Nginx])?,
                json_path: raw
                    .json_path
                    .unwrap_or_else(|| report::default_json_path("conns", raw.smoke)),
                smoke: raw.smoke,
                ceiling_uring: raw.ceiling_uring.unwrap_or(CeilingUring::Defer),
            }))
        }
        Some(other) => usage(&format!(
            "unknown scenario {other:?} (expected static or conns)"
        )),
        None => usage("missing scenario (static or conns)"),
    }
}

fn check_range(flag: &str, value: u32, max: u32) -> Result<(), Error> {
    if value == 0 || value > max {
        return Err(Error::Usage(format!(
            "{flag} must be between 1 and {max}, got {value}"
        )));
    }
    Ok(())
}

fn contenders_or(
    given: Option<Vec<Contender>>,
    default: &[Contender],
) -> Result<Vec<Contender>, Error> {
    let contenders = given.unwrap_or_else(|| default.to_vec());
    if contenders.is_empty() {
        return Err(Error::Usage(
            "--contenders needs at least one contender".to_string(),
        ));
    }
    Ok(contenders)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `args` and compares a one-line summary with `expect`.
    fn check(args: &[&str], expect: &str) {
        let actual = match parse(args.iter().map(OsString::from)) {
            Ok(command) => summary(&command),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect, "args: {args:?}");
    }

    fn summary(command: &Command) -> String {
        let names = |contenders: &[Contender]| {
            contenders
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(",")
        };
        let file = |path: &PathBuf| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let uring = |setup: CeilingUring| match setup {
            CeilingUring::Defer => String::new(),
            other => format!(" uring={}", other.name()),
        };
        match command {
            Command::Help => "help".to_string(),
            Command::Static(o) => format!(
                "static {}s x{} c{} [{}] {}{}{}",
                o.duration_secs,
                o.rounds,
                o.connections,
                names(&o.contenders),
                file(&o.json_path),
                if o.smoke { " smoke" } else { "" },
                uring(o.ceiling_uring)
            ),
            Command::Conns(o) => format!(
                "conns n{} [{}] {}{}{}",
                o.count,
                names(&o.contenders),
                file(&o.json_path),
                if o.smoke { " smoke" } else { "" },
                uring(o.ceiling_uring)
            ),
        }
    }

    #[test]
    fn parses_scenarios_defaults_and_overrides() {
        check(
            &["static"],
            "static 5s x3 c50 [bext,nginx,ceiling] static-latest.json",
        );
        check(
            &[
                "static",
                "--duration-secs",
                "2",
                "--rounds",
                "1",
                "--connections",
                "10",
            ],
            "static 2s x1 c10 [bext,nginx,ceiling] static-latest.json",
        );
        check(
            &["static", "--smoke"],
            "static 1s x1 c50 [bext,nginx,ceiling] static-smoke.json smoke",
        );
        // An explicit flag beats the smoke default.
        check(
            &["static", "--smoke", "--rounds", "2"],
            "static 1s x2 c50 [bext,nginx,ceiling] static-smoke.json smoke",
        );
        check(
            &[
                "static",
                "--contenders",
                "nginx,ceiling",
                "--json",
                "/tmp/x.json",
            ],
            "static 5s x3 c50 [nginx,ceiling] x.json",
        );
        check(&["conns"], "conns n10000 [bext,nginx] conns-latest.json");
        check(
            &["conns", "--count", "200", "--contenders", "nginx,ceiling"],
            "conns n200 [nginx,ceiling] conns-latest.json",
        );
        check(
            &["conns", "--smoke"],
            "conns n1000 [bext,nginx] conns-smoke.json smoke",
        );
        check(
            &["static", "--ceiling-uring", "plain", "--smoke"],
            "static 1s x1 c50 [bext,nginx,ceiling] static-smoke.json smoke uring=plain",
        );
        check(&["--help"], "help");
        check(&["static", "-h"], "help");
    }

    #[test]
    fn rejects_bad_command_lines() {
        check(&[], "error: missing scenario (static or conns)");
        check(
            &["dynamic"],
            "error: unknown scenario \"dynamic\" (expected static or conns)",
        );
        check(
            &["static", "--count", "5"],
            "error: --count applies to the conns scenario only",
        );
        check(
            &["conns", "--rounds", "5"],
            "error: --duration-secs, --rounds and --connections apply to the static scenario only",
        );
        check(
            &["static", "--rounds", "0"],
            "error: --rounds must be between 1 and 100, got 0",
        );
        check(
            &["conns", "--count", "60000"],
            "error: --count must be between 1 and 50000, got 60000",
        );
        check(
            &["static", "--contenders", "bext,apache"],
            "error: cannot parse argument \"bext,apache\": unknown contender \"apache\" (expected bext, nginx or ceiling)",
        );
        check(
            &["static", "--duration-secs", "x"],
            "error: cannot parse argument \"x\": invalid digit found in string",
        );
        check(&["static", "extra"], "error: unexpected argument \"extra\"");
        check(&["static", "--bogus"], "error: invalid option '--bogus'");
        check(
            &["conns", "--ceiling-uring", "sqpoll"],
            "error: cannot parse argument \"sqpoll\": unknown io_uring setup \"sqpoll\" (expected plain, coop or defer)",
        );
    }
}
