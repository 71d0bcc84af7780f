//! # KRaft: Kafka without ZooKeeper
//!
//! Since Kafka 3.3 (KIP-833) a cluster runs without ZooKeeper, and since 4.0 it must: a small
//! **controller quorum** keeps the cluster's metadata in a replicated log, `__cluster_metadata`,
//! with its own Raft variant (KIP-595), and the active controller is that log's leader.
//! Compare it with the ZooKeeper-mode model ([`kafka`](super::kafka)) on the same faults.
//!
//! * **Voters elect a leader** (nodes `n1..nV`, `voters=3` by default). A voter that has not
//!   fetched from a leader within `controller.quorum.fetch.timeout.ms` first asks for
//!   **pre-votes** (KIP-996: would you vote for me?, changing nothing), and with a majority
//!   becomes a **candidate**: epoch + 1, a vote for itself on disk, a `Vote` request to each
//!   voter. A voter grants one vote per epoch, only to a candidate whose log is at least as
//!   long by (last epoch, end offset). A round without a majority ends after a random election
//!   timeout (`controller.quorum.election.timeout.ms` plus up to as much again), then a random
//!   backoff up to `controller.quorum.election.backoff.max.ms` before the next. The winner
//!   appends a `LeaderChange` record and announces itself with **BeginQuorumEpoch**, re-sent
//!   until each voter fetches; a voter already in a later epoch (its own Vote requests were
//!   lost) answers with that epoch, and the leader steps down so that all meet in one epoch.
//! * **Followers pull.** The leader never pushes: each follower (and each broker) sends
//!   **Fetch** with its end offset and the epoch of its last entry. The leader checks the two
//!   agree with its log; if not it answers with the **diverging epoch** and where that epoch
//!   ends in its log, and the follower truncates there (a second round settles an older
//!   divergence). The **high watermark** is the largest offset a majority of voters has
//!   fetched past, once that includes the epoch's `LeaderChange`; below it the log is committed.
//!   A follower that cannot fetch for the fetch timeout starts an election; a leader that has
//!   not been fetched from by a majority for the fetch timeout resigns (check quorum).
//! * **Graceful shutdown** sends **EndQuorumEpoch**: the leader gives up its epoch and names
//!   its successors, most caught up first; the first runs at once, the others back off. Here it
//!   is the page's *transfer* action (`transfer leader nX`): the leader resigns naming `nX`
//!   first, and stays up as a voter (the real process would exit).
//! * **The active controller** is the leader once its `LeaderChange` is committed. It changes
//!   the cluster only by appending records: `RegisterBroker` (the record's offset is the
//!   **broker epoch**), `UnfenceBroker` once the broker has caught up with the log,
//!   `FenceBroker` when a broker has not heartbeated for `broker.session.timeout.ms`, and
//!   `PartitionChange` (leader, ISR, leader epoch, partition epoch). A reply waits until the
//!   record it announces is committed.
//! * **Brokers are observers** (nodes `nV+1..`): they fetch the metadata log without voting,
//!   apply what is committed, register with the active controller and heartbeat to it every
//!   `broker.heartbeat.interval.ms`. Fencing a broker removes it from every ISR (the last
//!   member stays, the partition offline) and moves the leadership of its partitions to the
//!   **first replica in assignment order that is in the ISR and unfenced**; brokers learn it
//!   when they fetch the record. A broker that registers again after a restart is fenced first.
//! * **Partitions** replicate among brokers as in the ZooKeeper mode: followers fetch from the
//!   leader, a record is acknowledged to an `acks=all` producer once every member of the ISR
//!   has it, and only while the ISR has `min.insync.replicas` members. The leader asks the
//!   controller to shrink the ISR (a follower lagging `replica.lag.time.max.ms`) or expand it
//!   (an unfenced follower caught up) with **AlterPartition**, built on the partition epoch it
//!   knows, and counts the requested ISR until the metadata log settles it. Leader epochs fence
//!   stale leaders' replication; partition epochs fence stale AlterPartitions. With
//!   `unclean.leader.election.enable` an out-of-sync replica may lead when no in-sync one is
//!   left: acknowledged records are lost, flagged as a violation.
//!
//! ## Where each role lives
//! * [`Voter`] (`quorum.rs`): the quorum roles as a type ([`QuorumRole`]): elections, the
//!   metadata log and its high watermark.
//! * [`Controller`] (`controller.rs`): the active controller's image, broker sessions, fencing,
//!   partition leader elections (the shared [`elect_leader`](replication::elect_leader)) and
//!   AlterPartition.
//! * [`Broker`] (`broker.rs`): the observer, its registration and heartbeats, its replicas and
//!   client writes. [`Image`] (`image.rs`): the replayed metadata log.
//! * `message.rs` the messages and log records, `monitor.rs` the invariants, `tests.rs` the
//!   unit tests. This file holds the node type [`Kraft`], its settings and what the page shows.
//!
//! ## What it shares with the ZooKeeper mode
//! Partitions replicate as in [`kafka`](super::kafka), so this mode takes from the shared
//! [`replication`] module: the partition state (here carried by `PartitionChangeRecord`s),
//! records and replica assignment, the election rule
//! ([`elect_leader`](replication::elect_leader), `PartitionChangeBuilder.electLeader`, among
//! unfenced brokers), each broker's [`Replica`](replication::Replica) (the high watermark,
//! acknowledgements, ISR shrink and expansion, producer writes), the rules for logs by epoch
//! (also the metadata log's), the `partitions`, `replication`, `unclean`, `min-insync` and
//! `acks-all` settings with `break=`, the lost-record check and the partition table. What is
//! its own: the controller quorum and its metadata log, registration, heartbeats and fencing,
//! AlterPartition through the log, and the partition fetch that answers a divergence with the
//! diverging epoch.
//!
//! ## Invariants (checked after every event)
//! * At most one quorum leader per epoch; a voter's epoch never decreases.
//! * The committed metadata log (below the high watermark) never changes.
//! * In the committed metadata, leader epochs only increase and a partition leader is in its
//!   ISR unless elected uncleanly.
//! * With clean elections and `acks=all`, no acknowledged record is lost. Unclean election and
//!   `acks=1` are the planted unsafe settings: their losses are flagged.
//!
//! ## Defaults
//! The classroom defaults are fast (election timeout 150 ms, fetch timeout 300 ms, heartbeat
//! 100 ms, session 400 ms). `preset=production` uses Kafka's own, verified in the sources:
//! `controller.quorum.election.timeout.ms` 1000, `controller.quorum.fetch.timeout.ms` 2000,
//! `controller.quorum.election.backoff.max.ms` 1000 (`raft/.../QuorumConfig.java`,
//! `DEFAULT_QUORUM_ELECTION_TIMEOUT_MS`, `DEFAULT_QUORUM_FETCH_TIMEOUT_MS`,
//! `DEFAULT_QUORUM_ELECTION_BACKOFF_MAX_MS`), `broker.heartbeat.interval.ms` 2000 and
//! `broker.session.timeout.ms` 9000 (`server/.../config/KRaftConfigs.java`,
//! `BROKER_HEARTBEAT_INTERVAL_MS_DEFAULT`, `BROKER_SESSION_TIMEOUT_MS_DEFAULT`).
//!
//! ## References
//! * KIP-595 (A Raft protocol for the metadata quorum), KIP-996 (pre-vote), KIP-631 (the
//!   quorum-based controller: registration, heartbeats, fencing), KIP-497 and KIP-841
//!   (AlterPartition, fenced replicas not in the ISR), KIP-101 (truncation by leader epoch).
//! * Apache Kafka `KafkaRaftClient` (`handleVoteRequest`, `handleFetchRequest`,
//!   `randomElectionTimeoutMs`, `endEpochElectionBackoff`), `QuorumState` and its states,
//!   `LeaderState.maybeUpdateHighWatermark`, `QuorumController`, `ClusterControlManager`,
//!   `BrokerHeartbeatManager`, `ReplicationControlManager`, `PartitionChangeBuilder`.
//!
//! ## Simplified
//! * Voters are only controllers and brokers only brokers (no combined `process.roles`); the
//!   voter set is static (no KIP-853 reconfiguration); no snapshots.
//! * Fetches are sent every `fetch` interval rather than long-polled
//!   (`replica.fetch.wait.max.ms`); no leader-side fetch purgatory.
//! * A `PartitionChangeRecord` carries the whole partition state, not a delta; the topic exists
//!   from the start, each partition offline with its assignment as ISR until a replica unfences.
//! * No preferred-leader rebalancing, no controlled shutdown of brokers, and eligible leader
//!   replicas (KIP-966) are **not** modelled: when the last ISR member is fenced it stays the
//!   only clean choice.
//! * The controller answers a registration only once its record is committed, but may fence and
//!   register in one go; a broker re-registers when told its epoch is stale.

mod broker;
mod controller;
mod image;
mod message;
mod monitor;
mod quorum;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use broker::Broker;
pub use controller::Controller;
pub use image::{Image, Registration};
use message::Opt;
pub use message::{AlterError, FetchResult, KraftMsg, MetaEntry, MetadataRecord, ReplicaFetchResult};
pub use monitor::KraftMonitor;
pub use quorum::{LeaderState, QuorumRole, Voter};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Nodes, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::{
    Broken, Field, Rule, Settings, check_millis, check_shorter, millis, number, on_off,
};
use crate::engine::time::NodeId;
use crate::engine::view::{EntryView, NodeView, Panel, Role};
use crate::replication::{
    self, ACKS1, IsrConfig, LEADER_OUTSIDE_ISR, PRODUCTION_REPLICA_LAG_MS, PartitionId, REPLICA_LAG_MS,
    RULE_NAMES, Record, UNCLEAN, break_setting, check_replica_lag, log_entries, partition_panel,
    replica_lag_field, replicas_summary,
};

/// KRaft settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KraftConfig {
    /// Number of controller quorum voters (`controller.quorum.voters`): nodes `n1..nV`.
    pub voters: u64,
    /// Partition replication: partitions, replication factor, `unclean`, `min.insync.replicas`
    /// and `acks`, as in the ZooKeeper mode.
    #[serde(flatten)]
    pub isr: IsrConfig,
    /// Pre-vote (KIP-996).
    pub pre_vote: bool,
    /// `controller.quorum.election.timeout.ms`.
    pub election_timeout_ms: u64,
    /// `controller.quorum.fetch.timeout.ms`.
    pub fetch_timeout_ms: u64,
    /// `controller.quorum.election.backoff.max.ms`.
    pub election_backoff_max_ms: u64,
    /// How often followers, observers and partition replicas fetch.
    pub fetch_ms: u64,
    /// `broker.heartbeat.interval.ms`.
    pub heartbeat_ms: u64,
    /// `broker.session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// `replica.lag.time.max.ms`.
    pub replica_lag_ms: u64,
    /// Rules of [`RULES`] broken on purpose that have no setting of their own.
    #[serde(skip_serializing_if = "Broken::is_empty")]
    pub broken: Broken,
}

/// The rules of KRaft that `break=` can switch off, each caught by [`KraftMonitor`], in the
/// order of the shared [`RULE_NAMES`].
pub const RULES: &[Rule] = &[
    Rule {
        name: RULE_NAMES[UNCLEAN],
        what: "with no unfenced in-sync replica a partition stays offline; broken (the setting unclean=on), an out-of-sync replica leads and acknowledged records are lost",
        source: "Kafka PartitionChangeBuilder.electLeader (uncleanLeaderElectionEnabled); unclean.leader.election.enable=false (KIP-106)",
    },
    Rule {
        name: RULE_NAMES[ACKS1],
        what: "an acks=all record is acknowledged once every in-sync replica has it; broken (the setting acks-all=off), on the leader's append, and a failover loses it",
        source: "Kafka producer acks=all, default since 3.0 (KIP-679); Partition.checkEnoughReplicasReachOffset",
    },
    Rule {
        name: RULE_NAMES[LEADER_OUTSIDE_ISR],
        what: "the controller elects the first unfenced replica that is in the ISR; broken, the first unfenced replica whatever the ISR",
        source: "Kafka PartitionChangeBuilder.electLeader: targetReplicas.find(r => targetIsr.contains(r) && isAcceptableLeader(r))",
    },
];

impl Default for KraftConfig {
    fn default() -> Self {
        KraftConfig {
            voters: 3,
            isr: IsrConfig::default(),
            pre_vote: true,
            election_timeout_ms: 150,
            fetch_timeout_ms: 300,
            election_backoff_max_ms: 150,
            fetch_ms: 50,
            heartbeat_ms: 100,
            session_timeout_ms: 400,
            replica_lag_ms: REPLICA_LAG_MS,
            broken: Broken::NONE,
        }
    }
}

impl Settings for KraftConfig {
    fn fields(&self) -> Vec<Field> {
        let mut fields = vec![Field::number("voters", "Controller quorum voters", self.voters)];
        fields.extend(self.isr.fields());
        fields.extend([
            Field::toggle("pre-vote", "Pre-vote (KIP-996)", self.pre_vote),
            Field::millis("election", "controller.quorum.election.timeout.ms", self.election_timeout_ms),
            Field::millis("fetch-timeout", "controller.quorum.fetch.timeout.ms", self.fetch_timeout_ms),
            Field::millis(
                "backoff",
                "controller.quorum.election.backoff.max.ms",
                self.election_backoff_max_ms,
            ),
            Field::millis("fetch", "Fetch interval", self.fetch_ms),
            Field::millis("heartbeat", "broker.heartbeat.interval.ms", self.heartbeat_ms),
            Field::millis("session-timeout", "broker.session.timeout.ms", self.session_timeout_ms),
            replica_lag_field(self.replica_lag_ms),
        ]);
        fields
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        if let Some(done) = self.isr.set(&mut self.broken, "kraft", key, v) {
            return done;
        }
        match key {
            "voters" => self.voters = number(key, v)?,
            "pre-vote" => self.pre_vote = on_off(key, v)?,
            "election" => self.election_timeout_ms = millis(key, v)?,
            "fetch-timeout" => self.fetch_timeout_ms = millis(key, v)?,
            "backoff" => self.election_backoff_max_ms = millis(key, v)?,
            "fetch" => self.fetch_ms = millis(key, v)?,
            "heartbeat" => self.heartbeat_ms = millis(key, v)?,
            "session-timeout" => self.session_timeout_ms = millis(key, v)?,
            "replica-lag" => self.replica_lag_ms = millis(key, v)?,
            _ => return Err(format!("unknown setting '{key}' for kraft")),
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

/// The replica list of partition `p` among the brokers `voters+1..=nodes`.
pub fn assignment(p: PartitionId, nodes: usize, voters: u64, replication: u64) -> Vec<NodeId> {
    replication::assignment(p, nodes, voters, replication)
}

/// KRaft's timers; each role arms its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KraftTimer {
    /// Voter: the fetch timeout (follower), the election timeout, or the backoff after a
    /// failed round.
    Election,
    /// Leader: check quorum, re-send BeginQuorumEpoch; as controller, broker sessions.
    LeaderTick,
    /// Follower and observer: fetch the metadata log.
    MetaFetch,
    /// Broker: register or heartbeat.
    Heartbeat,
    /// Broker: fetch for followed partitions; check ISR lag for led ones.
    Replicate,
}

impl fmt::Display for KraftTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KraftTimer::Election => "election",
            KraftTimer::LeaderTick => "leader-tick",
            KraftTimer::MetaFetch => "metadata-fetch",
            KraftTimer::Heartbeat => "heartbeat",
            KraftTimer::Replicate => "replicate",
        })
    }
}

type KraftCtx<'a> = Ctx<'a, KraftMsg, KraftTimer>;

/// What every node knows of the cluster: its size and the settings.
#[derive(Debug, Clone)]
struct Cluster {
    n: usize,
    config: KraftConfig,
}

impl Cluster {
    fn voters(&self) -> usize {
        self.config.voters as usize
    }

    fn voter_ids(&self) -> impl Iterator<Item = NodeId> + use<> {
        1..=self.config.voters as NodeId
    }

    fn is_voter(&self, id: NodeId) -> bool {
        u64::from(id) <= self.config.voters
    }

    fn quorum(&self) -> usize {
        self.voters() / 2 + 1
    }

    fn assignment(&self, p: PartitionId) -> Vec<NodeId> {
        assignment(p, self.n, self.config.voters, self.config.isr.replication)
    }
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum Node {
    /// n1..nV: a controller quorum voter.
    Voter(Box<Voter>),
    /// nV+1..: a broker.
    Broker(Box<Broker>),
}

/// One node of the KRaft cluster.
#[derive(Debug, Clone)]
pub struct Kraft {
    cluster: Cluster,
    node: Node,
}

impl Kraft {
    /// The voter, if this node is one.
    pub fn voter(&self) -> Option<&Voter> {
        match &self.node {
            Node::Voter(v) => Some(v),
            Node::Broker(_) => None,
        }
    }

    /// The broker, if this node is one.
    pub fn broker(&self) -> Option<&Broker> {
        match &self.node {
            Node::Broker(b) => Some(b),
            Node::Voter(_) => None,
        }
    }

    /// The metadata log, its high watermark, and the log truncations so far.
    pub fn metadata(&self) -> (&[MetaEntry], u64, u64) {
        match &self.node {
            Node::Voter(v) => (&v.log, v.hw, v.truncations),
            Node::Broker(b) => (&b.log, b.hw, b.truncations),
        }
    }

    /// The broker's own view of partition `p`: (log, high watermark, leads it?, leader epoch).
    pub fn replica(&self, p: PartitionId) -> Option<(&[Record], u64, bool, u64)> {
        self.broker().and_then(|b| b.replica(p))
    }

    /// The image of the committed metadata of the node that has committed the most.
    fn committed_image<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<(Image, u64)> {
        let best = nodes.iter().max_by_key(|n| n.proto.metadata().1)?;
        let (log, hw, _) = best.proto.metadata();
        Some((Image::replay(&best.proto.cluster, &log[..hw as usize]), hw))
    }
}

impl Protocol for Kraft {
    type Msg = KraftMsg;
    type Timer = KraftTimer;
    type Config = KraftConfig;
    type Monitor = KraftMonitor;

    fn monitor(config: &Self::Config) -> Self::Monitor {
        KraftMonitor::new(config.clone())
    }

    const ID: &'static str = "kraft";
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "KRaft";
    const TAGLINE: &'static str = "Kafka today: n1-n3 are the controller quorum (Raft with pre-vote), the rest are brokers that fetch its metadata log. Crash the active controller; crash a partition leader.";
    const MIN_NODES: usize = 4;
    const TERM_LABEL: Option<&'static str> = Some("epoch");
    const SUPPORTS_TRANSFER: bool = true;

    fn production() -> Option<KraftConfig> {
        Some(KraftConfig {
            // QuorumConfig.DEFAULT_QUORUM_ELECTION_TIMEOUT_MS = 1_000,
            // DEFAULT_QUORUM_FETCH_TIMEOUT_MS = 2_000, DEFAULT_QUORUM_ELECTION_BACKOFF_MAX_MS = 1_000.
            election_timeout_ms: 1_000,
            fetch_timeout_ms: 2_000,
            election_backoff_max_ms: 1_000,
            // KRaftConfigs.BROKER_HEARTBEAT_INTERVAL_MS_DEFAULT = 2000,
            // BROKER_SESSION_TIMEOUT_MS_DEFAULT = 9000.
            heartbeat_ms: 2_000,
            session_timeout_ms: 9_000,
            // replica.lag.time.max.ms 30000 (KIP-537); replica.fetch.wait.max.ms 500.
            replica_lag_ms: PRODUCTION_REPLICA_LAG_MS,
            fetch_ms: 500,
            // unclean.leader.election.enable=false, min.insync.replicas=1, acks=all.
            isr: IsrConfig::production(),
            ..KraftConfig::default()
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "controller.quorum.election.timeout.ms 1 s, fetch.timeout.ms 2 s, election.backoff.max.ms 1 s: raft QuorumConfig.java (DEFAULT_QUORUM_*)",
        "broker.heartbeat.interval.ms 2 s, broker.session.timeout.ms 9 s: KRaftConfigs.java (BROKER_*_DEFAULT)",
        "replica.lag.time.max.ms 30 s (KIP-537), replica.fetch.wait.max.ms 500 ms; unclean off, min.insync.replicas 1, acks=all",
    ];

    fn randomize(config: &mut KraftConfig, rng: &mut Stream) {
        config.pre_vote = rng.chance_ppm(750_000);
        config.isr.partitions = rng.range(1, 3);
        config.isr.replication = rng.range(2, 3);
        config.isr.min_insync = rng.range(1, 2);
    }

    fn for_comparison(config: &mut KraftConfig) {
        // One partition: every client write goes to it, like the other algorithms' single log.
        config.isr.partitions = 1;
    }

    fn write_target<N: Nodes<Self> + ?Sized>(nodes: &N, _stable: Option<NodeId>) -> Option<NodeId> {
        // Clients write to p0's leader as the committed metadata names it.
        Self::committed_image(nodes)?.0.partition(0)?.leader
    }

    fn validate(c: &KraftConfig, nodes: usize) -> Result<(), Error> {
        if c.voters == 0 || c.voters > 7 {
            return Err(Error::Invalid {
                what: "voters",
                reason: format!("must be between 1 and 7, not {}", c.voters),
            });
        }
        if nodes as u64 <= c.voters {
            return Err(Error::Invalid {
                what: "kraft",
                reason: format!(
                    "needs more nodes than voters: n1..n{} are the controller quorum, the rest brokers",
                    c.voters
                ),
            });
        }
        c.isr.validate()?;
        check_millis(
            &[
                ("election timeout", c.election_timeout_ms),
                ("fetch timeout", c.fetch_timeout_ms),
                ("backoff", c.election_backoff_max_ms),
                ("fetch", c.fetch_ms),
                ("heartbeat", c.heartbeat_ms),
                ("session timeout", c.session_timeout_ms),
                ("replica lag", c.replica_lag_ms),
            ],
            60_000,
        )?;
        check_shorter(
            ("fetch", c.fetch_ms),
            ("fetch timeout", c.fetch_timeout_ms),
            "every follower would time out between two fetches",
        )?;
        check_shorter(
            ("heartbeat", c.heartbeat_ms),
            ("session timeout", c.session_timeout_ms),
            "every broker would be fenced between two heartbeats",
        )?;
        check_replica_lag(c.fetch_ms, c.replica_lag_ms)
    }

    fn new(id: NodeId, peers: &[NodeId], config: &KraftConfig) -> Self {
        let cluster = Cluster { n: peers.len(), config: config.clone() };
        let node = if cluster.is_voter(id) {
            Node::Voter(Box::new(Voter::new(id)))
        } else {
            Node::Broker(Box::new(Broker::new(id, &cluster)))
        };
        Kraft { cluster, node }
    }

    fn on_start(&mut self, ctx: &mut KraftCtx<'_>) {
        match &mut self.node {
            Node::Voter(v) => v.on_start(&self.cluster, ctx),
            Node::Broker(b) => b.on_start(&self.cluster, ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut KraftCtx<'_>, from: NodeId, msg: KraftMsg) {
        match &mut self.node {
            Node::Voter(v) => v.on_message(&self.cluster, ctx, from, msg),
            Node::Broker(b) => b.on_message(&self.cluster, ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut KraftCtx<'_>, timer: KraftTimer) {
        let cluster = &self.cluster;
        match (&mut self.node, timer) {
            (Node::Voter(v), KraftTimer::Election) => v.on_election_timer(cluster, ctx),
            (Node::Voter(v), KraftTimer::LeaderTick) => v.on_leader_tick(cluster, ctx),
            (Node::Voter(v), KraftTimer::MetaFetch) => v.on_meta_fetch_timer(cluster, ctx),
            (Node::Broker(b), KraftTimer::MetaFetch) => b.on_meta_fetch_timer(cluster, ctx),
            (Node::Broker(b), KraftTimer::Heartbeat) => b.on_heartbeat_timer(cluster, ctx),
            (Node::Broker(b), KraftTimer::Replicate) => b.on_replicate_timer(cluster, ctx),
            // Each timer belongs to one role and is only ever armed by it.
            (Node::Voter(_), KraftTimer::Heartbeat | KraftTimer::Replicate)
            | (Node::Broker(_), KraftTimer::Election | KraftTimer::LeaderTick) => {}
        }
    }

    fn on_request(&mut self, ctx: &mut KraftCtx<'_>, request: Request) {
        let cluster = &self.cluster;
        match (&mut self.node, request) {
            (Node::Broker(b), Request::ClientWrite { value }) => b.on_client_write(cluster, ctx, value),
            (Node::Voter(v), Request::Timeout) => {
                if matches!(v.role, QuorumRole::Leader(_)) {
                    ctx.note("leads: no election timer to expire");
                } else {
                    v.on_election_timer(cluster, ctx);
                }
            }
            (Node::Voter(v), Request::TransferLeadership { to }) => v.resign(cluster, ctx, to),
            (Node::Voter(_), Request::ClientWrite { .. }) => {
                ctx.note("controllers take no produce requests: write to a partition leader")
            }
            _ => ctx.note("nothing to do here"),
        }
    }

    /// Logs, the voter's epoch and vote, and acknowledgements are on disk; the rest is not.
    fn on_crash(&mut self) {
        match &mut self.node {
            Node::Voter(v) => v.on_crash(),
            Node::Broker(b) => b.on_crash(&self.cluster),
        }
    }

    fn status(&self) -> Status {
        match &self.node {
            Node::Voter(v) => Status {
                role: match v.role {
                    QuorumRole::Leader(_) => Role::Leader,
                    QuorumRole::Candidate { .. } => Role::Candidate,
                    QuorumRole::Prospective { .. } => Role::PreCandidate,
                    _ => Role::Follower,
                },
                term: v.epoch,
                leader: v.leader(),
            },
            Node::Broker(b) => Status { role: Role::Follower, term: b.epoch, leader: b.leader },
        }
    }

    fn is_routine_timer(timer: KraftTimer) -> bool {
        !matches!(timer, KraftTimer::Election)
    }

    fn watched_timer(&self) -> Option<KraftTimer> {
        matches!(self.node, Node::Voter(_)).then_some(KraftTimer::Election)
    }

    fn summary(&self) -> String {
        match &self.node {
            Node::Voter(v) => format!(
                "vote={} metadata={}/{}{}",
                Opt(v.voted_for),
                v.log.len(),
                v.hw,
                if v.is_active() { " active" } else { "" }
            ),
            Node::Broker(b) => format!(
                "broker_epoch={} {} metadata={}/{} replicas=[{}]",
                b.broker_epoch.map_or("-".into(), |e| e.to_string()),
                if b.fenced { "fenced" } else { "unfenced" },
                b.applied,
                b.hw,
                replicas_summary(b.id, &b.replicas)
            ),
        }
    }

    fn describe(&self, view: &mut NodeView) {
        match &self.node {
            Node::Voter(v) => {
                view.tag = "voter".into();
                view.voted_for = v.voted_for;
                if let QuorumRole::Prospective { votes } | QuorumRole::Candidate { votes, .. } = &v.role {
                    view.votes = votes.iter().copied().collect();
                }
                let role = match &v.role {
                    QuorumRole::Unattached => "unattached",
                    QuorumRole::Prospective { .. } => "prospective (pre-vote)",
                    QuorumRole::Candidate { .. } => "candidate",
                    QuorumRole::Follower { .. } => "follower",
                    QuorumRole::Leader(_) if v.is_active() => "leader, active controller",
                    QuorumRole::Leader(_) => "leader (LeaderChange not yet committed)",
                    QuorumRole::Resigned => "resigned",
                };
                view.details.push(("quorum state".into(), role.into()));
                view.details.push((
                    "metadata log".into(),
                    format!("{} entries, high watermark {}", v.log.len(), v.hw),
                ));
                if let Some(c) = &v.controller {
                    let brokers: Vec<String> = c
                        .image
                        .brokers
                        .iter()
                        .map(|(b, r)| {
                            format!("n{b}@{}{}", r.broker_epoch, if r.fenced { " fenced" } else { "" })
                        })
                        .collect();
                    view.details.push(("registered brokers".into(), brokers.join(", ")));
                }
            }
            Node::Broker(b) => {
                // Fencing shows on the picture: a fenced broker leads nothing and its
                // partitions have moved (ReplicationControlManager fences on session expiry).
                view.tag = if b.fenced { "fenced broker" } else { "broker" }.into();
                view.details.push((
                    "registration".into(),
                    match b.broker_epoch {
                        Some(e) => {
                            format!("broker epoch {e}, {}", if b.fenced { "fenced" } else { "unfenced" })
                        }
                        None => "not registered".into(),
                    },
                ));
                view.details
                    .push(("metadata applied".into(), format!("{} of {} entries", b.applied, b.log.len())));
                for (p, r) in &b.replicas {
                    let role = if r.leader == Some(b.id) { "leader" } else { "follower" };
                    view.details.push((
                        format!("p{p}"),
                        format!(
                            "{role}, leader epoch {}, {} records, hw {}",
                            r.leader_epoch,
                            r.log.len(),
                            r.hw
                        ),
                    ));
                }
            }
        }
    }

    fn log_view(&self) -> (Vec<EntryView>, u64) {
        match &self.node {
            // Voters show the metadata log.
            Node::Voter(v) => (
                v.log
                    .iter()
                    .enumerate()
                    .map(|(i, e)| EntryView {
                        index: i as u64 + 1,
                        term: e.epoch,
                        label: e.record.to_string(),
                    })
                    .collect(),
                v.hw,
            ),
            // Brokers show partition 0, if they hold a replica of it.
            Node::Broker(b) => match b.replica(0) {
                Some((log, hw, _, _)) => (log_entries(log), hw),
                None => (Vec::new(), 0),
            },
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let (image, hw) = Self::committed_image(nodes)?;
        let cluster = &nodes.first()?.proto.cluster;
        let acked = monitor::all_acked(nodes);
        let title = format!("Partitions (committed metadata log, high watermark {hw})");
        Some(partition_panel(title, &image.partitions, true, |p, st| {
            let hw = st.leader.and_then(|l| nodes.get(usize::from(l) - 1)?.proto.replica(p)).map(|r| r.1);
            (cluster.assignment(p), hw, monitor::lost_records(nodes, &image, p, &acked))
        }))
    }
}
