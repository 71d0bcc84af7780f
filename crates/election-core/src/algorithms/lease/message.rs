//! The messages and timers of the lease lock.

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::time::{Micros, NodeId};

/// Messages between clients, the lock service and storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseMsg {
    /// Client -> service: may I have the lock? (Redis `SET NX PX`, etcd txn on the lock key)
    Acquire,
    /// Service -> client: yours, with this fencing token, for `ttl`.
    Granted { token: u64, ttl_ms: u64 },
    /// Service -> client: someone else holds it (or the service is waiting).
    Busy { holder: Option<NodeId> },
    /// Client -> service: extend my lease (etcd `LeaseKeepAlive`). `sent_at` is the client's
    /// own send time, which the service echoes: it identifies the request as a request id
    /// would, and is not shown in the trace.
    Renew { token: u64, sent_at: Micros },
    /// Service -> client: extended, in answer to the renewal sent at `sent_at`.
    Renewed { token: u64, sent_at: Micros },
    /// Service -> client: that lease is gone.
    Lost { token: u64 },
    /// Client -> storage: the job's result, written in `period`, fenced by `token`.
    Write { token: u64, period: u64 },
    /// Storage -> client: accepted or rejected.
    WriteResult { token: u64, accepted: bool },
}

impl Message for LeaseMsg {
    fn kind(&self) -> &'static str {
        match self {
            LeaseMsg::Acquire => "Acquire",
            LeaseMsg::Granted { .. } => "Granted",
            LeaseMsg::Busy { .. } => "Busy",
            LeaseMsg::Renew { .. } => "Renew",
            LeaseMsg::Renewed { .. } => "Renewed",
            LeaseMsg::Lost { .. } => "Lost",
            LeaseMsg::Write { .. } => "Write",
            LeaseMsg::WriteResult { .. } => "WriteResult",
        }
    }

    fn is_heartbeat(&self) -> bool {
        matches!(self, LeaseMsg::Renew { .. } | LeaseMsg::Renewed { .. })
    }
}

impl fmt::Display for LeaseMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeaseMsg::Acquire => write!(f, "Acquire"),
            LeaseMsg::Granted { token, ttl_ms } => write!(f, "Granted token={token} ttl={ttl_ms}ms"),
            LeaseMsg::Busy { holder: Some(h) } => write!(f, "Busy holder=n{h}"),
            LeaseMsg::Busy { holder: None } => write!(f, "Busy"),
            LeaseMsg::Renew { token, .. } => write!(f, "Renew token={token}"),
            LeaseMsg::Renewed { token, .. } => write!(f, "Renewed token={token}"),
            LeaseMsg::Lost { token } => write!(f, "Lost token={token}"),
            LeaseMsg::Write { token, period } => write!(f, "Write period={period} token={token}"),
            LeaseMsg::WriteResult { token, accepted } => {
                write!(f, "WriteResult token={token} {}", if *accepted { "accepted" } else { "rejected" })
            }
        }
    }
}

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeaseTimer {
    /// Service: the current lease runs out.
    Expiry,
    /// Client: try to acquire again.
    Retry,
    /// Client holding the lock: renew.
    Keepalive,
    /// Client: the next period starts; run the job if holding the lock.
    Job,
    /// Client: the job's work is done; write the result.
    JobDone,
}

impl fmt::Display for LeaseTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeaseTimer::Expiry => "lease-expiry",
            LeaseTimer::Retry => "retry",
            LeaseTimer::Keepalive => "keepalive",
            LeaseTimer::Job => "job",
            LeaseTimer::JobDone => "job-done",
        })
    }
}
