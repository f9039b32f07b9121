//! Route handlers: Fetch API Request in, Response out; 405 with Allow; HEAD through GET; the
//! cache rules for handlers (dynamic unless they opt in) and X-Cache-Tags.

mod renderer_support;

use bext_render::renderer::RenderedPage;
use renderer_support::*;

const API: &str = r#"
__bext_define("app/api/items/route.ts", function (module, exports, require) {
  exports.__esModule = true;
  const GET = (request, { params }) => {
    const url = new URL(request.url);
    return Response.json({ q: url.searchParams.get("q"), host: url.host, id: params.id || null, ua: request.headers.get("user-agent") },
      { headers: { "X-Cache-Tags": "items, list", "x-extra": "1" } });
  };
  const POST = async (request) => {
    const body = await request.json();
    return new Response(JSON.stringify({ created: body.name }), { status: 201, headers: { "content-type": "application/json" } });
  };
  __bext_export(exports, { GET: () => GET, POST: () => POST, revalidate: () => 120 });
});
__bext_define("app/api/session/route.ts", function (module, exports, require) {
  exports.__esModule = true;
  const { cookies } = require("bext/server");
  const PUT = async (request) => {
    const form = await request.formData();
    cookies().set("session", form.get("user"), { httpOnly: true, sameSite: "lax", maxAge: 60 });
    return new Response(null, { status: 204 });
  };
  const GET = () => new Response("hello " + (cookies().get("session") || { value: "nobody" }).value);
  __bext_export(exports, { PUT: () => PUT, GET: () => GET });
});
__bext_define("app/api/fail/route.ts", function (module, exports, require) {
  exports.__esModule = true;
  const GET = async () => { throw new Error("handler exploded"); };
  const POST = () => ({ not: "a response" });
  const DELETE = () => require("bext/server").redirect("/elsewhere");
  __bext_export(exports, { GET: () => GET, POST: () => POST, DELETE: () => DELETE });
});
"#;

const ITEMS: usize = 0;
const SESSION: usize = 1;
const FAIL: usize = 2;

fn api() -> bext_render::renderer::Renderer {
    app(
        API,
        &[
            handler_route("app/api/items/route.ts"),
            handler_route("app/api/session/route.ts"),
            handler_route("app/api/fail/route.ts"),
        ],
    )
}

fn call(
    r: &mut bext_render::renderer::Renderer,
    method: &str,
    route: usize,
    url: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> RenderedPage {
    let mut req = get(1, route, url);
    req.method = method.into();
    req.body = body.map(str::to_owned);
    req.headers
        .extend(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    render(r, req)
}

#[test]
fn get_returns_json_and_x_cache_tags_become_tags() {
    let mut r = api();
    let page = call(
        &mut r,
        "GET",
        ITEMS,
        "/api/items?q=a%20b",
        None,
        &[("user-agent", "t/1")],
    );
    assert_eq!(page.status, 200);
    assert_eq!(
        body(&page),
        r#"{"q":"a b","host":"example.test","id":null,"ua":"t/1"}"#
    );
    assert_eq!(
        page.headers,
        // Response.json adds its content-type after the headers it was given.
        vec![
            ("x-extra".to_owned(), "1".to_owned()),
            ("content-type".to_owned(), "application/json".to_owned())
        ]
    );
    assert_eq!(page.tags, vec!["items".to_owned(), "list".to_owned()]);
    assert_eq!(page.revalidate, Some(120));
    assert!(
        !page.dynamic,
        "a GET handler that opted in with revalidate is cacheable"
    );
}

#[test]
fn post_reads_a_json_body_and_is_never_cached() {
    let mut r = api();
    let page = call(
        &mut r,
        "POST",
        ITEMS,
        "/api/items",
        Some(r#"{"name":"widget"}"#),
        &[("content-type", "application/json")],
    );
    assert_eq!(page.status, 201);
    assert_eq!(body(&page), r#"{"created":"widget"}"#);
    assert!(page.dynamic);
}

#[test]
fn a_missing_method_is_405_with_allow_and_options_is_204() {
    let mut r = api();
    let page = call(&mut r, "DELETE", ITEMS, "/api/items", None, &[]);
    assert_eq!(page.status, 405);
    assert_eq!(header(&page, "allow"), Some("GET, HEAD, POST, OPTIONS"));
    assert_eq!(body(&page), "");
    let page = call(&mut r, "OPTIONS", ITEMS, "/api/items", None, &[]);
    assert_eq!(page.status, 204);
    assert_eq!(header(&page, "allow"), Some("GET, HEAD, POST, OPTIONS"));
}

#[test]
fn head_falls_back_to_get_without_a_body() {
    let mut r = api();
    let page = call(&mut r, "HEAD", ITEMS, "/api/items?q=x", None, &[]);
    assert_eq!(page.status, 200);
    assert_eq!(body(&page), "");
    assert_eq!(header(&page, "content-type"), Some("application/json"));
}

#[test]
fn handlers_set_and_read_cookies_and_are_dynamic_by_default() {
    let mut r = api();
    let page = call(
        &mut r,
        "PUT",
        SESSION,
        "/api/session",
        Some("user=ada+l"),
        &[("content-type", "application/x-www-form-urlencoded")],
    );
    assert_eq!(page.status, 204);
    assert_eq!(
        header(&page, "set-cookie"),
        Some("session=ada%20l; Path=/; Max-Age=60; HttpOnly; SameSite=Lax")
    );
    let page = call(
        &mut r,
        "GET",
        SESSION,
        "/api/session",
        None,
        &[("cookie", "session=bob")],
    );
    assert_eq!(body(&page), "hello bob");
    assert_eq!(
        header(&page, "content-type"),
        Some("text/plain;charset=UTF-8")
    );
    assert!(page.dynamic);
}

#[test]
fn handler_failures_are_500_text_with_the_error_reported() {
    let mut r = api();
    let page = call(&mut r, "GET", FAIL, "/api/fail", None, &[]);
    assert_eq!(page.status, 500);
    assert_eq!(body(&page), "Internal Server Error");
    assert_eq!(page.error.expect("reported").message, "handler exploded");
    assert!(page.dynamic);

    let page = call(&mut r, "POST", FAIL, "/api/fail", None, &[]);
    assert_eq!(page.status, 500);
    assert!(
        page.error
            .expect("reported")
            .message
            .contains("did not return a Response")
    );

    let page = call(&mut r, "DELETE", FAIL, "/api/fail", None, &[]);
    assert_eq!(page.status, 307);
    assert_eq!(header(&page, "location"), Some("/elsewhere"));
}
