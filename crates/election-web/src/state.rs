//! The lab's state and its reducer: everything the page shows ([`Lab`]), what the user and
//! the clock do ([`Action`]), and how each action changes the state (`impl Reducible`).
//!
//! The simulation session is a large, mutable engine (trace, checkpoints), so the state holds
//! it behind `Rc<RefCell<..>>` instead of cloning it on every action; the reducer is still the
//! only place that changes it. Nothing here touches the browser: the page's effects (address,
//! storage, clipboard, timers, fetches) are in `app.rs` and `browser.rs`, and they reach the
//! state as actions carrying their results, so the reducer runs natively, without a page:
//! the tests at the end (`cargo test -p election-web --lib`) say what each action does.

use std::cell::RefCell;
use std::rc::Rc;

use election_core::engine::limits::Budget;
use election_core::scenario::{Show, Tour};
use election_core::{
    Algorithm, AnySession, ClusterView, Input, Liveness, Micros, NodeId, Request, SessionSpec,
};
use yew::prelude::*;

use crate::share;

/// Simulated microseconds per wall-clock millisecond at each speed setting.
pub const SPEEDS: [(&str, f64); 10] = [
    ("0.01x", 0.01),
    ("0.02x", 0.02),
    ("0.05x", 0.05),
    ("0.1x", 0.1),
    ("0.25x", 0.25),
    ("0.5x", 0.5),
    ("1x", 1.0),
    ("2x", 2.0),
    ("5x", 5.0),
    ("10x", 10.0),
];
/// Default: 0.05x, slow enough to follow each message (a 12 ms hop takes a quarter second).
pub const DEFAULT_SPEED: usize = 2;

/// Simulated events a clock tick starts with. A storm (dueling Paxos proposers, 15 nodes at
/// 10x with duplication) asks for far more per frame than a frame can hold; past its budget a
/// tick stops and the run falls behind the requested speed instead of freezing the page.
pub const EVENTS_PER_TICK: u64 = 1_500;

/// A frame interval past which the frame came late: a 60 Hz display shows one every 16.7 ms,
/// and a frame that misses one comes 33 ms after the last.
pub const FRAME_LATE_MS: f64 = 25.0;

/// The page's own work a frame aims at: the tick's simulation and the redraw, up to the end of
/// the render. The browser's style, layout, paint and compositing take another 6-7 ms of a
/// storm's frame (Chromium traces, `tests/e2e/measure.js` section 2b), and a frame has 16.7: at
/// 8 ms the worst storm's frames sat at 16 ms in the 95th percentile, at 6 about 13. The run
/// then falls a little further behind its speed in a storm, which the page already says.
pub const WORK_TARGET_MS: f64 = 6.0;

/// What the last frame cost, as the clock measures it (wall time paces the run, never decides
/// anything in it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameCost {
    /// Time since the frame before.
    pub interval_ms: f64,
    /// The page's work in the frame: from the tick to the end of the render.
    pub work_ms: f64,
    /// The tick ran out of its budget (the run fell behind the chosen speed).
    pub throttled: bool,
}

/// The next tick's event budget. It follows the page's own work: shrink in proportion when that
/// is over its target, or when a frame came late and the work was a good part of it; grow only
/// while the budget holds the run back and the work leaves room. (A budget that grew whenever
/// frames came on time found its limit by missing frames: one in three, in a storm.)
pub fn next_budget(budget: u64, f: FrameCost) -> u64 {
    let next = if f.work_ms > WORK_TARGET_MS {
        // Most of the work follows the events, not all: at most down to a quarter at once.
        (budget as f64 * (WORK_TARGET_MS / f.work_ms).max(0.25)) as u64
    } else if f.interval_ms > FRAME_LATE_MS {
        if f.work_ms > WORK_TARGET_MS / 2.0 { budget * 2 / 3 } else { budget }
    } else if f.throttled && f.work_ms < WORK_TARGET_MS / 2.0 {
        budget + budget / 8 + 16
    } else {
        budget
    };
    next.clamp(20, 20_000)
}

/// The slowest speed at which the event log and the space-time diagram follow the run a few
/// times a second rather than on every frame: at 5x the diagram's window passes in an eighth
/// of a second, faster than the eye follows a line, and a busy cluster adds dozens of lines to
/// each of them every frame.
pub const PACED_SPEED: f64 = 5.0;

/// How often a panel beside the picture follows the run when it is paced (see
/// [`Lab::paced`]): every 16 frames, about four times a second. The event log and the
/// space-time diagram then change wholly from one frame to the next, faster than anyone reads
/// them, and redrawing them was most of a frame's work.
pub const PANEL_FRAMES: u32 = 16;

/// When the panels beside the picture (the event log, the space-time diagram) follow the run.
/// The picture follows it every frame.
#[derive(Debug, Default)]
pub struct Pacer {
    /// Frames drawn so far.
    frame: u32,
}

impl Pacer {
    /// Which panels follow the run in the next frame: both, unless they are `paced`; then
    /// each every [`PANEL_FRAMES`] frames, half a period apart, so that no frame redraws both.
    pub fn due(&mut self, paced: bool) -> [bool; 2] {
        self.frame = self.frame.wrapping_add(1);
        let turn = self.frame % PANEL_FRAMES;
        if paced { [turn == 0, turn == PANEL_FRAMES / 2] } else { [true, true] }
    }
}

/// What the page says when new settings, or an action before a tour's end, end the tour: its
/// story (its cluster, its partitions, crashes and writes) no longer happens.
const TOUR_ENDED: &str =
    "The guided scenario ended: its story needs its own run. Pick it again to restart it.";

/// What has the keyboard focus when a key is pressed: shortcuts never act inside a field, and
/// Space or Enter on a button is the button's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The page itself (the body, the lab, a picture).
    Page,
    /// A text field, number field, textarea, select, slider or checkbox: keys are typed there.
    Field,
    /// A button, link or summary the keyboard moved to: Space and Enter press it.
    Button,
    /// A button, link or summary that has the focus because the pointer pressed it (no Tab
    /// since). Space plays and pauses, as on the page: a student who clicked "Client write"
    /// and then pressed Space wrote twice. Enter stays the button's.
    Clicked,
}

/// Whether a key pressed with `focus` is a page shortcut (the field or button keeps it
/// otherwise). Modified keys (Ctrl, Alt, Meta) are the browser's.
pub fn is_shortcut(focus: Focus, key: &str, modified: bool) -> bool {
    if modified {
        return false;
    }
    match focus {
        Focus::Page => true,
        Focus::Field => false,
        Focus::Button => !matches!(key, " " | "Enter"),
        Focus::Clicked => key != "Enter",
    }
}

/// A session compared by identity (two handles to the same engine are equal).
#[derive(Clone)]
pub struct SameEngine(pub Rc<RefCell<AnySession>>);

impl PartialEq for SameEngine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The view at the cursor, shared by the components of one frame and compared by identity:
/// a frame makes one view, and comparing or cloning its hundreds of in-flight messages for
/// each component cost more than drawing them.
#[derive(Clone)]
pub struct SameView(pub Rc<ClusterView>);

impl PartialEq for SameView {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for SameView {
    type Target = ClusterView;
    fn deref(&self) -> &ClusterView {
        &self.0
    }
}

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct Lab {
    /// The running session.
    pub engine: Rc<RefCell<AnySession>>,
    /// Settings the session was built from (inputs excluded).
    pub base: SessionSpec,
    /// Is time running?
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// The node shown in the inspector.
    pub selected: Option<NodeId>,
    /// A problem to show (bad URL, invalid setting), dismissable.
    pub error: Option<String>,
    /// Information (forked the future, link copied).
    pub notice: Option<String>,
    /// Text for the ARIA live region.
    pub announcement: String,
    /// Leader at the last announcement.
    pub last_leader: Option<NodeId>,
    /// Which trace events the event log shows.
    pub log_show: Show,
    /// Compact, chrome-less embed mode.
    pub embed: bool,
    /// The keyboard help overlay is open.
    pub help: bool,
    /// Presenter mode (`?present=1` or the tour's Present button): large type, settings
    /// hidden, PageDown/PageUp and the arrows step through the tour.
    pub presenting: bool,
    /// In presenter mode, the tour step's speaker notes are shown (`n`).
    pub notes: bool,
    /// The guided scenario being played, if any.
    pub tour: Option<Rc<ActiveTour>>,
    /// The scenario file being fetched for a tour, if any.
    pub loading_tour: Option<String>,
    /// A shared link whose session is JSON, read by the JSON worker once the page is up.
    pub pending_link: Option<share::Shared>,
    /// Answers given to the tour's questions, by step.
    pub answers: election_core::collections::Map<usize, String>,
    /// The last tick ran out of its event budget: the run is slower than the chosen speed.
    pub throttled: bool,
    /// A shared run still being replayed to its cursor, a few thousand events per frame.
    pub catching_up: Option<CatchUp>,
    /// Bumped on every change, so that Yew re-renders.
    pub version: u64,
}

/// A shared run replayed to its cursor over several frames, so that a link asking for half a
/// million events leaves a page that draws and answers clicks meanwhile. Together the frames
/// run at most [`Budget::REPLAY`], as one replay would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUp {
    /// The shared cursor.
    pub target: Micros,
    /// Where the replay started.
    pub from: Micros,
    /// Events replayed so far.
    pub spent: u64,
}

/// Events a shared link replays before the page first draws: most links need fewer, and open
/// at their cursor at once.
pub const CATCH_UP_FIRST: u64 = 20_000;

/// Events each later frame replays. A fixed number, not the play budget: that one shrinks
/// when frames come late, and a replay's frames are all busy, so it would dwindle to a few
/// events a frame. Ten thousand events take some tens of milliseconds in the page: nothing
/// animates meanwhile, and a click is answered within a frame or two.
pub const CATCH_UP_CHUNK: u64 = 10_000;

impl PartialEq for Lab {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.engine, &other.engine)
    }
}

/// A guided scenario in the page.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveTour {
    /// File, e.g. `raft/leader-crash.txt`.
    pub path: String,
    /// The tour.
    pub tour: Tour,
}

/// What the user (or the clock) does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Wall-clock time passed (milliseconds), and how many events the tick may simulate.
    Tick(f64, u64),
    /// Play or pause.
    TogglePlay,
    /// Play (true) or pause (false), whatever the clock does now (the embedding API).
    Play(bool),
    /// Change the speed.
    SetSpeed(usize),
    /// One event forward.
    StepForward,
    /// One event back.
    StepBack,
    /// Move the cursor.
    Seek(Micros),
    /// Move the cursor and pause there (a marker or the first violation: to look at it).
    JumpTo(Micros),
    /// A key pressed outside any field (see [`is_shortcut`]): the shortcut it names, if any.
    Key(String),
    /// Select a node (or none).
    Select(Option<NodeId>),
    /// Apply an input at the cursor.
    Act(Input),
    /// Cut a healthy link or heal a cut one (both directions).
    ToggleLink(NodeId, NodeId),
    /// Rebuild the session with new settings.
    Configure(SessionSpec),
    /// Choose what the event log shows.
    LogShow(Show),
    /// Load a whole session (settings, seed and inputs), e.g. a pasted script.
    Load(SessionSpec),
    /// The session of a shared link, read (or why it could not be), and its cursor.
    LinkRead(Result<SessionSpec, String>, Micros),
    /// Say something.
    Notify(String),
    /// Report a problem (shown as an error banner; the page keeps working).
    Fail(String),
    /// Dismiss the error and notice.
    Dismiss,
    /// Open or close the keyboard help.
    ToggleHelp,
    /// Enter or leave presenter mode.
    Present(bool),
    /// Show or hide the speaker notes (presenter mode).
    ToggleNotes,
    /// Play on to the tour's next step (a clicker's PageDown).
    NextStep,
    /// Back to the start of the tour's previous step, paused (PageUp).
    PrevStep,
    /// Leave the tour.
    LeaveTour,
    /// The scenario file at this path is being fetched to start its tour.
    TourLoading(String),
    /// The fetched scenario file (or why it could not be fetched): start its tour.
    TourLoaded(String, Result<String, String>),
    /// Answer the question of a tour step.
    Answer(usize, String),
}

impl Lab {
    fn new(spec: SessionSpec, embed: bool) -> Self {
        // (Not `expect`: that would format the error with Debug, code the page otherwise lacks.)
        let engine = AnySession::new(spec.clone()).unwrap_or_else(|_| {
            match AnySession::new(SessionSpec::new(Algorithm::Raft, 5, 1)) {
                Ok(default) => default,
                Err(_) => unreachable!("the default session is valid"),
            }
        });
        Lab {
            engine: Rc::new(RefCell::new(engine)),
            base: SessionSpec { inputs: Vec::new(), ..spec },
            playing: true,
            speed: DEFAULT_SPEED,
            selected: None,
            error: None,
            notice: None,
            announcement: String::new(),
            last_leader: None,
            log_show: Show::Default,
            embed,
            help: false,
            presenting: false,
            notes: false,
            tour: None,
            loading_tour: None,
            pending_link: None,
            answers: election_core::collections::Map::new(),
            throttled: false,
            catching_up: None,
            version: 0,
        }
    }

    /// The lab a page opens with: `embed` from `?embed=1`, `link` the session decoded from
    /// the URL fragment (see [`share::decode`]). A link's script is read here; its JSON waits
    /// in [`Lab::pending_link`] for the JSON worker, which the page starts once it runs.
    pub fn opening(embed: bool, link: Result<Option<share::Shared>, String>) -> Lab {
        let default = SessionSpec::new(Algorithm::Raft, 5, 1);
        match link {
            Ok(Some(shared)) if crate::json_worker::is_json(&shared.text) => {
                let mut lab = Lab::new(default, embed);
                lab.notice = Some("Opening the shared session…".into());
                lab.playing = false;
                lab.pending_link = Some(shared);
                lab
            }
            Ok(Some(shared)) => match election_core::scenario::spec_from_script(&shared.text) {
                Ok(spec) => {
                    let mut lab = Lab::new(spec, embed);
                    if !shared.play {
                        lab.pause_at(shared.cursor);
                    }
                    lab
                }
                Err(e) => {
                    let mut lab = Lab::new(default, embed);
                    lab.refused(shared.play, &e.to_string());
                    lab
                }
            },
            Ok(None) => Lab::new(default, embed),
            Err(e) => {
                let mut lab = Lab::new(default, embed);
                lab.error = Some(format!("{e}. Showing a fresh 5-node Raft cluster instead."));
                lab
            }
        }
    }

    /// Says that a session could not be read (`why`): the page shows the fresh cluster it
    /// holds. A session the page handed to the full lab (`play`: `play=1`, loaded or picked in
    /// the page) is not a shared link, and is not called one.
    fn refused(&mut self, play: bool, why: &str) {
        self.error = Some(format!(
            "{} could not be loaded: {why}. Showing a fresh 5-node Raft cluster instead.",
            if play { "That session" } else { "The shared link" }
        ));
    }

    /// Replaces the session with `spec` (its inputs are the recorded branch; `base`, what the
    /// settings panel edits, is `spec` without them). Callers set what else changes.
    fn start(&mut self, spec: SessionSpec) -> Result<(), election_core::Error> {
        let engine = AnySession::new(spec.clone())?;
        self.engine = Rc::new(RefCell::new(engine));
        self.base = SessionSpec { inputs: Vec::new(), ..spec };
        self.last_leader = None;
        Ok(())
    }

    /// Replaces the session with a shared one, paused at `cursor`.
    fn open_shared(&mut self, spec: SessionSpec, cursor: Micros) {
        match self.start(spec) {
            Ok(()) => self.pause_at(cursor),
            Err(e) => self.error = Some(format!("The shared link could not be loaded: {e}")),
        }
    }

    /// Moves to `cursor` and waits there, nothing selected (how a shared run opens). A link is
    /// untrusted: replaying it runs at most the replay budget of events, and a link that asks
    /// for more opens where the budget ran out, saying so.
    fn pause_at(&mut self, cursor: Micros) {
        self.selected = None;
        self.playing = false;
        let from = self.engine.borrow().now();
        self.catching_up = Some(CatchUp { target: cursor, from, spent: 0 });
        self.catch_up(CATCH_UP_FIRST);
    }

    /// Replays up to `events` more of a shared run towards its cursor; the replay ends at the
    /// cursor, or with the error [`Budget::stop`] gives the whole replay.
    fn catch_up(&mut self, events: u64) {
        let Some(c) = self.catching_up else { return };
        let mut e = self.engine.borrow_mut();
        let chunk = events.clamp(1, Budget::REPLAY.events.saturating_sub(c.spent).max(1));
        let before = e.steps();
        let result = e.advance_within(c.target, Budget { events: chunk });
        let ran = e.steps() - before;
        let spent = c.spent + ran;
        self.catching_up = None;
        match result {
            Ok(()) => {}
            // Refused before running (a cursor past the limits): that error says why.
            Err(err) if ran == 0 => self.error = Some(format!("The shared run stops early: {err}")),
            // The frames together stop as one replay would.
            Err(_) => match Budget::REPLAY.stop(spent, c.from, e.now(), c.target) {
                Some(err) => self.error = Some(format!("The shared run stops early: {err}")),
                None => self.catching_up = Some(CatchUp { spent, ..c }),
            },
        }
    }

    /// What a key pressed on the page does, if anything (the keys the help overlay lists).
    /// The node keys act on the selected node, as its state allows: `c` crashes a running
    /// node and restarts a crashed one, `p` pauses and resumes.
    pub fn key_action(&self, key: &str) -> Option<Action> {
        // The help is a modal dialog: behind it, keys do nothing but close it.
        if self.help && !matches!(key, "Escape" | "?") {
            return None;
        }
        // A lecture hall's clicker sends PageDown/PageUp (some send the arrows): in presenter
        // mode they, the arrows and Space move through the tour's steps.
        if self.presenting && self.tour.is_some() {
            match key {
                "PageDown" | "ArrowRight" | "ArrowDown" | " " => return Some(Action::NextStep),
                "PageUp" | "ArrowLeft" | "ArrowUp" => return Some(Action::PrevStep),
                _ => {}
            }
        }
        Some(match key {
            "n" if self.presenting => Action::ToggleNotes,
            " " => Action::TogglePlay,
            "ArrowRight" => Action::StepForward,
            "ArrowLeft" => Action::StepBack,
            "Escape" if self.help => Action::ToggleHelp,
            "Escape" => Action::Select(None),
            "?" => Action::ToggleHelp,
            "h" => Action::Act(Input::HealAll),
            "c" | "p" | "t" | "w" | "i" => {
                let node = self.selected?;
                let view = self.view();
                let n = view.nodes.get(usize::from(node) - 1)?;
                Action::Act(match key {
                    "c" if n.liveness == Liveness::Down => Input::Restart { node },
                    "c" => Input::Crash { node },
                    "p" if n.liveness == Liveness::Paused => Input::Resume { node },
                    "p" => Input::Pause { node, for_us: None },
                    "t" => Input::Request { node, request: Request::Timeout },
                    "w" => Input::Request {
                        node,
                        request: Request::ClientWrite { value: self.next_write_value(None) },
                    },
                    _ => Input::Isolate { node },
                })
            }
            k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() => {
                let d = k.as_bytes()[0] - b'0';
                let n = if d == 0 { 10 } else { d };
                if usize::from(n) > self.base.nodes {
                    return None;
                }
                Action::Select(Some(n))
            }
            _ => return None,
        })
    }

    /// Apply `input` at the cursor. Acting before the end of the recorded run discards its
    /// future, and with it a tour's: the tour's story (its partitions, crashes and writes) no
    /// longer happens, so the tour ends rather than narrate it over another run (a network
    /// change in the partition tour had it explain a partition that was gone).
    fn act(&mut self, input: Input) {
        let r = self.engine.borrow_mut().act(input);
        match r {
            Ok(true) if !self.end_tour() => {
                self.notice = Some(
                    "You acted in the past: the recorded future was discarded and a new one starts here."
                        .into(),
                )
            }
            Ok(_) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Ends the tour being played, if any, saying so ([`TOUR_ENDED`]); true if there was one.
    fn end_tour(&mut self) -> bool {
        let ended = self.tour.take().is_some();
        if ended {
            self.answers.clear();
            self.notice = Some(TOUR_ENDED.into());
        }
        ended
    }

    /// The value the next client write carries: one more than the highest value written so
    /// far (1, 2, 3… from the buttons), so a button's label stays what it writes while the run
    /// plays, and no value is written twice. Kafka sends value `v` to partition
    /// `v % partitions`: with `partition` the value is the next number above the others that
    /// lands there. (Counting the writes instead offered "x=3 to p0" again after x=3 was
    /// written to p0.)
    pub fn next_write_value(&self, partition: Option<(u64, u64)>) -> u64 {
        let highest = self
            .engine
            .borrow()
            .inputs()
            .iter()
            .filter_map(|i| match i.input {
                Input::Request { request: Request::ClientWrite { value }, .. } => Some(value),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let next = highest.saturating_add(1);
        match partition {
            Some((p, parts)) if parts > 0 => next.saturating_add((p % parts + parts - next % parts) % parts),
            _ => next,
        }
    }

    /// The run plays behind its chosen speed: a storm asks for more events than a frame holds.
    pub fn storm(&self) -> bool {
        self.playing && self.throttled
    }

    /// The event log and the space-time diagram follow the run a few times a second (see
    /// [`Pacer`]): in a storm, or at [`PACED_SPEED`] and faster.
    pub fn paced(&self) -> bool {
        self.storm() || (self.playing && SPEEDS[self.speed].1 >= PACED_SPEED)
    }

    /// The view at the cursor.
    pub fn view(&self) -> ClusterView {
        self.engine.borrow().view()
    }

    fn announce_leader(&mut self) {
        let leader = self.engine.borrow().stable_leader();
        if leader != self.last_leader {
            self.announcement = match leader {
                Some(l) => format!("n{l} is now the leader"),
                None => "There is no leader".to_string(),
            };
            self.last_leader = leader;
        }
    }
}

impl Reducible for Lab {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if let Action::Key(key) = &action {
            return match self.key_action(key) {
                Some(a) => self.reduce(a),
                None => self,
            };
        }
        let mut s = (*self).clone();
        s.version += 1;
        // Moving time or changing the session ends the replay of a shared run where it is:
        // the user has taken over from the link.
        let takes_over = matches!(
            action,
            Action::TogglePlay
                | Action::NextStep
                | Action::PrevStep
                | Action::StepForward
                | Action::StepBack
                | Action::Seek(_)
                | Action::JumpTo(_)
                | Action::Act(_)
                | Action::ToggleLink(..)
                | Action::Configure(_)
                | Action::Load(_)
                | Action::TourLoaded(..)
        );
        if takes_over && let Some(c) = s.catching_up.take() {
            let now = s.engine.borrow().now();
            s.notice = Some(format!(
                "Stopped replaying the shared run at {} of {}.",
                election_core::engine::limits::human_time(now),
                election_core::engine::limits::human_time(c.target)
            ));
        }
        match action {
            Action::Tick(..) if s.catching_up.is_some() => s.catch_up(CATCH_UP_CHUNK),
            Action::Tick(wall_ms, events) => {
                if !s.playing {
                    return self;
                }
                // Wall time only paces the animation; the simulation itself never reads it.
                let wall_ms = wall_ms.clamp(0.0, 100.0);
                let delta = (wall_ms * 1_000.0 * SPEEDS[s.speed].1) as Micros;
                let mut e = s.engine.borrow_mut();
                let now = e.now();
                let mut t = now.saturating_add(delta.max(1));
                let mut stops = false;
                // A guided scenario stops at each narration step and at its end.
                if let Some(active) = &s.tour {
                    let stop = active
                        .tour
                        .steps
                        .iter()
                        .map(|st| st.at)
                        .chain([active.tour.end])
                        .find(|&a| a > now && a <= t);
                    if let Some(stop) = stop {
                        t = stop;
                        stops = true;
                    }
                }
                // Wall time only paces the run: a tick that runs out of budget stops where it
                // is (a whole instant, like any step), and the next tick goes on from there.
                let budget = election_core::engine::limits::Budget { events };
                s.throttled = e.advance_within(t, budget).is_err();
                // A tour's step pauses the run once its time is reached, not when a busy tick
                // ran out of budget on its way there (the narration would show before its
                // moment). Reached counts even if events of that instant remain: the next
                // tick looks for stops after the cursor, and would pass this one by.
                if stops && e.now() >= t {
                    s.playing = false;
                }
            }
            Action::TogglePlay => s.playing = !s.playing,
            Action::Play(on) => s.playing = on,
            Action::SetSpeed(i) => s.speed = i.min(SPEEDS.len() - 1),
            Action::StepForward => {
                s.playing = false;
                s.engine.borrow_mut().step_forward();
            }
            Action::StepBack => {
                s.playing = false;
                s.engine.borrow_mut().step_back();
            }
            Action::Seek(t) => {
                let r = s.engine.borrow_mut().seek(t.min(i64::MAX as u64) as i64);
                if let Err(e) = r {
                    s.error = Some(e.to_string());
                }
            }
            Action::JumpTo(t) => {
                s.playing = false;
                let r = s.engine.borrow_mut().seek(t.min(i64::MAX as u64) as i64);
                if let Err(e) = r {
                    s.error = Some(e.to_string());
                }
            }
            Action::Key(_) => {}
            Action::Select(n) => s.selected = n,
            Action::Act(input) => s.act(input),
            Action::ToggleLink(a, b) => {
                let cut = s.view().links.iter().any(|l| (l.from, l.to) == (a, b) || (l.from, l.to) == (b, a));
                s.act(if cut {
                    Input::Heal { from: a, to: b, both: true }
                } else {
                    Input::Cut { from: a, to: b, both: true }
                });
            }
            Action::Configure(spec) => match s.start(spec) {
                Ok(()) => {
                    s.selected = s.selected.filter(|n| usize::from(*n) <= s.base.nodes);
                    s.error = None;
                    // A tour narrates its own cluster: new settings end it rather than tell its
                    // story over another one.
                    s.end_tour();
                }
                Err(e) => {
                    s.error = Some(format!("Those settings do not work: {}", crate::messages::humane(&e)))
                }
            },
            Action::LogShow(show) => s.log_show = show,
            Action::Load(spec) => match s.start(spec) {
                Ok(()) => {
                    s.selected = None;
                    s.error = None;
                    s.notice = Some("Session loaded: it replays from the start.".into());
                }
                Err(e) => s.error = Some(format!("That session could not be loaded: {e}")),
            },
            Action::LinkRead(Ok(spec), cursor) => {
                s.pending_link = None;
                s.notice = None;
                s.open_shared(spec, cursor);
            }
            Action::LinkRead(Err(e), _) => {
                s.notice = None;
                s.playing = true;
                let play = s.pending_link.take().is_some_and(|p| p.play);
                s.refused(play, &e);
            }
            Action::Notify(n) => s.notice = Some(n),
            Action::Fail(e) => s.error = Some(e),
            Action::Dismiss => {
                s.error = None;
                s.notice = None;
            }
            Action::ToggleHelp => s.help = !s.help,
            Action::Present(on) => s.presenting = on,
            Action::ToggleNotes => s.notes = !s.notes,
            Action::NextStep => s.playing = s.tour.is_some(),
            Action::PrevStep => {
                if let Some(active) = &s.tour {
                    let now = s.engine.borrow().now();
                    // The start of the step shown now, or the one before when already there.
                    let starts: Vec<Micros> = active.tour.steps.iter().map(|st| st.at).collect();
                    let current = starts.iter().rposition(|&a| a <= now).unwrap_or(0);
                    let to =
                        if starts.get(current) == Some(&now) { current.saturating_sub(1) } else { current };
                    s.playing = false;
                    let t = starts.get(to).copied().unwrap_or(0);
                    if let Err(e) = s.engine.borrow_mut().seek(t.min(i64::MAX as u64) as i64) {
                        s.error = Some(e.to_string());
                    }
                }
            }
            Action::LeaveTour => {
                s.tour = None;
                s.loading_tour = None;
            }
            Action::TourLoading(path) => {
                s.loading_tour = Some(path);
                s.error = None;
                s.notice = Some("Loading the tour…".into());
            }
            // Only the tour picked last starts (an earlier, slower fetch is dropped).
            Action::TourLoaded(path, _) if s.loading_tour.as_ref() != Some(&path) => {}
            Action::TourLoaded(path, Err(e)) => {
                s.loading_tour = None;
                s.notice = None;
                s.error = Some(format!("The scenario {path} could not be loaded: {e}"));
            }
            Action::Answer(step, choice) => {
                s.answers.entry(step).or_insert(choice);
            }
            Action::TourLoaded(path, Ok(text)) => {
                s.loading_tour = None;
                s.notice = None;
                match election_core::scenario::tour(&text) {
                    Ok(tour) => match s.start(tour.spec.clone()) {
                        Ok(()) => {
                            s.selected = None;
                            s.playing = false;
                            s.error = None;
                            s.tour = Some(Rc::new(ActiveTour { path, tour }));
                            s.answers.clear();
                        }
                        Err(e) => s.error = Some(format!("This scenario cannot start: {e}")),
                    },
                    Err(e) => s.error = Some(format!("This scenario cannot start: {e}")),
                }
            }
        }
        s.announce_leader();
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use election_core::ms;

    use super::*;

    /// A five-node Raft cluster, seed 1: the page's default session (n5 is elected at
    /// about 231 ms).
    fn raft5() -> SessionSpec {
        SessionSpec::new(Algorithm::Raft, 5, 1)
    }

    fn lab() -> Rc<Lab> {
        Rc::new(Lab::new(raft5(), false))
    }

    /// The lab after `actions`, in order.
    fn after(lab: &Rc<Lab>, actions: impl IntoIterator<Item = Action>) -> Rc<Lab> {
        actions.into_iter().fold(lab.clone(), Reducible::reduce)
    }

    fn now(lab: &Lab) -> Micros {
        lab.engine.borrow().now()
    }

    fn steps(lab: &Lab) -> u64 {
        lab.engine.borrow().steps()
    }

    fn inputs(lab: &Lab) -> Vec<Input> {
        lab.engine.borrow().spec().inputs.into_iter().map(|i| i.input).collect()
    }

    /// A guided scenario: a step at 0, a question at 100 ms about the leader at 300 ms, the
    /// end at 300 ms.
    const TOUR: &str = "\
# Five servers start; nobody leads yet.
config algo=raft nodes=5 seed=1
run for=100ms

# Elections are about to begin.
#? Who leads at 300 ms? | n1 | n2 | n3 | n4 | n5 | none => leader
#! The first to time out asks for votes first.
run for=200ms
";

    #[test]
    fn a_new_lab_plays_its_session_from_zero_at_the_default_speed() {
        let lab = lab();
        assert!(lab.playing);
        assert_eq!(lab.speed, DEFAULT_SPEED);
        assert_eq!(SPEEDS[DEFAULT_SPEED].0, "0.05x");
        assert_eq!(now(&lab), 0);
        assert_eq!(lab.base, raft5());
        assert_eq!((lab.selected, &lab.error, &lab.notice), (None, &None, &None));
        assert_eq!(lab.announcement, "");
    }

    #[test]
    fn play_and_pause_toggle() {
        let lab = lab();
        let paused = after(&lab, [Action::TogglePlay]);
        assert!(!paused.playing);
        assert!(after(&paused, [Action::TogglePlay]).playing);
    }

    #[test]
    fn speed_changes_stop_at_the_fastest_speed() {
        let lab = lab();
        assert_eq!(after(&lab, [Action::SetSpeed(6)]).speed, 6);
        let fastest = after(&lab, [Action::SetSpeed(99)]);
        assert_eq!(fastest.speed, SPEEDS.len() - 1);
        assert_eq!(SPEEDS[fastest.speed].0, "10x");
    }

    #[test]
    fn a_tick_advances_simulated_time_by_wall_time_times_the_speed() {
        // 1x: a wall-clock millisecond is a simulated millisecond.
        let lab = after(&lab(), [Action::SetSpeed(6), Action::Tick(16.0, EVENTS_PER_TICK)]);
        assert_eq!(now(&lab), 16_000);
        // The default, 0.05x: 20 ms of wall time is 1 ms simulated.
        let lab = after(&self::lab(), [Action::Tick(20.0, EVENTS_PER_TICK)]);
        assert_eq!(now(&lab), 1_000);
    }

    #[test]
    fn a_tick_counts_at_most_100_ms_of_wall_time_and_moves_at_least_1_us() {
        // A tab coming back from the background does not jump seconds ahead.
        let lab = after(&lab(), [Action::SetSpeed(6), Action::Tick(5_000.0, EVENTS_PER_TICK)]);
        assert_eq!(now(&lab), 100_000);
        let slowest = after(&self::lab(), [Action::SetSpeed(0), Action::Tick(0.0, EVENTS_PER_TICK)]);
        assert_eq!(now(&slowest), 1);
        let backwards = after(&self::lab(), [Action::Tick(-50.0, EVENTS_PER_TICK)]);
        assert_eq!(now(&backwards), 1);
    }

    #[test]
    fn a_paused_lab_ignores_the_clock() {
        let paused = after(&lab(), [Action::TogglePlay]);
        let ticked = after(&paused, [Action::Tick(16.0, EVENTS_PER_TICK)]);
        assert!(Rc::ptr_eq(&paused, &ticked), "the same state: Yew has nothing to redraw");
        assert_eq!(now(&ticked), 0);
    }

    #[test]
    fn stepping_pauses_and_moves_one_event_each_way() {
        let lab = after(&lab(), [Action::Seek(ms(100))]);
        let (t, n) = (now(&lab), steps(&lab));
        let forward = after(&lab, [Action::StepForward]);
        assert!(!forward.playing);
        assert_eq!(steps(&forward), n + 1);
        assert!(now(&forward) > t);
        let back = after(&forward, [Action::StepBack]);
        assert!(!back.playing);
        assert_eq!(steps(&back), n);
    }

    #[test]
    fn seeking_moves_the_cursor_back_and_forth_and_keeps_playing() {
        let lab = after(&lab(), [Action::Seek(ms(300))]);
        assert_eq!(now(&lab), ms(300));
        let back = after(&lab, [Action::Seek(ms(120))]);
        assert_eq!(now(&back), ms(120));
        assert_eq!(back.engine.borrow().horizon(), ms(300), "the recorded future is kept");
        assert!(back.playing);
        assert!(Rc::ptr_eq(&lab.engine, &back.engine), "the same session, moved");
    }

    #[test]
    fn selecting_a_node_shows_it_and_selecting_none_closes_the_inspector() {
        let lab = after(&lab(), [Action::Select(Some(3))]);
        assert_eq!(lab.selected, Some(3));
        assert_eq!(after(&lab, [Action::Select(None)]).selected, None);
    }

    #[test]
    fn acting_at_the_end_of_the_recording_adds_the_input_quietly() {
        let lab = after(&lab(), [Action::Seek(ms(50)), Action::Act(Input::Crash { node: 1 })]);
        assert_eq!(inputs(&lab), vec![Input::Crash { node: 1 }]);
        assert_eq!(lab.view().nodes[0].liveness, election_core::Liveness::Down);
        assert_eq!((&lab.notice, &lab.error), (&None, &None));
    }

    #[test]
    fn acting_in_the_past_forks_a_new_future() {
        let lab = after(
            &lab(),
            [Action::Seek(ms(100)), Action::Act(Input::Crash { node: 1 }), Action::Seek(ms(400))],
        );
        let forked = after(&lab, [Action::Seek(ms(50)), Action::Act(Input::Crash { node: 2 })]);
        assert_eq!(
            forked.notice.as_deref(),
            Some("You acted in the past: the recorded future was discarded and a new one starts here.")
        );
        assert_eq!(inputs(&forked), vec![Input::Crash { node: 2 }], "the later crash of n1 is gone");
        assert_eq!(forked.engine.borrow().horizon(), ms(50));
    }

    #[test]
    fn an_input_the_cluster_cannot_take_is_an_error_and_changes_nothing() {
        let lab = after(&lab(), [Action::Act(Input::Crash { node: 9 })]);
        assert_eq!(lab.error.as_deref(), Some("there is no node n9: this cluster has nodes n1 to n5"));
        assert_eq!(inputs(&lab), vec![]);
    }

    #[test]
    fn clicking_a_link_cuts_it_both_ways_and_clicking_again_heals_it() {
        let cut = after(&lab(), [Action::ToggleLink(1, 2)]);
        let links: Vec<_> = cut.view().links.iter().map(|l| (l.from, l.to)).collect();
        assert_eq!(links, vec![(1, 2), (2, 1)]);
        assert_eq!(inputs(&cut), vec![Input::Cut { from: 1, to: 2, both: true }]);
        let healed = after(&cut, [Action::ToggleLink(2, 1)]);
        assert!(healed.view().links.is_empty());
        assert_eq!(inputs(&healed)[1], Input::Heal { from: 2, to: 1, both: true });
    }

    #[test]
    fn new_settings_restart_the_session_and_keep_a_selection_that_still_exists() {
        let lab = after(&lab(), [Action::Seek(ms(300)), Action::Select(Some(3)), Action::Fail("old".into())]);
        let three = SessionSpec::new(Algorithm::Bully, 3, 7);
        let restarted = after(&lab, [Action::Configure(three.clone())]);
        assert!(!Rc::ptr_eq(&lab.engine, &restarted.engine));
        assert_eq!(now(&restarted), 0);
        assert_eq!(restarted.base, three);
        assert_eq!(restarted.view().algorithm, "Bully");
        assert_eq!(restarted.selected, Some(3));
        assert_eq!(restarted.error, None);
        assert!(restarted.playing, "a restart keeps playing or pausing as before");
        let after_n4 = after(&lab, [Action::Select(Some(4)), Action::Configure(three)]);
        assert_eq!(after_n4.selected, None, "n4 is gone in a three-node cluster");
    }

    #[test]
    fn settings_that_do_not_work_keep_the_running_session() {
        let lab = after(&lab(), [Action::Seek(ms(100))]);
        let refused = after(&lab, [Action::Configure(SessionSpec::new(Algorithm::Raft, 0, 1))]);
        let error = refused.error.as_deref().unwrap_or_default();
        assert!(error.starts_with("Those settings do not work: "), "{error}");
        assert!(Rc::ptr_eq(&lab.engine, &refused.engine));
        assert_eq!(refused.base, raft5());
        assert_eq!(now(&refused), ms(100));
    }

    #[test]
    fn a_loaded_session_replays_from_the_start_with_its_inputs() {
        let spec = election_core::scenario::spec_from_script(
            "config algo=raft nodes=3 seed=4\nrun until=100ms\ncrash n1\n",
        )
        .unwrap();
        let lab = after(&lab(), [Action::Seek(ms(200)), Action::Select(Some(5)), Action::Load(spec.clone())]);
        assert_eq!(now(&lab), 0);
        assert_eq!(lab.engine.borrow().spec(), spec);
        assert_eq!(lab.base, SessionSpec { inputs: Vec::new(), ..spec });
        assert_eq!(lab.selected, None);
        assert_eq!(lab.notice.as_deref(), Some("Session loaded: it replays from the start."));
    }

    #[test]
    fn a_session_that_cannot_start_is_not_loaded() {
        let lab = lab();
        let refused = after(&lab, [Action::Load(SessionSpec::new(Algorithm::Raft, 0, 1))]);
        let error = refused.error.as_deref().unwrap_or_default();
        assert!(error.starts_with("That session could not be loaded: "), "{error}");
        assert!(Rc::ptr_eq(&lab.engine, &refused.engine));
    }

    #[test]
    fn a_link_with_a_script_opens_paused_at_its_time() {
        let text = "config algo=zab nodes=3 seed=2\nrun until=50ms\ncrash n2\n".to_string();
        let lab =
            Lab::opening(false, Ok(Some(share::Shared { text: text.clone(), cursor: ms(250), play: false })));
        assert!(!lab.playing);
        assert_eq!(now(&lab), ms(250));
        assert_eq!(inputs(&lab), vec![Input::Crash { node: 2 }]);
        assert_eq!(lab.base.algorithm(), Algorithm::Zab);
        assert!(lab.base.inputs.is_empty());
        assert_eq!((&lab.error, &lab.notice, &lab.pending_link), (&None, &None, &None));
    }

    #[test]
    fn a_link_that_says_play_plays_from_the_start() {
        let text = "config algo=zab nodes=3 seed=2\n".to_string();
        let lab = Lab::opening(false, Ok(Some(share::Shared { text, cursor: 0, play: true })));
        assert!(lab.playing);
        assert_eq!(now(&lab), 0);
        assert_eq!(lab.base.algorithm(), Algorithm::Zab);
    }

    #[test]
    fn a_link_with_json_waits_paused_for_the_json_worker() {
        let shared = share::Shared { text: "{\"nodes\": 3}".into(), cursor: ms(10), play: false };
        let lab = Lab::opening(false, Ok(Some(shared.clone())));
        assert_eq!(lab.pending_link, Some(shared));
        assert_eq!(lab.notice.as_deref(), Some("Opening the shared session…"));
        assert!(!lab.playing);
        assert_eq!(lab.base, raft5());
    }

    #[test]
    fn a_bad_link_opens_the_default_cluster_and_says_why() {
        let damaged = Lab::opening(false, Err("the shared link is damaged".into()));
        assert_eq!(
            damaged.error.as_deref(),
            Some("the shared link is damaged. Showing a fresh 5-node Raft cluster instead.")
        );
        assert_eq!(damaged.base, raft5());
        assert!(damaged.playing);
        let nonsense = share::Shared { text: "nonsense".into(), cursor: 0, play: false };
        let unreadable = Lab::opening(false, Ok(Some(nonsense)));
        let error = unreadable.error.as_deref().unwrap_or_default();
        assert!(error.starts_with("The shared link could not be loaded: "), "{error}");
        assert!(error.ends_with(". Showing a fresh 5-node Raft cluster instead."), "{error}");
        assert_eq!(unreadable.base, raft5());
    }

    #[test]
    fn without_a_link_the_page_opens_the_default_cluster_embedded_or_not() {
        let embedded = Lab::opening(true, Ok(None));
        assert!(embedded.embed && embedded.playing);
        assert_eq!(embedded.base, raft5());
        assert_eq!((&embedded.error, &embedded.notice), (&None, &None));
        assert!(!Lab::opening(false, Ok(None)).embed);
    }

    #[test]
    fn the_json_workers_answer_opens_the_link_or_says_why_not() {
        let shared = share::Shared { text: "{}".into(), cursor: ms(250), play: false };
        let waiting = Rc::new(Lab::opening(false, Ok(Some(shared))));
        let spec = SessionSpec::new(Algorithm::Paxos, 3, 9);
        let opened = after(&waiting, [Action::LinkRead(Ok(spec.clone()), ms(250))]);
        assert_eq!((&opened.pending_link, &opened.notice), (&None, &None));
        assert_eq!(opened.base, spec);
        assert_eq!(now(&opened), ms(250));
        assert!(!opened.playing);
        let failed = after(&waiting, [Action::LinkRead(Err("line 1: bad".into()), ms(250))]);
        assert_eq!((&failed.pending_link, &failed.notice), (&None, &None));
        assert_eq!(
            failed.error.as_deref(),
            Some(
                "The shared link could not be loaded: line 1: bad. Showing a fresh 5-node Raft cluster instead."
            )
        );
        assert!(failed.playing, "the default cluster runs instead");
        assert_eq!(failed.base, raft5());
    }

    #[test]
    fn messages_stay_until_dismissed() {
        let lab =
            after(&lab(), [Action::Notify("Link copied".into()), Action::Fail("No scenario named x".into())]);
        assert_eq!(lab.notice.as_deref(), Some("Link copied"));
        assert_eq!(lab.error.as_deref(), Some("No scenario named x"));
        let later = after(&lab, [Action::Tick(16.0, EVENTS_PER_TICK), Action::Select(Some(1))]);
        assert_eq!((later.notice.is_some(), later.error.is_some()), (true, true));
        let dismissed = after(&later, [Action::Dismiss]);
        assert_eq!((&dismissed.notice, &dismissed.error), (&None, &None));
    }

    #[test]
    fn the_event_log_filter_and_the_help_overlay_are_state() {
        let lab = after(&lab(), [Action::LogShow(Show::All), Action::ToggleHelp]);
        assert_eq!(lab.log_show, Show::All);
        assert!(lab.help);
        assert!(!after(&lab, [Action::ToggleHelp]).help);
    }

    #[test]
    fn the_live_region_announces_each_change_of_leader() {
        let lab = after(&lab(), [Action::Seek(ms(100))]);
        assert_eq!(lab.announcement, "", "nothing to say before the first leader");
        let elected = after(&lab, [Action::Seek(ms(400))]);
        assert_eq!(elected.announcement, "n5 is now the leader");
        assert_eq!(elected.last_leader, Some(5));
        let back = after(&elected, [Action::Seek(ms(100))]);
        assert_eq!(back.announcement, "There is no leader");
    }

    #[test]
    fn every_action_is_a_new_version_for_yew() {
        let lab = lab();
        let next = after(&lab, [Action::Select(None)]);
        assert_eq!(next.version, lab.version + 1);
        assert!(*next != *lab, "Yew redraws");
    }

    #[test]
    fn picking_a_tour_says_so_while_its_file_is_fetched() {
        let lab = after(&lab(), [Action::Fail("old".into()), Action::TourLoading("tours/a.txt".into())]);
        assert_eq!(lab.loading_tour.as_deref(), Some("tours/a.txt"));
        assert_eq!(lab.notice.as_deref(), Some("Loading the tour…"));
        assert_eq!(lab.error, None);
        assert!(lab.tour.is_none());
    }

    #[test]
    fn a_counterexample_from_the_search_opens_as_a_tour_at_its_violation() {
        // What app.rs does on the search panel's `lab-open`: the found script (its outputs
        // dropped, its narration kept) as a tour, then a jump to the violation.
        let (_, script) = crate::scenarios::SCENARIOS
            .iter()
            .find(|(p, _)| *p == "raft/vote-not-persisted-violation.txt")
            .expect("the golden counterexample is embedded");
        let text = crate::extras::search::without_outputs(script);
        let lab = after(
            &lab(),
            [
                Action::TourLoading(String::new()),
                Action::TourLoaded(String::new(), Ok(text)),
                Action::JumpTo(409_286),
            ],
        );
        let active = lab.tour.as_deref().expect("it plays as a tour");
        assert_eq!(now(&lab), 409_286);
        assert!(!lab.playing);
        assert!(lab.view().violations > 0);
        let step = active.tour.steps.iter().rfind(|s| s.at <= now(&lab)).expect("a step");
        assert!(step.text.contains("VIOLATION: n3 voted for n3 and then for n1 in term 1"), "{}", step.text);
        assert_eq!((&lab.error, &lab.notice), (&None, &None));
    }

    #[test]
    fn a_fetched_tour_replaces_the_session_paused_at_its_start() {
        let tour = election_core::scenario::tour(TOUR).unwrap();
        let lab = after(
            &lab(),
            [
                Action::Seek(ms(500)),
                Action::Select(Some(2)),
                Action::TourLoading("t.txt".into()),
                Action::TourLoaded("t.txt".into(), Ok(TOUR.into())),
            ],
        );
        let active = lab.tour.as_deref().expect("the tour runs");
        assert_eq!(active.path, "t.txt");
        assert_eq!(active.tour, tour);
        assert_eq!(lab.engine.borrow().spec(), tour.spec);
        assert_eq!(now(&lab), 0);
        assert!(!lab.playing);
        assert_eq!((lab.selected, &lab.loading_tour, &lab.notice, &lab.error), (None, &None, &None, &None));
    }

    #[test]
    fn only_the_tour_picked_last_starts() {
        let lab = after(
            &lab(),
            [
                Action::TourLoading("first.txt".into()),
                Action::TourLoading("second.txt".into()),
                Action::TourLoaded("first.txt".into(), Ok(TOUR.into())),
            ],
        );
        assert!(lab.tour.is_none());
        assert_eq!(lab.loading_tour.as_deref(), Some("second.txt"));
        assert_eq!(lab.base, raft5());
    }

    #[test]
    fn a_tour_that_cannot_be_fetched_or_read_does_not_start() {
        let loading = after(&lab(), [Action::TourLoading("t.txt".into())]);
        let missing = after(&loading, [Action::TourLoaded("t.txt".into(), Err("HTTP 404 Not Found".into()))]);
        assert_eq!(
            missing.error.as_deref(),
            Some("The scenario t.txt could not be loaded: HTTP 404 Not Found")
        );
        assert_eq!((&missing.loading_tour, &missing.notice), (&None, &None));
        assert!(missing.tour.is_none());
        let unreadable = after(&loading, [Action::TourLoaded("t.txt".into(), Ok("# no config\n".into()))]);
        let error = unreadable.error.as_deref().unwrap_or_default();
        assert!(error.starts_with("This scenario cannot start: "), "{error}");
        assert!(unreadable.tour.is_none());
        assert!(Rc::ptr_eq(&loading.engine, &unreadable.engine));
    }

    #[test]
    fn a_tour_stops_the_clock_at_each_step_and_at_its_end() {
        let lab = after(
            &lab(),
            [Action::TourLoading("t.txt".into()), Action::TourLoaded("t.txt".into(), Ok(TOUR.into()))],
        );
        let steps: Vec<Micros> = lab.tour.as_ref().unwrap().tour.steps.iter().map(|s| s.at).collect();
        assert_eq!(steps, vec![0, ms(100)]);
        // At 10x, a 100 ms tick is a simulated second: far past each stop.
        let lab =
            after(&lab, [Action::SetSpeed(9), Action::TogglePlay, Action::Tick(100.0, EVENTS_PER_TICK)]);
        assert_eq!((now(&lab), lab.playing), (ms(100), false));
        let lab = after(&lab, [Action::TogglePlay, Action::Tick(100.0, EVENTS_PER_TICK)]);
        assert_eq!((now(&lab), lab.playing), (ms(300), false), "the end");
        let lab = after(&lab, [Action::TogglePlay, Action::Tick(100.0, EVENTS_PER_TICK)]);
        assert_eq!((now(&lab), lab.playing), (ms(1_300), true), "free play after the end");
    }

    #[test]
    fn a_busy_tick_that_stops_short_of_a_tour_step_keeps_playing_to_it() {
        let lab = after(
            &lab(),
            [Action::TourLoading("t.txt".into()), Action::TourLoaded("t.txt".into(), Ok(TOUR.into()))],
        );
        let lab =
            after(&lab, [Action::SetSpeed(9), Action::TogglePlay, Action::Tick(100.0, EVENTS_PER_TICK)]);
        assert_eq!((now(&lab), lab.playing), (ms(100), false));
        // The election between 100 and 300 ms takes more than five events: a tick with a
        // budget of five stops short of the end, and the run stays on.
        let lab = after(&lab, [Action::TogglePlay, Action::Tick(100.0, 5)]);
        assert!(now(&lab) < ms(300) && lab.playing && lab.throttled, "{}", now(&lab));
        let mut lab = lab;
        while lab.playing {
            lab = after(&lab, [Action::Tick(100.0, 5)]);
        }
        assert_eq!(now(&lab), ms(300), "it pauses at the end once there");
    }

    #[test]
    fn the_first_answer_to_a_question_is_the_one_that_counts() {
        let lab = after(
            &lab(),
            [
                Action::TourLoading("t.txt".into()),
                Action::TourLoaded("t.txt".into(), Ok(TOUR.into())),
                Action::Answer(1, "n5".into()),
                Action::Answer(1, "none".into()),
            ],
        );
        assert_eq!(lab.answers.get(&1).map(String::as_str), Some("n5"));
        let question = lab.tour.as_ref().unwrap().tour.steps[1].question.clone().unwrap();
        assert_eq!(question.answer, "n5", "the simulation elects n5 by 300 ms");
    }

    #[test]
    fn a_new_tour_forgets_the_answers_and_leaving_keeps_the_session() {
        let start =
            [Action::TourLoading("t.txt".into()), Action::TourLoaded("t.txt".into(), Ok(TOUR.into()))];
        let answered = after(&after(&lab(), start.clone()), [Action::Answer(1, "n1".into())]);
        let again = after(&answered, start);
        assert!(again.answers.is_empty());
        let left = after(&again, [Action::Seek(ms(150)), Action::LeaveTour]);
        assert!(left.tour.is_none() && left.loading_tour.is_none());
        assert!(Rc::ptr_eq(&again.engine, &left.engine));
        assert_eq!(now(&left), ms(150));
    }

    #[test]
    fn keys_play_step_and_open_help() {
        let lab = lab();
        assert!(matches!(lab.key_action(" "), Some(Action::TogglePlay)));
        assert!(matches!(lab.key_action("ArrowRight"), Some(Action::StepForward)));
        assert!(matches!(lab.key_action("ArrowLeft"), Some(Action::StepBack)));
        assert!(matches!(lab.key_action("?"), Some(Action::ToggleHelp)));
        assert!(matches!(lab.key_action("h"), Some(Action::Act(Input::HealAll))));
        assert!(lab.key_action("x").is_none());
        assert!(lab.key_action("Enter").is_none());
    }

    #[test]
    fn in_presenter_mode_the_clicker_keys_move_through_the_tours_steps() {
        let lab = after(
            &lab(),
            [Action::TourLoading("t.txt".into()), Action::TourLoaded("t.txt".into(), Ok(TOUR.into()))],
        );
        let steps: Vec<Micros> = lab.tour.as_ref().unwrap().tour.steps.iter().map(|s| s.at).collect();
        assert!(steps.len() >= 2, "{steps:?}");
        // Outside presenter mode the arrows step events, as always.
        assert!(matches!(lab.key_action("ArrowRight"), Some(Action::StepForward)));
        assert!(lab.key_action("PageDown").is_none());
        let lab = after(&lab, [Action::Present(true)]);
        for key in ["PageDown", "ArrowRight", " "] {
            assert!(matches!(lab.key_action(key), Some(Action::NextStep)), "{key}");
        }
        // PageDown plays on; the tour stops at its next step.
        let next = after(&lab, [Action::Key("PageDown".into())]);
        assert!(next.playing);
        let at_second = after(&next, (0..50).map(|_| Action::Tick(100.0, 1_000_000)));
        assert_eq!(now(&at_second), steps[1]);
        assert!(!at_second.playing);
        // PageUp at a step's start goes back to the step before, paused.
        let back = after(&at_second, [Action::Key("PageUp".into())]);
        assert_eq!(now(&back), steps[0]);
        assert!(!back.playing);
        // n shows the speaker notes, only in presenter mode.
        assert!(after(&back, [Action::Key("n".into())]).notes);
        assert!(after(&back, [Action::Present(false)]).key_action("n").is_none());
    }

    #[test]
    fn escape_closes_the_help_first_then_the_inspector() {
        let lab = after(&lab(), [Action::Select(Some(2))]);
        assert!(matches!(lab.key_action("Escape"), Some(Action::Select(None))));
        let help = after(&lab, [Action::ToggleHelp]);
        assert!(matches!(help.key_action("Escape"), Some(Action::ToggleHelp)));
    }

    #[test]
    fn digit_keys_select_nodes_of_the_cluster_and_zero_is_n10() {
        let lab = lab();
        assert!(matches!(lab.key_action("1"), Some(Action::Select(Some(1)))));
        assert!(matches!(lab.key_action("5"), Some(Action::Select(Some(5)))));
        assert!(lab.key_action("6").is_none(), "five nodes");
        assert!(lab.key_action("0").is_none());
        let ten = after(&lab, [Action::Configure(SessionSpec::new(Algorithm::Raft, 10, 1))]);
        assert!(matches!(ten.key_action("0"), Some(Action::Select(Some(10)))));
    }

    #[test]
    fn node_keys_act_on_the_selected_node_as_its_state_allows() {
        let lab = after(&lab(), [Action::Seek(ms(120))]);
        assert!(lab.key_action("c").is_none(), "no node selected");
        let lab = after(&lab, [Action::Select(Some(2))]);
        assert!(matches!(lab.key_action("c"), Some(Action::Act(Input::Crash { node: 2 }))));
        assert!(matches!(lab.key_action("p"), Some(Action::Act(Input::Pause { node: 2, for_us: None }))));
        assert!(matches!(
            lab.key_action("t"),
            Some(Action::Act(Input::Request { node: 2, request: Request::Timeout }))
        ));
        assert!(matches!(
            lab.key_action("w"),
            Some(Action::Act(Input::Request { node: 2, request: Request::ClientWrite { value: 1 } }))
        ));
        assert!(matches!(lab.key_action("i"), Some(Action::Act(Input::Isolate { node: 2 }))));
        // (States share one engine, so each case acts on a lab of its own.)
        let paused = after(&lab, [Action::Act(Input::Pause { node: 2, for_us: None })]);
        assert!(matches!(paused.key_action("p"), Some(Action::Act(Input::Resume { node: 2 }))));
        let crashed = after(&self::lab(), [Action::Select(Some(2)), Action::Act(Input::Crash { node: 2 })]);
        assert!(matches!(crashed.key_action("c"), Some(Action::Act(Input::Restart { node: 2 }))));
    }

    // Kafka is in the lab with every algorithm (the page loads it on demand).
    #[cfg(feature = "full")]
    #[test]
    fn writes_are_numbered_so_a_label_is_what_it_writes_and_kafka_can_pick_a_partition() {
        let lab = after(&lab(), [Action::Seek(ms(400))]);
        assert_eq!(lab.next_write_value(None), 1);
        let played = after(
            &lab,
            [Action::SetSpeed(6), Action::Tick(50.0, EVENTS_PER_TICK), Action::Tick(50.0, EVENTS_PER_TICK)],
        );
        assert_eq!(played.next_write_value(None), 1, "time passing does not change the value");
        let write = |v| Action::Act(Input::Request { node: 5, request: Request::ClientWrite { value: v } });
        let wrote = after(&played, [write(1)]);
        assert_eq!(wrote.next_write_value(None), 2);
        // Kafka sends value v to partition v % partitions: the next value for each partition.
        assert_eq!(wrote.next_write_value(Some((0, 3))), 3);
        assert_eq!(wrote.next_write_value(Some((1, 3))), 4);
        assert_eq!(wrote.next_write_value(Some((2, 3))), 2);
        // After x=3 to p0, p0 offers a new value, and so do the others.
        let p0 = after(&wrote, [write(3)]);
        assert_eq!(p0.next_write_value(Some((0, 3))), 6);
        assert_eq!(p0.next_write_value(Some((1, 3))), 4);
        assert_eq!(p0.next_write_value(Some((2, 3))), 5);
        assert_eq!(p0.next_write_value(None), 4);
    }

    #[test]
    fn shortcuts_never_act_in_a_field_and_space_on_a_button_is_the_buttons() {
        assert!(is_shortcut(Focus::Page, " ", false));
        assert!(is_shortcut(Focus::Page, "c", false));
        for key in [" ", "c", "p", "i", "t", "w", "h", "?", "1", "ArrowLeft"] {
            assert!(!is_shortcut(Focus::Field, key, false), "{key} is typed into the field");
        }
        assert!(!is_shortcut(Focus::Button, " ", false));
        assert!(!is_shortcut(Focus::Button, "Enter", false));
        assert!(is_shortcut(Focus::Button, "c", false));
        assert!(is_shortcut(Focus::Clicked, " ", false), "Space after a click plays or pauses");
        assert!(!is_shortcut(Focus::Clicked, "Enter", false));
        assert!(!is_shortcut(Focus::Page, "c", true), "Ctrl+C copies");
    }

    #[test]
    fn a_key_action_runs_the_shortcut_and_the_help_dialog_keeps_other_keys() {
        let lab = after(&lab(), [Action::Key(" ".into())]);
        assert!(!lab.playing);
        let help = after(&lab, [Action::Key("?".into())]);
        assert!(help.help);
        let still = after(&help, [Action::Key(" ".into()), Action::Key("3".into())]);
        assert!(!still.playing && still.selected.is_none(), "keys behind the dialog do nothing");
        assert!(!after(&still, [Action::Key("Escape".into())]).help);
    }

    #[test]
    fn jumping_to_a_moment_pauses_there() {
        let lab = after(&lab(), [Action::Seek(ms(300)), Action::JumpTo(ms(120))]);
        assert_eq!(now(&lab), ms(120));
        assert!(!lab.playing);
    }

    #[test]
    fn a_tick_simulates_a_bounded_number_of_events_and_says_it_fell_behind() {
        // Dueling Paxos proposers at 10x: a 100 ms tick asks for a simulated second.
        let spec = election_core::scenario::spec_from_script(
            "config algo=paxos nodes=15 seed=1 backoff=off election=150..155ms\n",
        )
        .unwrap();
        let lab = after(&lab(), [Action::Load(spec), Action::SetSpeed(9)]);
        let (mut lab, mut throttled) = (lab, false);
        for _ in 0..10 {
            let before = steps(&lab);
            lab = after(&lab, [Action::Tick(100.0, EVENTS_PER_TICK)]);
            assert!(steps(&lab) - before <= EVENTS_PER_TICK, "at most the budget per tick");
            throttled |= lab.throttled;
        }
        assert!(throttled, "the storm is more than a tick can hold");
    }

    #[test]
    fn a_storm_redraws_the_log_and_the_diagram_a_few_times_a_second_in_turn() {
        let mut pacer = Pacer::default();
        assert_eq!(pacer.due(false), [true, true], "the page keeps up: every frame");
        let frames: Vec<[bool; 2]> = (0..64).map(|_| pacer.due(true)).collect();
        assert!(frames.iter().all(|d| !(d[0] && d[1])), "never both in one frame");
        for panel in 0..2 {
            let at: Vec<usize> = (0..frames.len()).filter(|&f| frames[f][panel]).collect();
            assert_eq!(at.len(), 4, "panel {panel}: every {PANEL_FRAMES} frames: {at:?}");
            assert!(at.windows(2).all(|w| w[1] - w[0] == PANEL_FRAMES as usize), "{at:?}");
        }
        assert_eq!(pacer.due(false), [true, true], "and every frame again after the storm");
    }

    #[test]
    fn the_side_panels_are_paced_in_a_storm_and_at_high_speed_while_playing() {
        let mut lab = Lab::new(raft5(), false);
        assert!(!lab.paced() && !lab.storm(), "paused");
        lab.playing = true;
        assert!(!lab.paced(), "at the default speed");
        lab.speed = SPEEDS.iter().position(|s| s.1 == PACED_SPEED).unwrap();
        assert!(lab.paced() && !lab.storm(), "at 5x");
        lab.speed = DEFAULT_SPEED;
        lab.throttled = true;
        assert!(lab.paced() && lab.storm(), "behind its speed");
        lab.playing = false;
        assert!(!lab.paced() && !lab.storm(), "paused again");
    }

    #[test]
    fn the_tick_budget_follows_the_pages_work_not_the_frames_it_misses() {
        let cost = |interval_ms, work_ms, throttled| FrameCost { interval_ms, work_ms, throttled };
        assert_eq!(next_budget(1_500, cost(16.7, 16.0, true)), 562, "in proportion to the work");
        assert_eq!(next_budget(1_500, cost(16.7, 80.0, true)), 375, "at most to a quarter at once");
        assert_eq!(next_budget(1_500, cost(33.3, 6.0, true)), 1_000, "late, and the work was much of it");
        assert_eq!(next_budget(1_500, cost(33.3, 2.0, true)), 1_500, "late for other reasons");
        assert_eq!(next_budget(1_500, cost(16.7, 2.0, true)), 1_703, "room, and the run is held back");
        assert_eq!(next_budget(1_500, cost(16.7, 2.0, false)), 1_500, "the run keeps up: no need");
        assert_eq!(next_budget(1_500, cost(16.7, 5.0, true)), 1_500, "near the target: unchanged");
        assert_eq!(next_budget(30, cost(40.0, 30.0, true)), 20, "never below 20 events");
        assert_eq!(next_budget(20_000, cost(16.7, 1.0, true)), 20_000, "at most 20,000");
    }

    #[test]
    fn new_settings_end_a_tour_with_a_notice() {
        let lab = after(
            &lab(),
            [Action::TourLoading("t.txt".into()), Action::TourLoaded("t.txt".into(), Ok(TOUR.into()))],
        );
        assert!(lab.tour.is_some());
        let changed = after(&lab, [Action::Configure(SessionSpec::new(Algorithm::Zab, 3, 1))]);
        assert!(changed.tour.is_none());
        assert!(changed.notice.as_deref().unwrap_or_default().starts_with("The guided scenario ended"));
    }

    #[test]
    fn acting_before_a_tours_end_ends_the_tour_with_a_notice() {
        let toured = after(
            &lab(),
            [Action::TourLoading("t.txt".into()), Action::TourLoaded("t.txt".into(), Ok(TOUR.into()))],
        );
        // The tour's run is recorded ahead of the cursor: a network change discards it.
        let touring = after(&toured, [Action::Seek(ms(300)), Action::Seek(ms(100))]);
        assert!(touring.tour.is_some());
        let mut net = touring.base.net.clone();
        net.loss_ppm = 100_000;
        let changed = after(&touring, [Action::Act(Input::Network { net })]);
        assert!(changed.tour.is_none());
        assert!(changed.notice.as_deref().unwrap_or_default().starts_with("The guided scenario ended"));
        // Without a tour it is the usual notice.
        let free = after(
            &lab(),
            [Action::Seek(ms(300)), Action::Seek(ms(100)), Action::Act(Input::Crash { node: 2 })],
        );
        assert!(free.notice.as_deref().unwrap_or_default().starts_with("You acted in the past"));
    }

    #[test]
    fn a_session_handed_to_the_full_lab_is_not_called_a_shared_link() {
        let bad = "config algo=raft nodes=5 seed=1 brokers=9\n".to_string();
        let loaded =
            Lab::opening(false, Ok(Some(share::Shared { text: bad.clone(), cursor: 0, play: true })));
        let said = loaded.error.as_deref().unwrap_or_default();
        assert!(
            said.starts_with("That session could not be loaded: line 1: ") && said.contains("brokers"),
            "{said}"
        );
        let linked = Lab::opening(false, Ok(Some(share::Shared { text: bad, cursor: 0, play: false })));
        assert!(
            linked.error.as_deref().unwrap_or_default().starts_with("The shared link could not be loaded")
        );
    }

    /// A link whose cursor needs more events than a page draws before its first frame.
    fn long_link() -> share::Shared {
        // About 200 events a second in steady state: ten minutes are some 120,000 events.
        let text = "config algo=raft nodes=5 seed=1\nrun for=1s\n".to_string();
        share::Shared { text, cursor: ms(600_000), play: false }
    }

    #[test]
    fn a_long_shared_run_replays_over_several_frames_to_the_same_state() {
        let lab = Rc::new(Lab::opening(false, Ok(Some(long_link()))));
        let first = lab.catching_up.expect("the replay goes on after the first frame");
        assert_eq!(first.spent, CATCH_UP_FIRST);
        assert!(now(&lab) < ms(600_000) && !lab.playing);
        let mut lab = lab;
        let mut frames = 0;
        while lab.catching_up.is_some() {
            lab = after(&lab, [Action::Tick(16.0, EVENTS_PER_TICK)]);
            frames += 1;
            assert!(frames < 1_000, "the replay ends");
        }
        assert_eq!((now(&lab), &lab.error, lab.playing), (ms(600_000), &None, false));
        // The same state as one replay straight to the cursor.
        let mut direct = AnySession::new(raft5()).unwrap();
        direct.advance_to(ms(600_000));
        assert_eq!(lab.engine.borrow().trace_hash(), direct.trace_hash());
        assert!(frames > 1, "{frames} frames");
    }

    #[test]
    fn any_control_stops_the_replay_of_a_shared_run_where_it_is() {
        let lab = Rc::new(Lab::opening(false, Ok(Some(long_link()))));
        let at = now(&lab);
        let lab = after(&lab, [Action::TogglePlay]);
        assert_eq!(lab.catching_up, None);
        assert!(lab.playing);
        assert_eq!(now(&lab), at);
        let notice = lab.notice.clone().unwrap();
        assert!(notice.starts_with("Stopped replaying the shared run at "), "{notice}");
        // Selecting a node or opening the help does not stop it.
        let lab = Rc::new(Lab::opening(false, Ok(Some(long_link()))));
        let lab = after(&lab, [Action::Select(Some(2)), Action::ToggleHelp, Action::ToggleHelp]);
        assert!(lab.catching_up.is_some());
    }

    #[test]
    fn a_shared_run_that_cannot_finish_stops_early_and_says_why() {
        // A day of 15 nodes with 1 ms heartbeats: billions of events. The rate after the
        // first frames shows it, and the page refuses it without spending the whole budget.
        let text = "config algo=raft nodes=15 seed=1 heartbeat=1ms election=2..3ms\nrun for=1ms\n";
        let shared = share::Shared {
            text: text.into(),
            cursor: election_core::engine::limits::MAX_TIME_US,
            play: false,
        };
        let mut lab = Rc::new(Lab::opening(false, Ok(Some(shared))));
        while lab.catching_up.is_some() {
            lab = after(&lab, [Action::Tick(16.0, EVENTS_PER_TICK)]);
        }
        let error = lab.error.clone().unwrap();
        assert!(error.starts_with("The shared run stops early: reaching 86400s needs about "), "{error}");
        assert!(error.contains("over the limit of 500,000 events per replay"), "{error}");
        assert!(steps(&lab) < Budget::REPLAY.events / 4, "refused after {} events", steps(&lab));
    }
}
