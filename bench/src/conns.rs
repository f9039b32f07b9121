//! The `conns` scenario: what one idle keep-alive connection costs a server in memory.
//!
//! The server's VmRSS is read once it has settled after start-up; then the harness opens N
//! connections, sends one GET on each and reads the response (so every connection has gone
//! through the request path and now sits idle in keep-alive, as a browser's would), and reads
//! VmRSS again once it has settled. `(after - before) / N` is the user-space memory a server
//! keeps per idle connection: buffers, connection state, allocator overhead. Kernel socket
//! memory is not in RSS and is the same for every contender.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::child::ServerProcess;
use crate::cli::Options;
use crate::contender::{Contender, Role, ServeSpec, stop_checked};
use crate::error::Error;
use crate::http_probe::{self, wait_ready};
use crate::limits::{
    CONNECT_RETRY_DEADLINE_MS, CONNECT_RETRY_INTERVAL_MS, LOAD_CPU, NGINX_CONNECTIONS_HEADROOM,
    NOFILE_HEADROOM, SERVER_CPU,
};
use crate::locate::{self, Programs};
use crate::report::{Report, Row};
use crate::rss;
use crate::sys;
use crate::workdir::{SMALL_BODY, SMALL_FILE, WorkDir};

pub const CASE_IDLE: &str = "idle-keepalive";
pub const METRIC_RSS_PER_CONNECTION: &str = "rss_per_idle_connection";

pub fn run(options: &Options) -> Result<Report, Error> {
    let count = options.count;
    let ports = ephemeral_port_count()?;
    if u64::from(count) >= ports {
        return Err(Error::run(format!(
            "--count {count} needs as many client ports but net.ipv4.ip_local_port_range offers {ports}"
        )));
    }
    let somaxconn = read_sysctl("/proc/sys/net/core/somaxconn");
    let nofile = sys::raise_nofile_limit(u64::from(count) + NOFILE_HEADROOM).map_err(|error| {
        Error::run(format!(
            "raising RLIMIT_NOFILE to {}: {error}",
            u64::from(count) + NOFILE_HEADROOM
        ))
    })?;
    let (programs, workdir) = locate::prepare(&options.contenders, locate::wrk(false))?;
    let names: Vec<&str> = options
        .contenders
        .iter()
        .map(|contender| contender.name())
        .collect();
    let settings = BTreeMap::from([
        ("count".to_string(), json!(count)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(names)),
        ("nginx_master_process".to_string(), json!("off")),
        ("somaxconn".to_string(), json!(somaxconn)),
        ("rlimit_nofile".to_string(), json!(nofile)),
        (
            "ceiling_uring_setup".to_string(),
            json!(options.ceiling_uring.name()),
        ),
    ]);
    let mut report = Report::new("conns", options.smoke, settings);
    println!(
        "conns: {count} idle keep-alive connections per contender ({}); servers on CPU {SERVER_CPU}, harness on CPU {LOAD_CPU}; \
         net.core.somaxconn = {}, RLIMIT_NOFILE = {nofile}",
        names.join(", "),
        somaxconn
            .map(|value| value.to_string())
            .unwrap_or_else(|| "unknown".to_string()),
    );
    for contender in &options.contenders {
        measure(*contender, options, &programs, &workdir, &mut report)?;
    }
    report.compute_ratios(&[METRIC_RSS_PER_CONNECTION]);
    Ok(report)
}

fn measure(
    contender: Contender,
    options: &Options,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<(), Error> {
    let count = options.count;
    let docroot = workdir.docroot();
    let spec = ServeSpec {
        docroot: &docroot,
        ceiling_body_bytes: SMALL_BODY.len(),
        max_connections: count + NGINX_CONNECTIONS_HEADROOM,
        ceiling_uring: options.ceiling_uring,
        cores: 1,
        nginx_tcp_nopush: true,
        nginx_sendfile: true,
        tls: None,
        http2: false,
        http3: false,
        waf: None,
        app: None,
        role: Role::Origin,
    };
    let mut server = contender.launch(programs, &spec, workdir)?;
    wait_ready(&mut server, &format!("/{SMALL_FILE}"), SMALL_BODY.len())?;
    let pid = server
        .pid()
        .ok_or_else(|| Error::run(format!("{} has no pid", server.name())))?;
    let before = settled_rss(pid, &mut server, "before the connections", report)?;
    let opened_at = Instant::now();
    let connections = open_idle(&mut server, count)?;
    let open_ms = opened_at.elapsed().as_millis();
    let after = settled_rss(pid, &mut server, "with the connections idle", report)?;
    if let Some(status) = server.exited() {
        return Err(server.died_error(status, "holding idle connections"));
    }
    let per_connection = (after as f64 - before as f64) / f64::from(count);
    println!(
        "  {:<8} RSS {:>8} KiB -> {:>8} KiB with {count} idle connections (opened in {open_ms} ms): {per_connection:.0} bytes each",
        server.name(),
        before / 1024,
        after / 1024
    );
    // Closed before the server is stopped, so its shutdown does not wait on them.
    drop(connections);
    let name = contender.name();
    report.rows.push(Row::new(
        CASE_IDLE,
        name,
        METRIC_RSS_PER_CONNECTION,
        "bytes",
        vec![per_connection],
    ));
    report.rows.push(Row::new(
        CASE_IDLE,
        name,
        "rss_before",
        "bytes",
        vec![before as f64],
    ));
    report.rows.push(Row::new(
        CASE_IDLE,
        name,
        "rss_after",
        "bytes",
        vec![after as f64],
    ));
    report.rows.push(Row::new(
        CASE_IDLE,
        name,
        "open_all_connections",
        "ms",
        vec![open_ms as f64],
    ));
    stop_checked(server, report)
}

pub fn settled_rss(
    pid: u32,
    server: &mut ServerProcess,
    when: &str,
    report: &mut Report,
) -> Result<u64, Error> {
    let reading = rss::wait_settled(pid)?;
    if let Some(status) = server.exited() {
        return Err(server.died_error(status, "its memory was being measured"));
    }
    if !reading.settled {
        report.warn(format!(
            "{}: RSS {when} had not settled by the deadline; used the last sample",
            server.name()
        ));
    }
    Ok(reading.rss_bytes)
}

/// Opens `count` connections, each having completed one GET, and returns them still open.
fn open_idle(server: &mut ServerProcess, count: u32) -> Result<Vec<TcpStream>, Error> {
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    let path = format!("/{SMALL_FILE}");
    let mut connections = Vec::with_capacity(count as usize);
    for index in 0..count {
        let mut stream = connect_with_retry(addr, server, index)?;
        let response = http_probe::get(&mut stream, &path).map_err(|error| {
            Error::run(format!(
                "{}: GET {path} on idle connection #{index}: {error}",
                server.name()
            ))
        })?;
        if response.status != 200 {
            return Err(Error::run(format!(
                "{}: GET {path} on idle connection #{index} answered {}",
                server.name(),
                response.status
            )));
        }
        connections.push(stream);
    }
    Ok(connections)
}

/// A full accept backlog (`somaxconn`) or a server busy accepting refuses or drops connects
/// for a moment; retry until the deadline rather than failing the run.
fn connect_with_retry(
    addr: SocketAddr,
    server: &mut ServerProcess,
    index: u32,
) -> Result<TcpStream, Error> {
    let deadline = Instant::now() + Duration::from_millis(CONNECT_RETRY_DEADLINE_MS);
    loop {
        match http_probe::connect(addr) {
            Ok(stream) => return Ok(stream),
            Err(error) => {
                if let Some(status) = server.exited() {
                    return Err(
                        server.died_error(status, &format!("accepting idle connection #{index}"))
                    );
                }
                if Instant::now() >= deadline {
                    return Err(Error::run(format!(
                        "{}: idle connection #{index} could not connect for {CONNECT_RETRY_DEADLINE_MS} ms: {error}",
                        server.name()
                    )));
                }
            }
        }
        thread::sleep(Duration::from_millis(CONNECT_RETRY_INTERVAL_MS));
    }
}

fn read_sysctl(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// How many client ports `net.ipv4.ip_local_port_range` allows.
pub fn ephemeral_port_count() -> Result<u64, Error> {
    let path = "/proc/sys/net/ipv4/ip_local_port_range";
    let text = std::fs::read_to_string(path)
        .map_err(|error| Error::run(format!("reading {path}: {error}")))?;
    let bounds: Vec<u64> = text
        .split_whitespace()
        .filter_map(|field| field.parse().ok())
        .collect();
    match bounds.as_slice() {
        [low, high] if high >= low => Ok(high - low + 1),
        _ => Err(Error::run(format!(
            "cannot read the port range in {path}: {text:?}"
        ))),
    }
}
