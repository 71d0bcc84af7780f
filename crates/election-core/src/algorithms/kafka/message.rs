//! Kafka's messages, each named for the ZooKeeper operation or Kafka request it stands for.
//! What they carry, partition states and log records, is the shared
//! [`replication`](crate::replication) module's.

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::time::{Ids, NodeId, Opt};
use crate::replication::{PartitionId, PartitionState, Record};

/// Kafka's messages. The store's side stands for ZooKeeper operations and watches on the znodes
/// Kafka uses (`/controller`, `/controller_epoch`, `/brokers/ids/<id>`, the partition `state`
/// znodes); the brokers' side for Kafka's inter-broker requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KafkaMsg {
    /// Broker -> store: open a new session, register, and try to become controller. Stands for
    /// ZooKeeper's session `ConnectRequest`, then `KafkaZkClient.registerBroker` (the ephemeral
    /// `/brokers/ids/<id>`) and `KafkaController.elect` (`registerControllerAndIncrementControllerEpoch`:
    /// create the ephemeral `/controller`, bump `/controller_epoch`).
    Register,
    /// Store -> broker: you hold `/controller` for controller `epoch`. Carries what the new
    /// controller reads first (`initializeControllerContext`): the live brokers with their broker
    /// epochs (`/brokers/ids`, at znode version `version`) and every partition's stored state.
    Elected { epoch: u64, alive: Vec<(NodeId, u64)>, version: u64, partitions: Vec<PartitionState> },
    /// Store -> broker: `/controller` is taken (the create failed with `NODEEXISTS`); here is who
    /// holds it, as `KafkaController.elect` reads it back with a watch.
    Registered { controller: Option<NodeId>, epoch: u64 },
    /// Broker -> store: session heartbeat (ZooKeeper's ping, `OpCode.ping`).
    SessionPing,
    /// Store -> broker: the ping's answer. It also says who holds `/controller`: a model
    /// shortcut for the broker's watch on `/controller`.
    PingAck { controller: Option<NodeId>, epoch: u64 },
    /// Store -> brokers: the controller's session expired and its ephemeral `/controller` was
    /// deleted: the brokers' watches fire (`ControllerChangeHandler.handleDeletion`, which
    /// queues Kafka's `Reelect` event).
    ControllerGone { epoch: u64 },
    /// Store -> controller: the child watch on `/brokers/ids` fires (Kafka's `BrokerChange`
    /// event, `processBrokerChange`). Carries the live brokers with their broker epochs
    /// (`version` orders snapshots, as the znode version of `/brokers/ids` does); `restarted`
    /// names a broker that opened a new session. A broker epoch is new at every registration
    /// (KIP-380's broker epoch, the czxid of `/brokers/ids/<id>`), so the controller notices a
    /// restart even when it missed the notice that the broker had gone.
    BrokerChange { alive: Vec<(NodeId, u64)>, version: u64, restarted: Option<NodeId> },
    /// Controller -> store: write a partition's state, conditional on the controller epoch and
    /// the state's version (`KafkaZkClient.updateLeaderAndIsr`: a `setData` on the partition's
    /// `state` znode checked against its zkVersion, in a multi-op with a check on
    /// `/controller_epoch`).
    UpdatePartition { controller_epoch: u64, partition: PartitionId, state: PartitionState },
    /// Store -> controller: the write of `version` is durable (the `setData` returned `OK`).
    UpdateAck { partition: PartitionId, version: u64 },
    /// Store -> controller: the conditional write failed (ZooKeeper's `BADVERSION`); here is the
    /// stored state to start again from.
    UpdateRejected { partition: PartitionId, current: PartitionState },
    /// Controller -> replicas: `LeaderAndIsrRequest`: the partition's leader, leader epoch and
    /// ISR, with the version of the stored state (the partition epoch / zkVersion of KIP-497):
    /// a replica ignores a state older than one it has, such as a delayed re-send from before an
    /// ISR change.
    LeaderAndIsr {
        controller_epoch: u64,
        partition: PartitionId,
        leader: Option<NodeId>,
        leader_epoch: u64,
        isr: Vec<NodeId>,
        version: u64,
    },
    /// Replica -> controller: `LeaderAndIsrResponse`: applied (the controller's channel
    /// re-sends the request until it hears this).
    LeaderAndIsrAck { partition: PartitionId, leader_epoch: u64 },
    /// Partition leader -> controller: change the ISR (`AlterPartitionRequest`, called
    /// `AlterIsrRequest` when KIP-497 introduced it).
    AlterIsr { partition: PartitionId, leader_epoch: u64, isr: Vec<NodeId> },
    /// Controller -> leader: `AlterPartitionResponse`: the ISR change is committed, as stored
    /// `version`.
    IsrUpdated {
        controller_epoch: u64,
        partition: PartitionId,
        leader_epoch: u64,
        isr: Vec<NodeId>,
        version: u64,
    },
    /// Follower -> leader: `FetchRequest` from the replica fetcher: records from `offset`; my
    /// last record's epoch is `last_epoch`. The epoch folds KIP-101's `OffsetsForLeaderEpoch`
    /// question into the fetch, as the `lastFetchedEpoch` field (KIP-595) does.
    Fetch { partition: PartitionId, leader_epoch: u64, offset: u64, last_epoch: u64 },
    /// Leader -> follower: `FetchResponse`: records, the high watermark, and where my log ends
    /// for the follower's last epoch (the answer to `OffsetsForLeaderEpoch`; Kafka's
    /// `divergingEpoch`).
    FetchResponse {
        partition: PartitionId,
        leader_epoch: u64,
        from: u64,
        records: Vec<Record>,
        hw: u64,
        end_offset: u64,
    },
}

impl Message for KafkaMsg {
    fn kind(&self) -> &'static str {
        match self {
            KafkaMsg::Register => "Register",
            KafkaMsg::Elected { .. } => "Elected",
            KafkaMsg::Registered { .. } => "Registered",
            KafkaMsg::SessionPing => "SessionPing",
            KafkaMsg::PingAck { .. } => "PingAck",
            KafkaMsg::ControllerGone { .. } => "ControllerGone",
            KafkaMsg::BrokerChange { .. } => "BrokerChange",
            KafkaMsg::UpdatePartition { .. } => "UpdatePartition",
            KafkaMsg::UpdateAck { .. } => "UpdateAck",
            KafkaMsg::UpdateRejected { .. } => "UpdateRejected",
            KafkaMsg::LeaderAndIsr { .. } => "LeaderAndIsr",
            KafkaMsg::LeaderAndIsrAck { .. } => "LeaderAndIsrAck",
            KafkaMsg::AlterIsr { .. } => "AlterIsr",
            KafkaMsg::IsrUpdated { .. } => "IsrUpdated",
            KafkaMsg::Fetch { .. } => "Fetch",
            KafkaMsg::FetchResponse { .. } => "FetchResponse",
        }
    }

    fn is_heartbeat(&self) -> bool {
        match self {
            KafkaMsg::SessionPing | KafkaMsg::PingAck { .. } | KafkaMsg::Fetch { .. } => true,
            KafkaMsg::BrokerChange { restarted: None, .. } => true,
            KafkaMsg::FetchResponse { records, .. } => records.is_empty(),
            _ => false,
        }
    }
}

/// `n2,n3,n4`: a list of node ids for notes and message text.
pub(super) fn ids(v: &[NodeId]) -> Ids<'_> {
    Ids(v)
}

/// `n3`, or `-` for none.
pub(super) fn opt(n: Option<NodeId>) -> Opt {
    Opt(n)
}

impl fmt::Display for KafkaMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KafkaMsg::Register => write!(f, "Register (create /controller)"),
            KafkaMsg::Elected { epoch, .. } => write!(f, "Elected controller epoch={epoch}"),
            KafkaMsg::Registered { controller, epoch } => {
                write!(f, "Registered controller={} epoch={epoch}", opt(*controller))
            }
            KafkaMsg::SessionPing => write!(f, "SessionPing"),
            KafkaMsg::PingAck { controller, epoch } => {
                write!(f, "PingAck controller={} epoch={epoch}", opt(*controller))
            }
            KafkaMsg::ControllerGone { epoch } => write!(f, "ControllerGone epoch={epoch}"),
            KafkaMsg::BrokerChange { alive, version, restarted } => {
                f.write_str("BrokerChange alive=[")?;
                for (i, (n, _)) in alive.iter().enumerate() {
                    write!(f, "{}n{n}", if i > 0 { "," } else { "" })?;
                }
                write!(f, "] v{version}")?;
                match restarted {
                    Some(r) => write!(f, " restarted=n{r}"),
                    None => Ok(()),
                }
            }
            KafkaMsg::UpdatePartition { controller_epoch, partition, state } => write!(
                f,
                "UpdatePartition p{partition} leader={} isr=[{}] leader_epoch={} controller_epoch={controller_epoch}",
                opt(state.leader),
                ids(&state.isr),
                state.leader_epoch
            ),
            KafkaMsg::UpdateAck { partition, version } => write!(f, "UpdateAck p{partition} v{version}"),
            KafkaMsg::UpdateRejected { partition, current } => write!(
                f,
                "UpdateRejected p{partition} (stored v{} leader_epoch={})",
                current.partition_epoch, current.leader_epoch
            ),
            KafkaMsg::LeaderAndIsr { controller_epoch, partition, leader, leader_epoch, isr, version } => {
                write!(
                    f,
                    "LeaderAndIsr p{partition} leader={} leader_epoch={leader_epoch} isr=[{}] v{version} controller_epoch={controller_epoch}",
                    opt(*leader),
                    ids(isr)
                )
            }
            KafkaMsg::LeaderAndIsrAck { partition, leader_epoch } => {
                write!(f, "LeaderAndIsrAck p{partition} leader_epoch={leader_epoch}")
            }
            KafkaMsg::AlterIsr { partition, leader_epoch, isr } => {
                write!(f, "AlterIsr p{partition} leader_epoch={leader_epoch} isr=[{}]", ids(isr))
            }
            KafkaMsg::IsrUpdated { partition, isr, version, .. } => {
                write!(f, "IsrUpdated p{partition} isr=[{}] v{version}", ids(isr))
            }
            KafkaMsg::Fetch { partition, offset, .. } => write!(f, "Fetch p{partition} offset={offset}"),
            KafkaMsg::FetchResponse { partition, from, records, hw, .. } => {
                write!(f, "FetchResponse p{partition} from={from} records={} hw={hw}", records.len())
            }
        }
    }
}
