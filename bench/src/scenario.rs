//! The registry of scenarios: the one place a scenario is declared, and the hook new
//! scenarios plug into, as `ssr`, `tls`, `h2`, `waf`, `proxy` and `realtime` did.
//!
//! A scenario is a [`Scenario`] entry in [`SCENARIOS`]: its name, a one-line description,
//! the flags it accepts, its default contenders (and those it can run at all), its defaults
//! for duration, rounds and connections, and a `run` function from the parsed [`Options`] to
//! a [`Report`]. Everything else comes with the entry, for free:
//!
//! - the command line (`bext-bench NAME [flags]`), with flags checked against the declared
//!   list and the defaults and `--smoke` overrides of [`crate::cli`];
//! - smoke mode: `--smoke` gives the scenario a 1-second duration, one round and no warm-up,
//!   and `bext-bench all --smoke` runs it together with every other scenario;
//! - the JSON report (schema version 1, `bench/results/NAME-latest.json`, or
//!   `NAME-smoke.json`), which the perf history (`perf/`) records without per-scenario code
//!   as long as the scenario writes flat `(case, contender, metric)` rows.
//!
//! To add one: write `src/<name>.rs` with `pub fn run(options: &Options) -> Result<Report,
//! Error>` (honour `options.smoke` by skipping warm-ups; the durations are already
//! shortened), add an entry here, and document its cases and metrics in `bench/README.md`.

use crate::cli::Options;
use crate::contender::Contender;
use crate::error::Error;
use crate::report::Report;
use crate::{
    conns, h2, h3, large, latency, pipeline, proxy, realtime, scaling, ssr, static_files, tls, waf,
    xdp,
};

/// A flag beyond the ones every scenario takes (`--contenders`, `--json`, `--smoke`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    DurationSecs,
    Rounds,
    Connections,
    Count,
    Rates,
    Depth,
    CeilingUring,
    Servers,
    Pages,
    Crs,
}

impl Flag {
    pub fn name(self) -> &'static str {
        match self {
            Flag::DurationSecs => "--duration-secs",
            Flag::Rounds => "--rounds",
            Flag::Connections => "--connections",
            Flag::Count => "--count",
            Flag::Rates => "--rates",
            Flag::Depth => "--depth",
            Flag::CeilingUring => "--ceiling-uring",
            Flag::Servers => "--servers",
            Flag::Pages => "--pages",
            Flag::Crs => "--crs",
        }
    }
}

/// Defaults of a full (non-smoke) run.
#[derive(Clone, Copy, Debug)]
pub struct Defaults {
    pub duration_secs: u32,
    pub rounds: u32,
    pub connections: u32,
}

pub struct Scenario {
    pub name: &'static str,
    /// One line for the usage text.
    pub about: &'static str,
    pub flags: &'static [Flag],
    /// Contenders run when `--contenders` is not given.
    pub contenders: &'static [Contender],
    /// Contenders that make sense here at all; others are refused.
    pub allowed: &'static [Contender],
    pub defaults: Defaults,
    pub run: fn(&Options) -> Result<Report, Error>,
}

const ALL: &[Contender] = &Contender::ALL;
const PEERS: &[Contender] = &[Contender::Bext, Contender::Nginx];
const BEXT_ONLY: &[Contender] = &[Contender::Bext];
const HUBS: &[Contender] = &[Contender::Bext, Contender::Node];
const WRK_FLAGS: &[Flag] = &[Flag::DurationSecs, Flag::Rounds, Flag::Connections];
const STATIC_DEFAULTS: Defaults = Defaults {
    duration_secs: 5,
    rounds: 3,
    connections: 50,
};

/// Every scenario, in the order `bext-bench all` runs them.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "static",
        about: "wrk against a 13-byte and a 4 KiB file: req/s, p99, CPU per request; bext start-up time",
        flags: &[
            Flag::DurationSecs,
            Flag::Rounds,
            Flag::Connections,
            Flag::CeilingUring,
        ],
        contenders: ALL,
        allowed: ALL,
        defaults: STATIC_DEFAULTS,
        run: static_files::run,
    },
    Scenario {
        name: "conns",
        about: "memory per idle keep-alive connection: (VmRSS after - before) / count",
        flags: &[Flag::Count, Flag::CeilingUring],
        // The ceiling keeps no per-connection state worth comparing: only when asked for.
        contenders: PEERS,
        allowed: ALL,
        defaults: STATIC_DEFAULTS,
        run: conns::run,
    },
    Scenario {
        name: "latency",
        about: "fixed request rates (bext-loadgen, open loop): latency percentiles free of coordinated omission",
        flags: &[
            Flag::DurationSecs,
            Flag::Rounds,
            Flag::Connections,
            Flag::Rates,
            Flag::CeilingUring,
        ],
        contenders: ALL,
        allowed: ALL,
        defaults: Defaults {
            duration_secs: 5,
            rounds: 3,
            connections: latency::CONNECTIONS_DEFAULT,
        },
        run: latency::run,
    },
    Scenario {
        name: "pipeline",
        about: "wrk pipelining --depth requests per write on each connection: req/s, CPU per request",
        flags: &[
            Flag::DurationSecs,
            Flag::Rounds,
            Flag::Connections,
            Flag::Depth,
        ],
        // The ceiling answers once per read, so pipelined requests would go unanswered.
        contenders: PEERS,
        allowed: PEERS,
        defaults: STATIC_DEFAULTS,
        run: pipeline::run,
    },
    Scenario {
        name: "large",
        about: "throughput for a 512 KiB (cached) and a 10 MiB (streamed) file: req/s, MB/s",
        flags: &[
            Flag::DurationSecs,
            Flag::Rounds,
            Flag::Connections,
            Flag::CeilingUring,
        ],
        // The ceiling sends the body from memory: a bound, but not a file server; opt-in.
        contenders: PEERS,
        allowed: ALL,
        defaults: Defaults {
            duration_secs: 5,
            rounds: 3,
            connections: large::CONNECTIONS_DEFAULT,
        },
        run: large::run,
    },
    Scenario {
        name: "scaling",
        about: "1 core vs 2 cores (bext --shards 1/2, nginx 1/2 workers); the load generator shares the cores",
        flags: WRK_FLAGS,
        // The ceiling is a single-threaded program.
        contenders: PEERS,
        allowed: PEERS,
        defaults: STATIC_DEFAULTS,
        run: scaling::run,
    },
    Scenario {
        name: "tls",
        about: "HTTPS (TLS 1.3, ECDSA P-256) with wrk: keep-alive req/s on the 13-byte and 4 KiB files, and a new connection per request, resumed and full handshakes/s; CPU per request",
        flags: WRK_FLAGS,
        // The ceiling speaks cleartext HTTP/1.1 only.
        contenders: PEERS,
        allowed: PEERS,
        defaults: Defaults {
            duration_secs: 5,
            rounds: 3,
            connections: tls::CONNECTIONS_DEFAULT,
        },
        run: tls::run,
    },
    Scenario {
        name: "h2",
        about: "HTTP/2 on the 13-byte file with h2load, 100 streams on 1 and on 10 connections, over TLS (ALPN h2) and h2c: req/s, CPU per request",
        // Each case has its own connection count (`h2::CONNECTIONS`): no --connections.
        flags: &[Flag::DurationSecs, Flag::Rounds],
        contenders: PEERS,
        allowed: PEERS,
        defaults: Defaults {
            duration_secs: 5,
            rounds: 3,
            // Unused: the scenario takes no --connections (see above).
            connections: h2::CONNECTIONS[1],
        },
        run: h2::run,
    },
    Scenario {
        name: "h3",
        about: "HTTP/3 (bext-h3load, quiche) against bext's own HTTP/2 (h2load) and HTTP/1.1 (wrk) over TLS: the 13-byte file with 100 requests in flight, the 10 MiB file on one connection; req/s, MB/s, CPU per request, ratios h3/h2 and h3/h1",
        // Each case has its own connections (`h3::CASES`): no --connections.
        flags: &[Flag::DurationSecs, Flag::Rounds],
        // Debian's nginx has no HTTP/3: the comparison is between bext's protocols.
        contenders: BEXT_ONLY,
        allowed: BEXT_ONLY,
        defaults: Defaults {
            duration_secs: 5,
            rounds: 3,
            // Unused: the scenario takes no --connections (see above).
            connections: h3::SMALL_CONNECTIONS,
        },
        run: h3::run,
    },
    Scenario {
        name: "waf",
        about: "the OWASP Core Rule Set (--crs) at paranoia 1 and 2 against no WAF, on the 13-byte file with and without query arguments and on a rendered page of examples/app (bext only): req/s, CPU per request; nginx plain and with ModSecurity v3 + CRS at paranoia 1",
        flags: &[
            Flag::DurationSecs,
            Flag::Rounds,
            Flag::Connections,
            Flag::Crs,
        ],
        // The ceiling inspects nothing.
        contenders: PEERS,
        allowed: PEERS,
        defaults: STATIC_DEFAULTS,
        run: waf::run,
    },
    Scenario {
        name: "xdp",
        about: "a UDP flood from a denied address over a veth pair between two network namespaces, dropped by bext's XDP filter or by an nftables netdev ingress rule, while wrk is served: dropped and sent pkt/s, legitimate req/s, ratio xdp/nftables (needs root, ip, nft)",
        // The legitimate client's connections are fixed (`xdp::LEGIT_CONNECTIONS`).
        flags: &[Flag::DurationSecs, Flag::Rounds],
        // bext's filter against the kernel's nftables, both in front of bext: `bext` here says
        // that it needs the bext binary; the methods are the rows' contenders.
        contenders: BEXT_ONLY,
        allowed: BEXT_ONLY,
        defaults: Defaults {
            duration_secs: 5,
            rounds: 3,
            // Unused: the scenario takes no --connections (see above).
            connections: xdp::LEGIT_CONNECTIONS,
        },
        run: xdp::run,
    },
    Scenario {
        name: "proxy",
        about: "reverse proxy: bext ([[upstream]], one shard) vs nginx proxy_pass, both keeping connections to the same nginx upstream alive, and that upstream direct: req/s, p50/p99, added latency, CPU per request; WebSocket tunnels to one echo upstream: message round trips/s and p50/p99 (bext, nginx, direct), and server memory per held tunnel (--count, default 10000)",
        flags: &[
            Flag::DurationSecs,
            Flag::Rounds,
            Flag::Connections,
            Flag::Count,
        ],
        // The ceiling proxies nothing; the upstream and `direct` run whichever are chosen.
        contenders: PEERS,
        allowed: PEERS,
        defaults: STATIC_DEFAULTS,
        run: proxy::run,
    },
    Scenario {
        name: "realtime",
        about: "SSE fan-out ([realtime]): bext-rtload's --count subscribers (10000) to one topic; messages/s delivered at most, and p50/p99 delivery latency at a fixed rate of half bext's maximum (or --rates, delivered messages/s); events lost, subscribers evicted; bext against a reference hub in node:http",
        flags: &[Flag::DurationSecs, Flag::Rounds, Flag::Count, Flag::Rates],
        contenders: HUBS,
        allowed: HUBS,
        defaults: Defaults {
            duration_secs: 5,
            rounds: 3,
            // Unused: the scenario takes no --connections (one publisher connection).
            connections: 1,
        },
        run: realtime::run,
    },
    Scenario {
        name: "ssr",
        about: "server-side rendering of the example app's five pages: bext per engine, bext ISR-cached, Node + React, Next.js, Marko (table pages)",
        flags: &[
            Flag::DurationSecs,
            Flag::Rounds,
            Flag::Connections,
            Flag::Servers,
            Flag::Pages,
        ],
        // Its servers are chosen with --servers; `bext` here only says that it needs the
        // bext binary (and keeps it in `all --contenders bext`).
        contenders: BEXT_ONLY,
        allowed: BEXT_ONLY,
        defaults: STATIC_DEFAULTS,
        run: ssr::run,
    },
];

pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|scenario| scenario.name == name)
}

/// "static, conns, ..." for messages.
pub fn names() -> String {
    SCENARIOS
        .iter()
        .map(|scenario| scenario.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_is_consistent() {
        for (index, scenario) in SCENARIOS.iter().enumerate() {
            assert!(
                SCENARIOS[..index]
                    .iter()
                    .all(|other| other.name != scenario.name),
                "{} is registered twice",
                scenario.name
            );
            assert!(
                scenario.name != "all",
                "`all` is the command that runs them all"
            );
            assert!(!scenario.contenders.is_empty(), "{}", scenario.name);
            for contender in scenario.contenders {
                assert!(
                    scenario.allowed.contains(contender),
                    "{}: default contender {} is not allowed",
                    scenario.name,
                    contender.name()
                );
            }
            assert!(find(scenario.name).is_some());
        }
        assert!(find("all").is_none());
    }
}
