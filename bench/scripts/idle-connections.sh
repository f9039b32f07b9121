#!/usr/bin/env bash
# Memory per idle connection beside nginx, for HTTP/1.1, h2c, HTTPS and HTTP/2 over TLS: for
# each protocol a fresh bext (one shard) and a fresh nginx (one worker), N connections opened
# one after another (each completes its handshake and a request or the HTTP/2 preface, then
# stays open), and the server's RSS growth divided by N. Python's ssl is the client.
# Ports below the ephemeral range: the clients of one case must not sit on the next one's.
# Usage: bench/scripts/idle-connections.sh BEXT_BIN [N]
set -euo pipefail
bin="$1"
n="${2:-1000}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
setup_work
mkdir -p "$work/www"
printf 'hello, world\n' > "$work/www/small.txt"
make_cert
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/nginx-error.log;
pid $work/nginx.pid;
events { worker_connections $((n + 100)); }
http {
  access_log off;
  server {
    listen 127.0.0.1:29181;
    listen 127.0.0.1:29182 http2;
    listen 127.0.0.1:29543 ssl;
    listen 127.0.0.1:29544 ssl http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_prefer_server_ciphers on;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;
    root $work/www;
  }
}
CONF
cat > "$work/bext.toml" <<CONF
[server]
listen = ["127.0.0.1:29180"]
listen_tls = ["127.0.0.1:29545"]
shards = 1
[[site]]
hosts = ["localhost"]
root = "$work/www"
tls = { cert = "$work/cert.pem", key = "$work/key.pem" }
CONF
for case in h1:29180:29181 h2c:29180:29182 tls-h1:29545:29543 tls-h2:29545:29544; do
    IFS=: read -r mode bext_port nginx_port <<< "$case"
    scheme=http; [[ $mode == tls* ]] && scheme=https
    flags=()
    [[ $mode == h2c ]] && flags=(--http2-prior-knowledge)
    start 0-1 "$bin" serve --config "$work/bext.toml"
    bext_pid=$started
    wait_ok "$scheme://127.0.0.1:$bext_port/small.txt" "${flags[@]}"
    echo -n "bext  "
    /usr/bin/python3 "$here/idle-open.py" 127.0.0.1 "$bext_port" "$mode" "$n" "$bext_pid"
    stop_group "$bext_pid"
    start 0-1 nginx -c "$work/nginx.conf"
    nginx_pid=$started
    wait_ok "$scheme://127.0.0.1:$nginx_port/small.txt" "${flags[@]}"
    worker=""
    for _ in $(seq 1 100); do
        worker="$(pgrep -P "$nginx_pid" | head -1)" && [ -n "$worker" ] && break
        sleep 0.05
    done
    echo -n "nginx "
    /usr/bin/python3 "$here/idle-open.py" 127.0.0.1 "$nginx_port" "$mode" "$n" "$worker"
    stop_group "$nginx_pid"
    sleep 0.3
done
