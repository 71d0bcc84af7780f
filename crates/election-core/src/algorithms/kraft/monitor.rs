//! KRaft's safety monitor: one quorum leader per epoch, voters' epochs never decrease, the
//! committed metadata log never changes, and in it leader epochs only increase and leaders are
//! in their ISR unless elected uncleanly; no acknowledged record is lost. And the liveness
//! check sweeps use.

use crate::engine::collections::Map;
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::time::{Micros, NodeId};
use crate::replication::{self, PartitionId, Record, check_state, lost_from, report_lost};

use super::message::{MetaEntry, MetadataRecord};
use super::{Cluster, Image, Kraft, KraftConfig, QuorumRole};

/// Every acknowledged record any broker reported, by (partition, offset).
pub(super) fn all_acked<N: Nodes<Kraft> + ?Sized>(nodes: &N) -> Map<(PartitionId, u64), Record> {
    replication::all_acked(nodes.iter().filter_map(|n| n.proto.broker().map(|b| &b.acks)))
}

/// Acknowledged records of partition `p` missing from the log of the leader the committed
/// metadata names, once that leader is alive and knows it leads that leader epoch.
pub(super) fn lost_records<N: Nodes<Kraft> + ?Sized>(
    nodes: &N,
    image: &Image,
    p: PartitionId,
    acked: &Map<(PartitionId, u64), Record>,
) -> usize {
    let Some(st) = image.partition(p) else { return 0 };
    let Some(leader) = st.leader.and_then(|l| nodes.get(usize::from(l) - 1)) else { return 0 };
    let Some((log, _, leads, epoch)) = leader.proto.replica(p) else { return 0 };
    if !leader.is_alive() || !leads || epoch != st.leader_epoch {
        return 0;
    }
    lost_from(acked, p, log)
}

/// Everything [`lost_records`] depends on but the records themselves: per partition the
/// leader and leader epoch the committed metadata names, and what the shared
/// [`lost_inputs`](replication::lost_inputs) reads of each broker.
fn lost_inputs<N: Nodes<Kraft> + ?Sized>(nodes: &N, image: &Image, v: &mut Vec<u64>) {
    v.clear();
    for st in &image.partitions {
        v.extend([st.leader.map_or(0, u64::from), st.leader_epoch]);
    }
    for n in nodes.iter() {
        if let Some(b) = n.proto.broker() {
            replication::lost_inputs(n.id, n.is_alive(), (&b.acks, b.truncations), b.replicas.iter(), v);
        }
    }
}

/// KRaft's invariants.
#[derive(Debug, Clone)]
pub struct KraftMonitor {
    config: KraftConfig,
    /// The committed metadata log as first seen committed anywhere, and its image.
    committed: Vec<MetaEntry>,
    image: Option<Image>,
    /// Per node: its truncation count when last checked, and how much of its committed prefix
    /// has been compared with `committed`.
    checked: Vec<(u64, u64)>,
    /// The leader of each epoch seen.
    leaders: Map<u64, NodeId>,
    /// The highest epoch each voter has had.
    epochs: Vec<u64>,
    lost_inputs: Vec<u64>,
    scratch: Vec<u64>,
    reported: Reported,
}

impl KraftMonitor {
    /// The monitor of a cluster with these settings.
    pub(super) fn new(config: KraftConfig) -> Self {
        KraftMonitor {
            config,
            committed: Vec::new(),
            image: None,
            checked: Vec::new(),
            leaders: Map::new(),
            epochs: Vec::new(),
            lost_inputs: Vec::new(),
            scratch: Vec::new(),
            reported: Reported::default(),
        }
    }

    /// Extends the committed log with `entry` at `offset` and checks what it changes.
    fn commit(&mut self, offset: u64, entry: &MetaEntry, out: &mut Vec<String>) {
        let image = self.image.as_mut().expect("initialised before the first check");
        if let MetadataRecord::PartitionChange { partition: p, state } = &entry.record
            && let Some(before) = image.partition(*p)
        {
            check_state(*p, before.leader_epoch, state, &mut self.reported, out);
        }
        image.apply(offset, &entry.record);
        self.committed.push(entry.clone());
    }
}

impl Monitor<Kraft> for KraftMonitor {
    fn after_event<N: Nodes<Kraft> + ?Sized>(
        &mut self,
        _now: Micros,
        node: NodeId,
        nodes: &N,
    ) -> Vec<String> {
        let mut out = Vec::new();
        if self.image.is_none() {
            let cluster = Cluster { n: nodes.len(), config: self.config.clone() };
            self.image = Some(Image::new(&cluster));
            self.checked = vec![(0, 0); nodes.len()];
            self.epochs = vec![0; nodes.len()];
        }
        let idx = usize::from(node) - 1;
        let Some(n) = nodes.get(idx) else { return out };
        // One leader per epoch; epochs never decrease.
        if let Some(v) = n.proto.voter() {
            if v.epoch < self.epochs[idx] {
                self.reported.report(
                    format!("n{node}'s epoch went back from {} to {}", self.epochs[idx], v.epoch),
                    &mut out,
                );
            }
            self.epochs[idx] = self.epochs[idx].max(v.epoch);
            if matches!(v.role, QuorumRole::Leader(_)) {
                let l = *self.leaders.entry(v.epoch).or_insert(node);
                if l != node {
                    self.reported.report(format!("n{l} and n{node} both lead epoch {}", v.epoch), &mut out);
                }
            }
        }
        // The committed metadata never changes: compare what this node has committed.
        let (log, hw, truncations) = n.proto.metadata();
        let (seen, mut done) = self.checked[idx];
        if seen != truncations {
            done = 0;
        }
        let hw = hw.min(log.len() as u64);
        while done < hw {
            let entry = &log[done as usize];
            match self.committed.get(done as usize) {
                Some(c) if c == entry => {}
                Some(c) => {
                    self.reported.report_once(
                        format!("committed metadata at {done}"),
                        format!(
                            "committed metadata at offset {done} changed on n{node}: {} (epoch {}) became {} (epoch {})",
                            c.record, c.epoch, entry.record, entry.epoch
                        ),
                        &mut out,
                    );
                }
                None => {
                    let entry = entry.clone();
                    self.commit(done, &entry, &mut out);
                }
            }
            done += 1;
        }
        self.checked[idx] = (truncations, done);
        // No acknowledged record is lost (checked whenever something it depends on changed).
        let image = self.image.as_ref().expect("initialised above");
        lost_inputs(nodes, image, &mut self.scratch);
        if self.scratch != self.lost_inputs {
            std::mem::swap(&mut self.scratch, &mut self.lost_inputs);
            let acked = all_acked(nodes);
            for p in 0..image.partitions.len() as PartitionId {
                report_lost(p, lost_records(nodes, image, p, &acked), &mut self.reported, &mut out);
            }
        }
        out
    }

    /// The active controller, followed by a majority of voters, with every running broker
    /// registered and unfenced, and every partition with a running in-sync replica led by a
    /// running broker that knows it leads.
    fn stable_leader<N: Nodes<Kraft> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let (leader, c, epoch) = nodes.iter().find_map(|n| {
            let v = n.proto.voter()?;
            let c = v.controller.as_ref()?;
            n.is_up().then_some((n.id, c, v.epoch))
        })?;
        let voters = self.config.voters as usize;
        let following = nodes
            .iter()
            .take(voters)
            .filter(|n| {
                n.is_up() && n.proto.voter().is_some_and(|v| v.epoch == epoch && v.leader() == Some(leader))
            })
            .count();
        if following < voters / 2 + 1 {
            return None;
        }
        for n in nodes.iter().skip(voters) {
            let Some(b) = n.proto.broker() else { continue };
            if !n.is_up() {
                continue;
            }
            let reg = c.image.brokers.get(&n.id)?;
            if reg.fenced || b.broker_epoch != Some(reg.broker_epoch) {
                return None;
            }
        }
        for (p, st) in c.image.partitions.iter().enumerate() {
            let up = |r: NodeId| nodes.get(usize::from(r) - 1).is_some_and(|n| n.is_up());
            match st.leader {
                Some(l) => {
                    let ln = nodes.get(usize::from(l) - 1)?;
                    let knows = ln
                        .proto
                        .replica(p as PartitionId)
                        .is_some_and(|(_, _, lead, e)| lead && e == st.leader_epoch);
                    if !ln.is_up() || !knows {
                        return None;
                    }
                }
                None if st.isr.iter().any(|&r| up(r)) => return None,
                None => {}
            }
        }
        Some(leader)
    }
}
