//! # Multi-Paxos leader election (Chubby, Spanner)
//!
//! In Multi-Paxos the leader is simply the proposer that last completed **phase 1** with a
//! majority. Every node is proposer, acceptor and learner.
//!
//! * A proposer that hears no leader picks a **ballot** higher than any it has seen —
//!   `(round, node id)`, ordered by round then id, so ballots are unique — and sends
//!   **Prepare(b)** (phase 1a).
//! * An acceptor **promises** (phase 1b) never to accept a lower ballot if `b` is above its
//!   promise, and reports the highest-ballot value it accepted in each slot; otherwise it
//!   answers **Nack** with its promise.
//! * With promises from a majority the proposer leads: it re-proposes any value it learned
//!   from the promises (so a possibly chosen value is never overwritten) and fills the other
//!   unchosen slots below the highest it knows with no-ops (Paxos Made Simple §3), then
//!   proposes client writes with **Accept(b, slot, v)** (phase 2a); a value accepted by a
//!   majority is **chosen** and announced with **Decide**. The leader heartbeats with its
//!   ballot.
//! * A proposer that meets a higher ballot is **preempted**.
//!
//! ## Dueling proposers
//! Two proposers that keep preempting each other — each Nack answered at once by a Prepare
//! with a higher ballot — can livelock forever: safety holds, but nothing is chosen (FLP says
//! some run must fail to terminate). The cures shown here: a randomized **backoff** before
//! retrying (default on; with it a proposer also stands down as soon as it sees a higher
//! ballot, instead of fighting on), and a **leader lease**: acceptors that heard from a leader within
//! the lease refuse other proposers' Prepares (Chubby's master lease, Spanner's leader lease).
//!
//! ## Invariants
//! * A chosen value never changes (checked from the acceptors' states: any value accepted by
//!   a majority in one ballot is chosen; no slot may ever have two chosen values).
//! * At most one proposer holds a majority of promises for a given ballot.
//!
//! ## References
//! * L. Lamport, *Paxos Made Simple*, 2001 — phases 1 and 2, §3 for the distinguished
//!   proposer (leader) and Multi-Paxos.
//! * T. Chandra, R. Griesemer, J. Redstone, *Paxos Made Live*, PODC 2007 — master leases,
//!   ballot preemption in practice (Chubby).
//! * J. Corbett et al., *Spanner*, OSDI 2012, §4.1 — leader leases.
//! * Deviation: learners hear about chosen values only from the leader's Decide; there is no
//!   catch-up for slots a learner missed (not needed for leader election).

mod message;
mod monitor;
#[cfg(test)]
mod tests;

pub use message::{Ballot, PaxosMsg, PaxosTimer, Value};
pub use monitor::PaxosMonitor;

use crate::engine::collections::{Map, Set};

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::{Broken, Field, Rule, Settings, millis, millis_range, on_off, parse_rules};
use crate::engine::shared_log::SlotMap;
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::view::Role;
use crate::engine::view::{EntryView, NodeView};

/// Paxos settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaxosConfig {
    /// Lower end of the randomized leader timeout.
    pub election_timeout_ms_min: u64,
    /// Upper end.
    pub election_timeout_ms_max: u64,
    /// Leader heartbeat interval.
    pub heartbeat_ms: u64,
    /// Wait a random time before retrying after a preemption (off: retry at once).
    pub backoff: bool,
    /// Acceptors refuse other proposers while they hear from a leader.
    pub leader_lease: bool,
    /// Rules of [`RULES`] broken on purpose (none by default).
    #[serde(skip_serializing_if = "Broken::is_empty")]
    pub broken: Broken,
}

/// Rule [`RULES`]`[0]`: a proposer adopts the accepted values its promises report.
pub const IGNORE_ACCEPTED: usize = 0;

/// The rules of Paxos that `break=` can switch off, each caught by [`PaxosMonitor`].
/// The names `break=` takes, in the order of [`RULES`].
pub const RULE_NAMES: &[&str] = &["ignore-accepted"];

pub const RULES: &[Rule] = &[Rule {
    name: RULE_NAMES[0],
    what: "after phase 1 a proposer must propose the highest-ballot value the promises report; broken, it ignores them and proposes its own (a no-op)",
    source: "Paxos Made Simple §2.2, P2c and phase 2(a): \"v is the value of the highest-numbered proposal among the responses, or is any value if the responses reported no proposals\"",
}];

impl Default for PaxosConfig {
    fn default() -> Self {
        PaxosConfig {
            election_timeout_ms_min: 150,
            election_timeout_ms_max: 300,
            heartbeat_ms: 50,
            backoff: true,
            leader_lease: false,
            broken: Broken::NONE,
        }
    }
}

impl Settings for PaxosConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::range(
                "election",
                "Leader timeout",
                self.election_timeout_ms_min,
                self.election_timeout_ms_max,
            ),
            Field::millis("heartbeat", "Heartbeat interval", self.heartbeat_ms),
            Field::toggle("backoff", "Randomized backoff after preemption", self.backoff),
            Field::toggle("leader-lease", "Leader lease (Paxos Made Live)", self.leader_lease),
        ]
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "election" => {
                (self.election_timeout_ms_min, self.election_timeout_ms_max) = millis_range(key, v)?
            }
            "heartbeat" => self.heartbeat_ms = millis(key, v)?,
            "backoff" => self.backoff = on_off(key, v)?,
            "leader-lease" => self.leader_lease = on_off(key, v)?,
            "break" => {
                self.broken =
                    parse_rules("paxos", RULE_NAMES, v)?.into_iter().fold(Broken::NONE, Broken::with)
            }
            _ => return Err(format!("unknown setting '{key}' for paxos")),
        }
        Ok(())
    }

    fn broken(&self) -> Vec<&'static str> {
        self.broken.names(RULE_NAMES)
    }

    fn break_setting(&self) -> Option<String> {
        (!self.broken.is_empty()).then(|| self.broken.names(RULE_NAMES).join(","))
    }
}

type PaxosCtx<'a> = Ctx<'a, PaxosMsg, PaxosTimer>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Idle,
    Preparing { ballot: Ballot, promises: Set<NodeId>, seen: Map<u64, (Ballot, Value)> },
    Leading { ballot: Ballot },
}

/// One Paxos node: proposer, acceptor and learner.
#[derive(Debug, Clone)]
pub struct Paxos {
    id: NodeId,
    peers: Vec<NodeId>,
    config: PaxosConfig,
    // Acceptor, durable.
    promised: Ballot,
    accepted: SlotMap<(Ballot, Value)>,
    // Learner (durable here: a log).
    chosen: SlotMap<Value>,
    /// The lowest slot not known chosen: every slot below it is.
    first_unchosen: u64,
    // Proposer, volatile.
    phase: Phase,
    next_slot: u64,
    acks: Map<u64, (Value, Set<NodeId>)>,
    leader: Option<NodeId>,
    last_heard_leader: Option<Micros>,
    preemptions: u64,
    max_round_tried: u64,
    // Bookkeeping for the monitor, not Paxos state: the slots whose accepted or chosen value
    // changed in the latest event, so that it checks those instead of every slot.
    changed: Vec<u64>,
}

impl Paxos {
    fn quorum(&self) -> usize {
        self.peers.len() / 2 + 1
    }

    /// The ballot this node leads with, if it leads.
    pub fn leading(&self) -> Option<Ballot> {
        match self.phase {
            Phase::Leading { ballot } => Some(ballot),
            _ => None,
        }
    }

    /// What this acceptor accepted: slot -> (ballot, value).
    pub fn accepted(&self) -> &SlotMap<(Ballot, Value)> {
        &self.accepted
    }

    /// What this learner knows chosen: slot -> value.
    pub fn chosen(&self) -> &SlotMap<Value> {
        &self.chosen
    }

    /// The slots whose accepted or chosen value changed in the latest event.
    pub fn changed(&self) -> &[u64] {
        &self.changed
    }

    /// This acceptor accepts `value` in `slot` at `ballot`.
    fn accept(&mut self, slot: u64, ballot: Ballot, value: Value) {
        self.accepted.insert(slot, (ballot, value));
        self.changed.push(slot);
    }

    /// This learner learns that `value` is chosen in `slot`.
    fn learn(&mut self, slot: u64, value: Value) {
        self.chosen.insert(slot, value);
        self.changed.push(slot);
        // Acknowledgements only serve to find out that a slot is chosen.
        self.acks.remove(&slot);
        while self.chosen.contains(self.first_unchosen) {
            self.first_unchosen += 1;
        }
    }

    fn reset_timer(&self, ctx: &mut PaxosCtx<'_>) {
        let t = ctx
            .random_between(ms(self.config.election_timeout_ms_min), ms(self.config.election_timeout_ms_max));
        ctx.set_timer(PaxosTimer::Election, t);
    }

    /// Phase 1a with a ballot above everything seen.
    fn start_prepare(&mut self, ctx: &mut PaxosCtx<'_>) {
        let ballot = Ballot { round: self.promised.round.max(self.max_round_tried) + 1, node: self.id };
        self.max_round_tried = ballot.round;
        ctx.note(format!("tries to lead with ballot {ballot}: Prepare to all"));
        let mut seen = Map::new();
        let mut promises = Set::new();
        // Our own acceptor promises first (unless it already promised higher: eager mode).
        if ballot > self.promised && !self.lease_held(ctx.now, self.id) {
            self.promised = ballot;
            promises.insert(self.id);
        }
        // Paxos Made Simple §3: phase 1 runs for the slots not known chosen, the first of
        // them and all above; acceptors report what they accepted from there on.
        let from = self.first_unchosen;
        for (s, &(b, v)) in self.accepted.iter_from(from) {
            seen.insert(s, (b, v));
        }
        self.phase = Phase::Preparing { ballot, promises, seen };
        self.leader = None;
        ctx.broadcast(PaxosMsg::Prepare { ballot, from });
        self.reset_timer(ctx);
        self.maybe_lead(ctx);
    }

    fn maybe_lead(&mut self, ctx: &mut PaxosCtx<'_>) {
        let Phase::Preparing { ballot, promises, seen } = &self.phase else { return };
        if promises.len() < self.quorum() {
            return;
        }
        let (ballot, seen) = (*ballot, seen.clone());
        self.phase = Phase::Leading { ballot };
        self.leader = Some(self.id);
        ctx.note(format!("has promises from a majority for ballot {ballot}: it leads"));
        ctx.cancel_timer(PaxosTimer::Election);
        ctx.broadcast(PaxosMsg::Heartbeat { ballot });
        ctx.set_timer(PaxosTimer::Heartbeat, ms(self.config.heartbeat_ms));
        // Paxos Made Simple §3: the new leader re-proposes, at the same slot, every value that
        // may have been chosen (the highest-ballot value its promises reported), and fills the
        // other unchosen slots below the highest it knows with no-ops, so that later commands
        // can be executed. Only when nothing is open does it propose a fresh no-op, which tells
        // it that it leads. Slots therefore stay the same across elections: a proposer that is
        // preempted over and over does not add a slot each time.
        let top = self.chosen.last_slot().into_iter().chain(seen.keys().copied()).max().unwrap_or(0);
        self.next_slot = top + 1;
        let mut open = false;
        for slot in self.first_unchosen..=top {
            if self.chosen.contains(slot) {
                continue;
            }
            open = true;
            let value = seen.get(&slot).map_or(Value::NoOp, |&(_, v)| v);
            self.propose(ctx, slot, value);
        }
        if !open {
            let slot = self.next_slot;
            self.next_slot += 1;
            self.propose(ctx, slot, Value::NoOp);
        }
    }

    fn propose(&mut self, ctx: &mut PaxosCtx<'_>, slot: u64, value: Value) {
        let Some(ballot) = self.leading() else { return };
        if ballot < self.promised {
            // Our own acceptor promised a higher ballot meanwhile (eager mode).
            let by = self.promised;
            self.preempted(ctx, by);
            return;
        }
        // Our own acceptor accepts.
        self.accept(slot, ballot, value);
        self.acks.insert(slot, (value, Set::from([self.id])));
        ctx.broadcast(PaxosMsg::Accept { ballot, slot, value });
        self.check_chosen(ctx, slot);
    }

    fn check_chosen(&mut self, ctx: &mut PaxosCtx<'_>, slot: u64) {
        let Some((value, acks)) = self.acks.get(&slot) else { return };
        if acks.len() >= self.quorum() && !self.chosen.contains(slot) {
            let value = *value;
            self.learn(slot, value);
            ctx.note(format!("{value} is chosen in slot {slot}"));
            ctx.broadcast(PaxosMsg::Decide { slot, value });
        }
    }

    fn preempted(&mut self, ctx: &mut PaxosCtx<'_>, by: Ballot) {
        self.preemptions += 1;
        self.promised = self.promised.max(by);
        self.phase = Phase::Idle;
        ctx.cancel_timer(PaxosTimer::Heartbeat);
        if self.config.backoff {
            ctx.note(format!("was preempted by ballot {by}; backs off for a random while"));
            self.reset_timer(ctx);
        } else {
            ctx.note(format!("was preempted by ballot {by}; retries at once with a higher ballot"));
            self.start_prepare(ctx);
        }
    }

    /// With a leader lease, an acceptor that leads itself or heard from another leader within
    /// the minimum timeout refuses Prepares from other proposers.
    fn lease_held(&self, now: Micros, from: NodeId) -> bool {
        self.config.leader_lease
            && (self.leading().is_some()
                || (self.leader.is_some_and(|l| l != from)
                    && self
                        .last_heard_leader
                        .is_some_and(|t| now < t + ms(self.config.election_timeout_ms_min))))
    }

    fn follow(&mut self, ctx: &mut PaxosCtx<'_>, from: NodeId, ballot: Ballot) {
        if self.leader != Some(from) {
            ctx.note(format!("follows n{from} (ballot {ballot})"));
        }
        if !matches!(self.phase, Phase::Idle) {
            ctx.cancel_timer(PaxosTimer::Heartbeat);
        }
        self.phase = Phase::Idle;
        self.leader = Some(from);
        self.last_heard_leader = Some(ctx.now);
        self.reset_timer(ctx);
    }
}

impl Protocol for Paxos {
    type Msg = PaxosMsg;
    type Timer = PaxosTimer;
    type Config = PaxosConfig;
    type Monitor = PaxosMonitor;

    fn monitor(_config: &Self::Config) -> Self::Monitor {
        Self::Monitor::default()
    }

    const ID: &'static str = "paxos";
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "Paxos";
    const TAGLINE: &'static str = "the proposer with a majority of promises leads. Turn backoff off and narrow the timeout to watch proposers duel.";
    const TERM_LABEL: Option<&'static str> = Some("ballot");

    fn production() -> Option<PaxosConfig> {
        Some(PaxosConfig {
            // Spanner (OSDI 2012) §4.1: leader leases "are by default 10 seconds long"; a new
            // leader may not be elected before the old lease runs out.
            election_timeout_ms_min: 10_000,
            election_timeout_ms_max: 11_000,
            // Not published: a tenth of the lease, an assumption.
            heartbeat_ms: 1_000,
            backoff: true,
            leader_lease: true,
            broken: Broken::NONE,
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "leader lease 10 s, no new leader before it runs out: Spanner (OSDI 2012) §4.1",
        "heartbeat a tenth of the lease: an assumption (Spanner does not publish it)",
    ];

    fn randomize(config: &mut PaxosConfig, rng: &mut Stream) {
        config.leader_lease = rng.chance_ppm(500_000);
    }

    fn validate(c: &PaxosConfig, _nodes: usize) -> Result<(), Error> {
        if c.election_timeout_ms_min > c.election_timeout_ms_max {
            return Err(Error::Range {
                what: "leader timeout (ms)",
                min: c.election_timeout_ms_min,
                max: c.election_timeout_ms_max,
            });
        }
        if c.election_timeout_ms_min == 0
            || c.heartbeat_ms == 0
            || c.election_timeout_ms_max > 60_000
            || c.heartbeat_ms > 60_000
        {
            return Err(Error::Invalid {
                what: "paxos timing",
                reason: "timeouts and heartbeat must be between 1 ms and 60000 ms".into(),
            });
        }
        crate::engine::settings::check_shorter(
            ("heartbeat", c.heartbeat_ms),
            ("shortest leader timeout", c.election_timeout_ms_min),
            "the acceptors would suspect the leader between two heartbeats",
        )?;
        Ok(())
    }

    fn new(id: NodeId, peers: &[NodeId], config: &PaxosConfig) -> Self {
        Paxos {
            id,
            peers: peers.to_vec(),
            config: config.clone(),
            promised: Ballot::default(),
            accepted: SlotMap::new(),
            chosen: SlotMap::new(),
            first_unchosen: 1,
            phase: Phase::Idle,
            next_slot: 1,
            acks: Map::new(),
            leader: None,
            last_heard_leader: None,
            preemptions: 0,
            max_round_tried: 0,
            changed: Vec::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut PaxosCtx<'_>) {
        self.changed.clear();
        self.reset_timer(ctx);
    }

    fn on_message(&mut self, ctx: &mut PaxosCtx<'_>, from: NodeId, msg: PaxosMsg) {
        self.changed.clear();
        match msg {
            PaxosMsg::Prepare { ballot, from: first } => {
                if self.lease_held(ctx.now, from) {
                    ctx.send(from, PaxosMsg::Nack { ballot, promised: self.promised });
                } else if ballot > self.promised {
                    self.promised = ballot;
                    if let Some(b) = self.leading().or(match &self.phase {
                        Phase::Preparing { ballot, .. } => Some(*ballot),
                        _ => None,
                    }) && b < ballot
                        && self.config.backoff
                    {
                        self.preempted_quietly(ctx, ballot);
                    }
                    let accepted = self.accepted.iter_from(first).map(|(s, &(b, v))| (s, b, v)).collect();
                    ctx.send(from, PaxosMsg::Promise { ballot, accepted });
                } else {
                    ctx.send(from, PaxosMsg::Nack { ballot, promised: self.promised });
                }
            }
            PaxosMsg::Promise { ballot, accepted } => {
                let ignore = self.config.broken.has(IGNORE_ACCEPTED);
                if let Phase::Preparing { ballot: mine, promises, seen } = &mut self.phase
                    && *mine == ballot
                {
                    promises.insert(from);
                    for (s, b, v) in accepted {
                        if ignore {
                            // Rule ignore-accepted broken: the slot is noted, its value is not.
                            if !seen.contains_key(&s) {
                                seen.insert(s, (b, Value::NoOp));
                            }
                        } else if seen.get(&s).is_none_or(|(sb, _)| b > *sb) {
                            seen.insert(s, (b, v));
                        }
                    }
                    self.maybe_lead(ctx);
                }
            }
            PaxosMsg::Nack { ballot, promised } => {
                let current = match &self.phase {
                    Phase::Preparing { ballot: b, .. } | Phase::Leading { ballot: b } => Some(*b),
                    Phase::Idle => None,
                };
                if current == Some(ballot) && promised > ballot {
                    self.preempted(ctx, promised);
                } else {
                    self.promised = self.promised.max(promised);
                }
            }
            PaxosMsg::Accept { ballot, slot, value } => {
                if ballot >= self.promised {
                    self.promised = ballot;
                    self.accept(slot, ballot, value);
                    if self.leading().is_some_and(|b| b < ballot) && self.config.backoff {
                        self.preempted_quietly(ctx, ballot);
                    }
                    ctx.send(from, PaxosMsg::Accepted { ballot, slot });
                } else {
                    ctx.send(from, PaxosMsg::Nack { ballot, promised: self.promised });
                }
            }
            PaxosMsg::Accepted { ballot, slot } => {
                if self.leading() == Some(ballot)
                    && let Some((_, acks)) = self.acks.get_mut(&slot)
                {
                    acks.insert(from);
                    self.check_chosen(ctx, slot);
                }
            }
            PaxosMsg::Decide { slot, value } => self.learn(slot, value),
            PaxosMsg::Heartbeat { ballot } => {
                if ballot >= self.promised {
                    self.promised = ballot;
                    self.follow(ctx, from, ballot);
                } else {
                    ctx.send(from, PaxosMsg::Nack { ballot, promised: self.promised });
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut PaxosCtx<'_>, timer: PaxosTimer) {
        self.changed.clear();
        match timer {
            PaxosTimer::Election => {
                if self.leading().is_none() {
                    self.start_prepare(ctx);
                }
            }
            PaxosTimer::Heartbeat => {
                if let Some(ballot) = self.leading() {
                    ctx.broadcast(PaxosMsg::Heartbeat { ballot });
                    ctx.set_timer(PaxosTimer::Heartbeat, ms(self.config.heartbeat_ms));
                }
            }
        }
    }

    fn on_request(&mut self, ctx: &mut PaxosCtx<'_>, request: Request) {
        self.changed.clear();
        match request {
            Request::ClientWrite { value } => {
                if self.leading().is_some() {
                    let slot = self.next_slot;
                    self.next_slot += 1;
                    ctx.note(format!("proposes x={value} in slot {slot}"));
                    self.propose(ctx, slot, Value::Write(value));
                } else {
                    match self.leader {
                        Some(l) => ctx.note(format!("is not the leader; redirects the client to n{l}")),
                        None => ctx.note("knows no leader; the write is refused"),
                    }
                }
            }
            Request::Timeout => {
                if self.leading().is_some() {
                    ctx.note("already leads");
                } else {
                    self.start_prepare(ctx);
                }
            }
            Request::TransferLeadership { .. } => ctx.note("this Paxos has no leadership transfer"),
        }
    }

    /// Acceptor state (promise, accepted values) and the learned log are on disk.
    fn on_crash(&mut self) {
        self.changed.clear();
        self.phase = Phase::Idle;
        self.acks.clear();
        self.leader = None;
        self.last_heard_leader = None;
    }

    fn status(&self) -> Status {
        let role = match self.phase {
            Phase::Idle => Role::Follower,
            Phase::Preparing { .. } => Role::Candidate,
            Phase::Leading { .. } => Role::Leader,
        };
        Status { role, term: self.promised.round, leader: self.leader }
    }

    fn watched_timer(&self) -> Option<PaxosTimer> {
        Some(PaxosTimer::Election)
    }

    fn is_routine_timer(timer: PaxosTimer) -> bool {
        timer == PaxosTimer::Heartbeat
    }

    fn summary(&self) -> String {
        let chosen: Vec<String> = self.chosen.iter().map(|(s, v)| format!("{s}:{v}")).collect();
        format!("promised={} chosen=[{}]", self.promised, chosen.join(" "))
    }

    fn describe(&self, view: &mut NodeView) {
        view.details.push(("promised ballot".into(), self.promised.to_string()));
        match &self.phase {
            Phase::Preparing { ballot, promises, .. } => {
                view.votes = promises.iter().copied().collect();
                view.details.push(("phase 1 with".into(), ballot.to_string()));
            }
            Phase::Leading { ballot } => view.details.push(("leads with".into(), ballot.to_string())),
            Phase::Idle => {}
        }
        view.details.push(("preempted".into(), format!("{} times", self.preemptions)));
        // The newest few: the inspector is not the place for a whole day's log.
        let acc: Vec<String> = self
            .accepted
            .iter_from(self.first_unchosen.saturating_sub(4))
            .map(|(s, (b, v))| format!("{s}:{v}@{b}"))
            .collect();
        view.details.push(("accepted".into(), if acc.is_empty() { "-".into() } else { acc.join(" ") }));
    }

    fn log_view(&self) -> (Vec<EntryView>, u64) {
        // Slots this acceptor accepted, committed when known chosen.
        let log = self
            .accepted
            .iter()
            .map(|(s, &(b, v))| EntryView { index: s, term: b.round, label: v.to_string() })
            .collect();
        let commit = self.first_unchosen - 1;
        (log, commit)
    }
}

impl Paxos {
    /// A leader or candidate that promised a higher ballot to someone else stops campaigning.
    fn preempted_quietly(&mut self, ctx: &mut PaxosCtx<'_>, by: Ballot) {
        ctx.note(format!("promised higher ballot {by}: stops leading"));
        self.phase = Phase::Idle;
        ctx.cancel_timer(PaxosTimer::Heartbeat);
        self.reset_timer(ctx);
    }
}
