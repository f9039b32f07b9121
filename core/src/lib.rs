//! # bext-core: the decisions, without the I/O
//!
//! Everything in this crate is a pure function of its inputs: bytes, parsed config, file
//! metadata handed in by the runtime, and `now` when time matters. It never opens a socket or
//! a file, never reads the clock and contains no `unsafe`. That is what lets every rule here be
//! tested with byte literals and a virtual clock, and what lets the runtime (`bext-shards`) and
//! the protocols (`bext-net`) stay thin.
//!
//! Modules:
//! - [`field`]: small helpers for header field values (optional whitespace).
//! - [`metrics`]: per-shard counters, merging, Prometheus text.
//! - [`access_log`]: combined and JSON access-log lines.
//! - [`limits`]: every bound the server enforces, with its default, in one place.
//! - [`config`]: `bext.config.toml` into a validated [`config::Config`]; errors name file,
//!   line, column and key.
//! - [`sites`]: which `[[site]]` answers a given `Host`.
//! - [`isr`]: the per-shard cache of rendered pages: freshness, stale-while-revalidate,
//!   render coalescing, S3-FIFO eviction by bytes, invalidation by tag or path.
//! - [`acme`]: open ACME challenges, renewal windows, where certificates are kept.
//! - [`image`]: the image optimizer's decisions (`/_next/image`): valid requests, format by
//!   `Accept`, headers.
//! - [`static_files`]: path safety, MIME types, validators, conditional and range requests,
//!   precompressed variants, cache-control rules.
#![forbid(unsafe_code)]

pub mod access_log;
pub mod acme;
pub mod cluster;
pub mod config;
pub mod fastcgi;
pub mod field;
pub mod http_cache;
pub mod image;
pub mod isr;
pub mod limits;
pub mod metrics;
pub mod origin;
pub mod proxy;
pub mod realtime;
pub mod sites;
pub mod static_files;
pub mod waf;
