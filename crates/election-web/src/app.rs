//! The page's top component, [`App`]: it lays out the panels over the lab's state
//! (`state.rs`), turns their events into actions, and runs the browser effects (the clock, the
//! share link, exports, fetching a tour, reading a JSON link, opening a counterexample) in
//! hooks and callbacks.

use std::rc::Rc;

use election_core::{Input, MarkerKind};
use yew::prelude::*;

use crate::browser;
use crate::cluster::Cluster;
use crate::diagram::{self, Markers, SpaceTime};
use crate::help::Help;
use crate::lazy::LazyExtras;
use crate::panels::{AlgorithmPanel, Controls, EventLog, Inspector, Logs, Settings, Timeline};
use crate::share;
use crate::state::{Action, FrameCost, Lab, Pacer, SameEngine, is_shortcut};
use crate::tour::TourPanel;
use election_core::scenario::Show;

/// Builds the initial state from the URL: `?embed=1`, `?present=1` and `#s=...&t=...`.
fn initial_lab() -> Lab {
    let embed = browser::query_param("embed").is_some_and(|v| v == "1");
    let mut lab = Lab::opening(embed, share::decode(&browser::fragment()));
    lab.presenting = browser::query_param("present").is_some_and(|v| v == "1");
    lab
}

/// A callback that dispatches the action `make` builds from the event.
fn on<E: 'static>(lab: &UseReducerDispatcher<Lab>, make: impl Fn(E) -> Action + 'static) -> Callback<E> {
    let lab = lab.clone();
    Callback::from(move |e| lab.dispatch(make(e)))
}

/// The leader pill's text: the leader a majority follows, else how many nodes act as leader
/// (each algorithm's word for it).
pub fn leader_pill(algorithm: &str, leader: Option<election_core::NodeId>, believed: usize) -> String {
    let (one, many) = match algorithm {
        "Bully" => ("coordinator", "coordinators"),
        "Kafka" => ("controller", "controllers"),
        "KRaft" => ("active controller", "active controllers"),
        a if a.starts_with("Lease") => ("lock holder", "lock holders"),
        _ => ("leader", "leaders"),
    };
    match (leader, believed) {
        (_, 2..) => format!("{believed} {many}"),
        (Some(l), _) => format!("{one}: n{l}"),
        (None, _) => format!("no {one}"),
    }
}

/// The page's work in the last frame, for the clock's budget: when the tick was dispatched,
/// and how long it took until the render it caused was done.
#[derive(Default)]
struct FrameWork {
    tick_at: Option<f64>,
    work_ms: f64,
    throttled: bool,
}

/// Lines the event log shows while it is paced: about what its box shows; the hundred come
/// back when the run pauses or slows down.
const BUSY_ROWS: usize = 20;

/// What the paced panels were last drawn with (see [`Pacer`]), and for which session and
/// filter: a new session or filter is drawn at once.
#[derive(Default)]
struct Paced {
    pacer: Pacer,
    engine: Option<SameEngine>,
    show: Option<Show>,
    log: Vec<(usize, election_core::Micros)>,
    /// The diagram's cursor and the trace's length then.
    diagram: (election_core::Micros, usize),
}

/// The event log's lines: the last `rows` events the filter keeps, among the last `keep` (its
/// box shows about twenty; more only cost every frame), by index in the trace and time. The
/// log draws each event once, from the session.
fn log_tail(
    engine: &election_core::AnySession,
    show: Show,
    rows: usize,
) -> Vec<(usize, election_core::Micros)> {
    let t = engine.trace();
    let keep = if show == Show::All { rows } else { 4_000 };
    let from = t.len().saturating_sub(keep);
    let mut tail: Vec<(usize, election_core::Micros)> = t[from..]
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, ev)| show.keeps(ev))
        .take(rows)
        .map(|(i, ev)| (from + i, ev.t))
        .collect();
    tail.reverse();
    tail
}

/// The page's callbacks that only dispatch an action (made once, see [`App`]).
#[derive(Clone)]
struct Handlers {
    on_select: Callback<Option<election_core::NodeId>>,
    on_input: Callback<Input>,
    on_link: Callback<(election_core::NodeId, election_core::NodeId)>,
    on_seek: Callback<election_core::Micros>,
    on_speed: Callback<usize>,
    on_configure: Callback<election_core::SessionSpec>,
    on_log_show: Callback<Show>,
    on_load: Callback<election_core::SessionSpec>,
    on_network: Callback<election_core::NetConfig>,
    on_answer: Callback<(usize, String)>,
    on_error: Callback<String>,
    on_play: Callback<MouseEvent>,
    on_back: Callback<MouseEvent>,
    on_forward: Callback<MouseEvent>,
    on_dismiss: Callback<MouseEvent>,
    on_help: Callback<MouseEvent>,
}

/// The page.
#[component]
pub fn App() -> Html {
    let lab = use_reducer(initial_lab);

    // A shared link holding JSON: read it with the JSON worker now that the page runs.
    {
        let lab = lab.clone();
        use_effect_with((), move |_| {
            if let Some(shared) = lab.pending_link.clone() {
                yew::platform::spawn_local(async move {
                    let spec = crate::json_worker::read(shared.text).await;
                    lab.dispatch(Action::LinkRead(spec, shared.cursor));
                });
            }
        });
    }

    // The animation clock: a tick on every animation frame while the page is open. Each tick
    // may simulate a number of events that adapts to the page's work in the frames before (see
    // `next_budget`), so a frame's work stays near its budget whatever the traffic, and input
    // is always handled. The work is measured from the tick to the end of the render it causes.
    let work = use_mut_ref(FrameWork::default);
    {
        let dispatch = lab.dispatcher();
        let work = work.clone();
        use_effect_with((), move |_| {
            let mut last = browser::now_ms();
            let mut budget = crate::state::EVENTS_PER_TICK;
            let frames = browser::every_frame(move |_| {
                let now = browser::now_ms();
                let dt = now - last;
                last = now;
                // (Taken: a frame with nothing to render, paused, costs nothing.)
                let done = std::mem::take(&mut *work.borrow_mut());
                let cost = FrameCost { interval_ms: dt, work_ms: done.work_ms, throttled: done.throttled };
                budget = crate::state::next_budget(budget, cost);
                work.borrow_mut().tick_at = Some(now);
                dispatch.dispatch(Action::Tick(dt, budget));
            });
            move || drop(frames)
        });
    }
    {
        let (work, throttled) = (work.clone(), lab.throttled);
        use_effect(move || {
            let mut w = work.borrow_mut();
            if let Some(at) = w.tick_at.take() {
                w.work_ms = browser::now_ms() - at;
                w.throttled = throttled;
            }
        });
    }

    // Keyboard shortcuts, from anywhere on the page (the focus starts on the body): never
    // while typing in a field, and Space or Enter on a button presses the button.
    {
        let dispatch = lab.dispatcher();
        use_effect_with((), move |_| {
            let listener = browser::listen_keys(move |e: web_sys::KeyboardEvent| {
                let modified = e.ctrl_key() || e.alt_key() || e.meta_key();
                if e.default_prevented() || !is_shortcut(browser::focus_of(e.target()), &e.key(), modified) {
                    return;
                }
                let key = e.key();
                // Space and the arrows would also scroll the page.
                if matches!(key.as_str(), " " | "ArrowLeft" | "ArrowRight") {
                    e.prevent_default();
                }
                dispatch.dispatch(Action::Key(key));
            });
            move || drop(listener)
        });
    }

    let view = crate::state::SameView(Rc::new(lab.view()));
    // Markers change rarely (leader changes, actions, violations): copy them out of the
    // session only when the list changed, not on every frame.
    // (A new engine, from new settings or a tour, restarts the version: the key holds the
    // engine itself and compares it by identity.)
    let markers_key = (SameEngine(lab.engine.clone()), lab.engine.borrow().markers_version());
    let markers = use_memo(markers_key, |(engine, _)| engine.0.borrow().markers().to_vec());
    let (trace_hash, steps, horizon, trace_len) = {
        let e = lab.engine.borrow();
        (e.trace_hash(), e.steps(), e.horizon(), e.trace().len())
    };
    // The event log and the space-time diagram follow the run on every frame, or a few times a
    // second in a storm or at high speed (see `Lab::paced`): between two of their turns they
    // keep what they were last drawn with, and Yew leaves them alone.
    let (storm, pace) = (lab.storm(), lab.paced());
    let paced = use_mut_ref(Paced::default);
    let (log_events, diagram_at) = {
        let mut p = paced.borrow_mut();
        let engine = SameEngine(lab.engine.clone());
        let same = p.engine.as_ref() == Some(&engine) && p.show == Some(lab.log_show);
        let due = p.pacer.due(same && pace);
        if due[0] {
            p.log = log_tail(&lab.engine.borrow(), lab.log_show, if pace { BUSY_ROWS } else { 100 });
        }
        if due[1] {
            p.diagram = (view.now, trace_len);
        }
        (p.engine, p.show) = (Some(engine), Some(lab.log_show));
        (p.log.clone(), p.diagram)
    };
    // The tour panel follows the cursor only during a tour: without one it is the picker,
    // which every frame built again, all its tours' titles.
    let tour_now = if lab.tour.is_some() { view.now } else { 0 };
    // The markers' scale, stretched to the scrubber's end (see `diagram::marker_scale`).
    let marker_end = horizon.max(view.now).max(1);
    let marker_scale = diagram::marker_scale(marker_end);
    let marker_width = marker_scale as f64 / marker_end as f64 * 100.0;
    let first_violation = markers.iter().find(|m| m.kind == MarkerKind::Violation).map(|m| m.t);

    let d = lab.dispatcher();
    // Made once: a new callback is a changed prop, and re-rendered the settings, the controls
    // and the timeline markers on every frame of a run.
    let handlers = use_memo((), {
        let d = d.clone();
        move |_| Handlers {
            on_select: on(&d, Action::Select),
            on_input: on(&d, Action::Act),
            on_link: on(&d, |(a, b)| Action::ToggleLink(a, b)),
            on_seek: on(&d, Action::Seek),
            on_speed: on(&d, Action::SetSpeed),
            on_configure: on(&d, Action::Configure),
            on_log_show: on(&d, Action::LogShow),
            on_load: on(&d, Action::Load),
            on_network: on(&d, |net| Action::Act(Input::Network { net })),
            on_answer: on(&d, |(step, choice)| Action::Answer(step, choice)),
            on_error: on(&d, Action::Fail),
            on_play: on(&d, |_: MouseEvent| Action::TogglePlay),
            on_back: on(&d, |_: MouseEvent| Action::StepBack),
            on_forward: on(&d, |_: MouseEvent| Action::StepForward),
            on_dismiss: on(&d, |_: MouseEvent| Action::Dismiss),
            on_help: on(&d, |_: MouseEvent| Action::ToggleHelp),
        }
    });
    let Handlers {
        on_select,
        on_input,
        on_link,
        on_seek,
        on_speed,
        on_configure,
        on_log_show,
        on_load,
        on_network,
        on_answer,
        on_error,
        on_play,
        on_back,
        on_forward,
        on_dismiss,
        on_help,
    } = (*handlers).clone();
    let on_first_violation = first_violation.map(|t| on(&d, move |_: MouseEvent| Action::JumpTo(t)));
    let current_net = lab.engine.borrow().current_net();
    // (New only with a new session, like the handlers above.)
    let on_share = use_memo(SameEngine(lab.engine.clone()), {
        let d = d.clone();
        move |engine| {
            let engine = engine.0.clone();
            Callback::from(move |_| {
                let (spec, now) = {
                    let e = engine.borrow();
                    (e.spec(), e.now())
                };
                if let Some(url) = browser::set_fragment(&share::encode(&spec, now)) {
                    browser::copy_to_clipboard(&url);
                    d.dispatch(Action::Notify(
                        "Link copied (and put in the address bar): it reproduces this exact run.".into(),
                    ));
                }
            })
        }
    });

    // The tour recorder (extras/record.rs, a Yew app of its own) asks for the lab's run and its
    // moment through the hidden `#lab-snapshot` button: the run's share link goes in the
    // address bar, unannounced.
    let on_snapshot = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| {
            let e = lab.engine.borrow();
            browser::set_fragment(&share::encode(&e.spec(), e.now()));
        })
    };

    let on_save_session = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| {
            let script = election_core::scenario::spec_to_script(&lab.engine.borrow().spec());
            browser::download("leader-election-session.txt", "text/plain", &script);
        })
    };

    let on_export_trace = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| {
            let (script, cursor) = {
                let e = lab.engine.borrow();
                (election_core::scenario::spec_to_script(&e.spec()), e.now())
            };
            let lab = lab.clone();
            yew::platform::spawn_local(async move {
                match crate::json_worker::export(script, cursor).await {
                    Ok(json) => browser::download("leader-election-trace.json", "application/json", &json),
                    Err(e) => lab.dispatch(Action::Fail(format!("The trace could not be exported: {e}"))),
                }
            });
        })
    };
    let on_export_svg = Callback::from(move |_: MouseEvent| {
        if let Some(svg) = browser::cluster_svg() {
            browser::download("leader-election-cluster.svg", "image/svg+xml", &svg);
        }
    });
    let on_embed = {
        let lab = lab.clone();
        Callback::from(move |_: MouseEvent| {
            let (spec, now) = {
                let e = lab.engine.borrow();
                (e.spec(), e.now())
            };
            let Some(base) = browser::page_address() else { return };
            let snippet = format!(
                "<iframe src=\"{base}?embed=1#{}\" title=\"Leader Election Lab\" width=\"720\" height=\"640\" loading=\"lazy\" style=\"border:1px solid #ccc;border-radius:8px\"></iframe>",
                share::encode(&spec, now)
            );
            browser::copy_to_clipboard(&snippet);
            lab.dispatch(Action::Notify(
                "Embed snippet copied: paste it into a course page to show this run (720 × 640).".into(),
            ));
        })
    };
    let on_tour = use_memo((), {
        let lab = d.clone();
        move |_| {
            Callback::from(move |p: Option<String>| match p {
                // A tour of an algorithm this page leaves out starts in the full lab.
                Some(path) if crate::full::needed_by_tour(&path).is_some() => {
                    crate::full::open(&format!("tour={}", String::from(js_sys::encode_uri_component(&path))));
                }
                // Only the listed files are fetched (the picker offers nothing else).
                Some(path) if crate::scenarios::TOURS.iter().any(|t| t.0 == path) => {
                    lab.dispatch(Action::TourLoading(path.clone()));
                    let lab = lab.clone();
                    yew::platform::spawn_local(async move {
                        let text = browser::fetch_text(&format!("scenarios/{path}")).await;
                        lab.dispatch(Action::TourLoaded(path, text));
                    });
                }
                Some(path) => lab.dispatch(Action::Fail(format!("No scenario named {path}"))),
                None => lab.dispatch(Action::LeaveTour),
            })
        }
    });
    let on_present = use_memo((), {
        let d = d.clone();
        move |_| on(&d, Action::Present)
    });
    // The counterexample search and the drill (the extras module, a Yew app of its own) put
    // what they open in the address bar as a share link and click the hidden `#lab-open`
    // button: play it as a tour of its narration, at its moment. (A button, not an event
    // listener: the page already handles clicks, and a listener of a new kind costs bytes in
    // the first download.) A run of an algorithm this page leaves out opens in the full lab,
    // with `as=tour` so that it opens there the same way.
    let open_as_tour = {
        let d = d.clone();
        move |s: share::Shared| {
            if crate::full::needed_by(&s.text).is_some() {
                crate::full::open(&format!("{}&as=tour", browser::fragment().trim_start_matches('#')));
                return;
            }
            // A tour of no file: its path is empty, like the picker's "(free play)".
            d.dispatch(Action::TourLoading(String::new()));
            d.dispatch(Action::TourLoaded(String::new(), Ok(s.text)));
            d.dispatch(Action::JumpTo(s.cursor));
        }
    };
    let on_lab_open = {
        let open_as_tour = open_as_tour.clone();
        Callback::from(move |_: MouseEvent| {
            if let Ok(Some(s)) = share::decode(&browser::fragment()) {
                open_as_tour(s);
            }
        })
    };
    // A link to a tour (`#tour=<path>`, what the full lab opens with when a tour of its own is
    // picked in the page) starts it; a link with `as=tour` plays its script as a tour; a draft
    // tour opens the recorder.
    {
        let on_tour = on_tour.clone();
        use_effect_with((), move |_| {
            let fragment = browser::fragment();
            if let Some(path) = share::tour(&fragment) {
                on_tour.emit(Some(path));
            } else if share::param(&fragment, "as").as_deref() == Some("tour")
                && let Ok(Some(s)) = share::decode(&fragment)
            {
                open_as_tour(s);
            }
            // A tour being recorded goes on after a reload (the full lab loading for an
            // algorithm, or the author coming back): its recorder is in the on-demand module.
            if browser::stored(crate::extras::record::DRAFT_KEY).is_some_and(|d| !d.is_empty()) {
                browser::click("open-extras");
            }
        });
    }
    // The embedding API (embed_api.rs): when framed, the lab takes the framing page's commands
    // and tells it what happens. `nodes` is the cluster's size for checking `select`; `asked`
    // makes the next render report the state, as the API promises after each command. Whether
    // the page is framed is asked once, not on every frame.
    let framed = *use_memo((), |_| crate::embed_api::framed());
    let api_nodes = use_mut_ref(|| 0usize);
    let asked = use_mut_ref(|| false);
    *api_nodes.borrow_mut() = lab.base.nodes;
    {
        let (d, on_tour, nodes, asked) =
            (lab.dispatcher(), on_tour.clone(), api_nodes.clone(), asked.clone());
        use_effect_with((), move |_| {
            let listener = framed.then(|| {
                crate::embed_api::listen(
                    move || *nodes.borrow(),
                    move |command| {
                        *asked.borrow_mut() = true;
                        crate::embed_api::run(&d, &on_tour, command);
                    },
                )
            });
            crate::embed_api::post("ready", &format!("\"version\":{}", crate::embed_api::VERSION));
            move || drop(listener)
        });
    }
    let api_state = framed.then(|| crate::embed_api::ApiState::of(&lab, &view));
    {
        let (last, asked) = (use_mut_ref(|| None::<crate::embed_api::ApiState>), asked.clone());
        use_effect_with(api_state, move |now| {
            if let Some(now) = now {
                let before = last.borrow_mut().replace(now.clone());
                now.report(before.as_ref(), std::mem::take(&mut *asked.borrow_mut()));
            }
        });
    }
    // Kafka routes a write by its value: offer one button per partition (at most 4).
    let partitions = lab
        .base
        .config
        .settings()
        .fields()
        .iter()
        .find(|f| f.key == "partitions")
        .and_then(|f| f.value.parse::<u64>().ok());
    let writes: Vec<(Option<u64>, u64)> = match partitions {
        Some(parts) if parts > 0 => {
            (0..parts.min(4)).map(|q| (Some(q), lab.next_write_value(Some((q, parts))))).collect()
        }
        _ => vec![(None, lab.next_write_value(None))],
    };
    let leader = view.stable_leader;
    // Live nodes that believe they lead: two coordinators are a split brain, not "no leader".
    let believed = view
        .nodes
        .iter()
        .filter(|n| n.role.is_leader() && n.liveness != election_core::Liveness::Down)
        .count();
    let violations = view.violations;
    let class = classes!(
        "lab",
        lab.embed.then_some("embed"),
        lab.tour.is_some().then_some("touring"),
        lab.selected.is_some().then_some("inspecting"),
        lab.presenting.then_some("presenting")
    );
    // Embedded, the page links to the full lab with the same session and moment.
    let full_lab_href = if lab.embed {
        let e = lab.engine.borrow();
        format!("{}#{}", browser::page_address().unwrap_or_default(), share::encode(&e.spec(), e.now()))
    } else {
        String::new()
    };

    html! {
        <main class={class} tabindex="-1"
            data-trace-hash={format!("{trace_hash:016x}")} data-now={view.now.to_string()}
            data-steps={steps.to_string()} data-leader={leader.map(|l| l.to_string()).unwrap_or_default()}
            data-catching-up={lab.catching_up.map(|c| c.target.to_string())}>
            <header class="top">
                <h1>{"Leader Election Lab"}</h1>
                <p class="tagline">{format!("{}: {}", lab.base.algorithm().name(), lab.base.algorithm().tagline())}</p>
            </header>
            <div class="live" aria-live="polite" role="status">{lab.announcement.clone()}</div>
            if let Some(e) = &lab.error {
                <div class="banner error" role="alert">
                    <span class="text">{e.clone()}</span>
                    <button onclick={on_dismiss.clone()} aria-label="Dismiss the error">{"×"}</button>
                </div>
            }
            if let Some(c) = lab.catching_up {
                <div class="banner notice" role="status" data-testid="catching-up">
                    <span class="text">{format!(
                        "Replaying the shared run: {} of {}. Any control stops it where it is.",
                        election_core::engine::limits::human_time(view.now),
                        election_core::engine::limits::human_time(c.target)
                    )}</span>
                </div>
            }
            if let Some(n) = &lab.notice {
                <div class="banner notice" role="status">
                    <span class="text">{n.clone()}</span>
                    <button onclick={on_dismiss.clone()} aria-label="Dismiss the notice">{"×"}</button>
                </div>
            }
            <div class="columns">
                <div class="main-col">
                    <section class="stage">
                        <Cluster view={view.clone()} selected={lab.selected} on_select={on_select.clone()} on_link={on_link}
                            storm={storm} />
                        {crate::cluster::legend(&view)}
                        <div class="status-line">
                            <span class={classes!("pill", match (leader, believed) { (_, 2..) => "bad", (Some(_), _) => "ok", _ => "warn" })}
                                data-testid="leader-pill">{leader_pill(view.algorithm, leader, believed)}</span>
                            <span class={classes!("pill", if violations == 0 { "ok" } else { "bad" })} data-testid="invariants">
                                {match violations { 0 => "invariants hold".to_string(), 1 => "1 invariant violation".to_string(), n => format!("{n} invariant violations") }}
                            </span>
                            if storm {
                                <span class="pill warn" data-testid="throttled">
                                    {"slower than the chosen speed: too many messages"}</span>
                            }
                            if let Some(jump) = on_first_violation {
                                <button class="pill bad" onclick={jump} data-testid="first-violation">{"jump to the first violation (pauses)"}</button>
                            }
                            <span class="pill" title={view.message_counts.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", ")}>
                                {format!("{} messages", view.message_counts.iter().map(|(_, n)| n).sum::<u64>())}
                            </span>
                        </div>
                    </section>
                    <Controls playing={lab.playing} speed={lab.speed}
                        on_play={on_play.clone()} on_back={on_back} on_forward={on_forward} on_speed={on_speed} on_share={(*on_share).clone()} />
                    <div class="timeline-wrap">
                        <div class="markers" aria-label="Timeline markers">
                            <div class="marker-scale" style={format!("width: {}%", election_core::fixed(marker_width, 3))}>
                                <Markers markers={markers.clone()} scale={marker_scale} on_seek={on_seek.clone()} />
                            </div>
                        </div>
                        <Timeline now={view.now} horizon={horizon} on_seek={on_seek} />
                        <div class="exports">
                            <button onclick={on_save_session} data-testid="save-session"
                                title="The session as a scenario script: load it again, or put it in tests/scenarios">{"Save session (script)"}</button>
                            <button onclick={on_export_trace} data-testid="export-trace">{"Export trace (JSON)"}</button>
                            <button onclick={on_export_svg}>{"Export picture (SVG)"}</button>
                            <button onclick={on_embed} data-testid="embed">{"Copy embed snippet"}</button>
                            <button onclick={on_help.clone()} title="Keyboard shortcuts (?)" data-testid="keys" aria-keyshortcuts="?">{"Keys"}</button>
                        </div>
                    </div>
                    if lab.embed {
                        <p class="embed-hint" data-testid="embed-hint">
                            {"Click a node to crash or pause it, a line to cut the link. "}
                            <a href={full_lab_href.clone()} target="_blank" rel="noopener" data-testid="open-full">{"Open in the full lab ↗"}</a>
                        </p>
                    } else {
                        <div class="lower">
                            <AlgorithmPanel panel={view.panel.clone()} />
                            <SpaceTime engine={SameEngine(lab.engine.clone())} now={diagram_at.0} events={diagram_at.1} nodes={view.nodes.len()}
                                max_marks={if pace { diagram::BUSY_MARKS } else { diagram::MAX_EVENTS }} />
                            <Logs view={view.clone()} />
                        </div>
                        <EventLog engine={SameEngine(lab.engine.clone())} events={log_events} show={lab.log_show} on_show={on_log_show} />
                    }
                </div>
                <aside class="side">
                if !lab.embed || lab.tour.is_some() {
                    <TourPanel tour={lab.tour.clone()} now={tour_now} playing={lab.playing} answers={lab.answers.clone()}
                        presenting={lab.presenting} notes={lab.notes} on_present={(*on_present).clone()}
                        on_start={(*on_tour).clone()} on_play={on_play.clone()} on_answer={on_answer} />
                }
                    <Inspector view={view.clone()} selected={lab.selected} writes={writes} on_input={on_input} on_select={on_select} />
                    if !lab.embed {
                        <Settings base={lab.base.clone()} net={current_net} on_configure={on_configure} on_error={on_error.clone()}
                            on_network={on_network} on_load={on_load} />
                    }
                </aside>
            </div>
            if !lab.embed {
                <LazyExtras />
            }
            <button id="lab-open" hidden=true onclick={on_lab_open}></button>
            <button id="lab-snapshot" hidden=true onclick={on_snapshot}></button>
            if lab.help {
                <Help on_close={on_help} />
            }
        </main>
    }
}
