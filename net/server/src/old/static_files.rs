//! Answering from a site root: the shard's file cache first, the disk on a miss.
//!
//! The decisions (path safety, MIME type, validators, 304/206/416, encodings) are
//! `bext_core::static_files`; this module does the I/O around them. A hit is answered
//! synchronously, without allocating: the entry holds each variant's body (`Bytes`) and its
//! header block, built once when the file was read. An entry is trusted for
//! `file_cache_revalidate_ms`, then its file is stat'ed again (like nginx's
//! `open_file_cache_valid`) and dropped if it changed.
//!
//! Files are opened with `openat2(RESOLVE_BENEATH)` relative to the site's root descriptor,
//! so no path, symlink or rename can make a request read outside the root. Opening and
//! stat'ing are blocking calls on the shard thread; they happen on misses and revalidations
//! only. Reads of file contents go through the runtime (io_uring). Files larger than
//! `file_cache_entry_bytes_max` are never held whole: they stream in `FILE_STREAM_CHUNK_BYTES`.

use std::cell::Cell;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use bext_core::limits::GATHER_BODY_BYTES_MIN;
use bext_core::static_files::{
    self as decide, Conditions, Encoding, Etag, FileMeta, Selection, content_range,
    content_range_unsatisfiable,
};
use bext_shards::rt;
use bext_shards::sys;

use super::shard::Shard;
use super::snapshot::Snapshot;
use crate::h1::{self, Method};

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
    variants: Vec<Variant>,
    /// Every sibling looked for, and what was found (`None`: no such regular file). Checked on
    /// revalidation with the identity file, so a sibling that is rebuilt, added or deleted
    /// alone is noticed too.
    siblings: Vec<(Encoding, Option<FileMeta>)>,
}

struct Variant {
    encoding: Encoding,
    body: Bytes,
    etag: Etag,
    mtime_secs: i64,
    /// content-type, last-modified, etag, accept-ranges, cache-control, vary,
    /// content-encoding, server and the site's extra headers: `name: value\r\n` each.
    headers: Box<[u8]>,
}

/// How a request was answered.
pub(crate) enum Answer {
    /// The whole response is in `out`; with `close`, it said `connection: close`.
    Done {
        status: u16,
        body_bytes: u64,
        close: bool,
    },
    /// The head is in `out`; the body follows from `tail`. With `close`, the head said
    /// `connection: close`.
    Stream {
        status: u16,
        tail: Tail,
        close: bool,
    },
}

/// A response body that is not copied into the output buffer.
pub(crate) enum Tail {
    /// A cached body at least `GATHER_BODY_BYTES_MIN` long, written with the head in one gathered
    /// write.
    Bytes(Bytes),
    /// A file too large for the cache, streamed in chunks.
    File(StreamJob),
    /// A dev server's reload stream (Server-Sent Events): one `reload` event once the app
    /// after `generation` is loaded, then the connection closes (the browser reloads).
    Events { generation: u64 },
}

impl Tail {
    pub fn len(&self) -> u64 {
        match self {
            Tail::Bytes(bytes) => bytes.len() as u64,
            Tail::File(job) => job.len,
            Tail::Events { .. } => 0,
        }
    }
}

pub(crate) struct StreamJob {
    pub file: rt::File,
    pub offset: u64,
    pub len: u64,
}

/// The request fields this module reads, copied out of the borrowed head.
#[derive(Clone, Copy)]
pub(crate) struct Ask<'a> {
    pub method: Method,
    pub path: &'a [u8],
    pub query: Option<&'a [u8]>,
    pub host: Option<&'a [u8]>,
    pub accept_encoding: Option<&'a [u8]>,
    pub conditions: Conditions<'a>,
    pub keep_alive: bool,
    pub http_1_0: bool,
}

impl Ask<'_> {
    fn head_only(&self) -> bool {
        self.method == Method::Head
    }
}

/// The fast path: answers from the file cache if the entry is there and fresh. `None` means
/// go to [`answer_miss`]. `site` is the site the connection selected for this request.
pub(crate) fn answer_hit(
    shard: &Shard,
    site: usize,
    ask: &Ask<'_>,
    now: Instant,
    out: &mut Vec<u8>,
) -> Option<Answer> {
    if !matches!(ask.method, Method::Get | Method::Head) || !decide::fast_path_ok(ask.path) {
        return None;
    }
    let snapshot = shard.snapshot.borrow();
    let entry = shard.cache.borrow_mut().get(site, ask.path)?.clone();
    if !trusted(&snapshot, site, &entry, now) {
        shard.cache.borrow_mut().remove(site, ask.path);
        return None;
    }
    shard.metrics.borrow_mut().file_cache_hits += 1;
    Some(write_entry(
        out,
        shard.date.borrow().line(),
        &entry,
        ask,
        200,
    ))
}

/// An entry is trusted for `file_cache_revalidate_ms`, then its file is stat'ed again; false
/// means the file changed or went away, and the entry must be dropped.
fn trusted(snapshot: &Snapshot, site: usize, entry: &CachedFile, now: Instant) -> bool {
    let revalidate = Duration::from_millis(snapshot.config.server.limits.file_cache_revalidate_ms);
    if now.duration_since(entry.checked_at.get()) < revalidate {
        return true;
    }
    if !still_fresh(&snapshot.site_runtime[site].root, entry) {
        return false;
    }
    entry.checked_at.set(now);
    true
}

fn still_fresh(root: &OwnedFd, entry: &CachedFile) -> bool {
    stat_file(root, &entry.rel) == Some(entry.meta)
        && entry.siblings.iter().all(|(encoding, seen)| {
            stat_file(root, &format!("{}{}", entry.rel, encoding.suffix())) == *seen
        })
}

/// The metadata of `rel` beneath `root` if it is a regular file.
fn stat_file(root: &OwnedFd, rel: &str) -> Option<FileMeta> {
    let meta = sys::open_beneath(root, rel)
        .and_then(|f| f.metadata())
        .ok()?;
    meta.is_file().then(|| file_meta(&meta))
}

/// The slow path: resolve, open, stat, read, cache.
pub(crate) async fn answer_miss(
    shard: &Rc<Shard>,
    ask: &Ask<'_>,
    now: Instant,
    out: &mut Vec<u8>,
) -> Answer {
    let date_line = || shard.date.borrow().line().to_vec();
    if !matches!(ask.method, Method::Get | Method::Head) {
        return method_not_allowed(out, &date_line(), ask);
    }
    shard.metrics.borrow_mut().file_cache_misses += 1;
    let snapshot: Arc<Snapshot> = shard.snapshot.borrow().clone();
    let site = snapshot.sites.select(ask.host);
    let site_config = &snapshot.config.sites[site];
    let safe = match decide::resolve_path(ask.path, site_config.dotfiles) {
        Ok(safe) => safe,
        Err(e) => return error(shard, &snapshot, site, e.status(), ask, now, out).await,
    };
    let root = &snapshot.site_runtime[site].root;
    let (file, meta, rel) =
        match open_file(root, &safe.rel, safe.trailing_slash, &site_config.index) {
            Ok(found) => found,
            Err(Miss::Status(status)) => {
                return error(shard, &snapshot, site, status, ask, now, out).await;
            }
            Err(Miss::Redirect) => {
                let location = decide::directory_redirect_location(ask.path, ask.query);
                return redirect(out, &date_line(), &location, ask);
            }
        };
    let size = meta.len();
    let entry_max = shard.cache.borrow().admits(size as usize);
    if entry_max {
        let entry = match load_entry(&snapshot, site, file, &meta, rel, now).await {
            Ok(entry) => Rc::new(entry),
            Err(_) => return error(shard, &snapshot, site, 500, ask, now, out).await,
        };
        let weight = entry
            .variants
            .iter()
            .map(|v| v.body.len() + v.headers.len())
            .sum::<usize>();
        // Cache under the request path only when it is its own canonical key (the raw
        // bytes), so later hits need no decoding; other spellings are served uncached.
        if decide::fast_path_ok(ask.path) {
            shard
                .cache
                .borrow_mut()
                .insert(site, ask.path.into(), entry.clone(), weight);
        }
        return write_entry(out, shard.date.borrow().line(), &entry, ask, 200);
    }
    stream_large(shard, &snapshot, site, file, &meta, &rel, ask, out).await
}

enum Miss {
    Status(u16),
    Redirect,
}

/// Opens `rel` beneath `root`; a directory becomes its first index file.
fn open_file(
    root: &OwnedFd,
    rel: &str,
    trailing_slash: bool,
    index: &[String],
) -> Result<(std::fs::File, std::fs::Metadata, String), Miss> {
    let file = sys::open_beneath(root, rel).map_err(|e| Miss::Status(status_of(&e)))?;
    let meta = file.metadata().map_err(|e| Miss::Status(status_of(&e)))?;
    if meta.is_file() {
        // `/file.txt/` names a file as if it were a directory.
        return if trailing_slash && !rel.is_empty() {
            Err(Miss::Status(404))
        } else {
            Ok((file, meta, rel.to_string()))
        };
    }
    if !meta.is_dir() {
        return Err(Miss::Status(403));
    }
    if !trailing_slash && !rel.is_empty() {
        return Err(Miss::Redirect);
    }
    for name in index {
        let candidate = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if let Ok(file) = sys::open_beneath(root, &candidate)
            && let Ok(meta) = file.metadata()
            && meta.is_file()
        {
            return Ok((file, meta, candidate));
        }
    }
    // A directory without an index: no listings (nginx answers the same).
    Err(Miss::Status(403))
}

fn status_of(e: &io::Error) -> u16 {
    match e.raw_os_error() {
        Some(libc::ENOENT | libc::ENOTDIR | libc::ENAMETOOLONG) => 404,
        // EXDEV: the path resolves outside the root (RESOLVE_BENEATH); ELOOP: symlink loop.
        Some(libc::EACCES | libc::EPERM | libc::EXDEV | libc::ELOOP) => 403,
        _ => 500,
    }
}

fn file_meta(meta: &std::fs::Metadata) -> FileMeta {
    FileMeta {
        size: meta.len(),
        mtime_secs: meta.mtime(),
        mtime_nanos: u32::try_from(meta.mtime_nsec()).unwrap_or(0),
        inode: meta.ino(),
    }
}

async fn load_entry(
    snapshot: &Snapshot,
    site: usize,
    file: std::fs::File,
    meta: &std::fs::Metadata,
    rel: String,
    now: Instant,
) -> io::Result<CachedFile> {
    let site_config = &snapshot.config.sites[site];
    let site_runtime = &snapshot.site_runtime[site];
    let content_type = decide::content_type(&rel);
    let mut found: Vec<(Encoding, Bytes, FileMeta)> = vec![(
        Encoding::Identity,
        read_whole(file, meta.len()).await?,
        file_meta(meta),
    )];
    let mut siblings = Vec::new();
    if site_config.precompressed
        && COMPRESSIBLE_PREFIXES
            .iter()
            .any(|p| content_type.starts_with(p))
    {
        for encoding in [Encoding::Brotli, Encoding::Gzip] {
            let sibling = format!("{rel}{}", encoding.suffix());
            let opened = sys::open_beneath(&site_runtime.root, &sibling)
                .and_then(|file| Ok((file.metadata()?, file)));
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
    let cache_control = site_runtime.cache_control.lookup(&format!("/{rel}"));
    let variants = found
        .into_iter()
        .map(|(encoding, body, vmeta)| {
            let etag = decide::etag(&vmeta, encoding);
            let mut headers = Vec::with_capacity(256);
            h1::write_header(&mut headers, b"content-type", content_type.as_bytes());
            h1::write_header(
                &mut headers,
                b"last-modified",
                decide::http_date(vmeta.mtime_secs).as_bytes(),
            );
            h1::write_header(&mut headers, b"etag", etag.as_bytes());
            h1::write_header(&mut headers, b"accept-ranges", b"bytes");
            if let Some(value) = cache_control {
                h1::write_header(&mut headers, b"cache-control", value.as_bytes());
            }
            if vary {
                h1::write_header(&mut headers, b"vary", b"accept-encoding");
            }
            if let Some(value) = encoding.header_value() {
                h1::write_header(&mut headers, b"content-encoding", value.as_bytes());
            }
            h1::write_header(&mut headers, b"server", b"bext");
            headers.extend_from_slice(&site_runtime.extra_headers);
            Variant {
                encoding,
                body,
                etag,
                mtime_secs: vmeta.mtime_secs,
                headers: headers.into_boxed_slice(),
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

fn write_entry(
    out: &mut Vec<u8>,
    date_line: &[u8],
    entry: &CachedFile,
    ask: &Ask<'_>,
    status_full: u16,
) -> Answer {
    let have = |e: Encoding| entry.variants.iter().any(|v| v.encoding == e);
    let encoding = decide::choose_encoding(
        ask.accept_encoding,
        have(Encoding::Brotli),
        have(Encoding::Gzip),
    );
    let variant = entry
        .variants
        .iter()
        .find(|v| v.encoding == encoding)
        .unwrap_or(&entry.variants[0]);
    let size = variant.body.len() as u64;
    // Error pages are served with their own status and take no conditions.
    let selection = if status_full == 200 {
        decide::evaluate(
            true,
            &ask.conditions,
            &variant.etag,
            variant.mtime_secs,
            size,
        )
    } else {
        Selection::Full
    };
    let (status, body): (u16, &[u8]) = match selection {
        Selection::NotModified => (304, &[]),
        Selection::Full => (status_full, &variant.body),
        Selection::Partial { start, end } => (206, &variant.body[start as usize..=end as usize]),
        Selection::Unsatisfiable => (416, &[]),
    };
    h1::write_status_line(out, status);
    out.extend_from_slice(date_line);
    out.extend_from_slice(&variant.headers);
    match selection {
        Selection::Partial { start, end } => h1::write_header(
            out,
            b"content-range",
            content_range(start, end, size).as_bytes(),
        ),
        Selection::Unsatisfiable => h1::write_header(
            out,
            b"content-range",
            content_range_unsatisfiable(size).as_bytes(),
        ),
        _ => {}
    }
    if status != 304 {
        h1::write_content_length(out, body.len() as u64);
    }
    connection_header(out, ask);
    out.extend_from_slice(b"\r\n");
    if ask.head_only() {
        return Answer::Done {
            status,
            body_bytes: 0,
            close: !ask.keep_alive,
        };
    }
    if body.len() >= GATHER_BODY_BYTES_MIN {
        // Sent from the cache entry itself with a gathered write, not copied behind the head.
        let start = body.as_ptr() as usize - variant.body.as_ptr() as usize;
        let tail = Tail::Bytes(variant.body.slice(start..start + body.len()));
        return Answer::Stream {
            status,
            tail,
            close: !ask.keep_alive,
        };
    }
    out.extend_from_slice(body);
    Answer::Done {
        status,
        body_bytes: body.len() as u64,
        close: !ask.keep_alive,
    }
}

#[allow(clippy::too_many_arguments)]
async fn stream_large(
    shard: &Rc<Shard>,
    snapshot: &Snapshot,
    site: usize,
    file: std::fs::File,
    meta: &std::fs::Metadata,
    rel: &str,
    ask: &Ask<'_>,
    out: &mut Vec<u8>,
) -> Answer {
    let site_config = &snapshot.config.sites[site];
    let site_runtime = &snapshot.site_runtime[site];
    let content_type = decide::content_type(rel);
    // Pick a precompressed sibling if the client takes it.
    let mut chosen = (Encoding::Identity, file, file_meta(meta));
    let mut vary = false;
    if site_config.precompressed
        && COMPRESSIBLE_PREFIXES
            .iter()
            .any(|p| content_type.starts_with(p))
    {
        let open = |e: Encoding| {
            sys::open_beneath(&site_runtime.root, &format!("{rel}{}", e.suffix()))
                .ok()
                .and_then(|f| {
                    f.metadata()
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| (f, file_meta(&m)))
                })
        };
        let (br, gz) = (open(Encoding::Brotli), open(Encoding::Gzip));
        vary = br.is_some() || gz.is_some();
        match decide::choose_encoding(ask.accept_encoding, br.is_some(), gz.is_some()) {
            Encoding::Brotli => {
                chosen = br.map(|(f, m)| (Encoding::Brotli, f, m)).unwrap_or(chosen)
            }
            Encoding::Gzip => chosen = gz.map(|(f, m)| (Encoding::Gzip, f, m)).unwrap_or(chosen),
            Encoding::Identity => {}
        }
    }
    let (encoding, file, vmeta) = chosen;
    let etag = decide::etag(&vmeta, encoding);
    let size = vmeta.size;
    let selection = decide::evaluate(true, &ask.conditions, &etag, vmeta.mtime_secs, size);
    let (status, offset, len) = match selection {
        Selection::NotModified => (304, 0, 0),
        Selection::Full => (200, 0, size),
        Selection::Partial { start, end } => (206, start, end - start + 1),
        Selection::Unsatisfiable => (416, 0, 0),
    };
    h1::write_status_line(out, status);
    out.extend_from_slice(shard.date.borrow().line());
    h1::write_header(out, b"content-type", content_type.as_bytes());
    h1::write_header(
        out,
        b"last-modified",
        decide::http_date(vmeta.mtime_secs).as_bytes(),
    );
    h1::write_header(out, b"etag", etag.as_bytes());
    h1::write_header(out, b"accept-ranges", b"bytes");
    if let Some(value) = site_runtime.cache_control.lookup(&format!("/{rel}")) {
        h1::write_header(out, b"cache-control", value.as_bytes());
    }
    if vary {
        h1::write_header(out, b"vary", b"accept-encoding");
    }
    if let Some(value) = encoding.header_value() {
        h1::write_header(out, b"content-encoding", value.as_bytes());
    }
    h1::write_header(out, b"server", b"bext");
    out.extend_from_slice(&site_runtime.extra_headers);
    match selection {
        Selection::Partial { start, end } => h1::write_header(
            out,
            b"content-range",
            content_range(start, end, size).as_bytes(),
        ),
        Selection::Unsatisfiable => h1::write_header(
            out,
            b"content-range",
            content_range_unsatisfiable(size).as_bytes(),
        ),
        _ => {}
    }
    if status != 304 {
        h1::write_content_length(out, len);
    }
    connection_header(out, ask);
    out.extend_from_slice(b"\r\n");
    if ask.head_only() || len == 0 {
        return Answer::Done {
            status,
            body_bytes: 0,
            close: !ask.keep_alive,
        };
    }
    match rt::File::from_std(file) {
        Ok(file) => Answer::Stream {
            status,
            tail: Tail::File(StreamJob { file, offset, len }),
            close: !ask.keep_alive,
        },
        Err(_) => {
            out.clear();
            h1::write_error_response(out, 500, &shard.date.borrow(), false, ask.head_only());
            Answer::Done {
                status: 500,
                body_bytes: 0,
                close: true,
            }
        }
    }
}

/// An error status, with the site's error page for it if one is configured and readable.
async fn error(
    shard: &Rc<Shard>,
    snapshot: &Arc<Snapshot>,
    site: usize,
    status: u16,
    ask: &Ask<'_>,
    now: Instant,
    out: &mut Vec<u8>,
) -> Answer {
    let page = snapshot.config.sites[site]
        .error_pages
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, p)| p.clone());
    if let Some(page) = page {
        // Cached under a key no request path can have (request paths start with '/').
        let key = format!("!error/{page}");
        let mut cached = shard.cache.borrow_mut().get(site, key.as_bytes()).cloned();
        // Error pages are revalidated like any file: an edited 404 page must show.
        if cached
            .as_ref()
            .is_some_and(|entry| !trusted(snapshot, site, entry, now))
        {
            shard.cache.borrow_mut().remove(site, key.as_bytes());
            cached = None;
        }
        let entry = match cached {
            Some(entry) => Some(entry),
            None => match sys::open_beneath(&snapshot.site_runtime[site].root, &page) {
                Ok(file) => match file.metadata() {
                    Ok(meta)
                        if meta.is_file() && shard.cache.borrow().admits(meta.len() as usize) =>
                    {
                        match load_entry(snapshot, site, file, &meta, page.clone(), now).await {
                            Ok(entry) => {
                                let entry = Rc::new(entry);
                                let weight = entry
                                    .variants
                                    .iter()
                                    .map(|v| v.body.len() + v.headers.len())
                                    .sum();
                                shard.cache.borrow_mut().insert(
                                    site,
                                    key.into_bytes().into(),
                                    entry.clone(),
                                    weight,
                                );
                                Some(entry)
                            }
                            Err(_) => None,
                        }
                    }
                    _ => None,
                },
                Err(_) => None,
            },
        };
        if let Some(entry) = entry {
            return write_entry(out, shard.date.borrow().line(), &entry, ask, status);
        }
    }
    // The codec's error pages never say `keep-alive`, which an HTTP/1.0 client needs to stay.
    let keep_alive = ask.keep_alive && !ask.http_1_0;
    let body_bytes = codec_error_response(
        out,
        status,
        &shard.date.borrow(),
        keep_alive,
        ask.head_only(),
    );
    Answer::Done {
        status,
        body_bytes,
        close: !keep_alive,
    }
}

/// Appends the codec's error response; returns the body bytes it sent (for the access log,
/// which counts them like any body, as nginx's `$body_bytes_sent` does).
pub(crate) fn codec_error_response(
    out: &mut Vec<u8>,
    status: u16,
    date: &h1::DateCache,
    keep_alive: bool,
    head_only: bool,
) -> u64 {
    let start = out.len();
    h1::write_error_response(out, status, date, keep_alive, head_only);
    if head_only {
        return 0;
    }
    let written = &out[start..];
    written
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |end| (written.len() - end - 4) as u64)
}

fn redirect(out: &mut Vec<u8>, date_line: &[u8], location: &[u8], ask: &Ask<'_>) -> Answer {
    h1::write_status_line(out, 301);
    out.extend_from_slice(date_line);
    h1::write_header(out, b"location", location);
    h1::write_header(out, b"server", b"bext");
    h1::write_content_length(out, 0);
    connection_header(out, ask);
    out.extend_from_slice(b"\r\n");
    Answer::Done {
        status: 301,
        body_bytes: 0,
        close: !ask.keep_alive,
    }
}

fn method_not_allowed(out: &mut Vec<u8>, date_line: &[u8], ask: &Ask<'_>) -> Answer {
    h1::write_status_line(out, 405);
    out.extend_from_slice(date_line);
    h1::write_header(out, b"allow", b"GET, HEAD");
    h1::write_header(out, b"server", b"bext");
    h1::write_content_length(out, 0);
    connection_header(out, ask);
    out.extend_from_slice(b"\r\n");
    Answer::Done {
        status: 405,
        body_bytes: 0,
        close: !ask.keep_alive,
    }
}

fn connection_header(out: &mut Vec<u8>, ask: &Ask<'_>) {
    if !ask.keep_alive {
        h1::write_header(out, b"connection", b"close");
    } else if ask.http_1_0 {
        h1::write_header(out, b"connection", b"keep-alive");
    }
}
