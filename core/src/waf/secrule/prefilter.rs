//! Combined `@rx` prefiltering: one regex set per group of rules that see the same values,
//! so that a rule whose pattern cannot match a value is answered without running its own
//! regex.
//!
//! # Why
//!
//! CRS runs a few hundred `@rx` rules, most over the same handful of collections (`ARGS`,
//! `ARGS_NAMES`, `REQUEST_COOKIES`, …) after the same few transformation chains. An ordinary
//! request matches none of them, yet each rule searched each value on its own: on a browser
//! request with a few cookies and arguments that is over a thousand regex searches, nearly
//! all of them short values for which the fixed cost of a search dominates.
//!
//! # How
//!
//! When a [`RuleSet`](super::RuleSet) is built, the `@rx` links are grouped by what decides
//! the values they search: the phase (a set's answers are kept for one phase, since the
//! next may have more values, so phases never share a scan), the transformation chain and whether the pattern
//! was compiled with Unicode; and by the head's `paranoia-level/N` tag, because CRS skips
//! the rules above the configured level with `skipAfter` and a set that holds only those is
//! then never scanned (sets are scanned lazily, when a rule first asks). Each group's
//! distinct patterns are compiled into one [`RegexSet`], with exactly the options
//! [`Operator`](super::operator::Operator) compiles each of them with, and each link keeps
//! its [`Slot`]: which set, which pattern. (Grouping by target list as well was measured:
//! the groups got too small to pay, and once the patterns that match ordinary values are
//! left out, a scan costs about 2 ns a byte whichever rules want it.)
//!
//! The engine uses a set in two ways, and both only ever ask "does pattern P match value V",
//! which `regex` answers for a set exactly as for P's regex alone:
//!
//! - **Per value.** The set runs once per transformed value (the answer is kept under the
//!   transformation cache's key); a link then looks up its pattern's bit. A clear bit is a
//!   miss without the regex; a set bit sends the value to the link's own regex, which finds
//!   the captures. Chains, captures, `MATCHED_VAR`, negation, `ctl` removals, `skipAfter`
//!   and target exclusions all stay where they were, in the engine.
//! - **Per link.** A link whose operator is not negated and whose targets are all request
//!   collections that do not change within a phase ([`is_stable`]) selects its values from
//!   the set's [`variables`](Prefilter::variables). The first time a link of the set asks in
//!   a phase, the set runs over every value of those variables; a pattern matching none of
//!   them cannot match any value the link selects (selectors, `!` exclusions and `ctl`
//!   removals only take values away), so the link matches nothing and is skipped before
//!   its values are even selected. On an ordinary request that is most of CRS's rules, and
//!   it is where most of the saving comes from: selecting and looking up values rule after
//!   rule cost more than the regexes did.
//!
//! # Which patterns
//!
//! A set only pays when its patterns rarely match: its answer for a pattern that matches
//! an ordinary value is "ask the regex", and a set search has to report every position
//! where any of its patterns matches (`regex` sets find all matching patterns, so the
//! search cannot stop at the first one), which for a pattern such as `^[^;\s]+` or `#.*`
//! is nearly every byte: one such pattern made a set's scan of a user agent five times
//! slower. So a pattern that matches one of [`ORDINARY_VALUES`] (typical header and
//! argument values) stays out of the sets, and its rule runs its own regex as before. A
//! group smaller than [`WAF_RX_SET_PATTERNS_MIN`] is not worth a set either: a set's
//! search costs a few regex searches on a short value.
//!
//! # Limits
//!
//! A group's set is built from at most [`WAF_RX_SET_PATTERNS_MAX`] patterns (larger groups
//! are cut into several sets) and within [`WAF_RX_SIZE_BYTES_MAX`]; a set that does not
//! build within it is split in two, down to single patterns, which are left to their own
//! regex. `multiMatch` links (they search every intermediate value) and links whose targets
//! are never cached (`TX`, `MATCHED_VAR`, counts) are not grouped.

use regex::bytes::{Regex, RegexSet, RegexSetBuilder, SetMatches};
use rustc_hash::FxHashMap;

use super::rule::{Entry, Rule};
use super::transform::Transform;
use super::variable::Variable;
use crate::limits::{
    WAF_RX_SET_DFA_SIZE_BYTES_MAX, WAF_RX_SET_PATTERNS_MAX, WAF_RX_SET_PATTERNS_MIN,
    WAF_RX_SIZE_BYTES_MAX,
};

/// Where a link's pattern sits in the [`Prefilter`]: which set, which pattern of it, and
/// whether the set can answer for the whole link (see [`Prefilter::variables`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub set: u32,
    pub pattern: u32,
    /// The link's operator is not negated and its targets are all [`is_stable`] variables
    /// of the set's: when no value of those variables matches the pattern, the link
    /// matches nothing, and the engine skips it without selecting its values.
    pub whole_link: bool,
}

/// The rule set's regex sets, built once with it.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    groups: Vec<Group>,
}

/// One set, and what its links share.
#[derive(Debug, Clone)]
struct Group {
    set: RegexSet,
    /// The transformation chain of every link in the set.
    transforms: Vec<Transform>,
    /// The [`is_stable`] variables the set's links target, without repeats.
    variables: Vec<Variable>,
}

/// A link that can be grouped, found by its path: the rule's index and the link's depth
/// in the chain.
struct Member {
    rule: usize,
    depth: usize,
    pattern: String,
    whole_link: bool,
    variables: Vec<Variable>,
}

/// What the links of one group share.
#[derive(Debug, PartialEq, Eq, Hash)]
struct GroupKey {
    phase: u8,
    transforms: Vec<Transform>,
    unicode: bool,
    /// The head's `paranoia-level/N` tag.
    paranoia: Option<String>,
}

impl Prefilter {
    /// Groups the `@rx` links of the rules the phases run and compiles a set per group;
    /// sets each grouped link's [`Rule::prefilter`].
    pub fn build(rules: &mut [Rule], phases: &[Vec<Entry>; 5]) -> Prefilter {
        let mut groups: FxHashMap<GroupKey, Vec<Member>> = FxHashMap::default();
        // Rules in phase order, each once (a removed rule is in no phase).
        let mut order = Vec::new();
        let mut seen = vec![false; rules.len()];
        for entries in phases {
            for entry in entries {
                if let Entry::Rule(index) = entry
                    && let Some(seen) = seen.get_mut(*index)
                    && !*seen
                {
                    *seen = true;
                    order.push(*index);
                }
            }
        }
        for &index in &order {
            let Some(head) = rules.get(index) else {
                continue;
            };
            let paranoia = head
                .actions
                .tags
                .iter()
                .find(|tag| tag.starts_with("paranoia-level/"))
                .cloned();
            let mut link = Some(head);
            let mut depth = 0;
            while let Some(rule) = link {
                if let Some((pattern, unicode)) = groupable(rule) {
                    let key = GroupKey {
                        phase: head.phase,
                        transforms: rule.transforms.clone(),
                        unicode,
                        paranoia: paranoia.clone(),
                    };
                    let targets = rule.targets.iter().filter(|t| !t.exclude);
                    let mut variables: Vec<Variable> = targets
                        .clone()
                        .filter(|t| !t.count && is_stable(t.variable))
                        .map(|t| t.variable)
                        .collect();
                    variables.dedup();
                    let whole_link = !rule.operator.is_negated()
                        && targets.clone().all(|t| !t.count && is_stable(t.variable));
                    groups.entry(key).or_default().push(Member {
                        rule: index,
                        depth,
                        pattern: pattern.to_owned(),
                        whole_link,
                        variables,
                    });
                }
                link = rule.chain.as_deref();
                depth += 1;
            }
        }
        // Build in a fixed order, so that set numbers do not depend on hashing.
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_by(|a, b| {
            let first = |members: &[Member]| members.first().map(|m| (m.rule, m.depth));
            first(&a.1).cmp(&first(&b.1))
        });
        let mut prefilter = Prefilter::default();
        for (key, members) in groups {
            let mut patterns: Vec<&str> = Vec::new();
            for member in &members {
                if !patterns.contains(&member.pattern.as_str()) {
                    patterns.push(&member.pattern);
                }
            }
            let mut slots: FxHashMap<&str, (u32, u32)> = FxHashMap::default();
            for chunk in patterns.chunks(WAF_RX_SET_PATTERNS_MAX) {
                prefilter.add(chunk, &key, &mut slots);
            }
            for member in &members {
                let Some(&(set, pattern)) = slots.get(member.pattern.as_str()) else {
                    continue;
                };
                if let Some(group) = usize::try_from(set)
                    .ok()
                    .and_then(|set| prefilter.groups.get_mut(set))
                {
                    for &variable in &member.variables {
                        if !group.variables.contains(&variable) {
                            group.variables.push(variable);
                        }
                    }
                }
                if let Some(rule) = rules.get_mut(member.rule)
                    && let Some(link) = link_mut(rule, member.depth)
                {
                    link.prefilter = Some(Slot {
                        set,
                        pattern,
                        whole_link: member.whole_link,
                    });
                }
            }
        }
        prefilter
    }

    /// Compiles `patterns` into one set, or into halves when that does not build; fewer
    /// than [`WAF_RX_SET_PATTERNS_MIN`] are not worth a set (their own regexes answer as
    /// fast). Files each pattern's (set, index) in `slots`.
    fn add<'p>(
        &mut self,
        patterns: &[&'p str],
        key: &GroupKey,
        slots: &mut FxHashMap<&'p str, (u32, u32)>,
    ) {
        if patterns.len() < WAF_RX_SET_PATTERNS_MIN {
            return;
        }
        match build_set(patterns, key.unicode) {
            Ok(set) => {
                let Ok(index) = u32::try_from(self.groups.len()) else {
                    return;
                };
                for (at, pattern) in patterns.iter().enumerate() {
                    if let Ok(at) = u32::try_from(at) {
                        slots.insert(pattern, (index, at));
                    }
                }
                self.groups.push(Group {
                    set,
                    transforms: key.transforms.clone(),
                    variables: Vec::new(),
                });
            }
            Err(_) => {
                let (left, right) = patterns.split_at(patterns.len() / 2);
                self.add(left, key, slots);
                self.add(right, key, slots);
            }
        }
    }

    /// The patterns of set `set` that match `input`; `None` for a set that does not exist
    /// (never so for a [`Slot`] this prefilter handed out).
    pub fn matches(&self, set: u32, input: &[u8]) -> Option<Matched> {
        let group = self.groups.get(usize::try_from(set).ok()?)?;
        Some(Matched(group.set.matches(input)))
    }

    /// The transformation chain of set `set`'s links.
    pub fn transforms(&self, set: u32) -> Option<&[Transform]> {
        let group = self.groups.get(usize::try_from(set).ok()?)?;
        Some(&group.transforms)
    }

    /// The variables whose values, transformed by [`transforms`](Self::transforms), hold
    /// every value a [`Slot::whole_link`] link of set `set` can select: the union of its
    /// links' [`is_stable`] targets, every member (selectors and exclusions only ever
    /// narrow a link's values down from there).
    pub fn variables(&self, set: u32) -> Option<&[Variable]> {
        let group = self.groups.get(usize::try_from(set).ok()?)?;
        Some(&group.variables)
    }

    /// How many patterns set `set` holds (0 for none).
    pub fn set_len(&self, set: u32) -> usize {
        usize::try_from(set)
            .ok()
            .and_then(|set| self.groups.get(set))
            .map_or(0, |group| group.set.len())
    }

    /// How many sets there are.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// How many patterns the sets hold together.
    pub fn patterns(&self) -> usize {
        self.groups.iter().map(|group| group.set.len()).sum()
    }
}

/// Which patterns of one set matched one value.
#[derive(Debug, Clone)]
pub struct Matched(SetMatches);

impl Matched {
    /// Whether pattern `pattern` matched; `true` (ask the regex) for an index past the set.
    pub fn may_match(&self, pattern: u32) -> bool {
        match usize::try_from(pattern) {
            Ok(index) if index < self.0.len() => self.0.matched(index),
            _ => true,
        }
    }

    /// The indexes of the patterns that matched, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter()
    }
}

/// The link's pattern and Unicode flag when it can join a group: an `@rx` that searches
/// only the transformed value (no `multiMatch`) of at least one target whose values the
/// engine caches.
fn groupable(rule: &Rule) -> Option<(&str, bool)> {
    if rule.actions.multi_match {
        return None;
    }
    let (regex, unicode) = rule.operator.rx_pattern()?;
    let cached = rule
        .targets
        .iter()
        .any(|t| !t.exclude && !t.count && is_cached(t.variable));
    (cached && selective(regex)).then_some((regex.as_str(), unicode))
}

/// Whether the engine caches the transformed values of `variable` (see
/// `Selected::cache_key` in the engine): the request's own values, not TX or MATCHED_*,
/// which change within a phase.
pub fn is_cached(variable: Variable) -> bool {
    !matches!(
        variable,
        Variable::Tx
            | Variable::ReqbodyProcessor
            | Variable::MatchedVar
            | Variable::MatchedVarName
            | Variable::MatchedVars
            | Variable::MatchedVarsNames
    )
}

/// Typical values of headers and arguments, none of them an attack: a pattern that
/// matches one of them is not selective enough for a set (see the module doc). They need
/// not be complete, only typical: a pattern they let through costs some speed, never a
/// verdict.
pub const ORDINARY_VALUES: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
     Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "application/json, text/plain, */*",
    "gzip, deflate, br, zstd",
    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "no-cache",
    "keep-alive",
    "https://www.example.org/blog/2024/05/some-article-title?ref=home",
    "/static/css/main.8c3d2a1f.css",
    "example.org:443",
    "_ga=GA1.2.1234567890.1712345678; sid=Zm9vYmFyYmF6cXV4; lang=de",
    "Zm9vYmFyYmF6cXV4",
    "running shoes",
    "price_asc",
    "42",
    "2024-05-17",
    "user@example.org",
];

/// Whether `regex` matches none of [`ORDINARY_VALUES`].
fn selective(regex: &Regex) -> bool {
    !ORDINARY_VALUES
        .iter()
        .any(|value| regex.is_match(value.as_bytes()))
}

/// Whether `variable`'s values are the request's (or the response's) own and stay as they
/// are, at the same addresses, through a phase (the body's arrive between phases, the
/// response's before phase 3 and its body before phase 4): what lets a set's scan of all
/// of them stand for every rule of the phase. Not TX and MATCHED_* (rules change
/// them), not REQBODY_PROCESSOR (a `ctl` does), not the computed ones (counts, sizes,
/// FULL_REQUEST), which are made afresh for each rule.
pub fn is_stable(variable: Variable) -> bool {
    matches!(
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
            | Variable::RequestLine
            | Variable::RequestMethod
            | Variable::RequestProtocol
            | Variable::RequestUri
            | Variable::RequestUriRaw
            | Variable::RequestFilename
            | Variable::RequestBasename
            | Variable::QueryString
            | Variable::RequestBody
            | Variable::Files
            | Variable::FilesNames
            | Variable::MultipartPartHeaders
            | Variable::Xml
            | Variable::RemoteAddr
            | Variable::RemotePort
            | Variable::ServerName
            | Variable::UniqueId
            | Variable::ResponseStatus
            | Variable::ResponseProtocol
            | Variable::ResponseHeaders
            | Variable::ResponseHeadersNames
            | Variable::ResponseBody
            | Variable::ResponseContentType
            | Variable::ResponseContentLength
    )
}

/// The link `depth` steps down `rule`'s chain.
fn link_mut(rule: &mut Rule, depth: usize) -> Option<&mut Rule> {
    let mut link = rule;
    for _ in 0..depth {
        link = link.chain.as_deref_mut()?;
    }
    Some(link)
}

/// A set with the options `@rx` compiles each pattern with (see the operator module).
fn build_set(patterns: &[&str], unicode: bool) -> Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns)
        .unicode(unicode)
        .dot_matches_new_line(true)
        .multi_line(true)
        .size_limit(WAF_RX_SIZE_BYTES_MAX)
        .dfa_size_limit(WAF_RX_SET_DFA_SIZE_BYTES_MAX)
        .build()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::config::{WafMode, WafRules};
    use crate::waf::secrule::{Builder, Request, RuleSet, Verdict, settings};

    fn rules(text: &str) -> RuleSet {
        let mut builder = Builder::new();
        let no_data = |name: &str| Err(format!("no {name}"));
        builder.add_file("test.conf", text, &no_data).unwrap();
        builder.finish()
    }

    /// `set` with no prefilter at all: every link runs its own operator on every value.
    fn without_prefilter(set: &RuleSet) -> RuleSet {
        let mut plain = set.clone();
        for rule in &mut plain.rules {
            let mut link = Some(rule);
            while let Some(current) = link {
                current.prefilter = None;
                link = current.chain.as_deref_mut();
            }
        }
        plain.prefilter = Prefilter::default();
        plain
    }

    fn request<'a>(
        target: &'a [u8],
        headers: &'a [(&'a [u8], &'a [u8])],
        body: Option<&'a [u8]>,
    ) -> Request<'a> {
        Request {
            method: if body.is_some() { b"POST" } else { b"GET" },
            target,
            protocol: "HTTP/1.1",
            headers,
            body,
            peer: "192.0.2.1:4000".parse().unwrap(),
            unique_id: "t-1",
        }
    }

    /// The verdict with the prefilter, after checking that it is the verdict without.
    fn check_both(with: &RuleSet, without: &RuleSet, request: &Request<'_>) -> Verdict {
        let verdict = with.check_request(request);
        assert_eq!(
            verdict,
            without.check_request(request),
            "target {:?}, headers {:?}, body {:?}",
            String::from_utf8_lossy(request.target),
            request.headers,
            request.body.map(String::from_utf8_lossy),
        );
        verdict
    }

    fn slot(set: &RuleSet, id: u32) -> Option<Slot> {
        set.rules
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.prefilter)
    }

    #[test]
    fn links_are_grouped_by_phase_chain_and_paranoia_and_skipped_only_when_safe() {
        let set = rules(
            "SecRule ARGS \"@rx alpha\" \"id:1,phase:2,pass,t:none,t:lowercase\"\n\
             SecRule ARGS|REQUEST_HEADERS \"@rx beta\" \"id:2,phase:2,pass,t:none,t:lowercase\"\n\
             SecRule ARGS \"!@rx gamma\" \"id:3,phase:2,pass,t:none,t:lowercase\"\n\
             SecRule ARGS|TX:x \"@rx delta\" \"id:4,phase:2,pass,t:none,t:lowercase\"\n\
             SecRule ARGS \"@rx epsilon\" \"id:5,phase:2,pass,multiMatch,t:none,t:lowercase\"\n\
             SecRule ARGS \"@rx zeta\" \"id:6,phase:1,pass,t:none,t:lowercase\"\n\
             SecRule ARGS \"@rx eta\" \"id:7,phase:2,pass,t:none,t:urlDecode\"\n\
             SecRule ARGS \"@rx ^\" \"id:8,phase:2,pass,t:none,t:lowercase\"\n\
             SecRule ARGS \"@rx theta\" \"id:9,phase:2,pass,t:none,t:lowercase,chain\"\n\
             \tSecRule MATCHED_VARS \"@rx iota\" \"t:none\"\n",
        );
        let grouped: Vec<u32> = [1, 2, 3, 4, 9]
            .into_iter()
            .filter(|&id| slot(&set, id).is_some())
            .collect();
        assert_eq!(grouped, [1, 2, 3, 4, 9], "one set for phase 2, t:lowercase");
        assert_eq!(set.prefilter.len(), 1);
        let whole: Vec<u32> = [1, 2, 3, 4, 9]
            .into_iter()
            .filter(|&id| slot(&set, id).is_some_and(|s| s.whole_link))
            .collect();
        // Not 3 (negated: a miss everywhere is its match), not 4 (TX changes in a phase).
        assert_eq!(whole, [1, 2, 9]);
        // multiMatch, alone in its phase or chain, or matching ordinary values: no set.
        for id in [5, 6, 7, 8] {
            assert_eq!(slot(&set, id), None, "rule {id}");
        }
        let plain = without_prefilter(&set);
        let headers: [(&[u8], &[u8]); 1] = [(b"X-B", b"BETA")];
        for (target, expect) in [
            (&b"/?a=Alpha"[..], &[1, 3, 8][..]),
            (b"/?a=x", &[3, 8]),
            (b"/?a=gamma&b=DELTA", &[3, 4, 8]),
            (b"/?a=theta", &[3, 7, 8]),
        ] {
            let verdict = check_both(&set, &plain, &request(target, &[], None));
            let ids: Vec<u32> = verdict.matches.iter().map(|m| m.id).collect();
            assert_eq!(ids, expect, "{}", String::from_utf8_lossy(target));
        }
        let verdict = check_both(&set, &plain, &request(b"/?a=1", &headers, None));
        let ids: Vec<u32> = verdict.matches.iter().map(|m| m.id).collect();
        assert_eq!(ids, [2, 3, 8]);
    }

    #[test]
    fn exclusions_and_captures_are_the_rules_own() {
        // The set only says "pattern P may match value V": rule 2 excludes ARGS:a, rule 3
        // captures, and a ctl removes a target from rule 4 for the rest of the request.
        let set = rules(
            "SecRule ARGS \"@rx (evil)\" \"id:1,phase:2,pass,capture,t:none,t:lowercase,\
             setvar:tx.found=%{tx.1}\"\n\
             SecRule ARGS|!ARGS:a \"@rx evil\" \"id:2,phase:2,pass,t:none,t:lowercase\"\n\
             SecRule ARGS \"@rx (w+)orse\" \"id:3,phase:2,pass,capture,t:none,t:lowercase,\
             msg:'%{tx.1}'\"\n\
             SecRule ARGS \"@rx bad\" \"id:4,phase:2,pass,t:none,t:lowercase\"\n\
             SecRule ARGS:off \"@rx ^1$\" \"id:5,phase:1,pass,nolog,ctl:ruleRemoveTargetById=4;ARGS:b\"\n",
        );
        assert!(slot(&set, 3).is_some());
        let plain = without_prefilter(&set);
        let verdict = check_both(&set, &plain, &request(b"/?a=EVIL&c=wworse", &[], None));
        let ids: Vec<u32> = verdict.matches.iter().map(|m| m.id).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(verdict.matches[1].msg, "ww");
        check_both(&set, &plain, &request(b"/?b=bad&off=1", &[], None));
        check_both(&set, &plain, &request(b"/?b=bad&c=bad&off=1", &[], None));
    }

    /// `$BEXT_CRS_DIR` (default `/work/shared/crs`), when it holds CRS.
    fn crs_dir() -> Option<PathBuf> {
        let dir = std::env::var("BEXT_CRS_DIR").unwrap_or_else(|_| "/work/shared/crs".to_owned());
        let dir = PathBuf::from(dir);
        if dir.join("rules").is_dir() {
            Some(dir)
        } else {
            println!(
                "skipped: no CRS rules at {} (set BEXT_CRS_DIR)",
                dir.display()
            );
            None
        }
    }

    /// CRS as the server loads it (see `net/server/src/waf_rules.rs`), detection only.
    fn load_crs(crs: &Path, paranoia: u8) -> RuleSet {
        let config = WafRules {
            crs: Some(crs.into()),
            files: vec![],
            paranoia,
            mode: WafMode::DetectionOnly,
            anomaly_threshold: None,
            response_body: true,
            expose_matches: false,
            memo: true,
        };
        let mut builder = Builder::new();
        let no_data = |_: &str| Err(String::from("no data"));
        let add = |builder: &mut Builder, path: &Path| {
            let text = std::fs::read_to_string(path).unwrap();
            let dir = path.parent().unwrap().to_path_buf();
            let read =
                |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string());
            builder
                .add_file(&path.display().to_string(), &text, &read)
                .unwrap();
        };
        builder
            .add_file(
                settings::SETTINGS_FILE,
                &settings::before(&config),
                &no_data,
            )
            .unwrap();
        add(&mut builder, &crs.join("crs-setup.conf.example"));
        builder
            .add_file(
                settings::SETTINGS_FILE,
                &settings::after_setup(&config),
                &no_data,
            )
            .unwrap();
        let mut files: Vec<PathBuf> = std::fs::read_dir(crs.join("rules"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "conf"))
            .collect();
        files.sort();
        for file in files {
            add(&mut builder, &file);
        }
        builder.finish()
    }

    /// The regression corpus's request lines, user agents, cookies, referers and bodies
    /// (single-line YAML values only, which is most of them), by kind.
    fn corpus(crs: &Path) -> FxHashMap<&'static str, Vec<Vec<u8>>> {
        let mut found: FxHashMap<&'static str, Vec<Vec<u8>>> = FxHashMap::default();
        let mut stack = vec![crs.join("tests/regression/tests")];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                for line in text.lines() {
                    let line = line.trim_start();
                    for kind in ["uri", "data", "User-Agent", "Cookie", "Referer"] {
                        let Some(value) = line
                            .strip_prefix(kind)
                            .and_then(|rest| rest.strip_prefix(": "))
                        else {
                            continue;
                        };
                        let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"'))
                        {
                            Some(quoted) => quoted.replace("\\\"", "\"").replace("\\\\", "\\"),
                            None => value.to_owned(),
                        };
                        if !value.is_empty() && value != "|" && value != ">" {
                            found.entry(kind).or_default().push(value.into_bytes());
                        }
                    }
                }
            }
        }
        for values in found.values_mut() {
            values.sort();
            values.dedup();
        }
        found
    }

    /// Data-driven, over CRS's own patterns: for every grouped link and every value of the
    /// corpus (raw, and as the link's chain transforms it), the set's answer for the
    /// link's pattern is its regex's. A set that said no where the regex says yes would
    /// skip a rule that matches.
    #[test]
    fn every_crs_set_answers_as_its_patterns_regexes_do() {
        let Some(crs) = crs_dir() else { return };
        let set = load_crs(&crs, 4);
        assert!(set.prefilter.len() >= 5, "{} sets", set.prefilter.len());
        let corpus = corpus(&crs);
        let mut values: Vec<Vec<u8>> = corpus.values().flatten().cloned().collect();
        values.extend(ORDINARY_VALUES.iter().map(|v| v.as_bytes().to_vec()));
        values.sort();
        values.dedup();
        let mut links = Vec::new();
        for rule in &set.rules {
            let mut link = Some(rule);
            while let Some(current) = link {
                if let (Some(slot), Some((regex, _))) =
                    (current.prefilter, current.operator.rx_pattern())
                {
                    links.push((slot, regex, &current.transforms));
                }
                link = current.chain.as_deref();
            }
        }
        assert!(links.len() >= 100, "{} links grouped", links.len());
        let (mut current, mut next) = (Vec::new(), Vec::new());
        let mut positives = 0;
        for value in &values {
            // One set answer per set and transformed value, as the engine asks.
            let mut answers: FxHashMap<u32, Matched> = FxHashMap::default();
            for &(slot, regex, transforms) in &links {
                current.clone_from(value);
                for transform in transforms.iter() {
                    transform.apply(&current, &mut next);
                    std::mem::swap(&mut current, &mut next);
                }
                let answer = answers
                    .entry(slot.set)
                    .or_insert_with(|| set.prefilter.matches(slot.set, &current).unwrap());
                let expect = regex.is_match(&current);
                positives += usize::from(expect);
                assert_eq!(
                    answer.may_match(slot.pattern),
                    expect,
                    "set {} pattern {} ({}) on {:?}",
                    slot.set,
                    slot.pattern,
                    regex.as_str(),
                    String::from_utf8_lossy(&current)
                );
            }
        }
        // The corpus is mostly attacks: the sets must have said yes plenty of times.
        assert!(positives > 1000, "only {positives} matches");
    }

    /// End to end over the corpus: the verdict (matches, messages, interruption) of CRS
    /// with the prefilter is the verdict without it, at every paranoia level.
    #[test]
    fn crs_verdicts_are_the_same_without_the_prefilter() {
        let Some(crs) = crs_dir() else { return };
        let corpus = corpus(&crs);
        let pick = |kind: &str, i: usize| -> Option<Vec<u8>> {
            let values = corpus.get(kind)?;
            values.get(i % values.len()).cloned()
        };
        let uris = corpus.get("uri").cloned().unwrap_or_default();
        assert!(
            uris.len() > 1000,
            "{} request targets in the corpus",
            uris.len()
        );
        for paranoia in [1, 4] {
            let set = load_crs(&crs, paranoia);
            let plain = without_prefilter(&set);
            let mut matched = 0;
            // Every third target (all of them take long in a debug build), with the
            // other kinds of value taken in turn.
            for (i, uri) in uris.iter().enumerate().step_by(3) {
                let user_agent = pick("User-Agent", i).unwrap_or_default();
                let cookie = pick("Cookie", i / 3).unwrap_or_default();
                let referer = pick("Referer", i / 5).unwrap_or_default();
                let headers: Vec<(&[u8], &[u8])> = vec![
                    (b"Host", b"localhost"),
                    (b"User-Agent", &user_agent),
                    (b"Cookie", &cookie),
                    (b"Referer", &referer),
                    (b"Content-Type", b"application/x-www-form-urlencoded"),
                ];
                let body = (i % 2 == 0).then(|| pick("data", i / 2)).flatten();
                let verdict = check_both(&set, &plain, &request(uri, &headers, body.as_deref()));
                matched += usize::from(!verdict.matches.is_empty());
            }
            assert!(
                matched > 300,
                "PL{paranoia}: only {matched} requests matched"
            );
        }
    }
}
