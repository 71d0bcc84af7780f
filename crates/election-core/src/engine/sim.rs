//! The discrete-event simulation: virtual time, the event queue, the network and faults.
//!
//! Events wait in a priority queue ordered by `(time, sequence number)`; the sequence number
//! is assigned when an event is scheduled, so events at the same instant run in the order
//! they were caused and every run of the same seed and inputs is identical.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::engine::choice::{Choice, Drawn, NodeDraws, validate_choices};
use crate::engine::collections::Map;

use crate::engine::clock::{Clock, ClockConfig, fmt_jump};
use crate::engine::error::Error;
use crate::engine::input::Input;
use crate::engine::limits::MAX_IN_FLIGHT_PER_LINK;
use crate::engine::net::{LinkState, Links, NetConfig};
use crate::engine::protocol::{Ctx, Effect, Message, Monitor, NodeRef, NodeState, Nodes, Protocol, Status};
use crate::engine::rng::{CLOCK_STREAM, NETWORK_STREAM, STORAGE_STREAM, Stream};
use crate::engine::storage::StorageConfig;
use crate::engine::time::{MAX_NODES, Micros, NodeId, fmt_time};
use crate::engine::trace::{DropReason, FnvWriter, TraceEvent, TraceKind};
use crate::engine::view::{
    ClockView, ClusterView, LinkView, Liveness, MAX_VIEW_MESSAGES, MAX_VIEW_PER_LINK, MessageView, NodeView,
};

/// Cluster-level settings of a simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Number of nodes, `1..=MAX_NODES`.
    pub nodes: usize,
    /// Seed of every random stream.
    pub seed: u64,
    /// Network settings.
    pub net: NetConfig,
    /// How long a durable write takes (instant by default).
    pub storage: StorageConfig,
    /// Draws fixed on purpose (none by default: every draw is random).
    pub choices: Vec<Choice>,
    /// The nodes' clocks (perfect by default).
    pub clocks: ClockConfig,
}

impl SimConfig {
    /// `nodes` nodes, seed `seed`, the network `net` and an instant disk.
    pub fn new(nodes: usize, seed: u64, net: NetConfig) -> Self {
        SimConfig {
            nodes,
            seed,
            net,
            storage: StorageConfig::default(),
            choices: Vec::new(),
            clocks: ClockConfig::default(),
        }
    }

    /// Checks the cluster size, the network and the storage settings.
    pub fn validate(&self) -> Result<(), Error> {
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return Err(Error::ClusterSize(self.nodes));
        }
        self.net.validate()?;
        self.storage.validate()?;
        self.clocks.validate()?;
        validate_choices(&self.choices, self.nodes)
    }
}

/// A message waiting for its node's durable write before it leaves.
#[derive(Debug, Clone)]
struct Held<M> {
    at: Micros,
    to: NodeId,
    msg: M,
}

#[derive(Debug, Clone)]
struct TimerSlot {
    generation: u64,
    deadline: Micros,
    armed_at: Micros,
    /// The deadline as the node's clock reads it (what a clock jump moves the timer by).
    local_deadline: Micros,
}

/// One node of the simulation: the protocol state plus what the simulation keeps about it.
#[derive(Debug, Clone)]
pub struct NodeSlot<P: Protocol> {
    /// Node id.
    pub id: NodeId,
    /// The algorithm's state machine.
    pub proto: P,
    /// Up, down or paused.
    pub state: NodeState,
    rng: Stream,
    /// How many random durations the node has drawn, and which of them are chosen.
    draws: NodeDraws,
    timers: Map<P::Timer, TimerSlot>,
    timer_generation: u64,
    pause_generation: u64,
    /// Events that reached this node while it was paused, in arrival order.
    stalled: Vec<Event<P>>,
    /// When the node's disk finishes the writes issued so far (writes complete in order).
    disk_free_at: Micros,
    /// Messages sent after a write that is not durable yet, in send order.
    held: Vec<Held<P::Msg>>,
    last_status: Status,
    /// The node's clock (its timers run on it).
    pub clock: Clock,
}

impl<P: Protocol> Nodes<P> for [NodeSlot<P>] {
    fn len(&self) -> usize {
        <[NodeSlot<P>]>::len(self)
    }

    fn get(&self, index: usize) -> Option<NodeRef<'_, P>> {
        let slot = <[NodeSlot<P>]>::get(self, index)?;
        Some(NodeRef { id: slot.id, state: slot.state, proto: &slot.proto, clock: slot.timing_clock() })
    }
}

impl<P: Protocol> NodeSlot<P> {
    /// The clock the node's timers and leases run on: its wall clock, or, for an algorithm
    /// that times with a monotonic clock, the same rate without the jumps.
    pub fn timing_clock(&self) -> Clock {
        if self.proto.monotonic_clock() { Clock { offset_us: 0, ..self.clock } } else { self.clock }
    }

    /// True when the process is running (not crashed, not paused).
    pub fn is_up(&self) -> bool {
        self.state == NodeState::Up
    }

    /// True when the process has not crashed (it may be paused).
    pub fn is_alive(&self) -> bool {
        self.state != NodeState::Down
    }
}

#[derive(Debug, Clone)]
struct InFlight<M> {
    id: u64,
    from: NodeId,
    to: NodeId,
    msg: M,
    sent_at: Micros,
    deliver_at: Micros,
    lost: bool,
    cut_at_send: bool,
}

/// Messages in flight, in slots that deliveries free for reuse: removing one costs the same
/// however many others are in flight (a sorted map shifted every later message on each
/// delivery, which made message storms quadratic).
#[derive(Debug, Clone)]
struct Wire<M> {
    slots: Vec<Option<InFlight<M>>>,
    free: Vec<u32>,
}

impl<M> Wire<M> {
    fn new() -> Self {
        Wire { slots: Vec::new(), free: Vec::new() }
    }

    /// Puts `m` on the wire; returns its slot.
    fn insert(&mut self, m: InFlight<M>) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(m);
                slot
            }
            None => {
                self.slots.push(Some(m));
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn get(&self, slot: u32) -> Option<&InFlight<M>> {
        self.slots.get(slot as usize)?.as_ref()
    }

    fn remove(&mut self, slot: u32) -> Option<InFlight<M>> {
        let m = self.slots.get_mut(slot as usize)?.take();
        if m.is_some() {
            self.free.push(slot);
        }
        m
    }

    /// The messages in flight, in slot order (deterministic; views need no other).
    fn in_flight(&self) -> impl Iterator<Item = &InFlight<M>> {
        self.slots.iter().flatten()
    }
}

#[derive(Debug, Clone)]
enum EventKind<T> {
    Deliver {
        slot: u32,
    },
    Timer {
        node: NodeId,
        timer: T,
        generation: u64,
    },
    Resume {
        node: NodeId,
        generation: u64,
    },
    /// A durable write of `node` completes: the messages held for it leave.
    Durable {
        node: NodeId,
    },
}

#[derive(Debug, Clone)]
struct Event<P: Protocol> {
    t: Micros,
    seq: u64,
    kind: EventKind<P::Timer>,
}

impl<P: Protocol> PartialEq for Event<P> {
    fn eq(&self, other: &Self) -> bool {
        (self.t, self.seq) == (other.t, other.seq)
    }
}
impl<P: Protocol> Eq for Event<P> {}
impl<P: Protocol> PartialOrd for Event<P> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<P: Protocol> Ord for Event<P> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.t, self.seq).cmp(&(other.t, other.seq))
    }
}

/// A running simulation of one algorithm on one cluster.
#[derive(Debug, Clone)]
pub struct Simulation<P: Protocol> {
    config: SimConfig,
    proto_config: P::Config,
    peers: Vec<NodeId>,
    now: Micros,
    seq: u64,
    next_msg_id: u64,
    steps: u64,
    queue: BinaryHeap<Reverse<Event<P>>>,
    wire: Wire<P::Msg>,
    /// Messages in flight per directed link (row = sender), bounded like a socket buffer.
    in_flight: Vec<u16>,
    nodes: Vec<NodeSlot<P>>,
    links: Links,
    net_rng: Stream,
    storage_rng: Stream,
    monitor: P::Monitor,
    violations: usize,
    sent_by_kind: Map<&'static str, u64>,
    /// Output buffer: events since the last [`Simulation::take_trace`].
    trace: Vec<TraceEvent>,
    tracing: bool,
    effects: Vec<Effect<P::Msg, P::Timer>>,
    /// Every draw made, when the search asks ([`Simulation::log_draws`]).
    draw_log: Option<Vec<Draw>>,
}

/// A draw the simulation made, as the counterexample search sees it to choose otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Draw {
    /// A message copy put on the wire.
    Message {
        /// Its id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Destination.
        to: NodeId,
        /// The first copy of its send (a duplicate is the second).
        first: bool,
        /// Whether its send made two copies.
        duplicated: bool,
        /// The latency range drawn from.
        lo: Micros,
        /// The latency range drawn from.
        hi: Micros,
        /// The latency used.
        latency: Micros,
        /// Whether it is lost.
        lost: bool,
        /// Whether its link was cut when it was sent (it is dropped however it is drawn).
        cut: bool,
    },
    /// A node's random duration.
    Node {
        /// The node.
        node: NodeId,
        /// The draw.
        drawn: Drawn,
    },
}

impl<P: Protocol> Simulation<P> {
    /// Builds the cluster and starts every node at time 0, in id order.
    pub fn new(config: SimConfig, proto_config: P::Config) -> Result<Self, Error> {
        config.validate()?;
        P::validate(&proto_config, config.nodes)?;
        let peers: Vec<NodeId> = (1..=config.nodes as NodeId).collect();
        // Rate errors come from a stream of their own, drawn only when drift is on: with
        // perfect clocks no draw is made and traces are what they were without clocks.
        let mut clock_rng = Stream::new(config.seed, CLOCK_STREAM);
        let bound = u64::from(config.clocks.drift_ppm);
        let nodes = peers
            .iter()
            .map(|&id| {
                let rate_ppm =
                    if bound == 0 { 0 } else { clock_rng.range(0, 2 * bound) as i64 - bound as i64 };
                let proto = P::new(id, &peers, &proto_config);
                let last_status = proto.status();
                NodeSlot {
                    id,
                    proto,
                    state: NodeState::Up,
                    rng: Stream::new(config.seed, u64::from(id)),
                    draws: NodeDraws {
                        chosen: config
                            .choices
                            .iter()
                            .filter_map(|c| match *c {
                                Choice::Draw { node, draw, end } if node == id => Some((draw, end)),
                                _ => None,
                            })
                            .collect(),
                        ..NodeDraws::default()
                    },
                    timers: Map::new(),
                    timer_generation: 0,
                    pause_generation: 0,
                    stalled: Vec::new(),
                    disk_free_at: 0,
                    held: Vec::new(),
                    last_status,
                    clock: Clock { rate_ppm: rate_ppm as i32, offset_us: 0 },
                }
            })
            .collect();
        let monitor = P::monitor(&proto_config);
        let in_flight = vec![0; config.nodes * config.nodes];
        let mut sim = Simulation {
            links: Links::new(config.nodes),
            net_rng: Stream::new(config.seed, NETWORK_STREAM),
            storage_rng: Stream::new(config.seed, STORAGE_STREAM),
            config,
            proto_config,
            peers,
            now: 0,
            seq: 0,
            next_msg_id: 1,
            steps: 0,
            queue: BinaryHeap::new(),
            wire: Wire::new(),
            in_flight,
            nodes,
            monitor,
            violations: 0,
            sent_by_kind: Map::new(),
            trace: Vec::new(),
            tracing: true,
            effects: Vec::new(),
            draw_log: None,
        };
        for id in sim.peers.clone() {
            sim.run_handler(id, |p, ctx| p.on_start(ctx));
        }
        Ok(sim)
    }

    /// Current virtual time.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// Number of events processed and inputs applied so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Cluster settings.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Algorithm settings.
    pub fn proto_config(&self) -> &P::Config {
        &self.proto_config
    }

    /// The nodes, in id order.
    pub fn nodes(&self) -> &[NodeSlot<P>] {
        &self.nodes
    }

    /// Test support: corrupt node state directly, then run the checker on every node.
    #[doc(hidden)]
    pub fn corrupt_for_test(&mut self, f: impl FnOnce(&mut [NodeSlot<P>])) {
        f(&mut self.nodes);
        for id in self.peers.clone() {
            self.record_role_change(id);
            self.check(id);
        }
    }

    /// Node `id`'s protocol state.
    pub fn node(&self, id: NodeId) -> Result<&P, Error> {
        self.check_node(id)?;
        Ok(&self.nodes[usize::from(id) - 1].proto)
    }

    /// When node `id`'s timer `timer` fires, if it is armed (experiments align with a
    /// leader's heartbeat this way).
    pub fn timer_deadline(&self, id: NodeId, timer: P::Timer) -> Option<Micros> {
        self.check_node(id).ok()?;
        self.nodes[usize::from(id) - 1].timers.get(&timer).map(|t| t.deadline)
    }

    /// Invariant violations so far.
    pub fn violations(&self) -> usize {
        self.violations
    }

    /// The trace events produced since the last [`Simulation::take_trace`].
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// Takes the buffered trace events.
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.trace)
    }

    /// The leader a majority follows right now, if any (liveness check).
    pub fn stable_leader(&self) -> Option<NodeId> {
        self.monitor.stable_leader(self.nodes.as_slice())
    }

    /// How many live (possibly paused) nodes believe they are the leader right now.
    pub fn believed_leaders(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_alive() && n.proto.status().role.is_leader()).count()
    }

    fn check_node(&self, id: NodeId) -> Result<(), Error> {
        if id == 0 || usize::from(id) > self.nodes.len() {
            Err(Error::UnknownNode { node: id, nodes: self.nodes.len() })
        } else {
            Ok(())
        }
    }

    fn slot(&mut self, id: NodeId) -> &mut NodeSlot<P> {
        &mut self.nodes[usize::from(id) - 1]
    }

    fn push(&mut self, t: Micros, kind: EventKind<P::Timer>) {
        self.seq += 1;
        self.queue.push(Reverse(Event { t, seq: self.seq, kind }));
    }

    fn record(&mut self, kind: TraceKind) {
        if self.tracing {
            self.trace.push(TraceEvent { t: self.now, kind });
        }
    }

    /// Turns trace recording off (experiments that only need outcomes run much faster) or on.
    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }

    /// Replaces every random stream with those of `seed` (the state is kept). Experiments use
    /// it to run many independent trials from one warmed-up cluster.
    pub fn reseed(&mut self, seed: u64) {
        self.net_rng = Stream::new(seed, NETWORK_STREAM);
        self.storage_rng = Stream::new(seed, STORAGE_STREAM);
        for slot in &mut self.nodes {
            slot.rng = Stream::new(seed, u64::from(slot.id));
        }
    }

    /// Drops stale timer events from the head of the queue.
    fn discard_stale(&mut self) {
        while let Some(Reverse(ev)) = self.queue.peek() {
            let stale = match &ev.kind {
                EventKind::Timer { node, timer, generation } => {
                    let slot = &self.nodes[usize::from(*node) - 1];
                    slot.timers.get(timer).is_none_or(|s| s.generation != *generation)
                }
                EventKind::Resume { node, generation } => {
                    let slot = &self.nodes[usize::from(*node) - 1];
                    !matches!(slot.state, NodeState::Paused { .. }) || slot.pause_generation != *generation
                }
                EventKind::Deliver { .. } | EventKind::Durable { .. } => false,
            };
            if stale {
                self.queue.pop();
            } else {
                break;
            }
        }
    }

    /// Events waiting in the queue (messages in flight, armed timers, pending resumes).
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// Time of the next event, if any.
    pub fn next_event_time(&mut self) -> Option<Micros> {
        self.discard_stale();
        self.queue.peek().map(|Reverse(e)| e.t)
    }

    /// Processes the next event. Returns false when the queue is empty.
    pub fn step(&mut self) -> bool {
        self.discard_stale();
        let Some(Reverse(ev)) = self.queue.pop() else {
            return false;
        };
        debug_assert!(ev.t >= self.now, "time went backwards");
        self.now = ev.t;
        self.steps += 1;
        self.dispatch(ev);
        true
    }

    /// Processes every event with time `<= t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Micros) {
        while let Some(next) = self.next_event_time() {
            if next > t {
                break;
            }
            self.step();
        }
        self.now = self.now.max(t);
    }

    fn dispatch(&mut self, ev: Event<P>) {
        let target = match &ev.kind {
            EventKind::Deliver { slot } => self.wire.get(*slot).map(|m| m.to),
            EventKind::Timer { node, .. } | EventKind::Resume { node, .. } | EventKind::Durable { node } => {
                Some(*node)
            }
        };
        let Some(target) = target else { return };
        if let EventKind::Resume { node, .. } = ev.kind {
            self.record(TraceKind::Resume { node });
            self.resume(node);
            return;
        }
        // A stalled process does nothing: the event waits until it resumes.
        if matches!(self.nodes[usize::from(target) - 1].state, NodeState::Paused { .. }) {
            self.slot(target).stalled.push(ev);
            return;
        }
        match ev.kind {
            EventKind::Deliver { slot } => self.deliver(slot),
            EventKind::Timer { node, timer, .. } => {
                let slot = self.slot(node);
                slot.timers.remove(&timer);
                let routine = P::is_routine_timer(timer);
                self.record(TraceKind::Timer { node, timer: timer.to_string(), routine });
                self.run_handler(node, |p, ctx| p.on_timer(ctx, timer));
            }
            EventKind::Durable { node } => self.release_held(node),
            EventKind::Resume { .. } => unreachable!("handled above"),
        }
    }

    fn deliver(&mut self, slot: u32) {
        let Some(m) = self.wire.remove(slot) else {
            return;
        };
        let id = m.id;
        let link = self.links.index(m.from, m.to);
        self.in_flight[link] = self.in_flight[link].saturating_sub(1);
        let (kind, heartbeat) = (m.msg.kind(), m.msg.is_heartbeat());
        let summary = if self.tracing { m.msg.to_string() } else { String::new() };
        let reason = if !self.nodes[usize::from(m.to) - 1].is_alive() {
            Some(DropReason::NodeDown)
        } else if m.cut_at_send || self.links.state(m.from, m.to) == LinkState::Cut {
            Some(DropReason::LinkCut)
        } else if m.lost {
            Some(DropReason::Lost)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.record(TraceKind::Drop { id, from: m.from, to: m.to, kind, summary, heartbeat, reason });
            return;
        }
        self.record(TraceKind::Deliver { id, from: m.from, to: m.to, kind, summary, heartbeat });
        let from = m.from;
        self.run_handler(m.to, |p, ctx| p.on_message(ctx, from, m.msg));
    }

    /// Runs one handler on node `id` and performs its effects.
    fn run_handler(&mut self, id: NodeId, f: impl FnOnce(&mut P, &mut Ctx<'_, P::Msg, P::Timer>)) {
        let mut effects = std::mem::take(&mut self.effects);
        effects.clear();
        {
            let now = self.now;
            let slot = &mut self.nodes[usize::from(id) - 1];
            let local = slot.timing_clock().local(now);
            let mut ctx = Ctx::new(now, id, &self.peers, &mut slot.rng, &mut effects)
                .with_draws(&mut slot.draws)
                .with_local(local);
            f(&mut slot.proto, &mut ctx);
        }
        if !self.nodes[usize::from(id) - 1].draws.made.is_empty() {
            self.drawn(id, &effects);
        }
        self.record_role_change(id);
        // Set by `Persist`: sends after it wait for the write (none with an instant disk).
        let mut durable_at: Option<Micros> = None;
        for effect in effects.drain(..) {
            match effect {
                Effect::Send { to, msg } => match durable_at {
                    Some(at) => self.slot(id).held.push(Held { at, to, msg }),
                    None => self.send(id, to, msg),
                },
                Effect::Persist => {
                    if let Some(at) = self.disk_write(id) {
                        durable_at = Some(at);
                        self.push(at, EventKind::Durable { node: id });
                    }
                }
                Effect::SetTimer { timer, after } => {
                    let now = self.now;
                    let slot = self.slot(id);
                    slot.timer_generation += 1;
                    let generation = slot.timer_generation;
                    // `after` is measured on the node's clock.
                    let deadline = now.saturating_add(slot.clock.true_duration(after));
                    let local_deadline = slot.timing_clock().local(now).saturating_add(after);
                    slot.timers
                        .insert(timer, TimerSlot { generation, deadline, armed_at: now, local_deadline });
                    self.push(deadline, EventKind::Timer { node: id, timer, generation });
                }
                Effect::CancelTimer { timer } => {
                    self.slot(id).timers.remove(&timer);
                }
                Effect::Note(text) => self.record(TraceKind::Note { node: id, text }),
            }
        }
        self.effects = effects;
        self.check(id);
    }

    /// Narrates the chosen draws of `id`'s last handler (naming the timer armed with the
    /// value, if one was) and hands every draw to the search's log.
    fn drawn(&mut self, id: NodeId, effects: &[Effect<P::Msg, P::Timer>]) {
        let made = std::mem::take(&mut self.slot(id).draws.made);
        for d in &made {
            if let (Some(end), true) = (d.chosen, self.tracing) {
                let timer = effects.iter().find_map(|e| match e {
                    Effect::SetTimer { timer, after } if *after == d.value => Some(timer.to_string()),
                    _ => None,
                });
                let text = match timer {
                    Some(t) => format!(
                        "arms its {t} timer for the {} time allowed, {} (chosen)",
                        end.superlative(),
                        fmt_time(d.value)
                    ),
                    None => format!(
                        "draws the {} duration allowed, {} of {}..{} (chosen)",
                        end.superlative(),
                        fmt_time(d.value),
                        fmt_time(d.lo),
                        fmt_time(d.hi)
                    ),
                };
                self.record(TraceKind::Note { node: id, text });
            }
            if let Some(log) = self.draw_log.as_mut() {
                log.push(Draw::Node { node: id, drawn: *d });
            }
        }
    }

    /// Starts a durable write on `id`'s disk; returns when it completes, or `None` for an
    /// instant disk (which draws no random number, so runs without storage are unchanged).
    fn disk_write(&mut self, id: NodeId) -> Option<Micros> {
        let storage = &self.config.storage;
        if storage.is_instant() {
            return None;
        }
        let took = self.storage_rng.range(storage.write_us_min, storage.write_us_max);
        let now = self.now;
        let slot = self.slot(id);
        // One disk per node: a write starts when the previous one is done.
        let at = slot.disk_free_at.max(now).saturating_add(took);
        slot.disk_free_at = at;
        Some(at)
    }

    /// Sends the messages of `id` whose write is durable by now, in the order they were sent.
    fn release_held(&mut self, id: NodeId) {
        let now = self.now;
        let held = std::mem::take(&mut self.slot(id).held);
        let (ready, waiting): (Vec<_>, Vec<_>) = held.into_iter().partition(|h| h.at <= now);
        self.slot(id).held = waiting;
        for h in ready {
            self.send(id, h.to, h.msg);
        }
    }

    /// Records a role change of `id` since its last handler.
    fn record_role_change(&mut self, id: NodeId) {
        let status = self.nodes[usize::from(id) - 1].proto.status();
        let last = self.nodes[usize::from(id) - 1].last_status;
        if status.role != last.role {
            let term_label = P::term_label(&self.proto_config);
            let term = term_label.map(|_| status.term);
            let label = term_label.unwrap_or("");
            self.record(TraceKind::Role { node: id, from: last.role, to: status.role, term, label });
        }
        self.slot(id).last_status = status;
    }

    /// Runs the safety monitor after an event on `id`.
    fn check(&mut self, id: NodeId) {
        let violations = self.monitor.after_event(self.now, id, self.nodes.as_slice());
        for text in violations {
            self.violations += 1;
            self.record(TraceKind::Violation { text });
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        if to == 0 || usize::from(to) > self.nodes.len() || to == from {
            // A protocol bug, not user input: record it loudly instead of panicking.
            self.violations += 1;
            self.record(TraceKind::Violation { text: format!("n{from} sent {msg} to invalid node n{to}") });
            return;
        }
        *self.sent_by_kind.entry(msg.kind()).or_insert(0) += 1;
        let mut copies = if self.net_rng.chance_ppm(self.config.net.duplicate_ppm) { 2 } else { 1 };
        let first_id = self.next_msg_id;
        let duplicated = copies == 2;
        if copies == 1 && self.chose(Choice::Duplicated { msg: first_id }) {
            copies = 2;
            self.chosen_note(
                from,
                format!("sends {} #{first_id} to n{to}, which the network duplicates", msg.kind()),
            );
        }
        let (lo, hi) = (self.config.net.latency_us_min, self.config.net.latency_us_max);
        for copy in 0..copies {
            // The draws are made whatever is chosen: a choice changes no other draw.
            let mut latency = self.net_rng.range(lo, hi);
            let mut lost = self.net_rng.chance_ppm(self.config.net.loss_ppm);
            let cut_at_send = self.links.state(from, to) == LinkState::Cut;
            let id = self.next_msg_id;
            if !self.config.choices.is_empty() {
                (latency, lost) = self.chosen_draws(from, to, &msg, id, (latency, lost));
            }
            if let Some(log) = self.draw_log.as_mut() {
                log.push(Draw::Message {
                    id,
                    from,
                    to,
                    first: copy == 0,
                    duplicated: duplicated || copies == 2,
                    lo,
                    hi,
                    latency,
                    lost,
                    cut: cut_at_send,
                });
            }
            self.next_msg_id += 1;
            let deliver_at = self.now.saturating_add(latency);
            let link = self.links.index(from, to);
            if usize::from(self.in_flight[link]) >= MAX_IN_FLIGHT_PER_LINK {
                let (kind, heartbeat) = (msg.kind(), msg.is_heartbeat());
                let summary = if self.tracing { msg.to_string() } else { String::new() };
                let reason = DropReason::QueueFull;
                self.record(TraceKind::Drop { id, from, to, kind, summary, heartbeat, reason });
                continue;
            }
            self.in_flight[link] += 1;
            if self.tracing {
                self.record(TraceKind::Send {
                    id,
                    from,
                    to,
                    kind: msg.kind(),
                    summary: msg.to_string(),
                    heartbeat: msg.is_heartbeat(),
                    deliver_at,
                });
            }
            let slot = self.wire.insert(InFlight {
                id,
                from,
                to,
                msg: msg.clone(),
                sent_at: self.now,
                deliver_at,
                lost,
                cut_at_send,
            });
            self.push(deliver_at, EventKind::Deliver { slot });
        }
    }

    /// Whether `choice` is among the choices.
    fn chose(&self, choice: Choice) -> bool {
        !self.config.choices.is_empty() && self.config.choices.contains(&choice)
    }

    /// A narration line about a chosen draw on `node`, when tracing.
    fn chosen_note(&mut self, node: NodeId, text: String) {
        if self.tracing {
            self.record(TraceKind::Note { node, text: format!("{text} (chosen)") });
        }
    }

    /// Message `id`'s latency and loss after the choices about it.
    fn chosen_draws(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: &P::Msg,
        id: u64,
        (mut latency, mut lost): (Micros, bool),
    ) -> (Micros, bool) {
        let (lo, hi) = (self.config.net.latency_us_min, self.config.net.latency_us_max);
        let about: Vec<Choice> =
            self.config.choices.iter().filter(|c| c.message() == Some(id)).copied().collect();
        for c in about {
            let what = match c {
                Choice::Latency { end, .. } => {
                    latency = end.pick(lo, hi);
                    format!(" with the {} latency allowed, {}", end.superlative(), fmt_time(latency))
                }
                Choice::Lost { .. } => {
                    lost = true;
                    ", which the network loses".to_string()
                }
                Choice::Kept { .. } => {
                    lost = false;
                    ", which the network does not lose".to_string()
                }
                Choice::Duplicated { .. } | Choice::Draw { .. } => continue,
            };
            self.chosen_note(from, format!("sends {} #{id} to n{to}{what}", msg.kind()));
        }
        (latency, lost)
    }

    /// Fixes a draw still to come (the search's choices at a decision point); an error if the
    /// draw was already made or the choice contradicts one made before.
    pub fn choose(&mut self, choice: Choice) -> Result<(), Error> {
        choice.validate(self.nodes.len())?;
        let past = match choice {
            Choice::Draw { node, draw, .. } => draw <= self.nodes[usize::from(node) - 1].draws.count,
            _ => choice.message().is_some_and(|m| m < self.next_msg_id),
        };
        if past {
            return Err(Error::Invalid {
                what: "choice",
                reason: format!("'{choice}' is about a draw already made"),
            });
        }
        let mut all = self.config.choices.clone();
        all.push(choice);
        validate_choices(&all, self.nodes.len())?;
        self.config.choices = all;
        if let Choice::Draw { node, draw, end } = choice {
            self.slot(node).draws.chosen.push((draw, end));
        }
        Ok(())
    }

    /// The id the next message sent will have.
    pub fn next_message_id(&self) -> u64 {
        self.next_msg_id
    }

    /// How many random durations node `id` has drawn.
    pub fn draws_made(&self, id: NodeId) -> u64 {
        self.nodes.get(usize::from(id).wrapping_sub(1)).map_or(0, |s| s.draws.count)
    }

    /// Starts (or stops) recording every draw for [`Simulation::take_draws`].
    pub fn log_draws(&mut self, on: bool) {
        self.draw_log = on.then(Vec::new);
        for slot in &mut self.nodes {
            slot.draws.log = on;
            slot.draws.made.clear();
        }
    }

    /// The draws recorded since logging started or they were last taken.
    pub fn take_draws(&mut self) -> Vec<Draw> {
        self.draw_log.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn resume(&mut self, id: NodeId) {
        let slot = self.slot(id);
        if !matches!(slot.state, NodeState::Paused { .. }) {
            return;
        }
        slot.state = NodeState::Up;
        let stalled = std::mem::take(&mut slot.stalled);
        // Everything that queued up during the stall runs now, in its original order.
        let now = self.now;
        for ev in stalled {
            self.push(now, ev.kind);
        }
    }

    /// Applies a user input at the current time.
    pub fn apply(&mut self, input: &Input) -> Result<(), Error> {
        self.validate_input(input)?;
        self.steps += 1;
        self.record(TraceKind::Input { input: input.clone() });
        match input {
            Input::Crash { node } => {
                let id = *node;
                let slot = self.slot(id);
                if slot.is_alive() {
                    slot.state = NodeState::Down;
                    slot.timers.clear();
                    slot.stalled.clear();
                    // Messages waiting for a write never leave; the write itself is lost
                    // with the process (its state change survives in `on_crash`'s model,
                    // which is safe because nobody heard of it).
                    slot.held.clear();
                    slot.disk_free_at = 0;
                    slot.proto.on_crash();
                    self.record_role_change(id);
                    self.check(id);
                }
            }
            Input::Restart { node } => {
                let id = *node;
                if self.slot(id).state == NodeState::Down {
                    self.slot(id).state = NodeState::Up;
                    self.run_handler(id, |p, ctx| p.on_start(ctx));
                }
            }
            Input::Pause { node, for_us } => {
                let id = *node;
                let now = self.now;
                let slot = self.slot(id);
                if slot.is_alive() {
                    slot.pause_generation += 1;
                    let generation = slot.pause_generation;
                    let until = for_us.map(|d| now.saturating_add(d));
                    slot.state = NodeState::Paused { until };
                    if let Some(t) = until {
                        self.push(t, EventKind::Resume { node: id, generation });
                    }
                }
            }
            Input::Resume { node } => self.resume(*node),
            Input::Cut { from, to, both } => {
                self.links.set_cut(*from, *to, true);
                if *both {
                    self.links.set_cut(*to, *from, true);
                }
            }
            Input::Heal { from, to, both } => {
                self.links.set_cut(*from, *to, false);
                if *both {
                    self.links.set_cut(*to, *from, false);
                }
            }
            Input::Isolate { node } => {
                for &p in &self.peers.clone() {
                    if p != *node {
                        self.links.set_cut(*node, p, true);
                        self.links.set_cut(p, *node, true);
                    }
                }
            }
            Input::Partition { groups } => self.links.partition(groups),
            Input::HealAll => self.links.heal_all(),
            Input::Request { node, request } => {
                let id = *node;
                if self.slot(id).is_up() {
                    let request = request.clone();
                    self.run_handler(id, |p, ctx| p.on_request(ctx, request));
                } else {
                    self.record(TraceKind::Note {
                        node: id,
                        text: format!("is not running: request '{request}' is lost"),
                    });
                }
            }
            Input::Network { net } => self.config.net = net.clone(),
            Input::ClockJump { node, by_us } => self.jump_clock(*node, *by_us),
        }
        Ok(())
    }

    /// Moves node `id`'s clock by `by_us` and its armed timers with it: each fires when the
    /// clock reaches its deadline, at once for the deadlines a forward jump passes.
    fn jump_clock(&mut self, id: NodeId, by_us: i64) {
        let now = self.now;
        let slot = self.slot(id);
        slot.clock.offset_us = slot.clock.offset_us.saturating_add(by_us);
        let local = slot.clock.local(now);
        if slot.proto.monotonic_clock() {
            self.record(TraceKind::Note {
                node: id,
                text: format!(
                    "its clock now reads {}; its timers and leases run on a monotonic clock, which does not jump",
                    fmt_time(local)
                ),
            });
            return;
        }
        let clock = slot.clock;
        let mut rescheduled = Vec::new();
        for (timer, t) in slot.timers.iter_mut() {
            slot.timer_generation += 1;
            t.generation = slot.timer_generation;
            t.deadline = now.saturating_add(clock.true_duration(t.local_deadline.saturating_sub(local)));
            rescheduled.push((*timer, t.deadline, t.generation));
        }
        for (timer, deadline, generation) in rescheduled {
            self.push(deadline, EventKind::Timer { node: id, timer, generation });
        }
        self.record(TraceKind::Note { node: id, text: format!("its clock now reads {}", fmt_time(local)) });
    }

    /// Checks an input against this cluster without applying it.
    pub fn validate_input(&self, input: &Input) -> Result<(), Error> {
        input.validate(self.nodes.len())
    }

    /// The state of the directed link `from -> to`.
    pub fn link_state(&self, from: NodeId, to: NodeId) -> LinkState {
        self.links.state(from, to)
    }

    /// True when some link is cut.
    pub fn any_link_cut(&self) -> bool {
        self.peers.iter().any(|&a| self.peers.iter().any(|&b| self.links.state(a, b) == LinkState::Cut))
    }

    /// A fingerprint of the state that decides what happens next: every node's protocol state
    /// and liveness, its armed timers (with the time left), the events it stalled while paused,
    /// the messages in flight (with the time left, whether lost or cut), the links and the
    /// network settings, and the positions of the random streams (which decide future
    /// latencies and timeouts). Left out: the monitor (bookkeeping of what was already seen),
    /// sequence numbers, message ids and counters. Two simulations at the same time with equal
    /// fingerprints have the same future, up to message ids in the trace.
    pub fn fingerprint(&self) -> u64 {
        use std::fmt::Write as _;
        let mut h = FnvWriter::new();
        let now = self.now;
        let _ = write!(h, "{now}|{:?}|{:?}|{:?}|", self.config.net, self.links, self.net_rng);
        for slot in &self.nodes {
            let _ = write!(h, "{:?}|{:?}|{:?}|", slot.state, slot.proto, slot.rng);
            // A clock that reads true time adds nothing: fingerprints without clocks stay.
            if !slot.clock.is_perfect() {
                let _ = write!(h, "c{}|", slot.clock.local(now).wrapping_sub(now));
            }
            for (timer, t) in slot.timers.iter() {
                let _ = write!(h, "{timer:?}@{}|", t.deadline.saturating_sub(now));
            }
            for ev in &slot.stalled {
                match &ev.kind {
                    EventKind::Deliver { slot: w } => {
                        if let Some(m) = self.wire.get(*w) {
                            let _ = write!(h, "s{}>{}:{:?}|", m.from, m.to, m.msg);
                        }
                    }
                    EventKind::Timer { timer, .. } => {
                        let _ = write!(h, "st{timer:?}|");
                    }
                    EventKind::Resume { .. } => h.write("sr|"),
                    EventKind::Durable { .. } => h.write("sd|"),
                }
            }
            // Messages waiting for a durable write, with the time left until it completes.
            let _ = write!(h, "d{}|", slot.disk_free_at.saturating_sub(now));
            for held in &slot.held {
                let _ = write!(h, "h{}>{}:{:?}|", held.at.saturating_sub(now), held.to, held.msg);
            }
        }
        // Messages in flight in any order: their slots depend on history, not on state.
        let mut wire = 0u64;
        for m in self.wire.in_flight() {
            let mut mh = FnvWriter::new();
            let _ = write!(
                mh,
                "{}>{}@{}{}{}:{:?}",
                m.from,
                m.to,
                m.deliver_at.saturating_sub(now),
                u8::from(m.lost),
                u8::from(m.cut_at_send),
                m.msg
            );
            wire = wire.wrapping_add(mh.finish());
        }
        let _ = write!(h, "w{wire}");
        h.finish()
    }

    /// A snapshot of the cluster for drawing.
    pub fn view(&self) -> ClusterView {
        let nodes = self
            .nodes
            .iter()
            .map(|slot| {
                let status = slot.proto.status();
                let watched = slot.proto.watched_timer().and_then(|t| slot.timers.get(&t));
                let (log, commit) = slot.proto.log_view();
                let mut view = NodeView {
                    id: slot.id,
                    liveness: match slot.state {
                        NodeState::Up => Liveness::Up,
                        NodeState::Down => Liveness::Down,
                        NodeState::Paused { .. } => Liveness::Paused,
                    },
                    role: status.role,
                    term: status.term,
                    voted_for: None,
                    leader: status.leader,
                    votes: Vec::new(),
                    timer_deadline: watched.map(|t| t.deadline),
                    timer_armed_at: watched.map(|t| t.armed_at),
                    paused_until: match slot.state {
                        NodeState::Paused { until } => until,
                        _ => None,
                    },
                    log,
                    commit,
                    details: Vec::new(),
                    tag: String::new(),
                    summary: slot.proto.summary(),
                    clock: (!slot.clock.is_perfect()).then(|| ClockView {
                        local: slot.clock.local(self.now),
                        rate_ppm: slot.clock.rate_ppm,
                        offset_us: slot.clock.offset_us,
                    }),
                };
                slot.proto.describe(&mut view);
                // The inspector's row for a clock that does not read true time.
                if let Some(c) = view.clock {
                    view.details.push((
                        "clock".into(),
                        format!(
                            "reads {} at true time {} (rate {}{} ppm, jumps {}){}",
                            fmt_time(c.local),
                            fmt_time(self.now),
                            if c.rate_ppm < 0 { '-' } else { '+' },
                            u64::from(c.rate_ppm.unsigned_abs()),
                            fmt_jump(c.offset_us),
                            if slot.proto.monotonic_clock() && c.offset_us != 0 {
                                "; its timers run on a monotonic clock and ignore the jumps"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
                view
            })
            .collect();
        // Per directed link (index from * (n + 1) + to): messages described, and only counted.
        let n = self.nodes.len();
        let mut per_link = vec![(0usize, 0usize); (n + 1) * (n + 1)];
        let mut messages: Vec<MessageView> = Vec::new();
        for m in self.wire.in_flight() {
            let Some(slot) = per_link.get_mut(usize::from(m.from) * (n + 1) + usize::from(m.to)) else {
                continue;
            };
            let duplicate =
                || messages.iter().any(|v| (v.id, v.to, v.deliver_at) == (m.id, m.to, m.deliver_at));
            if messages.len() >= MAX_VIEW_MESSAGES || slot.0 >= MAX_VIEW_PER_LINK || duplicate() {
                slot.1 += 1;
                continue;
            }
            slot.0 += 1;
            messages.push(MessageView {
                id: m.id,
                from: m.from,
                to: m.to,
                kind: m.msg.kind(),
                summary: m.msg.to_string(),
                heartbeat: m.msg.is_heartbeat(),
                sent_at: m.sent_at,
                deliver_at: m.deliver_at,
                doomed: m.lost
                    || m.cut_at_send
                    || self.links.state(m.from, m.to) == LinkState::Cut
                    || !self.nodes[usize::from(m.to) - 1].is_alive(),
            });
        }
        let more = per_link
            .iter()
            .enumerate()
            .filter(|(_, (_, more))| *more > 0)
            .map(|(i, &(_, more))| ((i / (n + 1)) as NodeId, (i % (n + 1)) as NodeId, more))
            .collect();
        let mut links = Vec::new();
        for &a in &self.peers {
            for &b in &self.peers {
                if a != b && self.links.state(a, b) != LinkState::Healthy {
                    links.push(LinkView { from: a, to: b, state: self.links.state(a, b) });
                }
            }
        }
        ClusterView {
            algorithm: P::name(&self.proto_config),
            term_label: P::term_label(&self.proto_config),
            supports_transfer: P::supports_transfer(&self.proto_config),
            now: self.now,
            nodes,
            messages,
            more,
            links,
            violations: self.violations,
            stable_leader: self.stable_leader(),
            message_counts: self.sent_by_kind.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            panel: P::panel(self.nodes.as_slice()),
        }
    }
}

#[cfg(test)]
mod choice_tests {
    //! Choices fix one draw each and leave every other draw as it was.

    use super::*;
    use crate::algorithms::raft::{Raft, RaftConfig};
    use crate::engine::choice::End;
    use crate::engine::time::ms;

    fn raft(choices: Vec<Choice>) -> Simulation<Raft> {
        let config = SimConfig { choices, ..SimConfig::new(3, 1, NetConfig::default()) };
        Simulation::new(config, RaftConfig::default()).expect("valid")
    }

    /// (id, sent, arrives) of every message sent.
    fn sends(sim: &Simulation<Raft>) -> Vec<(u64, Micros, Micros)> {
        sim.trace()
            .iter()
            .filter_map(|e| match e.kind {
                TraceKind::Send { id, deliver_at, .. } => Some((id, e.t, deliver_at)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_choice_changes_its_draw_and_no_other() {
        let mut plain = raft(Vec::new());
        plain.run_until(ms(400));
        let mut chosen = raft(vec![Choice::Latency { msg: 1, end: End::Max }]);
        chosen.run_until(ms(400));
        let (a, b) = (sends(&plain), sends(&chosen));
        assert_eq!(b[0].2 - b[0].1, ms(15), "message #1 takes the longest latency");
        assert_ne!(a[0], b[0]);
        assert_eq!(a[1], b[1], "message #2 draws what it drew without the choice");
    }

    #[test]
    fn a_timer_draw_takes_an_end_of_its_range_and_says_so() {
        // Node 2's first draw is its election timeout at start (Raft §5.2: 150..300 ms here).
        let sim = raft(vec![Choice::Draw { node: 2, draw: 1, end: End::Min }]);
        assert_eq!(sim.timer_deadline(2, crate::algorithms::raft::RaftTimer::Election), Some(ms(150)));
        assert!(
            sim.trace().iter().any(|e| e.to_string().contains("arms its election timer for the shortest"))
        );
    }

    #[test]
    fn a_choice_about_a_draw_already_made_is_refused() {
        let mut sim = raft(Vec::new());
        sim.run_until(ms(400));
        let next = sim.next_message_id();
        assert!(sim.choose(Choice::Lost { msg: next - 1 }).unwrap_err().to_string().contains("already made"));
        assert!(sim.choose(Choice::Draw { node: 1, draw: 1, end: End::Max }).is_err());
        sim.choose(Choice::Lost { msg: next }).expect("a draw to come");
        assert!(sim.choose(Choice::Kept { msg: next }).unwrap_err().to_string().contains("same draw"));
    }
}

#[cfg(test)]
mod storage_tests {
    //! Durable writes (`Ctx::persist`), run on Raft, which persists where LogCabin does.

    use super::*;
    use crate::algorithms::raft::{Raft, RaftConfig};
    use crate::engine::input::Request;
    use crate::engine::time::ms;

    /// Three Raft servers, 100 us one way, every durable write taking `disk` us.
    fn cluster(disk: Micros) -> Simulation<Raft> {
        let net = NetConfig { latency_us_min: 100, latency_us_max: 100, ..NetConfig::default() };
        let mut config = SimConfig::new(3, 1, net);
        config.storage = StorageConfig::new(disk, disk);
        Simulation::new(config, RaftConfig::default()).expect("valid")
    }

    /// When messages of `kind` were sent, with the sender's term in the summary.
    fn sent(sim: &Simulation<Raft>, kind: &str) -> Vec<(Micros, NodeId, String)> {
        sim.trace()
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Send { kind: k, from, summary, .. } if *k == kind => {
                    Some((e.t, *from, summary.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn campaign(sim: &mut Simulation<Raft>, node: NodeId) {
        sim.apply(&Input::Request { node, request: Request::Timeout }).expect("valid");
    }

    #[test]
    fn sends_after_a_write_leave_when_it_is_durable() {
        // Candidate: writes term and vote (2 ms), then asks; voter: writes its vote (2 ms),
        // then replies (LogCabin `startNewElection` and `handleRequestVote`).
        let mut sim = cluster(2_000);
        campaign(&mut sim, 1);
        sim.run_until(ms(10));
        let asks = sent(&sim, "RequestVote");
        assert_eq!(asks.iter().map(|a| a.0).collect::<Vec<_>>(), vec![2_000, 2_000], "{asks:?}");
        let votes = sent(&sim, "Vote");
        assert!(votes.iter().all(|v| v.0 == 2_000 + 100 + 2_000), "{votes:?}");
        assert_eq!(sim.stable_leader(), Some(1));
    }

    #[test]
    fn an_instant_disk_delays_nothing() {
        let mut sim = cluster(0);
        campaign(&mut sim, 1);
        assert_eq!(sent(&sim, "RequestVote").len(), 2, "sent within the handler, at once");
        sim.run_until(ms(1));
        assert!(sent(&sim, "Vote").iter().all(|v| v.0 == 100));
        assert_eq!(sim.stable_leader(), Some(1));
    }

    #[test]
    fn a_crash_before_the_write_completes_sends_nothing() {
        let mut sim = cluster(2_000);
        campaign(&mut sim, 1);
        sim.run_until(1_000);
        sim.apply(&Input::Crash { node: 1 }).expect("valid");
        sim.run_until(ms(10));
        assert!(sent(&sim, "RequestVote").is_empty());
    }

    #[test]
    fn one_disk_completes_writes_in_order() {
        // A second campaign 0.5 ms into the first write waits for it: 2 ms + 2 ms.
        let mut sim = cluster(2_000);
        campaign(&mut sim, 1);
        sim.run_until(500);
        campaign(&mut sim, 1);
        sim.run_until(ms(10));
        let asks: Vec<(Micros, String)> =
            sent(&sim, "RequestVote").into_iter().filter(|a| a.1 == 1).map(|a| (a.0, a.2)).collect();
        assert_eq!(asks.len(), 4, "{asks:?}");
        assert!(asks[..2].iter().all(|a| a.0 == 2_000 && a.1.contains("term=1")), "{asks:?}");
        assert!(asks[2..].iter().all(|a| a.0 == 4_000 && a.1.contains("term=2")), "{asks:?}");
    }

    #[test]
    fn a_paused_node_sends_what_it_wrote_when_it_resumes() {
        let mut sim = cluster(2_000);
        campaign(&mut sim, 1);
        sim.apply(&Input::Pause { node: 1, for_us: Some(ms(5)) }).expect("valid");
        sim.run_until(ms(10));
        assert!(sent(&sim, "RequestVote").iter().all(|a| a.0 == ms(5)));
    }
}

#[cfg(test)]
mod clock_tests {
    //! Local clocks (`engine::clock`): timers run on them, jumps move the timers with them.

    use super::*;
    use crate::algorithms::raft::{Raft, RaftConfig, RaftTimer};
    use crate::algorithms::redis::{Redis, RedisConfig, RedisTimer};
    use crate::engine::time::ms;

    fn cluster(drift_ppm: u32) -> Simulation<Raft> {
        let config =
            SimConfig { clocks: ClockConfig { drift_ppm }, ..SimConfig::new(3, 1, NetConfig::default()) };
        Simulation::new(config, RaftConfig::default()).expect("valid")
    }

    #[test]
    fn perfect_clocks_draw_nothing_and_drifting_ones_stay_within_their_bound() {
        let perfect = cluster(0);
        assert!(perfect.nodes().iter().all(|n| n.clock.is_perfect()));
        assert!(perfect.view().nodes.iter().all(|n| n.clock.is_none()));
        let drifting = cluster(50_000);
        let rates: Vec<i32> = drifting.nodes().iter().map(|n| n.clock.rate_ppm).collect();
        assert!(rates.iter().all(|r| r.abs() <= 50_000), "{rates:?}");
        assert!(rates.iter().any(|&r| r != 0));
        // Rates come from their own stream: every node's first draw (its election timeout,
        // in local time) is the one it makes with perfect clocks.
        for i in 0..3 {
            let local = |s: &Simulation<Raft>| {
                let slot = &s.nodes()[i];
                slot.timers.get(&RaftTimer::Election).map(|t| t.local_deadline)
            };
            assert_eq!(local(&perfect), local(&drifting));
        }
    }

    #[test]
    fn a_timer_fires_when_its_node_s_clock_reaches_the_deadline() {
        let mut sim = cluster(0);
        sim.nodes[0].clock.rate_ppm = 100_000; // 10 % fast
        let deadline = sim.timer_deadline(1, RaftTimer::Election).unwrap();
        sim.apply(&Input::Request { node: 1, request: crate::engine::input::Request::Timeout }).unwrap();
        // Re-armed at 0 on the fast clock: a local timeout T takes T / 1.1 of true time.
        let local = sim.nodes[0].timers.get(&RaftTimer::Election).unwrap().local_deadline;
        let fast = sim.timer_deadline(1, RaftTimer::Election).unwrap();
        assert_eq!(fast, (local * 1_000_000).div_ceil(1_100_000));
        assert!(deadline > 0);
    }

    /// Redis: n1 the instance, n2 storage, n3 a client; its key expiry reads the wall clock.
    fn redis() -> Simulation<Redis> {
        let config = SimConfig::new(3, 1, NetConfig::default());
        Simulation::new(config, RedisConfig::default()).expect("valid")
    }

    #[test]
    fn a_forward_jump_fires_the_timers_it_passes_at_once_and_the_trace_says_so() {
        let mut sim = redis();
        let deadline = sim.timer_deadline(3, RedisTimer::Job).unwrap();
        sim.apply(&Input::ClockJump { node: 3, by_us: ms(1_000) as i64 }).unwrap();
        assert_eq!(sim.timer_deadline(3, RedisTimer::Job), Some(0), "was {deadline}");
        assert_eq!(sim.view().nodes[2].clock.map(|c| c.local), Some(ms(1_000)));
        // The inspector's row: local time against true time.
        let details = sim.view().nodes[2].details.clone();
        assert!(
            details
                .iter()
                .any(|(k, v)| k == "clock"
                    && v == "reads 1000ms at true time 0ms (rate +0 ppm, jumps +1000ms)"),
            "{details:?}"
        );
        assert!(sim.trace().iter().any(|e| e.to_string().ends_with("n3: its clock now reads 1000ms")));
        // Back: the timer waits for the clock to come round again.
        let mut back = redis();
        back.run_until(ms(120));
        back.apply(&Input::ClockJump { node: 3, by_us: -(ms(100) as i64) }).unwrap();
        assert_eq!(back.timer_deadline(3, RedisTimer::Job), Some(deadline + ms(100)));
    }

    #[test]
    fn a_jump_moves_no_timer_of_an_algorithm_on_a_monotonic_clock() {
        // Raft times with a steady clock (LogCabin's SteadyClock): the wall clock jumps, its
        // timers do not.
        let mut sim = cluster(0);
        let deadline = sim.timer_deadline(2, RaftTimer::Election).unwrap();
        sim.apply(&Input::ClockJump { node: 2, by_us: ms(1_000) as i64 }).unwrap();
        assert_eq!(sim.timer_deadline(2, RaftTimer::Election), Some(deadline));
        assert_eq!(sim.view().nodes[1].clock.map(|c| c.local), Some(ms(1_000)));
        assert!(
            sim.trace()
                .iter()
                .any(|e| e.to_string().contains("run on a monotonic clock, which does not jump"))
        );
        let details = sim.view().nodes[1].details.clone();
        assert!(details.iter().any(|(k, v)| k == "clock" && v.ends_with("ignore the jumps")), "{details:?}");
        sim.run_until(ms(2_000));
        assert!(sim.view().nodes.iter().any(|n| n.role.is_leader()));
    }
}
