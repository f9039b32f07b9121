//! The certificates a shard's TLS listener serves: one per site that has `tls`, chosen by the
//! client's SNI (an exact host, then a `*.suffix` wildcard one label deep, then the default
//! site's), loaded once per config snapshot and shared read-only by every shard. A reload
//! builds a new set; connections already open keep the one they started with.
//!
//! rustls's built-in resolver matches exact names only, so the choice by name is ours.
//!
//! A site with `acme` serves the certificate the ACME thread keeps in its storage folder, or,
//! until there is one, a self-signed stand-in. While a TLS-ALPN-01 challenge is open, a shard
//! serves new connections with [`with_challenges`]: the same config, plus the challenge
//! certificates for validators that ask for `acme-tls/1`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bext_core::acme::{Challenges, TLS_ALPN01_PROTOCOL, cert_dir};
use bext_core::config::{Config, SiteTls};
#[cfg(feature = "aws-lc-rs")]
use rustls::crypto::aws_lc_rs as crypto;
#[cfg(not(feature = "aws-lc-rs"))]
use rustls::crypto::ring as crypto;

use crypto::sign::any_supported_type;

/// Makes this build's provider the process's default, for libraries that build their own
/// rustls configs with `ClientConfig::builder()` (the Redis client of `[cluster]`), which
/// would otherwise panic when the dependency graph enables more than one provider. Keeps
/// one already installed.
pub(crate) fn install_default_provider() {
    let _ = crypto::default_provider().install_default();
}

/// The cryptography rustls runs on in this build (named in the "serving … https://" line).
#[cfg(feature = "aws-lc-rs")]
pub const PROVIDER: &str = "aws-lc-rs";
#[cfg(not(feature = "aws-lc-rs"))]
pub const PROVIDER: &str = "ring";
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, NoServerSessionStorage, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// One TLS site's certificate chain and private key, as loaded: what QUIC's TLS (BoringSSL,
/// `tls/quic.rs`) serves, the same certificate rustls serves over TCP.
pub(crate) struct SiteKeys {
    pub hosts: Vec<String>,
    pub default: bool,
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// What the TLS sites serve: rustls's configuration, and the keys it was made of.
pub(crate) type Served = (Arc<rustls::ServerConfig>, Arc<[SiteKeys]>);

/// The rustls server configuration for a config's sites, with each site's certificate and
/// key as loaded, or `None` when none has `tls`. Errors name the site and the file.
pub(crate) fn server_config(config: &Config) -> Result<Option<Served>, String> {
    let mut resolver = BySni::default();
    let mut loaded = Vec::new();
    for (i, site) in config.sites.iter().enumerate() {
        let Some(tls) = &site.tls else {
            continue;
        };
        let (key, chain, der) =
            certified_key(tls, &site.hosts).map_err(|e| format!("site[{i}].tls: {e}"))?;
        loaded.push(SiteKeys {
            hosts: site.hosts.clone(),
            default: site.default,
            chain,
            key: der,
        });
        let key = Arc::new(key);
        for host in &site.hosts {
            match host.strip_prefix("*.") {
                Some(suffix) => resolver.wildcard.insert(suffix.to_owned(), key.clone()),
                None => resolver.exact.insert(host.clone(), key.clone()),
            };
        }
        if site.default {
            resolver.default = Some(key);
        }
    }
    if resolver.exact.is_empty() && resolver.wildcard.is_empty() && resolver.default.is_none() {
        return Ok(None);
    }
    // ring by default; aws-lc-rs with the feature of that name.
    let mut provider = crypto::default_provider();
    provider.cipher_suites = SUITES_IN_ORDER.to_vec();
    let provider = Arc::new(provider);
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    // HTTP/2 first where the client offers it (and the config allows it), HTTP/1.1 otherwise.
    server.alpn_protocols = if config.server.http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    // Resumption by stateless tickets, from one ticketer for the whole process: a client that
    // comes back on another shard (or after a reload) resumes, and no session cache (one
    // mutex for every shard) is kept. rustls rotates the ticket keys on its schedule. With
    // `tls_session_tickets = false`, no tickets: every handshake is a full one.
    server.session_storage = Arc::new(NoServerSessionStorage {});
    if config.server.tls_session_tickets {
        server.ticketer = ticketer()?;
        // One new ticket per handshake (rustls sends two by default): a client that comes
        // back resumes with it and gets the next one then. Each ticket costs the server an
        // encryption and the client a session to parse and keep.
        server.send_tls13_tickets = 1;
    } else {
        server.send_tls13_tickets = 0;
    }
    // The server's order of cipher suites (`SUITES_IN_ORDER`), not the client's: what
    // testssl.sh checks for, and what makes every client use the cheapest strong suite.
    server.ignore_client_order = true;
    // kTLS takes the traffic secrets from rustls once the handshake is done.
    server.enable_secret_extraction = config.server.ktls;
    Ok(Some((Arc::new(server), loaded.into())))
}

/// The cipher suites, in the order the server picks them (`ignore_client_order`): Mozilla's
/// "intermediate" order (AES-128-GCM, then AES-256-GCM, then ChaCha20-Poly1305; ECDSA before
/// RSA). AES-128-GCM first also makes handshakes cheaper than rustls's own order, which puts
/// AES-256-GCM with SHA-384 first: SHA-256 has CPU instructions of its own on x86 and ARM,
/// and a TLS 1.3 handshake hashes its transcript and derives every key with the suite's hash.
const SUITES_IN_ORDER: &[rustls::SupportedCipherSuite] = &[
    crypto::cipher_suite::TLS13_AES_128_GCM_SHA256,
    crypto::cipher_suite::TLS13_AES_256_GCM_SHA384,
    crypto::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
    crypto::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    crypto::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    crypto::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    crypto::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    crypto::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    crypto::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

fn ticketer() -> Result<Arc<dyn rustls::server::ProducesTickets>, String> {
    static TICKETER: OnceLock<Arc<dyn rustls::server::ProducesTickets>> = OnceLock::new();
    if let Some(ticketer) = TICKETER.get() {
        return Ok(ticketer.clone());
    }
    let made = crypto::Ticketer::new().map_err(|e| format!("TLS tickets: {e}"))?;
    Ok(TICKETER.get_or_init(|| made).clone())
}

/// The site's key for rustls, with the chain and the private key it was made of.
type Loaded = (
    CertifiedKey,
    Vec<CertificateDer<'static>>,
    PrivateKeyDer<'static>,
);

fn certified_key(tls: &SiteTls, hosts: &[String]) -> Result<Loaded, String> {
    let (chain, key) = match tls {
        SiteTls::Files { cert, key, .. } => read_pem(cert, key)?,
        SiteTls::SelfSigned => self_signed(hosts)?,
        SiteTls::Acme(acme) => {
            let dir = cert_dir(&acme.storage, hosts);
            let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
            if cert.exists() && key.exists() {
                read_pem(&cert, &key)?
            } else {
                eprintln!(
                    "bext: acme: no certificate for {} in {} yet: serving a self-signed one until the CA issues it",
                    hosts.join(", "),
                    acme.storage.display()
                );
                self_signed(hosts)?
            }
        }
    };
    let signing = any_supported_type(&key).map_err(|e| format!("the private key: {e}"))?;
    let mut certified = CertifiedKey::new(chain.clone(), signing);
    certified
        .keys_match()
        .map_err(|e| format!("the key does not match the certificate: {e}"))?;
    if let SiteTls::Files {
        ocsp: Some(ocsp), ..
    } = tls
    {
        // Stapled as it is: rustls sends it to clients that ask (status_request).
        let response = std::fs::read(ocsp).map_err(|e| format!("{}: {e}", ocsp.display()))?;
        if response.is_empty() {
            return Err(format!("{}: an empty OCSP response", ocsp.display()));
        }
        certified.ocsp = Some(response);
    }
    Ok((certified, chain, key))
}

/// A PEM chain (leaf first) and its PEM private key; errors name the file.
pub(crate) fn read_pem(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no certificate in it", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    Ok((chain, key))
}

/// A certificate for the site's hosts (and `localhost`), made now: for development only.
fn self_signed(
    hosts: &[String],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let mut names: Vec<String> = hosts
        .iter()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
        .collect();
    if !names.iter().any(|n| n == "localhost") {
        names.push(String::from("localhost"));
    }
    let made =
        rcgen::generate_simple_self_signed(names).map_err(|e| format!("self-signed: {e}"))?;
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der())
        .map_err(|e| format!("self-signed key: {e}"))?;
    Ok((vec![made.cert.der().clone()], key))
}

/// `base` plus answers to the open TLS-ALPN-01 challenges: a client offering `acme-tls/1`
/// gets the challenge certificate for its SNI (and ALPN `acme-tls/1`), everyone else what
/// `base` gives.
pub(crate) fn with_challenges(
    base: &Arc<rustls::ServerConfig>,
    challenges: &Challenges,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let mut by_host = HashMap::new();
    for challenge in &challenges.tls_alpn {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(challenge.key_der.clone()));
        let signing = any_supported_type(&key)
            .map_err(|e| format!("TLS-ALPN-01 key for {}: {e}", challenge.host))?;
        let cert = CertificateDer::from(challenge.cert_der.clone());
        by_host.insert(
            challenge.host.clone(),
            Arc::new(CertifiedKey::new(vec![cert], signing)),
        );
    }
    let mut config = (**base).clone();
    config.cert_resolver = Arc::new(WithChallenges {
        base: base.cert_resolver.clone(),
        by_host,
    });
    config.alpn_protocols.push(TLS_ALPN01_PROTOCOL.to_vec());
    Ok(Arc::new(config))
}

#[derive(Debug)]
struct WithChallenges {
    base: Arc<dyn ResolvesServerCert>,
    by_host: HashMap<String, Arc<CertifiedKey>>,
}

impl ResolvesServerCert for WithChallenges {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let validator = hello
            .alpn()
            .is_some_and(|mut protocols| protocols.any(|p| p == TLS_ALPN01_PROTOCOL));
        if !validator {
            return self.base.resolve(hello);
        }
        // RFC 8737 §3: only the challenge certificate for that name; none, no handshake.
        let name = hello
            .server_name()?
            .trim_end_matches('.')
            .to_ascii_lowercase();
        self.by_host.get(&name).cloned()
    }
}

/// Certificates by server name.
#[derive(Debug, Default)]
struct BySni {
    exact: HashMap<String, Arc<CertifiedKey>>,
    /// `*.example.com` under `example.com`.
    wildcard: HashMap<String, Arc<CertifiedKey>>,
    default: Option<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for BySni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(name) = hello.server_name() else {
            return self.default.clone();
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(key) = self.exact.get(&name) {
            return Some(key.clone());
        }
        if let Some((_, parent)) = name.split_once('.')
            && let Some(key) = self.wildcard.get(parent)
        {
            return Some(key.clone());
        }
        self.default.clone()
    }
}

/// A client certificate the proxy shows HTTPS upstreams (`tls_client_cert`), read once per
/// config and shared read-only by the shards.
pub(crate) struct ClientAuth {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// A TLS client configuration for the proxy's HTTPS upstreams, trusting `roots`, offering
/// HTTP/1.1 by ALPN, and showing `client` (a chain and its key) to a server that asks for a
/// certificate. Each shard builds its own: rustls keeps resumable sessions in it.
pub(crate) fn client_config(
    roots: Arc<rustls::RootCertStore>,
    client: Option<&ClientAuth>,
    alpn: &[u8],
) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(crypto::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots);
    let mut config = match client {
        Some(auth) => builder.with_client_auth_cert(auth.chain.clone(), auth.key.clone_key())?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![alpn.to_vec()];
    Ok(Arc::new(config))
}
