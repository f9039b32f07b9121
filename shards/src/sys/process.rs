//! Child processes: signalling them, tying their life to ours, and reading the CPU time they
//! used. The benchmark harness runs bext, its peers and the load generators as children;
//! std can start and kill them but has no SIGTERM, no parent-death signal and no rusage, and
//! the unsafe these need belongs here with the rest of the runtime's system calls rather than
//! in the harness.
#![allow(unsafe_code)]

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// What [`clock_ticks_per_second`] answers if `sysconf` cannot: USER_HZ on every mainstream
/// Linux architecture.
pub const CLOCK_TICKS_PER_SECOND_FALLBACK: u64 = 100;

/// A signal [`send_signal`] can send: the two a supervisor needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: please stop (a server drains and exits).
    Term,
    /// SIGKILL: stop now.
    Kill,
}

/// Sends `signal` to process `pid` (a child's `Child::id()`, never 0).
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
    if unsafe { libc::kill(pid, signal) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Makes the kernel SIGKILL the child `command` starts if this process dies first (even by
/// SIGKILL, where no destructor runs), so an aborted run never leaves a server holding a port
/// and a CPU.
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

/// USER_HZ, the unit of the CPU times in `/proc/<pid>/stat` (100 on mainstream Linux).
pub fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value; it has no pointer arguments.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks)
        .ok()
        .filter(|&ticks| ticks > 0)
        .unwrap_or(CLOCK_TICKS_PER_SECOND_FALLBACK)
}

/// User + system CPU seconds of all children this process has waited for so far.
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
