//! `[realtime]`: the pub/sub hub's secrets and bounds.

use toml::Spanned;

use super::{Checker, Result};
use crate::config::model::RealtimeConfig;
use crate::config::raw::RawRealtime;
use crate::limits::{
    REALTIME_QUEUE_CEILING, REALTIME_QUEUE_DEFAULT, REALTIME_REPLAY_CEILING,
    REALTIME_REPLAY_DEFAULT, REALTIME_SECRET_BYTES_MIN,
};

impl Checker<'_> {
    pub(super) fn realtime(&self, raw: RawRealtime) -> Result<RealtimeConfig> {
        let replay_max = self.bounded(
            &raw.replay_max,
            "realtime.replay_max",
            0,
            REALTIME_REPLAY_CEILING,
            REALTIME_REPLAY_DEFAULT as u64,
        )?;
        let queue_max = self.bounded(
            &raw.queue_max,
            "realtime.queue_max",
            1,
            REALTIME_QUEUE_CEILING,
            REALTIME_QUEUE_DEFAULT as u64,
        )?;
        Ok(RealtimeConfig {
            secret: self.realtime_secret(&raw.secret, "realtime.secret")?,
            publish_token: self.realtime_secret(&raw.publish_token, "realtime.publish_token")?,
            // Both ceilings fit every platform's usize.
            replay_max: replay_max as usize,
            queue_max: queue_max as usize,
        })
    }

    /// A secret: at least `REALTIME_SECRET_BYTES_MIN` visible ASCII characters.
    fn realtime_secret(
        &self,
        value: &Option<Spanned<String>>,
        key: &str,
    ) -> Result<Option<String>> {
        let Some(value) = value else {
            return Ok(None);
        };
        let text = value.get_ref();
        if text.len() < REALTIME_SECRET_BYTES_MIN || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(self.source.error(
                value.span(),
                key,
                format!(
                    "must be at least {REALTIME_SECRET_BYTES_MIN} visible ASCII characters \
                     (e.g. `openssl rand -hex 32`)"
                ),
            ));
        }
        Ok(Some(text.clone()))
    }
}
