//! The history database: schema, migrations, `record`, and the two reads everything else is
//! built on (all runs; the pooled rounds of some runs).
//!
//! `samples` is clustered by (run, row of the results file, round): one B-tree, no separate
//! index, and reading it back in key order keeps the bench's order of cases and contenders.
//! (A row repeated within a file is refused by `input`, so the key needs no names in it.)

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::{Context, Error};
use crate::input::{BenchRun, Machine};

/// Bumped on any change to the tables below; [`Store::open`] migrates older files forward and
/// refuses newer ones.
pub const DB_SCHEMA_VERSION: i64 = 1;

const SCHEMA_V1: &str = "
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    content_sha256 TEXT    NOT NULL UNIQUE,
    commit_name    TEXT    NOT NULL,
    git_dirty      INTEGER,
    unix_time_s    INTEGER NOT NULL,
    date           TEXT    NOT NULL,
    cpu_model      TEXT    NOT NULL,
    cores          INTEGER NOT NULL,
    kernel         TEXT    NOT NULL,
    arch           TEXT    NOT NULL,
    scenario       TEXT    NOT NULL,
    settings_json  TEXT    NOT NULL,
    smoke          INTEGER NOT NULL,
    warnings_json  TEXT    NOT NULL
);
CREATE INDEX runs_by_commit ON runs (commit_name, scenario);
CREATE TABLE samples (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    row_index INTEGER NOT NULL,
    round     INTEGER NOT NULL,
    case_name TEXT    NOT NULL,
    contender TEXT    NOT NULL,
    metric    TEXT    NOT NULL,
    unit      TEXT    NOT NULL,
    value     REAL    NOT NULL,
    PRIMARY KEY (run_id, row_index, round)
) WITHOUT ROWID;
";

/// Small pages keep a small history small: the file is committed, and with the default 4 KiB
/// each table and index starts at a page of its own.
const PAGE_SIZE_BYTES: i64 = 1024;

/// One recorded run, without its samples.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub id: i64,
    pub commit: String,
    pub git_dirty: Option<bool>,
    pub unix_time_s: i64,
    pub date: String,
    pub machine: Machine,
    pub scenario: String,
    pub settings_json: String,
    pub smoke: bool,
    pub warnings: Vec<String>,
}

/// Every round of one (case, contender, metric), pooled over some runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub case: String,
    pub contender: String,
    pub metric: String,
    pub unit: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    /// The same file (by content hash) was recorded before, as this run.
    AlreadyThere(i64),
}

pub struct Store {
    connection: Connection,
}

impl Store {
    /// Opens the history, creating it when `create` is set and it does not exist.
    pub fn open(path: &Path, create: bool) -> Result<Store, Error> {
        if !create && !path.exists() {
            return Err(Error::data(format!(
                "no history at {}: record a results file first (bext-perf record FILE)",
                path.display()
            )));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let connection = Connection::open_with_flags(path, flags)
            .context(|| format!("cannot open the history {}", path.display()))?;
        connection
            .pragma_update(None, "foreign_keys", true)
            .context(|| "cannot enable foreign keys".to_string())?;
        let mut store = Store { connection };
        store
            .migrate()
            .map_err(|error| Error::data(format!("{}: {error}", path.display())))?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let has_version_table: bool = self
            .connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .map(|count| count > 0)
            .context(|| "not a SQLite database".to_string())?;
        if !has_version_table {
            let tables: i64 = self
                .connection
                .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
                .context(|| "cannot read the schema".to_string())?;
            if tables > 0 {
                return Err(Error::data("a SQLite file, but not a bext-perf history"));
            }
            // Only takes effect before the first table is created.
            self.connection
                .pragma_update(None, "page_size", PAGE_SIZE_BYTES)
                .context(|| "cannot set the page size".to_string())?;
            let transaction = self
                .connection
                .transaction()
                .context(|| "begin".to_string())?;
            transaction
                .execute_batch(SCHEMA_V1)
                .context(|| "cannot create the schema".to_string())?;
            transaction
                .execute(
                    "INSERT INTO schema_version (version) VALUES (?1)",
                    [DB_SCHEMA_VERSION],
                )
                .context(|| "cannot write the schema version".to_string())?;
            transaction.commit().context(|| "commit".to_string())?;
            return Ok(());
        }
        let version: i64 = self
            .connection
            .query_row("SELECT max(version) FROM schema_version", [], |row| {
                row.get(0)
            })
            .context(|| "cannot read schema_version".to_string())?;
        // Migrations from older versions go here, one step each, when there are any.
        if version != DB_SCHEMA_VERSION {
            return Err(Error::data(format!(
                "history schema version {version}; this bext-perf knows {DB_SCHEMA_VERSION}"
            )));
        }
        Ok(())
    }

    /// Stores a run and all its rounds in one transaction.
    pub fn record(&mut self, run: &BenchRun) -> Result<Recorded, Error> {
        let existing: Option<i64> = self
            .connection
            .query_row(
                "SELECT id FROM runs WHERE content_sha256 = ?1",
                [&run.content_sha256],
                |row| row.get(0),
            )
            .optional()
            .context(|| "cannot look up the content hash".to_string())?;
        if let Some(id) = existing {
            return Ok(Recorded::AlreadyThere(id));
        }
        let warnings_json = serde_json::to_string(&run.warnings)
            .context(|| "cannot encode warnings".to_string())?;
        let transaction = self
            .connection
            .transaction()
            .context(|| "begin".to_string())?;
        transaction
            .execute(
                "INSERT INTO runs (content_sha256, commit_name, git_dirty, unix_time_s, date,
                     cpu_model, cores, kernel, arch, scenario, settings_json, smoke, warnings_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    run.content_sha256,
                    run.commit,
                    run.git_dirty,
                    run.unix_time_s,
                    run.date,
                    run.machine.cpu_model,
                    run.machine.cores,
                    run.machine.kernel,
                    run.machine.arch,
                    run.scenario,
                    run.settings_json,
                    run.smoke,
                    warnings_json,
                ],
            )
            .context(|| "cannot insert the run".to_string())?;
        let run_id = transaction.last_insert_rowid();
        {
            let mut insert = transaction
                .prepare(
                    "INSERT INTO samples
                         (run_id, row_index, round, case_name, contender, metric, unit, value)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .context(|| "cannot prepare the sample insert".to_string())?;
            for (row_index, row) in run.rows.iter().enumerate() {
                for (round, value) in row.rounds.iter().enumerate() {
                    insert
                        .execute(params![
                            run_id,
                            row_index as i64,
                            round as i64,
                            row.case,
                            row.contender,
                            row.metric,
                            row.unit,
                            value
                        ])
                        .context(|| {
                            format!(
                                "cannot insert {}/{}/{}",
                                row.case, row.contender, row.metric
                            )
                        })?;
                }
            }
        }
        transaction.commit().context(|| "commit".to_string())?;
        Ok(Recorded::New(run_id))
    }

    /// Drops free pages, so the committed file stays as small as its content.
    pub fn compact(&self) -> Result<(), Error> {
        self.connection
            .execute_batch("VACUUM")
            .context(|| "VACUUM failed".to_string())
    }

    /// Every run, oldest first (ties broken by recording order).
    pub fn runs(&self) -> Result<Vec<RunInfo>, Error> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, commit_name, git_dirty, unix_time_s, date, cpu_model, cores, kernel,
                        arch, scenario, settings_json, smoke, warnings_json
                 FROM runs ORDER BY unix_time_s, id",
            )
            .context(|| "cannot query runs".to_string())?;
        let rows = statement
            .query_map([], |row| {
                let warnings_json: String = row.get(12)?;
                Ok(RunInfo {
                    id: row.get(0)?,
                    commit: row.get(1)?,
                    git_dirty: row.get(2)?,
                    unix_time_s: row.get(3)?,
                    date: row.get(4)?,
                    machine: Machine {
                        cpu_model: row.get(5)?,
                        cores: row.get(6)?,
                        kernel: row.get(7)?,
                        arch: row.get(8)?,
                    },
                    scenario: row.get(9)?,
                    settings_json: row.get(10)?,
                    smoke: row.get(11)?,
                    warnings: serde_json::from_str(&warnings_json).unwrap_or_default(),
                })
            })
            .context(|| "cannot query runs".to_string())?;
        rows.collect::<Result<Vec<_>, _>>()
            .context(|| "cannot read a run".to_string())
    }

    /// The rounds of `run_ids`, pooled per (case, contender, metric), in the order the first
    /// run listed them.
    pub fn series(&self, run_ids: &[i64]) -> Result<Vec<Series>, Error> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT case_name, contender, metric, unit, value FROM samples
                 WHERE run_id = ?1 ORDER BY row_index, round",
            )
            .context(|| "cannot query samples".to_string())?;
        let mut pooled: Vec<Series> = Vec::new();
        let mut index: HashMap<(String, String, String), usize> = HashMap::new();
        for &run_id in run_ids {
            let rows = statement
                .query_map([run_id], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, f64>(4)?,
                    ))
                })
                .context(|| "cannot query samples".to_string())?;
            for row in rows {
                let (case, contender, metric, unit, value) =
                    row.context(|| "cannot read a sample".to_string())?;
                let key = (case, contender, metric);
                let slot = *index.entry(key.clone()).or_insert_with(|| {
                    pooled.push(Series {
                        case: key.0,
                        contender: key.1,
                        metric: key.2,
                        unit,
                        values: Vec::new(),
                    });
                    pooled.len() - 1
                });
                pooled[slot].values.push(value);
            }
        }
        Ok(pooled)
    }
}
