//! Handler tests of the ZooKeeper recipe, each citing the rule it checks.

use super::*;
use crate::engine::protocol::Effect;
use crate::engine::protocol::testing::{run_handler, sends};

type Out = Vec<Effect<ZkMsg, ZkTimer>>;
const PEERS: [NodeId; 5] = [1, 2, 3, 4, 5];

fn node(id: NodeId, config: &ZkConfig) -> ZkRecipe {
    ZkRecipe::new(id, &PEERS, config)
}

fn run(n: &mut ZkRecipe, now: Micros, f: impl FnOnce(&mut ZkRecipe, &mut ZkCtx<'_>)) -> Out {
    let me = n.id;
    run_handler(n, me, &PEERS, now, f)
}

/// A server with sessions 1, 2, 3 for n3, n4, n5 and one znode each, in that order.
fn server_with_three(config: &ZkConfig) -> ZkRecipe {
    let mut s = node(ZOOKEEPER, config);
    for (i, from) in [3, 4, 5].into_iter().enumerate() {
        let t = ms(i as u64);
        run(&mut s, t, |n, ctx| n.on_message(ctx, from, ZkMsg::Connect { timeout_ms: 600, sent_at: t }));
        run(&mut s, t, |n, ctx| n.on_message(ctx, from, ZkMsg::Create { session: i as u64 + 1 }));
    }
    s
}

#[test]
fn sequence_numbers_grow_with_every_create() {
    // Recipes, Leader Election: "ZooKeeper automatically appends a sequence number that is
    // greater than anyone previously appended to a child of /election".
    let s = server_with_three(&ZkConfig::default());
    let Part::Server(srv) = &s.part else { unreachable!() };
    let seqs: Vec<u64> = srv.znodes.iter().map(|z| z.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
}

#[test]
fn the_lowest_znode_leads_and_the_others_watch_their_predecessor() {
    // Recipes, Leader Election: "If z is the smallest node in C, then execute leader
    // procedure; otherwise, watch for changes on ELECTION/guid-n_j, where j is the largest
    // sequence number such that j < i".
    let config = ZkConfig::default();
    let children = |session| ZkMsg::Children { session, znodes: vec![(1, 1), (2, 2), (3, 3)] };
    let mut first = node(3, &config);
    let Part::Candidate(c) = &mut first.part else { unreachable!() };
    (c.session, c.znode, c.phase, c.connected) = (Some(1), Some(1), Phase::Listing, true);
    run(&mut first, ms(10), |n, ctx| n.on_message(ctx, ZOOKEEPER, children(1)));
    assert_eq!(first.leading(), Some(1));
    let mut third = node(5, &config);
    let Part::Candidate(c) = &mut third.part else { unreachable!() };
    (c.session, c.znode, c.phase, c.connected) = (Some(3), Some(3), Phase::Listing, true);
    let out = run(&mut third, ms(10), |n, ctx| n.on_message(ctx, ZOOKEEPER, children(3)));
    assert_eq!(sends(&out), vec![(ZOOKEEPER, ZkMsg::Exists { session: 3, seq: 2 })], "its predecessor");
    // The herd variant: every candidate watches the leader's znode.
    let herd = ZkConfig { watch: WatchMode::Leader, ..config };
    let mut third = node(5, &herd);
    let Part::Candidate(c) = &mut third.part else { unreachable!() };
    (c.session, c.znode, c.phase, c.connected) = (Some(3), Some(3), Phase::Listing, true);
    let out = run(&mut third, ms(10), |n, ctx| n.on_message(ctx, ZOOKEEPER, children(3)));
    assert_eq!(sends(&out), vec![(ZOOKEEPER, ZkMsg::Exists { session: 3, seq: 1 })], "the leader");
}

#[test]
fn session_expiry_deletes_the_ephemeral_znode_and_fires_one_watch() {
    // Programmer's Guide, Sessions: when a session expires its ephemeral nodes are deleted;
    // Watches: a watch is a one-time trigger sent to the client that set it.
    let config = ZkConfig::default();
    let mut s = server_with_three(&config);
    run(&mut s, ms(5), |n, ctx| n.on_message(ctx, 4, ZkMsg::Exists { session: 2, seq: 1 }));
    run(&mut s, ms(5), |n, ctx| n.on_message(ctx, 5, ZkMsg::Exists { session: 3, seq: 2 }));
    // Sessions 2 and 3 keep pinging; session 1 (n3) falls silent.
    for t in [200, 400, 600] {
        for (from, session) in [(4, 2), (5, 3)] {
            let ping = ZkMsg::Ping { session, watch: None, sent_at: ms(t) };
            run(&mut s, ms(t), |n, ctx| n.on_message(ctx, from, ping));
        }
    }
    // Session 1 last spoke at 0 ms (its create): the tick at 500 ms leaves it, the one at
    // 600 ms expires it.
    let out = run(&mut s, ms(500), |n, ctx| n.on_timer(ctx, ZkTimer::Tick));
    assert!(sends(&out).iter().all(|m| !matches!(m.1, ZkMsg::NodeDeleted { .. })), "600 ms not passed yet");
    let out = run(&mut s, ms(600), |n, ctx| n.on_timer(ctx, ZkTimer::Tick));
    assert_eq!(sends(&out), vec![(4, ZkMsg::NodeDeleted { seq: 1 })], "only the predecessor's watcher");
    assert_eq!(s.notifications(), 1);
    let out = run(&mut s, ms(710), |n, ctx| n.on_message(ctx, 3, ZkMsg::GetChildren { session: 1 }));
    assert_eq!(sends(&out), vec![(3, ZkMsg::SessionExpired { session: 1 })]);
}

#[test]
fn the_client_stops_leading_after_two_thirds_of_the_timeout_without_a_pong() {
    // ClientCnxn: readTimeout = sessionTimeout * 2 / 3; Curator's LeaderLatch gives up
    // leadership on SUSPENDED. The server cannot expire the session before a full timeout.
    let config = ZkConfig::default();
    let mut c = node(3, &config);
    let Part::Candidate(cand) = &mut c.part else { unreachable!() };
    (cand.session, cand.znode, cand.phase, cand.connected) = (Some(1), Some(1), Phase::Leading, true);
    cand.last_heard = ms(100);
    run(&mut c, ms(499), |n, ctx| n.on_timer(ctx, ZkTimer::Disconnect));
    assert_eq!(c.leading(), Some(1), "399 ms since the answered ping");
    run(&mut c, ms(500), |n, ctx| n.on_timer(ctx, ZkTimer::Disconnect));
    assert_eq!(c.leading(), None);
}

#[test]
fn a_lost_create_reply_is_found_by_the_session_id_in_the_name() {
    // Recipes, Locks (the guid note) and Curator's withProtection(): after a lost create
    // reply, the client looks for a child carrying its id instead of creating a second one.
    let mut c = node(3, &ZkConfig::default());
    let Part::Candidate(cand) = &mut c.part else { unreachable!() };
    (cand.session, cand.phase, cand.connected) = (Some(7), Phase::Creating, true);
    let children = ZkMsg::Children { session: 7, znodes: vec![(4, 7)] };
    run(&mut c, ms(10), |n, ctx| n.on_message(ctx, ZOOKEEPER, children));
    assert_eq!(c.leading(), Some(4));
}

#[test]
fn fencing_rejects_a_lower_sequence_and_no_fencing_accepts_it() {
    // Kleppmann (2016): "use the zxid or the znode version number as fencing token"; storage
    // refuses a token lower than one it has accepted.
    for (fencing, accepted) in [(true, false), (false, true)] {
        let mut st = node(STORAGE, &ZkConfig { fencing, ..ZkConfig::default() });
        run(&mut st, 0, |n, ctx| n.on_message(ctx, 5, ZkMsg::Write { token: 2, period: 4 }));
        let out = run(&mut st, 1, |n, ctx| n.on_message(ctx, 3, ZkMsg::Write { token: 1, period: 5 }));
        assert_eq!(sends(&out), vec![(3, ZkMsg::WriteResult { token: 1, accepted })], "fencing={fencing}");
    }
}

#[test]
fn session_timeout_is_bounded_to_2_to_20_ticks() {
    // Programmer's Guide, Sessions: "a minimum of 2 times the tickTime ... and a maximum of 20
    // times the tickTime".
    let ok = ZkConfig::default();
    assert!(ZkRecipe::validate(&ok, 3).is_ok());
    assert!(ZkRecipe::validate(&ok, 2).is_err());
    assert!(ZkRecipe::validate(&ZkConfig { session_timeout_ms: 150, ..ok.clone() }, 3).is_err());
    assert!(ZkRecipe::validate(&ZkConfig { session_timeout_ms: 2_100, ..ok.clone() }, 3).is_err());
    assert!(ZkRecipe::validate(&ZkRecipe::production().unwrap(), 5).is_ok());
}

#[test]
fn watch_leader_and_break_settings_read_as_documented() {
    let mut c = ZkConfig::default();
    c.set("watch", "leader").unwrap();
    assert_eq!(c.watch, WatchMode::Leader);
    c.set("watch-leader", "off").unwrap();
    assert_eq!(c.watch, WatchMode::Predecessor);
    c.set("break", "no-fencing").unwrap();
    assert!(!c.fencing);
    assert_eq!(c.broken(), vec!["no-fencing"]);
    assert!(c.set("break", "figure8").is_err());
}
