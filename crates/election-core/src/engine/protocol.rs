//! The sans-I/O interface every algorithm implements.
//!
//! The shape follows quinn-proto (time is always passed in, never read), openraft's engine
//! (events in, commands out) and stateright's `Actor`/`Out`: a handler receives a [`Ctx`]
//! holding `now`, the node's own random stream and an output buffer of [`Effect`]s. The
//! [`Simulation`](crate::Simulation) performs the effects: it is the only thing that knows
//! about the network, the clock and faults.

use std::fmt;

use crate::engine::choice::NodeDraws;
use crate::engine::collections::Set;
use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::rng::Stream;
use crate::engine::settings::Rule;
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::view::{EntryView, NodeView, Panel, Role};

/// A protocol message: every algorithm has one enum of them, named after its paper.
pub trait Message: Clone + fmt::Debug + fmt::Display {
    /// The short kind label drawn on the wire ("RequestVote", "AppendEntries", ...).
    fn kind(&self) -> &'static str;
    /// Heartbeats are filtered out of golden traces and narration unless asked for.
    fn is_heartbeat(&self) -> bool {
        false
    }
}

/// The effects a handler asks the simulation to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect<M, T> {
    /// Send `msg` to `to` over the simulated network.
    Send { to: NodeId, msg: M },
    /// Arm timer `timer` to fire `after` microseconds from now, replacing an armed one of the same kind.
    SetTimer { timer: T, after: Micros },
    /// Disarm timer `timer` if armed.
    CancelTimer { timer: T },
    /// A line of narration for the trace and the event log ("n3 wins the election for term 4").
    Note(String),
    /// Write the state changed so far to stable storage: every later `Send` of the same
    /// handler leaves only once the write is durable (see [`crate::engine::storage`]).
    Persist,
}

impl<M, T> Effect<M, T> {
    /// The same effect with its message and timer converted (`AnyProtocol` wraps each
    /// algorithm's effects in its own enums this way).
    pub fn map<M2, T2>(self, msg: impl FnOnce(M) -> M2, timer: impl FnOnce(T) -> T2) -> Effect<M2, T2> {
        match self {
            Effect::Send { to, msg: m } => Effect::Send { to, msg: msg(m) },
            Effect::SetTimer { timer: t, after } => Effect::SetTimer { timer: timer(t), after },
            Effect::CancelTimer { timer: t } => Effect::CancelTimer { timer: timer(t) },
            Effect::Note(text) => Effect::Note(text),
            Effect::Persist => Effect::Persist,
        }
    }
}

/// Where a handler's effects go: the simulation's buffer (a `Vec`), or an adapter that
/// converts them on the way (see [`Effect::map`]).
pub trait EffectSink<M, T> {
    /// Takes one effect.
    fn push(&mut self, effect: Effect<M, T>);
}

impl<M, T> EffectSink<M, T> for Vec<Effect<M, T>> {
    fn push(&mut self, effect: Effect<M, T>) {
        Vec::push(self, effect);
    }
}

/// The context a handler runs in: the current time, the node's random stream, its output.
pub struct Ctx<'a, M, T> {
    /// Current virtual time: the truth, for what a handler records for the monitors.
    pub now: Micros,
    /// What the node's own clock reads (see [`crate::engine::clock`]): for comparing times the
    /// node stored itself, such as a lease's expiry. Equal to `now` with perfect clocks.
    pub local: Micros,
    /// The node this handler runs on.
    pub me: NodeId,
    /// All node ids in the cluster, in order (including `me`).
    pub peers: &'a [NodeId],
    rng: &'a mut Stream,
    /// The node's draw count and choices (the simulation's nodes; unit tests go without).
    draws: Option<&'a mut NodeDraws>,
    out: &'a mut dyn EffectSink<M, T>,
}

impl<M, T> fmt::Debug for Ctx<'_, M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("now", &self.now)
            .field("me", &self.me)
            .field("peers", &self.peers)
            .finish()
    }
}

impl<'a, M, T> Ctx<'a, M, T> {
    /// A context for node `me` at time `now` (used by the simulation and by unit tests).
    pub fn new(
        now: Micros,
        me: NodeId,
        peers: &'a [NodeId],
        rng: &'a mut Stream,
        out: &'a mut dyn EffectSink<M, T>,
    ) -> Self {
        Ctx { now, local: now, me, peers, rng, draws: None, out }
    }

    /// The period of a cron-like job (every `period_ms`) the node's clock is in: the lock
    /// recipes' periodic job runs on the node's own clock, as cron does.
    pub fn job_period(&self, period_ms: u64) -> u64 {
        self.local / ms(period_ms.max(1))
    }

    /// Arms `timer` for the start of the next period of a job run every `period_ms` by the
    /// node's clock.
    pub fn schedule_job(&mut self, timer: T, period_ms: u64) {
        let p = ms(period_ms.max(1));
        let next = (self.local / p + 1) * p;
        self.set_timer(timer, next - self.local);
    }

    /// The same context on a node whose clock reads `local`.
    pub fn with_local(self, local: Micros) -> Self {
        Ctx { local, ..self }
    }

    /// The same context whose random durations are counted, and fixed where chosen, by
    /// `draws` (see [`crate::engine::choice`]).
    pub fn with_draws(self, draws: &'a mut NodeDraws) -> Self {
        Ctx { draws: Some(draws), ..self }
    }

    /// Runs `f` with a context of another message and timer type on the same node, time and
    /// random stream, converting what it emits with `msg` and `timer` into this context.
    pub fn lift<M2, T2, R>(
        &mut self,
        msg: fn(M2) -> M,
        timer: fn(T2) -> T,
        f: impl FnOnce(&mut Ctx<'_, M2, T2>) -> R,
    ) -> R {
        struct Lift<'b, M, T, M2, T2> {
            out: &'b mut dyn EffectSink<M, T>,
            msg: fn(M2) -> M,
            timer: fn(T2) -> T,
        }
        impl<M, T, M2, T2> EffectSink<M2, T2> for Lift<'_, M, T, M2, T2> {
            fn push(&mut self, effect: Effect<M2, T2>) {
                self.out.push(effect.map(self.msg, self.timer));
            }
        }
        let mut out = Lift { out: &mut *self.out, msg, timer };
        let mut ctx = Ctx {
            now: self.now,
            local: self.local,
            me: self.me,
            peers: self.peers,
            rng: &mut *self.rng,
            draws: self.draws.as_deref_mut(),
            out: &mut out,
        };
        f(&mut ctx)
    }

    /// Send `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.out.push(Effect::Send { to, msg });
    }

    /// Send a copy of `msg` to every other node, in id order.
    pub fn broadcast(&mut self, msg: M)
    where
        M: Clone,
    {
        for &p in self.peers {
            if p != self.me {
                self.out.push(Effect::Send { to: p, msg: msg.clone() });
            }
        }
    }

    /// Arm `timer` to fire after `after` microseconds (replaces an armed timer of the same kind).
    pub fn set_timer(&mut self, timer: T, after: Micros) {
        self.out.push(Effect::SetTimer { timer, after });
    }

    /// Disarm `timer`.
    pub fn cancel_timer(&mut self, timer: T) {
        self.out.push(Effect::CancelTimer { timer });
    }

    /// Makes the state changed so far durable before anything sent after this call leaves
    /// the node (Raft Figure 2: persistent state is "updated on stable storage before
    /// responding to RPCs"). How long the write takes is the simulation's
    /// [`StorageConfig`](crate::engine::storage::StorageConfig); with the default instant
    /// disk this changes nothing.
    pub fn persist(&mut self) {
        self.out.push(Effect::Persist);
    }

    /// A narration line.
    pub fn note(&mut self, text: impl Into<String>) {
        self.out.push(Effect::Note(text.into()));
    }

    /// A uniformly random duration in `lo..=hi` microseconds from this node's own stream.
    /// The draw is made even when a choice fixes its value, so a choice changes no other draw.
    pub fn random_between(&mut self, lo: Micros, hi: Micros) -> Micros {
        let random = self.rng.range(lo, hi);
        match self.draws.as_deref_mut() {
            Some(d) => d.draw(lo, hi, random),
            None => random,
        }
    }

    /// Number of nodes in the cluster.
    pub fn cluster_size(&self) -> usize {
        self.peers.len()
    }

    /// The smallest majority of the cluster.
    pub fn quorum(&self) -> usize {
        self.peers.len() / 2 + 1
    }
}

/// The observable summary of a node that the simulation tracks to narrate role changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Current role.
    pub role: Role,
    /// Term, epoch or ballot: the algorithm's logical clock for leadership.
    pub term: u64,
    /// The leader this node believes in, if any.
    pub leader: Option<NodeId>,
}

/// A leader election algorithm as a sans-I/O state machine.
///
/// Handlers must be deterministic functions of the node's state, the event and the
/// context's random stream: no clocks, no `HashMap` iteration, no floats in decisions.
pub trait Protocol: Clone + fmt::Debug + Sized {
    /// The algorithm's one message enum.
    type Msg: Message;
    /// The algorithm's timer kinds (one armed timer per kind per node).
    type Timer: Clone + Copy + fmt::Debug + fmt::Display + PartialEq + Eq + Ord;
    /// Algorithm settings (timeouts, toggles).
    type Config: Clone + fmt::Debug;
    /// Cross-node safety checker, run after every event.
    type Monitor: Monitor<Self> + Clone + fmt::Debug;

    /// Identifier used in files, URLs and the CLI (`raft`).
    const ID: &'static str;

    /// The rules a `break=` setting can switch off, each with what it is and its source (in
    /// the order of the algorithm's `RULE_NAMES`); none by default.
    const RULES: &'static [Rule] = &[];

    /// Short display name ("Raft").
    const NAME: &'static str;

    /// One sentence on what to try, shown under the page's algorithm picker.
    const TAGLINE: &'static str;

    /// The smallest cluster the algorithm accepts.
    const MIN_NODES: usize = 1;

    /// Whether the algorithm claims safety under network faults, pauses and restarts (seed sweeps
    /// inject them); one that does not (the Bully algorithm) is swept under crash-stop only.
    const SURVIVES_PARTITIONS: bool = true;

    /// Whether client writes end up in a replicated log whose committed `x=V` entries the
    /// comparison counts (a lease lock's job writes are not client writes).
    const CLIENT_LOG: bool = true;

    /// What the algorithm calls its leadership clock ("term", "epoch", "ballot"), if any.
    const TERM_LABEL: Option<&'static str>;

    /// Whether [`Request::TransferLeadership`] means anything to this algorithm.
    const SUPPORTS_TRANSFER: bool = false;

    /// Checks the settings for a cluster of `nodes` nodes.
    fn validate(config: &Self::Config, nodes: usize) -> Result<(), Error>;

    /// The safety checker for a cluster with these settings.
    fn monitor(config: &Self::Config) -> Self::Monitor;

    /// The display name of the algorithm these settings run ([`Protocol::NAME`]; a protocol
    /// that stands for several algorithms answers from its settings).
    fn name(_config: &Self::Config) -> &'static str {
        Self::NAME
    }

    /// The leadership clock's name for these settings ([`Protocol::TERM_LABEL`]).
    fn term_label(_config: &Self::Config) -> Option<&'static str> {
        Self::TERM_LABEL
    }

    /// Whether leadership transfer means anything ([`Protocol::SUPPORTS_TRANSFER`]).
    fn supports_transfer(_config: &Self::Config) -> bool {
        Self::SUPPORTS_TRANSFER
    }

    /// The settings a production system ships with, each value cited where it is set, or
    /// `None` when no production system runs this algorithm as modelled. The defaults
    /// (`Config::default`) are the classroom timings: fast enough to watch.
    fn production() -> Option<Self::Config> {
        None
    }

    /// Where [`Protocol::production`]'s values come from, one line each, for the page.
    const PRODUCTION_SOURCES: &'static [&'static str] = &[];

    /// Draws the settings a seed sweep varies (only safe configurations).
    fn randomize(_config: &mut Self::Config, _rng: &mut Stream) {}

    /// The settings the comparison runs with, from the defaults.
    fn for_comparison(_config: &mut Self::Config) {}

    /// Where a client sends a write: by default the leader a majority follows (`stable`).
    fn write_target<N: Nodes<Self> + ?Sized>(_nodes: &N, stable: Option<NodeId>) -> Option<NodeId> {
        stable
    }

    /// An algorithm-specific table for the whole cluster (see [`Panel`]).
    fn panel<N: Nodes<Self> + ?Sized>(_nodes: &N) -> Option<Panel> {
        None
    }

    /// A fresh node `id` of a cluster with members `peers`.
    fn new(id: NodeId, peers: &[NodeId], config: &Self::Config) -> Self;

    /// The node starts (first boot or restart after a crash): arm the initial timers.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>);

    /// A message from `from` arrives.
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, from: NodeId, msg: Self::Msg);

    /// A timer fires.
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, timer: Self::Timer);

    /// A user request (client write, forced timeout, leadership transfer).
    fn on_request(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Timer>, request: Request);

    /// The node crashes: forget volatile state, keep what the algorithm persists to disk.
    fn on_crash(&mut self);

    /// Role, term and believed leader.
    fn status(&self) -> Status;

    /// Routine timers (heartbeat) are hidden from golden traces like heartbeat messages.
    fn is_routine_timer(_timer: Self::Timer) -> bool {
        false
    }

    /// The timer drawn as a draining arc in the UI (the election timer in Raft).
    fn watched_timer(&self) -> Option<Self::Timer> {
        None
    }

    /// Fill the algorithm-specific parts of this node's view (vote, log, details).
    fn describe(&self, view: &mut NodeView);

    /// Algorithm-specific fields for one-line status output ("vote=n3 commit=2 log=[...]").
    fn summary(&self) -> String {
        String::new()
    }

    /// The replicated log as (index, term, label) for drawing, and the commit index.
    fn log_view(&self) -> (Vec<EntryView>, u64) {
        (Vec::new(), 0)
    }

    /// True when the node times its timers and leases with a monotonic clock (Java's
    /// `System.nanoTime`, Go's monotonic reading): its rate error counts, a jump of the wall
    /// clock does not. False: they follow the wall clock, jumps included (Redis's key expiry).
    fn monotonic_clock(&self) -> bool {
        false
    }
}

/// Whether a node process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    /// Running.
    Up,
    /// Crashed.
    Down,
    /// Stalled until `until` (or until resumed when `None`).
    Paused { until: Option<Micros> },
}

/// What a monitor or a panel sees of one node: its id, whether it runs, its protocol state.
#[derive(Debug)]
pub struct NodeRef<'a, P> {
    /// Node id.
    pub id: NodeId,
    /// Up, down or paused.
    pub state: NodeState,
    /// The algorithm's state machine.
    pub proto: &'a P,
    /// Its clock: monitors map the node's local readings back to true time with it.
    pub clock: crate::engine::clock::Clock,
}

impl<P> Clone for NodeRef<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for NodeRef<'_, P> {}

impl<P> NodeRef<'_, P> {
    /// True when the process is running (not crashed, not paused).
    pub fn is_up(&self) -> bool {
        self.state == NodeState::Up
    }

    /// True when the process has not crashed (it may be paused).
    pub fn is_alive(&self) -> bool {
        self.state != NodeState::Down
    }
}

/// The whole cluster as monitors and panels see it, in id order (node `i + 1` at index `i`).
///
/// A slice of [`NodeSlot`](crate::NodeSlot)s is one; `AnyProtocol` presents its nodes
/// to each algorithm's monitor as the algorithm's own type through another.
pub trait Nodes<P> {
    /// Number of nodes.
    fn len(&self) -> usize;
    /// The node at `index` (0-based), if there is one.
    fn get(&self, index: usize) -> Option<NodeRef<'_, P>>;
    /// True for a cluster without nodes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The node at `index` (0-based); panics when out of range, like slice indexing (callers
    /// pass the id of the node an event ran on).
    fn at(&self, index: usize) -> NodeRef<'_, P> {
        self.get(index).unwrap_or_else(|| panic!("node index {index} of {}", self.len()))
    }
    /// The first node.
    fn first(&self) -> Option<NodeRef<'_, P>> {
        self.get(0)
    }
    /// The nodes in id order.
    fn iter<'a>(&'a self) -> impl DoubleEndedIterator<Item = NodeRef<'a, P>> + Clone
    where
        P: 'a,
    {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

/// The violations a monitor already reported, so that a lasting one is reported once.
#[derive(Debug, Clone, Default)]
pub struct Reported(Set<String>);

impl Reported {
    /// Adds `text` to `out` unless `key` was reported before.
    pub fn report_once(&mut self, key: String, text: String, out: &mut Vec<String>) {
        if self.0.insert(key) {
            out.push(text);
        }
    }

    /// Adds `text` to `out` unless the same text was reported before.
    pub fn report(&mut self, text: String, out: &mut Vec<String>) {
        if self.0.insert(text.clone()) {
            out.push(text);
        }
    }
}

/// Safety checks that look across nodes and across time.
pub trait Monitor<P: Protocol> {
    /// Called after every event that ran a handler on `node` (and after faults on it),
    /// with the whole cluster. Returns violated invariants, one line each.
    fn after_event<N: Nodes<P> + ?Sized>(&mut self, now: Micros, node: NodeId, nodes: &N) -> Vec<String>;

    /// Liveness: is there a leader that a majority of the cluster follows right now?
    fn stable_leader<N: Nodes<P> + ?Sized>(&self, nodes: &N) -> Option<NodeId>;
}

/// Shared support for handler unit tests: run one handler, look at what it sent.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Ctx, Effect, Protocol};
    use crate::engine::rng::Stream;
    use crate::engine::time::{Micros, NodeId};

    /// Runs `f` on node `me` of a cluster `peers` at time `now` (random stream of seed 1) and
    /// returns the effects it emitted.
    pub fn run_handler<P: Protocol>(
        p: &mut P,
        me: NodeId,
        peers: &[NodeId],
        now: Micros,
        f: impl FnOnce(&mut P, &mut Ctx<'_, P::Msg, P::Timer>),
    ) -> Vec<Effect<P::Msg, P::Timer>> {
        let mut rng = Stream::new(1, u64::from(me));
        let mut out = Vec::new();
        let mut ctx = Ctx::new(now, me, peers, &mut rng, &mut out);
        f(p, &mut ctx);
        out
    }

    /// The messages among `out`, as (destination, message).
    pub fn sends<M: Clone, T>(out: &[Effect<M, T>]) -> Vec<(NodeId, M)> {
        out.iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg } => Some((*to, msg.clone())),
                _ => None,
            })
            .collect()
    }
}
