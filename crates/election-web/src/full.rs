//! The full lab: the page with every algorithm, loaded when the page meets one it leaves out.
//!
//! The first download carries the six algorithms of the article; the others (KRaft, listed in
//! `election_core::algorithms::ON_DEMAND`) would take it over its 250 KB budget. They are in a
//! second build of this same page, `election-lab` (`src/lab_main.rs`, built by Trunk with the
//! `full` feature), which mounts into `#app` like the page does. WebAssembly cannot yet load a
//! piece of a Rust program later, so the full lab is the whole page again, fetched only by
//! those who pick such an algorithm (a tour of one, a link to one, a session naming one).
//!
//! The session travels in the address bar, as share links carry it: the page puts the link of
//! what was picked in the fragment and reloads; at start ([`wanted`]) a fragment that names an
//! on-demand algorithm (`#s=<script>`, `#tour=<path>`) loads the full lab instead of mounting
//! the page. The full lab never hands back: its picker has every algorithm.

use election_core::algorithms::{OnDemand, on_demand};
use election_core::scenario::algorithm_named;

use crate::{browser, share};

/// The on-demand algorithm `text` (a script or session JSON) runs, if it names one.
pub fn needed_by(text: &str) -> Option<&'static OnDemand> {
    algorithm_named(text).and_then(on_demand)
}

/// The on-demand algorithm the scenario file at `path` runs, if any: as listed, or, for the
/// scenarios only the full lab lists, by its folder (`tests/scenarios/<algorithm id>/`).
pub fn needed_by_tour(path: &str) -> Option<&'static OnDemand> {
    match crate::scenarios::TOURS.iter().find(|t| t.0 == path) {
        Some(t) => on_demand(t.2),
        None => path.split_once('/').and_then(|(dir, _)| on_demand(dir)),
    }
}

/// The on-demand algorithm the page's address asks for, if any: at start, the page loads the
/// full lab instead of mounting itself when there is one.
pub fn wanted() -> Option<&'static OnDemand> {
    let fragment = browser::fragment();
    if let Some(path) = share::tour(&fragment) {
        return needed_by_tour(&path);
    }
    share::decode(&fragment).ok().flatten().and_then(|s| needed_by(&s.text))
}

/// Opens `fragment` (a share link's, or `tour=<path>`) in the full lab: puts it in the address
/// bar and reloads, so that the page starts over as [`wanted`] sees it.
pub fn open(fragment: &str) {
    if browser::set_fragment(fragment).is_some()
        && let Some(w) = web_sys::window()
    {
        let _ = w.location().reload();
    }
}

/// Opens the session of `script` (a scenario script or session JSON) in the full lab, playing
/// from its start, as a newly picked or loaded session does in the page.
pub fn open_playing(script: &str) {
    open(&format!("s={}&play=1", String::from(js_sys::encode_uri_component(script))));
}

/// Loads the full lab into `#app`, saying so meanwhile, and says why if it cannot.
pub fn load(algorithm: &OnDemand) {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    if let Some(root) = &root {
        root.set_inner_html(&format!(
            "<p class=\"banner\" role=\"status\" data-testid=\"full-loading\">Loading {}…</p>",
            algorithm.name
        ));
    }
    let name = algorithm.name;
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(browser::run_module("election-lab.js")).await {
            let why = crate::error_message(&e, "the module did not load");
            if let Some(root) = root {
                root.set_text_content(None);
            }
            crate::alert(&format!(
                "{name} could not be loaded ({why}). Reload to try again, or open the page without \
                 this link for the six classic algorithms."
            ));
        }
    });
}

// The page without the full lab's algorithms (the first download); test.sh also runs the
// tests with `--features full`, where none is on demand.
#[cfg(all(test, not(feature = "full")))]
mod tests {
    use election_core::Algorithm;

    use super::*;

    #[test]
    fn every_scenario_runs_here_or_in_the_full_lab_and_the_wasm_tests_embed_only_the_first() {
        for (path, _, algo) in crate::scenarios::TOURS {
            let here = algo.parse::<Algorithm>().is_ok();
            assert!(
                here != on_demand(algo).is_some(),
                "{path}: algo={algo} is neither built in nor on demand"
            );
            let embedded = crate::scenarios::SCENARIOS.iter().any(|s| s.0 == *path);
            assert_eq!(embedded, here, "{path}: build.rs's ON_DEMAND disagrees with election-core's");
        }
        // The full lab lists an on-demand algorithm's own scenarios; the first download lists
        // its guided tours only, and a link to the others still opens the full lab.
        assert!(!crate::scenarios::TOURS.iter().any(|t| t.0 == "kraft/broker-fenced.txt"));
        assert!(needed_by_tour("kraft/broker-fenced.txt").is_some());
        assert!(needed_by_tour("tours/17-kraft-controller-failover.txt").is_some());
        assert!(needed_by_tour("tours/09-raft-split-vote.txt").is_none());
        assert!(needed_by("config algo=kraft nodes=4 seed=1\n").is_some_and(|a| a.name == "KRaft"));
        assert!(needed_by("config algo=raft nodes=4 seed=1\n").is_none());
    }
}
