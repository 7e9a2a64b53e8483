//! The store's own thread ("tickets-store"). The window never touches
//! SQLite: it sends a [`Request`] and gets a [`Response`] back through a
//! channel, and the worker asks for a repaint whenever it answers. The
//! messages themselves are in [`protocol`], which widgets import instead of
//! this thread.

pub mod protocol;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::tasks::{Done, TaskHandle};
use crate::analytics::Period;
use crate::clock::Clock;
use crate::domain::{AgentId, CustomerId, TicketNumber};
use crate::seed::{SeedOptions, generate};
use crate::store::{ListRequest, Location, Sort, Store, StoreError, TicketFilter};
pub use protocol::{
    Alters, Asker, CannedEdit, Change, Counts, Failure, Request, Response, SharedEdit,
};

/// How often the worker looks for changes other windows or processes made to the file.
const POLL_INTERVAL: Duration = Duration::from_millis(700);

/// How often who is at which ticket is read again while anyone is shown
/// there, for desks that went without saying so.
const PRESENCE_REREAD: Duration = Duration::from_secs(5);

/// SQLite's page cache per connection in the window, in KiB. The window runs
/// for days; the system's file cache keeps the file's pages anyway, so a
/// small cache costs a list page about 3 ms at a million tickets instead of
/// 0.3 ms, and keeps the window near 140 MB rather than near 200.
const WINDOW_CACHE_KIB: u32 = 8 * 1024;

/// The window's end of the worker.
pub struct Worker {
    requests: Sender<Request>,
    responses: Receiver<Response>,
    /// The thread, for a worker taking over to wait for.
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker thread, which opens the store at `location`.
    /// `wake` is called after every response (the window's repaint request).
    pub fn start(
        location: Location,
        clock: Arc<dyn Clock>,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> std::io::Result<Worker> {
        Worker::replace(None, location, clock, None, wake)
    }

    /// Starts a worker on the store at `location` in place of `previous`
    /// (on another store, or on the same one to put the backup `restore` in
    /// its place first). The new thread waits for the old one to finish its
    /// request in hand and close its connection (and its backup thread's), so
    /// the window never waits; pages and answers still due from the old one
    /// are dropped with it.
    pub fn replace(
        previous: Option<Worker>,
        location: Location,
        clock: Arc<dyn Clock>,
        restore: Option<PathBuf>,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> std::io::Result<Worker> {
        // Dropping the old worker's channels tells its thread to stop.
        let before = previous.and_then(|mut old| old.thread.take());
        let (requests, inbox) = channel();
        let (outbox, responses) = channel();
        let thread = std::thread::Builder::new()
            .name("tickets-store".to_owned())
            .spawn(move || {
                // A worker that panicked has let go of the file all the same.
                if let Some(before) = before
                    && before.join().is_err()
                {
                    eprintln!("tickets: the previous database thread had failed");
                }
                run(location, clock, restore, inbox, outbox, Arc::new(wake));
            })?;
        Ok(Worker {
            requests,
            responses,
            thread: Some(thread),
        })
    }

    /// Sends a request; says whether the worker took it. If it has stopped,
    /// the request is dropped (and a job it carried ends as stopped, so
    /// nothing waits on it).
    pub fn send(&self, request: Request) -> bool {
        self.requests.send(request).is_ok()
    }

    /// Every response that has arrived, without waiting.
    pub fn poll(&self) -> Vec<Response> {
        self.responses.try_iter().collect()
    }
}

/// Batches of due times worked out after a change before its answer goes:
/// the change's own ticket is in the first.
const CHANGE_DUE_ROUNDS: usize = 1;

/// Batches worked out between requests while some are left (each a
/// transaction of a few milliseconds).
const IDLE_DUE_ROUNDS: usize = 5;

/// Whether a request may move a ticket's due time (or everyone's): its
/// due times are worked out before its answer goes. Changes made elsewhere
/// (another window, a script, a bulk run) are worked out between requests
/// once they are heard of.
fn moves_due(request: &Request) -> bool {
    matches!(
        request,
        Request::Create { .. }
            | Request::Change { .. }
            | Request::Merge { .. }
            | Request::EraseCustomer { .. }
            | Request::Seed { .. }
            | Request::SetSlaPolicy { .. }
    )
}

/// Works out due times left to work out, up to `rounds` batches: whether
/// any was settled, and whether more may be left. A failure is logged and
/// tried again later: the due times are derived, never an agent's change.
pub(in crate::app) fn settle_due(store: &mut Store, rounds: usize) -> (bool, bool) {
    let mut settled = false;
    for _ in 0..rounds {
        match store.refresh_due() {
            Ok(0) => return (settled, false),
            Ok(_) => settled = true,
            Err(e) => {
                eprintln!("tickets: due times could not be worked out: {e}");
                return (settled, false);
            }
        }
    }
    (settled, true)
}

fn run(
    location: Location,
    clock: Arc<dyn Clock>,
    restore: Option<PathBuf>,
    inbox: Receiver<Request>,
    outbox: Sender<Response>,
    wake: Arc<dyn Fn() + Send + Sync>,
) {
    let send = |response: Response| {
        let sent = outbox.send(response).is_ok();
        wake();
        sent
    };
    if let Some(backup) = restore {
        let restored = match location.restore(&backup, clock.as_ref()) {
            Ok(kept) => Response::Restored(kept.map(|k| k.path)),
            Err(e) => Response::RestoreFailed(e),
        };
        if !send(restored) {
            return;
        }
    }
    let mut store = match Store::open_at(&location, clock.clone()) {
        Ok(store) => store,
        Err(e) => {
            send(Response::OpenFailed(e));
            // No database, but its backups can still be listed for a restore.
            while let Ok(request) = inbox.recv() {
                if matches!(request, Request::ListBackups)
                    && !send(Response::Backups(location.backups()))
                {
                    return;
                }
            }
            return;
        }
    };
    if let Err(e) = store.set_cache_size(WINDOW_CACHE_KIB) {
        send(Response::Failed(e.into()));
    }
    if !send(Response::Opened(store.signed_in().cloned())) {
        return;
    }
    let mut backups = BackupThread {
        location,
        clock,
        running: None,
    };
    // What this worker has seen of others' changes; its own writes are not news.
    let mut seen = crate::store::ChangeToken::default();
    if let Err(e) = store.changes_since(&mut seen) {
        send(Response::Failed(e.into()));
    }
    // A failing check is said once, not at every look.
    let mut check_failing = false;
    let mut offline = false;
    let mut last_check = Instant::now();
    let mut others_shown = false;
    let mut last_presence = Instant::now();
    // Due times to work out (see `Store::refresh_due`): at opening, any
    // left from before (a new policy, tickets moved in).
    let mut due_pending = true;
    loop {
        // Left-over due times, a few batches between requests; the window
        // shows them once they are in.
        if due_pending {
            let (settled, more) = settle_due(&mut store, IDLE_DUE_ROUNDS);
            due_pending = more;
            if settled && !send(Response::ExternalChange) {
                return;
            }
        }
        // Look for others' changes on a fixed schedule, busy or not.
        if last_check.elapsed() >= POLL_INTERVAL {
            last_check = Instant::now();
            match store.changes_since(&mut seen) {
                Ok(changed) => {
                    if std::mem::replace(&mut offline, false) && !send(Response::Online) {
                        return;
                    }
                    check_failing = false;
                    if changed {
                        // Changed elsewhere: a script or an older window
                        // may have left due times to work out.
                        due_pending = true;
                        if !send(Response::ExternalChange) {
                            return;
                        }
                    }
                    // Who is where: when a desk said so, and again now and
                    // then while anyone is shown (a desk that closed says
                    // nothing; its row goes with its connection).
                    let due = others_shown && last_presence.elapsed() >= PRESENCE_REREAD;
                    if store.presence_news() || due {
                        last_presence = Instant::now();
                        if let Ok(others) = store.presence() {
                            others_shown = !others.is_empty();
                            if !send(Response::Presence(others)) {
                                return;
                            }
                        }
                    }
                }
                // A team's server that went away: said once; each look
                // after is an attempt to connect again.
                Err(e @ StoreError::ServerUnreachable { .. }) => {
                    if !std::mem::replace(&mut offline, true)
                        && !send(Response::Offline(e.to_string()))
                    {
                        return;
                    }
                }
                Err(e) => {
                    if !std::mem::replace(&mut check_failing, true)
                        && !send(Response::Failed(e.into()))
                    {
                        return;
                    }
                }
            }
        }
        let wait = if due_pending {
            Duration::ZERO
        } else {
            POLL_INTERVAL.saturating_sub(last_check.elapsed())
        };
        let first = match inbox.recv_timeout(wait) {
            Ok(request) => request,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut queued = vec![first];
        queued.extend(inbox.try_iter());
        for request in in_useful_order(queued) {
            let moves_due = moves_due(&request);
            let response = handle(&mut store, request, &mut backups);
            // A change's due time is worked out before the window hears of
            // the change, so the list it then reads shows it.
            if moves_due {
                let (_, more) = settle_due(&mut store, CHANGE_DUE_ROUNDS);
                due_pending |= more;
            }
            if let Some(response) = response
                && !send(response)
            {
                return;
            }
        }
    }
}

/// Orders the requests that queued up while the store was busy: pages of a
/// list that has since been replaced are dropped, and so are reports,
/// totals and counts that a newer one replaced (the window shows only the newest;
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
        Request::Total { generation, .. } => Some((3, *generation)),
        Request::ViewCounts { generation, .. } => Some((4, *generation)),
        Request::CannedUsage { generation, .. } => Some((5, *generation)),
        _ => None,
    };
    let mut newest = [None::<u64>; 6];
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

/// How many of a customer's other tickets the panel lists.
pub const OTHER_TICKETS: u32 = 5;

fn handle(store: &mut Store, request: Request, backups: &mut BackupThread) -> Option<Response> {
    let failed = |e: StoreError| Response::Failed(e.into());
    let people_failed = |asker, error| Response::PeopleFailed { asker, error };
    Some(match request {
        Request::ListBackups => Response::Backups(store.location().backups()),
        Request::Backup { automatic, task } => {
            backups.start(automatic, task);
            return None;
        }
        Request::Report { generation, choice } => Response::Report {
            generation,
            result: Period::resolve(choice, store.clock().now(), &chrono::Local)
                .map_err(Failure::from)
                .and_then(|period| store.report(&period).map_err(Failure::from))
                .map(Box::new),
        },
        Request::List {
            generation,
            request,
        } => Response::Page {
            generation,
            page: store.list_page(&request),
            merged: merged_search(store, &request),
            request,
        },
        Request::Total { generation, filter } => Response::Total {
            generation,
            total: store.count_tickets(&filter),
        },
        Request::Counts { generation, filter } => match store.facet_counts(&filter) {
            Ok(counts) => Response::Counts { generation, counts },
            Err(e) => failed(e),
        },
        Request::CustomerTickets { ticket, customer } => Response::CustomerTickets {
            ticket,
            page: store.list_tickets(&ListRequest {
                filter: TicketFilter {
                    customer: Some(customer),
                    ..TicketFilter::default()
                },
                sort: Sort::default(),
                offset: 0,
                limit: OTHER_TICKETS + 1,
                anchor: None,
            }),
        },
        Request::LastActivity { ticket, updated } => Response::LastActivity {
            ticket,
            updated,
            entry: store
                .load_ticket(ticket)
                .map(|detail| detail.activity.into_iter().next()),
        },
        Request::SharedViews => Response::SharedViews(store.shared_views()),
        Request::CannedReplies => Response::CannedReplies(store.canned_replies()),
        Request::EditCanned { actor, edit } => {
            let result = match &edit {
                CannedEdit::Add(reply) => store.add_canned_reply(actor, reply).map(Some),
                CannedEdit::Update(id, reply) => {
                    store.update_canned_reply(actor, *id, reply).map(|()| None)
                }
                CannedEdit::Delete(id) => store.delete_canned_reply(actor, *id).map(|()| None),
            };
            Response::CannedEdited { edit, result }
        }
        Request::CannedUsage { generation, choice } => Response::CannedUsage {
            generation,
            result: Period::resolve(choice, store.clock().now(), &chrono::Local)
                .map_err(Failure::from)
                .and_then(|period| store.canned_usage(&period).map_err(Failure::from)),
        },
        Request::SlaPolicy => Response::SlaPolicy(store.sla_policy().map(Box::new)),
        Request::SetSlaPolicy { actor, policy } => {
            Response::SlaPolicySaved(store.set_sla_policy(actor, &policy).map(|()| policy))
        }
        Request::EditSharedView { actor, edit } => {
            let result = match &edit {
                SharedEdit::Share(view) => store.share_view(actor, view).map(Some),
                SharedEdit::Update(id, view) => {
                    store.update_shared_view(actor, *id, view).map(|()| None)
                }
                SharedEdit::Rename(id, name) => {
                    store.rename_shared_view(actor, *id, name).map(|()| None)
                }
                SharedEdit::Swap(a, b) => store.swap_shared_views(actor, *a, *b).map(|()| None),
                SharedEdit::Delete(id) => store.delete_shared_view(actor, *id).map(|()| None),
            };
            Response::SharedViewEdited { edit, result }
        }
        Request::Stamps { asked, request } => Response::Stamps {
            asked,
            stamps: store.list_stamps(&request),
        },
        Request::ViewCounts {
            generation,
            filters,
            unread_of,
        } => Response::ViewCounts {
            generation,
            counts: store.view_counts(&filters),
            // A count beside the view; a failure leaves it out.
            unread: unread_of.and_then(|(agent, filter)| {
                let mine = store
                    .list_numbers(&ListRequest::all(&filter, Sort::default()))
                    .ok()?;
                store
                    .unread_among(agent, &mine)
                    .ok()
                    .map(|u| u.len() as u64)
            }),
        },
        Request::Unread {
            generation,
            agent,
            numbers,
        } => Response::Unread {
            generation,
            unread: store.unread_among(agent, &numbers),
            asked: numbers,
        },
        // Not a change of the agent's: a failure (a read-only file, a
        // server out of reach) is only logged; the mark stays until later.
        Request::MarkRead { agent, ticket } => {
            if let Err(e) = store.mark_read(agent, ticket) {
                eprintln!("tickets: {ticket} could not be marked as read: {e}");
            }
            return None;
        }
        Request::Load(ticket) => Response::Ticket(ticket, store.load_ticket(ticket).map(Box::new)),
        Request::MergeCandidate(ticket) => {
            Response::MergeCandidate(ticket, store.load_ticket(ticket).map(Box::new))
        }
        Request::Merge {
            actor,
            keep,
            others,
        } => Response::Merged {
            keep: keep.0,
            result: store.merge(actor, keep, &others),
            others: others.into_iter().map(|(n, _)| n).collect(),
        },
        Request::Create { actor, ticket } => Response::Created(store.create_ticket(actor, &ticket)),
        Request::Change {
            actor,
            ticket,
            change,
        } => Response::Changed {
            ticket,
            result: apply(store, actor, ticket, &change),
            change,
        },
        Request::People => people(store),
        Request::FindCustomers { asker, query } => match store.find_customers(&query, 20) {
            Ok(found) => Response::Customers {
                asker,
                query,
                found,
            },
            Err(e) => people_failed(asker, e),
        },
        Request::Customer { asker, id } => match store.customer(id) {
            Ok(customer) => Response::Customer { asker, customer },
            Err(e) => people_failed(asker, e),
        },
        Request::AddCustomer { asker, customer } => match store
            .add_customer(&customer)
            .and_then(|id: CustomerId| store.customer(id))
        {
            Ok(customer) => Response::CustomerAdded { asker, customer },
            Err(e) => people_failed(asker, e),
        },
        Request::AddAgent { asker, name, email } => match store.add_agent(&name, &email) {
            Ok(id) => Response::AgentAdded { asker, id },
            Err(e) => people_failed(asker, e),
        },
        Request::UpdateAgent { id, name, email } => match store.update_agent(id, &name, &email) {
            Ok(()) => Response::AgentSaved(id),
            Err(e) => people_failed(Asker::People, e),
        },
        Request::SetAgentActive { id, active } => match store.set_agent_active(id, active) {
            Ok(()) => people(store),
            Err(e) => people_failed(Asker::People, e),
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
            Err(e) => people_failed(Asker::People, e),
        },
        // The store keeps saying it (see `Store::set_presence`); a server
        // that is away hears it once back.
        Request::Presence(at) => match store.set_presence(at) {
            Ok(()) | Err(StoreError::ServerUnreachable { .. }) => return None,
            Err(e) => failed(e),
        },
        Request::Seed { tickets, task } => {
            let seed = fastrand::u64(..);
            let result = generate(store, SeedOptions { tickets, seed }, |done, total| {
                task.progress(done, total)
            });
            task.finish(match result {
                Ok(summary) => Ok(Done::Seeded(summary.tickets)),
                Err(StoreError::Cancelled) => Err(Failure::Cancelled),
                Err(e) => Err(e.into()),
            });
            // The list and counts changed (or not): the window asks again
            // when it hears the job ended.
            return None;
        }
    })
}

/// Backups are written on their own thread ("tickets-backup") with their own
/// connection: copying a large file takes seconds, and the worker keeps
/// answering meanwhile (in write-ahead-log mode the copy's read holds up
/// neither the worker's reads nor its writes). One at a time: the window's
/// task registry refuses a second.
struct BackupThread {
    location: Location,
    clock: Arc<dyn Clock>,
    running: Option<JoinHandle<()>>,
}

impl BackupThread {
    /// Starts the day's automatic backup (made only if none was made today)
    /// or one asked for now; the job hears of progress and the outcome.
    fn start(&mut self, automatic: bool, task: TaskHandle) {
        if let Some(previous) = self.running.take()
            && previous.join().is_err()
        {
            eprintln!("tickets: the backup thread had failed");
        }
        let (location, clock) = (self.location.clone(), self.clock.clone());
        let spawned = std::thread::Builder::new()
            .name("tickets-backup".to_owned())
            .spawn(move || {
                let made = if automatic {
                    // Most days the backup is made already: look at the
                    // folder before opening the database a second time.
                    location
                        .backup_due(clock.now(), &chrono::Local)
                        .and_then(|due| {
                            if !due {
                                return Ok(Done::BackupNotDue);
                            }
                            let store = Store::open_at(&location, clock)?;
                            // A database that holds nothing yet is not
                            // backed up (a first start has nothing to lose).
                            let made =
                                store.backup_if_due(&chrono::Local, &mut |done, total| {
                                    task.progress(done, total);
                                })?;
                            Ok(made.map_or(Done::BackupNotDue, |made| Done::Backup(made.path)))
                        })
                } else {
                    Store::open_at(&location, clock).and_then(|s| {
                        let made = s.backup_now(&mut |done, total| {
                            task.progress(done, total);
                        })?;
                        Ok(Done::Backup(made.path))
                    })
                };
                task.finish(made.map_err(Failure::from));
            });
        match spawned {
            Ok(thread) => self.running = Some(thread),
            // The job, dropped with the closure, ends as stopped; say why.
            Err(e) => eprintln!("tickets: the backup thread could not be started: {e}"),
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
        (Err(e), _) | (_, Err(e)) => Response::Failed(e.into()),
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
        Err(error) => Response::PeopleFailed {
            asker: Asker::People,
            error,
        },
    }
}

/// A first page's search for a ticket number that was merged: that
/// number and the ticket it went into (a failure to say is no failure of
/// the page).
fn merged_search(store: &Store, request: &ListRequest) -> Option<(TicketNumber, TicketNumber)> {
    if request.offset != 0 || request.anchor.is_some() {
        return None;
    }
    let number = crate::domain::parse_ticket_number(&request.filter.text)?;
    let kept = store.merged_into(number).ok().flatten()?;
    Some((number, kept))
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
        Change::Message {
            direction, text, ..
        } => store
            .add_message(actor, ticket, *direction, text)
            .map(|_| ()),
        Change::Canned {
            version,
            canned,
            apply,
            written,
            ..
        } => store.use_canned_reply(actor, ticket, *version, *canned, *apply, written),
        Change::Link { other, kind } => store.link(actor, ticket, *other, *kind),
        Change::Unlink {
            other,
            kind,
            outgoing: true,
        } => store.unlink(actor, ticket, *other, *kind),
        Change::Unlink { other, kind, .. } => store.unlink(actor, *other, ticket, *kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::{ListRequest, TicketFilter};

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
