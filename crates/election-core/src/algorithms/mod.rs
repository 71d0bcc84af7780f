//! The algorithms of the article, one folder each, all implementing [`Protocol`](crate::Protocol).
//!
//! | folder | system | leader is |
//! |---|---|---|
//! | [`raft`] | etcd, CockroachDB, TiKV | the candidate that wins a majority of votes in a term |
//! | [`bully`] | textbook (Garcia-Molina 1982) | the highest live id |
//! | [`zab`] | ZooKeeper | the server with the highest (epoch, zxid, id) a quorum agrees on |
//! | [`paxos`] | Chubby, Spanner (Multi-Paxos) | the proposer that last completed phase 1 with a majority |
//! | [`kafka`] | Kafka (ZooKeeper mode) | the controller: the first broker to create `/controller`; partition leaders from the ISR |
//! | [`kraft`] | Kafka (KRaft, today) | the controller quorum's Raft leader (pre-vote, epochs); partition leaders from the ISR |
//! | [`lease`] | Chubby, etcd leases, Redis `SET NX PX` | the client holding an unexpired lease |
//! | [`zookeeper_recipe`] | ZooKeeper's leader-election recipe (Curator `LeaderLatch`) | the candidate whose ephemeral sequential znode is the lowest |
//! | [`etcd`] | etcd's election recipe (`concurrency.Election`, Go client) | the candidate whose leased key has the lowest create revision |
//! | [`redis`] | Redis `SET key value NX PX ttl`, one instance, no fencing token | the client whose value the key holds |

//!
//! An algorithm imports only the engine and, for building blocks several algorithms share,
//! [`replication`](crate::replication) (Kafka's partition replication, which [`kafka`] and
//! [`kraft`] both take from it), never another algorithm.
//!
//! Adding an algorithm: a folder here on the template of the others (`mod.rs` the teaching doc,
//! `message.rs`, `monitor.rs`, `tests.rs`), its facts on its type ([`Protocol::ID`],
//! [`Protocol::TAGLINE`], ...), one line in the list below, and scenario files under
//! `tests/scenarios/<id>/`. The [`registry`](crate::registry) builds `Algorithm`,
//! `AlgorithmConfig` and `AnyProtocol` from the list.
//!
//! [`Protocol::ID`]: crate::Protocol::ID
//! [`Protocol::TAGLINE`]: crate::Protocol::TAGLINE

/// Declares each algorithm's module, `with_algorithms!`, which hands the list to a macro (the
/// registry expands its enums from it), and [`ON_DEMAND`], so that the list exists once.
///
/// The `on_demand` group is in the registry only with the `full` feature. Its modules are
/// compiled either way (a build that leaves them out of the registry never calls them, and the
/// linker drops them), so that a build without them still knows their ids and names.
macro_rules! algorithms {
    (
        built_in: [$($module:ident :: $ty:ident),* $(,)?],
        on_demand: [$($lmodule:ident :: $lty:ident),* $(,)?] $(,)?
    ) => {
        $( pub mod $module; )*
        $( pub mod $lmodule; )*

        /// Calls `$m!(module::Type, ...)` with every algorithm of this build, in the page's
        /// picker order.
        #[cfg(feature = "full")]
        macro_rules! with_algorithms {
            ($m:ident) => {
                $m!($($module::$ty,)* $($lmodule::$lty),*);
            };
        }
        #[cfg(not(feature = "full"))]
        macro_rules! with_algorithms {
            ($m:ident) => {
                $m!($($module::$ty),*);
            };
        }
        pub(crate) use with_algorithms;

        /// The algorithms this build leaves out, which the full lab has (the `full` feature):
        /// what a page built without them offers to load. Empty in a full build.
        #[cfg(not(feature = "full"))]
        pub const ON_DEMAND: &[OnDemand] = &[$(
            OnDemand {
                id: <$lmodule::$lty as crate::engine::protocol::Protocol>::ID,
                name: <$lmodule::$lty as crate::engine::protocol::Protocol>::NAME,
                min_nodes: <$lmodule::$lty as crate::engine::protocol::Protocol>::MIN_NODES,
            },
        )*];
        /// The algorithms this build leaves out: none, it is the full lab.
        #[cfg(feature = "full")]
        pub const ON_DEMAND: &[OnDemand] = &[];
    };
}

/// An algorithm a build leaves to the full lab (see [`ON_DEMAND`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnDemand {
    /// Its id ([`Protocol::ID`](crate::Protocol::ID)).
    pub id: &'static str,
    /// Its name ([`Protocol::NAME`](crate::Protocol::NAME)).
    pub name: &'static str,
    /// The smallest cluster it accepts ([`Protocol::MIN_NODES`](crate::Protocol::MIN_NODES)).
    pub min_nodes: usize,
}

/// The algorithm `id` if this build leaves it to the full lab.
pub fn on_demand(id: &str) -> Option<&'static OnDemand> {
    ON_DEMAND.iter().find(|a| a.id == id)
}

// The registry: one line per algorithm, in the page's picker order. The page's first download
// has the built-in ones; the on-demand ones are in the full lab, a second build of the page
// (the `full` feature) that it loads when one of them is picked (see election-web's
// `full.rs`). The CLI and the tests have them all.
algorithms! {
    built_in: [
        raft::Raft,
        bully::Bully,
        zab::Zab,
        paxos::Paxos,
        lease::Lease,
    ],
    on_demand: [
        kafka::Kafka,
        kraft::Kraft,
        zookeeper_recipe::ZkRecipe,
        etcd::Etcd,
        redis::Redis,
    ],
}
