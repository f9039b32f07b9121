//! `bext dev`: watch an app's sources and ask for a reload when they change.
//!
//! The watcher does not rebuild anything itself: it raises SIGHUP in this process, and the
//! main loop reloads exactly as it does for an operator's SIGHUP, through the same
//! incremental compiler (only changed modules are compiled again). One reload path means dev
//! mode cannot drift from production reloads.
//!
//! Events are debounced: an editor's save is often several writes and renames, and a
//! `git checkout` is hundreds; they become one reload once the tree has been quiet for
//! `DEBOUNCE`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

/// Quiet time after the last change before a reload.
const DEBOUNCE: Duration = Duration::from_millis(40);

/// Directories never watched: dependencies and tool output.
const IGNORED_DIRS: &[&str] = &["node_modules", ".git", ".next", "target", "dist"];

/// Starts watching `roots` (app directories) on a thread of its own. The watcher lives as
/// long as the process.
pub fn watch(roots: Vec<PathBuf>) -> Result<(), String> {
    let (tx, rx) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && relevant(&event)
        {
            let _ = tx.send(());
        }
    })
    .map_err(|e| format!("dev: cannot watch files: {e}"))?;
    for root in &roots {
        watch_tree(&mut watcher, root)?;
    }
    std::thread::Builder::new()
        .name(String::from("bext-dev-watch"))
        .spawn(move || {
            let _watcher = watcher;
            while rx.recv().is_ok() {
                // Swallow the rest of the burst.
                while rx.recv_timeout(DEBOUNCE).is_ok() {}
                let _ = signal_hook::low_level::raise(signal_hook::consts::SIGHUP);
            }
        })
        .map_err(|e| format!("dev: cannot start the watcher thread: {e}"))?;
    Ok(())
}

/// Watches `root`'s own entries, and each subdirectory recursively except the ignored ones
/// (a recursive watch of node_modules would spend thousands of inotify watches).
fn watch_tree(watcher: &mut impl Watcher, root: &Path) -> Result<(), String> {
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| format!("dev: cannot watch {}: {e}", root.display()))?;
    let entries =
        std::fs::read_dir(root).map_err(|e| format!("dev: cannot read {}: {e}", root.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let ignored = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| IGNORED_DIRS.contains(&n) || n.starts_with('.'));
        if !ignored && entry.file_type().is_ok_and(|t| t.is_dir()) {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| format!("dev: cannot watch {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Content changes, creations, removals and renames; not reads or metadata-only events.
fn relevant(event: &notify::Event) -> bool {
    use notify::EventKind;
    let kind = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(_)
    ) && !matches!(
        event.kind,
        EventKind::Modify(notify::event::ModifyKind::Metadata(_))
    );
    kind && event.paths.iter().any(|p| {
        !p.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|s| IGNORED_DIRS.contains(&s))
        })
    })
}
