//! App sites end to end: `bext serve APP` renders TSX pages in the shard's engine, through the
//! real binary on loopback, with a real HTTP client.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::{Bext, TempDir, eventually, request, run_bext};

/// A small app covering the conventions: root layout with metadata, nested layout, static,
/// dynamic and catch-all routes, a loader, not-found and error pages, a handler, public files.
fn app(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    dir.write(
        "app/layout.tsx",
        r#"export default function Root({ children }: { children: any }) {
  return <html lang="en"><head><meta charSet="utf-8" /></head><body><nav>nav</nav>{children}</body></html>;
}
"#,
    );
    dir.write(
        "app/page.tsx",
        r#"import { Card } from "@/components/card";
export const metadata = { title: "Home", description: "The home page" };
export default function Home() {
  return <main><Card title="Hello & welcome">It's <b>bext</b></Card></main>;
}
"#,
    );
    dir.write(
        "components/card.tsx",
        r#"type Props = { title: string; children?: any };
export function Card({ title, children }: Props) {
  return <section className="card"><h2>{title}</h2>{children}</section>;
}
"#,
    );
    dir.write(
        "app/p/[id]/page.tsx",
        r#"export async function loader({ params }: any) {
  return { doubled: Number(params.id) * 2 };
}
export default function P({ params, data }: any) {
  return <p>id {params.id} doubled {data.doubled}</p>;
}
"#,
    );
    dir.write(
        "app/docs/[...slug]/page.tsx",
        r#"export default function Docs({ params }: any) {
  return <ul>{params.slug.map((s: string) => <li>{s}</li>)}</ul>;
}
"#,
    );
    dir.write(
        "app/not-found.tsx",
        "export default function NotFound() { return <h1>nothing here</h1>; }\n",
    );
    dir.write(
        "app/error.tsx",
        "export default function Oops({ error }: any) { return <h1>oops</h1>; }\n",
    );
    dir.write(
        "app/boom/page.tsx",
        r#"export async function loader() { throw new Error("loader exploded"); }
export default function Boom() { return <p>never</p>; }
"#,
    );
    dir.write(
        "app/spin/page.tsx",
        "export const dynamic = \"force-dynamic\";\nexport default function Spin() { for (;;) {} }\n",
    );
    dir.write(
        "app/hog/page.tsx",
        r#"export const dynamic = "force-dynamic";
export default function Hog() { const a: string[] = []; for (;;) { a.push("x".repeat(1024) + a.length); } }
"#,
    );
    dir.write(
        "app/api/echo/route.ts",
        r#"export async function POST(request: Request) {
  const body = await request.json();
  return Response.json({ got: body.n + 1 });
}
export function GET() { return new Response("echo", { headers: { "content-type": "text/plain" } }); }
"#,
    );
    dir.write(
        "app/only/[id]/page.tsx",
        r#"export const dynamicParams = false;
export async function generateStaticParams() { return [{ id: "1" }, { id: "2" }]; }
export default function Only({ params }: any) { return <p>only {params.id}</p>; }
"#,
    );
    dir.write(
        "app/scripts/page.tsx",
        r#"import Script from "next/script";
export default function S() {
  return <main><Script src="/a.js" /><Script src="/b.js" strategy="lazyOnload" /><Script src="/c.js" strategy="beforeInteractive" /><Script id="i">{`window.x = 1 < 2;`}</Script><Script src="/w.js" strategy="worker" /></main>;
}
"#,
    );
    dir.write("public/robots.txt", "User-agent: *\n");
    dir.write("public/p/file.txt", "a public file under a dynamic route\n");
    dir
}

fn serve(dir: &TempDir, extra: &[&str]) -> Bext {
    Bext::serve_dir(dir.path(), extra)
}

#[test]
fn pages_render_inside_their_layouts_with_metadata() {
    let dir = app("app-basic");
    let bext = serve(&dir, &[]);
    let r = bext.get("/");
    assert_eq!(r.status, 200, "{}", r.summary());
    // The start-up lines name the engine the app renders with.
    let stderr = bext.stderr();
    assert!(
        ["jsc", "quickjs", "v8"]
            .iter()
            .any(|engine| stderr.contains(&format!(", rendering with {engine}\n"))),
        "{stderr}"
    );
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let html = r.text();
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"en\"><head><meta charSet=\"utf-8\"/>"),
        "{html}"
    );
    assert!(html.contains("<title>Home</title>"), "{html}");
    assert!(
        html.contains("<meta name=\"description\" content=\"The home page\"/>"),
        "{html}"
    );
    assert!(
        html.contains("<body><nav>nav</nav><main><section class=\"card\"><h2>Hello &amp; welcome</h2>It&#x27;s <b>bext</b></section></main></body></html>"),
        "{html}"
    );
}

#[test]
fn dynamic_and_catch_all_routes_get_their_params_and_loader_data() {
    let dir = app("app-routes");
    let bext = serve(&dir, &[]);
    let r = bext.get("/p/21");
    assert_eq!(r.status, 200, "{}", r.summary());
    assert!(r.text().contains("<p>id 21 doubled 42</p>"), "{}", r.text());
    let r = bext.get("/docs/a/b%20c");
    assert!(
        r.text().contains("<ul><li>a</li><li>b c</li></ul>"),
        "{}",
        r.text()
    );
    // A public file wins over the dynamic route that would also match it.
    let r = bext.get("/p/file.txt");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "a public file under a dynamic route\n");
    assert_eq!(bext.get("/robots.txt").text(), "User-agent: *\n");
}

#[test]
fn unknown_paths_get_the_not_found_page_with_404() {
    let dir = app("app-404");
    let bext = serve(&dir, &[]);
    let r = bext.get("/no/such/page");
    assert_eq!(r.status, 404, "{}", r.summary());
    assert!(r.text().contains("<h1>nothing here</h1>"), "{}", r.text());
    assert!(
        r.text().contains("<nav>nav</nav>"),
        "the root layout wraps it: {}",
        r.text()
    );
}

/// `dynamicParams = false`: params generateStaticParams does not list are a 404 that is never
/// cached, and such a 404 does not stop the route's listed pages from being cached.
#[test]
fn unlisted_params_are_an_uncached_404_and_listed_ones_stay_cached() {
    let dir = app("app-static-params");
    let bext = serve(&dir, &[]);
    for _ in 0..2 {
        let missing = bext.get("/only/9");
        assert_eq!(missing.status, 404, "{}", missing.summary());
        assert!(
            missing.text().contains("nothing here"),
            "{}",
            missing.text()
        );
        assert_eq!(
            missing.header("cache-control"),
            Some("private, no-cache, no-store, max-age=0, must-revalidate")
        );
    }
    let first = bext.get("/only/1");
    assert_eq!(first.status, 200);
    assert!(first.text().contains("only 1"), "{}", first.text());
    let second = bext.get("/only/1");
    assert_eq!(second.header("x-bext-cache"), Some("hit"));
}

/// `next/script` writes scripts the browser runs by itself (bext has no browser runtime yet):
/// async, deferred for `lazyOnload`, as they are for `beforeInteractive`, inline ones unescaped.
#[test]
fn next_script_writes_script_elements() {
    let dir = app("app-scripts");
    let bext = serve(&dir, &[]);
    let page = bext.get("/scripts");
    assert_eq!(page.status, 200, "{}", page.summary());
    let html = page.text();
    for want in [
        r#"<script src="/a.js" async="">"#,
        r#"<script src="/b.js" async="" defer="">"#,
        r#"<script src="/c.js">"#,
        r#"<script id="i">window.x = 1 < 2;</script>"#,
    ] {
        assert!(html.contains(want), "{want} in {html}");
    }
    assert!(
        !html.contains("/w.js"),
        "worker scripts are left out: {html}"
    );
}

#[test]
fn pages_are_cached_and_served_as_hits() {
    let dir = app("app-isr");
    let bext = serve(&dir, &[]);
    let first = bext.get("/p/3");
    assert_eq!(first.header("x-bext-cache"), Some("miss"));
    let second = bext.get("/p/3");
    assert_eq!(second.header("x-bext-cache"), Some("hit"));
    assert_eq!(first.body, second.body);
    let head = request(bext.addr, "HEAD /p/3 HTTP/1.1\r\nhost: x\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(first.body.len().to_string().as_str())
    );
}

#[test]
fn a_failing_render_is_one_500_through_error_tsx_and_the_next_request_is_served() {
    let dir = app("app-fail");
    let bext = serve(&dir, &["--access-log", "off"]);
    for path in ["/boom", "/spin", "/hog"] {
        let r = bext.get(path);
        assert_eq!(r.status, 500, "{path}: {}", r.summary());
        assert!(r.text().contains("<h1>oops</h1>"), "{path}: {}", r.text());
        assert!(
            !r.text().contains("exploded"),
            "no error details leak: {}",
            r.text()
        );
        let ok = bext.get("/p/5");
        assert_eq!(ok.status, 200, "after {path}: {}", ok.summary());
        assert!(ok.text().contains("doubled 10"));
    }
    // Each failure is logged with its route.
    assert!(bext.wait_for_stderr("/boom"), "{}", bext.stderr());
    assert!(bext.wait_for_stderr("loader exploded"), "{}", bext.stderr());
    assert!(bext.wait_for_stderr("/spin"), "{}", bext.stderr());
    assert!(bext.wait_for_stderr("/hog"), "{}", bext.stderr());
}

#[test]
fn route_handlers_take_fetch_requests_and_return_responses() {
    let dir = app("app-handler");
    let bext = serve(&dir, &[]);
    let body = "{\"n\":41}";
    let r = request(
        bext.addr,
        &format!(
            "POST /api/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(r.status, 200, "{}", r.summary());
    assert_eq!(r.text(), "{\"got\":42}");
    // A chunked body that arrives in pieces.
    let mut stream = common::connect(bext.addr);
    common::send(
        &mut stream,
        b"POST /api/echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{\"n\"",
    );
    std::thread::sleep(Duration::from_millis(50));
    common::send(&mut stream, b"\r\n3\r\n:1}\r\n0\r\n\r\n");
    let r = common::read_response(&mut stream, false).expect("a response");
    assert_eq!(r.text(), "{\"got\":2}");
    let r = bext.get("/api/echo");
    assert_eq!((r.status, r.text().as_str()), (200, "echo"));
    let r = request(bext.addr, "DELETE /api/echo HTTP/1.1\r\nhost: x\r\n\r\n");
    assert_eq!(r.status, 405, "{}", r.summary());
}

#[test]
fn loaders_fetch_through_bext_s_client() {
    // A one-shot upstream on loopback.
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = upstream.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in upstream.incoming().take(2) {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let asked = String::from_utf8_lossy(&buf[..n]).into_owned();
            let body = if asked.starts_with("GET /price ") {
                "{\"price\":7}"
            } else {
                "{}"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let dir = app("app-fetch");
    dir.write(
        "app/shop/page.tsx",
        format!(
            r#"export async function loader() {{
  const r = await fetch("http://127.0.0.1:{port}/price");
  return await r.json();
}}
export default function Shop({{ data }}: any) {{ return <p>price {{data.price}}</p>; }}
"#
        ),
    );
    dir.write(
        "app/down/page.tsx",
        r#"export async function loader() {
  const r = await fetch("http://127.0.0.1:1/nothing");
  return await r.json();
}
export default function Down() { return <p>never</p>; }
"#,
    );
    let bext = serve(&dir, &[]);
    let r = bext.get("/shop");
    assert_eq!(r.status, 200, "{}", r.summary());
    assert!(r.text().contains("<p>price 7</p>"), "{}", r.text());
    // A refused connection rejects the page's fetch: its error page, not a hang.
    let r = bext.get("/down");
    assert_eq!(r.status, 500, "{}", r.summary());
}

#[test]
fn stale_pages_are_served_while_one_render_refreshes_them() {
    let dir = app("app-swr");
    dir.write(
        "app/clock/page.tsx",
        r#"export const revalidate = 1;
let renders = 0;
export default function Clock() { renders += 1; return <p>render {renders}</p>; }
"#,
    );
    let bext = serve(&dir, &[]);
    let first = bext.get("/clock");
    assert!(first.text().contains("render 1"), "{}", first.text());
    // Hits until the second has passed (how many depends on the machine's speed), then the
    // cached page, served stale: the request that finds it so does not wait for a render.
    let stale = eventually(
        "the cached page goes stale after its revalidate window",
        || {
            let r = bext.get("/clock");
            match r.header("x-bext-cache") {
                Some("hit") => None,
                _ => Some(r),
            }
        },
    );
    assert_eq!(
        stale.header("x-bext-cache"),
        Some("stale"),
        "{}",
        stale.summary()
    );
    assert!(stale.text().contains("render 1"), "{}", stale.text());
    // Render 2 is served from the cache (a hit, or stale again if another second passed before
    // it was asked for; only a request for it can start render 3).
    let fresh = eventually("the page is re-rendered in the background", || {
        let r = bext.get("/clock");
        (!r.text().contains("render 1")).then_some(r)
    });
    assert!(fresh.text().contains("render 2"), "{}", fresh.summary());
    assert!(
        matches!(fresh.header("x-bext-cache"), Some("hit" | "stale")),
        "{}",
        fresh.summary()
    );
}

#[test]
fn invalidation_by_tag_and_path_needs_the_token() {
    let dir = app("app-invalidate");
    dir.write(
        "app/tagged/page.tsx",
        r#"export const tags = ["posts"];
let renders = 0;
export default function Tagged() { renders += 1; return <p>render {renders}</p>; }
"#,
    );
    dir.write(
        "bext.config.toml",
        "[render]\ninvalidate_token = \"0123456789abcdef0123\"\n\n[[site]]\napp = \".\"\n",
    );
    let bext = Bext::serve_config(&dir.path().join("bext.config.toml"), &["--shards", "2"]);
    assert!(bext.get("/tagged").text().contains("render 1"));
    // Each connection lands on the shard of the CPU the test thread runs on, which a busy
    // machine changes: the first request on the other shard is a miss answered with the
    // owner's page, which that shard keeps. So one of the next two requests is a hit.
    let next: Vec<_> = (0..2).map(|_| bext.get("/tagged")).collect();
    let summaries: Vec<_> = next.iter().map(|r| r.summary()).collect();
    assert!(
        next.iter().all(|r| r.text().contains("render 1")),
        "{summaries:?}"
    );
    assert!(
        next.iter().any(|r| r.header("x-bext-cache") == Some("hit")),
        "{summaries:?}"
    );
    let post = |auth: &str, body: &str| {
        request(
            bext.addr,
            &format!(
                "POST /__bext/cache/invalidate HTTP/1.1\r\nhost: x\r\n{auth}content-length: {}\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    assert_eq!(post("", "{\"tag\":\"posts\"}").status, 401);
    assert_eq!(
        post(
            "authorization: Bearer wrong-token-wrong\r\n",
            "{\"tag\":\"posts\"}"
        )
        .status,
        401
    );
    let auth = "authorization: Bearer 0123456789abcdef0123\r\n";
    assert_eq!(post(auth, "{\"nope\":1}").status, 400);
    let r = post(auth, "{\"tag\":\"posts\"}");
    assert_eq!(r.status, 200, "{}", r.summary());
    eventually("the tagged page is re-rendered after invalidation", || {
        bext.get("/tagged")
            .text()
            .contains("render 2")
            .then_some(())
    });
    let r = post(auth, "{\"path\":\"/tagged\"}");
    assert_eq!(r.status, 200, "{}", r.summary());
    eventually("the page is re-rendered after a path invalidation", || {
        bext.get("/tagged")
            .text()
            .contains("render 3")
            .then_some(())
    });
}

#[test]
fn a_page_is_rendered_once_across_shards() {
    let dir = app("app-once");
    let bext = serve(&dir, &["--shards", "2"]);
    // The app's generateStaticParams pages (`/only/1`, `/only/2`) render at start: count from
    // there.
    let before = renders(&scrape_when(&bext, "bext_prerendered_pages_total 2\n"));
    // Many connections (spread over both shards by the kernel), one page.
    for _ in 0..40 {
        let r = bext.get("/p/9");
        assert_eq!(r.status, 200);
    }
    let metrics = scrape_when(&bext, "");
    assert_eq!(renders(&metrics), before + 1, "{metrics}");
}

/// `generateStaticParams`'s pages are rendered when the server starts, each once server-wide
/// (by the shard that owns it), so no request for one renders it; a shard that does not own
/// a page gets it from the owner.
#[test]
fn generate_static_params_pages_are_rendered_at_start() {
    let dir = app("app-prerender");
    dir.write(
        "app/posts/[slug]/page.tsx",
        r#"export async function generateStaticParams() {
  await null;
  return [{ slug: "a" }, { slug: "b c" }, { slug: "é" }];
}
export default async function Post({ params }: any) {
  const { slug } = await params;
  return <p>post {slug}</p>;
}
"#,
    );
    let bext = serve(&dir, &["--shards", "2"]);
    // Three posts and the two pages of `/only/[id]`.
    let before = renders(&scrape_when(&bext, "bext_prerendered_pages_total 5\n"));
    for _ in 0..10 {
        for (path, text) in [
            ("/posts/a", "post a"),
            ("/posts/b%20c", "post b c"),
            ("/posts/%C3%A9", "post é"),
            ("/only/2", "only 2"),
        ] {
            let r = bext.get(path);
            assert_eq!(r.status, 200, "{}", r.summary());
            assert!(r.text().contains(text), "{path}: {}", r.text());
        }
    }
    let metrics = scrape_when(&bext, "");
    assert_eq!(renders(&metrics), before, "no request rendered: {metrics}");
}

/// Regression: pre-rendering rendered page after page on the shard's thread, and the shard
/// answered nothing until the whole list was done; it now pauses between short slices.
#[test]
fn requests_are_answered_while_pages_pre_render() {
    const PAGES: u64 = 3000;
    let dir = app("app-prerender-long");
    dir.write(
        "app/many/[n]/page.tsx",
        format!(
            r#"export function generateStaticParams() {{
  return Array.from({{ length: {PAGES} }}, (_, n) => ({{ n: String(n) }}));
}}
export default async function Many({{ params }}: any) {{
  const {{ n }} = await params;
  return <ul>{{Array.from({{ length: 20 }}, (_, i) => <li key={{i}}>page {{n}} item {{i}}</li>)}}</ul>;
}}
"#
        ),
    );
    let bext = serve(&dir, &[]);
    let prerendered = |metrics: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("bext_prerendered_pages_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no bext_prerendered_pages_total in {metrics}"))
    };
    // These pages and the fixture's `/only/1` and `/only/2`.
    let total = PAGES + 2;
    let first = bext.get("/__bext/metrics").text();
    assert!(
        prerendered(&first) < total,
        "answered only once all {total} pages were rendered"
    );
    eventually("every page pre-rendered", || {
        (prerendered(&bext.get("/__bext/metrics").text()) == total).then_some(())
    });
    let page = bext.get("/many/2999");
    assert_eq!(
        page.header("x-bext-cache"),
        Some("hit"),
        "{}",
        page.summary()
    );
}

/// A metrics scrape answered by both shards and containing `needle`.
fn scrape_when(bext: &Bext, needle: &str) -> String {
    // A scrape sums every shard that answers it within the server's mesh timeout; a shard
    // slowed by a busy machine can miss it, so scrape until both do.
    eventually("a scrape that every shard answers", || {
        let text = bext.get("/__bext/metrics").text();
        (text.contains("bext_shards{state=\"reporting\"} 2\n") && text.contains(needle))
            .then_some(text)
    })
}

fn renders(metrics: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("bext_renders_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no bext_renders_total in {metrics}"))
}

/// `bext serve DIR`, which must refuse to start: what it said.
fn serve_refused(dir: &TempDir) -> String {
    let (status, _, stderr) = run_bext(&[
        "serve",
        dir.path().to_str().expect("a UTF-8 path"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!status.success(), "it started: {stderr}");
    stderr
}

#[test]
fn a_syntax_error_refuses_to_start_with_file_line_column_and_a_frame() {
    let dir = app("app-syntax");
    dir.write(
        "app/broken/page.tsx",
        "export default function Broken() {\n  return <p>unclosed;\n}\n",
    );
    let stderr = serve_refused(&dir);
    assert!(stderr.contains("app/broken/page.tsx:"), "{stderr}");
    assert!(stderr.contains("|"), "a code frame: {stderr}");
}

#[test]
fn dev_mode_shows_an_overlay_serves_the_rest_and_reloads_on_change() {
    let dir = app("app-dev");
    dir.write(
        "app/broken/page.tsx",
        "export default function Broken() {\n  return <p>unclosed;\n}\n",
    );
    let bext = Bext::dev(dir.path());
    let broken = bext.get("/broken");
    assert_eq!(broken.status, 500);
    assert!(
        broken.text().contains("bext-dev-overlay"),
        "{}",
        broken.text()
    );
    assert!(
        broken.text().contains("app/broken/page.tsx:"),
        "{}",
        broken.text()
    );
    let home = bext.get("/");
    assert_eq!(home.status, 200, "{}", home.summary());
    assert!(
        home.text().contains("/__bext/dev/events"),
        "the reload script: {}",
        home.text()
    );
    // A reload stream, then a fix: it says reload, and the page renders.
    let mut events = common::connect(bext.addr);
    common::send(
        &mut events,
        b"GET /__bext/dev/events HTTP/1.1\r\nhost: x\r\n\r\n",
    );
    // The stream waits for apps newer than the one loaded when it was answered: the fix is
    // made once its head has arrived, so the reload it causes cannot come before.
    let mut streamed = Vec::new();
    let mut chunk = [0u8; 4096];
    while !streamed.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = events.read(&mut chunk).expect("the event stream's head");
        assert!(n > 0, "the event stream closed before its head");
        streamed.extend_from_slice(&chunk[..n]);
    }
    dir.write(
        "app/broken/page.tsx",
        "export default function Fixed() {\n  return <p>fixed</p>;\n}\n",
    );
    streamed.extend(common::read_until_close(&mut events));
    let text = String::from_utf8_lossy(&streamed).into_owned();
    assert!(text.contains("text/event-stream"), "{text}");
    assert!(text.contains("event: reload"), "{text}");
    let fixed = eventually("the fixed page renders", || {
        let r = bext.get("/broken");
        (r.status == 200).then_some(r)
    });
    assert!(fixed.text().contains("<p>fixed</p>"), "{}", fixed.text());
}

/// A client component whose browser build fails (it imports `next/headers`, which the browser
/// does not have): `bext serve` refuses to start, naming the place; `bext dev` starts, shows
/// the failure as the overlay on every page, and serves the hydrating page once it is fixed.
#[test]
fn a_client_build_failure_refuses_serve_and_is_the_dev_overlay_until_fixed() {
    let dir = TempDir::new("app-client-failure");
    let modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("render/prism/tests/conformance/node/node_modules");
    std::os::unix::fs::symlink(&modules, dir.path().join("node_modules")).expect("symlink");
    dir.write(
        "app/layout.tsx",
        "export default function L({ children }: any) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        "import Counter from \"./counter\";\nexport default function P() { return <main><Counter /></main>; }\n",
    );
    let broken = "\"use client\";\nimport { cookies } from \"next/headers\";\nexport default function Counter() { return <b>{typeof cookies}</b>; }\n";
    dir.write("app/counter.tsx", broken);
    let stderr = serve_refused(&dir);
    assert!(
        stderr.contains("app/counter.tsx:2:")
            && stderr.contains("not available to client components"),
        "{stderr}"
    );
    let bext = Bext::dev(dir.path());
    let page = bext.get("/");
    assert_eq!(page.status, 500, "{}", page.summary());
    let text = page.text();
    assert!(text.contains("bext-dev-overlay"), "{text}");
    assert!(
        text.contains("app/counter.tsx:2:") && text.contains("not available to client components"),
        "{text}"
    );
    assert!(
        text.contains("/__bext/dev/events"),
        "it reloads after the fix: {text}"
    );
    dir.write(
        "app/counter.tsx",
        "\"use client\";\nexport default function Counter() { return <b>fixed</b>; }\n",
    );
    let fixed = eventually("the fixed page renders", || {
        let r = bext.get("/");
        (r.status == 200).then_some(r)
    });
    assert!(fixed.text().contains("<b>fixed</b>"), "{}", fixed.text());
    assert!(
        fixed.text().contains("__BEXT_DATA__"),
        "it hydrates: {}",
        fixed.text()
    );
}

/// React semantics through the whole app path: a provider in the root layout reaches the
/// page's components, async components below the page (one waiting on `setTimeout`) and
/// `use(promise)` are waited for, and `react-dom` resolves.
#[test]
fn layout_providers_reach_the_page_and_async_components_are_awaited() {
    let dir = TempDir::new("app-react");
    dir.write(
        "components/theme.tsx",
        r#"import { createContext, useContext } from "react";
const Theme = createContext("light");
export function ThemeProvider({ children }: { children?: any }) {
  return <Theme value="dark">{children}</Theme>;
}
export function Themed({ label }: { label: string }) {
  return <span className={`t-${useContext(Theme)}`}>{label}</span>;
}
"#,
    );
    dir.write(
        "app/layout.tsx",
        r#"import { ThemeProvider } from "@/components/theme";
export default function Root({ children }: { children: any }) {
  return <html><body><ThemeProvider><div id="root">{children}</div></ThemeProvider></body></html>;
}
"#,
    );
    dir.write(
        "app/page.tsx",
        r#"import { use } from "react";
import { useFormStatus } from "react-dom";
import { Themed } from "@/components/theme";
async function Price({ cents }: { cents: number }) {
  await new Promise((resolve) => setTimeout(resolve, 40));
  const value = await Promise.resolve(cents / 100);
  return <b>{value.toFixed(2)}</b>;
}
function Quote({ text }: { text: Promise<string> }) {
  return <q>{use(text)}</q>;
}
export default function Home() {
  return <main><Themed label="page" /><Price cents={1234} /><Quote text={Promise.resolve("later")} /><i>{String(useFormStatus().pending)}</i></main>;
}
"#,
    );
    let bext = serve(&dir, &[]);
    let started = std::time::Instant::now();
    let r = bext.get("/");
    // The async component waited for its 40 ms timer on the shard's executor.
    assert!(started.elapsed() >= Duration::from_millis(40));
    assert_eq!(r.status, 200, "{}", r.summary());
    let html = r.text();
    assert!(
        html.contains("<div id=\"root\"><main><span class=\"t-dark\">page</span><b>12.34</b><q>later</q><i>false</i></main></div>"),
        "{html}"
    );
}

/// Timers live as in Node: a module's `setInterval` runs with no request in flight, and a
/// render that leaves a long timer behind (a cache entry's expiry) is answered at once.
#[test]
fn a_module_s_interval_runs_between_requests_and_a_left_behind_timer_does_not_hold_the_page() {
    let dir = TempDir::new("app-timers");
    dir.write(
        "app/layout.tsx",
        "export default function Root({ children }: { children: any }) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        r#"export const dynamic = "force-dynamic";
let ticks = 0;
setInterval(() => { ticks++; }, 20);
const expiries = new Map<string, number>();
export default function Home() {
  const key = "k" + expiries.size;
  expiries.set(key, 1);
  setTimeout(() => expiries.delete(key), 600000);
  return <p>ticks {ticks}</p>;
}
"#,
    );
    let bext = serve(&dir, &[]);
    let ticked = eventually("the module's interval ticks between requests", || {
        let r = bext.get("/");
        assert_eq!(r.status, 200, "{}", r.summary());
        let ticks: u64 = r
            .text()
            .split("<p>ticks ")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        (ticks >= 5).then_some(ticks)
    });
    assert!(ticked >= 5);
}

/// An App Router page written for Next.js: `next/link`, `next/navigation` and `next/headers`
/// resolve to bext's runtime (no `next` package installed), with Next's server behaviour.
#[test]
fn next_link_navigation_and_headers_modules_work_without_next_installed() {
    let dir = TempDir::new("app-next-modules");
    dir.write(
        "app/layout.tsx",
        "export default function Root({ children }: { children: any }) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        r#"import Link from "next/link";
import { headers, cookies } from "next/headers";
import { usePathname, useSearchParams, redirect, notFound } from "next/navigation";
export const dynamic = "force-dynamic";
function Where() {
  return <p id="where">{usePathname()} q={useSearchParams().get("q")}</p>;
}
export default async function Home({ searchParams }: any) {
  const sp = await searchParams;
  if (sp.go === "away") redirect("/elsewhere");
  if (sp.go === "nowhere") notFound();
  const agent = (await headers()).get("user-agent");
  const theme = (await cookies()).get("theme")?.value;
  return (
    <main>
      <Link href="/about" className="nav" prefetch={false}>About</Link>
      <Link href={{ pathname: "/search", query: { q: "a b", tag: ["x", "y"] }, hash: "top" }}>Search</Link>
      <Where />
      <span id="ua">{agent}</span>
      <span id="theme">{theme}</span>
    </main>
  );
}
"#,
    );
    let bext = serve(&dir, &[]);
    let r = request(
        bext.addr,
        "GET /?q=hello HTTP/1.1\r\nHost: x\r\nUser-Agent: probe/1\r\nCookie: theme=dark\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 200, "{}", r.summary());
    let html = r.text();
    for want in [
        r#"<a class="nav" href="/about">About</a>"#,
        r#"<a href="/search?q=a+b&amp;tag=x&amp;tag=y#top">Search</a>"#,
        r#"<p id="where">/ q=hello</p>"#,
        r#"<span id="ua">probe/1</span>"#,
        r#"<span id="theme">dark</span>"#,
    ] {
        assert!(html.contains(want), "{want}\n{html}");
    }
    let r = bext.get("/?go=away");
    assert_eq!(r.status, 307, "{}", r.summary());
    assert_eq!(r.header("location"), Some("/elsewhere"));
    let r = bext.get("/?go=nowhere");
    assert_eq!(r.status, 404, "{}", r.summary());
}
