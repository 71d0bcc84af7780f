//! What the page loads on demand (see `lazy.rs`): the counterexample search, the comparison
//! of the algorithms and Raft's Figure 16 experiment. Only `extras_main.rs`, the second WebAssembly module, mounts
//! [`Extras`]; the page's first download holds none of this.

use yew::prelude::*;

mod compare;
mod experiment;
pub mod search;

pub use compare::Compare;
pub use experiment::{Experiment, ExperimentState, parse_ranges};
pub use search::Search;

/// What the extras module shows (see `lazy.rs`): the counterexample search, the comparison,
/// then the experiment.
#[component]
pub fn Extras() -> Html {
    html! { <><Search /><Compare /><Experiment /></> }
}
