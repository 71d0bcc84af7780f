//! # Kafka's partition replication, shared by both Kafka modes
//!
//! A layer between the [`engine`](crate::engine) and the [`algorithms`](crate::algorithms): the
//! building blocks that the ZooKeeper mode ([`kafka`](crate::algorithms::kafka)) and KRaft
//! ([`kraft`](crate::algorithms::kraft)) share, because Kafka replicates partitions the same
//! way whichever keeps its metadata. It imports only the engine; the two modes import it and
//! never each other. What differs, how the controller is chosen and where it keeps the
//! partition states (ZooKeeper's znodes or the metadata log), stays in each mode's folder.
//!
//! ## What it models
//! * **Partitions** (`partition.rs`): a partition's records, its state (leader, in-sync
//!   replica set or ISR, leader epoch, partition epoch, whether its leader was elected
//!   uncleanly), its replica assignment among the brokers, and the controller's leader choice:
//!   the first replica in assignment order that is eligible (alive in the ZooKeeper mode,
//!   unfenced in KRaft) and in the ISR ([`elect_leader`]); with
//!   `unclean.leader.election.enable`, else the first eligible replica, and acknowledged
//!   records that replica lacks are lost.
//! * **Replicas** (`replica.rs`): on each broker, a [`Replica`] per assigned partition.
//!   Followers fetch from the leader; the leader moves the high watermark to what every member
//!   of the maximal ISR holds (the committed ISR and a change still pending) and only then
//!   acknowledges an `acks=all` record, refuses such a write while the ISR is smaller than
//!   `min.insync.replicas`, and with `acks=1` acknowledges on append. It asks the controller to
//!   shrink the ISR of followers lagging `replica.lag.time.max.ms` and to expand it with a
//!   caught-up follower.
//! * **Logs by epoch** (`log.rs`): where a follower's log parts from its leader's, by the
//!   leader's end offset for the follower's last epoch.
//! * **Settings** (`settings.rs`): the keys both modes take for all this ([`IsrConfig`]), and
//!   the rules `break=` can switch off ([`RULE_NAMES`]).
//! * **Invariants** (`monitor.rs`): leader epochs only increase, a leader is in its ISR unless
//!   elected uncleanly, no acknowledged record is lost.
//! * **What the page shows** (`view.rs`): a broker's replicas, a partition log, the partition
//!   table.
//!
//! ## Where the rules come from
//! * Apache Kafka `Partition` (`checkEnoughReplicasReachOffset`, `fetchRecords`, the maximal
//!   ISR), `ReplicaManager` (ISR shrink after `replica.lag.time.max.ms`, ISR expansion),
//!   `PartitionStateMachine` and `Election.leaderForOffline` (the ZooKeeper-mode controller's
//!   choice), `PartitionChangeBuilder.electLeader` (KRaft's).
//! * KIP-101 (truncation by leader epoch, `OffsetsForLeaderEpoch`), KIP-497 (AlterPartition,
//!   first AlterIsr: the leader counts the ISR it asked for until the controller settles it;
//!   the partition epoch fences stale requests).
//! * Not modelled: eligible leader replicas (KIP-966, KRaft only): only an ISR member is a
//!   clean choice, so when the last one is gone the partition waits for it.

mod log;
mod monitor;
mod partition;
mod replica;
mod settings;
#[cfg(test)]
mod tests;
mod view;

pub use log::{Epoched, diverging, end_for_epoch, last_epoch, truncation_point};
pub use monitor::{all_acked, check_state, lost_from, lost_inputs, report_lost};
pub use partition::{PartitionId, PartitionState, Record, assignment, choose_leader, elect_leader};
pub use replica::{Acks, FETCH_MAX, PendingIsr, Replica};
pub use settings::{
    ACKS1, IsrConfig, LEADER_OUTSIDE_ISR, PRODUCTION_REPLICA_LAG_MS, REPLICA_LAG_MS, RULE_NAMES, UNCLEAN,
    break_setting, check_replica_lag, replica_lag_field,
};
pub use view::{RowFacts, log_entries, partition_panel, replicas_summary};
