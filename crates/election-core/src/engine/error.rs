//! Typed errors for bad input to the public API. The simulator never panics on user input.

use std::fmt;

use crate::engine::time::{MAX_NODES, NodeId};

/// Everything that can be wrong with a request made of the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A node id outside `1..=nodes`.
    UnknownNode { node: NodeId, nodes: usize },
    /// A cluster size of 0 or above [`MAX_NODES`].
    ClusterSize(usize),
    /// A `min..max` range where `min > max` (or an unusable value), e.g. election timeouts.
    Range { what: &'static str, min: u64, max: u64 },
    /// A parameter outside what the simulator accepts, with the reason.
    Invalid { what: &'static str, reason: String },
    /// A seek or an input before time zero.
    NegativeTime(i64),
    /// A request that the chosen algorithm does not support.
    Unsupported { algorithm: &'static str, request: String },
    /// Text input (scenario, URL state, JSON) that could not be parsed.
    Parse { line: usize, message: String },
    /// A request beyond one of the [limits](crate::engine::limits): what was asked, the limit,
    /// and by how much it is exceeded.
    Limit { what: String, limit: String, excess: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownNode { node, nodes } => {
                write!(f, "there is no node n{node}: this cluster has nodes n1 to n{nodes}")
            }
            Error::ClusterSize(n) => {
                write!(f, "a cluster of {n} nodes is not possible: choose between 1 and {MAX_NODES} nodes")
            }
            Error::Range { what, min, max } => {
                write!(f, "{what}: the shortest ({min}) is longer than the longest ({max})")
            }
            Error::Invalid { what, reason } => write!(f, "{what}: {reason}"),
            Error::NegativeTime(t) => write!(f, "time {t} is before the start of the simulation"),
            Error::Unsupported { algorithm, request } => {
                write!(f, "{algorithm} does not support {request}")
            }
            Error::Parse { line, message } => write!(f, "line {line}: {message}"),
            Error::Limit { what, limit, excess } => {
                write!(f, "{what} is over the limit of {limit}: {excess}")
            }
        }
    }
}

impl std::error::Error for Error {}
