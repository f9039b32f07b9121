//! The image optimizer's decisions (`/_next/image?url=…&w=…&q=…`), made as Next.js makes
//! them: which requests are valid (and the exact message for those that are not), which
//! format answers a given `Accept`, and the headers of the answer. The pixels are someone
//! else's job (`bext-render`'s `media` module decodes, resizes and encodes; the server runs it
//! off the shard's thread); this module only decides.
//!
//! Every message is Next's own, word for word, because clients and tests read them.

use crate::limits::IMAGE_URL_BYTES_MAX;

/// next.config's `images`, with Next.js's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImagesConfig {
    /// Widths for `sizes`-based `srcset`s (sorted).
    pub device_sizes: Vec<u32>,
    /// Widths for fixed-size images (as given).
    pub image_sizes: Vec<u32>,
    /// Qualities a request may ask for; `None`: any of 1 to 100.
    pub qualities: Option<Vec<u32>>,
    /// Output formats the optimizer may answer with, by preference.
    pub formats: Vec<Format>,
    /// Seconds a browser may keep an optimized image (`images.minimumCacheTTL`).
    pub minimum_cache_ttl: u64,
    /// Optimize SVG sources (off: they are refused, and `<Image>` links them as they are).
    pub dangerously_allow_svg: bool,
    pub content_security_policy: String,
    /// `attachment` (Next's default) or `inline`.
    pub content_disposition_type: String,
    /// `<Image>` never goes through the optimizer.
    pub unoptimized: bool,
    /// Local URLs the optimizer may read: `None` is Next's default, any path with no query.
    pub local_patterns: Option<Vec<LocalPattern>>,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            device_sizes: vec![640, 750, 828, 1080, 1200, 1920, 2048, 3840],
            image_sizes: vec![32, 48, 64, 96, 128, 256, 384],
            qualities: Some(vec![75]),
            formats: vec![Format::Webp],
            minimum_cache_ttl: 14_400,
            dangerously_allow_svg: false,
            content_security_policy: String::from("script-src 'none'; frame-src 'none'; sandbox;"),
            content_disposition_type: String::from("attachment"),
            unoptimized: false,
            local_patterns: None,
        }
    }
}

/// One `images.localPatterns` entry: a path glob (`*` within a segment, `**` across them)
/// and, when given, the exact query the URL must carry (`""`: none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPattern {
    pub pathname: String,
    pub search: Option<String>,
}

/// The formats the optimizer writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Webp,
    Avif,
    Jpeg,
    Png,
    Gif,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Avif => "image/avif",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Format> {
        Some(match mime {
            "image/webp" => Format::Webp,
            "image/avif" => Format::Avif,
            "image/jpeg" => Format::Jpeg,
            "image/png" => Format::Png,
            "image/gif" => Format::Gif,
            _ => return None,
        })
    }
}

/// A valid optimizer request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRequest {
    /// The source's local URL, decoded (`/img/a.jpg`, `/_next/static/media/a.1b2c3d4e.png`).
    pub url: String,
    pub width: u32,
    pub quality: u32,
    /// A build-time asset (`/_next/static/media/…`): cached for ten years.
    pub is_static: bool,
}

/// Checks `query` (the raw query string of `/_next/image`) as Next.js does; the error is the
/// message of its 400 answer. `base_path` is next.config's (`""` without one).
pub fn parse_request(
    query: &str,
    config: &ImagesConfig,
    base_path: &str,
) -> Result<ImageRequest, String> {
    parse(query, config, base_path).map_err(|refusal| match refusal {
        Refusal::Message(m) => m.to_owned(),
        Refusal::Width(w) => format!("\"w\" parameter (width) of {w} is not allowed"),
        Refusal::Quality(q) => format!("\"q\" parameter (quality) of {q} is not allowed"),
    })
}

/// Why a request is refused (formatted by [`parse_request`]).
enum Refusal {
    Message(&'static str),
    Width(u64),
    Quality(String),
}

impl From<&'static str> for Refusal {
    fn from(m: &'static str) -> Refusal {
        Refusal::Message(m)
    }
}

fn parse(query: &str, config: &ImagesConfig, base_path: &str) -> Result<ImageRequest, Refusal> {
    let mut url = Param::Missing;
    let mut w = Param::Missing;
    let mut q = Param::Missing;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match &*name {
            "url" => &mut url,
            "w" => &mut w,
            "q" => &mut q,
            _ => continue,
        };
        *slot = match slot {
            Param::Missing => Param::One(value.into_owned()),
            _ => Param::Many,
        };
    }
    let url = match url {
        Param::Missing => return Err("\"url\" parameter is required".into()),
        Param::Many => return Err("\"url\" parameter cannot be an array".into()),
        Param::One(url) if url.is_empty() => return Err("\"url\" parameter is required".into()),
        Param::One(url) => url,
    };
    if url.len() > IMAGE_URL_BYTES_MAX {
        return Err("\"url\" parameter is too long".into());
    }
    if url.starts_with("//") {
        return Err("\"url\" parameter cannot be a protocol-relative URL (//)".into());
    }
    if !url.starts_with('/') {
        // An absolute URL: only `images.remotePatterns` could allow it, and bext fetches
        // nothing from other servers for images (the README says so).
        return Err("\"url\" parameter is not allowed".into());
    }
    let (path, search) = match url.split_once('?') {
        Some((path, search)) => (path, Some(search)),
        None => (url.as_str(), None),
    };
    let decoded_path: String =
        form_urlencoded::parse(format!("p={}", path.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
    let recursive = decoded_path.match_indices("/_next/image").any(|(at, m)| {
        matches!(
            decoded_path[at + m.len()..].chars().next(),
            None | Some('/')
        )
    });
    if recursive {
        return Err("\"url\" parameter cannot be recursive".into());
    }
    if !local_match(config.local_patterns.as_deref(), path, search) {
        return Err("\"url\" parameter is not allowed".into());
    }
    let w = match w {
        Param::Missing => return Err("\"w\" parameter (width) is required".into()),
        Param::Many => return Err("\"w\" parameter (width) cannot be an array".into()),
        Param::One(w) if w.is_empty() => return Err("\"w\" parameter (width) is required".into()),
        Param::One(w) => w,
    };
    if !w.bytes().all(|b| b.is_ascii_digit()) {
        return Err("\"w\" parameter (width) must be an integer greater than 0".into());
    }
    let q = match q {
        Param::Missing => return Err("\"q\" parameter (quality) is required".into()),
        Param::Many => return Err("\"q\" parameter (quality) cannot be an array".into()),
        Param::One(q) if q.is_empty() => return Err("\"q\" parameter (quality) is required".into()),
        Param::One(q) => q,
    };
    if !q.bytes().all(|b| b.is_ascii_digit()) {
        return Err("\"q\" parameter (quality) must be an integer between 1 and 100".into());
    }
    // Digits only, so the only failure left is overflow: as large as it gets, then refused.
    let width = w.parse::<u64>().unwrap_or(u64::MAX);
    if width == 0 {
        return Err("\"w\" parameter (width) must be an integer greater than 0".into());
    }
    let allowed = config
        .device_sizes
        .iter()
        .chain(&config.image_sizes)
        .any(|&s| u64::from(s) == width);
    if !allowed {
        return Err(Refusal::Width(width));
    }
    let quality = q.parse::<u64>().unwrap_or(u64::MAX);
    if !(1..=100).contains(&quality) {
        return Err("\"q\" parameter (quality) must be an integer between 1 and 100".into());
    }
    if let Some(qualities) = &config.qualities
        && !qualities.iter().any(|&x| u64::from(x) == quality)
    {
        return Err(Refusal::Quality(q));
    }
    let is_static = [
        format!("{base_path}/_next/static/media"),
        format!("{base_path}/_next/static/immutable/media"),
    ]
    .iter()
    .any(|prefix| url.starts_with(prefix.as_str()));
    Ok(ImageRequest {
        url,
        // Both checked against the configured lists, which hold `u32`s.
        width: width as u32,
        quality: quality as u32,
        is_static,
    })
}

enum Param {
    Missing,
    One(String),
    Many,
}

/// Whether a local URL may be optimized (`images.localPatterns`, or Next's default of any
/// path without a query).
fn local_match(patterns: Option<&[LocalPattern]>, path: &str, search: Option<&str>) -> bool {
    let Some(patterns) = patterns else {
        return search.is_none();
    };
    patterns.iter().any(|p| {
        let search_ok = match &p.search {
            None => true,
            Some(want) => {
                let got = search.map(|s| format!("?{s}")).unwrap_or_default();
                *want == got
            }
        };
        search_ok && glob_match(&p.pathname, path)
    })
}

/// `*` matches within a segment, `**` across segments (micromatch's basics, as Next uses it).
fn glob_match(pattern: &str, path: &str) -> bool {
    let regex = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher());
    regex.is_ok_and(|m| m.is_match(path))
}

/// The format to answer in: the most wanted of the configured formats that `accept` names
/// literally (Next ignores wildcards here), or `None` to keep the source's own.
pub fn negotiate(formats: &[Format], accept: &str) -> Option<Format> {
    let mut best: Option<(Format, u32)> = None;
    for &format in formats {
        let Some(q) = accept_quality(accept, format.mime()) else {
            continue;
        };
        if q > 0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((format, q));
        }
    }
    best.map(|(f, _)| f)
}

/// The `q` (in thousandths) `accept` gives `mime` by name, if it names it.
fn accept_quality(accept: &str, mime: &str) -> Option<u32> {
    accept.split(',').find_map(|item| {
        let mut parts = item.split(';');
        let name = parts.next()?.trim();
        if !name.eq_ignore_ascii_case(mime) {
            return None;
        }
        let mut q = 1000;
        for param in parts {
            if let Some(v) = param.trim().strip_prefix("q=") {
                q = (v.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u32;
            }
        }
        Some(q)
    })
}

/// What a source becomes: the output format the optimizer writes, or the source kept as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    Encode(Format),
    /// Animated images and the types Next passes through (ICO, BMP, SVG when allowed, …).
    AsIs,
}

/// Next's choice for a source of type `source` (sniffed from its bytes), when the client
/// accepts `negotiated`: `Err` is the 400 message.
pub fn plan(
    source: Option<&str>,
    animated: bool,
    negotiated: Option<Format>,
    config: &ImagesConfig,
) -> Result<Plan, &'static str> {
    let Some(source) = source.filter(|s| s.starts_with("image/")) else {
        return Err("The requested resource isn't a valid image.");
    };
    if source.starts_with("image/svg") && !config.dangerously_allow_svg {
        return Err("\"url\" parameter is valid but image type is not allowed");
    }
    let animatable = matches!(source, "image/webp" | "image/png" | "image/gif");
    if animatable && animated {
        return Ok(Plan::AsIs);
    }
    Ok(match (negotiated, Format::from_mime(source)) {
        (_, None) => Plan::AsIs,
        (Some(format), Some(_)) => Plan::Encode(format),
        // WebP and AVIF go down to JPEG for a client that did not ask for them.
        (None, Some(Format::Webp | Format::Avif)) => Plan::Encode(Format::Jpeg),
        (None, Some(own)) => Plan::Encode(own),
    })
}

/// The `cache-control` of an optimized image.
pub fn cache_control(is_static: bool, max_age: u64) -> String {
    if is_static {
        String::from("public, max-age=315360000, immutable")
    } else {
        format!("public, max-age={max_age}, must-revalidate")
    }
}

/// The `content-disposition` of an optimized image: the source's name up to its first dot,
/// with the extension of the type served (`photo.webp`), as Next names it.
pub fn content_disposition(config: &ImagesConfig, url: &str, content_type: &str) -> String {
    let path = url.split('?').next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or("");
    let name = if file.is_empty() {
        String::from("image.bin")
    } else {
        let stem = file.split('.').next().unwrap_or(file);
        format!("{stem}.{}", extension_of(content_type))
    };
    // A quoted-string may not hold quotes, backslashes or controls; non-ASCII goes in
    // `filename*` (RFC 6266), with an ASCII stand-in in `filename`.
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    let kind = &config.content_disposition_type;
    if ascii == name {
        format!("{kind}; filename=\"{name}\"")
    } else {
        let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
    }
}

/// The extension Next gives a content type (`image/jpeg` → `jpeg`).
pub fn extension_of(content_type: &str) -> &'static str {
    match content_type {
        "image/webp" => "webp",
        "image/avif" => "avif",
        "image/jpeg" => "jpeg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        "image/x-icon" => "ico",
        "image/x-icns" => "icns",
        "image/bmp" => "bmp",
        "image/tiff" => "tiff",
        "image/jxl" => "jxl",
        "image/heic" => "heic",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests;
