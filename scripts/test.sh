#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs every
# test on both executor backends, the mesh model checks, the fuzz-corpus replay, a smoke run
# of every benchmark scenario and of the perf history. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

# --- tools the build and the tests use ----------------------------------------------------
source scripts/deps.sh
want_build_tools
want curl curl
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || wanted+=(nginx-light)
want wrk wrk
# nginx's ModSecurity v3 module: the waf bench's peer (nginx + ModSecurity + the same CRS).
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || wanted+=(libnginx-mod-http-modsecurity)
# HTTP/2 clients: h2load for many streams, Python's h2 for the protocol checks (tests/h2.rs).
want h2load nghttp2-client
# nftables: the xdp bench's peer (a netdev ingress rule against bext's XDP filter).
want nft nftables
# tests/xdp.rs turns off a veth end's checksum offload for the steering test.
want ethtool ethtool
# PHP-FPM: the FastCGI server of tests/fastcgi.rs.
compgen -G '/usr/sbin/php-fpm*' >/dev/null || wanted+=(php-fpm)
/usr/bin/python3 -c 'import h2, hyperframe' 2>/dev/null || wanted+=(python3-h2)
# Python's cryptography for the test ACME CA (tests/acme/server.py).
/usr/bin/python3 -c 'import cryptography' 2>/dev/null || wanted+=(python3-cryptography)
# PyYAML reads the OWASP CRS regression corpus (tests/crs/run.py, tests/waf_rules.rs).
/usr/bin/python3 -c 'import yaml' 2>/dev/null || wanted+=(python3-yaml)
# testssl.sh scans the HTTPS listener (tests/testssl.rs).
want testssl testssl.sh
# A real browser for pages (tests/h2.rs loads one over HTTP/2; tests/browser.rs drives it
# with playwright-core, which that test installs itself with npm ci).
want chromium chromium
# ngtcp2's client checks HTTP/3 interop (tests/h3.rs).
want gtlsclient ngtcp2-client
# Node runs real React for the conformance corpus and the ssr bench's baselines.
want node nodejs
want npm npm
# Redis for the nodes of tests/cluster.rs ([cluster]); redis-cli comes with it.
want redis-server redis-server
install_wanted

# React and esbuild for the conformance corpus, at the versions in its lockfile.
conformance=render/prism/tests/conformance/node
if [ ! -d "$conformance/node_modules" ] || [ "$conformance/package-lock.json" -nt "$conformance/node_modules" ]; then
    step "installing the conformance corpus's node packages (npm ci)"
    (cd "$conformance" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The example app's packages (tailwindcss, read by bext when it compiles the app's
# stylesheet; React), which the tests and benchmarks that serve examples/app need.
example=examples/app
# (npm writes node_modules/.package-lock.json last: missing, the install is not whole.)
if [ "$example/package-lock.json" -nt "$example/node_modules/.package-lock.json" ]; then
    step "installing the example app's node packages (npm ci)"
    npm ci --prefix "$example" --no-audit --no-fund --loglevel=error
fi

# aioquic (PyPI), the HTTP/3 client of tests/h3.rs, websockets, the WebSocket server and
# client of tests/proxy.rs, h2 with websockets' frames for WebSockets over HTTP/2
# (tests/common/ws_connect.py), hypercorn, the HTTP/2 WebSocket upstream of tests/proxy.rs,
# and grpcio with its health checking service, the gRPC server
# and client of tests/proxy_upstreams.rs, in a virtual environment of its own outside the clone (a test
# run alone installs what it needs there itself).
quic_venv=/var/cache/bext/quic-venv
if ! "$quic_venv/bin/python" -c 'import aioquic, websockets, h2, hypercorn, grpc_health.v1.health' 2>/dev/null; then
    step "installing aioquic, websockets, hypercorn and grpcio into $quic_venv (pip)"
    mkdir -p "$(dirname "$quic_venv")"
    rm -rf "$quic_venv"
    # Debian's own python3 makes virtual environments only with python3-venv installed.
    if ! python3 -m venv "$quic_venv" 2>/dev/null; then
        rm -rf "$quic_venv"
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$quic_venv"
    fi
    "$quic_venv/bin/pip" install --quiet aioquic==1.7.2 websockets==15.0.1 h2==4.3.0 \
        hypercorn==0.18.0 grpcio==1.85.4 grpcio-health-checking==1.85.1
fi

export CARGO_TERM_COLOR=never
target="${CARGO_TARGET_DIR:-$PWD/target}"
# Every test runner's output is kept so the last line can total them.
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
counted() { "$@" 2>&1 | tee -a "$results"; }

step "format: cargo fmt --check"
cargo fmt --all --check

step "lint: cargo clippy (default backend)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "type-check: the V8 engine (its prebuilt library cannot be downloaded here)"
DOCS_RS=1 cargo check -p bext-engine --features v8 --quiet

step "type-check: the engines without JavaScriptCore (a machine without its library)"
BEXT_NO_JSC=1 CARGO_TARGET_DIR="$target/no-jsc" cargo check -p bext-engine --quiet

step "tests: monoio backend (default)"
counted cargo test --workspace --quiet

step "tests: glommio backend"
# (tests/browser.rs is built on the default backend only: its pages do not depend on it.)
counted cargo test --workspace --features glommio --quiet

step "tests: TLS and HTTP/2 with rustls on aws-lc-rs (--features aws-lc-rs) instead of ring"
cargo clippy -p bext-server --features aws-lc-rs --quiet -- -D warnings
counted cargo test -p bext --features aws-lc-rs --test tls --test h2 --quiet

# V8's librusty_v8.a cannot be downloaded here and takes about 3 hours on 2 cores to build
# (scripts/build-v8.sh), far over a CI run: it is built once per machine into a cache outside
# the clone, and used when it is there.
v8_archive="${RUSTY_V8_ARCHIVE:-/var/cache/bext/v8/out/obj/librusty_v8.a}"
if [ -f "$v8_archive" ]; then
    step "tests: the V8 engine (engines, renderer, conformance corpus) with $v8_archive"
    RUSTY_V8_ARCHIVE="$v8_archive" CARGO_TARGET_DIR="$target/v8" \
        counted cargo test -p bext-engine -p bext-render -p bext-prism --features bext-engine/v8 --quiet
else
    step "tests: the V8 engine are SKIPPED: no $v8_archive (build it with scripts/build-v8.sh, about 3 hours on 2 cores)"
fi

step "model checks: mesh wake-up protocol under loom"
RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR="$target/loom" \
    counted cargo test -p bext-shards --test loom_mesh --release --quiet

step "bench: every scenario's smoke run (proves the harness works; no thresholds)"
cargo build --release --quiet -p bext -p bext-bench -p bext-perf
BEXT_BIN="$target/release/bext" "$target/release/bext-bench" all --smoke
# The rule engine alone on waf's requests: fails if CRS refuses one of them (run by the rules,
# and taken from a shard's memo).
"$target/release/bext-wafcost" --rounds 1 --round-millis 200
"$target/release/bext-wafcost" --rounds 1 --round-millis 200 --memo

step "perf history: record the smoke results into a scratch database and draw the dashboard"
scratch="$(mktemp -d)"
"$target/release/bext-perf" record --db "$scratch/history.sqlite" --allow-smoke bench/results/*-smoke.json
"$target/release/bext-perf" report --db "$scratch/history.sqlite" --include-smoke --out "$scratch/report"
test -s "$scratch/report/index.html"
rm -rf "$scratch"

step "summary"
awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed\n", p, f }' "$results"
