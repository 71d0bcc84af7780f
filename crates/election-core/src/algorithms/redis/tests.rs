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
    let mut st = node(STORAGE);
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
