//! The interview drill: prediction questions drawn from every scenario file, one at a time,
//! each timed, with a score per topic (Raft, ZooKeeper, Paxos, Bully, Kafka, locks and leases)
//! kept in the browser until reset. After each answer it gives the explanation and offers to
//! replay the moment in the lab (the file as a share link at the question's time, opened
//! through the page's hidden `#lab-open` button, as the search's counterexamples are).
//!
//! Questions and their answers come from the scenario files as the page's tours read them
//! (`election_core::scenario::tour`: the simulation answers each question), fetched when the
//! drill starts. The order is shuffled for each drill; nothing here decides anything in a
//! simulation.

use election_core::{Algorithm, Micros};
use yew::prelude::*;

use crate::browser;

/// Where the per-topic scores live (`topic<TAB>right<TAB>answered<TAB>milliseconds` lines).
const SCORES_KEY: &str = "leader-election-lab/drill";

/// One question of the drill.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillQuestion {
    /// The scenario file (under `tests/scenarios/`).
    pub path: &'static str,
    /// Its title.
    pub title: String,
    /// The topic it counts for.
    pub topic: &'static str,
    /// The narration shown with it.
    pub context: String,
    /// The question, its choices, the answer and why.
    pub text: String,
    pub choices: Vec<String>,
    pub answer: String,
    pub explanation: String,
    /// When in the scenario it is asked.
    pub at: Micros,
}

/// The topic a scenario of `algorithm` counts for.
pub fn topic(algorithm: Algorithm) -> &'static str {
    match algorithm.id() {
        "raft" => "Raft",
        "zab" => "ZooKeeper",
        "paxos" => "Paxos",
        "bully" => "Bully",
        "kafka" | "kraft" => "Kafka",
        _ => "Locks and leases",
    }
}

/// A topic's score: right answers, answers, and the time they took in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TopicScore {
    pub right: u32,
    pub answered: u32,
    pub millis: u64,
}

/// Reads the stored scores (lines that do not parse are skipped).
pub fn parse_scores(text: &str) -> Vec<(String, TopicScore)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let topic = f.next()?.to_string();
            let right = f.next()?.parse().ok()?;
            let answered: u32 = f.next()?.parse().ok()?;
            let millis = f.next()?.parse().ok()?;
            Some((topic, TopicScore { right: u32::min(right, answered), answered, millis }))
        })
        .collect()
}

/// Writes the scores back.
pub fn format_scores(scores: &[(String, TopicScore)]) -> String {
    scores.iter().map(|(t, s)| format!("{t}\t{}\t{}\t{}\n", s.right, s.answered, s.millis)).collect()
}

/// Adds one answer to `topic`'s score.
pub fn record(scores: &mut Vec<(String, TopicScore)>, topic: &str, right: bool, millis: u64) {
    let i = match scores.iter().position(|(t, _)| t == topic) {
        Some(i) => i,
        None => {
            scores.push((topic.to_string(), TopicScore::default()));
            scores.len() - 1
        }
    };
    let s = &mut scores[i].1;
    s.answered += 1;
    s.right += u32::from(right);
    s.millis += millis;
}

/// Every question of a scenario file's text.
pub fn questions_of(path: &'static str, text: &str) -> Result<Vec<DrillQuestion>, String> {
    let t = election_core::scenario::tour(text).map_err(|e| format!("{path}: {e}"))?;
    let topic = topic(t.spec.algorithm());
    Ok(t.steps
        .iter()
        .filter_map(|s| {
            let q = s.question.as_ref()?;
            Some(DrillQuestion {
                path,
                title: t.title.clone(),
                topic,
                context: s.text.clone(),
                text: q.text.clone(),
                choices: q.choices.clone(),
                answer: q.answer.clone(),
                explanation: q.explanation.clone(),
                at: s.at,
            })
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    Loading,
    Failed(String),
    /// The questions, in drill order, the one shown, when it was shown, and the answer given
    /// (choice, milliseconds) once given.
    Asking {
        questions: std::rc::Rc<Vec<DrillQuestion>>,
        index: usize,
        shown_at: f64,
        answer: Option<(String, u64)>,
    },
}

/// Shuffles `v` (Fisher-Yates) with a seed from the browser: a drill's order, not a protocol
/// decision.
fn shuffle<T>(v: &mut [T]) {
    let mut bytes = [0u8; 8];
    let mut x = if getrandom::fill(&mut bytes).is_ok() {
        u64::from_le_bytes(bytes) | 1
    } else {
        0x9e37_79b9_7f4a_7c15
    };
    for i in (1..v.len()).rev() {
        // xorshift64
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

/// The interview drill panel.
#[component]
pub fn Drill() -> Html {
    let stage = use_state(|| Stage::Idle);
    let scores = use_state(|| parse_scores(&browser::stored(SCORES_KEY).unwrap_or_default()));

    let start = {
        let stage = stage.clone();
        Callback::from(move |_: MouseEvent| {
            stage.set(Stage::Loading);
            let stage = stage.clone();
            yew::platform::spawn_local(async move {
                let mut all = Vec::new();
                for (path, _, _) in crate::scenarios::TOURS {
                    let text = match browser::fetch_text(&format!("scenarios/{path}")).await {
                        Ok(t) => t,
                        Err(e) => {
                            return stage.set(Stage::Failed(format!("{path} could not be fetched: {e}")));
                        }
                    };
                    // Only files that ask something are simulated.
                    if !text.lines().any(|l| l.starts_with("#?")) {
                        continue;
                    }
                    match questions_of(path, &text) {
                        Ok(q) => all.extend(q),
                        Err(e) => return stage.set(Stage::Failed(e)),
                    }
                }
                shuffle(&mut all);
                stage.set(Stage::Asking {
                    questions: std::rc::Rc::new(all),
                    index: 0,
                    shown_at: browser::now_ms(),
                    answer: None,
                });
            });
        })
    };
    let reset = {
        let scores = scores.clone();
        Callback::from(move |_: MouseEvent| {
            browser::store(SCORES_KEY, "");
            scores.set(Vec::new());
        })
    };

    let table = html! {
        <table class="drill-scores" data-testid="drill-scores">
            <thead><tr><th scope="col">{"topic"}</th><th scope="col">{"right"}</th><th scope="col">{"mean time"}</th></tr></thead>
            <tbody>
            { for scores.iter().map(|(t, s)| html! {
                <tr data-topic={t.clone()}>
                    <td>{t.clone()}</td>
                    <td>{format!("{} of {}", s.right, s.answered)}</td>
                    <td>{format!("{:.1} s", s.millis as f64 / 1000.0 / f64::from(s.answered.max(1)))}</td>
                </tr>
            }) }
            </tbody>
        </table>
    };

    let body = match &*stage {
        Stage::Idle => html! {
            <button onclick={start} data-testid="drill-start">{"Start the drill"}</button>
        },
        Stage::Loading => html! { <p role="status">{"Reading every scenario's questions…"}</p> },
        Stage::Failed(e) => html! {
            <>
                <p class="banner error" role="alert">{format!("The drill could not start: {e}")}</p>
                <button onclick={start} data-testid="drill-start">{"Try again"}</button>
            </>
        },
        Stage::Asking { questions, index, .. } if *index >= questions.len() => html! {
            <>
                <p data-testid="drill-done">{format!("That was every question ({}).", questions.len())}</p>
                <button onclick={start} data-testid="drill-start">{"Again, in a new order"}</button>
            </>
        },
        Stage::Asking { questions, index, shown_at, answer } => {
            let q = &questions[*index];
            let choose = |choice: String| {
                let (stage, scores, questions, index, shown_at, q) =
                    (stage.clone(), scores.clone(), questions.clone(), *index, *shown_at, q.clone());
                Callback::from(move |_: MouseEvent| {
                    let millis = (browser::now_ms() - shown_at).max(0.0) as u64;
                    let mut all = (*scores).clone();
                    record(&mut all, q.topic, choice == q.answer, millis);
                    browser::store(SCORES_KEY, &format_scores(&all));
                    scores.set(all);
                    stage.set(Stage::Asking {
                        questions: questions.clone(),
                        index,
                        shown_at,
                        answer: Some((choice.clone(), millis)),
                    });
                })
            };
            let next = {
                let (stage, questions, index) = (stage.clone(), questions.clone(), *index);
                Callback::from(move |_: MouseEvent| {
                    stage.set(Stage::Asking {
                        questions: questions.clone(),
                        index: index + 1,
                        shown_at: browser::now_ms(),
                        answer: None,
                    })
                })
            };
            let replay = {
                let q = q.clone();
                Callback::from(move |_: MouseEvent| {
                    let q = q.clone();
                    yew::platform::spawn_local(async move {
                        let Ok(text) = browser::fetch_text(&format!("scenarios/{}", q.path)).await else {
                            return;
                        };
                        let script = String::from(js_sys::encode_uri_component(&text));
                        browser::open_in_lab(&format!("s={script}&t={}", q.at));
                    });
                })
            };
            html! {
                <div class="drill-question" data-testid="drill-question" data-topic={q.topic} data-at={q.at.to_string()} data-path={q.path}>
                    <p class="hint">{format!("Question {} of {} · {} · from \u{201c}{}\u{201d}", index + 1, questions.len(), q.topic, q.title)}</p>
                    if !q.context.is_empty() {
                        <p>{q.context.clone()}</p>
                    }
                    <p><strong>{"Predict: "}</strong>{q.text.clone()}</p>
                    <div class="actions">
                        { for q.choices.iter().map(|c| {
                            let class = match answer {
                                Some(_) if *c == q.answer => "right",
                                Some((a, _)) if a == c => "wrong",
                                _ => "",
                            };
                            html! { <button class={class} disabled={answer.is_some()} onclick={choose(c.clone())} data-choice={c.clone()}>{c.clone()}</button> }
                        }) }
                    </div>
                    if let Some((a, millis)) = answer {
                        <p class="verdict" data-testid="drill-verdict">
                            {format!("{} ({:.1} s). ", if *a == q.answer { "Right" } else { "Not quite" }, *millis as f64 / 1000.0)}
                            {format!("The simulation says {}.", q.answer)}
                        </p>
                        if !q.explanation.is_empty() {
                            <p class="explanation">{q.explanation.clone()}</p>
                        }
                        <div class="actions">
                            <button onclick={replay} data-testid="drill-replay">{"Replay the moment in the lab"}</button>
                            <button onclick={next} data-testid="drill-next">{"Next question"}</button>
                        </div>
                    }
                </div>
            }
        }
    };

    html! {
        <section class="drill" aria-label="Interview drill">
            <h2>{"Interview drill"}</h2>
            <p class="hint">{"Prediction questions from every scenario, in a random order, each timed. Your score per topic stays in this browser."}</p>
            {body}
            if !scores.is_empty() {
                {table}
                <button onclick={reset} data-testid="drill-reset">{"Reset the scores"}</button>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_trip_and_bad_lines_are_skipped() {
        let mut s = Vec::new();
        record(&mut s, "Raft", true, 1500);
        record(&mut s, "Raft", false, 500);
        record(&mut s, "Kafka", true, 2000);
        let text = format_scores(&s);
        assert_eq!(parse_scores(&text), s);
        assert_eq!(s[0].1, TopicScore { right: 1, answered: 2, millis: 2000 });
        let junk = format!("{text}nonsense\nRaft\tx\t1\t2\nZab\t9\t3\t10\n");
        let read = parse_scores(&junk);
        assert_eq!(read.len(), 3);
        assert_eq!(read[2].1.right, 3, "right answers never exceed answers");
    }

    #[test]
    fn every_scenario_question_is_drawn_with_its_topic_and_answer() {
        let (path, text) =
            crate::scenarios::SCENARIOS.iter().find(|(p, _)| *p == "tours/09-raft-split-vote.txt").unwrap();
        let qs = questions_of(path, text).unwrap();
        assert_eq!(qs.len(), 2);
        assert!(qs.iter().all(|q| q.topic == "Raft" && q.choices.contains(&q.answer)));
        assert!(qs[0].at < qs[1].at);
    }

    #[test]
    fn a_shuffle_keeps_every_question() {
        let mut v: Vec<u32> = (0..50).collect();
        shuffle(&mut v);
        v.sort_unstable();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
    }
}
