//! One transaction through a [`RuleSet`]: phase 1 on the request head, the body parsed by
//! the processor the content type (or a `ctl`) chose, phase 2 on everything; then, once the
//! handler has answered, phase 3 on the response head, phase 4 on as much of the response
//! body as `SecResponseBody*` asks for, and phase 5 (logging) last, whatever happened.
//!
//! A [`Transaction`] owns everything it has seen (no borrow of the request or the rule set),
//! so a server keeps it across the handler's await and hands it the same [`RuleSet`] again
//! for the response phases.
//!
//! ModSecurity's semantics, kept where CRS depends on them:
//! - a rule runs its operator over every value of its targets, each after the rule's
//!   transformations; for each value that matches, the captures (`TX:0`–`TX:9`) and
//!   `MATCHED_VAR`/`MATCHED_VAR_NAME` are set and the link's non-disruptive actions
//!   (`setvar`, `ctl`) run, so a chained link sees what its parent matched and stored;
//! - a chain matches when every link matches; the head's disruptive and flow actions
//!   (`skipAfter`) then apply and, if it logs, its id is recorded;
//! - in `DetectionOnly` nothing disrupts; `deny`/`drop`/`redirect` in `On` end the
//!   transaction with the rule's status (403 by default).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::net::SocketAddr;

use super::action::{AllowScope, Ctl, Disruptive, EngineMode, SetOp};
use super::body::{self, BodyLimits, Pairs};
use super::expand::{Lookup, Template};
use super::prefilter::{self, Prefilter, Slot};
use super::rule::{Entry, Rule, RuleSet};
use super::transform::{Transform, hex_value};
use super::variable::{Selector, Target, Variable};
use crate::limits::{
    WAF_BODY_ARGS_MAX, WAF_BODY_DEPTH_MAX, WAF_BODY_PARTS_MAX, WAF_CAPTURES_MAX,
    WAF_MATCHED_RULES_MAX, WAF_RX_SET_CACHE_ENTRIES_MAX, WAF_TRANSACTION_CACHE_ENTRIES_INITIAL,
    WAF_TRANSFORM_CACHE_ENTRIES_MAX,
};

/// The request as the engine sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a [u8],
    /// The request target as sent: origin form `/path?query`, or absolute form.
    pub target: &'a [u8],
    /// `HTTP/1.1`, `HTTP/2.0`, `HTTP/3.0`.
    pub protocol: &'a str,
    pub headers: &'a [(&'a [u8], &'a [u8])],
    /// The body, when the server collected one.
    pub body: Option<&'a [u8]>,
    pub peer: SocketAddr,
    /// The transaction's id, for `UNIQUE_ID`.
    pub unique_id: &'a str,
}

/// The response head as the engine sees it (phase 3).
#[derive(Debug, Clone, Copy)]
pub struct ResponseHead<'a> {
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2.0`, `HTTP/3.0`.
    pub protocol: &'a str,
    /// The handler's fields, `content-length` among them when the length is known.
    pub headers: &'a [(&'a [u8], &'a [u8])],
}

/// A rule that matched and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub id: u32,
    pub msg: String,
    pub data: String,
    pub severity: Option<u8>,
}

/// The transaction's end: what matched, and whether a rule stopped it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub matches: Vec<Match>,
    pub interruption: Option<Interruption>,
    /// The body did not parse (`REQBODY_ERROR`); the message, for the log.
    pub body_error: Option<String>,
}

/// A rule stopped the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interruption {
    /// The rule; 0 for `SecResponseBodyLimitAction Reject`.
    pub rule_id: u32,
    /// The phase that stopped it: 1 or 2 before the handler ran, 3 or 4 after.
    pub phase: u8,
    pub status: u16,
    /// `drop`: close the connection without an answer.
    pub drop: bool,
}

impl RuleSet {
    /// Runs phases 1 and 2 over `request`: the verdict on the request alone.
    pub fn check_request(&self, request: &Request<'_>) -> Verdict {
        self.begin(request).verdict
    }

    /// Starts a transaction with phases 1 and 2 over `request`; the response phases run
    /// on what it returns ([`Transaction::check_response_head`] and on).
    pub fn begin(&self, request: &Request<'_>) -> Transaction {
        let mut tx = Transaction::new(self, request);
        if self.engine == EngineMode::Off {
            return tx;
        }
        tx.run_phase(self, 1);
        if tx.stopped() {
            return tx;
        }
        tx.process_body(request.body);
        // The body's values are new, and the request's are where they were: phase 2 reuses
        // what phase 1 transformed (the same headers, by the same chains).
        tx.new_values(false);
        tx.run_phase(self, 2);
        tx
    }
}

/// One transaction's variables and state, from the request to the logging phase.
///
/// Its methods take the [`RuleSet`] that began it: the transaction holds rule indexes
/// into it, not a borrow, so it can outlive the request's buffers.
///
/// A clone is the same transaction at the same point (what [`memo`](super::memo) keeps),
/// with empty caches: they are filed by the addresses of the original's values.
#[derive(Clone)]
pub struct Transaction {
    /// The phase running now, or the last one run.
    phase: u8,
    /// `allow` ran: rules are skipped through this phase (2 for `allow:request`, 4 for
    /// `allow`); phase 5 always runs.
    allowed_through: u8,
    method: Vec<u8>,
    uri_raw: Vec<u8>,
    uri: Vec<u8>,
    filename: Vec<u8>,
    basename: Vec<u8>,
    query: Vec<u8>,
    protocol: Vec<u8>,
    request_line: Vec<u8>,
    headers: Pairs,
    cookies: Pairs,
    args_get: Pairs,
    args_post: Pairs,
    files: Vec<(Vec<u8>, Vec<u8>, u64)>,
    part_headers: Pairs,
    xml_texts: Vec<Vec<u8>>,
    xml_attributes: Vec<Vec<u8>>,
    body: Vec<u8>,
    body_length: usize,
    /// The processor the content type implies (as Coraza's recommended configuration
    /// picks it, from phase 1 on) or a `ctl` chose; `REQBODY_PROCESSOR`.
    body_processor: Option<String>,
    /// `ctl:forceRequestBodyVariable=On`: a body no processor claims is read as
    /// URLENCODED, so that `REQUEST_BODY` holds it (CRS 901340 asks for it).
    force_body_variable: bool,
    /// `REQUEST_BODY` is populated: only the URLENCODED processor (chosen or forced)
    /// fills it, as in ModSecurity v2 and Coraza; XML, JSON and multipart bodies are
    /// seen through their own collections.
    body_variable: bool,
    body_error: Option<String>,
    multipart_strict_error: bool,
    multipart_unmatched_boundary: bool,
    remote_addr: Vec<u8>,
    remote_port: Vec<u8>,
    server_name: Vec<u8>,
    unique_id: Vec<u8>,
    /// Which of the inputs a [`memo`](super::memo) key leaves out the rules have read so
    /// far ([`READ_REMOTE_ADDR`] and the rest).
    reads_outside_key: Cell<u8>,
    /// The links that read `REMOTE_ADDR` and did not match it, where that was all the
    /// address did (see [`Transaction::guard_remote_addr`]): by the index of their chain's
    /// head in the rule set and their place in the chain.
    address_guards: RefCell<Vec<(usize, u8)>>,
    /// The index in the rule set of the rule being evaluated.
    evaluating: usize,
    /// TX, by lower-case name. Most names and many values are the rules' own literals
    /// (CRS's setup sets a hundred of them per request): those are borrowed, not copied.
    tx: FxHashMap<TxName, TxValue>,
    matched_var: Vec<u8>,
    matched_var_name: String,
    matched_vars: Vec<(String, Vec<u8>)>,
    /// Where `setvar` values are expanded, kept between them.
    expand_buffer: Vec<u8>,
    /// Where operator arguments are expanded, kept from rule to rule.
    arg_buffer: RefCell<Vec<u8>>,
    /// The two buffers values are transformed in, kept from rule to rule.
    transform_buffers: RefCell<(Vec<u8>, Vec<u8>)>,
    /// The rule whose actions run now, for `%{rule.…}`.
    current_rule: u32,
    /// The variables that may have members in this phase ([`Self::present`]).
    present: u64,
    mode: EngineMode,
    removed_ids: Vec<(u32, u32)>,
    removed_tags: Vec<String>,
    removed_targets_by_id: Vec<((u32, u32), Target)>,
    removed_targets_by_tag: Vec<(String, Target)>,
    body_access: bool,
    response_status: Vec<u8>,
    response_protocol: Vec<u8>,
    response_headers: Pairs,
    response_body: Vec<u8>,
    /// Phase 3 ran: the response variables hold the handler's answer.
    responded: bool,
    verdict: Verdict,
    /// Request values already transformed, by (address, length, chain): see
    /// [`Selected::cache_key`].
    /// `None`: the chain leaves the value as it is.
    transformed: ByAddress<FxHashMap<CacheKey, Option<Box<[u8]>>>>,
    /// The prefilter's answers, by transformed value (its [`CacheKey`]) and set.
    prefiltered: ByAddress<FxHashMap<(CacheKey, u32), prefilter::Matched>>,
    /// By prefilter set, which of its patterns match some value of the set's variables
    /// this phase (`None`: not known); see [`Transaction::any_value_may_match`].
    set_unions: ByAddress<FxHashMap<u32, Option<Box<[bool]>>>>,
}

/// `REMOTE_ADDR` was read (a bit of [`Transaction::reads_outside_key`]).
pub(super) const READ_REMOTE_ADDR: u8 = 1;
/// `REMOTE_PORT` was read.
pub(super) const READ_REMOTE_PORT: u8 = 2;
/// `UNIQUE_ID` was read: the transaction's outcome is its own.
pub(super) const READ_UNIQUE_ID: u8 = 4;

/// A transaction's cache filed by the addresses of its values: a clone's values live
/// elsewhere, so it starts empty.
#[derive(Default)]
struct ByAddress<T>(RefCell<T>);

impl<T: Default> Clone for ByAddress<T> {
    fn clone(&self) -> Self {
        ByAddress::default()
    }
}

impl<T> Deref for ByAddress<T> {
    type Target = RefCell<T>;
    fn deref(&self) -> &RefCell<T> {
        &self.0
    }
}

impl<T> DerefMut for ByAddress<T> {
    fn deref_mut(&mut self) -> &mut RefCell<T> {
        &mut self.0
    }
}

impl Transaction {
    /// `TX` as it stands, sorted by name: for tests and tools that compare transactions.
    pub fn tx_sorted(&self) -> Vec<(&str, &[u8])> {
        let mut pairs: Vec<(&str, &[u8])> = self
            .tx
            .iter()
            .map(|(name, value)| (name.as_str(), &value[..]))
            .collect();
        pairs.sort_unstable();
        pairs
    }

    /// What matched so far, and whether a rule stopped the transaction.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// Phase 3 over the response head. Nothing runs once a request phase stopped the
    /// transaction (its refusal is the response).
    pub fn check_response_head(&mut self, set: &RuleSet, head: &ResponseHead<'_>) {
        // A second head replaces the first's values, whose addresses the caches hold.
        let replaced = self.responded;
        self.response_status = head.status.to_string().into_bytes();
        self.response_protocol = head.protocol.as_bytes().to_vec();
        self.response_headers = head
            .headers
            .iter()
            .map(|(n, v)| (n.to_vec(), v.to_vec()))
            .collect();
        self.responded = true;
        if self.stopped() {
            return;
        }
        self.new_values(replaced);
        self.run_phase(set, 3);
    }

    /// How many bytes of the response body phase 4 reads: `None` when it reads none (no
    /// body access, a media type `SecResponseBodyMimeType` does not list, or the
    /// transaction is over).
    pub fn response_body_wanted(&self, set: &RuleSet) -> Option<usize> {
        let content_type = header_of(&self.response_headers, b"content-type").unwrap_or_default();
        (!self.stopped() && set.response_body.inspects(&content_type))
            .then_some(set.response_body.limit_bytes)
    }

    /// Phase 4 over `body`, the first [`response_body_wanted`](Self::response_body_wanted)
    /// bytes of the response body; `truncated` when the body is longer, which
    /// `SecResponseBodyLimitAction Reject` refuses (500).
    pub fn check_response_body(&mut self, set: &RuleSet, body: &[u8], truncated: bool) {
        if self.stopped() {
            return;
        }
        if truncated && set.response_body.reject_over_limit && self.mode == EngineMode::On {
            self.verdict.interruption = Some(Interruption {
                rule_id: 0,
                phase: 4,
                status: 500,
                drop: false,
            });
            return;
        }
        let limit = set.response_body.limit_bytes.min(body.len());
        let replaced = !self.response_body.is_empty();
        self.response_body = body[..limit].to_vec();
        self.new_values(replaced);
        self.run_phase(set, 4);
    }

    /// Phase 4 for a response whose body phase 4 does not read, and phase 5: the
    /// transaction's end. Nothing phase 5 matches can disrupt; what it logs joins the
    /// verdict.
    pub fn finish(&mut self, set: &RuleSet) -> &Verdict {
        if self.responded && self.phase < 4 && !self.stopped() {
            self.new_values(false);
            self.run_phase(set, 4);
        }
        if self.mode != EngineMode::Off {
            self.run_phase(set, 5);
        }
        &self.verdict
    }

    fn new(set: &RuleSet, request: &Request<'_>) -> Transaction {
        let target = request.target;
        // Absolute form: REQUEST_URI drops the scheme and authority.
        let uri = match find(target, b"://") {
            Some(at) if target.first() != Some(&b'/') => {
                let rest = &target[at + 3..];
                let path_at = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
                rest[path_at..].to_vec()
            }
            _ => target.to_vec(),
        };
        let (path, query) = match uri.iter().position(|&b| b == b'?') {
            Some(at) => (&uri[..at], &uri[at + 1..]),
            None => (&uri[..], &b""[..]),
        };
        // REQUEST_FILENAME and REQUEST_BASENAME are the path percent-decoded, as ModSecurity
        // and Coraza give them (`/get/array_diff%20%28` is `/get/array_diff (` to CRS
        // 933151); with an invalid escape Coraza keeps the whole target, fragment aside.
        let path = decode_path(path).unwrap_or_else(|| {
            let end = uri.iter().position(|&b| b == b'#').unwrap_or(uri.len());
            uri[..end].to_vec()
        });
        let basename = match path.iter().rposition(|&b| b == b'/' || b == b'\\') {
            Some(at) if at + 1 < path.len() => &path[at + 1..],
            _ => &path[..],
        };
        let mut request_line = request.method.to_vec();
        request_line.push(b' ');
        request_line.extend_from_slice(target);
        request_line.push(b' ');
        request_line.extend_from_slice(request.protocol.as_bytes());
        let headers: Pairs = request
            .headers
            .iter()
            .map(|(n, v)| (n.to_vec(), v.to_vec()))
            .collect();
        let mut cookies = Pairs::new();
        for (name, value) in request.headers {
            if name.eq_ignore_ascii_case(b"cookie") {
                body::parse_cookies(value, &mut cookies);
            }
        }
        let server_name = header(request.headers, b"host")
            .map(|host| host.split(|&b| b == b':').next().unwrap_or(host).to_vec())
            .unwrap_or_default();
        let (args_get, _) = body::parse_urlencoded(query);
        let body_processor = header(request.headers, b"content-type")
            .and_then(processor_for)
            .map(str::to_owned);
        Transaction {
            phase: 0,
            allowed_through: 0,
            method: request.method.to_vec(),
            uri_raw: target.to_vec(),
            filename: path.clone(),
            basename: basename.to_vec(),
            query: query.to_vec(),
            uri: uri.clone(),
            protocol: request.protocol.as_bytes().to_vec(),
            request_line,
            headers,
            cookies,
            args_get,
            args_post: Pairs::new(),
            files: Vec::new(),
            part_headers: Pairs::new(),
            xml_texts: Vec::new(),
            xml_attributes: Vec::new(),
            body: Vec::new(),
            body_length: 0,
            body_processor,
            force_body_variable: false,
            body_variable: false,
            body_error: None,
            multipart_strict_error: false,
            multipart_unmatched_boundary: false,
            remote_addr: request.peer.ip().to_string().into_bytes(),
            remote_port: request.peer.port().to_string().into_bytes(),
            server_name,
            unique_id: request.unique_id.as_bytes().to_vec(),
            reads_outside_key: Cell::new(0),
            address_guards: RefCell::default(),
            evaluating: 0,
            tx: set.initial_tx.0.clone(),
            matched_var: Vec::new(),
            matched_var_name: String::new(),
            matched_vars: Vec::new(),
            expand_buffer: Vec::new(),
            arg_buffer: RefCell::default(),
            transform_buffers: RefCell::default(),
            current_rule: 0,
            present: u64::MAX,
            mode: set.engine,
            removed_ids: Vec::new(),
            removed_tags: Vec::new(),
            removed_targets_by_id: Vec::new(),
            removed_targets_by_tag: Vec::new(),
            body_access: set.request_body_access,
            response_status: Vec::new(),
            response_protocol: Vec::new(),
            response_headers: Pairs::new(),
            response_body: Vec::new(),
            responded: false,
            verdict: Verdict::default(),
            // Sized for a plain request through CRS, so that they are allocated once rather
            // than grown step by step.
            transformed: ByAddress(RefCell::new(FxHashMap::with_capacity_and_hasher(
                WAF_TRANSACTION_CACHE_ENTRIES_INITIAL,
                Default::default(),
            ))),
            prefiltered: ByAddress(RefCell::new(FxHashMap::with_capacity_and_hasher(
                WAF_TRANSACTION_CACHE_ENTRIES_INITIAL,
                Default::default(),
            ))),
            set_unions: ByAddress(RefCell::new(FxHashMap::with_capacity_and_hasher(
                WAF_TRANSACTION_CACHE_ENTRIES_INITIAL,
                Default::default(),
            ))),
        }
    }

    /// Notes that a rule read an input a [`memo`](super::memo) key leaves out.
    fn read_outside_key(&self, input: u8) {
        self.reads_outside_key
            .set(self.reads_outside_key.get() | input);
    }

    /// The inputs a [`memo`](super::memo) key leaves out that the rules have read so far.
    pub(super) fn reads_outside_key(&self) -> u8 {
        self.reads_outside_key.get()
    }

    /// The links whose not matching `REMOTE_ADDR` is all the address did so far.
    pub(super) fn address_guards(&self) -> Vec<(usize, u8)> {
        self.address_guards.borrow().clone()
    }

    /// This copy of another request's transaction (one whose key inputs were the same) made
    /// this request's: its peer and its id.
    pub(super) fn adopt(&mut self, peer: SocketAddr, unique_id: &str) {
        self.remote_addr = peer.ip().to_string().into_bytes();
        self.remote_port = peer.port().to_string().into_bytes();
        self.unique_id = unique_id.as_bytes().to_vec();
    }

    /// About how many bytes the transaction holds (what a [`memo`](super::memo) counts).
    pub(super) fn approx_bytes(&self) -> usize {
        // tidy: not a limit: an estimate of a map entry's or vector element's overhead.
        const ENTRY_BYTES: usize = 48;
        let pairs = |pairs: &Pairs| {
            pairs
                .iter()
                .map(|(k, v)| k.len() + v.len() + ENTRY_BYTES)
                .sum::<usize>()
        };
        let fields = [
            &self.method,
            &self.uri_raw,
            &self.uri,
            &self.filename,
            &self.basename,
            &self.query,
            &self.protocol,
            &self.request_line,
            &self.body,
            &self.response_body,
            &self.matched_var,
        ];
        let tx: usize = self
            .tx
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + ENTRY_BYTES)
            .sum();
        let matches: usize = self
            .verdict
            .matches
            .iter()
            .map(|m| m.msg.len() + m.data.len() + ENTRY_BYTES)
            .sum();
        std::mem::size_of::<Transaction>()
            + fields.iter().map(|f| f.len()).sum::<usize>()
            + pairs(&self.headers)
            + pairs(&self.cookies)
            + pairs(&self.args_get)
            + pairs(&self.args_post)
            + pairs(&self.part_headers)
            + pairs(&self.response_headers)
            + tx
            + matches
    }

    /// A new phase, with values the last did not have (the body's, the response's): the
    /// prefilter's answers go (its sets are per phase, and a set's union over a collection
    /// that grew is stale). Transformed values stay, filed under the address and length of
    /// a value that is still there, unchanged: the variables filled in since were empty,
    /// so nothing they held was freed for a new value to take its address. Unless
    /// `replaced`: values that had addresses in the cache were freed, and it goes too.
    fn new_values(&mut self, replaced: bool) {
        if replaced {
            self.transformed.get_mut().clear();
        }
        self.prefiltered.get_mut().clear();
        self.set_unions.get_mut().clear();
    }

    /// Whether the request and response phases are over: a rule stopped the
    /// transaction, `allow` let all of it through, or the engine is off.
    fn stopped(&self) -> bool {
        self.verdict.interruption.is_some()
            || self.allowed_through >= 4
            || self.mode == EngineMode::Off
    }

    /// Whether rules still run in the current phase.
    fn phase_runs(&self) -> bool {
        if self.phase == 5 {
            return self.mode != EngineMode::Off;
        }
        !self.stopped() && self.phase > self.allowed_through
    }

    /// Parses the body with the processor a `ctl` chose or the content type implies, or
    /// as URLENCODED when none did and `forceRequestBodyVariable` is on.
    fn process_body(&mut self, body: Option<&[u8]>) {
        let Some(body) = body else { return };
        self.body_length = body.len();
        if !self.body_access {
            return;
        }
        let content_type = header_of(&self.headers, b"content-type").unwrap_or_default();
        let processor = self
            .body_processor
            .clone()
            .or_else(|| self.force_body_variable.then(|| "URLENCODED".to_owned()));
        self.body_variable = processor.as_deref() == Some("URLENCODED");
        let limits = BodyLimits {
            args_max: WAF_BODY_ARGS_MAX,
            depth_max: WAF_BODY_DEPTH_MAX,
            parts_max: WAF_BODY_PARTS_MAX,
        };
        self.body = body.to_vec();
        let error = match processor.as_deref() {
            Some("URLENCODED") => {
                let (pairs, _invalid) = body::parse_urlencoded(body);
                self.args_post = pairs;
                None
            }
            Some("MULTIPART") => match body::parse_multipart(&content_type, body, &limits) {
                Ok(parts) => {
                    self.args_post = parts.args;
                    self.files = parts.files;
                    self.part_headers = parts.part_headers;
                    self.multipart_strict_error = parts.flags.strict_error();
                    self.multipart_unmatched_boundary = parts.flags.unmatched_boundary;
                    None
                }
                // ModSecurity's REQBODY_ERROR_MSG says which processor failed.
                Err(error) => Some(format!("Multipart parsing error: {}", error.0)),
            },
            Some("JSON") => match body::parse_json(body, &limits) {
                Ok(pairs) => {
                    self.args_post = pairs;
                    None
                }
                Err(error) => Some(error.0),
            },
            Some("XML") => match body::parse_xml(body, &limits) {
                Ok(xml) => {
                    self.xml_texts = xml.texts;
                    self.xml_attributes = xml.attributes;
                    None
                }
                Err(error) => Some(error.0),
            },
            _ => None,
        };
        self.body_processor = processor;
        self.verdict.body_error = error.clone();
        self.body_error = error;
    }

    fn run_phase(&mut self, set: &RuleSet, phase: u8) {
        self.phase = phase;
        self.present = self.present();
        let slot = usize::from(phase - 1);
        let entries = &set.phases[slot];
        let mut index = 0;
        let mut skip_count = 0u32;
        let mut phase_allowed = false;
        while index < entries.len() && self.phase_runs() && !phase_allowed {
            let entry = &entries[index];
            index += 1;
            let rule = match entry {
                Entry::Marker(_) => continue,
                Entry::Rule(_) | Entry::Folded { .. } if skip_count > 0 => {
                    skip_count -= 1;
                    continue;
                }
                // A rule whose outcome the rule set worked out when it loaded (see
                // `fold`): its writes are in the initial TX, its skip is `to`.
                Entry::Folded { rule, to } => {
                    if !self.is_removed(&set.rules[*rule]) {
                        index = *to;
                    }
                    continue;
                }
                Entry::Rule(rule) => {
                    self.evaluating = *rule;
                    &set.rules[*rule]
                }
            };
            if self.is_removed(rule) {
                continue;
            }
            // MATCHED_VARS holds one rule's matches (its chain's links see them).
            self.matched_vars.clear();
            if !self.evaluate(&set.prefilter, rule, rule) {
                continue;
            }
            phase_allowed = self.on_match(rule);
            if let Some(marker) = &rule.actions.skip_after {
                index = set.after_marker(slot, marker, index);
            }
            skip_count = rule.actions.skip;
        }
    }

    fn is_removed(&self, rule: &Rule) -> bool {
        if self.removed_ids.is_empty() && self.removed_tags.is_empty() {
            return false;
        }
        self.removed_ids
            .iter()
            .any(|&(low, high)| (low..=high).contains(&rule.id))
            || rule
                .actions
                .tags
                .iter()
                .any(|tag| self.removed_tags.iter().any(|t| t == tag))
    }

    /// Evaluates one link of `head`'s chain and, if it matches, the rest.
    fn evaluate(&mut self, pf: &Prefilter, head: &Rule, link: &Rule) -> bool {
        let matches = self.matching_values(pf, head, link);
        if matches.is_empty() {
            return false;
        }
        self.current_rule = head.id;
        for (name, value, captures) in matches {
            if link.actions.capture {
                for (capture, name) in captures.into_iter().zip(CAPTURE_NAMES) {
                    self.tx
                        .insert(TxName::Static(name), TxValue::Owned(capture));
                }
            }
            // Into the buffers MATCHED_VAR and MATCHED_VAR_NAME already have, rather than
            // copies of their own per match.
            self.matched_var.clear();
            self.matched_var.extend_from_slice(&value);
            self.matched_var_name.clear();
            self.matched_var_name.push_str(&name);
            self.matched_vars.push((name, value));
            self.run_actions(link);
        }
        match &link.chain {
            Some(next) => self.evaluate(pf, head, next),
            None => true,
        }
    }

    /// The values of `link`'s targets its operator matches, with their names and captures.
    /// Nothing is allocated for the values that do not match (most of them).
    fn matching_values(&self, pf: &Prefilter, head: &Rule, link: &Rule) -> Matches {
        let mut matches = Matches::new();
        if link.reads & self.present == 0 {
            // Every variable the link reads is empty: it selects nothing (most rules over
            // arguments, cookies and bodies, on a request without them).
            return matches;
        }
        if let Some(slot) = link.prefilter
            && slot.whole_link
            && !self.any_value_may_match(pf, slot)
        {
            // No value of the variables the link's set covers matches its pattern, so none
            // of the link's values does: it matches nothing, whatever it would select.
            return matches;
        }
        let reads_before = self.reads_outside_key.get();
        let values = self.values(head, link);
        if values.is_empty() {
            // Most rules, on most requests: nothing to look at, so no argument to expand.
            return matches;
        }
        // The argument and the transformations' buffers are the transaction's, kept from
        // rule to rule (taken out while in use: nothing below reaches them).
        let mut arg = std::mem::take(&mut *self.arg_buffer.borrow_mut());
        let expanded = link.operator_arg.as_ref().map(|template| {
            arg.clear();
            template.expand(self, &mut arg);
            &arg[..]
        });
        let mut scratch = std::mem::take(&mut *self.transform_buffers.borrow_mut());
        let chain = chain_key(&link.transforms);
        for selected in values {
            let mut captures = Vec::new();
            let captured = link.actions.capture.then_some(&mut captures);
            let outcome =
                self.value_matches(pf, link, &selected, chain, expanded, captured, &mut scratch);
            if let Some(matched) = outcome {
                let name = selected.name();
                let value = match matched {
                    Matched::Selected => selected.value.into_owned(),
                    Matched::Transformed(value) => value,
                };
                matches.push((name, value, captures));
            }
        }
        *self.arg_buffer.borrow_mut() = arg;
        *self.transform_buffers.borrow_mut() = scratch;
        if matches.is_empty() {
            self.guard_remote_addr(head, link, reads_before);
        }
        matches
    }

    /// After `link` matched nothing: if all it read was `REMOTE_ADDR` (its only target,
    /// plain, with no prefilter set and no macro in its argument), what the address did to
    /// the transaction is "`link` did not match it", so a [`memo`](super::memo) may serve
    /// this state to any address `link` does not match. The read is taken back and the link
    /// recorded instead. CRS's 905110 (`REMOTE_ADDR @ipMatch 127.0.0.1,::1`, on every
    /// request) would otherwise tie every kept state to its client's address.
    fn guard_remote_addr(&self, head: &Rule, link: &Rule, reads_before: u8) {
        let only_the_address = matches!(
            &link.targets[..],
            [Target {
                variable: Variable::RemoteAddr,
                selector: Selector::All,
                count: false,
                exclude: false
            }]
        ) && link.prefilter.is_none()
            && link.operator_arg.is_none();
        if !only_the_address || reads_before & READ_REMOTE_ADDR != 0 {
            return;
        }
        let mut depth = 0u8;
        let mut at = Some(head);
        while let Some(rule) = at {
            if std::ptr::eq(rule, link) {
                self.reads_outside_key.set(reads_before);
                self.address_guards
                    .borrow_mut()
                    .push((self.evaluating, depth));
                return;
            }
            at = rule.chain.as_deref();
            depth = depth.saturating_add(1);
        }
    }

    /// Transforms the value and runs the operator (after each transformation too, with
    /// `multiMatch`); says which value matched, for `MATCHED_VAR` and `MATCHED_VARS`.
    /// A request value's transformation by a chain is made once per transaction: CRS runs
    /// the same few chains over the same values in rule after rule.
    #[allow(clippy::too_many_arguments)]
    fn value_matches(
        &self,
        pf: &Prefilter,
        link: &Rule,
        selected: &Selected<'_>,
        chain: u64,
        expanded: Option<&[u8]>,
        captures: Option<&mut Vec<Vec<u8>>>,
        scratch: &mut (Vec<u8>, Vec<u8>),
    ) -> Option<Matched> {
        let operator = &link.operator;
        let value: &[u8] = &selected.value;
        if link.actions.multi_match {
            return multi_match(link, value, expanded, captures, scratch);
        }
        let key = selected.cache_key(chain);
        // The operator over the (transformed) value, skipping the regex when the link's
        // prefilter set says its pattern does not match.
        let run = |input: &[u8], captures: Option<&mut Vec<Vec<u8>>>| {
            if let (Some(slot), Some(key)) = (link.prefilter, key)
                && !self.may_match(pf, slot, key, input)
            {
                return operator.rx_miss(captures);
            }
            operator.matches(input, expanded, captures)
        };
        if link.transforms.is_empty() {
            return run(value, captures).then_some(Matched::Selected);
        }
        self.with_transformed(key, value, &link.transforms, scratch, |transformed| {
            run(transformed, captures).then(|| Matched::Transformed(transformed.to_vec()))
        })
    }

    /// Calls `f` with `value` transformed by `transforms`: from the transaction's cache when
    /// `key` (the value's [`CacheKey`] for this chain) is there, else transformed in
    /// `scratch` and, with a `key`, filed in the cache. Steps that would leave the value
    /// as it is are skipped, and a value the whole chain leaves as it is is filed as such,
    /// not copied.
    fn with_transformed<R>(
        &self,
        key: Option<CacheKey>,
        value: &[u8],
        transforms: &[Transform],
        (current, next): &mut (Vec<u8>, Vec<u8>),
        f: impl FnOnce(&[u8]) -> R,
    ) -> R {
        if let Some(key) = key
            && let Some(done) = self.transformed.borrow().get(&key)
        {
            return f(done.as_deref().unwrap_or(value));
        }
        // Whether `current` holds the value so far (else it is `value` itself).
        let mut changed = false;
        for transform in transforms {
            if changed {
                if !transform.leaves_unchanged(current) {
                    transform.apply(current, next);
                    std::mem::swap(current, next);
                }
            } else if !transform.leaves_unchanged(value) {
                transform.apply(value, current);
                changed = true;
            }
        }
        if let Some(key) = key {
            let mut cache = self.transformed.borrow_mut();
            if cache.len() < WAF_TRANSFORM_CACHE_ENTRIES_MAX {
                cache.insert(key, changed.then(|| current.as_slice().into()));
            }
        }
        f(if changed { current } else { value })
    }

    /// Whether some value of the variables `slot`'s set covers (transformed by the set's
    /// chain) matches `slot`'s pattern. Worked out for all the set's patterns at once when
    /// a link first asks in a phase, and kept: the covered variables do not change within
    /// a phase (see [`prefilter::is_stable`]). `true` when it cannot be worked out.
    fn any_value_may_match(&self, pf: &Prefilter, slot: Slot) -> bool {
        if let Some(found) = self.set_unions.borrow().get(&slot.set) {
            return found
                .as_ref()
                .is_none_or(|bits| bits.get(slot.pattern as usize).is_none_or(|&bit| bit));
        }
        let union = self.set_union(pf, slot.set);
        let answer = union
            .as_ref()
            .is_none_or(|bits| bits.get(slot.pattern as usize).is_none_or(|&bit| bit));
        self.set_unions.borrow_mut().insert(slot.set, union);
        answer
    }

    /// For each pattern of set `set`, whether it matches some value of the set's
    /// variables; `None` when the prefilter's answers are at their bound.
    fn set_union(&self, prefilter: &Prefilter, set: u32) -> Option<Box<[bool]>> {
        let transforms = prefilter.transforms(set)?;
        let variables = prefilter.variables(set)?;
        let chain = chain_key(transforms);
        let mut bits = vec![false; prefilter.set_len(set)].into_boxed_slice();
        let mut members = Values::new();
        for &variable in variables {
            self.members(variable, &Selector::All, &mut members);
        }
        let mut scratch = (Vec::new(), Vec::new());
        for member in &members {
            // Stable variables' values are borrowed, so they always have a key.
            let key = member.cache_key(chain)?;
            self.with_transformed(
                Some(key),
                &member.value,
                transforms,
                &mut scratch,
                |input| {
                    self.with_set_answer(prefilter, set, key, input, |matched| {
                        for index in matched.iter() {
                            if let Some(bit) = bits.get_mut(index) {
                                *bit = true;
                            }
                        }
                    })
                },
            )?;
        }
        Some(bits)
    }

    /// Whether the pattern in `slot` may match `input`, the transformed value filed under
    /// `key`: the prefilter's set is run once per value and its answer kept. When the
    /// answers kept reach their bound, `true`: the rule's own regex decides.
    fn may_match(&self, pf: &Prefilter, slot: Slot, key: CacheKey, input: &[u8]) -> bool {
        self.with_set_answer(pf, slot.set, key, input, |matched| {
            matched.may_match(slot.pattern)
        })
        .unwrap_or(true)
    }

    /// Calls `f` with set `set`'s answer for `input`, the transformed value filed under
    /// `key`: kept from an earlier call, or worked out and kept. `None` when the answers
    /// kept are at their bound (and this one is not among them).
    fn with_set_answer<R>(
        &self,
        prefilter: &Prefilter,
        set: u32,
        key: CacheKey,
        input: &[u8],
        f: impl FnOnce(&prefilter::Matched) -> R,
    ) -> Option<R> {
        let mut answers = self.prefiltered.borrow_mut();
        if let Some(matched) = answers.get(&(key, set)) {
            return Some(f(matched));
        }
        if answers.len() >= WAF_RX_SET_CACHE_ENTRIES_MAX {
            return None;
        }
        let matched = prefilter.matches(set, input)?;
        let answer = f(&matched);
        answers.insert((key, set), matched);
        Some(answer)
    }

    /// The `setvar`s and `ctl`s of a link that matched one value.
    fn run_actions(&mut self, link: &Rule) {
        for setvar in &link.actions.setvars {
            if setvar.collection != "tx" {
                continue;
            }
            let key = match &setvar.literal_key {
                Some(key) => TxName::Shared(key.clone()),
                None => {
                    let mut expanded = std::mem::take(&mut self.expand_buffer);
                    expanded.clear();
                    setvar.key.expand(&*self, &mut expanded);
                    let name = match std::str::from_utf8(&expanded) {
                        Ok(text) => text.to_lowercase(),
                        Err(_) => String::from_utf8_lossy(&expanded).to_lowercase(),
                    };
                    self.expand_buffer = expanded;
                    TxName::Owned(name.into())
                }
            };
            match &setvar.op {
                SetOp::Delete => {
                    self.tx.remove(&key);
                }
                SetOp::Set(value) => match &setvar.literal_value {
                    Some(text) => {
                        self.tx.insert(key, TxValue::Shared(text.clone()));
                    }
                    None => {
                        let mut expanded = std::mem::take(&mut self.expand_buffer);
                        expanded.clear();
                        value.expand(&*self, &mut expanded);
                        self.set_tx_bytes(key, &expanded);
                        self.expand_buffer = expanded;
                    }
                },
                SetOp::Add(value) | SetOp::Sub(value) => {
                    let mut expanded = std::mem::take(&mut self.expand_buffer);
                    expanded.clear();
                    value.expand(&*self, &mut expanded);
                    let amount = atoi(&expanded);
                    self.expand_buffer = expanded;
                    let amount = if matches!(setvar.op, SetOp::Sub(_)) {
                        amount.saturating_neg()
                    } else {
                        amount
                    };
                    let current = self.tx.get(&key).map_or(0, |v| atoi(v));
                    let sum = current.saturating_add(amount);
                    self.set_tx_bytes(key, itoa::Buffer::new().format(sum).as_bytes());
                }
            }
        }
        for ctl in &link.actions.ctls {
            match ctl {
                Ctl::RuleRemoveById(ranges) => self.removed_ids.extend_from_slice(ranges),
                Ctl::RuleRemoveByTag(tag) => self.removed_tags.push(tag.clone()),
                Ctl::RuleRemoveTargetById(ranges, targets) => {
                    for &range in ranges {
                        for target in targets {
                            self.removed_targets_by_id.push((range, target.clone()));
                        }
                    }
                }
                Ctl::RuleRemoveTargetByTag(tag, targets) => {
                    for target in targets {
                        self.removed_targets_by_tag
                            .push((tag.clone(), target.clone()));
                    }
                }
                Ctl::RuleEngine(mode) => self.mode = *mode,
                Ctl::RequestBodyProcessor(processor) => {
                    self.body_processor = Some(processor.clone());
                }
                Ctl::RequestBodyAccess(on) => self.body_access = *on,
                Ctl::ForceRequestBodyVariable(on) => self.force_body_variable = *on,
                Ctl::Ignored => {}
            }
        }
    }

    /// Sets `key` to `value`, in the buffer the variable already owns when it has one (CRS
    /// adds to its scores in rule after rule).
    fn set_tx_bytes(&mut self, key: TxName, value: &[u8]) {
        match self.tx.get_mut(key.as_str()) {
            Some(TxValue::Owned(current)) => {
                current.clear();
                current.extend_from_slice(value);
            }
            _ => {
                self.tx.insert(key, TxValue::Owned(value.to_vec()));
            }
        }
    }

    /// A whole chain matched: log it, then its disruptive action. Says whether it was
    /// `allow:phase`, which ends the phase.
    fn on_match(&mut self, rule: &Rule) -> bool {
        self.current_rule = rule.id;
        if rule.log && self.verdict.matches.len() < WAF_MATCHED_RULES_MAX {
            let text = |template: &Option<Template>| {
                template.as_ref().map_or_else(String::new, |t| {
                    String::from_utf8_lossy(&t.expand_to_vec(&*self)).into_owned()
                })
            };
            let matched = Match {
                id: rule.id,
                msg: text(&rule.actions.msg),
                data: text(&rule.actions.logdata),
                severity: rule.actions.severity,
            };
            self.verdict.matches.push(matched);
        }
        // Logging comes after the response: nothing there disrupts.
        if self.mode != EngineMode::On || self.phase == 5 {
            return false;
        }
        match rule.disruptive {
            Disruptive::Pass | Disruptive::Block => {}
            Disruptive::Allow(AllowScope::Phase) => return true,
            Disruptive::Allow(AllowScope::Request) => self.allowed_through = 2,
            Disruptive::Allow(AllowScope::Transaction) => self.allowed_through = 4,
            Disruptive::Deny | Disruptive::Drop | Disruptive::Redirect => {
                self.verdict.interruption = Some(Interruption {
                    rule_id: rule.id,
                    phase: self.phase,
                    status: rule.status.unwrap_or(403),
                    drop: rule.disruptive == Disruptive::Drop,
                });
            }
        }
        false
    }

    /// The values `link`'s targets select, after exclusions, with what names them as
    /// ModSecurity does (`ARGS:foo`), formatted only for a value that matches.
    ///
    /// Every rule of every request comes through here, and most select nothing (no
    /// cookies, no arguments): the members are written straight into the one vector and
    /// filtered in place, so a rule whose targets are empty allocates nothing. Which
    /// exclusions apply to the rule is worked out once, not per value (CRS's 941010 removes
    /// `REQUEST_FILENAME` from every rule tagged `xss-perf-disable` on most requests).
    fn values(&self, head: &Rule, link: &Rule) -> Values<'_> {
        let exclusions = self.exclusions(head, link);
        let mut out = Values::new();
        for target in link.targets.iter().filter(|t| !t.exclude) {
            let start = out.len();
            let selected = match (&target.selector, target.variable) {
                // One TX variable by name: a lookup, not a walk over every TX variable.
                (Selector::Key(key), Variable::Tx) => {
                    if let Some((name, value)) = self.tx.get_key_value(key.as_str()) {
                        out.push(Selected {
                            variable: Variable::Tx,
                            key: name.as_bytes(),
                            value: Cow::Borrowed(&value[..]),
                        });
                    }
                    true
                }
                // TX holds a hundred variables or more (CRS's setup): select before
                // copying, rather than copy them all to keep a few.
                (selector, Variable::Tx) => {
                    out.extend(
                        self.tx
                            .iter()
                            .filter(|(name, _)| selector.selects(name.as_bytes()))
                            .map(|(name, value)| Selected {
                                variable: Variable::Tx,
                                key: name.as_bytes(),
                                value: Cow::Borrowed(&value[..]),
                            }),
                    );
                    true
                }
                (selector, variable) => self.members(variable, selector, &mut out),
            };
            // Keep, in order, the members the selector names (unless `members` only gave
            // those) and no exclusion removes.
            if !(selected && exclusions.is_empty()) {
                let mut kept = start;
                for at in start..out.len() {
                    let key = out[at].key;
                    let keep = (selected || target.selector.selects(key))
                        && !exclusions
                            .iter()
                            .any(|t| t.variable == target.variable && t.selector.selects(key));
                    if keep {
                        out.swap(kept, at);
                        kept += 1;
                    }
                }
                out.truncate(kept);
            }
            if target.count {
                let count = (out.len() - start).to_string().into_bytes();
                out.truncate(start);
                out.push(Selected {
                    variable: target.variable,
                    key: b"",
                    value: Cow::Owned(count),
                });
            }
        }
        out
    }

    /// The targets that take members out of `link`'s: the link's own `!` targets, and
    /// those of the `ctl:ruleRemoveTargetById`/`…ByTag` that name its chain's head.
    fn exclusions<'a>(&'a self, head: &Rule, link: &'a Rule) -> SmallVec<[&'a Target; 4]> {
        let mut exclusions: SmallVec<[&Target; 4]> =
            link.targets.iter().filter(|t| t.exclude).collect();
        exclusions.extend(
            self.removed_targets_by_id
                .iter()
                .filter(|((low, high), _)| (*low..=*high).contains(&head.id))
                .map(|(_, target)| target),
        );
        exclusions.extend(
            self.removed_targets_by_tag
                .iter()
                .filter(|(tag, _)| head.actions.tags.iter().any(|h| h == tag))
                .map(|(_, target)| target),
        );
        exclusions
    }

    /// The variables that may have members ([`members`](Self::members) gives some), as a
    /// [`variable::reads`] mask: every bit but those of the collections that are empty
    /// now. Collections only change between phases (the body's, the response's), so it is
    /// worked out when a phase begins.
    fn present(&self) -> u64 {
        let empty = [
            (
                self.args_get.is_empty() && self.args_post.is_empty(),
                &[Variable::Args, Variable::ArgsNames][..],
            ),
            (
                self.args_get.is_empty(),
                &[Variable::ArgsGet, Variable::ArgsGetNames],
            ),
            (
                self.args_post.is_empty(),
                &[Variable::ArgsPost, Variable::ArgsPostNames],
            ),
            (
                self.headers.is_empty(),
                &[Variable::RequestHeaders, Variable::RequestHeadersNames],
            ),
            (
                self.cookies.is_empty(),
                &[Variable::RequestCookies, Variable::RequestCookiesNames],
            ),
            (
                !(self.body_length > 0 && self.body_variable),
                &[Variable::RequestBody],
            ),
            (self.body_error.is_none(), &[Variable::ReqbodyErrorMsg]),
            (
                self.files.is_empty(),
                &[Variable::Files, Variable::FilesNames, Variable::FilesSizes],
            ),
            (
                self.part_headers.is_empty(),
                &[Variable::MultipartPartHeaders],
            ),
            (
                self.xml_texts.is_empty() && self.xml_attributes.is_empty(),
                &[Variable::Xml],
            ),
            (
                !self.responded,
                &[Variable::ResponseStatus, Variable::ResponseProtocol],
            ),
            (
                self.response_headers.is_empty(),
                &[Variable::ResponseHeaders, Variable::ResponseHeadersNames],
            ),
            (self.response_body.is_empty(), &[Variable::ResponseBody]),
            (true, &[Variable::Env, Variable::Persistent]),
        ];
        empty
            .iter()
            .filter(|(empty, _)| *empty)
            .flat_map(|(_, variables)| variables.iter())
            .fold(u64::MAX, |mask, variable| mask & !variable.bit())
    }

    /// The members of `variable`, appended to `out`; single values have an empty key.
    /// Collections of named members (headers, cookies, arguments and their names) only
    /// give those `selector` selects, and then it says `true`; otherwise it gives every
    /// member and says `false`, and the caller selects.
    fn members<'a>(
        &'a self,
        variable: Variable,
        selector: &Selector,
        out: &mut Values<'a>,
    ) -> bool {
        let member = |key: &'a [u8], value: Cow<'a, [u8]>| Selected {
            variable,
            key,
            value,
        };
        let single = |out: &mut Values<'a>, value: &'a [u8]| {
            out.push(member(b"", Cow::Borrowed(value)));
        };
        let owned = |out: &mut Values<'a>, value: String| {
            out.push(member(b"", Cow::Owned(value.into_bytes())));
        };
        let pairs = |out: &mut Values<'a>, pairs: &'a Pairs| {
            out.extend(
                pairs
                    .iter()
                    .filter(|(k, _)| selector.selects(k))
                    .map(|(k, v)| member(&k[..], Cow::Borrowed(&v[..]))),
            );
        };
        let names = |out: &mut Values<'a>, pairs: &'a Pairs| {
            out.extend(
                pairs
                    .iter()
                    .filter(|(k, _)| selector.selects(k))
                    .map(|(k, _)| member(&k[..], Cow::Borrowed(&k[..]))),
            );
        };
        // Those whose members come from `pairs` and `names`, which select.
        let selects = matches!(
            variable,
            Variable::Args
                | Variable::ArgsGet
                | Variable::ArgsPost
                | Variable::ArgsNames
                | Variable::ArgsGetNames
                | Variable::ArgsPostNames
                | Variable::RequestHeaders
                | Variable::RequestHeadersNames
                | Variable::RequestCookies
                | Variable::RequestCookiesNames
                | Variable::MultipartPartHeaders
                | Variable::ResponseHeaders
                | Variable::ResponseHeadersNames
        );
        match variable {
            Variable::Args => {
                pairs(out, &self.args_get);
                pairs(out, &self.args_post);
            }
            Variable::ArgsGet => pairs(out, &self.args_get),
            Variable::ArgsPost => pairs(out, &self.args_post),
            Variable::ArgsNames => {
                names(out, &self.args_get);
                names(out, &self.args_post);
            }
            Variable::ArgsGetNames => names(out, &self.args_get),
            Variable::ArgsPostNames => names(out, &self.args_post),
            Variable::ArgsCombinedSize => {
                let size: usize = self
                    .args_get
                    .iter()
                    .chain(&self.args_post)
                    .map(|(k, v)| k.len() + v.len())
                    .sum();
                owned(out, size.to_string());
            }
            Variable::RequestHeaders => pairs(out, &self.headers),
            Variable::RequestHeadersNames => names(out, &self.headers),
            Variable::RequestCookies => pairs(out, &self.cookies),
            Variable::RequestCookiesNames => names(out, &self.cookies),
            Variable::RequestLine => single(out, &self.request_line),
            Variable::RequestMethod => single(out, &self.method),
            Variable::RequestProtocol => single(out, &self.protocol),
            Variable::RequestUri => single(out, &self.uri),
            Variable::RequestUriRaw => single(out, &self.uri_raw),
            Variable::RequestFilename => single(out, &self.filename),
            Variable::RequestBasename => single(out, &self.basename),
            Variable::QueryString => single(out, &self.query),
            Variable::RequestBody => {
                if self.body_length > 0 && self.body_variable {
                    single(out, &self.body);
                }
            }
            Variable::RequestBodyLength => owned(out, self.body_length.to_string()),
            // Present, if empty, when no processor applies: CRS 901340's
            // `!@rx (?:URLENCODED|MULTIPART|XML|JSON)` then matches, as in Coraza.
            Variable::ReqbodyProcessor => single(
                out,
                self.body_processor
                    .as_deref()
                    .unwrap_or_default()
                    .as_bytes(),
            ),
            Variable::ReqbodyError => {
                owned(out, u8::from(self.body_error.is_some()).to_string());
            }
            Variable::ReqbodyErrorMsg => {
                if let Some(message) = &self.body_error {
                    single(out, message.as_bytes());
                }
            }
            Variable::Files => out.extend(
                self.files
                    .iter()
                    .map(|(name, file, _)| member(&name[..], Cow::Borrowed(&file[..]))),
            ),
            Variable::FilesNames => out.extend(
                self.files
                    .iter()
                    .map(|(name, _, _)| member(&name[..], Cow::Borrowed(&name[..]))),
            ),
            Variable::FilesSizes => out.extend(self.files.iter().map(|(name, _, size)| {
                member(&name[..], Cow::Owned(size.to_string().into_bytes()))
            })),
            Variable::FilesCombinedSize => {
                owned(out, self.files.iter().map(|f| f.2).sum::<u64>().to_string());
            }
            Variable::MultipartPartHeaders => pairs(out, &self.part_headers),
            Variable::MultipartStrictError => {
                owned(out, u8::from(self.multipart_strict_error).to_string());
            }
            Variable::MultipartUnmatchedBoundary => {
                owned(out, u8::from(self.multipart_unmatched_boundary).to_string());
            }
            Variable::Xml => {
                // Text nodes under the key `XML:/*` selects, attribute values under
                // `XML://@*`'s.
                out.extend(
                    self.xml_texts
                        .iter()
                        .map(|t| member(b"/*", Cow::Borrowed(&t[..]))),
                );
                out.extend(
                    self.xml_attributes
                        .iter()
                        .map(|t| member(b"//@*", Cow::Borrowed(&t[..]))),
                );
            }
            Variable::Tx => out.extend(
                self.tx
                    .iter()
                    .map(|(k, v)| member(k.as_bytes(), Cow::Borrowed(&v[..]))),
            ),
            Variable::MatchedVar => single(out, &self.matched_var),
            Variable::MatchedVarName => single(out, self.matched_var_name.as_bytes()),
            Variable::MatchedVars => out.extend(
                self.matched_vars
                    .iter()
                    .map(|(k, v)| member(k.as_bytes(), Cow::Borrowed(&v[..]))),
            ),
            Variable::MatchedVarsNames => out.extend(
                self.matched_vars
                    .iter()
                    .map(|(k, _)| member(k.as_bytes(), Cow::Borrowed(k.as_bytes()))),
            ),
            Variable::RemoteAddr => {
                self.read_outside_key(READ_REMOTE_ADDR);
                single(out, &self.remote_addr);
            }
            Variable::RemotePort => {
                self.read_outside_key(READ_REMOTE_PORT);
                single(out, &self.remote_port);
            }
            Variable::ServerName => single(out, &self.server_name),
            Variable::UniqueId => {
                self.read_outside_key(READ_UNIQUE_ID);
                single(out, &self.unique_id);
            }
            Variable::FullRequest | Variable::FullRequestLength => {
                let mut full = self.request_line.clone();
                full.extend_from_slice(b"\r\n");
                for (name, value) in &self.headers {
                    full.extend_from_slice(name);
                    full.extend_from_slice(b": ");
                    full.extend_from_slice(value);
                    full.extend_from_slice(b"\r\n");
                }
                full.extend_from_slice(b"\r\n");
                full.extend_from_slice(&self.body);
                if variable == Variable::FullRequestLength {
                    owned(out, full.len().to_string());
                } else {
                    out.push(member(b"", Cow::Owned(full)));
                }
            }
            // Response variables are empty until phase 3 fills them (RESPONSE_BODY until
            // phase 4).
            Variable::ResponseStatus => {
                if self.responded {
                    single(out, &self.response_status);
                }
            }
            Variable::ResponseProtocol => {
                if self.responded {
                    single(out, &self.response_protocol);
                }
            }
            Variable::ResponseHeaders => pairs(out, &self.response_headers),
            Variable::ResponseHeadersNames => names(out, &self.response_headers),
            Variable::ResponseBody => {
                if !self.response_body.is_empty() {
                    single(out, &self.response_body);
                }
            }
            Variable::ResponseContentType => {
                if let Some((_, value)) = self
                    .response_headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(b"content-type"))
                {
                    single(out, value);
                }
            }
            Variable::ResponseContentLength => {
                if let Some((_, value)) = self
                    .response_headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(b"content-length"))
                {
                    single(out, value);
                }
            }
            // Persistent collections and ENV are always empty.
            Variable::Env | Variable::Persistent => {}
        }
        selects
    }
}

/// The `TX` collection every transaction starts with: what the rules [`fold`](super::fold)
/// worked out when the rule set loaded (CRS's setup: a hundred variables from the
/// configuration), shared with the rule set rather than set again per request.
#[derive(Debug, Clone, Default)]
pub struct InitialTx(FxHashMap<TxName, TxValue>);

impl InitialTx {
    /// The variables, by name, for tests and logs.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(TxName::as_str)
    }
}

/// What [`fold`](super::fold) needs of a transaction: one over no request whose `TX` it
/// sets, to run rules that read nothing else.
impl Transaction {
    /// A transaction over an empty request, for evaluating rules at load time.
    pub(super) fn probe(set: &RuleSet) -> Transaction {
        let request = Request {
            method: b"GET",
            target: b"/",
            protocol: "HTTP/1.1",
            headers: &[],
            body: None,
            peer: SocketAddr::from(([0, 0, 0, 0], 0)),
            unique_id: "",
        };
        Transaction::new(set, &request)
    }

    /// Runs `rule` (its chain included) as phase `phase` would, without logging or
    /// disrupting: whether it matched. Its links' `setvar`s and `ctl`s ran.
    pub(super) fn probe_rule(&mut self, set: &RuleSet, phase: u8, rule: &Rule) -> bool {
        self.phase = phase;
        self.matched_vars.clear();
        self.evaluate(&set.prefilter, rule, rule)
    }

    /// `TX` as it is now.
    pub(super) fn tx_now(&self) -> InitialTx {
        InitialTx(self.tx.clone())
    }

    /// Puts `TX` back as [`tx_now`](Self::tx_now) saw it.
    pub(super) fn set_tx(&mut self, tx: InitialTx) {
        self.tx = tx.0;
    }

    /// The names whose values differ between `before` and `TX` now (set, changed or
    /// deleted).
    pub(super) fn tx_written_since(&self, before: &InitialTx) -> Vec<String> {
        let mut written: Vec<String> = self
            .tx
            .iter()
            .filter(|(name, value)| {
                before
                    .0
                    .get(name.as_str())
                    .is_none_or(|old| old[..] != value[..])
            })
            .map(|(name, _)| name.as_str().to_owned())
            .collect();
        written.extend(
            before
                .0
                .keys()
                .filter(|name| !self.tx.contains_key(name.as_str()))
                .map(|name| name.as_str().to_owned()),
        );
        written
    }

    /// `TX` as the rule set's [`InitialTx`]: names and values shared, so that each
    /// transaction's copy only counts references.
    pub(super) fn into_initial_tx(self) -> InitialTx {
        InitialTx(
            self.tx
                .into_iter()
                .map(|(name, value)| {
                    let name = match name {
                        TxName::Owned(name) => TxName::Shared(Arc::from(name)),
                        shared => shared,
                    };
                    let value = match value {
                        TxValue::Owned(value) => TxValue::Shared(Arc::from(value)),
                        shared => shared,
                    };
                    (name, value)
                })
                .collect(),
        )
    }
}

impl Lookup for Transaction {
    fn lookup(&self, variable: &str, key: Option<&str>, out: &mut Vec<u8>) {
        match (variable, key) {
            ("TX", Some(key)) => {
                if let Some(value) = self.tx.get(key) {
                    out.extend_from_slice(value);
                }
            }
            ("RULE", Some("id")) => out.extend_from_slice(self.current_rule.to_string().as_bytes()),
            ("RULE", Some(_)) => {}
            (name, key) => {
                let Some(variable) = Variable::from_name(name) else {
                    return;
                };
                let mut members = Values::new();
                let selector = key.map_or(Selector::All, |k| Selector::Key(k.to_lowercase()));
                let selected = self.members(variable, &selector, &mut members);
                if let Some(member) = members
                    .iter()
                    .find(|m| selected || key.is_none() || selector.selects(m.key))
                {
                    out.extend_from_slice(&member.value);
                }
            }
        }
    }
}

/// Whether `link` (at `depth` in the chain of rule `index` of `set`) matches `value`, as
/// the engine decides it: the operator over the value transformed by the link's chain, and
/// after each step with `multiMatch`. For links with no macro in their argument. `true`
/// when there is no such link.
pub(super) fn link_matches(set: &RuleSet, (index, depth): (usize, u8), value: &[u8]) -> bool {
    let mut link = set.rules.get(index);
    for _ in 0..depth {
        link = link.and_then(|rule| rule.chain.as_deref());
    }
    let Some(link) = link else {
        return true;
    };
    let mut scratch = (Vec::new(), Vec::new());
    if link.actions.multi_match {
        return multi_match(link, value, None, None, &mut scratch).is_some();
    }
    let (mut current, mut next) = scratch;
    current.extend_from_slice(value);
    for transform in &link.transforms {
        transform.apply(&current, &mut next);
        std::mem::swap(&mut current, &mut next);
    }
    link.operator.matches(&current, None, None)
}

/// `multiMatch`: `link`'s operator over `value`, then after each of its transformations
/// (in `scratch`); which value matched first, if one did.
fn multi_match(
    link: &Rule,
    value: &[u8],
    expanded: Option<&[u8]>,
    mut captures: Option<&mut Vec<Vec<u8>>>,
    (current, next): &mut (Vec<u8>, Vec<u8>),
) -> Option<Matched> {
    let operator = &link.operator;
    if operator.matches(value, expanded, captures.as_deref_mut()) {
        return Some(Matched::Selected);
    }
    current.clear();
    current.extend_from_slice(value);
    for transform in &link.transforms {
        transform.apply(current, next);
        std::mem::swap(current, next);
        // A transformation that changed nothing leaves the operator's answer as it was (a
        // miss): every operator is a function of its input.
        if current != next && operator.matches(current, expanded, captures.as_deref_mut()) {
            return Some(Matched::Transformed(current.clone()));
        }
    }
    None
}

/// `TX:0` to `TX:9`, the names captures are filed under.
const CAPTURE_NAMES: [&str; WAF_CAPTURES_MAX] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// A `TX` variable's name: a capture's (`TX:0`), one a rule names without a macro (shared
/// with the rule set, so CRS's hundred setup variables cost no copies), or one built from a
/// macro. Compared and hashed as the text, so the map is asked with a `&str`.
#[derive(Debug, Clone)]
enum TxName {
    Static(&'static str),
    Shared(Arc<str>),
    Owned(Box<str>),
}

impl TxName {
    fn as_str(&self) -> &str {
        match self {
            TxName::Static(name) => name,
            TxName::Shared(name) => name,
            TxName::Owned(name) => name,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl PartialEq for TxName {
    fn eq(&self, other: &TxName) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for TxName {}

impl std::hash::Hash for TxName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::borrow::Borrow<str> for TxName {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// A `TX` variable's value: shared with the rule that sets it literally, or the
/// transaction's own.
#[derive(Debug, Clone)]
enum TxValue {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
}

impl std::ops::Deref for TxValue {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            TxValue::Shared(value) => value,
            TxValue::Owned(value) => value,
        }
    }
}

/// Which value an operator matched. ModSecurity and Coraza record the value the operator
/// saw, after the rule's transformations, as `MATCHED_VAR` and in `MATCHED_VARS`: CRS
/// 944120's chain matches `MATCHED_VARS` against lowercase words its head lowercased.
enum Matched {
    /// The value as the target selected it.
    Selected,
    /// The transformed value.
    Transformed(Vec<u8>),
}

/// The values one rule's targets selected: most rules select none or a few, so they live
/// on the stack (a vector per rule was a fifth of a plain request's allocations).
type Values<'a> = SmallVec<[Selected<'a>; 4]>;

/// The values a link matched (most that match, match one): name, value, captures.
type Matches = SmallVec<[(String, Vec<u8>, Vec<Vec<u8>>); 1]>;

/// One value a rule's targets selected, and the variable and key that name it.
struct Selected<'a> {
    variable: Variable,
    key: &'a [u8],
    value: Cow<'a, [u8]>,
}

impl Selected<'_> {
    /// `VARIABLE` or `VARIABLE:key`, as logs and `MATCHED_VAR_NAME` show it.
    fn name(&self) -> String {
        let prefix = self.variable.name();
        if self.key.is_empty() {
            return prefix.to_owned();
        }
        let key = String::from_utf8_lossy(self.key);
        let mut name = String::with_capacity(prefix.len() + 1 + key.len());
        name.push_str(prefix);
        name.push(':');
        name.push_str(&key);
        name
    }

    /// Where the transformation cache files this value's transformation by `chain`: the
    /// value's address and length, for values that are the request's own and so neither
    /// change nor move within a phase (not TX, not MATCHED_*, not a computed count, not
    /// REQBODY_PROCESSOR, which a `ctl` replaces).
    fn cache_key(&self, chain: u64) -> Option<CacheKey> {
        let Cow::Borrowed(value) = self.value else {
            return None;
        };
        prefilter::is_cached(self.variable).then_some((value.as_ptr() as usize, value.len(), chain))
    }
}

/// A transformed value's place in the transaction's cache: the value's address and length,
/// and the chain's [`chain_key`].
type CacheKey = (usize, usize, u64);

/// A transformation chain as a number: the transformations' order-sensitive hash.
fn chain_key(transforms: &[Transform]) -> u64 {
    // FNV-1a over the variants.
    transforms.iter().fold(0xcbf2_9ce4_8422_2325, |hash, t| {
        (hash ^ (*t as u64)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The body processor for a content type, as ModSecurity's recommended configuration
/// picks it (`application/json` → JSON, XML types → XML).
fn processor_for(content_type: &[u8]) -> Option<&'static str> {
    let lower = content_type.to_ascii_lowercase();
    let essence = lower.split(|&b| b == b';').next().unwrap_or(&lower);
    let essence = trim(essence);
    if essence == b"application/x-www-form-urlencoded" {
        Some("URLENCODED")
    } else if essence == b"multipart/form-data" {
        Some("MULTIPART")
    } else if essence.starts_with(b"application/json") || essence.ends_with(b"+json") {
        Some("JSON")
    } else if matches!(
        essence,
        b"text/xml" | b"application/xml" | b"application/soap+xml"
    ) || essence.ends_with(b"+xml")
    {
        Some("XML")
    } else {
        None
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    bytes.get(start..end).unwrap_or_default()
}

fn header<'a>(headers: &[(&'a [u8], &'a [u8])], name: &[u8]) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fn header_of(headers: &Pairs, name: &[u8]) -> Option<Vec<u8>> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// A URL path with its `%XX` escapes decoded (`+` stays), or `None` when an escape is
/// not two hex digits (Go's `url.PathUnescape`, which Coraza uses, refuses those).
fn decode_path(path: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = path.get(i) {
        if b == b'%' {
            let hi = hex_value(*path.get(i + 1)?)?;
            let lo = hex_value(*path.get(i + 2)?)?;
            out.push((hi << 4) | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// C's `atoi`: optional sign and leading digits, 0 when there are none.
fn atoi(bytes: &[u8]) -> i64 {
    let text = trim(bytes);
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if negative { -value } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waf::secrule::Builder;

    fn rules(text: &str) -> RuleSet {
        let mut builder = Builder::new();
        let no_data = |name: &str| Err(format!("no {name}"));
        builder.add_file("test.conf", text, &no_data).unwrap();
        builder.finish()
    }

    /// The ids that matched and the rule that interrupted, for `method target` with
    /// `headers` and `body`.
    fn check(
        set: &RuleSet,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> (Vec<u32>, Option<(u32, u16)>) {
        let headers: Vec<(&[u8], &[u8])> = headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect();
        let method: &[u8] = if body.is_some() { b"POST" } else { b"GET" };
        let verdict = set.check_request(&Request {
            method,
            target: target.as_bytes(),
            protocol: "HTTP/1.1",
            headers: &headers,
            body: body.map(str::as_bytes),
            peer: "192.0.2.1:4000".parse().unwrap(),
            unique_id: "t-1",
        });
        (
            verdict.matches.iter().map(|m| m.id).collect(),
            verdict.interruption.map(|i| (i.rule_id, i.status)),
        )
    }

    /// A whole transaction: `target` (GET), then a response with `status`, `headers` and
    /// `body` (phase 4 reads it when it wants to); the matched ids and the interruption
    /// with its phase.
    fn exchange(
        set: &RuleSet,
        target: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (Vec<u32>, Option<(u32, u16, u8)>) {
        let mut tx = set.begin(&Request {
            method: b"GET",
            target: target.as_bytes(),
            protocol: "HTTP/1.1",
            headers: &[],
            body: None,
            peer: "192.0.2.1:4000".parse().unwrap(),
            unique_id: "t-1",
        });
        let headers: Vec<(&[u8], &[u8])> = headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect();
        tx.check_response_head(
            set,
            &ResponseHead {
                status,
                protocol: "HTTP/1.1",
                headers: &headers,
            },
        );
        if let Some(limit) = tx.response_body_wanted(set) {
            let body = body.as_bytes();
            tx.check_response_body(set, &body[..body.len().min(limit)], body.len() > limit);
        }
        let verdict = tx.finish(set);
        (
            verdict.matches.iter().map(|m| m.id).collect(),
            verdict.interruption.map(|i| (i.rule_id, i.status, i.phase)),
        )
    }

    #[test]
    fn response_phases_see_the_status_fields_and_body() {
        let set = rules(
            "SecResponseBodyAccess On\n\
             SecResponseBodyLimit 16\n\
             SecRule RESPONSE_STATUS \"@rx ^5\" \"id:1,phase:3,pass,log\"\n\
             SecRule RESPONSE_HEADERS:X-Powered-By \"@rx php\" \"id:2,phase:3,pass,log,t:lowercase\"\n\
             SecRule RESPONSE_HEADERS_NAMES \"@streq server\" \"id:3,phase:3,pass,log,t:lowercase\"\n\
             SecRule RESPONSE_CONTENT_TYPE \"@beginsWith text/plain\" \"id:4,phase:3,pass,log\"\n\
             SecRule RESPONSE_CONTENT_LENGTH \"@gt 10\" \"id:5,phase:3,pass,log\"\n\
             SecRule RESPONSE_PROTOCOL \"@streq HTTP/1.1\" \"id:6,phase:3,pass,log\"\n\
             SecRule RESPONSE_BODY \"@contains secret\" \"id:7,phase:4,deny,status:502,log\"\n\
             SecRule RESPONSE_STATUS \"@eq 200\" \"id:8,phase:4,pass,log\"\n",
        );
        let text = [("Content-Type", "text/plain; charset=utf-8")];
        // (status, headers, body, matched, interruption)
        type Case<'a> = (
            u16,
            &'a [(&'a str, &'a str)],
            &'a str,
            &'a [u32],
            Option<(u32, u16, u8)>,
        );
        let cases: &[Case] = &[
            (200, &text, "fine", &[4, 6, 8], None),
            (503, &[("X-Powered-By", "PHP/8.2")], "", &[1, 2, 6], None),
            (
                200,
                &[("Server", "x"), ("Content-Length", "11")],
                "",
                &[3, 5, 6, 8],
                None,
            ),
            // The body phase 4 reads: a listed media type (any case, parameters aside).
            (200, &text, "a secret", &[4, 6, 7], Some((7, 502, 4))),
            (
                200,
                &[("Content-Type", "TEXT/HTML")],
                "a secret",
                &[6, 7],
                Some((7, 502, 4)),
            ),
            // Not listed: unread, so phase 4's other rules still run.
            (
                200,
                &[("Content-Type", "application/json")],
                "a secret",
                &[6, 8],
                None,
            ),
            (200, &[], "a secret", &[6, 8], None),
            // Past the limit (16 bytes) nothing is read: ProcessPartial.
            (200, &text, "0123456789abcdef secret", &[4, 6, 8], None),
        ];
        for &(status, headers, body, matched, interruption) in cases {
            assert_eq!(
                exchange(&set, "/", status, headers, body),
                (matched.to_vec(), interruption),
                "{status} {headers:?} {body:?}"
            );
        }
    }

    #[test]
    fn response_body_settings_limit_reject_and_access() {
        let body_rule = "SecRule RESPONSE_BODY \"@contains x\" \"id:1,phase:4,pass,log\"\n";
        let text = [("Content-Type", "text/xml")];
        // Access off (the default): nothing reads the body.
        let off = rules(body_rule);
        assert_eq!(exchange(&off, "/", 200, &text, "x"), (vec![], None));
        // Reject: a body past the limit is refused, in On only.
        let reject = rules(&format!(
            "SecResponseBodyAccess On\nSecResponseBodyLimit 4\nSecResponseBodyLimitAction Reject\n{body_rule}"
        ));
        assert_eq!(exchange(&reject, "/", 200, &text, "x"), (vec![1], None));
        assert_eq!(
            exchange(&reject, "/", 200, &text, "x2345"),
            (vec![], Some((0, 500, 4)))
        );
        let detect = rules(&format!(
            "SecRuleEngine DetectionOnly\nSecResponseBodyAccess On\nSecResponseBodyLimit 4\n\
             SecResponseBodyLimitAction Reject\n{body_rule}"
        ));
        assert_eq!(exchange(&detect, "/", 200, &text, "x2345"), (vec![1], None));
        // The media type list is the set's to change.
        let json = rules(&format!(
            "SecResponseBodyAccess On\nSecResponseBodyMimeTypesClear\n\
             SecResponseBodyMimeType application/json\n{body_rule}"
        ));
        assert_eq!(exchange(&json, "/", 200, &text, "x"), (vec![], None));
        let json_type = [("Content-Type", "application/json")];
        assert_eq!(exchange(&json, "/", 200, &json_type, "x"), (vec![1], None));
        // Settings that do not parse name what they take.
        for (text, error) in [
            ("SecResponseBodyAccess Maybe", "the value is On or Off"),
            (
                "SecResponseBodyLimit 0",
                "SecResponseBodyLimit is a number of bytes",
            ),
            (
                "SecResponseBodyLimit 99999999999",
                "SecResponseBodyLimit is a number of bytes",
            ),
            (
                "SecResponseBodyLimitAction Drop",
                "Reject or ProcessPartial",
            ),
        ] {
            let mut builder = Builder::new();
            let no_data = |name: &str| Err(format!("no {name}"));
            let got = builder.add_file("test.conf", text, &no_data).unwrap_err();
            assert!(got.message.contains(error), "{text}: {got}");
        }
    }

    #[test]
    fn scores_carry_to_the_response_and_logging_runs_after_any_refusal() {
        let set = rules(
            "SecRule ARGS \"@rx evil\" \"id:1,phase:2,pass,log,setvar:tx.score=+5\"\n\
             SecRule ARGS \"@rx worse\" \"id:2,phase:2,deny,log,setvar:tx.score=+5\"\n\
             SecRule RESPONSE_STATUS \"@rx .\" \"id:3,phase:3,pass,log\"\n\
             SecRule TX:score \"@ge 5\" \"id:4,phase:4,pass,log\"\n\
             SecRule TX:score \"@ge 5\" \"id:5,phase:5,deny,log,msg:'score %{tx.score}'\"\n",
        );
        // Phase 2's score is phase 4's and 5's; phase 5 logs but cannot refuse.
        assert_eq!(
            exchange(&set, "/?a=evil", 200, &[], ""),
            (vec![1, 3, 4, 5], None)
        );
        // A request phase refused: no response phases, logging still.
        assert_eq!(
            exchange(&set, "/?a=worse", 200, &[], ""),
            (vec![2, 5], Some((2, 403, 2)))
        );
        assert_eq!(exchange(&set, "/?a=fine", 200, &[], ""), (vec![3], None));
    }

    #[test]
    fn allow_lets_through_the_phase_the_request_or_all_but_logging() {
        let body = |allow: &str| {
            format!(
                "SecRule ARGS:a \"@streq 1\" \"id:1,phase:1,{allow}\"\n\
                 SecRule ARGS \"@rx .\" \"id:2,phase:1,pass,log\"\n\
                 SecRule ARGS \"@rx .\" \"id:3,phase:2,pass,log\"\n\
                 SecRule RESPONSE_STATUS \"@rx .\" \"id:4,phase:3,pass,log\"\n\
                 SecRule RESPONSE_STATUS \"@rx .\" \"id:5,phase:4,pass,log\"\n\
                 SecRule RESPONSE_STATUS \"@rx .\" \"id:6,phase:5,pass,log\"\n"
            )
        };
        for (allow, matched) in [
            // Rule 1 logs (ModSecurity's default `log`), whatever it lets through.
            ("allow:phase", &[1, 3, 4, 5, 6][..]),
            ("allow:request", &[1, 4, 5, 6][..]),
            ("allow", &[1, 6][..]),
            ("pass", &[1, 2, 3, 4, 5, 6][..]),
        ] {
            let set = rules(&body(allow));
            assert_eq!(
                exchange(&set, "/?a=1", 200, &[], ""),
                (matched.to_vec(), None),
                "{allow}"
            );
        }
    }

    #[test]
    fn anomaly_scores_add_up_to_a_deny() {
        let set = rules(
            "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.threshold=5\"\n\
             SecRule ARGS \"@rx (?i)union\" \"id:10,phase:2,pass,t:none,setvar:'tx.score=+3'\"\n\
             SecRule ARGS \"@rx (?i)select\" \"id:11,phase:2,pass,t:none,setvar:'tx.score=+3'\"\n\
             SecRule TX:SCORE \"@ge %{tx.threshold}\" \"id:99,phase:2,deny,status:403,msg:'score %{tx.score}'\"\n",
        );
        assert_eq!(check(&set, "/?a=union", &[], None), (vec![10], None));
        assert_eq!(
            check(&set, "/?a=union&b=select", &[], None),
            (vec![10, 11, 99], Some((99, 403)))
        );
        // Each matching value runs the actions: two arguments, two increments.
        assert_eq!(
            check(&set, "/?a=union&b=UNION", &[], None),
            (vec![10, 99], Some((99, 403)))
        );
        // Form bodies are ARGS too.
        assert_eq!(
            check(
                &set,
                "/",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                Some("a=union&b=select")
            ),
            (vec![10, 11, 99], Some((99, 403)))
        );
    }

    #[test]
    fn chains_see_what_their_parent_captured_and_stored() {
        // CRS 920450's shape: store each header name, then look it up in a list.
        let set = rules(
            "SecAction \"id:1,phase:1,pass,nolog,setvar:'tx.restricted=/proxy/ /if/'\"\n\
             SecRule REQUEST_HEADERS_NAMES \"@rx ^.*$\" \"id:2,phase:1,block,capture,t:none,t:lowercase,\
             setvar:'tx.header_name_%{tx.0}=/%{tx.0}/',chain\"\n\
             \tSecRule TX:/^header_name_/ \"@within %{tx.restricted}\" \"t:none\"\n",
        );
        assert_eq!(
            check(&set, "/", &[("Host", "a"), ("Proxy", "x")], None).0,
            [2]
        );
        assert_eq!(
            check(&set, "/", &[("Host", "a")], None).0,
            Vec::<u32>::new()
        );
    }

    #[test]
    fn matched_vars_hold_the_transformed_value() {
        // Regression: MATCHED_VAR(S) held the value before t:lowercase, so CRS 944120's
        // chain (lowercase words over MATCHED_VARS) missed `ProcessBuilder`.
        let set = rules(
            "SecRule ARGS \"@rx clonetransformer\" \"id:1,phase:2,pass,t:none,t:lowercase,chain\"\n\
             \tSecRule MATCHED_VARS \"@rx processbuilder\" \"t:none\"\n\
             SecRule ARGS \"@rx ^abc$\" \"id:2,phase:2,pass,t:none,t:lowercase,chain\"\n\
             \tSecRule MATCHED_VAR \"@rx ^abc$\" \"t:none\"\n\
             SecRule ARGS \"@rx ^ABC$\" \"id:3,phase:2,pass,multiMatch,t:none,t:lowercase,chain\"\n\
             \tSecRule MATCHED_VAR \"@rx ^ABC$\" \"t:none\"\n",
        );
        assert_eq!(
            check(&set, "/?a=ProcessBuilder.CloneTransformer", &[], None).0,
            [1]
        );
        assert_eq!(check(&set, "/?a=ABC", &[], None).0, [2, 3]);
    }

    #[test]
    fn a_transformation_made_once_serves_every_rule_with_the_same_chain() {
        // Rules 1 and 2 share a chain over the same argument (the second is answered from
        // the transaction's cache); rule 3's chain has the same transformations in the other
        // order (another cache entry), rule 4 changes the TX value rule 5 reads (never
        // cached), and rule 6's body argument is new in phase 2.
        let set = rules(
            "SecRule ARGS \"@rx ^AB$\" \"id:1,phase:1,pass,log,t:none,t:lowercase,t:uppercase\"\n\
             SecRule ARGS \"@rx ^AB$\" \"id:2,phase:2,pass,log,t:none,t:lowercase,t:uppercase\"\n\
             SecRule ARGS \"@rx ^ab$\" \"id:3,phase:2,pass,log,t:none,t:uppercase,t:lowercase\"\n\
             SecAction \"id:10,phase:2,pass,nolog,setvar:tx.v=A\"\n\
             SecRule TX:v \"@rx ^a$\" \"id:4,phase:2,pass,log,t:none,t:lowercase,setvar:tx.v=B\"\n\
             SecRule TX:v \"@rx ^b$\" \"id:5,phase:2,pass,log,t:none,t:lowercase\"\n\
             SecRule ARGS_POST \"@rx ^<i>$\" \"id:6,phase:2,pass,log,t:none,t:urlDecode,t:lowercase\"\n",
        );
        let (ids, _) = check(
            &set,
            "/?a=aB",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some("p=%253CI%253E"),
        );
        assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn request_body_is_only_what_the_urlencoded_processor_read() {
        // Regression: REQUEST_BODY held every body, so CRS 944xxx matched XML element
        // names that ModSecurity v2 and Coraza never show them (REQUEST_BODY is filled by
        // the URLENCODED processor, or when CRS 901340 forces it for bodies no processor
        // claims).
        let set = rules(
            "SecRule REQBODY_PROCESSOR \"!@rx (?:URLENCODED|MULTIPART|XML|JSON)\" \
             \"id:1,phase:1,pass,nolog,ctl:forceRequestBodyVariable=On\"\n\
             SecRule REQUEST_BODY \"@rx evil\" \"id:2,phase:2,pass\"\n\
             SecRule ARGS|XML:/* \"@rx evil\" \"id:3,phase:2,pass\"\n\
             SecRule REQBODY_PROCESSOR \"@streq XML\" \"id:4,phase:1,pass\"\n",
        );
        let xml = [("Content-Type", "application/xml")];
        assert_eq!(
            check(&set, "/", &xml, Some("<evil a=\"x\">ok</evil>")).0,
            [4]
        );
        assert_eq!(check(&set, "/", &xml, Some("<a>evil</a>")).0, [4, 3]);
        let json = [("Content-Type", "application/json")];
        assert_eq!(check(&set, "/", &json, Some("{\"a\":\"evil\"}")).0, [3]);
        let form = [("Content-Type", "application/x-www-form-urlencoded")];
        assert_eq!(check(&set, "/", &form, Some("a=evil")).0, [2, 3]);
        // No processor: forced to URLENCODED, the body is REQUEST_BODY (and `evil` an
        // argument's name).
        let text = [("Content-Type", "text/plain")];
        assert_eq!(check(&set, "/", &text, Some("evil")).0, [2]);
        assert_eq!(check(&set, "/", &[], Some("evil")).0, [2]);
    }

    #[test]
    fn skip_after_resumes_past_the_next_marker_of_its_name_or_ends_the_phase() {
        let set = rules(
            "SecMarker M\n\
             SecRule ARGS \"@rx a\" \"id:1,phase:2,pass,skipAfter:M\"\n\
             SecRule ARGS \"@rx .\" \"id:2,phase:2,pass\"\n\
             SecMarker OTHER\n\
             SecRule ARGS \"@rx .\" \"id:3,phase:2,pass\"\n\
             SecMarker M\n\
             SecRule ARGS \"@rx .\" \"id:4,phase:2,pass\"\n\
             SecRule ARGS \"@rx b\" \"id:5,phase:2,pass,skipAfter:NOWHERE\"\n\
             SecRule ARGS \"@rx .\" \"id:6,phase:2,pass\"\n\
             SecMarker M\n\
             SecRule ARGS \"@rx .\" \"id:7,phase:2,pass\"\n",
        );
        // Past the first `M` after the rule (not the one before it, not `OTHER`).
        assert_eq!(check(&set, "/?x=a", &[], None).0, [1, 4, 6, 7]);
        // A marker that never comes: the rest of the phase is skipped.
        assert_eq!(check(&set, "/?x=ab", &[], None).0, [1, 4, 5]);
        assert_eq!(check(&set, "/?x=c", &[], None).0, [2, 3, 4, 6, 7]);
    }

    #[test]
    fn links_over_empty_variables_are_passed_by_and_counts_are_not() {
        // What the engine passes by on `present` (a rule over arguments on a request
        // without any) must be what selecting its values would have found empty: every
        // variable `present` leaves out has no members, in every phase's state.
        let set = rules(
            "SecResponseBodyAccess On\n\
             SecResponseBodyMimeType text/plain\n\
             SecRule &ARGS \"@eq 0\" \"id:1,phase:1,pass\"\n\
             SecRule ARGS \"!@rx nothing\" \"id:2,phase:2,pass\"\n\
             SecRule ARGS|REQUEST_COOKIES \"@rx .\" \"id:3,phase:2,pass\"\n",
        );
        type Exchange<'a> = (&'a str, &'a [(&'a str, &'a str)], Option<&'a str>);
        let exchanges: [Exchange; 6] = [
            ("/", &[], None),
            ("/?a=1", &[("Cookie", "c=2")], None),
            (
                "/",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                Some("a=1&b=2"),
            ),
            (
                "/",
                &[("Content-Type", "multipart/form-data; boundary=X")],
                Some(
                    "--X\r\nContent-Disposition: form-data; name=\"f\"; \
                     filename=\"a.txt\"\r\n\r\nhi\r\n--X--\r\n",
                ),
            ),
            (
                "/",
                &[("Content-Type", "text/xml")],
                Some("<a b=\"c\">d</a>"),
            ),
            ("/", &[("Content-Type", "application/json")], Some("{oops")),
        ];
        let mut left_out = 0;
        for (target, headers, body) in exchanges {
            let headers: Vec<(&[u8], &[u8])> = headers
                .iter()
                .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
                .collect();
            let mut tx = set.begin(&Request {
                method: if body.is_some() { b"POST" } else { b"GET" },
                target: target.as_bytes(),
                protocol: "HTTP/1.1",
                headers: &headers,
                body: body.map(str::as_bytes),
                peer: "192.0.2.1:4000".parse().unwrap(),
                unique_id: "t-1",
            });
            let mut agrees = |tx: &Transaction, when: &str| {
                let present = tx.present();
                for variable in Variable::all() {
                    let mut members = Values::new();
                    tx.members(variable, &Selector::All, &mut members);
                    if present & variable.bit() == 0 {
                        left_out += 1;
                        assert!(
                            members.is_empty(),
                            "{target} {when}: {} has members but was left out",
                            variable.name()
                        );
                    }
                }
            };
            agrees(&tx, "after the request");
            tx.check_response_head(
                &set,
                &ResponseHead {
                    status: 200,
                    protocol: "HTTP/1.1",
                    headers: &[(b"content-type", b"text/plain")],
                },
            );
            agrees(&tx, "after the response head");
            tx.check_response_body(&set, b"body", false);
            agrees(&tx, "after the response body");
        }
        assert!(
            left_out > 0,
            "nothing was ever left out: the check checked nothing"
        );
        // A count has a value even of an empty collection; a negated operator over no
        // values matches nothing, as in ModSecurity.
        assert_eq!(check(&set, "/", &[], None).0, [1]);
        assert_eq!(check(&set, "/?a=1", &[], None).0, [2, 3]);
        assert_eq!(check(&set, "/", &[("Cookie", "c=2")], None).0, [1, 3]);
    }

    #[test]
    fn request_filename_and_basename_are_percent_decoded() {
        // Regression: REQUEST_FILENAME was the raw path, so CRS 933151 missed
        // `/get/array_diff%20%28` (a PHP function call once decoded).
        let set = rules(
            "SecRule REQUEST_FILENAME \"@rx ^/get/array_diff \\($\" \"id:1,phase:1,pass\"\n\
             SecRule REQUEST_BASENAME \"@rx ^a\\+b c$\" \"id:2,phase:1,pass\"\n\
             SecRule REQUEST_FILENAME \"@rx ^/x%zz\\?q=1$\" \"id:3,phase:1,pass\"\n",
        );
        assert_eq!(check(&set, "/get/array_diff%20%28", &[], None).0, [1]);
        assert_eq!(check(&set, "/d/a+b%20c?x=1", &[], None).0, [2]);
        // An invalid escape: the whole target, as Coraza keeps it.
        assert_eq!(check(&set, "/x%zz?q=1", &[], None).0, [3]);
    }

    #[test]
    fn markers_counts_exclusions_and_runtime_removal() {
        let set = rules(
            "SecRule &TX:skip \"@eq 0\" \"id:1,phase:1,pass,nolog,skipAfter:END\"\n\
             SecRule ARGS \"@rx .\" \"id:2,phase:1,pass\"\n\
             SecMarker END\n\
             SecRule ARGS|!ARGS:safe \"@rx evil\" \"id:3,phase:1,pass\"\n\
             SecRule REQUEST_HEADERS:X-Off \"@rx ^1$\" \"id:4,phase:1,pass,nolog,ctl:ruleRemoveById=5\"\n\
             SecRule ARGS_NAMES \"@rx ^n$\" \"id:5,phase:1,pass\"\n",
        );
        assert_eq!(check(&set, "/?a=x", &[], None).0, Vec::<u32>::new());
        assert_eq!(check(&set, "/?safe=evil&n=1", &[], None).0, [5]);
        assert_eq!(check(&set, "/?other=evil&n=1", &[], None).0, [3, 5]);
        assert_eq!(
            check(&set, "/?n=1", &[("X-Off", "1")], None).0,
            Vec::<u32>::new()
        );
    }

    #[test]
    fn detection_only_never_interrupts_and_the_request_variables_are_modsecuritys() {
        let set = rules(
            "SecRuleEngine DetectionOnly\n\
             SecRule REQUEST_LINE \"@rx ^GET /a/b\\.php\\?x=1 HTTP/1\\.1$\" \"id:1,phase:1,deny\"\n\
             SecRule REQUEST_FILENAME \"@rx ^/a/b\\.php$\" \"id:2,phase:1,pass\"\n\
             SecRule REQUEST_BASENAME \"@rx ^b\\.php$\" \"id:3,phase:1,pass\"\n\
             SecRule QUERY_STRING \"@rx ^x=1$\" \"id:4,phase:1,pass\"\n\
             SecRule REQUEST_URI \"@rx ^/a/b\\.php\\?x=1$\" \"id:5,phase:1,pass\"\n\
             SecRule REMOTE_ADDR \"@rx ^192\\.0\\.2\\.1$\" \"id:6,phase:1,pass\"\n",
        );
        assert_eq!(
            check(&set, "/a/b.php?x=1", &[], None),
            (vec![1, 2, 3, 4, 5, 6], None)
        );
        let absolute = check(&set, "http://example.com/a/b.php?x=1", &[], None).0;
        assert_eq!(
            absolute,
            [2, 3, 4, 5, 6],
            "absolute form: REQUEST_URI drops the authority"
        );
    }
}
