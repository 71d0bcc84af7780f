//! A broker (nodes `nV+1..`): an observer of the metadata log (it fetches without voting, and
//! applies what is committed to its image), its registration and heartbeats with the active
//! controller, and its replicas of the data partitions (fetching, truncation, the high
//! watermark, the ISR changes it asks for as a leader) with the client writes they take.

use crate::engine::collections::Map;
use crate::engine::time::{Micros, NodeId, ms};
use crate::replication::{
    Acks, PartitionId, PartitionState, Record, Replica, diverging, last_epoch, truncation_point,
};

use super::image::Image;
use super::message::{AlterError, FetchResult, Ids, KraftMsg, MetaEntry, ReplicaFetchResult};
use super::{Cluster, KraftCtx, KraftTimer};

/// A broker's state.
#[derive(Debug, Clone)]
pub struct Broker {
    pub(super) id: NodeId,
    /// Durable: the broker's copy of the metadata log.
    pub(super) log: Vec<MetaEntry>,
    /// The high watermark the leader last reported.
    pub(super) hw: u64,
    /// The quorum epoch and leader (the active controller) as far as this broker knows.
    pub(super) epoch: u64,
    pub(super) leader: Option<NodeId>,
    /// When a metadata fetch last succeeded.
    last_fetch: Micros,
    /// Which voter to ask next while no leader is known.
    probe: u64,
    /// The image of the committed metadata this broker has applied, and how far.
    pub(super) image: Image,
    pub(super) applied: u64,
    /// The registration: broker epoch, and whether the controller last said it is fenced.
    pub(super) broker_epoch: Option<u64>,
    pub(super) fenced: bool,
    /// The controller a registration was last sent to, and when: it is sent again only to
    /// another controller or after two heartbeat intervals without an answer.
    registering: Option<(NodeId, Micros)>,
    pub(super) replicas: Map<PartitionId, Replica>,
    /// Durable: records acknowledged by this broker as leader.
    pub(super) acks: Acks,
    // Bookkeeping for the monitor, not Kafka state: log truncations (metadata and partitions)
    // so far.
    pub(super) truncations: u64,
}

impl Broker {
    /// Broker `id` of `cluster`, before its first start.
    pub(super) fn new(id: NodeId, cluster: &Cluster) -> Self {
        let replicas = (0..cluster.config.isr.partitions)
            .filter(|&p| cluster.assignment(p).contains(&id))
            .map(|p| (p, Replica::default()))
            .collect();
        Broker {
            id,
            log: Vec::new(),
            hw: 0,
            epoch: 0,
            leader: None,
            last_fetch: 0,
            probe: 0,
            image: Image::new(cluster),
            applied: 0,
            broker_epoch: None,
            fenced: true,
            registering: None,
            replicas,
            acks: Acks::default(),
            truncations: 0,
        }
    }

    /// The broker's own view of partition `p`: (log, high watermark, leads it?, leader epoch).
    pub(super) fn replica(&self, p: PartitionId) -> Option<(&[Record], u64, bool, u64)> {
        self.replicas.get(&p).map(|r| (r.log.as_slice(), r.hw, r.leader == Some(self.id), r.leader_epoch))
    }

    /// (Re)start: fetch metadata, register, replicate.
    pub(super) fn on_start(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        ctx.set_timer(KraftTimer::MetaFetch, ms(cluster.config.fetch_ms));
        ctx.set_timer(KraftTimer::Heartbeat, ms(cluster.config.heartbeat_ms));
        ctx.set_timer(KraftTimer::Replicate, ms(cluster.config.fetch_ms));
    }

    /// A crash: the logs and acknowledgements are on disk; the registration, the image (rebuilt
    /// from the log once the leader reports a high watermark) and the replicas' roles are not.
    pub(super) fn on_crash(&mut self, cluster: &Cluster) {
        self.hw = 0;
        self.leader = None;
        self.image = Image::new(cluster);
        self.applied = 0;
        self.broker_epoch = None;
        self.fenced = true;
        self.registering = None;
        for r in self.replicas.values_mut() {
            let (log, hw) = (std::mem::take(&mut r.log), r.hw);
            *r = Replica { log, hw, ..Replica::default() };
        }
    }

    /// Every message a broker handles.
    pub(super) fn on_message(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        msg: KraftMsg,
    ) {
        match msg {
            KraftMsg::FetchResponse { epoch, leader, result } => {
                self.on_fetch_response(cluster, ctx, from, epoch, leader, result)
            }
            KraftMsg::BrokerRegistrationResponse { broker_epoch } => self.on_registered(ctx, broker_epoch),
            KraftMsg::BrokerHeartbeatResponse { broker_epoch, fenced, stale } => {
                self.on_heartbeat_response(ctx, broker_epoch, fenced, stale)
            }
            KraftMsg::AlterPartitionResponse { partition, result } => {
                self.on_alter_partition_response(ctx, partition, result)
            }
            KraftMsg::ReplicaFetch { partition, leader_epoch, offset, last_epoch } => {
                self.on_replica_fetch(ctx, from, partition, (leader_epoch, offset, last_epoch))
            }
            KraftMsg::ReplicaFetchResponse { partition, leader_epoch, result } => {
                self.on_replica_fetch_response(ctx, partition, leader_epoch, result)
            }
            // Quorum and controller messages.
            _ => {}
        }
    }

    // ---- the metadata log, as an observer ----

    /// The fetch tick: pull from the leader, or look for it among the voters.
    pub(super) fn on_meta_fetch_timer(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        if self.leader.is_some() && ctx.now >= self.last_fetch + ms(cluster.config.fetch_timeout_ms) {
            // The fetch timeout: forget the leader and ask the voters in turn.
            self.leader = None;
        }
        let to = match self.leader {
            Some(l) => l,
            None => {
                self.probe += 1;
                (1 + self.probe % cluster.voters() as u64) as NodeId
            }
        };
        let msg = KraftMsg::Fetch {
            epoch: self.epoch,
            offset: self.log.len() as u64,
            last_epoch: last_epoch(&self.log),
        };
        ctx.send(to, msg);
        ctx.set_timer(KraftTimer::MetaFetch, ms(cluster.config.fetch_ms));
    }

    fn on_fetch_response(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        epoch: u64,
        leader: Option<NodeId>,
        result: FetchResult,
    ) {
        if epoch > self.epoch || (epoch == self.epoch && self.leader.is_none() && leader.is_some()) {
            self.epoch = epoch;
            self.leader = leader;
            self.last_fetch = ctx.now;
        }
        if epoch != self.epoch || leader != Some(from) || self.leader != Some(from) {
            return;
        }
        match result {
            FetchResult::NotLeader => return,
            FetchResult::Diverging { epoch: e, end_offset } => {
                let keep = truncation_point(&self.log, e, end_offset);
                if keep < self.log.len() as u64 {
                    self.log.truncate(keep as usize);
                    self.truncations += 1;
                    self.hw = self.hw.min(keep);
                    if self.applied > keep {
                        // Never for committed entries; rebuilt to be safe if it were.
                        self.image = Image::replay(cluster, &self.log[..self.hw as usize]);
                        self.applied = self.hw;
                    }
                }
            }
            FetchResult::Records { from: start, entries, hw } => {
                if start == self.log.len() as u64 {
                    self.log.extend(entries);
                }
                self.hw = self.hw.max(hw.min(self.log.len() as u64));
            }
        }
        self.last_fetch = ctx.now;
        self.apply_metadata(ctx);
    }

    /// Applies the newly committed metadata to the image, then to the replicas.
    fn apply_metadata(&mut self, ctx: &mut KraftCtx<'_>) {
        if self.applied >= self.hw {
            return;
        }
        while self.applied < self.hw {
            let offset = self.applied;
            self.image.apply(offset, &self.log[offset as usize].record);
            self.applied += 1;
        }
        let states: Vec<(PartitionId, PartitionState)> =
            self.replicas.keys().filter_map(|&p| self.image.partition(p).map(|st| (p, st.clone()))).collect();
        for (p, st) in states {
            self.sync_replica(ctx, p, &st);
        }
    }

    /// Adopts partition `p`'s committed state if it is newer than what the replica has.
    fn sync_replica(&mut self, ctx: &mut KraftCtx<'_>, p: PartitionId, st: &PartitionState) {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&p) else { return };
        if st.partition_epoch <= r.partition_epoch && r.partition_epoch != 0 {
            return;
        }
        let now = ctx.now;
        if st.leader_epoch != r.leader_epoch || st.leader != r.leader {
            r.leader = st.leader;
            r.leader_epoch = st.leader_epoch;
            r.followers.clear();
            r.pending_isr = None;
            r.unacked.clear();
            r.isr.clear();
            if st.leader == Some(me) {
                ctx.note(format!("leads p{p} in leader epoch {}", st.leader_epoch));
                r.isr = st.isr.clone();
            }
        } else if st.leader == Some(me) {
            r.isr = st.isr.clone();
            if r.pending_isr.as_ref().is_some_and(|pending| st.partition_epoch > pending.base) {
                r.pending_isr = None;
            }
        }
        if st.leader == Some(me) {
            r.track_isr(me, now);
        }
        r.partition_epoch = st.partition_epoch;
        self.advance_hw(ctx, p);
    }

    // ---- registration and heartbeats ----

    /// The heartbeat tick: register with the active controller, or heartbeat to it.
    pub(super) fn on_heartbeat_timer(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        // A registration the controller took is answered within a commit (a fetch round); one
        // that went to a voter not yet active is not answered at all.
        let retry = 2 * ms(cluster.config.heartbeat_ms);
        match (self.leader, self.broker_epoch) {
            (Some(c), Some(broker_epoch)) => {
                ctx.send(c, KraftMsg::BrokerHeartbeat { broker_epoch, metadata_offset: self.applied })
            }
            (Some(c), None) => {
                // One registration at a time: each one the controller takes is a new broker
                // epoch.
                let waiting = self.registering.is_some_and(|(to, at)| to == c && ctx.now < at + retry);
                if !waiting {
                    self.registering = Some((c, ctx.now));
                    ctx.send(c, KraftMsg::BrokerRegistration);
                }
            }
            (None, _) => {}
        }
        ctx.set_timer(KraftTimer::Heartbeat, ms(cluster.config.heartbeat_ms));
    }

    /// BrokerRegistrationResponse: a newer broker epoch replaces ours.
    fn on_registered(&mut self, ctx: &mut KraftCtx<'_>, broker_epoch: u64) {
        if self.broker_epoch.is_none_or(|e| broker_epoch > e) {
            self.broker_epoch = Some(broker_epoch);
            self.fenced = true;
            self.registering = None;
            ctx.note(format!("registered with broker epoch {broker_epoch}"));
        }
    }

    /// BrokerHeartbeatResponse: fenced or not, or register again (`STALE_BROKER_EPOCH`).
    fn on_heartbeat_response(
        &mut self,
        ctx: &mut KraftCtx<'_>,
        broker_epoch: u64,
        fenced: bool,
        stale: bool,
    ) {
        if self.broker_epoch != Some(broker_epoch) {
            return;
        }
        if stale {
            ctx.note(format!("broker epoch {broker_epoch} is stale: registers again"));
            self.broker_epoch = None;
            self.registering = None;
        } else {
            self.fenced = fenced;
        }
    }

    // ---- replicas ----

    /// Sends an AlterPartition for `p`'s pending ISR change to the active controller.
    fn send_alter_partition(&self, ctx: &mut KraftCtx<'_>, p: PartitionId) {
        let (Some(c), Some(r)) = (self.leader, self.replicas.get(&p)) else { return };
        if let Some(pending) = &r.pending_isr {
            let msg = KraftMsg::AlterPartition {
                partition: p,
                leader_epoch: r.leader_epoch,
                partition_epoch: pending.base,
                isr: pending.isr.clone(),
            };
            ctx.send(c, msg);
        }
    }

    fn on_alter_partition_response(
        &mut self,
        ctx: &mut KraftCtx<'_>,
        p: PartitionId,
        result: Result<PartitionState, AlterError>,
    ) {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&p) else { return };
        match result {
            Ok(st) => {
                if r.leader == Some(me)
                    && st.leader_epoch == r.leader_epoch
                    && st.partition_epoch > r.partition_epoch
                {
                    r.isr = st.isr;
                    r.partition_epoch = st.partition_epoch;
                    r.pending_isr = None;
                }
            }
            // Nothing changed: drop the request.
            Err(AlterError::Ineligible) => r.pending_isr = None,
            // Built on an older state, or a copy of one already applied: the metadata log
            // will say what the ISR is; until then the change still counts.
            Err(AlterError::Stale) => {}
        }
        self.advance_hw(ctx, p);
    }

    /// Leader: moves the high watermark up to what every member of the maximal ISR holds and
    /// acknowledges the records it passes.
    fn advance_hw(&mut self, ctx: &mut KraftCtx<'_>, p: PartitionId) {
        let me = self.id;
        if let Some(r) = self.replicas.get_mut(&p)
            && r.leader == Some(me)
        {
            r.advance_hw(me, p, &mut self.acks, ctx);
        }
    }

    /// Partition Fetch (leader side): answer, and let a caught-up unfenced replica rejoin the ISR.
    fn on_replica_fetch(
        &mut self,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        p: PartitionId,
        (leader_epoch, offset, last_epoch_f): (u64, u64, u64),
    ) {
        let me = self.id;
        let eligible = self.image.unfenced().contains(&from);
        let Some(r) = self.replicas.get_mut(&p) else { return };
        if r.leader != Some(me) || leader_epoch != r.leader_epoch {
            return;
        }
        if let Some((epoch, end_offset)) = diverging(&r.log, offset, last_epoch_f) {
            let result = ReplicaFetchResult::Diverging { epoch, end_offset };
            ctx.send(from, KraftMsg::ReplicaFetchResponse { partition: p, leader_epoch, result });
            return;
        }
        let (offset, caught_up, records) = r.fetched(from, offset, ctx.now);
        let result = ReplicaFetchResult::Records { from: offset, records, hw: r.hw };
        ctx.send(from, KraftMsg::ReplicaFetchResponse { partition: p, leader_epoch, result });
        // ISR expansion (KIP-841: only an unfenced replica), through the controller.
        if caught_up && eligible && r.expand_isr(from, ctx.now).is_some() {
            ctx.note(format!("asks to add caught-up n{from} to p{p}'s ISR"));
            self.send_alter_partition(ctx, p);
        }
        self.advance_hw(ctx, p);
    }

    /// Partition FetchResponse (follower side): truncate a diverging suffix, or append.
    fn on_replica_fetch_response(
        &mut self,
        ctx: &mut KraftCtx<'_>,
        p: PartitionId,
        leader_epoch: u64,
        result: ReplicaFetchResult,
    ) {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&p) else { return };
        if leader_epoch != r.leader_epoch || r.leader == Some(me) {
            return;
        }
        match result {
            ReplicaFetchResult::Diverging { epoch, end_offset } => {
                let keep = truncation_point(&r.log, epoch, end_offset);
                if keep < r.log.len() as u64 {
                    ctx.note(format!(
                        "truncates p{p} to offset {keep} to follow the leader ({} records dropped)",
                        r.log.len() as u64 - keep
                    ));
                    r.log.truncate(keep as usize);
                    r.hw = r.hw.min(keep);
                    self.truncations += 1;
                }
            }
            ReplicaFetchResult::Records { from, records, hw } => {
                if from == r.log.len() as u64 {
                    r.log.extend(records);
                }
                r.hw = hw.min(r.log.len() as u64);
            }
        }
    }

    /// The replication tick: a leader asks to drop ISR members that lag more than
    /// `replica.lag.time.max.ms` (and re-sends a change not yet settled); a follower fetches.
    pub(super) fn on_replicate_timer(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        let me = self.id;
        let lag = ms(cluster.config.replica_lag_ms);
        let mut alter = Vec::new();
        for (&p, r) in self.replicas.iter_mut() {
            if r.leader == Some(me) {
                if let Some(pending) = &mut r.pending_isr {
                    // No answer within a fetch timeout: ask again (a new controller, a lost
                    // request).
                    if ctx.now >= pending.sent + ms(cluster.config.fetch_timeout_ms) {
                        pending.sent = ctx.now;
                        alter.push(p);
                    }
                    continue;
                }
                if let Some((_, lagging)) = r.shrink_isr(me, ctx.now, lag) {
                    ctx.note(format!("asks to drop lagging {} from p{p}'s ISR", Ids(&lagging)));
                    alter.push(p);
                }
            } else if let Some(l) = r.leader {
                let msg = KraftMsg::ReplicaFetch {
                    partition: p,
                    leader_epoch: r.leader_epoch,
                    offset: r.log.len() as u64,
                    last_epoch: last_epoch(&r.log),
                };
                ctx.send(l, msg);
            }
        }
        for p in alter {
            self.send_alter_partition(ctx, p);
        }
        ctx.set_timer(KraftTimer::Replicate, ms(cluster.config.fetch_ms));
    }

    // ---- clients ----

    /// A producer's write of `value` to partition `value % partitions`: appended if this broker
    /// leads it and, with `acks=all`, the ISR is at least `min.insync.replicas`; acknowledged at
    /// once with `acks=1`, else once the high watermark passes it.
    pub(super) fn on_client_write(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, value: u64) {
        let config = &cluster.config.isr;
        let p = value % config.partitions;
        let min_insync = config.min_insync.min(cluster.assignment(p).len() as u64) as usize;
        match self.replicas.get_mut(&p) {
            Some(r) => r.write(self.id, p, value, (config.acks_all, min_insync), &mut self.acks, ctx),
            None => ctx.note(format!("holds no replica of p{p}; the producer asks the leader")),
        }
    }
}
