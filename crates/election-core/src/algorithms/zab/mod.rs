//! # ZooKeeper: Fast Leader Election and the ZAB hand-over
//!
//! A ZooKeeper server is LOOKING, FOLLOWING or LEADING. A LOOKING server runs **Fast Leader
//! Election** (`FastLeaderElection.lookForLeader`): it bumps its logical clock (the election
//! *round*), votes for itself and broadcasts a **notification** `(leader, zxid, round,
//! peerEpoch, state)`. Votes are ordered by `totalOrderPredicate`: higher `peerEpoch` wins,
//! then higher `zxid` (the id of the last transaction in the server's log), then higher server
//! id — so the most up-to-date log wins, and the id only breaks ties. A server adopts a better
//! vote and re-broadcasts it; once a quorum of the votes it received in its round agree with
//! its own, it waits `finalizeWait` (200 ms) for anything better and then follows (or leads).
//! Servers that already follow a leader answer LOOKING servers with their vote; such a
//! FOLLOWING/LEADING vote is only trusted if the proposed leader itself says LEADING
//! (`checkLeader`). Without replies a LOOKING server re-sends every 200 ms, doubling.
//!
//! After the election, ZAB's **discovery and synchronization** (simplified here): followers
//! send FOLLOWERINFO (accepted epoch, last zxid); with a quorum the leader picks a new epoch
//! above all of them and sends NEWLEADER with its history, which followers adopt (truncating
//! anything the leader lacks) before acknowledging; with a quorum of acks the leader is
//! **established** and starts broadcasting: client writes get zxids whose high 32 bits are the
//! epoch, are proposed, acknowledged and committed by quorum.
//!
//! ## Invariants
//! * One established leader per epoch.
//! * The established leader's `(epoch, zxid)` is the maximum in the quorum that elected it.
//! * Committed transactions are never lost: every later established leader holds them.
//!
//! ## Time
//! Timers run on each server's clock rate (`drift=`), never on its wall clock: ZooKeeper reads
//! `Time.currentElapsedTime()`, which is `System.nanoTime()`, a monotonic clock. A wall-clock
//! jump moves nothing ([`Protocol::monotonic_clock`]).
//!
//! ## References
//! * ZooKeeper `FastLeaderElection.java`: `totalOrderPredicate`, `lookForLeader`,
//!   `termPredicate`, `checkLeader`, `finalizeWait = 200`, `minNotificationInterval = 200`,
//!   `maxNotificationInterval = 60000`.
//! * F. Junqueira, B. Reed, M. Serafini, *Zab: High-performance broadcast for primary-backup
//!   systems*, DSN 2011 — phases discovery, synchronization, broadcast; zxid = (epoch, counter).
//! * Deviations: synchronization always sends the full history (a SNAP, no DIFF/TRUNC);
//!   ticks are replaced by millisecond timeouts; no observers or weighted quorums; a repeated
//!   notification does not postpone the re-send (stands in for QuorumCnxManager re-sending
//!   the last message on reconnection, see `on_notification`). acceptedEpoch and
//!   currentEpoch are one `epoch`, and the leader announces the new epoch with NEWLEADER:
//!   ZooKeeper's NEWEPOCH/ACKEPOCH round (`Leader.getEpochToPropose`, `waitForEpochAck`) and
//!   its "follower is ahead of the leader" abort are not modelled; a follower adopts the
//!   leader's history, and the monitor checks that no committed transaction is lost.
//!
//! ## Slow recovery after a long partition (faithful)
//! While LOOKING without progress a server doubles its notification interval up to
//! `maxNotificationInterval`, and a server answers a peer of its own round only when its vote
//! is better (`WorkerReceiver` replies only to older rounds). After a long partition heals,
//! the server with the best vote may therefore stay silent for its whole current interval,
//! and each new notification it receives restarts that wait (`recvqueue.poll(notTimeout)`):
//! the others learn the best vote only when it finally re-sends. Seed sweeps cap the interval
//! at 1.6 s, and their slowest recovery is about two intervals (3.5 s in 20,000 seeds: seed
//! 6178, healed at 6.0 s, leader elected at 9.4 s); with ZooKeeper's 60 s cap the same story
//! can take a minute, which is one reason real deployments see multi-second failovers.

mod message;
mod monitor;
#[cfg(test)]
mod tests;

pub use message::{ServerState, Txn, Vote, ZabMsg, ZabTimer, Zxid, zxid_str};
pub use monitor::ZabMonitor;

use crate::engine::collections::{Map, Set};

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::{Broken, Field, Rule, Settings, millis, parse_rules};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::view::Role;
use crate::engine::view::{EntryView, NodeView};

/// ZooKeeper settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ZabConfig {
    /// `finalizeWait`: how long a quorum must stand before the election ends.
    pub finalize_wait_ms: u64,
    /// `minNotificationInterval`: first re-send interval (doubles).
    pub notification_ms: u64,
    /// `maxNotificationInterval`.
    pub notification_max_ms: u64,
    /// Leader ping interval.
    pub ping_ms: u64,
    /// `syncLimit` as time: silence after which followers (and a leader without a quorum)
    /// go back to LOOKING; also the time allowed for discovery and synchronization.
    pub sync_timeout_ms: u64,
    /// Rules of [`RULES`] broken on purpose (none by default).
    #[serde(skip_serializing_if = "Broken::is_empty")]
    pub broken: Broken,
}

/// Rule [`RULES`]`[0]`: votes are ordered by (epoch, zxid, id).
pub const VOTE_BY_ID: usize = 0;

/// The rules of ZooKeeper's election that `break=` can switch off, each caught by [`ZabMonitor`].
/// The names `break=` takes, in the order of [`RULES`].
pub const RULE_NAMES: &[&str] = &["vote-by-id"];

pub const RULES: &[Rule] = &[Rule {
    name: RULE_NAMES[0],
    what: "votes are ordered by (peerEpoch, zxid, server id), so the most up-to-date server wins; broken, by server id alone",
    source: "ZooKeeper FastLeaderElection.java totalOrderPredicate (newEpoch > curEpoch || (== && (newZxid > curZxid || (== && newId > curId))))",
}];

impl Default for ZabConfig {
    fn default() -> Self {
        ZabConfig {
            finalize_wait_ms: 200,
            notification_ms: 200,
            notification_max_ms: 60_000,
            ping_ms: 100,
            sync_timeout_ms: 500,
            broken: Broken::NONE,
        }
    }
}

impl Settings for ZabConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::millis("finalize-wait", "finalizeWait", self.finalize_wait_ms),
            Field::millis("notification", "Notification interval (doubles)", self.notification_ms),
            Field::millis("notification-max", "Max notification interval", self.notification_max_ms),
            Field::millis("ping", "Leader ping interval", self.ping_ms),
            Field::millis("sync-timeout", "Sync timeout (syncLimit)", self.sync_timeout_ms),
        ]
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "finalize-wait" => self.finalize_wait_ms = millis(key, v)?,
            "notification" => self.notification_ms = millis(key, v)?,
            "notification-max" => self.notification_max_ms = millis(key, v)?,
            "ping" => self.ping_ms = millis(key, v)?,
            "sync-timeout" => self.sync_timeout_ms = millis(key, v)?,
            "break" => {
                self.broken = parse_rules("zab", RULE_NAMES, v)?.into_iter().fold(Broken::NONE, Broken::with)
            }
            _ => return Err(format!("unknown setting '{key}' for zab")),
        }
        Ok(())
    }

    fn broken(&self) -> Vec<&'static str> {
        self.broken.names(RULE_NAMES)
    }

    fn break_setting(&self) -> Option<String> {
        (!self.broken.is_empty()).then(|| self.broken.names(RULE_NAMES).join(","))
    }
}

/// `totalOrderPredicate(new, cur)`: is `new` better than `cur`?
pub fn total_order_predicate(new: Vote, cur: Vote) -> bool {
    new > cur
}

/// The order of votes with rule vote-by-id broken: the server id alone.
pub fn id_order_predicate(new: Vote, cur: Vote) -> bool {
    new.leader > cur.leader
}

type ZabCtx<'a> = Ctx<'a, ZabMsg, ZabTimer>;

/// What an established or establishing leader keeps.
#[derive(Debug, Clone, Default)]
struct LeaderState {
    /// FollowerInfo received: sid -> (accepted epoch, last zxid).
    infos: Map<NodeId, (u64, Zxid)>,
    new_epoch: Option<u64>,
    acks: Set<NodeId>,
    /// Followers that were sent NEWLEADER: new proposals go to them.
    forward: Set<NodeId>,
    established: bool,
    counter: u64,
    proposals: Map<Zxid, Set<NodeId>>,
    last_pong: Map<NodeId, Micros>,
    /// The leader's own (epoch, zxid) when elected, for the invariant check.
    elected_with: (u64, Zxid),
    /// The servers whose votes elected it.
    elected_by: Set<NodeId>,
    /// The FollowerInfos the new epoch was chosen from.
    discovery: Map<NodeId, (u64, Zxid)>,
}

/// One ZooKeeper server.
#[derive(Debug, Clone)]
pub struct Zab {
    id: NodeId,
    peers: Vec<NodeId>,
    config: ZabConfig,
    // Durable: currentEpoch (acceptedEpoch folded in), the transaction log, commit point.
    epoch: u64,
    /// The leader we accepted `epoch` from.
    epoch_from: Option<NodeId>,
    history: SharedLog<Txn>,
    // Bookkeeping for the monitor, not ZooKeeper state: how many times the history was
    // replaced (adopting a leader's), so that it re-checks only what changed.
    rewrites: u64,
    committed: Zxid,
    /// Highest commit announced by the leader (may run ahead of what we have logged).
    commit_seen: Zxid,
    /// Proposals that arrived ahead of a gap, applied in zxid order like TCP reassembly
    /// (ZAB assumes FIFO channels; this network may reorder).
    pending: Map<Zxid, Txn>,
    // Volatile election state.
    state: ServerState,
    logical_clock: u64,
    proposed: Vote,
    recvset: Map<NodeId, Vote>,
    outofelection: Map<NodeId, (Vote, u64, ServerState)>,
    interval: Micros,
    finalizing: bool,
    /// The vote that ended our last election (sent to LOOKING servers).
    elected: Option<(Vote, u64)>,
    // Following / leading.
    leader: Option<NodeId>,
    synced: bool,
    lead: LeaderState,
}

impl Zab {
    /// `totalOrderPredicate` as these settings have it (by id alone with vote-by-id broken).
    fn better(&self, new: Vote, cur: Vote) -> bool {
        if self.config.broken.has(VOTE_BY_ID) {
            id_order_predicate(new, cur)
        } else {
            total_order_predicate(new, cur)
        }
    }

    fn quorum(&self) -> usize {
        self.peers.len() / 2 + 1
    }

    fn last_zxid(&self) -> Zxid {
        self.history.last().map_or(0, |t| t.zxid)
    }

    fn my_vote(&self) -> Vote {
        Vote { peer_epoch: self.epoch, zxid: self.last_zxid(), leader: self.id }
    }

    /// Established leader?
    pub fn established(&self) -> bool {
        self.state == ServerState::Leading && self.lead.established
    }

    /// Current epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The transaction log.
    pub fn history(&self) -> &SharedLog<Txn> {
        &self.history
    }

    fn send_notifications(&self, ctx: &mut ZabCtx<'_>) {
        ctx.broadcast(ZabMsg::Notification {
            vote: self.proposed,
            round: self.logical_clock,
            state: self.state,
        });
    }

    /// `lookForLeader`: a new round, a vote for ourselves, notifications to all.
    fn look_for_leader(&mut self, ctx: &mut ZabCtx<'_>, why: &str) {
        self.state = ServerState::Looking;
        self.leader = None;
        self.synced = false;
        self.lead = LeaderState::default();
        self.pending.clear();
        self.logical_clock += 1;
        self.proposed = self.my_vote();
        self.recvset = Map::from([(self.id, self.proposed)]);
        self.outofelection.clear();
        self.finalizing = false;
        self.interval = ms(self.config.notification_ms);
        ctx.cancel_timer(ZabTimer::Ping);
        ctx.cancel_timer(ZabTimer::Sync);
        ctx.cancel_timer(ZabTimer::Connect);
        ctx.cancel_timer(ZabTimer::Finalize);
        ctx.note(format!(
            "{why}; LOOKING in round {}, votes for itself: {}",
            self.logical_clock, self.proposed
        ));
        self.send_notifications(ctx);
        ctx.set_timer(ZabTimer::Resend, self.interval);
        self.check_quorum_of_votes(ctx);
    }

    /// `termPredicate`: do votes from a quorum equal `vote`?
    fn term_predicate(&self, votes: impl Iterator<Item = Vote>, vote: Vote) -> bool {
        votes.filter(|v| *v == vote).count() >= self.quorum()
    }

    /// `checkLeader`: trust a FOLLOWING/LEADING vote for `leader` only if the leader itself
    /// said LEADING (or it is us, in the current round).
    fn check_leader(&self, leader: NodeId, round: u64) -> bool {
        if leader == self.id {
            return self.logical_clock == round;
        }
        self.outofelection.get(&leader).is_some_and(|(_, _, s)| *s == ServerState::Leading)
    }

    fn check_quorum_of_votes(&mut self, ctx: &mut ZabCtx<'_>) {
        if self.finalizing {
            return;
        }
        if self.term_predicate(self.recvset.values().copied(), self.proposed) {
            self.finalizing = true;
            ctx.set_timer(ZabTimer::Finalize, ms(self.config.finalize_wait_ms));
        }
    }

    /// The election is over: follow or lead `vote.leader`.
    fn conclude(&mut self, ctx: &mut ZabCtx<'_>, vote: Vote, round: u64) {
        self.elected = Some((vote, round));
        self.finalizing = false;
        ctx.cancel_timer(ZabTimer::Resend);
        ctx.cancel_timer(ZabTimer::Finalize);
        self.leader = Some(vote.leader);
        if vote.leader == self.id {
            self.state = ServerState::Leading;
            self.lead = LeaderState {
                infos: Map::from([(self.id, (self.epoch, self.last_zxid()))]),
                elected_with: (self.epoch, self.last_zxid()),
                ..LeaderState::default()
            };
            self.lead.elected_by = self
                .recvset
                .iter()
                .chain(self.outofelection.iter().map(|(s, (v, _, _))| (s, v)))
                .filter(|(_, v)| **v == vote)
                .map(|(s, _)| *s)
                .collect();
            ctx.note(format!("is elected leader (round {round}); waits for followers' FOLLOWERINFO"));
            ctx.set_timer(ZabTimer::Sync, ms(self.config.sync_timeout_ms));
            self.try_new_epoch(ctx);
        } else {
            self.state = ServerState::Following;
            ctx.note(format!("follows n{} (round {round})", vote.leader));
            ctx.send(
                vote.leader,
                ZabMsg::FollowerInfo { accepted_epoch: self.epoch, last_zxid: self.last_zxid() },
            );
            ctx.set_timer(ZabTimer::Sync, ms(self.config.sync_timeout_ms));
            ctx.set_timer(ZabTimer::Connect, ms(self.config.ping_ms));
        }
    }

    fn on_notification(
        &mut self,
        ctx: &mut ZabCtx<'_>,
        from: NodeId,
        vote: Vote,
        round: u64,
        state: ServerState,
    ) {
        if self.state != ServerState::Looking {
            // A server that is not LOOKING answers LOOKING servers with the vote that
            // elected its leader (WorkerReceiver in FastLeaderElection).
            if state == ServerState::Looking
                && let Some((v, r)) = self.elected
            {
                ctx.send(from, ZabMsg::Notification { vote: v, round: r, state: self.state });
            }
            return;
        }
        // A notification restarts the wait before re-sending (`recvqueue.poll(notTimeout)`),
        // unless it only repeats what we already recorded from that peer. Deviation: real
        // ZooKeeper's QuorumCnxManager re-sends the last message when a connection comes
        // back; this simulator drops messages on cut links instead, so a repeated, unchanged
        // notification must not keep postponing our own re-send forever.
        let repeat = state == ServerState::Looking
            && round == self.logical_clock
            && self.recvset.get(&from) == Some(&vote);
        if !repeat {
            ctx.set_timer(ZabTimer::Resend, self.interval);
        }
        if self.finalizing {
            // During finalizeWait only a better vote counts; others are consumed, and each one
            // starts the wait again: `while ((n = recvqueue.poll(finalizeWait)) != null)` in
            // `lookForLeader` polls anew after every notification that is not better.
            // (FastLeaderElection compares the vote alone: `totalOrderPredicate(n.leader, ...)`.)
            if !self.better(vote, self.proposed) {
                ctx.set_timer(ZabTimer::Finalize, ms(self.config.finalize_wait_ms));
                return;
            }
            self.finalizing = false;
            ctx.cancel_timer(ZabTimer::Finalize);
        }
        match state {
            ServerState::Looking => {
                if round > self.logical_clock {
                    self.logical_clock = round;
                    self.recvset.clear();
                    let mine = self.my_vote();
                    self.proposed = if self.better(vote, mine) { vote } else { mine };
                    self.recvset.insert(self.id, self.proposed);
                    self.send_notifications(ctx);
                } else if round < self.logical_clock {
                    // An old round: tell the sender where we are.
                    ctx.send(
                        from,
                        ZabMsg::Notification {
                            vote: self.proposed,
                            round: self.logical_clock,
                            state: self.state,
                        },
                    );
                    return;
                } else if self.better(vote, self.proposed) {
                    self.proposed = vote;
                    self.recvset.insert(self.id, self.proposed);
                    ctx.note(format!("adopts the better vote {vote}"));
                    self.send_notifications(ctx);
                }
                self.recvset.insert(from, vote);
                self.check_quorum_of_votes(ctx);
            }
            ServerState::Following | ServerState::Leading => {
                if round == self.logical_clock {
                    self.recvset.insert(from, vote);
                    self.outofelection.insert(from, (vote, round, state));
                    if self.term_predicate(self.recvset.values().copied(), vote)
                        && self.check_leader(vote.leader, round)
                    {
                        self.conclude(ctx, vote, round);
                        return;
                    }
                }
                self.outofelection.insert(from, (vote, round, state));
                let votes: Vec<Vote> = self.outofelection.values().map(|(v, _, _)| *v).collect();
                if self.term_predicate(votes.into_iter(), vote) && self.check_leader(vote.leader, round) {
                    self.logical_clock = round;
                    self.conclude(ctx, vote, round);
                }
            }
        }
    }

    /// Discovery: with FollowerInfo from a quorum, pick an epoch above all and send NEWLEADER.
    fn leader_on_info(&mut self, ctx: &mut ZabCtx<'_>, from: NodeId, accepted_epoch: u64, last_zxid: Zxid) {
        self.lead.infos.insert(from, (accepted_epoch, last_zxid));
        if let Some(epoch) = self.lead.new_epoch {
            // A late (or re-syncing) follower joins the epoch.
            self.lead.forward.insert(from);
            ctx.send(
                from,
                ZabMsg::NewLeader { epoch, history: self.history.clone(), committed: self.committed },
            );
            return;
        }
        self.try_new_epoch(ctx);
    }

    /// With FollowerInfo from a quorum (ourselves included), start the new epoch.
    fn try_new_epoch(&mut self, ctx: &mut ZabCtx<'_>) {
        if self.lead.new_epoch.is_some() || self.lead.infos.len() < self.quorum() {
            return;
        }
        let epoch = self.lead.infos.values().map(|(e, _)| *e).max().unwrap_or(0).max(self.epoch) + 1;
        self.lead.new_epoch = Some(epoch);
        self.lead.discovery = self.lead.infos.clone();
        self.epoch = epoch;
        self.epoch_from = Some(self.id);
        self.lead.acks.insert(self.id);
        ctx.note(format!("starts epoch {epoch}: NEWLEADER with its history ({} txns)", self.history.len()));
        for &f in self.lead.infos.keys() {
            if f != self.id {
                self.lead.forward.insert(f);
                ctx.send(
                    f,
                    ZabMsg::NewLeader { epoch, history: self.history.clone(), committed: self.committed },
                );
            }
        }
        self.maybe_established(ctx);
    }

    fn maybe_established(&mut self, ctx: &mut ZabCtx<'_>) {
        let Some(epoch) = self.lead.new_epoch else { return };
        if self.lead.established || self.lead.acks.len() < self.quorum() {
            return;
        }
        self.lead.established = true;
        self.synced = true;
        // Everything in the new leader's history is committed once a quorum adopted it.
        self.committed = self.last_zxid();
        ctx.note(format!("is established as leader of epoch {epoch}"));
        for &f in &self.lead.acks {
            if f != self.id {
                ctx.send(f, ZabMsg::UpToDate { epoch });
                ctx.send(f, ZabMsg::Commit { epoch, zxid: self.committed });
            }
        }
        for &p in &self.peers {
            self.lead.last_pong.insert(p, ctx.now);
        }
        ctx.cancel_timer(ZabTimer::Sync);
        ctx.set_timer(ZabTimer::Ping, ms(self.config.ping_ms));
    }

    /// How many times the history was replaced by a leader's.
    pub fn history_rewrites(&self) -> u64 {
        self.rewrites
    }

    /// Logs every pending proposal that extends the history without a gap, acking each.
    fn apply_pending(&mut self, ctx: &mut ZabCtx<'_>, leader: NodeId) {
        let last = self.last_zxid();
        self.pending.retain(|z, _| *z > last);
        loop {
            let last = self.last_zxid();
            let next = if last >> 32 == self.epoch { last + 1 } else { (self.epoch << 32) | 1 };
            let Some(txn) = self.pending.remove(&next) else { break };
            self.history.push(txn);
            ctx.send(leader, ZabMsg::Ack { epoch: self.epoch, zxid: txn.zxid });
        }
        self.committed = self.committed.max(self.commit_seen.min(self.last_zxid()));
    }

    fn leader_try_commit(&mut self, ctx: &mut ZabCtx<'_>) {
        let epoch = self.epoch;
        // Commit in zxid order, each needing a quorum of acks.
        let ready: Vec<Zxid> = self
            .lead
            .proposals
            .iter()
            .take_while(|(_, acks)| acks.len() > self.peers.len() / 2)
            .map(|(z, _)| *z)
            .collect();
        for z in ready {
            self.lead.proposals.remove(&z);
            self.committed = z;
            ctx.note(format!("commits zxid {}", zxid_str(z)));
            ctx.broadcast(ZabMsg::Commit { epoch, zxid: z });
        }
    }
}

impl Protocol for Zab {
    type Msg = ZabMsg;
    type Timer = ZabTimer;
    type Config = ZabConfig;
    type Monitor = ZabMonitor;

    fn monitor(_config: &Self::Config) -> Self::Monitor {
        Self::Monitor::default()
    }

    const ID: &'static str = "zab";
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "ZooKeeper (ZAB)";
    const TAGLINE: &'static str = "votes are ordered by (epoch, zxid, id): the most up-to-date log wins. Crash the leader after a few writes.";
    const TERM_LABEL: Option<&'static str> = Some("epoch");

    fn production() -> Option<ZabConfig> {
        Some(ZabConfig {
            // FastLeaderElection: finalizeWait = 200, minNotificationInterval = finalizeWait,
            // maxNotificationInterval = 60000.
            finalize_wait_ms: 200,
            notification_ms: 200,
            notification_max_ms: 60_000,
            // conf/zoo_sample.cfg: tickTime=2000; the leader pings every half tick
            // (Leader.lead: "We ping twice a tick") and followers give up after syncLimit=5
            // ticks.
            ping_ms: 1_000,
            sync_timeout_ms: 10_000,
            broken: Broken::NONE,
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "finalizeWait 200 ms, notification interval 200 ms doubling to 60 s: FastLeaderElection.java",
        "tickTime 2000 ms, syncLimit 5 (10 s): conf/zoo_sample.cfg; leader pings every tickTime/2",
    ];

    fn randomize(config: &mut ZabConfig, _rng: &mut Stream) {
        // ZooKeeper's 60 s maximum re-send interval can leave a server silent for up to a
        // minute after a long partition; sweeps cap it so the 5 s liveness bound applies.
        config.notification_max_ms = 1_600;
    }

    fn validate(c: &ZabConfig, _nodes: usize) -> Result<(), Error> {
        crate::engine::settings::check_millis(
            &[
                ("finalize wait", c.finalize_wait_ms),
                ("notification interval", c.notification_ms),
                ("max notification interval", c.notification_max_ms),
                ("ping", c.ping_ms),
                ("sync timeout", c.sync_timeout_ms),
            ],
            600_000,
        )?;
        if c.notification_ms > c.notification_max_ms {
            return Err(Error::Range {
                what: "notification interval (ms)",
                min: c.notification_ms,
                max: c.notification_max_ms,
            });
        }
        Ok(())
    }

    fn new(id: NodeId, peers: &[NodeId], config: &ZabConfig) -> Self {
        Zab {
            id,
            peers: peers.to_vec(),
            config: config.clone(),
            epoch: 0,
            epoch_from: None,
            history: SharedLog::new(),
            rewrites: 0,
            committed: 0,
            commit_seen: 0,
            pending: Map::new(),
            state: ServerState::Looking,
            logical_clock: 0,
            proposed: Vote { peer_epoch: 0, zxid: 0, leader: id },
            recvset: Map::new(),
            outofelection: Map::new(),
            interval: 0,
            finalizing: false,
            elected: None,
            leader: None,
            synced: false,
            lead: LeaderState::default(),
        }
    }

    fn on_start(&mut self, ctx: &mut ZabCtx<'_>) {
        self.look_for_leader(ctx, "starts");
    }

    fn on_message(&mut self, ctx: &mut ZabCtx<'_>, from: NodeId, msg: ZabMsg) {
        match msg {
            ZabMsg::Notification { vote, round, state } => {
                self.on_notification(ctx, from, vote, round, state)
            }
            ZabMsg::FollowerInfo { accepted_epoch, last_zxid } => {
                if self.state == ServerState::Leading {
                    self.leader_on_info(ctx, from, accepted_epoch, last_zxid);
                }
            }
            ZabMsg::NewLeader { epoch, history, committed } => {
                // Zab's NEWEPOCH rule: accept a new epoch only if it is above the accepted one
                // (or it is the same leader re-sending the epoch we accepted from it).
                let fresh = epoch > self.epoch || (epoch == self.epoch && self.epoch_from == Some(from));
                if self.state == ServerState::Following && self.leader == Some(from) && fresh {
                    self.epoch_from = Some(from);
                    self.epoch = epoch;
                    self.history = history;
                    self.rewrites += 1;
                    self.commit_seen = self.commit_seen.max(committed);
                    ctx.send(from, ZabMsg::AckNewLeader { epoch });
                    self.apply_pending(ctx, from);
                    ctx.set_timer(ZabTimer::Sync, ms(self.config.sync_timeout_ms));
                }
            }
            ZabMsg::AckNewLeader { epoch } => {
                if self.state == ServerState::Leading && self.lead.new_epoch == Some(epoch) {
                    self.lead.acks.insert(from);
                    self.lead.last_pong.insert(from, ctx.now);
                    if self.lead.established {
                        ctx.send(from, ZabMsg::UpToDate { epoch });
                        ctx.send(from, ZabMsg::Commit { epoch, zxid: self.committed });
                    }
                    self.maybe_established(ctx);
                }
            }
            ZabMsg::UpToDate { epoch } => {
                if self.state == ServerState::Following && self.leader == Some(from) && epoch == self.epoch {
                    self.synced = true;
                    ctx.cancel_timer(ZabTimer::Connect);
                    ctx.note(format!("is in sync with leader n{from} for epoch {epoch}"));
                    ctx.set_timer(ZabTimer::Sync, ms(self.config.sync_timeout_ms));
                }
            }
            ZabMsg::Proposal { epoch, txn } => {
                if self.state == ServerState::Following && self.leader == Some(from) && epoch == self.epoch {
                    if txn.zxid > self.last_zxid() {
                        self.pending.insert(txn.zxid, txn);
                    }
                    self.apply_pending(ctx, from);
                }
            }
            ZabMsg::Ack { epoch, zxid } => {
                if self.established() && epoch == self.epoch {
                    if let Some(acks) = self.lead.proposals.get_mut(&zxid) {
                        acks.insert(from);
                    }
                    self.leader_try_commit(ctx);
                }
            }
            ZabMsg::Commit { epoch, zxid } => {
                if self.state == ServerState::Following && self.leader == Some(from) && epoch == self.epoch {
                    self.commit_seen = self.commit_seen.max(zxid);
                    self.committed = self.committed.max(self.commit_seen.min(self.last_zxid()));
                }
            }
            ZabMsg::Ping { epoch } => {
                if self.state == ServerState::Following && self.leader == Some(from) && epoch == self.epoch {
                    ctx.set_timer(ZabTimer::Sync, ms(self.config.sync_timeout_ms));
                    ctx.send(from, ZabMsg::Pong { epoch });
                }
            }
            ZabMsg::Pong { epoch } => {
                if self.state == ServerState::Leading && epoch == self.epoch {
                    self.lead.last_pong.insert(from, ctx.now);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut ZabCtx<'_>, timer: ZabTimer) {
        match timer {
            ZabTimer::Resend => {
                if self.state == ServerState::Looking {
                    self.send_notifications(ctx);
                    self.interval = self.interval.saturating_mul(2).min(ms(self.config.notification_max_ms));
                    ctx.set_timer(ZabTimer::Resend, self.interval);
                }
            }
            ZabTimer::Finalize => {
                if self.state == ServerState::Looking && self.finalizing {
                    let (vote, round) = (self.proposed, self.logical_clock);
                    self.conclude(ctx, vote, round);
                }
            }
            ZabTimer::Ping => {
                if !self.established() {
                    return;
                }
                let epoch = self.epoch;
                let recent =
                    self.peers
                        .iter()
                        .filter(|&&p| {
                            p == self.id
                                || self.lead.last_pong.get(&p).is_some_and(|t| {
                                    ctx.now < t.saturating_add(ms(self.config.sync_timeout_ms))
                                })
                        })
                        .count();
                if recent < self.quorum() {
                    self.look_for_leader(ctx, &format!("hears from only {recent} servers: lost its quorum"));
                    return;
                }
                ctx.broadcast(ZabMsg::Ping { epoch });
                ctx.set_timer(ZabTimer::Ping, ms(self.config.ping_ms));
            }
            ZabTimer::Connect => {
                if self.state == ServerState::Following
                    && !self.synced
                    && let Some(l) = self.leader
                {
                    ctx.send(
                        l,
                        ZabMsg::FollowerInfo { accepted_epoch: self.epoch, last_zxid: self.last_zxid() },
                    );
                    ctx.set_timer(ZabTimer::Connect, ms(self.config.ping_ms));
                }
            }
            ZabTimer::Sync => match self.state {
                ServerState::Following => {
                    let l = self.leader.map_or("-".into(), |l| format!("n{l}"));
                    self.look_for_leader(ctx, &format!("lost leader {l}"));
                }
                ServerState::Leading if !self.lead.established => {
                    self.look_for_leader(ctx, "could not gather a quorum of followers in time");
                }
                _ => {}
            },
        }
    }

    fn on_request(&mut self, ctx: &mut ZabCtx<'_>, request: Request) {
        match request {
            Request::ClientWrite { value } => {
                if self.established() {
                    self.lead.counter = if self.last_zxid() >> 32 == self.epoch {
                        (self.last_zxid() & 0xffff_ffff) + 1
                    } else {
                        1
                    };
                    let zxid = (self.epoch << 32) | self.lead.counter;
                    let txn = Txn { zxid, value };
                    self.history.push(txn);
                    self.lead.proposals.insert(zxid, Set::from([self.id]));
                    ctx.note(format!("proposes x={value} as zxid {}", zxid_str(zxid)));
                    let epoch = self.epoch;
                    for &f in &self.lead.forward {
                        ctx.send(f, ZabMsg::Proposal { epoch, txn });
                    }
                    self.leader_try_commit(ctx);
                } else {
                    match self.leader {
                        Some(l) if l != self.id => ctx.note(format!(
                            "forwards nothing: is a follower of n{l}; clients must write to the leader"
                        )),
                        _ => ctx.note("has no established leader; the write is refused"),
                    }
                }
            }
            Request::Timeout => {
                if self.state != ServerState::Looking {
                    self.look_for_leader(ctx, "was told to re-elect");
                }
            }
            Request::TransferLeadership { .. } => ctx.note("ZooKeeper has no leadership transfer here"),
        }
    }

    /// The log, the epoch and the commit point are on disk; election state is not.
    fn on_crash(&mut self) {
        self.state = ServerState::Looking;
        self.logical_clock = 0;
        self.recvset.clear();
        self.outofelection.clear();
        self.finalizing = false;
        self.elected = None;
        self.leader = None;
        self.synced = false;
        self.lead = LeaderState::default();
    }

    fn status(&self) -> Status {
        let role = match self.state {
            ServerState::Looking => Role::Candidate,
            ServerState::Following => Role::Follower,
            ServerState::Leading => Role::Leader,
        };
        Status { role, term: self.epoch, leader: self.leader }
    }

    fn watched_timer(&self) -> Option<ZabTimer> {
        Some(match self.state {
            ServerState::Looking if self.finalizing => ZabTimer::Finalize,
            ServerState::Looking => ZabTimer::Resend,
            ServerState::Following => ZabTimer::Sync,
            ServerState::Leading => ZabTimer::Ping,
        })
    }

    fn is_routine_timer(timer: ZabTimer) -> bool {
        matches!(timer, ZabTimer::Ping | ZabTimer::Connect)
    }

    /// ZooKeeper `Time.currentElapsedTime()` is `System.nanoTime()`: a monotonic clock.
    fn monotonic_clock(&self) -> bool {
        true
    }

    fn summary(&self) -> String {
        format!(
            "{} zxid={} committed={} txns={}",
            self.state,
            zxid_str(self.last_zxid()),
            zxid_str(self.committed),
            self.history.len()
        )
    }

    fn describe(&self, view: &mut NodeView) {
        view.details.push(("state".into(), self.state.to_string()));
        view.details.push(("last zxid".into(), zxid_str(self.last_zxid())));
        view.details.push(("round (logical clock)".into(), self.logical_clock.to_string()));
        view.details.push(("vote".into(), self.proposed.to_string()));
        if self.state == ServerState::Looking {
            view.votes = self.recvset.iter().filter(|(_, v)| **v == self.proposed).map(|(s, _)| *s).collect();
        }
        if self.state == ServerState::Leading {
            view.details.push((
                "phase".into(),
                if self.lead.established { "broadcast (established)" } else { "discovery/sync" }.into(),
            ));
        }
        if self.state == ServerState::Following {
            view.details.push(("synced".into(), self.synced.to_string()));
        }
    }

    fn log_view(&self) -> (Vec<EntryView>, u64) {
        let log: Vec<EntryView> = self
            .history
            .iter()
            .enumerate()
            .map(|(i, t)| EntryView {
                index: i as u64 + 1,
                term: t.zxid >> 32,
                label: format!("x={}", t.value),
            })
            .collect();
        let commit = self.history.iter().take_while(|t| t.zxid <= self.committed).count() as u64;
        (log, commit)
    }
}
