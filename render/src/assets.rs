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
                hash = content_hash(&asset.body),
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

/// The hash in a metadata file's query (FNV-1a: short, stable, and all a cache-buster needs).
pub(crate) fn content_hash(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Width and height of a PNG (its IHDR), an ICO (its first image; 0 means 256), a GIF (its
/// logical screen) or a JPEG (its first start-of-frame segment).
pub(crate) fn dimensions(body: &[u8]) -> Option<(u32, u32)> {
    if body.starts_with(b"\x89PNG\r\n\x1a\n") && body.len() >= 24 {
        let w = u32::from_be_bytes(body[16..20].try_into().ok()?);
        let h = u32::from_be_bytes(body[20..24].try_into().ok()?);
        return Some((w, h));
    }
    if body.starts_with(&[0, 0, 1, 0]) && body.len() >= 8 {
        let side = |b: u8| if b == 0 { 256 } else { u32::from(b) };
        return Some((side(body[6]), side(body[7])));
    }
    if (body.starts_with(b"GIF87a") || body.starts_with(b"GIF89a")) && body.len() >= 10 {
        let w = u16::from_le_bytes([body[6], body[7]]);
        let h = u16::from_le_bytes([body[8], body[9]]);
        return Some((u32::from(w), u32::from(h)));
    }
    if body.starts_with(&[0xff, 0xd8]) {
        return jpeg_dimensions(body);
    }
    None
}

/// Walks a JPEG's marker segments to the first SOF (baseline, progressive, lossless…): its
/// height and width follow the sample precision. Truncated or odd files give `None`.
fn jpeg_dimensions(body: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be padded with extra 0xff bytes.
        while *body.get(at)? == 0xff && *body.get(at + 1)? == 0xff {
            at += 1;
        }
        if *body.get(at)? != 0xff {
            return None;
        }
        let marker = *body.get(at + 1)?;
        // Standalone markers (TEM, RSTn) have no length.
        if marker == 0x01 || (0xd0..=0xd7).contains(&marker) {
            at += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([*body.get(at + 2)?, *body.get(at + 3)?]));
        let is_sof = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if is_sof {
            let h = u16::from_be_bytes([*body.get(at + 5)?, *body.get(at + 6)?]);
            let w = u16::from_be_bytes([*body.get(at + 7)?, *body.get(at + 8)?]);
            return Some((u32::from(w), u32::from(h)));
        }
        if marker == 0xd9 || marker == 0xda || len < 2 {
            return None;
        }
        at += 2 + len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_sizes_are_read_from_the_header() {
        let check = |body: &[u8], expect: Option<(u32, u32)>| {
            assert_eq!(dimensions(body), expect, "{body:?}");
        };
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&1200u32.to_be_bytes());
        png.extend_from_slice(&630u32.to_be_bytes());
        check(&png, Some((1200, 630)));
        check(&png[..20], None);
        check(b"GIF89a\x3c\x00\x1e\x00\x80\x00\x00", Some((60, 30)));
        check(b"GIF87a\x01\x02", None);
        check(&[0, 0, 1, 0, 1, 0, 0, 48], Some((256, 48)));
        // SOI, an APP0 segment of 16 bytes, a DQT of 4, then SOF0: 8-bit, 480 high, 640 wide.
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0, 16];
        jpeg.extend_from_slice(&[0; 14]);
        jpeg.extend_from_slice(&[0xff, 0xdb, 0, 4, 0, 0]);
        jpeg.extend_from_slice(&[0xff, 0xc0, 0, 17, 8, 0x01, 0xe0, 0x02, 0x80, 3]);
        check(&jpeg, Some((640, 480)));
        // Progressive (SOF2) after fill bytes.
        check(
            &[0xff, 0xd8, 0xff, 0xff, 0xc2, 0, 11, 8, 0, 10, 0, 20, 1],
            Some((20, 10)),
        );
        // A DHT (0xc4) is no frame; the scan starts before any frame: unknown.
        check(&[0xff, 0xd8, 0xff, 0xc4, 0, 2, 0xff, 0xda, 0, 2], None);
        check(&[0xff, 0xd8, 0xff, 0xe0, 0, 200, 1, 2], None);
        check(b"not an image", None);
    }

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
