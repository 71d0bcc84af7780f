//! The keyboard help overlay, opened with `?` or the "? Keys" button.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<MouseEvent>,
}

/// The keyboard help overlay (`?`). It is a modal dialog: it takes the focus when it opens
/// and gives it back to whatever had it when it closes.
#[component]
pub fn Help(p: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            let before = crate::browser::focused_element();
            if let Some(b) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
            move || {
                if let Some(el) = before.filter(|el| el.is_connected()) {
                    let _ = el.focus();
                }
            }
        });
    }
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
                <button ref={close_ref} onclick={p.on_close.clone()} data-testid="help-close">{"Close"}</button>
            </div>
        </div>
    }
}
