//! A [`Tour`] written back as a scenario file: what the page's tour recorder exports, and what
//! [`tour`](super::tour) reads back to the same tour.
//!
//! The file is laid out from the tour's moments: the `config` and `choose` lines, then for each
//! step the inputs given before its moment (each after a `run until=` to its time), its
//! narration (`#`), speaker notes (`#%`), question (`#?`) and explanation (`#!`), then the inputs
//! given at its moment, and `run until=` lines to each later input and to the next step. A
//! question is answered by what happens from it to the next step (see
//! [`Question`](super::Question)), so the inputs of its own moment are part of what it asks
//! about, as in a hand-written tour where `#? Is this a split brain?` precedes the write.
//!
//! The text has no expected output; [`run_script`](super::run_script) fills it in, which makes
//! the file a golden scenario as it stands.

use std::fmt::Write as _;

use super::script::{config_lines, input_line};
use super::{Tour, TourStep};
use crate::engine::error::Error;
use crate::engine::time::{Micros, fmt_time};

/// Narration lines are wrapped at this width, as the hand-written tours are.
const WIDTH: usize = 100;

fn invalid(reason: impl Into<String>) -> Error {
    Error::Invalid { what: "this tour", reason: reason.into() }
}

/// Checks what the file format cannot hold: a line break in one line's text, or a question's
/// separators (`|`, `=>`) inside its text or a choice.
fn one_line(what: &str, text: &str) -> Result<(), Error> {
    if text.contains('\n') || text.contains('\r') {
        return Err(invalid(format!("{what} must be one paragraph, without line breaks")));
    }
    Ok(())
}

fn no_separators(what: &str, text: &str) -> Result<(), Error> {
    one_line(what, text)?;
    if text.contains('|') || text.contains("=>") {
        return Err(invalid(format!("{what} cannot contain '|' or '=>': they separate a question's parts")));
    }
    if text.trim().is_empty() {
        return Err(invalid(format!("{what} is empty")));
    }
    Ok(())
}

/// `text` as comment lines starting with `prefix`, wrapped at [`WIDTH`] between words (only
/// at a single space, so that reading the lines back and joining them with spaces gives `text`).
fn wrapped(out: &mut String, prefix: &str, text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        let room = WIDTH.saturating_sub(prefix.len() + 1);
        let cut = if rest.len() <= room {
            None
        } else {
            let bytes = rest.as_bytes();
            let fits = |i: usize| {
                bytes[i] == b' '
                    && i > 0
                    && bytes[i - 1] != b' '
                    && bytes.get(i + 1).is_some_and(|&b| b != b' ')
            };
            // The last break that fits, or else the first one at all (a long word stays whole).
            (1..rest.len())
                .rev()
                .filter(|&i| i <= room)
                .find(|&i| fits(i))
                .or_else(|| (1..rest.len()).find(|&i| fits(i)))
        };
        match cut {
            Some(i) => {
                let _ = writeln!(out, "{prefix} {}", &rest[..i]);
                rest = &rest[i + 1..];
            }
            None => {
                let _ = writeln!(out, "{prefix} {rest}");
                rest = "";
            }
        }
    }
}

/// Writes `tour` as a scenario file that [`tour`](super::tour) reads back to an equal tour.
///
/// Refuses what the format cannot hold: steps out of order or at the same moment, a step that
/// says nothing, a title that is not the start of the first narration, line breaks, a
/// question's separators in its text or choices, inputs or steps after the end.
pub fn write_tour(tour: &Tour) -> Result<String, Error> {
    Ok(write_with_lines(tour)?.0)
}

/// [`write_tour`], and for each step the line of the block its question would precede (what a
/// [`Refusal`](super::Refusal) or a check's error names).
pub fn write_with_lines(tour: &Tour) -> Result<(String, Vec<usize>), Error> {
    check(tour)?;
    let mut out = String::new();
    for line in config_lines(&tour.spec).lines() {
        command(&mut out, line);
    }
    let mut now: Micros = 0;
    let mut inputs = tour.spec.inputs.iter().peekable();
    let mut lines = Vec::with_capacity(tour.steps.len());
    let run_to = |out: &mut String, now: &mut Micros, t: Micros| {
        if t > *now {
            command(out, &format!("run until={t}us"));
            *now = t;
        }
    };
    let first_text = tour.steps.iter().position(|s| !s.text.is_empty());
    for (k, step) in tour.steps.iter().enumerate() {
        while let Some(i) = inputs.next_if(|i| i.at < step.at) {
            run_to(&mut out, &mut now, i.at);
            command(&mut out, &input_line(&i.input));
        }
        run_to(&mut out, &mut now, step.at);
        if Some(k) == first_text {
            // The title is the first narration line; the rest of the step follows it.
            let _ = writeln!(out, "# {}", tour.title);
            wrapped(&mut out, "#", step.text[tour.title.len()..].trim_start_matches(' '));
        } else {
            wrapped(&mut out, "#", &step.text);
        }
        wrapped(&mut out, "#%", &step.notes);
        if let Some(q) = &step.question {
            let _ = writeln!(out, "#? {} | {} => {}", q.text, q.choices.join(" | "), q.check);
            wrapped(&mut out, "#!", &q.explanation);
        }
        // The narration needs a block: the first input of this moment (so that a question sees
        // it happen), or else a run to whatever happens next.
        lines.push(out.lines().count() + 1);
        if let Some(i) = inputs.next_if(|i| i.at == step.at) {
            command(&mut out, &input_line(&i.input));
        } else {
            let next_input = inputs.peek().map(|i| i.at);
            let next_step = tour.steps.get(k + 1).map(|s| s.at);
            let next =
                [next_input, next_step, Some(tour.end)].into_iter().flatten().min().unwrap_or(tour.end);
            command(&mut out, &format!("run until={next}us"));
            now = next;
        }
    }
    for i in inputs {
        run_to(&mut out, &mut now, i.at);
        command(&mut out, &input_line(&i.input));
    }
    run_to(&mut out, &mut now, tour.end);
    Ok((out, lines))
}

/// Appends a command as a block of its own: a blank line after it, since the output
/// [`run_script`](super::run_script) fills in after a command runs until the next blank line.
fn command(out: &mut String, line: &str) {
    let _ = writeln!(out, "{line}");
    out.push('\n');
}

/// What [`write_tour`] refuses in one step.
fn check_step(tour: &Tour, step: &TourStep) -> Result<(), Error> {
    if step.at > tour.end {
        return Err(invalid("it comes after the end"));
    }
    one_line("the narration", &step.text)?;
    one_line("the speaker notes", &step.notes)?;
    if step.text.is_empty() && step.notes.is_empty() && step.question.is_none() {
        return Err(invalid("it says nothing: give it narration, notes or a question"));
    }
    for (what, text) in [("the narration", &step.text), ("the speaker notes", &step.notes)] {
        if text.trim() != text.as_str() {
            return Err(invalid(format!("{what} starts or ends with spaces")));
        }
    }
    if let Some(q) = &step.question {
        no_separators("the question", &q.text)?;
        no_separators("the question's check", &q.check)?;
        one_line("the explanation", &q.explanation)?;
        if q.choices.len() < 3 {
            return Err(invalid(
                "a question needs at least three choices (a plausible wrong answer teaches most)",
            ));
        }
        for c in &q.choices {
            no_separators("a choice", c)?;
        }
    }
    Ok(())
}

/// What [`write_tour`] refuses.
fn check(tour: &Tour) -> Result<(), Error> {
    one_line("the title", &tour.title)?;
    if tour.title.trim().is_empty() || tour.title.trim() != tour.title {
        return Err(invalid("a tour needs a title, without spaces around it"));
    }
    let Some(first) = tour.steps.iter().find(|s| !s.text.is_empty()) else {
        return Err(invalid("a tour needs narration: its first line is the title"));
    };
    let after = first.text.strip_prefix(tour.title.as_str());
    if !after.is_some_and(|rest| rest.is_empty() || rest.starts_with(' ')) {
        return Err(invalid("the title must be the start of the first narration"));
    }
    let mut last: Option<Micros> = None;
    for (k, step) in tour.steps.iter().enumerate() {
        // Errors name the step, as the page's recorder lists them.
        let at_step = |e: Error| match e {
            Error::Invalid { reason, .. } => {
                invalid(format!("step {} (at {}): {reason}", k + 1, fmt_time(step.at)))
            }
            e => e,
        };
        if last.is_some_and(|t| t >= step.at) {
            return Err(at_step(invalid("two steps at the same moment, or steps out of order")));
        }
        last = Some(step.at);
        check_step(tour, step).map_err(at_step)?;
    }
    if tour.spec.inputs.last().is_some_and(|i| i.at > tour.end) {
        return Err(invalid("an input comes after the end"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::scenario::{run_script, tour as read_tour};

    const TOUR: &str = "# A title\n# and more words.\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\n\n\
        # The leader crashes.\n#% Ask the room.\ncrash leader\n\n\
        #? Who leads next? | n1 | n2 | n3 | none => leader\n#! The first to time out.\nrun for=600ms\n";

    #[test]
    fn a_tour_is_written_back_to_a_file_that_reads_as_the_same_tour() {
        let t = read_tour(TOUR).unwrap();
        let text = write_tour(&t).unwrap();
        assert_eq!(read_tour(&text).unwrap(), t, "{text}");
        // Written again, the text is the same (a fixed point).
        assert_eq!(write_tour(&read_tour(&text).unwrap()).unwrap(), text);
        assert!(text.starts_with("config algo=raft nodes=5 seed=1 "), "{text}");
        assert!(text.contains("\n# A title\n# and more words.\n"), "{text}");
        assert!(
            text.contains("#? Who leads next? | n1 | n2 | n3 | none => leader\n#! The first to time out.\n")
        );
    }

    #[test]
    fn the_written_file_is_a_golden_scenario_once_its_output_is_filled_in() {
        let text = write_tour(&read_tour(TOUR).unwrap()).unwrap();
        let (golden, _) = run_script(&text);
        assert!(golden.contains("----"), "{golden}");
        assert!(!golden.contains("error:"), "{golden}");
        assert_eq!(run_script(&golden).0, golden);
        assert_eq!(read_tour(&golden).unwrap(), read_tour(&text).unwrap());
    }

    #[test]
    fn long_narration_is_wrapped_between_words_and_reads_back_whole() {
        let mut t = read_tour(TOUR).unwrap();
        let long = "word ".repeat(60) + "end, and a-very-long-token-" + &"x".repeat(120) + " done.";
        t.steps[1].text = long.clone();
        let text = write_tour(&t).unwrap();
        assert!(text.lines().filter(|l| l.starts_with("# word")).all(|l| l.len() <= WIDTH), "{text}");
        assert_eq!(read_tour(&text).unwrap().steps[1].text, long);
    }

    #[test]
    fn what_the_format_cannot_hold_is_refused_with_a_reason() {
        let t = read_tour(TOUR).unwrap();
        let refuse = |f: &dyn Fn(&mut Tour), why: &str| {
            let mut bad = t.clone();
            f(&mut bad);
            let e = write_tour(&bad).unwrap_err().to_string();
            assert!(e.contains(why), "{e} (wanted: {why})");
        };
        refuse(&|t| t.title = String::new(), "needs a title");
        refuse(&|t| t.title = "Another".into(), "start of the first narration");
        refuse(&|t| t.steps[1].text = "two\nlines".into(), "without line breaks");
        refuse(&|t| t.steps[1].at = 0, "same moment");
        refuse(&|t| t.end = 1, "step 2 (at 400ms): it comes after the end");
        refuse(&|t| t.steps[1].question.as_mut().unwrap().text = "a | b".into(), "cannot contain '|'");
        refuse(&|t| t.steps[1].question.as_mut().unwrap().choices.truncate(2), "three choices");
        refuse(&|t| t.steps[1].question.as_mut().unwrap().choices[0] = "x => y".into(), "'=>'");
        refuse(
            &|t| {
                t.steps[1].text.clear();
                t.steps[1].notes.clear();
                t.steps[1].question = None;
            },
            "step 2 (at 400ms): it says nothing",
        );
    }
}
