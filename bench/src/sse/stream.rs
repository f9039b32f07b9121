//! One subscriber's stream as it arrives: the response head (200, `text/event-stream`), the
//! body de-chunked if the server chunks it (bext and Node both do for HTTP/1.1) or as it is
//! until the connection closes, and the body's lines: each `data:` line is handed to the
//! caller, `event: bext-evicted` is remembered, the rest (`id:`, `retry:`, comments, blank
//! lines) is skipped. Lines may be split across reads and chunks; nothing is allocated per
//! event (one partial line is kept between feeds).

use super::EVICTED_EVENT;

/// Largest response head accepted.
pub const HEAD_BYTES_MAX: usize = 16 * 1024;
/// Longest line kept across feeds (an event's data is at most 64 KiB in bext).
pub const LINE_BYTES_MAX: usize = 64 * 1024 + 64;
/// Most headers parsed in the head.
const HEADERS_MAX: usize = 32;
/// Most hex digits of a chunk size (16 TiB).
const CHUNK_SIZE_DIGITS_MAX: usize = 12;

/// What a feed saw, besides the `data:` lines handed to the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fed {
    /// The head is in and some body bytes came with or after it: the stream is live.
    pub streaming: bool,
    /// The server ended the stream (a last chunk).
    pub ended: bool,
}

#[derive(Default)]
pub struct SseReader {
    head: Vec<u8>,
    body: Option<Framing>,
    /// Some body bytes have arrived.
    started: bool,
    /// A line begun in an earlier feed.
    line: Vec<u8>,
    /// The `event:` of the event being read was `bext-evicted`.
    evicted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// Until the connection closes.
    Raw,
    Chunked(Chunk),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    /// Reading the size line: the value so far, its digits, and whether the digits ended (an
    /// extension or `\r` follows).
    Size {
        value: u64,
        digits: usize,
        done: bool,
    },
    /// Data bytes still to come.
    Data(u64),
    /// The `\r\n` after a chunk's data: bytes of it still to skip.
    DataEnd(u8),
    /// The last chunk was read.
    Ended,
}

const SIZE_START: Chunk = Chunk::Size {
    value: 0,
    digits: 0,
    done: false,
};

impl SseReader {
    /// Whether the server sent `event: bext-evicted`.
    pub fn evicted(&self) -> bool {
        self.evicted
    }

    /// Feeds the next bytes read; `on_data` gets the text of every complete `data:` line.
    pub fn feed(
        &mut self,
        mut bytes: &[u8],
        on_data: &mut impl FnMut(&[u8]),
    ) -> Result<Fed, String> {
        if self.body.is_none() {
            let room = HEAD_BYTES_MAX.saturating_sub(self.head.len());
            let take = bytes.len().min(room);
            self.head.extend_from_slice(&bytes[..take]);
            let Some((framing, head_bytes)) = parse_head(&self.head)? else {
                if self.head.len() >= HEAD_BYTES_MAX {
                    return Err(format!("response head larger than {HEAD_BYTES_MAX} bytes"));
                }
                return Ok(Fed::default());
            };
            self.body = Some(framing);
            let after_head = self.head.split_off(head_bytes);
            self.head = Vec::new();
            bytes = &bytes[take..];
            let fed = self.feed_body(&after_head, on_data)?;
            if fed.ended || bytes.is_empty() {
                return Ok(fed);
            }
        }
        self.feed_body(bytes, on_data)
    }

    fn feed_body(
        &mut self,
        mut bytes: &[u8],
        on_data: &mut impl FnMut(&[u8]),
    ) -> Result<Fed, String> {
        self.started |= !bytes.is_empty();
        let mut ended = false;
        match self.body {
            Some(Framing::Raw) => self.lines(bytes, on_data)?,
            Some(Framing::Chunked(mut chunk)) => {
                while !bytes.is_empty() && chunk != Chunk::Ended {
                    let (next, used) = step_chunk(chunk, bytes)?;
                    if let Chunk::Data(left) = chunk {
                        self.lines(&bytes[..used], on_data)?;
                        debug_assert!(used as u64 <= left);
                    }
                    chunk = next;
                    bytes = &bytes[used..];
                }
                ended = chunk == Chunk::Ended;
                self.body = Some(Framing::Chunked(chunk));
            }
            None => return Err("internal: body before head".to_string()),
        }
        Ok(Fed {
            streaming: self.started,
            ended,
        })
    }

    /// Splits body bytes into lines, keeping a partial last line for the next feed.
    fn lines(&mut self, mut bytes: &[u8], on_data: &mut impl FnMut(&[u8])) -> Result<(), String> {
        while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
            if self.line.is_empty() {
                self.line_done(&bytes[..end], on_data);
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&bytes[..end]);
                self.line_done(&line, on_data);
                line.clear();
                self.line = line;
            }
            bytes = &bytes[end + 1..];
        }
        if self.line.len() + bytes.len() > LINE_BYTES_MAX {
            return Err(format!("an SSE line longer than {LINE_BYTES_MAX} bytes"));
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn line_done(&mut self, line: &[u8], on_data: &mut impl FnMut(&[u8])) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(data) = field(line, b"data") {
            on_data(data);
        } else if let Some(name) = field(line, b"event") {
            self.evicted |= name == EVICTED_EVENT.as_bytes();
        }
    }
}

/// The value of `name: value` (one optional space after the colon, as SSE has it).
fn field<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(name)?.strip_prefix(b":")?;
    Some(rest.strip_prefix(b" ").unwrap_or(rest))
}

/// One step of the chunked framing over `bytes`: the next state and the bytes it used.
fn step_chunk(chunk: Chunk, bytes: &[u8]) -> Result<(Chunk, usize), String> {
    match chunk {
        Chunk::Size {
            mut value,
            mut digits,
            mut done,
        } => {
            for (index, &byte) in bytes.iter().enumerate() {
                if byte == b'\n' {
                    if digits == 0 {
                        return Err("a chunk size line without a size".to_string());
                    }
                    let next = if value == 0 {
                        Chunk::Ended
                    } else {
                        Chunk::Data(value)
                    };
                    return Ok((next, index + 1));
                }
                match (done, (byte as char).to_digit(16)) {
                    (false, Some(digit)) => {
                        digits += 1;
                        if digits > CHUNK_SIZE_DIGITS_MAX {
                            return Err("a chunk size too large".to_string());
                        }
                        value = value * 16 + u64::from(digit);
                    }
                    // `\r`, or an extension after `;`: skipped to the end of the line.
                    _ => done = true,
                }
            }
            Ok((
                Chunk::Size {
                    value,
                    digits,
                    done,
                },
                bytes.len(),
            ))
        }
        Chunk::Data(left) => {
            let used = bytes.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let left = left - used as u64;
            let next = if left == 0 {
                Chunk::DataEnd(2)
            } else {
                Chunk::Data(left)
            };
            Ok((next, used))
        }
        Chunk::DataEnd(left) => {
            let expected: &[u8] = if left == 2 { b"\r\n" } else { b"\n" };
            let used = bytes.len().min(usize::from(left));
            if bytes[..used] != expected[..used] {
                return Err("a chunk not followed by CRLF".to_string());
            }
            let left = left - used as u8;
            let next = if left == 0 {
                SIZE_START
            } else {
                Chunk::DataEnd(left)
            };
            Ok((next, used))
        }
        Chunk::Ended => Ok((Chunk::Ended, 0)),
    }
}

/// The body's framing and the head's length once the head is complete; an error unless it
/// is a 200 event stream.
fn parse_head(bytes: &[u8]) -> Result<Option<(Framing, usize)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; HEADERS_MAX];
    let mut response = httparse::Response::new(&mut headers);
    let head_bytes = match response.parse(bytes) {
        Ok(httparse::Status::Complete(head_bytes)) => head_bytes,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(error) => return Err(format!("bad response head: {error}")),
    };
    let status = response.code.ok_or("response without a status")?;
    if status != 200 {
        let body = String::from_utf8_lossy(&bytes[head_bytes..]);
        return Err(format!("subscribe answered {status}: {}", body.trim()));
    }
    let value = |name: &str| {
        response
            .headers
            .iter()
            .find(|header| header.name.eq_ignore_ascii_case(name))
            .map(|header| String::from_utf8_lossy(header.value).to_ascii_lowercase())
    };
    if !value("content-type").is_some_and(|v| v.starts_with("text/event-stream")) {
        return Err("subscribe answered without content-type text/event-stream".to_string());
    }
    let framing = if value("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        Framing::Chunked(SIZE_START)
    } else {
        Framing::Raw
    };
    Ok(Some((framing, head_bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` split at every `split` bytes and reports what came out, one item per
    /// `data:` line, then the flags.
    fn check(input: &[u8], split: usize, expect: &str) {
        let mut reader = SseReader::default();
        let mut out = Vec::new();
        let mut last = Fed::default();
        for piece in input.chunks(split.max(1)) {
            let mut on_data = |data: &[u8]| out.push(String::from_utf8_lossy(data).into_owned());
            match reader.feed(piece, &mut on_data) {
                Ok(fed) => last = fed,
                Err(error) => {
                    out.push(format!("error: {error}"));
                    break;
                }
            }
        }
        let actual = format!(
            "{} streaming={} ended={} evicted={}",
            out.join("|"),
            last.streaming,
            last.ended,
            reader.evicted()
        );
        assert_eq!(actual, expect, "split {split}");
    }

    const CHUNKED_HEAD: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                                transfer-encoding: chunked\r\n\r\n";

    fn chunk(text: &str) -> String {
        format!("{:x}\r\n{text}\r\n", text.len())
    }

    #[test]
    fn reads_data_lines_through_chunks_split_anywhere() {
        let body = [
            chunk("retry: 1000\n: subscribed\n\n"),
            chunk("id: 0:a=1\ndata: 123\n\nid: 0:a=2\ndata: 456\n\n"),
            // A line split across two chunks, and an extension.
            "5;ext=1\r\nid: 3\r\n".to_string(),
            chunk("\ndata: 789\n\n"),
        ]
        .concat();
        let input = format!("{CHUNKED_HEAD}{body}");
        for split in [1, 2, 3, 7, 64, 10_000] {
            check(
                input.as_bytes(),
                split,
                "123|456|789 streaming=true ended=false evicted=false",
            );
        }
        let ended = format!("{input}0\r\n\r\n");
        check(
            ended.as_bytes(),
            5,
            "123|456|789 streaming=true ended=true evicted=false",
        );
    }

    #[test]
    fn a_head_alone_is_not_streaming_and_eviction_is_seen() {
        check(
            CHUNKED_HEAD.as_bytes(),
            1000,
            " streaming=false ended=false evicted=false",
        );
        let evicted = format!(
            "{CHUNKED_HEAD}{}",
            chunk("event: bext-evicted\ndata: too slow\n\n")
        );
        check(
            evicted.as_bytes(),
            4,
            "too slow streaming=true ended=false evicted=true",
        );
    }

    #[test]
    fn raw_bodies_and_crlf_lines() {
        check(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata:1\r\n\r\ndata: 2\n",
            3,
            "1|2 streaming=true ended=false evicted=false",
        );
    }

    #[test]
    fn refuses_what_is_not_an_event_stream() {
        check(
            b"HTTP/1.1 403 Forbidden\r\ncontent-length: 8\r\n\r\nno token",
            1000,
            "error: subscribe answered 403: no token streaming=false ended=false evicted=false",
        );
        check(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n",
            1000,
            "error: subscribe answered without content-type text/event-stream streaming=false ended=false evicted=false",
        );
        let bad = format!("{CHUNKED_HEAD}zz\r\n");
        check(
            bad.as_bytes(),
            1000,
            "error: a chunk size line without a size streaming=false ended=false evicted=false",
        );
        let unterminated = format!("{CHUNKED_HEAD}3\r\nabcXY");
        check(
            unterminated.as_bytes(),
            1000,
            "error: a chunk not followed by CRLF streaming=false ended=false evicted=false",
        );
    }
}
