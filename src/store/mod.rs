//! The ticket store: where tickets, people and the activity trail are kept,
//! and every change to them.
//!
//! The rest of the program (the window, analytics, exports, the command
//! line) talks to [`Store`] and nothing under it. `Store` is a façade over
//! the engines that can keep a help desk: today the SQLite file of one
//! agent's desk ([`sqlite::FileStore`]); a team's server stands beside it
//! next. An enum rather than a trait object: the engines are a closed set
//! this crate owns, several calls are generic (time zones) or hand out
//! borrowed callbacks, which a trait object cannot carry, and a `match`
//! makes each engine's answer to a call (or its refusal, as for backups of a
//! server) explicit in one place.
//!
//! - [`Location`]: where a store is (a file today).
//! - [`filter`]: what the list is asked for and what comes back.
//! - [`StoreError`]: every way a store call can fail, in sentences.
//! - [`BulkSink`]: rows written many at a time (sample data), through
//!   [`Store::bulk_load`].
//! - [`Store::bulk_apply`]: one change asked of many tickets (bulk actions),
//!   each in its own transaction; [`BulkFailed`] when a run stops on a failure.
//!
//! SQL, and `rusqlite`, live under `sqlite/` and nowhere else.

mod batch;
mod bulk;
pub mod erase;
mod error;
mod export_read;
mod figures;
mod filter;
pub mod import;
mod merge;
mod search;
pub mod server;
pub mod sla;
pub mod sqlite;
mod trail;
pub mod transfer;
pub mod views;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;

use crate::analytics::{Period, Report, Scope};
use crate::clock::Clock;
use crate::domain::{
    Agent, AgentId, BulkItem, BulkOutcome, Customer, CustomerId, Direction, LinkKind, MergeCounts,
    MessageId, NewCustomer, NewTicket, NoteId, Priority, Status, Tag, TagId, TicketDetail,
    TicketNumber, TicketRow,
};

pub use batch::BulkFailed;
pub use bulk::{BulkSink, FinalTicket};
pub use erase::ErasedSummary;
pub use error::StoreError;
pub use export_read::{ExportCustomer, ExportMessage, ExportTicket};
pub use filter::{
    Anchor, ListKey, ListRequest, Sort, SortColumn, SortValue, TicketFilter, TicketPage,
};
pub use sqlite::backup::{
    BACKUPS_KEPT, BackupFile, BackupKind, backup_due, list_backups, restore_backup, verify_backup,
};
pub use sqlite::schema;
pub use sqlite::{allow_network_drives, fts_query};

/// Where a store is: what the window opens and remembers, and the command
/// line's `--db` names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// A database file on this computer.
    File(PathBuf),
    /// A team's PostgreSQL database: the `postgres://` URL (or libpq
    /// `key=value` string) that names it.
    Server(String),
}

impl Location {
    /// The file, for a file.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Server(_) => None,
        }
    }

    /// What `--db` names: a `postgres://` or `postgresql://` URL is a team's
    /// server, anything else a file.
    pub fn parse(text: &str) -> Location {
        let lower = text.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Server(text.trim().to_owned())
        } else {
            Location::File(PathBuf::from(text))
        }
    }

    /// The key its remembered settings are kept under.
    pub fn key(&self) -> String {
        match self {
            Location::File(path) => path.to_string_lossy().into_owned(),
            Location::Server(url) => server::redact(url),
        }
    }
}

impl fmt::Display for Location {
    /// As the window names it: the file's path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Server(url) => write!(f, "{}", server::name_of(url)),
        }
    }
}

/// What a location keeps beside the store: backups, for a file. Each call
/// is refused with a sentence where a location keeps none.
impl Location {
    /// The folder the window's file dialogs start in: the file's own.
    pub fn folder(&self) -> Option<PathBuf> {
        self.file().and_then(Path::parent).map(Path::to_path_buf)
    }

    /// The backups kept beside it, newest first ([`list_backups`]).
    pub fn backups(&self) -> Result<Vec<BackupFile>, StoreError> {
        match self {
            Location::File(path) => list_backups(path),
            Location::Server(_) => Err(server_keeps_backups()),
        }
    }

    /// Whether its day's automatic backup is due ([`backup_due`]).
    pub fn backup_due<Tz: TimeZone>(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        zone: &Tz,
    ) -> Result<bool, StoreError> {
        match self {
            Location::File(path) => backup_due(path, now, zone),
            Location::Server(_) => Ok(false),
        }
    }

    /// Puts the backup at `backup` in its place ([`restore_backup`]); the
    /// file it replaced is kept and returned.
    pub fn restore(
        &self,
        backup: &Path,
        clock: &dyn Clock,
    ) -> Result<Option<BackupFile>, StoreError> {
        match self {
            Location::File(path) => restore_backup(path, backup, clock),
            Location::Server(_) => Err(server_keeps_backups()),
        }
    }
}

/// `bytes` with each `%XX` escape (as in URLs and SQLite's `file:` URIs)
/// replaced by the byte it stands for; a `%` not followed by two hex digits
/// stays as it is.
pub(crate) fn percent_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Why a team's server keeps no backups beside it, and what does.
pub fn server_keeps_backups() -> StoreError {
    StoreError::Unsupported(
        "a team server's backups are the server's: its admin makes them with `pg_dump` (and restores them with `pg_restore`) or keeps continuous archiving for point-in-time recovery; see docs/TEAM.md".to_owned(),
    )
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::File(path)
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::File(path.clone())
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::File(path.to_path_buf())
    }
}

/// What a caller last saw of the store's changes: give it back to
/// [`Store::changes_since`] to hear whether anyone else changed it since.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeToken(i64);

/// The engine behind a store. One per store, held for the store's life:
/// the variants' sizes differing costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
enum Engine {
    /// A SQLite file.
    File(sqlite::FileStore),
    /// A team's PostgreSQL server.
    Server(server::ServerStore),
}

/// An open store, on whichever engine keeps it.
pub struct Store {
    engine: Engine,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.engine {
            Engine::File(db) => db.fmt(f),
            Engine::Server(db) => db.fmt(f),
        }
    }
}

/// Writes the façade's reading calls: each is the engine's own, by name.
macro_rules! reads {
    ($(
        $(#[$doc:meta])*
        fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;
    )*) => {$(
        $(#[$doc])*
        pub fn $name(&self $(, $arg: $ty)*) -> $ret {
            match &self.engine {
                Engine::File(db) => db.$name($($arg),*),
                Engine::Server(db) => db.$name($($arg),*),
            }
        }
    )*};
}

/// Writes the façade's changing calls: each is the engine's own, by name.
macro_rules! writes {
    ($(
        $(#[$doc:meta])*
        fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty;
    )*) => {$(
        $(#[$doc])*
        pub fn $name(&mut self $(, $arg: $ty)*) -> $ret {
            match &mut self.engine {
                Engine::File(db) => db.$name($($arg),*),
                Engine::Server(db) => db.$name($($arg),*),
            }
        }
    )*};
}

impl Store {
    /// Opens the Tickets database file at `path`, creating it if there is no
    /// file there. A file that is not a Tickets database, or one written by a
    /// newer version, is refused before anything is written to it; an older
    /// one is upgraded one schema version at a time. A file on a network
    /// drive is refused unless [`allow_network_drives`] was called.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        Ok(Store {
            engine: Engine::File(sqlite::FileStore::open(path, clock)?),
        })
    }

    /// Opens the file at `path` as [`Store::open`] opens one on a network
    /// drive when allowed, wherever it is: for this store alone, which
    /// holds an exclusive lock on it until it is dropped. For tests, which
    /// have no network drive.
    #[doc(hidden)]
    pub fn open_for_one(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
    ) -> Result<Store, StoreError> {
        Ok(Store {
            engine: Engine::File(sqlite::FileStore::open_shared(
                path.as_ref(),
                clock,
                sqlite::Sharing::OneAtATime,
            )?),
        })
    }

    /// Opens the store at `location`, creating it if it is a file not there yet.
    pub fn open_at(location: &Location, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        match location {
            Location::File(path) => Store::open(path, clock),
            Location::Server(url) => Store::connect(url, clock),
        }
    }

    /// Opens an existing database for reading only: nothing is created or
    /// changed, and a missing or empty file is refused with a sentence.
    pub fn open_existing(location: &Location, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        match location {
            Location::File(path) => Ok(Store {
                engine: Engine::File(sqlite::FileStore::open_existing(path, clock)?),
            }),
            Location::Server(url) => Store::connect(url, clock),
        }
    }

    /// Connects to a team's server as the agent the URL's login is.
    pub fn connect(url: &str, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        Ok(Store {
            engine: Engine::Server(server::ServerStore::open(url, clock)?),
        })
    }

    /// On a team's server, the agent signed in: who every change is made
    /// as. `None` on a file, where the window's "You:" picker chooses.
    pub fn signed_in(&self) -> Option<&Agent> {
        match &self.engine {
            Engine::File(_) => None,
            Engine::Server(db) => Some(db.me()),
        }
    }

    /// A database kept only in memory (for tests and trials).
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        Ok(Store {
            engine: Engine::File(sqlite::FileStore::open_in_memory(clock)?),
        })
    }

    /// Where this store is.
    pub fn location(&self) -> Location {
        match &self.engine {
            Engine::File(db) => Location::File(db.path().to_path_buf()),
            Engine::Server(db) => Location::Server(db.url().to_owned()),
        }
    }

    /// The database file, for a store kept in one.
    pub fn path(&self) -> Option<&Path> {
        match &self.engine {
            Engine::File(db) => Some(db.path()),
            Engine::Server(_) => None,
        }
    }

    /// The clock the store stamps changes with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        match &self.engine {
            Engine::File(db) => db.clock(),
            Engine::Server(db) => db.clock(),
        }
    }

    /// Whether anyone else (another window, another program) changed the
    /// store since `token`, which is moved on to now. A fresh token has seen
    /// nothing yet: the first call says whether there is anything new since
    /// the store was opened.
    pub fn changes_since(&self, token: &mut ChangeToken) -> Result<bool, StoreError> {
        let now = match &self.engine {
            Engine::File(db) => db.data_version()?,
            Engine::Server(db) => db.data_version()?,
        };
        let changed = token.0 != 0 && token.0 != now;
        token.0 = now;
        Ok(changed)
    }

    /// Says which ticket this desk has open (`None`: none) and what its
    /// agent is doing there, for the other desks of a team server to show.
    /// A file has no other desks: nothing to say.
    pub fn set_presence(
        &self,
        at: Option<(TicketNumber, crate::domain::Doing)>,
    ) -> Result<(), StoreError> {
        match &self.engine {
            Engine::File(_) => Ok(()),
            Engine::Server(db) => db.set_presence(at),
        }
    }

    /// The other agents at tickets now (on a file, nobody).
    pub fn presence(&self) -> Result<Vec<crate::domain::Presence>, StoreError> {
        match &self.engine {
            Engine::File(_) => Ok(Vec::new()),
            Engine::Server(db) => db.presence(),
        }
    }

    /// Whether [`Store::presence`] may have changed since this was last
    /// asked: another desk said where it is, or the connection was made
    /// again. Heard with [`Store::changes_since`].
    pub fn presence_news(&self) -> bool {
        match &self.engine {
            Engine::File(_) => false,
            Engine::Server(db) => db.presence_news(),
        }
    }

    /// How many tickets each filter lets through (a view's count beside
    /// its name), in the filters' order.
    pub fn view_counts(&self, filters: &[TicketFilter]) -> Result<Vec<u64>, StoreError> {
        match &self.engine {
            Engine::File(_) => filters.iter().map(|f| self.count_tickets(f)).collect(),
            Engine::Server(db) => db.view_counts(filters),
        }
    }

    /// Writes a backup of the database now, keeping the newest
    /// [`BACKUPS_KEPT`]. `progress` hears (done, total) as the copy goes.
    pub fn backup_now(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<BackupFile, StoreError> {
        match &self.engine {
            Engine::File(db) => db.backup_now(progress),
            Engine::Server(_) => Err(server_keeps_backups()),
        }
    }

    /// Writes the day's backup unless one was made today (in `zone`), or
    /// the database holds nothing yet. `progress` hears (done, total).
    pub fn backup_if_due<Tz: TimeZone>(
        &self,
        zone: &Tz,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Option<BackupFile>, StoreError> {
        match &self.engine {
            Engine::File(db) => db.backup_if_due(zone, progress),
            Engine::Server(_) => Ok(None),
        }
    }

    /// Runs `load` as one bulk load: it writes rows straight into the store
    /// through the engine's [`BulkSink`], and everything it writes is
    /// committed together when it returns `Ok`, or nothing is when it
    /// returns an error (a cancelled load leaves the store as it was).
    /// Nothing is checked or derived for it (see [`BulkSink`]); meant for
    /// sample data going into an empty store. Afterwards, [`Store::analyze`].
    pub fn bulk_load<T>(
        &mut self,
        load: impl FnOnce(&mut dyn BulkSink) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &mut self.engine {
            Engine::File(db) => db.bulk_load(|sink| load(sink)),
            Engine::Server(db) => Err(StoreError::Unsupported(format!(
                "{} is a team server: sample data goes into a desk's file, which `tickets server import` then moves in",
                db.server()
            ))),
        }
    }

    /// Fills this database, which must hold nothing yet, with every row of
    /// `source` as it is (a file of everything another desk held: see
    /// [`crate::export::everything`]), in one transaction; `progress` hears
    /// (rows done, rows in all) and cancels by returning `false`, leaving
    /// the database as it was. A team server is filled by its owner
    /// instead ([`server::TeamAdmin::import`]).
    pub fn restore(
        &mut self,
        source: &dyn transfer::RowSource,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Vec<(&'static str, u64)>, StoreError> {
        match &mut self.engine {
            Engine::File(db) => db.restore(source, progress),
            Engine::Server(db) => Err(StoreError::Unsupported(format!(
                "{} is a team server: everything goes into it through its owner's login (`tickets import FILE --db URL` as the owner), and nothing was changed",
                db.server()
            ))),
        }
    }

    /// Runs `read` on one snapshot of the store: every read in it sees the
    /// same data, whatever is committed meanwhile (a report and its ticket
    /// rows agree; an export is one moment of the desk).
    pub fn snapshot<T, E: From<StoreError>>(
        &self,
        read: impl FnOnce(&Snapshot<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        match &self.engine {
            Engine::File(db) => db.snapshot(|s| read(&Snapshot::File(s))),
            Engine::Server(db) => db.snapshot(|s| read(&Snapshot::Server(s))),
        }
    }

    /// Runs a bulk action: each of `items` changed in its own transaction,
    /// through the same code as its single change (`set_status`, `assign`,
    /// `add_tag`, `add_note`…), with its own activity entry, marked in the
    /// trail as part of this run ("… (bulk change of 240 tickets)").
    ///
    /// - A ticket whose last change is no longer [`BulkItem::seen`] (someone
    ///   changed it since it was selected) is skipped, nothing written:
    ///   [`BulkResult::Conflict`](crate::domain::BulkResult::Conflict).
    /// - One already so is [`Unchanged`](crate::domain::BulkResult::Unchanged):
    ///   no write, no entry.
    /// - What the single change would refuse (the ticket gone, an inactive
    ///   agent, a note too long) is
    ///   [`Refused`](crate::domain::BulkResult::Refused), with its sentence; the
    ///   run goes on.
    ///
    /// `description` names the run (the window's
    /// [`BulkChange::label`](crate::domain::BulkChange::label)); it is kept
    /// with the batch, so it should not quote a note's text. `progress` hears
    /// (done, total) after each ticket; when it returns `false` the run stops
    /// there, marked [`BulkOutcome::cancelled`], and what was done stays done.
    /// On a team server every change is made as the agent signed in (`actor`
    /// must be them), and the other desks hear of the run as it goes (a few
    /// times a second, not once per ticket) and when it ends.
    ///
    /// A failure of the store itself (the disk full, the server gone) stops
    /// the run: [`BulkFailed`] carries the error and what was done before
    /// it, which stays committed and can still be undone. Meant for a
    /// background thread: a run of 10,000 tickets takes seconds.
    pub fn bulk_apply(
        &mut self,
        actor: AgentId,
        description: &str,
        items: &[BulkItem],
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<BulkOutcome, BulkFailed> {
        self.bulk_run(actor, description, None, items, progress)
    }

    /// Undoes what bulk run `done` changed: each ticket it changed back to
    /// its own old value ([`BulkOutcome::undo_items`]), as a new run of its
    /// own with its own entries, marked as undoing `done`. A ticket changed
    /// since the run (by anyone) is a conflict, left as it is. `description`
    /// names it ("undo: set status to Waiting"); `progress` as for
    /// [`Store::bulk_apply`]. A run that changed nothing is undone by
    /// writing nothing.
    pub fn bulk_undo(
        &mut self,
        actor: AgentId,
        done: &BulkOutcome,
        description: &str,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<BulkOutcome, BulkFailed> {
        let items = done.undo_items();
        self.bulk_run(actor, description, Some(done.batch), &items, progress)
    }

    fn bulk_run(
        &mut self,
        actor: AgentId,
        description: &str,
        undoes: Option<i64>,
        items: &[BulkItem],
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<BulkOutcome, BulkFailed> {
        match &mut self.engine {
            Engine::File(db) => batch::run(db, actor, description, undoes, items, progress),
            Engine::Server(db) => batch::run(db, actor, description, undoes, items, progress),
        }
    }

    reads! {
        /// Every ticket of a list with its last change ([`TicketRow::updated`]),
        /// in the list's order, read in one snapshot without building rows:
        /// "select all 12,408 of this list" for [`Store::bulk_apply`]. Ask
        /// with [`ListRequest::all`] for the whole list (offset and limit
        /// are taken as [`Store::list_numbers`] takes them).
        fn list_stamps(&self, request: &ListRequest) -> Result<Vec<(TicketNumber, chrono::DateTime<chrono::Utc>)>, StoreError>;
        /// How many rows each table of a move holds ([`transfer::TABLES`]).
        fn transfer_counts(&self) -> Result<Vec<u64>, StoreError>;
        /// Every row of every table of a move, in key order, in one snapshot.
        fn transfer_rows(&self, row: &mut transfer::RowSink<'_>) -> Result<(), StoreError>;
        /// The report of `period`, read in one snapshot.
        fn report(&self, period: &Period) -> Result<Report, StoreError>;
        /// The numbers of the tickets behind a scope, ascending.
        fn scope_tickets(&self, scope: &Scope) -> Result<Vec<i64>, StoreError>;
        /// One page of the tickets matching a filter, in order, with the exact total.
        fn list_tickets(&self, request: &ListRequest) -> Result<TicketPage, StoreError>;
        /// One page as the window wants it first: counted only where the
        /// page costs the count anyway (the total follows from
        /// [`Store::count_tickets`]; on a server at a million tickets the
        /// page takes 2 ms, the count 50 to 100).
        fn list_page(&self, request: &ListRequest) -> Result<TicketPage, StoreError>;
        /// The numbers of one page of matching tickets, in order.
        fn list_numbers(&self, request: &ListRequest) -> Result<Vec<TicketNumber>, StoreError>;
        /// How many tickets match a filter.
        fn count_tickets(&self, filter: &TicketFilter) -> Result<u64, StoreError>;
        /// How many tickets match a filter with each status and each priority
        /// in place of its own: the counts beside the sidebar's choices.
        fn facet_counts(&self, filter: &TicketFilter) -> Result<FacetCounts, StoreError>;
        /// The queries a listing runs (the page's, one per part of a read
        /// on from an anchor; the total's), for checking plans.
        fn listing_sql(&self, request: &ListRequest) -> Result<(Vec<String>, String), StoreError>;
        /// List rows for these tickets, in the order given.
        fn rows(&self, numbers: &[TicketNumber]) -> Result<Vec<TicketRow>, StoreError>;
        /// Everything the ticket panel shows about one ticket, in one snapshot.
        fn load_ticket(&self, ticket: TicketNumber) -> Result<TicketDetail, StoreError>;
        /// A customer with their tags.
        fn customer(&self, id: CustomerId) -> Result<Customer, StoreError>;
        /// An agent.
        fn agent(&self, id: AgentId) -> Result<Agent, StoreError>;
        /// Every agent, active or not, by name.
        fn agents(&self) -> Result<Vec<Agent>, StoreError>;
        /// Customers matching what was typed.
        fn find_customers(&self, text: &str, limit: usize) -> Result<Vec<Customer>, StoreError>;
        /// Every tag, by name.
        fn tags(&self) -> Result<Vec<Tag>, StoreError>;
        /// A tag by name (ignoring case).
        fn tag_named(&self, name: &str) -> Result<Option<Tag>, StoreError>;
        /// Refreshes the statistics the query planner uses.
        fn analyze(&self) -> Result<(), StoreError>;
        /// How much memory the store may keep as cache, in KiB.
        fn set_cache_size(&self, kib: u32) -> Result<(), StoreError>;
        /// Caps the file at `pages` pages (tests make the disk fill up).
        fn set_max_page_count(&self, pages: u32) -> Result<u32, StoreError>;
        /// How long a write waits for another's to finish (tests shorten it).
        fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError>;
        /// Which of `numbers` changed for `agent` since they last opened
        /// them: a trail entry by someone else (a customer message recorded,
        /// a note, a status, an assignment) after [`Store::mark_read`]; a
        /// ticket they never opened counts only if it is assigned to them.
        /// In number order.
        fn unread_among(&self, agent: AgentId, numbers: &[TicketNumber]) -> Result<Vec<TicketNumber>, StoreError>;
        /// Every view shared with the team, in their order (position, then
        /// id). One a newer Tickets saved with a filter or sort this version
        /// cannot read is listed all the same, in its place, with the
        /// default filter and sort and a note saying so
        /// ([`views::SharedView::unreadable`]): it can be renamed, moved and
        /// deleted here, and stays whole for the newer Tickets.
        fn shared_views(&self) -> Result<Vec<views::SharedView>, StoreError>;
        /// The team's service-level policy ([`crate::domain::sla`]); where
        /// none was set, one that promises nothing. One saved by a newer
        /// Tickets that this one cannot read is [`StoreError::Unsupported`].
        fn sla_policy(&self) -> Result<crate::domain::sla::SlaPolicy, StoreError>;
        /// The ticket that holds what `ticket` held: the one it was merged
        /// into (following later merges); `None` when it was never merged.
        fn merged_into(&self, ticket: TicketNumber) -> Result<Option<TicketNumber>, StoreError>;
        /// The team's canned replies, by title (ignoring case).
        fn canned_replies(&self) -> Result<Vec<crate::domain::CannedReply>, StoreError>;
        /// How often each canned reply was used in `period` (its trail
        /// entries there), most used first; a reply deleted since is listed
        /// under the title it had.
        fn canned_usage(&self, period: &Period) -> Result<Vec<crate::analytics::CannedUse>, StoreError>;
        /// What importing `batch` (tickets parsed from help desk `source`:
        /// `zendesk`, `freshdesk`, `osticket`, `helpscout` or
        /// `csv:<mapping name>`) would do, writing nothing: per ticket,
        /// whether it would be created, update the ticket imported from its
        /// id before (its number), leave it unchanged, or be refused (the
        /// store's sentence), and which customers and agents it would
        /// create. The same decisions as [`Store::import_batch`], on the
        /// store as it stands; `plan` carries what the dry run's earlier
        /// batches would have made (give every batch of one dry run the
        /// same [`import::ImportPlan`], from `ImportPlan::default()`). A
        /// source id met twice in one dry run is planned as an update the
        /// second time, whether or not it would change anything. See
        /// [`import`] for what an import writes.
        fn import_plan(&self, source: &str, batch: &[crate::domain::ImportedTicket], plan: &mut import::ImportPlan) -> Result<Vec<import::PlannedRow>, StoreError>;
        /// The last source line of import `key` (what the importer makes of
        /// the file's identity) whose batch was committed, while the import
        /// is under way: resume after it. `None` for an import never
        /// started, or finished ([`Store::finish_import`]).
        fn import_checkpoint(&self, key: &str) -> Result<Option<u64>, StoreError>;
    }

    writes! {
        /// Raises a ticket as Open and records who raised it.
        fn create_ticket(&mut self, actor: AgentId, new: &NewTicket) -> Result<TicketNumber, StoreError>;
        /// Moves a ticket to another status.
        fn set_status(&mut self, actor: AgentId, ticket: TicketNumber, expected_version: i64, to: Status) -> Result<(), StoreError>;
        /// Changes a ticket's priority.
        fn set_priority(&mut self, actor: AgentId, ticket: TicketNumber, expected_version: i64, to: Priority) -> Result<(), StoreError>;
        /// Edits a ticket's subject.
        fn set_subject(&mut self, actor: AgentId, ticket: TicketNumber, expected_version: i64, subject: &str) -> Result<(), StoreError>;
        /// Edits a ticket's description.
        fn set_description(&mut self, actor: AgentId, ticket: TicketNumber, expected_version: i64, description: &str) -> Result<(), StoreError>;
        /// Moves a ticket to another customer, or to none.
        fn set_customer(&mut self, actor: AgentId, ticket: TicketNumber, expected_version: i64, customer: Option<CustomerId>) -> Result<(), StoreError>;
        /// Records the customer's satisfaction rating on a resolved ticket.
        fn set_csat(&mut self, actor: AgentId, ticket: TicketNumber, expected_version: i64, rating: u8) -> Result<(), StoreError>;
        /// Assigns an agent to a ticket.
        fn assign(&mut self, actor: AgentId, ticket: TicketNumber, assignee: AgentId) -> Result<(), StoreError>;
        /// Removes an agent from a ticket's assignees.
        fn unassign(&mut self, actor: AgentId, ticket: TicketNumber, assignee: AgentId) -> Result<(), StoreError>;
        /// Tags a ticket, creating the tag if it is new.
        fn add_tag(&mut self, actor: AgentId, ticket: TicketNumber, name: &str) -> Result<Tag, StoreError>;
        /// Removes a tag from a ticket.
        fn remove_tag(&mut self, actor: AgentId, ticket: TicketNumber, tag: TagId) -> Result<(), StoreError>;
        /// Adds an internal note.
        fn add_note(&mut self, actor: AgentId, ticket: TicketNumber, body: &str) -> Result<NoteId, StoreError>;
        /// Edits an internal note, if nobody changed it since `expected_version`.
        fn edit_note(&mut self, actor: AgentId, note: NoteId, expected_version: i64, body: &str) -> Result<(), StoreError>;
        /// Deletes an internal note.
        fn delete_note(&mut self, actor: AgentId, note: NoteId) -> Result<(), StoreError>;
        /// Attaches a message to the conversation.
        fn add_message(&mut self, actor: AgentId, ticket: TicketNumber, direction: Direction, body: &str) -> Result<MessageId, StoreError>;
        /// Adds an agent.
        fn add_agent(&mut self, name: &str, email: &str) -> Result<AgentId, StoreError>;
        /// Renames an agent or changes their email.
        fn update_agent(&mut self, id: AgentId, name: &str, email: &str) -> Result<(), StoreError>;
        /// Deactivates or reactivates an agent.
        fn set_agent_active(&mut self, id: AgentId, active: bool) -> Result<(), StoreError>;
        /// Adds a customer.
        fn add_customer(&mut self, new: &NewCustomer) -> Result<CustomerId, StoreError>;
        /// Changes a customer's name, email or company.
        fn update_customer(&mut self, id: CustomerId, changed: &NewCustomer) -> Result<(), StoreError>;
        /// Tags a customer.
        fn add_customer_tag(&mut self, id: CustomerId, tag: &str) -> Result<Tag, StoreError>;
        /// Untags a customer.
        fn remove_customer_tag(&mut self, id: CustomerId, tag: TagId) -> Result<(), StoreError>;
        /// Erases a customer's personal data, keeping their tickets.
        fn erase_customer(&mut self, actor: AgentId, customer: CustomerId) -> Result<ErasedSummary, StoreError>;
        /// Records that `agent` has ticket `ticket` open now (its unread
        /// mark goes). On a server, only as the agent signed in.
        fn mark_read(&mut self, agent: AgentId, ticket: TicketNumber) -> Result<(), StoreError>;
        /// Shares a view with the team, after the others, recording `actor`
        /// as who shared it; returns its id. Its name is trimmed (line
        /// breaks become spaces) and must be 1 to 60 characters and no
        /// other shared view's, ignoring case: otherwise it is refused as
        /// [`StoreError::Invalid`] on the field "Name", in a sentence. The
        /// filter's drill-down scope is not kept; a search over 1,000
        /// characters is refused as the list refuses it. Any agent may share.
        fn share_view(&mut self, actor: AgentId, view: &views::SavedView) -> Result<i64, StoreError>;
        /// Renames shared view `id` and replaces its filter and sort with
        /// `view`'s, by the rules of [`Store::share_view`] (its own name,
        /// in any case, is not taken). Any agent may change any shared
        /// view; who shared it stays recorded. A view deleted meanwhile is
        /// [`StoreError::NotFound`] ("that shared view no longer exists").
        fn update_shared_view(&mut self, actor: AgentId, id: i64, view: &views::SavedView) -> Result<(), StoreError>;
        /// Renames shared view `id`, leaving its filter and sort as they
        /// are, by the name rules of [`Store::update_shared_view`]: the way
        /// to rename a view this version cannot read
        /// ([`views::SharedView::unreadable`]) without replacing it.
        fn rename_shared_view(&mut self, actor: AgentId, id: i64, name: &str) -> Result<(), StoreError>;
        /// Deletes shared view `id` (any agent may); one deleted meanwhile
        /// is [`StoreError::NotFound`].
        fn delete_shared_view(&mut self, actor: AgentId, id: i64) -> Result<(), StoreError>;
        /// Exchanges the places of shared views `a` and `b` in one
        /// transaction: how the window moves one up or down, by swapping it
        /// with its neighbour. Either deleted meanwhile is
        /// [`StoreError::NotFound`], and nothing moves.
        fn swap_shared_views(&mut self, actor: AgentId, a: i64, b: i64) -> Result<(), StoreError>;
        /// Replaces the team's service-level policy. One that
        /// [`crate::domain::sla::check`] refuses is [`StoreError::Invalid`]
        /// on the field "Service levels", in its sentence, and nothing
        /// changes. On a team server only an admin may
        /// ([`StoreError::NotAllowed`]).
        fn set_sla_policy(&mut self, actor: AgentId, policy: &crate::domain::sla::SlaPolicy) -> Result<(), StoreError>;
        /// Works out when the next target falls due for up to
        /// [`sla::DUE_BATCH`] tickets changed since theirs was worked out
        /// (or never worked out: new, moved in, or the policy changed), and
        /// keeps it for the list's Due column, sort and filters; returns
        /// how many it settled: call again until 0. Derived data, written
        /// after the change it follows, by whichever desk calls first; a
        /// ticket changed meanwhile is left for the next call.
        fn refresh_due(&mut self) -> Result<usize, StoreError>;
        /// Merges `others` into `keep`, each given with the version the
        /// agent saw, in one transaction: their messages and notes move into
        /// `keep` (keeping their times and authors), the tags and active
        /// assignees `keep` lacks are added to it, and each is closed with
        /// "merged this ticket into TKT-…" in its trail while `keep`'s
        /// records "merged TKT-… into this ticket". A ticket changed since
        /// is refused as a [`StoreError::Conflict`] naming it, and nothing
        /// is written; so is merging a ticket into itself, into a ticket
        /// merged already, or merging one merged already. Returns what moved.
        /// A merge cannot be undone. See [`merge`].
        fn merge(&mut self, actor: AgentId, keep: (TicketNumber, i64), others: &[(TicketNumber, i64)]) -> Result<MergeCounts, StoreError>;
        /// Links `a` to `b` as `kind`: related (both ways), or `a` a
        /// duplicate of `b`; recorded in both trails. A link there already
        /// changes nothing; a ticket and itself, or [`LinkKind::Merged`]
        /// (only a merge makes it), are refused.
        fn link(&mut self, actor: AgentId, a: TicketNumber, b: TicketNumber, kind: LinkKind) -> Result<(), StoreError>;
        /// Removes the link [`Store::link`] made, recorded in both trails.
        fn unlink(&mut self, actor: AgentId, a: TicketNumber, b: TicketNumber, kind: LinkKind) -> Result<(), StoreError>;
        /// Adds a canned reply to the team's library, recording `actor` as
        /// who added it; returns its id. Its title is one line of 1 to 100
        /// characters and no other reply's, ignoring case; its body is
        /// required (at most 100,000 characters); its tags are checked as a
        /// ticket's tags are. Otherwise it is refused as
        /// [`StoreError::Invalid`], in a sentence. Any agent may add one.
        fn add_canned_reply(&mut self, actor: AgentId, reply: &crate::domain::CannedReply) -> Result<i64, StoreError>;
        /// Replaces canned reply `id` with `reply` (its `id` is not read), by
        /// the rules of [`Store::add_canned_reply`]; one deleted meanwhile is
        /// [`StoreError::NotFound`].
        fn update_canned_reply(&mut self, actor: AgentId, id: i64, reply: &crate::domain::CannedReply) -> Result<(), StoreError>;
        /// Deletes canned reply `id` (any agent may); the trail keeps its
        /// uses under the title it had. One deleted meanwhile is
        /// [`StoreError::NotFound`].
        fn delete_canned_reply(&mut self, actor: AgentId, id: i64) -> Result<(), StoreError>;
        /// Sends `written` (a reply to the customer, or an internal note)
        /// on `ticket` as `actor`, records in its trail that it was written
        /// with canned reply `canned` ("Dana used the canned reply “Refund
        /// sent”") and, where `apply`, sets the status and adds the tags
        /// the reply carries, each with its own entry as the single changes
        /// make them: all in one transaction. A ticket no longer at
        /// `expected_version` is a [`StoreError::Conflict`], a reply deleted
        /// meanwhile [`StoreError::NotFound`], and nothing is written.
        fn use_canned_reply(&mut self, actor: AgentId, ticket: TicketNumber, expected_version: i64, canned: i64, apply: bool, written: &crate::domain::canned::Written) -> Result<(), StoreError>;
        /// Imports `batch` (tickets parsed from help desk `source`, see
        /// [`Store::import_plan`]) as `actor`, and records `checkpoint` (the
        /// import's key, the last source line of the batch) with it, all in
        /// one transaction: a crash or a failure leaves whole batches, never
        /// a torn ticket. Per ticket, in order: [`import::ImportResult`]
        /// `Created`, `Updated` (a ticket imported from the same source id
        /// before, its differing fields set and new comments added, each with
        /// its trail entry), `Unchanged`, or `Refused` with a sentence (a
        /// subject the store refuses, a ticket older than the newest one
        /// here…), which does not stop the batch. Customers and agents are
        /// matched by email, ignoring case (by name where there is no
        /// email), and created when new: see [`import`]. A checkpoint behind
        /// the one recorded for `key` is refused ([`StoreError::NotAllowed`])
        /// and nothing of the batch is kept. On a team server only an admin
        /// may import, as the agent signed in. Due times follow with
        /// [`Store::refresh_due`].
        fn import_batch(&mut self, actor: AgentId, source: &str, checkpoint: (&str, u64), batch: &[crate::domain::ImportedTicket]) -> Result<import::BatchResults, StoreError>;
        /// Forgets the checkpoint of import `key`: it finished (or was
        /// given up), and the next import of the same file starts anew.
        fn finish_import(&mut self, actor: AgentId, key: &str) -> Result<(), StoreError>;
    }
}

/// One read transaction on a store (see [`Store::snapshot`]).
pub enum Snapshot<'a> {
    /// On a SQLite file.
    File(&'a sqlite::Snapshot<'a>),
    /// On a team's server.
    Server(&'a server::ServerSnapshot<'a>),
}

impl Snapshot<'_> {
    /// The report of `period`.
    pub fn report(&self, period: &Period) -> Result<Report, StoreError> {
        match self {
            Snapshot::File(s) => s.report(period),
            Snapshot::Server(s) => s.report(period),
        }
    }

    /// How often each canned reply was used in `period` (see
    /// [`Store::canned_usage`]), within this snapshot.
    pub fn canned_usage(
        &self,
        period: &Period,
    ) -> Result<Vec<crate::analytics::CannedUse>, StoreError> {
        match self {
            Snapshot::File(s) => s.canned_usage(period),
            Snapshot::Server(s) => s.canned_usage(period),
        }
    }

    /// Every ticket a card of `period`'s report counted, in number order, as
    /// an export writes it (status and priority as at the period's end),
    /// with why it was counted; `each` says whether to go on, and hears how
    /// many there are in all. Returns how many were read.
    pub fn report_tickets(
        &self,
        period: &Period,
        each: &mut dyn FnMut(ExportTicket, Counted, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        match self {
            Snapshot::File(s) => s.report_tickets(period, each),
            Snapshot::Server(s) => s.report_tickets(period, each),
        }
    }

    /// Every ticket matching `filter`, in `sort`'s order, with everything an
    /// export writes (`notes`: the internal notes too); `each` says whether
    /// to go on, and hears how many there are in all. Returns how many were read.
    pub fn export_tickets(
        &self,
        filter: &TicketFilter,
        sort: Sort,
        notes: bool,
        each: &mut dyn FnMut(ExportTicket, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        match self {
            Snapshot::File(s) => s.export_tickets(filter, sort, notes, each),
            Snapshot::Server(s) => s.export_tickets(filter, sort, notes, each),
        }
    }
}

/// Live facet counts: each status's count under the filter with its status
/// choice replaced by that status (likewise for priorities).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FacetCounts {
    /// Tickets per status, every status listed.
    pub statuses: Vec<(Status, u64)>,
    /// Tickets per priority, every priority listed.
    pub priorities: Vec<(Priority, u64)>,
}

/// Why a ticket is in a report's export: which cards counted it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counted {
    /// Created in the period.
    pub created: bool,
    /// Close moment in the period.
    pub closed: bool,
    /// In the backlog at the period's end.
    pub open: bool,
    /// Resolution moment in the period.
    pub resolution: bool,
    /// First reply in the period.
    pub first_response: bool,
    /// Rated in the period.
    pub rated: bool,
    /// Its first-reply target fell due in the period.
    pub sla_first_reply: bool,
    /// Its resolution target fell due in the period.
    pub sla_resolution: bool,
}

/// The platform's place for the app's database: `~/.local/share/tickets/tickets.db`,
/// `%APPDATA%\Tickets\data\tickets.db`, `~/Library/Application Support/Tickets/tickets.db`.
pub fn default_database_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Tickets").map(|dirs| dirs.data_dir().join("tickets.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_unix_paths_are_files_and_only_postgres_urls_are_servers() {
        for text in [
            r"C:\Users\dana\AppData\Roaming\Tickets\data\tickets.db",
            "C:/Users/dana/tickets.db",
            r"D:tickets.db",
            r"\\server\share\desk\tickets.db",
            "//server/share/desk/tickets.db",
            r"\\?\C:\Users\dana\tickets.db",
            r"\\?\UNC\server\share\tickets.db",
            r"C:\postgres\tickets.db",
            r"\\postgres\share\tickets.db",
            "/home/dana/.local/share/tickets/tickets.db",
            "~/Library/Application Support/Tickets/tickets.db",
            "postgres.db",
            "postgres:tickets.db",
            "tickets.db",
        ] {
            assert_eq!(
                Location::parse(text),
                Location::File(PathBuf::from(text)),
                "{text}"
            );
            // Named and remembered as written.
            assert_eq!(Location::parse(text).to_string(), text);
            assert_eq!(Location::parse(text).key(), text);
        }
        for text in [
            "postgres://dana@db.example/help",
            "postgresql://dana@db.example:6543/help?sslmode=require",
            "  PostgreSQL://dana@db.example/help ",
            "postgres:///help?host=%2Fvar%2Frun%2Fpostgresql",
        ] {
            assert_eq!(
                Location::parse(text),
                Location::Server(text.trim().to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn the_default_database_is_in_the_systems_place_for_app_data() {
        // None only without a home folder.
        let Some(path) = default_database_path() else {
            return;
        };
        let tail: &[&str] = if cfg!(windows) {
            // %APPDATA%\Tickets\data
            &["Tickets", "data", "tickets.db"]
        } else if cfg!(target_os = "macos") {
            &["Library", "Application Support", "Tickets", "tickets.db"]
        } else {
            // $XDG_DATA_HOME, else ~/.local/share
            &["tickets", "tickets.db"]
        };
        let names: Vec<String> = path
            .iter()
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        assert!(path.is_absolute(), "{}", path.display());
        let tail: Vec<String> = tail.iter().map(|&name| name.to_owned()).collect();
        assert!(names.ends_with(&tail), "{}", path.display());
    }
}
