//! The algorithms of the article, one folder each, all implementing [`Protocol`](crate::Protocol).
//!
//! | folder | system | leader is |
//! |---|---|---|
//! | [`raft`] | etcd, CockroachDB, TiKV | the candidate that wins a majority of votes in a term |
//! | [`bully`] | textbook (Garcia-Molina 1982) | the highest live id |

pub mod bully;
pub mod raft;
