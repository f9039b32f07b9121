//! CPU placement: pinning the calling thread to one CPU, and the CPUs this process may use.
//!
//! A shard is a thread pinned to its core (the reuseport steering program relies on it: it
//! maps the CPU that took a SYN to the shard pinned there). std has no affinity API, so these
//! are `sched_setaffinity`/`sched_getaffinity`/`sched_getcpu` on a `cpu_set_t`.
#![allow(unsafe_code)]

use std::io;

/// Pins the calling thread to one CPU.
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cpu index beyond CPU_SETSIZE",
        ));
    }
    // SAFETY: cpu_set_t is plain data; zeroed is its empty set. CPU_SET only writes inside the
    // set for cpu < CPU_SETSIZE, checked above. sched_setaffinity reads the set we own, with
    // its exact size.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The CPUs this process may run on, in ascending order.
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    // SAFETY: sched_getaffinity fills the zeroed set we own; CPU_ISSET reads inside it, for
    // indices below CPU_SETSIZE only.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect())
    }
}

/// The CPU the calling thread is running on right now.
pub fn current_cpu() -> Option<usize> {
    // SAFETY: sched_getcpu takes no arguments and returns -1 on failure.
    let cpu = unsafe { libc::sched_getcpu() };
    usize::try_from(cpu).ok()
}

/// Lowers the calling thread's scheduling priority to `nice` (Linux applies `setpriority` with
/// `who = 0` to the calling thread only): for helper threads whose work may wait while a
/// shard's may not.
pub fn lower_current_thread_priority(nice: i32) -> io::Result<()> {
    // SAFETY: setpriority takes plain integers and touches no memory of ours.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
