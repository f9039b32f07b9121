//! next.config and middleware through the real binary: what a user sees when they are wrong
//! (start-up errors naming file and key, a throwing middleware, a rewrite to another server),
//! and that a config's decisions reach cached pages too. Agreement with `next start` itself is
//! `tests/nextjs.rs`'s job.

mod common;

use common::{Bext, TempDir, run_bext};

fn app(tag: &str, config: &str) -> TempDir {
    let dir = TempDir::new(tag);
    dir.write(
        "app/layout.tsx",
        "export default function L({ children }: { children: any }) { return <html><body>{children}</body></html>; }\n",
    );
    dir.write(
        "app/page.tsx",
        "export default function Home() { return <h1>home</h1>; }\n",
    );
    dir.write(
        "app/about/page.tsx",
        "export default function About() { return <h1>about</h1>; }\n",
    );
    dir.write("next.config.mjs", config);
    dir
}

fn start_fails(dir: &TempDir) -> String {
    let (status, _, stderr) = run_bext(&[
        "serve",
        dir.path().to_str().expect("utf-8 path"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!status.success(), "bext started: {stderr}");
    stderr
}

#[test]
fn a_bad_config_refuses_to_start_naming_the_file_and_the_key() {
    let cases = [
        (
            "export default { async redirects() { return [{ source: 'old', destination: '/about', permanent: true }]; } };",
            "next.config.mjs: redirects[0].source: `old` must start with `/`",
        ),
        (
            "export default { basePath: 'docs/' };",
            "next.config.mjs: basePath: `docs/` must start with `/`",
        ),
        (
            "export default { async headers() { return [{ source: '/(', headers: [] }]; } };",
            "next.config.mjs: headers[0].source:",
        ),
        (
            "export default async function config() { throw new Error('no config for you'); }",
            "next.config.mjs: no config for you (at next.config.mjs:1:",
        ),
    ];
    for (config, want) in cases {
        let dir = app("next-config-bad", config);
        let stderr = start_fails(&dir);
        assert!(stderr.contains(want), "{want:?} not in:\n{stderr}");
    }
}

#[test]
fn ignored_options_are_listed_and_rules_apply_to_cached_pages() {
    let dir = app(
        "next-config-ok",
        "export default {\n  i18n: { locales: ['en'], defaultLocale: 'en' },\n  images: { remotePatterns: [{ hostname: 'cdn.example' }] },\n  async headers() { return [{ source: '/:path*', headers: [{ key: 'x-from-config', value: 'yes' }] }]; },\n  async redirects() { return [{ source: '/old', destination: '/about', permanent: false }]; },\n};\n",
    );
    let bext = Bext::serve_dir(dir.path(), &[]);
    assert!(
        bext.wait_for_stderr("next.config.mjs: ignored (bext does not act on them): i18n"),
        "{}",
        bext.stderr()
    );
    // Honoured options that bext cannot do as Next would are said too.
    assert!(
        bext.wait_for_stderr(
            "next.config.mjs: images.remotePatterns: bext does not fetch images from other servers"
        ),
        "{}",
        bext.stderr()
    );
    for _ in 0..3 {
        let page = bext.get("/about");
        assert_eq!(page.status, 200, "{}", page.summary());
        assert_eq!(
            page.header("x-from-config"),
            Some("yes"),
            "{}",
            page.summary()
        );
    }
    let moved = bext.get("/old?x=1");
    assert_eq!(moved.status, 307);
    assert_eq!(moved.header("location"), Some("/about?x=1"));
    assert_eq!(
        moved.header("x-from-config"),
        None,
        "redirects carry no header rules"
    );
}

#[test]
fn a_throwing_middleware_is_a_500_logged_with_its_line_and_external_rewrites_say_why() {
    let dir = app("next-middleware", "export default {};\n");
    dir.write(
        "middleware.ts",
        "import { NextResponse, type NextRequest } from 'next/server';\n\nexport function middleware(request: NextRequest) {\n  if (request.nextUrl.pathname === '/boom') {\n    throw new Error('middleware exploded');\n  }\n  if (request.nextUrl.pathname === '/away') return NextResponse.rewrite('https://elsewhere.test/x');\n  return NextResponse.next();\n}\n",
    );
    let bext = Bext::serve_dir(dir.path(), &[]);
    let boom = bext.get("/boom");
    assert_eq!(boom.status, 500, "{}", boom.summary());
    assert!(
        bext.wait_for_stderr("middleware exploded (at middleware.ts:5:"),
        "{}",
        bext.stderr()
    );
    let away = bext.get("/away");
    assert_eq!(away.status, 502, "{}", away.summary());
    assert!(
        away.text().contains("https://elsewhere.test/x"),
        "{}",
        away.text()
    );
    let home = bext.get("/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("home"));
}

/// Under a base path, pages are cached by their routed path and the fast path finds them.
#[test]
fn pages_under_a_base_path_are_served_from_the_cache() {
    let dir = app(
        "next-config-base",
        "export default { basePath: '/docs', async headers() { return [{ source: '/about', headers: [{ key: 'x-about', value: '1' }] }]; } };\n",
    );
    let bext = Bext::serve_dir(dir.path(), &["--shards", "1"]);
    let first = bext.get("/docs/about");
    assert_eq!(first.status, 200, "{}", first.summary());
    assert!(first.text().contains("about"));
    let again = bext.get("/docs/about");
    assert_eq!(again.status, 200);
    assert_eq!(
        again.header("x-bext-cache"),
        Some("hit"),
        "{}",
        again.summary()
    );
    assert_eq!(again.header("x-about"), Some("1"), "{}", again.summary());
    assert_eq!(again.body, first.body);
    assert_eq!(bext.get("/about").status, 404, "outside the base path");
}
