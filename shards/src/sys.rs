//! The few system calls the runtime needs that no safe wrapper offers: CPU pinning, the
//! SO_REUSEPORT listener group with its classic BPF steering program, and `openat2` with
//! `RESOLVE_BENEATH` for serving files that can never leave a site's root.
//!
//! Every `unsafe` block in this crate's non-backend code lives here, each with a `SAFETY:` note.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Listen backlog for every shard's socket.
pub const LISTEN_BACKLOG: i32 = 4096;

/// Pins the calling thread to one CPU.
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    // SAFETY: cpu_set_t is plain data; zeroed is its empty set. CPU_SET only writes inside the
    // set for cpu < CPU_SETSIZE, which we check first.
    unsafe {
        if cpu >= libc::CPU_SETSIZE as usize {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cpu index beyond CPU_SETSIZE",
            ));
        }
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The CPUs this process may run on, in ascending order.
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    // SAFETY: sched_getaffinity fills the zeroed set we own; CPU_ISSET reads inside it.
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

/// Binds one SO_REUSEPORT listening socket per shard on `addr`, in shard order, and attaches a
/// classic BPF program that picks the socket of the shard pinned to the CPU handling the SYN.
///
/// The kernel indexes a reuseport group in bind order, so socket `i` must be bound by shard
/// `i`'s turn; `shard_cpus[i]` is the CPU shard `i` is pinned to. If a CPU has no shard, the
/// program falls back to `cpu % shards`, so the index is always valid.
pub fn bind_reuseport_group(
    addr: SocketAddr,
    shard_cpus: &[usize],
) -> io::Result<Vec<TcpListener>> {
    assert!(
        !shard_cpus.is_empty(),
        "a listener group needs at least one shard"
    );
    let mut listeners = Vec::with_capacity(shard_cpus.len());
    let mut bound = addr;
    for _ in shard_cpus {
        let listener = bind_one(bound)?;
        // Port 0 asks the kernel for a port: the rest of the group must join the same one.
        bound = listener.local_addr()?;
        listeners.push(listener);
    }
    attach_cpu_steering(listeners[0].as_raw_fd(), shard_cpus)?;
    Ok(listeners)
}

fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
    let domain = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: socket() returns a new descriptor or -1; on success we take ownership at once.
    let fd = unsafe {
        libc::socket(
            domain,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            0,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a fresh, valid descriptor owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    set_int_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    set_int_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)?;
    if addr.is_ipv6() {
        set_int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
    }
    let (storage, len) = sockaddr_of(addr);
    // SAFETY: storage holds a valid sockaddr of `len` bytes for this address family.
    if unsafe { libc::bind(fd, (&raw const storage).cast(), len) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a bound stream socket.
    if unsafe { libc::listen(fd, LISTEN_BACKLOG) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(TcpListener::from(owned))
}

/// `ld cpu; (jeq cpu_i → ret i)*; A %= n; ret A`.
fn attach_cpu_steering(fd: RawFd, shard_cpus: &[usize]) -> io::Result<()> {
    const SKF_AD_OFF: i32 = -0x1000;
    const SKF_AD_CPU: i32 = 36;
    let shards =
        u32::try_from(shard_cpus.len()).map_err(|_| io::Error::other("too many shards"))?;
    let mut prog: Vec<libc::sock_filter> = Vec::with_capacity(shard_cpus.len() * 2 + 3);
    prog.push(bpf_stmt(
        libc::BPF_LD | libc::BPF_W | libc::BPF_ABS,
        (SKF_AD_OFF + SKF_AD_CPU) as u32,
    ));
    for (index, &cpu) in shard_cpus.iter().enumerate() {
        prog.push(libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: cpu as u32,
        });
        prog.push(bpf_stmt(libc::BPF_RET | libc::BPF_K, index as u32));
    }
    prog.push(bpf_stmt(
        libc::BPF_ALU | libc::BPF_MOD | libc::BPF_K,
        shards,
    ));
    prog.push(bpf_stmt(libc::BPF_RET | libc::BPF_A, 0));
    let fprog = libc::sock_fprog {
        len: u16::try_from(prog.len())
            .map_err(|_| io::Error::other("steering program too long"))?,
        filter: prog.as_mut_ptr(),
    };
    // SAFETY: fprog points at `prog`, alive for the call; the kernel copies the program.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ATTACH_REUSEPORT_CBPF,
            (&raw const fprog).cast(),
            std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn bpf_stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn set_int_opt(fd: RawFd, level: i32, name: i32, value: i32) -> io::Result<()> {
    // SAFETY: value is an i32 living for the call and we pass its exact size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&raw const value).cast(),
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn sockaddr_of(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid (unspecified) value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    match addr {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe { std::ptr::write((&raw mut storage).cast(), sin) };
            (
                storage,
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe { std::ptr::write((&raw mut storage).cast(), sin6) };
            (
                storage,
                std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
            )
        }
    }
}

/// Test hook: take the fallback path of [`open_beneath`] as if openat2 were missing.
static FORCE_WALK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[doc(hidden)]
pub fn danger_force_open_walk_for_tests(on: bool) {
    FORCE_WALK.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Opens `rel` (no leading '/') for reading beneath the directory `root`, refusing any path
/// that would resolve outside it, including through symlinks (`RESOLVE_BENEATH`) or
/// `/proc`-style magic links. Symlinks that stay inside the root are followed.
pub fn open_beneath(root: &OwnedFd, rel: &str) -> io::Result<std::fs::File> {
    if FORCE_WALK.load(std::sync::atomic::Ordering::Relaxed) {
        return open_beneath_walk(root, rel);
    }
    #[repr(C)]
    struct OpenHow {
        flags: u64,
        mode: u64,
        resolve: u64,
    }
    const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
    const RESOLVE_BENEATH: u64 = 0x08;
    let path = CString::new(if rel.is_empty() { "." } else { rel })
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in path"))?;
    let how = OpenHow {
        flags: (libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY) as u64,
        mode: 0,
        resolve: RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    // SAFETY: openat2 reads `path` (NUL-terminated, alive) and `how` (alive, size given) and
    // returns a new descriptor or -1.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root.as_raw_fd(),
            path.as_ptr(),
            &raw const how,
            std::mem::size_of::<OpenHow>(),
        )
    };
    if fd < 0 {
        let error = io::Error::last_os_error();
        // No openat2 (a kernel before 5.6, a seccomp filter, valgrind): walk the path instead.
        if error.raw_os_error() == Some(libc::ENOSYS) {
            return open_beneath_walk(root, rel);
        }
        return Err(error);
    }
    let fd = RawFd::try_from(fd).map_err(|_| io::Error::other("descriptor out of range"))?;
    // SAFETY: fd is a fresh descriptor that we now own.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

/// The fallback for [`open_beneath`]: one `openat(O_NOFOLLOW)` per path segment, so no
/// segment can be a symlink at all (stricter than `RESOLVE_BENEATH`, which follows symlinks
/// that stay inside the root; like nginx's `disable_symlinks on`). `rel` has no `.` or `..`
/// segments: `core` refused them.
fn open_beneath_walk(root: &OwnedFd, rel: &str) -> io::Result<std::fs::File> {
    let mut dir: Option<OwnedFd> = None;
    let segments: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Err(io::Error::from_raw_os_error(libc::EXDEV));
    }
    if segments.is_empty() {
        return open_at(root.as_raw_fd(), ".", 0);
    }
    for (i, segment) in segments.iter().enumerate() {
        let at = dir.as_ref().map_or(root.as_raw_fd(), |d| d.as_raw_fd());
        let last = i + 1 == segments.len();
        let file = open_at(at, segment, if last { 0 } else { libc::O_DIRECTORY })?;
        if last {
            return Ok(file);
        }
        dir = Some(OwnedFd::from(file));
    }
    unreachable!("the loop returns at the last segment")
}

fn open_at(dir: RawFd, name: &str, extra_flags: i32) -> io::Result<std::fs::File> {
    let name = CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in path"))?;
    let flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NOFOLLOW | extra_flags;
    // SAFETY: openat reads the NUL-terminated `name`, alive for the call, and returns a new
    // descriptor or -1.
    let fd = unsafe { libc::openat(dir, name.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a fresh descriptor that we now own.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

/// Opens a directory to serve as a root for [`open_beneath`].
pub fn open_root(path: &std::path::Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)?;
    Ok(OwnedFd::from(dir))
}

/// Raises the soft open-file limit to the hard limit; a server with many connections needs it.
pub fn raise_nofile_limit() -> io::Result<u64> {
    // SAFETY: getrlimit/setrlimit read and write the rlimit struct we own.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return Err(io::Error::last_os_error());
        }
        if lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(lim.rlim_cur)
    }
}
