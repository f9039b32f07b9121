//! Finds JavaScriptCore (Debian's `libjavascriptcoregtk-4.1-dev`) through pkg-config. When it
//! is there the crate links it and compiles the `jsc` backend (`cfg(bext_jsc)`); when it is not,
//! the crate still builds, with QuickJS (and V8 if enabled) only.
//!
//! Installing or removing the library changes pkg-config's search directories (their own
//! modification times change when a `.pc` file comes or goes), and those directories are what
//! this script asks cargo to watch: a build made before the library was installed picks the
//! JIT engine up on the next build, and one made before it was removed stops linking it.

use std::path::Path;
use std::process::Command;

/// Where pkg-config looks when it cannot be asked (Debian's default search path).
const PC_DIRS_DEFAULT: [&str; 4] = [
    "/usr/local/lib/x86_64-linux-gnu/pkgconfig",
    "/usr/lib/x86_64-linux-gnu/pkgconfig",
    "/usr/lib/pkgconfig",
    "/usr/share/pkgconfig",
];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(bext_jsc)");
    println!("cargo::rerun-if-env-changed=BEXT_NO_JSC");
    // An escape hatch to build and test the crate as it would be on a machine without JSC.
    if std::env::var_os("BEXT_NO_JSC").is_some() {
        return;
    }
    for dir in pc_dirs() {
        if Path::new(&dir).is_dir() {
            println!("cargo::rerun-if-changed={dir}");
        }
    }
    // `probe` prints the link flags itself when it finds the library.
    if pkg_config::Config::new()
        .atleast_version("2.0")
        .probe("javascriptcoregtk-4.1")
        .is_ok()
    {
        println!("cargo::rustc-cfg=bext_jsc");
    }
}

/// pkg-config's search directories: `PKG_CONFIG_PATH`, then its built-in path.
fn pc_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = std::env::var("PKG_CONFIG_PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|dir| !dir.is_empty())
        .map(str::to_owned)
        .collect();
    let built_in = Command::new("pkg-config")
        .args(["--variable", "pc_path", "pkg-config"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok());
    match built_in {
        Some(path) => dirs.extend(
            path.trim()
                .split(':')
                .filter(|dir| !dir.is_empty())
                .map(str::to_owned),
        ),
        None => dirs.extend(PC_DIRS_DEFAULT.iter().map(|dir| (*dir).to_owned())),
    }
    dirs
}
