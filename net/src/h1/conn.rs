//! One HTTP/1.1 server connection as a state machine, without I/O (quinn-proto's shape).
//!
//! The driver owns the socket, the read buffer and the output buffer; [`Conn`] decides
//! everything else: where each request starts and ends in the bytes read, what happens to a
//! request body (collected for the handler, or read and dropped), when `100 Continue` is
//! sent, how each response is framed, whether the connection stays open, and which deadline
//! applies while it waits for the peer. Time comes in as `now`; nothing here reads a clock
//! or touches a socket, so every rule is tested with byte literals and a virtual clock
//! (`net/tests/h1/conn.rs`).
//!
//! # The driver's loop
//!
//! ```text
//! loop {
//!     match conn.poll(&mut buf[consumed..], &mut store, out.len(), now) {
//!         Step::Request { head, .. } => route it; then collect_body / skip_body if it has one;
//!                                       answer (write_head + body) unless collecting
//!         Step::Body { body, .. }    => answer the request that waited for its body
//!         Step::Refuse { status, .. }=> write_refusal, then close
//!         Step::NeedBytes { .. }     => write `out`, read under poll_timeout(), on_read(now)
//!         Step::Flush                => write `out`, written(), poll again
//!         Step::Close { .. }         => write `out`, close
//!     }
//! }
//! ```
//!
//! # Decisions
//!
//! - **The answer is decided before the body is read.** A request whose handler does not need
//!   its body (a static site, a 404, a 405) is answered first and its body read and dropped
//!   afterwards ([`Conn::skip_body`]). If the client asked for `100 Continue`, it is not sent:
//!   the client would upload for nothing. The client then may or may not send the body, so
//!   the stream can no longer be framed: the answer says `connection: close`.
//! - **A collected body is decoded as it arrives.** The decoder's state lives here between
//!   reads, so a body trickled one byte at a time costs linear work, and the decoded bytes
//!   leave the read buffer at once: the buffer never holds more than one read's worth.
//! - **Every wait has a deadline** ([`Conn::poll_timeout`]): keep-alive idle between requests,
//!   header read from a head's first byte (then 408), body idle while a body is read (408 if
//!   the handler waits for it, a plain close if it was answered already).

use std::time::{Duration, Instant};

use bext_core::limits::{READ_BUFFER_BYTES_PIPELINED_MAX, WRITE_BUFFER_BYTES_FLUSH};

use super::body::{BodyDecoder, BodyError};
use super::date::DateCache;
use super::request::{BodyKind, HeaderStore, Limits, Method, Parsed, Request, Version};
use super::request_error::RequestError;
use super::response::{write_content_length, write_error_response, write_status_line};
use crate::fields::Field;

/// The bounds one connection works under (from `[server]` of the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnConfig {
    pub limits: Limits,
    /// Requests answered before the output must be written (pipelining back-pressure).
    pub pipeline_depth_max: usize,
    pub header_read_timeout: Duration,
    pub body_idle_timeout: Duration,
    pub keepalive_idle_timeout: Duration,
    pub write_stall_timeout: Duration,
}

/// What the driver does next.
#[derive(Debug)]
pub enum Step<'b, 'h> {
    /// A complete head, `head_len` bytes. Route it; if it has a body, call
    /// [`Conn::collect_body`] or [`Conn::skip_body`] before anything else; answer with
    /// [`Conn::write_head`] (unless collecting: then after [`Step::Body`]). `raw` is the
    /// head's bytes; `consumed` ends with them (it may start with the end of a dropped body).
    Request {
        head: Request<'b, 'h>,
        raw: &'b [u8],
        consumed: usize,
    },
    /// The body being collected is complete: answer the request that waited for it.
    Body { consumed: usize, body: Vec<u8> },
    /// A run of the body being streamed ([`Conn::stream_body`]), for the handler that is
    /// answering meanwhile; `done`: it is the last (possibly empty). Poll again for more
    /// while `done` is false; after it, the next poll is for the next request, once the
    /// current one is answered.
    BodyPiece {
        consumed: usize,
        data: &'b [u8],
        done: bool,
    },
    /// Nothing more can be done with the bytes buffered: write the output, then read.
    NeedBytes { consumed: usize },
    /// Poll again at once, on the bytes after `consumed`: the next head said `HTTP/1.2` (or
    /// another minor above 1), which the next poll rewrites to 1.1 in place and parses.
    Again { consumed: usize },
    /// The output is full or the pipeline depth is reached: write it, call
    /// [`Conn::written`], and poll again without reading.
    Flush { consumed: usize },
    /// The head (or a body being collected) is refused: answer `status` with
    /// [`Conn::write_refusal`] and close. `consumed` covers everything buffered.
    Refuse {
        consumed: usize,
        status: u16,
        reason: &'static str,
    },
    /// The connection ends: write what is in the output and close.
    Close { consumed: usize },
}

/// What happens when [`Conn::poll_timeout`]'s deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Close without a word (keep-alive idle, a dropped body stalled).
    Close,
    /// Answer 408, then close (a head or a wanted body stalled).
    RequestTimeout,
}

/// How the body after a response head must be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyPlan {
    /// No body follows (HEAD, 1xx, 204, 304, or an empty body).
    None,
    /// Exactly this many bytes follow.
    Length(u64),
    /// `transfer-encoding: chunked`: each piece with [`write_chunk`], then [`write_last_chunk`].
    Chunked,
    /// Bytes until the connection closes (an HTTP/1.0 client and a body of unknown length).
    UntilClose,
}

/// How long a response body is, as its handler knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySize {
    Known(u64),
    /// A stream whose end is known only when it comes.
    Unknown,
}

/// A response head in neutral parts: the driver's [`Response`] seen by the encoder.
///
/// [`Response`]: ../../../bext_server/service/struct.Response.html
#[derive(Debug, Clone, Copy)]
pub struct ResponseHead<'a> {
    pub status: u16,
    /// `date: …\r\n`, from the shard's once-a-second cache.
    pub date_line: &'a [u8],
    /// Shared fields already in HTTP/1.1 form ([`crate::fields::FieldBlock::h1`]).
    pub shared: &'a [u8],
    pub fields: &'a [Field],
    pub body: BodySize,
    /// The handler wants the connection closed after this response.
    pub close: bool,
    /// `alt-svc`'s value (another protocol serves this origin: HTTP/3), written after
    /// `server`; `None` for none.
    pub alt_svc: Option<&'a [u8]>,
}

/// The `server` field every response carries.
const SERVER_LINE: &[u8] = b"server: bext\r\n";

/// One connection's state. See the module docs.
#[derive(Debug)]
pub struct Conn {
    config: ConnConfig,
    phase: Phase,
    /// The request being answered: its head has been returned, its response not written.
    current: Option<Answering>,
    /// Requests returned since the output was last written.
    answered: usize,
    /// Nothing more is read: the last answer said `connection: close`, or will.
    closing: bool,
    /// The shard is stopping: answer what is buffered, keep nothing alive.
    draining: bool,
    /// The head at the start of the next poll's buffer says a minor version above 1.
    rewrite_minor_version: bool,
}

#[derive(Debug)]
enum Phase {
    /// Between requests, nothing buffered since `since`.
    Idle { since: Instant },
    /// Bytes of a head are buffered; the first arrived at `started`.
    Head { started: Instant },
    /// Reading the current request's body for its handler: into `body`, or, `streaming`, run
    /// by run as [`Step::BodyPiece`]s.
    Collect {
        decoder: BodyDecoder,
        body: Vec<u8>,
        streaming: bool,
        last_progress: Instant,
    },
    /// Reading an answered request's body to drop it.
    Discard {
        decoder: BodyDecoder,
        last_progress: Instant,
    },
}

/// What the response to the current request must know about it.
#[derive(Debug, Clone, Copy)]
struct Answering {
    head_only: bool,
    http_1_0: bool,
    keep_alive: bool,
    has_body: bool,
    body_decided: bool,
}

impl Conn {
    /// A connection accepted at `now`: idle, under the keep-alive deadline until its first
    /// byte (nginx applies its `client_header_timeout` here; the keep-alive one is longer and
    /// costs nothing while nothing is buffered).
    pub fn new(config: ConnConfig, now: Instant) -> Conn {
        assert!(config.pipeline_depth_max >= 1);
        Conn {
            config,
            phase: Phase::Idle { since: now },
            current: None,
            answered: 0,
            closing: false,
            draining: false,
            rewrite_minor_version: false,
        }
    }

    /// Takes new bounds (a config reload); they apply from the next wait on.
    pub fn reconfigure(&mut self, config: ConnConfig) {
        self.config = config;
    }

    pub fn config(&self) -> &ConnConfig {
        &self.config
    }

    /// Answers from now on say `connection: close`, and an idle connection ends.
    pub fn set_draining(&mut self) {
        self.draining = true;
    }

    /// Whether the connection ends once its output is written.
    pub fn is_closing(&self) -> bool {
        self.closing
    }

    /// Whether a request is half-way: bytes of it read or its answer unwritten. A draining
    /// shard waits for those.
    pub fn is_busy(&self) -> bool {
        self.current.is_some() || !matches!(self.phase, Phase::Idle { .. })
    }

    /// Looks at the unconsumed bytes `buf` and says what to do. The buffer is mutable only so
    /// that a request line saying `HTTP/1.2` can be read as 1.1 (RFC 9110 §2.5). `out_len` is
    /// how much output is waiting to be written.
    pub fn poll<'b, 'h>(
        &mut self,
        buf: &'b mut [u8],
        store: &'h mut HeaderStore<'b>,
        out_len: usize,
        now: Instant,
    ) -> Step<'b, 'h> {
        // Once per head: a head that still says a higher minor version after this is refused.
        let rewrote = std::mem::take(&mut self.rewrite_minor_version)
            && super::rewrite_higher_minor_version(buf);
        let buf: &'b [u8] = buf;
        let mut consumed = 0;
        loop {
            match &mut self.phase {
                Phase::Collect {
                    decoder,
                    body,
                    streaming,
                    last_progress,
                } => match decoder.decode(&buf[consumed..]) {
                    Ok(decoded) if *streaming => {
                        let at = consumed;
                        consumed += decoded.consumed;
                        if decoded.consumed > 0 {
                            *last_progress = now;
                        }
                        let data = &buf[at + decoded.data.start..at + decoded.data.end];
                        if decoded.done {
                            self.body_finished(buf.len() == consumed, now);
                            return Step::BodyPiece {
                                consumed,
                                data,
                                done: true,
                            };
                        }
                        if !data.is_empty() {
                            return Step::BodyPiece {
                                consumed,
                                data,
                                done: false,
                            };
                        }
                        if decoded.consumed == 0 || consumed == buf.len() {
                            return Step::NeedBytes { consumed };
                        }
                    }
                    Ok(decoded) => {
                        let at = consumed;
                        body.extend_from_slice(
                            &buf[at + decoded.data.start..at + decoded.data.end],
                        );
                        consumed += decoded.consumed;
                        if decoded.consumed > 0 {
                            *last_progress = now;
                        }
                        if decoded.done {
                            let body = std::mem::take(body);
                            self.body_finished(buf.len() == consumed, now);
                            return Step::Body { consumed, body };
                        }
                        // A call stops after one data run: decode on while bytes remain.
                        if decoded.consumed == 0 || consumed == buf.len() {
                            return Step::NeedBytes { consumed };
                        }
                    }
                    Err(error) => {
                        self.closing = true;
                        return Step::Refuse {
                            consumed: buf.len(),
                            status: error.status(),
                            reason: error.reason(),
                        };
                    }
                },
                Phase::Discard {
                    decoder,
                    last_progress,
                } => match decoder.decode(&buf[consumed..]) {
                    Ok(decoded) => {
                        consumed += decoded.consumed;
                        if decoded.consumed > 0 {
                            *last_progress = now;
                        }
                        if decoded.done {
                            self.body_finished(buf.len() == consumed, now);
                            continue;
                        }
                        if decoded.consumed == 0 || consumed == buf.len() {
                            return Step::NeedBytes { consumed };
                        }
                    }
                    // The answer is out already; a broken body only ends the connection.
                    Err(_) => {
                        self.closing = true;
                        return Step::Close {
                            consumed: buf.len(),
                        };
                    }
                },
                Phase::Idle { .. } | Phase::Head { .. } => {
                    debug_assert!(
                        self.current.is_none(),
                        "every request is answered before the next head is parsed"
                    );
                    if self.closing {
                        return Step::Close {
                            consumed: buf.len(),
                        };
                    }
                    let rest = &buf[consumed..];
                    if rest.is_empty() {
                        if let Phase::Head { .. } = self.phase {
                            self.phase = Phase::Idle { since: now };
                        }
                        return Step::NeedBytes { consumed };
                    }
                    if self.answered >= self.config.pipeline_depth_max
                        || out_len >= WRITE_BUFFER_BYTES_FLUSH
                    {
                        return Step::Flush { consumed };
                    }
                    if let Phase::Idle { .. } = self.phase {
                        self.phase = Phase::Head { started: now };
                    }
                    return match super::parse_request(rest, store, &self.config.limits) {
                        Ok(Parsed::Partial) => Step::NeedBytes { consumed },
                        Ok(Parsed::Complete { head, head_len }) => {
                            self.answered += 1;
                            self.current = Some(Answering {
                                head_only: head.method == Method::Head,
                                http_1_0: head.version == Version::Http10,
                                keep_alive: head.keep_alive,
                                has_body: head.body != BodyKind::None,
                                body_decided: false,
                            });
                            // Until its body is dealt with, the request counts as its head.
                            if head.body == BodyKind::None {
                                self.phase = if rest.len() == head_len {
                                    Phase::Idle { since: now }
                                } else {
                                    Phase::Head { started: now }
                                };
                            }
                            Step::Request {
                                head,
                                raw: &rest[..head_len],
                                consumed: consumed + head_len,
                            }
                        }
                        // Read as 1.1 (RFC 9110 §2.5): rewritten by the next poll, which has
                        // the buffer to itself.
                        Err(RequestError::HigherMinorVersion) if !rewrote => {
                            self.rewrite_minor_version = true;
                            Step::Again { consumed }
                        }
                        Err(error) => self.refuse_head(buf.len(), error),
                    };
                }
            }
        }
    }

    fn refuse_head<'b, 'h>(&mut self, buffered: usize, error: RequestError) -> Step<'b, 'h> {
        self.closing = true;
        Step::Refuse {
            consumed: buffered,
            status: error.status(),
            reason: error.reason(),
        }
    }

    /// The current request's handler needs its body, up to `body_bytes_max` bytes: it is
    /// decoded from the next polls into a buffer handed over with [`Step::Body`]. `Ok(true)`
    /// means write [`super::CONTINUE_100`] now (the client asked and waits for it). An error is the
    /// refusal to answer with [`Conn::write_refusal`] (the body is too large to start).
    pub fn collect_body(
        &mut self,
        kind: BodyKind,
        body_bytes_max: u64,
        expect_continue: bool,
        now: Instant,
    ) -> Result<bool, BodyError> {
        self.begin_body(kind, body_bytes_max, expect_continue, now, false)
    }

    /// The current request's handler reads its body as it arrives, up to `body_bytes_max`
    /// bytes: the next polls return it as [`Step::BodyPiece`]s while the handler answers.
    /// The driver reads only when the handler waits for more, so the client is held back to
    /// the pace of whatever the handler passes the body on to. `Ok(true)` and errors as in
    /// [`Conn::collect_body`]; a handler that answers before the body's end leaves the rest
    /// to [`Conn::abandon_body`].
    pub fn stream_body(
        &mut self,
        kind: BodyKind,
        body_bytes_max: u64,
        expect_continue: bool,
        now: Instant,
    ) -> Result<bool, BodyError> {
        self.begin_body(kind, body_bytes_max, expect_continue, now, true)
    }

    /// [`Conn::collect_body`] and [`Conn::stream_body`]: the decoder set up, the body's
    /// phase entered.
    fn begin_body(
        &mut self,
        kind: BodyKind,
        body_bytes_max: u64,
        expect_continue: bool,
        now: Instant,
        streaming: bool,
    ) -> Result<bool, BodyError> {
        let current = self.decide_body();
        let decoder = match BodyDecoder::new(kind, body_bytes_max) {
            Ok(decoder) => decoder,
            Err(error) => {
                self.closing = true;
                return Err(error);
            }
        };
        let reserve = match kind {
            BodyKind::Length(n) if !streaming => usize::try_from(n).unwrap_or(0),
            _ => 0,
        };
        self.phase = Phase::Collect {
            decoder,
            body: Vec::with_capacity(reserve),
            streaming,
            last_progress: now,
        };
        Ok(expect_continue && !current.http_1_0)
    }

    /// The handler answered before the streamed body ended: the rest is read and dropped
    /// after the answer, as a skipped body is. `keep`: false when the connection must close
    /// after the answer instead (the body's rest is not worth reading, or the client stalled).
    pub fn abandon_body(&mut self, keep: bool, now: Instant) {
        if !matches!(self.phase, Phase::Collect { .. }) {
            return;
        }
        if !keep {
            self.closing = true;
            return;
        }
        if let Phase::Collect { decoder, .. } =
            std::mem::replace(&mut self.phase, Phase::Idle { since: now })
        {
            self.phase = Phase::Discard {
                decoder,
                last_progress: now,
            };
        }
    }

    /// The current request is answered without its body: it is read and dropped after the
    /// answer (a Content-Length over `body_bytes_max` is refused first, as a body too large).
    /// If the client waits for `100 Continue`, it never gets it, and the connection closes
    /// after the answer (see the module docs).
    pub fn skip_body(
        &mut self,
        kind: BodyKind,
        body_bytes_max: u64,
        expect_continue: bool,
        now: Instant,
    ) -> Result<(), BodyError> {
        self.decide_body();
        let decoder = match BodyDecoder::new(kind, body_bytes_max) {
            Ok(decoder) => decoder,
            Err(error) => {
                self.closing = true;
                return Err(error);
            }
        };
        if expect_continue {
            self.closing = true;
            return Ok(());
        }
        self.phase = Phase::Discard {
            decoder,
            last_progress: now,
        };
        Ok(())
    }

    fn decide_body(&mut self) -> Answering {
        debug_assert!(
            self.current.is_some_and(|c| c.has_body && !c.body_decided),
            "collect_body/skip_body only right after a Step::Request with a body"
        );
        let current = self.current.as_mut().map(|c| {
            c.body_decided = true;
            *c
        });
        current.unwrap_or(Answering {
            head_only: false,
            http_1_0: false,
            keep_alive: false,
            has_body: true,
            body_decided: true,
        })
    }

    fn body_finished(&mut self, nothing_left: bool, now: Instant) {
        self.phase = if nothing_left {
            Phase::Idle { since: now }
        } else {
            Phase::Head { started: now }
        };
    }

    /// Writes the head of the answer to the current request and says how its body must be
    /// sent. Decides keep-alive: the answer says `connection: close` if the client or the
    /// handler asked for it, the shard is draining, the request's framing was lost, or the
    /// body can only end with the connection.
    pub fn write_head(&mut self, out: &mut Vec<u8>, head: &ResponseHead<'_>) -> BodyPlan {
        debug_assert!(self.current.is_some(), "write_head without a request");
        let request = self.current.take().unwrap_or(Answering {
            head_only: false,
            http_1_0: false,
            keep_alive: false,
            has_body: false,
            body_decided: true,
        });
        debug_assert!(!request.has_body || request.body_decided);
        let bodiless_status = head.status < 200 || head.status == 204 || head.status == 304;
        let mut plan = match head.body {
            _ if bodiless_status => BodyPlan::None,
            BodySize::Known(0) => BodyPlan::None,
            BodySize::Known(n) => BodyPlan::Length(n),
            BodySize::Unknown if request.http_1_0 => BodyPlan::UntilClose,
            BodySize::Unknown => BodyPlan::Chunked,
        };
        let keep_alive = request.keep_alive
            && !head.close
            && !self.draining
            && !self.closing
            && plan != BodyPlan::UntilClose;

        write_status_line(out, head.status);
        out.extend_from_slice(head.date_line);
        out.extend_from_slice(SERVER_LINE);
        if let Some(alt_svc) = head.alt_svc {
            out.extend_from_slice(b"alt-svc: ");
            out.extend_from_slice(alt_svc);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(head.shared);
        for field in head.fields {
            write_field(out, field);
        }
        match (bodiless_status, head.body) {
            (true, _) => {}
            (false, BodySize::Known(n)) => write_content_length(out, n),
            (false, BodySize::Unknown) if plan == BodyPlan::Chunked => {
                out.extend_from_slice(b"transfer-encoding: chunked\r\n");
            }
            (false, BodySize::Unknown) => {}
        }
        if !keep_alive {
            out.extend_from_slice(b"connection: close\r\n");
        } else if request.http_1_0 {
            out.extend_from_slice(b"connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if !keep_alive {
            self.closing = true;
        }
        if request.head_only {
            plan = BodyPlan::None;
        }
        plan
    }

    /// Writes the answer to a refused head or body ([`Step::Refuse`], a body error from
    /// [`Conn::collect_body`] or [`Conn::skip_body`]) or to a stalled read (408): the codec's
    /// small error page, `connection: close`. Returns the body bytes written (for the access
    /// log). The connection closes afterwards.
    pub fn write_refusal(&mut self, out: &mut Vec<u8>, status: u16, date: &DateCache) -> u64 {
        let head_only = self.current.take().is_some_and(|c| c.head_only);
        self.closing = true;
        let start = out.len();
        write_error_response(out, status, date, false, head_only);
        if head_only {
            return 0;
        }
        let written = &out[start..];
        written
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(0, |end| (written.len() - end - 4) as u64)
    }

    /// The output was written: the pipeline depth counts afresh.
    pub fn written(&mut self) {
        self.answered = 0;
    }

    /// Whether to read at all: false once closing, and for an idle connection of a draining
    /// shard.
    pub fn wants_read(&self) -> bool {
        let idle = matches!(self.phase, Phase::Idle { .. });
        !(self.closing || self.draining && idle)
    }

    /// The deadline of the next read, and what its expiry means.
    pub fn poll_timeout(&self) -> (Instant, Expiry) {
        let c = &self.config;
        match &self.phase {
            Phase::Idle { since } => (*since + c.keepalive_idle_timeout, Expiry::Close),
            Phase::Head { started } => (*started + c.header_read_timeout, Expiry::RequestTimeout),
            Phase::Collect { last_progress, .. } => {
                (*last_progress + c.body_idle_timeout, Expiry::RequestTimeout)
            }
            Phase::Discard { last_progress, .. } => {
                (*last_progress + c.body_idle_timeout, Expiry::Close)
            }
        }
    }

    /// The deadline of a write that starts at `now`.
    pub fn write_deadline(&self, now: Instant) -> Instant {
        now + self.config.write_stall_timeout
    }

    /// How many bytes the read buffer should be able to hold for the next read, given what it
    /// holds and whether the last read `filled` it: a head may grow it to
    /// `header_bytes_max`; a client that filled it has more queued (pipelined requests), so
    /// it doubles up to `READ_BUFFER_BYTES_PIPELINED_MAX`; a body is read in runs of
    /// `body_read_bytes` (its bytes leave the buffer as they are decoded).
    pub fn read_capacity(
        &self,
        buffered: usize,
        capacity: usize,
        filled: bool,
        body_read_bytes: usize,
    ) -> usize {
        let wanted = match self.phase {
            Phase::Collect { .. } | Phase::Discard { .. } => body_read_bytes,
            Phase::Idle { .. } | Phase::Head { .. } => {
                let pipelined = if filled {
                    (capacity * 2).min(READ_BUFFER_BYTES_PIPELINED_MAX)
                } else {
                    0
                };
                if buffered < capacity {
                    return capacity.max(pipelined);
                }
                // Full with a partial head: double, within the head limit (parse_request
                // refuses a head past it before the buffer could grow further).
                (capacity * 2)
                    .min(self.config.limits.header_bytes_max.max(buffered + 1))
                    .max(pipelined)
            }
        };
        wanted.max(capacity).max(buffered + 1)
    }
}

/// Appends `name: value\r\n`.
pub fn write_field(out: &mut Vec<u8>, field: &Field) {
    out.reserve(field.len() + 4);
    out.extend_from_slice(field.name());
    out.extend_from_slice(b": ");
    out.extend_from_slice(field.value());
    out.extend_from_slice(b"\r\n");
}

/// Appends one chunk of a chunked body (nothing for an empty piece: an empty chunk would end
/// the body).
pub fn write_chunk(out: &mut Vec<u8>, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    let mut size = [0u8; 16];
    let mut at = size.len();
    let mut n = data.len();
    while n > 0 || at == size.len() {
        at -= 1;
        size[at] = b"0123456789abcdef"[n % 16];
        n /= 16;
    }
    out.reserve(size.len() - at + data.len() + 4);
    out.extend_from_slice(&size[at..]);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Appends the last chunk of a chunked body (no trailers).
pub fn write_last_chunk(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0\r\n\r\n");
}

/// Appends the last chunk of a chunked body with `trailers` after it (RFC 9112 §7.1.2),
/// less the fields a trailer may not carry: framing and the connection's own (RFC 9110
/// §6.5.1; a recipient would drop them or, worse, act on them).
pub fn write_last_chunk_with<'f>(out: &mut Vec<u8>, trailers: impl IntoIterator<Item = &'f Field>) {
    out.extend_from_slice(b"0\r\n");
    for field in trailers {
        let name = field.name();
        let forbidden = name.eq_ignore_ascii_case(b"content-length")
            || name.eq_ignore_ascii_case(b"host")
            || crate::client::upstream::hop_by_hop(name);
        if !forbidden {
            write_field(out, field);
        }
    }
    out.extend_from_slice(b"\r\n");
}
