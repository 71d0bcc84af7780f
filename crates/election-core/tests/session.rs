//! Sessions: determinism, time travel, forking, serialization and bad input.

use election_core::{
    Algorithm, AlgorithmConfig, AnySession, Error, Input, Request, SessionSpec, TimedInput, ms, trace_hash,
};
use proptest::prelude::*;

fn spec_with(inputs: Vec<TimedInput>) -> SessionSpec {
    SessionSpec { inputs, ..election_core::reference_spec() }
}

fn busy_inputs() -> Vec<TimedInput> {
    election_core::reference_spec().inputs
}

fn run_to(spec: &SessionSpec, t: u64) -> AnySession {
    let mut s = AnySession::new(spec.clone()).unwrap();
    s.advance_to(t);
    s
}

#[test]
fn same_seed_same_inputs_same_trace() {
    let spec = spec_with(busy_inputs());
    let a = run_to(&spec, ms(3_000));
    let b = run_to(&spec, ms(3_000));
    assert_eq!(a.trace(), b.trace());
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert!(a.trace().len() > 500, "a busy run, not an empty one");
    let other_seed = SessionSpec { seed: 2025, ..spec };
    assert_ne!(run_to(&other_seed, ms(3_000)).trace_hash(), a.trace_hash());
}

#[test]
fn reference_hash_is_pinned_for_native_and_wasm() {
    // election-web's wasm test computes the same run in headless Chromium and asserts this
    // value; if the simulation changes on purpose, update both.
    let s = election_core::reference_run();
    assert_eq!(format!("{:016x}", s.trace_hash()), election_core::REFERENCE_TRACE_HASH);
}

#[test]
fn seeking_back_and_forth_lands_on_identical_states() {
    let spec = spec_with(busy_inputs());
    let mut s = AnySession::new(spec.clone()).unwrap();
    s.advance_to(ms(3_000));
    let end_view = s.view();
    let end_hash = s.trace_hash();
    for t in [0, 1, 250_000, 600_000, 600_001, 1_234_567, 2_100_000, 2_999_999] {
        s.seek(t as i64).unwrap();
        let fresh = run_to(&spec, t);
        assert_eq!(s.view(), fresh.view(), "view at t={t}");
        assert_eq!(s.trace_hash(), fresh.trace_hash(), "trace at t={t}");
    }
    s.seek(ms(3_000) as i64).unwrap();
    assert_eq!(s.view(), end_view);
    assert_eq!(s.trace_hash(), end_hash);
}

#[test]
fn step_back_then_forward_returns_to_the_same_state() {
    let mut s = AnySession::new(spec_with(busy_inputs())).unwrap();
    s.advance_to(ms(1_500));
    // Steps land on event boundaries: start from one.
    s.step_forward();
    let (steps, view, hash) = (s.steps(), s.view(), s.trace_hash());
    for _ in 0..10 {
        s.step_back();
    }
    assert_eq!(s.steps(), steps - 10);
    for _ in 0..10 {
        assert!(s.step_forward());
    }
    assert_eq!((s.steps(), s.view(), s.trace_hash()), (steps, view, hash));
}

#[test]
fn acting_in_the_past_forks_the_future() {
    let mut s = AnySession::new(spec_with(busy_inputs())).unwrap();
    s.advance_to(ms(3_000));
    s.seek(ms(700) as i64).unwrap();
    let forked = s.act(Input::Crash { node: 5 }).unwrap();
    assert!(forked, "the recorded future after 700 ms is discarded");
    // Inputs after 700 ms are gone; the new one is recorded at the cursor.
    let times: Vec<u64> = s.inputs().iter().map(|i| i.at).collect();
    assert_eq!(times, vec![ms(500), ms(600), ms(700)]);
    assert_eq!(s.horizon(), ms(700));
    // The fork is itself a reproducible session.
    s.advance_to(ms(2_000));
    let replay = run_to(&s.spec(), ms(2_000));
    assert_eq!(replay.trace_hash(), s.trace_hash());
    // Acting at the live edge is not a fork.
    assert!(!s.act(Input::Restart { node: 5 }).unwrap());
}

#[test]
fn live_actions_replay_identically_from_the_spec() {
    // What a user does by clicking at odd moments (after single steps) must replay exactly
    // from the shared spec.
    let mut s = AnySession::new(SessionSpec::new(Algorithm::Raft, 5, 9)).unwrap();
    s.advance_to(ms(400));
    for _ in 0..7 {
        s.step_forward();
    }
    s.act(Input::Crash { node: s.stable_leader().unwrap() }).unwrap();
    s.advance_to(ms(1_000));
    s.act(Input::Request { node: 1, request: Request::ClientWrite { value: 5 } }).unwrap();
    s.advance_to(ms(1_500));
    let replay = run_to(&s.spec(), ms(1_500));
    assert_eq!(replay.trace(), s.trace());
}

#[test]
fn spec_json_round_trip() {
    let spec = spec_with(busy_inputs());
    let json = spec.to_json();
    assert_eq!(SessionSpec::from_json(&json).unwrap(), spec);
}

#[test]
fn an_exported_trace_imports_as_its_session() {
    let spec = spec_with(busy_inputs());
    let s = run_to(&spec, ms(1_500));
    let doc = s.export_json();
    let parsed: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(parsed["trace_hash"], format!("{:016x}", s.trace_hash()));
    assert_eq!(parsed["trace"].as_array().unwrap().len(), s.trace().len());
    assert_eq!(SessionSpec::from_json(&doc).unwrap(), spec);
    // A broken document still names the session JSON problem.
    let e = SessionSpec::from_json(&doc[..doc.len() / 2]).unwrap_err().to_string();
    assert!(e.contains("session JSON"), "{e}");
}

#[test]
fn bad_input_gets_typed_errors_not_panics() {
    // Unknown node.
    let mut s = AnySession::new(SessionSpec::new(Algorithm::Raft, 3, 1)).unwrap();
    assert_eq!(s.act(Input::Crash { node: 4 }), Err(Error::UnknownNode { node: 4, nodes: 3 }));
    assert_eq!(s.act(Input::Crash { node: 0 }), Err(Error::UnknownNode { node: 0, nodes: 3 }));
    let transfer = Input::Request { node: 1, request: Request::TransferLeadership { to: 9 } };
    assert!(matches!(s.act(transfer), Err(Error::UnknownNode { node: 9, .. })));
    // Negative seek.
    assert_eq!(s.seek(-5), Err(Error::NegativeTime(-5)));
    // Cluster size.
    for n in [0, 16, 1000] {
        assert_eq!(
            AnySession::new(SessionSpec::new(Algorithm::Raft, n, 1)).err(),
            Some(Error::ClusterSize(n))
        );
    }
    assert!(AnySession::new(SessionSpec::new(Algorithm::Raft, 15, 1)).is_ok());
    // Timeout range with min > max.
    let mut spec = SessionSpec::new(Algorithm::Raft, 3, 1);
    #[allow(irrefutable_let_patterns)] // more algorithms join the enum
    if let AlgorithmConfig::Raft(c) = &mut spec.config {
        c.election_timeout_ms_min = 400;
        c.election_timeout_ms_max = 200;
    }
    assert!(matches!(AnySession::new(spec), Err(Error::Range { min: 400, max: 200, .. })));
    // Inputs out of order or naming unknown nodes.
    let spec = spec_with(vec![
        TimedInput { at: ms(5), input: Input::HealAll },
        TimedInput { at: ms(1), input: Input::HealAll },
    ]);
    assert!(matches!(AnySession::new(spec), Err(Error::Invalid { what: "inputs", .. })));
    let spec = spec_with(vec![TimedInput { at: 0, input: Input::Crash { node: 6 } }]);
    assert!(matches!(AnySession::new(spec), Err(Error::UnknownNode { node: 6, .. })));
}

#[test]
fn malformed_json_is_a_clear_error() {
    for (text, needle) in [
        ("", "session JSON"),
        ("{\"nodes\": 5", "session JSON"),
        ("{\"nodes\": 5, \"seed\": 1, \"algorithm\": \"paxosx\"}", "session JSON"),
        ("{\"nodes\": 99, \"seed\": 1, \"algorithm\": \"raft\", \"settings\": {}}", "a cluster of 99 nodes"),
        ("[1,2,3]", "session JSON"),
    ] {
        let e = SessionSpec::from_json(text).unwrap_err().to_string();
        assert!(e.contains(needle), "{text:?} gave {e:?}");
    }
    // Past the session limit only an exported trace (whose trace is skipped) is read.
    let huge = format!("{{\"nodes\":5,\"pad\":\"{}\"}}", "x".repeat(5_000_000));
    let e = SessionSpec::from_json(&huge).unwrap_err().to_string();
    assert!(e.starts_with("a session of 5000020 bytes is over the limit of 4194304 bytes"), "{e}");
}

#[test]
fn planted_violation_is_caught() {
    // The checker is not vacuous: an input log that forces two nodes to claim leadership of
    // the same term (by a test-only corruption) must be reported.
    let s = election_core::planted_two_leaders();
    assert!(s.violations() > 0);
    let text: Vec<String> =
        s.trace().iter().filter(|e| e.to_string().contains("VIOLATION")).map(|e| e.to_string()).collect();
    assert!(text[0].contains("two leaders in term"), "{text:?}");
}

#[test]
fn trace_hash_matches_recorded_text() {
    let s = run_to(&spec_with(busy_inputs()), ms(1_000));
    assert_eq!(trace_hash(s.trace()), s.trace_hash());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Seek is pure: for random inputs and random seek targets, the state after seeking
    /// equals a fresh run to the same time.
    #[test]
    fn seek_equals_fresh_run(
        seed in 0u64..1_000,
        nodes in 1usize..=7,
        raw in proptest::collection::vec((0u64..3_000, 0u8..6, 1u8..=7), 0..12),
        targets in proptest::collection::vec(0u64..3_000, 1..6),
    ) {
        let mut inputs: Vec<TimedInput> = raw.into_iter().map(|(at, kind, n)| {
            let node = (n - 1) % nodes as u8 + 1;
            let input = match kind {
                0 => Input::Crash { node },
                1 => Input::Restart { node },
                2 => Input::Pause { node, for_us: Some(ms(200)) },
                3 => Input::Isolate { node },
                4 => Input::HealAll,
                _ => Input::Request { node, request: Request::ClientWrite { value: at } },
            };
            TimedInput { at: ms(at), input }
        }).collect();
        inputs.sort_by_key(|i| i.at);
        let mut spec = SessionSpec::new(Algorithm::Raft, nodes, seed);
        spec.inputs = inputs;
        let mut s = AnySession::new(spec.clone()).unwrap();
        s.advance_to(ms(3_000));
        prop_assert_eq!(s.violations(), 0);
        for t in targets {
            s.seek(ms(t) as i64).unwrap();
            let fresh = run_to(&spec, ms(t));
            prop_assert_eq!(s.view(), fresh.view());
            prop_assert_eq!(s.trace_hash(), fresh.trace_hash());
        }
    }
}

#[test]
fn long_runs_keep_a_bounded_trace_and_exact_hashes() {
    // Memory stays bounded: old trace events are dropped, yet every cursor keeps its exact
    // hash and seeking anywhere still matches a fresh run.
    let spec = SessionSpec::new(Algorithm::Raft, 5, 4);
    let mut s = AnySession::new(spec.clone()).unwrap();
    s.set_trace_limit(2_000);
    s.advance_to(ms(20_000));
    assert!(s.recorded_trace().len() <= 2_000, "{}", s.recorded_trace().len());
    let fresh = |t: u64| {
        let mut f = AnySession::new(spec.clone()).unwrap();
        f.advance_to(t);
        f.trace_hash()
    };
    assert_eq!(s.trace_hash(), fresh(ms(20_000)));
    s.seek(ms(3_000) as i64).unwrap();
    assert_eq!(s.trace_hash(), fresh(ms(3_000)));
    assert!(s.trace().is_empty(), "events that old were dropped");
    s.seek(ms(19_900) as i64).unwrap();
    assert_eq!(s.trace_hash(), fresh(ms(19_900)));
    assert!(!s.trace().is_empty());
    // Acting in the dropped past forks cleanly and stays reproducible.
    s.seek(ms(2_000) as i64).unwrap();
    s.act(Input::Crash { node: 1 }).unwrap();
    s.advance_to(ms(4_000));
    let mut replay = AnySession::new(SessionSpec { inputs: s.inputs().to_vec(), ..spec.clone() }).unwrap();
    replay.advance_to(ms(4_000));
    assert_eq!(s.trace_hash(), replay.trace_hash());
}

#[test]
fn every_production_preset_is_valid_cited_and_reachable_from_a_script() {
    for &a in Algorithm::ALL {
        let config = a.production_config().unwrap_or_else(|| panic!("{a} has a production preset"));
        config.validate(5).unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_ne!(config, a.default_config(), "{a}: production differs from the classroom timings");
        assert!(!a.production_sources().is_empty(), "{a}: its values are cited");
        let spec = election_core::scenario::spec_from_script(&format!(
            "config algo={a} nodes=5 seed=1 preset=production"
        ))
        .unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_eq!(spec.config, config, "{a}");
    }
    let e =
        election_core::scenario::spec_from_script("config algo=raft nodes=5 seed=1 preset=fast").unwrap_err();
    assert!(e.to_string().contains("preset=fast is not a preset"), "{e}");
}

#[test]
fn a_heartbeat_as_long_as_the_election_timeout_is_refused() {
    // Raft §5.6: the broadcast time must be well below the election timeout.
    let e = election_core::scenario::spec_from_script(
        "config algo=raft nodes=3 seed=1 election=150..300ms heartbeat=150ms",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("heartbeat: 150 ms is not shorter than the shortest election timeout (150 ms)"),
        "{e}"
    );
}
