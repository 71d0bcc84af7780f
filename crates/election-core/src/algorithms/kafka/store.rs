//! The coordination store (ZooKeeper, node `n1`): sessions, `/controller` with the controller
//! epoch, the broker registrations with their broker epochs, and every partition's state,
//! with the logic that serves them: registration and the race for `/controller`, session
//! pings and expiry (the watches that fire), and the controller's conditional writes.

use crate::engine::collections::Map;
use crate::engine::time::{Micros, NodeId, ms};
use crate::replication::{PartitionId, PartitionState};

use super::message::ids;
use super::{KafkaCtx, KafkaMsg, KafkaTimer};

/// How often the store looks for expired sessions.
const EXPIRY_CHECK_MS: u64 = 50;

/// The store's state (ZooKeeper's znodes).
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Who holds `/controller` (an ephemeral node: it goes with its owner's session).
    pub(super) controller: Option<NodeId>,
    /// `/controller_epoch`: bumped each time a broker creates `/controller`.
    pub(super) controller_epoch: u64,
    /// Live sessions and the time each last heard from its broker.
    pub(super) sessions: Map<NodeId, Micros>,
    /// The znode version of `/brokers/ids`: orders the BrokerChange snapshots.
    sessions_version: u64,
    /// Broker epoch of each live session, and the last one handed out.
    broker_epochs: Map<NodeId, u64>,
    last_broker_epoch: u64,
    /// Each partition's stored state (its `state` znode).
    pub(super) partitions: Vec<PartitionState>,
}

impl Store {
    /// A store holding `partitions` as the initial partition states, with no sessions yet.
    pub(super) fn new(partitions: Vec<PartitionState>) -> Self {
        Store { partitions, ..Store::default() }
    }

    /// Live brokers with their broker epochs.
    fn alive(&self) -> Vec<(NodeId, u64)> {
        self.sessions.keys().map(|&b| (b, self.broker_epochs.get(&b).copied().unwrap_or(0))).collect()
    }

    /// (Re)start: sessions do not survive a store restart in this model, so everyone
    /// re-registers; partition states and the controller epoch are on disk.
    pub(super) fn on_start(&mut self, ctx: &mut KafkaCtx<'_>) {
        self.sessions.clear();
        self.controller = None;
        ctx.set_timer(KafkaTimer::Expiry, ms(EXPIRY_CHECK_MS));
    }

    /// The messages the store serves; it ignores the brokers' own traffic.
    pub(super) fn on_message(&mut self, ctx: &mut KafkaCtx<'_>, from: NodeId, msg: KafkaMsg) {
        match msg {
            KafkaMsg::Register => self.on_register(ctx, from),
            KafkaMsg::SessionPing => self.on_session_ping(ctx, from),
            KafkaMsg::UpdatePartition { controller_epoch, partition, state } => {
                self.on_update_partition(ctx, from, controller_epoch, partition, state)
            }
            _ => {}
        }
    }

    /// Marks `from`'s session alive now; true if the store held no session for it.
    fn touch_session(&mut self, now: Micros, from: NodeId) -> bool {
        let new_session = !self.sessions.contains_key(&from);
        self.sessions.insert(from, now);
        new_session
    }

    /// Register: a new session with a new broker epoch (KIP-380, the czxid of
    /// `/brokers/ids/<id>`), then the attempt to create `/controller`.
    fn on_register(&mut self, ctx: &mut KafkaCtx<'_>, from: NodeId) {
        let new_session = self.touch_session(ctx.now, from);
        self.last_broker_epoch += 1;
        self.broker_epochs.insert(from, self.last_broker_epoch);
        self.create_controller(ctx, from, new_session);
    }

    /// SessionPing: keeps the session alive and says who the controller is. A ping for a
    /// session the store does not hold (it expired, or the store restarted) opens one, without
    /// a new broker epoch, and is answered as a registration.
    fn on_session_ping(&mut self, ctx: &mut KafkaCtx<'_>, from: NodeId) {
        if self.touch_session(ctx.now, from) {
            self.create_controller(ctx, from, true);
            return;
        }
        ctx.send(from, KafkaMsg::PingAck { controller: self.controller, epoch: self.controller_epoch });
        // The controller's view of live brokers catches up if a BrokerChange was lost (a watch
        // is re-read when the session's connection comes back).
        if self.controller == Some(from) {
            let alive = self.alive();
            ctx.send(from, KafkaMsg::BrokerChange { alive, version: self.sessions_version, restarted: None });
        }
    }

    /// `from` tries to create `/controller`: it wins if the node is free; otherwise it learns
    /// who holds it, and the controller learns of the (new) session.
    fn create_controller(&mut self, ctx: &mut KafkaCtx<'_>, from: NodeId, new_session: bool) {
        // The current controller re-registering (it thought its session was lost) gets its
        // role back with the same epoch, like a reconnect to its own znode.
        let reinstated = self.controller == Some(from);
        if self.controller.is_none() || reinstated {
            if !reinstated {
                self.controller = Some(from);
                self.controller_epoch += 1;
                ctx.note(format!("n{from} created /controller: controller epoch {}", self.controller_epoch));
            }
            let alive = self.alive();
            ctx.send(
                from,
                KafkaMsg::Elected {
                    epoch: self.controller_epoch,
                    alive,
                    version: self.sessions_version,
                    partitions: self.partitions.clone(),
                },
            );
        } else {
            ctx.send(
                from,
                KafkaMsg::Registered { controller: self.controller, epoch: self.controller_epoch },
            );
            // A Register opens a new session even for a broker the store still lists (it
            // restarted quickly): the controller must re-send it its partitions.
            if let Some(c) = self.controller {
                self.sessions_version += 1;
                let alive = self.alive();
                let restarted = (!new_session).then_some(from);
                ctx.send(c, KafkaMsg::BrokerChange { alive, version: self.sessions_version, restarted });
            }
        }
    }

    /// UpdatePartition: the controller's conditional write of a partition state.
    fn on_update_partition(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        from: NodeId,
        controller_epoch: u64,
        partition: PartitionId,
        state: PartitionState,
    ) {
        // The controller epoch fences zombie controllers, the version orders updates that the
        // network delivered out of order. A write from an older epoch gets no answer.
        if controller_epoch != self.controller_epoch {
            return;
        }
        let Some(cur) = self.partitions.get_mut(partition as usize) else { return };
        // The state's partition epoch is its znode version.
        let version = state.partition_epoch;
        if version > cur.partition_epoch && state.leader_epoch >= cur.leader_epoch {
            *cur = state;
            ctx.send(from, KafkaMsg::UpdateAck { partition, version });
        } else if *cur == state {
            // A re-sent write that already landed.
            ctx.send(from, KafkaMsg::UpdateAck { partition, version });
        } else {
            ctx.send(from, KafkaMsg::UpdateRejected { partition, current: cur.clone() });
        }
    }

    /// The expiry check: ends the sessions not heard from within `timeout`, then looks again
    /// later. When the controller's session ends `/controller` goes and every broker's watch
    /// fires; otherwise the controller's watch on `/brokers/ids` fires.
    pub(super) fn on_expiry_timer(&mut self, ctx: &mut KafkaCtx<'_>, timeout: Micros) {
        self.expire(ctx, timeout);
        ctx.set_timer(KafkaTimer::Expiry, ms(EXPIRY_CHECK_MS));
    }

    fn expire(&mut self, ctx: &mut KafkaCtx<'_>, timeout: Micros) {
        let expired: Vec<NodeId> =
            self.sessions.iter().filter(|(_, t)| ctx.now >= **t + timeout).map(|(b, _)| *b).collect();
        if expired.is_empty() {
            return;
        }
        for b in &expired {
            self.sessions.remove(b);
            self.broker_epochs.remove(b);
        }
        ctx.note(format!("session of {} expired", ids(&expired)));
        let alive: Vec<NodeId> = self.sessions.keys().copied().collect();
        if self.controller.is_some_and(|c| expired.contains(&c)) {
            self.controller = None;
            let epoch = self.controller_epoch;
            ctx.note("/controller is gone: the brokers' watches fire".to_string());
            for &b in &alive {
                ctx.send(b, KafkaMsg::ControllerGone { epoch });
            }
        } else if let Some(c) = self.controller {
            self.sessions_version += 1;
            ctx.send(
                c,
                KafkaMsg::BrokerChange {
                    alive: self.alive(),
                    version: self.sessions_version,
                    restarted: None,
                },
            );
        }
    }
}
