//! `etag`, `http_date` and `parse_http_date`.

use bext_core::static_files::{Encoding, FileMeta, etag, http_date, parse_http_date};

fn meta(mtime_secs: i64, size: u64) -> FileMeta {
    FileMeta {
        size,
        mtime_secs,
        mtime_nanos: 123,
        inode: 42,
    }
}

fn check_etag(meta: FileMeta, encoding: Encoding, expect: &str) {
    let tag = etag(&meta, encoding);
    assert_eq!(
        std::str::from_utf8(tag.as_bytes()),
        Ok(expect),
        "etag({meta:?}, {encoding:?})"
    );
}

#[test]
fn etags_are_nginx_style_per_variant() {
    let cases = [
        (
            meta(1_700_000_000, 1234),
            Encoding::Identity,
            r#""6553f100-4d2""#,
        ),
        (
            meta(1_700_000_000, 1234),
            Encoding::Brotli,
            r#""6553f100-4d2-br""#,
        ),
        (
            meta(1_700_000_000, 1234),
            Encoding::Gzip,
            r#""6553f100-4d2-gz""#,
        ),
        (meta(0, 0), Encoding::Identity, r#""0-0""#),
        (
            meta(784_111_777, 16),
            Encoding::Identity,
            r#""2ebc98a1-10""#,
        ),
        (meta(-1, 1), Encoding::Identity, r#""ffffffffffffffff-1""#),
        (
            meta(i64::MIN, 0),
            Encoding::Identity,
            r#""8000000000000000-0""#,
        ),
        (
            meta(i64::MAX, u64::MAX),
            Encoding::Brotli,
            r#""7fffffffffffffff-ffffffffffffffff-br""#,
        ),
    ];
    for (meta, encoding, expect) in cases {
        check_etag(meta, encoding, expect);
    }
}

#[test]
fn etag_ignores_inode_and_nanoseconds() {
    let a = FileMeta {
        size: 10,
        mtime_secs: 5,
        mtime_nanos: 1,
        inode: 1,
    };
    let b = FileMeta {
        size: 10,
        mtime_secs: 5,
        mtime_nanos: 999,
        inode: 2,
    };
    assert_eq!(etag(&a, Encoding::Identity), etag(&b, Encoding::Identity));
}

fn check_date(unix_secs: i64, expect: &str) {
    let date = http_date(unix_secs);
    assert_eq!(
        std::str::from_utf8(date.as_bytes()),
        Ok(expect),
        "http_date({unix_secs})"
    );
}

#[test]
fn http_dates_are_imf_fixdate_clamped_to_representable_years() {
    let cases = [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_700_000_000, "Tue, 14 Nov 2023 22:13:20 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (-1, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (i64::MIN, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (253_402_300_800, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (i64::MAX, "Fri, 31 Dec 9999 23:59:59 GMT"),
    ];
    for (secs, expect) in cases {
        check_date(secs, expect);
    }
}

fn check_parse(input: &[u8], expect: Option<i64>) {
    assert_eq!(
        parse_http_date(input),
        expect,
        "parse_http_date({:?})",
        input.escape_ascii().to_string()
    );
}

#[test]
fn all_three_date_formats_parse() {
    let cases: &[(&[u8], Option<i64>)] = &[
        (b"Sun, 06 Nov 1994 08:49:37 GMT", Some(784_111_777)),
        (b"Sunday, 06-Nov-94 08:49:37 GMT", Some(784_111_777)),
        (b"Sun Nov  6 08:49:37 1994", Some(784_111_777)),
        (b"  Sun, 06 Nov 1994 08:49:37 GMT \t", Some(784_111_777)),
        (b"Thu, 01 Jan 1970 00:00:00 GMT", Some(0)),
        (b"Fri, 31 Dec 9999 23:59:59 GMT", Some(253_402_300_799)),
        (b"", None),
        (b"garbage", None),
        (b"784111777", None),
        (b"Mon, 06 Nov 1994 08:49:37 GMT", None), // wrong weekday
        (b"Sun, 06 Nov 1994 08:49:37 UTC", None),
        (b"Sun, 31 Nov 1994 08:49:37 GMT", None),
        (b"Sun, 06 Nov 1994 24:00:00 GMT", None),
        (b"Wed, 31 Dec 1969 23:59:59 GMT", None),
        (b"Sun, 06 Nov 1994 08:49:37 GMT\xFF", None),
        (
            b"Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
            None,
        ),
    ];
    for &(input, expect) in cases {
        check_parse(input, expect);
    }
}

#[test]
fn formatted_dates_parse_back() {
    for secs in [
        0,
        1,
        59,
        86_399,
        784_111_777,
        951_782_400,
        1_700_000_000,
        253_402_300_799,
    ] {
        assert_eq!(parse_http_date(http_date(secs).as_bytes()), Some(secs));
    }
}
