//! Loading an app for serving: compile (PRISM per module, then link) and put the runtimes in
//! front, giving the one script every shard's engine evaluates.
//!
//! [`AppLoader`] keeps the linker's per-module cache between loads, so `bext dev` (and a
//! SIGHUP reload) recompiles only the modules whose files changed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bext_prism::{JsxMode, PositionMap, TransformOptions, transform_mapped};

use crate::app::RouteTable;
use crate::assets::Asset;
use crate::files;
use crate::link::{
    CompileError, CompileErrors, CompileOptions, CompileStats, Compiler, ModuleDiagnostic,
    ModuleTransform,
};
use crate::next_config::{ConfigPhase, NextConfig};
use crate::positions::Positions;
use crate::runtime::APP_RUNTIME_JS;

/// A compiled app, ready for engines to load. Shared read-only by every shard.
#[derive(Debug)]
pub struct LoadedApp {
    pub root: PathBuf,
    /// `prism.js`, the app runtime, the modules and the route table, in that order.
    pub bundle: Arc<str>,
    pub routes: RouteTable,
    pub public_dir: Option<PathBuf>,
    /// Compile errors embedded in the bundle (dev mode only).
    pub errors: Vec<CompileError>,
    /// next.config and middleware, compiled; `None` when the app has neither.
    pub next_config: Option<NextConfig>,
    /// Metadata files (favicon, icons, …), in memory, served at their URLs.
    pub assets: Vec<Asset>,
    /// Files modules bring in (imported images, `next/font` files and stylesheets), in
    /// memory, served at `/_next/static/…` with immutable caching.
    pub media: Vec<Arc<crate::media::StaticFile>>,
    /// next.config's `images` (Next's defaults without one): `<Image>` and `/_next/image`.
    pub images: bext_core::image::ImagesConfig,
    /// Where each module sits in `bundle`: stack frames back to the files a person wrote.
    pub positions: Positions,
    /// Lines for the start-up log: the `fs` snapshot's size and time, and the files it left
    /// out (listed when that list changes, so once per start and per change in `bext dev`).
    pub notes: Vec<String>,
    /// Routes known to render for every request before their first render (a literal
    /// `dynamic = "force-dynamic"` or `revalidate = 0` in the page or a layout).
    pub force_dynamic: Vec<usize>,
    pub stats: CompileStats,
    /// Dev mode: why the browser build of the client components failed (file:line:col and
    /// a frame). The app still loads, and the dev server shows this on every page until a
    /// fix loads; `bext serve` refuses to start instead.
    pub client_failure: Option<String>,
}

impl LoadedApp {
    /// Whether `newer` differs from this app only in its stylesheets: the same bundle but for
    /// the `__bext_styles` statement (which stylesheet URLs pages link). A dev server then
    /// swaps the stylesheets of open pages instead of reloading them. A CSS module whose class
    /// names changed changes its module's code in the bundle, so it is not "only styles".
    pub fn only_styles_differ(&self, newer: &LoadedApp) -> bool {
        let without_styles = |bundle: &str| {
            bundle
                .lines()
                .filter(|line| !line.starts_with("__bext_styles("))
                .collect::<Vec<_>>()
                .join("\n")
        };
        self.root == newer.root
            && *self.bundle != *newer.bundle
            && without_styles(&self.bundle) == without_styles(&newer.bundle)
    }
}

/// Compiles one app, again and again.
pub struct AppLoader {
    compiler: Compiler,
    /// The browser bundle's compiler (client components), with its own cache.
    browser: Compiler,
    dev: bool,
    /// The files the last snapshot left out, so an unchanged list is not logged again.
    left_out: Vec<(String, String)>,
}

impl AppLoader {
    /// `dev`: a module that fails to compile is embedded as one that throws its diagnostic,
    /// and the rest of the app still loads.
    pub fn new(root: &Path, dev: bool) -> AppLoader {
        let options = CompileOptions {
            embed_errors: dev,
            node_env: String::from(if dev { "development" } else { "production" }),
            ..CompileOptions::default()
        };
        // The browser runs React's production build, in dev too (bext has no Fast Refresh).
        let browser = CompileOptions {
            embed_errors: false,
            builtins: Vec::new(),
            ..CompileOptions::default()
        };
        AppLoader {
            compiler: Compiler::new(root, options),
            browser: Compiler::new(root, browser),
            dev,
            left_out: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        self.compiler.root()
    }

    pub fn load(&mut self) -> Result<LoadedApp, CompileErrors> {
        let compiled = self.compiler.compile(&mut Prism)?;
        let env = crate::env::load(self.compiler.root(), self.dev)
            .map_err(|why| CompileErrors(vec![CompileError::file(".env", why)]))?;
        let assets = crate::assets::load(self.compiler.root(), compiled.routes.metadata_files())
            .map_err(|(file, why)| CompileErrors(vec![CompileError::file(file, why)]))?;
        let mut notes = compiled.notes.clone();
        let files = uses_fs(&compiled.builtins).then(|| self.snapshot_files(&mut notes));
        let files_js = files.as_deref().unwrap_or("");
        let mut media = compiled.media.clone();
        let mut client_failure = None;
        let client = if compiled.client_entries.is_empty() {
            None
        } else {
            let started = std::time::Instant::now();
            match crate::client::build(&mut self.browser, &compiled.client_entries, !self.dev) {
                Ok(built) => {
                    notes.push(format!(
                        "client components: {} modules say \"use client\"; browser chunks built in {} ms, the runtime chunk is {} KiB (React and react-dom from the app's node_modules)",
                        compiled.client_entries.len(),
                        started.elapsed().as_millis(),
                        built.runtime_bytes / 1024
                    ));
                    media.extend(built.files.iter().cloned());
                    Some(built.manifest_js)
                }
                Err(errors) if self.dev => {
                    let message =
                        format!("the browser build of the client components failed:\n{errors}");
                    notes.push(message.clone());
                    client_failure = Some(message);
                    None
                }
                Err(errors) => return Err(errors),
            }
        };
        let mut bundle = self.assemble(&env, files_js, &compiled.bundle);
        // The modules come last in what `assemble` makes: after this many bytes.
        let mut modules_at = bundle.len() - compiled.bundle.len();
        let mut next_config = None;
        if compiled.next_config.is_some() || compiled.middleware.is_some() {
            let phase = if self.dev {
                ConfigPhase::Development
            } else {
                ConfigPhase::Production
            };
            let positions = placed(&compiled.positions, &bundle[..modules_at]);
            let config = crate::next_config::evaluate(
                &bundle,
                compiled.next_config.as_deref(),
                compiled.middleware.as_deref(),
                phase,
                &positions,
            )
            .map_err(|e| {
                let key = if e.key.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", e.key)
                };
                CompileErrors(vec![CompileError::file(
                    e.file,
                    format!("{key}{}", e.message),
                )])
            })?;
            // next.config's `env` wins over the environment and .env files, as Next inlines it.
            if !config.env.is_empty() {
                let mut env = env;
                for (name, value) in &config.env {
                    env.insert(name.clone(), value.clone());
                }
                bundle = self.assemble(&env, files_js, &compiled.bundle);
                modules_at = bundle.len() - compiled.bundle.len();
            }
            // Links and redirects made in the engine carry the base path and slash rule.
            if !config.base_path.is_empty() || config.trailing_slash {
                bundle.push_str(&format!(
                    "__bext_next_site({});\n",
                    serde_json::json!({
                        "basePath": config.base_path,
                        "trailingSlash": config.trailing_slash,
                    })
                ));
            }
            if !config.ignored.is_empty() {
                notes.push(format!(
                    "{}: ignored (bext does not act on them): {}",
                    config.file,
                    config.ignored.join(", ")
                ));
            }
            notes.extend(config.notes.iter().map(|n| format!("{}: {n}", config.file)));
            next_config = Some(config);
        }
        let icons = crate::assets::head_links(&assets);
        let base_path = next_config.as_ref().map_or("", |c| c.base_path.as_str());
        let social = crate::social::by_folder(
            self.compiler.root(),
            compiled.routes.metadata_files(),
            &assets,
            base_path,
        )
        .map_err(|(file, why)| CompileErrors(vec![CompileError::file(file, why)]))?;
        if let Some(social) = social {
            bundle.push_str(&format!("__bext_social_images({social});\n"));
        }
        let mut manifest = String::new();
        let has_manifest = compiled
            .routes
            .routes()
            .iter()
            .any(|r| r.pattern == "/manifest.webmanifest")
            || assets.iter().any(|a| a.url.starts_with("/manifest."));
        if has_manifest {
            let url = assets
                .iter()
                .find(|a| a.url.starts_with("/manifest."))
                .map_or("/manifest.webmanifest", |a| a.url.as_str());
            manifest = format!(r#"<link rel="manifest" href="{url}"/>"#);
        }
        if !icons.is_empty() || !manifest.is_empty() {
            bundle.push_str(&format!(
                "__bext_metadata_head({}, {});\n",
                serde_json::Value::from(icons.as_str()),
                serde_json::Value::from(manifest.as_str())
            ));
        }
        let images = next_config
            .as_ref()
            .map(|c| c.images.clone())
            .unwrap_or_default();
        if images != bext_core::image::ImagesConfig::default() {
            bundle.push_str(&format!("__bext_images({});\n", images_json(&images)));
        }
        if let Some(manifest_js) = &client {
            bundle.push_str(manifest_js);
        }
        let positions = placed(&compiled.positions, &bundle[..modules_at]);
        Ok(LoadedApp {
            media,
            images,
            root: self.compiler.root().to_path_buf(),
            bundle: Arc::from(bundle),
            next_config,
            assets,
            positions,
            notes,
            routes: compiled.routes,
            public_dir: compiled.public_dir,
            errors: compiled.errors,
            force_dynamic: compiled.force_dynamic,
            client_failure,
            stats: compiled.stats,
        })
    }
}

/// What `<Image>` needs of next.config's `images` (render/js/image.js reads it).
fn images_json(images: &bext_core::image::ImagesConfig) -> serde_json::Value {
    serde_json::json!({
        "deviceSizes": images.device_sizes,
        "imageSizes": images.image_sizes,
        "qualities": images.qualities,
        "dangerouslyAllowSVG": images.dangerously_allow_svg,
        "unoptimized": images.unoptimized,
    })
}

impl AppLoader {
    /// The script engines evaluate: PRISM's runtime, `process.env` and the app root, the app
    /// runtime, then the linked modules.
    fn assemble(
        &self,
        env: &std::collections::BTreeMap<String, String>,
        files_js: &str,
        modules: &str,
    ) -> String {
        let env_json = serde_json::to_string(env).unwrap_or_else(|_| String::from("{}"));
        let mut bundle = String::with_capacity(
            bext_prism::PRISM_RUNTIME_JS.len()
                + APP_RUNTIME_JS.len()
                + modules.len()
                + env_json.len()
                + files_js.len()
                + 40,
        );
        bundle.push_str(bext_prism::PRISM_RUNTIME_JS);
        bundle.push('\n');
        // `process.env` (see `env.rs`); app.js takes it off the global object.
        bundle.push_str("globalThis.__bext_env = ");
        bundle.push_str(&env_json);
        bundle.push_str(";\nglobalThis.__bext_root = ");
        bundle.push_str(
            &serde_json::to_string(&self.compiler.root().to_string_lossy())
                .unwrap_or_else(|_| String::from("\"/\"")),
        );
        bundle.push_str(";\n");
        // `fs`'s files (see `files.rs`), taken by fs.js on its first call.
        bundle.push_str(files_js);
        bundle.push_str(APP_RUNTIME_JS);
        bundle.push('\n');
        bundle.push_str(modules);
        bundle
    }

    /// The `fs` snapshot's script; what it holds and what it left out go to `notes`.
    fn snapshot_files(&mut self, notes: &mut Vec<String>) -> String {
        let snapshot = files::snapshot(self.compiler.root());
        notes.push(format!(
            "fs snapshot of {} files ({} KiB) in {:.1} ms",
            snapshot.files,
            snapshot.bytes / 1024,
            snapshot.elapsed_ms
        ));
        if snapshot.left_out != self.left_out {
            for (path, why) in snapshot.left_out.iter().take(FILES_LEFT_OUT_LISTED) {
                notes.push(format!(
                    "{path}: left out of the fs snapshot ({why}); reading it with fs fails. \
                     Keep files read at render time small, or serve large ones from public/"
                ));
            }
            if snapshot.left_out.len() > FILES_LEFT_OUT_LISTED {
                notes.push(format!(
                    "… and {} more files left out of the fs snapshot",
                    snapshot.left_out.len() - FILES_LEFT_OUT_LISTED
                ));
            }
        }
        self.left_out = snapshot.left_out;
        snapshot.script
    }
}

/// The modules' positions in the bundle, once `prefix` (the runtimes, the environment, the
/// files) stands in front of them.
fn placed(positions: &Positions, prefix: &str) -> Positions {
    let lines = prefix.bytes().filter(|&b| b == b'\n').count();
    positions
        .clone()
        .shifted(u32::try_from(lines).unwrap_or(u32::MAX))
}

/// Left-out files named one by one in the start-up log; the rest are counted.
const FILES_LEFT_OUT_LISTED: usize = 20; // tidy: not a limit (how much of a list is printed)

/// Whether some module imports `fs` (any of its ids).
fn uses_fs(builtins: &[String]) -> bool {
    builtins
        .iter()
        .any(|id| matches!(id.strip_prefix("node:").unwrap_or(id), "fs" | "fs/promises"))
}

/// The PRISM pass as the linker's per-module transform.
struct Prism;

impl ModuleTransform for Prism {
    fn transform(&mut self, source: &str, path: &Path) -> Result<String, ModuleDiagnostic> {
        self.transform_mapped(source, path).map(|(code, _)| code)
    }

    fn transform_mapped(
        &mut self,
        source: &str,
        path: &Path,
    ) -> Result<(String, Option<Arc<PositionMap>>), ModuleDiagnostic> {
        prism(source, path, JsxMode::Prism)
    }

    fn transform_client(
        &mut self,
        source: &str,
        path: &Path,
    ) -> Result<(String, Option<Arc<PositionMap>>), ModuleDiagnostic> {
        prism(source, path, JsxMode::Runtime)
    }
}

fn prism(
    source: &str,
    path: &Path,
    jsx: JsxMode,
) -> Result<(String, Option<Arc<PositionMap>>), ModuleDiagnostic> {
    transform_mapped(source, path, &TransformOptions { jsx })
        .map(|(code, map)| (code, Some(Arc::new(map))))
        .map_err(ModuleDiagnostic::from)
}
