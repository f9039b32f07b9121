//! Finding (and if need be installing or building) every program a scenario runs, before any
//! server starts, so a missing piece is one clear error instead of a half-finished run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::contender::Contender;
use crate::error::Error;
use crate::limits::{APT_DEADLINE_MS, BUILD_DEADLINE_MS};
use crate::run::run_inherited;
use crate::sys;
use crate::workdir::WorkDir;

/// Paths of the programs a scenario needs; `None` for those it does not.
#[derive(Debug, Default)]
pub struct Programs {
    pub wrk: Option<PathBuf>,
    pub bext: Option<PathBuf>,
    pub nginx: Option<PathBuf>,
    pub ceiling: Option<PathBuf>,
    pub loadgen: Option<PathBuf>,
    pub h2load: Option<PathBuf>,
    /// `bext-h3load`, this package's HTTP/3 generator (`h3`).
    pub h3load: Option<PathBuf>,
    /// `bext-wsecho` and `bext-wsload`, this package's WebSocket echo upstream and round-trip
    /// generator (`proxy`).
    pub wsecho: Option<PathBuf>,
    pub wsload: Option<PathBuf>,
    /// `bext-rtload`, this package's SSE fan-out generator (`realtime`).
    pub rtload: Option<PathBuf>,
    /// Node.js, for the `node` contender of `realtime`.
    pub node: Option<PathBuf>,
    pub curl: Option<PathBuf>,
    pub openssl: Option<PathBuf>,
    /// nginx's ModSecurity module (`waf`).
    pub modsecurity_module: Option<PathBuf>,
}

/// What a scenario needs besides its contenders.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    pub wrk: bool,
    /// `bext-loadgen`, the fixed-rate generator.
    pub loadgen: bool,
    /// h2load, the HTTP/2 load generator (`h2`).
    pub h2load: bool,
    /// `bext-h3load`, the HTTP/3 load generator (`h3`).
    pub h3load: bool,
    /// `bext-wsecho` and `bext-wsload` (`proxy`'s WebSocket tunnels).
    pub websocket: bool,
    /// `bext-rtload` (`realtime`).
    pub rtload: bool,
    /// openssl to make the certificate and curl to check each protocol (`tls`, `h2`).
    pub tls: bool,
    /// nginx's ModSecurity v3 module, when nginx runs (`waf`).
    pub modsecurity: bool,
}

/// A tool the harness runs and the Debian package it comes with. Unlike nginx and wrk, which
/// the harness installs itself as it always has, a missing one is an error naming the package.
struct Tool {
    name: &'static str,
    package: &'static str,
}

const H2LOAD: Tool = Tool {
    name: "h2load",
    package: "nghttp2-client",
};
const CURL: Tool = Tool {
    name: "curl",
    package: "curl",
};
const OPENSSL: Tool = Tool {
    name: "openssl",
    package: "openssl",
};
/// Where Debian's package puts the module (`$NGINX_MODSECURITY_MODULE` overrides).
const MODSECURITY_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so";
const MODSECURITY_PACKAGE: &str = "libnginx-mod-http-modsecurity";

/// The cargo workspace this crate belongs to (where `target/release/bext` is looked for).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// What every scenario does first: find (and if need be build or install) its programs, then
/// pin the harness to the load CPU, then make the run directory. Pinning comes only after
/// locating, so a cargo build or apt-get run by it can use every core.
pub fn prepare(contenders: &[Contender], needs: Needs) -> Result<(Programs, WorkDir), Error> {
    let programs = resolve_needs(contenders, needs)?;
    sys::pin_harness_to_load_cpu()?;
    Ok((programs, WorkDir::create()?))
}

/// Needs of a scenario driven by wrk (or by nothing but the harness, with `wrk: false`).
pub fn wrk(wrk: bool) -> Needs {
    Needs {
        wrk,
        ..Needs::default()
    }
}

pub fn resolve_needs(contenders: &[Contender], needs: Needs) -> Result<Programs, Error> {
    let need_wrk = needs.wrk;
    which("taskset").ok_or_else(|| {
        Error::run("taskset (util-linux) is needed to pin processes to CPUs but is not on PATH")
    })?;
    // Before anything is installed or built: a missing tool is a sentence, not a late failure.
    let h2load = needs.h2load.then(|| require(&H2LOAD)).transpose()?;
    let curl = needs.tls.then(|| require(&CURL)).transpose()?;
    let openssl = needs.tls.then(|| require(&OPENSSL)).transpose()?;
    let need_nginx = contenders.contains(&Contender::Nginx);
    let modsecurity_module = (needs.modsecurity && need_nginx)
        .then(modsecurity_module)
        .transpose()?;
    if (need_nginx && nginx_path().is_none()) || (need_wrk && which("wrk").is_none()) {
        install_nginx_and_wrk()?;
    }
    let mut programs = Programs {
        h2load,
        curl,
        openssl,
        modsecurity_module,
        ..Programs::default()
    };
    if need_wrk {
        programs.wrk = Some(
            which("wrk").ok_or_else(|| Error::run("wrk is still missing after apt-get install"))?,
        );
    }
    if need_nginx {
        programs.nginx = Some(
            nginx_path()
                .ok_or_else(|| Error::run("nginx is still missing after apt-get install"))?,
        );
    }
    if contenders.contains(&Contender::Bext) {
        programs.bext = Some(bext_path()?);
    }
    if contenders.contains(&Contender::Ceiling) {
        programs.ceiling = Some(sibling_program("bext-ceiling", "BEXT_CEILING_BIN")?);
    }
    if needs.loadgen {
        programs.loadgen = Some(sibling_program("bext-loadgen", "BEXT_LOADGEN_BIN")?);
    }
    if needs.h3load {
        programs.h3load = Some(sibling_program("bext-h3load", "BEXT_H3LOAD_BIN")?);
    }
    if needs.rtload {
        programs.rtload = Some(sibling_program("bext-rtload", "BEXT_RTLOAD_BIN")?);
    }
    if contenders.contains(&Contender::Node) {
        programs.node = Some(which("node").ok_or_else(|| {
            Error::run("node (Node.js) is not on PATH: install it, or leave node out with --contenders bext")
        })?);
    }
    if needs.websocket {
        programs.wsecho = Some(sibling_program("bext-wsecho", "BEXT_WSECHO_BIN")?);
        programs.wsload = Some(sibling_program("bext-wsload", "BEXT_WSLOAD_BIN")?);
    }
    Ok(programs)
}

/// `bext-flood`, this package's UDP flood (`xdp`): `$BEXT_FLOOD_BIN`, else next to this
/// executable (built if missing), as `bext-loadgen` and `bext-h3load` are found.
pub fn flood_path() -> Result<PathBuf, Error> {
    sibling_program("bext-flood", "BEXT_FLOOD_BIN")
}

fn nginx_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NGINX_BIN") {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    Some(PathBuf::from("/usr/sbin/nginx"))
        .filter(|path| path.is_file())
        .or_else(|| which("nginx"))
}

/// nginx's ModSecurity module: `$NGINX_MODSECURITY_MODULE`, else Debian's. Missing, it is an
/// error naming the package (a module must match the nginx build, so the harness does not
/// guess at others).
fn modsecurity_module() -> Result<PathBuf, Error> {
    let (path, from) = match std::env::var_os("NGINX_MODSECURITY_MODULE") {
        Some(path) => (PathBuf::from(path), "NGINX_MODSECURITY_MODULE="),
        None => (PathBuf::from(MODSECURITY_MODULE), ""),
    };
    if path.is_file() {
        return Ok(path);
    }
    Err(Error::run(format!(
        "nginx's ModSecurity module is not at {from}{}: install Debian's {MODSECURITY_PACKAGE} \
         package (apt-get install -y {MODSECURITY_PACKAGE}), or leave nginx out with \
         --contenders bext",
        path.display()
    )))
}

fn install_nginx_and_wrk() -> Result<(), Error> {
    println!("nginx or wrk is missing: installing them with `apt-get install -y nginx-light wrk`");
    let timeout = Duration::from_millis(APT_DEADLINE_MS);
    let install = || {
        let mut command = Command::new("apt-get");
        command
            .args(["install", "-y", "nginx-light", "wrk"])
            .env("DEBIAN_FRONTEND", "noninteractive");
        run_inherited(&mut command, "apt-get install", timeout)
    };
    if install()?.success() {
        return Ok(());
    }
    println!("apt-get install failed: running `apt-get update` and trying again");
    let updated = run_inherited(
        Command::new("apt-get").arg("update"),
        "apt-get update",
        timeout,
    )?;
    if !updated.success() {
        return Err(Error::run(format!(
            "apt-get update failed ({updated}); install nginx-light and wrk by hand"
        )));
    }
    let status = install()?;
    if !status.success() {
        return Err(Error::run(format!(
            "apt-get install -y nginx-light wrk failed ({status})"
        )));
    }
    Ok(())
}

/// `$BEXT_BIN` as it is; else bext built (`cargo build --release -p bext`, which does
/// nothing when the binary is up to date) where cargo puts it: `$CARGO_TARGET_DIR/release`,
/// or the workspace's `target/release`. Always through cargo: a release binary left from an
/// older tree would otherwise be measured in place of the sources'.
fn bext_path() -> Result<PathBuf, Error> {
    if let Some(path) = std::env::var_os("BEXT_BIN") {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(Error::run(format!(
                "BEXT_BIN={} does not exist (unset it to use or build target/release/bext, \
                 or pass --contenders without bext)",
                path.display()
            )));
        }
        return Ok(path);
    }
    let path = bext_release_path();
    println!(
        "bext: building {} with `cargo build --release -p bext` (nothing to do when it is up to date)",
        path.display()
    );
    cargo_build(
        &["build", "--release", "-p", "bext"],
        &workspace_root(),
        "building bext",
    )?;
    if !path.is_file() {
        return Err(Error::run(format!(
            "`cargo build --release -p bext` succeeded but produced no {}; set BEXT_BIN",
            path.display()
        )));
    }
    Ok(path)
}

/// Where `cargo build --release -p bext` puts the binary.
fn bext_release_path() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target_dir) => {
            let target_dir = PathBuf::from(target_dir);
            let target_dir = if target_dir.is_relative() {
                workspace_root().join(target_dir)
            } else {
                target_dir
            };
            target_dir.join("release/bext")
        }
        None => workspace_root().join("target/release/bext"),
    }
}

/// A binary of this package (`bext-ceiling`, `bext-loadgen`): `$<env_var>`, else next to this
/// executable; if it is not there (cargo run builds only the binary it runs), builds it in
/// this executable's profile and target dir.
fn sibling_program(name: &str, env_var: &str) -> Result<PathBuf, Error> {
    if let Some(path) = std::env::var_os(env_var) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(Error::run(format!(
                "{env_var}={} does not exist",
                path.display()
            )));
        }
        return Ok(path);
    }
    let exe = std::env::current_exe()
        .map_err(|error| Error::run(format!("cannot find this executable: {error}")))?;
    let exe_dir = exe
        .parent()
        .ok_or_else(|| Error::run("this executable has no parent directory"))?;
    let sibling = exe_dir.join(name);
    if cfg!(debug_assertions) {
        println!(
            "warning: bext-bench is a debug build, so is the {name} next to it; use --release for real numbers"
        );
    }
    if sibling.is_file() {
        return Ok(sibling);
    }
    let profile = exe_dir
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let target_dir = exe_dir
        .parent()
        .filter(|_| profile == "release" || profile == "debug")
        .ok_or_else(|| {
            Error::run(format!(
                "{name} is not next to {} and that is not a cargo target dir; set {env_var}",
                exe.display()
            ))
        })?;
    println!(
        "{name}: not built yet; building it with `cargo build -p bext-bench --bin {name}` ({profile})"
    );
    let target_dir_arg = target_dir.display().to_string();
    let mut args = vec![
        "build",
        "-p",
        "bext-bench",
        "--bin",
        name,
        "--target-dir",
        &target_dir_arg,
    ];
    if profile == "release" {
        args.push("--release");
    }
    cargo_build(&args, &workspace_root(), &format!("building {name}"))?;
    if sibling.is_file() {
        Ok(sibling)
    } else {
        Err(Error::run(format!(
            "built {name} but {} is missing",
            sibling.display()
        )))
    }
}

fn cargo_build(args: &[&str], dir: &Path, what: &str) -> Result<(), Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(dir);
    let status = run_inherited(&mut command, what, Duration::from_millis(BUILD_DEADLINE_MS))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::run(format!("{what} failed ({status})")))
    }
}

fn require(tool: &Tool) -> Result<PathBuf, Error> {
    which(tool.name).ok_or_else(|| {
        Error::run(format!(
            "{} is not on PATH: install Debian's {} package (apt-get install -y {})",
            tool.name, tool.package, tool.package
        ))
    })
}

/// The first executable file called `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
