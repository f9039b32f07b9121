//! Presence across a cluster's nodes: what each shard of each other node last said about
//! its subscribers (`Note::Presence`), summed per topic while the reports are fresh.
//!
//! Push, not pull: each shard reports its own counts when they change (at most every
//! `CLUSTER_PRESENCE_MS`) and, while it has subscribers, every
//! `CLUSTER_PRESENCE_REFRESH_MS`; a report not renewed within
//! `CLUSTER_PRESENCE_EXPIRES_MS` stops counting, so a node that stopped or lost Redis fades
//! out of the sums by itself. A presence answer then costs no round trip to other nodes,
//! and is as old as the last report (a second or so). Each shard of a node keeps its own
//! copy of the table, fed by the cluster's subscriber thread over the mesh.

use std::collections::HashMap;

use crate::limits::{CLUSTER_PRESENCE_EXPIRES_MS, CLUSTER_PRESENCE_REPORTS_MAX};

/// The other nodes' reports, by node and shard.
#[derive(Debug, Default)]
pub struct NodesPresence {
    reports: HashMap<(String, usize), Report>,
}

#[derive(Debug)]
struct Report {
    at_ms: u64,
    counts: HashMap<String, u64>,
}

impl NodesPresence {
    /// Shard `shard` of node `node` has `counts` subscribers now (an empty list: none).
    pub fn report(&mut self, node: &str, shard: usize, counts: &[(String, u64)], now_ms: u64) {
        self.sweep(now_ms);
        let key = (node.to_owned(), shard);
        if counts.is_empty() {
            self.reports.remove(&key);
            return;
        }
        if !self.reports.contains_key(&key)
            && self.reports.len() >= CLUSTER_PRESENCE_REPORTS_MAX
            && let Some(oldest) = self
                .reports
                .iter()
                .min_by_key(|(_, r)| r.at_ms)
                .map(|(k, _)| k.clone())
        {
            self.reports.remove(&oldest);
        }
        self.reports.insert(
            key,
            Report {
                at_ms: now_ms,
                counts: counts.iter().cloned().collect(),
            },
        );
    }

    /// Subscribers to `topic` on the other nodes, by their fresh reports.
    pub fn count(&self, topic: &str, now_ms: u64) -> u64 {
        self.fresh(now_ms)
            .filter_map(|(_, r)| r.counts.get(topic))
            .sum()
    }

    /// Other nodes with a fresh report.
    pub fn nodes(&self, now_ms: u64) -> usize {
        let mut nodes: Vec<&str> = self.fresh(now_ms).map(|(k, _)| k.0.as_str()).collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes.len()
    }

    fn fresh(&self, now_ms: u64) -> impl Iterator<Item = (&(String, usize), &Report)> {
        self.reports
            .iter()
            .filter(move |(_, r)| now_ms.saturating_sub(r.at_ms) < CLUSTER_PRESENCE_EXPIRES_MS)
    }

    fn sweep(&mut self, now_ms: u64) {
        self.reports
            .retain(|_, r| now_ms.saturating_sub(r.at_ms) < CLUSTER_PRESENCE_EXPIRES_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    #[test]
    fn reports_add_up_per_topic_while_fresh() {
        let mut table = NodesPresence::default();
        table.report("b", 0, &counts(&[("room", 2), ("lobby", 1)]), 0);
        table.report("b", 1, &counts(&[("room", 3)]), 10);
        table.report("c", 0, &counts(&[("room", 1)]), 20);
        assert_eq!(table.count("room", 30), 6);
        assert_eq!(table.count("lobby", 30), 1);
        assert_eq!(table.count("none", 30), 0);
        assert_eq!(table.nodes(30), 2);
        // A newer report replaces the shard's last one; an empty one removes it.
        table.report("b", 1, &counts(&[("room", 1)]), 40);
        table.report("c", 0, &[], 50);
        assert_eq!(table.count("room", 60), 3);
        assert_eq!(table.nodes(60), 1);
        // Not renewed in time: it no longer counts.
        assert_eq!(table.count("room", CLUSTER_PRESENCE_EXPIRES_MS - 1), 3);
        assert_eq!(table.count("room", CLUSTER_PRESENCE_EXPIRES_MS + 39), 1);
        assert_eq!(table.nodes(CLUSTER_PRESENCE_EXPIRES_MS + 40), 0);
    }

    #[test]
    fn the_table_is_bounded() {
        let mut table = NodesPresence::default();
        for shard in 0..CLUSTER_PRESENCE_REPORTS_MAX + 10 {
            table.report("b", shard, &counts(&[("t", 1)]), shard as u64);
        }
        assert_eq!(table.reports.len(), CLUSTER_PRESENCE_REPORTS_MAX);
        // The oldest went.
        assert!(!table.reports.contains_key(&("b".to_owned(), 0)));
        assert_eq!(
            table.count("t", CLUSTER_PRESENCE_REPORTS_MAX as u64),
            CLUSTER_PRESENCE_REPORTS_MAX as u64
        );
    }
}
