//! Stable storage: how long a durable write (an `fsync`) takes before a node may act on it.
//!
//! Consensus algorithms write their promises to disk before they tell anyone: a Raft
//! candidate records its term and vote before it sends RequestVote, a voter before it
//! replies, a follower stores new entries before it acknowledges them (Raft Figure 2:
//! "Updated on stable storage before responding to RPCs"). A handler marks that point with
//! [`Ctx::persist`](crate::engine::protocol::Ctx::persist); the simulation then holds every
//! message the handler sends after it until the write is durable.
//!
//! A node has one disk: its writes complete in the order they were issued, each taking a
//! time drawn uniformly from [`StorageConfig`]'s range from the simulation's own storage
//! stream. Nothing else waits: the node's state has already changed and its timers run,
//! as in LogCabin, whose handlers change the state, write it, then reply. A later handler
//! that writes nothing sends at once, even past messages still held for an earlier write
//! (LogCabin would hold its lock through the write; no algorithm here relies on that).
//!
//! The default is an instant disk (0 us): no write delays anything and no random number is
//! drawn, so every run without storage settings is exactly what it was before the feature.

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::time::Micros;

/// How long one durable write takes, uniformly in `write_us_min..=write_us_max`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    /// Shortest durable write.
    pub write_us_min: Micros,
    /// Longest durable write.
    pub write_us_max: Micros,
}

/// The longest durable write the simulator accepts (one second): a disk slower than that
/// is a failure, which pauses model better.
pub const MAX_WRITE_US: Micros = 1_000_000;

impl StorageConfig {
    /// A disk whose every write takes `min..=max` microseconds.
    pub fn new(min: Micros, max: Micros) -> Self {
        StorageConfig { write_us_min: min, write_us_max: max }
    }

    /// True when writes take no time (the default): persisting delays nothing.
    pub fn is_instant(&self) -> bool {
        self.write_us_max == 0
    }

    /// Checks the range; see [`Error`].
    pub fn validate(&self) -> Result<(), Error> {
        if self.write_us_min > self.write_us_max {
            return Err(Error::Range {
                what: "disk write (us)",
                min: self.write_us_min,
                max: self.write_us_max,
            });
        }
        if self.write_us_max > MAX_WRITE_US {
            return Err(Error::Invalid { what: "disk write", reason: format!("at most {MAX_WRITE_US} us") });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_instant_and_ranges_are_checked() {
        assert!(StorageConfig::default().is_instant());
        assert!(StorageConfig::default().validate().is_ok());
        assert!(!StorageConfig::new(1_000, 2_000).is_instant());
        assert!(matches!(StorageConfig::new(5, 4).validate(), Err(Error::Range { .. })));
        assert!(matches!(StorageConfig::new(0, MAX_WRITE_US + 1).validate(), Err(Error::Invalid { .. })));
    }
}
