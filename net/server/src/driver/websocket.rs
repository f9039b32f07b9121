//! A realtime subscriber's WebSocket once its 101 is out (or, over HTTP/2 and HTTP/3, the
//! 200 to its extended CONNECT): the client's two halves (the connection's, or the stream's) run side
//! by side, the reading one feeding the client's bytes to the socket (its pings,
//! its close), the writing one writing what the socket gives (events, pongs, keep-alive
//! pings, the close). As in `tunnel.rs`, no read is cancelled while the other side works:
//! each half has its own loop. The connection ends when the client's stream ends, when the
//! socket has nothing more to write and the client has had `WS_CLOSE_WAIT_MS` to close its
//! side, on a failed or stalled write, or when the shard stops (a close with 1001 first).

use std::time::{Duration, Instant};

use bext_core::limits::{READ_BUFFER_BYTES_INITIAL, WRITE_STALL_TIMEOUT_MS, WS_CLOSE_WAIT_MS};
use bext_shards::rt;
use bext_shards::sync::race;

use crate::service::RealtimeSocket;
use crate::shard::Shard;
use crate::transport::{TransportRead, TransportWrite};

pub(crate) async fn run<R: TransportRead, W: TransportWrite>(
    shard: &Shard,
    (mut read_half, mut write_half): (R, W),
    first: Vec<u8>,
    socket: RealtimeSocket,
) {
    let reader = async {
        let mut buf = first;
        // After a close (or a failure) nothing more is read; the writer sends the answer.
        if !buf.is_empty() && !socket.feed(&buf) {
            return std::future::pending().await;
        }
        loop {
            buf.clear();
            if buf.capacity() < READ_BUFFER_BYTES_INITIAL {
                buf.reserve(READ_BUFFER_BYTES_INITIAL);
            }
            match read_half.read(buf).await {
                (Ok(n), back) if n > 0 => {
                    buf = back;
                    if !socket.feed(&buf) {
                        return std::future::pending().await;
                    }
                }
                _ => {
                    socket.client_gone();
                    return;
                }
            }
        }
    };
    let writer = async {
        let stall = Duration::from_millis(WRITE_STALL_TIMEOUT_MS);
        // One of the shard's coarse deadlines for the keep-alive wait and each write, not a
        // runtime timer armed and cancelled per batch of events.
        let slot = shard.deadlines.slot();
        while let Some(out) = socket.output(&slot).await {
            match slot
                .run(Instant::now() + stall, write_half.write_all(out))
                .await
            {
                Some((Ok(()), written)) => socket.recycle(written),
                _ => return,
            }
        }
        // Nothing more to say: unless both closes are done, the client has a moment to
        // close its side.
        if !socket.is_closed() {
            rt::sleep(Duration::from_millis(WS_CLOSE_WAIT_MS)).await;
        }
    };
    let stopped = async {
        shard.stop.wait().await;
        socket.going_away();
        // The close goes out through the writer; then it ends.
        rt::sleep(Duration::from_millis(WS_CLOSE_WAIT_MS)).await;
    };
    let _ = race(race(reader, writer), stopped).await;
    let _ = rt::timeout(
        Duration::from_millis(WS_CLOSE_WAIT_MS),
        write_half.shutdown_write(),
    )
    .await;
}
