//! The filter sidebar: search, statuses and priorities with live counts,
//! created dates, tags, customer tags and assignees.

use chrono::{Datelike, Local, NaiveDate};
use egui::{RichText, Ui};

use super::Action;
use super::widgets::{priority_color, status_color};
use super::worker::Counts;
use crate::clock::local_midnight;
use crate::domain::{Agent, Priority, Status, Tag};
use crate::store::TicketFilter;

/// What the sidebar needs to draw.
pub struct SidebarInput<'a> {
    /// The filter in force.
    pub filter: &'a TicketFilter,
    /// Counts for it, once known.
    pub counts: Option<&'a Counts>,
    /// Every agent.
    pub agents: &'a [Agent],
    /// Every tag.
    pub tags: &'a [Tag],
}

/// The id of the search box, so shortcuts can focus it.
pub fn search_id() -> egui::Id {
    egui::Id::unique("ticket_search")
}

pub(super) fn to_jiff(d: NaiveDate) -> jiff::civil::Date {
    jiff::civil::Date::new(d.year() as i16, d.month() as i8, d.day() as i8)
        .unwrap_or_else(|_| jiff::civil::Date::constant(2026, 1, 1))
}

pub(super) fn from_jiff(d: jiff::civil::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
}

/// Short descriptions of the active filters, each with the filter it leaves when removed.
pub fn active_filters(input: &SidebarInput<'_>) -> Vec<(String, TicketFilter)> {
    let f = input.filter;
    let mut chips = Vec::new();
    if let Some(scope) = &f.scope {
        chips.push((
            scope.label.clone(),
            TicketFilter {
                scope: None,
                ..f.clone()
            },
        ));
    }
    let tag_name = |id| {
        input
            .tags
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| "unknown tag".to_owned(), |t| t.name.clone())
    };
    if !f.text.trim().is_empty() {
        chips.push((
            format!("“{}”", f.text.trim()),
            TicketFilter {
                text: String::new(),
                ..f.clone()
            },
        ));
    }
    for status in &f.statuses {
        let mut rest = f.clone();
        rest.statuses.retain(|s| s != status);
        chips.push((status.label().to_owned(), rest));
    }
    for priority in &f.priorities {
        let mut rest = f.clone();
        rest.priorities.retain(|p| p != priority);
        chips.push((priority.label().to_owned(), rest));
    }
    if let Some(from) = f.created_from {
        let date = from.with_timezone(&Local).date_naive();
        chips.push((
            format!("From {}", date.format("%-d %b %Y")),
            TicketFilter {
                created_from: None,
                ..f.clone()
            },
        ));
    }
    if let Some(to) = f.created_to {
        let date = to
            .with_timezone(&Local)
            .date_naive()
            .pred_opt()
            .unwrap_or_default();
        chips.push((
            format!("To {}", date.format("%-d %b %Y")),
            TicketFilter {
                created_to: None,
                ..f.clone()
            },
        ));
    }
    for tag in &f.tags {
        let mut rest = f.clone();
        rest.tags.retain(|t| t != tag);
        chips.push((format!("Tag: {}", tag_name(*tag)), rest));
    }
    for tag in &f.customer_tags {
        let mut rest = f.clone();
        rest.customer_tags.retain(|t| t != tag);
        chips.push((format!("Customer tag: {}", tag_name(*tag)), rest));
    }
    for agent in &f.assignees {
        let mut rest = f.clone();
        rest.assignees.retain(|a| a != agent);
        let name = input
            .agents
            .iter()
            .find(|a| a.id == *agent)
            .map_or("unknown agent", |a| a.name.as_str());
        chips.push((format!("Assignee: {name}"), rest));
    }
    if f.unassigned {
        chips.push((
            "Unassigned".to_owned(),
            TicketFilter {
                unassigned: false,
                ..f.clone()
            },
        ));
    }
    if f.customer.is_some() {
        chips.push((
            "One customer".to_owned(),
            TicketFilter {
                customer: None,
                ..f.clone()
            },
        ));
    }
    chips
}

/// Toggles `value` in a list of choices.
fn toggle<T: PartialEq + Copy>(list: &[T], value: T, on: bool) -> Vec<T> {
    let mut list: Vec<T> = list.iter().copied().filter(|v| *v != value).collect();
    if on {
        list.push(value);
    }
    list
}

/// Draws the sidebar; filter changes become actions.
pub fn sidebar_ui(
    ui: &mut Ui,
    input: &SidebarInput<'_>,
    search: &mut String,
    actions: &mut Vec<Action>,
) {
    let filter = input.filter;
    let set = |actions: &mut Vec<Action>, f: TicketFilter| actions.push(Action::Filter(f));
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let label = ui.label(RichText::new("Search").strong());
            let response = ui
                .add(
                    egui::TextEdit::singleline(search)
                        .id(search_id())
                        // No search is longer; a pasted page stops here
                        // instead of being laid out and searched for.
                        .char_limit(crate::domain::validate::MAX_SEARCH_CHARS)
                        .hint_text("Number, subject or customer")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if response.changed() {
                set(
                    actions,
                    TicketFilter {
                        text: search.clone(),
                        ..filter.clone()
                    },
                );
            }

            let chips = active_filters(input);
            if !chips.is_empty() {
                ui.add_space(6.0);
                ui.horizontal_wrapped(|ui| {
                    for (text, rest) in chips {
                        if ui
                            .button(format!("{text} ×"))
                            .on_hover_text("Remove this filter")
                            .clicked()
                        {
                            if rest.text.is_empty() {
                                search.clear();
                            }
                            set(actions, rest);
                        }
                    }
                });
                if ui.button("Clear all filters").clicked() {
                    search.clear();
                    set(actions, TicketFilter::default());
                }
            }

            ui.separator();
            ui.label(RichText::new("Status").strong());
            let counts = input.counts.map(|c| c.statuses.as_slice());
            for (status, on) in facet_choices(
                ui,
                &Status::ALL,
                &filter.statuses,
                counts,
                Status::label,
                status_color,
            ) {
                set(
                    actions,
                    TicketFilter {
                        statuses: toggle(&filter.statuses, status, on),
                        ..filter.clone()
                    },
                );
            }

            ui.separator();
            ui.label(RichText::new("Priority").strong());
            let counts = input.counts.map(|c| c.priorities.as_slice());
            for (priority, on) in facet_choices(
                ui,
                &Priority::ALL,
                &filter.priorities,
                counts,
                Priority::label,
                priority_color,
            ) {
                set(
                    actions,
                    TicketFilter {
                        priorities: toggle(&filter.priorities, priority, on),
                        ..filter.clone()
                    },
                );
            }

            ui.separator();
            ui.label(RichText::new("Created").strong());
            date_row(ui, "From", filter, actions);
            date_row(ui, "To", filter, actions);

            ui.separator();
            egui::CollapsingHeader::new(RichText::new("Tags").strong())
                .default_open(true)
                .show(ui, |ui| {
                    tag_choices(
                        ui,
                        "tag",
                        input.tags,
                        &filter.tags,
                        |tags| TicketFilter {
                            tags,
                            ..filter.clone()
                        },
                        actions,
                    );
                });
            egui::CollapsingHeader::new(RichText::new("Customer Tags").strong())
                .default_open(false)
                .show(ui, |ui| {
                    tag_choices(
                        ui,
                        "customer tag",
                        input.tags,
                        &filter.customer_tags,
                        |customer_tags| TicketFilter {
                            customer_tags,
                            ..filter.clone()
                        },
                        actions,
                    );
                });
            egui::CollapsingHeader::new(RichText::new("Assignees").strong())
                .default_open(true)
                .show(ui, |ui| {
                    let mut unassigned = filter.unassigned;
                    if ui.checkbox(&mut unassigned, "Unassigned").changed() {
                        set(
                            actions,
                            TicketFilter {
                                unassigned,
                                ..filter.clone()
                            },
                        );
                    }
                    for agent in input.agents {
                        let mut on = filter.assignees.contains(&agent.id);
                        let name = if agent.active {
                            agent.name.clone()
                        } else {
                            format!("{} (inactive)", agent.name)
                        };
                        if ui.checkbox(&mut on, name).changed() {
                            set(
                                actions,
                                TicketFilter {
                                    assignees: toggle(&filter.assignees, agent.id, on),
                                    ..filter.clone()
                                },
                            );
                        }
                    }
                });
        });
}

/// A tick box per value, coloured, with its live count; returns the boxes
/// ticked or unticked this frame.
fn facet_choices<T: Copy + PartialEq>(
    ui: &mut Ui,
    values: &[T],
    chosen: &[T],
    counts: Option<&[(T, u64)]>,
    name: fn(T) -> &'static str,
    color: fn(T) -> egui::Color32,
) -> Vec<(T, bool)> {
    let mut toggled = Vec::new();
    for &value in values {
        let count = counts
            .and_then(|c| c.iter().find(|(v, _)| *v == value))
            .map(|(_, n)| format!("  {n}"))
            .unwrap_or_default();
        let mut on = chosen.contains(&value);
        let text = RichText::new(format!("{}{count}", name(value))).color(color(value));
        if ui.checkbox(&mut on, text).changed() {
            toggled.push((value, on));
        }
    }
    toggled
}

fn tag_choices(
    ui: &mut Ui,
    what: &str,
    tags: &[Tag],
    chosen: &[crate::domain::TagId],
    with: impl Fn(Vec<crate::domain::TagId>) -> TicketFilter,
    actions: &mut Vec<Action>,
) {
    if tags.is_empty() {
        ui.weak(format!("No {what}s yet"));
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt(what)
        .max_height(180.0)
        .show(ui, |ui| {
            for tag in tags {
                let mut on = chosen.contains(&tag.id);
                if ui.checkbox(&mut on, &tag.name).changed() {
                    actions.push(Action::Filter(with(toggle(chosen, tag.id, on))));
                }
            }
        });
}

/// One end of the created-date range: a tick box and a date picker.
fn date_row(ui: &mut Ui, which: &str, filter: &TicketFilter, actions: &mut Vec<Action>) {
    let is_from = which == "From";
    let current = if is_from {
        filter.created_from
    } else {
        filter.created_to
    };
    // The "to" bound is stored as the next day's midnight (days are inclusive).
    let local = current.map(|t| {
        let d = t.with_timezone(&Local).date_naive();
        if is_from {
            d
        } else {
            d.pred_opt().unwrap_or(d)
        }
    });
    ui.horizontal(|ui| {
        let mut on = local.is_some();
        let changed = ui.checkbox(&mut on, which).changed();
        let mut date = to_jiff(local.unwrap_or_else(|| Local::now().date_naive()));
        let picked = ui
            .add_enabled(
                on,
                egui_extras::DatePickerButton::new(&mut date).id_salt(if is_from {
                    "from_date"
                } else {
                    "to_date"
                }),
            )
            .changed();
        if changed || picked {
            let bound = if on {
                from_jiff(date).and_then(|d| {
                    let day = if is_from { d } else { d.succ_opt()? };
                    local_midnight(day).ok()
                })
            } else {
                None
            };
            let f = if is_from {
                TicketFilter {
                    created_from: bound,
                    ..filter.clone()
                }
            } else {
                TicketFilter {
                    created_to: bound,
                    ..filter.clone()
                }
            };
            actions.push(Action::Filter(f));
        }
    });
}
