//! The publish requests the generator writes, and the answers it counts.
//!
//! A request is `POST /__bext/realtime/publish` with the bearer token and
//! `{"topic":"T","data":"<send time in ns>"}`, written pipelined (several in one write when
//! several are due). The answers come back in order, each with a `Content-Length` body;
//! [`Replies`] counts them across reads, the accepted ones (202) apart.

use super::PUBLISH_PATH;

/// Largest answer head accepted.
const HEAD_BYTES_MAX: usize = 16 * 1024;
/// Largest answer body accepted (bext's and the hub's are a line of JSON).
const BODY_BYTES_MAX: usize = 64 * 1024;
const HEADERS_MAX: usize = 32;

/// Appends one publish request for `topic` whose data is `send_ns` in decimal.
pub fn write_request(out: &mut Vec<u8>, host: &str, token: &str, topic: &str, send_ns: u64) {
    let body = format!("{{\"topic\":\"{topic}\",\"data\":\"{send_ns}\"}}");
    out.extend_from_slice(
        format!(
            "POST {PUBLISH_PATH} HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {token}\r\n\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body.as_bytes());
}

/// The send time a `data:` line carries, if it is one of the generator's.
pub fn send_ns(data: &[u8]) -> Option<u64> {
    if data.is_empty() || data.len() > 20 || !data.iter().all(u8::is_ascii_digit) {
        return None;
    }
    data.iter().try_fold(0u64, |value, &digit| {
        value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

/// Counts pipelined answers across reads.
#[derive(Default)]
pub struct Replies {
    pending: Vec<u8>,
    /// Answers with status 202.
    pub accepted: u64,
    /// Other answers; the first one's status and body are kept.
    pub refused: u64,
    pub first_refusal: Option<String>,
}

impl Replies {
    /// Feeds the next bytes read; every complete answer in them is counted.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.pending.extend_from_slice(bytes);
        let mut used = 0;
        while let Some((status, length)) = parse_answer(&self.pending[used..])? {
            let whole = &self.pending[used..used + length];
            if status == 202 {
                self.accepted += 1;
            } else {
                self.refused += 1;
                if self.first_refusal.is_none() {
                    let text = String::from_utf8_lossy(whole);
                    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().trim();
                    self.first_refusal = Some(format!("{status}: {body}"));
                }
            }
            used += length;
        }
        self.pending.drain(..used);
        if self.pending.len() > HEAD_BYTES_MAX + BODY_BYTES_MAX {
            return Err("an answer larger than the bounds".to_string());
        }
        Ok(())
    }
}

/// `(status, head and body length)` of the answer at the start of `bytes`, once whole.
fn parse_answer(bytes: &[u8]) -> Result<Option<(u16, usize)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; HEADERS_MAX];
    let mut response = httparse::Response::new(&mut headers);
    let head_bytes = match response.parse(bytes) {
        Ok(httparse::Status::Complete(head_bytes)) => head_bytes,
        Ok(httparse::Status::Partial) if bytes.len() > HEAD_BYTES_MAX => {
            return Err(format!("an answer head larger than {HEAD_BYTES_MAX} bytes"));
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(error) => return Err(format!("bad answer head: {error}")),
    };
    let status = response.code.ok_or("an answer without a status")?;
    let length = response
        .headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case("content-length"))
        .and_then(|header| std::str::from_utf8(header.value).ok())
        .and_then(|value| value.trim().parse::<usize>().ok())
        .ok_or("a publish answer without Content-Length")?;
    if length > BODY_BYTES_MAX {
        return Err(format!("a publish answer of {length} bytes"));
    }
    let whole = head_bytes + length;
    Ok((bytes.len() >= whole).then_some((status, whole)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_publish_request() {
        let mut out = Vec::new();
        write_request(&mut out, "127.0.0.1:8080", "tok", "bench", 42);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "POST /__bext/realtime/publish HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\
             authorization: Bearer tok\r\ncontent-type: application/json\r\n\
             content-length: 29\r\n\r\n{\"topic\":\"bench\",\"data\":\"42\"}"
        );
    }

    #[test]
    fn reads_send_times() {
        assert_eq!(send_ns(b"123"), Some(123));
        assert_eq!(send_ns(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(send_ns(b"18446744073709551616"), None);
        assert_eq!(send_ns(b""), None);
        assert_eq!(send_ns(b"check"), None);
        assert_eq!(send_ns(b"12 "), None);
    }

    fn check(reads: &[&str], expect: &str) {
        let mut replies = Replies::default();
        let mut outcome = String::new();
        for read in reads {
            if let Err(error) = replies.feed(read.as_bytes()) {
                outcome = format!(" error: {error}");
                break;
            }
        }
        let actual = format!(
            "accepted={} refused={} first={:?}{outcome}",
            replies.accepted, replies.refused, replies.first_refusal
        );
        assert_eq!(actual, expect);
    }

    #[test]
    fn counts_pipelined_answers_across_reads() {
        let accepted = "HTTP/1.1 202 Accepted\r\ncontent-length: 3\r\n\r\nok\n";
        let refused = "HTTP/1.1 401 Unauthorized\r\ncontent-length: 4\r\n\r\nno!\n";
        let all = format!("{accepted}{accepted}{refused}{accepted}");
        check(&[&all], "accepted=3 refused=1 first=Some(\"401: no!\")");
        let (a, b) = all.split_at(50);
        check(&[a, b], "accepted=3 refused=1 first=Some(\"401: no!\")");
        check(
            &["HTTP/1.1 202 Accepted\r\n\r\n"],
            "accepted=0 refused=0 first=None error: a publish answer without Content-Length",
        );
    }
}
