//! The registry: from the one list of algorithms in [`algorithms`](crate::algorithms), the types
//! that choose an algorithm at run time.
//!
//! * [`Algorithm`] names an algorithm; its facts ([`Algorithm::id`], [`Algorithm::min_nodes`],
//!   [`Algorithm::tagline`], ...) are read from the algorithm's own [`Protocol`] constants.
//! * [`AlgorithmConfig`] holds the settings of one algorithm.
//! * [`AnyProtocol`] is one [`Protocol`] that is any of the algorithms: what
//!   [`AnySession`](crate::AnySession) runs.
//!
//! A `Simulation<P>` and a `Session<P>` are generic, so a page that offered a
//! `Session<Raft>`, a `Session<Bully>`, ... carried one copy of the whole engine (event loop,
//! network, checkpoints, views) per algorithm: a fifth of its WebAssembly. [`AnyProtocol`] is an
//! enum of the node types whose messages, timers, settings and monitor are enums too; each
//! handler forwards to the algorithm's own through [`Ctx::lift`], which wraps what it emits.
//! The engine then exists once. Behaviour is the algorithm's own, event for event: every node of
//! a simulation runs the same algorithm (they are all built from one [`AlgorithmConfig`]),
//! timers of one algorithm keep their order inside the enum, and names, term labels and views
//! are the algorithm's own. The golden scenarios and trace hashes, which go through this type,
//! check it.
//!
//! Typed simulations (`Simulation<Raft>`) remain for the algorithms' own tests and the
//! experiments.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::algorithms::with_algorithms;
use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Message, Monitor, NodeRef, Nodes, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::Settings;
use crate::engine::time::{Micros, NodeId};
use crate::engine::view::{EntryView, NodeView, Panel};

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
    Some(NodeRef { id: node.id, state: node.state, proto: P::project(node.proto)?, clock: node.clock })
}

/// Declares `Algorithm`, `AlgorithmConfig` and the `AnyProtocol` enums from the list of
/// algorithms, and forwards every [`Protocol`] and [`Monitor`] method to the variant.
macro_rules! registry {
    ($($module:ident :: $v:ident),*) => {
        $( use crate::algorithms::$module::$v; )*

        /// The algorithms the simulator knows, in the page's picker order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Algorithm {
            $( #[doc = concat!("The ", stringify!($v), " algorithm.")] $v, )*
        }

        impl Algorithm {
            /// Every algorithm, in picker order.
            pub const ALL: &'static [Algorithm] = &[$( Algorithm::$v ),*];

            /// Display name ([`Protocol::NAME`]).
            pub fn name(self) -> &'static str {
                match self { $( Algorithm::$v => <$v as Protocol>::NAME, )* }
            }

            /// Identifier used in files, URLs and the CLI ([`Protocol::ID`]).
            pub fn id(self) -> &'static str {
                match self { $( Algorithm::$v => <$v as Protocol>::ID, )* }
            }

            /// What to try with it, in one sentence ([`Protocol::TAGLINE`]).
            pub fn tagline(self) -> &'static str {
                match self { $( Algorithm::$v => <$v as Protocol>::TAGLINE, )* }
            }

            /// What the algorithm calls its leadership clock, if it has one
            /// ([`Protocol::TERM_LABEL`]).
            pub fn term_label(self) -> Option<&'static str> {
                match self { $( Algorithm::$v => <$v as Protocol>::TERM_LABEL, )* }
            }

            /// The smallest cluster the algorithm accepts ([`Protocol::MIN_NODES`]).
            pub fn min_nodes(self) -> usize {
                match self { $( Algorithm::$v => <$v as Protocol>::MIN_NODES, )* }
            }

            /// Whether it claims safety under partitions, pauses and restarts
            /// ([`Protocol::SURVIVES_PARTITIONS`]).
            pub fn survives_partitions(self) -> bool {
                match self { $( Algorithm::$v => <$v as Protocol>::SURVIVES_PARTITIONS, )* }
            }

            /// Whether client writes land in a replicated log ([`Protocol::CLIENT_LOG`]).
            pub fn has_client_log(self) -> bool {
                match self { $( Algorithm::$v => <$v as Protocol>::CLIENT_LOG, )* }
            }

            /// The settings a production system ships with ([`Protocol::production`]).
            pub fn production_config(self) -> Option<AlgorithmConfig> {
                match self { $( Algorithm::$v => <$v as Protocol>::production().map(AlgorithmConfig::$v), )* }
            }

            /// Where the production settings come from ([`Protocol::PRODUCTION_SOURCES`]).
            pub fn production_sources(self) -> &'static [&'static str] {
                match self { $( Algorithm::$v => <$v as Protocol>::PRODUCTION_SOURCES, )* }
            }

            /// The rules `break=` can switch off, with what each is and its source
            /// ([`Protocol::RULES`]).
            pub fn rules(self) -> &'static [crate::engine::settings::Rule] {
                match self { $( Algorithm::$v => <$v as Protocol>::RULES, )* }
            }

            /// The default settings of this algorithm.
            pub fn default_config(self) -> AlgorithmConfig {
                match self { $( Algorithm::$v => AlgorithmConfig::$v(Default::default()), )* }
            }

            /// Settings of this algorithm read from their JSON object (the defaults when absent).
            fn config_from_json(self, settings: Option<&RawValue>) -> Result<AlgorithmConfig, String> {
                let Some(s) = settings else { return Ok(self.default_config()) };
                let read = |e: serde_json::Error| format!("settings: {e}");
                Ok(match self {
                    $( Algorithm::$v => AlgorithmConfig::$v(serde_json::from_str(s.get()).map_err(read)?), )*
                })
            }
        }

        /// Settings of the chosen algorithm.
        ///
        /// In JSON `{"algorithm": "raft", "settings": {..}}`.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum AlgorithmConfig {
            $( #[doc = concat!("Settings of ", stringify!($v), ".")]
               $v(<$v as Protocol>::Config), )*
        }

        impl AlgorithmConfig {
            /// Which algorithm these settings are for.
            pub fn algorithm(&self) -> Algorithm {
                match self { $( AlgorithmConfig::$v(_) => Algorithm::$v, )* }
            }

            /// Checks the settings for a cluster of `nodes`.
            pub fn validate(&self, nodes: usize) -> Result<(), Error> {
                match self { $( AlgorithmConfig::$v(c) => <$v as Protocol>::validate(c, nodes), )* }
            }

            /// The settings as `key=value` text (read).
            pub fn settings(&self) -> &dyn Settings {
                match self { $( AlgorithmConfig::$v(c) => c, )* }
            }

            /// The settings as `key=value` text (scenario files).
            pub fn settings_mut(&mut self) -> &mut dyn Settings {
                match self { $( AlgorithmConfig::$v(c) => c, )* }
            }

            /// Random options for seed sweeps (the safe configurations; [`Protocol::randomize`]).
            pub fn randomize(&mut self, rng: &mut Stream) {
                match self { $( AlgorithmConfig::$v(c) => <$v as Protocol>::randomize(c, rng), )* }
            }

            /// The settings the comparison runs with ([`Protocol::for_comparison`]).
            pub fn for_comparison(&mut self) {
                match self { $( AlgorithmConfig::$v(c) => <$v as Protocol>::for_comparison(c), )* }
            }

            /// The settings alone, as their JSON object.
            pub(crate) fn serialize_settings<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( AlgorithmConfig::$v(c) => c.serialize(s), )* }
            }
        }

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

            /// Not an algorithm: [`Protocol::name`] and the others answer from the settings.
            const ID: &'static str = "any";
            /// Not an algorithm's name: [`Protocol::name`] answers from the settings.
            const NAME: &'static str = "any algorithm";
            const TAGLINE: &'static str = "";
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

            fn randomize(config: &mut AlgorithmConfig, rng: &mut Stream) {
                config.randomize(rng)
            }

            fn for_comparison(config: &mut AlgorithmConfig) {
                config.for_comparison()
            }

            fn write_target<N: Nodes<Self> + ?Sized>(nodes: &N, stable: Option<NodeId>) -> Option<NodeId> {
                match nodes.first()?.proto {
                    $( AnyProtocol::$v(_) => <$v as Protocol>::write_target(&Project::<$v, N>::new(nodes), stable), )*
                }
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

            fn monotonic_clock(&self) -> bool {
                match self { $( AnyProtocol::$v(p) => p.monotonic_clock(), )* }
            }
        }
    };
}

with_algorithms!(registry);

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Algorithm::ALL.iter().copied().find(|a| a.id() == s).ok_or_else(|| Error::Invalid {
            what: "algorithm",
            reason: format!(
                "unknown algorithm '{s}' (known: {})",
                Algorithm::ALL.iter().map(|a| a.id()).collect::<Vec<_>>().join(", ")
            ),
        })
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Id;
        impl de::Visitor<'_> for Id {
            type Value = Algorithm;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an algorithm id such as \"raft\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Algorithm, E> {
                v.parse().map_err(|e: Error| E::custom(e))
            }
        }
        d.deserialize_str(Id)
    }
}

impl AlgorithmConfig {
    /// One line listing the settings.
    pub fn summary(&self) -> String {
        self.settings().summary()
    }
}

impl Serialize for AlgorithmConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Settings<'a>(&'a AlgorithmConfig);
        impl Serialize for Settings<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize_settings(s)
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("algorithm", &self.algorithm())?;
        map.serialize_entry("settings", &Settings(self))?;
        map.end()
    }
}

/// An [`AlgorithmConfig`] as read from JSON, before its settings are parsed: they are read
/// once `algorithm` is known (serde's adjacently tagged derive would buffer them first).
#[derive(Deserialize)]
pub(crate) struct ConfigFields {
    pub(crate) algorithm: Algorithm,
    pub(crate) settings: Option<Box<RawValue>>,
}

impl ConfigFields {
    /// The settings these fields name.
    pub(crate) fn config(&self) -> Result<AlgorithmConfig, String> {
        self.algorithm.config_from_json(self.settings.as_deref())
    }
}

impl<'de> Deserialize<'de> for AlgorithmConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ConfigFields::deserialize(d)?.config().map_err(de::Error::custom)
    }
}
