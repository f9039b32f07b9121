//! The invariant checks shared by the `parse_request` fuzz target and the corpus replay test.
//!
//! Not API: it panics (that is its job) and allocates freely. It lives in the library only so
//! that `net/fuzz` and `net/tests/fuzz_corpus.rs` run exactly the same checks.

use super::{
    BodyDecoder, BodyError, BodyKind, HeaderStore, Limits, Method, Parsed, Request, RequestError,
    Version, parse_request,
};

/// Small limits, so that fuzz inputs of a few KiB reach every limit path.
const SMALL_LIMITS: Limits = Limits {
    request_line_bytes_max: 64,
    header_count_max: 8,
    header_bytes_max: 512,
};
/// Body bound for fuzzing, small enough for inputs to exceed it.
const FUZZ_BODY_BYTES_MAX: u64 = 2048;
/// Inputs up to this size have every prefix re-parsed; longer ones a sample of prefixes.
const ALL_PREFIXES_BYTES_MAX: usize = 256;
const PREFIX_SAMPLES: usize = 32;

/// Parses `input` as a connection would: head, body, next head, until the bytes run out or a
/// request is refused, checking invariants at every step. Panics when one breaks.
pub fn fuzz_parse(input: &[u8]) {
    let mut rest = input;
    while !rest.is_empty() {
        let mut store = HeaderStore::new();
        let parsed = parse_request(rest, &mut store, &Limits::default());
        check_prefixes(rest, &parsed);
        check_small_limits(rest, &parsed);
        if let Err(RequestError::HigherMinorVersion) = parsed {
            check_minor_version_rewrite(rest);
        }
        let Ok(Parsed::Complete { head, head_len }) = parsed else {
            return;
        };
        assert!(head_len > 0, "a complete head has at least a request line");
        assert!(head_len <= rest.len());
        // The parser checks line endings where lines end; a plain scan must agree.
        let accepted = &rest[..head_len];
        assert!(
            accepted
                .iter()
                .enumerate()
                .all(|(at, &b)| b != b'\n' || (at > 0 && accepted[at - 1] == b'\r')),
            "an accepted head has no bare LF"
        );
        check_head(rest, &head);
        rest = &rest[head_len..];

        let whole = decode_in_pieces(head.body, rest, usize::MAX);
        let bytewise = decode_in_pieces(head.body, rest, 1);
        assert_eq!(
            whole, bytewise,
            "body decoding must not depend on how input is split"
        );
        match whole.end {
            BodyEnd::Done => rest = &rest[whole.consumed..],
            BodyEnd::NeedMore | BodyEnd::TooLargeAtStart | BodyEnd::Error(_) => return,
        }
    }
}

/// A head refused as a higher minor version parses, once rewritten, as anything but that.
fn check_minor_version_rewrite(input: &[u8]) {
    let mut copy = input.to_vec();
    assert!(
        super::rewrite_higher_minor_version(&mut copy),
        "a head refused as a higher minor version is rewritten"
    );
    let mut store = HeaderStore::new();
    let again = parse_request(&copy, &mut store, &Limits::default());
    assert!(
        !matches!(again, Err(RequestError::HigherMinorVersion)),
        "rewritten, it is no longer a higher minor version"
    );
}

fn check_head(buf: &[u8], head: &Request<'_, '_>) {
    let within = |slice: &[u8]| {
        let (start, end) = (buf.as_ptr() as usize, buf.as_ptr() as usize + buf.len());
        let at = slice.as_ptr() as usize;
        // The static "/" stands in for an empty absolute-form path.
        slice == b"/" || (at >= start && at + slice.len() <= end)
    };
    assert!(!head.path.is_empty());
    assert!(within(head.path));
    assert!(head.query.is_none_or(within));
    assert!(
        head.host
            .is_none_or(|host| !host.is_empty() && within(host))
    );
    assert!(!head.method_bytes().is_empty());
    match head.method {
        Method::Connect => assert!(head.host.is_some()),
        Method::Options => assert!(head.path[0] == b'/' || head.path == b"*"),
        _ => assert_eq!(head.path[0], b'/'),
    }
    if head.version == Version::Http10 {
        assert_ne!(head.body, BodyKind::Chunked);
        assert!(!head.expect_continue);
    } else {
        assert!(head.header("host").is_some());
    }
    assert!(head.headers().len() <= Limits::default().header_count_max);
    if let BodyKind::Length(length) = head.body {
        let value = head
            .header("content-length")
            .map(|value| value.trim_ascii());
        let first_element = value.and_then(|value| value.split(|&b| b == b',').next());
        let digits = first_element
            .map(|element| element.trim_ascii())
            .unwrap_or_default();
        assert_eq!(parse_decimal(digits), Some(length));
    }
}

/// Splitting a head must not change how it parses: shorter prefixes of a complete head are
/// partial, and a prefix is refused or completed only if the whole buffer is too.
fn check_prefixes(buf: &[u8], whole: &Result<Parsed<Request<'_, '_>>, RequestError>) {
    let cut = |k: usize| {
        let mut store = HeaderStore::new();
        match parse_request(&buf[..k], &mut store, &Limits::default()) {
            Ok(Parsed::Complete { head_len, .. }) => Ok(Some(head_len)),
            Ok(Parsed::Partial) => Ok(None),
            Err(error) => Err(error),
        }
    };
    let check = |k: usize| {
        let prefix = cut(k);
        match (whole, prefix) {
            (_, Ok(None)) => {}
            (Ok(Parsed::Complete { head_len, .. }), Ok(Some(prefix_len))) => {
                assert!(k >= *head_len, "prefix {k} completed early");
                assert_eq!(prefix_len, *head_len);
            }
            (Ok(Parsed::Complete { head_len, .. }), Err(error)) => {
                assert!(
                    k >= *head_len,
                    "prefix {k} refused ({error:?}) but whole head is fine"
                );
            }
            (Ok(Parsed::Partial), prefix) => panic!("prefix {k} gave {prefix:?}, whole partial"),
            (Err(_), Err(_)) => {}
            (Err(error), Ok(Some(_))) => panic!("prefix {k} complete, whole refused {error:?}"),
        }
    };
    if buf.len() <= ALL_PREFIXES_BYTES_MAX {
        (0..buf.len()).for_each(check);
    } else {
        (0..PREFIX_SAMPLES)
            .map(|i| i * buf.len() / PREFIX_SAMPLES)
            .for_each(check);
        if let Ok(Parsed::Complete { head_len, .. }) = whole {
            check(head_len - 1);
        }
    }
}

/// Tighter limits may refuse more, but what they accept must parse the same.
fn check_small_limits(buf: &[u8], whole: &Result<Parsed<Request<'_, '_>>, RequestError>) {
    let mut store = HeaderStore::new();
    match (parse_request(buf, &mut store, &SMALL_LIMITS), whole) {
        (
            Ok(Parsed::Complete {
                head: small,
                head_len: small_len,
            }),
            whole,
        ) => {
            let Ok(Parsed::Complete { head, head_len }) = whole else {
                panic!("small limits accepted what default limits gave {whole:?}");
            };
            assert_eq!(small_len, *head_len);
            assert!(small_len <= SMALL_LIMITS.header_bytes_max);
            assert!(small.headers().len() <= SMALL_LIMITS.header_count_max);
            assert_eq!(
                (
                    small.method,
                    small.version,
                    small.path,
                    small.query,
                    small.host
                ),
                (head.method, head.version, head.path, head.query, head.host)
            );
            assert_eq!(
                (small.body, small.keep_alive, small.expect_continue),
                (head.body, head.keep_alive, head.expect_continue)
            );
        }
        (Ok(Parsed::Partial), whole) => {
            assert!(
                matches!(whole, Ok(Parsed::Partial)),
                "small partial, default {whole:?}"
            );
        }
        (Err(_), _) => {}
    }
}

#[derive(Debug, PartialEq, Eq)]
enum BodyEnd {
    Done,
    NeedMore,
    TooLargeAtStart,
    Error(BodyError),
}

#[derive(Debug, PartialEq, Eq)]
struct BodyOutcome {
    data: Vec<u8>,
    consumed: usize,
    end: BodyEnd,
}

/// Decodes the body at the start of `input`, feeding at most `piece_bytes` per call.
fn decode_in_pieces(kind: BodyKind, input: &[u8], piece_bytes: usize) -> BodyOutcome {
    let mut outcome = BodyOutcome {
        data: Vec::new(),
        consumed: 0,
        end: BodyEnd::NeedMore,
    };
    let mut decoder = match BodyDecoder::new(kind, FUZZ_BODY_BYTES_MAX) {
        Ok(decoder) => decoder,
        Err(error) => {
            assert_eq!(error, BodyError::TooLarge);
            assert!(matches!(kind, BodyKind::Length(n) if n > FUZZ_BODY_BYTES_MAX));
            outcome.end = BodyEnd::TooLargeAtStart;
            return outcome;
        }
    };
    loop {
        let window = &input[outcome.consumed..];
        let window = &window[..window.len().min(piece_bytes)];
        let decoded = match decoder.decode(window) {
            Ok(decoded) => decoded,
            // After an error only the error matters; how much was decoded before it depends
            // on how the input was split.
            Err(error) => {
                return BodyOutcome {
                    data: Vec::new(),
                    consumed: 0,
                    end: BodyEnd::Error(error),
                };
            }
        };
        assert!(decoded.consumed <= window.len());
        assert!(decoded.data.start <= decoded.data.end);
        assert!(decoded.data.end <= decoded.consumed);
        assert_eq!(decoded.done, decoder.is_done());
        outcome.data.extend_from_slice(&window[decoded.data]);
        outcome.consumed += decoded.consumed;
        assert!(outcome.data.len() as u64 <= FUZZ_BODY_BYTES_MAX);
        if decoded.done {
            outcome.end = BodyEnd::Done;
            if let BodyKind::Length(length) = kind {
                assert_eq!(outcome.data.len() as u64, length);
            }
            return outcome;
        }
        if window.is_empty() {
            return outcome;
        }
        assert!(
            decoded.consumed > 0,
            "decode made no progress on {} bytes",
            window.len()
        );
    }
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then_some(())?;
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}
