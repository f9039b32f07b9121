//! Which handler answers a request: decided once, from the snapshot the request pins.
//!
//! The site is chosen by Host; then `/__bext/…` paths go to the ops endpoints (for clients
//! `[server] ops_endpoints` lets in; for anyone else they are ordinary paths of the site), an
//! app site's requests go to the app (which tries `public/` itself where routes allow), and
//! everything else to the static files. The route also says whether its handler needs the
//! request body, which the driver must know before reading it: a handler that does not is
//! answered first, and the body dropped after.

use std::cell::RefCell;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::rc::Rc;

use bext_net::Method;

use bext_core::fastcgi::Script;
use bext_core::limits::{BODY_COLLECTED_BYTES_MAX, REALTIME_PUBLISH_BODY_BYTES_MAX};

use super::State;
use super::inspect::Inspection;
use super::request::Request;

/// `/__bext/`: bext's own endpoints.
pub(crate) const OPS_PREFIX: &[u8] = b"/__bext/";

/// The decision for one request. Holds the pinned state: the snapshot it was made under and
/// the caches and engines built for it.
pub(crate) struct Route {
    pub state: Rc<State>,
    pub site: usize,
    pub handler: Handler,
    /// The script a `Handler::FastCgi` route runs, decided with it.
    pub script: Option<Script>,
    /// The request came over TLS.
    pub secure: bool,
    /// What `[waf]`'s rules said, once asked ([`Service::inspect`](super::Service)).
    pub inspection: RefCell<Option<Rc<Inspection>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handler {
    Ops(Ops),
    App,
    Static,
    /// A plain-HTTP request to a site with `https_redirect`: 308 to the HTTPS URL.
    HttpsRedirect,
    /// An open ACME HTTP-01 token: its key authorization.
    AcmeChallenge,
    /// Refused by `[waf]` before routing: 403 for a denied or banned address, 429 (with the
    /// seconds to wait) for a client over its rate.
    Refused(Refusal),
    /// Forwarded to an upstream by the site's `[[site.proxy]]` route of this index.
    Proxy(usize),
    /// A script (or a directory's index script) run by the site's FastCGI server.
    FastCgi,
    /// A path of the site's `internal` patterns, which only an `X-Accel-Redirect` reaches:
    /// 404.
    Internal,
}

/// Why `[waf]` refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Denied,
    /// Banned for coming on while rate-limited (`ban_after`), here or on another shard.
    Banned,
    Limited {
        retry_after_secs: u64,
    },
}

/// bext's own endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ops {
    Health,
    /// `[realtime]`'s `/__bext/realtime/sse`: open to every client (tokens decide).
    RealtimeSse,
    /// `[realtime]`'s `/__bext/realtime/ws`: open to every client (tokens decide).
    RealtimeWs,
    /// `[realtime]`'s `/__bext/realtime/presence`: open to every client (tokens decide).
    RealtimePresence,
    /// `[realtime]`'s `/__bext/realtime/publish`: open to every client (its bearer token
    /// decides).
    RealtimePublish,
    Metrics,
    Invalidate,
    DevEvents,
    Unknown,
}

/// What the handler does with a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyUse {
    /// Needs all of it, up to this many bytes, before it can answer.
    Collect(u64),
    /// Reads it as it arrives while it answers (the proxy, FastCGI), up to this many bytes:
    /// the request carries it as an incoming body (`Request::take_incoming`).
    Stream(u64),
    /// Answers without it; bodies over this many bytes are refused (413) anyway.
    Ignore(u64),
}

impl Route {
    /// `secure`: the request came over TLS.
    pub fn decide(state: Rc<State>, request: &Request<'_>, secure: bool) -> Route {
        let snapshot = &state.snapshot;
        let site = snapshot.sites.select(request.host);
        let mut script = None;
        let handler = if let Some(ops) = ops_endpoint(&state, request) {
            Handler::Ops(ops)
        } else if !secure && snapshot.config.sites[site].https_redirect {
            Handler::HttpsRedirect
        } else if is_internal(&snapshot.site_runtime[site], request.path) {
            Handler::Internal
        } else if let Some(which) = snapshot.site_runtime[site]
            .proxy
            .iter()
            .position(|pattern| pattern.is_match(OsStr::from_bytes(request.path)))
        {
            Handler::Proxy(which)
        } else if snapshot.config.sites[site].fastcgi.is_some()
            && let Some(found) = super::fastcgi::script_for(&state, site, request)
        {
            script = Some(found);
            Handler::FastCgi
        } else if snapshot.site_runtime[site].app.is_some() {
            Handler::App
        } else {
            Handler::Static
        };
        Route {
            state,
            site,
            handler,
            script,
            secure,
            inspection: RefCell::new(None),
        }
    }

    pub fn body_use(&self) -> BodyUse {
        let max = self.state.snapshot.config.sites[self.site].body_bytes_max;
        let whole = max.min(BODY_COLLECTED_BYTES_MAX);
        if self.inspects() {
            // The rules look at the body before any handler answers.
            return BodyUse::Collect(whole);
        }
        match self.handler {
            Handler::Proxy(_) | Handler::FastCgi => BodyUse::Stream(max),
            Handler::App | Handler::Ops(Ops::Invalidate) => BodyUse::Collect(whole),
            Handler::Ops(Ops::RealtimePublish) => {
                BodyUse::Collect(whole.min(REALTIME_PUBLISH_BODY_BYTES_MAX))
            }
            Handler::Static
            | Handler::Ops(_)
            | Handler::HttpsRedirect
            | Handler::AcmeChallenge
            | Handler::Refused(_)
            | Handler::Internal => BodyUse::Ignore(max),
        }
    }
}

fn ops_endpoint(state: &State, request: &Request<'_>) -> Option<Ops> {
    let path = request.path;
    if !path.starts_with(OPS_PREFIX) {
        return None;
    }
    if state.snapshot.config.realtime.is_some() {
        match path {
            b"/__bext/realtime/sse" => return Some(Ops::RealtimeSse),
            b"/__bext/realtime/ws" => return Some(Ops::RealtimeWs),
            b"/__bext/realtime/presence" => return Some(Ops::RealtimePresence),
            b"/__bext/realtime/publish" => return Some(Ops::RealtimePublish),
            _ => {}
        }
    }
    // The dev reload stream answers whoever loaded the page: dev servers are local.
    if path == b"/__bext/dev/events" && state.snapshot.dev_mode() {
        return Some(Ops::DevEvents);
    }
    if !state
        .snapshot
        .config
        .server
        .ops_endpoints
        .allows(request.peer.ip())
    {
        return None;
    }
    Some(match path {
        b"/__bext/health" => Ops::Health,
        b"/__bext/metrics" => Ops::Metrics,
        b"/__bext/cache/invalidate" => Ops::Invalidate,
        _ => Ops::Unknown,
    })
}

/// GET or HEAD: the methods static files and cached pages answer.
pub(crate) fn is_read(method: Method) -> bool {
    matches!(method, Method::Get | Method::Head)
}

/// Whether `path` is one of the site's `internal` ones. Decided on the decoded, normalised
/// path the files are served by, so no escaping of a name (`/%70rotected/`) reaches an
/// internal file; a path that does not resolve is left to the handler, which refuses it.
fn is_internal(site: &crate::snapshot::SiteRuntime, path: &[u8]) -> bool {
    let Some(internal) = &site.internal else {
        return false;
    };
    match bext_core::static_files::resolve_path(path, true) {
        Ok(safe) => {
            let mut full = String::with_capacity(safe.rel.len() + 2);
            full.push('/');
            full.push_str(&safe.rel);
            if safe.trailing_slash && !safe.rel.is_empty() {
                full.push('/');
            }
            internal.is_match(&full)
        }
        Err(_) => false,
    }
}
