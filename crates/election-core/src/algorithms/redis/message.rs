//! The messages and timers of the Redis lock.

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::time::{Micros, NodeId};

/// The random value a client stores in the lock key: here its id and its attempt number, so
/// that the trace reads `n3#2`. Only its owner knows it, which is what the compare in the
/// refresh script relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LockValue {
    /// The client that chose it.
    pub client: NodeId,
    /// Its acquisition attempt.
    pub attempt: u64,
}

impl fmt::Display for LockValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}#{}", self.client, self.attempt)
    }
}

/// Messages between clients, the Redis instances and storage. `sent_at` is the client's own send
/// time, echoed in the answer as a request id would be; it is not shown in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisMsg {
    /// Client -> Redis: `SET lock <value> NX PX <ttl>`.
    Set { value: LockValue, px_ms: u64, sent_at: Micros },
    /// Redis -> client: `OK`, the key is set with this value.
    SetOk { value: LockValue, sent_at: Micros },
    /// Redis -> client: nil, the key exists (someone holds the lock).
    SetNil { value: LockValue },
    /// Client -> Redis: the refresh script: `if redis.call("get", KEYS[1]) == ARGV[1] then
    /// return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`.
    Extend { value: LockValue, px_ms: u64, sent_at: Micros },
    /// Redis -> client: 1 if extended, 0 if the key holds another value or none.
    Extended { value: LockValue, ok: bool, sent_at: Micros },
    /// Client -> instance: the unlock script: `if redis.call("get", KEYS[1]) == ARGV[1] then
    /// return redis.call("del", KEYS[1]) else return 0 end`, after a failed Redlock attempt.
    /// Its answer is not waited for.
    Unlock { value: LockValue },
    /// Holder -> storage: the job's result for `period`. The lock value rides along for the
    /// monitor; storage has no token to check.
    Write { value: LockValue, period: u64 },
    /// Storage -> writer: accepted (always).
    WriteResult { value: LockValue },
}

impl Message for RedisMsg {
    fn kind(&self) -> &'static str {
        match self {
            RedisMsg::Set { .. } => "SET NX PX",
            RedisMsg::SetOk { .. } => "OK",
            RedisMsg::SetNil { .. } => "nil",
            RedisMsg::Extend { .. } => "PEXPIRE script",
            RedisMsg::Extended { .. } => "Extended",
            RedisMsg::Unlock { .. } => "DEL script",
            RedisMsg::Write { .. } => "Write",
            RedisMsg::WriteResult { .. } => "WriteResult",
        }
    }

    fn is_heartbeat(&self) -> bool {
        matches!(self, RedisMsg::Extend { .. } | RedisMsg::Extended { .. })
    }
}

impl fmt::Display for RedisMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisMsg::Set { value, px_ms, .. } => write!(f, "SET lock {value} NX PX {px_ms}"),
            RedisMsg::SetOk { value, .. } => write!(f, "OK lock={value}"),
            RedisMsg::SetNil { .. } => write!(f, "nil"),
            RedisMsg::Extend { value, px_ms, .. } => write!(f, "EVAL extend lock {value} {px_ms}"),
            RedisMsg::Extended { ok, .. } => write!(f, "Extended {}", u8::from(*ok)),
            RedisMsg::Unlock { value } => write!(f, "EVAL unlock lock {value}"),
            RedisMsg::Write { value, period } => write!(f, "Write period={period} lock={value}"),
            RedisMsg::WriteResult { .. } => write!(f, "WriteResult accepted"),
        }
    }
}

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RedisTimer {
    /// Redis: the key's TTL runs out.
    Expiry,
    /// Client: try `SET NX` again.
    Retry,
    /// Holder: run the refresh script.
    Refresh,
    /// Client: the next period starts; run the job if holding the lock.
    Job,
    /// Client: the job's work is done; write the result.
    JobDone,
}

impl fmt::Display for RedisTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedisTimer::Expiry => "key-expiry",
            RedisTimer::Retry => "retry",
            RedisTimer::Refresh => "refresh",
            RedisTimer::Job => "job",
            RedisTimer::JobDone => "job-done",
        })
    }
}
