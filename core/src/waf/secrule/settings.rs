//! The rule text bext writes from `[waf]` itself, loaded around the user's files: the
//! engine mode before everything, and CRS's paranoia level and threshold right after
//! `crs-setup.conf`, so `bext.toml` wins over the setup file and CRS's own defaults
//! (CRS's initialization rules only set what is still unset).

use std::fmt::Write;

use crate::config::{WafMode, WafRules};

/// The name the settings are loaded under, for messages.
pub const SETTINGS_FILE: &str = "[waf] settings";

/// Ids of the settings rules: outside CRS's 900000–999999 and the ranges CRS reserves for
/// users' exclusions, so they never collide with a rule file's.
const SETTINGS_RULE_ID: u32 = 9_990_001;
/// The rule that refuses a body that did not parse: ModSecurity's and Coraza's recommended
/// rule 200002, under an id of bext's.
pub const BODY_ERROR_RULE_ID: u32 = 9_990_002;

/// Loaded first: the engine mode and body access (a rule file may still change them),
/// and the refusal of a body that did not parse (400): the rules cannot see into such a
/// body, so letting it through would be a door left open for whatever it hides, which is
/// why ModSecurity's and Coraza's recommended configurations refuse it too.
pub fn before(rules: &WafRules) -> String {
    let mode = match rules.mode {
        WafMode::Block => "On",
        WafMode::DetectionOnly => "DetectionOnly",
    };
    let response_body = if rules.response_body { "On" } else { "Off" };
    format!(
        "SecRuleEngine {mode}\nSecRequestBodyAccess On\nSecResponseBodyAccess {response_body}\n\
         SecRule REQBODY_ERROR \"!@eq 0\" \"id:{BODY_ERROR_RULE_ID},phase:2,t:none,log,deny,\
         status:400,msg:'Failed to parse request body',logdata:'%{{reqbody_error_msg}}',\
         severity:2\"\n"
    )
}

/// Loaded after `crs-setup.conf`: paranoia and the anomaly threshold.
pub fn after_setup(rules: &WafRules) -> String {
    let mut text = format!(
        "SecAction \"id:{SETTINGS_RULE_ID},phase:1,pass,nolog,\
         setvar:tx.blocking_paranoia_level={paranoia},\
         setvar:tx.detection_paranoia_level={paranoia}",
        paranoia = rules.paranoia
    );
    if let Some(threshold) = rules.anomaly_threshold {
        let _ = write!(
            text,
            ",setvar:tx.inbound_anomaly_score_threshold={threshold}"
        );
    }
    text.push_str("\"\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waf::secrule::Builder;

    #[test]
    fn settings_load_as_rules() {
        let rules = WafRules {
            crs: None,
            files: Vec::new(),
            paranoia: 2,
            mode: WafMode::DetectionOnly,
            anomaly_threshold: Some(10),
            response_body: true,
            expose_matches: false,
            memo: true,
        };
        let mut builder = Builder::new();
        let none = |_: &str| Err(String::new());
        builder
            .add_file(SETTINGS_FILE, &before(&rules), &none)
            .unwrap();
        builder
            .add_file(SETTINGS_FILE, &after_setup(&rules), &none)
            .unwrap();
        let set = builder.finish();
        assert_eq!(
            set.engine,
            crate::waf::secrule::action::EngineMode::DetectionOnly
        );
        assert!(set.response_body.access);
        assert_eq!(set.rules.len(), 2);
        assert_eq!(set.rules[0].id, BODY_ERROR_RULE_ID);
        assert_eq!(set.rules[1].actions.setvars.len(), 3);
    }
}
