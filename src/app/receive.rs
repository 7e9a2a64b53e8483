//! Answers become state: the worker's [`Response`]s and the background
//! jobs' outcomes, taken in eframe's `App::logic` before anything is drawn.
//! Each error is shown once, in one place: beside the field it is about, in
//! the dialog that asked, or as one notification.

use super::tasks::{Done, TaskName};
use super::ui::dialogs::ConnectForm;
use super::ui::forms::AgentPicker;
use super::ui::widgets::{ToastKind, count_of};
use super::ui::{Modal, TextBox};
use super::worker::protocol::{Alters, Asker, Change, Failure, Request, Response};
use super::{Database, TicketsApp};
use crate::domain::NewCustomer;
use crate::store::{Location, StoreError};

/// Everything a change made elsewhere can alter.
pub(super) const EVERYTHING: Alters = Alters {
    list: true,
    counts: true,
    tags: true,
    report: true,
};

impl TicketsApp {
    /// Takes in every answer that has arrived.
    pub(super) fn receive(&mut self) {
        let responses = self.worker.as_ref().map(|w| w.poll()).unwrap_or_default();
        for response in responses {
            self.take(response);
        }
        for (name, outcome) in self.tasks.finished() {
            self.task_ended(name, outcome);
        }
        if let Some(Modal::Import(dialog)) = &mut self.modal {
            dialog.poll();
        }
    }

    fn take(&mut self, response: Response) {
        match response {
            Response::Opened(signed_in) => {
                self.database = Database::Open;
                self.signed_in = signed_in;
                self.request(Request::People);
                self.request(Request::SharedViews);
                self.request(Request::SlaPolicy);
                self.request(Request::CannedReplies);
                if self.settings.automatic_backups {
                    // The day's backup, unless one was made today already.
                    self.backup(true);
                }
            }
            Response::OpenFailed(error) => {
                // A team server that asks for the password: ask for it (it is
                // kept in memory only), in the Connect form filled from the
                // address.
                if let (StoreError::PasswordNeeded { .. }, Location::Server(url)) =
                    (&error, &self.location)
                {
                    self.modal = Some(Modal::Connect(ConnectForm::asking_password_for(
                        url,
                        error.to_string(),
                    )));
                }
                self.database = Database::Failed(error);
            }
            Response::Backups(found) => {
                if let Some(Modal::Restore(chooser)) = &mut self.modal {
                    chooser.found = Some(found.map_err(|e| e.to_string()));
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
            Response::RestoreFailed(error) => self.toasts.add(
                ToastKind::Error,
                format!("The backup was not restored, and nothing was changed: {error}."),
            ),
            Response::Page {
                generation,
                request,
                page,
                merged,
            } => match page {
                Ok(page) => {
                    if generation == self.list.generation && request.offset == 0 {
                        self.list.merged_search = merged;
                    }
                    // Which of these rows changed for the agent since they
                    // last opened them (the list marks them).
                    if let Some(agent) = self.actor()
                        && generation == self.list.generation
                        && !page.rows.is_empty()
                    {
                        let numbers = page.rows.iter().map(|r| r.number).collect();
                        self.request(Request::Unread {
                            generation,
                            agent,
                            numbers,
                        });
                    }
                    self.list.receive(
                        generation,
                        request.offset,
                        page.total,
                        page.rows,
                        page.edges,
                    );
                }
                Err(error) => self.list.page_failed(generation, error.to_string()),
            },
            Response::Total { generation, total } => match total {
                Ok(total) => self.list.receive_total(generation, total),
                Err(error) => self.list.page_failed(generation, error.to_string()),
            },
            Response::Counts { generation, counts } => {
                if generation == self.counts_asked {
                    self.counts = Some(counts);
                }
            }
            Response::CustomerTickets { ticket, page } => {
                if let Some(panel) = &mut self.panel
                    && panel.ticket == Some(ticket)
                {
                    panel.other_tickets = Some(page.map_err(|e| e.to_string()).map(|page| {
                        let total = page.total.unwrap_or(0).saturating_sub(1);
                        let rows = page.rows.into_iter().filter(|r| r.number != ticket);
                        (rows.take(5).collect(), total)
                    }));
                }
            }
            Response::LastActivity {
                ticket,
                updated,
                entry,
            } => match entry {
                Ok(Some(entry)) => {
                    self.last_activities
                        .insert(ticket, updated, entry.sentence(), entry.at)
                }
                Ok(None) => {}
                Err(error) => {
                    eprintln!("tickets: {ticket}'s last activity could not be read: {error}")
                }
            },
            Response::SharedViews(views) => match views {
                Ok(views) => self.shared_views = views,
                Err(error) => eprintln!("tickets: the team's views could not be read: {error}"),
            },
            Response::SharedViewEdited { edit, result } => self.shared_view_edited(edit, result),
            Response::CannedReplies(result) => self.canned_read(result),
            Response::CannedEdited { edit, result } => self.canned_edited(edit, result),
            Response::CannedUsage { generation, result } => {
                if let Some(window) = &mut self.analytics
                    && window.asked == generation
                {
                    window.canned = Some(result.map_err(|failure| failure.to_string()));
                }
            }
            Response::SlaPolicy(policy) => match policy {
                Ok(policy) => self.sla_policy = *policy,
                Err(error) => eprintln!("tickets: the service levels could not be read: {error}"),
            },
            Response::SlaPolicySaved(result) => self.sla_policy_saved(result),
            Response::Unread {
                generation,
                asked,
                unread,
            } => match unread {
                Ok(unread) => self.list.receive_unread(generation, &asked, unread),
                Err(error) => eprintln!("tickets: the unread marks could not be read: {error}"),
            },
            Response::Stamps { asked, stamps } => match stamps {
                Ok(stamps) => self.selection.receive(asked, stamps),
                Err(error) => {
                    self.selection.failed(asked);
                    self.toasts.add(
                        ToastKind::Error,
                        format!("The tickets could not be picked: {error}"),
                    );
                }
            },
            Response::ViewCounts {
                generation,
                counts,
                unread,
            } => match counts {
                Ok(counts) => {
                    if generation == self.view_counts.asked {
                        self.view_counts.unread_mine = unread;
                    }
                    self.view_counts.receive(generation, counts);
                    self.choose_first_view();
                }
                // The list shows the same store's trouble where it matters;
                // the views keep their last counts.
                Err(error) => eprintln!("tickets: the views could not be counted: {error}"),
            },
            Response::Ticket(number, result) => {
                // The agent is looking at it: not news any more.
                let agent = self.actor();
                let mut asks = Vec::new();
                if let Some(panel) = &mut self.panel
                    && panel.ticket == Some(number)
                {
                    match result {
                        Ok(detail) => {
                            if let Some(customer) = &detail.customer {
                                self.customer_names
                                    .insert(customer.id, customer.name.clone());
                                asks.push(Request::CustomerTickets {
                                    ticket: number,
                                    customer: customer.id,
                                });
                            } else {
                                panel.other_tickets = None;
                            }
                            // Read once opened (the first load), or when the
                            // list shows it changed while it was open: a plain
                            // reload writes nothing (another window hears of
                            // every write).
                            let first = panel.detail.is_none();
                            panel.loaded(*detail);
                            let unread = self.list.is_unread(number);
                            let marking = agent.is_some() && (first || unread);
                            if let Some(agent) = agent.filter(|_| marking) {
                                asks.push(Request::MarkRead {
                                    agent,
                                    ticket: number,
                                });
                            }
                            // Its mark goes at once; the views count again
                            // (after the store has it) where it was news:
                            // only when it was marked read just now.
                            if marking
                                && (unread || self.view_counts.unread_mine.is_some_and(|n| n > 0))
                            {
                                self.data_epoch += 1;
                            }
                            self.list.mark_read(number);
                        }
                        Err(error) => panel.load_error = Some(error.to_string()),
                    }
                }
                for ask in asks {
                    self.request(ask);
                }
            }
            Response::Created(Ok(number)) => {
                if matches!(self.modal, Some(Modal::NewTicket(_))) {
                    self.modal = None;
                }
                self.new_ticket_draft = None;
                self.toasts
                    .add(ToastKind::Info, format!("Created {number}"));
                self.list.select(number);
                self.open_ticket(number);
                self.data_changed(Alters {
                    tags: false,
                    ..EVERYTHING
                });
            }
            Response::Created(Err(error)) => match &mut self.modal {
                Some(Modal::NewTicket(form)) => form.refused(error.to_string()),
                _ => self.toasts.add(
                    ToastKind::Error,
                    format!("The ticket was not created: {error}"),
                ),
            },
            Response::MergeCandidate(number, read) => self.merge_candidate(number, read),
            Response::Merged {
                keep,
                others,
                result,
            } => self.merged(keep, &others, result),
            Response::Changed {
                ticket,
                change,
                result,
            } => match result {
                Ok(()) => {
                    if let Some(panel) = &mut self.panel
                        && panel.ticket == Some(ticket)
                    {
                        panel.saved(&change);
                        // "Send and set Waiting": the reply is sent; the
                        // status follows as a change of its own.
                        let then = match (&change, &panel.detail) {
                            (
                                Change::Message { then: Some(to), .. }
                                | Change::Canned { then: Some(to), .. },
                                Some(detail),
                            ) if detail.status != *to => Some(Change::Status {
                                version: detail.version,
                                to: *to,
                            }),
                            _ => None,
                        };
                        self.request(Request::Load(ticket));
                        if let Some(then) = then {
                            self.change(then);
                        }
                    }
                    self.data_changed(change.alters());
                }
                Err(error) => {
                    let conflict = matches!(
                        error,
                        StoreError::Conflict { .. } | StoreError::NoteConflict
                    );
                    match &mut self.panel {
                        Some(panel) if panel.ticket == Some(ticket) => {
                            panel.refused(&change, error.to_string(), conflict);
                            if conflict {
                                // Show the ticket as it is now; what was typed stays.
                                self.request(Request::Load(ticket));
                            }
                        }
                        _ => self.toasts.add(
                            ToastKind::Error,
                            format!("{ticket} was not changed: {error}"),
                        ),
                    }
                }
            },
            Response::People { agents, tags } => {
                self.agents = agents;
                self.tags = tags;
                // On a team server the login says who; on a file someone is chosen.
                let chosen = self.signed_in.is_some()
                    || self
                        .db()
                        .agent
                        .is_some_and(|id| self.agents.iter().any(|a| a.id == id && a.active));
                if !chosen && !matches!(self.modal, Some(Modal::WhoAreYou(_))) {
                    self.modal = Some(Modal::WhoAreYou(AgentPicker::new(false)));
                    self.focus.request(TextBox::WhoAreYou);
                }
            }
            Response::Customers {
                asker,
                query,
                found,
            } => match asker {
                Asker::People => {
                    if let Some(window) = &mut self.people
                        && window.query == query
                    {
                        window.customers = found;
                    }
                }
                Asker::NewTicket => {
                    if let Some(Modal::NewTicket(form)) = &mut self.modal
                        && form.customer_query == query
                    {
                        form.found = found;
                    }
                }
                Asker::WhoAreYou | Asker::CustomerChip => {}
            },
            Response::Customer { customer, .. } => {
                self.customer_names.insert(customer.id, customer.name);
            }
            Response::CustomerAdded { asker, customer } => match asker {
                Asker::NewTicket => {
                    if let Some(Modal::NewTicket(form)) = &mut self.modal {
                        form.new_customer = None;
                        form.customer_error = None;
                        form.customer = Some(customer);
                    }
                }
                _ => {
                    if let Some(window) = &mut self.people {
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
                        self.request(Request::FindCustomers {
                            asker: Asker::People,
                            query,
                        });
                    }
                }
            },
            Response::CustomerSaved(customer) => {
                self.customer_names
                    .insert(customer.id, customer.name.clone());
                if let Some(window) = &mut self.people {
                    window.customer_saved(&customer);
                }
                // Names show in the list and the open ticket.
                self.data_changed(Alters {
                    list: true,
                    counts: true,
                    tags: true,
                    report: false,
                });
                self.reload_panel();
            }
            Response::AgentAdded { asker, id } => {
                match asker {
                    Asker::WhoAreYou => {
                        // "Add me": the new agent is the one using the app.
                        self.db_mut().agent = Some(id);
                        if matches!(self.modal, Some(Modal::WhoAreYou(_))) {
                            self.modal = None;
                        }
                    }
                    _ => {
                        if let Some(window) = &mut self.people {
                            window.new_agent = None;
                            window.error = None;
                        }
                    }
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
                // Names show in the list, the panel, the trail and analytics.
                self.data_changed(EVERYTHING);
                self.reload_panel();
            }
            Response::CustomerErased { customer, summary } => {
                self.toasts.add(ToastKind::Info, summary.to_string());
                if let Some(window) = &mut self.people {
                    window.customer_erased(&customer);
                }
                self.customer_names.insert(customer.id, customer.name);
                self.data_changed(EVERYTHING);
                self.reload_panel();
            }
            Response::PeopleFailed { asker, error } => {
                let message = error.to_string();
                match asker {
                    Asker::WhoAreYou => match &mut self.modal {
                        Some(Modal::WhoAreYou(picker)) => picker.error = Some(message),
                        _ => self.toasts.add(ToastKind::Error, message),
                    },
                    Asker::NewTicket => match &mut self.modal {
                        Some(Modal::NewTicket(form)) => form.customer_error = Some(message),
                        _ => self.toasts.add(ToastKind::Error, message),
                    },
                    Asker::People => match &mut self.people {
                        Some(window) => window.error = Some(message),
                        None => self.toasts.add(ToastKind::Error, message),
                    },
                    // A chip without a name reads "Customer: #12"; nothing to say.
                    Asker::CustomerChip => {}
                }
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
                        Err(failure) => window.error = Some(failure.to_string()),
                    }
                }
            }
            Response::ExternalChange => {
                self.data_changed(EVERYTHING);
                self.reload_panel();
            }
            Response::Offline(why) => {
                self.offline = Some(why);
                // Who was where is not known while away; read again when back.
                self.presence.clear();
            }
            Response::Online => {
                // What others changed meanwhile was not heard: read it all again.
                self.offline = None;
                self.data_changed(EVERYTHING);
                self.reload_panel();
            }
            Response::Presence(others) => self.presence = others,
            Response::Failed(failure) => self.toasts.add(ToastKind::Error, failure.to_string()),
        }
    }

    /// The Service levels dialog's answer: saved (the dialog closes, the
    /// due times are worked out again), or refused (it stays, with what was
    /// typed and why).
    fn sla_policy_saved(&mut self, result: Result<Box<crate::domain::sla::SlaPolicy>, StoreError>) {
        match result {
            Ok(policy) => {
                self.sla_policy = *policy;
                if matches!(self.modal, Some(Modal::ServiceLevels(_))) {
                    self.modal = None;
                }
                // The due times the worker worked out before answering: the
                // list's Due column, the counts and the panel's targets.
                self.data_changed(EVERYTHING);
                self.reload_panel();
                self.toasts.add(
                    ToastKind::Info,
                    "Service levels saved. Each open ticket's due time is worked out again.",
                );
            }
            Err(error) => {
                let problem = match &error {
                    StoreError::Invalid(e) => e.problem.clone(),
                    other => other.to_string(),
                };
                match &mut self.modal {
                    Some(Modal::ServiceLevels(form)) => {
                        form.saving = false;
                        form.error = Some(problem);
                    }
                    _ => self.toasts.add(
                        ToastKind::Error,
                        format!("The service levels were not saved: {problem}"),
                    ),
                }
            }
        }
    }

    /// Loads the open ticket again (something it shows changed).
    fn reload_panel(&mut self) {
        if let Some(number) = self.panel.as_ref().and_then(|p| p.ticket) {
            self.request(Request::Load(number));
        }
    }

    /// A background job ended: say how, once.
    fn task_ended(&mut self, name: TaskName, outcome: Result<Done, Failure>) {
        let (kind, message) = match (name, outcome) {
            (_, Ok(Done::Report(files))) => (
                ToastKind::Info,
                format!(
                    "Exported the report to {}",
                    files
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            ),
            (_, Ok(Done::Tickets(n, file))) => (
                ToastKind::Info,
                format!(
                    "Exported {} to {}",
                    count_of(n, "ticket", "tickets"),
                    file.display()
                ),
            ),
            (_, Ok(Done::Everything(n, file))) => (
                ToastKind::Info,
                format!(
                    "Exported everything ({}, their people, views, replies and settings) to {}",
                    count_of(n, "ticket", "tickets"),
                    file.display()
                ),
            ),
            (_, Ok(Done::Backup(file))) => {
                (ToastKind::Info, format!("Backed up to {}", file.display()))
            }
            (_, Ok(Done::BackupNotDue)) => return,
            (_, Ok(Done::Bulk(run))) => {
                self.bulk_finished(*run);
                return;
            }
            (_, Ok(Done::ImportChecked(report))) => {
                self.import_checked(report);
                return;
            }
            (_, Ok(Done::Imported(report))) => {
                self.imported(&report);
                (ToastKind::Info, report.summary())
            }
            (
                _,
                Ok(Done::Restored {
                    tickets,
                    export,
                    into,
                }),
            ) => {
                self.restored_into(into.clone());
                (
                    ToastKind::Info,
                    format!(
                        "Restored everything from {} ({}) into the new database {}, now open.",
                        export.display(),
                        count_of(tickets, "ticket", "tickets"),
                        into.display()
                    ),
                )
            }
            (TaskName::Import, Err(failure)) => match self.import_failed(failure) {
                Some(message) => message,
                None => return,
            },
            (_, Ok(Done::Seeded(n))) => {
                self.finish_sample();
                (
                    ToastKind::Info,
                    format!("Loaded {}", count_of(n, "sample ticket", "sample tickets")),
                )
            }
            (TaskName::SampleData, Err(failure)) => {
                self.finish_sample();
                match failure {
                    Failure::Cancelled => (
                        ToastKind::Info,
                        "Sample data was stopped; the database is as it was.".to_owned(),
                    ),
                    other => (
                        ToastKind::Error,
                        format!("Sample data was not loaded: {other}."),
                    ),
                }
            }
            (TaskName::Export, Err(Failure::Cancelled)) => (
                ToastKind::Info,
                "Export cancelled; nothing was written.".to_owned(),
            ),
            (TaskName::Export, Err(failure)) => (
                ToastKind::Error,
                format!("The export did not finish: {failure}. Nothing was written."),
            ),
            (TaskName::Backup, Err(failure)) => (
                ToastKind::Error,
                format!("The backup was not made: {failure}."),
            ),
            // The run's own store could not be opened: it changed nothing.
            (TaskName::Bulk, Err(failure)) => (
                ToastKind::Error,
                format!("The change was not made: {failure}. No ticket was changed."),
            ),
        };
        self.toasts.add(kind, message);
    }

    /// Sample data finished loading (or did not): the dialog goes and the
    /// list is read again.
    fn finish_sample(&mut self) {
        if matches!(self.modal, Some(Modal::SampleData(_))) {
            self.modal = None;
        }
        self.list.restart();
        self.data_changed(EVERYTHING);
    }
}
