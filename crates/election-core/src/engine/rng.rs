//! Seeded, portable randomness.
//!
//! One named generator, PCG (`rand_pcg::Pcg64`, the 128-bit LCG with XSL-RR output): its
//! output stream is fixed by its specification, unlike `StdRng` whose algorithm may change
//! between `rand` versions. A simulation seed is split into independent streams with PCG's
//! built-in stream selector: stream 0 is the network, stream `i` is node `i`, stream 500 is
//! the disks, and higher streams serve fault schedules in sweeps. Same seed, same streams, on every platform.

use rand::RngExt;
use rand_pcg::Pcg64;

/// A deterministic random stream.
#[derive(Debug, Clone)]
pub struct Stream(Pcg64);

/// Stream numbers used by the simulator.
pub const NETWORK_STREAM: u64 = 0;
/// Durable-write times (`engine::storage`): their own stream, so a disk changes no other draw.
pub const STORAGE_STREAM: u64 = 500;
/// Clock rate errors (`engine::clock`): their own stream, drawn only when drift is on.
pub const CLOCK_STREAM: u64 = 600;
/// Fault schedules of sweeps draw from their own stream, far away from node streams.
pub const SCHEDULE_STREAM: u64 = 1_000;

impl Stream {
    /// The stream `stream` of simulation seed `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        // Spread the 64-bit seed over the 128-bit state; the constant is PCG's default
        // multiplier-derived increment, any fixed odd constant would do.
        let state = (u128::from(seed) << 64) ^ u128::from(seed) ^ 0xcafe_f00d_d15e_a5e5_u128;
        Stream(Pcg64::new(state, u128::from(stream)))
    }

    /// A uniformly random integer in `lo..=hi` (returns `lo` when `hi <= lo`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo { lo } else { self.0.random_range(lo..=hi) }
    }

    /// True with probability `ppm / 1_000_000` (parts per million, integer, no floats).
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        if ppm == 0 {
            false
        } else if ppm >= 1_000_000 {
            true
        } else {
            self.0.random_range(0..1_000_000u32) < ppm
        }
    }

    /// A random index in `0..len` (`len` must be > 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.range(0, len.saturating_sub(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut s = Stream::new(7, 1);
                move |_| s.range(0, 1_000_000)
            })
            .collect();
        let b: Vec<u64> = (0..8)
            .map({
                let mut s = Stream::new(7, 1);
                move |_| s.range(0, 1_000_000)
            })
            .collect();
        let c: Vec<u64> = (0..8)
            .map({
                let mut s = Stream::new(7, 2);
                move |_| s.range(0, 1_000_000)
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    /// The exact values pin the generator: if a dependency update changes the stream,
    /// every golden trace would change, and this test says why.
    #[test]
    fn stream_values_are_pinned() {
        let mut s = Stream::new(1, 0);
        let got: Vec<u64> = (0..4).map(|_| s.range(0, 999)).collect();
        assert_eq!(got, PINNED);
    }
    const PINNED: [u64; 4] = [428, 747, 841, 50];

    #[test]
    fn chance_extremes() {
        let mut s = Stream::new(3, 3);
        assert!(!s.chance_ppm(0));
        assert!(s.chance_ppm(1_000_000));
        assert_eq!(s.range(5, 5), 5);
        assert_eq!(s.range(9, 2), 9);
    }
}
