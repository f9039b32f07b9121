//! The run's scratch directory: the docroot, nginx's config and temp paths, and one log per
//! server. Removed when the run ends, whichever way it ends.

use std::fs;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Context, Error};

/// The 13-byte file of the small case.
pub const SMALL_FILE: &str = "small.txt";
pub const SMALL_BODY: &[u8] = b"Hello, bext!\n";
/// The 4 KiB file of the page-sized case.
pub const PAGE_FILE: &str = "4k.bin";
pub const PAGE_BYTES: usize = 4096;
/// The 16 KiB answer of `proxy`: an API response or a small page, several TCP segments'
/// worth that a proxy still holds in memory whole (nginx's default proxy buffers: 8 x 4 KiB).
pub const BODY_16K_FILE: &str = "16k.bin";
pub const BODY_16K_BYTES: usize = 16 * 1024;
/// A file bext keeps in its file cache and sends with one gathered write (head + cached body).
pub const MEDIUM_FILE: &str = "512k.bin";
pub const MEDIUM_BYTES: usize = 512 * 1024;
/// A file over bext's cache entry limit, which bext streams from disk in chunks.
pub const LARGE_FILE: &str = "10m.bin";
pub const LARGE_BYTES: usize = 10 * 1024 * 1024;

// bext answers it with its length, as one buffer, when it arrives with the upstream's head.
const _: () = assert!(BODY_16K_BYTES <= bext_core::limits::PROXY_INLINE_BODY_BYTES_MAX);
const _: () = assert!(MEDIUM_BYTES <= bext_core::limits::FILE_CACHE_ENTRY_BYTES_MAX);
const _: () = assert!(MEDIUM_BYTES >= bext_core::limits::GATHER_BODY_BYTES_MIN);
const _: () = assert!(LARGE_BYTES > bext_core::limits::FILE_CACHE_ENTRY_BYTES_MAX);
const _: () = assert!(LARGE_BYTES <= crate::limits::RESPONSE_BODY_BYTES_MAX);

pub struct WorkDir {
    root: PathBuf,
}

impl WorkDir {
    /// Creates `$TMPDIR/bext-bench-<pid>-<nanos>/` with `docroot/` holding every benchmark
    /// file (about 11 MiB; written in milliseconds, so every scenario gets all of them).
    pub fn create() -> Result<Self, Error> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let root = std::env::temp_dir().join(format!("bext-bench-{}-{nanos}", std::process::id()));
        fs::create_dir_all(root.join("docroot"))
            .context(|| format!("creating {}", root.display()))?;
        let workdir = WorkDir { root };
        workdir.write(SMALL_FILE, SMALL_BODY)?;
        workdir.write(PAGE_FILE, &pattern(PAGE_BYTES))?;
        workdir.write(BODY_16K_FILE, &pattern(BODY_16K_BYTES))?;
        workdir.write(MEDIUM_FILE, &pattern(MEDIUM_BYTES))?;
        workdir.write(LARGE_FILE, &pattern(LARGE_BYTES))?;
        Ok(workdir)
    }

    pub fn docroot(&self) -> PathBuf {
        self.root.join("docroot")
    }

    /// A fresh subdirectory for one server instance (nginx's prefix, say).
    pub fn subdir(&self, name: &str) -> Result<PathBuf, Error> {
        let path = self.root.join(name);
        fs::create_dir_all(&path).context(|| format!("creating {}", path.display()))?;
        Ok(path)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Writes `bytes` to `name` in the run's directory (not the docroot): scripts, configs.
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
        let path = self.root.join(name);
        fs::write(&path, bytes).context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    fn write(&self, name: &str, body: &[u8]) -> Result<(), Error> {
        let path = self.docroot().join(name);
        fs::write(&path, body).context(|| format!("writing {}", path.display()))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if let Err(error) = fs::remove_dir_all(&self.root) {
            eprintln!(
                "bext-bench: could not remove {}: {error}",
                self.root.display()
            );
        }
    }
}

/// Deterministic, incompressible-looking bytes, so no layer can special-case the content.
fn pattern(bytes: usize) -> Vec<u8> {
    (0..bytes).map(|i| (i % 251) as u8).collect()
}
