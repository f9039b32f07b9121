//! The sizes checked here are those `next build` gave the same images (the blur placeholder's
//! 8 × 8 for a square, 5 × 8 for a 640 × 960 photo; `tests/nextjs/apps/images` compares the
//! rendered `<img>` tags with `next start`'s).

use std::path::Path;

use bext_core::image::Format;

use super::*;

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(image)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode a test PNG");
    out
}

#[test]
fn a_static_import_has_next_s_fields() {
    for (w, h, blur) in [
        (256u32, 256u32, (8u32, 8u32)),
        (640, 960, (5, 8)),
        (1200, 800, (8, 5)),
        (2000, 10, (8, 1)),
    ] {
        let image = static_import(Path::new("app/logo.png"), png(w, h)).expect("an image");
        assert!(
            image.file.url.starts_with("/_next/static/media/logo."),
            "{}",
            image.file.url
        );
        assert!(image.file.url.ends_with(".png"));
        assert_eq!(image.file.content_type, "image/png");
        let code = image.module_code.replace("__bext_media(", "(");
        let value: serde_json::Value = serde_json::from_str(
            &code
                .replace("\"src\":(", "\"src\":")
                .replace(".png\"),", ".png\","),
        )
        .expect("JSON after the media call");
        assert_eq!(value["width"], w);
        assert_eq!(value["height"], h);
        assert_eq!(
            (
                value["blurWidth"].as_u64().unwrap(),
                value["blurHeight"].as_u64().unwrap()
            ),
            (u64::from(blur.0), u64::from(blur.1))
        );
        let data = value["blurDataURL"].as_str().expect("a blur placeholder");
        assert!(data.starts_with("data:image/png;base64,"), "{data}");
    }
}

#[test]
fn the_url_names_the_content() {
    let a = static_import(Path::new("a.png"), png(4, 4)).unwrap();
    let b = static_import(Path::new("a.png"), png(4, 5)).unwrap();
    let again = static_import(Path::new("a.png"), png(4, 4)).unwrap();
    assert_ne!(a.file.url, b.file.url);
    assert_eq!(a.file.url, again.file.url);
}

#[test]
fn svg_and_bad_images() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 12"><path d=""/></svg>"#;
    let image = static_import(Path::new("icon.svg"), svg.to_vec()).unwrap();
    assert!(
        image.module_code.contains("\"height\":12,\"width\":24,"),
        "{}",
        image.module_code
    );
    assert!(image.module_code.contains("\"blurWidth\":0"));
    assert!(!image.module_code.contains("blurDataURL"));
    let error = static_import(Path::new("fake.png"), b"not an image".to_vec()).unwrap_err();
    assert!(error.contains("not an image"), "{error}");
}

#[test]
fn a_transform_shrinks_but_never_enlarges() {
    let source = png(1200, 800);
    let out = transform(&source, 640, Format::Webp, 75).unwrap();
    assert_eq!(out.content_type, "image/webp");
    assert_eq!(sniff(&out.body), Some("image/webp"));
    let size = image::load_from_memory(&out.body).unwrap();
    // sharp's rounding: 800 × 640 / 1200 = 426.7 → 427 (as `next start` answered).
    assert_eq!((size.width(), size.height()), (640, 427));
    let out = transform(&source, 3840, Format::Jpeg, 75).unwrap();
    let size = image::load_from_memory(&out.body).unwrap();
    assert_eq!((size.width(), size.height()), (1200, 800));
    assert_eq!(sniff(&out.body), Some("image/jpeg"));
    assert!(transform(b"garbage", 64, Format::Png, 75).is_err());
}
