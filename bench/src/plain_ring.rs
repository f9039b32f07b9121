//! How the bench's own programs on bext's runtime (`bext-loadgen`, `bext-wsload`,
//! `bext-wsecho`) run their work: the default backend with a plain io_uring ring (they are
//! not what is measured, and a plain ring works on every kernel), and the work's result
//! handed back once the runtime has stopped. Included by each of those binaries with
//! `#[path]`: it does I/O, so it stays out of the library, which is sans-I/O.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use bext_shards::rt::default_backend as rt;
use bext_shards::rt::{Driver, RingSetup, RuntimeOptions};

/// Runs `work` to its end on a plain io_uring ring: its result, or why it could not run.
pub fn run<T, Fut>(work: impl FnOnce() -> Fut) -> Result<T, String>
where
    Fut: Future<Output = Result<T, String>>,
{
    let options = RuntimeOptions {
        ring_setup: RingSetup::Plain,
        ..RuntimeOptions::default()
    };
    let finished = Rc::new(RefCell::new(None));
    let outcome = finished.clone();
    rt::run(options, move |started| async move {
        *outcome.borrow_mut() = Some(match started.driver {
            Driver::IoUring => work().await,
            Driver::Legacy => Err("io_uring is unavailable here".to_string()),
        });
    })
    .map_err(|error| format!("cannot start an io_uring runtime: {error}"))?;
    finished
        .take()
        .ok_or_else(|| "the runtime stopped before the run ended".to_string())?
}
