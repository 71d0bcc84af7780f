//! Fixed runs that tests in every layer share: the reference run whose trace hash native and
//! wasm builds must agree on, and a planted violation that proves the checker is not vacuous.

use crate::algorithms::raft::Raft;
use crate::engine::input::{Input, Request, TimedInput};
use crate::engine::time::ms;
use crate::lab::spec::{AnySession, SessionSpec};
use crate::registry::Algorithm;

/// The trace hash of [`reference_run`], asserted natively and in the browser (wasm).
pub const REFERENCE_TRACE_HASH: &str = "7e3157edd574f17f";

/// A fixed, busy run used to check that native and wasm builds produce the same trace:
/// 5-node Raft, seed 2024, a write, a crash, an isolation, a pause, healing and a restart.
pub fn reference_run() -> AnySession {
    let mut s = AnySession::new(reference_spec()).expect("the reference spec is valid");
    s.advance_to(ms(3_000));
    s
}

/// The spec of [`reference_run`].
pub fn reference_spec() -> SessionSpec {
    let mut spec = SessionSpec::new(Algorithm::Raft, 5, 2024);
    spec.inputs = vec![
        TimedInput {
            at: ms(500),
            input: Input::Request { node: 1, request: Request::ClientWrite { value: 1 } },
        },
        TimedInput { at: ms(600), input: Input::Crash { node: 2 } },
        TimedInput { at: ms(900), input: Input::Isolate { node: 3 } },
        TimedInput { at: ms(1_400), input: Input::Pause { node: 4, for_us: Some(ms(400)) } },
        TimedInput { at: ms(2_000), input: Input::HealAll },
        TimedInput { at: ms(2_100), input: Input::Restart { node: 2 } },
    ];
    spec
}

/// A session in which two nodes are forced (by corrupting state, which no input can do) to
/// lead the same term: proves the invariant checker reports what it should.
#[doc(hidden)]
pub fn planted_two_leaders() -> AnySession {
    let mut s = AnySession::new(SessionSpec::new(Algorithm::Raft, 3, 1)).expect("valid");
    s.advance_to(ms(600));
    s.corrupt_for_test(|nodes| {
        use crate::registry::Variant;
        let raft = |i: usize| Raft::project(&nodes[i].proto).expect("a Raft cluster");
        let leader = (0..nodes.len()).position(|i| raft(i).role().is_leader()).expect("a leader by 600 ms");
        let other = (leader + 1) % nodes.len();
        let term = raft(leader).term();
        if let Some(p) = Raft::project_mut(&mut nodes[other].proto) {
            p.force_leader_for_test(term);
        }
    });
    s.advance_to(ms(700));
    s
}
