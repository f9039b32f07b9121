//! Setting up the Node.js contenders: `npm ci` in `bench/node` when its packages are missing
//! or older than the lockfile (and in the app itself, whose `tailwindcss` bext reads), then `node build.mjs` (the Node bundle of `examples/app`, and
//! with Next.js the generated app and `next build`). Runs before the harness pins itself to
//! one CPU, so npm and `next build` get both cores.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::error::Error;
use crate::limits::{NODE_BUILD_DEADLINE_MS, NPM_CI_DEADLINE_MS, TOOL_DEADLINE_MS};
use crate::locate::{which, workspace_root};
use crate::run::{run_captured, run_inherited};

/// Oldest Node.js that runs the pinned Next.js (its `engines` field).
const NEXT_NODE_VERSION_MIN: (u32, u32) = (20, 9);
/// Oldest Node.js that runs the pinned esbuild and React (Debian 12's nodejs is 18.19).
const NODE_VERSION_MIN: (u32, u32) = (18, 0);

/// The built Node.js contenders.
pub struct NodeApps {
    pub node: PathBuf,
    pub react_server: PathBuf,
    pub bundle: PathBuf,
    pub marko_server: PathBuf,
    /// The app's lib/data module on its own, for the Marko templates.
    pub marko_data: PathBuf,
    pub next_bin: PathBuf,
    /// `None` unless Next.js was asked for.
    pub next_app: Option<PathBuf>,
    /// node, react, react-dom, next, marko: the versions measured, for the report's settings.
    pub versions: BTreeMap<String, String>,
}

pub fn prepare(app: &Path, with_next: bool) -> Result<NodeApps, Error> {
    let dir = workspace_root().join("bench/node");
    let (min, needed_by) = if with_next {
        (NEXT_NODE_VERSION_MIN, "next")
    } else {
        (NODE_VERSION_MIN, "node")
    };
    let node = which("node").ok_or_else(|| {
        Error::run(format!(
            "node is needed for the {needed_by} server but is not on PATH (Node.js >= {}.{}; \
             or leave it out with --servers)",
            min.0, min.1
        ))
    })?;
    let version = node_version(&node)?;
    if parse_version(&version).is_none_or(|found| found < min) {
        return Err(Error::run(format!(
            "{} is Node.js {version}; the {needed_by} server needs >= {}.{} (or leave it out with --servers)",
            node.display(),
            min.0,
            min.1
        )));
    }
    if needs_install(&dir) {
        npm_ci(
            &dir,
            "bench/node",
            "react, react-dom, next, marko, esbuild, tailwindcss, ws",
        )?;
    }
    build(&node, &dir, app, with_next)?;
    let mut versions = BTreeMap::from([("node".to_string(), version)]);
    for package in ["react", "react-dom", "next", "marko"] {
        versions.insert(package.to_string(), package_version(&dir, package)?);
    }
    let out = dir.join(".build");
    Ok(NodeApps {
        react_server: dir.join("react-server.mjs"),
        bundle: out.join("node/app.mjs"),
        marko_server: dir.join("marko-server.mjs"),
        marko_data: out.join("marko/data.mjs"),
        next_bin: dir.join("node_modules/next/dist/bin/next"),
        next_app: with_next.then(|| out.join("next-app")),
        node,
        versions,
    })
}

fn node_version(node: &Path) -> Result<String, Error> {
    let output = run_captured(
        Command::new(node).arg("--version"),
        "node --version",
        Duration::from_millis(TOOL_DEADLINE_MS),
    )?;
    if !output.status.success() {
        return Err(Error::run(format!(
            "node --version failed ({})",
            output.status
        )));
    }
    Ok(output.stdout.trim().to_string())
}

/// "v20.20.2" -> (20, 20).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().strip_prefix('v').unwrap_or(text).split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// No node_modules, or one older than package-lock.json (npm ci writes
/// node_modules/.package-lock.json last).
fn needs_install(dir: &Path) -> bool {
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|meta| meta.modified());
    match (
        modified(dir.join("node_modules/.package-lock.json")),
        modified(dir.join("package-lock.json")),
    ) {
        (Ok(installed), Ok(locked)) => installed < locked,
        _ => true,
    }
}

/// The bench's own packages (`bench/node`), installed when missing or older than the
/// lockfile, without building anything: the `realtime` scenario's Node hub needs `ws`. Runs
/// before the harness pins itself to one CPU.
pub fn install_bench_packages() -> Result<(), Error> {
    let dir = workspace_root().join("bench/node");
    if needs_install(&dir) {
        npm_ci(
            &dir,
            "bench/node",
            "ws, react, react-dom, next, marko, esbuild",
        )?;
    }
    Ok(())
}

/// The app's own packages, in its directory: bext reads the `tailwindcss` package from the
/// app's `node_modules` to compile its stylesheet, so every bext server needs them.
pub fn install_app_packages(app: &Path) -> Result<(), Error> {
    if needs_install(app) {
        npm_ci(app, "examples/app", "tailwindcss, react, react-dom")?;
    }
    Ok(())
}

/// `npm ci` in `dir` (`name` in messages), which installs `packages`.
fn npm_ci(dir: &Path, name: &str, packages: &str) -> Result<(), Error> {
    let npm = which("npm").ok_or_else(|| {
        Error::run(format!(
            "npm is needed to install {name}'s packages but is not on PATH"
        ))
    })?;
    println!("ssr: installing {name}'s packages (`npm ci`, {packages})");
    let status = run_inherited(
        Command::new(npm)
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .env("NEXT_TELEMETRY_DISABLED", "1"),
        &format!("npm ci in {name}"),
        Duration::from_millis(NPM_CI_DEADLINE_MS),
    )?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::run(format!("npm ci in {name} failed ({status})")))
    }
}

fn build(node: &Path, dir: &Path, app: &Path, with_next: bool) -> Result<(), Error> {
    let mut command = Command::new(node);
    command
        .arg(dir.join("build.mjs"))
        .arg("--app")
        .arg(app)
        .current_dir(dir)
        .env("NEXT_TELEMETRY_DISABLED", "1");
    if with_next {
        command.arg("--next");
    }
    let status = run_inherited(
        &mut command,
        "bench/node/build.mjs",
        Duration::from_millis(NODE_BUILD_DEADLINE_MS),
    )?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::run(format!(
            "bench/node/build.mjs failed ({status}); its output is above"
        )))
    }
}

fn package_version(dir: &Path, package: &str) -> Result<String, Error> {
    let path = dir.join("node_modules").join(package).join("package.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| Error::run(format!("reading {}: {error}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| Error::run(format!("{}: {error}", path.display())))?;
    json.get("version")
        .and_then(|version| version.as_str())
        .map(str::to_string)
        .ok_or_else(|| Error::run(format!("{} has no version", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: Option<(u32, u32)>) {
        assert_eq!(parse_version(text), expect, "text: {text:?}");
    }

    #[test]
    fn reads_node_versions() {
        check("v20.20.2\n", Some((20, 20)));
        check("v18.19.0", Some((18, 19)));
        check("22.1.0", Some((22, 1)));
        check("v20", None);
        check("node", None);
        assert!((20, 8) < NEXT_NODE_VERSION_MIN);
        assert!((20, 20) >= NEXT_NODE_VERSION_MIN);
        assert!((18, 19) >= NODE_VERSION_MIN);
    }
}
