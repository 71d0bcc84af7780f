//! The counterexample search, the comparison and the Figure 16 experiment, loaded on demand.
//!
//! They are a second WebAssembly module (`election-extras`, the bin in `src/extras_main.rs`,
//! built by Trunk beside the page): together with the code they run (`compare`,
//! `experiments`; the search itself runs in workers of its own) they were a twelfth of the
//! page's first download, for panels at the bottom that many visits never open. [`LazyExtras`] shows what they offer and loads the module when
//! asked; the module mounts its own Yew app into `#extras-root`, which index.html places after
//! the page's root, not inside it (two Yew apps nested in one another would each take the
//! other's clicks for their own: both tag elements with listener numbers from their own
//! registry).

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
enum State {
    Closed,
    Loading,
    Open,
    Failed(String),
}

/// The placeholder for the search, the comparison and the experiment: a button that loads them.
#[component]
pub fn LazyExtras() -> Html {
    let state = use_state(|| State::Closed);
    let open = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            if matches!(*state, State::Loading | State::Open) {
                return;
            }
            state.set(State::Loading);
            let state = state.clone();
            yew::platform::spawn_local(async move {
                match JsFuture::from(crate::browser::run_module("election-extras.js")).await {
                    Ok(_) => {
                        state.set(State::Open);
                        // The button that had the focus is gone: hand it to what replaced it.
                        let first = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| {
                                d.query_selector("#extras-root select, #extras-root button").ok().flatten()
                            })
                            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                        if let Some(e) = first {
                            let _ = e.focus();
                        }
                    }
                    Err(e) => {
                        let why = crate::error_message(&e, "the module did not load");
                        state.set(State::Failed(why));
                    }
                }
            });
        })
    };
    if *state == State::Open {
        return Html::default();
    }
    html! {
        <section class="extras" aria-label="Find a counterexample · Compare the algorithms · Raft's Figure 16 experiment · Interview drill · Record a tour">
            <h2>{"Find a counterexample · Compare the algorithms · Raft's Figure 16 experiment · Interview drill · Record a tour"}</h2>
            <p>{"Run the algorithms through the same faults side by side; measure, like Raft's Figure 16, how long \
                a cluster goes without a leader; drill every scenario's questions, timed; or record a tour of your own."}</p>
            <button onclick={open} id="open-extras" data-testid="open-extras" disabled={*state == State::Loading}>
                {if *state == State::Loading { "Loading…" } else { "Open the search, the comparison, the experiment, the drill and the recorder" }}
            </button>
            if let State::Failed(why) = &*state {
                <p class="banner error" role="alert">{format!("They could not be loaded: {why}. Try again.")}</p>
            }
        </section>
    }
}
