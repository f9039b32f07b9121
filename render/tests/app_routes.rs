//! Route discovery and matching, from file lists (no file system).

use bext_render::app::{Param, RouteKind, RouteTable};

/// Builds a table from `files` (plus the root layout, which every app needs) and matches
/// `path`. `expect` is `none`, or the matched module followed by its params:
/// `app/p/[id]/page.tsx id=42 slug=[a,b]`.
fn check(files: &[&str], path: &str, expect: &str) {
    let mut all = vec!["app/layout.tsx"];
    all.extend_from_slice(files);
    let table = RouteTable::from_files(&all).unwrap_or_else(|e| panic!("{files:?}: {e:?}"));
    let got = match table.match_path(path) {
        None => "none".to_owned(),
        Some(m) => {
            let route = &table.routes()[m.route];
            let mut s = route.module.clone().unwrap_or_default();
            for (name, value) in &m.params {
                match value {
                    Param::One(v) => s.push_str(&format!(" {name}={v}")),
                    Param::Many(v) => s.push_str(&format!(" {name}=[{}]", v.join(","))),
                }
            }
            s
        }
    };
    assert_eq!(got, expect, "files {files:?}, path {path:?}");
}

/// Building the table from `files` fails, and each of `expect` occurs in some error.
fn check_error(files: &[&str], expect: &[&str]) {
    let errors = match RouteTable::from_files(files) {
        Ok(_) => panic!("{files:?}: expected an error"),
        Err(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    };
    for needle in expect {
        assert!(
            errors.contains(needle),
            "{files:?}: {needle:?} not in\n{errors}"
        );
    }
}

#[test]
fn static_routes() {
    let files = &[
        "app/page.tsx",
        "app/about/page.tsx",
        "app/about/team/page.jsx",
    ];
    check(files, "/", "app/page.tsx");
    check(files, "", "app/page.tsx");
    check(files, "/about", "app/about/page.tsx");
    check(files, "/about/", "app/about/page.tsx");
    check(files, "/about/team", "app/about/team/page.jsx");
    check(files, "/about//team/", "app/about/team/page.jsx");
    check(files, "/about?x=1#top", "app/about/page.tsx");
    check(files, "/About", "none");
    check(files, "/about/teams", "none");
    check(files, "/nope", "none");
}

#[test]
fn dynamic_and_precedence() {
    let files = &[
        "app/blog/[slug]/page.tsx",
        "app/blog/new/page.tsx",
        "app/blog/[slug]/edit/page.tsx",
        "app/docs/[...path]/page.tsx",
        "app/docs/intro/page.tsx",
        "app/shop/[[...filters]]/page.tsx",
    ];
    check(files, "/blog/hello", "app/blog/[slug]/page.tsx slug=hello");
    check(files, "/blog/new", "app/blog/new/page.tsx");
    // `new` is static at its level but has no `edit` child: backtrack to [slug].
    check(
        files,
        "/blog/new/edit",
        "app/blog/[slug]/edit/page.tsx slug=new",
    );
    check(files, "/blog", "none");
    check(files, "/blog/a/b", "none");
    check(files, "/docs", "none");
    check(files, "/docs/intro", "app/docs/intro/page.tsx");
    check(
        files,
        "/docs/intro/more",
        "app/docs/[...path]/page.tsx path=[intro,more]",
    );
    check(
        files,
        "/docs/a/b/c/",
        "app/docs/[...path]/page.tsx path=[a,b,c]",
    );
    check(
        files,
        "/shop",
        "app/shop/[[...filters]]/page.tsx filters=[]",
    );
    check(
        files,
        "/shop/",
        "app/shop/[[...filters]]/page.tsx filters=[]",
    );
    check(
        files,
        "/shop/red/xl",
        "app/shop/[[...filters]]/page.tsx filters=[red,xl]",
    );
}

#[test]
fn params_in_url_order() {
    let files = &["app/[org]/[repo]/issues/[n]/page.ts"];
    check(
        files,
        "/bext/server/issues/3",
        "app/[org]/[repo]/issues/[n]/page.ts org=bext repo=server n=3",
    );
    check(files, "/bext/server/pulls/3", "none");
}

#[test]
fn percent_decoding_per_segment() {
    let files = &[
        "app/p/[id]/page.tsx",
        "app/caf\u{e9}/page.tsx",
        "app/f/[...rest]/page.tsx",
    ];
    check(files, "/p/a%20b", "app/p/[id]/page.tsx id=a b");
    // An encoded slash stays inside its segment.
    check(files, "/p/a%2Fb", "app/p/[id]/page.tsx id=a/b");
    check(files, "/caf%C3%A9", "app/caf\u{e9}/page.tsx");
    check(files, "/p/100%", "app/p/[id]/page.tsx id=100%");
    check(files, "/p/%zz", "app/p/[id]/page.tsx id=%zz");
    check(
        files,
        "/f/a%2Fb/%41",
        "app/f/[...rest]/page.tsx rest=[a/b,A]",
    );
    // Invalid UTF-8 after decoding matches nothing.
    check(files, "/p/%FF", "none");
    check(files, "/f/ok/%C3", "none");
}

#[test]
fn groups_and_private_folders() {
    let files = &[
        "app/(marketing)/pricing/page.tsx",
        "app/(shop)/cart/page.tsx",
        "app/(shop)/page.tsx",
        "app/_components/page.tsx",
        "app/blog/_drafts/x/page.tsx",
        "app/blog/page.tsx",
    ];
    check(files, "/pricing", "app/(marketing)/pricing/page.tsx");
    check(files, "/cart", "app/(shop)/cart/page.tsx");
    check(files, "/", "app/(shop)/page.tsx");
    check(files, "/_components", "none");
    check(files, "/blog/_drafts/x", "none");
    check(files, "/blog", "app/blog/page.tsx");
}

#[test]
fn handlers_and_ignored_files() {
    let files = &[
        "app/api/users/[id]/route.ts",
        "app/api/health/route.js",
        "app/api/users/helpers.ts",
        "app/page.module.css",
        "app/page.tsx",
        "app/loading.tsx",
        "components/page.tsx",
        "app/x/route.tsx",
        "app/y/route.css",
    ];
    check(files, "/api/users/7", "app/api/users/[id]/route.ts id=7");
    check(files, "/api/health", "app/api/health/route.js");
    check(files, "/", "app/page.tsx");
    // route.tsx (and .jsx, .mjs, .cjs) is a handler too, as in Next; route.css is nothing.
    check(files, "/x", "app/x/route.tsx");
    check(files, "/y", "none");
}

#[test]
fn layout_chain_and_nearest_special_files() {
    let table = RouteTable::from_files([
        "app/layout.tsx",
        "app/not-found.tsx",
        "app/error.tsx",
        "app/(shop)/layout.tsx",
        "app/(shop)/error.tsx",
        "app/(shop)/p/[id]/layout.tsx",
        "app/(shop)/p/[id]/page.tsx",
        "app/(shop)/p/not-found.tsx",
        "app/about/page.tsx",
        "app/api/route.ts",
    ])
    .unwrap();
    let m = table.match_path("/p/1").unwrap();
    let route = &table.routes()[m.route];
    assert_eq!(route.pattern, "/p/[id]");
    assert_eq!(route.kind, RouteKind::Page);
    assert_eq!(
        route.layouts,
        [
            "app/layout.tsx",
            "app/(shop)/layout.tsx",
            "app/(shop)/p/[id]/layout.tsx"
        ]
    );
    assert_eq!(
        route.not_found.as_deref(),
        Some("app/(shop)/p/not-found.tsx")
    );
    assert_eq!(route.error.as_deref(), Some("app/(shop)/error.tsx"));

    let about = &table.routes()[table.match_path("/about").unwrap().route];
    assert_eq!(about.layouts, ["app/layout.tsx"]);
    assert_eq!(about.not_found.as_deref(), Some("app/not-found.tsx"));
    assert_eq!(about.error.as_deref(), Some("app/error.tsx"));

    let api = &table.routes()[table.match_path("/api").unwrap().route];
    assert_eq!(api.kind, RouteKind::Handler);

    let fallback = &table.routes()[table.not_found_route()];
    assert_eq!(fallback.kind, RouteKind::NotFound);
    assert_eq!(fallback.layouts, ["app/layout.tsx"]);
    assert_eq!(fallback.not_found.as_deref(), Some("app/not-found.tsx"));
    assert_eq!(table.not_found_route(), table.routes().len() - 1);
    assert!(
        table
            .routes()
            .iter()
            .filter(|r| r.kind == RouteKind::NotFound)
            .count()
            == 1
    );

    assert_eq!(
        table.modules(),
        [
            "app/(shop)/error.tsx",
            "app/(shop)/layout.tsx",
            "app/(shop)/p/[id]/layout.tsx",
            "app/(shop)/p/[id]/page.tsx",
            "app/(shop)/p/not-found.tsx",
            "app/about/page.tsx",
            "app/api/route.ts",
            "app/error.tsx",
            "app/layout.tsx",
            "app/not-found.tsx",
        ]
    );
}

#[test]
fn route_table_script() {
    let table =
        RouteTable::from_files(["app/layout.tsx", "app/page.tsx", "app/api/route.ts"]).unwrap();
    assert_eq!(
        table.to_js(),
        concat!(
            r#"__bext_routes([{"error":null,"handler":null,"layouts":["app/layout.tsx"],"notFound":null,"page":"app/page.tsx","pattern":"/"},"#,
            r#"{"error":null,"handler":"app/api/route.ts","layouts":["app/layout.tsx"],"notFound":null,"page":null,"pattern":"/api"},"#,
            r#"{"error":null,"handler":null,"layouts":["app/layout.tsx"],"notFound":null,"page":null,"pattern":""}]);"#,
            "\n"
        )
    );
}

#[test]
fn errors_name_the_files() {
    check_error(&["app/page.tsx"], &["app/page.tsx: has no root layout"]);
    // Several root layouts (one per language) are fine; a page outside them is not.
    check_error(
        &[
            "app/[lang]/layout.tsx",
            "app/[lang]/page.tsx",
            "app/other/page.tsx",
        ],
        &["app/other/page.tsx: has no root layout"],
    );
    check_error(
        &["app/layout.tsx", "app/x/page.tsx", "app/x/route.ts"],
        &["app/x/page.tsx: conflicts with app/x/route.ts"],
    );
    check_error(
        &[
            "app/layout.tsx",
            "app/(a)/about/page.tsx",
            "app/(b)/about/page.tsx",
        ],
        &[
            "app/(b)/about/page.tsx: conflicts with app/(a)/about/page.tsx: both resolve to the URL /about",
        ],
    );
    check_error(
        &["app/layout.tsx", "app/(a)/x/page.tsx", "app/(b)/x/route.ts"],
        &["conflicts with app/(a)/x/page.tsx", "/x"],
    );
    check_error(
        &["app/layout.tsx", "app/page.tsx", "app/page.jsx"],
        &["app/page.tsx: conflicts with app/page.jsx: one folder may hold only one page module"],
    );
    check_error(
        &[
            "app/layout.tsx",
            "app/p/[id]/page.tsx",
            "app/p/[slug]/edit/page.tsx",
        ],
        &[
            "app/p/[slug]/edit/page.tsx: conflicts with app/p/[id]/page.tsx: different parameter names [id] and [slug]",
        ],
    );
    check_error(
        &[
            "app/layout.tsx",
            "app/docs/page.tsx",
            "app/docs/[[...slug]]/page.tsx",
        ],
        &["app/docs/[[...slug]]/page.tsx: conflicts with app/docs/page.tsx"],
    );
    check_error(
        &[
            "app/layout.tsx",
            "app/docs/[...a]/page.tsx",
            "app/docs/[[...b]]/page.tsx",
        ],
        &["conflicts with app/docs/[...a]/page.tsx"],
    );
    check_error(
        &["app/layout.tsx", "app/docs/[...a]/x/page.tsx"],
        &["app/docs/[...a]/x/page.tsx: a catch-all segment must be the last one"],
    );
    check_error(
        &["app/layout.tsx", "app/[id]/[id]/page.tsx"],
        &["parameter name [id] is used twice"],
    );
    check_error(
        &["app/layout.tsx", "app/@a/@b/page.tsx", "app/page.tsx"],
        &["slot \"@b\" inside another slot is not supported"],
    );
    check_error(
        &["app/layout.tsx", "app/[]/page.tsx"],
        &["invalid parameter name"],
    );
    check_error(
        &["app/layout.tsx", "app/a[b/page.tsx"],
        &["unbalanced brackets"],
    );
    // Every problem is reported, not just the first.
    check_error(
        &["app/x/page.tsx", "app/x/route.js", "app/y/page.tsx"],
        &[
            "conflicts with app/x/route.js",
            "app/y/page.tsx: has no root layout",
        ],
    );
}

/// Parallel routes: each page gets, per layout with slots, the slot's page for the same place
/// or the slot's default; a slot with neither makes the route a 404. Intercepting routes only
/// matter to client navigation and are no routes on the server.
#[test]
fn parallel_slots_and_intercepting_routes() {
    let files = [
        "app/layout.tsx",
        "app/page.tsx",
        "app/@modal/default.tsx",
        "app/@modal/(.)photo/[id]/page.tsx",
        "app/photo/[id]/page.tsx",
        "app/dash/layout.tsx",
        "app/dash/template.tsx",
        "app/dash/page.tsx",
        "app/dash/@team/page.tsx",
        "app/dash/@team/(admin)/settings/page.tsx",
        "app/dash/settings/page.tsx",
        "app/dash/stats/page.tsx",
        "app/dash/@feed/page.tsx",
        "app/dash/@feed/stats/page.tsx",
    ];
    let table = RouteTable::from_files(files).expect("a valid app");
    let route = |path: &str| {
        let m = table.match_path(path).expect(path);
        table.routes()[m.route].clone()
    };
    let slots = |path: &str| -> Vec<String> {
        route(path)
            .slots
            .iter()
            .map(|(layout, name, module)| format!("{layout} {name}={module}"))
            .collect()
    };
    assert_eq!(
        slots("/photo/1"),
        ["app/layout.tsx modal=app/@modal/default.tsx"]
    );
    assert_eq!(
        route("/photo/1").module.as_deref(),
        Some("app/photo/[id]/page.tsx")
    );
    assert_eq!(
        slots("/dash"),
        [
            "app/layout.tsx modal=app/@modal/default.tsx",
            "app/dash/layout.tsx feed=app/dash/@feed/page.tsx",
            "app/dash/layout.tsx team=app/dash/@team/page.tsx",
        ]
    );
    assert_eq!(
        route("/dash").layouts,
        [
            "app/layout.tsx",
            "app/dash/layout.tsx",
            "app/dash/template.tsx"
        ]
    );
    // @team has settings (inside a group), @feed has neither settings nor a default: 404.
    assert!(route("/dash/settings").slot_missing);
    assert!(!route("/dash").slot_missing);
    assert!(
        route("/dash/stats").slot_missing,
        "@team has no stats and no default"
    );
}

/// The wrappers of the page at `path`: layouts, templates and loading boundaries, outermost
/// first, in the order Next nests them (layout, template, loading per folder).
fn check_wrappers(files: &[&str], path: &str, expect: &[&str]) {
    let table = RouteTable::from_files(files).unwrap_or_else(|e| panic!("{files:?}: {e:?}"));
    let m = table.match_path(path).expect(path);
    assert_eq!(
        table.routes()[m.route].layouts,
        expect,
        "files {files:?}, path {path:?}"
    );
}

#[test]
fn loading_boundaries_sit_inside_their_folder_s_layout_and_template() {
    let app = [
        "app/layout.tsx",
        "app/loading.tsx",
        "app/page.tsx",
        "app/shop/layout.tsx",
        "app/shop/template.tsx",
        "app/shop/loading.jsx",
        "app/shop/[item]/page.tsx",
        "app/docs/loading.tsx",
        "app/docs/(guides)/intro/page.tsx",
        "app/plain/page.tsx",
    ];
    check_wrappers(&app, "/", &["app/layout.tsx", "app/loading.tsx"]);
    check_wrappers(
        &app,
        "/shop/apple",
        &[
            "app/layout.tsx",
            "app/loading.tsx",
            "app/shop/layout.tsx",
            "app/shop/template.tsx",
            "app/shop/loading.jsx",
        ],
    );
    // A folder with a loading boundary and no layout still gets its boundary.
    check_wrappers(
        &app,
        "/docs/intro",
        &["app/layout.tsx", "app/loading.tsx", "app/docs/loading.tsx"],
    );
    check_wrappers(&app, "/plain", &["app/layout.tsx", "app/loading.tsx"]);
    // Above the root layouts there is no document to hold a boundary: left out.
    check_wrappers(
        &[
            "app/loading.tsx",
            "app/[lang]/layout.tsx",
            "app/[lang]/loading.tsx",
            "app/[lang]/page.tsx",
        ],
        "/en",
        &["app/[lang]/layout.tsx", "app/[lang]/loading.tsx"],
    );
}

#[test]
fn a_sitemap_also_answers_by_id_for_generate_sitemaps() {
    let files = ["app/sitemap.ts", "app/shop/(all)/sitemap.js"];
    check(&files, "/sitemap.xml", "app/sitemap.ts");
    check(
        &files,
        "/sitemap/3.xml",
        "app/sitemap.ts __metadata_id__=3.xml",
    );
    check(
        &files,
        "/shop/sitemap/a.xml",
        "app/shop/(all)/sitemap.js __metadata_id__=a.xml",
    );
    check(&files, "/sitemap/3/4.xml", "none");
    // Robots and manifests have no ids.
    check(&["app/robots.ts"], "/robots/1.txt", "none");
}
