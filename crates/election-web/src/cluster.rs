//! The cluster drawn as SVG: nodes on a ring, links, and messages in flight.
//!
//! Positions are computed in floating point, which is fine here: this is drawing, not a
//! protocol decision. Message positions are interpolated between `sent_at` and `deliver_at`
//! at the current simulated time, as RaftScope does.

use election_core::{ClusterView, Liveness, MessageView, NodeId, NodeView, Role};
use yew::prelude::*;

const SIZE: f64 = 600.0;
const CENTER: f64 = SIZE / 2.0;
const RING: f64 = 225.0;

/// Centre of node `i` (0-based) of `n`.
pub fn node_xy(i: usize, n: usize) -> (f64, f64) {
    if n == 1 {
        return (CENTER, CENTER);
    }
    let angle = -std::f64::consts::FRAC_PI_2 + (i as f64) * std::f64::consts::TAU / (n as f64);
    // JavaScript's Math (a drawing, not a protocol decision): keeps libm out of the wasm.
    (CENTER + RING * js_sys::Math::cos(angle), CENTER + RING * js_sys::Math::sin(angle))
}

/// Radius of a node circle for a cluster of `n`.
pub fn node_radius(n: usize) -> f64 {
    if n <= 7 { 38.0 } else { (38.0 - (n as f64 - 7.0) * 2.2).max(22.0) }
}

/// Colour-blind-safe fill (Okabe-Ito palette) and a CSS class per role.
pub fn role_class(node: &NodeView) -> &'static str {
    match node.liveness {
        Liveness::Down => "down",
        _ => match node.role {
            Role::Leader => "leader",
            Role::Candidate => "candidate",
            Role::PreCandidate => "precandidate",
            Role::Follower => "follower",
        },
    }
}

/// Short wire label: the capitals of the kind ("RequestVote" -> "RV"), "HB" for heartbeats.
pub fn short_kind(m: &MessageView) -> String {
    if m.heartbeat {
        return "HB".into();
    }
    m.kind.chars().filter(|c| c.is_ascii_uppercase()).collect()
}

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub view: ClusterView,
    pub selected: Option<NodeId>,
    pub on_select: Callback<Option<NodeId>>,
    pub on_link: Callback<(NodeId, NodeId)>,
}

/// The SVG picture of the cluster.
#[component]
pub fn Cluster(props: &ClusterProps) -> Html {
    let v = &props.view;
    let n = v.nodes.len();
    let r = node_radius(n);
    let cut = |a: NodeId, b: NodeId| v.links.iter().any(|l| l.from == a && l.to == b);

    let mut links = Vec::new();
    for a in 1..=n as NodeId {
        for b in (a + 1)..=n as NodeId {
            let (x1, y1) = node_xy(usize::from(a) - 1, n);
            let (x2, y2) = node_xy(usize::from(b) - 1, n);
            let (ab, ba) = (cut(a, b), cut(b, a));
            let state = match (ab, ba) {
                (false, false) => "healthy",
                (true, true) => "cut",
                _ => "oneway",
            };
            let label = match (ab, ba) {
                (false, false) => format!("Link n{a}–n{b}: healthy. Click to cut it."),
                (true, true) => format!("Link n{a}–n{b}: cut both ways. Click to heal it."),
                (true, false) => format!("Link n{a}→n{b} cut (n{b}→n{a} works). Click to heal."),
                (false, true) => format!("Link n{b}→n{a} cut (n{a}→n{b} works). Click to heal."),
            };
            let onclick = {
                let cb = props.on_link.clone();
                Callback::from(move |_| cb.emit((a, b)))
            };
            // The cut mark sits where messages stop: near the receiver of a one-way cut.
            let k = match (ab, ba) {
                (true, false) => 0.75,
                (false, true) => 0.25,
                _ => 0.5,
            };
            let (mx, my) = (x1 + (x2 - x1) * k, y1 + (y2 - y1) * k);
            links.push(html! {
                <g class={classes!("link", state)} data-link={format!("{a}-{b}")} onclick={onclick}
                    role="button" aria-label={label.clone()}>
                    <title>{label}</title>
                    <line class="hit" x1={f(x1)} y1={f(y1)} x2={f(x2)} y2={f(y2)} />
                    <line class="wire" x1={f(x1)} y1={f(y1)} x2={f(x2)} y2={f(y2)} />
                    if state != "healthy" {
                        <text class="cut-mark" x={f(mx)} y={f(my + 5.0)} text-anchor="middle">{"✕"}</text>
                    }
                </g>
            });
        }
    }

    let messages = v.messages.iter().map(|m| message(m, v.now, n, r)).collect::<Html>();
    let nodes = v
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let at = node_xy(i, n);
            node_html(node, at, r, v.now, v.term_label, props.selected == Some(node.id), &props.on_select)
        })
        .collect::<Html>();

    html! {
        <svg class="cluster" viewBox={format!("0 0 {0} {0}", election_core::fixed(SIZE, 0))} role="group"
            aria-label={format!("{} cluster of {} nodes at t={}", v.algorithm, n, election_core::fmt_time(v.now))}>
            <g class="links">{links}</g>
            <g class="messages">{messages}</g>
            <g class="nodes">{nodes}</g>
        </svg>
    }
}

fn f(x: f64) -> String {
    election_core::fixed(x, 1)
}

/// True when the user asked the system for less motion (`prefers-reduced-motion: reduce`):
/// messages then jump in three steps along their link and timers drain in quarters, instead
/// of moving every frame.
pub fn reduced_motion() -> bool {
    thread_local! {
        static REDUCED: bool = web_sys::window()
            .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
            .is_some_and(|m| m.matches());
    }
    REDUCED.with(|r| *r)
}

fn message(m: &MessageView, now: u64, n: usize, r: f64) -> Html {
    let span = m.deliver_at.saturating_sub(m.sent_at).max(1) as f64;
    let mut p = (now.saturating_sub(m.sent_at) as f64 / span).clamp(0.0, 1.0);
    if reduced_motion() {
        p = (((p * 3.0).floor().min(2.0)) + 0.5) / 3.0;
    }
    let (x1, y1) = node_xy(usize::from(m.from) - 1, n);
    let (x2, y2) = node_xy(usize::from(m.to) - 1, n);
    // Travel between the circles' edges, not their centres.
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (sx, sy) = (x1 + ux * r, y1 + uy * r);
    let travel = (len - 2.0 * r).max(0.0);
    let mut x = sx + ux * travel * p;
    let mut y = sy + uy * travel * p;
    let mut class = classes!("msg", m.kind.to_ascii_lowercase());
    if m.heartbeat {
        class.push("heartbeat");
    }
    if m.doomed {
        class.push("doomed");
        // A doomed message falls off its link in the second half of its flight.
        if p > 0.5 {
            y += (p - 0.5) * 120.0;
            x += (p - 0.5) * 20.0;
        }
    }
    let label = short_kind(m);
    html! {
        <g class={class} data-kind={m.kind} data-progress={election_core::fixed(p, 2)} transform={format!("translate({},{})", f(x), f(y))}>
            <title>{format!("n{} → n{}: {}", m.from, m.to, m.summary)}</title>
            <circle r={if m.heartbeat { "5" } else { "8" }} />
            if !m.heartbeat {
                <text y="-11" text-anchor="middle">{label}</text>
            }
        </g>
    }
}

fn node_html(
    node: &NodeView,
    (x, y): (f64, f64),
    r: f64,
    now: u64,
    term_label: Option<&'static str>,
    selected: bool,
    on_select: &Callback<Option<NodeId>>,
) -> Html {
    let id = node.id;
    let class = role_class(node);
    let onclick = {
        let cb = on_select.clone();
        Callback::from(move |_| cb.emit(Some(id)))
    };
    let onkeydown = {
        let cb = on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                cb.emit(Some(id));
            }
        })
    };
    // The election timer drains as a ring around the node.
    let timer = match (node.timer_armed_at, node.timer_deadline, node.liveness) {
        (Some(a), Some(d), Liveness::Up | Liveness::Paused) if d > a => {
            let mut left = (d.saturating_sub(now) as f64 / (d - a) as f64).clamp(0.0, 1.0);
            if reduced_motion() {
                left = (left * 4.0).ceil() / 4.0;
            }
            let circ = std::f64::consts::TAU * (r + 7.0);
            Some(html! {
                <circle class="timer" r={f(r + 7.0)} stroke-dasharray={format!("{} {}", f(circ * left), f(circ))}
                    transform="rotate(-90)" />
            })
        }
        _ => None,
    };
    let state = match node.liveness {
        Liveness::Up => node.role.to_string(),
        Liveness::Down => "crashed".to_string(),
        Liveness::Paused => format!("paused {}", node.role),
    };
    let label = format!(
        "n{id}{}: {state}{}{}",
        if node.tag.is_empty() { String::new() } else { format!(" ({})", node.tag) },
        term_label.map(|l| format!(", {l} {}", node.term)).unwrap_or_default(),
        node.leader.map(|l| format!(", follows n{l}")).unwrap_or_default()
    );
    let clock =
        term_label.map(|l| format!("{}{}", l.chars().next().unwrap_or('T').to_ascii_uppercase(), node.term));
    let letter = match node.liveness {
        Liveness::Down => "✕".to_string(),
        _ => node.role.letter().to_string(),
    };
    let mut sub = vec![letter.clone()];
    sub.extend(clock);
    if matches!(node.role, Role::Candidate | Role::PreCandidate)
        && node.liveness != Liveness::Down
        && !node.votes.is_empty()
    {
        sub.push(format!("{} votes", node.votes.len()));
    }
    let sub = sub.join(" · ");
    html! {
        <g class={classes!("node", class, (node.liveness == Liveness::Paused).then_some("paused"), selected.then_some("selected"))}
            transform={format!("translate({},{})", f(x), f(y))}
            data-id={id.to_string()} data-role={node.role.name()}
            data-liveness={match node.liveness { Liveness::Up => "up", Liveness::Down => "down", Liveness::Paused => "paused" }}
            data-term={node.term.to_string()}
            tabindex="0" role="button" aria-label={label.clone()} aria-pressed={selected.to_string()}
            onclick={onclick} onkeydown={onkeydown}>
            <title>{label}</title>
            {timer}
            <circle class="body" r={f(r)} />
            <text class="name" y="-6" text-anchor="middle">{format!("n{id}")}</text>
            <text class="role-letter" y={f(r * 0.45)} text-anchor="middle">{sub}</text>
            if !node.tag.is_empty() {
                <text class="tag" y={f(r + 14.0)} text-anchor="middle">{node.tag.clone()}</text>
            }
            if node.liveness == Liveness::Paused {
                <text class="pause-mark" y={f(r + 16.0)} text-anchor="middle">{"PAUSED"}</text>
            }
            if node.role == Role::Leader && node.liveness != Liveness::Down {
                <text class="crown" y={f(-r - 12.0)} text-anchor="middle">{"★ leader"}</text>
            }
        </g>
    }
}
