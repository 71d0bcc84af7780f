//! What the settings fields accept, and the page's error messages written for people: each
//! says what was wrong with what the user wrote and what would work.

use election_core::Error;

/// The longest duration a millisecond field takes (a minute).
pub const MAX_MS: u64 = 60_000;

/// A seed as typed: a whole number, 0 or more.
pub fn seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("The seed is empty: type a whole number such as 1 or 42.".into());
    }
    if t.starts_with('-') {
        return Err(format!(
            "The seed cannot be negative ({t}): type a whole number of 0 or more. Each seed gives one repeatable run."
        ));
    }
    t.parse().map_err(|_| {
        format!("The seed must be a whole number such as 1 or 42 (up to 20 digits), not \u{201c}{t}\u{201d}.")
    })
}

/// A clock drift as typed: whole parts per million, `0..=MAX_DRIFT_PPM`.
pub fn drift(text: &str) -> Result<u32, String> {
    use election_core::clock::MAX_DRIFT_PPM;
    let t = text.trim();
    match t.parse::<u32>() {
        Ok(ppm) if ppm <= MAX_DRIFT_PPM => Ok(ppm),
        _ => Err(format!(
            "Clock drift is a whole number of parts per million, from 0 (perfect clocks) to {MAX_DRIFT_PPM} (10 %), not \u{201c}{t}\u{201d}."
        )),
    }
}

/// A whole number of milliseconds, `1..=MAX_MS` (a trailing `ms` is allowed).
pub fn millis(label: &str, text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.strip_suffix("ms").unwrap_or(t).trim();
    match digits.parse::<u64>() {
        Ok(v) if (1..=MAX_MS).contains(&v) => Ok(v),
        Ok(v) => Err(format!("{label} must be between 1 and {MAX_MS} milliseconds; {v} is not.")),
        Err(_) if digits.is_empty() => {
            Err(format!("{label} is empty: type a number of milliseconds, such as 50."))
        }
        Err(_) => Err(format!(
            "{label} must be a whole number of milliseconds, such as 50, not \u{201c}{t}\u{201d}."
        )),
    }
}

/// A range of milliseconds as the settings take it (`150..300ms`), from what people type:
/// `150..300`, `150..300ms`, `150-300`, `150 – 300 ms`.
pub fn millis_range(label: &str, text: &str) -> Result<String, String> {
    let t = text.trim();
    let body = t.strip_suffix("ms").unwrap_or(t).trim();
    let refuse = || {
        format!(
            "{label}: write the shortest and the longest time in milliseconds, like 150..300 (you wrote \u{201c}{t}\u{201d})."
        )
    };
    let (lo, hi) =
        ["..", "\u{2013}", "-", " to "].iter().find_map(|sep| body.split_once(sep)).ok_or_else(refuse)?;
    let lo = lo.trim().strip_suffix("ms").unwrap_or(lo.trim()).trim();
    let (lo, hi): (u64, u64) = match (lo.parse(), hi.trim().parse()) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return Err(refuse()),
    };
    if lo == 0 || hi > MAX_MS {
        return Err(format!("{label}: both times must be between 1 and {MAX_MS} milliseconds."));
    }
    if lo > hi {
        return Err(format!(
            "{label}: the shortest time ({lo} ms) comes first and must not be longer than the longest ({hi} ms)."
        ));
    }
    Ok(format!("{lo}..{hi}ms"))
}

/// A plain count (partitions, replicas, ...).
pub fn count(label: &str, text: &str) -> Result<String, String> {
    let t = text.trim();
    t.parse::<u64>()
        .map(|v| v.to_string())
        .map_err(|_| format!("{label} must be a whole number of 0 or more, not \u{201c}{t}\u{201d}."))
}

/// A simulator error about settings or a session as a sentence (the simulator words its
/// errors for people; the page adds the capital and the full stop).
pub fn humane(e: &Error) -> String {
    capital(&e.to_string()) + "."
}

/// `s` with its first letter in capitals (ASCII: the simulator's words are English, and
/// Unicode case tables would weigh on the first download).
fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_whole_numbers_and_a_negative_one_is_refused_with_the_reason() {
        assert_eq!(seed(" 42 "), Ok(42));
        assert_eq!(seed("0"), Ok(0));
        let e = seed("-1").unwrap_err();
        assert!(e.contains("cannot be negative (-1)"), "{e}");
        assert!(seed("abc").unwrap_err().contains("whole number"));
        assert!(seed("").unwrap_err().contains("empty"));
    }

    #[test]
    fn a_drift_is_whole_ppm_within_ten_percent() {
        assert_eq!(drift(" 200 "), Ok(200));
        assert_eq!(drift("100000"), Ok(100_000));
        for bad in ["100001", "-1", "2.5", "200ppm"] {
            assert!(drift(bad).unwrap_err().contains("from 0 (perfect clocks) to 100000 (10 %)"), "{bad}");
        }
    }

    #[test]
    fn milliseconds_take_a_bare_number_or_ms_and_say_the_bounds() {
        assert_eq!(millis("Heartbeat", "50"), Ok(50));
        assert_eq!(millis("Heartbeat", "50ms"), Ok(50));
        assert_eq!(
            millis("Heartbeat", "0"),
            Err("Heartbeat must be between 1 and 60000 milliseconds; 0 is not.".into())
        );
        let e = millis("Heartbeat", "ms").unwrap_err();
        assert_eq!(e, "Heartbeat is empty: type a number of milliseconds, such as 50.");
        assert!(!e.contains("bad"));
    }

    #[test]
    fn ranges_without_a_unit_are_milliseconds_and_bad_ones_show_the_form() {
        assert_eq!(millis_range("Election timeout", "150..300").as_deref(), Ok("150..300ms"));
        assert_eq!(millis_range("Election timeout", "150..300ms").as_deref(), Ok("150..300ms"));
        assert_eq!(millis_range("Election timeout", "150 - 300").as_deref(), Ok("150..300ms"));
        assert_eq!(millis_range("Election timeout", "150ms..300ms").as_deref(), Ok("150..300ms"));
        let e = millis_range("Election timeout", "fast").unwrap_err();
        assert!(e.contains("like 150..300"), "{e}");
        let e = millis_range("Election timeout", "300..150").unwrap_err();
        assert!(e.contains("must not be longer than the longest (150 ms)"), "{e}");
    }

    #[test]
    fn simulator_errors_read_as_sentences() {
        let e = election_core::engine::settings::check_millis(&[("heartbeat", 0)], 5).unwrap_err();
        assert_eq!(humane(&e), "Heartbeat: must be between 1 ms and 5 ms, not 0 ms.");
        assert_eq!(humane(&Error::NegativeTime(-1)), "Time -1 is before the start of the simulation.");
    }
}
