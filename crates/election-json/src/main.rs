//! The page's JSON reader, run as a Web Worker that the page starts only when it meets JSON:
//! a pasted or imported session, or a shared link made before links carried scenario
//! scripts. serde_json and the derived readers are a tenth of what the page would otherwise
//! download before it can start; here they cost nothing until used.
//!
//! Protocol (messages are plain JS values): the worker posts `"ready"` once its WebAssembly
//! runs; the page then posts the JSON text; the worker answers `["ok", script]` with the
//! session as a scenario script ([`spec_to_script`]), or `["error", message]` naming what was
//! wrong ([`SessionSpec::from_json`] checks size, syntax and every setting and input).

use election_core::SessionSpec;
use election_core::scenario::spec_to_script;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// The answer to one JSON text.
fn answer(json: &str) -> js_sys::Array {
    match SessionSpec::from_json(json) {
        Ok(spec) => js_sys::Array::of2(&"ok".into(), &spec_to_script(&spec).into()),
        Err(e) => js_sys::Array::of2(&"error".into(), &e.to_string().into()),
    }
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        let _ = reply.post_message(&answer(&text));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&"ready".into());
}
