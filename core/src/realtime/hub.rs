//! One shard's hub: its subscribers, where each is in its topics, and the recent events of
//! each topic.
//!
//! **One log per topic, not a queue per subscriber.** Delivering an event appends it to its
//! topic's log once; each subscriber keeps only its position in the logs of its topics and
//! takes what lies past it when its connection is ready to write. So an event costs the
//! same to deliver whether its topic has one subscriber or ten thousand, and a subscriber
//! that is still writing what it took before is not touched at all: when it comes back it
//! takes everything that arrived meanwhile in one go. Only the subscribers *parked*
//! (waiting, with nothing to take) are woken, each once, by the first event of any of its
//! topics. Each log entry counts the subscribers that have not taken it yet, so the log
//! keeps an entry while someone needs it, and otherwise only as one of the last
//! `replay_max` (for resuming).
//!
//! **Slow subscribers.** A subscriber more than `queue_max` entries behind in a topic is
//! evicted with its reason, never waited for without bound: since the counts only grow
//! along a log (whoever has not taken an entry has not taken the ones after it either), one
//! look at the entry `queue_max` back from the end says whether anyone is that far behind.
//!
//! **Resuming.** Every shard receives every event (the topic's owner sends one copy per
//! shard), so any shard can resume any subscriber from its log: the last `replay_max`
//! events of up to `REALTIME_TOPICS_MAX` topics and `REALTIME_REPLAY_BYTES_MAX` bytes of
//! kept events (the topic published to least recently is forgotten first).
//!
//! **Order.** A subscriber to several topics takes their entries in the order the hub
//! received them (each entry carries the hub's arrival number), so a topic's own order is
//! always kept. Frames made of an entry for subscribers to that topic alone (whose event id
//! is then the same for all of them) are kept on the entry and made once ([`Entry::frame_for`]).
//!
//! The hub decides and keeps the parked subscribers' wakers (`W`, opaque here); the server
//! moves the bytes.

use std::cell::OnceCell;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;

use super::{Cursor, Event, write_cursor};
use crate::limits::{REALTIME_REPLAY_BYTES_MAX, REALTIME_TOPICS_MAX};

/// A subscriber's handle on its shard: a slot and that slot's generation, so a handle to a
/// subscriber that is gone never reaches the one that took its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubId(u64);

impl SubId {
    fn new(slot: usize, generation: u32) -> SubId {
        SubId((u64::from(generation) << 32) | slot as u64)
    }

    fn slot(self) -> usize {
        (self.0 & 0xffff_ffff) as usize
    }

    fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// Bounds of one shard's hub (`[realtime]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubConfig {
    /// Events kept per topic for resuming subscribers.
    pub replay_max: usize,
    /// Events of one topic a subscriber may have not taken yet before it is evicted as too
    /// slow.
    pub queue_max: usize,
    /// This process's epoch: cursors from another start resume nothing.
    pub epoch: u64,
}

/// What delivering one event did: the wakers to wake.
#[derive(Debug, PartialEq, Eq)]
pub struct Delivery<W> {
    /// Parked subscribers that now have something to take.
    pub woken: Vec<W>,
    /// Parked subscribers evicted for being too far behind (they end when they look).
    pub evicted: Vec<W>,
    /// Subscribers evicted, parked or not.
    pub evictions: u64,
}

impl<W> Default for Delivery<W> {
    fn default() -> Self {
        Delivery {
            woken: Vec::new(),
            evicted: Vec::new(),
            evictions: 0,
        }
    }
}

/// The kinds of frame the server makes of an entry (see [`Entry::frame_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A Server-Sent Events frame.
    Sse = 0,
    /// A WebSocket message's text.
    WebSocket = 1,
}

const FRAME_KINDS: usize = 2;

/// An event in its topic's log.
#[derive(Debug)]
pub struct Entry {
    pub event: Arc<Event>,
    /// The hub's arrival number: orders entries of different topics.
    arrival: u64,
    /// Subscribers that have not taken it yet.
    pending: u32,
    /// Frames for subscribers to this topic alone, made once.
    frames: [OnceCell<Bytes>; FRAME_KINDS],
}

impl Entry {
    /// The frame of `kind` for the subscriber at `position` after this entry, made by `make`
    /// from its event id: once for all the subscribers to this topic alone (their id is the
    /// same), each time for one with several topics.
    pub fn frame_for(
        &self,
        kind: FrameKind,
        position: &Position<'_>,
        make: impl FnOnce(&[u8]) -> Bytes,
    ) -> Bytes {
        let made = || {
            let mut id = Vec::with_capacity(32);
            position.write(&mut id);
            make(&id)
        };
        if position.single() {
            self.frame(kind, made)
        } else {
            made()
        }
    }

    /// The frame of `kind` for a subscriber to this entry's topic alone: made by `make` the
    /// first time, then shared.
    fn frame(&self, kind: FrameKind, make: impl FnOnce() -> Bytes) -> Bytes {
        self.frames[kind as usize].get_or_init(make).clone()
    }
}

/// Where a subscriber is after the entry it was just given: its event id.
pub struct Position<'a> {
    epoch: u64,
    follows: &'a [Follow],
}

impl Position<'_> {
    /// Whether the subscriber follows one topic only: then its event id after an entry is
    /// the same as every such subscriber's, and the entry's shared frames serve it.
    fn single(&self) -> bool {
        self.follows.len() == 1
    }

    /// Appends the event id (a [`Cursor`]'s text).
    fn write(&self, out: &mut Vec<u8>) {
        write_cursor(
            out,
            self.epoch,
            self.follows.iter().map(|f| (&*f.name, f.seq)),
        );
    }
}

/// One of a subscriber's topics.
#[derive(Debug)]
struct Follow {
    name: String,
    /// The topic's slot.
    topic: usize,
    /// The log index of the next entry to take.
    next: u64,
    /// The sequence number of the last event taken (the cursor's position).
    seq: u64,
    /// On the topic's parked list.
    listed: bool,
}

#[derive(Debug)]
struct Subscriber<W> {
    follows: Vec<Follow>,
    /// Why it was evicted; it ends once it has seen this.
    evicted: Option<&'static str>,
    /// Its waker while it waits for an event.
    parked: Option<W>,
}

#[derive(Debug)]
struct Slot<W> {
    generation: u32,
    subscriber: Option<Subscriber<W>>,
}

#[derive(Debug)]
struct Topic {
    name: String,
    subscribers: Vec<SubId>,
    /// Entries from log index `first` on.
    log: VecDeque<Entry>,
    first: u64,
    /// Subscribers that parked since the last event (some may have left or woken since).
    parked: Vec<SubId>,
    /// When this topic last had an event, in deliveries (for forgetting the stalest).
    touched: u64,
}

impl Topic {
    /// The log index the next entry gets.
    fn end(&self) -> u64 {
        self.first + self.log.len() as u64
    }

    fn entry_mut(&mut self, index: u64) -> Option<&mut Entry> {
        let at = usize::try_from(index.checked_sub(self.first)?).ok()?;
        self.log.get_mut(at)
    }

    /// Drops the entries nobody needs that are not among the last `keep`; the bytes of
    /// their events.
    fn trim(&mut self, keep: usize) -> usize {
        let mut freed = 0;
        while self.log.len() > keep
            && self.log.front().is_some_and(|e| e.pending == 0)
            && let Some(old) = self.log.pop_front()
        {
            self.first += 1;
            freed += old.event.data.len();
        }
        freed
    }

    /// One subscriber fewer needs the entries from `from` on.
    fn release(&mut self, from: u64) {
        let start = from.saturating_sub(self.first) as usize;
        for entry in self.log.iter_mut().skip(start) {
            entry.pending = entry.pending.saturating_sub(1);
        }
    }
}

/// One shard's realtime state. See the module docs.
#[derive(Debug)]
pub struct Hub<W> {
    config: HubConfig,
    topics: Vec<Option<Topic>>,
    topics_free: Vec<usize>,
    names: HashMap<String, usize>,
    slots: Vec<Slot<W>>,
    slots_free: Vec<usize>,
    subscribers: usize,
    deliveries: u64,
    /// Bytes of the events in the logs.
    kept_bytes: usize,
    /// Subscribers evicted so far (for the metrics).
    pub evictions: u64,
    /// Subscriptions made and ended so far: presence changed when this moved.
    changes: u64,
}

impl<W> Hub<W> {
    pub fn new(config: HubConfig) -> Hub<W> {
        assert!(config.queue_max >= 1);
        Hub {
            config,
            topics: Vec::new(),
            topics_free: Vec::new(),
            names: HashMap::new(),
            slots: Vec::new(),
            slots_free: Vec::new(),
            subscribers: 0,
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

    /// New bounds (a reload): logs shrink to them as events arrive.
    pub fn reconfigure(&mut self, config: HubConfig) {
        assert!(config.queue_max >= 1);
        self.config = config;
    }

    fn subscriber(&self, id: SubId) -> Option<&Subscriber<W>> {
        let slot = self.slots.get(id.slot())?;
        if slot.generation != id.generation() {
            return None;
        }
        slot.subscriber.as_ref()
    }

    fn subscriber_mut(&mut self, id: SubId) -> Option<&mut Subscriber<W>> {
        let slot = self.slots.get_mut(id.slot())?;
        if slot.generation != id.generation() {
            return None;
        }
        slot.subscriber.as_mut()
    }

    fn topic(&self, name: &str) -> Option<&Topic> {
        self.names
            .get(name)
            .and_then(|&at| self.topics.get(at)?.as_ref())
    }

    /// The slot of topic `name`, made if it is new.
    fn topic_slot(&mut self, name: &str) -> usize {
        if let Some(&at) = self.names.get(name) {
            return at;
        }
        let topic = Topic {
            name: name.to_owned(),
            subscribers: Vec::new(),
            log: VecDeque::new(),
            first: 0,
            parked: Vec::new(),
            touched: self.deliveries,
        };
        let at = match self.topics_free.pop() {
            Some(at) => {
                self.topics[at] = Some(topic);
                at
            }
            None => {
                self.topics.push(Some(topic));
                self.topics.len() - 1
            }
        };
        self.names.insert(name.to_owned(), at);
        at
    }

    /// `subscriber` (`id`) starts following `name`: from its end, or with `resume` after the
    /// cursor's position in it as far as the log goes back (at most `queue_max` entries).
    fn follow(&mut self, id: SubId, name: &str, resume: Option<&Cursor>) -> Follow {
        let queue_max = self.config.queue_max as u64;
        let at = self.topic_slot(name);
        let Some(topic) = self.topics[at].as_mut() else {
            unreachable!("a topic's slot holds it");
        };
        topic.subscribers.push(id);
        let end = topic.end();
        let mut follow = Follow {
            name: name.to_owned(),
            topic: at,
            next: end,
            seq: 0,
            listed: false,
        };
        if let Some(after) = resume.and_then(|r| r.position(name)) {
            follow.seq = after;
            // Older than `queue_max` back are dropped (the client sees the gap in the
            // sequence numbers), rather than evicting a subscriber before it started.
            let oldest = end.saturating_sub(queue_max).max(topic.first);
            let missed = topic.log.iter().skip((oldest - topic.first) as usize);
            let skipped = missed.take_while(|e| e.event.seq <= after).count() as u64;
            follow.next = oldest + skipped;
            for entry in topic
                .log
                .iter_mut()
                .skip((follow.next - topic.first) as usize)
            {
                entry.pending += 1;
            }
        }
        follow
    }

    /// A new subscriber to `topics` (valid, deduplicated by the caller). With `resume` (the
    /// last event id it saw), the kept events after that point are its first, oldest first;
    /// a cursor from another process start resumes nothing.
    pub fn subscribe(&mut self, topics: Vec<String>, resume: Option<&Cursor>) -> SubId {
        let slot = match self.slots_free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    subscriber: None,
                });
                self.slots.len() - 1
            }
        };
        let id = SubId::new(slot, self.slots[slot].generation);
        let resume = resume.filter(|c| c.epoch == self.config.epoch);
        let follows = topics
            .iter()
            .map(|name| self.follow(id, name, resume))
            .collect();
        self.slots[slot].subscriber = Some(Subscriber {
            follows,
            evicted: None,
            parked: None,
        });
        self.subscribers += 1;
        self.changes += 1;
        self.forget_stalest();
        id
    }

    /// Adds `topics` (valid, deduplicated by the caller) to a subscriber's: those it has
    /// already are left as they are; with `resume`, what is kept of each new topic after
    /// the cursor's position is taken first. `None` if there is no such subscriber (or it
    /// was evicted); else its topics now.
    pub fn add_topics(
        &mut self,
        id: SubId,
        topics: &[String],
        resume: Option<&Cursor>,
    ) -> Option<Vec<String>> {
        let subscriber = self.subscriber(id)?;
        if subscriber.evicted.is_some() {
            return None;
        }
        let new: Vec<String> = topics
            .iter()
            .filter(|t| !subscriber.follows.iter().any(|f| &f.name == *t))
            .cloned()
            .collect();
        let resume = resume.filter(|c| c.epoch == self.config.epoch);
        let follows: Vec<Follow> = new
            .iter()
            .map(|name| self.follow(id, name, resume))
            .collect();
        let added = !follows.is_empty();
        let subscriber = self.subscriber_mut(id)?;
        subscriber.follows.extend(follows);
        if added {
            self.changes += 1;
            self.forget_stalest();
        }
        self.topics(id)
    }

    /// Takes `topics` off a subscriber's. `None` if there is no such subscriber (or it was
    /// evicted); else its topics now.
    pub fn remove_topics(&mut self, id: SubId, topics: &[String]) -> Option<Vec<String>> {
        let subscriber = self.subscriber_mut(id)?;
        if subscriber.evicted.is_some() {
            return None;
        }
        let mut dropped = Vec::new();
        subscriber.follows.retain(|f| {
            let keep = !topics.contains(&f.name);
            if !keep {
                dropped.push((f.topic, f.next, f.listed));
            }
            keep
        });
        if !dropped.is_empty() {
            self.changes += 1;
        }
        for (at, next, listed) in dropped {
            self.unfollow(id, at, next, listed);
        }
        self.topics(id)
    }

    /// `id` no longer follows the topic in slot `at`, where it had taken up to `next`
    /// (and was on its parked list if `listed`: a quiet topic's list must not keep those
    /// who left).
    fn unfollow(&mut self, id: SubId, at: usize, next: u64, listed: bool) {
        if let Some(topic) = self.topics.get_mut(at).and_then(Option::as_mut) {
            topic.subscribers.retain(|s| *s != id);
            if listed {
                topic.parked.retain(|s| *s != id);
            }
            topic.release(next);
        }
    }

    /// A subscriber's topics.
    pub fn topics(&self, id: SubId) -> Option<Vec<String>> {
        let subscriber = self.subscriber(id)?;
        Some(subscriber.follows.iter().map(|f| f.name.clone()).collect())
    }

    /// The subscriber is gone (its connection closed).
    pub fn unsubscribe(&mut self, id: SubId) {
        let Some(slot) = self.slots.get_mut(id.slot()) else {
            return;
        };
        if slot.generation != id.generation() {
            return;
        }
        let Some(subscriber) = slot.subscriber.take() else {
            return;
        };
        slot.generation = slot.generation.wrapping_add(1);
        self.slots_free.push(id.slot());
        self.subscribers -= 1;
        self.changes += 1;
        if subscriber.evicted.is_some() {
            // Its topics let it go when it was evicted.
            return;
        }
        for follow in &subscriber.follows {
            self.unfollow(id, follow.topic, follow.next, follow.listed);
        }
    }

    /// Appends `event` to its topic's log; says whom to wake, and evicts whoever is now
    /// more than `queue_max` entries behind.
    pub fn deliver(&mut self, event: Arc<Event>) -> Delivery<W> {
        self.deliveries += 1;
        let mut delivery = Delivery::default();
        let at = self.topic_slot(&event.topic);
        let Some(topic) = self.topics[at].as_mut() else {
            unreachable!("a topic's slot holds it");
        };
        topic.touched = self.deliveries;
        self.kept_bytes += event.data.len();
        let index = topic.end();
        topic.log.push_back(Entry {
            event,
            arrival: self.deliveries,
            pending: topic.subscribers.len() as u32,
            frames: Default::default(),
        });
        let parked = std::mem::take(&mut topic.parked);
        let behind = index.checked_sub(self.config.queue_max as u64);
        let lagging = behind
            .and_then(|behind| topic.entry_mut(behind))
            .is_some_and(|e| e.pending > 0);
        if lagging && let Some(behind) = behind {
            self.evict_behind(at, behind, &mut delivery);
        }
        for id in parked {
            let Some(subscriber) = self.subscriber_mut(id) else {
                continue;
            };
            if let Some(follow) = subscriber.follows.iter_mut().find(|f| f.topic == at) {
                follow.listed = false;
            }
            if let Some(waker) = subscriber.parked.take() {
                delivery.woken.push(waker);
            }
        }
        self.trim(at);
        self.forget_stalest();
        delivery
    }

    /// Evicts the subscribers of topic `at` that have not taken its entry `behind`.
    fn evict_behind(&mut self, at: usize, behind: u64, delivery: &mut Delivery<W>) {
        let Some(topic) = self.topics[at].as_ref() else {
            return;
        };
        let subscribers = topic.subscribers.clone();
        for id in subscribers {
            let Some(subscriber) = self.subscriber_mut(id) else {
                continue;
            };
            if subscriber.evicted.is_some()
                || !subscriber
                    .follows
                    .iter()
                    .any(|f| f.topic == at && f.next <= behind)
            {
                continue;
            }
            subscriber.evicted = Some("too slow: queue_max events behind");
            let released: Vec<(usize, u64, bool)> = subscriber
                .follows
                .iter()
                .map(|f| (f.topic, f.next, f.listed))
                .collect();
            if let Some(waker) = subscriber.parked.take() {
                delivery.evicted.push(waker);
            }
            delivery.evictions += 1;
            self.evictions += 1;
            self.changes += 1;
            // No longer counted, nor waited for.
            for (topic, next, listed) in released {
                self.unfollow(id, topic, next, listed);
            }
        }
    }

    /// Drops the entries of topic `at` that nobody needs and are not among the last
    /// `replay_max`.
    fn trim(&mut self, at: usize) {
        if let Some(topic) = self.topics[at].as_mut() {
            self.kept_bytes -= topic.trim(self.config.replay_max);
        }
    }

    /// Gives `each` the subscriber's entries past its positions, in arrival order, each
    /// with the subscriber's position after it, until there are none or `each` says
    /// stop (false, after taking the one it was given). How many it took; `Err` with the
    /// reason once the subscriber has been evicted (or is gone).
    pub fn take(
        &mut self,
        id: SubId,
        mut each: impl FnMut(&Entry, &Position<'_>) -> bool,
    ) -> Result<usize, &'static str> {
        let epoch = self.config.epoch;
        let Some(slot) = self.slots.get_mut(id.slot()) else {
            return Err("unsubscribed");
        };
        let Some(subscriber) = slot
            .subscriber
            .as_mut()
            .filter(|_| slot.generation == id.generation())
        else {
            return Err("unsubscribed");
        };
        if let Some(reason) = subscriber.evicted {
            return Err(reason);
        }
        let topics = &mut self.topics;
        let first_of = |topic: &Option<Topic>| topic.as_ref().map_or(0, |t| t.first);
        let mut taken = 0;
        let mut stale = false;
        loop {
            // The follow whose next entry arrived first.
            let mut first: Option<(usize, u64)> = None;
            for (i, follow) in subscriber.follows.iter().enumerate() {
                let Some(topic) = topics[follow.topic].as_mut() else {
                    continue;
                };
                if let Some(entry) = topic.entry_mut(follow.next)
                    && first.is_none_or(|(_, arrival)| entry.arrival < arrival)
                {
                    first = Some((i, entry.arrival));
                }
            }
            let Some((i, _)) = first else { break };
            let (at, index) = {
                let follow = &mut subscriber.follows[i];
                follow.next += 1;
                (follow.topic, follow.next - 1)
            };
            let front = first_of(&topics[at]);
            let Some(entry) = topics[at].as_mut().and_then(|t| t.entry_mut(index)) else {
                break;
            };
            entry.pending = entry.pending.saturating_sub(1);
            // The last to take the log's first entry lets it go (unless kept to resume).
            stale |= entry.pending == 0 && index == front;
            let follow = &mut subscriber.follows[i];
            follow.seq = follow.seq.max(entry.event.seq);
            taken += 1;
            let position = Position {
                epoch,
                follows: &subscriber.follows,
            };
            if !each(entry, &position) {
                break;
            }
        }
        if taken > 0 {
            // Not waiting any more: an event meanwhile need not wake it.
            subscriber.parked = None;
        }
        if stale {
            let follows: Vec<usize> = subscriber.follows.iter().map(|f| f.topic).collect();
            for at in follows {
                self.trim(at);
            }
        }
        Ok(taken)
    }

    /// The subscriber waits for an event: `waker` is handed back (in a [`Delivery`]) by the
    /// next event of any of its topics, or by its eviction. Replaces the waker it parked
    /// with before.
    pub fn park(&mut self, id: SubId, waker: W) {
        let Some(subscriber) = self.subscriber_mut(id) else {
            return;
        };
        subscriber.parked = Some(waker);
        let mut listing = Vec::new();
        for follow in subscriber.follows.iter_mut().filter(|f| !f.listed) {
            follow.listed = true;
            listing.push(follow.topic);
        }
        for at in listing {
            if let Some(topic) = self.topics.get_mut(at).and_then(Option::as_mut) {
                topic.parked.push(id);
            }
        }
    }

    /// The subscriber's next event; `Err` with the reason once it has been evicted (the
    /// tests' one-at-a-time view of [`Hub::take`]).
    #[cfg(test)]
    pub fn next(&mut self, id: SubId) -> Result<Option<Arc<Event>>, &'static str> {
        let mut next = None;
        self.take(id, |entry, _| {
            next = Some(entry.event.clone());
            false
        })?;
        Ok(next)
    }

    /// The subscriber's event id now (an SSE `id:`).
    #[cfg(test)]
    pub fn cursor(&self, id: SubId) -> Option<Cursor> {
        let subscriber = self.subscriber(id)?;
        let mut text = Vec::new();
        Position {
            epoch: self.config.epoch,
            follows: &subscriber.follows,
        }
        .write(&mut text);
        Cursor::parse(std::str::from_utf8(&text).ok()?)
    }

    /// The shard's subscribers to `topic`.
    pub fn presence(&self, topic: &str) -> usize {
        self.topic(topic).map_or(0, |t| t.subscribers.len())
    }

    /// The shard's subscribers.
    pub fn subscribers(&self) -> usize {
        self.subscribers
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
            .flatten()
            .filter(|t| !t.subscribers.is_empty())
            .map(|t| (t.name.clone(), t.subscribers.len() as u64))
            .collect();
        counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts.truncate(max);
        counts
    }

    /// Keeps at most `REALTIME_TOPICS_MAX` topics and `REALTIME_REPLAY_BYTES_MAX` bytes of
    /// kept events: the topic published to least recently loses the entries kept only for
    /// resuming (and is forgotten if it has no subscribers here). Entries a subscriber has
    /// yet to take stay (`queue_max` bounds those). A scan of the topics, made only when over
    /// a bound.
    fn forget_stalest(&mut self) {
        while self.names.len() > REALTIME_TOPICS_MAX || self.kept_bytes > REALTIME_REPLAY_BYTES_MAX
        {
            let over_topics = self.names.len() > REALTIME_TOPICS_MAX;
            let stalest = self
                .topics
                .iter()
                .enumerate()
                .filter_map(|(at, t)| Some((at, t.as_ref()?)))
                .filter(|(_, t)| {
                    if over_topics {
                        t.subscribers.is_empty()
                    } else {
                        t.log.front().is_some_and(|e| e.pending == 0)
                    }
                })
                .min_by_key(|(_, t)| t.touched)
                .map(|(at, _)| at);
            let Some(at) = stalest else { return };
            let Some(topic) = self.topics[at].as_mut() else {
                return;
            };
            while topic.log.front().is_some_and(|e| e.pending == 0)
                && let Some(old) = topic.log.pop_front()
            {
                topic.first += 1;
                self.kept_bytes -= old.event.data.len();
            }
            if topic.subscribers.is_empty() {
                let name = std::mem::take(&mut topic.name);
                for entry in topic.log.drain(..) {
                    self.kept_bytes -= entry.event.data.len();
                }
                self.topics[at] = None;
                self.topics_free.push(at);
                self.names.remove(&name);
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

    fn hub(replay_max: usize, queue_max: usize) -> Hub<SubId> {
        Hub::new(HubConfig {
            replay_max,
            queue_max,
            epoch: super::super::epoch_for_tests(),
        })
    }

    fn drain(hub: &mut Hub<SubId>, id: SubId) -> Vec<String> {
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
        // Only parked subscribers are woken, each once.
        assert_eq!(hub.deliver(event("a", 1)).woken, []);
        hub.park(a, a);
        hub.park(ab, ab);
        hub.park(ab, ab);
        assert_eq!(hub.deliver(event("a", 2)).woken, [a, ab]);
        assert_eq!(hub.deliver(event("b", 1)).woken, []);
        assert_eq!(hub.deliver(event("c", 1)), Delivery::default());
        assert_eq!(drain(&mut hub, a), ["a#1", "a#2"]);
        assert_eq!(drain(&mut hub, ab), ["a#1", "a#2", "b#1"]);
        // Parked on both of its topics, it is woken by the first event of either.
        hub.park(ab, ab);
        assert_eq!(hub.deliver(event("b", 2)).woken, [ab]);
        assert_eq!(hub.deliver(event("a", 3)).woken, []);
        // Taking clears a parking: nothing is woken for a subscriber that is busy.
        hub.park(a, a);
        assert_eq!(drain(&mut hub, a), ["a#3"]);
        assert_eq!(hub.deliver(event("a", 4)).woken, []);
        assert_eq!((hub.presence("a"), hub.presence("b")), (2, 1));
        hub.unsubscribe(a);
        assert_eq!(hub.presence("a"), 1);
        assert_eq!(hub.next(a), Err("unsubscribed"));
        // Its slot's next subscriber is not reached through the old handle.
        let again = hub.subscribe(vec!["a".into()], None);
        assert_ne!(again, a);
        assert_eq!(hub.next(a), Err("unsubscribed"));
        assert_eq!(hub.topics(a), None);
    }

    #[test]
    fn a_subscriber_to_several_topics_takes_them_in_arrival_order_with_its_cursor() {
        let mut hub = hub(0, 8);
        let ab = hub.subscribe(vec!["a".into(), "b".into()], None);
        let b = hub.subscribe(vec!["b".into()], None);
        hub.deliver(event("b", 4));
        hub.deliver(event("a", 9));
        hub.deliver(event("b", 7));
        let mut seen = Vec::new();
        let taken = hub.take(ab, |entry, position| {
            let mut id = Vec::new();
            position.write(&mut id);
            seen.push((
                entry.event.seq,
                position.single(),
                String::from_utf8(id).unwrap(),
            ));
            true
        });
        assert_eq!(taken, Ok(3));
        assert_eq!(
            seen,
            [
                (4, false, "7:a=0,b=4".to_owned()),
                (9, false, "7:a=9,b=4".to_owned()),
                (7, false, "7:a=9,b=7".to_owned()),
            ]
        );
        // A frame made for a single-topic subscriber is made once per entry.
        let mut made = 0;
        for _ in 0..2 {
            let mut frames = Vec::new();
            let probe = hub.subscribe(vec!["b".into()], None);
            hub.unsubscribe(probe);
            hub.take(b, |entry, position| {
                assert!(position.single());
                frames.push(entry.frame(FrameKind::Sse, || {
                    made += 1;
                    Bytes::from(format!("frame {}", entry.event.seq))
                }));
                false
            })
            .expect("subscribed");
            assert_eq!(frames.len(), 1);
        }
        assert_eq!(made, 2, "two entries, one frame each");
        // Once everyone has taken them, nothing is kept (replay_max = 0).
        drain(&mut hub, b);
        hub.deliver(event("a", 10));
        assert_eq!(hub.kept_bytes, "a#10".len());
    }

    #[test]
    fn counts_list_the_most_subscribed_topics_and_changes_move_with_subscriptions() {
        let mut hub = hub(0, 8);
        assert_eq!(hub.changes(), 0);
        let a = hub.subscribe(vec!["a".into(), "b".into()], None);
        hub.subscribe(vec!["b".into()], None);
        hub.subscribe(vec!["c".into()], None);
        let counts = |hub: &Hub<SubId>, max| -> Vec<(String, u64)> { hub.counts(max) };
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
        // At most queue_max back: older ones are a gap.
        let mut hub = super::tests::hub(16, 2);
        for seq in 1..=5 {
            hub.deliver(event("a", seq));
        }
        let cursor =
            Cursor::parse(&format!("{}:a=1", super::super::epoch_for_tests())).expect("a cursor");
        let id = hub.subscribe(vec!["a".into()], Some(&cursor));
        assert_eq!(drain(&mut hub, id), ["a#4", "a#5"]);
    }

    #[test]
    fn a_subscriber_that_falls_behind_is_evicted_and_others_are_not_held_up() {
        let mut hub = hub(0, 2);
        let slow = hub.subscribe(vec!["a".into(), "b".into()], None);
        let fast = hub.subscribe(vec!["a".into()], None);
        hub.park(slow, slow);
        for seq in 1..=2 {
            hub.deliver(event("a", seq));
            assert_eq!(drain(&mut hub, fast).len(), 1);
        }
        hub.deliver(event("b", 1));
        hub.park(fast, fast);
        let d = hub.deliver(event("a", 3));
        assert_eq!(d.evictions, 1);
        assert_eq!(d.woken, [fast]);
        assert_eq!(hub.next(slow), Err("too slow: queue_max events behind"));
        assert_eq!(hub.evictions, 1);
        assert_eq!(drain(&mut hub, fast), ["a#3"]);
        // The evicted one's entries are let go: both logs empty once the fast one has
        // taken its own, and the slow one's leaving releases nothing twice.
        hub.deliver(event("a", 4));
        assert_eq!(drain(&mut hub, fast), ["a#4"]);
        hub.unsubscribe(slow);
        hub.deliver(event("b", 2));
        hub.deliver(event("a", 5));
        assert_eq!(hub.kept_bytes, "a#5".len());
        // A parked subscriber that is evicted is handed back as such.
        let mut hub = super::tests::hub(0, 1);
        let parked = hub.subscribe(vec!["a".into()], None);
        hub.deliver(event("a", 1));
        hub.park(parked, parked);
        let d = hub.deliver(event("a", 2));
        assert_eq!((d.evicted, d.woken), (vec![parked], vec![]));
    }

    #[test]
    fn a_subscriber_adds_and_drops_topics_as_it_goes() {
        let mut hub = hub(4, 8);
        let id = hub.subscribe(vec!["a".into()], None);
        for seq in 1..=3 {
            hub.deliver(event("b", seq));
        }
        hub.deliver(event("a", 1));
        // Adding b, resuming after b=1: b's kept 2 and 3 come (in the order the hub got
        // them, so before a#1); the topic it has is left alone.
        let cursor =
            Cursor::parse(&format!("{}:b=1", super::super::epoch_for_tests())).expect("a cursor");
        let added = hub.add_topics(id, &["a".into(), "b".into()], Some(&cursor));
        assert_eq!(added, Some(vec!["a".into(), "b".into()]));
        assert_eq!((hub.presence("a"), hub.presence("b")), (1, 1));
        assert_eq!(drain(&mut hub, id), ["b#2", "b#3", "a#1"]);
        let at = hub.cursor(id).expect("subscribed").text();
        assert_eq!(at, format!("{}:a=1,b=3", super::super::epoch_for_tests()));
        // Dropping a: what is waiting of it goes, and its events no longer come.
        hub.deliver(event("a", 2));
        hub.deliver(event("b", 4));
        let changes = hub.changes();
        let left = hub.remove_topics(id, &["a".into(), "zzz".into()]);
        assert_eq!(left, Some(vec!["b".into()]));
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
    fn subscribers_that_park_and_leave_are_not_kept_on_a_quiet_topic() {
        let mut hub = hub(0, 8);
        let stays = hub.subscribe(vec!["quiet".into()], None);
        hub.park(stays, stays);
        for n in 0..1000 {
            let id = hub.subscribe(vec!["quiet".into(), "other".into()], None);
            hub.park(id, id);
            // Half of them drop the topic first, half leave with it.
            if n % 4 < 2 {
                hub.remove_topics(id, &["quiet".into()]);
            }
            hub.unsubscribe(id);
        }
        let quiet = hub.topic("quiet").expect("a topic with a subscriber");
        assert_eq!(quiet.parked, [stays]);
        assert_eq!(hub.deliver(event("quiet", 1)).woken, [stays]);
    }

    #[test]
    fn topics_without_subscribers_are_forgotten_past_the_bound() {
        let mut hub = hub(1, 1);
        let kept = hub.subscribe(vec!["kept".into()], None);
        for n in 0..REALTIME_TOPICS_MAX + 10 {
            hub.deliver(event(&format!("t{n}"), 1));
        }
        assert!(hub.names.len() <= REALTIME_TOPICS_MAX + 1);
        assert_eq!(hub.presence("kept"), 1);
        hub.deliver(event("kept", 1));
        assert_eq!(drain(&mut hub, kept), ["kept#1"]);
    }
}
