//! The line above the ticket table: how many tickets match, the filters in
//! force as chips (each with its own ×), and what shows instead of the
//! table when nothing matches or the list could not be read.

use chrono::{DateTime, Local, Utc};
use egui::{RichText, Sense, Ui};

use super::super::commands::{Action, UiCommand};
use super::list::ListState;
use super::widgets::{chip, count_of};
use crate::domain::{Agent, CustomerId, Tag};
use crate::store::TicketFilter;

/// Height of the header line above the table: fixed, so ticking a filter
/// never moves what is below it.
pub const HEADER_HEIGHT: f32 = 30.0;

/// What the header line needs besides the list.
pub struct HeaderInput<'a> {
    /// The filter in force.
    pub filter: &'a TicketFilter,
    /// Every agent (for chips naming assignees).
    pub agents: &'a [Agent],
    /// Every tag.
    pub tags: &'a [Tag],
    /// The customer filtered on, by name once known.
    pub customer: Option<(CustomerId, Option<&'a str>)>,
    /// Whether the filters beside the list are shown.
    pub filters_shown: bool,
}

/// The line above the table: the filters toggle, how many tickets match,
/// and each filter in force as a chip with its own ×. One line, fixed
/// height: chips past the width scroll sideways rather than wrap.
pub fn header_ui(
    ui: &mut Ui,
    list: &ListState,
    input: &HeaderInput<'_>,
    actions: &mut Vec<Action>,
) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), HEADER_HEIGHT),
        Sense::hover(),
    );
    let mut line = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    let ui = &mut line;
    let toggle = if input.filters_shown {
        "Hide filters"
    } else {
        "Show filters"
    };
    let response = ui
        .add(egui::Button::new(if input.filters_shown {
            "◀"
        } else {
            "▶ Filters"
        }))
        .on_hover_text(UiCommand::ToggleFilters.hint(ui.ctx(), toggle));
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, toggle));
    if response.clicked() {
        actions.push(Action::Command(UiCommand::ToggleFilters));
    }
    match list.total {
        Some(n) => ui.label(RichText::new(count_of(n, "ticket", "tickets")).strong()),
        None => ui.label("Counting…"),
    };
    if list.loading() {
        ui.spinner();
    }
    let chips = active_filters(input);
    if chips.is_empty() {
        return;
    }
    ui.separator();
    // Clear first, at a fixed place; the chips after it.
    if ui
        .button("Clear all")
        .on_hover_text(UiCommand::ClearFilters.hint(ui.ctx(), "Clear every filter"))
        .clicked()
    {
        actions.push(Action::Filter(Box::default()));
    }
    egui::ScrollArea::horizontal()
        .id_salt("filter_chips")
        .max_height(HEADER_HEIGHT)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                for (text, rest) in chips {
                    if chip(ui, &text, &format!("Remove the filter {text}")) {
                        actions.push(Action::Filter(Box::new(rest)));
                    }
                }
            });
        });
}

/// Short descriptions of the filters in force, each with the filter it
/// leaves when removed.
fn active_filters(input: &HeaderInput<'_>) -> Vec<(String, TicketFilter)> {
    let f = input.filter;
    let mut chips = Vec::new();
    let mut without = |text: String, change: &dyn Fn(&mut TicketFilter)| {
        let mut rest = f.clone();
        change(&mut rest);
        chips.push((text, rest));
    };
    if let Some(scope) = &f.scope {
        without(scope.label.clone(), &|r| r.scope = None);
    }
    if !f.numbers.is_empty() {
        let text = match f.numbers.as_slice() {
            [one] => one.to_string(),
            many => format!("{} named tickets", many.len()),
        };
        without(text, &|r| r.numbers.clear());
    }
    if f.breached {
        without("Breached".to_owned(), &|r| r.breached = false);
    }
    if let Some(minutes) = f.due_within_minutes {
        without(
            format!(
                "Due within {}",
                crate::app::ui::service_levels::length_text(minutes)
            ),
            &|r| r.due_within_minutes = None,
        );
    }
    if let Some(hours) = f.updated_within_hours {
        without(format!("Updated in the last {hours} h"), &|r| {
            r.updated_within_hours = None
        });
    }
    if !f.text.trim().is_empty() {
        without(format!("“{}”", f.text.trim()), &|r| r.text.clear());
    }
    for status in &f.statuses {
        without(format!("Status: {}", status.label()), &|r| {
            r.statuses.retain(|s| s != status)
        });
    }
    for priority in &f.priorities {
        without(format!("Priority: {}", priority.label()), &|r| {
            r.priorities.retain(|p| p != priority)
        });
    }
    let day = |t: DateTime<Utc>| t.with_timezone(&Local).date_naive();
    if let Some(from) = f.created_from {
        without(format!("From {}", day(from).format("%-d %b %Y")), &|r| {
            r.created_from = None
        });
    }
    if let Some(to) = f.created_to {
        // Stored as the next day's midnight: days are inclusive.
        let last = day(to).pred_opt().unwrap_or(day(to));
        without(format!("To {}", last.format("%-d %b %Y")), &|r| {
            r.created_to = None
        });
    }
    let tag_name = |id| {
        input
            .tags
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| "unknown tag".to_owned(), |t| t.name.clone())
    };
    for tag in &f.tags {
        without(format!("Tag: {}", tag_name(*tag)), &|r| {
            r.tags.retain(|t| t != tag)
        });
    }
    for tag in &f.customer_tags {
        without(format!("Customer tag: {}", tag_name(*tag)), &|r| {
            r.customer_tags.retain(|t| t != tag)
        });
    }
    for agent in &f.assignees {
        let name = input
            .agents
            .iter()
            .find(|a| a.id == *agent)
            .map_or("unknown agent", |a| a.name.as_str());
        without(format!("Assignee: {name}"), &|r| {
            r.assignees.retain(|a| a != agent)
        });
    }
    if f.unassigned {
        without("Unassigned".to_owned(), &|r| r.unassigned = false);
    }
    if let Some(id) = f.customer {
        let name = match input.customer {
            Some((known, Some(name))) if known == id => name.to_owned(),
            _ => format!("#{}", id.0),
        };
        without(format!("Customer: {name}"), &|r| r.customer = None);
    }
    chips
}

/// What shows in place of the table when no ticket matches the filters.
pub fn no_match_ui(ui: &mut Ui, actions: &mut Vec<Action>) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() / 5.0);
        ui.heading("No tickets match these filters");
        ui.add_space(4.0);
        ui.label("Change or remove a filter above, or show every ticket.");
        ui.add_space(8.0);
        if ui.button("Clear filters").clicked() {
            actions.push(Action::Filter(Box::default()));
        }
    });
}

/// What shows in place of the table when a page could not be read.
pub fn failed_ui(ui: &mut Ui, message: &str, actions: &mut Vec<Action>) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() / 5.0);
        ui.heading("The list could not be read");
        ui.add(egui::Label::new(message).wrap());
        ui.add_space(8.0);
        if ui.button("Try again").clicked() {
            actions.push(Action::RetryList);
        }
    });
}
