//! Bulk actions in the window: a change asked of the picked tickets runs on
//! a named thread with a store connection of its own (thousands of tickets
//! take seconds; the list stays live meanwhile), with progress and Cancel
//! in the top bar; what it did comes back as one outcome, with Undo.

use std::sync::Arc;

use super::TicketsApp;
use super::failure::Failure;
use super::tasks::{BulkRun, Done, TaskHandle, TaskName};
use super::ui::widgets::{ToastButton, ToastKind, count_of};
use crate::clock::Clock;
use crate::domain::{AgentId, BulkChange, BulkItem, BulkOutcome, BulkResult, TicketNumber};
use crate::store::{Location, Store};

/// What a bulk thread is asked to do.
enum Job {
    /// The same change to each ticket (as they were seen).
    Apply(Vec<BulkItem>),
    /// Put back what an earlier run changed.
    Undo(BulkOutcome),
}

fn spawn(
    db: Location,
    clock: Arc<dyn Clock>,
    actor: AgentId,
    description: String,
    job: Job,
    task: TaskHandle,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("tickets-bulk".to_owned())
        .spawn(move || {
            let mut progress = |done: usize, total: usize| task.progress(done as u64, total as u64);
            let outcome = Store::open_at(&db, clock)
                .map_err(Failure::from)
                .map(|mut store| {
                    let (undoing, ran) = match &job {
                        Job::Apply(items) => (
                            false,
                            store.bulk_apply(actor, &description, items, &mut progress),
                        ),
                        Job::Undo(done) => (
                            true,
                            store.bulk_undo(actor, done, &description, &mut progress),
                        ),
                    };
                    // The changed tickets' due times, worked out before the
                    // window hears the run is over and reads the list again.
                    super::worker::settle_due(&mut store, usize::MAX);
                    let (outcome, failed) = match ran {
                        Ok(outcome) => (outcome, None),
                        Err(stopped) => (stopped.outcome, Some(stopped.error.to_string())),
                    };
                    Done::Bulk(Box::new(BulkRun {
                        description,
                        undoing,
                        outcome,
                        failed,
                    }))
                });
            task.finish(outcome);
        })
        .map(|_| ())
}

impl TicketsApp {
    /// Asks for `change` on every picked ticket, as a background job.
    pub(super) fn start_bulk(&mut self, change: BulkChange) {
        let Some(actor) = self.actor() else {
            self.ask_who();
            return;
        };
        if self.selection.waiting() {
            self.toasts.add(
                ToastKind::Info,
                "The tickets are still being picked; try again in a moment.",
            );
            return;
        }
        let items = BulkItem::each(&self.selection.stamps(), &change);
        if items.is_empty() {
            return;
        }
        let description = change.label(&self.agents, &self.tags);
        let what = format!(
            "{} on {}",
            capitalised(&description),
            count_of(items.len() as u64, "ticket", "tickets")
        );
        self.run_bulk(actor, description, what, Job::Apply(items));
    }

    /// Undoes the last bulk run (the notice's Undo).
    pub(super) fn undo_bulk(&mut self) {
        let Some(actor) = self.actor() else {
            self.ask_who();
            return;
        };
        let Some(last) = self.last_bulk.take() else {
            return;
        };
        let description = format!("undo: {}", last.description);
        let what = format!("Undoing {}", last.description);
        self.run_bulk(actor, description, what, Job::Undo(last.outcome));
    }

    fn run_bulk(&mut self, actor: AgentId, description: String, what: String, job: Job) {
        let task = match self.tasks.start(TaskName::Bulk, what, true) {
            Ok(task) => task,
            Err(refusal) => {
                self.toasts.add(ToastKind::Error, refusal);
                return;
            }
        };
        let started = spawn(
            self.location.clone(),
            self.clock.clone(),
            actor,
            description,
            job,
            task,
        );
        if let Err(e) = started {
            self.toasts.add(
                ToastKind::Error,
                format!("The change could not start: {e}. Nothing was changed."),
            );
        }
    }

    /// A bulk run ended: the list and counts follow, the tickets it changed
    /// are let go (those skipped stay picked), and a notice says what it did
    /// with Undo and, where some were skipped, a way to show them.
    pub(super) fn bulk_finished(&mut self, run: BulkRun) {
        self.data_changed(super::worker::protocol::Alters {
            list: true,
            counts: true,
            tags: true,
            report: true,
        });
        let outcome = &run.outcome;
        let counts = outcome.counts();
        let conflicts = outcome.conflicts();
        // The tickets it changed (or found so already) are let go; those
        // skipped, refused or not reached stay picked, to try again.
        let done: std::collections::HashSet<TicketNumber> = outcome
            .results
            .iter()
            .filter(|(_, r)| matches!(r, BulkResult::Changed { .. } | BulkResult::Unchanged))
            .map(|(n, _)| *n)
            .collect();
        self.selection.retain(|n| !done.contains(&n));
        let done = if run.undoing {
            format!(
                "Undid “{}” on {}.",
                run.description.trim_start_matches("undo: "),
                count_of(counts.changed as u64, "ticket", "tickets")
            )
        } else {
            format!(
                "{} on {}.",
                capitalised(&run.description),
                count_of(counts.changed as u64, "ticket", "tickets")
            )
        };
        let mut text = done;
        if counts.unchanged > 0 {
            text.push_str(&format!(
                " {} already so.",
                count_of(counts.unchanged as u64, "ticket was", "tickets were")
            ));
        }
        if !conflicts.is_empty() {
            text.push_str(&format!(
                " {} changed by someone else since you picked {}, and left as {} (still picked).",
                count_of(conflicts.len() as u64, "was", "were"),
                if conflicts.len() == 1 { "it" } else { "them" },
                if conflicts.len() == 1 {
                    "it is"
                } else {
                    "they are"
                },
            ));
        }
        for (number, why) in outcome.refused().iter().take(3) {
            text.push_str(&format!(" {number} was refused: {why}."));
        }
        if outcome.cancelled {
            text.push_str(&format!(
                " Stopped as asked: {} not reached, and not changed.",
                count_of(counts.not_reached as u64, "ticket", "tickets")
            ));
        }
        if let Some(why) = &run.failed {
            text.push_str(&format!(
                " It stopped: {why}. {} not reached.",
                count_of(counts.not_reached as u64, "ticket was", "tickets were")
            ));
        }
        let mut buttons = Vec::new();
        if !conflicts.is_empty() {
            buttons.push(ToastButton::ShowTickets(conflicts));
        }
        if counts.changed > 0 && !run.undoing {
            buttons.push(ToastButton::UndoBulk);
        }
        let kind = if run.failed.is_some() {
            ToastKind::Error
        } else {
            ToastKind::Info
        };
        self.toasts.add_with_buttons(kind, text, buttons);
        self.last_bulk = (counts.changed > 0 && !run.undoing).then_some(run);
    }
}

/// "set status to Waiting" → "Set status to Waiting".
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
