//! The example app, `examples/app`, as the tests serve it: with its node packages installed
//! in place first (`npm ci` when `node_modules` is missing or older than the lockfile, as
//! `scripts/test.sh` does), because bext reads the `tailwindcss` package from there to compile
//! the app's stylesheet. A test that serves the app gets its paths from here, so it also runs
//! on its own from a fresh clone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::npm;

/// `examples/bext.config.toml`, which serves the app (and the static example site).
pub fn config() -> PathBuf {
    install();
    repo().join("examples/bext.config.toml")
}

/// The app's directory, for a test that writes its own config.
pub fn dir() -> PathBuf {
    install();
    repo().join("examples/app")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn install() {
    // Tests of one binary run at once: one installs while the others wait, then find it done.
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _installing = INSTALLING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let app = repo().join("examples/app");
    let modules = app.join("node_modules");
    if is_fresh(
        &app.join("package-lock.json"),
        &modules.join(".package-lock.json"),
    ) {
        return;
    }
    // Installed beside the final place and renamed into it, so an install that failed or was
    // killed half-way is never taken for a whole one (npm writes `.package-lock.json` last).
    let partial = app.join(format!("node_modules.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).expect("staging dir");
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(app.join(file), partial.join(file)).expect("copy");
    }
    npm::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&partial),
        "npm ci for examples/app",
    );
    let _ = std::fs::remove_dir_all(&modules);
    std::fs::rename(partial.join("node_modules"), &modules)
        .expect("node_modules renamed into place");
    let _ = std::fs::remove_dir_all(&partial);
}

/// Whether `installed` exists and is not older than `lock`.
fn is_fresh(lock: &Path, installed: &Path) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (modified(lock), modified(installed)) {
        (Some(lock), Some(installed)) => installed >= lock,
        _ => false,
    }
}
