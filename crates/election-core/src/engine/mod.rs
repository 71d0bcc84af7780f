//! The engine: everything an algorithm runs on, and nothing that knows any algorithm.
//!
//! Files here import only each other, in this order (each from the ones before it):
//!
//! | file | holds |
//! |---|---|
//! | [`time`] | [`Micros`](time::Micros), [`NodeId`](time::NodeId), `ms`, `fmt_time` |
//! | [`units`] | text durations, ranges and percentages |
//! | [`error`], [`collections`], [`shared_log`], [`rng`] | the crate's error, sorted-vector maps and sets, logs whose clones share entries, seeded streams |
//! | [`limits`] | every bound on time, work, size and the network that input must respect |
//! | [`net`] | links, latency, loss and duplication settings |
//! | [`storage`] | how long a durable write takes |
//! | [`clock`] | each node's local clock: drift and jumps |
//! | [`input`] | what users do: [`Input`](input::Input) and [`Request`](input::Request) |
//! | [`choice`] | the engine's random draws fixed on purpose: [`Choice`](choice::Choice) |
//! | [`view`] | what the page draws: serializable views, [`Role`](view::Role) |
//! | [`settings`] | `key=value` settings of an algorithm |
//! | [`protocol`] | the sans-I/O [`Protocol`](protocol::Protocol) trait, its context and effects |
//! | [`trace`] | the trace, its text and its hash |
//! | [`sim`] | the discrete-event simulation that performs effects |
//!
//! `tests/layers.rs` checks the order, and that nothing here imports `algorithms`, the
//! registry or `lab`.

pub mod choice;
pub mod clock;
pub mod collections;
pub mod error;
pub mod input;
pub mod limits;
pub mod net;
pub mod protocol;
pub mod rng;
pub mod settings;
pub mod shared_log;
pub mod sim;
pub mod storage;
pub mod time;
pub mod trace;
pub mod units;
pub mod view;
