//! What users do: [`Input`]s to the cluster (faults, network changes) and [`Request`]s to one
//! node (client writes, forced timeouts, leadership transfers), with their JSON and text forms.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::clock::{check_jump, fmt_jump};
use crate::engine::error::Error;
use crate::engine::limits::check_duration;
use crate::engine::net::NetConfig;
use crate::engine::time::{Micros, NodeId, fmt_time};

/// Something a user does to the cluster.
///
/// In JSON an object with a `type` (`{"type": "crash", "node": 3}`). It is read through the
/// flat `InputFields`: serde's derive for an internally tagged enum buffers every object
/// into a generic tree first, which was a twelfth of the page's WebAssembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "InputFields")]
pub enum Input {
    /// Crash a node: volatile state is lost, durable state kept.
    Crash { node: NodeId },
    /// Restart a crashed node.
    Restart { node: NodeId },
    /// Stall a node (GC pause) for `for_us` microseconds, or until resumed when `None`.
    Pause {
        node: NodeId,
        #[serde(default)]
        for_us: Option<Micros>,
    },
    /// Resume a paused node.
    Resume { node: NodeId },
    /// Cut the link `from -> to` (and `to -> from` when `both`).
    Cut { from: NodeId, to: NodeId, both: bool },
    /// Heal the link `from -> to` (and `to -> from` when `both`).
    Heal { from: NodeId, to: NodeId, both: bool },
    /// Cut every link to and from `node`.
    Isolate { node: NodeId },
    /// Split the cluster into groups (unlisted nodes form one more group).
    Partition { groups: Vec<Vec<NodeId>> },
    /// Heal every link.
    HealAll,
    /// A request to one node.
    Request { node: NodeId, request: Request },
    /// Change the network settings.
    Network { net: NetConfig },
    /// Make a node's clock jump by `by_us` microseconds (negative: back), see
    /// [`crate::engine::clock`].
    ClockJump { node: NodeId, by_us: i64 },
}

/// The `type` of an [`Input`] in JSON.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum InputType {
    Crash,
    Restart,
    Pause,
    Resume,
    Cut,
    Heal,
    Isolate,
    Partition,
    HealAll,
    Request,
    Network,
    ClockJump,
}

/// Every field any [`Input`] has, as read from JSON; [`Input::try_from`] checks that the
/// `type` has the fields it needs.
#[derive(Debug, Deserialize)]
struct InputFields {
    #[serde(rename = "type")]
    kind: InputType,
    node: Option<NodeId>,
    for_us: Option<Micros>,
    from: Option<NodeId>,
    to: Option<NodeId>,
    both: Option<bool>,
    groups: Option<Vec<Vec<NodeId>>>,
    request: Option<Request>,
    net: Option<NetConfig>,
    by_us: Option<i64>,
}

impl TryFrom<InputFields> for Input {
    type Error = String;

    fn try_from(f: InputFields) -> Result<Self, String> {
        Ok(match f.kind {
            InputType::Crash => Input::Crash { node: required(f.node, "node", "crash input")? },
            InputType::Restart => Input::Restart { node: required(f.node, "node", "restart input")? },
            InputType::Pause => {
                Input::Pause { node: required(f.node, "node", "pause input")?, for_us: f.for_us }
            }
            InputType::Resume => Input::Resume { node: required(f.node, "node", "resume input")? },
            InputType::Cut => Input::Cut {
                from: required(f.from, "from", "cut input")?,
                to: required(f.to, "to", "cut input")?,
                both: required(f.both, "both", "cut input")?,
            },
            InputType::Heal => Input::Heal {
                from: required(f.from, "from", "heal input")?,
                to: required(f.to, "to", "heal input")?,
                both: required(f.both, "both", "heal input")?,
            },
            InputType::Isolate => Input::Isolate { node: required(f.node, "node", "isolate input")? },
            InputType::Partition => {
                Input::Partition { groups: required(f.groups, "groups", "partition input")? }
            }
            InputType::HealAll => Input::HealAll,
            InputType::Request => Input::Request {
                node: required(f.node, "node", "request input")?,
                request: required(f.request, "request", "request input")?,
            },
            InputType::Network => Input::Network { net: required(f.net, "net", "network input")? },
            InputType::ClockJump => Input::ClockJump {
                node: required(f.node, "node", "clock_jump input")?,
                by_us: required(f.by_us, "by_us", "clock_jump input")?,
            },
        })
    }
}

impl Input {
    /// Checks this input against a cluster of `nodes` nodes: every node it names (a
    /// leadership transfer's target too) exists, and new network settings are valid.
    pub fn validate(&self, nodes: usize) -> Result<(), Error> {
        let mut named = self.nodes();
        if let Input::Request { request: Request::TransferLeadership { to }, .. } = self {
            named.push(*to);
        }
        if let Some(&node) = named.iter().find(|&&n| n == 0 || usize::from(n) > nodes) {
            return Err(Error::UnknownNode { node, nodes });
        }
        match self {
            Input::Network { net } => net.validate()?,
            Input::Pause { for_us: Some(d), .. } => {
                check_duration("a pause", *d)?;
            }
            Input::ClockJump { by_us, .. } => check_jump(*by_us)?,
            // An empty side cannot be written as a script (`partition n1,n2  n3`), and a
            // partition without sides would heal every link under another name.
            Input::Partition { groups } if groups.is_empty() || groups.iter().any(Vec::is_empty) => {
                return Err(Error::Invalid {
                    what: "partition",
                    reason: "every side needs at least one node, like partition n1,n2 n3,n4,n5".into(),
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// Node ids this input names.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Input::Crash { node }
            | Input::Restart { node }
            | Input::Pause { node, .. }
            | Input::Resume { node }
            | Input::Isolate { node }
            | Input::ClockJump { node, .. }
            | Input::Request { node, .. } => vec![*node],
            Input::Cut { from, to, .. } | Input::Heal { from, to, .. } => vec![*from, *to],
            Input::Partition { groups } => groups.iter().flatten().copied().collect(),
            Input::HealAll | Input::Network { .. } => Vec::new(),
        }
    }
}

fn fmt_group(f: &mut fmt::Formatter<'_>, g: &[NodeId]) -> fmt::Result {
    f.write_str("{")?;
    for (i, n) in g.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "n{n}")?;
    }
    f.write_str("}")
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Crash { node } => write!(f, "crash n{node}"),
            Input::Restart { node } => write!(f, "restart n{node}"),
            Input::Pause { node, for_us: Some(d) } => write!(f, "pause n{node} for {}", fmt_time(*d)),
            Input::Pause { node, for_us: None } => write!(f, "pause n{node}"),
            Input::Resume { node } => write!(f, "resume n{node}"),
            Input::Cut { from, to, both } => {
                write!(f, "cut n{from} {} n{to}", if *both { "<->" } else { "->" })
            }
            Input::Heal { from, to, both } => {
                write!(f, "heal n{from} {} n{to}", if *both { "<->" } else { "->" })
            }
            Input::Isolate { node } => write!(f, "isolate n{node}"),
            Input::Partition { groups } => {
                f.write_str("partition")?;
                for g in groups {
                    f.write_str(" ")?;
                    fmt_group(f, g)?;
                }
                Ok(())
            }
            Input::HealAll => write!(f, "heal all"),
            Input::Request { node, request } => write!(f, "{request} at n{node}"),
            Input::Network { net } => write!(
                f,
                "network latency={}..{} loss={}ppm duplicate={}ppm",
                fmt_time(net.latency_us_min),
                fmt_time(net.latency_us_max),
                net.loss_ppm,
                net.duplicate_ppm
            ),
            Input::ClockJump { node, by_us } => write!(f, "jump n{node}'s clock {}", fmt_jump(*by_us)),
        }
    }
}

/// An input and the time it is applied at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedInput {
    /// Virtual time of the input.
    pub at: Micros,
    /// The input.
    pub input: Input,
}

/// A request a user (or a scenario) makes of one node.
///
/// In JSON an object with a `type` (`{"type": "client_write", "value": 5}`), read through the
/// flat `RequestFields` (see [`Input`] for why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "RequestFields")]
pub enum Request {
    /// A client write of `value` sent to this node (a leader appends it; others redirect).
    ClientWrite { value: u64 },
    /// Make this node's election (or failure-detection) timer fire now.
    Timeout,
    /// Ask this node, if leader, to hand leadership to `to`.
    TransferLeadership { to: NodeId },
}

/// The `type` of a [`Request`] in JSON.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RequestType {
    ClientWrite,
    Timeout,
    TransferLeadership,
}

/// Every field any [`Request`] has, as read from JSON.
#[derive(Debug, Deserialize)]
struct RequestFields {
    #[serde(rename = "type")]
    kind: RequestType,
    value: Option<u64>,
    to: Option<NodeId>,
}

impl TryFrom<RequestFields> for Request {
    type Error = String;

    fn try_from(f: RequestFields) -> Result<Self, String> {
        Ok(match f.kind {
            RequestType::ClientWrite => {
                Request::ClientWrite { value: required(f.value, "value", "client_write request")? }
            }
            RequestType::Timeout => Request::Timeout,
            RequestType::TransferLeadership => {
                Request::TransferLeadership { to: required(f.to, "to", "transfer_leadership request")? }
            }
        })
    }
}

/// A field that the JSON of `of` ("a crash input") must have.
pub(crate) fn required<T>(v: Option<T>, field: &str, of: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("missing field `{field}` of a {of}"))
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::ClientWrite { value } => write!(f, "write {value}"),
            Request::Timeout => write!(f, "timeout"),
            Request::TransferLeadership { to } => write!(f, "transfer to n{to}"),
        }
    }
}
