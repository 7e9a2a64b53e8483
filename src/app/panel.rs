//! The ticket panel: Detail, Conversation, Notes and Activity of one ticket.
//!
//! What the agent types stays here until the store confirms the change: a
//! refused change (a conflict, a rule) leaves the text in place to try again.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use egui::{RichText, Ui};

use super::Action;
use super::widgets::{
    badge, busy, button_pair, exact_time, priority_color, status_color, time_label,
};
use super::worker::Change;
use crate::domain::{Agent, Direction, NoteId, Priority, Status, Tag, TicketDetail, TicketNumber};

/// The panel's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// Fields, assignees, tags, rating.
    #[default]
    Detail,
    /// Messages with the customer.
    Conversation,
    /// Internal notes.
    Notes,
    /// The audit trail.
    Activity,
}

/// Text typed in the panel and not yet saved, kept per ticket so moving to
/// another ticket (or closing the panel) loses nothing.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    description: Option<Editing>,
    note: String,
    message: String,
    note_edits: HashMap<NoteId, Editing>,
}

/// Text being edited, with the version it was edited from: saving asks the
/// store to apply it to that version, so a change made elsewhere meanwhile
/// is refused rather than silently overwritten.
#[derive(Clone, Debug)]
pub struct Editing {
    /// The ticket's (or note's) version when editing began, or when the
    /// agent was last shown the latest version after a conflict.
    pub since: i64,
    /// What is typed.
    pub text: String,
}

/// Everything the panel holds for the open ticket.
#[derive(Default)]
pub struct PanelState {
    /// The ticket shown.
    pub ticket: Option<TicketNumber>,
    /// Its details, once loaded.
    pub detail: Option<TicketDetail>,
    /// The tab on show.
    pub tab: Tab,
    /// The description being edited, if Edit was pressed.
    pub description_edit: Option<Editing>,
    /// The "Add a note" box.
    pub note_input: String,
    /// The message box on the Conversation tab.
    pub message_input: String,
    /// Notes being edited.
    pub note_edits: HashMap<NoteId, Editing>,
    /// A change was refused as a conflict: once the latest version arrives,
    /// the edits under way are based on it (the agent has now seen it).
    rebase_edits: bool,
    /// A note whose deletion awaits confirmation.
    pub confirm_delete: Option<NoteId>,
    /// The agent picker's search, while it is open.
    pub assignee_query: Option<String>,
    /// The tag box, while it is open.
    pub tag_input: Option<String>,
    /// Why the last change was refused.
    pub error: Option<String>,
    /// The agent picker or the tag box was just opened: put the cursor in it
    /// once (asking every frame would take the keyboard from every other field).
    focus_new_box: bool,
}

impl PanelState {
    /// Opens a ticket, keeping the tab.
    /// Takes the unsaved text out of the panel, if there is any.
    pub fn take_draft(&mut self) -> Option<(TicketNumber, Draft)> {
        let draft = Draft {
            description: self.description_edit.take(),
            note: std::mem::take(&mut self.note_input),
            message: std::mem::take(&mut self.message_input),
            note_edits: std::mem::take(&mut self.note_edits),
        };
        let empty = draft.description.is_none()
            && draft.note.trim().is_empty()
            && draft.message.trim().is_empty()
            && draft.note_edits.is_empty();
        match self.ticket {
            Some(ticket) if !empty => Some((ticket, draft)),
            _ => None,
        }
    }

    /// Puts unsaved text kept from an earlier visit back in place.
    pub fn restore(&mut self, draft: Draft) {
        self.description_edit = draft.description;
        self.note_input = draft.note;
        self.message_input = draft.message;
        self.note_edits = draft.note_edits;
    }

    /// Closes the small pickers (agent, tag), if one is open; says whether one was.
    pub fn close_picker(&mut self) -> bool {
        let open = self.assignee_query.is_some() || self.tag_input.is_some();
        self.assignee_query = None;
        self.tag_input = None;
        open
    }

    /// Opens a ticket, keeping the tab.
    pub fn open(&mut self, ticket: TicketNumber) {
        if self.ticket != Some(ticket) {
            let tab = self.tab;
            *self = PanelState {
                ticket: Some(ticket),
                tab,
                ..PanelState::default()
            };
        }
    }

    /// The ticket as loaded. After a conflict, edits under way now apply to
    /// this version: saving again is the agent's decision over what is shown.
    pub fn loaded(&mut self, detail: TicketDetail) {
        if std::mem::take(&mut self.rebase_edits) {
            if let Some(edit) = &mut self.description_edit {
                edit.since = detail.version;
            }
            for note in &detail.notes {
                if let Some(edit) = self.note_edits.get_mut(&note.id) {
                    edit.since = note.version;
                }
            }
        }
        self.detail = Some(detail);
    }

    /// A change was refused; a conflict reloads the ticket.
    pub fn refused(&mut self, message: String, conflict: bool) {
        self.error = Some(message);
        self.rebase_edits |= conflict;
    }

    /// A change was saved: clears the text it came from.
    pub fn saved(&mut self, change: &Change) {
        self.error = None;
        match change {
            Change::Description { .. } => self.description_edit = None,
            Change::AddNote(_) => self.note_input.clear(),
            Change::Message { .. } => self.message_input.clear(),
            Change::EditNote { note, .. } => {
                self.note_edits.remove(note);
            }
            Change::AddTag(_) => self.tag_input = None,
            Change::Assign(_) => self.assignee_query = None,
            _ => {}
        }
    }
}

/// Draws the panel; changes become actions.
pub fn panel_ui(
    ui: &mut Ui,
    state: &mut PanelState,
    agents: &[Agent],
    tags: &[Tag],
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) {
    let Some(number) = state.ticket else {
        return;
    };
    ui.horizontal(|ui| {
        ui.heading(number.to_string());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("×").on_hover_text("Close (Esc)").clicked() {
                actions.push(Action::ClosePanel);
            }
        });
    });
    let Some(detail) = state.detail.clone() else {
        busy(ui, "Loading…");
        return;
    };
    ui.label(RichText::new(&detail.subject).size(16.0).strong());
    ui.horizontal(|ui| {
        badge(ui, detail.status.label(), status_color(detail.status));
        badge(ui, detail.priority.label(), priority_color(detail.priority));
    });
    if let Some(error) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    ui.separator();
    ui.horizontal(|ui| {
        for (tab, name) in [
            (Tab::Detail, "Detail".to_owned()),
            (
                Tab::Conversation,
                format!("Conversation ({})", detail.messages.len()),
            ),
            (Tab::Notes, format!("Notes ({})", detail.notes.len())),
            (Tab::Activity, "Activity".to_owned()),
        ] {
            ui.selectable_value(&mut state.tab, tab, name);
        }
    });
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match state.tab {
            Tab::Detail => detail_tab(ui, state, &detail, agents, tags, now, actions),
            Tab::Conversation => conversation_tab(ui, state, &detail, now, actions),
            Tab::Notes => notes_tab(ui, state, &detail, now, actions),
            Tab::Activity => {
                for entry in &detail.activity {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(entry.sentence());
                        ui.weak("·");
                        time_label(ui, entry.at, now);
                    });
                }
            }
        });
}

/// A dropdown of `options`, announced to screen readers as `label`; returns
/// the option picked this frame, if it differs from `current`.
fn choice<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    current: T,
    options: &[T],
    name: fn(T) -> &'static str,
) -> Option<T> {
    let mut picked = current;
    egui::ComboBox::from_id_salt(label)
        .selected_text(name(current))
        .show_ui(ui, |ui| {
            for &option in options {
                ui.selectable_value(&mut picked, option, name(option));
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label));
    (picked != current).then_some(picked)
}

fn field_label(ui: &mut Ui, text: &str) -> egui::Response {
    ui.add_sized([90.0, 18.0], egui::Label::new(RichText::new(text).weak()))
}

fn detail_tab(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    agents: &[Agent],
    tags: &[Tag],
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) {
    let version = detail.version;
    egui::Grid::new("detail_grid")
        .num_columns(2)
        .spacing([8.0, 8.0])
        .show(ui, |ui| {
            field_label(ui, "Status");
            if let Some(to) = choice(ui, "Status", detail.status, &Status::ALL, Status::label) {
                actions.push(Action::Change(Change::Status { version, to }));
            }
            ui.end_row();

            field_label(ui, "Priority");
            if let Some(to) = choice(
                ui,
                "Priority",
                detail.priority,
                &Priority::ALL,
                Priority::label,
            ) {
                actions.push(Action::Change(Change::Priority { version, to }));
            }
            ui.end_row();

            field_label(ui, "Customer");
            match &detail.customer {
                Some(customer) => {
                    let text = if customer.email.is_empty() {
                        customer.name.clone()
                    } else {
                        format!("{} <{}>", customer.name, customer.email)
                    };
                    if ui
                        .link(text)
                        .on_hover_text("Show this customer's tickets")
                        .clicked()
                    {
                        actions.push(Action::FilterCustomer(customer.id));
                    }
                }
                None => {
                    ui.weak("None");
                }
            }
            ui.end_row();

            field_label(ui, "Created");
            time_label(ui, detail.created, now);
            ui.end_row();
            field_label(ui, "Updated");
            time_label(ui, detail.updated, now);
            ui.end_row();
        });

    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Description").strong());
        if state.description_edit.is_none() && ui.button("Edit").clicked() {
            state.description_edit = Some(Editing {
                since: detail.version,
                text: detail.description.clone(),
            });
        }
    });
    match &mut state.description_edit {
        Some(edit) => {
            let label = ui.label("Edit the description");
            ui.add(
                egui::TextEdit::multiline(&mut edit.text)
                    .desired_rows(5)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            let (save, cancel) = button_pair(ui, "Save", "Cancel");
            if save {
                actions.push(Action::Change(Change::Description {
                    version: edit.since,
                    text: edit.text.clone(),
                }));
            }
            if cancel {
                state.description_edit = None;
            }
        }
        None if detail.description.is_empty() => {
            ui.weak("No description");
        }
        None => {
            ui.label(&detail.description);
        }
    }

    ui.add_space(8.0);
    ui.label(RichText::new("Assignees").strong());
    ui.horizontal_wrapped(|ui| {
        if detail.assignees.is_empty() {
            ui.weak("Unassigned");
        }
        for agent in &detail.assignees {
            if ui
                .button(format!("{} ×", agent.name))
                .on_hover_text(format!("Unassign {}", agent.name))
                .clicked()
            {
                actions.push(Action::Change(Change::Unassign(agent.id)));
            }
        }
        if state.assignee_query.is_none()
            && ui
                .button("+ Add")
                .on_hover_text("Assign an agent")
                .clicked()
        {
            state.assignee_query = Some(String::new());
            state.focus_new_box = true;
        }
    });
    if let Some(query) = &mut state.assignee_query {
        let label = ui.label("Find an agent");
        let response = ui
            .add(egui::TextEdit::singleline(query).hint_text("Name"))
            .labelled_by(label.id);
        if std::mem::take(&mut state.focus_new_box) {
            response.request_focus();
        }
        let q = query.to_lowercase();
        let mut shown = 0;
        for agent in agents {
            if !agent.active
                || detail.assignees.iter().any(|a| a.id == agent.id)
                || !agent.name.to_lowercase().contains(&q)
            {
                continue;
            }
            shown += 1;
            if ui.button(format!("Assign {}", agent.name)).clicked() {
                actions.push(Action::Change(Change::Assign(agent.id)));
            }
            if shown >= 8 {
                break;
            }
        }
        if shown == 0 {
            ui.weak("No matching agent");
        }
        if ui.button("Done").clicked() {
            state.assignee_query = None;
        }
    }

    ui.add_space(8.0);
    ui.label(RichText::new("Tags").strong());
    ui.horizontal_wrapped(|ui| {
        if detail.tags.is_empty() {
            ui.weak("No tags");
        }
        for tag in &detail.tags {
            if ui
                .button(format!("{} ×", tag.name))
                .on_hover_text(format!("Remove the tag {}", tag.name))
                .clicked()
            {
                actions.push(Action::Change(Change::RemoveTag(tag.id)));
            }
        }
        if state.tag_input.is_none() && ui.button("+ Add").on_hover_text("Add a tag").clicked() {
            state.tag_input = Some(String::new());
            state.focus_new_box = true;
        }
    });
    if let Some(input) = &mut state.tag_input {
        let label = ui.label("New tag");
        let response = ui
            .add(egui::TextEdit::singleline(input).hint_text("Type a tag and press Enter"))
            .labelled_by(label.id);
        let typed = input.trim().to_lowercase();
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if entered && !typed.is_empty() {
            actions.push(Action::Change(Change::AddTag(input.trim().to_owned())));
        } else if entered || std::mem::take(&mut state.focus_new_box) {
            // Just opened, or Enter on an empty box: keep the cursor here.
            response.request_focus();
        }
        ui.horizontal_wrapped(|ui| {
            let suggestions = tags
                .iter()
                .filter(|t| !detail.tags.iter().any(|d| d.id == t.id))
                .filter(|t| typed.is_empty() || t.name.to_lowercase().starts_with(&typed))
                .take(10);
            for tag in suggestions {
                if ui
                    .button(&tag.name)
                    .on_hover_text(format!("Add the tag {}", tag.name))
                    .clicked()
                {
                    actions.push(Action::Change(Change::AddTag(tag.name.clone())));
                }
            }
        });
        if ui.button("Done").clicked() {
            state.tag_input = None;
        }
    }

    if detail.status.is_resolved_like() {
        ui.add_space(8.0);
        ui.label(RichText::new("Customer satisfaction").strong());
        ui.horizontal(|ui| {
            for rating in 1..=5u8 {
                let chosen = detail.csat == Some(rating);
                if ui
                    .selectable_label(chosen, format!("{rating}"))
                    .on_hover_text(format!("Rate {rating} of 5"))
                    .clicked()
                    && !chosen
                {
                    actions.push(Action::Change(Change::Csat { version, rating }));
                }
            }
            match detail.csat {
                Some(r) => ui.weak(format!("{r} of 5")),
                None => ui.weak("Not rated"),
            };
        });
    }
}

/// Whether Ctrl+Enter (Cmd+Enter) was pressed this frame.
fn submit_pressed(ui: &Ui) -> bool {
    ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter))
}

fn conversation_tab(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) {
    if detail.messages.is_empty() {
        ui.weak("No messages yet.");
    }
    for message in &detail.messages {
        let (who, fill) = match message.direction {
            Direction::Inbound => (
                detail
                    .customer
                    .as_ref()
                    .map_or("Customer".to_owned(), |c| c.name.clone()),
                ui.visuals().faint_bg_color,
            ),
            Direction::Outbound => (
                format!(
                    "{} (reply)",
                    message.author.as_ref().map_or("Agent", |a| a.name.as_str())
                ),
                ui.visuals().extreme_bg_color,
            ),
        };
        egui::Frame::group(ui.style()).fill(fill).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(who).strong());
                time_label(ui, message.at, now);
            });
            ui.label(&message.body);
        });
    }
    ui.add_space(8.0);
    let label = ui.label("Message");
    let response = ui
        .add(
            egui::TextEdit::multiline(&mut state.message_input)
                .hint_text("Write a reply, or paste what the customer sent")
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    let shortcut = response.has_focus() && submit_pressed(ui);
    ui.horizontal(|ui| {
        if ui
            .button("Send reply")
            .on_hover_text("Ctrl+Enter")
            .clicked()
            || shortcut
        {
            actions.push(Action::Change(Change::Message {
                direction: Direction::Outbound,
                text: state.message_input.clone(),
            }));
        }
        if ui.button("Record customer message").clicked() {
            actions.push(Action::Change(Change::Message {
                direction: Direction::Inbound,
                text: state.message_input.clone(),
            }));
        }
    });
}

fn notes_tab(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) {
    ui.label(
        RichText::new("Internal notes: your team sees these; the customer never does.").weak(),
    );
    let label = ui.label("Add a note");
    let response = ui
        .add(
            egui::TextEdit::multiline(&mut state.note_input)
                .hint_text("Findings, handoff details, next steps")
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    let shortcut = response.has_focus() && submit_pressed(ui);
    if ui.button("Add Note").on_hover_text("Ctrl+Enter").clicked() || shortcut {
        actions.push(Action::Change(Change::AddNote(state.note_input.clone())));
    }
    ui.separator();
    if detail.notes.is_empty() {
        ui.weak("No notes yet.");
    }
    for note in detail.notes.iter().rev() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(note.author.as_ref().map_or("Someone", |a| a.name.as_str()))
                        .strong(),
                );
                time_label(ui, note.created, now);
                if note.updated != note.created {
                    ui.weak("(edited)").on_hover_text(exact_time(note.updated));
                }
            });
            if let Some(edit) = state.note_edits.get_mut(&note.id) {
                let label = ui.label("Edit the note");
                ui.add(egui::TextEdit::multiline(&mut edit.text).desired_width(f32::INFINITY))
                    .labelled_by(label.id);
                let (since, text) = (edit.since, edit.text.clone());
                ui.horizontal(|ui| {
                    if ui.button("Save note").clicked() {
                        actions.push(Action::Change(Change::EditNote {
                            note: note.id,
                            version: since,
                            text,
                        }));
                    }
                    if ui.button("Cancel").clicked() {
                        state.note_edits.remove(&note.id);
                    }
                });
            } else {
                ui.label(&note.body);
                if state.confirm_delete == Some(note.id) {
                    ui.horizontal(|ui| {
                        ui.colored_label(ui.visuals().warn_fg_color, "Delete this note?");
                        if ui.button("Delete").clicked() {
                            actions.push(Action::Change(Change::DeleteNote(note.id)));
                            state.confirm_delete = None;
                        }
                        if ui.button("Keep").clicked() {
                            state.confirm_delete = None;
                        }
                    });
                } else {
                    ui.horizontal(|ui| {
                        if ui
                            .small_button("Edit")
                            .on_hover_text("Edit this note")
                            .clicked()
                        {
                            state.note_edits.insert(
                                note.id,
                                Editing {
                                    since: note.version,
                                    text: note.body.clone(),
                                },
                            );
                        }
                        if ui
                            .small_button("Delete…")
                            .on_hover_text("Delete this note")
                            .clicked()
                        {
                            state.confirm_delete = Some(note.id);
                        }
                    });
                }
            }
        });
    }
}
