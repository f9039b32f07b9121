//! Metadata files (`app/favicon.ico`, `icon.png`, `apple-icon.png`, `opengraph-image.png`,
//! static `robots.txt`, …): read into memory when the app loads, served from there with the
//! type their extension names, and linked in every page's `<head>` as Next.js links them.
//!
//! They are small and few, so a load reads them all (bounded by `METADATA_FILE_BYTES_MAX`
//! each) and a request for one never touches the disk.

use std::path::Path;

use bext_core::limits::METADATA_FILE_BYTES_MAX;
use bytes::Bytes;

use crate::app::MetadataFile;

/// One metadata file, in memory.
#[derive(Clone, Debug)]
pub struct Asset {
    pub url: String,
    pub body: Bytes,
    pub content_type: &'static str,
}

/// Reads every metadata file of the app; the error names the file.
pub fn load(root: &Path, files: &[MetadataFile]) -> Result<Vec<Asset>, (String, String)> {
    let mut assets = Vec::with_capacity(files.len());
    for f in files {
        let path = root.join(&f.file);
        let len = std::fs::metadata(&path)
            .map_err(|e| (f.file.clone(), format!("cannot read: {e}")))?
            .len();
        if len > METADATA_FILE_BYTES_MAX as u64 {
            return Err((
                f.file.clone(),
                format!("larger than {METADATA_FILE_BYTES_MAX} bytes: move it to public/"),
            ));
        }
        let body =
            std::fs::read(&path).map_err(|e| (f.file.clone(), format!("cannot read: {e}")))?;
        assets.push(Asset {
            url: f.url.clone(),
            content_type: content_type(&f.url),
            body: Bytes::from(body),
        });
    }
    Ok(assets)
}

fn content_type(url: &str) -> &'static str {
    match url.rsplit('.').next().unwrap_or("") {
        "ico" => "image/x-icon",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "txt" => "text/plain",
        "xml" => "application/xml",
        "json" | "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// The `<link>` tags for the app-wide icons (those at the app root), in Next's order:
/// favicon, icon, apple-icon. The query names a content hash, so a changed icon is fetched
/// anew, as Next does.
pub fn head_links(assets: &[Asset]) -> String {
    let mut html = String::new();
    for (stem, rel) in [
        ("favicon", "icon"),
        ("icon", "icon"),
        ("apple-icon", "apple-touch-icon"),
    ] {
        for asset in assets {
            let Some(name) = asset.url.strip_prefix('/') else {
                continue;
            };
            let Some((file_stem, ext)) = name.split_once('.') else {
                continue;
            };
            if file_stem != stem || name.contains('/') {
                continue;
            }
            html.push_str(&format!(
                r#"<link rel="{rel}" href="{url}?{stem}.{hash:08x}.{ext}""#,
                url = asset.url,
                hash = fnv1a(&asset.body),
            ));
            if let Some((w, h)) = dimensions(&asset.body) {
                html.push_str(&format!(r#" sizes="{w}x{h}""#));
            } else if ext == "svg" {
                html.push_str(r#" sizes="any""#);
            }
            html.push_str(&format!(r#" type="{}"/>"#, asset.content_type));
        }
    }
    html
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Width and height of a PNG (its IHDR) or an ICO (its first image; 0 means 256).
fn dimensions(body: &[u8]) -> Option<(u32, u32)> {
    if body.starts_with(b"\x89PNG\r\n\x1a\n") && body.len() >= 24 {
        let w = u32::from_be_bytes(body[16..20].try_into().ok()?);
        let h = u32::from_be_bytes(body[20..24].try_into().ok()?);
        return Some((w, h));
    }
    if body.starts_with(&[0, 0, 1, 0]) && body.len() >= 8 {
        let side = |b: u8| if b == 0 { 256 } else { u32::from(b) };
        return Some((side(body[6]), side(body[7])));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_are_linked_with_their_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&32u32.to_be_bytes());
        png.extend_from_slice(&16u32.to_be_bytes());
        let assets = vec![
            Asset {
                url: "/icon.png".into(),
                body: Bytes::from(png),
                content_type: "image/png",
            },
            Asset {
                url: "/favicon.ico".into(),
                body: Bytes::from_static(&[0, 0, 1, 0, 1, 0, 0, 48]),
                content_type: "image/x-icon",
            },
            Asset {
                url: "/blog/icon.png".into(),
                body: Bytes::new(),
                content_type: "image/png",
            },
        ];
        let html = head_links(&assets);
        assert!(
            html.starts_with(r#"<link rel="icon" href="/favicon.ico?favicon."#),
            "{html}"
        );
        assert!(
            html.contains(r#".ico" sizes="256x48" type="image/x-icon"/>"#),
            "{html}"
        );
        assert!(
            html.contains(r#".png" sizes="32x16" type="image/png"/>"#),
            "{html}"
        );
        assert!(!html.contains("/blog/"), "{html}");
    }
}
