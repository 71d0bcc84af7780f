//! Kafka unit tests: the fencing of stale controllers and states, and becoming and losing the
//! controller role (the offline partition leader rule is tested with the shared
//! [`replication`](crate::replication) module). Handler tests assert the exact effects and cite
//! the Kafka source of the rule they check.

use super::*;
use crate::engine::time::Micros;

#[test]
fn stale_controller_epoch_is_rejected() {
    let c = KafkaConfig::default();
    let peers = [1, 2, 3, 4];
    let mut k = Kafka::new(3, &peers, &c);
    let mut rng = crate::engine::rng::Stream::new(1, 3);
    let mut out = Vec::new();
    let mut ctx = Ctx::new(0, 3, &peers, &mut rng, &mut out);
    k.on_message(
        &mut ctx,
        2,
        KafkaMsg::LeaderAndIsr {
            controller_epoch: 5,
            partition: 0,
            leader: Some(2),
            leader_epoch: 1,
            isr: vec![2, 3],
            version: 1,
        },
    );
    k.on_message(
        &mut ctx,
        4,
        KafkaMsg::LeaderAndIsr {
            controller_epoch: 4,
            partition: 0,
            leader: Some(4),
            leader_epoch: 9,
            isr: vec![4],
            version: 7,
        },
    );
    let Node::Broker(b) = &k.node else { panic!() };
    assert_eq!(b.replicas[&0].leader, Some(2), "the zombie controller's request was fenced");
    assert!(out.iter().any(
        |e| matches!(e, crate::engine::protocol::Effect::Note(n) if n.contains("stale controller epoch 4"))
    ));
}

/// KIP-497 partition epoch: after an ISR change (IsrUpdated, stored version 2), a delayed
/// re-send of the older LeaderAndIsr (same leader epoch, version 1) must not shrink the ISR
/// back; seed 76788 of the sweep lost an acknowledged record that way.
#[test]
fn a_stale_leader_and_isr_does_not_undo_an_isr_change() {
    let peers = [1, 2, 3, 4];
    let mut k = Kafka::new(3, &peers, &KafkaConfig::default());
    let lai = |version| KafkaMsg::LeaderAndIsr {
        controller_epoch: 1,
        partition: 0,
        leader: Some(3),
        leader_epoch: 1,
        isr: vec![3],
        version,
    };
    let updated = KafkaMsg::IsrUpdated {
        controller_epoch: 1,
        partition: 0,
        leader_epoch: 1,
        isr: vec![2, 3, 4],
        version: 2,
    };
    for msg in [lai(1), updated, lai(1)] {
        crate::engine::protocol::testing::run_handler(&mut k, 3, &peers, 0, |k, ctx| {
            k.on_message(ctx, 2, msg)
        });
    }
    let Node::Broker(b) = &k.node else { panic!() };
    assert_eq!(b.replicas[&0].isr, vec![2, 3, 4], "the delayed version-1 state was ignored");
    assert_eq!(b.replicas[&0].leader, Some(3));
}

// ---- becoming and losing the controller role ----

const PEERS: [NodeId; 4] = [1, 2, 3, 4];

type Out = Vec<crate::engine::protocol::Effect<KafkaMsg, KafkaTimer>>;

fn note(text: &str) -> crate::engine::protocol::Effect<KafkaMsg, KafkaTimer> {
    crate::engine::protocol::Effect::Note(text.into())
}

fn send(to: NodeId, msg: KafkaMsg) -> crate::engine::protocol::Effect<KafkaMsg, KafkaTimer> {
    crate::engine::protocol::Effect::Send { to, msg }
}

fn broker(k: &Kafka) -> &Broker {
    let Node::Broker(b) = &k.node else { panic!("not a broker") };
    b
}

/// Node `id` handles `msg` from `from` at time `now`; returns its effects.
fn receive(k: &mut Kafka, now: Micros, from: NodeId, msg: KafkaMsg) -> Out {
    let id = broker(k).id;
    crate::engine::protocol::testing::run_handler(k, id, &PEERS, now, |k, ctx| k.on_message(ctx, from, msg))
}

/// What the store sends the first broker to create `/controller` in a fresh 4-node cluster
/// (brokers n2, n3, n4, all registered; default settings: 3 partitions, replication 3).
fn first_elected() -> KafkaMsg {
    let store = Kafka::new(STORE, &PEERS, &KafkaConfig::default());
    let Node::Store(s) = &store.node else { panic!() };
    KafkaMsg::Elected {
        epoch: 1,
        alive: vec![(2, 1), (3, 2), (4, 3)],
        version: 0,
        partitions: s.partitions.clone(),
    }
}

fn led(leader: NodeId, isr: &[NodeId], leader_epoch: u64, version: u64) -> PartitionState {
    PartitionState {
        leader: Some(leader),
        isr: isr.to_vec(),
        leader_epoch,
        partition_epoch: version,
        unclean: false,
    }
}

/// n2, made controller of epoch 1 by `first_elected`.
fn controller_n2() -> Kafka {
    let mut k = Kafka::new(2, &PEERS, &KafkaConfig::default());
    receive(&mut k, 0, STORE, first_elected());
    k
}

#[test]
fn becoming_controller_loads_the_store_and_writes_each_election_before_announcing_it() {
    // KafkaController.onControllerFailover: initializeControllerContext reads the partition
    // states from ZooKeeper, then PartitionStateMachine elects a leader for every offline
    // partition (Election.leaderForOffline) and writes it with updateLeaderAndIsr; the
    // LeaderAndIsr requests go out only once the write is durable.
    let mut k = Kafka::new(2, &PEERS, &KafkaConfig::default());
    let out = receive(&mut k, 0, STORE, first_elected());
    let update =
        |partition, state| send(STORE, KafkaMsg::UpdatePartition { controller_epoch: 1, partition, state });
    assert_eq!(
        out,
        vec![
            note("is the controller (controller epoch 1)"),
            note("elects n2 (first live ISR replica) to lead p0, leader epoch 1"),
            update(0, led(2, &[2, 3, 4], 1, 1)),
            note("elects n3 (first live ISR replica) to lead p1, leader epoch 1"),
            update(1, led(3, &[3, 4, 2], 1, 1)),
            note("elects n4 (first live ISR replica) to lead p2, leader epoch 1"),
            update(2, led(4, &[4, 2, 3], 1, 1)),
        ]
    );
    let b = broker(&k);
    assert_eq!((b.controller_id, b.controller_epoch), (Some(2), 1));
    assert_eq!(k.status().role, Role::Leader);
    let c = b.controller.as_ref().expect("n2 holds the role");
    assert_eq!(c.partitions[0], led(2, &[2, 3, 4], 1, 1), "the role's own copy runs ahead of the store");

    // The store acknowledges p0: LeaderAndIsr to every live replica in assignment order, n2
    // itself first (handled locally, so it leads at once), re-sent until acknowledged.
    let out = receive(&mut k, 1_000, STORE, KafkaMsg::UpdateAck { partition: 0, version: 1 });
    let lai = KafkaMsg::LeaderAndIsr {
        controller_epoch: 1,
        partition: 0,
        leader: Some(2),
        leader_epoch: 1,
        isr: vec![2, 3, 4],
        version: 1,
    };
    assert_eq!(out, vec![note("leads p0 in leader epoch 1"), send(3, lai.clone()), send(4, lai)]);
}

#[test]
fn a_duplicate_elected_keeps_the_role_and_its_writes_in_flight() {
    // The network may duplicate the store's answer; starting the tenure over would drop the
    // writes in flight (Kafka's controller runs onControllerFailover once per epoch).
    let mut k = controller_n2();
    assert!(receive(&mut k, 1_000, STORE, first_elected()).is_empty());
    // The write of p1 was still pending: its ack announces p1 (n2 applies it locally as a
    // follower, silently).
    let out = receive(&mut k, 2_000, STORE, KafkaMsg::UpdateAck { partition: 1, version: 1 });
    let lai = KafkaMsg::LeaderAndIsr {
        controller_epoch: 1,
        partition: 1,
        leader: Some(3),
        leader_epoch: 1,
        isr: vec![3, 4, 2],
        version: 1,
    };
    assert_eq!(out, vec![send(3, lai.clone()), send(4, lai)]);
}

#[test]
#[should_panic(expected = "already the controller of epoch 1")]
fn become_controller_refuses_the_epoch_it_already_holds() {
    // Like etcd raft's becomeCandidate/becomeLeader, the transition checks its precondition:
    // the caller filters duplicates, so a second call for the same epoch is a bug.
    let mut k = controller_n2();
    let Node::Broker(b) = &mut k.node else { panic!() };
    b.become_controller(&k.cluster, 1, Vec::new());
}

#[test]
fn learning_of_another_controller_ends_the_role() {
    // KafkaController.onControllerResignation runs when /controller names another broker.
    let mut k = controller_n2();
    let out = receive(&mut k, 1_000, STORE, KafkaMsg::PingAck { controller: Some(3), epoch: 2 });
    assert_eq!(out, vec![note("learns it is no longer the controller")]);
    let b = broker(&k);
    assert!(b.controller.is_none());
    assert_eq!((b.controller_id, b.controller_epoch), (Some(3), 2));
    assert_eq!(k.status().role, Role::Follower);
    // Controller-only requests are ignored from now on.
    let alter = KafkaMsg::AlterIsr { partition: 0, leader_epoch: 1, isr: vec![2, 3] };
    assert!(receive(&mut k, 2_000, 2, alter).is_empty());
    // The next heartbeat pings, re-sends nothing and drops what the role had in flight.
    let id = broker(&k).id;
    let out = crate::engine::protocol::testing::run_handler(&mut k, id, &PEERS, ms(100), |k, ctx| {
        k.on_timer(ctx, KafkaTimer::Heartbeat)
    });
    assert_eq!(
        out,
        vec![
            send(STORE, KafkaMsg::SessionPing),
            crate::engine::protocol::Effect::SetTimer { timer: KafkaTimer::Heartbeat, after: ms(100) },
        ]
    );
    assert!(broker(&k).draining.is_none());
}

#[test]
fn a_controller_that_loses_its_session_stops_and_registers_again() {
    // No answer from ZooKeeper for a session timeout: the session is gone, and with it the
    // ephemeral /controller (KafkaController's handleSessionExpiration -> onControllerResignation).
    let mut k = controller_n2();
    let id = broker(&k).id;
    let out = crate::engine::protocol::testing::run_handler(&mut k, id, &PEERS, ms(400), |k, ctx| {
        k.on_timer(ctx, KafkaTimer::Heartbeat)
    });
    assert_eq!(
        out,
        vec![
            note("lost its session: stops acting as controller"),
            send(STORE, KafkaMsg::Register),
            crate::engine::protocol::Effect::SetTimer { timer: KafkaTimer::Heartbeat, after: ms(100) },
        ]
    );
    let b = broker(&k);
    assert!(b.controller.is_none() && b.draining.is_none() && !b.registered);
}

#[test]
fn controller_gone_ends_the_role_and_races_for_controller() {
    // The watch on /controller fires (ControllerChangeHandler.handleDeletion -> Reelect):
    // every broker tries to create it again.
    let mut k = controller_n2();
    let out = receive(&mut k, 1_000, STORE, KafkaMsg::ControllerGone { epoch: 1 });
    assert_eq!(out, vec![send(STORE, KafkaMsg::Register)]);
    let b = broker(&k);
    assert!(b.controller.is_none());
    assert_eq!(b.controller_id, None);
}

#[test]
fn a_crash_drops_the_role_and_its_requests_in_flight() {
    let mut k = controller_n2();
    k.on_crash();
    let b = broker(&k);
    assert!(b.controller.is_none() && b.draining.is_none() && b.controller_id.is_none());
    assert_eq!(b.last_partitions.len(), 3, "the last tenure's states are kept for the next one");
}

/// Pins today's rule, which Kafka does not have (onControllerResignation drops the pending
/// requests at once): a broker that has just lost the role still acts on an UpdateAck for a
/// write of its tenure until its next heartbeat, and announces the state with the epoch it
/// now knows, the new controller's.
#[test]
fn a_deposed_controller_still_announces_a_write_acknowledged_before_its_next_heartbeat() {
    let mut k = controller_n2();
    receive(&mut k, 1_000, STORE, KafkaMsg::PingAck { controller: Some(3), epoch: 2 });
    let out = receive(&mut k, 2_000, STORE, KafkaMsg::UpdateAck { partition: 1, version: 1 });
    let lai = |controller_epoch| KafkaMsg::LeaderAndIsr {
        controller_epoch,
        partition: 1,
        leader: Some(3),
        leader_epoch: 1,
        isr: vec![3, 4, 2],
        version: 1,
    };
    assert_eq!(out, vec![send(3, lai(2)), send(4, lai(2))]);
}

#[test]
fn a_new_tenure_starts_from_the_store_unless_it_acknowledged_a_newer_state_of_ours() {
    // KafkaController.initializeControllerContext: the partition states come from ZooKeeper.
    let asg = vec![vec![2, 3, 4], vec![3, 4, 2]];
    let stored = vec![led(2, &[2, 3, 4], 1, 1), led(3, &[3, 4, 2], 1, 1)];
    let own = vec![led(2, &[2, 3], 1, 2), led(4, &[4], 2, 2)];
    // The store acknowledged version 2 of p0 to us, not of p1.
    let acked: crate::engine::collections::Map<PartitionId, u64> = [(0, 2), (1, 1)].into_iter().collect();
    assert_eq!(
        controller::load_partitions(stored.clone(), &own, &acked, &asg),
        vec![own[0].clone(), stored[1].clone()]
    );
    // No snapshot of every partition: each starts offline with its whole assignment as ISR.
    let offline = |isr: &[NodeId]| PartitionState::offline(isr.to_vec());
    assert_eq!(
        controller::load_partitions(Vec::new(), &own, &acked, &asg),
        vec![offline(&[2, 3, 4]), offline(&[3, 4, 2])]
    );
}
