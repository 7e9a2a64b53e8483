//! The store's own thread. The window never touches SQLite: it sends a
//! [`Request`] and gets a [`Response`] back through a channel, and the worker
//! asks for a repaint whenever it answers.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::analytics::{Period, PeriodChoice, Report};
use crate::clock::Clock;
use crate::domain::{
    Agent, AgentId, Customer, CustomerId, Direction, NewCustomer, NewTicket, NoteId, Priority,
    Status, Tag, TagId, TicketDetail, TicketNumber,
};
use crate::seed::{SeedOptions, generate};
use crate::store::erase::ErasedSummary;
use crate::store::{
    BackupFile, ListRequest, Store, StoreError, TicketFilter, TicketPage, backup_due, list_backups,
    restore_backup,
};

/// How often the worker looks for changes other windows or processes made to the file.
const POLL_INTERVAL: Duration = Duration::from_millis(700);

/// A change to a ticket, as the acting agent asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Move to another status.
    Status {
        /// The version the agent was looking at.
        version: i64,
        /// The new status.
        to: Status,
    },
    /// Change the priority.
    Priority {
        /// The version the agent was looking at.
        version: i64,
        /// The new priority.
        to: Priority,
    },
    /// Replace the description.
    Description {
        /// The version the agent was looking at.
        version: i64,
        /// The new text.
        text: String,
    },
    /// Record the customer's rating.
    Csat {
        /// The version the agent was looking at.
        version: i64,
        /// 1 to 5.
        rating: u8,
    },
    /// Assign an agent.
    Assign(AgentId),
    /// Unassign an agent.
    Unassign(AgentId),
    /// Add a tag by name (created if new).
    AddTag(String),
    /// Remove a tag.
    RemoveTag(TagId),
    /// Add an internal note.
    AddNote(String),
    /// Edit an internal note.
    EditNote {
        /// The note.
        note: NoteId,
        /// The version the agent was looking at.
        version: i64,
        /// The new text.
        text: String,
    },
    /// Delete an internal note.
    DeleteNote(NoteId),
    /// Record a message from the customer or send a reply.
    Message {
        /// Inbound or a reply.
        direction: Direction,
        /// The text.
        text: String,
    },
}

/// What the window asks of the store.
#[derive(Debug)]
pub enum Request {
    /// The backups beside the database, newest first (answered even when the
    /// database could not be opened).
    ListBackups,
    /// Write a backup now, on the backup thread.
    BackupNow,
    /// Write the day's automatic backup, unless one was made today already.
    BackupIfDue,
    /// The analytics of a period.
    Report {
        /// Which ask this is; answers to older asks are dropped.
        generation: u64,
        /// The period.
        choice: PeriodChoice,
    },
    /// A page of the list.
    List {
        /// Which list this page belongs to; answers for older lists are dropped.
        generation: u64,
        /// The page.
        request: ListRequest,
    },
    /// Live counts for the sidebar under a filter.
    Counts {
        /// Which filter these are for.
        generation: u64,
        /// The filter in force.
        filter: TicketFilter,
    },
    /// Everything about one ticket.
    Load(TicketNumber),
    /// Raise a ticket.
    Create {
        /// Who raises it.
        actor: AgentId,
        /// What was typed.
        ticket: NewTicket,
    },
    /// Change a ticket.
    Change {
        /// Who changes it.
        actor: AgentId,
        /// Which ticket.
        ticket: TicketNumber,
        /// What change.
        change: Change,
    },
    /// Agents and tags, for pickers and filters.
    People,
    /// Customers matching what was typed.
    FindCustomers(String),
    /// Add a customer.
    AddCustomer(NewCustomer),
    /// Add an agent.
    AddAgent {
        /// Name.
        name: String,
        /// Email (may be empty).
        email: String,
    },
    /// Rename an agent or change their email.
    UpdateAgent {
        /// Who.
        id: AgentId,
        /// New name.
        name: String,
        /// New email.
        email: String,
    },
    /// Deactivate or reactivate an agent.
    SetAgentActive {
        /// Who.
        id: AgentId,
        /// Active or not.
        active: bool,
    },
    /// Change a customer's name, email or company.
    UpdateCustomer {
        /// Who.
        id: CustomerId,
        /// The new fields.
        fields: NewCustomer,
    },
    /// Tag a customer.
    AddCustomerTag {
        /// Who.
        id: CustomerId,
        /// The tag (created if new).
        tag: String,
    },
    /// Untag a customer.
    RemoveCustomerTag {
        /// Who.
        id: CustomerId,
        /// The tag.
        tag: TagId,
    },
    /// Erase a customer's personal data, keeping their tickets.
    EraseCustomer {
        /// Who erases it.
        actor: AgentId,
        /// Whose.
        customer: CustomerId,
    },
    /// Fill the empty database with sample data.
    Seed {
        /// How many tickets.
        tickets: u64,
    },
}

/// What the store answered.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // Responses are few and short-lived.
pub enum Response {
    /// The backups beside the database, newest first, or why they could not be listed.
    Backups(Result<Vec<BackupFile>, String>),
    /// A backup asked for is being written.
    BackupProgress {
        /// Pages copied so far.
        done: u64,
        /// Pages in all (0 until known).
        total: u64,
    },
    /// The backup asked for was written to this file, or why not.
    BackupMade(Result<PathBuf, String>),
    /// A backup was put in place of the database, which was kept as this
    /// file (if there was one); the database opens next.
    Restored(Option<PathBuf>),
    /// The backup was not restored; nothing was changed.
    RestoreFailed(String),
    /// The analytics of a period, or why they could not be worked out.
    Report {
        /// The ask it answers.
        generation: u64,
        /// The report.
        result: Result<Box<Report>, String>,
    },
    /// The database is open.
    Opened {
        /// The file.
        path: PathBuf,
    },
    /// The database could not be opened.
    OpenFailed(String),
    /// A page of the list.
    Page {
        /// The list it belongs to.
        generation: u64,
        /// What was asked.
        request: ListRequest,
        /// The page.
        page: TicketPage,
    },
    /// Sidebar counts for a filter.
    Counts {
        /// The filter they are for.
        generation: u64,
        /// The counts.
        counts: Counts,
    },
    /// One ticket, loaded.
    Ticket(Box<TicketDetail>),
    /// A ticket was raised.
    Created(TicketNumber),
    /// A change was saved.
    Changed {
        /// The ticket.
        ticket: TicketNumber,
        /// What changed.
        change: Change,
    },
    /// A change was refused; what was typed is handed back.
    ChangeFailed {
        /// The ticket.
        ticket: TicketNumber,
        /// The change, as asked.
        change: Change,
        /// Why, in words for the agent.
        message: String,
        /// Refused because someone else changed the ticket first.
        conflict: bool,
    },
    /// Raising a ticket was refused; the form keeps what was typed.
    CreateFailed(String),
    /// Agents and tags.
    People {
        /// Every agent.
        agents: Vec<Agent>,
        /// Every tag.
        tags: Vec<Tag>,
    },
    /// Customers matching a search.
    Customers {
        /// What was typed.
        query: String,
        /// Who matched.
        found: Vec<Customer>,
    },
    /// A customer was added.
    CustomerAdded(Customer),
    /// A customer was changed; here as they are now.
    CustomerSaved(Customer),
    /// A customer's personal data was erased.
    CustomerErased {
        /// The customer as they are now.
        customer: Customer,
        /// What was erased.
        summary: ErasedSummary,
    },
    /// A change to an agent or a customer was refused.
    PeopleError(String),
    /// An agent was added.
    AgentAdded(AgentId),
    /// An agent was renamed.
    AgentSaved(AgentId),
    /// Sample data is being loaded.
    SeedProgress {
        /// Tickets so far.
        done: u64,
        /// Tickets in all.
        total: u64,
    },
    /// Sample data finished loading (or failed, or was cancelled).
    SeedFinished(Result<u64, String>),
    /// Another window or process changed the file.
    ExternalChange,
    /// Something went wrong that belongs to no form.
    Error(String),
}

/// The window's end of the worker.
pub struct Worker {
    requests: Sender<Request>,
    responses: Receiver<Response>,
    cancel_seed: Arc<AtomicBool>,
    /// The thread, for a worker taking over to wait for.
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker thread, which opens the database at `path`.
    /// `wake` is called after every response (the window's repaint request).
    pub fn start(
        path: PathBuf,
        clock: Arc<dyn Clock>,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> std::io::Result<Worker> {
        Worker::replace(None, path, clock, None, wake)
    }

    /// Starts a worker on the database at `path` in place of `previous`
    /// (on another file, or on the same one to put the backup `restore` in
    /// its place first). The new thread waits for the old one to finish its
    /// request in hand and close its connection (and its backup thread's), so
    /// the window never waits; pages and answers still due from the old one
    /// are dropped with it.
    pub fn replace(
        previous: Option<Worker>,
        path: PathBuf,
        clock: Arc<dyn Clock>,
        restore: Option<PathBuf>,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> std::io::Result<Worker> {
        // Dropping the old worker's channels tells its thread to stop.
        let before = previous.and_then(|mut old| {
            old.cancel_seed();
            old.thread.take()
        });
        let (requests, inbox) = channel();
        let (outbox, responses) = channel();
        let cancel_seed = Arc::new(AtomicBool::new(false));
        let cancel = cancel_seed.clone();
        let thread = std::thread::Builder::new()
            .name("tickets-store".to_owned())
            .spawn(move || {
                // A worker that panicked has let go of the file all the same.
                if let Some(before) = before
                    && before.join().is_err()
                {
                    eprintln!("tickets: the previous database thread had failed");
                }
                run(path, clock, restore, inbox, outbox, cancel, Arc::new(wake));
            })?;
        Ok(Worker {
            requests,
            responses,
            cancel_seed,
            thread: Some(thread),
        })
    }

    /// Sends a request; if the worker has stopped, says so as a response.
    pub fn send(&self, request: Request) {
        if let Request::Seed { .. } = request {
            self.cancel_seed.store(false, Ordering::Relaxed);
        }
        // A send fails only if the worker has gone; the next poll reports nothing
        // more, and the window shows the last error it had.
        if self.requests.send(request).is_err() {
            self.cancel_seed.store(true, Ordering::Relaxed);
        }
    }

    /// Every response that has arrived, without waiting.
    pub fn poll(&self) -> Vec<Response> {
        self.responses.try_iter().collect()
    }

    /// Asks a running sample-data load to stop (it leaves the database as it was).
    pub fn cancel_seed(&self) {
        self.cancel_seed.store(true, Ordering::Relaxed);
    }
}

fn run(
    path: PathBuf,
    clock: Arc<dyn Clock>,
    restore: Option<PathBuf>,
    inbox: Receiver<Request>,
    outbox: Sender<Response>,
    cancel: Arc<AtomicBool>,
    wake: Arc<dyn Fn() + Send + Sync>,
) {
    let send = |response: Response| {
        let sent = outbox.send(response).is_ok();
        wake();
        sent
    };
    if let Some(backup) = restore {
        let restored = match restore_backup(&path, &backup, clock.as_ref()) {
            Ok(kept) => Response::Restored(kept.map(|k| k.path)),
            Err(e) => Response::RestoreFailed(e.to_string()),
        };
        if !send(restored) {
            return;
        }
    }
    let mut store = match Store::open(&path, clock.clone()) {
        Ok(store) => store,
        Err(e) => {
            send(Response::OpenFailed(e.to_string()));
            // No database, but its backups can still be listed for a restore.
            while let Ok(request) = inbox.recv() {
                if matches!(request, Request::ListBackups) && !send(backups_beside(&path)) {
                    return;
                }
            }
            return;
        }
    };
    if !send(Response::Opened { path: path.clone() }) {
        return;
    }
    let mut backups = BackupThread {
        path,
        clock,
        outbox: outbox.clone(),
        wake: wake.clone(),
        running: None,
    };
    // data_version moves only when another connection commits (our own writes
    // leave it alone), so any change in it is news from another window or process.
    let mut seen_version = store.data_version().unwrap_or_default();
    let mut last_check = Instant::now();
    loop {
        // Look for others' changes on a fixed schedule, busy or not.
        if last_check.elapsed() >= POLL_INTERVAL {
            last_check = Instant::now();
            match store.data_version() {
                Ok(version) if version != seen_version => {
                    seen_version = version;
                    if !send(Response::ExternalChange) {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    send(Response::Error(e.to_string()));
                }
            }
        }
        let wait = POLL_INTERVAL.saturating_sub(last_check.elapsed());
        let first = match inbox.recv_timeout(wait) {
            Ok(request) => request,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut queued = vec![first];
        queued.extend(inbox.try_iter());
        for request in in_useful_order(queued) {
            if let Some(response) = handle(&mut store, request, &mut backups, &cancel, &send)
                && !send(response)
            {
                return;
            }
        }
    }
}

/// Orders the requests that queued up while the store was busy: pages of a
/// list that has since been replaced are dropped, and so are reports and
/// counts that a newer one replaced (the window shows only the newest;
/// a year's report takes a while, and edits ask for a new one each time).
/// Pages of the current list are served newest first (a dragged scroll bar
/// asks for many pages; the last ones asked for are the ones on screen).
/// Everything else keeps its order, ahead of the pages.
fn in_useful_order(queued: Vec<Request>) -> Vec<Request> {
    // Which kind of replaceable request this is, and its generation.
    let replaceable = |r: &Request| match r {
        Request::List { generation, .. } => Some((0, *generation)),
        Request::Counts { generation, .. } => Some((1, *generation)),
        Request::Report { generation, .. } => Some((2, *generation)),
        _ => None,
    };
    let mut newest = [None::<u64>; 3];
    for (kind, generation) in queued.iter().filter_map(replaceable) {
        newest[kind] = newest[kind].max(Some(generation));
    }
    let (mut pages, mut others): (Vec<Request>, Vec<Request>) = queued
        .into_iter()
        .filter(|r| replaceable(r).is_none_or(|(kind, g)| newest[kind] == Some(g)))
        .partition(|r| matches!(r, Request::List { .. }));
    pages.reverse();
    others.extend(pages);
    others
}

fn handle(
    store: &mut Store,
    request: Request,
    backups: &mut BackupThread,
    cancel: &AtomicBool,
    send: &impl Fn(Response) -> bool,
) -> Option<Response> {
    let error = |e: StoreError| Response::Error(e.to_string());
    Some(match request {
        Request::ListBackups => backups_beside(store.path()),
        Request::BackupNow => return backups.start(false),
        Request::BackupIfDue => return backups.start(true),
        Request::Report { generation, choice } => Response::Report {
            generation,
            result: Period::resolve(choice, store.clock().now(), &chrono::Local)
                .map_err(|e| e.to_string())
                .and_then(|period| store.report(&period).map_err(|e| e.to_string()))
                .map(Box::new),
        },
        Request::List {
            generation,
            request,
        } => match store.list_tickets(&request) {
            Ok(page) => Response::Page {
                generation,
                request,
                page,
            },
            Err(e) => error(e),
        },
        Request::Counts { generation, filter } => match counts(store, &filter) {
            Ok(counts) => Response::Counts { generation, counts },
            Err(e) => error(e),
        },
        Request::Load(ticket) => match store.load_ticket(ticket) {
            Ok(detail) => Response::Ticket(Box::new(detail)),
            Err(e) => error(e),
        },
        Request::Create { actor, ticket } => match store.create_ticket(actor, &ticket) {
            Ok(number) => Response::Created(number),
            Err(e) => Response::CreateFailed(e.to_string()),
        },
        Request::Change {
            actor,
            ticket,
            change,
        } => match apply(store, actor, ticket, &change) {
            Ok(()) => Response::Changed { ticket, change },
            Err(e) => Response::ChangeFailed {
                ticket,
                conflict: matches!(e, StoreError::Conflict { .. } | StoreError::NoteConflict),
                message: e.to_string(),
                change,
            },
        },
        Request::People => people(store),
        Request::FindCustomers(query) => match store.find_customers(&query, 20) {
            Ok(found) => Response::Customers { query, found },
            Err(e) => error(e),
        },
        Request::AddCustomer(new) => match store
            .add_customer(&new)
            .and_then(|id: CustomerId| store.customer(id))
        {
            Ok(customer) => Response::CustomerAdded(customer),
            Err(e) => error(e),
        },
        Request::AddAgent { name, email } => match store.add_agent(&name, &email) {
            Ok(id) => Response::AgentAdded(id),
            Err(e) => Response::PeopleError(e.to_string()),
        },
        Request::UpdateAgent { id, name, email } => match store.update_agent(id, &name, &email) {
            Ok(()) => Response::AgentSaved(id),
            Err(e) => Response::PeopleError(e.to_string()),
        },
        Request::SetAgentActive { id, active } => match store.set_agent_active(id, active) {
            Ok(()) => people(store),
            Err(e) => Response::PeopleError(e.to_string()),
        },
        Request::UpdateCustomer { id, fields } => {
            customer_saved(store, id, |s| s.update_customer(id, &fields))
        }
        Request::AddCustomerTag { id, tag } => {
            customer_saved(store, id, |s| s.add_customer_tag(id, &tag).map(|_| ()))
        }
        Request::RemoveCustomerTag { id, tag } => {
            customer_saved(store, id, |s| s.remove_customer_tag(id, tag))
        }
        Request::EraseCustomer { actor, customer } => match store
            .erase_customer(actor, customer)
            .and_then(|summary| Ok((store.customer(customer)?, summary)))
        {
            Ok((customer, summary)) => Response::CustomerErased { customer, summary },
            Err(e) => Response::PeopleError(e.to_string()),
        },
        Request::Seed { tickets } => {
            let seed = fastrand::u64(..);
            let result = generate(store, SeedOptions { tickets, seed }, |done, total| {
                send(Response::SeedProgress { done, total }) && !cancel.load(Ordering::Relaxed)
            });
            Response::SeedFinished(result.map(|s| s.tickets).map_err(|e| e.to_string()))
        }
    })
}

/// The backups beside the database at `path`, as an answer.
fn backups_beside(path: &std::path::Path) -> Response {
    Response::Backups(list_backups(path).map_err(|e| e.to_string()))
}

/// Backups are written on their own thread ("tickets-backup") with their own
/// connection: copying a large file takes seconds, and the worker keeps
/// answering meanwhile (in write-ahead-log mode the copy's read holds up
/// neither the worker's reads nor its writes). One at a time.
struct BackupThread {
    path: PathBuf,
    clock: Arc<dyn Clock>,
    outbox: Sender<Response>,
    wake: Arc<dyn Fn() + Send + Sync>,
    running: Option<JoinHandle<()>>,
}

impl BackupThread {
    /// Starts the day's automatic backup (made only if none was made today,
    /// and heard of only if it fails) or one asked for now (with progress and
    /// the outcome). Returns an answer at once if it could not start.
    fn start(&mut self, automatic: bool) -> Option<Response> {
        if self.running.as_ref().is_some_and(|t| !t.is_finished()) {
            return (!automatic).then(|| {
                Response::BackupMade(Err(
                    "a backup is being made already; try again when it has finished".to_owned(),
                ))
            });
        }
        let (path, clock) = (self.path.clone(), self.clock.clone());
        let (outbox, wake) = (self.outbox.clone(), self.wake.clone());
        let spawned = std::thread::Builder::new()
            .name("tickets-backup".to_owned())
            .spawn(move || {
                let send = |response: Response| {
                    if outbox.send(response).is_ok() {
                        wake();
                    }
                };
                if automatic {
                    // Most days the backup is made already: look at the
                    // folder before opening the database a second time.
                    let made = backup_due(&path, clock.now(), &chrono::Local).and_then(|due| {
                        if due {
                            Store::open(&path, clock)?.backup_now(&mut |_, _| {})?;
                        }
                        Ok(())
                    });
                    if let Err(e) = made {
                        send(Response::Error(format!(
                            "Today's automatic backup could not be made: {e}"
                        )));
                    }
                } else {
                    let made = Store::open(&path, clock).and_then(|s| {
                        s.backup_now(&mut |done, total| {
                            send(Response::BackupProgress { done, total });
                        })
                    });
                    send(Response::BackupMade(
                        made.map(|b| b.path).map_err(|e| e.to_string()),
                    ));
                }
            });
        match spawned {
            Ok(thread) => {
                self.running = Some(thread);
                None
            }
            Err(e) => Some(Response::BackupMade(Err(format!(
                "the backup thread could not be started: {e}"
            )))),
        }
    }
}

impl Drop for BackupThread {
    /// The worker lets go of the file only once the backup has finished with it.
    fn drop(&mut self) {
        if let Some(thread) = self.running.take()
            && thread.join().is_err()
        {
            eprintln!("tickets: the backup thread had failed");
        }
    }
}

fn people(store: &Store) -> Response {
    match (store.agents(), store.tags()) {
        (Ok(agents), Ok(tags)) => Response::People { agents, tags },
        (Err(e), _) | (_, Err(e)) => Response::Error(e.to_string()),
    }
}

/// Runs a change to a customer and answers with the customer as they are now.
fn customer_saved(
    store: &mut Store,
    id: CustomerId,
    change: impl FnOnce(&mut Store) -> Result<(), StoreError>,
) -> Response {
    match change(store).and_then(|()| store.customer(id)) {
        Ok(customer) => Response::CustomerSaved(customer),
        Err(e) => Response::PeopleError(e.to_string()),
    }
}

fn apply(
    store: &mut Store,
    actor: AgentId,
    ticket: TicketNumber,
    change: &Change,
) -> Result<(), StoreError> {
    match change {
        Change::Status { version, to } => store.set_status(actor, ticket, *version, *to),
        Change::Priority { version, to } => store.set_priority(actor, ticket, *version, *to),
        Change::Description { version, text } => {
            store.set_description(actor, ticket, *version, text)
        }
        Change::Csat { version, rating } => store.set_csat(actor, ticket, *version, *rating),
        Change::Assign(agent) => store.assign(actor, ticket, *agent),
        Change::Unassign(agent) => store.unassign(actor, ticket, *agent),
        Change::AddTag(name) => store.add_tag(actor, ticket, name).map(|_| ()),
        Change::RemoveTag(tag) => store.remove_tag(actor, ticket, *tag),
        Change::AddNote(text) => store.add_note(actor, ticket, text).map(|_| ()),
        Change::EditNote {
            note,
            version,
            text,
        } => store.edit_note(actor, *note, *version, text),
        Change::DeleteNote(note) => store.delete_note(actor, *note),
        Change::Message { direction, text } => store
            .add_message(actor, ticket, *direction, text)
            .map(|_| ()),
    }
}

/// Live facet counts: each status's count under the filter with its status
/// choice replaced by that status (likewise for priorities), so the sidebar
/// says how many tickets each choice would show.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Tickets per status.
    pub statuses: Vec<(Status, u64)>,
    /// Tickets per priority.
    pub priorities: Vec<(Priority, u64)>,
}

fn counts(store: &Store, filter: &TicketFilter) -> Result<Counts, StoreError> {
    let statuses = Status::ALL
        .into_iter()
        .map(|status| {
            let f = TicketFilter {
                statuses: vec![status],
                ..filter.clone()
            };
            store.count_tickets(&f).map(|n| (status, n))
        })
        .collect::<Result<_, _>>()?;
    let priorities = Priority::ALL
        .into_iter()
        .map(|priority| {
            let f = TicketFilter {
                priorities: vec![priority],
                ..filter.clone()
            };
            store.count_tickets(&f).map(|n| (priority, n))
        })
        .collect::<Result<_, _>>()?;
    Ok(Counts {
        statuses,
        priorities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(generation: u64, offset: u64) -> Request {
        Request::List {
            generation,
            request: ListRequest {
                offset,
                limit: 100,
                ..ListRequest::default()
            },
        }
    }

    fn describe(requests: &[Request]) -> Vec<String> {
        requests
            .iter()
            .map(|r| match r {
                Request::List {
                    generation,
                    request,
                } => format!("page {generation}:{}", request.offset),
                Request::Load(n) => format!("load {n}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn only_the_newest_report_and_counts_are_worked_out() {
        let report = |generation| Request::Report {
            generation,
            choice: crate::analytics::PeriodChoice::Last30d,
        };
        let counts = |generation| Request::Counts {
            generation,
            filter: TicketFilter::default(),
        };
        let queued = vec![
            report(1),
            counts(4),
            Request::Load(TicketNumber(7)),
            report(2),
            counts(5),
            report(3),
        ];
        let kept: Vec<String> = in_useful_order(queued)
            .iter()
            .map(|r| match r {
                Request::Report { generation, .. } => format!("report {generation}"),
                Request::Counts { generation, .. } => format!("counts {generation}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(kept, ["Load(TicketNumber(7))", "counts 5", "report 3"]);
    }

    #[test]
    fn stale_pages_are_dropped_and_the_newest_served_first() {
        let queued = vec![
            page(1, 0),
            page(2, 0),
            Request::Load(TicketNumber(7)),
            page(2, 5000),
            page(2, 9000),
        ];
        assert_eq!(
            describe(&in_useful_order(queued)),
            ["load TKT-000007", "page 2:9000", "page 2:5000", "page 2:0"]
        );
    }
}
