//! The messages and timers of ZooKeeper (ZAB).

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::shared_log::SharedLog;
use crate::engine::time::NodeId;

/// A transaction id: high 32 bits the epoch, low 32 bits a counter.
pub type Zxid = u64;

/// Formats a zxid as `epoch.counter`.
pub fn zxid_str(z: Zxid) -> String {
    format!("{}.{}", z >> 32, z & 0xffff_ffff)
}

/// A vote, ordered exactly as `FastLeaderElection.totalOrderPredicate`: higher peer epoch,
/// then higher zxid, then higher server id. The derived `Ord` compares fields in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vote {
    /// The proposed leader's epoch.
    pub peer_epoch: u64,
    /// The proposed leader's last zxid.
    pub zxid: Zxid,
    /// The proposed leader.
    pub leader: NodeId,
}

impl fmt::Display for Vote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{} (epoch {}, zxid {})", self.leader, self.peer_epoch, zxid_str(self.zxid))
    }
}

/// One transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Txn {
    /// Its id.
    pub zxid: Zxid,
    /// The written value.
    pub value: u64,
}

/// ZooKeeper's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZabMsg {
    /// FLE notification: my vote, my round, my state.
    Notification { vote: Vote, round: u64, state: ServerState },
    /// Follower -> leader: my accepted epoch and last zxid (discovery).
    FollowerInfo { accepted_epoch: u64, last_zxid: Zxid },
    /// Leader -> follower: the new epoch and the history to adopt (synchronization).
    NewLeader { epoch: u64, history: SharedLog<Txn>, committed: Zxid },
    /// Follower -> leader: history adopted.
    AckNewLeader { epoch: u64 },
    /// Leader -> follower: you are up to date; broadcast begins.
    UpToDate { epoch: u64 },
    /// Broadcast: a proposed transaction.
    Proposal { epoch: u64, txn: Txn },
    /// Follower -> leader: logged.
    Ack { epoch: u64, zxid: Zxid },
    /// Leader -> followers: committed up to `zxid`.
    Commit { epoch: u64, zxid: Zxid },
    /// Leader liveness.
    Ping { epoch: u64 },
    /// Follower liveness.
    Pong { epoch: u64 },
}

impl Message for ZabMsg {
    fn kind(&self) -> &'static str {
        match self {
            ZabMsg::Notification { .. } => "Notification",
            ZabMsg::FollowerInfo { .. } => "FollowerInfo",
            ZabMsg::NewLeader { .. } => "NewLeader",
            ZabMsg::AckNewLeader { .. } => "AckNewLeader",
            ZabMsg::UpToDate { .. } => "UpToDate",
            ZabMsg::Proposal { .. } => "Proposal",
            ZabMsg::Ack { .. } => "Ack",
            ZabMsg::Commit { .. } => "Commit",
            ZabMsg::Ping { .. } => "Ping",
            ZabMsg::Pong { .. } => "Pong",
        }
    }

    fn is_heartbeat(&self) -> bool {
        matches!(self, ZabMsg::Ping { .. } | ZabMsg::Pong { .. })
    }
}

impl fmt::Display for ZabMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZabMsg::Notification { vote, round, state } => {
                write!(f, "Notification vote={vote} round={round} {state}")
            }
            ZabMsg::FollowerInfo { accepted_epoch, last_zxid } => {
                write!(f, "FollowerInfo epoch={accepted_epoch} zxid={}", zxid_str(*last_zxid))
            }
            ZabMsg::NewLeader { epoch, history, committed } => write!(
                f,
                "NewLeader epoch={epoch} history={} txns committed={}",
                history.len(),
                zxid_str(*committed)
            ),
            ZabMsg::AckNewLeader { epoch } => write!(f, "AckNewLeader epoch={epoch}"),
            ZabMsg::UpToDate { epoch } => write!(f, "UpToDate epoch={epoch}"),
            ZabMsg::Proposal { txn, .. } => write!(f, "Proposal zxid={} x={}", zxid_str(txn.zxid), txn.value),
            ZabMsg::Ack { zxid, .. } => write!(f, "Ack zxid={}", zxid_str(*zxid)),
            ZabMsg::Commit { zxid, .. } => write!(f, "Commit zxid={}", zxid_str(*zxid)),
            ZabMsg::Ping { epoch } => write!(f, "Ping epoch={epoch}"),
            ZabMsg::Pong { epoch } => write!(f, "Pong epoch={epoch}"),
        }
    }
}

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZabTimer {
    /// LOOKING: no notification for a while: re-send (and double the interval).
    Resend,
    /// LOOKING: a quorum agrees; end the election if nothing better arrives.
    Finalize,
    /// Leader: ping followers and check the quorum.
    Ping,
    /// Follower: leader silent; leader: discovery/sync not done, or quorum lost.
    Sync,
    /// Follower not yet synchronized: connect again (ZooKeeper's `connectToLeader` retries).
    Connect,
}

impl fmt::Display for ZabTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ZabTimer::Resend => "notification-resend",
            ZabTimer::Finalize => "finalize-wait",
            ZabTimer::Ping => "ping",
            ZabTimer::Sync => "sync-timeout",
            ZabTimer::Connect => "connect-retry",
        })
    }
}

/// A server's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// Electing.
    Looking,
    /// Following a leader.
    Following,
    /// Leading.
    Leading,
}

impl fmt::Display for ServerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerState::Looking => "LOOKING",
            ServerState::Following => "FOLLOWING",
            ServerState::Leading => "LEADING",
        })
    }
}
