//! The harness's only unsafe code: three libc calls std has no safe wrapper for. Each block
//! says why it is sound; nothing else in the crate may use `unsafe` (`#![deny(unsafe_code)]`).

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

#[derive(Clone, Copy, Debug)]
pub enum Signal {
    Term,
    Kill,
}

/// Sends `signal` to process `pid`.
pub fn send_signal(pid: u32, signal: Signal) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    assert!(pid > 0, "signalling pid {pid} would hit a process group");
    let signal = match signal {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours; pid > 0 is asserted
    // above so it cannot address a process group or every process.
    let rc = unsafe { libc::kill(pid, signal) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Raises this process's open-file limit (soft, and hard if needed: the harness runs as root)
/// to at least `wanted`. Returns the soft limit now in force. Children inherit it, which is how
/// the servers get enough descriptors for the idle-connection scenario too.
pub fn raise_nofile_limit(wanted: u64) -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit that outlives the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur >= wanted {
        return Ok(limit.rlim_cur);
    }
    let raised = libc::rlimit {
        rlim_cur: wanted,
        rlim_max: limit.rlim_max.max(wanted),
    };
    // SAFETY: `raised` is a valid rlimit that outlives the call; setrlimit only reads it.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(wanted)
}

/// Makes the kernel SIGKILL the child if the harness dies first (even by SIGKILL, where no
/// destructor runs), so an aborted run never leaves a server holding a port and a CPU.
pub fn die_with_parent(command: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
    // calls are allowed; prctl(2) is a plain syscall, and the closure allocates nothing
    // (last_os_error only reads errno).
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Pins the calling thread (the harness's main thread; threads it starts later inherit the
/// mask) to the load CPU, so the harness never competes with the server on its CPU.
pub fn pin_harness_to_load_cpu() -> Result<(), crate::error::Error> {
    use crate::limits::{LOAD_CPU, SERVER_CPU};
    monoio::utils::bind_to_cpu_set(Some(LOAD_CPU)).map_err(|error| {
        crate::error::Error::run(format!(
            "pinning the harness to CPU {LOAD_CPU} (this benchmark needs CPUs {SERVER_CPU} and {LOAD_CPU}): {error}"
        ))
    })
}

/// USER_HZ, the unit of the CPU times in `/proc/<pid>/stat` (100 on mainstream Linux).
pub fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value; it has no pointer arguments.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks)
        .ok()
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// User + system CPU seconds of all children this process has waited for so far. The delta
/// around one wrk run is wrk's own CPU time (no other child ends during it).
pub fn waited_children_cpu_seconds() -> io::Result<f64> {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage that outlives the call.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let seconds = |time: libc::timeval| time.tv_sec as f64 + time.tv_usec as f64 / 1e6;
    Ok(seconds(usage.ru_utime) + seconds(usage.ru_stime))
}
