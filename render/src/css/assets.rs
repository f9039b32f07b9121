//! A stylesheet's `url()`s and remaining `@import`s, as lightningcss reports them (each written
//! as a quoted placeholder): files beside the stylesheet become content-hashed files under
//! `/_next/static/media/`, written relative to the stylesheet (`../media/…`) so a base path
//! holds; URLs (absolute, root-relative, `data:`, fragments) are written back as they were.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bext_core::limits::STYLESHEET_ASSET_BYTES_MAX as ASSET_BYTES_MAX;
use lightningcss::dependencies::Dependency;

use super::{CssError, hash, quoted};
use crate::link::resolve::normalize;
use crate::media::StaticFile;

/// A stylesheet's code with every placeholder replaced, and the files its `url()`s bring in.
pub(super) struct Placed {
    pub code: String,
    pub files: Vec<Arc<StaticFile>>,
}

/// Replaces `code`'s placeholders. The error names the stylesheet file whose `url()` failed.
pub(super) fn place(
    mut code: String,
    dependencies: Vec<Dependency>,
    root: &Path,
) -> Result<Placed, CssError> {
    let mut files: Vec<Arc<StaticFile>> = Vec::new();
    for dependency in dependencies {
        let (placeholder, written) = match dependency {
            Dependency::Import(import) => (import.placeholder, quoted(&import.url)),
            Dependency::Url(url) => {
                let written = if is_url(&url.url) {
                    quoted(&url.url)
                } else {
                    let from = PathBuf::from(&url.loc.file_path);
                    let file = asset(&from, &url.url, root)?;
                    let relative = format!(
                        "..{}{}",
                        file.url.trim_start_matches("/_next/static"),
                        suffix(&url.url)
                    );
                    if !files.iter().any(|f| f.url == file.url) {
                        files.push(Arc::new(file));
                    }
                    quoted(&relative)
                };
                (url.placeholder, written)
            }
        };
        code = code.replace(&format!("\"{placeholder}\""), &written);
    }
    Ok(Placed { code, files })
}

/// A URL rather than a file beside the stylesheet.
fn is_url(url: &str) -> bool {
    url.is_empty()
        || url.starts_with('/')
        || url.starts_with('#')
        || url.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// The `?query#fragment` of a url (`font.eot?#iefix`), kept on the rewritten URL.
fn suffix(url: &str) -> &str {
    url.find(['?', '#']).map_or("", |at| &url[at..])
}

fn asset(stylesheet: &Path, url: &str, root: &Path) -> Result<StaticFile, CssError> {
    let path_part = &url[..url.len() - suffix(url).len()];
    let dir = stylesheet.parent().unwrap_or(root);
    let file = normalize(&dir.join(path_part));
    let fail = |message: String| CssError {
        file: stylesheet.to_path_buf(),
        line: 0,
        column: 0,
        message,
    };
    let meta = std::fs::metadata(&file)
        .map_err(|e| fail(format!("url({url}): cannot read {}: {e}", file.display())))?;
    if meta.len() > ASSET_BYTES_MAX {
        return Err(fail(format!(
            "url({url}): larger than {ASSET_BYTES_MAX} bytes"
        )));
    }
    let bytes = std::fs::read(&file)
        .map_err(|e| fail(format!("url({url}): cannot read {}: {e}", file.display())))?;
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let url = format!(
        "/_next/static/media/{stem}.{:08x}.{ext}",
        hash(&bytes) as u32
    );
    Ok(StaticFile::new(url, bytes.into(), content_type(&ext)))
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "eot" => "application/vnd.ms-fontobject",
        "css" => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_files_are_told_apart() {
        for url in [
            "/a.png",
            "https://x/a.png",
            "data:image/png;base64,AA",
            "#grad",
            "",
        ] {
            assert!(is_url(url), "{url}");
        }
        for file in ["a.png", "./a.png", "../fonts/x.woff2?v=1", "img/a:b.png"] {
            assert!(!is_url(file), "{file}");
        }
        assert_eq!(suffix("x.eot?#iefix"), "?#iefix");
        assert_eq!(suffix("x.svg#icon"), "#icon");
        assert_eq!(suffix("x.png"), "");
    }
}
