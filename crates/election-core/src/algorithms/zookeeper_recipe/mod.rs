//! # The ZooKeeper leader-election recipe (ephemeral sequential znodes)
//!
//! The article's advice is not to write a leader election of your own but to use a coordination
//! service. This is the recipe ZooKeeper documents for it ("Recipes and Solutions", *Leader
//! Election*), as Curator's `LeaderLatch` and Solr's `LeaderElector` implement it:
//!
//! 1. each candidate opens a **session** and creates a znode `/election/<guid>-n_` with the
//!    flags `EPHEMERAL|SEQUENTIAL`: ZooKeeper appends a sequence number greater than any
//!    appended before, and deletes the znode when the session ends;
//! 2. it lists the children of `/election`: the candidate whose znode has the **lowest
//!    sequence number leads**;
//! 3. every other candidate watches only its **predecessor**, the next lower znode
//!    (`exists(path, watch=true)`); when it is deleted, the candidate lists the children again
//!    and either leads or watches its new predecessor.
//!
//! The cluster: `n1` is **ZooKeeper** (one server standing for the ensemble, which [`zab`]
//! models), `n2` a **storage** node the leader's job writes to, `n3..` **candidates** that all
//! run a periodic job when they lead (the article's cron-job question).
//!
//! A candidate's session lives as long as ZooKeeper hears from it: the client **pings** every
//! third of the session timeout, and the server **expires** a session after the session
//! timeout without a word, checking once per `tickTime`; the expiry deletes its ephemeral
//! znode. The client on its side considers itself **disconnected** after two thirds of the
//! timeout without a word from the server (`ClientCnxn`'s `readTimeout`) and then stops
//! leading (Curator's `SUSPENDED`), before the server can expire it.
//!
//! ## The lessons
//! * **The herd effect.** With `watch=leader` every candidate watches the leader's znode, the
//!   "trivial solution" of the recipe: when the leader goes, every candidate is notified and
//!   lists the children at once. The panel counts the notifications and the `getChildren`
//!   reads; with the default `watch=predecessor` one candidate is notified per deletion.
//! * **A paused leader is still a leader in its own mind.** A leader that stalls (a GC pause)
//!   longer than the session timeout loses its znode; the next candidate leads. When the old
//!   leader wakes it finishes the job it started and writes. ZooKeeper cannot stop that write;
//!   the storage can: the leader's znode **sequence number is a fencing token** (it grows with
//!   every znode created, so a later leader always has a higher one), and storage rejects a
//!   token lower than one it has accepted. `break=no-fencing` (the setting `fencing=off`) lets
//!   the stale write land, and the monitor flags it.
//!
//! ## Time
//! ZooKeeper times sessions with `Time.currentElapsedTime()`, which is `System.nanoTime()`
//! ("if somebody changes the system clock, Time.currentElapsedTime will change but nanoTime
//! won't", `org.apache.zookeeper.common.Time`); the server's `SessionTrackerImpl` and
//! `ExpiryQueue` and the client's `ClientCnxn` read it. So sessions and read timeouts here run
//! on each node's clock rate ([`Ctx::local`](crate::engine::protocol::Ctx), `engine::clock`)
//! and a jump of the wall clock moves none of them ([`Protocol::monotonic_clock`]). A clock
//! that runs fast still expires a session early in true time; the monitor judges beliefs in
//! true time.
//!
//! ## Invariants (checked after every event by [`ZkMonitor`])
//! * Sequence numbers ZooKeeper assigns strictly increase.
//! * At most one candidate believes it leads with a given znode (token), and none believes it
//!   leads after ZooKeeper deleted that znode: its belief lasts until two thirds of the session
//!   timeout after it last heard from the server, and the server deletes no earlier than a full
//!   timeout after the session last spoke.
//! * Storage never accepts a lower token after a higher one (violated only with `no-fencing`).
//!   With fencing on, a paused ex-leader's stale write is *rejected*, which is the recipe
//!   working, not a violation.
//!
//! ## Real defaults (the production preset)
//! * `tickTime` 2000 ms: the value of `conf/zoo_sample.cfg` and of the Getting Started guide.
//! * Session timeout: the server bounds it to 2..20 ticks (`minSessionTimeout` /
//!   `maxSessionTimeout`, zookeeperAdmin "Advanced configuration"; `ZooKeeperServer`).
//!   Curator asks for 60 s (`CuratorFrameworkFactory.DEFAULT_SESSION_TIMEOUT_MS`), which a
//!   2000 ms tick caps at 20 ticks = 40 s.
//! * The client pings when idle for half its `readTimeout` = a third of the session timeout,
//!   and `readTimeout` is two thirds of it (`ClientCnxn`: `readTimeout = sessionTimeout * 2 / 3`).
//!
//! The classroom defaults use a 100 ms tick and a 600 ms session, so that a failover takes a
//! second rather than a minute.
//!
//! ## References
//! * Apache ZooKeeper, *ZooKeeper Recipes and Solutions*, "Leader Election" (the herd effect and
//!   the predecessor watch), and the guid note under "Locks" (the protection against a lost
//!   create reply, which Curator's `withProtection()` implements).
//! * Apache ZooKeeper, *Programmer's Guide*, "ZooKeeper Sessions" (timeout 2..20 ticks) and
//!   "ZooKeeper Watches" (one-shot, re-registered on reconnection).
//! * Hunt, Konar, Junqueira, Reed, *ZooKeeper: Wait-free coordination for Internet-scale
//!   systems*, USENIX ATC 2010, §2.4 ("Simple Locks without Herd Effect").
//! * M. Kleppmann, *How to do distributed locking*, 2016: fencing tokens ("use the zxid or the
//!   znode version number as fencing token").
//!
//! ## Simplified or left out
//! * One ZooKeeper server stands for the ensemble; its znodes and sessions are durable (they
//!   are in the transaction log), its watches are not. After a restart it gives every session a
//!   fresh timeout, as a new ZooKeeper leader does, and candidates re-register their watches.
//! * TCP: the simulated network loses and duplicates single messages, which ZooKeeper's
//!   connection never does. A candidate re-sends an unanswered request, finds a znode whose
//!   create reply was lost by its session id (protection mode), deletes a duplicate, and
//!   every ping carries its watch so that a lost notification is fired again.
//! * No clock drift between client and server (it comes later); no ACLs, no `/election`
//!   parent creation, no separate "leader acknowledged" znode.
//!
//! [`zab`]: crate::algorithms::zab

mod message;
mod monitor;
#[cfg(test)]
mod tests;

pub use message::{ZkMsg, ZkTimer, znode};
pub use monitor::ZkMonitor;

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Nodes, Protocol, Status};
use crate::engine::rng::Stream;
use crate::engine::settings::{Field, Rule, Settings, check_millis, millis, on_off, parse_rules};
use crate::engine::shared_log::SharedLog;
use crate::engine::time::{Micros, NodeId, fmt_time, ms};
use crate::engine::view::{NodeView, Panel, Role};

/// ZooKeeper's node id.
pub const ZOOKEEPER: NodeId = 1;
/// The storage node's id.
pub const STORAGE: NodeId = 2;

/// Which znode a candidate that does not lead watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchMode {
    /// The next lower znode: one notification per deletion (the recipe).
    #[default]
    Predecessor,
    /// The leader's (lowest) znode: every candidate is notified at once (the herd effect).
    Leader,
}

/// Settings of the recipe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ZkConfig {
    /// ZooKeeper's `tickTime`: sessions are checked for expiry once per tick.
    pub tick_ms: u64,
    /// The negotiated session timeout (2..20 ticks).
    pub session_timeout_ms: u64,
    /// Which znode a waiting candidate watches.
    pub watch: WatchMode,
    /// Storage rejects tokens lower than the highest it accepted (`break=no-fencing` clears it).
    pub fencing: bool,
    /// The job runs once per period.
    pub period_ms: u64,
    /// How long the job works between checking leadership and writing.
    pub job_ms: u64,
}

impl Default for ZkConfig {
    fn default() -> Self {
        ZkConfig {
            tick_ms: 100,
            session_timeout_ms: 600,
            watch: WatchMode::Predecessor,
            fencing: true,
            period_ms: 300,
            job_ms: 40,
        }
    }
}

/// Rule [`RULES`]`[0]`: storage checks the fencing token (the setting `fencing=off` breaks it).
pub const NO_FENCING: usize = 0;

/// The names `break=` takes, in the order of [`RULES`].
pub const RULE_NAMES: &[&str] = &["no-fencing"];

/// The rules of the recipe that `break=` can switch off, each caught by [`ZkMonitor`].
pub const RULES: &[Rule] = &[Rule {
    name: RULE_NAMES[0],
    what: "storage rejects a write whose token (the leader's znode sequence number) is below the highest it has accepted; broken (the setting fencing=off), a paused ex-leader's stale write lands",
    source: "Kleppmann, How to do distributed locking (2016): use the zxid or the znode version as fencing token; ZooKeeper Recipes, Leader Election (sequence numbers only grow)",
}];

impl Settings for ZkConfig {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::millis("tick", "tickTime (zoo.cfg)", self.tick_ms),
            Field::millis("session-timeout", "Session timeout (2..20 ticks)", self.session_timeout_ms),
            // A toggle, so that the page offers it as a checkbox; `watch=leader` and
            // `watch=predecessor` set it too.
            Field::toggle(
                "watch-leader",
                "Every candidate watches the leader (herd effect)",
                self.watch == WatchMode::Leader,
            ),
            Field::toggle("fencing", "Fencing by znode sequence at storage", self.fencing),
            Field::millis("period", "Job period", self.period_ms),
            Field::millis("job", "Job duration", self.job_ms),
        ]
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "tick" => self.tick_ms = millis(key, v)?,
            "session-timeout" => self.session_timeout_ms = millis(key, v)?,
            "watch-leader" => {
                self.watch = if on_off(key, v)? { WatchMode::Leader } else { WatchMode::Predecessor }
            }
            "watch" => {
                self.watch = match v {
                    "predecessor" => WatchMode::Predecessor,
                    "leader" => WatchMode::Leader,
                    _ => return Err(format!("watch must be predecessor or leader, not '{v}'")),
                }
            }
            "fencing" => self.fencing = on_off(key, v)?,
            "period" => self.period_ms = millis(key, v)?,
            "job" => self.job_ms = millis(key, v)?,
            "break" => {
                // The one rule is the setting fencing=off.
                self.fencing = true;
                for i in parse_rules("zookeeper-recipe", RULE_NAMES, v)? {
                    if i == NO_FENCING {
                        self.fencing = false;
                    }
                }
            }
            _ => return Err(format!("unknown setting '{key}' for zookeeper-recipe")),
        }
        Ok(())
    }

    fn broken(&self) -> Vec<&'static str> {
        if self.fencing { Vec::new() } else { vec![RULE_NAMES[NO_FENCING]] }
    }
}

type ZkCtx<'a> = Ctx<'a, ZkMsg, ZkTimer>;

/// One write that reached storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteRecord {
    /// When it arrived.
    pub at: Micros,
    /// The period in which it was written.
    pub period: u64,
    /// Writer.
    pub client: NodeId,
    /// Its token (the writer's znode sequence number).
    pub token: u64,
    /// Accepted by storage?
    pub accepted: bool,
}

/// A live session at the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// Session id.
    pub id: u64,
    /// The candidate that opened it.
    pub owner: NodeId,
    /// When it expires unless the client speaks.
    pub expires_at: Micros,
}

/// An ephemeral sequential znode under `/election`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Znode {
    /// Its sequence number.
    pub seq: u64,
    /// The session that owns it.
    pub session: u64,
    /// The candidate of that session.
    pub owner: NodeId,
    /// The zxid of its creation.
    pub czxid: u64,
}

/// ZooKeeper's state.
#[derive(Debug, Clone, Default)]
pub struct Server {
    next_session: u64,
    next_seq: u64,
    zxid: u64,
    sessions: Vec<Session>,
    /// Children of `/election`, in sequence order.
    znodes: Vec<Znode>,
    /// Exists-watches: (watched seq, watcher, its session). Volatile, as in ZooKeeper.
    watches: Vec<(u64, NodeId, u64)>,
    /// Watch notifications sent so far (the herd's size shows here).
    notifications: u64,
    /// `getChildren` requests served so far.
    reads: u64,
    /// The last deletion that fired watches: (seq, candidates notified).
    last_herd: Option<(u64, u64)>,
    /// Every znode created: (seq, owner, at), for the monitor. A few per candidate session.
    created: Vec<(u64, NodeId, Micros)>,
    /// Every znode deleted: (seq, at), for the monitor.
    deleted: Vec<(u64, Micros)>,
}

impl Server {
    fn session(&self, id: u64) -> Option<usize> {
        self.sessions.iter().position(|s| s.id == id)
    }

    /// Deletes znode `seq` and fires the watches on it.
    fn delete(&mut self, ctx: &mut ZkCtx<'_>, seq: u64) {
        let Some(i) = self.znodes.iter().position(|z| z.seq == seq) else { return };
        self.znodes.remove(i);
        self.zxid += 1;
        self.deleted.push((seq, ctx.now));
        let mut woken = 0;
        for &(s, watcher, _) in &self.watches {
            if s == seq {
                ctx.send(watcher, ZkMsg::NodeDeleted { seq });
                woken += 1;
            }
        }
        self.watches.retain(|w| w.0 != seq);
        if woken > 0 {
            self.notifications += woken;
            self.last_herd = Some((seq, woken));
            if woken > 1 {
                ctx.note(format!("{} deleted: {woken} watchers notified at once (herd)", znode(seq)));
            }
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

/// Where a candidate is in the recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Opening a session.
    #[default]
    Connecting,
    /// Creating its znode.
    Creating,
    /// Listing the children of `/election`.
    Listing,
    /// Waiting for the deletion of this znode (exists-watch).
    Watching(u64),
    /// Its znode is the lowest: it leads.
    Leading,
}

/// A candidate's state.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    session: Option<u64>,
    /// When it sent the latest ping ZooKeeper answered (or its connect request): the server
    /// heard from the session no earlier, so the session lives at least a timeout after this.
    last_heard: Micros,
    /// The highest znode of this session it deleted itself (resigning): never its own again.
    abandoned: u64,
    connected: bool,
    znode: Option<u64>,
    phase: Phase,
    /// The job in progress: (token, period).
    job: Option<(u64, u64)>,
    jobs_run: u64,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum Part {
    /// ZooKeeper (n1).
    Server(Server),
    /// The storage (n2).
    Storage(Storage),
    /// A candidate (n3..).
    Candidate(Candidate),
}

/// One node of the ZooKeeper recipe.
#[derive(Debug, Clone)]
pub struct ZkRecipe {
    id: NodeId,
    config: ZkConfig,
    part: Part,
}

impl ZkRecipe {
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

    /// The candidate's znode if it believes it leads.
    pub fn leading(&self) -> Option<u64> {
        match &self.part {
            Part::Candidate(c) if c.phase == Phase::Leading => c.znode,
            _ => None,
        }
    }

    /// Watch notifications ZooKeeper has sent (0 for other nodes).
    pub fn notifications(&self) -> u64 {
        match &self.part {
            Part::Server(s) => s.notifications,
            _ => 0,
        }
    }

    fn timeout(&self) -> Micros {
        ms(self.config.session_timeout_ms)
    }

    /// `ClientCnxn`: `readTimeout = sessionTimeout * 2 / 3`.
    fn read_timeout(&self) -> Micros {
        self.timeout() * 2 / 3
    }

    /// The client pings when idle for half its read timeout: a third of the session timeout.
    fn ping_interval(&self) -> Micros {
        (self.timeout() / 3).max(1)
    }

    fn schedule_job(&self, ctx: &mut ZkCtx<'_>) {
        ctx.schedule_job(ZkTimer::Job, self.config.period_ms);
    }

    /// Sends the request of the candidate's current step and arms the retry.
    fn send_step(&mut self, ctx: &mut ZkCtx<'_>) {
        let retry = self.ping_interval();
        let timeout_ms = self.config.session_timeout_ms;
        let Part::Candidate(c) = &mut self.part else { return };
        let msg = match (c.phase, c.session) {
            (Phase::Connecting, _) => ZkMsg::Connect { timeout_ms, sent_at: ctx.local },
            // A retry of a create first looks for the znode a lost reply created (protection).
            (Phase::Creating | Phase::Listing, Some(session)) => ZkMsg::GetChildren { session },
            (Phase::Watching(seq), Some(session)) => ZkMsg::Exists { session, seq },
            _ => return,
        };
        ctx.send(ZOOKEEPER, msg);
        ctx.set_timer(ZkTimer::Retry, retry);
    }

    fn step_down(c: &mut Candidate, ctx: &mut ZkCtx<'_>, why: &str) {
        if c.phase == Phase::Leading {
            ctx.note(format!("stops leading: {why}"));
        }
    }

    fn server(&mut self, ctx: &mut ZkCtx<'_>, from: NodeId, msg: ZkMsg) {
        let timeout = self.timeout();
        let Part::Server(s) = &mut self.part else { return };
        if let ZkMsg::Connect { timeout_ms, sent_at } = msg {
            s.next_session += 1;
            let id = s.next_session;
            s.sessions.push(Session { id, owner: from, expires_at: ctx.local.saturating_add(timeout) });
            let timeout_ms = timeout_ms.min(timeout / 1_000);
            ctx.send(from, ZkMsg::Connected { session: id, timeout_ms, sent_at });
            return;
        }
        let session = match &msg {
            ZkMsg::Ping { session, .. }
            | ZkMsg::Create { session }
            | ZkMsg::GetChildren { session }
            | ZkMsg::Exists { session, .. }
            | ZkMsg::Delete { session, .. } => *session,
            _ => return,
        };
        let Some(i) = s.session(session) else {
            ctx.send(from, ZkMsg::SessionExpired { session });
            return;
        };
        // Any request touches the session (`SessionTracker.touchSession`).
        s.sessions[i].expires_at = ctx.local.saturating_add(timeout);
        match msg {
            ZkMsg::Ping { watch, sent_at, .. } => {
                ctx.send(from, ZkMsg::Pong { session, sent_at });
                if let Some(seq) = watch {
                    if s.znodes.iter().any(|z| z.seq == seq) {
                        if !s.watches.contains(&(seq, from, session)) {
                            s.watches.push((seq, from, session));
                        }
                    } else {
                        // SetWatches: a watched znode deleted while the notification was lost.
                        s.notifications += 1;
                        ctx.send(from, ZkMsg::NodeDeleted { seq });
                    }
                }
            }
            ZkMsg::Create { .. } => {
                let seq = s.next_seq;
                s.next_seq += 1;
                s.zxid += 1;
                s.znodes.push(Znode { seq, session, owner: from, czxid: s.zxid });
                s.created.push((seq, from, ctx.now));
                ctx.note(format!("creates /election/{} for n{from} (session 0x{session:x})", znode(seq)));
                ctx.send(from, ZkMsg::Created { session, seq });
            }
            ZkMsg::GetChildren { .. } => {
                s.reads += 1;
                let znodes = s.znodes.iter().map(|z| (z.seq, z.session)).collect();
                ctx.send(from, ZkMsg::Children { session, znodes });
            }
            ZkMsg::Exists { seq, .. } => {
                let exists = s.znodes.iter().any(|z| z.seq == seq);
                if exists && !s.watches.contains(&(seq, from, session)) {
                    s.watches.push((seq, from, session));
                }
                ctx.send(from, ZkMsg::ExistsResult { session, seq, exists });
            }
            ZkMsg::Delete { seq, .. } if s.znodes.iter().any(|z| z.seq == seq && z.session == session) => {
                s.delete(ctx, seq);
            }
            _ => {}
        }
    }

    fn storage(&mut self, ctx: &mut ZkCtx<'_>, from: NodeId, msg: ZkMsg) {
        let fencing = self.config.fencing;
        let Part::Storage(s) = &mut self.part else { return };
        if let ZkMsg::Write { token, period } = msg {
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
            ctx.send(from, ZkMsg::WriteResult { token, accepted });
        }
    }

    fn candidate(&mut self, ctx: &mut ZkCtx<'_>, msg: ZkMsg) {
        let read_timeout = self.read_timeout();
        let ping = self.ping_interval();
        let watch_mode = self.config.watch;
        let Part::Candidate(c) = &mut self.part else { return };
        if let ZkMsg::Connected { session, sent_at, .. } = msg {
            if c.phase == Phase::Connecting && c.session.is_none() {
                c.session = Some(session);
                // Counted from when the request it answers was sent (perhaps before an earlier
                // session expired): ZooKeeper opened the session no earlier.
                c.last_heard = sent_at;
                c.connected = true;
                c.phase = Phase::Creating;
                ctx.set_timer(ZkTimer::Ping, ping);
                let deadline = c.last_heard.saturating_add(read_timeout);
                ctx.set_timer(ZkTimer::Disconnect, deadline.saturating_sub(ctx.local).max(1));
                ctx.send(ZOOKEEPER, ZkMsg::Create { session });
                ctx.set_timer(ZkTimer::Retry, ping);
            }
            return;
        }
        let session = match &msg {
            ZkMsg::Pong { session, .. }
            | ZkMsg::SessionExpired { session }
            | ZkMsg::Created { session, .. }
            | ZkMsg::Children { session, .. }
            | ZkMsg::ExistsResult { session, .. } => Some(*session),
            _ => None,
        };
        // Replies for an earlier session are stale.
        if session.is_some() && session != c.session {
            return;
        }
        if let ZkMsg::SessionExpired { session } = msg {
            Self::step_down(c, ctx, "its session expired");
            ctx.note(format!("learns its session 0x{session:x} expired: its znode is gone; it starts over"));
            *c = Candidate { jobs_run: c.jobs_run, job: c.job, ..Candidate::default() };
            ctx.cancel_timer(ZkTimer::Ping);
            ctx.cancel_timer(ZkTimer::Disconnect);
            self.send_step(ctx);
            return;
        }
        if let ZkMsg::Pong { sent_at, .. } = msg {
            // ClientCnxn's readTimeout counts from the last packet heard; the model counts from
            // when the answered ping left, which the server heard no earlier: a pong that
            // waited in a paused client's queue does not stretch the session in its mind.
            if sent_at > c.last_heard {
                c.last_heard = sent_at;
                let deadline = sent_at.saturating_add(read_timeout);
                ctx.set_timer(ZkTimer::Disconnect, deadline.saturating_sub(ctx.local).max(1));
            }
            if !c.connected && ctx.local < c.last_heard.saturating_add(read_timeout) {
                c.connected = true;
                ctx.note("hears from ZooKeeper again: its session is alive; it checks the children again");
                if matches!(c.phase, Phase::Watching(_)) {
                    c.phase = Phase::Listing;
                }
                self.send_step(ctx);
            }
            return;
        }
        // A disconnected client drops what arrives on the closed connection; it re-runs the
        // recipe once it reconnects.
        if !c.connected {
            return;
        }
        match msg {
            ZkMsg::Created { session, seq } => match c.znode {
                None if c.phase == Phase::Creating => {
                    c.znode = Some(seq);
                    c.phase = Phase::Listing;
                    self.send_step(ctx);
                }
                // A duplicated create made a second znode of this session: remove it.
                Some(z) if z != seq => ctx.send(ZOOKEEPER, ZkMsg::Delete { session, seq }),
                _ => {}
            },
            ZkMsg::Children { session, znodes } => {
                let own: Vec<u64> = znodes.iter().filter(|z| z.1 == session).map(|z| z.0).collect();
                if c.phase == Phase::Creating {
                    // Protection: a znode of this session means a create whose reply was lost
                    // (unless it is one it resigned from, whose delete may have been lost).
                    match own.iter().find(|&&s| s > c.abandoned) {
                        Some(&seq) => {
                            ctx.note(format!(
                                "finds its znode {} from a create whose reply was lost",
                                znode(seq)
                            ));
                            c.znode = Some(seq);
                            c.phase = Phase::Listing;
                        }
                        None => {
                            ctx.send(ZOOKEEPER, ZkMsg::Create { session });
                            ctx.set_timer(ZkTimer::Retry, ping);
                            return;
                        }
                    }
                }
                let Some(mine) = c.znode else { return };
                let mut duplicates = false;
                for &dup in own.iter().filter(|&&s| s != mine) {
                    ctx.send(ZOOKEEPER, ZkMsg::Delete { session, seq: dup });
                    duplicates = true;
                }
                if c.phase != Phase::Listing {
                    return;
                }
                if duplicates {
                    // Decide on a listing without them: list again after the deletes (a lost
                    // delete is sent again then).
                    ctx.set_timer(ZkTimer::Retry, ping);
                    return;
                }
                if !own.contains(&mine) {
                    // Its znode is gone although the session lives (it deleted it as a
                    // duplicate): create one again.
                    c.znode = None;
                    c.phase = Phase::Creating;
                    ctx.send(ZOOKEEPER, ZkMsg::Create { session });
                    ctx.set_timer(ZkTimer::Retry, ping);
                    return;
                }
                let lowest = znodes.first().map(|z| z.0);
                if lowest == Some(mine) {
                    c.phase = Phase::Leading;
                    ctx.cancel_timer(ZkTimer::Retry);
                    ctx.note(format!("its znode {} is the lowest: it is the leader", znode(mine)));
                } else {
                    let target = match watch_mode {
                        WatchMode::Predecessor => znodes.iter().map(|z| z.0).filter(|&s| s < mine).max(),
                        WatchMode::Leader => lowest,
                    };
                    let Some(target) = target else { return };
                    c.phase = Phase::Watching(target);
                    self.send_step(ctx);
                }
            }
            ZkMsg::ExistsResult { seq, exists, .. } if c.phase == Phase::Watching(seq) => {
                if exists {
                    // The watch is set: wait for the notification.
                    ctx.cancel_timer(ZkTimer::Retry);
                } else {
                    c.phase = Phase::Listing;
                    self.send_step(ctx);
                }
            }
            ZkMsg::NodeDeleted { seq } if c.phase == Phase::Watching(seq) => {
                ctx.note(format!("is notified that {} is gone; lists /election", znode(seq)));
                c.phase = Phase::Listing;
                self.send_step(ctx);
            }
            _ => {}
        }
    }
}

impl Protocol for ZkRecipe {
    type Msg = ZkMsg;
    type Timer = ZkTimer;
    type Config = ZkConfig;
    type Monitor = ZkMonitor;

    const ID: &'static str = "zookeeper-recipe";
    const RULES: &'static [Rule] = RULES;
    const NAME: &'static str = "ZooKeeper recipe";
    const TAGLINE: &'static str = "n1 is ZooKeeper, n2 storage, n3.. create ephemeral sequential znodes: the lowest leads. Pause the leader mid-job, or set watch=leader and crash it to see the herd.";
    const MIN_NODES: usize = 3;
    const CLIENT_LOG: bool = false;
    const TERM_LABEL: Option<&'static str> = Some("znode");

    fn monitor(_config: &ZkConfig) -> ZkMonitor {
        ZkMonitor::default()
    }

    fn production() -> Option<ZkConfig> {
        Some(ZkConfig {
            // conf/zoo_sample.cfg and the Getting Started guide: tickTime=2000.
            tick_ms: 2_000,
            // Curator asks for 60 s (CuratorFrameworkFactory.DEFAULT_SESSION_TIMEOUT_MS); the
            // server caps it at maxSessionTimeout = 20 ticks (Programmer's Guide, Sessions).
            session_timeout_ms: 40_000,
            ..ZkConfig::default()
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "tickTime 2000 ms: ZooKeeper conf/zoo_sample.cfg, Getting Started",
        "session timeout 40 s: Curator asks 60 s (CuratorFrameworkFactory.DEFAULT_SESSION_TIMEOUT_MS), capped at maxSessionTimeout = 20 ticks (Programmer's Guide, ZooKeeper Sessions)",
        "ping every third of the timeout, readTimeout two thirds: ZooKeeper ClientCnxn",
    ];

    fn randomize(c: &mut ZkConfig, rng: &mut Stream) {
        // Both watch modes are safe; sessions of 4..8 ticks keep the read-timeout margin (a
        // third of the timeout) above the sweep's largest network delay.
        c.watch = if rng.chance_ppm(500_000) { WatchMode::Leader } else { WatchMode::Predecessor };
        c.tick_ms = rng.range(50, 100);
        c.session_timeout_ms = c.tick_ms * rng.range(4, 8);
    }

    fn validate(c: &ZkConfig, nodes: usize) -> Result<(), Error> {
        if nodes < 3 {
            return Err(Error::Invalid {
                what: "zookeeper-recipe",
                reason: "needs at least 3 nodes: n1 ZooKeeper, n2 the storage, n3.. candidates".into(),
            });
        }
        check_millis(
            &[("tick", c.tick_ms), ("period", c.period_ms), ("session-timeout", c.session_timeout_ms)],
            60_000,
        )?;
        if c.session_timeout_ms < 2 * c.tick_ms || c.session_timeout_ms > 20 * c.tick_ms {
            return Err(Error::Invalid {
                what: "session-timeout",
                reason: format!(
                    "ZooKeeper bounds it to 2..20 ticks ({}..{} ms with tick={}ms), not {} ms",
                    2 * c.tick_ms,
                    20 * c.tick_ms,
                    c.tick_ms,
                    c.session_timeout_ms
                ),
            });
        }
        if c.job_ms > 60_000 {
            return Err(Error::Invalid { what: "job", reason: "must be at most 60000 ms".into() });
        }
        Ok(())
    }

    fn new(id: NodeId, _peers: &[NodeId], config: &ZkConfig) -> Self {
        let part = match id {
            ZOOKEEPER => Part::Server(Server { next_seq: 1, ..Server::default() }),
            STORAGE => Part::Storage(Storage::default()),
            _ => Part::Candidate(Candidate::default()),
        };
        ZkRecipe { id, config: config.clone(), part }
    }

    fn on_start(&mut self, ctx: &mut ZkCtx<'_>) {
        let (tick, timeout) = (ms(self.config.tick_ms), self.timeout());
        match &mut self.part {
            Part::Server(s) => {
                // Restored sessions get a fresh timeout, as a new ZooKeeper leader gives them:
                // their clients could not reach a server that was down.
                if ctx.now > 0 && !s.sessions.is_empty() {
                    for session in &mut s.sessions {
                        session.expires_at = ctx.local.saturating_add(timeout);
                    }
                    ctx.note(
                        "restarts with its znodes and sessions (each gets a fresh timeout); watches are gone",
                    );
                }
                ctx.set_timer(ZkTimer::Tick, tick);
            }
            Part::Storage(_) => {}
            Part::Candidate(_) => {
                self.send_step(ctx);
                self.schedule_job(ctx);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut ZkCtx<'_>, from: NodeId, msg: ZkMsg) {
        match self.part {
            Part::Server(_) => self.server(ctx, from, msg),
            Part::Storage(_) => self.storage(ctx, from, msg),
            Part::Candidate(_) => self.candidate(ctx, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut ZkCtx<'_>, timer: ZkTimer) {
        let (tick, job_ms, ping, read_timeout) =
            (ms(self.config.tick_ms), ms(self.config.job_ms), self.ping_interval(), self.read_timeout());
        let period = ctx.job_period(self.config.period_ms);
        match (&mut self.part, timer) {
            (Part::Server(s), ZkTimer::Tick) => {
                // SessionTrackerImpl: once per tick, expire the sessions whose time has come
                // (expiry times are rounded up to the next tick, so a session lasts its
                // timeout and at most one tick more).
                let expired: Vec<Session> =
                    s.sessions.iter().filter(|x| x.expires_at <= ctx.local).copied().collect();
                for x in expired {
                    s.sessions.retain(|y| y.id != x.id);
                    s.watches.retain(|w| w.2 != x.id);
                    let gone: Vec<u64> =
                        s.znodes.iter().filter(|z| z.session == x.id).map(|z| z.seq).collect();
                    let names: Vec<String> = gone.iter().map(|&q| znode(q)).collect();
                    if names.is_empty() {
                        ctx.note(format!("expires n{}'s session 0x{:x}", x.owner, x.id));
                    } else {
                        ctx.note(format!(
                            "expires n{}'s session 0x{:x}: deletes {}",
                            x.owner,
                            x.id,
                            names.join(", ")
                        ));
                    }
                    for seq in gone {
                        s.delete(ctx, seq);
                    }
                }
                ctx.set_timer(ZkTimer::Tick, tick);
            }
            (Part::Candidate(c), ZkTimer::Ping) => {
                if let Some(session) = c.session {
                    let watch = match c.phase {
                        Phase::Watching(seq) => Some(seq),
                        _ => None,
                    };
                    ctx.send(ZOOKEEPER, ZkMsg::Ping { session, watch, sent_at: ctx.local });
                    ctx.set_timer(ZkTimer::Ping, ping);
                }
            }
            (Part::Candidate(c), ZkTimer::Disconnect)
                if c.session.is_some()
                    && c.connected
                    && ctx.local >= c.last_heard.saturating_add(read_timeout) =>
            {
                c.connected = false;
                Self::step_down(c, ctx, "nothing heard from ZooKeeper for two thirds of the session timeout");
                ctx.note("is disconnected from ZooKeeper; it keeps pinging");
                if c.phase == Phase::Leading {
                    c.phase = Phase::Listing;
                }
                ctx.cancel_timer(ZkTimer::Retry);
            }
            (Part::Candidate(_), ZkTimer::Retry) => self.send_step(ctx),
            (Part::Candidate(c), ZkTimer::Job) => {
                // Leadership is checked when the job starts (and not again before the write:
                // the trap that fencing closes).
                if c.phase == Phase::Leading
                    && c.connected
                    && ctx.local < c.last_heard.saturating_add(read_timeout)
                    && let Some(token) = c.znode
                {
                    c.job = Some((token, period));
                    c.jobs_run += 1;
                    ctx.note(format!("leads with {}: starts the job for period {period}", znode(token)));
                    ctx.set_timer(ZkTimer::JobDone, job_ms);
                }
                self.schedule_job(ctx);
            }
            (Part::Candidate(c), ZkTimer::JobDone) => {
                if let Some((token, _)) = c.job.take() {
                    ctx.note(format!("finishes the job and writes with token {token}"));
                    ctx.send(STORAGE, ZkMsg::Write { token, period });
                }
            }
            _ => {}
        }
    }

    fn on_request(&mut self, ctx: &mut ZkCtx<'_>, request: Request) {
        let read_timeout = self.read_timeout();
        match (&mut self.part, request) {
            (Part::Candidate(c), Request::ClientWrite { .. }) => match c.znode {
                Some(token)
                    if c.phase == Phase::Leading && ctx.local < c.last_heard.saturating_add(read_timeout) =>
                {
                    let period = ctx.job_period(self.config.period_ms);
                    ctx.note(format!("writes now with token {token}"));
                    ctx.send(STORAGE, ZkMsg::Write { token, period });
                }
                _ => ctx.note("does not lead; it does not write"),
            },
            (Part::Candidate(c), Request::Timeout) => {
                // Resigning: delete the znode and volunteer again at the back of the line.
                if let (Some(session), Some(seq)) = (c.session, c.znode) {
                    Self::step_down(c, ctx, "it resigns");
                    ctx.note(format!("deletes its znode {} and volunteers again", znode(seq)));
                    ctx.send(ZOOKEEPER, ZkMsg::Delete { session, seq });
                    c.znode = None;
                    c.abandoned = c.abandoned.max(seq);
                    c.phase = Phase::Creating;
                    ctx.send(ZOOKEEPER, ZkMsg::Create { session });
                    ctx.set_timer(ZkTimer::Retry, self.ping_interval());
                } else {
                    ctx.note("has no znode yet");
                }
            }
            _ => ctx.note("only candidates act on requests here"),
        }
    }

    /// Candidates lose everything; ZooKeeper keeps its znodes, sessions and counters (its
    /// transaction log) and loses its watches; storage keeps its data.
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
                let lowest = s.znodes.first();
                Status {
                    role: Role::Follower,
                    term: lowest.map_or(0, |z| z.seq),
                    leader: lowest.map(|z| z.owner),
                }
            }
            Part::Storage(s) => Status { role: Role::Follower, term: s.max_token, leader: None },
            Part::Candidate(c) => match c.phase {
                Phase::Leading => {
                    Status { role: Role::Leader, term: c.znode.unwrap_or(0), leader: Some(self.id) }
                }
                Phase::Watching(_) => {
                    Status { role: Role::Follower, term: c.znode.unwrap_or(0), leader: None }
                }
                _ => Status { role: Role::Candidate, term: c.znode.unwrap_or(0), leader: None },
            },
        }
    }

    fn watched_timer(&self) -> Option<ZkTimer> {
        match &self.part {
            Part::Server(_) => Some(ZkTimer::Tick),
            Part::Candidate(c) if c.job.is_some() => Some(ZkTimer::JobDone),
            Part::Candidate(_) => Some(ZkTimer::Disconnect),
            Part::Storage(_) => None,
        }
    }

    fn is_routine_timer(timer: ZkTimer) -> bool {
        matches!(timer, ZkTimer::Tick | ZkTimer::Ping | ZkTimer::Retry | ZkTimer::Job)
    }

    /// ZooKeeper `Time.currentElapsedTime()` is `System.nanoTime()`: a monotonic clock.
    fn monotonic_clock(&self) -> bool {
        true
    }

    fn summary(&self) -> String {
        match &self.part {
            Part::Server(s) => {
                let names: Vec<String> =
                    s.znodes.iter().map(|z| format!("{}@n{}", znode(z.seq), z.owner)).collect();
                format!("znodes=[{}] notifications={} reads={}", names.join(" "), s.notifications, s.reads)
            }
            Part::Storage(s) => {
                let ok = s.accepted;
                format!("max-token={} accepted={ok} rejected={}", s.max_token, s.writes.len() - ok)
            }
            Part::Candidate(c) => {
                let z = c.znode.map_or("-".into(), znode);
                let phase = match c.phase {
                    Phase::Connecting => "connecting".into(),
                    Phase::Creating => "creating".into(),
                    Phase::Listing => "listing".into(),
                    Phase::Watching(seq) => format!("watching {}", znode(seq)),
                    Phase::Leading => "leading".into(),
                };
                format!("znode={z} {phase}")
            }
        }
    }

    fn describe(&self, view: &mut NodeView) {
        match &self.part {
            Part::Server(s) => {
                view.tag = "ZooKeeper".into();
                view.details.push(("sessions".into(), s.sessions.len().to_string()));
                view.details.push(("next sequence".into(), s.next_seq.to_string()));
                view.details.push(("zxid".into(), format!("0x{:x}", s.zxid)));
                view.details.push(("watches".into(), s.watches.len().to_string()));
                view.details.push(("watch notifications sent".into(), s.notifications.to_string()));
                view.details.push(("getChildren reads".into(), s.reads.to_string()));
                if let Some((seq, n)) = s.last_herd {
                    view.details
                        .push(("last deletion woke".into(), format!("{n} watcher(s) of {}", znode(seq))));
                }
            }
            Part::Storage(s) => {
                view.tag = "storage".into();
                view.details.push(("highest token".into(), s.max_token.to_string()));
                view.details.push(("fencing".into(), if self.config.fencing { "on" } else { "off" }.into()));
            }
            Part::Candidate(c) => {
                view.tag = "candidate".into();
                match c.session {
                    Some(id) => view.details.push((
                        "session".into(),
                        format!(
                            "0x{id:x}, {}, last heard {}",
                            if c.connected { "connected" } else { "disconnected" },
                            fmt_time(c.last_heard)
                        ),
                    )),
                    None => view.details.push(("session".into(), "connecting".into())),
                }
                if let Some(z) = c.znode {
                    view.details.push(("znode".into(), format!("/election/{}", znode(z))));
                }
                if let Phase::Watching(seq) = c.phase {
                    view.details.push(("watches".into(), format!("exists {}", znode(seq))));
                }
                if let Some((t, p)) = c.job {
                    view.details.push(("job in progress".into(), format!("period {p} with token {t}")));
                }
                view.details.push(("jobs started".into(), c.jobs_run.to_string()));
            }
        }
    }

    fn panel<N: Nodes<Self> + ?Sized>(nodes: &N) -> Option<Panel> {
        let server = nodes.first()?;
        let Part::Server(s) = &server.proto.part else { return None };
        let rows = s
            .znodes
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let expires = s.session(z.session).map_or("-".into(), |j| fmt_time(s.sessions[j].expires_at));
                let watchers: Vec<String> =
                    s.watches.iter().filter(|w| w.0 == z.seq).map(|w| format!("n{}", w.1)).collect();
                vec![
                    format!("/election/{}", znode(z.seq)),
                    format!("n{}", z.owner),
                    format!("0x{:x}", z.session),
                    expires,
                    format!("0x{:x}", z.czxid),
                    if watchers.is_empty() { "-".into() } else { watchers.join(" ") },
                    if i == 0 { "leader".into() } else { String::new() },
                ]
            })
            .collect();
        Some(Panel {
            title: format!(
                "Znodes under /election (n1); watch notifications sent: {}, getChildren reads: {}",
                s.notifications, s.reads
            ),
            columns: ["znode", "owner", "session", "session expires", "czxid", "watched by", ""]
                .map(String::from)
                .to_vec(),
            rows,
        })
    }
}
