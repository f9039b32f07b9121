//! `proxy`'s check before anything is measured: each proxy answers the case's path with the
//! upstream's file byte for byte, and keeps its connection to the upstream alive. A proxy
//! that opened a connection per request would be measured doing something neither is
//! configured to do, so that fails the run instead.
//!
//! Keep-alive is judged the same way for both proxies, from the upstream's side: nginx's
//! `stub_status` (at `UPSTREAM_STATUS_PATH`) counts the connections the upstream accepted,
//! and [`KEEPALIVE_CHECK_REQUESTS`] requests sent one after another through the proxy may
//! add at most [`KEEPALIVE_CHECK_OPENED_MAX`] of them. For bext, its own counter
//! `bext_proxy_connections_reused_total` must also have risen by all but that many. The
//! parsers are sans-I/O and tested on the texts the servers send.

use std::net::SocketAddr;

use crate::child::ServerProcess;
use crate::contender::UPSTREAM_STATUS_PATH;
use crate::error::{Context, Error};
use crate::http_probe::{connect, get_body};
use crate::limits::{KEEPALIVE_CHECK_OPENED_MAX, KEEPALIVE_CHECK_REQUESTS};

/// bext's count of requests sent on a kept-alive upstream connection.
const BEXT_REUSED_METRIC: &str = "bext_proxy_connections_reused_total";
/// Where bext answers its metrics (loopback clients, its default).
const BEXT_METRICS_PATH: &str = "/__bext/metrics";

/// The upstream's counters, from `stub_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpstreamStatus {
    /// Connections accepted since the upstream started (the status request's own included).
    pub accepts: u64,
    /// Requests served since it started (the status request included).
    pub requests: u64,
}

/// Reads the `stub_status` of the upstream on `port` over a connection of its own.
pub fn upstream_status(port: u16) -> Result<UpstreamStatus, Error> {
    let text = get_text(port, UPSTREAM_STATUS_PATH)
        .context(|| "reading the upstream's stub_status".to_string())?;
    parse_stub_status(&text)
        .map_err(|error| Error::run(format!("the upstream's stub_status: {error} in {text:?}")))
}

/// Connections the upstream accepted between two readings, not counting the second
/// reading's own connection.
pub fn opened_between(before: UpstreamStatus, after: UpstreamStatus) -> u64 {
    after
        .accepts
        .saturating_sub(before.accepts)
        .saturating_sub(1)
}

/// Checks that `proxy` answers `path` with `expected` (the upstream's file), and keeps its
/// upstream connection alive; returns a line saying what was seen.
pub fn check(
    proxy: &ServerProcess,
    upstream: &ServerProcess,
    path: &str,
    expected: &[u8],
    bext: bool,
) -> Result<String, Error> {
    let name = proxy.name();
    let addr = SocketAddr::from(([127, 0, 0, 1], proxy.port()));
    let mut stream = connect(addr).context(|| format!("connecting to {name}"))?;
    let (status, body) =
        get_body(&mut stream, path).context(|| format!("GET {path} through {name}"))?;
    if status != 200 || body != expected {
        return Err(Error::run(format!(
            "{name} answered GET {path} with {status} and {} bytes that are not the upstream's \
             file ({} bytes): it does not proxy to the upstream",
            body.len(),
            expected.len()
        )));
    }
    let reused_before = bext.then(|| bext_reused(proxy.port())).transpose()?;
    let before = upstream_status(upstream.port())?;
    for _ in 0..KEEPALIVE_CHECK_REQUESTS {
        let (status, body) =
            get_body(&mut stream, path).context(|| format!("GET {path} through {name}"))?;
        if status != 200 || body.len() != expected.len() {
            return Err(Error::run(format!(
                "{name} answered a kept-alive GET {path} with {status} and {} bytes",
                body.len()
            )));
        }
    }
    let after = upstream_status(upstream.port())?;
    let opened = opened_between(before, after);
    let served = after.requests.saturating_sub(before.requests);
    if served < KEEPALIVE_CHECK_REQUESTS {
        return Err(Error::run(format!(
            "the upstream served {served} requests while {name} was sent \
             {KEEPALIVE_CHECK_REQUESTS}: it answers some itself (a cache?)"
        )));
    }
    if opened > KEEPALIVE_CHECK_OPENED_MAX {
        return Err(Error::run(format!(
            "{name} opened {opened} connections to the upstream for {KEEPALIVE_CHECK_REQUESTS} \
             requests on one client connection: it does not keep upstream connections alive"
        )));
    }
    let mut seen = format!(
        "{} B from the upstream; {KEEPALIVE_CHECK_REQUESTS} requests on one connection opened \
         {opened} upstream connection(s)",
        expected.len()
    );
    if let Some(reused_before) = reused_before {
        let reused = bext_reused(proxy.port())?.saturating_sub(reused_before);
        if reused + KEEPALIVE_CHECK_OPENED_MAX < KEEPALIVE_CHECK_REQUESTS {
            return Err(Error::run(format!(
                "{BEXT_REUSED_METRIC} rose by {reused} over {KEEPALIVE_CHECK_REQUESTS} proxied \
                 requests: bext does not reuse its upstream connections"
            )));
        }
        seen.push_str(&format!(", {BEXT_REUSED_METRIC} +{reused}"));
    }
    Ok(seen)
}

/// bext's `bext_proxy_connections_reused_total`.
fn bext_reused(port: u16) -> Result<u64, Error> {
    let text = get_text(port, BEXT_METRICS_PATH).context(|| "reading bext's metrics".into())?;
    metric_sample(&text, BEXT_REUSED_METRIC)
        .ok_or_else(|| Error::run(format!("bext's metrics have no {BEXT_REUSED_METRIC}")))
}

/// One GET on a fresh connection, answered 200 with a text body.
fn get_text(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = connect(SocketAddr::from(([127, 0, 0, 1], port)))?;
    let (status, body) = get_body(&mut stream, path)?;
    if status != 200 {
        return Err(std::io::Error::other(format!(
            "GET {path}: status {status}"
        )));
    }
    String::from_utf8(body).map_err(|_| std::io::Error::other(format!("GET {path}: not UTF-8")))
}

/// nginx's `stub_status` page:
///
/// ```text
/// Active connections: 1
/// server accepts handled requests
///  16 16 31
/// Reading: 0 Writing: 1 Waiting: 0
/// ```
fn parse_stub_status(text: &str) -> Result<UpstreamStatus, String> {
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|line| line.trim() == "server accepts handled requests")
        .ok_or("no `server accepts handled requests` line")?;
    let numbers: Vec<u64> = lines
        .next()
        .ok_or("no counters after it")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| "counters that are not numbers")?;
    match numbers[..] {
        [accepts, _handled, requests] => Ok(UpstreamStatus { accepts, requests }),
        _ => Err("not three counters".into()),
    }
}

/// The value of the unlabelled Prometheus sample `name` in `text`.
fn metric_sample(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nginx_stub_status() {
        let page = "Active connections: 3 \nserver accepts handled requests\n 16 16 31 \n\
                    Reading: 0 Writing: 1 Waiting: 2 \n";
        assert_eq!(
            parse_stub_status(page),
            Ok(UpstreamStatus {
                accepts: 16,
                requests: 31
            })
        );
        assert_eq!(
            parse_stub_status("Active connections: 1\n"),
            Err("no `server accepts handled requests` line".into())
        );
        assert_eq!(
            parse_stub_status("server accepts handled requests\n 1 2\n"),
            Err("not three counters".into())
        );
        assert_eq!(
            parse_stub_status("server accepts handled requests\n a b c\n"),
            Err("counters that are not numbers".into())
        );
    }

    #[test]
    fn the_second_readings_own_connection_is_not_the_proxys() {
        let at = |accepts| UpstreamStatus {
            accepts,
            requests: 0,
        };
        // The proxy reused its connection: only the status request connected.
        assert_eq!(opened_between(at(10), at(11)), 0);
        assert_eq!(opened_between(at(10), at(12)), 1);
        assert_eq!(opened_between(at(10), at(111)), 100);
        assert_eq!(opened_between(at(10), at(10)), 0);
    }

    #[test]
    fn reads_an_unlabelled_prometheus_sample() {
        let text = "# HELP bext_proxy_connections_reused_total Requests sent on a kept-alive \
                    upstream connection.\n# TYPE bext_proxy_connections_reused_total counter\n\
                    bext_proxy_connections_reused_total 4\n\
                    bext_proxy_connections_reused_total_x 9\n";
        assert_eq!(metric_sample(text, BEXT_REUSED_METRIC), Some(4));
        assert_eq!(
            metric_sample(text, "bext_proxy_connections_opened_total"),
            None
        );
    }
}
