//! Sessions as scenario scripts (`spec_to_script` / `spec_from_script`): what share links
//! and saved sessions carry. The round trip must be exact for every algorithm, setting and
//! input, and reading a scenario file must give the session running it gives.

use election_core::scenario::{run_script, spec_from_script, spec_to_script};
use election_core::{
    Algorithm, AlgorithmConfig, Choice, End, Input, NetConfig, Request, SessionSpec, TimedInput,
};
use proptest::prelude::*;

/// Settings with every field changed at random through its JSON form: a field that the script
/// did not carry would come back at its default and fail the round trip.
fn random_config(algorithm: Algorithm, values: &[u64]) -> AlgorithmConfig {
    let mut json = serde_json::to_value(algorithm.default_config()).unwrap();
    let settings = json["settings"].as_object_mut().unwrap();
    for (i, (_, v)) in settings.iter_mut().enumerate() {
        let r = values[i % values.len()];
        if v.is_boolean() {
            *v = (r % 2 == 0).into();
        } else if let Some(d) = v.as_u64() {
            // Near the default, so that most combinations stay valid.
            *v = (d + r % 3).max(1).into();
        }
    }
    serde_json::from_value(json).unwrap()
}

fn random_input(kind: u8, a: u8, b: u8, v: u64, nodes: u8) -> Input {
    let node = a % nodes + 1;
    let other = b % nodes + 1;
    match kind % 15 {
        0 => Input::Crash { node },
        1 => Input::Restart { node },
        2 => Input::Pause { node, for_us: Some(v % 2_000_000 + 1) },
        3 => Input::Pause { node, for_us: None },
        4 => Input::Resume { node },
        5 => Input::Cut { from: node, to: other, both: v % 2 == 0 },
        6 => Input::Heal { from: node, to: other, both: v % 2 == 0 },
        7 => Input::Isolate { node },
        8 => Input::Partition { groups: vec![(1..=node).collect(), vec![other]] },
        9 => Input::HealAll,
        10 => Input::Request { node, request: Request::ClientWrite { value: v } },
        11 => Input::Request { node, request: Request::Timeout },
        12 => Input::Request { node, request: Request::TransferLeadership { to: other } },
        13 => Input::ClockJump { node, by_us: (v % 4_000_000) as i64 - 2_000_000 },
        _ => Input::Network {
            net: NetConfig {
                latency_us_min: v % 5_000 + 1,
                latency_us_max: v % 5_000 + 1 + v % 7_777,
                loss_ppm: (v % 1_000_001) as u32,
                duplicate_ppm: (v % 123_457) as u32,
            },
        },
    }
}

/// A choice of every kind (issue #14: timing, loss and duplication are part of a session).
fn random_choice(kind: u8, a: u64, nodes: u8) -> Choice {
    let msg = a % 10_000 + 1;
    let end = if a % 2 == 0 { End::Min } else { End::Max };
    match kind % 5 {
        0 => Choice::Latency { msg, end },
        1 => Choice::Lost { msg },
        2 => Choice::Kept { msg },
        3 => Choice::Duplicated { msg },
        _ => Choice::Draw { node: (a % u64::from(nodes)) as u8 + 1, draw: a % 50 + 1, end },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn a_session_survives_its_script_exactly(
        algo in 0usize..6,
        nodes in 1usize..=9,
        seed in any::<u64>(),
        values in proptest::collection::vec(any::<u64>(), 1..8),
        latency in (1u64..50_000, 0u64..50_000),
        loss in 0u32..=1_000_000,
        duplicate in 0u32..=election_core::engine::limits::MAX_DUPLICATE_PPM,
        raw in proptest::collection::vec((0u64..5_000_000, any::<u8>(), any::<u8>(), any::<u8>(), any::<u64>()), 0..20),
        raw_choices in proptest::collection::vec((any::<u8>(), any::<u64>()), 0..6),
        drift in prop_oneof![Just(0u32), 0u32..=election_core::engine::clock::MAX_DRIFT_PPM],
    ) {
        let algorithm = Algorithm::ALL[algo];
        let nodes = nodes.max(algorithm.min_nodes());
        let mut inputs: Vec<TimedInput> = raw
            .into_iter()
            .map(|(at, kind, a, b, v)| TimedInput { at, input: random_input(kind, a, b, v, nodes as u8) })
            .collect();
        inputs.sort_by_key(|i| i.at);
        let spec = SessionSpec {
            nodes,
            seed,
            net: NetConfig {
                latency_us_min: latency.0,
                latency_us_max: latency.0 + latency.1,
                loss_ppm: loss,
                duplicate_ppm: duplicate,
            },
            config: random_config(algorithm, &values),
            inputs,
            choices: raw_choices.into_iter().map(|(k, a)| random_choice(k, a, nodes as u8)).collect(),
            clocks: election_core::engine::clock::ClockConfig { drift_ppm: drift },
        };
        prop_assume!(spec.validate().is_ok());
        let script = spec_to_script(&spec);
        let back = spec_from_script(&script);
        prop_assert_eq!(back.as_ref().ok(), Some(&spec), "{}\n{:?}", script, back);
    }
}

/// Reading a scenario file gives the session its run ends with: the fast reading (fixed
/// nodes, no simulation) and the run (for `leader` and `until=new-leader`) agree.
#[test]
fn every_scenario_file_reads_as_the_session_it_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            files.push(f.path());
        }
    }
    files.sort();
    assert!(files.len() >= 30, "{} files", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let (_, runner) = run_script(&text);
        let ran = runner.session().unwrap().spec();
        let read = spec_from_script(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(read, ran, "{}", f.display());
        // And what the page shares of it comes back the same.
        assert_eq!(spec_from_script(&spec_to_script(&read)).unwrap(), read, "{}", f.display());
    }
}

#[test]
fn a_bad_script_is_an_error_naming_its_line() {
    let cases = [
        ("crash n1", "line 1: a session starts with a 'config' line"),
        (
            "config algo=raft nodes=3 seed=1\nrun until=2s\nrun until=1s",
            "line 3: time 1000ms is already past",
        ),
        (
            "config algo=raft nodes=3 seed=1\ncrash n9",
            "line 2: there is no node n9: this cluster has nodes n1 to n3",
        ),
        ("config algo=raft nodes=3 seed=1\ntransfer n1 n4", "line 2: there is no node n4"),
        ("config algo=raft nodes=3 seed=1\nfly n1", "line 2: unknown command 'fly'"),
        (
            "config algo=raft nodes=3 seed=1\nrun until=90000s",
            "line 2: a run of 90000s is over the limit of one simulated day (86400s): 3600s too long",
        ),
        ("config algo=nope nodes=3 seed=1", "unknown algorithm 'nope'"),
        ("", "line 1: a session starts with a 'config' line"),
        // Written for people: what is expected, and what was given.
        ("config algo=raft nodes=3 seed=-1", "line 1: the seed must be a whole number, 0 or more, not '-1'"),
        ("config algo=raft nodes=three seed=1", "line 1: nodes must be a whole number, not 'three'"),
        (
            "config algo=raft nodes=3 seed=1 loss=150%",
            "line 1: loss must be a percentage from 0% to 100%, like 5%, not '150%'",
        ),
        (
            "config algo=raft nodes=3 seed=1\nnetwork duplicate=5",
            "line 2: duplicate must be a percentage from 0% to 100%, like 5%, not '5'",
        ),
        (
            "config algo=raft nodes=3 seed=1 latency=fast",
            "latency must be a range like 10ms..15ms, not 'fast'",
        ),
    ];
    for (text, want) in cases {
        let e = spec_from_script(text).unwrap_err().to_string();
        assert!(e.contains(want), "{text:?}: {e}");
    }
    let many = format!("config algo=raft nodes=3 seed=1\n{}", "heal-all\n".repeat(40_000));
    let e = spec_from_script(&many).unwrap_err().to_string();
    assert!(e.contains("a session of 10001 inputs is over the limit of 10000 inputs: 1 too many"), "{e}");
    let huge = format!("config algo=raft nodes=3 seed=1\n{}", "heal-all\n".repeat(500_000));
    let e = spec_from_script(&huge).unwrap_err().to_string();
    assert!(e.starts_with("a session script of 4500032 bytes is over the limit of 4194304 bytes"), "{e}");
}

/// Issue #14: choices come from share links, which are untrusted: each bad `choose` line
/// or JSON choice is refused with the line and the reason.
#[test]
fn bad_choices_are_refused_with_a_clear_message() {
    let e = |text: &str| spec_from_script(text).unwrap_err().to_string();
    let base = "config algo=raft nodes=3 seed=1\n";
    let got = e(&format!("{base}choose #0 lost\n"));
    assert!(got.starts_with("line 2: choose: '0' is not a message id"), "{got}");
    let got = e(&format!("{base}choose #3 latency=mid\n"));
    assert!(got.contains("'mid' is not an end: write 'choose #ID latency=min|max'"), "{got}");
    let got = e(&format!("{base}choose n9 draw=1 min\n"));
    assert!(got.contains("line 2: there is no node n9"), "{got}");
    let got = e(&format!("{base}choose #3 lost\nchoose #3 kept\n"));
    assert!(got.contains("line 3: choices: '#3 lost' and '#3 kept' fix the same draw"), "{got}");
    for late in ["run until=1ms\n", "crash n1\n"] {
        let got = e(&format!("{base}{late}choose #3 lost\n"));
        assert!(got.contains("choose lines come right after config"), "{got}");
    }
    let many: String = (1..=300).map(|i| format!("choose #{i} lost\n")).collect();
    let got = e(&format!("{base}{many}"));
    assert!(got.contains("257 is more than the 256 a session may carry"), "{got}");
    // A share link's JSON is checked the same way.
    let json = |choices: &str| format!(r#"{{"nodes":3,"seed":1,"algorithm":"raft","choices":[{choices}]}}"#);
    let got = SessionSpec::from_json(&json(r#"{"choice":"lost","msg":3},{"choice":"kept","msg":3}"#));
    assert!(got.unwrap_err().to_string().contains("fix the same draw"));
    let got = SessionSpec::from_json(&json(r#"{"choice":"draw","node":2,"draw":1,"end":"middle"}"#));
    assert!(got.unwrap_err().to_string().contains("unknown variant `middle`"));
    let ok = SessionSpec::from_json(&json(r#"{"choice":"latency","msg":3,"end":"max"}"#)).unwrap();
    assert_eq!(ok.choices, vec![Choice::Latency { msg: 3, end: End::Max }]);
    assert_eq!(spec_from_script(&spec_to_script(&ok)).unwrap(), ok);
}
