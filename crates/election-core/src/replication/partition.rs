//! A partition as both Kafka modes model it: its number, its records, its state (leader, ISR,
//! leader and partition epochs), where its replicas live and how the controller picks its
//! leader.

use crate::engine::collections::Set;
use crate::engine::time::NodeId;

/// A partition's number within the one topic the model has (not to be confused with lease's
/// `Part`, a node's kind).
pub type PartitionId = u64;

/// One record of a partition log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// The produced value.
    pub value: u64,
    /// Leader epoch in which it was appended.
    pub epoch: u64,
}

/// A partition's state as the controller decides it: what ZooKeeper's partition `state` znode
/// holds in the ZooKeeper mode, and what a `PartitionRecord` / `PartitionChangeRecord` of the
/// metadata log says in KRaft (there always the whole state rather than a delta).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionState {
    /// Current leader (None: offline, Kafka's `NO_LEADER`).
    pub leader: Option<NodeId>,
    /// In-sync replicas.
    pub isr: Vec<NodeId>,
    /// Bumped when the leader changes: fences a stale leader's replication.
    pub leader_epoch: u64,
    /// Bumped on every change: fences a stale ISR change (KIP-497's partition epoch; in the
    /// ZooKeeper mode the version of the `state` znode that the controller's conditional writes
    /// check).
    pub partition_epoch: u64,
    /// The current leader was elected from outside the ISR.
    pub unclean: bool,
}

impl PartitionState {
    /// A partition before its first leader: offline, its whole assignment as ISR, epochs 0.
    pub fn offline(assignment: Vec<NodeId>) -> Self {
        PartitionState { leader: None, isr: assignment, leader_epoch: 0, partition_epoch: 0, unclean: false }
    }
}

/// The replica list of partition `p` in a cluster of `nodes` whose first `others` nodes are not
/// brokers (the ZooKeeper node, or the controller quorum's voters): replicas go round the brokers
/// from the partition's own, capped by the number of brokers.
pub fn assignment(p: PartitionId, nodes: usize, others: u64, replication: u64) -> Vec<NodeId> {
    let brokers = (nodes as u64).saturating_sub(others).max(1);
    let rf = replication.min(brokers).max(1);
    (0..rf).map(|i| (others + 1 + (p + i) % brokers) as NodeId).collect()
}

/// The leader of a partition without one: the first replica in assignment order that is
/// `eligible` (alive in the ZooKeeper mode, unfenced in KRaft) and in the ISR; with unclean
/// election allowed, else the first eligible replica. The flag says whether the choice was
/// unclean. Kafka's `Election.leaderForOffline` (ZooKeeper mode) and
/// `PartitionChangeBuilder.electLeader` (KRaft) are this rule.
pub fn elect_leader(
    assignment: &[NodeId],
    isr: &[NodeId],
    eligible: &Set<NodeId>,
    unclean: bool,
) -> Option<(NodeId, bool)> {
    if let Some(&l) = assignment.iter().find(|r| eligible.contains(r) && isr.contains(r)) {
        return Some((l, false));
    }
    if unclean {
        return assignment.iter().find(|r| eligible.contains(r)).map(|&l| (l, true));
    }
    None
}

/// [`elect_leader`], or with the rule `leader-outside-isr` broken (`outside_isr`) the first
/// eligible replica, in the ISR or not, passed off as a clean choice.
pub fn choose_leader(
    assignment: &[NodeId],
    isr: &[NodeId],
    eligible: &Set<NodeId>,
    unclean: bool,
    outside_isr: bool,
) -> Option<(NodeId, bool)> {
    if outside_isr {
        return assignment.iter().find(|r| eligible.contains(r)).map(|&l| (l, false));
    }
    elect_leader(assignment, isr, eligible, unclean)
}
