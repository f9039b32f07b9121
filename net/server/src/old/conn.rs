//! One HTTP/1.1 connection: read, parse with the sans-I/O codec, answer, write, repeat.
//!
//! The loop keeps one small read buffer (it grows only while a large head arrives) and
//! borrows an output buffer from the shard's pool only while it has something to write, so an
//! idle keep-alive connection costs little memory. Pipelined requests are parsed and answered
//! in order into one output buffer and written together, up to `pipeline_depth_max` at a time.
//!
//! Every wait has a deadline: the keep-alive idle timeout between requests, the header timeout
//! from a request's first byte to its complete head (408), the body idle timeout while a body
//! is read, and the write stall timeout on every write.

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bext_core::access_log::Entry;
use bext_core::limits::{
    FILE_STREAM_CHUNK_BYTES, OUT_POOL_BUFFER_BYTES_MAX, OUT_POOL_BUFFERS_MAX,
    READ_BUFFER_BYTES_INITIAL, SHUTDOWN_WAIT_MS, WRITE_BUFFER_BYTES_FLUSH,
};
use bext_core::static_files::Conditions;
use bext_shards::deadlines::DeadlineSlot;
use bext_shards::rt::TcpStream;

use super::shard::{Shard, unix_now};
use super::static_files::{self, Answer, Ask, StreamJob, Tail};
use super::{app, internal};

use crate::h1::{self, BodyDecoder, BodyKind, HeaderStore, Parsed, parse_request};

/// A read buffer grown for a large head is given back once the connection is idle again.
const READ_BUFFER_BYTES_KEPT_IDLE: usize = 4 * READ_BUFFER_BYTES_INITIAL;

pub(crate) async fn serve(shard: Rc<Shard>, mut stream: TcpStream, peer: SocketAddr) {
    let deadline = shard.deadlines.slot();
    let mut conn = Conn {
        shard: &shard,
        continue_sent: Cell::new(false),
        deadline: &deadline,
        busy: Cell::new(false),
    };
    conn.run(&mut stream, peer).await;
}

struct Conn<'s> {
    shard: &'s Rc<Shard>,
    /// A `100 Continue` went out for the request whose body is being buffered.
    continue_sent: Cell<bool>,
    /// This connection's slot in the shard's coarse deadlines (see `bext_shards::deadlines`).
    deadline: &'s DeadlineSlot<'s>,
    busy: Cell<bool>,
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        self.set_busy(false);
        let mut metrics = self.shard.metrics.borrow_mut();
        metrics.connections_open = metrics.connections_open.saturating_sub(1);
    }
}

/// What the request loop decided to do after a batch.
#[derive(Default)]
struct Batch {
    consumed: usize,
    close: bool,
    stream: Option<Tail>,
    /// Requests answered in this batch.
    answered: usize,
    /// The next request needs its whole body before it can be answered (an app route, the
    /// invalidation endpoint): read on, up to this many bytes buffered, under the body idle
    /// timeout.
    need_body: Option<usize>,
}

impl Conn<'_> {
    fn set_busy(&self, busy: bool) {
        if self.busy.replace(busy) != busy {
            let count = &self.shard.busy_connections;
            count.set(if busy {
                count.get() + 1
            } else {
                count.get().saturating_sub(1)
            });
        }
    }

    async fn run(&mut self, stream: &mut TcpStream, peer: SocketAddr) {
        let shard = self.shard;
        let mut rbuf: Vec<u8> = Vec::with_capacity(READ_BUFFER_BYTES_INITIAL);
        let mut discard: Option<BodyDecoder> = None;
        // When the current request head started arriving (for the header timeout).
        let mut head_started: Option<Instant> = None;
        // When the last read completed: the start of every request answered from it. One clock
        // read per read serves the latency metric, the header deadline and the write deadline.
        let mut now = Instant::now();
        loop {
            // 1. Answer every complete request already buffered.
            let mut out = take_out(shard);
            let batch = self
                .answer_buffered(&rbuf, &mut discard, peer, now, &mut out)
                .await;
            rbuf.drain(..batch.consumed);
            if batch.answered > 0 {
                head_started = None;
            }
            // 2. Write the answers, then any streamed body.
            let mut tail = batch.stream;
            if let Some(Tail::Bytes(body)) = tail.take_if(|t| matches!(t, Tail::Bytes(_))) {
                let stall = Duration::from_millis(
                    shard
                        .snapshot
                        .borrow()
                        .config
                        .server
                        .timeouts
                        .write_stall_timeout_ms,
                );
                match self
                    .deadline
                    .run(now + stall, stream.write_all_gathered(out, body))
                    .await
                {
                    Some((Ok(()), back)) => out = back,
                    _ => return,
                }
            } else if !out.is_empty() {
                let Some(back) = write_all(shard, self.deadline, now, stream, out).await else {
                    return;
                };
                out = back;
            }
            give_out(shard, out);
            match tail {
                Some(Tail::File(job)) => {
                    if !Box::pin(stream_body(shard, self.deadline, stream, job)).await {
                        return;
                    }
                    // A long download must not eat into the keep-alive time that follows it.
                    now = Instant::now();
                }
                Some(Tail::Events { generation }) => {
                    Box::pin(reload_events(shard, self.deadline, stream, generation)).await;
                    return;
                }
                _ => {}
            }
            if batch.close {
                let _ = self
                    .deadline
                    .run(
                        Instant::now() + Duration::from_millis(SHUTDOWN_WAIT_MS),
                        stream.shutdown_write(),
                    )
                    .await;
                return;
            }
            if rbuf.is_empty() && discard.is_none() {
                self.set_busy(false);
                if rbuf.capacity() > READ_BUFFER_BYTES_KEPT_IDLE {
                    rbuf = Vec::with_capacity(READ_BUFFER_BYTES_INITIAL);
                }
            }
            if batch.answered > 0
                && !rbuf.is_empty()
                && discard.is_none()
                && batch.need_body.is_none()
            {
                // More pipelined requests than one batch takes: answer them before reading.
                continue;
            }
            // 3. Read more, under the deadline that applies now.
            let timeouts = shard.snapshot.borrow().config.server.timeouts;
            let (wait, on_timeout_408) = if batch.need_body.is_some() {
                (Duration::from_millis(timeouts.body_idle_timeout_ms), true)
            } else if discard.is_some() {
                (Duration::from_millis(timeouts.body_idle_timeout_ms), false)
            } else if rbuf.is_empty() {
                if shard.draining.get() {
                    return;
                }
                (
                    Duration::from_millis(timeouts.keepalive_idle_timeout_ms),
                    false,
                )
            } else {
                let started = *head_started.get_or_insert(now);
                let deadline = started + Duration::from_millis(timeouts.header_read_timeout_ms);
                (deadline.saturating_duration_since(now), true)
            };
            if rbuf.len() == rbuf.capacity() {
                let header_bytes_max = shard
                    .snapshot
                    .borrow()
                    .config
                    .server
                    .limits
                    .header_bytes_max;
                let buffered_max = batch.need_body.unwrap_or(header_bytes_max);
                let grow = rbuf
                    .capacity()
                    .max(READ_BUFFER_BYTES_INITIAL)
                    .min(buffered_max.saturating_sub(rbuf.len()).max(1));
                rbuf.reserve(grow);
            }
            let was_empty = rbuf.is_empty();
            match self.deadline.run(now + wait, stream.read(rbuf)).await {
                Some((Ok(0), _)) => return,
                Some((Ok(_), back)) => {
                    rbuf = back;
                    now = Instant::now();
                    if was_empty && discard.is_none() {
                        head_started = Some(now);
                    }
                    self.set_busy(true);
                }
                Some((Err(_), _)) => return,
                None => {
                    if on_timeout_408 {
                        let mut out = take_out(shard);
                        h1::write_error_response(&mut out, 408, &shard.date.borrow(), false, false);
                        record(shard, 408, out.len() as u64, now);
                        let _ = write_all(shard, self.deadline, Instant::now(), stream, out).await;
                    }
                    return;
                }
            }
        }
    }

    /// Answers requests from `rbuf` until it runs out of complete requests, hits the pipeline
    /// depth, a response must stream, or the connection must close. Cache hits are answered
    /// synchronously; a request that needs the disk or the mesh goes through a boxed future,
    /// so the connection's own future stays small (idle connections are mostly that future).
    async fn answer_buffered(
        &self,
        rbuf: &[u8],
        discard: &mut Option<BodyDecoder>,
        peer: SocketAddr,
        started: Instant,
        out: &mut Vec<u8>,
    ) -> Batch {
        let mut batch = Batch::default();
        while let Some(slow) = self.answer_sync(rbuf, discard, peer, started, out, &mut batch) {
            Box::pin(self.answer_slow(rbuf, slow, peer, out, &mut batch)).await;
            self.continue_sent.set(false);
            if batch.close || batch.stream.is_some() {
                break;
            }
        }
        batch
    }

    /// The synchronous part of [`answer_buffered`]: `Some` names a request whose head is
    /// parsed and whose body is set up, but which needs [`answer_slow`] to be answered.
    fn answer_sync(
        &self,
        rbuf: &[u8],
        discard: &mut Option<BodyDecoder>,
        peer: SocketAddr,
        started: Instant,
        out: &mut Vec<u8>,
        batch: &mut Batch,
    ) -> Option<Slow> {
        let shard = self.shard;
        let depth = shard
            .snapshot
            .borrow()
            .config
            .server
            .limits
            .pipeline_depth_max;
        loop {
            if let Some(decoder) = discard.as_mut() {
                match decoder.decode(&rbuf[batch.consumed..]) {
                    Ok(decoded) => {
                        batch.consumed += decoded.consumed;
                        if decoded.done {
                            *discard = None;
                            continue;
                        }
                        // A call stops after one data run, so bytes left over are the next
                        // chunk: decode on rather than wait for bytes that may never come.
                        if decoded.consumed > 0 && batch.consumed < rbuf.len() {
                            continue;
                        }
                        return None; // need more bytes
                    }
                    Err(_) => {
                        // The answer is already written; a broken body only ends the connection.
                        batch.close = true;
                        batch.consumed = rbuf.len();
                        return None;
                    }
                }
            }
            if batch.consumed == rbuf.len()
                || batch.answered >= depth
                || out.len() >= WRITE_BUFFER_BYTES_FLUSH
            {
                return None;
            }
            let head_offset = batch.consumed;
            let head = match parse_head(shard, &rbuf[head_offset..]) {
                Err(status) => {
                    h1::write_error_response(out, status, &shard.date.borrow(), false, false);
                    record(shard, status, out.len() as u64, started);
                    batch.close = true;
                    batch.consumed = rbuf.len();
                    return None;
                }
                Ok(None) => return None,
                Ok(Some(head)) => head,
            };
            batch.consumed += head.head_len;
            batch.answered += 1;
            let (site, is_app, site_max) = {
                let snapshot = shard.snapshot.borrow();
                let site = snapshot.sites.select(head.ask.host);
                (
                    site,
                    snapshot.site_runtime[site].app.is_some(),
                    snapshot.config.sites[site].body_bytes_max,
                )
            };
            let ops = is_ops_request(shard, &head.ask, peer);
            let mut body = None;
            if head.body != BodyKind::None && (is_app || ops) {
                // Answered with the body in hand: wait until it is all buffered.
                match collect_body(head.body, site_max, &rbuf[batch.consumed..]) {
                    Ok(Some((data, used))) => {
                        batch.consumed += used;
                        body = Some(data);
                    }
                    Ok(None) => {
                        if head.expect_continue && !self.continue_sent.replace(true) {
                            out.extend_from_slice(h1::CONTINUE_100);
                        }
                        batch.consumed = head_offset;
                        batch.answered -= 1;
                        let limit = usize::try_from(site_max).unwrap_or(usize::MAX);
                        batch.need_body = Some(
                            head.head_len
                                .saturating_add(limit)
                                .saturating_add(BODY_FRAMING_BYTES_SLACK),
                        );
                        return None;
                    }
                    Err(e) => {
                        refuse_body(shard, &head, e, started, rbuf.len(), out, batch);
                        return None;
                    }
                }
            } else if head.body != BodyKind::None {
                match BodyDecoder::new(head.body, site_max) {
                    Ok(decoder) => {
                        if head.expect_continue {
                            out.extend_from_slice(h1::CONTINUE_100);
                        }
                        *discard = Some(decoder);
                    }
                    Err(e) => {
                        // Refused before reading it: answer and close, the body unread.
                        refuse_body(shard, &head, e, started, rbuf.len(), out, batch);
                        return None;
                    }
                }
            }
            if ops {
                return Some(Slow {
                    head_offset,
                    started,
                    body,
                });
            }
            let before = out.len();
            let hit = if is_app {
                app::answer_cached(shard, site, &head.ask, out)
                    .or_else(|| static_files::answer_hit(shard, site, &head.ask, started, out))
            } else {
                static_files::answer_hit(shard, site, &head.ask, started, out)
            };
            let Some(answer) = hit else {
                return Some(Slow {
                    head_offset,
                    started,
                    body,
                });
            };
            if !self.finish(&head, answer, started, before, peer, out, batch) {
                return None;
            }
        }
    }

    /// Answers the request at `slow.head_offset` (already counted, its body already set up).
    async fn answer_slow(
        &self,
        rbuf: &[u8],
        slow: Slow,
        peer: SocketAddr,
        out: &mut Vec<u8>,
        batch: &mut Batch,
    ) {
        let shard = self.shard;
        // Parsed again rather than kept: the header store must not live in a future.
        let Ok(Some(head)) = parse_head(shard, &rbuf[slow.head_offset..]) else {
            debug_assert!(false, "a head that parsed once parses again");
            batch.close = true;
            return;
        };
        let before = out.len();
        let site = shard.snapshot.borrow().sites.select(head.ask.host);
        let is_app = shard.snapshot.borrow().site_runtime[site].app.is_some();
        let answer = if is_ops_request(shard, &head.ask, peer) {
            internal::answer(shard, &head.ask, head.fields, slow.body.as_deref(), out).await
        } else if is_app {
            let request = app::Incoming {
                ask: &head.ask,
                target: head.target,
                method: head.method_bytes,
                fields: head.fields,
                body: slow.body,
                peer,
            };
            app::answer(shard, site, request, slow.started, out).await
        } else {
            static_files::answer_miss(shard, &head.ask, slow.started, out).await
        };
        self.finish(&head, answer, slow.started, before, peer, out, batch);
    }

    /// Counts and logs an answered request; false if the batch must end here (the connection
    /// closes, or a body streams next).
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        head: &Head<'_>,
        answer: Answer,
        started: Instant,
        before: usize,
        peer: SocketAddr,
        out: &[u8],
        batch: &mut Batch,
    ) -> bool {
        let shard = self.shard;
        let mut keep_alive = head.ask.keep_alive;
        let (status, body_bytes, stream) = match answer {
            Answer::Done {
                status,
                body_bytes,
                close,
            } => {
                keep_alive &= !close;
                (status, body_bytes, None)
            }
            Answer::Stream {
                status,
                tail,
                close,
            } => {
                keep_alive &= !close;
                (status, tail.len(), Some(tail))
            }
        };
        record(
            shard,
            status,
            (out.len() - before) as u64 + stream.as_ref().map_or(0, Tail::len),
            started,
        );
        let mut log = shard.log.borrow_mut();
        if log.enabled() {
            log.push(&Entry {
                peer: peer.ip(),
                unix_secs: unix_now() as i64,
                method: head.method_bytes,
                target: head.target,
                http_1_0: head.ask.http_1_0,
                status,
                body_bytes,
                referer: head.referer,
                user_agent: head.user_agent,
                host: head.ask.host,
                duration_micros: started.elapsed().as_micros() as u64,
            });
        }
        drop(log);
        let streaming = stream.is_some();
        batch.stream = stream;
        if !keep_alive {
            batch.close = true;
            return false;
        }
        !streaming
    }
}

/// Answers a request whose body is refused (too large, bad framing) and ends the batch: the
/// connection closes, since the rest of the stream cannot be framed.
fn refuse_body(
    shard: &Shard,
    head: &Head<'_>,
    error: h1::BodyError,
    started: Instant,
    buffered: usize,
    out: &mut Vec<u8>,
    batch: &mut Batch,
) {
    h1::write_error_response(
        out,
        error.status(),
        &shard.date.borrow(),
        false,
        head.ask.method == h1::Method::Head,
    );
    record(shard, error.status(), 0, started);
    batch.close = true;
    batch.consumed = buffered;
}

/// A request the synchronous pass could not answer.
struct Slow {
    head_offset: usize,
    started: Instant,
    /// The whole request body, for requests answered with it in hand.
    body: Option<Vec<u8>>,
}

/// Bytes of chunked framing allowed on top of a body's own bytes while it is buffered.
const BODY_FRAMING_BYTES_SLACK: usize = 64 * 1024;

/// The whole body if `input` holds all of it: its bytes, and how much of `input` they used.
fn collect_body(
    kind: BodyKind,
    body_bytes_max: u64,
    input: &[u8],
) -> Result<Option<(Vec<u8>, usize)>, h1::BodyError> {
    let mut decoder = BodyDecoder::new(kind, body_bytes_max)?;
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        let decoded = decoder.decode(&input[at..])?;
        body.extend_from_slice(&input[at + decoded.data.start..at + decoded.data.end]);
        at += decoded.consumed;
        if decoded.done {
            return Ok(Some((body, at)));
        }
        if decoded.consumed == 0 || at == input.len() {
            return Ok(None);
        }
    }
}

/// Whether this request is for bext's own endpoints: the path, and a client that
/// `[server] ops_endpoints` lets in (for anyone else it is an ordinary path of the site).
fn is_ops_request(shard: &Shard, ask: &Ask<'_>, peer: SocketAddr) -> bool {
    // The dev reload stream answers whoever loaded the page: dev servers are local.
    if ask.path == b"/__bext/dev/events" && internal::dev_mode(shard) {
        return true;
    }
    ask.path.starts_with(internal::PREFIX)
        && shard
            .snapshot
            .borrow()
            .config
            .server
            .ops_endpoints
            .allows(peer.ip())
}

/// The parts of a request head the loop needs once the header store is gone.
struct Head<'b> {
    ask: Ask<'b>,
    head_len: usize,
    body: BodyKind,
    expect_continue: bool,
    method_bytes: &'b [u8],
    target: &'b [u8],
    referer: Option<&'b [u8]>,
    user_agent: Option<&'b [u8]>,
    /// The whole head as received (request line and fields), for handlers that want every
    /// field (an app render): they parse it again rather than keep the header store.
    fields: &'b [u8],
}

/// Parses one head; `Ok(None)` when incomplete, `Err(status)` when it must be refused. The
/// header store lives only inside this call, so it never sits in the connection's future.
fn parse_head<'b>(shard: &Shard, input: &'b [u8]) -> Result<Option<Head<'b>>, u16> {
    let limits = shard.snapshot.borrow().h1_limits;
    let mut store = HeaderStore::new();
    match parse_request(input, &mut store, &limits) {
        Ok(Parsed::Partial) => Ok(None),
        Err(e) => Err(e.status()),
        Ok(Parsed::Complete { head, head_len }) => {
            let keep_alive = head.keep_alive && !shard.draining.get();
            // The target as sent (path and query are adjacent in the buffer).
            let base = input.as_ptr() as usize;
            let start = head.path.as_ptr() as usize - base;
            let end = head.query.map_or(start + head.path.len(), |q| {
                q.as_ptr() as usize - base + q.len()
            });
            // One pass over the fields for every value the answer and the log may need (the
            // first of each name counts, as with `Request::header`).
            let mut ask = Ask {
                method: head.method,
                path: head.path,
                query: head.query,
                host: head.host,
                accept_encoding: None,
                conditions: Conditions::default(),
                keep_alive,
                http_1_0: head.version == h1::Version::Http10,
            };
            let (mut referer, mut user_agent) = (None, None);
            for (name, value) in head.headers() {
                let slot = match name.len() {
                    5 if name.eq_ignore_ascii_case("range") => &mut ask.conditions.range,
                    7 if name.eq_ignore_ascii_case("referer") => &mut referer,
                    8 if name.eq_ignore_ascii_case("if-range") => &mut ask.conditions.if_range,
                    10 if name.eq_ignore_ascii_case("user-agent") => &mut user_agent,
                    13 if name.eq_ignore_ascii_case("if-none-match") => {
                        &mut ask.conditions.if_none_match
                    }
                    15 if name.eq_ignore_ascii_case("accept-encoding") => &mut ask.accept_encoding,
                    17 if name.eq_ignore_ascii_case("if-modified-since") => {
                        &mut ask.conditions.if_modified_since
                    }
                    _ => continue,
                };
                slot.get_or_insert(value);
            }
            Ok(Some(Head {
                ask,
                head_len,
                body: head.body,
                expect_continue: head.expect_continue,
                method_bytes: head.method_bytes(),
                target: input.get(start..end).unwrap_or(head.path),
                referer,
                user_agent,
                fields: &input[..head_len],
            }))
        }
    }
}

fn record(shard: &Shard, status: u16, bytes: u64, started: Instant) {
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    shard.metrics.borrow_mut().record(status, bytes, nanos);
}

/// Writes `out` under the write-stall deadline; the buffer back, or `None` if the
/// connection is done for.
async fn write_all(
    shard: &Shard,
    deadline: &DeadlineSlot<'_>,
    now: Instant,
    stream: &mut TcpStream,
    out: Vec<u8>,
) -> Option<Vec<u8>> {
    let stall = Duration::from_millis(
        shard
            .snapshot
            .borrow()
            .config
            .server
            .timeouts
            .write_stall_timeout_ms,
    );
    match deadline.run(now + stall, stream.write_all(out)).await {
        Some((Ok(()), mut back)) => {
            back.clear();
            Some(back)
        }
        _ => None,
    }
}

/// Streams a file body in chunks; false if the connection must close.
async fn stream_body(
    shard: &Shard,
    deadline: &DeadlineSlot<'_>,
    stream: &mut TcpStream,
    job: StreamJob,
) -> bool {
    let mut buf = Vec::with_capacity(FILE_STREAM_CHUNK_BYTES.min(job.len as usize));
    let mut offset = job.offset;
    let end = job.offset + job.len;
    while offset < end {
        let want = usize::try_from(end - offset)
            .unwrap_or(usize::MAX)
            .min(FILE_STREAM_CHUNK_BYTES);
        buf.clear();
        let (result, mut chunk) = job.file.read_at(buf, offset).await;
        let n = match result {
            // The file shrank or failed: the promised length cannot be kept, so close.
            Ok(0) | Err(_) => return false,
            Ok(n) => n.min(want),
        };
        chunk.truncate(n);
        offset += n as u64;
        match write_all(shard, deadline, Instant::now(), stream, chunk).await {
            Some(back) => buf = back,
            None => return false,
        }
    }
    true
}

/// Holds a dev reload stream open: a comment every `RELOAD_PING_INTERVAL` (so a dead peer is
/// noticed), and one `reload` event when a newer app is loaded; then the connection ends.
async fn reload_events(
    shard: &Shard,
    deadline: &DeadlineSlot<'_>,
    stream: &mut TcpStream,
    generation: u64,
) {
    loop {
        let changed = super::shard::race(
            bext_shards::rt::timeout(RELOAD_PING_INTERVAL, shard.reloads.changed(generation)),
            shard.stop.wait(),
        )
        .await;
        let message: &[u8] = match changed {
            None => return,
            Some(Ok(())) => b"event: reload\ndata: {}\n\n",
            Some(Err(_)) => b": ping\n\n",
        };
        if write_all(shard, deadline, Instant::now(), stream, message.to_vec())
            .await
            .is_none()
            || matches!(changed, Some(Ok(())))
        {
            return;
        }
    }
}

/// How often an idle reload stream says something.
const RELOAD_PING_INTERVAL: Duration = Duration::from_secs(15);

fn take_out(shard: &Shard) -> Vec<u8> {
    shard.out_pool.borrow_mut().pop().unwrap_or_default()
}

fn give_out(shard: &Shard, mut out: Vec<u8>) {
    if out.capacity() == 0 || out.capacity() > OUT_POOL_BUFFER_BYTES_MAX {
        return;
    }
    out.clear();
    let mut pool = shard.out_pool.borrow_mut();
    if pool.len() < OUT_POOL_BUFFERS_MAX {
        pool.push(out);
    }
}
