//! Node packages for the tests, at the versions of a committed lockfile: `npm ci` once per
//! lockfile into a cache directory outside the clone, so a second run installs nothing.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// `npm ci` of `root`'s `package.json` and `package-lock.json` into
/// `cache_dir/install-<hash of both>`, once per lockfile; returns its `node_modules`.
pub fn ci(root: &Path, cache_dir: &Path, what: &str) -> PathBuf {
    // Tests of one binary run at once: one installs while the others wait, then find it done.
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _installing = INSTALLING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let lock = root.join("package-lock.json");
    let dir = cache_dir.join(format!(
        "install-{}",
        hash_of(&[root.join("package.json"), lock.clone()])
    ));
    let modules = dir.join("node_modules");
    if modules.join(".package-lock.json").is_file() {
        return modules;
    }
    // Installed beside the final place and renamed into it, so an install that failed or was
    // killed half-way is never taken for a whole one.
    let partial = cache_dir.join(format!(
        "{}.partial-{}",
        dir.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).expect("cache dir");
    std::fs::copy(root.join("package.json"), partial.join("package.json")).expect("copy");
    std::fs::copy(&lock, partial.join("package-lock.json")).expect("copy");
    run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&partial),
        &format!("npm ci for {what}"),
    );
    // A leftover of the time before installs were renamed into place (no lockfile copy
    // inside `node_modules`) goes first.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&partial, &dir).expect("the install renamed into place");
    modules
}

/// A hash of the files' names and contents, in order, as 16 hex digits.
pub fn hash_of(paths: &[PathBuf]) -> String {
    let mut hasher = DefaultHasher::new();
    for path in paths {
        path.file_name().hash(&mut hasher);
        std::fs::read(path)
            .expect("read for hashing")
            .hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// Runs `command` to completion; panics with its output, named `what`, unless it succeeded.
pub fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
