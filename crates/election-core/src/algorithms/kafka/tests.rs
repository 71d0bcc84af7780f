//! Kafka rules: the offline partition leader choice and the controller's fencing.

use super::*;
use crate::engine::collections::Set;

fn alive(v: &[NodeId]) -> Set<NodeId> {
    v.iter().copied().collect()
}

#[test]
fn offline_partition_leader_is_first_live_isr_replica_in_assignment_order() {
    // Election.leaderForOffline: assignment order, not ISR order or id order.
    let asg = [4, 2, 3];
    assert_eq!(elect_leader(&asg, &[2, 3, 4], &alive(&[2, 3, 4]), false), Some((4, false)));
    assert_eq!(elect_leader(&asg, &[3, 2], &alive(&[2, 3]), false), Some((2, false)));
    assert_eq!(elect_leader(&asg, &[3], &alive(&[2, 3]), false), Some((3, false)));
}

#[test]
fn no_live_isr_replica_means_offline_unless_unclean() {
    let asg = [2, 3, 4];
    // Only n2 is in the ISR, and n2 is dead; n3 and n4 are alive but out of sync.
    assert_eq!(elect_leader(&asg, &[2], &alive(&[3, 4]), false), None);
    assert_eq!(elect_leader(&asg, &[2], &alive(&[3, 4]), true), Some((3, true)));
    assert_eq!(elect_leader(&asg, &[2], &alive(&[]), true), None);
}

#[test]
fn assignment_spreads_replicas_over_brokers() {
    // 5 nodes: n1 is the store, brokers n2..n5.
    assert_eq!(assignment(0, 5, 3), vec![2, 3, 4]);
    assert_eq!(assignment(1, 5, 3), vec![3, 4, 5]);
    assert_eq!(assignment(3, 5, 3), vec![5, 2, 3]);
    // Replication is capped by the number of brokers.
    assert_eq!(assignment(0, 3, 3), vec![2, 3]);
}

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
