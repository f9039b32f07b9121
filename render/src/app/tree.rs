//! From the list of files under `app/` to route specifications: which folders hold a page or a
//! handler, their URL segments, layout chains (with templates and loading boundaries) and
//! nearest `not-found`/`error` files.
//!
//! Pure: it takes file names, never touches the file system, so tests feed it string lists.

use std::collections::BTreeMap;

use super::AppError;
use super::segment::{Segment, parse_segment};
use super::table::{Route, RouteKind};

/// Extensions a page, layout, not-found or error module may have.
const COMPONENT_EXTENSIONS: &[&str] = &["tsx", "jsx", "ts", "js"];
/// `page.mdx` / `page.md` (with `@next/mdx`, which adds them to `pageExtensions`).
const MDX_EXTENSIONS: &[&str] = &["mdx", "md"];
/// Extensions a route handler may have.
const HANDLER_EXTENSIONS: &[&str] = &["ts", "js", "tsx", "jsx", "mjs", "cjs"];

/// Metadata routes: the module stem, the folders it may live in (`true`: any segment, else
/// only `app/`), and the URL file name it answers.
const METADATA_ROUTES: &[(&str, bool, &str)] = &[
    ("robots", false, "robots.txt"),
    ("sitemap", true, "sitemap.xml"),
    ("manifest", false, "manifest.webmanifest"),
];

/// Metadata files served as they are: the stem, the extensions, whether any segment may hold
/// one (else only `app/`).
const METADATA_FILES: &[(&str, &[&str], bool)] = &[
    ("favicon", &["ico"], false),
    ("icon", &["ico", "jpg", "jpeg", "png", "svg"], true),
    ("apple-icon", &["jpg", "jpeg", "png"], true),
    ("opengraph-image", &["jpg", "jpeg", "png", "gif"], true),
    ("twitter-image", &["jpg", "jpeg", "png", "gif"], true),
    ("robots", &["txt"], false),
    ("sitemap", &["xml"], true),
    ("manifest", &["json", "webmanifest"], false),
];

/// One URL segment of a route, owned (the trie keeps these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UrlSegment {
    Static(String),
    Dynamic(String),
    CatchAll(String),
    OptionalCatchAll(String),
}

/// A route and the URL segments it is inserted into the trie with.
pub(crate) struct RouteSpec {
    pub route: Route,
    pub segments: Vec<UrlSegment>,
}

/// The special files of one folder.
#[derive(Default)]
struct Folder {
    page: Option<String>,
    handler: Option<String>,
    layout: Option<String>,
    template: Option<String>,
    loading: Option<String>,
    not_found: Option<String>,
    error: Option<String>,
    global_error: Option<String>,
}

/// The files of one parallel-route slot (`app/dash/@team/…`): its folder's pages and
/// defaults, by folder path below the slot with route groups left out (`settings`, `` for the
/// slot's own folder).
#[derive(Default)]
struct Slot {
    pages: BTreeMap<String, String>,
    defaults: BTreeMap<String, String>,
}

/// A metadata file served as it is (`app/icon.png` at `/icon.png`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataFile {
    /// The URL path it answers.
    pub url: String,
    /// The file, relative to the app root.
    pub file: String,
}

/// What [`collect`] finds.
pub(crate) struct Collected {
    pub specs: Vec<RouteSpec>,
    pub fallback: Route,
    pub files: Vec<MetadataFile>,
}

/// Builds the route specifications (sorted by folder), the fallback route used for URLs no
/// route matches and the metadata files. Every problem found is reported, not just the first.
pub(crate) fn collect<I, S>(files: I) -> Result<Collected, Vec<AppError>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut errors = Vec::new();
    let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
    let mut metadata_specs = Vec::new();
    let mut metadata_files = Vec::new();
    let mut slots: BTreeMap<(String, String), Slot> = BTreeMap::new();
    for file in files {
        let file = file.as_ref();
        let Some((dir, name)) = file.rsplit_once('/') else {
            continue;
        };
        if dir != "app" && !dir.starts_with("app/") {
            continue;
        }
        if is_private(dir) {
            continue;
        }
        // Intercepting routes (`(.)photo`) only change what a client-side navigation shows;
        // a request for the URL renders the route itself, so on the server they are nothing.
        if dir.split('/').any(is_intercepting) {
            continue;
        }
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        if let Some((owner, slot, below)) = slot_of(dir) {
            if let Some(inner) = below.split('/').find(|p| p.starts_with('@')) {
                errors.push(AppError {
                    file: file.to_owned(),
                    message: format!(
                        "parallel route slot \"{inner}\" inside another slot is not supported"
                    ),
                });
                continue;
            }
            if (COMPONENT_EXTENSIONS.contains(&ext) && (stem == "page" || stem == "default"))
                || (MDX_EXTENSIONS.contains(&ext) && stem == "page")
            {
                let entry = slots
                    .entry((owner.to_owned(), slot.to_owned()))
                    .or_default();
                let key = without_groups(below);
                let target = if stem == "page" {
                    &mut entry.pages
                } else {
                    &mut entry.defaults
                };
                target.entry(key).or_insert_with(|| file.to_owned());
            }
            continue;
        }
        if let Some(&(_, _, url_name)) = METADATA_ROUTES
            .iter()
            .find(|(s, anywhere, _)| *s == stem && (*anywhere || dir == "app"))
            .filter(|_| HANDLER_EXTENSIONS.contains(&ext))
        {
            match url_segments(dir) {
                Ok(mut segments) => {
                    let mut by_id = segments.clone();
                    segments.push(UrlSegment::Static(url_name.to_owned()));
                    metadata_specs.push(metadata_spec(file, segments));
                    // `generateSitemaps`: one sitemap per id at `…/sitemap/<id>.xml`. Whether
                    // the module exports it is known when it runs, so both URLs are routed
                    // and the runtime answers 404 for the one that does not apply.
                    if stem == "sitemap" {
                        by_id.push(UrlSegment::Static(stem.to_owned()));
                        by_id.push(UrlSegment::Dynamic(SITEMAP_ID_PARAM.to_owned()));
                        metadata_specs.push(metadata_spec(file, by_id));
                    }
                }
                Err(message) => errors.push(AppError {
                    file: file.to_owned(),
                    message,
                }),
            }
            continue;
        }
        if METADATA_FILES.iter().any(|(s, exts, anywhere)| {
            *s == stem && exts.contains(&ext) && (*anywhere || dir == "app")
        }) {
            // Only folders without parameters: a file is one URL.
            if let Ok(segments) = url_segments(dir)
                && segments.iter().all(|s| matches!(s, UrlSegment::Static(_)))
            {
                let mut url = pattern_of(&segments);
                if !url.ends_with('/') {
                    url.push('/');
                }
                url.push_str(name);
                metadata_files.push(MetadataFile {
                    url,
                    file: file.to_owned(),
                });
            }
            continue;
        }
        let folder = folders.entry(dir.to_owned()).or_default();
        let slot = match stem {
            "page" if COMPONENT_EXTENSIONS.contains(&ext) || MDX_EXTENSIONS.contains(&ext) => {
                &mut folder.page
            }
            "layout" if COMPONENT_EXTENSIONS.contains(&ext) => &mut folder.layout,
            "template" if COMPONENT_EXTENSIONS.contains(&ext) => &mut folder.template,
            "loading" if COMPONENT_EXTENSIONS.contains(&ext) => &mut folder.loading,
            "global-error" if COMPONENT_EXTENSIONS.contains(&ext) && dir == "app" => {
                &mut folder.global_error
            }
            "not-found" if COMPONENT_EXTENSIONS.contains(&ext) => &mut folder.not_found,
            "error" if COMPONENT_EXTENSIONS.contains(&ext) => &mut folder.error,
            "route" if HANDLER_EXTENSIONS.contains(&ext) => &mut folder.handler,
            _ => continue,
        };
        match slot {
            Some(first) => errors.push(AppError {
                file: first.clone(),
                message: format!(
                    "conflicts with {file}: one folder may hold only one {stem} module"
                ),
            }),
            None => *slot = Some(file.to_owned()),
        }
    }

    // The root layout (the outermost one, which renders <html>) is usually app/layout.tsx;
    // an app with several root layouts (`app/[lang]/layout.tsx`, `app/(shop)/layout.tsx`)
    // has none at the top, and then every page needs one above it.
    let root_layout = folders.get("app").and_then(|f| f.layout.clone());
    let mut specs = Vec::new();
    for (dir, folder) in &folders {
        let (kind, module) = match (&folder.page, &folder.handler) {
            (Some(page), Some(handler)) => {
                errors.push(AppError {
                    file: page.clone(),
                    message: format!(
                        "conflicts with {handler}: a folder holds a page or a route handler, not both"
                    ),
                });
                continue;
            }
            (Some(page), None) => (RouteKind::Page, page),
            (None, Some(handler)) => (RouteKind::Handler, handler),
            (None, None) => continue,
        };
        match url_segments(dir) {
            Ok(segments) => {
                let layouts: Vec<String> = ancestors(dir)
                    .filter_map(|d| folders.get(d)?.layout.clone())
                    .collect();
                let wrappers = wrappers_of(dir, &folders);
                let (route_slots, slot_missing) = if kind == RouteKind::Page {
                    slots_for(dir, &folders, &slots)
                } else {
                    (Vec::new(), false)
                };
                if kind == RouteKind::Page && layouts.is_empty() {
                    errors.push(AppError {
                        file: module.clone(),
                        message: String::from(
                            "has no root layout: add app/layout.tsx (or a layout.tsx in a \
                             folder above the page), which renders <html> and <body>",
                        ),
                    });
                    continue;
                }
                let route = Route {
                    pattern: pattern_of(&segments),
                    kind,
                    module: Some(module.clone()),
                    layouts: wrappers,
                    slots: route_slots,
                    slot_missing,
                    global_error: None,
                    not_found: nearest(&folders, dir, |f| &f.not_found),
                    error: nearest(&folders, dir, |f| &f.error),
                };
                specs.push(RouteSpec { route, segments });
            }
            Err(message) => errors.push(AppError {
                file: module.clone(),
                message,
            }),
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let global_error = folders.get("app").and_then(|f| f.global_error.clone());
    for spec in &mut specs {
        spec.route.global_error = global_error.clone();
    }
    let fallback = Route {
        pattern: String::new(),
        kind: RouteKind::NotFound,
        module: None,
        layouts: root_layout.into_iter().collect(),
        slots: Vec::new(),
        slot_missing: false,
        global_error,
        not_found: folders.get("app").and_then(|f| f.not_found.clone()),
        error: folders.get("app").and_then(|f| f.error.clone()),
    };
    specs.extend(metadata_specs);
    Ok(Collected {
        specs,
        fallback,
        files: metadata_files,
    })
}

/// What wraps a page at `dir`, outermost first: for each folder from `app` down, its layout,
/// then its template, then its `loading` boundary, the order in which Next nests them (the
/// folder's error boundary sits between the template and the loading boundary, its not-found
/// boundary inside the loading one; neither writes markup). A `loading` above the first
/// layout (`app/loading.tsx` in an app whose root layouts are one level down) has no
/// document to sit in and is left out, so the first wrapper is always the root layout.
fn wrappers_of(dir: &str, folders: &BTreeMap<String, Folder>) -> Vec<String> {
    let mut wrappers: Vec<String> = Vec::new();
    for folder in ancestors(dir).filter_map(|d| folders.get(d)) {
        wrappers.extend(folder.layout.clone());
        wrappers.extend(folder.template.clone());
        if !wrappers.is_empty() {
            wrappers.extend(folder.loading.clone());
        }
    }
    wrappers
}

/// The parameter of a sitemap's `…/sitemap/[id]` route (Next's name for it): the id with
/// its `.xml`.
pub(crate) const SITEMAP_ID_PARAM: &str = "__metadata_id__";

fn metadata_spec(file: &str, segments: Vec<UrlSegment>) -> RouteSpec {
    let route = Route {
        pattern: pattern_of(&segments),
        kind: RouteKind::Metadata,
        module: Some(file.to_owned()),
        layouts: Vec::new(),
        slots: Vec::new(),
        slot_missing: false,
        global_error: None,
        not_found: None,
        error: None,
    };
    RouteSpec { route, segments }
}

/// `(.)x`, `(..)x`, `(..)(..)x`, `(...)x`: an intercepting route's folder.
fn is_intercepting(name: &str) -> bool {
    name.starts_with("(.")
}

/// For a folder inside a parallel-route slot: the folder that owns the slot, the slot's name
/// and the path below the slot (`app/dash/@team/settings` → `app/dash`, `team`, `settings`).
/// `@children` is the page's own slot, which is no slot at all.
fn slot_of(dir: &str) -> Option<(&str, &str, &str)> {
    let mut offset = 0;
    for part in dir.split('/') {
        if let Some(name) = part.strip_prefix('@') {
            let owner = dir[..offset].trim_end_matches('/');
            let below = dir[offset + part.len()..].trim_start_matches('/');
            return (name != "children").then_some((owner, name, below));
        }
        offset += part.len() + 1;
    }
    None
}

/// A folder path with its route groups left out: what a URL sees of it.
fn without_groups(path: &str) -> String {
    path.split('/')
        .filter(|p| !(p.is_empty() || p.starts_with('(') && p.ends_with(')')))
        .collect::<Vec<_>>()
        .join("/")
}

/// The slots the layouts above a page at `dir` get, as (layout, slot name, module): for each
/// folder on the way with a layout and slots, the slot's page for the same place, or its
/// `default`. `true` when some slot has neither: Next answers such a request with a 404.
fn slots_for(
    dir: &str,
    folders: &BTreeMap<String, Folder>,
    slots: &BTreeMap<(String, String), Slot>,
) -> (Vec<(String, String, String)>, bool) {
    let mut out = Vec::new();
    let mut missing = false;
    for owner in ancestors(dir) {
        let Some(layout) = folders.get(owner).and_then(|f| f.layout.clone()) else {
            continue;
        };
        let below = without_groups(dir.strip_prefix(owner).unwrap_or(""));
        for ((slot_owner, name), slot) in slots {
            if slot_owner != owner {
                continue;
            }
            match slot.pages.get(&below).or_else(|| slot.defaults.get("")) {
                Some(module) => out.push((layout.clone(), name.clone(), module.clone())),
                None => missing = true,
            }
        }
    }
    (out, missing)
}

/// True when a folder on the path is private (`_name`). Checked before the folder names are
/// validated, so a private folder may be named anything.
fn is_private(dir: &str) -> bool {
    dir.split('/').any(|name| name.starts_with('_'))
}

/// The URL segments of a route folder (`app/(shop)/p/[id]` → `p`, `[id]`), checking that a
/// catch-all comes last and that no parameter name repeats.
fn url_segments(dir: &str) -> Result<Vec<UrlSegment>, String> {
    let mut segments = Vec::new();
    for name in dir.split('/').skip(1) {
        let segment = match parse_segment(name)? {
            Some(Segment::Static(s)) => UrlSegment::Static(s.to_owned()),
            Some(Segment::Group) | None => continue,
            Some(Segment::Dynamic(p)) => UrlSegment::Dynamic(p.to_owned()),
            Some(Segment::CatchAll(p)) => UrlSegment::CatchAll(p.to_owned()),
            Some(Segment::OptionalCatchAll(p)) => UrlSegment::OptionalCatchAll(p.to_owned()),
        };
        if let Some(last) = segments.last()
            && matches!(
                last,
                UrlSegment::CatchAll(_) | UrlSegment::OptionalCatchAll(_)
            )
        {
            return Err(format!(
                "a catch-all segment must be the last one of a route ({dir})"
            ));
        }
        if let Some(name) = param_of(&segment)
            && segments.iter().filter_map(param_of).any(|p| p == name)
        {
            return Err(format!(
                "the parameter name [{name}] is used twice in {dir}"
            ));
        }
        segments.push(segment);
    }
    Ok(segments)
}

fn param_of(segment: &UrlSegment) -> Option<&str> {
    match segment {
        UrlSegment::Static(_) => None,
        UrlSegment::Dynamic(p) | UrlSegment::CatchAll(p) | UrlSegment::OptionalCatchAll(p) => {
            Some(p)
        }
    }
}

pub(crate) fn pattern_of(segments: &[UrlSegment]) -> String {
    let mut pattern = String::new();
    for segment in segments {
        pattern.push('/');
        match segment {
            UrlSegment::Static(s) => pattern.push_str(s),
            UrlSegment::Dynamic(p) => pattern.push_str(&format!("[{p}]")),
            UrlSegment::CatchAll(p) => pattern.push_str(&format!("[...{p}]")),
            UrlSegment::OptionalCatchAll(p) => pattern.push_str(&format!("[[...{p}]]")),
        }
    }
    if pattern.is_empty() {
        pattern.push('/');
    }
    pattern
}

/// `app/a/b` → `app`, `app/a`, `app/a/b` (outermost first).
fn ancestors(dir: &str) -> impl Iterator<Item = &str> {
    dir.match_indices('/')
        .map(|(i, _)| &dir[..i])
        .chain(std::iter::once(dir))
}

/// The innermost file of one kind from `dir` up to `app`.
fn nearest(
    folders: &BTreeMap<String, Folder>,
    dir: &str,
    pick: impl Fn(&Folder) -> &Option<String>,
) -> Option<String> {
    let chain: Vec<&str> = ancestors(dir).collect();
    chain
        .iter()
        .rev()
        .find_map(|d| folders.get(*d).and_then(|f| pick(f).clone()))
}
