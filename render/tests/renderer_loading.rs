//! `loading.tsx`: a Suspense boundary in the wrapper chain (`layouts`, after its folder's
//! layout and template). Rendered with `start` (as the ISR cache renders pages), each boundary
//! arrives complete, as React writes one (`<!--$-->…<!--/$-->`), and the fallback never shows
//! (`renderer_streaming.rs` has the streamed renders). Where the boundary sits
//! relative to the folder's error and not-found pages is Next's: not-found inside it, error
//! outside it.

mod renderer_support;

use renderer_support::*;

const MODULES: &str = r#"
__bext_define("app/loading.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>root loading</p>') });
});
__bext_define("app/shop/layout.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => (p) => h('<section>' + html(p.children) + '</section>') });
});
__bext_define("app/shop/template.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => (p) => h('<div class="t">' + html(p.children) + '</div>') });
});
__bext_define("app/shop/loading.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>shop loading</p>') });
});
__bext_define("app/shop/error.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => (p) => h('<p>shop failed</p>') });
});
__bext_define("app/shop/not-found.tsx", function (module, exports, require) {
  exports.__esModule = true;
  __bext_export(exports, { default: () => () => h('<p>not in the shop</p>') });
});
__bext_define("app/shop/[item]/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const { notFound } = require("bext/server");
  async function Item({ params }) {
    await null;
    if (params.item === "gone") notFound();
    if (params.item === "bad") throw new Error("bad item");
    return h('<p>item ' + esc(params.item) + '</p>');
  }
  __bext_export(exports, { default: () => Item });
});
"#;

const SHOP: &str = r#"{"page":"app/shop/[item]/page.tsx","handler":null,"layouts":["app/layout.tsx","app/loading.tsx","app/shop/layout.tsx","app/shop/template.tsx","app/shop/loading.tsx"],"notFound":"app/shop/not-found.tsx","error":"app/shop/error.tsx"}"#;

/// The body of the page for `item`.
fn check(item: &str, status: u16, expect: &str) {
    let mut r = app(MODULES, &[SHOP.to_owned()]);
    let mut req = get(1, 0, &format!("/shop/{item}"));
    req.params = vec![one("item", item)];
    let page = render(&mut r, req);
    assert_eq!(page.status, status, "{item}");
    let html = body(&page);
    let start = html.find("<body>").expect("a body") + "<body>".len();
    let end = html.find("</body>").expect("a body");
    assert_eq!(&html[start..end], expect, "{item}");
}

#[test]
fn boundaries_sit_inside_their_folder_s_layout_and_template() {
    check(
        "apple",
        200,
        r#"<!--$--><section><div class="t"><!--$--><p>item apple</p><!--/$--></div></section><!--/$-->"#,
    );
}

#[test]
fn a_not_found_page_renders_inside_its_folder_s_boundary() {
    check(
        "gone",
        404,
        r#"<!--$--><section><div class="t"><!--$--><p>not in the shop</p><!--/$--></div></section><!--/$-->"#,
    );
}

#[test]
fn an_error_page_renders_outside_its_folder_s_boundary() {
    check(
        "bad",
        500,
        r#"<!--$--><section><div class="t"><p>shop failed</p></div></section><!--/$-->"#,
    );
}
