//! Accepting connections: each listening socket of a shard gets a loop that accepts, applies
//! the connection limit, and hands each connection to its protocol's driver over its
//! transport. This is wiring (runtime, transport and driver meet here), which is why it lives
//! with the shard's main loop and not in `transport/`.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use bext_core::limits::ACCEPT_RETRY_MS;
use bext_shards::rt::{self, TcpListener};
use bext_shards::sync::race;

use crate::driver;
use crate::service::{Service, State};
use crate::transport::Transport;
use crate::transport::tls::Tls;
use crate::transport::tls::kernel::{Kept, Offload};
use bext_core::acme::TLS_ALPN01_PROTOCOL;

/// Accepts connections on one of this shard's listening sockets until the shard stops, and
/// serves each with the HTTP/1.1 driver, or the HTTP/2 one when ALPN chose `h2`, over TLS when
/// `tls` (the certificates of the snapshot current at accept). Past `connections_per_shard_max` open connections, a new one is closed
/// at once.
pub(crate) async fn accept_loop(service: Rc<Service>, listener: TcpListener, tls: bool) {
    let shard = service.shard.clone();
    loop {
        let Some(accepted) = race(listener.accept(), shard.stop.wait()).await else {
            return;
        };
        match accepted {
            Ok((stream, peer)) => {
                let limit = service
                    .current()
                    .snapshot
                    .config
                    .server
                    .limits
                    .connections_per_shard_max;
                let mut metrics = shard.metrics.borrow_mut();
                metrics.connections_accepted += 1;
                if metrics.connections_open as usize >= limit {
                    metrics.connections_refused += 1;
                    drop(stream);
                    continue;
                }
                metrics.connections_open += 1;
                drop(metrics);
                let _ = stream.set_nodelay(true);
                if !tls {
                    super::spawn(
                        &shard,
                        "a connection",
                        driver::h1::serve(service.clone(), stream, peer, false),
                    );
                    continue;
                }
                let state = service.current();
                let handshake = Duration::from_millis(
                    state
                        .snapshot
                        .config
                        .server
                        .timeouts
                        .tls_handshake_timeout_ms,
                );
                let Some(config) = tls_config(&service, &state) else {
                    let mut metrics = shard.metrics.borrow_mut();
                    metrics.connections_open = metrics.connections_open.saturating_sub(1);
                    continue;
                };
                let ktls = state.snapshot.config.server.ktls;
                let service = service.clone();
                // The handshake is a task of its own, and serving the connection another (see
                // `serve_secure`).
                super::spawn(&shard, "a TLS handshake", async move {
                    match Tls::accept(stream, config, handshake).await {
                        Ok(mut tls) if tls.alpn() == Some(TLS_ALPN01_PROTOCOL) => {
                            // An ACME validator: the handshake (our challenge certificate)
                            // was the whole answer (RFC 8737 §3); no HTTP follows.
                            let _ = tls.shutdown_write().await;
                            let mut metrics = service.shard.metrics.borrow_mut();
                            metrics.connections_open = metrics.connections_open.saturating_sub(1);
                        }
                        Ok(tls) if ktls => match tls.offload().await {
                            Offload::Kernel(ktls) => {
                                service.shard.metrics.borrow_mut().tls_ktls_offloaded += 1;
                                let h2 = ktls.alpn() == Some(&b"h2"[..]);
                                serve_secure(&service, ktls, h2, peer);
                            }
                            Offload::User(tls, kept) => {
                                service.shard.metrics.borrow_mut().tls_ktls_fallbacks += 1;
                                say_kept(&kept);
                                let h2 = tls.alpn() == Some(&b"h2"[..]);
                                serve_secure(&service, tls, h2, peer);
                            }
                            Offload::Lost(e) => {
                                let shard = &service.shard;
                                let mut metrics = shard.metrics.borrow_mut();
                                metrics.connections_open =
                                    metrics.connections_open.saturating_sub(1);
                                metrics.tls_ktls_failures += 1;
                                let failures = metrics.tls_ktls_failures;
                                drop(metrics);
                                if failures.is_power_of_two() {
                                    eprintln!(
                                        "bext: shard {}: kTLS refused the keys of {peer} ({failures} so far): {e}",
                                        shard.id
                                    );
                                }
                            }
                        },
                        Ok(tls) => {
                            let h2 = tls.alpn() == Some(&b"h2"[..]);
                            serve_secure(&service, tls, h2, peer);
                        }
                        Err(e) => {
                            let shard = &service.shard;
                            let mut metrics = shard.metrics.borrow_mut();
                            metrics.connections_open = metrics.connections_open.saturating_sub(1);
                            metrics.tls_handshake_failures += 1;
                            let failures = metrics.tls_handshake_failures;
                            drop(metrics);
                            // Logged at 1, 2, 4, 8, …: a flood of bad handshakes is seen,
                            // not written out one by one.
                            if failures.is_power_of_two() {
                                eprintln!(
                                    "bext: shard {}: TLS handshake with {peer} failed ({failures} so far): {e}",
                                    shard.id
                                );
                            }
                        }
                    }
                });
            }
            Err(e) => {
                // EMFILE and friends: back off briefly instead of spinning.
                eprintln!("bext: shard {}: accept failed: {e}", shard.id);
                rt::sleep(Duration::from_millis(ACCEPT_RETRY_MS)).await;
            }
        }
    }
}

/// The TLS config for a connection accepted under `state`: the snapshot's, or, while an ACME
/// TLS-ALPN-01 challenge is open, one that also answers it (made once per snapshot and
/// challenge set).
fn tls_config(service: &Service, state: &State) -> Option<Arc<rustls::ServerConfig>> {
    let base = state.snapshot.tls.as_ref()?;
    let acme = service.acme();
    if acme.tls_alpn.is_empty() {
        return Some(base.clone());
    }
    let mut cached = service.acme_tls.borrow_mut();
    if let Some((id, config)) = &*cached
        && *id == state.snapshot.id
    {
        return Some(config.clone());
    }
    match crate::transport::tls::certs::with_challenges(base, &acme) {
        Ok(config) => {
            *cached = Some((state.snapshot.id, config.clone()));
            Some(config)
        }
        Err(e) => {
            eprintln!("bext: shard {}: acme: {e}", service.shard.id);
            Some(base.clone())
        }
    }
}

/// Serves a connection over TLS (rustls's or the kernel's) with HTTP/2 when ALPN chose it,
/// HTTP/1.1 otherwise, in a task of its own: the handshake's task ends here, so an idle
/// connection holds only its driver's state, not the handshake's and the kTLS move's beside
/// it for its whole life.
fn serve_secure<T: Transport + 'static>(
    service: &Rc<Service>,
    transport: T,
    h2: bool,
    peer: std::net::SocketAddr,
) {
    let shard = &service.shard;
    if h2 {
        let serve = driver::h2::serve(service.clone(), transport, peer, true, Vec::new());
        super::spawn(shard, "an HTTP/2 connection over TLS", serve);
    } else {
        let serve = driver::h1::serve(service.clone(), transport, peer, true);
        super::spawn(shard, "an HTTPS connection", serve);
    }
}

/// Says once per process that kTLS is on but the kernel has none (or why it refused); a
/// connection that was only not at a record boundary is counted, not said.
fn say_kept(kept: &Kept) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let message = match kept {
        Kept::Unavailable => String::from(
            "kTLS: this kernel has no TLS layer (CONFIG_TLS): TLS stays in user space (rustls)",
        ),
        Kept::Refused(e) => format!(
            "kTLS: the kernel refused to attach TLS ({e}): TLS stays in user space (rustls)"
        ),
        Kept::NotNow => return,
    };
    if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        eprintln!("bext: {message}");
    }
}
