//! The page's effects on the browser, each a small function: the address (query, fragment),
//! local storage, the clipboard, file downloads, fetching a file next to the page, the clock,
//! and the cluster picture as an SVG file. Components call these from callbacks and effects;
//! the lab's state (`state.rs`) never does, so that it runs and is tested without a browser.
//!
//! Browsers may refuse any of these (no storage in a private window, no clipboard without
//! permission): each then does nothing, or returns `None`, and the page goes on.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

use crate::state::Focus;

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
const running = {};
export function run_module(file) {
  // Next to the page (Trunk puts it there), whatever the URL of this snippet. Once per module:
  // a module mounts itself when it runs, and two mounts would be two apps.
  const url = new URL(file, document.baseURI).href;
  if (!running[url]) running[url] = import(url).then((m) => m.default()).catch((e) => { delete running[url]; throw e; });
  return running[url];
}")]
extern "C" {
    /// Imports the module `file` (a wasm-bindgen `--target web` module next to the page) and
    /// runs it, once: the on-demand modules mount themselves (`lazy.rs`, `full.rs`).
    pub fn run_module(file: &str) -> js_sys::Promise;
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The value of `name` in the page's query string (`?embed=1`).
pub fn query_param(name: &str) -> Option<String> {
    let search = location()?.search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// The page's URL fragment, with its `#` (empty when there is none).
pub fn fragment() -> String {
    location().and_then(|l| l.hash().ok()).unwrap_or_default()
}

/// Puts `fragment` in the address bar and returns the page's whole URL, or `None` when the
/// page has no location.
pub fn set_fragment(fragment: &str) -> Option<String> {
    let l = location()?;
    let _ = l.set_hash(fragment);
    Some(l.href().unwrap_or_default())
}

/// Clicks the element `id`: the hidden buttons through which the page and the on-demand module,
/// two Yew apps, ask each other for something (`#lab-open`, `#extras-handout`).
pub fn click(id: &str) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(b) = el.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
        b.click();
    }
}

/// Opens a share link's fragment in the lab as a tour of its script at its time, from the
/// on-demand module: the page's hidden `#lab-open` button reads it from the address bar
/// (app.rs); the page scrolls back up to the lab.
pub fn open_in_lab(fragment: &str) {
    set_fragment(fragment);
    click("lab-open");
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Asks the browser to show the page fullscreen (presenter mode); it may refuse.
pub fn fullscreen() {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = el.request_fullscreen();
    }
}

/// The page's address without query or fragment (origin and path).
pub fn page_address() -> Option<String> {
    let l = location()?;
    Some(format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default()))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The text stored under `key` in local storage.
pub fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Stores `value` under `key` in local storage.
pub fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Copies text with the async Clipboard API when the browser allows it (best effort: a share
/// link is also put in the address bar, an embed snippet in the notice).
pub fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return;
    };
    if clipboard.is_undefined() {
        return;
    }
    if let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into())
        && let Some(f) = write.dyn_ref::<js_sys::Function>()
    {
        let _ = f.call1(&clipboard, &text.into());
    }
}

/// Milliseconds on the page's monotonic clock (`performance.now()`), 0 without one.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Offers `content` as a file download named `name`.
pub fn download(name: &str, mime: &str, content: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = doc.create_element("a") else { return };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else { return };
    let encoded = String::from(js_sys::encode_uri_component(content));
    a.set_href(&format!("data:{mime};charset=utf-8,{encoded}"));
    a.set_download(name);
    a.click();
}

/// Fetches `url` (relative to the page) as text: the page's scenario files are fetched when a
/// tour is picked rather than built into the WebAssembly.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let describe = |e: wasm_bindgen::JsValue| crate::error_message(&e, "the request failed");
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(describe)?.unchecked_into();
    if !response.ok() {
        return Err(format!("HTTP {} {}", response.status(), response.status_text()));
    }
    let text = JsFuture::from(response.text().map_err(describe)?).await.map_err(describe)?;
    text.as_string().ok_or_else(|| "the response is not text".to_string())
}

/// The cluster picture on the page as a standalone SVG document (its colours inlined, as the
/// page's stylesheet does not travel with the file).
pub fn cluster_svg() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let svg = doc.query_selector("svg.cluster").ok()??;
    let body = svg.outer_html();
    let style = "<style>.link .wire{stroke:#c8c8c8}.link.cut .wire{stroke:#d55e00;stroke-dasharray:6 5}.node .body{stroke:#1b1b1b}\
.node.follower .body{fill:#56b4e9}.node.candidate .body{fill:#e69f00}.node.precandidate .body{fill:#f0e442}\
.node.leader .body{fill:#009e73}.node.down .body{fill:#9e9e9e}.msg{fill:#0072b2}.msg.doomed{fill:#d55e00}\
text{font-family:sans-serif}.node .timer{fill:none;stroke:#1b1b1b;opacity:.5}.link .hit{stroke:transparent}</style>";
    Some(body.replacen('>', &format!(" xmlns=\"http://www.w3.org/2000/svg\">{style}"), 1))
}

/// A `keydown` listener on the whole document, removed when dropped. Shortcuts listen there,
/// not on the lab, so that they work from load, before anything has the focus. With it, a
/// `mousedown` listener notes what the pointer pressed (see [`Focus::Clicked`]).
pub struct KeyListener {
    closure: Closure<dyn Fn(web_sys::KeyboardEvent)>,
    pointer: Closure<dyn Fn(web_sys::Event)>,
}

impl Drop for KeyListener {
    fn drop(&mut self) {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.remove_event_listener_with_callback("keydown", self.closure.as_ref().unchecked_ref());
            let _ =
                doc.remove_event_listener_with_callback("mousedown", self.pointer.as_ref().unchecked_ref());
        }
    }
}

thread_local! {
    /// What the pointer last pressed; forgotten when Tab moves the focus.
    static PRESSED: std::cell::RefCell<Option<web_sys::Node>> = const { std::cell::RefCell::new(None) };
}

/// Calls `f` on every key pressed anywhere on the page.
pub fn listen_keys(f: impl Fn(web_sys::KeyboardEvent) + 'static) -> Option<KeyListener> {
    let doc = web_sys::window()?.document()?;
    let closure = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
        if e.key() == "Tab" {
            PRESSED.set(None);
        }
        f(e)
    });
    let pointer = Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| {
        PRESSED.set(e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()));
    });
    doc.add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref()).ok()?;
    doc.add_event_listener_with_callback("mousedown", pointer.as_ref().unchecked_ref()).ok()?;
    Some(KeyListener { closure, pointer })
}

/// What kind of control `target` (a key event's target) is. (The picture's nodes and links,
/// `role="button"`, handle Space and Enter themselves and mark the event as handled.)
pub fn focus_of(target: Option<web_sys::EventTarget>) -> Focus {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return Focus::Page;
    };
    // Pressed with the pointer (on it or on what it holds) rather than reached with the
    // keyboard. (`:focus-visible` cannot tell: a key press makes it match.)
    let button = || {
        if PRESSED.with_borrow(|p| p.as_ref().is_some_and(|p| el.contains(Some(p)))) {
            Focus::Clicked
        } else {
            Focus::Button
        }
    };
    match el.tag_name().to_ascii_lowercase().as_str() {
        "input" if matches!(el.get_attribute("type").as_deref(), Some("button" | "submit" | "reset")) => {
            button()
        }
        "input" | "textarea" | "select" => Focus::Field,
        "button" | "a" | "summary" => button(),
        _ => Focus::Page,
    }
}

/// The element that has the focus now, if it is one that can take it back later.
pub fn focused_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()?.document()?.active_element()?.dyn_into::<web_sys::HtmlElement>().ok()
}

/// A callback run once per animation frame (`requestAnimationFrame`) until dropped. The clock
/// ticks on frames rather than on a timer: a timer fires again before a slow frame is drawn
/// and starves the drawing, while one tick per frame always lets the frame (and input) through.
/// The frame callback, which schedules itself again, so it holds its own slot.
type FrameSlot = std::rc::Rc<std::cell::RefCell<Option<Closure<dyn FnMut(f64)>>>>;

pub struct AnimationLoop {
    id: std::rc::Rc<std::cell::Cell<i32>>,
    _closure: FrameSlot,
}

impl Drop for AnimationLoop {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.cancel_animation_frame(self.id.get());
        }
        // Breaks the closure's reference to itself.
        self._closure.borrow_mut().take();
    }
}

/// Runs `f` with the frame's timestamp (milliseconds) on every animation frame.
pub fn every_frame(mut f: impl FnMut(f64) + 'static) -> Option<AnimationLoop> {
    let window = web_sys::window()?;
    let id = std::rc::Rc::new(std::cell::Cell::new(0));
    let slot: FrameSlot = Default::default();
    let (again, next_id) = (slot.clone(), id.clone());
    *slot.borrow_mut() = Some(Closure::new(move |t: f64| {
        f(t);
        if let (Some(w), Some(c)) = (web_sys::window(), again.borrow().as_ref()) {
            next_id.set(w.request_animation_frame(c.as_ref().unchecked_ref()).unwrap_or(0));
        }
    }));
    let first = window.request_animation_frame(slot.borrow().as_ref()?.as_ref().unchecked_ref()).ok()?;
    id.set(first);
    Some(AnimationLoop { id, _closure: slot })
}
