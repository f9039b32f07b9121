//! A file as the shard's file cache keeps it: each variant's body and shared fields, built
//! once when the file is read, and the metadata to notice when it changes.
//!
//! Files are opened with `openat2(RESOLVE_BENEATH)` relative to the site's root descriptor,
//! so no path, symlink or rename can make a request read outside the root. Opening and
//! stat'ing are blocking calls on the shard thread; they happen on misses and revalidations
//! only. Reads of file contents go through the runtime (io_uring).

use std::cell::Cell;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::static_files::{self as decide, Encoding, Etag, FileMeta};
use bext_net::fields::{Field, FieldBlock};
use bext_shards::{rt, sys};

use crate::snapshot::Snapshot;

/// Precompressed siblings are looked for only for types that compress.
const COMPRESSIBLE_PREFIXES: [&str; 5] = [
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
];

pub(crate) struct CachedFile {
    /// Path of the identity file beneath the root, for revalidation.
    rel: String,
    meta: FileMeta,
    checked_at: Cell<Instant>,
    /// Identity first; then Brotli and gzip siblings if they exist.
    pub variants: Vec<Variant>,
    /// Every sibling looked for, and what was found (`None`: no such regular file). Checked on
    /// revalidation with the identity file, so a sibling that is rebuilt, added or deleted
    /// alone is noticed too.
    siblings: Vec<(Encoding, Option<FileMeta>)>,
}

pub(crate) struct Variant {
    pub encoding: Encoding,
    pub body: Bytes,
    pub etag: Etag,
    pub mtime_secs: i64,
    /// content-type, last-modified, etag, accept-ranges, cache-control, vary,
    /// content-encoding and the site's extra headers.
    pub fields: Arc<FieldBlock>,
}

impl CachedFile {
    /// Bytes the entry costs the cache.
    pub fn weight(&self) -> usize {
        self.variants
            .iter()
            .map(|v| v.body.len() + v.fields.bytes())
            .sum()
    }

    /// An entry is trusted for `file_cache_revalidate_ms`, then its file is stat'ed again;
    /// false means the file changed or went away, and the entry must be dropped.
    pub fn trusted(&self, snapshot: &Snapshot, site: usize, now: Instant) -> bool {
        let revalidate =
            Duration::from_millis(snapshot.config.server.limits.file_cache_revalidate_ms);
        if now.saturating_duration_since(self.checked_at.get()) < revalidate {
            return true;
        }
        let Some(root) = &snapshot.site_runtime[site].root else {
            return false;
        };
        if !self.still_fresh(root) {
            return false;
        }
        self.checked_at.set(now);
        true
    }

    fn still_fresh(&self, root: &OwnedFd) -> bool {
        stat_file(root, &self.rel) == Some(self.meta)
            && self.siblings.iter().all(|(encoding, seen)| {
                stat_file(root, &format!("{}{}", self.rel, encoding.suffix())) == *seen
            })
    }
}

/// The metadata of `rel` beneath `root` if it is a regular file.
fn stat_file(root: &OwnedFd, rel: &str) -> Option<FileMeta> {
    let meta = sys::open_beneath(root, rel)
        .and_then(|f| f.metadata())
        .ok()?;
    meta.is_file().then(|| file_meta(&meta))
}

pub(crate) fn file_meta(meta: &std::fs::Metadata) -> FileMeta {
    FileMeta {
        size: meta.len(),
        mtime_secs: meta.mtime(),
        mtime_nanos: u32::try_from(meta.mtime_nsec()).unwrap_or(0),
        inode: meta.ino(),
    }
}

/// Whether `content_type` is worth looking for `.br` and `.gz` siblings of.
pub(crate) fn compressible(content_type: &str) -> bool {
    COMPRESSIBLE_PREFIXES
        .iter()
        .any(|p| content_type.starts_with(p))
}

/// The fields every response from a file carries (in this order): content-type,
/// last-modified, etag, accept-ranges, cache-control, vary, content-encoding, then the
/// site's extra headers.
pub(crate) fn file_fields(
    snapshot: &Snapshot,
    site: usize,
    rel: &str,
    meta: &FileMeta,
    etag: &Etag,
    encoding: Encoding,
    vary: bool,
) -> Vec<Field> {
    let runtime = &snapshot.site_runtime[site];
    let mut fields = Vec::with_capacity(8 + runtime.extra_headers.len());
    fields.push(Field::from_static(
        "content-type",
        decide::content_type(rel),
    ));
    fields.push(Field::with_value(
        "last-modified",
        decide::http_date(meta.mtime_secs).as_bytes().to_vec(),
    ));
    fields.push(Field::with_value("etag", etag.as_bytes().to_vec()));
    fields.push(Field::from_static("accept-ranges", "bytes"));
    if let Some(value) = runtime.cache_control.lookup(&format!("/{rel}")) {
        fields.push(Field::with_value(
            "cache-control",
            value.as_bytes().to_vec(),
        ));
    }
    if vary {
        fields.push(Field::from_static("vary", "accept-encoding"));
    }
    if let Some(value) = encoding.header_value() {
        fields.push(Field::from_static("content-encoding", value));
    }
    fields.extend(runtime.extra_headers.iter().cloned());
    fields
}

/// Reads `file` (already open, `rel` beneath the root) and its precompressed siblings into a
/// cache entry.
pub(crate) async fn load(
    snapshot: &Snapshot,
    site: usize,
    root: &OwnedFd,
    file: std::fs::File,
    meta: &std::fs::Metadata,
    rel: String,
    now: Instant,
) -> io::Result<CachedFile> {
    let site_config = &snapshot.config.sites[site];
    let content_type = decide::content_type(&rel);
    let mut found: Vec<(Encoding, Bytes, FileMeta)> = vec![(
        Encoding::Identity,
        read_whole(file, meta.len()).await?,
        file_meta(meta),
    )];
    let mut siblings = Vec::new();
    if site_config.precompressed && compressible(content_type) {
        for encoding in [Encoding::Brotli, Encoding::Gzip] {
            let sibling = format!("{rel}{}", encoding.suffix());
            let opened =
                sys::open_beneath(root, &sibling).and_then(|file| Ok((file.metadata()?, file)));
            let Ok((sibling_meta, file)) = opened else {
                siblings.push((encoding, None));
                continue;
            };
            siblings.push((
                encoding,
                sibling_meta.is_file().then(|| file_meta(&sibling_meta)),
            ));
            if !sibling_meta.is_file() || sibling_meta.len() > meta.len().max(1) * 2 {
                continue;
            }
            found.push((
                encoding,
                read_whole(file, sibling_meta.len()).await?,
                file_meta(&sibling_meta),
            ));
        }
    }
    let vary = found.len() > 1;
    let variants = found
        .into_iter()
        .map(|(encoding, body, vmeta)| {
            let etag = decide::etag(&vmeta, encoding);
            let fields = file_fields(snapshot, site, &rel, &vmeta, &etag, encoding, vary);
            Variant {
                encoding,
                body,
                etag,
                mtime_secs: vmeta.mtime_secs,
                fields: Arc::new(FieldBlock::new(fields)),
            }
        })
        .collect();
    Ok(CachedFile {
        rel,
        meta: file_meta(meta),
        checked_at: Cell::new(now),
        variants,
        siblings,
    })
}

/// Reads a whole (small) file through the runtime. A file that shrank while being read is
/// served as read; one that grew is cut at the size stat'ed, and revalidation catches it.
async fn read_whole(file: std::fs::File, size: u64) -> io::Result<Bytes> {
    let file = rt::File::from_std(file)?;
    let size = usize::try_from(size).map_err(|_| io::Error::other("file too large"))?;
    let mut buf = Vec::with_capacity(size);
    while buf.len() < size {
        // read_at appends at len(), so the file offset and the vector's length move together.
        let offset = buf.len() as u64;
        let (result, back) = file.read_at(buf, offset).await;
        buf = back;
        if result? == 0 {
            break;
        }
    }
    Ok(Bytes::from(buf))
}
