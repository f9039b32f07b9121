//! bext-render: app discovery, the module linker, the in-engine app runtime and the
//! per-shard renderer. (Crate docs are written once the parts land.)
#![forbid(unsafe_code)]

pub mod app;
pub mod env;
pub mod files;
pub mod link;
pub mod load;
pub mod renderer;
pub mod runtime;
