//! `DateCache`: the formatted line for a given second, reformatted only when it changes.

use bext_net::h1::DateCache;

fn check(unix_secs: u64, expect: &str) {
    let cache = DateCache::new(unix_secs);
    assert_eq!(String::from_utf8_lossy(cache.line()), expect);
}

#[test]
fn formats_imf_fixdate() {
    check(0, "date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
    check(784_111_777, "date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
    check(1_709_208_000, "date: Thu, 29 Feb 2024 12:00:00 GMT\r\n");
    check(253_402_300_799, "date: Fri, 31 Dec 9999 23:59:59 GMT\r\n");
    // A clock beyond what IMF-fixdate can say is pinned, not a panic.
    check(u64::MAX, "date: Fri, 31 Dec 9999 23:59:59 GMT\r\n");
}

#[test]
fn update_follows_the_second() {
    let mut cache = DateCache::new(784_111_777);
    cache.update(784_111_777);
    assert_eq!(cache.line(), b"date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
    cache.update(784_111_778);
    assert_eq!(cache.line(), b"date: Sun, 06 Nov 1994 08:49:38 GMT\r\n");
    cache.update(0);
    assert_eq!(cache.line(), b"date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
}
