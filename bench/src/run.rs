//! Running helper commands (wrk, apt-get, cargo, git, openssl) with a deadline. A command
//! that outlives its deadline is killed and reported, never waited on forever.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::limits::{CHILD_POLL_INTERVAL_MS, KILL_WAIT_MS};

/// Polls `child` until it exits or `timeout` passes; `None` means it is still running.
pub fn wait_deadline(child: &mut Child, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(CHILD_POLL_INTERVAL_MS));
    }
}

pub struct Captured {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to completion with its output captured. `what` names it in errors.
pub fn run_captured(
    command: &mut Command,
    what: &str,
    timeout: Duration,
) -> Result<Captured, Error> {
    run_fed(command, &[], what, timeout)
}

/// As [`run_captured`], with `input` on the command's stdin, which is then closed (stdin is
/// `/dev/null` when `input` is empty): what `openssl s_client` sends once connected.
pub fn run_fed(
    command: &mut Command,
    input: &[u8],
    what: &str,
    timeout: Duration,
) -> Result<Captured, Error> {
    let stdin = if input.is_empty() {
        Stdio::null()
    } else {
        Stdio::piped()
    };
    let mut child = command
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| Error::run(format!("cannot start {what}: {error}")))?;
    // Written on a thread, like the output is drained: a child that reads its input late (or
    // never) cannot block the harness before the deadline below applies.
    if let Some(mut pipe) = child.stdin.take() {
        let input = input.to_vec();
        thread::spawn(move || {
            // A child that exits without reading it all closes the pipe: nothing to report.
            let _ = pipe.write_all(&input);
        });
    }
    // Drained on threads so a chatty child cannot fill a pipe and block before it exits.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let status = finish(&mut child, what, timeout)?;
    let collect = |reader: Option<thread::JoinHandle<String>>| {
        reader
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    };
    Ok(Captured {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

/// Runs `command` to completion with its output going to ours (for long builds and installs
/// whose progress the person running the benchmark should see).
pub fn run_inherited(
    command: &mut Command,
    what: &str,
    timeout: Duration,
) -> Result<ExitStatus, Error> {
    let mut child = command
        .stdin(Stdio::null())
        .spawn()
        .map_err(|error| Error::run(format!("cannot start {what}: {error}")))?;
    finish(&mut child, what, timeout)
}

fn finish(child: &mut Child, what: &str, timeout: Duration) -> Result<ExitStatus, Error> {
    let waited = wait_deadline(child, timeout)
        .map_err(|error| Error::run(format!("waiting for {what}: {error}")))?;
    match waited {
        Some(status) => Ok(status),
        None => {
            let _ = child.kill();
            let _ = wait_deadline(child, Duration::from_millis(KILL_WAIT_MS));
            Err(Error::run(format!(
                "{what} did not finish within {} s and was killed",
                timeout.as_secs()
            )))
        }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
