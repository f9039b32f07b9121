//! The closed-loop load generators a timed run can use, and what each speaks: wrk for
//! HTTP/1.1 (in cleartext or over TLS), h2load for HTTP/2 (over TLS or h2c) and bext-h3load
//! (this package's, on quiche) for HTTP/3. Their reports are read into a [`WrkResult`],
//! which the run's CPU accounting works on.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::h2load::{self, H2loadRun};
use crate::h3load::{self, H3loadRun};
use crate::locate::Programs;
use crate::protocol::Protocol;
use crate::wrk::{self, WrkResult, WrkRun};

#[derive(Clone, Copy, Debug)]
pub enum Client<'a> {
    /// wrk: HTTP/1.1, over TLS when `tls`; a Lua script (`-s`, pipelining) and extra
    /// request headers (`-H`, e.g. `Connection: close` for a new connection per request,
    /// or a browser's `User-Agent` and `Accept` for the WAF's rules).
    Wrk {
        tls: bool,
        script: Option<&'a Path>,
        headers: &'a [&'a str],
    },
    /// h2load: HTTP/2 over TLS (ALPN h2) when `tls`, else with prior knowledge (h2c), with
    /// `streams` concurrent streams on every connection.
    H2load { tls: bool, streams: u32 },
    /// bext-h3load: HTTP/3, with `streams` requests in flight on every connection.
    H3load { streams: u32 },
}

impl Client<'_> {
    /// Plain wrk over cleartext HTTP/1.1, what every scenario before `tls` runs.
    pub const WRK: Client<'static> = Client::Wrk {
        tls: false,
        script: None,
        headers: &[],
    };

    /// The program's name, for messages and warnings.
    pub fn name(self) -> &'static str {
        match self {
            Client::Wrk { .. } => "wrk",
            Client::H2load { .. } => "h2load",
            Client::H3load { .. } => "bext-h3load",
        }
    }

    pub fn protocol(self) -> Protocol {
        match self {
            Client::Wrk { tls: false, .. } => Protocol::Http1,
            Client::Wrk { tls: true, .. } => Protocol::Https1,
            Client::H2load { tls: true, .. } => Protocol::H2,
            Client::H2load { tls: false, .. } => Protocol::H2c,
            Client::H3load { .. } => Protocol::H3,
        }
    }

    /// One run of this generator against `url`: `connections` connections from `cpu` for
    /// `duration_secs`.
    pub fn run(
        self,
        programs: &Programs,
        url: &str,
        duration_secs: u32,
        cpu: usize,
        connections: u32,
    ) -> Result<WrkResult, Error> {
        let located = |path: &Option<PathBuf>| {
            path.clone()
                .ok_or_else(|| Error::run(format!("internal: {} was not located", self.name())))
        };
        match self {
            Client::Wrk {
                script, headers, ..
            } => wrk::run(
                &located(&programs.wrk)?,
                &WrkRun {
                    url,
                    duration_secs,
                    connections,
                    cpu,
                    script,
                    headers,
                },
            ),
            Client::H2load { streams, .. } => h2load::run(
                &located(&programs.h2load)?,
                &H2loadRun {
                    url,
                    duration_secs,
                    connections,
                    streams,
                    cpu,
                },
            ),
            Client::H3load { streams } => h3load::run(
                &located(&programs.h3load)?,
                &H3loadRun {
                    url,
                    duration_secs,
                    connections,
                    streams,
                    cpu,
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_speaks_its_protocol() {
        let wrk = |tls| Client::Wrk {
            tls,
            script: None,
            headers: &[],
        };
        let h2load = |tls| Client::H2load { tls, streams: 16 };
        assert_eq!(Client::WRK.protocol(), Protocol::Http1);
        assert_eq!(wrk(true).protocol(), Protocol::Https1);
        assert_eq!(h2load(true).protocol(), Protocol::H2);
        assert_eq!(h2load(false).protocol(), Protocol::H2c);
        assert_eq!(h2load(false).name(), "h2load");
        assert_eq!(wrk(true).name(), "wrk");
        assert_eq!(Client::H3load { streams: 1 }.protocol(), Protocol::H3);
    }
}
