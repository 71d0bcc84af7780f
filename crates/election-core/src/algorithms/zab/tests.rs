//! ZooKeeper tests: the vote order table and FastLeaderElection handler rules.

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<ZabMsg, ZabTimer>>;
const PEERS: [NodeId; 3] = [1, 2, 3];

fn server(id: NodeId) -> Zab {
    Zab::new(id, &PEERS, &ZabConfig::default())
}

fn run(z: &mut Zab, now: Micros, f: impl FnOnce(&mut Zab, &mut ZabCtx<'_>)) -> Out {
    let me = z.id;
    run_handler(z, me, &PEERS, now, f)
}

fn v(peer_epoch: u64, zxid: Zxid, leader: NodeId) -> Vote {
    Vote { peer_epoch, zxid, leader }
}

/// Every branch of `FastLeaderElection.totalOrderPredicate(newId, newZxid, newEpoch, curId,
/// curZxid, curEpoch)`: `(newEpoch > curEpoch) || (newEpoch == curEpoch && ((newZxid > curZxid)
/// || (newZxid == curZxid && newId > curId)))`.
#[test]
fn total_order_predicate_table() {
    let z = |e: u64, c: u64| (e << 32) | c;
    let table = [
        // (new, cur, new wins?, branch)
        (v(2, z(1, 1), 1), v(1, z(1, 9), 3), true, "higher epoch wins over higher zxid and id"),
        (v(1, z(1, 9), 3), v(2, z(1, 1), 1), false, "lower epoch loses"),
        (v(1, z(1, 5), 1), v(1, z(1, 4), 3), true, "same epoch: higher zxid wins over higher id"),
        (v(1, z(1, 4), 3), v(1, z(1, 5), 1), false, "same epoch: lower zxid loses"),
        (v(1, z(1, 4), 3), v(1, z(1, 4), 2), true, "same epoch and zxid: higher id wins"),
        (v(1, z(1, 4), 2), v(1, z(1, 4), 3), false, "same epoch and zxid: lower id loses"),
        (v(1, z(1, 4), 2), v(1, z(1, 4), 2), false, "identical vote is not better"),
    ];
    for (new, cur, wins, why) in table {
        assert_eq!(total_order_predicate(new, cur), wins, "{why}: {new} vs {cur}");
    }
}

#[test]
fn look_for_leader_bumps_the_round_and_votes_for_itself() {
    let mut s = server(2);
    s.epoch = 1;
    s.history = [Txn { zxid: (1 << 32) | 3, value: 7 }].into_iter().collect();
    let out = run(&mut s, 0, |z, ctx| z.on_start(ctx));
    let note = v(1, (1 << 32) | 3, 2);
    let n = ZabMsg::Notification { vote: note, round: 1, state: ServerState::Looking };
    assert_eq!(sends(&out), vec![(1, n.clone()), (3, n)]);
    assert!(out.contains(&Effect::SetTimer { timer: ZabTimer::Resend, after: ms(200) }));
}

#[test]
fn better_vote_is_adopted_and_rebroadcast() {
    let mut s = server(3);
    run(&mut s, 0, |z, ctx| z.on_start(ctx));
    let better = v(0, 5, 1);
    let out = run(&mut s, 1, |z, ctx| {
        z.on_message(ctx, 1, ZabMsg::Notification { vote: better, round: 1, state: ServerState::Looking })
    });
    assert_eq!(s.proposed, better, "n1's log is longer: its vote beats n3's higher id");
    assert_eq!(sends(&out).len(), 2);
    // Two of three agree: a quorum; finalizeWait starts.
    assert!(out.contains(&Effect::SetTimer { timer: ZabTimer::Finalize, after: ms(200) }));
    let out = run(&mut s, ms(200), |z, ctx| z.on_timer(ctx, ZabTimer::Finalize));
    assert_eq!(s.state, ServerState::Following);
    assert_eq!(sends(&out), vec![(1, ZabMsg::FollowerInfo { accepted_epoch: 0, last_zxid: 0 })]);
}

#[test]
fn a_vote_that_is_not_better_restarts_finalize_wait() {
    // FastLeaderElection.lookForLeader: `while ((n = recvqueue.poll(finalizeWait, ...)) !=
    // null) { if (totalOrderPredicate(n.leader, ...)) { recvqueue.put(n); break; } }`: every
    // notification that is not better is consumed and the 200 ms poll starts over.
    let mut s = server(3);
    run(&mut s, 0, |z, ctx| z.on_start(ctx));
    let better = v(0, 5, 1);
    run(&mut s, 1, |z, ctx| {
        z.on_message(ctx, 1, ZabMsg::Notification { vote: better, round: 1, state: ServerState::Looking })
    });
    assert!(s.finalizing);
    let worse = v(0, 0, 2);
    let out = run(&mut s, ms(150), |z, ctx| {
        z.on_message(ctx, 2, ZabMsg::Notification { vote: worse, round: 1, state: ServerState::Looking })
    });
    assert!(out.contains(&Effect::SetTimer { timer: ZabTimer::Finalize, after: ms(200) }), "{out:?}");
    assert!(s.finalizing);
    assert_eq!(s.proposed, better);
}

#[test]
fn higher_round_resets_the_received_votes() {
    let mut s = server(1);
    run(&mut s, 0, |z, ctx| z.on_start(ctx));
    run(&mut s, 1, |z, ctx| {
        z.on_message(ctx, 2, ZabMsg::Notification { vote: v(0, 0, 2), round: 1, state: ServerState::Looking })
    });
    run(&mut s, 2, |z, ctx| {
        z.on_message(ctx, 3, ZabMsg::Notification { vote: v(0, 0, 3), round: 4, state: ServerState::Looking })
    });
    assert_eq!(s.logical_clock, 4);
    assert_eq!(s.proposed, v(0, 0, 3));
    assert!(!s.recvset.contains_key(&2), "round-1 votes are forgotten");
}

#[test]
fn following_votes_need_the_leader_to_say_leading() {
    // checkLeader: a quorum of FOLLOWING notifications for n3 is not enough until n3 itself
    // reports LEADING.
    let mut s = server(1);
    run(&mut s, 0, |z, ctx| z.on_start(ctx));
    let vote = v(1, 0, 3);
    run(&mut s, 1, |z, ctx| {
        z.on_message(ctx, 2, ZabMsg::Notification { vote, round: 7, state: ServerState::Following })
    });
    assert_eq!(s.state, ServerState::Looking);
    run(&mut s, 2, |z, ctx| {
        z.on_message(ctx, 3, ZabMsg::Notification { vote, round: 7, state: ServerState::Leading })
    });
    assert_eq!(s.state, ServerState::Following);
    assert_eq!(s.leader, Some(3));
}

#[test]
fn notification_interval_doubles_up_to_the_maximum() {
    let mut s = Zab::new(1, &PEERS, &ZabConfig { notification_max_ms: 500, ..ZabConfig::default() });
    run(&mut s, 0, |z, ctx| z.on_start(ctx));
    let out = run(&mut s, ms(200), |z, ctx| z.on_timer(ctx, ZabTimer::Resend));
    assert!(out.contains(&Effect::SetTimer { timer: ZabTimer::Resend, after: ms(400) }));
    let out = run(&mut s, ms(600), |z, ctx| z.on_timer(ctx, ZabTimer::Resend));
    assert!(out.contains(&Effect::SetTimer { timer: ZabTimer::Resend, after: ms(500) }));
}
