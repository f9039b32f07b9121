#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs every
# test on both executor backends, the mesh model checks, the fuzz-corpus replay and a smoke
# run of the benchmark harness. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

# --- tools the tests use -----------------------------------------------------------------
need=()
command -v curl  >/dev/null || need+=(curl)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v wrk   >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
    step "installing ${need[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || {
        $SUDO apt-get update -qq >/dev/null
        $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    }
fi

export CARGO_TERM_COLOR=never
target="${CARGO_TARGET_DIR:-$PWD/target}"
# Every test runner's output is kept so the last line can total them.
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
counted() { "$@" 2>&1 | tee -a "$results"; }

step "lint: cargo clippy (default backend)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "tests: monoio backend (default)"
counted cargo test --workspace --quiet

step "tests: glommio backend"
counted cargo test --workspace --features glommio --quiet

step "model checks: mesh wake-up protocol under loom"
RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR="$target/loom" \
    counted cargo test -p bext-shards --test loom_mesh --release --quiet

step "bench harness smoke run (no thresholds)"
cargo build --release --quiet -p bext -p bext-bench
BEXT_BIN="$target/release/bext" "$target/release/bext-bench" static --smoke

step "summary"
awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed\n", p, f }' "$results"
