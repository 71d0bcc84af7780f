//! The messages and timers of the ZooKeeper leader-election recipe.

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::time::Micros;

/// Requests and replies between candidates and ZooKeeper (n1), and the job's writes to storage
/// (n2). Every request after `Connect` names its session, as ZooKeeper's wire protocol does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZkMsg {
    /// Candidate -> ZooKeeper: open a session with this timeout (`ConnectRequest`); `sent_at` as
    /// in `Ping`.
    Connect { timeout_ms: u64, sent_at: Micros },
    /// ZooKeeper -> candidate: the session id and the negotiated timeout (`ConnectResponse`), for
    /// the request sent at `sent_at`.
    Connected { session: u64, timeout_ms: u64, sent_at: Micros },
    /// Candidate -> ZooKeeper: the heartbeat of an idle session. It carries the exists-watch the
    /// candidate holds, as `SetWatches` does after a reconnection: the server fires it again if
    /// the znode is already gone (a lost notification here stands for a dropped connection).
    /// `sent_at` is the candidate's own send time, echoed in the answer (as a request's xid
    /// identifies it); it is not shown in the trace.
    Ping { session: u64, watch: Option<u64>, sent_at: Micros },
    /// ZooKeeper -> candidate: the session was alive when the ping sent at `sent_at` arrived.
    Pong { session: u64, sent_at: Micros },
    /// ZooKeeper -> candidate: that session has expired (`SESSIONEXPIRED`): its ephemerals are gone.
    SessionExpired { session: u64 },
    /// Candidate -> ZooKeeper: `create("/election/<session>-n_", EPHEMERAL_SEQUENTIAL)`. The name
    /// carries the session id, Curator's "protection" GUID, so that a retry can find the znode
    /// a lost reply created.
    Create { session: u64 },
    /// ZooKeeper -> candidate: created with this sequence number.
    Created { session: u64, seq: u64 },
    /// Candidate -> ZooKeeper: `getChildren("/election")`.
    GetChildren { session: u64 },
    /// ZooKeeper -> candidate: the children as (sequence number, owning session), in order.
    Children { session: u64, znodes: Vec<(u64, u64)> },
    /// Candidate -> ZooKeeper: `exists("/election/..-n_<seq>", watch=true)`.
    Exists { session: u64, seq: u64 },
    /// ZooKeeper -> candidate: whether it exists (if it does, the watch is set).
    ExistsResult { session: u64, seq: u64, exists: bool },
    /// ZooKeeper -> candidate: a watched znode was deleted (`NodeDeleted`, one-shot).
    NodeDeleted { seq: u64 },
    /// Candidate -> ZooKeeper: `delete` a duplicate znode of its own session.
    Delete { session: u64, seq: u64 },
    /// Leader -> storage: the job's result for `period`, fenced by the leader's znode sequence.
    Write { token: u64, period: u64 },
    /// Storage -> writer: accepted or rejected.
    WriteResult { token: u64, accepted: bool },
}

impl Message for ZkMsg {
    fn kind(&self) -> &'static str {
        match self {
            ZkMsg::Connect { .. } => "Connect",
            ZkMsg::Connected { .. } => "Connected",
            ZkMsg::Ping { .. } => "Ping",
            ZkMsg::Pong { .. } => "Pong",
            ZkMsg::SessionExpired { .. } => "SessionExpired",
            ZkMsg::Create { .. } => "Create",
            ZkMsg::Created { .. } => "Created",
            ZkMsg::GetChildren { .. } => "GetChildren",
            ZkMsg::Children { .. } => "Children",
            ZkMsg::Exists { .. } => "Exists",
            ZkMsg::ExistsResult { .. } => "ExistsResult",
            ZkMsg::NodeDeleted { .. } => "NodeDeleted",
            ZkMsg::Delete { .. } => "Delete",
            ZkMsg::Write { .. } => "Write",
            ZkMsg::WriteResult { .. } => "WriteResult",
        }
    }

    fn is_heartbeat(&self) -> bool {
        matches!(self, ZkMsg::Ping { .. } | ZkMsg::Pong { .. })
    }
}

/// A znode's name as the recipe writes it: `n_` and a ten-digit sequence number.
pub fn znode(seq: u64) -> String {
    format!("n_{seq:010}")
}

impl fmt::Display for ZkMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZkMsg::Connect { timeout_ms, .. } => write!(f, "Connect timeout={timeout_ms}ms"),
            ZkMsg::Connected { session, timeout_ms, .. } => {
                write!(f, "Connected session=0x{session:x} timeout={timeout_ms}ms")
            }
            ZkMsg::Ping { session, .. } => write!(f, "Ping session=0x{session:x}"),
            ZkMsg::Pong { session, .. } => write!(f, "Pong session=0x{session:x}"),
            ZkMsg::SessionExpired { session } => write!(f, "SessionExpired session=0x{session:x}"),
            ZkMsg::Create { session } => write!(f, "Create /election/0x{session:x}-n_ EPHEMERAL_SEQUENTIAL"),
            ZkMsg::Created { seq, .. } => write!(f, "Created {}", znode(*seq)),
            ZkMsg::GetChildren { .. } => write!(f, "GetChildren /election"),
            ZkMsg::Children { znodes, .. } => {
                let names: Vec<String> = znodes.iter().map(|&(s, _)| znode(s)).collect();
                write!(f, "Children [{}]", names.join(", "))
            }
            ZkMsg::Exists { seq, .. } => write!(f, "Exists {} watch", znode(*seq)),
            ZkMsg::ExistsResult { seq, exists, .. } => write!(f, "ExistsResult {} {exists}", znode(*seq)),
            ZkMsg::NodeDeleted { seq } => write!(f, "NodeDeleted {}", znode(*seq)),
            ZkMsg::Delete { seq, .. } => write!(f, "Delete {}", znode(*seq)),
            ZkMsg::Write { token, period } => write!(f, "Write period={period} token={token}"),
            ZkMsg::WriteResult { token, accepted } => {
                write!(f, "WriteResult token={token} {}", if *accepted { "accepted" } else { "rejected" })
            }
        }
    }
}

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZkTimer {
    /// ZooKeeper: one `tickTime` passed; expire the sessions whose timeout ran out.
    Tick,
    /// Candidate: send a ping (every third of the session timeout).
    Ping,
    /// Candidate: nothing heard from ZooKeeper for two thirds of the session timeout.
    Disconnect,
    /// Candidate: a request went unanswered; send it again.
    Retry,
    /// Candidate: the next period starts; run the job if leading.
    Job,
    /// Candidate: the job's work is done; write the result.
    JobDone,
}

impl fmt::Display for ZkTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ZkTimer::Tick => "tick",
            ZkTimer::Ping => "ping",
            ZkTimer::Disconnect => "read-timeout",
            ZkTimer::Retry => "retry",
            ZkTimer::Job => "job",
            ZkTimer::JobDone => "job-done",
        })
    }
}
