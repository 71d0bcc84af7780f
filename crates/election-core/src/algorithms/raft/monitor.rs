//! Raft's safety invariants, checked after every event (see the module doc for sources).

use crate::engine::collections::{Map, Set};

use super::{Entry, Raft};
use crate::engine::protocol::Nodes;
use crate::engine::protocol::{Monitor, Reported};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId};
use crate::engine::view::Role;

/// Cross-node, cross-time record of what Raft promised.
#[derive(Debug, Clone, Default)]
pub struct RaftMonitor {
    /// The leader seen in each term (Election Safety).
    leaders: Map<u64, NodeId>,
    /// Highest term seen per node (terms never decrease).
    max_term: Map<NodeId, u64>,
    /// The committed prefix as first committed anywhere (State Machine Safety), with the
    /// term in which each entry was first seen committed.
    committed: SharedLog<(Entry, u64)>,
    /// Per node: the log rewrites seen at its last check, and how far its log was verified
    /// against `committed` (entries below that have not changed since).
    verified: Map<NodeId, (u64, usize)>,
    /// Role each node had at its last check (to run Leader Completeness on election).
    was_leader: Set<NodeId>,
    /// The last vote each node cast, with its term (one vote per term, §5.2).
    votes: Map<NodeId, (u64, NodeId)>,
    /// Violations already reported, so a lasting violation is reported once.
    reported: Reported,
}

impl Monitor<Raft> for RaftMonitor {
    fn after_event<N: Nodes<Raft> + ?Sized>(&mut self, _now: Micros, node: NodeId, nodes: &N) -> Vec<String> {
        let mut out = Vec::new();
        let slot = nodes.at(usize::from(node) - 1);
        let r = &slot.proto;

        // Terms never decrease (durable state survives crashes too).
        let max = self.max_term.entry(node).or_insert(0);
        if r.term < *max {
            let text = format!("n{node}'s term went back from {} to {}", *max, r.term);
            self.reported.report_once(format!("term-{node}-{}", r.term), text, &mut out);
        } else {
            *max = r.term;
        }

        // §5.2: "Each server will vote for at most one candidate in a given term".
        if let Some(v) = r.voted_for {
            match self.votes.get(&node) {
                Some(&(t, w)) if t == r.term && w != v => {
                    let text = format!("n{node} voted for n{w} and then for n{v} in term {t}");
                    self.reported.report_once(format!("vote-{node}-{t}"), text, &mut out);
                }
                _ => {}
            }
            self.votes.insert(node, (r.term, v));
        }

        // Election Safety (§5.2): at most one leader per term.
        if r.role == Role::Leader {
            match self.leaders.get(&r.term) {
                Some(&other) if other != node => {
                    let text = format!("two leaders in term {}: n{other} and n{node}", r.term);
                    self.reported.report_once(format!("leaders-{}", r.term), text, &mut out);
                }
                Some(_) => {}
                None => {
                    self.leaders.insert(r.term, node);
                }
            }
        }

        // State Machine Safety (§5.4.3): the committed prefix is the same everywhere, forever.
        let commit = r.commit_index() as usize;
        if commit > r.log().len() {
            let text = format!("n{node} commit index {commit} is beyond its log of {}", r.log().len());
            self.reported.report_once(format!("commit-beyond-{node}-{commit}"), text, &mut out);
        }
        // Only entries that are new or rewritten since this node's last check can differ.
        let (rewrites, rewritten_from) = r.log_rewrites();
        let (seen, upto) = self.verified.get(&node).copied().unwrap_or((0, 0));
        let from = match rewrites.checked_sub(seen) {
            Some(0) => upto,
            Some(1) => upto.min(rewritten_from.saturating_sub(1) as usize),
            _ => 0,
        };
        let end = commit.min(r.log().len());
        self.verified.insert(node, (rewrites, end.max(from)));
        for i in from.min(end)..end {
            let entry = r.log()[i];
            if i < self.committed.len() {
                if self.committed[i].0 != entry {
                    let c = self.committed[i].0;
                    let text = format!(
                        "n{node} holds {}@{} at committed index {} where {}@{} was committed",
                        entry.data,
                        entry.term,
                        i + 1,
                        c.data,
                        c.term
                    );
                    self.reported.report_once(format!("smc-{node}-{i}"), text, &mut out);
                }
            } else {
                self.committed.push((entry, r.term));
            }
        }
        // Committed entries are never lost: every node's log that reaches a committed index
        // agrees there — checked above for committed prefixes — and a leader holds them all.
        let is_leader = r.role == Role::Leader;
        if is_leader && !self.was_leader.contains(&node) {
            // Leader Completeness (§5.4): "if a log entry is committed in a given term, then
            // that entry will be present in the logs of the leaders for all higher-numbered
            // terms". A late leader of an *older* term owes nothing to later commits.
            let missing = self
                .committed
                .iter()
                .enumerate()
                .find(|(i, (c, committed_in))| *committed_in < r.term && r.log().get(*i) != Some(c));
            if let Some((i, (c, _))) = missing {
                let text = format!(
                    "n{node} became leader of term {} without committed entry {}@{} at index {}",
                    r.term,
                    c.data,
                    c.term,
                    i + 1
                );
                self.reported.report_once(format!("completeness-{node}-{}", r.term), text, &mut out);
            }
        }
        if is_leader {
            self.was_leader.insert(node);
        } else {
            self.was_leader.remove(&node);
        }
        out
    }

    fn stable_leader<N: Nodes<Raft> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let quorum = nodes.len() / 2 + 1;
        nodes.iter().filter(|s| s.is_up() && s.proto.role == Role::Leader).find_map(|l| {
            let followers = nodes
                .iter()
                .filter(|s| s.is_up() && s.proto.term == l.proto.term && s.proto.leader == Some(l.id))
                .count();
            (followers >= quorum).then_some(l.id)
        })
    }
}
