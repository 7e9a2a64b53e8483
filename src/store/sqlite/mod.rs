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
mod batch;
mod bulk;
mod canned;
pub(crate) mod codec;
mod drive;
mod erase;
pub mod export;
mod facets;
mod files;
mod imports;
mod links;
mod listing;
mod os_files;
mod people;
mod reads;
pub(crate) mod report;
pub mod schema;
mod shared_views;
mod sla;
mod tickets;
mod transfer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use bulk::Bulk;
pub use drive::allow_network_drives;
pub(crate) use files::{beside, check_contents, open_untouched, read_up_to};
pub use listing::fts_query;

use super::StoreError;
use crate::clock::Clock;
use files::{check_existing_file, probe_tables, read_only_folder, refuse_foreign};

/// How long a write waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long opening a file on a network drive waits for another program to
/// let go of it: one that has it open keeps it until it closes it, so
/// waiting longer only delays the sentence saying so.
const NETWORK_DRIVE_WAIT: Duration = Duration::from_secs(2);

/// How a file is shared between the programs that open it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sharing {
    /// Any number of windows and programs on this computer, through
    /// SQLite's write-ahead log and its shared memory.
    Shared,
    /// One program at a time, which holds an exclusive lock on the file
    /// from opening to closing, with a rollback journal and no shared
    /// memory: how a file on a network drive is opened when allowed.
    OneAtATime,
}

/// How the file at `path` may be opened: shared on this computer's own
/// disk; on a network drive refused, or one at a time when this process
/// was started with `--allow-network-drive`.
fn sharing_for(path: &Path) -> Result<Sharing, StoreError> {
    decide_sharing(
        path,
        drive::network_drive(path),
        drive::network_drives_allowed(),
    )
}

/// [`sharing_for`], given what the drive is and whether it is allowed.
fn decide_sharing(
    path: &Path,
    network: Option<String>,
    allowed: bool,
) -> Result<Sharing, StoreError> {
    match network {
        None => Ok(Sharing::Shared),
        Some(_) if allowed => Ok(Sharing::OneAtATime),
        Some(kind) => Err(StoreError::NetworkDrive {
            path: path.to_path_buf(),
            kind,
        }),
    }
}

/// Takes the exclusive lock of a file opened [`Sharing::OneAtATime`] and
/// keeps it until the connection closes; must come before anything reads
/// the file, so that SQLite never uses the shared memory of a write-ahead
/// log left in it (sqlite.org/wal.html, "Use of WAL Without Shared-Memory").
fn lock_for_one(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    conn.busy_timeout(NETWORK_DRIVE_WAIT)?;
    conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .map_err(|e| match StoreError::from(e) {
            StoreError::Busy => StoreError::NetworkDriveInUse {
                path: path.to_path_buf(),
            },
            other => other.in_file(path),
        })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

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
    /// How the file is shared with other programs.
    sharing: Sharing,
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
    ///
    /// A file on a network drive is refused, before anything is created or
    /// written, unless the process allowed it
    /// ([`allow_network_drives`]); then it is opened one program at a time.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<FileStore, StoreError> {
        let path = path.as_ref();
        FileStore::open_shared(path, clock, sharing_for(path)?)
    }

    /// [`FileStore::open`], shared as `sharing` says wherever the file is.
    pub(crate) fn open_shared(
        path: &Path,
        clock: Arc<dyn Clock>,
        sharing: Sharing,
    ) -> Result<FileStore, StoreError> {
        let path = path.to_path_buf();
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
        if sharing == Sharing::OneAtATime {
            lock_for_one(&conn, &path)?;
        }
        // Check again under SQLite's own reading, before anything is written
        // (switching to write-ahead logging is a write): the header check above
        // cannot see changes still in a write-ahead log.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let identity = schema::identify(&conn).map_err(fail)?;
        refuse_foreign(&path, identity)?;
        probe_tables(&conn).map_err(fail)?;
        let mut store = FileStore::on(conn, clock, path, sharing)?;
        store.configure()?;
        schema::migrate_to(&mut store.conn, schema::SCHEMA_VERSION)?;
        Ok(store)
    }

    /// A store on an open connection, readied for it ([`equip`]).
    fn on(
        mut conn: Connection,
        clock: Arc<dyn Clock>,
        path: PathBuf,
        sharing: Sharing,
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
            sharing,
        })
    }

    /// Opens an existing Tickets database for reading only: nothing is
    /// created, upgraded or written, and a missing or empty file, or one
    /// that is not (yet) a database of this version, is refused with a
    /// sentence. The command line's `list`, `report` and `export` read so.
    ///
    /// A file on a network drive is refused as by [`FileStore::open`].
    pub fn open_existing(path: &Path, clock: Arc<dyn Clock>) -> Result<FileStore, StoreError> {
        FileStore::open_existing_shared(path, clock, sharing_for(path)?)
    }

    /// [`FileStore::open_existing`], shared as `sharing` says wherever the file is.
    pub(crate) fn open_existing_shared(
        path: &Path,
        clock: Arc<dyn Clock>,
        sharing: Sharing,
    ) -> Result<FileStore, StoreError> {
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
        // Read-only, but for a file kept for one program: the exclusive lock
        // that keeps a write-ahead log's index out of shared memory is a
        // write lock, which the system refuses on a file opened for reading.
        // Nothing is written through it all the same.
        let access = match sharing {
            Sharing::Shared => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Sharing::OneAtATime => OpenFlags::SQLITE_OPEN_READ_WRITE,
        };
        let conn = Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| StoreError::from_open(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if sharing == Sharing::OneAtATime {
            lock_for_one(&conn, path)?;
        }
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
        FileStore::on(conn, clock, path.to_path_buf(), sharing)
    }

    /// Opens a database kept only in memory (for tests and trials).
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<FileStore, StoreError> {
        let mut store = FileStore::on(
            Connection::open_in_memory()?,
            clock,
            PathBuf::from(":memory:"),
            Sharing::Shared,
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
    /// None either for a file opened one program at a time, whose lock
    /// keeps every other connection out.
    fn reader(&self) -> Option<std::cell::RefMut<'_, Connection>> {
        if self.path == Path::new(":memory:") || self.sharing == Sharing::OneAtATime {
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
        // One program at a time (a network drive) keeps a rollback journal:
        // a write-ahead log needs memory shared between its users, which
        // does not reach across computers.
        let wanted = match self.sharing {
            Sharing::Shared => "wal",
            Sharing::OneAtATime => "delete",
        };
        let started = std::time::Instant::now();
        let mode: String = loop {
            match self
                .conn
                .query_row(&format!("PRAGMA journal_mode = {wanted}"), [], |r| r.get(0))
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
        if mode != wanted && self.path != Path::new(":memory:") {
            return Err(StoreError::Unsupported(format!(
                "the file could not be switched to {} (it reports “{mode}”)",
                match self.sharing {
                    Sharing::Shared => "write-ahead logging",
                    Sharing::OneAtATime => "a rollback journal",
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    fn clock() -> Arc<dyn Clock> {
        Arc::new(FixedClock::new(chrono::DateTime::UNIX_EPOCH))
    }

    /// SQLite's files beside `path` now.
    fn beside_now(path: &Path) -> Vec<&'static str> {
        ["-wal", "-shm", "-journal"]
            .into_iter()
            .filter(|suffix| {
                let mut name = path.as_os_str().to_owned();
                name.push(suffix);
                Path::new(&name).exists()
            })
            .collect()
    }

    #[test]
    fn a_network_drive_is_refused_unless_allowed_and_then_kept_for_one() {
        let path = Path::new("/mnt/office/tickets.db");
        let nfs = || Some("nfs4".to_owned());
        let refused = decide_sharing(path, nfs(), false).unwrap_err();
        let said = refused.to_string();
        for words in [
            "“/mnt/office/tickets.db” is on a network drive (nfs4)",
            "left untouched",
            "this computer's own disk",
            "team server",
            "--allow-network-drive",
        ] {
            assert!(said.contains(words), "{words:?} missing from: {said}");
        }
        assert_eq!(
            decide_sharing(path, nfs(), true).unwrap(),
            Sharing::OneAtATime
        );
        for allowed in [false, true] {
            assert_eq!(
                decide_sharing(path, None, allowed).unwrap(),
                Sharing::Shared
            );
        }
    }

    #[test]
    fn reading_a_file_kept_for_one_locks_others_out_and_uses_no_shared_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.db");
        // Left in write-ahead-log mode, as a file made on a local disk is.
        drop(FileStore::open_shared(&path, clock(), Sharing::Shared).unwrap());
        let before = std::fs::read(&path).unwrap();
        let reader = FileStore::open_existing_shared(&path, clock(), Sharing::OneAtATime).unwrap();
        assert_eq!(reader.count_tickets(&Default::default()).unwrap(), 0);
        assert!(
            !beside_now(&path).contains(&"-shm"),
            "{:?}",
            beside_now(&path)
        );
        let other = FileStore::open_existing_shared(&path, clock(), Sharing::OneAtATime)
            .unwrap_err()
            .to_string();
        assert!(other.contains("open in another Tickets"), "{other}");
        drop(reader);
        assert_eq!(std::fs::read(&path).unwrap(), before, "reading wrote to it");
        assert_eq!(beside_now(&path), Vec::<&str>::new());
        FileStore::open_existing_shared(&path, clock(), Sharing::OneAtATime).unwrap();
    }
}
