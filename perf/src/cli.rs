//! Command-line parsing, apart from running so that every option is decided in one place and
//! tested without a database.

use std::ffi::OsString;
use std::path::PathBuf;

use lexopt::prelude::*;

use crate::error::Error;

pub const USAGE: &str = "\
usage: bext-perf record  [--db PATH] [--allow-smoke] [--commit NAME] RESULTS.json...
       bext-perf compare [--db PATH] [--base REV] [--head REV] [--scenario NAME] [--all]
                         [--include-smoke]
       bext-perf report  [--db PATH] [--out DIR] [--readme FILE] [--include-smoke]
       bext-perf list    [--db PATH]

record   add bench results (bench/results/*.json) to the history; a file already recorded
         (same content) is skipped. Smoke runs are refused unless --allow-smoke. --commit
         files the run under NAME instead of its git commit (experiments, no git)
compare  judge head against base for every metric; exit 0: no regression in bext, 1: a
         regression, 2: usage or data error. Defaults: head = newest recorded commit,
         base = the one recorded before it. REV: a recorded name, a unique prefix, or
         anything git rev-parse understands. --all also lists the diagnostics
report   write DIR/index.html (charts, self-contained) and DIR/summary.md (default DIR:
         perf-report in $CARGO_TARGET_DIR, else in the workspace's target/); --readme FILE
         replaces the text between
         <!-- perf:summary:begin --> and <!-- perf:summary:end --> in FILE
--db     the history (default: perf/history.sqlite in this workspace)";

#[derive(Debug, PartialEq)]
pub enum Command {
    Help,
    Record {
        db: PathBuf,
        files: Vec<PathBuf>,
        allow_smoke: bool,
        commit: Option<String>,
    },
    Compare {
        db: PathBuf,
        options: crate::compare::CompareOptions,
    },
    Report {
        db: PathBuf,
        out: PathBuf,
        readme: Option<PathBuf>,
        include_smoke: bool,
    },
    List {
        db: PathBuf,
    },
}

/// The committed history, next to this crate's manifest (like bench's `bench/results/`).
pub fn default_db() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("history.sqlite")
}

/// Where `report` writes by default: `perf-report` in the build's target directory,
/// `$CARGO_TARGET_DIR` when it is set (then the workspace gets no `target/` of its own),
/// else the workspace's `target/`, which git ignores.
pub fn default_out() -> PathBuf {
    out_under(std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
}

fn out_under(target_dir: Option<PathBuf>) -> PathBuf {
    let target = target_dir.unwrap_or_else(|| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        manifest
            .parent()
            .map_or(manifest.clone(), PathBuf::from)
            .join("target")
    });
    target.join("perf-report")
}

#[derive(Default)]
struct Raw {
    command: Option<String>,
    db: Option<PathBuf>,
    files: Vec<PathBuf>,
    allow_smoke: bool,
    include_smoke: bool,
    all_metrics: bool,
    commit: Option<String>,
    base: Option<String>,
    head: Option<String>,
    scenario: Option<String>,
    out: Option<PathBuf>,
    readme: Option<PathBuf>,
    help: bool,
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, Error> {
    let raw = parse_raw(args).map_err(|error| Error::Usage(error.to_string()))?;
    resolve(raw)
}

fn parse_raw(args: impl IntoIterator<Item = OsString>) -> Result<Raw, lexopt::Error> {
    let mut raw = Raw::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => raw.help = true,
            Long("db") => raw.db = Some(parser.value()?.into()),
            Long("allow-smoke") => raw.allow_smoke = true,
            Long("include-smoke") => raw.include_smoke = true,
            Long("all") => raw.all_metrics = true,
            Long("commit") => raw.commit = Some(parser.value()?.string()?),
            Long("base") => raw.base = Some(parser.value()?.string()?),
            Long("head") => raw.head = Some(parser.value()?.string()?),
            Long("scenario") => raw.scenario = Some(parser.value()?.string()?),
            Long("out") => raw.out = Some(parser.value()?.into()),
            Long("readme") => raw.readme = Some(parser.value()?.into()),
            Value(value) if raw.command.is_none() => raw.command = Some(value.string()?),
            Value(value) => raw.files.push(value.into()),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(raw)
}

fn resolve(raw: Raw) -> Result<Command, Error> {
    if raw.help {
        return Ok(Command::Help);
    }
    let usage = |message: String| Err(Error::Usage(message));
    let command = raw.command.as_deref().unwrap_or("");
    // Options that only one command reads are refused elsewhere, so a typo'd command line
    // does not silently do something else.
    let only = |option: &str, set: bool, allowed: &[&str]| -> Result<(), Error> {
        if set && !allowed.contains(&command) {
            return Err(Error::Usage(format!(
                "{option} does not apply to `{command}`"
            )));
        }
        Ok(())
    };
    only("--allow-smoke", raw.allow_smoke, &["record"])?;
    only("--commit", raw.commit.is_some(), &["record"])?;
    only("--base", raw.base.is_some(), &["compare"])?;
    only("--head", raw.head.is_some(), &["compare"])?;
    only("--scenario", raw.scenario.is_some(), &["compare"])?;
    only("--all", raw.all_metrics, &["compare"])?;
    only("--include-smoke", raw.include_smoke, &["compare", "report"])?;
    only("--out", raw.out.is_some(), &["report"])?;
    only("--readme", raw.readme.is_some(), &["report"])?;
    if command != "record" && !raw.files.is_empty() {
        return usage(format!("`{command}` takes no file arguments"));
    }
    let db = raw.db.unwrap_or_else(default_db);
    match command {
        "record" if raw.files.is_empty() => usage("record needs at least one results file".into()),
        "record" => Ok(Command::Record {
            db,
            files: raw.files,
            allow_smoke: raw.allow_smoke,
            commit: raw.commit,
        }),
        "compare" => Ok(Command::Compare {
            db,
            options: crate::compare::CompareOptions {
                base: raw.base,
                head: raw.head,
                scenario: raw.scenario,
                include_smoke: raw.include_smoke,
                all_metrics: raw.all_metrics,
            },
        }),
        "report" => Ok(Command::Report {
            db,
            out: raw.out.unwrap_or_else(default_out),
            readme: raw.readme,
            include_smoke: raw.include_smoke,
        }),
        "list" => Ok(Command::List { db }),
        "" => usage("no command given".into()),
        other => usage(format!("unknown command `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &str, expect: Result<Command, &str>) {
        let actual = parse(args.split_whitespace().map(OsString::from));
        match (actual, expect) {
            (Ok(actual), Ok(expect)) => assert_eq!(actual, expect, "{args}"),
            (Err(error), Err(fragment)) => {
                assert!(error.to_string().contains(fragment), "{args}: {error}")
            }
            (actual, expect) => panic!("{args}: got {actual:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn reports_go_to_the_build_s_target_directory() {
        assert_eq!(
            out_under(Some(PathBuf::from("/var/cache/t"))),
            PathBuf::from("/var/cache/t/perf-report")
        );
        let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        assert_eq!(out_under(None), workspace.join("target/perf-report"));
    }

    #[test]
    fn command_lines() {
        check(
            "record --db h.sqlite a.json b.json --allow-smoke",
            Ok(Command::Record {
                db: "h.sqlite".into(),
                files: vec!["a.json".into(), "b.json".into()],
                allow_smoke: true,
                commit: None,
            }),
        );
        check(
            "compare --base HEAD~1 --scenario static --all",
            Ok(Command::Compare {
                db: default_db(),
                options: crate::compare::CompareOptions {
                    base: Some("HEAD~1".into()),
                    head: None,
                    scenario: Some("static".into()),
                    include_smoke: false,
                    all_metrics: true,
                },
            }),
        );
        check(
            "report --out /tmp/r --readme R.md",
            Ok(Command::Report {
                db: default_db(),
                out: "/tmp/r".into(),
                readme: Some("R.md".into()),
                include_smoke: false,
            }),
        );
        check("--help", Ok(Command::Help));
        check("record", Err("at least one results file"));
        check("compare x.json", Err("takes no file arguments"));
        check("report --base x", Err("--base does not apply to `report`"));
        check("frobnicate", Err("unknown command"));
        check("", Err("no command"));
        check("compare --bogus", Err("bogus"));
    }
}
