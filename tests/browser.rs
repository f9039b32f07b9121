//! bext's pages in a real browser (Debian's Chromium through `tests/browser/drive.mjs`, see
//! `tests/common/browser.rs`): the example app's pages load without a console error, a page
//! error or a failed request and show what the server rendered; and pages of the Next.js
//! corpus (`tests/nextjs/apps/*/browser.txt`) look in Chromium as they look under
//! `next start`, element by element, by computed style.
//!
//! Built on the default executor backend only: these tests are about pages, not about how
//! bext's shards do I/O, and `scripts/test.sh` runs the suite a second time on glommio.
#![cfg(not(feature = "glommio"))]

mod common;

use std::path::Path;

use common::browser::{self, Driver, Plan, Snapshot, Step, differences, screenshots};
use common::nextjs::{self, NextServer};
use common::{Bext, TempDir};

/// Each page the example app's home page links to (and the home page itself) loads in
/// Chromium with nothing wrong, and shows the `<title>` and first `<h1>` the server rendered
/// for it.
#[test]
fn example_app_pages_load_clean() {
    let config = common::example_app::config();
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let home = bext.get("/");
    assert_eq!(home.status, 200, "{}", home.summary());
    // The home page and every HTML page it links to (not its API route's JSON).
    let mut paths = vec!["/".to_owned()];
    for href in local_links(&home.text()) {
        let html = bext
            .get(&href)
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"));
        if html && !paths.contains(&href) {
            paths.push(href);
        }
    }
    assert!(
        paths.len() > 1,
        "the home page links to no page: {}",
        home.summary()
    );

    let driver = Driver::install();
    let mut plan = Plan::new();
    let mut visits = Vec::new();
    for path in &paths {
        let page = bext.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.summary());
        let html = page.text();
        let title = element_text(&html, "title").unwrap_or_default();
        let h1 = element_text(&html, "h1").unwrap_or_default();
        assert!(
            !title.is_empty() && !h1.is_empty(),
            "{path}: no <title> or <h1>"
        );
        let goto = plan.goto(&format!("http://{}{path}", bext.addr));
        let shown = plan.evaluate(PAGE_FACTS);
        let screenshot = screenshots().join(format!("example-{}.png", slug(path)));
        plan.screenshot(&screenshot);
        visits.push((path, title, h1, goto, shown, screenshot));
    }
    let outcome = driver.run(&plan);
    let mut failures = Vec::new();
    for (path, title, h1, goto, shown, screenshot) in visits {
        assert_eq!(outcome.output(goto)["status"], 200, "{path}");
        let shown = outcome.output(shown);
        let want = serde_json::json!({ "title": title, "h1": h1, "h1Visible": true });
        if *shown != want {
            failures.push(format!(
                "{path}: the server rendered {want}, Chromium shows {shown}"
            ));
        }
        failures.extend(outcome.problems_after(goto));
        let bytes = std::fs::metadata(&screenshot).map_or(0, |m| m.len());
        assert!(
            bytes > 0,
            "{path}: no screenshot at {}",
            screenshot.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "browser: {} example pages load clean; screenshots in {}",
        paths.len(),
        screenshots().display()
    );
}

/// The example app's client components work in Chromium: the nav's theme toggle (its state
/// kept in localStorage across a page load) and the sortable table of /table/50, hydrated
/// without a console error.
#[test]
fn example_app_client_components_hydrate_and_respond() {
    let config = common::example_app::config();
    let bext = Bext::serve_config(&config, &["--shards", "1"]);
    let driver = Driver::install();
    let mut plan = Plan::new();
    let url = format!("http://{}/table/50", bext.addr);
    let goto = plan.goto(&url);
    // The toggle's effect marks the document once hydration has run.
    plan.wait_for_attached("html[data-theme=light]");
    let spends = "[...document.querySelectorAll('tbody tr')].map((r) => Number(r.children[6].textContent.replace(/[$,]/g, '')))";
    let first = plan.evaluate(&format!("(() => {{ const s = {spends}; return [s.length, s.every((v, i) => i === 0 || s[i - 1] <= v)]; }})()"));
    plan.click("th:nth-child(7) button");
    plan.wait_for_text("caption", "sorted by spend");
    let ascending = plan.evaluate(&format!("(() => {{ const s = {spends}; return [s.length, s.every((v, i) => i === 0 || s[i - 1] <= v)]; }})()"));
    plan.click("th:nth-child(7) button");
    plan.wait_for_text("caption", "sorted by spend, descending");
    let descending = plan.evaluate(&format!("(() => {{ const s = {spends}; return [s.length, s.every((v, i) => i === 0 || s[i - 1] >= v), document.querySelector('th[aria-sort=descending] button').textContent]; }})()"));
    let light = plan.evaluate("getComputedStyle(document.body).backgroundColor");
    plan.click("header button[aria-pressed]");
    plan.wait_for_attached("html[data-theme=dark]");
    let dark = plan.evaluate("[getComputedStyle(document.body).backgroundColor, document.querySelector('header button[aria-pressed]').textContent]");
    plan.goto(&url);
    plan.wait_for_attached("html[data-theme=dark]");
    let kept = plan.evaluate("document.querySelector('header button[aria-pressed]').textContent");
    // A streamed page hydrates too, once its stream is done (its payload comes last).
    plan.goto(&format!("http://{}/live", bext.addr));
    plan.wait_for_attached("html[data-theme=dark]");
    let streamed = plan.evaluate(
        "[document.querySelectorAll('template, [hidden]').length, document.querySelector('header button[aria-pressed]').textContent]",
    );
    let outcome = driver.run(&plan);
    // Sorted by id at first, so spends are not in order; then in order both ways.
    assert_eq!(outcome.output(first), &serde_json::json!([50, false]));
    assert_eq!(outcome.output(ascending), &serde_json::json!([50, true]));
    assert_eq!(
        outcome.output(descending),
        &serde_json::json!([50, true, "Spend"])
    );
    let dark = outcome.output(dark);
    assert_ne!(
        dark[0],
        *outcome.output(light),
        "the dark theme has another background"
    );
    assert_eq!(dark[1], "☀ Light");
    assert_eq!(outcome.output(kept), &serde_json::json!("☀ Light"));
    assert_eq!(outcome.output(streamed), &serde_json::json!([0, "☀ Light"]));
    let problems = without_address(&outcome.problems_after(goto), bext.addr);
    assert!(problems.is_empty(), "{problems:?}");
}

/// What a reader sees of a page: its title, its first heading's text (whitespace collapsed)
/// and whether that heading is visible.
const PAGE_FACTS: &str = "(() => { const h1 = document.querySelector('h1'); return { \
     title: document.title, \
     h1: h1 ? h1.innerText.split(/\\s+/).filter(Boolean).join(' ') : null, \
     h1Visible: h1 ? h1.checkVisibility({ opacityProperty: true, visibilityProperty: true }) \
     && h1.getBoundingClientRect().height > 0 : false }; })()";

/// For each app with a `browser.txt`, each route it lists is loaded from `next start` and from
/// bext, and their style snapshots must be equal; bext's page must log no error, throw none
/// and fail no request (beyond what Next's page does too: the browser's `/favicon.ico` probe
/// where the app has no icon). A line `differs ROUTE` is a known deviation, with a FIXME
/// comment saying what differs: its snapshots must still differ (so the line goes when bext
/// is fixed), and the differences are printed.
#[test]
fn nextjs_pages_look_like_next_start() {
    let modules = nextjs::install(&nextjs::root());
    let mut apps: Vec<_> = nextjs::apps()
        .into_iter()
        .filter(|app| app.join("browser.txt").is_file())
        .collect();
    assert!(!apps.is_empty(), "no tests/nextjs/apps/*/browser.txt");
    // `BEXT_NEXTJS_APPS=fonts,images`: only these (while working on one).
    if let Ok(only) = std::env::var("BEXT_NEXTJS_APPS") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        apps.retain(|app| only.iter().any(|name| app.ends_with(name)));
    }
    let driver = Driver::install();
    let mut failures = Vec::new();
    for app in &apps {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let routes = BrowserRoutes::read(&app.join("browser.txt"));
        let built = nextjs::build(app, &modules);
        let next = NextServer::start(&built, &modules);
        let bext = Bext::serve_dir(&built, &[]);
        let mut plan = Plan::new();
        let mut visits = Vec::new();
        for (route, deviates) in &routes.0 {
            let mut side = |server: &str, addr| {
                let goto = plan.goto(&format!("http://{addr}{route}"));
                let snapshot = plan.style_snapshot();
                let file = format!("nextjs-{name}-{}-{server}.png", slug(route));
                plan.screenshot(&screenshots().join(file));
                (goto, snapshot)
            };
            let want = side("next", next.addr);
            let got = side("bext", bext.addr);
            visits.push((route, *deviates, want, got));
        }
        let outcome = driver.run(&plan);
        let (mut alike, mut deviating) = (0, 0);
        for (route, deviates, (next_goto, want), (bext_goto, got)) in visits {
            let here = format!("{name} {route}");
            let status = |goto: Step| outcome.output(goto)["status"].clone();
            if status(next_goto) != status(bext_goto) {
                failures.push(format!(
                    "{here}: next start answered {}, bext {}",
                    status(next_goto),
                    status(bext_goto)
                ));
            }
            let theirs = without_address(&outcome.problems_after(next_goto), next.addr);
            let problems: Vec<String> =
                without_address(&outcome.problems_after(bext_goto), bext.addr)
                    .into_iter()
                    .filter(|problem| !theirs.contains(problem))
                    .collect();
            if !problems.is_empty() {
                failures.push(format!(
                    "{here}: in bext's page:\n  {}",
                    problems.join("\n  ")
                ));
            }
            let (want, got) = (outcome.snapshot(want), outcome.snapshot(got));
            let diff = differences(&want, &got, ("next start", "bext"));
            match (deviates, diff.is_empty()) {
                (false, true) => alike += 1,
                (false, false) => failures.push(format!(
                    "{here}: bext's page looks different ({} elements):\n  {}",
                    size(&want, &got),
                    diff.join("\n  ")
                )),
                (true, false) => {
                    deviating += 1;
                    eprintln!(
                        "browser: {here}: known deviation, still differs:\n  {}",
                        diff.join("\n  ")
                    );
                }
                (true, true) => failures.push(format!(
                    "{here}: listed as `differs` in browser.txt but now looks like next start: \
                     drop the `differs`"
                )),
            }
        }
        eprintln!(
            "browser: {name}: {alike} routes look like next start, {deviating} known deviations"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An app's `browser.txt`: one route a line (`#` comments), `differs ROUTE` for a known
/// deviation.
struct BrowserRoutes(Vec<(String, bool)>);

impl BrowserRoutes {
    fn read(file: &Path) -> BrowserRoutes {
        let text = std::fs::read_to_string(file).expect("browser.txt");
        let routes: Vec<(String, bool)> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| match line.strip_prefix("differs ") {
                Some(route) => (route.trim().to_owned(), true),
                None => (line.to_owned(), false),
            })
            .collect();
        assert!(!routes.is_empty(), "{} lists no route", file.display());
        for (route, _) in &routes {
            assert!(
                route.starts_with('/'),
                "{}: `{route}` is not a path",
                file.display()
            );
        }
        BrowserRoutes(routes)
    }
}

fn size(want: &Snapshot, got: &Snapshot) -> String {
    format!(
        "next start {}, bext {}",
        want.elements.len(),
        got.elements.len()
    )
}

/// Problem lines with the server's address taken out, so both servers' lines compare.
fn without_address(problems: &[String], addr: std::net::SocketAddr) -> Vec<String> {
    problems
        .iter()
        .map(|p| p.replace(&format!("http://{addr}"), ""))
        .collect()
}

/// The text of the first `<tag>` element in `html`, tags inside it dropped, entities decoded,
/// whitespace collapsed.
fn element_text(html: &str, tag: &str) -> Option<String> {
    let open = html
        .find(&format!("<{tag}>"))
        .or_else(|| html.find(&format!("<{tag} ")))?;
    let start = open + html[open..].find('>')? + 1;
    let end = start + html[start..].find(&format!("</{tag}>"))?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The local pages `html` links to (`href="/…"`), in order, without fragments.
fn local_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| href.split('#').next().unwrap_or(href).to_owned())
        .filter(|href| !href.contains('.'))
        .collect()
}

/// A route as part of a file name.
fn slug(route: &str) -> String {
    let slug: String = route
        .trim_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if slug.is_empty() {
        "index".to_owned()
    } else {
        slug
    }
}

/// The driver's steps on a static page of bext's, and what it reports: the problems the other
/// tests require to be absent are seen when they are there.
#[test]
fn driver_steps_and_problems_on_a_static_page() {
    let dir = TempDir::new("browser-static");
    dir.write(
        "index.html",
        // No icon to probe `/favicon.ico` for: that 404 would be a console error.
        "<!doctype html><html><head><title>Form</title><link rel=\"icon\" href=\"data:,\">\
         <link rel=\"stylesheet\" href=\"/style.css\"></head><body>\
         <h1>Form</h1><input id=\"name\"><button id=\"go\">Go</button><p id=\"out\"></p>\
         <script src=\"/app.js\"></script></body></html>\n",
    );
    dir.write(
        "style.css",
        "h1 { color: rgb(1, 2, 3); font-weight: 300 }\n",
    );
    dir.write(
        "app.js",
        "document.getElementById('go').onclick = () => {\n\
           const out = document.getElementById('out');\n\
           out.textContent = 'Hello ' + document.getElementById('name').value;\n\
           out.insertAdjacentHTML('afterend', '<p id=\"done\">done</p>');\n\
         };\n",
    );
    dir.write(
        "broken.html",
        "<!doctype html><html><body><p>Broken</p><img src=\"/missing.png\">\
         <script>console.error('said on purpose'); missingFunction();</script></body></html>\n",
    );
    let bext = Bext::serve_dir(dir.path(), &[]);
    let driver = Driver::install();
    let mut plan = Plan::new();
    let form = plan.goto(&format!("http://{}/", bext.addr));
    let style = plan.computed_style("h1", &["color", "font-weight"]);
    plan.fill("#name", "bext");
    plan.click("#go");
    plan.wait_for_text("#out", "Hello bext");
    plan.wait_for_selector("#done");
    let title = plan.evaluate("document.title");
    let broken = plan.goto(&format!("http://{}/broken.html", bext.addr));
    let looks = plan.style_snapshot();
    let outcome = driver.run(&plan);

    assert_eq!(outcome.output(form)["status"], 200);
    assert_eq!(
        *outcome.output(style),
        serde_json::json!({ "color": "rgb(1, 2, 3)", "font-weight": "300" })
    );
    assert_eq!(outcome.output(title), "Form");
    assert_eq!(outcome.problems_after(form), Vec::<String>::new());
    let problems = outcome.problems_after(broken).join("\n");
    for expected in [
        "console error on ",
        "said on purpose",
        "page error on ",
        "missingFunction is not defined",
        "failed request on ",
        "/missing.png (404)",
    ] {
        assert!(
            problems.contains(expected),
            "{expected:?} not in:\n{problems}"
        );
    }
    let snapshot = outcome.snapshot(looks);
    let paths: Vec<&str> = snapshot.elements.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["body > p", "body > img"]);
}

/// The realtime publish token of the WebSocket test.
const REALTIME_TOKEN: &str = "publish-token-0123456789abcdef0123456789";

#[test]
fn chromium_opens_a_realtime_websocket_over_http2_by_extended_connect() {
    let dir = TempDir::new("browser-ws-h2");
    dir.write(
        "www/index.html",
        "<!doctype html><html><head><link rel=\"icon\" href=\"data:,\"></head>\
         <body><p>hi</p></body></html>\n",
    );
    let log = dir.path().join("access.log");
    let config = dir.write(
        "bext.toml",
        format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nlisten_tls = \"127.0.0.1:0\"\nshards = 1\n\
             access_log = \"{}\"\n\n[realtime]\npublish_token = \"{REALTIME_TOKEN}\"\n\n\
             [[site]]\nhosts = [\"localhost\"]\nroot = \"www\"\ntls = \"self-signed\"\n",
            log.display()
        ),
    );
    let bext = Bext::serve_config(&config, &[]);
    let origin = format!("https://localhost:{}", bext.https_addr().port());
    let driver = Driver::install();
    let mut plan = Plan::new();
    plan.ignore_https_errors();
    let home = plan.goto(&format!("{origin}/index.html"));
    // The page opens the WebSocket on the connection it came over, then publishes; the
    // event comes back as a message.
    let got = plan.evaluate(&format!(
        "new Promise((resolve) => {{\
           const ws = new WebSocket('wss://localhost:{port}/__bext/realtime/ws?topics=t');\
           ws.onopen = () => fetch('/__bext/realtime/publish', {{ method: 'POST',\
             headers: {{ authorization: 'Bearer {REALTIME_TOKEN}' }},\
             body: JSON.stringify({{ topic: 't', data: 'from chromium' }}) }});\
           ws.onmessage = (e) => {{ resolve(JSON.parse(e.data).data); ws.close(); }};\
           ws.onerror = () => resolve('error');\
         }})",
        port = bext.https_addr().port()
    ));
    let outcome = driver.run(&plan);
    assert_eq!(outcome.output(home)["status"], 200);
    assert_eq!(outcome.output(got), "from chromium");
    assert_eq!(outcome.problems_after(home), Vec::<String>::new());
    // Chromium asked for it over HTTP/2, as an extended CONNECT (RFC 8441), not by a second
    // connection's HTTP/1.1 upgrade.
    let logged = common::eventually("the WebSocket's line in the access log", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.contains("/__bext/realtime/ws").then_some(text)
    });
    assert!(
        logged.contains("\"CONNECT /__bext/realtime/ws?topics=t HTTP/2.0\" 200"),
        "{logged}"
    );
}

/// The harness's own pieces, on literals.
#[test]
fn snapshot_differences_name_the_element_the_property_and_both_values() {
    let snapshot = |elements: &[(&str, &[(&str, &str)])]| Snapshot {
        elements: elements
            .iter()
            .map(|(path, styles)| browser::Element {
                path: path.to_string(),
                styles: styles
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })
            .collect(),
        fonts: Vec::new(),
    };
    let next = snapshot(&[
        ("body > main", &[("color", "rgb(0, 0, 0)")]),
        ("body > main > h1", &[("font-weight", "700")]),
    ]);
    let same = snapshot(&[
        ("body > main", &[("color", "rgb(0, 0, 0)")]),
        ("body > main > h1", &[("font-weight", "700")]),
    ]);
    assert_eq!(
        differences(&next, &same, ("next", "bext")),
        Vec::<String>::new()
    );
    let bolder = snapshot(&[
        ("body > main", &[("color", "rgb(0, 0, 0)")]),
        (
            "body > main > h1",
            &[("font-weight", "400"), ("width", "10px")],
        ),
    ]);
    assert_eq!(
        differences(&next, &bolder, ("next", "bext")),
        [
            "`body > main > h1` font-weight: next 700, bext 400",
            "`body > main > h1` width: next (not set), bext 10px",
        ]
    );
    // The same media file from two servers (other ports, other content hashes) is the same;
    // another file is not.
    let art = |url: &str| snapshot(&[("body > div", &[("background-image", url)])]);
    let served = art("url(\"http://127.0.0.1:1/_next/static/media/stripes.2hs42_hzd9c95.svg\")");
    assert_eq!(
        differences(
            &served,
            &art("url(\"http://127.0.0.1:2/_next/static/media/stripes.3e9c1586.svg\")"),
            ("next", "bext")
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        differences(
            &served,
            &art("url(\"http://127.0.0.1:2/_next/static/media/dots.3e9c1586.svg\")"),
            ("next", "bext")
        )
        .len(),
        1
    );
    let other = snapshot(&[("body > div", &[("color", "rgb(0, 0, 0)")])]);
    assert_eq!(
        differences(&next, &other, ("next", "bext")),
        ["element 0: next has `body > main`, bext has `body > div`"]
    );
    assert_eq!(
        element_text("<h1 class=\"x\">Hello <b>&amp;</b>\n world</h1>", "h1").as_deref(),
        Some("Hello & world")
    );
    assert_eq!(
        local_links(
            "<a href=\"/a\"></a><a href=\"https://x/\"></a><a href=\"/b#c\"></a><link href=\"/s.css\">"
        ),
        ["/a", "/b"]
    );
}

/// A server the page (or the browser) talks to on the test's behalf: every request is held
/// until a request for `/go` arrives, then answered, `/go` included (`on_go` runs first).
/// Lets a browser plan decide, from inside the page, when something on the server side
/// happens, so the test never races a timer.
fn held_until_go(on_go: impl FnOnce() + Send + 'static) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut held: Vec<std::net::TcpStream> = Vec::new();
        let mut on_go = Some(on_go);
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(common::DEADLINE));
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let go = head.starts_with(b"GET /go ");
            held.push(stream);
            if go || on_go.is_none() {
                if let Some(f) = on_go.take() {
                    f();
                }
                for mut waiting in held.drain(..) {
                    let _ = waiting.write_all(
                        b"HTTP/1.1 200 OK\r\naccess-control-allow-origin: *\r\ncontent-type: text/plain\r\ncontent-length: 16\r\nconnection: close\r\n\r\nthe data arrived",
                    );
                }
            }
        }
    });
    base
}

/// A streamed page in Chromium: its shell shows the fallback while the boundary's data is
/// held back; once the page itself asks for the data to be let go, the content replaces the
/// fallback (React's format, moved in by bext's `$RC`, with no other script), and nothing
/// went wrong on the way.
#[test]
fn a_streamed_page_shows_its_fallback_then_its_content() {
    let upstream = held_until_go(|| {});
    let dir = TempDir::new("browser-stream");
    // The browser asks for it; a 404 would be a console error.
    dir.write("public/favicon.ico", [0u8, 0, 1, 0]);
    dir.write(
        "app/layout.tsx",
        "export default function L({ children }: any) { return <html><head><title>s</title></head><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        r#"import { Suspense } from "react";
export const dynamic = "force-dynamic";
async function Data() {
  const r = await fetch(process.env.UPSTREAM + "/data");
  return <p id="data">{await r.text()}</p>;
}
export default function Page() {
  return <main><h1>Streamed</h1><Suspense fallback={<p id="wait">waiting for the data</p>}><Data /></Suspense></main>;
}
"#,
    );
    let bext = Bext::start_env(
        &[
            "serve".into(),
            dir.path().display().to_string(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--shards".into(),
            "1".into(),
        ],
        &[("UPSTREAM", upstream.as_str())],
    );
    let driver = Driver::install();
    let mut plan = Plan::new();
    let page = plan.goto_committed(&format!("http://{}/", bext.addr));
    plan.wait_for_text("main", "waiting for the data");
    let before = plan.evaluate("document.getElementById('data') === null");
    plan.evaluate(&format!(
        "fetch({:?}, {{ mode: 'no-cors' }}).then(() => true)",
        format!("{upstream}/go")
    ));
    plan.wait_for_text("main", "the data arrived");
    let after = plan.evaluate(
        "[document.getElementById('wait') === null, document.querySelectorAll('template, [hidden]').length, document.querySelector('main').innerHTML]",
    );
    let out = driver.run(&plan);
    assert_eq!(out.output(before), &serde_json::json!(true));
    let after = out.output(after);
    assert_eq!(after[0], true, "the fallback is gone: {after}");
    assert_eq!(
        after[1], 0,
        "no template or hidden segment is left: {after}"
    );
    assert_eq!(
        after[2], "<h1>Streamed</h1><!--$--><p id=\"data\">the data arrived</p><!--/$-->",
        "{after}"
    );
    let problems = without_address(&out.problems_after(page), bext.addr);
    assert!(problems.is_empty(), "{problems:?}");
}

/// `bext dev`: saving a stylesheet restyles the open page without reloading it (a value the
/// page's script set survives), once the reload stream is listening.
#[test]
fn dev_mode_restyles_an_open_page_without_reloading_it() {
    let dir = TempDir::new("browser-dev-styles");
    dir.write("public/favicon.ico", [0u8, 0, 1, 0]);
    dir.write(
        "app/layout.tsx",
        "import \"./globals.css\";\nexport default function L({ children }: any) { return <html><head><title>d</title></head><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        "export default function P() { return <p id=\"x\">hi</p>; }\n",
    );
    dir.write("app/globals.css", "p { color: rgb(255, 0, 0) }\n");
    let css = dir.path().join("app/globals.css");
    let edit = held_until_go(move || {
        std::fs::write(&css, "p { color: rgb(0, 0, 255) }\n").expect("the edit");
    });
    let bext = Bext::dev(dir.path());
    let driver = Driver::install();
    let mut plan = Plan::new();
    let page = plan.goto(&format!("http://{}/", bext.addr));
    plan.wait_for_attached("html[data-bext-dev]");
    let before =
        plan.evaluate("window.__kept = 42, getComputedStyle(document.getElementById('x')).color");
    plan.evaluate(&format!(
        "fetch({:?}, {{ mode: 'no-cors' }}).then(() => true)",
        format!("{edit}/go")
    ));
    plan.wait_for_attached("html[data-bext-styles]");
    let after =
        plan.evaluate("[window.__kept, getComputedStyle(document.getElementById('x')).color]");
    let out = driver.run(&plan);
    assert_eq!(out.output(before), &serde_json::json!("rgb(255, 0, 0)"));
    assert_eq!(
        out.output(after),
        &serde_json::json!([42, "rgb(0, 0, 255)"]),
        "restyled, not reloaded"
    );
    let problems = without_address(&out.problems_after(page), bext.addr);
    assert!(problems.is_empty(), "{problems:?}");
}

/// `bext dev`: saving a page's module reloads the open tab, and the reloaded page is scrolled
/// where the reader was (the reload is real: a value the old page set is gone, the new text
/// shows). The browser's own scroll restoration does it; this keeps anything bext's scripts
/// do (the dev script, client navigation's history handling) from breaking it.
#[test]
fn dev_mode_reloads_a_changed_page_where_it_was_scrolled() {
    let dir = TempDir::new("browser-dev-reload");
    dir.write("public/favicon.ico", [0u8, 0, 1, 0]);
    dir.write(
        "app/layout.tsx",
        "export default function L({ children }: any) { return <html><head><title>d</title></head><body>{children}</body></html>; }\n",
    );
    let page = |text: &str| {
        format!(
            "export default function P() {{ return <main><div style={{{{ height: 4000 }}}} /><p id=\"x\">{text}</p><div style={{{{ height: 4000 }}}} /></main>; }}\n"
        )
    };
    dir.write("app/page.tsx", page("before"));
    let file = dir.path().join("app/page.tsx");
    let after_text = page("after");
    let edit = held_until_go(move || {
        std::fs::write(&file, after_text).expect("the edit");
    });
    let bext = Bext::dev(dir.path());
    let driver = Driver::install();
    let mut plan = Plan::new();
    let page = plan.goto(&format!("http://{}/", bext.addr));
    plan.wait_for_attached("html[data-bext-dev]");
    let before = plan.evaluate("window.__kept = 42, scrollTo(0, 3000), Math.round(scrollY)");
    plan.evaluate(&format!(
        "fetch({:?}, {{ mode: 'no-cors' }}).then(() => true)",
        format!("{edit}/go")
    ));
    plan.wait_for_text("#x", "after");
    plan.wait_for_attached("html[data-bext-dev]");
    let after = plan.evaluate("[window.__kept === undefined, Math.round(scrollY)]");
    let out = driver.run(&plan);
    assert_eq!(out.output(before), &serde_json::json!(3000));
    assert_eq!(
        out.output(after),
        &serde_json::json!([true, 3000]),
        "reloaded, at the same place"
    );
    // The old page's event stream ends as it reloads: the browser reports that request as
    // aborted, which is the reload working.
    let problems: Vec<String> = without_address(&out.problems_after(page), bext.addr)
        .into_iter()
        .filter(|p| !p.contains("GET /__bext/dev/events (net::ERR_ABORTED)"))
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
}

/// Under a base path with trailing slashes (tests/nextjs/apps/config-base), a client
/// component's own `<Link>`, `<Form>` and `<Image>` write the URLs Next writes, both in the
/// server's HTML and when the browser renders them itself (the `late` ones appear after
/// hydration); the link and the form navigate on the client, to the same URLs as Next.
#[test]
fn client_components_under_a_base_path_like_next_start() {
    let (next, bext) = next_and_bext("config-base");
    let driver = Driver::install();
    let mut plan = Plan::new();
    let mut sides = Vec::new();
    for addr in [next.addr, bext.addr] {
        let goto = plan.goto(&format!("http://{addr}/shop/"));
        plan.wait_for_attached("#late-pic");
        // Static media names carry each side's own content hash: compared without it.
        let urls = plan.evaluate(
            "['#client-about', '#late-link'].map((s) => document.querySelector(s).getAttribute('href')).concat(['action', 'src', 'srcset'].map((a) => document.querySelector(a === 'action' ? '#client-form' : '#late-pic').getAttribute(a).replace(/tall\\.[0-9a-z]+\\.jpg/g, 'tall.jpg')))",
        );
        plan.evaluate("window.__still_here = true");
        plan.click("#late-link");
        plan.wait_for_text("h1", "About the shop");
        let linked = plan.evaluate(
            "[location.pathname + location.search, document.querySelector('h1').textContent, window.__still_here === true]",
        );
        plan.fill("#cq", "shoes");
        plan.click("#cq-go");
        plan.wait_for_attached("#late-pic");
        plan.evaluate(
            "new Promise((done) => { const check = () => location.search === '?q=shoes' ? done(true) : setTimeout(check, 20); check(); })",
        );
        let searched =
            plan.evaluate("[location.pathname + location.search, window.__still_here === true]");
        sides.push(Side {
            addr,
            gotos: vec![goto],
            outputs: vec![urls, linked, searched],
        });
    }
    let outcome = driver.run(&plan);
    // Client navigations on both sides.
    assert_eq!(outcome.output(sides[0].outputs[2])[1], true);
    assert_bext_saw_what_next_saw(&outcome, &sides[0], &sides[1]);
}

/// Client components, against `next start` on the same app (tests/nextjs/apps/client): each
/// side hydrates (the counter's effect marks it), counts clicks, keeps the layout's text box
/// through client navigations by `<Link>` (a value set on `window` survives: no page load),
/// updates `usePathname`/`useSearchParams`/`useParams`, decodes the props that crossed
/// (Dates, Maps, Sets, undefined, strings starting with "$"), goes back in history, searches
/// with `next/form` (a client navigation too), and loads `next/image`s in a client component
/// (`onLoad` runs, the blur placeholder goes), and retries from a hydrated error page. The two
/// sides must see the same, and bext's
/// pages must log nothing Next's do not (React's recoverable hydration errors are console
/// errors).
#[test]
fn client_components_hydrate_and_navigate_like_next_start() {
    let (next, bext) = next_and_bext("client");
    let driver = Driver::install();
    let mut plan = Plan::new();
    let mut sides = Vec::new();
    for addr in [next.addr, bext.addr] {
        let goto = plan.goto(&format!("http://{addr}/"));
        plan.wait_for_attached("#count[data-hydrated]");
        plan.click("#count");
        plan.click("#count");
        plan.wait_for_text("#count", "Count: 4");
        let counted = plan.evaluate(
            "[document.querySelector('#count').textContent, document.querySelector('.counter').innerText]",
        );
        plan.fill("#notes", "kept across pages");
        plan.wait_for_text("#notes-length", "17 characters");
        plan.evaluate("window.__still_here = true");
        plan.click("a.about");
        plan.wait_for_text("h1", "About");
        plan.wait_for_text("#where", "at /about");
        let about = plan.evaluate(
            "[document.title, document.querySelector('#notes').value, window.__still_here === true, location.pathname]",
        );
        plan.click("a[href='/items/7?x=1']");
        plan.wait_for_text("#item", "x=1");
        let item = plan.evaluate(
            "[document.querySelector('#item').innerText, document.querySelector('#where').textContent, document.querySelector('#notes').value, window.__still_here === true]",
        );
        plan.evaluate("history.back(), true");
        plan.wait_for_text("h1", "About");
        let back = plan.evaluate(
            "[location.pathname, document.querySelector('#where').textContent, window.__still_here === true]",
        );
        // next/form: submitting navigates on the client, the fields becoming the query.
        plan.click("a[href='/search']");
        plan.wait_for_text("#query", "Nothing searched");
        plan.fill("#q", "hello world");
        plan.click("#search-go");
        plan.wait_for_text("#query", "Searched: hello world");
        let searched = plan.evaluate(
            "[location.pathname + location.search, document.querySelector('#notes').value, window.__still_here === true, document.querySelector('#where').textContent]",
        );
        // next/image in a client component: the blur placeholder goes once the image has
        // loaded, and `onLoad` runs for both images.
        let gallery_goto = plan.goto(&format!("http://{addr}/gallery"));
        plan.wait_for_text("#photo-state", "Pictures: 2 loaded");
        let gallery = plan.evaluate(
            "[...document.querySelectorAll('figure img')].map((i) => [i.id, i.style.backgroundImage, i.style.color, i.complete && i.naturalWidth > 0, i.getAttribute('sizes'), i.getAttribute('data-nimg')])",
        );
        // An error page hydrates: its button sets a cookie and retries (router.refresh and
        // reset), and the page renders in place. (Cookies ignore ports: the side before set
        // it for this host too.)
        plan.evaluate("document.cookie = 'healed=; path=/; max-age=0', true");
        let flaky_goto = plan.goto(&format!("http://{addr}/flaky"));
        plan.wait_for_attached("#retry");
        let failed = plan
            .evaluate("window.__before_retry = true, document.querySelector('#failed').innerText");
        plan.click("#retry");
        plan.wait_for_text("#healed", "Healed");
        let healed = plan.evaluate(
            "[document.querySelector('#healed').textContent, document.querySelector('#failed') === null, window.__before_retry === true, location.pathname]",
        );
        sides.push(Side {
            addr,
            gotos: vec![goto, gallery_goto, flaky_goto],
            outputs: vec![
                counted, about, item, back, searched, gallery, failed, healed,
            ],
        });
    }
    let outcome = driver.run(&plan);
    // The navigations were client-side on both: the page's own value survived them (the
    // form's too).
    assert_eq!(outcome.output(sides[0].outputs[1])[2], true);
    assert_eq!(outcome.output(sides[0].outputs[4])[2], true);
    assert_bext_saw_what_next_saw(&outcome, &sides[0], &sides[1]);
}

/// The corpus app `name` built by `next build`, served by `next start` and by bext.
fn next_and_bext(name: &str) -> (NextServer, Bext) {
    let modules = nextjs::install(&nextjs::root());
    let built = nextjs::build(&nextjs::root().join("apps").join(name), &modules);
    let next = NextServer::start(&built, &modules);
    let bext = Bext::serve_dir(&built, &[]);
    (next, bext)
}

/// One server's part of a plan run against both: where it loaded pages, and what it saw.
struct Side {
    addr: std::net::SocketAddr,
    gotos: Vec<Step>,
    outputs: Vec<Step>,
}

/// bext's side saw what Next's did, step for step, and its pages logged no problem Next's did
/// not (React's recoverable hydration errors are console errors).
fn assert_bext_saw_what_next_saw(outcome: &browser::Outcome, next: &Side, bext: &Side) {
    for (want, got) in next.outputs.iter().zip(&bext.outputs) {
        assert_eq!(
            outcome.output(*got),
            outcome.output(*want),
            "bext saw something else than next start"
        );
    }
    let problems_of = |side: &Side| -> Vec<String> {
        side.gotos
            .iter()
            .flat_map(|step| without_address(&outcome.problems_after(*step), side.addr))
            .collect()
    };
    let theirs = problems_of(next);
    let problems: Vec<String> = problems_of(bext)
        .into_iter()
        .filter(|problem| !theirs.contains(problem))
        .collect();
    assert!(
        problems.is_empty(),
        "in bext's pages:\n  {}",
        problems.join("\n  ")
    );
}
