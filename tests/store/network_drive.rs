//! Files on network drives: refused, or with `--allow-network-drive` kept
//! for one program at a time. There is no network drive here, so the
//! one-at-a-time opening is asked for directly ([`Store::open_for_one`]), as
//! the allowance asks for it on one; the refusal itself, which depends on
//! what the file is on, is covered where the drive is told
//! (`src/store/sqlite/drive.rs`) and by the ignored test below on a real one.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::fixtures::{fixed_clock, new_ticket, open_store, sidecars};
use rusqlite::Connection;
use tickets::store::{Store, StoreError};

/// The journal mode the file's header says it is in: 1 a rollback journal, 2 a write-ahead log.
fn header_journal(path: &Path) -> (u8, u8) {
    let bytes = std::fs::read(path).unwrap();
    (bytes[18], bytes[19])
}

#[test]
fn a_file_kept_for_one_agent_keeps_every_other_program_out_until_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let clock = fixed_clock();
    let mut first = Store::open_for_one(&path, clock.clone()).unwrap();
    let dana = first.add_agent("Dana", "").unwrap();
    let n = first.create_ticket(dana, &new_ticket("Printer")).unwrap();

    // Another Tickets, allowed the same network drive, is told why at once.
    let started = Instant::now();
    let err = Store::open_for_one(&path, clock.clone()).unwrap_err();
    assert!(
        matches!(&err, StoreError::NetworkDriveInUse { path: p } if p == &path),
        "{err:?}"
    );
    let said = err.to_string();
    assert!(
        said.contains("open in another Tickets") && said.contains("Close it there"),
        "{said}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it waited {:?}",
        started.elapsed()
    );
    // Any other program (sqlite3 on another computer) is locked out too.
    let other = Connection::open(&path).unwrap();
    other.busy_timeout(Duration::ZERO).unwrap();
    let read = other.query_row("SELECT count(*) FROM ticket", [], |r| r.get::<_, i64>(0));
    assert_eq!(
        read.unwrap_err().sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy)
    );
    drop(other);
    // Its own changes go on while the others are refused.
    first.create_ticket(dana, &new_ticket("Scanner")).unwrap();

    drop(first);
    let second = Store::open_for_one(&path, clock).unwrap();
    assert_eq!(second.load_ticket(n).unwrap().subject, "Printer");
    assert_eq!(second.count_tickets(&Default::default()).unwrap(), 2);
}

#[test]
fn a_file_kept_for_one_agent_keeps_a_rollback_journal_and_no_shared_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let clock = fixed_clock();
    // Made on a local disk (a write-ahead log), then put on the network drive.
    {
        let mut store = open_store(&path, &clock);
        let dana = store.add_agent("Dana", "").unwrap();
        store.create_ticket(dana, &new_ticket("Printer")).unwrap();
    }
    assert_eq!(header_journal(&path), (2, 2));

    let mut store = Store::open_for_one(&path, clock.clone()).unwrap();
    let dana = store.agents().unwrap()[0].id;
    store.create_ticket(dana, &new_ticket("Scanner")).unwrap();
    // A rollback journal, which SQLite keeps while it holds the file.
    let beside: Vec<PathBuf> = sidecars(&path);
    assert_eq!(
        beside,
        vec![PathBuf::from(format!("{}-journal", path.display()))],
        "no log, no shared memory beside it while open"
    );
    assert_eq!(header_journal(&path), (1, 1));
    drop(store);
    assert_eq!(sidecars(&path), Vec::<PathBuf>::new(), "left beside it");

    // Back on a local disk it is shared again, through the log, with its tickets.
    let store = open_store(&path, &clock);
    assert_eq!(header_journal(&path), (2, 2));
    assert_eq!(store.count_tickets(&Default::default()).unwrap(), 2);
}

#[test]
fn a_file_on_this_computers_own_disk_opens_shared() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let clock = fixed_clock();
    let mut first = open_store(&path, &clock);
    let dana = first.add_agent("Dana", "").unwrap();
    let n = first.create_ticket(dana, &new_ticket("Printer")).unwrap();
    // A second window on the same file, as ever.
    let second = open_store(&path, &clock);
    assert_eq!(second.load_ticket(n).unwrap().subject, "Printer");
}

/// A tmpfs is memory of this computer: what a network drive is not.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "mounts a tmpfs, which needs root: run with --ignored as root"]
fn a_file_on_a_tmpfs_mount_opens_shared() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16m", "tickets-test"])
        .arg(dir.path())
        .status()
        .expect("run mount");
    assert!(status.success(), "mount failed: {status}");
    let path = dir.path().join("tickets.db");
    let opened = Store::open(&path, fixed_clock()).map(|_| ());
    let unmounted = std::process::Command::new("umount")
        .arg(dir.path())
        .status();
    opened.unwrap();
    assert!(unmounted.unwrap().success());
}

/// On a real network drive: set `TICKETS_NETWORK_FOLDER` to a writable
/// folder on one (an NFS or SMB mount, sshfs…).
#[test]
#[ignore = "needs a folder on a network drive, named by TICKETS_NETWORK_FOLDER"]
fn a_file_on_a_network_drive_is_refused_untouched() {
    let folder = std::env::var_os("TICKETS_NETWORK_FOLDER")
        .expect("TICKETS_NETWORK_FOLDER names a folder on a network drive");
    let path = Path::new(&folder).join(format!("tickets-test-{}.db", std::process::id()));
    let err = Store::open(&path, fixed_clock()).unwrap_err();
    assert!(
        matches!(&err, StoreError::NetworkDrive { path: p, .. } if p == &path),
        "{err:?}"
    );
    assert!(err.to_string().contains("--allow-network-drive"), "{err}");
    assert!(!path.exists(), "nothing is created on the drive");
}
