//! Pages: layouts, metadata, loaders, params and searchParams, notFound/redirect/throws, and
//! the cache facts (revalidate, dynamic, tags) of the `done` record.

mod renderer_support;

use bext_render::renderer::RenderedPage;
use renderer_support::*;

const BLOG: &str = r#"
__bext_define("app/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const Home = () => h('<h1>Home</h1>');
  __bext_export(exports, { default: () => Home, metadata: () => ({ title: "Home" }), revalidate: () => 60, tags: () => ["home"] });
});
__bext_define("app/blog/layout.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const BlogLayout = (p) => h('<section class="blog" data-slug="' + esc(p.params.slug || "") + '">' + html(p.children) + '</section>');
  __bext_export(exports, { default: () => BlogLayout, metadata: () => ({ openGraph: { type: "article" } }) });
});
__bext_define("app/blog/not-found.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>No such post</p>') });
});
__bext_define("app/blog/[slug]/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const server = require("bext/server");
  async function loader({ params }) {
    await null;
    if (params.slug === "missing") server.notFound();
    if (params.slug === "moved") server.redirect("/blog/new-home");
    if (params.slug === "gone") server.permanentRedirect("/");
    return { title: params.slug.toUpperCase() };
  }
  const Post = ({ data }) => h('<article><h2>' + esc(data.title) + '</h2></article>');
  async function generateMetadata({ params, data }) {
    return { title: data.title, openGraph: { title: data.title + " <3", images: [{ url: "/og/" + params.slug + ".png", width: 1200 }] } };
  }
  __bext_export(exports, { default: () => Post, loader: () => loader, generateMetadata: () => generateMetadata, revalidate: () => 30, tags: () => ["posts"] });
});
__bext_define("app/search/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const Search = ({ searchParams }) => h('<p>' + esc(JSON.stringify(searchParams)) + '</p>');
  __bext_export(exports, { default: () => Search });
});
__bext_define("app/docs/[[...path]]/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const loader = ({ params }) => ({ path: params.path.join("/") || "(index)" });
  __bext_export(exports, { default: () => ({ data }) => h('<p>' + esc(data.path) + '</p>'), loader: () => loader });
});
__bext_define("app/boom/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const loader = () => { throw new TypeError("db down <script>"); };
  __bext_export(exports, { default: () => () => h('never'), loader: () => loader });
});
__bext_define("app/blog/error.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => (p) => h('<p>blog failed: ' + esc(p.error.message) + '</p>') });
});
__bext_define("app/blog/broken/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => async () => { await null; throw new Error("async component failed"); } });
});
__bext_define("app/me/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const { cookies, headers } = require("bext/server");
  const Me = () => {
    const user = cookies().get("user");
    return h('<p>' + esc(user ? user.value : "anon") + ' ' + esc(headers().get("accept-language") || "") + '</p>');
  };
  __bext_export(exports, { default: () => Me });
});
__bext_define("app/live/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>live</p>'), dynamic: () => "force-dynamic", revalidate: () => 5 });
});
__bext_define("app/zero/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>zero</p>'), revalidate: () => 0 });
});
__bext_define("app/modules/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const a = require("lib/a.js");
  const legacy = __bext_default(require("node_modules/legacy/index.js"));
  const data = require("lib/data.json");
  const React = __bext_default(require("react"));
  const Page = () => h('<p>' + a.fromB() + ' ' + legacy(2) + ' ' + data.name + ' ' + React.useState(7)[0] + '</p>');
  __bext_export(exports, { default: () => Page });
});
__bext_define("lib/a.js", function (module, exports, require) {
  exports.__esModule = true;
  const b = require("lib/b.js");
  const name = "a";
  __bext_export(exports, { name: () => name, fromB: () => b.callA });
});
__bext_define("lib/b.js", function (module, exports, require) {
  exports.__esModule = true;
  const a = require("lib/a.js"); // a cycle: a's exports are still being filled in
  const callA = () => "b saw " + a.name;
  __bext_export(exports, { callA: () => callA });
});
__bext_define("node_modules/legacy/index.js", function (module, exports, require) {
  module.exports = function double(x) { return x * 2; };
});
__bext_define("lib/data.json", function (module, exports, require) { module.exports = {"name": "json"}; });
__bext_define("app/broken/page.tsx", function () {
  throw __bext_compile_error({ path: "app/broken/page.tsx", line: 3, column: 7, message: "Unexpected token", frame: "  3 | let = ;\n    |       ^" });
});
"#;

const HOME: usize = 0;
const POST: usize = 1;
const SEARCH: usize = 2;
const DOCS: usize = 3;
const BOOM: usize = 4;
const BROKEN_POST: usize = 5;
const ME: usize = 6;
const LIVE: usize = 7;
const ZERO: usize = 8;
const MODULES: usize = 9;
const COMPILE_ERROR: usize = 10;
const FALLBACK: usize = 11;

fn blog_route(page: &str) -> String {
    format!(
        r#"{{"page":"{page}","handler":null,"layouts":["app/layout.tsx","app/blog/layout.tsx"],"notFound":"app/blog/not-found.tsx","error":"app/blog/error.tsx"}}"#
    )
}

fn blog() -> bext_render::renderer::Renderer {
    app(
        BLOG,
        &[
            page_route("app/page.tsx"),
            blog_route("app/blog/[slug]/page.tsx"),
            page_route("app/search/page.tsx"),
            page_route("app/docs/[[...path]]/page.tsx"),
            page_route("app/boom/page.tsx"),
            blog_route("app/blog/broken/page.tsx"),
            page_route("app/me/page.tsx"),
            page_route("app/live/page.tsx"),
            page_route("app/zero/page.tsx"),
            page_route("app/modules/page.tsx"),
            page_route("app/broken/page.tsx"),
            r#"{"page":null,"handler":null,"layouts":["app/layout.tsx"],"notFound":"app/not-found.tsx","error":"app/error.tsx"}"#.to_owned(),
        ],
    )
}

/// What a test states about a page: status, body, and the cache facts.
struct Expect<'a> {
    status: u16,
    body: &'a str,
    revalidate: Option<u32>,
    dynamic: bool,
    tags: &'a [&'a str],
}

fn check(page: &RenderedPage, expect: Expect<'_>) {
    assert_eq!(body(page), expect.body);
    assert_eq!(page.status, expect.status, "status");
    assert_eq!(page.revalidate, expect.revalidate, "revalidate");
    assert_eq!(page.dynamic, expect.dynamic, "dynamic");
    assert_eq!(page.tags, expect.tags, "tags");
}

fn doc(head: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head>{ROOT_HEAD}{NEXT_HEAD}{head}</head><body>{body}</body></html>"#
    )
}

/// What Next writes first in every head: the charset and the default viewport.
const NEXT_HEAD: &str = r#"<meta charSet="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>"#;

const ROOT_META: &str = r#"<meta name="description" content="Things &amp; stuff"/>"#;

#[test]
fn static_page_in_the_root_layout_with_metadata() {
    let mut r = blog();
    let page = render(&mut r, get(1, HOME, "/"));
    // The root layout's title template is for the segments below it, not for the page in its
    // own folder (`next start` answers the mdx-docs harness app's `/` so).
    let expect = doc(&format!("<title>Home</title>{ROOT_META}"), "<h1>Home</h1>");
    check(
        &page,
        Expect {
            status: 200,
            body: &expect,
            revalidate: Some(60),
            dynamic: false,
            tags: &["home"],
        },
    );
    assert_eq!(
        header(&page, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.error, None);
}

#[test]
fn async_loader_in_nested_layouts_with_generated_metadata() {
    let mut r = blog();
    let mut req = get(2, POST, "/blog/hello");
    req.params = vec![one("slug", "hello")];
    let page = render(&mut r, req);
    let head = format!(
        "<title>HELLO · Acme</title>{ROOT_META}\
         <meta property=\"og:title\" content=\"HELLO &lt;3\"/>\
         <meta property=\"og:description\" content=\"Things &amp; stuff\"/>\
         <meta property=\"og:image\" content=\"http://localhost:3000/og/hello.png\"/>\
         <meta property=\"og:image:width\" content=\"1200\"/>\
         <meta name=\"twitter:card\" content=\"summary_large_image\"/>\
         <meta name=\"twitter:title\" content=\"HELLO &lt;3\"/>\
         <meta name=\"twitter:description\" content=\"Things &amp; stuff\"/>\
         <meta name=\"twitter:image\" content=\"http://localhost:3000/og/hello.png\"/>\
         <meta name=\"twitter:image:width\" content=\"1200\"/>"
    );
    let expect = doc(
        &head,
        r#"<section class="blog" data-slug="hello"><article><h2>HELLO</h2></article></section>"#,
    );
    check(
        &page,
        Expect {
            status: 200,
            body: &expect,
            revalidate: Some(30),
            dynamic: false,
            tags: &["posts"],
        },
    );
}

#[test]
fn search_params_are_parsed_and_make_the_page_dynamic() {
    let mut r = blog();
    let page = render(
        &mut r,
        get(3, SEARCH, "/search?q=a+b&tag=x&tag=y&e=%C3%A9#frag"),
    );
    let json = r#"{&quot;q&quot;:&quot;a b&quot;,&quot;tag&quot;:[&quot;x&quot;,&quot;y&quot;],&quot;e&quot;:&quot;é&quot;}"#;
    let expect = doc(
        &format!("<title>Acme</title>{ROOT_META}"),
        &format!("<p>{json}</p>"),
    );
    check(
        &page,
        Expect {
            status: 200,
            body: &expect,
            revalidate: None,
            dynamic: true,
            tags: &[],
        },
    );
}

#[test]
fn catch_all_params_arrive_as_arrays() {
    let mut r = blog();
    let mut req = get(4, DOCS, "/docs/a/b");
    req.params = vec![many("path", &["a", "b"])];
    assert!(body(&render(&mut r, req)).contains("<body><p>a/b</p></body>"));
    let mut req = get(5, DOCS, "/docs");
    req.params = vec![many("path", &[])];
    assert!(body(&render(&mut r, req)).contains("<body><p>(index)</p></body>"));
}

#[test]
fn not_found_renders_the_nearest_not_found_inside_its_layouts() {
    let mut r = blog();
    let mut req = get(6, POST, "/blog/missing");
    req.params = vec![one("slug", "missing")];
    let page = render(&mut r, req);
    let head = format!(
        r#"<meta name="robots" content="noindex"/><title>Acme</title>{ROOT_META}<meta property="og:title" content="Acme"/><meta property="og:description" content="Things &amp; stuff"/><meta property="og:type" content="article"/><meta name="twitter:card" content="summary"/><meta name="twitter:title" content="Acme"/><meta name="twitter:description" content="Things &amp; stuff"/>"#
    );
    let expect = doc(
        &head,
        r#"<section class="blog" data-slug="missing"><p>No such post</p></section>"#,
    );
    check(
        &page,
        Expect {
            status: 404,
            body: &expect,
            revalidate: Some(30),
            dynamic: false,
            tags: &["posts"],
        },
    );
}

#[test]
fn unmatched_paths_render_the_root_not_found() {
    let mut r = blog();
    let page = render(&mut r, get(7, FALLBACK, "/nowhere"));
    let expect = doc(
        &format!(r#"<meta name="robots" content="noindex"/><title>Acme</title>{ROOT_META}"#),
        "<h1>Not here</h1>",
    );
    check(
        &page,
        Expect {
            status: 404,
            body: &expect,
            revalidate: None,
            dynamic: false,
            tags: &[],
        },
    );
}

#[test]
fn redirects_answer_with_location() {
    let mut r = blog();
    for (slug, status, location) in [("moved", 307, "/blog/new-home"), ("gone", 308, "/")] {
        let mut req = get(8, POST, &format!("/blog/{slug}"));
        req.params = vec![one("slug", slug)];
        let page = render(&mut r, req);
        assert_eq!(page.status, status);
        assert_eq!(header(&page, "location"), Some(location));
        assert_eq!(body(&page), "");
        assert_eq!(page.error, None);
    }
}

#[test]
fn a_throwing_loader_renders_error_tsx_with_500_and_never_the_stack() {
    let mut r = blog();
    let page = render(&mut r, get(9, BOOM, "/boom"));
    let failure = page
        .error
        .clone()
        .expect("the failure is reported for the log");
    assert_eq!(failure.message, "db down <script>");
    assert!(
        failure.stack.contains("loader"),
        "stack names the loader: {}",
        failure.stack
    );
    let expect = doc(
        &format!(r#"<meta name="robots" content="noindex"/><title>Acme</title>{ROOT_META}"#),
        &format!(
            "<h1>Something went wrong</h1><p>{OMITTED_MESSAGE}</p><small>{}</small>",
            failure.digest
        ),
    );
    check(
        &page,
        Expect {
            status: 500,
            body: &expect,
            revalidate: None,
            dynamic: true,
            tags: &[],
        },
    );
    let first_stack_line = failure.stack.lines().next().unwrap_or_default().trim();
    assert!(!body(&page).contains(first_stack_line));
}

#[test]
fn an_async_component_failure_uses_the_nearest_error_page_inside_its_layouts() {
    let mut r = blog();
    let page = render(&mut r, get(10, BROKEN_POST, "/blog/broken"));
    assert_eq!(page.status, 500);
    assert_eq!(
        page.error.as_ref().expect("reported").message,
        "async component failed"
    );
    assert!(
        body(&page).contains(&format!(r#"<body><section class="blog" data-slug=""><p>blog failed: {OMITTED_MESSAGE}</p></section></body>"#)),
        "{}",
        body(&page)
    );
}

#[test]
fn cookies_and_headers_are_read_and_make_the_page_dynamic() {
    let mut r = blog();
    let mut req = get(11, ME, "/me");
    req.headers
        .push(("cookie".into(), "theme=dark; user=ada%20l".into()));
    req.headers.push(("accept-language".into(), "fr".into()));
    let page = render(&mut r, req);
    let expect = doc(
        &format!("<title>Acme</title>{ROOT_META}"),
        "<p>ada l fr</p>",
    );
    check(
        &page,
        Expect {
            status: 200,
            body: &expect,
            revalidate: None,
            dynamic: true,
            tags: &[],
        },
    );
    // Without the cookie: the same page, another answer.
    assert!(body(&render(&mut r, get(12, ME, "/me"))).contains("<p>anon </p>"));
}

#[test]
fn force_dynamic_and_revalidate_zero_are_dynamic() {
    let mut r = blog();
    let live = render(&mut r, get(13, LIVE, "/live"));
    assert!(live.dynamic);
    assert_eq!(live.revalidate, Some(5));
    let zero = render(&mut r, get(14, ZERO, "/zero"));
    assert!(zero.dynamic);
    assert_eq!(zero.revalidate, Some(0));
}

#[test]
fn module_registry_cycles_commonjs_json_and_builtins() {
    let mut r = blog();
    let page = render(&mut r, get(15, MODULES, "/modules"));
    assert!(
        body(&page).contains("<body><p>b saw a 4 json 7</p></body>"),
        "{}",
        body(&page)
    );
}

#[test]
fn a_module_that_failed_to_compile_renders_the_error_page_with_the_diagnostic() {
    let mut r = blog();
    let page = render(&mut r, get(16, COMPILE_ERROR, "/broken"));
    assert_eq!(page.status, 500);
    let failure = page.error.expect("reported");
    assert!(
        failure
            .message
            .starts_with("app/broken/page.tsx:3:7: Unexpected token\n  3 | let = ;"),
        "{}",
        failure.message
    );
    // And again: a failed module is not cached as loaded.
    assert_eq!(
        render(&mut r, get(17, COMPILE_ERROR, "/broken")).status,
        500
    );
}

#[test]
fn every_compiled_in_engine_renders_the_same_pages() {
    let modules = format!(
        "{ROOT}\n{BLOG}\n{}",
        routes(&[
            page_route("app/page.tsx"),
            blog_route("app/blog/[slug]/page.tsx"),
            page_route("app/search/page.tsx"),
            page_route("app/boom/page.tsx")
        ])
    );
    let mut reference = blog();
    for &kind in bext_engine::available() {
        let mut r = bext_render::renderer::Renderer::new(
            bundle_with(&prism(), &modules),
            kind,
            limits(2_000),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        for (route, url, slug) in [
            (0, "/", None),
            (1, "/blog/x", Some("x")),
            (2, "/search?a=1&a=2", None),
            (3, "/boom", None),
        ] {
            let mut req = get(1, route, url);
            let mut expected_req = get(1, [HOME, POST, SEARCH, BOOM][route], url);
            if let Some(slug) = slug {
                req.params = vec![one("slug", slug)];
                expected_req.params = req.params.clone();
            }
            let page = render(&mut r, req);
            let expected = render(&mut reference, expected_req);
            // The digest hashes the stack, which each engine words its own way.
            let without_digest = |p: &RenderedPage| match &p.error {
                Some(failure) => body(p).replace(&failure.digest, "DIGEST"),
                None => body(p).to_owned(),
            };
            assert_eq!(
                without_digest(&page),
                without_digest(&expected),
                "{} {url}",
                kind.name()
            );
            assert_eq!(
                (page.status, page.dynamic, page.revalidate),
                (expected.status, expected.dynamic, expected.revalidate)
            );
        }
    }
}
