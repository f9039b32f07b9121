//! What bext nodes tell each other through Redis (`[cluster]`): cache invalidations, WAF
//! bans and realtime events, as small JSON notes on one pub/sub channel.
//!
//! Every note names the node that sent it, so a node skips its own invalidations and bans
//! (it applied them when they happened) but not its own realtime events: those come back
//! through Redis like everyone's, so every node receives a topic's events in the one order
//! Redis gave them, and numbers them in that order. Sites are named by their index in the
//! config: the nodes of one cluster serve the same config.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::limits::CLUSTER_NOTE_BYTES_MAX;

/// One note on the cluster channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The sending node's name (`[cluster] node`).
    pub node: String,
    pub note: Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Note {
    /// Pages of site `site` by tag or by path are stale.
    Invalidate {
        site: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// A client banned for `secs` more seconds.
    Ban { ip: IpAddr, secs: u64 },
    /// A realtime event.
    Publish {
        topic: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        data: String,
    },
}

impl Envelope {
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// A note from the channel; `None` for anything else (another program's message, or a
    /// newer bext's note this one does not know), which is skipped.
    pub fn decode(bytes: &[u8]) -> Option<Envelope> {
        if bytes.len() > CLUSTER_NOTE_BYTES_MAX {
            return None;
        }
        serde_json::from_slice(bytes).ok()
    }
}

/// Whether a Redis URL is one bext connects to: `redis://host[:port][/db]` (no TLS yet).
pub fn redis_url_valid(url: &str) -> Result<(), &'static str> {
    let Some(rest) = url.strip_prefix("redis://") else {
        return Err(if url.starts_with("rediss://") {
            "TLS to Redis (rediss://) is not supported yet: use redis:// on a private network"
        } else {
            "must be a redis://host:port URL"
        });
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() {
        return Err("names no host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_round_trip_as_json() {
        let notes = [
            Note::Invalidate {
                site: 1,
                tag: Some("posts".into()),
                path: None,
            },
            Note::Ban {
                ip: "192.0.2.7".parse().expect("ip"),
                secs: 60,
            },
            Note::Publish {
                topic: "chat.1".into(),
                event: None,
                data: "hi\nthere".into(),
            },
        ];
        for note in notes {
            let envelope = Envelope {
                node: "a".into(),
                note,
            };
            assert_eq!(Envelope::decode(&envelope.encode()), Some(envelope));
        }
        let text = Envelope {
            node: "n".into(),
            note: Note::Ban {
                ip: "::1".parse().expect("ip"),
                secs: 5,
            },
        }
        .encode();
        assert_eq!(
            String::from_utf8_lossy(&text),
            r#"{"node":"n","note":{"kind":"ban","ip":"::1","secs":5}}"#
        );
        for other in [&b"hello"[..], br#"{"node":"n","note":{"kind":"reboot"}}"#] {
            assert_eq!(Envelope::decode(other), None);
        }
    }

    #[test]
    fn redis_urls() {
        assert!(redis_url_valid("redis://127.0.0.1:6379").is_ok());
        assert!(redis_url_valid("redis://:pw@cache.internal/2").is_ok());
        assert!(redis_url_valid("rediss://x").is_err());
        assert!(redis_url_valid("http://x").is_err());
        assert!(redis_url_valid("redis:///0").is_err());
    }
}
