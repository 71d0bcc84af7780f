//! Scenario scripts: commands in, expected trace out.
//!
//! A scenario is a text file in the data-driven style of etcd's `testdata/*.txt` and toydb's
//! `testscripts/`: each block is one command line, a `----` separator, and the output the
//! command produced, ended by a blank line. Lines starting with `#` are narration for readers.
//!
//! ```text
//! # Five servers start as followers; the first to time out wins.
//! config algo=raft nodes=5 seed=1
//! ----
//! raft nodes=5 seed=1 election=150..300ms heartbeat=50ms pre-vote=off check-quorum=off
//!
//! run for=400ms
//! ----
//! t=154.2ms n4 timer election fired
//! ...
//! ```
//!
//! [`run_script`] executes a file and returns it with every output section replaced by what
//! actually happened; a golden test compares that with the file on disk, and
//! `UPDATE_GOLDEN=1` writes it back so the change is reviewed as a diff. A block written
//! without `----` gets its output filled in the same way, which is how new scenarios start.
//!
//! Commands (`nX` is a node id; `leader` means the node a majority follows right now):
//!
//! | command | effect |
//! |---|---|
//! | `config algo=raft nodes=N seed=S [election=150..300ms] [heartbeat=50ms] [pre-vote=on] [check-quorum=on] [latency=10..15ms] [loss=1%] [duplicate=1%]` | start a session |
//! | `run for=500ms` / `run until=2s` `[show=default\|all\|roles]` | advance time, print the trace (`default` hides heartbeats; `roles` keeps inputs, role changes, notes and violations) |
//! | `crash nX`, `restart nX`, `pause nX [for=300ms]`, `resume nX` | node faults |
//! | `cut nX nY [one-way]`, `heal nX nY [one-way]`, `isolate nX`, `partition n1,n2 n3,n4,n5`, `heal-all` | network faults |
//! | `network [latency=..] [loss=..] [duplicate=..]` | change the network |
//! | `write nX VALUE`, `timeout nX`, `transfer nX nY` | requests |
//! | `status` | one line per node |
//! | `leader` | the leader a majority follows, or `none` |
//! | `hash` | the trace hash so far |
//! | `messages` | messages sent since the last `messages` (or the start), per kind |

use std::fmt::Write as _;

use crate::any::{AnySession, SessionSpec};
use crate::error::Error;
use crate::net::NetConfig;
use crate::protocol::Request;
use crate::session::{Input, TimedInput};
use crate::trace::{TraceEvent, TraceKind};
use crate::view::Liveness;
use crate::{Algorithm, Micros, NodeId, fmt_time};

/// A node named in a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRef {
    /// A fixed node.
    Id(NodeId),
    /// Whichever node a majority follows when the command runs.
    Leader,
}

/// Which trace events `run` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Everything but heartbeat traffic.
    Default,
    /// Everything.
    All,
    /// Inputs, role changes, notes, resumes and violations (no messages, no timers).
    Roles,
}

impl Show {
    /// Does this filter keep `e`?
    pub fn keeps(self, e: &TraceEvent) -> bool {
        match self {
            Show::All => true,
            Show::Default => !e.kind.is_heartbeat(),
            Show::Roles => !e.kind.is_message() && !matches!(e.kind, TraceKind::Timer { .. }),
        }
    }
}

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Start a session.
    Config(SessionSpec),
    /// Advance to an absolute time.
    RunUntil { t: Micros, show: Show },
    /// Advance by a duration.
    RunFor { d: Micros, show: Show },
    /// Advance until a majority follows a new leader, for at most `max`.
    RunUntilNewLeader { max: Micros, show: Show },
    /// Apply an input (node references resolved when it runs).
    Act(ActRef),
    /// Print every node.
    Status,
    /// Print the stable leader.
    Leader,
    /// Print the trace hash.
    Hash,
    /// Print messages sent so far, per kind.
    Messages,
}

/// An input whose nodes may be `leader`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActRef {
    /// Crash.
    Crash(NodeRef),
    /// Restart.
    Restart(NodeRef),
    /// Pause, optionally for a duration.
    Pause(NodeRef, Option<Micros>),
    /// Resume.
    Resume(NodeRef),
    /// Cut a link.
    Cut(NodeRef, NodeRef, bool),
    /// Heal a link.
    Heal(NodeRef, NodeRef, bool),
    /// Isolate a node.
    Isolate(NodeRef),
    /// Partition into groups.
    Partition(Vec<Vec<NodeId>>),
    /// Heal every link.
    HealAll,
    /// Change the network.
    Network(NetPatch),
    /// A request to a node.
    Request(NodeRef, RequestRef),
}

/// A request whose target may be `leader`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestRef {
    /// Client write.
    Write(u64),
    /// Force a timeout.
    Timeout,
    /// Transfer leadership.
    Transfer(NodeRef),
}

/// Network settings to change (unset fields keep their value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetPatch {
    latency: Option<(Micros, Micros)>,
    loss_ppm: Option<u32>,
    duplicate_ppm: Option<u32>,
}

fn err(line: usize, message: impl Into<String>) -> Error {
    Error::Parse { line, message: message.into() }
}

/// Parses a duration: `150ms`, `1.5s`, `2s`, `800us`.
pub fn parse_duration(s: &str) -> Option<Micros> {
    let (num, unit) = if let Some(n) = s.strip_suffix("us") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1_000)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1_000_000)
    } else {
        return None;
    };
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    let whole: u64 = whole.parse().ok()?;
    let mut value = whole.checked_mul(unit)?;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
            return None;
        }
        let digits: u64 = frac.parse().ok()?;
        let scale = 10u64.pow(frac.len() as u32);
        value = value.checked_add(digits.checked_mul(unit)? / scale)?;
    }
    Some(value)
}

pub fn parse_range(s: &str) -> Option<(Micros, Micros)> {
    // `150..300ms`: the unit of the upper bound applies to both ends when the lower has none.
    let (lo, hi) = s.split_once("..")?;
    let hi_v = parse_duration(hi)?;
    let lo_v = parse_duration(lo).or_else(|| {
        let unit = hi.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        parse_duration(&format!("{lo}{unit}"))
    })?;
    Some((lo_v, hi_v))
}

/// Parses a percentage (`1%`, `0.5%`) into parts per million.
fn parse_percent(s: &str) -> Option<u32> {
    let n = s.strip_suffix('%')?;
    let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
    let whole: u32 = whole.parse().ok()?;
    let mut ppm = whole.checked_mul(10_000)?;
    if !frac.is_empty() {
        if frac.len() > 4 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: u32 = frac.parse().ok()?;
        ppm = ppm.checked_add(digits * 10u32.pow(4 - frac.len() as u32))?;
    }
    (ppm <= 1_000_000).then_some(ppm)
}

fn parse_node(line: usize, s: &str) -> Result<NodeRef, Error> {
    if s == "leader" {
        return Ok(NodeRef::Leader);
    }
    s.strip_prefix('n')
        .and_then(|d| d.parse::<NodeId>().ok())
        .map(NodeRef::Id)
        .ok_or_else(|| err(line, format!("expected a node like n3 or 'leader', got '{s}'")))
}

fn parse_fixed_node(line: usize, s: &str) -> Result<NodeId, Error> {
    match parse_node(line, s)? {
        NodeRef::Id(n) => Ok(n),
        NodeRef::Leader => Err(err(line, "'leader' cannot be used in a partition")),
    }
}

/// Splits `key=value` arguments; bare words are returned with an empty value.
fn key_values(args: &[&str]) -> Vec<(String, String)> {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a.to_string(), String::new()),
        })
        .collect()
}

fn parse_net_patch(line: usize, args: &[&str]) -> Result<NetPatch, Error> {
    let mut patch = NetPatch::default();
    for (k, v) in key_values(args) {
        match k.as_str() {
            "latency" => {
                patch.latency =
                    Some(parse_range(&v).ok_or_else(|| err(line, format!("bad latency range '{v}'")))?)
            }
            "loss" => {
                patch.loss_ppm = Some(parse_percent(&v).ok_or_else(|| err(line, format!("bad loss '{v}'")))?)
            }
            "duplicate" => {
                patch.duplicate_ppm =
                    Some(parse_percent(&v).ok_or_else(|| err(line, format!("bad duplicate '{v}'")))?)
            }
            _ => return Err(err(line, format!("unknown network setting '{k}'"))),
        }
    }
    Ok(patch)
}

impl NetPatch {
    fn apply(&self, net: &mut NetConfig) {
        if let Some((lo, hi)) = self.latency {
            net.latency_us_min = lo;
            net.latency_us_max = hi;
        }
        if let Some(l) = self.loss_ppm {
            net.loss_ppm = l;
        }
        if let Some(d) = self.duplicate_ppm {
            net.duplicate_ppm = d;
        }
    }
}

fn parse_config(line: usize, args: &[&str]) -> Result<SessionSpec, Error> {
    let kv = key_values(args);
    let get = |k: &str| kv.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let algorithm: Algorithm = get("algo").ok_or_else(|| err(line, "config needs algo=..."))?.parse()?;
    let nodes: usize = get("nodes")
        .ok_or_else(|| err(line, "config needs nodes=N"))?
        .parse()
        .map_err(|_| err(line, "nodes must be a number"))?;
    let seed: u64 = get("seed")
        .ok_or_else(|| err(line, "config needs seed=S"))?
        .parse()
        .map_err(|_| err(line, "seed must be a number"))?;
    let mut spec = SessionSpec::new(algorithm, nodes, seed);
    let mut net_args = Vec::new();
    for (k, v) in &kv {
        match k.as_str() {
            "algo" | "nodes" | "seed" => {}
            "latency" | "loss" | "duplicate" => net_args.push(format!("{k}={v}")),
            _ => spec.config.settings_mut().set(k, v).map_err(|e| err(line, e))?,
        }
    }
    let refs: Vec<&str> = net_args.iter().map(String::as_str).collect();
    parse_net_patch(line, &refs)?.apply(&mut spec.net);
    spec.validate()?;
    Ok(spec)
}

fn parse_show(line: usize, args: &[(String, String)]) -> Result<Show, Error> {
    match args.iter().find(|(k, _)| k == "show").map(|(_, v)| v.as_str()) {
        None | Some("default") => Ok(Show::Default),
        Some("all") => Ok(Show::All),
        Some("roles") => Ok(Show::Roles),
        Some(other) => Err(err(line, format!("show must be default, all or roles, got '{other}'"))),
    }
}

/// Parses one command line (`line` is its 1-based number, for errors).
pub fn parse_command(line: usize, text: &str) -> Result<Command, Error> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((&cmd, args)) = words.split_first() else {
        return Err(err(line, "empty command"));
    };
    let want = |n: usize| {
        if args.len() < n { Err(err(line, format!("'{cmd}' needs {n} argument(s)"))) } else { Ok(()) }
    };
    let one_way = args.contains(&"one-way");
    Ok(match cmd {
        "config" => Command::Config(parse_config(line, args)?),
        "run" => {
            let kv = key_values(args);
            let show = parse_show(line, &kv)?;
            let dur = |v: &str| parse_duration(v).ok_or_else(|| err(line, format!("bad duration '{v}'")));
            match kv.iter().find(|(k, _)| k == "for" || k == "until") {
                Some((k, v)) if k == "for" => Command::RunFor { d: dur(v)?, show },
                Some((_, v)) if v == "new-leader" => {
                    let max = kv.iter().find(|(k, _)| k == "max").map(|(_, v)| dur(v)).transpose()?;
                    Command::RunUntilNewLeader { max: max.unwrap_or(crate::ms(10_000)), show }
                }
                Some((_, v)) => Command::RunUntil { t: dur(v)?, show },
                None => {
                    return Err(err(
                        line,
                        "run needs for=DURATION, until=TIME or until=new-leader [max=DURATION]",
                    ));
                }
            }
        }
        "crash" => {
            want(1)?;
            Command::Act(ActRef::Crash(parse_node(line, args[0])?))
        }
        "restart" => {
            want(1)?;
            Command::Act(ActRef::Restart(parse_node(line, args[0])?))
        }
        "pause" => {
            want(1)?;
            let d = match key_values(&args[1..]).iter().find(|(k, _)| k == "for") {
                Some((_, v)) => {
                    Some(parse_duration(v).ok_or_else(|| err(line, format!("bad duration '{v}'")))?)
                }
                None => None,
            };
            Command::Act(ActRef::Pause(parse_node(line, args[0])?, d))
        }
        "resume" => {
            want(1)?;
            Command::Act(ActRef::Resume(parse_node(line, args[0])?))
        }
        "cut" | "heal" => {
            want(2)?;
            let (a, b) = (parse_node(line, args[0])?, parse_node(line, args[1])?);
            if cmd == "cut" {
                Command::Act(ActRef::Cut(a, b, !one_way))
            } else {
                Command::Act(ActRef::Heal(a, b, !one_way))
            }
        }
        "isolate" => {
            want(1)?;
            Command::Act(ActRef::Isolate(parse_node(line, args[0])?))
        }
        "partition" => {
            want(1)?;
            let groups = args
                .iter()
                .map(|g| g.split(',').map(|n| parse_fixed_node(line, n)).collect::<Result<Vec<_>, _>>())
                .collect::<Result<Vec<_>, _>>()?;
            Command::Act(ActRef::Partition(groups))
        }
        "heal-all" => Command::Act(ActRef::HealAll),
        "network" => Command::Act(ActRef::Network(parse_net_patch(line, args)?)),
        "write" => {
            want(2)?;
            let v = args[1].parse().map_err(|_| err(line, format!("bad value '{}'", args[1])))?;
            Command::Act(ActRef::Request(parse_node(line, args[0])?, RequestRef::Write(v)))
        }
        "timeout" => {
            want(1)?;
            Command::Act(ActRef::Request(parse_node(line, args[0])?, RequestRef::Timeout))
        }
        "transfer" => {
            want(2)?;
            let to = parse_node(line, args[1])?;
            Command::Act(ActRef::Request(parse_node(line, args[0])?, RequestRef::Transfer(to)))
        }
        "status" => Command::Status,
        "leader" => Command::Leader,
        "hash" => Command::Hash,
        "messages" => Command::Messages,
        other => return Err(err(line, format!("unknown command '{other}'"))),
    })
}

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

/// Runs scenario commands against one session.
#[derive(Debug, Default)]
pub struct Runner {
    session: Option<AnySession>,
    printed: usize,
    counted: Vec<(String, u64)>,
    /// Print no trace (when only the resulting session matters).
    quiet: bool,
}

impl Runner {
    /// A runner with no session yet.
    pub fn new() -> Self {
        Runner::default()
    }

    /// The session, once `config` has run.
    pub fn session(&self) -> Option<&AnySession> {
        self.session.as_ref()
    }

    fn session_mut(&mut self, line: usize) -> Result<&mut AnySession, Error> {
        self.session.as_mut().ok_or_else(|| err(line, "run 'config' first"))
    }

    fn to_input(&self, line: usize, a: &ActRef) -> Result<Input, Error> {
        if let ActRef::Network(p) = a {
            let mut net = self.session.as_ref().map(|s| s.current_net()).unwrap_or_default();
            p.apply(&mut net);
            return Ok(Input::Network { net });
        }
        let leader = self.session.as_ref().and_then(AnySession::stable_leader);
        fixed_input(a, |r| match r {
            NodeRef::Id(n) => Some(*n),
            NodeRef::Leader => leader,
        })
        .ok_or_else(|| err(line, "there is no leader right now"))
    }

    fn new_trace(&mut self, show: Show) -> Vec<String> {
        let Some(s) = &self.session else {
            return Vec::new();
        };
        if self.quiet {
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
                let summary = describe_spec(&spec);
                self.session = Some(AnySession::new(spec)?);
                self.printed = 0;
                self.counted.clear();
                Ok(vec![summary])
            }
            Command::RunFor { d, show } => {
                let s = self.session_mut(line)?;
                let t = s.now().saturating_add(d);
                s.advance_to(t);
                Ok(self.new_trace(show))
            }
            Command::RunUntilNewLeader { max, show } => {
                let s = self.session_mut(line)?;
                let deadline = s.now().saturating_add(max);
                if s.advance_until_new_leader(deadline).is_none() {
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
                s.advance_to(t);
                Ok(self.new_trace(show))
            }
            Command::Act(a) => {
                self.session_mut(line)?;
                let input = self.to_input(line, &a)?;
                self.session_mut(line)?.act(input)?;
                Ok(self.new_trace(Show::Default))
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
    use crate::any::{MAX_INPUTS, MAX_SPEC_BYTES};
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
                let fixed = |r: &NodeRef| match r {
                    NodeRef::Id(n) => Some(*n),
                    NodeRef::Leader => None,
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
        let mut runner = Runner { quiet: true, ..Runner::default() };
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
fn fixed_input(a: &ActRef, n: impl Fn(&NodeRef) -> Option<NodeId>) -> Option<Input> {
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

/// One line summarising a spec, as `config` prints it.
pub fn describe_spec(spec: &SessionSpec) -> String {
    let mut s =
        format!("{} nodes={} seed={} {}", spec.algorithm(), spec.nodes, spec.seed, spec.config.summary());
    let n = &spec.net;
    let _ = write!(s, " latency={}..{}", fmt_time(n.latency_us_min), fmt_time(n.latency_us_max));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_percents() {
        assert_eq!(parse_duration("150ms"), Some(150_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000));
        assert_eq!(parse_duration("800us"), Some(800));
        assert_eq!(parse_duration("0.25ms"), Some(250));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("x.5ms"), None);
        assert_eq!(parse_range("150..300ms"), Some((150_000, 300_000)));
        assert_eq!(parse_percent("1%"), Some(10_000));
        assert_eq!(parse_percent("0.5%"), Some(5_000));
        assert_eq!(parse_percent("101%"), None);
    }

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
        assert!(out.contains("error: unknown node n9: this cluster has nodes n1..n3"), "{out}");
    }
}

/// A scenario turned into a guided tour: the session it builds (settings, seed and every
/// timed action, with `leader` resolved) and its narration, bound to the times at which each
/// block starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tour {
    /// First narration line.
    pub title: String,
    /// The session to replay.
    pub spec: SessionSpec,
    /// Narration steps in time order.
    pub steps: Vec<TourStep>,
    /// When the script ends.
    pub end: Micros,
}

/// One narration step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TourStep {
    /// When it applies (the start of its block).
    pub at: Micros,
    /// The narration text.
    pub text: String,
    /// A prediction question asked at this step, answered by what the next block does.
    pub question: Option<Question>,
}

/// An interview-practice question: `#? Which node leads next? | n1 | n2 | n3 => leader`.
///
/// Checks, evaluated after the block the question precedes has run (see `tests/README.md`):
/// `leader` (the stable leader `nX`, or `none`), `violation` (`yes` if the block produced an
/// invariant violation, else `no`), `role nX` (that node's role, e.g. `follower`),
/// `committed VALUE` (`yes` if some node has committed an entry `VALUE` or `x=VALUE`),
/// `rejected` (the client `nX` whose write the storage rejected during the block, or `none`),
/// `gap` (how long after the block started a node became leader: the choice whose range,
/// written `< 200 ms`, `200-400 ms` or `> 400 ms`, contains it; `never` if none did),
/// `cell COLUMN ROW` (a cell of the algorithm's table, e.g. `cell leader p0` for Kafka).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The question.
    pub text: String,
    /// The choices offered.
    pub choices: Vec<String>,
    /// The choice that matches what the simulation did.
    pub answer: String,
    /// Why (from `#!` lines under the question), shown once the user has answered.
    pub explanation: String,
    /// What the simulation measured, in words (e.g. "n3 became leader 212 ms later").
    pub measured: String,
}

/// What a check needs to know about the moment before its block ran.
struct Before {
    t: Micros,
    trace_len: usize,
    violations: usize,
    rejected: usize,
}

impl Before {
    fn of(s: &AnySession) -> Before {
        Before {
            t: s.now(),
            trace_len: s.trace().len(),
            violations: s.violations(),
            rejected: rejected_writes(s).len(),
        }
    }
}

/// Clients whose writes the algorithm's panel lists as rejected, oldest first.
fn rejected_writes(s: &AnySession) -> Vec<String> {
    let Some(panel) = s.view().panel else { return Vec::new() };
    let client = panel.columns.iter().position(|c| c == "client");
    let mut out: Vec<String> = panel
        .rows
        .iter()
        .filter(|r| r.iter().any(|c| c.starts_with("rejected")))
        .filter_map(|r| client.and_then(|i| r.get(i)).cloned())
        .collect();
    // Panels list the newest first.
    out.reverse();
    out
}

/// Parses a duration range choice: `< 200 ms`, `200-400 ms`, `> 400 ms` (milliseconds).
fn parse_ms_range(choice: &str) -> Option<(u64, u64)> {
    let c = choice.trim().strip_suffix("ms")?.trim();
    if let Some(n) = c.strip_prefix('<') {
        return Some((0, n.trim().parse().ok()?));
    }
    if let Some(n) = c.strip_prefix('>') {
        return Some((n.trim().parse().ok()?, u64::MAX));
    }
    let (a, b) = c.split_once('-')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

fn parse_question(line: usize, q: &str) -> Result<(String, Vec<String>, String), Error> {
    let (body, check) = q.split_once("=>").ok_or_else(|| err(line, "a question needs '=> check'"))?;
    let mut parts = body.split('|').map(str::trim);
    let text = parts.next().unwrap_or_default().to_string();
    let choices: Vec<String> = parts.filter(|c| !c.is_empty()).map(String::from).collect();
    if text.is_empty() || choices.len() < 3 {
        return Err(err(
            line,
            "a question needs a text and at least three choices separated by | (a plausible wrong answer teaches most)",
        ));
    }
    Ok((text, choices, check.trim().to_string()))
}

/// Evaluates a check after its block: (the answer, what was measured in words).
fn evaluate_check(
    line: usize,
    check: &str,
    choices: &[String],
    session: &AnySession,
    before: &Before,
) -> Result<(String, String), Error> {
    let words: Vec<&str> = check.split_whitespace().collect();
    let plain = |a: String| Ok((a, String::new()));
    match words.as_slice() {
        ["leader"] => plain(session.stable_leader().map_or("none".to_string(), |l| format!("n{l}"))),
        ["violation"] => {
            plain(if session.violations() > before.violations { "yes" } else { "no" }.to_string())
        }
        ["committed", value] => {
            let v = session.view();
            let hit = v.nodes.iter().any(|n| {
                n.log.iter().any(|e| {
                    e.index <= n.commit
                        && (e.label == *value || e.label.split_once('=').is_some_and(|(_, x)| x == *value))
                })
            });
            plain(if hit { "yes" } else { "no" }.to_string())
        }
        ["cell", column, row] => {
            let panel = session.view().panel.ok_or_else(|| err(line, "this algorithm has no table"))?;
            let col = panel.columns.iter().position(|c| c == column).ok_or_else(|| {
                err(line, format!("no column '{column}' (columns: {})", panel.columns.join(", ")))
            })?;
            let cell = panel
                .rows
                .iter()
                .find(|r| r.first().is_some_and(|c| c == row))
                .and_then(|r| r.get(col))
                .ok_or_else(|| err(line, format!("no row '{row}' in the table")))?;
            plain(cell.clone())
        }
        ["rejected"] => {
            let all = rejected_writes(session);
            plain(all.get(before.rejected).cloned().unwrap_or_else(|| "none".to_string()))
        }
        ["gap"] => {
            let trace = session.trace();
            let first =
                trace.get(before.trace_len..).unwrap_or_default().iter().find_map(|e| match &e.kind {
                    crate::TraceKind::Role { node, to, .. } if to.is_leader() => Some((*node, e.t)),
                    _ => None,
                });
            let Some((node, t)) = first else {
                return Ok(("never".to_string(), "no node became leader".into()));
            };
            let gap = t.saturating_sub(before.t);
            let ms = gap / 1_000;
            let answer = choices
                .iter()
                .find(|c| parse_ms_range(c).is_some_and(|(lo, hi)| lo <= ms && ms < hi))
                .cloned()
                .ok_or_else(|| err(line, format!("gap choices need ranges like '< 200 ms', '200-400 ms', '> 400 ms'; measured {ms} ms")))?;
            Ok((answer, format!("n{node} became leader {} after this step began", fmt_time(gap))))
        }
        ["role", node] => {
            let NodeRef::Id(id) = parse_node(line, node)? else {
                return Err(err(line, "role needs a fixed node"));
            };
            let v = session.view();
            let n = v
                .nodes
                .get(usize::from(id).wrapping_sub(1))
                .ok_or_else(|| err(line, format!("no node {node}")))?;
            plain(if n.liveness == Liveness::Down { "down".to_string() } else { n.role.to_string() })
        }
        _ => Err(err(
            line,
            format!(
                "unknown check '{check}' (leader, violation, role nX, committed VALUE, rejected, gap, cell COLUMN ROW)"
            ),
        )),
    }
}

/// Runs a scenario script and turns it into a [`Tour`]. Errors name the failing line.
pub fn tour(text: &str) -> Result<Tour, Error> {
    let script = parse_script(text);
    let mut runner = Runner::new();
    let mut steps: Vec<TourStep> = Vec::new();
    let mut title = String::new();
    for b in &script.blocks {
        let narration: Vec<&str> = b
            .preamble
            .iter()
            .filter(|l| !l.starts_with("#?") && !l.starts_with("#!"))
            .filter_map(|l| l.strip_prefix('#'))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let question = b
            .preamble
            .iter()
            .find_map(|l| l.strip_prefix("#?"))
            .map(|q| parse_question(b.line, q))
            .transpose()?;
        let at = runner.session().map_or(0, AnySession::now);
        if title.is_empty()
            && let Some(first) = narration.first()
        {
            title = first.to_string();
        }
        if !narration.is_empty() || question.is_some() {
            let text = narration.join(" ");
            match steps.last_mut() {
                // The page shows one step per moment: narration at the same time is merged, and
                // two questions at one moment cannot both be asked.
                Some(last) if last.at == at => {
                    if question.is_some() && last.question.is_some() {
                        return Err(err(
                            b.line,
                            "two questions at the same moment: put a 'run' between them",
                        ));
                    }
                    if !text.is_empty() {
                        last.text.push(' ');
                        last.text.push_str(&text);
                    }
                }
                _ => steps.push(TourStep { at, text, question: None }),
            }
        }
        let explanation: Vec<&str> =
            b.preamble.iter().filter_map(|l| l.strip_prefix("#!")).map(str::trim).collect();
        if !explanation.is_empty() && question.is_none() {
            return Err(err(b.line, "'#!' explains a question: put it under a '#?' line"));
        }
        let before = runner.session().map(Before::of);
        runner.exec(b.line, &b.command)?;
        if let Some((text, choices, check)) = question {
            let (session, before) =
                runner.session().zip(before).ok_or_else(|| err(b.line, "a question needs a config first"))?;
            let (answer, measured) = evaluate_check(b.line, &check, &choices, session, &before)?;
            if !choices.contains(&answer) {
                return Err(err(
                    b.line,
                    format!(
                        "the question's answer is now '{answer}', which is not among its choices: the story changed"
                    ),
                ));
            }
            if let Some(last) = steps.last_mut() {
                last.question =
                    Some(Question { text, choices, answer, explanation: explanation.join(" "), measured });
            }
        }
    }
    let session = runner.session().ok_or_else(|| err(1, "the scenario has no config line"))?;
    Ok(Tour { title, spec: session.spec(), steps, end: session.now() })
}

#[cfg(test)]
mod tour_tests {
    use super::*;
    use crate::ms;
    use crate::session::TimedInput;

    #[test]
    fn a_tour_replays_its_scenario_and_binds_narration_to_times() {
        let text = "# Title here\n# more\nconfig algo=raft nodes=5 seed=1\n\nrun for=400ms\n\n# Now crash it.\ncrash leader\n\nrun for=500ms\n";
        let t = tour(text).unwrap();
        assert_eq!(t.title, "Title here");
        assert_eq!(t.steps[0], TourStep { at: 0, text: "Title here more".into(), question: None });
        assert_eq!(t.steps[1].at, ms(400));
        assert_eq!(t.end, ms(900));
        // `crash leader` was resolved to a fixed node at 400 ms.
        assert!(matches!(t.spec.inputs.as_slice(), [TimedInput { at: 400_000, input: Input::Crash { .. } }]));
        // Replaying the spec gives the same trace as running the script.
        let (_, runner) = run_script(text);
        let mut replay = AnySession::new(t.spec.clone()).unwrap();
        replay.advance_to(t.end);
        assert_eq!(replay.trace_hash(), runner.session().unwrap().trace_hash());
    }
}

#[cfg(test)]
mod question_tests {
    use super::*;

    #[test]
    fn questions_are_answered_by_the_simulation() {
        let text = "# t\nconfig algo=raft nodes=5 seed=1\n\n#? Who leads? | n1 | n5 | none => leader\nrun for=400ms\n";
        let t = tour(text).unwrap();
        let q = t.steps.iter().find_map(|s| s.question.clone()).unwrap();
        assert_eq!(q.answer, "n5");
        let wrong =
            "# t\nconfig algo=raft nodes=5 seed=1\n\n#? Who leads? | n1 | n2 | n3 => leader\nrun for=400ms\n";
        let e = tour(wrong).unwrap_err().to_string();
        assert!(e.contains("answer is now 'n5'"), "{e}");
    }

    fn question(text: &str) -> Question {
        tour(text).unwrap().steps.iter().find_map(|s| s.question.clone()).unwrap()
    }

    #[test]
    fn gap_measures_the_time_to_the_next_leader_and_explanations_are_kept() {
        // leader-crash.txt: n5 crashed at 400 ms, n2 became leader at 617.293 ms.
        let q = question(
            "# t\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\ncrash leader\n\n#? How long? | < 100 ms | 100-300 ms | > 300 ms => gap\n#! Timeouts.\nrun for=600ms\n",
        );
        assert_eq!(q.answer, "100-300 ms");
        assert_eq!(q.explanation, "Timeouts.");
        assert_eq!(q.measured, "n2 became leader 217.293ms after this step began");
        let none = question(
            "# t\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\n#? How long? | < 1 ms | > 1 ms | never => gap\nrun for=100ms\n",
        );
        assert_eq!(none.answer, "never");
        let bad = tour(
            "# t\nconfig algo=raft nodes=5 seed=1\n#? How long? | soon | late | never => gap\nrun for=400ms\n",
        );
        assert!(bad.unwrap_err().to_string().contains("ranges like"));
        let twice = tour(
            "# t\nconfig algo=raft nodes=5 seed=1\n#? A? | n5 | n1 | none => leader\nrun for=400ms\n#? B? | yes | no | maybe => violation\ncrash n5\n#? C? | yes | no | maybe => violation\nrun for=1ms\n",
        );
        assert!(twice.unwrap_err().to_string().contains("line 8: two questions at the same moment"));
        let two = tour("# t\nconfig algo=raft nodes=5 seed=1\n#? A? | n5 | none => leader\nrun for=400ms\n");
        assert!(two.unwrap_err().to_string().contains("at least three choices"));
        let stray = tour("# t\nconfig algo=raft nodes=5 seed=1\n#! Why.\nrun for=400ms\n");
        assert!(stray.unwrap_err().to_string().contains("under a '#?' line"));
    }

    #[test]
    fn committed_checks_the_logs() {
        let t = "# t\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\n#? Commits? | yes | no | maybe => committed 5\nwrite leader 5\nrun for=1ms\n#? Now? | yes | no | maybe => committed 5\nrun for=200ms\n";
        let qs: Vec<Question> = tour(t).unwrap().steps.into_iter().filter_map(|s| s.question).collect();
        assert_eq!(qs.iter().map(|q| q.answer.as_str()).collect::<Vec<_>>(), ["no", "yes"]);
    }

    #[test]
    fn rejected_names_the_fenced_client() {
        // fencing-33-34.txt: n3's write with token 33 arrives after n4's with 34.
        let q = question(
            "# t\nconfig algo=lease nodes=4 seed=1 first-token=33\nrun until=610ms\npause n3 for=1000ms\n#? Which? | n3 | n4 | none => rejected\nrun for=1400ms\n",
        );
        assert_eq!(q.answer, "n3");
    }

    #[test]
    fn run_until_new_leader_stops_when_a_majority_follows_another_node() {
        let (out, runner) = run_script(
            "config algo=raft nodes=5 seed=1\nrun for=400ms\ncrash leader\nrun until=new-leader max=2s\n",
        );
        let s = runner.session().unwrap();
        assert_eq!(s.stable_leader(), Some(2), "{out}");
        // n2 won at 617.293 ms; the third of five servers to follow it did so at 631.665 ms.
        assert_eq!(s.now(), 631_665);
        let (out, _) =
            run_script("config algo=raft nodes=5 seed=1\nrun for=400ms\nrun until=new-leader max=50ms\n");
        assert!(out.contains("error: line 3: no new leader within 50ms"), "{out}");
    }
}
