//! Time drawn two ways, beside the cluster picture: the space-time (Lamport) diagram of the
//! recent messages, and the markers above the timeline (leader changes, inputs, violations)
//! that jump to their moment when clicked.

use election_core::{Marker, MarkerKind, Micros, NodeId, TraceEvent, TraceKind, fixed, fmt_time};
use yew::prelude::*;

/// How much simulated time the space-time diagram shows, ending at the cursor.
pub const WINDOW_US: Micros = 600_000;
/// Trace events the diagram draws at most (the newest).
pub const MAX_EVENTS: usize = 300;

/// What the diagram draws: the recent trace events of a session at a moment.
#[derive(Debug)]
pub struct Recent {
    /// The session they are from.
    pub engine: std::rc::Rc<std::cell::RefCell<election_core::AnySession>>,
    /// The moment (the right edge of the diagram).
    pub now: Micros,
    /// Trace events, newest first, each with its index in the trace (a stable key).
    pub events: Vec<(usize, TraceEvent)>,
}

impl Recent {
    /// Nothing yet.
    pub fn empty(engine: std::rc::Rc<std::cell::RefCell<election_core::AnySession>>) -> Recent {
        Recent { engine, now: 0, events: Vec::new() }
    }
}

#[derive(Properties)]
pub struct SpaceTimeProps {
    /// Redrawn only when the page hands it a new one (compared by identity).
    pub events: std::rc::Rc<Recent>,
    pub nodes: usize,
}

impl PartialEq for SpaceTimeProps {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.events, &other.events) && self.nodes == other.nodes
    }
}

/// One lane per node; each message is a line from (send time, sender) to (arrival, receiver).
///
/// Lines are placed in the diagram's own time coordinates and the whole drawing slides under
/// a clip as time passes: each frame moves one group and adds the new lines, instead of
/// rewriting the coordinates of every line (which cost most of a frame in a storm).
#[component]
pub fn SpaceTime(p: &SpaceTimeProps) -> Html {
    const W: f64 = 600.0;
    const LANE: f64 = 22.0;
    const LEFT: f64 = 36.0;
    const PLOT: f64 = W - LEFT - 8.0;
    let h = LANE * p.nodes as f64 + 24.0;
    let now = p.events.now;
    let start = now.saturating_sub(WINDOW_US);
    // Coordinates count from an origin that moves only every ten windows, so that they stay
    // small numbers (SVG draws in single precision) and most frames change none of them.
    let origin = start - start % (10 * WINDOW_US);
    let scale = PLOT / WINDOW_US as f64;
    let x = |t: Micros| t.saturating_sub(origin) as f64 * scale;
    let y = |n: NodeId| 12.0 + LANE * (f64::from(n) - 0.5);
    let dropped: election_core::collections::Set<u64> = p
        .events
        .events
        .iter()
        .filter_map(|(_, e)| match &e.kind {
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
    // Oldest first, so that new lines are appended and the others keep their elements.
    let marks = p.events.events.iter().rev().filter(|(_, e)| e.t >= start).filter_map(|(i, e)| match &e.kind {
        TraceKind::Send { id, from, to, kind, deliver_at, heartbeat, summary } => {
            let end = (*deliver_at).min(now);
            let frac = if *deliver_at > e.t { (end - e.t) as f64 / (*deliver_at - e.t) as f64 } else { 1.0 };
            let (x1, y1) = (x(e.t), y(*from));
            let (x2, y2) = (x(end), y1 + (y(*to) - y1) * frac);
            // Heartbeats are drawn faintly: steady state is not a blank diagram.
            let class = classes!(
                "arrow",
                kind.to_ascii_lowercase(),
                heartbeat.then_some("heartbeat"),
                dropped.contains(id).then_some("dropped")
            );
            Some(html! {
                <line key={*i} class={class} x1={fixed(x1, 1)} y1={fixed(y1, 1)} x2={fixed(x2, 1)} y2={fixed(y2, 1)}>
                    if !heartbeat {
                        <title>{format!("{} n{from} → n{to}: {summary}", fmt_time(e.t))}</title>
                    }
                </line>
            })
        }
        TraceKind::Role { node, to, .. } => Some(html! {
            <circle key={*i} class={classes!("role-dot", to.name().replace('-', ""))} cx={fixed(x(e.t), 1)} cy={fixed(y(*node), 1)} r="4">
                <title>{format!("{} n{node} becomes {to}", fmt_time(e.t))}</title>
            </circle>
        }),
        TraceKind::Input { input } => Some(html! {
            <text key={*i} class="input-mark" x={fixed(x(e.t), 1)} y="10" text-anchor="middle">
                {"▼"}<title>{format!("{}: {input}", fmt_time(e.t))}</title>
            </text>
        }),
        _ => None,
    });
    let shift = -x(start);
    html! {
        <section class="spacetime" aria-label="Space-time diagram">
            <h2>{format!("Space-time diagram (last {})", fmt_time(WINDOW_US))}</h2>
            <svg viewBox={format!("0 0 {} {}", fixed(W, 0), fixed(h, 0))} role="img"
                aria-label="One lane per node; lines are messages from sender to receiver over time">
                { for lanes }
                <svg x={fixed(LEFT, 0)} y="0" width={fixed(PLOT, 0)} height={fixed(h, 0)} class="plot">
                    <g transform={format!("translate({},0)", fixed(shift, 1))}>
                        { for marks }
                    </g>
                </svg>
            </svg>
        </section>
    }
}

/// The end of the markers' scale for a recording of `horizon`: rounded up to the next step of
/// a 0.25 % grid, so that while the run plays the ticks move (and are redrawn) only when the
/// recording has grown enough to move them by about a pixel, not on every frame.
pub fn marker_scale(horizon: Micros) -> Micros {
    let mut end: Micros = 1_000;
    while end < horizon {
        end += (end / 400).max(1);
    }
    end
}

#[derive(Properties, PartialEq)]
pub struct MarkersProps {
    /// Shared with the page, which re-copies them only when they change.
    pub markers: std::rc::Rc<Vec<Marker>>,
    /// The scale's end: the recorded horizon rounded up (see [`marker_scale`]).
    pub horizon: Micros,
    pub on_seek: Callback<Micros>,
}

/// Ticks above the scrubber for leader changes, inputs and violations; click to jump.
#[component]
pub fn Markers(p: &MarkersProps) -> Html {
    let span = p.horizon.max(1) as f64;
    // The newest 120: the scrubber is a few hundred pixels wide, and every tick is redrawn
    // as the recording grows.
    let ticks = p.markers.iter().rev().take(120).map(|m| {
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
