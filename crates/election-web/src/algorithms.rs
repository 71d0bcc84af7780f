//! What the page says about each algorithm beyond its name (the tagline under the title).
//! It is in one place so that the text can move to the core's `Algorithm` with a one-line
//! change here.

use election_core::Algorithm;

/// One sentence on what to try with each algorithm.
pub fn tagline(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Raft => {
            "watch a leader get elected, then break things. Click a node to crash or pause it, a link to cut it."
        }
        Algorithm::Bully => {
            "the highest live id wins. Split the network and write to both sides: two coordinators, split brain."
        }
        Algorithm::Zab => {
            "votes are ordered by (epoch, zxid, id): the most up-to-date log wins. Crash the leader after a few writes."
        }
        Algorithm::Paxos => {
            "the proposer with a majority of promises leads. Turn backoff off and narrow the timeout to watch proposers duel."
        }
        Algorithm::Kafka => {
            "n1 is ZooKeeper, the rest are brokers: the controller elects partition leaders from the ISR. Crash a leader; try unclean election."
        }
        Algorithm::Lease => {
            "n1 grants a lease with a fencing token, n2 stores the job's writes, n3.. compete. Pause the holder mid-job and turn fencing off."
        }
    }
}
