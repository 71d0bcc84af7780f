//! Bully handler tests, citing the rule each checks (Garcia-Molina 1982; Coulouris §15.3).

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<BullyMsg, BullyTimer>>;
const PEERS: [NodeId; 5] = [1, 2, 3, 4, 5];

fn run(b: &mut Bully, f: impl FnOnce(&mut Bully, &mut BullyCtx<'_>)) -> Out {
    let me = b.id;
    run_handler(b, me, &PEERS, 0, f)
}

fn process(id: NodeId) -> Bully {
    Bully::new(id, &PEERS, &BullyConfig::default())
}

#[test]
fn election_goes_to_higher_ids_only_and_waits_t() {
    // Step 1: "P sends an ELECTION message to all processes with higher numbers".
    let mut b = process(2);
    let out = run(&mut b, |b, ctx| b.on_timer(ctx, BullyTimer::Failure));
    assert_eq!(sends(&out), vec![(3, BullyMsg::Election), (4, BullyMsg::Election), (5, BullyMsg::Election)]);
    assert!(out.contains(&Effect::SetTimer { timer: BullyTimer::AnswerWait, after: ms(80) }));
    assert_eq!(b.status().role, Role::Candidate);
}

#[test]
fn higher_process_answers_and_takes_over() {
    // Step 2: "If a higher-up answers, it takes over. P's job is done."
    let mut b = process(4);
    let out = run(&mut b, |b, ctx| b.on_message(ctx, 2, BullyMsg::Election));
    assert_eq!(sends(&out), vec![(2, BullyMsg::Answer), (5, BullyMsg::Election)]);
}

#[test]
fn no_answer_within_t_wins() {
    // Step 3: "If no one responds, P wins the election and becomes coordinator."
    let mut b = process(3);
    run(&mut b, |b, ctx| b.on_timer(ctx, BullyTimer::Failure));
    let out = run(&mut b, |b, ctx| b.on_timer(ctx, BullyTimer::AnswerWait));
    assert_eq!(b.status().role, Role::Leader);
    let to: Vec<NodeId> =
        sends(&out).iter().filter(|(_, m)| *m == BullyMsg::Coordinator).map(|(t, _)| *t).collect();
    assert_eq!(to, vec![1, 2, 4, 5]);
}

#[test]
fn answer_then_silence_restarts_the_election() {
    // Step 4 (T'): an OK must be followed by COORDINATOR, else start again.
    let mut b = process(1);
    run(&mut b, |b, ctx| b.on_timer(ctx, BullyTimer::Failure));
    let out = run(&mut b, |b, ctx| b.on_message(ctx, 3, BullyMsg::Answer));
    assert!(out.contains(&Effect::SetTimer { timer: BullyTimer::CoordinatorWait, after: ms(250) }));
    let out = run(&mut b, |b, ctx| b.on_timer(ctx, BullyTimer::CoordinatorWait));
    assert_eq!(sends(&out).len(), 4, "ELECTION again to n2..n5");
}

#[test]
fn highest_id_wins_at_once_on_recovery() {
    // "When a process that was down comes back up, it holds an election": the highest id
    // has nobody to ask and bullies its way back.
    let mut b = process(5);
    let out = run(&mut b, |b, ctx| b.on_start(ctx));
    assert_eq!(b.status().role, Role::Leader);
    assert_eq!(sends(&out).iter().filter(|(_, m)| *m == BullyMsg::Coordinator).count(), 4);
}

#[test]
fn lower_coordinator_is_bullied() {
    let mut b = process(4);
    run(&mut b, |b, ctx| b.on_message(ctx, 5, BullyMsg::Coordinator));
    let out = run(&mut b, |b, ctx| b.on_message(ctx, 3, BullyMsg::Coordinator));
    assert_eq!(
        sends(&out),
        vec![(5, BullyMsg::Election)],
        "n4 hears lower n3 coordinate and starts an election"
    );
}

#[test]
fn coordinator_accepts_writes_and_followers_redirect() {
    let mut b = process(5);
    run(&mut b, |b, ctx| b.on_start(ctx));
    run(&mut b, |b, ctx| b.on_request(ctx, Request::ClientWrite { value: 9 }));
    assert_eq!(b.tenure_writes, 1);
    let mut f = process(2);
    run(&mut f, |b, ctx| b.on_message(ctx, 5, BullyMsg::Coordinator));
    let out = run(&mut f, |b, ctx| b.on_request(ctx, Request::ClientWrite { value: 9 }));
    assert_eq!(out, vec![Effect::Note("is not the coordinator; redirects the client to n5".into())]);
}
