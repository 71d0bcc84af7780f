//! The controller role a broker takes when it holds `/controller`: it loads the partition
//! states from the store, elects partition leaders (`elect_leader`, Kafka's
//! `Election.leaderForOffline`), writes each change to the store first and then announces it
//! with LeaderAndIsr, re-sending until acknowledged, and commits the ISR changes leaders ask
//! for (AlterIsr).

use crate::engine::collections::Set;
use crate::engine::time::NodeId;

use super::broker::{Broker, Delivery};
use super::message::ids;
use super::{Cluster, KafkaCtx, KafkaMsg, PartitionId, PartitionState, STORE};

/// Kafka's leader choice for an offline partition (`Election.leaderForOffline`): the first
/// replica in assignment order that is alive and in the ISR; with unclean election allowed,
/// else the first alive replica. The flag says whether the choice was unclean.
pub fn elect_leader(
    assignment: &[NodeId],
    isr: &[NodeId],
    alive: &Set<NodeId>,
    unclean: bool,
) -> Option<(NodeId, bool)> {
    if let Some(&l) = assignment.iter().find(|r| alive.contains(r) && isr.contains(r)) {
        return Some((l, false));
    }
    if unclean {
        return assignment.iter().find(|r| alive.contains(r)).map(|&l| (l, true));
    }
    None
}

impl Broker {
    /// Elected: we hold `/controller` for `epoch`; load the store's state and reconcile.
    pub(super) fn on_elected(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KafkaCtx<'_>,
        epoch: u64,
        alive: Vec<(NodeId, u64)>,
        version: u64,
        partitions: Vec<PartitionState>,
    ) {
        let me = self.id;
        let n = cluster.partitions();
        let asg: Vec<Vec<NodeId>> = (0..n).map(|p| cluster.assignment(p)).collect();
        if self.is_controller && self.controller_epoch == epoch {
            // A duplicate of the message that made us controller: starting over would drop the
            // store writes in flight.
            return;
        }
        self.registered = true;
        self.last_store_reply = ctx.now;
        self.is_controller = true;
        self.controller = Some(me);
        self.controller_epoch = epoch;
        self.pending_writes.clear();
        self.reannounce.clear();
        self.unacked.clear();
        // A BrokerChange may have overtaken this message: keep the newer snapshot.
        if version >= self.alive_version {
            self.alive = alive.iter().map(|(n, _)| *n).collect();
            self.alive_epochs = alive.into_iter().collect();
            self.alive_version = version;
        }
        // The store is the truth (KafkaController.initializeControllerContext reads every
        // partition state from ZooKeeper): what an earlier term of ours did not get
        // acknowledged there never happened. (Keeping it once let a new controller announce a
        // leader epoch the store had never recorded; brokers then refused the store's lower
        // epoch forever.)
        self.states = if partitions.len() as u64 == n {
            // ... except where the snapshot is older than a state of ours the store has
            // already acknowledged (the store answered a re-sent Register before our write
            // landed): the store holds at least that version.
            let own = std::mem::take(&mut self.states);
            partitions
                .into_iter()
                .enumerate()
                .map(|(p, st)| match own.get(p) {
                    Some(o)
                        if o.version > st.version
                            && self
                                .stored_versions
                                .get(&(p as PartitionId))
                                .is_some_and(|&a| a >= o.version) =>
                    {
                        o.clone()
                    }
                    _ => st,
                })
                .collect()
        } else {
            asg.iter()
                .map(|a| PartitionState {
                    leader: None,
                    isr: a.clone(),
                    leader_epoch: 0,
                    unclean: false,
                    version: 0,
                })
                .collect()
        };
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
        if !self.is_controller {
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
    /// answer the AlterIsr that caused it.
    pub(super) fn on_update_ack(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KafkaCtx<'_>,
        partition: PartitionId,
        version: u64,
    ) {
        let me = self.id;
        let asg = cluster.assignment(partition);
        let Some((state, reply)) = self.pending_writes.remove(&(partition, version)) else { return };
        let stored = self.stored_versions.entry(partition).or_insert(0);
        *stored = (*stored).max(version);
        // Older writes for this partition still pending are superseded: their acks may arrive
        // later (the network reorders) and must not announce an older state.
        self.pending_writes.retain(|(q, v), _| *q != partition || *v > version);
        let still_pending = self.pending_writes.keys().any(|(q, _)| *q == partition);
        let announce = !still_pending && self.reannounce.remove(&partition);
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
                    version: state.version,
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
        if !self.is_controller {
            return;
        }
        self.pending_writes.retain(|(p, _), _| *p != partition);
        if let Some(st) = self.states.get_mut(partition as usize)
            && current.version >= st.version
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
        if !self.is_controller {
            return;
        }
        let ce = self.controller_epoch;
        let Some(st) = self.states.get_mut(partition as usize) else { return };
        if st.leader == Some(from) && st.leader_epoch == leader_epoch {
            st.isr = isr.clone();
            st.version += 1;
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
                version: state.version,
            };
            self.pending_writes.insert((partition, state.version), (state, Some((from, msg))));
        }
    }

    /// LeaderAndIsrAck: stop re-sending that request.
    pub(super) fn on_leader_and_isr_ack(&mut self, from: NodeId, partition: PartitionId, leader_epoch: u64) {
        if let Some(KafkaMsg::LeaderAndIsr { leader_epoch: e, .. }) = self.unacked.get(&(from, partition))
            && *e <= leader_epoch
        {
            self.unacked.remove(&(from, partition));
        }
    }

    /// The controller's channel re-sends what was not acknowledged: LeaderAndIsr to live
    /// brokers, and the store writes still in flight.
    pub(super) fn resend(&self, ctx: &mut KafkaCtx<'_>) {
        for ((to, _), msg) in &self.unacked {
            if self.alive.contains(to) {
                ctx.send(*to, msg.clone());
            }
        }
        for ((p, _), (state, _)) in &self.pending_writes {
            let msg = KafkaMsg::UpdatePartition {
                controller_epoch: self.controller_epoch,
                partition: *p,
                state: state.clone(),
            };
            ctx.send(STORE, msg);
        }
    }

    /// Elects leaders for partitions whose leader is not alive and shrinks ISRs to live
    /// brokers (`onBrokerFailure`); each change is written to the store, and announced with
    /// LeaderAndIsr once durable. With `announce_all`, unchanged states are re-announced
    /// (`onBrokerStartup`).
    fn reconcile(&mut self, cluster: &Cluster, ctx: &mut KafkaCtx<'_>, announce_all: bool) {
        let me = self.id;
        let unclean_allowed = cluster.config.unclean;
        let assignments: Vec<Vec<NodeId>> =
            (0..cluster.partitions()).map(|p| cluster.assignment(p)).collect();
        if !self.is_controller {
            return;
        }
        let ce = self.controller_epoch;
        let mut now = Vec::new();
        for (p, asg) in assignments.iter().enumerate() {
            let part = p as PartitionId;
            let st = &mut self.states[p];
            let mut changed = false;
            let isr_alive: Vec<NodeId> = st.isr.iter().copied().filter(|r| self.alive.contains(r)).collect();
            let leader_alive = st.leader.is_some_and(|l| self.alive.contains(&l));
            if !leader_alive {
                // Dead ISR members no longer count; with none alive, keep the ISR so a clean
                // election can wait for one of them to come back.
                let isr_for_election = if isr_alive.is_empty() { st.isr.clone() } else { isr_alive.clone() };
                match elect_leader(asg, &isr_for_election, &self.alive, unclean_allowed) {
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
                st.version += 1;
            }
            let state = st.clone();
            let msg = KafkaMsg::LeaderAndIsr {
                controller_epoch: ce,
                partition: part,
                leader: state.leader,
                leader_epoch: state.leader_epoch,
                isr: state.isr.clone(),
                version: state.version,
            };
            let waiting = self.pending_writes.keys().any(|(q, _)| *q == part);
            if changed {
                ctx.send(
                    STORE,
                    KafkaMsg::UpdatePartition { controller_epoch: ce, partition: part, state: state.clone() },
                );
                self.pending_writes.insert((part, state.version), (state, None));
            } else if announce_all && waiting {
                // The state is about to change; announce the stored one when it lands (a
                // restarted broker must hear who leads, even if the write was an ISR change).
                self.reannounce.insert(part);
            } else if announce_all {
                now.extend(
                    asg.iter().filter(|r| self.alive.contains(r) || **r == me).map(|&r| (r, msg.clone())),
                );
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
            } else {
                if let KafkaMsg::LeaderAndIsr { partition, leader_epoch, version, .. } = &msg {
                    // Keep re-sending the newest state, never an older one over it.
                    let newer = match self.unacked.get(&(to, *partition)) {
                        Some(KafkaMsg::LeaderAndIsr { leader_epoch: e, version: v, .. }) => {
                            (*leader_epoch, *version) >= (*e, *v)
                        }
                        _ => true,
                    };
                    if newer {
                        self.unacked.insert((to, *partition), msg.clone());
                    }
                }
                ctx.send(to, msg);
            }
        }
    }
}
