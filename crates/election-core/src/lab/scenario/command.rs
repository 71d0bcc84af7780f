//! One line of a scenario: [`Command`] and its parser.

use crate::engine::choice::Choice;
use crate::engine::error::Error;
use crate::engine::input::{Input, Request};
use crate::engine::limits::{check_duration, check_time};
use crate::engine::net::NetConfig;
use crate::engine::time::{Micros, NodeId, ms};
use crate::engine::trace::{TraceEvent, TraceKind};
use crate::engine::units::{parse_duration, parse_percent, parse_range};
use crate::lab::spec::SessionSpec;
use crate::registry::Algorithm;

/// A node named in a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeArg {
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
    /// Fix one of the engine's draws for the whole run (right after `config`).
    Choose(Choice),
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
    Crash(NodeArg),
    /// Restart.
    Restart(NodeArg),
    /// Pause, optionally for a duration.
    Pause(NodeArg, Option<Micros>),
    /// Resume.
    Resume(NodeArg),
    /// Cut a link.
    Cut(NodeArg, NodeArg, bool),
    /// Heal a link.
    Heal(NodeArg, NodeArg, bool),
    /// Isolate a node.
    Isolate(NodeArg),
    /// Partition into groups.
    Partition(Vec<Vec<NodeId>>),
    /// Heal every link.
    HealAll,
    /// Change the network.
    Network(NetPatch),
    /// A request to a node.
    Request(NodeArg, RequestRef),
    /// Make a node's clock jump (microseconds, negative: back).
    Jump(NodeArg, i64),
}

/// A request whose target may be `leader`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestRef {
    /// Client write.
    Write(u64),
    /// Force a timeout.
    Timeout,
    /// Transfer leadership.
    Transfer(NodeArg),
}

/// Network settings to change (unset fields keep their value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetPatch {
    latency: Option<(Micros, Micros)>,
    loss_ppm: Option<u32>,
    duplicate_ppm: Option<u32>,
}

pub(super) fn err(line: usize, message: impl Into<String>) -> Error {
    Error::Parse { line, message: message.into() }
}

pub(super) fn parse_node(line: usize, s: &str) -> Result<NodeArg, Error> {
    if s == "leader" {
        return Ok(NodeArg::Leader);
    }
    s.strip_prefix('n')
        .and_then(|d| d.parse::<NodeId>().ok())
        .map(NodeArg::Id)
        .ok_or_else(|| err(line, format!("expected a node like n3 or 'leader', got '{s}'")))
}

fn parse_fixed_node(line: usize, s: &str) -> Result<NodeId, Error> {
    match parse_node(line, s)? {
        NodeArg::Id(n) => Ok(n),
        NodeArg::Leader => Err(err(line, "'leader' cannot be used in a partition")),
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
                patch.latency = Some(parse_range(&v).ok_or_else(|| {
                    err(line, format!("latency must be a range like 10ms..15ms, not '{v}'"))
                })?)
            }
            "loss" => {
                patch.loss_ppm = Some(parse_percent(&v).ok_or_else(|| {
                    err(line, format!("loss must be a percentage from 0% to 100%, like 5%, not '{v}'"))
                })?)
            }
            "duplicate" => {
                patch.duplicate_ppm = Some(parse_percent(&v).ok_or_else(|| {
                    err(line, format!("duplicate must be a percentage from 0% to 100%, like 5%, not '{v}'"))
                })?)
            }
            _ => return Err(err(line, format!("unknown network setting '{k}'"))),
        }
    }
    Ok(patch)
}

impl NetPatch {
    pub(super) fn apply(&self, net: &mut NetConfig) {
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
    let nodes = get("nodes").ok_or_else(|| err(line, "config needs nodes=N"))?;
    let nodes: usize =
        nodes.parse().map_err(|_| err(line, format!("nodes must be a whole number, not '{nodes}'")))?;
    let seed = get("seed").ok_or_else(|| err(line, "config needs seed=S"))?;
    let seed: u64 = seed
        .parse()
        .map_err(|_| err(line, format!("the seed must be a whole number, 0 or more, not '{seed}'")))?;
    let mut spec = SessionSpec::new(algorithm, nodes, seed);
    // `preset=production` starts from the settings a production system ships with; other
    // settings on the line change them.
    match get("preset") {
        None | Some("classroom") => {}
        Some("production") => {
            spec.config = algorithm
                .production_config()
                .ok_or_else(|| err(line, format!("{} has no production preset", algorithm.name())))?;
        }
        Some(other) => {
            return Err(err(
                line,
                format!("preset={other} is not a preset: write preset=classroom or preset=production"),
            ));
        }
    }
    let mut net_args = Vec::new();
    for (k, v) in &kv {
        match k.as_str() {
            "algo" | "nodes" | "seed" | "preset" => {}
            "latency" | "loss" | "duplicate" => net_args.push(format!("{k}={v}")),
            "drift" => {
                let ppm = crate::engine::clock::parse_ppm(v).ok_or_else(|| {
                    err(line, format!("drift={v} is not a clock drift: write it like drift=200ppm"))
                })?;
                spec.clocks.drift_ppm = ppm;
            }
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

/// A duration argument `key``v` (`for=150ms`) of `what` ("a pause"), at most one simulated day.
fn duration(line: usize, key: &str, what: &str, v: &str) -> Result<Micros, Error> {
    let d = parse_duration(v).ok_or_else(|| {
        err(line, format!("{key}{v} is not a duration: write it like 150ms, 1.5s or 800us"))
    })?;
    check_duration(what, d).map_err(|e| err(line, e.to_string()))
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
            match kv.iter().find(|(k, _)| k == "for" || k == "until") {
                Some((k, v)) if k == "for" => {
                    Command::RunFor { d: duration(line, "for=", "a run", v)?, show }
                }
                Some((_, v)) if v == "new-leader" => {
                    let max = kv
                        .iter()
                        .find(|(k, _)| k == "max")
                        .map(|(_, v)| duration(line, "max=", "a wait for a new leader", v));
                    Command::RunUntilNewLeader { max: max.transpose()?.unwrap_or(ms(10_000)), show }
                }
                Some((_, v)) => {
                    let t = duration(line, "until=", "a run", v)?;
                    check_time("a run until", t).map_err(|e| err(line, e.to_string()))?;
                    Command::RunUntil { t, show }
                }
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
                Some((_, v)) => Some(duration(line, "for=", "a pause", v)?),
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
        "jump" => {
            want(2)?;
            let by = key_values(&args[1..])
                .into_iter()
                .find(|(k, _)| k == "by")
                .ok_or_else(|| err(line, "jump needs by=, like jump n3 by=+500ms or by=-2s"))?
                .1;
            let (negative, d) = match by.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, by.strip_prefix('+').unwrap_or(&by)),
            };
            let d = duration(line, "by=", "a clock jump", d)?;
            let by_us = i64::try_from(d).map_err(|_| err(line, "a clock jump must be at most one day"))?;
            Command::Act(ActRef::Jump(parse_node(line, args[0])?, if negative { -by_us } else { by_us }))
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
        "choose" => Command::Choose(Choice::parse(args).map_err(|e| err(line, format!("choose: {e}")))?),
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
        ActRef::Jump(r, by) => Input::ClockJump { node: n(r)?, by_us: *by },
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
