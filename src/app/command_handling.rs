//! What the frame's actions do: each [`Action`] becomes state, a request to
//! the store's worker, or a background job. Runs once, at the end of the
//! frame that asked.

use std::path::PathBuf;

use super::commands::{Action, Chord, Needs, UiCommand};
use super::exporter::{self, ExportKind};
use super::settings::ViewRef;
use super::tasks::TaskName;
use super::ui::analytics::AnalyticsWindow;
use super::ui::bulk_bar::{BulkPick, PickKind};
use super::ui::dialogs::{ExportDialog, PathPrompt, PathPurpose};
use super::ui::files::RestoreChooser;
use super::ui::forms::{AgentPicker, SampleData};
use super::ui::palette::Palette;
use super::ui::panel::{PanelState, Tab, field_change};
use super::ui::people::PeopleWindow;
use super::ui::team_server::{Purpose, TeamForm};
use super::ui::views::ViewNameForm;
use super::ui::widgets::ToastKind;
use super::ui::{Modal, TextBox};
use super::worker::protocol::{Alters, Asker, Change, Request};
use super::{DialogOutcome, ThemeChoice, TicketsApp};
use crate::analytics::PeriodChoice;
use crate::store::{Location, TicketFilter};

impl TicketsApp {
    /// Applies what a widget or a shortcut asked for.
    pub(super) fn apply(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Command(command) => self.run_command(ctx, command),
            Action::Filter(filter) => self.set_filter(*filter),
            Action::FilterCustomer(customer, name) => {
                self.customer_names.insert(customer, name);
                self.set_filter(TicketFilter {
                    customer: Some(customer),
                    ..TicketFilter::default()
                });
            }
            Action::OpenView(view) => self.open_view(view),
            Action::AskViewName(renaming) => {
                let name = renaming
                    .as_ref()
                    .and_then(|view| self.view_entry(view))
                    .map(|entry| entry.name)
                    .unwrap_or_default();
                self.modal = Some(Modal::ViewName(ViewNameForm {
                    select_name: renaming.is_some(),
                    renaming,
                    name,
                    ..ViewNameForm::default()
                }));
                self.focus.request(TextBox::ViewName);
            }
            Action::NameView(renaming, name, shared) => {
                let outcome = match &renaming {
                    Some(view) => self.rename_view(view, &name),
                    None => self.save_view_as(&name, shared),
                };
                match outcome {
                    Ok(true) => self.modal = None,
                    // The database's answer closes the dialog (or says why not).
                    Ok(false) => {}
                    Err(problem) => {
                        // The dialog stays, with what was typed.
                        if let Some(Modal::ViewName(form)) = &mut self.modal {
                            form.error = Some(problem);
                        }
                    }
                }
            }
            Action::SaveViewChanges => self.save_view_changes(),
            Action::SaveSlaPolicy(policy) => match self.actor() {
                Some(actor) => self.request(Request::SetSlaPolicy { actor, policy }),
                None => {
                    if let Some(Modal::ServiceLevels(form)) = &mut self.modal {
                        form.saving = false;
                        form.error =
                            Some("Say who you are first (File → Switch agent…)".to_owned());
                    }
                }
            },
            Action::Canned(action) => self.canned_action(ctx, action),
            Action::OpenCannedPicker(into) => {
                let target = match into {
                    super::commands::CannedInto::Note => super::ui::TextBox::Note,
                    super::commands::CannedInto::Message => super::ui::TextBox::Message,
                };
                self.open_canned_picker(ctx, target);
            }
            Action::RevertView => self.revert_view(),
            Action::MoveView(view, by) => self.move_view(&view, by),
            Action::DeleteView(view) => self.delete_view(&view),
            Action::Sort(sort) => {
                self.db_mut().sort = sort;
                self.list.restart();
            }
            Action::Select(number) => {
                self.list.select(number);
                self.open_ticket(number);
            }
            Action::RetryList => self.list.retry(),
            Action::SelectRange(first, last) => self.select_range(first, last),
            Action::ClearSelection => self.selection.clear(),
            Action::WantLastActivity(ticket, updated) => {
                if self.last_activities.ask(ticket, updated) {
                    self.request(Request::LastActivity { ticket, updated });
                }
            }
            Action::Bulk(change) => self.start_bulk(change),
            Action::UndoBulk => self.undo_bulk(),
            Action::Change(change) => self.change(change),
            Action::Create(ticket) => match self.actor() {
                Some(actor) => self.request(Request::Create { actor, ticket }),
                None => self.ask_who(),
            },
            Action::FindCustomers(asker, query) => {
                self.request(Request::FindCustomers { asker, query })
            }
            Action::AddCustomer(asker, customer) => {
                self.request(Request::AddCustomer { asker, customer })
            }
            Action::SaveCustomer(id, fields) => {
                self.request(Request::UpdateCustomer { id, fields })
            }
            Action::TagCustomer(id, tag) => self.request(Request::AddCustomerTag { id, tag }),
            Action::UntagCustomer(id, tag) => self.request(Request::RemoveCustomerTag { id, tag }),
            Action::EraseCustomer(customer) => match self.actor() {
                Some(actor) => self.request(Request::EraseCustomer { actor, customer }),
                None => {
                    // The erasure is recorded under someone: ask who first.
                    if let Some(window) = &mut self.people {
                        window.erase = None;
                    }
                    self.ask_who();
                }
            },
            Action::AddAgent(asker, name, email) => {
                // "Someone new" who is already an agent is that agent, not a
                // second agent of the same name.
                let existing = self
                    .agents
                    .iter()
                    .find(|a| a.active && a.name.trim().eq_ignore_ascii_case(name.trim()))
                    .map(|a| a.id);
                match existing {
                    Some(id) if asker == Asker::WhoAreYou => {
                        self.apply(ctx, Action::ActAs(id));
                    }
                    _ => self.request(Request::AddAgent { asker, name, email }),
                }
            }
            Action::SaveAgent(id, name, email) => {
                self.request(Request::UpdateAgent { id, name, email })
            }
            Action::SetAgentActive(id, active) => {
                self.request(Request::SetAgentActive { id, active })
            }
            Action::ActAs(agent) => {
                self.db_mut().agent = Some(agent);
                if matches!(self.modal, Some(Modal::WhoAreYou(_))) {
                    self.modal = None;
                }
            }
            Action::Seed(tickets) => {
                match self
                    .tasks
                    .start(TaskName::SampleData, "Loading sample data", true)
                {
                    Ok(task) => self.request(Request::Seed { tickets, task }),
                    Err(refusal) => self.toasts.add(ToastKind::Error, refusal),
                }
            }
            Action::CancelTask(name) => self.tasks.cancel(name),
            Action::Report(choice) => self.ask_report(choice),
            Action::Drill(scope) => {
                self.search.clear();
                if let Some(window) = &mut self.analytics {
                    window.drilled = Some(scope.clone());
                }
                self.set_filter(TicketFilter {
                    scope: Some(scope),
                    ..TicketFilter::default()
                });
            }
            Action::ExportReport => {
                let period = self
                    .analytics
                    .as_ref()
                    .and_then(|a| a.report.as_ref().map(|r| (r.period.clone(), a.format)));
                if let Some((period, format)) = period {
                    self.open_export(ExportKind::Report {
                        period: Box::new(period),
                        format,
                    });
                }
            }
            Action::ChooseExportPath => self.choose_export_path(),
            Action::StartExport => self.start_export(),
            Action::ChooseBackupFile => {
                let folder = self.location.folder();
                let outcome = (self.open_dialog)(super::OpenKind::Backup, folder.as_deref());
                if outcome == DialogOutcome::Unavailable {
                    self.focus.request(TextBox::Path);
                }
                if let Some(Modal::Restore(chooser)) = &mut self.modal {
                    chooser.dialog_answered(outcome);
                }
            }
            Action::Restore(backup) => {
                if !self.export_running("restore") {
                    self.modal = None;
                    self.switch_database(ctx, self.location.clone(), Some(backup));
                }
            }
            Action::Import(step) => self.import_step(ctx, step),
            Action::CloseModal => self.close_modal(),
        }
    }

    /// Runs a command from a menu, a shortcut or the palette.
    pub(super) fn run_command(&mut self, ctx: &egui::Context, command: UiCommand) {
        let needs = command.needs();
        if needs >= Needs::Database && !self.is_open() {
            return;
        }
        // With tickets picked, the ticket commands act on all of them.
        if !self.selection.is_empty()
            && let Some(change) = self.bulk_change_of(command)
        {
            self.start_bulk(change);
            return;
        }
        // Merging picked tickets: into one of them, chosen in the dialog.
        if !self.selection.is_empty()
            && matches!(command, UiCommand::MergeInto | UiCommand::MergeHere)
        {
            if self.selection.waiting() {
                self.toasts
                    .add(ToastKind::Info, "Wait until every picked ticket is named.");
                return;
            }
            let numbers: Vec<crate::domain::TicketNumber> = self
                .selection
                .stamps()
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            self.open_merge(&numbers, numbers.first().copied());
            return;
        }
        if !self.selection.is_empty()
            && let Some(kind) = match command {
                UiCommand::Assign => Some(PickKind::Assign),
                UiCommand::AddTag => Some(PickKind::Tag),
                UiCommand::WriteNote => Some(PickKind::Note),
                _ => None,
            }
        {
            self.modal = Some(Modal::BulkPick(BulkPick {
                kind,
                count: self.selection.len(),
                query: String::new(),
            }));
            self.focus.request(TextBox::BulkPick);
            return;
        }
        if needs == Needs::Ticket
            && self.panel.as_ref().is_none_or(|p| p.detail.is_none())
            && (self.selection.is_empty() || !Self::selection_commands(command))
        {
            self.toasts
                .add(ToastKind::Info, "Open a ticket first (click a row, or J).");
            return;
        }
        match command {
            UiCommand::OpenDatabase => {
                let folder = self.location.folder();
                match (self.open_dialog)(super::OpenKind::Database, folder.as_deref()) {
                    DialogOutcome::Chosen(path) => {
                        self.switch_database(ctx, Location::File(path), None);
                    }
                    DialogOutcome::Cancelled => {}
                    DialogOutcome::Unavailable => {
                        self.focus.request(TextBox::Path);
                        self.modal = Some(Modal::Path(PathPrompt::new(
                            PathPurpose::OpenDatabase,
                            folder.unwrap_or_default().join("tickets.db"),
                        )));
                    }
                }
            }
            UiCommand::ConnectTeamServer => {
                self.modal = Some(Modal::Connect(self.known_server()));
            }
            UiCommand::SetUpTeamServer => {
                self.modal = Some(Modal::Team(Box::new(TeamForm::new(
                    Purpose::SetUp,
                    self.known_server(),
                ))));
            }
            UiCommand::MoveToTeamServer => match &self.location {
                Location::File(path) => {
                    self.modal = Some(Modal::Team(Box::new(TeamForm::new(
                        Purpose::Move(path.clone()),
                        self.known_server(),
                    ))));
                }
                Location::Server(_) => self.toasts.add(
                    ToastKind::Info,
                    "This is a team server already: a desk's file is moved in from the window that has it open.",
                ),
            },
            UiCommand::NewDatabase => {
                let folder = self.location.folder();
                match (self.save_dialog)("tickets.db", "db", folder.as_deref()) {
                    DialogOutcome::Chosen(path) => self.new_database(ctx, path),
                    DialogOutcome::Cancelled => {}
                    DialogOutcome::Unavailable => {
                        self.focus.request(TextBox::Path);
                        self.modal = Some(Modal::Path(PathPrompt::new(
                            PathPurpose::NewDatabase,
                            folder.unwrap_or_default().join("new-tickets.db"),
                        )));
                    }
                }
            }
            UiCommand::BackupNow | UiCommand::RestoreBackup
                if matches!(self.location, Location::Server(_)) =>
            {
                self.toasts
                    .add(ToastKind::Info, crate::store::server_keeps_backups().to_string());
            }
            UiCommand::BackupNow => self.backup(false),
            UiCommand::ServiceLevels => {
                self.modal = Some(Modal::ServiceLevels(Box::new(
                    crate::app::ui::service_levels::SlaForm::of(&self.sla_policy),
                )));
                // The newest, in case another desk changed it.
                self.request(Request::SlaPolicy);
            }
            UiCommand::CannedReplies => self.open_canned_library(),
            UiCommand::InsertCanned => {
                let target = self.canned_target();
                self.open_canned_picker(ctx, target);
            }
            UiCommand::RestoreBackup => {
                if !self.export_running("restore") {
                    self.modal = Some(Modal::Restore(RestoreChooser::default()));
                    self.request(Request::ListBackups);
                }
            }
            UiCommand::NewTicket => {
                if !matches!(self.modal, Some(Modal::NewTicket(_))) {
                    let form = self.new_ticket_draft.take().unwrap_or_default();
                    self.modal = Some(Modal::NewTicket(form));
                    self.focus.request(TextBox::NewSubject);
                }
            }
            UiCommand::Search => {
                self.show_filters(true);
                self.focus.request(TextBox::Search);
            }
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
            UiCommand::Close => self.close(),
            UiCommand::ToggleSelect => {
                if let Some((row, position)) = self.list.current() {
                    self.selection.toggle(&row, position);
                }
            }
            UiCommand::ExtendDown | UiCommand::ExtendUp => {
                if let Some((row, position)) = self.list.current() {
                    self.selection.add(&row, position);
                }
                let step = if command == UiCommand::ExtendDown { 1 } else { -1 };
                if let Some(number) = self.list.step(step) {
                    if let Some((row, position)) = self.list.current() {
                        self.selection.add(&row, position);
                    }
                    self.open_ticket(number);
                }
            }
            UiCommand::SelectAll => self.select_range(0, self.list.rows().saturating_sub(1)),
            UiCommand::Submit => self.submit(),
            UiCommand::Palette => self.open_palette(""),
            UiCommand::GoToTicket => self.open_palette("#"),
            UiCommand::GoToView | UiCommand::StatusByNumber | UiCommand::PriorityByNumber => {
                self.chord = Chord::of(command);
            }
            UiCommand::SaveView => {
                self.modal = Some(Modal::ViewName(ViewNameForm::default()));
                self.focus.request(TextBox::ViewName);
            }
            UiCommand::ViewMyOpen
            | UiCommand::ViewUnassigned
            | UiCommand::ViewAllOpen
            | UiCommand::ViewWaiting
            | UiCommand::ViewBreachingSoon
            | UiCommand::ViewRecentlyUpdated
            | UiCommand::ViewAll => {
                if let Some(view) = command.view() {
                    self.open_view(ViewRef::Builtin(view));
                }
            }
            UiCommand::ChooseStatus => self.open_palette("status "),
            UiCommand::ChoosePriority => self.open_palette("priority "),
            UiCommand::StatusOpen
            | UiCommand::StatusInProgress
            | UiCommand::StatusWaiting
            | UiCommand::StatusResolved
            | UiCommand::StatusClosed
            | UiCommand::PriorityLow
            | UiCommand::PriorityMedium
            | UiCommand::PriorityHigh
            | UiCommand::PriorityUrgent => {
                let change = self
                    .panel
                    .as_ref()
                    .and_then(|p| p.detail.as_ref())
                    .and_then(|d| field_change(d, command));
                if let Some(change) = change {
                    self.change(change);
                }
            }
            UiCommand::AssignToMe => match self.actor() {
                Some(me) => {
                    let assigned = self
                        .panel
                        .as_ref()
                        .and_then(|p| p.detail.as_ref())
                        .is_some_and(|d| d.assignees.iter().any(|a| a.id == me));
                    if assigned {
                        self.toasts
                            .add(ToastKind::Info, "You are assigned to this ticket already.");
                    } else {
                        self.change(Change::Assign(me));
                    }
                }
                None => self.ask_who(),
            },
            UiCommand::Assign
            | UiCommand::AddTag
            | UiCommand::WriteNote
            | UiCommand::WriteReply => {
                if let Some(panel) = &mut self.panel {
                    let (tab, text_box) = match command {
                        UiCommand::Assign => {
                            panel.assignee_query.get_or_insert_with(String::new);
                            (Tab::Detail, TextBox::AgentQuery)
                        }
                        UiCommand::AddTag => {
                            panel.tag_input.get_or_insert_with(String::new);
                            (Tab::Detail, TextBox::NewTag)
                        }
                        UiCommand::WriteNote => (Tab::Notes, TextBox::Note),
                        _ => (Tab::Conversation, TextBox::Message),
                    };
                    panel.tab = tab;
                    self.focus.request(text_box);
                }
            }
            UiCommand::MergeInto | UiCommand::MergeHere => {
                if let Some(this) = self.panel.as_ref().and_then(|p| p.ticket) {
                    let keep = (command == UiCommand::MergeHere).then_some(this);
                    self.open_merge(&[this], keep);
                }
            }
            UiCommand::ClearFilters => self.set_filter(TicketFilter::default()),
            UiCommand::ToggleFilters => {
                let shown = self.filters_shown(ctx.content_rect().width());
                self.show_filters(!shown);
            }
            UiCommand::Refresh => self.data_changed(Alters {
                list: true,
                counts: true,
                tags: true,
                report: true,
            }),
            UiCommand::SwitchAgent if self.signed_in.is_some() => self.toasts.add(
                ToastKind::Info,
                "On a team server you are the agent you signed in as; to work as someone else, connect with their login.",
            ),
            UiCommand::SwitchAgent => self.modal = Some(Modal::WhoAreYou(AgentPicker::new(true))),
            UiCommand::ManageAgents => self.people = Some(PeopleWindow::default()),
            UiCommand::LoadSampleData if matches!(self.location, Location::Server(_)) => {
                self.toasts.add(
                    ToastKind::Info,
                    "Sample data goes into a desk's own file, not a team server: open or create a file to try it.",
                );
            }
            UiCommand::LoadSampleData => {
                if self.list.total.unwrap_or(0) > 0 {
                    self.toasts.add(
                        ToastKind::Error,
                        "Sample data goes only into an empty database, so it never mixes with real tickets.",
                    );
                } else {
                    self.modal = Some(Modal::SampleData(SampleData::default()));
                }
            }
            UiCommand::ThemeLight | UiCommand::ThemeDark | UiCommand::ThemeSystem => {
                self.settings.theme = match command {
                    UiCommand::ThemeLight => ThemeChoice::Light,
                    UiCommand::ThemeDark => ThemeChoice::Dark,
                    _ => ThemeChoice::System,
                };
                super::ui::style(ctx, self.settings.theme);
            }
            UiCommand::Analytics => {
                if self.analytics.is_some() {
                    self.analytics = None;
                } else {
                    let today = self.today();
                    self.analytics = Some(AnalyticsWindow::new(today));
                    self.ask_report(PeriodChoice::Last30d);
                }
            }
            UiCommand::ExportEverything => self.open_export(ExportKind::Everything),
            UiCommand::ImportTickets => self.open_import(ctx),
            UiCommand::ExportTickets => self.open_export(ExportKind::Tickets {
                filter: Box::new(self.db().filter.clone()),
                sort: self.db().sort,
                include_notes: false,
            }),
            UiCommand::KeyboardHelp => self.modal = Some(Modal::Shortcuts),
            UiCommand::About => self.modal = Some(Modal::About),
            UiCommand::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    /// The bulk change a ticket command makes to the picked tickets.
    fn bulk_change_of(&self, command: UiCommand) -> Option<crate::domain::BulkChange> {
        use crate::domain::BulkChange;
        if let Some(status) = command.status() {
            return Some(BulkChange::Status(status));
        }
        if let Some(priority) = command.priority() {
            return Some(BulkChange::Priority(priority));
        }
        match command {
            UiCommand::AssignToMe => self.actor().map(BulkChange::Assign),
            _ => None,
        }
    }

    /// Ticket commands that also serve picked tickets (through the bar).
    fn selection_commands(command: UiCommand) -> bool {
        matches!(
            command,
            UiCommand::StatusByNumber | UiCommand::PriorityByNumber
        )
    }

    /// Esc: leaves the text box it was pressed in (closing a picker whose
    /// box it is), else closes the dialog, the picker or the panel on show.
    fn close(&mut self) {
        if self.picker_was_open {
            // The pop-up closed itself on this Esc.
            if let Some(panel) = &mut self.panel {
                panel.close_picker();
            }
            return;
        }
        match self.typed_in {
            Some(TextBox::AgentQuery | TextBox::NewTag) => {
                if let Some(panel) = &mut self.panel {
                    panel.close_picker();
                }
                return;
            }
            // In a dialog, Esc closes it even while typing.
            Some(_) if self.modal.is_none() => return,
            _ => {}
        }
        if self.modal.is_some() {
            self.close_modal();
        } else if self.people.is_some() {
            self.people = None;
        } else if !self.selection.is_empty() {
            self.selection.clear();
        } else if !self.panel.as_mut().is_some_and(PanelState::close_picker) {
            self.close_panel();
        }
    }

    /// Closes the dialog on show, keeping what it holds where that matters.
    fn close_modal(&mut self) {
        match self.modal.take() {
            Some(Modal::NewTicket(form)) if !form.submitting => {
                // Reopened as it was: nothing typed is lost to Esc.
                let typed = !form.subject.trim().is_empty() || !form.description.trim().is_empty();
                if typed {
                    self.new_ticket_draft = Some(form);
                }
            }
            // Reopened as it was: the file, the choices and the mapping edited.
            Some(Modal::Import(dialog)) => self.import_draft = Some(dialog),
            // First launch: someone must be chosen.
            Some(Modal::WhoAreYou(picker)) if !picker.can_cancel => {
                self.modal = Some(Modal::WhoAreYou(picker));
            }
            // While sample data loads, the dialog shows its progress.
            Some(Modal::SampleData(sample)) if sample.started => {
                self.modal = Some(Modal::SampleData(sample));
            }
            // So does a team server's job, until its answer is shown.
            Some(Modal::Team(form)) if form.working() => {
                self.modal = Some(Modal::Team(form));
            }
            _ => {}
        }
    }

    /// Ctrl+Enter: submits the box the cursor is in.
    fn submit(&mut self) {
        // The New Ticket form is sent from any of its boxes (subject,
        // description, customer search): it is the one form on show.
        if let Some(Modal::NewTicket(form)) = &mut self.modal {
            if let Some(ticket) = form.submit() {
                match self.actor() {
                    Some(actor) => self.request(Request::Create { actor, ticket }),
                    None => self.ask_who(),
                }
            }
            return;
        }
        // The note for every picked ticket.
        if let Some(Modal::BulkPick(form)) = &self.modal
            && form.kind == PickKind::Note
        {
            let text = form.query.trim().to_owned();
            if !text.is_empty() {
                self.modal = None;
                self.start_bulk(crate::domain::BulkChange::AddNote(text));
            }
            return;
        }
        let Some(text_box) = self.focus.focused_box() else {
            return;
        };
        if let Some(change) = self.panel.as_ref().and_then(|p| p.submit(text_box)) {
            self.change(change);
        }
    }

    fn open_palette(&mut self, query: &str) {
        self.modal = Some(Modal::Palette(Palette::new(query)));
        self.focus.request(TextBox::Palette);
    }

    /// Asks who is using the app, over whatever dialog is open (which comes
    /// back once someone is chosen).
    pub(super) fn ask_who(&mut self) {
        if !matches!(self.modal, Some(Modal::WhoAreYou(_))) {
            if let Some(Modal::NewTicket(mut form)) = self.modal.take() {
                form.submitting = false;
                self.new_ticket_draft = Some(form);
            }
            self.modal = Some(Modal::WhoAreYou(AgentPicker::new(false)));
            self.focus.request(TextBox::WhoAreYou);
        }
    }

    /// Sends a change to the open ticket, as the acting agent.
    pub(super) fn change(&mut self, change: Change) {
        let (Some(actor), Some(ticket)) =
            (self.actor(), self.panel.as_ref().and_then(|p| p.ticket))
        else {
            self.ask_who();
            return;
        };
        // A field edit moves the ticket's version on by one. The panel takes
        // it on now, so a second edit made before the first comes back (S 2,
        // then P 3 at typing speed) is made against the version the first
        // leaves, not refused as a conflict with it. If the first is refused,
        // the ticket is loaded again and the second is refused as well.
        if let Some(panel) = self.panel.as_mut()
            && let Some(detail) = panel.detail.as_mut()
            && detail.number == ticket
            && change.version() == Some(detail.version)
        {
            // Only the version: the new value shows once the store has it.
            detail.version += 1;
            panel.edit_sent();
        }
        self.request(Request::Change {
            actor,
            ticket,
            change,
        });
    }

    /// Starts a backup job: asked for now, or the day's automatic one.
    pub(super) fn backup(&mut self, automatic: bool) {
        let what = if automatic {
            "Daily backup"
        } else {
            "Backing up"
        };
        match self.tasks.start(TaskName::Backup, what, false) {
            Ok(task) => self.request(Request::Backup { automatic, task }),
            // The automatic one waits for tomorrow's start.
            Err(_) if automatic => {}
            Err(refusal) => self.toasts.add(ToastKind::Error, refusal),
        }
    }

    /// Opens the export dialog for `kind`, with a dated file in the folder
    /// exports go to.
    fn open_export(&mut self, kind: ExportKind) {
        let today = self.today();
        let name = match &kind {
            ExportKind::Report { period, .. } => format!(
                "tickets-report-{}.{}",
                period.start_local.get(..10).unwrap_or("period"),
                kind.extension()
            ),
            ExportKind::Tickets { .. } => format!("tickets-{}.csv", today.format("%Y-%m-%d")),
            ExportKind::Everything => {
                format!("tickets-everything-{}.jsonl", today.format("%Y-%m-%d"))
            }
        };
        let folder = self.settings.export_folder();
        let total = self.list.total;
        self.modal = Some(Modal::Export(ExportDialog::new(
            kind,
            folder.join(name),
            total,
        )));
        // The path takes the cursor, as the import's does: what is typed
        // next is where to save.
        self.focus.request(TextBox::Path);
    }

    /// "Choose…" in the export dialog: the system's save dialog fills its
    /// path, or the dialog says there is none and the path field stays.
    fn choose_export_path(&mut self) {
        let Some(Modal::Export(dialog)) = &mut self.modal else {
            return;
        };
        let path = PathBuf::from(&dialog.path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = path.parent().map(PathBuf::from);
        let outcome = (self.save_dialog)(&name, dialog.kind.extension(), folder.as_deref());
        if let Some(Modal::Export(dialog)) = &mut self.modal {
            dialog.dialog_answered(outcome);
        }
    }

    /// Export in the dialog: writes on the export thread. A second export
    /// while one runs is refused with a message.
    fn start_export(&mut self) {
        let Some(Modal::Export(dialog)) = &mut self.modal else {
            return;
        };
        let target = match dialog.target() {
            Ok(target) => target,
            Err(problem) => {
                dialog.error = Some(problem);
                return;
            }
        };
        let kind = dialog.kind_now();
        let task = match self.tasks.start(TaskName::Export, kind.doing(), true) {
            Ok(task) => task,
            Err(refusal) => {
                dialog.error = Some(refusal);
                return;
            }
        };
        self.modal = None;
        if let Some(folder) = target.parent() {
            self.settings.export_folder = Some(folder.to_path_buf());
        }
        if let Err(e) = exporter::spawn(
            self.location.clone(),
            self.clock.clone(),
            kind,
            target,
            task,
        ) {
            // The job, dropped unstarted, ends as stopped; say why here.
            eprintln!("tickets: the export thread could not be started: {e}");
        }
    }

    /// Whether an export is running; if so, says that `what` must wait.
    fn export_running(&mut self, what: &str) -> bool {
        if !self.tasks.is_running(TaskName::Export) {
            return false;
        }
        self.toasts.add(
            ToastKind::Error,
            format!("An export is still running; wait for it or cancel it, then {what}."),
        );
        true
    }
}
