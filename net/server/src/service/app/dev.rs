//! A dev server's additions to rendered pages: the script that reloads the tab when a new
//! build is loaded, and the error overlay shown instead of the app's error page.

use bytes::Bytes;

use bext_render::load::LoadedApp;
use bext_render::renderer::{RenderFailure, RenderedPage};

/// The dev server's script (it marks `<html data-bext-dev="open">` once listening): reload the
/// tab when a new build is loaded; when only stylesheets
/// changed (`styles`), fetch the page again, link its stylesheets in order after the current
/// ones, and drop the old ones once the new have loaded: styles change, the page's state and
/// scroll position stay.
pub(crate) const DEV_RELOAD_SCRIPT: &str = concat!(
    "<script>(function(){var s=new EventSource(\"/__bext/dev/events\");",
    "s.onopen=function(){document.documentElement.setAttribute(\"data-bext-dev\",\"open\");};",
    "s.addEventListener(\"reload\",function(){s.close();location.reload();});",
    "s.addEventListener(\"styles\",function(){",
    "fetch(location.href,{cache:\"no-store\"}).then(function(r){return r.text();}).then(function(t){",
    "var q='link[rel=\"stylesheet\"][data-precedence]';",
    "var d=new DOMParser().parseFromString(t,\"text/html\");",
    "var old=[].slice.call(document.querySelectorAll(q));",
    "var fresh=[].slice.call(d.querySelectorAll(q));",
    "var left=fresh.length;",
    "var done=function(){if(--left>0)return;old.forEach(function(l){l.remove();});",
    "document.documentElement.setAttribute(\"data-bext-styles\",String(Date.now()));};",
    "if(left===0){left=1;done();return;}",
    "fresh.forEach(function(f){var l=document.createElement(\"link\");l.rel=\"stylesheet\";",
    "l.href=f.getAttribute(\"href\");l.setAttribute(\"data-precedence\",f.getAttribute(\"data-precedence\"));",
    "l.onload=l.onerror=done;document.head.appendChild(l);});",
    "}).catch(function(){location.reload();});});",
    "})();</script>"
);

/// The page every page route answers while the browser build of the app's client components
/// is broken (`LoadedApp::client_failure`): a failed render carrying the build's error, which
/// the dev server shows as its overlay (the rest of the app still loaded, so the server keeps
/// answering and reloads the tab after the fix).
pub(crate) fn client_build_failure(app: &LoadedApp) -> Option<RenderedPage> {
    let message = app.client_failure.as_ref()?;
    Some(RenderedPage {
        status: 500,
        headers: Vec::new(),
        body: Bytes::new(),
        revalidate: None,
        dynamic: true,
        tags: Vec::new(),
        error: Some(RenderFailure {
            message: message.clone(),
            stack: String::new(),
            digest: String::new(),
        }),
    })
}

/// Dev mode: the reload script goes in before `</body>` (or at the end), and a failed render
/// becomes an overlay page showing the error and its code frame instead of the app's error
/// page.
pub(crate) fn dev_transform(page: &mut RenderedPage, route: &str) {
    if let Some(failure) = &page.error {
        let html = overlay(route, &failure.message, &failure.stack);
        page.body = Bytes::from(html);
        page.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        page.headers.push((
            String::from("content-type"),
            String::from("text/html; charset=utf-8"),
        ));
        return;
    }
    let is_html = page.headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().starts_with("text/html")
    });
    if !is_html {
        return;
    }
    let body = String::from_utf8_lossy(&page.body);
    let at = body.rfind("</body>").unwrap_or(body.len());
    let mut html = String::with_capacity(body.len() + DEV_RELOAD_SCRIPT.len());
    html.push_str(&body[..at]);
    html.push_str(DEV_RELOAD_SCRIPT);
    html.push_str(&body[at..]);
    page.body = Bytes::from(html);
}

/// The dev error overlay: what failed, where, and the code frame, escaped.
pub(crate) fn overlay(route: &str, message: &str, stack: &str) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>bext dev: error</title><style>\
         body{margin:0;font:14px/1.5 ui-monospace,Menlo,monospace;background:#1e1e1e;color:#eee}\
         .o{max-width:960px;margin:40px auto;padding:24px;border-top:4px solid #e5484d;background:#2a2a2a}\
         h1{font-size:18px;color:#ff6369;margin:0 0 8px}pre{white-space:pre-wrap;background:#111;padding:16px;overflow:auto}\
         .r{color:#999}</style></head><body><div class=\"o\" id=\"bext-dev-overlay\"><h1>",
    );
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    escape_into(&mut html, first);
    html.push_str("</h1><p class=\"r\">while rendering ");
    escape_into(&mut html, route);
    html.push_str("</p>");
    if !rest.trim().is_empty() {
        html.push_str("<pre class=\"frame\">");
        escape_into(&mut html, rest);
        html.push_str("</pre>");
    }
    if !stack.trim().is_empty() {
        html.push_str("<pre class=\"stack\">");
        escape_into(&mut html, stack);
        html.push_str("</pre>");
    }
    html.push_str("<p class=\"r\">Fix the file and save: this page reloads.</p></div>");
    html.push_str(DEV_RELOAD_SCRIPT);
    html.push_str("</body></html>");
    html
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(status: u16) -> RenderedPage {
        RenderedPage {
            status,
            headers: vec![(String::from("content-type"), String::from("text/html"))],
            body: Bytes::from_static(b"<html><body>x</body></html>"),
            revalidate: Some(60),
            dynamic: false,
            tags: vec![],
            error: None,
        }
    }

    #[test]
    fn dev_injects_the_reload_script_and_shows_errors_as_an_overlay() {
        let mut p = page(200);
        dev_transform(&mut p, "/x");
        let body = String::from_utf8(p.body.to_vec()).unwrap();
        assert!(
            body.ends_with(&format!("x{DEV_RELOAD_SCRIPT}</body></html>")),
            "{body}"
        );
        let mut failed = page(500);
        failed.error = Some(bext_render::renderer::RenderFailure {
            message: String::from("app/page.tsx:3:7: Unexpected token\n  3 | let <\n    |     ^"),
            stack: String::new(),
            digest: String::new(),
        });
        dev_transform(&mut failed, "/p");
        let body = String::from_utf8(failed.body.to_vec()).unwrap();
        assert!(
            body.contains("<h1>app/page.tsx:3:7: Unexpected token</h1>"),
            "{body}"
        );
        assert!(body.contains("3 | let &lt;"), "{body}");
    }
}
