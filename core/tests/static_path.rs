//! `resolve_path` and `fast_path_ok`: the gate between a URL and the file system.

use bext_core::static_files::{fast_path_ok, resolve_path};

/// `expect` is `ok "rel"` (plus ` /` for a trailing slash) or `<PathError> <status>`.
fn check(raw: &[u8], allow_dotfiles: bool, expect: &str) {
    let got = match resolve_path(raw, allow_dotfiles) {
        Ok(path) => format!(
            "ok {:?}{}",
            path.rel,
            if path.trailing_slash { " /" } else { "" }
        ),
        Err(error) => format!("{error:?} {}", error.status()),
    };
    assert_eq!(
        got,
        expect,
        "resolve_path({:?}, dotfiles={allow_dotfiles})",
        raw.escape_ascii().to_string()
    );
}

#[test]
fn normal_paths() {
    let cases: &[(&[u8], &str)] = &[
        (b"/", r#"ok "" /"#),
        (b"/index.html", r#"ok "index.html""#),
        (b"/a/b/c.txt", r#"ok "a/b/c.txt""#),
        (b"/a/b/", r#"ok "a/b" /"#),
        (b"/a.b/c", r#"ok "a.b/c""#),
        (b"/a/b.", r#"ok "a/b.""#),
        (b"/a+b", r#"ok "a+b""#),
        (b"/a;b=c", r#"ok "a;b=c""#),
        (b"/~user/@x:y", r#"ok "~user/@x:y""#),
    ];
    for &(raw, expect) in cases {
        check(raw, false, expect);
    }
}

#[test]
fn slashes_and_dot_segments_collapse() {
    let cases: &[(&[u8], &str)] = &[
        (b"/a//b", r#"ok "a/b""#),
        (b"//a", r#"ok "a""#),
        (b"///", r#"ok "" /"#),
        (b"/a/./b", r#"ok "a/b""#),
        (b"/./a", r#"ok "a""#),
        (b"/a/.", r#"ok "a" /"#),
        (b"/.", r#"ok "" /"#),
        (b"/./", r#"ok "" /"#),
        (b"/a/b//", r#"ok "a/b" /"#),
        (b"/a/.//./b/", r#"ok "a/b" /"#),
        (b"/a/%2e/b", r#"ok "a/b""#),
    ];
    for &(raw, expect) in cases {
        check(raw, false, expect);
    }
}

#[test]
fn percent_decoding_happens_exactly_once() {
    let cases: &[(&[u8], &str)] = &[
        (b"/%61", r#"ok "a""#),
        (b"/a%20b", r#"ok "a b""#),
        (b"/caf%C3%A9", r#"ok "café""#),
        (b"/caf%c3%a9", r#"ok "café""#),
        (b"/caf\xC3\xA9", r#"ok "café""#),
        // A double-encoded dot is the literal file name `%2e`, never `.`.
        (b"/%252e", r#"ok "%2e""#),
        (b"/%252e%252e/x", r#"ok "%2e%2e/x""#),
        (b"/%2525", r#"ok "%25""#),
        // An encoded slash separates segments, as in nginx.
        (b"/a%2Fb", r#"ok "a/b""#),
        (b"/a%2F%2Fb%2f", r#"ok "a/b" /"#),
        (b"/%2Fetc/passwd", r#"ok "etc/passwd""#),
    ];
    for &(raw, expect) in cases {
        check(raw, false, expect);
    }
}

#[test]
fn malformed_paths_are_400() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "NotAbsolute 400"),
        (b"a", "NotAbsolute 400"),
        (b"*", "NotAbsolute 400"),
        (b"http://example.com/", "NotAbsolute 400"),
        (b"%2F", "NotAbsolute 400"),
        (b"/%", "BadPercentEscape 400"),
        (b"/a%", "BadPercentEscape 400"),
        (b"/%2", "BadPercentEscape 400"),
        (b"/%zz", "BadPercentEscape 400"),
        (b"/%2g", "BadPercentEscape 400"),
        (b"/%g2", "BadPercentEscape 400"),
        (b"/%%32%65", "BadPercentEscape 400"),
        (b"/%00", "Nul 400"),
        (b"/a\0b", "Nul 400"),
        (b"/index.html%00.txt", "Nul 400"),
        (b"/%0a", "ControlChar 400"),
        (b"/%0D%0ASet-Cookie:x", "ControlChar 400"),
        (b"/%7F", "ControlChar 400"),
        (b"/a\tb", "ControlChar 400"),
        (b"/a\\..\\b", "Backslash 400"),
        (b"/a%5Cb", "Backslash 400"),
        (b"/..%5c..%5cwindows", "Backslash 400"),
    ];
    for &(raw, expect) in cases {
        check(raw, false, expect);
        check(raw, true, expect);
    }
}

#[test]
fn traversal_is_400_in_every_spelling() {
    let cases: &[&[u8]] = &[
        b"/..",
        b"/../",
        b"/../etc/passwd",
        b"/a/..",
        b"/a/../b",
        b"/a/b/../../../etc/passwd",
        b"/%2e%2e/",
        b"/%2E%2E/etc/passwd",
        b"/a/%2E%2E/..",
        b"/.%2e/",
        b"/%2e./",
        b"/..%2Fetc/passwd",
        b"/%2e%2e%2fetc%2fpasswd",
        b"/a/..%2f..%2fetc/passwd",
        b"/a/%2e%2e",
        b"//../x",
        b"/./../x",
        // A hidden segment before the traversal must not turn the 400 into a 404.
        b"/.git/../x",
    ];
    for &raw in cases {
        check(raw, false, "Traversal 400");
        check(raw, true, "Traversal 400");
    }
}

#[test]
fn invalid_utf8_is_400_including_overlong_forms() {
    let cases: &[&[u8]] = &[
        b"/%C0%AE%C0%AE/etc/passwd", // overlong '.'
        b"/%C0%AF",                  // overlong '/'
        b"/%E0%80%AE",               // three-byte overlong '.'
        b"/%C1%9C",                  // overlong '\'
        b"/%FF",
        b"/%FE%FF",
        b"/%ED%A0%80", // UTF-16 surrogate
        b"/%C3",       // truncated sequence
        b"/\xFF",
        b"/caf\xC3",
        b"/%F4%90%80%80", // above U+10FFFF
    ];
    for &raw in cases {
        check(raw, false, "InvalidUtf8 400");
    }
}

#[test]
fn dotfiles_are_404_unless_allowed() {
    let cases: &[(&[u8], &str, &str)] = &[
        (b"/.git/config", "Dotfile 404", r#"ok ".git/config""#),
        (b"/.env", "Dotfile 404", r#"ok ".env""#),
        (b"/a/.htpasswd", "Dotfile 404", r#"ok "a/.htpasswd""#),
        (b"/%2egit/HEAD", "Dotfile 404", r#"ok ".git/HEAD""#),
        (b"/...", "Dotfile 404", r#"ok "...""#),
        (b"/x/..y", "Dotfile 404", r#"ok "x/..y""#),
        (b"/.git/", "Dotfile 404", r#"ok ".git" /"#),
        // Malformed beats hidden, whatever the order in the path.
        (b"/.git/%zz", "BadPercentEscape 400", "BadPercentEscape 400"),
        (b"/.git/%00", "Nul 400", "Nul 400"),
    ];
    for &(raw, hidden, allowed) in cases {
        check(raw, false, hidden);
        check(raw, true, allowed);
    }
}

#[test]
fn well_known_is_served_at_the_root_only() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"/.well-known/acme-challenge/token",
            r#"ok ".well-known/acme-challenge/token""#,
        ),
        (
            b"/.well-known/security.txt",
            r#"ok ".well-known/security.txt""#,
        ),
        (b"/.well-known/", r#"ok ".well-known" /"#),
        (b"/%2ewell-known/x", r#"ok ".well-known/x""#),
        (b"/.well-known/.secret", "Dotfile 404"),
        (b"/a/.well-known/x", "Dotfile 404"),
        (b"/.Well-Known/x", "Dotfile 404"),
        (b"/.well-known/../.git", "Traversal 400"),
    ];
    for &(raw, expect) in cases {
        check(raw, false, expect);
    }
}

fn check_fast(raw: &[u8], expect: bool) {
    assert_eq!(
        fast_path_ok(raw),
        expect,
        "fast_path_ok({:?})",
        raw.escape_ascii().to_string()
    );
}

#[test]
fn fast_path_accepts_only_paths_that_need_no_work() {
    let cases: &[(&[u8], bool)] = &[
        (b"/", true),
        (b"/index.html", true),
        (b"/a/b/c.min.js", true),
        (b"/a/b/", true),
        (b"/a-b_c~d/e!$&'()*+,;=:@", true),
        (b"/a.b/c.", true),
        (b"", false),
        (b"a", false),
        (b"/%61", false),
        (b"/a//b", false),
        (b"//", false),
        (b"/./a", false),
        (b"/a/.", false),
        (b"/..", false),
        (b"/a/../b", false),
        (b"/.env", false),
        (b"/.well-known/x", false),
        (b"/a\\b", false),
        (b"/a b", false),
        (b"/a?b", false),
        (b"/a#b", false),
        (b"/caf\xC3\xA9", false),
        (b"/a\0", false),
        (b"/a\"b", false),
    ];
    for &(raw, expect) in cases {
        check_fast(raw, expect);
    }
}

/// Whenever the fast path says yes, the raw bytes must be exactly what `resolve_path` would
/// have produced. Checked over every path up to six bytes from an alphabet of the characters
/// that matter.
#[test]
fn fast_path_agrees_with_resolve_path() {
    const ALPHABET: &[u8] = b"/.a%2e\\";
    let mut raw = Vec::new();
    let mut checked = 0;
    for len in 0..=6u32 {
        for mut index in 0..ALPHABET.len().pow(len) {
            raw.clear();
            for _ in 0..len {
                raw.push(ALPHABET[index % ALPHABET.len()]);
                index /= ALPHABET.len();
            }
            if !fast_path_ok(&raw) {
                continue;
            }
            checked += 1;
            let trailing_slash = raw.ends_with(b"/");
            let rel = raw[1..].strip_suffix(b"/").unwrap_or(&raw[1..]);
            for allow_dotfiles in [false, true] {
                let resolved = resolve_path(&raw, allow_dotfiles).unwrap_or_else(|e| {
                    panic!("{:?} is fast but {e:?}", raw.escape_ascii().to_string())
                });
                assert_eq!(
                    resolved.rel.as_bytes(),
                    rel,
                    "{:?}",
                    raw.escape_ascii().to_string()
                );
                assert_eq!(resolved.trailing_slash, trailing_slash);
            }
        }
    }
    assert!(checked > 100, "only {checked} fast paths checked");
}
