//! Untrusted input: a share link, a saved file or a script can come from anyone. Every case of
//! `tests/hostile/` must end with a clear error or a bounded result, and random scripts built
//! from extreme values must never panic (these tests run with overflow checks on) nor run past
//! the replay budget. Timing is measured by `scripts/measure-hostile.sh`, not here.

use election_core::engine::limits::{MAX_EVENTS_PER_REPLAY, MAX_INPUTS, MAX_TIME_US};
use election_core::scenario::{run_script, spec_from_script, spec_to_script};
use election_core::{Algorithm, Input, NetConfig, SessionSpec, TimedInput};
use proptest::prelude::*;

fn corpus(ext: &str) -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/hostile");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/hostile exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(p).unwrap()))
        .collect()
}

/// Runs a script as the CLI and the golden tests do; returns its output and the events run.
fn run(text: &str) -> (String, u64) {
    let (out, runner) = run_script(text);
    (out, runner.session().map_or(0, |s| s.steps()))
}

#[test]
fn every_hostile_script_ends_with_an_error_or_a_bounded_run() {
    // What each case must answer (a substring of its output).
    let expected = [
        ("bully-duplication-13-nodes.txt", "bully nodes=13"),
        ("crash-all-run-to-max.txt", "is over the limit of one simulated day"),
        ("fifteen-nodes-a-day.txt", "is over the limit of 500,000 events per replay"),
        ("leader-run-forever.txt", "a run of 18446744073709.551615s is over the limit"),
        ("pause-forever.txt", "a pause of 18446744073709.551615s is over the limit"),
        ("paxos-dueling-storm.txt", "paxos nodes=5"),
        ("ten-thousand-transfers.txt", "raft nodes=5"),
        ("ten-thousand-writes-one-instant.txt", "raft nodes=5"),
        ("until-new-leader-forever.txt", "a wait for a new leader of 18446744073709.551615s"),
    ];
    let files = corpus("txt");
    assert_eq!(files.len(), expected.len(), "every case has an expectation");
    for (name, text) in files {
        let want = expected.iter().find(|(n, _)| *n == name).map(|(_, w)| *w).expect("listed above");
        let (out, steps) = run(&text);
        assert!(out.contains(want), "{name}: expected {want:?} in the output");
        let commands = text.lines().count() as u64;
        assert!(steps <= MAX_EVENTS_PER_REPLAY + commands, "{name}: ran {steps} events");
        // The page reads the same text as a link: an error or a session, never a hang.
        if let Ok(spec) = spec_from_script(&text) {
            assert!(spec.inputs.iter().all(|i| i.at <= MAX_TIME_US), "{name}");
        }
    }
}

#[test]
fn every_hostile_json_is_refused_with_a_reason() {
    let expected = [
        ("duplication-everything.json", "duplication: 100% is more than the 20% the simulator accepts"),
        (
            "input-after-one-day.json",
            "input 1 (crash n1) at 86400.000001s is over the limit of one simulated day",
        ),
        ("partition-with-an-empty-side.json", "partition: every side needs at least one node"),
        ("pause-forever.json", "a pause of 18446744073709.551615s is over the limit of one simulated day"),
    ];
    let files = corpus("json");
    assert_eq!(files.len(), expected.len(), "every case has an expectation");
    for (name, text) in files {
        let want = expected.iter().find(|(n, _)| *n == name).map(|(_, w)| *w).expect("listed above");
        let e = SessionSpec::from_json(&text).expect_err(&name).to_string();
        assert!(e.contains(want), "{name}: {e}");
    }
}

/// The longest input line a script can hold: a 15-node partition, as late as allowed.
fn worst_input(i: usize) -> TimedInput {
    let groups = vec![(1..=7).collect(), (8..=15).collect()];
    TimedInput { at: MAX_TIME_US - (MAX_INPUTS - i) as u64, input: Input::Partition { groups } }
}

#[test]
fn whatever_the_lab_saves_at_the_limits_it_loads() {
    let mut spec = SessionSpec::new(Algorithm::Raft, 15, u64::MAX);
    spec.net = NetConfig {
        latency_us_min: 1,
        latency_us_max: 60_000_000,
        loss_ppm: 999_999,
        duplicate_ppm: 200_000,
    };
    spec.inputs = (0..MAX_INPUTS).map(worst_input).collect();
    let script = spec_to_script(&spec);
    assert_eq!(spec_from_script(&script).expect("the script of a session at the limits reads back"), spec);
    let json = spec.to_json();
    assert_eq!(SessionSpec::from_json(&json).expect("its JSON reads back"), spec);
    // One input more is refused by both readers, with the same limit named.
    spec.inputs.push(worst_input(MAX_INPUTS));
    let by_script = spec_from_script(&spec_to_script(&spec)).unwrap_err().to_string();
    let by_json = SessionSpec::from_json(&spec.to_json()).unwrap_err().to_string();
    assert!(by_script.contains("over the limit of 10000 inputs"), "{by_script}");
    assert!(by_json.contains("over the limit of 10000 inputs"), "{by_json}");
}

/// A command line from the script vocabulary with arbitrary, often extreme, arguments.
fn command() -> impl Strategy<Value = String> {
    let node = prop_oneof![Just("leader".to_string()), (0u32..20).prop_map(|n| format!("n{n}"))];
    let time = prop_oneof![
        any::<u64>().prop_map(|t| format!("{t}us")),
        (0u64..5_000).prop_map(|t| format!("{t}ms")),
        Just("86400s".to_string()),
        Just("1.5s".to_string()),
    ];
    prop_oneof![
        time.clone().prop_map(|t| format!("run for={t}")),
        time.clone().prop_map(|t| format!("run until={t}")),
        time.clone().prop_map(|t| format!("run until=new-leader max={t}")),
        node.clone().prop_map(|n| format!("crash {n}")),
        node.clone().prop_map(|n| format!("restart {n}")),
        (node.clone(), time.clone()).prop_map(|(n, t)| format!("pause {n} for={t}")),
        node.clone().prop_map(|n| format!("resume {n}")),
        (node.clone(), node.clone()).prop_map(|(a, b)| format!("cut {a} {b}")),
        node.clone().prop_map(|n| format!("isolate {n}")),
        Just("partition n1,n2 n3".to_string()),
        Just("heal-all".to_string()),
        (node.clone(), any::<u64>()).prop_map(|(n, v)| format!("write {n} {v}")),
        node.clone().prop_map(|n| format!("timeout {n}")),
        (node.clone(), node).prop_map(|(a, b)| format!("transfer {a} {b}")),
        (0u32..200, 0u32..200).prop_map(|(l, d)| format!("network loss={l}% duplicate={d}%")),
        Just("status".to_string()),
        "[ -~]{0,30}".prop_map(|junk| junk),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn random_scripts_never_panic_and_stay_within_the_budget(
        algo in 0usize..6,
        nodes in 0usize..17,
        extra in "[ -~]{0,20}",
        commands in proptest::collection::vec(command(), 0..12),
    ) {
        let algorithm = Algorithm::ALL[algo % Algorithm::ALL.len()];
        let text = format!("config algo={algorithm} nodes={nodes} seed=1 {extra}\n{}\n", commands.join("\n"));
        let (_, steps) = run(&text);
        prop_assert!(steps <= MAX_EVENTS_PER_REPLAY + commands.len() as u64 + 1);
        if let Ok(spec) = spec_from_script(&text) {
            // What was read can be written and read again.
            prop_assert_eq!(spec_from_script(&spec_to_script(&spec)).ok(), Some(spec.clone()));
            prop_assert_eq!(SessionSpec::from_json(&spec.to_json()).ok(), Some(spec));
        }
        // JSON garbage of the same text.
        let _ = SessionSpec::from_json(&text);
    }
}

/// A storm's view stays small: the page draws every frame from it, and a view that described
/// each of thousands of messages cost more than a frame. The rest are counted per link, and
/// nothing is lost from the count.
#[test]
fn a_storm_view_describes_a_bounded_number_of_messages_and_counts_the_rest() {
    use election_core::engine::view::{MAX_VIEW_MESSAGES, MAX_VIEW_PER_LINK};
    // Dueling proposers with 15 nodes and duplication: the page's worst case.
    let text =
        "config algo=paxos nodes=15 seed=1 backoff=off election=150..155ms duplicate=20%\nrun for=1ms\n";
    let mut s = election_core::AnySession::new(spec_from_script(text).unwrap()).unwrap();
    s.advance_to(2_000_000);
    let v = s.view();
    assert!(v.messages.len() <= MAX_VIEW_MESSAGES);
    for m in &v.messages {
        let same_link = v.messages.iter().filter(|o| (o.from, o.to) == (m.from, m.to)).count();
        assert!(same_link <= MAX_VIEW_PER_LINK);
    }
    let counted: usize = v.more.iter().map(|(_, _, k)| k).sum();
    assert!(counted > 100, "a storm: {counted} messages counted");
    // Every message in flight is either described or counted: the trace's sends, minus what
    // was delivered or dropped, is what is on the wire.
    let (mut sent, mut gone) = (0usize, 0usize);
    for e in s.trace() {
        match e.kind {
            election_core::TraceKind::Send { .. } => sent += 1,
            election_core::TraceKind::Deliver { .. } | election_core::TraceKind::Drop { .. } => gone += 1,
            _ => {}
        }
    }
    assert_eq!(v.messages.len() + counted, sent - gone);
}
