//! Session state in the URL: `#s=<session JSON, URI-encoded>&t=<cursor in microseconds>`.
//!
//! Everything read from the URL is untrusted: it goes through `SessionSpec::from_json`, which
//! checks size, syntax and every setting, and a bad value yields a message naming the problem.

use election_core::{Micros, SessionSpec};

/// A session and cursor decoded from a URL fragment.
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    /// The session to rebuild.
    pub spec: SessionSpec,
    /// Where to put the cursor.
    pub cursor: Micros,
}

/// Largest cursor accepted from a URL (one simulated day).
const MAX_CURSOR_US: Micros = 86_400_000_000;

/// Encodes a session and cursor as a URL fragment (without the `#`).
pub fn encode(spec: &SessionSpec, cursor: Micros) -> String {
    let json = spec.to_json();
    format!("s={}&t={cursor}", String::from(js_sys::encode_uri_component(&json)))
}

/// Decodes a URL fragment. `Ok(None)` when it holds no session.
pub fn decode(fragment: &str) -> Result<Option<Shared>, String> {
    let fragment = fragment.trim_start_matches('#');
    if fragment.is_empty() {
        return Ok(None);
    }
    let mut spec_text = None;
    let mut cursor = 0;
    for part in fragment.split('&') {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k {
            "s" => {
                let decoded = js_sys::decode_uri_component(v).map_err(|_| {
                    "the shared link is damaged: its session is not valid URI encoding".to_string()
                })?;
                spec_text = Some(String::from(decoded));
            }
            "t" => {
                cursor = v.parse::<Micros>().ok().filter(|t| *t <= MAX_CURSOR_US).ok_or_else(|| {
                    format!("the shared link's time '{v}' is not a time between 0 and one day")
                })?;
            }
            _ => {}
        }
    }
    let Some(text) = spec_text else {
        return Ok(None);
    };
    let spec =
        SessionSpec::from_json(&text).map_err(|e| format!("the shared link could not be loaded: {e}"))?;
    Ok(Some(Shared { spec, cursor }))
}
