//! Damaged, read-only and full files: each gets a sentence a person
//! understands, nothing panics, and a file the store refuses is left exactly
//! as it was, with nothing left beside it.
//!
//! - a Tickets database cut short (inside the header, after the first page,
//!   mid-file, one byte short) is refused before SQLite writes anything;
//! - bit flips in the header and in the first page (the schema) are refused;
//!   a flip in a data page is only noticed when that page is read: the read
//!   reports the damage, and from the first write that meets it the store
//!   writes nothing more;
//! - a read-only file, or a database in a read-only folder, is refused (the
//!   window has no read-only mode), and a new database is not created in a
//!   read-only folder;
//! - a disk that fills up mid-write (`PRAGMA max_page_count` on the store's
//!   connection) refuses the change whole with "the disk is full", keeps
//!   everything saved before, and takes changes again once there is room.
//!
//! Text files, PNGs, other programs' databases, newer Tickets files and
//! missing folders are in `tests/store_files.rs`.

use std::path::{Path, PathBuf};

use crate::fixtures::{Desk, bytes, fixed_clock, names_in, new_ticket, open_store, sidecars};
use rusqlite::Connection;
use tickets::domain::{Direction, NewTicket, TicketNumber};
use tickets::store::{Store, StoreError};

/// How many tickets the damaged databases hold: enough for the tickets table
/// to span many pages.
const TICKETS: i64 = 120;

/// The subject of ticket `n`: a marker that can be found in the file's bytes.
fn marker(n: i64) -> String {
    format!("marker-{n:05}")
}

/// A closed Tickets database (no files beside it) with [`TICKETS`] tickets,
/// each with a note, a message and a description long enough to fill pages.
fn tickets_database(dir: &Path) -> PathBuf {
    let path = dir.join("tickets.db");
    let clock = fixed_clock();
    let mut store = open_store(&path, &clock);
    let dana = store.add_agent("Dana", "dana@example.com").unwrap();
    for n in 1..=TICKETS {
        let number = store
            .create_ticket(
                dana,
                &NewTicket {
                    subject: marker(n),
                    description: format!("Ticket {n} in detail. ").repeat(12),
                    ..NewTicket::default()
                },
            )
            .unwrap();
        assert_eq!(number, TicketNumber(n));
        store.add_note(dana, number, "Called them back").unwrap();
        store
            .add_message(dana, number, Direction::Inbound, "It still does not work")
            .unwrap();
    }
    drop(store);
    assert_eq!(sidecars(&path), Vec::<PathBuf>::new());
    path
}

/// The file's page size, from its header.
fn page_size(file: &[u8]) -> usize {
    match u16::from_be_bytes([file[16], file[17]]) {
        1 => 65_536,
        n => usize::from(n),
    }
}

/// A closed Tickets database made by [`tickets_database`] in a folder of its
/// own, with its bytes and page size.
struct Original {
    /// Keeps the folder alive.
    _dir: tempfile::TempDir,
    path: PathBuf,
    bytes: Vec<u8>,
    page: usize,
}

impl Original {
    fn new() -> Original {
        let dir = tempfile::tempdir().unwrap();
        let path = tickets_database(dir.path());
        let bytes = bytes(&path);
        let page = page_size(&bytes);
        Original {
            _dir: dir,
            path,
            bytes,
            page,
        }
    }

    /// A copy beside it named `name`, with `change` applied to its bytes.
    fn damaged_copy(&self, name: &str, change: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
        let mut file = self.bytes.clone();
        change(&mut file);
        let path = self.path.with_file_name(name);
        std::fs::write(&path, &file).unwrap();
        path
    }
}

/// Opens `path` expecting a refusal; checks that the file and its folder are
/// exactly as they were and that the message is a sentence, not SQLite's
/// words alone. Returns the error.
fn refused_untouched(path: &Path) -> StoreError {
    let before = bytes(path);
    let folder_before = names_in(path.parent().unwrap());
    let err = match Store::open(path, fixed_clock()) {
        Ok(_) => panic!("{} was opened", path.display()),
        Err(err) => err,
    };
    assert_eq!(
        bytes(path),
        before,
        "{}: the file's bytes changed",
        path.display()
    );
    assert_eq!(
        sidecars(path),
        Vec::<PathBuf>::new(),
        "files left beside it"
    );
    assert_eq!(names_in(path.parent().unwrap()), folder_before);
    assert_clear(&err);
    err
}

/// A message a person can act on: not SQLite's words alone, never a bare
/// "database error".
fn assert_clear(err: &StoreError) {
    let text = err.to_string();
    assert!(!text.starts_with("database error"), "{text}");
    for raw in [
        "database disk image is malformed",
        "file is not a database",
        "attempt to write a readonly database",
        "database or disk is full",
    ] {
        assert_ne!(text, raw);
    }
    assert!(text.len() > 40, "too short to say what happened: {text}");
}

/// Asserts `err` reports `path` as damaged and untouched.
fn assert_damaged(err: &StoreError, path: &Path) {
    match err {
        StoreError::Damaged { path: p, .. } => assert_eq!(p, path),
        other => panic!("{}: expected Damaged, got {other:?}", path.display()),
    }
    let text = err.to_string();
    assert!(text.contains("is damaged"), "{text}");
    assert!(text.contains("left untouched"), "{text}");
}

/// `PRAGMA integrity_check` through a separate connection.
fn integrity(path: &Path) -> String {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

// ---------------------------------------------------------------------------
// Cut short
// ---------------------------------------------------------------------------

#[test]
fn a_database_cut_short_is_refused_untouched() {
    let original = Original::new();
    let (whole, page) = (&original.bytes, original.page);
    assert!(whole.len() > 20 * page, "the database spans many pages");
    let cuts = [
        ("inside the magic", 10),
        ("inside the header", 60),
        ("one byte short of the header", 99),
        ("the header alone", 100),
        ("inside the first page", page / 2),
        ("after the first page", page),
        ("after the second page", 2 * page),
        ("mid-file", (whole.len() / page / 2) * page),
        ("mid-page", whole.len() / 2 + 123),
        ("one byte short", whole.len() - 1),
    ];
    for (what, len) in cuts {
        let path = original.damaged_copy(&format!("cut-{len}.db"), |f| f.truncate(len));
        let err = refused_untouched(&path);
        assert_damaged(&err, &path);
        assert!(err.to_string().contains("cut short"), "{what}: {err}");
    }
    // The original itself still opens and holds everything.
    let store = open_store(&original.path, &fixed_clock());
    assert_eq!(
        store.load_ticket(TicketNumber(TICKETS)).unwrap().subject,
        marker(TICKETS)
    );
}

// ---------------------------------------------------------------------------
// Bit flips
// ---------------------------------------------------------------------------

#[test]
fn a_bit_flip_in_the_header_is_refused_untouched() {
    let original = Original::new();
    // Fields of the 100-byte header SQLite depends on to read the file
    // (https://sqlite.org/fileformat.html#the_database_header).
    let flips: &[(&str, usize, u8)] = &[
        ("the magic string", 0, 0x20),
        ("the magic string's last byte", 15, 0x01),
        ("the page size", 16, 0x40),
        ("the page size, low byte", 17, 0x01),
        ("the write version", 18, 0x01),
        ("the read version", 19, 0x01),
        ("the reserved space", 20, 0x08),
        ("the maximum payload fraction", 21, 0x01),
        ("the minimum payload fraction", 22, 0x01),
        ("the leaf payload fraction", 23, 0x01),
        ("the schema format", 44, 0x04),
        ("the text encoding", 56, 0x02),
    ];
    for &(what, offset, bit) in flips {
        let path = original.damaged_copy(&format!("flip-{offset}.db"), |f| f[offset] ^= bit);
        let err = refused_untouched(&path);
        assert_damaged(&err, &path);
        assert!(!err.to_string().is_empty(), "{what}");
    }
}

/// The byte offsets of `needle` in `haystack`.
fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_bit_flip_in_the_schema_is_refused_untouched() {
    let original = Original::new();

    // The first page's b-tree header, right after the file header.
    let path = original.damaged_copy("flip-page-1.db", |f| f[100] ^= 0x01);
    assert_damaged(&refused_untouched(&path), &path);

    // The cell count of the first page's b-tree.
    let path = original.damaged_copy("flip-cells.db", |f| f[103] ^= 0x40);
    assert_damaged(&refused_untouched(&path), &path);

    // A letter of a table's definition, wherever the schema keeps it.
    let at = find_all(&original.bytes, b"CREATE TABLE tickets");
    assert!(!at.is_empty());
    let path = original.damaged_copy("flip-create.db", |f| {
        for &i in &at {
            f[i + 1] ^= 0x01; // "CSEATE"
        }
    });
    assert_damaged(&refused_untouched(&path), &path);

    // The page the tickets table starts on (its root, named in the schema).
    let root = root_page(&original.path, "tickets");
    assert!(root > 1);
    let path = original.damaged_copy("flip-root.db", |f| f[(root - 1) * original.page] ^= 0x01);
    assert_damaged(&refused_untouched(&path), &path);
}

/// The root page of a table, read through a separate connection before any damage.
fn root_page(path: &Path, table: &str) -> usize {
    let conn = Connection::open(path).unwrap();
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    usize::try_from(root).unwrap()
}

/// The tickets table's leaf pages, in order, through `dbstat`.
fn ticket_leaves(path: &Path) -> Vec<usize> {
    let conn = Connection::open(path).unwrap();
    let pages = conn
        .prepare(
            "SELECT pageno FROM dbstat WHERE name = 'tickets' AND pagetype = 'leaf' ORDER BY path",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|p| usize::try_from(p.unwrap()).unwrap())
        .collect();
    drop(conn);
    pages
}

/// The tickets whose markers stand in one page of the file.
fn markers_in_page(file: &[u8], page: usize, number: usize) -> Vec<i64> {
    let start = (number - 1) * page;
    let content = &file[start..start + page];
    find_all(content, b"marker-")
        .into_iter()
        .map(|i| {
            std::str::from_utf8(&content[i + 7..i + 12])
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

#[test]
fn a_bit_flip_in_a_data_page_is_reported_when_read_and_nothing_more_is_written() {
    let original = Original::new();
    let leaves = ticket_leaves(&original.path);
    assert_eq!(sidecars(&original.path), Vec::<PathBuf>::new());
    assert!(leaves.len() >= 6, "{leaves:?}");
    let page = original.page;
    // A leaf in the middle of the table: neither the first nor the newest tickets.
    let leaf = leaves[leaves.len() / 2];
    let hit = markers_in_page(&original.bytes, page, leaf);
    assert!(!hit.is_empty(), "page {leaf} holds tickets");
    let path = original.damaged_copy("flip-leaf.db", |f| f[(leaf - 1) * page] ^= 0x01);
    let before = bytes(&path);

    // SQLite does not read every page on opening, so this opens...
    let clock = fixed_clock();
    let mut store = Store::open(&path, clock.clone()).expect("opens: the damage is further in");
    // ...tickets elsewhere in the file read as before...
    let first = store.load_ticket(TicketNumber(1)).unwrap();
    assert_eq!(first.subject, marker(1));
    assert_eq!(first.notes.len(), 1);
    // ...and a ticket on the damaged page is reported as damaged.
    let damaged = TicketNumber(hit[0]);
    let err = store.load_ticket(damaged).unwrap_err();
    assert_clear(&err);
    assert_damaged(&err, &path);

    // From the moment a read has met the damage nothing is written, not
    // even to tickets the damage does not touch: writing into a damaged
    // file can spread the damage.
    let dana = store.agents().unwrap()[0].id;
    let err = store
        .create_ticket(dana, &new_ticket("New work"))
        .unwrap_err();
    assert_damaged(&err, &path);
    let err = store.set_subject(dana, damaged, 1, "Fixed?").unwrap_err();
    assert_damaged(&err, &path);
    assert!(err.to_string().contains("Restore a backup"), "{err}");
    let err = store.add_note(dana, TicketNumber(1), "More").unwrap_err();
    assert_damaged(&err, &path);
    // Reads of undamaged tickets still work.
    assert_eq!(store.load_ticket(TicketNumber(1)).unwrap().notes.len(), 1);
    drop(store);

    assert_eq!(bytes(&path), before, "the damaged file was written to");
    assert_eq!(sidecars(&path), Vec::<PathBuf>::new());
}

// ---------------------------------------------------------------------------
// Read-only
// ---------------------------------------------------------------------------

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Makes a file read-only, or writable by its owner again: its mode on
/// Unix, its read-only attribute on Windows.
fn set_read_only(path: &Path, read_only: bool) {
    #[cfg(unix)]
    set_mode(path, if read_only { 0o400 } else { 0o600 });
    #[cfg(not(unix))]
    {
        let mut permissions = std::fs::metadata(path).unwrap().permissions();
        // Off Unix this clears the attribute only: no one else gains access.
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(read_only);
        std::fs::set_permissions(path, permissions).unwrap();
    }
}

/// Asserts `err` reports `path` as read-only and untouched; returns the message.
fn assert_read_only(err: &StoreError, path: &Path) -> String {
    match err {
        StoreError::ReadOnly { path: p, .. } => assert_eq!(p, path),
        other => panic!("expected ReadOnly, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("is read-only"), "{text}");
    assert!(text.contains("left untouched"), "{text}");
    text
}

#[test]
fn a_read_only_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = tickets_database(dir.path());
    set_read_only(&path, true);
    assert_read_only(&refused_untouched(&path), &path);
    // Made writable again, it opens with everything in it.
    set_read_only(&path, false);
    let store = open_store(&path, &fixed_clock());
    assert_eq!(
        store.load_ticket(TicketNumber(TICKETS)).unwrap().subject,
        marker(TICKETS)
    );
}

/// Unix only: Windows's read-only attribute on a folder does not stop files
/// being made in it, and is not read (`src/store/sqlite/os_files.rs`).
#[cfg(unix)]
#[test]
fn a_database_in_a_read_only_folder_is_refused_without_files_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let shelf = dir.path().join("archive");
    std::fs::create_dir(&shelf).unwrap();
    let path = tickets_database(&shelf);
    set_mode(&shelf, 0o500);

    let text = assert_read_only(&refused_untouched(&path), &path);
    assert!(text.contains("archive"), "names the folder: {text}");

    // Nor is a new database made there.
    let new = shelf.join("new.db");
    assert_read_only(&Store::open(&new, fixed_clock()).unwrap_err(), &new);
    assert!(!new.exists());
    assert_eq!(names_in(&shelf), ["tickets.db"]);

    set_mode(&shelf, 0o700);
    let store = open_store(&path, &fixed_clock());
    assert_eq!(
        store.load_ticket(TicketNumber(1)).unwrap().subject,
        marker(1)
    );
}

// ---------------------------------------------------------------------------
// Disk full
// ---------------------------------------------------------------------------

#[test]
fn a_full_disk_refuses_the_change_whole_and_writing_resumes_when_there_is_room() {
    let mut desk = Desk::new();
    let dana = desk.dana;
    let mut saved = Vec::new();
    for n in 1..=5 {
        let t = desk.ticket(&format!("Before the disk filled {n}"));
        desk.store.add_note(dana, t, "Saved before").unwrap();
        saved.push(desk.load(t));
    }
    // Room for a few pages more, then the "disk" is full.
    let pages: u32 = desk
        .raw()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    desk.store.set_max_page_count(pages + 4).unwrap();

    let long = "A long description that fills pages quickly. ".repeat(60);
    let mut done: Vec<TicketNumber> = Vec::new();
    let (half, err, new) = loop {
        assert!(done.len() < 1_000, "the disk never filled");
        let new = NewTicket {
            subject: format!("After {}", done.len()),
            description: long.clone(),
            ..NewTicket::default()
        };
        match desk.store.create_ticket(dana, &new) {
            Ok(t) => match desk.store.add_message(dana, t, Direction::Outbound, &long) {
                Ok(_) => done.push(t),
                Err(e) => break (Some(t), e, new),
            },
            Err(e) => break (None, e, new),
        }
    };
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert_clear(&err);
    let text = err.to_string();
    assert!(text.contains("the disk is full"), "{text}");
    assert!(text.contains("not saved"), "{text}");

    // Nothing half-written: the file is sound, every ticket reported as made
    // is whole, and the change that failed left no trace.
    assert_eq!(integrity(&desk.path), "ok");
    for t in &done {
        let d = desk.load(*t);
        assert_eq!(d.description, long.trim());
        assert_eq!(d.messages.len(), 1);
        assert_eq!(d.activity.len(), 2, "created and replied");
    }
    if let Some(t) = half {
        // The ticket was made; its message was not.
        let d = desk.load(t);
        assert_eq!(d.messages.len(), 0);
        assert_eq!(d.activity.len(), 1);
        assert_eq!(d.first_reply, None);
    }
    let made = done.len() as i64 + i64::from(half.is_some());
    assert_eq!(desk.count("tickets"), 5 + made);
    for before in &saved {
        assert_eq!(&desk.load(before.number), before);
    }

    // Still full: trying the same change again is refused the same way.
    let again = match half {
        Some(t) => desk
            .store
            .add_message(dana, t, Direction::Outbound, &long)
            .map(drop),
        None => desk.store.create_ticket(dana, &new).map(drop),
    };
    assert!(matches!(again, Err(StoreError::DiskFull)), "{again:?}");
    assert_eq!(desk.count("tickets"), 5 + made);

    // Room again: writing carries on, numbering where it left off.
    desk.store.set_max_page_count(u32::MAX).unwrap();
    let next = desk.ticket("After the clean-up");
    assert_eq!(next, TicketNumber(5 + made + 1));
    desk.store.add_note(dana, next, &long).unwrap();
    assert_eq!(desk.load(next).notes.len(), 1);
    drop(desk.store);
    assert_eq!(integrity(&desk.path), "ok");
}
