//! The lab's state and its reducer: everything the page shows ([`Lab`]), what the user and
//! the clock do ([`Action`]), and how each action changes the state (`impl Reducible`).
//!
//! The simulation session is a large, mutable engine (trace, checkpoints), so the state holds
//! it behind `Rc<RefCell<..>>` instead of cloning it on every action; the reducer is still the
//! only place that changes it. Nothing here touches the browser: the page's effects (address,
//! storage, clipboard, timers, fetches) are in `app.rs` and `browser.rs`, and they reach the
//! state as actions carrying their results, so the reducer runs natively, without a page.

use std::cell::RefCell;
use std::rc::Rc;

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

/// A session compared by identity (two handles to the same engine are equal).
#[derive(Clone)]
pub struct SameEngine(pub Rc<RefCell<AnySession>>);

impl PartialEq for SameEngine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
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
    /// The guided scenario being played, if any.
    pub tour: Option<Rc<ActiveTour>>,
    /// The scenario file being fetched for a tour, if any.
    pub loading_tour: Option<String>,
    /// A shared link whose session is JSON, read by the JSON worker once the page is up.
    pub pending_link: Option<share::Shared>,
    /// Answers given to the tour's questions, by step.
    pub answers: election_core::collections::Map<usize, String>,
    /// Bumped on every change, so that Yew re-renders.
    pub version: u64,
}

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
    /// Wall-clock time passed (milliseconds).
    Tick(f64),
    /// Play or pause.
    TogglePlay,
    /// Change the speed.
    SetSpeed(usize),
    /// One event forward.
    StepForward,
    /// One event back.
    StepBack,
    /// Move the cursor.
    Seek(Micros),
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
        let engine = AnySession::new(spec.clone()).unwrap_or_else(|_| {
            AnySession::new(SessionSpec::new(Algorithm::Raft, 5, 1)).expect("the default session is valid")
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
            tour: None,
            loading_tour: None,
            pending_link: None,
            answers: election_core::collections::Map::new(),
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
                    lab.pause_at(shared.cursor);
                    lab
                }
                Err(e) => {
                    let mut lab = Lab::new(default, embed);
                    lab.error = Some(format!(
                        "The shared link could not be loaded: {e}. Showing a fresh 5-node Raft cluster instead."
                    ));
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

    /// Moves to `cursor` and waits there, nothing selected (how a shared run opens).
    fn pause_at(&mut self, cursor: Micros) {
        self.engine.borrow_mut().advance_to(cursor);
        self.selected = None;
        self.playing = false;
    }

    /// What a key pressed on the page does, if anything (the keys the help overlay lists).
    /// The node keys act on the selected node, as its state allows: `c` crashes a running
    /// node and restarts a crashed one, `p` pauses and resumes.
    pub fn key_action(&self, key: &str) -> Option<Action> {
        Some(match key {
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
                        request: Request::ClientWrite { value: view.now / 1_000 % 100 },
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
        let mut s = (*self).clone();
        s.version += 1;
        match action {
            Action::Tick(wall_ms) => {
                if !s.playing {
                    return self;
                }
                // Wall time only paces the animation; the simulation itself never reads it.
                let wall_ms = wall_ms.clamp(0.0, 100.0);
                let delta = (wall_ms * 1_000.0 * SPEEDS[s.speed].1) as Micros;
                let mut e = s.engine.borrow_mut();
                let now = e.now();
                let mut t = now.saturating_add(delta.max(1));
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
                        s.playing = false;
                    }
                }
                e.advance_to(t);
            }
            Action::TogglePlay => s.playing = !s.playing,
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
            Action::Select(n) => s.selected = n,
            Action::Act(input) => {
                let r = s.engine.borrow_mut().act(input);
                match r {
                    Ok(true) => s.notice = Some(
                        "You acted in the past: the recorded future was discarded and a new one starts here."
                            .into(),
                    ),
                    Ok(false) => {}
                    Err(e) => s.error = Some(e.to_string()),
                }
            }
            Action::ToggleLink(a, b) => {
                let cut = s.view().links.iter().any(|l| (l.from, l.to) == (a, b) || (l.from, l.to) == (b, a));
                let input = if cut {
                    Input::Heal { from: a, to: b, both: true }
                } else {
                    Input::Cut { from: a, to: b, both: true }
                };
                let r = s.engine.borrow_mut().act(input);
                if let Err(e) = r {
                    s.error = Some(e.to_string());
                }
            }
            Action::Configure(spec) => match s.start(spec) {
                Ok(()) => {
                    s.selected = s.selected.filter(|n| usize::from(*n) <= s.base.nodes);
                    s.error = None;
                }
                Err(e) => s.error = Some(format!("Those settings do not work: {e}")),
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
                s.pending_link = None;
                s.notice = None;
                s.playing = true;
                s.error = Some(format!(
                    "The shared link could not be loaded: {e}. Showing a fresh 5-node Raft cluster instead."
                ));
            }
            Action::Notify(n) => s.notice = Some(n),
            Action::Fail(e) => s.error = Some(e),
            Action::Dismiss => {
                s.error = None;
                s.notice = None;
            }
            Action::ToggleHelp => s.help = !s.help,
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
