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

/// Whether a Redis URL is one bext connects to: `redis://host[:port][/db]`, or
/// `rediss://…` for TLS. `Ok(true)` for TLS.
pub fn redis_url_valid(url: &str) -> Result<bool, &'static str> {
    let (tls, rest) = match (url.strip_prefix("redis://"), url.strip_prefix("rediss://")) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => return Err("must be a redis://host:port or rediss://host:port URL"),
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() {
        return Err("names no host");
    }
    Ok(tls)
}

/// The URL without its password, for logs: `redis://user:secret@host` is shown as
/// `redis://user:…@host`.
pub fn redis_url_shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials
                .split_once(':')
                .map_or(credentials, |(user, _)| user);
            let user = if credentials.contains(':') {
                format!("{user}:…")
            } else {
                "…".to_owned()
            };
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_owned(),
    }
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
        assert_eq!(redis_url_valid("redis://127.0.0.1:6379"), Ok(false));
        assert_eq!(redis_url_valid("redis://:pw@cache.internal/2"), Ok(false));
        assert_eq!(redis_url_valid("rediss://cache.internal:6380"), Ok(true));
        assert!(redis_url_valid("rediss://").is_err());
        assert!(redis_url_valid("http://x").is_err());
        assert!(redis_url_valid("redis:///0").is_err());
    }

    #[test]
    fn logged_urls_keep_no_password() {
        for (url, shown) in [
            ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
            ("redis://:secret@cache:6379/2", "redis://:…@cache:6379/2"),
            ("rediss://bext:secret@cache", "rediss://bext:…@cache"),
            ("redis://token@cache?db=1", "redis://…@cache?db=1"),
        ] {
            assert_eq!(redis_url_shown(url), shown, "{url}");
        }
    }
}
