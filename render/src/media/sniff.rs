//! What an image is, from its first bytes (never from its name: a `.png` may hold anything).

/// The content type of an image by its signature, as Next's optimizer detects it.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    Some(if starts(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(&b"WEBP"[..]) {
        "image/webp"
    } else if bytes.get(4..12) == Some(&b"ftypavif"[..])
        || bytes.get(4..12) == Some(&b"ftypavis"[..])
    {
        "image/avif"
    } else if bytes.get(4..12) == Some(&b"ftypheic"[..])
        || bytes.get(4..12) == Some(&b"ftypmif1"[..])
    {
        "image/heic"
    } else if starts(&[0, 0, 1, 0]) {
        "image/x-icon"
    } else if starts(b"icns") {
        "image/x-icns"
    } else if starts(b"BM") {
        "image/bmp"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "image/tiff"
    } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        "image/jxl"
    } else if is_svg(bytes) {
        "image/svg+xml"
    } else {
        return None;
    })
}

fn is_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with("<?xml") || text.starts_with("<svg") || text.starts_with("<!--"))
        && text.contains("<svg")
}

/// Whether an image of an animatable type has more than one frame: animated images are passed
/// through as they are, as Next does.
pub fn is_animated(bytes: &[u8], content_type: &str) -> bool {
    match content_type {
        // Two image descriptors (0x2C after a block end), counted loosely as Next's
        // `is-animated` does: a graphic control extension before each frame.
        "image/gif" => {
            bytes
                .windows(3)
                .filter(|w| *w == [0x00, 0x21, 0xF9])
                .count()
                > 1
        }
        "image/png" => bytes.windows(4).any(|w| w == b"acTL"),
        "image/webp" => bytes.windows(4).any(|w| w == b"ANIM"),
        _ => false,
    }
}
