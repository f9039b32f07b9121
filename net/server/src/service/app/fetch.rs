//! Loaders' `fetch`: the async driver of [`bext_net::client`] over the shard's runtime.
//!
//! One connection per request, closed after it; connect, write and the whole response share
//! one deadline. Everything that can go wrong comes back as a message for the page's
//! `fetch` promise to reject with; nothing here can fail the shard.

use std::time::Duration;

use bext_core::limits::{FETCH_READ_BYTES, FETCH_RESPONSE_BYTES_MAX, HEADER_BYTES_MAX};
use bext_net::client::{self, Progress, ResponseReader, Target};
use bext_shards::rt::{self, TcpStream};

pub(crate) async fn fetch(
    url: &str,
    method: &str,
    headers: &[(String, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<client::Response, String> {
    let target = Target::parse(url)?;
    let mut request = Vec::with_capacity(256 + body.len());
    client::encode_request(&target, method, headers, body, &mut request)?;
    let head_only = method.eq_ignore_ascii_case("HEAD");
    let exchange = async {
        let mut stream = TcpStream::connect(target.addr)
            .await
            .map_err(|e| format!("fetch {url}: connect: {e}"))?;
        let (written, _) = stream.write_all(request).await;
        written.map_err(|e| format!("fetch {url}: write: {e}"))?;
        let mut reader = ResponseReader::new(head_only, HEADER_BYTES_MAX, FETCH_RESPONSE_BYTES_MAX);
        let mut buf = Vec::with_capacity(FETCH_READ_BYTES);
        loop {
            buf.clear();
            let (read, back) = stream.read(buf).await;
            buf = back;
            let n = read.map_err(|e| format!("fetch {url}: read: {e}"))?;
            match reader.feed(&buf[..n], n == 0)? {
                Progress::Done(response) => return Ok(response),
                Progress::NeedMore if n == 0 => {
                    return Err(format!("fetch {url}: connection closed early"));
                }
                Progress::NeedMore => {}
            }
        }
    };
    match rt::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "fetch {url}: no complete response within {timeout:?}"
        )),
    }
}
