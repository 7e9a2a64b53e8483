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

/// The names of the files (and folders) in a folder, sorted.
pub fn names_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("read the folder")
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
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

/// Whether an activity entry records a field edit: the changes that carry
/// the ticket's version and move it on by one.
pub fn is_field_edit(kind: &tickets::domain::ActivityKind) -> bool {
    use tickets::domain::ActivityKind as K;
    matches!(
        kind,
        K::StatusChanged { .. }
            | K::PriorityChanged { .. }
            | K::SubjectEdited { .. }
            | K::DescriptionEdited
            | K::CustomerChanged { .. }
            | K::CsatRecorded { .. }
            | K::CustomerErased { .. }
    )
}

/// What a child process prints for its parent starts with this, so the parent
/// can tell it from the test harness's own output.
const CHILD_MARK: &str = "@@tickets-child@@ ";

/// Another process: this test binary run again on its ignored test `name`
/// alone, with `env` set, its stdin, stdout and stderr piped to this one.
/// (Crash and two-writer tests drive the store from other processes this way,
/// without a binary of their own.)
pub fn spawn_child_test(name: &str, env: &[(&str, String)]) -> std::process::Child {
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    command
        .args([
            "--exact",
            name,
            "--ignored",
            "--no-capture",
            "--test-threads=1",
        ])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.spawn().expect("start the child process")
}

/// In a child process: the job its parent put in the environment variable
/// `var` (as JSON), or `None` when the ignored test is run by hand.
pub fn child_job<T: serde::de::DeserializeOwned>(var: &str) -> Option<T> {
    let job = std::env::var(var).ok()?;
    Some(serde_json::from_str(&job).expect("the job from the parent"))
}

/// The whole number in the environment variable `name`, if it is set (the
/// size and seed of long runs).
pub fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {value:?}")),
    )
}

/// In a child process: prints one line for the parent and flushes it, so it
/// reaches the parent even if this process is killed right after.
pub fn tell_parent(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{CHILD_MARK}{line}")
        .and_then(|()| out.flush())
        .expect("write to the parent");
}

/// In the parent: the next line the child printed with [`tell_parent`]
/// (the harness's own lines skipped), or `None` once its output has ended.
pub fn next_child_line(from: &mut impl std::io::BufRead) -> Option<String> {
    let mut line = String::new();
    loop {
        line.clear();
        if from.read_line(&mut line).expect("read the child's output") == 0 {
            return None;
        }
        if let Some((_, said)) = line.split_once(CHILD_MARK) {
            return Some(said.trim_end().to_owned());
        }
    }
}
