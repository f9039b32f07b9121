//! `evaluate`: If-None-Match, If-Modified-Since, Range and If-Range together.

use bext_core::static_files::{Conditions, Encoding, FileMeta, Selection, etag, evaluate};

const MTIME: i64 = 784_111_777;
const LAST_MODIFIED: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
const ONE_SECOND_EARLIER: &str = "Sun, 06 Nov 1994 08:49:36 GMT";
const ONE_SECOND_LATER: &str = "Sun, 06 Nov 1994 08:49:38 GMT";
/// The tag of a 1000-byte file modified at `MTIME`.
const ETAG: &str = r#""2ebc98a1-3e8""#;
const ETAG_GZ: &str = r#""2ebc98a1-3e8-gz""#;

/// `headers` names: `inm`, `ims`, `range`, `if-range`. `expect`: `304`, `200`, `206 a-b`, `416`.
fn check(get_or_head: bool, headers: &[(&str, &str)], size: u64, expect: &str) {
    let field = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_bytes())
    };
    let conditions = Conditions {
        if_none_match: field("inm"),
        if_modified_since: field("ims"),
        range: field("range"),
        if_range: field("if-range"),
    };
    let meta = FileMeta {
        size,
        mtime_secs: MTIME,
        mtime_nanos: 0,
        inode: 1,
    };
    let tag = etag(&meta, Encoding::Identity);
    let got = match evaluate(get_or_head, &conditions, &tag, MTIME, size) {
        Selection::NotModified => "304".to_owned(),
        Selection::Full => "200".to_owned(),
        Selection::Partial { start, end } => format!("206 {start}-{end}"),
        Selection::Unsatisfiable => "416".to_owned(),
    };
    assert_eq!(
        got, expect,
        "evaluate(get_or_head={get_or_head}, {headers:?}, size={size})"
    );
}

#[test]
fn the_test_tag_is_what_etag_produces() {
    let meta = FileMeta {
        size: 1000,
        mtime_secs: MTIME,
        mtime_nanos: 0,
        inode: 1,
    };
    assert_eq!(etag(&meta, Encoding::Identity).as_bytes(), ETAG.as_bytes());
    assert_eq!(etag(&meta, Encoding::Gzip).as_bytes(), ETAG_GZ.as_bytes());
}

#[test]
fn no_conditions_is_the_whole_file() {
    check(true, &[], 1000, "200");
    check(true, &[], 0, "200");
}

#[test]
fn if_none_match_uses_the_weak_comparison() {
    let weak = format!("W/{ETAG}");
    let listed = format!(r#""other", {ETAG}"#);
    let listed_tight = format!(r#""other",{ETAG}"#);
    let listed_loose = format!(" \"a\" ,  W/{ETAG} ");
    let leading_commas = format!(", ,{ETAG}");
    let after_garbage = format!(r#""a" junk, {ETAG}"#);
    let unquoted = ETAG.trim_matches('"').to_owned();
    let cases: &[(&str, &str)] = &[
        (ETAG, "304"),
        (&weak, "304"),
        (&listed, "304"),
        (&listed_tight, "304"),
        (&listed_loose, "304"),
        (&leading_commas, "304"),
        ("*", "304"),
        (" * ", "304"),
        (r#""other""#, "200"),
        (r#"W/"other", "x""#, "200"),
        (ETAG_GZ, "200"),
        (&unquoted, "200"),
        (r#""2ebc98a1-3e8"#, "200"),
        (&after_garbage, "200"),
        ("", "200"),
        (",", "200"),
        ("W/", "200"),
    ];
    for &(value, expect) in cases {
        check(true, &[("inm", value)], 1000, expect);
    }
}

#[test]
fn if_modified_since_counts_only_without_if_none_match() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("ims", LAST_MODIFIED)], "304"),
        (&[("ims", ONE_SECOND_LATER)], "304"),
        (&[("ims", ONE_SECOND_EARLIER)], "200"),
        (&[("ims", "Sunday, 06-Nov-94 08:49:37 GMT")], "304"),
        (&[("ims", "Sun Nov  6 08:49:37 1994")], "304"),
        (&[("ims", "yesterday")], "200"),
        (&[("ims", "")], "200"),
        // If-None-Match decides alone, whichever way it goes, even when malformed.
        (&[("inm", ETAG), ("ims", ONE_SECOND_EARLIER)], "304"),
        (&[("inm", r#""other""#), ("ims", LAST_MODIFIED)], "200"),
        (&[("inm", "garbage"), ("ims", LAST_MODIFIED)], "200"),
        (&[("inm", ""), ("ims", LAST_MODIFIED)], "200"),
    ];
    for &(headers, expect) in cases {
        check(true, headers, 1000, expect);
    }
}

#[test]
fn ranges_come_after_the_304_checks() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("range", "bytes=0-99")], "206 0-99"),
        (&[("range", "bytes=-100")], "206 900-999"),
        (&[("range", "bytes=900-")], "206 900-999"),
        (&[("range", "bytes=1000-")], "416"),
        (&[("range", "bytes=0-1,5-6")], "200"),
        (&[("range", "bytes=x")], "200"),
        (&[("range", "lines=1-2")], "200"),
        (&[("range", "bytes=0-99"), ("inm", ETAG)], "304"),
        (
            &[("range", "bytes=0-99"), ("inm", r#""other""#)],
            "206 0-99",
        ),
        (&[("range", "bytes=0-99"), ("ims", LAST_MODIFIED)], "304"),
        (
            &[("range", "bytes=0-99"), ("ims", ONE_SECOND_EARLIER)],
            "206 0-99",
        ),
        (&[("range", "bytes=5000-"), ("inm", ETAG)], "304"),
    ];
    for &(headers, expect) in cases {
        check(true, headers, 1000, expect);
    }
}

#[test]
fn if_range_needs_a_strong_match() {
    let weak = format!("W/{ETAG}");
    let spaced = format!("  {ETAG} ");
    let two_tags = format!("{ETAG}, {ETAG}");
    let cases: &[(&str, &str)] = &[
        (ETAG, "206 0-99"),
        (&spaced, "206 0-99"),
        (&weak, "200"),
        (r#""other""#, "200"),
        (ETAG_GZ, "200"),
        (&two_tags, "200"),
        (LAST_MODIFIED, "206 0-99"),
        ("Sunday, 06-Nov-94 08:49:37 GMT", "206 0-99"),
        (ONE_SECOND_EARLIER, "200"),
        (ONE_SECOND_LATER, "200"),
        ("garbage", "200"),
        ("", "200"),
    ];
    for &(if_range, expect) in cases {
        check(
            true,
            &[("range", "bytes=0-99"), ("if-range", if_range)],
            1000,
            expect,
        );
    }
}

#[test]
fn if_range_without_range_changes_nothing_and_with_416_keeps_it() {
    check(true, &[("if-range", ETAG)], 1000, "200");
    check(true, &[("if-range", r#""other""#)], 1000, "200");
    check(
        true,
        &[("range", "bytes=5000-"), ("if-range", ETAG)],
        1000,
        "416",
    );
    check(
        true,
        &[("range", "bytes=5000-"), ("if-range", r#""other""#)],
        1000,
        "200",
    );
}

#[test]
fn zero_length_files() {
    check(true, &[("range", "bytes=0-")], 0, "416");
    check(true, &[("range", "bytes=-1")], 0, "416");
    check(true, &[("range", "bytes=a")], 0, "200");
}

#[test]
fn other_methods_get_no_304_and_no_206() {
    let cases: &[&[(&str, &str)]] = &[
        &[("inm", ETAG)],
        &[("inm", "*")],
        &[("ims", LAST_MODIFIED)],
        &[("range", "bytes=0-99")],
        &[("range", "bytes=5000-")],
    ];
    for &headers in cases {
        check(false, headers, 1000, "200");
    }
}

#[test]
fn a_stored_answer_is_not_modified_by_its_own_validators() {
    use bext_core::static_files::not_modified;
    // (If-None-Match, If-Modified-Since, the answer's ETag, its Last-Modified) → 304?
    type Case = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        bool,
    );
    let cases: &[Case] = &[
        (Some(r#""a""#), None, Some(r#""a""#), None, true),
        (Some(r#"W/"a""#), None, Some(r#""a""#), None, true),
        (Some(r#""b", "a""#), None, Some(r#"W/"a""#), None, true),
        (Some("*"), None, Some(r#""a""#), None, true),
        (Some(r#""b""#), None, Some(r#""a""#), None, false),
        (Some(r#""a""#), None, None, None, false),
        // If-None-Match decides alone, even when the date would match.
        (
            Some(r#""b""#),
            Some(LAST_MODIFIED),
            Some(r#""a""#),
            Some(LAST_MODIFIED),
            false,
        ),
        (None, Some(LAST_MODIFIED), None, Some(LAST_MODIFIED), true),
        (
            None,
            Some(ONE_SECOND_LATER),
            None,
            Some(LAST_MODIFIED),
            true,
        ),
        (
            None,
            Some(ONE_SECOND_EARLIER),
            None,
            Some(LAST_MODIFIED),
            false,
        ),
        (None, Some("yesterday"), None, Some(LAST_MODIFIED), false),
        (None, Some(LAST_MODIFIED), None, None, false),
        (None, None, Some(r#""a""#), Some(LAST_MODIFIED), false),
    ];
    for &(inm, ims, etag, last_modified, want) in cases {
        let conditions = Conditions {
            if_none_match: inm.map(str::as_bytes),
            if_modified_since: ims.map(str::as_bytes),
            range: None,
            if_range: None,
        };
        let got = not_modified(
            &conditions,
            etag.map(str::as_bytes),
            last_modified.map(str::as_bytes),
        );
        assert_eq!(
            got, want,
            "{inm:?} {ims:?} against {etag:?} {last_modified:?}"
        );
    }
}

#[test]
fn a_stored_answer_s_ranges_follow_the_file_rules() {
    use bext_core::static_files::select_stored;
    const TAG: &str = r#""a""#;
    // (Range, If-Range, If-None-Match) on a 1000-byte answer tagged "a", modified at
    // LAST_MODIFIED → what is sent.
    let cases: &[(&str, Option<&str>, Option<&str>, &str)] = &[
        ("bytes=0-9", None, None, "206 0-9"),
        ("bytes=-10", None, None, "206 990-999"),
        ("bytes=5000-", None, None, "416"),
        ("bytes=0-9", Some(TAG), None, "206 0-9"),
        ("bytes=0-9", Some(r#"W/"a""#), None, "200"),
        ("bytes=0-9", Some(r#""b""#), None, "200"),
        ("bytes=0-9", Some(LAST_MODIFIED), None, "206 0-9"),
        ("bytes=0-9", Some(ONE_SECOND_LATER), None, "200"),
        ("bytes=0-9", None, Some(TAG), "304"),
        ("bytes=0-1,5-6", None, None, "200"),
    ];
    for &(range, if_range, inm, want) in cases {
        let conditions = Conditions {
            if_none_match: inm.map(str::as_bytes),
            if_modified_since: None,
            range: Some(range.as_bytes()),
            if_range: if_range.map(str::as_bytes),
        };
        let got = match select_stored(
            &conditions,
            Some(TAG.as_bytes()),
            Some(LAST_MODIFIED.as_bytes()),
            1000,
        ) {
            Selection::NotModified => "304".to_owned(),
            Selection::Full => "200".to_owned(),
            Selection::Partial { start, end } => format!("206 {start}-{end}"),
            Selection::Unsatisfiable => "416".to_owned(),
        };
        assert_eq!(got, want, "{range} {if_range:?} {inm:?}");
    }
}
