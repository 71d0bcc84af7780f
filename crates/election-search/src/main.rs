//! One shard of the page's counterexample search, run as a Web Worker. The page (the search
//! panel of the on-demand extras module) starts one worker per core, each with the same
//! search and its own shard `i/n`, and combines what they report; cancelling terminates
//! them. [`search`] is synchronous and never yields, so a worker never reads a message while
//! it searches: it only posts.
//!
//! Protocol (messages are plain JS values):
//! * the worker posts `"ready"` once its WebAssembly runs;
//! * the page posts the search: `[script, faults, depth, horizon_ms, step_ms, runs,
//!   max_states, shard]` (the session as a scenario script, `FaultBudget` and `Shard` in
//!   their text forms);
//! * the worker posts `["progress", phase, states, runs, steps, level, levels]` at most every
//!   100 ms and whenever the phase changes, then `["done", states, runs, steps, complete,
//!   stopped, fingerprints, counterexample]` (`stopped` a string or null, `fingerprints` a
//!   `BigUint64Array` of every state visited, for the page's union of the shards,
//!   `counterexample` null or `[violation, at_us, inputs, found_inputs, found_by, found_at_us,
//!   shrink_runs, script]`), or `["error", message]` when the search cannot start
//!   ([`SearchSpec::validate`] names what is wrong).

use election_core::ms;
use election_core::scenario::spec_from_script;
use election_core::search::{FaultBudget, SearchReport, SearchSpec, Shard, search};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Reads the page's request into the search of one shard.
fn spec_of(request: &js_sys::Array) -> Result<SearchSpec, String> {
    let text = |i: u32| request.get(i).as_string().unwrap_or_default();
    let number = |i: u32| request.get(i).as_f64().filter(|n| *n >= 0.0).unwrap_or(0.0) as u64;
    let session = spec_from_script(&text(0)).map_err(|e| e.to_string())?;
    let mut spec = SearchSpec::new(session);
    spec.faults = FaultBudget::parse(&text(1))?;
    spec.depth = usize::try_from(number(2)).unwrap_or(usize::MAX);
    spec.horizon = ms(number(3));
    spec.step = ms(number(4));
    spec.swarm_runs = number(5);
    spec.max_states = number(6).max(1);
    spec.shard = Shard::parse(&text(7))?;
    // The page counts the distinct states of all the shards together: their union.
    spec.keep_fingerprints = true;
    spec.validate().map_err(|e| e.to_string())?;
    Ok(spec)
}

/// The final message: the report, its fingerprints, the counterexample.
fn done(report: &SearchReport) -> js_sys::Array {
    let n = |v: u64| JsValue::from_f64(v as f64);
    let fingerprints = js_sys::BigUint64Array::new_with_length(report.fingerprints.len() as u32);
    fingerprints.copy_from(&report.fingerprints);
    let counterexample = report.counterexample.as_ref().map_or(JsValue::NULL, |c| {
        let fields: [JsValue; 8] = [
            c.violation.as_str().into(),
            n(c.at),
            n(c.spec.inputs.len() as u64),
            n(c.found.inputs.len() as u64),
            c.found_by.name().into(),
            n(c.found_at),
            n(c.shrink_runs),
            c.script.as_str().into(),
        ];
        fields.iter().collect::<js_sys::Array>().into()
    });
    let fields: [JsValue; 8] = [
        "done".into(),
        n(report.states),
        n(report.runs),
        n(report.steps),
        report.complete.into(),
        report.stopped.as_deref().map_or(JsValue::NULL, JsValue::from),
        fingerprints.into(),
        counterexample,
    ];
    fields.iter().collect()
}

/// Runs the search the page asked for, posting progress and the result.
fn run(scope: &DedicatedWorkerGlobalScope, request: &js_sys::Array) {
    let spec = match spec_of(request) {
        Ok(s) => s,
        Err(e) => {
            let _ = scope.post_message(&js_sys::Array::of2(&"error".into(), &e.into()));
            return;
        }
    };
    let mut last_post = f64::NEG_INFINITY;
    let mut last_phase = None;
    let result = search(&spec, &mut |p| {
        // Posting every few hundred states would flood the page: ten times a second is
        // enough for a progress line, and a new phase (a shard that found something starts
        // shrinking) is told at once.
        let now = js_sys::Date::now();
        if now - last_post >= 100.0 || last_phase != Some(p.phase) {
            last_post = now;
            last_phase = Some(p.phase);
            let n = |v: u64| JsValue::from_f64(v as f64);
            let fields: [JsValue; 7] = [
                "progress".into(),
                p.phase.name().into(),
                n(p.states),
                n(p.runs),
                n(p.steps),
                n(p.level.0 as u64),
                n(p.level.1 as u64),
            ];
            let _ = scope.post_message(&fields.iter().collect::<js_sys::Array>());
        }
        // The page cancels by terminating the worker.
        true
    });
    let message = match result {
        Ok(report) => done(&report),
        Err(e) => js_sys::Array::of2(&"error".into(), &e.to_string().into()),
    };
    let _ = scope.post_message(&message);
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let worker = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        match e.data().dyn_into::<js_sys::Array>() {
            Ok(request) => run(&worker, &request),
            Err(_) => {
                let _ = worker.post_message(&js_sys::Array::of2(&"error".into(), &"not a search".into()));
            }
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&"ready".into());
}
