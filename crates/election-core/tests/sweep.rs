//! The in-suite seed sweep (Raft): random crashes, restarts, pauses, partitions, one-way
//! cuts, loss and duplication; every invariant after every event; then heal and require a
//! leader. Larger sweeps: `cargo run --release -p election-cli -- sweep --algo raft --seeds N`.

use election_core::Algorithm;
use election_core::sweep::{SweepPlan, repro_command, run_seed};

/// Seeds in the test suite (the CLI runs any number).
const SEEDS: u64 = 3_000;

#[test]
fn raft_sweep_keeps_safety_and_recovers() {
    let plan = SweepPlan::default();
    let mut failures = Vec::new();
    let mut recovered = 0;
    for seed in 0..SEEDS {
        let o = run_seed(Algorithm::Raft, seed, &plan);
        if o.ok() {
            recovered += 1;
        } else {
            failures.push(format!(
                "seed {seed}: violations={} first={} recovery={:?}\n  reproduce: {}",
                o.violations,
                o.first_violation.as_deref().unwrap_or("-"),
                o.recovery,
                repro_command(Algorithm::Raft, seed)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {SEEDS} seeds failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(recovered, SEEDS);
}
