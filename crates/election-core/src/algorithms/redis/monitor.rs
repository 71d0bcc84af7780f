//! The safety monitor of the Redis lock: invariants checked after every event (see the module
//! doc for sources).

use std::collections::BTreeMap;

use super::{LockValue, Part, REDIS, Redis, RedisConfig};
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::time::{Micros, NodeId, fmt_time};

/// Invariants of the lock.
#[derive(Debug, Clone, Default)]
pub struct RedisMonitor {
    instances: usize,
    quorum: usize,
    writes_seen: usize,
    /// Per instance, how many of its grants have been counted.
    grants_seen: Vec<usize>,
    /// Per value, how many instances granted it.
    granted: BTreeMap<LockValue, usize>,
    /// Every value a majority granted, with when the majority was reached, in that order.
    acquired: Vec<(LockValue, Micros)>,
    reported: Reported,
}

impl RedisMonitor {
    /// A monitor for `config`'s instances.
    pub fn new(config: &RedisConfig) -> RedisMonitor {
        let instances = usize::from(config.storage()) - 1;
        RedisMonitor {
            instances,
            quorum: config.quorum() as usize,
            grants_seen: vec![0; instances],
            ..RedisMonitor::default()
        }
    }

    /// Who grants the lock, as the violations name it.
    fn service(&self) -> &'static str {
        if self.instances == 1 { "Redis" } else { "a majority of the Redis instances" }
    }

    /// Counts the grants `nodes` made since the last event: a value is acquired when the
    /// majority-th instance grants it.
    fn count_grants<N: Nodes<Redis> + ?Sized>(&mut self, nodes: &N) {
        for i in 0..self.instances {
            let Part::Server(s) = &nodes.at(i).proto.part else { continue };
            for &(value, at) in &s.grants[self.grants_seen[i]..] {
                let count = self.granted.entry(value).or_default();
                *count += 1;
                if *count == self.quorum {
                    self.acquired.push((value, at));
                }
            }
            self.grants_seen[i] = s.grants.len();
        }
    }

    /// The first value acquired after `value` and before `before`.
    fn acquired_after(&self, value: LockValue, before: Micros) -> Option<(LockValue, Micros)> {
        let mine = self.acquired.iter().position(|g| g.0 == value)?;
        self.acquired[mine + 1..].iter().find(|g| g.1 < before).copied()
    }
}

impl Monitor<Redis> for RedisMonitor {
    fn after_event<N: Nodes<Redis> + ?Sized>(&mut self, now: Micros, node: NodeId, nodes: &N) -> Vec<String> {
        let mut out = Vec::new();
        self.count_grants(nodes);
        // The job ran twice at once: a write from a holder whose lock has since been acquired
        // by someone else (storage cannot see it: there is no token).
        if let Part::Storage(st) = &nodes.at(usize::from(node) - 1).proto.part {
            for w in st.writes.iter_from(self.writes_seen) {
                if let Some((later, at)) = self.acquired_after(w.value, w.at) {
                    out.push(format!(
                        "the job ran twice at once: n{} wrote with lock {} after n{} took the lock ({later}) at {}",
                        w.client,
                        w.value,
                        later.client,
                        fmt_time(at)
                    ));
                }
            }
            self.writes_seen = st.writes.len();
        }
        // No client believes in a lock acquired by another value since.
        for n in nodes.iter().skip(self.instances + 1) {
            let Part::Client(c) = &n.proto.part else { continue };
            let Some((value, valid)) = c.holding else { continue };
            // Its belief runs on its own clock; the grants are in true time.
            let valid = n.clock.true_time_of(valid, now);
            if let Some((later, at)) = self.acquired_after(value, valid) {
                self.reported.report_once(
                    format!("overlap-{value}"),
                    format!(
                        "n{} believes it holds the lock ({value}) until {}, but {} set it to {later} at {}",
                        n.id,
                        fmt_time(valid),
                        self.service(),
                        fmt_time(at)
                    ),
                    &mut out,
                );
            }
        }
        out
    }

    /// The client that believes it holds the lock whose value a majority of live instances
    /// keeps.
    fn stable_leader<N: Nodes<Redis> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let config = &nodes.first()?.proto.config;
        let keeps = |value: LockValue| {
            (REDIS..config.storage())
                .filter(|&i| {
                    let n = nodes.at(usize::from(i) - 1);
                    matches!(&n.proto.part, Part::Server(s) if n.is_up() && s.key.is_some_and(|k| k.0 == value))
                })
                .count()
        };
        nodes.iter().skip(usize::from(config.storage())).find_map(|n| {
            let value = n.proto.holding()?;
            (n.is_up() && keeps(value) >= config.quorum() as usize).then_some(n.id)
        })
    }
}
