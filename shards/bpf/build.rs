//! Compiles the eBPF programs in `c/` with clang (`-target bpf`) into `OUT_DIR`.
//!
//! Without clang or libbpf's headers the crate still builds, with empty objects and without
//! the `bext_bpf_built` cfg: bext then starts without its BPF layer and says why (the
//! userspace WAF and the classic-BPF steering enforce everything regardless).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const PROGRAMS: [&str; 2] = ["xdp_filter", "quic_reuseport"];
/// libbpf's header the programs include (Debian's libbpf-dev).
const HELPERS: &str = "/usr/include/bpf/bpf_helpers.h";

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    let clang = env::var("BEXT_BPF_CLANG").unwrap_or_else(|_| String::from("clang"));
    println!("cargo:rerun-if-env-changed=BEXT_BPF_CLANG");
    // Built once without libbpf's headers, the build is redone when they are installed.
    println!("cargo:rerun-if-changed={HELPERS}");
    println!("cargo:rerun-if-changed=c/counters.h");
    let mut built = true;
    for name in PROGRAMS {
        let source = Path::new("c").join(format!("{name}.c"));
        println!("cargo:rerun-if-changed={}", source.display());
        let object = out.join(format!("{name}.o"));
        match compile(&clang, &source, &object) {
            Ok(()) => {}
            Err(reason) => {
                built = false;
                println!(
                    "cargo:warning=bext-bpf: {} not compiled ({reason}); bext will run without its BPF layer",
                    source.display()
                );
                let _ = std::fs::write(&object, b"");
            }
        }
    }
    if built {
        println!("cargo:rustc-cfg=bext_bpf_built");
    }
}

fn compile(clang: &str, source: &Path, object: &Path) -> Result<(), String> {
    // The multiarch directory holds asm/types.h, which linux/bpf.h includes.
    let multiarch = format!(
        "/usr/include/{}-linux-gnu",
        env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_else(|_| String::from("x86_64"))
    );
    let output = Command::new(clang)
        .args(["-O2", "-g", "-Wall", "-Werror", "-target", "bpf"])
        .arg(format!("-I{multiarch}"))
        .arg("-c")
        .arg(source)
        .arg("-o")
        .arg(object)
        .output()
        .map_err(|e| format!("{clang}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr)
            .lines()
            .next()
            .unwrap_or("clang failed")
            .to_owned())
    }
}
