//! Tour authoring in the page: "Record a tour".
//!
//! The author plays and acts in the lab as usual; the recorder adds a narration step, speaker
//! notes or a prediction question at the lab's moment. It learns the lab's run and moment
//! through the page's hidden `#lab-snapshot` button, which puts the run's share link in the
//! address bar (the lab and this module are two Yew apps). The draft is a
//! [`Tour`](election_core::scenario::Tour); after every change it is written as a tour file
//! ([`write_tour`]) and read back with [`tour_lenient`]: the simulation answers every question,
//! and one whose answer is not among its choices is refused (shown with the true answer, and
//! export waits until it is fixed). Export is the file in the format of `tests/scenarios/`, its
//! output filled in by [`run_script`] so that it is a golden scenario as it stands, and a link
//! that plays it as a tour. Editing an existing tour starts from its file and works the same
//! way. The draft is kept in local storage, so a reload (the full lab loading for an algorithm
//! the first download leaves out) does not lose it.

use std::rc::Rc;

use election_core::scenario::{
    Question, Refusal, Tour, TourStep, run_script, spec_from_script, tour, tour_lenient, write_with_lines,
};
use election_core::{Micros, SessionSpec, fmt_time};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;

/// Where the draft is kept (the tour file as written so far).
pub const DRAFT_KEY: &str = "leader-election-lab/tour-draft";

/// The checks a question can use (see `tests/README.md`), with what they ask and what their
/// argument is, if any.
pub const CHECKS: &[(&str, &str, Option<&str>)] = &[
    ("leader", "Who leads when the step is over (nX or none)", None),
    ("violation", "Is safety violated during the step (yes or no)", None),
    ("role", "A node's role when the step is over", Some("node, e.g. n3")),
    ("committed", "Is a value committed when the step is over (yes or no)", Some("value, e.g. 7")),
    ("rejected", "Whose write the storage rejects during the step (nX or none)", None),
    ("gap", "How long until a node leads (ranges like < 200 ms, 200-400 ms, > 400 ms, never)", None),
    ("cell", "A cell of the algorithm's table when the step is over", Some("column and row, e.g. leader p0")),
];

/// A tour being written.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The tour as it stands: its first narrated step begins with the title.
    pub tour: Tour,
    /// Which built-in tour it edits, if any (for the file's name).
    pub source: Option<String>,
}

/// What reading the written draft back says.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// It cannot be written or run: why.
    Broken(String),
    /// The tour as the simulation answers it, and the questions it refuses.
    Read { tour: Box<Tour>, refused: Vec<Refusal> },
}

impl Draft {
    /// A new draft of the lab's run: a first step at the start holding the title.
    pub fn new(spec: SessionSpec, now: Micros) -> Draft {
        let title = format!("A tour of {}", spec.algorithm().name());
        let last_input = spec.inputs.last().map_or(0, |i| i.at);
        let tour = Tour {
            title: title.clone(),
            spec,
            steps: vec![TourStep { at: 0, text: title, question: None, notes: String::new() }],
            end: now.max(last_input),
        };
        Draft { tour, source: None }
    }

    /// A draft of an existing tour file (answers as the simulation gives them).
    pub fn from_text(text: &str, source: Option<String>) -> Result<Draft, String> {
        let (tour, _) = tour_lenient(text).map_err(|e| e.to_string())?;
        Ok(Draft { tour, source })
    }

    /// Takes the lab's run (its inputs may have changed) and moment: the tour lasts at least
    /// until then.
    pub fn snapshot(&mut self, spec: SessionSpec, now: Micros) {
        let last_input = spec.inputs.last().map_or(0, |i| i.at);
        self.tour.end = self.tour.end.max(now).max(last_input);
        self.tour.spec = spec;
    }

    /// Ends the tour at `now` (or at its last input, if later). Steps after it narrate moments
    /// the tour no longer has: they are refused (see [`Draft::check`]) until deleted or the
    /// tour ends later, never moved or kept silently.
    pub fn end_at(&mut self, now: Micros) {
        let last_input = self.tour.spec.inputs.last().map_or(0, |i| i.at);
        self.tour.end = now.max(last_input);
    }

    /// The step at `at`, added if there is none (one step per moment).
    pub fn step_at(&mut self, at: Micros) -> usize {
        match self.tour.steps.binary_search_by_key(&at, |s| s.at) {
            Ok(i) => i,
            Err(i) => {
                self.tour
                    .steps
                    .insert(i, TourStep { at, text: String::new(), question: None, notes: String::new() });
                self.tour.end = self.tour.end.max(at);
                i
            }
        }
    }

    /// The step that holds the title: the first with narration.
    fn title_step(&self) -> Option<usize> {
        self.tour.steps.iter().position(|s| !s.text.is_empty())
    }

    /// Removes step `i`; the step holding the title keeps it (its narration after the title
    /// is removed instead).
    pub fn remove(&mut self, i: usize) {
        if Some(i) == self.title_step() {
            let title = self.tour.title.clone();
            if let Some(s) = self.tour.steps.get_mut(i) {
                s.text = title;
                s.notes.clear();
                s.question = None;
            }
        } else if i < self.tour.steps.len() {
            self.tour.steps.remove(i);
        }
    }

    /// Step `i`'s narration as the author edits it (for the title's step, what follows it).
    pub fn narration(&self, i: usize) -> String {
        let Some(s) = self.tour.steps.get(i) else { return String::new() };
        if Some(i) == self.title_step() {
            s.text.strip_prefix(self.tour.title.as_str()).unwrap_or(&s.text).trim_start().to_string()
        } else {
            s.text.clone()
        }
    }

    /// Sets step `i`'s narration (whitespace made single spaces, as the file keeps it).
    pub fn set_narration(&mut self, i: usize, text: &str) {
        let text = one_paragraph(text);
        let titled = Some(i) == self.title_step();
        let title = self.tour.title.clone();
        if let Some(s) = self.tour.steps.get_mut(i) {
            s.text = if titled { join(&title, &text) } else { text };
        }
    }

    /// Sets the title (the start of the first narration).
    pub fn set_title(&mut self, title: &str) {
        let title = one_paragraph(title);
        match self.title_step() {
            Some(i) => {
                let rest = self.narration(i);
                self.tour.steps[i].text = join(&title, &rest);
            }
            None => {
                let i = self.step_at(0);
                self.tour.steps[i].text = title.clone();
            }
        }
        self.tour.title = title;
    }

    /// Sets step `i`'s speaker notes.
    pub fn set_notes(&mut self, i: usize, notes: &str) {
        if let Some(s) = self.tour.steps.get_mut(i) {
            s.notes = one_paragraph(notes);
        }
    }

    /// Gives step `i` a question, or takes it away.
    pub fn set_question(&mut self, i: usize, q: Option<Question>) {
        if let Some(s) = self.tour.steps.get_mut(i) {
            s.question = q.map(|mut q| {
                q.text = one_paragraph(&q.text);
                q.explanation = one_paragraph(&q.explanation);
                q.check = one_paragraph(&q.check);
                q.choices = q.choices.iter().map(|c| one_paragraph(c)).filter(|c| !c.is_empty()).collect();
                q
            });
        }
    }

    /// A question to start from at step `i`: who leads, with every node and `none` as choices.
    pub fn new_question(&self) -> Question {
        let mut choices: Vec<String> = (1..=self.tour.spec.nodes).map(|n| format!("n{n}")).collect();
        choices.push("none".into());
        Question {
            text: "Which node leads when this step is over?".into(),
            choices,
            answer: String::new(),
            explanation: String::new(),
            measured: String::new(),
            check: "leader".into(),
        }
    }

    /// Writes the draft and reads it back: the simulation's answers, or why it cannot be.
    pub fn check(&self) -> Checked {
        let text = match write_with_lines(&self.tour) {
            Ok((text, _)) => text,
            Err(e) => return Checked::Broken(e.to_string()),
        };
        match tour_lenient(&text) {
            Ok((tour, refused)) => Checked::Read { tour: Box::new(tour), refused },
            Err(e) => Checked::Broken(self.explain(&e.to_string())),
        }
    }

    /// An error of the written file, told by step rather than by the file's line.
    fn explain(&self, error: &str) -> String {
        let Ok((_, lines)) = write_with_lines(&self.tour) else { return error.to_string() };
        let line = error
            .strip_prefix("line ")
            .and_then(|r| r.split_once(':'))
            .and_then(|(n, _)| n.parse::<usize>().ok());
        match line.and_then(|l| lines.iter().position(|&x| x == l)) {
            Some(k) => {
                let rest = error.split_once(": ").map_or(error, |(_, r)| r);
                format!("step {} (at {}): {rest}", k + 1, fmt_time(self.tour.steps[k].at))
            }
            None => error.to_string(),
        }
    }

    /// The tour file as written so far (what the draft is kept as), if it can be written.
    pub fn text(&self) -> Option<String> {
        write_with_lines(&self.tour).ok().map(|(t, _)| t)
    }

    /// The export: the tour file with its output filled in (a golden scenario as it stands),
    /// and the text a link carries (without output). Refused while any question is.
    pub fn export(&self) -> Result<(String, String), String> {
        let (text, _) = write_with_lines(&self.tour).map_err(|e| e.to_string())?;
        tour(&text).map_err(|e| self.explain(&e.to_string()))?;
        let (golden, _) = run_script(&text);
        Ok((golden, text))
    }

    /// A file name for the export, from the edited file or the title.
    pub fn file_name(&self) -> String {
        if let Some(path) = &self.source {
            return path.rsplit('/').next().unwrap_or(path).to_string();
        }
        let slug: String = self
            .tour
            .title
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|w| !w.is_empty())
            .take(8)
            .collect::<Vec<_>>()
            .join("-");
        format!("{}.txt", if slug.is_empty() { "tour" } else { &slug })
    }
}

/// Text as the tour file keeps it: one paragraph, single spaces.
fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (_, true) => a.to_string(),
        (true, false) => b.to_string(),
        _ => format!("{a} {b}"),
    }
}

/// A check split into its kind and its argument (`role n3` → `role`, `n3`).
pub fn split_check(check: &str) -> (String, String) {
    let (kind, arg) = check.split_once(' ').unwrap_or((check, ""));
    (kind.to_string(), arg.trim().to_string())
}

/// The lab's run and moment, asked through the page's hidden `#lab-snapshot` button.
fn lab_snapshot() -> Result<(SessionSpec, Micros), String> {
    browser::click("lab-snapshot");
    let shared = crate::share::decode(&browser::fragment())?.ok_or("the lab has no run to record")?;
    let spec = spec_from_script(&shared.text).map_err(|e| e.to_string())?;
    Ok((spec, shared.cursor))
}

fn store(draft: &Draft) {
    if let Some(text) = draft.text() {
        browser::store(DRAFT_KEY, &text);
    }
}

/// A change of the draft by a field's new value.
type Edit = dyn Fn(&mut Draft, String);

/// The value of the input or textarea an event came from.
fn value_of(e: &Event) -> String {
    let target = e.target();
    if let Some(i) = target.clone().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        return i.value();
    }
    if let Some(t) = target.clone().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
        return t.value();
    }
    target
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// What the recorder shows.
#[derive(Debug, Clone, PartialEq)]
struct State {
    draft: Option<Rc<Draft>>,
    checked: Option<Rc<Checked>>,
    /// The draft's export ([`Draft::export`]), made once per change rather than on every render
    /// and click: it runs the whole tour and prints its trace.
    exported: Rc<Result<(String, String), String>>,
    /// A message for the author (an export refused, the lab unreachable).
    message: Option<String>,
    /// Where step focus should go after a change (the step just added).
    added: Option<usize>,
}

impl State {
    fn with(draft: Draft, added: Option<usize>) -> State {
        store(&draft);
        let checked = Some(Rc::new(draft.check()));
        let exported = Rc::new(draft.export());
        State { draft: Some(Rc::new(draft)), checked, exported, message: None, added }
    }

    fn idle() -> State {
        State {
            draft: None,
            checked: None,
            exported: Rc::new(Err(String::new())),
            message: None,
            added: None,
        }
    }
}

/// The "Record a tour" panel.
#[component]
pub fn Recorder() -> Html {
    // A draft kept from before (a reload) is taken up where it was.
    let state = use_state(|| {
        let kept = browser::stored(DRAFT_KEY).and_then(|t| Draft::from_text(&t, None).ok());
        kept.map_or_else(State::idle, |d| State::with(d, None))
    });
    let edit_path =
        use_state(|| crate::scenarios::TOURS.first().map(|t| t.0.to_string()).unwrap_or_default());
    // While recording, the lab makes room for the recorder beside it.
    {
        let recording = state.draft.is_some();
        use_effect_with(recording, move |recording| {
            if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
                let _ = body.class_list().toggle_with_force("recording", *recording);
            }
        });
    }
    let set_message = {
        let state = state.clone();
        move |m: String| state.set(State { message: Some(m), ..(*state).clone() })
    };
    let start = {
        let (state, set_message) = (state.clone(), set_message.clone());
        Callback::from(move |_: MouseEvent| match lab_snapshot() {
            Ok((spec, now)) => state.set(State::with(Draft::new(spec, now), Some(0))),
            Err(e) => set_message(format!("The lab's run could not be read: {e}")),
        })
    };
    let pasted = use_state(String::new);
    let on_paste = {
        let pasted = pasted.clone();
        Callback::from(move |e: Event| pasted.set(value_of(&e)))
    };
    // A tour file of the author's own gets the checks a scenario file gets (size, syntax,
    // every setting and input, the simulation's answers).
    let edit_pasted = {
        let (state, set_message, pasted) = (state.clone(), set_message.clone(), pasted.clone());
        Callback::from(move |_: MouseEvent| match Draft::from_text(&pasted, None) {
            Ok(d) => {
                if let Some(text) = d.text() {
                    open_in_lab(&text, 0);
                }
                state.set(State::with(d, None));
            }
            Err(e) => set_message(format!("This tour cannot be edited: {e}")),
        })
    };
    let on_edit_path = {
        let edit_path = edit_path.clone();
        Callback::from(move |e: Event| edit_path.set(value_of(&e)))
    };
    let edit = {
        let (state, set_message, edit_path) = (state.clone(), set_message.clone(), edit_path.clone());
        Callback::from(move |_: MouseEvent| {
            let path = (*edit_path).clone();
            if !crate::scenarios::TOURS.iter().any(|t| t.0 == path) {
                return;
            }
            let (state, set_message) = (state.clone(), set_message.clone());
            yew::platform::spawn_local(async move {
                let text = browser::fetch_text(&format!("scenarios/{path}")).await;
                match text.and_then(|t| Draft::from_text(&t, Some(path.clone()))) {
                    Ok(d) => {
                        // The lab plays it, so that acting and adding steps start from its run.
                        if let Some(text) = d.text() {
                            open_in_lab(&text, 0);
                        }
                        state.set(State::with(d, None));
                    }
                    Err(e) => set_message(format!("{path} cannot be edited: {e}")),
                }
            });
        })
    };

    let Some(draft) = state.draft.clone() else {
        return html! {
            <section class="recorder" aria-label="Record a tour" data-testid="recorder">
                <h2>{"Record a tour"}</h2>
                <p>{"Play and act in the lab as usual, and add a narration step or a prediction question at any moment. \
                    The simulation answers every question, and refuses one whose answer is not among its choices. \
                    Export a tour file (the format of tests/scenarios, ready to commit as a golden scenario) and a link that plays it."}</p>
                <p class="actions">
                    <button onclick={start} data-testid="record-start">{"Record a tour of the lab's run"}</button>
                </p>
                <p class="actions">
                    <label>{"Edit a tour "}
                        <select onchange={on_edit_path} data-testid="record-edit-path">
                            { for crate::scenarios::TOURS.iter().map(|t| html! {
                                <option value={t.0} selected={*edit_path == t.0}>{t.0}</option>
                            }) }
                        </select>
                    </label>
                    <button onclick={edit} data-testid="record-edit">{"Edit this tour"}</button>
                </p>
                <label>{"Or paste a tour file of your own "}
                    <textarea onchange={on_paste} rows="3" data-testid="record-paste" />
                </label>
                <button onclick={edit_pasted} data-testid="record-edit-pasted">{"Edit the pasted tour"}</button>
                if let Some(m) = &state.message {
                    <p class="banner error" role="alert">{m.clone()}</p>
                }
            </section>
        };
    };

    // Every change goes through here: the draft is kept, written and read back.
    let change = {
        let state = state.clone();
        move |f: Rc<dyn Fn(&mut Draft)>| {
            let state = state.clone();
            move || {
                if let Some(d) = &state.draft {
                    let mut d = (**d).clone();
                    f(&mut d);
                    state.set(State::with(d, None));
                }
            }
        }
    };
    let on_change = |f: Rc<Edit>| {
        let change = change.clone();
        Callback::from(move |e: Event| {
            let v = value_of(&e);
            let f = f.clone();
            change(Rc::new(move |d: &mut Draft| f(d, v.clone())))();
        })
    };
    let on_click = |f: Rc<dyn Fn(&mut Draft)>| {
        let change = change.clone();
        Callback::from(move |_: MouseEvent| change(f.clone())())
    };
    let add_step = {
        let (state, set_message) = (state.clone(), set_message.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(d) = &state.draft else { return };
            match lab_snapshot() {
                Ok((spec, now)) => {
                    let mut d = (**d).clone();
                    d.snapshot(spec, now);
                    let i = d.step_at(now);
                    state.set(State::with(d, Some(i)));
                }
                Err(e) => set_message(format!("The lab's run could not be read: {e}")),
            }
        })
    };
    let end_here = {
        let (state, set_message) = (state.clone(), set_message.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(d) = &state.draft else { return };
            match lab_snapshot() {
                Ok((spec, now)) => {
                    let mut d = (**d).clone();
                    d.snapshot(spec, now);
                    d.end_at(now);
                    state.set(State::with(d, None));
                }
                Err(e) => set_message(format!("The lab's run could not be read: {e}")),
            }
        })
    };
    let exported = state.exported.clone();
    let preview = {
        let (exported, set_message) = (exported.clone(), set_message.clone());
        Callback::from(move |_: MouseEvent| match &*exported {
            Ok((_, text)) => open_in_lab(text, 0),
            Err(e) => set_message(format!("Not yet: {e}")),
        })
    };
    let download = {
        let (draft, exported, set_message) = (draft.clone(), exported.clone(), set_message.clone());
        Callback::from(move |_: MouseEvent| match &*exported {
            Ok((file, _)) => browser::download(&draft.file_name(), "text/plain", file),
            Err(e) => set_message(format!("Not yet: {e}")),
        })
    };
    let copy_link = {
        let (exported, set_message) = (exported.clone(), set_message.clone());
        Callback::from(move |_: MouseEvent| match &*exported {
            Ok((_, text)) => {
                let link =
                    format!("{}#{}", browser::page_address().unwrap_or_default(), link_fragment(text, 0));
                browser::copy_to_clipboard(&link);
                set_message("Link copied: it plays this tour.".into());
            }
            Err(e) => set_message(format!("Not yet: {e}")),
        })
    };
    let stop = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            browser::store(DRAFT_KEY, "");
            state.set(State::idle());
        })
    };

    let (read, broken) = match state.checked.as_deref() {
        Some(Checked::Read { tour, refused }) => (Some((tour, refused)), None),
        Some(Checked::Broken(e)) => (None, Some(e.clone())),
        None => (None, None),
    };
    let t = &draft.tour;
    let steps = t.steps.iter().enumerate().map(|(i, step)| {
        let answered = read.and_then(|(tour, _)| tour.steps.get(i)).and_then(|s| s.question.clone());
        let refusal = read.and_then(|(_, refused)| refused.iter().find(|r| r.step == i).cloned());
        let narration = on_change(Rc::new(move |d: &mut Draft, v: String| d.set_narration(i, &v)));
        let notes = on_change(Rc::new(move |d: &mut Draft, v: String| d.set_notes(i, &v)));
        let remove = on_click(Rc::new(move |d: &mut Draft| d.remove(i)));
        let ask = on_click(Rc::new(move |d: &mut Draft| {
            let q = d.new_question();
            d.set_question(i, Some(q));
        }));
        let question = step.question.clone().map(|q| {
            let set = |f: fn(&mut Question, String)| {
                let q = q.clone();
                on_change(Rc::new(move |d: &mut Draft, v: String| {
                    let mut q = q.clone();
                    f(&mut q, v);
                    d.set_question(i, Some(q));
                }))
            };
            let (kind, arg) = split_check(&q.check);
            let needs = CHECKS.iter().find(|c| c.0 == kind).and_then(|c| c.2);
            let add_answer = refusal.clone().map(|r| {
                let q = q.clone();
                on_click(Rc::new(move |d: &mut Draft| {
                    let mut q = q.clone();
                    q.choices.push(r.answer.clone());
                    d.set_question(i, Some(q));
                }))
            });
            html! {
                <fieldset class="question">
                    <legend>{"Prediction question"}</legend>
                    <label>{"Question "}<input value={q.text.clone()} onchange={set(|q, v| q.text = v)} data-testid="record-q-text" /></label>
                    <label>{"Answered by "}
                        <select onchange={set(|q, v| q.check = v)} data-testid="record-q-check">
                            { for CHECKS.iter().map(|c| html! { <option value={c.0} selected={kind == c.0}>{c.1}</option> }) }
                        </select>
                    </label>
                    if let Some(what) = needs {
                        <label>{format!("Of which {what} ")}
                            <input value={arg} onchange={set(|q, v| { let (k, _) = split_check(&q.check); q.check = format!("{k} {}", v.trim()); })} data-testid="record-q-arg" />
                        </label>
                    }
                    <label>{"Choices, separated by | "}
                        <input value={q.choices.join(" | ")} onchange={set(|q, v| q.choices = v.split('|').map(|c| c.trim().to_string()).collect())} data-testid="record-q-choices" />
                    </label>
                    <label>{"Explanation, shown once answered "}
                        <textarea value={q.explanation.clone()} onchange={set(|q, v| q.explanation = v)} rows="2" />
                    </label>
                    { match (&answered, &refusal) {
                        (_, Some(r)) => html! {
                            <p class="refused" role="alert" data-testid="record-refused">
                                {format!("Refused: the simulation answers \u{201c}{}\u{201d}, which is not among the choices. ", r.answer)}
                                <button onclick={add_answer}>{format!("Add \u{201c}{}\u{201d} to the choices", r.answer)}</button>
                            </p>
                        },
                        (Some(a), None) => html! {
                            <p class="answered" data-testid="record-answer">
                                {format!("The simulation answers \u{201c}{}\u{201d}{}.", a.answer, if a.measured.is_empty() { String::new() } else { format!(" ({})", a.measured) })}
                            </p>
                        },
                        _ => Html::default(),
                    } }
                    <button onclick={on_click(Rc::new(move |d: &mut Draft| d.set_question(i, None)))}>{"Remove the question"}</button>
                </fieldset>
            }
        });
        let autofocus = state.added == Some(i);
        html! {
            <li class="step" data-testid="record-step">
                <h3>{format!("Step {} · at {}", i + 1, fmt_time(step.at))}</h3>
                <label>{"Narration "}
                    <textarea value={draft.narration(i)} onchange={narration} rows="3" autofocus={autofocus} data-testid="record-narration" />
                </label>
                <label>{"Speaker notes (presenter mode only) "}
                    <textarea value={step.notes.clone()} onchange={notes} rows="1" />
                </label>
                { question.unwrap_or_else(|| html! { <button onclick={ask} data-testid="record-ask">{"Ask a prediction question here"}</button> }) }
                <button onclick={remove}>{"Delete this step"}</button>
            </li>
        }
    });
    let set_title = on_change(Rc::new(|d: &mut Draft, v: String| d.set_title(&v)));
    html! {
        <section class="recorder recording" aria-label="Tour recorder" data-testid="recorder">
            <h2>{format!("\u{25cf} Recording \u{201c}{}\u{201d}", t.title)}</h2>
            <label>{"Title "}<input value={t.title.clone()} onchange={set_title} data-testid="record-title" /></label>
            <p class="hint">{format!("{} · {} nodes · seed {} · {} inputs · ends at {}", t.spec.algorithm().name(), t.spec.nodes, t.spec.seed, t.spec.inputs.len(), fmt_time(t.end))}</p>
            <p class="actions">
                <button onclick={add_step} data-testid="record-add">{"Add a step at the lab's moment"}</button>
                <button onclick={end_here} data-testid="record-end">{"End the tour at the lab's moment"}</button>
            </p>
            <ol class="steps">{ for steps }</ol>
            if let Some(e) = broken {
                <p class="banner error" role="alert" data-testid="record-error">{e}</p>
            }
            if let Some(m) = &state.message {
                <p class="banner" role="status" data-testid="record-message">{m.clone()}</p>
            }
            <p class="actions">
                <button onclick={preview} disabled={exported.is_err()} data-testid="record-preview">{"Preview in the lab"}</button>
                <button onclick={download} disabled={exported.is_err()} data-testid="record-download">{"Download the tour file"}</button>
                <button onclick={copy_link} disabled={exported.is_err()} data-testid="record-link">{"Copy a link to the tour"}</button>
                <button onclick={stop} data-testid="record-stop">{"Stop recording and discard the draft"}</button>
            </p>
            if let Ok((file, text)) = &*exported {
                <details>
                    <summary>{"The tour file"}</summary>
                    <textarea readonly=true rows="12" value={file.clone()} data-testid="record-file" aria-label="The tour file" />
                    <a href={format!("#{}", link_fragment(text, 0))} data-testid="record-href">{"The link"}</a>
                </details>
            }
        </section>
    }
}

/// The fragment of a link that plays tour `text` from `t`.
fn link_fragment(text: &str, t: Micros) -> String {
    format!("s={}&t={t}&as=tour", String::from(js_sys::encode_uri_component(text)))
}

/// Plays tour `text` in the lab, from `t`.
fn open_in_lab(text: &str, t: Micros) {
    browser::open_in_lab(&link_fragment(text, t));
}

#[cfg(test)]
mod tests {
    use election_core::Algorithm;
    use election_core::{Input, TimedInput};

    use super::*;

    fn recorded() -> Draft {
        // Record: a Raft run; at 400 ms the leader (n5) crashes; a question there.
        let mut spec = SessionSpec::new(Algorithm::Raft, 5, 1);
        let mut d = Draft::new(spec.clone(), 0);
        d.set_title("When the leader dies");
        d.set_narration(0, "Five   servers\nstart.");
        spec.inputs.push(TimedInput { at: 400_000, input: Input::Crash { node: 5 } });
        d.snapshot(spec, 400_000);
        let i = d.step_at(400_000);
        d.set_narration(i, "n5 crashes.");
        let mut q = d.new_question();
        q.choices = vec!["n1".into(), "n3".into(), "none".into()];
        d.set_question(i, Some(q));
        d.snapshot(d.tour.spec.clone(), 1_000_000);
        d
    }

    #[test]
    fn a_recorded_question_is_answered_and_refused_until_its_answer_is_a_choice() {
        let mut d = recorded();
        assert_eq!(d.tour.steps[0].text, "When the leader dies Five servers start.");
        assert_eq!(d.narration(0), "Five servers start.");
        let Checked::Read { tour, refused } = d.check() else { panic!("{:?}", d.check()) };
        // Raft's leader-crash scenario: n2 wins term 2 at 617 ms.
        assert_eq!(refused, [Refusal { step: 1, line: refused[0].line, answer: "n2".into() }]);
        assert_eq!(tour.steps[1].question.as_ref().unwrap().answer, "n2");
        assert!(d.export().unwrap_err().contains("step 2 (at 400ms): the question's answer is now 'n2'"));
        let mut q = d.tour.steps[1].question.clone().unwrap();
        q.choices.push("n2".into());
        d.set_question(1, Some(q));
        let (file, link) = d.export().unwrap();
        assert!(file.contains("#? Which node leads when this step is over? | n1 | n3 | none | n2 => leader"));
        assert_eq!(
            election_core::scenario::tour(&link).unwrap(),
            election_core::scenario::tour(&file).unwrap()
        );
    }

    #[test]
    fn a_tour_made_in_the_page_round_trips_exactly_through_the_file_format() {
        let mut d = recorded();
        let mut q = d.tour.steps[1].question.clone().unwrap();
        q.choices.push("n2".into());
        q.explanation = "n2 times out first.".into();
        d.set_question(1, Some(q));
        d.set_notes(1, "Ask the room before playing.");
        let (file, _) = d.export().unwrap();
        // The file reads back as the tour the draft holds (answers filled in by the simulation),
        // is a golden scenario as it stands, and edited again it gives the same file.
        let read = election_core::scenario::tour(&file).unwrap();
        let Checked::Read { tour: checked, .. } = d.check() else { panic!() };
        assert_eq!(read, *checked);
        assert_eq!(run_script(&file).0, file);
        let again = Draft::from_text(&file, Some("tours/x.txt".into())).unwrap();
        assert_eq!(again.tour, read);
        assert_eq!(again.export().unwrap().0, file);
        assert_eq!(again.file_name(), "x.txt");
        assert_eq!(d.file_name(), "when-the-leader-dies.txt");
    }

    #[test]
    fn editing_keeps_the_title_at_the_start_and_one_step_per_moment() {
        let mut d = recorded();
        assert_eq!(d.step_at(400_000), 1, "the existing step");
        d.set_title("Failover");
        assert_eq!(d.tour.steps[0].text, "Failover Five servers start.");
        d.remove(0);
        assert_eq!(d.tour.steps[0].text, "Failover", "the title's step keeps the title");
        d.remove(1);
        assert_eq!(d.tour.steps.len(), 1);
        d.end_at(10);
        assert_eq!(d.tour.end, 400_000, "not before the last input");
        // A step after the end narrates a moment the tour no longer has: refused.
        let i = d.step_at(700_000);
        d.set_narration(i, "Later.");
        d.end_at(500_000);
        let Checked::Broken(e) = d.check() else { panic!() };
        assert!(e.contains("step 2 (at 700ms): it comes after the end"), "{e}");
        let (kind, arg) = split_check("cell leader p0");
        assert_eq!((kind.as_str(), arg.as_str()), ("cell", "leader p0"));
    }

    #[test]
    fn a_question_the_format_cannot_hold_is_named_by_its_step() {
        let mut d = recorded();
        let mut q = d.tour.steps[1].question.clone().unwrap();
        q.text = "Who | leads?".into();
        d.set_question(1, Some(q));
        let Checked::Broken(e) = d.check() else { panic!() };
        assert!(e.contains("step 2 (at 400ms): the question cannot contain '|'"), "{e}");
    }
}
