//! `[render]`: the engine, per-render bounds and the ISR cache.

use super::{Checker, Result};
use crate::config::model::*;
use crate::config::raw::*;
use crate::limits::*;

impl Checker<'_> {
    pub(super) fn render(&self, raw: RawRender) -> Result<RenderConfig> {
        let defaults = RenderConfig::default();
        let engine = match &raw.engine {
            None => defaults.engine,
            Some(value) => match value.get_ref().as_str() {
                "auto" => EngineChoice::Auto,
                "quickjs" => EngineChoice::QuickJs,
                "jsc" => EngineChoice::Jsc,
                "v8" => EngineChoice::V8,
                other => {
                    return Err(self.source.error(
                        value.span(),
                        "render.engine",
                        format!(
                            "`{other}` is not an engine: use \"auto\", \"quickjs\", \"jsc\" or \"v8\""
                        ),
                    ));
                }
            },
        };
        let render_timeout_ms = self.bounded(
            &raw.render_timeout_ms,
            "render.render_timeout_ms",
            1,
            RENDER_TIMEOUT_MS_CEILING,
            defaults.render_timeout_ms,
        )?;
        let heap = self.bounded(
            &raw.heap_bytes_max,
            "render.heap_bytes_max",
            ENGINE_HEAP_BYTES_FLOOR,
            ENGINE_HEAP_BYTES_CEILING,
            defaults.heap_bytes_max as u64,
        )?;
        let fetch_timeout_ms = self.bounded(
            &raw.fetch_timeout_ms,
            "render.fetch_timeout_ms",
            1,
            TIMEOUT_MS_CEILING,
            defaults.fetch_timeout_ms,
        )?;
        let isr_bytes = self.bounded(
            &raw.isr_bytes_max,
            "render.isr_bytes_max",
            1,
            ISR_CACHE_BYTES_CEILING,
            defaults.isr_bytes_max as u64,
        )?;
        let invalidate_token = match &raw.invalidate_token {
            None => None,
            Some(token) => {
                let text = token.get_ref();
                if text.len() < INVALIDATE_TOKEN_BYTES_MIN
                    || !text.bytes().all(|b| b.is_ascii_graphic())
                {
                    return Err(self.source.error(
                        token.span(),
                        "render.invalidate_token",
                        format!(
                            "must be at least {INVALIDATE_TOKEN_BYTES_MIN} visible ASCII characters"
                        ),
                    ));
                }
                Some(text.clone())
            }
        };
        let too_big = |key: &str, value: u64| {
            self.source.error_at_start(
                key,
                format!("{value} does not fit this platform's address space"),
            )
        };
        Ok(RenderConfig {
            engine,
            render_timeout_ms,
            heap_bytes_max: usize::try_from(heap)
                .map_err(|_| too_big("render.heap_bytes_max", heap))?,
            fetch_timeout_ms,
            isr: raw.isr.unwrap_or(defaults.isr),
            isr_bytes_max: usize::try_from(isr_bytes)
                .map_err(|_| too_big("render.isr_bytes_max", isr_bytes))?,
            invalidate_token,
        })
    }
}
