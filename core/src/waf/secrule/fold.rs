//! Load-time partial evaluation: the rules whose outcome is the same for every request,
//! worked out once when a rule set loads rather than on every transaction.
//!
//! A plain `GET` through CRS at paranoia level 1 walks about 400 rules, and some 170 of
//! them read nothing but `TX` variables that CRS's own setup wrote from the configuration:
//! the setup itself (`&TX:x "@eq 0"` then `setvar` a default, `SecAction`s of constants)
//! and, in every rule file and phase, the paranoia-level gates (`TX:DETECTION_PARANOIA_LEVEL
//! "@lt 2"` then `skipAfter` the higher levels' rules). Their answers cannot differ from
//! one request to the next. [`fold`] walks the phases once, in the order a transaction
//! does, with a probe transaction whose `TX` holds what is known at each point, and puts
//! [`Entry::Folded`] in place of each such rule: a transaction that reaches it jumps where
//! the rule would have skipped to, and starts with the rule's writes already in its `TX`
//! ([`RuleSet::initial_tx`]).
//!
//! Every condition below is checked; a rule that fails one stays a rule, so folding can
//! only make a rule set cheaper, never change what it decides (`tests/waf_fold.rs` replays
//! CRS's regression corpus through folded and unfolded sets at every paranoia level and
//! compares the transactions).
//! - **Reads.** The rule (each link of its chain) reads only `TX` variables by name,
//!   `RULE`, and the value it matched, and no rule that stays has written any of those
//!   names before it (their values would depend on the request). A `SecAction` counts,
//!   as long as it does not use the request line it "matched".
//! - **Effects.** It has no `ctl` and no `capture`, its `setvar`s name their variables
//!   without macros, and if it matches it is `pass` and `nolog`: a match that logs or
//!   disrupts happens per request.
//! - **Writes** move to the start of the transaction, so a rule that writes is folded only
//!   when it runs on every transaction that gets past it: no rule that stays before it may
//!   stop, allow, skip, switch the engine or remove it with a `ctl`, and none may have read
//!   or written the names it writes. No rule may read `MATCHED_VAR*` outside a chain
//!   either, since a folded match does not set them.
//! - **Skips.** A `skipAfter` is folded only when no marker lies between the rule and its
//!   target, so no other rule's skip can land inside the range it jumps over. `skip:N`
//!   (which counts rules) turns folding off for the whole set.
//! - **Exclusions at run time.** `ctl:ruleRemoveTargetById`/`ByTag` in a rule that stays
//!   keeps the rules it names: their targets may change per request. `ctl:ruleRemoveById`
//!   /`ByTag` does not keep rules that only skip: a folded entry asks whether its rule was
//!   removed before it jumps (CRS 905100 removes every CRS rule for Apache's own
//!   requests), and the walk then goes through the skipped range as code that may run.

use rustc_hash::FxHashSet;

use super::action::{Ctl, Disruptive, SetOp};
use super::engine::Transaction;
use super::expand::Template;
use super::rule::{Entry, Rule, RuleSet};
use super::variable::{Selector, Variable};

/// Folds what can be folded in `set` (built, prefilter included) and fills its
/// [`RuleSet::initial_tx`].
pub fn fold(set: &mut RuleSet) {
    if set
        .rules
        .iter()
        .any(|rule| links(rule).any(|l| l.actions.skip > 0))
    {
        return;
    }
    let hoist = !set.rules.iter().any(|rule| {
        rule.targets.iter().any(|t| {
            matches!(
                t.variable,
                Variable::MatchedVar
                    | Variable::MatchedVarName
                    | Variable::MatchedVars
                    | Variable::MatchedVarsNames
            )
        })
    });
    let mut walk = Walk::new(Transaction::probe(set), hoist);
    for phase in 1..=5u8 {
        let slot = usize::from(phase - 1);
        let mut entries = std::mem::take(&mut set.phases[slot]);
        let mut index = 0;
        while index < entries.len() {
            let Entry::Rule(at) = entries[index] else {
                index += 1;
                continue;
            };
            let rule = &set.rules[at];
            match walk.try_fold(set, phase, rule, &entries, index) {
                Some(to) => {
                    entries[index] = Entry::Folded { rule: at, to };
                    if to > index + 1 && walk.removable(rule) {
                        // A `ctl` may remove the rule, and then the range runs after all.
                        walk.diverted = true;
                        index += 1;
                    } else {
                        index = to;
                    }
                }
                None => {
                    walk.keep(rule);
                    index += 1;
                }
            }
        }
        set.phases[slot] = entries;
    }
    set.initial_tx = walk.probe.into_initial_tx();
}

/// The walk's knowledge at one point of the phases.
struct Walk {
    /// `TX` as every transaction has it here, as far as the folded rules go.
    probe: Transaction,
    /// Whether writes may be hoisted at all (no head reads `MATCHED_VAR*`).
    hoist: bool,
    /// Names a rule that stays may have written: their values are the request's.
    written: FxHashSet<String>,
    /// A rule that stays wrote names built from macros after these (lower-case) prefixes:
    /// names that begin so may be the request's (`""`: any name).
    written_prefixes: Vec<String>,
    /// Names a rule that stays read.
    read: FxHashSet<String>,
    read_any: bool,
    /// A rule that stays may have stopped the transaction, allowed it, skipped, or
    /// switched the engine: what follows may not run.
    diverted: bool,
    /// What `ctl`s of rules that stay may remove, by id range and tag.
    removed_ids: Vec<(u32, u32)>,
    removed_tags: Vec<String>,
    /// What `ctl`s of rules that stay may take targets from.
    retargeted_ids: Vec<(u32, u32)>,
    retargeted_tags: Vec<String>,
}

impl Walk {
    fn new(probe: Transaction, hoist: bool) -> Walk {
        Walk {
            probe,
            hoist,
            written: FxHashSet::default(),
            written_prefixes: Vec::new(),
            read: FxHashSet::default(),
            read_any: false,
            diverted: false,
            removed_ids: Vec::new(),
            removed_tags: Vec::new(),
            retargeted_ids: Vec::new(),
            retargeted_tags: Vec::new(),
        }
    }

    /// Where a transaction goes on after `rule` (at `index` of `entries`) when it can be
    /// folded; `None` when it stays, with the probe's `TX` as it was.
    fn try_fold(
        &mut self,
        set: &RuleSet,
        phase: u8,
        rule: &Rule,
        entries: &[Entry],
        index: usize,
    ) -> Option<usize> {
        if !self.is_static(rule) || covers(&self.retargeted_ids, &self.retargeted_tags, rule) {
            return None;
        }
        let before = self.probe.tx_now();
        let matched = self.probe.probe_rule(set, phase, rule);
        // What changed, and what the rule's `setvar`s wrote even if the value they wrote is
        // the one the probe already had (that value may be one a rule that stays replaces
        // per request).
        let mut written = self.probe.tx_written_since(&before);
        if matched || rule.chain.is_some() {
            written.extend(
                links(rule)
                    .flat_map(|link| &link.actions.setvars)
                    .filter(|setvar| setvar.collection == "tx")
                    .filter_map(|setvar| setvar.literal_key.as_deref().map(str::to_owned)),
            );
        }
        let quiet = !matched || (!rule.log && rule.disruptive == Disruptive::Pass);
        let to = if !quiet || !(written.is_empty() || self.may_hoist(rule, &written)) {
            None
        } else {
            match (&rule.actions.skip_after, matched) {
                (Some(marker), true) => skip_target(entries, index, marker),
                _ => Some(index + 1),
            }
        };
        if to.is_none() {
            self.probe.set_tx(before);
        }
        to
    }

    /// Whether `rule` reads only what is known here (see the module's doc) and has no
    /// effect beyond `TX`.
    fn is_static(&self, rule: &Rule) -> bool {
        let unconditional = rule.chain.is_none()
            && rule.operator.name() == "unconditionalMatch"
            && !rule.operator.is_negated()
            && matches!(&rule.targets[..], [t] if t.variable == Variable::RequestLine && !t.count);
        links(rule).all(|link| {
            link.actions.ctls.is_empty()
                && !link.actions.capture
                && (unconditional
                    || link
                        .targets
                        .iter()
                        .all(|t| match (&t.selector, t.variable) {
                            (Selector::Key(key), Variable::Tx) => self.known(key),
                            _ => false,
                        }))
                && templates(link).all(|template| {
                    template
                        .macros()
                        .all(|(variable, key)| match (variable, key) {
                            ("TX", Some(key)) => self.known(key),
                            ("RULE", _) => true,
                            ("MATCHED_VAR" | "MATCHED_VAR_NAME", _) => !unconditional,
                            _ => false,
                        })
                })
                && link.actions.setvars.iter().all(|setvar| {
                    setvar.collection != "tx"
                        || setvar.literal_key.as_deref().is_some_and(|key| {
                            !matches!(setvar.op, SetOp::Add(_) | SetOp::Sub(_)) || self.known(key)
                        })
                })
        })
    }

    /// Whether `name`'s value here is the same for every transaction.
    fn known(&self, name: &str) -> bool {
        !self.written.contains(name)
            && !self
                .written_prefixes
                .iter()
                .any(|p| name.starts_with(p.as_str()))
    }

    /// Whether `rule`'s writes to `written` may move to the start of the transaction.
    fn may_hoist(&self, rule: &Rule, written: &[String]) -> bool {
        self.hoist
            && !self.diverted
            && !self.read_any
            && !self.removable(rule)
            && written
                .iter()
                .all(|name| self.known(name) && !self.read.contains(name))
    }

    /// Whether a `ctl` of a rule that stays may remove `rule` before it runs.
    fn removable(&self, rule: &Rule) -> bool {
        covers(&self.removed_ids, &self.removed_tags, rule)
    }

    /// Takes in what `rule`, which stays, may read, write and do.
    fn keep(&mut self, rule: &Rule) {
        for link in links(rule) {
            for target in &link.targets {
                if target.variable == Variable::Tx {
                    match &target.selector {
                        Selector::Key(key) => {
                            self.read.insert(key.clone());
                        }
                        _ => self.read_any = true,
                    }
                }
            }
            for template in templates(link) {
                for (variable, key) in template.macros() {
                    match (variable, key) {
                        ("TX", Some(key)) => {
                            self.read.insert(key.to_owned());
                        }
                        ("TX", None) => self.read_any = true,
                        _ => {}
                    }
                }
            }
            for setvar in &link.actions.setvars {
                if setvar.collection != "tx" {
                    continue;
                }
                let Some(key) = setvar.literal_key.as_deref() else {
                    self.written_prefixes
                        .push(setvar.key.literal_prefix().to_lowercase());
                    self.read_any |= matches!(setvar.op, SetOp::Add(_) | SetOp::Sub(_));
                    continue;
                };
                self.written.insert(key.to_owned());
                if matches!(setvar.op, SetOp::Add(_) | SetOp::Sub(_)) {
                    self.read.insert(key.to_owned());
                }
            }
            if link.actions.capture {
                self.written.extend((0..=9).map(|n| n.to_string()));
            }
            for ctl in &link.actions.ctls {
                match ctl {
                    Ctl::RuleRemoveById(ranges) => self.removed_ids.extend_from_slice(ranges),
                    Ctl::RuleRemoveByTag(tag) => self.removed_tags.push(tag.clone()),
                    Ctl::RuleRemoveTargetById(ranges, _) => {
                        self.retargeted_ids.extend_from_slice(ranges);
                    }
                    Ctl::RuleRemoveTargetByTag(tag, _) => self.retargeted_tags.push(tag.clone()),
                    Ctl::RuleEngine(_) => self.diverted = true,
                    Ctl::RequestBodyProcessor(_)
                    | Ctl::RequestBodyAccess(_)
                    | Ctl::ForceRequestBodyVariable(_)
                    | Ctl::Ignored => {}
                }
            }
            if link.actions.skip_after.is_some() || link.actions.skip > 0 {
                self.diverted = true;
            }
        }
        if rule.disruptive != Disruptive::Pass {
            self.diverted = true;
        }
    }
}

/// The entry a matched `skipAfter:marker` at `index` resumes at: just past the marker,
/// or the end of the phase when no marker follows (the rest of the phase is skipped).
/// `None` when another marker lies in between.
fn skip_target(entries: &[Entry], index: usize, marker: &str) -> Option<usize> {
    for (at, entry) in entries.iter().enumerate().skip(index + 1) {
        if let Entry::Marker(name) = entry {
            return (name == marker).then_some(at + 1);
        }
    }
    Some(entries.len())
}

/// Whether `rule` is among `ids` or has one of `tags`.
fn covers(ids: &[(u32, u32)], tags: &[String], rule: &Rule) -> bool {
    ids.iter()
        .any(|&(low, high)| (low..=high).contains(&rule.id))
        || rule.actions.tags.iter().any(|tag| tags.contains(tag))
}

/// `rule` and the links of its chain.
fn links(rule: &Rule) -> impl Iterator<Item = &Rule> {
    std::iter::successors(Some(rule), |link| link.chain.as_deref())
}

/// The templates a link expands: its operator's argument, its messages and its `setvar`s.
fn templates(link: &Rule) -> impl Iterator<Item = &Template> {
    let setvars = link.actions.setvars.iter().flat_map(|setvar| {
        let value = match &setvar.op {
            SetOp::Set(value) | SetOp::Add(value) | SetOp::Sub(value) => Some(value),
            SetOp::Delete => None,
        };
        std::iter::once(&setvar.key).chain(value)
    });
    link.operator_arg
        .iter()
        .chain(&link.actions.msg)
        .chain(&link.actions.logdata)
        .chain(setvars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waf::secrule::{Builder, Request};

    fn load(text: &str, folded: bool) -> RuleSet {
        let mut builder = Builder::new();
        let no_data = |name: &str| Err(format!("no {name}"));
        builder.add_file("test.conf", text, &no_data).unwrap();
        if folded {
            builder.finish()
        } else {
            builder.finish_unfolded()
        }
    }

    fn folded_ids(set: &RuleSet) -> Vec<u32> {
        set.phases
            .iter()
            .flatten()
            .filter_map(|entry| match entry {
                Entry::Folded { rule, .. } => Some(set.rules[*rule].id),
                _ => None,
            })
            .collect()
    }

    /// What matched, the interruption and `TX` at the end of `target` with `headers`.
    fn outcome(set: &RuleSet, target: &str, headers: &[(&[u8], &[u8])]) -> String {
        let request = Request {
            method: b"GET",
            target: target.as_bytes(),
            protocol: "HTTP/1.1",
            headers,
            body: None,
            peer: "192.0.2.1:4000".parse().unwrap(),
            unique_id: "t",
        };
        let mut tx = set.begin(&request);
        let verdict = tx.finish(set).clone();
        let ids: Vec<u32> = verdict.matches.iter().map(|m| m.id).collect();
        format!(
            "{ids:?} {:?} {:?}",
            verdict.interruption.map(|i| i.rule_id),
            tx.tx_sorted()
        )
    }

    /// Each case: rules, the ids folding must take out, and requests whose outcome must
    /// be the same folded and not, with the ids that must match for each (so that the
    /// case's rules are seen to work).
    #[test]
    fn folds_only_what_no_request_can_change() {
        type Case = (
            &'static str,
            &'static str,
            &'static [u32],
            &'static [(&'static str, bool, &'static [u32])],
        );
        let cases: &[Case] = &[
            (
                "setup and a paranoia gate fold; the gated rule is never reached",
                "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.level=1\"\n\
                 SecRule TX:level \"@lt 2\" \"id:2,phase:1,pass,nolog,skipAfter:END\"\n\
                 SecRule ARGS \"@rx a\" \"id:3,phase:1,deny,log\"\n\
                 SecMarker END\n\
                 SecRule ARGS \"@rx b\" \"id:4,phase:1,deny,log\"\n",
                &[1, 2],
                &[("/?q=a", false, &[]), ("/?q=b", false, &[4])],
            ),
            (
                "a write after a rule that may deny stays: phase 5 must not see it",
                "SecRule ARGS \"@rx bad\" \"id:1,phase:1,deny,log\"\n\
                 SecAction \"id:2,phase:1,pass,nolog,setvar:tx.seen=1\"\n\
                 SecRule TX:seen \"@eq 1\" \"id:3,phase:5,pass,log\"\n",
                &[],
                &[("/?q=bad", false, &[1]), ("/?q=good", false, &[3])],
            ),
            (
                "a name a request may write is not known",
                "SecRule ARGS \"@rx a\" \"id:1,phase:1,pass,nolog,setvar:tx.score=+5\"\n\
                 SecRule TX:score \"@ge 5\" \"id:2,phase:1,deny,log\"\n",
                &[],
                &[("/?q=a", false, &[2]), ("/?q=z", false, &[])],
            ),
            (
                "a write a request may have read before it stays",
                "SecRule ARGS \"@streq %{tx.word}\" \"id:1,phase:1,pass,log\"\n\
                 SecAction \"id:2,phase:1,pass,nolog,setvar:tx.word=a\"\n",
                &[],
                &[("/?q=a", false, &[]), ("/?q=", false, &[1])],
            ),
            (
                "a skip over a marker another skip may land on stays",
                "SecRule &TX:x \"@eq 0\" \"id:1,phase:1,pass,nolog,skipAfter:OUTER\"\n\
                 SecMarker INNER\n\
                 SecRule ARGS \"@rx a\" \"id:2,phase:1,deny,log\"\n\
                 SecMarker OUTER\n",
                &[],
                &[("/?q=a", false, &[])],
            ),
            (
                "a gate a ctl removes falls through at run time",
                "SecRule REQUEST_HEADERS:x-open \"@streq 1\" \"id:1,phase:1,pass,nolog,ctl:ruleRemoveById=2\"\n\
                 SecRule &TX:x \"@eq 0\" \"id:2,phase:1,pass,nolog,skipAfter:END\"\n\
                 SecRule ARGS \"@rx a\" \"id:3,phase:1,deny,log\"\n\
                 SecMarker END\n",
                &[2],
                &[("/?q=a", false, &[]), ("/?q=a", true, &[3])],
            ),
            (
                "a rule whose targets a ctl may change stays",
                "SecRule REQUEST_HEADERS:x-open \"@streq 1\" \"id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetById=2;TX:x\"\n\
                 SecAction \"id:9,phase:1,pass,nolog,setvar:tx.x=1\"\n\
                 SecRule TX:x \"@eq 1\" \"id:2,phase:1,pass,nolog,skipAfter:END\"\n\
                 SecRule ARGS \"@rx a\" \"id:3,phase:1,deny,log\"\n\
                 SecMarker END\n",
                &[9],
                &[("/?q=a", false, &[]), ("/?q=a", true, &[3])],
            ),
            (
                "a SecAction that uses the request line it matched stays",
                "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.line=%{MATCHED_VAR}\"\n\
                 SecRule TX:line \"@contains secret\" \"id:2,phase:1,deny,log\"\n",
                &[],
                &[("/secret", false, &[2]), ("/open", false, &[])],
            ),
        ];
        for (name, rules, folds, requests) in cases {
            let (unfolded, folded) = (load(rules, false), load(rules, true));
            assert_eq!(folded_ids(&folded), *folds, "{name}: folded");
            for (target, open, ids) in *requests {
                let headers: &[(&[u8], &[u8])] = if *open { &[(b"x-open", b"1")] } else { &[] };
                let want = outcome(&unfolded, target, headers);
                assert_eq!(outcome(&folded, target, headers), want, "{name}: {target}");
                assert!(
                    want.starts_with(&format!("{ids:?}")),
                    "{name}: {target} matched otherwise: {want}"
                );
            }
        }
    }
}
