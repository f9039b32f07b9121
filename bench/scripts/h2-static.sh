#!/usr/bin/env bash
# HTTP/2 beside nginx: a 13-byte file over h2 (TLS 1.3, ALPN, one ECDSA P-256 certificate) and
# over h2c (cleartext, prior knowledge), bext (one shard) and nginx (one worker) each on CPU 0,
# h2load (1 thread, 32 connections, 16 streams each) on CPU 1, interleaved rounds of SECONDS
# each; prints every round and the medians' ratio for each case.
# A quick check; `cargo run -p bext-bench --release -- h2` is the harness's measurement
# (CPU per request, each server's answer checked first).
# Usage: bench/scripts/h2-static.sh BEXT_BIN [ROUNDS] [SECONDS]
set -euo pipefail
bin="$1"
rounds="${2:-5}"
seconds="${3:-3}"
source "$(dirname "$0")/lib.sh"
setup_work
mkdir -p "$work/www"
printf 'hello, world\n' > "$work/www/small.txt"
make_cert
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/nginx-error.log;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  http2_max_requests 1000000;
  http2_max_concurrent_streams 128;
  server {
    listen 127.0.0.1:39443 ssl http2;
    listen 127.0.0.1:39081 http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_prefer_server_ciphers on;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;
    ssl_protocols TLSv1.3;
    root $work/www;
  }
}
CONF
cat > "$work/bext.toml" <<CONF
[server]
listen = ["127.0.0.1:39080"]
listen_tls = ["127.0.0.1:39444"]
shards = 1
[[site]]
hosts = ["localhost"]
root = "$work/www"
tls = { cert = "$work/cert.pem", key = "$work/key.pem" }
CONF
start 0 "$bin" serve --config "$work/bext.toml"
start 0 nginx -c "$work/nginx.conf"
wait_ok "https://127.0.0.1:39444/small.txt"
wait_ok "https://127.0.0.1:39443/small.txt"
wait_ok "http://127.0.0.1:39081/small.txt" --http2-prior-knowledge
rps() {
    taskset -c 1 h2load -t1 -c32 -m16 -D "$seconds" "$1" 2>/dev/null \
        | awk '/^finished in/ {gsub(",", "", $4); print $4}'
}
report() {
    local name="$1" bext_url="$2" nginx_url="$3"
    local b=() n=()
    for _ in $(seq 1 "$rounds"); do
        b+=("$(rps "$bext_url")")
        n+=("$(rps "$nginx_url")")
    done
    local bm nm
    bm=$(printf '%s\n' "${b[@]}" | median)
    nm=$(printf '%s\n' "${n[@]}" | median)
    echo "$name bext: ${b[*]}"
    echo "$name nginx: ${n[*]}"
    echo "$name, 13 bytes, req/s medians: bext $bm, nginx $nm, ratio $(ratio "$bm" "$nm")"
}
report "h2 (TLS)" "https://127.0.0.1:39444/small.txt" "https://127.0.0.1:39443/small.txt"
report "h2c" "http://127.0.0.1:39080/small.txt" "http://127.0.0.1:39081/small.txt"
