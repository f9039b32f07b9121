//! `BodyDecoder`: every fixture is decoded whole, split at every position, and one byte at a
//! time, and must give the same rendered outcome each way.

use bext_net::h1::{BodyDecoder, BodyKind, CHUNK_EXTENSIONS_BYTES_MAX, TRAILER_BYTES_MAX};

const BODY_BYTES_MAX: u64 = 64;

/// Decodes `input` as it arrives in pieces ending at each of `arrivals` (then the rest), and
/// renders `data | done consumed=N`, `data | more consumed=N` or `STATUS Error`.
fn decode_arriving(kind: BodyKind, input: &[u8], arrivals: &[usize]) -> String {
    let mut decoder = match BodyDecoder::new(kind, BODY_BYTES_MAX) {
        Ok(decoder) => decoder,
        Err(error) => return format!("{} {error:?} at start", error.status()),
    };
    let mut data = Vec::new();
    let mut consumed = 0;
    let mut arrived = arrivals.iter().copied().chain([input.len()]);
    let mut available = arrived.next().unwrap_or(input.len());
    let end = loop {
        let window = &input[consumed..available];
        match decoder.decode(window) {
            // A refused body is answered and the connection closed: what was decoded before
            // the error no longer matters, so only the error is compared.
            Err(error) => return format!("{} {error:?}", error.status()),
            Ok(decoded) => {
                assert!(decoded.data.end <= decoded.consumed && decoded.consumed <= window.len());
                data.extend_from_slice(&window[decoded.data.clone()]);
                consumed += decoded.consumed;
                if decoded.done {
                    break "done".to_string();
                }
                assert!(window.is_empty() || decoded.consumed > 0, "no progress");
                if consumed == available {
                    match arrived.next() {
                        Some(next) => available = next,
                        None => break "more".to_string(),
                    }
                }
            }
        }
    };
    format!(
        "{} | {end} consumed={consumed}",
        String::from_utf8_lossy(&data)
    )
}

fn check(kind: BodyKind, input: &[u8], expect: &str) {
    let whole = decode_arriving(kind, input, &[]);
    assert_eq!(whole, expect, "input: {:?}", String::from_utf8_lossy(input));
    for cut in 0..=input.len() {
        assert_eq!(
            decode_arriving(kind, input, &[cut]),
            whole,
            "split at {cut}"
        );
    }
    let every_byte: Vec<usize> = (0..=input.len()).collect();
    assert_eq!(
        decode_arriving(kind, input, &every_byte),
        whole,
        "one byte at a time"
    );
}

fn chunked(input: &[u8], expect: &str) {
    check(BodyKind::Chunked, input, expect);
}

#[test]
fn no_body() {
    check(BodyKind::None, b"", " | done consumed=0");
    check(BodyKind::None, b"GET / HTTP/1.1", " | done consumed=0");
    check(BodyKind::Length(0), b"abc", " | done consumed=0");
}

#[test]
fn content_length_body() {
    check(BodyKind::Length(5), b"hello", "hello | done consumed=5");
    check(
        BodyKind::Length(5),
        b"helloGET /",
        "hello | done consumed=5",
    );
    check(BodyKind::Length(5), b"hel", "hel | more consumed=3");
    check(
        BodyKind::Length(BODY_BYTES_MAX),
        &[b'x'; 64],
        &format!("{} | done consumed=64", "x".repeat(64)),
    );
    check(
        BodyKind::Length(BODY_BYTES_MAX + 1),
        b"x",
        "413 TooLarge at start",
    );
    check(BodyKind::Length(u64::MAX), b"x", "413 TooLarge at start");
}

#[test]
fn chunked_bodies() {
    chunked(b"5\r\nhello\r\n0\r\n\r\n", "hello | done consumed=15");
    chunked(
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        "hello world | done consumed=26",
    );
    chunked(b"0\r\n\r\n", " | done consumed=5");
    chunked(b"000\r\n\r\n", " | done consumed=7");
    chunked(
        b"A\r\n0123456789\r\n0\r\n\r\n",
        "0123456789 | done consumed=20",
    );
    chunked(
        b"a\r\n0123456789\r\n0\r\n\r\n",
        "0123456789 | done consumed=20",
    );
    chunked(b"0005\r\nhello\r\n0\r\n\r\n", "hello | done consumed=18");
    // Whatever follows the body belongs to the next request.
    chunked(b"1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1", "x | done consumed=11");
    chunked(b"5\r\nhel", "hel | more consumed=6");
    chunked(b"5\r\nhello\r\n0\r\n", "hello | more consumed=13");
}

#[test]
fn chunk_extensions_are_skipped() {
    chunked(
        b"5;name=value\r\nhello\r\n0\r\n\r\n",
        "hello | done consumed=26",
    );
    chunked(
        b"5 ; a ; b=\"q;x\"\r\nhello\r\n0\r\n\r\n",
        "hello | done consumed=29",
    );
    chunked(
        b"5\t;a\r\nhello\r\n0;last\r\n\r\n",
        "hello | done consumed=23",
    );
    chunked(b"5;\x00\r\nhello\r\n0\r\n\r\n", "400 InvalidChunkExtension");
    chunked(b"5;a\nhello\r\n0\r\n\r\n", "400 InvalidChunkLineEnding");
    // BWS may only lead to an extension.
    chunked(b"5 \r\nhello\r\n0\r\n\r\n", "400 InvalidChunkSize");
}

#[test]
fn chunk_extensions_are_bounded_over_the_body() {
    let ext_bytes = CHUNK_EXTENSIONS_BYTES_MAX as usize;
    let at_limit = format!("0;{}\r\n\r\n", "e".repeat(ext_bytes - 1));
    let decoded = decode_arriving(BodyKind::Chunked, at_limit.as_bytes(), &[]);
    assert_eq!(decoded, format!(" | done consumed={}", at_limit.len()));
    let over_limit = format!("0;{}\r\n\r\n", "e".repeat(ext_bytes));
    let decoded = decode_arriving(BodyKind::Chunked, over_limit.as_bytes(), &[]);
    assert_eq!(decoded, "400 ChunkExtensionsTooLong");
    // Spread over many chunks, the total still counts.
    let half = "e".repeat(ext_bytes / 2);
    let spread = format!("1;{half}\r\nx\r\n1;{half}\r\ny\r\n0\r\n\r\n");
    let decoded = decode_arriving(BodyKind::Chunked, spread.as_bytes(), &[]);
    assert_eq!(decoded, "400 ChunkExtensionsTooLong");
}

#[test]
fn trailers_are_skipped() {
    chunked(b"1\r\nx\r\n0\r\nX-Sum: 1\r\n\r\n", "x | done consumed=21");
    chunked(
        b"1\r\nx\r\n0\r\nA: 1\r\nB: \t2\r\n\r\nNEXT",
        "x | done consumed=24",
    );
    chunked(b"0\r\nA: 1\n\r\n", "400 InvalidTrailer");
    chunked(b"0\r\n\n", "400 InvalidTrailer");
    chunked(b"0\r\nA: \x00\r\n\r\n", "400 InvalidTrailer");
    chunked(b"0\r\n\rX", "400 InvalidTrailer");
    let big = format!("0\r\nX: {}\r\n\r\n", "t".repeat(TRAILER_BYTES_MAX as usize));
    let decoded = decode_arriving(BodyKind::Chunked, big.as_bytes(), &[]);
    assert_eq!(decoded, "431 TrailersTooLarge");
    let at_limit = format!(
        "0\r\nX: {}\r\n\r\n",
        "t".repeat(TRAILER_BYTES_MAX as usize - 6)
    );
    let decoded = decode_arriving(BodyKind::Chunked, at_limit.as_bytes(), &[]);
    assert_eq!(decoded, format!(" | done consumed={}", at_limit.len()));
}

#[test]
fn chunk_sizes() {
    chunked(b"\r\nhello\r\n0\r\n\r\n", "400 InvalidChunkSize");
    chunked(b"x\r\n", "400 InvalidChunkSize");
    chunked(b"-5\r\n", "400 InvalidChunkSize");
    chunked(b"+5\r\n", "400 InvalidChunkSize");
    chunked(b"0x5\r\n", "400 InvalidChunkSize");
    chunked(b" 5\r\n", "400 InvalidChunkSize");
    // Sixteen digits fill a u64; a seventeenth is refused even as a leading zero.
    chunked(
        b"00000000000000001\r\nx\r\n0\r\n\r\n",
        "400 InvalidChunkSize",
    );
    chunked(
        b"0000000000000001\r\nx\r\n0\r\n\r\n",
        "x | done consumed=26",
    );
    chunked(b"ffffffffffffffff\r\n", "413 TooLarge");
    chunked(b"10000000000000000\r\n", "400 InvalidChunkSize");
}

#[test]
fn chunk_line_endings_are_strict() {
    chunked(b"5\nhello\r\n0\r\n\r\n", "400 InvalidChunkLineEnding");
    chunked(b"5\r\rhello\r\n0\r\n\r\n", "400 InvalidChunkLineEnding");
    chunked(b"5\r\nhelloX\r\n0\r\n\r\n", "400 InvalidChunkLineEnding");
    chunked(b"5\r\nhello\n0\r\n\r\n", "400 InvalidChunkLineEnding");
    chunked(b"5\r\nhello\r0\r\n\r\n", "400 InvalidChunkLineEnding");
    chunked(b"5\r\nhello\r\n0\r\n\n", "400 InvalidTrailer");
}

#[test]
fn chunked_body_size_is_bounded() {
    let at_limit = format!("40\r\n{}\r\n0\r\n\r\n", "x".repeat(64));
    chunked(
        at_limit.as_bytes(),
        &format!("{} | done consumed={}", "x".repeat(64), at_limit.len()),
    );
    chunked(b"41\r\n", "413 TooLarge");
    // The sum of the chunks counts, refused at the size line that crosses the bound.
    let crossing = format!("20\r\n{0}\r\n21\r\n{0}", "x".repeat(32));
    chunked(crossing.as_bytes(), "413 TooLarge");
}

#[test]
fn finished_decoder_consumes_nothing() {
    let mut decoder = BodyDecoder::new(BodyKind::Chunked, BODY_BYTES_MAX).unwrap();
    let first = decoder.decode(b"1\r\nx\r\n0\r\n\r\nGET").unwrap();
    assert_eq!((first.consumed, first.data, first.done), (11, 3..4, true));
    assert!(decoder.is_done());
    let again = decoder.decode(b"GET").unwrap();
    assert_eq!(
        (again.consumed, again.data.is_empty(), again.done),
        (0, true, true)
    );
}

#[test]
fn one_data_run_per_call() {
    let mut decoder = BodyDecoder::new(BodyKind::Chunked, BODY_BYTES_MAX).unwrap();
    let input = b"2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n";
    let first = decoder.decode(input).unwrap();
    assert_eq!(
        (first.consumed, first.data.clone(), first.done),
        (10, 3..5, false)
    );
    let rest = &input[first.consumed..];
    let second = decoder.decode(rest).unwrap();
    assert_eq!(&rest[second.data.clone()], b"cd");
    assert!(second.done);
    assert_eq!(first.consumed + second.consumed, input.len());
}
