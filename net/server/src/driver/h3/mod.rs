//! HTTP/3: quiche's QUIC and HTTP/3 state machines, driven sans-I/O from each shard's UDP
//! socket.
//!
//! Every shard has one UDP socket per QUIC address, in a `SO_REUSEPORT` group steered by
//! CPU like the TCP listeners, and one [`Endpoint`] per socket: the connection table, two
//! tasks (a reader taking datagrams into quiche, a writer driving HTTP/3 and sending what
//! quiche has to send), and the timers. quiche does no I/O and reads no clock of its own
//! accord: the endpoint hands it each datagram with its addresses, asks it for datagrams to
//! send, and calls it back when its timeout passes.
//!
//! # Connections stay on their shard
//!
//! The connection IDs bext chooses name their shard (`keys.rs`, authenticated). A datagram
//! that reaches another shard's socket (the client moved to another CPU's queue, or to a new
//! address) is forwarded to the owner over the mesh, h2o's approach: QUIC works with no BPF
//! at all, and a connection is only ever touched by one thread. With `quic_retry` (the
//! default) a new client's first Initial is answered with a Retry whose connection ID names
//! the shard that will own the connection, so even its handshake is forwarded there.
//!
//! # What the endpoint answers without a connection
//!
//! A version it does not speak: Version Negotiation. A first Initial: a Retry (with
//! `quic_retry`), else a new connection. An Initial with a token that is not ours, was
//! issued to another address or has expired: dropped. A short-header packet for a
//! connection this shard minted but no longer has: a stateless reset (RFC 9000 §10.3), never
//! larger than what provoked it. Anything else that does not parse: dropped and counted.
//!
//! # Bursts
//!
//! A connection's datagrams leave as bursts: back to back in one buffer, sent with one
//! `sendmsg` that the kernel segments (UDP GSO), one datagram per send where it cannot (said
//! once). With `UDP_GRO` on the socket, a client's burst arrives as one buffer too. A
//! datagram quiche paces into the future waits in the writer (`SO_TXTIME` would let the
//! kernel hold it instead: not yet).

mod bufs;
mod conn;
mod keys;
mod stream;
mod upgraded;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::ops::Range;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bext_core::limits::{
    QUIC_CONNECTIONS_PER_SHARD_MAX, QUIC_DATAGRAMS_PER_PASS_MAX, QUIC_PASS_SEND_BYTES_MAX,
    QUIC_RECEIVES_PER_WAKE_MAX, QUIC_RECV_DATAGRAM_BYTES_MAX, QUIC_RETRY_TOKEN_LIFETIME_MS,
    QUIC_SEND_DATAGRAM_BYTES_MAX,
};
use bext_shards::rt::{self, UdpSocket};
use bext_shards::sync::Generation;
use bext_shards::sys::{self, GsoError};

use self::conn::Conn;
pub(crate) use self::keys::CID_BYTES;
use crate::service::Service;
use crate::shard::Datagram;

/// QUIC's smallest datagram carrying a client's Initial (RFC 9000 §14.1): smaller ones are
/// dropped, so a server never answers more than a client sent.
// tidy: not a limit: a protocol constant.
const INITIAL_DATAGRAM_BYTES_MIN: usize = 1200;
/// A stateless reset is at least this long (RFC 9000 §10.3: 5 unpredictable bytes and the
/// 16-byte token after the first byte) and is sent only for datagrams longer than it.
// tidy: not a limit: a protocol constant.
const STATELESS_RESET_BYTES_MIN: usize = 22;
/// Longest stateless reset sent: as long as a short-header packet with a 20-byte CID.
// tidy: not a limit: a protocol constant.
const STATELESS_RESET_BYTES_MAX: usize = 43;
/// Answered streams a connection remembers before it checks which the client has
/// acknowledged (they are checked on every pass while draining).
// tidy: not a limit: a batching size.
const UNACKED_PRUNE_LEN: usize = 64;
/// QUIC's transport error code for closing without an error.
const TRANSPORT_NO_ERROR: u64 = 0x0;
/// A paced datagram whose time is this close is sent now rather than waited for.
// tidy: not a limit: a timer's granularity.
const PACING_SLACK: Duration = Duration::from_micros(500);

/// Datagrams for one address, back to back, each `segment` bytes but the last: sent with one
/// `sendmsg` where the kernel segments UDP (GSO), else one datagram per send. Owned: a
/// datagram made without a connection, or a burst held back for pacing.
struct Burst {
    data: Vec<u8>,
    segment: usize,
    to: SocketAddr,
}

impl Burst {
    fn one(data: Vec<u8>, to: SocketAddr) -> Burst {
        let segment = data.len();
        Burst { data, segment, to }
    }
}

/// A burst a pass wrote into the writer's send buffer: its bytes are `range` of it.
struct Span {
    range: Range<usize>,
    segment: usize,
    to: SocketAddr,
}

/// What a pass hands the writer to send.
enum Outbound {
    Owned(Burst),
    Written(Span),
}

/// A shard's QUIC endpoints, one per QUIC address, for the mesh to hand forwarded datagrams
/// to.
#[derive(Default)]
pub(crate) struct Endpoints(RefCell<Vec<Rc<Endpoint>>>);

impl Endpoints {
    /// A datagram another shard forwarded here.
    pub fn forwarded(&self, datagram: Datagram) {
        let endpoint = self.0.borrow().get(datagram.socket).cloned();
        if let Some(endpoint) = endpoint {
            let mut data = datagram.data;
            endpoint.intake(&mut data, datagram.from, datagram.to, true);
        }
    }
}

/// One shard's QUIC endpoint on one UDP socket.
pub(crate) struct Endpoint {
    service: Rc<Service>,
    socket: UdpSocket,
    /// This socket's index among the shard's QUIC addresses (same on every shard).
    index: usize,
    local: SocketAddr,
    h3_config: quiche::h3::Config,
    table: RefCell<Table>,
    /// Bumped whenever the writer has something to do.
    wake: Generation,
    draining: Cell<bool>,
    /// The kernel segments UDP bursts (GSO); cleared, and said once, when it refuses.
    gso: Cell<bool>,
}

struct Table {
    /// quiche's config for new connections, made for the snapshot with this id.
    config: Option<(u64, quiche::Config)>,
    /// Boxed: a quiche connection is several kilobytes, and a pass takes each connection it
    /// drives out of the table and puts it back.
    conns: HashMap<u64, Box<Conn>>,
    next_key: u64,
    /// Every connection ID in use, to its connection.
    by_cid: HashMap<Vec<u8>, u64>,
    /// (quiche's next timeout, connection).
    timers: BTreeSet<(Instant, u64)>,
    /// Connections with something to do in the writer's next pass.
    dirty: Vec<u64>,
    /// Datagrams made without a connection (Retry, Version Negotiation, resets).
    replies: VecDeque<Burst>,
    /// Bursts quiche paced into the future, by when to send them.
    paced: VecDeque<(Instant, Burst)>,
}

/// Starts the endpoint of one of the shard's QUIC sockets: its reader and writer tasks.
pub(crate) fn serve(
    service: &Rc<Service>,
    endpoints: &Endpoints,
    socket: std::net::UdpSocket,
    index: usize,
) -> std::io::Result<()> {
    let socket = UdpSocket::from_std(socket)?;
    let local = socket.local_addr()?;
    let mut h3_config =
        quiche::h3::Config::new().map_err(|e| std::io::Error::other(format!("HTTP/3: {e}")))?;
    // SETTINGS_ENABLE_CONNECT_PROTOCOL: WebSockets over HTTP/3 (RFC 9220, `upgraded.rs`).
    h3_config.enable_extended_connect(true);
    let endpoint = Rc::new(Endpoint {
        service: service.clone(),
        socket,
        index,
        local,
        h3_config,
        table: RefCell::new(Table {
            config: None,
            conns: HashMap::new(),
            next_key: 0,
            by_cid: HashMap::new(),
            timers: BTreeSet::new(),
            dirty: Vec::new(),
            replies: VecDeque::new(),
            paced: VecDeque::new(),
        }),
        wake: Generation::default(),
        draining: Cell::new(false),
        gso: Cell::new(true),
    });
    endpoints.0.borrow_mut().push(endpoint.clone());
    let shard = &service.shard;
    crate::shard::spawn(shard, "a QUIC reader", read(endpoint.clone()));
    crate::shard::spawn(shard, "a QUIC writer", write(endpoint));
    Ok(())
}

/// Takes datagrams off the socket into quiche, for as long as the shard runs: waits until
/// the socket is readable, then receives what is queued without waiting, up to
/// `QUIC_RECEIVES_PER_WAKE_MAX` receives before the writer gets to answer them. With
/// `UDP_GRO` a receive may be a burst of one sender's datagrams, cut apart here by the
/// segment size the kernel reports. (The wait holds no buffer, so nothing is lost when the
/// executor ends it.)
async fn read(endpoint: Rc<Endpoint>) {
    let fd = endpoint.socket.raw_fd();
    if let Err(e) = sys::enable_gro(fd) {
        say_no_gro(&e);
    }
    let mut buf = vec![0u8; QUIC_RECV_DATAGRAM_BYTES_MAX];
    loop {
        if let Err(e) = endpoint.socket.readable().await {
            eprintln!(
                "bext: shard {}: QUIC socket wait: {e}",
                endpoint.service.shard.id
            );
            rt::sleep(Duration::from_millis(1)).await;
            continue;
        }
        for _ in 0..QUIC_RECEIVES_PER_WAKE_MAX {
            match sys::recv_segments(fd, &mut buf) {
                Ok(Some(received)) => {
                    let segment = received.segment.unwrap_or(received.len).max(1);
                    for datagram in buf[..received.len].chunks_mut(segment) {
                        endpoint.intake(datagram, received.from, endpoint.local, false);
                    }
                }
                Ok(None) => break,
                // ICMP errors surface here on Linux (ECONNREFUSED from an earlier send):
                // they concern one peer, never the socket.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
                Err(e) => {
                    eprintln!(
                        "bext: shard {}: QUIC receive: {e}",
                        endpoint.service.shard.id
                    );
                    break;
                }
            }
        }
    }
}

/// Drives HTTP/3, fires quiche's timers and sends, until the shard's executor ends. quiche
/// writes each pass's datagrams straight into one send buffer, kept from pass to pass (at
/// most `QUIC_PASS_SEND_BYTES_MAX` and a datagram), so sending costs no allocation and no
/// copy of its own.
async fn write(endpoint: Rc<Endpoint>) {
    let mut out: Vec<Outbound> = Vec::new();
    let mut written: Vec<u8> = Vec::new();
    loop {
        let seen = endpoint.wake.get();
        if endpoint.service.shard.stop.is_fired() && !endpoint.draining.get() {
            endpoint.drain();
        }
        let wait = endpoint.pass(&mut out, &mut written);
        for outbound in out.drain(..) {
            match outbound {
                Outbound::Owned(burst) => {
                    endpoint.send(&burst.data, burst.segment, burst.to).await;
                }
                Outbound::Written(span) => {
                    let data = written.get(span.range).unwrap_or_default();
                    endpoint.send(data, span.segment, span.to).await;
                }
            }
        }
        if endpoint.wake.get() != seen {
            continue;
        }
        let changed = endpoint.wake.changed(seen);
        let stop = endpoint.service.shard.stop.wait();
        let draining = endpoint.draining.get();
        let woken = async {
            if draining {
                changed.await;
            } else {
                bext_shards::sync::race(changed, stop).await;
            }
        };
        match wait {
            Some(wait) => {
                let _ = rt::timeout(wait, woken).await;
            }
            None => woken.await,
        }
    }
}

impl Endpoint {
    /// Sends a burst: one `sendmsg` with GSO where the kernel offers it, else one datagram
    /// per send; a full send buffer is waited out through the runtime.
    async fn send(&self, data: &[u8], segment: usize, to: SocketAddr) {
        let fd = self.socket.raw_fd();
        let segmented = data.len() > segment;
        if !segmented || self.gso.get() {
            match sys::send_segments(fd, data, segment, to) {
                Ok(()) => {
                    self.sent(data.len().div_ceil(segment.max(1)));
                    return;
                }
                Err(GsoError::Unsupported(e)) => {
                    self.gso.set(false);
                    say_no_gso(&e);
                }
                Err(GsoError::WouldBlock) => {}
                Err(GsoError::Other(e)) => {
                    send_failed(self.service.shard.id, &e);
                    return;
                }
            }
        }
        // One datagram per send, each waiting for room in the send buffer if it must.
        for datagram in data.chunks(segment.max(1)) {
            match sys::send_segments(fd, datagram, datagram.len(), to) {
                Ok(()) => {
                    self.sent(1);
                    continue;
                }
                Err(GsoError::WouldBlock) => {}
                Err(GsoError::Unsupported(e) | GsoError::Other(e)) => {
                    send_failed(self.service.shard.id, &e);
                    continue;
                }
            }
            let (result, _) = self.socket.send_to(datagram.to_vec(), to).await;
            match result {
                Ok(_) => self.sent(1),
                Err(e) => send_failed(self.service.shard.id, &e),
            }
        }
    }

    /// Counts one UDP send of `datagrams` datagrams.
    fn sent(&self, datagrams: usize) {
        let mut metrics = self.service.shard.metrics.borrow_mut();
        metrics.quic_sends += 1;
        metrics.quic_datagrams_sent += datagrams as u64;
    }

    /// The writer has work: a connection changed, or an answer moved.
    fn touch(&self, key: u64) {
        self.table.borrow_mut().dirty.push(key);
        self.wake.bump();
    }

    /// Stops taking new connections; the next pass drives every one, which sends its
    /// GOAWAY (`Conn::drive`).
    fn drain(&self) {
        self.draining.set(true);
        let mut table = self.table.borrow_mut();
        let Table { conns, dirty, .. } = &mut *table;
        dirty.extend(conns.keys().copied());
    }

    /// Queues a datagram made without a connection (a Retry, Version Negotiation, a reset)
    /// for the writer.
    fn reply(&self, mut table: std::cell::RefMut<'_, Table>, datagram: Vec<u8>, to: SocketAddr) {
        table.replies.push_back(Burst::one(datagram, to));
        drop(table);
        self.wake.bump();
    }

    /// One datagram from `from` to `to`: into its connection, to its shard, or answered
    /// here. `forwarded`: another shard sent it here (never sent on again).
    fn intake(self: &Rc<Self>, data: &mut [u8], from: SocketAddr, to: SocketAddr, forwarded: bool) {
        let shard = &self.service.shard;
        let Ok(header) = quiche::Header::from_slice(data, CID_BYTES) else {
            shard.metrics.borrow_mut().quic_datagrams_dropped += 1;
            return;
        };
        let mut table = self.table.borrow_mut();
        if let Some(&key) = table.by_cid.get(header.dcid.as_ref()) {
            if let Some(conn) = table.conns.get_mut(&key) {
                let info = quiche::RecvInfo { from, to };
                // A datagram quiche refuses costs nothing but itself.
                let _ = conn.quic.recv(data, info);
            }
            table.dirty.push(key);
            drop(table);
            self.wake.bump();
            return;
        }
        let owner = keys::cid_owner(&header.dcid);
        if let Some(owner) = owner
            && owner != shard.id
        {
            drop(table);
            if forwarded || owner >= shard.mesh.shards() {
                shard.metrics.borrow_mut().quic_datagrams_dropped += 1;
                return;
            }
            let datagram = Datagram {
                socket: self.index,
                from,
                to,
                data: data.to_vec(),
            };
            // A full inbox drops the datagram: the client sends it again.
            let sent = shard.forward_datagram(owner, datagram);
            let mut metrics = shard.metrics.borrow_mut();
            if sent {
                metrics.quic_datagrams_forwarded += 1;
            } else {
                metrics.quic_datagrams_dropped += 1;
            }
            return;
        }
        if header.ty != quiche::Type::Initial {
            // A short-header packet for a connection of ours that is gone: tell the client,
            // so that it stops at once rather than at its idle timeout.
            if header.ty == quiche::Type::Short
                && owner.is_some()
                && let Some(reset) = stateless_reset(&header.dcid, data.len())
            {
                self.reply(table, reset, from);
                return;
            }
            shard.metrics.borrow_mut().quic_datagrams_dropped += 1;
            return;
        }
        if !quiche::version_is_supported(header.version) {
            let mut out = vec![0u8; QUIC_SEND_DATAGRAM_BYTES_MAX];
            if let Ok(n) = quiche::negotiate_version(&header.scid, &header.dcid, &mut out) {
                out.truncate(n);
                self.reply(table, out, from);
            }
            return;
        }
        if data.len() < INITIAL_DATAGRAM_BYTES_MIN {
            shard.metrics.borrow_mut().quic_datagrams_dropped += 1;
            return;
        }
        if self.draining.get() || table.conns.len() >= QUIC_CONNECTIONS_PER_SHARD_MAX {
            shard.metrics.borrow_mut().quic_connections_refused += 1;
            return;
        }
        let state = self.service.current();
        let retry = state.snapshot.config.server.quic_retry;
        let now_ms = unix_ms();
        // With Retry: the client's CID on its second Initial is the one our Retry gave it,
        // which names this shard (else it was forwarded above), and the token proves its
        // address.
        let (scid, odcid) = match (retry, header.token.as_deref()) {
            (true, None | Some([])) => {
                let new_scid = keys::mint_cid(shard.id);
                let token = keys::retry_token(from, &header.dcid, now_ms);
                let mut out = vec![0u8; QUIC_SEND_DATAGRAM_BYTES_MAX];
                let made = quiche::retry(
                    &header.scid,
                    &header.dcid,
                    &quiche::ConnectionId::from_ref(&new_scid),
                    &token,
                    header.version,
                    &mut out,
                );
                if let Ok(n) = made {
                    out.truncate(n);
                    shard.metrics.borrow_mut().quic_retries += 1;
                    self.reply(table, out, from);
                }
                return;
            }
            (true, Some(token)) => {
                match keys::check_retry_token(token, from, now_ms, QUIC_RETRY_TOKEN_LIFETIME_MS) {
                    Ok(odcid) if owner == Some(shard.id) => (header.dcid.to_vec(), Some(odcid)),
                    _ => {
                        shard.metrics.borrow_mut().quic_tokens_refused += 1;
                        return;
                    }
                }
            }
            (false, _) => (keys::mint_cid(shard.id).to_vec(), None),
        };
        if table
            .config
            .as_ref()
            .is_none_or(|(id, _)| *id != state.snapshot.id)
        {
            match crate::transport::tls::quic::config(&state.snapshot.site_keys) {
                Ok(config) => table.config = Some((state.snapshot.id, config)),
                Err(e) => {
                    eprintln!("bext: shard {}: {e}", shard.id);
                    return;
                }
            }
        }
        let Some((_, config)) = table.config.as_mut() else {
            return;
        };
        let scid_ref = quiche::ConnectionId::from_ref(&scid);
        let accepted = match &odcid {
            Some(odcid) => {
                let odcid = quiche::ConnectionId::from_ref(odcid);
                quiche::accept_with_retry(
                    &scid_ref,
                    quiche::RetryConnectionIds {
                        original_destination_cid: &odcid,
                        retry_source_cid: &scid_ref,
                    },
                    to,
                    from,
                    config,
                )
            }
            None => quiche::accept_with_buf_factory(&scid_ref, None, to, from, config),
        };
        let Ok(quic) = accepted else {
            shard.metrics.borrow_mut().quic_datagrams_dropped += 1;
            return;
        };
        let key = table.next_key;
        table.next_key += 1;
        let mut conn = Box::new(Conn::new(quic, from, Instant::now()));
        let _ = conn.quic.recv(data, quiche::RecvInfo { from, to });
        conn.cids.push(scid);
        if odcid.is_none() {
            // Without Retry the client repeats its Initial to the CID it chose until it
            // hears from us: those land here too.
            conn.cids.push(header.dcid.to_vec());
        }
        for cid in &conn.cids {
            table.by_cid.insert(cid.clone(), key);
        }
        table.conns.insert(key, conn);
        table.dirty.push(key);
        drop(table);
        let mut metrics = shard.metrics.borrow_mut();
        metrics.quic_connections_accepted += 1;
        metrics.quic_connections_open += 1;
        drop(metrics);
        // A QUIC connection holds a drain until it is closed: its last answers are in
        // quiche's buffers until then, and a shard that stopped would never send them. (A
        // draining endpoint closes each connection once its requests are answered.)
        shard.busy_connections.set(shard.busy_connections.get() + 1);
        self.wake.bump();
    }

    /// One pass of the writer: fire timers, drive the connections that have work, have
    /// quiche write what to send into `written` and list it in `out`. Returns how long the
    /// writer may sleep if nothing wakes it.
    fn pass(self: &Rc<Self>, out: &mut Vec<Outbound>, written: &mut Vec<u8>) -> Option<Duration> {
        let now = Instant::now();
        let shard = self.service.shard.clone();
        let draining = self.draining.get();
        let mut table = self.table.borrow_mut();
        out.extend(table.replies.drain(..).map(Outbound::Owned));
        // Every burst whose time has come, wherever it stands (connections' times
        // interleave); the others keep their order.
        let paced = std::mem::take(&mut table.paced);
        for (at, burst) in paced {
            if at > now + PACING_SLACK {
                table.paced.push_back((at, burst));
            } else {
                out.push(Outbound::Owned(burst));
            }
        }
        // Timers that are due.
        while let Some(&(at, key)) = table.timers.first() {
            if at > now {
                break;
            }
            table.timers.pop_first();
            if let Some(conn) = table.conns.get_mut(&key) {
                conn.timer = None;
                conn.quic.on_timeout();
            }
            table.dirty.push(key);
        }
        let mut dirty = std::mem::take(&mut table.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        let mut again = Vec::new();
        let mut bursts = Vec::new();
        // Bytes of `written` this pass has used.
        let mut used = 0;
        for (i, &key) in dirty.iter().enumerate() {
            if used + QUIC_DATAGRAMS_PER_PASS_MAX * QUIC_SEND_DATAGRAM_BYTES_MAX
                > QUIC_PASS_SEND_BYTES_MAX
            {
                // The send buffer is full for this pass: the rest have the next one, at once.
                again.extend_from_slice(&dirty[i..]);
                break;
            }
            let Some(mut conn) = table.conns.remove(&key) else {
                continue;
            };
            // The table is not borrowed while the connection calls the service (whose
            // answers may touch this endpoint).
            drop(table);
            conn.drive(self, key, draining);
            conn.push(self);
            if conn.unacked.len() > UNACKED_PRUNE_LEN {
                conn.settled();
            }
            if conn.handshake_overdue(now) {
                let _ = conn
                    .quic
                    .close(false, TRANSPORT_NO_ERROR, b"handshake deadline");
            } else if draining && conn.settled() {
                // Drained: every request it had is answered.
                let _ = conn.quic.close(true, conn::H3_NO_ERROR, b"");
            }
            table = self.table.borrow_mut();
            if conn.quic.is_established() {
                issue_cids(&mut table, &mut conn, shard.id, key);
            }
            while let Some(retired) = conn.quic.retired_scid_next() {
                table.by_cid.remove(retired.as_ref());
                conn.cids.retain(|cid| cid.as_slice() != retired.as_ref());
            }
            let gso = self.gso.get();
            let mut sent = 0;
            collect_bursts(
                &mut conn.quic,
                gso,
                &mut sent,
                written,
                &mut used,
                &mut bursts,
            );
            for (span, at) in bursts.drain(..) {
                if at > now + PACING_SLACK {
                    let data = written.get(span.range).unwrap_or_default().to_vec();
                    let (segment, to) = (span.segment, span.to);
                    table.paced.push_back((at, Burst { data, segment, to }));
                } else {
                    out.push(Outbound::Written(span));
                }
            }
            if sent >= QUIC_DATAGRAMS_PER_PASS_MAX {
                again.push(key);
            }
            if conn.quic.is_closed() {
                conn.close_streams(self);
                for cid in &conn.cids {
                    table.by_cid.remove(cid);
                }
                if let Some(at) = conn.timer.take() {
                    table.timers.remove(&(at, key));
                }
                let mut metrics = shard.metrics.borrow_mut();
                metrics.quic_connections_open = metrics.quic_connections_open.saturating_sub(1);
                shard
                    .busy_connections
                    .set(shard.busy_connections.get().saturating_sub(1));
                continue;
            }
            let next = conn.quic.timeout_instant();
            if next != conn.timer {
                if let Some(at) = conn.timer.take() {
                    table.timers.remove(&(at, key));
                }
                if let Some(at) = next {
                    table.timers.insert((at, key));
                }
                conn.timer = next;
            }
            table.conns.insert(key, conn);
        }
        table.dirty.extend(again);
        if !table.dirty.is_empty() {
            return Some(Duration::ZERO);
        }
        let timer = table.timers.first().map(|(at, _)| *at);
        let paced = table.paced.iter().map(|(at, _)| *at).min();
        let earliest = match (timer, paced) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // The handshake deadline is checked on every pass; a connection whose handshake
        // stalls still has quiche's own timers (its idle timeout) to bring it back here.
        earliest.map(|at| at.saturating_duration_since(Instant::now()))
    }
}

/// `quic`'s datagrams for this pass, written by quiche into `buf` from `used` on, as bursts:
/// back to back while they are as long as the burst's first and go to one address (a
/// shorter one ends its burst), at most `GSO_SEGMENTS_MAX` of them within one UDP send and
/// quiche's send quantum; one datagram per burst when the kernel does not segment. Runs of
/// equal length are not only a large body's full-sized datagrams: quiche writes one stream
/// per packet, so the answers to a connection's small requests leave as one short packet
/// each, alike in length when the answers are (one send, and over loopback or to a GRO
/// receiver one buffer, instead of one per request). `sent` counts datagrams across the pass
/// and stops it at `QUIC_DATAGRAMS_PER_PASS_MAX`. Each burst comes with when quiche wants it
/// sent (its first datagram's time).
fn collect_bursts(
    quic: &mut bufs::QuicConnection,
    gso: bool,
    sent: &mut usize,
    buf: &mut Vec<u8>,
    used: &mut usize,
    bursts: &mut Vec<(Span, Instant)>,
) {
    let segments_max = if gso { sys::GSO_SEGMENTS_MAX } else { 1 };
    let full = quic
        .max_send_udp_payload_size()
        .min(QUIC_SEND_DATAGRAM_BYTES_MAX);
    let bytes_max = sys::UDP_PAYLOAD_BYTES_MAX.min(quic.send_quantum().max(full));
    // The burst being filled, with its datagram count. Its datagrams end where the next
    // is written, so a datagram that joins it only moves its end.
    let mut current: Option<(Span, Instant, usize)> = None;
    while *sent < QUIC_DATAGRAMS_PER_PASS_MAX {
        let start = *used;
        let end = start + full;
        if buf.len() < end {
            // Grown once to the largest pass yet, then reused without being cleared.
            buf.resize(end, 0);
        }
        let Some(room) = buf.get_mut(start..end) else {
            break;
        };
        let Ok((n, info)) = quic.send(room) else {
            break;
        };
        *sent += 1;
        *used += n;
        if let Some((span, _, count)) = current.as_mut()
            && span.to == info.to
            && n <= span.segment
            && *count < segments_max
            && span.range.len() + n <= bytes_max
        {
            span.range.end += n;
            *count += 1;
            if n < span.segment {
                bursts.extend(current.take().map(|(span, at, _)| (span, at)));
            }
            continue;
        }
        bursts.extend(current.take().map(|(span, at, _)| (span, at)));
        let span = Span {
            range: start..start + n,
            segment: n,
            to: info.to,
        };
        current = Some((span, info.at, 1));
    }
    bursts.extend(current.map(|(span, at, _)| (span, at)));
}

/// Gives the client spare connection IDs (for a new path), each naming this shard.
fn issue_cids(table: &mut Table, conn: &mut Conn, shard: usize, key: u64) {
    while conn.quic.scids_left() > 0 {
        let cid = keys::mint_cid(shard);
        let token = keys::reset_token(&cid);
        if conn
            .quic
            .new_scid(&quiche::ConnectionId::from_ref(&cid), token, false)
            .is_err()
        {
            break;
        }
        table.by_cid.insert(cid.to_vec(), key);
        conn.cids.push(cid.to_vec());
    }
}

/// A stateless reset for a datagram of `len` bytes to `dcid` (RFC 9000 §10.3): shorter than
/// what provoked it, so two endpoints cannot loop on each other.
fn stateless_reset(dcid: &[u8], len: usize) -> Option<Vec<u8>> {
    let size = len.checked_sub(1)?.min(STATELESS_RESET_BYTES_MAX);
    if size < STATELESS_RESET_BYTES_MIN {
        return None;
    }
    let mut reset = vec![0u8; size];
    keys::fill_random(&mut reset[..size - 16]);
    // A short header's first bits: 0 (short), 1 (fixed bit).
    reset[0] = (reset[0] & 0x3f) | 0x40;
    reset[size - 16..].copy_from_slice(&keys::reset_token(dcid).to_be_bytes());
    Some(reset)
}

/// Says once per process that this kernel does not hand over UDP bursts whole.
fn say_no_gro(error: &std::io::Error) {
    static SAID: AtomicBool = AtomicBool::new(false);
    say_once(&SAID, || {
        format!("the kernel refused UDP_GRO ({error}); datagrams are received one by one")
    });
}

/// Says once per process that this kernel does not segment UDP, and what that costs.
fn say_no_gso(error: &std::io::Error) {
    static SAID: AtomicBool = AtomicBool::new(false);
    say_once(&SAID, || {
        format!(
            "the kernel refused UDP segmentation (GSO: {error}); one datagram per send from now on (slower bursts)"
        )
    });
}

/// Writes `message` the first time `said` is passed, by whichever shard gets there first.
fn say_once(said: &AtomicBool, message: impl FnOnce() -> String) {
    if !said.swap(true, Ordering::Relaxed) {
        eprintln!("bext: QUIC: {}", message());
    }
}

/// A send that failed for another reason than a full buffer: the datagrams are lost (QUIC
/// sends them again); said at the 1st, 2nd, 4th, … failure of a shard.
fn send_failed(shard: usize, error: &std::io::Error) {
    thread_local! {
        static FAILURES: Cell<u64> = const { Cell::new(0) };
    }
    let failures = FAILURES.with(|f| {
        f.set(f.get() + 1);
        f.get()
    });
    if failures.is_power_of_two() && error.kind() != std::io::ErrorKind::ConnectionRefused {
        eprintln!("bext: shard {shard}: QUIC send failed ({failures} so far): {error}");
    }
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
