//! A render that throws is reported at the line of the file its author wrote, on every
//! engine: the app is compiled by the real loader (PRISM, the linker, the runtimes), rendered,
//! and the failure's stack mapped back through `LoadedApp::positions`.

mod renderer_support;

use bext_engine::available;
use bext_render::load::AppLoader;
use bext_render::renderer::Renderer;
use renderer_support::{TempApp, get, limits, render};

/// The page throws on line 9, below JSX that PRISM rewrites and types it strips, so the
/// compiled module's lines are not the source's.
const PAGE: &str = r#"type Props = { params: Promise<{ id: string }> };

function Badge({ label }: { label: string }) {
  return <span className="badge">{label}</span>;
}

function explode(value: number): never {
  const message: string = `bad value ${value}`;
  throw new Error(message);
}

export default function Page(_: Props) {
  const items = [1, 2, 3].map((n) => <li key={n}><Badge label={String(n)} /></li>);
  if (items.length === 3) explode(3);
  return <ul>{items}</ul>;
}
"#;

#[test]
fn a_throwing_render_names_the_source_line_on_every_engine() {
    let app = TempApp::new(&[
        (
            "app/layout.tsx",
            "export default function L({ children }: { children: any }) { return <html><body>{children}</body></html>; }\n",
        ),
        ("app/page.tsx", PAGE),
    ]);
    let loaded = AppLoader::new(&app.0, false)
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    let route = loaded
        .routes
        .match_path("/")
        .expect("the page's route")
        .route;
    for &kind in available() {
        let mut renderer =
            Renderer::new(loaded.bundle.clone(), kind, limits(5_000)).expect("bundle loads");
        let page = render(&mut renderer, get(1, route, "/"));
        let failure = page.error.expect("the render failed");
        assert_eq!(failure.message, "bad value 3", "{kind:?}");
        let origin = loaded.positions.origin(&failure.stack);
        assert!(
            origin
                .as_deref()
                .is_some_and(|at| at.starts_with("app/page.tsx:9")),
            "{kind:?}: {origin:?} from\n{}",
            failure.stack
        );
        let stack = loaded.positions.rewrite_stack(&failure.stack);
        assert!(
            stack.contains("app/page.tsx:14"),
            "{kind:?}: the caller's frame too:\n{stack}"
        );
    }
}
