//! # The Bully algorithm (Garcia-Molina, 1982), textbook form
//!
//! Every process has a fixed priority, its id: the highest id that is alive should coordinate.
//! A process that suspects the coordinator has failed (it stopped sending heartbeats) holds an
//! election:
//!
//! 1. it sends ELECTION to every process with a higher id and waits `T` (`answer_timeout`);
//! 2. a higher process that is alive answers OK (ANSWER) and starts its own election — it
//!    "bullies" the lower one out of the race;
//! 3. if nobody answers within `T`, the process wins: it sends COORDINATOR to everyone;
//! 4. if somebody answered, it waits `T'` (`coordinator_timeout`) for the COORDINATOR message
//!    that must follow, and starts over if none comes.
//!
//! A recovered process starts an election at once, so a recovered higher id takes over again,
//! and a process that hears COORDINATOR (or heartbeats) from a lower id bullies it by starting
//! an election. Worst case, when the lowest id starts, the election costs O(n²) messages.
//!
//! ## Why the article says "do not implement your own"
//! Bully assumes a synchronous system: timeouts are exact and the network never partitions.
//! Under a partition each side elects its own coordinator, and a paused coordinator wakes up
//! still coordinating. There is no term or epoch to tell old from new, so **both accept
//! writes**: split brain. [`BullyMonitor`] flags it as a violation whenever two coordinators
//! that both accepted writes coexist; that is the lesson, not a bug in this implementation.
//!
//! ## Invariants
//! * Split brain (flagged, expected under partitions and pauses): at most one coordinator that
//!   accepts writes at any moment.
//! * Liveness after healing: the highest live id coordinates and everybody follows it.
//!
//! ## References
//! * H. Garcia-Molina, *Elections in a Distributed Computing System*, IEEE Trans. Computers
//!   C-31(1), 1982 — the Bully algorithm under the synchronous assumptions (A1-A5).
//! * G. Coulouris et al., *Distributed Systems: Concepts and Design*, §15.3 — the textbook
//!   form with timeouts `T` and `T'` used here.
//! * Heartbeat failure detection is the usual textbook add-on; the paper assumes a perfect one.
//! * Deviation, on purpose: this is the textbook protocol (ELECTION, OK, COORDINATOR with the
//!   timeouts T and T'), not the paper's own, whose coordinator first halts the others and
//!   then reorganizes the group (Halt, NewCoordinator and Ready messages; Normal, Election
//!   and Reorganization states). Both elect the highest live id; the textbook form is what
//!   courses teach and interviewers ask about.

mod message;
mod monitor;
#[cfg(test)]
mod tests;

pub use message::{BullyMsg, BullyTimer};
pub use monitor::BullyMonitor;

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::input::Request;
use crate::engine::protocol::{Ctx, Protocol, Status};
use crate::engine::settings::{Settings, millis};
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::view::NodeView;
use crate::engine::view::Role;

/// Bully timing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BullyConfig {
    /// Coordinator heartbeat interval.
    pub heartbeat_ms: u64,
    /// A follower that hears no heartbeat for this long suspects the coordinator.
    pub failure_timeout_ms: u64,
    /// `T`: how long to wait for an OK from a higher id.
    pub answer_timeout_ms: u64,
    /// `T'`: how long to wait for COORDINATOR after an OK.
    pub coordinator_timeout_ms: u64,
}

impl Default for BullyConfig {
    fn default() -> Self {
        BullyConfig {
            heartbeat_ms: 100,
            failure_timeout_ms: 350,
            answer_timeout_ms: 80,
            coordinator_timeout_ms: 250,
        }
    }
}

impl Settings for BullyConfig {
    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "heartbeat" => self.heartbeat_ms = millis(key, v)?,
            "failure-timeout" => self.failure_timeout_ms = millis(key, v)?,
            "answer-timeout" => self.answer_timeout_ms = millis(key, v)?,
            "coordinator-timeout" => self.coordinator_timeout_ms = millis(key, v)?,
            // The textbook Bully algorithm has no rule to switch off: it is unsafe under partitions as is.
            "break" => {
                crate::engine::settings::parse_rules("bully", &[], v)?;
            }
            _ => return Err(format!("unknown setting '{key}' for bully")),
        }
        Ok(())
    }

    fn fields(&self) -> Vec<crate::engine::settings::Field> {
        use crate::engine::settings::Field;
        vec![
            Field::millis("heartbeat", "Coordinator heartbeat", self.heartbeat_ms),
            Field::millis("failure-timeout", "Failure detector timeout", self.failure_timeout_ms),
            Field::millis("answer-timeout", "T: wait for OK", self.answer_timeout_ms),
            Field::millis("coordinator-timeout", "T': wait for COORDINATOR", self.coordinator_timeout_ms),
        ]
    }
}

type BullyCtx<'a> = Ctx<'a, BullyMsg, BullyTimer>;

/// Where a process is in the algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Following `coordinator`.
    Normal,
    /// Sent ELECTION, waiting for OK (`T`).
    Electing,
    /// Got an OK, waiting for COORDINATOR (`T'`).
    AwaitingCoordinator,
    /// Coordinating.
    Coordinator,
}

/// One Bully process.
#[derive(Debug, Clone)]
pub struct Bully {
    id: NodeId,
    peers: Vec<NodeId>,
    config: BullyConfig,
    phase: Phase,
    coordinator: Option<NodeId>,
    /// Elections this process started (for narration and message counts).
    elections: u64,
    /// Writes accepted while coordinating, since it last became coordinator.
    tenure_writes: u64,
    /// Every write this process accepted as coordinator: (value, accepted at).
    writes: Vec<(u64, Micros)>,
}

impl Bully {
    fn higher(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.peers.iter().copied().filter(move |&p| p > self.id)
    }

    /// Step 1: ELECTION to every higher id, then wait `T`.
    fn start_election(&mut self, ctx: &mut BullyCtx<'_>, why: &str) {
        self.elections += 1;
        let higher: Vec<NodeId> = self.higher().collect();
        ctx.cancel_timer(BullyTimer::Failure);
        ctx.cancel_timer(BullyTimer::CoordinatorWait);
        if higher.is_empty() {
            ctx.note(format!("{why}; no higher id exists, so it wins at once"));
            self.become_coordinator(ctx);
            return;
        }
        ctx.note(format!("{why}; holds an election: ELECTION to {}", ids(&higher)));
        self.phase = Phase::Electing;
        for p in higher {
            ctx.send(p, BullyMsg::Election);
        }
        ctx.set_timer(BullyTimer::AnswerWait, ms(self.config.answer_timeout_ms));
    }

    /// Step 3: nobody higher answered: announce to everyone.
    fn become_coordinator(&mut self, ctx: &mut BullyCtx<'_>) {
        self.phase = Phase::Coordinator;
        self.coordinator = Some(self.id);
        self.tenure_writes = 0;
        ctx.cancel_timer(BullyTimer::AnswerWait);
        ctx.cancel_timer(BullyTimer::CoordinatorWait);
        ctx.cancel_timer(BullyTimer::Failure);
        ctx.note("is the coordinator: COORDINATOR to everyone");
        ctx.broadcast(BullyMsg::Coordinator);
        ctx.set_timer(BullyTimer::Heartbeat, ms(self.config.heartbeat_ms));
    }

    fn follow(&mut self, ctx: &mut BullyCtx<'_>, c: NodeId) {
        if self.coordinator != Some(c) || self.phase != Phase::Normal {
            ctx.note(format!("accepts n{c} as coordinator"));
        }
        self.phase = Phase::Normal;
        self.coordinator = Some(c);
        ctx.cancel_timer(BullyTimer::AnswerWait);
        ctx.cancel_timer(BullyTimer::CoordinatorWait);
        ctx.cancel_timer(BullyTimer::Heartbeat);
        ctx.set_timer(BullyTimer::Failure, ms(self.config.failure_timeout_ms));
    }
}

fn ids(v: &[NodeId]) -> String {
    v.iter().map(|p| format!("n{p}")).collect::<Vec<_>>().join(", ")
}

impl Protocol for Bully {
    type Msg = BullyMsg;
    type Timer = BullyTimer;
    type Config = BullyConfig;
    type Monitor = BullyMonitor;

    fn monitor(_config: &Self::Config) -> Self::Monitor {
        Self::Monitor::default()
    }

    const ID: &'static str = "bully";
    const NAME: &'static str = "Bully";
    const TAGLINE: &'static str =
        "the highest live id wins. Split the network and write to both sides: two coordinators, split brain.";
    // Garcia-Molina's assumptions exclude partitions: under one, each side elects its own
    // coordinator (the split brain the lab shows).
    const SURVIVES_PARTITIONS: bool = false;

    fn production() -> Option<BullyConfig> {
        // No production system runs the Bully algorithm: textbook values, stated as such.
        // Coulouris §15.3.2: T = 2 Ttrans + Tprocess; with a LAN's 15 ms and 10 ms of
        // processing, 40 ms. A failure detector that suspects after three missed heartbeats.
        Some(BullyConfig {
            heartbeat_ms: 1_000,
            failure_timeout_ms: 3_000,
            answer_timeout_ms: 40,
            coordinator_timeout_ms: 120,
        })
    }

    const PRODUCTION_SOURCES: &'static [&'static str] = &[
        "no production system: textbook values (Coulouris §15.3.2, T = 2 Ttrans + Tprocess = 40 ms)",
        "heartbeat 1 s, suspicion after three missed heartbeats: a common failure-detector choice",
    ];
    const TERM_LABEL: Option<&'static str> = None;

    fn validate(c: &BullyConfig, _nodes: usize) -> Result<(), Error> {
        crate::engine::settings::check_millis(
            &[
                ("heartbeat", c.heartbeat_ms),
                ("failure timeout", c.failure_timeout_ms),
                ("answer timeout", c.answer_timeout_ms),
                ("coordinator timeout", c.coordinator_timeout_ms),
            ],
            60_000,
        )?;
        crate::engine::settings::check_shorter(
            ("heartbeat", c.heartbeat_ms),
            ("failure timeout", c.failure_timeout_ms),
            "every process would suspect the coordinator between two heartbeats",
        )?;
        Ok(())
    }

    fn new(id: NodeId, peers: &[NodeId], config: &BullyConfig) -> Self {
        Bully {
            id,
            peers: peers.to_vec(),
            config: config.clone(),
            phase: Phase::Normal,
            coordinator: None,
            elections: 0,
            tenure_writes: 0,
            writes: Vec::new(),
        }
    }

    /// Garcia-Molina: a process that (re)starts holds an election, so a recovered higher id
    /// takes over.
    fn on_start(&mut self, ctx: &mut BullyCtx<'_>) {
        self.start_election(ctx, "starts up");
    }

    fn on_message(&mut self, ctx: &mut BullyCtx<'_>, from: NodeId, msg: BullyMsg) {
        match msg {
            // Step 2: answer a lower id and take over the election.
            BullyMsg::Election => {
                ctx.send(from, BullyMsg::Answer);
                match self.phase {
                    Phase::Coordinator => {
                        // Already coordinating: remind the lower process.
                        ctx.send(from, BullyMsg::Coordinator);
                    }
                    Phase::Electing | Phase::AwaitingCoordinator => {}
                    Phase::Normal => self.start_election(ctx, &format!("got ELECTION from lower n{from}")),
                }
            }
            BullyMsg::Answer => {
                if self.phase == Phase::Electing {
                    self.phase = Phase::AwaitingCoordinator;
                    ctx.cancel_timer(BullyTimer::AnswerWait);
                    ctx.note(format!("got OK from n{from}; waits for COORDINATOR (T')"));
                    ctx.set_timer(BullyTimer::CoordinatorWait, ms(self.config.coordinator_timeout_ms));
                }
            }
            BullyMsg::Coordinator | BullyMsg::Heartbeat => {
                if from < self.id {
                    // A lower id claims to coordinate: bully it.
                    if self.phase == Phase::Coordinator {
                        ctx.send(from, BullyMsg::Coordinator);
                    } else if self.phase == Phase::Normal {
                        self.start_election(ctx, &format!("hears lower n{from} coordinating"));
                    }
                    return;
                }
                if msg == BullyMsg::Heartbeat && self.coordinator == Some(from) && self.phase == Phase::Normal
                {
                    ctx.set_timer(BullyTimer::Failure, ms(self.config.failure_timeout_ms));
                    return;
                }
                if self.phase == Phase::Coordinator {
                    ctx.note(format!("steps down for higher n{from}"));
                }
                self.follow(ctx, from);
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut BullyCtx<'_>, timer: BullyTimer) {
        match timer {
            BullyTimer::Heartbeat => {
                if self.phase == Phase::Coordinator {
                    ctx.broadcast(BullyMsg::Heartbeat);
                    ctx.set_timer(BullyTimer::Heartbeat, ms(self.config.heartbeat_ms));
                }
            }
            BullyTimer::Failure => {
                if self.phase == Phase::Normal {
                    let who = self.coordinator.map_or("the coordinator".to_string(), |c| format!("n{c}"));
                    self.start_election(ctx, &format!("heard nothing from {who}"));
                }
            }
            BullyTimer::AnswerWait => {
                if self.phase == Phase::Electing {
                    ctx.note("no higher id answered within T");
                    self.become_coordinator(ctx);
                }
            }
            BullyTimer::CoordinatorWait => {
                if self.phase == Phase::AwaitingCoordinator {
                    self.start_election(ctx, "no COORDINATOR within T'");
                }
            }
        }
    }

    fn on_request(&mut self, ctx: &mut BullyCtx<'_>, request: Request) {
        match request {
            Request::ClientWrite { value } => {
                if self.phase == Phase::Coordinator {
                    self.tenure_writes += 1;
                    self.writes.push((value, ctx.now));
                    ctx.note(format!("accepts write x={value} as coordinator"));
                } else {
                    match self.coordinator {
                        Some(c) => ctx.note(format!("is not the coordinator; redirects the client to n{c}")),
                        None => ctx.note("knows no coordinator; the write is refused"),
                    }
                }
            }
            Request::Timeout => {
                if self.phase == Phase::Coordinator {
                    ctx.note("is the coordinator: it suspects nobody");
                } else {
                    self.start_election(ctx, "was told to suspect the coordinator");
                }
            }
            Request::TransferLeadership { .. } => {
                ctx.note("Bully has no leadership transfer: the highest live id always wins");
            }
        }
    }

    /// Bully keeps nothing on disk: a restarted process knows nothing and holds an election.
    fn on_crash(&mut self) {
        self.phase = Phase::Normal;
        self.coordinator = None;
        self.tenure_writes = 0;
    }

    fn status(&self) -> Status {
        let role = match self.phase {
            Phase::Normal => Role::Follower,
            Phase::Electing | Phase::AwaitingCoordinator => Role::Candidate,
            Phase::Coordinator => Role::Leader,
        };
        Status { role, term: 0, leader: self.coordinator }
    }

    fn watched_timer(&self) -> Option<BullyTimer> {
        Some(match self.phase {
            Phase::Normal => BullyTimer::Failure,
            Phase::Electing => BullyTimer::AnswerWait,
            Phase::AwaitingCoordinator => BullyTimer::CoordinatorWait,
            Phase::Coordinator => BullyTimer::Heartbeat,
        })
    }

    fn is_routine_timer(timer: BullyTimer) -> bool {
        timer == BullyTimer::Heartbeat
    }

    fn summary(&self) -> String {
        format!("writes={}", self.writes.len())
    }

    /// The writes this process accepted as coordinator. Bully has no replication: a write is
    /// "committed" the moment a coordinator accepts it, on that coordinator alone.
    fn log_view(&self) -> (Vec<crate::engine::view::EntryView>, u64) {
        let log: Vec<crate::engine::view::EntryView> = self
            .writes
            .iter()
            .enumerate()
            .map(|(i, (v, _))| crate::engine::view::EntryView {
                index: i as u64 + 1,
                term: 0,
                label: format!("x={v}"),
            })
            .collect();
        let n = log.len() as u64;
        (log, n)
    }

    fn describe(&self, view: &mut NodeView) {
        let phase = match self.phase {
            Phase::Normal => "following",
            Phase::Electing => "electing: waiting for OK (T)",
            Phase::AwaitingCoordinator => "got OK: waiting for COORDINATOR (T')",
            Phase::Coordinator => "coordinator",
        };
        view.details.push(("phase".into(), phase.into()));
        view.details.push(("priority".into(), format!("id {}", self.id)));
        view.details.push(("elections started".into(), self.elections.to_string()));
        if !self.writes.is_empty() {
            let w: Vec<String> = self.writes.iter().rev().take(6).map(|(v, _)| format!("x={v}")).collect();
            view.details
                .push(("writes accepted".into(), format!("{} (latest: {})", self.writes.len(), w.join(" "))));
        }
    }
}
