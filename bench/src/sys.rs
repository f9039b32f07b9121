//! What the harness asks of the operating system beyond std: signals, the parent-death
//! signal, the open-file limit, CPU pinning and CPU-time accounting. The system calls
//! themselves are `bext_shards::sys`'s safe wrappers, where the workspace keeps its unsafe
//! code; this crate has none (`#![forbid(unsafe_code)]`).

pub use bext_shards::sys::{
    Signal, clock_ticks_per_second, die_with_parent, send_signal, waited_children_cpu_seconds,
};

/// Raises this process's open-file limit (soft, and hard if needed: the harness runs as root)
/// to at least `wanted`. Returns the soft limit now in force. Children inherit it, which is how
/// the servers get enough descriptors for the idle-connection scenario too.
pub fn raise_nofile_limit(wanted: u64) -> std::io::Result<u64> {
    bext_shards::sys::raise_nofile_limit_to(wanted)
}

/// The hard open-file limit of this process (`/proc/self/limits`), `u64::MAX` if unlimited;
/// `None` if it cannot be read. A soft limit can be raised up to it by anyone, past it only
/// with `CAP_SYS_RESOURCE`, which a container may withhold even from root.
pub fn nofile_hard_limit() -> Option<u64> {
    parse_nofile_hard(&std::fs::read_to_string("/proc/self/limits").ok()?)
}

/// `Max open files  <soft>  <hard>  files` -> hard.
fn parse_nofile_hard(limits: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    let hard = line["Max open files".len()..].split_whitespace().nth(1)?;
    match hard {
        "unlimited" => Some(u64::MAX),
        number => number.parse().ok(),
    }
}

/// Pins the calling thread (the harness's main thread; threads it starts later inherit the
/// mask) to the load CPU, so the harness never competes with the server on its CPU.
pub fn pin_harness_to_load_cpu() -> Result<(), crate::error::Error> {
    use crate::limits::{LOAD_CPU, SERVER_CPU};
    bext_shards::sys::pin_current_thread(LOAD_CPU).map_err(|error| {
        crate::error::Error::run(format!(
            "pinning the harness to CPU {LOAD_CPU} (this benchmark needs CPUs {SERVER_CPU} and {LOAD_CPU}): {error}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(limits: &str, expect: Option<u64>) {
        assert_eq!(parse_nofile_hard(limits), expect, "{limits:?}");
    }

    #[test]
    fn reads_the_hard_open_file_limit() {
        let header =
            "Limit                     Soft Limit           Hard Limit           Units     \n";
        check(
            &format!(
                "{header}Max cpu time              unlimited            unlimited            seconds   \n\
                 Max open files            4096                 20000                files     \n"
            ),
            Some(20_000),
        );
        check(
            "Max open files            1024                 unlimited            files\n",
            Some(u64::MAX),
        );
        check(&format!("{header}Max processes 10 10 processes\n"), None);
        check("Max open files            1024\n", None);
        assert!(nofile_hard_limit().is_some_and(|hard| hard > 0));
    }
}
