//! KRaft's messages, each named for the Kafka RPC it stands for (KIP-595's Vote,
//! BeginQuorumEpoch, EndQuorumEpoch and Fetch; KIP-631's BrokerRegistration and
//! BrokerHeartbeat; KIP-497's AlterPartition), and what they carry: metadata log entries, and
//! the partition states and records of the shared [`replication`](crate::replication) module.

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::time::NodeId;
use crate::replication::{Epoched, PartitionId, PartitionState, Record};

/// One record of the cluster metadata log (`__cluster_metadata`), as `MetadataRecordType` names
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataRecord {
    /// The control record a new quorum leader appends first (`LeaderChangeMessage`): once it is
    /// committed, everything before it is too, and the leader acts as the active controller.
    LeaderChange { leader: NodeId },
    /// `RegisterBrokerRecord`: the broker's epoch is this record's offset; it starts fenced.
    RegisterBroker { broker: NodeId },
    /// `UnfenceBrokerRecord`: the broker caught up with the metadata log and may lead.
    UnfenceBroker { broker: NodeId, broker_epoch: u64 },
    /// `FenceBrokerRecord`: the broker missed heartbeats for `broker.session.timeout.ms`.
    FenceBroker { broker: NodeId, broker_epoch: u64 },
    /// `PartitionChangeRecord`: a new leader, ISR or both.
    PartitionChange { partition: PartitionId, state: PartitionState },
}

/// An entry of the metadata log: a record and the quorum epoch of the leader that appended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaEntry {
    /// Quorum epoch it was appended in.
    pub epoch: u64,
    /// The record.
    pub record: MetadataRecord,
}

impl Epoched for MetaEntry {
    fn epoch(&self) -> u64 {
        self.epoch
    }
}

/// What a metadata Fetch returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchResult {
    /// Entries from offset `from`, and the leader's high watermark.
    Records { from: u64, entries: Vec<MetaEntry>, hw: u64 },
    /// The logs diverge: the leader's largest epoch at most the fetcher's last one, and where it
    /// ends (`DivergingEpoch` in `FetchResponse`, KIP-595).
    Diverging { epoch: u64, end_offset: u64 },
    /// The receiver does not lead this epoch (`NOT_LEADER_OR_FOLLOWER`,
    /// `FENCED_LEADER_EPOCH`); the response names the leader it knows.
    NotLeader,
}

/// What a partition Fetch returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaFetchResult {
    /// Records from offset `from`, and the leader's high watermark.
    Records { from: u64, records: Vec<Record>, hw: u64 },
    /// The logs diverge (KIP-101's answer, folded into the fetch as KIP-595 does).
    Diverging { epoch: u64, end_offset: u64 },
}

/// Why the controller refused an AlterPartition (`Errors` in `AlterPartitionResponse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlterError {
    /// `INVALID_UPDATE_VERSION` / `FENCED_LEADER_EPOCH`: the request was built on an older state;
    /// the leader waits for the metadata log to tell it the current one.
    Stale,
    /// `INELIGIBLE_REPLICA` (KIP-841): a replica to add is fenced; the leader drops the change.
    Ineligible,
}

/// KRaft's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KraftMsg {
    /// Candidate -> voters: `VoteRequest` (KIP-595) for `epoch`, with the candidate's last
    /// log epoch and end offset. With `pre_vote` (KIP-996) it asks whether it could win, without
    /// anyone changing epoch or vote.
    Vote { epoch: u64, last_epoch: u64, end_offset: u64, pre_vote: bool },
    /// Voter -> candidate: `VoteResponse`, with the voter's epoch.
    VoteResponse { epoch: u64, granted: bool, pre_vote: bool },
    /// New leader -> voters: `BeginQuorumEpochRequest`: I lead `epoch`; fetch from me. Re-sent
    /// to each voter until it fetches.
    BeginQuorumEpoch { epoch: u64 },
    /// Voter -> leader: `BeginQuorumEpochResponse`, with the voter's epoch: a higher one
    /// (`FENCED_LEADER_EPOCH`) makes the leader step down.
    BeginQuorumEpochResponse { epoch: u64 },
    /// Resigning leader -> voters: `EndQuorumEpochRequest`: I give up `epoch` (graceful
    /// shutdown); `successors` are the preferred next leaders, most caught up first.
    EndQuorumEpoch { epoch: u64, successors: Vec<NodeId> },
    /// Follower or observer -> leader: `FetchRequest` on `__cluster_metadata` from `offset`,
    /// whose previous entry has `last_epoch` (`LastFetchedEpoch`). The leader learns how far
    /// each voter has replicated from it: followers pull, the leader never pushes.
    Fetch { epoch: u64, offset: u64, last_epoch: u64 },
    /// Leader (or a voter that is not) -> fetcher: `FetchResponse`, with the responder's epoch
    /// and the leader it knows (`CurrentLeader`).
    FetchResponse { epoch: u64, leader: Option<NodeId>, result: FetchResult },
    /// Broker -> active controller: `BrokerRegistrationRequest` (KIP-631).
    BrokerRegistration,
    /// Controller -> broker: registered, with `broker_epoch` (the offset of its
    /// `RegisterBrokerRecord`); sent once that record is committed.
    BrokerRegistrationResponse { broker_epoch: u64 },
    /// Broker -> active controller: `BrokerHeartbeatRequest`, with the metadata offset it has
    /// applied (`CurrentMetadataOffset`).
    BrokerHeartbeat { broker_epoch: u64, metadata_offset: u64 },
    /// Controller -> broker: `BrokerHeartbeatResponse`: whether the broker is fenced, or
    /// (`stale`, `STALE_BROKER_EPOCH`) that it must register again.
    BrokerHeartbeatResponse { broker_epoch: u64, fenced: bool, stale: bool },
    /// Partition leader -> controller: `AlterPartitionRequest` (KIP-497): change the ISR of a
    /// partition whose state is at `leader_epoch` and `partition_epoch`.
    AlterPartition { partition: PartitionId, leader_epoch: u64, partition_epoch: u64, isr: Vec<NodeId> },
    /// Controller -> leader: `AlterPartitionResponse`: the committed new state, or why not.
    AlterPartitionResponse { partition: PartitionId, result: Result<PartitionState, AlterError> },
    /// Follower -> partition leader: `FetchRequest` on a data partition (the replica fetcher).
    ReplicaFetch { partition: PartitionId, leader_epoch: u64, offset: u64, last_epoch: u64 },
    /// Partition leader -> follower: `FetchResponse` on a data partition.
    ReplicaFetchResponse { partition: PartitionId, leader_epoch: u64, result: ReplicaFetchResult },
}

impl Message for KraftMsg {
    fn kind(&self) -> &'static str {
        match self {
            KraftMsg::Vote { pre_vote: true, .. } => "PreVote",
            KraftMsg::Vote { .. } => "Vote",
            KraftMsg::VoteResponse { .. } => "VoteResponse",
            KraftMsg::BeginQuorumEpoch { .. } => "BeginQuorumEpoch",
            KraftMsg::BeginQuorumEpochResponse { .. } => "BeginQuorumEpochResponse",
            KraftMsg::EndQuorumEpoch { .. } => "EndQuorumEpoch",
            KraftMsg::Fetch { .. } => "Fetch",
            KraftMsg::FetchResponse { .. } => "FetchResponse",
            KraftMsg::BrokerRegistration => "BrokerRegistration",
            KraftMsg::BrokerRegistrationResponse { .. } => "BrokerRegistrationResponse",
            KraftMsg::BrokerHeartbeat { .. } => "BrokerHeartbeat",
            KraftMsg::BrokerHeartbeatResponse { .. } => "BrokerHeartbeatResponse",
            KraftMsg::AlterPartition { .. } => "AlterPartition",
            KraftMsg::AlterPartitionResponse { .. } => "AlterPartitionResponse",
            KraftMsg::ReplicaFetch { .. } => "ReplicaFetch",
            KraftMsg::ReplicaFetchResponse { .. } => "ReplicaFetchResponse",
        }
    }

    fn is_heartbeat(&self) -> bool {
        match self {
            KraftMsg::Fetch { .. }
            | KraftMsg::BrokerHeartbeat { .. }
            | KraftMsg::ReplicaFetch { .. }
            | KraftMsg::BeginQuorumEpochResponse { .. } => true,
            KraftMsg::FetchResponse { result: FetchResult::Records { entries, .. }, .. } => {
                entries.is_empty()
            }
            KraftMsg::FetchResponse { result: FetchResult::NotLeader, .. } => true,
            KraftMsg::BrokerHeartbeatResponse { stale, .. } => !stale,
            KraftMsg::ReplicaFetchResponse {
                result: ReplicaFetchResult::Records { records, .. }, ..
            } => records.is_empty(),
            _ => false,
        }
    }
}

pub(super) use crate::engine::time::{Ids, Opt};

impl fmt::Display for MetadataRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataRecord::LeaderChange { leader } => write!(f, "LeaderChange n{leader}"),
            MetadataRecord::RegisterBroker { broker } => write!(f, "RegisterBroker n{broker}"),
            MetadataRecord::UnfenceBroker { broker, .. } => write!(f, "UnfenceBroker n{broker}"),
            MetadataRecord::FenceBroker { broker, .. } => write!(f, "FenceBroker n{broker}"),
            MetadataRecord::PartitionChange { partition, state } => write!(
                f,
                "p{partition} leader={} isr=[{}] e{}",
                Opt(state.leader),
                Ids(&state.isr),
                state.leader_epoch
            ),
        }
    }
}

impl fmt::Display for KraftMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KraftMsg::Vote { epoch, last_epoch, end_offset, pre_vote } => write!(
                f,
                "{} epoch={epoch} last_epoch={last_epoch} end_offset={end_offset}",
                if *pre_vote { "PreVote" } else { "Vote" }
            ),
            KraftMsg::VoteResponse { epoch, granted, pre_vote } => write!(
                f,
                "{}Response epoch={epoch} {}",
                if *pre_vote { "PreVote" } else { "Vote" },
                if *granted { "granted" } else { "rejected" }
            ),
            KraftMsg::BeginQuorumEpoch { epoch } => write!(f, "BeginQuorumEpoch epoch={epoch}"),
            KraftMsg::BeginQuorumEpochResponse { epoch } => {
                write!(f, "BeginQuorumEpochResponse epoch={epoch}")
            }
            KraftMsg::EndQuorumEpoch { epoch, successors } => {
                write!(f, "EndQuorumEpoch epoch={epoch} successors=[{}]", Ids(successors))
            }
            KraftMsg::Fetch { epoch, offset, last_epoch } => {
                write!(f, "Fetch epoch={epoch} offset={offset} last_epoch={last_epoch}")
            }
            KraftMsg::FetchResponse { epoch, leader, result } => {
                write!(f, "FetchResponse epoch={epoch} leader={} ", Opt(*leader))?;
                match result {
                    FetchResult::Records { from, entries, hw } => {
                        write!(f, "from={from} records={} hw={hw}", entries.len())
                    }
                    FetchResult::Diverging { epoch, end_offset } => {
                        write!(f, "diverging epoch={epoch} end_offset={end_offset}")
                    }
                    FetchResult::NotLeader => f.write_str("not leader"),
                }
            }
            KraftMsg::BrokerRegistration => f.write_str("BrokerRegistration"),
            KraftMsg::BrokerRegistrationResponse { broker_epoch } => {
                write!(f, "BrokerRegistrationResponse broker_epoch={broker_epoch}")
            }
            KraftMsg::BrokerHeartbeat { broker_epoch, metadata_offset } => {
                write!(f, "BrokerHeartbeat broker_epoch={broker_epoch} metadata_offset={metadata_offset}")
            }
            KraftMsg::BrokerHeartbeatResponse { broker_epoch, fenced, stale } => write!(
                f,
                "BrokerHeartbeatResponse broker_epoch={broker_epoch} {}",
                if *stale {
                    "STALE_BROKER_EPOCH"
                } else if *fenced {
                    "fenced"
                } else {
                    "unfenced"
                }
            ),
            KraftMsg::AlterPartition { partition, leader_epoch, partition_epoch, isr } => write!(
                f,
                "AlterPartition p{partition} isr=[{}] leader_epoch={leader_epoch} partition_epoch={partition_epoch}",
                Ids(isr)
            ),
            KraftMsg::AlterPartitionResponse { partition, result } => match result {
                Ok(st) => write!(
                    f,
                    "AlterPartitionResponse p{partition} isr=[{}] partition_epoch={}",
                    Ids(&st.isr),
                    st.partition_epoch
                ),
                Err(e) => write!(f, "AlterPartitionResponse p{partition} {e:?}"),
            },
            KraftMsg::ReplicaFetch { partition, offset, .. } => {
                write!(f, "ReplicaFetch p{partition} offset={offset}")
            }
            KraftMsg::ReplicaFetchResponse { partition, result, .. } => match result {
                ReplicaFetchResult::Records { from, records, hw } => write!(
                    f,
                    "ReplicaFetchResponse p{partition} from={from} records={} hw={hw}",
                    records.len()
                ),
                ReplicaFetchResult::Diverging { epoch, end_offset } => write!(
                    f,
                    "ReplicaFetchResponse p{partition} diverging epoch={epoch} end_offset={end_offset}"
                ),
            },
        }
    }
}
