//! The three servers compared, and how each is launched on CPU 0.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bext_config::{self, BextConfig, BextProxy, BextTls, BextWaf};
use crate::cert::CertFiles;
use crate::child::{Ports, ServerProcess, Stopped};
use crate::crs::CrsFiles;
use crate::error::{Context, Error};
use crate::limits::{LOAD_CPU, SERVER_CPU, STOP_GRACE_MS};
use crate::locate::Programs;
use crate::modsecurity;
use crate::nginx::{self, NginxConfig, NginxModsecurity, NginxProxy, NginxTls};
use crate::report::Report;
use crate::workdir::WorkDir;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contender {
    Bext,
    Nginx,
    Ceiling,
    /// `realtime` only: the reference SSE hub in plain `node:http`
    /// (`bench/node/realtime-hub.mjs`), started by that scenario itself.
    Node,
}

/// What a server must serve for one case.
pub struct ServeSpec<'a> {
    pub docroot: &'a Path,
    /// Body size the ceiling answers with (it ignores the path).
    pub ceiling_body_bytes: usize,
    /// Connections the server must be able to hold at once (sizes nginx's worker_connections).
    pub max_connections: u32,
    /// The ceiling's io_uring setup (`bext-ceiling --uring-setup`).
    pub ceiling_uring: CeilingUring,
    /// Cores the server gets: 1 (CPU 0, every scenario but `scaling`) or 2 (CPUs 0 and 1:
    /// bext with two shards, nginx with two workers).
    pub cores: usize,
    /// nginx's `tcp_nopush` (see `NginxConfig::tcp_nopush`).
    pub nginx_tcp_nopush: bool,
    /// nginx's `sendfile` (see `NginxConfig::sendfile`).
    pub nginx_sendfile: bool,
    /// HTTPS on a port of its own (`tls`, `h2`; not the ceiling).
    pub tls: Option<ServeTls<'a>>,
    /// HTTP/2 (`h2`; not the ceiling): ALPN h2 on the HTTPS port and prior knowledge in
    /// cleartext. With neither this nor `tls`, bext runs from its command line as in every
    /// scenario before `tls`; with `tls` alone its config turns HTTP/2 off, as nginx has it.
    pub http2: bool,
    /// HTTP/3 on the HTTPS port's number over UDP (`h3`; bext only: Debian's nginx has none).
    pub http3: bool,
    /// The rule engine (`waf`; not the ceiling). `None` everywhere else: bext then runs from
    /// its command line unless `tls`, `http2` or `http3` need a config file.
    pub waf: Option<Waf<'a>>,
    /// An app bext renders (`[[site]] app`, every request: `[render] isr = false`) instead
    /// of serving `docroot` (`waf`'s app page; bext only).
    pub app: Option<&'a Path>,
    /// What the server does with a request: serve `docroot` (every scenario but `proxy`),
    /// forward it, or serve it as the proxies' upstream.
    pub role: Role,
}

/// A server's part in the `proxy` scenario; [`Role::Origin`] everywhere else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Serves `docroot` (or `app`) itself.
    Origin,
    /// Forwards every request to the upstream on 127.0.0.1:`upstream_port`, keeping up to
    /// `idle_connections_max` connections to it alive (bext's `[[upstream]]`, nginx's
    /// `proxy_pass` to an `upstream {}` block with `keepalive`). With `tunnel_idle_ms`, the
    /// upstream speaks WebSocket: `Upgrade` is passed through (bext does by itself, nginx is
    /// told to) and a tunnel silent for that long is closed (bext's `timeout_ms`, nginx's
    /// `proxy_read_timeout` and `proxy_send_timeout`).
    Proxy {
        upstream_port: u16,
        idle_connections_max: u32,
        tunnel_idle_ms: Option<u64>,
        /// The upstream speaks h2c on `upstream_port` (bext's `protocol = "http2"`, nginx's
        /// `grpc_pass`).
        http2_upstream: bool,
    },
    /// The proxies' upstream: serves `docroot` on the load generator's CPU (`LOAD_CPU`),
    /// leaving CPU 0 to the proxy under test, and answers `stub_status` on
    /// [`UPSTREAM_STATUS_PATH`] (nginx only).
    Upstream,
}

/// Where the upstream of `proxy` (nginx) reports its accepted connections and requests.
pub const UPSTREAM_STATUS_PATH: &str = "/__bext_bench/status";

/// The request-inspecting WAF a server runs in the `waf` scenario.
#[derive(Clone, Copy, Debug)]
pub enum Waf<'a> {
    /// None, but started the way the servers with one are (bext from a config file, nginx
    /// from the same config without the ModSecurity module), so the rules are the only
    /// difference between a server with and without them.
    Off,
    /// The OWASP Core Rule Set `crs` at blocking paranoia level `paranoia`, refusing what
    /// it denies: bext's `[waf] crs`, nginx's ModSecurity v3 module (`modsecurity.rs`).
    /// `memo`: bext keeps repeated requests' outcomes (`[waf] memo`, its default); false,
    /// every request runs the rules. nginx has no such thing.
    Crs {
        crs: &'a CrsFiles,
        paranoia: u8,
        memo: bool,
    },
}

impl Waf<'_> {
    /// Whether requests the rules deny are refused (403).
    pub fn blocks(self) -> bool {
        matches!(self, Waf::Crs { .. })
    }
}

/// How a server serves HTTPS.
#[derive(Clone, Copy)]
pub struct ServeTls<'a> {
    /// The certificate both servers present.
    pub cert: &'a CertFiles,
    /// TLS 1.3 session tickets, as both servers have them by default. Off (`tls`'s
    /// `handshake-full`): bext with `tls_session_tickets = false`, nginx with
    /// `ssl_session_tickets off` and OpenSSL's `NumTickets 0` (see `nginx.rs`); neither keeps a
    /// session cache either, so every handshake is a full one.
    pub session_tickets: bool,
}

impl ServeSpec<'_> {
    /// The CPUs the server runs on: the server's (see [`server_cpus`]), or the load
    /// generator's for the upstream of `proxy`.
    pub fn cpus(&self) -> Vec<usize> {
        match self.role {
            Role::Upstream => vec![LOAD_CPU],
            Role::Origin | Role::Proxy { .. } => server_cpus(self.cores),
        }
    }
}

/// The CPUs a server with `cores` cores runs on.
pub fn server_cpus(cores: usize) -> Vec<usize> {
    assert!(
        (1..=2).contains(&cores),
        "the harness knows one- and two-core servers"
    );
    if cores == 1 {
        vec![SERVER_CPU]
    } else {
        vec![SERVER_CPU, LOAD_CPU]
    }
}

/// How the ceiling sets up its io_uring. `Defer` (SINGLE_ISSUER | DEFER_TASKRUN) is the ring
/// bext's shards get, and is what the ceiling means by default; the others are there to
/// measure what the kernel's task-work flags are worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CeilingUring {
    Plain,
    Coop,
    Defer,
}

impl CeilingUring {
    pub fn name(self) -> &'static str {
        match self {
            CeilingUring::Plain => "plain",
            CeilingUring::Coop => "coop",
            CeilingUring::Defer => "defer",
        }
    }

    pub fn parse(name: &str) -> Result<CeilingUring, String> {
        [CeilingUring::Plain, CeilingUring::Coop, CeilingUring::Defer]
            .into_iter()
            .find(|setup| setup.name() == name)
            .ok_or_else(|| {
                format!("unknown io_uring setup {name:?} (expected plain, coop or defer)")
            })
    }
}

impl Contender {
    /// The static-file servers, in their run order within a round.
    pub const ALL: [Contender; 3] = [Contender::Bext, Contender::Nginx, Contender::Ceiling];
    /// Every contender `--contenders` knows.
    const NAMED: [Contender; 4] = [
        Contender::Bext,
        Contender::Nginx,
        Contender::Ceiling,
        Contender::Node,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Contender::Bext => "bext",
            Contender::Nginx => "nginx",
            Contender::Ceiling => "ceiling",
            Contender::Node => "node",
        }
    }

    /// "bext,nginx" -> [Bext, Nginx], in the order given, without duplicates.
    pub fn parse_list(list: &str) -> Result<Vec<Contender>, String> {
        let mut contenders = Vec::new();
        for name in list
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let contender = Contender::NAMED
                .into_iter()
                .find(|contender| contender.name() == name)
                .ok_or_else(|| {
                    format!("unknown contender {name:?} (expected bext, nginx, ceiling or node)")
                })?;
            if !contenders.contains(&contender) {
                contenders.push(contender);
            }
        }
        Ok(contenders)
    }

    /// Starts this contender under `taskset -c 0` (or `0,1` for two cores) on free loopback
    /// ports: one for cleartext HTTP/1.1, and one for HTTPS and (nginx's) one for h2c when
    /// `spec` asks for them. The caller waits for readiness (`http_probe::wait_ready`).
    pub fn launch(
        self,
        programs: &Programs,
        spec: &ServeSpec<'_>,
        workdir: &WorkDir,
    ) -> Result<ServerProcess, Error> {
        self.launch_named(self.name(), programs, spec, workdir)
    }

    /// [`Contender::launch`], the server going by `name` in messages and its log's name
    /// (`waf` runs one contender several times over, e.g. `bext-crs-pl1`).
    pub fn launch_named(
        self,
        name: &str,
        programs: &Programs,
        spec: &ServeSpec<'_>,
        workdir: &WorkDir,
    ) -> Result<ServerProcess, Error> {
        if self == Contender::Node {
            return Err(Error::run(
                "internal: node is started by the realtime scenario, not from a ServeSpec",
            ));
        }
        let ports = self.pick_ports(spec)?;
        let port = ports.http;
        let listen = format!("127.0.0.1:{port}");
        let program = |path: &Option<PathBuf>| {
            path.clone().ok_or_else(|| {
                Error::run(format!(
                    "internal: {} was not located before launch",
                    self.name()
                ))
            })
        };
        let server_cpus = spec.cpus();
        let cpus = server_cpus
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(",");
        match (self, spec.role) {
            (_, Role::Origin) | (Contender::Nginx, Role::Upstream) => {}
            (Contender::Node, _) => {}
            (Contender::Ceiling, Role::Proxy { .. }) => {
                return Err(Error::run("internal: the ceiling proxies nothing"));
            }
            (Contender::Bext | Contender::Nginx, Role::Proxy { http2_upstream, .. }) => {
                // Cleartext only; HTTP/2 (h2c) from the client exactly when to the upstream.
                if spec.tls.is_some()
                    || spec.http2 != http2_upstream
                    || spec.http3
                    || spec.waf.is_some()
                {
                    return Err(Error::run(
                        "internal: the proxies of `proxy` speak cleartext HTTP/1.1, or h2c to \
                         an h2c upstream",
                    ));
                }
            }
            (Contender::Bext | Contender::Ceiling, Role::Upstream) => {
                return Err(Error::run(
                    "internal: the upstream of `proxy` is nginx (its stub_status counts connections)",
                ));
            }
        }
        let mut command = Command::new("taskset");
        command.arg("-c").arg(cpus);
        match self {
            Contender::Bext
                if spec.tls.is_some()
                    || spec.http2
                    || spec.http3
                    || spec.waf.is_some()
                    || spec.app.is_some()
                    || spec.role != Role::Origin =>
            {
                let config = bext_config::render(&BextConfig {
                    docroot: spec.docroot,
                    app: spec.app,
                    http_port: port,
                    tls: ports.tls.zip(spec.tls).map(|(port, tls)| BextTls {
                        port,
                        cert: tls.cert,
                        session_tickets: tls.session_tickets,
                    }),
                    http2: spec.http2,
                    http3: spec.http3,
                    waf: match spec.waf {
                        Some(Waf::Crs {
                            crs,
                            paranoia,
                            memo,
                        }) => Some(BextWaf {
                            crs: &crs.dir,
                            paranoia,
                            memo,
                        }),
                        Some(Waf::Off) | None => None,
                    },
                    proxy: match spec.role {
                        Role::Proxy {
                            upstream_port,
                            idle_connections_max,
                            tunnel_idle_ms,
                            http2_upstream,
                        } => Some(BextProxy {
                            upstream_port,
                            idle_connections_max,
                            tunnel_idle_ms,
                            http2: http2_upstream,
                        }),
                        Role::Origin | Role::Upstream => None,
                    },
                    realtime: None,
                })?;
                let config_path =
                    workdir.write_file(&format!("bext-{port}.toml"), config.as_bytes())?;
                command
                    .arg(program(&programs.bext)?)
                    .arg("serve")
                    .arg("--config")
                    .arg(config_path)
                    .args(["--shards", &spec.cores.to_string()]);
            }
            Contender::Bext => {
                command
                    .arg(program(&programs.bext)?)
                    .arg("serve")
                    .arg(spec.docroot)
                    .args(["--listen", &listen, "--shards", &spec.cores.to_string()]);
            }
            Contender::Node => {
                return Err(Error::run(
                    "internal: node is started by the realtime scenario",
                ));
            }
            Contender::Nginx | Contender::Ceiling if spec.app.is_some() => {
                return Err(Error::run(format!(
                    "internal: {} renders no app; only bext does",
                    self.name()
                )));
            }
            Contender::Nginx => {
                let prefix = workdir.subdir(&format!("nginx-{port}"))?;
                let config_path = prefix.join("nginx.conf");
                let rules_path = prefix.join("modsecurity.conf");
                let modsecurity = match spec.waf {
                    Some(Waf::Crs { crs, paranoia, .. }) => {
                        let rules = modsecurity::render(crs, paranoia)?;
                        std::fs::write(&rules_path, rules)
                            .context(|| format!("writing {}", rules_path.display()))?;
                        Some(NginxModsecurity {
                            module: programs.modsecurity_module.as_deref().ok_or_else(|| {
                                Error::run("internal: the ModSecurity module was not located")
                            })?,
                            rules_file: &rules_path,
                        })
                    }
                    Some(Waf::Off) | None => None,
                };
                let config = nginx::render(&NginxConfig {
                    prefix: &prefix,
                    docroot: spec.docroot,
                    port,
                    worker_connections: spec.max_connections,
                    cpus: &server_cpus,
                    tcp_nopush: spec.nginx_tcp_nopush,
                    sendfile: spec.nginx_sendfile,
                    tls: ports.tls.zip(spec.tls).map(|(port, tls)| NginxTls {
                        port,
                        cert: &tls.cert.cert,
                        key: &tls.cert.key,
                        session_tickets: tls.session_tickets,
                    }),
                    http2: spec.http2,
                    h2c_port: ports.h2c,
                    modsecurity,
                    proxy: match spec.role {
                        Role::Proxy {
                            upstream_port,
                            idle_connections_max,
                            tunnel_idle_ms,
                            http2_upstream,
                        } => Some(NginxProxy {
                            upstream_port,
                            idle_connections_max,
                            tunnel_idle_ms,
                            http2: http2_upstream,
                        }),
                        Role::Origin | Role::Upstream => None,
                    },
                    stub_status: (spec.role == Role::Upstream).then_some(UPSTREAM_STATUS_PATH),
                });
                std::fs::write(&config_path, config)
                    .context(|| format!("writing {}", config_path.display()))?;
                command
                    .arg(program(&programs.nginx)?)
                    .arg("-p")
                    .arg(&prefix)
                    .arg("-c")
                    .arg(&config_path);
            }
            Contender::Ceiling => {
                if spec.cores != 1 {
                    return Err(Error::run("internal: the ceiling is single-threaded"));
                }
                if spec.tls.is_some() || spec.http2 {
                    return Err(Error::run(
                        "internal: the ceiling speaks cleartext HTTP/1.1 only",
                    ));
                }
                if spec.waf.is_some() {
                    return Err(Error::run("internal: the ceiling inspects nothing"));
                }
                command.arg(program(&programs.ceiling)?).args([
                    "--listen",
                    &listen,
                    "--body-bytes",
                    &spec.ceiling_body_bytes.to_string(),
                    "--uring-setup",
                    spec.ceiling_uring.name(),
                ]);
            }
        }
        let log_path = workdir.path(&format!("{name}-{port}.log"));
        ServerProcess::spawn(name, command, ports, log_path)
    }

    /// The ports a server for `spec` listens on. bext tells h2c from HTTP/1.1 by the
    /// connection's first bytes, so its cleartext port serves both; nginx's cleartext
    /// `http2` listener speaks HTTP/2 only, so it gets a port of its own and keeps an
    /// HTTP/1.1 one for the readiness probe.
    fn pick_ports(self, spec: &ServeSpec<'_>) -> Result<Ports, Error> {
        let wanted = 1 + usize::from(spec.tls.is_some()) + usize::from(spec.http2);
        let mut free = free_ports(wanted)?.into_iter();
        let mut next = || {
            free.next()
                .ok_or_else(|| Error::run("internal: too few free ports"))
        };
        let http = next()?;
        let tls = spec.tls.map(|_| next()).transpose()?;
        let h2c = match (spec.http2, self) {
            (false, _) => None,
            (true, Contender::Bext) => Some(http),
            (true, _) => Some(next()?),
        };
        Ok(Ports { http, tls, h2c })
    }
}

/// Stops `server` and notes a bext that does not honour its "exit 0 on SIGTERM" contract.
pub fn stop_checked(server: ServerProcess, report: &mut Report) -> Result<(), Error> {
    let name = server.name().to_string();
    match server.stop()? {
        // `bext`, or a bext of the `waf` scenario (`bext-crs-pl1`).
        Stopped::Exited(status)
            if name.starts_with(Contender::Bext.name()) && status.code() != Some(0) =>
        {
            report.warn(format!(
                "{name} ended with {status} after SIGTERM; its contract is to exit 0"
            ));
        }
        Stopped::Exited(_) => {}
        Stopped::Killed => report.warn(format!(
            "{name} ignored SIGTERM for {STOP_GRACE_MS} ms and was killed"
        )),
    }
    Ok(())
}

/// A loopback port nobody listens on right now. The kernel picks it; we release it for the
/// server. Another process could take it in between, which would show up as a clear
/// "did not answer" or bind error from the server, not as wrong numbers.
pub fn free_port() -> Result<u16, Error> {
    free_ports(1)?
        .pop()
        .ok_or_else(|| Error::run("internal: no free port picked"))
}

/// `count` distinct free ports, as `free_port`: every listener is held until all are picked,
/// so the kernel cannot hand out one port twice.
fn free_ports(count: usize) -> Result<Vec<u16>, Error> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0").context(|| "finding a free port".to_string()))
        .collect::<Result<Vec<_>, Error>>()?;
    listeners
        .iter()
        .map(|listener| {
            listener
                .local_addr()
                .map(|addr| addr.port())
                .context(|| "finding a free port".to_string())
        })
        .collect()
}
