//! The safety monitor of the etcd election: invariants checked after every event (see the
//! module doc for sources).

use super::{Etcd, Part, Phase};
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::time::{Micros, NodeId, fmt_time};

/// Invariants of the election.
#[derive(Debug, Clone, Default)]
pub struct EtcdMonitor {
    last_rev: Option<u64>,
    created_seen: usize,
    writes_seen: usize,
    max_accepted: Option<(u64, NodeId)>,
    reported: Reported,
}

impl Monitor<Etcd> for EtcdMonitor {
    fn after_event<N: Nodes<Etcd> + ?Sized>(&mut self, now: Micros, node: NodeId, nodes: &N) -> Vec<String> {
        let mut out = Vec::new();
        match &nodes.at(usize::from(node) - 1).proto.part {
            Part::Server(s) => {
                for &(rev, owner, _) in s.created.get(self.created_seen..).unwrap_or_default() {
                    if self.last_rev.is_some_and(|l| rev <= l) {
                        out.push(format!("key created for n{owner} at revision {rev} is not above the last"));
                    }
                    self.last_rev = Some(rev);
                }
                self.created_seen = s.created.len();
            }
            Part::Storage(s) => {
                for w in s.writes.iter_from(self.writes_seen).filter(|w| w.accepted) {
                    if let Some((max, by)) = self.max_accepted
                        && w.token < max
                    {
                        out.push(format!(
                            "the job ran twice at once: storage accepted stale n{} (revision {}) after n{by} (revision {max})",
                            w.client, w.token
                        ));
                    }
                    if self.max_accepted.is_none_or(|(m, _)| w.token >= m) {
                        self.max_accepted = Some((w.token, w.client));
                    }
                }
                self.writes_seen = s.writes.len();
            }
            Part::Candidate(_) => {}
        }
        // One leader per create revision, and none after etcd deleted its key.
        let Some(Part::Server(s)) = nodes.first().map(|n| &n.proto.part) else { return out };
        let mut leaders: Vec<(u64, NodeId)> = Vec::new();
        for n in nodes.iter().skip(2) {
            let Part::Candidate(c) = &n.proto.part else { continue };
            let (Phase::Leading, Some(rev)) = (c.phase, c.rev) else { continue };
            if let Some(&(_, other)) = leaders.iter().find(|l| l.0 == rev) {
                self.reported.report_once(
                    format!("same-{rev}"),
                    format!("n{other} and n{} both lead with create revision {rev}", n.id),
                    &mut out,
                );
            }
            leaders.push((rev, n.id));
            // Its belief runs on its own clock; the deletion is in true time.
            let until = n.clock.true_time_of(c.alive_from.saturating_add(n.proto.ttl()), now);
            if let Some(&(_, at)) = s.deleted.iter().find(|d| d.0 == rev)
                && at < until
            {
                self.reported.report_once(
                    format!("stale-{}-{rev}", n.id),
                    format!(
                        "n{} believes it leads with create revision {rev} until {}, but etcd deleted that key at {}",
                        n.id,
                        fmt_time(until),
                        fmt_time(at)
                    ),
                    &mut out,
                );
            }
        }
        out
    }

    /// The owner of the key with the lowest create revision leads and knows it.
    fn stable_leader<N: Nodes<Etcd> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let server = nodes.first()?;
        if !server.is_up() {
            return None;
        }
        let Part::Server(s) = &server.proto.part else { return None };
        let first = s.keys.first()?;
        let owner = nodes.get(usize::from(first.owner) - 1)?;
        (owner.is_up() && owner.proto.leading() == Some(first.create_rev)).then_some(first.owner)
    }
}
