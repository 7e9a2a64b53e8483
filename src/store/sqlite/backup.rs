//! Backups: copies of the database made with SQLite's online backup API,
//! compressed with zstd and kept beside it, and putting one of them back.
//!
//! A database `NAME.EXT` gets its backups in the same folder, named by the
//! moment (UTC, from the store's clock) they were made:
//! `NAME.backup-2026-11-24T093012Z.EXT.zst` (`-2`, `-3`… when two are made
//! in the same second). Each is one zstd frame holding a whole SQLite file,
//! with its size and a checksum of its contents, so `zstd -d` unpacks it
//! too. Backups made before compression, `NAME.backup-STAMP.EXT`, are still
//! listed, rotated and restored as they are.
//!
//! Only the newest backup is kept whole. When a new one is made, the one
//! before it (if it is whole) is rewritten as the changes that rebuild it
//! from the new one, `NAME.backup-STAMP.EXT.delta.zst`: the pages that
//! differ, with checksums of the whole file it rebuilds and of the file it
//! was made against (see [`delta`]). Each such backup depends only on newer
//! ones, so deleting the oldest never breaks another. The newest
//! [`BACKUPS_KEPT`] backups of every kind are kept and older ones deleted. A
//! restore keeps the file it replaces, uncompressed, as
//! `NAME.before-restore-2026-11-24T093012Z.EXT`; Tickets never deletes those.
//!
//! Every file is written under a temporary name in the same folder (private
//! to its owner as the database is: 0600 on Unix, the profile's own access
//! on Windows; see `os_files`), synced to disk, then renamed: a backup under
//! its final name is always complete. A backup first copies the database into a
//! temporary file with the online backup API, then streams that copy through
//! zstd into another; then the changes of the backup before it are written
//! the same way, and only then is that backup's whole copy deleted, so at
//! every moment each listed backup can be rebuilt. A restore of a compressed
//! backup unpacks it (or, for changes, the newest backup, with the changes
//! of each one down to the chosen one applied) into a temporary file beside
//! the database and checks that before anything moves.

mod delta;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use tempfile::NamedTempFile;

use super::os_files::sync_folder;
use super::schema::{APPLICATION_ID, SCHEMA_VERSION};
use super::{FileStore, StoreError, beside, check_contents, open_untouched, read_up_to};
use crate::clock::Clock;

/// How many backups are kept beside a database.
pub const BACKUPS_KEPT: usize = 7;

/// Pages copied per step of a backup (4 MiB at the default page size), so
/// progress can be reported while a large file is copied.
const PAGES_PER_STEP: i32 = 1024;

/// How long a restore waits for other connections to let go of the file
/// before saying it is in use.
const RESTORE_WAIT: Duration = Duration::from_secs(1);

/// The moment in a backup's name: `2026-11-24T093012Z`.
const STAMP: &str = "%Y-%m-%dT%H%M%SZ";

/// What a compressed backup's name ends with, after the database's extension.
const COMPRESSED: &str = ".zst";

/// What the name of a backup kept as changes ends with, after the database's extension.
const CHANGES: &str = ".delta.zst";

/// The first four bytes of a zstd frame: how a compressed backup is known
/// whatever it is called.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// The zstd level backups are written at. Measured on the 1M-ticket
/// benchmark database (1.82 GB, one core): level 2 packs it to 638 MB in
/// about 7.5 s; level 1 is 6% bigger for 0.5 s less, level 3 (zstd's
/// default) 1% smaller for 1.3 s more, and level 9 10% smaller for six
/// times as long (see docs/RELIABILITY.md).
const ZSTD_LEVEL: i32 = 2;

/// Bytes read or written at a time while compressing or unpacking.
const CHUNK: usize = 4 << 20;

/// How a backup's file holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// A whole SQLite file (backups from before compression, and the files
    /// restores kept).
    Plain,
    /// A whole SQLite file in one zstd frame.
    Compressed,
    /// The changes that rebuild it from the next newer backup, in one zstd frame.
    Changes,
}

impl Form {
    fn suffix(self) -> &'static str {
        match self {
            Form::Plain => "",
            Form::Compressed => COMPRESSED,
            Form::Changes => CHANGES,
        }
    }
}

/// Why a file beside the database was kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupKind {
    /// A backup, made automatically or on request.
    Backup,
    /// The database as it was just before a restore replaced it.
    BeforeRestore,
}

impl BackupKind {
    fn infix(self) -> &'static str {
        match self {
            BackupKind::Backup => "backup",
            BackupKind::BeforeRestore => "before-restore",
        }
    }
}

/// A backup found beside a database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupFile {
    /// The file.
    pub path: PathBuf,
    /// When it was made (by the store's clock).
    pub made: DateTime<Utc>,
    /// A backup, or the file a restore replaced.
    pub kind: BackupKind,
    /// Its size in bytes, as it is on disk (compressed, for a compressed backup).
    pub bytes: u64,
    /// Whether it is compressed (`.zst`); backups made by older versions
    /// of Tickets, and files a restore kept, are not.
    pub compressed: bool,
    /// Whether it is kept as the changes since the next newer backup
    /// (`.delta.zst`, compressed too): restoring it reads the newer backups
    /// beside it as well.
    pub delta: bool,
    /// Second and later files made in the same second: 2, 3…
    sequence: u32,
}

impl FileStore {
    /// Writes a compressed backup of the database beside it now, rewrites
    /// the backup before it (if that one is whole) as the changes since this
    /// one, then deletes all but the newest [`BACKUPS_KEPT`] backups.
    /// `progress` hears (steps done, steps in all) as it goes: a step for
    /// every page copied, then one for every page's worth compressed, then
    /// (when there is a backup before it to rewrite) one for every page's
    /// worth compared.
    ///
    /// The copy reads one snapshot of the database: changes committed by
    /// other connections meanwhile are neither waited for nor held up.
    pub fn backup_now(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<BackupFile, StoreError> {
        if self.path == Path::new(":memory:") {
            return Err(StoreError::Unsupported(
                "a database kept in memory has no folder to keep backups in".to_owned(),
            ));
        }
        // One moment for the name and the listing: a big copy takes seconds.
        let now = self.clock.now();
        // The newest backup so far, if it is whole: once this one is made it
        // is kept as the changes since this one.
        let previous = list_backups(&self.path)?
            .into_iter()
            .find(|b| b.kind == BackupKind::Backup)
            .filter(|b| !b.delta);
        let (target, sequence) = free_name(&self.path, BackupKind::Backup, now)?;
        let phases = if previous.is_some() { 3 } else { 2 };
        let (copy, pages) =
            write_compressed_copy(&self.conn, &self.path, &target, phases, progress)?;
        let made = BackupFile {
            bytes: std::fs::metadata(&target)?.len(),
            path: target,
            made: now,
            kind: BackupKind::Backup,
            compressed: true,
            delta: false,
            sequence,
        };
        let kept = previous.as_ref().map_or(Ok(()), |previous| {
            let len = copy.as_file().metadata()?.len().max(1);
            let mut reported = 0;
            keep_as_changes(&self.path, previous, copy.path(), &mut |compared| {
                let share = u128::from(compared.min(len)) * u128::from(pages) / u128::from(len);
                let done = 2 * pages + u64::try_from(share).unwrap_or(pages);
                if done > reported {
                    reported = done;
                    progress(done, 3 * pages);
                }
            })?;
            if reported < 3 * pages {
                progress(3 * pages, 3 * pages);
            }
            Ok(())
        });
        drop(copy);
        rotate(&self.path).map_err(|e| {
            StoreError::Unsupported(format!(
                "the backup {} was made, but an older backup could not be deleted ({e})",
                made.path.display()
            ))
        })?;
        kept.map_err(|e: StoreError| {
            StoreError::Unsupported(format!(
                "the backup {} was made, but the one before it could not be stored as the changes since ({e}); it was kept whole",
                made.path.display()
            ))
        })?;
        Ok(made)
    }

    /// Writes a backup unless one was already made on the current day in
    /// `zone` (by the store's clock): the daily backup when the app opens a
    /// database. Returns the backup made, if any.
    /// A database that holds nothing yet (no ticket, customer or agent: a
    /// first start) has nothing to lose, and is not backed up.
    pub fn backup_if_due<Tz: TimeZone>(
        &self,
        zone: &Tz,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Option<BackupFile>, StoreError> {
        if !backup_due(&self.path, self.clock.now(), zone)? {
            return Ok(None);
        }
        let holds_something: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM tickets) OR EXISTS (SELECT 1 FROM customers)
                 OR EXISTS (SELECT 1 FROM agents)",
            [],
            |r| r.get(0),
        )?;
        if !holds_something {
            return Ok(None);
        }
        self.backup_now(progress).map(Some)
    }
}

/// Every backup beside the database at `db` (and every file a restore kept),
/// newest first. A backup stopped after it wrote the changes of the one
/// before it but before it deleted that one's whole copy left both: that
/// backup is listed once, as its whole copy.
pub fn list_backups(db: &Path) -> Result<Vec<BackupFile>, StoreError> {
    let mut found = backup_files(&Names::of(db))?;
    found.dedup_by(|later, earlier| later.delta && same_backup(later, earlier));
    Ok(found)
}

/// Whether two files hold the same backup, in two forms.
fn same_backup(a: &BackupFile, b: &BackupFile) -> bool {
    (a.kind, a.made, a.sequence) == (b.kind, b.made, b.sequence)
}

/// Every file beside a database that holds one of its backups or a file a
/// restore kept, newest first; of two forms of one backup, the whole copy first.
fn backup_files(names: &Names) -> Result<Vec<BackupFile>, StoreError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&names.folder)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some((kind, made, sequence, form)) = names.parse(&name.to_string_lossy()) else {
            continue;
        };
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        found.push(BackupFile {
            path: entry.path(),
            made,
            kind,
            bytes: meta.len(),
            compressed: form != Form::Plain,
            delta: form == Form::Changes,
            sequence,
        });
    }
    found.sort_by_key(|b| (std::cmp::Reverse((b.made, b.sequence)), b.delta));
    Ok(found)
}

/// Checks that the file at `path` can be restored: a Tickets database, not
/// from a newer Tickets, that passes SQLite's integrity check. A compressed
/// backup is unpacked whole into a temporary file (beside it, or in the
/// system's temporary folder where its own folder cannot be written) and
/// the unpacked copy is checked; the temporary file is deleted after. A
/// backup kept as changes is rebuilt there first: the newest backup beside
/// it unpacked, then the changes of each one down to it applied, each
/// checked against its checksum. The backups are only read.
pub fn verify_backup(path: &Path) -> Result<(), StoreError> {
    check_backup(path, None).map(drop)
}

/// Whether the database at `db` is due its day's automatic backup: no
/// backup beside it was made on the day `now` falls on in `zone`. Only
/// lists the folder, so a window can ask without opening the database.
pub fn backup_due<Tz: TimeZone>(
    db: &Path,
    now: chrono::DateTime<chrono::Utc>,
    zone: &Tz,
) -> Result<bool, StoreError> {
    let today = now.with_timezone(zone).date_naive();
    let newest = list_backups(db)?
        .into_iter()
        .find(|b| b.kind == BackupKind::Backup);
    Ok(newest.is_none_or(|b| b.made.with_timezone(zone).date_naive() < today))
}

/// Puts the backup at `backup` in place of the database at `db`, which no
/// connection of this process may have open.
///
/// The backup is checked first ([`verify_backup`]; a compressed backup is
/// unpacked into a temporary file beside the database and that copy is
/// checked); if it fails, nothing is touched. Otherwise the database is moved
/// aside as `NAME.before-restore-STAMP.EXT` (its write-ahead log folded in
/// first, or, for a file that cannot be read as a database, moved with it
/// untouched) and a copy of the backup (the checked, unpacked copy of a
/// compressed one) takes its place. A database that another window or
/// program has open is refused. Returns the file the replaced database was
/// kept as, if there was one.
pub fn restore_backup(
    db: &Path,
    backup: &Path,
    clock: &dyn Clock,
) -> Result<Option<BackupFile>, StoreError> {
    // The quick refusals first: checking the backup reads all of it.
    if let (Ok(a), Ok(b)) = (db.canonicalize(), backup.canonicalize())
        && a == b
    {
        return Err(StoreError::NotAllowed(
            "that file is the database itself, not a backup of it".to_owned(),
        ));
    }
    let names = Names::of(db);
    if !names.folder.is_dir() {
        return Err(StoreError::FolderMissing(names.folder));
    }
    let Checked { conn, unpacked } = check_backup(backup, Some(db))?;
    let kept = match std::fs::symlink_metadata(db) {
        Ok(_) => Some(set_aside(db, clock.now())?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let placed = match unpacked {
        // The unpacked copy was written and synced beside the database, and
        // checked: it is renamed into place as it is.
        Some(unpacked) => {
            drop(conn);
            put_in_place(unpacked, db)
        }
        None => write_copy(&conn, db, &mut |_, _| {}),
    };
    match placed {
        Ok(()) => Ok(kept),
        Err(e) => {
            // Put the database back where it was.
            if let Some(kept) = &kept {
                move_with_sidecars(&kept.path, db)?;
            }
            Err(e)
        }
    }
}

/// How the files beside one database are named.
struct Names {
    folder: PathBuf,
    stem: String,
    extension: String,
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Names {
    fn of(db: &Path) -> Names {
        let folder = folder_of(db);
        let stem = db.file_stem().map_or_else(
            || "tickets".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        let extension = db
            .extension()
            .map_or_else(|| "db".to_owned(), |s| s.to_string_lossy().into_owned());
        Names {
            folder,
            stem,
            extension,
        }
    }

    /// The names of the database whose backup (or kept file) `backup` is,
    /// read from its own name.
    fn of_backup(backup: &Path) -> Option<Names> {
        let name = backup.file_name()?.to_str()?;
        let at = name.rfind(".backup-")?;
        // After the moment and sequence number (which hold no dot) comes
        // the database's extension (which holds none either).
        let extension = name[at + ".backup-".len()..].split('.').nth(1)?;
        let names = Names {
            folder: folder_of(backup),
            stem: name[..at].to_owned(),
            extension: extension.to_owned(),
        };
        names.parse(name).is_some().then_some(names)
    }

    fn name(&self, kind: BackupKind, made: DateTime<Utc>, sequence: u32, form: Form) -> PathBuf {
        let mut name = format!("{}.{}-{}", self.stem, kind.infix(), made.format(STAMP));
        if sequence > 1 {
            name.push_str(&format!("-{sequence}"));
        }
        name.push('.');
        name.push_str(&self.extension);
        name.push_str(form.suffix());
        self.folder.join(name)
    }

    /// The kind, moment, sequence number and form a file name stands for,
    /// if it is one of this database's backups. Only backups are compressed
    /// or kept as changes: a restore keeps the file it replaced as it was.
    fn parse(&self, name: &str) -> Option<(BackupKind, DateTime<Utc>, u32, Form)> {
        if let Some((kind, made, sequence)) = self.parse_plain(name) {
            return Some((kind, made, sequence, Form::Plain));
        }
        [Form::Changes, Form::Compressed]
            .into_iter()
            .find_map(|form| {
                let (kind, made, sequence) = self.parse_plain(name.strip_suffix(form.suffix())?)?;
                (kind == BackupKind::Backup).then_some((kind, made, sequence, form))
            })
    }

    /// The kind, moment and sequence number of an uncompressed file's name.
    fn parse_plain(&self, name: &str) -> Option<(BackupKind, DateTime<Utc>, u32)> {
        let rest = name
            .strip_prefix(self.stem.as_str())?
            .strip_prefix('.')?
            .strip_suffix(self.extension.as_str())?
            .strip_suffix('.')?;
        [BackupKind::Backup, BackupKind::BeforeRestore]
            .into_iter()
            .find_map(|kind| {
                let rest = rest.strip_prefix(kind.infix())?.strip_prefix('-')?;
                let (stamp, sequence) = match rest.split_at_checked(18)? {
                    (stamp, "") => (stamp, 1),
                    (stamp, more) => {
                        let digits = more.strip_prefix('-')?;
                        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
                            return None;
                        }
                        (stamp, digits.parse().ok().filter(|n| *n > 1)?)
                    }
                };
                let made = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
                Some((kind, made, sequence))
            })
    }
}

/// A name for a new file of `kind` beside `db` that no file has yet: a
/// compressed one for a backup. Its moment and sequence number are taken by
/// no backup in any form, so no two backups list as made at once.
fn free_name(
    db: &Path,
    kind: BackupKind,
    now: DateTime<Utc>,
) -> Result<(PathBuf, u32), StoreError> {
    let names = Names::of(db);
    let taken = |path: &Path| std::fs::symlink_metadata(path).is_ok();
    for sequence in 1..10_000 {
        let plain = names.name(kind, now, sequence, Form::Plain);
        if kind == BackupKind::BeforeRestore && !taken(&plain) {
            return Ok((plain, sequence));
        }
        let [compressed, changes] =
            [Form::Compressed, Form::Changes].map(|form| names.name(kind, now, sequence, form));
        if kind == BackupKind::Backup
            && ![&plain, &compressed, &changes]
                .into_iter()
                .any(|p| taken(p))
        {
            return Ok((compressed, sequence));
        }
    }
    Err(StoreError::Unsupported(format!(
        "too many backups were made in the same second beside {}",
        db.display()
    )))
}

/// Deletes all but the newest [`BACKUPS_KEPT`] backups of `db` (never the
/// files a restore kept), in whatever form they are. Each backup kept as
/// changes depends only on newer ones, so the rest can all be rebuilt. A
/// whole copy that a stopped backup left beside its changes (not the
/// newest backup's) is deleted, as that backup would have done.
fn rotate(db: &Path) -> Result<(), StoreError> {
    let files: Vec<BackupFile> = backup_files(&Names::of(db))?
        .into_iter()
        .filter(|b| b.kind == BackupKind::Backup)
        .collect();
    let mut rank = 0;
    for (i, file) in files.iter().enumerate() {
        if i > 0 && !same_backup(file, &files[i - 1]) {
            rank += 1;
        }
        let replaced = rank > 0
            && !file.delta
            && files
                .iter()
                .any(|other| other.delta && same_backup(other, file));
        if rank >= BACKUPS_KEPT || replaced {
            std::fs::remove_file(&file.path)?;
        }
    }
    remove_abandoned_copies(db);
    Ok(())
}

/// How old a half-made copy must be to count as abandoned (its backup was
/// stopped by a crash or a kill): no backup takes this long.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// Deletes the temporary files of backups and restores that never finished
/// (`.STEM.XXXX.partial`, the copy, compressed copy or unpacked backup, and
/// the copy's journal, left by a process that was killed mid-way). Best
/// effort: a file that cannot be looked at or removed stays.
fn remove_abandoned_copies(db: &Path) {
    let names = Names::of(db);
    let prefix = format!(".{}.", names.stem);
    let Ok(entries) = std::fs::read_dir(&names.folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let abandoned = name.starts_with(&prefix)
            && (name.ends_with(".partial") || name.ends_with(".partial-journal"))
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > ABANDONED_AFTER);
        if abandoned {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Copies the database open on `source` to a new file at `target` through a
/// temporary file beside it: never a half-written file under that name.
fn write_copy(
    source: &Connection,
    target: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), StoreError> {
    let partial = scratch_file(target)?;
    snapshot_into(source, &partial, progress)?;
    partial.as_file().sync_all()?;
    put_in_place(partial, target)
}

/// Renames a whole, synced temporary file to `target` (never over a file
/// there) and makes the rename durable.
fn put_in_place(file: NamedTempFile, target: &Path) -> Result<(), StoreError> {
    file.persist_noclobber(target)
        .map_err(|e| StoreError::Io(e.error))?;
    sync_folder(&Names::of(target).folder)?;
    Ok(())
}

/// Copies the database open on `source` (at `db`) to a new compressed file
/// at `target`: first a plain copy into a temporary file beside `db`, then
/// that copy streamed through zstd into a second temporary file, which is
/// synced and renamed to `target`. Returns the plain copy (deleted when
/// dropped) and its pages. `progress` hears a step a page for the copy and
/// for the compression, out of `phases` steps a page in all.
fn write_compressed_copy(
    source: &Connection,
    db: &Path,
    target: &Path,
    phases: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(NamedTempFile, u64), StoreError> {
    let mut pages = 0;
    let copy = scratch_file(db)?;
    snapshot_into(source, &copy, &mut |done, total| {
        pages = total;
        progress(done, total.saturating_mul(phases));
    })?;
    let packed = scratch_file(db)?;
    compress(copy.path(), packed.as_file(), &mut |read, len| {
        let share = u128::from(read) * u128::from(pages) / u128::from(len.max(1));
        let share = u64::try_from(share).unwrap_or(pages);
        progress(pages.saturating_add(share), pages.saturating_mul(phases));
    })?;
    packed.as_file().sync_all()?;
    put_in_place(packed, target)?;
    Ok((copy, pages))
}

/// Rewrites the whole backup `previous` of `db` as the changes that rebuild
/// it from `newer` (the plain copy of the backup just made), under its
/// changes name: written to a temporary file, synced, renamed (over changes
/// a stopped backup may have left), the folder synced; only then is the
/// whole copy deleted. `progress` hears how many bytes were compared.
fn keep_as_changes(
    db: &Path,
    previous: &BackupFile,
    newer: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<(), StoreError> {
    let names = Names::of(db);
    let target = names.name(
        BackupKind::Backup,
        previous.made,
        previous.sequence,
        Form::Changes,
    );
    let block = page_size(newer)?;
    let partial = scratch_file(db)?;
    let file = std::fs::File::open(&previous.path)?;
    let mut older: Box<dyn Read> = if is_compressed(&previous.path) {
        Box::new(zstd::stream::read::Decoder::new(file)?)
    } else {
        Box::new(file)
    };
    let mut encoder = zstd::stream::write::Encoder::new(partial.as_file(), ZSTD_LEVEL)?;
    encoder.include_checksum(true)?;
    delta::write_changes(
        &mut older,
        &mut std::fs::File::open(newer)?,
        block,
        &mut encoder,
        progress,
    )
    .map_err(|e| match e {
        delta::WriteError::Older(e) => read_error(&previous.path, e),
        delta::WriteError::Io(e) => e.into(),
    })?;
    encoder.finish()?;
    partial.as_file().sync_all()?;
    partial
        .persist(&target)
        .map_err(|e| StoreError::Io(e.error))?;
    sync_folder(&names.folder)?;
    std::fs::remove_file(&previous.path)?;
    sync_folder(&names.folder)?;
    Ok(())
}

/// The page size in the SQLite header of the file at `path` (4096 if it
/// holds none that SQLite allows): what changes are counted in.
fn page_size(path: &Path) -> std::io::Result<usize> {
    let mut header = [0u8; 18];
    let read = read_up_to(&mut std::fs::File::open(path)?, &mut header)?;
    let size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => usize::from(n),
    };
    let allowed = read == header.len() && size.is_power_of_two() && (512..=65536).contains(&size);
    Ok(if allowed { size } else { 4096 })
}

/// A new, empty temporary file `.STEM.XXXX.partial` beside `path`, deleted
/// when dropped. tempfile creates it readable and writable by its owner only
/// (0600 on Unix; on Windows it takes its folder's access list, as the
/// database did); SQLite gives a journal beside it the same mode.
fn scratch_file(path: &Path) -> std::io::Result<NamedTempFile> {
    let names = Names::of(path);
    tempfile::Builder::new()
        .prefix(&format!(".{}.", names.stem))
        .suffix(".partial")
        .tempfile_in(&names.folder)
}

/// Streams the file at `from` through zstd into `to`, as one frame that
/// records the file's size and a checksum of its contents. `progress` hears
/// (bytes read, bytes in all).
fn compress(
    from: &Path,
    to: &std::fs::File,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), StoreError> {
    let mut input = std::fs::File::open(from)?;
    let len = input.metadata()?.len();
    let mut encoder = zstd::stream::write::Encoder::new(to, ZSTD_LEVEL)?;
    encoder.include_checksum(true)?;
    encoder.include_contentsize(true)?;
    encoder.set_pledged_src_size(Some(len))?;
    let mut buffer = vec![0; CHUNK];
    let mut read = 0u64;
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        encoder.write_all(&buffer[..n])?;
        read += n as u64;
        progress(read, len);
    }
    encoder.finish()?;
    Ok(())
}

/// Whether the file at `path` starts as a zstd frame does. A file that
/// cannot be read says no here, and is refused by the checks that follow.
fn is_compressed(path: &Path) -> bool {
    let mut start = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut start))
        .is_ok_and(|n| n == start.len() && start == ZSTD_MAGIC)
}

/// Whether the compressed file at `path` holds a backup's changes (rather
/// than a whole file): what the first bytes it unpacks to say.
fn holds_changes(path: &Path) -> bool {
    let mut start = [0u8; delta::MAGIC.len()];
    std::fs::File::open(path)
        .and_then(zstd::stream::read::Decoder::new)
        .and_then(|mut decoder| read_up_to(&mut decoder, &mut start))
        .is_ok_and(|n| n == start.len() && start == delta::MAGIC)
}

/// Unpacks the compressed backup at `backup` into `into`, which is left at
/// its end. Data that zstd cannot unpack (cut short, garbled, or not
/// matching its checksum) is damage in the backup; failing to write is not.
fn unpack(backup: &Path, into: &std::fs::File) -> Result<delta::Summary, StoreError> {
    let mut decoder = zstd::stream::read::Decoder::new(std::fs::File::open(backup)?)?;
    write_summing(&mut decoder, into, &|e| read_error(backup, e))
}

/// Writes all that `from` holds to `out`, and sums it up. `read_failed`
/// tells what a failure to read means.
fn write_summing(
    from: &mut dyn Read,
    mut out: &std::fs::File,
    read_failed: &dyn Fn(std::io::Error) -> StoreError,
) -> Result<delta::Summary, StoreError> {
    let mut sum = delta::Summing::new();
    let mut buffer = vec![0; CHUNK];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_failed(e)),
        };
        sum.update(&buffer[..n]);
        out.write_all(&buffer[..n])?;
    }
    Ok(sum.summary())
}

/// What failing to read the compressed file at `backup` means: the disk or
/// the system failed, or (anything zstd reports) the file is damaged.
fn read_error(backup: &Path, e: std::io::Error) -> StoreError {
    let damaged = |detail: String| StoreError::Damaged {
        path: backup.to_path_buf(),
        detail,
    };
    if e.raw_os_error().is_some() {
        e.into()
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        damaged("its compressed data is cut short: the file is incomplete".to_owned())
    } else {
        damaged(format!(
            "its compressed data cannot be unpacked: zstd reports “{e}”"
        ))
    }
}

/// Rebuilds the backup at `backup`, kept as changes, into `into`: the whole
/// backup the changes start from (the oldest whole one newer than it),
/// then the changes of every backup between, newest first, down to its
/// own, each applied to the file the one before rebuilt and checked. A
/// damaged or missing link is told about `backup`, naming the link.
fn rebuild(backup: &Path, into: &mut NamedTempFile) -> Result<(), StoreError> {
    let chain = chain_to(backup)?;
    let in_chain = |link: &Path, error: StoreError| match error {
        StoreError::Damaged { detail, .. } if link != backup => StoreError::Damaged {
            path: backup.to_path_buf(),
            detail: format!(
                "it is kept as the changes since newer backups, and one of them, “{}”, is damaged: {detail}",
                link.display()
            ),
        },
        other => other,
    };
    let (whole, changes) = chain.split_first().ok_or_else(|| missing_chain(backup))?;
    let mut summary = if is_compressed(whole) {
        unpack(whole, into.as_file())
    } else {
        write_summing(&mut std::fs::File::open(whole)?, into.as_file(), &|e| {
            e.into()
        })
    }
    .map_err(|e| in_chain(whole, e))?;
    let mut newer = whole;
    for link in changes {
        let mut decoder = zstd::stream::read::Decoder::new(std::fs::File::open(link)?)?;
        summary = delta::apply_changes(&mut decoder, into.as_file_mut(), summary)
            .map_err(|e| match e {
                delta::ApplyError::Io(e) => read_error(link, e),
                delta::ApplyError::Damaged(detail) => StoreError::Damaged {
                    path: link.clone(),
                    detail,
                },
                delta::ApplyError::WrongBase => StoreError::Damaged {
                    path: link.clone(),
                    detail: format!(
                        "it is kept as the changes since the next newer backup, “{}”, which is not the backup they were made against (one between them may have been deleted or replaced)",
                        newer.display()
                    ),
                },
            })
            .map_err(|e| in_chain(link, e))?;
        newer = link;
    }
    Ok(())
}

/// The refusal of a backup kept as changes whose newer backups are not beside it.
fn missing_chain(backup: &Path) -> StoreError {
    StoreError::NotTickets {
        path: backup.to_path_buf(),
        reason: "it holds only the changes since newer backups, and no whole backup newer than it is beside it under its database's name; put it back in the folder of the backups made after it, under the name it was made with".to_owned(),
    }
}

/// The files that rebuild the backup at `backup`: the oldest whole backup
/// newer than it first, then each newer backup kept as changes, newest
/// first, then `backup` itself. Of a backup in two forms, the whole one.
fn chain_to(backup: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let names = Names::of_backup(backup).ok_or_else(|| missing_chain(backup))?;
    let name = backup.file_name().unwrap_or_default().to_string_lossy();
    let Some((BackupKind::Backup, made, sequence, _)) = names.parse(&name) else {
        return Err(missing_chain(backup));
    };
    let files = backup_files(&names)?;
    // Newer backups, oldest first; of two forms of one backup, the whole one first.
    let mut newer: Vec<&BackupFile> = files
        .iter()
        .filter(|b| b.kind == BackupKind::Backup && (b.made, b.sequence) > (made, sequence))
        .collect();
    newer.sort_by_key(|b| (b.made, b.sequence, b.delta));
    newer.dedup_by(|later, earlier| same_backup(later, earlier));
    let mut chain = vec![backup.to_path_buf()];
    for b in newer {
        chain.push(b.path.clone());
        if !b.delta {
            chain.reverse();
            return Ok(chain);
        }
    }
    Err(missing_chain(backup))
}

/// The file holding the backup at `path` now: a whole backup that the next
/// backup rewrote as changes is found under its changes name.
fn current_file(path: &Path) -> PathBuf {
    let moved = || {
        let names = Names::of_backup(path)?;
        let name = path.file_name()?.to_string_lossy();
        let (kind, made, sequence, form) = names.parse(&name)?;
        let changes = names.name(kind, made, sequence, Form::Changes);
        (form != Form::Changes && changes.is_file()).then_some(changes)
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            moved().unwrap_or_else(|| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// A backup checked and open, read-only: the file itself or, for a
/// compressed backup, its unpacked copy, which is deleted once this is
/// dropped (after the connection, which is dropped first).
struct Checked {
    conn: Connection,
    unpacked: Option<NamedTempFile>,
}

/// Checks the backup at `backup` as [`open_backup`] does, unpacking a
/// compressed one first into a temporary file beside `beside` (the database
/// a restore puts it in place of). With no database, that is beside the
/// backup or, where its folder cannot be written, in the system's
/// temporary folder. Errors name the backup, never the temporary file.
fn check_backup(backup: &Path, beside: Option<&Path>) -> Result<Checked, StoreError> {
    let backup = &current_file(backup);
    if !is_compressed(backup) {
        return Ok(Checked {
            conn: open_backup(backup)?,
            unpacked: None,
        });
    }
    let mut scratch = match beside {
        Some(db) => scratch_file(db)?,
        None => scratch_file(backup).or_else(|_| {
            tempfile::Builder::new()
                .prefix(".tickets-backup.")
                .suffix(".partial")
                .tempfile()
        })?,
    };
    if holds_changes(backup) {
        rebuild(backup, &mut scratch)?;
    } else {
        unpack(backup, scratch.as_file())?;
    }
    scratch.as_file().sync_all()?;
    let conn = open_backup(scratch.path()).map_err(|e| naming(e, scratch.path(), backup))?;
    Ok(Checked {
        conn,
        unpacked: Some(scratch),
    })
}

/// `error`, about the file at `temporary`, told about `backup` instead.
fn naming(error: StoreError, temporary: &Path, backup: &Path) -> StoreError {
    let named = |path: PathBuf| {
        if path == temporary {
            backup.to_path_buf()
        } else {
            path
        }
    };
    match error {
        StoreError::NotTickets { path, reason } => StoreError::NotTickets {
            path: named(path),
            reason,
        },
        StoreError::Damaged { path, detail } => StoreError::Damaged {
            path: named(path),
            detail,
        },
        StoreError::ReadOnly { path, reason } => StoreError::ReadOnly {
            path: named(path),
            reason,
        },
        other => other,
    }
}

/// Copies the database open on `source` into the empty file `partial` with
/// SQLite's online backup API, leaving a closed, self-contained file.
fn snapshot_into(
    source: &Connection,
    partial: &NamedTempFile,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), StoreError> {
    let mut copy = Connection::open(partial.path())?;
    // One read transaction for the whole copy, so it is one consistent
    // snapshot that commits elsewhere neither restart nor wait for.
    source.execute_batch("BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema;")?;
    let copied = copy_pages(source, &mut copy, progress);
    source.execute_batch("COMMIT")?;
    copied?;
    // A plain rollback-journal file: the copy is whole without any
    // write-ahead log beside it.
    let mode: String =
        copy.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(StoreError::Unsupported(format!(
            "the copy could not be made a self-contained file (it reports “{mode}”)"
        )));
    }
    copy.close().map_err(|(_, e)| e)?;
    Ok(())
}

fn copy_pages(
    source: &Connection,
    copy: &mut Connection,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), StoreError> {
    let backup = Backup::new(source, copy)?;
    loop {
        let step = backup.step(PAGES_PER_STEP)?;
        let p = backup.progress();
        let total = u64::try_from(p.pagecount).unwrap_or(0);
        let remaining = u64::try_from(p.remaining).unwrap_or(0);
        progress(total.saturating_sub(remaining), total);
        match step {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            // Only the copy's own file can be busy; give it a moment.
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Opens a backup read-only, after checking it is a whole Tickets database
/// this version can read.
fn open_backup(path: &Path) -> Result<Connection, StoreError> {
    let refuse = |reason: &str| StoreError::NotTickets {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse("there is no file there"));
        }
        Err(e) => return Err(e.into()),
    };
    if meta.is_dir() {
        return Err(refuse("it is a folder"));
    }
    if meta.len() == 0 {
        return Err(refuse("it is empty"));
    }
    // The header first, without SQLite: text files, images, other programs'
    // databases and files from a newer Tickets are turned away here.
    // Only read: a backup on read-only media, or set read-only, will do.
    check_contents(path, &meta)?;
    let (conn, identity) = open_untouched(path)?;
    if identity.application_id != APPLICATION_ID {
        return Err(refuse("it is not a Tickets backup"));
    }
    if identity.version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: identity.version,
            supported: SCHEMA_VERSION,
        });
    }
    let problems = integrity_problems(&conn).map_err(|e| StoreError::from_open(path, e))?;
    if !problems.is_empty() {
        return Err(StoreError::Damaged {
            path: path.to_path_buf(),
            detail: problems.join("; "),
        });
    }
    Ok(conn)
}

/// What `PRAGMA integrity_check` finds wrong (at most five problems), or nothing.
fn integrity_problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare("PRAGMA integrity_check(5)")?;
    let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
    let mut problems = Vec::new();
    for row in rows {
        let row = row?;
        if row != "ok" {
            problems.push(row);
        }
    }
    Ok(problems)
}

/// Moves the database at `db` aside as a before-restore file. A database
/// with a write-ahead log has the log folded in first, which also tells
/// whether another connection still has it open (then nothing is moved).
fn set_aside(db: &Path, now: DateTime<Utc>) -> Result<BackupFile, StoreError> {
    if beside(db, "-wal").exists() {
        fold_in_log(db)?;
    }
    let (kept, sequence) = free_name(db, BackupKind::BeforeRestore, now)?;
    move_with_sidecars(db, &kept)?;
    Ok(BackupFile {
        bytes: std::fs::metadata(&kept)?.len(),
        path: kept,
        made: now,
        kind: BackupKind::BeforeRestore,
        compressed: false,
        delta: false,
        sequence,
    })
}

/// Checkpoints the write-ahead log into the file and leaves write-ahead
/// logging, so the file alone holds everything. SQLite allows leaving it only
/// when no other connection has the file open; if one has, the restore is
/// refused. A file SQLite cannot read is left as it is (it is moved with its
/// log).
fn fold_in_log(db: &Path) -> Result<(), StoreError> {
    let in_use = || {
        StoreError::NotAllowed(format!(
            "“{}” is open in another Tickets window or program; close it there, then restore again. Nothing was changed",
            db.display()
        ))
    };
    let conn = match Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(conn) => conn,
        Err(_) => return Ok(()),
    };
    conn.busy_timeout(RESTORE_WAIT)?;
    let left = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .and_then(|()| {
            conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
        });
    match left {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => {
            conn.close().map_err(|(_, e)| e)?;
            Ok(())
        }
        Ok(_) => Err(in_use()),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
            ) =>
        {
            Err(in_use())
        }
        // Damaged, not a database, read-only: move it as it is.
        Err(_) => Ok(()),
    }
}

/// Renames `from` to `to`, with SQLite's files beside it (`-wal`, `-shm`,
/// `-journal`) renamed to match, so a log never meets another file.
fn move_with_sidecars(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = beside(from, suffix);
        if side.exists() {
            std::fs::rename(&side, beside(to, suffix))?;
        }
    }
    if let Some(folder) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_folder(folder)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backup_names_read_back_and_nothing_else_does() {
        let names = Names::of(Path::new("/data/tickets.db"));
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 9, 30, 12).unwrap();
        let first = names.name(BackupKind::Backup, at, 1, Form::Compressed);
        assert_eq!(
            first,
            Path::new("/data/tickets.backup-2026-11-24T093012Z.db.zst")
        );
        let old = names.name(BackupKind::Backup, at, 2, Form::Plain);
        assert_eq!(
            old,
            Path::new("/data/tickets.backup-2026-11-24T093012Z-2.db")
        );
        let third = names.name(BackupKind::BeforeRestore, at, 3, Form::Plain);
        assert_eq!(
            third,
            Path::new("/data/tickets.before-restore-2026-11-24T093012Z-3.db")
        );
        let changes = names.name(BackupKind::Backup, at, 4, Form::Changes);
        assert_eq!(
            changes,
            Path::new("/data/tickets.backup-2026-11-24T093012Z-4.db.delta.zst")
        );
        for (path, kind, sequence, form) in [
            (&first, BackupKind::Backup, 1, Form::Compressed),
            (&old, BackupKind::Backup, 2, Form::Plain),
            (&third, BackupKind::BeforeRestore, 3, Form::Plain),
            (&changes, BackupKind::Backup, 4, Form::Changes),
        ] {
            let name = path.file_name().unwrap().to_string_lossy();
            assert_eq!(names.parse(&name), Some((kind, at, sequence, form)));
            // The database's names are read back from any of its backups' names.
            if kind == BackupKind::BeforeRestore {
                assert!(Names::of_backup(path).is_none());
                continue;
            }
            let back = Names::of_backup(path).unwrap();
            assert_eq!(
                (back.folder, back.stem, back.extension),
                (
                    names.folder.clone(),
                    names.stem.clone(),
                    names.extension.clone()
                )
            );
        }
        for other in [
            "tickets.db.zst",
            "tickets.before-restore-2026-11-24T093012Z.db.zst",
            "tickets.before-restore-2026-11-24T093012Z.db.delta.zst",
            "tickets.backup-2026-11-24T093012Z.db.delta",
            "tickets.backup-2026-11-24T093012Z.db.delta.zst.zst",
            "tickets.backup-2026-11-24T093012Z.delta.zst",
            "tickets.backup-2026-11-24T093012Z.db.zst.zst",
            "tickets.backup-2026-11-24T093012Z.zst",
            "tickets.backup-2026-11-24T093012Z.db.zst-journal",
            "tickets.db",
            "tickets.backup-2026-11-24T093012Z.db-wal",
            "tickets.backup-2026-11-24T093012Z.db.txt",
            "tickets.backup-2026-11-24T093012Z-1.db",
            "tickets.backup-2026-11-24T093012Z-02.db",
            "tickets.backup-2026-13-24T093012Z.db",
            "tickets.backup-2026-11-24T093012Z.backup-2026-11-24T093012Z.db",
            "other.backup-2026-11-24T093012Z.db",
            ".tickets.x1y2.partial",
        ] {
            assert_eq!(names.parse(other), None, "{other}");
        }
    }

    #[test]
    fn a_file_without_extension_gets_db_backups() {
        let names = Names::of(Path::new("desk"));
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            names.name(BackupKind::Backup, at, 1, Form::Compressed),
            Path::new("./desk.backup-2026-01-02T030405Z.db.zst")
        );
    }

    #[test]
    fn a_database_named_zst_gets_backups_of_both_kinds_read_back() {
        // The database's own extension is the compressed suffix: each name
        // still means one thing.
        // And a database named .delta: every form is still one name.
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        for (db, name, form) in [
            (
                "desk.zst",
                "desk.backup-2026-01-02T030405Z.zst",
                Form::Plain,
            ),
            (
                "desk.zst",
                "desk.backup-2026-01-02T030405Z.zst.zst",
                Form::Compressed,
            ),
            (
                "desk.zst",
                "desk.backup-2026-01-02T030405Z.zst.delta.zst",
                Form::Changes,
            ),
            (
                "desk.delta",
                "desk.backup-2026-01-02T030405Z.delta.zst",
                Form::Compressed,
            ),
            (
                "desk.delta",
                "desk.backup-2026-01-02T030405Z.delta.delta.zst",
                Form::Changes,
            ),
        ] {
            let names = Names::of(&Path::new("/data").join(db));
            assert_eq!(
                names.parse(name),
                Some((BackupKind::Backup, at, 1, form)),
                "{name}"
            );
        }
    }
}
