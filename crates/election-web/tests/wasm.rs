//! Runs in headless Chromium (`cargo test --target wasm32-unknown-unknown -p election-web`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Determinism across platforms: the reference run gives the same trace hash in the browser
/// as natively (election-core's `reference_hash_is_pinned_for_native_and_wasm`).
#[wasm_bindgen_test]
fn reference_run_has_the_native_trace_hash() {
    let s = election_core::reference_run();
    assert_eq!(format!("{:016x}", s.trace_hash()), election_core::REFERENCE_TRACE_HASH);
    assert!(s.trace().len() > 500);
}

/// Every golden scenario compiled into the test gives the same output in wasm as on disk
/// (which the native golden test checks), so traces match natively and in the browser.
#[wasm_bindgen_test]
fn golden_scenarios_match_in_the_browser() {
    assert!(SCENARIOS.len() >= 12, "scenario files are embedded");
    for (name, text) in SCENARIOS {
        let (out, _) = election_core::scenario::run_script(text);
        assert_eq!(out, *text, "{name} differs in wasm");
    }
}

use election_web::scenarios::{SCENARIOS, TOURS};

/// Bad URL state never panics: it is an error message.
#[wasm_bindgen_test]
fn bad_session_json_is_an_error() {
    assert!(election_core::SessionSpec::from_json("{\"nodes\":0}").is_err());
    assert!(election_core::SessionSpec::from_json("%%%").is_err());
}

/// The page lists every scenario file in its tour picker (`TOURS`, fetched when picked):
/// each has a title, names its algorithm, and starts as a tour (these tests run with every
/// algorithm: see scripts/test.sh).
#[wasm_bindgen_test]
fn every_listed_scenario_is_a_tour() {
    assert_eq!(TOURS.len(), SCENARIOS.len());
    for (name, title, algo) in TOURS {
        let text = SCENARIOS.iter().find(|(n, _)| n == name).map(|(_, t)| *t).unwrap();
        assert!(!title.is_empty(), "{name}");
        assert_eq!(election_core::scenario::algorithm_named(text), Some(*algo), "{name}");
        assert!(election_core::scenario::tour(text).is_ok(), "{name}");
    }
}

/// Mounts a component into a fresh element and lets Yew render it.
async fn mount<C>(props: C::Properties) -> web_sys::Element
where
    C: yew::BaseComponent,
{
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    // Rendering is scheduled: yield to the event loop once.
    let tick = js_sys::Promise::new(&mut |done, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&done, 0).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
    root
}

fn raft_at(ms: u64) -> election_core::AnySession {
    let mut s =
        election_core::AnySession::new(election_core::SessionSpec::new(election_core::Algorithm::Raft, 5, 1))
            .unwrap();
    s.advance_to(election_core::ms(ms));
    s
}

/// The cluster picture: one group per node with its role and term, the selected node
/// marked, one group per message in flight.
#[wasm_bindgen_test]
async fn cluster_component_draws_nodes_roles_and_messages() {
    use election_web::cluster::{Cluster, ClusterProps};
    use yew::Callback;
    // leader-crash.txt: n5 leads term 1 from 231 ms.
    let view = raft_at(240).view();
    let in_flight = view.messages.len();
    assert!(in_flight > 0, "messages on the wire at 240 ms");
    let timed = view.nodes.iter().filter(|n| n.timer_deadline.is_some()).count();
    assert!(timed >= 4, "the followers' election timers");
    let root = mount::<Cluster>(ClusterProps {
        view: election_web::state::SameView(std::rc::Rc::new(view)),
        selected: Some(2),
        on_select: Callback::noop(),
        on_link: Callback::noop(),
        storm: false,
    })
    .await;
    let nodes = root.query_selector_all("g.node").unwrap();
    assert_eq!(nodes.length(), 5);
    let n5 = root.query_selector("g.node[data-id='5']").unwrap().unwrap();
    assert_eq!(n5.get_attribute("data-role").as_deref(), Some("leader"));
    assert_eq!(n5.get_attribute("data-term").as_deref(), Some("1"));
    let n2 = root.query_selector("g.node[data-id='2']").unwrap().unwrap();
    assert_eq!(n2.get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(root.query_selector_all("circle.msg").unwrap().length() as usize, in_flight);
    assert_eq!(
        root.query_selector_all("circle.msg > title").unwrap().length() as usize,
        in_flight,
        "tooltips"
    );
    assert_eq!(
        root.query_selector_all("svg.cluster circle.timer").unwrap().length() as usize,
        timed,
        "their rings"
    );
}

/// In a storm the picture draws a few dozen messages and counts every other one in flight on
/// its link: drawn plus counted is what is on the wire.
#[wasm_bindgen_test]
async fn a_storm_draws_a_few_messages_and_counts_the_rest_per_link() {
    use election_web::cluster::{BUSY_MESSAGES, Cluster, ClusterProps};
    use yew::Callback;
    let script = "config algo=paxos nodes=15 seed=1 backoff=off election=150..155ms duplicate=20%\n";
    let spec = election_core::scenario::spec_from_script(script).unwrap();
    let mut s = election_core::AnySession::new(spec).unwrap();
    s.advance_to(election_core::ms(400));
    let view = s.view();
    let on_wire = view.messages.len() + view.more.iter().map(|&(_, _, k)| k).sum::<usize>();
    assert!(on_wire > 2 * BUSY_MESSAGES, "a storm: {on_wire} in flight");
    let root = mount::<Cluster>(ClusterProps {
        view: election_web::state::SameView(std::rc::Rc::new(view)),
        selected: None,
        on_select: Callback::noop(),
        on_link: Callback::noop(),
        storm: true,
    })
    .await;
    let drawn = root.query_selector_all("circle.msg").unwrap().length() as usize;
    assert_eq!(drawn, BUSY_MESSAGES);
    // A storm's message lives a frame or two: no tooltip to make and drop for it.
    assert_eq!(root.query_selector_all("circle.msg > title").unwrap().length(), 0);
    let counts = root.query_selector_all("text.msg-more").unwrap();
    let counted: usize = (0..counts.length())
        .map(|i| {
            let e: web_sys::Element = wasm_bindgen::JsCast::dyn_into(counts.get(i).unwrap()).unwrap();
            e.get_attribute("data-more").unwrap().parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(drawn + counted, on_wire);
}

/// The event log speaks plain English, newest first, and shows which filter is on.
#[wasm_bindgen_test]
async fn event_log_component_tells_the_story_in_english() {
    use election_core::scenario::Show;
    use election_web::panels::{EventLog, EventLogProps};
    let s = raft_at(400);
    let events: Vec<_> =
        s.trace().iter().enumerate().filter(|(_, e)| Show::Roles.keeps(e)).map(|(i, e)| (i, e.t)).collect();
    let engine = election_web::state::SameEngine(std::rc::Rc::new(std::cell::RefCell::new(s)));
    let root = mount::<EventLog>(EventLogProps {
        engine,
        events,
        show: Show::Roles,
        on_show: yew::Callback::noop(),
    })
    .await;
    let text = root.text_content().unwrap();
    assert!(text.contains("n5 timed out and started an election for term 1"), "{text}");
    assert!(text.contains("n5 went from a candidate to a leader (term 1)"), "{text}");
    let items = root.query_selector_all("ol.trace li").unwrap();
    assert!(items.length() >= 2);
    let newest = items.get(0).unwrap().text_content().unwrap();
    assert!(newest.starts_with("t=3") || newest.starts_with("t=2"), "newest first: {newest}");
    let select: web_sys::HtmlSelectElement =
        wasm_bindgen::JsCast::dyn_into(root.query_selector("select").unwrap().unwrap()).unwrap();
    assert_eq!(select.value(), "story");
}
