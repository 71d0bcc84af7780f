//! The safety monitor of the lease lock: invariants checked after every event (see the
//! module doc for sources).

use super::{Lease, Part};
use crate::engine::collections::Map;
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::time::{Micros, NodeId, fmt_time};

/// Periods of writes the monitor remembers, counting back from the newest.
const PERIODS_KEPT: u64 = 1_024;

/// Invariants of the lease scenario.
#[derive(Debug, Clone, Default)]
pub struct LeaseMonitor {
    last_grant: Option<u64>,
    grants_seen: usize,
    writes_seen: usize,
    max_accepted: Option<(u64, NodeId)>,
    /// Per period, the writer with the highest token accepted so far.
    period_writer: Map<u64, (NodeId, u64)>,
    /// Overlapping leases already reported.
    reported: Reported,
}

impl Monitor<Lease> for LeaseMonitor {
    fn after_event<N: Nodes<Lease> + ?Sized>(
        &mut self,
        _now: Micros,
        node: NodeId,
        nodes: &N,
    ) -> Vec<String> {
        let mut out = Vec::new();
        match &nodes.at(usize::from(node) - 1).proto.part {
            Part::Service(s) => {
                for &(token, client, _) in s.grants.get(self.grants_seen..).unwrap_or_default() {
                    if self.last_grant.is_some_and(|l| token <= l) {
                        out.push(format!("token {token} granted to n{client} is not above the last grant"));
                    }
                    self.last_grant = Some(token);
                }
                self.grants_seen = s.grants.len();
            }
            Part::Storage(s) => {
                for w in s.writes.iter_from(self.writes_seen) {
                    if !w.accepted {
                        continue;
                    }
                    if let Some((max, by)) = self.max_accepted
                        && w.token < max
                    {
                        out.push(format!(
                            "conflicting writes: storage accepted token {} from n{} after token {max} from n{by}",
                            w.token, w.client
                        ));
                    }
                    if self.max_accepted.is_none_or(|(m, _)| w.token >= m) {
                        self.max_accepted = Some((w.token, w.client));
                    }
                    // Two holders in turn may both write in one period (a legitimate
                    // hand-over); two instances running *at once* show up as a later write
                    // carrying a lower token than one already accepted in that period.
                    match self.period_writer.get(&w.period) {
                        Some(&(other, t)) if other != w.client && w.token < t => out.push(format!(
                            "the job ran twice in period {}: stale n{} (token {}) wrote after n{other} (token {t})",
                            w.period, w.client, w.token
                        )),
                        Some(&(_, t)) if w.token < t => {}
                        _ => {
                            self.period_writer.insert(w.period, (w.client, w.token));
                            // Periods far behind the newest write matter no more to this
                            // check (a stale write there carries a lower token than the
                            // storage's maximum, which the check above flags): dropping them
                            // keeps the monitor, which every checkpoint copies, bounded.
                            let newest = *self.period_writer.last().map(|(p, _)| p).unwrap_or(&0);
                            self.period_writer.retain(|&p, _| p + PERIODS_KEPT > newest);
                        }
                    }
                }
                self.writes_seen = s.writes.len();
            }
            Part::Client(_) => {}
        }
        // A lease is a promise about time: no client may believe it holds the lock after the
        // service has granted it to someone else (Chubby §2.8: the client's lease timeout is a
        // conservative approximation of the master's).
        if let Some(Part::Service(s)) = nodes.first().map(|n| &n.proto.part) {
            for client in nodes.iter().skip(2) {
                let Part::Client(c) = &client.proto.part else { continue };
                let Some((token, exp)) = c.lease else { continue };
                let next = s.grants.partition_point(|g| g.0 <= token);
                if let Some(&(t, to, at)) = s.grants.get(next)
                    && at < exp
                {
                    let text = format!(
                        "n{} believes its lease (token {token}) lasts until {}, but the service granted token {t} to n{to} at {}",
                        client.id,
                        fmt_time(exp),
                        fmt_time(at)
                    );
                    self.reported.report_once(format!("overlap-{}-{token}", client.id), text, &mut out);
                }
            }
        }
        out
    }

    /// A client holds the lease the service considers current.
    fn stable_leader<N: Nodes<Lease> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let service = nodes.first()?;
        if !service.is_up() {
            return None;
        }
        let Part::Service(s) = &service.proto.part else { return None };
        let (holder, token) = s.holder?;
        let client = nodes.get(usize::from(holder) - 1)?;
        match &client.proto.part {
            Part::Client(c) if client.is_up() && c.lease.is_some_and(|(t, _)| t == token) => Some(holder),
            _ => None,
        }
    }
}
