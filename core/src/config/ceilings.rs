//! How far a config may raise each bound. `limits` holds the defaults; these are the hard
//! upper ends a `bext.config.toml` is checked against, so a typo such as an extra zero is
//! refused at start-up instead of becoming a memory or latency hazard. Every bound also has a
//! floor of 1 (a zero timeout or a zero-byte buffer would make the server refuse everything),
//! except `body_bytes_max`, where 0 sensibly means "this site accepts no request bodies".

use crate::limits;

/// Any `*_timeout_ms` or `drain_deadline_ms`: one hour.
pub const TIMEOUT_MS_CEILING: u64 = 60 * 60 * 1000;
/// `header_bytes_max`; `request_line_bytes_max` is further bounded by `header_bytes_max`.
pub const HEADER_BYTES_CEILING: usize = limits::HEADER_BYTES_CEILING;
/// `header_count_max`: the request parser's header array has this many slots.
pub const HEADER_COUNT_CEILING: usize = limits::HEADER_COUNT_MAX;
/// `pipeline_depth_max`.
pub const PIPELINE_DEPTH_CEILING: usize = 1024;
/// `connections_per_shard_max`.
pub const CONNECTIONS_PER_SHARD_CEILING: usize = 1_000_000;
/// `file_cache_bytes_max` (per shard): 16 GiB. Kept as `u64` so the constant means the same on
/// every platform; a value that does not fit the platform's `usize` is refused.
pub const FILE_CACHE_BYTES_CEILING: u64 = 16 * 1024 * 1024 * 1024;
/// `file_cache_revalidate_ms`: one day.
pub const FILE_CACHE_REVALIDATE_MS_CEILING: u64 = 24 * 60 * 60 * 1000;
/// A site's `body_bytes_max`: 64 GiB.
pub const BODY_BYTES_CEILING: u64 = 64 * 1024 * 1024 * 1024;

/// `[render] render_timeout_ms`.
pub const RENDER_TIMEOUT_MS_CEILING: u64 = limits::RENDER_TIMEOUT_CEILING_MS;
/// `[render] heap_bytes_max` floor: an engine needs a few MiB to load a bundle at all.
pub const ENGINE_HEAP_BYTES_FLOOR: u64 = 4 * 1024 * 1024;
/// `[render] heap_bytes_max`.
pub const ENGINE_HEAP_BYTES_CEILING: u64 = limits::ENGINE_HEAP_BYTES_CEILING as u64;
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

const _: () = assert!(limits::HEADER_READ_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(limits::BODY_IDLE_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(limits::KEEPALIVE_IDLE_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(limits::WRITE_STALL_TIMEOUT_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(limits::DRAIN_DEADLINE_MS <= TIMEOUT_MS_CEILING);
const _: () = assert!(limits::PIPELINE_DEPTH_MAX <= PIPELINE_DEPTH_CEILING);
const _: () = assert!(limits::CONNECTIONS_PER_SHARD_MAX <= CONNECTIONS_PER_SHARD_CEILING);
const _: () = assert!(limits::FILE_CACHE_BYTES_MAX as u64 <= FILE_CACHE_BYTES_CEILING);
const _: () = assert!(limits::FILE_CACHE_REVALIDATE_MS <= FILE_CACHE_REVALIDATE_MS_CEILING);
const _: () = assert!(limits::BODY_BYTES_MAX <= BODY_BYTES_CEILING);
const _: () = assert!(limits::RENDER_TIMEOUT_MS <= RENDER_TIMEOUT_MS_CEILING);
const _: () = assert!(limits::ISR_CACHE_BYTES_MAX as u64 <= ISR_CACHE_BYTES_CEILING);
const _: () = assert!(ENGINE_HEAP_BYTES_FLOOR <= limits::ENGINE_HEAP_BYTES_MAX as u64);
