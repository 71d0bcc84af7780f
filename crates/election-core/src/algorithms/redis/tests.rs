//! Handler tests of the Redis lock, each citing the rule it checks.

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<RedisMsg, RedisTimer>>;
const PEERS: [NodeId; 4] = [1, 2, 3, 4];

fn node(id: NodeId) -> Redis {
    Redis::new(id, &PEERS, &RedisConfig::default())
}

fn run(n: &mut Redis, now: Micros, f: impl FnOnce(&mut Redis, &mut RedisCtx<'_>)) -> Out {
    let me = n.id;
    run_handler(n, me, &PEERS, now, f)
}

const V3: LockValue = LockValue { client: 3, attempt: 1 };
const V4: LockValue = LockValue { client: 4, attempt: 1 };

#[test]
fn set_nx_succeeds_only_when_the_key_is_absent_or_expired() {
    // SET command: NX "only set the key if it does not already exist"; PX sets the expiry.
    let mut r = node(REDIS);
    let out =
        run(&mut r, 0, |n, ctx| n.on_message(ctx, 3, RedisMsg::Set { value: V3, px_ms: 500, sent_at: 0 }));
    assert_eq!(sends(&out), vec![(3, RedisMsg::SetOk { value: V3, sent_at: 0 })]);
    let out = run(&mut r, ms(100), |n, ctx| {
        n.on_message(ctx, 4, RedisMsg::Set { value: V4, px_ms: 500, sent_at: 0 })
    });
    assert_eq!(sends(&out), vec![(4, RedisMsg::SetNil { value: V4 })]);
    let out = run(&mut r, ms(500), |n, ctx| {
        n.on_message(ctx, 4, RedisMsg::Set { value: V4, px_ms: 500, sent_at: 0 })
    });
    assert_eq!(sends(&out), vec![(4, RedisMsg::SetOk { value: V4, sent_at: 0 })], "expired at 500 ms");
}

#[test]
fn the_extend_script_compares_the_value_first() {
    // distlock, "Extending the lock": extend the TTL only if the key still holds the client's
    // random value.
    let mut r = node(REDIS);
    run(&mut r, 0, |n, ctx| n.on_message(ctx, 3, RedisMsg::Set { value: V3, px_ms: 500, sent_at: 0 }));
    let out = run(&mut r, ms(100), |n, ctx| {
        n.on_message(ctx, 4, RedisMsg::Extend { value: V4, px_ms: 500, sent_at: 1 })
    });
    assert_eq!(sends(&out), vec![(4, RedisMsg::Extended { value: V4, ok: false, sent_at: 1 })]);
    let out = run(&mut r, ms(400), |n, ctx| {
        n.on_message(ctx, 3, RedisMsg::Extend { value: V3, px_ms: 500, sent_at: 2 })
    });
    assert_eq!(sends(&out), vec![(3, RedisMsg::Extended { value: V3, ok: true, sent_at: 2 })]);
    let out = run(&mut r, ms(800), |n, ctx| {
        n.on_message(ctx, 4, RedisMsg::Set { value: V4, px_ms: 500, sent_at: 0 })
    });
    assert_eq!(sends(&out), vec![(4, RedisMsg::SetNil { value: V4 })], "extended to 900 ms");
}

#[test]
fn a_restarted_instance_refuses_set_for_one_ttl() {
    // distlock, "Performance, crash recovery and fsync": delayed restarts.
    let mut r = node(REDIS);
    run(&mut r, 0, |n, ctx| n.on_message(ctx, 3, RedisMsg::Set { value: V3, px_ms: 500, sent_at: 0 }));
    r.on_crash();
    run(&mut r, ms(100), |n, ctx| n.on_start(ctx));
    let out = run(&mut r, ms(200), |n, ctx| {
        n.on_message(ctx, 4, RedisMsg::Set { value: V4, px_ms: 500, sent_at: 0 })
    });
    assert_eq!(sends(&out), vec![(4, RedisMsg::SetNil { value: V4 })]);
    let out = run(&mut r, ms(600), |n, ctx| {
        n.on_message(ctx, 4, RedisMsg::Set { value: V4, px_ms: 500, sent_at: 0 })
    });
    assert!(matches!(sends(&out)[0].1, RedisMsg::SetOk { .. }));
}

#[test]
fn the_job_starts_only_if_it_fits_in_the_validity() {
    // distlock: the client uses the lock only within its validity time, counted from before
    // the SET was sent.
    let mut c = node(3);
    run(&mut c, 0, |n, ctx| n.on_start(ctx));
    run(&mut c, ms(10), |n, ctx| n.on_message(ctx, REDIS, RedisMsg::SetOk { value: V3, sent_at: 0 }));
    let out = run(&mut c, ms(400), |n, ctx| n.on_timer(ctx, RedisTimer::Job));
    assert!(
        out.contains(&Effect::SetTimer { timer: RedisTimer::JobDone, after: ms(40) }),
        "400+40+50 <= 500"
    );
    let mut c = node(3);
    run(&mut c, 0, |n, ctx| n.on_start(ctx));
    run(&mut c, ms(10), |n, ctx| n.on_message(ctx, REDIS, RedisMsg::SetOk { value: V3, sent_at: 0 }));
    let out = run(&mut c, ms(420), |n, ctx| n.on_timer(ctx, RedisTimer::Job));
    assert!(!out.iter().any(|e| matches!(e, Effect::SetTimer { timer: RedisTimer::JobDone, .. })));
}

#[test]
fn storage_accepts_every_write_there_is_no_token() {
    // Kleppmann (2016): the lock's random value is not monotonic, so storage cannot fence.
    let mut st = node(2);
    run(&mut st, 0, |n, ctx| n.on_message(ctx, 4, RedisMsg::Write { value: V4, period: 4 }));
    let out = run(&mut st, 1, |n, ctx| n.on_message(ctx, 3, RedisMsg::Write { value: V3, period: 4 }));
    assert_eq!(sends(&out), vec![(3, RedisMsg::WriteResult { value: V3 })]);
    assert_eq!(st.writes().len(), 2);
}

#[test]
fn production_preset_is_the_documented_30_second_lock() {
    let p = Redis::production().unwrap();
    assert_eq!((p.ttl_ms, p.refresh_ms), (30_000, 10_000));
    assert!(Redis::validate(&p, 5).is_ok());
    assert!(Redis::validate(&RedisConfig { refresh_ms: 500, ..RedisConfig::default() }, 3).is_err());
}

// Redlock: `instances=5`, n1..n5 the instances, n6 the storage, n7 and n8 clients.

const REDLOCK: RedisConfig = RedisConfig { instances: 5, ..DEFAULTS };
const DEFAULTS: RedisConfig = RedisConfig::CLASSROOM;
const PEERS8: [NodeId; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
const V7: LockValue = LockValue { client: 7, attempt: 1 };

fn redlock_client() -> Redis {
    let mut c = Redis::new(7, &PEERS8, &REDLOCK);
    run_handler(&mut c, 7, &PEERS8, 0, |n, ctx| n.on_start(ctx));
    c
}

fn answer(c: &mut Redis, at: Micros, from: NodeId, msg: RedisMsg) -> Out {
    run_handler(c, 7, &PEERS8, at, |n, ctx| n.on_message(ctx, from, msg))
}

#[test]
fn redlock_quorum_and_drift_follow_the_reference_client() {
    // redlock-rs RedLock::new: quorum = N/2 + 1; RedLock::lock: drift = ttl * 0.01 + 2 ms.
    assert_eq!(REDLOCK.quorum(), 3);
    assert_eq!(REDLOCK.drift(), ms(7));
    assert_eq!(RedisConfig { instances: 4, ..DEFAULTS }.quorum(), 3);
    // The single-instance recipe has no drift allowance.
    assert_eq!((DEFAULTS.quorum(), DEFAULTS.drift()), (1, 0));
    assert_eq!((REDLOCK.storage(), DEFAULTS.storage()), (6, 2));
}

#[test]
fn redlock_sends_the_same_set_to_every_instance() {
    // distlock, The Redlock Algorithm, step 2: the same key name and random value in all N.
    let mut c = Redis::new(7, &PEERS8, &REDLOCK);
    let out = run_handler(&mut c, 7, &PEERS8, 0, |n, ctx| n.on_start(ctx));
    let to: Vec<NodeId> = sends(&out).iter().map(|s| s.0).collect();
    assert_eq!(to, vec![1, 2, 3, 4, 5]);
    assert!(sends(&out).iter().all(|s| s.1 == RedisMsg::Set { value: V7, px_ms: 500, sent_at: 0 }));
}

#[test]
fn redlock_holds_the_lock_only_with_a_majority_and_time_left() {
    // distlock, step 3: acquired iff a majority of instances granted it and the time elapsed is
    // less than the validity; step 4: validity = TTL - elapsed - drift.
    let mut c = redlock_client();
    for from in [1, 2] {
        answer(&mut c, ms(10), from, RedisMsg::SetOk { value: V7, sent_at: 0 });
        assert_eq!(c.holding(), None, "{from} of 5 is not a majority");
    }
    // A duplicate answer counts once.
    answer(&mut c, ms(11), 2, RedisMsg::SetOk { value: V7, sent_at: 0 });
    assert_eq!(c.holding(), None);
    answer(&mut c, ms(12), 3, RedisMsg::SetOk { value: V7, sent_at: 0 });
    assert_eq!(c.holding(), Some(V7));
    assert!(c.summary().contains("valid-until=493ms"), "{}", c.summary());

    // A majority that comes after the validity is over does not count.
    let mut c = redlock_client();
    for from in [1, 2, 3] {
        answer(&mut c, ms(495), from, RedisMsg::SetOk { value: V7, sent_at: 0 });
    }
    assert_eq!(c.holding(), None);
}

#[test]
fn a_failed_redlock_attempt_unlocks_every_instance_that_did_not_refuse() {
    // distlock, step 5: "it will try to unlock all the instances (even the instances it
    // believed it was not able to lock)"; an instance that answered nil keeps another value.
    let mut c = redlock_client();
    answer(&mut c, ms(10), 1, RedisMsg::SetOk { value: V7, sent_at: 0 });
    answer(&mut c, ms(10), 2, RedisMsg::SetNil { value: V7 });
    answer(&mut c, ms(11), 3, RedisMsg::SetNil { value: V7 });
    let out = answer(&mut c, ms(12), 4, RedisMsg::SetNil { value: V7 });
    assert_eq!(sends(&out), vec![(1, RedisMsg::Unlock { value: V7 }), (5, RedisMsg::Unlock { value: V7 })]);
    assert_eq!(c.holding(), None);
}

#[test]
fn the_unlock_script_deletes_only_the_callers_value() {
    // redlock-rs UNLOCK_SCRIPT: del only if get == ARGV[1].
    let mut r = Redis::new(1, &PEERS8, &REDLOCK);
    let at = |r: &mut Redis, t: u64, from: NodeId, msg: RedisMsg| {
        run_handler(r, 1, &PEERS8, ms(t), |n, ctx| n.on_message(ctx, from, msg))
    };
    at(&mut r, 0, 8, RedisMsg::Set { value: LockValue { client: 8, attempt: 1 }, px_ms: 500, sent_at: 0 });
    at(&mut r, 1, 7, RedisMsg::Unlock { value: V7 });
    assert!(r.summary().starts_with("lock=n8#1"), "{}", r.summary());
    at(&mut r, 2, 8, RedisMsg::Unlock { value: LockValue { client: 8, attempt: 1 } });
    assert_eq!(r.summary(), "lock=-");
}

#[test]
fn a_redlock_extension_counts_only_with_a_majority() {
    // distlock, Extending the lock: "The client should only consider the lock re-acquired if
    // it was able to extend the lock into the majority of instances".
    let mut c = redlock_client();
    for from in [1, 2, 3] {
        answer(&mut c, ms(10), from, RedisMsg::SetOk { value: V7, sent_at: 0 });
    }
    let out = run_handler(&mut c, 7, &PEERS8, ms(150), |n, ctx| n.on_timer(ctx, RedisTimer::Refresh));
    assert_eq!(sends(&out).len(), 5, "the extension goes to every instance");
    let ext = |ok| RedisMsg::Extended { value: V7, ok, sent_at: ms(150) };
    answer(&mut c, ms(160), 1, ext(true));
    answer(&mut c, ms(160), 2, ext(true));
    assert!(c.summary().contains("valid-until=493ms"), "2 of 5 extend nothing: {}", c.summary());
    answer(&mut c, ms(161), 4, ext(false));
    answer(&mut c, ms(162), 3, ext(true));
    assert!(c.summary().contains("valid-until=643ms"), "{}", c.summary());

    // Three refusals leave no majority: the lock is lost at once.
    run_handler(&mut c, 7, &PEERS8, ms(300), |n, ctx| n.on_timer(ctx, RedisTimer::Refresh));
    let ext = |ok| RedisMsg::Extended { value: V7, ok, sent_at: ms(300) };
    for from in [1, 2] {
        answer(&mut c, ms(310), from, ext(false));
    }
    assert_eq!(c.holding(), Some(V7));
    answer(&mut c, ms(311), 3, ext(false));
    assert_eq!(c.holding(), None);
}

#[test]
fn redlock_needs_room_for_its_instances_storage_and_a_client() {
    assert!(Redis::validate(&REDLOCK, 7).is_ok());
    let err = Redis::validate(&REDLOCK, 6).unwrap_err().to_string();
    assert!(err.contains("at least 7 nodes: n1..n5 the Redis instances, n6 the storage"), "{err}");
    for instances in [0, MAX_INSTANCES + 1] {
        assert!(Redis::validate(&RedisConfig { instances, ..DEFAULTS }, 12).is_err());
    }
}
