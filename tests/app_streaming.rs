//! Streamed pages end to end: a page rendered for one request whose Suspense boundaries wait
//! goes out as its shell (with the fallbacks) first, then each boundary as it completes, in
//! React's streaming format.
//!
//! What the page waits on is a `fetch` to an upstream this test holds (a bare TCP listener
//! that answers only when the test says so), so "the shell arrived before the content" is an
//! order the test makes, not a race against a timer.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use common::{Bext, DEADLINE, TempDir, connect, send};

/// An app whose `/live` page (`force-dynamic`) has two boundaries: one waiting on the
/// upstream's `/a`, one on `/b`.
fn app(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    dir.write(
        "app/layout.tsx",
        "export default function L({ children }: any) { return <html><body><header>top</header>{children}<footer>bottom</footer></body></html>; }\n",
    );
    dir.write(
        "app/live/page.tsx",
        r#"import { Suspense } from "react";
export const dynamic = "force-dynamic";
async function Upstream({ path }: { path: string }) {
  const r = await fetch(process.env.UPSTREAM + path);
  if (!r.ok) throw new Error("upstream said " + r.status);
  return <p>{await r.text()}</p>;
}
export default function Live() {
  return (
    <main>
      <h1>Live</h1>
      <Suspense fallback={<p>waiting for a</p>}><Upstream path="/a" /></Suspense>
      <Suspense fallback={<p>waiting for b</p>}><Upstream path="/b" /></Suspense>
    </main>
  );
}
"#,
    );
    dir
}

/// `bext serve` of the app on one shard, its pages fetching from `upstream`.
fn serve(dir: &TempDir, upstream: &str, extra: &[String]) -> Bext {
    let mut args = vec![
        "serve".into(),
        dir.path().display().to_string(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--shards".into(),
        "1".into(),
    ];
    args.extend_from_slice(extra);
    Bext::start_env(&args, &[("UPSTREAM", upstream)])
}

/// Accepts one request on `listener` and returns it with its first line.
fn accept(listener: &TcpListener) -> (TcpStream, String) {
    let (mut stream, _) = listener.accept().expect("the page's fetch");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("the fetch's request");
        assert!(n > 0, "the fetch closed early");
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    (stream, line)
}

fn answer(mut stream: TcpStream, status: u16, body: &str) {
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).expect("answer");
}

/// Reads the page's response until `needle` has arrived; returns everything read so far.
fn read_until(stream: &mut TcpStream, seen: &mut Vec<u8>, needle: &str) -> String {
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(seen).into_owned();
        if text.contains(needle) {
            return text;
        }
        let n = stream.read(&mut chunk).expect("the page");
        assert!(n > 0, "the page ended before {needle:?}: {text}");
        seen.extend_from_slice(&chunk[..n]);
    }
}

/// The page's request, on a fresh connection that is closed after it.
fn ask(bext: &Bext, path: &str) -> TcpStream {
    let mut page = connect(bext.addr);
    send(
        &mut page,
        format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes(),
    );
    page
}

/// The length of a chunked body's data.
fn dechunked_len(mut body: &[u8]) -> usize {
    let mut total = 0;
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk-size line");
        let size = usize::from_str_radix(
            std::str::from_utf8(&body[..line_end])
                .expect("ascii")
                .trim(),
            16,
        )
        .expect("a hex chunk size");
        if size == 0 {
            return total;
        }
        total += size;
        body = &body[line_end + 2 + size + 2..];
    }
}

#[test]
fn the_shell_comes_first_then_each_boundary_as_it_completes() {
    let upstream = TcpListener::bind("127.0.0.1:0").expect("upstream");
    let base = format!("http://{}", upstream.local_addr().expect("addr"));
    let dir = app("stream-order");
    let access_log = dir.path().join("access.log");
    let bext = serve(
        &dir,
        &base,
        &["--access-log".into(), access_log.display().to_string()],
    );
    // The page says `dynamic = "force-dynamic"`: its very first request streams.
    let mut page = ask(&bext, "/live");
    let (fetch_a, line_a) = accept(&upstream);
    let (fetch_b, line_b) = accept(&upstream);
    let (fetch_a, fetch_b) = if line_a.contains(" /a ") {
        (fetch_a, fetch_b)
    } else {
        assert!(line_b.contains(" /a "), "{line_a} / {line_b}");
        (fetch_b, fetch_a)
    };
    // Both fetches wait: the shell is out, with both fallbacks, chunked.
    let mut seen = Vec::new();
    let shell = read_until(&mut page, &mut seen, "<footer>bottom</footer>");
    assert!(
        shell
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{shell}"
    );
    assert!(
        shell.contains("<!--$?--><template id=\"B:0\"></template><p>waiting for a</p><!--/$-->"),
        "{shell}"
    );
    assert!(
        shell.contains("<template id=\"B:1\"></template><p>waiting for b</p>"),
        "{shell}"
    );
    assert!(
        !shell.contains("<p>first</p>") && !shell.contains("</html>"),
        "{shell}"
    );
    // b completes first: its content follows, with the script that swaps it in.
    answer(fetch_b, 200, "second");
    let text = read_until(&mut page, &mut seen, "$RC(\"B:1\",\"S:1\")");
    assert!(
        text.contains("<div hidden id=\"S:1\"><p>second</p></div>"),
        "{text}"
    );
    assert!(!text.contains("<p>first</p>"), "{text}");
    // Then a, then the document's end.
    answer(fetch_a, 200, "first");
    read_until(&mut page, &mut seen, "</html>");
    let mut rest = Vec::new();
    page.read_to_end(&mut rest).expect("the end");
    seen.extend(rest);
    let text = String::from_utf8_lossy(&seen);
    let a = text
        .find("<div hidden id=\"S:0\"><p>first</p></div>")
        .expect("a's content");
    let b = text.find("<div hidden id=\"S:1\">").expect("b's content");
    assert!(b < a, "in the order they completed: {text}");
    // `$RC` is defined once, with the first boundary sent.
    assert_eq!(text.matches("$RC=function").count(), 1, "{text}");
    let end = text.find("</body></html>").expect("the document's end");
    assert!(a < end, "the end comes last: {text}");
    // The access log has the streamed response's line once it has ended, with the bytes
    // the body carried (chunk framing aside), as for any other response.
    let head_end = text.find("\r\n\r\n").expect("a head") + 4;
    let body_bytes = dechunked_len(&seen[head_end..]);
    let line = common::eventually("the streamed response's log line", || {
        let log = std::fs::read_to_string(&access_log).ok()?;
        log.lines().next().map(str::to_owned)
    });
    assert!(
        line.contains(&format!("\"GET /live HTTP/1.1\" 200 {body_bytes} ")),
        "{line} (body {body_bytes} bytes)"
    );
}

#[test]
fn a_boundary_that_fails_after_the_shell_keeps_its_fallback_and_the_failure_is_logged() {
    let upstream = TcpListener::bind("127.0.0.1:0").expect("upstream");
    let base = format!("http://{}", upstream.local_addr().expect("addr"));
    let dir = app("stream-fail");
    let bext = serve(&dir, &base, &[]);
    let mut page = ask(&bext, "/live");
    let (first, line) = accept(&upstream);
    let (second, _) = accept(&upstream);
    let mut seen = Vec::new();
    let shell = read_until(&mut page, &mut seen, "<footer>bottom</footer>");
    assert!(shell.starts_with("HTTP/1.1 200"), "{shell}");
    // Both answers fail: the status is already out, the document still ends properly.
    answer(first, 503, "down");
    answer(second, 503, "down");
    read_until(&mut page, &mut seen, "</html>");
    let text = String::from_utf8_lossy(&seen);
    assert!(!text.contains("<div hidden id=\"S:"), "{text}");
    assert!(text.contains("waiting for a") && text.contains("waiting for b"));
    assert!(
        bext.wait_for_stderr("upstream said 503"),
        "logged: {} ({line})",
        bext.stderr()
    );
}
