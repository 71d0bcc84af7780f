//! The client of the `election-json` Web Worker, and the one way the page reads a session
//! the user brings. A scenario script (what share links and "Save session" carry) is read at
//! once by [`spec_from_script`]; JSON (an exported trace, a hand-written session, a link made
//! before links carried scripts) goes to the worker, which the page starts only then: the
//! JSON reader is not part of the first download. The worker also writes the trace export
//! ([`export`]), so the JSON writer is not either.

use election_core::SessionSpec;
use election_core::scenario::spec_from_script;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The worker's loader, next to the page (Trunk builds it from `crates/election-json`).
const WORKER: &str = "./election-json_loader.js";

/// How long the JSON reader may take (its start included) before the page gives up.
const READ_TIMEOUT_MS: u32 = 20_000;

/// How long an export may take: it replays the session to the cursor, and a session played
/// for simulated hours is millions of events.
const EXPORT_TIMEOUT_MS: u32 = 180_000;

/// True when `text` is JSON rather than a script.
pub fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Reads a session from a script or from JSON. Errors name what was wrong.
pub async fn read(text: String) -> Result<SessionSpec, String> {
    let script = if is_json(&text) { json_to_script(text).await? } else { text };
    spec_from_script(&script).map_err(|e| e.to_string())
}

/// The trace export of a session (its script) up to `cursor`, written by the worker.
pub async fn export(script: String, cursor: election_core::Micros) -> Result<String, String> {
    let request = js_sys::Array::of3(&"export".into(), &script.into(), &cursor.to_string().into());
    ask(request.into(), EXPORT_TIMEOUT_MS).await
}

/// Asks a fresh `election-json` worker to turn session JSON into a script.
async fn json_to_script(json: String) -> Result<String, String> {
    ask(JsValue::from_str(&json), READ_TIMEOUT_MS).await
}

/// Posts `request` to a fresh `election-json` worker and waits for its answer.
async fn ask(request: JsValue, timeout_ms: u32) -> Result<String, String> {
    let describe = |e: JsValue| crate::error_message(&e, "the JSON reader could not start");
    let worker = web_sys::Worker::new(WORKER).map_err(describe)?;
    // The handlers must outlive the wait; they are dropped (and the worker ended) after it.
    let mut handlers = None;
    let answer = js_sys::Promise::new(&mut |resolve, reject| {
        let w = worker.clone();
        let request = request.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            if data.as_string().as_deref() == Some("ready") {
                let _ = w.post_message(&request);
            } else {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        });
        let on_error = {
            let reject = reject.clone();
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                e.prevent_default();
                let _ = reject.call1(&JsValue::NULL, &e);
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // A reader that never answers (it should take milliseconds) is an error, not a wait
        // forever. Dropping the timeout with the handlers cancels it.
        let too_slow =
            js_sys::Error::new(&format!("the JSON worker did not answer within {} s", timeout_ms / 1_000));
        let timeout = gloo_timers::callback::Timeout::new(timeout_ms, move || {
            let _ = reject.call1(&JsValue::NULL, &too_slow);
        });
        handlers = Some((on_message, on_error, timeout));
    });
    let result = JsFuture::from(answer).await;
    worker.terminate();
    drop(handlers);
    let reply: js_sys::Array =
        result.map_err(describe)?.dyn_into().map_err(|_| "the JSON reader answered nonsense")?;
    let text = reply.get(1).as_string().unwrap_or_default();
    match reply.get(0).as_string().as_deref() {
        Some("ok") => Ok(text),
        _ => Err(text),
    }
}
