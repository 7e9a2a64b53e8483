//! The Detail tab: status, priority, customer, times, description,
//! assignees, tags and, once resolved, the customer's rating.
//!
//! The agent and tag pickers open as pop-ups over the panel, anchored to
//! their "+ Add" buttons: picking moves nothing under the pointer, and they
//! stay open for the next pick until Esc or a click elsewhere.

use egui::{RichText, Ui};

use super::super::super::commands::{Action, UiCommand};
use super::super::super::worker::protocol::Change;
use super::super::widgets::{chip, field_error, time_label};
use super::super::{Focus, TextBox};
use super::{Editing, PanelInput, PanelState, Place};
use crate::domain::{LinkKind, Priority, Status, TicketDetail};

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
        .width(140.0)
        .show_ui(ui, |ui| {
            for &option in options {
                ui.selectable_value(&mut picked, option, name(option));
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label));
    (picked != current).then_some(picked)
}

/// The height of a row of chips.
const CHIP_ROW: f32 = 26.0;

fn field_label(ui: &mut Ui, text: &str) -> egui::Response {
    ui.add_sized([80.0, 18.0], egui::Label::new(RichText::new(text).weak()))
}

/// A button whose accessible name says more than its text ("+ Add" that
/// adds an assignee).
fn named_button(ui: &mut Ui, text: &str, name: &str, hint: String) -> egui::Response {
    let response = ui.button(text).on_hover_text(hint);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name));
    response
}

pub(super) fn detail_tab(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    input: &PanelInput<'_>,
    focus: &mut Focus,
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
                    // The name is the link; a long email is cut short rather
                    // than widening the panel.
                    ui.vertical(|ui| {
                        ui.set_max_width(ui.available_width());
                        if ui
                            .add(egui::Link::new(&customer.name))
                            .on_hover_text("Show this customer's tickets")
                            .clicked()
                        {
                            actions
                                .push(Action::FilterCustomer(customer.id, customer.name.clone()));
                        }
                        if !customer.email.is_empty() {
                            ui.add(
                                egui::Label::new(RichText::new(&customer.email).weak()).truncate(),
                            );
                        }
                    });
                }
                None => {
                    ui.weak("None");
                }
            }
            ui.end_row();

            field_label(ui, "Created");
            time_label(ui, detail.created, input.now);
            ui.end_row();
            field_label(ui, "Updated");
            time_label(ui, detail.updated, input.now);
            ui.end_row();

            if !detail.external_refs.is_empty() {
                field_label(ui, "Imported");
                external_refs(ui, detail);
                ui.end_row();
            }
        });
    field_error(ui, state.error_at(Place::Fields));

    ui.add_space(8.0);
    description(ui, state, detail, focus, actions);
    ui.add_space(8.0);
    assignees(ui, state, detail, input, focus, actions);
    ui.add_space(8.0);
    tags(ui, state, detail, input, focus, actions);
    ui.add_space(8.0);
    links(ui, state, detail, focus, actions);
    if detail.status.is_resolved_like() {
        ui.add_space(8.0);
        rating(ui, state, detail, actions);
    }
}

fn description(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    let heading = ui
        .horizontal(|ui| {
            let heading = ui.label(RichText::new("Description").strong());
            if state.description_edit.is_none()
                && named_button(
                    ui,
                    "Edit",
                    "Edit the description",
                    "Edit the description".to_owned(),
                )
                .clicked()
            {
                state.description_edit = Some(Editing {
                    since: detail.version,
                    text: detail.description.clone(),
                });
                focus.request(TextBox::Description);
            }
            heading
        })
        .inner;
    match &mut state.description_edit {
        Some(edit) => {
            let response = ui
                .add(
                    egui::TextEdit::multiline(&mut edit.text)
                        .id(TextBox::Description.id())
                        .desired_rows(5)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(heading.id);
            focus.drawn(TextBox::Description, &response);
            let (since, text) = (edit.since, edit.text.clone());
            if response.changed() {
                state.clear_error(Place::Description);
            }
            field_error(ui, state.error_at(Place::Description));
            ui.horizontal(|ui| {
                if ui
                    .button("Save")
                    .on_hover_text(UiCommand::Submit.hint(ui.ctx(), "Save the description"))
                    .clicked()
                {
                    actions.push(Action::Change(Change::Description {
                        version: since,
                        text,
                    }));
                }
                if ui.button("Cancel").clicked() {
                    state.description_edit = None;
                    state.clear_error(Place::Description);
                }
            });
        }
        None if detail.description.is_empty() => {
            ui.weak("No description");
        }
        None => {
            ui.add(egui::Label::new(&detail.description).wrap());
        }
    }
}

/// A row of chips (each with its own ×) and a "+ Add" button that opens a
/// pop-up picker with a text box; the assignees and the tags are both one.
struct PickerRow<'a> {
    /// The row's heading: "Assignees".
    heading: &'a str,
    /// What shows when there are no chips: "Unassigned".
    empty: &'a str,
    /// Each chip: its name, its ×'s accessible name, the change × makes.
    chips: Vec<(String, String, Change)>,
    /// The Add button's accessible name, and its command.
    add: (&'a str, UiCommand),
    /// The picker's text box, its label and its hint.
    text_box: (TextBox, &'a str, &'a str),
}

/// Draws a [`PickerRow`]; while the picker is open (`query` is some), its
/// pop-up holds the text box and whatever `picker` draws below it, given
/// the text box's response and what is typed.
fn picker_row(
    ui: &mut Ui,
    row: PickerRow<'_>,
    query: &mut Option<String>,
    error: Option<&str>,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
    picker: impl FnOnce(&mut Ui, &egui::Response, &mut String, &mut Vec<Action>),
) {
    ui.label(RichText::new(row.heading).strong());
    let (text_box, label, hint) = row.text_box;
    let add = ui
        .horizontal_wrapped(|ui| {
            // As tall as a chip whether there is one or not: the first
            // pick moves nothing below.
            ui.set_min_height(CHIP_ROW);
            if row.chips.is_empty() {
                ui.weak(row.empty);
            }
            for (name, remove, change) in row.chips {
                if chip(ui, &name, &remove) {
                    actions.push(Action::Change(change));
                }
            }
            let (name, command) = row.add;
            let add = named_button(ui, "+ Add", name, command.hint(ui.ctx(), name));
            if add.clicked() && query.is_none() {
                *query = Some(String::new());
                focus.request(text_box);
            }
            add
        })
        .inner;
    field_error(ui, error);
    let Some(typed) = query else {
        return;
    };
    let mut open = true;
    egui::Popup::from_response(&add)
        .id(egui::Id::unique((row.heading, "picker")))
        .open_bool(&mut open)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .width(260.0)
        .show(|ui| {
            let label = ui.label(label);
            let response = ui
                .add(
                    egui::TextEdit::singleline(typed)
                        .id(text_box.id())
                        .hint_text(hint),
                )
                .labelled_by(label.id);
            focus.drawn(text_box, &response);
            picker(ui, &response, typed, actions);
        });
    if !open {
        *query = None;
    }
}

/// Whether Enter was pressed in the box this frame.
fn entered(ui: &Ui, response: &egui::Response) -> bool {
    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

fn assignees(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    input: &PanelInput<'_>,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    let row = PickerRow {
        heading: "Assignees",
        empty: "Unassigned",
        chips: detail
            .assignees
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    format!("Unassign {}", a.name),
                    Change::Unassign(a.id),
                )
            })
            .collect(),
        add: ("Add an assignee", UiCommand::Assign),
        text_box: (TextBox::AgentQuery, "Find an agent", "Name"),
    };
    let error = state.error_at(Place::Assignees).map(str::to_owned);
    let assigned = |id| detail.assignees.iter().any(|a| a.id == id);
    picker_row(
        ui,
        row,
        &mut state.assignee_query,
        error.as_deref(),
        focus,
        actions,
        |ui, response, query, actions| {
            let q = query.to_lowercase();
            let matches: Vec<_> = input
                .agents
                .iter()
                .filter(|a| a.active && !assigned(a.id) && a.name.to_lowercase().contains(&q))
                .take(8)
                .collect();
            // Enter assigns the first (often the only) match, and the box
            // stays ready for the next name.
            if entered(ui, response)
                && let Some(first) = matches.first()
            {
                actions.push(Action::Change(Change::Assign(first.id)));
                query.clear();
                response.request_focus();
            }
            for agent in &matches {
                if ui.button(format!("Assign {}", agent.name)).clicked() {
                    actions.push(Action::Change(Change::Assign(agent.id)));
                }
            }
            if matches.is_empty() {
                ui.weak("No matching agent");
            }
        },
    );
}

fn tags(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    input: &PanelInput<'_>,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    let row = PickerRow {
        heading: "Tags",
        empty: "No tags",
        chips: detail
            .tags
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    format!("Remove the tag {}", t.name),
                    Change::RemoveTag(t.id),
                )
            })
            .collect(),
        add: ("Add a tag", UiCommand::AddTag),
        text_box: (TextBox::NewTag, "New tag", "Type a tag and press Enter"),
    };
    let error = state.error_at(Place::Tags).map(str::to_owned);
    picker_row(
        ui,
        row,
        &mut state.tag_input,
        error.as_deref(),
        focus,
        actions,
        |ui, response, typed, actions| {
            let lower = typed.trim().to_lowercase();
            if entered(ui, response) {
                if !lower.is_empty() {
                    actions.push(Action::Change(Change::AddTag(typed.trim().to_owned())));
                    typed.clear();
                }
                // Ready for the next tag.
                response.request_focus();
            }
            ui.horizontal_wrapped(|ui| {
                let suggestions = input
                    .tags
                    .iter()
                    .filter(|t| !detail.tags.iter().any(|d| d.id == t.id))
                    .filter(|t| lower.is_empty() || t.name.to_lowercase().starts_with(&lower))
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
        },
    );
}

/// Where the ticket was imported from: its id in each help desk ("Zendesk
/// #12345"), which the list's search finds it by; named for screen readers
/// as "Imported from Zendesk #12345".
fn external_refs(ui: &mut Ui, detail: &TicketDetail) {
    ui.vertical(|ui| {
        for external in &detail.external_refs {
            let label = external.label();
            ui.add(egui::Label::new(&label).truncate())
                .on_hover_text(format!(
                    "Its id in {}, where it was imported from: search for {} to find it",
                    external.source_name(),
                    external.external_id
                ))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::Label,
                        true,
                        format!("Imported from {label}"),
                    )
                });
        }
    });
}

/// Links to other tickets: the merge this ticket went into or took in,
/// related tickets and duplicates, each opening its ticket when clicked;
/// a number and a kind add one.
fn links(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new("Links").strong());
    if detail.links.is_empty() {
        ui.weak("No links");
    }
    for link in &detail.links {
        ui.horizontal(|ui| {
            let label = link.label();
            if ui
                .add(egui::Link::new(&label))
                .on_hover_text(format!("Open {}: {}", link.other, link.subject))
                .clicked()
            {
                actions.push(Action::Select(link.other));
            }
            ui.add(egui::Label::new(RichText::new(&link.subject).weak()).truncate());
            // A merge stays: it cannot be undone.
            if link.kind != LinkKind::Merged
                && super::small_named_button(ui, "×", &format!("Remove the link: {label}"))
                    .clicked()
            {
                actions.push(Action::Change(Change::Unlink {
                    other: link.other,
                    kind: link.kind,
                    outgoing: link.outgoing,
                }));
            }
        });
    }
    ui.horizontal(|ui| {
        let label = ui.label("Link to");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut state.link_input)
                    .id(TextBox::LinkNumber.id())
                    .hint_text("Ticket number")
                    .desired_width(90.0),
            )
            .labelled_by(label.id);
        focus.drawn(TextBox::LinkNumber, &response);
        if response.changed() {
            state.clear_error(Place::Links);
        }
        let kinds = [LinkKind::Related, LinkKind::Duplicate];
        let name = |kind: LinkKind| {
            if kind == LinkKind::Duplicate {
                "Duplicate of"
            } else {
                "Related"
            }
        };
        if let Some(kind) = choice(ui, "Link kind", state.link_kind, &kinds, name) {
            state.link_kind = kind;
        }
        if ui.button("Add link").clicked() || entered(ui, &response) {
            match state.link_input.parse::<crate::domain::TicketNumber>() {
                Ok(other) => {
                    let kind = state.link_kind;
                    actions.push(Action::Change(Change::Link { other, kind }));
                }
                Err(why) => state.error = Some((Place::Links, why)),
            }
        }
    });
    field_error(ui, state.error_at(Place::Links));
}

/// The customer's rating as five stars, each a button named for screen
/// readers ("Rate 4 of 5"); the stars up to the rating are filled.
fn rating(ui: &mut Ui, state: &PanelState, detail: &TicketDetail, actions: &mut Vec<Action>) {
    ui.label(RichText::new("Customer satisfaction").strong());
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        let gold = egui::Color32::from_rgb(0xe8, 0xa3, 0x17);
        for stars in 1..=5u8 {
            let lit = detail.csat.is_some_and(|r| stars <= r);
            let text = if lit {
                RichText::new("★").color(gold).size(18.0)
            } else {
                RichText::new("☆").weak().size(18.0)
            };
            let name = format!("Rate {stars} of 5");
            let response = ui
                .add(egui::Button::new(text).frame(false))
                .on_hover_text(&name);
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
            if response.clicked() && detail.csat != Some(stars) {
                actions.push(Action::Change(Change::Csat {
                    version: detail.version,
                    rating: stars,
                }));
            }
        }
        ui.add_space(6.0);
        match detail.csat {
            Some(r) => ui.weak(format!("{r} of 5")),
            None => ui.weak("Not rated"),
        };
    });
    field_error(ui, state.error_at(Place::Rating));
}
