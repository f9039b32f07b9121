//! Pages Rust answers with when the engine cannot: the same markup as app.js's built-in 500
//! page, and the digest that ties the page to the logged failure.

use bytes::Bytes;

use super::{RenderFailure, RenderedPage};

/// FNV-1a over UTF-16 code units, as app.js's `digestOf` computes it, so a digest means the
/// same thing whichever side made the page.
pub(super) fn digest_of(text: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for unit in text.encode_utf16() {
        hash ^= u32::from(unit);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash.to_string()
}

pub(super) fn failure(message: String, stack: String) -> RenderFailure {
    let digest = digest_of(&if stack.is_empty() {
        message.clone()
    } else {
        format!("{message}\n{stack}")
    });
    RenderFailure {
        message,
        stack,
        digest,
    }
}

/// The built-in 500 page: no app code, no detail beyond the digest.
pub(super) fn internal_error(failure: RenderFailure) -> RenderedPage {
    let body = format!(
        "<!DOCTYPE html><html><head><meta name=\"robots\" content=\"noindex\"/><title>500: Internal Server Error</title></head>\
         <body><h1>500</h1><p>Internal Server Error</p><p>Digest: {}</p></body></html>",
        failure.digest
    );
    page(500, body, Some(failure))
}

/// Too many renders waiting on fetches: refuse the new one (back-pressure, not a failure).
pub(super) fn unavailable() -> RenderedPage {
    let mut page = page(
        503,
        "<!DOCTYPE html><html><head><meta name=\"robots\" content=\"noindex\"/><title>503: Service Unavailable</title></head>\
         <body><h1>503</h1><p>Service Unavailable</p></body></html>"
            .to_owned(),
        None,
    );
    page.headers
        .push(("retry-after".to_owned(), "1".to_owned()));
    page
}

fn page(status: u16, body: String, error: Option<RenderFailure>) -> RenderedPage {
    RenderedPage {
        status,
        headers: vec![(
            "content-type".to_owned(),
            "text/html; charset=utf-8".to_owned(),
        )],
        body: Bytes::from(body),
        revalidate: None,
        dynamic: true,
        tags: Vec::new(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::digest_of;

    #[test]
    fn digest_matches_app_js() {
        // Values computed by app.js's digestOf in Node.
        assert_eq!(digest_of("render deadline exceeded"), "2566254352");
        assert_eq!(digest_of(""), "2166136261");
        assert_eq!(digest_of("é😀"), "1154239905");
    }
}
