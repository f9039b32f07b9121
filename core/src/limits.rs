//! Every bound bext enforces, in one place (TigerBeetle style: put a limit on everything).
//!
//! Names end with their unit. Values here are the defaults; those a user may change live in
//! `[server]` of `bext.config.toml` and are checked against the `*_CEILING` constants, so a
//! config can tighten a bound but never remove it. The relations between bounds are asserted at
//! compile time at the bottom of this file.

/// Longest request line (method, target, version) before the server answers 414.
pub const REQUEST_LINE_BYTES_MAX: usize = 8 * 1024;
/// Most header fields in one request before the server answers 431.
pub const HEADER_COUNT_MAX: usize = 100;
/// Largest request head (request line plus all header fields) before 431.
pub const HEADER_BYTES_MAX: usize = 16 * 1024;
/// Hard ceiling a config may raise `header_bytes_max` to.
pub const HEADER_BYTES_CEILING: usize = 64 * 1024;
/// Longest host name compared (the DNS limit for a name in text form, plus slack for the
/// trailing dot); longer `Host` values go to the default site.
pub const HOST_BYTES_MAX: usize = 255;
/// Most hex digits in one chunk size, leading zeros included: 16 digits fill a u64, and a
/// longer size line is an attack, not a body.
pub const CHUNK_SIZE_DIGITS_MAX: u32 = 16;
/// Chunk-extension bytes tolerated over a whole body. bext ignores extensions; the cap stops a
/// client from streaming megabytes of them around one-byte chunks.
pub const CHUNK_EXTENSIONS_BYTES_MAX: u64 = 16 * 1024;
/// Trailer-section bytes tolerated after the last chunk. Trailers are read and dropped.
pub const TRAILER_BYTES_MAX: u64 = 8 * 1024;
/// Default largest request body per site before 413.
pub const BODY_BYTES_MAX: u64 = 1024 * 1024;
/// Requests parsed ahead of the responses written on one connection (pipelining). Past this the
/// connection stops reading until it has flushed: back-pressure, not an error.
pub const PIPELINE_DEPTH_MAX: usize = 32;
/// Size a connection's read buffer starts at; it grows up to `HEADER_BYTES_MAX` only when a
/// request head needs it. Small so that idle keep-alive connections cost little memory (nginx's
/// `client_header_buffer_size` is the same 1 KiB).
pub const READ_BUFFER_BYTES_INITIAL: usize = 1024;
/// A read buffer grown for a large head is given back once its connection is idle again, if it
/// is larger than this.
pub const READ_BUFFER_BYTES_KEPT_IDLE: usize = 4 * READ_BUFFER_BYTES_INITIAL;
/// A read that fills the read buffer says the client has more queued (pipelined requests):
/// the next read doubles the buffer, up to this, so a busy shard takes a pipelining client's
/// requests in a few reads instead of 1 KiB per trip through its run queue.
pub const READ_BUFFER_BYTES_PIPELINED_MAX: usize = 16 * 1024;
/// Bytes read per call while a request body streams in (collected or dropped): the body leaves
/// the read buffer as it is decoded, so the buffer stays this size whatever the body's.
pub const BODY_READ_BYTES: usize = 64 * 1024;
/// Output is flushed once this many bytes are queued, even mid-pipeline.
pub const WRITE_BUFFER_BYTES_FLUSH: usize = 64 * 1024;
/// Chunk size for streaming a file too large for the file cache.
pub const FILE_STREAM_CHUNK_BYTES: usize = 64 * 1024;
/// Cached bodies this long or longer go out with a gathered write instead of being copied
/// behind their head.
pub const GATHER_BODY_BYTES_MIN: usize = 16 * 1024;
/// Output buffers a shard keeps for reuse by its connections.
pub const OUT_POOL_BUFFERS_MAX: usize = 256;
/// Largest output buffer worth returning to the pool; larger ones are freed.
pub const OUT_POOL_BUFFER_BYTES_MAX: usize = 256 * 1024;

/// From the first byte of a request to its complete head (slowloris defence), then 408.
pub const HEADER_READ_TIMEOUT_MS: u64 = 10_000;
/// Longest silence while a request body is being received, then 408.
pub const BODY_IDLE_TIMEOUT_MS: u64 = 10_000;
/// Longest silence between requests on a keep-alive connection, then close.
pub const KEEPALIVE_IDLE_TIMEOUT_MS: u64 = 75_000;
/// Longest a single write may wait for the peer to read, then close.
pub const WRITE_STALL_TIMEOUT_MS: u64 = 10_000;
/// On SIGTERM, how long in-flight requests get to finish before the shard exits anyway.
pub const DRAIN_DEADLINE_MS: u64 = 10_000;
/// How often a draining shard checks whether its in-flight requests are done.
pub const DRAIN_POLL_INTERVAL_MS: u64 = 5;
/// How long an accept loop backs off after `accept` fails (EMFILE and friends), instead of
/// spinning.
pub const ACCEPT_RETRY_MS: u64 = 10;
/// How often an idle dev reload stream (Server-Sent Events) sends a comment, so a dead peer is
/// noticed.
pub const DEV_RELOAD_PING_MS: u64 = 15_000;
/// How long a closing connection waits for its FIN to be queued.
pub const SHUTDOWN_WAIT_MS: u64 = 100;
/// Shortest interval between two sweeps of a shard's connection deadlines (the interval is a
/// quarter of the shortest configured timeout, clamped to this and the next bound).
pub const DEADLINE_SWEEP_MS_MIN: u64 = 10;
/// Longest interval between two sweeps of a shard's connection deadlines.
pub const DEADLINE_SWEEP_MS_MAX: u64 = 1_000;
/// How long every shard's executor gets to come up at start.
pub const SHARD_START_DEADLINE_MS: u64 = 10_000;
/// How long a control message (reload, stop) waits for a full shard inbox.
pub const CONTROL_SEND_DEADLINE_MS: u64 = 5_000;

/// Open connections per shard; past this, new connections are accepted and closed at once.
pub const CONNECTIONS_PER_SHARD_MAX: usize = 100_000;
/// Bytes of file bodies the file cache of one shard may hold.
pub const FILE_CACHE_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Largest file the file cache holds; larger files stream from disk.
pub const FILE_CACHE_ENTRY_BYTES_MAX: usize = 1024 * 1024;
/// How long a cached file is trusted before its metadata is checked again.
pub const FILE_CACHE_REVALIDATE_MS: u64 = 1_000;

/// Stack of each shard thread. A shard runs its JavaScript engine on this stack, and engines
/// bound their own recursion to part of it (QuickJS to 1 MiB; JSC and V8 measure what is
/// left), so it is larger than Rust's 2 MiB default.
pub const SHARD_STACK_BYTES: usize = 8 * 1024 * 1024;
/// Submission queue entries of each shard's io_uring.
pub const RING_ENTRIES: u32 = 1024;
/// Memory an executor that buffers its own I/O (the glommio backend) registers with the kernel
/// for its buffers, per shard. It must be locked (RLIMIT_MEMLOCK); glommio needs 512 KiB.
pub const EXECUTOR_IO_MEMORY_BYTES: usize = 512 * 1024;
/// Connections the kernel queues on each shard's listening socket before `accept`.
pub const LISTEN_BACKLOG_MAX: i32 = 4096;

/// Messages that may wait in one shard-to-shard queue; a full queue is back-pressure.
pub const MESH_QUEUE_DEPTH: usize = 1024;
/// How long a shard waits for its peers' replies (e.g. metrics) before answering without them.
pub const MESH_REPLY_TIMEOUT_MS: u64 = 1_000;
/// How often a shard tries again to send to a peer whose inbox was full.
pub const MESH_RETRY_INTERVAL_MS: u64 = 1;
/// Most shards one process runs.
pub const SHARDS_MAX: usize = 1024;

/// Access-log bytes buffered per shard before a flush is forced (else flushed every second).
pub const ACCESS_LOG_BUFFER_BYTES: usize = 64 * 1024;
/// Refused requests (bad heads, refused bodies, 408s) one shard writes to the access log per
/// second; past it they are only counted (`bext_requests_refused_unlogged_total`).
pub const REFUSED_LOG_LINES_PER_SECOND_MAX: u32 = 100;

/// Largest config file `bext` reads.
pub const CONFIG_FILE_BYTES_MAX: usize = 1024 * 1024;

/// Default heap ceiling of one JavaScript engine (one per shard); a render that allocates past it
/// fails with a 500 and the engine is recycled.
pub const ENGINE_HEAP_BYTES_MAX: usize = 256 * 1024 * 1024;
/// Hard ceiling a config may raise `[render] heap_bytes_max` to.
pub const ENGINE_HEAP_BYTES_CEILING: u64 = 4 * 1024 * 1024 * 1024;
/// Default longest time one render may run inside the engine (CPU time between awaits), then it
/// is interrupted and answered with the app's error page.
pub const RENDER_TIMEOUT_MS: u64 = 2_000;
/// Hard ceiling for `[render] render_timeout_ms`.
pub const RENDER_TIMEOUT_MS_CEILING: u64 = 60_000;
/// Longest the app's next.config (with its `redirects()`, `rewrites()`, `headers()`) and
/// middleware's top level may take to evaluate at load.
pub const NEXT_CONFIG_TIMEOUT_MS: u64 = 5_000;
/// Largest metadata file (`app/favicon.ico`, `icon.png`, `opengraph-image.jpg`, …) an app may
/// have: each is read into memory at load and served from there.
pub const METADATA_FILE_BYTES_MAX: usize = 8 * 1024 * 1024;
/// Longest a TLS handshake may take, from accept to its last record: a client that stalls
/// mid-handshake costs its connection, not a slot forever.
pub const TLS_HANDSHAKE_TIMEOUT_MS: u64 = 10_000;
/// Most bytes of received TLS records kept while waiting for a whole one (a record is at most
/// 16 KiB plus its overhead; more without a record is a broken or hostile peer).
pub const TLS_INCOMING_BYTES_MAX: usize = 64 * 1024;
/// Largest TLS record other than application data read from a kTLS socket (an alert, a
/// KeyUpdate): anything larger ends the connection.
pub const TLS_CONTROL_RECORD_BYTES_MAX: usize = 512;
/// HTTP/2 streams a client may have open on one connection at once (nginx's
/// `http2_max_concurrent_streams`); more are refused with `REFUSED_STREAM`.
pub const H2_STREAMS_CONCURRENT_MAX: u32 = 128;
/// HTTP/2 receive window of one stream: request body bytes a client may send ahead of the
/// handler reading them.
pub const H2_STREAM_WINDOW_BYTES: u32 = 256 * 1024;
/// HTTP/2 receive window of a whole connection: what bounds the request body bytes buffered
/// for one connection, however many streams it opens.
pub const H2_CONNECTION_WINDOW_BYTES: u32 = 1024 * 1024;
/// HTTP/3 request streams a client may have open on one QUIC connection at once
/// (`initial_max_streams_bidi`; nginx's `http3_max_concurrent_streams` is the same 128).
pub const QUIC_STREAMS_CONCURRENT_MAX: u64 = 128;
/// QUIC receive window of one stream: request body bytes a client may send ahead of the
/// handler reading them.
pub const QUIC_STREAM_WINDOW_BYTES: u64 = 1024 * 1024;
/// QUIC receive window of a whole connection.
pub const QUIC_CONNECTION_WINDOW_BYTES: u64 = 16 * 1024 * 1024;
/// A QUIC connection with no packet either way for this long is closed silently (RFC 9000
/// §10.1; nginx's `quic_timeout` default is 60 s, `keepalive_timeout` 75 s).
pub const QUIC_IDLE_TIMEOUT_MS: u64 = 60_000;
/// From a QUIC connection's first packet to its finished handshake; then it is dropped.
pub const QUIC_HANDSHAKE_DEADLINE_MS: u64 = 10_000;
/// QUIC connections one shard keeps at once; past it, new connections are refused (their
/// Initial is dropped, so the client tries again or falls back to TCP).
pub const QUIC_CONNECTIONS_PER_SHARD_MAX: usize = 10_000;
/// Datagrams one QUIC connection sends in one pass of its shard's writer before the others
/// get their turn (a large download cannot starve the other connections of a shard).
pub const QUIC_DATAGRAMS_PER_PASS_MAX: usize = 64;
/// Clients one shard keeps a rate-limit bucket for (`[waf] rate`): about 100 bytes each.
/// When every one is still being held back, a new client passes untracked (counted in
/// `bext_waf_rate_untracked_total`) rather than growing the table.
pub const WAF_RATE_CLIENTS_PER_SHARD_MAX: usize = 100_000;
/// Highest `[waf] rate.requests_per_sec` a config may set.
pub const WAF_RATE_REQUESTS_PER_SEC_CEILING: u64 = 1_000_000;
/// Highest `[waf] rate.burst` a config may set.
pub const WAF_RATE_BURST_CEILING: u64 = 1_000_000;
/// Highest `[waf] rate.ban_after` (refused requests in a row before a ban).
pub const WAF_BAN_AFTER_CEILING: u64 = 1_000_000;
/// Longest ban `[waf] rate.ban_secs` may set: a week.
pub const WAF_BAN_SECS_CEILING: u64 = 7 * 24 * 3600;
/// A ban's length when `ban_after` is set without `ban_secs`: ten minutes.
pub const WAF_BAN_SECS_DEFAULT: u64 = 600;
/// Addresses one shard keeps a ban for; when all are live, a new ban is not recorded (the
/// client stays rate-limited) and is counted in `bext_waf_bans_unrecorded_total`.
pub const WAF_BANS_PER_SHARD_MAX: usize = 100_000;
/// Prefixes `[waf] allow` and `deny` may list together.
pub const WAF_PREFIXES_MAX: usize = 100_000;
/// Transformed values one WAF transaction keeps for reuse (CRS runs the same few
/// transformation chains over the same values in rule after rule); past it, values are
/// transformed again each time.
pub const WAF_TRANSFORM_CACHE_ENTRIES_MAX: usize = 4_096;
/// Entries a transaction's caches (transformed values, prefilter answers) are sized for
/// when it starts: what a plain request through CRS fills, so they are not grown step by
/// step. Not a bound: they grow past it up to their `_MAX`.
pub const WAF_TRANSACTION_CACHE_ENTRIES_INITIAL: usize = 32;
/// Bans the XDP filter holds at once (all shards' together, one kernel map); past it the
/// kernel evicts the least recently used, whose clients the userspace ban still refuses.
pub const XDP_BANS_MAX: usize = 100_000;
/// Listening ports the XDP filter judges packets for (`[server]`'s addresses, TCP and UDP).
pub const XDP_PORTS_MAX: usize = 64;
/// Interfaces `[waf] xdp_interfaces` may name.
pub const XDP_INTERFACES_MAX: usize = 64;
/// CPUs `[waf] xdp_steer` can spread flows over, and the highest CPU number plus one (the
/// size of the filter's CPU map; `CPUS_MAX` in `xdp_filter.c`).
pub const XDP_STEER_CPUS_MAX: usize = 1_024;
/// Packets each steered-to CPU's queue holds (the kernel's CPU map queue) before the
/// filter's redirects to it are dropped: what the kernel's own samples use.
pub const XDP_STEER_QUEUE_PACKETS: u32 = 2_048;
/// Longest network interface name Linux accepts (`IFNAMSIZ` less its terminating NUL).
pub const XDP_INTERFACE_NAME_BYTES_MAX: usize = 15;
/// Highest CPU number QUIC's eBPF socket selection maps to a shard (its `cpu_shards` map);
/// a datagram taken by a CPU past it gets the kernel's own hash.
pub const QUIC_STEERING_CPUS_MAX: usize = 1024;
/// Highest `[waf] anomaly_threshold`: CRS's scores are a few points per rule, so a
/// threshold past this never blocks anything.
pub const WAF_ANOMALY_THRESHOLD_CEILING: u64 = 10_000;
/// ModSecurity refuses a multipart Content-Type longer than this (a body error).
pub const WAF_CONTENT_TYPE_BYTES_MAX: usize = 1024;
/// The most memory one compiled `@rx` program may take (`regex`'s `size_limit`, 10 MiB by
/// default). CRS's largest patterns are a few MiB compiled; 64 MiB leaves them room while
/// a pathological pattern is still refused at load time.
pub const WAF_RX_SIZE_BYTES_MAX: usize = 64 << 20;
/// The most memory the lazy DFA of one `@rx` may cache (`regex`'s `dfa_size_limit`, 2 MiB
/// by default); CRS's big alternations fill the default quickly. Per regex, per thread.
pub const WAF_RX_DFA_SIZE_BYTES_MAX: usize = 8 << 20;
/// Patterns one prefilter regex set holds (see `waf::secrule::prefilter`); a larger group
/// of `@rx` rules is cut into several sets. Smaller sets cost more scans per value, larger
/// ones a larger lazy DFA per scan.
pub const WAF_RX_SET_PATTERNS_MAX: usize = 256;
/// Patterns a group of `@rx` rules needs for a prefilter set: a set's search of a short
/// value costs about what three regex searches do, so smaller groups keep their regexes.
pub const WAF_RX_SET_PATTERNS_MIN: usize = 4;
/// The most memory the lazy DFA of one prefilter set may cache, per set, per thread: a
/// set's states track all its patterns at once, so it needs more room than one `@rx`.
pub const WAF_RX_SET_DFA_SIZE_BYTES_MAX: usize = 16 << 20;
/// Prefilter answers (one per transformed value and set) one WAF transaction keeps;
/// past it, rules run their own regex.
pub const WAF_RX_SET_CACHE_ENTRIES_MAX: usize = 4_096;
/// Captures `@rx` and `@pm` fill: `TX:0` to `TX:9`.
pub const WAF_CAPTURES_MAX: usize = 10;
/// Characters of a rule's `logdata` a log line keeps (it quotes the request, which is the
/// attacker's to size).
pub const WAF_LOG_DATA_CHARS_MAX: usize = 200;
/// Arguments a request body may expand to for the rule engine (urlencoded, multipart and
/// JSON alike); a body with more is a body error (`REQBODY_ERROR`), which CRS blocks.
pub const WAF_BODY_ARGS_MAX: usize = 1_000;
/// Nesting a JSON or XML body may have for the rule engine; deeper is a body error.
pub const WAF_BODY_DEPTH_MAX: usize = 64;
/// Parts a multipart body may have for the rule engine; more is a body error.
pub const WAF_BODY_PARTS_MAX: usize = 256;
/// Response body bytes phase 4 inspects by default (`SecResponseBodyLimit`, ModSecurity's
/// and Coraza's 512 KiB); past it the rest is sent uninspected (`ProcessPartial`) or the
/// response is refused (`Reject`).
pub const WAF_RESPONSE_BODY_BYTES_DEFAULT: usize = 512 * 1024;
/// Highest `SecResponseBodyLimit`: each inspected response is held in memory up to the
/// limit before a byte of it is sent, so this bounds what one request can make a shard buffer.
pub const WAF_RESPONSE_BODY_BYTES_MAX: usize = 16 << 20;
/// Matched rules one transaction records (logs and the test header); CRS logs a handful,
/// the bound keeps a hostile request from growing the list without end.
pub const WAF_MATCHED_RULES_MAX: usize = 256;
/// Requests whose transactions a shard's WAF memo keeps (see `waf::secrule::memo`).
pub const WAF_MEMO_ENTRIES_MAX: usize = 4_096;
/// The bytes a shard's WAF memo keeps, all its transactions' states counted.
pub const WAF_MEMO_BYTES_MAX: usize = 32 << 20;
/// A request (or response head, or body prefix) with a longer key is not kept.
pub const WAF_MEMO_KEY_BYTES_MAX: usize = 8 * 1024;
/// The outcomes of a next stage kept below one state (different response heads for the
/// same request, say); the oldest is replaced.
pub const WAF_MEMO_NEXT_MAX: usize = 4;
/// The key hashes the memo's doorkeeper remembers (a key is kept on its second miss).
pub const WAF_MEMO_SEEN_MAX: usize = 4 * WAF_MEMO_ENTRIES_MAX;
/// Bytes one pass of a shard's QUIC writer writes for all its connections before it sends
/// them and starts another pass: the writer's send buffer is reused from pass to pass, so
/// this is what it keeps (a pass with many busy connections finishes in the next).
pub const QUIC_PASS_SEND_BYTES_MAX: usize = 1024 * 1024;
/// Receives (a datagram, or a burst of them with `UDP_GRO`) a shard's QUIC reader takes in a
/// row before the writer gets to answer them.
pub const QUIC_RECEIVES_PER_WAKE_MAX: usize = 64;
/// Largest UDP payload bext sends (quiche's default; fits every IPv6 path with tunnels).
pub const QUIC_SEND_DATAGRAM_BYTES_MAX: usize = 1350;
/// Largest datagram bext receives (the UDP maximum): a receive buffer this large never
/// truncates.
pub const QUIC_RECV_DATAGRAM_BYTES_MAX: usize = 65_535;
/// Kernel receive and send buffer asked for each shard's UDP socket (capped by
/// `net.core.rmem_max`/`wmem_max`).
pub const QUIC_SOCKET_BUFFER_BYTES: usize = 4 * 1024 * 1024;
/// How long a Retry token is good for: long enough for a client's next Initial, short enough
/// that a stolen one is worth little.
pub const QUIC_RETRY_TOKEN_LIFETIME_MS: u64 = 10_000;
/// Response body bytes one HTTP/3 stream keeps ahead of what QUIC has taken (a file or a
/// stream body is read this far ahead, no further).
pub const QUIC_STREAM_SEND_BYTES_MAX: usize = 256 * 1024;
/// Bytes of an HTTP/3 extended CONNECT's stream (a WebSocket, RFC 9220) taken from QUIC
/// ahead of the loop reading them; past this they wait in QUIC, whose stream window then
/// holds the client back.
pub const QUIC_TUNNEL_RECV_BYTES_MAX: usize = 64 * 1024;
/// Largest HTTP/2 frame payload bext accepts (the protocol's default and floor).
pub const H2_FRAME_BYTES_MAX: u32 = 16 * 1024;
/// Response bytes one HTTP/2 stream hands the connection ahead of the client's window: a
/// large body is sent as the client opens its window, never buffered whole.
pub const H2_STREAM_SEND_BYTES_MAX: usize = 64 * 1024;
/// Encoded HTTP/2 frames queued for the socket on one connection; past this the connection
/// stops producing frames until the socket takes them.
pub const H2_OUTPUT_BYTES_MAX: usize = 256 * 1024;
/// Bytes asked of the transport per read on an HTTP/2 connection.
pub const H2_READ_BYTES: usize = 32 * 1024;
/// Streams a client may reset before the server accepted them, pending at once (the "rapid
/// reset" attack, CVE-2023-44487): past this the connection is closed with `ENHANCE_YOUR_CALM`.
pub const H2_RESETS_PENDING_MAX: usize = 32;
/// Streams bext may reset for a client's protocol errors over a connection's life before it
/// closes the connection (CVE-2019-9514 and its kin).
pub const H2_RESETS_LOCAL_MAX: usize = 1024;
/// Most files one `import()` of a template over a folder may bundle (webpack's context
/// modules): a template that names a larger folder is a compile error asking for a narrower
/// one.
pub const CONTEXT_FILES_MAX: usize = 1_000;
/// Largest source image the image optimizer (`/_next/image`) reads: a `public/` file or a
/// static import past this is refused with 400 rather than decoded (Next.js's
/// `maximumResponseBody`).
pub const IMAGE_SOURCE_BYTES_MAX: usize = 50 * 1024 * 1024;
/// Most pixels a source image may have for the optimizer to decode it (width × height): a
/// decoded image costs 4 bytes a pixel, so this bounds one transform's memory at 160 MiB.
pub const IMAGE_SOURCE_PIXELS_MAX: u64 = 40_000_000;
/// Longest `url` parameter `/_next/image` accepts (Next.js's bound).
pub const IMAGE_URL_BYTES_MAX: usize = 3072;
/// Bytes of optimized images one shard keeps in memory (evicted oldest-first past it).
pub const IMAGE_CACHE_BYTES_MAX: usize = 32 * 1024 * 1024;
/// Largest optimized image a shard's cache keeps; a bigger one is served and not kept.
pub const IMAGE_CACHE_ENTRY_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Widest image next.config's `images.deviceSizes` / `imageSizes` may name.
pub const IMAGE_WIDTH_PX_MAX: u64 = 10_000;
/// Most helper threads the offload pool starts (half the CPUs the process may use, at least
/// one): image transforms run there, off the shards' threads.
pub const OFFLOAD_THREADS_MAX: usize = 4;
/// Transforms waiting for a worker, server-wide: past it `/_next/image` answers 503 with
/// `retry-after` instead of queueing without bound.
pub const IMAGE_JOBS_QUEUED_MAX: usize = 64;
/// Longest one request waits for its transform before it is answered 503 (the transform
/// still finishes and is cached for the next request).
pub const IMAGE_TRANSFORM_TIMEOUT_MS: u64 = 10_000;
/// Backtracking steps one next.config source or middleware matcher may take on one path
/// before it counts as no match (their groups are JavaScript regular expressions, look-ahead
/// included, matched by a backtracker).
pub const PATTERN_BACKTRACK_STEPS_MAX: usize = 100_000;
/// Renders one shard may have started and not finished (waiting on `fetch`); past it, 503.
pub const RENDERS_IN_FLIGHT_MAX: usize = 1024;
/// Pages of one app that `generateStaticParams` may have pre-rendered at start, all shards
/// together; the rest render on first request. Each is rendered once, one at a time per shard.
pub const PRERENDER_PAGES_MAX: usize = 10_000;
/// How long a shard pre-renders before it pauses, so that its connections are served while it
/// pre-renders (a render runs to completion on the shard's thread: without pauses a long list
/// would hold every request back until it is done).
pub const PRERENDER_SLICE_MS: u64 = 2;
/// How long that pause is (a timer, so the shard's I/O is polled in it).
pub const PRERENDER_PAUSE_MS: u64 = 1;
/// Default deadline of one `fetch` made by a loader (connect, send, whole response).
pub const FETCH_TIMEOUT_MS: u64 = 5_000;
/// Bytes a loader's `fetch` reads from its socket per call.
pub const FETCH_READ_BYTES: usize = 16 * 1024;
/// Response header fields a loader's fetched response may carry.
pub const FETCH_RESPONSE_HEADER_COUNT_MAX: usize = 64;
/// How often JavaScriptCore's watchdog checks a running call. Each check pauses the JIT, which
/// throws away optimised (DFG) code that then has to be compiled again: with a 5 ms period a
/// shard spent about half its core in JSC's JIT threads under load (`/table/200` at 1,110
/// req/s); at 250 ms about 2,260 (2 s: 2,360). The cost is coarseness: a deadline may be
/// overrun by up to this long, and a runaway allocation grows this long before it is stopped.
pub const JSC_WATCHDOG_PERIOD_MS: u64 = 250;
/// Stack QuickJS's interpreter may use before deep recursion throws a `RangeError` (its own
/// default, stated because `ENGINE_THREAD_STACK_BYTES_MIN` depends on it).
pub const QUICKJS_STACK_BYTES_MAX: usize = 1024 * 1024;
/// Smallest stack a thread that runs an engine should have: QuickJS stops recursion at
/// `QUICKJS_STACK_BYTES_MAX` and V8 at about 1 MiB of its own; the rest is headroom for the
/// Rust frames below them. JSC reads the thread's real stack bounds.
pub const ENGINE_THREAD_STACK_BYTES_MIN: usize = 2 * 1024 * 1024;
/// Jobs a timed-out call may leave queued that are run (each interrupted at once) to discard
/// them; past this the engine is reported unusable instead.
pub const ENGINE_JOBS_DISCARD_MAX: usize = 10_000;
/// Bundles whose V8 start-up snapshots the process keeps (dev mode makes a new bundle per
/// change).
pub const V8_SNAPSHOTS_CACHED_MAX: usize = 4;
/// Largest response body a loader's `fetch` accepts.
pub const FETCH_RESPONSE_BYTES_MAX: usize = 8 * 1024 * 1024;
/// The largest `.env` file an app may have; a bigger one fails the load, naming it.
pub const ENV_FILE_BYTES_MAX: u64 = 1 << 20;
/// `fetch` calls one render may make.
pub const FETCHES_PER_RENDER_MAX: usize = 64;
/// Timers (`setTimeout`, each `setInterval` firing) one render may set.
pub const TIMERS_PER_RENDER_MAX: usize = 1024;
/// Timers one engine may have waiting at once: those of renders in flight, those renders left
/// behind (they still fire, as in Node) and those set outside any render. Past it a new timer
/// fails the render that sets it, or is dropped with a log line when set outside a render.
pub const TIMERS_PENDING_MAX: usize = 16 * 1024;
/// Characters of `console` output one render may write to the server's log; past it the rest
/// is dropped with one line saying so.
pub const CONSOLE_BYTES_PER_RENDER_MAX: usize = 16 * 1024;
/// Default bytes of rendered pages the ISR cache of one shard may hold.
pub const ISR_CACHE_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Largest rendered page the ISR cache keeps; larger pages are served but not cached.
pub const ISR_ENTRY_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Largest body of `POST /__bext/cache/invalidate`.
pub const INVALIDATE_BODY_BYTES_MAX: usize = 4 * 1024;
/// Browser tabs one dev server keeps a reload stream (Server-Sent Events) open for.
pub const DEV_RELOAD_CLIENTS_MAX: usize = 256;
/// Largest source file the app compiler reads.
pub const APP_SOURCE_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Most modules one app bundle may link.
pub const APP_MODULES_MAX: usize = 20_000;
/// Largest imported stylesheet, with every file it `@import`s, the app compiler reads
/// (render/src/css/).
pub const STYLESHEET_BYTES_MAX: u64 = 8 * 1024 * 1024;
/// Largest file a stylesheet's `url()` may name (a font, an image), read into memory to be
/// served at its content-hashed URL.
pub const STYLESHEET_ASSET_BYTES_MAX: u64 = 32 * 1024 * 1024;
/// Most modules the browser bundle of an app's client components may hold (render/src/client/).
pub const CLIENT_MODULES_MAX: usize = 5_000;
/// Largest browser chunk (before compression): the runtime chunk with React is about 0.6 MiB.
pub const CLIENT_CHUNK_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Largest file the `fs` snapshot of an app holds (render/src/files.rs); a larger file is
/// left out, listed at start-up, and a read of it fails naming the reason.
pub const APP_FILE_SNAPSHOT_BYTES_MAX: usize = 1024 * 1024;
/// Bytes of file contents one app's `fs` snapshot may hold in all: the bundle carrying it is
/// evaluated by every shard's engine. Files past it are left out and listed at start-up.
pub const APP_FILES_SNAPSHOT_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Files and directories one app's `fs` snapshot lists; the walk stops there, saying so.
pub const APP_FILES_SNAPSHOT_MAX: usize = 10_000;

// --- The ISR cache (per shard) --------------------------------------------------------------

/// Most tags one page may carry (Next.js allows 128 per fetch; a page needs far fewer).
pub const ISR_TAGS_PER_ENTRY_MAX: usize = 64;
/// Longest tag, in bytes (Next.js's limit is 256 characters).
pub const ISR_TAG_BYTES_MAX: usize = 256;
/// Bookkeeping charged per entry on top of its bytes: slot, table bucket, FIFO item.
pub const ISR_ENTRY_OVERHEAD_BYTES: usize = 256;
/// Bookkeeping charged per tag of an entry: its box and its tag-set membership.
pub const ISR_TAG_OVERHEAD_BYTES: usize = 64;
/// Renders one shard's cache tracks at once (misses being filled, pages being revalidated,
/// including those another shard renders for it). Past it, a miss renders without
/// coalescing and a stale page waits for its revalidation.
pub const ISR_FILLS_MAX: usize = 4 * RENDERS_IN_FLIGHT_MAX;
/// Default time a miss's leader has before another request may take over its render.
pub const ISR_FILL_TIMEOUT_MS: u64 = 10_000;
/// Default time a revalidation has before a stale lookup hands out another ticket.
pub const ISR_REVALIDATE_RETRY_MS: u64 = 30_000;
/// Default time past its window a page may be served stale (one day).
pub const ISR_STALE_MAX_MS: u64 = 24 * 60 * 60 * 1000;

// A leader gets at least one full render and a mesh round trip before it is presumed lost.
const _: () = assert!(ISR_FILL_TIMEOUT_MS >= RENDER_TIMEOUT_MS + MESH_REPLY_TIMEOUT_MS);
// A report outlives at least two refreshes: one lost note does not make a node vanish.
const _: () = assert!(CLUSTER_PRESENCE_EXPIRES_MS >= 2 * CLUSTER_PRESENCE_REFRESH_MS);
const _: () = assert!(CLUSTER_PRESENCE_REFRESH_MS >= CLUSTER_PRESENCE_MS);
// A full report (topic names, which JSON need not escape, with their counts) fits in one
// note.
const _: () = assert!(
    CLUSTER_PRESENCE_TOPICS_MAX * (REALTIME_TOPIC_BYTES_MAX + 32) + 4096 <= CLUSTER_NOTE_BYTES_MAX
);
const _: () = assert!(ISR_REVALIDATE_RETRY_MS >= ISR_FILL_TIMEOUT_MS);
const _: () = assert!(ISR_FILLS_MAX >= RENDERS_IN_FLIGHT_MAX);
const _: () = assert!(PRERENDER_PAUSE_MS > 0);
const _: () = assert!(PRERENDER_SLICE_MS >= PRERENDER_PAUSE_MS);
// The tags a page may carry never make an empty page inadmissible.
const _: () = assert!(
    ISR_ENTRY_OVERHEAD_BYTES
        + ISR_TAGS_PER_ENTRY_MAX * (ISR_TAG_BYTES_MAX + ISR_TAG_OVERHEAD_BYTES)
        < ISR_ENTRY_BYTES_MAX
);

// --- How far a config may raise each bound -----------------------------------------------
//
// The defaults above are what a config starts from; these are the hard upper ends a
// `bext.config.toml` is checked against, so a typo such as an extra zero is refused at
// start-up instead of becoming a memory or latency hazard. Every bound also has a floor of 1
// (a zero timeout or a zero-byte buffer would make the server refuse everything), except
// `body_bytes_max`, where 0 sensibly means "this site accepts no request bodies".
// `header_bytes_max` rises to `HEADER_BYTES_CEILING`, `header_count_max` to `HEADER_COUNT_MAX`
// (the parser's header slots), `[render] render_timeout_ms` to `RENDER_TIMEOUT_MS_CEILING`
// and `heap_bytes_max` to `ENGINE_HEAP_BYTES_CEILING`, all above.

/// Any `*_timeout_ms` or `drain_deadline_ms`: one hour.
pub const TIMEOUT_MS_CEILING: u64 = 60 * 60 * 1000;
/// `pipeline_depth_max`.
pub const PIPELINE_DEPTH_CEILING: usize = 1024;
/// `connections_per_shard_max`.
pub const CONNECTIONS_PER_SHARD_CEILING: usize = 1_000_000;
/// `file_cache_bytes_max` (per shard): 16 GiB. Kept as `u64` so the constant means the same on
/// every platform; a value that does not fit the platform's `usize` is refused.
pub const FILE_CACHE_BYTES_CEILING: u64 = 16 * 1024 * 1024 * 1024;
/// `file_cache_revalidate_ms`: one day.
pub const FILE_CACHE_REVALIDATE_MS_CEILING: u64 = 24 * 60 * 60 * 1000;
/// A site's `body_bytes_max`: 64 GiB. The bodies the proxy and FastCGI pass on stream
/// through a shard a read at a time; a body a handler needs whole is held at most
/// `BODY_COLLECTED_BYTES_MAX` whatever this says.
pub const BODY_BYTES_CEILING: u64 = 64 << 30;
/// A body read whole before its handler answers (an app's route handler or server action,
/// one `[waf]`'s rules inspect) is held in its shard's memory, so it is bounded by what a
/// shard can hold for many connections at once: larger ones are refused (413) even under
/// a larger `body_bytes_max`.
pub const BODY_COLLECTED_BYTES_MAX: u64 = 64 << 20;

/// `[render] heap_bytes_max` floor: an engine needs a few MiB to load a bundle at all.
pub const ENGINE_HEAP_BYTES_FLOOR: u64 = 4 * 1024 * 1024;
/// `[render] isr_bytes_max` (per shard): 16 GiB.
pub const ISR_CACHE_BYTES_CEILING: u64 = 16 * 1024 * 1024 * 1024;
/// Shortest `[render] invalidate_token`: a guessable token is no guard.
pub const INVALIDATE_TOKEN_BYTES_MIN: usize = 16;

/// Addresses in `listen`: each is a socket per shard.
pub const LISTEN_ADDRESSES_MAX: usize = 64;
/// Index names per site: tried one after another on every directory request.
pub const INDEX_FILES_MAX: usize = 16;
/// Extra response headers per site: copied into every response.
pub const SITE_HEADERS_MAX: usize = 64;
/// Bytes of one extra response header value or `Cache-Control` value.
pub const SITE_HEADER_VALUE_BYTES_MAX: usize = 8 * 1024;
/// `cache_control` rules per site: matched one after another on every response.
pub const CACHE_RULES_MAX: usize = 256;
/// `internal` patterns per site: one glob set, asked on every request of the site.
pub const INTERNAL_PATTERNS_MAX: usize = 256;

const _: () = assert!(HEADER_READ_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(BODY_IDLE_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(KEEPALIVE_IDLE_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(WRITE_STALL_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(DRAIN_DEADLINE_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(PIPELINE_DEPTH_MAX <= PIPELINE_DEPTH_CEILING);
const _: () = assert!(CONNECTIONS_PER_SHARD_MAX <= CONNECTIONS_PER_SHARD_CEILING);
const _: () = assert!(FILE_CACHE_BYTES_MAX as u64 <= FILE_CACHE_BYTES_CEILING);
const _: () = assert!(FILE_CACHE_REVALIDATE_MS <= FILE_CACHE_REVALIDATE_MS_CEILING);
const _: () = assert!(BODY_BYTES_MAX <= BODY_BYTES_CEILING);
const _: () = assert!(BODY_BYTES_MAX <= BODY_COLLECTED_BYTES_MAX);
const _: () = assert!(RENDER_TIMEOUT_MS <= RENDER_TIMEOUT_MS_CEILING);
const _: () = assert!(ISR_CACHE_BYTES_MAX as u64 <= ISR_CACHE_BYTES_CEILING);
const _: () = assert!(ENGINE_HEAP_BYTES_FLOOR <= ENGINE_HEAP_BYTES_MAX as u64);

const _: () = assert!(REQUEST_LINE_BYTES_MAX <= HEADER_BYTES_MAX);
// A prefilter set holds two patterns at least (one is its own regex), and the sets' lazy
// DFAs get at least the room one `@rx`'s has.
const _: () = assert!(WAF_RX_SET_PATTERNS_MIN >= 2);
const _: () = assert!(WAF_RX_SET_PATTERNS_MIN <= WAF_RX_SET_PATTERNS_MAX);
const _: () = assert!(WAF_RX_SET_DFA_SIZE_BYTES_MAX >= WAF_RX_DFA_SIZE_BYTES_MAX);
const _: () = assert!(HEADER_BYTES_MAX <= HEADER_BYTES_CEILING);
const _: () = assert!(READ_BUFFER_BYTES_INITIAL <= HEADER_BYTES_MAX);
const _: () = assert!(READ_BUFFER_BYTES_KEPT_IDLE >= READ_BUFFER_BYTES_INITIAL);
const _: () = assert!(READ_BUFFER_BYTES_PIPELINED_MAX >= READ_BUFFER_BYTES_KEPT_IDLE);
const _: () = assert!(BODY_READ_BYTES >= READ_BUFFER_BYTES_INITIAL);
const _: () = assert!(FILE_CACHE_ENTRY_BYTES_MAX <= FILE_CACHE_BYTES_MAX);
const _: () = assert!(FILE_STREAM_CHUNK_BYTES <= WRITE_BUFFER_BYTES_FLUSH);
const _: () = assert!(GATHER_BODY_BYTES_MIN <= FILE_CACHE_ENTRY_BYTES_MAX);
const _: () = assert!(WRITE_BUFFER_BYTES_FLUSH <= OUT_POOL_BUFFER_BYTES_MAX);
const _: () = assert!(DEADLINE_SWEEP_MS_MIN <= DEADLINE_SWEEP_MS_MAX);
const _: () = assert!(PIPELINE_DEPTH_MAX >= 1);
const _: () = assert!(MESH_QUEUE_DEPTH >= 2);
const _: () = assert!(MESH_RETRY_INTERVAL_MS < MESH_REPLY_TIMEOUT_MS);
const _: () = assert!(ENGINE_HEAP_BYTES_MAX as u64 <= ENGINE_HEAP_BYTES_CEILING);
const _: () = assert!(QUICKJS_STACK_BYTES_MAX < ENGINE_THREAD_STACK_BYTES_MIN);
const _: () = assert!(SHARD_STACK_BYTES >= ENGINE_THREAD_STACK_BYTES_MIN);
const _: () = assert!(JSC_WATCHDOG_PERIOD_MS <= RENDER_TIMEOUT_MS);
const _: () = assert!(RENDER_TIMEOUT_MS <= RENDER_TIMEOUT_MS_CEILING);
const _: () = assert!(ISR_ENTRY_BYTES_MAX <= ISR_CACHE_BYTES_MAX);
const _: () = assert!(H2_STREAM_WINDOW_BYTES <= H2_CONNECTION_WINDOW_BYTES);
const _: () = assert!(QUIC_STREAM_WINDOW_BYTES <= QUIC_CONNECTION_WINDOW_BYTES);
const _: () = assert!(QUIC_HANDSHAKE_DEADLINE_MS <= QUIC_IDLE_TIMEOUT_MS);
const _: () =
    assert!(QUIC_PASS_SEND_BYTES_MAX >= QUIC_DATAGRAMS_PER_PASS_MAX * QUIC_SEND_DATAGRAM_BYTES_MAX);
const _: () = assert!(
    QUIC_SEND_DATAGRAM_BYTES_MAX >= 1200
        && QUIC_SEND_DATAGRAM_BYTES_MAX <= QUIC_RECV_DATAGRAM_BYTES_MAX
);
const _: () = assert!(H2_FRAME_BYTES_MAX >= 16 * 1024 && H2_FRAME_BYTES_MAX < (1 << 24));
const _: () = assert!(H2_STREAM_SEND_BYTES_MAX <= H2_OUTPUT_BYTES_MAX);
const _: () = assert!(PROXY_H2_STREAM_WINDOW_BYTES <= PROXY_H2_CONNECTION_WINDOW_BYTES);
const _: () = assert!(APP_FILE_SNAPSHOT_BYTES_MAX <= APP_FILES_SNAPSHOT_BYTES_MAX);
const _: () = assert!(IMAGE_CACHE_ENTRY_BYTES_MAX <= IMAGE_CACHE_BYTES_MAX);
const _: () = assert!(APP_FILES_SNAPSHOT_BYTES_MAX <= ENGINE_HEAP_BYTES_MAX / 8);
const _: () = assert!(REALTIME_REPLAY_DEFAULT as u64 <= REALTIME_REPLAY_CEILING);
const _: () = assert!(REALTIME_QUEUE_DEFAULT as u64 <= REALTIME_QUEUE_CEILING);
const _: () = assert!(REALTIME_EVENT_BYTES_MAX <= REALTIME_REPLAY_BYTES_MAX);
/// Most names on one ACME certificate (Let's Encrypt's limit).
pub const ACME_NAMES_MAX: usize = 100;
/// Renew an ACME certificate this long before it expires (or with a third of its lifetime
/// left, if that is sooner: short-lived certificates).
pub const ACME_RENEW_BEFORE_SECS: i64 = 30 * 24 * 60 * 60;
/// First wait before trying again after a failed ACME order; each failure doubles it.
pub const ACME_RETRY_FIRST_SECS: u64 = 60;
/// Longest wait between ACME attempts for a site whose orders keep failing.
pub const ACME_RETRY_MAX_SECS: u64 = 24 * 60 * 60;
/// Longest one ACME order may take, from the account to the certificate (challenges and the
/// CA's polling included); past it the attempt counts as failed.
pub const ACME_ORDER_DEADLINE_MS: u64 = 5 * 60 * 1000;
/// Longest one wait for the ACME CA: its checks of the challenges, or the certificate after
/// finalizing (polled with backoff from 250 ms).
pub const ACME_POLL_TIMEOUT_MS: u64 = 120_000;
/// Longest the ACME thread waits for every shard to take a new challenge set before it tells
/// the CA to check it.
pub const ACME_PUBLISH_DEADLINE_MS: u64 = 5_000;
/// Longest HTTP-01 token bext serves (RFC 8555 tokens are 128 bits and more, base64url).
pub const ACME_TOKEN_BYTES_MAX: usize = 256;

/// Bytes of a streamed request body the proxy keeps, as it sends them, so that a request
/// that may be sent again (an idempotent method, or `retry_non_idempotent`) can be replayed
/// to another server; a body that grows past this is not kept, and its request is not
/// retried once any of it has gone out (Pingora's bounded retry buffer).
pub const PROXY_RETRY_BODY_BYTES_MAX: u64 = 64 * 1024;
/// A streamed request body's runs already at hand are gathered into one write to the
/// upstream up to this many bytes.
pub const PROXY_SEND_GATHER_BYTES: usize = 64 * 1024;

/// `[[upstream]]` tables one config may have.
pub const UPSTREAMS_MAX: usize = 256;
/// Longest `[[upstream]] name`.
pub const UPSTREAM_NAME_BYTES_MAX: usize = 64;
/// The longest an upstream server's ejection lasts, as a multiple of `eject_ms` (a power of
/// two: each ejection in a row doubles the last).
pub const PROXY_EJECT_BACKOFF_MAX: u32 = 64;
/// Servers one upstream may list.
pub const UPSTREAM_SERVERS_MAX: usize = 256;
/// Highest `weight=` of an upstream server.
pub const UPSTREAM_WEIGHT_MAX: u64 = 1_000;
/// `[[site.proxy]]` routes one site may have.
pub const PROXY_ROUTES_MAX: usize = 64;
/// Default `connect_timeout_ms` of an upstream.
pub const PROXY_CONNECT_TIMEOUT_MS_DEFAULT: u64 = 5_000;
/// Default `timeout_ms` of an upstream: the response head's wait and the body's longest
/// silence (nginx's `proxy_read_timeout`).
pub const PROXY_TIMEOUT_MS_DEFAULT: u64 = 60_000;
/// Highest `connect_timeout_ms`, `timeout_ms`, `idle_ms` and `eject_ms`.
pub const PROXY_TIMEOUT_MS_CEILING: u64 = 3_600_000;
/// Default idle connections a shard keeps per upstream server.
pub const PROXY_IDLE_CONNECTIONS_DEFAULT: usize = 32;
/// Highest `idle_connections_max`.
pub const PROXY_IDLE_CONNECTIONS_CEILING: u64 = 4_096;
/// Default `idle_ms`: how long an idle upstream connection is kept (nginx's upstream
/// `keepalive_timeout`).
pub const PROXY_IDLE_MS_DEFAULT: u64 = 60_000;
/// Default `fail_max`: failures in a row that eject a server.
pub const PROXY_FAIL_MAX_DEFAULT: u64 = 3;
/// Highest `fail_max`.
pub const PROXY_FAIL_MAX_CEILING: u64 = 1_000;
/// Default `eject_ms`: a first ejection's length (doubled for each one in a row).
pub const PROXY_EJECT_MS_DEFAULT: u64 = 10_000;
/// Most servers one request tries: the first choice and, on a connect failure, the next.
pub const PROXY_ATTEMPTS_MAX: usize = 3;
/// Longest response head an upstream may send.
pub const PROXY_RESPONSE_HEAD_BYTES_MAX: usize = 64 * 1024;
/// Fields an upstream's response head may have.
pub const PROXY_RESPONSE_FIELDS_MAX: usize = 128;
/// Bytes read from an upstream per call.
pub const PROXY_READ_BYTES: usize = 64 * 1024;
/// A kept upstream connection idle this long or more is checked for a close by its server
/// before a request that could be resent goes on it; one idle less is used as it is (a
/// request that cannot be resent always checks).
pub const PROXY_KEPT_CHECK_AFTER_MS: u64 = 100;
/// How long an upstream that stopped taking a request's body (the write failed or stalled
/// for the timeout) is given to have answered: an answer sent before the body was read
/// (a 413, a 401) is already on its way, so this wait only bounds the read of what came.
pub const PROXY_EARLY_ANSWER_WAIT_MS: u64 = 1_000;
/// The buffer an upstream's answer is first read into: its head and, usually, a small
/// body. 32 KiB is the largest size jemalloc's per-thread cache keeps; 64 KiB cost an
/// extent allocation and its release on every request (about 4% of a proxied small
/// response's CPU, measured with `perf`).
pub const PROXY_HEAD_READ_BYTES: usize = 32 * 1024;
/// An HTTP/2 upstream's body of a declared length up to this size is read whole before the
/// answer starts and sent as one buffer (with its trailers, if any); larger or unframed
/// bodies stream. (Over HTTP/1.1 a body that came whole with its head is sent as one
/// buffer, whatever its size; the rest streams with its declared length.)
pub const PROXY_INLINE_BODY_BYTES_MAX: usize = 64 * 1024;
/// How long a cache route forwards a URL straight to its upstream after the upstream's
/// answer for it could not be kept (Varnish's hit-for-miss): the requests for it then run
/// side by side instead of each waiting on the one before.
pub const PROXY_CACHE_PASS_MS: u64 = 10_000;
/// URLs a shard remembers so per upstream; when full, the oldest half is forgotten.
pub const PROXY_CACHE_PASSES_MAX: usize = 4096;
/// Receive window of each stream a shard opens to an HTTP/2 upstream (`protocol =
/// "http2"`): what the upstream may send ahead of the client taking it.
pub const PROXY_H2_STREAM_WINDOW_BYTES: u32 = 256 * 1024;
/// Receive window of a shard's whole connection to an HTTP/2 upstream server: every
/// request's stream shares it, so it holds many streams' windows (a few slow clients must
/// not stall the rest).
pub const PROXY_H2_CONNECTION_WINDOW_BYTES: u32 = 16 * 1024 * 1024;
/// HTTP/2 connections a shard opens to one upstream server, each once the ones before have
/// all of the server's concurrent streams in use.
pub const PROXY_H2_CONNECTIONS_MAX: usize = 8;
/// Longest wait for an upstream name to resolve when the config loads.
pub const PROXY_RESOLVE_TIMEOUT_MS: u64 = 5_000;
/// A tunnel's read buffer per direction to begin with and to shrink back to (an idle
/// WebSocket holds two, through the read io_uring has of each): small, since most messages
/// are, and a burst doubles it at each full read.
pub const TUNNEL_READ_BYTES_MIN: usize = 1024;
/// The most a busy tunnel's read buffer grows to.
pub const TUNNEL_READ_BYTES_MAX: usize = 64 * 1024;
/// Default `health.interval_ms`: how often an upstream's servers are probed.
pub const HEALTH_INTERVAL_MS_DEFAULT: u64 = 2_000;
/// Lowest `health.interval_ms`: a probe per server at most this often.
pub const HEALTH_INTERVAL_MS_FLOOR: u64 = 50;
/// Default `health.timeout_ms`: a probe's connection and response head together.
pub const HEALTH_TIMEOUT_MS_DEFAULT: u64 = 1_000;
/// Default `health.rise`: passed probes in a row that bring a server back.
pub const HEALTH_RISE_DEFAULT: u64 = 2;
/// Default `health.fall`: failed probes in a row that take a server down.
pub const HEALTH_FALL_DEFAULT: u64 = 3;
/// Highest `health.rise` and `health.fall`.
pub const HEALTH_COUNT_CEILING: u64 = 100;
/// Longest `health.path`.
pub const HEALTH_PATH_BYTES_MAX: usize = 1024;
/// Bytes of a probe's answer read to find its status line.
pub const HEALTH_RESPONSE_BYTES_MAX: usize = 4 * 1024;
/// Bytes of a FastCGI script's error output logged per request (PHP's warnings).
pub const FASTCGI_ERROR_LOG_BYTES_MAX: usize = 4 * 1024;

// Realtime pub/sub (`[realtime]`, `core/src/realtime/`).

/// Bytes of a topic's name.
pub const REALTIME_TOPIC_BYTES_MAX: usize = 128;
/// Topics one subscription (and one token) may name.
pub const REALTIME_TOPICS_PER_SUBSCRIPTION_MAX: usize = 32;
/// Bytes of a subscriber token.
pub const REALTIME_TOKEN_BYTES_MAX: usize = 4 * 1024;
/// Longest command a WebSocket subscriber may send (`{"type": "subscribe", …}`): a topic
/// list, a token and a last event id fit with room to spare.
pub const REALTIME_COMMAND_BYTES_MAX: usize = 16 * 1024;
/// Topics a shard keeps recent events of (and knows at all, beyond those with subscribers).
pub const REALTIME_TOPICS_MAX: usize = 4096;
/// Bytes of events a shard keeps for resuming subscribers (shared between shards: every
/// shard keeps the same events).
pub const REALTIME_REPLAY_BYTES_MAX: usize = 32 << 20;
/// Default `[realtime] replay_max`: events kept per topic for resuming.
pub const REALTIME_REPLAY_DEFAULT: usize = 64;
/// Highest `replay_max`.
pub const REALTIME_REPLAY_CEILING: u64 = 10_000;
/// Default `[realtime] queue_max`: events of one topic a subscriber may lag behind before it
/// is evicted.
pub const REALTIME_QUEUE_DEFAULT: usize = 1024;
/// Highest `queue_max`.
pub const REALTIME_QUEUE_CEILING: u64 = 1 << 20;
/// Bytes of one published event's data.
pub const REALTIME_EVENT_BYTES_MAX: usize = 64 * 1024;
/// Bytes of a publish request's body (the data JSON-escaped, at worst six bytes a byte).
pub const REALTIME_PUBLISH_BODY_BYTES_MAX: u64 = 6 * REALTIME_EVENT_BYTES_MAX as u64 + 4096;
/// Subscribers one shard serves at once; more are answered 503.
pub const REALTIME_SUBSCRIBERS_PER_SHARD_MAX: usize = 100_000;
/// Shortest `[realtime] secret` and `publish_token`.
pub const REALTIME_SECRET_BYTES_MIN: usize = 32;
/// Events one shard holds for another whose inbox is full, in order, before it drops the
/// oldest (that shard's subscribers then miss them; counted).
pub const REALTIME_OUTBOX_MAX: usize = 4096;
/// Between SSE comments that keep an idle stream open through proxies.
pub const REALTIME_SSE_KEEPALIVE_MS: u64 = 15_000;

// Many nodes as one (`[cluster]`, Redis).

/// Bytes of a page (body and head fields) a node offers the others (`share_pages`); a
/// larger one is rendered or fetched by each node that wants it.
pub const CLUSTER_PAGE_BYTES_MAX: usize = 512 * 1024;
/// Bytes of page notes a node's shards may have waiting for the publisher thread at once;
/// past it, pages are not offered (counted as dropped), so a slow Redis never holds more.
pub const CLUSTER_PAGES_QUEUED_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Bytes of one note on the cluster channel: a realtime event's data JSON-escaped, or a
/// page in base64, with its envelope.
pub const CLUSTER_NOTE_BYTES_MAX: usize = {
    let event = 6 * REALTIME_EVENT_BYTES_MAX + 4096;
    let page = CLUSTER_PAGE_BYTES_MAX / 3 * 4 + 64 * 1024;
    if event > page { event } else { page }
};
/// Notes a node's shards may have waiting for the Redis publisher thread; past it they are
/// dropped and counted (`bext_cluster_dropped_total`): Redis is down or slow, and the node
/// carries on alone.
pub const CLUSTER_QUEUE_MAX: usize = 16_384;
/// First wait before reconnecting to Redis; doubled after each failure.
pub const CLUSTER_RECONNECT_MS_MIN: u64 = 100;
/// Longest wait between attempts to reconnect to Redis.
pub const CLUSTER_RECONNECT_MS_MAX: u64 = 5_000;
/// Deadline of connecting to Redis and of each command.
pub const CLUSTER_REDIS_TIMEOUT_MS: u64 = 2_000;
/// How long the subscriber's read waits before it looks whether bext is stopping.
pub const CLUSTER_POLL_MS: u64 = 250;
/// Bytes of a node name.
pub const CLUSTER_NODE_BYTES_MAX: usize = 64;
/// Shortest time between two presence reports of one shard to the other nodes (a report
/// goes out when its counts changed).
pub const CLUSTER_PRESENCE_MS: u64 = 1_000;
/// A shard with subscribers reports its counts at least this often, changed or not, so the
/// other nodes know it is still there.
pub const CLUSTER_PRESENCE_REFRESH_MS: u64 = 5_000;
/// A report older than this no longer counts (its node stopped, or lost Redis).
pub const CLUSTER_PRESENCE_EXPIRES_MS: u64 = 15_000;
/// Topics in one shard's report: the ones with the most subscribers.
pub const CLUSTER_PRESENCE_TOPICS_MAX: usize = 1024;
/// Reports (one per other node's shard) a shard keeps; past it, the oldest goes.
pub const CLUSTER_PRESENCE_REPORTS_MAX: usize = 4096;

// --- WebSocket sessions (net/src/ws) ---------------------------------------------------------

/// Longest message a WebSocket client may send, counted after permessage-deflate inflates it;
/// a longer one fails the connection with close code 1009.
pub const WS_MESSAGE_BYTES_MAX: usize = 1024 * 1024;
/// Longest frame payload a WebSocket client may send, as it is on the wire (compressed or
/// not); a longer one fails the connection with 1009 as soon as its header is read.
pub const WS_FRAME_BYTES_MAX: usize = 1024 * 1024;
/// Bytes a WebSocket session's output may hold unwritten before it refuses more messages, so
/// that the driver drops a client that reads slower than the server sends instead of buffering
/// for it without end.
pub const WS_OUTPUT_BYTES_MAX: usize = 1024 * 1024;
/// How long a WebSocket's client has to close its side once the server's close is out (or
/// the server stops) before the connection is closed under it.
pub const WS_CLOSE_WAIT_MS: u64 = 2_000;
/// Bytes inflated per step while a compressed message arrives: the message limit is checked
/// after each step, so a small compressed frame cannot allocate far past it (a zip bomb).
pub const WS_INFLATE_STEP_BYTES: usize = 16 * 1024;

const _: () = assert!(WS_FRAME_BYTES_MAX <= WS_MESSAGE_BYTES_MAX);
const _: () = assert!(WS_INFLATE_STEP_BYTES <= WS_MESSAGE_BYTES_MAX);
const _: () = assert!(WS_OUTPUT_BYTES_MAX >= WS_INFLATE_STEP_BYTES);
