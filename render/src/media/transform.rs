//! Decode, resize, encode: one optimizer transform, on whatever thread the caller runs it.

use std::io::Cursor;

use bext_core::image::Format;
use bext_core::limits::IMAGE_SOURCE_PIXELS_MAX;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader};

/// An optimized image.
#[derive(Debug)]
pub struct Transformed {
    pub body: Vec<u8>,
    pub content_type: &'static str,
}

/// `source` at `width` (never wider than it is: no enlargement), in `format` at `quality`,
/// turned upright by its EXIF orientation as sharp's `rotate()` does.
pub fn transform(
    source: &[u8],
    width: u32,
    format: Format,
    quality: u32,
) -> Result<Transformed, String> {
    let image = decode(source)?;
    let image = if width < image.width() {
        let height = (f64::from(image.height()) * f64::from(width) / f64::from(image.width()))
            .round()
            .max(1.0) as u32;
        image.resize_exact(width, height, FilterType::Lanczos3)
    } else {
        image
    };
    let quality = quality.clamp(1, 100) as u8;
    // No AVIF encoder is built in (next.config's `formats` with AVIF is told so at start):
    // WebP stands in.
    let format = if format == Format::Avif {
        Format::Webp
    } else {
        format
    };
    Ok(Transformed {
        body: encode(&image, format, quality)?,
        content_type: format.mime(),
    })
}

/// `source` resized to exactly `width` × `height` (the blur placeholder).
pub(super) fn resize_exact(
    source: &[u8],
    width: u32,
    height: u32,
    format: Format,
    quality: u8,
) -> Result<Vec<u8>, String> {
    let image = decode(source)?.resize_exact(width, height, FilterType::Triangle);
    encode(&image, format, quality)
}

fn decode(source: &[u8]) -> Result<DynamicImage, String> {
    let reader = ImageReader::new(Cursor::new(source))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > IMAGE_SOURCE_PIXELS_MAX {
        return Err(format!(
            "{w}×{h} pixels is more than the {IMAGE_SOURCE_PIXELS_MAX} an image may have"
        ));
    }
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

fn encode(image: &DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        Format::Webp => {
            let memory = if image.color().has_alpha() {
                let rgba = image.to_rgba8();
                webp::Encoder::from_rgba(&rgba, rgba.width(), rgba.height())
                    .encode(f32::from(quality))
            } else {
                let rgb = image.to_rgb8();
                webp::Encoder::from_rgb(&rgb, rgb.width(), rgb.height()).encode(f32::from(quality))
            };
            out.extend_from_slice(&memory);
        }
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&rgb)
                .map_err(|e| e.to_string())?;
        }
        Format::Png => image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .map_err(|e| e.to_string())?,
        Format::Gif => image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Gif)
            .map_err(|e| e.to_string())?,
        Format::Avif => return encode(image, Format::Webp, quality),
    }
    Ok(out)
}
