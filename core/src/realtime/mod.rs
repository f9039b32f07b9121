//! Realtime pub/sub, sans-I/O: topics, subscribers, the order of events, resuming, tokens.
//!
//! **Order.** Each topic has one owner shard (its name's hash, [`owner`]), and every
//! publish to a topic goes to that shard, which numbers it and sends one copy of the event
//! to every shard (one message per shard, not per subscriber; the event is shared, not
//! copied). A shard's inbox from another is first in, first out, so every subscriber sees a
//! topic's events in the owner's order, whichever shards they and the publishers are on.
//! Sequence numbers come from one counter per owner shard, so they rise within a topic but
//! are not dense in it.
//!
//! **Resuming.** Every shard keeps the last events of each topic ([`hub`]), so a client
//! that reconnects (to whichever shard) with the id of the last event it saw gets what it
//! missed, as far as it is kept. An event id is a [`Cursor`]: the process's epoch (a
//! restart starts the numbers over, and an old cursor then resumes nothing) and the
//! subscriber's position in each of its topics, `EPOCH:a=12,b=7`.
//!
//! **Back-pressure.** A subscriber has a bounded queue; one that does not keep up is evicted
//! with a reason instead of being buffered for (its connection ends; it may resume).

pub mod hub;
pub mod nodes;
pub mod token;
pub mod wire;

use bytes::Bytes;

use crate::limits::{REALTIME_TOPIC_BYTES_MAX, REALTIME_TOPICS_PER_SUBSCRIPTION_MAX};

/// One published event, as every shard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub topic: String,
    /// Its place in its topic's order (rising, not dense).
    pub seq: u64,
    /// An SSE event name (`event:`), if the publisher gave one.
    pub name: Option<String>,
    /// UTF-8 text.
    pub data: Bytes,
}

/// Whether `name` can be a topic: 1 to `REALTIME_TOPIC_BYTES_MAX` bytes of ASCII letters,
/// digits, `_`, `-`, `.` and `:` (so a topic list and a cursor need no escaping).
pub fn topic_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= REALTIME_TOPIC_BYTES_MAX
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// A comma-separated topic list, deduplicated in its order; `Err` names what is wrong.
pub fn parse_topics(list: &str) -> Result<Vec<String>, String> {
    let mut topics: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !topic_valid(name) {
            return Err(format!(
                "`{}` is not a topic (1 to {REALTIME_TOPIC_BYTES_MAX} of A-Z a-z 0-9 _ - . :)",
                name.escape_debug()
            ));
        }
        if !topics.iter().any(|t| t == name) {
            topics.push(name.to_owned());
        }
    }
    if topics.is_empty() {
        return Err("no topics: `?topics=a,b`".into());
    }
    if topics.len() > REALTIME_TOPICS_PER_SUBSCRIPTION_MAX {
        return Err(format!(
            "{} topics: at most {REALTIME_TOPICS_PER_SUBSCRIPTION_MAX} per subscription",
            topics.len()
        ));
    }
    Ok(topics)
}

/// The shard that numbers and fans out `topic`'s events (FNV-1a of its name: the same on
/// every shard and in every process of one version).
pub fn owner(topic: &str, shards: usize) -> usize {
    assert!(shards > 0);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in topic.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % shards as u64) as usize
}

/// Where a subscriber is in each of its topics: an SSE event id (`EPOCH:a=12,b=7`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub epoch: u64,
    positions: Vec<(String, u64)>,
}

impl Cursor {
    /// At the start of each of `topics`.
    pub fn new(epoch: u64, topics: &[String]) -> Cursor {
        Cursor {
            epoch,
            positions: topics.iter().map(|t| (t.clone(), 0)).collect(),
        }
    }

    /// A cursor from its text; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (epoch, rest) = text.split_once(':')?;
        let epoch = epoch.parse().ok()?;
        let mut positions = Vec::new();
        for part in rest.split(',').filter(|p| !p.is_empty()) {
            let (topic, seq) = part.rsplit_once('=')?;
            if !topic_valid(topic) || positions.len() >= REALTIME_TOPICS_PER_SUBSCRIPTION_MAX {
                return None;
            }
            positions.push((topic.to_owned(), seq.parse().ok()?));
        }
        Some(Cursor { epoch, positions })
    }

    /// The last event seen of `topic`, if the cursor has it.
    pub fn position(&self, topic: &str) -> Option<u64> {
        self.positions
            .iter()
            .find(|(t, _)| t == topic)
            .map(|(_, s)| *s)
    }

    /// Moves to `seq` in `topic` (a resumed position).
    pub fn advance_to(&mut self, topic: &str, seq: u64) {
        if let Some((_, at)) = self.positions.iter_mut().find(|(t, _)| t == topic) {
            *at = (*at).max(seq);
        }
    }

    /// Starts following `topic` from its start (if it does not already).
    pub fn add(&mut self, topic: &str) {
        if self.position(topic).is_none() {
            self.positions.push((topic.to_owned(), 0));
        }
    }

    /// Stops following `topic`.
    pub fn remove(&mut self, topic: &str) {
        self.positions.retain(|(t, _)| t != topic);
    }

    /// Moves past `event`.
    pub fn advance(&mut self, event: &Event) {
        if let Some((_, seq)) = self.positions.iter_mut().find(|(t, _)| *t == event.topic) {
            *seq = (*seq).max(event.seq);
        }
    }

    /// Its text, the event id to send.
    pub fn text(&self) -> String {
        let mut out = Vec::with_capacity(32);
        self.write(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends its text (ASCII: digits and topic names) without allocating.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_cursor(
            out,
            self.epoch,
            self.positions.iter().map(|(t, s)| (&**t, *s)),
        );
    }
}

/// A cursor's text from its parts, `EPOCH:a=12,b=7` ([`Cursor::write`] and the hub's
/// positions write it alike).
pub fn write_cursor<'a>(
    out: &mut Vec<u8>,
    epoch: u64,
    positions: impl Iterator<Item = (&'a str, u64)>,
) {
    let mut digits = itoa::Buffer::new();
    out.extend_from_slice(digits.format(epoch).as_bytes());
    out.push(b':');
    for (i, (topic, seq)) in positions.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(topic.as_bytes());
        out.push(b'=');
        out.extend_from_slice(digits.format(seq).as_bytes());
    }
}

#[cfg(test)]
pub(crate) fn epoch_for_tests() -> u64 {
    7
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_lists_are_checked_and_deduplicated() {
        assert_eq!(
            parse_topics("a, b.c,a,,x:y").expect("valid"),
            ["a", "b.c", "x:y"]
        );
        assert!(parse_topics("").is_err());
        assert!(parse_topics("a b").is_err());
        assert!(parse_topics("a=1").is_err());
        let many: Vec<String> = (0..=REALTIME_TOPICS_PER_SUBSCRIPTION_MAX)
            .map(|n| format!("t{n}"))
            .collect();
        assert!(parse_topics(&many.join(",")).is_err());
        assert!(!topic_valid(&"x".repeat(REALTIME_TOPIC_BYTES_MAX + 1)));
    }

    #[test]
    fn cursors_round_trip_and_advance() {
        let topics = vec!["a".to_owned(), "b".to_owned()];
        let mut cursor = Cursor::new(9, &topics);
        cursor.advance(&Event {
            topic: "b".into(),
            seq: 12,
            name: None,
            data: Bytes::new(),
        });
        assert_eq!(cursor.text(), "9:a=0,b=12");
        assert_eq!(Cursor::parse(&cursor.text()), Some(cursor.clone()));
        assert_eq!(cursor.position("b"), Some(12));
        assert_eq!(cursor.position("c"), None);
        for bad in ["", "x:a=1", "9:a", "9:a=x", "9:a b=1"] {
            assert_eq!(Cursor::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_topic_has_one_owner_among_the_shards() {
        assert_eq!(owner("chat.42", 1), 0);
        let owners: std::collections::HashSet<usize> =
            (0..64).map(|n| owner(&format!("t{n}"), 4)).collect();
        assert_eq!(owners.len(), 4, "topics spread over the shards");
        assert_eq!(owner("chat.42", 4), owner("chat.42", 4));
    }
}
