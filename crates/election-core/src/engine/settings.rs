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
    /// One line listing every setting, as `config` prints it (`break=` last, when set).
    fn summary(&self) -> String {
        let mut s =
            self.fields().iter().map(|f| format!("{}={}", f.key, f.value)).collect::<Vec<_>>().join(" ");
        if let Some(b) = self.break_setting() {
            s.push_str(" break=");
            s.push_str(&b);
        }
        s
    }
    /// Every rule broken by these settings, by name, including those that are settings of
    /// their own (Kafka's `unclean`, the lease's `fencing=off`).
    fn broken(&self) -> Vec<&'static str> {
        Vec::new()
    }
    /// The `break=` value that reproduces the broken rules that have no setting of their own,
    /// or `None` when there are none (then `break=` is not written at all).
    fn break_setting(&self) -> Option<String> {
        None
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
        .ok_or_else(|| format!("{key} must be a duration such as 150ms or 1.5s, not '{v}'"))
}

/// A range of whole milliseconds (`150..300ms`).
pub fn millis_range(key: &str, v: &str) -> Result<(u64, u64), String> {
    parse_range(v)
        .map(|(a, b)| (a / 1_000, b / 1_000))
        .ok_or_else(|| format!("{key} must be a range of durations such as 150..300ms, not '{v}'"))
}

/// A plain number.
pub fn number(key: &str, v: &str) -> Result<u64, String> {
    v.parse().map_err(|_| format!("{key} must be a number, got '{v}'"))
}

/// Checks that the duration named `short` is shorter than the one named `long`, and if not
/// names the field and why it matters: a run with a heartbeat longer than the timeout it feeds
/// would only show elections between heartbeats.
pub fn check_shorter(short: (&'static str, u64), long: (&'static str, u64), why: &str) -> Result<(), Error> {
    if short.1 >= long.1 {
        return Err(Error::Invalid {
            what: short.0,
            reason: format!("{} ms must be shorter than the {} ({} ms): {why}", short.1, long.0, long.1),
        });
    }
    Ok(())
}

/// Checks that every named duration is within `1..=max_ms` milliseconds.
pub fn check_millis(durations: &[(&'static str, u64)], max_ms: u64) -> Result<(), Error> {
    for &(what, v) in durations {
        if v == 0 || v > max_ms {
            return Err(Error::Invalid {
                what,
                reason: format!("must be between 1 ms and {max_ms} ms, not {v} ms"),
            });
        }
    }
    Ok(())
}

/// A rule of an algorithm that a setting may break on purpose, so that its monitor can be seen
/// to catch what follows (and the counterexample search can look for the shortest such run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The name `break=` takes (`figure8`).
    pub name: &'static str,
    /// One line: what the rule is, and what breaking it does.
    pub what: &'static str,
    /// Where the rule is written down: a paper section or a source line.
    pub source: &'static str,
}

/// Which of an algorithm's rules are broken: bit `i` stands for the algorithm's rule `i`.
/// Empty by default, and then absent from JSON and from the `config` line, so that sessions
/// that break nothing read and print exactly as before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Broken(u32);

impl Broken {
    /// Nothing broken.
    pub const NONE: Broken = Broken(0);

    /// True when no rule is broken.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// Is rule `index` broken?
    pub fn has(self, index: usize) -> bool {
        index < 32 && self.0 & (1 << index) != 0
    }

    /// These rules and rule `index`.
    pub fn with(self, index: usize) -> Broken {
        if index < 32 { Broken(self.0 | (1 << index)) } else { self }
    }

    /// The names of the broken rules among `names` (an algorithm's `RULE_NAMES`), in order.
    pub fn names(self, names: &[&'static str]) -> Vec<&'static str> {
        names.iter().enumerate().filter(|&(i, _)| self.has(i)).map(|(_, &n)| n).collect()
    }
}

/// Reads a `break=` value: rule names separated by commas (`none` or nothing for none).
/// Returns their indices in `names` (an algorithm's `RULE_NAMES`); an unknown name is refused
/// with the list of valid ones. Only the names live here: the rules' explanations
/// ([`Rule`], `Protocol::RULES`) are read by the search and the CLI, so a page that never
/// shows them does not carry their text.
pub fn parse_rules(algorithm: &str, names: &[&str], v: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for name in v.split(',').map(str::trim).filter(|n| !n.is_empty() && *n != "none") {
        match names.iter().position(|r| *r == name) {
            Some(i) => out.push(i),
            None if names.is_empty() => {
                return Err(format!("{algorithm} has no rules to break (got '{name}')"));
            }
            None => {
                return Err(format!(
                    "unknown rule '{name}' for {algorithm}; the rules you can break are: {}",
                    names.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Errors reach students as they are: words and units, never the code's range notation.
    #[test]
    fn setting_errors_are_written_for_people() {
        let e = check_millis(&[("heartbeat", 0)], 60_000).unwrap_err().to_string();
        assert_eq!(e, "heartbeat: must be between 1 ms and 60000 ms, not 0 ms");
        assert_eq!(
            millis("heartbeat", "ms").unwrap_err(),
            "heartbeat must be a duration such as 150ms or 1.5s, not 'ms'"
        );
        assert_eq!(
            millis_range("election", "150-300").unwrap_err(),
            "election must be a range of durations such as 150..300ms, not '150-300'"
        );
        let e = check_shorter(("heartbeat", 300), ("failure timeout", 200), "why").unwrap_err().to_string();
        assert_eq!(e, "heartbeat: 300 ms must be shorter than the failure timeout (200 ms): why");
        assert_eq!(
            Error::ClusterSize(16).to_string(),
            "a cluster of 16 nodes is not possible: choose between 1 and 15 nodes"
        );
    }
}
