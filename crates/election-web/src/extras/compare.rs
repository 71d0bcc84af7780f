//! The comparison: the chosen algorithms run one fault script, replayed side by side at one
//! shared time above a table of what each cost.

use election_core::{NodeId, fmt_time};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The recorded runs of a comparison, replayed side by side at one shared time.
struct Runs {
    runs: Vec<(election_core::compare::Outcome, election_core::AnySession)>,
    script: election_core::compare::Script,
    preset: election_core::compare::Preset,
}

/// Side-by-side comparison: the chosen algorithms run the same fault script; their clusters
/// replay next to each other at one shared time (play or scrub), above a table of outcomes.
#[component]
pub fn Compare() -> Html {
    use election_core::Algorithm;
    use election_core::compare::{Preset, Script, compare_runs_with};
    let runs = use_mut_ref(|| None::<Runs>);
    let chosen = use_state(|| Algorithm::ALL.to_vec());
    let t = use_state(|| 0u64);
    let playing = use_state(|| false);
    let version = use_state(|| 0u32);
    // Bumped by every user action on the time: a playback tick scheduled before it is stale.
    let generation = use_mut_ref(|| 0u64);
    let script_ref = use_node_ref();
    // The timings the next run uses; the fault scripts are described with them.
    let preset = use_state(|| Preset::Classroom);
    // The recorded run's length: 6 s with the classroom timings, 2 minutes with production's.
    let duration = runs.borrow().as_ref().map_or(Preset::Classroom, |r| r.preset).timing().duration;
    let on_run = {
        let (runs, r, chosen, t, playing, version) =
            (runs.clone(), script_ref.clone(), chosen.clone(), t.clone(), playing.clone(), version.clone());
        let preset = preset.clone();
        let generation = generation.clone();
        Callback::from(move |_: MouseEvent| {
            *generation.borrow_mut() += 1;
            let i = r
                .cast::<web_sys::HtmlSelectElement>()
                .and_then(|s| s.value().parse::<usize>().ok())
                .unwrap_or(0)
                .min(Script::ALL.len() - 1);
            let script = Script::ALL[i];
            let preset = *preset;
            *runs.borrow_mut() =
                Some(Runs { runs: compare_runs_with(&chosen, 5, 1, script, preset), script, preset });
            t.set(0);
            playing.set(true);
            version.set(*version + 1);
        })
    };
    // Playback: a run takes 24 s whatever its length (0.25x for the classroom's 6 s, 5x for
    // production's 2 minutes); stops at the end.
    {
        let (t, playing, generation) = (t.clone(), playing.clone(), generation.clone());
        use_effect_with((*playing, *t, duration), move |&(on, now, duration)| {
            let timer = on.then(|| {
                let (t, playing) = (t.clone(), playing.clone());
                let scheduled = *generation.borrow();
                gloo_timers::callback::Timeout::new(40, move || {
                    if *generation.borrow() != scheduled {
                        return;
                    }
                    let next = (now + duration / 600).min(duration);
                    t.set(next);
                    if next >= duration {
                        playing.set(false);
                    }
                })
            });
            move || drop(timer)
        });
    }
    let on_preset = {
        let preset = preset.clone();
        Callback::from(move |e: Event| {
            let production = e
                .target()
                .and_then(|x| x.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .is_some_and(|s| s.value() == "production");
            preset.set(if production { Preset::Production } else { Preset::Classroom });
        })
    };
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
            t.set((v * 1_000).min(duration));
        })
    };
    let on_play = {
        let (t, playing, generation) = (t.clone(), playing.clone(), generation.clone());
        Callback::from(move |_: MouseEvent| {
            *generation.borrow_mut() += 1;
            if *t >= duration {
                t.set(0);
            }
            playing.set(!*playing);
        })
    };
    let mut guard = runs.borrow_mut();
    let panes = guard.as_mut().map(|r| {
        let now = *t;
        let script = r.script;
        let preset = r.preset;
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
                        <crate::cluster::Cluster view={crate::state::SameView(std::rc::Rc::new(view))} selected={None::<NodeId>} on_select={Callback::noop()} on_link={Callback::noop()} />
                    </figure>
                }
            })
            .collect();
        let outcomes: Vec<election_core::compare::Outcome> = r.runs.iter().map(|(o, _)| o.clone()).collect();
        (panes, outcomes, script, preset)
    });
    drop(guard);
    html! {
        <section class="compare" aria-label="Compare the algorithms">
            <h2>{"Compare: the same faults, side by side (5 nodes)"}</h2>
            <div class="actions">
                <label>{"Fault script "}
                    <select ref={script_ref} aria-label="Fault script">
                        { for Script::ALL.iter().enumerate().map(|(i, s)| html! { <option value={i.to_string()} selected={i == 0}>{s.describe_with(&preset.timing())}</option> }) }
                    </select>
                </label>
                <label>{"Timings "}
                    <select aria-label="Timings" data-testid="compare-preset" onchange={on_preset}>
                        <option value="classroom" selected=true>{"classroom (6 s run)"}</option>
                        <option value="production">{"production defaults (2 min run)"}</option>
                    </select>
                </label>
                { for Algorithm::ALL.iter().map(|&a| html! {
                    <label class="check"><input type="checkbox" checked={chosen.contains(&a)} onchange={toggle(a)}
                        aria-label={format!("Include {}", a.name())} />{a.name()}</label>
                }) }
                <button onclick={on_run} disabled={chosen.len() < 2} data-testid="run-compare">{"Compare"}</button>
                if chosen.len() < 2 { <span class="hint">{"Pick at least two algorithms."}</span> }
            </div>
            if let Some((panes, outcomes, script, preset)) = panes {
                <div class="actions replay">
                    <button onclick={on_play} data-testid="compare-play" aria-label="Play or pause the comparison">
                        {if *playing { "❚❚ Pause" } else { "▶ Play" }}</button>
                    <input type="range" min="0" max={(duration / 1_000).to_string()} value={(*t / 1_000).to_string()}
                        oninput={on_scrub} aria-label="Comparison time in milliseconds" data-testid="compare-scrubber" />
                    <span data-testid="compare-time">{fmt_time(*t)}</span>
                    <span class="hint">{format!("Script: {}", script.describe_with(&preset.timing()))}</span>
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
                if preset == Preset::Production {
                    <details class="sources" open=true data-testid="production-sources">
                        <summary>{"Production defaults and where they come from (the article: failover typically takes 1-10 seconds)"}</summary>
                        <ul>{ for outcomes.iter().flat_map(|o| o.algorithm.production_sources().iter().map(move |src| html! {
                            <li>{format!("{}: {src}", o.algorithm.name())}</li>
                        })) }</ul>
                    </details>
                }
                <p class="hint">{"\"Leader\" means what each algorithm calls it (Bully's coordinator, Kafka's controller, the lock holder). A client writes every 250 ms to the leader it last knew (in Kafka, to the partition's leader); a write counts as lost or rejected if no node has committed it at the end. \"Most leaders at once\" counts nodes that believe they lead, like a paused old leader: only one of them can make progress in Raft, ZAB and Paxos, while Bully's two coordinators both accept writes."}</p>
            }
        </section>
    }
}
