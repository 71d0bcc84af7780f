//! A broker's replica of one partition, and what a broker does with it in both modes: the
//! leader tracks its followers' fetches, moves the high watermark to what the maximal ISR
//! holds and acknowledges the records it passes (`Partition.checkEnoughReplicasReachOffset`),
//! asks to shrink the ISR of followers that lag `replica.lag.time.max.ms` and to expand it with
//! caught-up ones (`ReplicaManager`, KIP-497's AlterPartition), and takes producers' writes
//! under `acks` and `min.insync.replicas`. How a replica learns its partition's state, and how
//! its ISR changes reach the controller, are each mode's own.

use crate::engine::collections::{Map, Set, sort_short};
use crate::engine::protocol::Ctx;
use crate::engine::time::{Ids, Micros, NodeId};

use super::partition::{PartitionId, Record};

/// At most this many records go in one partition FetchResponse.
pub const FETCH_MAX: u64 = 16;

/// An ISR change a leader has asked the controller for: until the controller settles it, the
/// leader counts the maximal ISR (the committed one and this) before a record is acknowledged
/// (KIP-497).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIsr {
    /// The partition epoch of the state the change was built on.
    pub base: u64,
    /// The ISR asked for.
    pub isr: Vec<NodeId>,
    /// When the request was last sent.
    pub sent: Micros,
}

/// A replica of one partition on a broker.
#[derive(Debug, Clone, Default)]
pub struct Replica {
    /// The partition's leader, as this replica last learnt it.
    pub leader: Option<NodeId>,
    /// The leader epoch it last learnt: fences replication with a stale leader.
    pub leader_epoch: u64,
    /// The partition epoch of the state it last applied.
    pub partition_epoch: u64,
    /// Durable: the partition log.
    pub log: Vec<Record>,
    /// The high watermark: the records below it are acknowledged (leader) or known to be.
    pub hw: u64,
    /// Leader only: the ISR the controller committed.
    pub isr: Vec<NodeId>,
    /// Leader only: an ISR change asked for and not yet settled.
    pub pending_isr: Option<PendingIsr>,
    /// Leader only: follower -> (fetch offset, last time it was caught up).
    pub followers: Map<NodeId, (u64, Micros)>,
    /// Leader only: offsets of produced records not yet acknowledged.
    pub unacked: Set<u64>,
}

/// The records a broker acknowledged as a leader, durable across crashes.
#[derive(Debug, Clone, Default)]
pub struct Acks {
    /// (partition, offset) -> record.
    pub acked: Map<(PartitionId, u64), Record>,
    /// How many acknowledgements were made so far: bookkeeping for the monitor (which re-checks
    /// lost records only when something they depend on changed), not Kafka state.
    pub made: u64,
}

impl Acks {
    fn ack(&mut self, p: PartitionId, offset: u64, record: Record) {
        self.acked.insert((p, offset), record);
        self.made += 1;
    }
}

impl Replica {
    /// Leader: the high watermark the maximal ISR (committed and pending) allows: the smallest
    /// fetch offset among its members, at most the log's end.
    pub fn leader_hw(&self, me: NodeId) -> u64 {
        let mut members: Set<NodeId> = self.isr.iter().copied().collect();
        if let Some(p) = &self.pending_isr {
            members.extend(p.isr.iter().copied());
        }
        let leo = self.log.len() as u64;
        members
            .iter()
            .map(|&m| if m == me { leo } else { self.followers.get(&m).map_or(0, |(o, _)| *o) })
            .min()
            .unwrap_or(leo)
            .min(leo)
    }

    /// Leader: moves the high watermark up to [`Replica::leader_hw`] and acknowledges the
    /// records it passes.
    pub fn advance_hw<M, T>(&mut self, me: NodeId, p: PartitionId, acks: &mut Acks, ctx: &mut Ctx<'_, M, T>) {
        let hw = self.leader_hw(me);
        if hw > self.hw {
            self.hw = hw;
            let done: Vec<u64> = self.unacked.iter().copied().filter(|o| *o < hw).collect();
            for o in done {
                self.unacked.remove(&o);
                let rec = self.log[o as usize];
                acks.ack(p, o, rec);
                ctx.note(format!("acknowledges x={} (acks=all) at p{p} offset {o}", rec.value));
            }
        }
    }

    /// Leader: the follower `from` fetches at `offset` (which the logs agree up to): records
    /// where it is and whether it has caught up; returns the offset (at most the log's end),
    /// whether it caught up, and the records to send it.
    pub fn fetched(&mut self, from: NodeId, offset: u64, now: Micros) -> (u64, bool, Vec<Record>) {
        let leo = self.log.len() as u64;
        let offset = offset.min(leo);
        let caught_up = offset >= leo;
        let entry = self.followers.entry(from).or_insert((0, 0));
        entry.0 = offset;
        if caught_up {
            entry.1 = now;
        }
        let records = self.log[offset as usize..leo.min(offset + FETCH_MAX) as usize].to_vec();
        (offset, caught_up, records)
    }

    /// Leader: ISR expansion. A caught-up follower `from` outside the ISR rejoins, through the
    /// controller: unless a change is pending already, the new ISR becomes the pending change
    /// and is returned, for the caller to send.
    pub fn expand_isr(&mut self, from: NodeId, now: Micros) -> Option<Vec<NodeId>> {
        if self.isr.contains(&from) || self.pending_isr.is_some() {
            return None;
        }
        let mut isr = self.isr.clone();
        isr.push(from);
        sort_short(&mut isr);
        self.pending_isr = Some(PendingIsr { base: self.partition_epoch, isr: isr.clone(), sent: now });
        Some(isr)
    }

    /// Leader: ISR shrink. Members other than `me` that have not caught up within `lag`
    /// (`replica.lag.time.max.ms`) leave, through the controller: unless a change is pending
    /// already, the ISR without them becomes the pending change; returns it and the members
    /// that lag.
    pub fn shrink_isr(&mut self, me: NodeId, now: Micros, lag: Micros) -> Option<(Vec<NodeId>, Vec<NodeId>)> {
        if self.pending_isr.is_some() {
            return None;
        }
        let lagging: Vec<NodeId> = self
            .isr
            .iter()
            .copied()
            .filter(|&m| m != me && self.followers.get(&m).is_none_or(|(_, t)| now >= *t + lag))
            .collect();
        if lagging.is_empty() {
            return None;
        }
        let isr: Vec<NodeId> = self.isr.iter().copied().filter(|m| !lagging.contains(m)).collect();
        self.pending_isr = Some(PendingIsr { base: self.partition_epoch, isr: isr.clone(), sent: now });
        Some((isr, lagging))
    }

    /// Leader: starts tracking every ISR member but `me` that it does not track yet, as caught
    /// up `now`.
    pub fn track_isr(&mut self, me: NodeId, now: Micros) {
        for &f in &self.isr {
            if f != me {
                self.followers.entry(f).or_insert((0, now));
            }
        }
    }

    /// A producer's write of `value` to partition `p` of which this is the replica on `me`:
    /// refused unless `me` leads it; with `acks=1` (`!acks_all`) appended and acknowledged at
    /// once; with `acks=all` refused while the ISR is smaller than `min_insync`
    /// (`NotEnoughReplicas`), else appended and acknowledged once the high watermark passes it.
    pub fn write<M, T>(
        &mut self,
        me: NodeId,
        p: PartitionId,
        value: u64,
        (acks_all, min_insync): (bool, usize),
        acks: &mut Acks,
        ctx: &mut Ctx<'_, M, T>,
    ) {
        if self.leader != Some(me) {
            return match self.leader {
                Some(l) => ctx.note(format!("does not lead p{p}; the producer retries at n{l}")),
                None => ctx.note(format!("knows no leader for p{p}; the write is refused")),
            };
        }
        let offset = self.log.len() as u64;
        let rec = Record { value, epoch: self.leader_epoch };
        if !acks_all {
            self.log.push(rec);
            acks.ack(p, offset, rec);
            ctx.note(format!(
                "appends x={value} to p{p} at offset {offset} and acknowledges it at once (acks=1)"
            ));
        } else if self.isr.len() < min_insync {
            ctx.note(format!(
                "rejects x={value} for p{p}: ISR [{}] is smaller than min.insync.replicas={min_insync} (NotEnoughReplicas)",
                Ids(&self.isr)
            ));
        } else {
            self.log.push(rec);
            self.unacked.insert(offset);
            ctx.note(format!("appends x={value} to p{p} at offset {offset}"));
            self.advance_hw(me, p, acks, ctx);
        }
    }
}
