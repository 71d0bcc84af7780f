//! One [`Protocol`] that is any of the six algorithms: what [`AnySession`](crate::AnySession)
//! runs.
//!
//! A `Simulation<P>` and a `Session<P>` are generic, so a page that offered six
//! `Session<Raft>`, `Session<Bully>`, ... carried six copies of the whole engine (event loop,
//! network, checkpoints, views): a fifth of its WebAssembly. [`AnyProtocol`] is an enum of the
//! six node types whose messages, timers, settings and monitor are enums too; each handler
//! forwards to the algorithm's own through [`Ctx::lift`], which wraps what it emits. The engine
//! then exists once. Behaviour is unchanged, event for event: every node of a simulation runs
//! the same algorithm (they are all built from one [`AlgorithmConfig`]), timers of one
//! algorithm keep their order inside the enum, and names, term labels and views are the
//! algorithm's own. The golden scenarios and trace hashes, which go through this type, check
//! it.
//!
//! Typed simulations (`Simulation<Raft>`) remain for the algorithms' own tests and the
//! experiments.

use std::fmt;
use std::marker::PhantomData;

use crate::algorithms::{bully::Bully, kafka::Kafka, lease::Lease, paxos::Paxos, raft::Raft, zab::Zab};
use crate::any::AlgorithmConfig;
use crate::error::Error;
use crate::protocol::{Ctx, Message, Monitor, NodeRef, Nodes, Protocol, Request, Status};
use crate::view::{EntryView, NodeView, Panel};
use crate::{Micros, NodeId};

/// An algorithm that can stand inside [`AnyProtocol`].
pub trait Variant: Protocol {
    /// This node's state if `any` runs this algorithm.
    fn project(any: &AnyProtocol) -> Option<&Self>;
    /// Mutable [`Variant::project`].
    fn project_mut(any: &mut AnyProtocol) -> Option<&mut Self>;
}

/// The nodes of an [`AnyProtocol`] cluster seen as algorithm `P`'s own type (for its monitor
/// and panel). A node of another algorithm is absent (it cannot occur).
#[derive(Debug)]
pub struct Project<'a, P, N: ?Sized> {
    nodes: &'a N,
    algorithm: PhantomData<fn() -> P>,
}

impl<'a, P, N: ?Sized> Project<'a, P, N> {
    /// `nodes` as algorithm `P`'s nodes.
    pub fn new(nodes: &'a N) -> Self {
        Project { nodes, algorithm: PhantomData }
    }
}

impl<P: Variant, N: Nodes<AnyProtocol> + ?Sized> Nodes<P> for Project<'_, P, N> {
    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn get(&self, index: usize) -> Option<NodeRef<'_, P>> {
        project(self.nodes.get(index)?)
    }
}

/// `node` as algorithm `P`'s node (`None` if it runs another algorithm).
pub fn project<P: Variant>(node: NodeRef<'_, AnyProtocol>) -> Option<NodeRef<'_, P>> {
    Some(NodeRef { id: node.id, state: node.state, proto: P::project(node.proto)? })
}

/// Declares the enums and forwards every [`Protocol`] and [`Monitor`] method to the variant.
macro_rules! any_protocol {
    ($($v:ident),*) => {
        /// A node running any one of the algorithms.
        #[derive(Debug, Clone)]
        pub enum AnyProtocol {
            $( #[doc = concat!("A ", stringify!($v), " node.")] $v($v), )*
        }

        /// A message of any algorithm.
        #[derive(Debug, Clone)]
        pub enum AnyMsg {
            $( #[doc = concat!("A ", stringify!($v), " message.")] $v(<$v as Protocol>::Msg), )*
        }

        /// A timer of any algorithm (ordered like the algorithm's own within a variant).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum AnyTimer {
            $( #[doc = concat!("A ", stringify!($v), " timer.")] $v(<$v as Protocol>::Timer), )*
        }

        /// The safety monitor of any algorithm.
        #[derive(Debug, Clone)]
        pub enum AnyMonitor {
            $( #[doc = concat!("The ", stringify!($v), " monitor.")] $v(<$v as Protocol>::Monitor), )*
        }

        $(
            impl Variant for $v {
                fn project(any: &AnyProtocol) -> Option<&Self> {
                    #[allow(irrefutable_let_patterns, unreachable_patterns)]
                    match any {
                        AnyProtocol::$v(p) => Some(p),
                        _ => None,
                    }
                }

                fn project_mut(any: &mut AnyProtocol) -> Option<&mut Self> {
                    #[allow(irrefutable_let_patterns, unreachable_patterns)]
                    match any {
                        AnyProtocol::$v(p) => Some(p),
                        _ => None,
                    }
                }
            }
        )*

        impl Message for AnyMsg {
            fn kind(&self) -> &'static str {
                match self { $( AnyMsg::$v(m) => m.kind(), )* }
            }

            fn is_heartbeat(&self) -> bool {
                match self { $( AnyMsg::$v(m) => m.is_heartbeat(), )* }
            }
        }

        impl fmt::Display for AnyMsg {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self { $( AnyMsg::$v(m) => m.fmt(f), )* }
            }
        }

        impl fmt::Display for AnyTimer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self { $( AnyTimer::$v(t) => t.fmt(f), )* }
            }
        }

        impl Monitor<AnyProtocol> for AnyMonitor {
            fn after_event<N: Nodes<AnyProtocol> + ?Sized>(
                &mut self,
                now: Micros,
                node: NodeId,
                nodes: &N,
            ) -> Vec<String> {
                match self { $( AnyMonitor::$v(m) => m.after_event(now, node, &Project::<$v, N>::new(nodes)), )* }
            }

            fn stable_leader<N: Nodes<AnyProtocol> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
                match self { $( AnyMonitor::$v(m) => m.stable_leader(&Project::<$v, N>::new(nodes)), )* }
            }
        }

        impl Protocol for AnyProtocol {
            type Msg = AnyMsg;
            type Timer = AnyTimer;
            type Config = AlgorithmConfig;
            type Monitor = AnyMonitor;

            /// Not an algorithm's name: [`Protocol::name`] answers from the settings.
            const NAME: &'static str = "any algorithm";
            const TERM_LABEL: Option<&'static str> = None;

            fn name(config: &AlgorithmConfig) -> &'static str {
                config.algorithm().name()
            }

            fn term_label(config: &AlgorithmConfig) -> Option<&'static str> {
                config.algorithm().term_label()
            }

            fn supports_transfer(config: &AlgorithmConfig) -> bool {
                match config { $( AlgorithmConfig::$v(_) => <$v as Protocol>::SUPPORTS_TRANSFER, )* }
            }

            fn validate(config: &AlgorithmConfig, nodes: usize) -> Result<(), Error> {
                config.validate(nodes)
            }

            fn monitor(config: &AlgorithmConfig) -> AnyMonitor {
                match config { $( AlgorithmConfig::$v(c) => AnyMonitor::$v(<$v as Protocol>::monitor(c)), )* }
            }

            fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
                match nodes.first()?.proto {
                    $( AnyProtocol::$v(_) => <$v as Protocol>::panel(&Project::<$v, N>::new(nodes)), )*
                }
            }

            fn new(id: NodeId, peers: &[NodeId], config: &AlgorithmConfig) -> Self {
                match config { $( AlgorithmConfig::$v(c) => AnyProtocol::$v(<$v as Protocol>::new(id, peers, c)), )* }
            }

            fn on_start(&mut self, ctx: &mut Ctx<'_, AnyMsg, AnyTimer>) {
                match self { $( AnyProtocol::$v(p) => ctx.lift(AnyMsg::$v, AnyTimer::$v, |c| p.on_start(c)), )* }
            }

            fn on_message(&mut self, ctx: &mut Ctx<'_, AnyMsg, AnyTimer>, from: NodeId, msg: AnyMsg) {
                #[allow(unreachable_patterns)]
                match (self, msg) {
                    $( (AnyProtocol::$v(p), AnyMsg::$v(m)) => {
                        ctx.lift(AnyMsg::$v, AnyTimer::$v, |c| p.on_message(c, from, m))
                    } )*
                    // Every node of a simulation runs one algorithm: no other message exists.
                    _ => {}
                }
            }

            fn on_timer(&mut self, ctx: &mut Ctx<'_, AnyMsg, AnyTimer>, timer: AnyTimer) {
                #[allow(unreachable_patterns)]
                match (self, timer) {
                    $( (AnyProtocol::$v(p), AnyTimer::$v(t)) => {
                        ctx.lift(AnyMsg::$v, AnyTimer::$v, |c| p.on_timer(c, t))
                    } )*
                    // A node only arms its own algorithm's timers.
                    _ => {}
                }
            }

            fn on_request(&mut self, ctx: &mut Ctx<'_, AnyMsg, AnyTimer>, request: Request) {
                match self { $( AnyProtocol::$v(p) => ctx.lift(AnyMsg::$v, AnyTimer::$v, |c| p.on_request(c, request)), )* }
            }

            fn on_crash(&mut self) {
                match self { $( AnyProtocol::$v(p) => p.on_crash(), )* }
            }

            fn status(&self) -> Status {
                match self { $( AnyProtocol::$v(p) => p.status(), )* }
            }

            fn is_routine_timer(timer: AnyTimer) -> bool {
                match timer { $( AnyTimer::$v(t) => <$v as Protocol>::is_routine_timer(t), )* }
            }

            fn watched_timer(&self) -> Option<AnyTimer> {
                match self { $( AnyProtocol::$v(p) => p.watched_timer().map(AnyTimer::$v), )* }
            }

            fn describe(&self, view: &mut NodeView) {
                match self { $( AnyProtocol::$v(p) => p.describe(view), )* }
            }

            fn summary(&self) -> String {
                match self { $( AnyProtocol::$v(p) => p.summary(), )* }
            }

            fn log_view(&self) -> (Vec<EntryView>, u64) {
                match self { $( AnyProtocol::$v(p) => p.log_view(), )* }
            }
        }
    };
}

any_protocol!(Raft, Bully, Lease, Paxos, Zab, Kafka);
