//! The route table and its matcher.
//!
//! Matching runs for every request, before the engine is entered, so it is a segment trie:
//! each node has its static children in an `FxHashMap` keyed by the decoded segment, at most
//! one dynamic child, and at most one catch-all and one optional catch-all route. The walk
//! takes the path one segment at a time without splitting it into a vector, decodes a segment
//! only when it holds a `%`, and tries static → dynamic → catch-all → optional catch-all at
//! each level, backtracking when a branch dead-ends (so `/blog/new/x` still reaches
//! `/blog/[slug]/x` when `/blog/new` has no child `x`). A static hit allocates nothing beyond
//! the `RouteMatch` itself (its `params` vector stays empty and unallocated).
//!
//! Recursion depth is bounded by the trie's depth (the deepest route folder), never by the
//! request: catch-alls consume the rest of the path in a loop. Backtracking is exponential
//! only in the number of levels that have both a static and a dynamic child, which real apps
//! keep to a handful.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde_json::json;

use super::AppError;
use super::decode::decode_segment;
pub use super::tree::MetadataFile;
use super::tree::{self, RouteSpec, UrlSegment};

/// What a route serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteKind {
    /// `page.tsx`: rendered inside its layouts.
    Page,
    /// `route.ts`: a handler exporting `GET`, `POST`, ….
    Handler,
    /// `robots.ts`, `sitemap.ts`, `manifest.ts`: a default export whose value is written in
    /// the file's format (robots.txt, sitemap XML, web app manifest JSON).
    Metadata,
    /// The table's fallback for URLs no route matches: only the root layout, not-found and
    /// error modules are set. Never returned by [`RouteTable::match_path`].
    NotFound,
}

/// One route. Module fields are module ids: paths relative to the app root with `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The URL pattern, e.g. `/blog/[slug]`, `/docs/[...path]`, `/`; empty for the fallback.
    pub pattern: String,
    pub kind: RouteKind,
    /// The page or handler module; `None` for the fallback.
    pub module: Option<String>,
    /// Layout, template and loading modules that wrap the page, outermost (the root layout)
    /// first; a folder's template comes right after its layout, then its `loading` (rendered
    /// as a Suspense boundary around what is below). Handlers carry their chain too; the
    /// runtime ignores it for them.
    pub layouts: Vec<String>,
    /// The nearest `not-found` module, walking up from the route's folder.
    pub not_found: Option<String>,
    /// The nearest `error` module, walking up from the route's folder.
    pub error: Option<String>,
    /// Parallel-route slots: (the layout that gets it, its prop name, the page or default
    /// module rendered into it).
    pub slots: Vec<(String, String, String)>,
    /// Some slot has no page here and no `default`: Next answers 404.
    pub slot_missing: bool,
    /// `app/global-error.*`: renders, without any layout, when even the root layout fails.
    pub global_error: Option<String>,
}

/// A captured route parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    /// `[id]`: one decoded segment.
    One(String),
    /// `[...slug]` / `[[...slug]]`: the decoded segments (empty when an optional catch-all
    /// matched nothing).
    Many(Vec<String>),
}

/// The result of [`RouteTable::match_path`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch {
    /// Index into [`RouteTable::routes`] (and into the `__bext_routes` array of the bundle).
    pub route: usize,
    /// Parameters in URL order.
    pub params: Vec<(String, Param)>,
}

/// All routes of an app and the trie that matches URL paths against them.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Page and handler routes, sorted by folder, then the fallback as the last entry.
    routes: Vec<Route>,
    nodes: Vec<Node>,
    /// Metadata files served as they are (favicon, icons, Open Graph images, …).
    files: Vec<MetadataFile>,
}

#[derive(Clone, Debug, Default)]
struct Node {
    statics: FxHashMap<Box<str>, u32>,
    dynamic: Option<Dynamic>,
    catch_all: Option<Terminal>,
    optional_catch_all: Option<Terminal>,
    route: Option<u32>,
}

#[derive(Clone, Debug)]
struct Dynamic {
    name: Box<str>,
    child: u32,
    /// The route whose insertion created this child, to name it in conflict errors.
    first_route: u32,
}

#[derive(Clone, Debug)]
struct Terminal {
    name: Box<str>,
    route: u32,
}

const ROOT: u32 = 0;

impl RouteTable {
    /// Builds the table from the app's file list: paths relative to the app root with `/`
    /// separators (`app/blog/[slug]/page.tsx`); files outside `app/` are ignored. Returns every
    /// problem found (missing root layout, conflicting routes, bad folder names).
    pub fn from_files<I, S>(files: I) -> Result<RouteTable, Vec<AppError>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let tree::Collected {
            specs,
            fallback,
            files,
        } = tree::collect(files)?;
        let mut table = RouteTable {
            routes: Vec::with_capacity(specs.len() + 1),
            nodes: vec![Node::default()],
            files,
        };
        let mut errors = Vec::new();
        for RouteSpec { route, segments } in specs {
            let index = table.routes.len() as u32;
            table.routes.push(route);
            if let Err(message) = table.insert(index, &segments) {
                let file = table.routes[index as usize]
                    .module
                    .clone()
                    .unwrap_or_default();
                errors.push(AppError { file, message });
            }
        }
        table.routes.push(fallback);
        if errors.is_empty() {
            Ok(table)
        } else {
            Err(errors)
        }
    }

    /// Finds the route for a URL path. Anything from `?` or `#` on is ignored, each segment is
    /// percent-decoded before it is compared (`%2F` stays inside its segment), empty segments
    /// (a trailing slash, `//`) are skipped, and a segment that does not decode to UTF-8
    /// matches nothing.
    pub fn match_path(&self, path: &str) -> Option<RouteMatch> {
        let end = path.find(['?', '#']).unwrap_or(path.len());
        let mut params = Vec::new();
        let route = self.walk(ROOT, &path[..end], &mut params)?;
        params.reverse();
        Some(RouteMatch {
            route: route as usize,
            params,
        })
    }

    /// The metadata files served as they are.
    pub fn metadata_files(&self) -> &[MetadataFile] {
        &self.files
    }

    /// Every route, the fallback last. The index of a route here is its index in the bundle.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The index of the fallback route: what the server renders for a path no route matches.
    pub fn not_found_route(&self) -> usize {
        self.routes.len() - 1
    }

    /// Every module a route refers to (pages, handlers, layouts, not-found, error), sorted
    /// and without repeats: the linker's entry points.
    pub fn modules(&self) -> Vec<&str> {
        let mut modules: Vec<&str> = Vec::new();
        for route in &self.routes {
            modules.extend(route.module.as_deref());
            modules.extend(route.layouts.iter().map(String::as_str));
            modules.extend(route.not_found.as_deref());
            modules.extend(route.error.as_deref());
            modules.extend(route.slots.iter().map(|(_, _, m)| m.as_str()));
            modules.extend(route.global_error.as_deref());
        }
        modules.sort_unstable();
        modules.dedup();
        modules
    }

    /// The `__bext_routes([...]);` statement of the bundle (see the render contract).
    pub fn to_js(&self) -> String {
        let routes: Vec<serde_json::Value> = self
            .routes
            .iter()
            .map(|r| {
                let (page, handler) = match r.kind {
                    RouteKind::Page => (r.module.as_deref(), None),
                    RouteKind::Handler | RouteKind::Metadata => (None, r.module.as_deref()),
                    RouteKind::NotFound => (None, None),
                };
                let mut entry = json!({
                    "pattern": r.pattern,
                    "page": page,
                    "handler": handler,
                    "layouts": r.layouts,
                    "notFound": r.not_found,
                    "error": r.error,
                });
                if !r.slots.is_empty() {
                    entry["slots"] = json!(r.slots);
                }
                if r.slot_missing {
                    entry["slotMissing"] = json!(true);
                }
                if let Some(global_error) = &r.global_error {
                    entry["globalError"] = json!(global_error);
                }
                if r.kind == RouteKind::Metadata {
                    // The format, named by the module's stem: robots, sitemap or manifest.
                    let stem = r
                        .module
                        .as_deref()
                        .and_then(|m| m.rsplit('/').next())
                        .and_then(|name| name.split('.').next())
                        .unwrap_or("");
                    entry["metadata"] = json!(stem);
                    if r.pattern
                        .ends_with(&format!("/[{}]", super::tree::SITEMAP_ID_PARAM))
                    {
                        entry["byId"] = json!(true);
                    }
                }
                entry
            })
            .collect();
        format!("__bext_routes({});\n", serde_json::Value::Array(routes))
    }

    fn insert(&mut self, route: u32, segments: &[UrlSegment]) -> Result<(), String> {
        let mut node = ROOT;
        for segment in segments {
            node = match segment {
                UrlSegment::Static(s) => match self.nodes[node as usize].statics.get(s.as_str()) {
                    Some(&child) => child,
                    None => {
                        let child = self.new_node();
                        self.nodes[node as usize]
                            .statics
                            .insert(s.as_str().into(), child);
                        child
                    }
                },
                UrlSegment::Dynamic(name) => match &self.nodes[node as usize].dynamic {
                    Some(d) if *d.name == **name => d.child,
                    Some(d) => {
                        return Err(format!(
                            "conflicts with {}: different parameter names [{}] and [{name}] for the same URL segment",
                            self.module_of(d.first_route),
                            d.name
                        ));
                    }
                    None => {
                        let child = self.new_node();
                        let dynamic = Dynamic {
                            name: name.as_str().into(),
                            child,
                            first_route: route,
                        };
                        self.nodes[node as usize].dynamic = Some(dynamic);
                        child
                    }
                },
                UrlSegment::CatchAll(name) => return self.set_catch_all(node, route, name, false),
                UrlSegment::OptionalCatchAll(name) => {
                    return self.set_catch_all(node, route, name, true);
                }
            };
        }
        let target = &self.nodes[node as usize];
        if let Some(other) = target
            .route
            .or(target.optional_catch_all.as_ref().map(|t| t.route))
        {
            return Err(self.conflict(other, route));
        }
        self.nodes[node as usize].route = Some(route);
        Ok(())
    }

    fn set_catch_all(
        &mut self,
        node: u32,
        route: u32,
        name: &str,
        optional: bool,
    ) -> Result<(), String> {
        let target = &self.nodes[node as usize];
        // A catch-all and an optional catch-all at one place would both claim `/a/b`; an
        // optional one and a route at its parent folder would both claim the parent's URL.
        let clash = target
            .catch_all
            .as_ref()
            .map(|t| t.route)
            .or(target.optional_catch_all.as_ref().map(|t| t.route));
        let clash = if optional {
            clash.or(target.route)
        } else {
            clash
        };
        if let Some(other) = clash {
            return Err(self.conflict(other, route));
        }
        let terminal = Some(Terminal {
            name: name.into(),
            route,
        });
        if optional {
            self.nodes[node as usize].optional_catch_all = terminal;
        } else {
            self.nodes[node as usize].catch_all = terminal;
        }
        Ok(())
    }

    fn conflict(&self, first: u32, second: u32) -> String {
        format!(
            "conflicts with {}: both resolve to the URL {}",
            self.module_of(first),
            self.routes[second as usize].pattern
        )
    }

    fn module_of(&self, route: u32) -> &str {
        self.routes[route as usize].module.as_deref().unwrap_or("")
    }

    fn new_node(&mut self) -> u32 {
        self.nodes.push(Node::default());
        (self.nodes.len() - 1) as u32
    }

    /// Matches `rest` below `node`; on success returns the route and has pushed the
    /// parameters captured below `node` in reverse URL order.
    fn walk(&self, node: u32, rest: &str, params: &mut Vec<(String, Param)>) -> Option<u32> {
        let node = &self.nodes[node as usize];
        let Some((raw, tail)) = next_segment(rest) else {
            if let Some(route) = node.route {
                return Some(route);
            }
            let optional = node.optional_catch_all.as_ref()?;
            params.push((optional.name.to_string(), Param::Many(Vec::new())));
            return Some(optional.route);
        };
        let segment = decode_segment(raw)?;
        if let Some(&child) = node.statics.get(&*segment)
            && let Some(route) = self.walk(child, tail, params)
        {
            return Some(route);
        }
        if let Some(dynamic) = &node.dynamic
            && let Some(route) = self.walk(dynamic.child, tail, params)
        {
            params.push((dynamic.name.to_string(), Param::One(segment.into_owned())));
            return Some(route);
        }
        let terminal = node
            .catch_all
            .as_ref()
            .or(node.optional_catch_all.as_ref())?;
        let mut values = vec![segment.into_owned()];
        let mut rest = tail;
        while let Some((raw, tail)) = next_segment(rest) {
            values.push(decode_segment(raw).map(Cow::into_owned)?);
            rest = tail;
        }
        params.push((terminal.name.to_string(), Param::Many(values)));
        Some(terminal.route)
    }
}

/// Splits off the next non-empty segment: `"/a/b"` → `("a", "/b")`.
fn next_segment(rest: &str) -> Option<(&str, &str)> {
    let rest = rest.trim_start_matches('/');
    if rest.is_empty() {
        return None;
    }
    Some(match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    })
}
