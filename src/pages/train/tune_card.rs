//! The "Find the best settings" card: the budget, Start and Cancel, where the search is, and
//! the live leaderboard (finished trials in the core's order, best first; then those under
//! way). The search itself is `tune.rs`.

use std::time::Duration;

use crate::components::scroll_box::ScrollBox;
use leptos::prelude::*;

use crate::components::start_cancel::StartCancel;

use super::option_fields::BUDGET_MINUTES;
use super::tune::{cancel_tune, start_tune, TrialRow, TrialState, TunePhase, TuneView};
use super::{figures, TrainState};
use crate::components::rich_text::rich_text;
use crate::perf::now;

/// Where a row goes: finished trials by their place on the board, then the rest in start order.
fn ordered(rows: &[TrialRow], board: &genre_core::tune::Leaderboard) -> Vec<TrialRow> {
    let place = |r: &TrialRow| match r.state {
        TrialState::Scored { .. } => (0, board.trials.iter().position(|t| t.index == r.index)),
        TrialState::Running { .. } => (1, Some(r.index)),
        TrialState::Failed(_) | TrialState::Dropped => (2, Some(r.index)),
    };
    let mut out = rows.to_vec();
    out.sort_by_key(place);
    out
}

fn status_text(phase: &TunePhase, scored: usize, tick: f64) -> String {
    match phase {
        TunePhase::Idle => String::new(),
        TunePhase::Preparing => "Splitting the data…".into(),
        TunePhase::Searching { deadline } if *deadline > tick => format!(
            "Searching: {scored} trial{} scored, {} of the budget left.",
            if scored == 1 { "" } else { "s" },
            figures::seconds(deadline - tick)
        ),
        TunePhase::Searching { .. } => {
            "Budget spent: no new trial starts; the trials under way finish.".into()
        }
        TunePhase::Training { trial, kind } => format!(
            "Training the best settings (trial {}, {}) on the whole training part…",
            trial + 1,
            kind.label()
        ),
        TunePhase::Done {
            trial,
            cv_accuracy,
            passed_over,
            ..
        } => {
            let kept = match passed_over {
                None => format!(
                    "Done: trial {} is the best ({} cross-validation accuracy).",
                    trial + 1,
                    figures::pct(*cv_accuracy)
                ),
                Some((top, top_accuracy)) => format!(
                    "Done: trial {} (the defaults, {} cross-validation accuracy) is kept: trial \
                     {} scored {}, ahead by less than the noise between the folds.",
                    trial + 1,
                    figures::pct(*cv_accuracy),
                    top + 1,
                    figures::pct(*top_accuracy)
                ),
            };
            format!(
                "{kept} Its model, trained on the whole training part and scored on the test \
                 part, is in Compare below: choose it there to use, save or download it."
            )
        }
        TunePhase::Stopped(why) => why.clone(),
    }
}

#[component]
fn BoardRow(row: TrialRow, best: bool, tick: RwSignal<f64>) -> impl IntoView {
    let (class, cv, time) = match row.state.clone() {
        TrialState::Scored {
            cv_accuracy,
            wall_ms,
        } => (
            "trial trial-scored",
            Some(cv_accuracy),
            Signal::derive(move || figures::seconds(wall_ms)),
        ),
        TrialState::Running { started } => (
            "trial trial-running",
            None,
            Signal::derive(move || {
                let t = tick.get().max(now());
                format!("running · {}", figures::seconds((t - started).max(0.0)))
            }),
        ),
        TrialState::Failed(e) => (
            "trial trial-failed",
            None,
            Signal::derive(move || e.clone()),
        ),
        TrialState::Dropped => (
            "trial trial-dropped",
            None,
            Signal::derive(|| "stopped by the cancel".to_string()),
        ),
    };
    view! {
        <tr class=class class:best=best data-trial=row.index + 1 data-cv=cv.map(|c| c.to_string())>
            <td class="num-cell">{row.index + 1}</td>
            <td class="tune-model">{row.spec.kind().label()}</td>
            <td class="num-cell tune-cv">
                {cv.map(figures::pct).unwrap_or_else(|| "…".into())}
                {best.then(|| view! { <span class="visually-hidden">" (best)"</span> })}
            </td>
            <td class="tune-time">{time}</td>
            <td class="tune-settings">{row.spec.settings()}</td>
        </tr>
    }
}

#[component]
pub fn TuneCard() -> impl IntoView {
    let page = TrainState::use_state();
    let t = page.tune;
    let tick = RwSignal::new(now());
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if t.phase.with_untracked(TuneView::is_busy) {
                tick.set(now());
            }
        },
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let scored = move || t.board.with(|b| b.trials.len());
    let status = move || {
        let text = t.phase.with(|p| status_text(p, scored(), tick.get()));
        (!text.is_empty())
            .then(|| view! { <p class="tune-status" id="tune-status" role="status">{text}</p> })
    };
    let chosen = move || {
        t.phase.with(|p| match p {
            TunePhase::Done { spec, .. } => Some(view! {
                <p class="tune-chosen" id="tune-chosen">
                    <strong>{format!("Chosen settings ({}): ", spec.kind().label())}</strong>
                    {spec.settings()}
                </p>
            }),
            _ => None,
        })
    };
    let board = move || {
        let rows = t.rows.get();
        if rows.is_empty() {
            return None;
        }
        let best = t.board.with(|b| b.best().map(|b| b.index));
        let body = t
            .board
            .with(|b| ordered(&rows, b))
            .into_iter()
            .map(|row| {
                let is_best = best == Some(row.index);
                view! { <BoardRow row best=is_best tick /> }
            })
            .collect_view();
        Some(view! {
            <ScrollBox label="Trials of the search">
                <table class="data-table tune-board" id="tune-board">
                    <thead><tr>
                        <th scope="col">"Trial"</th>
                        <th scope="col" class="tune-model">"Model"</th>
                        <th scope="col">"CV accuracy"</th>
                        <th scope="col">"Time"</th>
                        <th scope="col" class="tune-settings">"Settings"</th>
                    </tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </ScrollBox>
        })
    };
    let (lo, hi) = BUDGET_MINUTES;
    view! {
        <section class="card" aria-labelledby="tune-title" id="tune-card">
            <h2 id="tune-title">"Find the best settings"</h2>
            <p class="card-sub">
                {format!(
                    "Tries settings of the gradient-boosted trees and the random forest, each \
                     scored by cross-validation on the training part only (3 folds, or 5 below {} \
                     training rows; never the test part, so the tuned model's test score stays \
                     honest), best first. Uses the options above; the same seed tries the same \
                     settings.",
                    genre_core::text::count(genre_core::tune::SMALL_DATA_ROWS as u64)
                )}
            </p>
            <div class="run-actions">
                <div class="param" class:invalid=move || t.budget_error.with(Option::is_some)>
                    <label for="tune-budget">"Time budget (minutes)"</label>
                    <input
                        id="tune-budget"
                        class="num"
                        type="text"
                        inputmode="decimal"
                        prop:value=move || t.budget.get()
                        on:input=move |ev| {
                            t.budget.set(event_target_value(&ev));
                            t.budget_error.set(None);
                        }
                    />
                    <span class="hint">{format!("{lo} to {hi}; trials under way finish after it")}</span>
                    {move || t.budget_error.get().map(|e| view! {
                        <span class="msg error field-error" id="tune-budget-error">{e}</span>
                    })}
                </div>
                <StartCancel name="tune" labels=("Find the best settings", "Cancel (keep the best so far)")
                    on_start=move || start_tune(page) on_cancel=move || cancel_tune(page)
                    disabled=Signal::derive(move || page.working() || page.training_blocked())
                    running=Signal::derive(move || t.busy()) />
            </div>
            {move || t.error.get().map(|e| view! { <p class="msg error" id="tune-error" role="alert">{rich_text(&e)}</p> })}
            {status}
            {chosen}
            {board}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genre_core::tune::{candidate, Leaderboard, Trial, TuneOptions};

    fn row(index: usize, state: TrialState) -> TrialRow {
        TrialRow {
            index,
            spec: candidate(&TuneOptions::default(), index),
            state,
        }
    }

    #[test]
    fn finished_trials_in_the_boards_order_then_the_rest() {
        let o = TuneOptions::default();
        let mut board = Leaderboard::default();
        for (i, cv) in [(2, 0.6), (0, 0.64), (3, 0.64)] {
            board.add(Trial::scored(i, candidate(&o, i), vec![cv]));
        }
        let scored = |cv_accuracy| TrialState::Scored {
            cv_accuracy,
            wall_ms: 1.0,
        };
        let rows = vec![
            row(0, scored(0.64)),
            row(1, TrialState::Dropped),
            row(2, scored(0.6)),
            row(3, scored(0.64)),
            row(4, TrialState::Running { started: 0.0 }),
        ];
        let order: Vec<usize> = ordered(&rows, &board).iter().map(|r| r.index).collect();
        assert_eq!(order, vec![0, 3, 2, 4, 1]);
    }

    #[test]
    fn the_status_says_where_the_search_is() {
        assert_eq!(status_text(&TunePhase::Idle, 0, 0.0), "");
        assert_eq!(
            status_text(&TunePhase::Searching { deadline: 90_000.0 }, 1, 30_000.0),
            "Searching: 1 trial scored, 1.0 min of the budget left."
                .replace("1.0 min", &figures::seconds(60_000.0))
        );
        assert!(status_text(&TunePhase::Searching { deadline: 1.0 }, 3, 2.0)
            .starts_with("Budget spent"));
        let done = TunePhase::Done {
            trial: 4,
            cv_accuracy: 0.6512,
            spec: candidate(&TuneOptions::default(), 4),
            passed_over: None,
        };
        assert!(status_text(&done, 6, 0.0).starts_with("Done: trial 5 is the best (65.1% "));
        let kept = TunePhase::Done {
            trial: 0,
            cv_accuracy: 0.6648,
            spec: candidate(&TuneOptions::default(), 0),
            passed_over: Some((6, 0.6661)),
        };
        assert!(status_text(&kept, 9, 0.0).starts_with(
            "Done: trial 1 (the defaults, 66.5% cross-validation accuracy) is kept: trial 7 scored 66.6%"
        ));
    }
}
