//! The page's top component, [`App`]: it lays out the panels over the lab's state
//! (`state.rs`), turns their events into actions, and runs the browser effects (the clock, the
//! share link, exports, fetching a tour, reading a JSON link) in hooks and callbacks.

use std::cell::RefCell;
use std::rc::Rc;

use election_core::{Input, MarkerKind, TraceEvent, TraceKind};
use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;
use crate::cluster::Cluster;
use crate::diagram::{self, Markers, SpaceTime};
use crate::help::Help;
use crate::lazy::LazyExtras;
use crate::panels::{AlgorithmPanel, Controls, EventLog, Inspector, Logs, Settings, Timeline};
use crate::share;
use crate::state::{Action, Lab, SameEngine};
use crate::tour::TourPanel;
use election_core::scenario::Show;

/// Builds the initial state from the URL: `?embed=1` and `#s=...&t=...`.
fn initial_lab() -> Lab {
    let embed = browser::query_param("embed").is_some_and(|v| v == "1");
    Lab::opening(embed, share::decode(&browser::fragment()))
}

/// A callback that dispatches the action `make` builds from the event.
fn on<E: 'static>(lab: &UseReducerDispatcher<Lab>, make: impl Fn(E) -> Action + 'static) -> Callback<E> {
    let lab = lab.clone();
    Callback::from(move |e| lab.dispatch(make(e)))
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

    // The animation clock: a tick every 16 ms while the page is open.
    {
        let dispatch = lab.dispatcher();
        use_effect_with((), move |_| {
            let last = Rc::new(RefCell::new(browser::now_ms()));
            let interval = Interval::new(16, move || {
                let now = browser::now_ms();
                let dt = now - *last.borrow();
                *last.borrow_mut() = now;
                dispatch.dispatch(Action::Tick(dt));
            });
            move || drop(interval)
        });
    }

    let on_key = {
        let lab = lab.clone();
        Callback::from(move |e: KeyboardEvent| {
            // Keys typed into a field are the field's.
            if e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).is_some() {
                return;
            }
            let key = e.key();
            // Space would also scroll the page.
            if key == " " {
                e.prevent_default();
            }
            if let Some(action) = lab.key_action(&key) {
                lab.dispatch(action);
            }
        })
    };

    let view = lab.view();
    // Markers change rarely (leader changes, actions, violations): copy them out of the
    // session only when the list changed, not on every frame.
    // (A new engine, from new settings or a tour, restarts the version: the key holds the
    // engine itself and compares it by identity.)
    let markers_key = (SameEngine(lab.engine.clone()), lab.engine.borrow().markers_version());
    let markers = use_memo(markers_key, |(engine, _)| engine.0.borrow().markers().to_vec());
    let (trace_hash, steps, horizon, trace, recent) = {
        let e = lab.engine.borrow();
        let t = e.trace();
        let window_start = e.now().saturating_sub(diagram::WINDOW_US);
        // Only what the space-time diagram draws (not heartbeats): cloning every event of the
        // window each frame cost milliseconds at 15 nodes.
        let recent: Vec<TraceEvent> = t
            .iter()
            .rev()
            .take_while(|ev| ev.t >= window_start)
            .filter(|ev| {
                !ev.kind.is_heartbeat()
                    && matches!(
                        ev.kind,
                        TraceKind::Send { .. }
                            | TraceKind::Drop { .. }
                            | TraceKind::Role { .. }
                            | TraceKind::Input { .. }
                    )
            })
            .take(2_000)
            .cloned()
            .collect();
        // The event log: the last 200 events the filter keeps, among the last `keep`.
        let keep = if lab.log_show == Show::All { 200 } else { 4_000 };
        let mut tail: Vec<TraceEvent> = t[t.len().saturating_sub(keep)..]
            .iter()
            .rev()
            .filter(|ev| lab.log_show.keeps(ev))
            .take(200)
            .cloned()
            .collect();
        tail.reverse();
        (e.trace_hash(), e.steps(), e.horizon(), tail, recent)
    };
    let first_violation = markers.iter().find(|m| m.kind == MarkerKind::Violation).map(|m| m.t);

    let d = lab.dispatcher();
    let on_select = on(&d, Action::Select);
    let on_input = on(&d, Action::Act);
    let on_link = on(&d, |(a, b)| Action::ToggleLink(a, b));
    let on_seek = on(&d, Action::Seek);
    let on_speed = on(&d, Action::SetSpeed);
    let on_configure = on(&d, Action::Configure);
    let on_log_show = on(&d, Action::LogShow);
    let on_load = on(&d, Action::Load);
    let on_network = on(&d, |net| Action::Act(Input::Network { net }));
    let on_answer = on(&d, |(step, choice)| Action::Answer(step, choice));
    let on_error = on(&d, Action::Fail);
    let on_play = on(&d, |_: MouseEvent| Action::TogglePlay);
    let on_back = on(&d, |_: MouseEvent| Action::StepBack);
    let on_forward = on(&d, |_: MouseEvent| Action::StepForward);
    let on_dismiss = on(&d, |_: MouseEvent| Action::Dismiss);
    let on_help = on(&d, |_: MouseEvent| Action::ToggleHelp);
    let on_first_violation = first_violation.map(|t| on(&d, move |_: MouseEvent| Action::Seek(t)));
    let current_net = lab.engine.borrow().current_net();
    let on_share = {
        let lab = lab.clone();
        Callback::from(move |_| {
            let (spec, now) = {
                let e = lab.engine.borrow();
                (e.spec(), e.now())
            };
            if let Some(url) = browser::set_fragment(&share::encode(&spec, now)) {
                browser::copy_to_clipboard(&url);
                lab.dispatch(Action::Notify(
                    "Link copied (and put in the address bar): it reproduces this exact run.".into(),
                ));
            }
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
            let e = lab.engine.borrow();
            browser::download("leader-election-trace.json", "application/json", &e.export_json());
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
            lab.dispatch(Action::Notify(format!("Embed snippet copied: {snippet}")));
        })
    };
    let on_tour = {
        let lab = lab.clone();
        Callback::from(move |p: Option<String>| match p {
            // Only the listed files are fetched (the picker offers nothing else).
            Some(path) if crate::scenarios::TOURS.iter().any(|(p, _)| *p == path) => {
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
    };
    let leader = view.stable_leader;
    let violations = view.violations;
    let class = if lab.embed { "lab embed" } else { "lab" };

    html! {
        <main class={class} tabindex="0" onkeydown={on_key}
            data-trace-hash={format!("{trace_hash:016x}")} data-now={view.now.to_string()}
            data-steps={steps.to_string()} data-leader={leader.map(|l| l.to_string()).unwrap_or_default()}>
            <header class="top">
                <h1>{"Leader Election Lab"}</h1>
                <p class="tagline">{format!("{}: {}", lab.base.algorithm().name(), lab.base.algorithm().tagline())}</p>
            </header>
            <div class="live" aria-live="polite" role="status">{lab.announcement.clone()}</div>
            if let Some(e) = &lab.error {
                <div class="banner error" role="alert">
                    <span>{e.clone()}</span>
                    <button onclick={on_dismiss.clone()} aria-label="Dismiss message">{"×"}</button>
                </div>
            }
            if let Some(n) = &lab.notice {
                <div class="banner notice" role="status">
                    <span>{n.clone()}</span>
                    <button onclick={on_dismiss.clone()} aria-label="Dismiss message">{"×"}</button>
                </div>
            }
            if !lab.embed || lab.tour.is_some() {
                <TourPanel tour={lab.tour.clone()} now={view.now} playing={lab.playing} answers={lab.answers.clone()}
                    on_start={on_tour.clone()} on_play={on_play.clone()} on_answer={on_answer} />
            }
            <section class="stage">
                <Cluster view={view.clone()} selected={lab.selected} on_select={on_select.clone()} on_link={on_link} />
                <div class="status-line">
                    <span class={classes!("pill", if leader.is_some() { "ok" } else { "warn" })}>
                        {match leader { Some(l) => format!("leader: n{l}"), None => "no leader".to_string() }}
                    </span>
                    <span class={classes!("pill", if violations == 0 { "ok" } else { "bad" })} data-testid="invariants">
                        {if violations == 0 { "invariants hold".to_string() } else { format!("{violations} invariant violation(s)") }}
                    </span>
                    if let Some(jump) = on_first_violation {
                        <button class="pill bad" onclick={jump} data-testid="first-violation">{"jump to the first violation"}</button>
                    }
                    <span class="pill" title={view.message_counts.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", ")}>
                        {format!("{} messages", view.message_counts.iter().map(|(_, n)| n).sum::<u64>())}
                    </span>
                </div>
            </section>
            <Controls playing={lab.playing} speed={lab.speed}
                on_play={on_play} on_back={on_back} on_forward={on_forward} on_speed={on_speed} on_share={on_share} />
            <div class="timeline-wrap">
                <Markers markers={markers.clone()} horizon={horizon.max(view.now)} on_seek={on_seek.clone()} />
                <Timeline now={view.now} horizon={horizon} on_seek={on_seek} />
                <div class="exports">
                    <button onclick={on_save_session} data-testid="save-session"
                        title="The session as a scenario script: load it again, or put it in tests/scenarios">{"Save session (script)"}</button>
                    <button onclick={on_export_trace} data-testid="export-trace">{"Export trace (JSON)"}</button>
                    <button onclick={on_export_svg}>{"Export picture (SVG)"}</button>
                    <button onclick={on_embed} data-testid="embed">{"Copy embed snippet"}</button>
                    <button onclick={on_help.clone()} aria-label="Keyboard shortcuts">{"? Keys"}</button>
                </div>
            </div>
            <aside class="side">
                <Inspector view={view.clone()} selected={lab.selected} on_input={on_input} on_select={on_select} />
                if !lab.embed {
                    <Settings base={lab.base.clone()} net={current_net} on_configure={on_configure} on_error={on_error.clone()}
                        on_network={on_network} on_load={on_load} />
                }
            </aside>
            <div class="lower">
                <AlgorithmPanel panel={view.panel.clone()} />
                <SpaceTime events={recent} now={view.now} nodes={view.nodes.len()} />
                <Logs view={view.clone()} />
            </div>
            <EventLog events={trace} show={lab.log_show} on_show={on_log_show} />
            if !lab.embed {
                <LazyExtras />
            }
            if lab.help {
                <Help on_close={on_help} />
            }
        </main>
    }
}
