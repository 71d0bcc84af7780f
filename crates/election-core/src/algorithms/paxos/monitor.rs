//! The safety monitor of Paxos: invariants checked after every event (see the
//! module doc for sources).

use super::{Ballot, Paxos, Value};
use crate::engine::collections::{Map, Set};
use crate::engine::protocol::{Monitor, Nodes};
use crate::engine::time::{Micros, NodeId};

/// Paxos safety checks.
#[derive(Debug, Clone, Default)]
pub struct PaxosMonitor {
    chosen: Map<u64, (Value, Ballot)>,
    leaders: Map<Ballot, NodeId>,
    reported: Set<String>,
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
        // A value accepted by a majority in one ballot is chosen; it may never change.
        for (&slot, &(ballot, value)) in &me.accepted {
            let count =
                nodes.iter().filter(|n| n.proto.accepted.get(&slot) == Some(&(ballot, value))).count();
            if count >= quorum {
                match self.chosen.get(&slot) {
                    Some(&(v, b)) if v != value => {
                        let text = format!(
                            "slot {slot} was chosen as {v} (ballot {b}) and now as {value} (ballot {ballot})"
                        );
                        if self.reported.insert(text.clone()) {
                            out.push(text);
                        }
                    }
                    Some(_) => {}
                    None => {
                        self.chosen.insert(slot, (value, ballot));
                    }
                }
            }
        }
        // Learners must agree with what was chosen.
        for (&slot, &value) in &me.chosen {
            if let Some(&(v, _)) = self.chosen.get(&slot)
                && v != value
            {
                let text = format!("n{node} learned {value} in slot {slot}, but {v} was chosen");
                if self.reported.insert(text.clone()) {
                    out.push(text);
                }
            }
        }
        // One proposer per ballot with a majority of promises.
        if let Some(b) = me.leading() {
            match self.leaders.get(&b) {
                Some(&other) if other != node => {
                    let text = format!("two proposers lead ballot {b}: n{other} and n{node}");
                    if self.reported.insert(text.clone()) {
                        out.push(text);
                    }
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
