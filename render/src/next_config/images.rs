//! next.config's `images`: the sizes, qualities and formats `<Image>` and `/_next/image` use.
//!
//! Honoured: `deviceSizes`, `imageSizes`, `qualities`, `formats`, `minimumCacheTTL`,
//! `dangerouslyAllowSVG`, `contentSecurityPolicy`, `contentDispositionType`, `unoptimized`,
//! `localPatterns`. Remote images (`remotePatterns`, `domains`) are never fetched (bext
//! serves from the machine it runs on; such a request answers Next's "not allowed"), and a
//! custom `loader` is not run: both are reported once at start, with what happens instead.

use bext_core::image::{Format, ImagesConfig, LocalPattern};
use bext_core::limits::IMAGE_WIDTH_PX_MAX;
use serde_json::Value;

/// Reads `images` (`value`); `notes` gets what is accepted but not acted on.
pub(super) fn compile(
    value: &Value,
    err: &dyn Fn(&str, String) -> super::ConfigError,
    notes: &mut Vec<String>,
) -> Result<ImagesConfig, super::ConfigError> {
    let mut out = ImagesConfig::default();
    let Some(map) = value.as_object() else {
        return Err(err("images", format!("must be an object, not {value}")));
    };
    for (key, value) in map {
        let path = format!("images.{key}");
        match key.as_str() {
            "deviceSizes" => out.device_sizes = sizes(value, &path, err)?,
            "imageSizes" => out.image_sizes = sizes(value, &path, err)?,
            "qualities" => {
                let list = numbers(value, &path, err)?;
                if list.is_empty() || list.iter().any(|q| !(1..=100).contains(q)) {
                    return Err(err(
                        &path,
                        String::from("must list qualities from 1 to 100"),
                    ));
                }
                out.qualities = Some(list.into_iter().map(|q| q as u32).collect());
            }
            "formats" => {
                let Some(list) = value.as_array() else {
                    return Err(err(&path, String::from("must be an array")));
                };
                out.formats = Vec::new();
                for item in list {
                    match item.as_str() {
                        Some("image/webp") => out.formats.push(Format::Webp),
                        Some("image/avif") => {
                            notes.push(String::from(
                                "images.formats: bext has no AVIF encoder; clients that accept AVIF get WebP",
                            ));
                            out.formats.push(Format::Avif);
                        }
                        _ => {
                            return Err(err(
                                &path,
                                format!("{item} is not \"image/webp\" or \"image/avif\""),
                            ));
                        }
                    }
                }
            }
            "minimumCacheTTL" => match value.as_u64() {
                Some(ttl) => out.minimum_cache_ttl = ttl,
                None => {
                    return Err(err(
                        &path,
                        format!("must be a number of seconds, not {value}"),
                    ));
                }
            },
            "dangerouslyAllowSVG" => out.dangerously_allow_svg = boolean(value, &path, err)?,
            "unoptimized" => out.unoptimized = boolean(value, &path, err)?,
            "contentSecurityPolicy" => match value.as_str() {
                Some(csp) => out.content_security_policy = csp.to_owned(),
                None => return Err(err(&path, String::from("must be a string"))),
            },
            "contentDispositionType" => match value.as_str() {
                Some(kind @ ("inline" | "attachment")) => {
                    out.content_disposition_type = kind.to_owned()
                }
                _ => {
                    return Err(err(
                        &path,
                        String::from("must be \"inline\" or \"attachment\""),
                    ));
                }
            },
            "localPatterns" => {
                let Some(list) = value.as_array() else {
                    return Err(err(&path, String::from("must be an array")));
                };
                let mut patterns = Vec::new();
                for (i, item) in list.iter().enumerate() {
                    let Some(pathname) = item.get("pathname").and_then(Value::as_str) else {
                        return Err(err(
                            &format!("{path}[{i}].pathname"),
                            String::from("must be a string"),
                        ));
                    };
                    patterns.push(LocalPattern {
                        pathname: pathname.to_owned(),
                        search: item
                            .get("search")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    });
                }
                out.local_patterns = Some(patterns);
            }
            "remotePatterns" | "domains" => {
                if value.as_array().is_some_and(|l| !l.is_empty()) {
                    notes.push(format!(
                        "{path}: bext does not fetch images from other servers; `/_next/image` answers 400 \"url\" parameter is not allowed for them (use `unoptimized` on those images)"
                    ));
                }
            }
            "loader" | "loaderFile" => {
                if value
                    .as_str()
                    .is_some_and(|l| !l.is_empty() && l != "default")
                {
                    notes.push(format!(
                        "{path}: custom image loaders are not run by bext; `<Image>` links `/_next/image`"
                    ));
                }
            }
            // Next's own defaults or build options: nothing to do here.
            "path"
            | "disableStaticImages"
            | "maximumRedirects"
            | "maximumResponseBody"
            | "maximumDiskCacheSize"
            | "dangerouslyAllowLocalIP" => {}
            other => notes.push(format!("images.{other}: ignored (bext does not act on it)")),
        }
    }
    Ok(out)
}

fn numbers(
    value: &Value,
    path: &str,
    err: &dyn Fn(&str, String) -> super::ConfigError,
) -> Result<Vec<u64>, super::ConfigError> {
    let Some(list) = value.as_array() else {
        return Err(err(path, String::from("must be an array of numbers")));
    };
    list.iter()
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| err(path, format!("{v} is not a whole number")))
        })
        .collect()
}

fn sizes(
    value: &Value,
    path: &str,
    err: &dyn Fn(&str, String) -> super::ConfigError,
) -> Result<Vec<u32>, super::ConfigError> {
    let list = numbers(value, path, err)?;
    if let Some(bad) = list.iter().find(|&&w| w == 0 || w > IMAGE_WIDTH_PX_MAX) {
        return Err(err(
            path,
            format!("{bad} is not a width from 1 to {IMAGE_WIDTH_PX_MAX}"),
        ));
    }
    let mut sizes: Vec<u32> = list.into_iter().map(|w| w as u32).collect();
    if path.ends_with("deviceSizes") {
        sizes.sort_unstable();
    }
    Ok(sizes)
}

fn boolean(
    value: &Value,
    path: &str,
    err: &dyn Fn(&str, String) -> super::ConfigError,
) -> Result<bool, super::ConfigError> {
    value
        .as_bool()
        .ok_or_else(|| err(path, format!("must be true or false, not {value}")))
}
