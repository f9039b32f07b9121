//! `[waf] crs` and `rules` on one shard: every request a site answers goes through the
//! rule set once its body is in (the route asks the driver for the body whenever rules are
//! loaded), before any handler sees it; the handler's answer goes through the response
//! phases before a byte of it is sent. The transaction is kept on the route, so a request
//! answered later (`Outcome::Later`) is not inspected twice.
//!
//! The phases, as ModSecurity and Coraza run them:
//! - 1 and 2 on the request ([`Service::inspect`]); a refusal there is the response;
//! - 3 on the response head: status, fields, `content-length` when the length is known;
//! - 4 on the response body, when `SecResponseBodyAccess` is on and the media type is one
//!   `SecResponseBodyMimeType` lists: the first `SecResponseBodyLimit` bytes are held until
//!   the rules have read them (a file is read for them and sent from the file as before; a
//!   stream's first pieces are put back in front of the rest). Phase 4's rules that do not
//!   read the body run for every response;
//! - 5 (logging) last, for every transaction, refused or not.
//!
//! A refusal in phase 3 or 4 replaces the handler's answer. Every refusal gets its
//! transaction id in `bext-request-id` and in the one log line that names the rules, so an
//! operator can find why from what the client shows. With `expose_matches` (tests and
//! tuning) every response carries the matched rule ids and its transaction id.
//!
//! With `[waf] memo` (on by default) each shard keeps the outcomes of bodiless requests
//! that repeat, and the response phases' after them (`secrule::memo`): a request that is
//! byte for byte one seen before, from the same address, takes the kept verdict.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use bytes::{Bytes, BytesMut};

use bext_core::config::WafRules;
use bext_core::limits::WAF_LOG_DATA_CHARS_MAX;
use bext_core::waf::secrule::{self, Exchange, Memo, ResponseHead, RuleSet, Verdict};
use bext_net::fields::Field;

use super::response::{Body, BodyStream, FileBody};
use super::route::{Handler, Route};
use super::{Request, Response, Service};

/// The response field that carries the matched rule ids when `expose_matches` is on.
pub(crate) const MATCHES_FIELD: &str = "bext-waf-rules";
/// The response field that carries a refused request's transaction id.
pub(crate) const REQUEST_ID_FIELD: &str = "bext-request-id";

/// A site's rule set on one shard, and the shard's memo of its transactions.
pub(crate) struct ShardRules {
    pub set: RuleSet,
    memo: Option<Rc<RefCell<Memo>>>,
}

impl ShardRules {
    pub fn new(set: RuleSet, memo: bool) -> ShardRules {
        ShardRules {
            set,
            memo: memo.then(|| Rc::new(RefCell::new(Memo::new()))),
        }
    }
}

/// One request's transaction with the rules.
pub(crate) struct Inspection {
    /// The transaction id (`UNIQUE_ID`), `shard-sequence`.
    pub id: String,
    /// The rule set that began the transaction: the response phases run the same one.
    rules: Rc<ShardRules>,
    tx: RefCell<Exchange>,
    expose: bool,
    /// The response phases ran (or the refusal was concluded): once per request.
    concluded: Cell<bool>,
}

thread_local! {
    /// The shard's transaction counter, for ids unique in the process (with the shard).
    static SEQUENCE: Cell<u64> = const { Cell::new(0) };
}

impl Route {
    /// Whether the rules inspect this route's request: every site request, not bext's own
    /// endpoints, ACME challenges or requests `[waf]` already refused.
    pub fn inspects(&self) -> bool {
        self.state.rules[self.site].is_some()
            && matches!(
                self.handler,
                Handler::Static
                    | Handler::App
                    | Handler::HttpsRedirect
                    | Handler::Proxy(_)
                    | Handler::FastCgi
            )
    }
}

impl Service {
    /// Phases 1 and 2 on `request`, once per route.
    pub(super) fn inspect(&self, route: &Route, request: &Request<'_>) -> Option<Rc<Inspection>> {
        if !route.inspects() {
            return None;
        }
        if let Some(done) = route.inspection.borrow().as_ref() {
            return Some(done.clone());
        }
        let snapshot = &route.state.snapshot;
        let rules = route.state.rules[route.site].clone()?;
        let settings: Option<&WafRules> = snapshot.config.waf.rules.as_ref();
        let sequence = SEQUENCE.with(|s| {
            let next = s.get().wrapping_add(1);
            s.set(next);
            next
        });
        let id = format!("{}-{sequence}", self.shard.id);
        let mut headers = Vec::new();
        request
            .fields
            .for_each(|name, value| headers.push((name, value)));
        let view = secrule::Request {
            method: request.method_bytes,
            target: request.sent_target,
            protocol: request.version.as_str(),
            headers: &headers,
            body: request.body.filter(|b| !b.is_empty()),
            peer: request.peer,
            unique_id: &id,
        };
        let tx = rules.set.begin_with(rules.memo.as_ref(), &view);
        {
            let mut metrics = self.shard.metrics.borrow_mut();
            metrics.waf_rules_inspected += 1;
            metrics.waf_rules_memo_hits += u64::from(tx.request_was_kept());
        }
        let inspection = Rc::new(Inspection {
            id,
            rules,
            tx: RefCell::new(tx),
            expose: settings.is_some_and(|s| s.expose_matches),
            concluded: Cell::new(false),
        });
        *route.inspection.borrow_mut() = Some(inspection.clone());
        Some(inspection)
    }
}

impl Inspection {
    /// The answer to a request phases 1 and 2 refused.
    pub fn refusal(&self) -> Option<Response> {
        let interruption = self.tx.borrow().verdict().interruption?;
        Some(self.refused(interruption.status))
    }

    fn refused(&self, status: u16) -> Response {
        Response::error(status).with(Field::with_value(
            REQUEST_ID_FIELD,
            Bytes::from(self.id.clone()),
        ))
    }

    /// Whether phase 4 wants a body it has to wait for (a file to read, a stream to
    /// collect): the synchronous path then leaves the request to the asynchronous one.
    pub fn awaits_body(&self, response: &Response) -> bool {
        matches!(response.body, Body::File(_) | Body::Stream(_))
            && !self.concluded.get()
            && self.tx.borrow().verdict().interruption.is_none()
            && content_type(response).is_some_and(|t| self.rules.set.response_body.inspects(t))
    }

    /// The response phases on `response`, with its body in memory (or none phase 4 reads):
    /// the answer to send, the handler's or a refusal.
    pub fn conclude(
        &self,
        service: &Service,
        request: &Request<'_>,
        response: Response,
    ) -> Response {
        if self.concluded.replace(true) {
            return self.exposed(response);
        }
        let response = self.check_head(request, response);
        let response = match &response.body {
            Body::Bytes(bytes) => {
                let bytes = bytes.clone();
                self.check_body(response, &bytes)
            }
            _ => response,
        };
        self.finish(service, request, response)
    }

    /// [`conclude`](Self::conclude) for any body: a file's first bytes are read, a
    /// stream's first pieces collected (until they reach the limit or the stream ends, a
    /// wait bounded by the handler's own deadlines: a render's timeout).
    pub async fn conclude_async(
        &self,
        service: &Service,
        request: &Request<'_>,
        response: Response,
    ) -> Response {
        if !self.awaits_body(&response) {
            return self.conclude(service, request, response);
        }
        self.concluded.set(true);
        let mut response = self.check_head(request, response);
        let wanted = self.tx.borrow().response_body_wanted(&self.rules.set);
        if let Some(limit) = wanted {
            let body = std::mem::replace(&mut response.body, Body::Empty);
            let (prefix, body) = read_prefix(body, limit).await;
            response.body = body;
            response = match prefix {
                Ok(prefix) => self.check_body(response, &prefix),
                // The body cannot be read: it cannot be sent either.
                Err(()) => Response::error(500),
            };
        }
        self.finish(service, request, response)
    }

    /// Phase 3: the answer, or the refusal phase 3 made of it.
    fn check_head(&self, request: &Request<'_>, response: Response) -> Response {
        let length = response
            .body
            .len()
            .filter(|_| !matches!(response.status, 204 | 304))
            .map(|n| n.to_string());
        {
            let mut headers: Vec<(&[u8], &[u8])> = Vec::new();
            if let Some(shared) = &response.shared {
                headers.extend(shared.fields().iter().map(|f| (f.name(), f.value())));
            }
            headers.extend(response.fields.iter().map(|f| (f.name(), f.value())));
            if let Some(length) = &length {
                headers.push((b"content-length", length.as_bytes()));
            }
            let head = ResponseHead {
                status: response.status,
                protocol: request.version.as_str(),
                headers: &headers,
            };
            self.tx
                .borrow_mut()
                .check_response_head(&self.rules.set, &head);
        }
        self.refusal_after_handler().unwrap_or(response)
    }

    /// Phase 4 over the body's first bytes, if it reads this body.
    fn check_body(&self, response: Response, body: &[u8]) -> Response {
        let mut tx = self.tx.borrow_mut();
        let Some(limit) = tx.response_body_wanted(&self.rules.set) else {
            return response;
        };
        let truncated = body.len() > limit;
        tx.check_response_body(&self.rules.set, &body[..body.len().min(limit)], truncated);
        drop(tx);
        self.refusal_after_handler().unwrap_or(response)
    }

    /// A refusal phase 3 or 4 made.
    fn refusal_after_handler(&self) -> Option<Response> {
        let interruption = self.tx.borrow().verdict().interruption?;
        (interruption.phase >= 3).then(|| self.refused(interruption.status))
    }

    /// The rest of phase 4 and phase 5; counts, logs and exposes the verdict.
    fn finish(&self, service: &Service, request: &Request<'_>, response: Response) -> Response {
        let mut tx = self.tx.borrow_mut();
        let verdict = tx.finish(&self.rules.set);
        {
            let mut metrics = service.shard.metrics.borrow_mut();
            metrics.waf_rules_matched += u64::from(!verdict.matches.is_empty());
            metrics.waf_rules_refused += u64::from(verdict.interruption.is_some());
            metrics.waf_rules_body_errors += u64::from(verdict.body_error.is_some());
        }
        if !verdict.matches.is_empty() {
            log_matches(&self.id, request, verdict);
        }
        drop(tx);
        self.exposed(response)
    }

    /// Adds the matched ids and the transaction id when `expose_matches` is on.
    fn exposed(&self, mut response: Response) -> Response {
        if !self.expose {
            return response;
        }
        if !response.fields.iter().any(|f| f.is(REQUEST_ID_FIELD)) {
            response = response.with(Field::with_value(
                REQUEST_ID_FIELD,
                Bytes::from(self.id.clone()),
            ));
        }
        let tx = self.tx.borrow();
        let matches = &tx.verdict().matches;
        if matches.is_empty() {
            return response;
        }
        let mut ids = String::new();
        for (i, matched) in matches.iter().enumerate() {
            if i > 0 {
                ids.push(',');
            }
            let _ = write!(ids, "{}", matched.id);
        }
        response.with(Field::with_value(MATCHES_FIELD, Bytes::from(ids)))
    }
}

/// The response's `content-type`, its own field before a shared one.
fn content_type(response: &Response) -> Option<&[u8]> {
    response
        .fields
        .iter()
        .find(|f| f.is("content-type"))
        .map(Field::value)
        .or_else(|| response.shared.as_ref()?.get("content-type"))
}

/// Up to `limit + 1` bytes from the front of `body` (one past the limit says the body is
/// longer), and the body to send: the same file, or the stream with what was taken put back
/// in front. A stream read to its end becomes bytes, unless it was cut off: then it stays a
/// stream that says so, so the cut is never framed as a whole body.
pub(super) async fn read_prefix(body: Body, limit: usize) -> (Result<Bytes, ()>, Body) {
    let want = limit.saturating_add(1);
    match body {
        Body::Empty => (Ok(Bytes::new()), Body::Empty),
        Body::Upgraded(upgraded) => (Ok(Bytes::new()), Body::Upgraded(upgraded)),
        Body::Bytes(bytes) => (Ok(bytes.clone()), Body::Bytes(bytes)),
        Body::File(file) => {
            let prefix = read_file_prefix(&file, want).await;
            (prefix, Body::File(file))
        }
        Body::Stream(mut stream) => {
            let mut taken = BytesMut::new();
            let mut ended = false;
            while taken.len() < want {
                match stream.next().await {
                    Some(piece) => taken.extend_from_slice(&piece),
                    None => {
                        ended = true;
                        break;
                    }
                }
            }
            let taken = taken.freeze();
            let body = if ended && !stream.aborted() {
                Body::Bytes(taken.clone())
            } else {
                Body::Stream(Box::new(Replayed {
                    first: Some(taken.clone()),
                    rest: stream,
                }))
            };
            (Ok(taken), body)
        }
    }
}

/// Up to `want` bytes from the start of a file body's range.
async fn read_file_prefix(file: &FileBody, want: usize) -> Result<Bytes, ()> {
    let size = usize::try_from(file.len).map_or(want, |len| len.min(want));
    let mut buf = Vec::with_capacity(size);
    while buf.len() < size {
        let offset = file.offset + buf.len() as u64;
        let (result, back) = file.file.read_at(buf, offset).await;
        buf = back;
        match result {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => return Err(()),
        }
    }
    Ok(Bytes::from(buf))
}

/// A stream whose first pieces phase 4 read, given back in front of the rest.
struct Replayed {
    first: Option<Bytes>,
    rest: Box<dyn BodyStream>,
}

impl BodyStream for Replayed {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>> {
        match self.first.take() {
            Some(first) if !first.is_empty() => Box::pin(async move { Some(first) }),
            _ => self.rest.next(),
        }
    }

    fn aborted(&self) -> bool {
        self.rest.aborted()
    }

    fn trailers(&mut self) -> Option<bext_net::fields::Fields> {
        self.rest.trailers()
    }

    // The pieces read ahead are the rest's first ones: the whole is as long as it is.
    fn len(&self) -> Option<u64> {
        self.rest.len()
    }
}

/// One line per request that matched: its id, the request, each rule as ModSecurity logs
/// it (`[id "…"] [msg "…"] [data "…"]`, so tools that read ModSecurity's logs read these),
/// and the rule that refused it.
fn log_matches(id: &str, request: &Request<'_>, verdict: &Verdict) {
    let mut line = format!(
        "bext: waf: request {id} from {}: {} {}:",
        request.peer.ip(),
        String::from_utf8_lossy(request.method_bytes),
        String::from_utf8_lossy(request.target).escape_debug(),
    );
    for matched in &verdict.matches {
        let _ = write!(
            line,
            " [id \"{}\"] [msg \"{}\"]",
            matched.id,
            matched.msg.escape_debug()
        );
        if !matched.data.is_empty() {
            let data: String = matched.data.chars().take(WAF_LOG_DATA_CHARS_MAX).collect();
            let _ = write!(line, " [data \"{}\"]", data.escape_debug());
        }
        if let Some(severity) = matched.severity {
            let _ = write!(line, " [severity \"{severity}\"]");
        }
        line.push(';');
    }
    if let Some(interruption) = verdict.interruption {
        let _ = write!(
            line,
            " refused {} by rule {} in phase {}",
            interruption.status, interruption.rule_id, interruption.phase
        );
    }
    if let Some(error) = &verdict.body_error {
        let _ = write!(line, " body error: {}", error.escape_debug());
    }
    eprintln!("{line}");
}
