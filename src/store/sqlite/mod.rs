//! The SQLite engine: one file holding tickets, people and the activity
//! trail, for one agent at one desk.
//!
//! [`FileStore`] is owned by one thread at a time (the app's worker, a
//! command-line run, a test). Every change goes through [`FileStore::transact`],
//! which validates nothing itself but writes the change together with its
//! activity entries in one immediate transaction; every read that takes more
//! than one statement goes through [`FileStore::snapshot`], one read
//! transaction. SQL lives in this folder and nowhere else.

mod activity;
pub mod backup;
mod bulk;
pub(crate) mod codec;
pub mod erase;
pub mod export;
mod facets;
mod files;
mod listing;
mod people;
pub(crate) mod report;
pub mod schema;
mod tickets;
mod transfer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use bulk::Bulk;
pub(crate) use files::{beside, check_contents, open_untouched, read_up_to};
pub use listing::fts_query;

use super::StoreError;
use crate::clock::Clock;
use files::{check_existing_file, probe_tables, read_only_folder, refuse_foreign};

/// How long a write waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// One read transaction on a [`FileStore`]: what a multi-statement read
/// sees (see [`FileStore::snapshot`]).
pub struct Snapshot<'a> {
    db: &'a FileStore,
}

impl Snapshot<'_> {
    /// The connection, inside the read transaction.
    fn conn(&self) -> &Connection {
        &self.db.conn
    }
}

/// An open Tickets database.
pub struct FileStore {
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
    /// Each ticket's status and priority, for the facet counts.
    facets: facets::FacetCache,
}

/// Readies a new connection for the store: the `rarray` table function the
/// list binds sets of tickets through, and the facet counts' table, which
/// hears of the connection's changes.
fn equip(conn: &mut Connection) -> Result<facets::FacetCache, StoreError> {
    rusqlite::vtab::array::load_module(conn)?;
    facets::FacetCache::watching(conn)
}

/// The page cache each connection keeps unless told otherwise: enough for
/// a year's report at a million tickets to stay in memory between runs.
const DEFAULT_CACHE_KIB: u32 = 64 * 1024;

impl Drop for FileStore {
    /// Closes the read-only second connection first: the last connection to
    /// close folds the write-ahead log back into the file and removes it, and
    /// a read-only one cannot, which would leave the newest changes in the
    /// -wal file beside the database rather than in it.
    fn drop(&mut self) {
        self.reader.get_mut().take();
    }
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.path)
            .finish()
    }
}

impl FileStore {
    /// Opens the Tickets database at `path`, creating it if there is no file there.
    ///
    /// A file that is not a Tickets database, or one written by a newer version,
    /// is refused before anything is written to it. An older Tickets file is
    /// upgraded one schema version at a time.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<FileStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let stamped = check_existing_file(&path)?;
        // SQLite opens a file it may not write read-only, or cannot keep its
        // working files beside it: say which.
        let read_only = |path: &Path| {
            if std::fs::OpenOptions::new().write(true).open(path).is_err() {
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
        // A path is a path: "file:x.db?mode=memory" names a file, not a URI.
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
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
        let mut store = FileStore::on(conn, clock, path)?;
        store.configure()?;
        schema::migrate_to(&mut store.conn, schema::SCHEMA_VERSION)?;
        Ok(store)
    }

    /// A store on an open connection, readied for it ([`equip`]).
    fn on(
        mut conn: Connection,
        clock: Arc<dyn Clock>,
        path: PathBuf,
    ) -> Result<FileStore, StoreError> {
        let facets = equip(&mut conn)?;
        Ok(FileStore {
            conn,
            clock,
            path,
            scope_cache: Default::default(),
            facets,
            cache_kib: std::cell::Cell::new(DEFAULT_CACHE_KIB),
            damage: Default::default(),
            reader: Default::default(),
        })
    }

    /// Opens an existing Tickets database for reading only: nothing is
    /// created, upgraded or written, and a missing or empty file, or one
    /// that is not (yet) a database of this version, is refused with a
    /// sentence. The command line's `list`, `report` and `export` read so.
    pub fn open_existing(path: &Path, clock: Arc<dyn Clock>) -> Result<FileStore, StoreError> {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing(path.to_path_buf()));
            }
            Err(e) => return Err(StoreError::Io(e)),
        };
        if meta.is_file() && meta.len() == 0 {
            return Err(StoreError::Empty(path.to_path_buf()));
        }
        check_contents(path, &meta)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from_open(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let identity = schema::identify(&conn).map_err(|e| StoreError::from_open(path, e))?;
        refuse_foreign(path, identity)?;
        if identity.version == 0 {
            return Err(StoreError::Empty(path.to_path_buf()));
        }
        if identity.version < schema::SCHEMA_VERSION {
            return Err(StoreError::NeedsUpgrade {
                path: path.to_path_buf(),
                found: identity.version,
            });
        }
        conn.execute_batch(&format!(
            "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{DEFAULT_CACHE_KIB};"
        ))?;
        FileStore::on(conn, clock, path.to_path_buf())
    }

    /// Opens a database kept only in memory (for tests and trials).
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<FileStore, StoreError> {
        let mut store = FileStore::on(
            Connection::open_in_memory()?,
            clock,
            PathBuf::from(":memory:"),
        )?;
        store.configure()?;
        schema::migrate_to(&mut store.conn, schema::SCHEMA_VERSION)?;
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
        facets::data_version(&self.conn)
    }

    /// The read-only second connection to the file, opened on first use;
    /// none for a database in memory, or if it cannot be opened (callers then
    /// read everything on the main connection).
    fn reader(&self) -> Option<std::cell::RefMut<'_, Connection>> {
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
    /// written (see [`FileStore::seen`]).
    pub(crate) fn transact<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.refuse_if_damaged()?;
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

    /// Refuses to write once a read or a write has met damage in the file
    /// (see [`FileStore::seen`]).
    fn refuse_if_damaged(&self) -> Result<(), StoreError> {
        match self.damage.borrow().as_ref() {
            Some(detail) => Err(StoreError::Damaged {
                path: self.path.clone(),
                detail: detail.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Runs `read` on one snapshot of the database: one read transaction,
    /// so every statement in it sees the same data, whatever other windows
    /// commit meanwhile. Every public read goes through here (a read made
    /// within another is part of its snapshot). Damage it meets stops all
    /// writing from then on.
    pub fn snapshot<T, E: From<StoreError>>(
        &self,
        read: impl FnOnce(&Snapshot<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let snapshot = Snapshot { db: self };
        if !self.conn.is_autocommit() {
            return read(&snapshot);
        }
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| E::from(self.seen(e.into())))?;
        // Committed, not rolled back: a read changes nothing in the file, but
        // the drill-down's scope is kept in a temporary table filled within
        // the snapshot, which a rollback would empty behind its cache.
        match read(&snapshot) {
            Ok(value) => {
                tx.commit().map_err(|e| E::from(self.seen(e.into())))?;
                Ok(value)
            }
            Err(e) => {
                self.scope_cache.replace(None);
                Err(e)
            }
        }
    }

    /// [`Self::snapshot`] for reads whose errors are the store's own.
    pub(crate) fn reading<T>(
        &self,
        read: impl FnOnce(&Snapshot<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.snapshot(|s| read(s).map_err(|e| self.seen(e)))
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
