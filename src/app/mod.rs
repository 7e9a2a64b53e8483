//! The agents' window.
//!
//! Data flows one way, and the files say which way:
//! - `ui/`: one file per panel or dialog draws the window's state and
//!   pushes [`Action`]s (widgets never act themselves);
//! - `command_handling.rs`: at the end of the frame each action becomes
//!   state or a [`worker::protocol::Request`] to the store's thread, or a
//!   job in `tasks.rs` (exports, backups, sample data);
//! - `worker/`: the store's thread answers with a `Response`;
//! - `receive.rs`: in eframe's `App::logic`, before anything is drawn,
//!   answers become state again.
//!
//! `settings.rs` holds what is remembered between runs. Nothing here waits
//! on the database, the network or a file.

mod bulk;
mod canned;
mod command_handling;
pub mod commands;
mod exporter;
pub mod failure;
mod importer;
mod importing;
mod logic;
mod merging;
mod receive;
pub mod selection;
pub mod settings;
pub mod tasks;
mod ui;
mod views;
pub mod worker;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::domain::{Agent, CustomerId, Tag, TicketNumber};
use crate::store::{Location, StoreError};
pub use commands::{Action, UiCommand};
use settings::SETTINGS_KEY;
pub use settings::{DatabaseSettings, Settings, ThemeChoice, ViewRef};
use tasks::BackgroundTasks;
use ui::analytics::AnalyticsWindow;
pub use ui::files::backup_label;
use ui::forms::NewTicketForm;
use ui::list::ListState;
use ui::panel::{Draft, PanelState, Tab};
use ui::people::PeopleWindow;
use ui::widgets::Toasts;
use ui::{Focus, Modal, TextBox};
use worker::{Counts, Worker};

/// What a file dialog gave back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogOutcome {
    /// The person chose this file.
    Chosen(PathBuf),
    /// The person closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown (no desktop portal, no zenity).
    Unavailable,
}

/// Asks where to save a file: given a suggested name, its extension and the
/// folder to start in. The system's dialog in the app; a fixed answer in tests.
pub type SaveDialog = Box<dyn FnMut(&str, &str, Option<&Path>) -> DialogOutcome>;

/// What an open dialog asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenKind {
    /// A database to open.
    Database,
    /// A backup to restore.
    Backup,
    /// A file to import tickets from.
    Import,
}

impl OpenKind {
    /// The dialog's title.
    fn title(self) -> &'static str {
        match self {
            OpenKind::Database => "Open a Tickets database",
            OpenKind::Backup => "Choose a backup to restore",
            OpenKind::Import => "Choose a file to import tickets from",
        }
    }

    /// The file filter offered first: backups are compressed
    /// (NAME.backup-STAMP.db.zst); older ones and the files restores kept
    /// are plain databases.
    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            OpenKind::Database => ("Tickets database", &["db", "tickets"]),
            OpenKind::Backup => ("Tickets backup", &["zst", "db", "tickets"]),
            OpenKind::Import => ("Help desk export", &["csv", "json", "jsonl"]),
        }
    }
}

/// Asks which existing file to open: given what for and the folder to start
/// in. The system's dialog in the app; a fixed answer in tests.
pub type OpenDialog = Box<dyn FnMut(OpenKind, Option<&Path>) -> DialogOutcome>;

/// A dialog that gave nothing back faster than this was never shown: rfd
/// answers at once when there is neither a desktop portal nor zenity.
const NO_DIALOG: Duration = Duration::from_millis(300);

/// Whether the system's file dialog may be missing: on Linux and the BSDs
/// rfd asks a desktop portal, else zenity, and either may be absent. Windows
/// (the common item dialog) and macOS (NSOpenPanel, NSSavePanel) always
/// have theirs, so there a quick answer is a quick cancel.
const DIALOG_MAY_BE_MISSING: bool = cfg!(not(any(windows, target_os = "macos")));

/// Reads rfd's answer: a path, or (given how long it took, where the dialog
/// may be missing) whether the dialog was there to cancel at all.
fn dialog_outcome(chosen: Option<PathBuf>, started: Instant) -> DialogOutcome {
    match chosen {
        Some(path) => DialogOutcome::Chosen(path),
        None if DIALOG_MAY_BE_MISSING && started.elapsed() < NO_DIALOG => {
            DialogOutcome::Unavailable
        }
        None => DialogOutcome::Cancelled,
    }
}

/// The folder a dialog starts in, made absolute: Windows's dialog ignores
/// a relative one (a database opened as `--db desks\tickets.db`), and
/// an empty one (a database named without a folder) is the current folder.
fn dialog_folder(folder: Option<&Path>) -> Option<PathBuf> {
    match folder {
        Some(folder) if folder.as_os_str().is_empty() => std::env::current_dir().ok(),
        Some(folder) => std::path::absolute(folder).ok(),
        None => None,
    }
}

fn native_save_dialog(name: &str, extension: &str, folder: Option<&Path>) -> DialogOutcome {
    let kind = match extension {
        "xlsx" => "Excel workbook",
        "db" => "Tickets database",
        _ => "CSV",
    };
    let mut dialog = rfd::FileDialog::new()
        .set_file_name(name)
        .add_filter(kind, &[extension]);
    if let Some(folder) = dialog_folder(folder) {
        dialog = dialog.set_directory(folder);
    }
    let started = Instant::now();
    dialog_outcome(dialog.save_file(), started)
}

fn native_open_dialog(kind: OpenKind, folder: Option<&Path>) -> DialogOutcome {
    let (name, extensions) = kind.filter();
    let mut dialog = rfd::FileDialog::new()
        .set_title(kind.title())
        .add_filter(name, extensions)
        .add_filter("All files", &["*"]);
    if let Some(folder) = dialog_folder(folder) {
        dialog = dialog.set_directory(folder);
    }
    let started = Instant::now();
    dialog_outcome(dialog.pick_file(), started)
}

/// Where the database on show stands.
enum Database {
    Opening,
    Restoring,
    Open,
    Failed(StoreError),
}

/// The window.
pub struct TicketsApp {
    /// What is remembered between runs; the open database's entry in it is
    /// the one copy of that database's settings.
    settings: Settings,
    /// The store on show (or being opened, or that failed to open): a file
    /// today, a team's server next.
    location: Location,
    /// Its key in `settings.databases`.
    db_key: String,
    /// The store's thread (`None` only if the system refused to start it).
    worker: Option<Worker>,
    clock: Arc<dyn Clock>,
    database: Database,
    agents: Vec<Agent>,
    tags: Vec<Tag>,
    list: ListState,
    /// The tickets picked for a bulk action.
    selection: selection::Selection,
    /// The last bulk run that changed something, while it can be undone.
    last_bulk: Option<tasks::BulkRun>,
    /// What is typed in the bulk bar's boxes.
    bulk_draft: ui::bulk_bar::BulkDraft,
    /// The rows' tooltips' last activity, as read.
    last_activities: ui::list::LastActivities,
    counts: Option<Counts>,
    /// The filter and data epoch the counts on show were asked for.
    counts_for: Option<(crate::store::TicketFilter, u64)>,
    counts_asked: u64,
    /// Every view's count.
    view_counts: views::ViewCounts,
    /// The team's service levels, as last read.
    sla_policy: crate::domain::sla::SlaPolicy,
    /// The team's canned replies, as last read, by title.
    canned: Vec<crate::domain::CannedReply>,
    /// The views shared with the team, as the database last said.
    shared_views: Vec<crate::store::views::SharedView>,
    /// G, S or P was pressed: the next key chooses.
    chord: Option<commands::Chord>,
    /// Bumped by every change that can alter the counts.
    data_epoch: u64,
    /// The search box's text (the filter takes it as it is typed).
    search: String,
    panel: Option<PanelState>,
    /// Unsaved panel text of tickets not on show.
    drafts: HashMap<TicketNumber, Draft>,
    /// The panel's tab when it was last closed, to reopen on.
    last_tab: Tab,
    /// The one dialog on show, if any.
    modal: Option<Modal>,
    /// The import dialog as it was closed, to reopen as it was.
    import_draft: Option<Box<ui::import::ImportDialog>>,
    /// A database file to open next frame (a Tickets export restored into
    /// a new one).
    open_next: Option<std::path::PathBuf>,
    /// A New Ticket form closed before it was sent, to reopen as it was.
    new_ticket_draft: Option<Box<NewTicketForm>>,
    people: Option<PeopleWindow>,
    analytics: Option<AnalyticsWindow>,
    tasks: BackgroundTasks,
    toasts: Toasts,
    /// Which text box the cursor is asked into, and which had it.
    focus: Focus,
    /// The text box that had the keyboard at the end of the last frame.
    typed_in: Option<TextBox>,
    /// Whether the panel's agent or tag picker was open as the frame began
    /// (Esc closes a pop-up itself; that Esc must not close the panel too).
    picker_was_open: bool,
    /// Customers' names, for the chip of a customer filter.
    customer_names: HashMap<CustomerId, String>,
    save_dialog: SaveDialog,
    open_dialog: OpenDialog,
    /// Where the import dialog's named mappings are kept.
    mapping_library: Option<crate::import::MappingLibrary>,
    /// On a team's server, the agent signed in: who "You" is, not a choice.
    signed_in: Option<Agent>,
    /// Why the team's server cannot be reached, while it cannot.
    offline: Option<String>,
    /// On a team's server, the other agents at tickets now.
    presence: Vec<crate::domain::Presence>,
    /// Where this window last told the server it is (see `keep_up`).
    presence_said: Option<(crate::domain::TicketNumber, crate::domain::Doing)>,
    /// The store the window's title last named.
    titled: Option<Location>,
}

impl TicketsApp {
    /// The window on the store at `location` (a database file's path will
    /// do), with remembered settings.
    pub fn new(
        ctx: &egui::Context,
        location: impl Into<Location>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Self {
        let location = location.into();
        let repaint = ctx.clone();
        let worker = Worker::start(location.clone(), clock.clone(), move || {
            repaint.request_repaint()
        });
        let (worker, database) = match worker {
            Ok(worker) => (Some(worker), Database::Opening),
            Err(e) => (None, Database::Failed(StoreError::Io(e))),
        };
        ui::style(ctx, settings.theme);
        let repaint = ctx.clone();
        let db_key = location.key();
        let mut list = ListState::default();
        list.restart();
        Self {
            search: settings.database(&db_key).filter.text.clone(),
            settings,
            location,
            db_key,
            worker,
            clock,
            database,
            agents: Vec::new(),
            tags: Vec::new(),
            list,
            selection: selection::Selection::default(),
            last_bulk: None,
            bulk_draft: Default::default(),
            last_activities: Default::default(),
            counts: None,
            counts_for: None,
            counts_asked: 0,
            view_counts: views::ViewCounts::default(),
            sla_policy: crate::domain::sla::SlaPolicy::default(),
            canned: Vec::new(),
            shared_views: Vec::new(),
            chord: None,
            data_epoch: 0,
            panel: None,
            drafts: HashMap::new(),
            last_tab: Tab::default(),
            modal: None,
            new_ticket_draft: None,
            import_draft: None,
            open_next: None,
            people: None,
            analytics: None,
            tasks: BackgroundTasks::new(move || repaint.request_repaint()),
            toasts: Toasts::default(),
            focus: Focus::default(),
            typed_in: None,
            picker_was_open: false,
            customer_names: HashMap::new(),
            save_dialog: Box::new(native_save_dialog),
            open_dialog: Box::new(native_open_dialog),
            mapping_library: crate::import::MappingLibrary::of_this_user(),
            signed_in: None,
            offline: None,
            presence: Vec::new(),
            presence_said: None,
            titled: None,
        }
    }

    /// Replaces the save dialog (tests choose the answer themselves).
    pub fn set_save_dialog(&mut self, dialog: SaveDialog) {
        self.save_dialog = dialog;
    }

    /// Replaces the open dialog (tests choose the answer themselves).
    pub fn set_open_dialog(&mut self, dialog: OpenDialog) {
        self.open_dialog = dialog;
    }

    /// Replaces the folder of saved import mappings (tests use their own).
    pub fn set_mapping_library(&mut self, library: crate::import::MappingLibrary) {
        self.mapping_library = Some(library);
    }

    /// The window as eframe creates it, with settings from its storage.
    pub fn from_creation_context(
        cc: &eframe::CreationContext<'_>,
        location: Location,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let settings = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
            .unwrap_or_default();
        Self::new(&cc.egui_ctx, location, clock, settings)
    }

    /// The settings as they would be saved now.
    pub fn settings(&self) -> Settings {
        let mut settings = self.settings.clone();
        settings.database_mut(&self.db_key);
        settings
    }

    /// The open database's remembered settings.
    fn db(&self) -> &DatabaseSettings {
        self.settings.database(&self.db_key)
    }

    /// The same, to change.
    fn db_mut(&mut self) -> &mut DatabaseSettings {
        self.settings.database_mut(&self.db_key)
    }

    /// Whether a database is open (not opening, restoring or refused).
    fn is_open(&self) -> bool {
        matches!(self.database, Database::Open)
    }

    /// The acting agent: on a team's server the one signed in; on a file
    /// the one chosen, once chosen.
    pub fn acting_agent(&self) -> Option<&Agent> {
        if let Some(me) = &self.signed_in {
            return Some(me);
        }
        self.db()
            .agent
            .and_then(|id| self.agents.iter().find(|a| a.id == id))
    }

    /// The acting agent's name, for `{{agent.name}}`.
    fn agent_name(&self) -> Option<String> {
        self.acting_agent().map(|a| a.name.clone())
    }

    /// The acting agent's id.
    fn actor(&self) -> Option<crate::domain::AgentId> {
        self.acting_agent().map(|a| a.id)
    }

    /// The window's title: the app and the store on show (a file's name, or
    /// a team server's host and database).
    pub fn window_title(&self) -> String {
        match &self.location {
            Location::File(path) => match path.file_name() {
                Some(name) => format!("{} — Tickets", name.to_string_lossy()),
                None => "Tickets".to_owned(),
            },
            Location::Server(_) => format!("{} (team server) — Tickets", self.location),
        }
    }

    /// Work that draws nothing: answers from the store and the background
    /// jobs become state, and what the state lacks is asked for.
    pub fn logic(&mut self, ctx: &egui::Context) {
        self.receive();
        if let Some(path) = self.open_next.take() {
            self.switch_database(ctx, Location::File(path), None);
        }
        // Named once per store on show, not every frame.
        if self.titled.as_ref() != Some(&self.location) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(self.window_title()));
            self.titled = Some(self.location.clone());
        }
        self.keep_up(ctx);
    }

    /// One whole frame, as eframe runs it: [`Self::logic`], then drawing.
    /// The window tests and the UI benchmark call this.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.logic(&ctx);
        self.draw(ui);
    }
}

impl eframe::App for TicketsApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        TicketsApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings());
    }
}

/// The app's icon (assets/icon/tickets.svg, rendered by packaging/icons.sh).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon/png/tickets-256.png");

/// Opens the window on the store at `location`; returns when it is closed.
pub fn run(location: Location, clock: Arc<dyn Clock>) -> Result<(), String> {
    // Before the window reads them: settings saved before the app had an id.
    if let Err(e) = settings::move_saved_settings() {
        eprintln!(
            "tickets: the saved window settings could not be moved to their new folder ({e}); \
             they stay where they were, and the window starts with its defaults"
        );
    }
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Tickets")
        .with_app_id(settings::APP_ID)
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([720.0, 480.0]);
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(Arc::new(icon)),
        Err(e) => eprintln!("tickets: the window's icon could not be read: {e}"),
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        "Tickets",
        options,
        Box::new(move |cc| {
            Ok(Box::new(TicketsApp::from_creation_context(
                cc, location, clock,
            )))
        }),
    )
    .map_err(|e| format!("the window could not be opened: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialogs_start_in_an_absolute_folder() {
        let here = std::env::current_dir().unwrap();
        assert_eq!(dialog_folder(None), None);
        assert_eq!(dialog_folder(Some(Path::new(""))), Some(here.clone()));
        assert_eq!(
            dialog_folder(Some(Path::new("desks"))),
            Some(here.join("desks"))
        );
        let absolute = here.join("elsewhere");
        assert_eq!(dialog_folder(Some(&absolute)), Some(absolute.clone()));
    }

    #[test]
    fn a_dialog_that_answers_at_once_was_never_shown() {
        let now = Instant::now();
        let at_once = if DIALOG_MAY_BE_MISSING {
            DialogOutcome::Unavailable
        } else {
            DialogOutcome::Cancelled
        };
        assert_eq!(dialog_outcome(None, now), at_once);
        let long_ago = now - Duration::from_secs(2);
        assert_eq!(dialog_outcome(None, long_ago), DialogOutcome::Cancelled);
        assert_eq!(
            dialog_outcome(Some(PathBuf::from("/tmp/x.csv")), now),
            DialogOutcome::Chosen(PathBuf::from("/tmp/x.csv"))
        );
    }
}
