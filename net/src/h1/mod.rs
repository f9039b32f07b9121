//! HTTP/1.1 as bytes in, decisions and bytes out: the sans-I/O codec.
//!
//! # Design
//!
//! - **Sans-I/O.** Nothing here touches a socket, a timer or the clock. [`parse_request`] and
//!   [`BodyDecoder`] take the bytes a connection has read; the response writers append to the
//!   `Vec<u8>` it will write; the date line is formatted from a time the runtime passes in
//!   ([`DateCache::update`]). The connection driver owns all I/O and all waiting, so every rule
//!   here is tested by feeding byte literals, and fuzzed.
//! - **Borrowed heads.** A [`Request`] is a view into the read buffer: method, path, query, host
//!   and field values are slices of it, and the field index lives in a [`HeaderStore`] on the
//!   stack that is never zeroed. Parsing a head allocates nothing and copies nothing. The price
//!   is a lifetime: the read buffer cannot move until the request is dropped.
//! - **One pass.** httparse (SIMD on x86_64) finds the lines; then one walk over the fields
//!   reads the five that decide framing and connection handling (Host, Content-Length,
//!   Transfer-Encoding, Connection, Expect), dispatching on name length before comparing.
//! - **Limits become statuses.** Every unbounded part of HTTP/1.1 has a bound from
//!   [`Limits`] (defaults in `bext_core::limits`) or a named constant, and hitting it is a
//!   status, not a crash or an allocation: request line → 414, head size or field count → 431,
//!   body → 413, chunk framing → 400. Limits are enforced on partial input as well, so a slow
//!   client cannot make the server hold more than `header_bytes_max` bytes waiting for a head.
//! - **Strict where framing is at stake.** RFC 9112 often lets a recipient either repair or
//!   refuse a dubious message. Wherever the choice changes where a message ends (Content-Length
//!   with Transfer-Encoding, disagreeing lengths, a final coding other than chunked, obs-fold,
//!   bare CR, more than one Host), this codec refuses. Two parsers that frame one byte stream
//!   differently are how request smuggling and cache poisoning work, and bext cannot know what
//!   sits in front of it. RFC 9112 §2.2 lets a recipient accept a bare LF as a line ending;
//!   bext does not: `X-Foo: a\nContent-Length: 5` inside a CRLF head is one field to a parser
//!   that splits on CRLF and two to one that splits on LF, which is how a header is smuggled
//!   past a front proxy. Leniency is kept only where it cannot change framing: empty lines
//!   (CRLF) before the request line, and a higher minor version (`HTTP/1.2`), read as 1.1 as
//!   RFC 9110 §2.5 says ([`rewrite_higher_minor_version`]). Chunked bodies must use CRLF.
//! - **Every error closes.** A [`RequestError`] or [`BodyError`] means the rest of the stream
//!   cannot be framed: answer with its status (see [`write_error_response`]) and close.

mod body;
mod chunked;
mod conn;
mod date;
mod fields;
mod request;
mod request_error;
mod response;
mod status;
mod target;

#[doc(hidden)]
pub mod fuzz_support;

pub use body::{BodyDecoder, BodyError, Decoded};
pub use chunked::{CHUNK_EXTENSIONS_BYTES_MAX, CHUNK_SIZE_DIGITS_MAX, TRAILER_BYTES_MAX};
pub use conn::{
    BodyPlan, BodySize, Conn, ConnConfig, Expiry, ResponseHead, Step, write_chunk, write_field,
    write_last_chunk, write_last_chunk_with,
};
pub use date::DateCache;
pub use request::{
    BodyKind, HeaderStore, Limits, Method, Parsed, Request, Version, parse_request,
    rewrite_higher_minor_version,
};
pub use request_error::RequestError;
pub use response::{
    CONTINUE_100, error_page, write_content_length, write_error_response, write_header,
    write_status_line,
};
