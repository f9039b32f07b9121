//! `open_beneath` keeps every open inside the root, with openat2 and with the per-segment
//! fallback used where openat2 is missing.

use std::io::Read;
use std::os::unix::fs::symlink;

use bext_shards::sys;

fn read(root: &std::os::fd::OwnedFd, rel: &str) -> Result<String, i32> {
    let mut file = sys::open_beneath(root, rel).map_err(|e| e.raw_os_error().unwrap_or(-1))?;
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| e.raw_os_error().unwrap_or(-1))?;
    Ok(text)
}

#[test]
fn both_paths_keep_opens_beneath_the_root() {
    let base = std::env::temp_dir().join(format!("bext-beneath-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("root/sub")).unwrap();
    std::fs::write(base.join("root/sub/a.txt"), "a").unwrap();
    std::fs::write(base.join("secret.txt"), "secret").unwrap();
    symlink("../secret.txt", base.join("root/escape")).unwrap();
    symlink("sub/a.txt", base.join("root/inside")).unwrap();
    symlink("..", base.join("root/up")).unwrap();
    let root = sys::open_root(&base.join("root")).unwrap();

    // openat2 with RESOLVE_BENEATH: symlinks inside the root are followed, escapes refused.
    sys::danger_force_open_walk_for_tests(false);
    assert_eq!(read(&root, "sub/a.txt"), Ok("a".into()));
    assert_eq!(read(&root, "inside"), Ok("a".into()));
    assert_eq!(read(&root, "escape"), Err(libc::EXDEV));
    assert_eq!(read(&root, "up/secret.txt"), Err(libc::EXDEV));
    assert_eq!(read(&root, "missing"), Err(libc::ENOENT));

    // The fallback refuses every symlink (ELOOP from O_NOFOLLOW, ENOTDIR for a directory
    // segment that is a link), and never leaves the root.
    sys::danger_force_open_walk_for_tests(true);
    assert_eq!(read(&root, "sub/a.txt"), Ok("a".into()));
    assert_eq!(read(&root, "inside"), Err(libc::ELOOP));
    assert_eq!(read(&root, "escape"), Err(libc::ELOOP));
    assert!(matches!(
        read(&root, "up/secret.txt"),
        Err(libc::ELOOP | libc::ENOTDIR)
    ));
    assert_eq!(read(&root, "../secret.txt"), Err(libc::EXDEV));
    assert_eq!(read(&root, "missing"), Err(libc::ENOENT));
    sys::danger_force_open_walk_for_tests(false);
    let _ = std::fs::remove_dir_all(&base);
}
