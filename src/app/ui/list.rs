//! The ticket table: every matching ticket, fetched a page at a time as it
//! scrolls into view, only visible rows built. The columns share the width
//! they are given: the subject takes what the others leave, and narrow
//! lists get shorter forms ("Dana +2", "3h"). The line above it is in
//! `list_header.rs`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use egui::{Label, RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder};

use super::super::commands::Action;
use super::super::selection::Selection;
use super::widgets::{
    assignee_short, assignee_summary, compact_time, exact_time, priority_mark, relative_time,
    short_time, status_pill, thousands,
};
use crate::domain::{TicketNumber, TicketRow};
use crate::store::{Anchor, ListKey, Sort, SortColumn};

/// Rows fetched per request.
pub const PAGE: u32 = 100;
/// Pages kept either side of the rows on screen; pages further away are
/// let go (and fetched again if scrolled back to), so scrolling through a
/// million tickets holds a few thousand rows, not a million.
const KEEP_PAGES: u64 = 10;
/// Height of one row, in points.
pub const ROW_HEIGHT: f32 = 26.0;
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
    /// Matching tickets in all, once known (after a refresh, the old list's
    /// until the new one's is counted).
    pub total: Option<u64>,
    /// The list whose total `total` is.
    total_generation: Option<u64>,
    /// The list whose total was asked for.
    total_asked: Option<u64>,
    pages: HashMap<u64, Page>,
    requested: HashSet<(u64, u64)>,
    /// The rows last on screen (first, last); the top row before any is drawn.
    visible: (u64, u64),
    /// The selected ticket.
    pub selected: Option<TicketNumber>,
    /// Its position in the list, if known.
    selected_index: Option<u64>,
    /// The selected ticket has left the list (a change moved it out of the
    /// filter): its old position now holds the ticket that followed it.
    selected_gone: bool,
    /// A row to bring into view on the next frame.
    scroll_to: Option<u64>,
    /// Why the last page asked for could not be read.
    pub failed: Option<String>,
    /// The search is a merged ticket's number: it, and the ticket it was
    /// merged into (which the list shows too).
    pub merged_search: Option<(TicketNumber, TicketNumber)>,
    /// Tickets on show that changed for the agent since they last opened
    /// them (marked bold, with a dot).
    unread: HashSet<TicketNumber>,
    /// Keys of rows whose place is known in this generation (the edges of
    /// the pages received), by position: a page is read on from the nearest,
    /// so a page deep in the list costs what the first does.
    anchors: BTreeMap<u64, ListKey>,
}

impl ListState {
    /// Starts a new list (filter or sort changed): positions no longer hold.
    pub fn restart(&mut self) {
        self.generation += 1;
        self.unread.clear();
        self.pages.clear();
        self.requested.clear();
        self.total = None;
        self.total_generation = None;
        self.selected_index = None;
        self.selected_gone = false;
        self.visible = (0, 0);
        self.failed = None;
        self.anchors.clear();
    }

    /// Fetches the same list again (data changed), keeping what is on show.
    pub fn refresh(&mut self) {
        self.generation += 1;
        self.requested.clear();
        self.failed = None;
        // Rows may have moved: a key no longer says exactly where it stands.
        self.anchors.clear();
    }

    /// Takes in a page that arrived, with the keys of its first and last
    /// rows, and the list's total if it came with one.
    pub fn receive(
        &mut self,
        generation: u64,
        offset: u64,
        total: Option<u64>,
        rows: Vec<TicketRow>,
        edges: Option<(ListKey, ListKey)>,
    ) {
        if generation != self.generation {
            return;
        }
        if let Some((first, last)) = edges {
            let end = offset + rows.len().saturating_sub(1) as u64;
            self.anchors.insert(offset, first);
            self.anchors.insert(end, last);
        }
        self.failed = None;
        let page = offset / u64::from(PAGE);
        if let Some(selected) = self.selected {
            match rows.iter().position(|r| r.number == selected) {
                Some(i) => {
                    self.selected_index = Some(offset + i as u64);
                    self.selected_gone = false;
                }
                None => {
                    // Not where it was: it left the list (or moved away).
                    if self
                        .selected_index
                        .is_some_and(|i| i >= offset && i < offset + u64::from(PAGE))
                    {
                        self.selected_gone = true;
                    }
                }
            }
        }
        self.pages.insert(page, Page { generation, rows });
        if let Some(total) = total {
            self.receive_total(generation, total);
        }
    }

    /// Takes in which of a page's tickets (`asked`) are unread.
    pub fn receive_unread(
        &mut self,
        generation: u64,
        asked: &[TicketNumber],
        unread: Vec<TicketNumber>,
    ) {
        if generation != self.generation {
            return;
        }
        for number in asked {
            self.unread.remove(number);
        }
        self.unread.extend(unread);
    }

    /// The agent opened this ticket: its mark goes at once.
    pub fn mark_read(&mut self, number: TicketNumber) {
        self.unread.remove(&number);
    }

    /// Whether a ticket on show changed for the agent since they opened it.
    pub fn is_unread(&self, number: TicketNumber) -> bool {
        self.unread.contains(&number)
    }

    /// Takes in the list's exact total, counted after its first page.
    pub fn receive_total(&mut self, generation: u64, total: u64) {
        if generation != self.generation {
            return;
        }
        self.total = Some(total);
        self.total_generation = Some(generation);
        // Pages past the new end are gone.
        let pages = total.div_ceil(u64::from(PAGE));
        self.pages.retain(|p, _| *p < pages.max(1));
    }

    /// Whether to ask for this list's total now: once a page of it came
    /// without one (a page from the file brings it; a server's first page
    /// comes alone, in a few milliseconds, and its count after), once.
    pub fn total_wanted(&mut self) -> bool {
        let current = Some(self.generation);
        let wanted = self.failed.is_none()
            && self.total_generation != current
            && self.total_asked != current
            && self
                .pages
                .values()
                .any(|page| page.generation == self.generation);
        if wanted {
            self.total_asked = current;
        }
        wanted
    }

    /// How many rows the table holds: the total once counted; while it is
    /// being counted, at least the rows received (a new list shows its
    /// first page before its total is known).
    pub fn rows(&self) -> u64 {
        match self.total {
            Some(total) if self.total_generation == Some(self.generation) => total,
            total => {
                // How far this list's received pages reach.
                let received = self
                    .pages
                    .iter()
                    .filter(|(_, p)| p.generation == self.generation)
                    .map(|(page, p)| page * u64::from(PAGE) + p.rows.len() as u64)
                    .max();
                total.unwrap_or(0).max(received.unwrap_or(0))
            }
        }
    }

    /// A page could not be read: the spinner stops and the list says why.
    pub fn page_failed(&mut self, generation: u64, message: String) {
        if generation == self.generation {
            self.failed = Some(message);
        }
    }

    /// Asks again for what failed.
    pub fn retry(&mut self) {
        self.refresh();
    }

    /// The row at a position, if its page has arrived.
    pub fn row(&self, index: u64) -> Option<&TicketRow> {
        let page = self.pages.get(&(index / u64::from(PAGE)))?;
        page.rows.get((index % u64::from(PAGE)) as usize)
    }

    /// Pages to ask for so that the rows on screen (and half a page past
    /// them) can be shown: each once per generation. Even with no row drawn
    /// (an empty list, or none yet), the first page is wanted: it says how
    /// many tickets there are.
    pub fn wanted(&mut self) -> Vec<u64> {
        if self.failed.is_some() {
            return Vec::new();
        }
        let (first, last) = self.visible;
        let (low, high) = (first / u64::from(PAGE), last / u64::from(PAGE));
        let near = |page: u64| page + KEEP_PAGES >= low && page <= high + KEEP_PAGES;
        self.pages.retain(|page, _| near(*page));
        self.requested.retain(|(_, page)| near(*page));
        let total = self.rows();
        let ahead = (last + u64::from(PAGE) / 2)
            .min(total.saturating_sub(1))
            .max(first);
        let mut wanted = Vec::new();
        for page in first / u64::from(PAGE)..=ahead / u64::from(PAGE) {
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

    /// The known row nearest to page `page`, to read it on from.
    pub fn anchor_for(&self, page: u64) -> Option<Anchor> {
        let start = page * u64::from(PAGE);
        let end = start + u64::from(PAGE);
        let before = self
            .anchors
            .range(..start)
            .next_back()
            .map(|(p, key)| (start - p, p, key));
        let after = self
            .anchors
            .range(end..)
            .next()
            .map(|(p, key)| (p - end, p, key));
        [before, after]
            .into_iter()
            .flatten()
            .min_by_key(|(distance, ..)| *distance)
            .map(|(_, &position, key)| Anchor {
                position,
                key: key.clone(),
            })
    }

    /// Whether a page for the current list is on its way.
    pub fn loading(&self) -> bool {
        self.failed.is_none()
            && self.requested.iter().any(|(g, p)| {
                *g == self.generation && self.pages.get(p).is_none_or(|page| page.generation != *g)
            })
    }

    /// The ticket under the cursor (the one open) and its position, if its
    /// row is loaded.
    pub fn current(&self) -> Option<(TicketRow, u64)> {
        let position = self.selected_index?;
        let row = self.row(position)?;
        (Some(row.number) == self.selected).then(|| (row.clone(), position))
    }

    /// The rows at positions `first` to `last`, if every one is loaded
    /// and current: rows still on show from before a change (while its
    /// refresh is on its way) may carry an older last change, and picking
    /// by them would call the change a conflict.
    pub fn rows_between(&self, first: u64, last: u64) -> Option<Vec<&TicketRow>> {
        (first..=last)
            .map(|i| {
                let page = self.pages.get(&(i / u64::from(PAGE)))?;
                if page.generation != self.generation {
                    return None;
                }
                page.rows.get((i % u64::from(PAGE)) as usize)
            })
            .collect()
    }

    /// Marks a ticket as the selected one, at its position in the list if
    /// a loaded page holds it.
    pub fn select(&mut self, number: TicketNumber) {
        if self.selected == Some(number) && self.selected_index.is_some() {
            return;
        }
        self.selected = Some(number);
        self.selected_gone = false;
        self.selected_index = self.pages.iter().find_map(|(page, p)| {
            p.rows
                .iter()
                .position(|r| r.number == number)
                .map(|i| page * u64::from(PAGE) + i as u64)
        });
    }

    /// Moves the selection by `step` rows; returns the ticket now selected.
    /// After the selected ticket left the list, the next one is the one that
    /// followed it, now at its old position.
    pub fn step(&mut self, step: i64) -> Option<TicketNumber> {
        let total = self.rows();
        if total == 0 {
            return None;
        }
        let next = match self.selected_index {
            Some(i) if self.selected_gone && step > 0 => i as i64 + step - 1,
            Some(i) => i as i64 + step,
            None => 0,
        }
        .clamp(0, total as i64 - 1) as u64;
        self.selected_index = Some(next);
        self.selected_gone = false;
        self.scroll_to = Some(next);
        let number = self.row(next).map(|r| r.number);
        if number.is_some() {
            self.selected = number;
        }
        number
    }
}

/// What the rows' tooltips say of each ticket's newest change ("Last
/// activity: Dana changed status from Open to Waiting, 3 hours ago"),
/// asked of the store as a row is first hovered, and again once the row
/// shows a later change.
#[derive(Default)]
pub struct LastActivities {
    /// By ticket: the row's last change it was read for, the sentence and
    /// when it happened.
    known: HashMap<TicketNumber, (DateTime<Utc>, String, DateTime<Utc>)>,
    /// What has been asked already.
    asked: HashSet<(TicketNumber, DateTime<Utc>)>,
}

impl LastActivities {
    /// The sentence and moment for a row that last changed at `updated`.
    pub fn get(
        &self,
        number: TicketNumber,
        updated: DateTime<Utc>,
    ) -> Option<(&str, DateTime<Utc>)> {
        self.known
            .get(&number)
            .filter(|(read_for, ..)| *read_for == updated)
            .map(|(_, sentence, at)| (sentence.as_str(), *at))
    }

    /// Whether to ask for it now (once per ticket and change).
    pub fn ask(&mut self, number: TicketNumber, updated: DateTime<Utc>) -> bool {
        self.asked.insert((number, updated))
    }

    /// Takes in an answer.
    pub fn insert(
        &mut self,
        number: TicketNumber,
        updated: DateTime<Utc>,
        sentence: String,
        at: DateTime<Utc>,
    ) {
        self.known.insert(number, (updated, sentence, at));
    }
}

/// How much room the list has, and so which forms its columns take
/// (ordered from the most room to the least).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Width {
    /// 1,000 points or more: every column in full.
    Wide,
    /// 700 or more: shorter names and times.
    Medium,
    /// Less: priority as a mark alone, first names, "3h".
    Narrow,
    /// Too little even for that (a small window with the ticket panel
    /// open): as Narrow, without the Created column (the number gives the
    /// order tickets were raised in).
    Tight,
}

impl Width {
    /// The fullest form that leaves the subject enough room in `available`
    /// points, given `spacing` between columns.
    fn of(available: f32, spacing: f32) -> Width {
        let room = |width: Width| {
            available - width.columns().iter().sum::<f32>() - spacing * width.shown().count() as f32
        };
        if room(Width::Wide) >= 320.0 {
            Width::Wide
        } else if room(Width::Medium) >= 260.0 {
            Width::Medium
        } else if room(Width::Narrow) >= 120.0 {
            Width::Narrow
        } else {
            Width::Tight
        }
    }

    /// The columns shown at this width, in order.
    fn shown(self) -> impl Iterator<Item = SortColumn> {
        SortColumn::ALL
            .into_iter()
            .filter(move |c| !(self == Width::Tight && *c == SortColumn::Created))
    }

    /// The fixed columns' widths: number, status, priority, customer,
    /// assignee, created, updated, due (the subject takes the rest).
    fn columns(self) -> [f32; 8] {
        match self {
            Width::Wide => [92.0, 104.0, 92.0, 160.0, 140.0, 104.0, 104.0, 96.0],
            Width::Medium => [84.0, 100.0, 84.0, 120.0, 104.0, 62.0, 62.0, 84.0],
            Width::Narrow => [66.0, 84.0, 24.0, 80.0, 66.0, 50.0, 50.0, 60.0],
            Width::Tight => [70.0, 88.0, 24.0, 84.0, 70.0, 0.0, 50.0, 60.0],
        }
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
        SortColumn::Updated => "Updated",
        SortColumn::Due => "Due",
    }
}

/// The order a first click on a column sorts in: newest, highest and
/// latest first where that is what an agent looks for.
fn first_click_descending(column: SortColumn) -> bool {
    matches!(
        column,
        SortColumn::Created | SortColumn::Updated | SortColumn::Number | SortColumn::Priority
    )
}

/// The Due column: "in 25 m", "2 h overdue" in red, amber once under a
/// quarter of the target is left, "—" where nothing is due.
fn due_cell(ui: &mut Ui, ticket: &TicketRow, now: DateTime<Utc>, wide: bool) {
    let Some(due) = ticket.due else {
        cell(ui, RichText::new("—").weak()).on_hover_text("No service-level target is due");
        return;
    };
    let (text, colour, state) = if due <= now {
        let late = crate::domain::sla::span(now - due);
        (
            if wide {
                format!("{late} overdue")
            } else {
                format!("-{late}")
            },
            Some(ui.visuals().error_fg_color),
            "Overdue",
        )
    } else {
        let left = crate::domain::sla::span(due - now);
        let risky = ticket.due_risk.is_some_and(|r| r <= now);
        (
            if wide { format!("in {left}") } else { left },
            risky.then_some(ui.visuals().warn_fg_color),
            if risky { "At risk" } else { "Due" },
        )
    };
    let text = match colour {
        Some(c) => RichText::new(text).color(c).strong(),
        None => RichText::new(text),
    };
    cell(ui, text).on_hover_text(format!("{state}: {}", exact_time(due)));
}

fn cell(ui: &mut Ui, text: impl Into<egui::WidgetText>) -> egui::Response {
    ui.add(Label::new(text).selectable(false).truncate())
}

/// Draws the table. Clicks and the rows on screen become actions and state.
pub fn table_ui(
    ui: &mut Ui,
    list: &mut ListState,
    selection: &mut Selection,
    activities: &LastActivities,
    sort: Sort,
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) {
    let total = list.rows();
    // A tick box leads each row while tickets are picked.
    let picking = !selection.is_empty();
    let pick_width = if picking { 22.0 } else { 0.0 };
    let width = Width::of(
        ui.available_width() - pick_width,
        ui.spacing().item_spacing.x,
    );
    let [
        number,
        status,
        priority,
        customer,
        assignee,
        created,
        updated,
        due,
    ] = width.columns();
    let modifiers = ui.input(|i| i.modifiers);
    let mut table = TableBuilder::new(ui)
        .id_salt(("tickets_table", width as u8, picking))
        .striped(true)
        .sense(Sense::click())
        .animate_scrolling(false)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
    if picking {
        table = table.column(Column::exact(pick_width));
    }
    let mut table = table
        .column(Column::exact(number))
        .column(Column::remainder().at_least(120.0).clip(true))
        .column(Column::exact(status))
        .column(Column::exact(priority))
        .column(Column::exact(customer).clip(true))
        .column(Column::exact(assignee).clip(true));
    if width != Width::Tight {
        table = table.column(Column::exact(created));
    }
    let mut table = table
        .column(Column::exact(updated))
        .column(Column::exact(due));
    if let Some(row) = list.scroll_to.take() {
        table = table.scroll_to_row(row as usize, None);
    }
    let mut visible: Option<(u64, u64)> = None;
    table
        .header(26.0, |mut header| {
            if picking {
                header.col(|ui| {
                    ui.weak("✔").on_hover_text(format!(
                        "{} picked (Esc lets them go)",
                        thousands(selection.len())
                    ));
                });
            }
            for column in width.shown() {
                header.col(|ui| {
                    let arrow = match (sort.column == column, sort.descending) {
                        (true, true) => " ↓",
                        (true, false) => " ↑",
                        (false, _) => "",
                    };
                    let name = if column == SortColumn::Priority && width >= Width::Narrow {
                        "P"
                    } else {
                        header_label(column)
                    };
                    let text = RichText::new(format!("{name}{arrow}")).strong();
                    let response = ui
                        .add(egui::Button::new(text).frame(false))
                        .on_hover_text(format!("Sort by {}", header_label(column).to_lowercase()));
                    if name != header_label(column) {
                        let full = format!("{}{arrow}", header_label(column));
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::Button, true, &full)
                        });
                    }
                    if response.clicked() {
                        let descending = if sort.column == column {
                            !sort.descending
                        } else {
                            first_click_descending(column)
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
                let Some(ticket) = list.row(index) else {
                    if picking {
                        row.col(|_| {});
                    }
                    row.col(|ui| {
                        ui.add(egui::Spinner::new().size(12.0));
                    });
                    for _ in 1..SortColumn::ALL.len() {
                        row.col(|_| {});
                    }
                    return;
                };
                let picked = selection.contains(ticket.number);
                row.set_selected(list.selected == Some(ticket.number) || picked);
                if picking {
                    row.col(|ui| {
                        let mut on = picked;
                        let label = format!("Pick {}", ticket.number);
                        let response = ui.checkbox(&mut on, "");
                        response.widget_info(|| {
                            egui::WidgetInfo::selected(egui::Role::CheckBox, true, on, &label)
                        });
                        if response.changed() {
                            selection.toggle(ticket, index);
                        }
                    });
                }
                row.col(|ui| {
                    // The number stays quiet; the subject leads.
                    cell(
                        ui,
                        RichText::new(ticket.number.to_string())
                            .monospace()
                            .small()
                            .weak(),
                    );
                });
                let unread = list.is_unread(ticket.number);
                row.col(|ui| {
                    // Changed by someone else since last opened: bold, with a
                    // dot. The dot's room is kept on every row, so subjects
                    // line up.
                    let (dot, response) =
                        ui.allocate_exact_size(egui::vec2(8.0, 8.0), Sense::hover());
                    if unread {
                        ui.painter().circle_filled(
                            dot.center(),
                            3.5,
                            ui.visuals().selection.bg_fill,
                        );
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::Label, true, "●")
                        });
                        response.on_hover_text("Changed by someone else since you last opened it");
                    }
                    let subject = if unread {
                        RichText::new(&ticket.subject).strong()
                    } else {
                        RichText::new(&ticket.subject)
                    };
                    let response = cell(ui, subject);
                    if response.hovered() && activities.get(ticket.number, ticket.updated).is_none()
                    {
                        actions.push(Action::WantLastActivity(ticket.number, ticket.updated));
                    }
                    response.on_hover_ui(|ui| {
                        ui.label(&ticket.subject);
                        match activities.get(ticket.number, ticket.updated) {
                            Some((sentence, at)) => ui.weak(format!(
                                "Last activity: {sentence}, {}",
                                relative_time(at, now)
                            )),
                            None => ui.weak("Last activity: …"),
                        };
                    });
                });
                row.col(|ui| {
                    status_pill(ui, ticket.status);
                });
                row.col(|ui| {
                    priority_mark(ui, ticket.priority, width < Width::Narrow);
                });
                row.col(|ui| {
                    cell(ui, ticket.customer.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    let summary = if width == Width::Wide {
                        assignee_summary(&ticket.assignees)
                    } else {
                        assignee_short(&ticket.assignees)
                    };
                    let response = cell(ui, summary);
                    if ticket.assignees.len() > 1 || width != Width::Wide {
                        response.on_hover_text(ticket.assignees.join(", "));
                    }
                });
                // Created as a date; Updated as how long ago ("3 hours ago").
                let wide = width == Width::Wide;
                for (moment, relative) in [(ticket.created, false), (ticket.updated, true)] {
                    if !relative && width == Width::Tight {
                        continue;
                    }
                    row.col(|ui| {
                        let text = match (wide, relative) {
                            (true, false) => short_time(moment, now),
                            (true, true) => relative_time(moment, now),
                            (false, _) => compact_time(moment, now),
                        };
                        cell(ui, text).on_hover_text(exact_time(moment));
                    });
                }
                row.col(|ui| {
                    due_cell(ui, ticket, now, wide);
                });
                if row.response().clicked() {
                    if modifiers.command {
                        // Ctrl/⌘-click picks the ticket (or lets it go).
                        selection.toggle(ticket, index);
                    } else if modifiers.shift {
                        // Shift-click picks the stretch from the last one picked.
                        match selection.anchor() {
                            Some(from) => actions.push(Action::SelectRange(from, index)),
                            None => selection.add(ticket, index),
                        }
                    } else {
                        let number = ticket.number;
                        actions.push(Action::Select(number));
                        list.selected = Some(number);
                        list.selected_index = Some(index);
                        list.selected_gone = false;
                    }
                }
            });
        });
    list.visible = visible.unwrap_or((0, 0));
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
            due: None,
            due_risk: None,
        }
    }

    #[test]
    fn pages_are_asked_for_once_and_stale_ones_dropped() {
        let mut list = ListState::default();
        list.restart();
        assert_eq!(
            list.wanted(),
            [0],
            "the first page even before any row is drawn"
        );
        assert!(list.wanted().is_empty(), "asked once");
        list.receive(
            list.generation,
            0,
            Some(250),
            (1..=100).map(row).collect(),
            None,
        );
        assert_eq!(list.row(5).map(|r| r.number), Some(TicketNumber(6)));
        list.visible = (150, 210);
        assert_eq!(list.wanted(), [1, 2]);
        // An answer for an older list is dropped.
        let old = list.generation;
        list.restart();
        list.receive(old, 100, Some(250), (101..=200).map(row).collect(), None);
        assert!(list.row(120).is_none());
    }

    #[test]
    fn a_page_is_read_on_from_the_nearest_known_row_until_the_data_changes() {
        use crate::store::SortValue;
        let key = |n: i64| ListKey {
            value: SortValue::Number(n),
            number: TicketNumber(n),
        };
        let mut list = ListState::default();
        list.restart();
        assert_eq!(list.anchor_for(1), None, "nothing known yet");
        let rows: Vec<TicketRow> = (1..=100).map(row).collect();
        list.receive(
            list.generation,
            0,
            Some(100_000),
            rows,
            Some((key(1), key(100))),
        );
        // The next page reads on from the last row; one far down, too.
        let next = list.anchor_for(1).expect("an anchor");
        assert_eq!((next.position, next.key.number), (99, TicketNumber(100)));
        assert_eq!(list.anchor_for(700).map(|a| a.position), Some(99));
        // A page that arrived further down is nearer for pages around it.
        let rows: Vec<TicketRow> = (50_001..=50_100).map(row).collect();
        list.receive(
            list.generation,
            50_000,
            Some(100_000),
            rows,
            Some((key(50_001), key(50_100))),
        );
        let before = list.anchor_for(499).expect("an anchor");
        assert_eq!(
            (before.position, before.key.number),
            (50_000, TicketNumber(50_001))
        );
        assert_eq!(list.anchor_for(501).map(|a| a.position), Some(50_099));
        // Once the data changed, rows may have moved: nothing is known.
        list.refresh();
        assert_eq!(list.anchor_for(1), None);
    }

    #[test]
    fn a_first_page_without_its_total_shows_and_the_total_is_asked_once() {
        let mut list = ListState::default();
        list.restart();
        assert_eq!(list.wanted(), [0]);
        assert!(!list.total_wanted(), "not before a page came");
        list.receive(list.generation, 0, None, (1..=100).map(row).collect(), None);
        assert_eq!(list.total, None, "the header says it is counting");
        assert_eq!(list.rows(), 100, "the rows received are shown");
        assert!(list.total_wanted());
        assert!(!list.total_wanted(), "asked once");
        list.receive_total(list.generation, 250);
        assert_eq!((list.total, list.rows()), (Some(250), 250));
        // The data changed: the old total stays on show until the new one.
        list.refresh();
        list.receive(list.generation, 0, None, (1..=100).map(row).collect(), None);
        assert_eq!((list.total, list.rows()), (Some(250), 250));
        assert!(list.total_wanted());
        let old = list.generation;
        list.restart();
        list.receive_total(old, 7);
        assert_eq!(list.total, None, "an old list's total is dropped");
        // A page that brings its total is not counted again.
        list.receive(
            list.generation,
            0,
            Some(3),
            (1..=3).map(row).collect(),
            None,
        );
        assert!(!list.total_wanted());
    }

    #[test]
    fn rows_from_before_a_change_are_not_picked_from() {
        let mut list = ListState::default();
        list.restart();
        list.receive(
            list.generation,
            0,
            Some(3),
            (1..=3).map(row).collect(),
            None,
        );
        assert_eq!(list.rows_between(0, 2).map(|r| r.len()), Some(3));
        // A change: the old rows stay on show until the new ones come.
        list.refresh();
        assert!(list.row(1).is_some(), "still on show");
        assert_eq!(list.rows_between(0, 2), None, "but not picked from");
    }

    #[test]
    fn an_empty_list_is_asked_again_when_the_data_changes() {
        let mut list = ListState::default();
        list.restart();
        assert_eq!(list.wanted(), [0]);
        list.receive(list.generation, 0, Some(0), Vec::new(), None);
        assert!(list.wanted().is_empty());
        // A ticket was created: nothing is drawn, yet the list asks again.
        list.refresh();
        assert_eq!(list.wanted(), [0]);
    }

    #[test]
    fn pages_far_from_the_screen_are_let_go_and_fetched_again_on_return() {
        let mut list = ListState::default();
        list.restart();
        list.receive(
            list.generation,
            0,
            Some(1_000_000),
            (1..=100).map(row).collect(),
            None,
        );
        list.visible = (500_000, 500_030);
        assert_eq!(list.wanted(), [5000]);
        assert!(list.row(5).is_none(), "the first page was let go");
        list.visible = (0, 30);
        assert_eq!(list.wanted(), [0], "and is fetched again");
    }

    #[test]
    fn a_failed_page_stops_the_spinner_until_retried() {
        let mut list = ListState::default();
        list.restart();
        assert_eq!(list.wanted(), [0]);
        assert!(list.loading());
        list.page_failed(list.generation, "the disk is full".to_owned());
        assert!(!list.loading());
        assert!(list.wanted().is_empty(), "not asked again at every frame");
        list.retry();
        assert_eq!(list.wanted(), [0]);
    }

    #[test]
    fn stepping_moves_the_selection_within_the_list() {
        let mut list = ListState::default();
        list.restart();
        list.receive(
            list.generation,
            0,
            Some(3),
            (1..=3).map(row).collect(),
            None,
        );
        assert_eq!(
            list.step(1),
            Some(TicketNumber(1)),
            "first step selects the top"
        );
        assert_eq!(list.step(1), Some(TicketNumber(2)));
        assert_eq!(list.step(5), Some(TicketNumber(3)), "stops at the end");
        assert_eq!(list.step(-9), Some(TicketNumber(1)));
    }

    #[test]
    fn after_the_selected_ticket_leaves_the_list_next_is_the_one_that_followed() {
        let mut list = ListState::default();
        list.restart();
        list.receive(
            list.generation,
            0,
            Some(4),
            (1..=4).map(row).collect(),
            None,
        );
        list.select(TicketNumber(2));
        // Ticket 2 left the filter: the list is now 1, 3, 4.
        list.refresh();
        list.receive(
            list.generation,
            0,
            Some(3),
            [1, 3, 4].into_iter().map(row).collect(),
            None,
        );
        assert_eq!(list.step(1), Some(TicketNumber(3)));
        assert_eq!(list.step(1), Some(TicketNumber(4)));
        // Going back from a gone ticket goes to the one before it.
        list.select(TicketNumber(4));
        list.refresh();
        list.receive(
            list.generation,
            0,
            Some(2),
            [1, 3].into_iter().map(row).collect(),
            None,
        );
        assert_eq!(list.step(-1), Some(TicketNumber(3)));
    }
}
