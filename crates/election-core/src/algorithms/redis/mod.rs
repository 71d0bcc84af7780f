//! # A Redis lock: `SET key value NX PX ttl` (no fencing token), and Redlock
//!
//! The article's cron-job interview answer names "Redis SETNX with expiry" beside ZooKeeper and
//! etcd. The recipe of the Redis documentation ("Distributed Locks with Redis", *Correct
//! Implementation with a Single Instance*):
//!
//! * acquire: `SET lock <random value> NX PX <ttl>`: set only if absent, expire after the TTL;
//!   whoever gets `OK` holds the lock and leads; the others retry after a random delay;
//! * extend (*Making the algorithm more reliable: Extending the lock*): a Lua script that
//!   extends the TTL only if the key still holds the client's own value (a compare-and-set),
//!   as Redisson's watchdog does every third of its lease (`internalLockLeaseTime / 3`);
//! * the holder considers the lock valid for the TTL counted from when it sent the request
//!   that set or extended it, and starts its job only if the job fits in what is left.
//!
//! ## Redlock (`instances=N`, N > 1)
//! The same page's *The Redlock Algorithm*, over N independent instances:
//! * the client sends the same `SET` with the same random value to all N instances at once
//!   (the page's *multiplexing*; redlock-rs `RedLock::lock` joins the N requests);
//! * it holds the lock when a majority (`N/2 + 1`, redlock-rs `quorum`) answered `OK` and time
//!   is left: the validity is the TTL minus the time the attempt took minus a drift allowance,
//!   `ttl * 0.01 + 2 ms` (redlock-rs `CLOCK_DRIFT_FACTOR` and its `+ 2` for Redis's expiry
//!   precision);
//! * when it fails (no majority, or no validity left) it runs the unlock script (`DEL` if the
//!   key still holds its value) on every instance that did not refuse it, "even the instances it
//!   believed it was not able to lock", since an `OK` may have been lost;
//! * an extension counts only if a majority extended it, within the validity.
//!
//! Kleppmann's critique: the majority is about instances, not time. A client that got a
//! majority (n1, n2, n3) keeps counting on it while one of those instances' clock jumps
//! forward and expires the key early; another client, cut off from the first two, gets n3,
//! n4 and n5: two clients hold the lock (golden `redlock-clock-jump-violation`).
//!
//! Time: each instance expires the key by its own wall clock (the `EXPIRE` documentation: keys'
//! expiry is stored as absolute Unix timestamps, so a clock that moves moves them), and each
//! client measures its validity and runs its job's schedule by its own clock
//! ([`Ctx::local`](crate::engine::protocol::Ctx), see `engine::clock`); the monitor judges in
//! true time. Unlike ZooKeeper's and etcd's monotonic timers, a wall clock
//! that jumps forward on a Redis node expires the key early: another client gets it while the
//! holder still believes it valid, and the job runs twice (golden `clock-jump-violation`).
//!
//! The cluster: `n1..nN` are the **Redis instances** (`N = instances`, 1 by default), `nN+1`
//! the **storage** node, the rest **clients** running a periodic job while they hold the lock.
//!
//! ## The lesson (Kleppmann, "How to do distributed locking", 2016)
//! There is **no fencing token**: the value is random, not ordered, so storage cannot tell a
//! stale holder from the current one and accepts every write. A client that checks the lock,
//! starts its job and stalls in a GC pause longer than the TTL wakes up and writes after the
//! key expired and another client took it: **the job ran twice at once**, and the monitor flags
//! it (golden `tours/18-interview-cron-job-redis-violation`). Compare with the ZooKeeper
//! recipe and etcd, whose ordered znode sequence and create revision let storage reject the
//! same write.
//!
//! ## Invariants (checked after every event by [`RedisMonitor`])
//! The lock is *acquired* by a value when a majority of instances (the one instance, with
//! `N = 1`) has granted it.
//! * No client believes it holds the lock after it was acquired by another value.
//! * The job never runs twice at once: storage never accepts a write from a holder after a
//!   later value acquired the lock. Both are *expected* to fail under long pauses and clock
//!   jumps; the algorithm does not claim to survive them ([`Protocol::SURVIVES_PARTITIONS`] is
//!   false, so seed sweeps inject crashes only, on a reliable network, with clocks that may
//!   drift but not jump).
//!
//! ## Real defaults (the production preset)
//! * TTL 30 s: the documentation's example `SET resource_name my_random_value NX PX 30000`, and
//!   Redisson's `lockWatchdogTimeout` (30 s).
//! * Refresh every 10 s: Redisson renews at `internalLockLeaseTime / 3`.
//!
//! The classroom defaults use a 500 ms TTL.
//!
//! ## References
//! * Redis documentation, *Distributed Locks with Redis* (the single-instance recipe, Redlock,
//!   the extension script, random retry delays, delayed restarts); `SET` command (`NX`, `PX`).
//! * redlock-rs (`src/redlock.rs`: `quorum`, `CLOCK_DRIFT_FACTOR`, `UNLOCK_SCRIPT`).
//! * M. Kleppmann, *How to do distributed locking*, 2016, and *Designing Data-Intensive
//!   Applications*, ch. 8.
//!
//! ## Simplified or left out
//! * Redis keeps no data across a crash (no AOF with `fsync=always`); after a restart it
//!   refuses `SET` for one TTL, the documentation's *delayed restart*, so that a lock set before
//!   the crash has expired before anyone else gets it.
//! * The job may start only if it ends `margin` before the lock's validity ends; the margin
//!   covers the write's network delay.
//! * An attempt ends when a majority answered, when so many refused that no majority is left,
//!   or when the retry delay runs out (the per-instance timeouts of the real clients).
//! * With one instance there is no drift allowance and no unlock after a failure: the
//!   single-instance recipe has neither, and one instance's refusal is the whole answer.

mod message;
mod monitor;
#[cfg(test)]
mod tests;

pub use message::{LockValue, RedisMsg, RedisTimer};
pub use monitor::RedisMonitor;

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Nodes, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::{Field, Settings, check_millis, check_shorter, millis, number};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId, fmt_time, ms};
use crate::engine::view::{NodeView, Panel, Role};

/// The first Redis instance's node id.
pub const REDIS: NodeId = 1;
/// The largest `instances` accepted (node ids of instances fit a `u16` bit set).
pub const MAX_INSTANCES: u64 = 9;

/// Settings of the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RedisConfig {
    /// Independent Redis instances: 1 is the single-instance recipe, more is Redlock.
    pub instances: u64,
    /// The key's TTL (`PX`).
    pub ttl_ms: u64,
    /// The holder runs the extend script this often.
    pub refresh_ms: u64,
    /// A client that got `nil` retries after a random delay up to this.
    pub retry_ms: u64,
    /// The job starts only if it ends this long before the lock's validity ends.
    pub margin_ms: u64,
    /// The job runs once per period.
    pub period_ms: u64,
    /// How long the job works between checking the lock and writing.
    pub job_ms: u64,
}

impl RedisConfig {
    /// The classroom defaults: one instance, a 500 ms TTL.
    pub const CLASSROOM: RedisConfig = RedisConfig {
        instances: 1,
        ttl_ms: 500,
        refresh_ms: 150,
        retry_ms: 200,
        margin_ms: 50,
        period_ms: 300,
        job_ms: 40,
    };
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig::CLASSROOM
    }
}

impl Settings for RedisConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::number("instances", "Redis instances (more than 1: Redlock)", self.instances),
            Field::millis("ttl", "Key TTL (PX)", self.ttl_ms),
            Field::millis("refresh", "Extend script every", self.refresh_ms),
            Field::millis("retry", "Retry after a random delay up to", self.retry_ms),
            Field::millis("margin", "Job must end this long before the validity", self.margin_ms),
            Field::millis("period", "Job period", self.period_ms),
            Field::millis("job", "Job duration", self.job_ms),
        ]
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "instances" => self.instances = number(key, v)?,
            "ttl" => self.ttl_ms = millis(key, v)?,
            "refresh" => self.refresh_ms = millis(key, v)?,
            "retry" => self.retry_ms = millis(key, v)?,
            "margin" => self.margin_ms = millis(key, v)?,
            "period" => self.period_ms = millis(key, v)?,
            "job" => self.job_ms = millis(key, v)?,
            "break" => {
                crate::engine::settings::parse_rules("redis", &[], v)?;
            }
            _ => return Err(format!("unknown setting '{key}' for redis")),
        }
        Ok(())
    }
}

impl RedisConfig {
    /// The storage node: after the instances.
    pub fn storage(&self) -> NodeId {
        self.instance_count() + 1
    }

    fn instance_count(&self) -> NodeId {
        self.instances.clamp(1, MAX_INSTANCES) as NodeId
    }

    /// Whether `id` is a Redis instance.
    pub fn is_instance(&self, id: NodeId) -> bool {
        (REDIS..=self.instance_count()).contains(&id)
    }

    /// Redlock's majority, `N/2 + 1` (redlock-rs `RedLock::new`: `quorum`); 1 for one instance.
    pub fn quorum(&self) -> u32 {
        u32::from(self.instance_count()) / 2 + 1
    }

    /// Until when a lock set or extended by requests sent at `sent_at` (the client's clock) is
    /// valid: the TTL from then, since no instance set it earlier, less the drift allowance.
    fn valid_until(&self, sent_at: Micros) -> Micros {
        sent_at.saturating_add(ms(self.ttl_ms)).saturating_sub(self.drift())
    }

    /// Redlock's allowance for clock drift, taken off the validity: `ttl * 0.01 + 2 ms`
    /// (redlock-rs `CLOCK_DRIFT_FACTOR = 0.01`, plus 2 ms for Redis's expiry precision). The
    /// single-instance recipe has none.
    pub fn drift(&self) -> Micros {
        if self.instances > 1 { ms(self.ttl_ms / 100 + 2) } else { 0 }
    }
}

/// One attempt to set or extend the lock on the instances: who said yes, who said no.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Round {
    /// The client's clock when the requests left (the answers echo it).
    sent_at: Micros,
    /// Instances that answered `OK` (bit per node id).
    ok: u16,
    /// Instances that refused.
    refused: u16,
}

impl Round {
    fn new(sent_at: Micros) -> Round {
        Round { sent_at, ..Round::default() }
    }

    /// Records `from`'s answer (a duplicate counts once).
    fn answer(&mut self, from: NodeId, ok: bool) {
        let bit = 1u16 << from.min(15);
        if ok { self.ok |= bit } else { self.refused |= bit }
    }

    /// Some(true) once a majority said yes, Some(false) once too many said no for one.
    fn outcome(&self, config: &RedisConfig) -> Option<bool> {
        let n = u32::from(config.instance_count());
        if self.ok.count_ones() >= config.quorum() {
            Some(true)
        } else if self.refused.count_ones() > n - config.quorum() {
            Some(false)
        } else {
            None
        }
    }
}

type RedisCtx<'a> = Ctx<'a, RedisMsg, RedisTimer>;

/// One write that reached storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteRecord {
    /// When it arrived.
    pub at: Micros,
    /// The period in which it was written.
    pub period: u64,
    /// Writer.
    pub client: NodeId,
    /// The writer's lock value (storage ignores it).
    pub value: LockValue,
}

/// Redis's state.
#[derive(Debug, Clone, Default)]
pub struct Server {
    /// The lock key: its value and when it expires.
    key: Option<(LockValue, Micros)>,
    /// Refuses `SET` until then (a delayed restart).
    no_set_until: Micros,
    /// Every successful `SET`: (value, at), for the monitor.
    grants: Vec<(LockValue, Micros)>,
}

/// The storage node's state.
#[derive(Debug, Clone, Default)]
pub struct Storage {
    writes: SharedLog<WriteRecord>,
}

/// A client's state.
#[derive(Debug, Clone, Default)]
pub struct Client {
    attempt: u64,
    /// The attempt to set the lock in progress.
    acquiring: Option<Round>,
    /// (value, valid until) while it believes it holds the lock.
    holding: Option<(LockValue, Micros)>,
    /// The extension in progress while holding.
    extending: Option<Round>,
    /// The job in progress: (value, period).
    job: Option<(LockValue, u64)>,
    jobs_run: u64,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum Part {
    /// A Redis instance (n1..nN).
    Server(Server),
    /// The storage (nN+1).
    Storage(Storage),
    /// A client (the rest).
    Client(Client),
}

/// One node of the Redis lock.
#[derive(Debug, Clone)]
pub struct Redis {
    id: NodeId,
    config: RedisConfig,
    part: Part,
}

impl Redis {
    /// The storage's write log (empty for other nodes).
    pub fn writes(&self) -> &SharedLog<WriteRecord> {
        static NONE: SharedLog<WriteRecord> = SharedLog::new();
        match &self.part {
            Part::Storage(s) => &s.writes,
            _ => &NONE,
        }
    }

    /// A client in the middle of its job (checked the lock, not yet written).
    pub fn job_in_progress(&self) -> bool {
        matches!(&self.part, Part::Client(c) if c.job.is_some())
    }

    /// The value a client believes it holds the lock with.
    pub fn holding(&self) -> Option<LockValue> {
        match &self.part {
            Part::Client(c) => c.holding.map(|h| h.0),
            _ => None,
        }
    }

    fn ttl(&self) -> Micros {
        ms(self.config.ttl_ms)
    }

    fn schedule_job(&self, ctx: &mut RedisCtx<'_>) {
        ctx.schedule_job(RedisTimer::Job, self.config.period_ms);
    }

    fn acquire(&mut self, ctx: &mut RedisCtx<'_>) {
        let (px_ms, retry) = (self.config.ttl_ms, ms(self.config.retry_ms));
        let id = self.id;
        let instances = self.config.instance_count();
        let Part::Client(c) = &mut self.part else { return };
        c.attempt += 1;
        c.acquiring = Some(Round::new(ctx.local));
        let value = LockValue { client: id, attempt: c.attempt };
        // Redlock: the same SET to every instance at once (distlock, "multiplexing").
        for instance in REDIS..=instances {
            ctx.send(instance, RedisMsg::Set { value, px_ms, sent_at: ctx.local });
        }
        // An unanswered SET is tried again, with a new value, after a random delay.
        let delay = ctx.random_between(retry / 2, retry);
        ctx.set_timer(RedisTimer::Retry, delay.max(1));
    }

    /// Ends the attempt in progress without the lock. Redlock then runs the unlock script on
    /// every instance that did not refuse, "even the instances it believed it was not able to
    /// lock" (distlock, *The Redlock Algorithm*, step 5): an `OK` may have been lost or be on
    /// its way. The single-instance recipe has no such step.
    fn abandon(&mut self, ctx: &mut RedisCtx<'_>) {
        let instances = self.config.instance_count();
        let Part::Client(c) = &mut self.part else { return };
        let Some(round) = c.acquiring.take() else { return };
        let value = LockValue { client: self.id, attempt: c.attempt };
        if instances > 1 {
            for instance in REDIS..=instances {
                if round.refused & (1 << instance) == 0 {
                    ctx.send(instance, RedisMsg::Unlock { value });
                }
            }
        }
    }

    fn server(&mut self, ctx: &mut RedisCtx<'_>, from: NodeId, msg: RedisMsg) {
        let ttl = self.ttl();
        let Part::Server(s) = &mut self.part else { return };
        // Redis expires a key lazily on access too: an expired key is absent.
        if s.key.is_some_and(|(_, exp)| exp <= ctx.local) {
            s.key = None;
        }
        match msg {
            RedisMsg::Set { value, px_ms, sent_at } => {
                if s.key.is_none() && ctx.local >= s.no_set_until {
                    let exp = ctx.local.saturating_add(ms(px_ms));
                    s.key = Some((value, exp));
                    s.grants.push((value, ctx.now));
                    ctx.note(format!("sets lock={value} for n{from}, expiring at {}", fmt_time(exp)));
                    ctx.send(from, RedisMsg::SetOk { value, sent_at });
                    ctx.set_timer(RedisTimer::Expiry, ttl);
                } else {
                    ctx.send(from, RedisMsg::SetNil { value });
                }
            }
            RedisMsg::Extend { value, px_ms, sent_at } => {
                let ok = s.key.is_some_and(|(v, _)| v == value);
                if ok {
                    s.key = Some((value, ctx.local.saturating_add(ms(px_ms))));
                    ctx.set_timer(RedisTimer::Expiry, ms(px_ms));
                }
                ctx.send(from, RedisMsg::Extended { value, ok, sent_at });
            }
            // UNLOCK_SCRIPT: delete the key only if it still holds the caller's value.
            RedisMsg::Unlock { value } if s.key.is_some_and(|(v, _)| v == value) => {
                s.key = None;
                ctx.note(format!("deletes lock={value} (the unlock script)"));
            }
            _ => {}
        }
    }

    fn client(&mut self, ctx: &mut RedisCtx<'_>, from: NodeId, msg: RedisMsg) {
        let (refresh, config) = (ms(self.config.refresh_ms), self.config);
        let Part::Client(c) = &mut self.part else { return };
        let current = LockValue { client: self.id, attempt: c.attempt };
        match msg {
            RedisMsg::SetOk { value, .. } | RedisMsg::SetNil { value }
                if value == current && c.holding.is_none() =>
            {
                let Some(round) = &mut c.acquiring else { return };
                round.answer(from, matches!(msg, RedisMsg::SetOk { .. }));
                match round.outcome(&config) {
                    Some(true) => {
                        let valid = config.valid_until(round.sent_at);
                        if ctx.local >= valid {
                            ctx.note(format!("got a majority for {value} with no validity left"));
                            self.abandon(ctx);
                            return;
                        }
                        c.acquiring = None;
                        c.holding = Some((value, valid));
                        ctx.cancel_timer(RedisTimer::Retry);
                        ctx.note(format!("holds the lock with value {value}: it is the leader"));
                        ctx.set_timer(RedisTimer::Refresh, refresh);
                    }
                    // One instance's refusal leaves the attempt to its retry delay (nothing to
                    // unlock); Redlock unlocks at once.
                    Some(false) if config.instances > 1 => {
                        ctx.note(format!("cannot get a majority for {value}"));
                        self.abandon(ctx);
                    }
                    _ => {}
                }
            }
            RedisMsg::Extended { value, ok, sent_at } => {
                let Some((v, valid)) = c.holding else { return };
                let Some(round) = c.extending.as_mut().filter(|r| v == value && r.sent_at == sent_at) else {
                    return;
                };
                round.answer(from, ok);
                match round.outcome(&config) {
                    Some(true) => {
                        c.extending = None;
                        c.holding = Some((v, valid.max(config.valid_until(sent_at))));
                    }
                    Some(false) => {
                        c.holding = None;
                        c.extending = None;
                        ctx.note(format!("learns the lock no longer holds {value}"));
                        ctx.cancel_timer(RedisTimer::Refresh);
                        self.acquire(ctx);
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
}

impl Protocol for Redis {
    type Msg = RedisMsg;
    type Timer = RedisTimer;
    type Config = RedisConfig;
    type Monitor = RedisMonitor;

    const ID: &'static str = "redis";
    const NAME: &'static str = "Redis SET NX PX";
    const TAGLINE: &'static str = "Redis first (n1; n1..n5 with instances=5, Redlock), then storage, then clients that SET the lock key with NX PX: no fencing token. Pause the holder mid-job for longer than the TTL.";
    const MIN_NODES: usize = 3;
    const CLIENT_LOG: bool = false;
    const TERM_LABEL: Option<&'static str> = None;
    // A lock without a fencing token is not safe under pauses longer than its TTL: sweeps
    // inject crashes only, on a reliable network, and the pause is a golden violation.
    const SURVIVES_PARTITIONS: bool = false;

    fn monitor(config: &RedisConfig) -> RedisMonitor {
        RedisMonitor::new(config)
    }

    fn production() -> Option<RedisConfig> {
        Some(RedisConfig {
            // Redis docs, distlock: SET resource_name my_random_value NX PX 30000; Redisson's
            // lockWatchdogTimeout is 30 s as well.
            ttl_ms: 30_000,
            // Redisson renews at internalLockLeaseTime / 3.
            refresh_ms: 10_000,
            ..RedisConfig::default()
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "TTL 30 s: Redis docs, Distributed Locks with Redis (SET ... NX PX 30000); Redisson lockWatchdogTimeout",
        "refresh every 10 s: Redisson watchdog, internalLockLeaseTime / 3",
    ];

    fn randomize(c: &mut RedisConfig, rng: &mut Stream) {
        c.ttl_ms = rng.range(300, 900);
        c.refresh_ms = c.ttl_ms / 3;
    }

    fn validate(c: &RedisConfig, nodes: usize) -> Result<(), Error> {
        if !(1..=MAX_INSTANCES).contains(&c.instances) {
            return Err(Error::Invalid {
                what: "instances",
                reason: format!(
                    "there can be 1 to {MAX_INSTANCES} Redis instances (5 is Redlock's usual number), not {}",
                    c.instances
                ),
            });
        }
        let needed = c.instances as usize + 2;
        if nodes < needed {
            let instances = match c.instances {
                1 => "n1 Redis".to_string(),
                n => format!("n1..n{n} the Redis instances"),
            };
            return Err(Error::Invalid {
                what: "redis",
                reason: format!(
                    "needs at least {needed} nodes: {instances}, n{} the storage, then the clients",
                    c.instances + 1
                ),
            });
        }
        check_millis(
            &[("ttl", c.ttl_ms), ("refresh", c.refresh_ms), ("retry", c.retry_ms), ("period", c.period_ms)],
            60_000,
        )?;
        check_shorter(
            ("refresh", c.refresh_ms),
            ("ttl", c.ttl_ms),
            "the key would expire before each extension",
        )?;
        if c.job_ms > 60_000 || c.margin_ms > 60_000 {
            return Err(Error::Invalid {
                what: "job",
                reason: "the job and the margin must be at most 60000 ms".into(),
            });
        }
        Ok(())
    }

    fn new(id: NodeId, _peers: &[NodeId], config: &RedisConfig) -> Self {
        let part = if config.is_instance(id) {
            Part::Server(Server::default())
        } else if id == config.storage() {
            Part::Storage(Storage::default())
        } else {
            Part::Client(Client::default())
        };
        Redis { id, config: *config, part }
    }

    fn on_start(&mut self, ctx: &mut RedisCtx<'_>) {
        let ttl = self.ttl();
        match &mut self.part {
            Part::Server(s) => {
                // distlock, "Performance, crash recovery and fsync": a restarted instance stays
                // unavailable for a TTL, so that locks it forgot have expired.
                if ctx.now > 0 {
                    s.no_set_until = ctx.local.saturating_add(ttl);
                    ctx.note(format!(
                        "restarts empty; refuses SET until {} (a delayed restart)",
                        fmt_time(ctx.local.saturating_add(ttl))
                    ));
                }
            }
            Part::Storage(_) => {}
            Part::Client(_) => {
                self.acquire(ctx);
                self.schedule_job(ctx);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut RedisCtx<'_>, from: NodeId, msg: RedisMsg) {
        match &mut self.part {
            Part::Server(_) => self.server(ctx, from, msg),
            Part::Storage(s) => {
                if let RedisMsg::Write { value, period } = msg {
                    // No token to compare: every write is accepted.
                    ctx.note(format!("accepts n{from}'s write for period {period} (lock value {value})"));
                    s.writes.push(WriteRecord { at: ctx.now, period, client: from, value });
                    ctx.send(from, RedisMsg::WriteResult { value });
                }
            }
            Part::Client(_) => self.client(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut RedisCtx<'_>, timer: RedisTimer) {
        let (instances, storage) = (self.config.instance_count(), self.config.storage());
        let (ttl_ms, refresh, job, margin) = (
            self.config.ttl_ms,
            ms(self.config.refresh_ms),
            ms(self.config.job_ms),
            ms(self.config.margin_ms),
        );
        let period = ctx.job_period(self.config.period_ms);
        match (&mut self.part, timer) {
            (Part::Server(s), RedisTimer::Expiry) => {
                if let Some((v, exp)) = s.key
                    && exp <= ctx.local
                {
                    s.key = None;
                    ctx.note(format!("lock={v} expired"));
                }
            }
            (Part::Client(c), RedisTimer::Retry) if c.holding.is_none() => {
                self.abandon(ctx);
                self.acquire(ctx);
            }
            (Part::Client(c), RedisTimer::Refresh) => {
                if let Some((value, valid)) = c.holding {
                    if ctx.local >= valid {
                        c.holding = None;
                        c.extending = None;
                        ctx.note(format!("sees its lock {value} has run out"));
                        self.acquire(ctx);
                    } else {
                        // A new round: answers to an older one no longer count.
                        c.extending = Some(Round::new(ctx.local));
                        for instance in REDIS..=instances {
                            ctx.send(instance, RedisMsg::Extend { value, px_ms: ttl_ms, sent_at: ctx.local });
                        }
                        ctx.set_timer(RedisTimer::Refresh, refresh.min(valid - ctx.local));
                    }
                }
            }
            (Part::Client(c), RedisTimer::Job) => {
                // The lock is checked when the job starts: the job must fit in its validity.
                if let Some((value, valid)) = c.holding
                    && ctx.local.saturating_add(job).saturating_add(margin) <= valid
                {
                    c.job = Some((value, period));
                    c.jobs_run += 1;
                    ctx.note(format!("holds the lock ({value}) and starts the job for period {period}"));
                    ctx.set_timer(RedisTimer::JobDone, job);
                }
                self.schedule_job(ctx);
            }
            (Part::Client(c), RedisTimer::JobDone) => {
                // The result is the started period's, however late it is written.
                if let Some((value, started)) = c.job.take() {
                    ctx.note(format!("finishes the job and writes (lock value {value})"));
                    ctx.send(storage, RedisMsg::Write { value, period: started });
                }
            }
            _ => {}
        }
    }

    fn on_request(&mut self, ctx: &mut RedisCtx<'_>, request: Request) {
        let (margin, storage) = (ms(self.config.margin_ms), self.config.storage());
        let period = ctx.job_period(self.config.period_ms);
        match (&self.part, request) {
            (Part::Client(c), Request::ClientWrite { .. }) => match c.holding {
                Some((value, valid)) if ctx.local.saturating_add(margin) <= valid => {
                    ctx.note(format!("writes now (lock value {value})"));
                    ctx.send(storage, RedisMsg::Write { value, period });
                }
                _ => ctx.note("does not hold the lock; it does not write"),
            },
            (Part::Client(c), Request::Timeout) if c.holding.is_none() => {
                ctx.note("tries SET NX now");
                self.acquire(ctx);
            }
            (Part::Client(_), Request::Timeout) => ctx.note("already holds the lock"),
            _ => ctx.note("only clients act on requests here"),
        }
    }

    /// Clients and Redis lose everything (Redis keeps only its delayed restart); storage keeps
    /// its data.
    fn on_crash(&mut self) {
        match &mut self.part {
            Part::Server(s) => s.key = None,
            Part::Storage(_) => {}
            Part::Client(c) => *c = Client { attempt: c.attempt, ..Client::default() },
        }
    }

    fn status(&self) -> Status {
        match &self.part {
            Part::Server(s) => Status { role: Role::Follower, term: 0, leader: s.key.map(|k| k.0.client) },
            Part::Storage(_) => Status { role: Role::Follower, term: 0, leader: None },
            Part::Client(c) => match c.holding {
                Some(_) => Status { role: Role::Leader, term: 0, leader: Some(self.id) },
                None => Status { role: Role::Candidate, term: 0, leader: None },
            },
        }
    }

    fn watched_timer(&self) -> Option<RedisTimer> {
        match &self.part {
            Part::Server(_) => Some(RedisTimer::Expiry),
            Part::Client(c) if c.job.is_some() => Some(RedisTimer::JobDone),
            Part::Client(_) => Some(RedisTimer::Job),
            Part::Storage(_) => None,
        }
    }

    fn is_routine_timer(timer: RedisTimer) -> bool {
        matches!(timer, RedisTimer::Refresh | RedisTimer::Retry | RedisTimer::Job)
    }

    fn summary(&self) -> String {
        match &self.part {
            Part::Server(s) => match s.key {
                Some((v, exp)) => format!("lock={v} expires={}", fmt_time(exp)),
                None => "lock=-".into(),
            },
            Part::Storage(s) => format!("writes={}", s.writes.len()),
            Part::Client(c) => match c.holding {
                Some((v, valid)) => format!("holds={v} valid-until={}", fmt_time(valid)),
                None => "holds=-".into(),
            },
        }
    }

    fn describe(&self, view: &mut NodeView) {
        match &self.part {
            Part::Server(s) => {
                view.tag = "Redis".into();
                if let Some((v, exp)) = s.key {
                    view.details
                        .push(("lock".into(), format!("{v} (n{}), expires {}", v.client, fmt_time(exp))));
                }
                view.details.push(("SETs granted".into(), s.grants.len().to_string()));
            }
            Part::Storage(s) => {
                view.tag = "storage".into();
                view.details.push(("writes".into(), s.writes.len().to_string()));
                view.details.push(("fencing".into(), "none: no token to check".into()));
            }
            Part::Client(c) => {
                view.tag = "client".into();
                if let Some((v, valid)) = c.holding {
                    view.details.push((
                        "lock".into(),
                        format!("value {v}, believes valid until {}", fmt_time(valid)),
                    ));
                }
                if let Some((v, p)) = c.job {
                    view.details.push(("job in progress".into(), format!("period {p} with lock {v}")));
                }
                if let Some(round) = c.acquiring.filter(|_| self.config.instances > 1) {
                    view.details.push((
                        "acquiring".into(),
                        format!(
                            "OK from {} of {}, needs {}",
                            round.ok.count_ones(),
                            self.config.instances,
                            self.config.quorum()
                        ),
                    ));
                }
                view.details.push(("jobs started".into(), c.jobs_run.to_string()));
            }
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let server = nodes.first()?;
        if server.proto.config.instances > 1 {
            return redlock_panel(nodes);
        }
        let Part::Server(s) = &server.proto.part else { return None };
        let current = s.key.map(|k| k.0);
        let rows = s
            .grants
            .iter()
            .rev()
            .take(8)
            .map(|&(v, at)| {
                let state = match (current, s.key) {
                    (Some(c), Some((_, exp))) if c == v => format!("holds the key until {}", fmt_time(exp)),
                    _ => "expired or replaced".into(),
                };
                vec![format!("n{}", v.client), v.to_string(), fmt_time(at), state]
            })
            .collect();
        Some(Panel {
            title: "The lock key at Redis (n1): every SET NX that succeeded, newest first".into(),
            columns: ["owner", "value", "set at", "key"].map(String::from).to_vec(),
            rows,
        })
    }
}

/// Redlock's table: per value, which instances granted it, whether a majority did, and where
/// the key still holds it.
fn redlock_panel<N: Nodes<Redis> + ?Sized>(nodes: &N) -> Option<Panel> {
    let config = nodes.first()?.proto.config;
    let servers: Vec<(NodeId, &Server)> = (REDIS..config.storage())
        .filter_map(|i| match &nodes.at(usize::from(i) - 1).proto.part {
            Part::Server(s) => Some((i, s)),
            _ => None,
        })
        .collect();
    // value -> (first grant, instances that granted it, in the order they did). The page asks
    // for this every frame: only each instance's recent grants are read, as the single
    // instance's table reads its last 8. A value among the 8 newest was granted within its
    // instances' last 32 grants unless 32 newer values came within a few milliseconds.
    let mut values: std::collections::BTreeMap<LockValue, (Micros, Vec<(Micros, NodeId)>)> =
        Default::default();
    for &(i, s) in &servers {
        for &(v, at) in s.grants.iter().rev().take(32) {
            let e = values.entry(v).or_insert((at, Vec::new()));
            e.0 = e.0.min(at);
            e.1.push((at, i));
        }
    }
    let mut rows: Vec<_> = values.into_iter().collect();
    rows.sort_by_key(|(v, (first, _))| (std::cmp::Reverse(*first), std::cmp::Reverse(*v)));
    let quorum = config.quorum() as usize;
    let ids =
        |ids: &mut dyn Iterator<Item = NodeId>| ids.map(|i| format!("n{i}")).collect::<Vec<_>>().join(" ");
    let rows = rows
        .into_iter()
        .take(8)
        .map(|(v, (_, mut grants))| {
            grants.sort();
            let majority = match grants.get(quorum - 1) {
                Some(&(at, _)) => format!("majority at {}", fmt_time(at)),
                None => "no majority".into(),
            };
            let keeps =
                ids(&mut servers.iter().filter(|(_, s)| s.key.is_some_and(|k| k.0 == v)).map(|&(i, _)| i));
            vec![
                format!("n{}", v.client),
                v.to_string(),
                format!("{} ({majority})", ids(&mut grants.iter().map(|g| g.1))),
                if keeps.is_empty() { "expired or replaced".into() } else { format!("held on {keeps}") },
            ]
        })
        .collect();
    Some(Panel {
        title: format!(
            "The lock key on the {} Redis instances (n1..n{}): every value SET NX granted, newest first; a value needs {quorum}",
            servers.len(),
            servers.len()
        ),
        columns: ["owner", "value", "set on", "key"].map(String::from).to_vec(),
        rows,
    })
}
