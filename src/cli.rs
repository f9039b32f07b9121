//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bext",
    version,
    about = "A thread-per-core, shared-nothing HTTP server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve a directory, or the sites of a config file. A directory holding an `app/`
    /// directory is served as an app: its pages rendered, its `public/` served as files.
    Serve(ServeArgs),
    /// Serve an app for development: recompile on change, reload open tabs, show compile
    /// errors as an overlay page. Never caches rendered pages.
    Dev(ServeArgs),
    /// Check a config file (and that its site roots open) without serving, like `nginx -t`.
    CheckConfig { file: PathBuf },
    /// Print a realtime subscriber token for TOPICS (comma-separated; `news.*` allows every
    /// topic under `news.`), signed with the config's `[realtime] secret`.
    RealtimeToken {
        /// The config file whose `[realtime] secret` signs the token.
        #[arg(long, short = 'c')]
        config: PathBuf,
        /// Topics the token allows, comma-separated.
        #[arg(long)]
        topics: String,
        /// Seconds until the token expires.
        #[arg(long, default_value_t = 3600)]
        ttl_secs: u64,
    },
}

#[derive(Args)]
pub struct ServeArgs {
    /// Directory to serve as the one default site, or an app directory (ignored with
    /// --config).
    pub dir: Option<PathBuf>,
    /// A bext.config.toml with [server] and [[site]] entries.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Address to listen on; repeat for several. Overrides the config's `listen`.
    #[arg(long, short = 'l')]
    pub listen: Vec<SocketAddr>,
    /// Number of shards (one pinned thread each). Default: one per available core.
    #[arg(long, short = 's')]
    pub shards: Option<usize>,
    /// Access log: off, stdout, stderr or a file path. Overrides the config's `access_log`.
    #[arg(long)]
    pub access_log: Option<String>,
}
