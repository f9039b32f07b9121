//! FastCGI (the FastCGI 1.0 specification) as a responder's client speaks it to PHP-FPM,
//! sans-I/O: [`encode_request`] writes one request's records, [`Decoder`] reads the
//! application's records back into its output, its errors and its end, and
//! [`parse_cgi_head`] reads the CGI response head at the front of the output (RFC 3875
//! §6: `Status`, `Location`, and the fields to pass on).
//!
//! One request at a time per connection, always with request id 1. Without `keep_conn` the
//! application closes the connection after `FCGI_END_REQUEST`; with it (`FCGI_KEEP_CONN`)
//! the connection stays open for the next request once `FCGI_END_REQUEST` has been read and
//! nothing follows it.

/// `FCGI_BEGIN_REQUEST` and the record types a responder's client sees.
const BEGIN_REQUEST: u8 = 1;
const END_REQUEST: u8 = 3;
const PARAMS: u8 = 4;
const STDIN: u8 = 5;
const STDOUT: u8 = 6;
const STDERR: u8 = 7;
/// `FCGI_RESPONDER`.
const ROLE_RESPONDER: u16 = 1;
const VERSION: u8 = 1;
/// The one request id a connection carries.
const REQUEST_ID: u16 = 1;
/// `FCGI_KEEP_CONN`: the application keeps the connection after the request.
const FLAG_KEEP_CONN: u8 = 1;
/// The most content one record carries.
// tidy: not a limit: the protocol's (a record's length is 16 bits).
const RECORD_CONTENT_MAX: usize = 65_535;
const HEADER_LEN: usize = 8;

/// Writes a whole request: `FCGI_BEGIN_REQUEST` (with `FCGI_KEEP_CONN` when `keep_conn`),
/// the parameters, the end of the parameters, `body` as `FCGI_STDIN` records, and the end
/// of the input.
pub fn encode_request(
    out: &mut Vec<u8>,
    params: &[(Vec<u8>, Vec<u8>)],
    body: &[u8],
    keep_conn: bool,
) {
    encode_request_head(out, params, keep_conn);
    encode_stdin(out, body);
    encode_stdin_end(out);
}

/// Writes a request up to its input: `FCGI_BEGIN_REQUEST`, the parameters and their end. A
/// body that arrives later follows as [`encode_stdin`] runs, then [`encode_stdin_end`].
pub fn encode_request_head(out: &mut Vec<u8>, params: &[(Vec<u8>, Vec<u8>)], keep_conn: bool) {
    let mut begin = [0u8; 8];
    begin[..2].copy_from_slice(&ROLE_RESPONDER.to_be_bytes());
    if keep_conn {
        begin[2] = FLAG_KEEP_CONN;
    }
    record(out, BEGIN_REQUEST, &begin);
    let mut pairs = Vec::new();
    for (name, value) in params {
        length(&mut pairs, name.len());
        length(&mut pairs, value.len());
        pairs.extend_from_slice(name);
        pairs.extend_from_slice(value);
    }
    for chunk in pairs.chunks(RECORD_CONTENT_MAX) {
        record(out, PARAMS, chunk);
    }
    record(out, PARAMS, &[]);
}

/// Writes `data` of the request body as `FCGI_STDIN` records (nothing for no data: an empty
/// record would end the input).
pub fn encode_stdin(out: &mut Vec<u8>, data: &[u8]) {
    for chunk in data.chunks(RECORD_CONTENT_MAX) {
        record(out, STDIN, chunk);
    }
}

/// Writes the end of the request body (an empty `FCGI_STDIN` record).
pub fn encode_stdin_end(out: &mut Vec<u8>) {
    record(out, STDIN, &[]);
}

/// A name-value pair's length: one byte below 128, else four with the top bit set.
fn length(out: &mut Vec<u8>, n: usize) {
    if n < 128 {
        out.push(n as u8);
    } else {
        let n = u32::try_from(n).unwrap_or(u32::MAX >> 1) | 0x8000_0000;
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn record(out: &mut Vec<u8>, kind: u8, content: &[u8]) {
    let padding = (8 - content.len() % 8) % 8;
    out.push(VERSION);
    out.push(kind);
    out.extend_from_slice(&REQUEST_ID.to_be_bytes());
    out.extend_from_slice(&(content.len() as u16).to_be_bytes());
    out.push(padding as u8);
    out.push(0);
    out.extend_from_slice(content);
    out.extend(std::iter::repeat_n(0, padding));
}

/// What one step of [`Decoder::decode`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Output bytes: `input[range]`.
    Stdout(std::ops::Range<usize>),
    /// Error text the application wrote (PHP's warnings): `input[range]`.
    Stderr(std::ops::Range<usize>),
    /// `FCGI_END_REQUEST`: the application's exit status and the protocol status (0 when
    /// the request completed).
    End {
        app_status: u32,
        protocol_status: u8,
    },
}

/// Why records do not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord(pub &'static str);

impl std::fmt::Display for BadRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad FastCGI record: {}", self.0)
    }
}

/// Reads records one at a time.
#[derive(Debug, Default)]
pub struct Decoder {
    ended: bool,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Whether `FCGI_END_REQUEST` has been read.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// The next event in `input` and how many bytes of it the record took; `Ok(None)`
    /// until a whole record is there. Records of other types (and empty output records)
    /// are consumed as `Stdout` of nothing.
    pub fn decode(&mut self, input: &[u8]) -> Result<Option<(Event, usize)>, BadRecord> {
        let Some(header) = input.get(..HEADER_LEN) else {
            return Ok(None);
        };
        if header[0] != VERSION {
            return Err(BadRecord("version is not 1"));
        }
        let kind = header[1];
        let content = usize::from(u16::from_be_bytes([header[4], header[5]]));
        let padding = usize::from(header[6]);
        let total = HEADER_LEN + content + padding;
        if input.len() < total {
            return Ok(None);
        }
        let range = HEADER_LEN..HEADER_LEN + content;
        let event = match kind {
            STDOUT => Event::Stdout(range),
            STDERR => Event::Stderr(range),
            END_REQUEST => {
                let body = &input[range];
                if body.len() < 5 {
                    return Err(BadRecord("FCGI_END_REQUEST too short"));
                }
                self.ended = true;
                Event::End {
                    app_status: u32::from_be_bytes([body[0], body[1], body[2], body[3]]),
                    protocol_status: body[4],
                }
            }
            _ => Event::Stdout(HEADER_LEN..HEADER_LEN),
        };
        Ok(Some((event, total)))
    }
}

/// A CGI response head (RFC 3875 §6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgiHead {
    /// `Status`, else 302 with a `Location`, else 200.
    pub status: u16,
    /// The fields to send, names lowercase, `Status` and framing fields left out.
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The CGI head at the front of `output` and its length; `Ok(None)` until the blank line
/// that ends it has arrived; an error past `head_bytes_max` or for a line that is no
/// field.
pub fn parse_cgi_head(
    output: &[u8],
    head_bytes_max: usize,
) -> Result<Option<(CgiHead, usize)>, &'static str> {
    let mut at = 0;
    let mut status = None;
    let mut location = false;
    let mut fields = Vec::new();
    loop {
        let Some(end) = output[at..].iter().position(|&b| b == b'\n') else {
            if output.len() > head_bytes_max {
                return Err("the CGI head is too long");
            }
            return Ok(None);
        };
        let line = &output[at..at + end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        at += end + 1;
        if at > head_bytes_max {
            return Err("the CGI head is too long");
        }
        if line.is_empty() {
            break;
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or("a CGI head line without a colon")?;
        let name = line[..colon].to_ascii_lowercase();
        let value = line[colon + 1..].trim_ascii().to_vec();
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_graphic()) {
            return Err("a CGI head field with an invalid name");
        }
        match name.as_slice() {
            b"status" => {
                let code = value.get(..3).and_then(|c| std::str::from_utf8(c).ok());
                status = Some(
                    code.and_then(|c| c.parse::<u16>().ok())
                        .filter(|s| (100..=999).contains(s))
                        .ok_or("a CGI Status that is not a status code")?,
                );
            }
            b"content-length" | b"transfer-encoding" | b"connection" | b"keep-alive" => {}
            _ => {
                location |= name == b"location";
                fields.push((name, value));
            }
        }
    }
    let status = status.unwrap_or(if location { 302 } else { 200 });
    Ok(Some((CgiHead { status, fields }, at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_records_padded_to_eight_bytes() {
        let mut out = Vec::new();
        let long = vec![b'v'; 200];
        encode_request(
            &mut out,
            &[
                (b"A".to_vec(), b"1".to_vec()),
                (b"LONG".to_vec(), long.clone()),
            ],
            b"body",
            false,
        );
        // BEGIN_REQUEST: header + 8, no flags.
        assert_eq!(&out[..8], &[1, BEGIN_REQUEST, 0, 1, 0, 8, 0, 0]);
        assert_eq!(&out[8..11], &[0, 1, 0]);
        // PARAMS: "A"=1 (1+1+1+1) and LONG (1+4+4+200) = 213 bytes, padded by 3.
        let params = &out[16..];
        assert_eq!(&params[..8], &[1, PARAMS, 0, 1, 0, 213, 3, 0]);
        assert_eq!(&params[8..12], &[1, 1, b'A', b'1']);
        assert_eq!(&params[12..17], &[4, 0x80, 0, 0, 200]);
        let rest = &params[8 + 213 + 3..];
        assert_eq!(&rest[..8], &[1, PARAMS, 0, 1, 0, 0, 0, 0]);
        assert_eq!(&rest[8..16], &[1, STDIN, 0, 1, 0, 4, 4, 0]);
        assert_eq!(&rest[16..20], b"body");
        assert_eq!(&rest[24..32], &[1, STDIN, 0, 1, 0, 0, 0, 0]);
        assert_eq!(rest.len(), 32);
        // With FCGI_KEEP_CONN.
        let mut kept = Vec::new();
        encode_request(&mut kept, &[], b"", true);
        assert_eq!(&kept[8..11], &[0, 1, FLAG_KEEP_CONN]);
        // The same request in parts, its body arriving in two runs.
        let mut parts = Vec::new();
        encode_request_head(&mut parts, &[(b"A".to_vec(), b"1".to_vec())], false);
        encode_stdin(&mut parts, b"bo");
        encode_stdin(&mut parts, b"");
        encode_stdin(&mut parts, b"dy");
        encode_stdin_end(&mut parts);
        let mut whole = Vec::new();
        encode_request(&mut whole, &[(b"A".to_vec(), b"1".to_vec())], b"", false);
        let head_len = whole.len() - 8;
        assert_eq!(&parts[..head_len], &whole[..head_len]);
        assert_eq!(
            &parts[head_len..head_len + 8],
            &[1, STDIN, 0, 1, 0, 2, 6, 0]
        );
        assert_eq!(&parts[head_len + 8..head_len + 10], b"bo");
        assert_eq!(
            &parts[head_len + 16..head_len + 24],
            &[1, STDIN, 0, 1, 0, 2, 6, 0]
        );
        assert_eq!(&parts[parts.len() - 8..], &[1, STDIN, 0, 1, 0, 0, 0, 0]);
        assert_eq!(parts.len(), head_len + 16 + 16 + 8);
    }

    #[test]
    fn records_decode_one_at_a_time() {
        let mut input = Vec::new();
        record(&mut input, STDOUT, b"Status: 404\r\n\r\nnope");
        record(&mut input, STDERR, b"PHP Warning");
        record(&mut input, END_REQUEST, &[0, 0, 0, 7, 0, 0, 0, 0]);
        let mut decoder = Decoder::new();
        let (event, used) = decoder.decode(&input).unwrap().unwrap();
        let Event::Stdout(range) = event else {
            panic!("{event:?}")
        };
        assert_eq!(&input[range], b"Status: 404\r\n\r\nnope");
        let rest = &input[used..];
        let (event, used2) = decoder.decode(rest).unwrap().unwrap();
        assert!(matches!(event, Event::Stderr(ref r) if &rest[r.clone()] == b"PHP Warning"));
        let (event, _) = decoder.decode(&rest[used2..]).unwrap().unwrap();
        assert_eq!(
            event,
            Event::End {
                app_status: 7,
                protocol_status: 0
            }
        );
        assert!(decoder.ended());
        // A partial record waits; a wrong version is an error.
        assert_eq!(Decoder::new().decode(&input[..10]), Ok(None));
        assert!(Decoder::new().decode(&[2, 6, 0, 1, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn cgi_heads() {
        let (head, len) = parse_cgi_head(
            b"Status: 404 Not Found\r\nX-A: b\r\nContent-Type: text/html\r\n\r\nbody",
            1024,
        )
        .unwrap()
        .unwrap();
        assert_eq!(head.status, 404);
        assert_eq!(head.fields.len(), 2);
        assert_eq!(len, 58);
        let (head, _) = parse_cgi_head(b"Location: /x\n\n", 1024).unwrap().unwrap();
        assert_eq!(
            (head.status, head.fields[0].0.as_slice()),
            (302, &b"location"[..])
        );
        let (head, _) = parse_cgi_head(b"Content-Length: 9\r\n\r\n", 1024)
            .unwrap()
            .unwrap();
        assert_eq!((head.status, head.fields.len()), (200, 0));
        assert_eq!(parse_cgi_head(b"X-A: b\r\n", 1024), Ok(None));
        assert!(parse_cgi_head(b"nonsense\r\n\r\n", 1024).is_err());
        assert!(parse_cgi_head(b"Status: abc\r\n\r\n", 1024).is_err());
        assert!(parse_cgi_head(&[b'x'; 2000], 1024).is_err());
    }
}
