//! The trace: the single source of truth of what happened.
//!
//! Every send, delivery, drop, timer, role change, user input, narration note and invariant
//! violation is a [`TraceEvent`] with a one-line `Display` notation (etcd's `DescribeMessage`
//! idea). The same text appears in golden files, in the page's event log and in failure
//! messages, and [`trace_hash`] hashes exactly that text.

use std::fmt;
use std::hash::Hasher;

use serde::Serialize;

use crate::engine::input::Input;
use crate::engine::time::{Micros, NodeId, Time, fmt_time};
use crate::engine::view::Role;

/// One thing that happened at virtual time `t`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    /// When it happened.
    pub t: Micros,
    /// What happened.
    pub kind: TraceKind,
}

/// The kinds of trace events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TraceKind {
    /// A message left `from` for `to`; it arrives (or is dropped) at `deliver_at`.
    Send {
        id: u64,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        summary: String,
        heartbeat: bool,
        deliver_at: Micros,
    },
    /// A message was handed to its destination.
    Deliver { id: u64, from: NodeId, to: NodeId, kind: &'static str, summary: String, heartbeat: bool },
    /// A message never arrived.
    Drop {
        id: u64,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        summary: String,
        heartbeat: bool,
        reason: DropReason,
    },
    /// A timer fired on `node`; `routine` timers (heartbeat) are hidden like heartbeats.
    Timer { node: NodeId, timer: String, routine: bool },
    /// `node` changed role; `term` is its term/epoch/ballot (named `label`), if the
    /// algorithm has one.
    Role { node: NodeId, from: Role, to: Role, term: Option<u64>, label: &'static str },
    /// A user input was applied.
    Input { input: Input },
    /// A paused node resumed because its pause ended.
    Resume { node: NodeId },
    /// Narration written by the algorithm.
    Note { node: NodeId, text: String },
    /// A safety invariant was violated.
    Violation { text: String },
}

/// Why a message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The network lost it (loss probability).
    Lost,
    /// The link was cut when it was sent or when it arrived.
    LinkCut,
    /// The destination was down.
    NodeDown,
    /// The link already held as many messages as it can buffer
    /// ([`MAX_IN_FLIGHT_PER_LINK`](crate::engine::limits::MAX_IN_FLIGHT_PER_LINK)).
    QueueFull,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::Lost => "lost",
            DropReason::LinkCut => "link cut",
            DropReason::NodeDown => "node down",
            DropReason::QueueFull => "queue full",
        })
    }
}

impl TraceKind {
    /// True for heartbeat traffic and routine timers, hidden from golden files and narration unless asked for.
    pub fn is_heartbeat(&self) -> bool {
        match self {
            TraceKind::Send { heartbeat, .. }
            | TraceKind::Deliver { heartbeat, .. }
            | TraceKind::Drop { heartbeat, .. } => *heartbeat,
            TraceKind::Timer { routine, .. } => *routine,
            _ => false,
        }
    }

    /// True for message traffic (send, deliver, drop).
    pub fn is_message(&self) -> bool {
        matches!(self, TraceKind::Send { .. } | TraceKind::Deliver { .. } | TraceKind::Drop { .. })
    }
}

impl TraceEvent {
    /// The event as a plain-English sentence for the page's event log, e.g.
    /// "t=231.4ms: n3 timed out and started an election for term 4". (The `Display` notation
    /// stays the compact form that golden files and the trace hash use.)
    pub fn english(&self) -> String {
        let role = |r: &Role| {
            let n = r.name();
            format!("{} {n}", if n.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" })
        };
        // A message's fields after its kind, in parentheses (nothing if it has none).
        let detail = |kind: &str, summary: &str| {
            let rest = summary.strip_prefix(kind).unwrap_or(summary).trim();
            if rest.is_empty() { String::new() } else { format!(" ({rest})") }
        };
        let body = match &self.kind {
            TraceKind::Send { from, to, kind, summary, deliver_at, .. } => format!(
                "n{from} sent {kind} to n{to}{}; it arrives at {}",
                detail(kind, summary),
                fmt_time(*deliver_at)
            ),
            TraceKind::Deliver { from, to, kind, summary, .. } => {
                format!("n{to} received {kind} from n{from}{}", detail(kind, summary))
            }
            TraceKind::Drop { from, to, kind, reason, .. } => match reason {
                DropReason::Lost => format!("the network lost n{from}'s {kind} to n{to}"),
                DropReason::LinkCut => format!("n{from}'s {kind} to n{to} was dropped: the link is cut"),
                DropReason::NodeDown => format!("n{from}'s {kind} to n{to} was dropped: n{to} is down"),
                DropReason::QueueFull => {
                    format!("n{from}'s {kind} to n{to} was dropped: the link's buffer is full")
                }
            },
            TraceKind::Timer { node, timer, .. } => format!("n{node}'s {timer} timer fired"),
            TraceKind::Role { node, from, to, term, label } => match term {
                Some(t) => format!("n{node} went from {} to {} ({label} {t})", role(from), role(to)),
                None => format!("n{node} went from {} to {}", role(from), role(to)),
            },
            TraceKind::Input { input } => format!("you: {input}"),
            TraceKind::Resume { node } => format!("n{node} woke up from its pause"),
            TraceKind::Note { node, text } => format!("n{node} {text}"),
            TraceKind::Violation { text } => format!("INVARIANT VIOLATED: {text}"),
        };
        format!("t={}: {body}", fmt_time(self.t))
    }
}

impl fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={} ", Time(self.t))?;
        match &self.kind {
            TraceKind::Send { id, from, to, summary, deliver_at, .. } => {
                write!(f, "n{from} -> n{to} {summary} #{id} (arrives {})", Time(*deliver_at))
            }
            TraceKind::Deliver { id, from, to, summary, .. } => {
                write!(f, "n{to} <- n{from} {summary} #{id}")
            }
            TraceKind::Drop { id, from, to, summary, reason, .. } => {
                write!(f, "n{to} x- n{from} {summary} #{id} dropped: {reason}")
            }
            TraceKind::Timer { node, timer, .. } => write!(f, "n{node} timer {timer} fired"),
            TraceKind::Role { node, from, to, term, label } => {
                write!(f, "n{node} {from} -> {to}")?;
                match term {
                    Some(t) => write!(f, " {label}={t}"),
                    None => Ok(()),
                }
            }
            TraceKind::Input { input } => write!(f, "input: {input}"),
            TraceKind::Resume { node } => write!(f, "n{node} resumes after its pause"),
            TraceKind::Note { node, text } => write!(f, "n{node}: {text}"),
            TraceKind::Violation { text } => write!(f, "VIOLATION: {text}"),
        }
    }
}

/// A stable 64-bit hash (FNV-1a) of the trace's text, one line per event.
///
/// Stable across runs, platforms and Rust versions because it hashes the `Display` text,
/// not in-memory layouts.
pub fn trace_hash<'a>(events: impl IntoIterator<Item = &'a TraceEvent>) -> u64 {
    events.into_iter().fold(EMPTY_TRACE_HASH, extend_hash)
}

/// The hash of an empty trace (FNV-1a's offset basis).
pub const EMPTY_TRACE_HASH: u64 = 0xcbf2_9ce4_8422_2325;

/// The hash of a trace extended by one event, from the hash of the trace before it.
pub fn extend_hash(hash: u64, event: &TraceEvent) -> u64 {
    let mut w = FnvWriter(fnv::FnvHasher::with_key(hash));
    // Writing into the hasher cannot fail.
    let _ = fmt::Write::write_fmt(&mut w, format_args!("{event}\n"));
    w.finish()
}

/// 64-bit FNV-1a fed with formatted text, without allocating it (FNV is byte-wise, so this
/// equals hashing the whole text): the same on every platform and run.
pub(crate) struct FnvWriter(fnv::FnvHasher);

impl FnvWriter {
    /// FNV-1a's standard start.
    pub(crate) fn new() -> Self {
        FnvWriter(fnv::FnvHasher::default())
    }

    /// Feeds `s`.
    pub(crate) fn write(&mut self, s: &str) {
        self.0.write(s.as_bytes());
    }

    /// The hash so far.
    pub(crate) fn finish(&self) -> u64 {
        self.0.finish()
    }
}

impl fmt::Write for FnvWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_sentences() {
        let e = |kind| TraceEvent { t: 231_436, kind }.english();
        assert_eq!(
            e(TraceKind::Note { node: 3, text: "timed out and started an election for term 4".into() }),
            "t=231.436ms: n3 timed out and started an election for term 4"
        );
        assert_eq!(
            e(TraceKind::Role {
                node: 3,
                from: Role::Follower,
                to: Role::Candidate,
                term: Some(4),
                label: "term"
            }),
            "t=231.436ms: n3 went from a follower to a candidate (term 4)"
        );
        assert_eq!(
            e(TraceKind::Drop {
                id: 7,
                from: 1,
                to: 2,
                kind: "AppendEntries",
                summary: "AppendEntries term=1".into(),
                heartbeat: true,
                reason: DropReason::LinkCut
            }),
            "t=231.436ms: n1's AppendEntries to n2 was dropped: the link is cut"
        );
        assert_eq!(
            e(TraceKind::Send {
                id: 1,
                from: 4,
                to: 1,
                kind: "RequestVote",
                summary: "RequestVote term=1 last=0@0".into(),
                heartbeat: false,
                deliver_at: 245_000
            }),
            "t=231.436ms: n4 sent RequestVote to n1 (term=1 last=0@0); it arrives at 245ms"
        );
    }

    #[test]
    fn notation() {
        let e = TraceEvent {
            t: 231_000,
            kind: TraceKind::Role {
                node: 3,
                from: Role::Candidate,
                to: Role::Leader,
                term: Some(4),
                label: "term",
            },
        };
        assert_eq!(e.to_string(), "t=231ms n3 candidate -> leader term=4");
    }

    #[test]
    fn hash_is_pinned_fnv1a() {
        // FNV-1a of the empty input is the offset basis.
        assert_eq!(trace_hash(&[]), 0xcbf2_9ce4_8422_2325);
        let e = TraceEvent { t: 0, kind: TraceKind::Violation { text: "x".into() } };
        assert_ne!(trace_hash(std::slice::from_ref(&e)), trace_hash(&[e.clone(), e]));
    }
}
