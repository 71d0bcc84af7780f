//! Shrinking a failing run: drop inputs while the violation persists, then move the rest
//! earlier, to round times where possible.

use crate::engine::input::{Input, Request, TimedInput};
use crate::engine::time::{Micros, ms};
use crate::lab::search::space::{fails, first_violation, with_choices, with_inputs};
use crate::lab::spec::SessionSpec;

/// Runs a shrink may make at most (each replays the spec up to the horizon).
pub const MAX_SHRINK_RUNS: u64 = 4_000;

/// What shrinking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shrunk {
    /// The smallest failing spec found.
    pub spec: SessionSpec,
    /// Runs it took.
    pub runs: u64,
}

/// Shrinks `spec`, which must violate an invariant by `horizon`: first drops every input
/// after the first violation, then, until nothing more helps, drops single inputs, drops
/// single choices (a draw left random) and moves each input to an earlier round time (the previous input's time, whole 100, 10 or 1 ms),
/// keeping each change only if some violation still happens by `horizon`; finally numbers
/// the written values 1, 2, ... `keep_going` is asked before every run (cancellation).
pub fn shrink(spec: &SessionSpec, horizon: Micros, keep_going: &mut dyn FnMut() -> bool) -> Shrunk {
    let mut runs = 0u64;
    let mut best = spec.clone();
    if let Some((t, _)) = first_violation(spec, horizon) {
        best.inputs.retain(|ti| ti.at <= t);
        runs += 1;
    }
    let mut try_spec = |candidate: &SessionSpec, runs: &mut u64| -> bool {
        if *runs >= MAX_SHRINK_RUNS || !keep_going() {
            return false;
        }
        *runs += 1;
        fails(candidate, horizon)
    };
    loop {
        let mut changed = false;
        // Drop inputs, last first: later inputs depend on earlier ones more than the reverse.
        let mut i = best.inputs.len();
        while i > 0 {
            i -= 1;
            let mut inputs = best.inputs.clone();
            inputs.remove(i);
            let candidate = with_inputs(&best, inputs);
            if try_spec(&candidate, &mut runs) {
                best = candidate;
                changed = true;
            }
        }
        // Choices, last first, like inputs.
        let mut i = best.choices.len();
        while i > 0 {
            i -= 1;
            let mut choices = best.choices.clone();
            choices.remove(i);
            let candidate = with_choices(&best, choices);
            if try_spec(&candidate, &mut runs) {
                best = candidate;
                changed = true;
            }
        }
        // Earlier, rounder times.
        for i in 0..best.inputs.len() {
            let t = best.inputs[i].at;
            let lo = if i == 0 { 0 } else { best.inputs[i - 1].at };
            let mut candidates: Vec<Micros> = vec![lo];
            for unit in [ms(100), ms(10), ms(1)] {
                candidates.push(t / unit * unit);
            }
            candidates.retain(|&c| c >= lo && c < t);
            candidates.dedup();
            for c in candidates {
                let mut inputs = best.inputs.clone();
                inputs[i].at = c;
                let candidate = with_inputs(&best, inputs);
                if try_spec(&candidate, &mut runs) {
                    best = candidate;
                    changed = true;
                    break;
                }
            }
        }
        if !changed || runs >= MAX_SHRINK_RUNS {
            break;
        }
    }
    // Written values 1, 2, 3 in order read better than whatever the search counted.
    let mut value = 0;
    let renumbered: Vec<TimedInput> = best
        .inputs
        .iter()
        .map(|ti| match &ti.input {
            Input::Request { node, request: Request::ClientWrite { .. } } => {
                value += 1;
                TimedInput {
                    at: ti.at,
                    input: Input::Request { node: *node, request: Request::ClientWrite { value } },
                }
            }
            _ => ti.clone(),
        })
        .collect();
    if renumbered != best.inputs {
        let candidate = with_inputs(&best, renumbered);
        if try_spec(&candidate, &mut runs) {
            best = candidate;
        }
    }
    Shrunk { spec: best, runs }
}
