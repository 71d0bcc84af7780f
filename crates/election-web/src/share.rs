//! Session state in the URL: `#s=<session as a scenario script, URI-encoded>&t=<cursor in
//! microseconds>`. The script is the format of `tests/scenarios/` (a `config` line, then
//! `run until=` and inputs), readable in the address bar; links that carry JSON (made before
//! scripts) still open, through the JSON reader (see [`crate::json_worker`]).
//!
//! Everything read from the URL is untrusted: the cursor is bounded here, and the session goes
//! through `spec_from_script` or `SessionSpec::from_json`, which check size, syntax and every
//! setting and input; a bad value yields a message naming the problem.

use election_core::scenario::spec_to_script;
use election_core::{Micros, SessionSpec};

/// A session (as text, not yet read) and cursor decoded from a URL fragment.
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    /// The session: a scenario script, or JSON.
    pub text: String,
    /// Where to put the cursor.
    pub cursor: Micros,
    /// Whether the run plays from the start (`play=1`, how the page hands a newly picked
    /// algorithm to the full lab) instead of waiting at the cursor.
    pub play: bool,
}

/// Largest cursor accepted from a URL (one simulated day).
const MAX_CURSOR_US: Micros = 86_400_000_000;

/// Encodes a session and cursor as a URL fragment (without the `#`).
pub fn encode(spec: &SessionSpec, cursor: Micros) -> String {
    let script = spec_to_script(spec);
    format!("s={}&t={cursor}", String::from(js_sys::encode_uri_component(&script)))
}

/// The decoded value of `name=` in a URL fragment, if present and validly encoded.
pub fn param(fragment: &str, name: &str) -> Option<String> {
    fragment.trim_start_matches('#').split('&').find_map(|part| {
        let value = part.strip_prefix(name)?.strip_prefix('=')?;
        js_sys::decode_uri_component(value).ok().map(String::from)
    })
}

/// The scenario file a URL fragment names with `tour=<path under tests/scenarios>`: the page
/// starts that tour (the path is checked against the listed files before anything is fetched).
pub fn tour(fragment: &str) -> Option<String> {
    param(fragment, "tour")
}

/// Decodes a URL fragment. `Ok(None)` when it holds no session.
pub fn decode(fragment: &str) -> Result<Option<Shared>, String> {
    let fragment = fragment.trim_start_matches('#');
    if fragment.is_empty() {
        return Ok(None);
    }
    let mut text = None;
    let mut cursor = 0;
    let mut play = false;
    for part in fragment.split('&') {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k {
            "s" => {
                let decoded = js_sys::decode_uri_component(v).map_err(|_| {
                    "the shared link is damaged: its session is not valid URI encoding".to_string()
                })?;
                text = Some(String::from(decoded));
            }
            "t" => {
                cursor = v.parse::<Micros>().ok().filter(|t| *t <= MAX_CURSOR_US).ok_or_else(|| {
                    format!("the shared link's time '{v}' is not a time between 0 and one day")
                })?;
            }
            "play" => play = v == "1",
            _ => {}
        }
    }
    Ok(text.map(|text| Shared { text, cursor, play }))
}
