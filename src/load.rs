//! Where the config comes from (a file, or a directory on the command line), read again on
//! every SIGHUP.

use std::path::{Path, PathBuf};

use bext_core::config::{self, AccessLog, Config};
use bext_core::limits::{CONFIG_FILE_BYTES_MAX, SHARDS_MAX};
use bext_server::Snapshot;

use crate::cli::ServeArgs;

pub struct Source {
    file: Option<PathBuf>,
    dir: Option<PathBuf>,
    listen: Vec<std::net::SocketAddr>,
    shards: Option<usize>,
    access_log: Option<AccessLog>,
}

impl Source {
    pub fn from_args(args: &ServeArgs) -> Result<Source, String> {
        if let Some(n) = args.shards
            && !(1..=SHARDS_MAX).contains(&n)
        {
            return Err(format!("--shards: {n} is not in 1..={SHARDS_MAX}"));
        }
        let access_log =
            args.access_log
                .as_deref()
                .map(|value| match value.to_ascii_lowercase().as_str() {
                    "off" => AccessLog::Off,
                    "stdout" | "-" => AccessLog::Stdout,
                    "stderr" => AccessLog::Stderr,
                    _ => AccessLog::File(PathBuf::from(value)),
                });
        let (file, dir) = match (&args.config, &args.dir) {
            (Some(file), _) => (Some(file.clone()), None),
            (None, Some(dir)) => (None, Some(dir.clone())),
            (None, None) => (None, Some(PathBuf::from("."))),
        };
        Ok(Source {
            file,
            dir,
            listen: args.listen.clone(),
            shards: args.shards,
            access_log,
        })
    }

    pub fn describe(&self) -> String {
        match (&self.file, &self.dir) {
            (Some(file), _) => file.display().to_string(),
            (None, Some(dir)) => dir.display().to_string(),
            (None, None) => String::from("?"),
        }
    }

    /// Reads and validates the config, with the command line's overrides applied.
    pub fn load(&self) -> Result<Config, String> {
        let mut config = match (&self.file, &self.dir) {
            (Some(file), _) => from_file(file)?,
            (None, Some(dir)) if dir.join("app").is_dir() => Config::for_app(dir.clone()),
            (None, Some(dir)) => Config::for_directory(dir.clone()),
            (None, None) => {
                return Err(String::from(
                    "nothing to serve: give a directory or --config FILE",
                ));
            }
        };
        if !self.listen.is_empty() {
            config.server.listen = self.listen.clone();
        }
        if self.shards.is_some() {
            config.server.shards = self.shards;
        }
        if let Some(access_log) = &self.access_log {
            config.server.access_log = access_log.clone();
        }
        Ok(config)
    }
}

pub fn from_file(file: &Path) -> Result<Config, String> {
    let name = file.display().to_string();
    let meta = std::fs::metadata(file).map_err(|e| format!("{name}: {e}"))?;
    if meta.len() > CONFIG_FILE_BYTES_MAX as u64 {
        return Err(format!("{name}: larger than {CONFIG_FILE_BYTES_MAX} bytes"));
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("{name}: {e}"))?;
    let base = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let config = config::parse(&name, base, &text).map_err(|e| e.to_string())?;
    // Checked here, where the text is at hand, so a missing root is reported at its line.
    crate::roots::check(&name, &text, &config).map_err(|e| e.to_string())?;
    Ok(config)
}

pub fn snapshot(config: Config) -> Result<Snapshot, String> {
    Snapshot::build(config).map_err(|e| e.to_string())
}
