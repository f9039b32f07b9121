//! `[site.fastcgi]`: scripts beneath the site root run by a FastCGI server (PHP-FPM).
//!
//! Which requests come here is decided on the decoded path (`Route::decide`), so a script
//! can never be served as a file, however its name is escaped:
//! - a path whose segment ends in a script extension runs that script (what follows is
//!   `PATH_INFO`);
//! - a directory's path runs the directory's `index` script when it has one, else the
//!   front controller, else goes to the files;
//! - any other path is a file; if there is none (404) and a `front_controller` is set, the
//!   front controller runs with the original path in `REQUEST_URI`
//!   (`try_files $uri $uri/ /index.php?$args`).
//!
//! The request's records go out at once: the parameters, and the body as it arrives when
//! the client declared its length (each write within `timeout_ms`; a chunked body is read
//! whole first, CGI wanting `CONTENT_LENGTH` before the input); the CGI head must come back
//! within `timeout_ms`, and the output then
//! streams as the server writes it, each read within `timeout_ms`. The script's error
//! output is logged. Refused or reset 502, a timeout 504, output that is no CGI response
//! 502, each logged and counted.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;

use bext_core::config::FastCgi;
use bext_core::fastcgi::{self as cgi, Script};
use bext_core::limits::{
    BODY_COLLECTED_BYTES_MAX, FASTCGI_ERROR_LOG_BYTES_MAX, PROXY_IDLE_MS_DEFAULT, PROXY_READ_BYTES,
    PROXY_RESPONSE_HEAD_BYTES_MAX,
};
use bext_core::static_files::resolve_path;
use bext_net::fastcgi::{self, CgiHead, Decoder, Event, parse_cgi_head};
use bext_net::fields::Field;
use bext_shards::rt;
use bext_shards::sys;

use super::incoming::IncomingBody;
use super::response::{Body, BodyStream};
use super::route::Route;
use super::{Request, Response, Service, State};
use crate::upstream::{ConnectError, PeerAddr, UpstreamConn};

/// What a FastCGI route runs for `request`: `None` when it is a file's path after all.
pub(super) fn script_for(state: &State, site: usize, request: &Request<'_>) -> Option<Script> {
    let snapshot = &state.snapshot;
    let site_index = site;
    let site = &snapshot.config.sites[site];
    let fastcgi = site.fastcgi.as_ref()?;
    let safe = resolve_path(request.path, site.dotfiles).ok()?;
    if let Some(script) = cgi::script(&safe.rel, &fastcgi.extensions) {
        return Some(script);
    }
    if !(safe.trailing_slash || safe.rel.is_empty()) {
        return None;
    }
    let index = if safe.rel.is_empty() {
        fastcgi.index.clone()
    } else {
        format!("{}/{}", safe.rel, fastcgi.index)
    };
    let root = snapshot.site_runtime[site_index].root.as_ref()?;
    if sys::open_beneath(root, &index).is_ok() {
        return Some(Script {
            name: format!("/{index}"),
            path_info: String::new(),
        });
    }
    front_controller(fastcgi)
}

/// The front controller as a script, if the site has one.
pub(super) fn front_controller(fastcgi: &FastCgi) -> Option<Script> {
    let path = fastcgi.front_controller.as_ref()?;
    Some(Script {
        name: path.clone(),
        path_info: String::new(),
    })
}

/// Runs `script` for `request` on the site's FastCGI server.
pub(super) async fn answer(
    service: &Service,
    route: &Route,
    request: &Request<'_>,
    script: &Script,
) -> Response {
    let snapshot = &route.state.snapshot;
    let site = &snapshot.config.sites[route.site];
    let (Some(fastcgi), Some(addr)) = (&site.fastcgi, &snapshot.site_runtime[route.site].fastcgi)
    else {
        return Response::error(500);
    };
    service.shard.metrics.borrow_mut().fastcgi_requests += 1;
    let mut headers: Vec<(&[u8], &[u8])> = Vec::new();
    request
        .fields
        .for_each(|name, value| headers.push((name, value)));
    let host = request.host.unwrap_or_default();
    let server_name = super::host_without_port(host);
    // A body of declared length streams to the application as it arrives; one without
    // (chunked) is collected first, since CGI needs CONTENT_LENGTH before the input.
    let mut incoming = request.take_incoming();
    let collected;
    let body: &[u8] = match (request.body, incoming.as_mut()) {
        (Some(body), _) => body,
        (None, Some(stream)) if stream.length().is_none() => {
            let whole_max = site.body_bytes_max.min(BODY_COLLECTED_BYTES_MAX);
            match super::incoming::collect(stream.as_mut(), whole_max).await {
                Ok(whole) => {
                    incoming = None;
                    collected = whole;
                    &collected
                }
                Err(fault) => {
                    let mut response = Response::error(fault.status);
                    response.close = true;
                    return response;
                }
            }
        }
        _ => &[],
    };
    let body_len = match incoming.as_ref().and_then(|stream| stream.length()) {
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => body.len(),
    };
    // The port the client asked for, else the scheme's; the address of the first listening
    // address of that kind (a request does not say which of them it came to).
    let port = host
        .get(server_name.len() + 1..)
        .and_then(|p| std::str::from_utf8(p).ok())
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(if route.secure { 443 } else { 80 });
    let server = &snapshot.config.server;
    let listening = if route.secure {
        server.listen_tls.first()
    } else {
        server.listen.first()
    };
    let local = std::net::SocketAddr::new(
        listening.map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |a| a.ip()),
        port,
    );
    let cgi_request = cgi::Request {
        method: request.method_bytes,
        target: request.target,
        query: request.query.unwrap_or_default(),
        protocol: request.version.as_str(),
        headers: &headers,
        body_len,
        remote_addr: &request.peer.ip().to_string(),
        remote_port: request.peer.port(),
        server_addr: &local.ip().to_string(),
        server_port: local.port(),
        server_name,
        https: route.secure,
    };
    let root = &snapshot.site_runtime[route.site].document_root;
    let params = cgi::params(&cgi_request, root, script);
    let mut out = Vec::with_capacity(1024 + body.len());
    let keep = fastcgi.keepalive_max > 0;
    if incoming.is_some() {
        fastcgi::encode_request_head(&mut out, &params, keep);
    } else {
        fastcgi::encode_request(&mut out, &params, body, keep);
    }
    let pool = keep.then(|| PoolSlot {
        state: route.state.clone(),
        site: route.site,
        max: fastcgi.keepalive_max,
    });
    // A streamed body cannot be sent twice.
    let idempotent = request.method.is_idempotent() && incoming.is_none();
    match run(
        service,
        fastcgi,
        addr,
        Records {
            head: out,
            stdin: incoming,
        },
        &script.name,
        pool,
        idempotent,
    )
    .await
    {
        Ok(response) => response,
        Err((status, why)) if why.is_empty() => {
            // The client's body failed: not the application's doing.
            let mut response = Response::error(status);
            response.close = true;
            response
        }
        Err((status, why)) => {
            service.shard.metrics.borrow_mut().fastcgi_errors += 1;
            eprintln!(
                "bext: fastcgi: {addr}: {} {} ({}): {why}",
                String::from_utf8_lossy(request.method_bytes),
                String::from_utf8_lossy(request.target).escape_debug(),
                script.name
            );
            Response::error(status)
        }
    }
}

/// Where a connection goes back once its request has ended.
struct PoolSlot {
    state: Rc<State>,
    site: usize,
    max: usize,
}

impl PoolSlot {
    fn put(&self, conn: UpstreamConn) {
        if let Some(kept) = self.state.fastcgi_idle.get(self.site) {
            kept.put(conn, self.max);
        }
    }

    fn take(&self) -> Option<UpstreamConn> {
        let idle_for = Duration::from_millis(PROXY_IDLE_MS_DEFAULT);
        self.state
            .fastcgi_idle
            .get(self.site)?
            .take(idle_for, false)
    }
}

/// Why a request failed: the status to answer, the reason, and whether any record had come
/// back (a kept connection that fails before one is tried again on a new one).
type Failed = (u16, String, bool);

/// A request's records: all of them, or (`stdin`) all but the body, which follows as it
/// arrives.
struct Records {
    head: Vec<u8>,
    stdin: Option<Box<dyn IncomingBody>>,
}

/// Sends the request's records and reads the response head; the rest of the output
/// follows as the body. With a `pool`, a kept connection is used if there is one (and one
/// the server closed meanwhile is replaced by a new one when the request may be sent again),
/// and the connection is kept again once the request ends cleanly.
async fn run(
    service: &Service,
    fastcgi: &FastCgi,
    addr: &PeerAddr,
    mut records: Records,
    script: &str,
    pool: Option<PoolSlot>,
    idempotent: bool,
) -> Result<Response, (u16, String)> {
    let timeout = Duration::from_millis(fastcgi.timeout_ms);
    let kept = pool.as_ref().and_then(PoolSlot::take);
    let reused = kept.is_some();
    let first = match kept {
        Some(stream) => Ok(stream),
        None => connect(service, fastcgi, addr).await,
    };
    let again = (reused && idempotent).then(|| records.head.clone());
    let mut outcome = match first {
        Ok(stream) => exchange(stream, &mut records, script, timeout).await,
        Err(failed) => Err(failed),
    };
    if let (Err((_, _, false)), Some(head)) = (&outcome, again) {
        records.head = head;
        outcome = match connect(service, fastcgi, addr).await {
            Ok(stream) => exchange(stream, &mut records, script, timeout).await,
            Err(failed) => Err(failed),
        };
    }
    let (head, len, mut reader, stream) = outcome.map_err(|(status, why, _)| (status, why))?;
    let mut response = Response::new(head.status);
    for (name, value) in &head.fields {
        if let Ok(field) = Field::new(name, value) {
            response.fields.push(field);
        }
    }
    reader.output.drain(..len);
    if reader.decoder.ended() {
        if let Some(pool) = &pool
            && reader.raw.is_empty()
        {
            pool.put(stream);
        }
        let output = std::mem::take(&mut reader.output);
        return Ok(response.with_body(Body::Bytes(Bytes::from(output))));
    }
    Ok(response.with_body(Body::Stream(Box::new(FastCgiBody {
        stream: Some(stream),
        reader,
        timeout,
        aborted: false,
        done: false,
        pool,
    }))))
}

async fn connect(
    service: &Service,
    fastcgi: &FastCgi,
    addr: &PeerAddr,
) -> Result<UpstreamConn, Failed> {
    let deadline = Duration::from_millis(fastcgi.connect_timeout_ms);
    match UpstreamConn::connect(addr, None, deadline).await {
        Ok(stream) => {
            service
                .shard
                .metrics
                .borrow_mut()
                .fastcgi_connections_opened += 1;
            Ok(stream)
        }
        Err(ConnectError::Failed(why)) => Err((502, format!("connect: {why}"), false)),
        Err(ConnectError::TimedOut) => Err((504, "connect: timed out".into(), false)),
    }
}

/// Writes `records` (a streamed body's as it arrives, each write within `timeout`) and then
/// reads until the CGI head, within `timeout`. A client body's failure is its status with
/// no reason.
async fn exchange(
    mut stream: UpstreamConn,
    records: &mut Records,
    script: &str,
    timeout: Duration,
) -> Result<(CgiHead, usize, Output, UpstreamConn), Failed> {
    let mut out = std::mem::take(&mut records.head);
    if let Some(stdin) = records.stdin.as_mut() {
        loop {
            // What is at hand goes in one write with what came before.
            let next = match stdin.try_next() {
                Some(next) => next,
                None => {
                    out = write(&mut stream, out, timeout).await?;
                    out.clear();
                    stdin.next().await
                }
            };
            match next {
                Some(Ok(piece)) => fastcgi::encode_stdin(&mut out, &piece),
                Some(Err(fault)) => return Err((fault.status, String::new(), false)),
                None => break,
            }
        }
        records.stdin = None;
        fastcgi::encode_stdin_end(&mut out);
    }
    write(&mut stream, out, timeout).await?;
    let head = async {
        let mut reader = Output::new(script);
        loop {
            let got = reader.read(&mut stream).await;
            got.map_err(|why| (502, why, reader.got > 0))?;
            match parse_cgi_head(&reader.output, PROXY_RESPONSE_HEAD_BYTES_MAX) {
                Ok(Some((head, len))) => return Ok((head, len, reader)),
                Ok(None) if reader.decoder.ended() => {
                    return Err((502, "the output ended before a CGI head".to_owned(), true));
                }
                Ok(None) => {}
                Err(why) => return Err((502, why.to_owned(), true)),
            }
        }
    };
    match rt::timeout(timeout, head).await {
        Ok(Ok((head, len, reader))) => Ok((head, len, reader, stream)),
        Ok(Err(failed)) => Err(failed),
        Err(_) => Err((504, "no CGI head in time".into(), true)),
    }
}

/// Writes `out` within `timeout`; the buffer back.
async fn write(
    stream: &mut UpstreamConn,
    out: Vec<u8>,
    timeout: Duration,
) -> Result<Vec<u8>, Failed> {
    match rt::timeout(timeout, stream.write_all(out)).await {
        Ok((Ok(()), back)) => Ok(back),
        Ok((Err(e), _)) => Err((502, format!("write: {e}"), false)),
        Err(_) => Err((504, "write: timed out".into(), false)),
    }
}

/// The application's records as they come: output collected, errors logged.
struct Output {
    decoder: Decoder,
    /// Records read, not yet decoded.
    raw: Vec<u8>,
    /// Output decoded and not yet passed on.
    output: Vec<u8>,
    script: String,
    /// Error output logged so far, bounded.
    logged: usize,
    /// Bytes read so far.
    got: usize,
}

impl Output {
    fn new(script: &str) -> Output {
        Output {
            decoder: Decoder::new(),
            raw: Vec::new(),
            output: Vec::new(),
            script: script.to_owned(),
            logged: 0,
            got: 0,
        }
    }

    /// Reads once and decodes every whole record; `Err` on a read error, an early end or
    /// a bad record.
    async fn read(&mut self, stream: &mut UpstreamConn) -> Result<(), String> {
        if self.decoder.ended() {
            return Ok(());
        }
        let mut buf = std::mem::take(&mut self.raw);
        buf.reserve(PROXY_READ_BYTES);
        let (read, back) = stream.read(buf).await;
        self.raw = back;
        let n = read.map_err(|e| format!("read: {e}"))?;
        self.got += n;
        let mut at = 0;
        while let Some((event, used)) = self
            .decoder
            .decode(&self.raw[at..])
            .map_err(|e| e.to_string())?
        {
            let record = &self.raw[at..at + used];
            match event {
                Event::Stdout(range) => self.output.extend_from_slice(&record[range]),
                Event::Stderr(range) => {
                    let text = record[range].to_vec();
                    self.log(&text);
                }
                Event::End { .. } => {}
            }
            at += used;
            if self.decoder.ended() {
                break;
            }
        }
        self.raw.drain(..at);
        if n == 0 && !self.decoder.ended() {
            return Err("the connection closed before the end of the request".into());
        }
        Ok(())
    }

    fn log(&mut self, text: &[u8]) {
        if self.logged >= FASTCGI_ERROR_LOG_BYTES_MAX {
            return;
        }
        let room = FASTCGI_ERROR_LOG_BYTES_MAX - self.logged;
        let text = &text[..text.len().min(room)];
        self.logged += text.len();
        for line in String::from_utf8_lossy(text)
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            eprintln!("bext: fastcgi: {}: {}", self.script, line.escape_debug());
        }
    }
}

/// The output after the CGI head, as the application writes it.
struct FastCgiBody {
    stream: Option<UpstreamConn>,
    reader: Output,
    timeout: Duration,
    aborted: bool,
    done: bool,
    /// Where the connection goes once the request ends cleanly, when it is kept.
    pool: Option<PoolSlot>,
}

impl FastCgiBody {
    async fn next_piece(&mut self) -> Option<Bytes> {
        loop {
            if !self.reader.output.is_empty() {
                return Some(Bytes::from(std::mem::take(&mut self.reader.output)));
            }
            if self.done || self.reader.decoder.ended() {
                if !self.done
                    && self.reader.raw.is_empty()
                    && let (Some(pool), Some(stream)) = (&self.pool, self.stream.take())
                {
                    pool.put(stream);
                }
                self.done = true;
                self.stream = None;
                return None;
            }
            let Some(stream) = self.stream.as_mut() else {
                self.done = true;
                return None;
            };
            match rt::timeout(self.timeout, self.reader.read(stream)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => {
                    self.aborted = true;
                    self.done = true;
                    return None;
                }
            }
        }
    }
}

impl BodyStream for FastCgiBody {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<Bytes>> + '_>> {
        Box::pin(self.next_piece())
    }

    fn aborted(&self) -> bool {
        self.aborted
    }
}
