//! QUIC's TLS: quiche runs its handshakes on BoringSSL, so the certificates the TCP
//! listeners serve through rustls are loaded a second time into BoringSSL here, from the
//! same chains and keys (`certs::SiteKeys`), and chosen by SNI the same way (an exact host,
//! then a `*.suffix` wildcard one label deep, then the default site's).
//!
//! One `quiche::Config` per shard and snapshot (quiche's config is not shared between
//! threads); the parsed certificates behind it are shared read-only.

use std::collections::HashMap;
use std::sync::Arc;

use boring::pkey::{PKey, Private};
use boring::ssl::{NameType, SslContextBuilder, SslMethod, SslRef};
use boring::x509::X509;

use bext_core::limits::{
    QUIC_CONNECTION_WINDOW_BYTES, QUIC_IDLE_TIMEOUT_MS, QUIC_RECV_DATAGRAM_BYTES_MAX,
    QUIC_SEND_DATAGRAM_BYTES_MAX, QUIC_STREAM_WINDOW_BYTES, QUIC_STREAMS_CONCURRENT_MAX,
};

use super::certs::SiteKeys;

/// Unidirectional streams a client may open: HTTP/3 needs three (control, QPACK encoder
/// and decoder); a few more for extensions (RFC 9114 §6.2: at least 3 must be allowed).
// tidy: not a limit: a protocol floor with slack.
const QUIC_STREAMS_UNI_MAX: u64 = 16;

/// One site's certificate as BoringSSL objects.
struct Served {
    leaf: X509,
    chain: Vec<X509>,
    key: PKey<Private>,
}

/// Certificates by server name, as `certs::BySni` chooses them.
#[derive(Default)]
struct ByName {
    exact: HashMap<String, Arc<Served>>,
    wildcard: HashMap<String, Arc<Served>>,
    default: Option<Arc<Served>>,
}

impl ByName {
    fn choose(&self, name: Option<&str>) -> Option<&Arc<Served>> {
        let Some(name) = name else {
            return self.default.as_ref();
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(served) = self.exact.get(&name) {
            return Some(served);
        }
        if let Some((_, parent)) = name.split_once('.')
            && let Some(served) = self.wildcard.get(parent)
        {
            return Some(served);
        }
        self.default.as_ref()
    }
}

/// quiche's configuration for serving HTTP/3 with `keys`.
pub(crate) fn config(keys: &[SiteKeys]) -> Result<quiche::Config, String> {
    let mut names = ByName::default();
    for site in keys {
        let served = Arc::new(
            served(site)
                .map_err(|e| format!("QUIC: the certificate of {}: {e}", site.hosts.join(", ")))?,
        );
        for host in &site.hosts {
            match host.strip_prefix("*.") {
                Some(suffix) => names.wildcard.insert(suffix.to_owned(), served.clone()),
                None => names.exact.insert(host.clone(), served.clone()),
            };
        }
        if site.default || names.default.is_none() {
            names.default = Some(served);
        }
    }
    let names = Arc::new(names);
    let mut tls = SslContextBuilder::new(SslMethod::tls()).map_err(|e| format!("QUIC TLS: {e}"))?;
    // The certificate is set on each handshake once its SNI is known (and with none, the
    // default site's): BoringSSL calls this before it chooses a certificate.
    tls.set_servername_callback(move |ssl, _alert| {
        let name = ssl.servername(NameType::HOST_NAME).map(str::to_owned);
        match names.choose(name.as_deref()) {
            Some(served) if install(ssl, served).is_ok() => Ok(()),
            _ => Err(boring::ssl::SniError::ALERT_FATAL),
        }
    });
    let mut config = quiche::Config::with_boring_ssl_ctx_builder(quiche::PROTOCOL_VERSION, tls)
        .map_err(|e| format!("QUIC: {e}"))?;
    config
        .set_application_protos(quiche::h3::APPLICATION_PROTOCOL)
        .map_err(|e| format!("QUIC: {e}"))?;
    config.set_max_idle_timeout(QUIC_IDLE_TIMEOUT_MS);
    config.set_max_recv_udp_payload_size(QUIC_RECV_DATAGRAM_BYTES_MAX);
    config.set_max_send_udp_payload_size(QUIC_SEND_DATAGRAM_BYTES_MAX);
    config.set_initial_max_data(QUIC_CONNECTION_WINDOW_BYTES);
    config.set_initial_max_stream_data_bidi_local(QUIC_STREAM_WINDOW_BYTES);
    config.set_initial_max_stream_data_bidi_remote(QUIC_STREAM_WINDOW_BYTES);
    config.set_initial_max_stream_data_uni(QUIC_STREAM_WINDOW_BYTES);
    config.set_initial_max_streams_bidi(QUIC_STREAMS_CONCURRENT_MAX);
    config.set_initial_max_streams_uni(QUIC_STREAMS_UNI_MAX);
    // Spare connection IDs for the client, so that it can move to a new path (connection
    // migration): each one names this shard, so the connection stays where it is.
    config.set_active_connection_id_limit(4);
    // 0-RTT stays off: early data can be replayed by an attacker, and nothing tells a
    // handler that its request might be a replay (RFC 8470's `Early-Data` dance).
    Ok(config)
}

fn served(site: &SiteKeys) -> Result<Served, boring::error::ErrorStack> {
    let mut certs = site.chain.iter();
    let leaf = match certs.next() {
        Some(der) => X509::from_der(der)?,
        None => return Err(boring::error::ErrorStack::get()),
    };
    let chain = certs
        .map(|der| X509::from_der(der))
        .collect::<Result<Vec<_>, _>>()?;
    let key = PKey::private_key_from_der(site.key.secret_der())?;
    Ok(Served { leaf, chain, key })
}

fn install(ssl: &mut SslRef, served: &Served) -> Result<(), boring::error::ErrorStack> {
    ssl.set_certificate(&served.leaf)?;
    ssl.set_private_key(&served.key)?;
    for cert in &served.chain {
        ssl.add_chain_cert(cert)?;
    }
    Ok(())
}
