//! The safety monitor of the Redis lock: invariants checked after every event (see the module
//! doc for sources).

use super::{Part, Redis};
use crate::engine::protocol::{Monitor, Nodes, Reported};
use crate::engine::time::{Micros, NodeId, fmt_time};

/// Invariants of the lock.
#[derive(Debug, Clone, Default)]
pub struct RedisMonitor {
    writes_seen: usize,
    reported: Reported,
}

impl Monitor<Redis> for RedisMonitor {
    fn after_event<N: Nodes<Redis> + ?Sized>(
        &mut self,
        _now: Micros,
        node: NodeId,
        nodes: &N,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Some(Part::Server(s)) = nodes.first().map(|n| &n.proto.part) else { return out };
        // The job ran twice at once: a write from a holder whose lock Redis has since given
        // to someone else (storage cannot see it: there is no token).
        if let Part::Storage(st) = &nodes.at(usize::from(node) - 1).proto.part {
            for w in st.writes.iter_from(self.writes_seen) {
                let Some(mine) = s.grants.iter().position(|g| g.0 == w.value) else { continue };
                if let Some(&(later, at)) = s.grants[mine + 1..].iter().find(|g| g.1 < w.at) {
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
        // No client believes in a lock Redis has given to another value since.
        for n in nodes.iter().skip(2) {
            let Part::Client(c) = &n.proto.part else { continue };
            let Some((value, valid)) = c.holding else { continue };
            let Some(mine) = s.grants.iter().position(|g| g.0 == value) else { continue };
            if let Some(&(later, at)) = s.grants[mine + 1..].first()
                && at < valid
            {
                self.reported.report_once(
                    format!("overlap-{value}"),
                    format!(
                        "n{} believes it holds the lock ({value}) until {}, but Redis set it to {later} at {}",
                        n.id,
                        fmt_time(valid),
                        fmt_time(at)
                    ),
                    &mut out,
                );
            }
        }
        out
    }

    /// The client whose value the key holds knows it.
    fn stable_leader<N: Nodes<Redis> + ?Sized>(&self, nodes: &N) -> Option<NodeId> {
        let server = nodes.first()?;
        if !server.is_up() {
            return None;
        }
        let Part::Server(s) = &server.proto.part else { return None };
        let (value, _) = s.key?;
        let owner = nodes.get(usize::from(value.client) - 1)?;
        (owner.is_up() && owner.proto.holding() == Some(value)).then_some(value.client)
    }
}
