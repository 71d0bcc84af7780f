//! Units in text: durations (`150ms`, `1.5s`, `800us`), ranges (`150..300ms`) and percentages.
//!
//! Scenario files, share links, settings and the CLI all read time through these functions, so
//! a value means the same wherever it is written.

use crate::engine::time::Micros;

/// Parses a duration: `150ms`, `1.5s`, `2s`, `800us`.
pub fn parse_duration(s: &str) -> Option<Micros> {
    let (num, unit) = if let Some(n) = s.strip_suffix("us") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1_000)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1_000_000)
    } else {
        return None;
    };
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    let whole: u64 = whole.parse().ok()?;
    let mut value = whole.checked_mul(unit)?;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
            return None;
        }
        let digits: u64 = frac.parse().ok()?;
        let scale = 10u64.pow(frac.len() as u32);
        value = value.checked_add(digits.checked_mul(unit)? / scale)?;
    }
    Some(value)
}

/// Parses a range of durations: `150..300ms`, `1s..1.5s`.
pub fn parse_range(s: &str) -> Option<(Micros, Micros)> {
    // `150..300ms`: the unit of the upper bound applies to both ends when the lower has none.
    let (lo, hi) = s.split_once("..")?;
    let hi_v = parse_duration(hi)?;
    let lo_v = parse_duration(lo).or_else(|| {
        let unit = hi.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        parse_duration(&format!("{lo}{unit}"))
    })?;
    Some((lo_v, hi_v))
}

/// Parses a percentage (`1%`, `0.5%`) into parts per million.
pub fn parse_percent(s: &str) -> Option<u32> {
    let n = s.strip_suffix('%')?;
    let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
    let whole: u32 = whole.parse().ok()?;
    let mut ppm = whole.checked_mul(10_000)?;
    if !frac.is_empty() {
        if frac.len() > 4 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: u32 = frac.parse().ok()?;
        ppm = ppm.checked_add(digits * 10u32.pow(4 - frac.len() as u32))?;
    }
    (ppm <= 1_000_000).then_some(ppm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_percents() {
        assert_eq!(parse_duration("150ms"), Some(150_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000));
        assert_eq!(parse_duration("800us"), Some(800));
        assert_eq!(parse_duration("0.25ms"), Some(250));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("x.5ms"), None);
        assert_eq!(parse_range("150..300ms"), Some((150_000, 300_000)));
        assert_eq!(parse_percent("1%"), Some(10_000));
        assert_eq!(parse_percent("0.5%"), Some(5_000));
        assert_eq!(parse_percent("101%"), None);
    }
}
