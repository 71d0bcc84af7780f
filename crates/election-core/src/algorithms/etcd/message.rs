//! The messages and timers of the etcd election recipe.

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::time::Micros;

/// Requests and replies between candidates and etcd (n1), and the job's writes to storage
/// (n2). Every request names the candidate's lease, and replies echo it, so that a reply for an
/// earlier session is recognised and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtcdMsg {
    /// Candidate -> etcd: `LeaseGrant` with this TTL (`concurrency.NewSession`); `sent_at` as
    /// in `KeepAlive`.
    LeaseGrant { ttl_ms: u64, sent_at: Micros },
    /// etcd -> candidate: the lease id, for the grant request sent at `sent_at`.
    LeaseGranted { lease: u64, ttl_ms: u64, sent_at: Micros },
    /// Candidate -> etcd: `LeaseKeepAlive`. `sent_at` is the candidate's own send time, echoed in
    /// the answer as a request id would be; it is not shown in the trace.
    KeepAlive { lease: u64, sent_at: Micros },
    /// etcd -> candidate: the lease's TTL again, or 0 if the lease is gone.
    KeepAliveResp { lease: u64, ttl_ms: u64, sent_at: Micros },
    /// Candidate -> etcd: `Campaign`'s transaction: if the key `election/<lease>` does not exist,
    /// put it with the lease, else get it.
    Campaign { lease: u64 },
    /// etcd -> candidate: the key's create revision (the put's, or the existing key's).
    Campaigned { lease: u64, create_rev: u64 },
    /// etcd -> candidate: the lease does not exist any more (`ErrLeaseNotFound`).
    LeaseNotFound { lease: u64 },
    /// Candidate -> etcd: `waitDeletes`' range request: the key under the prefix with the
    /// largest create revision at most `max_rev` (`WithLastCreate`, `WithMaxCreateRev`).
    GetLast { lease: u64, max_rev: u64 },
    /// etcd -> candidate: that key, as (its lease, its create revision), if any.
    Last { lease: u64, max_rev: u64, key: Option<(u64, u64)> },
    /// Candidate -> etcd: watch the key of lease `key` for its deletion. Sent again with every
    /// keep-alive while waiting, as a watch stream resumes after a break: the simulated network
    /// loses single messages, which a gRPC stream does not.
    /// The watch starts at the revision where the key had create revision `rev`, so it sees the
    /// key's deletion even if the key was created again since.
    Watch { lease: u64, key: u64, rev: u64 },
    /// etcd -> candidate: a `DELETE` event on the key of lease `key` created at `rev`.
    Deleted { key: u64, rev: u64 },
    /// Candidate -> etcd: `Resign`: delete its key if its create revision is still `create_rev`.
    Resign { lease: u64, create_rev: u64 },
    /// etcd -> candidate: that key is gone (deleted now or before).
    Resigned { lease: u64 },
    /// Leader -> storage: the job's result for `period`, fenced by the leader key's create revision.
    Write { token: u64, period: u64 },
    /// Storage -> writer: accepted or rejected.
    WriteResult { token: u64, accepted: bool },
}

impl Message for EtcdMsg {
    fn kind(&self) -> &'static str {
        match self {
            EtcdMsg::LeaseGrant { .. } => "LeaseGrant",
            EtcdMsg::LeaseGranted { .. } => "LeaseGranted",
            EtcdMsg::KeepAlive { .. } => "KeepAlive",
            EtcdMsg::KeepAliveResp { .. } => "KeepAliveResp",
            EtcdMsg::Campaign { .. } => "Campaign",
            EtcdMsg::Campaigned { .. } => "Campaigned",
            EtcdMsg::LeaseNotFound { .. } => "LeaseNotFound",
            EtcdMsg::GetLast { .. } => "GetLast",
            EtcdMsg::Last { .. } => "Last",
            EtcdMsg::Watch { .. } => "Watch",
            EtcdMsg::Deleted { .. } => "Deleted",
            EtcdMsg::Resign { .. } => "Resign",
            EtcdMsg::Resigned { .. } => "Resigned",
            EtcdMsg::Write { .. } => "Write",
            EtcdMsg::WriteResult { .. } => "WriteResult",
        }
    }

    fn is_heartbeat(&self) -> bool {
        matches!(self, EtcdMsg::KeepAlive { .. } | EtcdMsg::KeepAliveResp { .. } | EtcdMsg::Watch { .. })
    }
}

/// A candidate's key as `Campaign` writes it: the prefix and the lease id in hex.
pub fn key(lease: u64) -> String {
    format!("election/{lease:x}")
}

impl fmt::Display for EtcdMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EtcdMsg::LeaseGrant { ttl_ms, .. } => write!(f, "LeaseGrant ttl={ttl_ms}ms"),
            EtcdMsg::LeaseGranted { lease, ttl_ms, .. } => {
                write!(f, "LeaseGranted lease={lease:x} ttl={ttl_ms}ms")
            }
            EtcdMsg::KeepAlive { lease, .. } => write!(f, "KeepAlive lease={lease:x}"),
            EtcdMsg::KeepAliveResp { lease, ttl_ms, .. } => {
                write!(f, "KeepAliveResp lease={lease:x} ttl={ttl_ms}ms")
            }
            EtcdMsg::Campaign { lease } => write!(f, "Campaign put {} if absent", key(*lease)),
            EtcdMsg::Campaigned { lease, create_rev } => {
                write!(f, "Campaigned {} create_rev={create_rev}", key(*lease))
            }
            EtcdMsg::LeaseNotFound { lease } => write!(f, "LeaseNotFound lease={lease:x}"),
            EtcdMsg::GetLast { max_rev, .. } => write!(f, "GetLast election/ max_create_rev={max_rev}"),
            EtcdMsg::Last { key: Some((k, rev)), .. } => write!(f, "Last {} create_rev={rev}", key(*k)),
            EtcdMsg::Last { key: None, .. } => write!(f, "Last none"),
            EtcdMsg::Watch { key: k, .. } => write!(f, "Watch {}", key(*k)),
            EtcdMsg::Deleted { key: k, .. } => write!(f, "Deleted {}", key(*k)),
            EtcdMsg::Resign { lease, .. } => write!(f, "Resign delete {}", key(*lease)),
            EtcdMsg::Resigned { lease } => write!(f, "Resigned {}", key(*lease)),
            EtcdMsg::Write { token, period } => write!(f, "Write period={period} token={token}"),
            EtcdMsg::WriteResult { token, accepted } => {
                write!(f, "WriteResult token={token} {}", if *accepted { "accepted" } else { "rejected" })
            }
        }
    }
}

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EtcdTimer {
    /// etcd: the earliest lease runs out.
    Expiry,
    /// Candidate: send a keep-alive (every third of the TTL).
    KeepAlive,
    /// Candidate: its lease is past its TTL since the last answered keep-alive was sent.
    Deadline,
    /// Candidate: a request went unanswered; send it again.
    Retry,
    /// Candidate: the next period starts; run the job if leading.
    Job,
    /// Candidate: the job's work is done; write the result.
    JobDone,
}

impl fmt::Display for EtcdTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EtcdTimer::Expiry => "lease-expiry",
            EtcdTimer::KeepAlive => "keepalive",
            EtcdTimer::Deadline => "lease-deadline",
            EtcdTimer::Retry => "retry",
            EtcdTimer::Job => "job",
            EtcdTimer::JobDone => "job-done",
        })
    }
}
