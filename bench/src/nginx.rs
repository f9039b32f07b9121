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

use std::path::Path;

pub struct NginxConfig<'a> {
    /// Directory for the pid file, error log and temp paths.
    pub prefix: &'a Path,
    pub docroot: &'a Path,
    pub port: u16,
    /// `worker_connections`: every connection, idle or not, needs one.
    pub worker_connections: u32,
    /// Worker processes, one per core (1 or 2).
    pub workers: usize,
    /// `tcp_nopush` (TCP_CORK with sendfile): on everywhere except `pipeline`, where nginx
    /// keeps the socket corked while pipelined requests are pending and a batch's last
    /// responses wait for the delayed-ACK timer (~40 ms): 10x fewer req/s measured here.
    pub tcp_nopush: bool,
}

pub fn render(config: &NginxConfig<'_>) -> String {
    let prefix = config.prefix.display();
    let docroot = config.docroot.display();
    let port = config.port;
    let worker_connections = config.worker_connections;
    // nginx also needs descriptors for the listener and open files.
    let nofile = u64::from(worker_connections) * 2;
    let workers = config.workers;
    let master_process = if workers == 1 { "off" } else { "on" };
    // With several workers, one listening socket per worker (SO_REUSEPORT): the kernel spreads
    // connections over them, as bext's reuseport group does, instead of whichever worker
    // wakes first taking most of them.
    let reuseport = if workers == 1 { "" } else { " reuseport" };
    let tcp_nopush = if config.tcp_nopush { "on" } else { "off" };
    // One bitmask per worker: worker i on CPU i ("1", or "01 10").
    let affinity = (0..workers)
        .map(|worker| {
            (0..workers)
                .rev()
                .map(|cpu| if cpu == worker { '1' } else { '0' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "\
# Written by bext-bench (bench/src/nginx.rs); see that file for why each line is here.
daemon off;
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
    sendfile on;
    tcp_nopush {tcp_nopush};
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
        listen 127.0.0.1:{port}{reuseport};
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
                workers: 1,
                tcp_nopush: true,
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
                workers: 2,
                tcp_nopush: false,
            },
            &[
                "master_process on;",
                "worker_processes 2;",
                "worker_cpu_affinity 01 10;",
                "listen 127.0.0.1:8081 reuseport;",
                "tcp_nopush off;",
            ],
        );
    }
}
