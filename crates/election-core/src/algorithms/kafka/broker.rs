//! A broker (nodes `n2..`): its session with the store (registration, heartbeats, who the
//! controller is), its replicas of the partitions assigned to it (fetching, truncation, the
//! high watermark, the ISR changes it asks for as a leader) and the client writes it takes.
//! The controller role a broker may hold, and the messages only a controller handles, are in
//! `controller.rs`.

use crate::engine::collections::{Map, Set};
use crate::engine::time::{Micros, NodeId, ms};
use crate::replication::{Acks, PartitionId, PartitionState, Record, Replica, last_epoch};

use super::controller::{ControllerState, InFlight};
use super::message::{ids, opt};
use super::{Cluster, KafkaCtx, KafkaMsg, KafkaTimer, STORE};

/// A queued delivery: destination and message.
pub(super) type Delivery = (NodeId, KafkaMsg);

/// A broker's state.
#[derive(Debug, Clone, Default)]
pub struct Broker {
    /// This broker's node id.
    pub(super) id: NodeId,
    /// Whether the store has answered our last registration (our session is open).
    pub(super) registered: bool,
    /// When the store last sent us anything: the session counts as lost a session timeout
    /// later.
    pub(super) last_store_reply: Micros,
    /// The highest controller epoch this broker has seen: it fences requests from older
    /// controllers, and it is the epoch this broker acts in while it is the controller.
    pub(super) controller_epoch: u64,
    /// Who holds `/controller`, as far as this broker knows.
    pub(super) controller_id: Option<NodeId>,
    /// The controller role, while this broker holds it (controller.rs).
    pub(super) controller: Option<ControllerState>,
    /// The requests in flight of the controller role this broker has just lost. Until its
    /// next heartbeat (or a restart, or a new tenure) drops them, replies to them are still
    /// acted on: an UpdateAck still announces the state it confirms.
    pub(super) draining: Option<InFlight>,
    /// The partition states of this broker's last controller tenure, kept (across restarts
    /// too) for the next tenure to compare with the store's snapshot.
    pub(super) last_partitions: Vec<PartitionState>,
    /// The highest version of each partition's state the store has acknowledged to this
    /// broker as controller (the store holds at least that version); kept across tenures.
    pub(super) stored_versions: Map<PartitionId, u64>,
    /// The live brokers as the store last listed them (`BrokerChange`, `Elected`), with their
    /// broker epochs and the list's version. Every broker keeps the newest list it was sent;
    /// the controller acts on it.
    pub(super) alive: Set<NodeId>,
    pub(super) alive_epochs: Map<NodeId, u64>,
    pub(super) alive_version: u64,
    /// This broker's replicas (their partition epoch is the version of the stored state each
    /// last applied), and the controller epoch of the LeaderAndIsr each last applied.
    pub(super) replicas: Map<PartitionId, Replica>,
    controller_epochs: Map<PartitionId, u64>,
    /// Durable: records acknowledged by this broker as leader.
    pub(super) acks: Acks,
    // Bookkeeping for the monitor, not Kafka state: log truncations so far, so that it
    // re-checks lost records only when something they depend on changed.
    pub(super) truncations: u64,
}

impl Broker {
    /// Broker `id`, before its first start.
    pub(super) fn new(id: NodeId) -> Self {
        Broker { id, ..Broker::default() }
    }

    /// The broker's own view of partition `p`: (log, high watermark, leads it?).
    pub(super) fn replica(&self, p: PartitionId) -> Option<(&[Record], u64, bool)> {
        self.replicas.get(&p).map(|r| (r.log.as_slice(), r.hw, r.leader == Some(self.id)))
    }

    /// (Re)start: open a session (and race for `/controller`), arm the timers.
    pub(super) fn on_start(&mut self, cluster: &Cluster, ctx: &mut KafkaCtx<'_>) {
        self.registered = false;
        ctx.send(STORE, KafkaMsg::Register);
        ctx.set_timer(KafkaTimer::Heartbeat, ms(cluster.config.heartbeat_ms));
        ctx.set_timer(KafkaTimer::Replicate, ms(cluster.config.fetch_ms));
    }

    /// A crash: logs and acknowledgements are on disk; the session, the controller role and
    /// its requests in flight are not. What the broker remembers of its last tenure
    /// (`last_partitions`, `stored_versions`) and its list of live brokers stay as they are.
    pub(super) fn on_crash(&mut self) {
        self.registered = false;
        self.resign();
        self.draining = None;
        self.controller_id = None;
        for r in self.replicas.values_mut() {
            r.leader = None;
            r.isr.clear();
            r.pending_isr = None;
            r.followers.clear();
            r.unacked.clear();
        }
    }

    /// Every message a broker receives, from the store, the controller or another replica
    /// (or from itself, when it is the controller and one of its own replicas is addressed).
    pub(super) fn on_message(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KafkaCtx<'_>,
        from: NodeId,
        msg: KafkaMsg,
    ) {
        if from == STORE {
            self.last_store_reply = ctx.now;
        }
        match msg {
            // The session with the store.
            KafkaMsg::PingAck { controller, epoch } => self.on_ping_ack(ctx, controller, epoch),
            KafkaMsg::Registered { controller, epoch } => self.on_registered(ctx, controller, epoch),
            KafkaMsg::ControllerGone { .. } => self.on_controller_gone(ctx),
            // The controller role (controller.rs).
            KafkaMsg::Elected { epoch, alive, version, partitions } => {
                self.on_elected(cluster, ctx, epoch, alive, version, partitions)
            }
            KafkaMsg::BrokerChange { alive, version, restarted } => {
                self.on_broker_change(cluster, ctx, alive, version, restarted)
            }
            KafkaMsg::UpdateAck { partition, version } => {
                self.on_update_ack(cluster, ctx, partition, version)
            }
            KafkaMsg::UpdateRejected { partition, current } => {
                self.on_update_rejected(cluster, ctx, partition, current)
            }
            KafkaMsg::AlterIsr { partition, leader_epoch, isr } => {
                self.on_alter_isr(ctx, from, partition, leader_epoch, isr)
            }
            KafkaMsg::LeaderAndIsrAck { partition, leader_epoch } => {
                self.on_leader_and_isr_ack(from, partition, leader_epoch)
            }
            // Replication.
            KafkaMsg::LeaderAndIsr { controller_epoch, partition, leader, leader_epoch, isr, version } => {
                self.apply_leader_and_isr(
                    ctx,
                    controller_epoch,
                    partition,
                    leader,
                    (leader_epoch, version),
                    isr,
                );
                if from != self.id {
                    ctx.send(from, KafkaMsg::LeaderAndIsrAck { partition, leader_epoch });
                }
            }
            KafkaMsg::IsrUpdated { controller_epoch, partition, leader_epoch, isr, version } => {
                self.on_isr_updated(ctx, controller_epoch, partition, leader_epoch, isr, version)
            }
            KafkaMsg::Fetch { partition, leader_epoch, offset, last_epoch } => {
                self.on_fetch(ctx, from, partition, leader_epoch, offset, last_epoch)
            }
            KafkaMsg::FetchResponse { partition, leader_epoch, from: start, records, hw, end_offset } => {
                self.on_fetch_response(ctx, partition, leader_epoch, start, records, hw, end_offset)
            }
            // The store's messages.
            KafkaMsg::Register | KafkaMsg::SessionPing | KafkaMsg::UpdatePartition { .. } => {}
        }
    }

    // ---- the session with the store ----

    /// The heartbeat: keep the session alive, or open a new one when the store has been
    /// silent for a session timeout; a controller also re-sends what was not acknowledged.
    pub(super) fn on_heartbeat_timer(&mut self, cluster: &Cluster, ctx: &mut KafkaCtx<'_>) {
        let hb = ms(cluster.config.heartbeat_ms);
        let session = ms(cluster.config.session_timeout_ms);
        // No word from the store for a session timeout: our session is gone; open a new one
        // (and race for /controller if it is free).
        if self.registered && ctx.now >= self.last_store_reply + session {
            self.registered = false;
            if self.is_controller() {
                self.resign();
                ctx.note("lost its session: stops acting as controller");
            }
        }
        if self.registered {
            ctx.send(STORE, KafkaMsg::SessionPing);
        } else {
            ctx.send(STORE, KafkaMsg::Register);
        }
        match &self.controller {
            Some(c) => c.resend(ctx, &self.alive, self.controller_epoch),
            None => self.draining = None,
        }
        ctx.set_timer(KafkaTimer::Heartbeat, hb);
    }

    /// PingAck: the store says who the controller is.
    fn on_ping_ack(&mut self, ctx: &mut KafkaCtx<'_>, controller: Option<NodeId>, epoch: u64) {
        let me = self.id;
        self.controller_id = controller;
        self.controller_epoch = self.controller_epoch.max(epoch);
        if self.is_controller() && controller != Some(me) {
            self.resign();
            ctx.note("learns it is no longer the controller");
        } else if !self.is_controller() && controller == Some(me) {
            // The store still lists us as controller: take the role back.
            ctx.send(STORE, KafkaMsg::Register);
        }
    }

    /// Registered: our session is open and someone else holds `/controller`.
    fn on_registered(&mut self, ctx: &mut KafkaCtx<'_>, controller: Option<NodeId>, epoch: u64) {
        let me = self.id;
        self.registered = true;
        self.last_store_reply = ctx.now;
        self.controller_id = controller;
        self.controller_epoch = self.controller_epoch.max(epoch);
        if self.is_controller() && epoch > 0 && controller != Some(me) {
            self.resign();
            ctx.note(format!("learns {} is controller now; stops acting as controller", opt(controller)));
        } else if !self.is_controller() && controller == Some(me) {
            ctx.send(STORE, KafkaMsg::Register);
        }
    }

    /// ControllerGone: the watch on `/controller` fired: race to create it.
    fn on_controller_gone(&mut self, ctx: &mut KafkaCtx<'_>) {
        self.controller_id = None;
        self.resign();
        ctx.send(STORE, KafkaMsg::Register);
    }

    /// A timeout request from the user: register again, whatever the broker believes.
    pub(super) fn on_timeout_request(&mut self, ctx: &mut KafkaCtx<'_>) {
        ctx.note("re-registers with the store");
        ctx.send(STORE, KafkaMsg::Register);
    }

    /// Sends an AlterIsr to the controller, or handles it here when we are the controller.
    fn send_alter_isr(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        partition: PartitionId,
        leader_epoch: u64,
        isr: Vec<NodeId>,
    ) {
        match self.controller_id {
            Some(c) if c == self.id => self.on_alter_isr(ctx, c, partition, leader_epoch, isr),
            Some(c) => ctx.send(c, KafkaMsg::AlterIsr { partition, leader_epoch, isr }),
            None => {}
        }
    }

    // ---- replicas ----

    /// LeaderAndIsr: adopt the partition's leader, leader epoch and ISR, unless the request is
    /// fenced (older controller epoch) or older than what this replica already applied.
    pub(super) fn apply_leader_and_isr(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        controller_epoch: u64,
        p: PartitionId,
        leader: Option<NodeId>,
        (leader_epoch, version): (u64, u64),
        isr: Vec<NodeId>,
    ) {
        let me = self.id;
        if controller_epoch < self.controller_epoch {
            ctx.note(format!(
                "rejects LeaderAndIsr from stale controller epoch {controller_epoch} (knows {})",
                self.controller_epoch
            ));
            return;
        }
        self.controller_epoch = controller_epoch;
        let r = self.replicas.entry(p).or_default();
        let applied = self.controller_epochs.entry(p).or_default();
        // Newer (leader epoch, controller epoch) wins; a same-epoch request from a newer
        // controller replaces what a deposed one said.
        if (leader_epoch, controller_epoch) < (r.leader_epoch, *applied) {
            return;
        }
        if leader_epoch == r.leader_epoch && version < r.partition_epoch {
            // Same leadership, older stored state (say a re-send from before an ISR change):
            // applying it would shrink the ISR behind the controller's back.
            return;
        }
        r.partition_epoch = version;
        *applied = controller_epoch;
        let was_leader = r.leader == Some(me);
        r.leader = leader;
        r.leader_epoch = leader_epoch;
        if leader == Some(me) {
            if !was_leader {
                ctx.note(format!("leads p{p} in leader epoch {leader_epoch}"));
                r.followers.clear();
                r.pending_isr = None;
            }
            r.isr = isr;
            r.track_isr(me, ctx.now);
        } else {
            r.isr.clear();
            r.pending_isr = None;
            r.unacked.clear();
        }
    }

    /// IsrUpdated: the controller committed our ISR change.
    fn on_isr_updated(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        controller_epoch: u64,
        partition: PartitionId,
        leader_epoch: u64,
        isr: Vec<NodeId>,
        version: u64,
    ) {
        if controller_epoch < self.controller_epoch {
            return;
        }
        if let Some(r) = self.replicas.get_mut(&partition)
            && r.leader_epoch == leader_epoch
            && version > r.partition_epoch
        {
            r.isr = isr;
            r.partition_epoch = version;
            r.pending_isr = None;
        }
        self.advance_hw(ctx, partition);
    }

    /// Moves partition `p`'s high watermark up to what every member of the maximal ISR
    /// holds and acknowledges the records it passes.
    fn advance_hw(&mut self, ctx: &mut KafkaCtx<'_>, p: PartitionId) {
        if let Some(r) = self.replicas.get_mut(&p) {
            r.advance_hw(self.id, p, &mut self.acks, ctx);
        }
    }

    /// Fetch (leader side): answer with records, and let a caught-up replica rejoin the ISR.
    fn on_fetch(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        from: NodeId,
        p: PartitionId,
        leader_epoch: u64,
        offset: u64,
        last_epoch: u64,
    ) {
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&p) else { return };
        if r.leader != Some(me) || leader_epoch != r.leader_epoch {
            return;
        }
        let leo = r.log.len() as u64;
        // KIP-101: where does our log end for the follower's last epoch?
        let end_offset = r.log.iter().position(|rec| rec.epoch > last_epoch).map_or(leo, |i| i as u64);
        let (valid, caught_up, records) = r.fetched(from, offset.min(end_offset), ctx.now);
        ctx.send(
            from,
            KafkaMsg::FetchResponse {
                partition: p,
                leader_epoch,
                from: valid,
                records,
                hw: r.hw,
                end_offset,
            },
        );
        // ISR expansion: a caught-up replica outside the ISR rejoins (through the controller).
        let alter = if caught_up { r.expand_isr(from, ctx.now) } else { None };
        if let Some(isr) = alter {
            self.send_alter_isr(ctx, p, leader_epoch, isr);
        }
        self.advance_hw(ctx, p);
    }

    /// FetchResponse (follower side): truncate a diverging suffix, append, follow the high
    /// watermark.
    #[allow(clippy::too_many_arguments)]
    fn on_fetch_response(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        p: PartitionId,
        leader_epoch: u64,
        from: u64,
        records: Vec<Record>,
        hw: u64,
        end_offset: u64,
    ) {
        let Some(r) = self.replicas.get_mut(&p) else { return };
        if leader_epoch != r.leader_epoch {
            return;
        }
        let leo = r.log.len() as u64;
        // KIP-101: drop what the leader does not have for our last epoch (divergence).
        let keep = leo.min(end_offset);
        if keep < leo {
            ctx.note(format!(
                "truncates p{p} from offset {keep} to follow the leader ({} records dropped)",
                leo - keep
            ));
            r.log.truncate(keep as usize);
            self.truncations += 1;
        }
        let len = r.log.len() as u64;
        if from <= len {
            let skip = (len - from) as usize;
            r.log.extend(records.into_iter().skip(skip));
        }
        r.hw = hw.min(r.log.len() as u64);
    }

    /// The replication tick: a leader asks to drop ISR members that lag more than
    /// `replica.lag.time.max.ms`; a follower fetches from its leader.
    pub(super) fn on_replicate_timer(&mut self, cluster: &Cluster, ctx: &mut KafkaCtx<'_>) {
        let me = self.id;
        let lag = ms(cluster.config.replica_lag_ms);
        let mut shrink = Vec::new();
        for (&p, r) in self.replicas.iter_mut() {
            if r.leader == Some(me) {
                // ISR shrink: members that have not caught up within replica.lag.time.max.ms.
                if let Some((isr, lagging)) = r.shrink_isr(me, ctx.now, lag) {
                    shrink.push((p, r.leader_epoch, isr, lagging));
                }
            } else if let Some(l) = r.leader {
                let fetch = KafkaMsg::Fetch {
                    partition: p,
                    leader_epoch: r.leader_epoch,
                    offset: r.log.len() as u64,
                    last_epoch: last_epoch(&r.log),
                };
                ctx.send(l, fetch);
            }
        }
        for (p, leader_epoch, isr, lagging) in shrink {
            ctx.note(format!("asks to drop lagging {} from p{p}'s ISR", ids(&lagging)));
            self.send_alter_isr(ctx, p, leader_epoch, isr);
        }
        ctx.set_timer(KafkaTimer::Replicate, ms(cluster.config.fetch_ms));
    }

    // ---- clients ----

    /// A producer's write of `value` (to partition `value % partitions`): appended if we
    /// lead it and, with `acks=all`, the ISR is large enough; acknowledged at once with
    /// `acks=1`, else once the high watermark passes it.
    pub(super) fn on_client_write(&mut self, cluster: &Cluster, ctx: &mut KafkaCtx<'_>, value: u64) {
        let config = &cluster.config.isr;
        let p = value % cluster.partitions();
        let min_insync = config.min_insync.min(cluster.assignment(0).len() as u64) as usize;
        match self.replicas.get_mut(&p) {
            Some(r) => r.write(self.id, p, value, (config.acks_all, min_insync), &mut self.acks, ctx),
            None => ctx.note(format!("knows no leader for p{p}; the write is refused")),
        }
    }
}
