//! Accepting connections: each listening socket of a shard gets a loop that accepts, applies
//! the connection limit, and hands each connection to its protocol's driver over its
//! transport. This is wiring (runtime, transport and driver meet here), which is why it lives
//! with the shard's main loop and not in `transport/`.

use std::rc::Rc;
use std::time::Duration;

use bext_core::limits::ACCEPT_RETRY_MS;
use bext_shards::rt::{self, TcpListener};
use bext_shards::sync::race;

use crate::driver;
use crate::service::Service;
use crate::transport::tls::Tls;

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
                let Some(config) = state.snapshot.tls.clone() else {
                    let mut metrics = shard.metrics.borrow_mut();
                    metrics.connections_open = metrics.connections_open.saturating_sub(1);
                    continue;
                };
                let service = service.clone();
                super::spawn(&shard, "a TLS connection", async move {
                    match Tls::accept(stream, config, handshake).await {
                        Ok(tls) if tls.alpn() == Some(b"h2") => {
                            // Boxed: HTTP/1.1 connections (most of them) do not carry an
                            // HTTP/2 connection's state in their task.
                            Box::pin(driver::h2::serve(service, tls, peer, true, Vec::new())).await;
                        }
                        Ok(tls) => driver::h1::serve(service, tls, peer, true).await,
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
