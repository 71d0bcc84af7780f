//! The guided-scenario panel: the picker of the scenario files, and during a tour its
//! narration, prediction questions and their outcomes. The interview-practice score and the
//! tours played to their end are kept in local storage (no account, no server).

use std::rc::Rc;

use election_core::algorithms::on_demand;
use election_core::{Algorithm, Micros};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;
use crate::state::ActiveTour;

#[derive(Properties, PartialEq)]
pub struct TourPanelProps {
    pub tour: Option<Rc<ActiveTour>>,
    pub now: Micros,
    pub playing: bool,
    pub answers: election_core::collections::Map<usize, String>,
    /// Presenter mode, and whether its speaker notes show.
    pub presenting: bool,
    pub notes: bool,
    pub on_present: Callback<bool>,
    pub on_start: Callback<Option<String>>,
    pub on_play: Callback<MouseEvent>,
    pub on_answer: Callback<(usize, String)>,
}

/// Interview-practice score, kept in localStorage (no account, no server).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Score {
    pub answered: u32,
    pub correct: u32,
}

const SCORE_KEY: &str = "leader-election-lab/score";

fn load_score() -> Score {
    let Some(text) = browser::stored(SCORE_KEY) else {
        return Score::default();
    };
    let mut it = text.split('/').map(|n| n.trim().parse::<u32>().unwrap_or(0));
    let (correct, answered) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    Score { answered, correct: correct.min(answered) }
}

const DONE_KEY: &str = "leader-election-lab/tours-done";

/// Tours played to their end, kept in localStorage (one path per line; unknown paths ignored).
fn load_done() -> Vec<String> {
    let text = browser::stored(DONE_KEY).unwrap_or_default();
    text.lines().filter(|l| crate::scenarios::TOURS.iter().any(|t| t.0 == *l)).map(String::from).collect()
}

fn save_done(done: &[String]) {
    browser::store(DONE_KEY, &done.join("\n"));
}

fn save_score(score: Score) {
    browser::store(SCORE_KEY, &format!("{}/{}", score.correct, score.answered));
}

/// The embedded scenarios grouped for the picker: the guided tours first (interview questions,
/// misconceptions, one per algorithm), then each algorithm's other scenarios.
fn tour_groups() -> Vec<(String, Vec<(&'static str, String)>)> {
    let mut groups: Vec<(String, Vec<(&'static str, String)>)> = Vec::new();
    for (path, title, algo) in crate::scenarios::TOURS {
        // Scenario folders are named by algorithm id (tests/scenarios/<id>/).
        let dir = path.split('/').next().unwrap_or_default();
        let group = if dir == "tours" {
            "Guided tours: interview questions and misconceptions".to_string()
        } else {
            let name =
                dir.parse::<Algorithm>().map(Algorithm::name).ok().or_else(|| on_demand(dir).map(|a| a.name));
            name.map_or_else(|| "Other scenarios".to_string(), |n| format!("More {n} scenarios"))
        };
        // Titles are narration lines: keep the picker readable.
        let mut title = title.to_string();
        if title.chars().count() > 90 {
            title = title.chars().take(88).collect::<String>() + "…";
        }
        if on_demand(algo).is_some() {
            title.push_str(" (loads on demand)");
        }
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push((*path, title)),
            None => groups.push((group, vec![(*path, title)])),
        }
    }
    groups
}

/// The guided-scenario picker and, during a tour, its narration.
#[component]
pub fn TourPanel(p: &TourPanelProps) -> Html {
    let score = use_state(load_score);
    let done = use_state(load_done);
    // Progress: a tour counts as done once played to its end.
    {
        let done = done.clone();
        let finished_path = p.tour.as_ref().filter(|t| p.now >= t.tour.end).map(|t| t.path.clone());
        use_effect_with(finished_path, move |path| {
            // A counterexample opened from the search is a tour of no file (path ""): not
            // counted.
            if let Some(path) = path
                && !done.contains(path)
                && crate::scenarios::TOURS.iter().any(|t| t.0 == path)
            {
                let mut list = (*done).clone();
                list.push(path.clone());
                save_done(&list);
                done.set(list);
            }
        });
    }
    let on_pick = {
        let cb = p.on_start.clone();
        Callback::from(move |e: Event| {
            let v =
                e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value());
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                cb.emit(Some(v));
            }
        })
    };
    let picker = html! {
        <label class="tour-pick">{"Guided scenario: "}
            <select onchange={on_pick} aria-label="Guided scenario" data-testid="tour-picker">
                <option value="" selected={p.tour.as_ref().is_none_or(|t| t.path.is_empty())}>{"(free play)"}</option>
                { for tour_groups().into_iter().map(|(group, tours)| html! {
                    <optgroup label={group}>
                        { for tours.into_iter().map(|(path, title)| {
                            let mark = if done.iter().any(|d| d == path) { "✓ " } else { "" };
                            html! {
                                <option value={path} selected={p.tour.as_ref().is_some_and(|t| t.path == path)}>{format!("{mark}{title}")}</option>
                            }
                        }) }
                    </optgroup>
                }) }
            </select>
        </label>
    };
    let Some(active) = &p.tour else {
        return html! { <section class="tour idle">{picker}</section> };
    };
    let steps = &active.tour.steps;
    let current = steps.iter().rposition(|s| s.at <= p.now).unwrap_or(0);
    let text = steps.get(current).map(|s| s.text.clone()).unwrap_or_default();
    let question = steps.get(current).and_then(|s| s.question.clone());
    let answered = p.answers.get(&current).cloned();
    let waiting_for_answer = question.is_some() && answered.is_none();
    let finished = p.now >= active.tour.end;
    // The outcome of the latest prediction whose block has played (the previous step's, or at
    // the end the last step's).
    let played = if finished { current + 1 } else { current };
    let outcome = played.checked_sub(1).filter(|&i| i != current || finished).and_then(|i| {
        let q = steps.get(i)?.question.as_ref()?;
        let measured = if q.measured.is_empty() { String::new() } else { format!(" ({})", q.measured) };
        // A lecture hall predicts aloud: the presenter's screen gives the answer unasked.
        let Some(said) = p.answers.get(&i) else {
            return p.presenting.then(|| format!("\u{201c}{}\u{201d}: it happened: {}{measured}.", q.text, q.answer));
        };
        let verdict = if *said == q.answer { "right" } else { "not this time" };
        Some(format!("Your prediction \u{201c}{said}\u{201d} for \u{201c}{}\u{201d}: {verdict}; it happened: {}{measured}.", q.text, q.answer))
    });
    let reset_score = {
        let (score, done) = (score.clone(), done.clone());
        Callback::from(move |_: MouseEvent| {
            save_done(&[]);
            done.set(Vec::new());
            save_score(Score::default());
            score.set(Score::default());
        })
    };
    // The handout is made by the on-demand module (extras/handout.rs): name the tour in the
    // address bar, run the module if it is not running, and ask it.
    let print = {
        let path = active.path.clone();
        Callback::from(move |_: MouseEvent| {
            browser::set_fragment(&format!("handout={}", String::from(js_sys::encode_uri_component(&path))));
            yew::platform::spawn_local(async {
                if wasm_bindgen_futures::JsFuture::from(browser::run_module("election-extras.js"))
                    .await
                    .is_ok()
                {
                    browser::click("extras-handout");
                }
            });
        })
    };
    let present = |on: bool| {
        let cb = p.on_present.clone();
        Callback::from(move |_: MouseEvent| cb.emit(on))
    };
    let fullscreen = Callback::from(|_: MouseEvent| browser::fullscreen());
    let exit = {
        let cb = p.on_start.clone();
        Callback::from(move |_: MouseEvent| cb.emit(None))
    };
    html! {
        <section class="tour" aria-label="Guided scenario" aria-live="polite">
            {picker}
            <p class="narration" data-testid="narration">
                <strong>{format!("Step {} of {} · {}: ", current + 1, steps.len(), election_core::fmt_time(steps.get(current).map_or(0, |s| s.at)))}</strong>
                {text}
            </p>
            if let Some(o) = outcome {
                <p class="outcome" data-testid="outcome">{o}</p>
            }
            if let Some(q) = question {
                <div class="question" role="group" aria-label="Prediction question">
                    <p><strong>{"Predict: "}</strong>{q.text.clone()}</p>
                    <div class="actions">
                        { for q.choices.iter().map(|c| {
                            let choice = c.clone();
                            let correct = q.answer.clone();
                            let (cb, score) = (p.on_answer.clone(), score.clone());
                            let onclick = Callback::from(move |_: MouseEvent| {
                                let mut sc = *score;
                                sc.answered += 1;
                                if choice == correct {
                                    sc.correct += 1;
                                }
                                save_score(sc);
                                score.set(sc);
                                cb.emit((current, choice.clone()));
                            });
                            let class = match &answered {
                                Some(a) if *c == q.answer => "right",
                                Some(a) if a == c => "wrong",
                                _ => "",
                            };
                            html! { <button class={class} disabled={answered.is_some()} onclick={onclick} data-choice={c.clone()}>{c.clone()}</button> }
                        }) }
                    </div>
                    if let Some(a) = &answered {
                        <p class="verdict" data-testid="verdict">
                            {if *a == q.answer { format!("Right: {}. Continue to see it happen.", q.answer) } else { format!("Not quite: the simulation says {}. Continue to see why.", q.answer) }}
                        </p>
                        if !q.explanation.is_empty() {
                            <p class="explanation" data-testid="explanation">{q.explanation.clone()}</p>
                        }
                    }
                </div>
            }
            <p class="score" data-testid="score">{format!("Interview practice score: {} of {} right · tours finished: {} of {} ", score.correct, score.answered, done.len(), crate::scenarios::TOURS.len())}
                <button onclick={reset_score}>{"reset"}</button></p>
            <div class="actions">
                if finished {
                    <span>{"The scenario is over: keep playing freely, rewind, or pick another."}</span>
                } else if waiting_for_answer {
                    <span>{"Predict first, then continue."}</span>
                } else if !p.playing {
                    <button onclick={p.on_play.clone()} data-testid="tour-continue">{"Continue ▸"}</button>
                }
                <button onclick={exit}>{"Leave the scenario"}</button>
                if !active.path.is_empty() {
                    <button onclick={print} data-testid="print-tour" title="One page per step, answers on the last">{"Print this tour"}</button>
                }
                if p.presenting {
                    <button onclick={fullscreen} data-testid="fullscreen" title="Fullscreen: Esc leaves it">{"Fullscreen"}</button>
                    <button onclick={present(false)} data-testid="present-exit">{"Leave presenter mode"}</button>
                } else {
                    <button onclick={present(true)} data-testid="present" title="Large type, settings hidden; PageDown/PageUp step through">{"Present"}</button>
                }
            </div>
            if p.presenting && p.notes {
                <aside class="notes" aria-label="Speaker notes" data-testid="notes">
                    <strong>{"Notes: "}</strong>
                    {steps.get(current).map(|s| s.notes.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| "(none for this step)".into())}
                </aside>
            }
        </section>
    }
}

/// The guided tours' text, as the page shows it (`election_core::scenario::tour` over the
/// shipped files): no narration shown with or before a question gives its answer away, and
/// every step says something.
#[cfg(test)]
mod tests {
    use election_core::scenario::tour;

    /// Words reduced to a rough stem ("reaches", "reached" -> "reach"), lower case.
    fn stems(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let w = w.to_lowercase();
                for suffix in ["ed", "es", "s"] {
                    if w.len() > 4
                        && let Some(stem) = w.strip_suffix(suffix)
                    {
                        return stem.to_string();
                    }
                }
                w
            })
            .collect()
    }

    /// A run of four words the narration shares with the explanation, if any.
    fn shared_phrase(narration: &str, explanation: &str) -> Option<String> {
        let (a, b) = (stems(narration), stems(explanation));
        let phrases: Vec<String> = b.windows(4).map(|w| w.join(" ")).collect();
        a.windows(4).map(|w| w.join(" ")).find(|p| phrases.contains(p))
    }

    /// Phrases that state an answer outright, by answer.
    fn giveaways(answer: &str) -> &'static [&'static str] {
        match answer {
            "follower" => &["steps down", "step down", "back into line", "term is over", "bullies"],
            "no" | "none" | "never" => {
                &["not a majority", "nobody reach", "without a winner", "no winner", "livelock"]
            }
            "yes" => &["split brain", "is lost", "are lost", "loses"],
            "leader" => &["declares itself", "stays leader", "keeps leading"],
            _ => &[],
        }
    }

    fn tours() -> Vec<(&'static str, election_core::scenario::Tour)> {
        crate::scenarios::SCENARIOS
            .iter()
            .filter(|(path, _)| path.starts_with("tours/"))
            .map(|(path, text)| (*path, tour(text).unwrap_or_else(|e| panic!("{path}: {e}"))))
            .collect()
    }

    #[test]
    fn no_narration_before_a_question_gives_its_answer_away() {
        let tours = tours();
        assert!(tours.len() >= 12, "the guided tours are embedded");
        let mut problems = Vec::new();
        for (path, t) in &tours {
            for (i, step) in t.steps.iter().enumerate() {
                let Some(q) = &step.question else { continue };
                // What the user has read when the question is asked: the tour's opening and
                // the question's own step.
                let shown = format!("{} {}", t.steps[0].text, if i == 0 { "" } else { step.text.as_str() });
                let low = shown.to_lowercase();
                if let Some(p) = shared_phrase(&shown, &q.explanation) {
                    problems
                        .push(format!("{path} step {}: \u{201c}{p}\u{201d} is in the explanation", i + 1));
                }
                for g in giveaways(&q.answer) {
                    if low.contains(g) {
                        problems.push(format!(
                            "{path} step {}: \u{201c}{g}\u{201d} gives away \u{201c}{}\u{201d}",
                            i + 1,
                            q.answer
                        ));
                    }
                }
                let node_claims = ["leads", "wins", "won", "is elected", "coordinates", "becomes leader"];
                if q.answer.starts_with('n') {
                    for claim in node_claims {
                        if low.contains(&format!("{} {claim}", q.answer)) {
                            problems.push(format!(
                                "{path} step {}: \u{201c}{} {claim}\u{201d} before the question",
                                i + 1,
                                q.answer
                            ));
                        }
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_tour_step_says_something_and_numbers_nothing_itself() {
        let mut problems = Vec::new();
        for (path, t) in tours() {
            for (i, step) in t.steps.iter().enumerate() {
                if step.text.trim().is_empty() {
                    problems.push(format!("{path} step {} has no narration", i + 1));
                }
                // The page numbers the steps ("Step 3 of 5"); a file's own numbers disagree.
                let q = step.question.as_ref().map_or("", |q| q.text.as_str());
                if format!("{} {q}", step.text).contains("Step ") {
                    problems.push(format!("{path} step {} numbers itself", i + 1));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
