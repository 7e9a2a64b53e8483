//! Opening database files: new, existing, foreign, too new, old, empty.
//!
//! A file that is not a Tickets database, or that a newer Tickets wrote, must
//! be refused before anything is written to it or beside it.

use std::path::{Path, PathBuf};

use crate::fixtures::{bytes, fixed_clock, identity, new_ticket, open_store, sidecars, t0};
use rusqlite::Connection;
use tickets::domain::{Status, TicketNumber, to_millis};
use tickets::store::schema::{APPLICATION_ID, SCHEMA_VERSION, migrate_to};
use tickets::store::{ListRequest, Store, StoreError, TicketFilter};

/// Asserts that opening `path` is refused as not a Tickets database and that
/// the file, and the folder around it, are exactly as they were.
fn assert_refused_untouched(path: &Path) {
    let before = bytes(path);
    let folder_before = folder(path);
    let err = Store::open(path, fixed_clock()).unwrap_err();
    match &err {
        StoreError::NotTickets { path: p, .. } => assert_eq!(p, path),
        other => panic!("expected NotTickets for {}, got {other:?}", path.display()),
    }
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(bytes(path), before, "the file's bytes changed");
    assert_eq!(
        sidecars(path),
        Vec::<PathBuf>::new(),
        "files left beside it"
    );
    assert_eq!(folder(path), folder_before);
}

/// The names in the file's folder, sorted.
fn folder(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn search(store: &Store, text: &str) -> Vec<TicketNumber> {
    let request = ListRequest {
        filter: TicketFilter {
            text: text.to_owned(),
            ..TicketFilter::default()
        },
        limit: 50,
        ..ListRequest::default()
    };
    store
        .list_tickets(&request)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.number)
        .collect()
}

#[test]
fn a_new_path_becomes_a_database_that_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.tickets");
    let clock = fixed_clock();
    let (dana, n) = {
        let mut store = open_store(&path, &clock);
        assert_eq!(store.path(), Some(path.as_path()));
        let dana = store.add_agent("Dana", "").unwrap();
        let n = store
            .create_ticket(dana, &new_ticket("Printer on fire"))
            .unwrap();
        store.set_status(dana, n, 1, Status::InProgress).unwrap();
        (dana, n)
    };
    assert!(path.is_file());
    assert_eq!(identity(&path), (APPLICATION_ID, SCHEMA_VERSION));

    let mut store = open_store(&path, &clock);
    let d = store.load_ticket(n).unwrap();
    assert_eq!(d.subject, "Printer on fire");
    assert_eq!(d.status, Status::InProgress);
    assert_eq!(d.created, t0());
    assert_eq!(d.activity.len(), 2);
    assert_eq!(store.agent(dana).unwrap().name, "Dana");
    // Numbering carries on where it left off.
    let next = store.create_ticket(dana, &new_ticket("Second")).unwrap();
    assert_eq!(next, TicketNumber(2));
}

#[cfg(unix)]
#[test]
fn a_new_database_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let clock = fixed_clock();
    let mut store = open_store(&path, &clock);
    store.add_agent("Dana", "").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    // SQLite's files beside it, while open, are private too.
    for side in sidecars(&path) {
        assert_eq!(mode(&side), 0o600, "{}", side.display());
    }
    drop(store);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_text_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("notes.txt");
    std::fs::write(&short, "remember the milk\n").unwrap();
    assert_refused_untouched(&short);

    let long = dir.path().join("essay.txt");
    std::fs::write(
        &long,
        "All work and no play makes Jack a dull boy.\n".repeat(200),
    )
    .unwrap();
    assert_refused_untouched(&long);
}

#[test]
fn a_png_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logo.png");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&path, &png).unwrap();
    assert_refused_untouched(&path);
}

#[test]
fn another_programs_sqlite_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE foo (id INTEGER PRIMARY KEY, bar TEXT);
             INSERT INTO foo (bar) VALUES ('baz'), ('qux');",
        )
        .unwrap();
    }
    assert_eq!(sidecars(&path), Vec::<PathBuf>::new());
    assert_refused_untouched(&path);
    let rows: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM foo", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
}

#[test]
fn another_programs_database_with_its_own_application_id_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stamped.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", 0x1234_5678)
            .unwrap();
    }
    assert_refused_untouched(&path);
}

#[test]
fn a_newer_tickets_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let clock = fixed_clock();
    {
        let mut store = open_store(&path, &clock);
        let dana = store.add_agent("Dana", "").unwrap();
        store
            .create_ticket(dana, &new_ticket("From the future"))
            .unwrap();
    }
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    assert_eq!(sidecars(&path), Vec::<PathBuf>::new());
    let before = bytes(&path);

    let err = Store::open(&path, clock.clone()).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("newer version of Tickets"),
        "{err}"
    );
    assert_eq!(bytes(&path), before);
    assert_eq!(sidecars(&path), Vec::<PathBuf>::new());
    assert_eq!(identity(&path), (APPLICATION_ID, SCHEMA_VERSION + 1));
}

#[test]
fn a_missing_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no such folder");
    let path = missing.join("tickets.db");
    let err = Store::open(&path, fixed_clock()).unwrap_err();
    match &err {
        StoreError::FolderMissing(folder) => assert_eq!(folder, &missing),
        other => panic!("expected FolderMissing, got {other:?}"),
    }
    assert!(!missing.exists(), "the folder was not created");
}

#[test]
fn a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path(), fixed_clock()).unwrap_err();
    assert!(matches!(err, StoreError::NotTickets { .. }), "{err:?}");
    assert_eq!(folder(&dir.path().join("x")), Vec::<String>::new());
}

#[test]
fn a_zero_length_file_becomes_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let clock = fixed_clock();
    {
        let mut store = open_store(&path, &clock);
        let dana = store.add_agent("Dana", "").unwrap();
        store.create_ticket(dana, &new_ticket("First")).unwrap();
    }
    assert_eq!(identity(&path), (APPLICATION_ID, SCHEMA_VERSION));
    let store = open_store(&path, &clock);
    assert_eq!(store.load_ticket(TicketNumber(1)).unwrap().subject, "First");
}

#[test]
fn a_first_version_database_is_upgraded_and_its_rows_become_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let created = to_millis(t0()) - 86_400_000;
    {
        let mut conn = Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        migrate_to(&mut conn, 1).unwrap();
        assert_eq!(
            conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
                .unwrap(),
            1
        );
        conn.execute(
            "INSERT INTO agents (id, name, sort_key, email, active, created_at)
             VALUES (1, 'Dana Reyes', 'dana reyes', 'dana@example.com', 1, ?1)",
            [created],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO customers (id, name, sort_key, email, company, created_at, updated_at)
             VALUES (1, 'Marguerite Okafor', 'marguerite okafor', 'mo@bakery.example', 'Okafor Bakery', ?1, ?1)",
            [created],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO tickets (subject, description, status, priority, customer_id,
                                  created_at, updated_at, customer_key)
             VALUES ('Invoice shows the wrong currency', 'Euros, not pounds', 0, 2, 1, ?1, ?1,
                     'marguerite okafor')",
            [created],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO activity (ticket_id, at, agent_id, kind) VALUES (1, ?1, 1, 'created')",
            [created],
        )
        .unwrap();
    }
    assert_eq!(identity(&path), (APPLICATION_ID, 1));

    let clock = fixed_clock();
    let mut store = open_store(&path, &clock);
    assert_eq!(identity(&path), (APPLICATION_ID, SCHEMA_VERSION));

    let old = TicketNumber(1);
    let d = store.load_ticket(old).unwrap();
    assert_eq!(d.subject, "Invoice shows the wrong currency");
    assert_eq!(d.customer.as_ref().unwrap().name, "Marguerite Okafor");
    assert_eq!(d.activity[0].sentence(), "Dana Reyes created the ticket");

    // The search index was filled from the rows already there.
    assert_eq!(search(&store, "currency"), [old]);
    assert_eq!(search(&store, "CURR"), [old], "prefix, any case");
    assert_eq!(search(&store, "Okafor"), [old]);
    assert_eq!(search(&store, "marg"), [old]);
    assert_eq!(search(&store, "bakery"), [old]);
    assert!(search(&store, "refund").is_empty());
    let found = store.find_customers("okafor", 10).unwrap();
    assert_eq!(found.len(), 1);

    // And it keeps up with new rows and edits.
    let dana = tickets::domain::AgentId(1);
    let new = store
        .create_ticket(dana, &new_ticket("Refund the currency difference"))
        .unwrap();
    assert_eq!(new, TicketNumber(2));
    assert_eq!(search(&store, "currency").len(), 2);
    store.set_subject(dana, old, 1, "Invoice in euros").unwrap();
    assert_eq!(search(&store, "currency"), [new]);
    assert_eq!(search(&store, "euros"), [old]);
    drop(store);

    // Opening it again changes nothing more.
    let store = open_store(&path, &clock);
    assert_eq!(identity(&path), (APPLICATION_ID, SCHEMA_VERSION));
    assert_eq!(search(&store, "euros"), [old]);
}

/// A WAL-mode database of another program, closed, at `path`.
fn foreign_wal_database(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE foo (id INTEGER PRIMARY KEY, bar TEXT);
         INSERT INTO foo (bar) VALUES ('baz');",
    )
    .unwrap();
    drop(conn);
    assert_eq!(sidecars(path), Vec::<PathBuf>::new());
}

#[test]
fn another_programs_wal_database_is_refused_without_files_left_beside_it() {
    // Before the fix, asking SQLite (read-only) about such a file left a -wal
    // and a -shm file beside it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other-wal.db");
    foreign_wal_database(&path);
    assert_refused_untouched(&path);

    // Names that need escaping in a SQLite URI are read as the same file.
    for name in [
        "with space.db",
        "what?.db",
        "hash#1.db",
        "100%.db",
        "été.db",
        "a&b=c.db",
    ] {
        let path = dir.path().join(name);
        foreign_wal_database(&path);
        assert_refused_untouched(&path);
    }
}

#[test]
fn another_programs_database_in_use_is_refused_and_keeps_its_data() {
    // The other program still has it open, its latest changes in its log.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.db");
    let theirs = Connection::open(&path).unwrap();
    theirs
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE foo (id INTEGER PRIMARY KEY, bar TEXT);
             INSERT INTO foo (bar) VALUES ('baz');",
        )
        .unwrap();
    let before = bytes(&path);
    let err = Store::open(&path, fixed_clock()).unwrap_err();
    assert!(matches!(err, StoreError::NotTickets { .. }), "{err:?}");
    assert_eq!(bytes(&path), before);
    let rows: i64 = theirs
        .query_row("SELECT count(*) FROM foo", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn an_empty_sqlite_file_becomes_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
    }
    assert_eq!(bytes(&path)[..16], *b"SQLite format 3\0");
    let clock = fixed_clock();
    let mut store = open_store(&path, &clock);
    store.add_agent("Dana", "").unwrap();
    drop(store);
    assert_eq!(identity(&path), (APPLICATION_ID, SCHEMA_VERSION));
}

#[test]
fn a_second_window_opens_a_new_database_whose_stamp_is_still_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let clock = fixed_clock();
    let mut first = open_store(&path, &clock);
    let dana = first.add_agent("Dana", "").unwrap();
    let n = first
        .create_ticket(dana, &new_ticket("Printer on fire"))
        .unwrap();
    // The file itself does not carry the stamp yet: only its log does.
    let header = bytes(&path);
    assert!(header.len() < 100 || header[68..72] == [0, 0, 0, 0]);
    let second = open_store(&path, &clock);
    assert_eq!(second.load_ticket(n).unwrap().subject, "Printer on fire");
}
