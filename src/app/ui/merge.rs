//! The merge dialog: which tickets, which one is kept, exactly what will
//! move into it, and that a merge cannot be undone. Opened from the panel's
//! menu ("Merge into another ticket…", "Merge other tickets into this…"),
//! the palette and the bulk bar; every ticket it names is read by the
//! worker, and the merge is sent there too.

use egui::{RichText, Ui};

use super::super::commands::Action;
use super::widgets::{count_of, field_error};
use super::{Focus, TextBox};
use crate::domain::{MergeCounts, TicketDetail, TicketNumber};

/// A ticket and the version the agent saw.
pub type Seen = (TicketNumber, i64);

/// The most tickets one merge takes (a bulk pick of more is refused).
pub const MAX_MERGED: usize = 20;

/// One ticket the dialog names.
#[derive(Debug)]
pub struct Candidate {
    /// Its number.
    pub number: TicketNumber,
    /// Everything about it, once read; or why it could not be.
    pub detail: Option<Result<TicketDetail, String>>,
}

/// The dialog's state.
#[derive(Debug, Default)]
pub struct MergeDialog {
    /// The tickets involved, in the order they were named.
    pub tickets: Vec<Candidate>,
    /// The one kept (`None`: not chosen yet).
    pub keep: Option<TicketNumber>,
    /// The number typed to add a ticket.
    pub typed: String,
    /// Why the last try was refused (what was chosen stays).
    pub error: Option<String>,
    /// Whether the merge was sent and not answered yet.
    pub sending: bool,
}

impl MergeDialog {
    /// The dialog for `numbers`, keeping `keep`.
    pub fn new(numbers: &[TicketNumber], keep: Option<TicketNumber>) -> MergeDialog {
        MergeDialog {
            tickets: numbers
                .iter()
                .map(|&number| Candidate {
                    number,
                    detail: None,
                })
                .collect(),
            keep,
            ..MergeDialog::default()
        }
    }

    /// Takes in a ticket the worker read.
    pub fn candidate_read(&mut self, number: TicketNumber, read: Result<TicketDetail, String>) {
        if let Some(c) = self.tickets.iter_mut().find(|c| c.number == number) {
            c.detail = Some(read);
        }
    }

    /// Adds the ticket typed, which becomes the one kept if none is yet;
    /// returns its number for the worker to read, or says why not (what
    /// was typed stays).
    pub fn add_typed(&mut self) -> Option<TicketNumber> {
        let number = match self.typed.parse::<TicketNumber>() {
            Ok(number) => number,
            Err(why) => {
                self.error = Some(why);
                return None;
            }
        };
        if self.tickets.iter().any(|c| c.number == number) {
            self.error = Some(format!("{number} is in the merge already."));
            return None;
        }
        if self.tickets.len() >= MAX_MERGED {
            self.error = Some(format!("A merge takes up to {MAX_MERGED} tickets."));
            return None;
        }
        self.tickets.push(Candidate {
            number,
            detail: None,
        });
        self.keep.get_or_insert(number);
        self.typed.clear();
        self.error = None;
        Some(number)
    }

    /// Every ticket's details, once all were read.
    fn details(&self) -> Option<Vec<&TicketDetail>> {
        self.tickets
            .iter()
            .map(|c| match &c.detail {
                Some(Ok(d)) => Some(d),
                _ => None,
            })
            .collect()
    }

    /// What will move into the kept ticket, counted from the tickets as read.
    pub fn counts(&self) -> Option<MergeCounts> {
        let details = self.details()?;
        let keep = details.iter().find(|d| Some(d.number) == self.keep)?;
        let mut counts = MergeCounts::default();
        let mut tags: Vec<String> = Vec::new();
        let mut agents = Vec::new();
        for d in details.iter().filter(|d| d.number != keep.number) {
            counts.messages += d.messages.len() as u64;
            counts.notes += d.notes.len() as u64;
            for t in &d.tags {
                let name = t.name.to_lowercase();
                if !keep.tags.iter().any(|k| k.name.to_lowercase() == name) && !tags.contains(&name)
                {
                    tags.push(name);
                }
            }
            for a in d.assignees.iter().filter(|a| a.active) {
                if !keep.assignees.iter().any(|k| k.id == a.id) && !agents.contains(&a.id) {
                    agents.push(a.id);
                }
            }
        }
        counts.tags = tags.len() as u64;
        counts.assignees = agents.len() as u64;
        Some(counts)
    }

    /// The merge to send: the kept ticket and the others, each at the
    /// version read; or why it cannot be sent yet.
    pub fn request(&self) -> Result<(Seen, Vec<Seen>), String> {
        if self.tickets.len() < 2 {
            return Err("Name at least one more ticket: a merge takes two or more.".to_owned());
        }
        let Some(details) = self.details() else {
            return Err("Wait until every ticket is read.".to_owned());
        };
        let Some(keep) = self.keep else {
            return Err("Choose the ticket to keep.".to_owned());
        };
        if let Some(d) = details.iter().find(|d| d.merged_into().is_some()) {
            let into = d.merged_into().unwrap_or(d.number);
            return Err(format!(
                "{} was merged into {into} already; a ticket is merged only once.",
                d.number
            ));
        }
        let mut kept = None;
        let mut others = Vec::new();
        for d in details {
            if d.number == keep {
                kept = Some((d.number, d.version));
            } else {
                others.push((d.number, d.version));
            }
        }
        kept.map(|k| (k, others))
            .ok_or_else(|| "Choose the ticket to keep.".to_owned())
    }

    /// The sentence saying what will happen: what moves where, what is
    /// closed, and that it cannot be undone.
    pub fn summary(&self) -> Option<String> {
        let counts = self.counts()?;
        let keep = self.keep?;
        let others: Vec<String> = self
            .tickets
            .iter()
            .filter(|c| c.number != keep)
            .map(|c| c.number.to_string())
            .collect();
        if others.is_empty() {
            return None;
        }
        let moves = [
            count_of(counts.messages, "message", "messages"),
            count_of(counts.notes, "note", "notes"),
            count_of(counts.tags, "tag", "tags"),
            count_of(counts.assignees, "assignee", "assignees"),
        ];
        let closed = if others.len() == 1 {
            format!("{} is closed as merged", others[0])
        } else {
            format!("{} are closed as merged", join(&others))
        };
        Some(format!(
            "Moves {} into {keep} (from {}), and {closed}. A merge cannot be undone.",
            join(&moves),
            join(&others),
        ))
    }
}

/// "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What the dialog asks for this frame.
pub enum MergeChoice {
    /// Read this ticket (just added).
    Read(TicketNumber),
    /// Send the merge.
    Merge,
}

/// Draws the dialog.
pub fn merge_ui(
    ui: &mut Ui,
    dialog: &mut MergeDialog,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> Option<MergeChoice> {
    let mut choice = None;
    ui.heading("Merge tickets");
    ui.add(
        egui::Label::new(
            "Choose the ticket to keep: the others' messages, notes, tags and assignees move into it, and they are closed.",
        )
        .wrap(),
    );
    ui.add_space(6.0);
    for c in &dialog.tickets {
        ui.horizontal(|ui| {
            let subject = match &c.detail {
                Some(Ok(d)) => match d.merged_into() {
                    Some(into) => format!("{} (merged into {into} already)", d.subject),
                    None => d.subject.clone(),
                },
                Some(Err(why)) => why.clone(),
                None => "Reading…".to_owned(),
            };
            ui.radio_value(
                &mut dialog.keep,
                Some(c.number),
                format!("Keep {}", c.number),
            );
            ui.add(egui::Label::new(subject).truncate());
        });
    }
    ui.add_space(4.0);
    let field = ui
        .horizontal(|ui| {
            let label = ui.label("Add a ticket");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut dialog.typed)
                        .id(TextBox::MergeNumber.id())
                        .hint_text("TKT-000042 or 42")
                        .desired_width(160.0),
                )
                .labelled_by(label.id);
            focus.drawn(TextBox::MergeNumber, &response);
            let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Add").clicked() || entered) && !dialog.typed.trim().is_empty() {
                choice = dialog.add_typed().map(MergeChoice::Read);
                response.request_focus();
            }
            response
        })
        .inner;
    if field.changed() {
        dialog.error = None;
    }
    ui.add_space(6.0);
    let request = dialog.request();
    match (&request, dialog.summary()) {
        (Ok(_), Some(summary)) => {
            ui.add(egui::Label::new(RichText::new(summary).strong()).wrap());
        }
        (Err(why), _) => {
            ui.add(egui::Label::new(RichText::new(why).weak()).wrap());
        }
        _ => {}
    }
    field_error(ui, dialog.error.as_deref());
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let ready = request.is_ok() && !dialog.sending;
        if ui
            .add_enabled(ready, egui::Button::new("Merge"))
            .on_hover_text("Merge them now; this cannot be undone")
            .clicked()
        {
            choice = Some(MergeChoice::Merge);
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::CloseModal);
        }
        if dialog.sending {
            super::widgets::busy(ui, "Merging…");
        }
    });
    choice
}
