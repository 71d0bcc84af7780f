//! What the search may do to a cluster: the fault budget, the inputs open at a moment
//! ([`choices`]), the draws it may fix instead ([`draw_choices`]), and running a session spec
//! on the bare engine ([`run_spec`]).

use std::fmt;

use crate::engine::choice::{Choice, End};
use crate::engine::input::{Input, Request, TimedInput};
use crate::engine::limits::MAX_EVENTS_PER_REPLAY;
use crate::engine::net::LinkState;
use crate::engine::protocol::{NodeState, Protocol};

use crate::engine::sim::{Draw, SimConfig, Simulation};
use crate::engine::time::{Micros, NodeId};
use crate::engine::trace::TraceKind;
use crate::lab::spec::SessionSpec;
use crate::registry::AnyProtocol;

/// The kinds of input the search chooses among.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultKind {
    /// `crash nX` of a running or paused node.
    Crash,
    /// `restart nX` of a crashed node.
    Restart,
    /// `pause nX for=D` of a running node.
    Pause,
    /// `partition A B`: the cluster split in two.
    Partition,
    /// `heal-all`, when some link is cut.
    Heal,
    /// `write nX V` to a node that believes it leads.
    Write,
    /// `timeout nX`: a node's election timer forced to fire.
    Timeout,
    /// `cut nX nY one-way`: one direction of a healthy link cut.
    Cut,
    /// A latency or a node's random duration drawn at an end of its range
    /// ([`Choice::Latency`], [`Choice::Draw`]).
    Timing,
    /// A message lost, or one the loss draw lost kept ([`Choice::Lost`], [`Choice::Kept`]).
    Drop,
    /// A message sent twice ([`Choice::Duplicated`]).
    Duplicate,
}

impl FaultKind {
    /// Every kind, in the order choices are listed.
    pub const ALL: [FaultKind; KINDS] = [
        FaultKind::Crash,
        FaultKind::Restart,
        FaultKind::Pause,
        FaultKind::Partition,
        FaultKind::Heal,
        FaultKind::Write,
        FaultKind::Timeout,
        FaultKind::Cut,
        FaultKind::Timing,
        FaultKind::Drop,
        FaultKind::Duplicate,
    ];

    /// The kinds that fix a draw rather than apply an input.
    pub const DRAWS: [FaultKind; 3] = [FaultKind::Timing, FaultKind::Drop, FaultKind::Duplicate];

    /// The name in `--faults` (`crash`).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Restart => "restart",
            FaultKind::Pause => "pause",
            FaultKind::Partition => "partition",
            FaultKind::Heal => "heal",
            FaultKind::Write => "write",
            FaultKind::Timeout => "timeout",
            FaultKind::Cut => "cut",
            FaultKind::Timing => "timing",
            FaultKind::Drop => "drop",
            FaultKind::Duplicate => "duplicate",
        }
    }

    /// The kind of a choice.
    pub fn of_choice(choice: &Choice) -> FaultKind {
        match choice {
            Choice::Latency { .. } | Choice::Draw { .. } => FaultKind::Timing,
            Choice::Lost { .. } | Choice::Kept { .. } => FaultKind::Drop,
            Choice::Duplicated { .. } => FaultKind::Duplicate,
        }
    }

    /// The kind of a search input (`None` for inputs the search never makes).
    pub fn of(input: &Input) -> Option<FaultKind> {
        Some(match input {
            Input::Crash { .. } => FaultKind::Crash,
            Input::Restart { .. } => FaultKind::Restart,
            Input::Pause { .. } => FaultKind::Pause,
            Input::Partition { .. } => FaultKind::Partition,
            Input::HealAll => FaultKind::Heal,
            Input::Request { request: Request::ClientWrite { .. }, .. } => FaultKind::Write,
            Input::Request { request: Request::Timeout, .. } => FaultKind::Timeout,
            Input::Cut { both: false, .. } => FaultKind::Cut,
            _ => return None,
        })
    }
}

/// Most inputs of one kind a budget may allow.
pub const MAX_PER_KIND: u8 = 16;

/// How many kinds there are.
pub const KINDS: usize = 11;

/// How many inputs of each kind one run may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultBudget {
    counts: [u8; KINDS],
}

impl FaultBudget {
    /// No input at all.
    pub const NONE: FaultBudget = FaultBudget { counts: [0; KINDS] };

    /// The allowance for `kind`.
    pub fn get(&self, kind: FaultKind) -> u8 {
        self.counts[kind as usize]
    }

    /// The same budget with `kind` allowed `n` times (at most [`MAX_PER_KIND`]).
    pub fn with(mut self, kind: FaultKind, n: u8) -> Self {
        self.counts[kind as usize] = n.min(MAX_PER_KIND);
        self
    }

    /// Every input allowed at most once more than `other` used: `self - other`, per kind.
    fn left(&self, used: &FaultBudget) -> FaultBudget {
        let mut out = *self;
        for (o, u) in out.counts.iter_mut().zip(used.counts) {
            *o = o.saturating_sub(u);
        }
        out
    }

    /// One more input of `kind` counted.
    pub(crate) fn add(&mut self, kind: FaultKind) {
        let c = &mut self.counts[kind as usize];
        *c = c.saturating_add(1);
    }

    /// The total number of inputs allowed.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|&c| usize::from(c)).sum()
    }

    /// Whether any draw may still be fixed after `used`.
    pub(crate) fn draws_left(&self, used: &FaultBudget) -> bool {
        FaultKind::DRAWS.iter().any(|&k| self.get(k) > used.get(k))
    }

    /// Reads `crash=3,partition=1,write=2` (kinds not named are not allowed; `heal` defaults to
    /// the number of partitions and one-way cuts when not named).
    pub fn parse(text: &str) -> Result<FaultBudget, String> {
        let mut b = FaultBudget::NONE;
        let mut heal_named = false;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, "1"));
            let kind = FaultKind::ALL.iter().copied().find(|f| f.name() == k).ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|f| f.name()).collect();
                format!("unknown fault '{k}' (known: {})", names.join(", "))
            })?;
            let n: u8 = v
                .parse()
                .ok()
                .filter(|&n| n <= MAX_PER_KIND)
                .ok_or_else(|| format!("{k}={v}: write a count from 0 to {MAX_PER_KIND}"))?;
            heal_named |= kind == FaultKind::Heal;
            b = b.with(kind, n);
        }
        if !heal_named {
            let cuts = b.get(FaultKind::Partition).saturating_add(b.get(FaultKind::Cut));
            b = b.with(FaultKind::Heal, cuts);
        }
        Ok(b)
    }
}

impl fmt::Display for FaultBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = FaultKind::ALL
            .iter()
            .filter(|&&k| self.get(k) > 0)
            .map(|&k| format!("{}={}", k.name(), self.get(k)))
            .collect();
        if parts.is_empty() { f.write_str("none") } else { f.write_str(&parts.join(",")) }
    }
}

/// The inputs open at this moment of `sim` within what is left of `budget` after `used`, in a
/// fixed order: crashes, restarts, pauses (for `pause_for`), the two-way partitions, heal-all
/// (when a link is cut), writes (value `next_value`) to each running node that believes it
/// leads, forced timeouts of running non-leaders, one-way cuts of healthy links. Inputs that
/// would change nothing (crashing a crashed node) are not offered.
pub fn choices(
    sim: &Simulation<AnyProtocol>,
    budget: &FaultBudget,
    used: &FaultBudget,
    pause_for: Micros,
    next_value: u64,
) -> Vec<Input> {
    let left = budget.left(used);
    let mut out = Vec::new();
    let nodes = sim.nodes();
    let n = nodes.len();
    if left.get(FaultKind::Crash) > 0 {
        out.extend(nodes.iter().filter(|s| s.is_alive()).map(|s| Input::Crash { node: s.id }));
    }
    if left.get(FaultKind::Restart) > 0 {
        out.extend(
            nodes.iter().filter(|s| s.state == NodeState::Down).map(|s| Input::Restart { node: s.id }),
        );
    }
    if left.get(FaultKind::Pause) > 0 {
        out.extend(
            nodes.iter().filter(|s| s.is_up()).map(|s| Input::Pause { node: s.id, for_us: Some(pause_for) }),
        );
    }
    if left.get(FaultKind::Partition) > 0 && n >= 2 {
        // Every split into two non-empty sides, n1's side first: 2^(n-1) - 1 of them.
        for mask in 1..(1u32 << (n - 1)) {
            let other: Vec<NodeId> = (2..=n as NodeId).filter(|&id| mask & (1 << (id - 2)) != 0).collect();
            let first: Vec<NodeId> = (1..=n as NodeId).filter(|id| !other.contains(id)).collect();
            out.push(Input::Partition { groups: vec![first, other] });
        }
    }
    if left.get(FaultKind::Heal) > 0 && sim.any_link_cut() {
        out.push(Input::HealAll);
    }
    if left.get(FaultKind::Write) > 0 {
        out.extend(
            nodes
                .iter()
                .filter(|s| s.is_up() && s.proto.status().role.is_leader())
                .map(|s| Input::Request { node: s.id, request: Request::ClientWrite { value: next_value } }),
        );
    }
    if left.get(FaultKind::Timeout) > 0 {
        out.extend(
            nodes
                .iter()
                .filter(|s| s.is_up() && !s.proto.status().role.is_leader())
                .map(|s| Input::Request { node: s.id, request: Request::Timeout }),
        );
    }
    if left.get(FaultKind::Cut) > 0 {
        for a in 1..=n as NodeId {
            for b in (1..=n as NodeId).filter(|&b| b != a) {
                if sim.link_state(a, b) == LinkState::Healthy {
                    out.push(Input::Cut { from: a, to: b, both: false });
                }
            }
        }
    }
    out
}

/// The choices that would make `draws` (the draws of one step, in order) come out otherwise,
/// within what is left of `budget` after `used`: each latency and random duration at whichever
/// end of its range it did not take (timing), each message lost or, if the loss draw lost it,
/// kept (drop), each send duplicated (duplicate). Draws that cannot change anything (a range
/// of one value, a message on a cut link) offer nothing. A step's draw `k` is the same draw in
/// every run that agrees up to it, so each choice fixes exactly the draw that was seen.
pub fn draw_choices(draws: &[Draw], budget: &FaultBudget, used: &FaultBudget) -> Vec<Choice> {
    let left = budget.left(used);
    let (timing, drop, dup) =
        (left.get(FaultKind::Timing) > 0, left.get(FaultKind::Drop) > 0, left.get(FaultKind::Duplicate) > 0);
    let mut out = Vec::new();
    let ends = |lo: u64, hi: u64, value: u64| {
        [End::Min, End::Max].into_iter().filter(move |e| lo < hi && e.pick(lo, hi) != value)
    };
    for d in draws {
        match *d {
            Draw::Message { id, first, duplicated, lo, hi, latency, lost, cut, .. } => {
                if cut {
                    continue;
                }
                if timing {
                    out.extend(ends(lo, hi, latency).map(|end| Choice::Latency { msg: id, end }));
                }
                if drop {
                    out.push(if lost { Choice::Kept { msg: id } } else { Choice::Lost { msg: id } });
                }
                if dup && first && !duplicated {
                    out.push(Choice::Duplicated { msg: id });
                }
            }
            Draw::Node { node, drawn } => {
                if timing {
                    out.extend(ends(drawn.lo, drawn.hi, drawn.value).map(|end| Choice::Draw {
                        node,
                        draw: drawn.draw,
                        end,
                    }));
                }
            }
        }
    }
    out
}

/// A fresh simulation of `spec`'s cluster and settings, without its inputs.
pub fn start(spec: &SessionSpec, tracing: bool) -> Option<Simulation<AnyProtocol>> {
    let config = SimConfig {
        choices: spec.choices.clone(),
        clocks: spec.clocks,
        ..SimConfig::new(spec.nodes, spec.seed, spec.net.clone())
    };
    let mut sim = Simulation::new(config, spec.config.clone()).ok()?;
    sim.set_tracing(tracing);
    Some(sim)
}

/// Steps a run may take at most: a counterexample must replay as a scenario, whose runner
/// stops at [`MAX_EVENTS_PER_REPLAY`]; runs that would pass it are abandoned.
pub const MAX_STEPS_PER_RUN: u64 = MAX_EVENTS_PER_REPLAY / 2;

/// Runs `sim` to `t` like [`Simulation::run_until`]; false (and stops) when the run passes
/// [`MAX_STEPS_PER_RUN`].
pub fn advance(sim: &mut Simulation<AnyProtocol>, t: Micros) -> bool {
    while let Some(next) = sim.next_event_time() {
        if next > t {
            break;
        }
        if sim.steps() >= MAX_STEPS_PER_RUN {
            return false;
        }
        sim.step();
    }
    sim.run_until(t);
    true
}

/// Runs `spec` (its inputs in order) up to `until` on the bare engine, exactly as a session
/// replays it; `None` if the run is too long.
pub fn run_spec(spec: &SessionSpec, until: Micros, tracing: bool) -> Option<Simulation<AnyProtocol>> {
    let mut sim = start(spec, tracing)?;
    for ti in &spec.inputs {
        if ti.at > until {
            break;
        }
        if !advance(&mut sim, ti.at) {
            return None;
        }
        let _ = sim.apply(&ti.input);
    }
    advance(&mut sim, until).then_some(sim)
}

/// Whether `spec` violates an invariant by `until`.
pub fn fails(spec: &SessionSpec, until: Micros) -> bool {
    run_spec(spec, until, false).is_some_and(|s| s.violations() > 0)
}

/// The first violation of `spec` by `until`: its time and text.
pub fn first_violation(spec: &SessionSpec, until: Micros) -> Option<(Micros, String)> {
    let sim = run_spec(spec, until, true)?;
    sim.trace().iter().find_map(|e| match &e.kind {
        TraceKind::Violation { text } => Some((e.t, text.clone())),
        _ => None,
    })
}

/// `spec` with `inputs` instead of its own.
pub fn with_inputs(spec: &SessionSpec, inputs: Vec<TimedInput>) -> SessionSpec {
    SessionSpec { inputs, ..spec.clone() }
}

/// Counts the inputs and choices of `spec` by kind.
pub fn used_by(spec: &SessionSpec) -> FaultBudget {
    let mut used = FaultBudget::NONE;
    for ti in &spec.inputs {
        if let Some(k) = FaultKind::of(&ti.input) {
            used.add(k);
        }
    }
    for c in &spec.choices {
        used.add(FaultKind::of_choice(c));
    }
    used
}

/// `spec` with `choices` instead of its own.
pub fn with_choices(spec: &SessionSpec, choices: Vec<Choice>) -> SessionSpec {
    SessionSpec { choices, ..spec.clone() }
}
