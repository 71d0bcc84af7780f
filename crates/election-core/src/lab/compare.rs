//! Side-by-side comparison: several algorithms, the same fault script, a table of outcomes.

use crate::engine::input::{Input, Request};
use crate::engine::time::{Micros, NodeId, ms};
use crate::lab::spec::{AnySession, SessionSpec};
use crate::registry::Algorithm;

/// A fault script that every algorithm can run. `Leader` actions pick whatever node leads in
/// that algorithm at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Crash the leader at 1 s and restart it at 3 s.
    CrashLeader,
    /// Pause the leader for 800 ms at 1 s (a GC stall).
    PauseLeader,
    /// Cut the leader off from everyone at 1 s, heal at 3 s.
    IsolateLeader,
    /// Split the cluster in two halves at 1 s, heal at 3 s.
    SplitInTwo,
}

impl Script {
    /// Every script, for pickers.
    pub const ALL: [Script; 4] =
        [Script::CrashLeader, Script::PauseLeader, Script::IsolateLeader, Script::SplitInTwo];

    /// Human description.
    pub fn describe(self) -> &'static str {
        match self {
            Script::CrashLeader => "crash the leader at 1 s, restart it at 3 s",
            Script::PauseLeader => "pause the leader for 800 ms at 1 s (GC stall)",
            Script::IsolateLeader => "cut the leader off at 1 s, heal at 3 s",
            Script::SplitInTwo => "split the cluster in two halves at 1 s, heal at 3 s",
        }
    }
}

impl Script {
    /// Human description at `timing`'s clock.
    pub fn describe_with(self, timing: &Timing) -> String {
        let s = |t: Micros| crate::engine::limits::human_time(t);
        let (at, heal, pause) = (s(timing.fault_at), s(timing.heal_at), s(timing.pause_for));
        match self {
            Script::CrashLeader => format!("crash the leader at {at}, restart it at {heal}"),
            Script::PauseLeader => format!("pause the leader for {pause} at {at} (GC stall)"),
            Script::IsolateLeader => format!("cut the leader off at {at}, heal at {heal}"),
            Script::SplitInTwo => format!("split the cluster in two halves at {at}, heal at {heal}"),
        }
    }
}

/// What one algorithm did under a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Total time without a leader a majority follows (after the first election).
    pub leaderless: Micros,
    /// How many times the leader changed (including to "no leader").
    pub leader_changes: u32,
    /// The most nodes in the leader role at the same moment (believed leaders, not only the
    /// one a majority follows: a stale leader counts).
    pub max_leaders: usize,
    /// Messages sent.
    pub messages: u64,
    /// Client writes sent (one every 250 ms, to the leader the client last knew).
    pub writes: u32,
    /// Writes that were not committed by the end (refused by a non-leader, stranded on a
    /// minority, overwritten or lost), or `None` where the algorithm keeps no log of them
    /// (the lease lock, whose job writes are not client writes).
    pub writes_lost: Option<u32>,
    /// Invariant violations.
    pub violations: usize,
}

/// Which timings the algorithms run with, and the script's clock to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// The default settings: timeouts of a few hundred milliseconds, fast enough to watch.
    Classroom,
    /// Each system's production defaults ([`Algorithm::production_config`]): failover takes
    /// seconds, so the script runs two minutes.
    Production,
}

/// When a script acts and the client writes, for a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// The fault (crash, pause, isolate, split).
    pub fault_at: Micros,
    /// The restart or heal.
    pub heal_at: Micros,
    /// How long a pause lasts.
    pub pause_for: Micros,
    /// First client write, interval between writes, last write.
    pub writes: (Micros, Micros, Micros),
    /// How long the run lasts.
    pub duration: Micros,
}

impl Preset {
    /// The script's clock for this preset.
    pub fn timing(self) -> Timing {
        match self {
            Preset::Classroom => Timing {
                fault_at: ms(1_000),
                heal_at: ms(3_000),
                pause_for: ms(800),
                writes: (ms(500), ms(250), ms(5_500)),
                duration: DURATION,
            },
            // Faults after every system's first election (Paxos waits out a 10 s lease) and a
            // GC stall longer than etcd's timeout but shorter than Kafka's session.
            Preset::Production => Timing {
                fault_at: ms(30_000),
                heal_at: ms(90_000),
                pause_for: ms(15_000),
                writes: (ms(2_000), ms(1_000), ms(118_000)),
                duration: ms(120_000),
            },
        }
    }
}

/// How long each comparison runs with the classroom preset.
pub const DURATION: Micros = ms(6_000);

/// Runs `script` on each algorithm (cluster of `nodes`, same seed), sampling the leader every
/// millisecond. Algorithms that cannot run with `nodes` are skipped.
pub fn compare(algorithms: &[Algorithm], nodes: usize, seed: u64, script: Script) -> Vec<Outcome> {
    compare_with(algorithms, nodes, seed, script, Preset::Classroom)
}

/// [`compare`] with the timings of `preset`.
pub fn compare_with(
    algorithms: &[Algorithm],
    nodes: usize,
    seed: u64,
    script: Script,
    preset: Preset,
) -> Vec<Outcome> {
    runs(algorithms, nodes, seed, script, preset).into_iter().map(|(o, _)| o).collect()
}

/// Like [`compare`], and also returns each algorithm's recorded session (for side-by-side
/// replay: seek every session to the same time).
pub fn compare_runs(
    algorithms: &[Algorithm],
    nodes: usize,
    seed: u64,
    script: Script,
) -> Vec<(Outcome, AnySession)> {
    runs(algorithms, nodes, seed, script, Preset::Classroom)
}

/// [`compare_runs`] with the timings of `preset`.
pub fn compare_runs_with(
    algorithms: &[Algorithm],
    nodes: usize,
    seed: u64,
    script: Script,
    preset: Preset,
) -> Vec<(Outcome, AnySession)> {
    runs(algorithms, nodes, seed, script, preset)
}

/// Each algorithm that can run with `nodes` (raised to its minimum), its outcome and session.
fn runs(
    algorithms: &[Algorithm],
    nodes: usize,
    seed: u64,
    script: Script,
    preset: Preset,
) -> Vec<(Outcome, AnySession)> {
    algorithms.iter().filter_map(|&a| run_one(a, nodes.max(a.min_nodes()), seed, script, preset)).collect()
}

/// Values of client writes committed on some node at the end (`x=V` entries within a node's
/// commit index), or `None` for the lease lock (no client log).
fn committed_values(s: &AnySession) -> Option<crate::engine::collections::Set<u64>> {
    if !s.algorithm().has_client_log() {
        return None;
    }
    let v = s.view();
    Some(
        v.nodes
            .iter()
            .flat_map(|n| n.log.iter().filter(move |e| e.index <= n.commit))
            .filter_map(|e| e.label.strip_prefix("x=").and_then(|x| x.parse().ok()))
            .collect(),
    )
}

fn run_one(
    algorithm: Algorithm,
    nodes: usize,
    seed: u64,
    script: Script,
    preset: Preset,
) -> Option<(Outcome, AnySession)> {
    let mut spec = SessionSpec::new(algorithm, nodes, seed);
    if preset == Preset::Production {
        spec.config = algorithm.production_config()?;
    }
    spec.config.for_comparison();
    let timing = preset.timing();
    let writes_at = timing.writes;
    let mut s = AnySession::new(spec).ok()?;
    let n = nodes as NodeId;
    let mut leaderless = 0;
    let mut changes: u32 = 0;
    let mut last = None;
    let mut elected_once = false;
    let mut target: Option<NodeId> = None;
    let mut max_leaders = 0;
    let mut client_knows: Option<NodeId> = None;
    let mut writes: u32 = 0;
    let mut t = 0;
    while t < timing.duration {
        t += ms(1);
        s.advance_to(t);
        if t == timing.fault_at {
            target = s.stable_leader().or(Some(n));
            let l = target.unwrap_or(n);
            let input = match script {
                Script::CrashLeader => Input::Crash { node: l },
                Script::PauseLeader => Input::Pause { node: l, for_us: Some(timing.pause_for) },
                Script::IsolateLeader => Input::Isolate { node: l },
                Script::SplitInTwo => {
                    Input::Partition { groups: vec![(1..=n / 2).collect(), (n / 2 + 1..=n).collect()] }
                }
            };
            s.act(input).ok()?;
        }
        if t == timing.heal_at {
            match script {
                Script::CrashLeader => {
                    s.act(Input::Restart { node: target.unwrap_or(n) }).ok()?;
                }
                Script::IsolateLeader | Script::SplitInTwo => {
                    s.act(Input::HealAll).ok()?;
                }
                Script::PauseLeader => {}
            }
        }
        let now = s.stable_leader();
        // The client learns the leader when a majority follows one, and until then keeps
        // writing to the one it knew (it cannot tell a slow leader from a dead one either).
        if let Some(l) = s.write_target() {
            client_knows = Some(l);
        }
        if t >= writes_at.0 && t <= writes_at.2 && (t - writes_at.0) % writes_at.1 == 0 {
            writes += 1;
            if let Some(node) = client_knows {
                let request = Request::ClientWrite { value: u64::from(writes) };
                s.act(Input::Request { node, request }).ok()?;
            }
        }
        max_leaders = max_leaders.max(s.believed_leaders());
        elected_once |= now.is_some();
        if elected_once {
            if now.is_none() {
                leaderless += ms(1);
            }
            if now != last {
                changes += 1;
            }
        }
        last = now;
    }
    let messages = s.view().message_counts.iter().map(|(_, c)| c).sum();
    let writes_lost =
        committed_values(&s).map(|c| (1..=writes).filter(|v| !c.contains(&u64::from(*v))).count() as u32);
    let outcome = Outcome {
        algorithm,
        leaderless,
        leader_changes: changes.saturating_sub(1),
        max_leaders,
        messages,
        writes,
        writes_lost,
        violations: s.violations(),
    };
    Some((outcome, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_runs_every_script_and_crashing_the_leader_costs_time() {
        for script in Script::ALL {
            let out = compare(Algorithm::ALL, 5, 1, script);
            assert_eq!(out.len(), Algorithm::ALL.len(), "{script:?}");
        }
        let out = compare(&[Algorithm::Raft], 5, 1, Script::CrashLeader);
        assert!(out[0].leaderless > ms(100), "{out:?}");
        assert!(out[0].leader_changes >= 1);
        assert_eq!(out[0].violations, 0);
        // Bully under a partition splits its brain only if both sides accept writes; no writes
        // here, but two coordinators still mean leader changes.
        let bully = compare(&[Algorithm::Bully], 5, 1, Script::SplitInTwo);
        assert!(bully[0].leader_changes >= 1, "{bully:?}");
        // ... and two coordinators at once: the split brain; with the client writing to both
        // sides over time, Bully's monitor flags it.
        assert_eq!(bully[0].max_leaders, 2, "{bully:?}");
        // Raft cut in two halves (2 | 3): writes sent to the old leader on the minority side
        // are never committed; the majority elects a leader and later writes commit.
        let raft = compare(&[Algorithm::Raft], 5, 1, Script::SplitInTwo);
        assert_eq!(raft[0].violations, 0);
        assert_eq!(raft[0].writes, 21);
        assert!(raft[0].writes_lost.is_some_and(|l| l < 21), "{raft:?}");
        let lease = compare(&[Algorithm::Lease], 5, 1, Script::CrashLeader);
        assert_eq!(lease[0].writes_lost, None, "the lease lock has no client log");
    }
}
