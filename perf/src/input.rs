//! Reading one `bext-bench` results file (schema version 1, see `bench/README.md`) into a
//! checked [`BenchRun`]. Parse, don't validate: past this module every run has a commit, a
//! known schema, finite values and bounded sizes.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Context, Error};
use crate::limits::{
    INPUT_FILE_BYTES_MAX, ROUNDS_PER_ROW_MAX, ROWS_PER_RUN_MAX, TEXT_FIELD_BYTES_MAX,
};
use crate::renames;

/// The only schema version this reader understands.
pub const SCHEMA_VERSION: u64 = 1;

#[derive(Debug, Clone)]
pub struct BenchRun {
    /// SHA-256 of the file's bytes, hex: recording the same file twice is detected by it.
    pub content_sha256: String,
    pub scenario: String,
    pub smoke: bool,
    pub unix_time_s: i64,
    pub date: String,
    /// The commit as the bench saw it, or the name given with `record --commit`.
    pub commit: String,
    /// `None` when the bench could not tell.
    pub git_dirty: Option<bool>,
    pub machine: Machine,
    /// The run's knobs, as compact JSON with sorted keys (compared for equality when pooling).
    pub settings_json: String,
    pub warnings: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: u32,
    pub kernel: String,
    pub arch: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    pub case: String,
    pub contender: String,
    pub metric: String,
    pub unit: String,
    pub rounds: Vec<f64>,
}

/// The file as written; `median` and `ratios` are derived, so they are not read.
#[derive(Deserialize)]
struct RawRun {
    scenario: String,
    smoke: bool,
    unix_time_s: i64,
    date: String,
    git_commit: Option<String>,
    git_dirty: Option<bool>,
    machine: Machine,
    settings: serde_json::Value,
    rows: Vec<Row>,
    #[serde(default)]
    warnings: Vec<String>,
}

/// Reads and checks `path`. `commit_override` names the run when the file has no commit or
/// when it is an experiment that should not be filed under the commit it was built from.
pub fn read_file(path: &Path, commit_override: Option<&str>) -> Result<BenchRun, Error> {
    let file = std::fs::File::open(path).context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(INPUT_FILE_BYTES_MAX + 1)
        .read_to_end(&mut bytes)
        .context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > INPUT_FILE_BYTES_MAX {
        return Err(Error::data(format!(
            "{} is larger than {INPUT_FILE_BYTES_MAX} bytes: not a bench results file",
            path.display()
        )));
    }
    parse(&bytes, commit_override)
        .map_err(|error| Error::data(format!("{}: {error}", path.display())))
}

/// Parses the bytes of a results file; errors do not name the file (the caller does).
pub fn parse(bytes: &[u8], commit_override: Option<&str>) -> Result<BenchRun, Error> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).context(|| "not valid JSON".to_string())?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(SCHEMA_VERSION) => {}
        Some(other) => {
            return Err(Error::data(format!(
                "schema_version {other} is not supported (this bext-perf reads version \
                 {SCHEMA_VERSION}); update bext-perf to read it"
            )));
        }
        None => {
            return Err(Error::data(
                "no numeric schema_version: not a bext-bench results file",
            ));
        }
    }
    let raw: RawRun = serde_json::from_value(value)
        .context(|| format!("does not match bench results schema {SCHEMA_VERSION}"))?;
    let commit = match (commit_override, raw.git_commit) {
        (Some(name), _) => name.to_string(),
        (None, Some(commit)) => commit,
        (None, None) => {
            return Err(Error::data(
                "git_commit is null (the bench ran outside git); name the run with --commit NAME",
            ));
        }
    };
    check_text("commit", &commit)?;
    check_text("scenario", &raw.scenario)?;
    check_text("date", &raw.date)?;
    check_text("machine.cpu_model", &raw.machine.cpu_model)?;
    check_text("machine.kernel", &raw.machine.kernel)?;
    check_text("machine.arch", &raw.machine.arch)?;
    if !raw.settings.is_object() {
        return Err(Error::data("settings is not an object"));
    }
    let mut rows = raw.rows;
    for row in &mut rows {
        let current = renames::current_case(&raw.scenario, &row.case);
        if current != row.case {
            row.case = current.to_string();
        }
    }
    if rows.is_empty() || rows.len() > ROWS_PER_RUN_MAX {
        return Err(Error::data(format!(
            "{} rows; expected 1 to {ROWS_PER_RUN_MAX}",
            rows.len()
        )));
    }
    // After the renames: a file with a case under both its old and new name is refused.
    for (index, row) in rows.iter().enumerate() {
        check_row(row)?;
        let same = |other: &Row| {
            other.case == row.case && other.contender == row.contender && other.metric == row.metric
        };
        if rows[..index].iter().any(same) {
            return Err(Error::data(format!(
                "row {}/{}/{} appears twice",
                row.case, row.contender, row.metric
            )));
        }
    }
    Ok(BenchRun {
        content_sha256: hex(&Sha256::digest(bytes)),
        scenario: raw.scenario,
        smoke: raw.smoke,
        unix_time_s: raw.unix_time_s,
        date: raw.date,
        commit,
        git_dirty: raw.git_dirty,
        machine: raw.machine,
        // serde_json's map is sorted unless `preserve_order` is on; either way, equal files
        // give equal strings, which is all pooling needs.
        settings_json: raw.settings.to_string(),
        warnings: raw.warnings,
        rows,
    })
}

fn check_row(row: &Row) -> Result<(), Error> {
    for (field, text) in [
        ("case", &row.case),
        ("contender", &row.contender),
        ("metric", &row.metric),
        ("unit", &row.unit),
    ] {
        check_text(field, text)?;
    }
    let name = || format!("row {}/{}/{}", row.case, row.contender, row.metric);
    if row.rounds.is_empty() || row.rounds.len() > ROUNDS_PER_ROW_MAX {
        return Err(Error::data(format!(
            "{}: {} rounds; expected 1 to {ROUNDS_PER_ROW_MAX}",
            name(),
            row.rounds.len()
        )));
    }
    if row.rounds.iter().any(|value| !value.is_finite()) {
        return Err(Error::data(format!(
            "{}: a round is not a finite number",
            name()
        )));
    }
    Ok(())
}

fn check_text(field: &str, text: &str) -> Result<(), Error> {
    if text.is_empty() || text.len() > TEXT_FIELD_BYTES_MAX {
        return Err(Error::data(format!(
            "{field} is empty or longer than {TEXT_FIELD_BYTES_MAX} bytes"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::data(format!("{field} contains control characters")));
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
