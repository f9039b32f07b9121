//! A server under test as a guard: spawned with its output in a log file, stopped with
//! SIGTERM then SIGKILL when dropped, so no error path can leave a server running.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::limits::{KILL_WAIT_MS, LOG_TAIL_BYTES, LOG_TAIL_LINES, STOP_GRACE_MS};
use crate::run::wait_deadline;
use crate::sys::{self, Signal};

pub struct ServerProcess {
    name: String,
    ports: Ports,
    log_path: PathBuf,
    spawned_at: Instant,
    /// `None` once reaped by `stop`; `Drop` then has nothing left to do.
    child: Option<Child>,
}

/// The ports a server listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    /// HTTP/1.1 in cleartext: every server has it, and readiness is checked there.
    pub http: u16,
    /// HTTPS (`tls`, `h2`).
    pub tls: Option<u16>,
    /// HTTP/2 with prior knowledge (`h2`): bext's cleartext port, which tells HTTP/2 from
    /// HTTP/1.1 by its preface; nginx's own `http2` listener, which speaks HTTP/2 only.
    pub h2c: Option<u16>,
}

impl Ports {
    /// A server with its cleartext HTTP/1.1 port only.
    pub fn http(port: u16) -> Ports {
        Ports {
            http: port,
            tls: None,
            h2c: None,
        }
    }
}

/// How a server ended when asked to stop.
#[derive(Debug)]
pub enum Stopped {
    /// It exited by itself after SIGTERM (or before it).
    Exited(ExitStatus),
    /// It ignored SIGTERM for `STOP_GRACE_MS` and was killed.
    Killed,
}

impl ServerProcess {
    /// Spawns `command`, which listens on `ports`, with stdout and stderr appended to
    /// `log_path`. `name` (e.g. "nginx") is how errors refer to it.
    pub fn spawn(
        name: &str,
        mut command: Command,
        ports: Ports,
        log_path: PathBuf,
    ) -> Result<Self, Error> {
        let log = File::create(&log_path).map_err(|error| {
            Error::run(format!(
                "{name}: cannot create log {}: {error}",
                log_path.display()
            ))
        })?;
        let log_for_stderr = log
            .try_clone()
            .map_err(|error| Error::run(format!("{name}: cannot duplicate log handle: {error}")))?;
        command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_for_stderr);
        sys::die_with_parent(&mut command);
        let spawned_at = Instant::now();
        let child = command
            .spawn()
            .map_err(|error| Error::run(format!("cannot launch {name} ({command:?}): {error}")))?;
        Ok(ServerProcess {
            name: name.to_string(),
            ports,
            log_path,
            spawned_at,
            child: Some(child),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its cleartext HTTP/1.1 port.
    pub fn port(&self) -> u16 {
        self.ports.http
    }

    pub fn ports(&self) -> Ports {
        self.ports
    }

    pub fn spawned_at(&self) -> Instant {
        self.spawned_at
    }

    /// The server's pid; it is the process that serves because `taskset` execs in place.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// `Some(status)` if the server has already exited (it should not have).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|child| child.try_wait().ok().flatten())
    }

    /// An error for a server that exited when it should be serving, quoting its log.
    pub fn died_error(&self, status: ExitStatus, doing: &str) -> Error {
        Error::run(format!(
            "{} exited ({status}) while {doing}; last lines of {}:\n{}",
            self.name,
            self.log_path.display(),
            log_tail(&self.log_path)
        ))
    }

    /// Where the server's stdout and stderr go (the ssr scenario reads bext's compile time
    /// from it).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log_path)
    }

    /// SIGTERM, then SIGKILL after the grace period; reaps the process.
    pub fn stop(mut self) -> Result<Stopped, Error> {
        match self.child.take() {
            Some(mut child) => terminate(&mut child)
                .map_err(|error| Error::run(format!("stopping {}: {error}", self.name))),
            None => Err(Error::run(format!("{} was already stopped", self.name))),
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take()
            && let Err(error) = terminate(&mut child)
        {
            eprintln!(
                "bext-bench: could not stop {} (pid {}): {error}",
                self.name,
                child.id()
            );
        }
    }
}

fn terminate(child: &mut Child) -> std::io::Result<Stopped> {
    if let Some(status) = child.try_wait()? {
        return Ok(Stopped::Exited(status));
    }
    // ESRCH here means it exited between try_wait and kill; the wait below reaps it.
    let _ = sys::send_signal(child.id(), Signal::Term);
    if let Some(status) = wait_deadline(child, Duration::from_millis(STOP_GRACE_MS))? {
        return Ok(Stopped::Exited(status));
    }
    let _ = sys::send_signal(child.id(), Signal::Kill);
    match wait_deadline(child, Duration::from_millis(KILL_WAIT_MS))? {
        Some(_) => Ok(Stopped::Killed),
        None => Err(std::io::Error::other("still running after SIGKILL")),
    }
}

fn log_tail(path: &Path) -> String {
    let read = || -> std::io::Result<String> {
        let mut file = File::open(path)?;
        let length = file.metadata()?.len();
        file.seek(SeekFrom::Start(length.saturating_sub(LOG_TAIL_BYTES)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    match read() {
        Ok(text) if text.trim().is_empty() => "  (log is empty)".to_string(),
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let start = lines.len().saturating_sub(LOG_TAIL_LINES);
            lines[start..]
                .iter()
                .map(|line| format!("  | {line}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Err(error) => format!("  (cannot read log: {error})"),
    }
}
