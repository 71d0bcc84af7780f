//! The algorithms of the article, one folder each, all implementing [`Protocol`](crate::Protocol).
//!
//! | folder | system | leader is |
//! |---|---|---|
//! | [`raft`] | etcd, CockroachDB, TiKV | the candidate that wins a majority of votes in a term |
//! | [`bully`] | textbook (Garcia-Molina 1982) | the highest live id |
//! | [`zab`] | ZooKeeper | the server with the highest (epoch, zxid, id) a quorum agrees on |
//! | [`paxos`] | Chubby, Spanner (Multi-Paxos) | the proposer that last completed phase 1 with a majority |
//! | [`kafka`] | Kafka (ZooKeeper mode) | the controller: the first broker to create `/controller`; partition leaders from the ISR |
//! | [`lease`] | Chubby, etcd leases, Redis `SET NX PX` | the client holding an unexpired lease |

pub mod bully;
pub mod kafka;
pub mod lease;
pub mod paxos;
pub mod raft;
pub mod zab;
