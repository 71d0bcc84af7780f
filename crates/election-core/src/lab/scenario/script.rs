//! Scenario text: blocks of command, `----` and expected output ([`parse_script`]), and a
//! session written as a script and read back ([`spec_to_script`], [`spec_from_script`]): what
//! share links and saved sessions carry.

use std::fmt::Write as _;

use super::command::{ActRef, Command, NodeArg, RequestRef, err, parse_command};
use super::runner::Runner;
use crate::engine::error::Error;
use crate::engine::input::{Input, Request, TimedInput};
use crate::engine::net::NetConfig;
use crate::engine::time::{Micros, NodeId, fmt_time};
use crate::lab::spec::{AnySession, MAX_INPUTS, MAX_SPEC_BYTES, SessionSpec};

/// One block of a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Comment and blank lines before the command, verbatim.
    pub preamble: Vec<String>,
    /// 1-based line number of the command.
    pub line: usize,
    /// The command line.
    pub command: String,
    /// Expected output lines (None when the block has no `----` yet).
    pub expected: Option<Vec<String>>,
}

/// A parsed scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Blocks in order.
    pub blocks: Vec<Block>,
    /// Comment and blank lines after the last block.
    pub trailer: Vec<String>,
}

/// Splits a scenario file into blocks (commands are parsed later, when run).
pub fn parse_script(text: &str) -> Script {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut preamble = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.trim().is_empty() || l.starts_with('#') {
            preamble.push(l.to_string());
            i += 1;
            continue;
        }
        let line = i + 1;
        let command = l.trim().to_string();
        i += 1;
        let expected = if lines.get(i).map(|s| s.trim()) == Some("----") {
            i += 1;
            let mut out = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() {
                out.push(lines[i].to_string());
                i += 1;
            }
            Some(out)
        } else {
            None
        };
        blocks.push(Block { preamble: std::mem::take(&mut preamble), line, command, expected });
    }
    Script { blocks, trailer: preamble }
}

/// Inputs and `run` times in a session script may reach one simulated day (the same bound as
/// a shared link's cursor): more would keep the page busy for minutes.
pub const MAX_SCRIPT_TIME: Micros = 86_400_000_000;

/// A session as a scenario script: its `config` line (every setting, the network), then each
/// input as a command, after `run until=` its time. Share links and "Save session" carry this
/// text; [`spec_from_script`] reads it back to the same [`SessionSpec`].
pub fn spec_to_script(spec: &SessionSpec) -> String {
    let percent = |ppm: u32| format!("{}.{:04}%", ppm / 10_000, ppm % 10_000);
    let net = |n: &NetConfig| {
        format!(
            "latency={}us..{}us loss={} duplicate={}",
            n.latency_us_min,
            n.latency_us_max,
            percent(n.loss_ppm),
            percent(n.duplicate_ppm)
        )
    };
    let mut out =
        format!("config algo={} nodes={} seed={}", spec.config.algorithm().id(), spec.nodes, spec.seed);
    for f in spec.config.settings().fields() {
        let _ = write!(out, " {}={}", f.key, f.value);
    }
    let _ = writeln!(out, " {}", net(&spec.net));
    let mut t = 0;
    for ti in &spec.inputs {
        if ti.at != t {
            let _ = writeln!(out, "run until={}us", ti.at);
            t = ti.at;
        }
        let line = match &ti.input {
            Input::Crash { node } => format!("crash n{node}"),
            Input::Restart { node } => format!("restart n{node}"),
            Input::Pause { node, for_us: Some(d) } => format!("pause n{node} for={d}us"),
            Input::Pause { node, for_us: None } => format!("pause n{node}"),
            Input::Resume { node } => format!("resume n{node}"),
            Input::Cut { from, to, both } => {
                format!("cut n{from} n{to}{}", if *both { "" } else { " one-way" })
            }
            Input::Heal { from, to, both } => {
                format!("heal n{from} n{to}{}", if *both { "" } else { " one-way" })
            }
            Input::Isolate { node } => format!("isolate n{node}"),
            Input::Partition { groups } => {
                let groups: Vec<String> = groups
                    .iter()
                    .filter(|g| !g.is_empty())
                    .map(|g| g.iter().map(|n| format!("n{n}")).collect::<Vec<_>>().join(","))
                    .collect();
                format!("partition {}", groups.join(" "))
            }
            Input::HealAll => "heal-all".to_string(),
            Input::Request { node, request: Request::ClientWrite { value } } => {
                format!("write n{node} {value}")
            }
            Input::Request { node, request: Request::Timeout } => format!("timeout n{node}"),
            Input::Request { node, request: Request::TransferLeadership { to } } => {
                format!("transfer n{node} n{to}")
            }
            Input::Network { net: n } => format!("network {}", net(n)),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Reads a session from a scenario script: a `config` line, then commands. Inputs naming
/// fixed nodes are read without simulating anything (what [`spec_to_script`] writes); a script
/// that names `leader` or runs `until=new-leader` is run to find out who and when. Output
/// commands (`status`, `leader`, ...) and recorded output are ignored. Untrusted text: it is
/// limited in size and in simulated time, and every setting and input is checked.
pub fn spec_from_script(text: &str) -> Result<SessionSpec, Error> {
    if text.len() > MAX_SPEC_BYTES {
        return Err(Error::Invalid {
            what: "session",
            reason: format!("{} bytes is larger than the limit of {MAX_SPEC_BYTES}", text.len()),
        });
    }
    let script = parse_script(text);
    let mut spec: Option<SessionSpec> = None;
    let mut t: Micros = 0;
    let mut simulate = false;
    for b in &script.blocks {
        let command = parse_command(b.line, &b.command)?;
        let late = |t: Micros| {
            (t > MAX_SCRIPT_TIME)
                .then(|| err(b.line, format!("{} is past the limit of one simulated day", fmt_time(t))))
        };
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
                if s.inputs.len() > MAX_INPUTS {
                    return Err(err(b.line, format!("more than {MAX_INPUTS} inputs")));
                }
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
        let mut runner = Runner::quiet();
        for b in &script.blocks {
            runner.exec(b.line, &b.command)?;
            if runner.session().is_some_and(|s| s.now() > MAX_SCRIPT_TIME) {
                return Err(err(b.line, "the script runs past the limit of one simulated day"));
            }
        }
        runner.session().map(AnySession::spec)
    } else {
        spec
    };
    let spec = spec.ok_or_else(|| err(1, "a session starts with a 'config' line"))?;
    spec.validate()?;
    Ok(spec)
}

/// The input `a` stands for when every node it names is fixed (`None` if one is `leader`).
pub(super) fn fixed_input(a: &ActRef, n: impl Fn(&NodeArg) -> Option<NodeId>) -> Option<Input> {
    Some(match a {
        ActRef::Crash(r) => Input::Crash { node: n(r)? },
        ActRef::Restart(r) => Input::Restart { node: n(r)? },
        ActRef::Pause(r, d) => Input::Pause { node: n(r)?, for_us: *d },
        ActRef::Resume(r) => Input::Resume { node: n(r)? },
        ActRef::Cut(a, b, both) => Input::Cut { from: n(a)?, to: n(b)?, both: *both },
        ActRef::Heal(a, b, both) => Input::Heal { from: n(a)?, to: n(b)?, both: *both },
        ActRef::Isolate(r) => Input::Isolate { node: n(r)? },
        ActRef::Partition(g) => Input::Partition { groups: g.clone() },
        ActRef::HealAll => Input::HealAll,
        ActRef::Network(_) => return None,
        ActRef::Request(r, req) => Input::Request {
            node: n(r)?,
            request: match req {
                RequestRef::Write(v) => Request::ClientWrite { value: *v },
                RequestRef::Timeout => Request::Timeout,
                RequestRef::Transfer(to) => Request::TransferLeadership { to: n(to)? },
            },
        },
    })
}
