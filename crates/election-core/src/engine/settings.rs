//! Text settings shared by scenario files and the CLI: `key=value` pairs per algorithm.

use crate::engine::error::Error;
use crate::engine::time::Micros;
use crate::engine::units::{parse_duration, parse_range};

/// How the page should offer a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// on/off.
    Toggle,
    /// Whole milliseconds (`150ms`).
    Millis,
    /// A range of milliseconds (`150..300ms`).
    MillisRange,
    /// A plain number.
    Number,
}

/// One named setting with its current value, in the text form [`Settings::set`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Key, as in scenario files (`election`, `pre-vote`).
    pub key: &'static str,
    /// Human label with its source ("PreVote (§9.6)").
    pub label: &'static str,
    /// Current value as text (`on`, `150ms`, `150..300ms`, `3`).
    pub value: String,
    /// How to offer it.
    pub kind: FieldKind,
}

impl Field {
    /// A toggle.
    pub fn toggle(key: &'static str, label: &'static str, v: bool) -> Field {
        Field { key, label, value: flag(v).into(), kind: FieldKind::Toggle }
    }
    /// Milliseconds.
    pub fn millis(key: &'static str, label: &'static str, v: u64) -> Field {
        Field { key, label, value: format!("{v}ms"), kind: FieldKind::Millis }
    }
    /// A millisecond range.
    pub fn range(key: &'static str, label: &'static str, lo: u64, hi: u64) -> Field {
        Field { key, label, value: format!("{lo}..{hi}ms"), kind: FieldKind::MillisRange }
    }
    /// A number.
    pub fn number(key: &'static str, label: &'static str, v: u64) -> Field {
        Field { key, label, value: v.to_string(), kind: FieldKind::Number }
    }
}

/// Settings that scenario files (and the page) can set by name.
pub trait Settings {
    /// Every setting with its current value.
    fn fields(&self) -> Vec<Field>;
    /// Sets `key` to `value`; an error names what was wrong.
    fn set(&mut self, key: &str, value: &str) -> Result<(), String>;
    /// One line listing every setting, as `config` prints it.
    fn summary(&self) -> String {
        self.fields().iter().map(|f| format!("{}={}", f.key, f.value)).collect::<Vec<_>>().join(" ")
    }
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
    parse_range(v)
        .map(|(a, b)| (a / 1_000, b / 1_000))
        .ok_or_else(|| format!("bad {key} range '{v}' (write e.g. 150..300ms)"))
}

/// A plain number.
pub fn number(key: &str, v: &str) -> Result<u64, String> {
    v.parse().map_err(|_| format!("{key} must be a number, got '{v}'"))
}

/// Checks that every named duration is within `1..=max_ms` milliseconds.
pub fn check_millis(durations: &[(&'static str, u64)], max_ms: u64) -> Result<(), Error> {
    for &(what, v) in durations {
        if v == 0 || v > max_ms {
            return Err(Error::Invalid { what, reason: format!("{v} ms is outside 1..={max_ms} ms") });
        }
    }
    Ok(())
}
