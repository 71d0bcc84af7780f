//! Text settings shared by scenario files and the CLI: `key=value` pairs per algorithm.

use crate::Micros;
use crate::scenario::parse_duration;

/// Settings that scenario files can set by name.
pub trait Settings {
    /// Sets `key` to `value`; an error names what was wrong.
    fn set(&mut self, key: &str, value: &str) -> Result<(), String>;
    /// One line listing every setting, as `config` prints it.
    fn summary(&self) -> String;
}

/// `on`/`off` (also true/false, yes/no).
pub fn on_off(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(format!("{key} must be on or off, got '{v}'")),
    }
}

/// `on`/`off` for display.
pub fn flag(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// A duration in whole milliseconds (`150ms`, `1s`).
pub fn millis(key: &str, v: &str) -> Result<u64, String> {
    parse_duration(v)
        .map(|us: Micros| us / 1_000)
        .ok_or_else(|| format!("bad {key} '{v}' (write e.g. 150ms)"))
}

/// A range of whole milliseconds (`150..300ms`).
pub fn millis_range(key: &str, v: &str) -> Result<(u64, u64), String> {
    crate::scenario::parse_range(v)
        .map(|(a, b)| (a / 1_000, b / 1_000))
        .ok_or_else(|| format!("bad {key} range '{v}' (write e.g. 150..300ms)"))
}

/// A plain number.
pub fn number(key: &str, v: &str) -> Result<u64, String> {
    v.parse().map_err(|_| format!("{key} must be a number, got '{v}'"))
}
