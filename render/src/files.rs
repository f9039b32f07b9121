//! The snapshot of an app's files that Node's `fs` reads in the engine (`render/js/fs.js`).
//!
//! # Why a snapshot in the bundle
//!
//! An engine talks to the shard through strings only, with no host callback, so a synchronous
//! `fs.readFileSync` inside a render cannot reach the disk; and if it could, a blocking read
//! would stall every connection of the shard while it waited. io_uring reads would need the
//! render to suspend at every read (turning `readFileSync` asynchronous, which it is not). So
//! the files are read once, when the app is loaded (start, SIGHUP, a change under `bext dev`),
//! and carried in the bundle: a read during a render is a table lookup, and a text file is
//! handed back as the string the engine already holds. The price is start-up time and memory
//! in each engine, both bounded (`APP_FILE_SNAPSHOT_BYTES_MAX` per file,
//! `APP_FILES_SNAPSHOT_BYTES_MAX` in all, `APP_FILES_SNAPSHOT_MAX` entries), and it is paid only
//! by apps whose modules import `fs` (the loader checks the linked built-ins).
//!
//! # What is in it
//!
//! Every file and directory under the app's root, except the directories of [`SKIPPED_DIRS`]
//! (dependencies, build output, version control), which are listed as left out so that a read
//! under them fails saying why. Text (valid UTF-8) is kept as a string, anything else as
//! base64. Each entry carries the file's real size and mtime. A symbolic link to a file inside
//! the app is read through; other links are left out (a snapshot never reads outside the app).
//!
//! The snapshot is emitted as `globalThis.__bext_files = function () { return {…}; };`, a
//! function so that engines which compile lazily only scan it until the first `fs` call.
//!
//! Measured (release, JavaScriptCore, one shard): 200 markdown posts (214 files, 621 KiB) are
//! snapshotted in 4–5 ms and add about 16 ms to start-up in all (the engine parses the larger
//! bundle); a `readFileSync(…, "utf8")` of a 4 KB post costs 2–3 µs during a render.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, UNIX_EPOCH};

use bext_core::limits::{
    APP_FILE_SNAPSHOT_BYTES_MAX, APP_FILES_SNAPSHOT_BYTES_MAX, APP_FILES_SNAPSHOT_MAX,
};
use serde_json::{Map, Value, json};

/// Directories never snapshotted, at any depth: dependencies, build output, version control
/// and tool caches (the same ones `bext dev` does not watch, plus a few tools' own).
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    "target",
    "dist",
    ".turbo",
    ".vercel",
];

/// The snapshot of one app, ready to go into the bundle.
#[derive(Debug)]
pub struct FileSnapshot {
    /// The script defining `__bext_files`.
    pub script: String,
    /// Files whose contents are in the snapshot.
    pub files: usize,
    /// Bytes of those files.
    pub bytes: usize,
    /// Files that exist but were left out, with why (relative path, reason), in path order.
    pub left_out: Vec<(String, String)>,
    pub elapsed_ms: f64,
}

/// Reads the app's files under `root` (canonical) into a snapshot. Errors reading a single file
/// or directory leave that entry out with the reason; nothing here fails the load.
pub fn snapshot(root: &Path) -> FileSnapshot {
    let started = Instant::now();
    let mut walk = Walk {
        root: root.to_path_buf(),
        entries: Map::new(),
        files: 0,
        bytes: 0,
        left_out: Vec::new(),
    };
    let root_mtime = fs::metadata(root).map(|m| mtime_ms(&m)).unwrap_or(0);
    walk.entries
        .insert(String::new(), json!({ "d": 1, "m": root_mtime }));
    walk.dir(root, "");
    let table = Value::Object(walk.entries).to_string();
    let mut script = String::with_capacity(table.len() + 64);
    script.push_str("globalThis.__bext_files = function () { return ");
    script.push_str(&table);
    script.push_str("; };\n");
    FileSnapshot {
        script,
        files: walk.files,
        bytes: walk.bytes,
        left_out: walk.left_out,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

struct Walk {
    root: PathBuf,
    entries: Map<String, Value>,
    files: usize,
    bytes: usize,
    left_out: Vec<(String, String)>,
}

impl Walk {
    fn full(&self) -> bool {
        self.entries.len() >= APP_FILES_SNAPSHOT_MAX
    }

    fn dir(&mut self, dir: &Path, rel: &str) {
        let mut names: Vec<(String, PathBuf)> = match fs::read_dir(dir) {
            Ok(read) => read
                .filter_map(Result::ok)
                .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
                .collect(),
            Err(e) => {
                self.leave_out(rel, format!("cannot be read: {e}"), None);
                return;
            }
        };
        names.sort();
        for (name, path) in names {
            if self.full() {
                let why = format!(
                    "past {APP_FILES_SNAPSHOT_MAX} files and directories (APP_FILES_SNAPSHOT_MAX)"
                );
                self.left_out.push((join(rel, &name), why));
                continue;
            }
            let child = join(rel, &name);
            let Ok(link) = fs::symlink_metadata(&path) else {
                continue;
            };
            if link.file_type().is_symlink() {
                self.symlink(&path, &child);
            } else if link.is_dir() {
                if SKIPPED_DIRS.contains(&name.as_str()) {
                    let why = format!("{name} is never snapshotted");
                    self.entries
                        .insert(child, json!({ "d": 1, "m": mtime_ms(&link), "x": why }));
                } else {
                    self.entries
                        .insert(child.clone(), json!({ "d": 1, "m": mtime_ms(&link) }));
                    self.dir(&path, &child);
                }
            } else if link.is_file() {
                self.file(&path, &child, &link);
            }
        }
    }

    fn symlink(&mut self, path: &Path, rel: &str) {
        let inside = fs::canonicalize(path).is_ok_and(|target| target.starts_with(&self.root));
        match fs::metadata(path) {
            Ok(meta) if inside && meta.is_file() => self.file(path, rel, &meta),
            Ok(meta) if meta.is_dir() => {
                let why = "a symbolic link to a directory is not followed".to_owned();
                self.entries.insert(
                    rel.to_owned(),
                    json!({ "d": 1, "m": mtime_ms(&meta), "x": why }),
                );
            }
            Ok(meta) => self.leave_out(
                rel,
                "a symbolic link to outside the app".to_owned(),
                Some(&meta),
            ),
            Err(_) => {} // dangling: as if absent
        }
    }

    fn file(&mut self, path: &Path, rel: &str, meta: &fs::Metadata) {
        let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        if size > APP_FILE_SNAPSHOT_BYTES_MAX {
            let why = format!(
                "{size} bytes, over APP_FILE_SNAPSHOT_BYTES_MAX ({APP_FILE_SNAPSHOT_BYTES_MAX} bytes)"
            );
            return self.leave_out(rel, why, Some(meta));
        }
        if self.bytes + size > APP_FILES_SNAPSHOT_BYTES_MAX {
            let why = format!(
                "the snapshot is full: APP_FILES_SNAPSHOT_BYTES_MAX ({} MiB) in all",
                APP_FILES_SNAPSHOT_BYTES_MAX / (1024 * 1024)
            );
            return self.leave_out(rel, why, Some(meta));
        }
        let bytes = match fs::read(path) {
            Ok(bytes) if bytes.len() <= APP_FILE_SNAPSHOT_BYTES_MAX => bytes,
            Ok(_) => return self.leave_out(rel, "grew while read".to_owned(), Some(meta)),
            Err(e) => return self.leave_out(rel, format!("cannot be read: {e}"), Some(meta)),
        };
        self.files += 1;
        self.bytes += bytes.len();
        let (m, s) = (mtime_ms(meta), bytes.len());
        let entry = match String::from_utf8(bytes) {
            Ok(text) => json!({ "s": s, "m": m, "t": text }),
            Err(e) => json!({ "s": s, "m": m, "b": base64(e.as_bytes()) }),
        };
        self.entries.insert(rel.to_owned(), entry);
    }

    fn leave_out(&mut self, rel: &str, why: String, meta: Option<&fs::Metadata>) {
        if !rel.is_empty() {
            let m = meta.map_or(0, mtime_ms);
            let s = meta.map_or(0, fs::Metadata::len);
            self.entries
                .insert(rel.to_owned(), json!({ "s": s, "m": m, "x": why }));
        }
        self.left_out.push((rel.to_owned(), why));
    }
}

fn join(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_owned()
    } else {
        format!("{rel}/{name}")
    }
}

fn mtime_ms(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Standard base64 with padding (RFC 4648), which fs.js decodes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_pads_like_rfc_4648() {
        for (input, want) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"\xff\xfe\x00", "//4A"),
        ] {
            assert_eq!(base64(input), want);
        }
    }
}
