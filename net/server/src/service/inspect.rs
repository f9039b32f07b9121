//! `[waf] crs` and `rules` on one shard: every request a site answers goes through the
//! rule set once its body is in (the route asks the driver for the body whenever rules are
//! loaded), before any handler sees it. The verdict is kept on the route, so a request
//! answered later (`Outcome::Later`) is not inspected twice.
//!
//! A refused request gets 403 with its transaction id in `bext-request-id` and in the log
//! line that names the rules, so an operator can find why from what the client shows. With
//! `expose_matches` (tests and tuning) every response carries the matched rule ids.

use std::cell::Cell;
use std::fmt::Write as _;
use std::rc::Rc;

use bytes::Bytes;

use bext_core::config::WafRules;
use bext_core::limits::WAF_LOG_DATA_CHARS_MAX;
use bext_core::waf::secrule::{self, Verdict};
use bext_net::fields::Field;

use super::route::{Handler, Route};
use super::{Request, Response, Service};

/// The response field that carries the matched rule ids when `expose_matches` is on.
pub(crate) const MATCHES_FIELD: &str = "bext-waf-rules";
/// The response field that carries a refused request's transaction id.
pub(crate) const REQUEST_ID_FIELD: &str = "bext-request-id";

/// What the rules said of one request.
pub(crate) struct Inspection {
    /// The transaction id (`UNIQUE_ID`), `shard-sequence`.
    pub id: String,
    pub verdict: Verdict,
    pub expose: bool,
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
                Handler::Static | Handler::App | Handler::HttpsRedirect
            )
    }
}

impl Service {
    /// The rules' verdict on `request`, made once per route.
    pub(super) fn inspect(&self, route: &Route, request: &Request<'_>) -> Option<Rc<Inspection>> {
        if !route.inspects() {
            return None;
        }
        if let Some(done) = route.inspection.borrow().as_ref() {
            return Some(done.clone());
        }
        let snapshot = &route.state.snapshot;
        let rules = route.state.rules[route.site].as_ref()?;
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
            target: request.target,
            protocol: request.version.as_str(),
            headers: &headers,
            body: request.body.filter(|b| !b.is_empty()),
            peer: request.peer,
            unique_id: &id,
        };
        let verdict = rules.check_request(&view);
        {
            let mut metrics = self.shard.metrics.borrow_mut();
            metrics.waf_rules_inspected += 1;
            metrics.waf_rules_matched += u64::from(!verdict.matches.is_empty());
            metrics.waf_rules_refused += u64::from(verdict.interruption.is_some());
            metrics.waf_rules_body_errors += u64::from(verdict.body_error.is_some());
        }
        if !verdict.matches.is_empty() {
            log_matches(&id, request, &verdict);
        }
        let inspection = Rc::new(Inspection {
            id,
            verdict,
            expose: settings.is_some_and(|s| s.expose_matches),
        });
        *route.inspection.borrow_mut() = Some(inspection.clone());
        Some(inspection)
    }
}

impl Inspection {
    /// The answer to a request the rules refused.
    pub fn refusal(&self) -> Option<Response> {
        let interruption = self.verdict.interruption?;
        let response = Response::error(interruption.status).with(Field::with_value(
            REQUEST_ID_FIELD,
            Bytes::from(self.id.clone()),
        ));
        Some(self.exposed(response))
    }

    /// Adds the matched ids when `expose_matches` is on.
    pub fn exposed(&self, response: Response) -> Response {
        if !self.expose || self.verdict.matches.is_empty() {
            return response;
        }
        let mut ids = String::new();
        for (i, matched) in self.verdict.matches.iter().enumerate() {
            if i > 0 {
                ids.push(',');
            }
            let _ = write!(ids, "{}", matched.id);
        }
        response.with(Field::with_value(MATCHES_FIELD, Bytes::from(ids)))
    }
}

/// One line per request that matched: its id, the request, each rule with its message and
/// data, and the rule that refused it.
fn log_matches(id: &str, request: &Request<'_>, verdict: &Verdict) {
    let mut line = format!(
        "bext: waf: request {id} from {}: {} {}:",
        request.peer.ip(),
        String::from_utf8_lossy(request.method_bytes),
        String::from_utf8_lossy(request.target).escape_debug(),
    );
    for matched in &verdict.matches {
        let _ = write!(line, " [id {}] {}", matched.id, matched.msg.escape_debug());
        if !matched.data.is_empty() {
            let data: String = matched.data.chars().take(WAF_LOG_DATA_CHARS_MAX).collect();
            let _ = write!(line, " ({})", data.escape_debug());
        }
        line.push(';');
    }
    if let Some(interruption) = verdict.interruption {
        let _ = write!(
            line,
            " refused {} by rule {}",
            interruption.status, interruption.rule_id
        );
    }
    if let Some(error) = &verdict.body_error {
        let _ = write!(line, " body error: {}", error.escape_debug());
    }
    eprintln!("{line}");
}
