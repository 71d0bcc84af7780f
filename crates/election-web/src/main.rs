//! Mounts the Leader Election Lab page (see the library for the components).

fn main() {
    election_web::install_panic_hook();
    let doc = web_sys::window().and_then(|w| w.document());
    // index.html has #app; a page without it still gets the lab, in its body.
    let root = doc.as_ref().and_then(|d| d.get_element_by_id("app").or_else(|| d.body().map(Into::into)));
    if let Some(root) = root {
        yew::Renderer::<election_web::app::App>::with_root(root).render();
    }
}
