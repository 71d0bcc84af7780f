//! Kafka's safety monitor: epochs only increase, a partition leader is in its ISR unless
//! elected uncleanly, no acknowledged record is lost; and the liveness check sweeps use.

use crate::engine::collections::Map;
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::time::{Micros, NodeId};
use crate::replication::{self, PartitionId, Record, check_state, lost_from, report_lost};

use super::{Kafka, Node, STORE};

/// Every acknowledged record any broker reported, by (partition, offset).
pub(super) fn all_acked<N: Nodes<Kafka> + ?Sized>(nodes: &N) -> Map<(PartitionId, u64), Record> {
    replication::all_acked(nodes.iter().filter_map(|n| match &n.proto.node {
        Node::Broker(b) => Some(&b.acks),
        Node::Store(_) => None,
    }))
}

/// Acknowledged records of partition `p` missing from the log of its current leader (the
/// one the store names, once it knows it leads that leader epoch).
pub(super) fn lost_records<N: Nodes<Kafka> + ?Sized>(
    nodes: &N,
    p: PartitionId,
    acked: &Map<(PartitionId, u64), Record>,
) -> usize {
    let Node::Store(store) = &nodes.at(0).proto.node else { return 0 };
    let Some(st) = store.partitions.get(p as usize) else { return 0 };
    let Some(leader) = st.leader.and_then(|l| nodes.get(usize::from(l) - 1)) else { return 0 };
    let leads = leader.proto.replica(p).is_some_and(|(_, _, lead)| lead);
    if !leader.is_alive() || !leads || leader.proto.replica_epoch(p) != Some(st.leader_epoch) {
        return 0;
    }
    let (log, _, _) = leader.proto.replica(p).unwrap_or((&[], 0, false));
    lost_from(acked, p, log)
}

/// Everything [`lost_records`] depends on, except the records themselves: per partition the
/// leader and leader epoch the store names, and what the shared
/// [`lost_inputs`](replication::lost_inputs) reads of each broker.
fn lost_inputs<N: Nodes<Kafka> + ?Sized>(nodes: &N, v: &mut Vec<u64>) {
    v.clear();
    for n in nodes.iter() {
        match &n.proto.node {
            Node::Store(store) => {
                for st in &store.partitions {
                    v.extend([st.leader.map_or(0, u64::from), st.leader_epoch]);
                }
            }
            Node::Broker(b) => {
                replication::lost_inputs(n.id, n.is_alive(), (&b.acks, b.truncations), b.replicas.iter(), v)
            }
        }
    }
}

/// Kafka's invariants.
#[derive(Debug, Clone, Default)]
pub struct KafkaMonitor {
    /// What the lost-records check read last time (see [`lost_inputs`]): while it is the
    /// same, so is the answer, and the check, which reads every acknowledged record, is
    /// skipped.
    lost_inputs: Vec<u64>,
    /// The buffer the next reading goes into: the check runs after every event, and reusing
    /// two buffers keeps it free of allocation.
    scratch: Vec<u64>,
    controller_epoch: u64,
    leader_epochs: Map<PartitionId, u64>,
    reported: Reported,
}

impl Monitor<Kafka> for KafkaMonitor {
    fn after_event<N: Nodes<Kafka> + ?Sized>(
        &mut self,
        _now: Micros,
        node: NodeId,
        nodes: &N,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Node::Store(store) = &nodes.at(0).proto.node else { return out };
        if store.controller_epoch < self.controller_epoch {
            self.reported
                .report(format!("controller epoch went back to {}", store.controller_epoch), &mut out);
        }
        self.controller_epoch = self.controller_epoch.max(store.controller_epoch);
        for (p, st) in store.partitions.iter().enumerate() {
            let p = p as PartitionId;
            let last = *self.leader_epochs.entry(p).or_insert(0);
            self.leader_epochs.insert(p, last.max(st.leader_epoch));
            check_state(p, last, st, &mut self.reported, &mut out);
        }
        // No acknowledged record is lost (checked whenever something it depends on changed).
        lost_inputs(nodes, &mut self.scratch);
        if node != STORE && self.scratch != self.lost_inputs {
            std::mem::swap(&mut self.scratch, &mut self.lost_inputs);
            let acked = all_acked(nodes);
            for p in 0..nodes.at(0).proto.cluster.config.isr.partitions {
                report_lost(p, lost_records(nodes, p, &acked), &mut self.reported, &mut out);
            }
        }
        out
    }

    /// The controller the store knows, alive and acting, and every partition with a live
    /// ISR replica has a live leader that knows it leads.
    fn stable_leader<N: Nodes<Kafka> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let store = nodes.first()?;
        if !store.is_up() {
            return None;
        }
        let Node::Store(s) = &store.proto.node else { return None };
        let c = s.controller?;
        let cn = nodes.get(usize::from(c) - 1)?;
        let Node::Broker(b) = &cn.proto.node else { return None };
        if !cn.is_up() || !b.is_controller() || b.controller_epoch != s.controller_epoch {
            return None;
        }
        for (p, st) in s.partitions.iter().enumerate() {
            let has_live_isr =
                st.isr.iter().any(|r| nodes.get(usize::from(*r) - 1).is_some_and(|n| n.is_up()));
            if !has_live_isr {
                continue;
            }
            let l = st.leader?;
            let ln = nodes.get(usize::from(l) - 1)?;
            if !ln.is_up() || !ln.proto.replica(p as PartitionId).is_some_and(|(_, _, lead)| lead) {
                return None;
            }
        }
        Some(c)
    }
}
