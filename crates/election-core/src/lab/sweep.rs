//! Seed sweeps: random faults, invariants after every event, then heal and require a leader.
//!
//! In the spirit of TigerBeetle's VOPR and madsim: a seed determines the cluster size, the
//! network and a schedule of faults; the run checks every safety invariant after every event,
//! heals everything, and requires a stable leader within a bound. A failure names the seed and
//! the exact command that replays it.

use crate::engine::input::{Input, Request, TimedInput};
use crate::engine::net::NetConfig;
use crate::engine::rng::{SCHEDULE_STREAM, Stream};
use crate::engine::time::{MAX_NODES, Micros, NodeId, ms};
use crate::lab::spec::{AnySession, SessionSpec};
use crate::registry::Algorithm;

/// What one seed of a sweep did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedOutcome {
    /// The seed.
    pub seed: u64,
    /// Invariant violations seen (with the first one's text).
    pub violations: usize,
    /// The first violation, if any.
    pub first_violation: Option<String>,
    /// Time from healing to a stable leader, if one appeared within the bound.
    pub recovery: Option<Micros>,
    /// Steps simulated.
    pub steps: u64,
}

impl SeedOutcome {
    /// Passed: no violation and a leader after healing.
    pub fn ok(&self) -> bool {
        self.violations == 0 && self.recovery.is_some()
    }
}

/// Shape of a sweep run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepPlan {
    /// How long faults are injected.
    pub chaos: Micros,
    /// Bound on the time from healing to a stable leader.
    pub liveness_bound: Micros,
    /// Largest cluster drawn (from the algorithm's minimum up to this, at most `MAX_NODES`).
    pub max_nodes: usize,
    /// Settings applied after the seed's own (`instances=5` sweeps Redlock); the cluster grows
    /// to the smallest size they accept.
    pub settings: Vec<(String, String)>,
    /// Every node's clock rate is drawn within this bound (ppm; 0: perfect clocks).
    pub drift_ppm: u32,
}

impl Default for SweepPlan {
    fn default() -> Self {
        SweepPlan {
            chaos: ms(6_000),
            liveness_bound: ms(5_000),
            max_nodes: MAX_NODES,
            settings: Vec::new(),
            drift_ppm: 0,
        }
    }
}

/// Which faults a sweep may inject: an algorithm is swept under every fault it claims to
/// survive. Bully claims only crash-stop failures on a reliable network (its paper's
/// assumptions); its partitions are swept separately as a planted unsafe scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Faults {
    /// Crashed nodes may restart during the chaos.
    pub restart: bool,
    /// Pauses (GC stalls).
    pub pause: bool,
    /// Partitions, cuts and isolation.
    pub network: bool,
    /// Message loss and duplication.
    pub lossy: bool,
}

impl Faults {
    /// Everything.
    pub const ALL: Faults = Faults { restart: true, pause: true, network: true, lossy: true };
    /// Crash-stop on a reliable network.
    pub const CRASH_STOP: Faults = Faults { restart: false, pause: false, network: false, lossy: false };

    /// The faults `algorithm` is expected to survive safely.
    pub fn safe_for(algorithm: Algorithm) -> Faults {
        if algorithm.survives_partitions() { Faults::ALL } else { Faults::CRASH_STOP }
    }
}

/// The session a seed runs: cluster size, options and fault schedule all derive from it.
pub fn spec_for_seed(algorithm: Algorithm, seed: u64, plan: &SweepPlan) -> SessionSpec {
    let faults = Faults::safe_for(algorithm);
    let mut r = Stream::new(seed, SCHEDULE_STREAM);
    let max_nodes = plan.max_nodes.clamp(algorithm.min_nodes(), MAX_NODES);
    let mut nodes = r.range(algorithm.min_nodes() as u64, max_nodes as u64) as usize;
    let mut spec = SessionSpec::new(algorithm, nodes, seed);
    let (loss, dup) = ([0, 0, 10_000, 50_000, 200_000][r.index(5)], [0, 0, 10_000, 50_000][r.index(4)]);
    spec.net = NetConfig {
        latency_us_min: ms(r.range(1, 10)),
        latency_us_max: ms(r.range(10, 30)),
        loss_ppm: if faults.lossy { loss } else { 0 },
        duplicate_ppm: if faults.lossy { dup } else { 0 },
    };
    spec.config.randomize(&mut r);
    for (k, v) in &plan.settings {
        // The CLI checked them on a default config; a seed's draw cannot make them invalid.
        let _ = spec.config.settings_mut().set(k, v);
    }
    while spec.config.validate(nodes).is_err() && nodes < MAX_NODES {
        nodes += 1;
    }
    spec.nodes = nodes;
    spec.clocks.drift_ppm = plan.drift_ppm;
    spec.inputs = fault_schedule(&mut r, nodes as NodeId, plan.chaos, faults);
    spec
}

fn allowed(input: &Input, f: Faults) -> bool {
    match input {
        Input::Restart { .. } => f.restart,
        Input::Pause { .. } | Input::Resume { .. } => f.pause,
        Input::Partition { .. }
        | Input::Cut { .. }
        | Input::Isolate { .. }
        | Input::HealAll
        | Input::Heal { .. } => f.network,
        Input::Network { .. } => f.lossy,
        // Sweeps check the safe configurations: perfect clocks, no jumps.
        Input::ClockJump { .. } => false,
        Input::Crash { .. } | Input::Request { .. } => true,
    }
}

fn fault_schedule(r: &mut Stream, n: NodeId, chaos: Micros, faults: Faults) -> Vec<TimedInput> {
    let mut inputs = Vec::new();
    let mut t = 0;
    let mut value = 0;
    let node = |r: &mut Stream| r.range(1, u64::from(n)) as NodeId;
    loop {
        t += r.range(ms(20), ms(400));
        if t >= chaos {
            break;
        }
        let input = match r.range(0, 12) {
            0 | 1 => Input::Crash { node: node(r) },
            2 | 3 => Input::Restart { node: node(r) },
            4 => Input::Pause { node: node(r), for_us: Some(r.range(ms(50), ms(1_000))) },
            5 => Input::Resume { node: node(r) },
            6 => {
                let mut groups = vec![Vec::new(), Vec::new()];
                for id in 1..=n {
                    groups[r.index(2)].push(id);
                }
                // Every node on one side: the partition heals every link.
                groups.retain(|g| !g.is_empty());
                Input::Partition { groups }
            }
            7 => Input::Cut { from: node(r), to: node(r), both: r.chance_ppm(500_000) },
            8 => Input::HealAll,
            9 => Input::Isolate { node: node(r) },
            10 => Input::Request { node: node(r), request: Request::Timeout },
            _ => {
                value += 1;
                Input::Request { node: node(r), request: Request::ClientWrite { value } }
            }
        };
        // Cutting a node's link to itself is meaningless: skip such draws.
        if let Input::Cut { from, to, .. } = input
            && from == to
        {
            continue;
        }
        if !allowed(&input, faults) {
            continue;
        }
        inputs.push(TimedInput { at: t, input });
    }
    inputs
}

/// Runs one seed: chaos, then heal everything and wait for a leader.
pub fn run_seed(algorithm: Algorithm, seed: u64, plan: &SweepPlan) -> SeedOutcome {
    run_seed_session(algorithm, seed, plan).0
}

/// [`run_seed`], also returning the session (for its full trace).
pub fn run_seed_session(algorithm: Algorithm, seed: u64, plan: &SweepPlan) -> (SeedOutcome, AnySession) {
    let spec = spec_for_seed(algorithm, seed, plan);
    let nodes = spec.nodes as NodeId;
    let mut session = AnySession::new(spec).expect("sweep specs are valid by construction");
    session.advance_to(plan.chaos);
    // Heal: links, network, every node.
    let heal = |s: &mut AnySession, i: Input| {
        s.act(i).expect("heal inputs are valid");
    };
    heal(&mut session, Input::HealAll);
    let calm = NetConfig { loss_ppm: 0, duplicate_ppm: 0, ..session.current_net() };
    heal(&mut session, Input::Network { net: calm });
    for id in 1..=nodes {
        heal(&mut session, Input::Resume { node: id });
        heal(&mut session, Input::Restart { node: id });
    }
    let healed_at = session.now();
    let mut recovery = None;
    let step = ms(5);
    let mut t = healed_at;
    while t <= healed_at + plan.liveness_bound {
        session.advance_to(t);
        if session.stable_leader().is_some() {
            recovery = Some(t - healed_at);
            break;
        }
        t += step;
    }
    let first_violation = session.trace().iter().find_map(|e| match &e.kind {
        crate::engine::trace::TraceKind::Violation { text } => {
            Some(format!("t={} {text}", crate::engine::time::fmt_time(e.t)))
        }
        _ => None,
    });
    let outcome = SeedOutcome {
        seed,
        violations: session.violations(),
        first_violation,
        recovery,
        steps: session.steps(),
    };
    (outcome, session)
}

/// The command that replays one seed with its full trace.
pub fn repro_command(algorithm: Algorithm, seed: u64, plan: &SweepPlan) -> String {
    let default = SweepPlan::default();
    let mut flags = String::new();
    if plan.chaos != default.chaos {
        flags += &format!(" --chaos-ms {}", plan.chaos / 1_000);
    }
    if plan.max_nodes != default.max_nodes {
        flags += &format!(" --max-nodes {}", plan.max_nodes);
    }
    for (k, v) in &plan.settings {
        flags += &format!(" --set {k}={v}");
    }
    if plan.drift_ppm != 0 {
        flags += &format!(" --drift {}ppm", plan.drift_ppm);
    }
    format!("cargo run --release -p election-cli -- sweep --algo {algorithm} --seed {seed}{flags} --trace")
}

/// Bully's planted unsafe scene, for one seed: a cluster of 3-7 processes elects its
/// coordinator, the network splits into two sides at a random moment, each side elects a
/// coordinator, and a client writes to each side's coordinator. Returns `None` when the
/// scene did not occur (a side had no coordinator when the writes came), else whether the
/// split-brain detector flagged it.
pub fn bully_partition_scene(seed: u64) -> Option<bool> {
    let mut r = Stream::new(seed, SCHEDULE_STREAM + 1);
    let n = r.range(3, 7) as NodeId;
    let mut side_a: Vec<NodeId> = Vec::new();
    let mut side_b: Vec<NodeId> = Vec::new();
    for id in 1..=n {
        if r.chance_ppm(500_000) { side_a.push(id) } else { side_b.push(id) }
    }
    if side_a.is_empty() {
        side_a.push(side_b.remove(0));
    }
    if side_b.is_empty() {
        side_b.push(side_a.remove(0));
    }
    let mut s = AnySession::new(SessionSpec::new(Algorithm::Bully, usize::from(n), seed)).ok()?;
    s.advance_to(r.range(ms(200), ms(1_000)));
    s.act(Input::Partition { groups: vec![side_a.clone(), side_b.clone()] }).ok()?;
    s.advance_to(s.now() + ms(1_500));
    let view = s.view();
    let coordinator = |side: &[NodeId]| {
        side.iter()
            .copied()
            .find(|&id| view.nodes[usize::from(id) - 1].role == crate::engine::view::Role::Leader)
    };
    let (a, b) = (coordinator(&side_a)?, coordinator(&side_b)?);
    s.act(Input::Request { node: a, request: Request::ClientWrite { value: 1 } }).ok()?;
    s.act(Input::Request { node: b, request: Request::ClientWrite { value: 2 } }).ok()?;
    Some(s.violations() > 0)
}

/// The lease lock's planted unsafe scene, for one seed: fencing off, 4-7 nodes; the first
/// client caught in the middle of its job stalls (GC pause) for longer than the TTL. Returns
/// `None` if no stale write reached storage after a newer one (the scene did not occur), else
/// whether the monitor flagged the conflicting writes.
pub fn lease_fencing_scene(seed: u64) -> Option<bool> {
    let mut r = Stream::new(seed, SCHEDULE_STREAM + 2);
    let n = r.range(4, 7) as usize;
    let mut spec = SessionSpec::new(Algorithm::Lease, n, seed);
    spec.config.settings_mut().set("fencing", "off").ok()?;
    let mut s = AnySession::new(spec).ok()?;
    let start = r.range(ms(100), ms(2_000));
    s.advance_to(start);
    let mut t = start;
    let victim = loop {
        if let Some(v) = session_holder_in_job(&s) {
            break v;
        }
        t += 1_000;
        if t > start + ms(3_000) {
            return None;
        }
        s.advance_to(t);
    };
    s.act(Input::Pause { node: victim, for_us: Some(r.range(ms(700), ms(1_500))) }).ok()?;
    s.advance_to(s.now() + ms(3_000));
    let storage = s
        .nodes_as::<crate::algorithms::lease::Lease>()
        .find(|n| n.id == crate::algorithms::lease::STORAGE)?;
    let writes: Vec<_> = storage.proto.writes().iter().cloned().collect();
    let mut max = None;
    let mut stale_accepted = false;
    for w in writes.iter().filter(|w| w.accepted) {
        if max.is_some_and(|m| w.token < m) {
            stale_accepted = true;
        }
        max = max.max(Some(w.token));
    }
    stale_accepted.then(|| s.violations() > 0)
}

fn session_holder_in_job(s: &AnySession) -> Option<NodeId> {
    s.nodes_as::<crate::algorithms::lease::Lease>()
        .find(|n| n.is_up() && n.proto.job_in_progress())
        .map(|n| n.id)
}

#[cfg(feature = "full")]
/// Kafka's planted unsafe scene, for one seed: `unclean.leader.election.enable`, one
/// partition; its last replica stalls and leaves the ISR, a record is acknowledged by the
/// others, then they crash. Returns `None` when no acknowledged record was at stake or no
/// unclean election happened, else whether the monitor flagged the lost record.
pub fn kafka_unclean_scene(seed: u64) -> Option<bool> {
    let mut r = Stream::new(seed, SCHEDULE_STREAM + 3);
    let n = r.range(4, 7) as usize;
    let mut spec = SessionSpec::new(Algorithm::Kafka, n, seed);
    spec.config.settings_mut().set("partitions", "1").ok()?;
    spec.config.settings_mut().set("unclean", "on").ok()?;
    let replicas = crate::algorithms::kafka::assignment(0, n, 3);
    let mut s = AnySession::new(spec).ok()?;
    s.advance_to(r.range(ms(500), ms(900)));
    let laggard = *replicas.last()?;
    s.act(Input::Pause { node: laggard, for_us: Some(ms(1_500)) }).ok()?;
    s.advance_to(s.now() + r.range(ms(600), ms(800)));
    let leader = {
        s.nodes_as::<crate::algorithms::kafka::Kafka>()
            .find(|n| n.proto.replica(0).is_some_and(|(_, _, lead)| lead))
            .map(|n| n.id)?
    };
    s.act(Input::Request { node: leader, request: Request::ClientWrite { value: 7 } }).ok()?;
    s.advance_to(s.now() + ms(150));
    for &rep in &replicas[..replicas.len() - 1] {
        s.act(Input::Crash { node: rep }).ok()?;
    }
    s.advance_to(s.now() + ms(2_000));
    let acked = s.trace().iter().any(|e| e.to_string().contains("acknowledges x=7"));
    let unclean = s.trace().iter().any(|e| e.to_string().contains("(unclean)"));
    (acked && unclean).then(|| s.violations() > 0)
}

#[cfg(feature = "full")]
/// KRaft's planted unsafe scene, for one seed: `unclean.leader.election.enable`, one partition
/// on 3-5 brokers; its last replica stalls until the controller fences it (out of the ISR), a
/// record is acknowledged by the others, then they crash. Returns `None` when no acknowledged
/// record was at stake or no unclean election happened, else whether the monitor flagged the
/// lost record.
pub fn kraft_unclean_scene(seed: u64) -> Option<bool> {
    let mut r = Stream::new(seed, SCHEDULE_STREAM + 4);
    let n = r.range(6, 8) as usize;
    let mut spec = SessionSpec::new(Algorithm::Kraft, n, seed);
    spec.config.settings_mut().set("partitions", "1").ok()?;
    spec.config.settings_mut().set("unclean", "on").ok()?;
    let replicas = crate::algorithms::kraft::assignment(0, n, 3, 3);
    let mut s = AnySession::new(spec).ok()?;
    s.advance_to(r.range(ms(900), ms(1_300)));
    let laggard = *replicas.last()?;
    s.act(Input::Pause { node: laggard, for_us: Some(ms(1_500)) }).ok()?;
    s.advance_to(s.now() + r.range(ms(600), ms(900)));
    let leader = kraft_partition_leader(&s)?;
    s.act(Input::Request { node: leader, request: Request::ClientWrite { value: 7 } }).ok()?;
    s.advance_to(s.now() + ms(150));
    for &rep in &replicas[..replicas.len() - 1] {
        s.act(Input::Crash { node: rep }).ok()?;
    }
    s.advance_to(s.now() + ms(2_500));
    let acked = s.trace().iter().any(|e| e.to_string().contains("acknowledges x=7"));
    let unclean = s.trace().iter().any(|e| e.to_string().contains("(unclean)"));
    (acked && unclean).then(|| s.violations() > 0)
}

#[cfg(feature = "full")]
/// KRaft's `acks=1` scene, for one seed: one partition; the leader acknowledges a record on
/// append and crashes before (or while) its followers fetch it. Returns `None` when the new
/// leader has the record anyway (nothing was lost), else whether the monitor flagged it.
pub fn kraft_acks1_scene(seed: u64) -> Option<bool> {
    use crate::algorithms::kraft::Kraft;
    let mut r = Stream::new(seed, SCHEDULE_STREAM + 5);
    let n = r.range(5, 8) as usize;
    let mut spec = SessionSpec::new(Algorithm::Kraft, n, seed);
    spec.config.settings_mut().set("partitions", "1").ok()?;
    spec.config.settings_mut().set("acks-all", "off").ok()?;
    let mut s = AnySession::new(spec).ok()?;
    s.advance_to(r.range(ms(1_000), ms(1_400)));
    let leader = kraft_partition_leader(&s)?;
    s.act(Input::Request { node: leader, request: Request::ClientWrite { value: 7 } }).ok()?;
    s.advance_to(s.now() + r.range(0, ms(40)));
    s.act(Input::Crash { node: leader }).ok()?;
    s.advance_to(s.now() + ms(1_500));
    let new_leader = kraft_partition_leader(&s)?;
    let kept = s
        .nodes_as::<Kraft>()
        .find(|n| n.id == new_leader)?
        .proto
        .replica(0)
        .is_some_and(|(log, _, _, _)| log.iter().any(|rec| rec.value == 7));
    (!kept).then(|| s.violations() > 0)
}

#[cfg(feature = "full")]
/// The broker that leads KRaft's partition 0 and knows it.
fn kraft_partition_leader(s: &AnySession) -> Option<NodeId> {
    s.nodes_as::<crate::algorithms::kraft::Kraft>()
        .find(|n| n.is_up() && n.proto.replica(0).is_some_and(|(_, _, lead, _)| lead))
        .map(|n| n.id)
}

/// What the GC-pause scene of the coordination-service recipes did, when it occurred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PauseScene {
    /// The monitor reported a violation.
    pub flagged: bool,
    /// Storage rejected the paused ex-leader's write.
    pub rejected: bool,
}

#[cfg(feature = "full")]
/// The GC-pause scene of the ZooKeeper recipe, etcd's election and the Redis lock, for one
/// seed: 4-7 nodes with `settings`; the first leader caught in the middle of its job stalls for
/// 0.7-1.5 s. Returns `None` unless another candidate led during the stall and the stalled one
/// wrote after it (the scene occurred), else what the monitor and storage did.
pub fn recipe_pause_scene(algorithm: Algorithm, seed: u64, settings: &[(&str, &str)]) -> Option<PauseScene> {
    use crate::algorithms::{etcd::Etcd, redis::Redis, zookeeper_recipe::ZkRecipe};
    use crate::engine::trace::TraceKind;
    let mut r = Stream::new(seed, SCHEDULE_STREAM + 4);
    let n = r.range(4, 7) as usize;
    let mut spec = SessionSpec::new(algorithm, n, seed);
    for (k, v) in settings {
        spec.config.settings_mut().set(k, v).ok()?;
    }
    let mut s = AnySession::new(spec).ok()?;
    let in_job = |s: &AnySession| -> Option<NodeId> {
        match algorithm {
            Algorithm::ZkRecipe => {
                s.nodes_as::<ZkRecipe>().find(|n| n.is_up() && n.proto.job_in_progress()).map(|n| n.id)
            }
            Algorithm::Etcd => {
                s.nodes_as::<Etcd>().find(|n| n.is_up() && n.proto.job_in_progress()).map(|n| n.id)
            }
            Algorithm::Redis => {
                s.nodes_as::<Redis>().find(|n| n.is_up() && n.proto.job_in_progress()).map(|n| n.id)
            }
            _ => None,
        }
    };
    let start = r.range(ms(300), ms(2_000));
    s.advance_to(start);
    let mut t = start;
    let victim = loop {
        if let Some(v) = in_job(&s) {
            break v;
        }
        t += 1_000;
        if t > start + ms(3_000) {
            return None;
        }
        s.advance_to(t);
    };
    let paused_at = s.now();
    let stall = r.range(ms(700), ms(1_500));
    s.act(Input::Pause { node: victim, for_us: Some(stall) }).ok()?;
    s.advance_to(paused_at + stall + ms(1_000));
    let resumed_at = paused_at + stall;
    let trace = s.trace();
    let other_led = trace.iter().any(|e| {
        matches!(&e.kind, TraceKind::Role { node, to, .. } if *node != victim && to.is_leader())
            && e.t > paused_at
            && e.t < resumed_at
    });
    let wrote = trace.iter().any(|e| {
        matches!(&e.kind, TraceKind::Note { node, text } if *node == victim && text.starts_with("finishes the job"))
            && e.t >= resumed_at
    });
    let rejected = trace.iter().any(|e| {
        matches!(&e.kind, TraceKind::Note { text, .. } if text.starts_with(&format!("rejects n{victim}'s write")))
    });
    (other_led && wrote).then(|| PauseScene { flagged: s.violations() > 0, rejected })
}
