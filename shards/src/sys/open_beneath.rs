//! Opening files that can never leave a site's root: `openat2(RESOLVE_BENEATH)` relative to
//! the root's descriptor, with a per-segment `O_NOFOLLOW` walk where openat2 is missing.
//!
//! A request's path is decoded and checked by `core`, but the file system can still hold a
//! symlink that points outside the root; resolving beneath the root's descriptor makes the
//! kernel refuse any escape, whatever the path or the links say. std has no openat at all,
//! hence libc. The directory itself is opened once ([`open_root`]) and kept for the life of the
//! snapshot, so a rename of the root's path does not move what is served.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

/// Test hook: take the fallback path of [`open_beneath`] as if openat2 were missing.
static FORCE_WALK: AtomicBool = AtomicBool::new(false);

#[doc(hidden)]
pub fn danger_force_open_walk_for_tests(on: bool) {
    FORCE_WALK.store(on, Ordering::Relaxed);
}

/// Opens `rel` (no leading '/') for reading beneath the directory `root`, refusing any path
/// that would resolve outside it, including through symlinks (`RESOLVE_BENEATH`) or
/// `/proc`-style magic links. Symlinks that stay inside the root are followed.
pub fn open_beneath(root: &OwnedFd, rel: &str) -> io::Result<std::fs::File> {
    if FORCE_WALK.load(Ordering::Relaxed) {
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

/// Opens a directory to serve as a root for [`open_beneath`].
pub fn open_root(path: &std::path::Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)?;
    Ok(OwnedFd::from(dir))
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
