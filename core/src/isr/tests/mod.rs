//! Tests of the ISR cache, driven by scripts on a virtual clock.
//!
//! A script is one step a line: `@<now_ms> <op> <args> -> <expected>`. Tickets are numbered in
//! the order they are handed out (`leader #1`, `stale #2`) and spent by number
//! (`insert /a #1`), so a script can say exactly which render finishes when.
//!
//! | op | args | result |
//! |---|---|---|
//! | `lookup PATH` | | `fresh`, `stale`, `stale #N`, `miss` |
//! | `fill PATH` | | `leader #N`, `follower` |
//! | `insert PATH #N` | `revalidate=S\|forever` `tags=a,b` `body=BYTES` `rendered=MS` `site=I` | `stored`, `stored-stale`, `rejected:REASON` |
//! | `offer PATH` | as `insert`, and `stale` (offered already stale) | as `insert` |
//! | `fail #N` | | `ok` |
//! | `tag TAG` / `path PATH` | `site=I` | entries marked stale |
//! | `sweep` / `clear` | | renders forgotten / `ok` |

mod budget;
mod coalescing;
mod eviction;
mod freshness;
mod invalidation;
mod keys;
mod offers;
mod parse;
mod scan;

use std::collections::HashMap;
use std::hash::RandomState;

use bytes::Bytes;

use super::{
    Admission, Fill, IsrCache, IsrConfig, KeyHasher, Lookup, Page, Rejection, RenderTicket,
};

pub(super) fn hasher() -> KeyHasher {
    KeyHasher::new(RandomState::new())
}

pub(super) fn cache(config: IsrConfig) -> IsrCache {
    IsrCache::new(config, hasher())
}

pub(super) fn page(
    body_bytes: usize,
    rendered_at_ms: u64,
    revalidate_s: Option<u32>,
    tags: &[&str],
) -> Page {
    Page {
        status: 200,
        head: Bytes::from_static(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n"),
        body: Bytes::from(vec![b'x'; body_bytes]),
        rendered_at_ms,
        revalidate_s,
        stale_s: None,
        tags: tags.iter().map(|tag| Box::<str>::from(*tag)).collect(),
    }
}

/// Runs `script` against a cache built from `config`; every step's result must match.
pub(super) fn check_with(config: IsrConfig, script: &str) {
    let mut run = Run {
        cache: cache(config),
        tickets: HashMap::new(),
        issued: 0,
    };
    for (number, line) in script.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let Some((step, expected)) = line.split_once("->") else {
            panic!("line {}: no `->` in {line:?}", number + 1);
        };
        let got = run.step(step.trim());
        assert_eq!(got, expected.trim(), "line {}: {line}", number + 1);
        run.cache.check_invariants();
    }
}

pub(super) fn check(script: &str) {
    check_with(IsrConfig::default(), script);
}

struct Run {
    cache: IsrCache,
    tickets: HashMap<u32, RenderTicket>,
    issued: u32,
}

impl Run {
    fn step(&mut self, step: &str) -> String {
        let mut words = step.split_whitespace();
        let clock = words.next().unwrap_or_default();
        let now_ms: u64 = match clock.strip_prefix('@').map(str::parse) {
            Some(Ok(now_ms)) => now_ms,
            _ => panic!("step {step:?} does not start with @<now_ms>"),
        };
        let op = words.next().unwrap_or_default();
        let args: Vec<&str> = words.collect();
        let site = option(&args, "site").map_or(0, |site| site.parse().unwrap_or(0));
        match op {
            "lookup" => {
                let hasher = self.cache.hasher().clone();
                let key = hasher.key(site, args[0].as_bytes());
                match self.cache.lookup(key, now_ms) {
                    Lookup::Fresh(_) => "fresh".to_owned(),
                    Lookup::Stale(_, None) => "stale".to_owned(),
                    Lookup::Stale(_, Some(ticket)) => {
                        assert!(ticket.is_revalidation());
                        format!("stale {}", self.keep(ticket))
                    }
                    Lookup::Miss => "miss".to_owned(),
                }
            }
            "holds" => {
                let hasher = self.cache.hasher().clone();
                let key = hasher.key(site, args[0].as_bytes());
                let before = self.cache.stats();
                let holds = self.cache.holds(key);
                assert_eq!(self.cache.stats(), before, "holds counts nothing");
                if holds { "yes" } else { "no" }.to_owned()
            }
            "fill" => {
                let hasher = self.cache.hasher().clone();
                let key = hasher.key(site, args[0].as_bytes());
                match self.cache.begin_fill(key, now_ms) {
                    Fill::Leader(ticket) => {
                        assert!(!ticket.is_revalidation());
                        format!("leader {}", self.keep(ticket))
                    }
                    Fill::Follower => "follower".to_owned(),
                }
            }
            "insert" | "offer" => {
                let revalidate_s = match option(&args, "revalidate") {
                    None | Some("forever") => None,
                    Some(seconds) => Some(seconds.parse().unwrap_or(0)),
                };
                let tags: Vec<&str> =
                    option(&args, "tags").map_or(Vec::new(), |tags| tags.split(',').collect());
                let body_bytes = option(&args, "body").map_or(100, |b| b.parse().unwrap_or(0));
                let rendered_at_ms =
                    option(&args, "rendered").map_or(now_ms, |r| r.parse().unwrap_or(0));
                let hasher = self.cache.hasher().clone();
                let key = hasher.key(site, args[0].as_bytes());
                let mut page = page(body_bytes, rendered_at_ms, revalidate_s, &tags);
                page.stale_s = option(&args, "stale").map(|s| s.parse().unwrap_or(0));
                let admission = if op == "insert" {
                    let ticket = self.spend(args[1]);
                    self.cache.insert(key, page, ticket)
                } else {
                    self.cache.offer(key, page, args.contains(&"stale"))
                };
                match admission {
                    Admission::Stored => "stored".to_owned(),
                    Admission::StoredStale => "stored-stale".to_owned(),
                    Admission::Rejected(reason) => format!("rejected:{}", rejection(reason)),
                }
            }
            "fail" => {
                let ticket = self.spend(args[0]);
                self.cache.render_failed(ticket);
                "ok".to_owned()
            }
            "tag" => self.cache.invalidate_tag(site, args[0]).to_string(),
            "path" => self
                .cache
                .invalidate_path(site, args[0].as_bytes())
                .to_string(),
            "sweep" => self.cache.sweep(now_ms).to_string(),
            "clear" => {
                self.cache.clear();
                "ok".to_owned()
            }
            _ => panic!("unknown op in {step:?}"),
        }
    }

    fn keep(&mut self, ticket: RenderTicket) -> String {
        self.issued += 1;
        self.tickets.insert(self.issued, ticket);
        format!("#{}", self.issued)
    }

    fn spend(&mut self, name: &str) -> RenderTicket {
        let number: u32 = name.trim_start_matches('#').parse().unwrap_or(0);
        match self.tickets.remove(&number) {
            Some(ticket) => ticket,
            None => panic!("no unspent ticket {name}"),
        }
    }
}

fn option<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    args.iter()
        .find_map(|arg| arg.strip_prefix(name)?.strip_prefix('='))
}

fn rejection(reason: Rejection) -> &'static str {
    match reason {
        Rejection::TooLarge => "too-large",
        Rejection::BadTags => "bad-tags",
        Rejection::NotCacheable => "not-cacheable",
        Rejection::Superseded => "superseded",
    }
}
