//! The safety monitor of ZooKeeper (ZAB): invariants checked after every event (see the
//! module doc for sources).

use super::{Txn, Zab, Zxid, zxid_str};
use crate::engine::collections::{Map, Set};
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId};

/// ZAB safety checks.
#[derive(Debug, Clone, Default)]
pub struct ZabMonitor {
    leaders: Map<u64, NodeId>,
    /// Committed transactions as first seen, in zxid order (a log: checkpoints share it).
    committed: SharedLog<Txn>,
    /// Per node: history rewrites seen at its last check, and how many of its transactions
    /// were verified then.
    verified: Map<NodeId, (u64, usize)>,
    was_established: Set<NodeId>,
    reported: Reported,
}

impl ZabMonitor {
    /// The value committed at `zxid`, if one was (binary search: `committed` is in zxid order).
    fn committed_value(&self, zxid: Zxid) -> Option<u64> {
        let (mut lo, mut hi) = (0, self.committed.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.committed[mid].zxid.cmp(&zxid) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.committed[mid].value),
            }
        }
        None
    }

    /// Records a newly committed transaction; false when it is below one already committed.
    /// Commits are seen in zxid order (each node commits a prefix of its zxid-ordered history,
    /// and a new leader's history holds every committed transaction): a new one below the
    /// newest breaks ZAB's total order.
    fn record_committed(&mut self, zxid: Zxid, value: u64) -> bool {
        let in_order = self.committed.last().is_none_or(|last| zxid > last.zxid);
        if in_order {
            self.committed.push(Txn { zxid, value });
        }
        in_order
    }
}

impl Monitor<Zab> for ZabMonitor {
    fn after_event<N: Nodes<Zab> + ?Sized>(&mut self, _now: Micros, node: NodeId, nodes: &N) -> Vec<String> {
        let mut out = Vec::new();
        let z = nodes.at(usize::from(node) - 1).proto;
        // Committed transactions never change. Only transactions new since this node's last
        // check, or all of them after it adopted another history, need a look.
        let (seen, upto) = self.verified.get(&node).copied().unwrap_or((0, 0));
        let from = if z.history_rewrites() == seen { upto } else { 0 };
        let mut end = from;
        for t in z.history().iter_from(from).take_while(|t| t.zxid <= z.committed) {
            end += 1;
            match self.committed_value(t.zxid) {
                Some(v) if v != t.value => self.reported.report(
                    format!("zxid {} committed as x={v} but n{node} holds x={}", zxid_str(t.zxid), t.value),
                    &mut out,
                ),
                Some(_) => {}
                None => {
                    if !self.record_committed(t.zxid, t.value) {
                        self.reported.report(
                            format!("n{node} committed zxid {} after later transactions", zxid_str(t.zxid)),
                            &mut out,
                        );
                    }
                }
            }
        }
        self.verified.insert(node, (z.history_rewrites(), end));
        if z.established() && !self.was_established.contains(&node) {
            self.was_established.insert(node);
            let epoch = z.epoch;
            // One established leader per epoch.
            match self.leaders.get(&epoch) {
                Some(&other) if other != node => self.reported.report(
                    format!("two established leaders in epoch {epoch}: n{other} and n{node}"),
                    &mut out,
                ),
                _ => {
                    self.leaders.insert(epoch, node);
                }
            }
            // The leader's (epoch, zxid) is the maximum of the quorum that elected it (a voter
            // only votes for a vote at least as good as its own, FastLeaderElection).
            let mine = z.lead.elected_with;
            for (&f, &info) in &z.lead.discovery {
                if z.lead.elected_by.contains(&f) && info > mine {
                    self.reported.report(
                        format!(
                            "n{node} leads epoch {epoch} with (epoch {}, zxid {}) below follower n{f}'s (epoch {}, zxid {})",
                            mine.0,
                            zxid_str(mine.1),
                            info.0,
                            zxid_str(info.1)
                        ),
                        &mut out,
                    );
                }
            }
            // Every committed transaction from earlier epochs is in the new leader's log.
            let have: Set<Zxid> = z.history().iter().map(|t| t.zxid).collect();
            let lost: Vec<Zxid> = self
                .committed
                .iter()
                .map(|t| t.zxid)
                .filter(|zx| (zx >> 32) < epoch && !have.contains(zx))
                .collect();
            if let Some(first) = lost.first() {
                self.reported.report(
                    format!("n{node} leads epoch {epoch} without committed zxid {}", zxid_str(*first)),
                    &mut out,
                );
            }
        } else if !z.established() {
            self.was_established.remove(&node);
        }
        out
    }

    fn stable_leader<N: Nodes<Zab> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let quorum = nodes.len() / 2 + 1;
        nodes.iter().filter(|n| n.is_up() && n.proto.established()).find_map(|l| {
            let followers = nodes
                .iter()
                .filter(|n| {
                    n.is_up()
                        && n.proto.synced
                        && n.proto.leader == Some(l.id)
                        && n.proto.epoch == l.proto.epoch
                })
                .count();
            (followers >= quorum).then_some(l.id)
        })
    }
}
