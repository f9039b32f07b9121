//! Transactions' outcomes kept on a shard, so a request that repeats is not run through the
//! rules again: the same bytes in, the same verdict out.
//!
//! A transaction is a pure function of its inputs. Phases 1 and 2 read the request (the
//! method, target, protocol and header fields), the client's address and port, and the
//! transaction's id; nothing else (bext's persistent collections are always empty, and the
//! engine reads no clock). The response phases add the response head, then the body's first
//! bytes. So the state after phase 2 can be kept under the request's bytes and, for the
//! next request with the same bytes, taken instead of made. Each later stage's outcome is
//! kept under the stage's own input, below the state it started from: a small tree per
//! request, each node a whole [`Transaction`] as its stage left it.
//!
//! Exactness, not likelihood:
//! - the key is every byte of the request the engine reads, length-prefixed, compared in
//!   full (a hash only finds the slot), so no two different requests share an entry;
//! - the peer and the id are left out of the key. The engine notes when a rule reads one
//!   ([`Transaction::reads_outside_key`]): a node whose stages read the address or the port
//!   serves only that address or port, and a transaction that read its id (CRS's sampling)
//!   is never kept. One read of the address is finer: a link whose only target is
//!   `REMOTE_ADDR` and that did not match it (CRS's 905110, `@ipMatch 127.0.0.1,::1`, on
//!   every request) is recorded as a guard instead, and the node serves any address that
//!   none of its guards matches: the same rules over that address would take the same path;
//! - requests with a body are never kept (bodies rarely repeat, and are large);
//! - a kept state is taken as it is only while every stage after it is found too; at the
//!   first stage that is not, the state is copied, given this request's peer and id, and
//!   run from there (and that stage's outcome kept for the next time).
//!
//! What it costs: a request's key is built and looked up for every bodiless request (some
//! 500 instructions for a browser's GET, against 450,000 to run CRS over it: `bext-wafcost
//! --unique --memo` against `--unique`), and a state is copied when kept. So a request is
//! only kept the second time its key misses (a doorkeeper of key hashes, cleared when full):
//! traffic in which nothing repeats pays for the lookups and never for the copies.
//!
//! Bounds, per shard: [`WAF_MEMO_ENTRIES_MAX`] requests, [`WAF_MEMO_BYTES_MAX`] bytes
//! (counted as [`Transaction::approx_bytes`] over every node), least recently used out
//! first; keys longer than [`WAF_MEMO_KEY_BYTES_MAX`] are not kept; a node keeps at most
//! [`WAF_MEMO_NEXT_MAX`] next stages, replacing the oldest. The memo belongs to one rule
//! set: a reload builds a new one.
//!
//! `tests/waf_fold.rs` runs the CRS regression corpus's requests through a memo (each one
//! three times, from three peers) and requires every verdict and final `TX` to be what the
//! transaction without a memo gives.

use std::cell::{Cell, RefCell};
use std::hash::BuildHasher;
use std::net::SocketAddr;
use std::rc::Rc;

use hashlink::LruCache;
use rustc_hash::{FxBuildHasher, FxHashSet};
use smallvec::SmallVec;

use super::action::EngineMode;
use super::engine::{
    READ_REMOTE_ADDR, READ_REMOTE_PORT, READ_UNIQUE_ID, Request, ResponseHead, Transaction,
    Verdict, link_matches,
};
use super::rule::RuleSet;
use crate::limits::{
    WAF_MEMO_BYTES_MAX, WAF_MEMO_ENTRIES_MAX, WAF_MEMO_KEY_BYTES_MAX, WAF_MEMO_NEXT_MAX,
    WAF_MEMO_SEEN_MAX,
};

/// The first byte of a later stage's key: which stage.
const STAGE_HEAD: u8 = 3;
const STAGE_BODY: u8 = 4;
const STAGE_FINISH: u8 = 5;

/// One shard's kept transactions for one rule set.
pub struct Memo {
    entries: LruCache<Box<[u8]>, Rc<Node>, FxBuildHasher>,
    /// The hashes of request keys that missed once: a key is kept when it misses again.
    seen: FxHashSet<u64>,
    /// The nodes' [`Node::bytes`], summed.
    bytes: usize,
    /// Where a request's key is built, kept from request to request.
    key: Vec<u8>,
    counts: MemoCounts,
}

/// What a [`Memo`] did, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoCounts {
    /// Requests whose phases 1 and 2 were a kept state.
    pub hits: u64,
    /// Bodiless requests the memo did not hold.
    pub misses: u64,
    /// States kept, of every stage.
    pub stored: u64,
    /// Requests' entries let go to stay within the bounds.
    pub evicted: u64,
}

/// A node's next stages: each stage's key and the node it led to.
type Next = SmallVec<[(Box<[u8]>, Rc<Node>); WAF_MEMO_NEXT_MAX]>;

/// A transaction as one stage left it, and the stages that followed it.
struct Node {
    tx: Transaction,
    /// The peer of the request that made it, and which of the peer's parts the stages up
    /// to this one read: the node serves only requests whose read parts are the same.
    peer: SocketAddr,
    reads: u8,
    /// Links that read the address and did not match it (by rule index and place in the
    /// chain): the node serves only addresses none of them matches.
    guards: Vec<(usize, u8)>,
    /// The next stages' outcomes, by the stage's key (oldest first).
    next: RefCell<Next>,
    /// This node's and everything below it: what leaves the memo with it.
    bytes: Cell<usize>,
    /// This node's alone (its key's and its transaction's).
    own_bytes: usize,
    /// No longer in the memo (evicted or replaced): nothing joins it.
    gone: Cell<bool>,
}

impl Node {
    fn new(tx: Transaction, peer: SocketAddr, key_bytes: usize) -> Rc<Node> {
        let reads = tx.reads_outside_key();
        let guards = tx.address_guards();
        let bytes = tx.approx_bytes() + key_bytes;
        Rc::new(Node {
            tx,
            peer,
            reads,
            guards,
            next: RefCell::new(SmallVec::new()),
            bytes: Cell::new(bytes),
            own_bytes: bytes,
            gone: Cell::new(false),
        })
    }

    /// Whether this node is what a request from `peer` would make.
    fn serves(&self, set: &RuleSet, peer: SocketAddr) -> bool {
        if self.reads & READ_REMOTE_ADDR != 0 {
            return self.peer.ip() == peer.ip() && self.port_serves(peer);
        }
        if !self.port_serves(peer) {
            return false;
        }
        if self.guards.is_empty() || self.peer.ip() == peer.ip() {
            return true;
        }
        let address = peer.ip().to_string();
        self.guards
            .iter()
            .all(|&guard| !link_matches(set, guard, address.as_bytes()))
    }

    fn port_serves(&self, peer: SocketAddr) -> bool {
        self.reads & READ_REMOTE_PORT == 0 || self.peer.port() == peer.port()
    }

    fn next_for(&self, set: &RuleSet, key: &[u8], peer: SocketAddr) -> Option<Rc<Node>> {
        self.next
            .borrow()
            .iter()
            .find(|(k, node)| &k[..] == key && node.serves(set, peer))
            .map(|(_, node)| node.clone())
    }

    /// Marks this node and everything below it as out of the memo.
    fn leave(&self) {
        self.gone.set(true);
        for (_, next) in self.next.borrow().iter() {
            next.leave();
        }
    }
}

impl Default for Memo {
    fn default() -> Memo {
        Memo::new()
    }
}

impl Memo {
    pub fn new() -> Memo {
        Memo {
            entries: LruCache::with_hasher(usize::MAX, FxBuildHasher),
            seen: FxHashSet::default(),
            bytes: 0,
            key: Vec::new(),
            counts: MemoCounts::default(),
        }
    }

    pub fn counts(&self) -> MemoCounts {
        self.counts
    }

    /// How many requests it holds, and their nodes' bytes.
    pub fn size(&self) -> (usize, usize) {
        (self.entries.len(), self.bytes)
    }

    /// The bytes of the nodes it holds, counted again node by node: what [`Self::size`]
    /// says, unless the running count went wrong (for tests).
    pub fn recount_bytes(&self) -> usize {
        fn subtree(node: &Node) -> usize {
            node.own_bytes
                + node
                    .next
                    .borrow()
                    .iter()
                    .map(|(_, n)| subtree(n))
                    .sum::<usize>()
        }
        self.entries.iter().map(|(_, node)| subtree(node)).sum()
    }

    /// Builds `request`'s key in [`Self::key`]: `false` when the request is not one to
    /// keep (it has a body, or its key would be over the bound).
    fn build_key(&mut self, request: &Request<'_>) -> bool {
        if request.body.is_some() {
            return false;
        }
        let key = &mut self.key;
        key.clear();
        put(key, request.method);
        put(key, request.target);
        put(key, request.protocol.as_bytes());
        for (name, value) in request.headers {
            put(key, name);
            put(key, value);
        }
        key.len() <= WAF_MEMO_KEY_BYTES_MAX
    }

    fn insert(&mut self, key: Box<[u8]>, node: Rc<Node>) {
        let added = node.bytes.get();
        let removed = self.entries.insert(key, node).map_or(0, |old| {
            old.leave();
            old.bytes.get()
        });
        self.stored(added, removed);
    }

    /// A state was kept: `added` bytes joined, `removed` left with a state it replaced.
    fn stored(&mut self, added: usize, removed: usize) {
        self.bytes = self.bytes + added - removed;
        self.counts.stored += 1;
        self.trim();
    }

    /// Lets the least recently used requests go until the memo is within its bounds.
    fn trim(&mut self) {
        while self.entries.len() > WAF_MEMO_ENTRIES_MAX || self.bytes > WAF_MEMO_BYTES_MAX {
            let Some((_, old)) = self.entries.remove_lru() else {
                break;
            };
            self.bytes -= old.bytes.get();
            self.counts.evicted += 1;
            old.leave();
        }
    }
}

/// Appends `bytes` to a key, its length first (so fields cannot run into each other).
fn put(key: &mut Vec<u8>, bytes: &[u8]) {
    let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    key.extend_from_slice(&length.to_le_bytes());
    key.extend_from_slice(bytes);
}

/// One request's transaction, with or without a memo: [`Transaction`]'s request and
/// response phases, each answered from the memo when it holds the outcome.
pub struct Exchange {
    state: State,
    memo: Option<Rc<RefCell<Memo>>>,
    /// The nodes from the request's entry to the current state's (when it is kept): a
    /// stage's outcome joins the last, and its bytes count in each.
    path: SmallVec<[Rc<Node>; 4]>,
    peer: SocketAddr,
    unique_id: Box<str>,
    request_kept: bool,
}

enum State {
    /// A kept state: this request's own would be the same.
    Kept(Rc<Node>),
    /// This request's own transaction.
    Live(Box<Transaction>),
}

impl RuleSet {
    /// [`begin`](RuleSet::begin), answered from `memo` when it holds the request, and kept
    /// there when it should be (see the [module](self)). Without a memo, or with the engine
    /// off, it is `begin`.
    pub fn begin_with(&self, memo: Option<&Rc<RefCell<Memo>>>, request: &Request<'_>) -> Exchange {
        let mut path = SmallVec::new();
        let memo = memo.filter(|_| self.engine != EngineMode::Off);
        let state = match memo {
            Some(memo) => self.begin_kept(memo, request, &mut path),
            None => State::Live(Box::new(self.begin(request))),
        };
        Exchange {
            request_kept: matches!(state, State::Kept(_)),
            state,
            memo: memo.cloned(),
            path,
            peer: request.peer,
            unique_id: request.unique_id.into(),
        }
    }

    /// Phases 1 and 2 from `memo`, or run and (the second time the key misses) kept.
    fn begin_kept(
        &self,
        memo: &RefCell<Memo>,
        request: &Request<'_>,
        path: &mut SmallVec<[Rc<Node>; 4]>,
    ) -> State {
        let mut kept = memo.borrow_mut();
        if !kept.build_key(request) {
            drop(kept);
            return State::Live(Box::new(self.begin(request)));
        }
        let Memo {
            entries,
            key,
            counts,
            ..
        } = &mut *kept;
        if let Some(node) = entries.get(&key[..])
            && node.serves(self, request.peer)
        {
            counts.hits += 1;
            path.push(node.clone());
            return State::Kept(node.clone());
        }
        counts.misses += 1;
        let hash = FxBuildHasher.hash_one(&kept.key[..]);
        let again = kept.seen.contains(&hash);
        if !again {
            if kept.seen.len() >= WAF_MEMO_SEEN_MAX {
                kept.seen.clear();
            }
            kept.seen.insert(hash);
        }
        // The rules run with the memo let go: nothing they call reaches it, but a borrow
        // held across them would be a trap for whoever changes that.
        drop(kept);
        let tx = self.begin(request);
        if again && tx.reads_outside_key() & READ_UNIQUE_ID == 0 {
            let mut kept = memo.borrow_mut();
            let key: Box<[u8]> = kept.key.as_slice().into();
            let node = Node::new(tx.clone(), request.peer, key.len());
            kept.seen.remove(&hash);
            kept.insert(key, node.clone());
            path.push(node);
        }
        State::Live(Box::new(tx))
    }
}

impl Exchange {
    /// What matched so far, and whether a rule stopped the transaction.
    pub fn verdict(&self) -> &Verdict {
        self.tx().verdict()
    }

    /// [`Transaction::tx_sorted`].
    pub fn tx_sorted(&self) -> Vec<(&str, &[u8])> {
        self.tx().tx_sorted()
    }

    /// Whether phases 1 and 2 were a kept state (the request was a memo hit).
    pub fn request_was_kept(&self) -> bool {
        self.request_kept
    }

    /// [`Transaction::response_body_wanted`].
    pub fn response_body_wanted(&self, set: &RuleSet) -> Option<usize> {
        self.tx().response_body_wanted(set)
    }

    /// [`Transaction::check_response_head`].
    pub fn check_response_head(&mut self, set: &RuleSet, head: &ResponseHead<'_>) {
        let key = || {
            let mut key = vec![STAGE_HEAD];
            key.extend_from_slice(&head.status.to_le_bytes());
            put(&mut key, head.protocol.as_bytes());
            for (name, value) in head.headers {
                put(&mut key, name);
                put(&mut key, value);
            }
            (key.len() <= WAF_MEMO_KEY_BYTES_MAX).then_some(key)
        };
        self.advance(set, key, |tx| tx.check_response_head(set, head));
    }

    /// [`Transaction::check_response_body`].
    pub fn check_response_body(&mut self, set: &RuleSet, body: &[u8], truncated: bool) {
        let key = || {
            (body.len() < WAF_MEMO_KEY_BYTES_MAX).then(|| {
                let mut key = vec![STAGE_BODY, u8::from(truncated)];
                put(&mut key, body);
                key
            })
        };
        self.advance(set, key, |tx| tx.check_response_body(set, body, truncated));
    }

    /// [`Transaction::finish`].
    pub fn finish(&mut self, set: &RuleSet) -> &Verdict {
        let key = || Some(vec![STAGE_FINISH]);
        self.advance(set, key, |tx| {
            tx.finish(set);
        });
        self.verdict()
    }

    fn tx(&self) -> &Transaction {
        match &self.state {
            State::Kept(node) => &node.tx,
            State::Live(tx) => tx,
        }
    }

    /// The next stage: kept, when the current state is kept and has this stage's outcome
    /// for its key (`key()`, `None` when it is too long to keep); else `run` on this
    /// request's own transaction (a copy of the kept state, made this request's, when it was
    /// one), its outcome kept below the current state's node when there is one. The key is
    /// only built when there is such a node.
    fn advance(
        &mut self,
        set: &RuleSet,
        key: impl FnOnce() -> Option<Vec<u8>>,
        run: impl FnOnce(&mut Transaction),
    ) {
        let parent = self.path.last().filter(|node| !node.gone.get()).cloned();
        let key = parent.as_ref().and_then(|_| key());
        if let (Some(parent), Some(key)) = (&parent, &key)
            && let Some(next) = parent.next_for(set, key, self.peer)
        {
            self.path.push(next.clone());
            self.state = State::Kept(next);
            return;
        }
        if let State::Kept(node) = &self.state {
            let mut copy = node.tx.clone();
            copy.adopt(self.peer, &self.unique_id);
            self.state = State::Live(Box::new(copy));
        }
        let State::Live(tx) = &mut self.state else {
            return;
        };
        run(tx);
        let (Some(parent), Some(key), Some(memo)) = (parent, key, &self.memo) else {
            self.path.clear();
            return;
        };
        if tx.reads_outside_key() & READ_UNIQUE_ID != 0 {
            self.path.clear();
            return;
        }
        let node = Node::new((**tx).clone(), self.peer, key.len());
        let added = node.bytes.get();
        let mut removed = 0;
        {
            let mut next = parent.next.borrow_mut();
            if next.len() >= WAF_MEMO_NEXT_MAX {
                let (_, old) = next.remove(0);
                removed = old.bytes.get();
                old.leave();
            }
            next.push((key.into_boxed_slice(), node.clone()));
        }
        // Every node on the path holds the new one below it.
        for above in &self.path {
            above.bytes.set(above.bytes.get() + added - removed);
        }
        memo.borrow_mut().stored(added, removed);
        self.path.push(node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waf::secrule::Builder;

    const RULES: &str = r#"
SecRule ARGS "@rx attack" "id:1,phase:2,deny,status:403,log,msg:'%{MATCHED_VAR}'"
SecRule REQUEST_HEADERS:x-who "@streq addr" "id:2,phase:1,pass,log,chain"
    SecRule REMOTE_ADDR "@ipMatch 192.0.2.1" "t:none"
SecRule REQUEST_HEADERS:x-who "@streq id" "id:3,phase:1,pass,log,chain"
    SecRule UNIQUE_ID "@rx ." "t:none"
SecRule RESPONSE_STATUS "@streq 500" "id:4,phase:3,pass,log"
"#;

    fn rules() -> RuleSet {
        let mut builder = Builder::new();
        let no_data = |name: &str| Err(format!("no {name}"));
        builder
            .add_file("test.conf", RULES, &no_data)
            .expect("the test's rules load");
        builder.finish()
    }

    /// One whole transaction through `memo`: the matched ids (with the response's `status`).
    fn run(
        set: &RuleSet,
        memo: &Rc<RefCell<Memo>>,
        target: &str,
        who: &str,
        peer: &str,
        status: u16,
    ) -> Vec<u32> {
        let headers: [(&[u8], &[u8]); 1] = [(b"x-who", who.as_bytes())];
        let mut tx = set.begin_with(
            Some(memo),
            &Request {
                method: b"GET",
                target: target.as_bytes(),
                protocol: "HTTP/1.1",
                headers: &headers,
                body: None,
                peer: peer.parse().expect("an address"),
                unique_id: "t-1",
            },
        );
        tx.check_response_head(
            set,
            &ResponseHead {
                status,
                protocol: "HTTP/1.1",
                headers: &[],
            },
        );
        tx.finish(set).matches.iter().map(|m| m.id).collect()
    }

    #[test]
    fn what_is_kept_and_for_whom() {
        let set = rules();
        // (target, x-who, peer, status, ids, whether phases 1-2 are a hit).
        type Step = (
            &'static str,
            &'static str,
            &'static str,
            u16,
            &'static [u32],
            bool,
        );
        let steps: &[Step] = &[
            // Kept on the second miss, a hit from the third on.
            ("/?q=attack", "", "192.0.2.1:1", 200, &[1], false),
            ("/?q=attack", "", "192.0.2.1:2", 200, &[1], false),
            ("/?q=attack", "", "192.0.2.9:3", 200, &[1], true),
            // Another response head: a stage of its own below the same request.
            ("/?q=attack", "", "192.0.2.9:3", 500, &[1], true),
            ("/?q=attack", "", "192.0.2.9:3", 500, &[1], true),
            ("/?q=fine", "", "192.0.2.1:1", 500, &[4], false),
            ("/?q=fine", "", "192.0.2.1:1", 500, &[4], false),
            ("/?q=fine", "", "192.0.2.1:1", 200, &[], true),
            ("/?q=fine", "", "192.0.2.1:1", 500, &[4], true),
            // The rules read the address: the kept state serves that address alone.
            ("/", "addr", "192.0.2.1:1", 200, &[2], false),
            ("/", "addr", "192.0.2.1:1", 200, &[2], false),
            ("/", "addr", "192.0.2.1:5", 200, &[2], true),
            ("/", "addr", "192.0.2.7:1", 200, &[], false),
            // Where the link did not match the address, the kept state serves any address
            // it does not match.
            ("/", "addr", "192.0.2.7:1", 200, &[], false),
            ("/", "addr", "192.0.2.8:1", 200, &[], true),
            ("/", "addr", "192.0.2.1:1", 200, &[2], false),
            // They read the transaction's id: never kept.
            ("/", "id", "192.0.2.1:1", 200, &[3], false),
            ("/", "id", "192.0.2.1:1", 200, &[3], false),
            ("/", "id", "192.0.2.1:1", 200, &[3], false),
        ];
        let memo = Rc::new(RefCell::new(Memo::new()));
        for (i, &(target, who, peer, status, want, hit)) in steps.iter().enumerate() {
            let hits = memo.borrow().counts().hits;
            let got = run(&set, &memo, target, who, peer, status);
            assert_eq!(got, want, "step {i}");
            assert_eq!(memo.borrow().counts().hits > hits, hit, "step {i}");
            assert_eq!(
                memo.borrow().recount_bytes(),
                memo.borrow().size().1,
                "step {i}"
            );
        }
    }

    #[test]
    fn bounds_hold_and_the_byte_count_stays_true() {
        let set = rules();
        let memo = Rc::new(RefCell::new(Memo::new()));
        let requests = WAF_MEMO_ENTRIES_MAX + 100;
        for i in 0..requests {
            let target = format!("/page/{i}");
            for status in [200, 500, 201, 202, 203, 204] {
                run(&set, &memo, &target, "", "192.0.2.1:1", status);
            }
        }
        let memo = memo.borrow();
        let (entries, bytes) = memo.size();
        assert!(entries <= WAF_MEMO_ENTRIES_MAX, "{entries}");
        assert!(bytes <= WAF_MEMO_BYTES_MAX, "{bytes}");
        assert_eq!(memo.recount_bytes(), bytes);
        assert!(memo.counts().evicted >= 100, "{:?}", memo.counts());
        // Six response heads for one request: the kept ones are the last four.
        let most = memo
            .entries
            .iter()
            .map(|(_, node)| node.next.borrow().len())
            .max();
        assert_eq!(most, Some(WAF_MEMO_NEXT_MAX));
    }
}
