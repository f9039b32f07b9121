//! The parts of `bext-bench` that its programs share: the harness (`bext-bench`,
//! `src/main.rs`), the fixed-rate load generator (`bext-loadgen`, `src/bin/loadgen.rs`), the
//! WebSocket echo upstream and round-trip generator of `proxy` (`src/bin/wsecho.rs`,
//! `src/bin/wsload.rs`), the SSE fan-out generator of `realtime` (`src/bin/rtload.rs`), and
//! the rule engine's own measure of `waf`'s requests (`src/bin/wafcost.rs`).
//! Only sans-I/O code lives here (schedule arithmetic, the latency histogram, response
//! framing, WebSocket handshakes and frames, SSE streams and publishes, `/proc` CPU counters
//! parsed, the generators' command lines and reports), so the harness can read what a
//! generator writes with the very types the generator wrote it with, and all of it is tested
//! without sockets or clocks.

#![forbid(unsafe_code)]

pub mod loadgen;
pub mod proc_stat;
pub mod sse;
pub mod waf_traffic;
pub mod ws;
