//! Each row's answer was read from `next start` (Next.js 16.4.6, default `images` config);
//! `tests/nextjs/apps/images` asks the live server the same questions.

use super::*;

/// A request's expected outcome: (url, width, quality, static) or the 400 message.
type Outcome = Result<(&'static str, u32, u32, bool), &'static str>;
/// (source type, animated, negotiated format) and what Next makes of it.
type PlanCase = (
    Option<&'static str>,
    bool,
    Option<Format>,
    Result<Plan, &'static str>,
);

#[test]
fn requests_are_checked_as_next_checks_them() {
    let config = ImagesConfig::default();
    let cases: &[(&str, Outcome)] = &[
        (
            "url=%2Fimg%2Fphoto.jpg&w=640&q=75",
            Ok(("/img/photo.jpg", 640, 75, false)),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=0640&q=075",
            Ok(("/img/photo.jpg", 640, 75, false)),
        ),
        (
            "url=%2Fimg%2F..%2Fimg%2Fphoto.jpg&w=640&q=75",
            Ok(("/img/../img/photo.jpg", 640, 75, false)),
        ),
        (
            "url=%2F_next%2Fstatic%2Fmedia%2Flogo.1a2b3c4d.png&w=128&q=75",
            Ok(("/_next/static/media/logo.1a2b3c4d.png", 128, 75, true)),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=641&q=75",
            Err("\"w\" parameter (width) of 641 is not allowed"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=640&q=50",
            Err("\"q\" parameter (quality) of 50 is not allowed"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=640&q=101",
            Err("\"q\" parameter (quality) must be an integer between 1 and 100"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=640",
            Err("\"q\" parameter (quality) is required"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&q=75",
            Err("\"w\" parameter (width) is required"),
        ),
        ("w=640&q=75", Err("\"url\" parameter is required")),
        (
            "url=%2F_next%2Fimage%3Furl%3Dx&w=640&q=75",
            Err("\"url\" parameter cannot be recursive"),
        ),
        (
            "url=https%3A%2F%2Fexample.com%2Fa.jpg&w=640&q=75",
            Err("\"url\" parameter is not allowed"),
        ),
        (
            "url=%2F%2Fexample.com%2Fa.jpg&w=640&q=75",
            Err("\"url\" parameter cannot be a protocol-relative URL (//)"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=abc&q=75",
            Err("\"w\" parameter (width) must be an integer greater than 0"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=640&q=75&url=%2Fx",
            Err("\"url\" parameter cannot be an array"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg%3Fv%3D1&w=640&q=75",
            Err("\"url\" parameter is not allowed"),
        ),
        (
            "url=%2Fimg%2Fphoto.jpg&w=0&q=75",
            Err("\"w\" parameter (width) must be an integer greater than 0"),
        ),
    ];
    for (query, want) in cases {
        let got = parse_request(query, &config, "");
        let got = got
            .as_ref()
            .map(|r| (r.url.as_str(), r.width, r.quality, r.is_static))
            .map_err(String::as_str);
        assert_eq!(got, *want, "{query}");
    }
}

#[test]
fn a_long_url_is_refused() {
    let query = format!("url=%2F{}&w=640&q=75", "a".repeat(IMAGE_URL_BYTES_MAX));
    assert_eq!(
        parse_request(&query, &ImagesConfig::default(), "").unwrap_err(),
        "\"url\" parameter is too long"
    );
}

#[test]
fn local_patterns_select_what_may_be_optimized() {
    let config = ImagesConfig {
        local_patterns: Some(vec![LocalPattern {
            pathname: String::from("/assets/**"),
            search: None,
        }]),
        ..ImagesConfig::default()
    };
    assert!(parse_request("url=%2Fassets%2Fa%2Fb.png%3Fv%3D2&w=640&q=75", &config, "").is_ok());
    assert_eq!(
        parse_request("url=%2Fimg%2Fb.png&w=640&q=75", &config, "").unwrap_err(),
        "\"url\" parameter is not allowed"
    );
}

#[test]
fn the_format_follows_accept() {
    let webp = [Format::Webp];
    let both = [Format::Avif, Format::Webp];
    let cases: &[(&[Format], &str, Option<Format>)] = &[
        (&webp, "image/avif,image/webp,*/*", Some(Format::Webp)),
        (&webp, "image/png,*/*", None),
        (&webp, "*/*", None),
        (&webp, "image/*", None),
        (&webp, "", None),
        (&webp, "image/webp;q=0", None),
        (&both, "image/avif,image/webp", Some(Format::Avif)),
        (&both, "image/avif;q=0.5,image/webp", Some(Format::Webp)),
    ];
    for (formats, accept, want) in cases {
        assert_eq!(negotiate(formats, accept), *want, "{accept}");
    }
}

#[test]
fn sources_become_what_next_makes_of_them() {
    let config = ImagesConfig::default();
    let cases: &[PlanCase] = &[
        (
            Some("image/jpeg"),
            false,
            Some(Format::Webp),
            Ok(Plan::Encode(Format::Webp)),
        ),
        (
            Some("image/jpeg"),
            false,
            None,
            Ok(Plan::Encode(Format::Jpeg)),
        ),
        (
            Some("image/png"),
            false,
            None,
            Ok(Plan::Encode(Format::Png)),
        ),
        (
            Some("image/webp"),
            false,
            None,
            Ok(Plan::Encode(Format::Jpeg)),
        ),
        (Some("image/gif"), true, Some(Format::Webp), Ok(Plan::AsIs)),
        (
            Some("image/x-icon"),
            false,
            Some(Format::Webp),
            Ok(Plan::AsIs),
        ),
        (
            Some("image/svg+xml"),
            false,
            Some(Format::Webp),
            Err("\"url\" parameter is valid but image type is not allowed"),
        ),
        (
            Some("text/html"),
            false,
            None,
            Err("The requested resource isn't a valid image."),
        ),
        (
            None,
            false,
            None,
            Err("The requested resource isn't a valid image."),
        ),
    ];
    for (source, animated, negotiated, want) in cases {
        assert_eq!(
            plan(*source, *animated, *negotiated, &config),
            *want,
            "{source:?}"
        );
    }
}

#[test]
fn headers_are_next_s() {
    let config = ImagesConfig::default();
    assert_eq!(
        cache_control(false, 14_400),
        "public, max-age=14400, must-revalidate"
    );
    assert_eq!(
        cache_control(true, 14_400),
        "public, max-age=315360000, immutable"
    );
    assert_eq!(
        content_disposition(&config, "/img/photo.jpg", "image/webp"),
        "attachment; filename=\"photo.webp\""
    );
    assert_eq!(
        content_disposition(
            &config,
            "/_next/static/media/logo.1a2b3c4d.png",
            "image/jpeg"
        ),
        "attachment; filename=\"logo.jpeg\""
    );
    assert_eq!(
        content_disposition(&config, "/img/café.png", "image/png"),
        "attachment; filename=\"caf?.png\"; filename*=UTF-8''caf%C3%A9.png"
    );
}
