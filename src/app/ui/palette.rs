//! The command palette (Ctrl+K): every command, found by typing words of
//! its name, with its shortcut beside it; a ticket number opens that
//! ticket. ↑ and ↓ choose, Enter runs.

use egui::{RichText, Sense, Ui};

use super::super::commands::{Action, Menu, Needs, UiCommand};
use super::{Focus, TextBox};
use crate::domain::TicketNumber;

/// The palette's state.
#[derive(Debug, Default)]
pub struct Palette {
    /// What is typed.
    pub query: String,
    /// The row Enter runs.
    selected: usize,
}

impl Palette {
    /// The palette with `query` typed already ("status " for S).
    pub fn new(query: &str) -> Self {
        Palette {
            query: query.to_owned(),
            selected: 0,
        }
    }
}

/// What the commands can act on now.
pub struct Context {
    /// A database is open.
    pub database_open: bool,
    /// A ticket is open in the panel.
    pub ticket_open: bool,
}

/// One row of the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Row {
    Command(UiCommand),
    GoTo(TicketNumber),
}

/// A ticket number as typed: "12", "#12", "tkt-12", "TKT-000012".
fn ticket_number(query: &str) -> Option<TicketNumber> {
    let q = query.trim().trim_start_matches('#');
    let digits = if q.len() > 4 && q[..4].eq_ignore_ascii_case("tkt-") {
        &q[4..]
    } else {
        q
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0).map(TicketNumber)
}

/// Whether every word typed is in the command's name.
fn matches(command: UiCommand, words: &[String]) -> bool {
    let label = command.label().to_lowercase();
    words.iter().all(|w| label.contains(w.as_str()))
}

fn rows(query: &str, context: &Context) -> Vec<Row> {
    let mut rows = Vec::new();
    if let Some(number) = ticket_number(query)
        && context.database_open
    {
        rows.push(Row::GoTo(number));
    }
    let words: Vec<String> = query
        .trim_start_matches('#')
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let available = |c: UiCommand| match c.needs() {
        Needs::Nothing => true,
        Needs::Database => context.database_open,
        Needs::Ticket => context.ticket_open,
    };
    // Commands that make no sense from the palette itself.
    let offered = |c: UiCommand| {
        !matches!(
            c,
            UiCommand::Palette | UiCommand::Submit | UiCommand::Close | UiCommand::GoToTicket
        ) && (c.menu() != Menu::None || c.status().is_some() || c.priority().is_some())
    };
    rows.extend(
        UiCommand::ALL
            .iter()
            .copied()
            .filter(|&c| offered(c) && available(c) && matches(c, &words))
            .map(Row::Command),
    );
    rows
}

/// Draws the palette; returns false when it should close.
pub fn palette_ui(
    ui: &mut Ui,
    palette: &mut Palette,
    context: &Context,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> bool {
    let label = ui.label("Command");
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut palette.query)
                .id(TextBox::Palette.id())
                .hint_text("Type a command, or a ticket number")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    focus.drawn(TextBox::Palette, &response);
    if response.changed() {
        palette.selected = 0;
    }
    let rows = rows(&palette.query, context);
    let (up, down, enter) = ui.input_mut(|i| {
        (
            i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
            i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
            i.key_pressed(egui::Key::Enter),
        )
    });
    if down {
        palette.selected = (palette.selected + 1).min(rows.len().saturating_sub(1));
    }
    if up {
        palette.selected = palette.selected.saturating_sub(1);
    }
    // Keep the cursor in the box whatever the keys did.
    if !response.has_focus() && !enter {
        response.request_focus();
    }
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .max_height(380.0)
        .show(ui, |ui| {
            for (i, row) in rows.iter().enumerate() {
                if row_ui(ui, *row, i == palette.selected) {
                    chosen = Some(*row);
                }
            }
        });
    if rows.is_empty() {
        ui.weak(if palette.query.trim_start().starts_with('#') {
            "Type the ticket's number"
        } else {
            "No command matches"
        });
    }
    if enter && let Some(row) = rows.get(palette.selected) {
        chosen = Some(*row);
    }
    match chosen {
        Some(Row::Command(command)) => {
            actions.push(Action::CloseModal);
            actions.push(Action::Command(command));
            true
        }
        Some(Row::GoTo(number)) => {
            actions.push(Action::CloseModal);
            actions.push(Action::Select(number));
            true
        }
        None => true,
    }
}

/// One row: the name on the left, the shortcut on the right, the whole row
/// a button. Says whether it was clicked.
fn row_ui(ui: &mut Ui, row: Row, selected: bool) -> bool {
    let (name, keys) = match row {
        Row::Command(command) => (command.label().to_owned(), command.shortcut_text(ui.ctx())),
        Row::GoTo(number) => (format!("Go to {number}"), None),
    };
    let height = 24.0;
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(ui.available_width(), height), Sense::click());
    if selected || response.hovered() {
        let fill = if selected {
            ui.visuals().selection.bg_fill.gamma_multiply(0.6)
        } else {
            ui.visuals().widgets.hovered.weak_bg_fill
        };
        ui.painter().rect_filled(rect, 4.0, fill);
    }
    let mut inner = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink2(egui::vec2(8.0, 0.0)))
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    inner.add(egui::Label::new(name.as_str()).selectable(false));
    if let Some(keys) = keys {
        inner.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.add(egui::Label::new(RichText::new(keys).weak().monospace()).selectable(false));
        });
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    response.clicked()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_are_read_as_typed() {
        for typed in ["12", "#12", "tkt-12", "TKT-000012", " 12 "] {
            assert_eq!(ticket_number(typed), Some(TicketNumber(12)), "{typed}");
        }
        for typed in ["", "#", "0", "twelve", "12a", "tkt-"] {
            assert_eq!(ticket_number(typed), None, "{typed}");
        }
    }

    #[test]
    fn words_find_commands_in_any_order() {
        let context = Context {
            database_open: true,
            ticket_open: true,
        };
        assert_eq!(
            rows("waiting status", &context),
            [Row::Command(UiCommand::StatusWaiting)]
        );
        assert_eq!(
            rows("assign me", &context)[0],
            Row::Command(UiCommand::AssignToMe)
        );
        assert_eq!(rows("#7", &context)[0], Row::GoTo(TicketNumber(7)));
        // Without an open ticket, ticket commands are not offered.
        let no_ticket = Context {
            ticket_open: false,
            ..context
        };
        assert!(rows("status", &no_ticket).is_empty());
    }
}
