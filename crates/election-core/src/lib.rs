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
//! The modules are layers, each importing only those below it: [`engine`] (time, network,
//! the protocol trait, the simulation), [`replication`] (building blocks several algorithms
//! share: Kafka's ISR partition replication, used by both Kafka modes), [`algorithms`] (one
//! module each, none importing another), [`registry`] (every algorithm behind one type) and
//! [`lab`] (sessions, scenarios, sweeps, the search); `tests/layers.rs` checks it.
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
pub mod engine;
pub mod lab;
pub mod registry;
pub mod replication;

pub use algorithms::bully::{Bully, BullyConfig};
pub use algorithms::kafka::{Kafka, KafkaConfig};
pub use algorithms::lease::{Lease, LeaseConfig};
pub use algorithms::paxos::{Paxos, PaxosConfig};
pub use algorithms::raft::{Raft, RaftConfig};
pub use algorithms::zab::{Zab, ZabConfig};
pub use engine::choice::{Choice, End};
pub use engine::error::Error;
pub use engine::input::{Input, Request, TimedInput};
pub use engine::net::{LinkState, NetConfig};
pub use engine::protocol::{
    Ctx, Effect, EffectSink, Message, Monitor, NodeRef, NodeState, Nodes, Protocol, Status,
};
pub use engine::sim::{NodeSlot, SimConfig, Simulation};
pub use engine::time::{MAX_NODES, Micros, NodeId, fixed, fmt_time, ms};
pub use engine::trace::{TraceEvent, TraceKind, trace_hash};
pub use engine::view::{ClusterView, EntryView, LinkView, Liveness, MessageView, NodeView, Panel, Role};
pub use engine::{clock, collections, settings};
pub use lab::fixtures::{REFERENCE_TRACE_HASH, planted_two_leaders, reference_run, reference_spec};
pub use lab::session::{MAX_TRACE_EVENTS, Marker, MarkerKind, Session};
pub use lab::spec::{AnySession, SessionSpec};
pub use lab::{compare, experiments, scenario, search, sweep};
pub use registry::{Algorithm, AlgorithmConfig, AnyProtocol};
