//! One shard's hub: its subscribers, what each has queued, and the recent events of each
//! topic for resuming subscribers.
//!
//! Every shard receives every event (the topic's owner sends one copy per shard), so any
//! shard can resume any subscriber: each keeps the last `replay_max` events of up to
//! `REALTIME_TOPICS_MAX` topics and `REALTIME_REPLAY_BYTES_MAX` bytes of events (the topic
//! published to least recently is forgotten first). Delivering
//! an event queues it for each of the shard's subscribers to its topic and says whom to
//! wake; a subscriber whose queue is full is evicted with its reason, never queued for
//! without bound. The hub decides; the server moves the bytes and keeps the wakers.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::{Cursor, Event};
use crate::limits::{REALTIME_REPLAY_BYTES_MAX, REALTIME_TOPICS_MAX};

/// A subscriber's handle on its shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubId(u64);

/// Bounds of one shard's hub (`[realtime]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubConfig {
    /// Events kept per topic for resuming subscribers.
    pub replay_max: usize,
    /// Events queued for one subscriber before it is evicted as too slow.
    pub queue_max: usize,
    /// This process's epoch: cursors from another start resume nothing.
    pub epoch: u64,
}

/// What delivering one event did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Subscribers whose queue was empty and now is not: wake them.
    pub woken: Vec<SubId>,
    /// Subscribers evicted because their queue was full: wake them too (they end).
    pub evicted: Vec<SubId>,
}

#[derive(Debug)]
struct Subscriber {
    topics: Vec<String>,
    /// Where it is: the id of the last event taken.
    cursor: Cursor,
    queue: VecDeque<Arc<Event>>,
    /// Why it was evicted; it ends once it has seen this.
    evicted: Option<&'static str>,
}

#[derive(Debug, Default)]
struct Topic {
    subscribers: Vec<SubId>,
    recent: VecDeque<Arc<Event>>,
    /// When this topic last had an event, in deliveries (for forgetting the stalest).
    touched: u64,
}

/// One shard's realtime state. See the module docs.
#[derive(Debug)]
pub struct Hub {
    config: HubConfig,
    topics: HashMap<String, Topic>,
    subscribers: HashMap<SubId, Subscriber>,
    next_id: u64,
    deliveries: u64,
    /// Bytes of the events kept for resuming.
    kept_bytes: usize,
    /// Subscribers evicted so far (for the metrics).
    pub evictions: u64,
    /// Subscriptions made and ended so far: presence changed when this moved.
    changes: u64,
}

impl Hub {
    pub fn new(config: HubConfig) -> Hub {
        assert!(config.queue_max >= 1);
        Hub {
            config,
            topics: HashMap::new(),
            subscribers: HashMap::new(),
            next_id: 0,
            deliveries: 0,
            kept_bytes: 0,
            evictions: 0,
            changes: 0,
        }
    }

    /// The epoch cursors must carry to resume here.
    pub fn epoch(&self) -> u64 {
        self.config.epoch
    }

    /// New bounds (a reload): queues and kept events shrink to them as events arrive.
    pub fn reconfigure(&mut self, config: HubConfig) {
        assert!(config.queue_max >= 1);
        self.config = config;
    }

    /// A new subscriber to `topics` (valid, deduplicated by the caller). With `resume` (the
    /// last event id it saw), the kept events after that point are queued for it first,
    /// oldest first; a cursor from another process start resumes nothing.
    pub fn subscribe(&mut self, topics: Vec<String>, resume: Option<&Cursor>) -> SubId {
        let id = SubId(self.next_id);
        self.next_id += 1;
        self.changes += 1;
        let mut queue = VecDeque::new();
        let resume = resume.filter(|c| c.epoch == self.config.epoch);
        let mut cursor = Cursor::new(self.config.epoch, &topics);
        for name in &topics {
            let topic = self.topics.entry(name.clone()).or_default();
            topic.subscribers.push(id);
            if let Some(after) = resume.and_then(|r| r.position(name)) {
                queue.extend(topic.recent.iter().filter(|e| e.seq > after).cloned());
                cursor.advance_to(name, after);
            }
        }
        // Older than the queue holds: the oldest are dropped (the client sees the gap in
        // the sequence numbers), rather than evicting a subscriber before it started.
        while queue.len() > self.config.queue_max {
            queue.pop_front();
        }
        self.subscribers.insert(
            id,
            Subscriber {
                topics,
                cursor,
                queue,
                evicted: None,
            },
        );
        self.forget_stalest();
        id
    }

    /// Adds `topics` (valid, deduplicated by the caller) to a subscriber's: those it has
    /// already are left as they are; with `resume`, what is kept of each new topic after
    /// the cursor's position is queued, after what is queued already. `None` if there is no
    /// such subscriber (or it was evicted); else its topics now.
    pub fn add_topics(
        &mut self,
        id: SubId,
        topics: &[String],
        resume: Option<&Cursor>,
    ) -> Option<&[String]> {
        let subscriber = self.subscribers.get_mut(&id)?;
        if subscriber.evicted.is_some() {
            return None;
        }
        let resume = resume.filter(|c| c.epoch == self.config.epoch);
        let mut added = false;
        for name in topics {
            if subscriber.topics.contains(name) {
                continue;
            }
            added = true;
            subscriber.topics.push(name.clone());
            subscriber.cursor.add(name);
            let topic = self.topics.entry(name.clone()).or_default();
            topic.subscribers.push(id);
            if let Some(after) = resume.and_then(|r| r.position(name)) {
                let missed = topic.recent.iter().filter(|e| e.seq > after);
                subscriber.queue.extend(missed.cloned());
                subscriber.cursor.advance_to(name, after);
            }
        }
        while subscriber.queue.len() > self.config.queue_max {
            subscriber.queue.pop_front();
        }
        if added {
            self.changes += 1;
        }
        self.forget_stalest();
        self.subscribers.get(&id).map(|s| &s.topics[..])
    }

    /// Takes `topics` off a subscriber's, with what it has queued of them. `None` if there
    /// is no such subscriber (or it was evicted); else its topics now.
    pub fn remove_topics(&mut self, id: SubId, topics: &[String]) -> Option<&[String]> {
        let subscriber = self.subscribers.get_mut(&id)?;
        if subscriber.evicted.is_some() {
            return None;
        }
        let before = subscriber.topics.len();
        subscriber.topics.retain(|t| !topics.contains(t));
        if subscriber.topics.len() != before {
            self.changes += 1;
            subscriber.queue.retain(|e| !topics.contains(&e.topic));
            for name in topics {
                subscriber.cursor.remove(name);
                if let Some(topic) = self.topics.get_mut(name) {
                    topic.subscribers.retain(|s| *s != id);
                }
            }
        }
        Some(&subscriber.topics[..])
    }

    /// A subscriber's topics.
    pub fn topics(&self, id: SubId) -> Option<&[String]> {
        self.subscribers.get(&id).map(|s| &s.topics[..])
    }

    /// The subscriber is gone (its connection closed).
    pub fn unsubscribe(&mut self, id: SubId) {
        let Some(subscriber) = self.subscribers.remove(&id) else {
            return;
        };
        self.changes += 1;
        for name in &subscriber.topics {
            if let Some(topic) = self.topics.get_mut(name) {
                topic.subscribers.retain(|s| *s != id);
            }
        }
    }

    /// Queues `event` for the shard's subscribers to its topic and keeps it for resuming.
    pub fn deliver(&mut self, event: Arc<Event>) -> Delivery {
        self.deliveries += 1;
        let mut delivery = Delivery::default();
        let topic = self.topics.entry(event.topic.clone()).or_default();
        topic.touched = self.deliveries;
        if self.config.replay_max > 0 {
            while topic.recent.len() >= self.config.replay_max
                && let Some(old) = topic.recent.pop_front()
            {
                self.kept_bytes -= old.data.len();
            }
            self.kept_bytes += event.data.len();
            topic.recent.push_back(event.clone());
        }
        for id in &topic.subscribers {
            let Some(subscriber) = self.subscribers.get_mut(id) else {
                continue;
            };
            if subscriber.evicted.is_some() {
                continue;
            }
            if subscriber.queue.len() >= self.config.queue_max {
                subscriber.evicted = Some("too slow: its queue of events is full");
                subscriber.queue.clear();
                self.evictions += 1;
                delivery.evicted.push(*id);
                continue;
            }
            if subscriber.queue.is_empty() {
                delivery.woken.push(*id);
            }
            subscriber.queue.push_back(event.clone());
        }
        self.forget_stalest();
        delivery
    }

    /// The subscriber's next event; `Err` with the reason once it has been evicted.
    pub fn next(&mut self, id: SubId) -> Result<Option<Arc<Event>>, &'static str> {
        match self.subscribers.get_mut(&id) {
            None => Err("unsubscribed"),
            Some(Subscriber {
                evicted: Some(reason),
                ..
            }) => Err(reason),
            Some(subscriber) => {
                let event = subscriber.queue.pop_front();
                if let Some(event) = &event {
                    subscriber.cursor.advance(event);
                }
                Ok(event)
            }
        }
    }

    /// The id of the last event the subscriber took (an SSE `id:`).
    pub fn cursor(&self, id: SubId) -> Option<&Cursor> {
        self.subscribers.get(&id).map(|s| &s.cursor)
    }

    /// The shard's subscribers to `topic`.
    pub fn presence(&self, topic: &str) -> usize {
        self.topics.get(topic).map_or(0, |t| t.subscribers.len())
    }

    /// The shard's subscribers.
    pub fn subscribers(&self) -> usize {
        self.subscribers.len()
    }

    /// Subscriptions made and ended so far: the counts changed when this moved.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The topics that have subscribers here, with how many: at most `max`, the most
    /// subscribed first (ties by name, so a report is the same for the same counts).
    pub fn counts(&self, max: usize) -> Vec<(String, u64)> {
        let mut counts: Vec<(String, u64)> = self
            .topics
            .iter()
            .filter(|(_, t)| !t.subscribers.is_empty())
            .map(|(name, t)| (name.clone(), t.subscribers.len() as u64))
            .collect();
        counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts.truncate(max);
        counts
    }

    /// Keeps at most `REALTIME_TOPICS_MAX` topics and `REALTIME_REPLAY_BYTES_MAX` bytes of
    /// kept events: the topic published to least recently loses its kept events (and is
    /// forgotten if it has no subscribers here). A scan of the topics, made only when over a
    /// bound.
    fn forget_stalest(&mut self) {
        while self.topics.len() > REALTIME_TOPICS_MAX || self.kept_bytes > REALTIME_REPLAY_BYTES_MAX
        {
            let over_topics = self.topics.len() > REALTIME_TOPICS_MAX;
            let stalest = self
                .topics
                .iter()
                .filter(|(_, t)| {
                    if over_topics {
                        t.subscribers.is_empty()
                    } else {
                        !t.recent.is_empty()
                    }
                })
                .min_by_key(|(_, t)| t.touched)
                .map(|(name, _)| name.clone());
            let Some(name) = stalest else { return };
            let Some(topic) = self.topics.get_mut(&name) else {
                return;
            };
            for event in topic.recent.drain(..) {
                self.kept_bytes -= event.data.len();
            }
            if topic.subscribers.is_empty() {
                self.topics.remove(&name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn event(topic: &str, seq: u64) -> Arc<Event> {
        Arc::new(Event {
            topic: topic.to_owned(),
            seq,
            name: None,
            data: Bytes::from(format!("{topic}#{seq}")),
        })
    }

    fn hub(replay_max: usize, queue_max: usize) -> Hub {
        Hub::new(HubConfig {
            replay_max,
            queue_max,
            epoch: super::super::epoch_for_tests(),
        })
    }

    fn drain(hub: &mut Hub, id: SubId) -> Vec<String> {
        let mut seen = Vec::new();
        while let Ok(Some(e)) = hub.next(id) {
            seen.push(String::from_utf8_lossy(&e.data).into_owned());
        }
        seen
    }

    #[test]
    fn events_reach_the_subscribers_of_their_topic_in_order() {
        let mut hub = hub(8, 8);
        let a = hub.subscribe(vec!["a".into()], None);
        let ab = hub.subscribe(vec!["a".into(), "b".into()], None);
        let d = hub.deliver(event("a", 1));
        assert_eq!(d.woken, [a, ab]);
        // Already queued: not woken again.
        assert_eq!(hub.deliver(event("a", 2)).woken, []);
        assert_eq!(hub.deliver(event("b", 1)).woken, []);
        assert_eq!(hub.deliver(event("c", 1)), Delivery::default());
        assert_eq!(drain(&mut hub, a), ["a#1", "a#2"]);
        assert_eq!(drain(&mut hub, ab), ["a#1", "a#2", "b#1"]);
        assert_eq!((hub.presence("a"), hub.presence("b")), (2, 1));
        hub.unsubscribe(a);
        assert_eq!(hub.presence("a"), 1);
        assert_eq!(hub.next(a), Err("unsubscribed"));
    }

    #[test]
    fn counts_list_the_most_subscribed_topics_and_changes_move_with_subscriptions() {
        let mut hub = hub(0, 8);
        assert_eq!(hub.changes(), 0);
        let a = hub.subscribe(vec!["a".into(), "b".into()], None);
        hub.subscribe(vec!["b".into()], None);
        hub.subscribe(vec!["c".into()], None);
        let counts = |hub: &Hub, max| -> Vec<(String, u64)> { hub.counts(max) };
        let pairs = |list: &[(&str, u64)]| -> Vec<(String, u64)> {
            list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
        };
        assert_eq!(counts(&hub, 8), pairs(&[("b", 2), ("a", 1), ("c", 1)]));
        assert_eq!(counts(&hub, 2), pairs(&[("b", 2), ("a", 1)]));
        assert_eq!(hub.changes(), 3);
        hub.unsubscribe(a);
        assert_eq!(hub.changes(), 4);
        // A topic left without subscribers is not listed; an unknown id changes nothing.
        assert_eq!(counts(&hub, 8), pairs(&[("b", 1), ("c", 1)]));
        hub.unsubscribe(a);
        assert_eq!(hub.changes(), 4);
        // Events change no counts.
        hub.deliver(event("b", 1));
        assert_eq!(hub.changes(), 4);
    }

    #[test]
    fn a_resuming_subscriber_gets_what_it_missed_of_what_is_kept() {
        let mut hub = hub(3, 16);
        for seq in 1..=5 {
            hub.deliver(event("a", seq));
        }
        hub.deliver(event("b", 1));
        let cursor = Cursor::parse(&format!("{}:a=3,b=0", super::super::epoch_for_tests()))
            .expect("a cursor");
        let id = hub.subscribe(vec!["a".into(), "b".into()], Some(&cursor));
        // a: 4 and 5 (3 events kept: 3, 4, 5); b: 1.
        assert_eq!(drain(&mut hub, id), ["a#4", "a#5", "b#1"]);
        let at = hub.cursor(id).expect("subscribed").text();
        assert_eq!(at, format!("{}:a=5,b=1", super::super::epoch_for_tests()));
        // A cursor from another process start resumes nothing.
        let old = Cursor::parse("1:a=0").expect("a cursor");
        let fresh = hub.subscribe(vec!["a".into()], Some(&old));
        assert_eq!(drain(&mut hub, fresh), Vec::<String>::new());
    }

    #[test]
    fn a_subscriber_that_falls_behind_is_evicted_and_others_are_not_held_up() {
        let mut hub = hub(0, 2);
        let slow = hub.subscribe(vec!["a".into()], None);
        let fast = hub.subscribe(vec!["a".into()], None);
        for seq in 1..=2 {
            hub.deliver(event("a", seq));
            assert_eq!(drain(&mut hub, fast).len(), 1);
        }
        let d = hub.deliver(event("a", 3));
        assert_eq!(d.evicted, [slow]);
        assert_eq!(d.woken, [fast]);
        assert_eq!(hub.next(slow), Err("too slow: its queue of events is full"));
        assert_eq!(hub.evictions, 1);
        assert_eq!(drain(&mut hub, fast), ["a#3"]);
    }

    #[test]
    fn a_subscriber_adds_and_drops_topics_as_it_goes() {
        let mut hub = hub(4, 8);
        let id = hub.subscribe(vec!["a".into()], None);
        for seq in 1..=3 {
            hub.deliver(event("b", seq));
        }
        hub.deliver(event("a", 1));
        // Adding b, resuming after b=1: b's kept 2 and 3 queue after what was queued; the
        // topic it has is left alone.
        let cursor =
            Cursor::parse(&format!("{}:b=1", super::super::epoch_for_tests())).expect("a cursor");
        let added = hub.add_topics(id, &["a".into(), "b".into()], Some(&cursor));
        assert_eq!(
            added.map(<[String]>::to_vec),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!((hub.presence("a"), hub.presence("b")), (1, 1));
        assert_eq!(drain(&mut hub, id), ["a#1", "b#2", "b#3"]);
        let at = hub.cursor(id).expect("subscribed").text();
        assert_eq!(at, format!("{}:a=1,b=3", super::super::epoch_for_tests()));
        // Dropping a: what is queued of it goes, and its events no longer come.
        hub.deliver(event("a", 2));
        hub.deliver(event("b", 4));
        let changes = hub.changes();
        let left = hub.remove_topics(id, &["a".into(), "zzz".into()]);
        assert_eq!(left.map(<[String]>::to_vec), Some(vec!["b".into()]));
        assert_eq!(hub.changes(), changes + 1);
        hub.deliver(event("a", 3));
        assert_eq!(drain(&mut hub, id), ["b#4"]);
        assert_eq!(hub.presence("a"), 0);
        let at = hub.cursor(id).expect("subscribed").text();
        assert_eq!(at, format!("{}:b=4", super::super::epoch_for_tests()));
        // Removing what it does not have changes nothing; an unknown subscriber has no topics.
        assert!(hub.remove_topics(id, &["a".into()]).is_some());
        assert_eq!(hub.changes(), changes + 1);
        hub.unsubscribe(id);
        assert_eq!(hub.add_topics(id, &["c".into()], None), None);
        assert_eq!(hub.topics(id), None);
    }

    #[test]
    fn topics_without_subscribers_are_forgotten_past_the_bound() {
        let mut hub = hub(1, 1);
        let kept = hub.subscribe(vec!["kept".into()], None);
        for n in 0..REALTIME_TOPICS_MAX + 10 {
            hub.deliver(event(&format!("t{n}"), 1));
        }
        assert!(hub.topics.len() <= REALTIME_TOPICS_MAX + 1);
        assert_eq!(hub.presence("kept"), 1);
        hub.deliver(event("kept", 1));
        assert_eq!(drain(&mut hub, kept), ["kept#1"]);
    }
}
