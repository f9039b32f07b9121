//! `[server]`: addresses, shards, logging, timeouts and limits.

use std::net::SocketAddr;

use toml::Spanned;

use super::{Checker, Result};
use crate::config::model::*;
use crate::config::raw::*;
use crate::limits;
use crate::limits::*;

impl Checker<'_> {
    pub(super) fn server(&self, raw: RawServer) -> Result<ServerConfig> {
        let defaults = ServerConfig::default();
        let limits = self.server_limits(&raw, defaults.limits)?;
        let listen = match raw.listen {
            None => defaults.listen,
            Some(listen) => self.listen(listen)?,
        };
        let tls_span = raw.listen_tls.as_ref().map(|l| l.span());
        let listen_tls = match raw.listen_tls {
            None => Vec::new(),
            Some(listen) => self.listen_as(listen, "server.listen_tls")?,
        };
        // Port 0 (any free port) is never the same socket twice.
        if let Some(both) = listen_tls
            .iter()
            .find(|a| a.port() != 0 && listen.contains(a))
        {
            return Err(self.source.error(
                tls_span.unwrap_or(0..0),
                "server.listen_tls",
                format!("{both} is also in server.listen: an address speaks HTTP or HTTPS"),
            ));
        }
        let quic_span = raw.listen_quic.as_ref().map(|l| l.span());
        let listen_quic = match raw.listen_quic {
            None => Vec::new(),
            Some(listen) => self.listen_as(listen, "server.listen_quic")?,
        };
        let http3 = match raw.http3 {
            Some(on) if *on.get_ref() && listen_tls.is_empty() => {
                return Err(self.source.error(
                    on.span(),
                    "server.http3",
                    "needs `listen_tls` addresses in [server]: HTTP/3 is served on their ports \
                     (or name UDP addresses with `listen_quic`)",
                ));
            }
            Some(on) => *on.get_ref(),
            None => defaults.http3,
        };
        if let Some(both) = listen_tls
            .iter()
            .find(|a| http3 && a.port() != 0 && listen_quic.contains(a))
        {
            return Err(self.source.error(
                quic_span.unwrap_or(0..0),
                "server.listen_quic",
                format!(
                    "{both} is a `listen_tls` address and `http3 = true` serves QUIC there already"
                ),
            ));
        }
        let shards = match raw.shards {
            None => defaults.shards,
            Some(shards) => self.shards(shards)?,
        };
        let access_log = match raw.access_log {
            None => defaults.access_log,
            Some(log) => self.access_log(log)?,
        };
        let access_log_format = match raw.access_log_format {
            None => defaults.access_log_format,
            Some(format) => match format.get_ref().as_str() {
                "combined" => LogFormat::Combined,
                "json" => LogFormat::Json,
                other => {
                    return Err(self.source.error(
                        format.span(),
                        "server.access_log_format",
                        format!("`{other}` is not a log format: use \"combined\" or \"json\""),
                    ));
                }
            },
        };
        let ops_endpoints = match raw.ops_endpoints {
            None => defaults.ops_endpoints,
            Some(value) => match value.get_ref().as_str() {
                "loopback" => OpsEndpoints::Loopback,
                "any" => OpsEndpoints::Any,
                "off" => OpsEndpoints::Off,
                other => {
                    return Err(self.source.error(
                        value.span(),
                        "server.ops_endpoints",
                        format!("`{other}` is not a choice: use \"loopback\", \"any\" or \"off\""),
                    ));
                }
            },
        };
        let t = defaults.timeouts;
        let timeout = |value: &Option<Spanned<u64>>, name: &str, default: u64| {
            self.bounded(
                value,
                &format!("server.{name}"),
                1,
                TIMEOUT_MS_CEILING,
                default,
            )
        };
        let timeouts = Timeouts {
            header_read_timeout_ms: timeout(
                &raw.header_read_timeout_ms,
                "header_read_timeout_ms",
                t.header_read_timeout_ms,
            )?,
            body_idle_timeout_ms: timeout(
                &raw.body_idle_timeout_ms,
                "body_idle_timeout_ms",
                t.body_idle_timeout_ms,
            )?,
            keepalive_idle_timeout_ms: timeout(
                &raw.keepalive_idle_timeout_ms,
                "keepalive_idle_timeout_ms",
                t.keepalive_idle_timeout_ms,
            )?,
            write_stall_timeout_ms: timeout(
                &raw.write_stall_timeout_ms,
                "write_stall_timeout_ms",
                t.write_stall_timeout_ms,
            )?,
            drain_deadline_ms: timeout(
                &raw.drain_deadline_ms,
                "drain_deadline_ms",
                t.drain_deadline_ms,
            )?,
            tls_handshake_timeout_ms: timeout(
                &raw.tls_handshake_timeout_ms,
                "tls_handshake_timeout_ms",
                t.tls_handshake_timeout_ms,
            )?,
        };
        Ok(ServerConfig {
            listen,
            listen_tls,
            listen_quic,
            http3,
            quic_retry: raw.quic_retry.unwrap_or(defaults.quic_retry),
            shards,
            access_log,
            access_log_format,
            ops_endpoints,
            http2: raw.http2.unwrap_or(defaults.http2),
            tls_session_tickets: raw
                .tls_session_tickets
                .unwrap_or(defaults.tls_session_tickets),
            ktls: raw.ktls.unwrap_or(defaults.ktls),
            timeouts,
            limits,
        })
    }

    fn server_limits(&self, raw: &RawServer, d: ServerLimits) -> Result<ServerLimits> {
        let header_bytes_max = self.bounded_usize(
            &raw.header_bytes_max,
            "server.header_bytes_max",
            HEADER_BYTES_CEILING as u64,
            d.header_bytes_max,
        )?;
        // Bounded by the header budget rather than a constant: the request line is part of the
        // head, so a larger line limit could never be reached.
        let request_line_bytes_max = self.bounded_usize(
            &raw.request_line_bytes_max,
            "server.request_line_bytes_max",
            header_bytes_max as u64,
            d.request_line_bytes_max,
        )?;
        if request_line_bytes_max > header_bytes_max {
            // Only reachable with the line limit at its default and the header budget set
            // below it: the value the user wrote, and must fix, is header_bytes_max.
            let span = raw.header_bytes_max.as_ref().map_or(0..0, Spanned::span);
            return Err(self.source.error(
                span,
                "server.header_bytes_max",
                format!(
                    "must be at least request_line_bytes_max ({request_line_bytes_max}); \
                     lower that too"
                ),
            ));
        }
        let file_cache_bytes_max = self.bounded_usize(
            &raw.file_cache_bytes_max,
            "server.file_cache_bytes_max",
            FILE_CACHE_BYTES_CEILING,
            d.file_cache_bytes_max,
        )?;
        let file_cache_entry_bytes_max = self.bounded_usize(
            &raw.file_cache_entry_bytes_max,
            "server.file_cache_entry_bytes_max",
            FILE_CACHE_BYTES_CEILING,
            d.file_cache_entry_bytes_max,
        )?;
        if file_cache_entry_bytes_max > file_cache_bytes_max {
            let (key, span) = match (&raw.file_cache_entry_bytes_max, &raw.file_cache_bytes_max) {
                (Some(entry), _) => ("server.file_cache_entry_bytes_max", entry.span()),
                (None, Some(total)) => ("server.file_cache_bytes_max", total.span()),
                (None, None) => ("server.file_cache_entry_bytes_max", 0..0),
            };
            return Err(self.source.error(
                span,
                key,
                format!(
                    "file_cache_entry_bytes_max ({file_cache_entry_bytes_max}) must not exceed \
                     file_cache_bytes_max ({file_cache_bytes_max})"
                ),
            ));
        }
        Ok(ServerLimits {
            request_line_bytes_max,
            header_count_max: self.bounded_usize(
                &raw.header_count_max,
                "server.header_count_max",
                HEADER_COUNT_MAX as u64,
                d.header_count_max,
            )?,
            header_bytes_max,
            pipeline_depth_max: self.bounded_usize(
                &raw.pipeline_depth_max,
                "server.pipeline_depth_max",
                PIPELINE_DEPTH_CEILING as u64,
                d.pipeline_depth_max,
            )?,
            connections_per_shard_max: self.bounded_usize(
                &raw.connections_per_shard_max,
                "server.connections_per_shard_max",
                CONNECTIONS_PER_SHARD_CEILING as u64,
                d.connections_per_shard_max,
            )?,
            file_cache_bytes_max,
            file_cache_entry_bytes_max,
            file_cache_revalidate_ms: self.bounded(
                &raw.file_cache_revalidate_ms,
                "server.file_cache_revalidate_ms",
                1,
                FILE_CACHE_REVALIDATE_MS_CEILING,
                d.file_cache_revalidate_ms,
            )?,
        })
    }

    fn listen(&self, listen: Spanned<Listen>) -> Result<Vec<SocketAddr>> {
        self.listen_as(listen, "server.listen")
    }

    fn listen_as(&self, listen: Spanned<Listen>, name: &str) -> Result<Vec<SocketAddr>> {
        let span = listen.span();
        let (addresses, indexed) = match listen.into_inner() {
            Listen::One(address) => (vec![Spanned::new(span.clone(), address)], false),
            Listen::Many(addresses) => (addresses, true),
        };
        if addresses.is_empty() {
            return Err(self.source.error(span, name, "needs at least one address"));
        }
        if addresses.len() > LISTEN_ADDRESSES_MAX {
            return Err(self.source.error(
                span,
                name,
                format!("at most {LISTEN_ADDRESSES_MAX} addresses"),
            ));
        }
        let mut parsed: Vec<SocketAddr> = Vec::with_capacity(addresses.len());
        for (i, address) in addresses.iter().enumerate() {
            let key = if indexed {
                format!("{name}[{i}]")
            } else {
                name.to_owned()
            };
            let text = address.get_ref();
            let Ok(socket) = text.parse::<SocketAddr>() else {
                return Err(self.source.error(
                    address.span(),
                    &key,
                    format!(
                        "`{text}` is not a socket address (write e.g. \"0.0.0.0:8080\" or \
                         \"[::]:8080\"; host names are not resolved)"
                    ),
                ));
            };
            if parsed.contains(&socket) {
                return Err(self.source.error(
                    address.span(),
                    &key,
                    format!("`{text}` is listed twice"),
                ));
            }
            parsed.push(socket);
        }
        Ok(parsed)
    }

    fn shards(&self, shards: Spanned<Shards>) -> Result<Option<usize>> {
        let span = shards.span();
        let refuse = || {
            self.source.error(
                span.clone(),
                "server.shards",
                format!(
                    "must be \"auto\" or a count from 1 to {}",
                    limits::SHARDS_MAX
                ),
            )
        };
        match shards.into_inner() {
            Shards::Word(word) if word == "auto" => Ok(None),
            Shards::Word(_) => Err(refuse()),
            Shards::Count(count) => match usize::try_from(count) {
                Ok(count) if (1..=limits::SHARDS_MAX).contains(&count) => Ok(Some(count)),
                _ => Err(refuse()),
            },
        }
    }

    fn access_log(&self, log: Spanned<String>) -> Result<AccessLog> {
        let text = log.get_ref();
        // Keywords are matched regardless of case so "Off" cannot silently become a file named
        // `Off`; a file with such a name can still be written as "./Off".
        match text.to_ascii_lowercase().as_str() {
            "off" => return Ok(AccessLog::Off),
            "stdout" => return Ok(AccessLog::Stdout),
            "stderr" => return Ok(AccessLog::Stderr),
            _ => {}
        }
        let path = self.path(&log, "server.access_log")?;
        Ok(AccessLog::File(path))
    }
}
