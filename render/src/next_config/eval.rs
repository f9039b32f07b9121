//! Evaluating next.config (and reading middleware's matcher) in a QuickJS engine of its own.

use std::time::Duration;

use bext_core::limits::{ENGINE_HEAP_BYTES_MAX, NEXT_CONFIG_TIMEOUT_MS};
use bext_engine::{EngineKind, Limits};

use super::{ConfigError, NextConfig, compile};
use crate::positions::Positions;

/// Which server Next.js would be (the first argument of a config function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigPhase {
    Production,
    Development,
}

impl ConfigPhase {
    fn name(self) -> &'static str {
        match self {
            ConfigPhase::Production => "phase-production-server",
            ConfigPhase::Development => "phase-development-server",
        }
    }
}

/// Evaluates the bundle (runtimes in front) and reads the config module `config` and the
/// middleware module `middleware`, either of which may be absent. `positions` places an
/// exception's stack in the app's files for the error.
pub fn evaluate(
    bundle: &str,
    config: Option<&str>,
    middleware: Option<&str>,
    phase: ConfigPhase,
    positions: &Positions,
) -> Result<NextConfig, ConfigError> {
    let file = config.or(middleware).unwrap_or("next.config.js");
    let err = |message: String| ConfigError {
        file: file.to_owned(),
        key: String::new(),
        message,
    };
    let limits = Limits {
        heap_bytes_max: ENGINE_HEAP_BYTES_MAX,
        call_timeout: Duration::from_millis(NEXT_CONFIG_TIMEOUT_MS),
    };
    let mut engine = bext_engine::create(EngineKind::QuickJs, limits)
        .map_err(|e| err(format!("cannot create an engine to read it: {e}")))?;
    engine
        .eval(bundle, "bundle.js")
        .map_err(|e| err(format!("the app bundle failed to load: {e}")))?;
    let arg = serde_json::json!({
        "config": config,
        "middleware": middleware,
        "phase": phase.name(),
    })
    .to_string();
    let mut out = Vec::new();
    engine
        .call("__bext_next_config", &arg, &mut out)
        .map_err(|e| err(failure(e)))?;
    out.clear();
    engine
        .call("__bext_next_config_result", "", &mut out)
        .map_err(|e| err(failure(e)))?;
    let json = out.pop().unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&json)
        .map_err(|e| err(format!("its value cannot be read as JSON: {e}")))?;
    if let Some(message) = value.get("error").and_then(serde_json::Value::as_str) {
        let stack = value
            .get("stack")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let at = positions
            .origin(stack)
            .map(|at| format!(" (at {at})"))
            .unwrap_or_default();
        return Err(err(format!("{message}{at}")));
    }
    compile(config.unwrap_or(file), &value)
}

fn failure(e: bext_engine::EngineError) -> String {
    match e {
        bext_engine::EngineError::Exception { message, .. } => message,
        other => other.to_string(),
    }
}
