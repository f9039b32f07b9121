//! Answering from a site root: the shard's file cache first, the disk on a miss.
//!
//! The decisions (path safety, MIME type, validators, 304/206/416, encodings) are
//! `bext_core::static_files`; this module does the I/O around them. A hit is answered
//! synchronously, without allocating: the entry holds each variant's body (`Bytes`) and its
//! fields ([`entry::Variant::fields`], shared, with their HTTP/1.1 encoding), built once when
//! the file was read. An entry is trusted for `file_cache_revalidate_ms`, then its file is
//! stat'ed again (like nginx's `open_file_cache_valid`) and dropped if it changed. Files
//! larger than `file_cache_entry_bytes_max` are never held whole: the response carries the
//! open file and the driver streams it.
//!
//! Everything a miss does happens under the state its request pinned ([`Route::state`]): the
//! root it opens from, the rules it applies and the cache it fills all belong to one snapshot.

mod entry;

use std::io;
use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::time::Instant;

use bext_core::static_files::{
    self as decide, Encoding, Selection, content_range, content_range_unsatisfiable,
};
use bext_net::fields::Field;
use bext_shards::{rt, sys};

pub(crate) use entry::CachedFile;

use super::route::{Route, is_read};
use super::{Body, FileBody, Request, Response, Service, State};

/// The fast path: answers from the file cache if the entry is there and fresh. `None` means
/// go to [`miss`].
pub(crate) fn hit(
    service: &Service,
    route: &Route,
    request: &Request<'_>,
    now: Instant,
) -> Option<Response> {
    if !is_read(request.method) || !decide::fast_path_ok(request.path) {
        return None;
    }
    let state = &route.state;
    let entry = state
        .files
        .borrow_mut()
        .get(route.site, request.path)?
        .clone();
    if !entry.trusted(&state.snapshot, route.site, now) {
        state.files.borrow_mut().remove(route.site, request.path);
        return None;
    }
    service.shard.metrics.borrow_mut().file_cache_hits += 1;
    Some(respond(&entry, request, 200))
}

/// The slow path: resolve, open, stat, read, cache.
pub(crate) async fn miss(
    service: &Rc<Service>,
    route: &Route,
    request: &Request<'_>,
    now: Instant,
) -> Response {
    if !is_read(request.method) {
        return Response::new(405).with(Field::from_static("allow", "GET, HEAD"));
    }
    service.shard.metrics.borrow_mut().file_cache_misses += 1;
    let state = &route.state;
    let site = route.site;
    let site_config = &state.snapshot.config.sites[site];
    let safe = match decide::resolve_path(request.path, site_config.dotfiles) {
        Ok(safe) => safe,
        Err(e) => return error(state, site, e.status(), request, now).await,
    };
    let Some(root) = &state.snapshot.site_runtime[site].root else {
        return error(state, site, 404, request, now).await;
    };
    let (file, meta, rel) =
        match open_file(root, &safe.rel, safe.trailing_slash, &site_config.index) {
            Ok(found) => found,
            Err(Miss::Status(status)) => return error(state, site, status, request, now).await,
            Err(Miss::Redirect) => {
                let location = decide::directory_redirect_location(request.path, request.query);
                return match Field::new(b"location", &location) {
                    Ok(location) => Response::new(301).with(location),
                    Err(_) => Response::error(400),
                };
            }
        };
    let admitted = state.files.borrow().admits(meta.len() as usize);
    if !admitted {
        return large(state, site, root, file, &meta, &rel, request);
    }
    let entry = match entry::load(&state.snapshot, site, root, file, &meta, rel, now).await {
        Ok(entry) => Rc::new(entry),
        Err(_) => return error(state, site, 500, request, now).await,
    };
    // Cache under the request path only when it is its own canonical key (the raw bytes), so
    // later hits need no decoding; other spellings are served uncached.
    if decide::fast_path_ok(request.path) {
        let weight = entry.weight();
        state
            .files
            .borrow_mut()
            .insert(site, request.path.into(), entry.clone(), weight);
    }
    respond(&entry, request, 200)
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

/// The response for a cached file: the variant the client accepts, the conditions applied.
/// `status_full` is what a full answer says (200, or the status an error page stands for).
fn respond(entry: &CachedFile, request: &Request<'_>, status_full: u16) -> Response {
    let have = |e: Encoding| entry.variants.iter().any(|v| v.encoding == e);
    let encoding = decide::choose_encoding(
        request.accept_encoding,
        have(Encoding::Brotli),
        have(Encoding::Gzip),
    );
    let Some(variant) = entry
        .variants
        .iter()
        .find(|v| v.encoding == encoding)
        .or(entry.variants.first())
    else {
        return Response::error(500);
    };
    let size = variant.body.len() as u64;
    // Error pages are served with their own status and take no conditions.
    let selection = if status_full == 200 {
        decide::evaluate(
            true,
            &request.conditions,
            &variant.etag,
            variant.mtime_secs,
            size,
        )
    } else {
        Selection::Full
    };
    let mut response = Response::new(status_full);
    response.shared = Some(variant.fields.clone());
    match selection {
        Selection::NotModified => response.status = 304,
        Selection::Full => response.body = Body::Bytes(variant.body.clone()),
        Selection::Partial { start, end } => {
            response.status = 206;
            response.fields.push(Field::with_value(
                "content-range",
                content_range(start, end, size).as_bytes().to_vec(),
            ));
            response.body = Body::Bytes(variant.body.slice(start as usize..=end as usize));
        }
        Selection::Unsatisfiable => {
            response.status = 416;
            response.fields.push(Field::with_value(
                "content-range",
                content_range_unsatisfiable(size).as_bytes().to_vec(),
            ));
        }
    }
    response
}

/// A file too large for the cache: its fields made for this response, its body streamed by
/// the driver from the open file.
fn large(
    state: &State,
    site: usize,
    root: &OwnedFd,
    file: std::fs::File,
    meta: &std::fs::Metadata,
    rel: &str,
    request: &Request<'_>,
) -> Response {
    let site_config = &state.snapshot.config.sites[site];
    let content_type = decide::content_type(rel);
    // Pick a precompressed sibling if the client takes it.
    let mut chosen = (Encoding::Identity, file, entry::file_meta(meta));
    let mut vary = false;
    if site_config.precompressed && entry::compressible(content_type) {
        let open = |e: Encoding| {
            sys::open_beneath(root, &format!("{rel}{}", e.suffix()))
                .ok()
                .and_then(|f| {
                    f.metadata()
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| (f, entry::file_meta(&m)))
                })
        };
        let (br, gz) = (open(Encoding::Brotli), open(Encoding::Gzip));
        vary = br.is_some() || gz.is_some();
        match decide::choose_encoding(request.accept_encoding, br.is_some(), gz.is_some()) {
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
    let selection = decide::evaluate(true, &request.conditions, &etag, vmeta.mtime_secs, size);
    let fields = entry::file_fields(&state.snapshot, site, rel, &vmeta, &etag, encoding, vary);
    let mut response = Response::new(200);
    response.fields.extend(fields);
    let (offset, len) = match selection {
        Selection::NotModified => {
            response.status = 304;
            return response;
        }
        Selection::Full => (0, size),
        Selection::Partial { start, end } => {
            response.status = 206;
            response.fields.push(Field::with_value(
                "content-range",
                content_range(start, end, size).as_bytes().to_vec(),
            ));
            (start, end - start + 1)
        }
        Selection::Unsatisfiable => {
            response.status = 416;
            response.fields.push(Field::with_value(
                "content-range",
                content_range_unsatisfiable(size).as_bytes().to_vec(),
            ));
            return response;
        }
    };
    match rt::File::from_std(file) {
        Ok(file) => {
            response.body = Body::File(FileBody { file, offset, len });
            response
        }
        Err(_) => Response::error(500),
    }
}

/// An error status, with the site's error page for it if one is configured and readable.
async fn error(
    state: &State,
    site: usize,
    status: u16,
    request: &Request<'_>,
    now: Instant,
) -> Response {
    let page = state.snapshot.config.sites[site]
        .error_pages
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, p)| p.clone());
    if let (Some(page), Some(root)) = (page, &state.snapshot.site_runtime[site].root)
        && let Some(entry) = error_page(state, site, root, &page, now).await
    {
        return respond(&entry, request, status);
    }
    Response::error(status)
}

/// The cache entry of error page `page`, loaded if needed.
async fn error_page(
    state: &State,
    site: usize,
    root: &OwnedFd,
    page: &str,
    now: Instant,
) -> Option<Rc<CachedFile>> {
    // Cached under a key no request path can have (request paths start with '/').
    let key = format!("!error/{page}");
    let cached = state.files.borrow_mut().get(site, key.as_bytes()).cloned();
    // Error pages are revalidated like any file: an edited 404 page must show.
    match cached {
        Some(entry) if entry.trusted(&state.snapshot, site, now) => return Some(entry),
        Some(_) => {
            state.files.borrow_mut().remove(site, key.as_bytes());
        }
        None => {}
    }
    let file = sys::open_beneath(root, page).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || !state.files.borrow().admits(meta.len() as usize) {
        return None;
    }
    let entry = entry::load(
        &state.snapshot,
        site,
        root,
        file,
        &meta,
        page.to_owned(),
        now,
    )
    .await
    .ok()?;
    let entry = Rc::new(entry);
    let weight = entry.weight();
    state
        .files
        .borrow_mut()
        .insert(site, key.into_bytes().into(), entry.clone(), weight);
    Some(entry)
}
