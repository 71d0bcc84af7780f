//! The settings of partition replication, the same keys with the same meaning in both Kafka
//! modes, and the rules of it that `break=` can switch off.

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::settings::{Broken, Field, check_shorter, number, on_off, parse_rules};

/// Rule `RULE_NAMES[0]`: only in-sync replicas may lead (the setting `unclean=on` breaks it).
pub const UNCLEAN: usize = 0;
/// Rule `RULE_NAMES[1]`: a record is acknowledged once the ISR has it (`acks-all=off` breaks it).
pub const ACKS1: usize = 1;
/// Rule `RULE_NAMES[2]`: the controller elects a leader from the ISR.
pub const LEADER_OUTSIDE_ISR: usize = 2;

/// The names `break=` takes, in the order of each mode's `RULES` (whose texts cite that mode's
/// sources).
pub const RULE_NAMES: &[&str] = &["unclean", "acks1", "leader-outside-isr"];

/// The partition replication settings both modes take first, in this order. A mode's config
/// holds them flattened, so that its keys stay the mode's own (`partitions=3`, not a nested
/// object) and in the order its sessions have always been written in; for the same reason
/// `replica.lag.time.max.ms` and the rules broken on purpose, which the modes list last, stay
/// fields of the mode's config, and the functions here that need them take them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IsrConfig {
    /// Number of partitions.
    pub partitions: u64,
    /// Replication factor (capped by the number of brokers).
    pub replication: u64,
    /// `unclean.leader.election.enable`.
    pub unclean: bool,
    /// `min.insync.replicas`: an `acks=all` write needs at least this many in-sync replicas.
    pub min_insync: u64,
    /// `acks=all` (true) or `acks=1` (false: the leader acknowledges on append, like
    /// asynchronous replication to a database's replicas).
    pub acks_all: bool,
}

impl Default for IsrConfig {
    fn default() -> Self {
        IsrConfig { partitions: 3, replication: 3, unclean: false, min_insync: 2, acks_all: true }
    }
}

/// The classroom default of `replica.lag.time.max.ms`.
pub const REPLICA_LAG_MS: u64 = 400;

/// Kafka's default `replica.lag.time.max.ms`: 30000 (10000 before 2.5, KIP-537).
pub const PRODUCTION_REPLICA_LAG_MS: u64 = 30_000;

impl IsrConfig {
    /// Kafka's own defaults: `unclean.leader.election.enable=false`, `min.insync.replicas=1`,
    /// `acks=all` (the producer's default since 3.0).
    pub fn production() -> Self {
        IsrConfig { unclean: false, min_insync: 1, acks_all: true, ..IsrConfig::default() }
    }

    /// The fields of the settings form that come first in both modes, in their order.
    pub fn fields(&self) -> Vec<Field> {
        vec![
            Field::number("partitions", "Partitions", self.partitions),
            Field::number("replication", "Replication factor", self.replication),
            Field::toggle("unclean", "unclean.leader.election.enable", self.unclean),
            Field::number("min-insync", "min.insync.replicas", self.min_insync),
            Field::toggle("acks-all", "acks=all (off: acks=1, asynchronous)", self.acks_all),
        ]
    }

    /// Sets `key` if it is one of these settings or `break` (whose rules without a setting of
    /// their own go to `broken`); `None` for any other key. `algorithm` names the mode in the
    /// errors of `break=`.
    pub fn set(
        &mut self,
        broken: &mut Broken,
        algorithm: &str,
        key: &str,
        v: &str,
    ) -> Option<Result<(), String>> {
        Some(match key {
            "partitions" => number(key, v).map(|x| self.partitions = x),
            "replication" => number(key, v).map(|x| self.replication = x),
            "unclean" => on_off(key, v).map(|x| self.unclean = x),
            "min-insync" => number(key, v).map(|x| self.min_insync = x),
            "acks-all" => on_off(key, v).map(|x| self.acks_all = x),
            "break" => self.set_broken(broken, algorithm, v),
            _ => return None,
        })
    }

    /// `break=`: unclean and acks1 are settings of their own; the others are kept as bits.
    fn set_broken(&mut self, broken: &mut Broken, algorithm: &str, v: &str) -> Result<(), String> {
        *broken = Broken::NONE;
        for i in parse_rules(algorithm, RULE_NAMES, v)? {
            match i {
                UNCLEAN => self.unclean = true,
                ACKS1 => self.acks_all = false,
                i => *broken = broken.with(i),
            }
        }
        Ok(())
    }

    /// Every rule broken: by the settings of their own, or in `broken`.
    pub fn broken(&self, broken: Broken) -> Vec<&'static str> {
        let mut b = broken;
        if self.unclean {
            b = b.with(UNCLEAN);
        }
        if !self.acks_all {
            b = b.with(ACKS1);
        }
        b.names(RULE_NAMES)
    }

    /// Checks the counts: partitions 1 to 12, replication and `min.insync.replicas` 1 to 5.
    pub fn validate(&self) -> Result<(), Error> {
        let ranges = [
            ("partitions", self.partitions, 12),
            ("replication", self.replication, 5),
            ("min.insync.replicas", self.min_insync, 5),
        ];
        for (what, v, max) in ranges {
            if v == 0 || v > max {
                return Err(Error::Invalid { what, reason: format!("must be between 1 and {max}, not {v}") });
            }
        }
        Ok(())
    }
}

/// The `break=` setting for the rules in `broken` (those without a setting of their own).
pub fn break_setting(broken: Broken) -> Option<String> {
    (!broken.is_empty()).then(|| broken.names(RULE_NAMES).join(","))
}

/// The field of `replica.lag.time.max.ms`, which both modes list last.
pub fn replica_lag_field(replica_lag_ms: u64) -> Field {
    Field::millis("replica-lag", "replica.lag.time.max.ms", replica_lag_ms)
}

/// Checks that followers fetching every `fetch_ms` can stay in the ISR.
pub fn check_replica_lag(fetch_ms: u64, replica_lag_ms: u64) -> Result<(), Error> {
    check_shorter(
        ("fetch", fetch_ms),
        ("replica lag", replica_lag_ms),
        "every follower would drop out of the ISR between two fetches",
    )
}
