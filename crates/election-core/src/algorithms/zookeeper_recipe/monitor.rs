//! The safety monitor of the ZooKeeper recipe: invariants checked after every event (see the
//! module doc for sources).

use super::{Part, Phase, ZkRecipe, znode};
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::time::{Micros, NodeId, fmt_time};

/// Invariants of the recipe.
#[derive(Debug, Clone, Default)]
pub struct ZkMonitor {
    last_seq: Option<u64>,
    created_seen: usize,
    writes_seen: usize,
    max_accepted: Option<(u64, NodeId)>,
    reported: Reported,
}

impl Monitor<ZkRecipe> for ZkMonitor {
    fn after_event<N: Nodes<ZkRecipe> + ?Sized>(
        &mut self,
        now: Micros,
        node: NodeId,
        nodes: &N,
    ) -> Vec<String> {
        let mut out = Vec::new();
        match &nodes.at(usize::from(node) - 1).proto.part {
            Part::Server(s) => {
                for &(seq, owner, _) in s.created.get(self.created_seen..).unwrap_or_default() {
                    if self.last_seq.is_some_and(|l| seq <= l) {
                        out.push(format!(
                            "znode {} created for n{owner} is not above the last sequence",
                            znode(seq)
                        ));
                    }
                    self.last_seq = Some(seq);
                }
                self.created_seen = s.created.len();
            }
            Part::Storage(s) => {
                for w in s.writes.iter_from(self.writes_seen).filter(|w| w.accepted) {
                    if let Some((max, by)) = self.max_accepted
                        && w.token < max
                    {
                        out.push(format!(
                            "the job ran twice at once: storage accepted stale n{} (token {}) after n{by} (token {max})",
                            w.client, w.token
                        ));
                    }
                    if self.max_accepted.is_none_or(|(m, _)| w.token >= m) {
                        self.max_accepted = Some((w.token, w.client));
                    }
                }
                self.writes_seen = s.writes.len();
            }
            Part::Candidate(_) => {}
        }
        // One leader per znode, and none after ZooKeeper deleted its znode.
        let Some(Part::Server(s)) = nodes.first().map(|n| &n.proto.part) else { return out };
        let mut leaders: Vec<(u64, NodeId)> = Vec::new();
        for n in nodes.iter().skip(2) {
            let Part::Candidate(c) = &n.proto.part else { continue };
            let (Phase::Leading, Some(seq)) = (c.phase, c.znode) else { continue };
            if let Some(&(_, other)) = leaders.iter().find(|l| l.0 == seq) {
                self.reported.report_once(
                    format!("same-{seq}"),
                    format!("n{other} and n{} both lead with znode {}", n.id, znode(seq)),
                    &mut out,
                );
            }
            leaders.push((seq, n.id));
            // Its belief runs on its own clock; the deletion is in true time.
            let until = n.clock.true_time_of(c.last_heard.saturating_add(n.proto.read_timeout()), now);
            if let Some(&(_, at)) = s.deleted.iter().find(|d| d.0 == seq)
                && at < until
            {
                self.reported.report_once(
                    format!("stale-{}-{seq}", n.id),
                    format!(
                        "n{} believes it leads with {} until {}, but ZooKeeper deleted that znode at {}",
                        n.id,
                        znode(seq),
                        fmt_time(until),
                        fmt_time(at)
                    ),
                    &mut out,
                );
            }
        }
        out
    }

    /// The owner of the lowest znode leads and knows it.
    fn stable_leader<N: Nodes<ZkRecipe> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let server = nodes.first()?;
        if !server.is_up() {
            return None;
        }
        let Part::Server(s) = &server.proto.part else { return None };
        let lowest = s.znodes.first()?;
        let owner = nodes.get(usize::from(lowest.owner) - 1)?;
        (owner.is_up() && owner.proto.leading() == Some(lowest.seq)).then_some(lowest.owner)
    }
}
