//! bext-render: app discovery, the module linker, the in-engine app runtime and the
//! per-shard renderer. (Crate docs are written once the parts land.)
#![forbid(unsafe_code)]

pub mod app;
pub mod assets;
pub mod client;
pub(crate) mod css;
pub mod env;
pub mod files;
pub mod link;
pub mod load;
pub mod media;
pub mod next_config;
pub mod positions;
pub mod prerender;
pub mod renderer;
pub mod runtime;
pub mod social;
