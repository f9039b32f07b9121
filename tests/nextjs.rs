//! Next.js conformance: each app under `tests/nextjs/apps/` is built and run with the real
//! Next.js (`next build && next start`, pinned in `tests/nextjs/package-lock.json`), and bext
//! serves the same directory; every request in the app's `routes.txt` goes to both, and the
//! answers must agree on status, redirect target, content type, cookies set and what a reader
//! sees (the page's text, its
//! links and its title; markup, scripts and React's RSC payload aside). Error answers (4xx,
//! 5xx) are compared by status, title and `robots: noindex` only: for a dynamic route, Next
//! streams their content inside its RSC payload, and their HTML body is empty.
//!
//! Next.js is installed once per lockfile (`npm ci` into `/var/cache/bext/nextjs/<hash>`) and
//! each app is built once per lockfile and app contents, so a second run only starts servers.

mod common;

use common::nextjs::{self, NextServer, build, install};
use common::{Bext, request};

#[test]
fn apps_answer_like_next_start() {
    let modules = install(&nextjs::root());
    let mut apps = nextjs::apps();
    assert!(!apps.is_empty(), "no apps under tests/nextjs/apps");
    // `BEXT_NEXTJS_APPS=blog,config`: only these (while working on one).
    if let Ok(only) = std::env::var("BEXT_NEXTJS_APPS") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        apps.retain(|app| only.iter().any(|name| app.ends_with(name)));
    }
    let mut failures = Vec::new();
    for app in &apps {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let built = build(app, &modules);
        let next = NextServer::start(&built, &modules);
        let bext = Bext::serve_dir(&built, &[]);
        let routes = std::fs::read_to_string(app.join("routes.txt")).expect("routes.txt");
        let (mut matched, mut total) = (0, 0);
        // `@headers a, b`: response headers also compared on the routes that follow (a bare
        // `@headers` stops that).
        let mut compared: Vec<String> = Vec::new();
        for line in routes.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(names) = line.strip_prefix("@headers") {
                compared = names
                    .split(',')
                    .map(|n| n.trim().to_ascii_lowercase())
                    .filter(|n| !n.is_empty())
                    .collect();
                continue;
            }
            total += 1;
            let raw = raw_request(line);
            let want = Answer::of(&request(next.addr, &raw), &compared);
            let got = Answer::of(&request(bext.addr, &raw), &compared);
            if want == got {
                matched += 1;
            } else {
                failures.push(format!(
                    "{name} {line}:\n  next start: {want:?}\n  bext:       {got:?}"
                ));
            }
        }
        eprintln!("nextjs: {name}: {matched} of {total} routes answer like next start");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is compared of an answer.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    set_cookies: Vec<String>,
    /// The headers the app's `@headers` line names, in that order.
    headers: Vec<(String, Option<String>)>,
    title: Option<String>,
    /// `<meta>` and `<link>` tags, normalised (see [`head_tag`]).
    head: Vec<String>,
    noindex: bool,
    links: Vec<String>,
    /// `<img>` and `<source>` tags, normalised (see [`media_tag`]).
    images: Vec<String>,
    /// Every `class` attribute, in order (`next/font`'s generated names normalised).
    classes: Vec<String>,
    text: String,
}

impl Answer {
    fn of(r: &common::Response, compared: &[String]) -> Answer {
        let body = match r.header("transfer-encoding") {
            Some(coding) if coding.eq_ignore_ascii_case("chunked") => dechunk(&r.body),
            _ => r.body.clone(),
        };
        let html = completed(&String::from_utf8_lossy(&body));
        let content_type = r.header("content-type").map(str::to_ascii_lowercase);
        let Visible {
            title,
            mut links,
            mut text,
            mut head,
            mut images,
            mut classes,
        } = visible(&html);
        if r.status >= 300 {
            links.clear();
            text.clear();
            images.clear();
            classes.clear();
        }
        module_classes(&mut classes);
        match content_type.as_deref() {
            // Untyped answers (the image optimizer's refusals): their words.
            None if !(300..400).contains(&r.status) => text = html.trim().to_owned(),
            // Images: what they are and their size (encoders differ byte for byte).
            Some(t) if t.starts_with("image/") && r.status == 200 => {
                text = match image::load_from_memory(&body) {
                    Ok(decoded) => format!(
                        "{:?} {}x{}",
                        image::guess_format(&body).ok(),
                        decoded.width(),
                        decoded.height()
                    ),
                    Err(_) => format!("{} bytes, not decoded", body.len()),
                };
            }
            _ => {}
        }
        if (300..400).contains(&r.status) {
            head.clear();
        }
        Answer {
            status: r.status,
            location: r.header("location").map(str::to_owned),
            // Parameter values are case-insensitive (`charset=UTF-8` is `charset=utf-8`).
            content_type,
            set_cookies: r
                .headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
                .map(|(_, value)| without_expiry_date(value))
                .collect(),
            headers: compared
                .iter()
                .map(|name| (name.clone(), r.header(name).map(str::to_owned)))
                .collect(),
            title: if r.status < 300 || r.status >= 400 {
                title
            } else {
                None
            },
            head,
            noindex: html.contains(r#"<meta name="robots" content="noindex"/>"#),
            links,
            images,
            classes,
            text,
        }
    }
}

/// A Set-Cookie value with its `Expires` date blanked: one computed from `Max-Age` depends on
/// the second each server answered in.
fn without_expiry_date(value: &str) -> String {
    value
        .split("; ")
        .map(|attr| {
            if attr.starts_with("Expires=") {
                "Expires=(date)"
            } else {
                attr
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A chunked body's data (RFC 9112, section 7.1; extensions and trailers ignored).
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let line = String::from_utf8_lossy(&body[..eol]);
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .expect("a chunk size");
        body = &body[eol + 2..];
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[..size.min(body.len())]);
        body = &body[(size + 2).min(body.len())..];
    }
    out
}

/// A line of `routes.txt` as a request: `path | name: value | …`.
fn raw_request(line: &str) -> String {
    let mut parts = line.split(" | ");
    let path = parts.next().unwrap_or("/").trim();
    let mut raw = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for header in parts {
        raw.push_str(header.trim());
        raw.push_str("\r\n");
    }
    raw.push_str("\r\n");
    raw
}

/// What a page shows: its title, the links (`href`s) and the text a reader sees, in order,
/// whitespace collapsed, and its `<meta>` / `<link>` tags (see [`head_tag`]).
fn visible(html: &str) -> Visible {
    let mut head = Vec::new();
    let mut images = Vec::new();
    let mut classes = Vec::new();
    let mut text = String::new();
    let mut links = Vec::new();
    let mut title = None;
    // Open Suspense boundaries, innermost last: whether each one has content.
    let mut boundaries: Vec<bool> = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open..];
        // Comments are nothing to a reader (React's `<!-- -->` between texts included),
        // except where a Suspense boundary with content begins and ends: those are kept as
        // `⟦` and `⟧`, so both servers must put the same boundaries around the same text
        // (empty ones, which Next places for its own runtime, are left out); a tag
        // separates words.
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").unwrap_or(after.len());
            let data = &after[..end];
            rest = after.get(end + 3..).unwrap_or("");
            if matches!(data, "$" | "$?" | "$!" | "$~") {
                let empty = rest.starts_with("<!--/$-->");
                boundaries.push(!empty);
                if !empty {
                    text.push_str(" ⟦ ");
                }
            } else if data == "/$" && boundaries.pop() == Some(true) {
                text.push_str(" ⟧ ");
            }
            continue;
        }
        text.push(' ');
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[1..close];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[close + 1..];
        if let Some(at) = tag.find(" class=\"") {
            let value = &tag[at + 8..];
            classes.push(font_classes(&decode(
                &value[..value.find('"').unwrap_or(value.len())],
            )));
        }
        match name.as_str() {
            "script" | "style" | "template" => {
                let end = format!("</{name}");
                rest = rest.find(&end).map_or("", |at| &rest[at..]);
                if let Some(close) = rest.find('>') {
                    rest = &rest[close + 1..];
                }
            }
            "title" => {
                let end = rest.find("</").unwrap_or(rest.len());
                title = Some(decode(&rest[..end]));
                rest = &rest[end..];
            }
            "a" => {
                if let Some(at) = tag.find("href=\"") {
                    let value = &tag[at + 6..];
                    links.push(decode(&value[..value.find('"').unwrap_or(value.len())]));
                }
            }
            "meta" | "link" => head.extend(head_tag(&name, tag)),
            "img" | "source" => images.push(media_tag(&name, tag)),
            _ => {}
        }
    }
    text.push_str(rest);
    let text = decode(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Visible {
        title,
        links,
        text,
        head,
        images,
        classes,
    }
}

/// The document as a browser shows it once React's streamed instructions have run: `next
/// start` streams a dynamic page's Suspense boundaries (`loading.tsx`) as their fallback
/// (`<!--$?--><template id="B:0"></template>…<!--/$-->`) and sends the content later in a
/// hidden `<div id="S:0">` with a script that moves it in place (`$RC("B:0","S:0")` completes
/// a boundary, `$RS("S:1","P:1")` fills a placeholder of a streamed segment). The
/// instructions are applied in the order they come, as the browser runs them, so the page is
/// compared with what a reader sees, fallback gone.
fn completed(html: &str) -> String {
    let mut doc = html.to_owned();
    for (op, first, second) in fizz_instructions(html) {
        match op {
            // $RS(segment, placeholder)
            'S' => {
                if let Some(content) = take_hidden_div(&mut doc, &first) {
                    let placeholder = format!("<template id=\"{second}\"></template>");
                    doc = doc.replacen(&placeholder, &content, 1);
                }
            }
            // $RC(boundary, segment), $RR(boundary, segment, styles)
            _ => {
                if let Some(content) = take_hidden_div(&mut doc, &second) {
                    complete_boundary(&mut doc, &first, &content);
                }
            }
        }
    }
    doc
}

/// `$RC("B:0","S:0")`, `$RR(…)` and `$RS("S:1","P:1")` calls in document order: the letter
/// and the first two arguments.
fn fizz_instructions(html: &str) -> Vec<(char, String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("$R") {
        rest = &rest[at + 2..];
        let mut chars = rest.chars();
        let (Some(op @ ('C' | 'R' | 'S')), Some('('), Some('"')) =
            (chars.next(), chars.next(), chars.next())
        else {
            continue;
        };
        let args = &rest[3..];
        let Some((first, after)) = args.split_once('"') else {
            break;
        };
        let Some(after) = after.strip_prefix(",\"") else {
            continue;
        };
        let Some((second, _)) = after.split_once('"') else {
            break;
        };
        out.push((op, first.to_owned(), second.to_owned()));
    }
    out
}

/// Removes `<div hidden id="{id}">…</div>` (nested divs matched) and returns its content.
fn take_hidden_div(doc: &mut String, id: &str) -> Option<String> {
    let open = format!("<div hidden id=\"{id}\">");
    let start = doc.find(&open)?;
    let inner = start + open.len();
    let mut depth = 0usize;
    let mut at = inner;
    loop {
        let next_open = doc[at..].find("<div").map(|i| at + i);
        let next_close = doc[at..].find("</div>").map(|i| at + i)?;
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o + 4;
            }
            _ if depth > 0 => {
                depth -= 1;
                at = next_close + 6;
            }
            _ => {
                let content = doc[inner..next_close].to_owned();
                doc.replace_range(start..next_close + 6, "");
                return Some(content);
            }
        }
    }
}

/// Replaces the pending boundary whose fallback follows `<template id="{id}">` with `content`,
/// as React's `$RC` does: the fallback goes, the boundary is marked complete (`<!--$-->`).
fn complete_boundary(doc: &mut String, id: &str, content: &str) {
    let template = format!("<template id=\"{id}\"></template>");
    let Some(at) = doc.find(&template) else {
        return;
    };
    let Some(start) = doc[..at].rfind("<!--$?-->") else {
        return;
    };
    let mut depth = 0usize;
    let mut scan = at + template.len();
    while let Some(i) = doc[scan..].find("<!--") {
        let open = scan + i + 4;
        let Some(len) = doc[open..].find("-->") else {
            return;
        };
        let data = &doc[open..open + len];
        scan = open + len + 3;
        if data == "/$" || data == "/&" {
            if depth == 0 {
                doc.replace_range(start..scan, &format!("<!--$-->{content}<!--/$-->"));
                return;
            }
            depth -= 1;
        } else if data.starts_with('$') || data == "&" {
            depth += 1;
        }
    }
}

struct Visible {
    title: Option<String>,
    links: Vec<String>,
    text: String,
    head: Vec<String>,
    images: Vec<String>,
    classes: Vec<String>,
}

/// A class list with `next/font`'s generated names (Next's `-K61Lq_className`, bext's
/// `__className_6b8d90`) as `(font)_className` / `(font)_variable`: which font is which is
/// compared through the style text and the preloads.
fn font_classes(value: &str) -> String {
    value
        .split_whitespace()
        .map(|class| {
            for kind in ["className", "variable"] {
                if class.ends_with(&format!("_{kind}")) {
                    return format!("(font)_{kind}");
                }
            }
            class.to_owned()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// CSS modules' scoped class names (`<hash>_<local>`, or `_<hash>_<local>` when the hash
/// starts with a digit; the hash lightningcss makes of the
/// file's path as each bundler names it) with each distinct hash replaced by `(css1)`,
/// `(css2)`, … in order of first appearance on the page: which module a class comes from is
/// compared, not how its path was hashed. Both sides go through the same mapping, so a plain
/// class that happens to look like one (`header_main`) still compares as itself.
fn module_classes(classes: &mut [String]) {
    let mut hashes: Vec<String> = Vec::new();
    for list in classes.iter_mut() {
        let mapped: Vec<String> = list
            .split_whitespace()
            .map(|class| {
                // A hash that would start with a digit gets a leading `_` (`_8krjIa_card`).
                let len = if class.starts_with('_') { 7 } else { 6 };
                let scoped = class.len() > len + 1
                    && class.is_char_boundary(len)
                    && class.as_bytes()[len] == b'_'
                    && class[..len]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if !scoped {
                    return class.to_owned();
                }
                let hash = &class[..len];
                let n = match hashes.iter().position(|h| h == hash) {
                    Some(i) => i + 1,
                    None => {
                        hashes.push(hash.to_owned());
                        hashes.len()
                    }
                };
                format!("(css{n}){}", &class[len..])
            })
            .collect();
        *list = mapped.join(" ");
    }
}

/// An `<img>` or `<source>` tag as compared: attributes sorted, with the two things that may
/// differ while meaning the same left out: the content hash in a static image's URL
/// (`/_next/static/media/logo.<hash>.png`, raw or percent-encoded) and the bytes of a blur
/// placeholder's data URL (its size and format are compared through the SVG around it).
fn media_tag(name: &str, tag: &str) -> String {
    let mut attrs = attributes(&tag[name.len()..]);
    for (_, value) in &mut attrs {
        *value = without_media_hash(value);
        let mut out = String::new();
        let mut rest = value.as_str();
        while let Some(at) = rest.find(";base64,") {
            out.push_str(&rest[..at + 8]);
            out.push('…');
            let after = &rest[at + 8..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
                .unwrap_or(after.len());
            rest = &after[end..];
        }
        out.push_str(rest);
        *value = out;
    }
    attrs.sort();
    let attrs: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("<{name} {}>", attrs.join(" "))
}

/// `…/_next/static/media/<stem>.<hash>.<ext>` (or `%2F`-encoded) with the hash replaced by `#`.
fn without_media_hash(value: &str) -> String {
    let mut value = value.to_owned();
    for marker in ["/_next/static/media/", "%2F_next%2Fstatic%2Fmedia%2F"] {
        let mut out = String::new();
        let mut rest = value.as_str();
        while let Some(at) = rest.find(marker) {
            out.push_str(&rest[..at + marker.len()]);
            let after = &rest[at + marker.len()..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
                .unwrap_or(after.len());
            let parts: Vec<&str> = after[..end].split('.').collect();
            if parts.len() >= 3 {
                out.push_str(&format!("{}.#.{}", parts[0], parts[parts.len() - 1]));
            } else {
                out.push_str(&after[..end]);
            }
            rest = &after[end..];
        }
        out.push_str(rest);
        value = out;
    }
    value
}

/// A `<meta>` or `<link>` tag as compared: its attributes sorted, the query of a link or of an
/// Open Graph / Twitter image URL (Next's and bext's cache-busting hashes differ) dropped.
/// Tags that only serve Next's own browser
/// runtime (stylesheets and preloads of its chunks, font size adjustment) are left out.
fn head_tag(name: &str, tag: &str) -> Option<String> {
    let mut attrs = attributes(&tag[name.len()..]);
    let get = |k: &str| {
        attrs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if name == "link" && get("rel") == Some("preload") && get("as") == Some("font") {
        // A font preload: which font is in its content-hashed name, compared as a count.
        attrs.retain(|(key, _)| key != "href");
        attrs.sort();
        let attrs: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        return Some(format!("<link {}>", attrs.join(" ")));
    }
    if name == "link" {
        let rel = get("rel").unwrap_or("");
        if matches!(
            rel,
            "stylesheet" | "preload" | "modulepreload" | "dns-prefetch" | "preconnect" | "expect"
        ) {
            return None;
        }
    }
    if get("name") == Some("next-size-adjust") {
        return None;
    }
    // Open Graph and Twitter image URLs carry the same kind of hash as icon links.
    let image_meta = matches!(
        get("property").or(get("name")),
        Some("og:image" | "twitter:image")
    );
    for (key, value) in &mut attrs {
        if (key == "href" || key == "content" && image_meta)
            && let Some(q) = value.find('?')
        {
            value.truncate(q);
        }
    }
    attrs.sort();
    let attrs: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    Some(format!("<{name} {}>", attrs.join(" ")))
}

/// A tag's attributes (after its name), values decoded.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    let mut rest = tag.trim_start();
    while !rest.is_empty() && !rest.starts_with('/') {
        let end = rest.find(['=', ' ', '/']).unwrap_or(rest.len());
        let key = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix("=\"") {
            let close = after.find('"').unwrap_or(after.len());
            value = decode(&after[..close]);
            rest = after.get(close + 1..).unwrap_or("");
        }
        rest = rest.trim_start();
        if !key.is_empty() {
            attrs.push((key, value));
        }
    }
    attrs
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The harness's own reading of a page, on markup as `next start` sends it.
#[test]
fn streamed_boundaries_are_read_as_the_browser_completes_them() {
    let check = |html: &str, expect: &str| assert_eq!(visible(&completed(html)).text, expect);
    // A dynamic page under loading.tsx (tests/nextjs/apps/loading /nested): the fallback, then
    // the boundary's content with a streamed segment of its own.
    check(
        concat!(
            r#"<body><div hidden=""><!--$--><!--/$--></div><header>Home</header>"#,
            r#"<!--$?--><template id="B:0"></template><p>Loading the page…</p><!--/$-->"#,
            r#"<footer>Loading app</footer><div hidden id="S:0"><article>"#,
            r#"<template id="P:1"></template><!--$--><!--/$--></article></div>"#,
            r#"<div hidden id="S:1"><p>The nested page</p></div>"#,
            r#"<script>$RS=function(a,b){};$RS("S:1","P:1")</script>"#,
            r#"<script>$RC=function(a,b){};$RC("B:0","S:0")</script></body>"#
        ),
        "Home ⟦ The nested page ⟧ Loading app",
    );
    // Boundaries completed before the HTML was sent, nested, and Next's empty ones.
    check(
        r#"<!--$--><article><!--$--><p>Deep</p><!--$--><!--/$--><!--/$--></article><!--/$-->"#,
        "⟦ ⟦ Deep ⟧ ⟧",
    );
    // A boundary never completed keeps its fallback, as the browser would show it.
    check(
        r#"<!--$?--><template id="B:0"></template><p>Wait</p><!--/$-->"#,
        "⟦ Wait ⟧",
    );
}
