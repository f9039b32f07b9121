//! Every bound and wait the harness uses, units last (house style: put a limit on everything).
//!
//! These bound the harness, not bext; bext's own limits live in `bext_core::limits`. The
//! deadlines are generous because a missed deadline aborts the run: they exist so that a hung
//! server or tool turns into an error message instead of a harness that never returns.

/// CPU the server under test runs on (`taskset -c 0`).
pub const SERVER_CPU: usize = 0;
/// CPU the load generator and the harness run on.
pub const LOAD_CPU: usize = 1;

/// From spawning a server to its first HTTP 200, before we call it broken.
pub const READY_DEADLINE_MS: u64 = 10_000;
/// Spacing of readiness polls; small so that start-up time is measured to about a millisecond.
pub const READY_POLL_INTERVAL_MS: u64 = 1;
/// Connect/read/write timeout for one probe request.
pub const PROBE_IO_TIMEOUT_MS: u64 = 2_000;
/// Largest response head the probe client accepts.
pub const RESPONSE_HEAD_BYTES_MAX: usize = 16 * 1024;
/// Largest response body the probe client reads (it counts the bytes, it keeps none); the
/// biggest benchmark file is `workdir::LARGE_BYTES`.
pub const RESPONSE_BODY_BYTES_MAX: usize = 16 * 1024 * 1024;

/// After SIGTERM, how long a child gets to exit before SIGKILL.
pub const STOP_GRACE_MS: u64 = 5_000;
/// After SIGKILL, how long we wait for the kernel to reap the child.
pub const KILL_WAIT_MS: u64 = 2_000;
/// How often a deadline-bounded wait on a child polls it.
pub const CHILD_POLL_INTERVAL_MS: u64 = 5;

/// How long wrk may run past its `-d` duration before it is killed.
pub const WRK_OVERRUN_MS: u64 = 15_000;
/// wrk's `--timeout`: a response slower than this counts as a socket error. wrk's own default
/// (2 s) is shorter than the queueing delay of 50 connections on a server rendering 20 pages
/// a second (Next.js on `/table/200` in the `ssr` scenario), which would turn a slow server
/// into a broken-looking one.
pub const WRK_TIMEOUT_SECS: u64 = 10;
/// A timed run in which a server completed no request is run once more for this long before
/// it counts as a failure: a one-second smoke window on a busy machine can end before the
/// first response of a slow contender (QuickJS rendering a large page) is out.
pub const NO_REQUESTS_RETRY_SECS: u32 = 10;
/// Untimed warm-up run per contender and case (skipped with `--smoke`).
pub const WARMUP_SECS: u32 = 1;
/// Start-ups measured for the start-up time median.
pub const STARTUP_SAMPLES: usize = 5;

/// Spacing of VmRSS samples while waiting for the server's memory to settle.
pub const RSS_SAMPLE_INTERVAL_MS: u64 = 100;
/// Consecutive samples that must agree (within the tolerance) to call RSS settled.
pub const RSS_STABLE_SAMPLES: usize = 5;
/// Spread allowed among those samples; 64 KiB over 10 000 connections is < 7 bytes each.
pub const RSS_SETTLE_TOLERANCE_BYTES: u64 = 64 * 1024;
/// Longest wait for RSS to settle; past it the last sample is used and a warning printed.
pub const RSS_SETTLE_DEADLINE_MS: u64 = 10_000;

/// How long one connect may keep being retried (a full accept backlog refuses connects).
pub const CONNECT_RETRY_DEADLINE_MS: u64 = 10_000;
/// Pause between connect retries.
pub const CONNECT_RETRY_INTERVAL_MS: u64 = 5;
/// Most idle connections `conns` opens; one client address has ~28k ephemeral ports.
pub const IDLE_CONNECTIONS_MAX: u32 = 50_000;
/// File descriptors reserved beyond the idle connections (logs, pipes, the probe).
pub const NOFILE_HEADROOM: u64 = 1_024;
/// Extra `worker_connections` nginx gets beyond the idle connections.
pub const NGINX_CONNECTIONS_HEADROOM: u32 = 256;

/// Bounds on the command line, so a typo cannot start a day-long run.
pub const DURATION_SECS_MAX: u32 = 3_600;
pub const ROUNDS_MAX: u32 = 100;
pub const WRK_CONNECTIONS_MAX: u32 = 10_000;

/// `apt-get update` / `apt-get install` of nginx and wrk.
pub const APT_DEADLINE_MS: u64 = 900_000;
/// `cargo build --release` of a missing contender (fat LTO on 2 cores is slow).
pub const BUILD_DEADLINE_MS: u64 = 3_600_000;
/// Small helper commands: `git rev-parse`, `openssl req`, one curl check, one `openssl
/// s_client` connection (a handshake and one small answer; the server closes after it).
pub const TOOL_DEADLINE_MS: u64 = 10_000;

/// Lines of a server's log quoted in an error message.
pub const LOG_TAIL_LINES: usize = 20;
/// Bytes of a server's log read to find those lines.
pub const LOG_TAIL_BYTES: u64 = 8 * 1024;

const _: () = assert!(SERVER_CPU != LOAD_CPU);
const _: () = assert!(READY_POLL_INTERVAL_MS < READY_DEADLINE_MS);
const _: () = assert!(RSS_SAMPLE_INTERVAL_MS * RSS_STABLE_SAMPLES as u64 <= RSS_SETTLE_DEADLINE_MS);
const _: () = assert!(CONNECT_RETRY_INTERVAL_MS < CONNECT_RETRY_DEADLINE_MS);
const _: () = assert!(RSS_STABLE_SAMPLES >= 2);

/// Most rates one latency run takes (`--rates`).
pub const RATES_MAX: usize = 8;
/// Highest rate `--rates` accepts, requests per second (the generator's own bound).
pub const RATE_MAX: u64 = bext_bench::loadgen::args::RATE_MAX;
/// Deepest pipeline `--depth` accepts (requests per write).
pub const PIPELINE_DEPTH_MAX: u32 = 256;
/// How long the load generator may run past its schedule (it drains for up to 5 s, then
/// reports) before it is killed.
pub const LOADGEN_OVERRUN_MS: u64 = 15_000;

/// `ssr`: untimed warm-up per server and page (skipped with `--smoke`). Longer than
/// `WARMUP_SECS`: V8's JIT needs thousands of requests, and Next.js, at a few hundred req/s
/// on one core, was still speeding up after 10 s in a manual check.
pub const SSR_WARMUP_SECS: u32 = 5;
/// `ssr`: first renders measured per page and server, each on a freshly started server.
pub const FIRST_RENDER_SAMPLES: usize = 3;
/// `ssr`: timed requests of the streamed page per server, the servers taking turns.
pub const STREAM_SAMPLES: usize = 30;
/// `ssr`: from spawning a server to its first answer. Longer than `READY_DEADLINE_MS`:
/// Node and Next.js load megabytes of JavaScript before they listen.
pub const SSR_READY_DEADLINE_MS: u64 = 30_000;
/// `ssr`: `npm ci` of bench/node (about 400 MB of packages).
pub const NPM_CI_DEADLINE_MS: u64 = 900_000;
/// `ssr`: bench/node/build.mjs, including `next build` (seconds with Turbopack here, minutes
/// on a cold cache or a slow disk).
pub const NODE_BUILD_DEADLINE_MS: u64 = 1_200_000;

/// `tls`, `h2`: validity of the run's self-signed certificate (a run lasts minutes).
pub const CERT_VALIDITY_DAYS: u32 = 2;
/// `tls`, `h2`: pause between curl checks of a listener that does not answer yet (each check
/// is a process and, over TLS, a handshake: not worth polling every millisecond).
pub const CURL_RETRY_INTERVAL_MS: u64 = 50;
/// How long h2load may run past its `-D` duration before it is killed (it connects every
/// client before the duration starts).
pub const H2LOAD_OVERRUN_MS: u64 = 15_000;

/// Longest one `ip` or `nft` command of the `xdp` scenario's set-up may take.
pub const NETNS_COMMAND_DEADLINE_MS: u64 = 10_000;
/// How long the `xdp` scenario waits for bext to say its XDP filter is attached.
pub const XDP_ATTACH_DEADLINE_MS: u64 = 15_000;
/// How long the flood generator may run past its `--secs` before it is killed.
pub const FLOOD_OVERRUN_MS: u64 = 10_000;

const _: () = assert!(SSR_READY_DEADLINE_MS >= READY_DEADLINE_MS);
// curl's own --max-time is the probe's timeout; the process gets longer before it is killed.
const _: () = assert!(PROBE_IO_TIMEOUT_MS < TOOL_DEADLINE_MS);
const _: () = assert!(CURL_RETRY_INTERVAL_MS < READY_DEADLINE_MS);
const _: () = assert!(FIRST_RENDER_SAMPLES >= 1);
const _: () = assert!(WRK_TIMEOUT_SECS * 1_000 < WRK_OVERRUN_MS);

/// `proxy`: idle connections each proxy keeps to the upstream at least (the nginx
/// `keepalive 64`; bext's `idle_connections_max`); more when wrk opens more connections, so
/// that no proxy has to open a connection per request under load.
pub const UPSTREAM_IDLE_CONNECTIONS_FLOOR: u32 = 64;
/// `proxy`: requests sent through each proxy, one after another on one connection, to check
/// that it keeps its upstream connection alive.
pub const KEEPALIVE_CHECK_REQUESTS: u64 = 100;
/// `proxy`: new upstream connections the proxy may open over those requests (one, if it had
/// none idle yet); a proxy without keep-alive would open one per request.
pub const KEEPALIVE_CHECK_OPENED_MAX: u64 = 1;

const _: () = assert!(KEEPALIVE_CHECK_OPENED_MAX < KEEPALIVE_CHECK_REQUESTS / 2);
const _: () = assert!(
    UPSTREAM_IDLE_CONNECTIONS_FLOOR as u64 <= bext_core::limits::PROXY_IDLE_CONNECTIONS_CEILING
);

/// `proxy`: bytes of each WebSocket message of the round trips (a chat message's size).
pub const WS_MESSAGE_BYTES: usize = 64;
/// `proxy`: how long a WebSocket tunnel may be silent before a proxy closes it, bext's
/// `timeout_ms` and nginx's `proxy_read_timeout`/`proxy_send_timeout` alike: longer than
/// opening, measuring and checking every held tunnel takes.
pub const WS_TUNNEL_IDLE_MS: u64 = 600_000;
/// `proxy`: how long `bext-wsload` may run past its duration (it connects and upgrades every
/// connection first) before it is killed.
pub const WSLOAD_OVERRUN_MS: u64 = 15_000;
/// `proxy`: descriptors per held tunnel in a proxy (the client's connection and the
/// upstream's); the harness's own limit, which the servers inherit, is raised to this many
/// per tunnel plus `WS_NOFILE_HEADROOM`.
pub const WS_TUNNEL_DESCRIPTORS: u64 = 2;
/// `proxy`: descriptors a proxy holds besides its tunnels (listener, ring, log, probes):
/// about 20 for bext or nginx. Small, so the tunnels get nearly all of a hard limit the
/// harness cannot raise (a container without `CAP_SYS_RESOURCE`).
pub const WS_NOFILE_HEADROOM: u64 = 128;

const _: () = assert!(WS_TUNNEL_IDLE_MS >= RSS_SETTLE_DEADLINE_MS * 10);
const _: () = assert!(WS_TUNNEL_IDLE_MS <= bext_core::limits::PROXY_TIMEOUT_MS_CEILING);
const _: () = assert!(WS_MESSAGE_BYTES <= bext_bench::ws::frame::PAYLOAD_BYTES_MAX);

/// `realtime`: events queued for one subscriber before the hub evicts it (bext's
/// `queue_max`; the Node hub evicts past as many frames of unsent bytes): far above what the
/// generator leaves undelivered, so no measured rate evicts anyone.
pub const RT_QUEUE_MAX: u32 = 4_096;
/// `realtime`: in the maximum's run, events per subscriber published but not yet delivered,
/// at most (`bext-rtload --window`).
pub const RT_WINDOW_EVENTS: u32 = 64;
/// `realtime`: how long `bext-rtload` may run past its warm-up and duration (it opens every
/// subscriber first, up to a minute, and drains for up to 3 s) before it is killed.
pub const RTLOAD_OVERRUN_MS: u64 = 90_000;

/// `realtime`: before each run, the hubs' CPU must have been at most this busy over one
/// `RT_QUIET_WINDOW_MS` window: a hub that fell behind in its own last run (the Node hub at
/// a fixed rate it cannot deliver) goes on writing its backlog for many seconds after, on
/// the core the next hub is measured on.
pub const RT_QUIET_BUSY_PERCENT: f64 = 10.0;
/// `realtime`: the window the hubs' core is sampled over while waiting for it to be quiet.
pub const RT_QUIET_WINDOW_MS: u64 = 250;
/// `realtime`: how long to wait for the hubs' core to be quiet before a run; past it the run
/// goes ahead, with a warning that it shared the core.
pub const RT_QUIET_DEADLINE_MS: u64 = 120_000;

const _: () = assert!(RT_WINDOW_EVENTS * 4 <= RT_QUEUE_MAX);
const _: () = assert!(RT_WINDOW_EVENTS <= bext_bench::sse::load::WINDOW_MAX);
const _: () = assert!(RT_QUEUE_MAX as u64 <= bext_core::limits::REALTIME_QUEUE_CEILING);
