//! The OWASP Core Rule Set the `waf` scenario runs: where it is (`--crs`, by default
//! `../shared/crs` beside the repository, as `tests/waf_rules.rs` finds it), checked before
//! any server starts so a missing CRS is one clear error, not a server that fails to load it.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::locate::workspace_root;

/// `--crs` when not given, relative to the workspace root.
pub const CRS_DIR_DEFAULT: &str = "../shared/crs";

/// A CRS directory that has what bext and ModSecurity load.
#[derive(Debug)]
pub struct CrsFiles {
    pub dir: PathBuf,
    /// `crs-setup.conf` if there is one, else `crs-setup.conf.example`: bext's choice too
    /// (`net/server/src/waf_rules.rs`).
    pub setup: PathBuf,
}

/// `path` (relative ones from the workspace root) as a CRS directory, or an error saying
/// what is missing and how to point the harness elsewhere.
pub fn locate(path: &Path) -> Result<CrsFiles, Error> {
    let given = if path.is_relative() {
        workspace_root().join(path)
    } else {
        path.to_path_buf()
    };
    // `/work/main/../shared/crs` as `/work/shared/crs` in messages and the report.
    let dir = std::fs::canonicalize(&given).unwrap_or(given);
    let missing = |what: &str| {
        Error::run(format!(
            "the OWASP Core Rule Set is not at {} ({what}): check out CRS v4 there, or pass \
             --crs DIR (relative paths start at the workspace root; default {CRS_DIR_DEFAULT})",
            dir.display()
        ))
    };
    if !dir.join("rules").is_dir() {
        return Err(missing("no rules/ directory"));
    }
    let setup = ["crs-setup.conf", "crs-setup.conf.example"]
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| missing("no crs-setup.conf or crs-setup.conf.example"))?;
    Ok(CrsFiles { dir, setup })
}

/// CRS's version as its rules sign themselves (`SecComponentSignature "OWASP_CRS/4.x"` in
/// `REQUEST-901-INITIALIZATION.conf`), for the report; `None` if it cannot be read.
pub fn version(crs: &CrsFiles) -> Option<String> {
    let text =
        std::fs::read_to_string(crs.dir.join("rules/REQUEST-901-INITIALIZATION.conf")).ok()?;
    signature(&text).map(str::to_string)
}

fn signature(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("SecComponentSignature"))
        .map(|rest| rest.trim().trim_matches('"'))
        .filter(|signature| !signature.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_component_signature() {
        assert_eq!(
            signature("# comment\nSecComponentSignature \"OWASP_CRS/4.29.0-dev\"\nSecRule x\n"),
            Some("OWASP_CRS/4.29.0-dev")
        );
        assert_eq!(signature("SecRule x\n"), None);
        assert_eq!(signature("SecComponentSignature \"\"\n"), None);
    }

    #[test]
    fn a_directory_without_rules_is_a_clear_error() {
        let error = locate(Path::new("/nonexistent/crs"))
            .err()
            .map(|e| e.to_string());
        assert!(
            error.as_deref().is_some_and(|e| e.starts_with(
                "the OWASP Core Rule Set is not at /nonexistent/crs (no rules/ directory): "
            ) && e.contains("--crs DIR")),
            "{error:?}"
        );
    }
}
