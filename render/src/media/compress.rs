//! Encodings made ahead of time for files served from memory (stylesheets, client scripts):
//! Brotli at its highest quality (a little lower for large files) and gzip at level 9, as a
//! build step would make them. A
//! compile pays this once per changed file; every response after that is a lookup.

use std::io::Write;

use bytes::Bytes;

/// Brotli's quality for files compressed once and sent many times (its maximum).
const BROTLI_QUALITY: u32 = 11;
/// Brotli's quality above [`BROTLI_MAX_QUALITY_BYTES_MAX`]: quality 11 compresses at about
/// 1 MB/s, which would hold an app's start for a second per large client chunk (React's);
/// 9 is some twenty times faster, for a few percent more bytes.
const BROTLI_QUALITY_LARGE: u32 = 9;
// tidy: not a limit: the size from which the faster quality is used, nothing is refused.
/// Files up to this size get the highest quality.
const BROTLI_MAX_QUALITY_BYTES_MAX: usize = 128 * 1024;
/// Brotli's window, log2 bytes (its default for text).
const BROTLI_WINDOW_LOG2: u32 = 22;
// tidy: not a limit: a size below which compressing is not worth it, nothing is refused.
/// Below this, compression saves less than the header it adds.
const COMPRESS_BYTES_MIN: usize = 256;

/// `(brotli, gzip)` of `body`, each only when it is smaller than the body.
pub(super) fn both(body: &[u8]) -> (Option<Bytes>, Option<Bytes>) {
    if body.len() < COMPRESS_BYTES_MIN {
        return (None, None);
    }
    let smaller = |encoded: Vec<u8>| (encoded.len() < body.len()).then(|| Bytes::from(encoded));
    (brotli(body).and_then(smaller), gzip(body).and_then(smaller))
}

fn brotli(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() / 4);
    let params = brotli::enc::BrotliEncoderParams {
        quality: if body.len() <= BROTLI_MAX_QUALITY_BYTES_MAX {
            BROTLI_QUALITY
        } else {
            BROTLI_QUALITY_LARGE
        } as i32,
        lgwin: BROTLI_WINDOW_LOG2 as i32,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
    Some(out)
}

fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    #[test]
    fn both_encodings_decode_to_the_body() {
        let body = ".a{color:red}\n".repeat(100);
        let (br, gz) = super::both(body.as_bytes());
        let (br, gz) = (br.expect("brotli"), gz.expect("gzip"));
        let mut decoded = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut decoded)
            .expect("brotli decodes");
        assert_eq!(decoded, body.as_bytes());
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut decoded)
            .expect("gzip decodes");
        assert_eq!(decoded, body.as_bytes());
    }

    #[test]
    fn small_files_are_sent_as_they_are() {
        assert_eq!(super::both(b".a{color:red}"), (None, None));
    }
}
