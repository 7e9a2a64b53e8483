//! The ticket store: one SQLite file holding tickets, people and the activity trail.
//!
//! The store knows nothing of the window. It is owned by one thread at a time
//! (the app's worker, a command-line run, a test) and every change goes through
//! one method that validates input and writes the change together with its
//! activity entries in one immediate transaction.

mod activity;
mod backup;
pub mod erase;
mod error;
mod listing;
mod people;
pub mod schema;
mod tickets;

use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub(crate) use activity::record as record_activity;
pub use backup::{
    BACKUPS_KEPT, BackupFile, BackupKind, list_backups, restore_backup, verify_backup,
};
pub use error::StoreError;
pub use listing::{ListRequest, Sort, SortColumn, TicketFilter, TicketPage, fts_query};
pub(crate) use listing::{first_created_from, last_created_before};

use crate::clock::Clock;
use schema::{APPLICATION_ID, FileIdentity, SCHEMA_VERSION};

/// How long a write waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The first bytes of every SQLite file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An open Tickets database.
pub struct Store {
    conn: Connection,
    clock: Arc<dyn Clock>,
    path: PathBuf,
    /// The analytics scope whose tickets `temp.scope_tickets` holds, with the
    /// data version and change count they were read at.
    scope_cache: std::cell::RefCell<Option<(crate::analytics::Scope, i64, u64)>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the Tickets database at `path`, creating it if there is no file there.
    ///
    /// A file that is not a Tickets database, or one written by a newer version,
    /// is refused before anything is written to it. An older Tickets file is
    /// upgraded one schema version at a time.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        check_existing_file(&path)?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| StoreError::from_open(&path, e))?;
        // Check again under SQLite's own reading, before anything is written
        // (switching to write-ahead logging is a write): the header check above
        // cannot see changes still in a write-ahead log.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let identity = schema::identify(&conn).map_err(|e| StoreError::from_open(&path, e))?;
        refuse_foreign(&path, identity)?;
        let mut store = Store {
            conn,
            clock,
            path,
            scope_cache: Default::default(),
        };
        store.configure()?;
        schema::migrate_to(&mut store.conn, SCHEMA_VERSION)?;
        Ok(store)
    }

    /// Opens a database kept only in memory (for tests and trials).
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            clock,
            path: PathBuf::from(":memory:"),
            scope_cache: Default::default(),
        };
        store.configure()?;
        schema::migrate_to(&mut store.conn, SCHEMA_VERSION)?;
        Ok(store)
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The clock the store stamps changes with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// A counter that changes whenever another connection commits to the file
    /// (`PRAGMA data_version`): poll it to notice changes made elsewhere.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// The underlying connection, for read-only queries elsewhere in the crate (analytics, exports).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The underlying connection, for bulk loaders within the crate (the sample-data generator).
    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Gathers full query-planner statistics, histograms included (a few
    /// seconds at a million tickets); worth it after a bulk load. Status and
    /// priority are heavily skewed (most tickets are Closed), and without the
    /// histograms the planner reads a filter on the rare Open from the wrong index.
    pub fn analyze(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA analysis_limit = 0; ANALYZE;")?;
        Ok(())
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Switching to write-ahead logging is a write that starts as a read:
        // while another process writes (another window switching the same
        // file), SQLite refuses it at once rather than wait. So wait here.
        let started = std::time::Instant::now();
        let mode: String = loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            {
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                mode => break mode?,
            }
        };
        if mode != "wal" && self.path != Path::new(":memory:") {
            return Err(StoreError::Unsupported(format!(
                "the file could not be switched to write-ahead logging (it reports “{mode}”)"
            )));
        }
        // FULL: a change is on disk before the store reports it committed.
        self.conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = FULL;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -65536;",
        )?;
        self.conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    /// Runs `f` in one immediate transaction: everything it writes is committed
    /// together, or nothing is if it returns an error.
    pub(crate) fn transact<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let now = crate::domain::to_millis(self.clock.now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx, now)?;
        tx.commit()?;
        Ok(value)
    }
}

/// Looks at an existing file's header without opening it as a database, so a
/// file that is not ours is never written to (SQLite would add a journal, or
/// initialise an empty file).
fn check_existing_file(path: &Path) -> Result<(), StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return create_new_file(path),
        Err(e) => return Err(StoreError::Io(e)),
    };
    if meta.is_dir() {
        return Err(StoreError::NotTickets {
            path: path.to_path_buf(),
            reason: "it is a folder".to_owned(),
        });
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path)?;
    let read = read_up_to(&mut file, &mut header)?;
    if read < header.len() || &header[..16] != SQLITE_MAGIC {
        return Err(StoreError::NotTickets {
            path: path.to_path_buf(),
            reason: "it is not a database file".to_owned(),
        });
    }
    let version = i64::from(u32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ]));
    let application_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if application_id == APPLICATION_ID {
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        return Ok(());
    }
    // Not stamped as ours: it may still be ours if its stamp sits in the
    // write-ahead log, or an empty SQLite file. Ask SQLite, read-only. With no
    // log or journal beside it the file alone is the whole truth, so read it as
    // immutable: a plain read-only open of a write-ahead-log file would leave
    // new -wal and -shm files beside it.
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if beside(path, "-wal").exists() || beside(path, "-journal").exists() {
        Connection::open_with_flags(path, flags)
    } else {
        Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
    }
    .map_err(|e| StoreError::from_open(path, e))?;
    let identity = schema::identify(&conn).map_err(|e| StoreError::from_open(path, e))?;
    refuse_foreign(path, identity)
}

/// The file SQLite keeps beside `path` with this suffix (`-wal`, `-journal`).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A `file:` URI opening `path` as immutable: no locks, nothing created beside it.
fn immutable_uri(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    // An empty authority, so that a path starting with "//" is not read as a host.
    let mut uri = String::from(if bytes.first() == Some(&b'/') {
        "file://"
    } else {
        "file:"
    });
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' | b'~' => {
                uri.push(char::from(b));
            }
            b'\\' if cfg!(windows) => uri.push('/'),
            _ => {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn refuse_foreign(path: &Path, identity: FileIdentity) -> Result<(), StoreError> {
    if identity.application_id == APPLICATION_ID {
        if identity.version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: identity.version,
                supported: SCHEMA_VERSION,
            });
        }
        return Ok(());
    }
    if identity.application_id == 0 && !identity.has_schema && identity.version == 0 {
        // An empty SQLite file: nothing to lose by making it a Tickets database.
        return Ok(());
    }
    Err(StoreError::NotTickets {
        path: path.to_path_buf(),
        reason: "it is another program's database".to_owned(),
    })
}

/// Creates an empty file readable and writable by its owner only, so the
/// database (and SQLite's files beside it, which copy its mode) stay private.
fn create_new_file(path: &Path) -> Result<(), StoreError> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !parent.is_dir()
    {
        return Err(StoreError::FolderMissing(parent.to_path_buf()));
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        // Someone else created it meanwhile: check it like any existing file.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => check_existing_file(path),
        Err(e) => Err(StoreError::Io(e)),
    }
}

/// The platform's place for the app's database: `~/.local/share/tickets/tickets.db`,
/// `%APPDATA%\Tickets\data\tickets.db`, `~/Library/Application Support/Tickets/tickets.db`.
pub fn default_database_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Tickets").map(|dirs| dirs.data_dir().join("tickets.db"))
}
