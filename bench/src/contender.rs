//! The three servers compared, and how each is launched on CPU 0.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::child::{ServerProcess, Stopped};
use crate::error::{Context, Error};
use crate::limits::{LOAD_CPU, SERVER_CPU, STOP_GRACE_MS};
use crate::locate::Programs;
use crate::nginx::{self, NginxConfig};
use crate::report::Report;
use crate::workdir::WorkDir;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contender {
    Bext,
    Nginx,
    Ceiling,
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
    /// Run order within a round.
    pub const ALL: [Contender; 3] = [Contender::Bext, Contender::Nginx, Contender::Ceiling];

    pub fn name(self) -> &'static str {
        match self {
            Contender::Bext => "bext",
            Contender::Nginx => "nginx",
            Contender::Ceiling => "ceiling",
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
            let contender = Contender::ALL
                .into_iter()
                .find(|contender| contender.name() == name)
                .ok_or_else(|| {
                    format!("unknown contender {name:?} (expected bext, nginx or ceiling)")
                })?;
            if !contenders.contains(&contender) {
                contenders.push(contender);
            }
        }
        Ok(contenders)
    }

    /// Starts this contender under `taskset -c 0` (or `0,1` for two cores) on a free
    /// loopback port. The caller waits
    /// for readiness (`http_probe::wait_ready`).
    pub fn launch(
        self,
        programs: &Programs,
        spec: &ServeSpec<'_>,
        workdir: &WorkDir,
    ) -> Result<ServerProcess, Error> {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let program = |path: &Option<PathBuf>| {
            path.clone().ok_or_else(|| {
                Error::run(format!(
                    "internal: {} was not located before launch",
                    self.name()
                ))
            })
        };
        let cpus = server_cpus(spec.cores)
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut command = Command::new("taskset");
        command.arg("-c").arg(cpus);
        match self {
            Contender::Bext => {
                command
                    .arg(program(&programs.bext)?)
                    .arg("serve")
                    .arg(spec.docroot)
                    .args(["--listen", &listen, "--shards", &spec.cores.to_string()]);
            }
            Contender::Nginx => {
                let prefix = workdir.subdir(&format!("nginx-{port}"))?;
                let config_path = prefix.join("nginx.conf");
                let config = nginx::render(&NginxConfig {
                    prefix: &prefix,
                    docroot: spec.docroot,
                    port,
                    worker_connections: spec.max_connections,
                    workers: spec.cores,
                    tcp_nopush: spec.nginx_tcp_nopush,
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
        let log_path = workdir.path(&format!("{}-{port}.log", self.name()));
        ServerProcess::spawn(self.name(), command, port, log_path)
    }
}

/// Stops `server` and notes a bext that does not honour its "exit 0 on SIGTERM" contract.
pub fn stop_checked(server: ServerProcess, report: &mut Report) -> Result<(), Error> {
    let name = server.name().to_string();
    match server.stop()? {
        Stopped::Exited(status) if name == Contender::Bext.name() && status.code() != Some(0) => {
            report.warn(format!(
                "bext ended with {status} after SIGTERM; its contract is to exit 0"
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
    let listener =
        TcpListener::bind("127.0.0.1:0").context(|| "finding a free port".to_string())?;
    let port = listener
        .local_addr()
        .context(|| "finding a free port".to_string())?
        .port();
    Ok(port)
}
