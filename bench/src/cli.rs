//! Command-line parsing. Kept apart from the scenarios so that every option's default, bound
//! and `--smoke` override is decided in one place and tested without running anything. Which
//! flags a scenario takes, and its defaults, come from its entry in [`crate::scenario`].

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::PathBuf;

use lexopt::prelude::*;

use crate::contender::{CeilingUring, Contender};
use crate::crs::CRS_DIR_DEFAULT;
use crate::error::Error;
use crate::limits::{
    DURATION_SECS_MAX, IDLE_CONNECTIONS_MAX, PIPELINE_DEPTH_MAX, RATE_MAX, RATES_MAX, ROUNDS_MAX,
    WRK_CONNECTIONS_MAX,
};
use crate::report;
use crate::scenario::{self, Flag, SCENARIOS, Scenario};
use crate::ssr::servers::SsrServer;

const IDLE_CONNECTIONS_DEFAULT: u32 = 10_000;
const SMOKE_DURATION_SECS: u32 = 1;
const SMOKE_IDLE_CONNECTIONS: u32 = 1_000;
/// Rates of the latency scenario, requests per second: well below every contender's
/// saturation on one core (~170k-230k req/s for the small file), so the percentiles show
/// latency rather than queueing at capacity.
const RATES_DEFAULT: [u64; 2] = [20_000, 100_000];
const PIPELINE_DEPTH_DEFAULT: u32 = 16;

/// The usage text, generated from the registry so a new scenario appears in it by itself.
pub fn usage() -> String {
    let mut text = String::from(
        "usage: bext-bench SCENARIO [--contenders bext,nginx,ceiling] [--json PATH] [--smoke] [flags]\n       \
         bext-bench all [--smoke] [--contenders LIST]   (every scenario in turn)\n\nscenarios:\n",
    );
    for scenario in SCENARIOS {
        let flags: Vec<&str> = scenario.flags.iter().map(|flag| flag.name()).collect();
        let _ = writeln!(
            text,
            "  {:<9} {}\n            flags: {}; contenders: {}",
            scenario.name,
            scenario.about,
            if flags.is_empty() {
                "-".to_string()
            } else {
                flags.join(" ")
            },
            names(scenario.contenders),
        );
    }
    text.push_str(
        "\n--duration-secs 5 --rounds 3 --connections N (per scenario) --count 10000 (conns: idle connections; proxy: held WebSocket tunnels;\n         \
         realtime: SSE subscribers)\n\
         --rates 20000,100000 (latency, req/s; realtime: delivered messages/s, default half of bext's maximum) --depth 16 (pipeline)\n\
         tls      --connections 32: wrk's, in every case\n\
         h2       no --connections: its cases run h2load on 1 and on 10 connections, 100 streams each\n\
         --servers LIST  ssr: any of bext-jsc,bext-quickjs,bext-v8,bext-isr,bext-static,node,next,marko (default all but bext-v8;\n         \
         --smoke leaves out next)\n\
         --pages LIST    ssr: the pages measured (default all: /simple,/dashboard,/table/50,/table/200,/full-page)\n\
         --crs DIR       waf: the OWASP Core Rule Set v4 (default ../shared/crs, relative to the workspace root)\n\
         --ceiling-uring defer|coop|plain  the ceiling's io_uring setup (default defer, as bext's shards)\n\
         --smoke  about one second, one round, no warm-up: proves the harness works; results go to\n         \
         <scenario>-smoke.json\n\
         env      BEXT_BIN, BEXT_CEILING_BIN, BEXT_LOADGEN_BIN, NGINX_BIN, NGINX_MODSECURITY_MODULE override\n         \
         where programs are found",
    );
    text
}

#[derive(Debug)]
pub enum Command {
    Help,
    Run(Options),
    /// Every scenario in turn, with these options each (contenders already narrowed).
    All(Vec<Options>),
}

/// A scenario's options after defaults and checks.
#[derive(Debug)]
pub struct Options {
    pub scenario: &'static str,
    pub duration_secs: u32,
    pub rounds: u32,
    pub connections: u32,
    pub contenders: Vec<Contender>,
    pub json_path: PathBuf,
    pub smoke: bool,
    pub ceiling_uring: CeilingUring,
    /// `conns`: idle connections; `proxy`: WebSocket tunnels held through each proxy.
    pub count: u32,
    /// `latency`: total request rates, requests per second; `realtime`: delivered messages
    /// per second.
    pub rates: Vec<u64>,
    /// `--rates` was given (`realtime` derives its rate from its own maximum otherwise).
    pub rates_given: bool,
    /// `pipeline`: requests per write.
    pub depth: u32,
    /// `ssr`: the servers compared; `None` means the scenario's default set.
    pub servers: Option<Vec<SsrServer>>,
    /// `ssr`: the pages measured (paths of `ssr::PAGES`); `None` means all of them.
    pub pages: Option<Vec<&'static str>>,
    /// `waf`: the OWASP CRS directory, as given (relative: from the workspace root; checked
    /// when the scenario runs, `crs::locate`).
    pub crs: PathBuf,
}

/// Everything that may appear on the command line, before defaults and checks.
#[derive(Default)]
struct Raw {
    scenario: Option<String>,
    duration_secs: Option<u32>,
    rounds: Option<u32>,
    connections: Option<u32>,
    count: Option<u32>,
    rates: Option<Vec<u64>>,
    depth: Option<u32>,
    servers: Option<Vec<SsrServer>>,
    pages: Option<Vec<&'static str>>,
    crs: Option<PathBuf>,
    contenders: Option<Vec<Contender>>,
    json_path: Option<PathBuf>,
    smoke: bool,
    ceiling_uring: Option<CeilingUring>,
    help: bool,
}

impl Raw {
    /// The scenario-specific flags that were given.
    fn given(&self) -> Vec<Flag> {
        [
            (self.duration_secs.is_some(), Flag::DurationSecs),
            (self.rounds.is_some(), Flag::Rounds),
            (self.connections.is_some(), Flag::Connections),
            (self.count.is_some(), Flag::Count),
            (self.rates.is_some(), Flag::Rates),
            (self.depth.is_some(), Flag::Depth),
            (self.ceiling_uring.is_some(), Flag::CeilingUring),
            (self.servers.is_some(), Flag::Servers),
            (self.pages.is_some(), Flag::Pages),
            (self.crs.is_some(), Flag::Crs),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }
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
            Long("rates") => raw.rates = Some(parser.value()?.parse_with(parse_rates)?),
            Long("depth") => raw.depth = Some(parser.value()?.parse()?),
            Long("servers") => {
                raw.servers = Some(parser.value()?.parse_with(SsrServer::parse_list)?)
            }
            Long("pages") => raw.pages = Some(parser.value()?.parse_with(crate::ssr::parse_pages)?),
            Long("contenders") => {
                raw.contenders = Some(parser.value()?.parse_with(Contender::parse_list)?)
            }
            Long("json") => raw.json_path = Some(parser.value()?.into()),
            Long("crs") => raw.crs = Some(parser.value()?.into()),
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

/// "20000,100000" -> [20000, 100000].
fn parse_rates(list: &str) -> Result<Vec<u64>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|rate| !rate.is_empty())
        .map(|rate| {
            rate.parse::<u64>()
                .map_err(|_| format!("bad rate {rate:?} (requests per second)"))
        })
        .collect()
}

fn resolve(raw: Raw) -> Result<Command, Error> {
    if raw.help {
        return Ok(Command::Help);
    }
    let usage = |message: String| Err(Error::Usage(message));
    match raw.scenario.as_deref() {
        Some("all") => {
            if let Some(flag) = raw.given().first() {
                return usage(format!(
                    "{} applies to single scenarios; `all` takes --smoke and --contenders only",
                    flag.name()
                ));
            }
            if raw.json_path.is_some() {
                return usage("`all` writes each scenario's default JSON path; --json applies to single scenarios".into());
            }
            let mut all = Vec::new();
            for scenario in SCENARIOS {
                // Each scenario runs the asked-for contenders it can run at all.
                let contenders = match &raw.contenders {
                    Some(asked) => {
                        let usable: Vec<Contender> = asked
                            .iter()
                            .copied()
                            .filter(|contender| scenario.allowed.contains(contender))
                            .collect();
                        if usable.is_empty() {
                            continue;
                        }
                        Some(usable)
                    }
                    None => None,
                };
                let raw = Raw {
                    contenders,
                    smoke: raw.smoke,
                    ..Raw::default()
                };
                all.push(options_for(scenario, raw)?);
            }
            Ok(Command::All(all))
        }
        Some(name) => match scenario::find(name) {
            Some(scenario) => Ok(Command::Run(options_for(scenario, raw)?)),
            None => usage(format!(
                "unknown scenario {name:?} (expected {} or all)",
                scenario::names()
            )),
        },
        None => usage(format!("missing scenario ({} or all)", scenario::names())),
    }
}

fn options_for(scenario: &'static Scenario, raw: Raw) -> Result<Options, Error> {
    if let Some(flag) = raw
        .given()
        .into_iter()
        .find(|flag| !scenario.flags.contains(flag))
    {
        let takes: Vec<&str> = scenario.flags.iter().map(|flag| flag.name()).collect();
        return Err(Error::Usage(format!(
            "{} does not apply to the {} scenario (it takes {})",
            flag.name(),
            scenario.name,
            if takes.is_empty() {
                "none".to_string()
            } else {
                takes.join(", ")
            }
        )));
    }
    let smoke = raw.smoke;
    let defaults = scenario.defaults;
    let duration_secs = raw.duration_secs.unwrap_or(if smoke {
        SMOKE_DURATION_SECS
    } else {
        defaults.duration_secs
    });
    let rounds = raw
        .rounds
        .unwrap_or(if smoke { 1 } else { defaults.rounds });
    let connections = raw.connections.unwrap_or(defaults.connections);
    let count = raw.count.unwrap_or(if smoke {
        SMOKE_IDLE_CONNECTIONS
    } else {
        IDLE_CONNECTIONS_DEFAULT
    });
    let rates_given = raw.rates.is_some();
    // Smoke proves the machinery with the lower rate only.
    let rates = raw.rates.unwrap_or_else(|| {
        if smoke {
            RATES_DEFAULT[..1].to_vec()
        } else {
            RATES_DEFAULT.to_vec()
        }
    });
    let depth = raw.depth.unwrap_or(PIPELINE_DEPTH_DEFAULT);
    check_range("--duration-secs", duration_secs, DURATION_SECS_MAX)?;
    check_range("--rounds", rounds, ROUNDS_MAX)?;
    check_range("--connections", connections, WRK_CONNECTIONS_MAX)?;
    check_range("--count", count, IDLE_CONNECTIONS_MAX)?;
    check_range("--depth", depth, PIPELINE_DEPTH_MAX)?;
    if rates.is_empty() || rates.len() > RATES_MAX {
        return Err(Error::Usage(format!(
            "--rates needs 1 to {RATES_MAX} rates"
        )));
    }
    for &rate in &rates {
        if rate == 0 || rate > RATE_MAX {
            return Err(Error::Usage(format!(
                "--rates: each rate must be between 1 and {RATE_MAX}, got {rate}"
            )));
        }
    }
    if raw.pages.as_ref().is_some_and(Vec::is_empty) {
        return Err(Error::Usage("--pages needs at least one page".to_string()));
    }
    if raw.servers.as_ref().is_some_and(Vec::is_empty) {
        return Err(Error::Usage(
            "--servers needs at least one server".to_string(),
        ));
    }
    let contenders = raw
        .contenders
        .unwrap_or_else(|| scenario.contenders.to_vec());
    if contenders.is_empty() {
        return Err(Error::Usage(
            "--contenders needs at least one contender".to_string(),
        ));
    }
    if let Some(refused) = contenders.iter().find(|c| !scenario.allowed.contains(c)) {
        return Err(Error::Usage(format!(
            "{} cannot run the {} scenario (it runs {})",
            refused.name(),
            scenario.name,
            names(scenario.allowed)
        )));
    }
    Ok(Options {
        scenario: scenario.name,
        duration_secs,
        rounds,
        connections,
        contenders,
        json_path: raw
            .json_path
            .unwrap_or_else(|| report::default_json_path(scenario.name, smoke)),
        smoke,
        ceiling_uring: raw.ceiling_uring.unwrap_or(CeilingUring::Defer),
        count,
        rates,
        rates_given,
        depth,
        servers: raw.servers,
        pages: raw.pages,
        crs: raw.crs.unwrap_or_else(|| PathBuf::from(CRS_DIR_DEFAULT)),
    })
}

fn names(contenders: &[Contender]) -> String {
    contenders
        .iter()
        .map(|contender| contender.name())
        .collect::<Vec<_>>()
        .join(",")
}

fn check_range(flag: &str, value: u32, max: u32) -> Result<(), Error> {
    if value == 0 || value > max {
        return Err(Error::Usage(format!(
            "{flag} must be between 1 and {max}, got {value}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `args` and compares a one-line summary with `expect`.
    fn check(args: &[&str], expect: &str) {
        let actual = match parse(args.iter().map(OsString::from)) {
            Ok(Command::Help) => "help".to_string(),
            Ok(Command::Run(options)) => summary(&options),
            Ok(Command::All(all)) => all.iter().map(summary).collect::<Vec<_>>().join(" | "),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect, "args: {args:?}");
    }

    /// The options that matter for `o.scenario`, on one line.
    fn summary(o: &Options) -> String {
        let file = o
            .json_path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let specific = match o.scenario {
            "conns" => format!("n{}", o.count),
            "proxy" => format!(
                "{}s x{} c{} n{}",
                o.duration_secs, o.rounds, o.connections, o.count
            ),
            "realtime" => format!(
                "{}s x{} n{} rates={}",
                o.duration_secs,
                o.rounds,
                o.count,
                if o.rates_given {
                    o.rates
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                } else {
                    "half".to_string()
                }
            ),
            "latency" => format!(
                "{}s x{} c{} rates={}",
                o.duration_secs,
                o.rounds,
                o.connections,
                o.rates
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            "pipeline" => format!(
                "{}s x{} c{} depth={}",
                o.duration_secs, o.rounds, o.connections, o.depth
            ),
            "ssr" => format!(
                "{}s x{} c{} servers={}",
                o.duration_secs,
                o.rounds,
                o.connections,
                o.servers.as_ref().map_or("default".to_string(), |servers| {
                    servers
                        .iter()
                        .map(|server| server.name())
                        .collect::<Vec<_>>()
                        .join(",")
                })
            ),
            // Its cases fix their connections.
            "h2" | "h3" | "xdp" => format!("{}s x{}", o.duration_secs, o.rounds),
            "waf" => format!(
                "{}s x{} c{} crs={}",
                o.duration_secs,
                o.rounds,
                o.connections,
                o.crs.display()
            ),
            _ => format!("{}s x{} c{}", o.duration_secs, o.rounds, o.connections),
        };
        format!(
            "{} {specific} [{}] {file}{}{}",
            o.scenario,
            names(&o.contenders),
            if o.smoke { " smoke" } else { "" },
            match o.ceiling_uring {
                CeilingUring::Defer => String::new(),
                other => format!(" uring={}", other.name()),
            }
        )
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
        check(
            &["latency"],
            "latency 5s x3 c64 rates=20000,100000 [bext,nginx,ceiling] latency-latest.json",
        );
        check(
            &["latency", "--smoke"],
            "latency 1s x1 c64 rates=20000 [bext,nginx,ceiling] latency-smoke.json smoke",
        );
        check(
            &["latency", "--rates", "1000, 5000", "--connections", "8"],
            "latency 5s x3 c8 rates=1000,5000 [bext,nginx,ceiling] latency-latest.json",
        );
        check(
            &["pipeline"],
            "pipeline 5s x3 c50 depth=16 [bext,nginx] pipeline-latest.json",
        );
        check(
            &["pipeline", "--depth", "4", "--smoke"],
            "pipeline 1s x1 c50 depth=4 [bext,nginx] pipeline-smoke.json smoke",
        );
        check(
            &["proxy"],
            "proxy 5s x3 c50 n10000 [bext,nginx] proxy-latest.json",
        );
        check(
            &["proxy", "--smoke", "--count", "200", "--connections", "8"],
            "proxy 1s x1 c8 n200 [bext,nginx] proxy-smoke.json smoke",
        );
        check(&["large"], "large 5s x3 c8 [bext,nginx] large-latest.json");
        check(
            &["large", "--contenders", "ceiling", "--smoke"],
            "large 1s x1 c8 [ceiling] large-smoke.json smoke",
        );
        check(
            &["scaling", "--smoke"],
            "scaling 1s x1 c50 [bext,nginx] scaling-smoke.json smoke",
        );
        check(&["tls"], "tls 5s x3 c32 [bext,nginx] tls-latest.json");
        check(
            &["h2", "--smoke", "--contenders", "nginx"],
            "h2 1s x1 [nginx] h2-smoke.json smoke",
        );
        check(&["h2"], "h2 5s x3 [bext,nginx] h2-latest.json");
        check(
            &["ssr"],
            "ssr 5s x3 c50 servers=default [bext] ssr-latest.json",
        );
        check(
            &["ssr", "--smoke", "--servers", "node, bext-isr,node"],
            "ssr 1s x1 c50 servers=node,bext-isr [bext] ssr-smoke.json smoke",
        );
        check(
            &["waf"],
            "waf 5s x3 c50 crs=../shared/crs [bext,nginx] waf-latest.json",
        );
        check(
            &[
                "waf",
                "--smoke",
                "--crs",
                "/etc/crs",
                "--contenders",
                "bext",
            ],
            "waf 1s x1 c50 crs=/etc/crs [bext] waf-smoke.json smoke",
        );
        check(
            &["realtime"],
            "realtime 5s x3 n10000 rates=half [bext,node] realtime-latest.json",
        );
        check(
            &[
                "realtime",
                "--smoke",
                "--rates",
                "500000",
                "--contenders",
                "bext",
            ],
            "realtime 1s x1 n1000 rates=500000 [bext] realtime-smoke.json smoke",
        );
        check(
            &["realtime", "--connections", "5"],
            "error: --connections does not apply to the realtime scenario (it takes --duration-secs, --rounds, --count, --rates)",
        );
        check(
            &["static", "--contenders", "node"],
            "error: node cannot run the static scenario (it runs bext,nginx,ceiling)",
        );
        check(&["--help"], "help");
        check(&["static", "-h"], "help");
    }

    #[test]
    fn all_runs_every_scenario_with_the_contenders_it_can() {
        check(
            &["all", "--smoke"],
            "static 1s x1 c50 [bext,nginx,ceiling] static-smoke.json smoke \
             | conns n1000 [bext,nginx] conns-smoke.json smoke \
             | latency 1s x1 c64 rates=20000 [bext,nginx,ceiling] latency-smoke.json smoke \
             | pipeline 1s x1 c50 depth=16 [bext,nginx] pipeline-smoke.json smoke \
             | large 1s x1 c8 [bext,nginx] large-smoke.json smoke \
             | scaling 1s x1 c50 [bext,nginx] scaling-smoke.json smoke \
             | tls 1s x1 c32 [bext,nginx] tls-smoke.json smoke \
             | h2 1s x1 [bext,nginx] h2-smoke.json smoke \
             | h3 1s x1 [bext] h3-smoke.json smoke \
             | waf 1s x1 c50 crs=../shared/crs [bext,nginx] waf-smoke.json smoke \
             | xdp 1s x1 [bext] xdp-smoke.json smoke \
             | proxy 1s x1 c50 n1000 [bext,nginx] proxy-smoke.json smoke \
             | realtime 1s x1 n1000 rates=half [bext,node] realtime-smoke.json smoke \
             | ssr 1s x1 c50 servers=default [bext] ssr-smoke.json smoke",
        );
        // Scenarios that cannot run any asked-for contender are left out.
        check(
            &["all", "--smoke", "--contenders", "ceiling"],
            "static 1s x1 c50 [ceiling] static-smoke.json smoke \
             | conns n1000 [ceiling] conns-smoke.json smoke \
             | latency 1s x1 c64 rates=20000 [ceiling] latency-smoke.json smoke \
             | large 1s x1 c8 [ceiling] large-smoke.json smoke",
        );
        check(
            &["all", "--rounds", "2"],
            "error: --rounds applies to single scenarios; `all` takes --smoke and --contenders only",
        );
        check(
            &["all", "--json", "x.json"],
            "error: `all` writes each scenario's default JSON path; --json applies to single scenarios",
        );
    }

    #[test]
    fn rejects_bad_command_lines() {
        check(
            &[],
            "error: missing scenario (static, conns, latency, pipeline, large, scaling, tls, h2, h3, waf, xdp, proxy, realtime, ssr or all)",
        );
        check(
            &["dynamic"],
            "error: unknown scenario \"dynamic\" (expected static, conns, latency, pipeline, large, scaling, tls, h2, h3, waf, xdp, proxy, realtime, ssr or all)",
        );
        check(
            &["static", "--count", "5"],
            "error: --count does not apply to the static scenario (it takes --duration-secs, --rounds, --connections, --ceiling-uring)",
        );
        check(
            &["conns", "--rounds", "5"],
            "error: --rounds does not apply to the conns scenario (it takes --count, --ceiling-uring)",
        );
        check(
            &["static", "--rates", "5"],
            "error: --rates does not apply to the static scenario (it takes --duration-secs, --rounds, --connections, --ceiling-uring)",
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
            "error: cannot parse argument \"bext,apache\": unknown contender \"apache\" (expected bext, nginx, ceiling or node)",
        );
        check(
            &["pipeline", "--contenders", "ceiling"],
            "error: ceiling cannot run the pipeline scenario (it runs bext,nginx)",
        );
        check(
            &["scaling", "--contenders", "bext,ceiling"],
            "error: ceiling cannot run the scaling scenario (it runs bext,nginx)",
        );
        check(
            &["tls", "--contenders", "ceiling"],
            "error: ceiling cannot run the tls scenario (it runs bext,nginx)",
        );
        check(
            &["waf", "--contenders", "ceiling"],
            "error: ceiling cannot run the waf scenario (it runs bext,nginx)",
        );
        check(
            &["static", "--crs", "/etc/crs"],
            "error: --crs does not apply to the static scenario (it takes --duration-secs, --rounds, --connections, --ceiling-uring)",
        );
        check(
            &["h2", "--depth", "4"],
            "error: --depth does not apply to the h2 scenario (it takes --duration-secs, --rounds)",
        );
        check(
            &["h2", "--connections", "8"],
            "error: --connections does not apply to the h2 scenario (it takes --duration-secs, --rounds)",
        );
        check(
            &["latency", "--rates", "0"],
            "error: --rates: each rate must be between 1 and 10000000, got 0",
        );
        check(
            &["latency", "--rates", ","],
            "error: --rates needs 1 to 8 rates",
        );
        check(
            &["latency", "--rates", "fast"],
            "error: cannot parse argument \"fast\": bad rate \"fast\" (requests per second)",
        );
        check(
            &["static", "--servers", "node"],
            "error: --servers does not apply to the static scenario (it takes --duration-secs, --rounds, --connections, --ceiling-uring)",
        );
        check(
            &["ssr", "--servers", "node,deno"],
            "error: cannot parse argument \"node,deno\": unknown server \"deno\" (expected bext-jsc, bext-quickjs, bext-v8, bext-isr, bext-static, node, next or marko)",
        );
        check(
            &["ssr", "--servers", ","],
            "error: --servers needs at least one server",
        );
        check(
            &["pipeline", "--depth", "1000"],
            "error: --depth must be between 1 and 256, got 1000",
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
