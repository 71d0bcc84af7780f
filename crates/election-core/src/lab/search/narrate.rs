//! A counterexample as a scenario script: the `config` line, each input as a command, and
//! generated narration between them ("n1 crashes", "n5 won the election for term 3 with
//! votes from n3, n4, n5").

use crate::engine::input::{Input, Request};
use crate::engine::time::{Micros, NodeId, fmt_time};
use crate::engine::trace::{TraceEvent, TraceKind};
use crate::lab::scenario::{run_script, spec_to_script};
use crate::lab::search::space::run_spec;
use crate::lab::spec::SessionSpec;

/// Narration lines kept between two inputs at most (besides chosen draws).
const LINES_PER_GAP: usize = 8;

/// How the engine ends the note of a chosen draw.
const CHOSEN: &str = "(chosen)";

/// What an input does, in words.
pub fn describe_input(input: &Input) -> String {
    let group = |g: &[NodeId]| g.iter().map(|n| format!("n{n}")).collect::<Vec<_>>().join(", ");
    match input {
        Input::Crash { node } => format!("n{node} crashes"),
        Input::Restart { node } => format!("n{node} restarts"),
        Input::Pause { node, for_us: Some(d) } => format!("n{node} stalls for {} (a GC pause)", fmt_time(*d)),
        Input::Pause { node, for_us: None } => format!("n{node} stalls (a GC pause)"),
        Input::Resume { node } => format!("n{node} resumes"),
        Input::Partition { groups } => {
            let sides: Vec<String> = groups.iter().filter(|g| !g.is_empty()).map(|g| group(g)).collect();
            format!("the network splits: {}", sides.join(" | "))
        }
        Input::HealAll => "every link heals".to_string(),
        Input::Request { node, request: Request::ClientWrite { value } } => {
            format!("a client writes x={value} to n{node}")
        }
        Input::Request { node, request: Request::Timeout } => {
            format!("n{node}'s election timer is forced to fire")
        }
        Input::Cut { from, to, both: false } => {
            format!("the link n{from} -> n{to} is cut one way (n{to} still reaches n{from})")
        }
        other => other.to_string(),
    }
}

/// The notable events of `trace` from `from` up to the next input, in words: leader changes
/// (with the algorithm's own note of how it won), commits and acknowledgements, violations.
fn notable(trace: &[TraceEvent], from: usize) -> (Vec<String>, usize) {
    let mut lines = Vec::new();
    let mut i = from;
    while i < trace.len() {
        let e = &trace[i];
        match &e.kind {
            TraceKind::Input { .. } => break,
            TraceKind::Role { node, to, term, label, .. } if to.is_leader() => {
                let note = trace[i + 1..].iter().take_while(|n| n.t == e.t).find_map(|n| match &n.kind {
                    TraceKind::Note { node: m, text } if m == node => Some(text.clone()),
                    _ => None,
                });
                lines.push(match (note, term) {
                    (Some(text), _) => format!("n{node} {text}"),
                    (None, Some(t)) => format!("n{node} becomes leader ({label} {t})"),
                    (None, None) => format!("n{node} becomes leader"),
                });
            }
            TraceKind::Note { node, text }
                if ["commit", "chosen", "acknowledges", "elects", "accepts n", "grants", CHOSEN]
                    .iter()
                    .any(|w| text.contains(w)) =>
            {
                lines.push(format!("n{node} {text}"))
            }
            TraceKind::Violation { text } => lines.push(format!("VIOLATION: {text}")),
            _ => {}
        }
        i += 1;
    }
    if lines.len() > LINES_PER_GAP {
        let cut = lines.len() - LINES_PER_GAP;
        // Chosen draws are the counterexample's own moves: the middle keeps them, and each
        // run of other lines it drops becomes one "...".
        let mut middle: Vec<String> = Vec::new();
        for l in lines.drain(LINES_PER_GAP / 2..LINES_PER_GAP / 2 + cut) {
            if l.ends_with(CHOSEN) {
                middle.push(l);
            } else if middle.last().is_none_or(|m| m != "...") {
                middle.push("...".to_string());
            }
        }
        lines.splice(LINES_PER_GAP / 2..LINES_PER_GAP / 2, middle);
    }
    (lines, i)
}

/// `spec` up to `end` as a scenario script with narration, its outputs filled in by running
/// it (a golden file as it stands). `header` lines open it as comments (the first is the
/// title a tour shows).
pub fn narrate(spec: &SessionSpec, end: Micros, header: &[String]) -> String {
    let mut text = String::new();
    for h in header {
        text.push_str("# ");
        text.push_str(h);
        text.push('\n');
    }
    let script = spec_to_script(spec);
    let mut lines = script.lines();
    text.push_str(lines.next().unwrap_or_default());
    text.push('\n');
    // The choices open the run (they fix draws from its start); the trace narrates each
    // where it takes effect.
    for c in &spec.choices {
        text.push_str(&format!("\n# {}\nchoose {c}\n", c.describe()));
    }
    // The commands in input order (`run until=` lines dropped: the narration places its own).
    let commands: Vec<&str> =
        lines.filter(|l| !l.starts_with("run until=") && !l.starts_with("choose ")).collect();
    let trace: Vec<TraceEvent> = run_spec(spec, end, true).map(|s| s.trace().to_vec()).unwrap_or_default();
    let mut at = 0;
    let mut i = 0;
    let mut input = 0;
    loop {
        let (story, next) = notable(&trace, i);
        i = next;
        let Some(e) = trace.get(i) else {
            text.push('\n');
            for l in &story {
                text.push_str(&format!("# {l}\n"));
            }
            text.push_str(&format!("run until={end}us show=roles\n"));
            break;
        };
        if let TraceKind::Input { input: inp } = &e.kind {
            if e.t > at || !story.is_empty() {
                text.push('\n');
                for l in &story {
                    text.push_str(&format!("# {l}\n"));
                }
                text.push_str(&format!("run until={}us show=roles\n", e.t));
                at = e.t;
            }
            text.push_str(&format!("\n# {}\n", describe_input(inp)));
            text.push_str(commands.get(input).copied().unwrap_or_default());
            text.push('\n');
            input += 1;
        }
        i += 1;
    }
    run_script(&text).0
}
