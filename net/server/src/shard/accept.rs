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

/// Accepts connections on one of this shard's listening sockets until the shard stops, and
/// serves each with the HTTP/1.1 driver. Past `connections_per_shard_max` open connections, a
/// new one is closed at once.
pub(crate) async fn accept_loop(service: Rc<Service>, listener: TcpListener) {
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
                super::spawn(
                    &shard,
                    "a connection",
                    driver::h1::serve(service.clone(), stream, peer),
                );
            }
            Err(e) => {
                // EMFILE and friends: back off briefly instead of spinning.
                eprintln!("bext: shard {}: accept failed: {e}", shard.id);
                rt::sleep(Duration::from_millis(ACCEPT_RETRY_MS)).await;
            }
        }
    }
}
