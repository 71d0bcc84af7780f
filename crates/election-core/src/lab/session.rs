//! Sessions: `config + seed + timed input log`, with time travel.
//!
//! Determinism makes time travel cheap: the state at any time is a pure function of the
//! configuration, the seed and the inputs given before that time. A session keeps clones of
//! the simulation every few hundred steps (checkpoints); seeking restores the nearest earlier
//! checkpoint and replays. Acting at a past time truncates the recorded future and forks it.
//!
//! The rule that makes replays identical to live runs: an input at time `t` is applied after
//! every event with time `<= t` and before any event with time `> t`.

use serde::Serialize;

use crate::engine::error::Error;
use crate::engine::input::{Input, TimedInput};
use crate::engine::limits::{Budget, MAX_TIME_US, check_inputs, check_time};
use crate::engine::net::NetConfig;
use crate::engine::protocol::Protocol;
use crate::engine::sim::{NodeSlot, SimConfig, Simulation};
use crate::engine::time::{Micros, NodeId};
use crate::engine::trace::{EMPTY_TRACE_HASH, TraceEvent, TraceKind, extend_hash};
use crate::engine::view::{ClusterView, Panel};

/// What a timeline marker marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    /// A node became leader.
    Leader,
    /// A user input (fault, heal, request).
    Input,
    /// An invariant violation.
    Violation,
}

/// A notable moment of the recorded run, for the scrubber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marker {
    /// When.
    pub t: Micros,
    /// Position in the recorded trace.
    pub index: usize,
    /// What.
    pub kind: MarkerKind,
    /// One-line description.
    pub label: String,
}

fn marker_for(e: &TraceEvent, index: usize) -> Option<Marker> {
    let (kind, label) = match &e.kind {
        TraceKind::Role { node, to, .. } if to.is_leader() => {
            (MarkerKind::Leader, format!("n{node} becomes leader"))
        }
        TraceKind::Input { input } => (MarkerKind::Input, input.to_string()),
        TraceKind::Violation { text } => (MarkerKind::Violation, text.clone()),
        _ => return None,
    };
    Some(Marker { t: e.t, index, kind, label })
}

#[derive(Debug, Clone)]
struct Checkpoint<P: Protocol> {
    sim: Simulation<P>,
    applied: usize,
    trace_len: usize,
    /// Hash of the first `trace_len` events.
    hash: u64,
}

/// Trace events a session keeps in memory (older ones are dropped; hashes stay exact).
pub const MAX_TRACE_EVENTS: usize = 200_000;
/// Timeline markers kept at most (beyond it the oldest half is dropped).
pub const MAX_MARKERS: usize = 20_000;

/// Default number of steps between checkpoints.
pub const CHECKPOINT_EVERY: u64 = 512;
/// Checkpoints kept at most; beyond this, every other checkpoint is dropped and the interval doubles.
pub const MAX_CHECKPOINTS: usize = 512;

/// A replayable run of one algorithm: configuration, seed, timed inputs, and a cursor.
#[derive(Debug, Clone)]
pub struct Session<P: Protocol> {
    inputs: Vec<TimedInput>,
    sim: Simulation<P>,
    applied: usize,
    /// The retained recorded events: absolute events `trace_base..` of this branch.
    trace: Vec<TraceEvent>,
    /// Absolute index of `trace[0]` (older events were dropped to bound memory).
    trace_base: usize,
    /// Retained events at most; beyond it the oldest half is dropped.
    trace_limit: usize,
    /// Number of events recorded on this branch (retained or not).
    recorded_len: usize,
    /// Hash of the first `cursor_trace_len` events: extended event by event, restored from
    /// checkpoints, so it is exact at any cursor without keeping a hash per event.
    cursor_hash: u64,
    markers: Vec<Marker>,
    /// Bumped whenever `markers` changes, so a user interface can tell without comparing.
    markers_version: u64,
    cursor_trace_len: usize,
    checkpoints: Vec<Checkpoint<P>>,
    checkpoint_every: u64,
    horizon: Micros,
}

impl<P: Protocol> Session<P> {
    /// A session that will apply `inputs` (sorted by time) as time passes. The cursor is at 0.
    pub fn start(config: SimConfig, proto_config: P::Config, inputs: Vec<TimedInput>) -> Result<Self, Error> {
        let mut sim = Simulation::new(config, proto_config)?;
        check_inputs(inputs.len())?;
        for (i, ti) in inputs.iter().enumerate() {
            sim.validate_input(&ti.input)?;
            check_time(&format!("input {} ({})", i + 1, ti.input), ti.at)?;
            if i > 0 && inputs[i - 1].at > ti.at {
                return Err(Error::Invalid {
                    what: "inputs",
                    reason: format!("input {} ({}) is earlier than the one before it", i + 1, ti.input),
                });
            }
        }
        let trace = sim.take_trace();
        let cursor_trace_len = trace.len();
        let hash = trace.iter().fold(EMPTY_TRACE_HASH, extend_hash);
        let checkpoints =
            vec![Checkpoint { sim: sim.clone(), applied: 0, trace_len: cursor_trace_len, hash }];
        Ok(Session {
            inputs,
            sim,
            applied: 0,
            markers: trace.iter().enumerate().filter_map(|(i, e)| marker_for(e, i)).collect(),
            markers_version: 0,
            trace,
            trace_base: 0,
            trace_limit: MAX_TRACE_EVENTS,
            recorded_len: cursor_trace_len,
            cursor_hash: hash,
            cursor_trace_len,
            checkpoints,
            checkpoint_every: CHECKPOINT_EVERY,
            horizon: 0,
        })
    }

    /// The algorithm's table at the cursor (the view's `panel`, without building the rest of
    /// the view).
    pub fn panel(&self) -> Option<Panel> {
        P::panel(self.sim.nodes())
    }

    /// Steps (events and inputs) processed up to the cursor.
    pub fn steps(&self) -> u64 {
        self.sim.steps()
    }

    /// Cluster size.
    pub fn nodes(&self) -> usize {
        self.sim.config().nodes
    }

    /// The network settings in force at the cursor.
    pub fn current_net(&self) -> NetConfig {
        self.sim.config().net.clone()
    }

    /// The leader a majority follows right now.
    pub fn stable_leader(&self) -> Option<NodeId> {
        self.sim.stable_leader()
    }

    /// How many live nodes believe they lead right now.
    pub fn believed_leaders(&self) -> usize {
        self.sim.believed_leaders()
    }

    /// Invariant violations up to the cursor.
    pub fn violations(&self) -> usize {
        self.sim.violations()
    }

    /// The simulation at the cursor.
    pub fn sim(&self) -> &Simulation<P> {
        &self.sim
    }

    /// The cursor's time.
    pub fn now(&self) -> Micros {
        self.sim.now()
    }

    /// The furthest time simulated on this branch.
    pub fn horizon(&self) -> Micros {
        self.horizon
    }

    /// The network settings the session started with (inputs may change them later).
    pub fn initial_net(&self) -> NetConfig {
        self.checkpoints[0].sim.config().net.clone()
    }

    /// The timed inputs of this branch.
    pub fn inputs(&self) -> &[TimedInput] {
        &self.inputs
    }

    /// The retained trace up to the cursor (the oldest events of a long run are dropped, see
    /// [`MAX_TRACE_EVENTS`]).
    pub fn trace(&self) -> &[TraceEvent] {
        let end = self.cursor_trace_len.saturating_sub(self.trace_base).min(self.trace.len());
        &self.trace[..end]
    }

    /// Sets how many trace events are kept in memory (at least 1,000).
    pub fn set_trace_limit(&mut self, events: usize) {
        self.trace_limit = events.max(1_000);
    }

    /// Leader changes, inputs and violations of the recorded branch, in order.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Changes whenever [`Session::markers`] changes (equal versions: equal markers).
    pub fn markers_version(&self) -> u64 {
        self.markers_version
    }

    /// The trace recorded on this branch, up to the horizon.
    pub fn recorded_trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// Stable hash of the trace up to the cursor (equal to [`crate::trace_hash`] of [`Session::trace`]).
    pub fn trace_hash(&self) -> u64 {
        self.cursor_hash
    }

    /// A view of the cluster at the cursor.
    pub fn view(&self) -> ClusterView {
        self.sim.view()
    }

    /// Test support: corrupts node state directly (no input can do this) to prove that the
    /// invariant checker reports violations.
    #[doc(hidden)]
    pub fn corrupt_for_test(&mut self, f: impl FnOnce(&mut [NodeSlot<P>])) {
        self.sim.corrupt_for_test(f);
        self.absorb_trace();
    }

    /// Sets the checkpoint interval in steps (at least 1). Existing checkpoints stay.
    pub fn set_checkpoint_every(&mut self, steps: u64) {
        self.checkpoint_every = steps.max(1);
    }

    /// Steps between checkpoints now: the most a seek within the recorded history replays.
    pub fn checkpoint_every(&self) -> u64 {
        self.checkpoint_every
    }

    fn absorb_trace(&mut self) {
        let events = self.sim.take_trace();
        for e in events {
            self.cursor_hash = extend_hash(self.cursor_hash, &e);
            if self.cursor_trace_len < self.recorded_len {
                // Replaying recorded history: determinism says it is the same event.
                if self.cursor_trace_len >= self.trace_base {
                    debug_assert_eq!(
                        self.trace[self.cursor_trace_len - self.trace_base],
                        e,
                        "replay diverged"
                    );
                }
            } else {
                if let Some(m) = marker_for(&e, self.recorded_len) {
                    self.markers.push(m);
                    self.markers_version += 1;
                    if self.markers.len() > MAX_MARKERS {
                        self.markers.drain(..MAX_MARKERS / 2);
                    }
                }
                self.recorded_len += 1;
                self.trace.push(e);
                if self.trace.len() > self.trace_limit {
                    // Bound memory: drop the oldest half of the retained events.
                    let k = self.trace.len() / 2;
                    self.trace.drain(..k);
                    self.trace_base += k;
                }
            }
            self.cursor_trace_len += 1;
        }
        self.horizon = self.horizon.max(self.sim.now());
    }

    fn maybe_checkpoint(&mut self) {
        let steps = self.sim.steps();
        if steps % self.checkpoint_every != 0 {
            return;
        }
        let last = self.checkpoints.last().map_or(0, |c| c.sim.steps());
        // A checkpoint copies every pending event: in a message storm, space them at least
        // that many steps apart, so that copying stays a constant cost per step.
        if steps <= last || steps - last < self.sim.pending_events() as u64 {
            return;
        }
        self.checkpoints.push(Checkpoint {
            sim: self.sim.clone(),
            applied: self.applied,
            trace_len: self.cursor_trace_len,
            hash: self.cursor_hash,
        });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep every other checkpoint and space new ones twice as far apart: memory stays
            // bounded and checkpoints stay evenly spread over the whole run, so a seek anywhere
            // replays at most `checkpoint_every` steps.
            let mut i = 0;
            self.checkpoints.retain(|_| {
                let keep = i % 2 == 0;
                i += 1;
                keep
            });
            self.checkpoint_every = self.checkpoint_every.saturating_mul(2);
        }
    }

    /// One step: the next input if it is due before the next event, else the next event.
    /// Returns false when nothing is left to do (no events, no inputs).
    fn step_once(&mut self) -> bool {
        let next_event = self.sim.next_event_time();
        let next_input = self.inputs.get(self.applied).map(|i| i.at);
        let input_first = match (next_input, next_event) {
            (Some(i), Some(e)) => i < e,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return false,
        };
        if input_first {
            let ti = self.inputs[self.applied].clone();
            self.sim.run_until(ti.at);
            // Inputs were validated when they entered the session.
            let _ = self.sim.apply(&ti.input);
            self.applied += 1;
        } else {
            self.sim.step();
        }
        self.absorb_trace();
        self.maybe_checkpoint();
        true
    }

    /// Moves the cursor forward to `t` (at most [`MAX_TIME_US`]): every event with time `<= t`
    /// and every input with time `<= t` is processed. Does nothing if the cursor is already
    /// past `t`. For trusted callers: untrusted input goes through [`Session::advance_within`].
    pub fn advance_to(&mut self, t: Micros) {
        let _ = self.advance(t.min(MAX_TIME_US), Budget::UNLIMITED);
    }

    /// [`Session::advance_to`] for untrusted input: refuses a time past [`MAX_TIME_US`], and
    /// stops with an error that says how much work was asked once `budget` events have run
    /// (the session stays valid where it stopped).
    pub fn advance_within(&mut self, t: Micros, budget: Budget) -> Result<(), Error> {
        self.advance(check_time("a replay to", t)?, budget)
    }

    fn advance(&mut self, t: Micros, budget: Budget) -> Result<(), Error> {
        let from = self.sim.now();
        let mut spent = 0;
        loop {
            let next_event = self.sim.next_event_time();
            let next_input = self.inputs.get(self.applied).map(|i| i.at);
            let due = next_event.is_some_and(|e| e <= t) || next_input.is_some_and(|i| i <= t);
            if !due {
                break;
            }
            if let Some(e) = budget.stop(spent, from, self.sim.now(), t) {
                return Err(e);
            }
            if !self.step_once() {
                break;
            }
            spent += 1;
        }
        self.sim.run_until(t);
        self.absorb_trace();
        Ok(())
    }

    /// Moves the cursor to time `t`, backwards or forwards.
    pub fn seek(&mut self, t: i64) -> Result<(), Error> {
        if t < 0 {
            return Err(Error::NegativeTime(t));
        }
        let t = check_time("a seek to", t as Micros)?;
        // The latest checkpoint at or before `t`; jump to it when it is behind the cursor (going
        // back) or ahead of it (going forward over recorded history: no need to replay the gap).
        let cp = self.checkpoints.iter().rev().find(|c| c.sim.now() <= t).unwrap_or(&self.checkpoints[0]);
        if t < self.sim.now() || cp.sim.steps() > self.sim.steps() {
            let cp = cp.clone();
            self.restore(cp);
        }
        // Within the recorded history a seek replays at most the checkpoint spacing; past it,
        // it simulates new time, which the replay budget bounds.
        self.advance(t, Budget::REPLAY)
    }

    fn restore(&mut self, cp: Checkpoint<P>) {
        self.sim = cp.sim;
        self.applied = cp.applied;
        self.cursor_trace_len = cp.trace_len;
        self.cursor_hash = cp.hash;
    }

    /// Moves the cursor to just after step `k` (events and inputs count as steps).
    pub fn goto_step(&mut self, k: u64) {
        let cp = self.checkpoints.iter().rev().find(|c| c.sim.steps() <= k).unwrap_or(&self.checkpoints[0]);
        if k < self.sim.steps() || cp.sim.steps() > self.sim.steps() {
            let cp = cp.clone();
            self.restore(cp);
        }
        while self.sim.steps() < k {
            if !self.step_once() {
                break;
            }
        }
    }

    /// Advances event by event until a majority follows a leader other than the one it followed
    /// when this started (a *new* leader), or to `deadline`. Returns the new leader, if any.
    /// The instant at which it stops is finished, so replays apply later inputs identically.
    pub fn advance_until_new_leader(&mut self, deadline: Micros) -> Option<NodeId> {
        self.advance_until_new_leader_within(deadline.min(MAX_TIME_US), Budget::UNLIMITED).ok().flatten()
    }

    /// [`Session::advance_until_new_leader`] for untrusted input, like
    /// [`Session::advance_within`].
    pub fn advance_until_new_leader_within(
        &mut self,
        deadline: Micros,
        budget: Budget,
    ) -> Result<Option<NodeId>, Error> {
        let deadline = check_time("a wait for a new leader until", deadline)?;
        let before = self.sim.stable_leader();
        let from = self.sim.now();
        let mut left = budget.events;
        loop {
            let next_event = self.sim.next_event_time();
            let next_input = self.inputs.get(self.applied).map(|i| i.at);
            let next = match (next_event, next_input) {
                (Some(e), Some(i)) => Some(e.min(i)),
                (e, i) => e.or(i),
            };
            if next.is_none_or(|n| n > deadline) {
                self.advance(deadline, Budget { events: left })?;
                return Ok(None);
            }
            if let Some(e) = budget.stop(budget.events - left, from, self.sim.now(), deadline) {
                return Err(e);
            }
            left -= 1;
            self.step_once();
            if let Some(l) = self.sim.stable_leader()
                && Some(l) != before
            {
                let now = self.sim.now();
                self.advance(now, Budget { events: left })?;
                return Ok(Some(l));
            }
        }
    }

    /// One step forward (the next event or input).
    pub fn step_forward(&mut self) -> bool {
        self.step_once()
    }

    /// One step back: the state just after the previous event.
    pub fn step_back(&mut self) {
        let k = self.sim.steps().saturating_sub(1);
        self.goto_step(k);
    }

    /// Applies `input` now. If the cursor is in the past, the recorded future is discarded
    /// and this input starts a new branch (returns true when that happened).
    pub fn act(&mut self, input: Input) -> Result<bool, Error> {
        self.sim.validate_input(&input)?;
        // Finish the current instant first, so that a replay applies the input at the same point.
        let now = self.sim.now();
        self.advance_to(now);
        let forked = self.applied < self.inputs.len() || self.cursor_trace_len < self.recorded_len;
        // The inputs this branch keeps, plus this one: what a saved session would hold.
        check_inputs(if forked { self.applied } else { self.inputs.len() } + 1)?;
        if forked {
            self.inputs.truncate(self.applied);
            self.trace.truncate(self.cursor_trace_len.saturating_sub(self.trace_base));
            self.trace_base = self.trace_base.min(self.cursor_trace_len);
            self.recorded_len = self.cursor_trace_len;
            let keep = self.cursor_trace_len;
            self.markers.retain(|m| m.index < keep);
            self.markers_version += 1;
            let steps = self.sim.steps();
            self.checkpoints.retain(|c| c.sim.steps() <= steps);
            self.horizon = now;
        }
        self.inputs.push(TimedInput { at: now, input });
        self.step_once();
        Ok(forked)
    }
}
