//! Whether the proxy may keep an upstream's response, and for how long (RFC 9111, as a shared
//! cache reads it).
//!
//! Only what the upstream allows in so many words is kept: a `Cache-Control` with
//! `s-maxage` (a shared cache's own) or else `max-age`, of at least a second, on a status
//! that is cacheable by default (200, 203, 300, 301, 308, 404, 410). Never with `no-store`,
//! `private` or `no-cache` (which would mean asking the upstream every time anyway), never a
//! response that sets a cookie, nor one whose body is encoded (the proxy asks for the
//! identity encoding when it fills the cache, so one that is encoded anyway was not meant
//! for every client), nor one that varies on anything but `Accept-Encoding`. `Expires`
//! and heuristic freshness are not used: a response without a lifetime of its own is not
//! kept. `stale-while-revalidate=N` lets a stale copy be served for N more seconds while it
//! is fetched again; without it, a stale copy is a miss.

/// How long a response stays fresh, then may be served stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub fresh_s: u32,
    pub stale_s: u32,
}

/// What of a response the decision reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stored<'a> {
    pub status: u16,
    pub cache_control: Option<&'a [u8]>,
    pub vary: Option<&'a [u8]>,
    pub sets_cookie: bool,
    pub encoded: bool,
}

/// Statuses a cache may keep when the response gives a lifetime (RFC 9110 §15.1, less 204
/// and 206, which have no body worth keeping here, 405, 414 and 501).
const CACHEABLE_STATUSES: [u16; 7] = [200, 203, 300, 301, 308, 404, 410];

/// The lifetime a shared cache may keep `response` for, or `None`.
pub fn lifetime(response: &Stored<'_>) -> Option<Lifetime> {
    if !CACHEABLE_STATUSES.contains(&response.status) || response.sets_cookie || response.encoded {
        return None;
    }
    if let Some(vary) = response.vary
        && vary
            .split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .any(|v| !v.is_empty() && !v.eq_ignore_ascii_case(b"accept-encoding"))
    {
        return None;
    }
    let mut max_age = None;
    let mut s_maxage = None;
    let mut stale = 0u32;
    for directive in response.cache_control?.split(|&b| b == b',') {
        let directive = directive.trim_ascii();
        let (name, value) = match directive.iter().position(|&b| b == b'=') {
            Some(at) => (&directive[..at], Some(&directive[at + 1..])),
            None => (directive, None),
        };
        let seconds = || -> Option<u32> {
            let text = value?.trim_ascii();
            let text = text
                .strip_prefix(b"\"")
                .and_then(|t| t.strip_suffix(b"\""))
                .unwrap_or(text);
            let text = std::str::from_utf8(text).ok()?;
            // RFC 9111 §1.2.2: a delta too large for us is as long as we can count.
            match text.parse::<u64>() {
                Ok(n) => Some(u32::try_from(n).unwrap_or(u32::MAX)),
                Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(u32::MAX)
                }
                Err(_) => None,
            }
        };
        let is = |want: &str| name.eq_ignore_ascii_case(want.as_bytes());
        if is("no-store") || is("private") || is("no-cache") {
            return None;
        } else if is("s-maxage") {
            s_maxage = Some(seconds()?);
        } else if is("max-age") {
            max_age = Some(seconds()?);
        } else if is("stale-while-revalidate") {
            stale = seconds().unwrap_or(0);
        }
    }
    let fresh_s = s_maxage.or(max_age).filter(|&s| s > 0)?;
    Some(Lifetime {
        fresh_s,
        stale_s: stale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_kept_only_when_the_upstream_says_so() {
        let ok = |fresh_s, stale_s| Some(Lifetime { fresh_s, stale_s });
        /// Status, cache-control, vary, sets a cookie, encoded → lifetime.
        type Case = (
            u16,
            Option<&'static str>,
            Option<&'static str>,
            bool,
            bool,
            Option<Lifetime>,
        );
        let cases: &[Case] = &[
            (200, Some("max-age=60"), None, false, false, ok(60, 0)),
            (
                200,
                Some("public, s-maxage=30, max-age=5"),
                None,
                false,
                false,
                ok(30, 0),
            ),
            (
                200,
                Some("max-age=60, stale-while-revalidate=30"),
                None,
                false,
                false,
                ok(60, 30),
            ),
            (200, Some("MAX-AGE=\"7\""), None, false, false, ok(7, 0)),
            (404, Some("max-age=10"), None, false, false, ok(10, 0)),
            (
                200,
                Some("max-age=99999999999"),
                None,
                false,
                false,
                ok(u32::MAX, 0),
            ),
            (
                200,
                Some("max-age=60"),
                Some("Accept-Encoding"),
                false,
                false,
                ok(60, 0),
            ),
            (200, None, None, false, false, None),
            (200, Some("public"), None, false, false, None),
            (200, Some("max-age=0"), None, false, false, None),
            (200, Some("max-age=60, private"), None, false, false, None),
            (200, Some("no-store, max-age=60"), None, false, false, None),
            (200, Some("no-cache, max-age=60"), None, false, false, None),
            (200, Some("max-age=abc"), None, false, false, None),
            (200, Some("max-age=60"), Some("Cookie"), false, false, None),
            (200, Some("max-age=60"), Some("*"), false, false, None),
            (200, Some("max-age=60"), None, true, false, None),
            (200, Some("max-age=60"), None, false, true, None),
            (500, Some("max-age=60"), None, false, false, None),
            (206, Some("max-age=60"), None, false, false, None),
            (302, Some("max-age=60"), None, false, false, None),
        ];
        for &(status, cache_control, vary, sets_cookie, encoded, want) in cases {
            let got = lifetime(&Stored {
                status,
                cache_control: cache_control.map(str::as_bytes),
                vary: vary.map(str::as_bytes),
                sets_cookie,
                encoded,
            });
            assert_eq!(got, want, "{status} {cache_control:?} {vary:?}");
        }
    }
}
