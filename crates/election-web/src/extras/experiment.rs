//! Raft's Figure 16 experiment in the page: for each election-timeout range, how long a
//! cluster goes without a leader after its leader crashes, beside the paper's numbers.

use election_core::{Micros, fixed};
use yew::prelude::*;

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
    /// Time of a durable write (us).
    pub disk: (Micros, Micros),
    /// A run is in progress.
    pub running: bool,
}

/// The Raft Figure 16 experiment, run in the page one timeout range at a time (between
/// frames, so the page stays responsive), with the paper's numbers beside ours.
#[component]
pub fn Experiment() -> Html {
    use election_core::experiments::{
        DISK_WRITE_US, Fig16, LAN_LATENCY_US, cdf_svg, paper_figure, run_range,
    };
    let state = use_state(ExperimentState::default);
    let trials_ref = use_node_ref();
    let servers_ref = use_node_ref();
    let latency_ref = use_node_ref();
    let disk_ref = use_node_ref();
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
                        disk_us: s.disk,
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
        let (state, t, s, l, d, r, rerr) = (
            state.clone(),
            trials_ref.clone(),
            servers_ref.clone(),
            latency_ref.clone(),
            disk_ref.clone(),
            ranges_ref.clone(),
            ranges_error.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            // Each field is the middle of a band as wide as the paper setup's own.
            let lat = value(&l, mid(LAN_LATENCY_US), 200_000);
            let disk = value(&d, mid(DISK_WRITE_US), 100_000);
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
                latency: band(lat, LAN_LATENCY_US),
                disk: band(disk, DISK_WRITE_US),
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
        // The chart carries its own axis ticks and, right of the plot, its legend.
        Html::from_html_unchecked(AttrValue::from(cdf_svg(&top, &bottom, cap)))
    });
    let reduced = state.results.iter().any(|r| r.downtimes.len() < state.trials);
    html! {
        <section class="experiment" aria-label="Experiment: Raft Figure 16">
            <h2>{"Experiment: Raft's Figure 16 — time without a leader after a crash"}</h2>
            <p class="hint">{"For each election-timeout range, crash the leader many times at a random point of its heartbeat interval and measure how long until the others hear a new leader."}</p>
            <div class="actions">
                <label>{"Trials per range "}<input ref={trials_ref} type="number" min="1" max="5000" value={if state.trials > 0 { state.trials.to_string() } else { "200".into() }} aria-label="Trials per range" /></label>
                <label>{"Servers "}<input ref={servers_ref} type="number" min="3" max="15" value={if state.servers > 0 { state.servers.to_string() } else { "5".into() }} aria-label="Servers" /></label>
                <label>{"One-way latency (us) "}<input ref={latency_ref} type="number" min="1" max="200000" value={mid(if state.latency.1 > 0 { state.latency } else { LAN_LATENCY_US }).to_string()} aria-label="One-way latency in microseconds" /></label>
                <label>{"Disk write (us) "}<input ref={disk_ref} type="number" min="1" max="100000" value={mid(if state.disk.1 > 0 { state.disk } else { DISK_WRITE_US }).to_string()} aria-label="Disk write in microseconds" /></label>
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
                            <td>{format!("{}-{} ms", r.range.0, r.range.1)}</td>
                            <td>{if r.downtimes.len() < state.trials { format!("{} of {} *", r.downtimes.len(), state.trials) } else { r.downtimes.len().to_string() }}</td>
                            <td>{ms(s.median)}</td><td>{ms(s.mean)}</td><td>{ms(s.p99)}</td><td>{ms(s.max)}</td>
                            <td>{s.over_cap}</td><td>{paper_figure(r.range)}</td>
                        </tr> }
                    }) }
                    </tbody>
                </table>
                if reduced {
                    <p class="hint" data-testid="reduced-trials">{"* 150-150 ms runs a tenth of the trials asked for: without randomness nearly every election splits the vote, and each trial can take up to the 10 s cap to simulate."}</p>
                }
                <div class="cdf">{ for svg }</div>
                <details class="paper-note">
                    <summary>{"Why these numbers differ from the paper's"}</summary>
                    <p>{"The simulator sets the experiment up as §9.3 describes it: five servers on a LAN (a one-way delay of 100-200 us), each durable write (a candidate's term and vote, a voter's vote, a follower's entries) taking 1.8-2.8 ms as on the paper's SSDs, the followers' timers started together by one heartbeat, two of the four survivors missing the last entries (so they cannot win), and the crash at a random point of the heartbeat interval. The disk time is one value fitted within the sources' bounds for every range and cluster size, not a measurement, and no processing time or timer jitter is modelled. With 1000 trials the paper's figures land within their spread (the README gives the table); smaller runs here have noisier tails, and the fields above show what latency and disk each change."}</p>
                </details>
            }
        </section>
    }
}

/// The paper's ranges, as the field shows them.
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

/// The middle of a band.
fn mid((lo, hi): (Micros, Micros)) -> Micros {
    lo + (hi - lo) / 2
}

/// A band as wide as `like`, centred on `at` (at least 1).
fn band(at: Micros, like: (Micros, Micros)) -> (Micros, Micros) {
    let half = (like.1 - like.0) / 2;
    (at.saturating_sub(half).max(1), at + half)
}
