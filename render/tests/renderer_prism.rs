//! The runtime against the real prism.js (not the stand-in): the JSX fallback runtime and the
//! React stand-in come from `__prism.modules`, and the document goes through prism's finish.

mod renderer_support;

use bext_engine::EngineKind;
use bext_render::renderer::Renderer;
use renderer_support::*;

const PRISM_JS: &str = include_str!("../prism/js/prism.js");

const JSX_APP: &str = r#"
__bext_define("app/layout.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const { jsx, jsxs } = require("react/jsx-runtime");
  const Root = ({ children }) => jsxs("html", { lang: "en", children: [jsx("head", {}), jsx("body", { children })] });
  __bext_export(exports, { default: () => Root, metadata: () => ({ title: "JSX" }) });
});
__bext_define("app/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const { jsx, jsxs, Fragment } = require("bext/jsx-runtime");
  const React = __bext_default(require("react"));
  const Item = ({ n }) => jsx("li", { children: n });
  const Page = ({ data }) => {
    const [count] = React.useState(data.start);
    return jsxs(Fragment, { children: [
      jsx("h1", { className: "t", children: "Tom & Jerry" }),
      jsx("ul", { children: [1, 2].map((n) => jsx(Item, { n: n + count }, n)) }),
      jsx("input", { disabled: true, htmlFor: undefined }),
    ] });
  };
  __bext_export(exports, { default: () => Page, loader: () => async () => ({ start: 10 }) });
});
__bext_define("app/class/page.tsx", function (module, exports, require) {
  exports.__esModule = true;
  const { jsx } = require("react/jsx-runtime");
  const React = __bext_default(require("react"));
  class Page extends React.Component {
    render() { return jsx("p", { children: ["class ", this.props.params.id] }); }
  }
  __bext_export(exports, { default: () => Page });
});
__bext_routes([
  { page: "app/page.tsx", handler: null, layouts: ["app/layout.tsx"], notFound: null, error: null },
  { page: "app/class/page.tsx", handler: null, layouts: ["app/layout.tsx"], notFound: null, error: null },
]);
"#;

#[test]
fn jsx_runtime_pages_render_through_prism() {
    let mut r = Renderer::new(
        bundle_with(PRISM_JS, JSX_APP),
        EngineKind::QuickJs,
        limits(2_000),
    )
    .expect("bundle loads");
    let page = render(&mut r, get(1, 0, "/"));
    assert_eq!(page.status, 200, "{:?}", page.error);
    assert_eq!(
        body(&page),
        "<!DOCTYPE html><html lang=\"en\"><head><meta charSet=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>JSX</title></head><body>\
         <h1 class=\"t\">Tom &amp; Jerry</h1><ul><li>11</li><li>12</li></ul><input disabled=\"\"/></body></html>"
    );
}

#[test]
fn class_component_pages_are_constructed() {
    let mut r = Renderer::new(
        bundle_with(PRISM_JS, JSX_APP),
        EngineKind::QuickJs,
        limits(2_000),
    )
    .expect("bundle loads");
    let mut req = get(1, 1, "/class/7");
    req.params = vec![one("id", "7")];
    let page = render(&mut r, req);
    assert_eq!(page.status, 200, "{:?}", page.error);
    assert!(
        body(&page).contains("<body><p>class 7</p></body>"),
        "{}",
        body(&page)
    );
}
