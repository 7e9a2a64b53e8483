//! Drawing: one file per panel or dialog. Widgets read the window's state
//! and push [`Action`]s; nothing here talks to the store.
//!
//! This file lays the window out (top bar, filters, list, ticket panel,
//! the one dialog on show, notifications), keeps track of which text box
//! has the keyboard, and reads the frame's shortcuts after the widgets, so
//! that a box opened this very frame already counts as typing.

pub mod analytics;
pub mod bulk_bar;
pub mod canned;
pub mod dialogs;
pub mod files;
pub mod forms;
pub mod import;
pub mod list;
pub mod list_header;
pub mod merge;
pub mod palette;
pub mod panel;
pub mod people;
pub mod service_levels;
pub mod sidebar;
pub mod team_server;
mod top_bar;
pub mod views;
pub mod widgets;

use egui::Ui;

use super::commands::{Action, Chord, UiCommand};
use super::{Database, ThemeChoice, TicketsApp};
use crate::domain::NoteId;

/// The text boxes the window puts the cursor in, or submits with Ctrl+Enter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextBox {
    /// The list's search box.
    Search,
    /// The command palette.
    Palette,
    /// The New Ticket form's subject.
    NewSubject,
    /// "Someone new" in the Who is using Tickets? dialog.
    WhoAreYou,
    /// The agent picker's search.
    AgentQuery,
    /// The tag box.
    NewTag,
    /// The description being edited.
    Description,
    /// The "Add a note" box.
    Note,
    /// A note being edited.
    NoteEdit(NoteId),
    /// The message box.
    Message,
    /// A path typed in a dialog.
    Path,
    /// A view's name.
    ViewName,
    /// The agent or tag for the picked tickets.
    BulkPick,
    /// The merge dialog's ticket number.
    MergeNumber,
    /// The panel's "link to ticket" number.
    LinkNumber,
    /// The name an import's mapping is saved as.
    MappingName,
    /// The new database a Tickets export is restored into.
    RestoreInto,
    /// The canned replies' search (the library's, or the picker's).
    CannedSearch,
    /// A canned reply's text, in the library.
    CannedBody,
    /// Any other text box.
    Other,
}

impl TextBox {
    /// The egui id the box is drawn with.
    pub fn id(self) -> egui::Id {
        egui::Id::unique(("text_box", self))
    }
}

/// Where the keyboard goes. A box opened for typing asks for the cursor
/// once, as it is next drawn; each registered box says when it has it.
#[derive(Debug, Default)]
pub struct Focus {
    /// The box to put the cursor in, and how many frames it has waited.
    pending: Option<(TextBox, u8)>,
    /// The registered box with the cursor this frame.
    focused: Option<TextBox>,
}

impl Focus {
    /// Asks for the cursor in `text_box` when it is next drawn.
    pub fn request(&mut self, text_box: TextBox) {
        self.pending = Some((text_box, 0));
    }

    /// Whether a box was opened for typing and has not been drawn yet.
    pub fn pending(&self) -> bool {
        self.pending.is_some()
    }

    /// A registered box was drawn: it takes the cursor if it asked for it.
    pub fn drawn(&mut self, text_box: TextBox, response: &egui::Response) {
        if self.pending.is_some_and(|(asked, _)| asked == text_box) {
            response.request_focus();
            self.pending = None;
        }
        if response.has_focus() {
            self.focused = Some(text_box);
        }
    }

    /// The registered box with the cursor.
    pub fn focused_box(&self) -> Option<TextBox> {
        self.focused
    }

    /// A new frame: forget a request for a box that never came (the
    /// dialog it was in closed), so it cannot hold shortcuts back.
    fn begin_frame(&mut self) {
        self.focused = None;
        if let Some((text_box, waited)) = self.pending {
            self.pending = (waited < 2).then_some((text_box, waited + 1));
        }
    }
}

/// The one dialog on show.
pub enum Modal {
    /// The New Ticket form.
    NewTicket(Box<forms::NewTicketForm>),
    /// Who is using Tickets?
    WhoAreYou(forms::AgentPicker),
    /// Load sample data, then its progress.
    SampleData(forms::SampleData),
    /// The command palette.
    Palette(palette::Palette),
    /// Export: options and where to.
    Export(dialogs::ExportDialog),
    /// A path typed where no file dialog is available.
    Path(dialogs::PathPrompt),
    /// Import a file: choose, preview, dry run, import.
    Import(Box<import::ImportDialog>),
    /// Connect to a team's server.
    Connect(dialogs::ConnectForm),
    /// Set a team server up, or move this desk's file into one.
    Team(Box<team_server::TeamForm>),
    /// Restore from a backup.
    Restore(files::RestoreChooser),
    /// Name a new view, or rename one.
    ViewName(views::ViewNameForm),
    /// An agent or a tag for every picked ticket.
    BulkPick(bulk_bar::BulkPick),
    /// The team's service levels.
    ServiceLevels(Box<service_levels::SlaForm>),
    /// Merge tickets: which one is kept, and what moves.
    Merge(Box<merge::MergeDialog>),
    /// The team's canned replies.
    Canned(Box<canned::CannedLibrary>),
    /// A canned reply to insert into a reply or a note.
    CannedPicker(Box<canned::CannedPicker>),
    /// Every keyboard shortcut.
    Shortcuts,
    /// About Tickets.
    About,
}

/// The window's look: the theme, and tick boxes and buttons that show
/// their edges on a light background.
pub fn style(ctx: &egui::Context, theme: ThemeChoice) {
    ctx.set_theme(theme.preference());
    let mut fonts = egui::FontDefinitions::default();
    // The monospace face has arrows and triangles the proportional one lacks.
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        family.push("Hack".to_owned());
    }
    ctx.set_fonts(fonts);
    ctx.style_mut_of(egui::Theme::Light, |style| {
        let edge = egui::Stroke::new(1.0, egui::Color32::from_gray(150));
        style.visuals.widgets.inactive.bg_stroke = edge;
        style.visuals.widgets.inactive.bg_fill = egui::Color32::from_gray(248);
        style.visuals.widgets.hovered.bg_stroke =
            egui::Stroke::new(1.0, egui::Color32::from_gray(110));
    });
    ctx.style_mut_of(egui::Theme::Dark, |style| {
        style.visuals.widgets.inactive.bg_stroke =
            egui::Stroke::new(1.0, egui::Color32::from_gray(80));
    });
}

impl TicketsApp {
    /// Draws one frame, then applies what it asked for.
    pub(super) fn draw(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        // Asked before the widgets: a combo box's list closes itself on Esc.
        let popup = egui::Popup::is_any_open(&ctx);
        self.focus.begin_frame();
        self.picker_was_open = self
            .panel
            .as_ref()
            .is_some_and(|p| p.assignee_query.is_some() || p.tag_input.is_some());
        let mut actions = Vec::new();
        self.top_bar(ui, &mut actions);
        match &self.database {
            Database::Open => self.main_area(ui, &mut actions),
            Database::Failed(error) => {
                let message = error.to_string();
                egui::CentralPanel::default()
                    .show(ui, |ui| files::failed_ui(ui, &message, &mut actions));
            }
            Database::Restoring => {
                egui::CentralPanel::default()
                    .show(ui, |ui| widgets::busy(ui, "Restoring the backup…"));
            }
            Database::Opening => {
                egui::CentralPanel::default()
                    .show(ui, |ui| widgets::busy(ui, "Opening the database…"));
            }
        }
        self.dialogs(&ctx, &mut actions);
        match self.toasts.show(&ctx) {
            Some(widgets::ToastButton::ShowTickets(numbers)) => {
                actions.push(Action::Filter(Box::new(crate::store::TicketFilter {
                    numbers,
                    ..Default::default()
                })));
            }
            Some(widgets::ToastButton::UndoBulk) => actions.push(Action::UndoBulk),
            None => {}
        }
        // Shortcuts after the widgets: a box that has the keyboard, had it
        // when this frame began (Esc has just taken it away), or was opened
        // for typing this frame keeps every key that types.
        // A dialog on show keeps the keys that type too, with or without
        // the cursor in one of its boxes: a letter typed after a click
        // beside a box, or meant for a file dialog that just closed, opened
        // another form over it. Esc, Ctrl+Enter and the other chords act.
        let typing = self.modal.is_some()
            || self.typed_in.is_some()
            || self.focus.focused_box().is_some()
            || self.focus.pending()
            || ctx.text_edit_focused();
        if let Some(chord) = self.chord {
            if typing {
                self.chord = None;
            } else if let Some(action) = self.chord_key(&ctx, chord) {
                actions.push(action);
            }
        }
        actions.extend(
            UiCommand::pressed(&ctx, typing, popup)
                .into_iter()
                .map(Action::Command),
        );
        for action in actions {
            self.apply(&ctx, action);
        }
        self.typed_in = self
            .focus
            .focused_box()
            .or_else(|| ctx.text_edit_focused().then_some(TextBox::Other));
    }

    /// After G, S or P: the next key. One of the chord's keys gives its
    /// command; any other key (Esc too) lets the chord go, and is used up
    /// by it. Meanwhile a hint lists the keys.
    fn chord_key(&mut self, ctx: &egui::Context, chord: Chord) -> Option<Action> {
        let pressed = ctx.input(|i| {
            i.events.iter().find_map(|e| match e {
                egui::Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } => Some((*key, *modifiers)),
                _ => None,
            })
        });
        let Some((key, modifiers)) = pressed else {
            egui::Area::new(egui::Id::unique("chord_hint"))
                .anchor(egui::Align2::CENTER_BOTTOM, egui::vec2(0.0, -24.0))
                .order(egui::Order::Foreground)
                .show(ctx, |ui| {
                    egui::Frame::popup(ui.style()).show(ui, |ui| ui.label(chord.hint()));
                });
            return None;
        };
        self.chord = None;
        ctx.input_mut(|i| i.consume_key(modifiers, key));
        chord
            .choices()
            .into_iter()
            .find(|(k, _, _)| modifiers.is_none() && *k == key)
            .map(|(_, _, command)| Action::Command(command))
    }

    /// The filters, the list and the ticket panel of an open database.
    fn main_area(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let width = ui.ctx().content_rect().width();
        // No tickets at all (not merely none in the view open).
        let empty = self.list.total == Some(0)
            && (self.db().filter.is_empty() || self.all_tickets() == Some(0));
        if !empty && self.filters_shown(width) {
            egui::Panel::left("filters")
                .resizable(true)
                .default_size(230.0)
                .min_size(190.0)
                .max_size(360.0)
                .show(ui, |ui| {
                    let entries = self.view_entries();
                    let modified = self.view_modified();
                    let views = views::ViewsInput {
                        entries: &entries,
                        counts: &self.view_counts.counts,
                        active: self.settings.database(&self.db_key).view.as_ref(),
                        modified,
                        unread_mine: self.view_counts.unread_mine,
                    };
                    let input = sidebar::SidebarInput {
                        views: &views,
                        filter: &self.settings.database(&self.db_key).filter,
                        counts: self.counts.as_ref(),
                        agents: &self.agents,
                        tags: &self.tags,
                        today: self.today(),
                    };
                    sidebar::sidebar_ui(ui, &input, &mut self.search, &mut self.focus, actions);
                });
        }
        let agent_name = self.agent_name();
        if let Some(panel) = &mut self.panel {
            let input = panel::PanelInput {
                agents: &self.agents,
                tags: &self.tags,
                now: self.clock.now(),
                others: &self.presence,
                sla: &self.sla_policy,
                canned: &self.canned,
                agent_name: agent_name.as_deref(),
            };
            // A narrow window lays the panel over the list, which keeps its
            // width; a wide one puts it beside the list.
            let overlay = width < 1000.0;
            let panel_width = if overlay {
                (width - 40.0).min(420.0)
            } else {
                (width * 0.3).clamp(380.0, 520.0)
            };
            let side = egui::Panel::right("ticket_panel")
                .resizable(false)
                .exact_size(panel_width);
            if overlay {
                egui::Area::new(egui::Id::unique("ticket_panel_overlay"))
                    .anchor(egui::Align2::RIGHT_TOP, egui::vec2(0.0, 34.0))
                    .order(egui::Order::Middle)
                    .show(ui.ctx(), |ui| {
                        egui::Frame::window(ui.style()).show(ui, |ui| {
                            ui.set_width(panel_width - 16.0);
                            ui.set_height(ui.ctx().content_rect().height() - 60.0);
                            panel::panel_ui(ui, panel, &input, &mut self.focus, actions);
                        });
                    });
            } else {
                side.show(ui, |ui| {
                    panel::panel_ui(ui, panel, &input, &mut self.focus, actions);
                });
            }
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if empty {
                self.empty_ui(ui, actions);
                return;
            }
            let filters_shown = self.filters_shown(width);
            let db = self.settings.database(&self.db_key);
            let header = list_header::HeaderInput {
                filter: &db.filter,
                agents: &self.agents,
                tags: &self.tags,
                customer: db
                    .filter
                    .customer
                    .map(|id| (id, self.customer_names.get(&id).map(String::as_str))),
                filters_shown,
            };
            if self.selection.is_empty() {
                list_header::header_ui(ui, &self.list, &header, actions);
            } else {
                let bar = bulk_bar::BulkBarInput {
                    count: self.selection.len(),
                    waiting: self.selection.waiting(),
                    running: self.tasks.progress(super::tasks::TaskName::Bulk).is_some(),
                    agents: &self.agents,
                    tags: &self.tags,
                    me: self.signed_in.as_ref().map(|a| a.id).or(db.agent),
                };
                bulk_bar::bulk_bar_ui(ui, &bar, &mut self.bulk_draft, actions);
            }
            if let Some(message) = self.list.failed.clone() {
                list_header::failed_ui(ui, &message, actions);
            } else if self.list.total == Some(0) {
                list_header::no_match_ui(ui, actions);
            } else {
                if let Some((merged, kept)) = self.list.merged_search {
                    ui.label(
                        egui::RichText::new(format!(
                            "{merged} was merged into {kept}, which is listed too."
                        ))
                        .weak(),
                    );
                }
                let sort = db.sort;
                let now = self.clock.now();
                list::table_ui(
                    ui,
                    &mut self.list,
                    &mut self.selection,
                    &self.last_activities,
                    sort,
                    now,
                    actions,
                );
            }
        });
    }

    /// An empty database: what Tickets is, and the two ways to begin.
    fn empty_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        ui.vertical_centered(|ui| {
            ui.set_max_width(520.0);
            ui.add_space(ui.available_height() / 5.0);
            ui.heading("No tickets yet");
            ui.add_space(6.0);
            ui.add(
                egui::Label::new(
                    "Tickets tracks customer issues that need follow-up beyond a single reply: \
                     bug reports, refund requests, feature questions. Each ticket has a status, \
                     a priority, a customer, assignees, tags, internal notes and a full history.",
                )
                .wrap(),
            );
            ui.add_space(12.0);
            // A team's server holds the team's real tickets: sample data
            // goes into a desk's file only.
            let on_file = matches!(self.location, crate::store::Location::File(_));
            let buttons = if on_file { 420.0 } else { 250.0 };
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - buttons).max(0.0) / 2.0);
                if ui
                    .button("Create ticket")
                    .on_hover_text(UiCommand::NewTicket.hint(ui.ctx(), "New ticket"))
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::NewTicket));
                }
                // A team moving in brings its old help desk's tickets.
                if ui
                    .button("Import from another help desk…")
                    .on_hover_text("Zendesk, Freshdesk, osTicket or Help Scout exports, or any CSV")
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::ImportTickets));
                }
                if on_file && ui.button("Load sample data").clicked() {
                    actions.push(Action::Command(UiCommand::LoadSampleData));
                }
            });
        });
    }
}
