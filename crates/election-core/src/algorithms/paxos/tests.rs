//! Paxos handler tests (Lamport, Paxos Made Simple).

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<PaxosMsg, PaxosTimer>>;
const PEERS: [NodeId; 3] = [1, 2, 3];

fn node(id: NodeId, config: PaxosConfig) -> Paxos {
    Paxos::new(id, &PEERS, &config)
}

fn run(n: &mut Paxos, now: Micros, f: impl FnOnce(&mut Paxos, &mut PaxosCtx<'_>)) -> Out {
    let me = n.id;
    run_handler(n, me, &PEERS, now, f)
}

fn b(round: u64, node: NodeId) -> Ballot {
    Ballot { round, node }
}

#[test]
fn ballots_order_by_round_then_node() {
    assert!(b(2, 1) > b(1, 3));
    assert!(b(2, 3) > b(2, 1));
}

#[test]
fn acceptor_promises_only_higher_ballots_and_reports_accepted_values() {
    // Phase 1b: "If an acceptor receives a prepare request with number n greater than that of
    // any prepare request to which it has already responded, then it responds ... with a
    // promise not to accept any more proposals numbered less than n and with the
    // highest-numbered proposal (if any) that it has accepted."
    let mut a = node(2, PaxosConfig::default());
    a.accepted.insert(1, (b(1, 3), Value::Write(7)));
    let out = run(&mut a, 0, |n, ctx| n.on_message(ctx, 1, PaxosMsg::Prepare { ballot: b(2, 1), from: 1 }));
    assert_eq!(
        sends(&out),
        vec![(1, PaxosMsg::Promise { ballot: b(2, 1), accepted: vec![(1, b(1, 3), Value::Write(7))] })]
    );
    let out = run(&mut a, 1, |n, ctx| n.on_message(ctx, 3, PaxosMsg::Prepare { ballot: b(1, 3), from: 1 }));
    assert_eq!(sends(&out), vec![(3, PaxosMsg::Nack { ballot: b(1, 3), promised: b(2, 1) })]);
}

#[test]
fn acceptor_rejects_accept_below_its_promise() {
    // Phase 2b: "If an acceptor receives an accept request for a proposal numbered n, it
    // accepts the proposal unless it has already responded to a prepare request having a
    // number greater than n."
    let mut a = node(2, PaxosConfig::default());
    run(&mut a, 0, |n, ctx| n.on_message(ctx, 3, PaxosMsg::Prepare { ballot: b(5, 3), from: 1 }));
    let out = run(&mut a, 1, |n, ctx| {
        n.on_message(ctx, 1, PaxosMsg::Accept { ballot: b(4, 1), slot: 1, value: Value::NoOp })
    });
    assert_eq!(sends(&out), vec![(1, PaxosMsg::Nack { ballot: b(4, 1), promised: b(5, 3) })]);
    assert!(a.accepted.is_empty());
}

#[test]
fn new_leader_re_proposes_the_highest_accepted_value() {
    // Phase 2a: v is "the value of the highest-numbered proposal among the responses".
    let mut p = node(1, PaxosConfig::default());
    run(&mut p, 0, |n, ctx| n.on_timer(ctx, PaxosTimer::Election));
    let ballot = b(1, 1);
    let out = run(&mut p, 10, |n, ctx| {
        n.on_message(ctx, 2, PaxosMsg::Promise { ballot, accepted: vec![(1, b(0, 3), Value::Write(9))] })
    });
    assert_eq!(p.leading(), Some(ballot));
    let accepts: Vec<PaxosMsg> = sends(&out)
        .into_iter()
        .filter(|(to, m)| *to == 2 && matches!(m, PaxosMsg::Accept { .. }))
        .map(|(_, m)| m)
        .collect();
    // The re-proposal is open business: no fresh no-op slot is added after it (§3).
    assert_eq!(accepts, vec![PaxosMsg::Accept { ballot, slot: 1, value: Value::Write(9) }]);
}

#[test]
fn preempted_proposer_backs_off_or_retries_at_once() {
    for (backoff, retries) in [(true, false), (false, true)] {
        let mut p = node(1, PaxosConfig { backoff, ..PaxosConfig::default() });
        run(&mut p, 0, |n, ctx| n.on_timer(ctx, PaxosTimer::Election));
        let out = run(&mut p, 5, |n, ctx| {
            n.on_message(ctx, 2, PaxosMsg::Nack { ballot: b(1, 1), promised: b(3, 2) })
        });
        let prepares: Vec<_> =
            sends(&out).into_iter().filter(|(_, m)| matches!(m, PaxosMsg::Prepare { .. })).collect();
        assert_eq!(!prepares.is_empty(), retries, "backoff={backoff}");
        if retries {
            assert_eq!(
                prepares[0].1,
                PaxosMsg::Prepare { ballot: b(4, 1), from: 1 },
                "above the ballot that preempted it"
            );
        }
    }
}

#[test]
fn leader_lease_refuses_other_proposers() {
    let mut a = node(2, PaxosConfig { leader_lease: true, ..PaxosConfig::default() });
    run(&mut a, ms(100), |n, ctx| n.on_message(ctx, 1, PaxosMsg::Heartbeat { ballot: b(1, 1) }));
    let out =
        run(&mut a, ms(120), |n, ctx| n.on_message(ctx, 3, PaxosMsg::Prepare { ballot: b(2, 3), from: 1 }));
    assert_eq!(sends(&out), vec![(3, PaxosMsg::Nack { ballot: b(2, 3), promised: b(1, 1) })]);
}

#[test]
fn new_leader_fills_gaps_with_no_ops_and_keeps_slots_across_elections() {
    // Paxos Made Simple §3: a new leader proposes, for every slot below the highest it knows,
    // the value its promises reported, or a no-op "that leaves the state unchanged" where
    // none was; it adds a fresh slot only when nothing is open.
    let mut p = node(1, PaxosConfig::default());
    p.learn(1, Value::Write(5));
    run(&mut p, 0, |n, ctx| n.on_timer(ctx, PaxosTimer::Election));
    let ballot = p.max_round_tried;
    let promise = PaxosMsg::Promise { ballot: b(ballot, 1), accepted: vec![(3, b(1, 2), Value::Write(9))] };
    let out = run(&mut p, 1, |n, ctx| n.on_message(ctx, 2, promise));
    let accepts: Vec<(u64, Value)> = sends(&out)
        .into_iter()
        .filter_map(|(to, m)| match m {
            PaxosMsg::Accept { slot, value, .. } if to == 2 => Some((slot, value)),
            _ => None,
        })
        .collect();
    assert_eq!(accepts, vec![(2, Value::NoOp), (3, Value::Write(9))], "{out:?}");
    assert_eq!(p.next_slot, 4);
}

#[test]
fn phase_one_covers_only_the_slots_the_proposer_does_not_know_chosen() {
    // Paxos Made Simple §3: a new leader that learned commands 1-134, 138 and 139 "executes
    // phase 1 of instances 135-137 and of all instances greater than 139"; here, from its
    // first unknown slot on. Acceptors report only what they accepted from there.
    let mut p = node(1, PaxosConfig::default());
    p.learn(1, Value::Write(5));
    p.learn(2, Value::Write(6));
    let out = run(&mut p, 0, |n, ctx| n.on_timer(ctx, PaxosTimer::Election));
    let ballot = b(p.max_round_tried, 1);
    assert!(sends(&out).contains(&(2, PaxosMsg::Prepare { ballot, from: 3 })), "{out:?}");
    let mut a = node(2, PaxosConfig::default());
    a.accept(1, b(1, 3), Value::Write(5));
    a.accept(4, b(1, 3), Value::Write(8));
    let out = run(&mut a, 0, |n, ctx| n.on_message(ctx, 1, PaxosMsg::Prepare { ballot, from: 3 }));
    assert_eq!(
        sends(&out),
        vec![(1, PaxosMsg::Promise { ballot, accepted: vec![(4, b(1, 3), Value::Write(8))] })]
    );
}
