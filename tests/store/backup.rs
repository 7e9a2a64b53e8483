//! Backups and restore, at the store: what an agent would find in the folder
//! beside their database, and what a restore puts back or refuses. Backups
//! are compressed (`NAME.backup-STAMP.db.zst`); the uncompressed backups
//! older versions made (`NAME.backup-STAMP.db`) still count. All but the
//! newest are kept as the changes since the next newer one
//! (`NAME.backup-STAMP.db.delta.zst`).
//!
//! `TICKETS_BACKUP_TRIALS` sets how many damaged copies of a backup
//! `a_damaged_copy_of_a_backup_is_refused_or_restores_whole` tries of each
//! kind (40 by default).

use std::path::{Path, PathBuf};

use crate::fixtures::{Desk, bytes, new_ticket};
use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use tickets::clock::Clock;
use tickets::domain::{Direction, Status, TicketDetail, TicketNumber};
use tickets::store::{
    BACKUPS_KEPT, BackupFile, BackupKind, ListRequest, Store, StoreError, list_backups,
    restore_backup, verify_backup,
};

/// Every ticket in the file, in full.
fn everything(store: &Store) -> Vec<TicketDetail> {
    let page = store
        .list_tickets(&ListRequest {
            limit: 1000,
            ..ListRequest::default()
        })
        .unwrap();
    page.rows
        .iter()
        .map(|r| store.load_ticket(r.number).unwrap())
        .collect()
}

/// The names in a folder, sorted.
fn folder(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A desk with a few tickets carrying notes, messages, tags and statuses.
fn busy_desk() -> Desk {
    let mut desk = Desk::new();
    for (i, subject) in ["Refund for order 1182", "Login loops", "Invoice in euros"]
        .iter()
        .enumerate()
    {
        desk.at(i64::try_from(i).unwrap() * 10);
        let n = desk.ticket(subject);
        desk.store
            .add_note(desk.dana, n, "Checked the logs")
            .unwrap();
        desk.store
            .add_message(desk.dana, n, Direction::Outbound, "We are on it")
            .unwrap();
        desk.store.add_tag(desk.dana, n, "billing").unwrap();
        let v = desk.version(n);
        desk.store
            .set_status(desk.dana, n, v, Status::InProgress)
            .unwrap();
    }
    desk
}

fn backup(store: &Store) -> BackupFile {
    store.backup_now(&mut |_, _| {}).unwrap()
}

/// The SQLite file a compressed backup holds, unpacked.
fn unpacked(backup: &Path) -> Vec<u8> {
    zstd::decode_all(std::fs::File::open(backup).unwrap()).unwrap()
}

/// The SQLite file a compressed backup holds, unpacked to `to` (not beside
/// the database, where it could pass for a backup).
fn unpack_to(backup: &Path, to: &Path) -> PathBuf {
    std::fs::write(to, unpacked(backup)).unwrap();
    to.to_path_buf()
}

/// Where the whole backup at `path` is once a newer backup has kept it as
/// the changes since (`NAME.backup-STAMP.db.delta.zst`).
fn as_changes(path: &Path) -> PathBuf {
    let name = path.to_string_lossy();
    PathBuf::from(format!(
        "{}.delta.zst",
        name.strip_suffix(".zst").unwrap_or(&name)
    ))
}

/// `backup` as it is listed once a newer backup has kept it as changes:
/// the same backup, made at the same moment, under its changes name.
fn kept_as_changes(backup: &BackupFile, listed: &BackupFile) {
    assert_eq!(
        (
            &listed.path,
            listed.made,
            listed.kind,
            listed.compressed,
            listed.delta
        ),
        (
            &as_changes(&backup.path),
            backup.made,
            backup.kind,
            true,
            true
        )
    );
    assert!(!backup.path.exists(), "{}", backup.path.display());
    assert_eq!(listed.bytes, bytes(&listed.path).len() as u64);
}

/// The first bytes of every zstd frame.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// An uncompressed backup as Tickets made them before compressing (the
/// online backup API's copy, in rollback-journal mode), made now and named
/// as made at `made`: what a user upgrading has beside their database.
fn old_backup(desk: &Desk, made: DateTime<Utc>) -> PathBuf {
    let path = desk.dir.path().join(format!(
        "tickets.backup-{}.db",
        made.format("%Y-%m-%dT%H%M%SZ")
    ));
    desk.raw()
        .backup(
            rusqlite::MAIN_DB,
            &path,
            None::<fn(rusqlite::backup::Progress)>,
        )
        .unwrap();
    let copy = rusqlite::Connection::open(&path).unwrap();
    let mode: String = copy
        .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    drop(copy);
    assert!(!bytes(&path).starts_with(&ZSTD_MAGIC));
    path
}

#[test]
fn a_database_round_trips_through_backup_and_restore() {
    let mut desk = busy_desk();
    // A view shared with the team is in the file too.
    let shared = tickets::store::views::SavedView {
        name: "In progress".to_owned(),
        filter: tickets::store::TicketFilter {
            statuses: vec![Status::InProgress],
            ..Default::default()
        },
        sort: Default::default(),
    };
    desk.store.share_view(desk.dana, &shared).unwrap();
    let views_before = desk.store.shared_views().unwrap();
    let before = everything(&desk.store);
    let made = backup(&desk.store);
    assert_eq!(made.kind, BackupKind::Backup);
    assert_eq!(made.path.parent(), desk.path.parent());
    // Compressed, under a name that says so, and smaller than the database.
    assert!(made.compressed);
    let name = made
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("tickets.backup-2024-03-04T") && name.ends_with(".db.zst"),
        "{name}"
    );
    let packed = bytes(&made.path);
    assert!(packed.starts_with(&ZSTD_MAGIC));
    assert_eq!(made.bytes, packed.len() as u64);
    let inside = unpacked(&made.path);
    assert!(inside.starts_with(b"SQLite format 3\0"));
    // One frame that records the size of what it holds, and (bit 2 of its
    // header descriptor, RFC 8878 3.1.1.1.1) a checksum of it, so damage
    // that still unpacks is found.
    assert_eq!(
        zstd::zstd_safe::get_frame_content_size(&packed).ok(),
        Some(Some(inside.len() as u64))
    );
    assert_ne!(packed[4] & 0b100, 0, "no content checksum");
    assert!(
        made.bytes * 2 < inside.len() as u64,
        "{} bytes packed from {}",
        made.bytes,
        inside.len()
    );
    verify_backup(&made.path).unwrap();

    // Work goes on after the backup.
    desk.at(60);
    let later = desk.ticket("Printer on fire");
    let v = desk.version(TicketNumber(1));
    desk.store
        .set_status(desk.dana, TicketNumber(1), v, Status::Closed)
        .unwrap();
    let after = everything(&desk.store);
    let Desk {
        dir,
        path,
        clock,
        store,
        ..
    } = desk;
    drop(store);

    clock.advance(Duration::minutes(5));
    let kept = restore_backup(&path, &made.path, clock.as_ref())
        .unwrap()
        .expect("the replaced database is kept");
    assert_eq!(kept.kind, BackupKind::BeforeRestore);

    // The database is the backup again, and works.
    let mut restored = Store::open(&path, clock.clone()).unwrap();
    assert_eq!(everything(&restored), before);
    assert_eq!(restored.shared_views().unwrap(), views_before);
    let dana = restored.agents().unwrap()[0].id;
    assert_eq!(
        restored
            .create_ticket(dana, &new_ticket("After the restore"))
            .unwrap(),
        later,
        "numbering carries on from the backup"
    );
    // The database as it was before the restore is kept, whole.
    let replaced = Store::open(&kept.path, clock.clone()).unwrap();
    assert_eq!(everything(&replaced), after);
    // The backup itself is still there, and both show in the list, newest first.
    let listed = list_backups(&path).unwrap();
    assert_eq!(
        listed.iter().map(|b| b.path.clone()).collect::<Vec<_>>(),
        [kept.path.clone(), made.path.clone()]
    );
    drop(dir);
}

#[test]
fn an_uncompressed_backup_from_before_is_listed_checked_and_restored() {
    let mut desk = busy_desk();
    let before = everything(&desk.store);
    let yesterday = desk.clock.now() - Duration::days(1);
    let old = old_backup(&desk, yesterday);
    desk.at(60);
    desk.ticket("Written after the old backup");

    // Listed as it is, uncompressed, and it counts as yesterday's backup.
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (&listed[0].path, listed[0].kind, listed[0].compressed),
        (&old, BackupKind::Backup, false)
    );
    assert_eq!(listed[0].made, yesterday.with_nanosecond(0).unwrap());
    assert_eq!(listed[0].bytes, bytes(&old).len() as u64);
    assert!(tickets::store::backup_due(&desk.path, desk.clock.now(), &Utc).unwrap());
    verify_backup(&old).unwrap();

    let old_bytes = bytes(&old);
    let Desk {
        dir,
        path,
        clock,
        store,
        ..
    } = desk;
    drop(store);
    let kept = restore_backup(&path, &old, clock.as_ref())
        .unwrap()
        .expect("the replaced database is kept");
    assert_eq!(
        everything(&Store::open(&path, clock.clone()).unwrap()),
        before
    );
    assert_eq!(
        Store::open(&kept.path, clock.clone())
            .unwrap()
            .count_tickets(&Default::default())
            .unwrap(),
        4
    );
    assert_eq!(bytes(&old), old_bytes, "the old backup changed");
    drop(dir);
}

#[test]
fn a_restore_puts_a_backup_where_the_database_is_missing() {
    let desk = busy_desk();
    let before = everything(&desk.store);
    let made = backup(&desk.store);
    let other = desk.dir.path().join("elsewhere.db");
    assert_eq!(
        restore_backup(&other, &made.path, desk.clock.as_ref()).unwrap(),
        None
    );
    assert_eq!(
        everything(&Store::open(&other, desk.clock.clone()).unwrap()),
        before
    );

    let nowhere = desk.dir.path().join("no such folder").join("tickets.db");
    let err = restore_backup(&nowhere, &made.path, desk.clock.as_ref()).unwrap_err();
    assert!(matches!(err, StoreError::FolderMissing(_)), "{err:?}");
}

#[test]
fn the_automatic_backup_is_made_at_most_once_a_day() {
    let desk = busy_desk();
    let store = &desk.store;
    let day = |b: &BackupFile| b.made.date_naive();
    desk.clock
        .set(Utc.with_ymd_and_hms(2024, 3, 4, 9, 0, 0).unwrap());
    let first = store
        .backup_if_due(&Utc, &mut |_, _| {})
        .unwrap()
        .expect("no backup yet");
    // Later the same day: nothing new.
    for hours in [0, 1, 14] {
        desk.clock
            .set(Utc.with_ymd_and_hms(2024, 3, 4, 9, 0, 0).unwrap() + Duration::hours(hours));
        assert_eq!(
            store.backup_if_due(&Utc, &mut |_, _| {}).unwrap(),
            None,
            "+{hours}h"
        );
    }
    // The next day: one more, then none again.
    desk.clock
        .set(Utc.with_ymd_and_hms(2024, 3, 5, 0, 30, 0).unwrap());
    let second = store
        .backup_if_due(&Utc, &mut |_, _| {})
        .unwrap()
        .expect("a new day");
    assert_eq!(store.backup_if_due(&Utc, &mut |_, _| {}).unwrap(), None);
    // The first is now kept as the changes since the second.
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], second);
    kept_as_changes(&first, &listed[1]);
    assert_eq!(
        (day(&first).to_string(), day(&second).to_string()),
        ("2024-03-04".to_owned(), "2024-03-05".to_owned())
    );

    // A backup made by hand counts as the day's backup.
    desk.clock
        .set(Utc.with_ymd_and_hms(2024, 3, 6, 8, 0, 0).unwrap());
    backup(store);
    assert_eq!(store.backup_if_due(&Utc, &mut |_, _| {}).unwrap(), None);
    assert_eq!(list_backups(&desk.path).unwrap().len(), 3);
}

#[test]
fn a_new_empty_database_is_not_backed_up_until_it_holds_something() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let clock = std::sync::Arc::new(tickets::clock::FixedClock::new(
        Utc.with_ymd_and_hms(2024, 3, 4, 9, 0, 0).unwrap(),
    ));
    let mut store = Store::open(&path, clock.clone()).unwrap();
    // A first start: nothing to lose, so no "Backed up" before anything is in it.
    assert_eq!(store.backup_if_due(&Utc, &mut |_, _| {}).unwrap(), None);
    assert!(list_backups(&path).unwrap().is_empty());
    store.add_agent("Dana", "dana@example.com").unwrap();
    let made = store.backup_if_due(&Utc, &mut |_, _| {}).unwrap();
    assert!(made.is_some(), "an agent is worth keeping");
    assert_eq!(list_backups(&path).unwrap().len(), 1);
}

#[test]
fn copies_left_by_a_killed_backup_are_cleared_by_the_next_one() {
    let desk = busy_desk();
    let folder = desk.dir.path();
    // A backup killed mid-copy hours ago left its temporary file (and
    // journal); one started a moment ago by another window is still at work.
    let abandoned = folder.join(".tickets.a1b2c3.partial");
    let abandoned_journal = folder.join(".tickets.a1b2c3.partial-journal");
    let working = folder.join(".tickets.d4e5f6.partial");
    let theirs = folder.join(".other.g7h8i9.partial");
    for path in [&abandoned, &abandoned_journal, &working, &theirs] {
        std::fs::write(path, "half a copy").unwrap();
    }
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(24 * 3600);
    for path in [&abandoned, &abandoned_journal, &theirs] {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }

    backup(&desk.store);
    assert!(!abandoned.exists(), "the abandoned copy is cleared");
    assert!(!abandoned_journal.exists(), "and its journal");
    assert!(working.exists(), "a copy still being made is left alone");
    assert!(theirs.exists(), "another database's files are left alone");
}

#[test]
fn the_newest_seven_backups_are_kept() {
    let desk = busy_desk();
    // A file a restore kept, and a file that is nothing to do with backups.
    let unrelated = desk.dir.path().join("tickets.backup-notes.txt");
    std::fs::write(&unrelated, "keep me").unwrap();
    let before_restore = desk
        .dir
        .path()
        .join("tickets.before-restore-2024-03-01T000000Z.db");
    unpack_to(&backup(&desk.store).path, &before_restore);

    let mut made = Vec::new();
    for _ in 0..10 {
        desk.clock.advance(Duration::days(1));
        made.push(backup(&desk.store).path);
    }
    // Two in the same second get different names.
    made.push(backup(&desk.store).path);
    assert_ne!(made[9], made[10]);

    let listed = list_backups(&desk.path).unwrap();
    let backups: Vec<PathBuf> = listed
        .iter()
        .filter(|b| b.kind == BackupKind::Backup)
        .map(|b| b.path.clone())
        .collect();
    // The newest whole, the six before it kept as changes.
    let newest: Vec<PathBuf> = made
        .iter()
        .rev()
        .take(BACKUPS_KEPT)
        .enumerate()
        .map(|(i, p)| if i == 0 { p.clone() } else { as_changes(p) })
        .collect();
    assert_eq!(backups, newest);
    for gone in made.iter().rev().skip(BACKUPS_KEPT) {
        assert!(!gone.exists(), "{} should be deleted", gone.display());
        let changes = as_changes(gone);
        assert!(!changes.exists(), "{} should be deleted", changes.display());
    }
    assert!(unrelated.exists());
    assert!(before_restore.exists());
    assert_eq!(
        listed.last().map(|b| (b.kind, b.path.clone())),
        Some((BackupKind::BeforeRestore, before_restore))
    );
}

#[test]
fn rotation_counts_old_uncompressed_and_new_compressed_backups_together() {
    let desk = busy_desk();
    let day = |n: i64| desk.clock.now() + Duration::days(n);
    // An upgraded user's folder: uncompressed backups from days 0, 2 and 4.
    let old: Vec<PathBuf> = [0, 2, 4]
        .iter()
        .map(|&n| old_backup(&desk, day(n)))
        .collect();
    // Compressed ones made on days 1, 3, 5, 6, 7, 8: nine backups in all,
    // one a day, the two kinds interleaved.
    let mut new = Vec::new();
    let start = desk.clock.now();
    for n in [1, 3, 5, 6, 7, 8] {
        desk.clock.set(start + Duration::days(n));
        new.push(backup(&desk.store).path);
    }
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(listed.len(), BACKUPS_KEPT);
    // The two oldest went, whatever their kind: day 0 (uncompressed) and
    // day 1 (compressed). Newest first: 8, 7, 6, 5, 4, 3, 2. Each newest
    // backup was kept as changes when the next one was made (day 4's, an
    // uncompressed one, too); days 2 and 3 were not the newest then.
    assert!(!old[0].exists(), "day 0 should be deleted");
    assert!(!new[0].exists(), "day 1 should be deleted");
    assert!(!as_changes(&new[0]).exists(), "day 1 should be deleted");
    let expected = [
        new[5].clone(),
        as_changes(&new[4]),
        as_changes(&new[3]),
        as_changes(&new[2]),
        as_changes(&old[2]),
        new[1].clone(),
        old[1].clone(),
    ];
    assert_eq!(
        listed.iter().map(|b| b.path.clone()).collect::<Vec<_>>(),
        expected,
    );
    assert_eq!(
        listed.iter().map(|b| b.compressed).collect::<Vec<_>>(),
        [true, true, true, true, true, true, false]
    );
    assert_eq!(
        listed.iter().map(|b| b.delta).collect::<Vec<_>>(),
        [false, true, true, true, true, false, false]
    );
    for b in &listed {
        verify_backup(&b.path).unwrap_or_else(|e| panic!("{}: {e}", b.path.display()));
    }
    let mut days: Vec<_> = listed.iter().map(|b| b.made).collect();
    days.dedup();
    assert_eq!(days.len(), BACKUPS_KEPT, "each backup keeps its own moment");

    // A new compressed backup in the same second as an old uncompressed one
    // takes the next sequence number, not the same name with .zst.
    let same_second = old_backup(&desk, desk.clock.now() + Duration::days(1));
    desk.clock.advance(Duration::days(1));
    let made = backup(&desk.store);
    let name = made
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.ends_with("-2.db.zst"), "{name}");
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(listed[0].path, made.path);
    assert_eq!(listed[1].path, as_changes(&same_second));
    // The day's backup is made, whichever kind it was.
    assert!(!tickets::store::backup_due(&desk.path, desk.clock.now(), &Utc).unwrap());
}

#[cfg(unix)]
#[test]
fn backups_and_kept_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;

    let desk = busy_desk();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let made = backup(&desk.store);
    assert_eq!(mode(&made.path), 0o600);
    let Desk {
        dir,
        path,
        clock,
        store,
        ..
    } = desk;
    drop(store);
    let kept = restore_backup(&path, &made.path, clock.as_ref())
        .unwrap()
        .unwrap();
    assert_eq!(mode(&kept.path), 0o600);
    assert_eq!(mode(&path), 0o600);
    // Nothing else, no temporary file, was left in the folder.
    assert_eq!(folder(dir.path()).len(), 3, "{:?}", folder(dir.path()));
}

#[test]
fn a_backup_is_one_snapshot_even_while_another_window_writes() {
    let mut desk = Desk::new();
    // Large enough (about 6 MB) to be copied in several steps.
    let long = "The customer pasted the whole log here. ".repeat(1500);
    for i in 0..100 {
        let n = desk.ticket(&format!("Ticket {i}"));
        let v = desk.version(n);
        desk.store.set_description(desk.dana, n, v, &long).unwrap();
    }
    let mut other = desk.second_store();
    let dana = desk.dana;
    let mut steps = Vec::new();
    let made = desk
        .store
        .backup_now(&mut |done, total| {
            if steps.is_empty() {
                // Another window raises a ticket while the copy is under way.
                other
                    .create_ticket(dana, &new_ticket("Raised meanwhile"))
                    .unwrap();
            }
            steps.push((done, total));
        })
        .unwrap();
    assert!(steps.len() > 1, "copied in one step: {steps:?}");
    assert!(steps.windows(2).all(|w| w[0].0 < w[1].0), "{steps:?}");
    assert_eq!(steps.last().map(|s| s.0), steps.last().map(|s| s.1));

    // Half the steps copy pages, half compress them.
    assert_eq!(steps[0].1 % 2, 0);
    assert!(
        steps.iter().any(|s| s.0 < s.1 / 2) && steps.iter().any(|s| s.0 > s.1 / 2),
        "{steps:?}"
    );
    let scratch = tempfile::tempdir().unwrap();
    let copy = unpack_to(&made.path, &scratch.path().join("copy.db"));
    let copy = Store::open(&copy, desk.clock.clone()).unwrap();
    assert_eq!(copy.count_tickets(&Default::default()).unwrap(), 100);
    assert_eq!(desk.store.count_tickets(&Default::default()).unwrap(), 101);
}

/// Files that are no backup: their names and bytes. `good` is a whole
/// uncompressed database, `packed` a compressed backup of it.
fn not_backups(desk: &Desk, good: &[u8], packed: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let good = good.to_vec();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.resize(300, 0);
    let foreign = {
        let path = desk.dir.path().join("scratch-foreign.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE songs(title TEXT); INSERT INTO songs VALUES ('x');")
            .unwrap();
        drop(conn);
        let b = bytes(&path);
        std::fs::remove_file(&path).unwrap();
        b
    };
    let too_new = {
        let path = desk.dir.path().join("scratch-new.db");
        std::fs::write(&path, &good).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let b = bytes(&path);
        std::fs::remove_file(&path).unwrap();
        b
    };
    let mut damaged = good.clone();
    // Scribble over the middle of the second page (a table's b-tree page).
    let page = 4096;
    for b in &mut damaged[page + 8..page + 200] {
        *b = 0xA5;
    }
    let pack = |b: &[u8]| zstd::encode_all(b, 3).unwrap();
    let packed = packed.to_vec();
    let mut garbled = packed.clone();
    // Three bytes flipped in the middle of the compressed data.
    let middle = garbled.len() / 2;
    for b in &mut garbled[middle..middle + 3] {
        *b ^= 0xFF;
    }
    // The last four bytes are the checksum of what the frame holds.
    let mut wrong_sum = packed.clone();
    let last = wrong_sum.len() - 1;
    wrong_sum[last] ^= 0x01;
    let mut trailing = packed.clone();
    trailing.extend_from_slice(b"and a stray line\n");
    vec![
        ("notes.txt", b"remember the milk\n".to_vec()),
        ("photo.png", png),
        ("empty.db", Vec::new()),
        ("music.db", foreign.clone()),
        ("newer.db", too_new.clone()),
        ("truncated.db", good[..good.len() / 2].to_vec()),
        ("damaged.db", damaged.clone()),
        // Compressed backups cut short, garbled or with something after
        // them, and compressed files that hold no good backup.
        ("cut.db.zst", packed[..packed.len() / 2].to_vec()),
        ("cut-by-one.db.zst", packed[..packed.len() - 1].to_vec()),
        ("only-the-start.db.zst", packed[..4].to_vec()),
        ("garbled.db.zst", garbled),
        ("wrong-checksum.db.zst", wrong_sum),
        ("trailing.db.zst", trailing),
        ("notes.txt.zst", pack(b"remember the milk\n")),
        ("empty-inside.db.zst", pack(b"")),
        ("music.db.zst", pack(&foreign)),
        ("newer.db.zst", pack(&too_new)),
        ("truncated-inside.db.zst", pack(&good[..good.len() / 2])),
        ("damaged-inside.db.zst", pack(&damaged)),
    ]
}

#[test]
fn a_file_that_is_no_good_backup_is_refused_and_nothing_changes() {
    let desk = busy_desk();
    let made = backup(&desk.store);
    let candidates = not_backups(&desk, &unpacked(&made.path), &bytes(&made.path));
    let Desk {
        dir,
        path,
        clock,
        store,
        ..
    } = desk;
    let before = everything(&store);
    drop(store);
    let db = bytes(&path);
    for (name, content) in candidates {
        let candidate = dir.path().join(name);
        std::fs::write(&candidate, &content).unwrap();
        let listing = folder(dir.path());
        let err = verify_backup(&candidate).unwrap_err();
        let restore_err = restore_backup(&path, &candidate, clock.as_ref()).unwrap_err();
        assert_eq!(err.to_string(), restore_err.to_string());
        let expected = match name {
            "newer.db" | "newer.db.zst" => "newer version of Tickets",
            "damaged.db" | "truncated.db" => "is damaged",
            "cut.db.zst" | "cut-by-one.db.zst" | "only-the-start.db.zst" => {
                "is damaged and cannot be read (its compressed data is cut short"
            }
            "garbled.db.zst" | "wrong-checksum.db.zst" | "trailing.db.zst" => {
                "is damaged and cannot be read (its compressed data cannot be unpacked"
            }
            "truncated-inside.db.zst" | "damaged-inside.db.zst" => "is damaged",
            _ => "is not a Tickets database",
        };
        assert!(err.to_string().contains(expected), "{name}: {err}");
        // The sentence names the file chosen, never a temporary file.
        if !matches!(err, StoreError::TooNew { .. }) {
            assert!(
                err.to_string()
                    .contains(&format!("“{}”", candidate.display())),
                "{name}: {err}"
            );
        }
        assert_eq!(bytes(&path), db, "{name}: the database changed");
        assert_eq!(bytes(&candidate), content, "{name}: the file changed");
        assert_eq!(folder(dir.path()), listing, "{name}: files appeared");
        std::fs::remove_file(&candidate).unwrap();
    }
    for missing in [dir.path().join("gone.db"), dir.path().to_path_buf()] {
        let err = restore_backup(&path, &missing, clock.as_ref()).unwrap_err();
        assert!(
            matches!(err, StoreError::NotTickets { .. }),
            "{}: {err:?}",
            missing.display()
        );
    }
    assert_eq!(
        restore_backup(&path, &path, clock.as_ref())
            .unwrap_err()
            .to_string(),
        "that file is the database itself, not a backup of it"
    );
    assert_eq!(bytes(&path), db);
    assert_eq!(everything(&Store::open(&path, clock).unwrap()), before);
}

#[test]
fn a_database_open_in_another_window_is_not_replaced() {
    let desk = busy_desk();
    let made = backup(&desk.store);
    let mut desk = desk;
    desk.at(90);
    desk.ticket("Written after the backup");
    let listing = folder(desk.dir.path());
    let err = restore_backup(&desk.path, &made.path, desk.clock.as_ref()).unwrap_err();
    assert!(
        err.to_string()
            .contains("is open in another Tickets window"),
        "{err}"
    );
    assert_eq!(folder(desk.dir.path()), listing);
    // The window that has it open carries on, with everything.
    assert_eq!(desk.store.count_tickets(&Default::default()).unwrap(), 4);
    desk.ticket("And after the refusal");
    assert_eq!(
        desk.second_store()
            .count_tickets(&Default::default())
            .unwrap(),
        5
    );
}

#[test]
fn a_file_that_cannot_be_opened_is_kept_byte_for_byte_when_a_backup_replaces_it() {
    let desk = busy_desk();
    let before = everything(&desk.store);
    let made = backup(&desk.store);
    let Desk {
        dir, path, clock, ..
    } = desk;
    let text = b"Not a database: somebody saved their notes here.\n".repeat(20);
    // The database file is replaced by a text file, with a stale log beside it.
    std::fs::write(&path, &text).unwrap();
    let wal = dir.path().join("tickets.db-wal");
    std::fs::write(&wal, b"stale log").unwrap();
    assert!(Store::open(&path, clock.clone()).is_err());

    let kept = restore_backup(&path, &made.path, clock.as_ref())
        .unwrap()
        .unwrap();
    assert_eq!(bytes(&kept.path), text);
    let mut kept_wal = kept.path.clone().into_os_string();
    kept_wal.push("-wal");
    assert_eq!(bytes(Path::new(&kept_wal)), b"stale log");
    assert!(
        !wal.exists(),
        "the stale log must not meet the restored file"
    );
    assert_eq!(everything(&Store::open(&path, clock).unwrap()), before);
}

#[test]
fn a_damaged_copy_of_a_backup_is_refused_or_restores_whole() {
    let trials: u64 = std::env::var("TICKETS_BACKUP_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let desk = busy_desk();
    let made = backup(&desk.store);
    let packed = bytes(&made.path);
    let plain = unpacked(&made.path);
    let Desk {
        dir,
        path,
        clock,
        store,
        ..
    } = desk;
    drop(store);
    let mut rng = fastrand::Rng::with_seed(7);
    // A compressed backup carries a checksum of what it holds: any damage
    // to it is found. SQLite keeps none, so an uncompressed one can pass.
    // The candidate is named .db either way: it is known by its contents.
    for (kind, good, first) in [("compressed", &packed, 4), ("uncompressed", &plain, 100)] {
        let (mut refused, mut restored) = (0, 0);
        for trial in 0..trials {
            let mut damaged = good.clone();
            // A run of 1 to 64 bytes changed somewhere past the header (past
            // the frame's first four bytes, for a compressed one).
            let len = rng.usize(1..=64);
            let at = rng.usize(first..damaged.len() - len);
            for b in &mut damaged[at..at + len] {
                *b ^= rng.u8(1..);
            }
            let candidate = dir.path().join("candidate.db");
            std::fs::write(&candidate, &damaged).unwrap();
            let db = bytes(&path);
            let listing = folder(dir.path());
            match restore_backup(&path, &candidate, clock.as_ref()) {
                Err(e) => {
                    refused += 1;
                    assert_eq!(
                        bytes(&path),
                        db,
                        "{kind} trial {trial}: refused ({e}) but changed"
                    );
                    assert_eq!(
                        folder(dir.path()),
                        listing,
                        "{kind} trial {trial}: files appeared"
                    );
                    if kind == "compressed" {
                        assert!(
                            matches!(e, StoreError::Damaged { .. }),
                            "{kind} trial {trial}: {e}"
                        );
                    }
                }
                Ok(kept) => {
                    restored += 1;
                    // What was accepted opens, passes the check, and lists.
                    verify_backup(&path).unwrap_or_else(|e| panic!("{kind} trial {trial}: {e}"));
                    let store = Store::open(&path, clock.clone()).unwrap();
                    store.count_tickets(&Default::default()).unwrap();
                    drop(store);
                    std::fs::remove_file(kept.unwrap().path).unwrap();
                }
            }
            std::fs::remove_file(&candidate).unwrap();
        }
        eprintln!("{trials} damaged {kind} copies: {refused} refused, {restored} restored whole");
        if kind == "compressed" {
            assert_eq!(restored, 0, "a damaged compressed backup was restored");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_backup_restores_and_the_database_can_be_written() {
    // A backup kept on read-only media, or set read-only to protect it:
    // restoring only reads it.
    use std::os::unix::fs::PermissionsExt;
    let desk = busy_desk();
    let before = everything(&desk.store);
    let made = backup(&desk.store);
    std::fs::set_permissions(&made.path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let Desk {
        path, clock, store, ..
    } = desk;
    drop(store);
    restore_backup(&path, &made.path, clock.as_ref()).expect("a read-only backup restores");
    let mut store = Store::open(&path, clock.clone()).unwrap();
    assert_eq!(everything(&store), before);
    let agent = store.agents().unwrap()[0].id;
    store
        .create_ticket(agent, &new_ticket("After the restore"))
        .expect("the restored database can be written");
}

/// A desk with 300 tickets whose descriptions fill some hundreds of pages, so a
/// day's work changes a small share of them.
fn large_desk() -> Desk {
    let mut desk = Desk::new();
    let mut rng = fastrand::Rng::with_seed(11);
    let words = [
        "printer", "invoice", "refund", "login", "order", "euros", "error", "again",
    ];
    for i in 0..300 {
        let n = desk.ticket(&format!("Ticket {i}"));
        let v = desk.version(n);
        let text: Vec<String> = (0..200)
            .map(|_| format!("{}{}", words[rng.usize(..words.len())], rng.u16(..)))
            .collect();
        let text = text.join(" ");
        desk.store.set_description(desk.dana, n, v, &text).unwrap();
    }
    desk
}

/// A day's work on `desk`: a new ticket, a closed one, a note on a third.
fn a_days_work(desk: &mut Desk, day: i64) {
    desk.clock.advance(Duration::days(1));
    desk.ticket(&format!("Raised on day {day}"));
    let closed = TicketNumber(day * 7 + 1);
    let v = desk.version(closed);
    desk.store
        .set_status(desk.dana, closed, v, Status::Closed)
        .unwrap();
    desk.store
        .add_note(desk.dana, TicketNumber(day * 11 + 3), &format!("Day {day}"))
        .unwrap();
}

/// Restores `backup` to a new file beside the database and reads it all.
fn restored_from(desk: &Desk, backup: &Path, name: &str) -> Vec<TicketDetail> {
    let target = desk.dir.path().join(name);
    assert_eq!(
        restore_backup(&target, backup, desk.clock.as_ref()).unwrap(),
        None
    );
    let store = Store::open(&target, desk.clock.clone()).unwrap();
    let all = everything(&store);
    drop(store);
    std::fs::remove_file(&target).unwrap();
    all
}

/// The bytes of every file in a folder, by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    folder(dir)
        .into_iter()
        .map(|name| {
            let content = bytes(&dir.join(&name));
            (name, content)
        })
        .collect()
}

#[test]
fn each_of_seven_backups_kept_as_changes_restores_to_its_own_state() {
    let mut desk = large_desk();
    // Nine days of work, a backup after each: the two oldest are rotated out.
    let mut states = Vec::new();
    let mut made = Vec::new();
    for day in 1..=9 {
        a_days_work(&mut desk, day);
        states.push(everything(&desk.store));
        made.push(backup(&desk.store));
    }
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(listed.len(), BACKUPS_KEPT);
    assert_eq!(listed[0], made[8], "the newest is whole, as made");
    for (i, b) in listed.iter().enumerate().skip(1) {
        kept_as_changes(&made[8 - i], b);
        // A day's changes are a small share of the whole.
        assert!(
            b.bytes * 4 < listed[0].bytes,
            "{} bytes of changes against {} whole",
            b.bytes,
            listed[0].bytes
        );
    }
    for gone in &made[..2] {
        assert!(!gone.path.exists() && !as_changes(&gone.path).exists());
    }
    // Each restores to exactly the state it was made in, whether chosen
    // from the list or by the path it was first made under; the backups
    // are only read.
    let before = snapshot(desk.dir.path());
    for (i, b) in listed.iter().enumerate() {
        verify_backup(&b.path).unwrap_or_else(|e| panic!("{}: {e}", b.path.display()));
        assert_eq!(
            restored_from(&desk, &b.path, "restored.db"),
            states[8 - i],
            "{}",
            b.path.display()
        );
        assert_eq!(
            restored_from(&desk, &made[8 - i].path, "restored.db"),
            states[8 - i]
        );
    }
    assert_eq!(snapshot(desk.dir.path()), before);
}

/// Whether the error names `path` as the file that is damaged.
fn names_damaged(err: &StoreError, path: &Path) -> bool {
    matches!(err, StoreError::Damaged { path: p, .. } if p == path)
}

#[test]
fn a_damaged_or_missing_link_refuses_the_backups_that_need_it_and_nothing_changes() {
    let mut desk = large_desk();
    let mut states = Vec::new();
    for day in 1..=4 {
        a_days_work(&mut desk, day);
        states.push(everything(&desk.store));
        backup(&desk.store);
    }
    // Newest first: whole, then changes of days 3, 2 and 1.
    let listed: Vec<PathBuf> = list_backups(&desk.path)
        .unwrap()
        .into_iter()
        .map(|b| b.path)
        .collect();
    let db = desk.path.clone();
    desk.store.close();
    let try_all = |desk: &Desk| -> Vec<Result<(), StoreError>> {
        listed
            .iter()
            .map(|b| {
                let before = snapshot(desk.dir.path());
                let result = restore_backup(&db, b, desk.clock.as_ref()).map(|kept| {
                    // Undo the restore: the test goes on with the same database.
                    std::fs::rename(kept.unwrap().path, &db).unwrap();
                });
                if let Err(e) = &result {
                    assert_eq!(snapshot(desk.dir.path()), before, "{e}: files changed");
                    assert_eq!(verify_backup(b).unwrap_err().to_string(), e.to_string());
                    assert!(
                        e.to_string().contains(&format!("“{}”", b.display())),
                        "the sentence names the backup chosen: {e}"
                    );
                    assert!(!e.to_string().contains(".partial"), "{e}");
                }
                result
            })
            .collect()
    };
    assert!(try_all(&desk).iter().all(Result::is_ok));

    // Day 2's changes garbled: days 2 and 1 are refused, naming day 2's file.
    let day2 = listed[2].clone();
    let good = bytes(&day2);
    let mut garbled = good.clone();
    let middle = garbled.len() / 2;
    for b in &mut garbled[middle..middle + 3] {
        *b ^= 0xFF;
    }
    std::fs::write(&day2, &garbled).unwrap();
    let results = try_all(&desk);
    assert!(results[0].is_ok() && results[1].is_ok());
    let own = results[2].as_ref().unwrap_err();
    assert!(names_damaged(own, &day2), "{own}");
    let older = results[3].as_ref().unwrap_err();
    assert!(names_damaged(older, &listed[3]), "{older}");
    assert!(
        older
            .to_string()
            .contains(&format!("one of them, “{}”, is damaged", day2.display())),
        "{older}"
    );
    std::fs::write(&day2, &good).unwrap();

    // The whole backup cut short: every backup is refused, naming its own file.
    let whole = listed[0].clone();
    let good = bytes(&whole);
    std::fs::write(&whole, &good[..good.len() / 2]).unwrap();
    for (b, result) in listed.iter().zip(try_all(&desk)) {
        let e = result.unwrap_err();
        assert!(names_damaged(&e, b), "{e}");
        assert!(e.to_string().contains("cut short"), "{e}");
    }
    std::fs::write(&whole, &good).unwrap();

    // Day 3's changes deleted by hand: day 2's were made against them, not
    // against the whole backup that is now next.
    let day3 = bytes(&listed[1]);
    std::fs::remove_file(&listed[1]).unwrap();
    let e = restore_backup(&db, &listed[2], desk.clock.as_ref()).unwrap_err();
    assert!(names_damaged(&e, &listed[2]), "{e}");
    assert!(
        e.to_string()
            .contains("which is not the backup they were made against"),
        "{e}"
    );
    std::fs::write(&listed[1], &day3).unwrap();

    // Changes copied away from the backups they need.
    let elsewhere = tempfile::tempdir().unwrap();
    let alone = elsewhere.path().join(listed[3].file_name().unwrap());
    std::fs::copy(&listed[3], &alone).unwrap();
    let e = verify_backup(&alone).unwrap_err();
    assert!(matches!(e, StoreError::NotTickets { .. }), "{e:?}");
    assert!(e.to_string().contains("only the changes"), "{e}");

    // Mended, everything restores to its own state again.
    assert!(try_all(&desk).iter().all(Result::is_ok));
    for (b, state) in listed.iter().zip(states.iter().rev()) {
        assert_eq!(&restored_from(&desk, b, "restored.db"), state);
    }
}

#[test]
fn a_backup_stopped_between_its_steps_leaves_every_backup_restorable() {
    let mut desk = large_desk();
    let mut states = Vec::new();
    let mut made = Vec::new();
    let every_backup_restores = |desk: &Desk, states: &[Vec<TicketDetail>]| {
        let listed = list_backups(&desk.path).unwrap();
        assert_eq!(listed.len(), states.len());
        for (b, state) in listed.iter().zip(states.iter().rev()) {
            assert_eq!(&restored_from(desk, &b.path, "restored.db"), state);
        }
    };
    for day in 1..=2 {
        a_days_work(&mut desk, day);
        states.push(everything(&desk.store));
        made.push(backup(&desk.store));
    }
    let day2_whole = bytes(&made[1].path);

    // Stopped after the new whole copy, before the changes of the one
    // before: day 2 stays whole, its temporary file lies about.
    a_days_work(&mut desk, 3);
    states.push(everything(&desk.store));
    made.push(backup(&desk.store));
    let day2_changes = as_changes(&made[1].path);
    let changes = bytes(&day2_changes);
    std::fs::remove_file(&day2_changes).unwrap();
    std::fs::write(&made[1].path, &day2_whole).unwrap();
    std::fs::write(
        desk.dir.path().join(".tickets.x1y2z3.partial"),
        &changes[..10],
    )
    .unwrap();
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(
        listed.iter().map(|b| b.delta).collect::<Vec<_>>(),
        [false, false, true]
    );
    every_backup_restores(&desk, &states);

    // Stopped after the changes, before deleting the whole copy: the
    // backup is listed once, as its whole copy.
    std::fs::write(&day2_changes, &changes).unwrap();
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!((&listed[1].path, listed[1].delta), (&made[1].path, false));
    every_backup_restores(&desk, &states);

    // The next backup finishes the job: day 2 kept as changes alone, day 3
    // rewritten as changes, and all four restore.
    a_days_work(&mut desk, 4);
    states.push(everything(&desk.store));
    backup(&desk.store);
    assert!(!made[1].path.exists());
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(
        listed.iter().map(|b| b.delta).collect::<Vec<_>>(),
        [false, true, true, true]
    );
    every_backup_restores(&desk, &states);
}

#[test]
fn old_backups_are_kept_as_changes_when_newer_ones_come_and_restore_to_their_state() {
    let mut desk = large_desk();
    // An upgraded user's folder: an uncompressed backup, then a whole
    // compressed one, each the newest in its time.
    let mut states = vec![everything(&desk.store)];
    let old = old_backup(&desk, desk.clock.now());
    a_days_work(&mut desk, 1);
    states.push(everything(&desk.store));
    let first = backup(&desk.store);
    assert!(
        as_changes(&old).exists(),
        "the uncompressed one is changes now"
    );
    a_days_work(&mut desk, 2);
    states.push(everything(&desk.store));
    backup(&desk.store);
    assert!(!first.path.exists());
    let listed = list_backups(&desk.path).unwrap();
    assert_eq!(
        listed.iter().map(|b| b.delta).collect::<Vec<_>>(),
        [false, true, true]
    );
    for (b, state) in listed.iter().zip(states.iter().rev()) {
        assert_eq!(&restored_from(&desk, &b.path, "restored.db"), state);
    }
    assert_eq!(restored_from(&desk, &old, "restored.db"), states[0]);
}
