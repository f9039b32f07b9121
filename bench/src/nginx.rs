//! The nginx configuration bext is compared against: nginx's best setup for small static
//! files on one core, as a well-tuned production deployment would have it.
//!
//! - `master_process off`: nginx runs as a single process, so the pid we spawn is the worker
//!   that serves. Its RSS is exactly what the idle-connection scenario measures, and SIGTERM
//!   reaches it directly. The request path is the same worker event loop either way.
//! - `worker_processes 1; worker_cpu_affinity 1;` (CPU 0) plus `taskset -c 0`: one core, like
//!   bext's one shard.
//! - `sendfile`, `tcp_nopush`, `open_file_cache`: no read copy, full packets, no open/stat per
//!   request. `access_log off`: bext is measured without its access log too.
//! - `keepalive_requests 1000000; keepalive_timeout 75s;`: wrk's connections are never
//!   recycled mid-run (nginx's default closes every 1000 requests), and the idle timeout
//!   matches bext's `KEEPALIVE_IDLE_TIMEOUT_MS`.
//! - Every path nginx writes (pid, error log, temp dirs) is inside the run's temp dir, so the
//!   benchmark never touches /var or /run.

use std::path::Path;

pub struct NginxConfig<'a> {
    /// Directory for the pid file, error log and temp paths.
    pub prefix: &'a Path,
    pub docroot: &'a Path,
    pub port: u16,
    /// `worker_connections`: every connection, idle or not, needs one.
    pub worker_connections: u32,
}

pub fn render(config: &NginxConfig<'_>) -> String {
    let prefix = config.prefix.display();
    let docroot = config.docroot.display();
    let port = config.port;
    let worker_connections = config.worker_connections;
    // nginx also needs descriptors for the listener and open files.
    let nofile = u64::from(worker_connections) * 2;
    format!(
        "\
# Written by bext-bench (bench/src/nginx.rs); see that file for why each line is here.
daemon off;
master_process off;
worker_processes 1;
worker_cpu_affinity 1;
worker_rlimit_nofile {nofile};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;

events {{
    worker_connections {worker_connections};
}}

http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    keepalive_requests 1000000;
    keepalive_timeout 75s;

    types {{
        text/plain txt;
    }}
    default_type application/octet-stream;

    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    server {{
        listen 127.0.0.1:{port};
        root {docroot};
    }}
}}
"
    )
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
    }
}
