//! Serializable views: the only thing the user interface sees of a simulation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::net::LinkState;
use crate::engine::time::{Micros, NodeId};

/// Liveness of a node process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Liveness {
    /// Running.
    Up,
    /// Crashed: volatile state lost, durable state kept.
    Down,
    /// Stalled (a GC pause): timers frozen, inbound messages queue up.
    Paused,
}

/// One log entry for drawing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    /// Position in the log (1-based).
    pub index: u64,
    /// Term (or epoch) the entry was created in.
    pub term: u64,
    /// What the entry holds ("x=7", "no-op").
    pub label: String,
}

/// Everything the UI draws for one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeView {
    /// Node id.
    pub id: NodeId,
    /// Up, down or paused.
    pub liveness: Liveness,
    /// Role (meaningful only when up or paused).
    pub role: Role,
    /// Term / epoch / ballot.
    pub term: u64,
    /// Whom this node voted for in `term`.
    pub voted_for: Option<NodeId>,
    /// The leader this node believes in.
    pub leader: Option<NodeId>,
    /// Votes received in the current campaign.
    pub votes: Vec<NodeId>,
    /// When the watched timer (election timer) fires, if armed.
    pub timer_deadline: Option<Micros>,
    /// When the watched timer was armed (for the draining arc).
    pub timer_armed_at: Option<Micros>,
    /// Paused until (None while paused means "until resumed").
    pub paused_until: Option<Micros>,
    /// The log (possibly truncated to the last entries by the caller).
    pub log: Vec<EntryView>,
    /// Highest committed index.
    pub commit: u64,
    /// Algorithm-specific details as label/value pairs.
    pub details: Vec<(String, String)>,
    /// Algorithm-specific one-line status fields.
    pub summary: String,
    /// What this node is when nodes differ ("lock service", "storage", "client"); empty otherwise.
    pub tag: String,
    /// The node's clock, when it does not read true time (drift or a jump).
    pub clock: Option<ClockView>,
}

/// A node's clock against true time (see [`crate::engine::clock`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockView {
    /// What it reads now.
    pub local: Micros,
    /// Its rate error, in parts per million.
    pub rate_ppm: i32,
    /// What jumps added.
    pub offset_us: i64,
}

/// A message on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageView {
    /// Message id (as in the trace, `#id`).
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Destination.
    pub to: NodeId,
    /// Kind label ("RequestVote").
    pub kind: &'static str,
    /// One-line summary.
    pub summary: String,
    /// Heartbeat traffic.
    pub heartbeat: bool,
    /// Send time.
    pub sent_at: Micros,
    /// Arrival time.
    pub deliver_at: Micros,
    /// The message will not arrive (lost, or its link is cut): draw it falling off.
    pub doomed: bool,
}

/// One directed link that is not healthy (healthy links are not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkView {
    /// Sender side.
    pub from: NodeId,
    /// Receiver side.
    pub to: NodeId,
    /// State.
    pub state: LinkState,
}

/// In-flight messages a view describes at most; the rest are counted per link.
pub const MAX_VIEW_MESSAGES: usize = 150;

/// In-flight messages a view describes at most per directed link.
pub const MAX_VIEW_PER_LINK: usize = 4;

/// The whole cluster at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterView {
    /// Algorithm name.
    pub algorithm: &'static str,
    /// What the algorithm calls its term ("term", "epoch", "ballot"), if it has one.
    pub term_label: Option<&'static str>,
    /// Whether leadership transfer is offered.
    pub supports_transfer: bool,
    /// Current virtual time.
    pub now: Micros,
    /// Nodes in id order.
    pub nodes: Vec<NodeView>,
    /// In-flight messages in send order, at most [`MAX_VIEW_MESSAGES`] and
    /// [`MAX_VIEW_PER_LINK`] per directed link (a duplicate of a listed one is not listed).
    pub messages: Vec<MessageView>,
    /// The in-flight messages left out of `messages`, counted per directed link
    /// (`(from, to, count)`, in link order): a storm puts thousands on the wire, and a view
    /// that described them all cost more than a frame.
    pub more: Vec<(NodeId, NodeId, usize)>,
    /// Cut links.
    pub links: Vec<LinkView>,
    /// Number of invariant violations so far.
    pub violations: usize,
    /// Leader followed by a majority, if any.
    pub stable_leader: Option<NodeId>,
    /// Messages sent so far, per kind, in kind order.
    pub message_counts: Vec<(String, u64)>,
    /// An algorithm-specific table (Kafka partitions, the storage's writes), if any.
    pub panel: Option<Panel>,
}

/// A small table the UI draws as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Panel {
    /// Title.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// The role of a node, shared across algorithms so the UI can colour it.
///
/// Each role has a colour *and* a letter so that it stays readable without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Follows a leader (Raft follower, ZAB FOLLOWING, Bully non-coordinator, Kafka broker).
    Follower,
    /// Asking for pre-votes without disturbing the cluster (Raft PreVote, dissertation §9.6).
    PreCandidate,
    /// Campaigning for leadership (Raft candidate, ZAB LOOKING, Bully electing, Paxos proposer).
    Candidate,
    /// The leader (Raft leader, ZAB LEADING, Bully coordinator, Kafka controller, lock holder).
    Leader,
}

impl Role {
    /// One letter for colour-blind-safe drawing.
    pub fn letter(self) -> char {
        match self {
            Role::Follower => 'F',
            Role::PreCandidate => 'P',
            Role::Candidate => 'C',
            Role::Leader => 'L',
        }
    }

    /// Lower-case name used in traces.
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }

    /// True for [`Role::Leader`].
    pub fn is_leader(self) -> bool {
        self == Role::Leader
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
