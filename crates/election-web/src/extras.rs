//! The space-time (Lamport) diagram, timeline markers, the help overlay, and (loaded on
//! demand) the comparison and the experiment.

use election_core::{Marker, MarkerKind, Micros, NodeId, TraceEvent, TraceKind, fixed, fmt_time};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How much simulated time the space-time diagram shows, ending at the cursor.
pub const WINDOW_US: Micros = 600_000;

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    /// Recent trace events (any order), covering at least the window.
    pub events: Vec<TraceEvent>,
    pub now: Micros,
    pub nodes: usize,
}

/// One lane per node; each message is a line from (send time, sender) to (arrival, receiver).
#[component]
pub fn SpaceTime(p: &SpaceTimeProps) -> Html {
    const W: f64 = 600.0;
    const LANE: f64 = 22.0;
    const LEFT: f64 = 36.0;
    let h = LANE * p.nodes as f64 + 24.0;
    let start = p.now.saturating_sub(WINDOW_US);
    let x = |t: Micros| LEFT + (t.saturating_sub(start) as f64 / WINDOW_US as f64) * (W - LEFT - 8.0);
    let y = |n: NodeId| 12.0 + LANE * (f64::from(n) - 0.5);
    let dropped: election_core::collections::Set<u64> = p
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Drop { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let lanes = (1..=p.nodes as NodeId).map(|n| {
        html! {
            <g>
                <line class="lane" x1={fixed(LEFT, 0)} x2={fixed(W, 0)} y1={fixed(y(n), 1)} y2={fixed(y(n), 1)} />
                <text x="4" y={fixed(y(n) + 4.0, 1)}>{format!("n{n}")}</text>
            </g>
        }
    });
    let arrows = p.events.iter().filter_map(|e| match &e.kind {
        TraceKind::Send { id, from, to, kind, deliver_at, heartbeat, summary }
            if e.t >= start && !heartbeat =>
        {
            let end = (*deliver_at).min(p.now);
            let frac = if *deliver_at > e.t { (end - e.t) as f64 / (*deliver_at - e.t) as f64 } else { 1.0 };
            let (x1, y1) = (x(e.t), y(*from));
            let (x2, y2) = (x(end), y1 + (y(*to) - y1) * frac);
            let class =
                classes!("arrow", kind.to_ascii_lowercase(), dropped.contains(id).then_some("dropped"));
            Some(html! {
                <line class={class} x1={fixed(x1, 1)} y1={fixed(y1, 1)} x2={fixed(x2, 1)} y2={fixed(y2, 1)}>
                    <title>{format!("{} n{from} → n{to}: {summary}", fmt_time(e.t))}</title>
                </line>
            })
        }
        _ => None,
    });
    let dots = p.events.iter().filter_map(|e| match &e.kind {
        TraceKind::Role { node, to, .. } if e.t >= start => Some(html! {
            <circle class={classes!("role-dot", to.name().replace('-', ""))} cx={fixed(x(e.t), 1)} cy={fixed(y(*node), 1)} r="4">
                <title>{format!("{} n{node} becomes {to}", fmt_time(e.t))}</title>
            </circle>
        }),
        TraceKind::Input { input } if e.t >= start => Some(html! {
            <text class="input-mark" x={fixed(x(e.t), 1)} y="10" text-anchor="middle">
                {"▼"}<title>{format!("{}: {input}", fmt_time(e.t))}</title>
            </text>
        }),
        _ => None,
    });
    html! {
        <section class="spacetime" aria-label="Space-time diagram">
            <h2>{format!("Space-time diagram (last {})", fmt_time(WINDOW_US))}</h2>
            <svg viewBox={format!("0 0 {} {}", fixed(W, 0), fixed(h, 0))} role="img"
                aria-label="One lane per node; lines are messages from sender to receiver over time">
                { for lanes }
                { for arrows }
                { for dots }
            </svg>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct MarkersProps {
    /// Shared with the page, which re-copies them only when they change.
    pub markers: std::rc::Rc<Vec<Marker>>,
    pub horizon: Micros,
    pub on_seek: Callback<Micros>,
}

/// Ticks above the scrubber for leader changes, inputs and violations; click to jump.
#[component]
pub fn Markers(p: &MarkersProps) -> Html {
    let span = p.horizon.max(1) as f64;
    let ticks = p.markers.iter().rev().take(300).map(|m| {
        let left = (m.t as f64 / span * 100.0).clamp(0.0, 100.0);
        let class = match m.kind {
            MarkerKind::Leader => "leader",
            MarkerKind::Input => "input",
            MarkerKind::Violation => "violation",
        };
        let t = m.t;
        let onclick = {
            let cb = p.on_seek.clone();
            Callback::from(move |_| cb.emit(t))
        };
        let label = format!("{}: {}", fmt_time(m.t), m.label);
        html! {
            <button class={classes!("marker", class)} style={format!("left: {}%", fixed(left, 2))} title={label.clone()}
                aria-label={format!("Jump to {label}")} onclick={onclick}></button>
        }
    });
    html! { <div class="markers" aria-label="Timeline markers">{ for ticks }</div> }
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<MouseEvent>,
}

/// The keyboard help overlay (`?`).
#[component]
pub fn Help(p: &HelpProps) -> Html {
    let keys = [
        ("Space", "play / pause"),
        ("← / →", "step one event back / forward"),
        ("1-9, 0", "select node n1-n9, n10"),
        ("c", "crash / restart the selected node"),
        ("p", "pause / resume the selected node"),
        ("t", "force a timeout on the selected node"),
        ("w", "client write to the selected node"),
        ("i", "isolate the selected node"),
        ("h", "heal every link"),
        ("Esc", "close the inspector or this help"),
        ("?", "show this help"),
    ];
    html! {
        <div class="help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
            <div class="help-box">
                <h2>{"Keyboard shortcuts"}</h2>
                <dl>
                    { for keys.iter().map(|(k, v)| html! { <><dt><kbd>{*k}</kbd></dt><dd>{*v}</dd></> }) }
                </dl>
                <p>{"Every control is also reachable with Tab. Clicking a link (the line between two nodes) cuts or heals it."}</p>
                <button onclick={p.on_close.clone()} autofocus=true>{"Close"}</button>
            </div>
        </div>
    }
}

/// State of the in-page Figure 16 experiment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExperimentState {
    /// Finished ranges.
    pub results: Vec<election_core::experiments::RangeResult>,
    /// Ranges still to run.
    pub pending: Vec<(u64, u64)>,
    /// Settings used.
    pub servers: usize,
    /// Trials per range.
    pub trials: usize,
    /// One-way latency (us).
    pub latency: (Micros, Micros),
    /// A run is in progress.
    pub running: bool,
}

/// What the extras module shows (see `lazy.rs`): the comparison, then the experiment.
#[component]
pub fn Extras() -> Html {
    html! { <><Compare /><Experiment /></> }
}

/// The Raft Figure 16 experiment, run in the page one timeout range at a time (between
/// frames, so the page stays responsive), with the paper's numbers beside ours.
#[component]
pub fn Experiment() -> Html {
    use election_core::experiments::{Fig16, cdf_svg, paper_figure, run_range};
    let state = use_state(ExperimentState::default);
    let trials_ref = use_node_ref();
    let servers_ref = use_node_ref();
    let latency_ref = use_node_ref();
    let ranges_ref = use_node_ref();
    let ranges_error = use_state(|| None::<String>);
    let value = |r: &NodeRef, default: u64, max: u64| {
        r.cast::<web_sys::HtmlInputElement>()
            .and_then(|i| i.value().trim().parse::<u64>().ok())
            .unwrap_or(default)
            .clamp(1, max)
    };
    // Run the next pending range after the browser has painted.
    {
        let state = state.clone();
        use_effect_with((*state).clone(), move |s| {
            let handle = (s.running && !s.pending.is_empty()).then(|| {
                let state = state.clone();
                let s = s.clone();
                gloo_timers::callback::Timeout::new(10, move || {
                    let mut next = s.clone();
                    let range = next.pending.remove(0);
                    let cfg = Fig16 {
                        servers: s.servers,
                        trials: s.trials,
                        latency_us: s.latency,
                        ..Fig16::default()
                    };
                    let trials = if range == (150, 150) { (s.trials / 10).max(1) } else { s.trials };
                    next.results.push(run_range(&cfg, range, trials, &mut || {}));
                    next.running = !next.pending.is_empty();
                    state.set(next);
                })
            });
            move || drop(handle)
        });
    }
    let on_run = {
        let (state, t, s, l, r, rerr) = (
            state.clone(),
            trials_ref.clone(),
            servers_ref.clone(),
            latency_ref.clone(),
            ranges_ref.clone(),
            ranges_error.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let lat = value(&l, 7_500, 200_000);
            let text = r.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let ranges = match parse_ranges(&text) {
                Ok(r) => r,
                Err(e) => {
                    rerr.set(Some(e));
                    return;
                }
            };
            rerr.set(None);
            state.set(ExperimentState {
                results: Vec::new(),
                pending: ranges,
                servers: value(&s, 5, 15).max(3) as usize,
                trials: value(&t, 200, 5_000) as usize,
                latency: (lat.saturating_sub(500).max(1), lat + 500),
                running: true,
            })
        })
    };
    let total = state.results.len() + state.pending.len();
    let done = state.results.len();
    let cap = Fig16::default().cap;
    let ms = |us: Micros| fixed(us as f64 / 1_000.0, 1);
    let svg = (!state.results.is_empty()).then(|| {
        // As in the paper: ranges starting at 150 ms on top, the others below.
        let top: Vec<_> = state.results.iter().filter(|r| r.range.0 == 150).cloned().collect();
        let bottom: Vec<_> = state.results.iter().filter(|r| r.range.0 != 150).cloned().collect();
        Html::from_html_unchecked(AttrValue::from(cdf_svg(&top, &bottom, cap)))
    });
    html! {
        <section class="experiment" aria-label="Experiment: Raft Figure 16">
            <h2>{"Experiment: Raft's Figure 16 — time without a leader after a crash"}</h2>
            <p class="hint">{"For each election-timeout range, crash the leader many times at a random point of its heartbeat interval and measure how long until the others hear a new leader."}</p>
            <div class="actions">
                <label>{"Trials per range "}<input ref={trials_ref} type="number" min="1" max="5000" value={if state.trials > 0 { state.trials.to_string() } else { "200".into() }} aria-label="Trials per range" /></label>
                <label>{"Servers "}<input ref={servers_ref} type="number" min="3" max="15" value={if state.servers > 0 { state.servers.to_string() } else { "5".into() }} aria-label="Servers" /></label>
                <label>{"One-way latency (us) "}<input ref={latency_ref} type="number" min="1" max="200000" value={if state.latency.1 > 0 { (state.latency.0 + 500).to_string() } else { "7500".into() }} aria-label="One-way latency in microseconds" /></label>
                <label>{"Timeout ranges (ms) "}<input ref={ranges_ref} type="text" size="48" aria-label="Election timeout ranges in milliseconds"
                    value={default_ranges()} /></label>
                <button onclick={on_run} disabled={state.running} data-testid="run-experiment">{if state.running { "Running…" } else { "Run" }}</button>
            </div>
            if let Some(e) = &*ranges_error {
                <p class="banner error" role="alert">{e.clone()}</p>
            }
            if state.running || done > 0 {
                <progress max={total.to_string()} value={done.to_string()} aria-label="Experiment progress">{format!("{done}/{total}")}</progress>
            }
            if done > 0 {
                <table class="results">
                    <thead><tr>
                        <th>{"timeout"}</th><th>{"trials"}</th><th>{"median ms"}</th><th>{"mean ms"}</th>
                        <th>{"p99 ms"}</th><th>{"max ms"}</th><th>{"over 10 s"}</th><th>{"paper"}</th>
                    </tr></thead>
                    <tbody>
                    { for state.results.iter().map(|r| {
                        let s = r.stats(cap);
                        html! { <tr>
                            <td>{format!("{}-{} ms", r.range.0, r.range.1)}</td><td>{r.downtimes.len()}</td>
                            <td>{ms(s.median)}</td><td>{ms(s.mean)}</td><td>{ms(s.p99)}</td><td>{ms(s.max)}</td>
                            <td>{s.over_cap}</td><td>{paper_figure(r.range)}</td>
                        </tr> }
                    }) }
                    </tbody>
                </table>
                <div class="cdf">{ for svg }</div>
            }
        </section>
    }
}

fn default_ranges() -> String {
    use election_core::experiments::{BOTTOM_RANGES, TOP_RANGES};
    TOP_RANGES
        .iter()
        .chain(BOTTOM_RANGES.iter())
        .map(|(a, b)| format!("{a}-{b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `150-155, 12-24` into ranges; errors name the bad part.
pub fn parse_ranges(text: &str) -> Result<Vec<(u64, u64)>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').ok_or_else(|| format!("'{part}' is not a range like 150-300"))?;
        match (a.trim().parse::<u64>(), b.trim().parse::<u64>()) {
            (Ok(a), Ok(b)) if a >= 2 && a <= b && b <= 10_000 => out.push((a, b)),
            _ => return Err(format!("'{part}': write min-max in ms, 2 <= min <= max <= 10000")),
        }
    }
    if out.is_empty() || out.len() > 20 {
        return Err("give between 1 and 20 ranges, separated by commas".into());
    }
    Ok(out)
}

/// The recorded runs of a comparison, replayed side by side at one shared time.
struct Runs {
    runs: Vec<(election_core::compare::Outcome, election_core::AnySession)>,
    script: election_core::compare::Script,
}

/// Side-by-side comparison: the chosen algorithms run the same fault script; their clusters
/// replay next to each other at one shared time (play or scrub), above a table of outcomes.
#[component]
pub fn Compare() -> Html {
    use election_core::Algorithm;
    use election_core::compare::{DURATION, Script, compare_runs};
    let runs = use_mut_ref(|| None::<Runs>);
    let chosen = use_state(|| Algorithm::ALL.to_vec());
    let t = use_state(|| 0u64);
    let playing = use_state(|| false);
    let version = use_state(|| 0u32);
    // Bumped by every user action on the time: a playback tick scheduled before it is stale.
    let generation = use_mut_ref(|| 0u64);
    let script_ref = use_node_ref();
    let on_run = {
        let (runs, r, chosen, t, playing, version) =
            (runs.clone(), script_ref.clone(), chosen.clone(), t.clone(), playing.clone(), version.clone());
        let generation = generation.clone();
        Callback::from(move |_: MouseEvent| {
            *generation.borrow_mut() += 1;
            let i = r
                .cast::<web_sys::HtmlSelectElement>()
                .and_then(|s| s.value().parse::<usize>().ok())
                .unwrap_or(0)
                .min(Script::ALL.len() - 1);
            let script = Script::ALL[i];
            *runs.borrow_mut() = Some(Runs { runs: compare_runs(&chosen, 5, 1, script), script });
            t.set(0);
            playing.set(true);
            version.set(*version + 1);
        })
    };
    // Playback: 0.25x, so a 6 s run takes 24 s; stops at the end.
    {
        let (t, playing, generation) = (t.clone(), playing.clone(), generation.clone());
        use_effect_with((*playing, *t), move |(on, now)| {
            let timer = (*on).then(|| {
                let (t, playing, now) = (t.clone(), playing.clone(), *now);
                let scheduled = *generation.borrow();
                gloo_timers::callback::Timeout::new(40, move || {
                    if *generation.borrow() != scheduled {
                        return;
                    }
                    let next = (now + 10_000).min(DURATION);
                    t.set(next);
                    if next >= DURATION {
                        playing.set(false);
                    }
                })
            });
            move || drop(timer)
        });
    }
    let toggle = |a: Algorithm| {
        let chosen = chosen.clone();
        Callback::from(move |_: Event| {
            let list: Vec<Algorithm> =
                Algorithm::ALL.iter().copied().filter(|x| (*x == a) != chosen.contains(x)).collect();
            chosen.set(list);
        })
    };
    let on_scrub = {
        let (t, playing, generation) = (t.clone(), playing.clone(), generation.clone());
        Callback::from(move |e: InputEvent| {
            *generation.borrow_mut() += 1;
            let v = e
                .target()
                .and_then(|x| x.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.value().parse::<u64>().ok())
                .unwrap_or(0);
            playing.set(false);
            t.set((v * 1_000).min(DURATION));
        })
    };
    let on_play = {
        let (t, playing, generation) = (t.clone(), playing.clone(), generation.clone());
        Callback::from(move |_: MouseEvent| {
            *generation.borrow_mut() += 1;
            if *t >= DURATION {
                t.set(0);
            }
            playing.set(!*playing);
        })
    };
    let mut guard = runs.borrow_mut();
    let panes = guard.as_mut().map(|r| {
        let now = *t;
        let script = r.script;
        let panes: Html = r
            .runs
            .iter_mut()
            .map(|(o, s)| {
                let _ = s.seek(now as i64);
                let view = s.view();
                let leader = s.stable_leader();
                let leaders = s.believed_leaders();
                let status = match (leader, leaders) {
                    (_, n) if n > 1 => format!("{n} nodes believe they lead"),
                    (Some(l), _) => format!("leader n{l}"),
                    (None, 1) => "no leader a majority follows".to_string(),
                    (None, _) => "no leader".to_string(),
                };
                html! {
                    <figure class={classes!("pane", (leader.is_none()).then_some("leaderless"))} data-algorithm={o.algorithm.name()}>
                        <figcaption><strong>{o.algorithm.name()}</strong>{" · "}<span data-testid="pane-status">{status}</span></figcaption>
                        <crate::cluster::Cluster view={view} selected={None::<NodeId>} on_select={Callback::noop()} on_link={Callback::noop()} />
                    </figure>
                }
            })
            .collect();
        let outcomes: Vec<election_core::compare::Outcome> = r.runs.iter().map(|(o, _)| o.clone()).collect();
        (panes, outcomes, script)
    });
    drop(guard);
    html! {
        <section class="compare" aria-label="Compare the algorithms">
            <h2>{"Compare: the same faults, side by side (5 nodes, 6 simulated seconds)"}</h2>
            <div class="actions">
                <label>{"Fault script "}
                    <select ref={script_ref} aria-label="Fault script">
                        { for Script::ALL.iter().enumerate().map(|(i, s)| html! { <option value={i.to_string()} selected={i == 0}>{s.describe()}</option> }) }
                    </select>
                </label>
                { for Algorithm::ALL.iter().map(|&a| html! {
                    <label class="check"><input type="checkbox" checked={chosen.contains(&a)} onchange={toggle(a)}
                        aria-label={format!("Include {}", a.name())} />{a.name()}</label>
                }) }
                <button onclick={on_run} disabled={chosen.len() < 2} data-testid="run-compare">{"Compare"}</button>
                if chosen.len() < 2 { <span class="hint">{"Pick at least two algorithms."}</span> }
            </div>
            if let Some((panes, outcomes, script)) = panes {
                <div class="actions replay">
                    <button onclick={on_play} data-testid="compare-play" aria-label="Play or pause the comparison">
                        {if *playing { "❚❚ Pause" } else { "▶ Play" }}</button>
                    <input type="range" min="0" max={(DURATION / 1_000).to_string()} value={(*t / 1_000).to_string()}
                        oninput={on_scrub} aria-label="Comparison time in milliseconds" data-testid="compare-scrubber" />
                    <span data-testid="compare-time">{fmt_time(*t)}</span>
                    <span class="hint">{format!("Script: {} (0.25x)", script.describe())}</span>
                </div>
                <div class="panes" data-testid="compare-panes">{panes}</div>
                <table class="results" data-testid="compare-table">
                    <thead><tr><th>{"algorithm"}</th><th>{"time without a leader"}</th><th>{"leader changes"}</th>
                        <th>{"most leaders at once"}</th><th>{"messages sent"}</th><th>{"writes lost or rejected"}</th>
                        <th>{"invariant violations"}</th></tr></thead>
                    <tbody>
                    { for outcomes.iter().map(|o| html! { <tr>
                        <td>{o.algorithm.name()}</td><td>{fmt_time(o.leaderless)}</td><td>{o.leader_changes}</td>
                        <td class={classes!((o.max_leaders > 1).then_some("warn"))}>{o.max_leaders}</td>
                        <td>{o.messages}</td>
                        <td>{o.writes_lost.map_or("n/a".to_string(), |l| format!("{l} of {}", o.writes))}</td>
                        <td class={classes!((o.violations > 0).then_some("bad"))}>{o.violations}</td>
                    </tr> }) }
                    </tbody>
                </table>
                <p class="hint">{"\"Leader\" means what each algorithm calls it (Bully's coordinator, Kafka's controller, the lock holder). A client writes every 250 ms to the leader it last knew (in Kafka, to the partition's leader); a write counts as lost or rejected if no node has committed it at the end. \"Most leaders at once\" counts nodes that believe they lead, like a paused old leader: only one of them can make progress in Raft, ZAB and Paxos, while Bully's two coordinators both accept writes."}</p>
            }
        </section>
    }
}
