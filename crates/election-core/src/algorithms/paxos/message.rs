//! The messages and timers of Paxos.

use std::fmt;

use crate::engine::protocol::Message;
use crate::engine::time::NodeId;

/// A ballot number: `(round, proposer)`, ordered by round then proposer, so that two
/// proposers never use the same ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Ballot {
    /// Round.
    pub round: u64,
    /// Proposer id (tie-break).
    pub node: NodeId,
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.node)
    }
}

/// A proposed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    /// The no-op a new leader proposes to find out it really leads.
    NoOp,
    /// A client write.
    Write(u64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::NoOp => f.write_str("no-op"),
            Value::Write(v) => write!(f, "x={v}"),
        }
    }
}

/// Paxos messages (Lamport's names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaxosMsg {
    /// Phase 1a, for slot `from` and every slot above it (Paxos Made Simple §3: the slots the
    /// proposer does not know chosen).
    Prepare { ballot: Ballot, from: u64 },
    /// Phase 1b: a promise, with what the acceptor accepted before (slot, ballot, value).
    Promise { ballot: Ballot, accepted: Vec<(u64, Ballot, Value)> },
    /// Refusal: the acceptor promised `promised`, higher than `ballot`.
    Nack { ballot: Ballot, promised: Ballot },
    /// Phase 2a.
    Accept { ballot: Ballot, slot: u64, value: Value },
    /// Phase 2b.
    Accepted { ballot: Ballot, slot: u64 },
    /// The leader tells learners a value was chosen.
    Decide { slot: u64, value: Value },
    /// The leader is alive (and still holds `ballot`).
    Heartbeat { ballot: Ballot },
}

impl Message for PaxosMsg {
    fn kind(&self) -> &'static str {
        match self {
            PaxosMsg::Prepare { .. } => "Prepare",
            PaxosMsg::Promise { .. } => "Promise",
            PaxosMsg::Nack { .. } => "Nack",
            PaxosMsg::Accept { .. } => "Accept",
            PaxosMsg::Accepted { .. } => "Accepted",
            PaxosMsg::Decide { .. } => "Decide",
            PaxosMsg::Heartbeat { .. } => "Heartbeat",
        }
    }

    fn is_heartbeat(&self) -> bool {
        matches!(self, PaxosMsg::Heartbeat { .. })
    }
}

impl fmt::Display for PaxosMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaxosMsg::Prepare { ballot, from } => {
                write!(f, "Prepare ballot={ballot}")?;
                // Slot 1 is where every log starts: only a later start is worth printing.
                if *from > 1 {
                    write!(f, " from={from}")?;
                }
                Ok(())
            }
            PaxosMsg::Promise { ballot, accepted } => {
                write!(f, "Promise ballot={ballot}")?;
                for (s, b, v) in accepted {
                    write!(f, " [{s}: {v}@{b}]")?;
                }
                Ok(())
            }
            PaxosMsg::Nack { ballot, promised } => write!(f, "Nack ballot={ballot} promised={promised}"),
            PaxosMsg::Accept { ballot, slot, value } => {
                write!(f, "Accept ballot={ballot} slot={slot} {value}")
            }
            PaxosMsg::Accepted { ballot, slot } => write!(f, "Accepted ballot={ballot} slot={slot}"),
            PaxosMsg::Decide { slot, value } => write!(f, "Decide slot={slot} {value}"),
            PaxosMsg::Heartbeat { ballot } => write!(f, "Heartbeat ballot={ballot}"),
        }
    }
}

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PaxosTimer {
    /// No leader heard (or backoff over): try phase 1.
    Election,
    /// Leader: heartbeat.
    Heartbeat,
}

impl fmt::Display for PaxosTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PaxosTimer::Election => "leader-timeout",
            PaxosTimer::Heartbeat => "heartbeat",
        })
    }
}
