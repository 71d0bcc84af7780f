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

/// Short wire labels of the run's message kinds (`kinds`, the view's message counts), in their
/// order: the capitals of the kind ("RequestVote" -> "RV"), or the whole kind when another
/// kind of the run shares its capitals (Paxos's Prepare and Promise were both "P", Accept and
/// Accepted both "A").
pub fn abbreviations(kinds: &[(String, u64)]) -> Vec<String> {
    let capitals: Vec<String> =
        kinds.iter().map(|(k, _)| k.chars().filter(|c| c.is_ascii_uppercase()).collect()).collect();
    kinds
        .iter()
        .zip(&capitals)
        .map(|((k, _), c)| {
            let shared = capitals.iter().filter(|o| *o == c).count() > 1;
            if c.is_empty() || shared { k.clone() } else { c.clone() }
        })
        .collect()
}

/// A message's wire label among the run's `labels` (kind, label; see [`abbreviations`]),
/// "HB" for heartbeats.
fn short_kind(m: &MessageView, labels: &[(&str, String)]) -> String {
    if m.heartbeat {
        return "HB".into();
    }
    labels.iter().find(|(k, _)| *k == m.kind).map_or_else(|| m.kind.to_string(), |(_, l)| l.clone())
}

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub view: crate::state::SameView,
    pub selected: Option<NodeId>,
    pub on_select: Callback<Option<NodeId>>,
    pub on_link: Callback<(NodeId, NodeId)>,
    /// The run plays behind its speed (a storm): draw at most [`BUSY_MESSAGES`] messages and
    /// count the rest on their links, and renew each link's count every [`BUSY_STAGGER`]
    /// frames, in turn.
    #[prop_or_default]
    pub storm: bool,
}

/// Messages the picture draws at most in a storm (the view's first ones, in send order); the
/// others are counted on their links with the ones the view leaves out. At 10x a storm's
/// message lives a frame or two, so each frame drew dozens of new ones: a few dozen show the
/// storm as well as the view's 150 did, for a fraction of the frame's work.
pub const BUSY_MESSAGES: usize = 20;

/// In a storm, a link's count is renewed every this many frames (links take turns): every
/// count changed on every frame, faster than anyone reads, and rewriting a hundred texts was
/// much of what the browser painted.
pub const BUSY_STAGGER: usize = 16;

/// The per-link counts drawn last (indexed by `from * (n + 1) + to`; 0 for none), and the
/// frames drawn so far (whose turn it is).
#[derive(Default)]
struct Counts {
    shown: Vec<usize>,
    frame: usize,
}

/// The SVG picture of the cluster.
#[component]
pub fn Cluster(props: &ClusterProps) -> Html {
    let v = &props.view;
    let n = v.nodes.len();
    let r = node_radius(n);

    let cut: Vec<(NodeId, NodeId)> = v.links.iter().map(|l| (l.from, l.to)).collect();
    // A storm puts thousands of messages on the wire: the view describes a few per link and
    // counts the rest, so a frame's drawing stays bounded whatever the traffic. Messages and
    // counts are keyed (the view lists each message once, and each link's count once): in a
    // list that is not keyed throughout, Yew pairs children by position, and as the oldest
    // messages arrive every message after them was rebuilt, each frame.
    let drawn = if props.storm { v.messages.len().min(BUSY_MESSAGES) } else { v.messages.len() };
    // The labels, worked out once per frame rather than once per message.
    let labels: Vec<(&str, String)> =
        v.message_counts.iter().map(|(k, _)| k.as_str()).zip(abbreviations(&v.message_counts)).collect();
    let mut shown = Vec::with_capacity(2 * drawn);
    for m in &v.messages[..drawn] {
        message(m, v.now, (n, r), &labels, props.storm, &mut shown);
    }
    // Counts per directed link, indexed by `from * (n + 1) + to`.
    let side = n + 1;
    let mut now = vec![0usize; side * side];
    for &(from, to, more) in &v.more {
        now[usize::from(from) * side + usize::from(to)] += more;
    }
    for m in &v.messages[drawn..] {
        now[usize::from(m.from) * side + usize::from(m.to)] += 1;
    }
    let counts = use_mut_ref(Counts::default);
    let mut counts = counts.borrow_mut();
    if counts.shown.len() != now.len() {
        counts.shown = vec![0; now.len()];
    }
    let (turn, turns) = if props.storm { (counts.frame % BUSY_STAGGER, BUSY_STAGGER) } else { (0, 1) };
    counts.frame += 1;
    for (link, (shown, &count)) in counts.shown.iter_mut().zip(&now).enumerate() {
        // A link's first count shows at once; only changes wait for the link's turn.
        if link % turns == turn || *shown == 0 {
            *shown = count;
        }
    }
    let more = counts.shown.iter().enumerate().filter(|(_, k)| **k > 0).map(|(link, &more)| {
        let (from, to) = ((link / side) as NodeId, (link % side) as NodeId);
        let (x1, y1) = node_xy(usize::from(from) - 1, n);
        let (x2, y2) = node_xy(usize::from(to) - 1, n);
        // Two thirds of the way along, so the two directions of a link do not overlap.
        let (x, y) = (x1 + (x2 - x1) * 0.62, y1 + (y2 - y1) * 0.62);
        // One text with a halo, not a badge: a storm counts on a hundred links at once, and
        // each badge's box doubled what the browser painted in a frame.
        html! {
            <text key={format!("more-{from}-{to}")} class="msg-more" x={f(x)} y={f(y + 4.0)} text-anchor="middle"
                data-more={more.to_string()}>{format!("+{more}")}</text>
        }
    });
    let messages = html! { <>{for shown}{for more}</> };
    let nodes = v
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let at = node_xy(i, n);
            let leads = partition_leads(v, node.id);
            let look = Look {
                r,
                now: v.now,
                term_label: v.term_label,
                crown: crown(v.algorithm),
                leads: &leads,
                storm: props.storm,
            };
            node_html(node, at, &look, props.selected == Some(node.id), &props.on_select)
        })
        .collect::<Html>();

    html! {
        <svg class="cluster" viewBox={format!("0 0 {0} {0}", election_core::fixed(SIZE, 0))} role="group"
            aria-label={format!("{} cluster of {} nodes at t={}", v.algorithm, n, election_core::fmt_time(v.now))}>
            <Links n={n} cut={cut} on_link={props.on_link.clone()} />
            <g class="messages">{messages}</g>
            <g class="nodes">{nodes}</g>
        </svg>
    }
}

#[derive(Properties, PartialEq)]
struct LinksProps {
    n: usize,
    /// The directed links that are cut.
    cut: Vec<(NodeId, NodeId)>,
    on_link: Callback<(NodeId, NodeId)>,
}

/// The links, a component of their own: they change only when one is cut or healed, and
/// rebuilding the 105 links of 15 nodes (labels, handlers) was part of every frame.
#[component]
fn Links(p: &LinksProps) -> Html {
    links_html(p.n, &p.cut, &p.on_link)
}

/// The links between the `n` nodes; `cut` lists the directed links that are cut.
fn links_html(n: usize, cut: &[(NodeId, NodeId)], on_link: &Callback<(NodeId, NodeId)>) -> Html {
    let cut = |a: NodeId, b: NodeId| cut.contains(&(a, b));
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
                let cb = on_link.clone();
                Callback::from(move |_| cb.emit((a, b)))
            };
            let onkeydown = {
                let cb = on_link.clone();
                Callback::from(move |e: KeyboardEvent| {
                    if e.key() == "Enter" || e.key() == " " {
                        e.prevent_default();
                        cb.emit((a, b));
                    }
                })
            };
            // The cut mark sits where messages stop: near the receiver of a one-way cut.
            let k = match (ab, ba) {
                (true, false) => 0.75,
                (false, true) => 0.25,
                _ => 0.5,
            };
            let (mx, my) = (x1 + (x2 - x1) * k, y1 + (y2 - y1) * k);
            links.push(html! {
                <g class={classes!("link", state)} data-link={format!("{a}-{b}")} onclick={onclick} onkeydown={onkeydown}
                    tabindex="0" role="button" aria-label={label.clone()}>
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

    html! { <g class="links">{links}</g> }
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

/// A message in flight: a dot, and its kind above it (heartbeats have none). Placed by its
/// coordinates rather than moved by a transform: a transform per message made each one a paint
/// chunk of its own, and moving them cost the browser more than drawing them. Its two elements
/// are keyed by the message, as siblings of the other messages' (see [`Cluster`]).
fn message(
    m: &MessageView,
    now: u64,
    (n, r): (usize, f64),
    labels: &[(&str, String)],
    storm: bool,
    out: &mut Vec<Html>,
) {
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
    // Where the message is on its way, for the tests of reduced motion (whose steps it
    // shows); gliding, it would be one more attribute written per message per frame.
    let progress = reduced_motion().then(|| election_core::fixed(p, 2));
    let key = format!("{}-{}-{}", m.id, m.to, m.deliver_at);
    // In a storm a message lives a frame or two: too short to read its label.
    if !m.heartbeat && !storm {
        out.push(html! {
            <text key={format!("{key}-label")} class="msg-label" x={f(x)} y={f(y - 11.0)} text-anchor="middle">{short_kind(m, labels)}</text>
        });
    }
    // Its tooltip, except in a storm: a message there lives a frame or two, too short to point
    // at, and the tooltips were two of the three elements a storm made and dropped per message.
    let title =
        (!storm).then(|| html! { <title>{format!("n{} → n{}: {}", m.from, m.to, m.summary)}</title> });
    out.push(html! {
        <circle key={key} class={class} data-kind={m.kind} data-progress={progress} cx={f(x)} cy={f(y)}
            r={if m.heartbeat { "5" } else { "8" }}>{title}</circle>
    });
}

/// What every node of the picture is drawn with.
struct Look<'a> {
    r: f64,
    now: u64,
    term_label: Option<&'static str>,
    /// The word above the leader's star.
    crown: &'static str,
    /// The partitions this node leads (Kafka), e.g. "p0, p2".
    leads: &'a str,
    /// A storm: timer rings drain in quarters (see `node_html`).
    storm: bool,
}

/// What the star over a leading node says, in each algorithm's words.
fn crown(algorithm: &str) -> &'static str {
    match algorithm {
        "Bully" => "★ coordinator",
        "Kafka" => "★ controller",
        a if a.starts_with("Lease") => "★ holds the lock",
        _ => "★ leader",
    }
}

/// Nodes that are a service rather than a contender (the lock service, the storage, Kafka's
/// ZooKeeper, the recipes' ZooKeeper, etcd and Redis instances): drawn as a box with their
/// name, not as a follower.
pub fn is_service(node: &NodeView) -> bool {
    matches!(node.tag.as_str(), "lock service" | "storage" | "ZooKeeper" | "etcd" | "Redis")
}

/// The partitions node `id` leads, from the algorithm's table ("p0, p1"; empty for none or
/// when the algorithm has no partitions).
pub fn partition_leads(v: &ClusterView, id: NodeId) -> String {
    let Some(panel) = &v.panel else { return String::new() };
    let Some(col) = panel.columns.iter().position(|c| c == "leader") else { return String::new() };
    if panel.columns.first().is_none_or(|c| c != "partition") {
        return String::new();
    }
    let me = format!("n{id}");
    panel
        .rows
        .iter()
        .filter(|r| r.get(col).is_some_and(|c| c.split(' ').next() == Some(me.as_str())))
        .filter_map(|r| r.first().cloned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn node_html(
    node: &NodeView,
    (x, y): (f64, f64),
    look: &Look<'_>,
    selected: bool,
    on_select: &Callback<Option<NodeId>>,
) -> Html {
    let Look { r, now, term_label, .. } = *look;
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
            // In a storm a timer may drain within a frame or two at 10x: drawn in quarters,
            // its ring changes a few times per election instead of on every frame.
            if reduced_motion() || look.storm {
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
    // A service (the lock service, the storage) is not a contender: no role, and it follows
    // nobody (its name read "lock service: follower, follows n4").
    let service = is_service(node);
    let state = match (node.liveness, service) {
        (Liveness::Up, true) => "running".to_string(),
        (Liveness::Up, false) => node.role.to_string(),
        (Liveness::Down, _) => "crashed".to_string(),
        (Liveness::Paused, true) => "paused".to_string(),
        (Liveness::Paused, false) => format!("paused {}", node.role),
    };
    let label = format!(
        "n{id}{}: {state}{}{}",
        if node.tag.is_empty() { String::new() } else { format!(" ({})", node.tag) },
        term_label.map(|l| format!(", {l} {}", node.term)).unwrap_or_default(),
        node.leader.filter(|_| !service).map(|l| format!(", follows n{l}")).unwrap_or_default()
    );
    let clock =
        term_label.map(|l| format!("{}{}", l.chars().next().unwrap_or('T').to_ascii_uppercase(), node.term));
    let letter = match node.liveness {
        Liveness::Down => "✕".to_string(),
        _ => node.role.letter().to_string(),
    };
    let mut sub = vec![letter.clone()];
    sub.extend(clock);
    let sub = if service && node.liveness != Liveness::Down { String::new() } else { sub.join(" · ") };
    // Votes get a line of their own, inside the circle only where there is room for it.
    let votes = (matches!(node.role, Role::Candidate | Role::PreCandidate)
        && node.liveness != Liveness::Down
        && !node.votes.is_empty()
        && r >= 30.0)
        .then(|| match node.votes.len() {
            1 => "1 vote".to_string(),
            k => format!("{k} votes"),
        });
    let job = node.details.iter().find(|(k, _)| k == "job in progress").map(|(_, v)| v.clone());
    html! {
        <g class={classes!("node", class, service.then_some("service"), (node.liveness == Liveness::Paused).then_some("paused"), selected.then_some("selected"))}
            transform={format!("translate({},{})", f(x), f(y))}
            data-id={id.to_string()} data-role={node.role.name()}
            data-liveness={match node.liveness { Liveness::Up => "up", Liveness::Down => "down", Liveness::Paused => "paused" }}
            data-term={node.term.to_string()}
            tabindex="0" role="button" aria-label={label.clone()} aria-pressed={selected.to_string()}
            onclick={onclick} onkeydown={onkeydown}>
            <title>{label}</title>
            {timer}
            if service {
                <rect class="body" x={f(-r)} y={f(-r * 0.8)} width={f(2.0 * r)} height={f(1.6 * r)} rx="8" />
            } else {
                <circle class="body" r={f(r)} />
            }
            <text class="name" y="-6" text-anchor="middle">{format!("n{id}")}</text>
            if service {
                <text class="role-letter" y={f(r * 0.4)} text-anchor="middle">{node.tag.clone()}</text>
            } else {
                <text class="role-letter" y={f(r * 0.4)} text-anchor="middle">{sub}</text>
            }
            if let Some(v) = votes {
                <text class="votes" y={f(r * 0.4 + 12.0)} text-anchor="middle">{v}</text>
            }
            if !node.tag.is_empty() && !service {
                <text class="tag" y={f(r + 14.0)} text-anchor="middle">{node.tag.clone()}</text>
            }
            if !look.leads.is_empty() {
                <text class="leads" y={f(r + 28.0)} text-anchor="middle" data-leads={look.leads.to_string()}>{format!("leads {}", look.leads)}</text>
            }
            if let Some(j) = job {
                <text class="job" y={f(r + 28.0)} text-anchor="middle" data-testid="job" data-job={j}>{"⚙ running the job"}</text>
            }
            if node.liveness == Liveness::Paused {
                <text class="pause-mark" y={f(r + 16.0)} text-anchor="middle">{"PAUSED"}</text>
            }
            if node.role == Role::Leader && node.liveness != Liveness::Down {
                <text class="crown" y={f(-r - 12.0)} text-anchor="middle">{look.crown}</text>
            }
        </g>
    }
}

/// What the picture's letters, abbreviations and rings mean, for `view`. Written as one piece
/// of markup rather than as elements: it is mostly fixed text, and element by element it cost
/// the first download kilobytes of code. (Everything in it is the page's or the simulator's
/// own words: message kinds and term names are identifiers, so nothing needs escaping.)
pub fn legend(view: &ClusterView) -> Html {
    let mut s = String::from(
        "<details class=\"legend\" open><summary>Legend</summary><ul>\
<li><span class=\"swatch follower\" aria-hidden=\"true\"></span><b>F</b> follower</li>\
<li><span class=\"swatch precandidate\" aria-hidden=\"true\"></span><b>P</b> pre-candidate</li>\
<li><span class=\"swatch candidate\" aria-hidden=\"true\"></span><b>C</b> candidate</li>\
<li><span class=\"swatch leader\" aria-hidden=\"true\"></span><b>L</b> leader</li>\
<li><span class=\"swatch down\" aria-hidden=\"true\"></span><b>✕</b> crashed</li>",
    );
    if view.nodes.iter().any(is_service) {
        s.push_str("<li><span class=\"swatch service box\" aria-hidden=\"true\"></span>a service, not a contender</li>");
    }
    if let Some(l) = view.term_label {
        let letter = l.chars().next().unwrap_or('T').to_ascii_uppercase();
        s.push_str(&format!("<li><b>{letter}</b>3 = {l} 3</li>"));
    }
    s.push_str(
        "<li><span class=\"ring\" aria-hidden=\"true\"></span>draining ring: time left before the node's timer fires</li>\
<li><b>HB</b> heartbeat (small dots); a red dot is lost</li>",
    );
    let abbreviations: Vec<String> = view
        .message_counts
        .iter()
        .zip(abbreviations(&view.message_counts))
        .map(|((k, _), short)| if short == *k { short } else { format!("{short} {k}") })
        .collect();
    if !abbreviations.is_empty() {
        s.push_str(&format!("<li>{}</li>", abbreviations.join(" · ")));
    }
    s.push_str("</ul></details>");
    Html::from_html_unchecked(AttrValue::from(s))
}

#[cfg(test)]
mod tests {
    use super::abbreviations;

    /// The label of `kind` among the run's `names`.
    fn label(kind: &str, names: &[&str]) -> String {
        let kinds: Vec<(String, u64)> = names.iter().map(|k| (k.to_string(), 1)).collect();
        let at = names.iter().position(|k| *k == kind).expect("a kind of the run");
        abbreviations(&kinds).swap_remove(at)
    }

    #[test]
    fn a_label_is_the_capitals_unless_another_kind_of_the_run_shares_them() {
        let raft = ["AppendEntries", "AppendEntriesResponse", "RequestVote", "Vote"];
        assert_eq!(label("AppendEntriesResponse", &raft), "AER");
        assert_eq!(label("RequestVote", &raft), "RV");
        // Paxos: Prepare and Promise were both "P" in the picture and the legend.
        let paxos = ["Prepare", "Promise", "Accept", "Nack"];
        assert_eq!(label("Prepare", &paxos), "Prepare");
        assert_eq!(label("Promise", &paxos), "Promise");
        assert_eq!(label("Accept", &paxos), "A");
        assert_eq!(label("Accept", &["Accept", "Accepted"]), "Accept");
        // A kind without capitals is its own label.
        assert_eq!(label("ping", &["ping"]), "ping");
    }
}
