//! What the page shows of partition replication in both modes: a broker's replicas in one line,
//! a partition log, and the partition table.

use crate::engine::collections::Map;
use crate::engine::time::{Ids, NodeId};
use crate::engine::view::{EntryView, Panel};

use super::partition::{PartitionId, PartitionState, Record};
use super::replica::Replica;

/// Broker `me`'s replicas in one line: `p0:L3/2 p1:F3/3`, each partition with whether `me`
/// leads it (`L`) or follows (`F`), its log length and its high watermark.
pub fn replicas_summary(me: NodeId, replicas: &Map<PartitionId, Replica>) -> String {
    let parts: Vec<String> = replicas
        .iter()
        .map(|(p, r)| {
            let role = if r.leader == Some(me) { "L" } else { "F" };
            format!("p{p}:{role}{}/{}", r.log.len(), r.hw)
        })
        .collect();
    parts.join(" ")
}

/// A partition log as the page draws logs: 1-based, each record with its leader epoch.
pub fn log_entries(log: &[Record]) -> Vec<EntryView> {
    log.iter()
        .enumerate()
        .map(|(i, r)| EntryView { index: i as u64 + 1, term: r.epoch, label: format!("x={}", r.value) })
        .collect()
}

/// What a mode knows of one partition beyond its state: its replica assignment, its leader's
/// high watermark (if the leader has a replica) and the acknowledged records missing from the
/// leader's log.
pub type RowFacts = (Vec<NodeId>, Option<u64>, usize);

/// The partition table titled `title`, a row for each of `states`: replicas, leader
/// (`offline`, or marked `(unclean)`), ISR, leader epoch, with `partition_epoch` the partition
/// epoch, high watermark and lost records, the facts of each from `facts`.
pub fn partition_panel(
    title: String,
    states: &[PartitionState],
    partition_epoch: bool,
    facts: impl Fn(PartitionId, &PartitionState) -> RowFacts,
) -> Panel {
    let rows = states
        .iter()
        .enumerate()
        .map(|(p, st)| {
            let (assignment, hw, lost) = facts(p as PartitionId, st);
            let mut cells = vec![
                format!("p{p}"),
                Ids(&assignment).to_string(),
                st.leader.map_or("offline".into(), |l| {
                    format!("n{l}{}", if st.unclean { " (unclean)" } else { "" })
                }),
                Ids(&st.isr).to_string(),
                st.leader_epoch.to_string(),
            ];
            if partition_epoch {
                cells.push(st.partition_epoch.to_string());
            }
            cells.push(hw.map_or("-".to_string(), |hw| hw.to_string()));
            cells.push(lost.to_string());
            cells
        })
        .collect();
    let mut columns = vec!["partition", "replicas", "leader", "ISR", "leader epoch"];
    if partition_epoch {
        columns.push("partition epoch");
    }
    columns.extend(["high watermark", "acked records lost"]);
    Panel { title, columns: columns.into_iter().map(String::from).collect(), rows }
}
