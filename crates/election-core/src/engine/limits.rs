//! Every limit on what a user can ask of the simulator, in one place.
//!
//! A share link is untrusted input: anyone can send one to a student, and the page runs it.
//! Every reader and writer (scenario scripts, session JSON, the page's actions, the CLI)
//! checks these values, so that whatever the lab saves it can load, and nothing it loads can
//! keep a tab busy for long or make time overflow.
//!
//! * **Time.** No session goes past [`MAX_TIME_US`] (one simulated day) and no duration is
//!   longer ([`MAX_DURATION_US`]). Every deadline is `now + duration` with both bounded, so it
//!   stays far below `u64::MAX`; the engine still adds with saturation.
//! * **Work.** Replaying untrusted input runs at most [`MAX_EVENTS_PER_REPLAY`] simulated
//!   events; past that the reader stops and says how much the input asked for.
//! * **The network.** A directed link holds at most [`MAX_IN_FLIGHT_PER_LINK`] messages, like
//!   a socket buffer: what does not fit is dropped and traced as `queue full`. Duplication is
//!   at most [`MAX_DUPLICATE_PPM`], a lossy-network figure, not an amplifier.
//! * **Size.** A session holds at most [`MAX_INPUTS`] inputs; its script or JSON is at most
//!   [`MAX_SESSION_BYTES`], which the largest valid session fits in (a property test writes
//!   sessions at the limits and reads them back). An exported trace may be up to
//!   [`MAX_EXPORT_BYTES`]: Load reads only its session.

use crate::engine::error::Error;
use crate::engine::time::{Micros, fmt_time};

/// A time for people: seconds from one second up (`86400s`, `5.899971s`), milliseconds below.
pub fn human_time(t: Micros) -> String {
    if t < 1_000_000 {
        return fmt_time(t);
    }
    let (s, us) = (t / 1_000_000, t % 1_000_000);
    if us == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{us:06}").trim_end_matches('0')) }
}

/// The latest simulated time a session, an input or a script may reach: one day.
pub const MAX_TIME_US: Micros = 86_400_000_000;

/// The longest duration anywhere (a pause, a `run for=`, a `max=`): one day.
pub const MAX_DURATION_US: Micros = MAX_TIME_US;

/// Most simulated events a reader replays for untrusted input (a link, a script, a seek):
/// about a quarter of a second natively, a second in the page, and about 25 simulated minutes
/// of a 5-node Raft cluster.
pub const MAX_EVENTS_PER_REPLAY: u64 = 500_000;

/// Most messages one directed link holds in flight; more are dropped as `queue full`.
pub const MAX_IN_FLIGHT_PER_LINK: usize = 256;

/// Highest duplication probability, in parts per million (20 %).
pub const MAX_DUPLICATE_PPM: u32 = 200_000;

/// Most inputs a session may hold.
pub const MAX_INPUTS: usize = 10_000;

/// Largest session text (script or JSON) a reader accepts. The longest input line of a script
/// (a 15-node partition after its `run until=`) is under 100 bytes, and its JSON under 200, so
/// a session of [`MAX_INPUTS`] inputs fits.
pub const MAX_SESSION_BYTES: usize = 4 * 1024 * 1024;

/// Largest exported trace Load accepts (the trace itself is capped at 200,000 events).
pub const MAX_EXPORT_BYTES: usize = 128 * 1024 * 1024;

/// `t` if it is within [`MAX_TIME_US`], otherwise an error naming `what` and the excess.
pub fn check_time(what: &str, t: Micros) -> Result<Micros, Error> {
    if t > MAX_TIME_US {
        return Err(Error::Limit {
            what: format!("{what} at {}", human_time(t)),
            limit: format!("one simulated day ({}s)", MAX_TIME_US / 1_000_000),
            excess: format!("{} past it", human_time(t - MAX_TIME_US)),
        });
    }
    Ok(t)
}

/// `d` if it is within [`MAX_DURATION_US`], otherwise an error naming `what`.
pub fn check_duration(what: &str, d: Micros) -> Result<Micros, Error> {
    if d > MAX_DURATION_US {
        return Err(Error::Limit {
            what: format!("{what} of {}", human_time(d)),
            limit: format!("one simulated day ({}s)", MAX_DURATION_US / 1_000_000),
            excess: format!("{} too long", human_time(d - MAX_DURATION_US)),
        });
    }
    Ok(d)
}

/// `len` bytes of `what` if within `limit`, otherwise an error with the excess.
pub fn check_size(what: &str, len: usize, limit: usize) -> Result<(), Error> {
    if len > limit {
        return Err(Error::Limit {
            what: format!("{what} of {len} bytes"),
            limit: format!("{limit} bytes"),
            excess: format!("{} bytes too many", len - limit),
        });
    }
    Ok(())
}

/// `count` inputs if within [`MAX_INPUTS`], otherwise an error.
pub fn check_inputs(count: usize) -> Result<(), Error> {
    if count > MAX_INPUTS {
        return Err(Error::Limit {
            what: format!("a session of {count} inputs"),
            limit: format!("{MAX_INPUTS} inputs"),
            excess: format!("{} too many", count - MAX_INPUTS),
        });
    }
    Ok(())
}

/// A count of simulated events that one replay may still run (see [`MAX_EVENTS_PER_REPLAY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Events the replay may still run.
    pub events: u64,
}

impl Budget {
    /// The budget of one replay of untrusted input.
    pub const REPLAY: Budget = Budget { events: MAX_EVENTS_PER_REPLAY };

    /// No limit (trusted callers: tests, the CLI's own experiments).
    pub const UNLIMITED: Budget = Budget { events: u64::MAX };

    /// The error for a replay that ran out at simulated time `at` (having started at `from`)
    /// on its way to `target`: how much work the whole replay would take at the rate so far.
    pub fn exhausted(self, from: Micros, at: Micros, target: Micros) -> Error {
        self.over(self.events, from, at, target)
    }

    /// The error for a replay that has run `spent` events from `from` to `at` on its way to
    /// `target`, and stops: either the budget is spent, or [`Budget::hopeless`] says it would be.
    pub fn over(self, spent: u64, from: Micros, at: Micros, target: Micros) -> Error {
        let projected = projected(spent, from, at, target);
        Error::Limit {
            what: format!(
                "reaching {} needs about {} simulated events ({} by {})",
                human_time(target),
                group(projected),
                group(spent),
                human_time(at)
            ),
            limit: format!("{} events per replay", group(self.events)),
            excess: format!("about {}x too many", (projected / self.events.max(1)).max(2)),
        }
    }

    /// The error a replay that has run `spent` events from `from` to `at` on its way to
    /// `target` must stop with, if any: its budget is spent, or [`Budget::hopeless`] says it
    /// would be (judged every [`HOPELESS_EVERY`] events, which keeps the projection off the
    /// per-event path). Every replay loop, in the core and in the page, stops by this.
    pub fn stop(self, spent: u64, from: Micros, at: Micros, target: Micros) -> Option<Error> {
        let judged = spent % HOPELESS_EVERY == 0 && self.hopeless(spent, from, at, target);
        (spent >= self.events || judged).then(|| self.over(spent, from, at, target))
    }

    /// Whether a replay that has run `spent` events from `from` to `at` is on course for more
    /// than [`HOPELESS_FACTOR`] times this budget by `target`. Such a replay is refused once
    /// [`HOPELESS_AFTER`] events have shown its rate, instead of after the whole budget: a
    /// link asking for a simulated day of a 15-node cluster with 1 ms heartbeats is refused
    /// in a tenth of the time. The margin is wide because a run's rate changes (an election
    /// storm, then quiet); a replay refused this way would need at least that factor more
    /// than the budget at its rate so far, and is never one the budget would have finished
    /// without a sharp slowdown.
    pub fn hopeless(self, spent: u64, from: Micros, at: Micros, target: Micros) -> bool {
        spent >= HOPELESS_AFTER && projected(spent, from, at, target) / HOPELESS_FACTOR > self.events
    }
}

/// Events a replay runs before [`Budget::hopeless`] may judge it.
pub const HOPELESS_AFTER: u64 = 50_000;

/// How often, in events, [`Budget::stop`] asks [`Budget::hopeless`].
pub const HOPELESS_EVERY: u64 = 10_000;

/// How far over its budget a replay must be projected to be refused early.
pub const HOPELESS_FACTOR: u64 = 16;

/// Events a replay would run by `target`, at its rate from `from` to `at` (`spent` events).
fn projected(spent: u64, from: Micros, at: Micros, target: Micros) -> u64 {
    let covered = at.saturating_sub(from).max(1);
    let wanted = target.saturating_sub(from);
    // In u64 (no 128-bit division in the page): spent is at most the budget, so the product
    // fits unless the target is absurd, and then saturating is right.
    spent.saturating_mul(wanted) / covered
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_what_was_asked_and_by_how_much() {
        assert_eq!(check_time("an input", MAX_TIME_US), Ok(MAX_TIME_US));
        let e = check_time("an input", MAX_TIME_US + 1_000).unwrap_err().to_string();
        assert_eq!(e, "an input at 86400.001s is over the limit of one simulated day (86400s): 1ms past it");
        let e = check_duration("a pause", u64::MAX).unwrap_err().to_string();
        assert!(
            e.starts_with("a pause of 18446744073709.551615s is over the limit of one simulated day"),
            "{e}"
        );
        let e = Budget::REPLAY.exhausted(0, 1_000_000, 86_400_000_000).to_string();
        assert_eq!(
            e,
            "reaching 86400s needs about 43,200,000,000 simulated events (500,000 by 1s) \
             is over the limit of 500,000 events per replay: about 86400x too many"
        );
        // Refused early: 50,000 events in 1 s, on course for 4.32 billion by the day's end.
        assert!(Budget::REPLAY.hopeless(50_000, 0, 1_000_000, 86_400_000_000));
        let e = Budget::REPLAY.over(50_000, 0, 1_000_000, 86_400_000_000).to_string();
        assert_eq!(
            e,
            "reaching 86400s needs about 4,320,000,000 simulated events (50,000 by 1s) \
             is over the limit of 500,000 events per replay: about 8640x too many"
        );
        // Not yet judged, or not far enough over.
        assert!(!Budget::REPLAY.hopeless(49_999, 0, 1_000_000, 86_400_000_000));
        assert!(!Budget::REPLAY.hopeless(50_000, 0, 1_000_000, 160_000_000));
        // Stopping: when the budget is spent, or when judged hopeless on a multiple of 10,000.
        assert!(Budget::REPLAY.stop(50_000, 0, 1_000_000, 86_400_000_000).is_some());
        assert!(Budget::REPLAY.stop(50_001, 0, 1_000_000, 86_400_000_000).is_none());
        assert!(Budget::REPLAY.stop(500_000, 0, 1_000_000, 2_000_000).is_some());
        assert!(Budget::REPLAY.stop(499_999, 0, 1_000_000, 2_000_000).is_none());
        assert_eq!(human_time(5_899_971), "5.899971s");
        assert_eq!(human_time(999_000), "999ms");
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
    }
}
