//! Shared helpers for the integration tests: a store on a temporary file with
//! a clock that only moves when a test moves it, and an agent to act as.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::Connection;
use tempfile::TempDir;
use tickets::clock::FixedClock;
use tickets::domain::{AgentId, NewTicket, TicketDetail, TicketNumber};
use tickets::store::Store;

/// The moment every test starts at: Monday 4 March 2024, 09:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, 9, 0, 0).unwrap()
}

/// `minutes` after [`t0`].
pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

/// A clock standing at [`t0`].
pub fn fixed_clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(t0()))
}

/// Opens (or creates) the store at `path` with `clock`.
pub fn open_store(path: &Path, clock: &Arc<FixedClock>) -> Store {
    Store::open(path, clock.clone()).expect("open the store")
}

/// A ticket with just a subject.
pub fn new_ticket(subject: &str) -> NewTicket {
    NewTicket {
        subject: subject.to_owned(),
        ..NewTicket::default()
    }
}

/// Every byte of a file.
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read the file")
}

/// SQLite's files beside `path` (`-wal`, `-shm`, `-journal`) that exist.
pub fn sidecars(path: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .filter(|p| p.exists())
        .collect()
}

/// A help desk on a temporary file: the store, its clock (at [`t0`]) and
/// Dana, the agent acting in it.
pub struct Desk {
    /// Keeps the folder alive for the test.
    pub dir: TempDir,
    /// The database file.
    pub path: PathBuf,
    /// The clock the store stamps changes with.
    pub clock: Arc<FixedClock>,
    /// The store.
    pub store: Store,
    /// The agent acting in the app.
    pub dana: AgentId,
}

impl Default for Desk {
    fn default() -> Self {
        Desk::new()
    }
}

impl Desk {
    /// A new database with one agent, Dana.
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("tickets.db");
        let clock = fixed_clock();
        let mut store = open_store(&path, &clock);
        let dana = store
            .add_agent("Dana", "dana@example.com")
            .expect("add Dana");
        Desk {
            dir,
            path,
            clock,
            store,
            dana,
        }
    }

    /// Moves the clock to `minutes` after [`t0`] and returns that time.
    pub fn at(&self, minutes: i64) -> DateTime<Utc> {
        let t = at(minutes);
        self.clock.set(t);
        t
    }

    /// Raises a ticket as Dana.
    pub fn ticket(&mut self, subject: &str) -> TicketNumber {
        self.store
            .create_ticket(self.dana, &new_ticket(subject))
            .expect("create a ticket")
    }

    /// Everything about a ticket.
    pub fn load(&self, ticket: TicketNumber) -> TicketDetail {
        self.store.load_ticket(ticket).expect("load the ticket")
    }

    /// The ticket's current version.
    pub fn version(&self, ticket: TicketNumber) -> i64 {
        self.load(ticket).version
    }

    /// Another store on the same file and clock: a second window or process.
    pub fn second_store(&self) -> Store {
        open_store(&self.path, &self.clock)
    }

    /// A plain SQLite connection on the file, bypassing the store.
    pub fn raw(&self) -> Connection {
        Connection::open(&self.path).expect("raw connection")
    }

    /// Rows in a table, counted through a separate connection.
    pub fn count(&self, table: &str) -> i64 {
        self.raw()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count rows")
    }

    /// Rows in the activity trail, all tickets together.
    pub fn activity_rows(&self) -> i64 {
        self.count("activity")
    }
}
