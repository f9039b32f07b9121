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
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bext.config.toml");
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
