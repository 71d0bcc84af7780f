//! The invariants of partition replication, checked the same way in both modes: leader epochs
//! only increase, a leader is in its ISR unless elected uncleanly, and no acknowledged record
//! is lost from the log of the partition's current leader.

use crate::engine::collections::Map;
use crate::engine::protocol::Reported;
use crate::engine::time::{Ids, NodeId};

use super::partition::{PartitionId, PartitionState, Record};
use super::replica::{Acks, Replica};

/// Every acknowledged record of `acks` (one per broker), by (partition, offset); the first
/// broker to report an offset wins.
pub fn all_acked<'a>(acks: impl Iterator<Item = &'a Acks>) -> Map<(PartitionId, u64), Record> {
    let mut all = Map::new();
    for a in acks {
        for (k, r) in &a.acked {
            all.entry(*k).or_insert(*r);
        }
    }
    all
}

/// The acknowledged records of partition `p` missing from `log`, its current leader's log.
pub fn lost_from(acked: &Map<(PartitionId, u64), Record>, p: PartitionId, log: &[Record]) -> usize {
    acked.range((p, 0)..(p + 1, 0)).filter(|((_, o), r)| log.get(*o as usize) != Some(r)).count()
}

/// What the lost-records check reads of broker `id` (alive or not, its acknowledgements and
/// log truncations so far, and each replica's log length, leader epoch and leadership), added
/// to `v`. Logs only change by appends (which lengthen them) and truncations (counted), and
/// acknowledgements only by being made (counted): while these stay the same, so does the
/// answer, and the check, which reads every acknowledged record, can be skipped.
pub fn lost_inputs<'a>(
    id: NodeId,
    alive: bool,
    (acks, truncations): (&Acks, u64),
    replicas: impl Iterator<Item = (&'a PartitionId, &'a Replica)>,
    v: &mut Vec<u64>,
) {
    v.extend([u64::from(alive), acks.made, truncations]);
    for (p, r) in replicas {
        let leads = u64::from(r.leader == Some(id));
        v.extend([*p, r.log.len() as u64, r.leader_epoch, leads]);
    }
}

/// Reports `lost` acknowledged records of partition `p`, if any.
pub fn report_lost(p: PartitionId, lost: usize, reported: &mut Reported, out: &mut Vec<String>) {
    if lost > 0 {
        reported.report(format!("{lost} acknowledged record(s) of p{p} lost after a leader change"), out);
    }
}

/// Checks partition `p`'s new state `st` against the leader epoch it had (`last_epoch`): leader
/// epochs only increase, and the leader is in the ISR unless elected uncleanly.
pub fn check_state(
    p: PartitionId,
    last_epoch: u64,
    st: &PartitionState,
    reported: &mut Reported,
    out: &mut Vec<String>,
) {
    if st.leader_epoch < last_epoch {
        reported.report(format!("p{p} leader epoch went back from {last_epoch} to {}", st.leader_epoch), out);
    }
    if let Some(l) = st.leader
        && !st.isr.contains(&l)
        && !st.unclean
    {
        reported.report(format!("p{p} leader n{l} is not in its ISR [{}]", Ids(&st.isr)), out);
    }
}
