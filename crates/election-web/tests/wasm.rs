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

include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));

/// Bad URL state never panics: it is an error message.
#[wasm_bindgen_test]
fn bad_session_json_is_an_error() {
    assert!(election_core::SessionSpec::from_json("{\"nodes\":0}").is_err());
    assert!(election_core::SessionSpec::from_json("%%%").is_err());
}

/// The page embeds the scenarios without their recorded output (`TOURS`); the tours built
/// from them are the same as from the full files.
#[wasm_bindgen_test]
fn stripped_tours_equal_the_full_files() {
    assert_eq!(TOURS.len(), SCENARIOS.len());
    for (name, title, stripped) in TOURS {
        let full = SCENARIOS.iter().find(|(n, _)| n == name).map(|(_, t)| *t).unwrap();
        assert!(!title.is_empty(), "{name}");
        assert!(stripped.len() < full.len(), "{name} lost nothing");
        let a = election_core::scenario::tour(full).unwrap();
        let b = election_core::scenario::tour(stripped).unwrap();
        assert_eq!(a, b, "{name}");
    }
}
