//! The ticket table: every matching ticket, fetched a page at a time as it
//! scrolls into view, only visible rows built.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use egui::{Label, RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder};

use super::Action;
use super::widgets::{
    assignee_summary, badge, exact_time, priority_color, short_time, status_color,
};
use crate::domain::{TicketNumber, TicketRow};
use crate::store::{Sort, SortColumn};

/// Rows fetched per request.
pub const PAGE: u32 = 100;
/// Height of one row, in points.
pub const ROW_HEIGHT: f32 = 24.0;

struct Page {
    generation: u64,
    rows: Vec<TicketRow>,
}

/// What the window knows of the list under the current filter and sort.
#[derive(Default)]
pub struct ListState {
    /// Bumped whenever the filter, the sort or the data changes; older pages
    /// stay on show until their replacements arrive.
    pub generation: u64,
    /// Matching tickets in all, once known.
    pub total: Option<u64>,
    pages: HashMap<u64, Page>,
    requested: HashSet<(u64, u64)>,
    /// The selected ticket.
    pub selected: Option<TicketNumber>,
    /// Its position in the list, if known.
    pub selected_index: Option<u64>,
    /// A row to bring into view on the next frame.
    pub scroll_to: Option<u64>,
}

impl ListState {
    /// Starts a new list (filter or sort changed): positions no longer hold.
    pub fn restart(&mut self) {
        self.generation += 1;
        self.pages.clear();
        self.requested.clear();
        self.total = None;
        self.selected_index = None;
    }

    /// Fetches the same list again (data changed), keeping what is on show.
    pub fn refresh(&mut self) {
        self.generation += 1;
        self.requested.clear();
    }

    /// Takes in a page that arrived.
    pub fn receive(&mut self, generation: u64, offset: u64, total: u64, rows: Vec<TicketRow>) {
        if generation != self.generation {
            return;
        }
        self.total = Some(total);
        let page = offset / u64::from(PAGE);
        if let Some(selected) = self.selected
            && let Some(i) = rows.iter().position(|r| r.number == selected)
        {
            self.selected_index = Some(offset + i as u64);
        }
        self.pages.insert(page, Page { generation, rows });
        // Pages past the new end are gone.
        let pages = total.div_ceil(u64::from(PAGE));
        self.pages.retain(|p, _| *p < pages.max(1));
    }

    /// The row at a position, if its page has arrived.
    pub fn row(&self, index: u64) -> Option<&TicketRow> {
        let page = self.pages.get(&(index / u64::from(PAGE)))?;
        page.rows.get((index % u64::from(PAGE)) as usize)
    }

    /// Pages to ask for so that rows `first..last` can be shown; each is asked once per generation.
    pub fn wanted(&mut self, first: u64, last: u64) -> Vec<u64> {
        let mut wanted = Vec::new();
        let (from, to) = (first / u64::from(PAGE), last / u64::from(PAGE));
        for page in from..=to {
            let fresh = self
                .pages
                .get(&page)
                .is_some_and(|p| p.generation == self.generation);
            if !fresh && self.requested.insert((self.generation, page)) {
                wanted.push(page);
            }
        }
        wanted
    }

    /// Whether a page for the current list is on its way.
    pub fn loading(&self) -> bool {
        self.requested.iter().any(|(g, p)| {
            *g == self.generation && self.pages.get(p).is_none_or(|page| page.generation != *g)
        })
    }

    /// Moves the selection by `step` rows; returns the ticket now selected.
    pub fn step(&mut self, step: i64) -> Option<TicketNumber> {
        let total = self.total?;
        if total == 0 {
            return None;
        }
        let next = match self.selected_index {
            Some(i) => (i as i64 + step).clamp(0, total as i64 - 1) as u64,
            None => 0,
        };
        self.selected_index = Some(next);
        self.scroll_to = Some(next);
        let number = self.row(next).map(|r| r.number);
        if number.is_some() {
            self.selected = number;
        }
        number
    }
}

fn header_label(column: SortColumn) -> &'static str {
    match column {
        SortColumn::Number => "Ticket #",
        SortColumn::Subject => "Subject",
        SortColumn::Status => "Status",
        SortColumn::Priority => "Priority",
        SortColumn::Customer => "Customer",
        SortColumn::Assignee => "Assignee",
        SortColumn::Created => "Created",
    }
}

fn cell(ui: &mut Ui, text: impl Into<egui::WidgetText>) -> egui::Response {
    ui.add(Label::new(text).selectable(false).truncate())
}

/// Draws the table. Clicks and page requests become actions.
pub fn table_ui(
    ui: &mut Ui,
    list: &mut ListState,
    sort: Sort,
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) {
    let total = list.total.unwrap_or(0);
    let mut table = TableBuilder::new(ui)
        .id_salt("tickets_table")
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .animate_scrolling(false)
        .column(Column::initial(96.0).at_least(70.0))
        .column(Column::remainder().at_least(160.0).clip(true))
        .column(Column::initial(104.0).at_least(70.0))
        .column(Column::initial(86.0).at_least(60.0))
        .column(Column::initial(150.0).at_least(60.0).clip(true))
        .column(Column::initial(130.0).at_least(60.0).clip(true))
        .column(Column::initial(112.0).at_least(70.0));
    if let Some(row) = list.scroll_to.take() {
        table = table.scroll_to_row(row as usize, None);
    }
    let mut visible: Option<(u64, u64)> = None;
    table
        .header(26.0, |mut header| {
            for column in SortColumn::ALL {
                header.col(|ui| {
                    let arrow = match (sort.column == column, sort.descending) {
                        (true, true) => " ↓",
                        (true, false) => " ↑",
                        (false, _) => "",
                    };
                    let text = RichText::new(format!("{}{arrow}", header_label(column))).strong();
                    let response = ui
                        .add(egui::Button::new(text).frame(false))
                        .on_hover_text(format!("Sort by {}", header_label(column).to_lowercase()));
                    if response.clicked() {
                        let descending = if sort.column == column {
                            !sort.descending
                        } else {
                            matches!(column, SortColumn::Created | SortColumn::Number)
                        };
                        actions.push(Action::Sort(Sort { column, descending }));
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, total as usize, |mut row| {
                let index = row.index() as u64;
                visible = Some(match visible {
                    Some((first, last)) => (first.min(index), last.max(index)),
                    None => (index, index),
                });
                let Some(ticket) = list.row(index).cloned() else {
                    row.col(|ui| {
                        ui.add(egui::Spinner::new().size(12.0));
                    });
                    for _ in 1..SortColumn::ALL.len() {
                        row.col(|_| {});
                    }
                    return;
                };
                row.set_selected(list.selected == Some(ticket.number));
                row.col(|ui| {
                    cell(ui, RichText::new(ticket.number.to_string()).monospace());
                });
                row.col(|ui| {
                    cell(ui, ticket.subject.as_str());
                });
                row.col(|ui| {
                    badge(ui, ticket.status.label(), status_color(ticket.status));
                });
                row.col(|ui| {
                    badge(ui, ticket.priority.label(), priority_color(ticket.priority));
                });
                row.col(|ui| {
                    cell(ui, ticket.customer.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    let summary = assignee_summary(&ticket.assignees);
                    let response = cell(ui, summary);
                    if ticket.assignees.len() > 1 {
                        response.on_hover_text(ticket.assignees.join(", "));
                    }
                });
                row.col(|ui| {
                    cell(ui, short_time(ticket.created, now))
                        .on_hover_text(exact_time(ticket.created));
                });
                if row.response().clicked() {
                    list.selected_index = Some(index);
                    actions.push(Action::Select(ticket.number));
                }
            });
        });
    // Fetch the pages around what is on screen (one page ahead).
    let (first, last) = visible.unwrap_or((0, 0));
    let ahead = (last + u64::from(PAGE) / 2).min(total.saturating_sub(1));
    for page in list.wanted(first, ahead.max(first)) {
        actions.push(Action::FetchPage(page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Priority, Status};

    fn row(n: i64) -> TicketRow {
        TicketRow {
            number: TicketNumber(n),
            subject: format!("Ticket {n}"),
            status: Status::Open,
            priority: Priority::Medium,
            customer: None,
            assignees: Vec::new(),
            created: Utc::now(),
            updated: Utc::now(),
        }
    }

    #[test]
    fn pages_are_asked_for_once_and_stale_ones_dropped() {
        let mut list = ListState::default();
        list.restart();
        assert_eq!(list.wanted(0, 30), [0]);
        assert!(list.wanted(0, 30).is_empty(), "asked once");
        list.receive(list.generation, 0, 250, (1..=100).map(row).collect());
        assert_eq!(list.row(5).map(|r| r.number), Some(TicketNumber(6)));
        assert_eq!(list.wanted(150, 210), [1, 2]);
        // An answer for an older list is dropped.
        let old = list.generation;
        list.restart();
        list.receive(old, 100, 250, (101..=200).map(row).collect());
        assert!(list.row(120).is_none());
    }

    #[test]
    fn stepping_moves_the_selection_within_the_list() {
        let mut list = ListState::default();
        list.restart();
        list.receive(list.generation, 0, 3, (1..=3).map(row).collect());
        assert_eq!(
            list.step(1),
            Some(TicketNumber(1)),
            "first step selects the top"
        );
        assert_eq!(list.step(1), Some(TicketNumber(2)));
        assert_eq!(list.step(5), Some(TicketNumber(3)), "stops at the end");
        assert_eq!(list.step(-9), Some(TicketNumber(1)));
    }
}
