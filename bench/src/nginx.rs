//! The nginx configuration bext is compared against: nginx's best setup for small static
//! files on one core, as a well-tuned production deployment would have it.
//!
//! - `master_process off`: nginx runs as a single process, so the pid we spawn is the worker
//!   that serves. Its RSS is exactly what the idle-connection scenario measures, and SIGTERM
//!   reaches it directly. The request path is the same worker event loop either way.
//! - `worker_processes 1; worker_cpu_affinity 1;` (CPU 0) plus `taskset -c 0`: one core, like
//!   bext's one shard. With two workers (the `scaling` scenario) `master_process` must be on
//!   (without a master nginx runs one process whatever `worker_processes` says); the workers
//!   are pinned to CPUs 0 and 1, listen with `reuseport` (one socket per worker, like bext's
//!   shards), and the harness counts the CPU time of the master's children.
//! - `sendfile`, `tcp_nopush`, `open_file_cache`: no read copy, full packets, no open/stat per
//!   request. `access_log off`: bext is measured without its access log too.
//! - `keepalive_requests 1000000; keepalive_timeout 75s;`: wrk's connections are never
//!   recycled mid-run (nginx's default closes every 1000 requests), and the idle timeout
//!   matches bext's `KEEPALIVE_IDLE_TIMEOUT_MS`.
//! - Every path nginx writes (pid, error log, temp dirs) is inside the run's temp dir, so the
//!   benchmark never touches /var or /run.
//! - HTTPS (`tls`, `h2`): a second listener with `ssl`, TLS 1.3 only (`ssl_protocols
//!   TLSv1.3`), the run's ECDSA P-256 certificate, the TLS 1.3 suites in bext's order chosen
//!   by the server (`ssl_prefer_server_ciphers on`, `ssl_conf_command Ciphersuites`: both then
//!   negotiate AES-128-GCM with SHA-256, checked by `tls`'s s_client run), and nginx's defaults otherwise: session
//!   tickets on (bext resumes by tickets too), no session cache. Without tickets (`tls`'s
//!   `handshake-full`, as bext's `tls_session_tickets = false`): `ssl_session_tickets off`,
//!   `ssl_session_cache off` and `ssl_conf_command NumTickets 0`. The first two alone are not
//!   enough: OpenSSL then still sends two TLS 1.3 tickets per handshake (stateful ones, for a
//!   cache nginx does not keep), which resume nothing but cost the server their making and
//!   every reconnecting client a failed offer; bext, without tickets, sends none.
//! - HTTP/2 (`h2`): `http2` on the HTTPS listener (ALPN h2) and on a cleartext listener of its
//!   own (nginx 1.22's cleartext `http2` port speaks HTTP/2 only), with the same 128
//!   concurrent streams per connection as bext; `keepalive_requests` also bounds an HTTP/2
//!   connection's requests in nginx 1.22.
//! - Reverse proxy (`proxy`): `proxy_pass` to an `upstream {}` block with `keepalive` idle
//!   connections (HTTP/1.1 with `Connection` cleared: without those two lines nginx opens a
//!   connection per request), `keepalive_requests` as high as the client side's, and the
//!   request fields bext's proxy sends: `Host` as the client sent it, `X-Forwarded-For`
//!   appended to, `X-Forwarded-Proto` and `X-Forwarded-Host` set, so both proxies forward the
//!   same bytes. Proxy buffering stays at nginx's default (on, 8 x 4 KiB in memory): the
//!   scenario's answers fit, so nothing goes to a temp file. The upstream, another nginx of
//!   this kind serving the docroot, also answers `stub_status` on a path of its own, from
//!   which the harness reads how many connections it accepted.
//! - WebSocket (`proxy`'s tunnels): the same `proxy_pass`, with `proxy_set_header Upgrade
//!   $http_upgrade; proxy_set_header Connection "upgrade";` as nginx's documentation has it
//!   (instead of clearing `Connection`), and `proxy_read_timeout`/`proxy_send_timeout` as long
//!   as bext's tunnel idle timeout, so neither closes a held tunnel first.
//! - ModSecurity (`waf`): Debian's `libnginx-mod-http-modsecurity` (ModSecurity-nginx over
//!   libmodsecurity 3), loaded with `load_module`, `modsecurity on` for the whole `http`
//!   block and its rules from the main conf `modsecurity.rs` writes (the Core Rule Set).
//!   Without it, no module is loaded: nginx is exactly the one of every other scenario.

use std::path::Path;

/// The TLS 1.3 suites nginx offers, in bext's order (Mozilla's intermediate order), chosen by
/// the server as bext chooses them: both servers then run the same cipher and hash.
const TLS13_SUITES: &str =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

/// `http2_max_concurrent_streams`: nginx's default, and bext's bound too.
pub const H2_STREAMS_MAX: u32 = 128;

/// Requests one kept-alive connection to the upstream may carry: as many as a client's
/// (`keepalive_requests` above); nginx's default, 1000, would reconnect every 1000 requests,
/// which bext's proxy never does.
const UPSTREAM_KEEPALIVE_REQUESTS_MAX: u32 = 1_000_000;
/// The name of the `upstream {}` block a proxying nginx forwards to.
const UPSTREAM_BLOCK: &str = "origin";

/// nginx's HTTPS listener.
pub struct NginxTls<'a> {
    pub port: u16,
    pub cert: &'a Path,
    pub key: &'a Path,
    /// TLS 1.3 session tickets (nginx's default); off, no tickets and no session cache.
    pub session_tickets: bool,
}

pub struct NginxConfig<'a> {
    /// Directory for the pid file, error log and temp paths.
    pub prefix: &'a Path,
    pub docroot: &'a Path,
    pub port: u16,
    /// `worker_connections`: every connection, idle or not, needs one.
    pub worker_connections: u32,
    /// The CPUs of the worker processes, one worker per CPU (`[0]`, `[0, 1]`; `[1]` for the
    /// upstream of `proxy`, beside the load generator).
    pub cpus: &'a [usize],
    /// `tcp_nopush` (TCP_CORK with sendfile): on everywhere except `pipeline`, where nginx
    /// keeps the socket corked while pipelined requests are pending and a batch's last
    /// responses wait for the delayed-ACK timer (~40 ms): 10x fewer req/s measured here.
    pub tcp_nopush: bool,
    /// `sendfile`: on everywhere except the HTTP/2 upstream of `proxy`, where nginx 1.22's
    /// HTTP/2 answers from sendfile on connections that carry one request at a time
    /// (`grpc_pass`'s) wait for the client's delayed ACK: 2,254 req/s measured, against 22,643
    /// without.
    pub sendfile: bool,
    /// HTTPS on a second port (`tls`, `h2`).
    pub tls: Option<NginxTls<'a>>,
    /// HTTP/2 on the HTTPS listener (ALPN h2).
    pub http2: bool,
    /// A cleartext HTTP/2 listener (h2c with prior knowledge), beside the HTTP/1.1 one.
    pub h2c_port: Option<u16>,
    /// ModSecurity v3 on every request (`waf`).
    pub modsecurity: Option<NginxModsecurity<'a>>,
    /// Forward every request to an upstream instead of serving `docroot` (`proxy`).
    pub proxy: Option<NginxProxy>,
    /// A path answered with nginx's `stub_status` (the upstream of `proxy`).
    pub stub_status: Option<&'a str>,
}

/// nginx as a reverse proxy: one upstream server, reached over kept-alive connections.
#[derive(Clone, Copy, Debug)]
pub struct NginxProxy {
    /// The upstream's port on 127.0.0.1.
    pub upstream_port: u16,
    /// `keepalive`: idle connections to the upstream the worker keeps.
    pub idle_connections_max: u32,
    /// The upstream speaks WebSocket: `Upgrade` and `Connection: upgrade` are passed on, and
    /// a tunnel silent for this long is closed (`proxy_read_timeout`, `proxy_send_timeout`).
    pub tunnel_idle_ms: Option<u64>,
    /// The upstream speaks HTTP/2 (h2c): `grpc_pass`, nginx's one HTTP/2 client, instead of
    /// `proxy_pass`, with the same fields.
    pub http2: bool,
}

/// The ModSecurity-nginx module and the rules it runs.
pub struct NginxModsecurity<'a> {
    /// `ngx_http_modsecurity_module.so`, built for this nginx.
    pub module: &'a Path,
    /// ModSecurity's main conf (`modsecurity.rs`): the engine's settings and the rules.
    pub rules_file: &'a Path,
}

pub fn render(config: &NginxConfig<'_>) -> String {
    let prefix = config.prefix.display();
    let docroot = config.docroot.display();
    let worker_connections = config.worker_connections;
    // nginx also needs descriptors for the listener and open files.
    let nofile = u64::from(worker_connections) * 2;
    let workers = config.cpus.len();
    assert!(workers >= 1, "nginx needs a worker");
    let master_process = if workers == 1 { "off" } else { "on" };
    // With several workers, one listening socket per worker (SO_REUSEPORT): the kernel spreads
    // connections over them, as bext's reuseport group does, instead of whichever worker
    // wakes first taking most of them.
    let reuseport = if workers == 1 { "" } else { " reuseport" };
    let tcp_nopush = if config.tcp_nopush { "on" } else { "off" };
    let sendfile = if config.sendfile { "on" } else { "off" };
    // One bitmask per worker, as wide as the highest CPU: "1" (CPU 0), "01 10" (CPUs 0 and
    // 1), "10" (CPU 1).
    let width = config.cpus.iter().max().map_or(1, |highest| highest + 1);
    let affinity = config
        .cpus
        .iter()
        .map(|&worker_cpu| {
            (0..width)
                .rev()
                .map(|cpu| if cpu == worker_cpu { '1' } else { '0' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let listeners = listeners(config, reuseport);
    let (upstream_block, content) = match config.proxy {
        Some(proxy) if proxy.http2 => (upstream_block(proxy), grpc_location()),
        Some(proxy) => (upstream_block(proxy), proxy_location(proxy.tunnel_idle_ms)),
        None => (String::new(), format!("        root {docroot};\n")),
    };
    let status = config.stub_status.map_or(String::new(), |path| {
        format!("        location = {path} {{\n            stub_status;\n        }}\n")
    });
    let mut http_settings = if config.http2 || config.h2c_port.is_some() {
        format!("    http2_max_concurrent_streams {H2_STREAMS_MAX};\n")
    } else {
        String::new()
    };
    let mut load_module = String::new();
    if let Some(modsecurity) = &config.modsecurity {
        load_module = format!("load_module {};\n", modsecurity.module.display());
        http_settings.push_str(&format!(
            "    modsecurity on;\n    modsecurity_rules_file {};\n",
            modsecurity.rules_file.display()
        ));
    }
    format!(
        "\
# Written by bext-bench (bench/src/nginx.rs); see that file for why each line is here.
{load_module}daemon off;
master_process {master_process};
worker_processes {workers};
worker_cpu_affinity {affinity};
worker_rlimit_nofile {nofile};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;

events {{
    worker_connections {worker_connections};
}}

http {{
    access_log off;
    sendfile {sendfile};
    tcp_nopush {tcp_nopush};
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
{http_settings}
    types {{
        text/plain txt;
    }}
    default_type application/octet-stream;

    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{upstream_block}
    server {{
{listeners}{content}{status}    }}
}}
"
    )
}

/// The `upstream {}` block a proxying nginx forwards to (in `http`, before the server).
fn upstream_block(proxy: NginxProxy) -> String {
    format!(
        "
    upstream {UPSTREAM_BLOCK} {{
        server 127.0.0.1:{};
        keepalive {};
        keepalive_requests {UPSTREAM_KEEPALIVE_REQUESTS_MAX};
    }}
",
        proxy.upstream_port, proxy.idle_connections_max
    )
}

/// The server block's content when it proxies: everything to the upstream, kept alive, with
/// the fields bext's proxy sends (see the module docs); or, for a WebSocket upstream, with
/// the upgrade passed on as nginx's documentation has it.
fn proxy_location(tunnel_idle_ms: Option<u64>) -> String {
    let connection = match tunnel_idle_ms {
        None => "            proxy_set_header Connection \"\";\n".to_string(),
        Some(idle_ms) => format!(
            "            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection \"upgrade\";
            proxy_read_timeout {idle_ms}ms;
            proxy_send_timeout {idle_ms}ms;
"
        ),
    };
    format!(
        "        location / {{
            proxy_pass http://{UPSTREAM_BLOCK};
            proxy_http_version 1.1;
{connection}            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
        }}
"
    )
}

/// The server block's content when it proxies to an HTTP/2 upstream: `grpc_pass` to the
/// `upstream {}` block (kept alive the same way), with the fields bext's proxy sends.
fn grpc_location() -> String {
    format!(
        "        location / {{
            grpc_pass grpc://{UPSTREAM_BLOCK};
            grpc_set_header Host $http_host;
            grpc_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            grpc_set_header X-Forwarded-Proto $scheme;
            grpc_set_header X-Forwarded-Host $host;
        }}
"
    )
}

/// The `listen` lines (and the certificate lines with HTTPS) of the one server block.
fn listeners(config: &NginxConfig<'_>, reuseport: &str) -> String {
    let mut lines = format!("        listen 127.0.0.1:{}{reuseport};\n", config.port);
    if let Some(port) = config.h2c_port {
        lines.push_str(&format!(
            "        listen 127.0.0.1:{port}{reuseport} http2;\n"
        ));
    }
    if let Some(tls) = &config.tls {
        let http2 = if config.http2 { " http2" } else { "" };
        lines.push_str(&format!(
            "        listen 127.0.0.1:{}{reuseport} ssl{http2};\n\
             \x20       ssl_certificate {};\n\
             \x20       ssl_certificate_key {};\n\
             \x20       ssl_protocols TLSv1.3;\n\
             \x20       ssl_prefer_server_ciphers on;\n\
             \x20       ssl_conf_command Ciphersuites {TLS13_SUITES};\n",
            tls.port,
            tls.cert.display(),
            tls.key.display()
        ));
        if !tls.session_tickets {
            lines.push_str(
                "        ssl_session_tickets off;\n\
                 \x20       ssl_session_cache off;\n\
                 \x20       ssl_conf_command NumTickets 0;\n",
            );
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(config: NginxConfig<'_>, expect_lines: &[&str]) {
        let rendered = render(&config);
        for line in expect_lines {
            assert!(
                rendered.lines().any(|l| l.trim() == *line),
                "missing {line:?} in:\n{rendered}"
            );
        }
    }

    #[test]
    fn renders_the_tuned_single_worker_config() {
        check(
            NginxConfig {
                prefix: Path::new("/tmp/run/nginx"),
                docroot: Path::new("/tmp/run/docroot"),
                port: 8081,
                worker_connections: 1024,
                cpus: &[0],
                tcp_nopush: true,
                sendfile: true,
                tls: None,
                http2: false,
                h2c_port: None,
                modsecurity: None,
                proxy: None,
                stub_status: None,
            },
            &[
                "daemon off;",
                "master_process off;",
                "worker_processes 1;",
                "worker_cpu_affinity 1;",
                "worker_rlimit_nofile 2048;",
                "pid /tmp/run/nginx/nginx.pid;",
                "worker_connections 1024;",
                "access_log off;",
                "sendfile on;",
                "tcp_nopush on;",
                "open_file_cache max=1000 inactive=60s;",
                "open_file_cache_valid 60s;",
                "keepalive_requests 1000000;",
                "keepalive_timeout 75s;",
                "listen 127.0.0.1:8081;",
                "root /tmp/run/docroot;",
                "client_body_temp_path /tmp/run/nginx/client_body;",
            ],
        );
        check(
            NginxConfig {
                prefix: Path::new("/tmp/run/nginx"),
                docroot: Path::new("/tmp/run/docroot"),
                port: 8081,
                worker_connections: 1024,
                cpus: &[0, 1],
                tcp_nopush: false,
                sendfile: false,
                tls: None,
                http2: false,
                h2c_port: None,
                modsecurity: None,
                proxy: None,
                stub_status: None,
            },
            &[
                "master_process on;",
                "worker_processes 2;",
                "worker_cpu_affinity 01 10;",
                "listen 127.0.0.1:8081 reuseport;",
                "sendfile off;",
                "tcp_nopush off;",
            ],
        );
    }

    #[test]
    fn renders_https_and_http2_listeners() {
        let tls = || NginxTls {
            port: 8443,
            cert: Path::new("/tmp/run/cert.pem"),
            key: Path::new("/tmp/run/key.pem"),
            session_tickets: true,
        };
        let config = |tls, http2, h2c_port| NginxConfig {
            prefix: Path::new("/tmp/run/nginx"),
            docroot: Path::new("/tmp/run/docroot"),
            port: 8081,
            worker_connections: 1024,
            cpus: &[0],
            tcp_nopush: true,
            sendfile: true,
            tls,
            http2,
            h2c_port,
            modsecurity: None,
            proxy: None,
            stub_status: None,
        };
        check(
            config(Some(tls()), false, None),
            &[
                "listen 127.0.0.1:8081;",
                "listen 127.0.0.1:8443 ssl;",
                "ssl_certificate /tmp/run/cert.pem;",
                "ssl_certificate_key /tmp/run/key.pem;",
                "ssl_protocols TLSv1.3;",
                "root /tmp/run/docroot;",
            ],
        );
        check(
            config(Some(tls()), true, Some(8082)),
            &[
                "listen 127.0.0.1:8081;",
                "listen 127.0.0.1:8082 http2;",
                "listen 127.0.0.1:8443 ssl http2;",
                "http2_max_concurrent_streams 128;",
            ],
        );
        let with_tickets = render(&config(Some(tls()), false, None));
        assert!(!with_tickets.contains("ssl_session"), "{with_tickets}");
        check(
            config(
                Some(NginxTls {
                    session_tickets: false,
                    ..tls()
                }),
                false,
                None,
            ),
            &[
                "listen 127.0.0.1:8443 ssl;",
                "ssl_session_tickets off;",
                "ssl_session_cache off;",
                "ssl_conf_command NumTickets 0;",
            ],
        );
        let plain = render(&config(None, false, None));
        for absent in ["ssl", "http2", "modsecurity", "load_module"] {
            assert!(!plain.contains(absent), "{absent} in:\n{plain}");
        }
    }

    #[test]
    fn loads_modsecurity_before_everything_and_turns_it_on_for_http() {
        let rendered = render(&NginxConfig {
            prefix: Path::new("/tmp/run/nginx"),
            docroot: Path::new("/tmp/run/docroot"),
            port: 8081,
            worker_connections: 1024,
            cpus: &[0],
            tcp_nopush: true,
            sendfile: true,
            tls: None,
            http2: false,
            h2c_port: None,
            modsecurity: Some(NginxModsecurity {
                module: Path::new("/usr/lib/nginx/modules/ngx_http_modsecurity_module.so"),
                rules_file: Path::new("/tmp/run/nginx/modsecurity.conf"),
            }),
            proxy: None,
            stub_status: None,
        });
        let lines: Vec<&str> = rendered.lines().map(str::trim).collect();
        // nginx refuses load_module after the first block-level directive it cares about.
        assert_eq!(
            lines.get(1).copied(),
            Some("load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;")
        );
        let http = lines.iter().position(|l| *l == "http {");
        let on = lines.iter().position(|l| *l == "modsecurity on;");
        assert!(http < on && on.is_some(), "{rendered}");
        assert!(
            lines.contains(&"modsecurity_rules_file /tmp/run/nginx/modsecurity.conf;"),
            "{rendered}"
        );
    }

    #[test]
    fn renders_a_keepalive_proxy_and_an_upstream_on_the_load_cpu() {
        let config = |cpus, proxy, stub_status| NginxConfig {
            prefix: Path::new("/tmp/run/nginx"),
            docroot: Path::new("/tmp/run/docroot"),
            port: 8081,
            worker_connections: 1024,
            cpus,
            tcp_nopush: true,
            sendfile: true,
            tls: None,
            http2: false,
            h2c_port: None,
            modsecurity: None,
            proxy,
            stub_status,
        };
        let proxy = NginxProxy {
            upstream_port: 9000,
            idle_connections_max: 64,
            tunnel_idle_ms: None,
            http2: false,
        };
        check(
            config(&[0], Some(proxy), None),
            &[
                "worker_cpu_affinity 1;",
                "upstream origin {",
                "server 127.0.0.1:9000;",
                "keepalive 64;",
                "keepalive_requests 1000000;",
                "location / {",
                "proxy_pass http://origin;",
                "proxy_http_version 1.1;",
                "proxy_set_header Connection \"\";",
                "proxy_set_header Host $http_host;",
                "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                "proxy_set_header X-Forwarded-Proto $scheme;",
                "proxy_set_header X-Forwarded-Host $host;",
            ],
        );
        let proxying = render(&config(&[0], Some(proxy), None));
        assert!(!proxying.contains("root "), "{proxying}");
        assert!(!proxying.contains("stub_status"), "{proxying}");
        check(
            config(&[1], None, Some("/status")),
            &[
                "master_process off;",
                "worker_cpu_affinity 10;",
                "root /tmp/run/docroot;",
                "location = /status {",
                "stub_status;",
            ],
        );
        let upstream = render(&config(&[1], None, Some("/status")));
        assert!(!upstream.contains("proxy_pass"), "{upstream}");
        let h2 = NginxProxy {
            http2: true,
            ..proxy
        };
        check(
            config(&[0], Some(h2), None),
            &[
                "upstream origin {",
                "keepalive 64;",
                "grpc_pass grpc://origin;",
                "grpc_set_header Host $http_host;",
                "grpc_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            ],
        );
        let grpc = render(&config(&[0], Some(h2), None));
        assert!(!grpc.contains("proxy_pass"), "{grpc}");
    }

    #[test]
    fn a_websocket_proxy_passes_the_upgrade_on() {
        let proxy = NginxProxy {
            upstream_port: 9000,
            idle_connections_max: 64,
            tunnel_idle_ms: Some(600_000),
            http2: false,
        };
        let config = NginxConfig {
            prefix: Path::new("/tmp/run/nginx"),
            docroot: Path::new("/tmp/run/docroot"),
            port: 8081,
            worker_connections: 21_000,
            cpus: &[0],
            tcp_nopush: true,
            sendfile: true,
            tls: None,
            http2: false,
            h2c_port: None,
            modsecurity: None,
            proxy: Some(proxy),
            stub_status: None,
        };
        let rendered = render(&config);
        check(
            config,
            &[
                "worker_connections 21000;",
                "worker_rlimit_nofile 42000;",
                "proxy_pass http://origin;",
                "proxy_http_version 1.1;",
                "proxy_set_header Upgrade $http_upgrade;",
                "proxy_set_header Connection \"upgrade\";",
                "proxy_read_timeout 600000ms;",
                "proxy_send_timeout 600000ms;",
                "proxy_set_header Host $http_host;",
            ],
        );
        assert!(
            !rendered.contains("proxy_set_header Connection \"\";"),
            "{rendered}"
        );
    }
}
