//! The lab: everything that uses algorithms through the [`registry`](crate::registry):
//! sessions with time travel, scenario scripts and tours, seed sweeps, the counterexample
//! search, the comparison and the Figure 16 experiment.

pub mod compare;
pub mod experiments;
pub mod fixtures;
pub mod scenario;
pub mod search;
pub mod session;
pub mod spec;
pub mod sweep;
