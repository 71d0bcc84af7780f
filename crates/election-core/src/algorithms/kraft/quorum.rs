//! A controller quorum voter (nodes `n1..nV`): KIP-595's Raft variant. The voter's role is a
//! type, [`QuorumRole`]; the election (pre-vote, Vote, BeginQuorumEpoch, EndQuorumEpoch), the
//! metadata log replicated by the followers' Fetch, and the high watermark live here. The
//! active controller that the leader becomes is in `controller.rs`.

use crate::engine::collections::{Map, Set};
use crate::engine::time::{Micros, NodeId, ms};
use crate::replication::{diverging, last_epoch, truncation_point};

use super::controller::Controller;
use super::message::{FetchResult, Ids, KraftMsg, MetaEntry, MetadataRecord};
use super::{Cluster, KraftCtx, KraftTimer};

/// `controller.quorum.retry.backoff.ms` (QuorumConfig.DEFAULT_QUORUM_RETRY_BACKOFF_MS).
const RETRY_BACKOFF_MS: u64 = 20;

/// At most this many metadata entries go in one FetchResponse.
pub(super) const FETCH_MAX_ENTRIES: u64 = 64;

/// What a voter is in its epoch (`QuorumState`'s states in `org.apache.kafka.raft`).
#[derive(Debug, Clone)]
pub enum QuorumRole {
    /// `UnattachedState`: no leader known in this epoch.
    Unattached,
    /// `ProspectiveState` (KIP-996): asking for pre-votes, epoch unchanged.
    Prospective { votes: Set<NodeId> },
    /// `CandidateState`: campaigning in its epoch; `backing_off` after a failed round.
    Candidate { votes: Set<NodeId>, backing_off: bool },
    /// `FollowerState`: fetching from `leader`.
    Follower { leader: NodeId },
    /// `LeaderState`.
    Leader(LeaderState),
    /// `ResignedState`: gave the epoch up (EndQuorumEpoch) and waits for the next leader.
    Resigned,
}

/// What a leader tracks (`LeaderState`).
#[derive(Debug, Clone)]
pub struct LeaderState {
    /// The offset of this epoch's `LeaderChange` record: the high watermark may only move once
    /// it is past it (`LeaderState.maybeUpdateHighWatermark`).
    pub(super) epoch_start: u64,
    /// Per voter: the end offset it has fetched up to (validated) and when it last fetched.
    pub(super) fetched: Map<NodeId, (u64, Micros)>,
    /// Voters that have fetched in this epoch: the others get BeginQuorumEpoch again.
    pub(super) begun: Set<NodeId>,
}

/// A voter's state.
#[derive(Debug, Clone)]
pub struct Voter {
    pub(super) id: NodeId,
    /// Durable (`quorum-state` file): the epoch and the vote cast in it.
    pub(super) epoch: u64,
    pub(super) voted_for: Option<NodeId>,
    /// Durable: the metadata log.
    pub(super) log: Vec<MetaEntry>,
    /// The high watermark: entries below it are committed.
    pub(super) hw: u64,
    pub(super) role: QuorumRole,
    /// When this follower last fetched from its leader successfully (KIP-996: a voter that
    /// has heard from its leader within the fetch timeout refuses pre-votes).
    pub(super) last_leader_fetch: Option<Micros>,
    /// The active controller, while this voter leads and its `LeaderChange` is committed.
    pub(super) controller: Option<Controller>,
    /// Bookkeeping for the monitor, not Kafka state: log truncations so far.
    pub(super) truncations: u64,
}

impl Voter {
    /// Voter `id`, before its first start.
    pub(super) fn new(id: NodeId) -> Self {
        Voter {
            id,
            epoch: 0,
            voted_for: None,
            log: Vec::new(),
            hw: 0,
            role: QuorumRole::Unattached,
            last_leader_fetch: None,
            controller: None,
            truncations: 0,
        }
    }

    /// The leader this voter knows in its epoch.
    pub(super) fn leader(&self) -> Option<NodeId> {
        match &self.role {
            QuorumRole::Follower { leader } => Some(*leader),
            QuorumRole::Leader(_) => Some(self.id),
            _ => None,
        }
    }

    /// Whether this voter leads and its `LeaderChange` is committed: it acts as controller.
    pub(super) fn is_active(&self) -> bool {
        self.controller.is_some()
    }

    /// (Re)start: the epoch, vote and log are on disk; the voter starts unattached
    /// (`QuorumState.initialize`) with a random election timeout.
    pub(super) fn on_start(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        self.role = QuorumRole::Unattached;
        let t = random_election_timeout(cluster, ctx);
        ctx.set_timer(KraftTimer::Election, t);
        ctx.set_timer(KraftTimer::MetaFetch, ms(cluster.config.fetch_ms));
    }

    /// A crash: only the epoch, the vote and the log survive.
    pub(super) fn on_crash(&mut self) {
        self.role = QuorumRole::Unattached;
        self.hw = 0;
        self.last_leader_fetch = None;
        self.controller = None;
    }

    /// A higher epoch seen in any message: adopt it, with no vote, following `leader` if known
    /// (`transitionToUnattached` / `transitionToFollower`).
    fn step_up(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, epoch: u64, leader: Option<NodeId>) {
        if matches!(self.role, QuorumRole::Leader(_)) {
            ctx.note(format!("sees epoch {epoch}: steps down"));
        }
        self.epoch = epoch;
        self.voted_for = None;
        self.controller = None;
        self.last_leader_fetch = None;
        ctx.persist();
        match leader {
            Some(l) if l != self.id => self.follow(cluster, ctx, l),
            _ => {
                self.role = QuorumRole::Unattached;
                let t = random_election_timeout(cluster, ctx);
                ctx.set_timer(KraftTimer::Election, t);
            }
        }
    }

    /// Becomes a follower of `leader` in the current epoch; the fetch timeout starts.
    fn follow(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, leader: NodeId) {
        if !matches!(self.role, QuorumRole::Follower { leader: l } if l == leader) {
            ctx.note(format!("follows n{leader} in epoch {}", self.epoch));
        }
        self.role = QuorumRole::Follower { leader };
        self.controller = None;
        ctx.set_timer(KraftTimer::Election, ms(cluster.config.fetch_timeout_ms));
    }

    // ---- elections ----

    /// The election timer: a follower's fetch timeout, an unattached voter's or a failed
    /// candidate's election timeout, or the end of a candidate's backoff.
    pub(super) fn on_election_timer(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        match &mut self.role {
            QuorumRole::Leader(_) => {}
            QuorumRole::Candidate { backing_off: backing_off @ false, .. } => {
                // A round without a majority: back off a random time before the next one
                // (`binaryExponentialElectionBackoffMs`, capped by election.backoff.max.ms).
                *backing_off = true;
                let max = ms(cluster.config.election_backoff_max_ms).max(1);
                let t = ctx.random_between(1, max);
                ctx.set_timer(KraftTimer::Election, t);
            }
            _ => self.start_election(cluster, ctx),
        }
    }

    /// With pre-vote, first ask whether it could win (KIP-996); else run at once.
    fn start_election(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        if !cluster.config.pre_vote {
            return self.start_candidate(cluster, ctx);
        }
        self.role = QuorumRole::Prospective { votes: [self.id].into() };
        self.controller = None;
        if cluster.voters() == 1 {
            return self.start_candidate(cluster, ctx);
        }
        ctx.note(format!("asks for pre-votes for epoch {}", self.epoch + 1));
        let msg = self.vote_request(self.epoch + 1, true);
        self.send_to_voters(cluster, ctx, &msg);
        let t = random_election_timeout(cluster, ctx);
        ctx.set_timer(KraftTimer::Election, t);
    }

    /// Candidate: next epoch, vote for itself (durably), ask the other voters.
    fn start_candidate(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        self.epoch += 1;
        self.voted_for = Some(self.id);
        self.role = QuorumRole::Candidate { votes: [self.id].into(), backing_off: false };
        self.controller = None;
        self.last_leader_fetch = None;
        ctx.persist();
        ctx.note(format!("stands for election in epoch {}", self.epoch));
        if cluster.voters() == 1 {
            return self.become_leader(cluster, ctx);
        }
        let msg = self.vote_request(self.epoch, false);
        self.send_to_voters(cluster, ctx, &msg);
        let t = random_election_timeout(cluster, ctx);
        ctx.set_timer(KraftTimer::Election, t);
    }

    fn vote_request(&self, epoch: u64, pre_vote: bool) -> KraftMsg {
        KraftMsg::Vote {
            epoch,
            last_epoch: last_epoch(&self.log),
            end_offset: self.log.len() as u64,
            pre_vote,
        }
    }

    fn send_to_voters(&self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, msg: &KraftMsg) {
        for v in cluster.voter_ids() {
            if v != self.id {
                ctx.send(v, msg.clone());
            }
        }
    }

    /// Whether a candidate's log, ending at `end_offset` with `last_epoch`, is at least as long
    /// as ours, compared by (last epoch, end offset) (`QuorumState.canGrantVote`,
    /// `OffsetAndEpoch.compareTo`).
    fn log_ok(&self, last_epoch_c: u64, end_offset: u64) -> bool {
        (last_epoch_c, end_offset) >= (last_epoch(&self.log), self.log.len() as u64)
    }

    /// Vote (and PreVote) from candidate `from`.
    fn on_vote(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        (epoch, last_epoch_c, end_offset): (u64, u64, u64),
        pre_vote: bool,
    ) {
        if pre_vote {
            // KIP-996: grant without changing anything, if the candidate is not behind in epoch
            // or log and we have not heard from a leader within the fetch timeout.
            let fetch_timeout = ms(cluster.config.fetch_timeout_ms);
            let heard_from_leader = match self.role {
                QuorumRole::Leader(_) => true,
                QuorumRole::Follower { .. } => {
                    self.last_leader_fetch.is_some_and(|t| ctx.now < t + fetch_timeout)
                }
                _ => false,
            };
            let granted = epoch > self.epoch && self.log_ok(last_epoch_c, end_offset) && !heard_from_leader;
            ctx.send(from, KraftMsg::VoteResponse { epoch: self.epoch, granted, pre_vote: true });
            return;
        }
        if epoch > self.epoch {
            self.step_up(cluster, ctx, epoch, None);
        }
        let granted = epoch == self.epoch
            && matches!(self.role, QuorumRole::Unattached | QuorumRole::Resigned)
            && self.voted_for.is_none_or(|v| v == from)
            && self.log_ok(last_epoch_c, end_offset);
        if granted && self.voted_for != Some(from) {
            self.voted_for = Some(from);
            // The vote is on disk before the answer leaves (Figure 2's rule, quorum-state file).
            ctx.persist();
            let t = random_election_timeout(cluster, ctx);
            ctx.set_timer(KraftTimer::Election, t);
        }
        ctx.send(from, KraftMsg::VoteResponse { epoch: self.epoch, granted, pre_vote: false });
    }

    /// VoteResponse (and PreVoteResponse).
    fn on_vote_response(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        epoch: u64,
        granted: bool,
        pre_vote: bool,
    ) {
        if epoch > self.epoch {
            return self.step_up(cluster, ctx, epoch, None);
        }
        let quorum = cluster.quorum();
        match &mut self.role {
            QuorumRole::Prospective { votes } if pre_vote && granted => {
                votes.insert(from);
                if votes.len() >= quorum {
                    self.start_candidate(cluster, ctx);
                }
            }
            QuorumRole::Candidate { votes, .. } if !pre_vote && granted && epoch == self.epoch => {
                votes.insert(from);
                if votes.len() >= quorum {
                    self.become_leader(cluster, ctx);
                }
            }
            _ => {}
        }
    }

    /// Won: append the epoch's `LeaderChange` record and announce it (BeginQuorumEpoch).
    fn become_leader(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        let votes = match &self.role {
            QuorumRole::Candidate { votes, .. } => votes.iter().copied().collect::<Vec<_>>(),
            _ => vec![self.id],
        };
        ctx.note(format!("wins the election for epoch {} with votes from {}", self.epoch, Ids(&votes)));
        let now = ctx.now;
        let epoch_start = self.log.len() as u64;
        let fetched = cluster.voter_ids().filter(|&v| v != self.id).map(|v| (v, (0, now))).collect();
        self.role = QuorumRole::Leader(LeaderState { epoch_start, fetched, begun: Set::new() });
        self.last_leader_fetch = None;
        ctx.cancel_timer(KraftTimer::Election);
        self.log
            .push(MetaEntry { epoch: self.epoch, record: MetadataRecord::LeaderChange { leader: self.id } });
        let msg = KraftMsg::BeginQuorumEpoch { epoch: self.epoch };
        self.send_to_voters(cluster, ctx, &msg);
        ctx.set_timer(KraftTimer::LeaderTick, ms(cluster.config.fetch_ms));
        self.update_hw(cluster, ctx);
    }

    /// BeginQuorumEpoch: `from` leads `epoch`.
    fn on_begin_quorum_epoch(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, from: NodeId, epoch: u64) {
        if epoch < self.epoch {
            // FENCED_LEADER_EPOCH: the answer carries our epoch, so that a leader elected in an
            // epoch older than ours (our Vote requests were lost) learns it and steps down.
            ctx.send(from, KraftMsg::BeginQuorumEpochResponse { epoch: self.epoch });
            return;
        }
        if epoch > self.epoch {
            self.step_up(cluster, ctx, epoch, Some(from));
        } else if !matches!(self.role, QuorumRole::Leader(_)) {
            self.follow(cluster, ctx, from);
        }
        ctx.send(from, KraftMsg::BeginQuorumEpochResponse { epoch });
    }

    /// EndQuorumEpoch: the leader of `epoch` resigns; the first successor runs at once, the
    /// others after a backoff growing with their place in the list
    /// (`KafkaRaftClient.endEpochElectionBackoff`, `strictExponentialElectionBackoffMs`).
    fn on_end_quorum_epoch(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        epoch: u64,
        successors: &[NodeId],
    ) {
        if epoch < self.epoch || matches!(self.role, QuorumRole::Leader(_)) {
            return;
        }
        if epoch > self.epoch {
            self.step_up(cluster, ctx, epoch, None);
        }
        if !matches!(self.role, QuorumRole::Follower { leader } if leader == from) {
            return;
        }
        // The leader is gone: grant pre-votes from now on.
        self.last_leader_fetch = None;
        let position = successors.iter().position(|&s| s == self.id).unwrap_or(successors.len()) as u64;
        // Kafka doubles controller.quorum.retry.backoff.ms (20 ms) per place, capped by
        // election.backoff.max.ms.
        let t = if position == 0 {
            1
        } else {
            (ms(RETRY_BACKOFF_MS) << (position - 1).min(16))
                .min(ms(cluster.config.election_backoff_max_ms))
                .max(1)
        };
        ctx.set_timer(KraftTimer::Election, t);
    }

    /// The user's transfer request stands for a graceful shutdown of the leader: it resigns and
    /// names its successors, `to` first, then the others by how far they have fetched.
    pub(super) fn resign(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>, to: NodeId) {
        let QuorumRole::Leader(ls) = &self.role else {
            ctx.note("does not lead: nothing to hand over");
            return;
        };
        let mut others: Vec<(u64, NodeId)> =
            ls.fetched.iter().filter(|(v, _)| **v != to).map(|(v, (o, _))| (*o, *v)).collect();
        others.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut successors = vec![];
        if cluster.is_voter(to) && to != self.id {
            successors.push(to);
        }
        successors.extend(others.into_iter().map(|(_, v)| v));
        ctx.note(format!("shuts down gracefully: resigns epoch {} (EndQuorumEpoch)", self.epoch));
        self.role = QuorumRole::Resigned;
        self.controller = None;
        let msg = KraftMsg::EndQuorumEpoch { epoch: self.epoch, successors };
        self.send_to_voters(cluster, ctx, &msg);
        ctx.cancel_timer(KraftTimer::LeaderTick);
        let t = ms(cluster.config.election_timeout_ms) * 2;
        ctx.set_timer(KraftTimer::Election, t);
    }

    // ---- the metadata log ----

    /// Fetch from a follower or an observer.
    fn on_fetch(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        (epoch, offset, last_epoch_f): (u64, u64, u64),
    ) {
        let me = self.id;
        let QuorumRole::Leader(ls) = &mut self.role else {
            let leader = self.leader();
            ctx.send(
                from,
                KraftMsg::FetchResponse { epoch: self.epoch, leader, result: FetchResult::NotLeader },
            );
            return;
        };
        if epoch != self.epoch {
            // FENCED_LEADER_EPOCH or an older leader: the fetcher learns the epoch and leader.
            ctx.send(
                from,
                KraftMsg::FetchResponse {
                    epoch: self.epoch,
                    leader: Some(me),
                    result: FetchResult::NotLeader,
                },
            );
            return;
        }
        if let Some((epoch_d, end_offset)) = diverging(&self.log, offset, last_epoch_f) {
            let result = FetchResult::Diverging { epoch: epoch_d, end_offset };
            ctx.send(from, KraftMsg::FetchResponse { epoch: self.epoch, leader: Some(me), result });
            return;
        }
        let len = self.log.len() as u64;
        let offset = offset.min(len);
        if cluster.is_voter(from) {
            ls.fetched.insert(from, (offset, ctx.now));
            ls.begun.insert(from);
        }
        let end = len.min(offset + FETCH_MAX_ENTRIES);
        let entries = self.log[offset as usize..end as usize].to_vec();
        self.update_hw(cluster, ctx);
        let result = FetchResult::Records { from: offset, entries, hw: self.hw };
        ctx.send(from, KraftMsg::FetchResponse { epoch: self.epoch, leader: Some(me), result });
    }

    /// FetchResponse at a voter.
    fn on_fetch_response(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        epoch: u64,
        leader: Option<NodeId>,
        result: FetchResult,
    ) {
        if epoch > self.epoch {
            self.step_up(cluster, ctx, epoch, leader);
        }
        if epoch < self.epoch {
            return;
        }
        if let (QuorumRole::Unattached, Some(l)) = (&self.role, leader)
            && l != self.id
        {
            self.follow(cluster, ctx, l);
        }
        let QuorumRole::Follower { leader: l } = self.role else { return };
        if l != from || leader != Some(from) {
            return;
        }
        match result {
            FetchResult::NotLeader => return,
            FetchResult::Diverging { epoch: e, end_offset } => {
                let keep = truncation_point(&self.log, e, end_offset);
                if keep < self.log.len() as u64 {
                    ctx.note(format!(
                        "truncates its metadata log to offset {keep}: diverging from n{from} at epoch {e}"
                    ));
                    self.log.truncate(keep as usize);
                    self.truncations += 1;
                    self.hw = self.hw.min(keep);
                }
            }
            FetchResult::Records { from: start, entries, hw } => {
                if start == self.log.len() as u64 {
                    self.log.extend(entries);
                }
                self.hw = self.hw.max(hw.min(self.log.len() as u64));
            }
        }
        self.last_leader_fetch = Some(ctx.now);
        ctx.set_timer(KraftTimer::Election, ms(cluster.config.fetch_timeout_ms));
    }

    /// The fetch tick: a follower pulls from its leader.
    pub(super) fn on_meta_fetch_timer(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        if let QuorumRole::Follower { leader } = self.role {
            let msg = KraftMsg::Fetch {
                epoch: self.epoch,
                offset: self.log.len() as u64,
                last_epoch: last_epoch(&self.log),
            };
            ctx.send(leader, msg);
        }
        ctx.set_timer(KraftTimer::MetaFetch, ms(cluster.config.fetch_ms));
    }

    /// Leader: the high watermark is the largest offset a majority of voters has reached, once
    /// that includes this epoch's `LeaderChange` record.
    pub(super) fn update_hw(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        let QuorumRole::Leader(ls) = &self.role else { return };
        let len = self.log.len() as u64;
        let mut ends: Vec<u64> = cluster
            .voter_ids()
            .map(|v| if v == self.id { len } else { ls.fetched.get(&v).map_or(0, |f| f.0) })
            .collect();
        ends.sort_unstable_by(|a, b| b.cmp(a));
        let majority = ends[cluster.quorum() - 1];
        if majority > ls.epoch_start && majority > self.hw {
            self.hw = majority;
            self.on_commit(cluster, ctx);
        }
    }

    /// The leader tick: resign without fetches from a majority within the fetch timeout
    /// (`LeaderState.timeUntilCheckQuorumExpires`), re-send BeginQuorumEpoch to voters that
    /// have not fetched yet, and, as the active controller, check broker sessions.
    pub(super) fn on_leader_tick(&mut self, cluster: &Cluster, ctx: &mut KraftCtx<'_>) {
        let QuorumRole::Leader(ls) = &self.role else { return };
        let timeout = ms(cluster.config.fetch_timeout_ms);
        let recent = 1 + ls.fetched.values().filter(|(_, t)| ctx.now < *t + timeout).count();
        if recent < cluster.quorum() {
            ctx.note(format!(
                "resigns epoch {}: no fetch from a majority of voters within the fetch timeout",
                self.epoch
            ));
            self.role = QuorumRole::Resigned;
            self.controller = None;
            let t = random_election_timeout(cluster, ctx);
            ctx.set_timer(KraftTimer::Election, t);
            return;
        }
        let late: Vec<NodeId> =
            cluster.voter_ids().filter(|v| *v != self.id && !ls.begun.contains(v)).collect();
        for v in late {
            ctx.send(v, KraftMsg::BeginQuorumEpoch { epoch: self.epoch });
        }
        self.controller_tick(cluster, ctx);
        ctx.set_timer(KraftTimer::LeaderTick, ms(cluster.config.fetch_ms));
    }

    /// Every message a voter handles; broker requests go to the controller.
    pub(super) fn on_message(
        &mut self,
        cluster: &Cluster,
        ctx: &mut KraftCtx<'_>,
        from: NodeId,
        msg: KraftMsg,
    ) {
        match msg {
            KraftMsg::Vote { epoch, last_epoch, end_offset, pre_vote } => {
                if cluster.is_voter(from) {
                    self.on_vote(cluster, ctx, from, (epoch, last_epoch, end_offset), pre_vote)
                }
            }
            KraftMsg::VoteResponse { epoch, granted, pre_vote } => {
                self.on_vote_response(cluster, ctx, from, epoch, granted, pre_vote)
            }
            KraftMsg::BeginQuorumEpoch { epoch } => self.on_begin_quorum_epoch(cluster, ctx, from, epoch),
            KraftMsg::BeginQuorumEpochResponse { epoch } => {
                if epoch > self.epoch {
                    self.step_up(cluster, ctx, epoch, None);
                }
            }
            KraftMsg::EndQuorumEpoch { epoch, successors } => {
                self.on_end_quorum_epoch(cluster, ctx, from, epoch, &successors)
            }
            KraftMsg::Fetch { epoch, offset, last_epoch } => {
                self.on_fetch(cluster, ctx, from, (epoch, offset, last_epoch))
            }
            KraftMsg::FetchResponse { epoch, leader, result } => {
                self.on_fetch_response(cluster, ctx, from, epoch, leader, result)
            }
            KraftMsg::BrokerRegistration => self.on_broker_registration(cluster, ctx, from),
            KraftMsg::BrokerHeartbeat { broker_epoch, metadata_offset } => {
                self.on_broker_heartbeat(cluster, ctx, from, broker_epoch, metadata_offset)
            }
            KraftMsg::AlterPartition { partition, leader_epoch, partition_epoch, isr } => {
                self.on_alter_partition(cluster, ctx, from, partition, (leader_epoch, partition_epoch), isr)
            }
            // Brokers' messages.
            KraftMsg::BrokerRegistrationResponse { .. }
            | KraftMsg::BrokerHeartbeatResponse { .. }
            | KraftMsg::AlterPartitionResponse { .. }
            | KraftMsg::ReplicaFetch { .. }
            | KraftMsg::ReplicaFetchResponse { .. } => {}
        }
    }
}

/// `controller.quorum.election.timeout.ms` plus a random part of it
/// (`KafkaRaftClient.randomElectionTimeoutMs`: `electionTimeoutMs + random(electionTimeoutMs)`).
pub(super) fn random_election_timeout(cluster: &Cluster, ctx: &mut KraftCtx<'_>) -> Micros {
    let t = ms(cluster.config.election_timeout_ms);
    ctx.random_between(t, 2 * t)
}
