//! Handler tests of the etcd election, each citing the rule it checks.

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<EtcdMsg, EtcdTimer>>;
const PEERS: [NodeId; 5] = [1, 2, 3, 4, 5];

fn node(id: NodeId, config: &EtcdConfig) -> Etcd {
    Etcd::new(id, &PEERS, config)
}

fn run(n: &mut Etcd, now: Micros, f: impl FnOnce(&mut Etcd, &mut EtcdCtx<'_>)) -> Out {
    let me = n.id;
    run_handler(n, me, &PEERS, now, f)
}

/// An etcd with leases 0x101, 0x102 for n3, n4 and their campaign keys, in that order.
fn server_with_two() -> Etcd {
    let mut s = node(ETCD, &EtcdConfig::default());
    for (i, from) in [3, 4].into_iter().enumerate() {
        let lease = 0x101 + i as u64;
        run(&mut s, 0, |n, ctx| n.on_message(ctx, from, EtcdMsg::LeaseGrant { ttl_ms: 600, sent_at: 0 }));
        run(&mut s, 0, |n, ctx| n.on_message(ctx, from, EtcdMsg::Campaign { lease }));
    }
    s
}

#[test]
fn campaign_puts_once_and_a_retry_finds_the_same_create_revision() {
    // election.go Campaign: Txn(If(CreateRevision(k) = 0), Then(Put(k, val, WithLease)),
    // Else(Get(k))): a second campaign on the same lease returns the existing key.
    let mut s = server_with_two();
    let out = run(&mut s, ms(1), |n, ctx| n.on_message(ctx, 3, EtcdMsg::Campaign { lease: 0x101 }));
    assert_eq!(sends(&out), vec![(3, EtcdMsg::Campaigned { lease: 0x101, create_rev: 2 })]);
    let out = run(&mut s, ms(1), |n, ctx| n.on_message(ctx, 4, EtcdMsg::Campaign { lease: 0x102 }));
    assert_eq!(sends(&out), vec![(4, EtcdMsg::Campaigned { lease: 0x102, create_rev: 3 })]);
}

#[test]
fn wait_deletes_asks_for_the_last_key_below_its_own_revision() {
    // key.go waitDeletes: Get(pfx, WithLastCreate, WithMaxCreateRev(myRev - 1)); none means
    // Campaign returns (the candidate leads).
    let mut s = server_with_two();
    let out =
        run(&mut s, ms(1), |n, ctx| n.on_message(ctx, 4, EtcdMsg::GetLast { lease: 0x102, max_rev: 2 }));
    assert_eq!(sends(&out), vec![(4, EtcdMsg::Last { lease: 0x102, max_rev: 2, key: Some((0x101, 2)) })]);
    let out =
        run(&mut s, ms(1), |n, ctx| n.on_message(ctx, 3, EtcdMsg::GetLast { lease: 0x101, max_rev: 1 }));
    assert_eq!(sends(&out), vec![(3, EtcdMsg::Last { lease: 0x101, max_rev: 1, key: None })]);
}

#[test]
fn an_expired_lease_deletes_its_key_and_fires_the_watch() {
    // session.go: keys live as long as the session's lease; waitDelete returns on a DELETE event.
    let mut s = server_with_two();
    run(&mut s, ms(1), |n, ctx| n.on_message(ctx, 4, EtcdMsg::Watch { lease: 0x102, key: 0x101, rev: 2 }));
    run(&mut s, ms(300), |n, ctx| {
        n.on_message(ctx, 4, EtcdMsg::KeepAlive { lease: 0x102, sent_at: ms(300) })
    });
    let out = run(&mut s, ms(600), |n, ctx| n.on_timer(ctx, EtcdTimer::Expiry));
    assert_eq!(sends(&out), vec![(4, EtcdMsg::Deleted { key: 0x101, rev: 2 })]);
    let out = run(&mut s, ms(601), |n, ctx| n.on_message(ctx, 3, EtcdMsg::Campaign { lease: 0x101 }));
    assert_eq!(sends(&out), vec![(3, EtcdMsg::LeaseNotFound { lease: 0x101 })]);
}

#[test]
fn a_watch_on_a_key_deleted_and_created_again_still_sees_the_deletion() {
    // key.go waitDelete watches from the range request's revision, so the DELETE before a
    // re-creation of the same key name is delivered.
    let mut s = server_with_two();
    run(&mut s, ms(1), |n, ctx| n.on_message(ctx, 3, EtcdMsg::Resign { lease: 0x101, create_rev: 2 }));
    run(&mut s, ms(2), |n, ctx| n.on_message(ctx, 3, EtcdMsg::Campaign { lease: 0x101 }));
    let out = run(&mut s, ms(3), |n, ctx| {
        n.on_message(ctx, 4, EtcdMsg::Watch { lease: 0x102, key: 0x101, rev: 2 })
    });
    assert_eq!(sends(&out), vec![(4, EtcdMsg::Deleted { key: 0x101, rev: 2 })]);
}

#[test]
fn keep_alives_go_every_third_of_the_ttl_and_the_lease_counts_from_their_send_time() {
    // clientv3 lease.go: nextKeepAlive = now + TTL/3. The lease is counted from when the
    // answered keep-alive left (etcd renewed it no earlier).
    let mut c = node(3, &EtcdConfig::default());
    run(&mut c, 0, |n, ctx| n.on_start(ctx));
    let grant = EtcdMsg::LeaseGranted { lease: 0x101, ttl_ms: 600, sent_at: 0 };
    let out = run(&mut c, ms(10), |n, ctx| n.on_message(ctx, ETCD, grant));
    assert!(out.contains(&Effect::SetTimer { timer: EtcdTimer::KeepAlive, after: ms(200) }));
    let resp = EtcdMsg::KeepAliveResp { lease: 0x101, ttl_ms: 600, sent_at: ms(210) };
    run(&mut c, ms(230), |n, ctx| n.on_message(ctx, ETCD, resp));
    let Part::Candidate(cand) = &c.part else { unreachable!() };
    assert_eq!(cand.alive_from, ms(210));
}

#[test]
fn fencing_rejects_a_lower_create_revision_and_no_fencing_accepts_it() {
    // election.go Rev(): the leader key's creation revision; Kleppmann (2016): storage
    // refuses a token lower than one it has accepted.
    for (fencing, accepted) in [(true, false), (false, true)] {
        let mut st = node(STORAGE, &EtcdConfig { fencing, ..EtcdConfig::default() });
        run(&mut st, 0, |n, ctx| n.on_message(ctx, 5, EtcdMsg::Write { token: 3, period: 4 }));
        let out = run(&mut st, 1, |n, ctx| n.on_message(ctx, 3, EtcdMsg::Write { token: 2, period: 5 }));
        assert_eq!(sends(&out), vec![(3, EtcdMsg::WriteResult { token: 2, accepted })], "fencing={fencing}");
    }
}

#[test]
fn production_preset_is_the_60_second_session() {
    // session.go: defaultSessionTTL = 60.
    let p = Etcd::production().unwrap();
    assert_eq!(p.ttl_ms, 60_000);
    assert!(Etcd::validate(&p, 5).is_ok());
    assert!(Etcd::validate(&EtcdConfig::default(), 2).is_err());
}
