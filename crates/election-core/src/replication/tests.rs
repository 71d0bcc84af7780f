//! Unit tests of the shared replication rules: the offline partition leader rule of both
//! controllers, replica assignment, log divergence by epoch and the leader's high watermark.
//! Each cites the Kafka source (or KIP) of the rule it checks.

use super::*;
use crate::engine::collections::Set;
use crate::engine::time::NodeId;

fn alive(v: &[NodeId]) -> Set<NodeId> {
    v.iter().copied().collect()
}

// ---- the offline partition leader rule ----

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
fn clean_election_ignores_isr_members_outside_the_assignment_and_dead_ones() {
    // Kafka Election.scala leaderForOffline: `assignment.find(id => liveReplicas.contains(id)
    // && isr.contains(id))`: only assigned replicas are candidates, and dead ones are skipped
    // even when first in the assignment.
    let asg = [2, 3, 4];
    assert_eq!(elect_leader(&asg, &[5, 4], &alive(&[2, 3, 4, 5]), false), Some((4, false)));
    assert_eq!(elect_leader(&asg, &[2, 3], &alive(&[3, 4]), false), Some((3, false)));
    assert_eq!(elect_leader(&asg, &[5], &alive(&[2, 3, 4, 5]), false), None);
    assert_eq!(elect_leader(&[], &[2], &alive(&[2]), true), None);
}

#[test]
fn unclean_election_is_a_fallback_in_assignment_order() {
    // Kafka Election.scala leaderForOffline: the unclean branch (`assignment.find(liveReplicas
    // .contains)`) is only taken when no live ISR member exists; it then takes the first live
    // replica in assignment order, not in id or ISR order.
    let asg = [4, 3, 2];
    assert_eq!(elect_leader(&asg, &[2], &alive(&[2, 3, 4]), true), Some((2, false)), "clean first");
    assert_eq!(elect_leader(&asg, &[2], &alive(&[3, 4]), true), Some((4, true)));
    assert_eq!(elect_leader(&asg, &[2], &alive(&[3]), true), Some((3, true)));
}

#[test]
fn leader_choice_is_the_first_unfenced_isr_replica_in_assignment_order() {
    // PartitionChangeBuilder.electLeader: assignment order, ISR members, not fenced.
    let asg = [4, 2, 3];
    let unfenced = alive;
    assert_eq!(elect_leader(&asg, &[2, 3, 4], &unfenced(&[2, 3, 4]), false), Some((4, false)));
    assert_eq!(elect_leader(&asg, &[3, 2], &unfenced(&[2, 3]), false), Some((2, false)));
    assert_eq!(elect_leader(&asg, &[2], &unfenced(&[3, 4]), false), None);
    assert_eq!(elect_leader(&asg, &[2], &unfenced(&[3, 4]), true), Some((4, true)));
}

#[test]
fn with_leader_outside_isr_broken_the_first_eligible_replica_leads_as_if_clean() {
    // The planted bug of rule leader-outside-isr: Election.leaderForOffline without its
    // `isr.contains(id)`.
    let asg = [2, 3, 4];
    assert_eq!(choose_leader(&asg, &[2], &alive(&[3, 4]), false, true), Some((3, false)));
    assert_eq!(choose_leader(&asg, &[2], &alive(&[3, 4]), false, false), None);
}

// ---- replica assignment ----

#[test]
fn assignment_spreads_replicas_over_brokers() {
    // ZooKeeper mode, 5 nodes: n1 is the store, brokers n2..n5.
    assert_eq!(assignment(0, 5, 1, 3), vec![2, 3, 4]);
    assert_eq!(assignment(1, 5, 1, 3), vec![3, 4, 5]);
    assert_eq!(assignment(3, 5, 1, 3), vec![5, 2, 3]);
    // Replication is capped by the number of brokers.
    assert_eq!(assignment(0, 3, 1, 3), vec![2, 3]);
}

#[test]
fn assignment_spreads_replicas_over_the_brokers_only() {
    // KRaft: voters n1..n3 hold no partitions; brokers n4..n6 do.
    assert_eq!(assignment(0, 6, 3, 3), vec![4, 5, 6]);
    assert_eq!(assignment(1, 6, 3, 3), vec![5, 6, 4]);
    assert_eq!(assignment(0, 5, 3, 3), vec![4, 5]);
}

// ---- logs by epoch ----

fn log(epochs: &[u64]) -> Vec<Record> {
    epochs.iter().map(|&epoch| Record { value: 0, epoch }).collect()
}

#[test]
fn a_diverging_fetch_is_answered_with_the_epoch_and_end_offset_and_truncated() {
    // KafkaRaftClient.handleFetchRequest: validateOffsetAndEpoch -> DivergingEpoch; the follower
    // truncates to the end offset of that epoch (KIP-595, "Fetch" section; KIP-101 for
    // partition logs).
    let leader_log = log(&[1, 1, 3]);
    assert_eq!(diverging(&leader_log, 3, 2), Some((1, 2)));
    assert_eq!(diverging(&leader_log, 3, 3), None);
    let follower_log = log(&[1, 1, 2, 2]);
    assert_eq!(truncation_point(&follower_log, 1, 2), 2);
    // An older divergence takes two rounds: leader [1,2,2], follower [1,1,3].
    let leader_log = log(&[1, 2, 2]);
    let follower_log = log(&[1, 1, 3]);
    let (e, end) = diverging(&leader_log, 3, 3).unwrap();
    assert_eq!((e, end), (2, 3));
    let keep = truncation_point(&follower_log, e, end);
    assert_eq!(keep, 2);
    let (e, end) = diverging(&leader_log, 2, 1).unwrap();
    assert_eq!(truncation_point(&follower_log[..2], e, end), 1);
    assert_eq!((last_epoch(&follower_log), last_epoch::<Record>(&[])), (3, 0));
}

// ---- the leader's replica ----

#[test]
fn the_high_watermark_waits_for_the_maximal_isr_and_lagging_members_leave() {
    // Partition.checkEnoughReplicasReachOffset and KIP-497's maximal ISR: the high watermark is
    // the smallest fetch offset of the committed ISR and of a change still pending.
    // ReplicaManager: a member not caught up within replica.lag.time.max.ms leaves the ISR.
    let mut r = Replica { leader: Some(2), isr: vec![2, 3], log: log(&[1, 1]), ..Replica::default() };
    r.track_isr(2, 0);
    assert_eq!(r.fetched(3, 2, 10), (2, true, Vec::new()));
    assert_eq!(r.leader_hw(2), 2);
    assert_eq!(r.fetched(4, 1, 10), (1, false, log(&[1])));
    assert_eq!(r.expand_isr(3, 10), None, "already in the ISR");
    let grown = r.expand_isr(4, 10);
    assert_eq!(grown, Some(vec![2, 3, 4]));
    assert_eq!(r.leader_hw(2), 1, "the pending member counts before the controller settles it");
    r.pending_isr = None;
    assert_eq!(r.shrink_isr(2, 20, 10), Some((vec![2], vec![3])));
}
