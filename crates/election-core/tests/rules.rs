//! One test per rule that `break=` can switch off: the algorithm's monitor flags the run
//! that breaks it, and the very same run with the rule kept is clean. The runs are the
//! counterexample search's, shrunk and narrated (`election-cli check --algo ALGO --break
//! RULE`); three of them are golden files under tests/scenarios/. Each test cites the rule.
//! Two more are found with the engine's draws as choices (issue #14): lost messages, a
//! one-way cut and a timer drawn at its shortest, written as `choose` lines.

use election_core::scenario::run_script;

/// Runs `script` and returns its violations, one line each.
fn violations(script: &str) -> Vec<String> {
    let (_, runner) = run_script(script);
    let session = runner.session().expect("the script configures a session");
    session
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            election_core::TraceKind::Violation { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The monitor flags `script` with a violation containing `expected`, and the same script
/// with `broken` replaced by `kept` on its config line has no violation at all.
fn check(script: &str, broken: &str, kept: &str, expected: &str) {
    let found = violations(script);
    assert!(found.iter().any(|v| v.contains(expected)), "expected '{expected}', got {found:?}");
    let config = script.lines().find(|l| l.starts_with("config ")).expect("a config line");
    assert!(config.contains(broken), "{config}");
    let fixed = script.replacen(config, &config.replacen(broken, kept, 1), 1);
    assert_eq!(violations(&fixed), Vec::<String>::new(), "with the rule kept:\n{fixed}");
}

#[test]
fn raft_vote_not_persisted() {
    // Raft §5.2: "Each server will vote for at most one candidate in a given term"; Figure 2: votedFor is persistent state.
    check(
        include_str!("../../../tests/scenarios/raft/vote-not-persisted-violation.txt"),
        "break=vote-not-persisted",
        "",
        "voted for n3 and then for n1 in term 1",
    );
}

const RAFT_NO_UP_TO_DATE_CHECK: &str = r#"# Raft with rule no-up-to-date-check broken: the shortest run found that goes wrong
# no-up-to-date-check: a vote goes only to a candidate whose log is at least as up to date; broken, any candidate gets it and a stale one can win.
# Source: Raft §5.4.1 (election restriction); etcd raft.go Step, MsgVote: r.raftLog.isUpToDate.
config algo=raft nodes=3 seed=1000002 election=150..300ms heartbeat=50ms pre-vote=off check-quorum=off break=no-up-to-date-check latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# the network splits: n1 | n2, n3
partition n1 n2,n3

# n2 won the election for term 1 with votes from n2, n3
# n2 committed up to index 1 (stored on a majority)
run until=400000us show=roles

# every link heals
heal-all

# n1 won the election for term 2 with votes from n1, n3
# VIOLATION: n1 became leader of term 2 without committed entry no-op@1 at index 1
run until=458624us show=roles
"#;

#[test]
fn raft_no_up_to_date_check() {
    // Raft §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate".
    check(RAFT_NO_UP_TO_DATE_CHECK, "break=no-up-to-date-check", "", "without committed entry");
}

#[test]
fn raft_figure8() {
    // Raft §5.4.2 and Figure 8: "Raft never commits log entries from previous terms by counting replicas".
    check(
        include_str!("../../../tests/scenarios/raft/figure8-violation.txt"),
        "break=figure8",
        "",
        "without committed entry x=1@1",
    );
}

const RAFT_NO_STEP_DOWN: &str = r#"# Raft with rule no-step-down broken: the shortest run found that goes wrong
# no-step-down: a leader that sees a higher term becomes a follower; broken, it takes the term and keeps leading.
# Source: Raft Figure 2, Rules for All Servers ("If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower").
config algo=raft nodes=3 seed=1000107 election=150..300ms heartbeat=50ms pre-vote=off check-quorum=off break=no-step-down latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# the network splits: n1, n2 | n3
partition n1,n2 n3

# n2 won the election for term 1 with votes from n1, n2
# n2 committed up to index 1 (stored on a majority)
run until=1100000us show=roles

# the network splits: n1, n3 | n2
partition n1,n3 n2

# n1 won the election for term 6 with votes from n1, n3
# n1 committed up to index 2 (stored on a majority)
run until=1400000us show=roles

# every link heals
heal-all

# VIOLATION: two leaders in term 6: n1 and n2
run until=1438484us show=roles
"#;

#[test]
fn raft_no_step_down() {
    // Raft Figure 2, Rules for All Servers: "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower".
    check(RAFT_NO_STEP_DOWN, "break=no-step-down", "", "two leaders in term");
}

#[test]
fn zab_vote_by_id() {
    // ZooKeeper FastLeaderElection.totalOrderPredicate: epoch, then zxid, then server id.
    check(
        include_str!("../../../tests/scenarios/zab/vote-by-id-violation.txt"),
        "break=vote-by-id",
        "",
        "below follower",
    );
}

const PAXOS_IGNORE_ACCEPTED: &str = r#"# Paxos with rule ignore-accepted broken: the shortest run found that goes wrong
# ignore-accepted: after phase 1 a proposer must propose the highest-ballot value the promises report; broken, it ignores them and proposes its own (a no-op).
# Source: Paxos Made Simple §2.2, P2c and phase 2(a): "v is the value of the highest-numbered proposal among the responses, or is any value if the responses reported no proposals".
config algo=paxos nodes=3 seed=1000041 election=150..300ms heartbeat=50ms backoff=on leader-lease=off break=ignore-accepted latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# n3 crashes
crash n3

# n1 crashes
crash n1

# n3 restarts
restart n3

# n1 restarts
restart n1

# n3 has promises from a majority for ballot 1.3: it leads
run until=270000us show=roles

# a client writes x=1 to n3
write n3 1

# n1 has promises from a majority for ballot 2.1: it leads
# VIOLATION: slot 2 was chosen as x=1 (ballot 1.3) and now as no-op (ballot 2.1)
run until=311143us show=roles
"#;

#[test]
fn paxos_ignore_accepted() {
    // Paxos Made Simple §2.2, phase 2(a): v is the value of the highest-numbered proposal among the responses.
    check(PAXOS_IGNORE_ACCEPTED, "break=ignore-accepted", "", "was chosen as");
}

const LEASE_NO_FENCING: &str = r#"# Lease + fencing with rule no-fencing broken: the shortest run found that goes wrong
# no-fencing: storage rejects a write whose fencing token is below the highest it has accepted; broken (the setting fencing=off), a stale holder's write lands.
# Source: Chubby (OSDI 2006) §2.4, sequencers; Kleppmann, How to do distributed locking (2016), tokens 33 and 34.
config algo=lease nodes=4 seed=1000176 ttl=500ms keepalive=150ms lock-delay=0ms fencing=off period=300ms job=40ms first-token=1 latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# n1 grants the lock to n4 with fencing token 1
# n4 holds the lock with token 1: it is the leader
run until=300000us show=roles

# n4 stalls for 1000ms (a GC pause)
pause n4 for=1000000us

# n1 grants the lock to n3 with fencing token 2
# n3 holds the lock with token 2: it is the leader
# n2 accepts n3's write for period 3 with token 2
# n2 accepts n3's write for period 4 with token 2
# n2 accepts n4's write with stale token 1 (highest seen 2): fencing is off
# VIOLATION: conflicting writes: storage accepted token 1 from n4 after token 2 from n3
# VIOLATION: the job ran twice in period 4: stale n4 (token 1) wrote after n3 (token 2)
run until=1312806us show=roles
"#;

#[test]
fn lease_no_fencing() {
    // Chubby §2.4 (sequencers); Kleppmann 2016: storage must reject token 33 after 34.
    check(LEASE_NO_FENCING, "fencing=off", "fencing=on", "conflicting writes");
}

const LEASE_EXPIRY_FROM_RECEIVE: &str = r#"# Lease + fencing with rule expiry-from-receive broken: the shortest run found that goes wrong
# expiry-from-receive: a client measures its lease from when it sent the request, so it expires no later than the service's; broken, from when the reply arrived, outliving it.
# Source: Chubby (OSDI 2006) §2.8, the client's lease timeout is a conservative approximation of the master's; Redis distlock (Redlock) step 4, validity minus the time elapsed since step 1.
config algo=lease nodes=4 seed=1 ttl=500ms keepalive=150ms lock-delay=0ms fencing=on period=300ms job=40ms first-token=1 break=expiry-from-receive latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# n1 grants the lock to n3 with fencing token 1
# n3 holds the lock with token 1: it is the leader
# n2 accepts n3's write for period 1 with token 1
# n2 accepts n3's write for period 2 with token 1
run until=900000us show=roles

# n1 stalls for 400ms (a GC pause)
pause n1 for=400000us

# n2 accepts n3's write for period 3 with token 1
# n2 accepts n3's write for period 4 with token 1
# n1 grants the lock to n4 with fencing token 2
# VIOLATION: n3 believes its lease (token 1) lasts until 1303.118ms, but the service granted token 2 to n4 at 1300ms
run until=1300000us show=roles
"#;

#[test]
fn lease_expiry_from_receive() {
    // Chubby §2.8: the client's lease timeout is a conservative approximation of the master's.
    check(LEASE_EXPIRY_FROM_RECEIVE, "break=expiry-from-receive", "", "believes its lease");
}

const KAFKA_UNCLEAN: &str = r#"# Kafka with rule unclean broken: the shortest run found that goes wrong
# unclean: with no in-sync replica alive a partition stays offline; broken (the setting unclean=on), an out-of-sync replica leads and acknowledged records are lost.
# Source: Kafka Election.scala leaderForOffline (uncleanLeaderElectionEnabled); unclean.leader.election.enable=false since 0.11 (KIP-106).
config algo=kafka nodes=4 seed=1000125 partitions=3 replication=3 unclean=on min-insync=2 acks-all=on heartbeat=100ms session-timeout=400ms fetch=50ms replica-lag=400ms latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# n2 stalls for 1000ms (a GC pause)
pause n2 for=1000000us

# n3 is the controller (controller epoch 2)
# n3 elects n3 (first live ISR replica) to lead p0, leader epoch 1
# n3 elects n3 (first live ISR replica) to lead p1, leader epoch 1
# n3 elects n4 (first live ISR replica) to lead p2, leader epoch 1
run until=900000us show=roles

# a client writes x=2 to n4
write n4 2

# the network splits: n1, n2 | n3, n4
partition n1,n2 n3,n4

# n4 acknowledges x=2 (acks=all) at p2 offset 0
# n2 is the controller (controller epoch 1)
# n2 elects n2 (first live ISR replica) to lead p0, leader epoch 1
# n2 elects n2 (first live ISR replica) to lead p1, leader epoch 1
# ...
# n2 elects out-of-sync n2 to lead p0 (unclean): records it lacks are lost
# n2 elects out-of-sync n2 to lead p1 (unclean): records it lacks are lost
# n2 elects out-of-sync n2 to lead p2 (unclean): records it lacks are lost
# VIOLATION: 1 acknowledged record(s) of p2 lost after a leader change
run until=1310907us show=roles
"#;

#[test]
fn kafka_unclean() {
    // Kafka Election.scala leaderForOffline: only live ISR members lead unless unclean.leader.election.enable.
    check(KAFKA_UNCLEAN, "unclean=on", "unclean=off", "acknowledged record");
}

const KAFKA_ACKS1: &str = r#"# Kafka with rule acks1 broken: the shortest run found that goes wrong
# acks1: an acks=all record is acknowledged once every in-sync replica has it; broken (the setting acks-all=off), on the leader's append, and a failover loses it.
# Source: Kafka producer acks=all, default since 3.0 (KIP-679); ReplicaManager, Partition.checkEnoughReplicasReachOffset.
config algo=kafka nodes=4 seed=1000039 partitions=3 replication=3 unclean=off min-insync=2 acks-all=off heartbeat=100ms session-timeout=400ms fetch=50ms replica-lag=400ms latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# n2 is the controller (controller epoch 1)
# n2 elects n2 (first live ISR replica) to lead p0, leader epoch 1
# n2 elects n2 (first live ISR replica) to lead p1, leader epoch 1
# n2 elects n2 (first live ISR replica) to lead p2, leader epoch 1
run until=180000us show=roles

# the network splits: n1, n4 | n2, n3
partition n1,n4 n2,n3

# a client writes x=1 to n2
write n2 1

# n2 appends x=1 to p1 at offset 0 and acknowledges it at once (acks=1)
# n4 is the controller (controller epoch 2)
# n4 elects n4 (first live ISR replica) to lead p0, leader epoch 2
# n4 elects n4 (first live ISR replica) to lead p1, leader epoch 2
# n4 elects n4 (first live ISR replica) to lead p2, leader epoch 2
# VIOLATION: 1 acknowledged record(s) of p1 lost after a leader change
run until=609863us show=roles
"#;

#[test]
fn kafka_acks1() {
    // Kafka acks=all: acknowledged once every in-sync replica has the record (Partition.checkEnoughReplicasReachOffset).
    check(KAFKA_ACKS1, "acks-all=off", "acks-all=on", "acknowledged record");
}

const KAFKA_LEADER_OUTSIDE_ISR: &str = r#"# Kafka with rule leader-outside-isr broken: the shortest run found that goes wrong
# leader-outside-isr: the controller elects the first live replica that is in the ISR; broken, the first live replica whatever the ISR, a clean-looking election of an out-of-sync leader.
# Source: Kafka Election.scala leaderForOffline: assignment.find(id => liveReplicas.contains(id) && isr.contains(id)).
config algo=kafka nodes=4 seed=1 partitions=3 replication=3 unclean=off min-insync=2 acks-all=on heartbeat=100ms session-timeout=400ms fetch=50ms replica-lag=400ms break=leader-outside-isr latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# n2 is the controller (controller epoch 1)
# n2 elects n2 (first live ISR replica) to lead p0, leader epoch 1
# n2 elects n2 (first live ISR replica) to lead p1, leader epoch 1
# n2 elects n2 (first live ISR replica) to lead p2, leader epoch 1
run until=100000us show=roles

# the network splits: n1, n3, n4 | n2
partition n1,n3,n4 n2

# n4 is the controller (controller epoch 2)
# n4 elects n3 (first live ISR replica) to lead p0, leader epoch 2
# n4 elects n3 (first live ISR replica) to lead p1, leader epoch 2
# n4 elects n4 (first live ISR replica) to lead p2, leader epoch 2
# VIOLATION: p0 leader n3 is not in its ISR []
run until=499460us show=roles
"#;

#[test]
fn kafka_leader_outside_isr() {
    // Kafka Election.scala leaderForOffline: assignment.find(id => liveReplicas.contains(id) && isr.contains(id)).
    check(KAFKA_LEADER_OUTSIDE_ISR, "break=leader-outside-isr", "", "is not in its ISR");
}

#[test]
fn kraft_unclean() {
    // Kafka PartitionChangeBuilder.electLeader: an out-of-sync replica leads only with unclean.leader.election.enable.
    check(
        include_str!("../../../tests/scenarios/kraft/unclean-election-loses-data-violation.txt"),
        "unclean=on",
        "unclean=off",
        "acknowledged record",
    );
}

const KRAFT_ACKS1: &str = r#"# KRaft with rule acks1 broken: the leader acknowledges on append and crashes before its followers fetch
# acks1: an acks=all record is acknowledged once every in-sync replica has it; broken (the setting acks-all=off), on the leader's append, and a failover loses it.
# Source: Kafka producer acks=all, default since 3.0 (KIP-679); Partition.checkEnoughReplicasReachOffset.
config algo=kraft nodes=6 seed=1 partitions=1 acks-all=off

# n4 leads p0
run until=1000000us show=roles

# a client writes x=0 to n4, which crashes at once
write n4 0
crash n4

# the controller fences n4 and elects n5, which never had x=0
# VIOLATION: 1 acknowledged record(s) of p0 lost after a leader change
run until=2000000us show=roles
"#;

#[test]
fn kraft_acks1() {
    // Kafka acks=all: acknowledged once every in-sync replica has the record (Partition.checkEnoughReplicasReachOffset).
    check(KRAFT_ACKS1, "acks-all=off", "acks-all=on", "acknowledged record");
}

const KRAFT_LEADER_OUTSIDE_ISR: &str = r#"# KRaft with rule leader-outside-isr broken: the controller elects a fenced-out replica as if clean
# leader-outside-isr: the controller elects the first unfenced replica that is in the ISR; broken, the first unfenced replica whatever the ISR.
# Source: Kafka PartitionChangeBuilder.electLeader: the first target replica in the ISR and acceptable as leader.
config algo=kraft nodes=6 seed=1 partitions=1 break=leader-outside-isr

run until=900000us show=roles

# n6 stalls: the controller fences it and removes it from p0's ISR; it comes back unfenced
pause n6 for=1200000us
run until=1600000us show=roles

# both in-sync replicas crash: n6, out of sync, is elected as if it were in the ISR
crash n4
crash n5
# VIOLATION: p0 leader n6 is not in its ISR
run until=3200000us show=roles
"#;

#[test]
fn kraft_leader_outside_isr() {
    // Kafka PartitionChangeBuilder.electLeader: only ISR members lead in a clean election.
    check(KRAFT_LEADER_OUTSIDE_ISR, "break=leader-outside-isr", "", "is not in its ISR");
}

const RAFT_NO_UP_TO_DATE_CHECK_BY_CHOICE: &str = r#"# Raft with rule no-up-to-date-check broken: the shortest run found that goes wrong
# no-up-to-date-check: a vote goes only to a candidate whose log is at least as up to date; broken, any candidate gets it and a stale one can win.
# Source: Raft §5.4.1 (election restriction); etcd raft.go Step, MsgVote: r.raftLog.isUpToDate.
# Found by the exhaustive search with faults heal=1,cut=1,timing=2,drop=2,duplicate=1; shrunk from 1 inputs and 1 choices (violation at 440.501ms) to 1 inputs and 1 choices (at 440.501ms).
config algo=raft nodes=3 seed=1 election=150..300ms heartbeat=50ms pre-vote=off check-quorum=off break=no-up-to-date-check latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# message #9 is lost
choose #9 lost

# n3 won the election for term 1 with votes from n1, n3
# n3 sends AppendEntries #9 to n1, which the network loses (chosen)
# n3 committed up to index 1 (stored on a majority)
run until=300000us show=roles

# the link n3 -> n1 is cut one way (n1 still reaches n3)
cut n3 n1 one-way

# n1 won the election for term 2 with votes from n1, n2
# VIOLATION: n1 became leader of term 2 without committed entry no-op@1 at index 1
run until=440501us show=roles
"#;

#[test]
fn raft_no_up_to_date_check_with_a_lost_append_and_a_one_way_cut() {
    // Raft §5.4.1: one lost AppendEntries leaves n1's log stale; a one-way cut n3 -> n1 makes
    // it time out and, without the election restriction, win (`--faults timing=2,drop=2,
    // duplicate=1,cut=1 --depth 3`).
    check(RAFT_NO_UP_TO_DATE_CHECK_BY_CHOICE, " break=no-up-to-date-check", "", "without committed entry");
}

const LEASE_EXPIRY_FROM_RECEIVE_BY_CHOICES: &str = r#"# Lease + fencing with rule expiry-from-receive broken: the shortest run found that goes wrong
# expiry-from-receive: a client measures its lease from when it sent the request, so it expires no later than the service's; broken, from when the reply arrived, outliving it.
# Source: Chubby (OSDI 2006) §2.8, the client's lease timeout is a conservative approximation of the master's; Redis distlock (Redlock) step 4, validity minus the time elapsed since step 1.
# Found by the exhaustive search with faults timing=1,drop=3; shrunk from 0 inputs and 4 choices (violation at 690.903ms) to 0 inputs and 4 choices (at 690.903ms).
config algo=lease nodes=4 seed=1 ttl=500ms keepalive=150ms lock-delay=0ms fencing=on period=300ms job=40ms first-token=1 break=expiry-from-receive latency=10000us..15000us loss=0.0000% duplicate=0.0000%

# n4's random duration number 4 is the shortest allowed
choose n4 draw=4 min

# message #11 is lost
choose #11 lost

# message #15 is lost
choose #15 lost

# message #17 is lost
choose #17 lost

# n1 grants the lock to n3 with fencing token 1
# n3 holds the lock with token 1: it is the leader
# n4 arms its retry timer for the shortest time allowed, 100ms (chosen)
# n3 sends Renew #11 to n1, which the network loses (chosen)
# ...
# n3 sends Renew #15 to n1, which the network loses (chosen)
# n3 sends Renew #17 to n1, which the network loses (chosen)
# n2 accepts n3's write for period 2 with token 1
# n1 grants the lock to n4 with fencing token 2
# VIOLATION: n3 believes its lease (token 1) lasts until 699.478ms, but the service granted token 2 to n4 at 690.903ms
run until=690903us show=roles
"#;

#[test]
fn lease_expiry_from_receive_with_lost_renewals_and_a_short_retry() {
    // Chubby §2.8: the client's lease must expire no later than the master's. No input at
    // all: three lost renewals and one retry timer at the short end of its range (`--faults
    // drop=3,timing=1 --depth 4`).
    check(LEASE_EXPIRY_FROM_RECEIVE_BY_CHOICES, " break=expiry-from-receive", "", "believes its lease");
}

#[test]
fn zookeeper_recipe_no_fencing() {
    // Kleppmann 2016: the znode's sequence number is a fencing token; storage must reject
    // token 1 after token 2 (ZooKeeper Recipes, Leader Election: sequence numbers only grow).
    check(
        include_str!("../../../tests/scenarios/zookeeper-recipe/gc-pause-no-fencing-violation.txt"),
        "break=no-fencing",
        "",
        "the job ran twice at once",
    );
}

#[test]
fn etcd_no_fencing() {
    // etcd election.go Rev(): the leader key's create revision is the fencing token; storage
    // must reject revision 2 after revision 3 (Kleppmann 2016).
    check(
        include_str!("../../../tests/scenarios/etcd/gc-pause-no-fencing-violation.txt"),
        "break=no-fencing",
        "",
        "the job ran twice at once",
    );
}
