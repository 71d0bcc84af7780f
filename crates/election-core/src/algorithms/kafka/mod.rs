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
//! ## Where each role lives
//! * [`Store`] (`store.rs`): node `n1`, ZooKeeper: sessions and their expiry, `/controller`
//!   and the controller epoch, broker registrations, the partition states and the
//!   conditional writes to them.
//! * [`Broker`] (`broker.rs`): nodes `n2..`: the session with the store, the replicas
//!   (fetching, truncation, the high watermark, the ISR changes a leader asks for) and client
//!   writes.
//! * [`ControllerState`] (`controller.rs`): the controller role, which a broker holds
//!   (`Broker::controller`) while it owns `/controller`, with the messages only a controller
//!   handles.
//! * `message.rs` the messages, each named for the Kafka request or ZooKeeper operation it
//!   stands for; `monitor.rs` the invariants below; `tests.rs` the unit tests. This file holds
//!   the node type [`Kafka`], its settings and what the page shows of it.
//!
//! ## What it shares with KRaft
//! Partitions replicate the same way in both modes, so this mode takes from the shared
//! [`replication`] module: the partition state, records and replica assignment, the election
//! rule ([`elect_leader`](replication::elect_leader), `Election.leaderForOffline`), each
//! broker's [`Replica`](replication::Replica) (the high watermark, acknowledgements, ISR shrink
//! and expansion, producer writes), the `partitions`, `replication`, `unclean`, `min-insync`
//! and `acks-all` settings with `break=`, the lost-record check and the partition table. What
//! is its own: the store, the race for `/controller`, the controller's conditional writes and
//! LeaderAndIsr, and the fetch protocol that answers every fetch with the leader's end offset
//! for the follower's last epoch.
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
//!   When every ISR member of a partition is dead, the whole old ISR stays here and a clean
//!   election takes whichever of them comes back first; Kafka removes dead replicas one by
//!   one and keeps only the last (`ReplicaStateMachine.doRemoveReplicasFromIsr` leaves an ISR
//!   of one as it is), so it waits for that one. Both refuse an out-of-sync leader; Kafka's
//!   partition can stay offline longer.

mod broker;
mod controller;
mod message;
mod monitor;
mod store;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use broker::Broker;
pub use controller::ControllerState;
pub use message::KafkaMsg;
use message::{ids, opt};
pub use monitor::KafkaMonitor;
use monitor::{all_acked, lost_records};
pub use store::Store;

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::Nodes;
use crate::engine::protocol::{Ctx, Protocol, Status};
use crate::engine::settings::{Broken, Field, Rule, Settings, check_millis, millis};
use crate::engine::time::{NodeId, ms};
use crate::engine::view::Role;
use crate::engine::view::{EntryView, NodeView, Panel};
use crate::replication::{
    self, ACKS1, IsrConfig, LEADER_OUTSIDE_ISR, PRODUCTION_REPLICA_LAG_MS, PartitionId, PartitionState,
    REPLICA_LAG_MS, RULE_NAMES, Record, UNCLEAN, break_setting, check_replica_lag, log_entries,
    partition_panel, replica_lag_field, replicas_summary,
};

/// The coordination store (ZooKeeper) node.
pub const STORE: NodeId = 1;

/// Kafka settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KafkaConfig {
    /// Partition replication: partitions, replication factor, `unclean`, `min.insync.replicas`
    /// and `acks`, as in KRaft.
    #[serde(flatten)]
    pub isr: IsrConfig,
    /// Broker heartbeat to the store.
    pub heartbeat_ms: u64,
    /// Session timeout at the store.
    pub session_timeout_ms: u64,
    /// Follower fetch interval.
    pub fetch_ms: u64,
    /// `replica.lag.time.max.ms`.
    pub replica_lag_ms: u64,
    /// Rules of [`RULES`] broken on purpose that have no setting of their own (none by default).
    #[serde(skip_serializing_if = "Broken::is_empty")]
    pub broken: Broken,
}

/// The rules of Kafka that `break=` can switch off, each caught by [`KafkaMonitor`], in the
/// order of the shared [`RULE_NAMES`].
pub const RULES: &[Rule] = &[
    Rule {
        name: RULE_NAMES[UNCLEAN],
        what: "with no in-sync replica alive a partition stays offline; broken (the setting unclean=on), an out-of-sync replica leads and acknowledged records are lost",
        source: "Kafka Election.scala leaderForOffline (uncleanLeaderElectionEnabled); unclean.leader.election.enable=false since 0.11 (KIP-106)",
    },
    Rule {
        name: RULE_NAMES[ACKS1],
        what: "an acks=all record is acknowledged once every in-sync replica has it; broken (the setting acks-all=off), on the leader's append, and a failover loses it",
        source: "Kafka producer acks=all, default since 3.0 (KIP-679); ReplicaManager, Partition.checkEnoughReplicasReachOffset",
    },
    Rule {
        name: RULE_NAMES[LEADER_OUTSIDE_ISR],
        what: "the controller elects the first live replica that is in the ISR; broken, the first live replica whatever the ISR, a clean-looking election of an out-of-sync leader",
        source: "Kafka Election.scala leaderForOffline: assignment.find(id => liveReplicas.contains(id) && isr.contains(id))",
    },
];

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            isr: IsrConfig::default(),
            heartbeat_ms: 100,
            session_timeout_ms: 400,
            fetch_ms: 50,
            replica_lag_ms: REPLICA_LAG_MS,
            broken: Broken::NONE,
        }
    }
}

impl Settings for KafkaConfig {
    fn fields(&self) -> Vec<Field> {
        let mut fields = self.isr.fields();
        fields.extend([
            Field::millis("heartbeat", "Broker heartbeat", self.heartbeat_ms),
            Field::millis("session-timeout", "Session timeout", self.session_timeout_ms),
            Field::millis("fetch", "Follower fetch interval", self.fetch_ms),
            replica_lag_field(self.replica_lag_ms),
        ]);
        fields
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        if let Some(done) = self.isr.set(&mut self.broken, "kafka", key, v) {
            return done;
        }
        match key {
            "heartbeat" => self.heartbeat_ms = millis(key, v)?,
            "session-timeout" => self.session_timeout_ms = millis(key, v)?,
            "fetch" => self.fetch_ms = millis(key, v)?,
            "replica-lag" => self.replica_lag_ms = millis(key, v)?,
            _ => return Err(format!("unknown setting '{key}' for kafka")),
        }
        Ok(())
    }

    fn broken(&self) -> Vec<&'static str> {
        self.isr.broken(self.broken)
    }

    fn break_setting(&self) -> Option<String> {
        break_setting(self.broken)
    }
}

/// The replica list of partition `p` among brokers `2..=n` (n1 is the store).
pub fn assignment(p: PartitionId, nodes: usize, replication: u64) -> Vec<NodeId> {
    replication::assignment(p, nodes, 1, replication)
}

/// Kafka's timers; each is armed by one role only.
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

/// What a node is: its role decides which messages and timers it handles.
#[derive(Debug, Clone)]
// `allow`, not `expect`: on wasm32 the variants are smaller and the lint does not fire.
#[allow(
    clippy::large_enum_variant,
    reason = "one store per cluster pads a few hundred bytes once; boxing would add an allocation to every broker clone (the session clones every node at each checkpoint)"
)]
pub enum Node {
    /// n1: the coordination store.
    Store(Store),
    /// n2..: brokers.
    Broker(Broker),
}

/// What every node knows of the cluster: its size and the settings, from which each
/// partition's replica assignment follows.
#[derive(Debug, Clone)]
struct Cluster {
    n: usize,
    config: KafkaConfig,
}

impl Cluster {
    fn assignment(&self, p: PartitionId) -> Vec<NodeId> {
        assignment(p, self.n, self.config.isr.replication)
    }

    fn partitions(&self) -> u64 {
        self.config.isr.partitions
    }
}

/// One node of the Kafka cluster.
#[derive(Debug, Clone)]
pub struct Kafka {
    cluster: Cluster,
    node: Node,
}

impl Kafka {
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
            Node::Broker(b) => b.replica(p),
            Node::Store(_) => None,
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
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "Kafka";
    const TAGLINE: &'static str = "n1 is ZooKeeper, the rest are brokers: the controller elects partition leaders from the ISR. Crash a leader; try unclean election.";
    const MIN_NODES: usize = 3;
    const TERM_LABEL: Option<&'static str> = Some("controller epoch");

    fn production() -> Option<KafkaConfig> {
        Some(KafkaConfig {
            // Broker defaults: unclean.leader.election.enable=false, min.insync.replicas=1,
            // acks=all (producer default since 3.0).
            isr: IsrConfig::production(),
            // zookeeper.session.timeout.ms 18000 (6000 before 2.5, KIP-537); the ZooKeeper
            // client pings after a third of it (ClientCnxn: readTimeout = 2/3 of the session,
            // ping at half of that).
            session_timeout_ms: 18_000,
            heartbeat_ms: 6_000,
            // replica.lag.time.max.ms 30000 (10000 before 2.5, KIP-537);
            // replica.fetch.wait.max.ms 500.
            replica_lag_ms: PRODUCTION_REPLICA_LAG_MS,
            fetch_ms: 500,
            broken: Broken::NONE,
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "zookeeper.session.timeout.ms 18 s, replica.lag.time.max.ms 30 s: Kafka 2.5 upgrade notes (KIP-537)",
        "ZooKeeper client ping every third of the session: ClientCnxn; replica.fetch.wait.max.ms 500 ms",
        "unclean.leader.election.enable false, min.insync.replicas 1, acks=all (producer default since 3.0)",
    ];

    fn for_comparison(config: &mut KafkaConfig) {
        // One partition: every client write goes to it, like the other algorithms' single log.
        config.isr.partitions = 1;
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
        c.isr.validate()?;
        check_millis(
            &[
                ("heartbeat", c.heartbeat_ms),
                ("session timeout", c.session_timeout_ms),
                ("fetch", c.fetch_ms),
                ("replica lag", c.replica_lag_ms),
            ],
            60_000,
        )?;
        crate::engine::settings::check_shorter(
            ("heartbeat", c.heartbeat_ms),
            ("session timeout", c.session_timeout_ms),
            "every broker session would expire between two heartbeats",
        )?;
        check_replica_lag(c.fetch_ms, c.replica_lag_ms)
    }

    fn new(id: NodeId, peers: &[NodeId], config: &KafkaConfig) -> Self {
        let cluster = Cluster { n: peers.len(), config: config.clone() };
        let node = if id == STORE {
            let partitions =
                (0..config.isr.partitions).map(|p| PartitionState::offline(cluster.assignment(p))).collect();
            Node::Store(Store::new(partitions))
        } else {
            Node::Broker(Broker::new(id))
        };
        Kafka { cluster, node }
    }

    fn on_start(&mut self, ctx: &mut KafkaCtx<'_>) {
        match &mut self.node {
            Node::Store(s) => s.on_start(ctx),
            Node::Broker(b) => b.on_start(&self.cluster, ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut KafkaCtx<'_>, from: NodeId, msg: KafkaMsg) {
        match &mut self.node {
            Node::Store(s) => s.on_message(ctx, from, msg),
            Node::Broker(b) => b.on_message(&self.cluster, ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut KafkaCtx<'_>, timer: KafkaTimer) {
        let cluster = &self.cluster;
        match (&mut self.node, timer) {
            (Node::Store(s), KafkaTimer::Expiry) => {
                s.on_expiry_timer(ctx, ms(cluster.config.session_timeout_ms))
            }
            (Node::Broker(b), KafkaTimer::Heartbeat) => b.on_heartbeat_timer(cluster, ctx),
            (Node::Broker(b), KafkaTimer::Replicate) => b.on_replicate_timer(cluster, ctx),
            // Each timer belongs to one role and is only ever armed by it.
            (Node::Store(_), KafkaTimer::Heartbeat | KafkaTimer::Replicate)
            | (Node::Broker(_), KafkaTimer::Expiry) => {}
        }
    }

    fn on_request(&mut self, ctx: &mut KafkaCtx<'_>, request: Request) {
        match (&mut self.node, request) {
            (Node::Broker(b), Request::ClientWrite { value }) => b.on_client_write(&self.cluster, ctx, value),
            (Node::Broker(b), Request::Timeout) => b.on_timeout_request(ctx),
            _ => ctx.note("nothing to do here"),
        }
    }

    /// Broker logs and acknowledgements are on disk; sessions and controller state are not.
    fn on_crash(&mut self) {
        match &mut self.node {
            Node::Store(_) => {}
            Node::Broker(b) => b.on_crash(),
        }
    }

    fn status(&self) -> Status {
        match &self.node {
            Node::Store(s) => Status { role: Role::Follower, term: s.controller_epoch, leader: s.controller },
            Node::Broker(b) => Status {
                role: if b.is_controller() { Role::Leader } else { Role::Follower },
                term: b.controller_epoch,
                leader: b.controller_id,
            },
        }
    }

    fn is_routine_timer(timer: KafkaTimer) -> bool {
        matches!(timer, KafkaTimer::Heartbeat | KafkaTimer::Replicate | KafkaTimer::Expiry)
    }

    fn summary(&self) -> String {
        match &self.node {
            Node::Store(s) => format!("controller={}", opt(s.controller)),
            Node::Broker(b) => format!("replicas=[{}]", replicas_summary(b.id, &b.replicas)),
        }
    }

    fn describe(&self, view: &mut NodeView) {
        match &self.node {
            Node::Store(s) => {
                view.tag = "ZooKeeper".into();
                view.details
                    .push(("/controller".into(), s.controller.map_or("(none)".into(), |c| format!("n{c}"))));
                view.details.push(("controller epoch".into(), s.controller_epoch.to_string()));
                view.details.push((
                    "live sessions".into(),
                    ids(&s.sessions.keys().copied().collect::<Vec<_>>()).to_string(),
                ));
            }
            Node::Broker(b) => {
                view.tag = if b.is_controller() { "controller".into() } else { "broker".into() };
                for (p, r) in &b.replicas {
                    let role = if r.leader == Some(b.id) { "leader" } else { "follower" };
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
            Some((log, hw, _)) => (log_entries(log), hw),
            None => (Vec::new(), 0),
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let Node::Store(store) = &nodes.first()?.proto.node else { return None };
        let replication = nodes.at(0).proto.cluster.config.isr.replication;
        let acked = all_acked(nodes);
        let title = "Partitions (as stored in ZooKeeper)".to_string();
        Some(partition_panel(title, &store.partitions, false, |p, st| {
            let hw = st.leader.and_then(|l| nodes.get(usize::from(l) - 1)?.proto.replica(p)).map(|r| r.1);
            (assignment(p, nodes.len(), replication), hw, lost_records(nodes, p, &acked))
        }))
    }
}
