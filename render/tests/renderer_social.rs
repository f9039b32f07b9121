//! Open Graph and Twitter tags: a folder's image files (`__bext_social_images`, as the loader
//! sets them) merged with the segments' metadata in Next's order (render/js/metadata_social.js).

mod renderer_support;

use renderer_support::*;

const MODULES: &str = r#"
__bext_social_images({
  "app/": {
    "openGraph": [{ "url": "/opengraph-image.png?h", "type": "image/png", "width": 120, "height": 63, "alt": "Root card" }],
    "twitter": [{ "url": "/twitter-image.png?h", "type": "image/png", "width": 80, "height": 40 }]
  },
  "app/own/": { "openGraph": [{ "url": "/own/opengraph-image.png?h", "type": "image/png", "width": 60, "height": 30 }] }
});
__bext_define("app/plain/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>plain</p>'), metadata: () => ({ title: "Plain" }) });
});
__bext_define("app/own/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  var metadata = { title: "Own", openGraph: { title: "Own card" } };
  __bext_export(exports, { default: () => () => h('<p>own</p>'), metadata: () => metadata });
});
__bext_define("app/named/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  var metadata = { metadataBase: new URL("https://cdn.example/base/"), openGraph: { images: ["/picked.png"] }, twitter: { card: "summary", site: "@acme" } };
  __bext_export(exports, { default: () => () => h('<p>named</p>'), metadata: () => metadata });
});
__bext_define("app/bare/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>bare</p>'), metadata: () => ({ openGraph: { type: "website" } }) });
});
"#;

const ROOT_OG: &str = r#"<meta property="og:image" content="http://localhost:3000/opengraph-image.png?h"/><meta property="og:image:type" content="image/png"/><meta property="og:image:width" content="120"/><meta property="og:image:height" content="63"/><meta property="og:image:alt" content="Root card"/>"#;
const ROOT_TWITTER: &str = r#"<meta name="twitter:image" content="http://localhost:3000/twitter-image.png?h"/><meta name="twitter:image:type" content="image/png"/><meta name="twitter:image:width" content="80"/><meta name="twitter:image:height" content="40"/>"#;

/// Renders route `route` of the app and checks the tags after the root layout's description.
fn check(route: usize, url: &str, expect: &str) {
    let mut r = app(
        MODULES,
        &[
            page_route("app/plain/page.tsx"),
            page_route("app/own/page.tsx"),
            page_route("app/named/page.tsx"),
            page_route("app/bare/page.tsx"),
        ],
    );
    let page = render(&mut r, get(1, route, url));
    let html = body(&page);
    let after = r#"<meta name="description" content="Things &amp; stuff"/>"#;
    let start = html.find(after).expect("the root description") + after.len();
    let end = html.find("</head>").expect("a head");
    assert_eq!(&html[start..end], expect, "{url}");
}

#[test]
fn root_files_fill_open_graph_and_twitter_inheriting_title_and_description() {
    check(
        0,
        "/plain",
        &format!(
            r#"<meta property="og:title" content="Plain · Acme"/><meta property="og:description" content="Things &amp; stuff"/>{ROOT_OG}<meta name="twitter:card" content="summary_large_image"/><meta name="twitter:title" content="Plain · Acme"/><meta name="twitter:description" content="Things &amp; stuff"/>{ROOT_TWITTER}"#
        ),
    );
}

#[test]
fn a_folder_s_files_apply_again_after_its_page_s_own_open_graph() {
    // The page's openGraph (no images) replaces the root's whole; its folder's file comes
    // back after it, and Twitter keeps the root's file.
    check(
        1,
        "/own",
        &format!(
            r#"<meta property="og:title" content="Own card"/><meta property="og:description" content="Things &amp; stuff"/><meta property="og:image" content="http://localhost:3000/own/opengraph-image.png?h"/><meta property="og:image:type" content="image/png"/><meta property="og:image:width" content="60"/><meta property="og:image:height" content="30"/><meta name="twitter:card" content="summary_large_image"/><meta name="twitter:title" content="Own card"/><meta name="twitter:description" content="Things &amp; stuff"/>{ROOT_TWITTER}"#
        ),
    );
}

#[test]
fn images_named_by_the_page_win_and_resolve_against_metadata_base() {
    // The page's own images replace the root's file; Twitter, replaced by the page's own
    // (no images), takes them from Open Graph and keeps its card.
    check(
        2,
        "/named",
        r#"<meta property="og:title" content="Acme"/><meta property="og:description" content="Things &amp; stuff"/><meta property="og:image" content="https://cdn.example/base/picked.png"/><meta name="twitter:card" content="summary"/><meta name="twitter:site" content="@acme"/><meta name="twitter:title" content="Acme"/><meta name="twitter:description" content="Things &amp; stuff"/><meta name="twitter:image" content="https://cdn.example/base/picked.png"/>"#,
    );
}

#[test]
fn an_open_graph_without_images_below_drops_the_files_above_but_twitter_keeps_its_own() {
    check(
        3,
        "/bare",
        &format!(
            r#"<meta property="og:title" content="Acme"/><meta property="og:description" content="Things &amp; stuff"/><meta property="og:type" content="website"/><meta name="twitter:card" content="summary_large_image"/><meta name="twitter:title" content="Acme"/><meta name="twitter:description" content="Things &amp; stuff"/>{ROOT_TWITTER}"#
        ),
    );
}
