//! `choose_encoding` and the `Encoding` accessors.

use bext_core::static_files::{Encoding, choose_encoding};

/// `have` lists the siblings that exist: `"br gz"`, `"gz"`, `""`.
fn check(accept_encoding: Option<&str>, have: &str, expect: Encoding) {
    let have_br = have.split(' ').any(|s| s == "br");
    let have_gz = have.split(' ').any(|s| s == "gz");
    let got = choose_encoding(accept_encoding.map(str::as_bytes), have_br, have_gz);
    assert_eq!(
        got, expect,
        "choose_encoding({accept_encoding:?}, have={have:?})"
    );
}

use Encoding::{Brotli as Br, Gzip as Gz, Identity as Id};

#[test]
fn browsers_get_brotli_then_gzip() {
    let cases = [
        (Some("gzip, deflate, br, zstd"), "br gz", Br),
        (Some("gzip, deflate, br, zstd"), "gz", Gz),
        (Some("gzip, deflate, br, zstd"), "br", Br),
        (Some("gzip, deflate, br, zstd"), "", Id),
        (Some("gzip, br"), "br gz", Br),
        (Some("br"), "br gz", Br),
        (Some("gzip"), "br gz", Gz),
        (Some("br"), "gz", Id),
        (Some("gzip"), "br", Id),
        (Some("deflate"), "br gz", Id),
    ];
    for (header, have, expect) in cases {
        check(header, have, expect);
    }
}

#[test]
fn no_or_empty_header_means_identity() {
    check(None, "br gz", Id);
    check(Some(""), "br gz", Id);
    check(Some("  "), "br gz", Id);
    check(Some(" , ,"), "br gz", Id);
}

#[test]
fn weights_decide_and_ties_go_to_brotli() {
    let cases = [
        (Some("gzip;q=1.0, br;q=0.8"), "br gz", Gz),
        (Some("br;q=0.5, gzip;q=0.5"), "br gz", Br),
        (Some("gzip;q=0.5, br;q=0.5"), "br gz", Br),
        (Some("gzip ; q=0.5 , br ; q=0.4"), "br gz", Gz),
        (Some("gzip;q=0.001"), "br gz", Gz),
        (Some("gzip;q=1."), "gz", Gz),
        (Some("gzip;q=1.000"), "gz", Gz),
        (Some("gzip;q=0.999, br;q=1"), "br gz", Br),
        (Some("gzip;level=1"), "gz", Gz),
        (Some("gzip;level=1;q=0"), "gz", Id),
    ];
    for (header, have, expect) in cases {
        check(header, have, expect);
    }
}

#[test]
fn zero_weight_refuses_a_coding() {
    let cases = [
        (Some("gzip;q=0"), "br gz", Id),
        (Some("gzip;q=0."), "gz", Id),
        (Some("gzip;q=0.000"), "gz", Id),
        (Some("br;q=0, gzip"), "br gz", Gz),
        (Some("br;q=0, gzip"), "br", Id),
        // The first listing of a coding counts.
        (Some("gzip;q=0, gzip"), "gz", Id),
        (Some("gzip, gzip;q=0"), "gz", Gz),
    ];
    for (header, have, expect) in cases {
        check(header, have, expect);
    }
}

#[test]
fn star_covers_unlisted_codings() {
    let cases = [
        (Some("*"), "br gz", Br),
        (Some("*"), "gz", Gz),
        (Some("*"), "", Id),
        (Some("*;q=0"), "br gz", Id),
        (Some("*;q=0, gzip"), "br gz", Gz),
        (Some("gzip;q=0, *"), "br gz", Br),
        (Some("gzip;q=0, *"), "gz", Id),
        (Some("compress, *;q=0.1"), "br gz", Br),
        (Some("br;q=0.2, *;q=0.5"), "br gz", Gz),
    ];
    for (header, have, expect) in cases {
        check(header, have, expect);
    }
}

#[test]
fn identity_weight_is_respected_but_never_406() {
    let cases = [
        // Refused identity with nothing better: identity anyway (no 406).
        (Some("identity;q=0"), "br gz", Id),
        (Some("identity;q=0, gzip;q=0"), "gz", Id),
        (Some("*;q=0"), "", Id),
        (Some("identity;q=0, gzip;q=0.1"), "br gz", Gz),
        // Listed identity outweighing a compression wins; a tie goes to the compression.
        (Some("gzip;q=0.5, identity"), "br gz", Id),
        (Some("gzip;q=0.5, identity;q=0.5"), "br gz", Gz),
        (Some("gzip;q=0.4, *;q=0.5"), "gz", Id),
        (Some("identity"), "br gz", Id),
    ];
    for (header, have, expect) in cases {
        check(header, have, expect);
    }
}

#[test]
fn names_are_case_insensitive_and_x_gzip_is_gzip() {
    let cases = [
        (Some("GZIP"), "br gz", Gz),
        (Some("Br"), "br gz", Br),
        (Some("x-gzip"), "br gz", Gz),
        (Some("X-GZIP;q=0.5, br;q=0.4"), "br gz", Gz),
        (Some("gzip;Q=0"), "gz", Id),
        (Some("IDENTITY;q=1, gzip;q=0.5"), "gz", Id),
    ];
    for (header, have, expect) in cases {
        check(header, have, expect);
    }
}

#[test]
fn an_invalid_weight_drops_only_its_element() {
    let cases = [
        (Some("gzip;q=1.5"), "gz", Id),
        (Some("gzip;q=2"), "gz", Id),
        (Some("gzip;q=abc"), "gz", Id),
        (Some("gzip;q=0.1234"), "gz", Id),
        (Some("gzip;q=1.001"), "gz", Id),
        (Some("gzip;q="), "gz", Id),
        (Some("gzip;q=-1"), "gz", Id),
        (Some("gzip;q=.5"), "gz", Id),
        (Some("br;q=9, gzip"), "br gz", Gz),
        // The dropped element does not count as the first listing either.
        (Some("gzip;q=bad, gzip;q=0.3"), "gz", Gz),
    ];
    for (header, have, expect) in cases {
        check(header, have, expect);
    }
}

#[test]
fn accessors() {
    let cases = [
        (Id, "", None, ""),
        (Br, ".br", Some("br"), "-br"),
        (Gz, ".gz", Some("gzip"), "-gz"),
    ];
    for (encoding, suffix, header, etag_suffix) in cases {
        assert_eq!(encoding.suffix(), suffix);
        assert_eq!(encoding.header_value(), header);
        assert_eq!(encoding.etag_suffix(), etag_suffix);
    }
}
