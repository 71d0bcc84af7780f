//! # Kafka: controller election and partition-leader failover
//!
//! Kafka elects leaders at two levels.
//!
//! * **Controller.** Every broker tries to create the ephemeral `/controller` node in the
//!   coordination store (ZooKeeper, here node `n1`); the first succeeds and becomes the
//!   controller, and the store bumps the **controller epoch**. Brokers keep a session with
//!   heartbeats; when the controller's session expires the node disappears, the watchers fire
//!   and the brokers race again. Requests carrying an older controller epoch are rejected,
//!   which fences a controller that does not know it was replaced ("zombie controller").
//! * **Partition leaders.** Each partition has an assignment (replica list), a leader, an
//!   in-sync replica set (ISR) and a **leader epoch**. Followers fetch from the leader; a
//!   follower that has not caught up within `replica.lag.time.max.ms` is removed from the ISR
//!   (through the controller, AlterPartition/KIP-497: the leader keeps counting the old ISR
//!   until the controller confirms). A record is acknowledged to an `acks=all` producer when
//!   every ISR member has it (the high watermark passes it), and only while the ISR has at
//!   least `min.insync.replicas` members. When a broker's session expires, the controller
//!   elects for each partition it led the **first replica in assignment order that is alive
//!   and in the ISR** (`Election.leaderForOffline`) and bumps the leader epoch. With
//!   `unclean.leader.election.enable` it may pick an alive replica outside the ISR: the
//!   partition comes back, but acknowledged records that replica never had are lost —
//!   counted in the partition table and flagged as a violation (the planted unsafe setting).
//! * The controller writes each partition state to the store first (a conditional write,
//!   checked by controller epoch and version) and only then tells the replicas (LeaderAndIsr),
//!   re-sending until they acknowledge, as its channel manager does. A new controller starts
//!   from the store's partition states only (`initializeControllerContext`).
//! * Every registration gets a new **broker epoch** (KIP-380; the czxid of
//!   `/brokers/ids/<id>`), so the controller recognises a restarted broker even when it
//!   missed the notice that the broker had gone, and re-sends it every partition's state
//!   (`onBrokerStartup`), once any write in flight for that partition has landed.
//! * Followers truncate diverging suffixes using the leader's end offset for their last
//!   epoch (KIP-101, `OffsetsForLeaderEpoch`), then fetch.
//!
//! ## Invariants
//! * Controller epochs and per-partition leader epochs only increase.
//! * A partition leader is in the ISR, unless it was elected uncleanly.
//! * With clean elections (and `acks=all`, `min.insync.replicas` >= 2), no acknowledged record
//!   is lost. With `acks=1` (asynchronous replication) a failover can lose acknowledged
//!   records: flagged, like unclean election, as a planted unsafe setting.
//!
//! ## References
//! * Apache Kafka `KafkaController.scala` (`onBrokerFailure`, `onBrokerStartup`),
//!   `PartitionStateMachine`, `Election.scala` (`leaderForOffline`), `ReplicaManager` ISR
//!   shrink (`replica.lag.time.max.ms`), `ControllerChannelManager` (re-sent requests).
//! * KIP-101 (leader epoch truncation), KIP-497 (AlterPartition / AlterIsr).
//! * Deviations: the store is one node (as in the article's diagrams), partition state lives
//!   in it, and watches are messages (re-sent with the controller's session heartbeats).

mod message;
mod monitor;
mod store;
#[cfg(test)]
mod tests;

use crate::engine::collections::{Map, Set};
use std::fmt;

use serde::{Deserialize, Serialize};

pub use message::{KafkaMsg, PartitionId, PartitionState, Record};
use message::{ids, opt};
pub use monitor::KafkaMonitor;
use monitor::{all_acked, lost_records};
pub use store::Store;

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::Nodes;
use crate::engine::protocol::{Ctx, Protocol, Status};
use crate::engine::settings::{Field, Settings, check_millis, millis, number, on_off};
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::view::Role;
use crate::engine::view::{EntryView, NodeView, Panel};

/// The coordination store (ZooKeeper) node.
pub const STORE: NodeId = 1;

/// Kafka settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KafkaConfig {
    /// Number of partitions.
    pub partitions: u64,
    /// Replication factor (capped by the number of brokers).
    pub replication: u64,
    /// `unclean.leader.election.enable`.
    pub unclean: bool,
    /// `min.insync.replicas`: an `acks=all` write needs at least this many in-sync replicas.
    pub min_insync: u64,
    /// `acks=all` (true) or `acks=1` (false: the leader acknowledges on append, like
    /// asynchronous replication to a database's replicas).
    pub acks_all: bool,
    /// Broker heartbeat to the store.
    pub heartbeat_ms: u64,
    /// Session timeout at the store.
    pub session_timeout_ms: u64,
    /// Follower fetch interval.
    pub fetch_ms: u64,
    /// `replica.lag.time.max.ms`.
    pub replica_lag_ms: u64,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            partitions: 3,
            replication: 3,
            unclean: false,
            min_insync: 2,
            acks_all: true,
            heartbeat_ms: 100,
            session_timeout_ms: 400,
            fetch_ms: 50,
            replica_lag_ms: 400,
        }
    }
}

impl Settings for KafkaConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::number("partitions", "Partitions", self.partitions),
            Field::number("replication", "Replication factor", self.replication),
            Field::toggle("unclean", "unclean.leader.election.enable", self.unclean),
            Field::number("min-insync", "min.insync.replicas", self.min_insync),
            Field::toggle("acks-all", "acks=all (off: acks=1, asynchronous)", self.acks_all),
            Field::millis("heartbeat", "Broker heartbeat", self.heartbeat_ms),
            Field::millis("session-timeout", "Session timeout", self.session_timeout_ms),
            Field::millis("fetch", "Follower fetch interval", self.fetch_ms),
            Field::millis("replica-lag", "replica.lag.time.max.ms", self.replica_lag_ms),
        ]
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "partitions" => self.partitions = number(key, v)?,
            "replication" => self.replication = number(key, v)?,
            "unclean" => self.unclean = on_off(key, v)?,
            "min-insync" => self.min_insync = number(key, v)?,
            "acks-all" => self.acks_all = on_off(key, v)?,
            "heartbeat" => self.heartbeat_ms = millis(key, v)?,
            "session-timeout" => self.session_timeout_ms = millis(key, v)?,
            "fetch" => self.fetch_ms = millis(key, v)?,
            "replica-lag" => self.replica_lag_ms = millis(key, v)?,
            _ => return Err(format!("unknown setting '{key}' for kafka")),
        }
        Ok(())
    }
}

/// The replica list of partition `p` among brokers `2..=n`.
pub fn assignment(p: PartitionId, nodes: usize, replication: u64) -> Vec<NodeId> {
    let brokers = nodes.saturating_sub(1) as u64;
    let rf = replication.min(brokers).max(1);
    (0..rf).map(|i| (2 + (p + i) % brokers) as NodeId).collect()
}

/// Kafka's leader choice for an offline partition (`Election.leaderForOffline`): the first
/// replica in assignment order that is alive and in the ISR; with unclean election allowed,
/// else the first alive replica.
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

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KafkaTimer {
    /// Broker: session heartbeat (and re-register if no answer); controller re-sends.
    Heartbeat,
    /// Store: check for expired sessions.
    Expiry,
    /// Broker: fetch for followed partitions; check ISR lag for led partitions.
    Replicate,
}

impl fmt::Display for KafkaTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KafkaTimer::Heartbeat => "heartbeat",
            KafkaTimer::Expiry => "session-expiry-check",
            KafkaTimer::Replicate => "replicate",
        })
    }
}

type KafkaCtx<'a> = Ctx<'a, KafkaMsg, KafkaTimer>;

/// A replica of one partition on a broker.
#[derive(Debug, Clone, Default)]
pub struct Replica {
    leader: Option<NodeId>,
    leader_epoch: u64,
    controller_epoch: u64,
    /// Version of the stored partition state this replica last applied.
    version: u64,
    log: Vec<Record>,
    hw: u64,
    /// Leader only: ISR (committed by the controller) and a pending change.
    isr: Vec<NodeId>,
    pending_isr: Option<Vec<NodeId>>,
    /// Leader only: follower -> (fetch offset, last time it was caught up).
    followers: Map<NodeId, (u64, Micros)>,
    /// Produced records not yet acknowledged: offset.
    unacked: Set<u64>,
}

/// A queued delivery: destination and message.
type Delivery = (NodeId, KafkaMsg);

/// A broker's state.
#[derive(Debug, Clone, Default)]
pub struct Broker {
    registered: bool,
    last_store_reply: Micros,
    controller_epoch: u64,
    controller: Option<NodeId>,
    /// Controller only.
    is_controller: bool,
    alive: Set<NodeId>,
    /// Controller: the broker epoch of each live broker, as last reported by the store.
    alive_epochs: Map<NodeId, u64>,
    alive_version: u64,
    states: Vec<PartitionState>,
    /// Controller only: store writes in flight; once one is durable the controller announces
    /// the state to the partition's live replicas (LeaderAndIsr), or answers the AlterIsr
    /// that caused it (the stored delivery).
    pending_writes: Map<(PartitionId, u64), (PartitionState, Option<Delivery>)>,
    /// Controller only: the highest version of each partition's state the store has
    /// acknowledged to us (the store holds at least that version).
    stored_versions: Map<PartitionId, u64>,
    /// Controller only: partitions to announce to every live replica once their pending
    /// write lands (a broker came back while the write was in flight).
    reannounce: Set<PartitionId>,
    /// Controller only: LeaderAndIsr requests not yet acknowledged, by (broker, partition).
    unacked: Map<(NodeId, PartitionId), KafkaMsg>,
    replicas: Map<PartitionId, Replica>,
    /// Durable: records acknowledged by this broker as leader: (partition, offset) -> record.
    acked: Map<(PartitionId, u64), Record>,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum Node {
    /// n1: the coordination store.
    Store(Store),
    /// n2..: brokers.
    Broker(Broker),
}

/// One node of the Kafka cluster.
#[derive(Debug, Clone)]
pub struct Kafka {
    id: NodeId,
    n: usize,
    config: KafkaConfig,
    node: Node,
}

impl Kafka {
    fn assignment(&self, p: PartitionId) -> Vec<NodeId> {
        assignment(p, self.n, self.config.replication)
    }

    fn partitions(&self) -> u64 {
        self.config.partitions
    }

    /// The leader epoch this broker knows for partition `p`.
    pub fn replica_epoch(&self, p: PartitionId) -> Option<u64> {
        match &self.node {
            Node::Broker(b) => b.replicas.get(&p).map(|r| r.leader_epoch),
            Node::Store(_) => None,
        }
    }

    /// The leader of partition `p` as stored in ZooKeeper (`None` on a broker, or while the
    /// partition is offline): what the partition table shows and clients are told.
    pub fn stored_leader(&self, p: PartitionId) -> Option<NodeId> {
        match &self.node {
            Node::Store(store) => store.partitions.get(p as usize)?.leader,
            Node::Broker(_) => None,
        }
    }

    /// The broker's own view of partition `p`: (log, high watermark, leads it?).
    pub fn replica(&self, p: PartitionId) -> Option<(&[Record], u64, bool)> {
        match &self.node {
            Node::Broker(b) => {
                b.replicas.get(&p).map(|r| (r.log.as_slice(), r.hw, r.leader == Some(self.id)))
            }
            Node::Store(_) => None,
        }
    }

    // ---- controller ----

    /// Elects leaders for partitions whose leader is not alive and shrinks ISRs to live
    /// brokers (`onBrokerFailure`); each change is written to the store, and announced with
    /// LeaderAndIsr once durable. With `announce_all`, unchanged states are re-announced
    /// (`onBrokerStartup`).
    fn controller_reconcile(&mut self, ctx: &mut KafkaCtx<'_>, announce_all: bool) {
        let me = self.id;
        let unclean_allowed = self.config.unclean;
        let assignments: Vec<Vec<NodeId>> = (0..self.partitions()).map(|p| self.assignment(p)).collect();
        let Node::Broker(b) = &mut self.node else { return };
        if !b.is_controller {
            return;
        }
        let ce = b.controller_epoch;
        let mut now = Vec::new();
        for (p, asg) in assignments.iter().enumerate() {
            let part = p as PartitionId;
            let st = &mut b.states[p];
            let mut changed = false;
            let isr_alive: Vec<NodeId> = st.isr.iter().copied().filter(|r| b.alive.contains(r)).collect();
            let leader_alive = st.leader.is_some_and(|l| b.alive.contains(&l));
            if !leader_alive {
                // Dead ISR members no longer count; with none alive, keep the ISR so a clean
                // election can wait for one of them to come back.
                let isr_for_election = if isr_alive.is_empty() { st.isr.clone() } else { isr_alive.clone() };
                match elect_leader(asg, &isr_for_election, &b.alive, unclean_allowed) {
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
            let waiting = b.pending_writes.keys().any(|(q, _)| *q == part);
            if changed {
                ctx.send(
                    STORE,
                    KafkaMsg::UpdatePartition { controller_epoch: ce, partition: part, state: state.clone() },
                );
                b.pending_writes.insert((part, state.version), (state, None));
            } else if announce_all && waiting {
                // The state is about to change; announce the stored one when it lands (a
                // restarted broker must hear who leads, even if the write was an ISR change).
                b.reannounce.insert(part);
            } else if announce_all {
                now.extend(
                    asg.iter().filter(|r| b.alive.contains(r) || **r == me).map(|&r| (r, msg.clone())),
                );
            }
        }
        self.deliver(ctx, now);
    }

    /// Sends each message, handling those addressed to ourselves locally; LeaderAndIsr
    /// requests are remembered until acknowledged.
    fn deliver(&mut self, ctx: &mut KafkaCtx<'_>, list: Vec<Delivery>) {
        let me = self.id;
        for (to, msg) in list {
            if to == me {
                self.broker_msg(ctx, me, msg);
            } else {
                if let (KafkaMsg::LeaderAndIsr { partition, leader_epoch, version, .. }, Node::Broker(b)) =
                    (&msg, &mut self.node)
                {
                    // Keep re-sending the newest state, never an older one over it.
                    let newer = match b.unacked.get(&(to, *partition)) {
                        Some(KafkaMsg::LeaderAndIsr { leader_epoch: e, version: v, .. }) => {
                            (*leader_epoch, *version) >= (*e, *v)
                        }
                        _ => true,
                    };
                    if newer {
                        b.unacked.insert((to, *partition), msg.clone());
                    }
                }
                ctx.send(to, msg);
            }
        }
    }

    /// Sends `msg` to the controller (handled locally when we are the controller).
    fn to_controller(&mut self, ctx: &mut KafkaCtx<'_>, msg: KafkaMsg) {
        let me = self.id;
        let Node::Broker(b) = &self.node else { return };
        match b.controller {
            Some(c) if c == me => self.broker_msg(ctx, me, msg),
            Some(c) => ctx.send(c, msg),
            None => {}
        }
    }

    // ---- brokers ----

    fn apply_leader_and_isr(
        &mut self,
        ctx: &mut KafkaCtx<'_>,
        controller_epoch: u64,
        p: PartitionId,
        leader: Option<NodeId>,
        (leader_epoch, version): (u64, u64),
        isr: Vec<NodeId>,
    ) {
        let me = self.id;
        let Node::Broker(b) = &mut self.node else { return };
        if controller_epoch < b.controller_epoch {
            ctx.note(format!(
                "rejects LeaderAndIsr from stale controller epoch {controller_epoch} (knows {})",
                b.controller_epoch
            ));
            return;
        }
        b.controller_epoch = controller_epoch;
        let r = b.replicas.entry(p).or_default();
        // Newer (leader epoch, controller epoch) wins; a same-epoch request from a newer
        // controller replaces what a deposed one said.
        if (leader_epoch, controller_epoch) < (r.leader_epoch, r.controller_epoch) {
            return;
        }
        if leader_epoch == r.leader_epoch && version < r.version {
            // Same leadership, older stored state (say a re-send from before an ISR change):
            // applying it would shrink the ISR behind the controller's back.
            return;
        }
        r.version = version;
        r.controller_epoch = controller_epoch;
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
            let now = ctx.now;
            for &f in &r.isr {
                if f != me {
                    r.followers.entry(f).or_insert((0, now));
                }
            }
        } else {
            r.isr.clear();
            r.pending_isr = None;
            r.unacked.clear();
        }
    }

    fn leader_hw(r: &Replica, me: NodeId) -> u64 {
        // The maximal ISR (committed or pending) must hold a record before it counts (KIP-497).
        let mut members: Set<NodeId> = r.isr.iter().copied().collect();
        if let Some(p) = &r.pending_isr {
            members.extend(p.iter().copied());
        }
        let leo = r.log.len() as u64;
        members
            .iter()
            .map(|&m| if m == me { leo } else { r.followers.get(&m).map_or(0, |(o, _)| *o) })
            .min()
            .unwrap_or(leo)
            .min(leo)
    }

    fn advance_hw(&mut self, ctx: &mut KafkaCtx<'_>, p: PartitionId) {
        let me = self.id;
        let Node::Broker(b) = &mut self.node else { return };
        let Some(r) = b.replicas.get_mut(&p) else { return };
        let hw = Self::leader_hw(r, me);
        if hw > r.hw {
            r.hw = hw;
            let done: Vec<u64> = r.unacked.iter().copied().filter(|o| *o < hw).collect();
            for o in done {
                r.unacked.remove(&o);
                let rec = r.log[o as usize];
                b.acked.insert((p, o), rec);
                ctx.note(format!("acknowledges x={} (acks=all) at p{p} offset {o}", rec.value));
            }
        }
    }

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
        let Node::Broker(b) = &mut self.node else { return };
        let Some(r) = b.replicas.get_mut(&p) else { return };
        if r.leader != Some(me) || leader_epoch != r.leader_epoch {
            return;
        }
        let leo = r.log.len() as u64;
        // KIP-101: where does our log end for the follower's last epoch?
        let end_offset = r.log.iter().position(|rec| rec.epoch > last_epoch).map_or(leo, |i| i as u64);
        let valid = offset.min(end_offset);
        let caught_up = valid >= leo;
        let entry = r.followers.entry(from).or_insert((0, 0));
        entry.0 = valid;
        if caught_up {
            entry.1 = ctx.now;
        }
        let records: Vec<Record> = r.log[valid as usize..leo.min(valid + 16) as usize].to_vec();
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
        let mut alter = None;
        if caught_up && !r.isr.contains(&from) && r.pending_isr.is_none() {
            let mut isr = r.isr.clone();
            isr.push(from);
            isr.sort_unstable();
            r.pending_isr = Some(isr.clone());
            alter = Some(KafkaMsg::AlterIsr { partition: p, leader_epoch, isr });
        }
        if let Some(m) = alter {
            self.to_controller(ctx, m);
        }
        self.advance_hw(ctx, p);
    }

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
        let Node::Broker(b) = &mut self.node else { return };
        let Some(r) = b.replicas.get_mut(&p) else { return };
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
        }
        let len = r.log.len() as u64;
        if from <= len {
            let skip = (len - from) as usize;
            r.log.extend(records.into_iter().skip(skip));
        }
        r.hw = hw.min(r.log.len() as u64);
    }

    fn replicate_tick(&mut self, ctx: &mut KafkaCtx<'_>) {
        let me = self.id;
        let lag = ms(self.config.replica_lag_ms);
        let Node::Broker(b) = &mut self.node else { return };
        let mut shrink = Vec::new();
        for (&p, r) in b.replicas.iter_mut() {
            if r.leader == Some(me) {
                // ISR shrink: members that have not caught up within replica.lag.time.max.ms.
                if r.pending_isr.is_none() {
                    let lagging: Vec<NodeId> = r
                        .isr
                        .iter()
                        .copied()
                        .filter(|&m| m != me && r.followers.get(&m).is_none_or(|(_, t)| ctx.now >= *t + lag))
                        .collect();
                    if !lagging.is_empty() {
                        let isr: Vec<NodeId> =
                            r.isr.iter().copied().filter(|m| !lagging.contains(m)).collect();
                        r.pending_isr = Some(isr.clone());
                        shrink.push((p, r.leader_epoch, isr, lagging));
                    }
                }
            } else if let Some(l) = r.leader {
                let last_epoch = r.log.last().map_or(0, |rec| rec.epoch);
                let fetch = KafkaMsg::Fetch {
                    partition: p,
                    leader_epoch: r.leader_epoch,
                    offset: r.log.len() as u64,
                    last_epoch,
                };
                ctx.send(l, fetch);
            }
        }
        for (p, leader_epoch, isr, lagging) in shrink {
            ctx.note(format!("asks to drop lagging {} from p{p}'s ISR", ids(&lagging)));
            self.to_controller(ctx, KafkaMsg::AlterIsr { partition: p, leader_epoch, isr });
        }
        ctx.set_timer(KafkaTimer::Replicate, ms(self.config.fetch_ms));
    }

    fn broker_msg(&mut self, ctx: &mut KafkaCtx<'_>, from: NodeId, msg: KafkaMsg) {
        let me = self.id;
        match msg {
            KafkaMsg::Elected { epoch, alive, version, partitions } => {
                let n = self.partitions();
                let asg: Vec<Vec<NodeId>> = (0..n).map(|p| self.assignment(p)).collect();
                let Node::Broker(b) = &mut self.node else { return };
                if b.is_controller && b.controller_epoch == epoch {
                    // A duplicate of the message that made us controller: starting over would
                    // drop the store writes in flight.
                    return;
                }
                b.registered = true;
                b.last_store_reply = ctx.now;
                b.is_controller = true;
                b.controller = Some(me);
                b.controller_epoch = epoch;
                b.pending_writes.clear();
                b.reannounce.clear();
                b.unacked.clear();
                // A BrokerChange may have overtaken this message: keep the newer snapshot.
                if version >= b.alive_version {
                    b.alive = alive.iter().map(|(n, _)| *n).collect();
                    b.alive_epochs = alive.into_iter().collect();
                    b.alive_version = version;
                }
                // The store is the truth (KafkaController.initializeControllerContext reads
                // every partition state from ZooKeeper): what an earlier term of ours did not
                // get acknowledged there never happened. (Keeping it once let a new controller
                // announce a leader epoch the store had never recorded; brokers then refused
                // the store's lower epoch forever.)
                b.states = if partitions.len() as u64 == n {
                    // ... except where the snapshot is older than a state of ours the store has
                    // already acknowledged (the store answered a re-sent Register before our
                    // write landed): the store holds at least that version.
                    let own = std::mem::take(&mut b.states);
                    partitions
                        .into_iter()
                        .enumerate()
                        .map(|(p, st)| match own.get(p) {
                            Some(o)
                                if o.version > st.version
                                    && b.stored_versions
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
                self.controller_reconcile(ctx, true);
            }
            KafkaMsg::PingAck { controller, epoch } => {
                let Node::Broker(b) = &mut self.node else { return };
                b.controller = controller;
                b.controller_epoch = b.controller_epoch.max(epoch);
                if b.is_controller && controller != Some(me) {
                    b.is_controller = false;
                    ctx.note("learns it is no longer the controller");
                } else if !b.is_controller && controller == Some(me) {
                    // The store still lists us as controller: take the role back.
                    ctx.send(STORE, KafkaMsg::Register);
                }
            }
            KafkaMsg::Registered { controller, epoch } => {
                let Node::Broker(b) = &mut self.node else { return };
                b.registered = true;
                b.last_store_reply = ctx.now;
                b.controller = controller;
                b.controller_epoch = b.controller_epoch.max(epoch);
                if b.is_controller && epoch > 0 && controller != Some(me) {
                    b.is_controller = false;
                    ctx.note(format!(
                        "learns {} is controller now; stops acting as controller",
                        opt(controller)
                    ));
                } else if !b.is_controller && controller == Some(me) {
                    ctx.send(STORE, KafkaMsg::Register);
                }
            }
            KafkaMsg::ControllerGone { .. } => {
                let Node::Broker(b) = &mut self.node else { return };
                b.controller = None;
                b.is_controller = false;
                ctx.send(STORE, KafkaMsg::Register);
            }
            KafkaMsg::BrokerChange { alive, version, restarted } => {
                let Node::Broker(b) = &mut self.node else { return };
                // Snapshots may arrive out of order: only a newer one replaces our view; a
                // restart notice counts whatever its version.
                let before = b.alive.clone();
                let before_epochs = b.alive_epochs.clone();
                if version > b.alive_version {
                    b.alive_version = version;
                    b.alive = alive.iter().map(|(n, _)| *n).collect();
                    b.alive_epochs = alive.into_iter().collect();
                }
                if !b.is_controller {
                    return;
                }
                let gone: Vec<NodeId> = before.difference(&b.alive).copied().collect();
                let mut back: Vec<NodeId> = b.alive.difference(&before).copied().collect();
                if let Some(r) = restarted
                    && r != me
                    && b.alive.contains(&r)
                    && !back.contains(&r)
                {
                    back.push(r);
                }
                // A new broker epoch means a new registration: the broker restarted, even if the
                // notice that it had gone was lost (KafkaController's "bounced brokers").
                for (&r, e) in b.alive_epochs.iter() {
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
                self.controller_reconcile(ctx, !back.is_empty());
            }
            KafkaMsg::UpdateAck { partition, version } => {
                let asg = self.assignment(partition);
                let Node::Broker(b) = &mut self.node else { return };
                let Some((state, reply)) = b.pending_writes.remove(&(partition, version)) else { return };
                let stored = b.stored_versions.entry(partition).or_insert(0);
                *stored = (*stored).max(version);
                // Older writes for this partition still pending are superseded: their acks may
                // arrive later (the network reorders) and must not announce an older state.
                b.pending_writes.retain(|(q, v), _| *q != partition || *v > version);
                let still_pending = b.pending_writes.keys().any(|(q, _)| *q == partition);
                let announce = !still_pending && b.reannounce.remove(&partition);
                let deliveries: Vec<Delivery> = match reply {
                    Some(d) if !announce => vec![d],
                    reply => {
                        let mut out: Vec<Delivery> = reply.into_iter().collect();
                        let msg = KafkaMsg::LeaderAndIsr {
                            controller_epoch: b.controller_epoch,
                            partition,
                            leader: state.leader,
                            leader_epoch: state.leader_epoch,
                            isr: state.isr,
                            version: state.version,
                        };
                        out.extend(
                            asg.iter()
                                .filter(|r| b.alive.contains(r) || **r == me)
                                .map(|&r| (r, msg.clone())),
                        );
                        out
                    }
                };
                self.deliver(ctx, deliveries);
            }
            KafkaMsg::UpdateRejected { partition, current } => {
                let Node::Broker(b) = &mut self.node else { return };
                if !b.is_controller {
                    return;
                }
                b.pending_writes.retain(|(p, _), _| *p != partition);
                if let Some(st) = b.states.get_mut(partition as usize)
                    && current.version >= st.version
                {
                    *st = current;
                }
                self.controller_reconcile(ctx, true);
            }
            KafkaMsg::LeaderAndIsr { controller_epoch, partition, leader, leader_epoch, isr, version } => {
                self.apply_leader_and_isr(
                    ctx,
                    controller_epoch,
                    partition,
                    leader,
                    (leader_epoch, version),
                    isr,
                );
                if from != me {
                    ctx.send(from, KafkaMsg::LeaderAndIsrAck { partition, leader_epoch });
                }
            }
            KafkaMsg::LeaderAndIsrAck { partition, leader_epoch } => {
                let Node::Broker(b) = &mut self.node else { return };
                if let Some(KafkaMsg::LeaderAndIsr { leader_epoch: e, .. }) =
                    b.unacked.get(&(from, partition))
                    && *e <= leader_epoch
                {
                    b.unacked.remove(&(from, partition));
                }
            }
            KafkaMsg::AlterIsr { partition, leader_epoch, isr } => {
                let Node::Broker(b) = &mut self.node else { return };
                if !b.is_controller {
                    return;
                }
                let ce = b.controller_epoch;
                let Some(st) = b.states.get_mut(partition as usize) else { return };
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
                    b.pending_writes.insert((partition, state.version), (state, Some((from, msg))));
                }
            }
            KafkaMsg::IsrUpdated { controller_epoch, partition, leader_epoch, isr, version } => {
                let Node::Broker(b) = &mut self.node else { return };
                if controller_epoch < b.controller_epoch {
                    return;
                }
                if let Some(r) = b.replicas.get_mut(&partition)
                    && r.leader_epoch == leader_epoch
                    && version > r.version
                {
                    r.isr = isr;
                    r.version = version;
                    r.pending_isr = None;
                }
                self.advance_hw(ctx, partition);
            }
            KafkaMsg::Fetch { partition, leader_epoch, offset, last_epoch } => {
                self.on_fetch(ctx, from, partition, leader_epoch, offset, last_epoch)
            }
            KafkaMsg::FetchResponse { partition, leader_epoch, from: start, records, hw, end_offset } => {
                self.on_fetch_response(ctx, partition, leader_epoch, start, records, hw, end_offset)
            }
            _ => {}
        }
    }
}

impl Protocol for Kafka {
    type Msg = KafkaMsg;
    type Timer = KafkaTimer;
    type Config = KafkaConfig;
    type Monitor = KafkaMonitor;

    fn monitor(_config: &Self::Config) -> Self::Monitor {
        Self::Monitor::default()
    }

    const ID: &'static str = "kafka";
    const NAME: &'static str = "Kafka";
    const TAGLINE: &'static str = "n1 is ZooKeeper, the rest are brokers: the controller elects partition leaders from the ISR. Crash a leader; try unclean election.";
    const MIN_NODES: usize = 3;
    const TERM_LABEL: Option<&'static str> = Some("controller epoch");

    fn for_comparison(config: &mut KafkaConfig) {
        // One partition: every client write goes to it, like the other algorithms' single log.
        config.partitions = 1;
    }

    fn write_target<N: Nodes<Self> + ?Sized>(nodes: &N, _stable: Option<NodeId>) -> Option<NodeId> {
        // Clients write to the partition's leader (p0, as the store recorded it: the
        // partition table's "leader" column), not to the controller.
        nodes.iter().find_map(|n| n.proto.stored_leader(0))
    }

    fn validate(c: &KafkaConfig, nodes: usize) -> Result<(), Error> {
        if nodes < 3 {
            return Err(Error::Invalid {
                what: "kafka",
                reason: "needs at least 3 nodes: n1 the coordination store and two or more brokers".into(),
            });
        }
        if c.partitions == 0 || c.partitions > 12 {
            return Err(Error::Invalid {
                what: "partitions",
                reason: format!("{} is outside 1..=12", c.partitions),
            });
        }
        if c.replication == 0 || c.replication > 5 {
            return Err(Error::Invalid {
                what: "replication",
                reason: format!("{} is outside 1..=5", c.replication),
            });
        }
        if c.min_insync == 0 || c.min_insync > 5 {
            return Err(Error::Invalid {
                what: "min.insync.replicas",
                reason: format!("{} is outside 1..=5", c.min_insync),
            });
        }
        check_millis(
            &[
                ("heartbeat", c.heartbeat_ms),
                ("session timeout", c.session_timeout_ms),
                ("fetch", c.fetch_ms),
                ("replica lag", c.replica_lag_ms),
            ],
            60_000,
        )?;
        Ok(())
    }

    fn new(id: NodeId, peers: &[NodeId], config: &KafkaConfig) -> Self {
        let n = peers.len();
        let node = if id == STORE {
            let partitions = (0..config.partitions)
                .map(|p| PartitionState {
                    leader: None,
                    isr: assignment(p, n, config.replication),
                    leader_epoch: 0,
                    unclean: false,
                    version: 0,
                })
                .collect();
            Node::Store(Store::new(partitions))
        } else {
            Node::Broker(Broker::default())
        };
        Kafka { id, n, config: config.clone(), node }
    }

    fn on_start(&mut self, ctx: &mut KafkaCtx<'_>) {
        let (hb, fetch) = (ms(self.config.heartbeat_ms), ms(self.config.fetch_ms));
        match &mut self.node {
            Node::Store(s) => s.on_start(ctx),
            Node::Broker(b) => {
                b.registered = false;
                ctx.send(STORE, KafkaMsg::Register);
                ctx.set_timer(KafkaTimer::Heartbeat, hb);
                ctx.set_timer(KafkaTimer::Replicate, fetch);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut KafkaCtx<'_>, from: NodeId, msg: KafkaMsg) {
        match &mut self.node {
            Node::Store(s) => s.on_message(ctx, from, msg),
            Node::Broker(b) => {
                if from == STORE {
                    b.last_store_reply = ctx.now;
                }
                self.broker_msg(ctx, from, msg)
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut KafkaCtx<'_>, timer: KafkaTimer) {
        match timer {
            KafkaTimer::Expiry => {
                if let Node::Store(s) = &mut self.node {
                    s.on_expiry_timer(ctx, ms(self.config.session_timeout_ms));
                }
            }
            KafkaTimer::Heartbeat => {
                let hb = ms(self.config.heartbeat_ms);
                let session = ms(self.config.session_timeout_ms);
                if let Node::Broker(b) = &mut self.node {
                    // No word from the store for a session timeout: our session is gone;
                    // open a new one (and race for /controller if it is free).
                    if b.registered && ctx.now >= b.last_store_reply + session {
                        b.registered = false;
                        if b.is_controller {
                            b.is_controller = false;
                            ctx.note("lost its session: stops acting as controller");
                        }
                    }
                    if b.registered {
                        ctx.send(STORE, KafkaMsg::SessionPing);
                    } else {
                        ctx.send(STORE, KafkaMsg::Register);
                    }
                    if b.is_controller {
                        // The controller's channel re-sends what was not acknowledged.
                        for ((to, _), msg) in &b.unacked {
                            if b.alive.contains(to) {
                                ctx.send(*to, msg.clone());
                            }
                        }
                        for ((p, _), (state, _)) in &b.pending_writes {
                            let msg = KafkaMsg::UpdatePartition {
                                controller_epoch: b.controller_epoch,
                                partition: *p,
                                state: state.clone(),
                            };
                            ctx.send(STORE, msg);
                        }
                    } else {
                        b.pending_writes.clear();
                        b.reannounce.clear();
                        b.unacked.clear();
                    }
                }
                ctx.set_timer(KafkaTimer::Heartbeat, hb);
            }
            KafkaTimer::Replicate => self.replicate_tick(ctx),
        }
    }

    fn on_request(&mut self, ctx: &mut KafkaCtx<'_>, request: Request) {
        let me = self.id;
        let parts = self.partitions();
        let min_insync = self.config.min_insync.min(self.assignment(0).len() as u64) as usize;
        let acks_all = self.config.acks_all;
        match (&mut self.node, request) {
            (Node::Broker(b), Request::ClientWrite { value }) => {
                let p = value % parts;
                match b.replicas.get_mut(&p) {
                    Some(r) if r.leader == Some(me) && !acks_all => {
                        // acks=1: acknowledged as soon as the leader has it.
                        let offset = r.log.len() as u64;
                        let rec = Record { value, epoch: r.leader_epoch };
                        r.log.push(rec);
                        b.acked.insert((p, offset), rec);
                        ctx.note(format!("appends x={value} to p{p} at offset {offset} and acknowledges it at once (acks=1)"));
                    }
                    Some(r) if r.leader == Some(me) && r.isr.len() < min_insync => {
                        ctx.note(format!(
                            "rejects x={value} for p{p}: ISR [{}] is smaller than min.insync.replicas={min_insync} (NotEnoughReplicas)",
                            ids(&r.isr)
                        ));
                    }
                    Some(r) if r.leader == Some(me) => {
                        let offset = r.log.len() as u64;
                        r.log.push(Record { value, epoch: r.leader_epoch });
                        r.unacked.insert(offset);
                        ctx.note(format!("appends x={value} to p{p} at offset {offset}"));
                        self.advance_hw(ctx, p);
                    }
                    Some(Replica { leader: Some(l), .. }) => {
                        let l = *l;
                        ctx.note(format!("does not lead p{p}; the producer retries at n{l}"));
                    }
                    _ => ctx.note(format!("knows no leader for p{p}; the write is refused")),
                }
            }
            (Node::Broker(_), Request::Timeout) => {
                ctx.note("re-registers with the store");
                ctx.send(STORE, KafkaMsg::Register);
            }
            _ => ctx.note("nothing to do here"),
        }
    }

    /// Broker logs and acknowledgements are on disk; sessions and controller state are not.
    fn on_crash(&mut self) {
        match &mut self.node {
            Node::Store(_) => {}
            Node::Broker(b) => {
                b.registered = false;
                b.is_controller = false;
                b.controller = None;
                b.pending_writes.clear();
                b.reannounce.clear();
                b.unacked.clear();
                for r in b.replicas.values_mut() {
                    r.leader = None;
                    r.isr.clear();
                    r.pending_isr = None;
                    r.followers.clear();
                    r.unacked.clear();
                }
            }
        }
    }

    fn status(&self) -> Status {
        match &self.node {
            Node::Store(s) => Status { role: Role::Follower, term: s.controller_epoch, leader: s.controller },
            Node::Broker(b) => Status {
                role: if b.is_controller { Role::Leader } else { Role::Follower },
                term: b.controller_epoch,
                leader: b.controller,
            },
        }
    }

    fn is_routine_timer(timer: KafkaTimer) -> bool {
        matches!(timer, KafkaTimer::Heartbeat | KafkaTimer::Replicate | KafkaTimer::Expiry)
    }

    fn summary(&self) -> String {
        match &self.node {
            Node::Store(s) => format!("controller={}", opt(s.controller)),
            Node::Broker(b) => {
                let parts: Vec<String> = b
                    .replicas
                    .iter()
                    .map(|(p, r)| {
                        let role = if r.leader == Some(self.id) { "L" } else { "F" };
                        format!("p{p}:{role}{}/{}", r.log.len(), r.hw)
                    })
                    .collect();
                format!("replicas=[{}]", parts.join(" "))
            }
        }
    }

    fn describe(&self, view: &mut NodeView) {
        match &self.node {
            Node::Store(s) => {
                view.tag = "ZooKeeper".into();
                view.details
                    .push(("/controller".into(), s.controller.map_or("(none)".into(), |c| format!("n{c}"))));
                view.details.push(("controller epoch".into(), s.controller_epoch.to_string()));
                view.details
                    .push(("live sessions".into(), ids(&s.sessions.keys().copied().collect::<Vec<_>>())));
            }
            Node::Broker(b) => {
                view.tag = if b.is_controller { "controller".into() } else { "broker".into() };
                for (p, r) in &b.replicas {
                    let role = if r.leader == Some(self.id) { "leader" } else { "follower" };
                    view.details.push((
                        format!("p{p}"),
                        format!("{role}, epoch {}, {} records, hw {}", r.leader_epoch, r.log.len(), r.hw),
                    ));
                }
            }
        }
    }

    fn log_view(&self) -> (Vec<EntryView>, u64) {
        // Partition 0 as this broker sees it.
        match self.replica(0) {
            Some((log, hw, _)) => (
                log.iter()
                    .enumerate()
                    .map(|(i, r)| EntryView {
                        index: i as u64 + 1,
                        term: r.epoch,
                        label: format!("x={}", r.value),
                    })
                    .collect(),
                hw,
            ),
            None => (Vec::new(), 0),
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let Node::Store(store) = &nodes.first()?.proto.node else { return None };
        let config = &nodes.at(0).proto.config;
        let acked = all_acked(nodes);
        let rows = store
            .partitions
            .iter()
            .enumerate()
            .map(|(p, st)| {
                let p = p as PartitionId;
                let hw = st
                    .leader
                    .and_then(|l| nodes.get(usize::from(l) - 1))
                    .and_then(|n| n.proto.replica(p))
                    .map_or("-".to_string(), |(_, hw, _)| hw.to_string());
                let lost = lost_records(nodes, p, &acked);
                vec![
                    format!("p{p}"),
                    ids(&assignment(p, nodes.len(), config.replication)),
                    st.leader.map_or("offline".into(), |l| {
                        format!("n{l}{}", if st.unclean { " (unclean)" } else { "" })
                    }),
                    ids(&st.isr),
                    st.leader_epoch.to_string(),
                    hw,
                    lost.to_string(),
                ]
            })
            .collect();
        Some(Panel {
            title: "Partitions (as stored in ZooKeeper)".into(),
            columns: [
                "partition",
                "replicas",
                "leader",
                "ISR",
                "leader epoch",
                "high watermark",
                "acked records lost",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        })
    }
}
