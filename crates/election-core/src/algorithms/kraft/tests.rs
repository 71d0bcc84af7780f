//! KRaft unit tests: the quorum's election and log rules, the controller's broker sessions and
//! partition elections, the brokers' replication (the leader rule, replica assignment and log
//! divergence are tested with the shared [`replication`](crate::replication) module). Handler
//! tests assert the exact effects and cite the Kafka source (or KIP) of the rule they check.

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};
use crate::engine::time::{Micros, ms};
use crate::replication::PartitionState;

type Out = Vec<Effect<KraftMsg, KraftTimer>>;

fn config() -> KraftConfig {
    KraftConfig::default()
}

fn node(id: NodeId, n: usize, c: &KraftConfig) -> (Kraft, Vec<NodeId>) {
    let peers: Vec<NodeId> = (1..=n as NodeId).collect();
    (Kraft::new(id, &peers, c), peers)
}

fn voter(k: &Kraft) -> &Voter {
    k.voter().expect("a voter")
}

fn voter_mut(k: &mut Kraft) -> &mut Voter {
    match &mut k.node {
        Node::Voter(v) => v,
        Node::Broker(_) => panic!("not a voter"),
    }
}

fn broker_mut(k: &mut Kraft) -> &mut Broker {
    match &mut k.node {
        Node::Broker(b) => b,
        Node::Voter(_) => panic!("not a broker"),
    }
}

fn msg(k: &mut Kraft, peers: &[NodeId], now: Micros, from: NodeId, m: KraftMsg) -> Out {
    let me = k.voter().map(|v| v.id).or(k.broker().map(|b| b.id)).unwrap();
    run_handler(k, me, peers, now, |k, ctx| k.on_message(ctx, from, m))
}

fn timer(k: &mut Kraft, peers: &[NodeId], now: Micros, t: KraftTimer) -> Out {
    let me = k.voter().map(|v| v.id).or(k.broker().map(|b| b.id)).unwrap();
    run_handler(k, me, peers, now, |k, ctx| k.on_timer(ctx, t))
}

fn entry(epoch: u64) -> MetaEntry {
    MetaEntry { epoch, record: MetadataRecord::LeaderChange { leader: 1 } }
}

/// A single-voter cluster (n1) whose voter has won epoch 1 and is the active controller;
/// brokers n2..n4 registered (broker epochs 1, 2, 3) and unfenced, partitions led by their
/// preferred replicas.
fn active_controller(c: &KraftConfig) -> (Kraft, Vec<NodeId>) {
    let c = KraftConfig { voters: 1, ..c.clone() };
    let (mut k, peers) = node(1, 4, &c);
    timer(&mut k, &peers, 0, KraftTimer::Election);
    assert!(voter(&k).is_active(), "one voter is its own majority");
    for b in 2..=4 {
        msg(&mut k, &peers, 1, b, KraftMsg::BrokerRegistration);
    }
    for (b, e) in [(2, 1), (3, 2), (4, 3)] {
        msg(&mut k, &peers, 2, b, KraftMsg::BrokerHeartbeat { broker_epoch: e, metadata_offset: 4 });
    }
    (k, peers)
}

fn image(k: &Kraft) -> &Image {
    &voter(k).controller.as_ref().expect("active").image
}

// ---- the quorum ----

#[test]
fn election_timeout_is_the_setting_plus_a_random_part_of_it() {
    // KafkaRaftClient.randomElectionTimeoutMs: electionTimeoutMs + random.nextInt(electionTimeoutMs).
    let c = config();
    let (mut k, peers) = node(1, 4, &c);
    let out = run_handler(&mut k, 1, &peers, 0, |k, ctx| k.on_start(ctx));
    let t = out
        .iter()
        .find_map(|e| match e {
            Effect::SetTimer { timer: KraftTimer::Election, after } => Some(*after),
            _ => None,
        })
        .unwrap();
    assert!((ms(150)..=ms(300)).contains(&t), "{t}");
}

#[test]
fn pre_vote_changes_neither_epoch_nor_vote() {
    // KIP-996: a Prospective voter asks with epoch + 1 but stays in its epoch; the voter grants
    // without recording a vote.
    let c = config();
    let (mut k, peers) = node(1, 4, &c);
    let out = timer(&mut k, &peers, 0, KraftTimer::Election);
    assert!(matches!(voter(&k).role, QuorumRole::Prospective { .. }));
    assert_eq!(voter(&k).epoch, 0);
    let asked: Vec<_> = sends(&out);
    assert_eq!(
        asked,
        vec![
            (2, KraftMsg::Vote { epoch: 1, last_epoch: 0, end_offset: 0, pre_vote: true }),
            (3, KraftMsg::Vote { epoch: 1, last_epoch: 0, end_offset: 0, pre_vote: true }),
        ]
    );
    let (mut v2, _) = node(2, 4, &c);
    let out =
        msg(&mut v2, &peers, 0, 1, KraftMsg::Vote { epoch: 1, last_epoch: 0, end_offset: 0, pre_vote: true });
    assert_eq!(sends(&out), vec![(1, KraftMsg::VoteResponse { epoch: 0, granted: true, pre_vote: true })]);
    assert_eq!((voter(&v2).epoch, voter(&v2).voted_for), (0, None));
}

#[test]
fn a_follower_that_heard_from_its_leader_refuses_pre_votes() {
    // KIP-996: "a voter rejects a PreVote if it has successfully fetched from the leader within
    // fetch.timeout.ms" (the disruption a rejoining voter would cause otherwise).
    let c = config();
    let (mut k, peers) = node(2, 4, &c);
    msg(&mut k, &peers, 0, 1, KraftMsg::BeginQuorumEpoch { epoch: 1 });
    let records = FetchResult::Records { from: 0, entries: vec![entry(1)], hw: 0 };
    msg(&mut k, &peers, ms(10), 1, KraftMsg::FetchResponse { epoch: 1, leader: Some(1), result: records });
    let ask = KraftMsg::Vote { epoch: 2, last_epoch: 1, end_offset: 1, pre_vote: true };
    let out = msg(&mut k, &peers, ms(100), 3, ask.clone());
    assert_eq!(sends(&out), vec![(3, KraftMsg::VoteResponse { epoch: 1, granted: false, pre_vote: true })]);
    // After the fetch timeout without a fetch, the same request is granted.
    let out = msg(&mut k, &peers, ms(311), 3, ask);
    assert_eq!(sends(&out), vec![(3, KraftMsg::VoteResponse { epoch: 1, granted: true, pre_vote: true })]);
}

#[test]
fn a_vote_goes_only_to_a_log_at_least_as_long_by_last_epoch_then_end_offset() {
    // QuorumState.canGrantVote / KafkaRaftClient.handleVoteRequest: the candidate's
    // (lastEpoch, endOffset) must be at least the voter's (OffsetAndEpoch.compareTo).
    let c = config();
    let (mut k, peers) = node(2, 4, &c);
    voter_mut(&mut k).log = vec![entry(1), entry(2)];
    // Longer, but an older last epoch: refused (the epoch compares first).
    let out =
        msg(&mut k, &peers, 0, 1, KraftMsg::Vote { epoch: 3, last_epoch: 1, end_offset: 5, pre_vote: false });
    assert_eq!(sends(&out), vec![(1, KraftMsg::VoteResponse { epoch: 3, granted: false, pre_vote: false })]);
    // Same last epoch, shorter: refused. Same and as long: granted, and on disk first.
    let out =
        msg(&mut k, &peers, 0, 3, KraftMsg::Vote { epoch: 3, last_epoch: 2, end_offset: 1, pre_vote: false });
    assert_eq!(sends(&out), vec![(3, KraftMsg::VoteResponse { epoch: 3, granted: false, pre_vote: false })]);
    let out =
        msg(&mut k, &peers, 0, 3, KraftMsg::Vote { epoch: 3, last_epoch: 2, end_offset: 2, pre_vote: false });
    let persist = out.iter().position(|e| matches!(e, Effect::Persist)).expect("the vote is persisted");
    let send = out.iter().position(|e| matches!(e, Effect::Send { .. })).unwrap();
    assert!(persist < send, "persisted before the answer leaves");
    assert_eq!(voter(&k).voted_for, Some(3));
}

#[test]
fn one_vote_per_epoch() {
    // KIP-595: "a voter grants at most one vote per epoch" (votedId in the quorum-state file).
    let c = config();
    let (mut k, peers) = node(2, 4, &c);
    msg(&mut k, &peers, 0, 1, KraftMsg::Vote { epoch: 1, last_epoch: 0, end_offset: 0, pre_vote: false });
    let out =
        msg(&mut k, &peers, 0, 3, KraftMsg::Vote { epoch: 1, last_epoch: 0, end_offset: 0, pre_vote: false });
    assert_eq!(sends(&out), vec![(3, KraftMsg::VoteResponse { epoch: 1, granted: false, pre_vote: false })]);
    // The vote survives a crash.
    k.on_crash();
    let out =
        msg(&mut k, &peers, 0, 3, KraftMsg::Vote { epoch: 1, last_epoch: 0, end_offset: 0, pre_vote: false });
    assert_eq!(sends(&out), vec![(3, KraftMsg::VoteResponse { epoch: 1, granted: false, pre_vote: false })]);
}

#[test]
fn a_winner_appends_leader_change_and_sends_begin_quorum_epoch() {
    // KafkaRaftClient.onBecomeLeader: append the LeaderChangeMessage control record; then
    // BeginQuorumEpoch to every voter.
    let c = KraftConfig { pre_vote: false, ..config() };
    let (mut k, peers) = node(1, 4, &c);
    timer(&mut k, &peers, 0, KraftTimer::Election);
    assert!(matches!(voter(&k).role, QuorumRole::Candidate { .. }));
    let out = msg(&mut k, &peers, 0, 2, KraftMsg::VoteResponse { epoch: 1, granted: true, pre_vote: false });
    assert!(matches!(voter(&k).role, QuorumRole::Leader(_)));
    assert_eq!(
        voter(&k).log,
        vec![MetaEntry { epoch: 1, record: MetadataRecord::LeaderChange { leader: 1 } }]
    );
    assert_eq!(
        sends(&out),
        vec![(2, KraftMsg::BeginQuorumEpoch { epoch: 1 }), (3, KraftMsg::BeginQuorumEpoch { epoch: 1 })]
    );
    assert!(!voter(&k).is_active(), "not the active controller before LeaderChange is committed");
}

#[test]
fn the_high_watermark_is_the_majority_fetch_offset_past_the_epoch_start() {
    // LeaderState.maybeUpdateHighWatermark: the majority's end offset, and only once it is past
    // the epoch start offset (the leader's own LeaderChange record).
    let c = KraftConfig { pre_vote: false, ..config() };
    let (mut k, peers) = node(1, 4, &c);
    voter_mut(&mut k).log = vec![entry(0)];
    timer(&mut k, &peers, 0, KraftTimer::Election);
    msg(&mut k, &peers, 0, 2, KraftMsg::VoteResponse { epoch: 1, granted: true, pre_vote: false });
    // n2 has the old entry only: a majority is at offset 1, the epoch started at offset 1.
    msg(&mut k, &peers, ms(1), 2, KraftMsg::Fetch { epoch: 1, offset: 1, last_epoch: 0 });
    assert_eq!(voter(&k).hw, 0);
    let out = msg(&mut k, &peers, ms(2), 2, KraftMsg::Fetch { epoch: 1, offset: 2, last_epoch: 1 });
    assert_eq!(voter(&k).hw, 2);
    assert!(voter(&k).is_active());
    assert!(out.iter().any(|e| matches!(e, Effect::Note(n) if n.contains("is the active controller"))));
}

#[test]
fn a_voter_that_does_not_lead_answers_a_fetch_with_the_leader_it_knows() {
    // KafkaRaftClient.handleFetchRequest: NOT_LEADER_OR_FOLLOWER with CurrentLeader.
    let c = config();
    let (mut k, peers) = node(2, 4, &c);
    msg(&mut k, &peers, 0, 1, KraftMsg::BeginQuorumEpoch { epoch: 4 });
    let out = msg(&mut k, &peers, 0, 4, KraftMsg::Fetch { epoch: 0, offset: 0, last_epoch: 0 });
    assert_eq!(
        sends(&out),
        vec![(4, KraftMsg::FetchResponse { epoch: 4, leader: Some(1), result: FetchResult::NotLeader })]
    );
}

#[test]
fn a_leader_without_fetches_from_a_majority_resigns() {
    // QuorumConfig: fetch.timeout.ms is also the "maximum time a leader can go without
    // receiving valid fetch ... from a majority of the quorum before resigning".
    let c = KraftConfig { pre_vote: false, ..config() };
    let (mut k, peers) = node(1, 4, &c);
    timer(&mut k, &peers, 0, KraftTimer::Election);
    msg(&mut k, &peers, 0, 2, KraftMsg::VoteResponse { epoch: 1, granted: true, pre_vote: false });
    timer(&mut k, &peers, ms(299), KraftTimer::LeaderTick);
    assert!(matches!(voter(&k).role, QuorumRole::Leader(_)));
    timer(&mut k, &peers, ms(300), KraftTimer::LeaderTick);
    assert!(matches!(voter(&k).role, QuorumRole::Resigned));
}

#[test]
fn end_quorum_epoch_makes_the_first_successor_run_at_once() {
    // KafkaRaftClient.handleEndQuorumEpochRequest / endEpochElectionBackoff: the preferred
    // successor's election timer fires at once, later ones after a backoff.
    let c = config();
    let (mut k, peers) = node(2, 4, &c);
    msg(&mut k, &peers, 0, 1, KraftMsg::BeginQuorumEpoch { epoch: 1 });
    let out = msg(&mut k, &peers, 0, 1, KraftMsg::EndQuorumEpoch { epoch: 1, successors: vec![2, 3] });
    assert!(out.contains(&Effect::SetTimer { timer: KraftTimer::Election, after: 1 }));
    let (mut k3, _) = node(3, 4, &c);
    msg(&mut k3, &peers, 0, 1, KraftMsg::BeginQuorumEpoch { epoch: 1 });
    let out = msg(&mut k3, &peers, 0, 1, KraftMsg::EndQuorumEpoch { epoch: 1, successors: vec![2, 3] });
    assert!(
        out.iter()
            .any(|e| matches!(e, Effect::SetTimer { timer: KraftTimer::Election, after } if *after > 1))
    );
}

// ---- the active controller ----

#[test]
fn a_broker_is_unfenced_once_it_has_applied_its_registration() {
    // BrokerHeartbeatManager.calculateNextBrokerState: a fenced broker whose
    // currentMetadataOffset has reached its registration record's offset is unfenced.
    let c = KraftConfig { voters: 1, ..config() };
    let (mut k, peers) = node(1, 4, &c);
    timer(&mut k, &peers, 0, KraftTimer::Election);
    msg(&mut k, &peers, 1, 2, KraftMsg::BrokerRegistration);
    assert_eq!(image(&k).brokers[&2], Registration { broker_epoch: 1, fenced: true });
    let out = msg(&mut k, &peers, 2, 2, KraftMsg::BrokerHeartbeat { broker_epoch: 1, metadata_offset: 1 });
    assert!(image(&k).brokers[&2].fenced, "offset 1 is before the record at offset 1 is applied");
    assert_eq!(
        sends(&out),
        vec![(2, KraftMsg::BrokerHeartbeatResponse { broker_epoch: 1, fenced: true, stale: false })]
    );
    msg(&mut k, &peers, 3, 2, KraftMsg::BrokerHeartbeat { broker_epoch: 1, metadata_offset: 2 });
    assert!(!image(&k).brokers[&2].fenced);
    // A heartbeat with another broker epoch is stale: the broker must register again.
    let out = msg(&mut k, &peers, 4, 2, KraftMsg::BrokerHeartbeat { broker_epoch: 7, metadata_offset: 9 });
    assert_eq!(
        sends(&out),
        vec![(2, KraftMsg::BrokerHeartbeatResponse { broker_epoch: 7, fenced: true, stale: true })]
    );
}

#[test]
fn the_topic_gets_its_preferred_replicas_as_first_leaders() {
    // Topic creation (ReplicationControlManager.createTopic) makes each partition's first
    // replica its leader.
    let (k, _) = active_controller(&config());
    let leaders: Vec<_> = image(&k).partitions.iter().map(|p| p.leader).collect();
    assert_eq!(leaders, vec![Some(2), Some(3), Some(4)]);
}

#[test]
fn a_broker_that_misses_heartbeats_is_fenced_and_its_partitions_move() {
    // ReplicationControlManager.handleBrokerFenced -> generateLeaderAndIsrUpdates: the broker
    // leaves every ISR and each partition it led gets the next ISR replica in assignment order.
    let c = config();
    let (mut k, peers) = active_controller(&c);
    for b in [3, 4] {
        let e = image(&k).brokers[&b].broker_epoch;
        msg(&mut k, &peers, ms(350), b, KraftMsg::BrokerHeartbeat { broker_epoch: e, metadata_offset: 99 });
    }
    let out = timer(&mut k, &peers, ms(401), KraftTimer::LeaderTick);
    assert!(out.iter().any(|e| matches!(e, Effect::Note(n) if n.contains("fences n2"))));
    assert!(image(&k).brokers[&2].fenced);
    let p0 = &image(&k).partitions[0];
    assert_eq!((p0.leader, p0.isr.clone(), p0.leader_epoch), (Some(3), vec![3, 4], 2));
    // n2 follows p1 and p2: it leaves their ISRs, their leaders stay.
    assert_eq!(image(&k).partitions[1].isr, vec![3, 4]);
    assert_eq!(image(&k).partitions[1].leader, Some(3));
}

#[test]
fn the_last_in_sync_replica_stays_in_the_isr_of_an_offline_partition() {
    // ReplicationControlManager: "if the ISR would become empty, the last member stays" (with
    // NO_LEADER); without ELR (KIP-966, not modelled) only it may lead cleanly again.
    let c =
        KraftConfig { isr: IsrConfig { partitions: 1, replication: 1, ..IsrConfig::default() }, ..config() };
    let (mut k, peers) = active_controller(&c);
    timer(&mut k, &peers, ms(401), KraftTimer::LeaderTick);
    let p0 = &image(&k).partitions[0];
    assert_eq!((p0.leader, p0.isr.clone()), (None, vec![2]));
}

#[test]
fn unclean_election_takes_an_out_of_sync_replica_and_says_so() {
    // PartitionChangeBuilder.electLeader with unclean.leader.election.enable: the first
    // unfenced replica, ISR reset to it alone.
    let c =
        KraftConfig { isr: IsrConfig { partitions: 1, unclean: true, ..IsrConfig::default() }, ..config() };
    let (mut k, peers) = active_controller(&c);
    // The ISR shrinks to n2 (an AlterPartition from the leader), then n2 is fenced.
    let st = image(&k).partitions[0].clone();
    let alter = KraftMsg::AlterPartition {
        partition: 0,
        leader_epoch: st.leader_epoch,
        partition_epoch: st.partition_epoch,
        isr: vec![2],
    };
    msg(&mut k, &peers, ms(1), 2, alter);
    for b in [3, 4] {
        let e = image(&k).brokers[&b].broker_epoch;
        msg(&mut k, &peers, ms(350), b, KraftMsg::BrokerHeartbeat { broker_epoch: e, metadata_offset: 99 });
    }
    timer(&mut k, &peers, ms(401), KraftTimer::LeaderTick);
    let p0 = &image(&k).partitions[0];
    assert_eq!((p0.leader, p0.isr.clone(), p0.unclean), (Some(3), vec![3], true));
}

#[test]
fn alter_partition_is_fenced_by_the_partition_epoch_and_refuses_fenced_replicas() {
    // ReplicationControlManager.alterPartition: INVALID_UPDATE_VERSION for an older partition
    // epoch; KIP-841: INELIGIBLE_REPLICA for a fenced replica joining the ISR.
    let c = KraftConfig { isr: IsrConfig { partitions: 1, ..IsrConfig::default() }, ..config() };
    let (mut k, peers) = active_controller(&c);
    let st = image(&k).partitions[0].clone();
    let shrink =
        |pe| KraftMsg::AlterPartition { partition: 0, leader_epoch: 1, partition_epoch: pe, isr: vec![2, 3] };
    let out = msg(&mut k, &peers, ms(1), 2, shrink(st.partition_epoch + 5));
    assert_eq!(
        sends(&out),
        vec![(2, KraftMsg::AlterPartitionResponse { partition: 0, result: Err(AlterError::Stale) })]
    );
    let out = msg(&mut k, &peers, ms(1), 2, shrink(st.partition_epoch));
    let new = PartitionState { isr: vec![2, 3], partition_epoch: st.partition_epoch + 1, ..st.clone() };
    // One voter: committed at once, so the answer leaves now.
    assert_eq!(
        sends(&out),
        vec![(2, KraftMsg::AlterPartitionResponse { partition: 0, result: Ok(new.clone()) })]
    );
    // n4 is fenced (no heartbeat); adding it back is refused.
    let e3 = image(&k).brokers[&3].broker_epoch;
    msg(&mut k, &peers, ms(350), 3, KraftMsg::BrokerHeartbeat { broker_epoch: e3, metadata_offset: 99 });
    msg(&mut k, &peers, ms(350), 2, KraftMsg::BrokerHeartbeat { broker_epoch: 1, metadata_offset: 99 });
    timer(&mut k, &peers, ms(401), KraftTimer::LeaderTick);
    assert!(image(&k).brokers[&4].fenced);
    let grow = KraftMsg::AlterPartition {
        partition: 0,
        leader_epoch: 1,
        partition_epoch: new.partition_epoch,
        isr: vec![2, 3, 4],
    };
    let out = msg(&mut k, &peers, ms(402), 2, grow);
    assert_eq!(
        sends(&out),
        vec![(2, KraftMsg::AlterPartitionResponse { partition: 0, result: Err(AlterError::Ineligible) })]
    );
}

// ---- brokers ----

#[test]
fn acks_all_waits_for_the_isr_and_a_pending_change_counts_until_settled() {
    // Partition.checkEnoughReplicasReachOffset and KIP-497's maximal ISR: the high watermark is
    // the smallest fetch offset of the committed ISR and any ISR change still pending.
    let c = KraftConfig { voters: 1, isr: IsrConfig { partitions: 1, ..IsrConfig::default() }, ..config() };
    let (mut k, peers) = node(2, 4, &c);
    let b = broker_mut(&mut k);
    b.broker_epoch = Some(1);
    b.leader = Some(1);
    let state = PartitionState {
        leader: Some(2),
        isr: vec![2, 3],
        leader_epoch: 1,
        partition_epoch: 1,
        unclean: false,
    };
    b.log = vec![
        MetaEntry { epoch: 1, record: MetadataRecord::RegisterBroker { broker: 4 } },
        MetaEntry { epoch: 1, record: MetadataRecord::UnfenceBroker { broker: 4, broker_epoch: 0 } },
        MetaEntry { epoch: 1, record: MetadataRecord::PartitionChange { partition: 0, state } },
    ];
    let committed = FetchResult::Records { from: 3, entries: vec![], hw: 3 };
    msg(&mut k, &peers, 0, 1, KraftMsg::FetchResponse { epoch: 0, leader: Some(1), result: committed });
    assert_eq!(k.replica(0).map(|r| r.2), Some(true), "n2 leads p0 once the record is committed");
    let fetch = |o, e| KraftMsg::ReplicaFetch { partition: 0, leader_epoch: 1, offset: o, last_epoch: e };
    // Unfenced n4 is caught up: an expansion is asked for, and counts at once.
    let out = msg(&mut k, &peers, ms(1), 4, fetch(0, 0));
    let asked =
        KraftMsg::AlterPartition { partition: 0, leader_epoch: 1, partition_epoch: 1, isr: vec![2, 3, 4] };
    assert!(sends(&out).contains(&(1, asked)));
    let acks = |out: &Out| out.iter().any(|e| matches!(e, Effect::Note(n) if n.contains("acknowledges x=0")));
    let out =
        run_handler(&mut k, 2, &peers, ms(2), |k, ctx| k.on_request(ctx, Request::ClientWrite { value: 0 }));
    assert!(!acks(&out));
    let out = msg(&mut k, &peers, ms(3), 3, fetch(1, 1));
    assert!(!acks(&out), "n4, in the pending ISR, has not fetched x=0");
    let out = msg(&mut k, &peers, ms(4), 4, fetch(1, 1));
    assert!(acks(&out));
}

#[test]
fn production_defaults_are_kafkas() {
    // QuorumConfig.DEFAULT_QUORUM_ELECTION_TIMEOUT_MS = 1_000, DEFAULT_QUORUM_FETCH_TIMEOUT_MS
    // = 2_000, DEFAULT_QUORUM_ELECTION_BACKOFF_MAX_MS = 1_000; KRaftConfigs
    // BROKER_HEARTBEAT_INTERVAL_MS_DEFAULT = 2000, BROKER_SESSION_TIMEOUT_MS_DEFAULT = 9000.
    let p = Kraft::production().unwrap();
    assert_eq!(
        (
            p.election_timeout_ms,
            p.fetch_timeout_ms,
            p.election_backoff_max_ms,
            p.heartbeat_ms,
            p.session_timeout_ms
        ),
        (1_000, 2_000, 1_000, 2_000, 9_000)
    );
    assert!(Kraft::validate(&p, 6).is_ok());
}

#[test]
fn a_leader_of_an_older_epoch_learns_the_newer_one_from_begin_quorum_epoch() {
    // KafkaRaftClient.handleBeginQuorumEpochRequest: a request for an older epoch is answered
    // FENCED_LEADER_EPOCH with the voter's epoch; the leader then moves to that epoch. Sweep
    // seed 97373: a voter left in epoch 3 by lost Vote requests, with a shorter log, and a
    // leader of epoch 2 never met otherwise.
    let c = config();
    let (mut k3, peers) = node(3, 4, &c);
    voter_mut(&mut k3).epoch = 3;
    let out = msg(&mut k3, &peers, 0, 1, KraftMsg::BeginQuorumEpoch { epoch: 2 });
    assert_eq!(sends(&out), vec![(1, KraftMsg::BeginQuorumEpochResponse { epoch: 3 })]);
    let c = KraftConfig { pre_vote: false, ..config() };
    let (mut k1, _) = node(1, 4, &c);
    timer(&mut k1, &peers, 0, KraftTimer::Election);
    timer(&mut k1, &peers, 0, KraftTimer::Election);
    let k1v = voter_mut(&mut k1);
    k1v.epoch = 2;
    msg(&mut k1, &peers, 0, 2, KraftMsg::VoteResponse { epoch: 2, granted: true, pre_vote: false });
    assert!(matches!(voter(&k1).role, QuorumRole::Leader(_)));
    msg(&mut k1, &peers, ms(1), 3, KraftMsg::BeginQuorumEpochResponse { epoch: 3 });
    assert_eq!(voter(&k1).epoch, 3);
    assert!(matches!(voter(&k1).role, QuorumRole::Unattached));
}
