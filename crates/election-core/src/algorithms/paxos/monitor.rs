//! The safety monitor of Paxos: invariants checked after every event (see the
//! module doc for sources).

use super::{Ballot, Paxos, Value};
use crate::engine::collections::Map;
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::shared_log::SlotMap;
use crate::engine::time::{Micros, NodeId};

/// Paxos safety checks.
#[derive(Debug, Clone, Default)]
pub struct PaxosMonitor {
    // (ballot, value), in the order the acceptors keep, so that both share one SlotMap type.
    chosen: SlotMap<(Ballot, Value)>,
    leaders: Map<Ballot, NodeId>,
    reported: Reported,
}

impl PaxosMonitor {
    /// The checks of one slot that changed at `me` (node `node`).
    fn check_slot<N: Nodes<Paxos> + ?Sized>(
        &mut self,
        slot: u64,
        me: &Paxos,
        node: NodeId,
        quorum: usize,
        nodes: &N,
        out: &mut Vec<String>,
    ) {
        // A value accepted by a majority in one ballot is chosen; it may never change.
        if let Some(&(ballot, value)) = me.accepted().get(slot) {
            let count =
                nodes.iter().filter(|n| n.proto.accepted().get(slot) == Some(&(ballot, value))).count();
            if count >= quorum {
                match self.chosen.get(slot) {
                    Some(&(b, v)) if v != value => {
                        let text = format!(
                            "slot {slot} was chosen as {v} (ballot {b}) and now as {value} (ballot {ballot})"
                        );
                        self.reported.report(text, out);
                    }
                    Some(_) => {}
                    None => self.chosen.insert(slot, (ballot, value)),
                }
            }
        }
        // Learners must agree with what was chosen.
        if let (Some(&value), Some(&(_, v))) = (me.chosen().get(slot), self.chosen.get(slot))
            && v != value
        {
            self.reported.report(format!("n{node} learned {value} in slot {slot}, but {v} was chosen"), out);
        }
    }
}

impl Monitor<Paxos> for PaxosMonitor {
    fn after_event<N: Nodes<Paxos> + ?Sized>(
        &mut self,
        _now: Micros,
        node: NodeId,
        nodes: &N,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let quorum = nodes.len() / 2 + 1;
        let me = nodes.at(usize::from(node) - 1).proto;
        // Only slots that changed in this event can have become chosen or wrongly learned.
        for &slot in me.changed() {
            self.check_slot(slot, me, node, quorum, nodes, &mut out);
        }
        // One proposer per ballot with a majority of promises.
        if let Some(b) = me.leading() {
            match self.leaders.get(&b) {
                Some(&other) if other != node => {
                    self.reported
                        .report(format!("two proposers lead ballot {b}: n{other} and n{node}"), &mut out);
                }
                _ => {
                    self.leaders.insert(b, node);
                }
            }
        }
        out
    }

    /// A leader whose ballot a majority of live nodes promised and follow.
    fn stable_leader<N: Nodes<Paxos> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let quorum = nodes.len() / 2 + 1;
        nodes.iter().filter(|n| n.is_up()).find_map(|l| {
            let b = l.proto.leading()?;
            let following = nodes
                .iter()
                .filter(|n| n.is_up() && n.proto.promised == b && n.proto.leader == Some(l.id))
                .count();
            (following >= quorum).then_some(l.id)
        })
    }
}
