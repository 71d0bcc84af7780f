//! What the search may do to a cluster: the fault budget, the inputs open at a moment
//! ([`choices`]), and running a session spec on the bare engine ([`run_spec`]).

use std::fmt;

use crate::engine::input::{Input, Request, TimedInput};
use crate::engine::limits::MAX_EVENTS_PER_REPLAY;
use crate::engine::protocol::{NodeState, Protocol};

use crate::engine::sim::{SimConfig, Simulation};
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
}

impl FaultKind {
    /// Every kind, in the order choices are listed.
    pub const ALL: [FaultKind; 7] = [
        FaultKind::Crash,
        FaultKind::Restart,
        FaultKind::Pause,
        FaultKind::Partition,
        FaultKind::Heal,
        FaultKind::Write,
        FaultKind::Timeout,
    ];

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
            _ => return None,
        })
    }
}

/// Most inputs of one kind a budget may allow.
pub const MAX_PER_KIND: u8 = 16;

/// How many inputs of each kind one run may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultBudget {
    counts: [u8; 7],
}

impl FaultBudget {
    /// No input at all.
    pub const NONE: FaultBudget = FaultBudget { counts: [0; 7] };

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

    /// Reads `crash=3,partition=1,write=2` (kinds not named are not allowed; `heal` defaults to
    /// the number of partitions when not named).
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
            b = b.with(FaultKind::Heal, b.get(FaultKind::Partition));
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
/// leads, forced timeouts of running non-leaders. Inputs that would change nothing (crashing
/// a crashed node) are not offered.
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
    out
}

/// A fresh simulation of `spec`'s cluster and settings, without its inputs.
pub fn start(spec: &SessionSpec, tracing: bool) -> Option<Simulation<AnyProtocol>> {
    let config = SimConfig::new(spec.nodes, spec.seed, spec.net.clone());
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

/// Counts the inputs of `inputs` by kind.
pub fn used_by(inputs: &[TimedInput]) -> FaultBudget {
    let mut used = FaultBudget::NONE;
    for ti in inputs {
        if let Some(k) = FaultKind::of(&ti.input) {
            used.add(k);
        }
    }
    used
}
