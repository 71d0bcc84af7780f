//! Clocks as a fault (issue #16): a planted clock jump on the Redis node, or on one of
//! Redlock's five instances, is flagged every time it lets two clients hold the lock, judged
//! from the cluster's views, not from the monitor.

use election_core::scenario::spec_from_script;
use election_core::{AnySession, ClusterView};

/// Runs `script` and watches each millisecond from `from_ms` for `for_ms`: returns (did
/// `unsafe_now` hold in any view, did the monitor flag a violation by the end).
fn planted(
    script: &str,
    from_ms: u64,
    for_ms: u64,
    unsafe_now: impl Fn(&ClusterView) -> bool,
) -> (bool, bool) {
    let spec = spec_from_script(script).expect("a valid script");
    let mut s = AnySession::new(spec).expect("a valid session");
    let seen = (from_ms..from_ms + for_ms).any(|ms| {
        s.advance_to(ms * 1_000);
        unsafe_now(&s.view())
    });
    s.advance_to((from_ms + for_ms - 1) * 1_000);
    (seen, s.violations() > 0)
}

/// Runs 60 seeds of `scene(seed, at_ms)`, the jump at a varied moment from `from_ms`: every
/// run where the unsafe state was seen is flagged; returns how many there were.
fn every_occurrence_flagged(from_ms: u64, scene: impl Fn(u64, u64) -> (bool, bool)) -> usize {
    let mut occurred = 0;
    for seed in 1..=60 {
        let at = from_ms + seed * 7 % 500;
        let (seen, flagged) = scene(seed, at);
        if seen {
            occurred += 1;
            assert!(flagged, "seed {seed}, jump at {at} ms: two holders, no violation flagged");
        }
    }
    occurred
}

/// Redis's clock jumps 1 s (twice the 500 ms TTL) forward at `at_ms`: does a client still count
/// on a lock value Redis no longer holds?
fn redis_jump(seed: u64, at_ms: u64) -> (bool, bool) {
    let script = format!("config algo=redis nodes=5 seed={seed}\nrun until={at_ms}ms\njump n1 by=+1s\n");
    planted(&script, at_ms, 600, |v| {
        let key = v.nodes[0].summary.strip_prefix("lock=").map(|k| k.split(' ').next().unwrap_or_default());
        v.nodes[2..].iter().any(|n| {
            n.summary
                .strip_prefix("holds=")
                .and_then(|h| h.split(' ').next())
                .is_some_and(|held| held != "-" && key.is_some_and(|k| k != "-" && k != held))
        })
    })
}

#[test]
fn a_clock_jump_on_redis_that_lets_two_clients_hold_the_lock_is_flagged_every_time() {
    let occurred = every_occurrence_flagged(400, redis_jump);
    // The plant works: a jump past the TTL gives the key away early in most runs.
    assert!(occurred >= 30, "two holders in only {occurred} of 60 runs");
}

/// Redlock over five instances (n1..n5, storage n6, clients n7 and n8) in Kleppmann's
/// setting: n7 cannot reach n4 and n5, n8 cannot reach n1 and n2, so both depend on n3, whose
/// clock jumps 1 s forward at `at_ms`: do both clients believe they hold the lock at once?
fn redlock_jump(seed: u64, at_ms: u64) -> (bool, bool) {
    let script = format!(
        "config algo=redis nodes=8 seed={seed} instances=5\ncut n7 n4\ncut n7 n5\ncut n8 n1\ncut n8 n2\nrun until={at_ms}ms\njump n3 by=+1s\n"
    );
    planted(&script, at_ms, 800, |v| {
        v.nodes[6..].iter().all(|n| n.summary.starts_with("holds=") && !n.summary.starts_with("holds=-"))
    })
}

#[test]
fn a_clock_jump_on_a_redlock_instance_that_grants_the_lock_twice_is_flagged_every_time() {
    let occurred = every_occurrence_flagged(300, redlock_jump);
    eprintln!("redlock, n3's clock jumps 1 s: two holders in {occurred} of 60 runs, all flagged");
    assert!(occurred >= 25, "two holders in only {occurred} of 60 runs");
}

#[test]
fn perfect_clocks_give_the_trace_of_a_session_without_clocks() {
    // `drift=0ppm` is the default: no draw, the same trace hash as before clocks existed
    // (the golden files pin it for every algorithm; this pins the spelling too).
    let a = spec_from_script("config algo=raft nodes=5 seed=3\n").unwrap();
    let b = spec_from_script("config algo=raft nodes=5 seed=3 drift=0ppm\n").unwrap();
    let run = |spec| {
        let mut s = AnySession::new(spec).unwrap();
        s.advance_to(2_000_000);
        s.trace_hash()
    };
    assert_eq!(run(a), run(b));
    let drifting = spec_from_script("config algo=raft nodes=5 seed=3 drift=50000ppm\n").unwrap();
    assert_ne!(run(drifting.clone()), run(spec_from_script("config algo=raft nodes=5 seed=3\n").unwrap()));
    // Drift is part of the session: its script says so and reads back the same.
    let text = election_core::scenario::spec_to_script(&drifting);
    assert!(text.contains(" drift=50000ppm "), "{text}");
    assert_eq!(spec_from_script(&text).unwrap(), drifting);
}
