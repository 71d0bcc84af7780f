//! Time drawn two ways, beside the cluster picture: the space-time (Lamport) diagram of the
//! recent messages, and the markers above the timeline (leader changes, inputs, violations)
//! that jump to their moment when clicked.

use election_core::{Marker, MarkerKind, Micros, NodeId, TraceEvent, TraceKind, fixed, fmt_time};
use yew::prelude::*;

/// How much simulated time the space-time diagram shows, ending at the cursor.
pub const WINDOW_US: Micros = 600_000;
/// Trace events the diagram draws at most (the newest).
pub const MAX_EVENTS: usize = 600;

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
        TraceKind::Send { id, from, to, kind, deliver_at, heartbeat, summary } if e.t >= start => {
            let end = (*deliver_at).min(p.now);
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
