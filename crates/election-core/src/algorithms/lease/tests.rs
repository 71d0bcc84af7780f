//! Lease handler tests (Chubby §2.4, Kleppmann 2016).

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<LeaseMsg, LeaseTimer>>;
const PEERS: [NodeId; 4] = [1, 2, 3, 4];

fn node(id: NodeId, config: LeaseConfig) -> Lease {
    Lease::new(id, &PEERS, &config)
}

fn run(n: &mut Lease, now: Micros, f: impl FnOnce(&mut Lease, &mut LeaseCtx<'_>)) -> Out {
    let me = n.id;
    run_handler(n, me, &PEERS, now, f)
}

#[test]
fn service_grants_one_holder_with_increasing_tokens() {
    // Chubby §2.4: a sequencer (token) identifies each acquisition; numbers only grow.
    let c = LeaseConfig { first_token: 33, ..LeaseConfig::default() };
    let mut s = node(SERVICE, c);
    let out = run(&mut s, 0, |n, ctx| n.on_message(ctx, 3, LeaseMsg::Acquire));
    assert_eq!(sends(&out), vec![(3, LeaseMsg::Granted { token: 33, ttl_ms: 500 })]);
    let out = run(&mut s, 10, |n, ctx| n.on_message(ctx, 4, LeaseMsg::Acquire));
    assert_eq!(sends(&out), vec![(4, LeaseMsg::Busy { holder: Some(3) })]);
    // The lease expires; the next grant gets 34.
    run(&mut s, ms(500), |n, ctx| n.on_timer(ctx, LeaseTimer::Expiry));
    let out = run(&mut s, ms(501), |n, ctx| n.on_message(ctx, 4, LeaseMsg::Acquire));
    assert_eq!(sends(&out), vec![(4, LeaseMsg::Granted { token: 34, ttl_ms: 500 })]);
}

#[test]
fn renewal_only_for_the_current_unexpired_holder() {
    let mut s = node(SERVICE, LeaseConfig::default());
    run(&mut s, 0, |n, ctx| n.on_message(ctx, 3, LeaseMsg::Acquire));
    let renew = LeaseMsg::Renew { token: 1, sent_at: ms(90) };
    let out = run(&mut s, ms(100), |n, ctx| n.on_message(ctx, 3, renew));
    assert_eq!(sends(&out), vec![(3, LeaseMsg::Renewed { token: 1, sent_at: ms(90) })]);
    let out = run(&mut s, ms(700), |n, ctx| n.on_message(ctx, 3, renew));
    assert_eq!(sends(&out), vec![(3, LeaseMsg::Lost { token: 1 })], "expired at 600 ms");
}

#[test]
fn lock_delay_holds_the_lock_after_an_expiry() {
    // Chubby §2.4: "if a lock becomes free because the holder has failed ... the lock server
    // will prevent other clients from claiming the lock during a period called the lock-delay".
    let c = LeaseConfig { lock_delay_ms: 200, ..LeaseConfig::default() };
    let mut s = node(SERVICE, c);
    run(&mut s, 0, |n, ctx| n.on_message(ctx, 3, LeaseMsg::Acquire));
    run(&mut s, ms(500), |n, ctx| n.on_timer(ctx, LeaseTimer::Expiry));
    let out = run(&mut s, ms(600), |n, ctx| n.on_message(ctx, 4, LeaseMsg::Acquire));
    assert_eq!(sends(&out), vec![(4, LeaseMsg::Busy { holder: None })]);
    let out = run(&mut s, ms(700), |n, ctx| n.on_message(ctx, 4, LeaseMsg::Acquire));
    assert!(matches!(sends(&out)[0], (4, LeaseMsg::Granted { .. })));
}

#[test]
fn fencing_rejects_a_lower_token_and_no_fencing_accepts_it() {
    // Kleppmann: "the storage server remembers that it has already processed a write with a
    // higher token number (34), and so it rejects the request with token 33."
    for (fencing, accepted) in [(true, false), (false, true)] {
        let mut st = node(STORAGE, LeaseConfig { fencing, ..LeaseConfig::default() });
        run(&mut st, 0, |n, ctx| n.on_message(ctx, 4, LeaseMsg::Write { token: 34, period: 2 }));
        let out = run(&mut st, 1, |n, ctx| n.on_message(ctx, 3, LeaseMsg::Write { token: 33, period: 1 }));
        assert_eq!(
            sends(&out),
            vec![(3, LeaseMsg::WriteResult { token: 33, accepted })],
            "fencing={fencing}"
        );
    }
}

#[test]
fn client_checks_its_lease_when_the_job_starts_not_when_it_writes() {
    let mut cl = node(3, LeaseConfig::default());
    run(&mut cl, 0, |n, ctx| n.on_start(ctx));
    run(&mut cl, ms(10), |n, ctx| n.on_message(ctx, SERVICE, LeaseMsg::Granted { token: 33, ttl_ms: 500 }));
    let out = run(&mut cl, ms(300), |n, ctx| n.on_timer(ctx, LeaseTimer::Job));
    assert!(out.contains(&Effect::SetTimer { timer: LeaseTimer::JobDone, after: ms(40) }));
    // Long after the lease ran out (a GC pause), the job finishes and writes anyway.
    let out = run(&mut cl, ms(2_000), |n, ctx| n.on_timer(ctx, LeaseTimer::JobDone));
    // Written in period 6 (2000 ms / 300 ms): the stale instance is still running then.
    assert_eq!(sends(&out), vec![(STORAGE, LeaseMsg::Write { token: 33, period: 6 })]);
}

#[test]
fn too_small_cluster_is_an_error() {
    assert!(Lease::validate(&LeaseConfig::default(), 2).is_err());
    assert!(Lease::validate(&LeaseConfig::default(), 3).is_ok());
}

#[test]
fn a_late_answer_to_an_earlier_renewal_counts_from_that_renewal() {
    // Chubby (OSDI 2006) §2.8: the client's lease timeout is "a conservative approximation of
    // the master's lease timeout". The service extends a lease from when a renewal arrives, so
    // the client may count only from when it sent the renewal an answer is for: when the
    // renewal sent at 200 ms is lost and the answer to the one sent at 100 ms arrives at
    // 250 ms, the lease runs to 100 ms + ttl, not 200 ms + ttl (which would outlive the
    // service's lease, extended at about 100 ms).
    let c = LeaseConfig::default();
    let ttl = ms(c.ttl_ms);
    let mut n = node(3, c);
    run(&mut n, 0, |n, ctx| n.on_start(ctx));
    run(&mut n, 0, |n, ctx| n.acquire(ctx));
    run(&mut n, ms(10), |n, ctx| n.on_message(ctx, SERVICE, LeaseMsg::Granted { token: 1, ttl_ms: 500 }));
    let lease = |n: &Lease| match &n.part {
        Part::Client(c) => c.lease,
        _ => None,
    };
    assert_eq!(lease(&n), Some((1, ttl)), "counted from the Acquire sent at 0");
    let out = run(&mut n, ms(100), |n, ctx| n.on_timer(ctx, LeaseTimer::Keepalive));
    assert_eq!(sends(&out), vec![(SERVICE, LeaseMsg::Renew { token: 1, sent_at: ms(100) })]);
    run(&mut n, ms(200), |n, ctx| n.on_timer(ctx, LeaseTimer::Keepalive));
    let answer = LeaseMsg::Renewed { token: 1, sent_at: ms(100) };
    run(&mut n, ms(250), |n, ctx| n.on_message(ctx, SERVICE, answer));
    assert_eq!(lease(&n), Some((1, ms(100) + ttl)));
    // An answer arriving even later never shortens what a later renewal gave.
    run(&mut n, ms(260), |n, ctx| {
        n.on_message(ctx, SERVICE, LeaseMsg::Renewed { token: 1, sent_at: ms(200) })
    });
    run(&mut n, ms(270), |n, ctx| n.on_message(ctx, SERVICE, answer));
    assert_eq!(lease(&n), Some((1, ms(200) + ttl)));
}
