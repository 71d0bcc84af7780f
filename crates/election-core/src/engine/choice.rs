//! Choices: the engine's random draws, made on purpose.
//!
//! The engine draws every message's latency and loss (and whether it is duplicated) from the
//! network stream, and every node's random durations (election timeouts, backoffs) from the
//! node's own stream. A [`Choice`] fixes one of those draws: message `#17` takes the shortest
//! or longest latency the network allows, is lost, is not lost, or arrives twice; node n3's
//! fourth random duration is the low or high end of the range the algorithm asked for.
//!
//! Choices keep the timing model: a latency or a duration is only ever an end of the range
//! drawn from, never outside it. Losing or duplicating a message is a fault like a crash,
//! allowed whatever the network's loss and duplication rates (the search gives it its own
//! budget). The draw is still made and its value thrown away, so one choice changes that one
//! draw and every other draw of the run stays what it was; a run without choices is exactly
//! the run it always was.
//!
//! How draws are counted:
//! * messages by the id the trace shows (`#17`), which counts every copy sent from 1;
//!   `duplicated` names the send whose first copy has that id (the copy gets the next id);
//! * a node's durations from 1 in the order the node draws them, crashes and restarts
//!   included, counting only ranges with more than one value (a fixed duration is no draw).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::error::Error;
use crate::engine::time::NodeId;

/// Most choices one session may carry: a counterexample needs a handful, and a share link is
/// untrusted input.
pub const MAX_CHOICES: usize = 256;

/// Which end of a range a draw takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// The smallest value of the range.
    Min,
    /// The largest value of the range.
    Max,
}

impl End {
    /// `min` or `max`, as scripts write it.
    pub fn name(self) -> &'static str {
        match self {
            End::Min => "min",
            End::Max => "max",
        }
    }

    /// The value this end picks from `lo..=hi`.
    pub fn pick(self, lo: u64, hi: u64) -> u64 {
        match self {
            End::Min => lo,
            End::Max => hi.max(lo),
        }
    }

    /// "shortest" or "longest".
    pub fn superlative(self) -> &'static str {
        match self {
            End::Min => "shortest",
            End::Max => "longest",
        }
    }
}

/// One draw of the engine fixed on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "choice", rename_all = "snake_case")]
pub enum Choice {
    /// Message `#msg` takes an end of the network's latency range.
    Latency {
        /// The message id.
        msg: u64,
        /// Which end.
        end: End,
    },
    /// Message `#msg` is lost.
    Lost {
        /// The message id.
        msg: u64,
    },
    /// Message `#msg` is not lost, whatever the loss draw says.
    Kept {
        /// The message id.
        msg: u64,
    },
    /// The send whose first copy is `#msg` also sends a second copy.
    Duplicated {
        /// The id of the first copy.
        msg: u64,
    },
    /// Node `node`'s `draw`-th random duration takes an end of its range.
    Draw {
        /// The node.
        node: NodeId,
        /// Which of its draws, from 1.
        draw: u64,
        /// Which end.
        end: End,
    },
}

/// What a choice fixes: two choices of the same slot contradict each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Latency(u64),
    Loss(u64),
    Duplicate(u64),
    Draw(NodeId, u64),
}

impl Choice {
    fn slot(&self) -> Slot {
        match *self {
            Choice::Latency { msg, .. } => Slot::Latency(msg),
            Choice::Lost { msg } | Choice::Kept { msg } => Slot::Loss(msg),
            Choice::Duplicated { msg } => Slot::Duplicate(msg),
            Choice::Draw { node, draw, .. } => Slot::Draw(node, draw),
        }
    }

    /// The message a choice is about, if it is about one.
    pub fn message(&self) -> Option<u64> {
        match *self {
            Choice::Latency { msg, .. }
            | Choice::Lost { msg }
            | Choice::Kept { msg }
            | Choice::Duplicated { msg } => Some(msg),
            Choice::Draw { .. } => None,
        }
    }

    /// Checks one choice against a cluster of `nodes` nodes.
    pub fn validate(&self, nodes: usize) -> Result<(), Error> {
        let bad = |reason: String| Err(Error::Invalid { what: "choice", reason });
        match *self {
            Choice::Draw { node, draw, .. } => {
                if node == 0 || usize::from(node) > nodes {
                    return Err(Error::UnknownNode { node, nodes });
                }
                if draw == 0 {
                    return bad(format!("'{self}': a node's draws count from 1"));
                }
            }
            _ => {
                if self.message() == Some(0) {
                    return bad(format!("'{self}': messages count from #1"));
                }
            }
        }
        Ok(())
    }

    /// The choice in words, without knowing the run ("message #17 takes the longest latency").
    pub fn describe(&self) -> String {
        match *self {
            Choice::Latency { msg, end } => {
                format!("message #{msg} takes the {} latency the network allows", end.superlative())
            }
            Choice::Lost { msg } => format!("message #{msg} is lost"),
            Choice::Kept { msg } => format!("message #{msg} is not lost"),
            Choice::Duplicated { msg } => format!("message #{msg} is sent twice"),
            Choice::Draw { node, draw, end } => {
                format!("n{node}'s random duration number {draw} is the {} allowed", end.superlative())
            }
        }
    }

    /// Reads the arguments of a `choose` line: `#17 latency=max`, `#17 lost`, `#17 kept`,
    /// `#17 duplicated`, `n3 draw=4 min`.
    pub fn parse(args: &[&str]) -> Result<Choice, String> {
        const FORMS: &str = "write 'choose #ID latency=min|max', 'choose #ID lost|kept|duplicated' or 'choose nX draw=K min|max'";
        let bad = |why: String| format!("{why}: {FORMS}");
        let end = |s: &str| match s {
            "min" => Ok(End::Min),
            "max" => Ok(End::Max),
            other => Err(bad(format!("'{other}' is not an end"))),
        };
        let number = |s: &str, what: &str| -> Result<u64, String> {
            s.parse::<u64>().ok().filter(|&v| v > 0).ok_or_else(|| bad(format!("'{s}' is not a {what}")))
        };
        match args {
            [target, rest @ ..] if target.starts_with('#') => {
                let msg = number(&target[1..], "message id (#1 or more)")?;
                match rest {
                    [one] => match *one {
                        "lost" => Ok(Choice::Lost { msg }),
                        "kept" => Ok(Choice::Kept { msg }),
                        "duplicated" => Ok(Choice::Duplicated { msg }),
                        other => match other.strip_prefix("latency=") {
                            Some(e) => Ok(Choice::Latency { msg, end: end(e)? }),
                            None => Err(bad(format!("'{other}' is not a choice"))),
                        },
                    },
                    _ => Err(bad(format!("'{}' is not one choice", rest.join(" ")))),
                }
            }
            [target, draw, e] if target.starts_with('n') => {
                let node =
                    target[1..].parse::<NodeId>().map_err(|_| bad(format!("'{target}' is not a node")))?;
                let draw = draw
                    .strip_prefix("draw=")
                    .ok_or_else(|| bad(format!("'{draw}' is not draw=K")))
                    .and_then(|k| number(k, "draw number (1 or more)"))?;
                Ok(Choice::Draw { node, draw, end: end(e)? })
            }
            _ => Err(bad(format!("'{}' is not a choice", args.join(" ")))),
        }
    }
}

impl fmt::Display for Choice {
    /// The arguments of the `choose` line that [`Choice::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Choice::Latency { msg, end } => write!(f, "#{msg} latency={}", end.name()),
            Choice::Lost { msg } => write!(f, "#{msg} lost"),
            Choice::Kept { msg } => write!(f, "#{msg} kept"),
            Choice::Duplicated { msg } => write!(f, "#{msg} duplicated"),
            Choice::Draw { node, draw, end } => write!(f, "n{node} draw={draw} {}", end.name()),
        }
    }
}

/// Checks a session's choices: at most [`MAX_CHOICES`], each valid, no two fixing the same draw.
pub fn validate_choices(choices: &[Choice], nodes: usize) -> Result<(), Error> {
    if choices.len() > MAX_CHOICES {
        return Err(Error::Invalid {
            what: "choices",
            reason: format!("{} is more than the {MAX_CHOICES} a session may carry", choices.len()),
        });
    }
    let mut slots: Vec<(Slot, usize)> = Vec::with_capacity(choices.len());
    for (i, c) in choices.iter().enumerate() {
        c.validate(nodes)?;
        slots.push((c.slot(), i));
    }
    slots.sort_unstable();
    for w in slots.windows(2) {
        if w[0].0 == w[1].0 {
            let (a, b) = (choices[w[0].1], choices[w[1].1]);
            return Err(Error::Invalid {
                what: "choices",
                reason: format!("'{a}' and '{b}' fix the same draw"),
            });
        }
    }
    Ok(())
}

/// A node's random durations: how many it has drawn, the choices that fix some of them, and
/// (when the search asks) a record of each draw. The simulation keeps one per node; a
/// handler's context counts through it.
#[derive(Debug, Clone, Default)]
pub struct NodeDraws {
    /// Draws made so far.
    pub count: u64,
    /// This node's choices: (draw, end), in any order.
    pub chosen: Vec<(u64, End)>,
    /// Record every draw (not only chosen ones) in `made`.
    pub log: bool,
    /// Draws recorded since the simulation last took them.
    pub made: Vec<Drawn>,
}

/// One random duration a node drew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drawn {
    /// Its number, from 1.
    pub draw: u64,
    /// The range drawn from.
    pub lo: u64,
    /// The range drawn from.
    pub hi: u64,
    /// The value used.
    pub value: u64,
    /// The end chosen, if a choice fixed it.
    pub chosen: Option<End>,
}

impl NodeDraws {
    /// Counts a draw from `lo..=hi` whose random value is `random`; returns the value to use.
    pub fn draw(&mut self, lo: u64, hi: u64, random: u64) -> u64 {
        if hi <= lo {
            return random;
        }
        self.count += 1;
        let n = self.count;
        let chosen = self.chosen.iter().find(|(k, _)| *k == n).map(|&(_, e)| e);
        let value = chosen.map_or(random, |e| e.pick(lo, hi));
        if self.log || chosen.is_some() {
            self.made.push(Drawn { draw: n, lo, hi, value, chosen });
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        let all = [
            Choice::Latency { msg: 17, end: End::Max },
            Choice::Latency { msg: 1, end: End::Min },
            Choice::Lost { msg: 3 },
            Choice::Kept { msg: 4 },
            Choice::Duplicated { msg: 5 },
            Choice::Draw { node: 3, draw: 4, end: End::Min },
        ];
        for c in all {
            let text = c.to_string();
            let words: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(Choice::parse(&words), Ok(c), "{text}");
        }
    }

    #[test]
    fn bad_choices_say_why() {
        let e = Choice::parse(&["#0", "lost"]).unwrap_err();
        assert!(e.starts_with("'0' is not a message id"), "{e}");
        let e = Choice::parse(&["#3", "latency=mid"]).unwrap_err();
        assert!(e.starts_with("'mid' is not an end"), "{e}");
        let e = Choice::parse(&["n3", "draw=0", "min"]).unwrap_err();
        assert!(e.contains("draw number"), "{e}");
        assert!(Choice::parse(&["#3", "lost", "kept"]).is_err());
        let same = [Choice::Lost { msg: 3 }, Choice::Kept { msg: 3 }];
        let e = validate_choices(&same, 3).unwrap_err().to_string();
        assert!(e.contains("fix the same draw"), "{e}");
        let far = [Choice::Draw { node: 4, draw: 1, end: End::Max }];
        assert!(validate_choices(&far, 3).is_err());
        let many = vec![Choice::Lost { msg: 1 }; MAX_CHOICES + 1];
        assert!(validate_choices(&many, 3).unwrap_err().to_string().contains("more than"));
    }

    #[test]
    fn a_draw_is_counted_and_fixed() {
        let mut d = NodeDraws { chosen: vec![(2, End::Max)], ..NodeDraws::default() };
        assert_eq!(d.draw(5, 5, 5), 5, "a fixed duration is no draw");
        assert_eq!(d.draw(1, 9, 4), 4);
        assert_eq!(d.draw(1, 9, 4), 9);
        assert_eq!(d.count, 2);
        assert_eq!(d.made, vec![Drawn { draw: 2, lo: 1, hi: 9, value: 9, chosen: Some(End::Max) }]);
    }
}
