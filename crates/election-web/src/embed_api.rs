//! The embedding API: a course page that frames the lab drives it and hears from it over
//! `postMessage` (version [`VERSION`], documented in the README, "Embedding API").
//!
//! Every message either way is an object `{ "lab": 1, "type": ..., ... }`.
//! * Commands, host to lab: `load {script}`, `tour {name}`, `play`, `pause`, `seek {t_us}`,
//!   `speed {x}`, `select {node}` (`null` closes the inspector).
//! * Events, lab to host: `ready {version}`, `state {t_us, leader, terms}` (when the leader or a
//!   term changes, and after each command), `leader {node, term}`, `violation {what}`,
//!   `answer {tour, question, choice, correct}`, `tour-finished {score, of}`, `error {message}`.
//!
//! A message is untrusted input: the lab acts only on messages from the window that frames it
//! and, with `?host=<origin>` in its address, only from that origin (to which it then also
//! addresses its events). Each command is checked against its shape here ([`command`]); a
//! malformed one is answered with an `error` event, and nothing in a message is ever run.

use election_core::{Micros, NodeId};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::JsValue;

use crate::state::SPEEDS;

/// The API's version, the `lab` field of every message.
pub const VERSION: u32 = 1;

/// Longest time `seek` accepts (a simulated day, as share links).
const MAX_SEEK_US: f64 = 86_400_000_000.0;

/// A command from the host page, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Load a session from a scenario script.
    Load(String),
    /// Start the listed tour at this path (under `tests/scenarios/`).
    Tour(String),
    /// Play.
    Play,
    /// Pause.
    Pause,
    /// Move the cursor.
    Seek(Micros),
    /// Set the speed: an index into [`SPEEDS`].
    Speed(usize),
    /// Select a node, or none.
    Select(Option<NodeId>),
}

/// A field of a message, as the checks see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// Absent or `undefined`.
    Missing,
    /// `null`.
    Null,
    /// A string.
    Text(String),
    /// A number.
    Number(f64),
    /// Anything else (an object, an array, a boolean).
    Other,
}

impl Field {
    fn of(v: JsValue) -> Field {
        if v.is_undefined() {
            Field::Missing
        } else if v.is_null() {
            Field::Null
        } else if let Some(s) = v.as_string() {
            Field::Text(s)
        } else if let Some(n) = v.as_f64() {
            Field::Number(n)
        } else {
            Field::Other
        }
    }
}

/// Checks a message against the commands' shapes; `field(name)` reads one of its fields,
/// `nodes` is the cluster's size. The error says what is wrong, for the host's developer.
pub fn command(field: impl Fn(&str) -> Field, nodes: usize) -> Result<Command, String> {
    if field("lab") != Field::Number(f64::from(VERSION)) {
        return Err(format!("every message needs \"lab\": {VERSION} (the API version)"));
    }
    let text = |name: &str| match field(name) {
        Field::Text(s) => Ok(s),
        _ => Err(format!("{name} must be a string")),
    };
    let number = |name: &str| match field(name) {
        Field::Number(n) if n.is_finite() => Ok(n),
        _ => Err(format!("{name} must be a number")),
    };
    let Field::Text(kind) = field("type") else {
        return Err("a message needs a \"type\" string".into());
    };
    Ok(match kind.as_str() {
        "load" => Command::Load(text("script")?),
        "tour" => Command::Tour(text("name")?),
        "play" => Command::Play,
        "pause" => Command::Pause,
        "seek" => {
            let t = number("t_us")?;
            if !(0.0..=MAX_SEEK_US).contains(&t) || t.fract() != 0.0 {
                return Err("t_us must be a whole number of microseconds from 0 to one day".into());
            }
            Command::Seek(t as Micros)
        }
        "speed" => {
            let x = number("x")?;
            let i = SPEEDS.iter().position(|(_, s)| *s == x).ok_or_else(|| {
                let offered: Vec<&str> = SPEEDS.iter().map(|(l, _)| l.trim_end_matches('x')).collect();
                format!("x must be one of {}", offered.join(", "))
            })?;
            Command::Speed(i)
        }
        "select" => match field("node") {
            Field::Null | Field::Missing => Command::Select(None),
            Field::Number(n) if n.fract() == 0.0 && n >= 1.0 && n <= nodes as f64 => {
                Command::Select(Some(n as NodeId))
            }
            _ => return Err(format!("node must be a node of the cluster, 1 to {nodes}, or null")),
        },
        other => {
            return Err(format!(
                "unknown type \"{other}\" (commands: load, tour, play, pause, seek, speed, select)"
            ));
        }
    })
}

/// `text` as a JSON string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A node as JSON: its number, or `null`.
fn node(n: Option<NodeId>) -> String {
    n.map_or("null".into(), |n| n.to_string())
}

/// The window that frames the lab, if it is framed.
fn parent() -> Option<web_sys::Window> {
    let w = web_sys::window()?;
    let p = w.parent().ok()??;
    (!js_sys::Object::is(&p, &w)).then_some(p)
}

/// The origin named by `?host=`, if any.
fn host() -> Option<String> {
    crate::browser::query_param("host").filter(|h| !h.is_empty())
}

/// Whether the lab is framed: only then does it listen and speak.
pub fn framed() -> bool {
    parent().is_some()
}

/// Posts the event `kind` with `fields` (JSON members, e.g. `"node":3,"term":2`) to the framing
/// window (to `?host=`'s origin only, when given).
pub fn post(kind: &str, fields: &str) {
    let Some(p) = parent() else { return };
    let sep = if fields.is_empty() { "" } else { "," };
    let text = format!("{{\"lab\":{VERSION},\"type\":{}{sep}{fields}}}", quote(kind));
    if let Ok(message) = js_sys::JSON::parse(&text) {
        let _ = p.post_message(&message, host().as_deref().unwrap_or("*"));
    }
}

/// Listens for the host's commands while alive (dropping it stops listening).
pub struct Listener {
    closure: Closure<dyn Fn(web_sys::MessageEvent)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("message", self.closure.as_ref().unchecked_ref());
        }
    }
}

/// Calls `f` with each message from the framing window (and `?host=`'s origin), read as a
/// command or as why it is not one; `nodes()` is the cluster's size at that moment.
pub fn listen(
    nodes: impl Fn() -> usize + 'static,
    f: impl Fn(Result<Command, String>) + 'static,
) -> Option<Listener> {
    let w = web_sys::window()?;
    let closure = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let from_parent = parent().zip(e.source()).is_some_and(|(p, s)| js_sys::Object::is(&p, &s));
        if !from_parent || host().is_some_and(|h| h != e.origin()) {
            return;
        }
        let data = e.data();
        if !data.is_object() {
            f(Err("a message must be an object { lab: 1, type: ... }".into()));
            return;
        }
        f(command(
            |k| Field::of(js_sys::Reflect::get(&data, &JsValue::from_str(k)).unwrap_or_default()),
            nodes(),
        ));
    });
    w.add_event_listener_with_callback("message", closure.as_ref().unchecked_ref()).ok()?;
    Some(Listener { closure })
}

/// Carries out a host's command in the lab (or answers why not with an `error` event).
pub fn run(
    lab: &yew::UseReducerDispatcher<crate::state::Lab>,
    on_tour: &yew::Callback<Option<String>>,
    command: Result<Command, String>,
) {
    use crate::state::Action;
    let fail = |message: String| post("error", &format!("\"message\":{}", quote(&message)));
    match command {
        Err(e) => fail(e),
        Ok(Command::Load(script)) if crate::full::needed_by(&script).is_some() => {
            // The lab with every algorithm reads it; the host hears `ready` again.
            crate::full::open_playing(&script);
        }
        Ok(Command::Load(script)) => match election_core::scenario::spec_from_script(&script) {
            Ok(spec) => lab.dispatch(Action::Load(spec)),
            Err(e) => fail(format!("the script could not be loaded: {e}")),
        },
        Ok(Command::Tour(name)) if crate::scenarios::TOURS.iter().any(|t| t.0 == name) => {
            on_tour.emit(Some(name));
        }
        Ok(Command::Tour(name)) => fail(format!("no tour named \"{name}\"")),
        Ok(Command::Play) => lab.dispatch(Action::Play(true)),
        Ok(Command::Pause) => lab.dispatch(Action::Play(false)),
        Ok(Command::Seek(t)) => lab.dispatch(Action::Seek(t)),
        Ok(Command::Speed(i)) => lab.dispatch(Action::SetSpeed(i)),
        Ok(Command::Select(node)) => lab.dispatch(Action::Select(node)),
    }
}

/// What the host hears about, read from the lab at each render; [`ApiState::report`] posts
/// what changed.
#[derive(Clone, PartialEq)]
pub struct ApiState {
    t_us: Micros,
    leader: Option<NodeId>,
    terms: Vec<u64>,
    violations: usize,
    /// The session, to read the newest violation's text from when the count grows.
    engine: crate::state::SameEngine,
    /// The tour, compared by identity.
    tour: Option<SameTour>,
    /// The tour's answers by step.
    answers: election_core::collections::Map<usize, String>,
    /// Whether the tour has played to its end.
    finished: bool,
}

/// A tour compared by identity (a new tour is a new `Rc`).
#[derive(Clone)]
struct SameTour(std::rc::Rc<crate::state::ActiveTour>);

impl PartialEq for SameTour {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

impl ApiState {
    /// The lab's state now.
    pub fn of(lab: &crate::state::Lab, view: &election_core::ClusterView) -> ApiState {
        ApiState {
            t_us: view.now,
            leader: view.stable_leader,
            terms: view.nodes.iter().map(|n| n.term).collect(),
            violations: view.violations,
            engine: crate::state::SameEngine(lab.engine.clone()),
            tour: lab.tour.clone().map(SameTour),
            answers: lab.answers.clone(),
            finished: lab.tour.as_ref().is_some_and(|t| view.now >= t.tour.end),
        }
    }

    /// Posts the events from `before` to `self`, and the state when it changed or `asked`.
    pub fn report(&self, before: Option<&ApiState>, asked: bool) {
        let terms = self.terms.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        if asked || before.is_none_or(|b| b.leader != self.leader || b.terms != self.terms) {
            let state =
                format!("\"t_us\":{},\"leader\":{},\"terms\":[{terms}]", self.t_us, node(self.leader));
            post("state", &state);
        }
        let Some(b) = before else { return };
        if b.leader != self.leader {
            let term = self.leader.and_then(|l| self.terms.get(usize::from(l) - 1)).copied().unwrap_or(0);
            post("leader", &format!("\"node\":{},\"term\":{term}", node(self.leader)));
        }
        if self.violations > b.violations && b.engine == self.engine {
            let what = self.engine.0.borrow().trace().iter().rev().find_map(|e| match &e.kind {
                election_core::TraceKind::Violation { text } => Some(text.clone()),
                _ => None,
            });
            post("violation", &format!("\"what\":{}", quote(&what.unwrap_or_default())));
        }
        let Some(tour) = &self.tour else { return };
        let (path, steps) = (quote(&tour.0.path), &tour.0.tour.steps);
        let same = b.tour == self.tour;
        for (step, choice) in self.answers.iter() {
            let Some(q) = steps.get(*step).and_then(|s| s.question.as_ref()) else { continue };
            if same && b.answers.get(step).is_some() {
                continue;
            }
            let correct = *choice == q.answer;
            let fields = format!(
                "\"tour\":{path},\"question\":{},\"choice\":{},\"correct\":{correct}",
                quote(&q.text),
                quote(choice)
            );
            post("answer", &fields);
        }
        if self.finished && !(same && b.finished) {
            let right = self
                .answers
                .iter()
                .filter(|(i, c)| {
                    steps.get(**i).and_then(|s| s.question.as_ref()).is_some_and(|q| q.answer == **c)
                })
                .count();
            let of = steps.iter().filter(|s| s.question.is_some()).count();
            post("tour-finished", &format!("\"tour\":{path},\"score\":{right},\"of\":{of}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(fields: &[(&str, Field)]) -> Result<Command, String> {
        let fields = fields.to_vec();
        command(move |k| fields.iter().find(|(n, _)| *n == k).map_or(Field::Missing, |(_, v)| v.clone()), 5)
    }

    fn msg(kind: &str, extra: &[(&'static str, Field)]) -> Vec<(&'static str, Field)> {
        let mut v = vec![("lab", Field::Number(1.0)), ("type", Field::Text(kind.into()))];
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn strings_are_quoted_as_json() {
        assert_eq!(quote("n1 said \"hi\"\\\n"), "\"n1 said \\\"hi\\\"\\\\\\u000a\"");
    }

    #[test]
    fn the_documented_commands_are_read() {
        let text = |s: &str| Field::Text(s.into());
        assert_eq!(
            read(&msg("load", &[("script", text("config algo=raft nodes=3 seed=1"))])),
            Ok(Command::Load("config algo=raft nodes=3 seed=1".into()))
        );
        assert_eq!(
            read(&msg("tour", &[("name", text("tours/09-raft-split-vote.txt"))])),
            Ok(Command::Tour("tours/09-raft-split-vote.txt".into()))
        );
        assert_eq!(read(&msg("play", &[])), Ok(Command::Play));
        assert_eq!(read(&msg("pause", &[])), Ok(Command::Pause));
        assert_eq!(read(&msg("seek", &[("t_us", Field::Number(1_500_000.0))])), Ok(Command::Seek(1_500_000)));
        assert_eq!(read(&msg("speed", &[("x", Field::Number(10.0))])), Ok(Command::Speed(9)));
        assert_eq!(read(&msg("speed", &[("x", Field::Number(0.05))])), Ok(Command::Speed(2)));
        assert_eq!(read(&msg("select", &[("node", Field::Number(5.0))])), Ok(Command::Select(Some(5))));
        assert_eq!(read(&msg("select", &[("node", Field::Null)])), Ok(Command::Select(None)));
    }

    #[test]
    fn malformed_messages_say_what_is_wrong() {
        let err = |fields: &[(&str, Field)]| read(fields).unwrap_err();
        assert!(err(&[("type", Field::Text("play".into()))]).contains("\"lab\": 1"));
        assert!(
            err(&[("lab", Field::Number(2.0)), ("type", Field::Text("play".into()))]).contains("\"lab\": 1")
        );
        assert!(err(&[("lab", Field::Number(1.0))]).contains("\"type\""));
        assert!(err(&msg("eval", &[])).contains("unknown type \"eval\""));
        assert!(err(&msg("load", &[])).contains("script must be a string"));
        assert!(err(&msg("load", &[("script", Field::Other)])).contains("script must be a string"));
        assert!(err(&msg("seek", &[("t_us", Field::Number(-1.0))])).contains("from 0 to one day"));
        assert!(err(&msg("seek", &[("t_us", Field::Number(0.5))])).contains("whole number"));
        assert!(err(&msg("seek", &[("t_us", Field::Number(f64::NAN))])).contains("t_us must be a number"));
        assert!(err(&msg("seek", &[("t_us", Field::Text("10".into()))])).contains("t_us must be a number"));
        assert!(err(&msg("speed", &[("x", Field::Number(3.0))])).contains("0.01, 0.02, 0.05"));
        assert!(err(&msg("select", &[("node", Field::Number(6.0))])).contains("1 to 5"));
        assert!(err(&msg("select", &[("node", Field::Number(0.0))])).contains("1 to 5"));
        assert!(err(&msg("select", &[("node", Field::Text("n1".into()))])).contains("or null"));
    }
}
