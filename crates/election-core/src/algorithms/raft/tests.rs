//! Handler tests: each asserts the exact effects a handler emits, citing the rule it checks.

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<RaftMsg, RaftTimer>>;

const PEERS: [NodeId; 5] = [1, 2, 3, 4, 5];

fn server(id: NodeId, config: RaftConfig) -> Raft {
    Raft::new(id, &PEERS, &config)
}

/// Runs `f` on `r` at time `now` and returns the effects.
fn run(r: &mut Raft, now: Micros, f: impl FnOnce(&mut Raft, &mut RaftCtx<'_>)) -> Out {
    let me = r.id;
    run_handler(r, me, &PEERS, now, f)
}

fn election_timer_in_range(out: &Out, c: &RaftConfig) -> bool {
    out.iter().any(|e| {
        matches!(e, Effect::SetTimer { timer: RaftTimer::Election, after }
            if *after >= ms(c.election_timeout_ms_min) && *after <= ms(c.election_timeout_ms_max))
    })
}

fn entry(term: u64, v: u64) -> Entry {
    Entry { term, data: EntryData::Write(v) }
}

/// A leader of `term` whose log is `log`, elected by a test shortcut.
fn leader(id: NodeId, term: u64, log: Vec<Entry>, config: RaftConfig) -> (Raft, Out) {
    let mut r = server(id, config);
    r.term = term - 1;
    r.log = log.into_iter().collect();
    run(&mut r, 0, |r, ctx| r.become_candidate(ctx, false));
    let mut out = Vec::new();
    for p in [2, 3] {
        out = run(&mut r, 10, |r, ctx| {
            r.on_message(ctx, p, RaftMsg::RequestVoteResponse { term, granted: true })
        });
    }
    assert_eq!(r.role, Role::Leader);
    (r, out)
}

#[test]
fn election_timeout_starts_a_campaign() {
    // §5.2: "To begin an election, a follower increments its current term and transitions to
    // candidate state. It then votes for itself and issues RequestVote RPCs in parallel."
    let c = RaftConfig::default();
    let mut r = server(1, c.clone());
    r.log = vec![entry(1, 7)].into_iter().collect();
    r.term = 1;
    let out = run(&mut r, 500, |r, ctx| r.on_timer(ctx, RaftTimer::Election));
    assert_eq!(r.term, 2);
    assert_eq!(r.role, Role::Candidate);
    assert_eq!(r.voted_for, Some(1));
    let rv = RaftMsg::RequestVote { term: 2, last_log_index: 1, last_log_term: 1, transfer: false };
    assert_eq!(sends(&out), vec![(2, rv.clone()), (3, rv.clone()), (4, rv.clone()), (5, rv)]);
    // §5.2: the election timeout is re-drawn at random for the new election.
    assert!(election_timer_in_range(&out, &c), "{out:?}");
}

#[test]
fn one_vote_per_term() {
    // §5.2: "Each server will vote for at most one candidate in a given term, on a
    // first-come-first-served basis."
    let mut r = server(3, RaftConfig::default());
    let ask = |c| RaftMsg::RequestVote { term: 1, last_log_index: 0, last_log_term: 0, transfer: c };
    let out = run(&mut r, 0, |r, ctx| r.on_message(ctx, 1, ask(false)));
    assert_eq!(sends(&out), vec![(1, RaftMsg::RequestVoteResponse { term: 1, granted: true })]);
    assert_eq!(r.voted_for, Some(1));
    let out = run(&mut r, 1, |r, ctx| r.on_message(ctx, 2, ask(false)));
    assert_eq!(sends(&out), vec![(2, RaftMsg::RequestVoteResponse { term: 1, granted: false })]);
    // A repeated request from the same candidate is granted again (lost reply).
    let out = run(&mut r, 2, |r, ctx| r.on_message(ctx, 1, ask(false)));
    assert_eq!(sends(&out), vec![(1, RaftMsg::RequestVoteResponse { term: 1, granted: true })]);
}

#[test]
fn vote_goes_only_to_an_up_to_date_log() {
    // §5.4.1: "If the logs have last entries with different terms, then the log with the
    // later term is more up-to-date. If the logs end with the same term, then whichever log
    // is longer is more up-to-date."
    let cases = [
        // (candidate last index, candidate last term, granted) against our log [1@1, 2@2]
        (5, 1, false), // longer but older last term
        (1, 2, false), // same last term, shorter
        (2, 2, true),  // same
        (1, 3, true),  // shorter but newer last term
    ];
    for (i, (idx, term, granted)) in cases.into_iter().enumerate() {
        let mut r = server(2, RaftConfig::default());
        r.log = vec![entry(1, 1), entry(2, 2)].into_iter().collect();
        r.term = 3;
        let out = run(&mut r, 0, |r, ctx| {
            r.on_message(
                ctx,
                1,
                RaftMsg::RequestVote { term: 4, last_log_index: idx, last_log_term: term, transfer: false },
            )
        });
        assert_eq!(
            sends(&out),
            vec![(1, RaftMsg::RequestVoteResponse { term: 4, granted })],
            "case {i}: last={idx}@{term}"
        );
        // Figure 2: a higher term is adopted whether or not the vote is granted.
        assert_eq!(r.term, 4);
    }
}

#[test]
fn majority_makes_a_leader_that_appends_a_no_op_and_heartbeats() {
    // §5.2: a candidate wins with votes from a majority, then "sends heartbeat messages to
    // all of the other servers"; §8: it commits a blank no-op entry of its term.
    let c = RaftConfig::default();
    let (r, out) = leader(1, 1, vec![], c.clone());
    assert_eq!(r.log.iter().copied().collect::<Vec<_>>(), vec![Entry { term: 1, data: EntryData::NoOp }]);
    let ae = RaftMsg::AppendEntries {
        term: 1,
        prev_log_index: 0,
        prev_log_term: 0,
        entries: vec![Entry { term: 1, data: EntryData::NoOp }],
        leader_commit: 0,
    };
    assert_eq!(sends(&out), vec![(2, ae.clone()), (3, ae.clone()), (4, ae.clone()), (5, ae)]);
    assert!(out.contains(&Effect::CancelTimer { timer: RaftTimer::Election }));
    assert!(out.contains(&Effect::SetTimer { timer: RaftTimer::Heartbeat, after: ms(c.heartbeat_ms) }));
}

#[test]
fn higher_term_makes_a_leader_step_down() {
    // Figure 2, all servers: "If RPC request or response contains term T > currentTerm: set
    // currentTerm = T, convert to follower".
    let (mut r, _) = leader(1, 2, vec![], RaftConfig::default());
    let out = run(&mut r, 20, |r, ctx| {
        r.on_message(
            ctx,
            4,
            RaftMsg::AppendEntriesResponse { term: 5, success: false, index: 0, heartbeat: true },
        )
    });
    assert_eq!((r.role, r.term, r.voted_for, r.leader), (Role::Follower, 5, None, None));
    assert!(out.contains(&Effect::CancelTimer { timer: RaftTimer::Heartbeat }));
    assert!(election_timer_in_range(&out, &RaftConfig::default()));
}

#[test]
fn stale_leader_is_rejected_with_the_current_term() {
    // §5.1: "If a server receives a request with a stale term number, it rejects the request."
    let mut r = server(2, RaftConfig::default());
    r.term = 5;
    let out = run(&mut r, 0, |r, ctx| {
        r.on_message(
            ctx,
            1,
            RaftMsg::AppendEntries {
                term: 4,
                prev_log_index: 0,
                prev_log_term: 0,
                entries: vec![],
                leader_commit: 0,
            },
        )
    });
    assert_eq!(
        sends(&out),
        vec![(1, RaftMsg::AppendEntriesResponse { term: 5, success: false, index: 0, heartbeat: true })]
    );
    assert_eq!(r.leader, None);
}

#[test]
fn append_entries_consistency_check_and_conflict_truncation() {
    // §5.3: "If a follower does not find an entry in its log with the same index and term,
    // then it refuses the new entries" and "If an existing entry conflicts with a new one
    // (same index but different terms), delete the existing entry and all that follow it".
    let mut r = server(2, RaftConfig::default());
    r.term = 3;
    r.log = vec![entry(1, 1), entry(2, 2), entry(2, 3)].into_iter().collect();
    let out = run(&mut r, 0, |r, ctx| {
        r.on_message(
            ctx,
            1,
            RaftMsg::AppendEntries {
                term: 3,
                prev_log_index: 5,
                prev_log_term: 3,
                entries: vec![entry(3, 9)],
                leader_commit: 1,
            },
        )
    });
    // Refused; the hint says "retry after index 3" (our last index), like etcd's RejectHint.
    assert_eq!(
        sends(&out),
        vec![(1, RaftMsg::AppendEntriesResponse { term: 3, success: false, index: 3, heartbeat: false })]
    );
    assert_eq!(r.leader, Some(1), "a valid leader is recognised even when its entries do not fit");
    let out = run(&mut r, 1, |r, ctx| {
        r.on_message(
            ctx,
            1,
            RaftMsg::AppendEntries {
                term: 3,
                prev_log_index: 1,
                prev_log_term: 1,
                entries: vec![entry(3, 9)],
                leader_commit: 2,
            },
        )
    });
    assert_eq!(
        r.log.iter().copied().collect::<Vec<_>>(),
        vec![entry(1, 1), entry(3, 9)],
        "entries 2@2 and 3@2 conflicted and were deleted"
    );
    // Figure 2: commitIndex = min(leaderCommit, index of last new entry).
    assert_eq!(r.commit, 2);
    assert_eq!(
        sends(&out),
        vec![(1, RaftMsg::AppendEntriesResponse { term: 3, success: true, index: 2, heartbeat: false })]
    );
}

#[test]
fn matching_entries_are_not_truncated_by_a_stale_append() {
    // §5.3 deletes only *conflicting* entries: a delayed, shorter AppendEntries must not cut
    // off entries that a later one already appended.
    let mut r = server(2, RaftConfig::default());
    r.term = 1;
    r.log = vec![entry(1, 1), entry(1, 2)].into_iter().collect();
    run(&mut r, 0, |r, ctx| {
        r.on_message(
            ctx,
            1,
            RaftMsg::AppendEntries {
                term: 1,
                prev_log_index: 0,
                prev_log_term: 0,
                entries: vec![entry(1, 1)],
                leader_commit: 0,
            },
        )
    });
    assert_eq!(r.log.len(), 2);
}

#[test]
fn leader_commits_only_current_term_entries_by_counting() {
    // §5.4.2 / Figure 8: "Raft never commits log entries from previous terms by counting
    // replicas. Only log entries from the leader's current term are committed by counting".
    let (mut r, _) = leader(1, 3, vec![entry(2, 5)], RaftConfig::default());
    // Log: [5@2, no-op@3]. n2 and n3 hold only index 1 (the term-2 entry).
    for p in [2, 3] {
        run(&mut r, 30, |r, ctx| {
            r.on_message(
                ctx,
                p,
                RaftMsg::AppendEntriesResponse { term: 3, success: true, index: 1, heartbeat: false },
            )
        });
    }
    assert_eq!(r.commit, 0, "the term-2 entry is on a majority but must not be committed by counting");
    let out = run(&mut r, 40, |r, ctx| {
        r.on_message(
            ctx,
            2,
            RaftMsg::AppendEntriesResponse { term: 3, success: true, index: 2, heartbeat: false },
        )
    });
    assert_eq!(r.commit, 0, "no-op@3 is on n1 and n2 only: 2 of 5");
    assert!(sends(&out).is_empty());
    let out = run(&mut r, 41, |r, ctx| {
        r.on_message(
            ctx,
            3,
            RaftMsg::AppendEntriesResponse { term: 3, success: true, index: 2, heartbeat: false },
        )
    });
    assert_eq!(r.commit, 2, "the current-term entry commits, and the older one with it");
    assert_eq!(out, vec![Effect::Note("committed up to index 2 (stored on a majority)".into())]);
}

#[test]
fn rejected_append_backs_off_using_the_hint() {
    // §5.3: "After a rejection, the leader decrements nextIndex and retries"; the hint skips
    // straight to the follower's last index.
    let (mut r, _) = leader(1, 2, vec![entry(1, 1), entry(1, 2), entry(1, 3)], RaftConfig::default());
    let out = run(&mut r, 30, |r, ctx| {
        r.on_message(
            ctx,
            4,
            RaftMsg::AppendEntriesResponse { term: 2, success: false, index: 1, heartbeat: false },
        )
    });
    assert_eq!(
        sends(&out),
        vec![(
            4,
            RaftMsg::AppendEntries {
                term: 2,
                prev_log_index: 1,
                prev_log_term: 1,
                entries: vec![entry(1, 2), entry(1, 3), Entry { term: 2, data: EntryData::NoOp }],
                leader_commit: 0,
            }
        )]
    );
}

#[test]
fn pre_vote_does_not_raise_the_term() {
    // Dissertation §9.6: a pre-candidate asks for votes for term+1 but keeps its own term.
    let c = RaftConfig { pre_vote: true, ..RaftConfig::default() };
    let mut r = server(1, c.clone());
    r.term = 4;
    let out = run(&mut r, 0, |r, ctx| r.on_timer(ctx, RaftTimer::Election));
    assert_eq!((r.role, r.term, r.voted_for), (Role::PreCandidate, 4, None));
    let pv = RaftMsg::PreVote { term: 5, last_log_index: 0, last_log_term: 0 };
    assert_eq!(sends(&out).len(), 4);
    assert!(sends(&out).iter().all(|(_, m)| *m == pv));
    // Two grants (plus its own) are a majority: now it campaigns for real.
    run(&mut r, 1, |r, ctx| r.on_message(ctx, 2, RaftMsg::PreVoteResponse { term: 5, granted: true }));
    assert_eq!(r.role, Role::PreCandidate);
    let out =
        run(&mut r, 2, |r, ctx| r.on_message(ctx, 3, RaftMsg::PreVoteResponse { term: 5, granted: true }));
    assert_eq!((r.role, r.term), (Role::Candidate, 5));
    assert_eq!(sends(&out).len(), 4);
}

#[test]
fn pre_vote_is_refused_while_a_leader_is_heard() {
    // Dissertation §9.6: servers that still hear from a leader refuse pre-votes, so a node
    // coming back from a partition cannot disturb them. Granting changes nothing locally.
    let c = RaftConfig { pre_vote: true, ..RaftConfig::default() };
    let mut r = server(2, c);
    r.term = 3;
    run(&mut r, ms(1_000), |r, ctx| {
        r.on_message(
            ctx,
            1,
            RaftMsg::AppendEntries {
                term: 3,
                prev_log_index: 0,
                prev_log_term: 0,
                entries: vec![],
                leader_commit: 0,
            },
        )
    });
    let pv = RaftMsg::PreVote { term: 9, last_log_index: 0, last_log_term: 0 };
    let out = run(&mut r, ms(1_100), |r, ctx| r.on_message(ctx, 5, pv.clone()));
    assert_eq!(sends(&out), vec![(5, RaftMsg::PreVoteResponse { term: 3, granted: false })]);
    // After a minimum election timeout of silence, it is granted, and still nothing changes.
    let out = run(&mut r, ms(1_200), |r, ctx| r.on_message(ctx, 5, pv));
    assert_eq!(sends(&out), vec![(5, RaftMsg::PreVoteResponse { term: 9, granted: true })]);
    assert_eq!((r.term, r.voted_for, r.leader), (3, None, Some(1)));
}

#[test]
fn check_quorum_steps_down_without_a_majority() {
    // Dissertation §6.2: "a leader steps down if an election timeout elapses without a
    // successful round of heartbeats to a majority of its cluster".
    let c = RaftConfig { check_quorum: true, ..RaftConfig::default() };
    let (mut r, out) = leader(1, 1, vec![], c.clone());
    assert!(
        out.contains(&Effect::SetTimer {
            timer: RaftTimer::CheckQuorum,
            after: ms(c.election_timeout_ms_min)
        })
    );
    // Only n2 answers: 2 of 5 is not a majority.
    run(&mut r, 20, |r, ctx| {
        r.on_message(
            ctx,
            2,
            RaftMsg::AppendEntriesResponse { term: 1, success: true, index: 1, heartbeat: false },
        )
    });
    let out = run(&mut r, ms(150), |r, ctx| r.on_timer(ctx, RaftTimer::CheckQuorum));
    assert_eq!((r.role, r.term), (Role::Follower, 1));
    assert!(matches!(&out[0], Effect::Note(n) if n.contains("CheckQuorum")), "{out:?}");
}

#[test]
fn check_quorum_keeps_a_leader_that_hears_a_majority() {
    let c = RaftConfig { check_quorum: true, ..RaftConfig::default() };
    let (mut r, _) = leader(1, 1, vec![], c.clone());
    for p in [2, 3] {
        run(&mut r, 20, |r, ctx| {
            r.on_message(
                ctx,
                p,
                RaftMsg::AppendEntriesResponse { term: 1, success: true, index: 1, heartbeat: false },
            )
        });
    }
    let out = run(&mut r, ms(150), |r, ctx| r.on_timer(ctx, RaftTimer::CheckQuorum));
    assert_eq!(r.role, Role::Leader);
    assert_eq!(
        out,
        vec![Effect::SetTimer { timer: RaftTimer::CheckQuorum, after: ms(c.election_timeout_ms_min) }]
    );
}

#[test]
fn leadership_transfer_sends_timeout_now_to_an_up_to_date_target() {
    // Dissertation §3.10: once the target's log matches, "the prior leader sends a TimeoutNow
    // request to the target server", which starts an election at once.
    let (mut r, _) = leader(1, 1, vec![], RaftConfig::default());
    let out = run(&mut r, 20, |r, ctx| r.on_request(ctx, Request::TransferLeadership { to: 2 }));
    // n2 has not acknowledged the no-op yet: the leader replicates first.
    assert!(matches!(sends(&out).as_slice(), [(2, RaftMsg::AppendEntries { .. })]), "{out:?}");
    // Writes are refused during the transfer.
    let out = run(&mut r, 21, |r, ctx| r.on_request(ctx, Request::ClientWrite { value: 1 }));
    assert!(sends(&out).is_empty());
    let out = run(&mut r, 30, |r, ctx| {
        r.on_message(
            ctx,
            2,
            RaftMsg::AppendEntriesResponse { term: 1, success: true, index: 1, heartbeat: false },
        )
    });
    assert_eq!(sends(&out), vec![(2, RaftMsg::TimeoutNow { term: 1 })]);

    let mut target = server(2, RaftConfig::default());
    target.term = 1;
    let out = run(&mut target, 40, |r, ctx| r.on_message(ctx, 1, RaftMsg::TimeoutNow { term: 1 }));
    assert_eq!((target.role, target.term), (Role::Candidate, 2));
    assert!(
        sends(&out).iter().all(|(_, m)| matches!(m, RaftMsg::RequestVote { transfer: true, term: 2, .. }))
    );
}

#[test]
fn crash_keeps_persistent_state_only() {
    // Figure 2: currentTerm, votedFor and log[] are persistent; commitIndex and leader
    // state are volatile.
    let (mut r, _) = leader(1, 3, vec![entry(2, 5)], RaftConfig::default());
    r.commit = 2;
    r.on_crash();
    assert_eq!((r.term, r.voted_for, r.log.len()), (3, Some(1), 2));
    assert_eq!((r.role, r.commit, r.leader), (Role::Follower, 0, None));
    assert!(r.votes.is_empty());
}

#[test]
fn client_write_at_a_follower_is_redirected() {
    let mut r = server(2, RaftConfig::default());
    r.leader = Some(4);
    let out = run(&mut r, 0, |r, ctx| r.on_request(ctx, Request::ClientWrite { value: 3 }));
    assert_eq!(out, vec![Effect::Note("is not the leader; redirects the client to n4".into())]);
    assert!(r.log.is_empty());
}

#[test]
fn config_validation() {
    let bad =
        RaftConfig { election_timeout_ms_min: 300, election_timeout_ms_max: 150, ..RaftConfig::default() };
    assert_eq!(bad.validate(), Err(Error::Range { what: "election timeout (ms)", min: 300, max: 150 }));
    let bad = RaftConfig { heartbeat_ms: 0, ..RaftConfig::default() };
    assert!(bad.validate().is_err());
    assert!(RaftConfig::default().validate().is_ok());
}

/// The position of the first `Persist` among `out`, and of the first message sent.
fn persist_then_send(out: &Out) -> (Option<usize>, Option<usize>) {
    let persist = out.iter().position(|e| matches!(e, Effect::Persist));
    let send = out.iter().position(|e| matches!(e, Effect::Send { .. }));
    (persist, send)
}

#[test]
fn candidate_persists_term_and_vote_before_requesting_votes() {
    // Figure 2: currentTerm and votedFor are "updated on stable storage before responding
    // to RPCs". LogCabin RaftConsensus.cc `startNewElection`: `++currentTerm; ... votedFor
    // = serverId; setElectionTimer(); ... updateLogMetadata(); interruptAll();`, all under
    // the mutex the peer threads need before they can send RequestVote.
    let mut r = server(1, RaftConfig::default());
    let out = run(&mut r, 500, |r, ctx| r.on_timer(ctx, RaftTimer::Election));
    let (persist, send) = persist_then_send(&out);
    assert!(persist.is_some() && persist < send, "{out:?}");
    // The election timer was reset before the write, as in LogCabin.
    let timer = out.iter().position(|e| matches!(e, Effect::SetTimer { timer: RaftTimer::Election, .. }));
    assert!(timer < persist, "{out:?}");
    assert_eq!(out.iter().filter(|e| matches!(e, Effect::Persist)).count(), 1);
}

#[test]
fn voter_persists_its_vote_before_replying() {
    // LogCabin RaftConsensus.cc `handleRequestVote`: `votedFor = request.server_id();
    // updateLogMetadata();` comes before `response.set_granted(...)`; a higher term is
    // written by `stepDown` on the way. One write here covers both.
    let mut r = server(3, RaftConfig::default());
    let ask = RaftMsg::RequestVote { term: 1, last_log_index: 0, last_log_term: 0, transfer: false };
    let out = run(&mut r, 0, |r, ctx| r.on_message(ctx, 1, ask.clone()));
    let (persist, send) = persist_then_send(&out);
    assert!(persist.is_some() && persist < send, "{out:?}");
    // A refusal that changes nothing (same term, vote already given) writes nothing.
    let out = run(&mut r, 1, |r, ctx| r.on_message(ctx, 2, ask));
    assert_eq!(persist_then_send(&out).0, None, "{out:?}");
}

#[test]
fn follower_persists_entries_before_acknowledging_but_not_heartbeats() {
    // LogCabin RaftConsensus.cc `RaftConsensus::append`: a follower ("sync log now")
    // waits for `sync->wait()` before `handleAppendEntries` replies; an AppendEntries that
    // adds nothing has nothing to sync.
    let mut r = server(2, RaftConfig::default());
    r.term = 1;
    let append = |entries: Vec<Entry>| RaftMsg::AppendEntries {
        term: 1,
        prev_log_index: 0,
        prev_log_term: 0,
        entries,
        leader_commit: 0,
    };
    let out = run(&mut r, 0, |r, ctx| r.on_message(ctx, 1, append(vec![entry(1, 7)])));
    let (persist, send) = persist_then_send(&out);
    assert!(persist.is_some() && persist < send, "{out:?}");
    let out = run(&mut r, 1, |r, ctx| r.on_message(ctx, 1, append(vec![entry(1, 7)])));
    assert_eq!(persist_then_send(&out).0, None, "a repeated entry is already stored: {out:?}");
    let out = run(&mut r, 2, |r, ctx| r.on_message(ctx, 1, append(Vec::new())));
    assert_eq!(persist_then_send(&out).0, None, "a heartbeat: {out:?}");
}

#[test]
fn leader_replicates_without_waiting_for_its_own_disk() {
    // Dissertation ch. 10, "Writing to the leader's disk in parallel": "the leader can
    // write to its disk in parallel with replicating to the followers"; LogCabin
    // `RaftConsensus::append` defers the leader's sync to `leaderDiskThreadMain`. So a
    // client write goes out at once.
    let (mut l, _) = leader(1, 2, Vec::new(), RaftConfig::default());
    let out = run(&mut l, 20, |r, ctx| r.on_request(ctx, Request::ClientWrite { value: 4 }));
    assert_eq!(persist_then_send(&out).0, None, "{out:?}");
    assert!(!sends(&out).is_empty());
}
