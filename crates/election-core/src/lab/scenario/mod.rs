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
//! | `config algo=raft nodes=N seed=S [election=150..300ms] [heartbeat=50ms] [pre-vote=on] [check-quorum=on] [latency=10..15ms] [loss=1%] [duplicate=1%] [drift=200ppm]` | start a session (`drift`: each node's clock runs fast or slow by up to that much, see `engine::clock`) |
//! | `choose #17 latency=min\|max`, `choose #17 lost\|kept\|duplicated`, `choose nX draw=K min\|max` | fix one of the engine's draws for the whole run (right after `config`; see `engine::choice`) |
//! | `run for=500ms` / `run until=2s` `[show=default\|all\|roles]` | advance time, print the trace (`default` hides heartbeats; `roles` keeps inputs, role changes, notes and violations) |
//! | `crash nX`, `restart nX`, `pause nX [for=300ms]`, `resume nX` | node faults |
//! | `cut nX nY [one-way]`, `heal nX nY [one-way]`, `isolate nX`, `partition n1,n2 n3,n4,n5`, `heal-all` | network faults |
//! | `network [latency=..] [loss=..] [duplicate=..]` | change the network |
//! | `jump nX by=+500ms` / `by=-2s` | make a node's clock jump (its timers and the times it compares follow) |
//! | `write nX VALUE`, `timeout nX`, `transfer nX nY` | requests |
//! | `status` | one line per node |
//! | `leader` | the leader a majority follows, or `none` |
//! | `hash` | the trace hash so far |
//! | `messages` | messages sent since the last `messages` (or the start), per kind |

mod command;
mod runner;
mod script;
mod tour;
mod tour_writer;

pub use command::{ActRef, Command, NetPatch, NodeArg, RequestRef, Show, parse_command};
pub use runner::{Runner, describe_spec, run_script, spec_from_script, status_lines};
pub use script::{Block, Script, algorithm_named, net_args, parse_script, spec_to_script};
pub use tour::{Question, Refusal, Tour, TourStep, tour, tour_lenient};
pub use tour_writer::{write_tour, write_with_lines};
