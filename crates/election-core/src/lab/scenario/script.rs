//! Scenario text: blocks of command, `----` and expected output ([`parse_script`]), and a
//! session written as a script and read back ([`spec_to_script`], [`spec_from_script`]): what
//! share links and saved sessions carry.

use std::fmt::Write as _;

use crate::engine::input::{Input, Request};
use crate::engine::net::NetConfig;
use crate::lab::spec::SessionSpec;

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

/// A session as a scenario script: its `config` line (every setting, the network), its
/// choices as `choose` lines, then each input as a command, after `run until=` its time. Share links and "Save session" carry this
/// text; [`spec_from_script`](super::spec_from_script) reads it back to the same [`SessionSpec`].
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
    if let Some(b) = spec.config.settings().break_setting() {
        let _ = write!(out, " break={b}");
    }
    let _ = writeln!(out, " {}", net(&spec.net));
    for c in &spec.choices {
        let _ = writeln!(out, "choose {c}");
    }
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
