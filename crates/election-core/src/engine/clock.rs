//! Local clocks: every node reads time from a clock of its own, which runs fast or slow by a
//! rate error and can be made to jump, while the simulation's time stays the truth that the
//! trace and the monitors use.
//!
//! A node's timers run on its clock: a timer armed for `d` fires when the node's clock has
//! advanced by `d`, so a clock 1,000 ppm fast fires a 1 s timer after 0.999 s of true time, and
//! a clock that jumps forward fires the timers it jumps over at once. Algorithms that compare
//! times they stored (a lease's expiry, a lock's validity) read the node's clock through
//! `Ctx::local`; what they record for the monitors keeps true time (`Ctx::now`).
//!
//! Rates are drawn uniformly within the configured bound from a stream of their own, one per
//! node, only when the bound is not zero: with drift off no draw is made and every trace is
//! what it was before clocks existed. Real quartz oscillators drift by tens of ppm (RFC 5905,
//! NTPv4, takes a frequency tolerance PHI of 15 ppm for its error budget, and its reference
//! clock discipline corrects at most 500 ppm); the bound goes higher, to 10 %, so that drift is
//! visible at the time scale of a classroom run. Simplified: no NTP slewing or stepping of
//! its own, no leap seconds; a jump is the user's fault injection (a VM migration, an operator,
//! a step by NTP), Kleppmann's "How to do distributed locking" (2016) scenario.

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::time::{Micros, fmt_time};

/// Largest rate error a clock may have, in parts per million (10 %).
pub const MAX_DRIFT_PPM: u32 = 100_000;

/// Largest jump a clock may make at once, either way (one simulated day).
pub const MAX_JUMP_US: i64 = 86_400_000_000;

/// The clocks of a cluster: the bound of their rate errors (0: perfect clocks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockConfig {
    /// Each node's rate error is drawn within `±drift_ppm` parts per million.
    #[serde(default)]
    pub drift_ppm: u32,
}

impl ClockConfig {
    /// Checks the bound.
    pub fn validate(&self) -> Result<(), Error> {
        if self.drift_ppm > MAX_DRIFT_PPM {
            return Err(Error::Invalid {
                what: "clock drift",
                reason: format!("must be at most {MAX_DRIFT_PPM} ppm (10%), not {} ppm", self.drift_ppm),
            });
        }
        Ok(())
    }

    /// True when clocks are perfect (no drift).
    pub fn is_off(&self) -> bool {
        self.drift_ppm == 0
    }
}

/// Checks a jump's size.
pub fn check_jump(by_us: i64) -> Result<(), Error> {
    if by_us.unsigned_abs() > MAX_JUMP_US.unsigned_abs() {
        return Err(Error::Invalid {
            what: "a clock jump",
            reason: format!("must be at most one day either way, not {}", fmt_jump(by_us)),
        });
    }
    Ok(())
}

/// A jump as people write it: `+500ms`, `-2s`.
pub fn fmt_jump(by_us: i64) -> String {
    let sign = if by_us < 0 { '-' } else { '+' };
    format!("{sign}{}", fmt_time(by_us.unsigned_abs()))
}

/// A drift as scripts and the CLI write it (`200ppm`).
pub fn parse_ppm(text: &str) -> Option<u32> {
    text.strip_suffix("ppm")?.parse().ok()
}

/// One node's clock: `local(t) = t + t·rate/10⁶ + offset`, never below zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Rate error in parts per million (positive: the clock runs fast).
    pub rate_ppm: i32,
    /// What jumps added, in microseconds.
    pub offset_us: i64,
}

impl Clock {
    /// True for a clock that reads true time.
    pub fn is_perfect(&self) -> bool {
        self.rate_ppm == 0 && self.offset_us == 0
    }

    /// What the clock reads at true time `t`.
    pub fn local(&self, t: Micros) -> Micros {
        // 64-bit arithmetic (128-bit division would cost the page's first download): simulated
        // time is at most a day (8.64e10 us), far from overflowing with rates of at most 1e5.
        let t = t.min(i64::MAX as Micros) as i64;
        let l = t
            .saturating_add(t.saturating_mul(i64::from(self.rate_ppm)) / 1_000_000)
            .saturating_add(self.offset_us);
        l.max(0) as Micros
    }

    /// How much true time passes while the clock advances by `d` (rounded up, so a timer never
    /// fires before its clock has reached its deadline).
    pub fn true_duration(&self, d: Micros) -> Micros {
        if self.rate_ppm == 0 {
            return d;
        }
        // The rate is within ±10 %, so the divisor is positive.
        let den = (1_000_000 + i64::from(self.rate_ppm)).max(1) as Micros;
        d.saturating_mul(1_000_000).div_ceil(den)
    }

    /// The true time at which the clock reads (or read) `reading`, if it does not jump from
    /// `now` on: what a node's belief "valid until `reading` by my clock" means in true time,
    /// which is what monitors compare with other nodes' events.
    pub fn true_time_of(&self, reading: Micros, now: Micros) -> Micros {
        let at_now = self.local(now);
        if reading >= at_now {
            now.saturating_add(self.true_duration(reading - at_now))
        } else {
            now.saturating_sub(self.true_duration(at_now - reading))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::ms;

    #[test]
    fn a_perfect_clock_reads_true_time_and_its_timers_take_what_they_say() {
        let c = Clock::default();
        assert!(c.is_perfect());
        assert_eq!(c.local(ms(1234)), ms(1234));
        assert_eq!(c.true_duration(ms(150)), ms(150));
    }

    #[test]
    fn a_reading_maps_back_to_true_time() {
        assert_eq!(Clock::default().true_time_of(ms(700), ms(300)), ms(700));
        // A clock 1 s ahead reads 1.7 s at 700 ms; 10 % fast, 1.1 s of its time pass in 1 s.
        let ahead = Clock { rate_ppm: 0, offset_us: 1_000_000 };
        assert_eq!(ahead.true_time_of(ms(1_700), ms(300)), ms(700));
        let fast = Clock { rate_ppm: 100_000, offset_us: 0 };
        assert_eq!(fast.true_time_of(ms(2_200), ms(1_000)), ms(2_000));
        assert_eq!(fast.true_time_of(ms(0), ms(1_000)), 0);
    }

    #[test]
    fn a_fast_clock_reads_ahead_and_fires_its_timers_early() {
        // 1 % fast: after 10 s of true time it reads 10.1 s; a 1.01 s timer takes 1 s.
        let c = Clock { rate_ppm: 10_000, offset_us: 0 };
        assert_eq!(c.local(ms(10_000)), ms(10_100));
        assert_eq!(c.true_duration(ms(1_010)), ms(1_000));
        let slow = Clock { rate_ppm: -10_000, offset_us: 0 };
        assert_eq!(slow.local(ms(10_000)), ms(9_900));
        assert_eq!(slow.true_duration(ms(990)), ms(1_000));
        // Rounded up: the clock has reached the deadline when the timer fires.
        let odd = Clock { rate_ppm: 3, offset_us: 0 };
        let d = odd.true_duration(1_000_001);
        assert!(odd.local(d) >= 1_000_001 && odd.local(d - 1) < 1_000_001);
    }

    #[test]
    fn a_jump_moves_the_reading_and_a_clock_never_reads_below_zero() {
        let c = Clock { rate_ppm: 0, offset_us: -(ms(500) as i64) };
        assert_eq!(c.local(ms(200)), 0);
        assert_eq!(c.local(ms(700)), ms(200));
        assert_eq!(fmt_jump(-(ms(500) as i64)), "-500ms");
        assert_eq!(fmt_jump(ms(2000) as i64), "+2000ms");
    }

    #[test]
    fn bounds_are_checked_with_reasons() {
        assert!(ClockConfig { drift_ppm: MAX_DRIFT_PPM }.validate().is_ok());
        let e = ClockConfig { drift_ppm: MAX_DRIFT_PPM + 1 }.validate().unwrap_err().to_string();
        assert!(e.contains("at most 100000 ppm"), "{e}");
        assert!(check_jump(MAX_JUMP_US).is_ok() && check_jump(-MAX_JUMP_US).is_ok());
        assert!(check_jump(MAX_JUMP_US + 1).unwrap_err().to_string().contains("one day"));
        assert!(check_jump(i64::MIN).is_err());
    }
}
