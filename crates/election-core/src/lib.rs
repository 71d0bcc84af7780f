//! # election-core: deterministic simulations of leader election
//!
//! This crate is the engine of *Leader Election Lab*. It contains no I/O, no clock and no
//! operating-system randomness, and it builds both natively and for `wasm32`:
//!
//! * every algorithm is a **sans-I/O state machine** implementing [`Protocol`]: it reacts to
//!   start, message, timer and user-request events through a [`Ctx`] that carries the current
//!   virtual time and the node's own random stream, and answers with effects (send a message,
//!   set or cancel a timer, write a narration note);
//! * one [`Simulation`] owns virtual time (integer microseconds), the event queue (ordered by
//!   `(time, sequence number)`, so ties are deterministic), the network (per directed link:
//!   healthy or cut, latency range, loss, duplication), faults (crash, restart, pause) and the
//!   seeded PRNG streams;
//! * everything that happens is a [`TraceEvent`] with a one-line `Display` notation, and the
//!   trace has a stable hash ([`trace_hash`]): the same seed and the same inputs give the same
//!   trace, natively and in the browser;
//! * a [`Session`] is `config + seed + timed input log`. It keeps checkpoints so that
//!   [`Session::seek`] can travel to any time, and an input given at a past time forks the future.
//!
//! The user interface only ever sees [`ClusterView`]s: plain serializable structs.
//!
//! ```
//! use election_core::{Algorithm, AnySession, SessionSpec, ms};
//!
//! let spec = SessionSpec::new(Algorithm::Raft, 5, 42);
//! let mut session = AnySession::new(spec).unwrap();
//! session.advance_to(ms(1_000));
//! let view = session.view();
//! assert_eq!(view.nodes.len(), 5);
//! assert!(view.nodes.iter().any(|n| n.role.is_leader()));
//! ```

pub mod algorithms;
mod any;
pub mod any_protocol;
pub mod collections;
pub mod compare;
mod error;
pub mod experiments;
mod net;
mod protocol;
mod rng;
pub mod scenario;
mod session;
pub mod settings;
mod sim;
pub mod sweep;
mod trace;
mod view;

pub use algorithms::bully::{Bully, BullyConfig};
pub use algorithms::kafka::{Kafka, KafkaConfig};
pub use algorithms::lease::{Lease, LeaseConfig};
pub use algorithms::paxos::{Paxos, PaxosConfig};
pub use algorithms::raft::{Raft, RaftConfig};
pub use algorithms::zab::{Zab, ZabConfig};
pub use any::{Algorithm, AlgorithmConfig, AnySession, SessionSpec};
pub use error::Error;
pub use net::{LinkState, NetConfig};
pub use protocol::{
    Ctx, Effect, EffectSink, Message, Monitor, NodeRef, Nodes, Protocol, Request, Role, Status,
};
pub use session::{Input, MAX_TRACE_EVENTS, Marker, MarkerKind, Session, TimedInput};
pub use sim::{NodeSlot, NodeState, SimConfig, Simulation};
pub use trace::{TraceEvent, TraceKind, trace_hash};
pub use view::{ClusterView, EntryView, LinkView, Liveness, MessageView, NodeView, Panel};

/// Virtual time in microseconds since the start of the simulation.
///
/// Integer, never a float: protocol decisions must be exactly reproducible.
pub type Micros = u64;

/// Node identifiers are `1..=MAX_NODES`, shown as `n1`, `n2`, ...
pub type NodeId = u8;

/// The largest cluster the simulator accepts.
pub const MAX_NODES: usize = 15;

/// `x` milliseconds as [`Micros`].
pub const fn ms(x: u64) -> Micros {
    x * 1_000
}

/// Formats a time as milliseconds with microsecond precision trimmed: `231ms`, `231.417ms`.
pub fn fmt_time(t: Micros) -> String {
    let whole = t / 1_000;
    let frac = t % 1_000;
    if frac == 0 {
        format!("{whole}ms")
    } else {
        let s = format!("{frac:03}");
        format!("{whole}.{}ms", s.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formatting_is_exact() {
        assert_eq!(fmt_time(0), "0ms");
        assert_eq!(fmt_time(231_000), "231ms");
        assert_eq!(fmt_time(231_417), "231.417ms");
        assert_eq!(fmt_time(231_400), "231.4ms");
        assert_eq!(fmt_time(5), "0.005ms");
    }
}

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
    s.session_mut().corrupt_for_test(|nodes| {
        use any_protocol::Variant;
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

/// `x` with `decimals` (0-3) digits after the point, like `format!("{x:.1}")` but computed
/// with integers: drawing code uses it so that the page's WebAssembly does not carry Rust's
/// float formatter (about 11 KB). Only for pictures, never for protocol decisions.
pub fn fixed(x: f64, decimals: u8) -> String {
    let decimals = decimals.min(3);
    let scale = 10i64.pow(u32::from(decimals));
    let v = (x * scale as f64).round_ties_even() as i64;
    let (sign, v) = if v < 0 { ("-", -v) } else { ("", v) };
    if decimals == 0 {
        format!("{sign}{v}")
    } else {
        format!("{sign}{}.{:0width$}", v / scale, v % scale, width = usize::from(decimals))
    }
}

#[cfg(test)]
mod fixed_tests {
    #[test]
    fn fixed_matches_the_float_formatter_on_drawing_values() {
        for (x, d) in
            [(0.0, 1), (12.345, 1), (-3.26, 1), (599.95, 1), (0.125, 2), (7.0, 0), (-0.04, 1), (99.999, 2)]
        {
            assert_eq!(
                super::fixed(x, d),
                format!("{x:.*}", usize::from(d)).replace("-0.0", "0.0"),
                "{x} {d}"
            );
        }
    }
}
