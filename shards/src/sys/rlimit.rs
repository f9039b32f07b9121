//! The open-file limit (`RLIMIT_NOFILE`). Every connection is a descriptor, and distributions
//! start processes with a soft limit (often 1024) far below what a server needs, while the
//! hard limit allows more; std has no rlimit API, so these wrap getrlimit/setrlimit.
#![allow(unsafe_code)]

use std::io;

/// Raises the soft open-file limit to the hard limit; a server with many connections needs it.
/// Returns the soft limit now in force.
pub fn raise_nofile_limit() -> io::Result<u64> {
    let mut limit = nofile_limit()?;
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        set_nofile_limit(&limit)?;
    }
    Ok(limit.rlim_cur)
}

/// Raises the soft open-file limit to at least `wanted`, and the hard limit with it if it is
/// lower (which takes `CAP_SYS_RESOURCE`, e.g. root). Returns the soft limit now in force.
/// Children inherit it: the benchmark harness raises its own so the servers it starts can
/// hold every connection of a scenario.
pub fn raise_nofile_limit_to(wanted: u64) -> io::Result<u64> {
    let limit = nofile_limit()?;
    if limit.rlim_cur >= wanted {
        return Ok(limit.rlim_cur);
    }
    set_nofile_limit(&libc::rlimit {
        rlim_cur: wanted,
        rlim_max: limit.rlim_max.max(wanted),
    })?;
    Ok(wanted)
}

fn nofile_limit() -> io::Result<libc::rlimit> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit that outlives the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(limit)
}

fn set_nofile_limit(limit: &libc::rlimit) -> io::Result<()> {
    // SAFETY: `limit` is a valid rlimit that outlives the call; setrlimit only reads it.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
