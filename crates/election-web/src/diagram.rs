//! Time drawn two ways, beside the cluster picture: the space-time (Lamport) diagram of the
//! recent messages, and the markers above the timeline (leader changes, inputs, violations)
//! that jump to their moment when clicked.

use election_core::{Marker, MarkerKind, Micros, NodeId, TraceEvent, TraceKind, fixed, fmt_time};
use yew::prelude::*;

use crate::state::SameEngine;

/// How much simulated time the space-time diagram shows, ending at the cursor.
pub const WINDOW_US: Micros = 600_000;
/// Messages the diagram draws at most: past that, one in two, four, ... across the window.
pub const MAX_EVENTS: usize = 300;
/// Messages it draws at most while it follows the run a few times a second (see
/// `state::Pacer`): it is then redrawn whole at each turn (at 10x the window passes in a few
/// frames), and three hundred new lines made that frame late.
pub const BUSY_MARKS: usize = 80;

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    /// The session drawn, at its cursor.
    pub engine: SameEngine,
    /// The cursor (the right edge of the diagram).
    pub now: Micros,
    /// Trace events up to the cursor: with `now`, what tells a redraw is needed.
    pub events: usize,
    pub nodes: usize,
    /// Messages drawn at most.
    #[prop_or(MAX_EVENTS)]
    pub max_marks: usize,
}

/// A mark of the diagram (a message line, a role dot, an input), drawn once and kept while
/// its event stays in the window.
struct Mark {
    /// The trace event it draws, to tell that the index still holds it (the session keeps a
    /// bounded trace, whose indices shift when it drops its oldest half).
    event: TraceEvent,
    /// It was drawn as dropped.
    dropped: bool,
    /// The coordinates' origin it was drawn for.
    origin: Micros,
    html: Html,
}

/// The marks drawn last, by trace index (ascending), and the session they are from.
#[derive(Default)]
struct Marks {
    engine: Option<SameEngine>,
    marks: Vec<(usize, Mark)>,
}

/// One lane per node; each message is a line from (send time, sender) to (arrival, receiver).
///
/// Lines are placed in the diagram's own time coordinates and the whole drawing slides under
/// a clip as time passes: each frame moves one group and adds the new lines, instead of
/// rewriting the coordinates of every line (which cost most of a frame in a storm). A message
/// still in flight is drawn to its arrival too: the clip ends at the cursor, so the part
/// after it is hidden, and its line is written once instead of growing on every redraw. Each
/// mark is built once, too, and reused while its event stays in the window: a frame builds
/// only the marks of its new events, so the diagram follows every frame without the
/// redraws of the whole window that made every sixth frame late in a storm.
#[component]
pub fn SpaceTime(p: &SpaceTimeProps) -> Html {
    const W: f64 = 600.0;
    const LANE: f64 = 22.0;
    const LEFT: f64 = 36.0;
    const PLOT: f64 = W - LEFT - 8.0;
    let h = LANE * p.nodes as f64 + 24.0;
    let now = p.now;
    let start = now.saturating_sub(WINDOW_US);
    // Coordinates count from an origin that moves only every ten windows, so that they stay
    // small numbers (SVG draws in single precision) and most frames change none of them.
    let origin = start - start % (10 * WINDOW_US);
    let scale = PLOT / WINDOW_US as f64;
    let x = |t: Micros| t.saturating_sub(origin) as f64 * scale;
    let y = |n: NodeId| 12.0 + LANE * (f64::from(n) - 0.5);
    let cache = use_mut_ref(Marks::default);
    let engine = p.engine.0.borrow();
    let trace = engine.trace();
    // Only what the diagram draws, newest first.
    let mut recent: Vec<usize> = trace
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, ev)| ev.t >= start)
        .filter(|(_, ev)| {
            matches!(
                ev.kind,
                TraceKind::Send { .. }
                    | TraceKind::Drop { .. }
                    | TraceKind::Role { .. }
                    | TraceKind::Input { .. }
            )
        })
        .map(|(i, _)| i)
        .collect();
    // A storm sends thousands of messages in the window: draw one in `stride` of them, across
    // the whole window, so that the drawing keeps the traffic's shape (role changes and inputs
    // are all drawn). The ones drawn are chosen by trace index, and the stride is a power of
    // two: as the window slides, a message drawn stays drawn.
    let is_send = |i: &usize| matches!(trace[*i].kind, TraceKind::Send { .. });
    let sends = recent.iter().filter(|i| is_send(i)).count();
    let stride = sends.div_ceil(p.max_marks.max(1)).next_power_of_two();
    if stride > 1 {
        recent.retain(|i| !is_send(i) || i % stride == 0);
    }
    let dropped: election_core::collections::Set<u64> = recent
        .iter()
        .filter_map(|&i| match &trace[i].kind {
            TraceKind::Drop { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let draw = |i: usize, e: &TraceEvent, dropped: bool| -> Html {
        match &e.kind {
            TraceKind::Send { from, to, kind, deliver_at, heartbeat, summary, .. } => {
                let (x1, y1) = (x(e.t), y(*from));
                let (x2, y2) = (x(*deliver_at), y(*to));
                // Heartbeats are drawn faintly: steady state is not a blank diagram.
                let class = classes!(
                    "arrow",
                    kind.to_ascii_lowercase(),
                    heartbeat.then_some("heartbeat"),
                    dropped.then_some("dropped")
                );
                html! {
                    <line key={i} class={class} x1={fixed(x1, 1)} y1={fixed(y1, 1)} x2={fixed(x2, 1)} y2={fixed(y2, 1)}>
                        if !heartbeat {
                            <title>{format!("{} n{from} → n{to}: {summary}", fmt_time(e.t))}</title>
                        }
                    </line>
                }
            }
            TraceKind::Role { node, to, .. } => html! {
                <circle key={i} class={classes!("role-dot", to.name().replace('-', ""))} cx={fixed(x(e.t), 1)} cy={fixed(y(*node), 1)} r="4">
                    <title>{format!("{} n{node} becomes {to}", fmt_time(e.t))}</title>
                </circle>
            },
            TraceKind::Input { input } => html! {
                <text key={i} class="input-mark" x={fixed(x(e.t), 1)} y="10" text-anchor="middle">
                    {"▼"}<title>{format!("{}: {input}", fmt_time(e.t))}</title>
                </text>
            },
            _ => html! {},
        }
    };
    // Oldest first, so that new marks are appended and the others keep their elements; the
    // marks still drawn come from the last frame (both lists ascend by index).
    let mut cache = cache.borrow_mut();
    if cache.engine.as_ref() != Some(&p.engine) {
        *cache = Marks { engine: Some(p.engine.clone()), marks: Vec::new() };
    }
    let mut old = std::mem::take(&mut cache.marks).into_iter().peekable();
    let mut marks = Vec::with_capacity(recent.len());
    for &i in recent.iter().rev() {
        let e = &trace[i];
        let drop_it = matches!(&e.kind, TraceKind::Send { id, .. } if dropped.contains(id));
        while old.next_if(|(j, _)| *j < i).is_some() {}
        let kept = old
            .next_if(|(j, m)| *j == i && m.dropped == drop_it && m.origin == origin && m.event == *e)
            .map(|(_, m)| m);
        let mark = kept.unwrap_or_else(|| Mark {
            event: e.clone(),
            dropped: drop_it,
            origin,
            html: draw(i, e, drop_it),
        });
        marks.push((i, mark));
    }
    let lines: Html = marks
        .iter()
        .filter(|(_, m)| {
            matches!(m.event.kind, TraceKind::Send { .. } | TraceKind::Role { .. } | TraceKind::Input { .. })
        })
        // Keyed by trace index: the element of a mark stays while it is drawn.
        .map(|(_, m)| m.html.clone())
        .collect();
    cache.marks = marks;
    let shift = -x(start);
    // The clip ends at the cursor (in the first window, before the plot's right edge).
    let shown = (now - start) as f64 * scale;
    html! {
        <section class="spacetime" aria-label="Space-time diagram">
            <h2>{format!("Space-time diagram (last {})", fmt_time(WINDOW_US))}</h2>
            <svg viewBox={format!("0 0 {} {}", fixed(W, 0), fixed(h, 0))} role="img"
                aria-label="One lane per node; lines are messages from sender to receiver over time">
                { for (1..=p.nodes as NodeId).map(|n| html! {
                    <g>
                        <line class="lane" x1={fixed(LEFT, 0)} x2={fixed(W, 0)} y1={fixed(y(n), 1)} y2={fixed(y(n), 1)} />
                        <text x="4" y={fixed(y(n) + 4.0, 1)}>{format!("n{n}")}</text>
                    </g>
                }) }
                <svg x={fixed(LEFT, 0)} y="0" width={fixed(shown, 1)} height={fixed(h, 0)} class="plot">
                    <g transform={format!("translate({},0)", fixed(shift, 1))}>
                        { lines }
                    </g>
                </svg>
            </svg>
        </section>
    }
}

/// The end of the markers' own scale for a recording of `horizon`: the next power of two (of
/// microseconds, at least a millisecond). Ticks are placed on this scale, and the scale is
/// stretched to the scrubber's width: as the recording grows, one width changes on each frame
/// and the ticks stay where they are, instead of every tick moving on every frame.
pub fn marker_scale(horizon: Micros) -> Micros {
    horizon.max(1_000).next_power_of_two()
}

#[derive(Properties, PartialEq)]
pub struct MarkersProps {
    /// Shared with the page, which re-copies them only when they change.
    pub markers: std::rc::Rc<Vec<Marker>>,
    /// The end of the scale the ticks are placed on (see [`marker_scale`]).
    pub scale: Micros,
    pub on_seek: Callback<Micros>,
}

/// Ticks above the scrubber for leader changes, inputs and violations; click to jump. Placed
/// on their own scale, which the page stretches to the scrubber (see [`marker_scale`]): they
/// are drawn again only when the markers or the scale change.
#[component]
pub fn Markers(p: &MarkersProps) -> Html {
    let span = p.scale as f64;
    // The newest 120: the scrubber is a few hundred pixels wide.
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
            <button class={classes!("marker", class)} style={format!("left: {}%", fixed(left, 3))} title={label.clone()}
                aria-label={format!("Jump to {label}")} onclick={onclick}></button>
        }
    });
    html! { <>{ for ticks }</> }
}
