//! The Views section at the top of the sidebar: each view with its live
//! count, the one open marked, and, when the filters have moved away from
//! it, Save and Revert. Saved views have a menu on right-click.

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::super::commands::{Action, UiCommand};
use super::super::settings::ViewRef;
use super::widgets::{field_error, thousands};
use crate::domain::validate::MAX_VIEW_NAME_CHARS as MAX_VIEW_NAME;
use crate::store::{Sort, TicketFilter};

/// One row of the Views section.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewEntry {
    /// Which view.
    pub view: ViewRef,
    /// Its name.
    pub name: String,
    /// What it lists; `None` for "My open" while nobody is using the app.
    pub filter: Option<TicketFilter>,
    /// In what order.
    pub sort: Sort,
    /// Its hover text.
    pub hint: String,
}

/// What the Views section needs to draw.
pub struct ViewsInput<'a> {
    /// Every view, in order.
    pub entries: &'a [ViewEntry],
    /// Their counts, once known.
    pub counts: &'a HashMap<ViewRef, u64>,
    /// The view open.
    pub active: Option<&'a ViewRef>,
    /// Whether the filters or sort moved away from it.
    pub modified: bool,
    /// How many of My open changed since the agent last opened them.
    pub unread_mine: Option<u64>,
}

/// Draws the views; a click opens one.
pub fn views_ui(ui: &mut Ui, input: &ViewsInput<'_>, actions: &mut Vec<Action>) {
    // One line whatever the state, so the filters below never move: Save
    // and Revert take the place of "Save view…" while the open view is changed.
    ui.horizontal(|ui| {
        ui.label(RichText::new("Views").strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if !input.modified {
                if ui
                    .small_button("Save view…")
                    .on_hover_text("Save the filters, search and sort in force under a name")
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::SaveView));
                }
                return;
            }
            if ui
                .small_button("Revert")
                .on_hover_text("Put the view's own filters and sort back")
                .clicked()
            {
                actions.push(Action::RevertView);
            }
            if matches!(input.active, Some(ViewRef::Builtin(_))) {
                if ui
                    .small_button("Save as…")
                    .on_hover_text("Save these filters and this sort as a new view")
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::SaveView));
                }
            } else if ui
                .small_button("Save")
                .on_hover_text("Keep these filters and this sort in the view")
                .clicked()
            {
                actions.push(Action::SaveViewChanges);
            }
        });
    });
    let mut saved_header = None;
    for entry in input.entries {
        let heading = match entry.view {
            ViewRef::Builtin(_) => None,
            ViewRef::Personal(_) => Some("Yours"),
            ViewRef::Shared(_) => Some("The team's"),
        };
        if heading.is_some() && heading != saved_header {
            saved_header = heading;
            ui.add_space(2.0);
            ui.weak(heading.unwrap_or_default());
        }
        let active = input.active == Some(&entry.view);
        let count = input.counts.get(&entry.view).copied();
        let name = if active && input.modified {
            format!("{} •", entry.name)
        } else {
            entry.name.clone()
        };
        let new = match (&entry.view, input.unread_mine) {
            (ViewRef::Builtin(crate::store::views::BuiltinView::MyOpen), Some(n)) if n > 0 => {
                Some(n)
            }
            _ => None,
        };
        let right = match (count, new) {
            (Some(count), Some(new)) => format!("● {new} · {}", thousands(count)),
            (Some(count), None) => thousands(count),
            (None, _) => String::new(),
        };
        let button = egui::Button::selectable(active, RichText::new(&name))
            .right_text(RichText::new(&right).weak())
            .min_size(egui::vec2(ui.available_width(), 0.0))
            .truncate();
        let response = ui.add_enabled(entry.filter.is_some() || active, button);
        // The count is part of the name for screen readers and tests.
        let label = match (count, new) {
            (Some(n), Some(new)) => format!("{} {n}, {new} new", entry.name),
            (Some(n), None) => format!("{} {n}", entry.name),
            (None, _) => entry.name.clone(),
        };
        response
            .widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, active, &label));
        let response = response.on_hover_text(&entry.hint);
        if response.clicked() {
            actions.push(Action::OpenView(entry.view.clone()));
        }
        if !matches!(entry.view, ViewRef::Builtin(_)) {
            response.context_menu(|ui| {
                if ui.button("Rename…").clicked() {
                    actions.push(Action::AskViewName(Some(entry.view.clone())));
                }
                if ui.button("Move up").clicked() {
                    actions.push(Action::MoveView(entry.view.clone(), -1));
                }
                if ui.button("Move down").clicked() {
                    actions.push(Action::MoveView(entry.view.clone(), 1));
                }
                ui.separator();
                if ui.button("Delete").clicked() {
                    actions.push(Action::DeleteView(entry.view.clone()));
                }
            });
        }
    }
}

/// The dialog that names a new view or renames one.
#[derive(Debug, Default)]
pub struct ViewNameForm {
    /// The view being renamed; `None` for a new one.
    pub renaming: Option<ViewRef>,
    /// The name typed.
    pub name: String,
    /// Why the name was refused.
    pub error: Option<String>,
    /// Whether a new view is shared with the team.
    pub shared: bool,
    /// Whether the name is still to be selected whole (a rename starts so:
    /// typing replaces it, an arrow key keeps it).
    pub select_name: bool,
}

/// Draws the dialog.
pub fn view_name_ui(
    ui: &mut Ui,
    form: &mut ViewNameForm,
    focus: &mut super::Focus,
    actions: &mut Vec<Action>,
) {
    let title = if form.renaming.is_some() {
        "Rename view"
    } else {
        "Save view"
    };
    ui.set_width(360.0);
    ui.heading(title);
    ui.add_space(4.0);
    if form.renaming.is_none() {
        ui.label("Keeps the filters, search and sort in force under a name.");
    }
    let label = ui.label("Name");
    let id = super::TextBox::ViewName.id();
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut form.name)
                .id(id)
                .char_limit(MAX_VIEW_NAME)
                .hint_text("e.g. VIP refunds")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    focus.drawn(super::TextBox::ViewName, &response);
    // Selected once the box has the keyboard (taking it puts the
    // cursor at the end).
    if form.select_name && response.has_focus() {
        form.select_name = false;
        let mut state = egui::text_edit::TextEditState::load(ui.ctx(), id).unwrap_or_default();
        let all = egui::text::CCursorRange::select_all_str(&form.name);
        state.cursor.set_char_range(Some(all));
        state.store(ui.ctx(), id);
    }
    field_error(ui, form.error.as_deref());
    if form.renaming.is_none() {
        ui.checkbox(&mut form.shared, "Share with the team")
            .on_hover_text("Everyone using this database sees it; otherwise it is yours alone");
    }
    let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let save = ui.button(if form.renaming.is_some() {
            "Rename"
        } else {
            "Save"
        });
        if save.clicked() || enter {
            actions.push(Action::NameView(
                form.renaming.clone(),
                form.name.clone(),
                form.shared,
            ));
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::CloseModal);
        }
    });
}
