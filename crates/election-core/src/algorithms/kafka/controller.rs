//! The controller role a broker takes when it holds `/controller`, as a type:
//! [`ControllerState`], held in `Broker::controller` while the role lasts. Becoming controller
//! (`become_controller`, Kafka's `onControllerFailover`) loads the partition states from the
//! store; losing the role (`resign`) drops it. Here too are the messages only a controller
//! acts on: it elects partition leaders (the shared
//! [`elect_leader`](crate::replication::elect_leader), Kafka's `Election.leaderForOffline`),
//! writes each change to the store first and announces it with LeaderAndIsr once durable,
//! re-sending until acknowledged, and commits the ISR changes leaders ask for (AlterIsr).

use crate::engine::collections::{Map, Set};
use crate::engine::time::NodeId;
use crate::replication::{LEADER_OUTSIDE_ISR, PartitionId, PartitionState, choose_leader};

use super::broker::{Broker, Delivery};
use super::message::ids;
use super::{Cluster, KafkaCtx, KafkaMsg, STORE};

/// The controller role, for one tenure: what Kafka keeps in its `ControllerContext` and
/// channel manager. It exists only while the broker holds the role, so nothing of it needs
/// resetting by hand. The epoch the controller acts in is the broker's `controller_epoch`,
/// which is also the broker's fencing epoch as a replica.
#[derive(Debug, Clone)]
pub struct ControllerState {
    /// The partition states the controller works from: loaded from the store when the role
    /// starts, then changed by its elections and ISR changes ahead of the store.
    pub(super) partitions: Vec<PartitionState>,
    /// What it has sent and not yet heard back about.
    pub(super) in_flight: InFlight,
}

/// A controller's requests in flight.
#[derive(Debug, Clone, Default)]
pub struct InFlight {
    /// Store writes in flight; once one is durable the controller announces the state to the
    /// partition's live replicas (LeaderAndIsr), or answers the AlterIsr that caused it (the
    /// stored delivery).
    pending_writes: Map<(PartitionId, u64), (PartitionState, Option<Delivery>)>,
    /// Partitions to announce to every live replica once their pending write lands (a broker
    /// came back while the write was in flight).
    reannounce: Set<PartitionId>,
    /// LeaderAndIsr requests not yet acknowledged, by (broker, partition).
    unacked: Map<(NodeId, PartitionId), KafkaMsg>,
}

impl ControllerState {
    /// The role at its start: the loaded `partitions`, nothing in flight.
    fn new(partitions: Vec<PartitionState>) -> Self {
        ControllerState { partitions, in_flight: InFlight::default() }
    }

    /// The channel re-sends what was not acknowledged: LeaderAndIsr to live brokers, and the
    /// store writes still in flight (`ControllerChannelManager`; ZooKeeper writes retried).
    pub(super) fn resend(&self, ctx: &mut KafkaCtx<'_>, alive: &Set<NodeId>, controller_epoch: u64) {
        for ((to, _), msg) in &self.in_flight.unacked {
            if alive.contains(to) {
                ctx.send(*to, msg.clone());
            }
        }
        for ((p, _), (state, _)) in &self.in_flight.pending_writes {
            let msg = KafkaMsg::UpdatePartition { controller_epoch, partition: *p, state: state.clone() };
            ctx.send(STORE, msg);
        }
    }
}

/// The requests in flight of the role the broker holds, or else of the role it has just lost
/// (see `Broker::draining`). Takes the two fields apart so the rest of the broker stays free.
fn in_flight<'a>(
    controller: &'a mut Option<ControllerState>,
    draining: &'a mut Option<InFlight>,
) -> Option<&'a mut InFlight> {
    match controller {
        Some(c) => Some(&mut c.in_flight),
        None => draining.as_mut(),
    }
}

/// The partition states a new controller starts from. The store is the truth
/// (`KafkaController.initializeControllerContext` reads every partition state from
/// ZooKeeper): what an earlier tenure of ours did not get acknowledged there never happened.
/// (Keeping it once let a new controller announce a leader epoch the store had never
/// recorded; brokers then refused the store's lower epoch forever.) The exception is a state
/// of ours (`own`, from our last tenure) newer than the snapshot that the store has already
/// acknowledged (`stored_versions`): the store answered a re-sent Register before our write
/// landed, so it holds at least that version. With no snapshot of every partition, each
/// starts offline with its whole assignment as ISR.
pub(super) fn load_partitions(
    snapshot: Vec<PartitionState>,
    own: &[PartitionState],
    stored_versions: &Map<PartitionId, u64>,
    assignments: &[Vec<NodeId>],
) -> Vec<PartitionState> {
    if snapshot.len() != assignments.len() {
        return assignments.iter().map(|a| PartitionState::offline(a.clone())).collect();
    }
    snapshot
        .into_iter()
        .enumerate()
        .map(|(p, st)| match own.get(p) {
            Some(o)
                if o.partition_epoch > st.partition_epoch
                    && stored_versions.get(&(p as PartitionId)).is_some_and(|&a| a >= o.partition_epoch) =>
            {
                o.clone()
            }
            _ => st,
        })
        .collect()
}

impl Broker {
    /// Whether this broker holds the controller role.
    pub(super) fn is_controller(&self) -> bool {
        self.controller.is_some()
    }

    /// Takes the controller role for `epoch`, starting from the store's `snapshot` of the
    /// partition states (Kafka's `onControllerFailover`). A role held for another epoch ends
    /// first, with whatever it had in flight.
    pub(super) fn become_controller(&mut self, cluster: &Cluster, epoch: u64, snapshot: Vec<PartitionState>) {
        assert!(epoch > 0, "controller epochs start at 1");
        assert!(
            !(self.is_controller() && self.controller_epoch == epoch),
            "n{} is already the controller of epoch {epoch}",
            self.id
        );
        self.resign();
        self.draining = None;
        let assignments: Vec<Vec<NodeId>> =
            (0..cluster.partitions()).map(|p| cluster.assignment(p)).collect();
        let own = std::mem::take(&mut self.last_partitions);
        let partitions = load_partitions(snapshot, &own, &self.stored_versions, &assignments);
        self.controller_id = Some(self.id);
        self.controller_epoch = epoch;
        self.controller = Some(ControllerState::new(partitions));
    }

    /// Gives up the controller role. Its partition states are kept for a later tenure (see
    /// `load_partitions`); its requests in flight drain until the next heartbeat.
    pub(super) fn resign(&mut self) {
        if let Some(c) = self.controller.take() {
            self.last_partitions = c.partitions;
            self.draining = Some(c.in_flight);
        }
    }

    /// Elected: we hold `/controller` for `epoch`; take the role and reconcile.
    pub(super) fn on_elected(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KafkaCtx<'_>,
        epoch: u64,
        alive: Vec<(NodeId, u64)>,
        version: u64,
        partitions: Vec<PartitionState>,
    ) {
        if self.is_controller() && self.controller_epoch == epoch {
            // A duplicate of the message that made us controller: starting over would drop the
            // store writes in flight.
            return;
        }
        self.registered = true;
        self.last_store_reply = ctx.now;
        // A BrokerChange may have overtaken this message: keep the newer snapshot.
        if version >= self.alive_version {
            self.alive = alive.iter().map(|(n, _)| *n).collect();
            self.alive_epochs = alive.into_iter().collect();
            self.alive_version = version;
        }
        self.become_controller(cluster, epoch, partitions);
        ctx.note(format!("is the controller (controller epoch {epoch})"));
        self.reconcile(cluster, ctx, true);
    }

    /// BrokerChange: the store's list of live brokers. Every broker keeps the newest list;
    /// the controller reacts to brokers gone (`onBrokerFailure`) and back (`onBrokerStartup`).
    pub(super) fn on_broker_change(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KafkaCtx<'_>,
        alive: Vec<(NodeId, u64)>,
        version: u64,
        restarted: Option<NodeId>,
    ) {
        let me = self.id;
        // Snapshots may arrive out of order: only a newer one replaces our view; a restart
        // notice counts whatever its version.
        let before = self.alive.clone();
        let before_epochs = self.alive_epochs.clone();
        if version > self.alive_version {
            self.alive_version = version;
            self.alive = alive.iter().map(|(n, _)| *n).collect();
            self.alive_epochs = alive.into_iter().collect();
        }
        if !self.is_controller() {
            return;
        }
        let gone: Vec<NodeId> = before.difference(&self.alive).copied().collect();
        let mut back: Vec<NodeId> = self.alive.difference(&before).copied().collect();
        if let Some(r) = restarted
            && r != me
            && self.alive.contains(&r)
            && !back.contains(&r)
        {
            back.push(r);
        }
        // A new broker epoch means a new registration: the broker restarted, even if the
        // notice that it had gone was lost (KafkaController's "bounced brokers").
        for (&r, e) in self.alive_epochs.iter() {
            let bounced = before.contains(&r) && before_epochs.get(&r).is_some_and(|old| old != e);
            if bounced && r != me && !back.contains(&r) {
                back.push(r);
            }
        }
        if gone.is_empty() && back.is_empty() {
            return;
        }
        if !gone.is_empty() {
            ctx.note(format!("sees {} gone (session expired)", ids(&gone)));
        }
        if !back.is_empty() {
            ctx.note(format!("sees {} back", ids(&back)));
        }
        self.reconcile(cluster, ctx, !back.is_empty());
    }

    /// UpdateAck: a write is durable; announce the state to the partition's replicas, or
    /// answer the AlterIsr that caused it. A broker that has just lost the role still does
    /// this for its draining writes.
    pub(super) fn on_update_ack(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KafkaCtx<'_>,
        partition: PartitionId,
        version: u64,
    ) {
        let me = self.id;
        let asg = cluster.assignment(partition);
        let Some(in_flight) = in_flight(&mut self.controller, &mut self.draining) else { return };
        let Some((state, reply)) = in_flight.pending_writes.remove(&(partition, version)) else { return };
        let stored = self.stored_versions.entry(partition).or_insert(0);
        *stored = (*stored).max(version);
        // Older writes for this partition still pending are superseded: their acks may arrive
        // later (the network reorders) and must not announce an older state.
        in_flight.pending_writes.retain(|(q, v), _| *q != partition || *v > version);
        let still_pending = in_flight.pending_writes.keys().any(|(q, _)| *q == partition);
        let announce = !still_pending && in_flight.reannounce.remove(&partition);
        let deliveries: Vec<Delivery> = match reply {
            Some(d) if !announce => vec![d],
            reply => {
                let mut out: Vec<Delivery> = reply.into_iter().collect();
                let msg = KafkaMsg::LeaderAndIsr {
                    controller_epoch: self.controller_epoch,
                    partition,
                    leader: state.leader,
                    leader_epoch: state.leader_epoch,
                    isr: state.isr,
                    version: state.partition_epoch,
                };
                out.extend(
                    asg.iter().filter(|r| self.alive.contains(r) || **r == me).map(|&r| (r, msg.clone())),
                );
                out
            }
        };
        self.deliver(cluster, ctx, deliveries);
    }

    /// UpdateRejected: our write lost a race; start again from the stored state.
    pub(super) fn on_update_rejected(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KafkaCtx<'_>,
        partition: PartitionId,
        current: PartitionState,
    ) {
        let Some(c) = &mut self.controller else { return };
        c.in_flight.pending_writes.retain(|(p, _), _| *p != partition);
        if let Some(st) = c.partitions.get_mut(partition as usize)
            && current.partition_epoch >= st.partition_epoch
        {
            *st = current;
        }
        self.reconcile(cluster, ctx, true);
    }

    /// AlterIsr: a partition leader asks to change its ISR; the change is written to the store
    /// and answered (IsrUpdated) once durable.
    pub(super) fn on_alter_isr(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        from: NodeId,
        partition: PartitionId,
        leader_epoch: u64,
        isr: Vec<NodeId>,
    ) {
        let ce = self.controller_epoch;
        let Some(c) = &mut self.controller else { return };
        let Some(st) = c.partitions.get_mut(partition as usize) else { return };
        if st.leader == Some(from) && st.leader_epoch == leader_epoch {
            st.isr = isr.clone();
            st.partition_epoch += 1;
            let state = st.clone();
            ctx.send(
                STORE,
                KafkaMsg::UpdatePartition { controller_epoch: ce, partition, state: state.clone() },
            );
            let msg = KafkaMsg::IsrUpdated {
                controller_epoch: ce,
                partition,
                leader_epoch,
                isr,
                version: state.partition_epoch,
            };
            c.in_flight.pending_writes.insert((partition, state.partition_epoch), (state, Some((from, msg))));
        }
    }

    /// LeaderAndIsrAck: stop re-sending that request.
    pub(super) fn on_leader_and_isr_ack(&mut self, from: NodeId, partition: PartitionId, leader_epoch: u64) {
        let Some(in_flight) = in_flight(&mut self.controller, &mut self.draining) else { return };
        if let Some(KafkaMsg::LeaderAndIsr { leader_epoch: e, .. }) =
            in_flight.unacked.get(&(from, partition))
            && *e <= leader_epoch
        {
            in_flight.unacked.remove(&(from, partition));
        }
    }

    /// Elects leaders for partitions whose leader is not alive and shrinks ISRs to live
    /// brokers (`onBrokerFailure`); each change is written to the store, and announced with
    /// LeaderAndIsr once durable. With `announce_all`, unchanged states are re-announced
    /// (`onBrokerStartup`).
    fn reconcile(&mut self, cluster: &Cluster, ctx: &mut KafkaCtx<'_>, announce_all: bool) {
        let me = self.id;
        let unclean_allowed = cluster.config.isr.unclean;
        let outside_isr = cluster.config.broken.has(LEADER_OUTSIDE_ISR);
        let assignments: Vec<Vec<NodeId>> =
            (0..cluster.partitions()).map(|p| cluster.assignment(p)).collect();
        let ce = self.controller_epoch;
        let alive = &self.alive;
        let Some(c) = &mut self.controller else { return };
        let mut now = Vec::new();
        for (p, asg) in assignments.iter().enumerate() {
            let part = p as PartitionId;
            let st = &mut c.partitions[p];
            let mut changed = false;
            let isr_alive: Vec<NodeId> = st.isr.iter().copied().filter(|r| alive.contains(r)).collect();
            let leader_alive = st.leader.is_some_and(|l| alive.contains(&l));
            if !leader_alive {
                // Dead ISR members no longer count; with none alive, keep the ISR so a clean
                // election can wait for one of them to come back.
                let isr_for_election = if isr_alive.is_empty() { st.isr.clone() } else { isr_alive.clone() };
                // With rule leader-outside-isr broken: the first live replica, ISR or not.
                match choose_leader(asg, &isr_for_election, alive, unclean_allowed, outside_isr) {
                    Some((l, unclean)) => {
                        st.leader = Some(l);
                        st.leader_epoch += 1;
                        st.isr = if unclean { vec![l] } else { isr_alive.clone() };
                        st.unclean = unclean;
                        if unclean {
                            ctx.note(format!(
                                "elects out-of-sync n{l} to lead p{p} (unclean): records it lacks are lost"
                            ));
                        } else {
                            ctx.note(format!(
                                "elects n{l} (first live ISR replica) to lead p{p}, leader epoch {}",
                                st.leader_epoch
                            ));
                        }
                        changed = true;
                    }
                    None => {
                        if st.leader.is_some() {
                            st.leader = None;
                            st.leader_epoch += 1;
                            ctx.note(format!(
                                "p{p} is offline: no live replica in the ISR (unclean election is off)"
                            ));
                            changed = true;
                        }
                        if !isr_alive.is_empty() && isr_alive != st.isr {
                            st.isr = isr_alive.clone();
                            changed = true;
                        }
                    }
                }
            } else if isr_alive.len() < st.isr.len() {
                st.isr = isr_alive;
                changed = true;
            }
            if changed {
                st.partition_epoch += 1;
            }
            let state = st.clone();
            let msg = KafkaMsg::LeaderAndIsr {
                controller_epoch: ce,
                partition: part,
                leader: state.leader,
                leader_epoch: state.leader_epoch,
                isr: state.isr.clone(),
                version: state.partition_epoch,
            };
            let waiting = c.in_flight.pending_writes.keys().any(|(q, _)| *q == part);
            if changed {
                ctx.send(
                    STORE,
                    KafkaMsg::UpdatePartition { controller_epoch: ce, partition: part, state: state.clone() },
                );
                c.in_flight.pending_writes.insert((part, state.partition_epoch), (state, None));
            } else if announce_all && waiting {
                // The state is about to change; announce the stored one when it lands (a
                // restarted broker must hear who leads, even if the write was an ISR change).
                c.in_flight.reannounce.insert(part);
            } else if announce_all {
                now.extend(asg.iter().filter(|r| alive.contains(r) || **r == me).map(|&r| (r, msg.clone())));
            }
        }
        self.deliver(cluster, ctx, now);
    }

    /// Sends each message, handling those addressed to ourselves locally; LeaderAndIsr
    /// requests are remembered until acknowledged.
    fn deliver(&mut self, cluster: &Cluster, ctx: &mut KafkaCtx<'_>, list: Vec<Delivery>) {
        let me = self.id;
        for (to, msg) in list {
            if to == me {
                self.on_message(cluster, ctx, me, msg);
                continue;
            }
            if let KafkaMsg::LeaderAndIsr { partition, leader_epoch, version, .. } = &msg
                && let Some(in_flight) = in_flight(&mut self.controller, &mut self.draining)
            {
                // Keep re-sending the newest state, never an older one over it.
                let newer = match in_flight.unacked.get(&(to, *partition)) {
                    Some(KafkaMsg::LeaderAndIsr { leader_epoch: e, version: v, .. }) => {
                        (*leader_epoch, *version) >= (*e, *v)
                    }
                    _ => true,
                };
                if newer {
                    in_flight.unacked.insert((to, *partition), msg.clone());
                }
            }
            ctx.send(to, msg);
        }
    }
}
