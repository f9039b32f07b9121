//! The parts of `bext-bench` that both of its load-generating binaries need: the harness
//! (`bext-bench`, `src/main.rs`) and the fixed-rate load generator (`bext-loadgen`,
//! `src/bin/loadgen.rs`). Only sans-I/O code lives here (schedule arithmetic, the latency
//! histogram, response framing, the generator's command line and report), so the harness can
//! read what the generator writes with the very types the generator wrote it with, and all of
//! it is tested without sockets or clocks.

#![forbid(unsafe_code)]

pub mod loadgen;
