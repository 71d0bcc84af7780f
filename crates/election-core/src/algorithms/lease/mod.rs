//! # Lease locks with fencing tokens (Chubby, etcd leases, Redis `SET NX PX`)
//!
//! Many systems do not run a consensus protocol among their own instances: they ask a lock
//! service for a **lease** — a lock that expires unless renewed — and whoever holds it acts as
//! the leader (runs the cron job, writes to storage). The cluster here is:
//!
//! * `n1`, the **lock service** (one node standing for Chubby, an etcd cluster or Redis; it
//!   can crash like any node). It grants the lock to one client at a time with a TTL and a
//!   **fencing token** that increases with every grant (Chubby's sequencer, etcd's revision).
//!   The token counter is durable; after a restart the service waits one TTL before granting,
//!   so that leases granted before the crash have expired. That is a single lock server that
//!   lost its lease table (as a Redis instance without persistence does), not Chubby: Chubby
//!   replicates its state across five replicas, a new master keeps the locks and extends
//!   every lease, and the 45 s *grace period* is on the client side, which holds its
//!   operations while it waits to reach the new master (OSDI 2006 §2.8). Neither the
//!   replication nor the client's grace period is modelled; the production preset takes
//!   Chubby's 12 s lease and one-minute lock-delay only.
//!   Optional **lock-delay** (Chubby): after a lease *expires* (not released), nobody else may
//!   take the lock for a while.
//! * `n2`, a **storage** node that clients write to. With **fencing on** it remembers the
//!   highest token it has accepted and rejects writes with a lower one.
//! * `n3..`, **clients** that all want the lock. The holder renews with keepalives every
//!   `keepalive` and, once per period, runs its job: it checks its lease, works for `job`
//!   milliseconds, then writes the result to storage with its token.
//!
//! ## The lesson (Kleppmann, "How to do distributed locking", 2016)
//! A lease is only a promise about time. Client 1 gets token 33, checks its lease, starts the
//! job and stalls in a GC pause longer than the TTL. The lease expires; client 2 gets token 34
//! and writes. Client 1 wakes up and — having checked before the pause — writes with 33.
//! With fencing the storage rejects 33 < 34. Without it the stale write is accepted and the
//! monitor flags the conflicting writes. The same failure runs a cron job twice in a period.
//!
//! ## Invariants
//! * Fencing tokens granted by the service strictly increase.
//! * Tokens accepted by storage never decrease (violated only with fencing off: the planted
//!   unsafe configuration).
//! * A periodic job never runs twice at once: within a period, storage never accepts a write
//!   with a lower token after one with a higher token (a stale instance still running).
//!
//! ## References
//! * M. Burrows, *The Chubby lock service*, OSDI 2006, §2.4 (sequencers, lock-delay).
//! * M. Kleppmann, *How to do distributed locking*, 2016, and *Designing Data-Intensive
//!   Applications*, ch. 8 "The leader and the lock" (tokens 33 and 34 come from there).
//! * etcd `concurrency.Mutex` / lease keepalive; Redis `SET key value NX PX ttl`.

mod message;
mod monitor;
#[cfg(test)]
mod tests;

pub use message::{LeaseMsg, LeaseTimer};
pub use monitor::LeaseMonitor;

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::Nodes;
use crate::engine::protocol::{Ctx, Protocol, Status};
use crate::engine::settings::{Broken, Field, Rule, Settings, millis, number, on_off, parse_rules};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId, fmt_time, ms};
use crate::engine::view::Role;
use crate::engine::view::{NodeView, Panel};

/// The lock service's node id.
pub const SERVICE: NodeId = 1;
/// The storage node's id.
pub const STORAGE: NodeId = 2;

/// Lease settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaseConfig {
    /// Lease time-to-live.
    pub ttl_ms: u64,
    /// Keepalive (renewal) interval of the holder.
    pub keepalive_ms: u64,
    /// Chubby lock-delay after an expiry (0 = off).
    pub lock_delay_ms: u64,
    /// Storage rejects tokens lower than the highest it accepted.
    pub fencing: bool,
    /// The job runs once per period.
    pub period_ms: u64,
    /// How long the job works between checking the lease and writing.
    pub job_ms: u64,
    /// The first token the service hands out (33 to replay Kleppmann's example).
    pub first_token: u64,
    /// Rules of [`RULES`] broken on purpose that have no setting of their own (none by default).
    #[serde(skip_serializing_if = "Broken::is_empty")]
    pub broken: Broken,
}

/// Rule [`RULES`]`[0]`: storage checks fencing tokens (the setting `fencing=off` breaks it).
pub const NO_FENCING: usize = 0;
/// Rule [`RULES`]`[1]`: a client's lease counts from when it sent the request.
pub const EXPIRY_FROM_RECEIVE: usize = 1;

/// The rules of the lease lock that `break=` can switch off, each caught by [`LeaseMonitor`].
/// The names `break=` takes, in the order of [`RULES`].
pub const RULE_NAMES: &[&str] = &["no-fencing", "expiry-from-receive"];

pub const RULES: &[Rule] = &[
    Rule {
        name: RULE_NAMES[0],
        what: "storage rejects a write whose fencing token is below the highest it has accepted; broken (the setting fencing=off), a stale holder's write lands",
        source: "Chubby (OSDI 2006) §2.4, sequencers; Kleppmann, How to do distributed locking (2016), tokens 33 and 34",
    },
    Rule {
        name: RULE_NAMES[1],
        what: "a client measures its lease from when it sent the request, so it expires no later than the service's; broken, from when the reply arrived, outliving it",
        source: "Chubby (OSDI 2006) §2.8, the client's lease timeout is a conservative approximation of the master's; Redis distlock (Redlock) step 4, validity minus the time elapsed since step 1",
    },
];

impl Default for LeaseConfig {
    fn default() -> Self {
        LeaseConfig {
            ttl_ms: 500,
            keepalive_ms: 150,
            lock_delay_ms: 0,
            fencing: true,
            period_ms: 300,
            job_ms: 40,
            first_token: 1,
            broken: Broken::NONE,
        }
    }
}

impl Settings for LeaseConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::millis("ttl", "Lease TTL", self.ttl_ms),
            Field::millis("keepalive", "Keepalive interval", self.keepalive_ms),
            Field::millis("lock-delay", "Lock-delay (Chubby §2.4)", self.lock_delay_ms),
            Field::toggle("fencing", "Fencing tokens at storage", self.fencing),
            Field::millis("period", "Job period", self.period_ms),
            Field::millis("job", "Job duration", self.job_ms),
            Field::number("first-token", "First token", self.first_token),
        ]
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "ttl" => self.ttl_ms = millis(key, v)?,
            "keepalive" => self.keepalive_ms = millis(key, v)?,
            "lock-delay" => self.lock_delay_ms = millis(key, v)?,
            "fencing" => self.fencing = on_off(key, v)?,
            "period" => self.period_ms = millis(key, v)?,
            "job" => self.job_ms = millis(key, v)?,
            "first-token" => self.first_token = number(key, v)?,
            "break" => {
                // no-fencing is the setting fencing=off; the others are kept as bits.
                self.broken = Broken::NONE;
                for i in parse_rules("lease", RULE_NAMES, v)? {
                    match i {
                        NO_FENCING => self.fencing = false,
                        i => self.broken = self.broken.with(i),
                    }
                }
            }
            _ => return Err(format!("unknown setting '{key}' for lease")),
        }
        Ok(())
    }

    fn broken(&self) -> Vec<&'static str> {
        let mut b = if self.fencing { Broken::NONE } else { Broken::NONE.with(NO_FENCING) };
        for i in 0..RULE_NAMES.len() {
            if self.broken.has(i) {
                b = b.with(i);
            }
        }
        b.names(RULE_NAMES)
    }

    fn break_setting(&self) -> Option<String> {
        (!self.broken.is_empty()).then(|| self.broken.names(RULE_NAMES).join(","))
    }
}

type LeaseCtx<'a> = Ctx<'a, LeaseMsg, LeaseTimer>;

/// One write that reached storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteRecord {
    /// When it arrived.
    pub at: Micros,
    /// The period in which the job's result was written.
    pub period: u64,
    /// Writer.
    pub client: NodeId,
    /// Its token.
    pub token: u64,
    /// Accepted by storage?
    pub accepted: bool,
}

/// The lock service's state.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// Durable: the next token to hand out.
    next_token: u64,
    holder: Option<(NodeId, u64)>,
    expires_at: Micros,
    no_grant_until: Micros,
    /// Every grant: (token, client, at).
    // A grant per new holder: few enough that checkpoints may copy them.
    grants: Vec<(u64, NodeId, Micros)>,
}

/// The storage node's state.
#[derive(Debug, Clone, Default)]
pub struct Storage {
    max_token: u64,
    writes: SharedLog<WriteRecord>,
    accepted: usize,
}

/// A client's state.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// (token, local expiry) while the client believes it holds the lock.
    lease: Option<(u64, Micros)>,
    acquiring: bool,
    acquire_sent_at: Micros,
    /// The job in progress: (token, period).
    job: Option<(u64, u64)>,
    jobs_run: u64,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum Part {
    /// The lock service (n1).
    Service(Service),
    /// The storage (n2).
    Storage(Storage),
    /// A client (n3..).
    Client(Client),
}

/// One node of the lease scenario.
#[derive(Debug, Clone)]
pub struct Lease {
    id: NodeId,
    config: LeaseConfig,
    part: Part,
}

impl Lease {
    /// The storage's write log (empty for other nodes).
    pub fn writes(&self) -> &SharedLog<WriteRecord> {
        static NONE: SharedLog<WriteRecord> = SharedLog::new();
        match &self.part {
            Part::Storage(s) => &s.writes,
            _ => &NONE,
        }
    }

    /// A client in the middle of its job (checked the lease, not yet written).
    pub fn job_in_progress(&self) -> bool {
        matches!(&self.part, Part::Client(c) if c.job.is_some())
    }

    fn ttl(&self) -> Micros {
        ms(self.config.ttl_ms)
    }

    fn schedule_job(&self, ctx: &mut LeaseCtx<'_>) {
        ctx.schedule_job(LeaseTimer::Job, self.config.period_ms);
    }

    fn acquire(&mut self, ctx: &mut LeaseCtx<'_>) {
        if let Part::Client(c) = &mut self.part {
            // A retry while an earlier request is unanswered keeps the earlier send time: the
            // grant may answer that one, and the lease must not count from later than it.
            if !c.acquiring {
                c.acquire_sent_at = ctx.now;
            }
            c.acquiring = true;
            ctx.send(SERVICE, LeaseMsg::Acquire);
            // No answer (service down, message lost)? Ask again later.
            self.retry_later(ctx);
        }
    }

    fn retry_later(&self, ctx: &mut LeaseCtx<'_>) {
        let t = ctx.random_between(ms(100), ms(200));
        ctx.set_timer(LeaseTimer::Retry, t);
    }

    fn service(&mut self, ctx: &mut LeaseCtx<'_>, from: NodeId, msg: LeaseMsg) {
        let ttl = self.ttl();
        let Part::Service(s) = &mut self.part else { return };
        match msg {
            LeaseMsg::Acquire => {
                if s.holder.is_none() && ctx.now >= s.no_grant_until {
                    let token = s.next_token;
                    s.next_token += 1;
                    s.holder = Some((from, token));
                    s.expires_at = ctx.now.saturating_add(ttl);
                    s.grants.push((token, from, ctx.now));
                    ctx.note(format!("grants the lock to n{from} with fencing token {token}"));
                    ctx.send(from, LeaseMsg::Granted { token, ttl_ms: ttl / 1_000 });
                    ctx.set_timer(LeaseTimer::Expiry, ttl);
                } else {
                    ctx.send(from, LeaseMsg::Busy { holder: s.holder.map(|h| h.0) });
                }
            }
            LeaseMsg::Renew { token, sent_at } => {
                if s.holder == Some((from, token)) && ctx.now < s.expires_at {
                    s.expires_at = ctx.now.saturating_add(ttl);
                    ctx.set_timer(LeaseTimer::Expiry, ttl);
                    ctx.send(from, LeaseMsg::Renewed { token, sent_at });
                } else {
                    ctx.send(from, LeaseMsg::Lost { token });
                }
            }
            _ => {}
        }
    }

    fn storage(&mut self, ctx: &mut LeaseCtx<'_>, from: NodeId, msg: LeaseMsg) {
        let fencing = self.config.fencing;
        let Part::Storage(s) = &mut self.part else { return };
        if let LeaseMsg::Write { token, period } = msg {
            let accepted = !fencing || token >= s.max_token;
            if accepted {
                if token < s.max_token {
                    ctx.note(format!(
                        "accepts n{from}'s write with stale token {token} (highest seen {}): fencing is off",
                        s.max_token
                    ));
                } else {
                    ctx.note(format!("accepts n{from}'s write for period {period} with token {token}"));
                }
                s.max_token = s.max_token.max(token);
            } else {
                ctx.note(format!("rejects n{from}'s write: token {token} < {} (fenced off)", s.max_token));
            }
            s.writes.push(WriteRecord { at: ctx.now, period, client: from, token, accepted });
            s.accepted += usize::from(accepted);
            ctx.send(from, LeaseMsg::WriteResult { token, accepted });
        }
    }

    fn client(&mut self, ctx: &mut LeaseCtx<'_>, msg: LeaseMsg) {
        let ttl = self.ttl();
        let keepalive = ms(self.config.keepalive_ms);
        let from_receive = self.config.broken.has(EXPIRY_FROM_RECEIVE);
        let Part::Client(c) = &mut self.part else { return };
        match msg {
            LeaseMsg::Granted { token, .. } => {
                // Conservative: the lease counts from when the request was sent (with rule
                // expiry-from-receive broken, from now, which outlives the service's lease).
                let start = if from_receive { ctx.now } else { c.acquire_sent_at };
                c.lease = Some((token, start.saturating_add(ttl)));
                c.acquiring = false;
                ctx.cancel_timer(LeaseTimer::Retry);
                ctx.note(format!("holds the lock with token {token}: it is the leader"));
                ctx.set_timer(LeaseTimer::Keepalive, keepalive);
                self.schedule_job(ctx);
            }
            LeaseMsg::Busy { .. } => {
                c.acquiring = false;
                self.retry_later(ctx);
            }
            LeaseMsg::Renewed { token, sent_at } => {
                if let Some((t, exp)) = &mut c.lease
                    && *t == token
                {
                    // The renewal counts from when the request it answers was sent (the
                    // service extended no earlier than that), not from the latest renewal
                    // sent: that one may be lost while an earlier answer arrives late. A late
                    // answer never shortens the lease a later one gave.
                    let start = if from_receive { ctx.now } else { sent_at };
                    *exp = (*exp).max(start.saturating_add(ttl));
                }
            }
            LeaseMsg::Lost { token } if c.lease.is_some_and(|(t, _)| t == token) => {
                c.lease = None;
                ctx.note(format!("learns its lease (token {token}) is gone"));
                ctx.cancel_timer(LeaseTimer::Keepalive);
                self.acquire(ctx);
            }
            _ => {}
        }
    }
}

impl Protocol for Lease {
    type Msg = LeaseMsg;
    type Timer = LeaseTimer;
    type Config = LeaseConfig;
    type Monitor = LeaseMonitor;

    fn monitor(_config: &Self::Config) -> Self::Monitor {
        Self::Monitor::default()
    }

    const ID: &'static str = "lease";
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "Lease + fencing";
    const TAGLINE: &'static str = "n1 grants a lease with a fencing token, n2 stores the job's writes, n3.. compete. Pause the holder mid-job and turn fencing off.";
    const MIN_NODES: usize = 3;
    const CLIENT_LOG: bool = false;

    fn production() -> Option<LeaseConfig> {
        Some(LeaseConfig {
            // Chubby (Burrows, OSDI 2006, §2.8): "the default lease extension is 12 s".
            ttl_ms: 12_000,
            // Renewal at a third of the lease, as etcd's client does (clientv3 lease.go
            // recvKeepAlive: next keep-alive at TTL/3); Chubby's KeepAlive is a blocking call.
            keepalive_ms: 4_000,
            // Chubby §2.4: lock-delay "up to some bound, currently one minute".
            lock_delay_ms: 60_000,
            ..LeaseConfig::default()
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "lease 12 s: Chubby (OSDI 2006) §2.8, default lease extension",
        "renewal at a third of the lease: etcd clientv3 lease.go recvKeepAlive",
        "lock-delay one minute: Chubby §2.4, its upper bound",
    ];
    const TERM_LABEL: Option<&'static str> = Some("token");

    fn validate(c: &LeaseConfig, nodes: usize) -> Result<(), Error> {
        if nodes < 3 {
            return Err(Error::Invalid {
                what: "lease lock",
                reason: "needs at least 3 nodes: n1 the lock service, n2 the storage, n3.. clients".into(),
            });
        }
        crate::engine::settings::check_millis(
            &[("ttl", c.ttl_ms), ("keepalive", c.keepalive_ms), ("period", c.period_ms)],
            60_000,
        )?;
        if c.job_ms > 60_000 || c.lock_delay_ms > 60_000 {
            return Err(Error::Invalid {
                what: "lease timing",
                reason: "the job and the lock-delay must be at most 60000 ms".into(),
            });
        }
        crate::engine::settings::check_shorter(
            ("keepalive", c.keepalive_ms),
            ("ttl", c.ttl_ms),
            "the lease would expire before each renewal",
        )?;
        if c.first_token > u64::MAX / 2 {
            return Err(Error::Invalid {
                what: "first token",
                reason: format!("must be at most {}", u64::MAX / 2),
            });
        }
        Ok(())
    }

    fn new(id: NodeId, _peers: &[NodeId], config: &LeaseConfig) -> Self {
        let part = match id {
            SERVICE => Part::Service(Service { next_token: config.first_token, ..Service::default() }),
            STORAGE => Part::Storage(Storage::default()),
            _ => Part::Client(Client::default()),
        };
        Lease { id, config: config.clone(), part }
    }

    fn on_start(&mut self, ctx: &mut LeaseCtx<'_>) {
        let ttl = self.ttl();
        match &mut self.part {
            Part::Service(s) => {
                // After a restart, leases granted before the crash may still be held: wait a
                // TTL before granting (a first boot at t=0 has nothing to wait for).
                if ctx.now > 0 {
                    s.no_grant_until = ctx.now.saturating_add(ttl);
                    ctx.note(format!(
                        "restarts; grants nothing until {} (one TTL)",
                        fmt_time(ctx.now.saturating_add(ttl))
                    ));
                }
            }
            Part::Storage(_) => {}
            Part::Client(_) => self.acquire(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut LeaseCtx<'_>, from: NodeId, msg: LeaseMsg) {
        match self.part {
            Part::Service(_) => self.service(ctx, from, msg),
            Part::Storage(_) => self.storage(ctx, from, msg),
            Part::Client(_) => self.client(ctx, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut LeaseCtx<'_>, timer: LeaseTimer) {
        let (lock_delay, keepalive, job_ms) =
            (ms(self.config.lock_delay_ms), ms(self.config.keepalive_ms), ms(self.config.job_ms));
        let period = ctx.job_period(self.config.period_ms);
        match (&mut self.part, timer) {
            (Part::Service(s), LeaseTimer::Expiry) => {
                if let Some((h, token)) = s.holder
                    && ctx.now >= s.expires_at
                {
                    s.holder = None;
                    s.no_grant_until = s.no_grant_until.max(ctx.now.saturating_add(lock_delay));
                    if lock_delay > 0 {
                        ctx.note(format!(
                            "n{h}'s lease (token {token}) expired; lock-delay until {}",
                            fmt_time(ctx.now.saturating_add(lock_delay))
                        ));
                    } else {
                        ctx.note(format!("n{h}'s lease (token {token}) expired"));
                    }
                }
            }
            (Part::Client(c), LeaseTimer::Retry) if c.lease.is_none() => self.acquire(ctx),
            (Part::Client(c), LeaseTimer::Keepalive) => {
                if let Some((token, exp)) = c.lease {
                    if ctx.now >= exp {
                        c.lease = None;
                        ctx.note(format!("sees its lease (token {token}) has expired"));
                        self.acquire(ctx);
                    } else {
                        ctx.send(SERVICE, LeaseMsg::Renew { token, sent_at: ctx.now });
                        // Wake up at the next renewal, or when the lease would run out.
                        ctx.set_timer(LeaseTimer::Keepalive, keepalive.min(exp - ctx.now));
                    }
                }
            }
            (Part::Client(c), LeaseTimer::Job) => {
                match c.lease {
                    Some((token, exp)) if ctx.now < exp => {
                        c.job = Some((token, period));
                        c.jobs_run += 1;
                        ctx.note(format!(
                            "checks its lease (token {token}, valid) and starts the job for period {period}"
                        ));
                        ctx.set_timer(LeaseTimer::JobDone, job_ms);
                    }
                    _ => {}
                }
                if c.lease.is_some() {
                    self.schedule_job(ctx);
                }
            }
            (Part::Client(c), LeaseTimer::JobDone) => {
                // The trap: the lease was checked when the job started, not now. The result
                // lands in the period in which it is written.
                if let Some((token, _started_in)) = c.job.take() {
                    ctx.note(format!("finishes the job and writes with token {token}"));
                    ctx.send(STORAGE, LeaseMsg::Write { token, period });
                }
            }
            _ => {}
        }
    }

    fn on_request(&mut self, ctx: &mut LeaseCtx<'_>, request: Request) {
        match (&self.part, request) {
            (Part::Client(c), Request::ClientWrite { .. }) => match c.lease {
                Some((token, exp)) if ctx.now < exp => {
                    let period = ctx.job_period(self.config.period_ms);
                    ctx.note(format!("writes now with token {token}"));
                    ctx.send(STORAGE, LeaseMsg::Write { token, period });
                }
                _ => ctx.note("does not hold the lock; it does not write"),
            },
            (Part::Client(_), Request::Timeout) => {
                ctx.note("tries to acquire the lock now");
                self.acquire(ctx);
            }
            _ => ctx.note("only clients act on requests here"),
        }
    }

    /// Clients and the service lose their volatile state; the service keeps its token
    /// counter and storage keeps its data.
    fn on_crash(&mut self) {
        match &mut self.part {
            Part::Service(s) => {
                s.holder = None;
                s.expires_at = 0;
            }
            Part::Storage(_) => {}
            Part::Client(c) => *c = Client::default(),
        }
    }

    fn status(&self) -> Status {
        match &self.part {
            Part::Service(s) => Status {
                role: Role::Follower,
                term: s.next_token.saturating_sub(1),
                leader: s.holder.map(|h| h.0),
            },
            Part::Storage(s) => Status { role: Role::Follower, term: s.max_token, leader: None },
            Part::Client(c) => match c.lease {
                Some((t, _)) => Status { role: Role::Leader, term: t, leader: Some(self.id) },
                // A client without the lock is always campaigning for it.
                None => Status { role: Role::Candidate, term: 0, leader: None },
            },
        }
    }

    fn watched_timer(&self) -> Option<LeaseTimer> {
        match &self.part {
            Part::Service(_) => Some(LeaseTimer::Expiry),
            Part::Client(c) if c.job.is_some() => Some(LeaseTimer::JobDone),
            Part::Client(_) => Some(LeaseTimer::Job),
            Part::Storage(_) => None,
        }
    }

    fn is_routine_timer(timer: LeaseTimer) -> bool {
        matches!(timer, LeaseTimer::Keepalive | LeaseTimer::Retry)
    }

    fn summary(&self) -> String {
        match &self.part {
            Part::Service(s) => match s.holder {
                Some((h, t)) => format!("holder=n{h} token={t} expires={}", fmt_time(s.expires_at)),
                None => "holder=-".into(),
            },
            Part::Storage(s) => {
                let ok = s.accepted;
                format!("max-token={} accepted={ok} rejected={}", s.max_token, s.writes.len() - ok)
            }
            Part::Client(c) => match c.lease {
                Some((t, exp)) => format!("lease=token {t} until {}", fmt_time(exp)),
                None => "lease=-".into(),
            },
        }
    }

    fn describe(&self, view: &mut NodeView) {
        match &self.part {
            Part::Service(s) => {
                view.tag = "lock service".into();
                view.details.push(("next token".into(), s.next_token.to_string()));
                if let Some((h, t)) = s.holder {
                    view.details.push((
                        "holder".into(),
                        format!("n{h}, token {t}, until {}", fmt_time(s.expires_at)),
                    ));
                }
                view.details.push(("grants".into(), s.grants.len().to_string()));
            }
            Part::Storage(s) => {
                view.tag = "storage".into();
                view.details.push(("highest token".into(), s.max_token.to_string()));
                view.details.push(("fencing".into(), if self.config.fencing { "on" } else { "off" }.into()));
            }
            Part::Client(c) => {
                view.tag = "client".into();
                if let Some((t, exp)) = c.lease {
                    view.details
                        .push(("lease".into(), format!("token {t}, believes valid until {}", fmt_time(exp))));
                }
                if let Some((t, p)) = c.job {
                    view.details.push(("job in progress".into(), format!("period {p} with token {t}")));
                }
                view.details.push(("jobs started".into(), c.jobs_run.to_string()));
            }
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let storage = nodes.get(usize::from(STORAGE) - 1)?;
        let rows = storage
            .proto
            .writes()
            .iter()
            .rev()
            .take(12)
            .map(|w| {
                vec![
                    fmt_time(w.at),
                    w.period.to_string(),
                    format!("n{}", w.client),
                    w.token.to_string(),
                    if w.accepted { "accepted" } else { "rejected (fenced)" }.to_string(),
                ]
            })
            .collect();
        Some(Panel {
            title: "Writes at storage (n2), newest first".into(),
            columns: ["time", "period", "client", "token", "result"].map(String::from).to_vec(),
            rows,
        })
    }
}
