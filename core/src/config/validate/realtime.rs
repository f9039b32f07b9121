//! `[realtime]`: the pub/sub hub's secrets and bounds; `[cluster]`: the Redis the nodes share.

use toml::Spanned;

use super::{Checker, Result};
use crate::cluster::redis_url_valid;
use crate::config::model::{ClusterConfig, RealtimeConfig};
use crate::config::raw::{RawCluster, RawRealtime};
use crate::limits::{
    CLUSTER_NODE_BYTES_MAX, REALTIME_QUEUE_CEILING, REALTIME_QUEUE_DEFAULT,
    REALTIME_REPLAY_CEILING, REALTIME_REPLAY_DEFAULT, REALTIME_SECRET_BYTES_MIN,
};

impl Checker<'_> {
    pub(super) fn cluster(&self, raw: RawCluster) -> Result<ClusterConfig> {
        let tls = redis_url_valid(raw.redis.get_ref())
            .map_err(|why| self.source.error(raw.redis.span(), "cluster.redis", why))?;
        let redis_ca = match &raw.redis_ca {
            Some(path) if !tls => {
                return Err(self.source.error(
                    path.span(),
                    "cluster.redis_ca",
                    "applies only to a rediss:// (TLS) URL",
                ));
            }
            Some(path) => Some(self.path(path, "cluster.redis_ca")?),
            None => None,
        };
        let stray = [
            ("cluster.redis_client_cert", raw.redis_client_cert.as_ref()),
            ("cluster.redis_client_key", raw.redis_client_key.as_ref()),
        ];
        if let Some((key, Some(value))) = stray.into_iter().find(|(_, v)| v.is_some())
            && !tls
        {
            return Err(self.source.error(
                value.span(),
                key,
                "applies only to a rediss:// (TLS) URL",
            ));
        }
        let redis_client_cert = self.client_cert(
            raw.redis_client_cert.as_ref(),
            raw.redis_client_key.as_ref(),
            ("cluster.redis_client_cert", "cluster.redis_client_key"),
        )?;
        let name = |value: &Option<Spanned<String>>, key: &str| -> Result<Option<String>> {
            let Some(value) = value else {
                return Ok(None);
            };
            let text = value.get_ref();
            if !crate::realtime::topic_valid(text) || text.len() > CLUSTER_NODE_BYTES_MAX {
                return Err(self.source.error(
                    value.span(),
                    key,
                    format!("must be 1 to {CLUSTER_NODE_BYTES_MAX} of A-Z a-z 0-9 _ - . :"),
                ));
            }
            Ok(Some(text.clone()))
        };
        Ok(ClusterConfig {
            redis: raw.redis.get_ref().clone(),
            redis_ca,
            redis_client_cert,
            node: name(&raw.node, "cluster.node")?,
            channel: name(&raw.channel, "cluster.channel")?.unwrap_or_else(|| "bext".into()),
            share_pages: raw.share_pages.unwrap_or(false),
        })
    }

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
            websocket_deflate: raw.websocket_deflate.unwrap_or(false),
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
