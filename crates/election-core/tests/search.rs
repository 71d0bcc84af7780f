//! The counterexample search: a planted bug is found, shrunk and replays as a scenario with
//! the violation at the same time; an unbroken algorithm is clean at a small bound; shards
//! together cover exactly the unsharded space; bad bounds are refused.

use election_core::scenario::run_script;
use election_core::search::{FaultBudget, SearchSpec, Shard, search};
use election_core::{Algorithm, SessionSpec, TraceKind, ms};

fn spec(algorithm: Algorithm, nodes: usize, broken: &str, faults: &str) -> SearchSpec {
    let mut session = SessionSpec::new(algorithm, nodes, 1);
    if !broken.is_empty() {
        session.config.settings_mut().set("break", broken).unwrap();
    }
    let mut s = SearchSpec::new(session);
    s.faults = FaultBudget::parse(faults).unwrap();
    s
}

#[test]
fn a_planted_bug_is_found_shrunk_and_replays_at_the_same_time() {
    // Paxos Made Simple §2.2, phase 2(a): the proposer must adopt the highest-numbered
    // accepted value its promises report. Broken, a chosen value is overwritten.
    let mut s = spec(Algorithm::Paxos, 3, "ignore-accepted", "crash=2,restart=2,partition=2,write=2");
    s.depth = 1;
    s.horizon = ms(1_000);
    s.swarm_runs = 5_000;
    let report = search(&s, &mut |_| true).unwrap();
    let c = report.counterexample.expect("the planted bug is found");
    assert!(c.spec.inputs.len() <= c.found.inputs.len(), "shrinking never grows the run");
    assert!(c.violation.contains("was chosen as"), "{}", c.violation);
    // The script is a golden file as it stands, and replays the violation at the same time.
    let (again, runner) = run_script(&c.script);
    assert_eq!(again, c.script, "the narrated script reproduces its own outputs");
    let session = runner.session().expect("the script configures a session");
    let first = session.trace().iter().find_map(|e| match &e.kind {
        TraceKind::Violation { text } => Some((e.t, text.clone())),
        _ => None,
    });
    assert_eq!(first, Some((c.at, c.violation.clone())), "{}", c.script);
}

fn small_bound() -> SearchSpec {
    let mut s = spec(Algorithm::Raft, 3, "", "crash=1,restart=1,partition=1");
    s.depth = 2;
    s.horizon = ms(800);
    s.step = ms(200);
    s.swarm_runs = 0;
    s.keep_fingerprints = true;
    s
}

#[test]
fn unbroken_raft_is_clean_at_a_small_bound() {
    let s = small_bound();
    let report = search(&s, &mut |_| true).unwrap();
    assert!(report.counterexample.is_none(), "{}", report.summary(&s));
    assert!(report.complete);
    assert!(report.states > 50, "{}", report.summary(&s));
    assert!(report.summary(&s).starts_with("no violation in"), "{}", report.summary(&s));
}

#[test]
fn shards_cover_exactly_the_unsharded_space() {
    let whole = search(&small_bound(), &mut |_| true).unwrap();
    let mut union = Vec::new();
    for i in 0..3 {
        let mut s = small_bound();
        s.shard = Shard { index: i, count: 3 };
        let part = search(&s, &mut |_| true).unwrap();
        assert!(part.states < whole.states, "shard {i} explores only its part");
        union.extend(part.fingerprints);
    }
    union.sort_unstable();
    union.dedup();
    assert_eq!(union, whole.fingerprints);
}

#[test]
fn cancelling_stops_the_search_and_says_so() {
    let mut s = small_bound();
    s.depth = 3;
    s.horizon = ms(2_000);
    s.step = ms(100);
    let mut asked = 0;
    let report = search(&s, &mut |_| {
        asked += 1;
        false
    })
    .unwrap();
    assert_eq!(asked, 1);
    assert!(!report.complete);
    assert!(report.summary(&s).contains("stopped early: cancelled"), "{}", report.summary(&s));
}

#[test]
fn bad_bounds_and_rules_are_refused_with_a_clear_message() {
    let mut s = small_bound();
    s.depth = 13;
    assert!(search(&s, &mut |_| true).unwrap_err().to_string().contains("depth"));
    let s = SearchSpec::new(SessionSpec::new(Algorithm::Raft, 10, 1));
    assert!(search(&s, &mut |_| true).unwrap_err().to_string().contains("at most 9"));
    let mut session = SessionSpec::new(Algorithm::Raft, 3, 1);
    let e = session.config.settings_mut().set("break", "figure9").unwrap_err();
    assert!(e.contains("vote-not-persisted, no-up-to-date-check, figure8, no-step-down"), "{e}");
    let mut bully = SessionSpec::new(Algorithm::Bully, 3, 1);
    assert!(bully.config.settings_mut().set("break", "x").unwrap_err().contains("no rules"));
    assert!(FaultBudget::parse("crash=99").is_err());
    assert!(FaultBudget::parse("meteor=1").unwrap_err().contains("known: crash"));
    assert!(Shard::parse("0/2").is_err() && Shard::parse("3/2").is_err() && Shard::parse("2/2").is_ok());
}
