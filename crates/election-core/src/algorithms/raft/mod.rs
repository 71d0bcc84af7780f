//! # Raft (etcd, CockroachDB, TiKV)
//!
//! Every server is a *follower*, a *candidate* or the *leader*. Time is divided into *terms*
//! numbered by consecutive integers; each term begins with an election and has at most one
//! leader. Followers expect a heartbeat (an empty AppendEntries) from the leader; a follower
//! that hears nothing for an *election timeout* — drawn at random from a range each time the
//! timer is reset, so that servers rarely time out together — becomes a candidate, increments
//! its term, votes for itself and asks every other server for a vote with RequestVote. A
//! server grants at most one vote per term (persisted, so a crash cannot make it vote twice),
//! and only to a candidate whose log is at least as up to date as its own. A candidate with a
//! majority becomes leader; any server that sees a higher term steps down to follower.
//!
//! The leader appends client writes to its log and replicates them with AppendEntries, which
//! carries the index and term of the preceding entry so followers can refuse entries that do
//! not extend a matching prefix. An entry is *committed* once stored on a majority — but a
//! leader only counts replicas for entries of its own term (§5.4.2, Figure 8), which is why a
//! new leader first appends a blank no-op entry.
//!
//! ## Options (defaults are the paper's core algorithm, §5)
//! * `pre_vote` (off): dissertation §9.6. A would-be candidate first asks "would you vote for
//!   me?" without incrementing its term; servers that heard from a leader within the minimum
//!   election timeout say no. A partitioned server can then not inflate its term and disrupt
//!   the cluster when it comes back. etcd enables it by default since v3.4 servers.
//! * `check_quorum` (off): dissertation §6.2. A leader that has not heard from a majority
//!   within an election timeout steps down, so a leader cut off in a minority stops believing
//!   it leads (clients stop talking to it).
//! * Leadership transfer (always available, §3.10): the leader brings the target up to date,
//!   stops accepting writes and sends it TimeoutNow; the target starts an election at once.
//!
//! ## Invariants (checked after every event by [`RaftMonitor`])
//! * Election Safety (§5.2, Figure 3): at most one leader per term.
//! * Terms never decrease on any server (Figure 2, currentTerm "increases monotonically").
//! * State Machine Safety and Log Matching for committed entries (§5.4.3): an index committed
//!   anywhere holds the same entry on every server that commits it, and never changes.
//! * Leader Completeness (§5.4): a new leader's log holds every committed entry.
//! * Liveness (§5.2, checked by sweeps after faults heal): a leader followed by a majority
//!   appears within a bound.
//!
//! ## References
//! * D. Ongaro, J. Ousterhout, *In Search of an Understandable Consensus Algorithm (Extended
//!   Version)*, 2014 — section numbers `§5.x` in comments refer to it.
//! * D. Ongaro, *Consensus: Bridging Theory and Practice*, PhD dissertation, 2014 —
//!   PreVote §9.6, CheckQuorum §6.2, leadership transfer §3.10, no-op entry §6.4.
//! * etcd-io/raft `raft.go` (`becomeCandidate`, `becomePreCandidate`, `poll`, `maybeCommit`,
//!   `handleAppendEntries`): the checked role transitions and the reject hint follow it.
//!
//! ## Time
//! Timers run on each server's clock rate (`drift=`), never on its wall clock: LogCabin times
//! them with `Core::Time::SteadyClock` (`Server/RaftConsensus.h`: `typedef ... SteadyClock
//! Clock`), and etcd's raft counts ticks of a Go ticker, both monotonic. A wall-clock jump
//! (`jump nX by=...`) therefore moves nothing ([`Protocol::monotonic_clock`]); safety never
//! depended on time (§5.6), and a fast clock only shortens a timeout.
//!
//! ## Stable storage
//! Figure 2's persistent state is written before the server acts on it ([`Ctx::persist`]): a
//! candidate writes its term and vote before it sends RequestVote, a voter before it replies, a
//! follower stores new entries before it acknowledges them, and a higher term learned from a
//! reply is written at once (LogCabin `startNewElection`, `handleRequestVote`, `append`,
//! `stepDown`). One write covers all changes of one handler, where LogCabin's `stepDown` and
//! vote may write twice. The leader replicates without waiting for its own disk (dissertation
//! ch. 10, "Writing to the leader's disk in parallel"). How long a write takes is the
//! simulation's; by default it is instant.
//!
//! ## Deviations, on purpose
//! * The disruptive-server rule of dissertation §4.2.3 (ignore RequestVote within the minimum
//!   election timeout of hearing from a leader) is not modelled; PreVote covers that lesson.
//! * Snapshots, membership changes and read-index are out of scope for leader election.

mod message;
mod monitor;
#[cfg(test)]
mod tests;

use crate::engine::collections::Set;
use std::fmt;

pub use message::{Entry, EntryData, RaftMsg};
pub use monitor::RaftMonitor;

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::{Broken, Rule};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::view::Role;
use crate::engine::view::{EntryView, NodeView};

/// Raft timing and options.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RaftConfig {
    /// Lower end of the randomized election timeout (paper: 150 ms).
    pub election_timeout_ms_min: u64,
    /// Upper end of the randomized election timeout (paper: 300 ms).
    pub election_timeout_ms_max: u64,
    /// Interval between leader heartbeats (paper: "broadcast time" ≪ election timeout).
    pub heartbeat_ms: u64,
    /// PreVote (dissertation §9.6).
    pub pre_vote: bool,
    /// CheckQuorum (dissertation §6.2).
    pub check_quorum: bool,
    /// Rules of [`RULES`] broken on purpose (none by default).
    #[serde(skip_serializing_if = "Broken::is_empty")]
    pub broken: Broken,
}

/// Rule [`RULES`]`[0]`: the vote is persisted.
pub const VOTE_NOT_PERSISTED: usize = 0;
/// Rule [`RULES`]`[1]`: §5.4.1's election restriction.
pub const NO_UP_TO_DATE_CHECK: usize = 1;
/// Rule [`RULES`]`[2]`: §5.4.2, Figure 8.
pub const FIGURE8: usize = 2;
/// Rule [`RULES`]`[3]`: a leader steps down on a higher term.
pub const NO_STEP_DOWN: usize = 3;

/// The rules of Raft that `break=` can switch off, each caught by [`RaftMonitor`].
/// The names `break=` takes, in the order of [`RULES`].
pub const RULE_NAMES: &[&str] = &["vote-not-persisted", "no-up-to-date-check", "figure8", "no-step-down"];

pub const RULES: &[Rule] = &[
    Rule {
        name: RULE_NAMES[0],
        what: "votedFor is kept on disk across a restart; broken, a restarted server forgets its vote and can vote twice in one term",
        source: "Raft §5.2 and Figure 2 (persistent state: currentTerm, votedFor, log[], \"updated on stable storage before responding to RPCs\")",
    },
    Rule {
        name: RULE_NAMES[1],
        what: "a vote goes only to a candidate whose log is at least as up to date; broken, any candidate gets it and a stale one can win",
        source: "Raft §5.4.1 (election restriction); etcd raft.go Step, MsgVote: r.raftLog.isUpToDate",
    },
    Rule {
        name: RULE_NAMES[2],
        what: "a leader commits only entries of its own term by counting replicas; broken, it counts replicas of older entries too (and appends no no-op)",
        source: "Raft §5.4.2 and Figure 8; etcd raft.go maybeCommit (the term check of raftLog.maybeCommit)",
    },
    Rule {
        name: RULE_NAMES[3],
        what: "a leader that sees a higher term becomes a follower; broken, it takes the term and keeps leading",
        source: "Raft Figure 2, Rules for All Servers (\"If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower\")",
    },
];

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig {
            election_timeout_ms_min: 150,
            election_timeout_ms_max: 300,
            heartbeat_ms: 50,
            pre_vote: false,
            check_quorum: false,
            broken: Broken::NONE,
        }
    }
}

impl crate::engine::settings::Settings for RaftConfig {
    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        use crate::engine::settings::{millis, millis_range, on_off};
        match key {
            "election" => {
                (self.election_timeout_ms_min, self.election_timeout_ms_max) = millis_range(key, v)?
            }
            "heartbeat" => self.heartbeat_ms = millis(key, v)?,
            "pre-vote" => self.pre_vote = on_off(key, v)?,
            "check-quorum" => self.check_quorum = on_off(key, v)?,
            "break" => {
                self.broken = crate::engine::settings::parse_rules("raft", RULE_NAMES, v)?
                    .into_iter()
                    .fold(Broken::NONE, Broken::with)
            }
            _ => return Err(format!("unknown setting '{key}' for raft")),
        }
        Ok(())
    }

    fn fields(&self) -> Vec<crate::engine::settings::Field> {
        use crate::engine::settings::Field;
        vec![
            Field::range(
                "election",
                "Election timeout (§5.2)",
                self.election_timeout_ms_min,
                self.election_timeout_ms_max,
            ),
            Field::millis("heartbeat", "Heartbeat interval", self.heartbeat_ms),
            Field::toggle("pre-vote", "PreVote (§9.6)", self.pre_vote),
            Field::toggle("check-quorum", "CheckQuorum (§6.2)", self.check_quorum),
        ]
    }

    fn broken(&self) -> Vec<&'static str> {
        self.broken.names(RULE_NAMES)
    }

    fn break_setting(&self) -> Option<String> {
        (!self.broken.is_empty()).then(|| self.broken.names(RULE_NAMES).join(","))
    }
}

/// Largest accepted timeout or heartbeat setting (one minute).
pub const MAX_TIMING_MS: u64 = 60_000;
/// Entries per AppendEntries at most.
pub const MAX_ENTRIES_PER_APPEND: usize = 32;

impl RaftConfig {
    /// Checks the ranges of the settings.
    pub fn validate(&self) -> Result<(), Error> {
        if self.election_timeout_ms_min > self.election_timeout_ms_max {
            return Err(Error::Range {
                what: "election timeout (ms)",
                min: self.election_timeout_ms_min,
                max: self.election_timeout_ms_max,
            });
        }
        if self.election_timeout_ms_min == 0 || self.heartbeat_ms == 0 {
            return Err(Error::Invalid {
                what: "raft timing",
                reason: "election timeout and heartbeat must be at least 1 ms".into(),
            });
        }
        if self.heartbeat_ms >= self.election_timeout_ms_min {
            return Err(Error::Invalid {
                what: "heartbeat",
                reason: format!(
                    "{} ms is not shorter than the shortest election timeout ({} ms): followers would start \
                     elections between heartbeats (Raft §5.6 wants the broadcast time well below the timeout)",
                    self.heartbeat_ms, self.election_timeout_ms_min
                ),
            });
        }
        if self.election_timeout_ms_max > MAX_TIMING_MS || self.heartbeat_ms > MAX_TIMING_MS {
            return Err(Error::Invalid {
                what: "raft timing",
                reason: format!("timeouts and heartbeat are at most {MAX_TIMING_MS} ms"),
            });
        }
        Ok(())
    }
}

/// Raft's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RaftTimer {
    /// Followers and candidates: no leader heard from, start an election (§5.2).
    Election,
    /// Leader: send AppendEntries to every follower (§5.2 heartbeats).
    Heartbeat,
    /// Leader with CheckQuorum: did a majority answer during the last election timeout? (§6.2)
    CheckQuorum,
    /// Leader transferring leadership: give up if the target has not taken over (§3.10).
    TransferTimeout,
}

impl fmt::Display for RaftTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RaftTimer::Election => "election",
            RaftTimer::Heartbeat => "heartbeat",
            RaftTimer::CheckQuorum => "check-quorum",
            RaftTimer::TransferTimeout => "transfer-timeout",
        })
    }
}

type RaftCtx<'a> = Ctx<'a, RaftMsg, RaftTimer>;

/// One Raft server.
#[derive(Debug, Clone)]
pub struct Raft {
    id: NodeId,
    peers: Vec<NodeId>,
    config: RaftConfig,
    // Persistent state on all servers (Figure 2): survives crashes.
    term: u64,
    voted_for: Option<NodeId>,
    log: SharedLog<Entry>,
    // Volatile state.
    role: Role,
    leader: Option<NodeId>,
    commit: u64,
    votes: Set<NodeId>,
    // Volatile state on leaders (Figure 2), indexed by node id - 1.
    next_index: Vec<u64>,
    match_index: Vec<u64>,
    recent_active: Vec<bool>,
    transfer_target: Option<NodeId>,
    last_heard_leader: Option<Micros>,
    // Bookkeeping for the monitor, not Raft state: how many times the log's suffix was
    // replaced (§5.3), and from which index the last time. The monitor then re-checks only
    // what changed instead of the whole committed prefix after every event.
    rewrites: u64,
    last_rewrite_from: u64,
}

impl Raft {
    /// Current term.
    pub fn term(&self) -> u64 {
        self.term
    }

    /// Current role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The candidate voted for in the current term.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    /// The log (index `i` is `log()[i - 1]`).
    pub fn log(&self) -> &SharedLog<Entry> {
        &self.log
    }

    /// How many times the log's suffix was replaced, and the first index replaced last time.
    pub fn log_rewrites(&self) -> (u64, u64) {
        (self.rewrites, self.last_rewrite_from)
    }

    /// Highest index known committed.
    pub fn commit_index(&self) -> u64 {
        self.commit
    }

    /// Votes received in the current campaign.
    pub fn votes(&self) -> &Set<NodeId> {
        &self.votes
    }

    /// Test support: make this node believe it leads `term` (breaks Raft on purpose).
    #[doc(hidden)]
    pub fn force_leader_for_test(&mut self, term: u64) {
        self.term = term;
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.next_index = vec![self.last_index() + 1; self.peers.len()];
        self.match_index = vec![0; self.peers.len()];
        self.recent_active = vec![false; self.peers.len()];
    }

    fn broken(&self, rule: usize) -> bool {
        self.config.broken.has(rule)
    }

    fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    fn term_at(&self, index: u64) -> u64 {
        if index == 0 { 0 } else { self.log.get(index as usize - 1).map_or(0, |e| e.term) }
    }

    fn last_term(&self) -> u64 {
        self.term_at(self.last_index())
    }

    fn quorum(&self) -> usize {
        self.peers.len() / 2 + 1
    }

    fn slot(id: NodeId) -> usize {
        usize::from(id) - 1
    }

    /// §5.4.1: the candidate's log is at least as up to date as ours if its last term is
    /// higher, or equal with an index at least as long.
    fn log_ok(&self, last_log_index: u64, last_log_term: u64) -> bool {
        last_log_term > self.last_term()
            || (last_log_term == self.last_term() && last_log_index >= self.last_index())
    }

    fn reset_election_timer(&self, ctx: &mut RaftCtx<'_>) {
        let after = ctx
            .random_between(ms(self.config.election_timeout_ms_min), ms(self.config.election_timeout_ms_max));
        ctx.set_timer(RaftTimer::Election, after);
    }

    /// Steps down (or stays) follower. A higher `term` clears the vote (Figure 2: "If RPC
    /// request or response contains term T > currentTerm: set currentTerm = T, convert to
    /// follower").
    fn become_follower(&mut self, ctx: &mut RaftCtx<'_>, term: u64, leader: Option<NodeId>) {
        if self.role == Role::Leader && term > self.term && self.broken(NO_STEP_DOWN) {
            self.term = term;
            self.voted_for = None;
            ctx.note(format!("learns of term {term} and keeps leading in it (rule no-step-down broken)"));
            return;
        }
        if term > self.term {
            self.term = term;
            self.voted_for = None;
        }
        let was = self.role;
        self.role = Role::Follower;
        self.leader = leader;
        self.votes.clear();
        self.transfer_target = None;
        if was != Role::Follower {
            ctx.cancel_timer(RaftTimer::Heartbeat);
            ctx.cancel_timer(RaftTimer::CheckQuorum);
            ctx.cancel_timer(RaftTimer::TransferTimeout);
            self.reset_election_timer(ctx);
        }
    }

    /// PreVote phase (dissertation §9.6): ask for votes for `term + 1` without changing term.
    fn become_pre_candidate(&mut self, ctx: &mut RaftCtx<'_>) {
        assert_ne!(self.role, Role::Leader, "a leader does not campaign");
        self.role = Role::PreCandidate;
        self.leader = None;
        self.votes = Set::from([self.id]);
        ctx.note(format!(
            "timed out; asks for pre-votes for term {} without raising its term",
            self.term + 1
        ));
        self.reset_election_timer(ctx);
        ctx.broadcast(RaftMsg::PreVote {
            term: self.term + 1,
            last_log_index: self.last_index(),
            last_log_term: self.last_term(),
        });
        if self.votes.len() >= self.quorum() {
            self.become_candidate(ctx, false);
        }
    }

    /// §5.2: increment the term, vote for self, reset the election timer, ask for votes.
    fn become_candidate(&mut self, ctx: &mut RaftCtx<'_>, transfer: bool) {
        assert_ne!(self.role, Role::Leader, "a leader does not campaign");
        self.term += 1;
        self.voted_for = Some(self.id);
        self.role = Role::Candidate;
        self.leader = None;
        self.votes = Set::from([self.id]);
        if transfer {
            ctx.note(format!("was asked to take over; starts an election for term {}", self.term));
        } else {
            ctx.note(format!("timed out and started an election for term {}", self.term));
        }
        self.reset_election_timer(ctx);
        // The new term and the self-vote are durable before anyone hears of them (LogCabin
        // `startNewElection`: `updateLogMetadata()` runs under the lock that the threads
        // sending RequestVote wait for). The timer was reset first, as there.
        ctx.persist();
        ctx.broadcast(RaftMsg::RequestVote {
            term: self.term,
            last_log_index: self.last_index(),
            last_log_term: self.last_term(),
            transfer,
        });
        if self.votes.len() >= self.quorum() {
            self.become_leader(ctx);
        }
    }

    /// §5.2: a candidate with votes from a majority becomes leader, appends a no-op (§8) and
    /// sends AppendEntries to everyone at once.
    fn become_leader(&mut self, ctx: &mut RaftCtx<'_>) {
        assert_eq!(self.role, Role::Candidate, "only a candidate can become leader");
        assert!(self.votes.len() >= self.quorum(), "a leader needs a majority of votes");
        self.role = Role::Leader;
        self.leader = Some(self.id);
        let voters: Vec<String> = self.votes.iter().map(|v| format!("n{v}")).collect();
        ctx.note(format!("won the election for term {} with votes from {}", self.term, voters.join(", ")));
        // Without the Figure 8 rule there is no reason for the no-op: the paper's Figure 8 has none.
        if !self.broken(FIGURE8) {
            self.log.push(Entry { term: self.term, data: EntryData::NoOp });
        }
        let last = self.last_index();
        self.next_index = vec![last; self.peers.len()];
        self.match_index = vec![0; self.peers.len()];
        self.match_index[Self::slot(self.id)] = last;
        self.recent_active = vec![false; self.peers.len()];
        self.transfer_target = None;
        ctx.cancel_timer(RaftTimer::Election);
        self.broadcast_append(ctx);
        ctx.set_timer(RaftTimer::Heartbeat, ms(self.config.heartbeat_ms));
        if self.config.check_quorum {
            ctx.set_timer(RaftTimer::CheckQuorum, ms(self.config.election_timeout_ms_min));
        }
        self.maybe_commit(ctx);
    }

    fn send_append(&self, ctx: &mut RaftCtx<'_>, to: NodeId) {
        let next = self.next_index[Self::slot(to)].max(1);
        let prev = next - 1;
        let end = self.log.len().min(prev as usize + MAX_ENTRIES_PER_APPEND);
        let entries: Vec<Entry> =
            self.log.iter_from(prev as usize).take(end - prev as usize).copied().collect();
        ctx.send(
            to,
            RaftMsg::AppendEntries {
                term: self.term,
                prev_log_index: prev,
                prev_log_term: self.term_at(prev),
                entries,
                leader_commit: self.commit,
            },
        );
    }

    fn broadcast_append(&self, ctx: &mut RaftCtx<'_>) {
        for &p in &self.peers {
            if p != self.id {
                self.send_append(ctx, p);
            }
        }
    }

    /// §5.3/§5.4.2: commit the highest index N stored on a majority whose entry is of the
    /// current term (entries of earlier terms are committed indirectly, Figure 8).
    fn maybe_commit(&mut self, ctx: &mut RaftCtx<'_>) {
        let mut matched = self.match_index.clone();
        crate::engine::collections::sort_short(&mut matched);
        // The quorum-th highest match index: a majority stores at least that much.
        let n = matched[matched.len() - self.quorum()];
        if n > self.commit && (self.term_at(n) == self.term || self.broken(FIGURE8)) {
            self.commit = n;
            ctx.note(format!("committed up to index {n} (stored on a majority)"));
        }
    }

    fn on_request_vote(
        &mut self,
        ctx: &mut RaftCtx<'_>,
        from: NodeId,
        term: u64,
        last_log_index: u64,
        last_log_term: u64,
    ) {
        let raised = term > self.term;
        if raised {
            self.become_follower(ctx, term, None);
        }
        let granted = term == self.term
            && self.voted_for.is_none_or(|v| v == from)
            && (self.log_ok(last_log_index, last_log_term) || self.broken(NO_UP_TO_DATE_CHECK));
        if granted {
            self.voted_for = Some(from);
            // §5.2: granting a vote resets the election timer.
            self.reset_election_timer(ctx);
        }
        if raised || granted {
            // The term and vote are durable before the reply (Figure 2; LogCabin
            // `handleRequestVote`: `votedFor = ...; updateLogMetadata();` before
            // `response.set_granted`). One write covers both changes.
            ctx.persist();
        }
        ctx.send(from, RaftMsg::RequestVoteResponse { term: self.term, granted });
    }

    fn on_vote(&mut self, ctx: &mut RaftCtx<'_>, from: NodeId, term: u64, granted: bool) {
        if term > self.term {
            self.become_follower(ctx, term, None);
            // LogCabin `stepDown`: a higher term is written (`updateLogMetadata`) at once.
            ctx.persist();
            return;
        }
        if self.role != Role::Candidate || term != self.term || !granted {
            return;
        }
        self.votes.insert(from);
        if self.votes.len() >= self.quorum() {
            self.become_leader(ctx);
        }
    }

    /// Dissertation §9.6: grant a pre-vote if the term would be higher, the log is up to
    /// date, and we have not heard from a leader within the minimum election timeout.
    fn on_pre_vote(
        &mut self,
        ctx: &mut RaftCtx<'_>,
        from: NodeId,
        term: u64,
        last_log_index: u64,
        last_log_term: u64,
    ) {
        let leader_recent = self.role == Role::Leader
            || self.last_heard_leader.is_some_and(|t| ctx.now < t + ms(self.config.election_timeout_ms_min));
        let granted = term > self.term && !leader_recent && self.log_ok(last_log_index, last_log_term);
        let reply_term = if granted { term } else { self.term };
        ctx.send(from, RaftMsg::PreVoteResponse { term: reply_term, granted });
    }

    fn on_pre_vote_response(&mut self, ctx: &mut RaftCtx<'_>, from: NodeId, term: u64, granted: bool) {
        if !granted && term > self.term {
            self.become_follower(ctx, term, None);
            ctx.persist();
            return;
        }
        if self.role != Role::PreCandidate || !granted || term != self.term + 1 {
            return;
        }
        self.votes.insert(from);
        if self.votes.len() >= self.quorum() {
            self.become_candidate(ctx, false);
        }
    }

    fn on_append_entries(
        &mut self,
        ctx: &mut RaftCtx<'_>,
        from: NodeId,
        term: u64,
        (prev_log_index, prev_log_term): (u64, u64),
        entries: Vec<Entry>,
        leader_commit: u64,
    ) {
        let heartbeat = entries.is_empty();
        if term < self.term {
            // §5.1: reject a stale leader; our term in the reply makes it step down.
            ctx.send(
                from,
                RaftMsg::AppendEntriesResponse { term: self.term, success: false, index: 0, heartbeat },
            );
            return;
        }
        // §5.2: a valid AppendEntries from the current leader: (stay) follower, reset timer.
        if self.leader != Some(from) || term > self.term {
            ctx.note(format!("recognises n{from} as leader of term {term}"));
        }
        let raised = term > self.term;
        if self.role != Role::Follower || raised {
            self.become_follower(ctx, term, Some(from));
            if self.role == Role::Leader {
                // Rule no-step-down broken: it took the term and ignores the other leader.
                return;
            }
        }
        self.leader = Some(from);
        self.last_heard_leader = Some(ctx.now);
        self.reset_election_timer(ctx);

        // §5.3 consistency check.
        if prev_log_index > self.last_index() || self.term_at(prev_log_index) != prev_log_term {
            let hint = prev_log_index.saturating_sub(1).min(self.last_index());
            if raised {
                ctx.persist();
            }
            ctx.send(
                from,
                RaftMsg::AppendEntriesResponse { term: self.term, success: false, index: hint, heartbeat },
            );
            return;
        }
        // §5.3: delete a conflicting entry and all that follow it; append new entries.
        let mut stored = false;
        for (k, entry) in entries.iter().enumerate() {
            let index = prev_log_index + 1 + k as u64;
            if index <= self.last_index() {
                if self.term_at(index) == entry.term {
                    continue;
                }
                self.log.truncate(index as usize - 1);
                self.rewrites += 1;
                self.last_rewrite_from = index;
            }
            self.log.push(*entry);
            stored = true;
        }
        let last_new = prev_log_index + entries.len() as u64;
        // Figure 2: commitIndex = min(leaderCommit, index of last new entry).
        if leader_commit > self.commit {
            let c = leader_commit.min(last_new);
            if c > self.commit {
                self.commit = c;
            }
        }
        if raised || stored {
            // A follower acknowledges entries only once they are on its disk (LogCabin
            // `RaftConsensus::append`: not the leader, so "sync log now" and `sync->wait()`
            // before the response). A heartbeat that changes nothing writes nothing.
            ctx.persist();
        }
        ctx.send(
            from,
            RaftMsg::AppendEntriesResponse { term: self.term, success: true, index: last_new, heartbeat },
        );
    }

    fn on_append_response(
        &mut self,
        ctx: &mut RaftCtx<'_>,
        from: NodeId,
        term: u64,
        success: bool,
        index: u64,
    ) {
        if term > self.term {
            ctx.note(format!("learns of term {term} from n{from} and steps down"));
            self.become_follower(ctx, term, None);
            ctx.persist();
            return;
        }
        if self.role != Role::Leader || term != self.term {
            return;
        }
        let s = Self::slot(from);
        self.recent_active[s] = true;
        if success {
            self.match_index[s] = self.match_index[s].max(index);
            self.next_index[s] = self.next_index[s].max(self.match_index[s] + 1);
            self.maybe_commit(ctx);
            if self.transfer_target == Some(from) && self.match_index[s] == self.last_index() {
                ctx.send(from, RaftMsg::TimeoutNow { term: self.term });
            }
            if self.next_index[s] <= self.last_index() {
                self.send_append(ctx, from);
            }
        } else {
            let back = self.next_index[s].saturating_sub(1).min(index + 1);
            self.next_index[s] = back.max(self.match_index[s] + 1).max(1);
            self.send_append(ctx, from);
        }
    }
}

impl Protocol for Raft {
    type Msg = RaftMsg;
    type Timer = RaftTimer;
    type Config = RaftConfig;
    type Monitor = RaftMonitor;

    fn monitor(_config: &Self::Config) -> Self::Monitor {
        Self::Monitor::default()
    }

    const ID: &'static str = "raft";
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "Raft";
    const TAGLINE: &'static str =
        "watch a leader get elected, then break things. Click a node to crash or pause it, a link to cut it.";
    const TERM_LABEL: Option<&'static str> = Some("term");
    const SUPPORTS_TRANSFER: bool = true;

    fn production() -> Option<RaftConfig> {
        Some(RaftConfig {
            // etcd `server/embed/config.go` NewConfig: TickMs 100 (the heartbeat) and
            // ElectionMs 1000; etcd's raft draws each timeout in [election, 2 x election)
            // (`raft.go` resetRandomizedElectionTimeout).
            heartbeat_ms: 100,
            election_timeout_ms_min: 1_000,
            election_timeout_ms_max: 1_999,
            // NewConfig: PreVote true; `server/etcdserver/bootstrap.go` raftConfig: CheckQuorum true.
            pre_vote: true,
            check_quorum: true,
            broken: Broken::NONE,
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "heartbeat 100 ms, election 1000 ms: etcd server/embed/config.go NewConfig (TickMs, ElectionMs)",
        "timeouts drawn in [1000, 2000) ms: etcd raft.go resetRandomizedElectionTimeout",
        "PreVote on: NewConfig; CheckQuorum on: server/etcdserver/bootstrap.go raftConfig",
    ];

    fn randomize(config: &mut RaftConfig, rng: &mut Stream) {
        config.pre_vote = rng.chance_ppm(500_000);
        config.check_quorum = rng.chance_ppm(500_000);
    }

    fn validate(config: &RaftConfig, _nodes: usize) -> Result<(), Error> {
        config.validate()
    }

    fn new(id: NodeId, peers: &[NodeId], config: &RaftConfig) -> Self {
        Raft {
            id,
            peers: peers.to_vec(),
            config: config.clone(),
            term: 0,
            voted_for: None,
            log: SharedLog::new(),
            role: Role::Follower,
            leader: None,
            commit: 0,
            votes: Set::new(),
            next_index: Vec::new(),
            match_index: Vec::new(),
            recent_active: Vec::new(),
            transfer_target: None,
            last_heard_leader: None,
            rewrites: 0,
            last_rewrite_from: 0,
        }
    }

    /// §5.2: "When servers start up, they begin as followers."
    fn on_start(&mut self, ctx: &mut RaftCtx<'_>) {
        self.role = Role::Follower;
        self.reset_election_timer(ctx);
    }

    fn on_message(&mut self, ctx: &mut RaftCtx<'_>, from: NodeId, msg: RaftMsg) {
        match msg {
            RaftMsg::PreVote { term, last_log_index, last_log_term } => {
                self.on_pre_vote(ctx, from, term, last_log_index, last_log_term)
            }
            RaftMsg::PreVoteResponse { term, granted } => self.on_pre_vote_response(ctx, from, term, granted),
            RaftMsg::RequestVote { term, last_log_index, last_log_term, .. } => {
                self.on_request_vote(ctx, from, term, last_log_index, last_log_term)
            }
            RaftMsg::RequestVoteResponse { term, granted } => self.on_vote(ctx, from, term, granted),
            RaftMsg::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit } => self
                .on_append_entries(ctx, from, term, (prev_log_index, prev_log_term), entries, leader_commit),
            RaftMsg::AppendEntriesResponse { term, success, index, .. } => {
                self.on_append_response(ctx, from, term, success, index)
            }
            RaftMsg::TimeoutNow { term } => {
                if term == self.term && self.role != Role::Leader {
                    self.become_candidate(ctx, true);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut RaftCtx<'_>, timer: RaftTimer) {
        match timer {
            RaftTimer::Election => {
                if self.role == Role::Leader {
                    return;
                }
                if self.config.pre_vote {
                    self.become_pre_candidate(ctx);
                } else {
                    self.become_candidate(ctx, false);
                }
            }
            RaftTimer::Heartbeat => {
                if self.role == Role::Leader {
                    self.broadcast_append(ctx);
                    ctx.set_timer(RaftTimer::Heartbeat, ms(self.config.heartbeat_ms));
                }
            }
            RaftTimer::CheckQuorum => {
                if self.role != Role::Leader {
                    return;
                }
                let me = Self::slot(self.id);
                let active = self.recent_active.iter().enumerate().filter(|&(i, &a)| a || i == me).count();
                if active < self.quorum() {
                    ctx.note(format!(
                        "heard from only {active} of {} servers in an election timeout; steps down (CheckQuorum)",
                        self.peers.len()
                    ));
                    let term = self.term;
                    self.become_follower(ctx, term, None);
                } else {
                    self.recent_active.iter_mut().for_each(|a| *a = false);
                    ctx.set_timer(RaftTimer::CheckQuorum, ms(self.config.election_timeout_ms_min));
                }
            }
            RaftTimer::TransferTimeout => {
                if let Some(t) = self.transfer_target.take() {
                    ctx.note(format!("transfer to n{t} did not complete in time; aborted"));
                }
            }
        }
    }

    fn on_request(&mut self, ctx: &mut RaftCtx<'_>, request: Request) {
        match request {
            Request::ClientWrite { value } => {
                if self.role != Role::Leader {
                    match self.leader {
                        Some(l) => ctx.note(format!("is not the leader; redirects the client to n{l}")),
                        None => ctx.note("knows no leader; the write is refused"),
                    }
                    return;
                }
                if let Some(t) = self.transfer_target {
                    ctx.note(format!("is handing leadership to n{t}; the write is refused (§3.10)"));
                    return;
                }
                self.log.push(Entry { term: self.term, data: EntryData::Write(value) });
                let last = self.last_index();
                self.match_index[Self::slot(self.id)] = last;
                ctx.note(format!("appended x={value} at index {last}"));
                self.broadcast_append(ctx);
                self.maybe_commit(ctx);
            }
            Request::Timeout => {
                if self.role == Role::Leader {
                    ctx.note("is the leader: it has no election timer");
                } else {
                    self.on_timer(ctx, RaftTimer::Election);
                }
            }
            Request::TransferLeadership { to } => {
                if self.role != Role::Leader {
                    ctx.note("is not the leader; cannot transfer leadership");
                    return;
                }
                if to == self.id {
                    ctx.note("is already the leader");
                    return;
                }
                self.transfer_target = Some(to);
                ctx.note(format!("starts transferring leadership to n{to} (§3.10)"));
                ctx.set_timer(RaftTimer::TransferTimeout, ms(self.config.election_timeout_ms_min));
                if self.match_index[Self::slot(to)] == self.last_index() {
                    ctx.send(to, RaftMsg::TimeoutNow { term: self.term });
                } else {
                    self.send_append(ctx, to);
                }
            }
        }
    }

    /// Figure 2: currentTerm, votedFor and log[] are persistent; everything else is lost.
    fn on_crash(&mut self) {
        if self.broken(VOTE_NOT_PERSISTED) {
            self.voted_for = None;
        }
        self.role = Role::Follower;
        self.leader = None;
        self.commit = 0;
        self.votes.clear();
        self.next_index.clear();
        self.match_index.clear();
        self.recent_active.clear();
        self.transfer_target = None;
        self.last_heard_leader = None;
    }

    fn status(&self) -> Status {
        Status { role: self.role, term: self.term, leader: self.leader }
    }

    fn is_routine_timer(timer: RaftTimer) -> bool {
        timer == RaftTimer::Heartbeat
    }

    fn watched_timer(&self) -> Option<RaftTimer> {
        Some(RaftTimer::Election)
    }

    fn describe(&self, view: &mut NodeView) {
        view.voted_for = self.voted_for;
        view.votes = self.votes.iter().copied().collect();
        view.details.push(("last log".into(), format!("{}@{}", self.last_index(), self.last_term())));
        view.details.push(("commit index".into(), self.commit.to_string()));
        if self.role == Role::Leader {
            let m: Vec<String> =
                self.peers.iter().map(|&p| format!("n{p}:{}", self.match_index[Self::slot(p)])).collect();
            view.details.push(("match index".into(), m.join(" ")));
        }
        if let Some(t) = self.transfer_target {
            view.details.push(("transferring to".into(), format!("n{t}")));
        }
    }

    /// LogCabin `RaftConsensus.h`: `typedef LogCabin::Core::Time::SteadyClock Clock`.
    fn monotonic_clock(&self) -> bool {
        true
    }

    fn summary(&self) -> String {
        let vote = self.voted_for.map_or("-".to_string(), |v| format!("n{v}"));
        let log: Vec<String> = self.log.iter().map(|e| format!("{}@{}", e.data, e.term)).collect();
        format!("vote={vote} commit={} log=[{}]", self.commit, log.join(" "))
    }

    fn log_view(&self) -> (Vec<EntryView>, u64) {
        let log = self
            .log
            .iter()
            .enumerate()
            .map(|(i, e)| EntryView { index: i as u64 + 1, term: e.term, label: e.data.to_string() })
            .collect();
        (log, self.commit)
    }
}
