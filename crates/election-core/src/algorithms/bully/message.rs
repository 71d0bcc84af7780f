//! The messages and timers of the Bully algorithm.

use std::fmt;

use crate::engine::protocol::Message;

/// Bully's messages (Garcia-Molina's names; Coulouris calls ANSWER "OK").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BullyMsg {
    /// "I am holding an election": sent to every higher id.
    Election,
    /// "I am alive and higher than you: stand down" (OK).
    Answer,
    /// "I am the coordinator": sent by the winner to everyone.
    Coordinator,
    /// The coordinator is alive (failure detection; not in the 1982 paper, see module doc).
    Heartbeat,
}

impl Message for BullyMsg {
    fn kind(&self) -> &'static str {
        match self {
            BullyMsg::Election => "Election",
            BullyMsg::Answer => "Answer",
            BullyMsg::Coordinator => "Coordinator",
            BullyMsg::Heartbeat => "Heartbeat",
        }
    }

    fn is_heartbeat(&self) -> bool {
        *self == BullyMsg::Heartbeat
    }
}

impl fmt::Display for BullyMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BullyMsg::Election => "ELECTION",
            BullyMsg::Answer => "OK",
            BullyMsg::Coordinator => "COORDINATOR",
            BullyMsg::Heartbeat => "HEARTBEAT",
        })
    }
}

/// Bully's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BullyTimer {
    /// Coordinator: send heartbeats.
    Heartbeat,
    /// Follower: the coordinator has been silent too long.
    Failure,
    /// Candidate: `T` passed without an OK.
    AnswerWait,
    /// Candidate that got an OK: `T'` passed without COORDINATOR.
    CoordinatorWait,
}

impl fmt::Display for BullyTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BullyTimer::Heartbeat => "heartbeat",
            BullyTimer::Failure => "failure-detector",
            BullyTimer::AnswerWait => "answer-wait (T)",
            BullyTimer::CoordinatorWait => "coordinator-wait (T')",
        })
    }
}
