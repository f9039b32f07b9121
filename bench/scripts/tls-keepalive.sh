#!/usr/bin/env bash
# HTTPS keep-alive beside nginx: a 13-byte file over TLS 1.3 with one ECDSA P-256 certificate,
# bext (one shard) and nginx (one worker) each on CPU 0, wrk (1 thread, 32 connections) on
# CPU 1, interleaved rounds of SECONDS each; prints every round and the medians' ratio.
# A quick check; `cargo run -p bext-bench --release -- tls` is the harness's measurement
# (CPU per request, handshakes, each server's answer checked first).
# Usage: bench/scripts/tls-keepalive.sh BEXT_BIN [ROUNDS] [SECONDS]
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
  server {
    listen 127.0.0.1:39443 ssl;
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
rps() {
    taskset -c 1 wrk -t1 -c32 -d"${seconds}s" "https://127.0.0.1:$1/small.txt" | awk '/Requests\/sec/ {print $2}'
}
b=() n=()
for _ in $(seq 1 "$rounds"); do
    b+=("$(rps 39444)")
    n+=("$(rps 39443)")
done
bm=$(printf '%s\n' "${b[@]}" | median)
nm=$(printf '%s\n' "${n[@]}" | median)
echo "bext: ${b[*]}"
echo "nginx: ${n[*]}"
echo "HTTPS keep-alive, 13 bytes, req/s medians: bext $bm, nginx $nm, ratio $(ratio "$bm" "$nm")"
