//! What the page loads on demand (see `lazy.rs`): the counterexample search, the comparison
//! of the algorithms, Raft's Figure 16 experiment, the interview drill, the tour recorder and
//! printable handouts. Only `extras_main.rs`, the second WebAssembly module, mounts
//! [`Extras`]; the page's first download holds none of this.

use yew::prelude::*;

mod compare;
pub mod drill;
mod experiment;
mod handout;
pub mod record;
pub mod search;

pub use compare::Compare;
pub use drill::Drill;
pub use experiment::{Experiment, ExperimentState, parse_ranges};
pub use handout::Handout;
pub use record::Recorder;
pub use search::Search;

/// The look of these panels.
const STYLE: &str = include_str!("style.css");

/// What the extras module shows (see `lazy.rs`): the counterexample search, the comparison,
/// the experiment, the interview drill, the tour recorder, then a tour's handout when one is
/// asked for.
#[component]
pub fn Extras() -> Html {
    // The panels' stylesheet comes with them (the page's own counts in the first download).
    html! { <><style>{STYLE}</style><Search /><Compare /><Experiment /><Drill /><Recorder /><Handout /></> }
}
