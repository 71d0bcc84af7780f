//! The active controller: the quorum leader, once its `LeaderChange` record is committed
//! (`QuorumController` claims leadership then). It holds the image of its whole metadata log
//! and changes the cluster only by appending records to it: broker registrations
//! (`ClusterControlManager`), fencing and unfencing from heartbeats (`BrokerHeartbeatManager`),
//! partition leaders and ISRs (`ReplicationControlManager`, `PartitionChangeBuilder`). Replies
//! wait until the records they announce are committed, as the controller's purgatory does.

use crate::engine::collections::{Map, Set};
use crate::engine::time::{Micros, NodeId, ms};
use crate::replication::{LEADER_OUTSIDE_ISR, PartitionId, PartitionState, choose_leader};

use super::image::Image;
use super::message::{AlterError, Ids, KraftMsg, MetaEntry, MetadataRecord};
use super::quorum::{QuorumRole, Voter};
use super::{Cluster, KraftCtx};

/// The active controller's state for one tenure; it goes with the leadership.
#[derive(Debug, Clone)]
pub struct Controller {
    /// The image of the whole log, uncommitted tail included.
    pub(super) image: Image,
    /// When each registered broker last heartbeated (in memory only: a new controller starts
    /// every session afresh).
    pub(super) heartbeats: Map<NodeId, Micros>,
    /// When this tenure began.
    since: Micros,
    /// Replies to send once the log is committed past an offset.
    pending: Vec<(u64, NodeId, KraftMsg)>,
}

impl Voter {
    /// Called when the high watermark moves: becomes the active controller once the epoch's
    /// `LeaderChange` is committed, and sends the replies whose records are now committed.
    pub(super) fn on_commit(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        if self.controller.is_none() && matches!(self.role, QuorumRole::Leader(_)) {
            let image = Image::replay(cluster, &self.log);
            let now = ctx.now;
            let heartbeats = image.brokers.keys().map(|&b| (b, now)).collect();
            self.controller = Some(Controller { image, heartbeats, since: now, pending: Vec::new() });
            ctx.note(format!(
                "is the active controller (epoch {}, log committed to {})",
                self.epoch, self.hw
            ));
            // Partitions left offline by the last controller get leaders if they can.
            self.elect_offline(cluster, ctx);
        }
        let hw = self.hw;
        let Some(c) = &mut self.controller else { return };
        if c.pending.iter().any(|(o, _, _)| *o < hw) {
            let (ready, wait): (Vec<_>, Vec<_>) = c.pending.drain(..).partition(|(o, _, _)| *o < hw);
            c.pending = wait;
            for (_, to, msg) in ready {
                ctx.send(to, msg);
            }
        }
    }

    /// Appends `record` as the active controller and applies it to the image; returns its
    /// offset.
    fn append(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, record: MetadataRecord) -> u64 {
        let offset = self.log.len() as u64;
        if let Some(c) = &mut self.controller {
            c.image.apply(offset, &record);
        }
        self.log.push(MetaEntry { epoch: self.epoch, record });
        // One voter is its own majority.
        self.update_hw(cluster, ctx);
        offset
    }

    /// Appends a partition's new state.
    fn change_partition(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        p: PartitionId,
        state: PartitionState,
    ) -> u64 {
        self.append(cluster, ctx, MetadataRecord::PartitionChange { partition: p, state })
    }

    /// BrokerRegistration: a new broker epoch, the offset of the record. A broker that
    /// registers again while unfenced has restarted: it is fenced first, and its partitions
    /// move (`handleBrokerUncleanShutdown`).
    pub(super) fn on_broker_registration(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, from: NodeId) {
        let Some(c) = &self.controller else { return };
        if cluster.is_voter(from) {
            return;
        }
        if let Some(r) = c.image.brokers.get(&from)
            && !r.fenced
        {
            let broker_epoch = r.broker_epoch;
            self.fence(cluster, ctx, from, broker_epoch);
        }
        let offset = self.append(cluster, ctx, MetadataRecord::RegisterBroker { broker: from });
        ctx.note(format!("registers n{from} with broker epoch {offset} (fenced until it catches up)"));
        if let Some(c) = &mut self.controller {
            c.heartbeats.insert(from, ctx.now);
            c.pending.push((offset, from, KraftMsg::BrokerRegistrationResponse { broker_epoch: offset }));
        }
        self.on_commit(cluster, ctx);
    }

    /// BrokerHeartbeat: keeps the session; a fenced broker that has applied the metadata log
    /// past its registration is unfenced (`BrokerHeartbeatManager.calculateNextBrokerState`).
    pub(super) fn on_broker_heartbeat(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        broker_epoch: u64,
        metadata_offset: u64,
    ) {
        let Some(c) = &mut self.controller else { return };
        let reg = c.image.brokers.get(&from).copied();
        let Some(reg) = reg.filter(|r| r.broker_epoch == broker_epoch) else {
            ctx.send(from, KraftMsg::BrokerHeartbeatResponse { broker_epoch, fenced: true, stale: true });
            return;
        };
        c.heartbeats.insert(from, ctx.now);
        let mut fenced = reg.fenced;
        if reg.fenced && metadata_offset > broker_epoch {
            ctx.note(format!("unfences n{from}: it caught up with the metadata log"));
            self.append(cluster, ctx, MetadataRecord::UnfenceBroker { broker: from, broker_epoch });
            self.elect_offline(cluster, ctx);
            fenced = false;
        }
        ctx.send(from, KraftMsg::BrokerHeartbeatResponse { broker_epoch, fenced, stale: false });
    }

    /// The controller's part of the leader tick: fence every unfenced broker that has not
    /// heartbeated within `broker.session.timeout.ms`.
    pub(super) fn controller_tick(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        let Some(c) = &self.controller else { return };
        let session = ms(cluster.config.session_timeout_ms);
        let expired: Vec<(NodeId, u64)> = c
            .image
            .brokers
            .iter()
            .filter(|(b, r)| !r.fenced && c.heartbeats.get(b).is_none_or(|t| ctx.now >= *t + session))
            .map(|(b, r)| (*b, r.broker_epoch))
            .collect();
        for (b, broker_epoch) in expired {
            ctx.note(format!(
                "fences n{b}: no heartbeat for broker.session.timeout.ms ({}ms)",
                cluster.config.session_timeout_ms
            ));
            self.fence(cluster, ctx, b, broker_epoch);
        }
        self.elect_offline(cluster, ctx);
    }

    /// Fences broker `b`: a `FenceBrokerRecord`, then `b` leaves every ISR (the last member
    /// stays, with no leader) and its partitions get new leaders
    /// (`ReplicationControlManager.handleBrokerFenced`).
    fn fence(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, b: NodeId, broker_epoch: u64) {
        self.append(cluster, ctx, MetadataRecord::FenceBroker { broker: b, broker_epoch });
        let Some(c) = &self.controller else { return };
        let unfenced = c.image.unfenced();
        let mut changes = Vec::new();
        for (p, st) in c.image.partitions.iter().enumerate() {
            let p = p as PartitionId;
            if st.leader != Some(b) && !st.isr.contains(&b) {
                continue;
            }
            let rest: Vec<NodeId> = st.isr.iter().copied().filter(|&r| r != b).collect();
            let mut next = st.clone();
            next.partition_epoch += 1;
            if st.leader == Some(b) {
                next.leader_epoch += 1;
                next.unclean = false;
                match self.choose(cluster, p, &rest, &unfenced) {
                    Some((l, unclean)) => {
                        next.leader = Some(l);
                        next.isr = if unclean { vec![l] } else { rest };
                        next.unclean = unclean;
                        note_election(ctx, p, l, unclean, next.leader_epoch);
                    }
                    None => {
                        next.leader = None;
                        // The last in-sync replica stays in the ISR: only it may lead again.
                        next.isr = if rest.is_empty() { st.isr.clone() } else { rest };
                        ctx.note(format!(
                            "p{p} is offline: no unfenced replica in its ISR [{}]",
                            Ids(&next.isr)
                        ));
                    }
                }
            } else if rest.is_empty() {
                continue;
            } else {
                next.isr = rest;
            }
            changes.push((p, next));
        }
        for (p, next) in changes {
            self.change_partition(cluster, ctx, p, next);
        }
    }

    /// Elects leaders for the partitions without one that now have an eligible replica.
    fn elect_offline(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        let Some(c) = &self.controller else { return };
        let unfenced = c.image.unfenced();
        // The topic's first leaders are its preferred replicas (the first of each assignment),
        // as when a topic is created on a running cluster; a preferred replica that has not
        // registered within a session timeout is passed over.
        let bootstrapping = ctx.now < c.since + ms(cluster.config.session_timeout_ms);
        let mut changes = Vec::new();
        for (p, st) in c.image.partitions.iter().enumerate() {
            let p = p as PartitionId;
            if st.leader.is_some() {
                continue;
            }
            let preferred = cluster.assignment(p)[0];
            if st.leader_epoch == 0 && bootstrapping && !unfenced.contains(&preferred) {
                continue;
            }
            if let Some((l, unclean)) = self.choose(cluster, p, &st.isr, &unfenced) {
                let mut next = st.clone();
                next.leader = Some(l);
                next.leader_epoch += 1;
                next.partition_epoch += 1;
                next.unclean = unclean;
                if unclean {
                    next.isr = vec![l];
                }
                note_election(ctx, p, l, unclean, next.leader_epoch);
                changes.push((p, next));
            }
        }
        for (p, next) in changes {
            self.change_partition(cluster, ctx, p, next);
        }
    }

    /// The leader choice (the shared `PartitionChangeBuilder.electLeader` rule among the
    /// unfenced replicas), with the rule `leader-outside-isr` broken on request.
    fn choose(
        &self,
        cluster: &Cluster,
        p: PartitionId,
        isr: &[NodeId],
        unfenced: &Set<NodeId>,
    ) -> Option<(NodeId, bool)> {
        let outside_isr = cluster.config.broken.has(LEADER_OUTSIDE_ISR);
        choose_leader(&cluster.assignment(p), isr, unfenced, cluster.config.isr.unclean, outside_isr)
    }

    /// AlterPartition from a partition leader: accepted if built on the current state and
    /// every replica it adds is unfenced; answered once the change is committed
    /// (`ReplicationControlManager.alterPartition`).
    pub(super) fn on_alter_partition(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        p: PartitionId,
        (leader_epoch, partition_epoch): (u64, u64),
        isr: Vec<NodeId>,
    ) {
        let Some(c) = &self.controller else { return };
        let Some(st) = c.image.partition(p) else { return };
        let refuse = |ctx: &mut KraftCtx<'_>, e: AlterError| {
            ctx.send(from, KraftMsg::AlterPartitionResponse { partition: p, result: Err(e) });
        };
        if st.leader != Some(from) || st.leader_epoch != leader_epoch || st.partition_epoch != partition_epoch
        {
            return refuse(ctx, AlterError::Stale);
        }
        let unfenced = c.image.unfenced();
        let asg = cluster.assignment(p);
        let eligible = isr.contains(&from)
            && isr.iter().all(|r| asg.contains(r) && (st.isr.contains(r) || unfenced.contains(r)));
        if !eligible {
            return refuse(ctx, AlterError::Ineligible);
        }
        let mut next = st.clone();
        next.isr = isr;
        next.partition_epoch += 1;
        let offset = self.change_partition(cluster, ctx, p, next.clone());
        if let Some(c) = &mut self.controller {
            let reply = KraftMsg::AlterPartitionResponse { partition: p, result: Ok(next) };
            c.pending.push((offset, from, reply));
        }
        self.on_commit(cluster, ctx);
    }
}

fn note_election(ctx: &mut KraftCtx<'_>, p: PartitionId, l: NodeId, unclean: bool, leader_epoch: u64) {
    if unclean {
        ctx.note(format!("elects out-of-sync n{l} to lead p{p} (unclean): records it lacks are lost"));
    } else {
        ctx.note(format!("elects n{l} to lead p{p}, leader epoch {leader_epoch}"));
    }
}
