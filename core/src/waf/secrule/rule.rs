//! Rule files into a [`RuleSet`]: the rules of each phase in order, with the markers that
//! `skipAfter` jumps to, the phase defaults (`SecDefaultAction`) merged into every rule, and
//! the load-time changes (`SecRuleRemoveById`, `SecRuleUpdateTargetById`, …) applied to the
//! rules loaded before them, as ModSecurity applies them.
//!
//! A rule set is immutable once built: the runtime shares it read-only (each shard keeps a
//! clone, so matching never contends on a regex's scratch space across cores).

use std::fmt;

use rustc_hash::FxHashMap;

use super::action::{self, Actions, Disruptive, EngineMode};
use super::engine::InitialTx;
use super::expand::Template;
use super::fold;
use super::operator::Operator;
use super::parse::{self, Directive};
use super::prefilter::{Prefilter, Slot};
use super::transform::Transform;
use super::variable::{self, Target};
use crate::limits::{WAF_RESPONSE_BODY_BYTES_DEFAULT, WAF_RESPONSE_BODY_BYTES_MAX};

/// One compiled rule; a chain is a rule whose `chain` holds the next link.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The id (0 for a chained link, which has none of its own).
    pub id: u32,
    pub phase: u8,
    pub targets: Vec<Target>,
    pub operator: Operator,
    /// The operator's argument when it holds macros, parsed once.
    pub operator_arg: Option<Template>,
    pub actions: Actions,
    /// The transformations in force: the phase default's unless the rule said `t:none`,
    /// then the rule's own.
    pub transforms: Vec<Transform>,
    /// Whether a match is logged (the rule's `log`/`nolog`, else the phase default).
    pub log: bool,
    /// The disruptive action in force: the rule's, or for `block` (and a rule without one),
    /// the phase default's.
    pub disruptive: Disruptive,
    pub status: Option<u16>,
    pub chain: Option<Box<Rule>>,
    /// For an `@rx` link, its pattern's place in the rule set's [`Prefilter`], when it has
    /// one (set when the rule set is finished).
    pub prefilter: Option<Slot>,
    /// The variables its targets read ([`variable::reads`]), set when the rule set is
    /// finished (after any `SecRuleUpdateTargetBy…`); until then every bit, so that a link
    /// is never passed by on a mask that was not worked out.
    pub reads: u64,
    /// Where it was written: file index into [`RuleSet::files`], and line.
    pub file: usize,
    pub line: usize,
}

/// What each phase runs, in order.
#[derive(Debug, Clone)]
pub enum Entry {
    Rule(usize),
    Marker(String),
    /// A rule whose outcome is the same for every request, worked out when the rule set
    /// loaded ([`fold`](super::fold)): its writes to `TX` are in
    /// [`RuleSet::initial_tx`], and a transaction that reaches it goes on at entry `to`
    /// (past its `skipAfter` marker, or the next entry) unless a `ctl` removed the rule.
    Folded {
        rule: usize,
        to: usize,
    },
}

/// A loaded rule set. Each shard runs its own clone ([`Clone`] shares the compiled
/// automata and gives each clone its own regex search caches, so shards never contend for
/// them).
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Phases 1 to 5 at indexes 0 to 4.
    pub phases: [Vec<Entry>; 5],
    pub engine: EngineMode,
    pub request_body_access: bool,
    /// What phase 4 reads of responses (`SecResponseBody*`).
    pub response_body: ResponseBodySettings,
    /// The rule files, in load order, for messages.
    pub files: Vec<String>,
    /// The `@rx` patterns, grouped into sets (see [`Prefilter`]).
    pub prefilter: Prefilter,
    /// `TX` at the start of every transaction: the writes of the rules [`fold`](super::fold)
    /// took out of the phases.
    pub initial_tx: InitialTx,
    /// Per phase, where each `SecMarker` name stands (ascending entry indexes): a matched
    /// `skipAfter` goes straight past its marker instead of walking the entries between.
    pub markers: [FxHashMap<String, Vec<usize>>; 5],
}

impl RuleSet {
    /// Where a `skipAfter:marker` that matched in phase slot `slot` resumes, the entries
    /// from `from` on being the ones after the rule: just past the next marker of that
    /// name, or the end of the phase when none follows (ModSecurity skips the rest).
    pub fn after_marker(&self, slot: usize, marker: &str, from: usize) -> usize {
        let end = self.phases[slot].len();
        self.markers[slot].get(marker).map_or(end, |positions| {
            let next = positions.partition_point(|&at| at < from);
            positions.get(next).map_or(end, |&at| at + 1)
        })
    }

    /// Fills [`markers`](Self::markers) from the phases.
    fn index_markers(&mut self) {
        for (slot, entries) in self.phases.iter().enumerate() {
            let markers = &mut self.markers[slot];
            markers.clear();
            for (at, entry) in entries.iter().enumerate() {
                if let Entry::Marker(name) = entry {
                    markers.entry(name.clone()).or_default().push(at);
                }
            }
        }
    }
}

/// `SecResponseBodyAccess`, `SecResponseBodyMimeType`, `SecResponseBodyLimit` and
/// `SecResponseBodyLimitAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseBodySettings {
    pub access: bool,
    /// Media types (lowercase, no parameters) whose bodies phase 4 reads.
    pub mime_types: Vec<String>,
    /// Bytes of a body phase 4 reads, at most `WAF_RESPONSE_BODY_BYTES_MAX`.
    pub limit_bytes: usize,
    /// A longer body is refused (500, in `On`), rather than inspected in part.
    pub reject_over_limit: bool,
}

impl Default for ResponseBodySettings {
    /// ModSecurity's and Coraza's recommended configuration, access aside: bext turns it
    /// on from `[waf] response_body`.
    fn default() -> ResponseBodySettings {
        ResponseBodySettings {
            access: false,
            mime_types: ["text/plain", "text/html", "text/xml"]
                .map(str::to_owned)
                .to_vec(),
            limit_bytes: WAF_RESPONSE_BODY_BYTES_DEFAULT,
            reject_over_limit: false,
        }
    }
}

impl ResponseBodySettings {
    /// Whether phase 4 reads a body of `content_type` (a `Content-Type` value).
    pub fn inspects(&self, content_type: &[u8]) -> bool {
        if !self.access {
            return false;
        }
        let essence = content_type
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        self.mime_types
            .iter()
            .any(|m| m.as_bytes().eq_ignore_ascii_case(essence))
    }
}

/// A rule file that did not load: where, and which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub rule_id: Option<u32>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(id) = self.rule_id {
            write!(f, "rule {id}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

/// `SecDefaultAction` for one phase.
#[derive(Debug, Clone)]
struct PhaseDefault {
    transforms: Vec<Transform>,
    log: bool,
    disruptive: Disruptive,
    status: Option<u16>,
}

impl Default for PhaseDefault {
    fn default() -> PhaseDefault {
        PhaseDefault {
            transforms: Vec::new(),
            log: true,
            disruptive: Disruptive::Pass,
            status: None,
        }
    }
}

/// Builds a [`RuleSet`] from rule files in order.
pub struct Builder {
    set: RuleSet,
    defaults: [PhaseDefault; 5],
    /// The chain being built: its head and the links so far, waiting for the last link.
    open_chain: Option<Vec<Rule>>,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            set: RuleSet {
                rules: Vec::new(),
                phases: Default::default(),
                engine: EngineMode::On,
                request_body_access: true,
                response_body: ResponseBodySettings::default(),
                files: Vec::new(),
                prefilter: Prefilter::default(),
                initial_tx: InitialTx::default(),
                markers: Default::default(),
            },
            defaults: Default::default(),
            open_chain: None,
        }
    }

    /// Loads one file's directives. `read_data` reads a data file named by an operator
    /// (resolved next to this file by the caller).
    pub fn add_file(
        &mut self,
        name: &str,
        text: &str,
        read_data: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<(), RuleError> {
        let file = self.set.files.len();
        self.set.files.push(name.to_owned());
        let directives = parse::directives(text).map_err(|e| RuleError {
            file: name.to_owned(),
            line: e.line,
            rule_id: None,
            message: e.message,
        })?;
        for directive in &directives {
            self.directive(directive, file, read_data)
                .map_err(|(rule_id, message)| RuleError {
                    file: name.to_owned(),
                    line: directive.line,
                    rule_id,
                    message,
                })?;
        }
        if self.open_chain.is_some() {
            return Err(RuleError {
                file: name.to_owned(),
                line: directives.last().map_or(0, |d| d.line),
                rule_id: None,
                message: "the file ends inside a chain (a rule with `chain` has no next rule)"
                    .into(),
            });
        }
        Ok(())
    }

    /// The rule set, with its `@rx` patterns grouped into the [`Prefilter`]'s sets (this
    /// compiles them all a second time: load time grows by about as much as the `@rx`
    /// operators took).
    pub fn finish(self) -> RuleSet {
        let mut set = self.finish_unfolded();
        fold::fold(&mut set);
        set
    }

    /// The rule set as [`finish`](Self::finish) builds it, but with every rule left to
    /// run per transaction: what the differential tests compare the folded set against.
    pub fn finish_unfolded(self) -> RuleSet {
        let mut set = self.set;
        for rule in &mut set.rules {
            let mut link = Some(rule);
            while let Some(current) = link {
                current.reads = variable::reads(&current.targets);
                link = current.chain.as_deref_mut();
            }
        }
        set.prefilter = Prefilter::build(&mut set.rules, &set.phases);
        set.index_markers();
        set
    }

    fn directive(
        &mut self,
        directive: &Directive,
        file: usize,
        read_data: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<(), (Option<u32>, String)> {
        let args = &directive.args;
        let arg = |index: usize| -> Result<&str, (Option<u32>, String)> {
            args.get(index).map(String::as_str).ok_or_else(|| {
                (
                    None,
                    format!("{} needs {} argument(s)", directive.name, index + 1),
                )
            })
        };
        match directive.name.to_ascii_lowercase().as_str() {
            "secrule" => {
                let actions = args.get(2).map_or("", String::as_str);
                self.rule(arg(0)?, arg(1)?, actions, directive.line, file, read_data)
            }
            "secaction" => self.rule(
                "REQUEST_LINE",
                "@unconditionalMatch",
                arg(0)?,
                directive.line,
                file,
                read_data,
            ),
            "secmarker" => {
                let name = arg(0)?.to_owned();
                for phase in &mut self.set.phases {
                    phase.push(Entry::Marker(name.clone()));
                }
                Ok(())
            }
            "secruleengine" => {
                self.set.engine = EngineMode::parse(arg(0)?)
                    .ok_or((None, "SecRuleEngine is On, Off or DetectionOnly".to_owned()))?;
                Ok(())
            }
            "secrequestbodyaccess" => {
                self.set.request_body_access = on_off(arg(0)?)?;
                Ok(())
            }
            "secresponsebodyaccess" => {
                self.set.response_body.access = on_off(arg(0)?)?;
                Ok(())
            }
            "secresponsebodymimetype" => {
                for media_type in args.iter().flat_map(|a| a.split_ascii_whitespace()) {
                    let media_type = media_type.to_ascii_lowercase();
                    if !self.set.response_body.mime_types.contains(&media_type) {
                        self.set.response_body.mime_types.push(media_type);
                    }
                }
                Ok(())
            }
            "secresponsebodymimetypesclear" => {
                self.set.response_body.mime_types.clear();
                Ok(())
            }
            "secresponsebodylimit" => {
                let limit = arg(0)?
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| (1..=WAF_RESPONSE_BODY_BYTES_MAX).contains(&n))
                    .ok_or_else(|| {
                        (
                            None,
                            format!(
                                "SecResponseBodyLimit is a number of bytes from 1 to \
                                 {WAF_RESPONSE_BODY_BYTES_MAX}"
                            ),
                        )
                    })?;
                self.set.response_body.limit_bytes = limit;
                Ok(())
            }
            "secresponsebodylimitaction" => {
                self.set.response_body.reject_over_limit =
                    match arg(0)?.to_ascii_lowercase().as_str() {
                        "reject" => true,
                        "processpartial" => false,
                        _ => {
                            return Err((
                                None,
                                "SecResponseBodyLimitAction is Reject or ProcessPartial".to_owned(),
                            ));
                        }
                    };
                Ok(())
            }
            "secdefaultaction" => self.default_action(arg(0)?),
            "secruleremovebyid" => {
                let mut ranges = Vec::new();
                for a in args {
                    ranges.extend(action::id_ranges(a).map_err(|e| (None, e.0))?);
                }
                self.remove(|rule| ranges.iter().any(|&(l, h)| (l..=h).contains(&rule.id)));
                Ok(())
            }
            "secruleremovebytag" => {
                let tag = arg(0)?.to_owned();
                self.remove(|rule| rule.actions.tags.contains(&tag));
                Ok(())
            }
            "secruleupdatetargetbyid" => {
                let ranges = action::id_ranges(arg(0)?).map_err(|e| (None, e.0))?;
                let targets = variable::targets(arg(1)?).map_err(|e| (None, e.0))?;
                self.update_targets(
                    |rule| ranges.iter().any(|&(l, h)| (l..=h).contains(&rule.id)),
                    &targets,
                );
                Ok(())
            }
            "secruleupdatetargetbytag" => {
                let tag = arg(0)?.to_owned();
                let targets = variable::targets(arg(1)?).map_err(|e| (None, e.0))?;
                self.update_targets(|rule| rule.actions.tags.contains(&tag), &targets);
                Ok(())
            }
            "include" => Err((
                None,
                "Include is not supported: list the files in [waf] rules".to_owned(),
            )),
            // Settings that belong to the server (bext's own limits and logs) or that bext
            // does not have (persistent collections, upload storage).
            "seccomponentsignature"
            | "secrequestbodylimit"
            | "secrequestbodynofileslimit"
            | "secrequestbodyinmemorylimit"
            | "secrequestbodylimitaction"
            | "secauditengine"
            | "secauditlog"
            | "secauditlogparts"
            | "secauditlogrelevantstatus"
            | "secauditlogtype"
            | "secauditlogformat"
            | "secauditlogstoragedir"
            | "secauditlogdirmode"
            | "secauditlogfilemode"
            | "secdebuglog"
            | "secdebugloglevel"
            | "sectmpdir"
            | "secdatadir"
            | "secargumentseparator"
            | "seccookieformat"
            | "secunicodemapfile"
            | "secpcrematchlimit"
            | "secpcrematchlimitrecursion"
            | "seccollectiontimeout"
            | "secstatusengine"
            | "secargumentslimit"
            | "secuploaddir"
            | "secuploadkeepfiles"
            | "secuploadfilemode"
            | "sectmpsaveuploadedfiles"
            | "secrequestbodyjsondepthlimit"
            | "secserversignature"
            | "secwebappid"
            | "secsensorid"
            | "secuploadfilelimit" => Ok(()),
            other => Err((None, format!("unknown directive `{other}`"))),
        }
    }

    fn rule(
        &mut self,
        targets: &str,
        operator: &str,
        actions: &str,
        line: usize,
        file: usize,
        read_data: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<(), (Option<u32>, String)> {
        let parsed = action::actions(actions).map_err(|e| (None, e.0))?;
        let in_chain = self.open_chain.is_some();
        let id = parsed.id;
        let fail = |message: String| (id, message);
        if in_chain && (parsed.id.is_some() || parsed.phase.is_some()) {
            return Err(fail("a chained rule may not set `id` or `phase`".into()));
        }
        if !in_chain && parsed.id.is_none() {
            return Err(fail("a rule needs an `id`".into()));
        }
        let phase = match &self.open_chain {
            Some(links) => links.first().map_or(2, |head| head.phase),
            None => parsed.phase.unwrap_or(2),
        };
        let targets = variable::targets(targets).map_err(|e| fail(e.0))?;
        let operator = Operator::compile(operator, read_data).map_err(|e| fail(e.0))?;
        let default = &self.defaults[usize::from(phase - 1)];
        let transforms = if parsed.transforms_reset {
            parsed.transforms.clone()
        } else {
            let mut all = default.transforms.clone();
            all.extend_from_slice(&parsed.transforms);
            all
        };
        let disruptive = match parsed.disruptive {
            None | Some(Disruptive::Block) => default.disruptive,
            Some(other) => other,
        };
        let rule = Rule {
            id: parsed.id.unwrap_or(0),
            phase,
            targets,
            operator_arg: operator.macro_arg().map(Template::parse),
            operator,
            log: parsed.log.unwrap_or(default.log),
            status: parsed.status.or(default.status),
            disruptive,
            transforms,
            chain: None,
            prefilter: None,
            reads: u64::MAX,
            file,
            line,
            actions: parsed,
        };
        let continues = rule.actions.chain;
        let mut links = self.open_chain.take().unwrap_or_default();
        links.push(rule);
        if continues {
            self.open_chain = Some(links);
            return Ok(());
        }
        // Fold the links into one rule, last link innermost.
        let mut rule = None;
        while let Some(mut link) = links.pop() {
            link.chain = rule.map(Box::new);
            rule = Some(link);
        }
        if let Some(rule) = rule {
            let index = self.set.rules.len();
            self.set.phases[usize::from(rule.phase - 1)].push(Entry::Rule(index));
            self.set.rules.push(rule);
        }
        Ok(())
    }

    fn default_action(&mut self, text: &str) -> Result<(), (Option<u32>, String)> {
        let parsed = action::actions(text).map_err(|e| (None, e.0))?;
        let phase = parsed
            .phase
            .ok_or((None, "SecDefaultAction needs a phase".to_owned()))?;
        self.defaults[usize::from(phase - 1)] = PhaseDefault {
            transforms: parsed.transforms,
            log: parsed.log.unwrap_or(true),
            disruptive: match parsed.disruptive {
                None | Some(Disruptive::Block) => Disruptive::Pass,
                Some(other) => other,
            },
            status: parsed.status,
        };
        Ok(())
    }

    /// Takes the rules `which` selects out of every phase (their slots stay, unused).
    fn remove(&mut self, which: impl Fn(&Rule) -> bool) {
        let rules = &self.set.rules;
        for phase in &mut self.set.phases {
            phase.retain(|entry| match entry {
                Entry::Rule(index) => rules.get(*index).is_none_or(|rule| !which(rule)),
                Entry::Marker(_) | Entry::Folded { .. } => true,
            });
        }
    }

    fn update_targets(&mut self, which: impl Fn(&Rule) -> bool, targets: &[Target]) {
        for rule in self.set.rules.iter_mut().filter(|rule| which(rule)) {
            rule.targets.extend_from_slice(targets);
        }
    }
}

/// A directive's `On` or `Off`.
fn on_off(value: &str) -> Result<bool, (Option<u32>, String)> {
    if value.eq_ignore_ascii_case("on") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("off") {
        Ok(false)
    } else {
        Err((None, format!("`{value}`: the value is On or Off")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_data(name: &str) -> Result<String, String> {
        Err(format!("no data file {name}"))
    }

    fn load(text: &str) -> Result<RuleSet, RuleError> {
        let mut builder = Builder::new();
        builder.add_file("test.conf", text, &no_data)?;
        // The phases as loaded: `fold`'s own tests cover what folding makes of them.
        Ok(builder.finish_unfolded())
    }

    #[test]
    fn phases_markers_chains_and_defaults() {
        let set = load(
            "SecDefaultAction \"phase:2,log,pass,t:lowercase\"\n\
             SecRule ARGS \"@rx a\" \"id:1,phase:2,block,chain\"\n\
             \tSecRule MATCHED_VAR \"@rx b\" \"t:none\"\n\
             SecMarker END\n\
             SecAction \"id:2,phase:1,nolog,pass\"\n",
        )
        .unwrap();
        assert_eq!(set.rules.len(), 2);
        let chained = &set.rules[0];
        assert_eq!((chained.id, chained.phase), (1, 2));
        assert_eq!(chained.transforms, [Transform::Lowercase]);
        assert_eq!(chained.disruptive, Disruptive::Pass);
        let link = chained.chain.as_ref().unwrap();
        assert!(link.transforms.is_empty());
        assert!(matches!(
            set.phases[1][..],
            [Entry::Rule(0), Entry::Marker(_)]
        ));
        assert!(matches!(
            set.phases[0][..],
            [Entry::Marker(_), Entry::Rule(1)]
        ));
        assert!(!set.rules[1].log);
    }

    #[test]
    fn removal_and_target_updates_apply_to_earlier_rules() {
        let set = load(
            "SecRule ARGS \"@rx a\" \"id:1,phase:1,pass\"\n\
             SecRule ARGS \"@rx a\" \"id:2,phase:1,pass,tag:'x'\"\n\
             SecRule ARGS \"@rx a\" \"id:3,phase:1,pass\"\n\
             SecRuleRemoveById 1\nSecRuleRemoveByTag x\n\
             SecRuleUpdateTargetById 3 \"!ARGS:foo\"\n",
        )
        .unwrap();
        assert!(matches!(set.phases[0][..], [Entry::Rule(2)]));
        assert_eq!(set.rules[2].targets.len(), 2);
    }

    #[test]
    fn errors_name_line_and_rule() {
        let check = |text: &str, line: usize, id: Option<u32>, needle: &str| {
            let error = load(text).unwrap_err();
            assert_eq!((error.line, error.rule_id), (line, id), "{error}");
            assert!(error.to_string().contains(needle), "{error}");
            assert!(error.to_string().starts_with("test.conf:"), "{error}");
        };
        check("\nSecRule ARGS \"@rx (\" \"id:7\"", 2, Some(7), "rule 7");
        check("SecRule NOPE \"@rx a\" \"id:8\"", 1, Some(8), "NOPE");
        check(
            "SecRule ARGS \"@rx a\" \"phase:1\"",
            1,
            None,
            "needs an `id`",
        );
        check("SecFrobnicate On", 1, None, "secfrobnicate");
        check(
            "SecRule ARGS \"@rx a\" \"id:9,chain\"",
            1,
            None,
            "inside a chain",
        );
        check(
            "SecRule ARGS \"@nosuch a\" \"id:10\"",
            1,
            Some(10),
            "nosuch",
        );
    }
}
