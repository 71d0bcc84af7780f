//! Running a scenario: [`Runner`] executes commands against one session and prints what
//! happened; [`run_script`] runs a whole file, as the golden tests do.

use std::fmt::Write as _;

use crate::engine::choice::validate_choices;
use crate::engine::error::Error;
use crate::engine::input::{Input, TimedInput};
use crate::engine::limits::{Budget, MAX_SESSION_BYTES, check_inputs, check_size, check_time};
use crate::engine::time::{Micros, fmt_time};
use crate::engine::view::Liveness;
use crate::lab::spec::{AnySession, SessionSpec};

use super::command::{ActRef, Command, NodeArg, Show, err, fixed_input, parse_command};
use super::script::parse_script;

/// Runs scenario commands against one session; with `PRINT` false it prints nothing (reading
/// a script as a session, or a tour), which is a type rather than a flag so that the page's
/// first download, which only reads scripts, carries none of the printing code.
#[derive(Debug)]
pub struct Runner<const PRINT: bool = true> {
    session: Option<AnySession>,
    printed: usize,
    counted: Vec<(String, u64)>,
    /// Simulated events the script may still run: a script is untrusted input.
    budget: Budget,
}

impl<const PRINT: bool> Default for Runner<PRINT> {
    fn default() -> Self {
        Runner { session: None, printed: 0, counted: Vec::new(), budget: Budget::REPLAY }
    }
}

/// A runner that records nothing to print: for reading a script as a session.
pub(super) type Quiet = Runner<false>;

impl Runner {
    /// A runner with no session yet.
    pub fn new() -> Self {
        Runner::default()
    }
}

impl<const PRINT: bool> Runner<PRINT> {
    /// The session, once `config` has run.
    pub fn session(&self) -> Option<&AnySession> {
        self.session.as_ref()
    }

    fn session_mut(&mut self, line: usize) -> Result<&mut AnySession, Error> {
        self.session.as_mut().ok_or_else(|| err(line, "run 'config' first"))
    }

    /// Runs `f` on the session within what is left of the script's budget, and charges it.
    fn run<T>(
        &mut self,
        line: usize,
        f: impl FnOnce(&mut AnySession, Budget) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let budget = self.budget;
        let s = self.session_mut(line)?;
        let before = s.steps();
        let result = f(s, budget);
        let spent = s.steps().saturating_sub(before);
        self.budget.events = self.budget.events.saturating_sub(spent);
        result.map_err(|e| err(line, e.to_string()))
    }

    fn to_input(&self, line: usize, a: &ActRef) -> Result<Input, Error> {
        if let ActRef::Network(p) = a {
            let mut net = self.session.as_ref().map(|s| s.current_net()).unwrap_or_default();
            p.apply(&mut net);
            return Ok(Input::Network { net });
        }
        let leader = self.session.as_ref().and_then(AnySession::stable_leader);
        fixed_input(a, |r| match r {
            NodeArg::Id(n) => Some(*n),
            NodeArg::Leader => leader,
        })
        .ok_or_else(|| err(line, "there is no leader right now"))
    }

    fn new_trace(&mut self, show: Show) -> Vec<String> {
        let Some(s) = &self.session else {
            return Vec::new();
        };
        if !PRINT {
            return Vec::new();
        }
        let trace = s.trace();
        let out = trace[self.printed.min(trace.len())..]
            .iter()
            .filter(|e| show.keeps(e))
            .map(ToString::to_string)
            .collect();
        self.printed = trace.len();
        out
    }

    /// Executes one command line and returns its output lines.
    pub fn exec(&mut self, line: usize, text: &str) -> Result<Vec<String>, Error> {
        match parse_command(line, text)? {
            Command::Config(spec) => {
                let summary = if PRINT { vec![describe_spec(&spec)] } else { Vec::new() };
                self.session = Some(AnySession::new(spec)?);
                self.printed = 0;
                self.counted.clear();
                Ok(summary)
            }
            Command::Choose(choice) => {
                let s = self.session_mut(line)?;
                if s.horizon() > 0 || !s.inputs().is_empty() {
                    return Err(err(line, CHOOSE_FIRST));
                }
                // The choices shape the run from its first event: the session starts again
                // with this one added.
                let mut spec = s.spec();
                spec.choices.push(choice);
                spec.validate().map_err(|e| err(line, e.to_string()))?;
                self.session = Some(AnySession::new(spec)?);
                self.printed = 0;
                Ok(if PRINT { vec![choice.describe()] } else { Vec::new() })
            }
            Command::RunFor { d, show } => {
                let s = self.session_mut(line)?;
                let t = check_time("a run ending", s.now().saturating_add(d))
                    .map_err(|e| err(line, e.to_string()))?;
                self.run(line, |s, budget| s.advance_within(t, budget))?;
                Ok(self.new_trace(show))
            }
            Command::RunUntilNewLeader { max, show } => {
                let s = self.session_mut(line)?;
                let deadline = check_time("a wait for a new leader ending", s.now().saturating_add(max))
                    .map_err(|e| err(line, e.to_string()))?;
                if self.run(line, |s, budget| s.advance_until_new_leader_within(deadline, budget))?.is_none()
                {
                    return Err(err(
                        line,
                        format!("no new leader within {} (the story changed?)", fmt_time(max)),
                    ));
                }
                Ok(self.new_trace(show))
            }
            Command::RunUntil { t, show } => {
                let s = self.session_mut(line)?;
                if t < s.now() {
                    return Err(err(line, format!("time {} is already past", fmt_time(t))));
                }
                self.run(line, |s, budget| s.advance_within(t, budget))?;
                Ok(self.new_trace(show))
            }
            Command::Act(a) => {
                self.session_mut(line)?;
                let input = self.to_input(line, &a)?;
                self.session_mut(line)?.act(input)?;
                Ok(self.new_trace(Show::Default))
            }
            // What follows only prints.
            Command::Status | Command::Leader | Command::Hash | Command::Messages if !PRINT => {
                self.session_mut(line)?;
                Ok(Vec::new())
            }
            Command::Status => Ok(status_lines(self.session_mut(line)?)),
            Command::Leader => {
                let s = self.session_mut(line)?;
                let v = s.view();
                Ok(vec![match (s.stable_leader(), v.term_label) {
                    (Some(l), Some(label)) => format!("n{l} ({label} {})", v.nodes[usize::from(l) - 1].term),
                    (Some(l), None) => format!("n{l}"),
                    (None, _) => "none".to_string(),
                }])
            }
            Command::Hash => Ok(vec![format!("{:016x}", self.session_mut(line)?.trace_hash())]),
            Command::Messages => {
                let counts = self.session_mut(line)?.view().message_counts;
                let before = std::mem::replace(&mut self.counted, counts.clone());
                let mut out = Vec::new();
                let mut total = 0;
                for (k, n) in counts {
                    let prev = before.iter().find(|(b, _)| *b == k).map_or(0, |(_, c)| *c);
                    if n > prev {
                        out.push(format!("{k}: {}", n - prev));
                        total += n - prev;
                    }
                }
                out.push(format!("total: {total}"));
                Ok(out)
            }
        }
    }
}

/// Why a `choose` line is refused after time has passed or an input was given.
const CHOOSE_FIRST: &str =
    "choose lines come right after config, before any run or input: a choice fixes a draw of the whole run";

/// One line summarising a spec, as `config` prints it.
pub fn describe_spec(spec: &SessionSpec) -> String {
    let mut s =
        format!("{} nodes={} seed={} {}", spec.algorithm(), spec.nodes, spec.seed, spec.config.summary());
    let n = &spec.net;
    let _ = write!(s, " latency={}..{}", fmt_time(n.latency_us_min), fmt_time(n.latency_us_max));
    if !spec.clocks.is_off() {
        let _ = write!(s, " drift={}ppm", spec.clocks.drift_ppm);
    }
    if n.loss_ppm > 0 {
        let _ = write!(s, " loss={}ppm", n.loss_ppm);
    }
    if n.duplicate_ppm > 0 {
        let _ = write!(s, " duplicate={}ppm", n.duplicate_ppm);
    }
    s
}

/// One line per node: liveness, role, term, leader, vote, log and commit.
pub fn status_lines(s: &AnySession) -> Vec<String> {
    let v = s.view();
    v.nodes
        .iter()
        .map(|n| {
            let live = match n.liveness {
                Liveness::Up => "up",
                Liveness::Down => "down",
                Liveness::Paused => "paused",
            };
            let mut line = format!("n{} {live}", n.id);
            if !n.tag.is_empty() {
                let _ = write!(line, " {}", n.tag);
            }
            let _ = write!(line, " {}", n.role);
            if let Some(label) = v.term_label {
                let _ = write!(line, " {label}={}", n.term);
            }
            let _ = write!(line, " leader={}", n.leader.map_or("-".to_string(), |x| format!("n{x}")));
            if !n.summary.is_empty() {
                let _ = write!(line, " {}", n.summary);
            }
            line
        })
        .collect()
}

/// Runs a whole scenario. Returns the file as it should be (outputs replaced by what
/// happened), and the runner, for further checks. A command that fails prints `error: ...`
/// as its output, so golden files can also pin error messages.
pub fn run_script(text: &str) -> (String, Runner) {
    let script = parse_script(text);
    let mut runner = Runner::new();
    let mut out = String::new();
    for b in &script.blocks {
        for p in &b.preamble {
            out.push_str(p);
            out.push('\n');
        }
        out.push_str(&b.command);
        out.push_str("\n----\n");
        let lines = runner.exec(b.line, &b.command).unwrap_or_else(|e| vec![format!("error: {e}")]);
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    for p in &script.trailer {
        out.push_str(p);
        out.push('\n');
    }
    (out, runner)
}

/// Reads a session from a scenario script: a `config` line, then commands. Inputs naming
/// fixed nodes are read without simulating anything (what [`spec_to_script`](super::spec_to_script) writes); a script
/// that names `leader` or runs `until=new-leader` is run to find out who and when. Output
/// commands (`status`, `leader`, ...) and recorded output are ignored. Untrusted text: it is
/// limited in size and in simulated time, and every setting and input is checked.
pub fn spec_from_script(text: &str) -> Result<SessionSpec, Error> {
    check_size("a session script", text.len(), MAX_SESSION_BYTES)?;
    let script = parse_script(text);
    let mut spec: Option<SessionSpec> = None;
    let mut t: Micros = 0;
    let mut simulate = false;
    for b in &script.blocks {
        let command = parse_command(b.line, &b.command)?;
        let late = |t: Micros| check_time("the script's time", t).err().map(|e| err(b.line, e.to_string()));
        match command {
            Command::Config(s) => {
                spec = Some(s);
                t = 0;
            }
            _ if spec.is_none() => return Err(err(b.line, "a session starts with a 'config' line")),
            Command::RunFor { d, .. } => t = t.saturating_add(d),
            Command::RunUntil { t: until, .. } => {
                if until < t {
                    return Err(err(b.line, format!("time {} is already past", fmt_time(until))));
                }
                t = until;
            }
            Command::RunUntilNewLeader { .. } => simulate = true,
            Command::Choose(c) => {
                let Some(s) = spec.as_mut() else { continue };
                if t > 0 || !s.inputs.is_empty() {
                    return Err(err(b.line, CHOOSE_FIRST));
                }
                s.choices.push(c);
                validate_choices(&s.choices, s.nodes).map_err(|e| err(b.line, e.to_string()))?;
            }
            Command::Act(a) => {
                let Some(s) = spec.as_mut() else { continue };
                let fixed = |r: &NodeArg| match r {
                    NodeArg::Id(n) => Some(*n),
                    NodeArg::Leader => None,
                };
                let input = match &a {
                    ActRef::Network(p) => {
                        // The patch applies to the network in force: the last one set, or the
                        // initial one.
                        let current = s.inputs.iter().rev().find_map(|ti| match &ti.input {
                            Input::Network { net } => Some(net),
                            _ => None,
                        });
                        let mut net = current.unwrap_or(&s.net).clone();
                        p.apply(&mut net);
                        Some(Input::Network { net })
                    }
                    a => fixed_input(a, fixed),
                };
                match input {
                    Some(input) => {
                        input.validate(s.nodes).map_err(|e| err(b.line, e.to_string()))?;
                        s.inputs.push(TimedInput { at: t, input });
                    }
                    None => simulate = true,
                }
                check_inputs(s.inputs.len()).map_err(|e| err(b.line, e.to_string()))?;
            }
            Command::Status | Command::Leader | Command::Hash | Command::Messages => {}
        }
        if let Some(e) = late(t) {
            return Err(e);
        }
        if simulate {
            break;
        }
    }
    let spec = if simulate {
        // `leader` and `until=new-leader` depend on what happens: run the script (no output).
        let mut runner = Quiet::default();
        for b in &script.blocks {
            runner.exec(b.line, &b.command)?;
        }
        runner.session().map(AnySession::spec)
    } else {
        spec
    };
    let spec = spec.ok_or_else(|| err(1, "a session starts with a 'config' line"))?;
    spec.validate()?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_commands_name_the_problem() {
        let e = parse_command(3, "crash x3").unwrap_err();
        assert_eq!(e.to_string(), "line 3: expected a node like n3 or 'leader', got 'x3'");
        let e = parse_command(4, "config algo=raft nodes=0 seed=1").unwrap_err();
        assert_eq!(e, Error::ClusterSize(0));
        let e = parse_command(5, "config algo=raft nodes=3 seed=1 election=300..150ms").unwrap_err();
        assert!(matches!(e, Error::Range { .. }), "{e}");
        assert!(parse_command(6, "fly n1").is_err());
    }

    #[test]
    fn script_round_trip_keeps_comments() {
        let text = "# hello\nconfig algo=raft nodes=3 seed=1\n----\nstale\n\n# bye\n";
        let (out, _) = run_script(text);
        assert!(out.starts_with("# hello\nconfig algo=raft nodes=3 seed=1\n----\nraft nodes=3"), "{out}");
        assert!(out.ends_with("\n# bye\n"), "{out:?}");
    }

    #[test]
    fn unknown_node_is_an_error_not_a_panic() {
        let (out, _) = run_script("config algo=raft nodes=3 seed=1\ncrash n9\n");
        assert!(out.contains("error: there is no node n9: this cluster has nodes n1 to n3"), "{out}");
    }
}
