//! The safety monitor of the Bully algorithm: invariants checked after every event (see the
//! module doc for sources).

use super::{Bully, Phase};
use crate::engine::collections::{Map, Set};
use crate::engine::protocol::{Monitor, NodeRef, Nodes};
use crate::engine::time::{Micros, NodeId};

/// Split-brain detector and liveness check for Bully.
#[derive(Debug, Clone, Default)]
pub struct BullyMonitor {
    reported: Set<(NodeId, NodeId, u64, u64)>,
    tenures: Map<NodeId, u64>,
    was_coordinator: Set<NodeId>,
}

impl Monitor<Bully> for BullyMonitor {
    fn after_event<N: Nodes<Bully> + ?Sized>(
        &mut self,
        _now: Micros,
        node: NodeId,
        nodes: &N,
    ) -> Vec<String> {
        let me = nodes.at(usize::from(node) - 1);
        let coordinating = me.is_alive() && me.proto.phase == Phase::Coordinator;
        if coordinating && !self.was_coordinator.contains(&node) {
            *self.tenures.entry(node).or_insert(0) += 1;
            self.was_coordinator.insert(node);
        } else if !coordinating {
            self.was_coordinator.remove(&node);
        }
        let writers: Vec<NodeRef<'_, Bully>> = nodes
            .iter()
            .filter(|s| s.is_alive() && s.proto.phase == Phase::Coordinator && s.proto.tenure_writes > 0)
            .collect();
        let mut out = Vec::new();
        if writers.len() >= 2 {
            let (a, b) = (writers[0], writers[1]);
            let key = (
                a.id,
                b.id,
                self.tenures.get(&a.id).copied().unwrap_or(0),
                self.tenures.get(&b.id).copied().unwrap_or(0),
            );
            if self.reported.insert(key) {
                out.push(format!(
                    "split brain: n{} and n{} are both coordinator and both accepted writes ({} and {})",
                    a.id, b.id, a.proto.tenure_writes, b.proto.tenure_writes
                ));
            }
        }
        out
    }

    /// After healing: the highest live id coordinates and every live process follows it.
    fn stable_leader<N: Nodes<Bully> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let top = nodes.iter().rev().find(|s| s.is_up())?;
        let all_follow = nodes.iter().filter(|s| s.is_up()).all(|s| s.proto.coordinator == Some(top.id));
        (top.proto.phase == Phase::Coordinator && all_follow).then_some(top.id)
    }
}
