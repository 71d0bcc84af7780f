//! Leader Election Lab, the page. It renders `election-core` views and turns clicks into
//! core inputs; there is no protocol logic here. (A library so that the components can be
//! tested in the browser by `tests/wasm.rs`, and the page's state natively by the tests of
//! [`state`]; `main.rs` mounts [`app::App`], `extras_main.rs` the on-demand [`extras`].)

// Yew properties hold callbacks and DOM references, which have no useful `Debug`.
#![allow(missing_debug_implementations)]

pub mod app;
pub mod browser;
pub mod cluster;
pub mod diagram;
pub mod extras;
pub mod fields;
pub mod help;
pub mod json_worker;
pub mod lazy;
pub mod messages;
pub mod panels;
pub mod share;
pub mod state;
pub mod tour;

/// Scenario files embedded at build time (see build.rs): (path, text).
pub mod scenarios {
    include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));
}

/// The message of a JS error (an `Error`, or a worker's `ErrorEvent`), or `otherwise` for
/// anything else a promise may reject with.
pub fn error_message(e: &wasm_bindgen::JsValue, otherwise: &str) -> String {
    use wasm_bindgen::JsCast;
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.dyn_ref::<web_sys::ErrorEvent>().map(web_sys::ErrorEvent::message))
        .unwrap_or_else(|| otherwise.to_string())
}

/// A Rust panic is a bug: report it on the page (not only in the console) so users can tell
/// us, instead of staring at a frozen picture.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(el) = doc.get_element_by_id("panic") {
            el.set_text_content(Some(&format!(
                "Something went wrong inside the simulator (a bug, sorry): {info}. Reload the page to start again."
            )));
            let _ = el.remove_attribute("hidden");
        }
    }));
}
