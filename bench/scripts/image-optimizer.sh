#!/usr/bin/env bash
# The image optimizer beside Next.js's: bext and `next start` serve the same built app (the
# copy of tests/nextjs/apps/images that tests/nextjs.rs builds under /var/cache/bext/nextjs/),
# each pinned to CPU 0, the load generator on CPU 1.
#
# 1. cold: N transforms of the 1200×800 JPEG to WebP at distinct widths (every cache empty:
#    bext restarted, Next's .next/cache/images removed), the time to the whole answer, median;
# 2. cached: one optimized URL asked again and again (wrk, 2 connections, interleaved rounds of
#    SECONDS each), requests per second, medians and their ratio.
#
# Usage: bench/scripts/image-optimizer.sh BEXT_BIN BUILT_APP_DIR NEXT_BIN [ROUNDS] [SECONDS]
# (NEXT_BIN: node_modules/next/dist/bin/next of the install the app was built with)
set -euo pipefail
bext="$1"
app="$2"
next="$3"
rounds="${4:-5}"
seconds="${5:-3}"
bext_port=39311
next_port=39312
url="/_next/image?url=%2Fimg%2Fphoto.jpg&w=640&q=75"
widths=(640 750 828 1080 1200 1920)
pids=()
# next start runs its server as a child process (next-server): stop the children too.
stop_all() {
    for p in "${pids[@]}"; do
        pkill -KILL -P "$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
    done
}
trap stop_all EXIT

wait_up() {
    for _ in $(seq 1 600); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    exit 1
}

start_bext() {
    taskset -c 0 "$bext" serve "$app" --listen "127.0.0.1:$bext_port" --shards 1 >/dev/null 2>&1 &
    pids+=($!)
    bext_pid=$!
    wait_up "$bext_port"
}

start_next() {
    rm -rf "$app/.next/cache/images"
    (cd "$app" && NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 \
        exec taskset -c 0 node "$next" start -H 127.0.0.1 -p "$next_port" >/dev/null 2>&1) &
    pids+=($!)
    next_pid=$!
    wait_up "$next_port"
}

cold() {
    local port="$1" times=()
    for w in "${widths[@]}"; do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -H 'Accept: image/webp' \
            "http://127.0.0.1:$port/_next/image?url=%2Fimg%2Fphoto.jpg&w=$w&q=75")")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}

rps() {
    taskset -c 1 wrk -t1 -c2 -d"${seconds}s" -H 'Accept: image/webp' "http://127.0.0.1:$1$url" |
        awk '/Requests\/sec/ {print $2}'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

start_bext
start_next
echo "cold transform, median of ${#widths[@]} widths (ms): bext $(cold $bext_port), next $(cold $next_port)"
b=() n=()
for _ in $(seq 1 "$rounds"); do
    b+=("$(rps $bext_port)")
    n+=("$(rps $next_port)")
done
bm=$(printf '%s\n' "${b[@]}" | median)
nm=$(printf '%s\n' "${n[@]}" | median)
echo "cached optimized image, req/s (median of $rounds rounds of ${seconds}s): bext $bm, next $nm, ratio $(awk -v a="$bm" -v b="$nm" 'BEGIN {printf "%.1fx", a/b}')"
