//! What the page loads on demand (see `lazy.rs`): the counterexample search, the comparison
//! of the algorithms, Raft's Figure 16 experiment, the interview drill and printable handouts. Only `extras_main.rs`, the second WebAssembly module, mounts
//! [`Extras`]; the page's first download holds none of this.

use yew::prelude::*;

mod compare;
pub mod drill;
mod experiment;
mod handout;
pub mod search;

pub use compare::Compare;
pub use drill::Drill;
pub use experiment::{Experiment, ExperimentState, parse_ranges};
pub use handout::Handout;
pub use search::Search;

/// What the extras module shows (see `lazy.rs`): the counterexample search, the comparison,
/// the experiment, the interview drill, then a tour's handout when one is asked for.
#[component]
pub fn Extras() -> Html {
    html! { <><Search /><Compare /><Experiment /><Drill /><Handout /></> }
}
