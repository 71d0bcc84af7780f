//! A scenario as a guided tour: narration bound to moments, and prediction questions that
//! the simulation answers.

use super::command::{NodeArg, err, parse_node};
use super::runner::Quiet;
use super::script::parse_script;
use crate::engine::error::Error;
use crate::engine::limits::{MAX_SESSION_BYTES, check_size};
use crate::engine::time::{Micros, fmt_time};
use crate::engine::view::Liveness;
use crate::lab::spec::{AnySession, SessionSpec};

/// A scenario turned into a guided tour: the session it builds (settings, seed and every
/// timed action, with `leader` resolved) and its narration, bound to the times at which each
/// block starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tour {
    /// First narration line.
    pub title: String,
    /// The session to replay.
    pub spec: SessionSpec,
    /// Narration steps in time order.
    pub steps: Vec<TourStep>,
    /// When the script ends.
    pub end: Micros,
}

/// One narration step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TourStep {
    /// When it applies (the start of its block).
    pub at: Micros,
    /// The narration text.
    pub text: String,
    /// A prediction question asked at this step, answered by what happens until the next step.
    pub question: Option<Question>,
    /// Speaker notes (`#%` lines): for the teacher in presenter mode, never shown to students.
    pub notes: String,
}

/// An interview-practice question: `#? Which node leads next? | n1 | n2 | n3 => leader`.
///
/// Checks, evaluated when the question's step is over: after the block the question precedes
/// and every block up to the next narration, question or note (see `tests/README.md`):
/// `leader` (the stable leader `nX`, or `none`), `violation` (`yes` if the step produced an
/// invariant violation, else `no`), `role nX` (that node's role, e.g. `follower`),
/// `committed VALUE` (`yes` if some node has committed an entry `VALUE` or `x=VALUE`),
/// `rejected` (the client `nX` whose write the storage rejected during the step, or `none`),
/// `gap` (how long after the step started a node became leader: the choice whose range,
/// written `< 200 ms`, `200-400 ms` or `> 400 ms`, contains it; `never` if none did),
/// `cell COLUMN ROW` (a cell of the algorithm's table, e.g. `cell leader p0` for Kafka).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The question.
    pub text: String,
    /// The choices offered.
    pub choices: Vec<String>,
    /// The choice that matches what the simulation did.
    pub answer: String,
    /// Why (from `#!` lines under the question), shown once the user has answered.
    pub explanation: String,
    /// What the simulation measured, in words (e.g. "n3 became leader 212 ms later").
    pub measured: String,
    /// The check that answers it, as written after `=>` (e.g. `leader`, `role n3`): kept so
    /// that a tour is written back as it was read ([`write_tour`](super::write_tour)).
    pub check: String,
}

/// A question whose answer, as the simulation found it, is not among its choices: what
/// [`tour`] refuses and [`tour_lenient`] reports, so that the page's tour recorder can show the
/// author the true answer next to the question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The step (index into [`Tour::steps`]) whose question it is.
    pub step: usize,
    /// The scenario line of the block the question precedes (where its step starts).
    pub line: usize,
    /// What the simulation answers.
    pub answer: String,
}

/// What a check needs to know about the moment before its block ran.
struct Before {
    t: Micros,
    trace_len: usize,
    violations: usize,
    rejected: usize,
}

impl Before {
    fn of(s: &AnySession) -> Before {
        Before {
            t: s.now(),
            trace_len: s.trace().len(),
            violations: s.violations(),
            rejected: rejected_writes(s).len(),
        }
    }
}

/// Clients whose writes the algorithm's panel lists as rejected, oldest first.
fn rejected_writes(s: &AnySession) -> Vec<String> {
    // The panel alone: building the whole view before every block made long tours quadratic.
    let Some(panel) = s.panel() else { return Vec::new() };
    let client = panel.columns.iter().position(|c| c == "client");
    let mut out: Vec<String> = panel
        .rows
        .iter()
        .filter(|r| r.iter().any(|c| c.starts_with("rejected")))
        .filter_map(|r| client.and_then(|i| r.get(i)).cloned())
        .collect();
    // Panels list the newest first.
    out.reverse();
    out
}

/// Parses a duration range choice: `< 200 ms`, `200-400 ms`, `> 400 ms` (milliseconds).
fn parse_ms_range(choice: &str) -> Option<(u64, u64)> {
    let c = choice.trim().strip_suffix("ms")?.trim();
    if let Some(n) = c.strip_prefix('<') {
        return Some((0, n.trim().parse().ok()?));
    }
    if let Some(n) = c.strip_prefix('>') {
        return Some((n.trim().parse().ok()?, u64::MAX));
    }
    let (a, b) = c.split_once('-')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

fn parse_question(line: usize, q: &str) -> Result<(String, Vec<String>, String), Error> {
    let (body, check) = q.split_once("=>").ok_or_else(|| err(line, "a question needs '=> check'"))?;
    let mut parts = body.split('|').map(str::trim);
    let text = parts.next().unwrap_or_default().to_string();
    let choices: Vec<String> = parts.filter(|c| !c.is_empty()).map(String::from).collect();
    if text.is_empty() || choices.len() < 3 {
        return Err(err(
            line,
            "a question needs a text and at least three choices separated by | (a plausible wrong answer teaches most)",
        ));
    }
    Ok((text, choices, check.trim().to_string()))
}

/// Evaluates a check after its block: (the answer, what was measured in words).
fn evaluate_check(
    line: usize,
    check: &str,
    choices: &[String],
    session: &AnySession,
    before: &Before,
) -> Result<(String, String), Error> {
    let words: Vec<&str> = check.split_whitespace().collect();
    let plain = |a: String| Ok((a, String::new()));
    match words.as_slice() {
        ["leader"] => plain(session.stable_leader().map_or("none".to_string(), |l| format!("n{l}"))),
        ["violation"] => {
            plain(if session.violations() > before.violations { "yes" } else { "no" }.to_string())
        }
        ["committed", value] => {
            let v = session.view();
            let hit = v.nodes.iter().any(|n| {
                n.log.iter().any(|e| {
                    e.index <= n.commit
                        && (e.label == *value || e.label.split_once('=').is_some_and(|(_, x)| x == *value))
                })
            });
            plain(if hit { "yes" } else { "no" }.to_string())
        }
        ["cell", column, row] => {
            let panel = session.view().panel.ok_or_else(|| err(line, "this algorithm has no table"))?;
            let col = panel.columns.iter().position(|c| c == column).ok_or_else(|| {
                err(line, format!("no column '{column}' (columns: {})", panel.columns.join(", ")))
            })?;
            let cell = panel
                .rows
                .iter()
                .find(|r| r.first().is_some_and(|c| c == row))
                .and_then(|r| r.get(col))
                .ok_or_else(|| err(line, format!("no row '{row}' in the table")))?;
            plain(cell.clone())
        }
        ["rejected"] => {
            let all = rejected_writes(session);
            plain(all.get(before.rejected).cloned().unwrap_or_else(|| "none".to_string()))
        }
        ["gap"] => {
            let trace = session.trace();
            let first =
                trace.get(before.trace_len..).unwrap_or_default().iter().find_map(|e| match &e.kind {
                    crate::engine::trace::TraceKind::Role { node, to, .. } if to.is_leader() => {
                        Some((*node, e.t))
                    }
                    _ => None,
                });
            let Some((node, t)) = first else {
                return Ok(("never".to_string(), "no node became leader".into()));
            };
            let gap = t.saturating_sub(before.t);
            let ms = gap / 1_000;
            let answer = choices
                .iter()
                .find(|c| parse_ms_range(c).is_some_and(|(lo, hi)| lo <= ms && ms < hi))
                .cloned()
                .ok_or_else(|| err(line, format!("gap choices need ranges like '< 200 ms', '200-400 ms', '> 400 ms'; measured {ms} ms")))?;
            Ok((answer, format!("n{node} became leader {} after this step began", fmt_time(gap))))
        }
        ["role", node] => {
            let NodeArg::Id(id) = parse_node(line, node)? else {
                return Err(err(line, "role needs a fixed node"));
            };
            let v = session.view();
            let n = v
                .nodes
                .get(usize::from(id).wrapping_sub(1))
                .ok_or_else(|| err(line, format!("no node {node}")))?;
            plain(if n.liveness == Liveness::Down { "down".to_string() } else { n.role.to_string() })
        }
        _ => Err(err(
            line,
            format!(
                "unknown check '{check}' (leader, violation, role nX, committed VALUE, rejected, gap, cell COLUMN ROW)"
            ),
        )),
    }
}

/// Runs a scenario script and turns it into a [`Tour`]. Errors name the failing line; a
/// question whose answer is not among its choices is one.
pub fn tour(text: &str) -> Result<Tour, Error> {
    let (tour, refused) = build(text)?;
    match refused.first() {
        Some(r) => Err(err(
            r.line,
            format!(
                "the question's answer is now '{}', which is not among its choices: the story changed",
                r.answer
            ),
        )),
        None => Ok(tour),
    }
}

/// Whether a preamble line makes its block a step: narration, a question or a speaker note
/// (an explanation belongs to its question's step).
fn starts_step(line: &str) -> bool {
    if line.starts_with("#?") {
        return true;
    }
    if line.starts_with("#!") {
        return false;
    }
    let rest = line.strip_prefix("#%").or_else(|| line.strip_prefix('#'));
    rest.is_some_and(|r| !r.trim().is_empty())
}

/// A question asked, waiting for the end of its step to be answered.
struct Pending {
    line: usize,
    step: usize,
    text: String,
    choices: Vec<String>,
    check: String,
    explanation: String,
    before: Before,
}

impl Pending {
    /// Answers the question from what the session did since it was asked, and puts it on its
    /// step; an answer outside the choices is recorded as a [`Refusal`].
    fn answer(self, runner: &Quiet, steps: &mut [TourStep], refused: &mut Vec<Refusal>) -> Result<(), Error> {
        let Pending { line, step, text, choices, check, explanation, before } = self;
        let session = runner.session().ok_or_else(|| err(line, "a question needs a config first"))?;
        let (answer, measured) = evaluate_check(line, &check, &choices, session, &before)?;
        if !choices.contains(&answer) {
            refused.push(Refusal { step, line, answer: answer.clone() });
        }
        if let Some(s) = steps.get_mut(step) {
            s.question = Some(Question { text, choices, answer, explanation, measured, check });
        }
        Ok(())
    }
}

/// Like [`tour`], but a question whose answer is not among its choices is kept, answered by the
/// simulation, and reported: what a tour being written needs to show its author.
pub fn tour_lenient(text: &str) -> Result<(Tour, Vec<Refusal>), Error> {
    build(text)
}

fn build(text: &str) -> Result<(Tour, Vec<Refusal>), Error> {
    // A tour comes from a link, a file or the page's recorder: untrusted, so bounded like a
    // session (its run is bounded by the runner's budget).
    check_size("a tour", text.len(), MAX_SESSION_BYTES)?;
    let mut refused = Vec::new();
    let script = parse_script(text);
    // Nothing is printed: the trace is formatted only by a check that reads it.
    let mut runner = Quiet::default();
    let mut steps: Vec<TourStep> = Vec::new();
    let mut title = String::new();
    // The question asked last, answered once its step is over.
    let mut pending: Option<Pending> = None;
    // The end of the script (`None`) ends the last question's step like a new step does.
    for b in script.blocks.iter().map(Some).chain([None]) {
        let new_step = b.is_none_or(|b| b.preamble.iter().any(|l| starts_step(l)));
        // A new step begins: the question before it has seen all it asks about.
        if new_step && let Some(p) = pending.take() {
            p.answer(&runner, &mut steps, &mut refused)?;
        }
        let Some(b) = b else { break };
        let narration: Vec<&str> = b
            .preamble
            .iter()
            .filter(|l| !l.starts_with("#?") && !l.starts_with("#!") && !l.starts_with("#%"))
            .filter_map(|l| l.strip_prefix('#'))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let question = b
            .preamble
            .iter()
            .find_map(|l| l.strip_prefix("#?"))
            .map(|q| parse_question(b.line, q))
            .transpose()?;
        let notes: Vec<&str> =
            b.preamble.iter().filter_map(|l| l.strip_prefix("#%")).map(str::trim).collect();
        let notes = notes.join(" ");
        let at = runner.session().map_or(0, AnySession::now);
        if title.is_empty()
            && let Some(first) = narration.first()
        {
            title = first.to_string();
        }
        if !narration.is_empty() || question.is_some() || !notes.is_empty() {
            let text = narration.join(" ");
            match steps.last_mut() {
                // The page shows one step per moment: narration at the same time is merged, and
                // two questions at one moment cannot both be asked.
                Some(last) if last.at == at => {
                    if question.is_some() && last.question.is_some() {
                        return Err(err(
                            b.line,
                            "two questions at the same moment: put a 'run' between them",
                        ));
                    }
                    for (all, more) in [(&mut last.text, &text), (&mut last.notes, &notes)] {
                        if !more.is_empty() {
                            if !all.is_empty() {
                                all.push(' ');
                            }
                            all.push_str(more);
                        }
                    }
                }
                _ => steps.push(TourStep { at, text, question: None, notes }),
            }
        }
        let explanation: Vec<&str> =
            b.preamble.iter().filter_map(|l| l.strip_prefix("#!")).map(str::trim).collect();
        if !explanation.is_empty() && question.is_none() {
            return Err(err(b.line, "'#!' explains a question: put it under a '#?' line"));
        }
        if let Some((text, choices, check)) = question {
            let before = runner
                .session()
                .map(Before::of)
                .ok_or_else(|| err(b.line, "a question needs a config first"))?;
            let explanation = explanation.join(" ");
            let step = steps.len().saturating_sub(1);
            pending = Some(Pending { line: b.line, step, text, choices, check, explanation, before });
        }
        runner.exec(b.line, &b.command)?;
    }
    let session = runner.session().ok_or_else(|| err(1, "the scenario has no config line"))?;
    Ok((Tour { title, spec: session.spec(), steps, end: session.now() }, refused))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::input::{Input, TimedInput};
    use crate::engine::time::ms;
    use crate::lab::scenario::run_script;

    #[test]
    fn a_tour_replays_its_scenario_and_binds_narration_to_times() {
        let text = "# Title here\n# more\nconfig algo=raft nodes=5 seed=1\n\nrun for=400ms\n\n# Now crash it.\ncrash leader\n\nrun for=500ms\n";
        let t = tour(text).unwrap();
        assert_eq!(t.title, "Title here");
        assert_eq!(
            t.steps[0],
            TourStep { at: 0, text: "Title here more".into(), question: None, notes: String::new() }
        );
        assert_eq!(t.steps[1].at, ms(400));
        assert_eq!(t.end, ms(900));
        // `crash leader` was resolved to a fixed node at 400 ms.
        assert!(matches!(t.spec.inputs.as_slice(), [TimedInput { at: 400_000, input: Input::Crash { .. } }]));
        // Replaying the spec gives the same trace as running the script.
        let (_, runner) = run_script(text);
        let mut replay = AnySession::new(t.spec.clone()).unwrap();
        replay.advance_to(t.end);
        assert_eq!(replay.trace_hash(), runner.session().unwrap().trace_hash());
    }

    #[test]
    fn speaker_notes_belong_to_their_step_and_never_to_the_narration() {
        let text = "# Title\n#% Ask the room first.\nconfig algo=raft nodes=3 seed=1\nrun for=100ms\n\n# Crash it.\n#% Point at n1.\n#% Then wait.\ncrash n1\n";
        let t = tour(text).unwrap();
        assert_eq!(t.steps[0].text, "Title");
        assert_eq!(t.steps[0].notes, "Ask the room first.");
        assert_eq!(t.steps[1].text, "Crash it.");
        assert_eq!(t.steps[1].notes, "Point at n1. Then wait.");
    }

    #[test]
    fn questions_are_answered_by_the_simulation() {
        let text = "# t\nconfig algo=raft nodes=5 seed=1\n\n#? Who leads? | n1 | n5 | none => leader\nrun for=400ms\n";
        let t = tour(text).unwrap();
        let q = t.steps.iter().find_map(|s| s.question.clone()).unwrap();
        assert_eq!(q.answer, "n5");
        let wrong =
            "# t\nconfig algo=raft nodes=5 seed=1\n\n#? Who leads? | n1 | n2 | n3 => leader\nrun for=400ms\n";
        let e = tour(wrong).unwrap_err().to_string();
        assert!(e.contains("answer is now 'n5'"), "{e}");
    }

    fn question(text: &str) -> Question {
        tour(text).unwrap().steps.iter().find_map(|s| s.question.clone()).unwrap()
    }

    #[test]
    fn gap_measures_the_time_to_the_next_leader_and_explanations_are_kept() {
        // leader-crash.txt: n5 crashed at 400 ms, n2 became leader at 617.293 ms.
        let q = question(
            "# t\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\ncrash leader\n\n#? How long? | < 100 ms | 100-300 ms | > 300 ms => gap\n#! Timeouts.\nrun for=600ms\n",
        );
        assert_eq!(q.answer, "100-300 ms");
        assert_eq!(q.explanation, "Timeouts.");
        assert_eq!(q.measured, "n2 became leader 217.293ms after this step began");
        let none = question(
            "# t\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\n#? How long? | < 1 ms | > 1 ms | never => gap\nrun for=100ms\n",
        );
        assert_eq!(none.answer, "never");
        let bad = tour(
            "# t\nconfig algo=raft nodes=5 seed=1\n#? How long? | soon | late | never => gap\nrun for=400ms\n",
        );
        assert!(bad.unwrap_err().to_string().contains("ranges like"));
        let twice = tour(
            "# t\nconfig algo=raft nodes=5 seed=1\n#? A? | n5 | n1 | none => leader\nrun for=400ms\n#? B? | yes | no | maybe => violation\ncrash n5\n#? C? | yes | no | maybe => violation\nrun for=1ms\n",
        );
        assert!(twice.unwrap_err().to_string().contains("line 8: two questions at the same moment"));
        let two = tour("# t\nconfig algo=raft nodes=5 seed=1\n#? A? | n5 | none => leader\nrun for=400ms\n");
        assert!(two.unwrap_err().to_string().contains("at least three choices"));
        let stray = tour("# t\nconfig algo=raft nodes=5 seed=1\n#! Why.\nrun for=400ms\n");
        assert!(stray.unwrap_err().to_string().contains("under a '#?' line"));
    }

    #[test]
    fn a_question_is_answered_by_its_whole_step_and_lenient_reading_keeps_a_wrong_one() {
        // The leader crashes in a block without narration after the question: still its step.
        let text = "# t\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\n#? Who leads at 1 s? | n1 | n2 | n5 => leader\nrun for=1ms\ncrash leader\nrun until=1s\n\n# Later.\nrun for=1ms\n";
        assert_eq!(question(text).answer, "n2");
        let wrong = text.replace("| n2 |", "| n3 |");
        assert!(tour(&wrong).unwrap_err().to_string().contains("line 5: the question's answer is now 'n2'"));
        let (t, refused) = tour_lenient(&wrong).unwrap();
        assert_eq!(refused, [Refusal { step: 1, line: 5, answer: "n2".into() }]);
        assert_eq!(t.steps[1].question.as_ref().map(|q| q.answer.as_str()), Some("n2"));
        assert_eq!(t.steps[1].question.as_ref().map(|q| q.check.as_str()), Some("leader"));
    }

    #[test]
    fn a_tour_larger_than_a_session_is_refused_before_it_is_read() {
        let huge = "# x\n".repeat(MAX_SESSION_BYTES / 4 + 1);
        let e = tour(&huge).unwrap_err().to_string();
        assert!(e.starts_with("a tour"), "{e}");
    }

    #[test]
    fn committed_checks_the_logs() {
        let t = "# t\nconfig algo=raft nodes=5 seed=1\nrun for=400ms\n#? Commits? | yes | no | maybe => committed 5\nwrite leader 5\nrun for=1ms\n#? Now? | yes | no | maybe => committed 5\nrun for=200ms\n";
        let qs: Vec<Question> = tour(t).unwrap().steps.into_iter().filter_map(|s| s.question).collect();
        assert_eq!(qs.iter().map(|q| q.answer.as_str()).collect::<Vec<_>>(), ["no", "yes"]);
    }

    #[test]
    fn rejected_names_the_fenced_client() {
        // fencing-33-34.txt: n3's write with token 33 arrives after n4's with 34.
        let q = question(
            "# t\nconfig algo=lease nodes=4 seed=1 first-token=33\nrun until=610ms\npause n3 for=1000ms\n#? Which? | n3 | n4 | none => rejected\nrun for=1400ms\n",
        );
        assert_eq!(q.answer, "n3");
    }

    #[test]
    fn run_until_new_leader_stops_when_a_majority_follows_another_node() {
        let (out, runner) = run_script(
            "config algo=raft nodes=5 seed=1\nrun for=400ms\ncrash leader\nrun until=new-leader max=2s\n",
        );
        let s = runner.session().unwrap();
        assert_eq!(s.stable_leader(), Some(2), "{out}");
        // n2 won at 617.293 ms; the third of five servers to follow it did so at 631.665 ms.
        assert_eq!(s.now(), 631_665);
        let (out, _) =
            run_script("config algo=raft nodes=5 seed=1\nrun for=400ms\nrun until=new-leader max=50ms\n");
        assert!(out.contains("error: line 3: no new leader within 50ms"), "{out}");
    }
}
