//! Printable handouts: a tour as paper, one sheet per step (the cluster picture and the
//! space-time diagram at that step's moment, the narration and the question with its choices),
//! then a sheet of answers. The page's "Print this tour" puts `#handout=<path>` in the address
//! bar, loads this module if it is not running and clicks the hidden `#extras-handout` button;
//! the handout is built from the scenario file, shown, and printed with the browser's print
//! dialog (print CSS in style.css shows only the handout on paper).

use std::cell::RefCell;
use std::rc::Rc;

use election_core::scenario::Tour;
use election_core::{AnySession, NodeId, fmt_time};
use yew::prelude::*;

use crate::browser;
use crate::state::{SameEngine, SameView};

/// One sheet: the session at the step's moment.
struct Sheet {
    engine: SameEngine,
    view: SameView,
    events: usize,
}

/// A tour ready to print.
struct Printable {
    path: String,
    tour: Tour,
    sheets: Vec<Sheet>,
}

/// The tour's session at each step's moment.
fn sheets(tour: &Tour) -> Result<Vec<Sheet>, String> {
    let base = AnySession::new(tour.spec.clone()).map_err(|e| e.to_string())?;
    tour.steps
        .iter()
        .map(|step| {
            let mut s = base.clone();
            s.seek(step.at.min(i64::MAX as u64) as i64).map_err(|e| e.to_string())?;
            let view = SameView(Rc::new(s.view()));
            let events = s.trace().len();
            Ok(Sheet { engine: SameEngine(Rc::new(RefCell::new(s))), view, events })
        })
        .collect()
}

/// The path `#handout=<path>` names, if any.
fn wanted() -> Option<String> {
    crate::share::param(&browser::fragment(), "handout")
}

/// The handout, when asked for.
#[component]
pub fn Handout() -> Html {
    let printable = use_state(|| None::<Rc<Printable>>);
    let error = use_state(|| None::<String>);
    let build = {
        let (printable, error) = (printable.clone(), error.clone());
        Callback::from(move |_: ()| {
            let Some(path) = wanted() else { return };
            if !crate::scenarios::TOURS.iter().any(|t| t.0 == path) {
                error.set(Some(format!("No tour named {path}")));
                return;
            }
            let (printable, error) = (printable.clone(), error.clone());
            yew::platform::spawn_local(async move {
                let made = async {
                    let text = browser::fetch_text(&format!("scenarios/{path}")).await?;
                    let tour = election_core::scenario::tour(&text).map_err(|e| e.to_string())?;
                    let sheets = sheets(&tour)?;
                    Ok::<_, String>(Printable { path, tour, sheets })
                };
                match made.await {
                    Ok(p) => {
                        error.set(None);
                        printable.set(Some(Rc::new(p)));
                    }
                    Err(e) => error.set(Some(format!("The handout could not be made: {e}"))),
                }
            });
        })
    };
    // Asked for before this module ran: build it now.
    {
        let build = build.clone();
        use_effect_with((), move |_| build.emit(()));
    }
    // Once drawn, print it.
    {
        let path = printable.as_ref().map(|p| p.path.clone());
        use_effect_with(path, |path| {
            if path.is_some()
                && let Some(w) = web_sys::window()
            {
                let _ = w.print();
            }
        });
    }
    let on_request = {
        let build = build.clone();
        Callback::from(move |_: MouseEvent| build.emit(()))
    };
    let close = {
        let printable = printable.clone();
        Callback::from(move |_: MouseEvent| printable.set(None))
    };
    let print = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    let request = html! { <button id="extras-handout" hidden=true onclick={on_request}></button> };
    if let Some(e) = &*error {
        return html! { <>{request}<p class="banner error" role="alert" data-testid="handout-error">{e.clone()}</p></> };
    }
    let Some(p) = &*printable else { return request };
    let steps = &p.tour.steps;
    let n = steps.len();
    let questions: Vec<_> =
        steps.iter().enumerate().filter_map(|(i, s)| Some((i, s.question.as_ref()?))).collect();
    html! {
        <>
        {request}
        <section class="handout" aria-label="Handout" data-testid="handout">
            <p class="no-print actions">
                <button onclick={print}>{"Print"}</button>
                <button onclick={close} data-testid="handout-close">{"Close the handout"}</button>
            </p>
            { for steps.iter().zip(&p.sheets).enumerate().map(|(i, (step, sheet))| html! {
                <article class="sheet">
                    <h2>{format!("{} · step {} of {n} · {}", p.tour.title, i + 1, fmt_time(step.at))}</h2>
                    <div class="pictures">
                        <crate::cluster::Cluster view={sheet.view.clone()} selected={None::<NodeId>} on_select={Callback::noop()} on_link={Callback::noop()} />
                        <crate::diagram::SpaceTime engine={sheet.engine.clone()} now={step.at} events={sheet.events} nodes={sheet.view.nodes.len()} />
                    </div>
                    <p class="narration">{step.text.clone()}</p>
                    if let Some(q) = &step.question {
                        <div class="question">
                            <p><strong>{"Predict: "}</strong>{q.text.clone()}</p>
                            <ul>{ for q.choices.iter().map(|c| html! { <li>{format!("\u{2610} {c}")}</li> }) }</ul>
                        </div>
                    }
                </article>
            }) }
            <article class="sheet answers">
                <h2>{format!("{} · answers", p.tour.title)}</h2>
                if questions.is_empty() {
                    <p>{"This tour asks no questions."}</p>
                }
                <ol>
                { for questions.iter().map(|(i, q)| html! {
                    <li>
                        <p><strong>{format!("Step {}: {}", i + 1, q.text)}</strong></p>
                        <p>{format!("Answer: {}{}", q.answer, if q.measured.is_empty() { String::new() } else { format!(" ({})", q.measured) })}</p>
                        if !q.explanation.is_empty() {
                            <p>{q.explanation.clone()}</p>
                        }
                    </li>
                }) }
                </ol>
            </article>
        </section>
        </>
    }
}
