//! What the window and the store's worker say to each other: the window
//! sends a [`Request`], the worker answers with a [`Response`]. Errors cross
//! typed, so the window decides once how each is shown; answers that belong
//! to one asker (the New Ticket form, the People window, the "who are you"
//! dialog) carry an [`Asker`] tag and go back to it.

use std::path::PathBuf;

pub use super::super::failure::Failure;
use crate::analytics::{CannedUse, PeriodChoice, Report};
use crate::domain::canned::{CannedReply, Written};
use crate::domain::{
    Agent, AgentId, Customer, CustomerId, Direction, Doing, LinkKind, MergeCounts, NewCustomer,
    NewTicket, NoteId, Presence, Priority, Status, Tag, TagId, TicketDetail, TicketNumber,
};
use crate::store::erase::ErasedSummary;
use crate::store::{BackupFile, ListRequest, StoreError, TicketFilter, TicketPage};

use super::super::tasks::TaskHandle;

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
        /// The status to set once it is sent ("Send and set Waiting"), as
        /// a change of its own.
        then: Option<Status>,
    },
    /// Send a reply or add a note written with a canned reply: records
    /// which reply and, where `apply`, sets its status and adds its tags,
    /// all in one transaction.
    Canned {
        /// The version the agent was looking at.
        version: i64,
        /// The canned reply's id.
        canned: i64,
        /// Whether its status and tags are applied too.
        apply: bool,
        /// The reply or note, as typed.
        written: Written,
        /// The status to set once it is sent ("Send and set Waiting"), as
        /// a change of its own.
        then: Option<Status>,
    },
    /// Link the ticket to another: related, or a duplicate of it.
    Link {
        /// The other ticket.
        other: TicketNumber,
        /// What the link says.
        kind: LinkKind,
    },
    /// Remove a link to another ticket.
    Unlink {
        /// The other ticket.
        other: TicketNumber,
        /// What the link says.
        kind: LinkKind,
        /// Whether this ticket is the link's first (the duplicate).
        outgoing: bool,
    },
}

/// A change to the team's canned replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CannedEdit {
    /// Add a reply to the library.
    Add(CannedReply),
    /// Replace a reply.
    Update(i64, CannedReply),
    /// Delete a reply.
    Delete(i64),
}

/// A change to the team's shared views.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SharedEdit {
    /// Share the filters and sort in force under a name.
    Share(crate::store::views::SavedView),
    /// Replace a view's filter and sort.
    Update(i64, crate::store::views::SavedView),
    /// Rename a view.
    Rename(i64, String),
    /// Exchange two views' places.
    Swap(i64, i64),
    /// Delete a view.
    Delete(i64),
}

/// What a saved change can alter besides the ticket itself, so that the
/// window asks again only for that.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Alters {
    /// The list's rows (a column shown, or what the filters match).
    pub list: bool,
    /// The sidebar's counts.
    pub counts: bool,
    /// The tags known (a new tag).
    pub tags: bool,
    /// The analytics figures.
    pub report: bool,
}

impl Change {
    /// The ticket version a field edit is made against (an edit moves it
    /// on by one); `None` for a change that needs no version.
    pub fn version(&self) -> Option<i64> {
        match self {
            Change::Status { version, .. }
            | Change::Priority { version, .. }
            | Change::Description { version, .. }
            | Change::Csat { version, .. } => Some(*version),
            _ => None,
        }
    }

    /// What saving this change can alter.
    pub fn alters(&self) -> Alters {
        let everything = Alters {
            list: true,
            counts: true,
            tags: false,
            report: true,
        };
        match self {
            Change::Status { .. } | Change::Priority { .. } => everything,
            // Names in the Assignee column; who handled what.
            Change::Assign(_) | Change::Unassign(_) => everything,
            Change::AddTag(_) | Change::Canned { .. } => Alters {
                tags: true,
                ..everything
            },
            Change::RemoveTag(_) => everything,
            Change::Csat { .. } => Alters {
                list: false,
                counts: false,
                ..everything
            },
            // A reply can be a first response; the list shows no messages.
            Change::Message { .. } => Alters {
                list: false,
                counts: false,
                ..everything
            },
            // Descriptions, notes and links show in the panel only.
            Change::Link { .. }
            | Change::Unlink { .. }
            | Change::Description { .. }
            | Change::AddNote(_)
            | Change::EditNote { .. }
            | Change::DeleteNote(_) => Alters::default(),
        }
    }
}

/// Who asked, for answers that belong to one place in the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asker {
    /// The New Ticket form.
    NewTicket,
    /// The Customers and agents window.
    People,
    /// The "Who is using Tickets?" dialog.
    WhoAreYou,
    /// The list's chip naming a customer filter.
    CustomerChip,
}

/// What the window asks of the store.
#[derive(Debug)]
pub enum Request {
    /// The backups beside the database, newest first (answered even when the
    /// database could not be opened).
    ListBackups,
    /// Write a backup now (or, `automatic`, the day's backup unless one was
    /// made today), on the backup thread.
    Backup {
        /// The day's automatic backup rather than one asked for.
        automatic: bool,
        /// The job, for progress and its outcome.
        task: TaskHandle,
    },
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
    /// The exact total of the list under a filter, asked once its first
    /// page came without it.
    Total {
        /// Which list this total belongs to.
        generation: u64,
        /// The filter in force.
        filter: TicketFilter,
    },
    /// Live counts for the sidebar under a filter.
    Counts {
        /// Which filter these are for.
        generation: u64,
        /// The filter in force.
        filter: TicketFilter,
    },
    /// The tickets of a list (or a stretch of it) with their last change,
    /// to pick them for a bulk action.
    Stamps {
        /// The selection's request number.
        asked: u64,
        /// The list, and which stretch of it.
        request: ListRequest,
    },
    /// A customer's newest tickets, for the panel of one of them.
    CustomerTickets {
        /// The ticket on show.
        ticket: TicketNumber,
        /// Its customer.
        customer: CustomerId,
    },
    /// A ticket's newest trail entry, for its row's tooltip.
    LastActivity {
        /// The ticket.
        ticket: TicketNumber,
        /// Its last change as its row shows it.
        updated: chrono::DateTime<chrono::Utc>,
    },
    /// The views shared with the team.
    SharedViews,
    /// The team's service-level policy.
    SlaPolicy,
    /// Replace the team's service-level policy.
    SetSlaPolicy {
        /// Who.
        actor: AgentId,
        /// The new policy.
        policy: Box<crate::domain::sla::SlaPolicy>,
    },
    /// The team's canned replies.
    CannedReplies,
    /// Add, change or delete a canned reply.
    EditCanned {
        /// Who.
        actor: AgentId,
        /// What.
        edit: CannedEdit,
    },
    /// How often each canned reply was used in a period.
    CannedUsage {
        /// The report it goes with (the analytics window's ask).
        generation: u64,
        /// The period.
        choice: PeriodChoice,
    },
    /// Share, change, rename, move or delete a shared view.
    EditSharedView {
        /// Who.
        actor: AgentId,
        /// What.
        edit: SharedEdit,
    },
    /// Every view's count, together.
    ViewCounts {
        /// Which request this is (only the newest is answered).
        generation: u64,
        /// Each view's filter.
        filters: Vec<TicketFilter>,
        /// The agent using the app and their open tickets' filter: how
        /// many of those changed since they last opened them.
        unread_of: Option<(AgentId, TicketFilter)>,
    },
    /// Which of a page's tickets changed for the agent since they last
    /// opened them.
    Unread {
        /// The list the page belongs to.
        generation: u64,
        /// The agent.
        agent: AgentId,
        /// The page's tickets.
        numbers: Vec<TicketNumber>,
    },
    /// The agent has this ticket open: its unread mark goes.
    MarkRead {
        /// The agent.
        agent: AgentId,
        /// The ticket.
        ticket: TicketNumber,
    },
    /// Everything about one ticket.
    Load(TicketNumber),
    /// A ticket the merge dialog names, with everything a merge would move.
    MergeCandidate(TicketNumber),
    /// Merge tickets into one, each at the version the agent saw.
    Merge {
        /// Who merges.
        actor: AgentId,
        /// The ticket kept.
        keep: (TicketNumber, i64),
        /// The tickets merged into it.
        others: Vec<(TicketNumber, i64)>,
    },
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
    FindCustomers {
        /// Who asks.
        asker: Asker,
        /// What was typed.
        query: String,
    },
    /// One customer, by id.
    Customer {
        /// Who asks.
        asker: Asker,
        /// Which.
        id: CustomerId,
    },
    /// Add a customer.
    AddCustomer {
        /// Who asks.
        asker: Asker,
        /// The fields.
        customer: NewCustomer,
    },
    /// Add an agent.
    AddAgent {
        /// Who asks.
        asker: Asker,
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
    /// Tell the other desks of a team server which ticket is open here
    /// and what the agent is doing there (`None`: no ticket).
    Presence(Option<(TicketNumber, Doing)>),
    /// Fill the empty database with sample data.
    Seed {
        /// How many tickets.
        tickets: u64,
        /// The job, for progress and its outcome.
        task: TaskHandle,
    },
}

/// The counts beside the sidebar's choices: the store's facet counts.
pub use crate::store::FacetCounts as Counts;

/// What the store answered.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // Responses are few and short-lived.
pub enum Response {
    /// The database is open; on a team's server, as this agent (who every
    /// change is made as).
    Opened(Option<Agent>),
    /// The database could not be opened.
    OpenFailed(StoreError),
    /// The backups beside the database, newest first, or why they could not be listed.
    Backups(Result<Vec<BackupFile>, StoreError>),
    /// A backup was put in place of the database, which was kept as this
    /// file (if there was one); the database opens next.
    Restored(Option<PathBuf>),
    /// The backup was not restored; nothing was changed.
    RestoreFailed(StoreError),
    /// The analytics of a period, or why they could not be worked out.
    Report {
        /// The ask it answers.
        generation: u64,
        /// The report.
        result: Result<Box<Report>, Failure>,
    },
    /// A page of the list, or why it could not be read.
    Page {
        /// The list it belongs to.
        generation: u64,
        /// What was asked.
        request: ListRequest,
        /// The page.
        page: Result<TicketPage, StoreError>,
        /// On a first page, a ticket number searched for that was merged,
        /// and the ticket it was merged into (listed too).
        merged: Option<(TicketNumber, TicketNumber)>,
    },
    /// The list's exact total, or why it could not be counted.
    Total {
        /// The list it belongs to.
        generation: u64,
        /// The total.
        total: Result<u64, StoreError>,
    },
    /// Sidebar counts for a filter.
    Counts {
        /// The filter they are for.
        generation: u64,
        /// The counts.
        counts: Counts,
    },
    /// The tickets asked for to pick, or why they could not be named.
    Stamps {
        /// The selection's request number.
        asked: u64,
        /// Each ticket and its last change.
        stamps: Result<Vec<(TicketNumber, chrono::DateTime<chrono::Utc>)>, StoreError>,
    },
    /// A customer's newest tickets (and how many they have), or why not.
    CustomerTickets {
        /// The ticket whose panel asked.
        ticket: TicketNumber,
        /// The page.
        page: Result<TicketPage, StoreError>,
    },
    /// A ticket's newest trail entry (`None`: it has none), or why not.
    LastActivity {
        /// The ticket.
        ticket: TicketNumber,
        /// Its last change as its row showed it.
        updated: chrono::DateTime<chrono::Utc>,
        /// The entry.
        entry: Result<Option<crate::domain::ActivityEntry>, StoreError>,
    },
    /// The views shared with the team, or why they could not be read.
    SharedViews(Result<Vec<crate::store::views::SharedView>, StoreError>),
    /// The team's canned replies, or why they could not be read.
    CannedReplies(Result<Vec<CannedReply>, StoreError>),
    /// A canned reply was edited (with the new reply's id when added), or
    /// why not (what was typed stays).
    CannedEdited {
        /// What was asked.
        edit: CannedEdit,
        /// The outcome.
        result: Result<Option<i64>, StoreError>,
    },
    /// How often each canned reply was used in a period, or why not.
    CannedUsage {
        /// The report it goes with.
        generation: u64,
        /// The uses, most first.
        result: Result<Vec<CannedUse>, Failure>,
    },
    /// The team's service-level policy, or why it could not be read.
    SlaPolicy(Result<Box<crate::domain::sla::SlaPolicy>, StoreError>),
    /// The policy was saved (the one asked for), or why not.
    SlaPolicySaved(Result<Box<crate::domain::sla::SlaPolicy>, StoreError>),
    /// A shared view was edited (with the new view's id when shared), or
    /// why not.
    SharedViewEdited {
        /// What was asked.
        edit: SharedEdit,
        /// The outcome.
        result: Result<Option<i64>, StoreError>,
    },
    /// Every view's count, in the order asked, or why not.
    ViewCounts {
        /// The request they answer.
        generation: u64,
        /// The counts.
        counts: Result<Vec<u64>, StoreError>,
        /// How many of the agent's open tickets changed since they last
        /// opened them, where asked.
        unread: Option<u64>,
    },
    /// A page's tickets changed for the agent since they last opened them.
    Unread {
        /// The list the page belongs to.
        generation: u64,
        /// The tickets asked about.
        asked: Vec<TicketNumber>,
        /// Those unread.
        unread: Result<Vec<TicketNumber>, StoreError>,
    },
    /// One ticket, loaded, or why not.
    Ticket(TicketNumber, Result<Box<TicketDetail>, StoreError>),
    /// A ticket the merge dialog asked for, or why it could not be read.
    MergeCandidate(TicketNumber, Result<Box<TicketDetail>, StoreError>),
    /// Tickets were merged (what moved), or why not (nothing changed).
    Merged {
        /// The ticket kept.
        keep: TicketNumber,
        /// The tickets merged into it.
        others: Vec<TicketNumber>,
        /// What moved.
        result: Result<MergeCounts, StoreError>,
    },
    /// A ticket was raised, or why not (the form keeps what was typed).
    Created(Result<TicketNumber, StoreError>),
    /// A change was saved, or why not (what was typed stays).
    Changed {
        /// The ticket.
        ticket: TicketNumber,
        /// The change, as asked.
        change: Change,
        /// Whether it was saved.
        result: Result<(), StoreError>,
    },
    /// Agents and tags.
    People {
        /// Every agent.
        agents: Vec<Agent>,
        /// Every tag.
        tags: Vec<Tag>,
    },
    /// Customers matching a search.
    Customers {
        /// Who asked.
        asker: Asker,
        /// What was typed.
        query: String,
        /// Who matched.
        found: Vec<Customer>,
    },
    /// A customer, as asked for by id.
    Customer {
        /// Who asked.
        asker: Asker,
        /// The customer.
        customer: Customer,
    },
    /// A customer was added.
    CustomerAdded {
        /// Who asked.
        asker: Asker,
        /// The customer.
        customer: Customer,
    },
    /// A customer was changed; here as they are now.
    CustomerSaved(Customer),
    /// A customer's personal data was erased.
    CustomerErased {
        /// The customer as they are now.
        customer: Customer,
        /// What was erased.
        summary: ErasedSummary,
    },
    /// An agent was added.
    AgentAdded {
        /// Who asked.
        asker: Asker,
        /// The new agent.
        id: AgentId,
    },
    /// An agent was renamed.
    AgentSaved(AgentId),
    /// A change to an agent or a customer was refused.
    PeopleFailed {
        /// Who asked.
        asker: Asker,
        /// Why.
        error: StoreError,
    },
    /// Another window or process changed the file.
    ExternalChange,
    /// The team's server cannot be reached (why); the worker keeps trying.
    Offline(String),
    /// The team's server answers again; everything on show is read again.
    Online,
    /// The other agents at tickets now (sent when it may have changed).
    Presence(Vec<Presence>),
    /// Something went wrong that belongs to no form (sent once, not again
    /// while it stays the same).
    Failed(Failure),
}
