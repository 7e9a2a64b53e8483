//! Merging in the window: the dialog is opened with the tickets it starts
//! from, each is read by the worker, and the merge is sent there; its
//! answer closes the dialog and opens the ticket kept, or says in the
//! dialog why nothing changed (a conflict reads every ticket again).

use super::TicketsApp;
use super::ui::merge::{MAX_MERGED, MergeDialog};
use super::ui::widgets::{ToastKind, count_of};
use super::ui::{Modal, TextBox};
use super::worker::protocol::{Alters, Request};
use crate::domain::{MergeCounts, TicketDetail, TicketNumber};
use crate::store::StoreError;

impl TicketsApp {
    /// Opens the merge dialog on `numbers`, keeping `keep` (`None`: the
    /// agent chooses, or the next ticket named).
    pub(super) fn open_merge(&mut self, numbers: &[TicketNumber], keep: Option<TicketNumber>) {
        if numbers.len() > MAX_MERGED {
            self.toasts.add(
                ToastKind::Info,
                format!(
                    "A merge takes up to {MAX_MERGED} tickets; {} are picked.",
                    numbers.len()
                ),
            );
            return;
        }
        self.modal = Some(Modal::Merge(Box::new(MergeDialog::new(numbers, keep))));
        for &number in numbers {
            self.request(Request::MergeCandidate(number));
        }
        self.focus.request(TextBox::MergeNumber);
    }

    /// The worker read a ticket the merge dialog names.
    pub(super) fn merge_candidate(
        &mut self,
        number: TicketNumber,
        read: Result<Box<TicketDetail>, StoreError>,
    ) {
        if let Some(Modal::Merge(dialog)) = &mut self.modal {
            dialog.candidate_read(number, read.map(|d| *d).map_err(|e| e.to_string()));
        }
    }

    /// Sends the merge the dialog describes, as the agent using the app.
    pub(super) fn send_merge(&mut self) {
        let Some(actor) = self.actor() else {
            self.ask_who();
            return;
        };
        let Some(Modal::Merge(dialog)) = &mut self.modal else {
            return;
        };
        match dialog.request() {
            Ok((keep, others)) => {
                dialog.sending = true;
                dialog.error = None;
                self.request(Request::Merge {
                    actor,
                    keep,
                    others,
                });
            }
            Err(why) => dialog.error = Some(why),
        }
    }

    /// The merge's answer.
    pub(super) fn merged(
        &mut self,
        keep: TicketNumber,
        others: &[TicketNumber],
        result: Result<MergeCounts, StoreError>,
    ) {
        match result {
            Ok(counts) => {
                if matches!(self.modal, Some(Modal::Merge(_))) {
                    self.modal = None;
                }
                let merged: Vec<String> = others.iter().map(ToString::to_string).collect();
                self.toasts.add(
                    ToastKind::Info,
                    format!(
                        "Merged {} into {keep}: {} and {} moved.",
                        merged.join(", "),
                        count_of(counts.messages, "message", "messages"),
                        count_of(counts.notes, "note", "notes"),
                    ),
                );
                self.selection.clear();
                self.list.select(keep);
                self.open_ticket(keep);
                self.data_changed(Alters {
                    list: true,
                    counts: true,
                    tags: false,
                    report: true,
                });
            }
            Err(error) => {
                let conflict = matches!(error, StoreError::Conflict { .. });
                let Some(Modal::Merge(dialog)) = &mut self.modal else {
                    self.toasts
                        .add(ToastKind::Error, format!("Nothing was merged: {error}"));
                    return;
                };
                dialog.sending = false;
                dialog.error = Some(format!("Nothing was merged: {error}"));
                if conflict {
                    // Read every ticket again: the next try is made against
                    // what the agent is now shown.
                    let numbers: Vec<TicketNumber> =
                        dialog.tickets.iter().map(|c| c.number).collect();
                    for c in &mut dialog.tickets {
                        c.detail = None;
                    }
                    for number in numbers {
                        self.request(Request::MergeCandidate(number));
                    }
                }
            }
        }
    }
}
