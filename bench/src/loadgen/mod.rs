//! The fixed-rate ("open-loop") load generator's logic, without its sockets.
//!
//! # Why a generator of our own
//!
//! wrk is closed-loop: each connection sends its next request only when the previous answer
//! arrived. When the server stalls, wrk stalls with it and simply does not send the requests
//! a real client population would have sent meanwhile, so the stall shows up as one slow
//! sample instead of thousands: "coordinated omission". wrk2 fixes that with a constant
//! arrival rate and latency measured from each request's *scheduled* send time, but it is not
//! packaged here, so `bext-loadgen` does the same on bext's own io_uring runtime.
//!
//! # Method
//!
//! - A total rate R over N keep-alive connections: request k (k = 0, 1, 2, ...) is scheduled
//!   at `k / R` seconds after the start and belongs to connection `k mod N` ([`schedule`]).
//!   Each connection therefore has a fixed timetable with one request every `N / R` seconds.
//! - A connection waits until its next scheduled time, sends, reads the whole response, and
//!   records `completion - scheduled` into an HDR histogram ([`histogram`]). If the previous
//!   response arrived after the next request's scheduled time, that request goes out at once
//!   and its latency includes the time it waited: queueing behind a slow response is counted,
//!   which is what makes the percentiles free of coordinated omission.
//! - Sends that leave more than [`schedule::SEND_LATE_TOLERANCE_NS`] after their scheduled
//!   time are counted, split by cause ([`schedule::Lateness`]): the connection was still
//!   waiting for the previous answer (the server, or the network, was slow: expected near
//!   saturation) or the generator itself was behind (its numbers are then suspect).
//! - The generator owns its CPU and busy-polls it: the runtime's timer has millisecond
//!   granularity, far coarser than a loopback round trip, and it is serviced only when the
//!   runtime parks. So an early connection yields to the runtime (which reaps completions
//!   and runs the other connections) and looks at the clock again ([`schedule::is_due`]).
//!   Its CPU utilisation is therefore ~100% by design and says nothing about its load.
//! - Requests scheduled during the warm-up are sent but not recorded. After the last
//!   scheduled request the generator waits for the answers still outstanding up to a
//!   deadline; those that never come are counted as errors.

pub mod args;
pub mod framing;
pub mod histogram;
pub mod schedule;
pub mod summary;
