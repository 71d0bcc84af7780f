//! Choosing an algorithm at run time: the page, the CLI and scenario files go through here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::algorithms::bully::{Bully, BullyConfig};
use crate::algorithms::kafka::{Kafka, KafkaConfig};
use crate::algorithms::lease::{Lease, LeaseConfig};
use crate::algorithms::paxos::{Paxos, PaxosConfig};
use crate::algorithms::raft::{Raft, RaftConfig};
use crate::algorithms::zab::{Zab, ZabConfig};
use crate::any_protocol::{AnyProtocol, Variant};
use crate::error::Error;
use crate::net::NetConfig;
use crate::protocol::{NodeRef, Nodes, Protocol};
use crate::rng::Stream;
use crate::session::{Input, Session, TimedInput};
use crate::settings::Settings;
use crate::sim::SimConfig;
use crate::trace::TraceEvent;
use crate::view::ClusterView;
use crate::{Micros, NodeId};

/// The algorithms the simulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Raft (etcd, CockroachDB, TiKV).
    Raft,
    /// The Bully algorithm (Garcia-Molina 1982).
    Bully,
    /// A lease lock with fencing tokens (Chubby, etcd, Redis).
    Lease,
    /// Multi-Paxos leader election (Chubby, Spanner).
    Paxos,
    /// ZooKeeper's Fast Leader Election and ZAB.
    Zab,
    /// Kafka's controller and partition leaders.
    Kafka,
}

/// Runs `$body` with `$p` standing for the protocol type of algorithm `$alg` (each
/// `Algorithm` variant is named like its protocol type).
macro_rules! with_protocol {
    ($alg:expr, $p:ident => $body:expr) => {
        with_protocol!(@ $alg, $p, $body; Raft Bully Lease Paxos Zab Kafka)
    };
    (@ $alg:expr, $p:ident, $body:expr; $($v:ident)*) => {
        match $alg {
            $( Algorithm::$v => {
                type $p = $v;
                $body
            } )*
        }
    };
}

/// Runs `$body` with `$c` bound to the settings inside an `AlgorithmConfig` and `$p` standing
/// for their protocol type.
macro_rules! with_config {
    ($cfg:expr, $c:ident, $p:ident => $body:expr) => {
        with_config!(@ $cfg, $c, $p, $body; Raft Bully Lease Paxos Zab Kafka)
    };
    (@ $cfg:expr, $c:ident, $p:ident, $body:expr; $($v:ident)*) => {
        match $cfg {
            $( AlgorithmConfig::$v($c) => {
                #[allow(dead_code)]
                type $p = $v;
                $body
            } )*
        }
    };
}

impl Algorithm {
    /// Every algorithm, in picker order.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Raft,
        Algorithm::Bully,
        Algorithm::Zab,
        Algorithm::Paxos,
        Algorithm::Lease,
        Algorithm::Kafka,
    ];

    /// Display name ([`Protocol::NAME`]).
    pub fn name(self) -> &'static str {
        with_protocol!(self, P => P::NAME)
    }

    /// Identifier used in files, URLs and the CLI.
    pub fn id(self) -> &'static str {
        match self {
            Algorithm::Raft => "raft",
            Algorithm::Bully => "bully",
            Algorithm::Lease => "lease",
            Algorithm::Paxos => "paxos",
            Algorithm::Zab => "zab",
            Algorithm::Kafka => "kafka",
        }
    }

    /// What the algorithm calls its leadership clock, if it has one ([`Protocol::TERM_LABEL`]).
    pub fn term_label(self) -> Option<&'static str> {
        with_protocol!(self, P => P::TERM_LABEL)
    }

    /// The default settings of this algorithm.
    pub fn default_config(self) -> AlgorithmConfig {
        match self {
            Algorithm::Raft => AlgorithmConfig::Raft(RaftConfig::default()),
            Algorithm::Bully => AlgorithmConfig::Bully(BullyConfig::default()),
            Algorithm::Lease => AlgorithmConfig::Lease(LeaseConfig::default()),
            Algorithm::Paxos => AlgorithmConfig::Paxos(PaxosConfig::default()),
            Algorithm::Zab => AlgorithmConfig::Zab(ZabConfig::default()),
            Algorithm::Kafka => AlgorithmConfig::Kafka(KafkaConfig::default()),
        }
    }

    /// The smallest cluster the algorithm accepts.
    pub fn min_nodes(self) -> usize {
        match self {
            Algorithm::Lease | Algorithm::Kafka => 3,
            _ => 1,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Algorithm::ALL.into_iter().find(|a| a.id() == s).ok_or_else(|| Error::Invalid {
            what: "algorithm",
            reason: format!("unknown algorithm '{s}' (known: {})", Algorithm::ALL.map(|a| a.id()).join(", ")),
        })
    }
}

/// Settings of the chosen algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm", content = "settings", rename_all = "snake_case")]
pub enum AlgorithmConfig {
    /// Raft settings.
    Raft(RaftConfig),
    /// Bully settings.
    Bully(BullyConfig),
    /// Lease settings.
    Lease(LeaseConfig),
    /// Paxos settings.
    Paxos(PaxosConfig),
    /// ZooKeeper settings.
    Zab(ZabConfig),
    /// Kafka settings.
    Kafka(KafkaConfig),
}

impl AlgorithmConfig {
    /// Which algorithm these settings are for.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            AlgorithmConfig::Raft(_) => Algorithm::Raft,
            AlgorithmConfig::Bully(_) => Algorithm::Bully,
            AlgorithmConfig::Lease(_) => Algorithm::Lease,
            AlgorithmConfig::Paxos(_) => Algorithm::Paxos,
            AlgorithmConfig::Zab(_) => Algorithm::Zab,
            AlgorithmConfig::Kafka(_) => Algorithm::Kafka,
        }
    }

    /// Checks the settings for a cluster of `nodes`.
    pub fn validate(&self, nodes: usize) -> Result<(), Error> {
        with_config!(self, c, P => P::validate(c, nodes))
    }

    /// The settings as `key=value` text (read).
    pub fn settings(&self) -> &dyn Settings {
        with_config!(self, c, P => c)
    }

    /// The settings as `key=value` text (scenario files).
    pub fn settings_mut(&mut self) -> &mut dyn Settings {
        with_config!(self, c, P => c)
    }

    /// One line listing the settings.
    pub fn summary(&self) -> String {
        self.settings().summary()
    }

    /// Random options for seed sweeps (the safe configurations).
    pub fn randomize(&mut self, r: &mut Stream) {
        match self {
            AlgorithmConfig::Raft(c) => {
                c.pre_vote = r.chance_ppm(500_000);
                c.check_quorum = r.chance_ppm(500_000);
            }
            AlgorithmConfig::Paxos(c) => c.leader_lease = r.chance_ppm(500_000),
            // ZooKeeper's 60 s maximum re-send interval can leave a server silent for up to a
            // minute after a long partition; sweeps cap it so the 5 s liveness bound applies.
            AlgorithmConfig::Zab(c) => c.notification_max_ms = 1_600,
            AlgorithmConfig::Bully(_) | AlgorithmConfig::Lease(_) | AlgorithmConfig::Kafka(_) => {}
        }
    }
}

/// Everything needed to reproduce a session exactly: what a shared URL or a saved file holds.
///
/// In JSON: `{"nodes": 5, "seed": 1, "net": {..}, "algorithm": "raft", "settings": {..},
/// "inputs": [..]}`. It is read through the flat `SpecFields`, whose `settings` are parsed
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
}

/// A [`SessionSpec`] as read from JSON, before its settings are parsed.
#[derive(Debug, Deserialize)]
struct SpecFields {
    nodes: usize,
    seed: u64,
    #[serde(default)]
    net: NetConfig,
    algorithm: Algorithm,
    settings: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    inputs: Vec<TimedInput>,
}

impl TryFrom<SpecFields> for SessionSpec {
    type Error = String;

    fn try_from(f: SpecFields) -> Result<Self, String> {
        fn parse<C: for<'de> Deserialize<'de> + Default>(
            settings: Option<&serde_json::value::RawValue>,
        ) -> Result<C, String> {
            settings.map_or(Ok(C::default()), |s| {
                serde_json::from_str(s.get()).map_err(|e| format!("settings: {e}"))
            })
        }
        let s = f.settings.as_deref();
        let config = match f.algorithm {
            Algorithm::Raft => AlgorithmConfig::Raft(parse(s)?),
            Algorithm::Bully => AlgorithmConfig::Bully(parse(s)?),
            Algorithm::Lease => AlgorithmConfig::Lease(parse(s)?),
            Algorithm::Paxos => AlgorithmConfig::Paxos(parse(s)?),
            Algorithm::Zab => AlgorithmConfig::Zab(parse(s)?),
            Algorithm::Kafka => AlgorithmConfig::Kafka(parse(s)?),
        };
        Ok(SessionSpec { nodes: f.nodes, seed: f.seed, net: f.net, config, inputs: f.inputs })
    }
}

/// Largest accepted serialized session (URL state or imported file).
pub const MAX_SPEC_BYTES: usize = 256 * 1024;
/// Most inputs a session may hold.
pub const MAX_INPUTS: usize = 10_000;

impl SessionSpec {
    /// Default settings of `algorithm` for `nodes` nodes and `seed`.
    pub fn new(algorithm: Algorithm, nodes: usize, seed: u64) -> Self {
        SessionSpec {
            nodes,
            seed,
            net: NetConfig::default(),
            config: algorithm.default_config(),
            inputs: Vec::new(),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.config.algorithm()
    }

    /// Parses and validates a JSON session (from a URL or an imported file).
    pub fn from_json(text: &str) -> Result<Self, Error> {
        if text.len() > MAX_SPEC_BYTES {
            return Err(Error::Invalid {
                what: "session",
                reason: format!("{} bytes is larger than the limit of {MAX_SPEC_BYTES}", text.len()),
            });
        }
        // A session as shared, or a whole trace export (whose "session" field is one).
        let spec = match serde_json::from_str::<SessionSpec>(text) {
            Ok(spec) => spec,
            Err(e) => match serde_json::from_str::<ExportedSession>(text) {
                Ok(doc) => doc.session,
                Err(_) => return Err(Error::Parse { line: e.line(), message: format!("session JSON: {e}") }),
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
        if self.inputs.len() > MAX_INPUTS {
            return Err(Error::Invalid {
                what: "inputs",
                reason: format!("{} inputs is more than the limit of {MAX_INPUTS}", self.inputs.len()),
            });
        }
        // Building the session validates the inputs against the cluster.
        AnySession::new(self.clone()).map(|_| ())
    }

    fn sim_config(&self) -> SimConfig {
        SimConfig { nodes: self.nodes, seed: self.seed, net: self.net.clone() }
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

/// A [`Session`] of any algorithm: a session of [`AnyProtocol`], so the engine's code
/// exists once however many algorithms the page offers.
#[derive(Debug, Clone)]
pub struct AnySession(Session<AnyProtocol>);

impl AnySession {
    /// Builds the session described by `spec`, with the cursor at time 0.
    pub fn new(spec: SessionSpec) -> Result<Self, Error> {
        // Simulation::new checks the cluster, then the settings.
        Ok(AnySession(Session::new(spec.sim_config(), spec.config, spec.inputs)?))
    }

    /// The spec that reproduces this session (its current branch).
    pub fn spec(&self) -> SessionSpec {
        let c = self.0.sim().config();
        SessionSpec {
            nodes: c.nodes,
            seed: c.seed,
            net: self.initial_net(),
            config: self.algorithm_config(),
            inputs: self.0.inputs().to_vec(),
        }
    }

    fn initial_net(&self) -> NetConfig {
        // The simulation's current network may have been changed by inputs; the spec keeps
        // the initial one, which the first checkpoint holds.
        self.0.initial_net()
    }

    fn algorithm_config(&self) -> AlgorithmConfig {
        self.0.sim().proto_config().clone()
    }

    /// The network settings in force at the cursor.
    pub fn current_net(&self) -> NetConfig {
        self.0.sim().config().net.clone()
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.0.sim().proto_config().algorithm()
    }

    /// Cursor time.
    pub fn now(&self) -> Micros {
        self.0.now()
    }

    /// Furthest simulated time on this branch.
    pub fn horizon(&self) -> Micros {
        self.0.horizon()
    }

    /// Steps (events and inputs) processed up to the cursor.
    pub fn steps(&self) -> u64 {
        self.0.sim().steps()
    }

    /// Cluster size.
    pub fn nodes(&self) -> usize {
        self.0.sim().config().nodes
    }

    /// The view at the cursor.
    pub fn view(&self) -> ClusterView {
        self.0.view()
    }

    /// Trace up to the cursor.
    pub fn trace(&self) -> &[TraceEvent] {
        self.0.trace()
    }

    /// Timeline markers of the recorded branch.
    pub fn markers(&self) -> &[crate::session::Marker] {
        self.0.markers()
    }

    /// Changes whenever [`AnySession::markers`] changes.
    pub fn markers_version(&self) -> u64 {
        self.0.markers_version()
    }

    /// Trace recorded up to the horizon.
    pub fn recorded_trace(&self) -> &[TraceEvent] {
        self.0.recorded_trace()
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

    /// Stable hash of the trace up to the cursor.
    pub fn trace_hash(&self) -> u64 {
        self.0.trace_hash()
    }

    /// Inputs of this branch.
    pub fn inputs(&self) -> &[TimedInput] {
        self.0.inputs()
    }

    /// Moves the cursor forward to `t`.
    pub fn advance_to(&mut self, t: Micros) {
        self.0.advance_to(t)
    }

    /// Moves the cursor to `t` (microseconds), backwards or forwards.
    pub fn seek(&mut self, t: i64) -> Result<(), Error> {
        self.0.seek(t)
    }

    /// Advances until a majority follows a new leader, or to `deadline`
    /// (see [`crate::Session::advance_until_new_leader`]).
    pub fn advance_until_new_leader(&mut self, deadline: Micros) -> Option<NodeId> {
        self.0.advance_until_new_leader(deadline)
    }

    /// One step forward.
    pub fn step_forward(&mut self) -> bool {
        self.0.step_forward()
    }

    /// One step back.
    pub fn step_back(&mut self) {
        self.0.step_back()
    }

    /// Moves to just after step `k`.
    pub fn goto_step(&mut self, k: u64) {
        self.0.goto_step(k)
    }

    /// Applies an input at the cursor (forking the future if the cursor is in the past).
    pub fn act(&mut self, input: Input) -> Result<bool, Error> {
        self.0.act(input)
    }

    /// The leader a majority follows right now.
    pub fn stable_leader(&self) -> Option<NodeId> {
        self.0.sim().stable_leader()
    }

    /// How many live nodes believe they lead right now.
    pub fn believed_leaders(&self) -> usize {
        self.0.sim().believed_leaders()
    }

    /// The nodes at the cursor as algorithm `P`'s own type, in id order (none when the
    /// session runs another algorithm).
    pub fn nodes_as<'a, P: Variant + 'a>(&'a self) -> impl Iterator<Item = NodeRef<'a, P>> {
        Nodes::iter(self.0.sim().nodes()).filter_map(crate::any_protocol::project)
    }

    /// The underlying session, mutable (for tests that corrupt state on purpose or bound
    /// the trace).
    #[doc(hidden)]
    pub fn session_mut(&mut self) -> &mut Session<AnyProtocol> {
        &mut self.0
    }

    /// Invariant violations up to the cursor.
    pub fn violations(&self) -> usize {
        self.0.sim().violations()
    }
}
