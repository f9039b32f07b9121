//! `bext-perf`: the command-line glue over the `bext_perf` library (see its crate docs for
//! the design and the regression rule). Exit status: 0 fine, 1 `compare` found a regression in
//! bext, 2 usage or data error.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use bext_perf::cli::{self, Command};
use bext_perf::compare::{self, Outcome};
use bext_perf::error::Error;
use bext_perf::input;
use bext_perf::report;
use bext_perf::store::{Recorded, Store};

fn main() -> ExitCode {
    match cli::parse(std::env::args_os().skip(1)).and_then(run) {
        Ok(code) => code,
        Err(Error::Usage(message)) => {
            eprintln!("bext-perf: {message}\n\n{}", cli::USAGE);
            ExitCode::from(2)
        }
        Err(Error::Data(message)) => {
            eprintln!("bext-perf: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Help => {
            println!("{}", cli::USAGE);
            Ok(ExitCode::SUCCESS)
        }
        Command::Record {
            db,
            files,
            allow_smoke,
            commit,
        } => {
            // Read and check every file before touching the history: all or nothing.
            let mut runs = Vec::new();
            for path in &files {
                let run = input::read_file(path, commit.as_deref())?;
                if run.smoke && !allow_smoke {
                    return Err(Error::data(format!(
                        "{} is a smoke run (a harness self-test, not a measurement); pass \
                         --allow-smoke to record it anyway",
                        path.display()
                    )));
                }
                runs.push((path, run));
            }
            let mut store = Store::open(&db, true)?;
            for (path, run) in &runs {
                match store.record(run)? {
                    Recorded::New(id) => println!(
                        "recorded {} as run {id}: {} at {}{}",
                        path.display(),
                        run.scenario,
                        run.commit,
                        if run.git_dirty == Some(true) {
                            " (dirty)"
                        } else {
                            ""
                        }
                    ),
                    Recorded::AlreadyThere(id) => {
                        println!("{} is already recorded (run {id}); skipped", path.display())
                    }
                }
            }
            store.compact()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare { db, options } => {
            let store = Store::open(&db, false)?;
            match compare::compare(&store, &options)? {
                Outcome::NothingToCompare(why) => {
                    println!("{why}");
                    Ok(ExitCode::SUCCESS)
                }
                Outcome::Compared(comparison) => {
                    print!("{}", compare::render(&comparison, options.all_metrics));
                    Ok(if comparison.regressions().is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    })
                }
            }
        }
        Command::Report {
            db,
            out,
            readme,
            include_smoke,
        } => {
            let store = Store::open(&db, false)?;
            let history = report::gather(&store, include_smoke)?;
            report::write(&history, &out)?;
            println!("wrote {}/index.html and summary.md", out.display());
            if let Some(readme) = readme {
                report::update_readme(&history, &readme)?;
                println!("updated the summary in {}", readme.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::List { db } => {
            let store = Store::open(&db, false)?;
            for run in store.runs()? {
                println!(
                    "{:>4}  {}  {:<8}  {}{}{}  {} / {} cores / {}",
                    run.id,
                    run.date,
                    run.scenario,
                    run.commit,
                    if run.git_dirty == Some(true) {
                        " (dirty)"
                    } else {
                        ""
                    },
                    if run.smoke { " (smoke)" } else { "" },
                    run.machine.cpu_model,
                    run.machine.cores,
                    run.machine.kernel
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
