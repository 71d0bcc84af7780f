//! "Find a counterexample": the core's counterexample search (`election_core::search`) in the
//! page. The search runs in Web Workers (`crates/election-search`), one per core, each on one
//! shard `i/n` of the same search, so the page stays responsive and uses the whole machine;
//! this panel builds the search from the form (the core's `validate` words any error),
//! starts the workers, shows their progress, and combines what they report:
//!
//! * the first counterexample wins: once one worker reports one, the workers still searching
//!   are stopped, those already shrinking one are waited for, and of the counterexamples in
//!   hand the one with the fewest inputs, then the earliest violation, then the lowest shard
//!   is shown (so the choice does not depend on the order in which they arrived);
//! * without one, the bound is the union of the shards' distinct states (each worker sends
//!   its fingerprints) and the sum of their random runs, worded by `SearchReport::summary`.
//!   One worker counts exactly what `election-cli check` counts; several count every state
//!   of the whole search and sometimes a few more (of two runs with one fingerprint the whole
//!   search keeps the first and a shard may keep the other, whose futures can differ);
//! * a worker that fails (a crash, running out of memory) is reported, the others go on, and
//!   the bound says which part was not explored.
//!
//! A counterexample opens in the lab as a share link (`#s=<script>&t=<violation time>`, the
//! script's narration kept) and a click on the page's hidden `#lab-open` button: the page
//! plays it as a guided tour and jumps to the violation (see `app.rs`).

use election_core::search::{FaultBudget, MAX_SEARCH_NODES, SearchReport, SearchSpec};
use election_core::{Algorithm, Micros, SessionSpec, fmt_time, ms};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The worker's loader, next to the page (Trunk builds it from `crates/election-search`).
const WORKER: &str = "./election-search_loader.js";
/// Most workers the page starts, whatever the machine reports: beyond this the shards are
/// small and the memory of one WebAssembly instance each adds up.
pub const MAX_WORKERS: usize = 8;
/// The panel's frame, like the comparison's and the experiment's: styled here, not in
/// style.css, which is part of the page's first download.
const SECTION_STYLE: &str = "background:var(--panel);border:1px solid var(--border);border-radius:10px;padding:10px;margin:10px 0;overflow-wrap:anywhere";
/// The fault budget the form starts with (the CLI's default).
const DEFAULT_FAULTS: &str = "crash=2,restart=2,partition=2,write=2";

/// What the form asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Cluster size.
    pub nodes: usize,
    /// The rules broken (`break=`).
    pub broken: Vec<&'static str>,
    /// The fault budget, as `FaultBudget::parse` reads it.
    pub faults: String,
    /// Most inputs on one path of the exhaustive search.
    pub depth: usize,
    /// Simulated time of each run (ms).
    pub horizon_ms: u64,
    /// Random runs after the exhaustive search.
    pub runs: u64,
}

impl Form {
    /// The search the form describes, checked by the core (a message naming what is wrong).
    pub fn spec(&self) -> Result<SearchSpec, String> {
        let mut session = SessionSpec::new(self.algorithm, self.nodes, 1);
        if !self.broken.is_empty() {
            session.config.settings_mut().set("break", &self.broken.join(","))?;
        }
        let mut spec = SearchSpec::new(session);
        spec.faults = FaultBudget::parse(&self.faults).map_err(|e| format!("Faults: {e}"))?;
        spec.depth = self.depth;
        spec.horizon = ms(self.horizon_ms);
        spec.swarm_runs = self.runs;
        spec.validate().map_err(|e| e.to_string())?;
        Ok(spec)
    }
}

/// The message that asks a worker for shard `index` (0-based) of `count` of `spec` (the
/// protocol of `crates/election-search`).
pub fn request(spec: &SearchSpec, index: usize, count: usize) -> Vec<JsValue> {
    let n = |v: u64| JsValue::from_f64(v as f64);
    vec![
        election_core::scenario::spec_to_script(&SessionSpec { inputs: Vec::new(), ..spec.session.clone() })
            .into(),
        spec.faults.to_string().into(),
        n(spec.depth as u64),
        n(spec.horizon / 1_000),
        n(spec.step / 1_000),
        n(spec.swarm_runs),
        n(spec.max_states),
        format!("{}/{count}", index + 1).into(),
    ]
}

/// Where one worker is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// `exhaustive`, `swarm` or `shrink`.
    pub phase: String,
    /// Distinct states (of this shard).
    pub states: u64,
    /// Random runs (or, shrinking, shrink runs).
    pub runs: u64,
    /// Engine steps.
    pub steps: u64,
    /// Decision point reached, of how many.
    pub level: (u64, u64),
}

/// A counterexample a worker found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The violation, as the monitor words it.
    pub violation: String,
    /// When it happens.
    pub at: Micros,
    /// Inputs after shrinking, and before.
    pub inputs: u64,
    /// Inputs as found.
    pub found_inputs: u64,
    /// `exhaustive` or `swarm`.
    pub found_by: String,
    /// Runs shrinking took.
    pub shrink_runs: u64,
    /// The narrated script, outputs filled in.
    pub script: String,
    /// The shard (0-based) that found it.
    pub shard: usize,
}

/// What one worker reported at the end.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShardReport {
    /// Distinct states of its shard.
    pub states: u64,
    /// Random runs.
    pub runs: u64,
    /// Engine steps.
    pub steps: u64,
    /// Every bound explored.
    pub complete: bool,
    /// Why it stopped early.
    pub stopped: Option<String>,
    /// The keys of the states it visited, sorted.
    pub fingerprints: Vec<u64>,
    /// Its counterexample.
    pub found: Option<Found>,
}

/// One worker's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Worker {
    /// Starting (its module loading) or searching.
    Running(Progress),
    /// Finished.
    Done(ShardReport),
    /// Crashed, or refused the search: why.
    Failed(String),
}

/// A search in progress or finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// What is searched.
    pub spec: SearchSpec,
    /// One per shard.
    pub workers: Vec<Worker>,
    /// When it started and when it last heard from a worker (ms, the page's clock).
    pub started_ms: f64,
    /// The page's clock at the last update.
    pub now_ms: f64,
    /// The furthest decision point a worker has reported, of how many.
    pub level: (u64, u64),
    /// The user cancelled it.
    pub cancelled: bool,
}

/// The end of a search.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A counterexample, and of how many workers.
    Found(Found, usize),
    /// None: what was covered.
    Clean(String),
}

impl Run {
    /// A search over `count` workers, started at `now_ms`.
    pub fn new(spec: SearchSpec, count: usize, now_ms: f64) -> Run {
        Run {
            spec,
            workers: vec![Worker::Running(Progress::default()); count.max(1)],
            started_ms: now_ms,
            now_ms,
            level: (0, 0),
            cancelled: false,
        }
    }

    /// Takes worker `i`'s news at `now_ms`; false when the search is over and it changes
    /// nothing. A worker that finished or failed stays so; one that starts shrinking keeps
    /// its counts (shrinking reports only its own runs).
    pub fn update(&mut self, i: usize, news: Worker, now_ms: f64) -> bool {
        if self.over() || i >= self.workers.len() {
            return false;
        }
        let news = match (&self.workers[i], news) {
            (Worker::Running(old), Worker::Running(p)) if p.phase == "shrink" => {
                Worker::Running(Progress { phase: p.phase, ..old.clone() })
            }
            (Worker::Running(_), news) => news,
            _ => return false,
        };
        if let Worker::Running(p) = &news {
            self.level = self.level.max(p.level);
        }
        self.workers[i] = news;
        self.now_ms = now_ms;
        true
    }

    /// The counterexamples reported so far.
    fn found(&self) -> impl Iterator<Item = &Found> {
        self.workers.iter().filter_map(|w| match w {
            Worker::Done(r) => r.found.as_ref(),
            _ => None,
        })
    }

    /// Whether the search is over: every worker has finished or failed, or the user
    /// cancelled, or a counterexample is in hand and no other worker is shrinking one (the
    /// workers still searching are then stopped: the first counterexample wins).
    pub fn over(&self) -> bool {
        if self.cancelled {
            return true;
        }
        let running =
            || self.workers.iter().filter_map(|w| if let Worker::Running(p) = w { Some(p) } else { None });
        if running().next().is_none() {
            return true;
        }
        self.found().next().is_some() && running().all(|p| p.phase != "shrink")
    }

    /// The result once [`Run::over`]: the counterexample with the fewest inputs, then the
    /// earliest violation, then the lowest shard; or the bound the workers covered together.
    pub fn outcome(&self) -> Outcome {
        if let Some(best) = self.found().min_by_key(|f| (f.inputs, f.at, f.shard)) {
            return Outcome::Found(best.clone(), self.workers.len());
        }
        let count = self.workers.len();
        let mut union: Vec<u64> = Vec::new();
        let (mut runs, mut steps, mut complete, mut stopped) = (0, 0, true, None::<String>);
        let mut failed = Vec::new();
        for (i, w) in self.workers.iter().enumerate() {
            match w {
                Worker::Done(r) => {
                    union.extend_from_slice(&r.fingerprints);
                    runs += r.runs;
                    steps += r.steps;
                    complete &= r.complete;
                    if stopped.is_none() {
                        stopped.clone_from(&r.stopped);
                    }
                }
                Worker::Running(p) => {
                    // Cancelled: what it had done is counted, not its fingerprints.
                    runs += p.runs;
                    complete = false;
                }
                Worker::Failed(why) => {
                    complete = false;
                    failed.push(format!(
                        "worker {} of {count} failed ({why}), its part is not explored",
                        i + 1
                    ));
                }
            }
        }
        union.sort_unstable();
        union.dedup();
        let mut states = union.len() as u64;
        if self.cancelled {
            stopped = Some("cancelled".into());
            // The cancelled workers sent no fingerprints: count each shard's own states.
            states = states.max(self.workers.iter().map(Worker::states).sum());
        }
        if !failed.is_empty() {
            let why = failed.join("; ");
            stopped = Some(match stopped {
                Some(s) => format!("{s}; {why}"),
                None => why,
            });
        }
        let report = SearchReport {
            states,
            runs,
            steps,
            complete,
            stopped,
            counterexample: None,
            fingerprints: Vec::new(),
        };
        let mut text = report.summary(&self.spec);
        if count > 1 {
            text.push_str(&format!(" — {count} workers, each a shard of the search"));
        }
        Outcome::Clean(text)
    }

    /// The progress line: phase, states, decision point, rate, elapsed.
    pub fn progress_line(&self) -> String {
        let live: Vec<&Progress> = self
            .workers
            .iter()
            .filter_map(|w| if let Worker::Running(p) = w { Some(p) } else { None })
            .collect();
        let states: u64 = self.workers.iter().map(Worker::states).sum();
        let runs: u64 = self
            .workers
            .iter()
            .map(|w| match w {
                Worker::Running(p) if p.phase == "swarm" => p.runs,
                Worker::Done(r) => r.runs,
                _ => 0,
            })
            .sum();
        let secs = ((self.now_ms - self.started_ms) / 1_000.0).max(0.0);
        let rate = |n: u64| {
            if secs > 0.05 { format!("{}/s", group((n as f64 / secs) as u64)) } else { "…".into() }
        };
        let level = self.level;
        let phase = if self.over() {
            if self.cancelled { "cancelled" } else { "finished" }
        } else if live.iter().any(|p| p.phase == "shrink") {
            "shrinking a counterexample"
        } else if live.iter().any(|p| p.phase == "exhaustive") {
            "exhaustive search"
        } else if live.iter().any(|p| p.phase == "swarm") {
            "random runs (swarm)"
        } else {
            "starting the workers"
        };
        let count = self.workers.len();
        // Once over, the workers left running have been stopped.
        let workers = if self.over() {
            format!("{count} worker{}", if count == 1 { "" } else { "s" })
        } else {
            format!("{} of {count} workers searching", live.len())
        };
        let mut line = format!(
            "{phase}: {} states ({}), decision point {} of {} (depth ≤ {}), {} random runs ({}), {:.1} s, {workers}",
            group(states),
            rate(states),
            level.0,
            level.1,
            self.spec.depth,
            group(runs),
            rate(runs),
            secs,
        );
        let failed = self.workers.iter().filter(|w| matches!(w, Worker::Failed(_))).count();
        if failed > 0 {
            line.push_str(&format!(", {failed} failed"));
        }
        line
    }
}

impl Worker {
    /// Distinct states of its shard so far.
    fn states(&self) -> u64 {
        match self {
            Worker::Running(p) => p.states,
            Worker::Done(r) => r.states,
            Worker::Failed(_) => 0,
        }
    }
}

/// `1234567` as `1,234,567`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A scenario script without its recorded outputs: the commands and the narration, which is
/// what a share link needs (the lab runs it again) and a tour shows.
pub fn without_outputs(script: &str) -> String {
    let parsed = election_core::scenario::parse_script(script);
    let mut out = String::new();
    for b in &parsed.blocks {
        for l in b.preamble.iter().filter(|l| !l.trim().is_empty()) {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(&b.command);
        out.push('\n');
    }
    out
}

/// A worker's message, read: `None` for nonsense.
fn read_message(data: &JsValue, shard: usize) -> Option<Result<Worker, ()>> {
    let a = data.dyn_ref::<js_sys::Array>()?;
    let n = |i: u32| a.get(i).as_f64().unwrap_or(0.0) as u64;
    let s = |i: u32| a.get(i).as_string().unwrap_or_default();
    Some(Ok(match s(0).as_str() {
        "progress" => Worker::Running(Progress {
            phase: s(1),
            states: n(2),
            runs: n(3),
            steps: n(4),
            level: (n(5), n(6)),
        }),
        "done" => {
            let fingerprints =
                a.get(6).dyn_into::<js_sys::BigUint64Array>().map(|f| f.to_vec()).unwrap_or_default();
            let found = a.get(7).dyn_into::<js_sys::Array>().ok().map(|c| Found {
                violation: c.get(0).as_string().unwrap_or_default(),
                at: c.get(1).as_f64().unwrap_or(0.0) as u64,
                inputs: c.get(2).as_f64().unwrap_or(0.0) as u64,
                found_inputs: c.get(3).as_f64().unwrap_or(0.0) as u64,
                found_by: c.get(4).as_string().unwrap_or_default(),
                shrink_runs: c.get(6).as_f64().unwrap_or(0.0) as u64,
                script: c.get(7).as_string().unwrap_or_default(),
                shard,
            });
            Worker::Done(ShardReport {
                states: n(1),
                runs: n(2),
                steps: n(3),
                complete: a.get(4).as_bool().unwrap_or(false),
                stopped: a.get(5).as_string(),
                fingerprints,
                found,
            })
        }
        "error" => Worker::Failed(s(1)),
        _ => return Some(Err(())),
    }))
}

/// A worker's message and error handlers, kept as long as it runs.
type Handlers = (Closure<dyn FnMut(web_sys::MessageEvent)>, Closure<dyn FnMut(web_sys::ErrorEvent)>);

/// The workers of a search and their handlers; dropping it terminates them.
struct Pool {
    workers: Vec<web_sys::Worker>,
    _handlers: Vec<Handlers>,
    /// One per worker: fails it if it has not said "ready" in time.
    _watchdogs: Vec<gloo_timers::callback::Timeout>,
}

/// How long a worker may take to start (fetch and compile its module) before it counts as
/// failed: a worker whose module cannot be loaded reports nothing at all.
const START_TIMEOUT_MS: u32 = 20_000;

impl Drop for Pool {
    fn drop(&mut self) {
        for w in &self.workers {
            w.terminate();
        }
    }
}

/// The state of the panel.
#[derive(Debug, Clone, PartialEq)]
enum Panel {
    Idle,
    Running(Run),
    Over(Run, Outcome),
}

/// How many workers to start: the browser's cores, at most [`MAX_WORKERS`].
pub fn default_workers() -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (cores as usize).clamp(1, MAX_WORKERS)
}

fn input_value(r: &NodeRef) -> String {
    r.cast::<web_sys::HtmlInputElement>().map(|i| i.value().trim().to_string()).unwrap_or_default()
}

/// The "Find a counterexample" panel.
#[component]
pub fn Search() -> Html {
    let algorithm = use_state(|| Algorithm::Raft);
    let broken = use_state(|| vec!["vote-not-persisted"]);
    let panel = use_state(|| Panel::Idle);
    let error = use_state(|| None::<String>);
    let pool = use_mut_ref(|| None::<Pool>);
    // The latest run, for the workers' handlers (a state handle's value is a snapshot).
    let current = use_mut_ref(|| None::<Run>);
    let nodes_ref = use_node_ref();
    let faults_ref = use_node_ref();
    let depth_ref = use_node_ref();
    let horizon_ref = use_node_ref();
    let runs_ref = use_node_ref();
    let workers_ref = use_node_ref();
    let copied = use_state(|| false);

    // A finished search frees its workers.
    {
        let pool = pool.clone();
        let over = matches!(*panel, Panel::Over(..) | Panel::Idle);
        use_effect_with(over, move |over| {
            if *over {
                pool.borrow_mut().take();
            }
        });
    }
    // And so does leaving the page.
    {
        let pool = pool.clone();
        use_effect_with((), move |_| move || drop(pool.borrow_mut().take()));
    }

    let on_algorithm = {
        let (algorithm, broken) = (algorithm.clone(), broken.clone());
        Callback::from(move |e: Event| {
            let v =
                e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value());
            if let Some(a) = v.and_then(|v| v.parse::<Algorithm>().ok()) {
                algorithm.set(a);
                broken.set(a.rules().first().map(|r| vec![r.name]).unwrap_or_default());
            }
        })
    };

    let on_start = {
        let (algorithm, broken, panel, error, pool, current, copied) = (
            algorithm.clone(),
            broken.clone(),
            panel.clone(),
            error.clone(),
            pool.clone(),
            current.clone(),
            copied.clone(),
        );
        let refs = (
            nodes_ref.clone(),
            faults_ref.clone(),
            depth_ref.clone(),
            horizon_ref.clone(),
            runs_ref.clone(),
            workers_ref.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let number = |r: &NodeRef, what: &str| -> Result<u64, String> {
                let v = input_value(r);
                v.parse::<u64>().map_err(|_| format!("{what}: '{v}' is not a whole number"))
            };
            let form = (|| -> Result<(Form, usize), String> {
                let form = Form {
                    algorithm: *algorithm,
                    nodes: number(&refs.0, "Nodes")?.min(1_000) as usize,
                    broken: (*broken).clone(),
                    faults: input_value(&refs.1),
                    depth: number(&refs.2, "Depth")?.min(1_000) as usize,
                    horizon_ms: number(&refs.3, "Horizon")?.min(1 << 40),
                    runs: number(&refs.4, "Random runs")?,
                };
                let workers = number(&refs.5, "Workers")?;
                if workers == 0 || workers > 64 {
                    return Err(format!("Workers: {workers} is outside 1..=64"));
                }
                Ok((form, workers as usize))
            })();
            let (spec, count) = match form.and_then(|(f, w)| Ok((f.spec()?, w))) {
                Ok(x) => x,
                Err(e) => {
                    error.set(Some(e));
                    return;
                }
            };
            error.set(None);
            copied.set(false);
            let run = Run::new(spec.clone(), count, crate::browser::now_ms());
            *current.borrow_mut() = Some(run.clone());
            panel.set(Panel::Running(run));
            // Old workers (none while a search runs: Start is disabled) go first.
            pool.borrow_mut().take();
            let mut started = Pool { workers: Vec::new(), _handlers: Vec::new(), _watchdogs: Vec::new() };
            for i in 0..count {
                let update = {
                    let (panel, current) = (panel.clone(), current.clone());
                    move |w: Worker| {
                        let mut slot = current.borrow_mut();
                        let Some(run) = slot.as_mut() else { return };
                        if !run.update(i, w, crate::browser::now_ms()) {
                            return;
                        }
                        let next = if run.over() {
                            Panel::Over(run.clone(), run.outcome())
                        } else {
                            Panel::Running(run.clone())
                        };
                        panel.set(next);
                    }
                };
                let worker = match web_sys::Worker::new(WORKER) {
                    Ok(w) => w,
                    Err(e) => {
                        update(Worker::Failed(crate::error_message(&e, "the worker could not start")));
                        continue;
                    }
                };
                let message: js_sys::Array = request(&spec, i, count).into_iter().collect();
                let ready = std::rc::Rc::new(std::cell::Cell::new(false));
                let on_message = {
                    let (w, update, ready) = (worker.clone(), update.clone(), ready.clone());
                    Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                        let data = e.data();
                        if data.as_string().as_deref() == Some("ready") {
                            ready.set(true);
                            let _ = w.post_message(&message);
                            return;
                        }
                        match read_message(&data, i) {
                            Some(Ok(state)) => update(state),
                            _ => update(Worker::Failed("it answered nonsense".into())),
                        }
                    })
                };
                let watchdog = {
                    let (update, w) = (update.clone(), worker.clone());
                    gloo_timers::callback::Timeout::new(START_TIMEOUT_MS, move || {
                        if !ready.get() {
                            w.terminate();
                            update(Worker::Failed("it did not start within 20 s".into()));
                        }
                    })
                };
                let on_error =
                    Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                        e.prevent_default();
                        let why = match e.message() {
                            m if m.is_empty() => "it crashed, perhaps out of memory".to_string(),
                            m => m,
                        };
                        update(Worker::Failed(why));
                    });
                worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
                started.workers.push(worker);
                started._handlers.push((on_message, on_error));
                started._watchdogs.push(watchdog);
            }
            *pool.borrow_mut() = Some(started);
        })
    };

    let on_cancel = {
        let (panel, pool, current) = (panel.clone(), pool.clone(), current.clone());
        Callback::from(move |_: MouseEvent| {
            // Terminating the workers is the cancel: they never read a message mid-search.
            pool.borrow_mut().take();
            let mut slot = current.borrow_mut();
            if let Some(run) = slot.as_mut().filter(|r| !r.over()) {
                run.cancelled = true;
                run.now_ms = crate::browser::now_ms();
                panel.set(Panel::Over(run.clone(), run.outcome()));
            }
        })
    };

    let running = matches!(*panel, Panel::Running(_));
    let a = *algorithm;
    let rules = a.rules();
    let checkboxes = rules
        .iter()
        .map(|r| {
            let checked = broken.contains(&r.name);
            let toggle = {
                let broken = broken.clone();
                let name = r.name;
                Callback::from(move |_: Event| {
                    let mut list: Vec<&'static str> = (*broken).clone();
                    if let Some(i) = list.iter().position(|n| *n == name) {
                        list.remove(i);
                    } else {
                        list.push(name);
                    }
                    broken.set(list);
                })
            };
            html! {
                <li><label>
                    <input type="checkbox" checked={checked} onchange={toggle} data-rule={r.name} />
                    <code>{r.name}</code>{": "}{r.what}
                    <span class="hint">{format!(" Source: {}.", r.source)}</span>
                </label></li>
            }
        })
        .collect::<Html>();

    let result = match &*panel {
        Panel::Over(run, Outcome::Found(f, count)) => {
            let fragment = format!(
                "s={}&t={}",
                String::from(js_sys::encode_uri_component(&without_outputs(&f.script))),
                f.at
            );
            let open = Callback::from({
                let fragment = fragment.clone();
                move |_: MouseEvent| crate::browser::open_in_lab(&fragment)
            });
            let link = format!("{}#{fragment}", crate::browser::page_address().unwrap_or_default());
            let copy = {
                let (link, copied) = (link.clone(), copied.clone());
                Callback::from(move |_: MouseEvent| {
                    crate::browser::copy_to_clipboard(&link);
                    copied.set(true);
                })
            };
            let secs = (run.now_ms - run.started_ms) / 1_000.0;
            html! {
                <div class="search-result found" data-testid="search-result" data-found="yes" data-at={f.at.to_string()}>
                    <p><strong>{"Counterexample: "}</strong>{format!(
                        "violation at {} ({} inputs, {} before shrinking in {} runs; found by the {} search of worker {} of {count} after {secs:.1} s): {}",
                        fmt_time(f.at), f.inputs, f.found_inputs, group(f.shrink_runs), f.found_by, f.shard + 1, f.violation
                    )}</p>
                    <div class="actions">
                        <button onclick={open} data-testid="search-open">{"Open in the lab (jumps to the violation)"}</button>
                        <button onclick={copy} data-testid="search-copy">{if *copied { "Link copied" } else { "Copy link" }}</button>
                    </div>
                    <input type="text" readonly=true value={link} aria-label="Link to this counterexample" data-testid="search-link" size="60" />
                    <pre class="script" data-testid="search-script" style="white-space:pre-wrap;max-height:24em;overflow:auto;font-size:.85em">{f.script.clone()}</pre>
                </div>
            }
        }
        Panel::Over(_, Outcome::Clean(summary)) => html! {
            <p class="search-result clean" data-testid="search-result" data-found="no">{summary.clone()}</p>
        },
        _ => Html::default(),
    };
    let progress = match &*panel {
        Panel::Running(run) | Panel::Over(run, _) => Some(run.progress_line()),
        Panel::Idle => None,
    };

    html! {
        <section class="search" aria-label="Find a counterexample" style={SECTION_STYLE}>
            <h2>{"Find a counterexample: why does this rule exist?"}</h2>
            <p class="hint">{"Break a rule of an algorithm and let the lab search for the shortest run that goes wrong: every fault at every decision point up to a depth (each distinct state once), then random runs; what it finds is shrunk and narrated, and opens in the lab. It runs in the background on every core of this machine (one Web Worker each)."}</p>
            <div class="actions">
                <label>{"Algorithm "}
                    <select onchange={on_algorithm} aria-label="Algorithm to search" data-testid="search-algo" disabled={running}>
                        { for Algorithm::ALL.iter().map(|x| html! {
                            <option value={x.id()} selected={*x == a}>{x.name()}</option>
                        }) }
                    </select>
                </label>
                <label>{"Nodes "}<input ref={nodes_ref} type="number" min={a.min_nodes().to_string()} max={MAX_SEARCH_NODES.to_string()}
                    value={a.min_nodes().max(3).to_string()} aria-label="Nodes" data-testid="search-nodes" /></label>
                <label>{"Depth "}<input ref={depth_ref} type="number" min="0" max={election_core::search::MAX_DEPTH.to_string()} value="1"
                    aria-label="Depth: most inputs on one path of the exhaustive search" data-testid="search-depth" /></label>
                <label>{"Horizon (ms) "}<input ref={horizon_ref} type="number" min="1" max="60000" value="2000"
                    aria-label="Simulated time of each run in milliseconds" data-testid="search-horizon" /></label>
                <label>{"Random runs "}<input ref={runs_ref} type="number" min="0" value="20000"
                    aria-label="Random runs after the exhaustive search" data-testid="search-runs" /></label>
                <label>{"Workers "}<input ref={workers_ref} type="number" min="1" max="64" value={default_workers().to_string()}
                    aria-label="Workers" data-testid="search-workers" /></label>
            </div>
            <div class="actions">
                <label>{"Faults "}<input ref={faults_ref} type="text" size="44" value={DEFAULT_FAULTS}
                    aria-label="Fault budget" data-testid="search-faults" /></label>
                <span class="hint">{"How many of each a run may contain: crash, restart, pause, partition, heal (default: as many as partitions), write, timeout, cut (one way), and the engine's own draws: timing (a latency or timeout at an end of its range), drop, duplicate."}</span>
            </div>
            if rules.is_empty() {
                <p class="hint">{format!("{} has no rule to break: it is unsafe as it is (the search still looks for a violation).", a.name())}</p>
            } else {
                <fieldset class="rules" style="min-width:0"><legend>{"Rules to break"}</legend><ul>{checkboxes}</ul></fieldset>
            }
            <div class="actions">
                <button onclick={on_start} disabled={running} data-testid="search-start">{if running { "Searching…" } else { "Start" }}</button>
                <button onclick={on_cancel} disabled={!running} data-testid="search-cancel">{"Cancel"}</button>
            </div>
            if let Some(e) = &*error {
                <p class="banner error" role="alert" data-testid="search-error">{e.clone()}</p>
            }
            if let Some(p) = progress {
                <p class="search-progress" role="status" data-testid="search-progress">{p}</p>
            }
            {result}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form {
            algorithm: Algorithm::Raft,
            nodes: 3,
            broken: vec!["vote-not-persisted"],
            faults: DEFAULT_FAULTS.into(),
            depth: 1,
            horizon_ms: 2_000,
            runs: 1_000,
        }
    }

    fn found(shard: usize, inputs: u64, at: Micros) -> Worker {
        Worker::Done(ShardReport {
            found: Some(Found {
                violation: "v".into(),
                at,
                inputs,
                found_inputs: inputs,
                found_by: "swarm".into(),
                shrink_runs: 0,
                script: String::new(),
                shard,
            }),
            ..ShardReport::default()
        })
    }

    fn searching(phase: &str) -> Worker {
        Worker::Running(Progress { phase: phase.into(), ..Progress::default() })
    }

    #[test]
    fn the_form_is_checked_by_the_core_with_a_clear_message() {
        assert!(form().spec().is_ok());
        let e = |f: Form| f.spec().unwrap_err();
        assert!(e(Form { depth: 13, ..form() }).contains("depth"));
        assert!(e(Form { nodes: 10, ..form() }).contains("at most 9"));
        assert!(e(Form { faults: "crash=99".into(), ..form() }).contains("crash=99"));
        assert!(e(Form { faults: "meteor=1".into(), ..form() }).contains("known: crash"));
        assert!(e(Form { horizon_ms: 0, ..form() }).contains("horizon"));
        let spec = form().spec().unwrap();
        assert_eq!(spec.session.config.settings().broken(), vec!["vote-not-persisted"]);
    }

    #[test]
    fn the_first_counterexample_wins_once_no_other_worker_is_shrinking_one() {
        let mut run = Run::new(form().spec().unwrap(), 3, 0.0);
        assert!(!run.over());
        run.workers[2] = found(2, 3, 500);
        run.workers[0] = searching("shrink");
        assert!(!run.over(), "a worker shrinking a counterexample is waited for");
        run.workers[0] = found(0, 3, 400);
        run.workers[1] = searching("swarm");
        assert!(run.over(), "the worker still searching is stopped");
        // Fewest inputs, then the earliest violation, then the lowest shard.
        match run.outcome() {
            Outcome::Found(f, 3) => assert_eq!((f.shard, f.at), (0, 400)),
            other => panic!("{other:?}"),
        }
        run.workers[1] = found(1, 2, 900);
        assert!(matches!(run.outcome(), Outcome::Found(f, _) if f.shard == 1));
    }

    #[test]
    fn progress_is_kept_while_a_worker_shrinks_and_a_finished_worker_stays_finished() {
        let mut run = Run::new(form().spec().unwrap(), 2, 0.0);
        let p = |phase: &str, states, runs, level| {
            Worker::Running(Progress { phase: phase.into(), states, runs, steps: 0, level })
        };
        assert!(run.update(0, p("exhaustive", 500, 0, (7, 20)), 1_000.0));
        assert!(run.update(1, p("swarm", 300, 40, (20, 20)), 2_000.0));
        assert!(run.update(1, p("shrink", 0, 64, (0, 0)), 2_500.0));
        assert_eq!(run.workers[1], p("shrink", 300, 40, (20, 20)));
        assert_eq!(run.level, (20, 20));
        let line = run.progress_line();
        assert!(
            line.starts_with("shrinking a counterexample: 800 states (320/s), decision point 20 of 20"),
            "{line}"
        );
        assert!(line.ends_with("2.5 s, 2 of 2 workers searching"), "{line}");
        run.workers[0] = Worker::Failed("gone".into());
        assert!(!run.update(0, p("exhaustive", 900, 0, (8, 20)), 3_000.0), "a failed worker stays failed");
        run.cancelled = true;
        assert!(!run.update(1, p("shrink", 0, 128, (0, 0)), 3_000.0), "nothing changes once over");
        assert!(run.progress_line().starts_with("cancelled: "));
        assert!(run.progress_line().ends_with(", 2 workers, 1 failed"), "{}", run.progress_line());
    }

    #[test]
    fn without_a_counterexample_the_bound_is_the_union_of_the_shards() {
        let mut run = Run::new(form().spec().unwrap(), 2, 0.0);
        let done = |fingerprints: Vec<u64>, runs| {
            Worker::Done(ShardReport {
                states: fingerprints.len() as u64,
                runs,
                complete: true,
                fingerprints,
                ..ShardReport::default()
            })
        };
        run.workers[0] = done(vec![1, 2, 3], 10);
        assert!(!run.over());
        run.workers[1] = done(vec![1, 4], 11);
        assert!(run.over());
        let Outcome::Clean(text) = run.outcome() else { panic!() };
        assert!(text.starts_with("no violation in 4 distinct states up to depth 1"), "{text}");
        assert!(text.contains("nor in 21 random runs") && !text.contains("stopped"), "{text}");
        // A worker that failed is said, and its part is not claimed.
        run.workers[1] = Worker::Failed("out of memory".into());
        let Outcome::Clean(text) = run.outcome() else { panic!() };
        assert!(text.contains("stopped early: worker 2 of 2 failed (out of memory)"), "{text}");
    }

    #[test]
    fn cancelling_ends_the_search_and_says_so() {
        let mut run = Run::new(form().spec().unwrap(), 2, 0.0);
        run.workers[0] =
            Worker::Running(Progress { phase: "exhaustive".into(), states: 700, ..Progress::default() });
        run.cancelled = true;
        assert!(run.over());
        let Outcome::Clean(text) = run.outcome() else { panic!() };
        assert!(
            text.contains("no violation in 700 distinct states") && text.contains("stopped early: cancelled"),
            "{text}"
        );
    }

    #[test]
    fn the_shards_together_cover_the_whole_search() {
        // The union of the shards' fingerprints is the unsharded search's (the core's test
        // says so for the fingerprints; this is the count the page shows).
        use election_core::search::{Shard, search};
        let mut spec = form().spec().unwrap();
        spec.session.config.settings_mut().set("break", "").unwrap();
        spec.swarm_runs = 0;
        spec.horizon = ms(800);
        spec.step = ms(200);
        spec.depth = 2;
        let whole = search(&spec, &mut |_| true).unwrap();
        let mut run = Run::new(spec.clone(), 3, 0.0);
        for i in 0..3 {
            let mut part = spec.clone();
            part.shard = Shard { index: i as u32, count: 3 };
            part.keep_fingerprints = true;
            let r = search(&part, &mut |_| true).unwrap();
            run.workers[i] = Worker::Done(ShardReport {
                states: r.states,
                runs: r.runs,
                steps: r.steps,
                complete: r.complete,
                stopped: r.stopped,
                fingerprints: r.fingerprints,
                found: None,
            });
        }
        let Outcome::Clean(text) = run.outcome() else { panic!() };
        let unsharded = whole.summary(&spec);
        assert!(text.starts_with(&unsharded), "{text}\n{unsharded}");
    }

    #[test]
    fn a_script_without_outputs_keeps_its_narration_and_commands() {
        let text = "# title\nconfig algo=raft nodes=3 seed=1\n----\nraft nodes=3\n\n# n1 crashes\ncrash n1\n----\nt=0ms input: crash n1\n";
        assert_eq!(
            without_outputs(text),
            "# title\nconfig algo=raft nodes=3 seed=1\n# n1 crashes\ncrash n1\n"
        );
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(1_234), "1,234");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
