//! The offload pool: jobs run off the calling thread, their values come back to the awaiting
//! task, a panicking job costs only itself, and a full queue says so instead of growing.

use std::sync::mpsc;
use std::time::Duration;

use bext_core::limits::IMAGE_JOBS_QUEUED_MAX;
use bext_shards::offload::{self, Full};
use bext_shards::rt;

/// How long a test waits for a helper thread before it fails (a busy machine is slow, never
/// this slow).
const WAIT_DEADLINE: Duration = Duration::from_secs(30);

/// One test, in order: the pool is per process, and a full queue would refuse the jobs of a
/// test running beside it.
#[test]
fn the_offload_pool() {
    jobs_run_elsewhere_and_come_back();
    a_full_queue_refuses();
}

fn jobs_run_elsewhere_and_come_back() {
    let caller = std::thread::current().id();
    let out = std::rc::Rc::new(std::cell::RefCell::new(None));
    let seen = out.clone();
    rt::run(rt::RuntimeOptions::default(), move |_| async move {
        let pending = offload::submit(move || (std::thread::current().id() != caller, 6 * 7))
            .expect("room in the queue");
        let value = rt::timeout(WAIT_DEADLINE, pending).await.expect("in time");
        let panicked = offload::submit(|| -> u8 { panic!("a bad image") }).expect("room");
        let after_panic = rt::timeout(WAIT_DEADLINE, panicked).await.expect("in time");
        // The helper survived the panic.
        let again = offload::submit(|| 1).expect("room");
        let again = rt::timeout(WAIT_DEADLINE, again).await.expect("in time");
        *seen.borrow_mut() = Some((value, after_panic, again));
    })
    .expect("runtime starts");
    assert_eq!(out.take(), Some((Some((true, 42)), None, Some(1))));
}

fn a_full_queue_refuses() {
    // Hold every helper, then fill the queue: the next job is refused, not queued.
    let (release, held) = mpsc::channel::<()>();
    let held = std::sync::Arc::new(std::sync::Mutex::new(held));
    let mut accepted = Vec::new();
    let mut refused = false;
    for _ in 0..IMAGE_JOBS_QUEUED_MAX + offload::OFFLOAD_THREADS_MAX + 1 {
        let held = held.clone();
        match offload::submit(move || {
            let _ = held.lock().map(|rx| rx.recv_timeout(WAIT_DEADLINE));
        }) {
            Ok(pending) => accepted.push(pending),
            Err(Full) => {
                refused = true;
                break;
            }
        }
    }
    assert!(refused, "{} jobs were all queued", accepted.len());
    assert!(accepted.len() >= IMAGE_JOBS_QUEUED_MAX);
    for _ in 0..accepted.len() {
        let _ = release.send(());
    }
}
