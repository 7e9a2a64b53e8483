//! The agents' window: filter sidebar, ticket table, ticket panel, forms.
//!
//! Data flows one way. Widgets read the window's state and push [`Action`]s;
//! at the end of the frame the actions become [`Request`]s to the store's
//! worker thread; the worker's [`Response`]s become state on a later frame.
//! Nothing here waits on the database.

mod analytics;
pub mod commands;
mod exporter;
mod files;
mod forms;
mod list;
mod panel;
mod people;
mod sidebar;
pub mod widgets;
pub mod worker;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{RichText, Ui};

use crate::analytics::{PeriodChoice, Scope};
use crate::clock::Clock;
use crate::domain::{Agent, AgentId, CustomerId, NewCustomer, NewTicket, Tag, TicketNumber};
use crate::export::ReportFormat;
use crate::store::{ListRequest, Sort, TicketFilter};
use analytics::AnalyticsWindow;
use commands::{Menu, UiCommand};
use exporter::{ExportJob, ExportKind};
pub use files::backup_label;
use files::{RestoreChooser, failed_ui, restore_ui};
use forms::{AgentPicker, NewTicketForm, SampleData};
use list::{ListState, PAGE};
use panel::PanelState;
use people::{PeopleAction, PeopleWindow};
use sidebar::SidebarInput;
use widgets::{ToastKind, Toasts};
use worker::{Change, Counts, Request, Response, Worker};

/// Something a widget asked for, applied once at the end of the frame.
#[derive(Clone, Debug)]
pub enum Action {
    /// Run a command.
    Command(UiCommand),
    /// Replace the filter.
    Filter(TicketFilter),
    /// Show one customer's tickets.
    FilterCustomer(CustomerId),
    /// Sort the list.
    Sort(Sort),
    /// Open a ticket in the panel.
    Select(TicketNumber),
    /// Close the ticket panel.
    ClosePanel,
    /// Fetch a page of the list.
    FetchPage(u64),
    /// Change the open ticket.
    Change(Change),
    /// Raise a ticket.
    Create(NewTicket),
    /// Look for customers.
    FindCustomers(String),
    /// Add a customer from the New Ticket form.
    AddCustomer(NewCustomer),
    /// Add an agent and act as them.
    AddAgent(String),
    /// Act as this agent.
    ActAs(AgentId),
    /// Load sample data.
    Seed(u64),
    /// Stop loading sample data.
    CancelSeed,
    /// Work out the analytics of a period.
    Report(PeriodChoice),
    /// List the tickets behind an analytics figure.
    Drill(Scope),
    /// Export the report of the period on show.
    ExportReport(ReportFormat),
    /// Export the tickets matching the list's filters.
    ExportTickets {
        /// Whether to add the internal notes.
        include_notes: bool,
    },
    /// Stop the running export.
    CancelExport,
    /// Pick a file to restore with the open dialog.
    ChooseBackupFile,
    /// Put this backup in place of the database.
    Restore(PathBuf),
}

/// Asks where to save a file: given a suggested name and its extension,
/// returns the path chosen, or `None` if the person cancelled. The native
/// dialog in the app; a fixed path in tests.
pub type SaveDialog = Box<dyn FnMut(&str, &str) -> Option<PathBuf>>;

fn native_save_dialog(name: &str, extension: &str) -> Option<PathBuf> {
    let kind = match extension {
        "xlsx" => "Excel workbook",
        "db" => "Tickets database",
        _ => "CSV",
    };
    rfd::FileDialog::new()
        .set_file_name(name)
        .add_filter(kind, &[extension])
        .save_file()
}

/// Asks which existing file to open: given the dialog's title and the folder
/// to start in, returns the path chosen, or `None` if the person cancelled.
/// The native dialog in the app; a fixed path in tests.
pub type OpenDialog = Box<dyn FnMut(&str, Option<&Path>) -> Option<PathBuf>>;

fn native_open_dialog(title: &str, folder: Option<&Path>) -> Option<PathBuf> {
    let mut dialog = rfd::FileDialog::new()
        .set_title(title)
        .add_filter("Tickets database", &["db", "tickets"])
        .add_filter("All files", &["*"]);
    if let Some(folder) = folder {
        dialog = dialog.set_directory(folder);
    }
    dialog.pick_file()
}

/// Light, dark, or as the system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// Follow the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// What is remembered for one database between runs.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// The filter in force.
    pub filter: TicketFilter,
    /// The sort in force.
    pub sort: Sort,
    /// Who is using the app.
    pub agent: Option<AgentId>,
}

/// What is remembered between runs (window size, panel and column widths are
/// remembered by egui itself).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The colour theme.
    pub theme: ThemeChoice,
    /// Per database file.
    pub databases: HashMap<String, DatabaseSettings>,
    /// Whether opening a database makes the day's backup of it (on unless
    /// turned off, as the UI benchmark does for its 1.8 GB file).
    pub automatic_backups: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: ThemeChoice::default(),
            databases: HashMap::new(),
            automatic_backups: true,
        }
    }
}

const SETTINGS_KEY: &str = "tickets-settings";

enum Database {
    Opening,
    Restoring,
    /// Open: the file is `TicketsApp::path`.
    Open,
    Failed(String),
}

/// The command palette's state.
#[derive(Default)]
struct Palette {
    query: String,
}

/// The window.
pub struct TicketsApp {
    settings: Settings,
    /// The database file on show (or being opened, or that failed to open).
    path: PathBuf,
    db: DatabaseSettings,
    /// The store's thread (`None` only if the system refused to start it).
    worker: Option<Worker>,
    clock: Arc<dyn Clock>,
    database: Database,
    agents: Vec<Agent>,
    tags: Vec<Tag>,
    list: ListState,
    counts: Option<Counts>,
    counts_for: Option<(TicketFilter, u64)>,
    counts_asked: u64,
    data_epoch: u64,
    search: String,
    panel: Option<PanelState>,
    /// Unsaved panel text of tickets not on show.
    drafts: HashMap<TicketNumber, panel::Draft>,
    /// The panel's tab when it was last closed, to reopen on.
    last_tab: panel::Tab,
    new_ticket: Option<NewTicketForm>,
    picker: Option<AgentPicker>,
    sample: Option<SampleData>,
    palette: Option<Palette>,
    people: Option<PeopleWindow>,
    show_help: bool,
    show_about: bool,
    toasts: Toasts,
    focus_search: bool,
    analytics: Option<AnalyticsWindow>,
    export: Option<ExportJob>,
    /// The Export tickets dialog: whether to include internal notes.
    export_dialog: Option<bool>,
    save_dialog: SaveDialog,
    open_dialog: OpenDialog,
    /// The Restore from backup dialog.
    restore: Option<RestoreChooser>,
    /// A backup asked for is being written: (pages copied, pages in all).
    backing_up: Option<(u64, u64)>,
}

impl TicketsApp {
    /// The window on the database at `path`, with remembered settings.
    pub fn new(
        ctx: &egui::Context,
        path: PathBuf,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Self {
        let repaint = ctx.clone();
        let worker = Worker::start(path.clone(), clock.clone(), move || {
            repaint.request_repaint()
        });
        let db = settings
            .databases
            .get(&*path.to_string_lossy())
            .cloned()
            .unwrap_or_default();
        let (worker, database) = match worker {
            Ok(worker) => (Some(worker), Database::Opening),
            Err(e) => (
                None,
                Database::Failed(format!("could not start the database thread: {e}")),
            ),
        };
        apply_theme(ctx, settings.theme);
        install_fonts(ctx);
        let mut list = ListState::default();
        list.restart();
        Self {
            search: db.filter.text.clone(),
            settings,
            path,
            db,
            worker,
            clock,
            database,
            agents: Vec::new(),
            tags: Vec::new(),
            list,
            counts: None,
            counts_for: None,
            counts_asked: 0,
            data_epoch: 0,
            panel: None,
            drafts: HashMap::new(),
            last_tab: panel::Tab::default(),
            new_ticket: None,
            picker: None,
            sample: None,
            palette: None,
            people: None,
            show_help: false,
            show_about: false,
            toasts: Toasts::default(),
            focus_search: false,
            analytics: None,
            export: None,
            export_dialog: None,
            save_dialog: Box::new(native_save_dialog),
            open_dialog: Box::new(native_open_dialog),
            restore: None,
            backing_up: None,
        }
    }

    /// Replaces the save dialog (tests choose the path themselves).
    pub fn set_save_dialog(&mut self, dialog: SaveDialog) {
        self.save_dialog = dialog;
    }

    /// Replaces the open dialog (tests choose the file themselves).
    pub fn set_open_dialog(&mut self, dialog: OpenDialog) {
        self.open_dialog = dialog;
    }

    /// The window as eframe creates it, with settings from its storage.
    pub fn from_creation_context(
        cc: &eframe::CreationContext<'_>,
        path: PathBuf,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let settings = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
            .unwrap_or_default();
        Self::new(&cc.egui_ctx, path, clock, settings)
    }

    /// The settings as they would be saved now.
    pub fn settings(&self) -> Settings {
        let mut settings = self.settings.clone();
        settings.databases.insert(self.db_key(), self.db.clone());
        settings
    }

    /// The key the open file's settings are remembered under.
    fn db_key(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// Whether a database is open (not opening, restoring or refused).
    fn is_open(&self) -> bool {
        matches!(self.database, Database::Open)
    }

    /// The acting agent, once chosen.
    pub fn acting_agent(&self) -> Option<&Agent> {
        self.db
            .agent
            .and_then(|id| self.agents.iter().find(|a| a.id == id))
    }

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.receive();
        let mut actions: Vec<Action> = UiCommand::pressed(&ctx)
            .into_iter()
            .map(Action::Command)
            .collect();
        self.top_bar(ui, &mut actions);
        if !self.is_open() {
            egui::CentralPanel::default().show(ui, |ui| match &self.database {
                Database::Failed(message) => failed_ui(ui, message, &mut actions),
                Database::Restoring => widgets::busy(ui, "Restoring the backup…"),
                _ => widgets::busy(ui, "Opening the database…"),
            });
            self.finish_frame(&ctx, actions);
            return;
        }
        let empty = self.list.total == Some(0) && self.db.filter.is_empty();
        if !empty {
            egui::Panel::left("filters")
                .resizable(true)
                .default_size(250.0)
                .min_size(180.0)
                .show(ui, |ui| {
                    let input = SidebarInput {
                        filter: &self.db.filter,
                        counts: self.counts.as_ref(),
                        agents: &self.agents,
                        tags: &self.tags,
                    };
                    sidebar::sidebar_ui(ui, &input, &mut self.search, &mut actions);
                });
        }
        if let Some(panel) = &mut self.panel {
            egui::Panel::right("ticket_panel")
                .resizable(true)
                .default_size(440.0)
                .min_size(320.0)
                .show(ui, |ui| {
                    panel::panel_ui(
                        ui,
                        panel,
                        &self.agents,
                        &self.tags,
                        self.clock.now(),
                        &mut actions,
                    );
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if empty {
                self.empty_ui(ui, &mut actions);
            } else {
                ui.horizontal(|ui| {
                    match self.list.total {
                        Some(n) => ui.label(
                            RichText::new(format!("{n} ticket{}", if n == 1 { "" } else { "s" }))
                                .strong(),
                        ),
                        None => ui.label("Counting…"),
                    };
                    if self.list.loading() {
                        ui.spinner();
                    }
                });
                // Narrow windows scroll the table sideways rather than hide columns.
                egui::ScrollArea::horizontal().show(ui, |ui| {
                    list::table_ui(
                        ui,
                        &mut self.list,
                        self.db.sort,
                        self.clock.now(),
                        &mut actions,
                    );
                });
            }
        });
        if self.focus_search {
            self.focus_search = false;
            ctx.memory_mut(|m| m.request_focus(sidebar::search_id()));
        }
        self.finish_frame(&ctx, actions);
    }

    /// Dialogs and notifications, then what the frame's widgets asked for.
    fn finish_frame(&mut self, ctx: &egui::Context, mut actions: Vec<Action>) {
        self.dialogs(ctx, &mut actions);
        self.toasts.show(ctx);
        for action in actions {
            self.apply(ctx, action);
        }
        self.keep_up(ctx);
    }

    fn top_bar(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let open = self.is_open();
        egui::Panel::top("top_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                for (menu, name) in [
                    (Menu::File, "File"),
                    (Menu::View, "View"),
                    (Menu::Help, "Help"),
                ] {
                    ui.menu_button(name, |ui| {
                        for command in UiCommand::ALL.into_iter().filter(|c| c.menu() == menu) {
                            let mut button = egui::Button::new(command.label());
                            if let Some(shortcut) = command.shortcut_text(ui.ctx()) {
                                button = button.shortcut_text(shortcut);
                            }
                            if ui
                                .add_enabled(open || !command.needs_database(), button)
                                .clicked()
                            {
                                actions.push(Action::Command(command));
                                ui.close();
                            }
                        }
                    });
                }
                ui.separator();
                // Greyed out, like the menus' database commands, with no database open.
                if ui
                    .add_enabled(
                        open,
                        egui::Button::new(RichText::new("+ New Ticket").strong()),
                    )
                    .on_hover_text("N")
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::NewTicket));
                }
                if ui
                    .add_enabled(
                        open,
                        egui::Button::selectable(self.analytics.is_some(), "Analytics"),
                    )
                    .on_hover_text(
                        UiCommand::Analytics
                            .shortcut_text(ui.ctx())
                            .unwrap_or_default(),
                    )
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::Analytics));
                }
                // Long jobs show here, whichever window started them.
                if let Some(progress) = self.backing_up {
                    widgets::job_progress(ui, progress, "Backing up…".to_owned(), None);
                }
                if let Some((done, total)) = self.export.as_ref().map(ExportJob::progress)
                    && widgets::job_progress(
                        ui,
                        (done, total),
                        format!("Exporting {done} of {total}"),
                        Some("Cancel export"),
                    )
                {
                    actions.push(Action::CancelExport);
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let you = self
                        .acting_agent()
                        .map_or("nobody yet".to_owned(), |a| a.name.clone());
                    ui.menu_button(format!("You: {you} ▾"), |ui| {
                        for agent in self.agents.iter().filter(|a| a.active) {
                            if ui.button(&agent.name).clicked() {
                                actions.push(Action::ActAs(agent.id));
                                ui.close();
                            }
                        }
                        ui.separator();
                        if ui.button("Someone else…").clicked() {
                            actions.push(Action::Command(UiCommand::SwitchAgent));
                            ui.close();
                        }
                    });
                });
            });
        });
    }

    fn empty_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 5.0);
            ui.heading("No tickets yet");
            ui.add_space(6.0);
            ui.label(
                "Tickets tracks customer issues that need follow-up beyond a single reply: \
                 bug reports, refund requests, feature questions. Each ticket has a status, \
                 a priority, a customer, assignees, tags, internal notes and a full history.",
            );
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 300.0).max(0.0) / 2.0);
                if ui.button("Create ticket").clicked() {
                    actions.push(Action::Command(UiCommand::NewTicket));
                }
                if ui.button("Load sample data").clicked() {
                    actions.push(Action::Command(UiCommand::LoadSampleData));
                }
            });
        });
    }

    fn dialogs(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let open = self.is_open();
        if let Some(chooser) = &mut self.restore {
            let keep = egui::Modal::new(egui::Id::unique("restore_backup"))
                .show(ctx, |ui| {
                    ui.set_width(460.0);
                    restore_ui(ui, chooser, &self.path, actions)
                })
                .inner;
            if !keep {
                self.restore = None;
            }
        }
        let exporting = self.export.as_ref().map(ExportJob::progress);
        if let Some(window) = &mut self.analytics {
            let mut open = true;
            if ctx.embed_viewports() {
                // No native windows here (tests, some platforms): a window
                // inside the app's, never larger than it.
                egui::Window::new("Analytics")
                    .open(&mut open)
                    .default_size([980.0, 720.0])
                    .default_pos([260.0, 60.0])
                    .max_size(ctx.content_rect().size() - egui::vec2(16.0, 40.0))
                    .resizable(true)
                    .show(ctx, |ui| {
                        analytics::analytics_ui(ui, window, exporting, actions)
                    });
            } else {
                // Its own window beside the ticket list: drill-downs land in
                // the list while the numbers stay in view.
                ctx.show_viewport_immediate(
                    egui::ViewportId::from_hash_of("analytics"),
                    egui::ViewportBuilder::default()
                        .with_title("Tickets — Analytics")
                        .with_inner_size([1000.0, 760.0])
                        .with_min_inner_size([480.0, 360.0]),
                    |ui, _| {
                        egui::CentralPanel::default().show(ui, |ui| {
                            analytics::analytics_ui(ui, window, exporting, actions)
                        });
                        if ui.input(|i| {
                            i.viewport().close_requested() || i.key_pressed(egui::Key::Escape)
                        }) {
                            open = false;
                        }
                    },
                );
            }
            if !open {
                self.analytics = None;
            }
        }
        if let Some(include_notes) = &mut self.export_dialog {
            let total = self.list.total.unwrap_or(0);
            let mut close = false;
            egui::Modal::new(egui::Id::unique("export_tickets")).show(ctx, |ui| {
                ui.heading("Export tickets");
                ui.label(format!(
                    "Writes the {total} ticket{} matching the current filters to CSV, in the list's order, with every column, the description and the conversation.",
                    if total == 1 { "" } else { "s" }
                ));
                ui.checkbox(include_notes, "Include internal notes")
                    .on_hover_text("Notes are never shown to customers; leave this off for files that may leave the team.");
                let (export, cancel) = widgets::button_pair(ui, "Export…", "Cancel");
                if export {
                    actions.push(Action::ExportTickets {
                        include_notes: *include_notes,
                    });
                    close = true;
                }
                close |= cancel;
            });
            if close {
                self.export_dialog = None;
            }
        }
        if let Some(form) = &mut self.new_ticket {
            let response = egui::Modal::new(egui::Id::unique("new_ticket")).show(ctx, |ui| {
                ui.set_width(520.0);
                forms::new_ticket_ui(ui, form, actions)
            });
            if !response.inner {
                self.new_ticket = None;
            }
        }
        if let Some(picker) = &mut self.picker {
            let response = egui::Modal::new(egui::Id::unique("agent_picker")).show(ctx, |ui| {
                ui.set_width(380.0);
                forms::agent_picker_ui(ui, picker, &self.agents, actions)
            });
            if !response.inner {
                self.picker = None;
            }
        }
        if let Some(sample) = &mut self.sample {
            let response = egui::Modal::new(egui::Id::unique("sample_data")).show(ctx, |ui| {
                ui.set_width(380.0);
                forms::sample_data_ui(ui, sample, actions)
            });
            if !response.inner {
                self.sample = None;
            }
        }
        if let Some(palette) = &mut self.palette {
            let mut close = false;
            egui::Modal::new(egui::Id::unique("palette")).show(ctx, |ui| {
                ui.set_width(420.0);
                let label = ui.label("Command");
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut palette.query)
                            .hint_text("Type a command")
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                response.request_focus();
                let q = palette.query.to_lowercase();
                let matches: Vec<UiCommand> = UiCommand::ALL
                    .into_iter()
                    .filter(|c| *c != UiCommand::Palette && c.label().to_lowercase().contains(&q))
                    .filter(|c| open || !c.needs_database())
                    .collect();
                let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                for (i, command) in matches.iter().enumerate() {
                    let mut button = egui::Button::new(command.label()).frame(i == 0);
                    if let Some(shortcut) = command.shortcut_text(ui.ctx()) {
                        button = button.shortcut_text(shortcut);
                    }
                    if ui.add_sized([ui.available_width(), 22.0], button).clicked()
                        || (enter && i == 0)
                    {
                        actions.push(Action::Command(*command));
                        close = true;
                    }
                }
                if matches.is_empty() {
                    ui.weak("No command matches");
                }
            });
            if close {
                self.palette = None;
            }
        }
        if let Some(window) = &mut self.people {
            let mut open = true;
            let mut people_actions = Vec::new();
            egui::Window::new("Customers and agents")
                .open(&mut open)
                .collapsible(false)
                .default_width(560.0)
                .show(ctx, |ui| {
                    people::people_ui(ui, window, &self.agents, &self.tags, &mut people_actions)
                });
            if !open {
                self.people = None;
            }
            for action in people_actions {
                let request = match action {
                    PeopleAction::FindCustomers(query) => Request::FindCustomers(query),
                    PeopleAction::AddCustomer(fields) => Request::AddCustomer(fields),
                    PeopleAction::SaveCustomer(id, fields) => {
                        Request::UpdateCustomer { id, fields }
                    }
                    PeopleAction::TagCustomer(id, tag) => Request::AddCustomerTag { id, tag },
                    PeopleAction::UntagCustomer(id, tag) => Request::RemoveCustomerTag { id, tag },
                    PeopleAction::AddAgent(name, email) => Request::AddAgent { name, email },
                    PeopleAction::SaveAgent(id, name, email) => {
                        Request::UpdateAgent { id, name, email }
                    }
                    PeopleAction::SetActive(id, active) => Request::SetAgentActive { id, active },
                    PeopleAction::EraseCustomer(customer) => match self.db.agent {
                        Some(actor) => Request::EraseCustomer { actor, customer },
                        None => {
                            // The erasure is recorded under someone: ask who first.
                            if let Some(window) = &mut self.people {
                                window.erase = None;
                            }
                            self.picker = Some(AgentPicker::new(false));
                            continue;
                        }
                    },
                };
                self.request(request);
            }
        }
        if self.show_help {
            egui::Window::new("Keyboard shortcuts")
                .open(&mut self.show_help)
                .collapsible(false)
                .show(ctx, |ui| {
                    egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                        for command in UiCommand::ALL {
                            let keys: Vec<String> = command
                                .shortcuts()
                                .iter()
                                .map(|s| ctx.format_shortcut(s))
                                .collect();
                            if keys.is_empty() {
                                continue;
                            }
                            ui.label(command.label());
                            ui.label(keys.join("  or  "));
                            ui.end_row();
                        }
                        ui.label("Submit a note or reply");
                        ui.label(ctx.format_shortcut(&egui::KeyboardShortcut::new(
                            egui::Modifiers::COMMAND,
                            egui::Key::Enter,
                        )));
                        ui.end_row();
                    });
                });
        }
        if self.show_about {
            egui::Window::new("About Tickets")
                .open(&mut self.show_about)
                .collapsible(false)
                .show(ctx, |ui| {
                    ui.label(format!(
                        "Tickets {} (pre-launch preview)",
                        env!("CARGO_PKG_VERSION")
                    ));
                    ui.label(
                        "An offline help desk: everything stays in one file on this computer.",
                    );
                    if matches!(self.database, Database::Open) {
                        ui.label(format!("Database: {}", self.path.display()));
                    }
                });
        }
    }

    fn run_command(&mut self, ctx: &egui::Context, command: UiCommand) {
        if command.needs_database() && !self.is_open() {
            return;
        }
        match command {
            UiCommand::OpenDatabase => {
                let folder = self.path.parent().map(Path::to_path_buf);
                if let Some(path) = (self.open_dialog)("Open a Tickets database", folder.as_deref())
                {
                    self.switch_database(ctx, path, None);
                }
            }
            UiCommand::NewDatabase => {
                let Some(path) = (self.save_dialog)("tickets.db", "db") else {
                    return;
                };
                if path.exists() {
                    self.toasts.add(
                        ToastKind::Error,
                        format!(
                            "“{}” already exists, and Tickets never writes over a file. Choose a new name, or open it with Open database….",
                            path.display()
                        ),
                    );
                } else {
                    self.switch_database(ctx, path, None);
                }
            }
            UiCommand::BackupNow => {
                if self.backing_up.is_some() {
                    self.toasts
                        .add(ToastKind::Error, "A backup is being made already.");
                } else {
                    self.backing_up = Some((0, 0));
                    self.request(Request::BackupNow);
                }
            }
            UiCommand::RestoreBackup => {
                if !self.export_running() {
                    self.restore = Some(RestoreChooser::default());
                    self.request(Request::ListBackups);
                }
            }
            UiCommand::NewTicket => {
                if self.new_ticket.is_none() {
                    self.new_ticket = Some(NewTicketForm::new());
                }
            }
            UiCommand::Search => self.focus_search = true,
            UiCommand::NextTicket | UiCommand::PreviousTicket => {
                let step = if command == UiCommand::NextTicket {
                    1
                } else {
                    -1
                };
                if let Some(number) = self.list.step(step) {
                    self.open_ticket(number);
                }
            }
            UiCommand::Close => {
                if self.palette.is_some() {
                    self.palette = None;
                } else if self.restore.is_some() {
                    self.restore = None;
                } else if self.new_ticket.is_some() {
                    self.new_ticket = None;
                } else if self.sample.as_ref().is_some_and(|s| s.progress.is_none()) {
                    self.sample = None;
                } else if self.picker.as_ref().is_some_and(|p| p.can_cancel) {
                    self.picker = None;
                } else if self.people.is_some() {
                    self.people = None;
                } else if self.show_help || self.show_about {
                    self.show_help = false;
                    self.show_about = false;
                } else if !self.panel.as_mut().is_some_and(PanelState::close_picker) {
                    self.close_panel();
                }
            }
            UiCommand::Palette => self.palette = Some(Palette::default()),
            UiCommand::ClearFilters => {
                self.search.clear();
                self.set_filter(TicketFilter::default());
            }
            UiCommand::Refresh => self.data_changed(),
            UiCommand::SwitchAgent => self.picker = Some(AgentPicker::new(true)),
            UiCommand::ManageAgents => self.people = Some(PeopleWindow::default()),
            UiCommand::LoadSampleData => {
                if self.list.total.unwrap_or(0) > 0 {
                    self.toasts.add(
                        ToastKind::Error,
                        "Sample data goes only into an empty database, so it never mixes with real tickets.",
                    );
                } else {
                    self.sample = Some(SampleData::default());
                }
            }
            UiCommand::ThemeLight | UiCommand::ThemeDark | UiCommand::ThemeSystem => {
                self.settings.theme = match command {
                    UiCommand::ThemeLight => ThemeChoice::Light,
                    UiCommand::ThemeDark => ThemeChoice::Dark,
                    _ => ThemeChoice::System,
                };
                apply_theme(ctx, self.settings.theme);
            }
            UiCommand::Analytics => {
                if self.analytics.is_some() {
                    self.analytics = None;
                } else {
                    let today = self.clock.now().with_timezone(&chrono::Local).date_naive();
                    self.analytics = Some(AnalyticsWindow::new(today));
                    self.ask_report(PeriodChoice::Last30d);
                }
            }
            UiCommand::ExportTickets => self.export_dialog = Some(false),
            UiCommand::KeyboardHelp => self.show_help = true,
            UiCommand::About => self.show_about = true,
            UiCommand::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    fn apply(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Command(command) => self.run_command(ctx, command),
            Action::Filter(filter) => self.set_filter(filter),
            Action::FilterCustomer(customer) => {
                self.search.clear();
                self.set_filter(TicketFilter {
                    customer: Some(customer),
                    ..TicketFilter::default()
                });
            }
            Action::Sort(sort) => {
                self.db.sort = sort;
                self.list.restart();
            }
            Action::Select(number) => {
                self.list.selected = Some(number);
                self.open_ticket(number);
            }
            Action::ClosePanel => self.close_panel(),
            Action::FetchPage(page) => self.request(Request::List {
                generation: self.list.generation,
                request: ListRequest {
                    filter: self.db.filter.clone(),
                    sort: self.db.sort,
                    offset: page * u64::from(PAGE),
                    limit: PAGE,
                },
            }),
            Action::Change(change) => {
                let (Some(actor), Some(ticket)) =
                    (self.db.agent, self.panel.as_ref().and_then(|p| p.ticket))
                else {
                    self.picker = Some(AgentPicker::new(false));
                    return;
                };
                self.request(Request::Change {
                    actor,
                    ticket,
                    change,
                });
            }
            Action::Create(ticket) => match self.db.agent {
                Some(actor) => self.request(Request::Create { actor, ticket }),
                None => self.picker = Some(AgentPicker::new(false)),
            },
            Action::FindCustomers(query) => self.request(Request::FindCustomers(query)),
            Action::AddCustomer(customer) => self.request(Request::AddCustomer(customer)),
            Action::AddAgent(name) => self.request(Request::AddAgent {
                name,
                email: String::new(),
            }),
            Action::ActAs(agent) => {
                self.db.agent = Some(agent);
                self.picker = None;
            }
            Action::Seed(tickets) => self.request(Request::Seed { tickets }),
            Action::CancelSeed => {
                if let Some(worker) = &self.worker {
                    worker.cancel_seed();
                }
            }
            Action::Report(choice) => self.ask_report(choice),
            Action::Drill(scope) => {
                self.search.clear();
                self.set_filter(TicketFilter {
                    scope: Some(scope),
                    ..TicketFilter::default()
                });
            }
            Action::ExportReport(format) => {
                let Some(period) = self
                    .analytics
                    .as_ref()
                    .and_then(|a| a.report.as_ref())
                    .map(|r| r.period.clone())
                else {
                    return;
                };
                let extension = match format {
                    ReportFormat::Csv => "csv",
                    ReportFormat::Xlsx => "xlsx",
                };
                let name = format!(
                    "tickets-report-{}.{extension}",
                    period.start_local.get(..10).unwrap_or("period")
                );
                self.start_export(
                    ctx,
                    &name,
                    extension,
                    ExportKind::Report {
                        period: Box::new(period),
                        format,
                    },
                );
            }
            Action::ExportTickets { include_notes } => {
                let name = format!("tickets-{}.csv", self.clock.now().format("%Y-%m-%d"));
                self.start_export(
                    ctx,
                    &name,
                    "csv",
                    ExportKind::Tickets {
                        filter: Box::new(self.db.filter.clone()),
                        sort: self.db.sort,
                        include_notes,
                    },
                );
            }
            Action::CancelExport => {
                if let Some(job) = &self.export {
                    job.cancel();
                }
            }
            Action::ChooseBackupFile => {
                let folder = self.path.parent().map(Path::to_path_buf);
                let chosen = (self.open_dialog)("Choose a backup to restore", folder.as_deref());
                if let (Some(chooser), Some(path)) = (&mut self.restore, chosen) {
                    chooser.chosen = Some(path);
                }
            }
            Action::Restore(backup) => {
                if !self.export_running() {
                    self.restore = None;
                    self.switch_database(ctx, self.path.clone(), Some(backup));
                }
            }
        }
    }

    /// Whether an export is running; if so, says that a restore must wait.
    fn export_running(&mut self) -> bool {
        let Some(job) = &self.export else {
            return false;
        };
        let message = format!(
            "An export to {} is still running; wait for it or cancel it, then restore.",
            job.target.display()
        );
        self.toasts.add(ToastKind::Error, message);
        true
    }

    /// Leaves the database on show for the one at `path` (the same file when
    /// putting the backup `restore` in its place). Its settings are kept for
    /// next time; a new worker opens the file once the old one has let go of
    /// it. What was on show belonged to the old file and goes, except unsaved
    /// ticket text when the file stays the same.
    fn switch_database(&mut self, ctx: &egui::Context, path: PathBuf, restore: Option<PathBuf>) {
        self.close_panel();
        if path != self.path {
            self.drafts.clear();
        }
        self.settings
            .databases
            .insert(self.db_key(), self.db.clone());
        let restoring = restore.is_some();
        let repaint = ctx.clone();
        let worker = Worker::replace(
            self.worker.take(),
            path.clone(),
            self.clock.clone(),
            restore,
            move || repaint.request_repaint(),
        );
        (self.worker, self.database) = match worker {
            Ok(worker) if restoring => (Some(worker), Database::Restoring),
            Ok(worker) => (Some(worker), Database::Opening),
            Err(e) => (
                None,
                Database::Failed(format!("could not start the database thread: {e}")),
            ),
        };
        self.db = self
            .settings
            .databases
            .get(&*path.to_string_lossy())
            .cloned()
            .unwrap_or_default();
        self.search = self.db.filter.text.clone();
        self.path = path;
        self.agents.clear();
        self.tags.clear();
        self.list = ListState::default();
        self.list.restart();
        self.counts = None;
        self.counts_for = None;
        self.new_ticket = None;
        self.picker = None;
        self.sample = None;
        self.palette = None;
        self.people = None;
        self.analytics = None;
        self.export_dialog = None;
        self.restore = None;
        self.backing_up = None;
    }

    /// Asks the worker for the analytics of a period.
    fn ask_report(&mut self, choice: PeriodChoice) {
        let Some(window) = &mut self.analytics else {
            return;
        };
        window.choice = choice;
        window.asked += 1;
        window.loading = true;
        let generation = window.asked;
        self.request(Request::Report { generation, choice });
    }

    /// Asks where to save, then writes on the export thread. A second export
    /// while one runs is refused with a message.
    fn start_export(&mut self, ctx: &egui::Context, name: &str, extension: &str, kind: ExportKind) {
        if let Some(job) = &self.export {
            self.toasts.add(
                ToastKind::Error,
                format!(
                    "An export to {} is still running; wait for it or cancel it first.",
                    job.target.display()
                ),
            );
            return;
        }
        if !self.is_open() {
            return;
        }
        let db = &self.path;
        let Some(target) = (self.save_dialog)(name, extension) else {
            return;
        };
        let repaint = ctx.clone();
        match ExportJob::start(db.clone(), self.clock.clone(), kind, target, move || {
            repaint.request_repaint()
        }) {
            Ok(job) => self.export = Some(job),
            Err(e) => self
                .toasts
                .add(ToastKind::Error, format!("Could not start the export: {e}")),
        }
    }

    fn request(&self, request: Request) {
        if let Some(worker) = &self.worker {
            worker.send(request);
        }
    }

    fn set_filter(&mut self, filter: TicketFilter) {
        if filter != self.db.filter {
            self.db.filter = filter;
            self.list.restart();
        }
    }

    fn open_ticket(&mut self, number: TicketNumber) {
        let last_tab = self.last_tab;
        let panel = self.panel.get_or_insert_with(|| {
            let mut panel = PanelState::default();
            panel.tab = last_tab;
            panel
        });
        if panel.ticket != Some(number) {
            if let Some((ticket, draft)) = panel.take_draft() {
                self.drafts.insert(ticket, draft);
            }
            panel.open(number);
            if let Some(draft) = self.drafts.remove(&number) {
                panel.restore(draft);
            }
        }
        self.request(Request::Load(number));
    }

    /// Closes the ticket panel, keeping any unsaved text for the next visit.
    fn close_panel(&mut self) {
        if let Some(mut panel) = self.panel.take() {
            self.last_tab = panel.tab;
            if let Some((ticket, draft)) = panel.take_draft() {
                self.drafts.insert(ticket, draft);
            }
        }
    }

    /// The data changed (here or elsewhere): fetch what is on show again.
    fn data_changed(&mut self) {
        self.data_epoch += 1;
        self.list.refresh();
        if let Some(number) = self.panel.as_ref().and_then(|p| p.ticket) {
            self.request(Request::Load(number));
        }
        self.request(Request::People);
        if let Some(choice) = self.analytics.as_ref().map(|a| a.choice) {
            self.ask_report(choice);
        }
    }

    /// Asks for what the state says is missing.
    fn keep_up(&mut self, ctx: &egui::Context) {
        if let Some(job) = &self.export {
            match job.finished() {
                Some(Ok(message)) => {
                    self.toasts.add(ToastKind::Info, message);
                    self.export = None;
                }
                Some(Err(message)) => {
                    self.toasts.add(
                        ToastKind::Error,
                        format!("The export did not finish: {message}. Nothing was written."),
                    );
                    self.export = None;
                }
                None => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
            }
        }
        let key = (self.db.filter.clone(), self.data_epoch);
        if self.is_open() && self.counts_for.as_ref() != Some(&key) {
            self.counts_asked += 1;
            self.request(Request::Counts {
                generation: self.counts_asked,
                filter: key.0.clone(),
            });
            self.counts_for = Some(key);
        }
        if self.list.loading() || self.sample.as_ref().is_some_and(|s| s.progress.is_some()) {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn receive(&mut self) {
        let responses = self.worker.as_ref().map(Worker::poll).unwrap_or_default();
        for response in responses {
            match response {
                Response::Opened { .. } => {
                    self.database = Database::Open;
                    self.request(Request::People);
                    if self.settings.automatic_backups {
                        // The day's backup, unless one was made today already.
                        self.request(Request::BackupIfDue);
                    }
                }
                Response::OpenFailed(message) => self.database = Database::Failed(message),
                Response::Backups(found) => {
                    if let Some(chooser) = &mut self.restore {
                        chooser.found = Some(found);
                    }
                }
                Response::BackupProgress { done, total } => {
                    if self.backing_up.is_some() {
                        self.backing_up = Some((done, total));
                    }
                }
                Response::BackupMade(result) => {
                    self.backing_up = None;
                    match result {
                        Ok(path) => self
                            .toasts
                            .add(ToastKind::Info, format!("Backed up to {}", path.display())),
                        Err(message) => self.toasts.add(
                            ToastKind::Error,
                            format!("The backup was not made: {message}."),
                        ),
                    }
                }
                Response::Restored(kept) => self.toasts.add(
                    ToastKind::Info,
                    match kept {
                        Some(kept) => format!(
                            "Backup restored. The database as it was is kept as {}.",
                            kept.display()
                        ),
                        None => "Backup restored.".to_owned(),
                    },
                ),
                Response::RestoreFailed(message) => self.toasts.add(
                    ToastKind::Error,
                    format!("The backup was not restored, and nothing was changed: {message}."),
                ),
                Response::Page {
                    generation,
                    request,
                    page,
                } => {
                    self.list
                        .receive(generation, request.offset, page.total, page.rows);
                }
                Response::Counts { generation, counts } => {
                    if generation == self.counts_asked {
                        self.counts = Some(counts);
                    }
                }
                Response::Ticket(detail) => {
                    if let Some(panel) = &mut self.panel
                        && panel.ticket == Some(detail.number)
                    {
                        panel.loaded(*detail);
                    }
                }
                Response::Created(number) => {
                    self.new_ticket = None;
                    self.toasts
                        .add(ToastKind::Info, format!("Created {number}"));
                    self.list.selected = Some(number);
                    self.open_ticket(number);
                    self.data_changed();
                }
                Response::CreateFailed(message) => {
                    if let Some(form) = &mut self.new_ticket {
                        form.submitting = false;
                        form.error = Some(message);
                    }
                }
                Response::Changed { ticket, change } => {
                    if let Some(panel) = &mut self.panel
                        && panel.ticket == Some(ticket)
                    {
                        panel.saved(&change);
                    }
                    self.data_changed();
                }
                Response::ChangeFailed {
                    ticket,
                    message,
                    conflict,
                    ..
                } => {
                    if let Some(panel) = &mut self.panel
                        && panel.ticket == Some(ticket)
                    {
                        panel.refused(message, conflict);
                        if conflict {
                            // Show the ticket as it is now; what was typed stays.
                            self.request(Request::Load(ticket));
                        }
                    } else {
                        self.toasts.add(ToastKind::Error, message);
                    }
                }
                Response::People { agents, tags } => {
                    self.agents = agents;
                    self.tags = tags;
                    let chosen = self
                        .db
                        .agent
                        .is_some_and(|id| self.agents.iter().any(|a| a.id == id && a.active));
                    if !chosen && self.picker.is_none() {
                        self.picker = Some(AgentPicker::new(false));
                    }
                }
                Response::Customers { query, found } => {
                    if let Some(window) = &mut self.people
                        && window.query == query
                    {
                        window.customers = found.clone();
                    }
                    if let Some(form) = &mut self.new_ticket
                        && form.customer_query == query
                    {
                        form.found = found;
                    }
                }
                Response::CustomerAdded(customer) => {
                    if let Some(form) = &mut self.new_ticket {
                        form.new_customer = None;
                        form.customer = Some(customer);
                    } else if let Some(window) = &mut self.people {
                        window.new_customer = None;
                        window.error = None;
                        window.editing = Some((
                            customer.clone(),
                            NewCustomer {
                                name: customer.name.clone(),
                                email: customer.email.clone(),
                                company: customer.company.clone(),
                            },
                        ));
                        let query = window.query.clone();
                        self.request(Request::FindCustomers(query));
                    }
                }
                Response::CustomerSaved(customer) => {
                    if let Some(window) = &mut self.people {
                        window.customer_saved(&customer);
                    }
                    self.data_changed();
                }
                Response::AgentAdded(id) => {
                    if self.picker.is_some() {
                        // "Add me": the new agent is the one using the app.
                        self.db.agent = Some(id);
                        self.picker = None;
                    } else if let Some(window) = &mut self.people {
                        window.new_agent = None;
                        window.error = None;
                    }
                    self.request(Request::People);
                }
                Response::AgentSaved(id) => {
                    if let Some(window) = &mut self.people
                        && window
                            .agent_edit
                            .as_ref()
                            .is_some_and(|(edited, ..)| *edited == id)
                    {
                        window.agent_edit = None;
                        window.error = None;
                    }
                    // Names show in the list, the panel and the trail.
                    self.data_changed();
                }
                Response::CustomerErased { customer, summary } => {
                    self.toasts.add(ToastKind::Info, summary.to_string());
                    if let Some(window) = &mut self.people {
                        window.customer_erased(&customer);
                    }
                    self.data_changed();
                }
                Response::PeopleError(message) => match &mut self.people {
                    Some(window) => window.error = Some(message),
                    None => self.toasts.add(ToastKind::Error, message),
                },
                Response::SeedProgress { done, total } => {
                    if let Some(sample) = &mut self.sample {
                        sample.progress = Some((done, total));
                    }
                }
                Response::SeedFinished(result) => {
                    self.sample = None;
                    match result {
                        Ok(n) => self
                            .toasts
                            .add(ToastKind::Info, format!("Loaded {n} sample tickets")),
                        Err(e) => self.toasts.add(ToastKind::Error, e),
                    }
                    self.list.restart();
                    self.data_changed();
                }
                Response::Report { generation, result } => {
                    if let Some(window) = &mut self.analytics
                        && window.asked == generation
                    {
                        window.loading = false;
                        match result {
                            Ok(report) => {
                                window.report = Some(*report);
                                window.error = None;
                            }
                            Err(message) => window.error = Some(message),
                        }
                    }
                }
                Response::ExternalChange => self.data_changed(),
                Response::Error(message) => self.toasts.add(ToastKind::Error, message),
            }
        }
    }
}

/// egui's bundled fonts, with the monospace face (which has arrows and
/// triangles) as a fallback for the proportional one.
fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        family.push("Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}

fn apply_theme(ctx: &egui::Context, theme: ThemeChoice) {
    ctx.set_theme(match theme {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    });
}

impl eframe::App for TicketsApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings());
    }
}

/// Opens the window on the database at `path`; returns when it is closed.
pub fn run(path: PathBuf, clock: Arc<dyn Clock>) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Tickets")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([760.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Tickets",
        options,
        Box::new(move |cc| Ok(Box::new(TicketsApp::from_creation_context(cc, path, clock)))),
    )
    .map_err(|e| format!("the window could not be opened: {e}"))
}
