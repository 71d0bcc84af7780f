//! Raft's messages, named as in the paper's Figure 2 and the dissertation.

use std::fmt;

use crate::engine::protocol::Message;

/// Entries of an AppendEntries that its one-line text lists.
const SHOWN_ENTRIES: usize = 4;

/// One entry of the replicated log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The term in which a leader created the entry.
    pub term: u64,
    /// What the entry holds.
    pub data: EntryData,
}

/// The payload of a log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryData {
    /// The blank entry a new leader appends at the start of its term (§8, dissertation §6.4),
    /// so that it can commit entries from earlier terms.
    NoOp,
    /// A client write `x = value`.
    Write(u64),
}

impl fmt::Display for EntryData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryData::NoOp => f.write_str("no-op"),
            EntryData::Write(v) => write!(f, "x={v}"),
        }
    }
}

/// Raft's RPCs. Requests and responses are separate one-way messages, as on a real network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaftMsg {
    /// Dissertation §9.6: "would you vote for me in `term`?" Sent with the *next* term and
    /// without incrementing the sender's own term, so a partitioned node cannot inflate terms.
    PreVote { term: u64, last_log_index: u64, last_log_term: u64 },
    /// Answer to [`RaftMsg::PreVote`]; `term` is the asked-for term when granted, the
    /// responder's own term when refused.
    PreVoteResponse { term: u64, granted: bool },
    /// §5.2 RequestVote RPC: a candidate asks for a vote in `term`. `transfer` marks an
    /// election started by TimeoutNow (§3.10); it is informational here.
    RequestVote { term: u64, last_log_index: u64, last_log_term: u64, transfer: bool },
    /// §5.2 RequestVote result.
    RequestVoteResponse { term: u64, granted: bool },
    /// §5.3 AppendEntries RPC: replicate `entries` after `prev_log_index`; with no entries it
    /// is a heartbeat (§5.2).
    AppendEntries {
        term: u64,
        prev_log_index: u64,
        prev_log_term: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
    },
    /// §5.3 AppendEntries result. On success `index` is the last index now matching the
    /// leader; on failure it is the follower's hint of where to retry from (the "accelerated
    /// log backtracking" of §5.3's last paragraph, as etcd's `RejectHint`). `heartbeat` only
    /// tags replies to empty AppendEntries so that traces can hide them; no rule reads it.
    AppendEntriesResponse { term: u64, success: bool, index: u64, heartbeat: bool },
    /// Dissertation §3.10: the leader tells the transfer target to start an election now.
    TimeoutNow { term: u64 },
}

impl Message for RaftMsg {
    fn kind(&self) -> &'static str {
        match self {
            RaftMsg::PreVote { .. } => "PreVote",
            RaftMsg::PreVoteResponse { .. } => "PreVoteResponse",
            RaftMsg::RequestVote { .. } => "RequestVote",
            RaftMsg::RequestVoteResponse { .. } => "Vote",
            RaftMsg::AppendEntries { .. } => "AppendEntries",
            RaftMsg::AppendEntriesResponse { .. } => "AppendEntriesResponse",
            RaftMsg::TimeoutNow { .. } => "TimeoutNow",
        }
    }

    fn is_heartbeat(&self) -> bool {
        match self {
            RaftMsg::AppendEntries { entries, .. } => entries.is_empty(),
            RaftMsg::AppendEntriesResponse { heartbeat, .. } => *heartbeat,
            _ => false,
        }
    }
}

impl fmt::Display for RaftMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = |g: bool| if g { "granted" } else { "refused" };
        match self {
            RaftMsg::PreVote { term, last_log_index, last_log_term } => {
                write!(f, "PreVote term={term} last={last_log_index}@{last_log_term}")
            }
            RaftMsg::PreVoteResponse { term, granted } => {
                write!(f, "PreVoteResponse term={term} {}", verdict(*granted))
            }
            RaftMsg::RequestVote { term, last_log_index, last_log_term, transfer } => {
                write!(f, "RequestVote term={term} last={last_log_index}@{last_log_term}")?;
                if *transfer {
                    f.write_str(" transfer")?;
                }
                Ok(())
            }
            RaftMsg::RequestVoteResponse { term, granted } => {
                write!(f, "Vote term={term} {}", verdict(*granted))
            }
            RaftMsg::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit } => {
                write!(f, "AppendEntries term={term} prev={prev_log_index}@{prev_log_term}")?;
                if !entries.is_empty() {
                    // A batch is named by its first entries and its size: listing all 32 made
                    // every trace line of a write burst a paragraph.
                    f.write_str(" entries=[")?;
                    for (i, e) in entries.iter().take(SHOWN_ENTRIES).enumerate() {
                        if i > 0 {
                            f.write_str(" ")?;
                        }
                        write!(f, "{}@{}", e.data, e.term)?;
                    }
                    if entries.len() > SHOWN_ENTRIES {
                        write!(f, " +{} more", entries.len() - SHOWN_ENTRIES)?;
                    }
                    f.write_str("]")?;
                }
                write!(f, " commit={leader_commit}")
            }
            RaftMsg::AppendEntriesResponse { term, success, index, .. } => {
                if *success {
                    write!(f, "AppendEntriesResponse term={term} ok match={index}")
                } else {
                    write!(f, "AppendEntriesResponse term={term} reject hint={index}")
                }
            }
            RaftMsg::TimeoutNow { term } => write!(f, "TimeoutNow term={term}"),
        }
    }
}
