//! The comparison and the Figure 16 experiment as their own module, loaded by the page when
//! the user opens them (see `lazy.rs`): mounts them into `#extras-root`.

fn main() {
    election_web::install_panic_hook();
    if let Some(root) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("extras-root"))
    {
        yew::Renderer::<election_web::extras::Extras>::with_root(root).render();
    }
}
