//! The page's JSON reader, run as a Web Worker that the page starts only when it meets JSON:
//! a pasted or imported session, or a shared link made before links carried scenario
//! scripts. serde_json and the derived readers are a tenth of what the page would otherwise
//! download before it can start; here they cost nothing until used.
//!
//! It also writes the page's trace export: the JSON writer and the derived serializers were
//! the other part of that tenth, for a button few visits press.
//!
//! Protocol (messages are plain JS values): the worker posts `"ready"` once its WebAssembly
//! runs; the page then posts one request and the worker answers `["ok", text]` or
//! `["error", message]` naming what was wrong:
//! - the JSON text of a session: the answer is the session as a scenario script
//!   ([`spec_to_script`]; [`SessionSpec::from_json`] checks size, syntax and every setting and
//!   input);
//! - `["export", script, cursor]`, the page's own session as a script and its cursor in
//!   microseconds (a decimal string): the answer is the trace up to the cursor as the export
//!   JSON ([`AnySession::export_json`]), from a replay of the script, which determinism makes
//!   the page's own trace.

use election_core::scenario::{spec_from_script, spec_to_script};
use election_core::{AnySession, SessionSpec};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// The answer to one JSON text.
fn answer(json: &str) -> Result<String, String> {
    SessionSpec::from_json(json).map(|spec| spec_to_script(&spec)).map_err(|e| e.to_string())
}

/// The export of the page's session up to `cursor`. The page sends its own session, which it
/// has already run to the cursor, so the replay is not bounded by the budget for links.
fn export(script: &str, cursor: &str) -> Result<String, String> {
    let cursor: u64 = cursor.parse().map_err(|_| format!("bad cursor '{cursor}'"))?;
    let spec = spec_from_script(script).map_err(|e| e.to_string())?;
    let mut session = AnySession::new(spec).map_err(|e| e.to_string())?;
    session.advance_to(cursor);
    Ok(session.export_json())
}

/// The reply to one request (see the protocol above).
fn reply_to(data: &JsValue) -> js_sys::Array {
    let result = match data.as_string() {
        Some(json) => answer(&json),
        None => {
            let request = js_sys::Array::from(data);
            match request.get(0).as_string().as_deref() {
                Some("export") => export(
                    &request.get(1).as_string().unwrap_or_default(),
                    &request.get(2).as_string().unwrap_or_default(),
                ),
                _ => Err("unknown request".to_string()),
            }
        }
    };
    match result {
        Ok(text) => js_sys::Array::of2(&"ok".into(), &text.into()),
        Err(e) => js_sys::Array::of2(&"error".into(), &e.into()),
    }
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let _ = reply.post_message(&reply_to(&e.data()));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&"ready".into());
}
