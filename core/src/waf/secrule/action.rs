//! A rule's action list: `"id:920100,phase:1,block,t:none,msg:'…',setvar:'tx.a=+%{tx.b}'"`.
//!
//! Actions are split on commas outside single quotes, each into a name and an optional
//! value (single quotes around a value are removed, `\'` inside them is a quote). The typed
//! form ([`Actions`]) keeps what the engine acts on; metadata the engine does not need
//! (`ver`, `maturity`, `accuracy`, `auditlog`, …) is accepted and dropped, and an action the
//! engine does not know is an error, so a rule never runs with part of its meaning lost.

use std::fmt;
use std::sync::Arc;

use super::expand::Template;
use super::transform::Transform;
use super::variable::{self, Target};

/// What a rule does to the transaction when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disruptive {
    Pass,
    /// The default action of the phase decides (`SecDefaultAction`; pass in CRS).
    Block,
    Deny,
    Drop,
    /// Stops rule processing: for the rest of the transaction (phase 5 aside), the
    /// request's phases, or this phase.
    Allow(AllowScope),
    Redirect,
}

/// What `allow` lets through without more rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowScope {
    /// `allow`: phases 1 to 4.
    Transaction,
    /// `allow:phase`: the rest of this phase.
    Phase,
    /// `allow:request`: phases 1 and 2.
    Request,
}

/// `setvar`: a change to a `TX` variable.
#[derive(Debug, Clone)]
pub struct SetVar {
    /// The collection; only `tx` is kept, the persistent ones (`ip`, `global`, …) are
    /// accepted and ignored.
    pub collection: String,
    pub key: Template,
    /// The key as the engine files it (lower case) when it holds no macro, worked out
    /// once here rather than per transaction.
    pub literal_key: Option<Arc<str>>,
    /// For `setvar:tx.k=v` with no macro in `v`: the value, shared by every transaction
    /// that sets it rather than copied into each.
    pub literal_value: Option<Arc<[u8]>>,
    pub op: SetOp,
}

#[derive(Debug, Clone)]
pub enum SetOp {
    Set(Template),
    Add(Template),
    Sub(Template),
    Delete,
}

/// `ctl`: a change to how the rest of this transaction is processed.
#[derive(Debug, Clone)]
pub enum Ctl {
    RuleRemoveById(Vec<(u32, u32)>),
    RuleRemoveByTag(String),
    RuleRemoveTargetById(Vec<(u32, u32)>, Vec<Target>),
    RuleRemoveTargetByTag(String, Vec<Target>),
    RuleEngine(EngineMode),
    RequestBodyProcessor(String),
    RequestBodyAccess(bool),
    ForceRequestBodyVariable(bool),
    /// Audit-log settings: bext's audit log is not configured by rules.
    Ignored,
}

/// `SecRuleEngine` / `ctl:ruleEngine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineMode {
    On,
    DetectionOnly,
    Off,
}

impl EngineMode {
    pub fn parse(text: &str) -> Option<EngineMode> {
        match text.to_ascii_lowercase().as_str() {
            "on" => Some(EngineMode::On),
            "detectiononly" => Some(EngineMode::DetectionOnly),
            "off" => Some(EngineMode::Off),
            _ => None,
        }
    }
}

/// A rule's actions, typed.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    pub id: Option<u32>,
    pub phase: Option<u8>,
    pub chain: bool,
    pub disruptive: Option<Disruptive>,
    pub status: Option<u16>,
    /// `t:none` was given: the default transformations do not apply.
    pub transforms_reset: bool,
    pub transforms: Vec<Transform>,
    pub log: Option<bool>,
    pub capture: bool,
    pub multi_match: bool,
    pub msg: Option<Template>,
    pub logdata: Option<Template>,
    pub tags: Vec<String>,
    pub severity: Option<u8>,
    pub setvars: Vec<SetVar>,
    pub ctls: Vec<Ctl>,
    pub skip_after: Option<String>,
    pub skip: u32,
}

/// An action list that does not parse, or an action the engine does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionError(pub String);

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses an action list.
pub fn actions(text: &str) -> Result<Actions, ActionError> {
    let mut out = Actions::default();
    for (name, value) in split(text) {
        apply(&mut out, &name, value.as_deref())?;
    }
    Ok(out)
}

/// Splits on commas outside single quotes into `(name, value)`, unquoting values.
fn split(text: &str) -> Vec<(String, Option<String>)> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted && chars.peek() == Some(&'\'') => {
                current.push('\'');
                chars.next();
            }
            '\'' => quoted = !quoted,
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            other => current.push(other),
        }
    }
    items.push(current);
    items
        .into_iter()
        .filter_map(|item| {
            let item = item.trim();
            if item.is_empty() {
                return None;
            }
            Some(match item.split_once(':') {
                Some((name, value)) => (name.trim().to_owned(), Some(value.trim().to_owned())),
                None => (item.to_owned(), None),
            })
        })
        .collect()
}

fn apply(out: &mut Actions, name: &str, value: Option<&str>) -> Result<(), ActionError> {
    let need =
        |what: &str| value.ok_or_else(|| ActionError(format!("`{name}` needs a value ({what})")));
    match name.to_ascii_lowercase().as_str() {
        "id" => {
            let text = need("a number")?;
            out.id = Some(
                text.parse()
                    .map_err(|_| ActionError(format!("id `{text}` is not a number")))?,
            );
        }
        "phase" => {
            let text = need("1 to 5")?;
            let phase = match text.to_ascii_lowercase().as_str() {
                "request" => 2,
                "response" => 4,
                "logging" => 5,
                other => other.parse().unwrap_or(0),
            };
            if !(1..=5).contains(&phase) {
                return Err(ActionError(format!("phase `{text}` is not 1 to 5")));
            }
            out.phase = Some(phase);
        }
        "chain" => out.chain = true,
        "pass" => out.disruptive = Some(Disruptive::Pass),
        "block" => out.disruptive = Some(Disruptive::Block),
        "deny" => out.disruptive = Some(Disruptive::Deny),
        "drop" => out.disruptive = Some(Disruptive::Drop),
        "redirect" => out.disruptive = Some(Disruptive::Redirect),
        "allow" => {
            let scope = match value.map(str::to_ascii_lowercase).as_deref() {
                None => AllowScope::Transaction,
                Some("phase") => AllowScope::Phase,
                Some("request") => AllowScope::Request,
                Some(other) => {
                    return Err(ActionError(format!(
                        "allow:{other}: allow takes phase, request or nothing"
                    )));
                }
            };
            out.disruptive = Some(Disruptive::Allow(scope));
        }
        "status" => {
            let text = need("an HTTP status")?;
            out.status = Some(
                text.parse()
                    .ok()
                    .filter(|s| (100..600).contains(s))
                    .ok_or_else(|| ActionError(format!("status `{text}` is not an HTTP status")))?,
            );
        }
        "t" => {
            let text = need("a transformation")?;
            if text.eq_ignore_ascii_case("none") {
                out.transforms_reset = true;
                out.transforms.clear();
            } else {
                out.transforms
                    .push(Transform::from_name(text).ok_or_else(|| {
                        ActionError(format!("unknown transformation `t:{text}`"))
                    })?);
            }
        }
        "log" => out.log = Some(true),
        "nolog" => out.log = Some(false),
        "capture" => out.capture = true,
        "multimatch" => out.multi_match = true,
        "msg" => out.msg = Some(Template::parse(need("a message")?)),
        "logdata" => out.logdata = Some(Template::parse(need("a message")?)),
        "tag" => out.tags.push(need("a tag")?.to_owned()),
        "severity" => out.severity = Some(severity(need("a severity")?)?),
        "setvar" => out.setvars.push(setvar(need("var=value")?)?),
        "ctl" => out.ctls.push(ctl(need("option=value")?)?),
        "skipafter" => out.skip_after = Some(need("a marker")?.to_owned()),
        "skip" => {
            let text = need("a count")?;
            out.skip = text
                .parse()
                .map_err(|_| ActionError(format!("skip `{text}` is not a count")))?;
        }
        // Metadata and settings bext keeps no use for.
        "auditlog"
        | "noauditlog"
        | "ver"
        | "rev"
        | "maturity"
        | "accuracy"
        | "initcol"
        | "expirevar"
        | "sanitisearg"
        | "sanitisematched"
        | "sanitiserequestheader"
        | "sanitiseresponseheader"
        | "setenv"
        | "setuid"
        | "setsid"
        | "append"
        | "prepend"
        | "exec"
        | "deprecatevar"
        | "pause"
        | "xmlns" => {}
        _ => return Err(ActionError(format!("unknown action `{name}`"))),
    }
    Ok(())
}

fn severity(text: &str) -> Result<u8, ActionError> {
    const NAMES: [&str; 8] = [
        "EMERGENCY",
        "ALERT",
        "CRITICAL",
        "ERROR",
        "WARNING",
        "NOTICE",
        "INFO",
        "DEBUG",
    ];
    if let Ok(number) = text.parse::<u8>()
        && number < 8
    {
        return Ok(number);
    }
    NAMES
        .iter()
        .position(|n| n.eq_ignore_ascii_case(text))
        .map(|p| p as u8)
        .ok_or_else(|| ActionError(format!("unknown severity `{text}`")))
}

fn setvar(text: &str) -> Result<SetVar, ActionError> {
    let (delete, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (text, None),
    };
    let (collection, key) = name
        .split_once('.')
        .ok_or_else(|| ActionError(format!("setvar `{text}` names no collection")))?;
    let op = match (delete, value) {
        (true, _) => SetOp::Delete,
        (false, None) => SetOp::Set(Template::parse("1")),
        (false, Some(value)) => {
            if let Some(v) = value.strip_prefix('+') {
                SetOp::Add(Template::parse(v))
            } else if let Some(v) = value.strip_prefix('-') {
                SetOp::Sub(Template::parse(v))
            } else {
                SetOp::Set(Template::parse(value))
            }
        }
    };
    let key = Template::parse(key);
    let literal_value = match &op {
        SetOp::Set(value) => value.literal().map(|text| Arc::from(text.as_bytes())),
        _ => None,
    };
    Ok(SetVar {
        collection: collection.to_ascii_lowercase(),
        literal_key: key.literal().map(|k| Arc::from(k.to_lowercase())),
        literal_value,
        key,
        op,
    })
}

fn ctl(text: &str) -> Result<Ctl, ActionError> {
    let (option, value) = text
        .split_once('=')
        .ok_or_else(|| ActionError(format!("ctl `{text}` has no `=`")))?;
    let on = || value.eq_ignore_ascii_case("on");
    Ok(match option.to_ascii_lowercase().as_str() {
        "ruleremovebyid" => Ctl::RuleRemoveById(id_ranges(value)?),
        "ruleremovebytag" => Ctl::RuleRemoveByTag(value.to_owned()),
        "ruleremovetargetbyid" => {
            let (ids, targets) = value
                .split_once(';')
                .ok_or_else(|| ActionError(format!("ctl `{text}` needs `id;TARGET`")))?;
            Ctl::RuleRemoveTargetById(id_ranges(ids)?, target_list(targets)?)
        }
        "ruleremovetargetbytag" => {
            let (tag, targets) = value
                .split_once(';')
                .ok_or_else(|| ActionError(format!("ctl `{text}` needs `tag;TARGET`")))?;
            Ctl::RuleRemoveTargetByTag(tag.to_owned(), target_list(targets)?)
        }
        "ruleengine" => {
            Ctl::RuleEngine(EngineMode::parse(value).ok_or_else(|| {
                ActionError(format!("ctl `{text}`: not On, Off or DetectionOnly"))
            })?)
        }
        "requestbodyprocessor" => Ctl::RequestBodyProcessor(value.to_ascii_uppercase()),
        "requestbodyaccess" => Ctl::RequestBodyAccess(on()),
        "forcerequestbodyvariable" => Ctl::ForceRequestBodyVariable(on()),
        "auditengine" | "auditlogparts" | "debugloglevel" | "responsebodyaccess" | "hashengine"
        | "hashenforcement" | "parsexmlintoargs" | "requestbodylimit" | "responsebodylimit" => {
            Ctl::Ignored
        }
        _ => return Err(ActionError(format!("unknown ctl option `{option}`"))),
    })
}

fn target_list(text: &str) -> Result<Vec<Target>, ActionError> {
    variable::targets(text).map_err(|e| ActionError(e.0))
}

/// `1-99 100 200-300` (spaces or commas) into inclusive ranges.
pub fn id_ranges(text: &str) -> Result<Vec<(u32, u32)>, ActionError> {
    text.split([' ', ','])
        .filter(|p| !p.is_empty())
        .map(|part| {
            let bad = || ActionError(format!("`{part}` is not a rule id or id range"));
            match part.split_once('-') {
                Some((low, high)) => Ok((
                    low.trim().parse().map_err(|_| bad())?,
                    high.trim().parse().map_err(|_| bad())?,
                )),
                None => {
                    let id = part.trim().parse().map_err(|_| bad())?;
                    Ok((id, id))
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crs_action_list() {
        let parsed = actions(
            "id:920100,    phase:1,    block,    t:none,t:urlDecodeUni,    msg:'Invalid, HTTP',    \
             tag:'paranoia-level/1',    ver:'OWASP_CRS/4',    severity:'WARNING',    \
             setvar:'tx.inbound_anomaly_score_pl1=+%{tx.warning_anomaly_score}',    chain",
        )
        .unwrap();
        assert_eq!(parsed.id, Some(920100));
        assert_eq!(parsed.phase, Some(1));
        assert_eq!(parsed.disruptive, Some(Disruptive::Block));
        assert!(parsed.transforms_reset);
        assert_eq!(parsed.transforms, [Transform::UrlDecodeUni]);
        assert_eq!(parsed.tags, ["paranoia-level/1"]);
        assert_eq!(parsed.severity, Some(4));
        assert!(parsed.chain);
        assert_eq!(parsed.setvars.len(), 1);
        assert!(matches!(parsed.setvars[0].op, SetOp::Add(_)));
    }

    #[test]
    fn ctl_and_errors() {
        let parsed =
            actions("id:1,ctl:ruleRemoveTargetById=920100;ARGS:foo,ctl:ruleEngine=Off").unwrap();
        assert!(
            matches!(&parsed.ctls[0], Ctl::RuleRemoveTargetById(ids, t) if ids == &[(920100, 920100)] && t.len() == 1)
        );
        assert!(matches!(parsed.ctls[1], Ctl::RuleEngine(EngineMode::Off)));
        assert!(actions("id:x").is_err());
        assert!(actions("id:1,frobnicate").is_err());
        assert!(actions("id:1,t:nosuch").is_err());
        assert!(actions("phase:9").is_err());
        assert_eq!(id_ranges("1-5 9,10").unwrap(), [(1, 5), (9, 9), (10, 10)]);
    }
}
