//! `[waf] crs` and `rules` into a rule set, with the snapshot: the files are read and every
//! rule compiled at start-up and on reload, so a rule that does not load is a config error
//! naming its file, line and id, and requests only ever see a rule set that loaded whole.
//!
//! The order is ModSecurity's for CRS: bext's mode settings, `crs-setup.conf` (or
//! `crs-setup.conf.example`), bext's paranoia and threshold, CRS's `rules/*.conf` by name
//! (the `.example` exclusion files only once renamed), then the user's own files.

use std::fs;
use std::path::{Path, PathBuf};

use bext_core::config::WafRules;
use bext_core::waf::secrule::{Builder, RuleSet, settings};

/// Loads the rule set `[waf]` names.
pub(crate) fn load(rules: &WafRules) -> Result<RuleSet, String> {
    let mut builder = Builder::new();
    let no_data = |name: &str| Err(format!("bext's settings name no data file ({name})"));
    let settings_error = |e| format!("waf: {e}");
    builder
        .add_file(settings::SETTINGS_FILE, &settings::before(rules), &no_data)
        .map_err(settings_error)?;
    if let Some(crs) = &rules.crs {
        let setup = ["crs-setup.conf", "crs-setup.conf.example"]
            .iter()
            .map(|name| crs.join(name))
            .find(|path| path.is_file())
            .ok_or_else(|| {
                format!(
                    "waf.crs: {} has neither crs-setup.conf nor crs-setup.conf.example",
                    crs.display()
                )
            })?;
        add(&mut builder, &setup)?;
        builder
            .add_file(
                settings::SETTINGS_FILE,
                &settings::after_setup(rules),
                &no_data,
            )
            .map_err(settings_error)?;
        for file in crs_rule_files(&crs.join("rules"))? {
            add(&mut builder, &file)?;
        }
    }
    for file in &rules.files {
        add(&mut builder, file)?;
    }
    Ok(builder.finish())
}

/// `dir/*.conf`, sorted by name (CRS numbers its files in load order).
fn crs_rule_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        fs::read_dir(dir).map_err(|e| format!("waf.crs: cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "conf"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("waf.crs: {} holds no .conf files", dir.display()));
    }
    Ok(files)
}

/// Reads and loads one rule file; data files resolve next to it.
fn add(builder: &mut Builder, path: &Path) -> Result<(), String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("waf: cannot read {}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let read_data = |name: &str| {
        let data = dir.join(name);
        fs::read_to_string(&data).map_err(|e| format!("cannot read {}: {e}", data.display()))
    };
    builder
        .add_file(&path.display().to_string(), &text, &read_data)
        .map_err(|e| format!("waf: {e}"))
}
