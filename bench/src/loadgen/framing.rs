//! Finding where one HTTP/1.1 response ends in the bytes a connection reads, across reads.
//!
//! The generator sends one request at a time per connection and needs to know only the
//! status and when the last body byte has arrived; the body itself is skipped as it streams
//! in. Responses must carry `Content-Length` (every contender sends it for static files).

/// Largest response head accepted.
pub const HEAD_BYTES_MAX: usize = 16 * 1024;
/// Most headers parsed in one head.
const HEADERS_MAX: usize = 32;

/// Reads one response at a time; `reset` is implied after each `Complete`.
#[derive(Default)]
pub struct ResponseReader {
    head: Vec<u8>,
    /// `Some((status, body bytes still to come))` once the head is parsed.
    body: Option<(u16, usize)>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    NeedMore,
    /// The response is complete. Bytes after it in the same read would be a response to a
    /// request never sent, which is an error, so a complete response always ends the input.
    Complete {
        status: u16,
    },
}

impl ResponseReader {
    /// Feeds the next bytes read from the connection.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<Progress, String> {
        let (status, left) = match self.body {
            Some(state) => state,
            None => {
                let room = HEAD_BYTES_MAX.saturating_sub(self.head.len());
                let take = bytes.len().min(room);
                self.head.extend_from_slice(&bytes[..take]);
                let Some((status, content_length, head_bytes)) = parse_head(&self.head)? else {
                    if self.head.len() >= HEAD_BYTES_MAX {
                        return Err(format!("response head larger than {HEAD_BYTES_MAX} bytes"));
                    }
                    return Ok(Progress::NeedMore);
                };
                // Body bytes that came in with the head; the rest of this read follows them.
                let body_in_head = self.head.len() - head_bytes;
                bytes = &bytes[take..];
                self.head.clear();
                let left = content_length.checked_sub(body_in_head).ok_or_else(|| {
                    "more bytes than Content-Length (an unrequested response)".to_string()
                })?;
                (status, left)
            }
        };
        if bytes.len() > left {
            return Err("more bytes than Content-Length (an unrequested response)".into());
        }
        let left = left - bytes.len();
        if left == 0 {
            self.body = None;
            return Ok(Progress::Complete { status });
        }
        self.body = Some((status, left));
        Ok(Progress::NeedMore)
    }
}

/// `(status, content length, head bytes)` once the head is complete.
fn parse_head(bytes: &[u8]) -> Result<Option<(u16, usize, usize)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; HEADERS_MAX];
    let mut response = httparse::Response::new(&mut headers);
    let head_bytes = match response.parse(bytes) {
        Ok(httparse::Status::Complete(head_bytes)) => head_bytes,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(error) => return Err(format!("bad response head: {error}")),
    };
    let status = response.code.ok_or("response without a status")?;
    let content_length = response
        .headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case("content-length"))
        .ok_or("response without Content-Length")?;
    let content_length = std::str::from_utf8(content_length.value)
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .ok_or("bad Content-Length")?;
    Ok(Some((status, content_length, head_bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `reads` in order and describes what each one returned.
    fn check(reads: &[&[u8]], expect: &str) {
        let mut reader = ResponseReader::default();
        let actual: Vec<String> = reads
            .iter()
            .map(|read| match reader.feed(read) {
                Ok(Progress::NeedMore) => "more".to_string(),
                Ok(Progress::Complete { status }) => format!("done {status}"),
                Err(error) => format!("error: {error}"),
            })
            .collect();
        assert_eq!(actual.join(", "), expect);
    }

    const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, bext!\n";

    #[test]
    fn finds_response_ends_across_reads() {
        check(&[OK], "done 200");
        check(&[OK, OK], "done 200, done 200");
        // Split inside the head, at the blank line, and inside the body.
        for split in [5, 20, 37, 39, 45, OK.len() - 1] {
            let (a, b) = OK.split_at(split);
            check(&[a, b], "more, done 200");
        }
        check(
            &[b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"],
            "done 404",
        );
        check(
            &[
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                b"ab",
                b"cde",
            ],
            "more, more, done 200",
        );
    }

    #[test]
    fn rejects_what_a_one_at_a_time_client_cannot_have_asked_for() {
        let two = [OK, OK].concat();
        check(
            &[&two],
            "error: more bytes than Content-Length (an unrequested response)",
        );
        check(
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", b"abc"],
            "more, error: more bytes than Content-Length (an unrequested response)",
        );
        check(
            &[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"],
            "error: response without Content-Length",
        );
        check(
            &[b"SSH-2.0\r\n\r\n"],
            "error: bad response head: invalid HTTP version",
        );
        check(
            &[b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"],
            "error: bad Content-Length",
        );
        let endless = [
            b"HTTP/1.1 200 OK\r\nX: ".as_slice(),
            &[b'a'; HEAD_BYTES_MAX],
        ]
        .concat();
        check(&[&endless], "error: response head larger than 16384 bytes");
    }
}
