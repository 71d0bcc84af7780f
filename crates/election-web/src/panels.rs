//! Panels around the picture: controls, timeline, inspector, settings, logs, event log.

use election_core::algorithms::{ON_DEMAND, on_demand};
use election_core::clock::{ClockConfig, MAX_DRIFT_PPM};
use election_core::scenario::{Show, net_args};
use election_core::settings::FieldKind;
use election_core::{
    Algorithm, Input, Liveness, MAX_NODES, Micros, NetConfig, NodeId, Request, SessionSpec, TraceEvent,
    fmt_time, ms,
};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::fields::draft;
use crate::messages::MAX_MS;
use crate::state::SPEEDS;

fn input_value(e: &Event) -> String {
    e.target()
        .and_then(|t| {
            t.clone()
                .dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|_| t.dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value()))
                .ok()
        })
        .unwrap_or_default()
}

fn input_checked(e: &Event) -> bool {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub playing: bool,
    pub speed: usize,
    pub on_play: Callback<MouseEvent>,
    pub on_back: Callback<MouseEvent>,
    pub on_forward: Callback<MouseEvent>,
    pub on_speed: Callback<usize>,
    pub on_share: Callback<MouseEvent>,
}

/// Play/pause, step, speed, share.
#[component]
pub fn Controls(p: &ControlsProps) -> Html {
    let on_speed = {
        let cb = p.on_speed.clone();
        Callback::from(move |e: Event| {
            if let Ok(i) = input_value(&e).parse::<usize>() {
                cb.emit(i);
            }
        })
    };
    html! {
        <nav class="controls" aria-label="Playback">
            <button onclick={p.on_back.clone()} title="Step back one event (←)" aria-keyshortcuts="ArrowLeft">
                <span aria-hidden="true">{"‹ "}</span>{"Back"}</button>
            <button class="play" onclick={p.on_play.clone()} data-testid="play" aria-keyshortcuts="Space"
                title={if p.playing { "Pause the run (Space)" } else { "Play the run (Space)" }}>
                {if p.playing { "Pause" } else { "Play" }}
            </button>
            <button onclick={p.on_forward.clone()} title="Step forward one event (→)" aria-keyshortcuts="ArrowRight">
                {"Next"}<span aria-hidden="true">{" ›"}</span></button>
            <label class="speed">{"Speed "}
                <select onchange={on_speed} aria-label="Simulation speed">
                    { for SPEEDS.iter().enumerate().map(|(i, (name, _))| html! {
                        <option value={i.to_string()} selected={i == p.speed}>{*name}</option>
                    }) }
                </select>
            </label>
            <button onclick={p.on_share.clone()} data-testid="share" title="Copy a link that reproduces this run">{"Share link"}</button>
        </nav>
    }
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub now: Micros,
    pub horizon: Micros,
    pub on_seek: Callback<Micros>,
}

/// The scrubber over the recorded run.
#[component]
pub fn Timeline(p: &TimelineProps) -> Html {
    let on_input = {
        let cb = p.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let e: Event = e.into();
            if let Ok(t) = input_value(&e).parse::<u64>() {
                cb.emit(t * 1_000);
            }
        })
    };
    let max_ms = p.horizon.max(p.now) / 1_000;
    html! {
        <div class="timeline">
            <label for="scrubber">{format!("t = {}", fmt_time(p.now))}</label>
            <input id="scrubber" type="range" min="0" max={max_ms.to_string()} step="1"
                value={(p.now / 1_000).to_string()} oninput={on_input}
                aria-label="Time: drag to travel back and forth through the recorded run"
                aria-valuetext={fmt_time(p.now)} />
            <span class="horizon">{format!("recorded: {}", fmt_time(p.horizon))}</span>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub view: crate::state::SameView,
    pub selected: Option<NodeId>,
    /// The client writes offered: (Kafka partition, value). A value is fixed until it is
    /// written, so the label is what the button writes.
    pub writes: Vec<(Option<u64>, u64)>,
    pub on_input: Callback<Input>,
    pub on_select: Callback<Option<NodeId>>,
}

/// The selected node's full state and the actions on it.
#[component]
pub fn Inspector(p: &InspectorProps) -> Html {
    let Some(node) = p.selected.and_then(|id| p.view.nodes.get(usize::from(id) - 1)) else {
        return Html::from_html_unchecked(AttrValue::Static(
            "<section class=\"inspector empty\" aria-label=\"Node inspector\"><h2>Node inspector</h2>\
<p>Click a node (or press its number key) to see its state and to crash, pause or restart it.</p></section>",
        ));
    };
    let id = node.id;
    let act = |input: Input| act_on(&p.on_input, input);
    let opt = |o: Option<NodeId>| o.map_or("none".to_string(), |x| format!("n{x}"));
    let down = node.liveness == Liveness::Down;
    let paused = node.liveness == Liveness::Paused;
    let others: Vec<NodeId> = p.view.nodes.iter().map(|n| n.id).filter(|&n| n != id).collect();
    let close = {
        let cb = p.on_select.clone();
        Callback::from(move |_| cb.emit(None))
    };
    html! {
        <section class="inspector" aria-label={format!("Node n{id}")}>
            <h2>{format!("Node n{id}")} <button class="close" onclick={close} aria-label="Close the inspector" title="Close (Esc)">{"×"}</button></h2>
            <dl>
                <dt>{"state"}</dt><dd>{match node.liveness { Liveness::Up => "running", Liveness::Down => "crashed", Liveness::Paused => "paused (GC stall)" }}</dd>
                // A service (lock service, storage) has no role in the election.
                <dt>{"role"}</dt><dd>{if crate::cluster::is_service(node) { "a service, not a contender".to_string() } else { node.role.to_string() }}</dd>
                if let Some(label) = p.view.term_label {
                    <dt>{label}</dt><dd>{node.term}</dd>
                }
                if node.voted_for.is_some() {
                    <dt>{"voted for"}</dt><dd>{opt(node.voted_for)}</dd>
                }
                if !node.tag.is_empty() {
                    <dt>{"is"}</dt><dd>{node.tag.clone()}</dd>
                }
                <dt>{"believes leader is"}</dt><dd>{opt(node.leader)}</dd>
                if !node.votes.is_empty() {
                    <dt>{"votes received"}</dt>
                    <dd>{node.votes.iter().map(|v| format!("n{v}")).collect::<Vec<_>>().join(", ")}</dd>
                }
                if let Some(d) = node.timer_deadline {
                    <dt>{"timer"}</dt><dd>{format!("fires at {}", fmt_time(d))}</dd>
                }
                { for node.details.iter().map(|(k, v)| html! { <><dt>{k.clone()}</dt><dd>{v.clone()}</dd></> }) }
            </dl>
            <div class="actions" role="group" aria-label={format!("Actions on n{id}")}>
                if down {
                    <button onclick={act(Input::Restart { node: id })} data-action="restart">{"Restart"}</button>
                } else {
                    <button onclick={act(Input::Crash { node: id })} data-action="crash">{"Crash"}</button>
                }
                if paused {
                    <button onclick={act(Input::Resume { node: id })} data-action="resume">{format!("Resume n{id}")}</button>
                } else if !down {
                    <button onclick={act(Input::Pause { node: id, for_us: None })} data-action="pause"
                        title="Stall the process like a long GC pause: timers freeze, messages queue">{format!("Pause n{id}")}</button>
                    <button onclick={act(Input::Pause { node: id, for_us: Some(ms(500)) })} data-action="pause-500">{format!("Pause n{id} 500 ms")}</button>
                }
                <button onclick={act(Input::Request { node: id, request: Request::Timeout })} data-action="timeout"
                    disabled={down || paused}>{"Force timeout"}</button>
                { for p.writes.iter().map(|&(partition, value)| html! {
                    <button onclick={act(Input::Request { node: id, request: Request::ClientWrite { value } })}
                        data-action={partition.map_or("write".to_string(), |q| format!("write-p{q}"))} disabled={down || paused}>
                        {match partition { Some(q) => format!("Write x={value} to p{q}"), None => format!("Client write x={value}") }}</button>
                }) }
                <button onclick={act(Input::Isolate { node: id })} data-action="isolate">{"Isolate"}</button>
                <button onclick={act(Input::ClockJump { node: id, by_us: 1_000_000 })} data-action="jump"
                    title="The node's clock jumps 1 s ahead (an NTP step): its timers and the times it compares follow">{"Clock +1 s"}</button>
            </div>
            if node.role.is_leader() && !down && p.view.supports_transfer {
                <div class="actions" role="group" aria-label="Transfer leadership">
                    <span>{"Transfer leadership to "}</span>
                    { for others.iter().map(|&o| html! {
                        <button onclick={act(Input::Request { node: id, request: Request::TransferLeadership { to: o } })}
                            data-action={format!("transfer-{o}")} aria-label={format!("Transfer leadership to n{o}")}>{format!("n{o}")}</button>
                    }) }
                </div>
            }
            <div class="actions" role="group" aria-label="Network">
                <button onclick={act(Input::HealAll)} data-action="heal-all">{"Heal all links"}</button>
            </div>
            <details class="one-way">
                <summary>{format!("Links of n{id}, one direction at a time")}</summary>
                <table>
                    <tbody>
                    { for others.iter().map(|&o| {
                        let is_cut = |from: NodeId, to: NodeId| p.view.links.iter().any(|l| l.from == from && l.to == to);
                        let button = |from: NodeId, to: NodeId| {
                            let cut = is_cut(from, to);
                            let input = if cut { Input::Heal { from, to, both: false } } else { Input::Cut { from, to, both: false } };
                            html! {
                                <button onclick={act(input)} data-action={format!("{}-{from}-{to}", if cut { "heal" } else { "cut" })}>
                                    {format!("{} n{from}→n{to}", if cut { "heal" } else { "cut" })}</button>
                            }
                        };
                        html! { <tr><td>{button(id, o)}</td><td>{button(o, id)}</td></tr> }
                    }) }
                    </tbody>
                </table>
            </details>
            <PartitionTool nodes={p.view.nodes.len()} selected={id} on_input={p.on_input.clone()} />
        </section>
    }
}

/// A click handler that applies `input` (one function for every button of the inspector:
/// inlined at each button it cost the first download kilobytes).
#[inline(never)]
fn act_on(on_input: &Callback<Input>, input: Input) -> Callback<MouseEvent> {
    let cb = on_input.clone();
    Callback::from(move |_: MouseEvent| cb.emit(input.clone()))
}

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub base: SessionSpec,
    /// The network settings in force now (they change mid-run, as recorded inputs).
    pub net: NetConfig,
    pub on_configure: Callback<SessionSpec>,
    pub on_error: Callback<String>,
    pub on_network: Callback<NetConfig>,
    pub on_load: Callback<SessionSpec>,
}

/// Algorithm, cluster size, seed, the algorithm's own settings and the network. Changing
/// any of them starts a new run.
#[component]
pub fn Settings(p: &SettingsProps) -> Html {
    let base = p.base.clone();
    let algorithm = base.algorithm();
    let on_algorithm = {
        let (base, cb) = (base.clone(), p.on_configure.clone());
        Callback::from(move |e: Event| {
            let id = input_value(&e);
            if let Ok(a) = id.parse::<Algorithm>() {
                let nodes = base.nodes.max(a.min_nodes());
                cb.emit(SessionSpec { net: base.net.clone(), ..SessionSpec::new(a, nodes, base.seed) });
            } else if let Some(a) = on_demand(&id) {
                // The full lab has it: open the same cluster and network there (see full.rs).
                let nodes = base.nodes.max(a.min_nodes);
                let script = format!(
                    "config algo={} nodes={nodes} seed={} {}\n",
                    a.id,
                    base.seed,
                    net_args(&base.net)
                );
                crate::full::open_playing(&script);
            }
        })
    };
    let new_seed = {
        let (base, cb) = (base.clone(), p.on_configure.clone());
        Callback::from(move |_: MouseEvent| {
            let mut bytes = [0u8; 4];
            let seed = if getrandom::fill(&mut bytes).is_ok() {
                u64::from(u32::from_le_bytes(bytes))
            } else {
                base.seed + 1
            };
            cb.emit(SessionSpec { seed, ..base.clone() });
        })
    };
    let net = p.net.clone();
    let net_edit = |f: fn(&mut NetConfig, &str)| {
        let (net, cb) = (p.net.clone(), p.on_network.clone());
        Callback::from(move |v: String| {
            let mut n = net.clone();
            f(&mut n, &v);
            cb.emit(n);
        })
    };
    let import_ref = use_node_ref();
    let on_import = {
        let (r, load, err) = (import_ref.clone(), p.on_load.clone(), p.on_error.clone());
        Callback::from(move |_: MouseEvent| {
            let text = r.cast::<web_sys::HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default();
            // A session of an algorithm this page leaves out opens in the full lab.
            if crate::full::needed_by(&text).is_some() {
                crate::full::open_playing(&text);
                return;
            }
            let (load, err) = (load.clone(), err.clone());
            yew::platform::spawn_local(async move {
                match crate::json_worker::read(text).await {
                    Ok(spec) => load.emit(spec),
                    Err(e) => err.emit(format!("That session could not be loaded: {e}")),
                }
            });
        })
    };
    let fields = base.config.settings().fields();
    // The production value of each field, shown beside it (the sources are listed with the
    // comparison, which runs every algorithm with them).
    let production = algorithm.production_config();
    let production_fields = production.as_ref().map(|c| c.settings().fields()).unwrap_or_default();
    let preset = |config: Option<election_core::AlgorithmConfig>| {
        let (base, cb) = (base.clone(), p.on_configure.clone());
        config.map(|config| {
            Callback::from(move |_: MouseEvent| {
                cb.emit(SessionSpec { config: config.clone(), ..base.clone() })
            })
        })
    };
    let on_production = preset(production.clone());
    let on_classroom = preset(Some(algorithm.default_config()));
    let field_html = fields.into_iter().map(|field| {
        let key = field.key;
        let label = field.label;
        let prod = production_fields.iter().find(|f| f.key == key).map(|f| html! {
            <small class="prod" data-production={key}>{format!("production: {}", f.value)}</small>
        });
        let (base, cb, err) = (base.clone(), p.on_configure.clone(), p.on_error.clone());
        let kind = field.kind;
        let apply = move |text: String| {
            let value = match kind {
                FieldKind::Toggle => Ok(text),
                FieldKind::Millis => crate::messages::millis(label, &text).map(|v| format!("{v}ms")),
                FieldKind::MillisRange => crate::messages::millis_range(label, &text),
                FieldKind::Number => crate::messages::count(label, &text),
            };
            let mut spec = base.clone();
            match value.and_then(|v| spec.config.settings_mut().set(key, &v).map_err(|e| format!("{label}: {e}."))) {
                Ok(()) => cb.emit(spec),
                Err(e) => err.emit(e),
            }
        };
        match field.kind {
            FieldKind::Toggle => {
                let onchange = Callback::from(move |e: Event| apply(if input_checked(&e) { "on" } else { "off" }.to_string()));
                html! {
                    <><label class="toggle"><input type="checkbox" checked={field.value == "on"} onchange={onchange} data-setting={key} />
                        {format!(" {}", field.label)}</label>{prod}</>
                }
            }
            FieldKind::Millis => html! {
                <><label>{format!("{} (ms) ", field.label)}
                    {draft("number", field.value.trim_end_matches("ms").to_string(), Some(("1".into(), MAX_MS.to_string())), key, None, Callback::from(apply))}
                </label>{prod}</>
            },
            FieldKind::MillisRange => html! {
                <><label>{format!("{} (ms) ", field.label)}
                    {draft("text", field.value.trim_end_matches("ms").to_string(), None, key,
                        Some(format!("{} (ms), written like 150..300", field.label)), Callback::from(apply))}
                </label>{prod}</>
            },
            FieldKind::Number => html! {
                <><label>{format!("{} ", field.label)}
                    {draft("number", field.value.clone(), Some(("0".into(), "100000".into())), key, None, Callback::from(apply))}
                </label>{prod}</>
            },
        }
    }).collect::<Html>();
    let on_nodes = {
        let (base, cb) = (base.clone(), p.on_configure.clone());
        Callback::from(move |v: String| {
            if let Ok(nodes) = v.parse() {
                cb.emit(SessionSpec { nodes, ..base.clone() });
            }
        })
    };
    let on_seed = {
        let (base, cb, err) = (base.clone(), p.on_configure.clone(), p.on_error.clone());
        Callback::from(move |v: String| match crate::messages::seed(&v) {
            Ok(seed) => cb.emit(SessionSpec { seed, ..base.clone() }),
            Err(e) => err.emit(e),
        })
    };
    let on_drift = {
        let (base, cb, err) = (base.clone(), p.on_configure.clone(), p.on_error.clone());
        Callback::from(move |v: String| match crate::messages::drift(&v) {
            Ok(drift_ppm) => cb.emit(SessionSpec { clocks: ClockConfig { drift_ppm }, ..base.clone() }),
            Err(e) => err.emit(e),
        })
    };
    // The draft fields show the applied values whenever these change (see fields.rs).
    let section = use_node_ref();
    {
        let section = section.clone();
        use_effect_with((p.base.clone(), p.net.clone()), move |_| crate::fields::sync(&section));
    }
    html! {
        <section class="settings" aria-label="Settings" ref={section}>
            <h2>{"Settings"}</h2>
            <p class="hint">{"Changing a setting starts a new run."}</p>
            <label>{"Algorithm "}
                <select aria-label="Algorithm" onchange={on_algorithm} data-testid="algorithm">
                    { for Algorithm::ALL.iter().map(|a| html! {
                        <option value={a.id()} selected={*a == algorithm}>{a.name()}</option>
                    }) }
                    { for ON_DEMAND.iter().map(|a| html! {
                        <option value={a.id}>{format!("{} (loads on demand)", a.name)}</option>
                    }) }
                </select>
            </label>
            <label>{format!("Nodes: {}", base.nodes)}
                {draft("range", base.nodes.to_string(), Some((algorithm.min_nodes().to_string(), MAX_NODES.to_string())), "nodes", None, on_nodes)}
            </label>
            <label>{"Seed "}
                {draft("number", base.seed.to_string(), Some(("0".into(), u64::MAX.to_string())), "seed", None, on_seed)}
            </label>
            <button onclick={new_seed}>{"New seed"}</button>
            <label>{"Clock drift (ppm) "}
                {draft("number", base.clocks.drift_ppm.to_string(), Some(("0".into(), MAX_DRIFT_PPM.to_string())), "drift", None, on_drift)}
            </label>
            <fieldset>
                <legend>{algorithm.name()}</legend>
                if let (Some(prod), Some(classroom)) = (on_production, on_classroom) {
                    <p class="presets">{"Timings: "}
                        <button onclick={classroom} data-testid="preset-classroom">{"Classroom"}</button>
                        <button onclick={prod} data-testid="preset-production">{"Production defaults"}</button>
                    </p>
                }
                {field_html}
            </fieldset>
            <fieldset>
                <legend>{"Network (changes apply now, as a recorded action)"}</legend>
                <label>{format!("Latency: {}–{}", fmt_time(net.latency_us_min), fmt_time(net.latency_us_max))}
                    {draft("range", (net.latency_us_max / 1_000).to_string(), Some(("1".into(), "200".into())), "latency", None,
                        net_edit(|n, v| { let hi = v.parse::<u64>().unwrap_or(15).clamp(1, 200) * 1_000; n.latency_us_max = hi; n.latency_us_min = (hi * 2 / 3).max(1_000).min(hi); }))}
                </label>
                <label>{format!("Loss: {}%", net.loss_ppm / 10_000)}
                    {draft("range", (net.loss_ppm / 10_000).to_string(), Some(("0".into(), "50".into())), "loss", None,
                        net_edit(|n, v| n.loss_ppm = v.parse::<u32>().unwrap_or(0).min(100) * 10_000))}
                </label>
                <label>{format!("Duplication: {}%", net.duplicate_ppm / 10_000)}
                    {draft("range", (net.duplicate_ppm / 10_000).to_string(), Some(("0".into(), "20".into())), "duplicate", None,
                        net_edit(|n, v| n.duplicate_ppm = v.parse::<u32>().unwrap_or(0).min(100) * 10_000))}
                </label>
            </fieldset>
            <details class="import">
                <summary>{"Load a session (scenario script or JSON)"}</summary>
                <textarea ref={import_ref.clone()} rows="4" aria-label="Session: a scenario script (as saved or in tests/scenarios) or JSON (as exported)"
                    placeholder={"config algo=raft nodes=5 seed=1\nrun until=500ms\ncrash n3"} />
                <button onclick={on_import} data-testid="import">{"Load"}</button>
            </details>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub panel: Option<election_core::Panel>,
}

/// The algorithm's own table (Kafka partitions, storage writes), if it has one.
#[component]
pub fn AlgorithmPanel(p: &PanelProps) -> Html {
    let Some(panel) = &p.panel else { return html! {} };
    let marks = row_marks(panel);
    html! {
        <section class="algo-panel" aria-label={panel.title.clone()}>
            <h2>{panel.title.clone()}</h2>
            <table>
                <thead><tr>{ for panel.columns.iter().map(|c| html! { <th scope="col">{c.clone()}</th> }) }</tr></thead>
                <tbody>
                { for panel.rows.iter().zip(marks).map(|(r, mark)| html! {
                    <tr class={classes!(mark)}>
                        { for r.iter().map(|c| html! { <td>{c.clone()}</td> }) }</tr>
                }) }
                </tbody>
            </table>
        </section>
    }
}

/// Rows of the storage's write table to highlight: "rejected" ones, and "stale" ones (accepted
/// with a token lower than one accepted before, which happens without fencing). Rows are
/// newest first; other tables get no marks.
pub fn row_marks(panel: &election_core::Panel) -> Vec<Option<&'static str>> {
    let col = |name: &str| panel.columns.iter().position(|c| c == name);
    let (Some(token), Some(result)) = (col("token"), col("result")) else {
        return vec![None; panel.rows.len()];
    };
    let mut highest = 0u64;
    let mut marks: Vec<Option<&'static str>> = panel
        .rows
        .iter()
        .rev()
        .map(|r| {
            let t = r.get(token).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
            let accepted = r.get(result).is_some_and(|c| c.starts_with("accepted"));
            let mark = if !accepted {
                Some("rejected")
            } else if t < highest {
                Some("stale")
            } else {
                None
            };
            if accepted {
                highest = highest.max(t);
            }
            mark
        })
        .collect();
    marks.reverse();
    marks
}

#[derive(Properties, PartialEq)]
pub struct LogsProps {
    pub view: crate::state::SameView,
}

/// Every node's replicated log, committed entries solid.
#[component]
pub fn Logs(p: &LogsProps) -> Html {
    if p.view.nodes.iter().all(|n| n.log.is_empty()) {
        return html! {};
    }
    html! {
        <section class="logs" aria-label="Replicated logs">
            <h2>{"Logs"}</h2>
            <table>
                <tbody>
                { for p.view.nodes.iter().map(|n| {
                    let skip = n.log.len().saturating_sub(16);
                    html! {
                        <tr class={classes!((n.liveness == Liveness::Down).then_some("down"))}>
                            <th scope="row">{format!("n{}", n.id)}</th>
                            <td>
                                if skip > 0 { <span class="more">{format!("…{skip}")}</span> }
                                { for n.log.iter().skip(skip).map(|e| html! {
                                    <span class={classes!("entry", (e.index <= n.commit).then_some("committed"))}
                                        data-term={(e.term % 8).to_string()}
                                        title={format!("index {} term {}: {}{}", e.index, e.term, e.label, if e.index <= n.commit { " (committed)" } else { "" })}>
                                        {format!("{}", e.term)}<small>{e.label.clone()}</small>
                                    </span>
                                }) }
                            </td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// The session the events are from.
    pub engine: crate::state::SameEngine,
    /// The events shown, oldest first: each one's index in the session's trace (a stable key)
    /// and time. Within one session an event is known by these (and a branch cut in the past
    /// keeps the events before the cut): comparing them is enough, and much cheaper than
    /// comparing the events, every frame.
    pub events: Vec<(usize, Micros)>,
    pub show: Show,
    pub on_show: Callback<Show>,
}

/// The log's items drawn last, by trace index (ascending), and the session they are from.
#[derive(Default)]
struct LogItems {
    engine: Option<crate::state::SameEngine>,
    /// Each item with the event it says, to tell that the index still holds it (the session
    /// keeps a bounded trace, whose indices shift when it drops its oldest half).
    items: Vec<(usize, TraceEvent, Html)>,
}

/// The trace, newest first, with a filter. Each item is written once and kept while it is
/// shown: a storm adds dozens of events a frame, and wording all hundred again was part of
/// every frame.
#[component]
pub fn EventLog(p: &EventLogProps) -> Html {
    let on_change = {
        let cb = p.on_show.clone();
        Callback::from(move |e: Event| {
            cb.emit(match input_value(&e).as_str() {
                "all" => Show::All,
                "story" => Show::Roles,
                _ => Show::Default,
            })
        })
    };
    let cache = use_mut_ref(LogItems::default);
    let mut cache = cache.borrow_mut();
    if cache.engine.as_ref() != Some(&p.engine) {
        *cache = LogItems { engine: Some(p.engine.clone()), items: Vec::new() };
    }
    let engine = p.engine.0.borrow();
    let trace = engine.trace();
    let mut old = std::mem::take(&mut cache.items).into_iter().peekable();
    let mut items = Vec::with_capacity(p.events.len());
    for &(i, _) in &p.events {
        let Some(e) = trace.get(i) else { continue };
        while old.next_if(|(j, ..)| *j < i).is_some() {}
        let item = old.next_if(|(j, was, _)| *j == i && was == e).unwrap_or_else(|| {
            let class = match &e.kind {
                election_core::TraceKind::Role { .. } => "role",
                election_core::TraceKind::Input { .. } => "input",
                election_core::TraceKind::Violation { .. } => "violation",
                election_core::TraceKind::Note { .. } => "note",
                election_core::TraceKind::Drop { .. } => "drop",
                _ => "",
            };
            // Keyed by trace index: a new event adds one item instead of rewriting all.
            (i, e.clone(), html! { <li key={i} class={class}>{e.english()}</li> })
        });
        items.push(item);
    }
    let list: Html = items.iter().rev().map(|(_, _, li)| li.clone()).collect();
    cache.items = items;
    html! {
        <section class="events" aria-label="Event log">
            <h2>{"Event log"}
                <select onchange={on_change} aria-label="Which events to show" data-testid="log-filter">
                    <option value="default" selected={p.show == Show::Default}>{"all but heartbeats"}</option>
                    <option value="story" selected={p.show == Show::Roles}>{"the story: roles, notes, your actions"}</option>
                    <option value="all" selected={p.show == Show::All}>{"everything"}</option>
                </select>
            </h2>
            <ol class="trace">{list}</ol>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct PartitionProps {
    pub nodes: usize,
    pub selected: NodeId,
    pub on_input: Callback<Input>,
}

/// Split the cluster into two groups: the ticked nodes and the rest.
#[component]
pub fn PartitionTool(p: &PartitionProps) -> Html {
    let n = p.nodes as NodeId;
    let side = use_state(|| election_core::collections::Set::from([p.selected]));
    let toggle = |id: NodeId| {
        let side = side.clone();
        Callback::from(move |_: Event| {
            let mut s = (*side).clone();
            if !s.remove(&id) {
                s.insert(id);
            }
            side.set(s);
        })
    };
    let apply = {
        let (side, cb) = (side.clone(), p.on_input.clone());
        Callback::from(move |_: MouseEvent| {
            let a: Vec<NodeId> = side.iter().copied().filter(|&x| x <= n).collect();
            let b: Vec<NodeId> = (1..=n).filter(|x| !side.contains(x)).collect();
            if !a.is_empty() && !b.is_empty() {
                cb.emit(Input::Partition { groups: vec![a, b] });
            }
        })
    };
    html! {
        <fieldset class="partition">
            <legend>{"Partition: ticked nodes on one side, the rest on the other"}</legend>
            { for (1..=n).map(|id| html! {
                <label class="toggle"><input type="checkbox" checked={side.contains(&id)} onchange={toggle(id)}
                    data-partition={id.to_string()} aria-label={format!("n{id} on the ticked side")} />{format!(" n{id} ")}</label>
            }) }
            <button onclick={apply} data-action="partition">{"Split"}</button>
        </fieldset>
    }
}
