//! # etcd's election recipe (`concurrency.Election.Campaign`)
//!
//! The Go client of etcd ships leader election as a library, `client/v3/concurrency`:
//!
//! 1. a candidate opens a **session**: a lease with a TTL (`NewSession`, 60 s by default,
//!    `defaultSessionTTL`) that the client keeps alive, sending a keep-alive every third of
//!    the TTL (`clientv3` lease.go: the next keep-alive at `TTL/3` after an answer);
//! 2. `Campaign` puts the key `<prefix>/<lease id>` with that lease, in a transaction that
//!    only creates it if absent; the key's **create revision** (etcd's global revision at the
//!    put) orders the candidates: the lowest leads;
//! 3. `waitDeletes` waits until every key under the prefix with a lower create revision is
//!    deleted: it gets the key with the largest create revision below its own
//!    (`WithLastCreate`, `WithMaxCreateRev`), watches it until a `DELETE` event, and repeats.
//!    When none is left, `Campaign` returns: the candidate leads.
//!
//! A lease that is not kept alive expires after its TTL, and etcd deletes the keys attached
//! to it: the next candidate's `waitDeletes` sees the `DELETE` and it leads. The structure is
//! ZooKeeper's recipe again (ordered keys, watch the predecessor, ephemeral by lease), with a
//! revision instead of a sequence number.
//!
//! The cluster: `n1` is **etcd** (one member standing for the cluster, which [`raft`]
//! models), `n2` a **storage** node, `n3..` **candidates** that run a periodic job while they
//! lead.
//!
//! ## The lesson
//! A leader is only a leader while its lease lives, and a lease is a promise about time. The
//! candidate counts its lease from when it sent the keep-alive the server answered, so it
//! never believes in a lease the server has already expired. But a process that stalls (a GC
//! pause) longer than the TTL wakes up believing what it believed before, and finishes the job
//! it started. The leader key's **create revision is the fencing token** (`Election.Rev()`):
//! storage rejects a revision lower than one it has accepted. `break=no-fencing` (the setting
//! `fencing=off`) lets the stale write land, and the monitor flags it.
//!
//! ## Time
//! etcd's lessor times leases with Go's monotonic clock (`lease/lessor.go`: `refresh` sets
//! `expiry = time.Now().Add(...)`, `Remaining` is `time.Until(expiry)`, and both readings carry
//! the monotonic clock), and the client's keep-alive loop uses Go timers. So leases and
//! deadlines here run on each node's clock rate ([`Ctx::local`](crate::engine::protocol::Ctx),
//! `engine::clock`) and a jump of the wall clock moves none of them
//! ([`Protocol::monotonic_clock`]). A clock that runs fast still expires a lease early in true
//! time; the monitor judges beliefs in true time.
//!
//! ## Invariants (checked after every event by [`EtcdMonitor`])
//! * Create revisions of campaign keys strictly increase.
//! * At most one candidate leads with a given create revision, and none believes it leads
//!   after etcd deleted its key.
//! * Storage never accepts a lower revision after a higher one (violated only with
//!   `no-fencing`); with fencing on a paused ex-leader's stale write is *rejected*.
//!
//! ## Real defaults (the production preset)
//! * Session TTL 60 s: `defaultSessionTTL` in `client/v3/concurrency/session.go`.
//! * Keep-alive every `TTL/3` = 20 s: `clientv3` lease.go (`recvKeepAlive`,
//!   `nextKeepAlive := time.Now().Add(1 + time.Duration(karesp.TTL/3)*time.Second)`).
//!
//! The classroom defaults use a 600 ms TTL, so that a failover takes a second.
//!
//! ## References
//! * etcd, `client/v3/concurrency/election.go` (`Campaign`, `Resign`, `Rev`), `key.go`
//!   (`waitDeletes`, `waitDelete`), `session.go` (`NewSession`, `defaultSessionTTL`).
//! * etcd, `client/v3/lease.go` (keep-alive at a third of the TTL).
//! * M. Kleppmann, *How to do distributed locking*, 2016 (fencing tokens).
//!
//! ## Simplified or left out
//! * One etcd member stands for the cluster; its keys and leases are durable, its watches are
//!   not. After a restart every lease gets a fresh TTL, as a new etcd leader's lessor gives
//!   them (`Promote`).
//! * The client counts its lease from the send time of the answered keep-alive; clientv3 sets
//!   its deadline at the answer's arrival, which can outlive the server's lease by a network
//!   delay. When the lease's deadline passes, the candidate starts a new session and campaigns
//!   again (what an application does when `Session.Done()` closes).
//! * Watches are streams in etcd; here a waiting candidate sends its watch again with every
//!   keep-alive, and etcd answers at once if the key is already gone (a watch from a revision
//!   sees deletions since).
//! * `Proclaim`, `Observe` and values are left out; no clock drift.
//!
//! [`raft`]: crate::algorithms::raft

mod message;
mod monitor;
#[cfg(test)]
mod tests;

pub use message::{EtcdMsg, EtcdTimer, key};
pub use monitor::EtcdMonitor;

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Nodes, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::{Field, Rule, Settings, check_millis, millis, on_off, parse_rules};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId, fmt_time, ms};
use crate::engine::view::{NodeView, Panel, Role};

/// etcd's node id.
pub const ETCD: NodeId = 1;
/// The storage node's id.
pub const STORAGE: NodeId = 2;

/// Settings of the recipe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EtcdConfig {
    /// The session's lease TTL.
    pub ttl_ms: u64,
    /// Storage rejects revisions lower than the highest it accepted (`break=no-fencing` clears it).
    pub fencing: bool,
    /// The job runs once per period.
    pub period_ms: u64,
    /// How long the job works between checking leadership and writing.
    pub job_ms: u64,
}

impl Default for EtcdConfig {
    fn default() -> Self {
        EtcdConfig { ttl_ms: 600, fencing: true, period_ms: 300, job_ms: 40 }
    }
}

/// Rule [`RULES`]`[0]`: storage checks the fencing token (the setting `fencing=off` breaks it).
pub const NO_FENCING: usize = 0;

/// The names `break=` takes, in the order of [`RULES`].
pub const RULE_NAMES: &[&str] = &["no-fencing"];

/// The rules of the recipe that `break=` can switch off, each caught by [`EtcdMonitor`].
pub const RULES: &[Rule] = &[Rule {
    name: RULE_NAMES[0],
    what: "storage rejects a write whose token (the leader key's create revision) is below the highest it has accepted; broken (the setting fencing=off), a paused ex-leader's stale write lands",
    source: "etcd client/v3/concurrency/election.go, Election.Rev (the leader key's creation revision); Kleppmann, How to do distributed locking (2016), fencing tokens",
}];

impl Settings for EtcdConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::millis("ttl", "Session lease TTL (keep-alive every TTL/3)", self.ttl_ms),
            Field::toggle("fencing", "Fencing by create revision at storage", self.fencing),
            Field::millis("period", "Job period", self.period_ms),
            Field::millis("job", "Job duration", self.job_ms),
        ]
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "ttl" => self.ttl_ms = millis(key, v)?,
            "fencing" => self.fencing = on_off(key, v)?,
            "period" => self.period_ms = millis(key, v)?,
            "job" => self.job_ms = millis(key, v)?,
            "break" => {
                // The one rule is the setting fencing=off.
                self.fencing = true;
                for i in parse_rules("etcd", RULE_NAMES, v)? {
                    if i == NO_FENCING {
                        self.fencing = false;
                    }
                }
            }
            _ => return Err(format!("unknown setting '{key}' for etcd")),
        }
        Ok(())
    }

    fn broken(&self) -> Vec<&'static str> {
        if self.fencing { Vec::new() } else { vec![RULE_NAMES[NO_FENCING]] }
    }
}

type EtcdCtx<'a> = Ctx<'a, EtcdMsg, EtcdTimer>;

/// One write that reached storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteRecord {
    /// When it arrived.
    pub at: Micros,
    /// The period in which it was written.
    pub period: u64,
    /// Writer.
    pub client: NodeId,
    /// Its token (the writer's key's create revision).
    pub token: u64,
    /// Accepted by storage?
    pub accepted: bool,
}

/// A lease at the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// Lease id.
    pub id: u64,
    /// The candidate that asked for it.
    pub owner: NodeId,
    /// When it expires unless kept alive.
    pub expires_at: Micros,
}

/// A campaign key `election/<lease>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The lease it is attached to (and named after).
    pub lease: u64,
    /// The candidate of that lease.
    pub owner: NodeId,
    /// The revision of the put that created it.
    pub create_rev: u64,
}

/// etcd's state.
#[derive(Debug, Clone, Default)]
pub struct Server {
    /// The store's revision (durable): every put and delete increments it.
    revision: u64,
    next_lease: u64,
    leases: Vec<Lease>,
    /// Keys under the prefix, in create-revision order.
    keys: Vec<Key>,
    /// Watches on keys: (the watched key's lease, its create revision, watcher). Volatile.
    watches: Vec<(u64, u64, NodeId)>,
    /// Every key created: (create revision, owner, at), for the monitor.
    created: Vec<(u64, NodeId, Micros)>,
    /// Every key deleted: (create revision, at), for the monitor.
    deleted: Vec<(u64, Micros)>,
}

impl Server {
    fn lease(&self, id: u64) -> Option<usize> {
        self.leases.iter().position(|l| l.id == id)
    }

    /// Deletes the key of `lease` (if any) and notifies its watchers.
    fn delete_key(&mut self, ctx: &mut EtcdCtx<'_>, lease: u64) {
        let Some(i) = self.keys.iter().position(|k| k.lease == lease) else { return };
        let k = self.keys.remove(i);
        self.revision += 1;
        self.deleted.push((k.create_rev, ctx.now));
        for &(w, rev, watcher) in &self.watches {
            if w == lease && rev == k.create_rev {
                ctx.send(watcher, EtcdMsg::Deleted { key: lease, rev });
            }
        }
        self.watches.retain(|w| w.0 != lease);
    }

    /// Arms the expiry timer for the earliest lease.
    fn arm_expiry(&self, ctx: &mut EtcdCtx<'_>) {
        if let Some(first) = self.leases.iter().map(|l| l.expires_at).min() {
            ctx.set_timer(EtcdTimer::Expiry, first.saturating_sub(ctx.local).max(1));
        }
    }
}

/// The storage node's state.
#[derive(Debug, Clone, Default)]
pub struct Storage {
    max_token: u64,
    writes: SharedLog<WriteRecord>,
    accepted: usize,
}

/// Where a candidate is in `Campaign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Asking for a lease (`NewSession`).
    #[default]
    Granting,
    /// Putting its key (`Campaign`'s transaction).
    Campaigning,
    /// Asking for the key just below its own (`waitDeletes`).
    Checking,
    /// Waiting for the deletion of the key of this lease, created at this revision.
    Waiting(u64, u64),
    /// No key below its own: `Campaign` returned, it leads.
    Leading,
    /// Deleting its key of this create revision (`Resign`) before campaigning again.
    Resigning(u64),
}

/// A candidate's state.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    lease: Option<u64>,
    /// When it sent the latest keep-alive (or grant) etcd answered: the lease lives at least a
    /// TTL after this.
    alive_from: Micros,
    /// Its key's create revision.
    rev: Option<u64>,
    phase: Phase,
    /// The job in progress: (token, period).
    job: Option<(u64, u64)>,
    jobs_run: u64,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum Part {
    /// etcd (n1).
    Server(Server),
    /// The storage (n2).
    Storage(Storage),
    /// A candidate (n3..).
    Candidate(Candidate),
}

/// One node of the etcd election.
#[derive(Debug, Clone)]
pub struct Etcd {
    id: NodeId,
    config: EtcdConfig,
    part: Part,
}

impl Etcd {
    /// The storage's write log (empty for other nodes).
    pub fn writes(&self) -> &SharedLog<WriteRecord> {
        static NONE: SharedLog<WriteRecord> = SharedLog::new();
        match &self.part {
            Part::Storage(s) => &s.writes,
            _ => &NONE,
        }
    }

    /// A candidate in the middle of its job (checked leadership, not yet written).
    pub fn job_in_progress(&self) -> bool {
        matches!(&self.part, Part::Candidate(c) if c.job.is_some())
    }

    /// The candidate's create revision if it believes it leads.
    pub fn leading(&self) -> Option<u64> {
        match &self.part {
            Part::Candidate(c) if c.phase == Phase::Leading => c.rev,
            _ => None,
        }
    }

    fn ttl(&self) -> Micros {
        ms(self.config.ttl_ms)
    }

    /// `clientv3`: the next keep-alive a third of the TTL after the last.
    fn keepalive_interval(&self) -> Micros {
        (self.ttl() / 3).max(1)
    }

    fn schedule_job(&self, ctx: &mut EtcdCtx<'_>) {
        ctx.schedule_job(EtcdTimer::Job, self.config.period_ms);
    }

    /// Sends the request of the candidate's current step and arms the retry.
    fn send_step(&mut self, ctx: &mut EtcdCtx<'_>) {
        let retry = self.keepalive_interval();
        let ttl_ms = self.config.ttl_ms;
        let Part::Candidate(c) = &mut self.part else { return };
        let msg = match (c.phase, c.lease, c.rev) {
            (Phase::Granting, _, _) => EtcdMsg::LeaseGrant { ttl_ms, sent_at: ctx.local },
            (Phase::Campaigning, Some(lease), _) => EtcdMsg::Campaign { lease },
            (Phase::Checking, Some(lease), Some(rev)) => EtcdMsg::GetLast { lease, max_rev: rev - 1 },
            (Phase::Resigning(create_rev), Some(lease), _) => EtcdMsg::Resign { lease, create_rev },
            _ => return,
        };
        ctx.send(ETCD, msg);
        ctx.set_timer(EtcdTimer::Retry, retry);
    }

    /// Drops the session (lease gone or past its deadline) and opens a new one.
    fn new_session(&mut self, ctx: &mut EtcdCtx<'_>, why: &str) {
        let Part::Candidate(c) = &mut self.part else { return };
        if c.phase == Phase::Leading {
            ctx.note(format!("stops leading: {why}"));
        }
        ctx.note(format!("starts a new session: {why}"));
        *c = Candidate { job: c.job, jobs_run: c.jobs_run, ..Candidate::default() };
        ctx.cancel_timer(EtcdTimer::KeepAlive);
        ctx.cancel_timer(EtcdTimer::Deadline);
        self.send_step(ctx);
    }

    fn server(&mut self, ctx: &mut EtcdCtx<'_>, from: NodeId, msg: EtcdMsg) {
        let Part::Server(s) = &mut self.part else { return };
        match msg {
            EtcdMsg::LeaseGrant { ttl_ms, sent_at } => {
                s.next_lease += 1;
                let id = 0x100 + s.next_lease;
                s.leases.push(Lease { id, owner: from, expires_at: ctx.local.saturating_add(ms(ttl_ms)) });
                ctx.send(from, EtcdMsg::LeaseGranted { lease: id, ttl_ms, sent_at });
                s.arm_expiry(ctx);
            }
            EtcdMsg::KeepAlive { lease, sent_at } => {
                let ttl_ms = self.config.ttl_ms;
                match s.lease(lease) {
                    Some(i) => {
                        s.leases[i].expires_at = ctx.local.saturating_add(ms(ttl_ms));
                        ctx.send(from, EtcdMsg::KeepAliveResp { lease, ttl_ms, sent_at });
                        s.arm_expiry(ctx);
                    }
                    None => ctx.send(from, EtcdMsg::KeepAliveResp { lease, ttl_ms: 0, sent_at }),
                }
            }
            EtcdMsg::Campaign { lease } => {
                if s.lease(lease).is_none() {
                    ctx.send(from, EtcdMsg::LeaseNotFound { lease });
                    return;
                }
                // If(CreateRevision(k) = 0).Then(Put(k, lease)).Else(Get(k)): a retried
                // campaign finds its own key.
                let create_rev = match s.keys.iter().find(|k| k.lease == lease) {
                    Some(k) => k.create_rev,
                    None => {
                        s.revision += 1;
                        let rev = s.revision;
                        s.keys.push(Key { lease, owner: from, create_rev: rev });
                        s.created.push((rev, from, ctx.now));
                        ctx.note(format!("puts {} for n{from} at revision {rev}", key(lease)));
                        rev
                    }
                };
                ctx.send(from, EtcdMsg::Campaigned { lease, create_rev });
            }
            EtcdMsg::GetLast { lease, max_rev } => {
                let last = s.keys.iter().filter(|k| k.create_rev <= max_rev).max_by_key(|k| k.create_rev);
                ctx.send(from, EtcdMsg::Last { lease, max_rev, key: last.map(|k| (k.lease, k.create_rev)) });
            }
            EtcdMsg::Watch { key: watched, rev, .. } => {
                if s.keys.iter().any(|k| k.lease == watched && k.create_rev == rev) {
                    if !s.watches.contains(&(watched, rev, from)) {
                        s.watches.push((watched, rev, from));
                    }
                } else {
                    // Watching from the revision of the range request: the deletion since is
                    // delivered at once.
                    ctx.send(from, EtcdMsg::Deleted { key: watched, rev });
                }
            }
            EtcdMsg::Resign { lease, create_rev } => {
                if s.keys.iter().any(|k| k.lease == lease && k.create_rev == create_rev) {
                    s.delete_key(ctx, lease);
                }
                ctx.send(from, EtcdMsg::Resigned { lease });
            }
            _ => {}
        }
    }

    fn storage(&mut self, ctx: &mut EtcdCtx<'_>, from: NodeId, msg: EtcdMsg) {
        let fencing = self.config.fencing;
        let Part::Storage(s) = &mut self.part else { return };
        if let EtcdMsg::Write { token, period } = msg {
            let accepted = !fencing || token >= s.max_token;
            if accepted {
                if token < s.max_token {
                    ctx.note(format!(
                        "accepts n{from}'s write with stale revision {token} (highest seen {}): fencing is off",
                        s.max_token
                    ));
                } else {
                    ctx.note(format!("accepts n{from}'s write for period {period} with revision {token}"));
                }
                s.max_token = s.max_token.max(token);
            } else {
                ctx.note(format!("rejects n{from}'s write: revision {token} < {} (fenced off)", s.max_token));
            }
            s.writes.push(WriteRecord { at: ctx.now, period, client: from, token, accepted });
            s.accepted += usize::from(accepted);
            ctx.send(from, EtcdMsg::WriteResult { token, accepted });
        }
    }

    fn candidate(&mut self, ctx: &mut EtcdCtx<'_>, msg: EtcdMsg) {
        let ttl = self.ttl();
        let keepalive = self.keepalive_interval();
        let Part::Candidate(c) = &mut self.part else { return };
        let lease = match msg {
            EtcdMsg::LeaseGranted { lease, .. }
            | EtcdMsg::KeepAliveResp { lease, .. }
            | EtcdMsg::Campaigned { lease, .. }
            | EtcdMsg::LeaseNotFound { lease }
            | EtcdMsg::Last { lease, .. }
            | EtcdMsg::Resigned { lease } => Some(lease),
            _ => None,
        };
        if let EtcdMsg::LeaseGranted { lease, sent_at, .. } = msg {
            if c.phase == Phase::Granting && c.lease.is_none() {
                // The lease counts from when the request it answers was sent (perhaps by an
                // earlier session of this candidate): etcd granted it no earlier.
                c.lease = Some(lease);
                c.alive_from = sent_at;
                c.phase = Phase::Campaigning;
                ctx.set_timer(EtcdTimer::KeepAlive, keepalive);
                let deadline = c.alive_from.saturating_add(ttl);
                ctx.set_timer(EtcdTimer::Deadline, deadline.saturating_sub(ctx.local).max(1));
                self.send_step(ctx);
            }
            return;
        }
        // Replies about an earlier session's lease are stale.
        if lease.is_some() && lease != c.lease {
            return;
        }
        match msg {
            EtcdMsg::KeepAliveResp { ttl_ms: 0, lease, .. } => {
                self.new_session(ctx, &format!("etcd says lease {lease:x} expired"));
            }
            EtcdMsg::LeaseNotFound { lease } => {
                self.new_session(ctx, &format!("etcd says lease {lease:x} expired"));
            }
            EtcdMsg::KeepAliveResp { sent_at, .. } if sent_at > c.alive_from => {
                // Counted from when this keep-alive left: etcd renewed no earlier.
                c.alive_from = sent_at;
                let deadline = sent_at.saturating_add(ttl);
                ctx.set_timer(EtcdTimer::Deadline, deadline.saturating_sub(ctx.local).max(1));
            }
            EtcdMsg::Campaigned { create_rev, .. } if c.phase == Phase::Campaigning => {
                c.rev = Some(create_rev);
                c.phase = Phase::Checking;
                self.send_step(ctx);
            }
            EtcdMsg::Last { max_rev, key: found, .. }
                if c.phase == Phase::Checking && c.rev.is_some_and(|r| r - 1 == max_rev) =>
            {
                match found {
                    None => {
                        c.phase = Phase::Leading;
                        ctx.cancel_timer(EtcdTimer::Retry);
                        ctx.note(format!(
                            "no key below create revision {}: Campaign returns, it is the leader",
                            c.rev.unwrap_or(0)
                        ));
                    }
                    Some((k, rev)) => {
                        let lease = c.lease.unwrap_or(0);
                        c.phase = Phase::Waiting(k, rev);
                        ctx.cancel_timer(EtcdTimer::Retry);
                        ctx.send(ETCD, EtcdMsg::Watch { lease, key: k, rev });
                    }
                }
            }
            EtcdMsg::Resigned { .. } if matches!(c.phase, Phase::Resigning(_)) => {
                // Only now campaign again: a put that overtook the delete would find the old key.
                c.phase = Phase::Campaigning;
                self.send_step(ctx);
            }
            EtcdMsg::Deleted { key: k, rev } if c.phase == Phase::Waiting(k, rev) => {
                ctx.note(format!("sees {} deleted; checks for keys below its own again", key(k)));
                c.phase = Phase::Checking;
                self.send_step(ctx);
            }
            _ => {}
        }
    }
}

impl Protocol for Etcd {
    type Msg = EtcdMsg;
    type Timer = EtcdTimer;
    type Config = EtcdConfig;
    type Monitor = EtcdMonitor;

    const ID: &'static str = "etcd";
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "etcd election";
    const TAGLINE: &'static str = "n1 is etcd, n2 storage, n3.. campaign with leased keys: the lowest create revision leads. Pause the leader mid-job and turn fencing off.";
    const MIN_NODES: usize = 3;
    const CLIENT_LOG: bool = false;
    const TERM_LABEL: Option<&'static str> = Some("revision");

    fn monitor(_config: &EtcdConfig) -> EtcdMonitor {
        EtcdMonitor::default()
    }

    fn production() -> Option<EtcdConfig> {
        Some(EtcdConfig {
            // client/v3/concurrency/session.go: defaultSessionTTL = 60 (seconds); the
            // keep-alive every TTL/3 follows from it (clientv3 lease.go).
            ttl_ms: 60_000,
            ..EtcdConfig::default()
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "session TTL 60 s: etcd client/v3/concurrency/session.go, defaultSessionTTL",
        "keep-alive every TTL/3: etcd client/v3/lease.go, recvKeepAlive (nextKeepAlive)",
    ];

    fn randomize(c: &mut EtcdConfig, rng: &mut Stream) {
        // Any TTL is safe (the client counts from the keep-alive's send time); these keep a
        // failover within the sweep's liveness bound.
        c.ttl_ms = rng.range(300, 900);
    }

    fn validate(c: &EtcdConfig, nodes: usize) -> Result<(), Error> {
        if nodes < 3 {
            return Err(Error::Invalid {
                what: "etcd",
                reason: "needs at least 3 nodes: n1 etcd, n2 the storage, n3.. candidates".into(),
            });
        }
        check_millis(&[("ttl", c.ttl_ms), ("period", c.period_ms)], 60_000)?;
        if c.ttl_ms < 3 {
            return Err(Error::Invalid {
                what: "ttl",
                reason: "must be at least 3 ms (keep-alives at TTL/3)".into(),
            });
        }
        if c.job_ms > 60_000 {
            return Err(Error::Invalid { what: "job", reason: "must be at most 60000 ms".into() });
        }
        Ok(())
    }

    fn new(id: NodeId, _peers: &[NodeId], config: &EtcdConfig) -> Self {
        let part = match id {
            ETCD => Part::Server(Server { revision: 1, ..Server::default() }),
            STORAGE => Part::Storage(Storage::default()),
            _ => Part::Candidate(Candidate::default()),
        };
        Etcd { id, config: config.clone(), part }
    }

    fn on_start(&mut self, ctx: &mut EtcdCtx<'_>) {
        let ttl = self.ttl();
        match &mut self.part {
            Part::Server(s) => {
                // The lessor's Promote: a new leader gives every lease a fresh TTL, since its
                // holders could not reach a cluster that was down.
                if ctx.now > 0 && !s.leases.is_empty() {
                    for l in &mut s.leases {
                        l.expires_at = ctx.local.saturating_add(ttl);
                    }
                    ctx.note("restarts with its keys and leases (each gets a fresh TTL); watches are gone");
                    s.arm_expiry(ctx);
                }
            }
            Part::Storage(_) => {}
            Part::Candidate(_) => {
                self.send_step(ctx);
                self.schedule_job(ctx);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut EtcdCtx<'_>, from: NodeId, msg: EtcdMsg) {
        match self.part {
            Part::Server(_) => self.server(ctx, from, msg),
            Part::Storage(_) => self.storage(ctx, from, msg),
            Part::Candidate(_) => self.candidate(ctx, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut EtcdCtx<'_>, timer: EtcdTimer) {
        let (ttl, job_ms, keepalive) = (self.ttl(), ms(self.config.job_ms), self.keepalive_interval());
        let period = ctx.job_period(self.config.period_ms);
        match (&mut self.part, timer) {
            (Part::Server(s), EtcdTimer::Expiry) => {
                let expired: Vec<Lease> =
                    s.leases.iter().filter(|l| l.expires_at <= ctx.local).copied().collect();
                for l in expired {
                    s.leases.retain(|x| x.id != l.id);
                    match s.keys.iter().find(|k| k.lease == l.id) {
                        Some(k) => ctx.note(format!(
                            "n{}'s lease {:x} expired: deletes {} (create revision {})",
                            l.owner,
                            l.id,
                            key(l.id),
                            k.create_rev
                        )),
                        None => ctx.note(format!("n{}'s lease {:x} expired", l.owner, l.id)),
                    }
                    s.delete_key(ctx, l.id);
                }
                s.arm_expiry(ctx);
            }
            (Part::Candidate(c), EtcdTimer::KeepAlive) => {
                if let Some(lease) = c.lease {
                    ctx.send(ETCD, EtcdMsg::KeepAlive { lease, sent_at: ctx.local });
                    if let Phase::Waiting(k, rev) = c.phase {
                        ctx.send(ETCD, EtcdMsg::Watch { lease, key: k, rev });
                    }
                    ctx.set_timer(EtcdTimer::KeepAlive, keepalive);
                }
            }
            (Part::Candidate(c), EtcdTimer::Deadline)
                if c.lease.is_some() && ctx.local >= c.alive_from.saturating_add(ttl) =>
            {
                let lease = c.lease.unwrap_or(0);
                self.new_session(ctx, &format!("no keep-alive answered within the TTL of lease {lease:x}"));
            }
            (Part::Candidate(_), EtcdTimer::Retry) => self.send_step(ctx),
            (Part::Candidate(c), EtcdTimer::Job) => {
                // Leadership is checked when the job starts (and not again before the write:
                // the trap that fencing closes).
                if c.phase == Phase::Leading
                    && ctx.local < c.alive_from.saturating_add(ttl)
                    && let Some(token) = c.rev
                {
                    c.job = Some((token, period));
                    c.jobs_run += 1;
                    ctx.note(format!(
                        "leads with create revision {token}: starts the job for period {period}"
                    ));
                    ctx.set_timer(EtcdTimer::JobDone, job_ms);
                }
                self.schedule_job(ctx);
            }
            (Part::Candidate(c), EtcdTimer::JobDone) => {
                if let Some((token, _)) = c.job.take() {
                    ctx.note(format!("finishes the job and writes with revision {token}"));
                    ctx.send(STORAGE, EtcdMsg::Write { token, period });
                }
            }
            _ => {}
        }
    }

    fn on_request(&mut self, ctx: &mut EtcdCtx<'_>, request: Request) {
        let ttl = self.ttl();
        let period = ctx.job_period(self.config.period_ms);
        match (&mut self.part, request) {
            (Part::Candidate(c), Request::ClientWrite { .. }) => match c.rev {
                Some(token) if c.phase == Phase::Leading && ctx.local < c.alive_from.saturating_add(ttl) => {
                    ctx.note(format!("writes now with revision {token}"));
                    ctx.send(STORAGE, EtcdMsg::Write { token, period });
                }
                _ => ctx.note("does not lead; it does not write"),
            },
            (Part::Candidate(c), Request::Timeout) => match (c.lease, c.rev) {
                // Resign, then campaign again: the new put gets a higher create revision.
                (Some(lease), Some(create_rev)) => {
                    if c.phase == Phase::Leading {
                        ctx.note("stops leading: it resigns");
                    }
                    ctx.note(format!("resigns: deletes {} and campaigns again", key(lease)));
                    c.rev = None;
                    c.phase = Phase::Resigning(create_rev);
                    self.send_step(ctx);
                }
                _ => ctx.note("has no key yet"),
            },
            _ => ctx.note("only candidates act on requests here"),
        }
    }

    /// Candidates lose everything; etcd keeps its keys, leases and revision (its Raft log)
    /// and loses its watches; storage keeps its data.
    fn on_crash(&mut self) {
        match &mut self.part {
            Part::Server(s) => s.watches.clear(),
            Part::Storage(_) => {}
            Part::Candidate(c) => *c = Candidate::default(),
        }
    }

    fn status(&self) -> Status {
        match &self.part {
            Part::Server(s) => {
                let first = s.keys.first();
                Status {
                    role: Role::Follower,
                    term: first.map_or(0, |k| k.create_rev),
                    leader: first.map(|k| k.owner),
                }
            }
            Part::Storage(s) => Status { role: Role::Follower, term: s.max_token, leader: None },
            Part::Candidate(c) => match c.phase {
                Phase::Leading => {
                    Status { role: Role::Leader, term: c.rev.unwrap_or(0), leader: Some(self.id) }
                }
                Phase::Waiting(..) => Status { role: Role::Follower, term: c.rev.unwrap_or(0), leader: None },
                _ => Status { role: Role::Candidate, term: c.rev.unwrap_or(0), leader: None },
            },
        }
    }

    fn watched_timer(&self) -> Option<EtcdTimer> {
        match &self.part {
            Part::Server(_) => Some(EtcdTimer::Expiry),
            Part::Candidate(c) if c.job.is_some() => Some(EtcdTimer::JobDone),
            Part::Candidate(_) => Some(EtcdTimer::Deadline),
            Part::Storage(_) => None,
        }
    }

    fn is_routine_timer(timer: EtcdTimer) -> bool {
        matches!(timer, EtcdTimer::Expiry | EtcdTimer::KeepAlive | EtcdTimer::Retry | EtcdTimer::Job)
    }

    /// etcd `lease/lessor.go`: expiry and `Remaining` use Go's monotonic clock reading.
    fn monotonic_clock(&self) -> bool {
        true
    }

    fn summary(&self) -> String {
        match &self.part {
            Part::Server(s) => {
                let keys: Vec<String> = s
                    .keys
                    .iter()
                    .map(|k| format!("{}@{}:n{}", key(k.lease), k.create_rev, k.owner))
                    .collect();
                format!("store-rev={} keys=[{}]", s.revision, keys.join(" "))
            }
            Part::Storage(s) => {
                let ok = s.accepted;
                format!("max-revision={} accepted={ok} rejected={}", s.max_token, s.writes.len() - ok)
            }
            Part::Candidate(c) => {
                let lease = c.lease.map_or("-".into(), |l| format!("{l:x}"));
                let rev = c.rev.map_or("-".into(), |r| r.to_string());
                let phase = match c.phase {
                    Phase::Granting => "granting".into(),
                    Phase::Campaigning => "campaigning".into(),
                    Phase::Checking => "checking".into(),
                    Phase::Waiting(k, _) => format!("waiting for {} to go", key(k)),
                    Phase::Leading => "leading".into(),
                    Phase::Resigning(_) => "resigning".into(),
                };
                format!("lease={lease} create-rev={rev} {phase}")
            }
        }
    }

    fn describe(&self, view: &mut NodeView) {
        let ttl = self.ttl();
        match &self.part {
            Part::Server(s) => {
                view.tag = "etcd".into();
                view.details.push(("revision".into(), s.revision.to_string()));
                view.details.push(("leases".into(), s.leases.len().to_string()));
                view.details.push(("watches".into(), s.watches.len().to_string()));
            }
            Part::Storage(s) => {
                view.tag = "storage".into();
                view.details.push(("highest revision".into(), s.max_token.to_string()));
                view.details.push(("fencing".into(), if self.config.fencing { "on" } else { "off" }.into()));
            }
            Part::Candidate(c) => {
                view.tag = "candidate".into();
                match c.lease {
                    Some(l) => view.details.push((
                        "lease".into(),
                        format!("{l:x}, believed alive until {}", fmt_time(c.alive_from.saturating_add(ttl))),
                    )),
                    None => view.details.push(("lease".into(), "asking for one".into())),
                }
                if let (Some(l), Some(r)) = (c.lease, c.rev) {
                    view.details.push(("key".into(), format!("{}, create revision {r}", key(l))));
                }
                if let Phase::Waiting(k, _) = c.phase {
                    view.details.push(("watches".into(), format!("{} (waitDeletes)", key(k))));
                }
                if let Some((t, p)) = c.job {
                    view.details.push(("job in progress".into(), format!("period {p} with revision {t}")));
                }
                view.details.push(("jobs started".into(), c.jobs_run.to_string()));
            }
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let server = nodes.first()?;
        let Part::Server(s) = &server.proto.part else { return None };
        let rows = s
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let expires = s.lease(k.lease).map_or("-".into(), |j| fmt_time(s.leases[j].expires_at));
                let watchers: Vec<String> = s
                    .watches
                    .iter()
                    .filter(|w| w.0 == k.lease && w.1 == k.create_rev)
                    .map(|w| format!("n{}", w.2))
                    .collect();
                vec![
                    key(k.lease),
                    format!("n{}", k.owner),
                    format!("{:x}", k.lease),
                    expires,
                    k.create_rev.to_string(),
                    if watchers.is_empty() { "-".into() } else { watchers.join(" ") },
                    if i == 0 { "leader".into() } else { String::new() },
                ]
            })
            .collect();
        Some(Panel {
            title: format!("Keys under election/ (n1), revision {}", s.revision),
            columns: ["key", "owner", "lease", "lease expires", "create revision", "watched by", ""]
                .map(String::from)
                .to_vec(),
            rows,
        })
    }
}
