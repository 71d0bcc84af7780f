//! The keyboard help overlay, opened with `?` or the "? Keys" button.

use yew::prelude::*;

/// The keys, as fixed markup (element by element it cost the first download code).
const KEYS: &str = "<dl><dt><kbd>Space</kbd></dt><dd>play / pause</dd>\
<dt><kbd>← / →</kbd></dt><dd>step one event back / forward</dd>\
<dt><kbd>1-9, 0</kbd></dt><dd>select node n1-n9, n10</dd>\
<dt><kbd>c</kbd></dt><dd>crash / restart the selected node</dd>\
<dt><kbd>p</kbd></dt><dd>pause / resume the selected node</dd>\
<dt><kbd>t</kbd></dt><dd>force a timeout on the selected node</dd>\
<dt><kbd>w</kbd></dt><dd>client write to the selected node</dd>\
<dt><kbd>i</kbd></dt><dd>isolate the selected node</dd>\
<dt><kbd>h</kbd></dt><dd>heal every link</dd>\
<dt><kbd>Esc</kbd></dt><dd>close the inspector or this help</dd>\
<dt><kbd>?</kbd></dt><dd>show this help</dd>\
<dt><kbd>PageDown / PageUp</kbd></dt><dd>presenter mode: next / previous tour step (also → ←, Space)</dd>\
<dt><kbd>n</kbd></dt><dd>presenter mode: speaker notes</dd></dl>\
<p>Shortcuts work anywhere on the page except while typing in a field.</p>";

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
    html! {
        <div class="help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
            <div class="help-box">
                <h2>{"Keyboard shortcuts"}</h2>
                {Html::from_html_unchecked(AttrValue::Static(KEYS))}
                <p>{"Every control is also reachable with Tab. Clicking a link (the line between two nodes) cuts or heals it."}</p>
                <button ref={close_ref} onclick={p.on_close.clone()} data-testid="help-close">{"Close"}</button>
            </div>
        </div>
    }
}
