//! Static-file decisions: everything a file server decides, none of what it does.
//!
//! The runtime (`bext-shards`) stats and opens files and writes responses; this module tells it
//! which file, which variant, which headers and which status. Inputs are request bytes and the
//! [`FileMeta`] the runtime read; nothing here touches the file system or the clock.
//!
//! # How the runtime combines these
//!
//! Per request, for `GET`/`HEAD` (other methods: 405):
//!
//! 1. **Path.** If [`fast_path_ok`] holds for the raw path, use the raw bytes as the file
//!    cache key and skip decoding. Otherwise [`resolve_path`]; on error answer
//!    [`PathError::status`] (400, or 404 for a hidden dotfile).
//! 2. **Cache hit?** An entry younger than `FILE_CACHE_REVALIDATE_MS` is used as is. On a miss,
//!    or when it is due for revalidation, `stat` the root joined with `SafePath::rel`:
//!    - a directory requested without a trailing slash: 301 to
//!      [`directory_redirect_location`];
//!    - a directory with the slash: try the site's index names in order (`rel/index.html`);
//!    - missing: 404 (the site's error page, if any).
//! 3. **Build the entry, once per file** (this may allocate): [`content_type`] of the original
//!    name; which `.br`/`.gz` siblings exist (when the site enables `precompressed`), with
//!    each one's [`FileMeta`]; [`etag`] and [`http_date`] (`Last-Modified`) for each variant;
//!    the `Cache-Control` value from [`CacheControlRules::lookup`] on the served path.
//! 4. **Per request, no allocation:** [`choose_encoding`] among the variants the entry holds;
//!    [`evaluate`] with that variant's tag, mtime and size; then
//!    - [`Selection::NotModified`]: 304 with `ETag`, `Last-Modified`, `Cache-Control`, `Vary`;
//!    - [`Selection::Full`]: 200 with the body;
//!    - [`Selection::Partial`]: 206 with [`content_range`] and the slice;
//!    - [`Selection::Unsatisfiable`]: 416 with [`content_range_unsatisfiable`].
//!
//!    Every response for a file that has a precompressed sibling carries `Vary:
//!    Accept-Encoding`, and ranges apply to the variant sent (its bytes, its size), which is
//!    why the variant is chosen before [`evaluate`]. Every 200/206/304 carries `Accept-Ranges:
//!    bytes`.
//!
//! Each submodule documents its own choices where the RFCs leave room.

mod cache_control;
mod conditional;
mod encoding;
mod mime;
mod path;
mod range;
mod validators;

pub use cache_control::{CacheControlRules, compile_glob};
pub use conditional::{Conditions, Selection, evaluate, not_modified, select_stored};
pub use encoding::{Encoding, choose_encoding};
pub use mime::{OCTET_STREAM, content_type};
pub use path::{PathError, SafePath, fast_path_ok, resolve_path};
pub use range::{
    ContentRange, RangeRequest, content_range, content_range_unsatisfiable, parse_range,
};
pub use validators::{Etag, FileMeta, HTTP_DATE_BYTES, HttpDate, etag, http_date, parse_http_date};

/// `Location` for a directory requested without its trailing slash: `/docs?x=1` →
/// `/docs/?x=1`. The path stays as the client spelled it (percent-encoding included), so the
/// redirect points at the same resource; the query is kept as is.
///
/// The value is a path, not an absolute URL (RFC 9110 §10.2.2 allows a relative reference),
/// so it never depends on a `Host` header. Leading slashes are collapsed to one: `//evil.com`
/// must not become `//evil.com/`, which a browser reads as another host (an open redirect).
///
/// Called once per cache miss, so it may allocate. `raw_path` is the request-target path as
/// received (it passed [`resolve_path`], so it holds no control bytes or backslashes).
pub fn directory_redirect_location(raw_path: &[u8], query: Option<&[u8]>) -> Vec<u8> {
    let without_leading = match raw_path.iter().position(|&b| b != b'/') {
        Some(first) => &raw_path[first..],
        None => &[][..],
    };
    let query_len = query.map_or(0, |q| q.len() + 1);
    let mut location = Vec::with_capacity(without_leading.len() + 2 + query_len);
    location.push(b'/');
    location.extend_from_slice(without_leading);
    if !location.ends_with(b"/") {
        location.push(b'/');
    }
    if let Some(query) = query {
        location.push(b'?');
        location.extend_from_slice(query);
    }
    location
}
