//! Settings fields that keep what the user types. The page redraws every frame while the run
//! plays, and Yew sets a controlled input's value back on every redraw, so typing into the
//! election timeout, heartbeat or seed snapped back. These inputs are uncontrolled: they carry
//! the applied value in `data-value`, [`sync`] copies it into every field but the focused one
//! when the applied values change, a field applies its draft on Enter or when the focus leaves
//! (the browser's `change` event), and leaving a field shows the applied value again (a
//! refused draft stays while the field has the focus, so it can be corrected).
//!
//! (Functions rather than a component: each component costs the first download kilobytes.)

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A draft field: an input of type `kind` ("text", "number", "range") showing `value` until
/// edited, with `min` and `max` when given, named by `data-setting={setting}`, with an
/// accessible name `label` when the enclosing `<label>` is not enough.
pub fn draft(
    kind: &'static str,
    value: String,
    bounds: Option<(String, String)>,
    setting: &'static str,
    label: Option<String>,
    on_commit: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            on_commit.emit(i.value());
        }
    });
    let onblur = Callback::from(|e: FocusEvent| {
        if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            i.set_value(&i.get_attribute("data-value").unwrap_or_default());
        }
    });
    let (min, max) = bounds.unzip();
    html! {
        <input type={kind} data-value={value} {min} {max} aria-label={label} data-setting={setting} {onchange} {onblur} />
    }
}

/// Shows the applied values in the draft fields under `root`, except the one being edited.
pub fn sync(root: &NodeRef) {
    let Some(root) = root.cast::<web_sys::Element>() else { return };
    let Ok(fields) = root.query_selector_all("input[data-value]") else { return };
    let focused = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    for i in 0..fields.length() {
        let Some(input) = fields.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            continue;
        };
        if focused.as_ref().is_some_and(|f| f == input.unchecked_ref::<web_sys::Element>()) {
            continue;
        }
        input.set_value(&input.get_attribute("data-value").unwrap_or_default());
    }
}
