//! A settings field that keeps what the user types. The page redraws every frame while the
//! run plays, and a plain controlled input would be reset to the applied value each time; this
//! one shows the user's draft while it has the focus and applies it on Enter or when the focus
//! leaves (the browser's `change` event), then shows the applied value again.

use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DraftInputProps {
    /// The applied value, shown whenever the user is not editing.
    pub value: AttrValue,
    /// The input's `type`: "text", "number" or "range".
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub min: Option<AttrValue>,
    #[prop_or_default]
    pub max: Option<AttrValue>,
    #[prop_or_default]
    pub size: Option<AttrValue>,
    /// The accessible name, when the enclosing `<label>` is not enough (it contains the
    /// label's visible text).
    #[prop_or_default]
    pub label: Option<AttrValue>,
    #[prop_or_default]
    pub setting: Option<AttrValue>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// The draft, on Enter or blur (sliders: on release).
    pub on_commit: Callback<String>,
}

fn value_of(e: &Event) -> Option<String> {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).map(|i| i.value())
}

/// An `<input>` that holds the user's draft while focused (see the module doc).
#[component]
pub fn DraftInput(p: &DraftInputProps) -> Html {
    let draft = use_state(|| None::<String>);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(value_of(&e.into())))
    };
    let onchange = {
        let cb = p.on_commit.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = value_of(&e) {
                cb.emit(v);
            }
        })
    };
    // A refused draft stays while the field has the focus, so it can be corrected; leaving the
    // field shows the applied value again.
    let onblur = {
        let draft = draft.clone();
        Callback::from(move |_: FocusEvent| draft.set(None))
    };
    let shown = (*draft).clone().map_or_else(|| p.value.clone(), AttrValue::from);
    html! {
        <input type={p.kind.clone()} value={shown} min={p.min.clone()} max={p.max.clone()} size={p.size.clone()}
            aria-label={p.label.clone()} data-setting={p.setting.clone()} data-testid={p.testid.clone()}
            {oninput} {onchange} {onblur} />
    }
}
