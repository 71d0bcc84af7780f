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

/// The id of the algorithm a session names, read without parsing the rest: the `algo=` of a
/// script's first `config` line, or the `"algorithm"` of session JSON. A page that leaves some
/// algorithms to a second module (see [`ON_DEMAND`](crate::algorithms::ON_DEMAND)) asks this
/// to know which module can read the session; everything else about the text is checked when
/// it is read.
pub fn algorithm_named(text: &str) -> Option<&str> {
    let text = text.trim_start();
    if text.starts_with('{') {
        // `"algorithm"`, then `:`, then a string without escapes (ids are plain words).
        let rest = &text[text.find("\"algorithm\"")? + "\"algorithm\"".len()..];
        let rest = rest.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
        return Some(&rest[..rest.find('"')?]);
    }
    let config = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
    config.strip_prefix("config ")?.split_whitespace().find_map(|w| w.strip_prefix("algo="))
}

/// The network as `config` arguments (`latency=10000us..15000us loss=0.0000% duplicate=...`),
/// exact to the microsecond and the part per million.
pub fn net_args(n: &NetConfig) -> String {
    let percent = |ppm: u32| format!("{}.{:04}%", ppm / 10_000, ppm % 10_000);
    format!(
        "latency={}us..{}us loss={} duplicate={}",
        n.latency_us_min,
        n.latency_us_max,
        percent(n.loss_ppm),
        percent(n.duplicate_ppm)
    )
}

/// A session as a scenario script: its `config` line (every setting, the network), its
/// choices as `choose` lines, then each input as a command, after `run until=` its time. Share
/// links and "Save session" carry this
/// text; [`spec_from_script`](super::spec_from_script) reads it back to the same [`SessionSpec`].
pub fn spec_to_script(spec: &SessionSpec) -> String {
    let mut out = config_lines(spec);
    let mut t = 0;
    for ti in &spec.inputs {
        if ti.at != t {
            let _ = writeln!(out, "run until={}us", ti.at);
            t = ti.at;
        }
        out.push_str(&input_line(&ti.input));
        out.push('\n');
    }
    out
}

/// A session's `config` line (every setting, the network) and its `choose` lines.
pub(super) fn config_lines(spec: &SessionSpec) -> String {
    let mut out =
        format!("config algo={} nodes={} seed={}", spec.config.algorithm().id(), spec.nodes, spec.seed);
    for f in spec.config.settings().fields() {
        let _ = write!(out, " {}={}", f.key, f.value);
    }
    if let Some(b) = spec.config.settings().break_setting() {
        let _ = write!(out, " break={b}");
    }
    if !spec.clocks.is_off() {
        let _ = write!(out, " drift={}ppm", spec.clocks.drift_ppm);
    }
    let _ = writeln!(out, " {}", net_args(&spec.net));
    for c in &spec.choices {
        let _ = writeln!(out, "choose {c}");
    }
    out
}

/// An input as the command that gives it.
pub(super) fn input_line(input: &Input) -> String {
    match input {
        Input::Crash { node } => format!("crash n{node}"),
        Input::Restart { node } => format!("restart n{node}"),
        Input::Pause { node, for_us: Some(d) } => format!("pause n{node} for={d}us"),
        Input::Pause { node, for_us: None } => format!("pause n{node}"),
        Input::Resume { node } => format!("resume n{node}"),
        Input::Cut { from, to, both } => format!("cut n{from} n{to}{}", if *both { "" } else { " one-way" }),
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
        Input::Request { node, request: Request::ClientWrite { value } } => format!("write n{node} {value}"),
        Input::Request { node, request: Request::Timeout } => format!("timeout n{node}"),
        Input::Request { node, request: Request::TransferLeadership { to } } => {
            format!("transfer n{node} n{to}")
        }
        Input::Network { net: n } => format!("network {}", net_args(n)),
        Input::ClockJump { node, by_us } => format!("jump n{node} by={by_us}us"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_algorithm_a_session_names_is_read_from_its_config_line_or_its_json() {
        let script = "# A tour\n\n# more\nconfig algo=kraft nodes=6 seed=3\ncrash n1\n";
        assert_eq!(algorithm_named(script), Some("kraft"));
        assert_eq!(algorithm_named("config nodes=3 algo=zab seed=1"), Some("zab"));
        let json = r#" {"nodes": 5, "algorithm" : "kraft", "settings": {}}"#;
        assert_eq!(algorithm_named(json), Some("kraft"));
        // The first command must be the config line; anything else names nothing.
        assert_eq!(algorithm_named("crash n1\nconfig algo=raft"), None);
        assert_eq!(algorithm_named("config nodes=3"), None);
        assert_eq!(algorithm_named(r#"{"algorithm": 5}"#), None);
        assert_eq!(algorithm_named(r#"{"algorithm": "raf"#), None);
        assert_eq!(algorithm_named(""), None);
    }

    #[test]
    fn a_script_names_the_algorithm_it_starts() {
        for algorithm in crate::Algorithm::ALL {
            let spec = SessionSpec::new(*algorithm, algorithm.min_nodes(), 1);
            assert_eq!(algorithm_named(&spec_to_script(&spec)), Some(algorithm.id()));
        }
    }
}
