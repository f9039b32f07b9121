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

/// Loaded first: the engine mode and body access.
pub fn before(rules: &WafRules) -> String {
    let mode = match rules.mode {
        WafMode::Block => "On",
        WafMode::DetectionOnly => "DetectionOnly",
    };
    format!("SecRuleEngine {mode}\nSecRequestBodyAccess On\n")
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
            expose_matches: false,
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
        assert_eq!(set.rules.len(), 1);
        assert_eq!(set.rules[0].actions.setvars.len(), 3);
    }
}
