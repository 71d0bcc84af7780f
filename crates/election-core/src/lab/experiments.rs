//! Experiments: the Raft paper's election-timing figure, and a fixed engine workload.
//!
//! **Figure 16** of the extended Raft paper (Figure 14 in the USENIX ATC'14 version) measures
//! how long a cluster is without a leader after the leader crashes, for several ranges of
//! randomized election timeouts. Following §9.3 of the paper: five servers; a broadcast time
//! (one round trip) of about 15 ms; the leader crashed at a uniformly random point of its
//! heartbeat interval, which was half the minimum election timeout; the servers' logs of
//! different lengths so that some candidates are ineligible; downtime measured from the crash
//! until the other servers hear the new leader's first heartbeat.
//!
//! Modelling choices (they explain differences from the paper's numbers): one-way latency is
//! drawn uniformly from 7-8 ms (so a round trip is about 15 ms); just before each crash the
//! leader appends three entries that two followers never receive, so (when the others got
//! them in time) two of the four survivors cannot win; messages are never lost; trials share
//! one warmed-up cluster per timeout range and differ in the crash point and in every random
//! stream after it ([`Simulation::reseed`]); a trial stops at 10 s (counted as "over 10 s").

use crate::algorithms::raft::{Raft, RaftConfig};
use crate::engine::input::{Input, Request};
use crate::engine::net::NetConfig;
use crate::engine::protocol::{Nodes, Protocol};
use crate::engine::rng::Stream;
use crate::engine::sim::{SimConfig, Simulation};
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::view::Role;
use crate::registry::{AlgorithmConfig, AnyProtocol, Project, Variant};

/// The top panel's timeout ranges (ms).
pub const TOP_RANGES: [(u64, u64); 6] =
    [(150, 150), (150, 151), (150, 155), (150, 175), (150, 200), (150, 300)];
/// The bottom panel's timeout ranges (ms).
pub const BOTTOM_RANGES: [(u64, u64); 4] = [(12, 24), (25, 50), (50, 100), (100, 200)];

/// What the paper reports for a range, where it reports something.
pub fn paper_figure(range: (u64, u64)) -> &'static str {
    match range {
        (150, 150) => "consistently over 10 s (split votes)",
        (150, 155) => "median 287 ms",
        (150, 200) => "worst 513 ms in 1000 trials",
        (12, 24) => "mean 35 ms, longest 152 ms",
        _ => "",
    }
}

/// Settings of the figure-16 experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fig16 {
    /// Servers (5 in the paper; 9 as an option).
    pub servers: usize,
    /// Trials per range (100 are used for 150-150, as in the paper).
    pub trials: usize,
    /// One-way latency range.
    pub latency_us: (Micros, Micros),
    /// Trials stop after this long without a leader.
    pub cap: Micros,
    /// Seed of everything.
    pub seed: u64,
}

impl Default for Fig16 {
    fn default() -> Self {
        Fig16 { servers: 5, trials: 1_000, latency_us: (7_000, 8_000), cap: ms(10_000), seed: 16 }
    }
}

/// Downtimes measured for one timeout range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeResult {
    /// Election timeout range (ms).
    pub range: (u64, u64),
    /// Downtime of each trial; `None` when it exceeded the cap.
    pub downtimes: Vec<Option<Micros>>,
}

/// Summary statistics of a range (censored trials count as the cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Smallest downtime.
    pub min: Micros,
    /// Median.
    pub median: Micros,
    /// Mean (integer microseconds).
    pub mean: Micros,
    /// 99th percentile.
    pub p99: Micros,
    /// Largest.
    pub max: Micros,
    /// Trials that hit the cap.
    pub over_cap: usize,
}

impl RangeResult {
    /// Statistics over the trials (a capped trial counts as `cap`).
    pub fn stats(&self, cap: Micros) -> Stats {
        let mut v: Vec<Micros> = self.downtimes.iter().map(|d| d.unwrap_or(cap)).collect();
        v.sort_unstable();
        let n = v.len().max(1);
        let at = |q: usize| v[((n - 1) * q / 100).min(v.len().saturating_sub(1))];
        Stats {
            min: v.first().copied().unwrap_or(0),
            median: at(50),
            mean: v.iter().sum::<Micros>() / n as u64,
            p99: at(99),
            max: v.last().copied().unwrap_or(0),
            over_cap: self.downtimes.iter().filter(|d| d.is_none()).count(),
        }
    }
}

/// The experiment's clusters run as [`AnyProtocol`] (the engine the page already carries)
/// rather than as a second, Raft-only copy of it.
type RaftSim = Simulation<AnyProtocol>;

fn leader_of(sim: &RaftSim) -> Option<NodeId> {
    sim.stable_leader()
}

/// Warms up a cluster for `range`: elects a leader (forcing one timeout if the range is so
/// narrow that votes keep splitting) and lets it settle.
fn warm_up(cfg: &Fig16, range: (u64, u64)) -> (RaftSim, NodeId) {
    let sim_config = SimConfig::new(
        cfg.servers,
        cfg.seed ^ (range.0 << 32) ^ range.1,
        NetConfig {
            latency_us_min: cfg.latency_us.0,
            latency_us_max: cfg.latency_us.1,
            ..NetConfig::default()
        },
    );
    let raft = RaftConfig {
        election_timeout_ms_min: range.0,
        election_timeout_ms_max: range.1,
        heartbeat_ms: (range.0 / 2).max(1),
        pre_vote: false,
        check_quorum: false,
    };
    let mut sim = RaftSim::new(sim_config, AlgorithmConfig::Raft(raft)).expect("valid experiment settings");
    sim.set_tracing(false);
    let mut t = 0;
    let leader = loop {
        t += ms(1_000);
        sim.run_until(t);
        if let Some(l) = leader_of(&sim) {
            break l;
        }
        // Votes keep splitting (e.g. 150-150 ms): one server campaigns out of phase.
        let _ = sim.apply(&Input::Request { node: 1, request: Request::Timeout });
    };
    sim.run_until(sim.now() + ms(500));
    let leader = leader_of(&sim).unwrap_or(leader);
    (sim, leader)
}

/// Runs `trials` crashes for one timeout range; `progress` is called after each trial.
pub fn run_range(cfg: &Fig16, range: (u64, u64), trials: usize, progress: &mut dyn FnMut()) -> RangeResult {
    let (warm, leader) = warm_up(cfg, range);
    let old_term = warm.node(leader).ok().and_then(Raft::project).map_or(0, Raft::term);
    let heartbeat = ms((range.0 / 2).max(1));
    let mut rng = Stream::new(cfg.seed, 7_000 + range.0 * 1_000 + range.1);
    let mut downtimes = Vec::with_capacity(trials);
    for trial in 0..trials {
        let mut sim = warm.clone();
        sim.reseed(cfg.seed.wrapping_mul(1_000_003).wrapping_add(trial as u64 + 1));
        // Logs of different lengths: the leader appends three entries that two followers
        // never receive (their links from the leader are cut from now on), so those two
        // cannot win the next election (§5.4.1). Their timers keep running from the last
        // heartbeat they heard, as everyone else's.
        let laggards: Vec<NodeId> = (1..=cfg.servers as NodeId).filter(|&n| n != leader).take(2).collect();
        for &l in &laggards {
            let _ = sim.apply(&Input::Cut { from: leader, to: l, both: false });
        }
        for v in 1..=3 {
            let _ = sim.apply(&Input::Request { node: leader, request: Request::ClientWrite { value: v } });
        }
        // A uniformly random point of the leader's heartbeat interval.
        let crash_at = warm.now() + rng.range(0, heartbeat - 1);
        sim.run_until(crash_at);
        let _ = sim.apply(&Input::Crash { node: leader });
        let deadline = crash_at + cfg.cap;
        let mut downtime = None;
        while sim.next_event_time().is_some_and(|t| t <= deadline) {
            sim.step();
            if new_leader_heard(&sim, leader, old_term) {
                downtime = Some(sim.now() - crash_at);
                break;
            }
        }
        downtimes.push(downtime);
        progress();
    }
    RangeResult { range, downtimes }
}

/// Every surviving server follows the same new leader of a later term.
fn new_leader_heard(sim: &RaftSim, crashed: NodeId, old_term: u64) -> bool {
    let nodes = Project::<Raft, _>::new(sim.nodes());
    let Some(l) =
        nodes.iter().find(|n| n.id != crashed && n.proto.role() == Role::Leader && n.proto.term() > old_term)
    else {
        return false;
    };
    let term = l.proto.term();
    nodes
        .iter()
        .filter(|n| n.id != crashed && n.id != l.id)
        .all(|n| n.proto.term() == term && n.proto.status().leader == Some(l.id))
}

/// The fixed benchmark workload (`election-cli bench`, `cargo bench`): `nodes`-node Raft,
/// default timings, `minutes` simulated minutes, the leader crashed once per simulated minute
/// and restarted 5 s later. Returns (events, simulated microseconds).
pub fn bench_workload(nodes: usize, minutes: u64, tracing: bool) -> (u64, Micros) {
    let mut sim =
        Simulation::<Raft>::new(SimConfig::new(nodes, 2_026, NetConfig::default()), RaftConfig::default())
            .expect("valid");
    sim.set_tracing(tracing);
    for minute in 0..minutes {
        let start = ms(60_000) * minute;
        sim.run_until(start + ms(30_000));
        if tracing {
            sim.take_trace();
        }
        if let Some(l) = sim.stable_leader() {
            let _ = sim.apply(&Input::Crash { node: l });
            sim.run_until(start + ms(35_000));
            let _ = sim.apply(&Input::Restart { node: l });
        }
        sim.run_until(start + ms(60_000));
        if tracing {
            sim.take_trace();
        }
    }
    (sim.steps(), sim.now())
}

/// An SVG with the CDFs of downtime per range, in the paper's two panels (log time axis).
pub fn cdf_svg(top: &[RangeResult], bottom: &[RangeResult], cap: Micros) -> String {
    const W: f64 = 640.0;
    const H: f64 = 260.0;
    const PAD: f64 = 48.0;
    // Coordinates with one decimal, formatted with integers (see `crate::fixed`).
    let f = |x: f64| crate::engine::time::fixed(x, 1);
    let colors = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9"];
    let x_of = |t_ms: f64| {
        let (lo, hi) = (10f64.log10(), 10_000f64.log10());
        PAD + (t_ms.max(10.0).log10() - lo) / (hi - lo) * (W - 2.0 * PAD)
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n",
        f(W),
        f(2.0 * H)
    );
    for (panel, results) in [top, bottom].iter().enumerate() {
        let oy = panel as f64 * H;
        let y_of = |fr: f64| oy + H - PAD + -(fr * (H - 2.0 * PAD));
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n",
            f(PAD),
            f(oy + PAD),
            f(W - 2.0 * PAD),
            f(H - 2.0 * PAD)
        ));
        for t in [10u32, 100, 1_000, 10_000] {
            let x = f(x_of(f64::from(t)));
            svg.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#ddd\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{t} ms</text>\n",
                f(oy + PAD),
                f(oy + H - PAD),
                f(oy + H - PAD + 14.0)
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">time without leader (log scale); y: cumulative fraction of trials</text>\n",
            f(W / 2.0),
            f(oy + H - 8.0)
        ));
        for (i, r) in results.iter().enumerate() {
            let mut v: Vec<Micros> = r.downtimes.iter().map(|d| d.unwrap_or(cap)).collect();
            v.sort_unstable();
            let n = v.len().max(1) as f64;
            let mut pts = String::new();
            for (k, d) in v.iter().enumerate() {
                let x = f(x_of(*d as f64 / 1_000.0));
                pts.push_str(&format!("{x},{} {x},{} ", f(y_of(k as f64 / n)), f(y_of((k + 1) as f64 / n))));
            }
            let c = colors[i % colors.len()];
            svg.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"1.5\" points=\"{pts}\"/>\n"
            ));
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" fill=\"{c}\">{}-{} ms</text>\n",
                f(W - PAD + 4.0 - 90.0),
                f(oy + PAD + 14.0 + 13.0 * i as f64),
                r.range.0,
                r.range.1
            ));
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn randomness_shortens_downtime_and_no_randomness_splits_votes() {
        // Raft §9.3: "a small amount of randomization in the election timeout is enough to
        // avoid split votes" — and with none, some trials never elect a leader.
        let cfg = Fig16 { cap: ms(3_000), ..Fig16::default() };
        let narrow = run_range(&cfg, (150, 150), 40, &mut || {}).stats(cfg.cap);
        let wide = run_range(&cfg, (150, 300), 40, &mut || {}).stats(cfg.cap);
        assert_eq!(wide.over_cap, 0, "{wide:?}");
        assert!(wide.max < ms(1_500), "{wide:?}");
        assert!(narrow.over_cap > 0, "{narrow:?}");
        assert!(narrow.mean > wide.mean, "{narrow:?} vs {wide:?}");
    }

    #[test]
    fn stats_are_exact_on_a_small_sample() {
        let r = RangeResult { range: (1, 2), downtimes: vec![Some(10), Some(30), Some(20), None] };
        let s = r.stats(100);
        assert_eq!((s.min, s.median, s.max, s.over_cap, s.mean), (10, 20, 100, 1, 40));
    }
}
