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

pub struct WorkDir {
    root: PathBuf,
}

impl WorkDir {
    /// Creates `$TMPDIR/bext-bench-<pid>-<nanos>/` with `docroot/` holding both files.
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
        workdir.write(PAGE_FILE, &page_body())?;
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
fn page_body() -> Vec<u8> {
    (0..PAGE_BYTES).map(|i| (i % 251) as u8).collect()
}
