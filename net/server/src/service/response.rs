//! What handlers answer, without any framing: a status, fields, a body.
//!
//! The driver turns a [`Response`] into its protocol: it adds `date`, `server` and the framing
//! fields, drops the body of a HEAD, leaves it out for 304 and 204, and chooses between a
//! length, chunks or the end of the connection for a body whose length is unknown. Handlers
//! never write `content-length`, `connection` or `transfer-encoding`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;

use bext_net::fields::{Field, FieldBlock, Fields};
use bext_shards::rt;

/// A handler's answer.
pub(crate) struct Response {
    pub status: u16,
    /// Fields shared with a cache entry (a static file's variant, an ISR page), with their
    /// HTTP/1.1 encoding made once.
    pub shared: Option<Arc<FieldBlock>>,
    /// Fields of this response only, after the shared ones.
    pub fields: Fields,
    pub body: Body,
    /// End the connection after this response (an event stream that ends with it).
    pub close: bool,
}

/// A response body.
pub(crate) enum Body {
    Empty,
    /// Bytes in memory, often shared with a cache entry.
    Bytes(Bytes),
    /// A range of an open file, read as it is sent.
    File(FileBody),
    /// Pieces produced over time, whose end is known only when it comes.
    Stream(Box<dyn BodyStream>),
    /// The client's connection switches protocols: after a `101` to an HTTP/1.1 upgrade, or
    /// a `2xx` to an HTTP/2 extended CONNECT (RFC 8441), its bytes (the stream's DATA) are
    /// the new protocol's, both ways.
    Upgraded(Box<Upgraded>),
}

/// What an upgraded connection (or stream) becomes.
pub(crate) enum Upgraded {
    /// A byte tunnel to an upstream that switched protocols.
    Tunnel(Tunnel),
    /// A realtime subscriber over WebSocket (`/__bext/realtime/ws`).
    Realtime(Box<super::realtime::Socket>),
}

/// The upstream side of a tunnel.
pub(crate) struct Tunnel {
    pub upstream: TunnelEnd,
    /// Bytes the upstream sent after its 101 head, for the client first.
    pub pending: Vec<u8>,
    /// The longest silence in both directions before the tunnel closes.
    pub idle: std::time::Duration,
}

/// The upstream's end of a tunnel.
pub(crate) enum TunnelEnd {
    /// An HTTP/1.1 connection that switched protocols (`101`).
    Conn(crate::upstream::UpstreamConn),
    /// A stream of an HTTP/2 connection that an extended CONNECT made the tunnel (RFC 8441),
    /// with the hold on the connection's stream count.
    H2 {
        send: h2::SendStream<bytes::Bytes>,
        recv: h2::RecvStream,
        held: crate::upstream::h2::StreamHeld,
    },
}

/// `len` bytes of `file` from `offset`.
pub(crate) struct FileBody {
    pub file: rt::File,
    pub offset: u64,
    pub len: u64,
}

/// A body produced piece by piece (Server-Sent Events, a streamed page, a proxied body).
/// `None` ends it.
pub(crate) trait BodyStream {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>>;

    /// Asked once `next` said `None`: the body broke off before its end (an upstream that
    /// reset mid-body), so the driver must not frame it as complete: HTTP/1.1 closes the
    /// connection without the last chunk, HTTP/2 and HTTP/3 reset the stream.
    fn aborted(&self) -> bool {
        false
    }

    /// The body's length, when it is known before it is sent (a proxied body whose upstream
    /// declared it): HTTP/1.1 sends it as `Content-Length` instead of chunking the body,
    /// HTTP/2 and HTTP/3 as `content-length`. A stream that has one gives exactly that many
    /// bytes, or is [`BodyStream::aborted`] (HTTP/1.1 then closes the connection short of
    /// it); only the answer to a HEAD request gives none, since no body is sent for it.
    fn len(&self) -> Option<u64> {
        None
    }

    /// Asked once `next` said `None` and the body was not [`BodyStream::aborted`]: the
    /// fields that follow the body (an HTTP/2 upstream's trailers, where gRPC puts its
    /// status). HTTP/2 sends them as the stream's trailer section; HTTP/1.1 and HTTP/3 leave
    /// them out.
    fn trailers(&mut self) -> Option<Fields> {
        None
    }
}

impl Body {
    /// The length, if known before sending.
    pub fn len(&self) -> Option<u64> {
        match self {
            Body::Empty => Some(0),
            Body::Bytes(bytes) => Some(bytes.len() as u64),
            Body::File(file) => Some(file.len),
            Body::Stream(stream) => stream.len(),
            Body::Upgraded(_) => Some(0),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(bytes) => write!(f, "Bytes({})", bytes.len()),
            Body::File(file) => write!(f, "File({}+{})", file.offset, file.len),
            Body::Stream(_) => f.write_str("Stream"),
            Body::Upgraded(_) => f.write_str("Upgraded"),
        }
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("shared", &self.shared)
            .field("fields", &self.fields)
            .field("body", &self.body)
            .field("close", &self.close)
            .finish()
    }
}

impl Response {
    /// A response with no fields and no body.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            shared: None,
            fields: Fields::new(),
            body: Body::Empty,
            close: false,
        }
    }

    /// A response whose body is `body`, of type `content_type`.
    pub fn bytes(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Response {
        Response::new(status)
            .with(Field::from_static("content-type", content_type))
            .with_body(Body::Bytes(body.into()))
    }

    /// bext's small HTML page for an error status (the same page the codec answers refusals
    /// with).
    pub fn error(status: u16) -> Response {
        Response::bytes(
            status,
            "text/html; charset=utf-8",
            bext_net::h1::error_page(status),
        )
    }

    pub fn with(mut self, field: Field) -> Response {
        self.fields.push(field);
        self
    }

    pub fn with_body(mut self, body: Body) -> Response {
        self.body = body;
        self
    }
}

/// What the synchronous fast path says. Returned by value on every cache hit: boxing the
/// response would cost the allocation the fast path exists to avoid.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outcome {
    /// Answered at once (a cache hit, a redirect, a refusal).
    Ready(Response),
    /// Needs the disk, an engine or another shard: answer with `Service::answer`.
    Later,
}
