//! One timed load run: wrk (or h2load, see [`Client`]) against a server, plus the CPU
//! accounting that says whether the server was the bottleneck of that run.
//!
//! One wrk thread on one core can generate only so many requests per second, and on a shared
//! machine other processes may take either core. So besides wrk's req/s and p99, each run
//! records the server's CPU time (per request and as a share of its core), how busy CPU 0 was
//! with anyone's work, and wrk's own CPU time; `saturation_warning` turns those into a
//! sentence when the server did not have its core to itself and use all of it.

use crate::child::ServerProcess;
use crate::cpu_time;
use crate::error::Error;
use crate::generator::Client;
use crate::limits::{LOAD_CPU, NO_REQUESTS_RETRY_SECS, SERVER_CPU};
use crate::locate::Programs;
use crate::sys;
use crate::wrk;

/// CPU time per request is the number to compare when the load generator was the limit.
pub const METRIC_CPU_PER_REQUEST: &str = "cpu_per_request";

/// Below this server CPU utilisation the server was not the bottleneck of its run.
const SATURATED_CPU_PERCENT: f64 = 90.0;
/// Above this, CPU 0 was busy all the time, so time the server did not get went to others.
const CORE_FULL_PERCENT: f64 = 95.0;

/// One timed run: wrk's view plus the server's CPU time over it.
#[derive(Clone)]
pub struct Measured {
    pub wrk: wrk::WrkResult,
    /// Server CPU time / wall time, in percent of one core.
    pub cpu_util_percent: f64,
    /// Server CPU time per completed request, in microseconds.
    pub cpu_us_per_request: f64,
    /// How busy CPU 0 was, with the server's work and anyone else's.
    pub server_core_busy_percent: f64,
    /// The load generator's CPU time / wall time (wrk's, or h2load's), in percent of one core.
    pub wrk_cpu_util_percent: f64,
    /// The load generator's name (`Client::name`), for warnings.
    pub generator: &'static str,
}

/// What one timed run puts on a server.
pub struct Load<'a> {
    pub path: &'a str,
    pub duration_secs: u32,
    /// One generator process per entry, all running at once: (CPU it is pinned to,
    /// connections).
    pub generators: Vec<(usize, u32)>,
    /// The generator, and with it the protocol and the server's listener.
    pub client: Client<'a>,
    /// CPUs the server runs on, for how busy they were.
    pub server_cpus: Vec<usize>,
}

impl<'a> Load<'a> {
    /// The standard split: the server on CPU 0, one `wrk -t1` on CPU 1.
    pub fn one_core(path: &'a str, duration_secs: u32, connections: u32) -> Load<'a> {
        Load {
            path,
            duration_secs,
            generators: vec![(LOAD_CPU, connections)],
            client: Client::WRK,
            server_cpus: vec![SERVER_CPU],
        }
    }
}

/// One load run against `server`, refusing results that are not a clean run of 200s. A run
/// that completed no request is run once more, [`NO_REQUESTS_RETRY_SECS`] long, before that
/// is an error.
pub fn measure(
    server: &mut ServerProcess,
    programs: &Programs,
    load: &Load<'_>,
) -> Result<Measured, Error> {
    if let Some(measured) = measure_once(server, programs, load)? {
        return Ok(measured);
    }
    if load.duration_secs < NO_REQUESTS_RETRY_SECS {
        eprintln!(
            "  {}: no request for {} completed in {} s; running it again for {NO_REQUESTS_RETRY_SECS} s",
            server.name(),
            load.path,
            load.duration_secs
        );
        let longer = Load {
            path: load.path,
            duration_secs: NO_REQUESTS_RETRY_SECS,
            generators: load.generators.clone(),
            client: load.client,
            server_cpus: load.server_cpus.clone(),
        };
        if let Some(measured) = measure_once(server, programs, &longer)? {
            return Ok(measured);
        }
    }
    Err(Error::run(format!(
        "{} completed no requests for {} in {} s",
        server.name(),
        load.path,
        load.duration_secs.max(NO_REQUESTS_RETRY_SECS)
    )))
}

/// [`measure`]'s run, once; `None` when no request completed.
fn measure_once(
    server: &mut ServerProcess,
    programs: &Programs,
    load: &Load<'_>,
) -> Result<Option<Measured>, Error> {
    let path = load.path;
    let url = load.client.protocol().url_on(server, path)?;
    let pid = server
        .pid()
        .ok_or_else(|| Error::run(format!("{} has no pid", server.name())))?;
    let cpu_before = cpu_time::tree_cpu_seconds(pid)?;
    let core_before = cpu_time::cores_ticks(&load.server_cpus)?;
    let wrk_cpu_before = children_cpu_seconds()?;
    let result = run_generators(programs, &url, load)?;
    let wrk_cpu_secs = children_cpu_seconds()? - wrk_cpu_before;
    let core_after = cpu_time::cores_ticks(&load.server_cpus)?;
    // Read before the liveness check: a dead server's /proc entry is gone.
    let cpu_after = cpu_time::tree_cpu_seconds(pid);
    if let Some(status) = server.exited() {
        return Err(server.died_error(
            status,
            &format!("under load from {} ({url})", load.client.name()),
        ));
    }
    if result.non_2xx > 0 {
        return Err(Error::run(format!(
            "{} answered {} requests for {path} with a non-2xx/3xx status under load; its numbers would be meaningless",
            server.name(),
            result.non_2xx
        )));
    }
    if result.requests == 0 || result.elapsed_secs <= 0.0 {
        return Ok(None);
    }
    let cpu_secs = cpu_after? - cpu_before;
    Ok(Some(Measured {
        cpu_util_percent: cpu_secs / result.elapsed_secs * 100.0,
        cpu_us_per_request: cpu_secs * 1e6 / result.requests as f64,
        server_core_busy_percent: cpu_time::busy_percent(core_before, core_after),
        wrk_cpu_util_percent: wrk_cpu_secs / result.elapsed_secs * 100.0,
        generator: load.client.name(),
        wrk: result,
    }))
}

/// Runs every generator of `load` at once and adds up what they saw.
fn run_generators(
    programs: &Programs,
    url: &str,
    load: &Load<'_>,
) -> Result<wrk::WrkResult, Error> {
    let client = load.client;
    let results: Vec<Result<wrk::WrkResult, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = load
            .generators
            .iter()
            .map(|&(cpu, connections)| {
                scope.spawn(move || client.run(programs, url, load.duration_secs, cpu, connections))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(Error::run(format!(
                        "a {} runner thread panicked",
                        client.name()
                    )))
                })
            })
            .collect()
    });
    let mut results = results.into_iter().collect::<Result<Vec<_>, Error>>()?;
    if results.len() == 1 {
        return results
            .pop()
            .ok_or_else(|| Error::run("internal: no load generator result"));
    }
    Ok(combine(&results))
}

/// Several simultaneous wrk runs as one: counts and rates add up; the elapsed time is the
/// longest and the p50 and p99 the worst of them (percentiles of separate runs do not
/// combine).
pub fn combine(results: &[wrk::WrkResult]) -> wrk::WrkResult {
    wrk::WrkResult {
        requests_per_sec: results.iter().map(|r| r.requests_per_sec).sum(),
        requests: results.iter().map(|r| r.requests).sum(),
        elapsed_secs: results.iter().map(|r| r.elapsed_secs).fold(0.0, f64::max),
        p50_us: results.iter().map(|r| r.p50_us).fold(0.0, f64::max),
        p99_us: results.iter().map(|r| r.p99_us).fold(0.0, f64::max),
        socket_errors: results.iter().map(|r| r.socket_errors).sum(),
        non_2xx: results.iter().map(|r| r.non_2xx).sum(),
        bytes_per_sec: results.iter().map(|r| r.bytes_per_sec).sum(),
    }
}

/// Says why a server that did not use its whole core was held back, if it was: a busy wrk
/// (the load generator is the limit: compare CPU per request), or other processes on the
/// shared machine taking CPU 0 from the server or CPU 1 from wrk (the run is disturbed).
pub fn saturation_warning(case: &str, name: &str, runs: &[Measured]) -> Option<String> {
    let median_of = |pick: fn(&Measured) -> f64| {
        crate::stats::median(&runs.iter().map(pick).collect::<Vec<_>>())
    };
    let server = median_of(|r| r.cpu_util_percent)?;
    let core_busy = median_of(|r| r.server_core_busy_percent)?;
    let wrk = median_of(|r| r.wrk_cpu_util_percent)?;
    let generator = runs.first()?.generator;
    if server >= SATURATED_CPU_PERCENT {
        return None;
    }
    Some(if core_busy >= CORE_FULL_PERCENT {
        format!(
            "{case}: {name} got only {server:.0}% of CPU {SERVER_CPU} while it was {core_busy:.0}% busy: \
             other processes shared the core, so req/s and latency are disturbed"
        )
    } else if wrk >= SATURATED_CPU_PERCENT {
        format!(
            "{case}: {name} used {server:.0}% of its core while {generator} used {wrk:.0}% of CPU {LOAD_CPU}: the load \
             generator limited req/s; compare {METRIC_CPU_PER_REQUEST}"
        )
    } else {
        // Two causes look alike here. Over very few connections (`h2`'s one connection) the
        // two sides take turns, each waiting for the other's batch, so both idle part of the
        // time on a quiet machine; otherwise someone else took the generator's core.
        format!(
            "{case}: neither {name} ({server:.0}%) nor {generator} ({wrk:.0}%) used a whole core: either they \
             took turns, each waiting for the other (few connections), so req/s is bound by the round trip, or \
             other processes took CPU {LOAD_CPU} from {generator}, so req/s and latency are disturbed; compare \
             {METRIC_CPU_PER_REQUEST}"
        )
    })
}

fn children_cpu_seconds() -> Result<f64, Error> {
    sys::waited_children_cpu_seconds()
        .map_err(|error| Error::run(format!("getrusage(RUSAGE_CHILDREN): {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One run with the given server, CPU 0 and wrk utilisations (percent).
    fn run(server: f64, core_busy: f64, wrk: f64) -> Measured {
        Measured {
            wrk: wrk::WrkResult {
                requests_per_sec: 1.0,
                requests: 1,
                elapsed_secs: 1.0,
                p50_us: 1.0,
                p99_us: 1.0,
                socket_errors: 0,
                non_2xx: 0,
                bytes_per_sec: 1.0,
            },
            cpu_util_percent: server,
            cpu_us_per_request: 1.0,
            server_core_busy_percent: core_busy,
            wrk_cpu_util_percent: wrk,
            generator: "wrk",
        }
    }

    fn check(runs: &[Measured], expect: Option<&str>) {
        let warning = saturation_warning("small.txt", "nginx", runs);
        match (warning.as_deref(), expect) {
            (None, None) => {}
            (Some(warning), Some(expect)) => {
                assert!(
                    warning.starts_with(expect),
                    "{warning:?} should start with {expect:?}"
                )
            }
            (warning, expect) => panic!("got {warning:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn simultaneous_runs_add_up() {
        let one = |rps: f64, requests: u64, elapsed: f64, p99: f64| wrk::WrkResult {
            requests_per_sec: rps,
            requests,
            elapsed_secs: elapsed,
            p50_us: p99 / 2.0,
            p99_us: p99,
            socket_errors: 1,
            non_2xx: 0,
            bytes_per_sec: rps * 100.0,
        };
        let combined = combine(&[one(100.0, 200, 2.0, 50.0), one(50.0, 101, 2.02, 70.0)]);
        assert_eq!(
            combined,
            wrk::WrkResult {
                requests_per_sec: 150.0,
                requests: 301,
                elapsed_secs: 2.02,
                p50_us: 35.0,
                p99_us: 70.0,
                socket_errors: 2,
                non_2xx: 0,
                bytes_per_sec: 15_000.0,
            }
        );
    }

    #[test]
    fn explains_why_a_server_did_not_use_its_core() {
        // The intended regime: the server is the bottleneck.
        check(&[run(99.0, 100.0, 60.0)], None);
        check(&[], None);
        check(
            &[run(60.0, 100.0, 99.0)],
            Some("small.txt: nginx got only 60% of CPU 0 while it was 100% busy"),
        );
        check(
            &[run(60.0, 61.0, 99.0)],
            Some("small.txt: nginx used 60% of its core while wrk used 99% of CPU 1"),
        );
        check(
            &[run(30.0, 31.0, 35.0)],
            Some("small.txt: neither nginx (30%) nor wrk (35%) used a whole core"),
        );
        // The generator is named: h2load in the h2 scenario.
        let h2load = Measured {
            generator: "h2load",
            ..run(60.0, 61.0, 99.0)
        };
        check(
            &[h2load],
            Some("small.txt: nginx used 60% of its core while h2load used 99% of CPU 1"),
        );
        // Medians over rounds: one disturbed round does not raise a warning.
        check(
            &[
                run(99.0, 100.0, 60.0),
                run(20.0, 100.0, 20.0),
                run(98.0, 99.0, 60.0),
            ],
            None,
        );
    }
}
