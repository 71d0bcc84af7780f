//! A session as data ([`SessionSpec`]: what a share link, a saved file or a scenario's
//! `config` line holds) and [`AnySession`], the session of any algorithm that the page, the CLI
//! and scenario files run.

use serde::{Deserialize, Serialize};

use crate::engine::choice::Choice;
use crate::engine::clock::ClockConfig;
use crate::engine::error::Error;
use crate::engine::input::TimedInput;
use crate::engine::limits::{MAX_EXPORT_BYTES, MAX_SESSION_BYTES, check_inputs, check_size};
use crate::engine::net::NetConfig;
use crate::engine::protocol::{NodeRef, Nodes, Protocol};
use crate::engine::sim::SimConfig;
use crate::engine::time::NodeId;
use crate::engine::trace::TraceEvent;
use crate::lab::session::Session;
use crate::registry::{Algorithm, AlgorithmConfig, AnyProtocol, ConfigFields, Variant, project};

/// Everything needed to reproduce a session exactly: what a shared URL or a saved file holds.
///
/// In JSON: `{"nodes": 5, "seed": 1, "net": {..}, "algorithm": "raft", "settings": {..},
/// "inputs": [..], "choices": [..]}` (`choices` only when there are some). It is read through the flat `SpecFields`, whose `settings` are parsed
/// once `algorithm` is known (serde's `flatten` would buffer the whole document first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SpecFields")]
pub struct SessionSpec {
    /// Cluster size.
    pub nodes: usize,
    /// Seed of every random stream.
    pub seed: u64,
    /// Network settings at the start.
    #[serde(default)]
    pub net: NetConfig,
    /// The algorithm and its settings.
    #[serde(flatten)]
    pub config: AlgorithmConfig,
    /// Timed user inputs, sorted by time.
    #[serde(default)]
    pub inputs: Vec<TimedInput>,
    /// Draws of the engine fixed on purpose ([`crate::engine::choice`]); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// The nodes' clocks ([`crate::engine::clock`]); perfect by default.
    #[serde(default, skip_serializing_if = "ClockConfig::is_off")]
    pub clocks: ClockConfig,
}

/// A [`SessionSpec`] as read from JSON, before its settings are parsed.
#[derive(Deserialize)]
struct SpecFields {
    nodes: usize,
    seed: u64,
    #[serde(default)]
    net: NetConfig,
    algorithm: Algorithm,
    settings: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    inputs: Vec<TimedInput>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    clocks: ClockConfig,
}

impl TryFrom<SpecFields> for SessionSpec {
    type Error = String;

    fn try_from(f: SpecFields) -> Result<Self, String> {
        let config = ConfigFields { algorithm: f.algorithm, settings: f.settings }.config()?;
        Ok(SessionSpec {
            nodes: f.nodes,
            seed: f.seed,
            net: f.net,
            config,
            inputs: f.inputs,
            choices: f.choices,
            clocks: f.clocks,
        })
    }
}

impl SessionSpec {
    /// Default settings of `algorithm` for `nodes` nodes and `seed`.
    pub fn new(algorithm: Algorithm, nodes: usize, seed: u64) -> Self {
        SessionSpec {
            nodes,
            seed,
            net: NetConfig::default(),
            config: algorithm.default_config(),
            inputs: Vec::new(),
            choices: Vec::new(),
            clocks: ClockConfig::default(),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.config.algorithm()
    }

    /// Parses and validates a JSON session (from a URL or an imported file), or the session of
    /// an exported trace (whose trace is skipped, so an export larger than a session loads).
    pub fn from_json(text: &str) -> Result<Self, Error> {
        check_size("an exported trace", text.len(), MAX_EXPORT_BYTES)?;
        let as_session = if text.len() <= MAX_SESSION_BYTES {
            serde_json::from_str::<SessionSpec>(text)
        } else {
            Err(serde::de::Error::custom("too large for a session"))
        };
        let spec = match as_session {
            Ok(spec) => spec,
            Err(e) => match serde_json::from_str::<ExportedSession>(text) {
                Ok(doc) => doc.session,
                Err(_) => {
                    check_size("a session", text.len(), MAX_SESSION_BYTES)?;
                    return Err(Error::Parse { line: e.line(), message: format!("session JSON: {e}") });
                }
            },
        };
        spec.validate()?;
        Ok(spec)
    }

    /// Serializes to compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks every setting and input without running anything.
    pub fn validate(&self) -> Result<(), Error> {
        self.sim_config().validate()?;
        self.config.validate(self.nodes)?;
        check_inputs(self.inputs.len())?;
        // Building the session validates the inputs against the cluster.
        AnySession::new(self.clone()).map(|_| ())
    }

    fn sim_config(&self) -> SimConfig {
        SimConfig {
            choices: self.choices.clone(),
            clocks: self.clocks,
            ..SimConfig::new(self.nodes, self.seed, self.net.clone())
        }
    }
}

/// The document "Export trace" saves: the session that reproduces the run, its trace hash
/// and its trace. [`SessionSpec::from_json`] loads it back (by its `session`).
#[derive(Serialize)]
struct TraceExport<'a> {
    session: SessionSpec,
    trace_hash: String,
    trace: &'a [TraceEvent],
}

/// The part of a [`TraceExport`] that an import reads.
#[derive(Deserialize)]
struct ExportedSession {
    session: SessionSpec,
}

/// A [`Session`] of any algorithm: a session of [`AnyProtocol`], so the engine's code exists
/// once however many algorithms the page offers.
pub type AnySession = Session<AnyProtocol>;

impl Session<AnyProtocol> {
    /// Builds the session described by `spec`, with the cursor at time 0.
    pub fn new(spec: SessionSpec) -> Result<Self, Error> {
        // Simulation::new checks the cluster, then the settings.
        Session::start(spec.sim_config(), spec.config, spec.inputs)
    }

    /// The spec that reproduces this session (its current branch).
    pub fn spec(&self) -> SessionSpec {
        let c = self.sim().config();
        SessionSpec {
            nodes: c.nodes,
            seed: c.seed,
            // The network in force may have been changed by inputs; the spec keeps the
            // initial one.
            net: self.initial_net(),
            config: self.sim().proto_config().clone(),
            inputs: self.inputs().to_vec(),
            choices: c.choices.clone(),
            clocks: c.clocks,
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.sim().proto_config().algorithm()
    }

    /// The trace up to the cursor as a JSON document (`session`, `trace_hash`, `trace`).
    pub fn export_json(&self) -> String {
        let doc = TraceExport {
            session: self.spec(),
            trace_hash: format!("{:016x}", self.trace_hash()),
            trace: self.trace(),
        };
        serde_json::to_string(&doc).unwrap_or_default()
    }

    /// The nodes at the cursor as algorithm `P`'s own type, in id order (none when the
    /// session runs another algorithm).
    pub fn nodes_as<'a, P: Variant + 'a>(&'a self) -> impl Iterator<Item = NodeRef<'a, P>> {
        Nodes::iter(self.sim().nodes()).filter_map(project)
    }

    /// Where a client sends a write now ([`Protocol::write_target`]).
    pub fn write_target(&self) -> Option<NodeId> {
        AnyProtocol::write_target(self.sim().nodes(), self.stable_leader())
    }
}
