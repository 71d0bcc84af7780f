//! The simulated network: per directed link state, latency, loss and duplication.

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::limits::MAX_DUPLICATE_PPM;
use crate::engine::time::{Micros, NodeId, ms};

/// Network settings shared by every link.
///
/// Probabilities are integers in parts per million so that no float takes part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetConfig {
    /// Smallest one-way latency.
    pub latency_us_min: Micros,
    /// Largest one-way latency.
    pub latency_us_max: Micros,
    /// Probability that a message is lost, in parts per million.
    pub loss_ppm: u32,
    /// Probability that a message is delivered twice, in parts per million.
    pub duplicate_ppm: u32,
}

impl Default for NetConfig {
    /// 10-15 ms one way, no loss, no duplication.
    fn default() -> Self {
        NetConfig { latency_us_min: ms(10), latency_us_max: ms(15), loss_ppm: 0, duplicate_ppm: 0 }
    }
}

/// The largest latency the simulator accepts (one minute): keeps arithmetic far from overflow.
pub const MAX_LATENCY_US: Micros = ms(60_000);

impl NetConfig {
    /// Checks ranges; see [`Error`].
    pub fn validate(&self) -> Result<(), Error> {
        if self.latency_us_min > self.latency_us_max {
            return Err(Error::Range {
                what: "latency (us)",
                min: self.latency_us_min,
                max: self.latency_us_max,
            });
        }
        if self.latency_us_max > MAX_LATENCY_US {
            return Err(Error::Invalid {
                what: "latency",
                reason: format!("must be at most {} ms", MAX_LATENCY_US / 1_000),
            });
        }
        if self.loss_ppm > 1_000_000 {
            return Err(Error::Invalid {
                what: "loss",
                reason: format!("{} ppm is more than 100%", self.loss_ppm),
            });
        }
        // Each copy of a message can be answered, so a high duplication rate multiplies
        // traffic at every hop; real networks duplicate rarely.
        if self.duplicate_ppm > MAX_DUPLICATE_PPM {
            return Err(Error::Invalid {
                what: "duplication",
                reason: format!(
                    "{}% is more than the {}% the simulator accepts",
                    self.duplicate_ppm / 10_000,
                    MAX_DUPLICATE_PPM / 10_000
                ),
            });
        }
        Ok(())
    }
}

/// The state of one directed link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Messages flow (subject to loss and latency).
    Healthy,
    /// Every message on this link is dropped.
    Cut,
}

/// All directed links of an `n`-node cluster, as an `n x n` matrix (row = sender).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    n: usize,
    cut: Vec<bool>,
}

impl Links {
    /// All links healthy.
    pub fn new(n: usize) -> Self {
        Links { n, cut: vec![false; n * n] }
    }

    /// The position of the directed link `from -> to` in an `n x n` row-major table (the
    /// simulation keeps its per-link message counts in the same layout).
    pub fn index(&self, from: NodeId, to: NodeId) -> usize {
        (usize::from(from) - 1) * self.n + (usize::from(to) - 1)
    }

    /// State of the directed link `from -> to`.
    pub fn state(&self, from: NodeId, to: NodeId) -> LinkState {
        if self.cut[self.index(from, to)] { LinkState::Cut } else { LinkState::Healthy }
    }

    /// Cuts (`true`) or heals (`false`) `from -> to`.
    pub fn set_cut(&mut self, from: NodeId, to: NodeId, cut: bool) {
        let i = self.index(from, to);
        self.cut[i] = cut;
    }

    /// Cuts every link between different groups and heals every link inside a group.
    /// Nodes not listed form one more group together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let mut group_of = vec![usize::MAX; self.n];
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                group_of[usize::from(m) - 1] = g;
            }
        }
        for a in 1..=self.n as NodeId {
            for b in 1..=self.n as NodeId {
                let ga = group_of[usize::from(a) - 1];
                let gb = group_of[usize::from(b) - 1];
                self.set_cut(a, b, ga != gb);
            }
        }
    }

    /// Heals every link.
    pub fn heal_all(&mut self) {
        self.cut.iter_mut().for_each(|c| *c = false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_cuts_between_groups_only() {
        let mut l = Links::new(5);
        l.partition(&[vec![1, 2], vec![3, 4]]);
        assert_eq!(l.state(1, 2), LinkState::Healthy);
        assert_eq!(l.state(1, 3), LinkState::Cut);
        assert_eq!(l.state(4, 3), LinkState::Healthy);
        // n5 is not listed: it is a group of its own.
        assert_eq!(l.state(5, 1), LinkState::Cut);
        assert_eq!(l.state(5, 5), LinkState::Healthy);
        l.heal_all();
        assert!((1..=5).all(|a| (1..=5).all(|b| l.state(a, b) == LinkState::Healthy)));
    }

    #[test]
    fn one_way_cut() {
        let mut l = Links::new(3);
        l.set_cut(1, 2, true);
        assert_eq!(l.state(1, 2), LinkState::Cut);
        assert_eq!(l.state(2, 1), LinkState::Healthy);
    }

    #[test]
    fn validation() {
        let bad = NetConfig { latency_us_min: 20, latency_us_max: 10, ..NetConfig::default() };
        assert!(matches!(bad.validate(), Err(Error::Range { .. })));
        let bad = NetConfig { loss_ppm: 2_000_000, ..NetConfig::default() };
        assert!(matches!(bad.validate(), Err(Error::Invalid { .. })));
        assert!(NetConfig::default().validate().is_ok());
    }
}
