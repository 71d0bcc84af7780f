//! # A Redis lock: `SET key value NX PX ttl` (no fencing token)
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
//! Time: Redis expires the key by its own clock, and each client measures its validity by its
//! own clock ([`Ctx::local`](crate::engine::protocol::Ctx), see `engine::clock`); the job's
//! schedule (the cron's periods) and what the monitor records keep true time. A clock that
//! jumps forward on the Redis node expires the key early: another client gets it while the
//! holder still believes it valid, and the job runs twice (golden
//! `clock-jump-violation`), Kleppmann's critique of timing assumptions.
//!
//! The cluster: `n1` is **Redis** (one instance), `n2` a **storage** node, `n3..` **clients**
//! running a periodic job while they hold the lock.
//!
//! ## The lesson (Kleppmann, "How to do distributed locking", 2016)
//! There is **no fencing token**: the value is random, not ordered, so storage cannot tell a
//! stale holder from the current one and accepts every write. A client that checks the lock,
//! starts its job and stalls in a GC pause longer than the TTL wakes up and writes after the
//! key expired and another client took it: **the job ran twice at once**, and the monitor flags
//! it. Compare with the ZooKeeper recipe and etcd, whose ordered znode sequence and create
//! revision let storage reject the same write.
//!
//! ## Invariants (checked after every event by [`RedisMonitor`])
//! * No client believes it holds the lock after Redis gave the key to another value.
//! * The job never runs twice at once: storage never accepts a write from a holder after Redis
//!   granted the lock to a later holder. This one is *expected* to fail under long pauses; the
//!   algorithm does not claim to survive them ([`Protocol::SURVIVES_PARTITIONS`] is false, so
//!   seed sweeps inject crashes only, on a reliable network), and the golden
//!   `gc-pause-violation` shows it.
//!
//! ## Real defaults (the production preset)
//! * TTL 30 s: the documentation's example `SET resource_name my_random_value NX PX 30000`, and
//!   Redisson's `lockWatchdogTimeout` (30 s).
//! * Refresh every 10 s: Redisson renews at `internalLockLeaseTime / 3`.
//!
//! The classroom defaults use a 500 ms TTL.
//!
//! ## References
//! * Redis documentation, *Distributed Locks with Redis* (the single-instance recipe, the
//!   extension script, random retry delays, delayed restarts); `SET` command (`NX`, `PX`).
//! * M. Kleppmann, *How to do distributed locking*, 2016, and *Designing Data-Intensive
//!   Applications*, ch. 8.
//!
//! ## Simplified or left out
//! * One instance only: **Redlock** (`N = 5` instances, a majority within the validity time)
//!   is not modelled yet; there is no `instances` setting.
//! * Redis keeps no data across a crash (no AOF with `fsync=always`); after a restart it
//!   refuses `SET` for one TTL, the documentation's *delayed restart*, so that a lock set before
//!   the crash has expired before anyone else gets it.
//! * The job may start only if it ends `margin` before the lock's validity ends; the margin
//!   covers the write's network delay, not clock drift (Redlock's drift factor is not used).

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
use crate::engine::settings::{Field, Settings, check_millis, check_shorter, millis};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId, fmt_time, ms};
use crate::engine::view::{NodeView, Panel, Role};

/// Redis's node id.
pub const REDIS: NodeId = 1;
/// The storage node's id.
pub const STORAGE: NodeId = 2;

/// Settings of the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RedisConfig {
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

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig { ttl_ms: 500, refresh_ms: 150, retry_ms: 200, margin_ms: 50, period_ms: 300, job_ms: 40 }
    }
}

impl Settings for RedisConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
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
    /// (value, valid until) while it believes it holds the lock.
    holding: Option<(LockValue, Micros)>,
    /// The job in progress: (value, period).
    job: Option<(LockValue, u64)>,
    jobs_run: u64,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum Part {
    /// Redis (n1).
    Server(Server),
    /// The storage (n2).
    Storage(Storage),
    /// A client (n3..).
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
        let p = ms(self.config.period_ms.max(1));
        let next = (ctx.now / p + 1) * p;
        ctx.set_timer(RedisTimer::Job, next - ctx.now);
    }

    fn acquire(&mut self, ctx: &mut RedisCtx<'_>) {
        let (px_ms, retry) = (self.config.ttl_ms, ms(self.config.retry_ms));
        let id = self.id;
        let Part::Client(c) = &mut self.part else { return };
        c.attempt += 1;
        let value = LockValue { client: id, attempt: c.attempt };
        ctx.send(REDIS, RedisMsg::Set { value, px_ms, sent_at: ctx.local });
        // An unanswered SET is tried again, with a new value, after a random delay.
        let delay = ctx.random_between(retry / 2, retry);
        ctx.set_timer(RedisTimer::Retry, delay.max(1));
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
            _ => {}
        }
    }

    fn client(&mut self, ctx: &mut RedisCtx<'_>, msg: RedisMsg) {
        let (ttl, refresh) = (self.ttl(), ms(self.config.refresh_ms));
        let Part::Client(c) = &mut self.part else { return };
        let current = LockValue { client: self.id, attempt: c.attempt };
        match msg {
            RedisMsg::SetOk { value, sent_at } if value == current && c.holding.is_none() => {
                // Valid for the TTL from when the SET left: Redis set it no earlier.
                c.holding = Some((value, sent_at.saturating_add(ttl)));
                ctx.cancel_timer(RedisTimer::Retry);
                ctx.note(format!("holds the lock with value {value}: it is the leader"));
                ctx.set_timer(RedisTimer::Refresh, refresh);
            }
            RedisMsg::Extended { value, ok, sent_at } => {
                let Some((v, valid)) = &mut c.holding else { return };
                if *v != value {
                    return;
                }
                if ok {
                    *valid = (*valid).max(sent_at.saturating_add(ttl));
                } else {
                    c.holding = None;
                    ctx.note(format!("learns the lock no longer holds {value}"));
                    ctx.cancel_timer(RedisTimer::Refresh);
                    self.acquire(ctx);
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
    const TAGLINE: &'static str = "n1 is Redis, n2 storage, n3.. SET the lock key with NX PX: no fencing token. Pause the holder mid-job for longer than the TTL.";
    const MIN_NODES: usize = 3;
    const CLIENT_LOG: bool = false;
    const TERM_LABEL: Option<&'static str> = None;
    // A lock without a fencing token is not safe under pauses longer than its TTL: sweeps
    // inject crashes only, on a reliable network, and the pause is a golden violation.
    const SURVIVES_PARTITIONS: bool = false;

    fn monitor(_config: &RedisConfig) -> RedisMonitor {
        RedisMonitor::default()
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
        if nodes < 3 {
            return Err(Error::Invalid {
                what: "redis",
                reason: "needs at least 3 nodes: n1 Redis, n2 the storage, n3.. clients".into(),
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
        let part = match id {
            REDIS => Part::Server(Server::default()),
            STORAGE => Part::Storage(Storage::default()),
            _ => Part::Client(Client::default()),
        };
        Redis { id, config: config.clone(), part }
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
            Part::Client(_) => self.client(ctx, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut RedisCtx<'_>, timer: RedisTimer) {
        let (ttl_ms, refresh, job, margin) = (
            self.config.ttl_ms,
            ms(self.config.refresh_ms),
            ms(self.config.job_ms),
            ms(self.config.margin_ms),
        );
        let period = ctx.now / ms(self.config.period_ms.max(1));
        match (&mut self.part, timer) {
            (Part::Server(s), RedisTimer::Expiry) => {
                if let Some((v, exp)) = s.key
                    && exp <= ctx.local
                {
                    s.key = None;
                    ctx.note(format!("lock={v} expired"));
                }
            }
            (Part::Client(c), RedisTimer::Retry) if c.holding.is_none() => self.acquire(ctx),
            (Part::Client(c), RedisTimer::Refresh) => {
                if let Some((value, valid)) = c.holding {
                    if ctx.local >= valid {
                        c.holding = None;
                        ctx.note(format!("sees its lock {value} has run out"));
                        self.acquire(ctx);
                    } else {
                        ctx.send(REDIS, RedisMsg::Extend { value, px_ms: ttl_ms, sent_at: ctx.local });
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
                if let Some((value, _)) = c.job.take() {
                    ctx.note(format!("finishes the job and writes (lock value {value})"));
                    ctx.send(STORAGE, RedisMsg::Write { value, period });
                }
            }
            _ => {}
        }
    }

    fn on_request(&mut self, ctx: &mut RedisCtx<'_>, request: Request) {
        let margin = ms(self.config.margin_ms);
        let period = ctx.now / ms(self.config.period_ms.max(1));
        match (&self.part, request) {
            (Part::Client(c), Request::ClientWrite { .. }) => match c.holding {
                Some((value, valid)) if ctx.local.saturating_add(margin) <= valid => {
                    ctx.note(format!("writes now (lock value {value})"));
                    ctx.send(STORAGE, RedisMsg::Write { value, period });
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
                view.details.push(("jobs started".into(), c.jobs_run.to_string()));
            }
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let server = nodes.first()?;
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
