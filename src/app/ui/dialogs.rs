//! The dialogs: the one modal dialog on show ([`Modal`]), the export
//! dialog and the path prompt (used where the system has no file dialog),
//! the keyboard shortcuts and About, and the two windows that stand beside
//! the list (Customers and agents, Analytics).

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::super::commands::{Action, UiCommand};
use super::super::exporter::ExportKind;
use super::super::tasks::TaskName;
use super::super::{DialogOutcome, TicketsApp};
use super::widgets::{count_of, field_error};
use super::{Focus, Modal, TextBox, analytics, files, forms, palette, people, team_server};
use crate::export::ReportFormat;
use crate::store::Location;

/// The export dialog: what will be written, its options, and where to.
pub struct ExportDialog {
    /// What to export (its options as ticked now).
    pub kind: ExportKind,
    /// Where to write it, as typed or chosen.
    pub path: String,
    /// How many tickets the list holds (for a ticket export's sentence).
    total: Option<u64>,
    /// What the system's file dialog did, when it was asked.
    pub note: Option<String>,
    /// Why Export was refused.
    pub error: Option<String>,
    /// Whether a file is at the path typed.
    there: FileThere,
}

/// Whether a file is at the path typed, found out on a thread of its own
/// ("tickets-path-check"): a path on a network drive can keep a look at it
/// waiting, and the window never waits on a file.
#[derive(Default)]
struct FileThere {
    /// The path last asked about.
    asked: String,
    /// What was found there (`None`: not known yet).
    found: Option<bool>,
    /// The thread's answer, while it looks.
    answer: Option<std::sync::mpsc::Receiver<(String, bool)>>,
}

impl FileThere {
    /// Whether a file is known to be at `path`; asks about `path` when it
    /// is new (once the look under way, if any, has answered).
    fn at(&mut self, path: &str, ctx: &egui::Context) -> bool {
        if let Some((asked, there)) = self.answer.as_ref().and_then(|a| a.try_recv().ok()) {
            self.answer = None;
            if asked == self.asked {
                self.found = Some(there);
            }
        }
        if path != self.asked && self.answer.is_none() {
            self.asked = path.to_owned();
            self.found = None;
            let (tell, answer) = std::sync::mpsc::channel();
            let (path, ctx) = (path.to_owned(), ctx.clone());
            let looking = std::thread::Builder::new()
                .name("tickets-path-check".to_owned())
                .spawn(move || {
                    let there = PathBuf::from(&path).is_file();
                    if tell.send((path, there)).is_ok() {
                        ctx.request_repaint();
                    }
                });
            // Without a thread nothing is said: the export itself still
            // works, and replaces the file as it always does.
            if looking.is_ok() {
                self.answer = Some(answer);
            }
        }
        self.found == Some(true)
    }
}

impl ExportDialog {
    /// The dialog for `kind`, suggesting `path`.
    pub fn new(kind: ExportKind, path: PathBuf, total: Option<u64>) -> Self {
        ExportDialog {
            kind,
            path: path.display().to_string(),
            total,
            note: None,
            error: None,
            there: FileThere::default(),
        }
    }

    /// What the system's save dialog answered.
    pub fn dialog_answered(&mut self, outcome: DialogOutcome) {
        self.note = match outcome {
            DialogOutcome::Chosen(path) => {
                self.path = path.display().to_string();
                self.error = None;
                None
            }
            DialogOutcome::Cancelled => None,
            DialogOutcome::Unavailable => Some(
                "No file dialog is available on this system (it needs a desktop portal or zenity), so type where to save in the field above."
                    .to_owned(),
            ),
        };
    }

    /// The export as the options stand now.
    pub fn kind_now(&self) -> ExportKind {
        self.kind.clone()
    }

    /// The file to write, or why the path typed will not do.
    pub fn target(&self) -> Result<PathBuf, String> {
        let typed = self.path.trim();
        if typed.is_empty() {
            return Err("Say where to save the file.".to_owned());
        }
        let mut path = PathBuf::from(typed);
        if path.extension().is_none() {
            path.set_extension(self.kind.extension());
        }
        match path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() && !folder.is_dir() => {
                Err(format!("The folder {} does not exist.", folder.display()))
            }
            _ if path.is_dir() => Err(format!("{} is a folder: add a file name.", path.display())),
            _ => Ok(path),
        }
    }
}

/// What a typed path is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    /// Open an existing database.
    OpenDatabase,
    /// Start a new database.
    NewDatabase,
}

/// Asks for a path where the system has no file dialog.
pub struct PathPrompt {
    /// What the path is for.
    pub purpose: PathPurpose,
    /// The path as typed.
    pub path: String,
}

impl PathPrompt {
    /// The prompt, suggesting `path`.
    pub fn new(purpose: PathPurpose, path: PathBuf) -> Self {
        PathPrompt {
            purpose,
            path: path.display().to_string(),
        }
    }
}

/// A one-line path field labelled `label`, which takes the cursor when
/// first shown.
/// A path box named by `label` (drawn by the caller, in a row or a grid's
/// cell) with Choose… beside it: the box's response, and whether Choose…
/// was clicked (the system's file dialog, hinted `choose_hint`).
pub(super) fn path_with_choose(
    ui: &mut Ui,
    focus: &mut Focus,
    label: &egui::Response,
    path: &mut String,
    hint: &str,
    choose_hint: &str,
) -> (egui::Response, bool) {
    let width = ui.available_width() - 90.0;
    let response = ui
        .add(
            egui::TextEdit::singleline(path)
                .id(TextBox::Path.id())
                .hint_text(hint)
                .desired_width(width),
        )
        .labelled_by(label.id);
    focus.drawn(TextBox::Path, &response);
    let choose = ui.button("Choose…").on_hover_text(choose_hint).clicked();
    (response, choose)
}

fn path_field(ui: &mut Ui, focus: &mut Focus, label: &str, path: &mut String) -> egui::Response {
    let label = ui.label(label);
    let response = ui
        .add(
            egui::TextEdit::singleline(path)
                .id(TextBox::Path.id())
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    focus.drawn(TextBox::Path, &response);
    response
}

fn export_ui(ui: &mut Ui, dialog: &mut ExportDialog, focus: &mut Focus, actions: &mut Vec<Action>) {
    match &mut dialog.kind {
        ExportKind::Tickets { include_notes, .. } => {
            ui.heading("Export tickets");
            let total = dialog.total.unwrap_or(0);
            ui.add(
                egui::Label::new(format!(
                    "Writes the {} matching the current filters to CSV, in the list's order, with every column, the description and the conversation.",
                    count_of(total, "ticket", "tickets")
                ))
                .wrap(),
            );
            ui.checkbox(include_notes, "Include internal notes")
                .on_hover_text("Notes are never shown to customers; leave this off for files that may leave the team.");
        }
        ExportKind::Everything => {
            ui.heading("Export everything");
            ui.add(
                egui::Label::new(
                    "Writes everything this database holds to one file of JSON lines: every ticket with its conversation, notes, activity, tags, assignees and links; customers, agents, shared views, canned replies and the service-level policy. “tickets import” reads it back into an empty database, on this computer or a team's server.",
                )
                .wrap(),
            );
        }
        ExportKind::Report { period, format } => {
            ui.heading("Export report");
            ui.add(
                egui::Label::new(format!(
                    "Writes the report of {}: the cards, every chart's series, the per-agent table, and one row per ticket counted.",
                    period.description
                ))
                .wrap(),
            );
            ui.horizontal(|ui| {
                let before = *format;
                ui.radio_value(format, ReportFormat::Csv, "CSV (two files)");
                ui.radio_value(format, ReportFormat::Xlsx, "Excel workbook");
                if *format != before {
                    // The suggested name follows the format.
                    let mut path = PathBuf::from(dialog.path.trim());
                    path.set_extension(match format {
                        ReportFormat::Csv => "csv",
                        ReportFormat::Xlsx => "xlsx",
                    });
                    dialog.path = path.display().to_string();
                }
            });
        }
    }
    ui.add_space(6.0);
    let field = ui
        .horizontal(|ui| {
            let label = ui.label("Save as");
            let (response, choose) = path_with_choose(
                ui,
                focus,
                &label,
                &mut dialog.path,
                "",
                "Choose where to save with the system's dialog",
            );
            if choose {
                actions.push(Action::ChooseExportPath);
            }
            response
        })
        .inner;
    if field.changed() {
        dialog.error = None;
    }
    if let Some(note) = &dialog.note {
        ui.add(egui::Label::new(RichText::new(note).weak()).wrap());
    }
    let typed = dialog.path.trim().to_owned();
    field_error(ui, dialog.error.as_deref());
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Export").clicked() || entered {
            actions.push(Action::StartExport);
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::CloseModal);
        }
    });
    // Below the buttons: the answer comes a moment after the typing, and
    // the buttons must not move under the pointer when it does.
    if dialog.there.at(&typed, ui.ctx()) {
        ui.label(
            RichText::new("A file of that name exists; exporting replaces it.")
                .color(ui.visuals().warn_fg_color),
        );
    }
}

/// File → Connect to team server…: where the server is and who signs in.
/// The password is kept in memory only; the rest is remembered.
#[derive(Debug, Default)]
pub struct ConnectForm {
    /// The server's name or address.
    pub host: String,
    /// Its port (empty: 5432).
    pub port: String,
    /// The team's database.
    pub database: String,
    /// The agent's login.
    pub user: String,
    /// The login's password (empty: from the password file or PGPASSWORD).
    pub password: String,
    /// What the last Test connection said, once it answered (Ok: who).
    pub tested: Option<Result<String, String>>,
    /// Whether a test is running.
    pub testing: bool,
    /// The running test's answer, when it comes.
    pub answer: Option<std::sync::mpsc::Receiver<Result<String, String>>>,
    /// Why the form cannot be used as it is.
    pub error: Option<String>,
    /// Whether the cursor was put in the first box yet.
    pub focused: bool,
    /// The server asked for the password: the cursor starts in its box.
    pub asking_password: bool,
    /// The rest of the address the form was filled from (`sslmode=…` and
    /// the like), kept as it was.
    pub options: String,
}

impl ConnectForm {
    /// The form filled from a server's URL (whose password, if any, is
    /// dropped: the form asks for it), saying `why` it is shown.
    pub fn asking_password_for(url: &str, why: String) -> ConnectForm {
        let [host, port, database, user] = crate::store::server::parts_of(url).unwrap_or_default();
        // What else the address says, but where and who (now in the boxes).
        let options = url
            .split_once('?')
            .map(|(_, query)| {
                query
                    .split('&')
                    .filter(|pair| {
                        let key = pair.split('=').next().unwrap_or_default();
                        !matches!(
                            key,
                            "host" | "hostaddr" | "port" | "user" | "dbname" | "password" | ""
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            })
            .unwrap_or_default();
        ConnectForm {
            host,
            port,
            database,
            user,
            error: Some(why),
            asking_password: true,
            options,
            ..ConnectForm::default()
        }
    }
}

impl ConnectForm {
    /// The server's URL, the password in it (held in memory only).
    pub fn url(&self) -> Result<String, String> {
        let host = self.host.trim();
        let database = self.database.trim();
        let user = self.user.trim();
        if host.is_empty() || database.is_empty() || user.is_empty() {
            return Err("Server, database and login are needed.".to_owned());
        }
        let port = match self.port.trim() {
            "" => String::new(),
            p => match p.parse::<u16>() {
                Ok(p) => format!(":{p}"),
                Err(_) => return Err(format!("“{p}” is not a port number.")),
            },
        };
        let password = if self.password.is_empty() {
            String::new()
        } else {
            format!(":{}", encode(&self.password))
        };
        let options = match self.options.as_str() {
            "" => String::new(),
            options => format!("?{options}"),
        };
        Ok(format!(
            "postgres://{}{password}@{}{port}/{}{options}",
            encode(user),
            encode(host),
            encode(database)
        ))
    }
}

/// Percent-encodes everything but letters, digits and `-._~`.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the Connect form asks for.
pub enum ConnectChoice {
    /// Try the connection, without switching to it.
    Test(String),
    /// Switch to the server.
    Connect(String),
}

/// The width of a form's label column, so that grids one above another
/// line their boxes up.
pub const FORM_LABEL_WIDTH: f32 = 110.0;

/// The boxes that say where a team server is and who signs in: server,
/// port, database, `login` and password. The cursor starts in the first
/// empty one. Returns whether Enter was pressed in one.
pub fn server_fields(ui: &mut Ui, form: &mut ConnectForm, login: &str) -> bool {
    let mut entered = false;
    let mut focus_first_empty = !std::mem::replace(&mut form.focused, true);
    // Asked for the password: the cursor goes to its box, not the first empty one.
    let mut focus_password = focus_first_empty && form.asking_password;
    focus_first_empty &= !focus_password;
    egui::Grid::new("server_fields")
        .num_columns(2)
        .min_col_width(FORM_LABEL_WIDTH)
        .show(ui, |ui| {
            for (label, text, password) in [
                ("Server", &mut form.host, false),
                ("Port", &mut form.port, false),
                ("Database", &mut form.database, false),
                (login, &mut form.user, false),
                ("Password", &mut form.password, true),
            ] {
                let focus = if password {
                    &mut focus_password
                } else {
                    &mut focus_first_empty
                };
                entered |= labelled_box(ui, label, text, password, focus);
            }
        });
    entered
}

/// One labelled box of a form grid (a row of its own); it takes the cursor
/// if `focus_first_empty` and it is empty (which then stops being asked).
/// Returns whether Enter was pressed in it.
pub fn labelled_box(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    password: bool,
    focus_first_empty: &mut bool,
) -> bool {
    let label = ui.label(label);
    let field = ui
        .add(
            egui::TextEdit::singleline(text)
                .password(password)
                .desired_width(260.0),
        )
        .labelled_by(label.id);
    if *focus_first_empty && text.is_empty() {
        field.request_focus();
        *focus_first_empty = false;
    }
    ui.end_row();
    field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

fn connect_ui(
    ui: &mut Ui,
    form: &mut ConnectForm,
    actions: &mut Vec<Action>,
) -> Option<ConnectChoice> {
    if let Some(answer) = form.answer.as_ref().and_then(|a| a.try_recv().ok()) {
        form.tested = Some(answer);
        form.testing = false;
        form.answer = None;
    }
    ui.heading("Connect to a team server");
    ui.add(
        egui::Label::new(format!(
            "A team shares one PostgreSQL server, each agent signed in with their own login (docs/TEAM.md). The password is kept only while Tickets runs; leave it empty to use {}.",
            crate::store::server::password_file_name()
        ))
        .wrap(),
    );
    ui.add_space(6.0);
    let entered = server_fields(ui, form, "Login");
    field_error(ui, form.error.as_deref());
    match &form.tested {
        Some(Ok(who)) => {
            ui.label(format!("Connected: {who}."));
        }
        Some(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        None if form.testing => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Testing the connection…");
            });
        }
        None => {}
    }
    ui.add_space(6.0);
    let mut choice = None;
    ui.horizontal(|ui| {
        if ui.button("Connect").clicked() || entered {
            match form.url() {
                Ok(url) => choice = Some(ConnectChoice::Connect(url)),
                Err(why) => form.error = Some(why),
            }
        }
        if ui
            .add_enabled(!form.testing, egui::Button::new("Test connection"))
            .clicked()
        {
            match form.url() {
                Ok(url) => {
                    form.error = None;
                    choice = Some(ConnectChoice::Test(url));
                }
                Err(why) => form.error = Some(why),
            }
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::CloseModal);
        }
    });
    choice
}

fn path_prompt_ui(
    ui: &mut Ui,
    prompt: &mut PathPrompt,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> Option<(PathPurpose, PathBuf)> {
    let (heading, button) = match prompt.purpose {
        PathPurpose::OpenDatabase => ("Open a database", "Open"),
        PathPurpose::NewDatabase => ("Start a new database", "Create"),
    };
    ui.heading(heading);
    ui.add(
        egui::Label::new(
            "No file dialog is available on this system (it needs a desktop portal or zenity), so type the file's path.",
        )
        .wrap(),
    );
    let field = path_field(ui, focus, "Database file", &mut prompt.path);
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let mut chosen = None;
    ui.horizontal(|ui| {
        if (ui.button(button).clicked() || entered) && !prompt.path.trim().is_empty() {
            chosen = Some((prompt.purpose, PathBuf::from(prompt.path.trim())));
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::CloseModal);
        }
    });
    chosen
}

impl TicketsApp {
    /// The dialog on show, the side windows and their actions.
    pub(super) fn dialogs(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        self.modal_ui(ctx, actions);
        if let Some(window) = &mut self.people {
            let mut open = true;
            egui::Window::new("Customers and agents")
                .open(&mut open)
                .collapsible(false)
                .default_width(560.0)
                .show(ctx, |ui| {
                    people::people_ui(ui, window, &self.agents, &self.tags, actions)
                });
            if !open {
                self.people = None;
            }
        }
        if let Some(window) = &mut self.analytics {
            let input = analytics::Shown {
                exporting: self.tasks.progress(TaskName::Export),
                list_total: self.list.total,
                list_scope: self.settings.database(&self.db_key).filter.scope.as_ref(),
            };
            if !analytics::window(ctx, window, &input, actions) {
                self.analytics = None;
            }
        }
    }

    fn modal_ui(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let agent_name = self.agent_name();
        let Some(modal) = &mut self.modal else {
            return;
        };
        // Forms open near the top and grow downwards: opening a section
        // never moves the fields above it.
        let id = egui::Id::unique("modal");
        let area =
            egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 70.0));
        let focus = &mut self.focus;
        let mut keep = true;
        let mut path_chosen = None;
        let mut connect_choice = None;
        let mut server_answered = None;
        let mut merge_choice = None;
        egui::Modal::new(id).area(area).show(ctx, |ui| match modal {
            Modal::NewTicket(form) => {
                ui.set_width(540.0);
                keep = forms::new_ticket_ui(ui, form, focus, actions);
            }
            Modal::WhoAreYou(picker) => {
                ui.set_width(400.0);
                keep = forms::agent_picker_ui(ui, picker, &self.agents, focus, actions);
            }
            Modal::SampleData(sample) => {
                ui.set_width(400.0);
                let progress = self.tasks.progress(TaskName::SampleData);
                keep = forms::sample_data_ui(ui, sample, progress, actions);
            }
            Modal::Palette(palette) => {
                ui.set_width(480.0);
                let context = palette::Context {
                    database_open: matches!(self.database, super::super::Database::Open),
                    ticket_open: self.panel.as_ref().is_some_and(|p| p.detail.is_some()),
                };
                keep = palette::palette_ui(ui, palette, &context, focus, actions);
            }
            Modal::Export(dialog) => {
                ui.set_width(560.0);
                export_ui(ui, dialog, focus, actions);
            }
            Modal::Import(dialog) => {
                ui.set_width(680.0);
                let shown = super::import::Shown {
                    progress: self.tasks.progress(TaskName::Import),
                    progress_text: self.tasks.progress_text(TaskName::Import),
                };
                super::import::import_ui(ui, dialog, &shown, focus, actions);
            }
            Modal::Path(prompt) => {
                ui.set_width(520.0);
                path_chosen = path_prompt_ui(ui, prompt, focus, actions);
            }
            Modal::Connect(form) => {
                ui.set_width(460.0);
                connect_choice = connect_ui(ui, form, actions);
            }
            Modal::Team(form) => {
                ui.set_width(560.0);
                let team = team_server::team_server_ui(ui, form, &self.clock, actions);
                if let Some(team_server::TeamChoice::Connect(url)) = team {
                    connect_choice = Some(ConnectChoice::Connect(url));
                }
                // The server answered: remember where it is for next time.
                server_answered = form.ready.as_ref().map(|r| r.server.clone());
            }
            Modal::Restore(chooser) => {
                ui.set_width(480.0);
                keep = files::restore_ui(ui, chooser, &self.location, focus, actions);
            }
            Modal::ViewName(form) => super::views::view_name_ui(ui, form, focus, actions),
            Modal::BulkPick(form) => {
                ui.set_width(360.0);
                super::bulk_bar::bulk_pick_ui(ui, form, &self.agents, focus, actions);
            }
            Modal::ServiceLevels(form) => {
                ui.set_width(460.0);
                super::service_levels::service_levels_ui(ui, form, actions);
            }
            Modal::Merge(dialog) => {
                ui.set_width(520.0);
                merge_choice = super::merge::merge_ui(ui, dialog, focus, actions);
            }
            Modal::Canned(form) => {
                ui.set_width(720.0);
                keep = super::canned::library_ui(ui, form, &self.canned, focus, actions);
            }
            Modal::CannedPicker(picker) => {
                ui.set_width(520.0);
                let context = canned_context(self.panel.as_ref(), agent_name.as_deref());
                keep = super::canned::picker_ui(ui, picker, &self.canned, &context, focus, actions);
            }
            Modal::Shortcuts => shortcuts_ui(ui, actions),
            Modal::About => {
                let database =
                    matches!(self.database, super::super::Database::Open).then_some(&self.location);
                about_ui(ui, database, actions);
            }
        });
        if !keep {
            actions.push(Action::CloseModal);
        }
        if let Some(server) = server_answered {
            self.settings.team_server = Some(server);
        }
        match merge_choice {
            Some(super::merge::MergeChoice::Read(number)) => {
                self.request(super::super::worker::protocol::Request::MergeCandidate(
                    number,
                ));
            }
            Some(super::merge::MergeChoice::Merge) => self.send_merge(),
            None => {}
        }
        match connect_choice {
            Some(ConnectChoice::Connect(url)) => {
                self.remember_server();
                self.modal = None;
                self.switch_database(ctx, Location::Server(url), None);
            }
            Some(ConnectChoice::Test(url)) => self.test_connection(url, ctx),
            None => {}
        }
        if let Some((purpose, path)) = path_chosen {
            self.modal = None;
            match purpose {
                PathPurpose::OpenDatabase => self.switch_database(ctx, Location::File(path), None),
                PathPurpose::NewDatabase => self.new_database(ctx, path),
            }
        }
    }
}

/// What placeholders are filled with in the open ticket, by `agent`.
fn canned_context(
    panel: Option<&super::panel::PanelState>,
    agent: Option<&str>,
) -> crate::domain::canned::Context {
    match panel.and_then(|p| p.detail.as_ref()) {
        Some(detail) => crate::domain::canned::Context::of(detail, agent),
        None => crate::domain::canned::Context {
            agent_name: agent.map(str::to_owned),
            ..Default::default()
        },
    }
}

fn shortcuts_ui(ui: &mut Ui, actions: &mut Vec<Action>) {
    ui.heading("Keyboard shortcuts");
    ui.add_space(4.0);
    egui::ScrollArea::vertical()
        .max_height(480.0)
        .show(ui, |ui| {
            egui::Grid::new("shortcuts")
                .striped(true)
                .num_columns(2)
                .show(ui, |ui| {
                    for &command in UiCommand::ALL {
                        if command.shortcuts().is_empty() {
                            continue;
                        }
                        let keys: Vec<String> = command
                            .shortcuts()
                            .iter()
                            .map(|s| super::super::commands::shortcut_text_of(s, ui.ctx()))
                            .collect();
                        ui.label(command.label());
                        ui.label(RichText::new(keys.join("  or  ")).monospace());
                        ui.end_row();
                    }
                });
        });
    ui.add_space(6.0);
    if ui.button("Close").clicked() {
        actions.push(Action::CloseModal);
    }
}

/// Where the warnings Tickets writes to standard error can be read, as
/// About says: it keeps no log file on any system.
const WHERE_WARNINGS_GO: &str = if cfg!(windows) {
    // A release build is a GUI program: it has a console only when run
    // from a terminal with arguments (main.rs, attach_to_terminal).
    "none written to disk: warnings go to standard error, seen when Tickets is run from a \
     terminal (as `tickets.exe --db …`)"
} else if cfg!(target_os = "macos") {
    // An app started from the Finder or the Dock writes its standard error nowhere.
    "none written to disk: warnings go to standard error, seen when Tickets is run from a \
     terminal (Tickets.app/Contents/MacOS/tickets)"
} else {
    "none written to disk: warnings go to standard error (the terminal Tickets was started \
     from, or the system's journal)"
};

fn about_ui(ui: &mut Ui, database: Option<&Location>, actions: &mut Vec<Action>) {
    ui.heading("About Tickets");
    ui.label(format!(
        "Tickets {} (pre-launch preview)",
        env!("CARGO_PKG_VERSION")
    ));
    ui.label(match database {
        Some(Location::Server(_)) => "A help desk whose tickets are on the team's own server.",
        _ => "An offline help desk: everything stays in one file on this computer.",
    });
    ui.add_space(6.0);
    let settings = eframe::storage_dir(super::super::settings::APP_ID).map_or_else(
        || "none (no folder for them)".to_owned(),
        |d| d.display().to_string(),
    );
    let mut rows: Vec<(&str, String)> = Vec::new();
    match database {
        Some(location @ Location::File(_)) => {
            rows.push(("Database", location.to_string()));
            rows.push((
                "Backups",
                location.folder().map_or_else(
                    || "beside the database".to_owned(),
                    |folder| format!("{}, beside the database", folder.display()),
                ),
            ));
        }
        Some(location @ Location::Server(_)) => {
            rows.push(("Database", location.to_string()));
            rows.push((
                "Backups",
                "the server's own, made by its admin with pg_dump (see docs/TEAM.md)".to_owned(),
            ));
        }
        None => rows.push(("Database", "none open".to_owned())),
    }
    rows.push(("Settings", settings));
    rows.push(("Logs", WHERE_WARNINGS_GO.to_owned()));
    egui::Grid::new("about")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (name, value) in rows {
                ui.label(RichText::new(name).strong());
                ui.add(egui::Label::new(value).wrap().selectable(true));
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    if ui.button("Close").clicked() {
        actions.push(Action::CloseModal);
    }
}
