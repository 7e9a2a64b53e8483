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
    BACKUPS_KEPT, BackupFile, BackupKind, backup_due, list_backups, restore_backup, verify_backup,
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
    /// What a read or write found damaged: from then on the store writes nothing.
    damage: std::cell::RefCell<Option<String>>,
    /// A second, read-only connection to the file, opened when first needed:
    /// a report reads part of its figures on it, on another thread.
    reader: std::cell::RefCell<Option<Connection>>,
    /// SQLite's page cache on each connection, in KiB.
    cache_kib: std::cell::Cell<u32>,
}

/// The page cache each connection keeps unless told otherwise: enough for
/// a year's report at a million tickets to stay in memory between runs.
const DEFAULT_CACHE_KIB: u32 = 64 * 1024;

impl Drop for Store {
    /// Closes the read-only second connection first: the last connection to
    /// close folds the write-ahead log back into the file and removes it, and
    /// a read-only one cannot, which would leave the newest changes in the
    /// -wal file beside the database rather than in it.
    fn drop(&mut self) {
        self.reader.get_mut().take();
    }
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
        let stamped = check_existing_file(&path)?;
        // SQLite opens a file it may not write read-only, or cannot keep its
        // working files beside it: say which.
        let read_only = |path: &Path| {
            if OpenOptions::new().write(true).open(path).is_err() {
                return StoreError::ReadOnly {
                    path: path.to_path_buf(),
                    reason: "the system does not let Tickets write to it".to_owned(),
                };
            }
            read_only_folder(path, path.parent().unwrap_or(Path::new(".")))
        };
        // In a file stamped as ours, whatever SQLite cannot read is damage.
        let fail = |e: rusqlite::Error| match stamped {
            true => StoreError::from(e).in_file(&path),
            false => StoreError::from_open(&path, e),
        };
        let fail = |e: rusqlite::Error| match fail(e) {
            StoreError::ReadOnly { .. } => read_only(&path),
            other => other,
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(fail)?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(fail)? {
            return Err(read_only(&path));
        }
        // Check again under SQLite's own reading, before anything is written
        // (switching to write-ahead logging is a write): the header check above
        // cannot see changes still in a write-ahead log.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let identity = schema::identify(&conn).map_err(fail)?;
        refuse_foreign(&path, identity)?;
        probe_tables(&conn).map_err(fail)?;
        let mut store = Store {
            conn,
            clock,
            path,
            scope_cache: Default::default(),
            cache_kib: std::cell::Cell::new(DEFAULT_CACHE_KIB),
            damage: Default::default(),
            reader: Default::default(),
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
            cache_kib: std::cell::Cell::new(DEFAULT_CACHE_KIB),
            damage: Default::default(),
            reader: Default::default(),
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

    /// The read-only second connection to the file, opened on first use;
    /// none for a database in memory, or if it cannot be opened (callers then
    /// read everything on the main connection).
    pub(crate) fn reader(&self) -> Option<std::cell::RefMut<'_, Connection>> {
        if self.path == Path::new(":memory:") {
            return None;
        }
        let mut slot = self.reader.try_borrow_mut().ok()?;
        if slot.is_none() {
            let conn = Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .ok()?;
            conn.busy_timeout(BUSY_TIMEOUT).ok()?;
            conn.execute_batch(&format!(
                "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{};",
                self.cache_kib.get()
            ))
            .ok()?;
            *slot = Some(conn);
        }
        std::cell::RefMut::filter_map(slot, Option::as_mut).ok()
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

    /// Sets how much SQLite may keep in memory as page cache on each of this
    /// store's connections, in KiB. The window keeps it small (it runs for
    /// days beside other programs, and the system's file cache serves the
    /// rest); the command line and the benchmarks keep the default.
    pub fn set_cache_size(&self, kib: u32) -> Result<(), StoreError> {
        self.cache_kib.set(kib);
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{kib};"))?;
        if let Ok(mut reader) = self.reader.try_borrow_mut()
            && let Some(reader) = reader.as_mut()
        {
            reader.execute_batch(&format!("PRAGMA cache_size = -{kib};"))?;
        }
        Ok(())
    }

    /// Caps the file at `pages` pages on this connection (`PRAGMA
    /// max_page_count`; never below its size now), so that tests can make the
    /// disk fill up. Returns the cap in force.
    #[doc(hidden)]
    pub fn set_max_page_count(&self, pages: u32) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get(0)
            })?)
    }

    /// Sets how long a write waits for another connection's write to finish
    /// (10 seconds unless changed), so that tests need not wait that long.
    #[doc(hidden)]
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError> {
        Ok(self.conn.busy_timeout(wait)?)
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
        // secure_delete FAST: deleted text is zeroed in the pages a change
        // writes anyway (no extra I/O), so what an agent deletes, or an
        // erasure replaces, is not left readable in the file's free space.
        self.conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = FULL;
             PRAGMA secure_delete = FAST;
             PRAGMA temp_store = MEMORY;",
        )?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{};", self.cache_kib.get()))?;
        self.conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    /// Runs `f` in one immediate transaction: everything it writes is committed
    /// together, or nothing is if it returns an error.
    ///
    /// Once a read or a write has met damage in the file, nothing more is
    /// written (see [`Store::seen`]).
    pub(crate) fn transact<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Some(detail) = self.damage.borrow().as_ref() {
            return Err(StoreError::Damaged {
                path: self.path.clone(),
                detail: detail.clone(),
            });
        }
        let now = crate::domain::to_millis(self.clock.now());
        let result: Result<T, StoreError> = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx, now)?;
            tx.commit()?;
            Ok(value)
        })();
        result.map_err(|e| self.seen(e))
    }

    /// Runs a read; damage it meets stops all writing from then on.
    pub(crate) fn reading<T>(
        &self,
        read: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        read().map_err(|e| self.seen(e))
    }

    /// Names the file in an error, and remembers damage: once the file is
    /// known to be damaged nothing more is written to it, since writing into
    /// a damaged file can spread the damage and what the agent did next
    /// would be lost anyway when a backup replaces it.
    fn seen(&self, e: StoreError) -> StoreError {
        let e = e.in_file(&self.path);
        if let StoreError::Damaged { detail, .. } = &e {
            let mut damage = self.damage.borrow_mut();
            if damage.is_none() {
                *damage = Some(format!(
                    "{detail}, found earlier; nothing more is written to it"
                ));
            }
        }
        e
    }
}

/// Looks at an existing file's header without opening it as a database, so a
/// file that is not ours is never written to (SQLite would add a journal, or
/// initialise an empty file). Returns whether the header says the file is a
/// Tickets database; creates an empty private file if there is none.
fn check_existing_file(path: &Path) -> Result<bool, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create_new_file(path)?;
            return Ok(false);
        }
        Err(e) => return Err(StoreError::Io(e)),
    };
    let stamped = check_contents(path, &meta)?;
    check_writable(path, &meta)?;
    Ok(stamped)
}

/// What an existing file holds, from its header (and SQLite, read-only, when
/// the header leaves it open), writing nothing: folders, files that are not
/// Tickets databases, newer ones and damaged ones are refused. Returns
/// whether the header carries our stamp.
pub(crate) fn check_contents(path: &Path, meta: &std::fs::Metadata) -> Result<bool, StoreError> {
    if meta.is_dir() {
        return Err(StoreError::NotTickets {
            path: path.to_path_buf(),
            reason: "it is a folder".to_owned(),
        });
    }
    if meta.len() == 0 {
        return Ok(false);
    }
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path)?;
    let read = read_up_to(&mut file, &mut header)?;
    let application_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    let stamped = read >= 72 && application_id == APPLICATION_ID;
    let damaged = |detail: String| StoreError::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    let magic = read.min(SQLITE_MAGIC.len());
    if read < header.len() && header[..magic] == SQLITE_MAGIC[..magic] {
        return Err(damaged(format!(
            "it is cut short: only its first {read} bytes are there"
        )));
    }
    if read < header.len() || &header[..16] != SQLITE_MAGIC {
        if stamped {
            return Err(damaged(GARBLED_HEADER.to_owned()));
        }
        return Err(StoreError::NotTickets {
            path: path.to_path_buf(),
            reason: "it is not a database file".to_owned(),
        });
    }
    let version = i64::from(u32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ]));
    if stamped {
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if let Some(detail) = header_damage(path, &header, meta.len()) {
            return Err(damaged(detail));
        }
        return Ok(true);
    }
    // Not stamped as ours: it may still be ours if its stamp sits in the
    // write-ahead log, or an empty SQLite file. Ask SQLite, read-only.
    let (_, identity) = open_untouched(path)?;
    refuse_foreign(path, identity)?;
    Ok(false)
}

/// Opens `path` read-only without creating anything beside it, and reads
/// its identity. With no log or journal beside it the file alone is the
/// whole truth, so it is read as immutable: a plain read-only open of a
/// write-ahead-log file would leave new -wal and -shm files beside it.
pub(crate) fn open_untouched(path: &Path) -> Result<(Connection, FileIdentity), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if beside(path, "-wal").exists() || beside(path, "-journal").exists() {
        Connection::open_with_flags(path, flags)
    } else {
        Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
    }
    .map_err(|e| StoreError::from_open(path, e))?;
    let identity = schema::identify(&conn).map_err(|e| StoreError::from_open(path, e))?;
    Ok((conn, identity))
}

const GARBLED_HEADER: &str = "its header, the first 100 bytes, is garbled";

/// What is wrong with the header of a file stamped as ours, checked against
/// the file format (<https://sqlite.org/fileformat.html>) before SQLite reads
/// it: SQLite takes some damaged values as settings (a read-only file, UTF-16
/// text) rather than as damage. Also finds a file shorter than its header says.
fn header_damage(path: &Path, header: &[u8; 100], len: u64) -> Option<String> {
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        _ => return Some(GARBLED_HEADER.to_owned()),
    };
    // Tickets reserves no space at the end of pages (byte 20).
    let sound = matches!(header[18], 1 | 2)
        && header[20] == 0
        && matches!(header[19], 1 | 2)
        && header[21..24] == [64, 32, 32]
        && (1..=4).contains(&be32(44))
        // Tickets writes UTF-8 only.
        && be32(56) == 1;
    if !sound {
        return Some(GARBLED_HEADER.to_owned());
    }
    // The page count in the header is valid when the change counter matches
    // the "version valid for" number. A log or journal beside the file may
    // still hold pages the file is to grow by.
    let pages = u64::from(be32(28));
    let expected = pages * page_size;
    let valid = pages > 0 && be32(24) == be32(92);
    let settled = !beside(path, "-wal").exists() && !beside(path, "-journal").exists();
    (valid && settled && len < expected)
        .then(|| format!("it is cut short: only the first {len} of its {expected} bytes are there"))
}

/// Refuses a file that cannot be written, or whose folder cannot take the
/// files SQLite keeps beside a database while it is open, before SQLite
/// opens it (a read-only open would still leave those files behind).
fn check_writable(path: &Path, meta: &std::fs::Metadata) -> Result<(), StoreError> {
    if meta.permissions().readonly() {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            reason: "the file is marked read-only".to_owned(),
        });
    }
    check_folder_writable(path)
}

/// On Unix, a folder without write permission (Windows's read-only flag on a
/// folder means something else and is not checked).
fn check_folder_writable(path: &Path) -> Result<(), StoreError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let read_only =
        cfg!(unix) && std::fs::metadata(folder).is_ok_and(|m| m.permissions().readonly());
    if read_only {
        return Err(read_only_folder(path, folder));
    }
    Ok(())
}

fn read_only_folder(path: &Path, folder: &Path) -> StoreError {
    StoreError::ReadOnly {
        path: path.to_path_buf(),
        reason: format!(
            "its folder “{}” is read-only, and Tickets keeps working files beside the database",
            folder.display()
        ),
    }
}

/// Reads the first row of every table, so that damage to the pages the tables
/// start on is found on opening, before anything is written.
fn probe_tables(conn: &Connection) -> rusqlite::Result<()> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let sql = format!(
            "SELECT * FROM \"{}\" NOT INDEXED LIMIT 1",
            table.replace('"', "\"\"")
        );
        conn.prepare(&sql)?.exists([])?;
    }
    Ok(())
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
    check_folder_writable(path)?;
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
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            check_existing_file(path).map(|_| ())
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(read_only_folder(path, parent.unwrap_or(Path::new("."))))
        }
        Err(e) => Err(StoreError::Io(e)),
    }
}

/// The platform's place for the app's database: `~/.local/share/tickets/tickets.db`,
/// `%APPDATA%\Tickets\data\tickets.db`, `~/Library/Application Support/Tickets/tickets.db`.
pub fn default_database_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Tickets").map(|dirs| dirs.data_dir().join("tickets.db"))
}
