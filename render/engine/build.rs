//! Finds JavaScriptCore (Debian's `libjavascriptcoregtk-4.1-dev`) through pkg-config. When it
//! is there the crate links it and compiles the `jsc` backend (`cfg(bext_jsc)`); when it is not,
//! the crate still builds, with QuickJS (and V8 if enabled) only.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(bext_jsc)");
    println!("cargo::rerun-if-env-changed=BEXT_NO_JSC");
    // An escape hatch to build and test the crate as it would be on a machine without JSC.
    if std::env::var_os("BEXT_NO_JSC").is_some() {
        return;
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
