//! The keyboard help overlay, opened with `?` or the "? Keys" button.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<MouseEvent>,
}

/// The keyboard help overlay (`?`).
#[component]
pub fn Help(p: &HelpProps) -> Html {
    let keys = [
        ("Space", "play / pause"),
        ("← / →", "step one event back / forward"),
        ("1-9, 0", "select node n1-n9, n10"),
        ("c", "crash / restart the selected node"),
        ("p", "pause / resume the selected node"),
        ("t", "force a timeout on the selected node"),
        ("w", "client write to the selected node"),
        ("i", "isolate the selected node"),
        ("h", "heal every link"),
        ("Esc", "close the inspector or this help"),
        ("?", "show this help"),
    ];
    html! {
        <div class="help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
            <div class="help-box">
                <h2>{"Keyboard shortcuts"}</h2>
                <dl>
                    { for keys.iter().map(|(k, v)| html! { <><dt><kbd>{*k}</kbd></dt><dd>{*v}</dd></> }) }
                </dl>
                <p>{"Every control is also reachable with Tab. Clicking a link (the line between two nodes) cuts or heals it."}</p>
                <button onclick={p.on_close.clone()} autofocus=true>{"Close"}</button>
            </div>
        </div>
    }
}
