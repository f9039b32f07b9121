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
//! Not yet: UDP GSO/GRO and `sendmmsg` batching (each datagram is one send), pacing through
//! `SO_TXTIME` (datagrams that quiche paces into the future wait in the writer instead).

mod conn;
mod keys;
mod stream;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bext_core::limits::{
    QUIC_CONNECTIONS_PER_SHARD_MAX, QUIC_DATAGRAMS_PER_PASS_MAX, QUIC_RECV_DATAGRAM_BYTES_MAX,
    QUIC_RETRY_TOKEN_LIFETIME_MS, QUIC_SEND_DATAGRAM_BYTES_MAX,
};
use bext_shards::rt::{self, UdpSocket};
use bext_shards::sync::Generation;

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
}

struct Table {
    /// quiche's config for new connections, made for the snapshot with this id.
    config: Option<(u64, quiche::Config)>,
    conns: HashMap<u64, Conn>,
    next_key: u64,
    /// Every connection ID in use, to its connection.
    by_cid: HashMap<Vec<u8>, u64>,
    /// (quiche's next timeout, connection).
    timers: BTreeSet<(Instant, u64)>,
    /// Connections with something to do in the writer's next pass.
    dirty: Vec<u64>,
    /// Datagrams made without a connection (Retry, Version Negotiation, resets).
    replies: VecDeque<(Vec<u8>, SocketAddr)>,
    /// Datagrams quiche paced into the future, by when to send them.
    paced: VecDeque<(Instant, Vec<u8>, SocketAddr)>,
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
    let h3_config =
        quiche::h3::Config::new().map_err(|e| std::io::Error::other(format!("HTTP/3: {e}")))?;
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
    });
    endpoints.0.borrow_mut().push(endpoint.clone());
    let shard = &service.shard;
    crate::shard::spawn(shard, "a QUIC reader", read(endpoint.clone()));
    crate::shard::spawn(shard, "a QUIC writer", write(endpoint));
    Ok(())
}

/// Takes datagrams off the socket into quiche, for as long as the shard runs. (Never raced
/// against anything: the receive in flight owns its buffer.)
async fn read(endpoint: Rc<Endpoint>) {
    let mut buf = Vec::with_capacity(QUIC_RECV_DATAGRAM_BYTES_MAX);
    loop {
        buf.clear();
        let (result, back) = endpoint.socket.recv_from(buf).await;
        buf = back;
        match result {
            Ok((_, from)) => endpoint.intake(&mut buf, from, endpoint.local, false),
            Err(e) => {
                // ICMP errors surface here on Linux (ECONNREFUSED from an earlier send):
                // they concern one peer, never the socket.
                if e.kind() != std::io::ErrorKind::ConnectionRefused {
                    eprintln!(
                        "bext: shard {}: QUIC receive: {e}",
                        endpoint.service.shard.id
                    );
                    rt::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    }
}

/// Drives HTTP/3, fires quiche's timers and sends, until the shard's executor ends.
async fn write(endpoint: Rc<Endpoint>) {
    let mut out: Vec<(Vec<u8>, SocketAddr)> = Vec::new();
    loop {
        let seen = endpoint.wake.get();
        if endpoint.service.shard.stop.is_fired() && !endpoint.draining.get() {
            endpoint.drain();
        }
        let wait = endpoint.pass(&mut out);
        for (datagram, to) in out.drain(..) {
            let (result, _) = endpoint.socket.send_to(datagram, to).await;
            if let Err(e) = result {
                // A full socket buffer (ENOBUFS, EAGAIN) loses this datagram; QUIC's loss
                // recovery sends it again.
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::ConnectionRefused
                ) && e.raw_os_error() != Some(libc::ENOBUFS)
                {
                    eprintln!("bext: shard {}: QUIC send: {e}", endpoint.service.shard.id);
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
    /// The writer has work: a connection changed, or an answer moved.
    fn touch(&self, key: u64) {
        self.table.borrow_mut().dirty.push(key);
        self.wake.bump();
    }

    /// Stops taking new connections and sends GOAWAY on every one.
    fn drain(self: &Rc<Self>) {
        self.draining.set(true);
        let mut table = self.table.borrow_mut();
        let keys: Vec<u64> = table.conns.keys().copied().collect();
        for key in keys {
            if let Some(conn) = table.conns.get_mut(&key) {
                conn.send_goaway();
            }
            table.dirty.push(key);
        }
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
                table.replies.push_back((reset, from));
                drop(table);
                self.wake.bump();
                return;
            }
            shard.metrics.borrow_mut().quic_datagrams_dropped += 1;
            return;
        }
        if !quiche::version_is_supported(header.version) {
            let mut out = vec![0u8; QUIC_SEND_DATAGRAM_BYTES_MAX];
            if let Ok(n) = quiche::negotiate_version(&header.scid, &header.dcid, &mut out) {
                out.truncate(n);
                table.replies.push_back((out, from));
                drop(table);
                self.wake.bump();
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
                    table.replies.push_back((out, from));
                    shard.metrics.borrow_mut().quic_retries += 1;
                    drop(table);
                    self.wake.bump();
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
            match crate::transport::tls::quic::config(
                &state.snapshot.site_keys,
                &state.snapshot.config.server,
            ) {
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
            None => quiche::accept(&scid_ref, None, to, from, config),
        };
        let Ok(quic) = accepted else {
            shard.metrics.borrow_mut().quic_datagrams_dropped += 1;
            return;
        };
        let key = table.next_key;
        table.next_key += 1;
        let mut conn = Conn::new(quic, from, Instant::now());
        let _ = conn.quic.recv(data, quiche::RecvInfo { from, to });
        table.conns.insert(key, conn);
        table.by_cid.insert(scid, key);
        if odcid.is_none() {
            // Without Retry the client repeats its Initial to the CID it chose until it
            // hears from us: those land here too.
            table.by_cid.insert(header.dcid.to_vec(), key);
        }
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

    /// One pass of the writer: fire timers, drive the connections that have work, collect
    /// what to send into `out`. Returns how long the writer may sleep if nothing wakes it.
    fn pass(self: &Rc<Self>, out: &mut Vec<(Vec<u8>, SocketAddr)>) -> Option<Duration> {
        let now = Instant::now();
        let shard = self.service.shard.clone();
        let draining = self.draining.get();
        let mut table = self.table.borrow_mut();
        out.extend(table.replies.drain(..));
        while let Some((at, _, _)) = table.paced.front() {
            if *at > now + PACING_SLACK {
                break;
            }
            if let Some((_, datagram, to)) = table.paced.pop_front() {
                out.push((datagram, to));
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
        for key in dirty {
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
            }
            let mut sent = 0;
            loop {
                if sent == QUIC_DATAGRAMS_PER_PASS_MAX {
                    again.push(key);
                    break;
                }
                let mut datagram = vec![0u8; QUIC_SEND_DATAGRAM_BYTES_MAX];
                match conn.quic.send(&mut datagram) {
                    Ok((n, info)) => {
                        datagram.truncate(n);
                        if info.at > now + PACING_SLACK {
                            table.paced.push_back((info.at, datagram, info.to));
                        } else {
                            out.push((datagram, info.to));
                        }
                        sent += 1;
                    }
                    Err(_) => break,
                }
            }
            if conn.quic.is_closed() {
                conn.close_streams(self);
                for cid in conn.quic.source_ids() {
                    table.by_cid.remove(cid.as_ref());
                }
                table.by_cid.retain(|_, k| *k != key);
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
        let paced = table.paced.iter().map(|(at, _, _)| *at).min();
        let earliest = match (timer, paced) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // The handshake deadline is checked on every pass; a connection whose handshake
        // stalls still has quiche's own timers (its idle timeout) to bring it back here.
        earliest.map(|at| at.saturating_duration_since(Instant::now()))
    }
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

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
