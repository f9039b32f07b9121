#!/usr/bin/env bash
# Instructions per render, counted by callgrind (repeatable on a busy machine, unlike req/s):
# one QuickJS shard rendering PAGE of examples/app with the ISR cache off, N times after 20
# warm-up requests; only the N renders are counted. Compare two builds with it. The app's
# packages must be installed (npm ci --prefix examples/app).
# Usage: bench/scripts/render-instructions.sh BEXT_BIN [PAGE] [N] [PORT]
set -euo pipefail
bin="$1"
page="${2:-/dashboard}"
n="${3:-200}"
port="${4:-39301}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/bext.toml" <<TOML
[server]
listen = ["127.0.0.1:$port"]
shards = 1
access_log = "off"

[[site]]
hosts = ["localhost"]
app = "$root/examples/app"

[render]
engine = "quickjs"
isr = false
TOML
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --instr-atstart=no \
    "$bin" serve --config "$work/bext.toml" > "$work/log" 2>&1 &
vg=$!
for _ in $(seq 1 600); do curl -s -o /dev/null "localhost:$port/__bext/health" && break; sleep 0.2; done
for _ in $(seq 1 20); do curl -s -o /dev/null -H 'host: localhost' "localhost:$port$page"; done
callgrind_control -i on "$vg" > /dev/null
for _ in $(seq 1 "$n"); do curl -s -o /dev/null -H 'host: localhost' "localhost:$port$page"; done
callgrind_control -d "$vg" > /dev/null
callgrind_control -i off "$vg" > /dev/null
kill -KILL "$vg" # the counts are dumped already; a drain under valgrind is slow
wait "$vg" 2>/dev/null || true
total=$(callgrind_annotate "$work/cg.out.1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }')
echo "$page: $((total / n)) instructions per render ($n renders, $bin)"
