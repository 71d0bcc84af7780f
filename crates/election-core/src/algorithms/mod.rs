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

//!
//! Adding an algorithm: a folder here on the template of the others (`mod.rs` the teaching doc,
//! `message.rs`, `monitor.rs`, `tests.rs`), its facts on its type ([`Protocol::ID`],
//! [`Protocol::TAGLINE`], ...), one line in the list below, and scenario files under
//! `tests/scenarios/<id>/`. The [`registry`](crate::registry) builds `Algorithm`,
//! `AlgorithmConfig` and `AnyProtocol` from the list.
//!
//! [`Protocol::ID`]: crate::Protocol::ID
//! [`Protocol::TAGLINE`]: crate::Protocol::TAGLINE

/// Declares each algorithm's module and `with_algorithms!`, which hands the list to a macro
/// (the registry expands its enums from it), so that the list exists once.
macro_rules! algorithms {
    ($($module:ident :: $ty:ident),* $(,)?) => {
        $( pub mod $module; )*

        /// Calls `$m!(module::Type, ...)` with every algorithm, in the page's picker order.
        macro_rules! with_algorithms {
            ($m:ident) => {
                $m!($($module::$ty),*);
            };
        }
        pub(crate) use with_algorithms;
    };
}

// The registry: one line per algorithm, in the page's picker order. KRaft sits behind the
// `kraft` feature (on for the CLI and the tests, off in the page: see Cargo.toml), so the list
// is written twice until the page loads algorithms when they are picked.
#[cfg(feature = "kraft")]
algorithms! {
    raft::Raft,
    bully::Bully,
    zab::Zab,
    paxos::Paxos,
    lease::Lease,
    kafka::Kafka,
    kraft::Kraft,
}
#[cfg(not(feature = "kraft"))]
algorithms! {
    raft::Raft,
    bully::Bully,
    zab::Zab,
    paxos::Paxos,
    lease::Lease,
    kafka::Kafka,
}
