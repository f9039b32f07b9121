//! What a snapshot prepares for the proxy, once per config: each upstream server's address
//! resolved, its `Host` and TLS name, the authorities HTTPS upstreams are verified against,
//! and the upstreams that next.config's rewrites to other servers go through.
//!
//! **Rewrites to other servers.** A rewrite in next.config (or from middleware) whose
//! destination is an absolute URL is proxied, as `next start` does. Its server must be known
//! when the config loads, so that its name is resolved then (with a deadline, never on a
//! shard) and its connections pooled like any upstream's: each distinct `scheme://host:port`
//! among next.config's destinations becomes an upstream of its own (`host_header =
//! "upstream"`, as Next sends the destination's host), and a URL naming a server of an
//! `[[upstream]]` (same host, port and scheme) goes to that upstream. A destination whose
//! host is a parameter, or a middleware's URL to an unknown server, is answered 502 with the
//! reason logged: bext resolves no names while serving.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bext_core::config::{Balance, Config, HostHeader, ServerAddress, Upstream, UpstreamServer};
use bext_core::config::{UpstreamProtocol, UpstreamTls};
use bext_core::limits::{
    PROXY_CONNECT_TIMEOUT_MS_DEFAULT, PROXY_EJECT_MS_DEFAULT, PROXY_FAIL_MAX_DEFAULT,
    PROXY_IDLE_CONNECTIONS_DEFAULT, PROXY_IDLE_MS_DEFAULT, PROXY_TIMEOUT_MS_DEFAULT,
};
use bext_core::origin::{Origin, authority};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::upstream::{ClientAuth, PeerAddr, read_client_auth};

/// The proxy's view of the config's upstreams, in `config.upstreams` order.
#[derive(Default)]
pub(crate) struct Upstreams {
    /// Each server's address, per upstream.
    pub addrs: Vec<Vec<PeerAddr>>,
    /// Each server's `host[:port]` (the port left out when it is the scheme's), for
    /// `host_header = "upstream"` and health checks.
    pub hosts: Vec<Vec<String>>,
    /// An HTTPS upstream's trust and names.
    pub tls: Vec<Option<TlsSetup>>,
    /// Which upstream a rewrite to `scheme://host:port` goes through.
    pub origins: HashMap<Origin, usize>,
}

/// How one HTTPS upstream is verified, and the certificate shown to it.
pub(crate) struct TlsSetup {
    /// Shared read-only; each shard builds its own client configuration over it.
    pub roots: Arc<RootCertStore>,
    /// `tls_client_cert` and `tls_client_key`, read.
    pub client: Option<Arc<ClientAuth>>,
    /// Per server: SNI, and the name its certificate must have.
    pub names: Vec<ServerName<'static>>,
}

/// A resolver: `host`, `port` to an address, or why not.
pub(crate) type Resolve<'a> = &'a dyn Fn(&str, u16) -> Result<SocketAddr, String>;

impl Upstreams {
    /// Resolves every `[[upstream]]` server (an error names the key), then adds an upstream
    /// for each server next.config's rewrites go to (`rewrite_urls`: their destinations)
    /// that no `[[upstream]]` is: appended to `config.upstreams`, so the shards pool and
    /// balance them like the others. One that does not resolve is left out and said.
    pub(crate) fn build(
        config: &mut Config,
        rewrite_urls: &[String],
        resolve: Resolve<'_>,
    ) -> Result<Upstreams, String> {
        let mut out = Upstreams::default();
        let mut system_roots: Option<Arc<RootCertStore>> = None;
        for (i, upstream) in config.upstreams.iter().enumerate() {
            out.add(i, upstream, resolve, &mut system_roots)?;
        }
        let mut seen: Vec<Origin> = Vec::new();
        for url in rewrite_urls {
            let Some((origin, _)) = bext_core::origin::split_url(url) else {
                continue;
            };
            if out.origins.contains_key(&origin) || seen.contains(&origin) {
                continue;
            }
            seen.push(origin.clone());
            let upstream = rewrite_upstream(&origin);
            let index = config.upstreams.len();
            match out.add(index, &upstream, resolve, &mut system_roots) {
                Ok(()) => config.upstreams.push(upstream),
                Err(why) => eprintln!(
                    "bext: next.config: rewrites to {}: {why}; such requests are answered 502",
                    origin.url()
                ),
            }
        }
        Ok(out)
    }

    fn add(
        &mut self,
        index: usize,
        upstream: &Upstream,
        resolve: Resolve<'_>,
        system_roots: &mut Option<Arc<RootCertStore>>,
    ) -> Result<(), String> {
        let tls = upstream.tls.is_some();
        let mut addrs = Vec::with_capacity(upstream.servers.len());
        let mut hosts = Vec::with_capacity(upstream.servers.len());
        for (k, server) in upstream.servers.iter().enumerate() {
            match &server.address {
                ServerAddress::Tcp { host, port } => {
                    let addr = resolve(host, *port).map_err(|e| {
                        format!("upstream[{index}].servers[{k}]: {host}:{port}: {e}")
                    })?;
                    addrs.push(PeerAddr::Tcp(addr));
                    hosts.push(authority(host, *port, tls));
                }
                ServerAddress::Unix(path) => {
                    addrs.push(PeerAddr::Unix(path.clone()));
                    hosts.push("localhost".to_owned());
                }
            }
        }
        let setup = match &upstream.tls {
            None => None,
            Some(settings) => Some(tls_setup(index, upstream, settings, system_roots)?),
        };
        // The first upstream naming a server gets the rewrites to it.
        for server in &upstream.servers {
            if let ServerAddress::Tcp { host, port } = &server.address {
                let origin = Origin {
                    tls,
                    host: host.clone(),
                    port: *port,
                };
                self.origins.entry(origin).or_insert(index);
            }
        }
        self.addrs.push(addrs);
        self.hosts.push(hosts);
        self.tls.push(setup);
        Ok(())
    }
}

/// The upstream a rewrite to `origin` goes through when no `[[upstream]]` names it.
fn rewrite_upstream(origin: &Origin) -> Upstream {
    Upstream {
        name: origin.url(),
        servers: vec![UpstreamServer {
            address: ServerAddress::Tcp {
                host: origin.host.clone(),
                port: origin.port,
            },
            weight: 1,
        }],
        balance: Balance::RoundRobin,
        connect_timeout_ms: PROXY_CONNECT_TIMEOUT_MS_DEFAULT,
        timeout_ms: PROXY_TIMEOUT_MS_DEFAULT,
        idle_connections_max: PROXY_IDLE_CONNECTIONS_DEFAULT,
        idle_ms: PROXY_IDLE_MS_DEFAULT,
        fail_max: u32::try_from(PROXY_FAIL_MAX_DEFAULT).unwrap_or(u32::MAX),
        eject_ms: PROXY_EJECT_MS_DEFAULT,
        health: None,
        retry_non_idempotent: false,
        tls: origin.tls.then_some(UpstreamTls {
            sni: None,
            ca: None,
            client_cert: None,
        }),
        host_header: HostHeader::Upstream,
        protocol: UpstreamProtocol::Http1,
    }
}

/// The roots and names an HTTPS upstream is verified with.
fn tls_setup(
    index: usize,
    upstream: &Upstream,
    settings: &UpstreamTls,
    system_roots: &mut Option<Arc<RootCertStore>>,
) -> Result<TlsSetup, String> {
    let roots = match &settings.ca {
        Some(path) => {
            let mut roots = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("upstream[{index}].tls_ca: {}: {e}", path.display()))?;
            for cert in certs {
                let cert =
                    cert.map_err(|e| format!("upstream[{index}].tls_ca: {}: {e}", path.display()))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("upstream[{index}].tls_ca: {}: {e}", path.display()))?;
            }
            if roots.is_empty() {
                return Err(format!(
                    "upstream[{index}].tls_ca: {}: no certificate in it",
                    path.display()
                ));
            }
            Arc::new(roots)
        }
        None => match system_roots {
            Some(roots) => roots.clone(),
            None => {
                let found = rustls_native_certs::load_native_certs();
                let mut roots = RootCertStore::empty();
                let (added, _) = roots.add_parsable_certificates(found.certs);
                if added == 0 {
                    return Err(format!(
                        "upstream[{index}].tls: no trusted authority found in the system's \
                         store ({}); install ca-certificates or set tls_ca",
                        found
                            .errors
                            .first()
                            .map_or("it is empty".to_owned(), ToString::to_string)
                    ));
                }
                let roots = Arc::new(roots);
                *system_roots = Some(roots.clone());
                roots
            }
        },
    };
    let mut names = Vec::with_capacity(upstream.servers.len());
    for (k, server) in upstream.servers.iter().enumerate() {
        let host = match (&settings.sni, &server.address) {
            (Some(sni), _) => sni.as_str(),
            (None, ServerAddress::Tcp { host, .. }) => host.as_str(),
            (None, ServerAddress::Unix(_)) => {
                return Err(format!(
                    "upstream[{index}].servers[{k}]: TLS goes to host:port servers only"
                ));
            }
        };
        let name = ServerName::try_from(host.to_owned())
            .map_err(|e| format!("upstream[{index}].servers[{k}]: `{host}`: {e}"))?;
        names.push(name);
    }
    let client = match &settings.client_cert {
        None => None,
        Some(files) => {
            let auth = read_client_auth(&files.cert, &files.key)
                .map_err(|e| format!("upstream[{index}].tls_client_cert/tls_client_key: {e}"))?;
            // Made once here, so that a key that is not the certificate's is an error of
            // the config, not of each shard's first connection.
            crate::upstream::client_config(roots.clone(), Some(&auth), crate::upstream::ALPN_HTTP1)
                .map_err(|e| {
                    format!(
                        "upstream[{index}].tls_client_key: {}: {e}",
                        files.key.display()
                    )
                })?;
            Some(Arc::new(auth))
        }
    };
    Ok(TlsSetup {
        roots,
        client,
        names,
    })
}
