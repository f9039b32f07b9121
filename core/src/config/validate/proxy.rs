//! `[[upstream]]` and `[[site.proxy]]`: the servers a site forwards to, and which paths go.

use std::collections::HashMap;

use toml::Spanned;

use super::super::model::{
    Balance, FastCgi, HashKey, HealthCheck, HealthProbe, HostHeader, ProxyRoute, ServerAddress,
    Upstream, UpstreamProtocol, UpstreamServer, UpstreamTls,
};
use super::super::raw::{RawFastCgi, RawHealth, RawProxyRoute, RawUpstream};
use super::super::syntax;
use super::{Checker, Result};
use crate::limits::{
    HEALTH_COUNT_CEILING, HEALTH_FALL_DEFAULT, HEALTH_INTERVAL_MS_DEFAULT,
    HEALTH_INTERVAL_MS_FLOOR, HEALTH_PATH_BYTES_MAX, HEALTH_RISE_DEFAULT,
    HEALTH_TIMEOUT_MS_DEFAULT, PROXY_CONNECT_TIMEOUT_MS_DEFAULT, PROXY_EJECT_MS_DEFAULT,
    PROXY_FAIL_MAX_CEILING, PROXY_FAIL_MAX_DEFAULT, PROXY_IDLE_CONNECTIONS_CEILING,
    PROXY_IDLE_CONNECTIONS_DEFAULT, PROXY_IDLE_MS_DEFAULT, PROXY_ROUTES_MAX,
    PROXY_TIMEOUT_MS_CEILING, PROXY_TIMEOUT_MS_DEFAULT, UPSTREAM_NAME_BYTES_MAX,
    UPSTREAM_SERVERS_MAX, UPSTREAM_WEIGHT_MAX, UPSTREAMS_MAX,
};
use crate::static_files::compile_glob;

impl Checker<'_> {
    /// Every `[[upstream]]`, names unique.
    pub(super) fn upstreams(&self, raw: Vec<Spanned<RawUpstream>>) -> Result<Vec<Upstream>> {
        let mut out: Vec<Upstream> = Vec::with_capacity(raw.len());
        for (index, table) in raw.into_iter().enumerate() {
            let span = table.span();
            let raw = table.into_inner();
            let prefix = format!("upstream[{index}]");
            if index == UPSTREAMS_MAX {
                return Err(self.source.error(
                    span,
                    &prefix,
                    format!("at most {UPSTREAMS_MAX} upstreams"),
                ));
            }
            let name = raw.name.get_ref();
            let name_ok = !name.is_empty()
                && name.len() <= UPSTREAM_NAME_BYTES_MAX
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if !name_ok {
                return Err(self.source.error(
                    raw.name.span(),
                    &format!("{prefix}.name"),
                    format!(
                        "`{name}`: a name is 1 to {UPSTREAM_NAME_BYTES_MAX} letters, digits, \
                         `-`, `_` or `.`"
                    ),
                ));
            }
            if out.iter().any(|u| u.name == *name) {
                return Err(self.source.error(
                    raw.name.span(),
                    &format!("{prefix}.name"),
                    format!("`{name}` names another upstream too"),
                ));
            }
            if raw.servers.is_empty() {
                return Err(self.source.error(
                    span,
                    &format!("{prefix}.servers"),
                    "an upstream needs at least one server (`servers = [\"10.0.0.5:8080\"]`)",
                ));
            }
            let mut servers = Vec::with_capacity(raw.servers.len());
            for (i, server) in raw.servers.iter().enumerate() {
                let key = format!("{prefix}.servers[{i}]");
                if i == UPSTREAM_SERVERS_MAX {
                    return Err(self.source.error(
                        server.span(),
                        &key,
                        format!("at most {UPSTREAM_SERVERS_MAX} servers per upstream"),
                    ));
                }
                let (address, weight) = self.server_address(server, &key)?;
                servers.push(UpstreamServer { address, weight });
            }
            let tls = self.upstream_tls(&prefix, &raw, &servers)?;
            let host_header = match &raw.host_header {
                None => HostHeader::Client,
                Some(value) => {
                    let text = value.get_ref();
                    match text.as_str() {
                        "client" => HostHeader::Client,
                        "upstream" => HostHeader::Upstream,
                        _ if !text.is_empty() && syntax::field_value(text, 1024).is_ok() => {
                            HostHeader::Fixed(text.clone())
                        }
                        _ => {
                            return Err(self.source.error(
                                value.span(),
                                &format!("{prefix}.host_header"),
                                format!(
                                    "`{text}`: \"client\" (the client's Host), \"upstream\" \
                                     (the server's host:port) or a host name to send"
                                ),
                            ));
                        }
                    }
                }
            };
            let protocol = match &raw.protocol {
                None => UpstreamProtocol::Http1,
                Some(value) => match value.get_ref().as_str() {
                    "http1" => UpstreamProtocol::Http1,
                    "http2" => UpstreamProtocol::Http2,
                    other => {
                        return Err(self.source.error(
                            value.span(),
                            &format!("{prefix}.protocol"),
                            format!(
                                "`{other}`: \"http1\" (HTTP/1.1, the default) or \"http2\" \
                                 (HTTP/2: h2c in the clear, ALPN h2 over TLS)"
                            ),
                        ));
                    }
                },
            };
            let balance = match &raw.balance {
                None => Balance::RoundRobin,
                Some(text) => balance(text.get_ref()).map_err(|message| {
                    self.source
                        .error(text.span(), &format!("{prefix}.balance"), message)
                })?,
            };
            let ms = |value: &Option<Spanned<u64>>, key: &str, default: u64| {
                self.timeout_ms(value, &prefix, key, default)
            };
            out.push(Upstream {
                name: name.clone(),
                servers,
                balance,
                connect_timeout_ms: ms(
                    &raw.connect_timeout_ms,
                    "connect_timeout_ms",
                    PROXY_CONNECT_TIMEOUT_MS_DEFAULT,
                )?,
                timeout_ms: ms(&raw.timeout_ms, "timeout_ms", PROXY_TIMEOUT_MS_DEFAULT)?,
                idle_connections_max: usize::try_from(self.bounded(
                    &raw.idle_connections_max,
                    &format!("{prefix}.idle_connections_max"),
                    0,
                    PROXY_IDLE_CONNECTIONS_CEILING,
                    PROXY_IDLE_CONNECTIONS_DEFAULT as u64,
                )?)
                .unwrap_or(PROXY_IDLE_CONNECTIONS_DEFAULT),
                idle_ms: ms(&raw.idle_ms, "idle_ms", PROXY_IDLE_MS_DEFAULT)?,
                fail_max: u32::try_from(self.bounded(
                    &raw.fail_max,
                    &format!("{prefix}.fail_max"),
                    1,
                    PROXY_FAIL_MAX_CEILING,
                    PROXY_FAIL_MAX_DEFAULT,
                )?)
                .unwrap_or(u32::MAX),
                eject_ms: ms(&raw.eject_ms, "eject_ms", PROXY_EJECT_MS_DEFAULT)?,
                health: match &raw.health {
                    Some(health) => Some(self.health(&prefix, health, protocol)?),
                    None => None,
                },
                retry_non_idempotent: raw.retry_non_idempotent.unwrap_or(false),
                tls,
                host_header,
                protocol,
            });
        }
        Ok(out)
    }

    /// A server's address, `host:port` or `unix:PATH`, with an optional ` weight=N` after
    /// it.
    fn server_address(&self, text: &Spanned<String>, key: &str) -> Result<(ServerAddress, u32)> {
        let (address, weight) = upstream_server(text.get_ref())
            .map_err(|message| self.source.error(text.span(), key, message))?;
        let address = match address {
            Parsed::Tcp { host, port } => ServerAddress::Tcp { host, port },
            Parsed::Unix(path) => {
                let spanned = Spanned::new(text.span(), path);
                ServerAddress::Unix(self.path(&spanned, key)?)
            }
        };
        Ok((address, weight))
    }

    /// An upstream's `tls`, `tls_sni`, `tls_ca`, `tls_client_cert` and `tls_client_key`.
    fn upstream_tls(
        &self,
        prefix: &str,
        raw: &RawUpstream,
        servers: &[UpstreamServer],
    ) -> Result<Option<UpstreamTls>> {
        let on = raw.tls.as_ref().is_some_and(|t| *t.get_ref());
        if !on {
            let stray = [
                ("tls_sni", raw.tls_sni.as_ref()),
                ("tls_ca", raw.tls_ca.as_ref()),
                ("tls_client_cert", raw.tls_client_cert.as_ref()),
                ("tls_client_key", raw.tls_client_key.as_ref()),
            ];
            if let Some((key, Some(value))) = stray.into_iter().find(|(_, v)| v.is_some()) {
                return Err(self.source.error(
                    value.span(),
                    &format!("{prefix}.{key}"),
                    "applies only with `tls = true`",
                ));
            }
            return Ok(None);
        }
        let sni = match &raw.tls_sni {
            None => None,
            Some(name) => {
                let text = name.get_ref();
                if rustls_name(text).is_err() {
                    return Err(self.source.error(
                        name.span(),
                        &format!("{prefix}.tls_sni"),
                        format!("`{text}`: a DNS name such as `api.example.com`"),
                    ));
                }
                Some(text.to_ascii_lowercase())
            }
        };
        if let Some(i) = servers
            .iter()
            .position(|s| matches!(s.address, ServerAddress::Unix(_)))
        {
            return Err(self.source.error(
                raw.tls.as_ref().map_or(raw.name.span(), Spanned::span),
                &format!("{prefix}.tls"),
                format!("servers[{i}] is a Unix socket: TLS goes to `host:port` servers only"),
            ));
        }
        let ca = match &raw.tls_ca {
            Some(path) => Some(self.path(path, &format!("{prefix}.tls_ca"))?),
            None => None,
        };
        let client_cert = self.client_cert(
            raw.tls_client_cert.as_ref(),
            raw.tls_client_key.as_ref(),
            (
                &format!("{prefix}.tls_client_cert"),
                &format!("{prefix}.tls_client_key"),
            ),
        )?;
        Ok(Some(UpstreamTls {
            sni,
            ca,
            client_cert,
        }))
    }

    /// `prefix.key`, a number of milliseconds from 1 to `PROXY_TIMEOUT_MS_CEILING`.
    fn timeout_ms(
        &self,
        value: &Option<Spanned<u64>>,
        prefix: &str,
        key: &str,
        default: u64,
    ) -> Result<u64> {
        self.bounded(
            value,
            &format!("{prefix}.{key}"),
            1,
            PROXY_TIMEOUT_MS_CEILING,
            default,
        )
    }

    /// An upstream's `health = { … }`: a `path` to `GET`, or (HTTP/2 upstreams) a
    /// `grpc_service` to ask gRPC's health check about.
    fn health(
        &self,
        prefix: &str,
        spanned: &Spanned<RawHealth>,
        protocol: UpstreamProtocol,
    ) -> Result<HealthCheck> {
        let raw = spanned.get_ref();
        let probe = match (&raw.path, &raw.grpc_service) {
            (Some(path), None) => {
                let text = path.get_ref();
                let path_ok = text.starts_with('/')
                    && text.len() <= HEALTH_PATH_BYTES_MAX
                    && text.bytes().all(|b| b.is_ascii_graphic());
                if !path_ok {
                    return Err(self.source.error(
                        path.span(),
                        &format!("{prefix}.health.path"),
                        format!(
                            "`{text}`: a path like `/healthz` (a leading `/`, visible ASCII, at \
                             most {HEALTH_PATH_BYTES_MAX} bytes)"
                        ),
                    ));
                }
                HealthProbe::Get(text.clone())
            }
            (None, Some(service)) => {
                let key = format!("{prefix}.health.grpc_service");
                let text = service.get_ref();
                if protocol != UpstreamProtocol::Http2 {
                    return Err(self.source.error(
                        service.span(),
                        &key,
                        "gRPC's health check needs `protocol = \"http2\"`",
                    ));
                }
                let name_ok = text.len() <= HEALTH_PATH_BYTES_MAX
                    && text.bytes().all(|b| b.is_ascii_graphic());
                if !name_ok {
                    return Err(self.source.error(
                        service.span(),
                        &key,
                        format!(
                            "`{text}`: a service name such as `pkg.Service` (visible ASCII, at \
                             most {HEALTH_PATH_BYTES_MAX} bytes; \"\" for the whole server)"
                        ),
                    ));
                }
                HealthProbe::Grpc(text.clone())
            }
            (Some(_), Some(service)) => {
                return Err(self.source.error(
                    service.span(),
                    &format!("{prefix}.health.grpc_service"),
                    "a health check has a `path` or a `grpc_service`, not both",
                ));
            }
            (None, None) => {
                return Err(self.source.error(
                    spanned.span(),
                    &format!("{prefix}.health"),
                    "a health check needs a `path` to GET (`path = \"/healthz\"`) or, for an \
                     HTTP/2 upstream, a `grpc_service` to ask gRPC's health check about",
                ));
            }
        };
        let key = |name: &str| format!("{prefix}.health.{name}");
        let count = |value: &Option<Spanned<u64>>, name: &str, default: u64| {
            self.bounded(value, &key(name), 1, HEALTH_COUNT_CEILING, default)
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        };
        Ok(HealthCheck {
            probe,
            interval_ms: self.bounded(
                &raw.interval_ms,
                &key("interval_ms"),
                HEALTH_INTERVAL_MS_FLOOR,
                PROXY_TIMEOUT_MS_CEILING,
                HEALTH_INTERVAL_MS_DEFAULT,
            )?,
            timeout_ms: self.bounded(
                &raw.timeout_ms,
                &key("timeout_ms"),
                1,
                PROXY_TIMEOUT_MS_CEILING,
                HEALTH_TIMEOUT_MS_DEFAULT,
            )?,
            rise: count(&raw.rise, "rise", HEALTH_RISE_DEFAULT)?,
            fall: count(&raw.fall, "fall", HEALTH_FALL_DEFAULT)?,
        })
    }

    /// `[[site.proxy]]` of site `index`, naming upstreams in `upstreams`.
    pub(super) fn site_proxy(
        &self,
        index: usize,
        raw: &[Spanned<RawProxyRoute>],
        upstreams: &[Upstream],
    ) -> Result<Vec<ProxyRoute>> {
        let by_name: HashMap<&str, usize> = upstreams
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.as_str(), i))
            .collect();
        let mut routes = Vec::with_capacity(raw.len());
        for (i, route) in raw.iter().enumerate() {
            let route = route.get_ref();
            let key = format!("site[{index}].proxy[{i}]");
            let pattern = route.pattern.get_ref();
            if i == PROXY_ROUTES_MAX {
                return Err(self.source.error(
                    route.pattern.span(),
                    &key,
                    format!("at most {PROXY_ROUTES_MAX} proxy routes per site"),
                ));
            }
            if pattern.is_empty() {
                return Err(self.source.error(
                    route.pattern.span(),
                    &format!("{key}.match"),
                    "must not be empty",
                ));
            }
            if let Err(error) = compile_glob(pattern) {
                return Err(self.source.error(
                    route.pattern.span(),
                    &format!("{key}.match"),
                    format!("invalid glob: {}", error.kind()),
                ));
            }
            let name = route.upstream.get_ref();
            let Some(&upstream) = by_name.get(name.as_str()) else {
                return Err(self.source.error(
                    route.upstream.span(),
                    &format!("{key}.upstream"),
                    format!("no [[upstream]] is named `{name}`"),
                ));
            };
            let strip_prefix = match &route.strip_prefix {
                None => None,
                Some(prefix) => {
                    let text = prefix.get_ref();
                    let ok = text.starts_with('/')
                        && text.len() > 1
                        && !text.ends_with('/')
                        && syntax::field_value(text, 1024).is_ok()
                        && !text.contains(['?', '#', ' ']);
                    if !ok {
                        return Err(self.source.error(
                            prefix.span(),
                            &format!("{key}.strip_prefix"),
                            format!(
                                "`{text}`: a path prefix like `/api` (a leading `/`, no \
                                 trailing `/`, no `?` or `#`)"
                            ),
                        ));
                    }
                    Some(text.clone())
                }
            };
            routes.push(ProxyRoute {
                pattern: pattern.clone(),
                upstream,
                strip_prefix,
                cache: route.cache.unwrap_or(false),
                timeout_ms: match &route.timeout_ms {
                    Some(_) => Some(self.timeout_ms(&route.timeout_ms, &key, "timeout_ms", 0)?),
                    None => None,
                },
            });
        }
        Ok(routes)
    }
}

impl Checker<'_> {
    /// `[site.fastcgi]` of site `index`.
    pub(super) fn site_fastcgi(&self, index: usize, raw: &Spanned<RawFastCgi>) -> Result<FastCgi> {
        let prefix = format!("site[{index}].fastcgi");
        let raw = raw.get_ref();
        let (server, weight) = self.server_address(&raw.server, &format!("{prefix}.server"))?;
        if weight != 1 {
            return Err(self.source.error(
                raw.server.span(),
                &format!("{prefix}.server"),
                "a FastCGI server takes no weight",
            ));
        }
        let mut extensions = Vec::new();
        for (i, ext) in raw.extensions.iter().flatten().enumerate() {
            let text = ext.get_ref();
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(self.source.error(
                    ext.span(),
                    &format!("{prefix}.extensions[{i}]"),
                    format!("`{text}`: an extension is letters and digits, without the dot"),
                ));
            }
            extensions.push(text.to_ascii_lowercase());
        }
        if raw.extensions.is_none() {
            extensions.push("php".to_owned());
        }
        let index_file = match &raw.index {
            Some(name) => {
                let text = name.get_ref();
                if text.is_empty() || text.contains('/') || text.starts_with('.') {
                    return Err(self.source.error(
                        name.span(),
                        &format!("{prefix}.index"),
                        format!("`{text}`: a file name like `index.php`"),
                    ));
                }
                text.clone()
            }
            None => "index.php".to_owned(),
        };
        let front_controller = match &raw.front_controller {
            Some(path) => {
                let text = path.get_ref();
                let named = text
                    .strip_prefix('/')
                    .and_then(|rel| crate::fastcgi::script(rel, &extensions));
                if named.as_ref().is_none_or(|s| !s.path_info.is_empty()) {
                    return Err(self.source.error(
                        path.span(),
                        &format!("{prefix}.front_controller"),
                        format!("`{text}`: a script's path from the site root, like `/index.php`"),
                    ));
                }
                Some(text.clone())
            }
            None => None,
        };
        let ms = |value: &Option<Spanned<u64>>, key: &str, default: u64| {
            self.timeout_ms(value, &prefix, key, default)
        };
        Ok(FastCgi {
            server,
            extensions,
            index: index_file,
            front_controller,
            connect_timeout_ms: ms(
                &raw.connect_timeout_ms,
                "connect_timeout_ms",
                PROXY_CONNECT_TIMEOUT_MS_DEFAULT,
            )?,
            timeout_ms: ms(&raw.timeout_ms, "timeout_ms", PROXY_TIMEOUT_MS_DEFAULT)?,
            keepalive_max: usize::try_from(self.bounded(
                &raw.keepalive_max,
                &format!("{prefix}.keepalive_max"),
                0,
                PROXY_IDLE_CONNECTIONS_CEILING,
                0,
            )?)
            .unwrap_or(0),
        })
    }
}

/// A server's address as written, before a Unix path is made absolute.
enum Parsed {
    Tcp { host: String, port: u16 },
    Unix(String),
}

/// Whether `name` is a DNS name rustls would send as SNI (not an IP address).
fn rustls_name(name: &str) -> std::result::Result<(), ()> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.parse::<std::net::IpAddr>().is_err()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok { Ok(()) } else { Err(()) }
}

/// `host:port` or `unix:PATH`, with an optional ` weight=N`.
fn upstream_server(text: &str) -> std::result::Result<(Parsed, u32), String> {
    let mut words = text.split_ascii_whitespace();
    let address = words.next().unwrap_or_default();
    let mut weight = 1u32;
    for word in words {
        let value = word
            .strip_prefix("weight=")
            .ok_or_else(|| format!("`{word}`: after the address only `weight=N` may follow"))?;
        weight = value
            .parse::<u64>()
            .ok()
            .filter(|w| (1..=UPSTREAM_WEIGHT_MAX).contains(w))
            .and_then(|w| u32::try_from(w).ok())
            .ok_or_else(|| format!("`{word}`: a weight is 1 to {UPSTREAM_WEIGHT_MAX}"))?;
    }
    if let Some(path) = address.strip_prefix("unix:") {
        if path.is_empty() {
            return Err(format!(
                "`{address}`: a Unix socket's path follows `unix:` (`unix:/run/api.sock`)"
            ));
        }
        return Ok((Parsed::Unix(path.to_owned()), weight));
    }
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => (host, port),
        _ => {
            return Err(format!(
                "`{address}`: a server is `host:port` (`10.0.0.5:8080`, `[::1]:8080`, \
                 `api.internal:80`)"
            ));
        }
    };
    let port: u16 = port
        .parse()
        .ok()
        .filter(|&p| p != 0)
        .ok_or_else(|| format!("`{address}`: the port is 1 to 65535"))?;
    let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            v6.parse::<std::net::Ipv6Addr>()
                .map_err(|_| format!("`{address}`: `{v6}` is not an IPv6 address"))?;
            v6.to_owned()
        }
        None => {
            let name_ok = host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                && host.len() <= 253;
            if !name_ok {
                return Err(format!(
                    "`{address}`: `{host}` is neither an IPv4 address nor a host name \
                     (an IPv6 address goes in brackets)"
                ));
            }
            host.to_ascii_lowercase()
        }
    };
    Ok((Parsed::Tcp { host, port }, weight))
}

fn balance(text: &str) -> std::result::Result<Balance, String> {
    let names = "round_robin, least_conn, ewma, random_two or consistent_hash(ip), \
                 consistent_hash(header:NAME), consistent_hash(cookie:NAME)";
    Ok(match text {
        "round_robin" => Balance::RoundRobin,
        "least_conn" => Balance::LeastConn,
        "ewma" => Balance::Ewma,
        "random_two" => Balance::RandomTwo,
        _ => {
            let inner = text
                .strip_prefix("consistent_hash(")
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| format!("`{text}`: the balance is {names}"))?;
            let key = match inner.split_once(':') {
                None if inner == "ip" => HashKey::Ip,
                Some(("header", name)) if syntax::is_token(name) => {
                    HashKey::Header(name.to_ascii_lowercase())
                }
                Some(("cookie", name)) if syntax::is_token(name) => {
                    HashKey::Cookie(name.to_owned())
                }
                _ => return Err(format!("`{text}`: the balance is {names}")),
            };
            Balance::ConsistentHash(key)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_and_balances_parse_or_say_why_not() {
        let ok = |text: &str, want: &str, weight: u32| {
            let (parsed, w) = upstream_server(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let got = match parsed {
                Parsed::Tcp { host, port } => format!("{host} {port}"),
                Parsed::Unix(path) => format!("unix {path}"),
            };
            assert_eq!((got.as_str(), w), (want, weight), "{text}");
        };
        ok("10.0.0.5:8080", "10.0.0.5 8080", 1);
        ok("10.0.0.6:8080 weight=2", "10.0.0.6 8080", 2);
        ok("[::1]:81", "::1 81", 1);
        ok("API.internal:80", "api.internal 80", 1);
        ok("unix:/run/api.sock", "unix /run/api.sock", 1);
        ok("unix:api.sock weight=3", "unix api.sock", 3);
        for (text, needle) in [
            ("10.0.0.5", "a server is `host:port`"),
            ("10.0.0.5:0", "the port is 1 to 65535"),
            ("10.0.0.5:http", "the port is 1 to 65535"),
            ("[nope]:80", "is not an IPv6 address"),
            ("a_b:80", "neither an IPv4 address nor a host name"),
            ("10.0.0.5:80 weight=0", "a weight is 1 to"),
            ("10.0.0.5:80 heavy", "only `weight=N` may follow"),
            ("unix:", "a Unix socket's path follows `unix:`"),
        ] {
            let Err(error) = upstream_server(text) else {
                panic!("{text} parsed");
            };
            assert!(error.contains(needle), "{text}: {error}");
        }
        assert_eq!(balance("least_conn"), Ok(Balance::LeastConn));
        assert_eq!(
            balance("consistent_hash(header:X-User)"),
            Ok(Balance::ConsistentHash(HashKey::Header("x-user".into())))
        );
        assert_eq!(
            balance("consistent_hash(cookie:sid)"),
            Ok(Balance::ConsistentHash(HashKey::Cookie("sid".into())))
        );
        assert_eq!(
            balance("consistent_hash(ip)"),
            Ok(Balance::ConsistentHash(HashKey::Ip))
        );
        for bad in [
            "fastest",
            "consistent_hash(url)",
            "consistent_hash(header:a b)",
        ] {
            assert!(balance(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sni_names_are_dns_names() {
        for good in ["api.example.com", "localhost", "a-b.c"] {
            assert_eq!(rustls_name(good), Ok(()), "{good}");
        }
        for bad in ["", "10.0.0.5", "::1", "a..b", "-a.b", "a_b.c", "a b"] {
            assert_eq!(rustls_name(bad), Err(()), "{bad}");
        }
    }
}
