//! What bext nodes tell each other through Redis (`[cluster]`): cache invalidations, WAF
//! bans, realtime events and, with `share_pages`, the pages a node rendered or fetched for
//! its cache, as JSON notes on one pub/sub channel.
//!
//! Every note names the node that sent it, so a node skips its own invalidations and bans
//! (it applied them when they happened) but not its own realtime events: those come back
//! through Redis like everyone's, so every node receives a topic's events in the one order
//! Redis gave them, and numbers them in that order. Sites are named by their index in the
//! config: the nodes of one cluster serve the same config.
//!
//! A page travels with its age rather than its time: nodes share no clock, and each reads
//! its own monotonic one, so the receiver dates the page by subtracting the age from its
//! own now (the transit time is lost, and makes the page look a little younger).

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::limits::{CLUSTER_NOTE_BYTES_MAX, CLUSTER_PAGE_BYTES_MAX};

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
    /// A page one node rendered or fetched for its cache, offered to the others.
    Page(Box<PageNote>),
    /// Shard `shard` of the sending node has these subscribers per topic now (empty: none).
    Presence {
        shard: usize,
        counts: Vec<(String, u64)>,
    },
}

/// A cached page as a note: what the receiving node needs to keep it under the same key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageNote {
    pub site: usize,
    /// The cache key's path (a rendered page's path, a kept answer's target).
    pub key: String,
    pub status: u16,
    /// The response head's fields as the cache keeps them.
    pub fields: Vec<(String, String)>,
    /// The body, in base64.
    pub body: String,
    /// Milliseconds since the data behind the page was read, when it was sent.
    pub age_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revalidate_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// A page as it is offered, before it becomes a note: the parts of a cache entry.
#[derive(Debug, Clone, Copy)]
pub struct OfferedPage<'a> {
    pub site: usize,
    pub key: &'a [u8],
    pub status: u16,
    pub fields: &'a [(&'a [u8], &'a [u8])],
    pub body: &'a [u8],
    pub age_ms: u64,
    pub revalidate_s: Option<u32>,
    pub stale_s: Option<u32>,
    pub tags: &'a [Box<str>],
}

impl PageNote {
    /// The note for `page`, or `None` when it is not one to offer: larger than
    /// `CLUSTER_PAGE_BYTES_MAX`, a note that could pass `CLUSTER_NOTE_BYTES_MAX` once
    /// encoded, or a key or field that is not UTF-8 (JSON carries text).
    pub fn offer(page: &OfferedPage<'_>) -> Option<PageNote> {
        let head_bytes: usize = page.fields.iter().map(|(n, v)| n.len() + v.len()).sum();
        if page.body.len() + head_bytes > CLUSTER_PAGE_BYTES_MAX {
            return None;
        }
        // JSON escapes a byte in at most six (`\u00XX`); base64 is four bytes for three.
        let tags_bytes: usize = page.tags.iter().map(|t| t.len() + 8).sum();
        let encoded_max = page.body.len().div_ceil(3) * 4
            + 6 * (head_bytes + page.key.len())
            + 16 * page.fields.len()
            + 6 * tags_bytes
            + 512;
        if encoded_max > CLUSTER_NOTE_BYTES_MAX {
            return None;
        }
        let text = |bytes: &[u8]| std::str::from_utf8(bytes).ok().map(str::to_owned);
        let mut fields = Vec::with_capacity(page.fields.len());
        for (name, value) in page.fields {
            fields.push((text(name)?, text(value)?));
        }
        Some(PageNote {
            site: page.site,
            key: text(page.key)?,
            status: page.status,
            fields,
            body: BASE64.encode(page.body),
            age_ms: page.age_ms,
            revalidate_s: page.revalidate_s,
            stale_s: page.stale_s,
            tags: page.tags.iter().map(|t| t.to_string()).collect(),
        })
    }

    /// The body's bytes; `None` if they are not base64.
    pub fn body_bytes(&self) -> Option<Vec<u8>> {
        BASE64.decode(&self.body).ok()
    }
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
            Note::Page(Box::new(page_note(b"<p>hi</p>\n\x00\xff"))),
            Note::Presence {
                shard: 1,
                counts: vec![("room".into(), 3), ("lobby".into(), 1)],
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

    fn page_note(body: &[u8]) -> PageNote {
        let fields: [(&[u8], &[u8]); 1] = [(b"content-type", b"text/html; charset=utf-8")];
        let tags: [Box<str>; 1] = ["posts".into()];
        PageNote::offer(&OfferedPage {
            site: 2,
            key: b"/posts/1?x=1",
            status: 200,
            fields: &fields,
            body,
            age_ms: 12,
            revalidate_s: Some(60),
            stale_s: None,
            tags: &tags,
        })
        .expect("offered")
    }

    #[test]
    fn a_page_is_offered_whole_within_its_bounds() {
        let body = b"<p>\x00\x01 binary is fine</p>";
        let note = page_note(body);
        assert_eq!(note.body_bytes().as_deref(), Some(&body[..]));
        assert_eq!(note.key, "/posts/1?x=1");
        assert_eq!(note.tags, ["posts"]);
        // The largest page offered still makes a note a node takes.
        let largest = vec![b'x'; CLUSTER_PAGE_BYTES_MAX - 64];
        let envelope = Envelope {
            node: "a".into(),
            note: Note::Page(Box::new(page_note(&largest))),
        };
        assert!(Envelope::decode(&envelope.encode()).is_some());
        // Too large, or not text where JSON needs text: not offered.
        let fields: [(&[u8], &[u8]); 1] = [(b"x-bin", b"\xff")];
        let over = vec![b'x'; CLUSTER_PAGE_BYTES_MAX + 1];
        let base = OfferedPage {
            site: 0,
            key: b"/",
            status: 200,
            fields: &[],
            body: b"",
            age_ms: 0,
            revalidate_s: None,
            stale_s: None,
            tags: &[],
        };
        for page in [
            OfferedPage {
                body: &over,
                ..base
            },
            OfferedPage {
                fields: &fields,
                ..base
            },
            OfferedPage {
                key: b"/\xff",
                ..base
            },
        ] {
            assert_eq!(PageNote::offer(&page), None);
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
