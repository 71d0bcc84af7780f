//! Mounts the Leader Election Lab page (see the library for the components).

fn main() {
    election_web::install_panic_hook();
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        yew::Renderer::<election_web::app::App>::with_root(root.into()).render();
    }
}
