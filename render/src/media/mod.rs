//! Images an app imports or asks the optimizer for: `import logo from "./logo.png"` (a static
//! image import, as Next.js's image loader makes it) and the pixels behind `/_next/image`.
//!
//! # Static imports
//!
//! An image module is not JavaScript: the linker asks [`static_import`] for it, which reads
//! the image's size from its header and, for the formats Next blurs (JPEG, PNG, WebP), makes
//! the 8-pixel `blurDataURL` Next makes (same size rule, quality 70, same encoding as the
//! source). The module exports Next's object (`src`, `width`, `height`, `blurDataURL`,
//! `blurWidth`, `blurHeight`), and the file is served from memory at its `src`,
//! `/_next/static/media/<name>.<hash>.<ext>`, with immutable caching: the hash names the
//! content, so a changed image gets a new URL.
//!
//! # The optimizer
//!
//! [`transform`] decodes, resizes and re-encodes one image. It is plain CPU work that can take
//! tens of milliseconds on a large photo, so the server never runs it on a shard's thread (see
//! `bext-server`'s `service::app::image`). The decisions around it (which requests are valid,
//! which format to write) are `bext_core::image`'s.

mod compress;
mod sniff;
mod transform;

use std::hash::Hasher;
use std::path::Path;

use bytes::Bytes;

pub use sniff::{is_animated, sniff};
pub use transform::{Transformed, transform};

/// Extensions a static image import may have (those Next's image loader takes).
const IMPORTABLE: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "bmp", "svg",
];

/// Largest side of the blur placeholder, and its quality (Next's `BLUR_IMG_SIZE`,
/// `BLUR_QUALITY`).
const BLUR_SIDE_PX: u32 = 8;
const BLUR_QUALITY: u8 = 70;

/// Whether `path` is imported as an image rather than compiled.
pub fn is_image_module(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMPORTABLE.contains(&e.to_ascii_lowercase().as_str()))
}

/// A file the app's modules bring in (an imported image, a `next/font` file or stylesheet),
/// served from memory at a URL that names its content.
#[derive(Debug)]
pub struct StaticFile {
    /// `/_next/static/media/logo.1a2b3c4d.png` (without the base path).
    pub url: String,
    pub body: Bytes,
    pub content_type: &'static str,
    /// The body compressed ahead of time (stylesheets), sent when the client accepts it.
    pub brotli: Option<Bytes>,
    pub gzip: Option<Bytes>,
}

impl StaticFile {
    /// A file sent as it is.
    pub fn new(url: String, body: Bytes, content_type: &'static str) -> StaticFile {
        StaticFile {
            url,
            body,
            content_type,
            brotli: None,
            gzip: None,
        }
    }

    /// A text file, with its Brotli and gzip encodings made now (each kept only when smaller).
    pub fn precompressed(url: String, body: Bytes, content_type: &'static str) -> StaticFile {
        let (brotli, gzip) = compress::both(&body);
        StaticFile {
            url,
            body,
            content_type,
            brotli,
            gzip,
        }
    }
}

/// An imported image: its file, and its module's value as a JavaScript expression (the base
/// path is added at run time).
#[derive(Debug)]
pub struct StaticImage {
    pub file: StaticFile,
    pub module_code: String,
}

/// Reads an imported image; the error says why it cannot be one.
pub fn static_import(path: &Path, bytes: Vec<u8>) -> Result<StaticImage, String> {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("image");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(&bytes);
    let url = format!(
        "/_next/static/media/{name}.{:08x}.{ext}",
        hasher.finish() as u32
    );
    let content_type = sniff(&bytes)
        .or_else(|| (ext == "svg").then_some("image/svg+xml"))
        .ok_or_else(|| format!("not an image that bext can read (.{ext})"))?;
    let (width, height) = dimensions(&bytes, content_type)?;
    // Next's loader calls a `.jpg` file's type `jpeg`.
    let kind = if ext == "jpg" { "jpeg" } else { ext.as_str() };
    let blur = if matches!(kind, "jpeg" | "png" | "webp") && !is_animated(&bytes, content_type) {
        blur(&bytes, kind, width, height)
    } else {
        None
    };
    let mut fields = vec![
        format!("\"src\":__bext_media({})", js_string(&url)),
        format!("\"height\":{height}"),
        format!("\"width\":{width}"),
    ];
    let (blur_width, blur_height) = match &blur {
        Some((data_url, w, h)) => {
            fields.push(format!("\"blurDataURL\":{}", js_string(data_url)));
            (*w, *h)
        }
        None => (0, 0),
    };
    fields.push(format!("\"blurWidth\":{blur_width}"));
    fields.push(format!("\"blurHeight\":{blur_height}"));
    Ok(StaticImage {
        file: StaticFile::new(url, Bytes::from(bytes), content_type),
        module_code: format!("{{{}}}", fields.join(",")),
    })
}

fn js_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Width and height from the image's header (an SVG's from its `width`/`height` or
/// `viewBox`).
fn dimensions(bytes: &[u8], content_type: &str) -> Result<(u32, u32), String> {
    if content_type == "image/svg+xml" {
        return svg_dimensions(bytes).ok_or_else(|| {
            String::from("an SVG without width and height or a viewBox: its size is unknown")
        });
    }
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .into_dimensions()
        .map_err(|e| format!("cannot read the image's size: {e}"))
}

fn svg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| -> Option<&str> {
        let at = tag.find(&format!(" {name}="))? + name.len() + 2;
        let quote = tag[at..].chars().next()?;
        let rest = &tag[at + 1..];
        Some(&rest[..rest.find(quote)?])
    };
    let number = |v: &str| v.trim().trim_end_matches("px").parse::<f64>().ok();
    if let (Some(w), Some(h)) = (
        attr("width").and_then(number),
        attr("height").and_then(number),
    ) {
        return Some((w.round() as u32, h.round() as u32));
    }
    let view: Vec<f64> = attr("viewBox")?
        .split([' ', ','])
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    (view.len() == 4).then(|| (view[2].round() as u32, view[3].round() as u32))
}

/// Next's blur placeholder: the largest side shrunk to 8 pixels, encoded as the source is, as
/// a data URL; with its width and height.
fn blur(bytes: &[u8], kind: &str, width: u32, height: u32) -> Option<(String, u32, u32)> {
    use base64::Engine as _;
    let (bw, bh) = if width >= height {
        let h = (f64::from(height) / f64::from(width) * f64::from(BLUR_SIDE_PX)).round();
        (BLUR_SIDE_PX, (h as u32).max(1))
    } else {
        let w = (f64::from(width) / f64::from(height) * f64::from(BLUR_SIDE_PX)).round();
        ((w as u32).max(1), BLUR_SIDE_PX)
    };
    let format = bext_core::image::Format::from_mime(&format!("image/{kind}"))?;
    let out = transform::resize_exact(bytes, bw, bh, format, BLUR_QUALITY).ok()?;
    let data = base64::engine::general_purpose::STANDARD.encode(out);
    Some((format!("data:image/{kind};base64,{data}"), bw, bh))
}

#[cfg(test)]
mod tests;
