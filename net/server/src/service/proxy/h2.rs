//! `protocol = "http2"`: requests to an upstream's servers as streams of one HTTP/2
//! connection per server and shard (prior knowledge in the clear, ALPN `h2` over TLS), so
//! gRPC passes through: its trailers (`grpc-status`) reach the client, and a call streams
//! both ways at once.
//!
//! The connections are `upstream::h2`'s: one per server and shard, each request a stream
//! of it. A connection that has ended (the server closed it, a GOAWAY, a failed write) is
//! replaced by the next request; one found ended only as a stream is asked of it is
//! replaced once, within the same request.
//!
//! The request body goes as the client sends it, beside the response: a future
//! ([`Pump`]) that the exchange polls while it waits for the response head, and the
//! response body while it waits for data. So an upstream that answers before the body has
//! all arrived is heard at once, and a bidirectional gRPC call works, without a task per
//! request. When the response ends first, the pump is dropped and `h2` resets the stream's
//! sending half (`CANCEL`), as a gRPC server that has finished expects.
//!
//! Failures map as for HTTP/1.1: no connection 502/504 (nothing sent, so another server is
//! tried); a stream the server refused (`REFUSED_STREAM`) was not processed (RFC 9113
//! §8.7) and goes again like an unsent request; a reset, a GOAWAY that left the stream out,
//! or a broken connection after that is 502 (an idempotent request goes to another server,
//! as over HTTP/1.1); no response head within `timeout_ms` 504; the body
//! or its trailers not within `timeout_ms` of the last frame cut the client's answer off.
//! Active health checks speak HTTP/1.1 and are refused by the config for these upstreams.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

use bext_core::limits::PROXY_INLINE_BODY_BYTES_MAX;
use bext_net::client::upstream::{Forwarded, forwarded_fields};
use bext_net::fields::{Field, Fields};
use bext_shards::rt;

use super::{Failure, HIDDEN_FIELDS};
use crate::service::incoming::{BodyFault, IncomingBody};
use crate::service::{Body, BodyStream, Response};
use crate::shard::Shard;
use crate::upstream::h2::{H2Conns, StreamHeld, Taken};
use crate::upstream::{ConnectError, PeerAddr, TlsTo};

/// What one exchange needs besides the request.
pub(super) struct Exchange<'a> {
    pub shard: &'a Rc<Shard>,
    pub conns: &'a H2Conns,
    pub server: usize,
    pub addr: &'a PeerAddr,
    pub tls: Option<TlsTo<'a>>,
    pub connect_timeout: Duration,
    pub idle_for: Duration,
    /// For the response head, and each wait for the body's data or the upstream's window.
    pub timeout: Duration,
}

/// The request as HTTP/2 sends it: a head, and the body's parts.
pub(super) struct Outbound {
    pub head: http::Request<()>,
    pub whole: Option<Bytes>,
    pub incoming: Option<Box<dyn IncomingBody>>,
}

/// The request head for an HTTP/2 upstream: `target` on the `authority` (the `Host` the
/// HTTP/1.1 proxy would send), the fields as [`forwarded_fields`] gives them less `Host`,
/// and `te: trailers`. `None`: the
/// method, target or authority is not one HTTP/2 can carry.
pub(super) fn request_head<'f>(
    method: &[u8],
    target: &[u8],
    secure_upstream: bool,
    fields: impl Iterator<Item = (&'f [u8], &'f [u8])> + Clone,
    forwarded: &Forwarded<'_>,
    length: Option<u64>,
) -> Option<http::Request<()>> {
    let mut headers = HeaderMap::new();
    let mut authority: Option<Vec<u8>> = None;
    forwarded_fields(fields, forwarded, &mut |name, value| {
        if name.eq_ignore_ascii_case(b"host") {
            authority = Some(value.to_vec());
            return;
        }
        // A field HTTP/2 cannot carry is left out rather than failing the request.
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    });
    // bext reads trailers (and passes them on): said as nginx's gRPC proxy says it, to
    // every HTTP/2 upstream, since gRPC servers refuse calls without it.
    headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
    if let Some(length) = length {
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    let uri = http::Uri::builder()
        .scheme(if secure_upstream { "https" } else { "http" })
        .authority(authority?)
        .path_and_query(target)
        .build()
        .ok()?;
    let mut head = http::Request::builder()
        .method(http::Method::from_bytes(method).ok()?)
        .uri(uri)
        .body(())
        .ok()?;
    *head.headers_mut() = headers;
    Some(head)
}

/// One request to one server over HTTP/2: a stream on the shard's connection to it (opened
/// first if there is none), the body sent as it comes, the response head awaited.
pub(super) async fn exchange(ex: Exchange<'_>, out: Outbound) -> Result<Response, Failure> {
    let Outbound {
        head,
        whole,
        mut incoming,
    } = out;
    let (head, ()) = head.into_parts();
    let bodiless = whole.as_ref().is_none_or(Bytes::is_empty) && incoming.is_none();
    let streamed = incoming.is_some();
    // A request the server did not take (the connection had ended, a GOAWAY came first) goes
    // once more, on a new connection, while nothing of its body has been used up.
    let mut second = false;
    let (head, pump, held) = loop {
        let mut taken = match ready(&ex).await? {
            Ok(taken) => taken,
            Err(why) if second => return Err(Failure::Refused(why)),
            Err(_) => {
                second = true;
                continue;
            }
        };
        let mut request = http::Request::new(());
        *request.method_mut() = head.method.clone();
        *request.uri_mut() = head.uri.clone();
        *request.headers_mut() = head.headers.clone();
        let (response, stream) = match open(&ex, &mut taken, request, bodiless) {
            Ok(sent) => sent,
            Err(e) if second => return Err(unsent_or_reset(&e)),
            Err(_) => {
                second = true;
                continue;
            }
        };
        // What is left of the body goes into the pump: the whole one is kept for another
        // try, a streamed one is used up by this one.
        let mut pump = Pump::new(if bodiless {
            None
        } else {
            let shard = ex.shard.clone();
            let timeout = ex.timeout;
            let whole = whole.clone();
            let incoming = incoming.take();
            let body = async move { send_body(&shard, stream, whole, incoming, timeout).await };
            Some(Box::pin(body) as PumpFuture)
        });
        // While the body is still going, it is the body's deadlines that hold (each piece
        // within the client's, each wait for window within the timeout); the head's timeout
        // starts once all of it has been sent, as over HTTP/1.1.
        let mut response = std::pin::pin!(response);
        let early = pump.until_sent(response.as_mut()).await;
        let waited = match (early, pump.fault) {
            (Some(head), _) => Ok(head),
            (None, Some(fault)) => return Err(Failure::Client(fault)),
            (None, None) => rt::timeout(ex.timeout, response).await,
        };
        match waited {
            Ok(Ok(head)) => break (head, pump, taken.stream),
            Ok(Err(e)) => {
                if let Some(fault) = pump.fault {
                    return Err(Failure::Client(fault));
                }
                // Beyond a GOAWAY's last stream: not processed (RFC 9113 §6.8).
                let refused = e.reason() == Some(h2::Reason::REFUSED_STREAM)
                    || (e.is_go_away() && e.is_remote());
                if refused {
                    ex.conns.forget(ex.server, taken.id);
                    if !second && !streamed {
                        second = true;
                        continue;
                    }
                    return Err(Failure::Refused(format!("HTTP/2: {e}")));
                }
                return Err(Failure::Reset(format!("HTTP/2: {e}")));
            }
            Err(_) => return Err(Failure::Timeout),
        }
    };
    if let Some(fault) = pump.fault {
        return Err(Failure::Client(fault));
    }
    let (parts, recv) = head.into_parts();
    let mut answer = Response::new(parts.status.as_u16());
    answer.fields = response_fields(&parts.headers);
    if recv.is_end_stream() {
        // A head that ends the stream (a gRPC "trailers-only" answer): its fields say it all.
        return Ok(answer);
    }
    let mut body = UpstreamH2Body {
        recv,
        _held: held,
        pump,
        trailers: None,
        aborted: false,
        done: false,
        timeout: ex.timeout,
        shard: ex.shard.clone(),
    };
    let length = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    match length {
        // A small body of a declared length is read whole first (`h2` holds the server to
        // that length), and answered as one buffer with its length, as over HTTP/1.1.
        Some(n) if n <= PROXY_INLINE_BODY_BYTES_MAX as u64 => {
            let mut whole = Vec::with_capacity(n as usize);
            while let Some(piece) = body.next_piece().await {
                whole.extend_from_slice(&piece);
            }
            if body.aborted {
                return Err(Failure::Cut("HTTP/2: the stream was reset".into()));
            }
            let whole = Bytes::from(whole);
            Ok(match body.trailers.take() {
                None => answer.with_body(Body::Bytes(whole)),
                Some(trailers) => answer.with_body(Body::Stream(Box::new(Read {
                    whole: Some(whole),
                    trailers: Some(trailers),
                }))),
            })
        }
        _ => Ok(answer.with_body(Body::Stream(Box::new(body)))),
    }
}

/// A connection to the exchange's server with room for one more stream (opened if need
/// be), within the timeout; `Ok(Err(why))`: the connection had ended before it was ready
/// (it is forgotten, and a new one may be tried).
async fn ready(ex: &Exchange<'_>) -> Result<Result<Taken, String>, Failure> {
    let tls = ex.tls.as_ref().map(|tls| TlsTo {
        config: tls.config,
        name: tls.name,
    });
    let mut taken = ex
        .conns
        .take(
            ex.shard,
            ex.server,
            ex.addr,
            tls,
            ex.connect_timeout,
            ex.timeout,
            ex.idle_for,
        )
        .await
        .map_err(|e| match e {
            ConnectError::Failed(why) => Failure::Refused(why),
            ConnectError::TimedOut => Failure::ConnectTimeout,
        })?;
    if taken.opened {
        ex.shard.metrics.borrow_mut().proxy_connections_opened += 1;
    }
    // Waits for a free stream (the server's concurrency limit) within the timeout.
    match rt::timeout(ex.timeout, taken.send.clone().ready()).await {
        Ok(Ok(ready)) => {
            taken.send = ready;
            Ok(Ok(taken))
        }
        Ok(Err(e)) => {
            ex.conns.forget(ex.server, taken.id);
            Ok(Err(format!("HTTP/2: {e}")))
        }
        Err(_) => Err(Failure::Timeout),
    }
}

/// `request` sent as a new stream of the taken connection (a reuse counted as one); on
/// failure the connection is forgotten, and whether to try a new one is the caller's.
fn open(
    ex: &Exchange<'_>,
    taken: &mut Taken,
    request: http::Request<()>,
    end: bool,
) -> Result<(h2::client::ResponseFuture, h2::SendStream<Bytes>), h2::Error> {
    match taken.send.send_request(request, end) {
        Ok(sent) => {
            if !taken.opened {
                ex.shard.metrics.borrow_mut().proxy_connections_reused += 1;
            }
            Ok(sent)
        }
        Err(e) => {
            ex.conns.forget(ex.server, taken.id);
            Err(e)
        }
    }
}

/// What an HTTP/2 upstream answered an extended CONNECT.
pub(super) enum Upgrade {
    /// A `2xx`: the stream is the tunnel's upstream end; the answer's fields for the client.
    Taken {
        fields: Fields,
        send: h2::SendStream<Bytes>,
        recv: h2::RecvStream,
        held: StreamHeld,
    },
    /// Any other answer, for the client as it is.
    Answered(Response),
}

/// An extended CONNECT (RFC 8441) for a WebSocket to one server: `head` (`CONNECT`, the
/// target and authority, the client's WebSocket fields but no key) sent with `:protocol
/// websocket` on a stream of the shard's connection to it, the answer awaited within the
/// timeout. A server whose SETTINGS do not offer the extended CONNECT is a bad response
/// (502): the client is never sent a tunnel the upstream did not agree to.
pub(super) async fn upgrade(ex: Exchange<'_>, head: http::Request<()>) -> Result<Upgrade, Failure> {
    let (head, ()) = head.into_parts();
    let mut second = false;
    loop {
        let mut taken = match ready(&ex).await? {
            Ok(taken) => taken,
            Err(why) if second => return Err(Failure::Refused(why)),
            Err(_) => {
                second = true;
                continue;
            }
        };
        // The server's SETTINGS are in: `upstream::h2::connect` waits for them.
        if !taken.send.is_extended_connect_protocol_enabled() {
            return Err(Failure::Bad(super::BadResponse::Malformed(
                "an HTTP/2 server without SETTINGS_ENABLE_CONNECT_PROTOCOL: no WebSocket \
                 (RFC 8441)"
                    .into(),
            )));
        }
        let mut request = http::Request::new(());
        *request.method_mut() = http::Method::CONNECT;
        *request.uri_mut() = head.uri.clone();
        *request.headers_mut() = head.headers.clone();
        request
            .extensions_mut()
            .insert(h2::ext::Protocol::from_static("websocket"));
        let (response, stream) = match open(&ex, &mut taken, request, false) {
            Ok(sent) => sent,
            Err(e) if second => return Err(unsent_or_reset(&e)),
            Err(_) => {
                second = true;
                continue;
            }
        };
        let head = match rt::timeout(ex.timeout, response).await {
            Ok(Ok(head)) => head,
            Ok(Err(e)) => return Err(unsent_or_reset(&e)),
            Err(_) => return Err(Failure::Timeout),
        };
        let (parts, recv) = head.into_parts();
        let fields = response_fields(&parts.headers);
        if parts.status.is_success() {
            return Ok(Upgrade::Taken {
                fields,
                send: stream,
                recv,
                held: taken.stream,
            });
        }
        // A refusal (a 400 to a version it does not speak): passed on with its body.
        let mut answer = Response::new(parts.status.as_u16());
        answer.fields = fields;
        if recv.is_end_stream() {
            return Ok(Upgrade::Answered(answer));
        }
        let body = UpstreamH2Body {
            recv,
            _held: taken.stream,
            pump: Pump::new(None),
            trailers: None,
            aborted: false,
            done: false,
            timeout: ex.timeout,
            shard: ex.shard.clone(),
        };
        drop(stream);
        return Ok(Upgrade::Answered(
            answer.with_body(Body::Stream(Box::new(body))),
        ));
    }
}

/// A body read whole, then its trailers.
struct Read {
    whole: Option<Bytes>,
    trailers: Option<Fields>,
}

impl BodyStream for Read {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>> {
        let piece = self.whole.take().filter(|whole| !whole.is_empty());
        Box::pin(std::future::ready(piece))
    }

    fn trailers(&mut self) -> Option<Fields> {
        self.trailers.take()
    }
}

/// A stream that failed before an answer: refused by the server (not processed, RFC 9113
/// §8.7: it may go to another server), or reset.
fn unsent_or_reset(e: &h2::Error) -> Failure {
    if e.reason() == Some(h2::Reason::REFUSED_STREAM) {
        Failure::Refused(format!("HTTP/2: {e}"))
    } else {
        Failure::Reset(format!("HTTP/2: {e}"))
    }
}

/// The upstream's response fields a client is given: not the ones the driver sets (`date`,
/// `server`, the length) nor any HTTP/2 forbids.
fn response_fields(headers: &HeaderMap) -> Fields {
    let mut fields = Fields::new();
    for (name, value) in headers {
        let name = name.as_str().as_bytes();
        if HIDDEN_FIELDS.contains(&name)
            || name == b"content-length"
            || bext_net::client::upstream::hop_by_hop(name)
        {
            continue;
        }
        if let Ok(field) = Field::new(name, value.as_bytes()) {
            fields.push(field);
        }
    }
    fields
}

type PumpFuture = Pin<Box<dyn Future<Output = Result<(), BodyFault>>>>;

/// The request body on its way, polled beside whatever the exchange waits for.
struct Pump {
    body: Option<PumpFuture>,
    /// The client's body failed: the stream was reset, and the answer is the fault's.
    fault: Option<BodyFault>,
}

impl Pump {
    fn new(body: Option<PumpFuture>) -> Pump {
        Pump { body, fault: None }
    }

    fn poll_body(&mut self, cx: &mut Context<'_>) {
        if let Some(body) = self.body.as_mut()
            && let Poll::Ready(result) = body.as_mut().poll(cx)
        {
            self.body = None;
            if let Err(fault) = result {
                self.fault = Some(fault);
            }
        }
    }

    /// Waits for `future` while the body is being sent: its output, or `None` once the body
    /// has all gone (or failed) first.
    async fn until_sent<F: Future + Unpin>(&mut self, mut future: F) -> Option<F::Output> {
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = Pin::new(&mut future).poll(cx) {
                return Poll::Ready(Some(output));
            }
            if self.body.is_none() {
                return Poll::Ready(None);
            }
            self.poll_body(cx);
            if self.body.is_none() {
                // Done now: the future is polled once more by the caller, with its deadline.
                return Poll::Ready(None);
            }
            Poll::Pending
        })
        .await
    }

    /// Waits for `future` while the body goes on being sent.
    async fn beside<F: Future>(&mut self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            self.poll_body(cx);
            future.as_mut().poll(cx)
        })
        .await
    }
}

/// Sends the request body on `stream` as the upstream's window allows: the collected body,
/// or the client's as it arrives. A client body that fails resets the stream; an upstream
/// that stops taking it (a reset, the stream closed, no window within `timeout`) ends the
/// sending quietly: the response says what happened.
async fn send_body(
    shard: &Shard,
    mut stream: h2::SendStream<Bytes>,
    whole: Option<Bytes>,
    incoming: Option<Box<dyn IncomingBody>>,
    timeout: Duration,
) -> Result<(), BodyFault> {
    let slot = shard.deadlines.slot();
    let send = crate::h2pipe::send_data;
    match incoming {
        None => {
            send(&mut stream, &slot, timeout, whole.unwrap_or_default(), true).await;
            Ok(())
        }
        Some(mut incoming) => loop {
            match incoming.next().await {
                Some(Ok(piece)) => {
                    if !send(&mut stream, &slot, timeout, piece, false).await {
                        return Ok(());
                    }
                }
                Some(Err(fault)) => {
                    stream.send_reset(h2::Reason::CANCEL);
                    return Err(fault);
                }
                None => {
                    send(&mut stream, &slot, timeout, Bytes::new(), true).await;
                    return Ok(());
                }
            }
        },
    }
}

/// An HTTP/2 upstream's response body, then its trailers.
struct UpstreamH2Body {
    recv: h2::RecvStream,
    /// The stream counted on its connection until the body is done with.
    _held: StreamHeld,
    /// The request body, still being sent (a bidirectional call).
    pump: Pump,
    trailers: Option<Fields>,
    aborted: bool,
    done: bool,
    timeout: Duration,
    shard: Rc<Shard>,
}

impl UpstreamH2Body {
    async fn next_piece(&mut self) -> Option<Bytes> {
        while !self.done {
            let recv = &mut self.recv;
            let data = std::future::poll_fn(|cx| recv.poll_data(cx));
            match rt::timeout(self.timeout, self.pump.beside(data)).await {
                Ok(Some(Ok(data))) => {
                    // Taken by the client's side: the upstream may send as much again.
                    let _ = self.recv.flow_control().release_capacity(data.len());
                    if !data.is_empty() {
                        return Some(data);
                    }
                }
                Ok(None) => {
                    let recv = &mut self.recv;
                    let trailers = std::future::poll_fn(|cx| recv.poll_trailers(cx));
                    match rt::timeout(self.timeout, self.pump.beside(trailers)).await {
                        Ok(Ok(trailers)) => {
                            self.trailers = trailers.as_ref().map(response_fields);
                            self.done = true;
                            // The upstream has answered in full: what is left of the
                            // request is not wanted (the stream's sending half is reset).
                            self.pump.body = None;
                        }
                        Ok(Err(_)) | Err(_) => self.abort(),
                    }
                }
                Ok(Some(Err(_))) | Err(_) => self.abort(),
            }
        }
        None
    }

    fn abort(&mut self) {
        self.shard.metrics.borrow_mut().proxy_bodies_cut += 1;
        self.done = true;
        self.aborted = true;
        self.pump.body = None;
    }
}

impl BodyStream for UpstreamH2Body {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>> {
        Box::pin(self.next_piece())
    }

    fn aborted(&self) -> bool {
        self.aborted
    }

    fn trailers(&mut self) -> Option<Fields> {
        self.trailers.take()
    }
}
