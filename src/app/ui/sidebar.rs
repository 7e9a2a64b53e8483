//! The filter sidebar: search, statuses and priorities with live counts,
//! created dates, tags, customer tags and assignees. Nothing in it changes
//! height when a filter is ticked (the filters in force show as chips above
//! the list), so a second click lands where the first did.

use chrono::{Datelike, Local, NaiveDate};
use egui::{RichText, Ui};

use super::super::commands::Action;
use super::super::worker::protocol::Counts;
use super::widgets::{status_text_color, thousands};
use crate::clock::local_midnight;
use crate::domain::{Agent, Priority, Status, Tag};
use crate::store::TicketFilter;

/// What the sidebar needs to draw.
pub struct SidebarInput<'a> {
    /// The views, above the filters.
    pub views: &'a super::views::ViewsInput<'a>,
    /// The filter in force.
    pub filter: &'a TicketFilter,
    /// Counts for it, once known.
    pub counts: Option<&'a Counts>,
    /// Every agent.
    pub agents: &'a [Agent],
    /// Every tag.
    pub tags: &'a [Tag],
    /// Today in local time, by the app's clock: where a date picker opens.
    pub today: NaiveDate,
}

pub(super) fn to_jiff(d: NaiveDate) -> jiff::civil::Date {
    jiff::civil::Date::new(d.year() as i16, d.month() as i8, d.day() as i8)
        .unwrap_or_else(|_| jiff::civil::Date::constant(2026, 1, 1))
}

pub(super) fn from_jiff(d: jiff::civil::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
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
    focus: &mut super::Focus,
    actions: &mut Vec<Action>,
) {
    let filter = input.filter;
    let set =
        |actions: &mut Vec<Action>, f: TicketFilter| actions.push(Action::Filter(Box::new(f)));
    // The scroll bar beside the counts, not over them.
    ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            super::views::views_ui(ui, input.views, actions);
            ui.separator();
            let label = ui.label(RichText::new("Search").strong());
            let response = ui
                .add(
                    egui::TextEdit::singleline(search)
                        .id(super::TextBox::Search.id())
                        // No search is longer; a pasted page stops here
                        // instead of being laid out and searched for.
                        .char_limit(crate::domain::validate::MAX_SEARCH_CHARS)
                        .hint_text("Number, subject or customer")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            focus.drawn(super::TextBox::Search, &response);
            if response.changed() {
                set(
                    actions,
                    TicketFilter {
                        text: search.clone(),
                        ..filter.clone()
                    },
                );
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
                |ui, status| Some(status_text_color(ui, status)),
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
                |_, _| None,
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
            ui.label(RichText::new("Service levels").strong());
            let mut breached = filter.breached;
            if ui
                .checkbox(&mut breached, "Breached")
                .on_hover_text("A first reply or resolution target overdue now")
                .changed()
            {
                set(
                    actions,
                    TicketFilter {
                        breached,
                        ..filter.clone()
                    },
                );
            }
            let mut soon = filter.due_within_minutes.is_some();
            if ui
                .checkbox(&mut soon, "Due within 1 h")
                .on_hover_text("A target falls due in the next hour")
                .changed()
            {
                set(
                    actions,
                    TicketFilter {
                        due_within_minutes: soon.then_some(60),
                        ..filter.clone()
                    },
                );
            }

            ui.separator();
            ui.label(RichText::new("Created").strong());
            egui::Grid::new("created_range")
                .num_columns(2)
                .spacing([6.0, 4.0])
                .show(ui, |ui| {
                    date_row(ui, "From", filter, input.today, actions);
                    ui.end_row();
                    date_row(ui, "To", filter, input.today, actions);
                    ui.end_row();
                });

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

/// A tick box per value, its name (coloured if `color` says so) and its
/// live count right-aligned; returns the boxes ticked or unticked this frame.
fn facet_choices<T: Copy + PartialEq>(
    ui: &mut Ui,
    values: &[T],
    chosen: &[T],
    counts: Option<&[(T, u64)]>,
    name: fn(T) -> &'static str,
    color: impl Fn(&Ui, T) -> Option<egui::Color32>,
) -> Vec<(T, bool)> {
    let mut toggled = Vec::new();
    for &value in values {
        let count = counts
            .and_then(|c| c.iter().find(|(v, _)| *v == value))
            .map(|(_, n)| thousands(*n));
        let mut on = chosen.contains(&value);
        let mut text = RichText::new(name(value));
        if let Some(color) = color(ui, value) {
            text = text.color(color);
        }
        ui.horizontal(|ui| {
            let response = ui.checkbox(&mut on, text);
            // The count is part of the box's name for screen readers.
            let label = match &count {
                Some(n) => format!("{} {n}", name(value)),
                None => name(value).to_owned(),
            };
            response
                .widget_info(|| egui::WidgetInfo::selected(egui::Role::CheckBox, true, on, &label));
            if let Some(n) = &count {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.weak(n);
                });
            }
            if response.changed() {
                toggled.push((value, on));
            }
        });
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
                    actions.push(Action::Filter(Box::new(with(toggle(chosen, tag.id, on)))));
                }
            }
        });
}

/// One end of the created-date range: a tick box and a date picker.
fn date_row(
    ui: &mut Ui,
    which: &str,
    filter: &TicketFilter,
    today: NaiveDate,
    actions: &mut Vec<Action>,
) {
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
    let mut on = local.is_some();
    let changed = ui.checkbox(&mut on, which).changed();
    let mut date = to_jiff(local.unwrap_or(today));
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
        actions.push(Action::Filter(Box::new(f)));
    }
}
