//! ModSecurity's main conf for nginx in the `waf` scenario: the OWASP Core Rule Set set up
//! the way bext loads it (`net/server/src/waf_rules.rs`), so both servers run the same rules
//! with the same settings:
//!
//! - `SecRuleEngine On` and `SecRequestBodyAccess On`, as bext's `mode = "block"` writes;
//! - `SecResponseBodyAccess Off`: bext inspects requests only (its response variables stay
//!   empty), so nginx is not made to buffer and scan the answers it sends;
//! - `SecAuditEngine Off`: bext keeps no audit log, and the measured requests match no rule;
//! - `crs-setup.conf` (or the `.example`, as bext chooses), then a rule setting the blocking
//!   and detection paranoia levels (bext's own settings rule sets the same two variables),
//!   then `rules/*.conf` in name order (ModSecurity sorts a glob, as bext does).

use std::path::Path;

use crate::crs::CrsFiles;
use crate::error::Error;

/// The id of the rule that sets the paranoia level: bext's for its settings rule
/// (`core/src/waf/secrule/settings.rs`), outside CRS's ranges, so a `crs-setup.conf` that
/// sets the level itself (rule 900000) cannot clash with it; this one runs later and wins.
const PARANOIA_RULE_ID: u32 = 9_990_001;

/// The main conf for `crs` at `paranoia`.
pub fn render(crs: &CrsFiles, paranoia: u8) -> Result<String, Error> {
    assert!(
        (1..=4).contains(&paranoia),
        "CRS paranoia levels are 1 to 4"
    );
    let setup = include_path(&crs.setup)?;
    let dir = include_path(&crs.dir)?;
    Ok(format!(
        "# Written by bext-bench (bench/src/modsecurity.rs).\n\
         SecRuleEngine On\n\
         SecRequestBodyAccess On\n\
         SecResponseBodyAccess Off\n\
         SecAuditEngine Off\n\
         Include {setup}\n\
         SecAction \"id:{PARANOIA_RULE_ID},phase:1,pass,nolog,\
         setvar:tx.blocking_paranoia_level={paranoia},\
         setvar:tx.detection_paranoia_level={paranoia}\"\n\
         Include {dir}/rules/*.conf\n"
    ))
}

/// `path` as ModSecurity's `Include` takes it: as written, so UTF-8 without whitespace or
/// quotes.
fn include_path(path: &Path) -> Result<&str, Error> {
    path.to_str()
        .filter(|text| !text.contains(char::is_whitespace) && !text.contains('"'))
        .ok_or_else(|| {
            Error::run(format!(
                "{} cannot be written in a ModSecurity Include (not UTF-8, or it has \
                 whitespace or quotes)",
                path.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn crs(dir: &str) -> CrsFiles {
        CrsFiles {
            dir: PathBuf::from(dir),
            setup: PathBuf::from(dir).join("crs-setup.conf.example"),
        }
    }

    #[test]
    fn writes_crs_with_the_paranoia_level_between_setup_and_rules() {
        assert_eq!(
            render(&crs("/work/shared/crs"), 2).ok().as_deref(),
            Some(
                "# Written by bext-bench (bench/src/modsecurity.rs).\n\
                 SecRuleEngine On\nSecRequestBodyAccess On\nSecResponseBodyAccess Off\n\
                 SecAuditEngine Off\n\
                 Include /work/shared/crs/crs-setup.conf.example\n\
                 SecAction \"id:9990001,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=2,\
                 setvar:tx.detection_paranoia_level=2\"\n\
                 Include /work/shared/crs/rules/*.conf\n"
            )
        );
    }

    #[test]
    fn refuses_paths_an_include_cannot_hold() {
        let error = render(&crs("/my crs"), 1).err().map(|e| e.to_string());
        assert!(
            error.is_some_and(|e| e.contains("/my crs/crs-setup.conf.example cannot be written")),
            "a path with a space"
        );
    }
}
