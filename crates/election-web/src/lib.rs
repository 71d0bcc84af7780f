//! Leader Election Lab, the page. It renders `election-core` views and turns clicks into
//! core inputs; there is no protocol logic here. (A library so that the components can be
//! tested in the browser by `tests/wasm.rs`, and the page's state natively by the tests of
//! [`state`]; `main.rs` mounts [`app::App`] or loads the full lab ([`full`]), `lab_main.rs` is
//! the full lab, `extras_main.rs` mounts the on-demand [`extras`].)

// Yew properties hold callbacks and DOM references, which have no useful `Debug`.
#![allow(missing_debug_implementations)]

pub mod app;
pub mod browser;
pub mod cluster;
pub mod diagram;
pub mod embed_api;
pub mod extras;
pub mod fields;
pub mod full;
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

/// Mounts the lab into `#app` (or the body of a page without it), after the panic hook. The
/// page's first module calls this unless the address asks for an algorithm it leaves out
/// ([`full::wanted`]); the full lab always does.
pub fn mount() {
    let doc = web_sys::window().and_then(|w| w.document());
    let root = doc.as_ref().and_then(|d| d.get_element_by_id("app").or_else(|| d.body().map(Into::into)));
    if let Some(root) = root {
        // The first module's "Loading …" line, when it handed over to the full lab.
        root.set_text_content(None);
        yew::Renderer::<app::App>::with_root(root).render();
    }
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

/// Shows `text` in the page's alert line (`#panic`, above the lab): what the page says when
/// it cannot go on, a panic or a module that does not load.
pub fn alert(text: &str) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("panic"));
    if let Some(el) = el {
        el.set_text_content(Some(text));
        let _ = el.remove_attribute("hidden");
    }
}

/// A Rust panic is a bug: report it on the page (not only in the console) so users can tell
/// us, instead of staring at a frozen picture.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        alert(&format!(
            "Something went wrong inside the simulator (a bug, sorry): {info}. Reload the page to start again."
        ));
    }));
}
