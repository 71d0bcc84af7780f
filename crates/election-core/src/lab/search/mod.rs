//! The counterexample search: break a rule, and let the lab look for the shortest run that
//! goes wrong.
//!
//! Every run the search makes is a run of the real engine ([`Simulation`]) driven the way a
//! session is: a seed and a list of timed inputs, each applied after every event up to its
//! time. A counterexample is therefore a [`SessionSpec`], and its scenario script replays it
//! exactly, timing included.
//!
//! ## What is explored
//! * **Faults and client writes at decision points.** Every `step` (100 ms by default) up to
//!   the `horizon`, a run may apply one input: crash a live node, restart a crashed one, pause a
//!   running one for `pause_for`, split the cluster in two (every split), cut one direction of
//!   a healthy link (`cut nX nY one-way`), heal every link, write to a node that believes it
//!   leads, force a node's election timeout. A [`FaultBudget`] says how many of each kind one
//!   run may contain, and `depth` how many inputs and choices in all.
//! * **The engine's own draws** ([`crate::engine::choice`]). Instead of an input, a run may
//!   fix one draw of the coming step: a message's latency or a node's random duration
//!   (election timeout, backoff) at whichever end of its range it did not take (`timing`), a
//!   message lost or, where the loss draw lost it, kept (`drop`), a send duplicated
//!   (`duplicate`). Latencies and durations stay within the configured ranges, so the choices
//!   explore which in-flight message or timer comes next as the timing model allows it; loss
//!   and duplication are faults with their own budget, whatever the network's rates. The path
//!   that waits runs first and records the step's draws ([`Simulation::log_draws`]); each
//!   other path fixes one of them ([`Simulation::choose`]). Up to its draw, a path with a choice
//!   is the waiting path, so the choice fixes exactly the draw that was seen, and the choice is
//!   part of the counterexample's [`SessionSpec`] (`choose` lines of its script), which replays
//!   it exactly. The swarm fixes random draws soon to come the same way.
//! * **Bounded exhaustive search** ([`Phase::Exhaustive`]): breadth first over the decision
//!   points, every choice (including none) at every point, for `seeds` seeds. After each step
//!   the state is fingerprinted ([`Simulation::fingerprint`]: node states, liveness, armed
//!   timers and stalled events, messages in flight with their remaining delay, links, random
//!   stream positions; not the monitor's bookkeeping) together with the inputs and choices
//!   used so far, and a state seen before is not explored again. Without a violation the
//!   result is an honest bound: "no violation in N distinct states up to depth D with these
//!   faults".
//! * **Swarm** ([`Phase::Swarm`]): where the space is too large, `swarm_runs` random runs,
//!   each with its own seed and, in the spirit of swarm testing, a random subset of the fault
//!   kinds, a random spacing of inputs (to the microsecond, not only at decision points) and
//!   random pause lengths; each input is drawn from the same choices as above.
//! * **Shrinking** ([`Phase::Shrink`]): a failing run loses every input and every choice it
//!   can lose while some violation persists, then its inputs move to earlier, rounder times;
//!   the result is narrated as a scenario script ("n1 crashes", "n3 sends Renew #11 to n1,
//!   which the network loses (chosen)", "n5 won the election for term 3 with votes from ...").
//!
//! ## What is simplified
//! * Draws not fixed by a choice are the seed's: a bound holds for the seeds explored with at
//!   most the budgeted number of draws moved to an end of their range, not for every timing.
//!   Values inside a range other than its ends are reached only through seeds.
//! * In exhaustive mode inputs happen only at the decision points, one at a time; a choice
//!   fixes a draw of the step after the decision point, not one made by an input applied
//!   there. The swarm places inputs anywhere.
//! * Network settings are not changed, and a session's disk is instant (a [`SessionSpec`]
//!   has no disk setting), so durable-write times are not chosen.
//! * Runs longer than [`MAX_STEPS_PER_RUN`] events are abandoned (a counterexample must replay
//!   within a scenario's budget).
//!
//! ## Use from a page
//! [`search`] is one synchronous call with a progress callback that is asked every few
//! hundred states or runs whether to go on: a web worker can report [`Progress`] and stop on
//! request (return `false`). Nothing here reads a clock or spawns a thread.

mod narrate;
mod shrink;
mod space;

use std::collections::HashSet;

pub use narrate::{describe_input, narrate};
pub use shrink::{MAX_SHRINK_RUNS, Shrunk, shrink};
pub use space::{
    FaultBudget, FaultKind, KINDS, MAX_PER_KIND, MAX_STEPS_PER_RUN, advance, choices, draw_choices, fails,
    first_violation, run_spec, used_by, with_choices, with_inputs,
};

use crate::engine::choice::{Choice, End};
use crate::engine::error::Error;
use crate::engine::input::{Input, TimedInput};
use crate::engine::limits::MAX_TIME_US;
use crate::engine::rng::{SCHEDULE_STREAM, Stream};
use crate::engine::sim::Simulation;
use crate::engine::time::{Micros, NodeId, fmt_time, ms};
use crate::lab::spec::SessionSpec;
use crate::registry::AnyProtocol;

/// The swarm's schedules draw from their own stream, apart from the sweeps'.
const SWARM_STREAM: u64 = SCHEDULE_STREAM + 100;
/// How often (in states or runs) the progress callback is asked.
const PROGRESS_EVERY: u64 = 256;

/// Largest cluster the search accepts (partitions grow as 2^(n-1)).
pub const MAX_SEARCH_NODES: usize = 9;
/// Most inputs on one path of the exhaustive search.
pub const MAX_DEPTH: usize = 12;
/// Longest horizon (simulated), one minute.
pub const MAX_HORIZON: Micros = ms(60_000);
/// Fewest microseconds between decision points.
pub const MIN_STEP: Micros = ms(1);
/// Most swarm runs.
pub const MAX_SWARM_RUNS: u64 = 100_000_000;
/// Most seeds for the exhaustive search.
pub const MAX_SEEDS: u64 = 1_000_000;

/// One part of a search split over independent processes: paths whose first input falls in
/// part `index` of `count` (and the swarm's runs `r` with `r % count == index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part, `0..count`.
    pub index: u32,
    /// How many parts.
    pub count: u32,
}

impl Shard {
    /// The whole search.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Reads `i/n` with `1 <= i <= n` (1-based, as a user counts).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: write i/n with 1 <= i <= n <= 1024, e.g. 2/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (i, n): (u32, u32) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if n == 0 || n > 1024 || i == 0 || i > n {
            return Err(bad());
        }
        Ok(Shard { index: i - 1, count: n })
    }

    /// Whether this part owns the paths whose first input or choice, written `text`, comes
    /// at `at`.
    fn owns_first(&self, at: Micros, text: &str) -> bool {
        if self.count <= 1 {
            return true;
        }
        let key = fnv(fnv(0xcbf2_9ce4_8422_2325, &at.to_le_bytes()), text.as_bytes());
        key % u64::from(self.count) == u64::from(self.index)
    }
}

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What to search: a cluster and its settings (with the rules broken), the faults, the bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSpec {
    /// Algorithm, settings (`break=` included), cluster size, first seed, network. Its inputs
    /// and choices are ignored.
    pub session: SessionSpec,
    /// How many inputs of each kind a run may contain.
    pub faults: FaultBudget,
    /// Most inputs on one path of the exhaustive search (0: only the run without inputs).
    pub depth: usize,
    /// Simulated time each run covers.
    pub horizon: Micros,
    /// Time between decision points of the exhaustive search.
    pub step: Micros,
    /// How long a pause lasts in the exhaustive search.
    pub pause_for: Micros,
    /// Seeds of the exhaustive search: `session.seed` and the next `seeds - 1`.
    pub seeds: u64,
    /// Random runs after the exhaustive search (seeds `session.seed + 1_000_000 + r`).
    pub swarm_runs: u64,
    /// Distinct states at most (the exhaustive search stops there, saying so).
    pub max_states: u64,
    /// Which part of the search this is.
    pub shard: Shard,
    /// Keep every fingerprint in the report (tests compare shards with them).
    pub keep_fingerprints: bool,
}

impl SearchSpec {
    /// A search of `session`'s cluster with the defaults: crash, restart, partition and
    /// write twice each, depth 3, 2 s in steps of 100 ms, one seed, 20,000 swarm runs.
    pub fn new(session: SessionSpec) -> Self {
        let faults = FaultBudget::parse("crash=2,restart=2,partition=2,write=2").unwrap_or_default();
        SearchSpec {
            session,
            faults,
            depth: 3,
            horizon: ms(2_000),
            step: ms(100),
            pause_for: ms(400),
            seeds: 1,
            swarm_runs: 20_000,
            max_states: 5_000_000,
            shard: Shard::WHOLE,
            keep_fingerprints: false,
        }
    }

    /// Checks the bounds and the session: a clear message for each limit.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |what: &'static str, reason: String| Err(Error::Invalid { what, reason });
        if self.session.nodes > MAX_SEARCH_NODES {
            return invalid(
                "search",
                format!("{} nodes: the search explores at most {MAX_SEARCH_NODES}", self.session.nodes),
            );
        }
        SessionSpec { inputs: Vec::new(), ..self.session.clone() }.validate()?;
        if self.depth > MAX_DEPTH {
            return invalid("depth", format!("{} is more than {MAX_DEPTH}", self.depth));
        }
        if self.horizon == 0 || self.horizon > MAX_HORIZON {
            return invalid(
                "horizon",
                format!("{} is outside 1us..={}", fmt_time(self.horizon), fmt_time(MAX_HORIZON)),
            );
        }
        if self.step < MIN_STEP || self.step > self.horizon {
            return invalid(
                "step",
                format!("{} is outside {}..=the horizon", fmt_time(self.step), fmt_time(MIN_STEP)),
            );
        }
        if self.pause_for == 0 || self.pause_for > MAX_HORIZON {
            return invalid(
                "pause",
                format!("{} is outside 1us..={}", fmt_time(self.pause_for), fmt_time(MAX_HORIZON)),
            );
        }
        if self.seeds == 0 || self.seeds > MAX_SEEDS {
            return invalid("seeds", format!("{} is outside 1..={MAX_SEEDS}", self.seeds));
        }
        if self.swarm_runs > MAX_SWARM_RUNS {
            return invalid("runs", format!("{} is more than {MAX_SWARM_RUNS}", self.swarm_runs));
        }
        if self.shard.count == 0 || self.shard.index >= self.shard.count {
            return invalid("shard", format!("{}/{}", self.shard.index + 1, self.shard.count));
        }
        if self.horizon > MAX_TIME_US {
            return invalid("horizon", "past the longest session".into());
        }
        Ok(())
    }
}

/// Which part of the search is running (or found the counterexample).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Breadth-first over the decision points.
    Exhaustive,
    /// Random runs.
    Swarm,
    /// Shrinking a counterexample.
    Shrink,
}

impl Phase {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Exhaustive => "exhaustive",
            Phase::Swarm => "swarm",
            Phase::Shrink => "shrink",
        }
    }
}

/// Where the search is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Distinct states so far (exhaustive).
    pub states: u64,
    /// Runs so far (swarm and shrinking).
    pub runs: u64,
    /// Engine steps (events and inputs) simulated so far.
    pub steps: u64,
    /// The decision point the exhaustive search has reached, and how many there are.
    pub level: (usize, usize),
}

/// A run that violates an invariant, before and after shrinking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterexample {
    /// The phase that found it.
    pub found_by: Phase,
    /// The run as found.
    pub found: SessionSpec,
    /// When its first violation happened.
    pub found_at: Micros,
    /// The shrunk run.
    pub spec: SessionSpec,
    /// When its first violation happens.
    pub at: Micros,
    /// The violation, as the monitor words it.
    pub violation: String,
    /// Runs shrinking took.
    pub shrink_runs: u64,
    /// The shrunk run as a narrated scenario script, outputs filled in (a golden file).
    pub script: String,
}

/// What a search did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchReport {
    /// Distinct states the exhaustive search visited.
    pub states: u64,
    /// Swarm runs made.
    pub runs: u64,
    /// Engine steps simulated (search and shrinking).
    pub steps: u64,
    /// Whether every bound was explored (not stopped by the callback or the state limit).
    pub complete: bool,
    /// Why it stopped early, if it did.
    pub stopped: Option<String>,
    /// The counterexample, if one was found.
    pub counterexample: Option<Counterexample>,
    /// Every fingerprint visited, sorted (when asked for).
    pub fingerprints: Vec<u64>,
}

impl SearchReport {
    /// One line: the counterexample's violation, or the bound explored.
    pub fn summary(&self, spec: &SearchSpec) -> String {
        match &self.counterexample {
            Some(c) => format!(
                "violation at {} ({}, {} before shrinking, found by the {} search): {}",
                fmt_time(c.at),
                size(&c.spec, &c.found),
                if c.found.choices.is_empty() && c.spec.choices.is_empty() {
                    c.found.inputs.len().to_string()
                } else {
                    size(&c.found, &c.spec)
                },
                c.found_by.name(),
                c.violation
            ),
            None => {
                let mut s = format!(
                    "no violation in {} distinct states up to depth {} with faults {} ({} seed(s), {} over {} in steps of {})",
                    self.states,
                    spec.depth,
                    spec.faults,
                    spec.seeds,
                    spec.session.nodes,
                    fmt_time(spec.horizon),
                    fmt_time(spec.step)
                );
                if self.runs > 0 {
                    s.push_str(&format!(", nor in {} random runs", self.runs));
                }
                if let Some(why) = &self.stopped {
                    s.push_str(&format!("; stopped early: {why}"));
                }
                s
            }
        }
    }
}

/// "3 inputs", or "3 inputs and 2 choices" when `spec` or `other` (the same run before or after
/// shrinking) has choices: runs without them read as they always did.
fn size(spec: &SessionSpec, other: &SessionSpec) -> String {
    if spec.choices.is_empty() && other.choices.is_empty() {
        format!("{} inputs", spec.inputs.len())
    } else {
        format!("{} inputs and {} choices", spec.inputs.len(), spec.choices.len())
    }
}

/// The callback's verdict and the running totals.
struct Run<'a> {
    progress: &'a mut dyn FnMut(&Progress) -> bool,
    report: SearchReport,
    level: (usize, usize),
    since: u64,
    stop: bool,
}

impl Run<'_> {
    /// Counts one unit of work; asks the callback every [`PROGRESS_EVERY`] units.
    fn tick(&mut self, phase: Phase) -> bool {
        self.since += 1;
        if self.since >= PROGRESS_EVERY {
            self.since = 0;
            let p = Progress {
                phase,
                states: self.report.states,
                runs: self.report.runs,
                steps: self.report.steps,
                level: self.level,
            };
            if !(self.progress)(&p) {
                self.stop = true;
                self.report.stopped.get_or_insert_with(|| "cancelled".into());
            }
        }
        !self.stop
    }
}

/// A path of the exhaustive search at a decision point.
struct Node {
    sim: Simulation<AnyProtocol>,
    inputs: Vec<TimedInput>,
    choices: Vec<Choice>,
    used: FaultBudget,
}

/// What a path does at a decision point.
enum Move {
    /// Nothing: time passes.
    Wait,
    /// An input, applied at the decision point.
    Apply(Input),
    /// A draw of the coming step fixed.
    Choose(Choice),
}

/// The failing spec: `base` with `seed`, `inputs` and `choices`.
fn failing(base: &SessionSpec, seed: u64, inputs: Vec<TimedInput>, choices: Vec<Choice>) -> SessionSpec {
    SessionSpec { seed, inputs, choices, ..base.clone() }
}

fn key(fingerprint: u64, used: &FaultBudget) -> u64 {
    let mut bytes = [0u8; KINDS];
    for (b, k) in bytes.iter_mut().zip(FaultKind::ALL) {
        *b = used.get(k);
    }
    fnv(fingerprint, &bytes)
}

/// Breadth first over the decision points of one seed. Returns a failing spec, if any.
fn exhaustive(
    spec: &SearchSpec,
    seed: u64,
    run: &mut Run<'_>,
    seen_all: &mut Vec<u64>,
) -> Option<SessionSpec> {
    let base = SessionSpec { seed, inputs: Vec::new(), choices: Vec::new(), ..spec.session.clone() };
    let mut sim = space::start(&base, false)?;
    let levels = spec.horizon.div_ceil(spec.step) as usize;
    let mut t = spec.step.min(spec.horizon);
    let ok = advance(&mut sim, t);
    run.report.steps += sim.steps();
    if sim.violations() > 0 {
        return Some(base);
    }
    if !ok {
        return None;
    }
    let root_key = key(sim.fingerprint(), &FaultBudget::NONE);
    run.report.states += 1;
    if spec.keep_fingerprints {
        seen_all.push(root_key);
    }
    let mut frontier = vec![Node { sim, inputs: Vec::new(), choices: Vec::new(), used: FaultBudget::NONE }];
    let mut level = 1;
    while t < spec.horizon && !frontier.is_empty() {
        run.level = (level, levels);
        let next_t = t.saturating_add(spec.step).min(spec.horizon);
        let mut seen: HashSet<u64> = HashSet::new();
        let mut next = Vec::new();
        for node in frontier {
            let moves_left = node.inputs.len() + node.choices.len() < spec.depth;
            let first = node.inputs.is_empty() && node.choices.is_empty();
            let mut moves: Vec<Move> = vec![Move::Wait];
            if moves_left {
                let value = u64::from(node.used.get(FaultKind::Write)) + 1;
                for input in choices(&node.sim, &spec.faults, &node.used, spec.pause_for, value) {
                    // Paths are split between shards by their first input or choice.
                    if first && !spec.shard.owns_first(t, &input.to_string()) {
                        continue;
                    }
                    moves.push(Move::Apply(input));
                }
            }
            // The draws this step makes are seen on the path that waits: it runs first and
            // records them, and every draw it saw can then be fixed the other way.
            let see_draws = moves_left && spec.faults.draws_left(&node.used);
            let mut parent = Some(node);
            let mut j = 0;
            while j < moves.len() {
                let last = j + 1 == moves.len() && !(j == 0 && see_draws);
                let (mut sim, mut inputs, mut chosen, mut used) = if last {
                    let Some(p) = parent.take() else { break };
                    (p.sim, p.inputs, p.choices, p.used)
                } else {
                    let Some(p) = parent.as_ref() else { break };
                    (p.sim.clone(), p.inputs.clone(), p.choices.clone(), p.used)
                };
                let before = sim.steps();
                let watch = j == 0 && see_draws;
                match std::mem::replace(&mut moves[j], Move::Wait) {
                    Move::Wait => sim.log_draws(watch),
                    Move::Apply(input) => {
                        let _ = sim.apply(&input);
                        if let Some(k) = FaultKind::of(&input) {
                            used.add(k);
                        }
                        inputs.push(TimedInput { at: t, input });
                    }
                    Move::Choose(c) => {
                        if sim.choose(c).is_err() {
                            j += 1;
                            continue;
                        }
                        used.add(FaultKind::of_choice(&c));
                        chosen.push(c);
                    }
                }
                j += 1;
                let ok = sim.violations() > 0 || advance(&mut sim, next_t);
                run.report.steps += sim.steps() - before;
                if watch {
                    let draws = sim.take_draws();
                    sim.log_draws(false);
                    if let Some(p) = parent.as_ref() {
                        for c in draw_choices(&draws, &spec.faults, &p.used) {
                            if first && !spec.shard.owns_first(t, &format!("choose {c}")) {
                                continue;
                            }
                            moves.push(Move::Choose(c));
                        }
                    }
                }
                if sim.violations() > 0 {
                    return Some(failing(&base, seed, inputs, chosen));
                }
                if !ok {
                    continue;
                }
                let k = key(sim.fingerprint(), &used);
                if seen.insert(k) {
                    run.report.states += 1;
                    if spec.keep_fingerprints {
                        seen_all.push(k);
                    }
                    next.push(Node { sim, inputs, choices: chosen, used });
                }
                if run.report.states >= spec.max_states {
                    run.stop = true;
                    run.report.stopped = Some(format!("reached the limit of {} states", spec.max_states));
                }
                if !run.tick(Phase::Exhaustive) {
                    return None;
                }
            }
        }
        frontier = next;
        t = next_t;
        level += 1;
    }
    None
}

/// One random run of the swarm; returns the spec if it fails.
fn swarm_run(spec: &SearchSpec, r: u64, run: &mut Run<'_>) -> Option<SessionSpec> {
    let seed = spec.session.seed.wrapping_add(1_000_000).wrapping_add(r);
    let base = SessionSpec { seed, inputs: Vec::new(), choices: Vec::new(), ..spec.session.clone() };
    let mut rng = Stream::new(seed, SWARM_STREAM);
    // Swarm testing: each run allows a random subset of the fault kinds.
    let mut faults = spec.faults;
    let kinds: Vec<FaultKind> = FaultKind::ALL.into_iter().filter(|&k| spec.faults.get(k) > 0).collect();
    for &k in &kinds {
        if rng.chance_ppm(330_000) {
            faults = faults.with(k, 0);
        }
    }
    let gap_max = [ms(5), ms(20), ms(60), ms(150), ms(400)][rng.index(5)];
    let mut sim = space::start(&base, false)?;
    let mut inputs: Vec<TimedInput> = Vec::new();
    let mut chosen: Vec<Choice> = Vec::new();
    let mut used = FaultBudget::NONE;
    let mut t: Micros = 0;
    let mut ok = true;
    loop {
        t = t.saturating_add(rng.range(1, gap_max));
        if t >= spec.horizon {
            break;
        }
        ok = advance(&mut sim, t);
        if !ok || sim.violations() > 0 {
            break;
        }
        let pause = [ms(100), ms(300), ms(600), ms(1_000)][rng.index(4)];
        let value = u64::from(used.get(FaultKind::Write)) + 1;
        let options = choices(&sim, &faults, &used, pause, value);
        // A kind first, then one of its inputs: otherwise the many partitions crowd out the rest.
        let mut open: Vec<FaultKind> = options.iter().filter_map(FaultKind::of).collect();
        open.dedup();
        open.extend(FaultKind::DRAWS.into_iter().filter(|&k| faults.get(k) > used.get(k)));
        if open.is_empty() {
            if used.total() >= faults.total() {
                break;
            }
            continue;
        }
        let kind = open[rng.index(open.len())];
        if FaultKind::DRAWS.contains(&kind) {
            // A draw soon to come, fixed now: the run from here on is the run with this choice
            // from the start, so the spec replays it exactly.
            let c = random_choice(&sim, kind, &mut rng);
            if sim.choose(c).is_ok() {
                used.add(kind);
                chosen.push(c);
            }
            continue;
        }
        let of_kind: Vec<&Input> = options.iter().filter(|i| FaultKind::of(i) == Some(kind)).collect();
        let input = of_kind[rng.index(of_kind.len())].clone();
        let _ = sim.apply(&input);
        used.add(kind);
        inputs.push(TimedInput { at: t, input });
        if sim.violations() > 0 {
            break;
        }
    }
    if ok && sim.violations() == 0 {
        ok = advance(&mut sim, spec.horizon);
    }
    run.report.steps += sim.steps();
    (ok || sim.violations() > 0).then_some(())?;
    (sim.violations() > 0).then(|| failing(&base, seed, inputs, chosen))
}

/// A random choice of `kind` about a draw soon to come: one of the next 8 messages, or one of
/// the next two random durations of a node.
fn random_choice(sim: &Simulation<AnyProtocol>, kind: FaultKind, rng: &mut Stream) -> Choice {
    let msg = sim.next_message_id() + rng.range(0, 7);
    let end = if rng.chance_ppm(500_000) { End::Min } else { End::Max };
    match kind {
        FaultKind::Drop if sim.config().net.loss_ppm > 0 && rng.chance_ppm(500_000) => Choice::Kept { msg },
        FaultKind::Drop => Choice::Lost { msg },
        FaultKind::Duplicate => Choice::Duplicated { msg },
        _ if rng.chance_ppm(500_000) => Choice::Latency { msg, end },
        _ => {
            let node = (rng.index(sim.nodes().len()) + 1) as NodeId;
            Choice::Draw { node, draw: sim.draws_made(node) + 1 + rng.range(0, 1), end }
        }
    }
}

/// Searches for a run that violates an invariant: exhaustively within the bounds, then with
/// the swarm; shrinks and narrates what it finds. `progress` is asked every few hundred
/// states or runs whether to go on (return `false` to stop: the report says so).
pub fn search(spec: &SearchSpec, progress: &mut dyn FnMut(&Progress) -> bool) -> Result<SearchReport, Error> {
    spec.validate()?;
    let mut run = Run {
        progress,
        report: SearchReport {
            states: 0,
            runs: 0,
            steps: 0,
            complete: false,
            stopped: None,
            counterexample: None,
            fingerprints: Vec::new(),
        },
        level: (0, 0),
        since: 0,
        stop: false,
    };
    let mut fingerprints = Vec::new();
    let mut found: Option<(Phase, SessionSpec)> = None;
    for s in 0..spec.seeds {
        if run.stop {
            break;
        }
        if let Some(f) = exhaustive(spec, spec.session.seed.wrapping_add(s), &mut run, &mut fingerprints) {
            found = Some((Phase::Exhaustive, f));
            break;
        }
    }
    if found.is_none() {
        let mut r = u64::from(spec.shard.index);
        while r < spec.swarm_runs && !run.stop {
            run.report.runs += 1;
            if let Some(f) = swarm_run(spec, r, &mut run) {
                found = Some((Phase::Swarm, f));
                break;
            }
            run.tick(Phase::Swarm);
            r += u64::from(spec.shard.count);
        }
    }
    run.report.complete = !run.stop && found.is_none();
    if let Some((phase, f)) = found {
        let (found_at, _) = first_violation(&f, spec.horizon).unwrap_or((spec.horizon, String::new()));
        let progress = &mut *run.progress;
        let mut asked = 0u64;
        let shrunk = shrink(&f, spec.horizon, &mut || {
            asked += 1;
            asked % 64 != 0
                || progress(&Progress {
                    phase: Phase::Shrink,
                    states: 0,
                    runs: asked,
                    steps: 0,
                    level: (0, 0),
                })
        });
        let (at, violation) =
            first_violation(&shrunk.spec, spec.horizon).unwrap_or((found_at, "violation".to_string()));
        let header = header(spec, phase, &f, found_at, &shrunk.spec, at);
        let script = narrate(&shrunk.spec, at, &header);
        run.report.counterexample = Some(Counterexample {
            found_by: phase,
            found: f,
            found_at,
            spec: shrunk.spec,
            at,
            violation,
            shrink_runs: shrunk.runs,
            script,
        });
    }
    if spec.keep_fingerprints {
        fingerprints.sort_unstable();
        fingerprints.dedup();
        run.report.fingerprints = fingerprints;
    }
    Ok(run.report)
}

/// The opening comments of a counterexample's script: the title, each broken rule with its
/// source, how it was found and shrunk.
fn header(
    spec: &SearchSpec,
    phase: Phase,
    found: &SessionSpec,
    found_at: Micros,
    shrunk: &SessionSpec,
    at: Micros,
) -> Vec<String> {
    let settings = spec.session.config.settings();
    let broken = settings.broken();
    let name = spec.session.algorithm().name();
    let mut lines = vec![if broken.is_empty() {
        format!("{name}: a run that violates an invariant, found by the counterexample search")
    } else {
        format!("{name} with rule {} broken: the shortest run found that goes wrong", broken.join(", "))
    }];
    for rule in spec.session.algorithm().rules().iter().filter(|r| broken.contains(&r.name)) {
        lines.push(format!("{}: {}.", rule.name, rule.what));
        lines.push(format!("Source: {}.", rule.source));
    }
    let to = if found.choices.is_empty() && shrunk.choices.is_empty() {
        shrunk.inputs.len().to_string()
    } else {
        size(shrunk, found)
    };
    lines.push(format!(
        "Found by the {} search with faults {}; shrunk from {} (violation at {}) to {} (at {}).",
        phase.name(),
        spec.faults,
        size(found, shrunk),
        fmt_time(found_at),
        to,
        fmt_time(at)
    ));
    lines
}
