//! `parse_range`, `content_range` and `content_range_unsatisfiable`.

use bext_core::static_files::{
    RangeRequest, content_range, content_range_unsatisfiable, parse_range,
};

/// `expect` is `ignore`, `416` or `start-end`.
fn check(value: &str, size: u64, expect: &str) {
    let got = match parse_range(value.as_bytes(), size) {
        RangeRequest::Ignore => "ignore".to_owned(),
        RangeRequest::Unsatisfiable => "416".to_owned(),
        RangeRequest::Single { start, end } => format!("{start}-{end}"),
    };
    assert_eq!(got, expect, "parse_range({value:?}, {size})");
}

#[test]
fn single_ranges_at_file_boundaries() {
    let cases = [
        ("bytes=0-499", 1000, "0-499"),
        ("bytes=0-0", 1000, "0-0"),
        ("bytes=0-", 1000, "0-999"),
        ("bytes=500-999", 1000, "500-999"),
        ("bytes=500-1000", 1000, "500-999"),
        ("bytes=500-5000", 1000, "500-999"),
        ("bytes=999-999", 1000, "999-999"),
        ("bytes=999-", 1000, "999-999"),
        ("bytes=1000-", 1000, "416"),
        ("bytes=1000-1000", 1000, "416"),
        ("bytes=1000-2000", 1000, "416"),
        ("bytes=-500", 1000, "500-999"),
        ("bytes=-1", 1000, "999-999"),
        ("bytes=-1000", 1000, "0-999"),
        ("bytes=-5000", 1000, "0-999"),
        ("bytes=-0", 1000, "416"),
        ("bytes=0-0", 1, "0-0"),
        ("bytes=-1", 1, "0-0"),
        ("bytes=1-", 1, "416"),
    ];
    for (value, size, expect) in cases {
        check(value, size, expect);
    }
}

#[test]
fn a_zero_length_file_has_no_satisfiable_range() {
    for value in ["bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0", "bytes=5-9"] {
        check(value, 0, "416");
    }
}

#[test]
fn whitespace_and_unit_case_are_tolerated() {
    let cases = [
        (" bytes = 0 - 9 ", "0-9"),
        ("bytes=\t0-9", "0-9"),
        ("bytes= -5", "995-999"),
        ("BYTES=0-9", "0-9"),
        ("Bytes=0-9", "0-9"),
    ];
    for (value, expect) in cases {
        check(value, 1000, expect);
    }
}

#[test]
fn malformed_ranges_are_ignored() {
    let cases = [
        "",
        "bytes",
        "bytes=",
        "bytes 0-9",
        "bytes=-",
        "bytes=9-0",
        "bytes=a-b",
        "bytes=0-b",
        "bytes=--1",
        "bytes=1-2-3",
        "bytes=0x10-",
        "bytes=+1-2",
        "bytes=1.5-2",
        "bytes=0-9;x",
        "bytes=0 1-9",
        "items=0-9",
        "bytes=,,",
        "=0-9",
    ];
    for value in cases {
        check(value, 1000, "ignore");
    }
}

#[test]
fn several_ranges_get_the_whole_file() {
    let cases = [
        ("bytes=0-1,5-6", "ignore"),
        ("bytes=0-1, 0-1", "ignore"),
        ("bytes=0-1,-1", "ignore"),
        ("bytes=0-1,bad", "ignore"),
        ("bytes=2000-,3000-", "ignore"),
        // Empty list elements are not ranges.
        ("bytes=0-1,", "0-1"),
        ("bytes=, 0-1", "0-1"),
    ];
    for (value, expect) in cases {
        check(value, 1000, expect);
    }
}

#[test]
fn huge_positions_saturate() {
    let cases = [
        ("bytes=99999999999999999999999-", 1000, "416"),
        ("bytes=0-99999999999999999999999", 1000, "0-999"),
        ("bytes=-99999999999999999999999", 1000, "0-999"),
        ("bytes=18446744073709551615-", u64::MAX, "416"),
        (
            "bytes=18446744073709551614-",
            u64::MAX,
            "18446744073709551614-18446744073709551614",
        ),
        (
            "bytes=-2",
            u64::MAX,
            "18446744073709551613-18446744073709551614",
        ),
    ];
    for (value, size, expect) in cases {
        check(value, size, expect);
    }
}

fn check_content_range(start: u64, end: u64, size: u64, expect: &str) {
    let value = content_range(start, end, size);
    assert_eq!(std::str::from_utf8(value.as_bytes()), Ok(expect));
}

#[test]
fn content_range_values() {
    check_content_range(0, 499, 1000, "bytes 0-499/1000");
    check_content_range(0, 0, 1, "bytes 0-0/1");
    check_content_range(999, 999, 1000, "bytes 999-999/1000");
    check_content_range(
        u64::MAX - 1,
        u64::MAX - 1,
        u64::MAX,
        "bytes 18446744073709551614-18446744073709551614/18446744073709551615",
    );
    let unsatisfiable =
        |size| String::from_utf8(content_range_unsatisfiable(size).as_bytes().to_vec());
    assert_eq!(unsatisfiable(0).as_deref(), Ok("bytes */0"));
    assert_eq!(unsatisfiable(1000).as_deref(), Ok("bytes */1000"));
    assert_eq!(
        unsatisfiable(u64::MAX).as_deref(),
        Ok("bytes */18446744073709551615")
    );
}

#[test]
#[should_panic(expected = "after end")]
fn content_range_refuses_a_reversed_range() {
    content_range(5, 4, 10);
}

#[test]
#[should_panic(expected = "not inside")]
fn content_range_refuses_an_end_past_the_file() {
    content_range(0, 10, 10);
}
