//! Open Graph and Twitter images from files: `opengraph-image.{jpg,jpeg,png,gif}` and
//! `twitter-image.*` in any folder of `app/` (with an optional `opengraph-image.alt.txt`
//! beside), turned into what each folder contributes to the `<head>` of the pages in it and
//! below. The runtime merges them with the segments' metadata (`js/metadata_social.js`).
//!
//! Decisions, from what `next build` writes for such files:
//! - The URL is the file's (route groups left out, the `basePath` in front) with a content
//!   hash in the query, so a changed image is fetched anew; the runtime makes it absolute
//!   against `metadataBase`. bext's hash is its own (Next's is its bundler's asset hash).
//! - Width and height are read from the file's header (PNG, GIF, JPEG), as numbers; the type
//!   is the file's. Next 16's bundler says `text/plain` for a GIF (and serves it so); bext
//!   says and serves `image/gif`.
//! - The alt text is the `.alt.txt` file's content as it is, read when the app loads, with
//!   the same size bound as the image.

use std::path::Path;

use bext_core::limits::METADATA_FILE_BYTES_MAX;
use serde_json::{Map, Value, json};

use crate::app::MetadataFile;
use crate::assets::{Asset, content_hash, dimensions};

/// The kinds of social image file: the file stem and the metadata key it fills.
const KINDS: &[(&str, &str)] = &[
    ("opengraph-image", "openGraph"),
    ("twitter-image", "twitter"),
];

/// The argument of `__bext_social_images`: folder (`app/about/`) → `{openGraph: [image],
/// twitter: [image]}`, or `None` when the app has no such files. `files` and `assets` are
/// the app's metadata files and their loaded contents, in the same order.
pub fn by_folder(
    root: &Path,
    files: &[MetadataFile],
    assets: &[Asset],
    base_path: &str,
) -> Result<Option<Value>, (String, String)> {
    assert_eq!(files.len(), assets.len(), "one asset per metadata file");
    let mut folders = Map::new();
    for (file, asset) in files.iter().zip(assets) {
        let Some((dir, name)) = file.file.rsplit_once('/') else {
            continue;
        };
        let Some((stem, ext)) = name.split_once('.') else {
            continue;
        };
        let Some(&(_, key)) = KINDS.iter().find(|(s, _)| *s == stem) else {
            continue;
        };
        let mut image = Map::new();
        image.insert(
            "url".into(),
            json!(format!(
                "{base_path}{url}?{stem}.{hash:08x}.{ext}",
                url = asset.url,
                hash = content_hash(&asset.body)
            )),
        );
        image.insert("type".into(), json!(asset.content_type));
        if let Some((width, height)) = dimensions(&asset.body) {
            image.insert("width".into(), json!(width));
            image.insert("height".into(), json!(height));
        }
        if let Some(alt) = alt_text(root, dir, stem)? {
            image.insert("alt".into(), json!(alt));
        }
        let folder = folders
            .entry(format!("{dir}/"))
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(folder) = folder {
            folder.insert(key.to_owned(), json!([image]));
        }
    }
    Ok((!folders.is_empty()).then_some(Value::Object(folders)))
}

/// `<dir>/<stem>.alt.txt`, if there is one.
fn alt_text(root: &Path, dir: &str, stem: &str) -> Result<Option<String>, (String, String)> {
    let rel = format!("{dir}/{stem}.alt.txt");
    let path = root.join(&rel);
    let Ok(meta) = std::fs::metadata(&path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.len() > METADATA_FILE_BYTES_MAX as u64 {
        return Err((rel, format!("larger than {METADATA_FILE_BYTES_MAX} bytes")));
    }
    std::fs::read_to_string(&path)
        .map(Some)
        .map_err(|e| (rel, format!("cannot read: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn png(w: u32, h: u32) -> Bytes {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&w.to_be_bytes());
        png.extend_from_slice(&h.to_be_bytes());
        Bytes::from(png)
    }

    #[test]
    fn each_folder_lists_its_images_with_size_type_and_alt() {
        let dir = std::env::temp_dir().join(format!("bext-social-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("app/(site)/about")).expect("temp dir");
        std::fs::write(dir.join("app/opengraph-image.alt.txt"), "A card").expect("alt");
        let files = [
            ("app/opengraph-image.png", "/opengraph-image.png"),
            (
                "app/(site)/about/twitter-image.png",
                "/about/twitter-image.png",
            ),
            ("app/icon.png", "/icon.png"),
        ]
        .map(|(file, url)| MetadataFile {
            file: file.into(),
            url: url.into(),
        });
        let assets: Vec<Asset> = files
            .iter()
            .map(|f| Asset {
                url: f.url.clone(),
                body: png(120, 63),
                content_type: "image/png",
            })
            .collect();
        let got = by_folder(&dir, &files, &assets, "/docs")
            .expect("loads")
            .expect("some images");
        let _ = std::fs::remove_dir_all(&dir);
        let root = &got["app/"]["openGraph"][0];
        assert!(
            root["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("/docs/opengraph-image.png?opengraph-image.")),
            "{got}"
        );
        assert_eq!(root["type"], "image/png");
        assert_eq!(
            (root["width"].clone(), root["height"].clone()),
            (json!(120), json!(63))
        );
        assert_eq!(root["alt"], "A card");
        let about = &got["app/(site)/about/"]["twitter"][0];
        assert!(about.get("alt").is_none(), "{got}");
        assert!(got.get("app/").and_then(|f| f.get("twitter")).is_none());
        assert_eq!(
            got.as_object().map(Map::len),
            Some(2),
            "icons are not social images"
        );
    }
}
