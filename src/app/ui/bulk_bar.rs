//! The line above the list while tickets are picked, in place of the
//! header's: how many, and what to do to all of them (status, priority,
//! assignees, tags, a note).

use egui::{RichText, Ui};

use super::super::commands::{Action, UiCommand};
use super::widgets::thousands;
use crate::domain::{Agent, AgentId, BulkChange, Priority, Status, Tag};

/// What the bar needs to draw.
pub struct BulkBarInput<'a> {
    /// How many tickets are picked.
    pub count: u64,
    /// Whether some are still being named by the store.
    pub waiting: bool,
    /// Whether a bulk change is running.
    pub running: bool,
    /// Every agent.
    pub agents: &'a [Agent],
    /// Every tag.
    pub tags: &'a [Tag],
    /// The agent using the app.
    pub me: Option<AgentId>,
}

/// What is being typed in the bar's boxes.
#[derive(Debug, Default)]
pub struct BulkDraft {
    /// A tag to add.
    pub tag: String,
    /// A note to add to each ticket.
    pub note: String,
}

/// Draws the bar.
pub fn bulk_bar_ui(
    ui: &mut Ui,
    input: &BulkBarInput<'_>,
    draft: &mut BulkDraft,
    actions: &mut Vec<Action>,
) {
    let mut act = |change: BulkChange| actions.push(Action::Bulk(change));
    let mut clear = false;
    let mut merge = false;
    // In place of the header line, at its height: picking the first ticket
    // moves no row from under the pointer.
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), super::list_header::HEADER_HEIGHT),
        egui::Sense::hover(),
    );
    let mut line = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    line.scope(|ui| {
        let picked = if input.waiting {
            format!("{} selected (naming them…)", thousands(input.count))
        } else {
            format!("{} selected", thousands(input.count))
        };
        ui.label(RichText::new(picked).strong());
        ui.add_enabled_ui(!input.running && !input.waiting, |ui| {
            ui.menu_button("Status ▾", |ui| {
                for status in Status::ALL {
                    if ui.button(status.label()).clicked() {
                        act(BulkChange::Status(status));
                    }
                }
            });
            ui.menu_button("Priority ▾", |ui| {
                for priority in Priority::ALL {
                    if ui.button(priority.label()).clicked() {
                        act(BulkChange::Priority(priority));
                    }
                }
            });
            ui.menu_button("Assign ▾", |ui| {
                if let Some(me) = input.me
                    && ui.button("Me").clicked()
                {
                    act(BulkChange::Assign(me));
                }
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .show(ui, |ui| {
                        for agent in input.agents.iter().filter(|a| a.active) {
                            if ui.button(&agent.name).clicked() {
                                act(BulkChange::Assign(agent.id));
                            }
                        }
                    });
            });
            ui.menu_button("Unassign ▾", |ui| {
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .show(ui, |ui| {
                        for agent in input.agents {
                            if ui.button(&agent.name).clicked() {
                                act(BulkChange::Unassign(agent.id));
                            }
                        }
                    });
            });
            ui.menu_button("Tags ▾", |ui| {
                ui.set_min_width(220.0);
                let label = ui.label("Add a tag");
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut draft.tag)
                            .hint_text("Tag name")
                            .char_limit(crate::domain::validate::MAX_TAG_CHARS),
                    )
                    .labelled_by(label.id);
                let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui.button("Add to each").clicked() || enter) && !draft.tag.trim().is_empty() {
                    act(BulkChange::AddTag(draft.tag.trim().to_owned()));
                    draft.tag.clear();
                    ui.close();
                }
                if !input.tags.is_empty() {
                    ui.separator();
                    ui.weak("Remove a tag");
                    egui::ScrollArea::vertical()
                        .max_height(240.0)
                        .show(ui, |ui| {
                            for tag in input.tags {
                                if ui.button(format!("Remove “{}”", tag.name)).clicked() {
                                    act(BulkChange::RemoveTag(tag.id));
                                }
                            }
                        });
                }
            });
            ui.menu_button("Note ▾", |ui| {
                ui.set_min_width(320.0);
                let label = ui.label("Add the same internal note to each ticket");
                ui.add(
                    egui::TextEdit::multiline(&mut draft.note)
                        .hint_text("Findings, handoff details, next steps")
                        .desired_rows(3),
                )
                .labelled_by(label.id);
                if ui.button("Add note to each").clicked() && !draft.note.trim().is_empty() {
                    act(BulkChange::AddNote(draft.note.trim().to_owned()));
                    draft.note.clear();
                    ui.close();
                }
            });
        });
        if ui
            .add_enabled(
                !input.running && !input.waiting,
                egui::Button::new("Merge…"),
            )
            .on_hover_text("Merge the picked tickets into one of them")
            .clicked()
        {
            merge = true;
        }
        if ui
            .button("Clear")
            .on_hover_text("Let every picked ticket go (Esc)")
            .clicked()
        {
            clear = true;
        }
    });
    if merge {
        actions.push(Action::Command(UiCommand::MergeHere));
    }
    if clear {
        actions.push(Action::ClearSelection);
    }
}

/// What the keyboard's A and T ask of the picked tickets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickKind {
    /// Assign an agent to each.
    Assign,
    /// Add a tag to each.
    Tag,
    /// Add the same internal note to each.
    Note,
}

/// The small dialog A and T open while tickets are picked: an agent to
/// assign, or a tag to add, to all of them.
#[derive(Debug)]
pub struct BulkPick {
    /// Which.
    pub kind: PickKind,
    /// How many tickets.
    pub count: u64,
    /// What is typed: part of an agent's name, or the tag.
    pub query: String,
}

/// Draws the dialog; Enter takes the first agent shown, or the tag typed.
pub fn bulk_pick_ui(
    ui: &mut Ui,
    form: &mut BulkPick,
    agents: &[Agent],
    focus: &mut super::Focus,
    actions: &mut Vec<Action>,
) {
    let tickets = super::widgets::count_of(form.count, "ticket", "tickets");
    let (title, label, hint) = match form.kind {
        PickKind::Assign => (format!("Assign {tickets}"), "Find an agent", "Name"),
        PickKind::Tag => (format!("Tag {tickets}"), "Tag", "Tag name"),
        PickKind::Note => (
            format!("Add a note to {tickets}"),
            "Internal note",
            "Findings, handoff details, next steps",
        ),
    };
    ui.heading(title);
    let label = ui.label(label);
    let edit = if form.kind == PickKind::Note {
        egui::TextEdit::multiline(&mut form.query).desired_rows(4)
    } else {
        egui::TextEdit::singleline(&mut form.query)
    };
    let response = ui
        .add(
            edit.id(super::TextBox::BulkPick.id())
                .hint_text(hint)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    focus.drawn(super::TextBox::BulkPick, &response);
    let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let query = form.query.trim().to_lowercase();
    match form.kind {
        PickKind::Assign => {
            let matching: Vec<&Agent> = agents
                .iter()
                .filter(|a| a.active && a.name.to_lowercase().contains(&query))
                .collect();
            if matching.is_empty() {
                ui.weak("No active agent has that name.");
            }
            egui::ScrollArea::vertical()
                .max_height(260.0)
                .show(ui, |ui| {
                    for agent in &matching {
                        if ui.button(&agent.name).clicked() {
                            actions.push(Action::Bulk(BulkChange::Assign(agent.id)));
                            actions.push(Action::CloseModal);
                        }
                    }
                });
            if enter && let Some(first) = matching.first() {
                actions.push(Action::Bulk(BulkChange::Assign(first.id)));
                actions.push(Action::CloseModal);
            }
        }
        PickKind::Tag => {
            let add = ui.button("Add to each").clicked();
            if (add || enter) && !form.query.trim().is_empty() {
                actions.push(Action::Bulk(BulkChange::AddTag(
                    form.query.trim().to_owned(),
                )));
                actions.push(Action::CloseModal);
            }
        }
        // Enter makes a new line in a note; the button (or Ctrl+Enter, the
        // window's Submit) adds it.
        PickKind::Note => {
            let add = ui
                .button("Add note to each")
                .on_hover_text("Each ticket gets its own copy, with its own entry in the trail")
                .clicked();
            if add && !form.query.trim().is_empty() {
                actions.push(Action::Bulk(BulkChange::AddNote(
                    form.query.trim().to_owned(),
                )));
                actions.push(Action::CloseModal);
            }
        }
    }
}
