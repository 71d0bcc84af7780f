//! Virtual time and node ids: integers, never floats, so every decision replays exactly.

/// Virtual time in microseconds since the start of the simulation.
///
/// Integer, never a float: protocol decisions must be exactly reproducible.
pub type Micros = u64;

/// Node identifiers are `1..=MAX_NODES`, shown as `n1`, `n2`, ...
pub type NodeId = u8;

/// The largest cluster the simulator accepts.
pub const MAX_NODES: usize = 15;

/// `x` milliseconds as [`Micros`].
pub const fn ms(x: u64) -> Micros {
    x.saturating_mul(1_000)
}

/// Formats a time as milliseconds with microsecond precision trimmed: `231ms`, `231.417ms`.
pub fn fmt_time(t: Micros) -> String {
    Time(t).to_string()
}

/// A time that displays as [`fmt_time`] does, without allocating: the trace formats two
/// times per event to hash it, and a replay formats every event it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time(pub Micros);

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = self.0 / 1_000;
        let mut frac = self.0 % 1_000;
        if frac == 0 {
            return write!(f, "{whole}ms");
        }
        // Trailing zeros of the three fraction digits are dropped: 231.400 -> 231.4.
        let mut digits = 3;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        write!(f, "{whole}.{frac:0digits$}ms")
    }
}

/// `n2,n3,n4`: node ids for notes and message text, formatted without allocating (messages
/// are formatted for every trace event, and a replay formats each one again to hash it).
#[derive(Debug, Clone, Copy)]
pub struct Ids<'a>(pub &'a [NodeId]);

impl std::fmt::Display for Ids<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, n) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "n{n}")?;
        }
        Ok(())
    }
}

/// `n3`, or `-` for none, formatted without allocating (see [`Ids`]).
#[derive(Debug, Clone, Copy)]
pub struct Opt(pub Option<NodeId>);

impl std::fmt::Display for Opt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "n{n}"),
            None => f.write_str("-"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formatting_is_exact() {
        assert_eq!(fmt_time(0), "0ms");
        assert_eq!(fmt_time(231_000), "231ms");
        assert_eq!(fmt_time(231_417), "231.417ms");
        assert_eq!(fmt_time(231_400), "231.4ms");
        assert_eq!(fmt_time(5), "0.005ms");
    }
}

/// `x` with `decimals` (0-3) digits after the point, like `format!("{x:.1}")` but computed
/// with integers: drawing code uses it so that the page's WebAssembly does not carry Rust's
/// float formatter (about 11 KB). Only for pictures, never for protocol decisions.
pub fn fixed(x: f64, decimals: u8) -> String {
    let decimals = decimals.min(3);
    let scale = 10i64.pow(u32::from(decimals));
    let v = (x * scale as f64).round_ties_even() as i64;
    let (sign, v) = if v < 0 { ("-", -v) } else { ("", v) };
    if decimals == 0 {
        format!("{sign}{v}")
    } else {
        format!("{sign}{}.{:0width$}", v / scale, v % scale, width = usize::from(decimals))
    }
}

#[cfg(test)]
mod fixed_tests {
    #[test]
    fn fixed_matches_the_float_formatter_on_drawing_values() {
        for (x, d) in
            [(0.0, 1), (12.345, 1), (-3.26, 1), (599.95, 1), (0.125, 2), (7.0, 0), (-0.04, 1), (99.999, 2)]
        {
            assert_eq!(
                super::fixed(x, d),
                format!("{x:.*}", usize::from(d)).replace("-0.0", "0.0"),
                "{x} {d}"
            );
        }
    }
}
