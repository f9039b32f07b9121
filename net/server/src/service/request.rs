//! The request every handler sees, whatever protocol brought it.
//!
//! [`Request`] is a view: its slices point into bytes the driver holds (the connection's read
//! buffer for a request answered at once, or an [`OwnedRequest`] for one answered later). The
//! fields handlers read on every request (`accept-encoding`, the conditional and range
//! fields, `referer` and `user-agent` for the log) are found in one pass when the view is
//! made; anything else is looked up in [`Request::fields`].

use std::net::SocketAddr;
use std::rc::Rc;

use bytes::Bytes;

use bext_core::static_files::Conditions;
use bext_net::{Method, Version, h1};

use super::incoming::{BodyCell, IncomingBody};

/// A request's header fields, in the form its protocol delivered them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FieldsView<'a> {
    /// HTTP/1.1 field lines as parsed, names as sent.
    H1(h1::Request<'a, 'a>),
    /// Name and value pairs (an owned request; HTTP/2 and HTTP/3 later).
    Pairs(&'a [(Bytes, Bytes)]),
}

impl<'a> FieldsView<'a> {
    /// The value of the first field named `name` (compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        match self {
            FieldsView::H1(head) => head.header(name),
            FieldsView::Pairs(pairs) => pairs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
                .map(|(_, v)| v.as_ref()),
        }
    }

    /// Every field in order, names as received.
    pub fn for_each(&self, mut visit: impl FnMut(&'a [u8], &'a [u8])) {
        match self {
            FieldsView::H1(head) => head.headers().for_each(|(n, v)| visit(n.as_bytes(), v)),
            FieldsView::Pairs(pairs) => pairs.iter().for_each(|(n, v)| visit(n, v)),
        }
    }
}

/// A request as handlers see it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Request<'a> {
    pub method: Method,
    /// The method as sent (for `Method::Other`, the log, and apps).
    pub method_bytes: &'a [u8],
    /// The target as sent, path and query (for the log and apps).
    pub target: &'a [u8],
    /// The request-target exactly as sent: an absolute form (`http://host/p?q`) stays whole
    /// (for the WAF's `REQUEST_LINE` and `REQUEST_URI_RAW`).
    pub sent_target: &'a [u8],
    /// The origin path, not percent-decoded.
    pub path: &'a [u8],
    pub query: Option<&'a [u8]>,
    pub host: Option<&'a [u8]>,
    pub version: Version,
    /// The protocol an extended CONNECT asks its stream to carry (HTTP/2's `:protocol`,
    /// RFC 8441: `websocket`); the stream is then the protocol's, both ways, once a `2xx`
    /// answers it.
    pub protocol: Option<&'a [u8]>,
    pub fields: FieldsView<'a>,
    pub peer: SocketAddr,
    /// The body, for requests whose handler collected it.
    pub body: Option<&'a [u8]>,
    /// The body as it arrives, for requests whose handler streams it
    /// ([`Request::take_incoming`]).
    incoming: Option<&'a BodyCell>,
    pub accept_encoding: Option<&'a [u8]>,
    pub conditions: Conditions<'a>,
    pub referer: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
    /// The whole head as received, when the protocol has one (HTTP/1.1): an owned copy is
    /// then one copy of it.
    raw: Option<&'a [u8]>,
}

impl<'a> Request<'a> {
    /// The same request for another target (an internal redirect), as a `GET` (a `HEAD`
    /// stays one) without a body: fields, peer and conditions kept, the head as received
    /// left behind, since it names the old target.
    pub fn redirected<'b>(
        &self,
        target: &'b [u8],
        path: &'b [u8],
        query: Option<&'b [u8]>,
    ) -> Request<'b>
    where
        'a: 'b,
    {
        let head = self.method == Method::Head;
        Request {
            method: if head { Method::Head } else { Method::Get },
            method_bytes: if head { b"HEAD" } else { b"GET" },
            target,
            sent_target: target,
            path,
            query,
            protocol: None,
            body: None,
            incoming: None,
            raw: None,
            ..*self
        }
    }

    /// The view of an HTTP/1.1 head; `raw` is the head's bytes (request line and fields).
    pub fn from_h1(head: &h1::Request<'a, 'a>, raw: &'a [u8], peer: SocketAddr) -> Request<'a> {
        // The target as sent: path and query are adjacent in the buffer.
        let base = raw.as_ptr() as usize;
        let start = (head.path.as_ptr() as usize).wrapping_sub(base);
        let end = head.query.map_or(start.wrapping_add(head.path.len()), |q| {
            (q.as_ptr() as usize).wrapping_sub(base) + q.len()
        });
        let target = raw.get(start..end).unwrap_or(head.path);
        Request::new(
            head.method,
            head.method_bytes(),
            target,
            head.target(),
            head.path,
            head.query,
            head.host,
            head.version.into(),
            FieldsView::H1(*head),
            peer,
            Some(raw),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn new(
        method: Method,
        method_bytes: &'a [u8],
        target: &'a [u8],
        sent_target: &'a [u8],
        path: &'a [u8],
        query: Option<&'a [u8]>,
        host: Option<&'a [u8]>,
        version: Version,
        fields: FieldsView<'a>,
        peer: SocketAddr,
        raw: Option<&'a [u8]>,
    ) -> Request<'a> {
        let mut request = Request {
            method,
            method_bytes,
            target,
            sent_target,
            path,
            query,
            host,
            version,
            protocol: None,
            fields,
            peer,
            body: None,
            incoming: None,
            accept_encoding: None,
            conditions: Conditions::default(),
            referer: None,
            user_agent: None,
            raw,
        };
        // One pass for every value the answer and the log may need (the first of each name
        // counts, as with `FieldsView::get`).
        let mut scan = Scan::default();
        fields.for_each(|name, value| scan.field(name, value));
        request.accept_encoding = scan.accept_encoding;
        request.conditions = scan.conditions;
        request.referer = scan.referer;
        request.user_agent = scan.user_agent;
        request
    }

    /// The body as it arrives, once: a handler whose route streams its body takes it here
    /// (a request with a collected body, or none, has none to take).
    pub fn take_incoming(&self) -> Option<Box<dyn IncomingBody>> {
        self.incoming.and_then(BodyCell::take)
    }

    /// A copy that owns its bytes, for answering after the read buffer has moved on (an
    /// incoming body is not copied: it stays with the driver's request).
    pub fn owned(&self) -> OwnedRequest {
        let copy = Copier::new(self.raw);
        let mut fields = Vec::new();
        self.fields
            .for_each(|name, value| fields.push((copy.bytes(name), copy.bytes(value))));
        OwnedRequest {
            method: self.method,
            method_bytes: copy.bytes(self.method_bytes),
            target: copy.bytes(self.target),
            sent_target: copy.bytes(self.sent_target),
            path: copy.bytes(self.path),
            query: self.query.map(|q| copy.bytes(q)),
            host: self.host.map(|h| copy.bytes(h)),
            version: self.version,
            protocol: self.protocol.map(Bytes::copy_from_slice),
            fields,
            peer: self.peer,
            body: self.body.map(Bytes::copy_from_slice),
            incoming: None,
        }
    }
}

#[derive(Default)]
struct Scan<'a> {
    accept_encoding: Option<&'a [u8]>,
    conditions: Conditions<'a>,
    referer: Option<&'a [u8]>,
    user_agent: Option<&'a [u8]>,
}

impl<'a> Scan<'a> {
    fn field(&mut self, name: &'a [u8], value: &'a [u8]) {
        let slot = match name.len() {
            5 if name.eq_ignore_ascii_case(b"range") => &mut self.conditions.range,
            7 if name.eq_ignore_ascii_case(b"referer") => &mut self.referer,
            8 if name.eq_ignore_ascii_case(b"if-range") => &mut self.conditions.if_range,
            10 if name.eq_ignore_ascii_case(b"user-agent") => &mut self.user_agent,
            13 if name.eq_ignore_ascii_case(b"if-none-match") => &mut self.conditions.if_none_match,
            15 if name.eq_ignore_ascii_case(b"accept-encoding") => &mut self.accept_encoding,
            17 if name.eq_ignore_ascii_case(b"if-modified-since") => {
                &mut self.conditions.if_modified_since
            }
            _ => return,
        };
        slot.get_or_insert(value);
    }
}

/// Copies the parts of a request: with the raw head at hand, the head is copied once and
/// every part becomes a slice of the copy (a reference count, no further copy).
struct Copier<'a> {
    raw: Option<(&'a [u8], Bytes)>,
}

impl<'a> Copier<'a> {
    fn new(raw: Option<&'a [u8]>) -> Copier<'a> {
        Copier {
            raw: raw.map(|raw| (raw, Bytes::copy_from_slice(raw))),
        }
    }

    fn bytes(&self, part: &[u8]) -> Bytes {
        if let Some((raw, copy)) = &self.raw {
            let offset = (part.as_ptr() as usize).wrapping_sub(raw.as_ptr() as usize);
            if offset <= raw.len() && part.len() <= raw.len() - offset {
                return copy.slice(offset..offset + part.len());
            }
        }
        // A part that is not inside the head (the "/" of an absolute-form target without a
        // path) is copied on its own.
        Bytes::copy_from_slice(part)
    }
}

/// A request that owns its bytes: kept while its body is read, and by answers that wait.
#[derive(Clone, Debug)]
pub(crate) struct OwnedRequest {
    pub method: Method,
    method_bytes: Bytes,
    target: Bytes,
    sent_target: Bytes,
    path: Bytes,
    query: Option<Bytes>,
    host: Option<Bytes>,
    version: Version,
    protocol: Option<Bytes>,
    fields: Vec<(Bytes, Bytes)>,
    peer: SocketAddr,
    body: Option<Bytes>,
    incoming: Option<Rc<BodyCell>>,
}

impl OwnedRequest {
    /// A request that arrived as name and value pairs (HTTP/2): `target` is `:path`, the host
    /// is `:authority` or else the `host` field, and a `host` field is added where only
    /// `:authority` was sent (handlers and apps read the host from the fields).
    pub fn from_pairs(
        method: &[u8],
        target: Bytes,
        authority: Option<Bytes>,
        mut fields: Vec<(Bytes, Bytes)>,
        version: Version,
        peer: SocketAddr,
    ) -> OwnedRequest {
        let (path, query) = match target.iter().position(|&b| b == b'?') {
            Some(at) => (target.slice(..at), Some(target.slice(at + 1..))),
            None => (target.clone(), None),
        };
        let host_field = fields
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(b"host"))
            .map(|(_, value)| value.clone());
        let host = match (authority, host_field) {
            (Some(authority), None) => {
                fields.insert(0, (Bytes::from_static(b"host"), authority.clone()));
                Some(authority)
            }
            (Some(authority), Some(_)) => Some(authority),
            (None, field) => field,
        };
        OwnedRequest {
            method: Method::from_bytes(method),
            method_bytes: Bytes::copy_from_slice(method),
            sent_target: target.clone(),
            target,
            path,
            query,
            host,
            version,
            protocol: None,
            fields,
            peer,
            body: None,
            incoming: None,
        }
    }

    /// The request is an extended CONNECT for `protocol` (see [`Request::protocol`]).
    pub fn set_protocol(&mut self, protocol: &[u8]) {
        self.protocol = Some(Bytes::copy_from_slice(protocol));
    }

    pub fn set_body(&mut self, body: Vec<u8>) {
        self.body = Some(Bytes::from(body));
    }

    /// The body arrives while the handler answers: it takes it from the view.
    pub fn set_incoming(&mut self, body: Box<dyn IncomingBody>) {
        self.incoming = Some(Rc::new(BodyCell::new(body)));
    }

    pub fn view(&self) -> Request<'_> {
        let mut request = Request::new(
            self.method,
            &self.method_bytes,
            &self.target,
            &self.sent_target,
            &self.path,
            self.query.as_deref(),
            self.host.as_deref(),
            self.version,
            FieldsView::Pairs(&self.fields),
            self.peer,
            None,
        );
        request.protocol = self.protocol.as_deref();
        request.body = self.body.as_deref();
        request.incoming = self.incoming.as_deref();
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owned_copy_shows_the_same_request() {
        let raw = b"GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: br\r\nIf-None-Match: \"e\"\r\nRange: bytes=0-1\r\nUser-Agent: t\r\n\r\n";
        let mut store = h1::HeaderStore::new();
        let Ok(h1::Parsed::Complete { head, head_len }) =
            h1::parse_request(raw, &mut store, &h1::Limits::default())
        else {
            panic!("parses");
        };
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let view = Request::from_h1(&head, &raw[..head_len], peer);
        let owned = view.owned();
        let again = owned.view();
        for request in [view, again] {
            assert_eq!(request.method, Method::Get);
            assert_eq!(request.target, b"/a/b?x=1");
            assert_eq!(request.path, b"/a/b");
            assert_eq!(request.query, Some(b"x=1".as_slice()));
            assert_eq!(request.host, Some(b"example.com".as_slice()));
            assert_eq!(request.accept_encoding, Some(b"br".as_slice()));
            assert_eq!(request.conditions.if_none_match, Some(b"\"e\"".as_slice()));
            assert_eq!(request.conditions.range, Some(b"bytes=0-1".as_slice()));
            assert_eq!(request.user_agent, Some(b"t".as_slice()));
            assert_eq!(request.fields.get("HOST"), Some(b"example.com".as_slice()));
            assert_eq!(request.version, Version::Http11);
        }
    }

    #[test]
    fn an_absolute_form_target_without_a_path_is_copied_too() {
        let raw = b"GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n";
        let mut store = h1::HeaderStore::new();
        let Ok(h1::Parsed::Complete { head, head_len }) =
            h1::parse_request(raw, &mut store, &h1::Limits::default())
        else {
            panic!("parses");
        };
        let view = Request::from_h1(&head, &raw[..head_len], "127.0.0.1:9".parse().unwrap());
        let owned = view.owned();
        assert_eq!(owned.view().path, b"/");
        assert_eq!(owned.view().target, view.target);
        // The WAF sees the target as it was sent.
        assert_eq!(view.sent_target, b"http://example.com");
        assert_eq!(owned.view().sent_target, b"http://example.com");
    }
}
