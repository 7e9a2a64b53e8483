//! Backups, restore and the ways on from a file that cannot be opened, as an
//! agent meets them in the window (headless, through the accessibility tree).

use std::path::{Path, PathBuf};

use crate::common::{
    Window, desk, open, open_with, run_from_palette, settings_for, step_until, store_of, window_on,
};
use chrono::Duration;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::app::backup_label;
use tickets::domain::NewTicket;
use tickets::store::{BackupFile, BackupKind, Store, list_backups};

/// Every byte of a file.
fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Steps until the screen for a file that cannot be opened is up, and checks
/// that it offers the three ways on.
fn wait_for_failed_screen(harness: &mut Window) {
    step_until(harness, "the failed-open screen", |h| {
        h.query_by_label("This database cannot be opened").is_some()
    });
    for way in [
        "Open another database…",
        "Restore a backup…",
        "Start a new database…",
    ] {
        harness.get_by_role_and_label(Role::Button, way);
    }
}

/// Clicks "Start a new database…" on the failed-open screen, choosing `path`
/// in the save dialog.
fn start_new_database_at(harness: &mut Window, path: &Path) {
    crate::common::save_dialog_answers(harness, path);
    harness.get_by_label("Start a new database…").click();
}

/// Makes the open dialog answer with `path`.
fn open_dialog_answers(harness: &mut Window, path: &Path) {
    let chosen = path.to_path_buf();
    harness
        .state_mut()
        .as_mut()
        .expect("the window")
        .set_open_dialog(Box::new(move |_, _| {
            tickets::app::DialogOutcome::Chosen(chosen.clone())
        }));
}

/// The backups beside a database, newest first.
fn backups(path: &Path) -> Vec<BackupFile> {
    list_backups(path).unwrap()
}

/// The files restores kept beside a database.
fn kept_by_restores(path: &Path) -> Vec<PathBuf> {
    backups(path)
        .into_iter()
        .filter(|b| b.kind == BackupKind::BeforeRestore)
        .map(|b| b.path)
        .collect()
}

/// In the open Restore dialog: waits for `backup` in the list, picks it and
/// clicks Restore.
fn restore_listed(harness: &mut Window, backup: &BackupFile) {
    let label = backup_label(backup);
    step_until(harness, "the backup in the list", |h| {
        h.query_by_label(&label).is_some()
    });
    harness.get_by_label(&label).click();
    harness.run_steps(1);
    harness
        .get_by_role_and_label(Role::Button, "Restore")
        .click();
}

/// Steps until the window lists these subjects.
fn wait_for_rows(harness: &mut Window, subjects: &[&str]) {
    step_until(harness, &format!("the rows {subjects:?}"), |h| {
        subjects.iter().all(|s| h.query_by_label(s).is_some())
    });
}

#[test]
fn a_text_file_offers_the_ways_on_and_a_new_database_can_be_started() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("tickets.db");
    std::fs::write(&text, "Shopping: milk, eggs, a new printer\n").unwrap();
    let before = bytes(&text);
    let mut harness = window_on(&text, crate::common::clock(), Default::default());
    wait_for_failed_screen(&mut harness);
    harness.get_by_label_contains("is not a Tickets database");
    // Commands that need a database are not offered.
    harness.key_press(egui::Key::N);
    harness.run_steps(2);
    assert!(harness.query_by_label("Subject").is_none());
    for button in ["+ New Ticket", "Analytics"] {
        assert!(
            harness.get_by_label(button).accesskit_node().is_disabled(),
            "{button} is offered with no database"
        );
    }

    let fresh = dir.path().join("fresh.db");
    start_new_database_at(&mut harness, &fresh);
    step_until(&mut harness, "the new, empty database", |h| {
        h.query_by_label("No tickets yet").is_some()
    });
    assert!(fresh.is_file());
    assert_eq!(bytes(&text), before, "the text file changed");
    assert_eq!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("tickets"))
            .count(),
        1,
        "nothing appeared beside the text file"
    );
}

#[test]
fn an_existing_file_is_never_started_over() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a database").unwrap();
    let mut harness = window_on(&text, crate::common::clock(), Default::default());
    wait_for_failed_screen(&mut harness);
    start_new_database_at(&mut harness, &text);
    step_until(&mut harness, "the refusal", |h| {
        h.query_by_label_contains("never writes over a file")
            .is_some()
    });
    assert_eq!(bytes(&text), b"not a database");
    harness.get_by_label("This database cannot be opened");
}

#[test]
fn another_database_can_be_opened_from_the_failed_screen() {
    let desk = desk(&["Refund for order 1182", "Login loops"]);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("tickets.db");
    let mut image = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    image.resize(2048, 7);
    std::fs::write(&png, &image).unwrap();
    let mut harness = window_on(
        &png,
        desk.clock.clone(),
        settings_for(&desk.path, Some(desk.dana)),
    );
    wait_for_failed_screen(&mut harness);
    open_dialog_answers(&mut harness, &desk.path);
    harness.get_by_label("Open another database…").click();
    wait_for_rows(&mut harness, &["Refund for order 1182", "Login loops"]);
    // Acting as the agent remembered for that database.
    step_until(&mut harness, "Dana in the top bar", |h| {
        h.query_by_label_contains("You: Dana Scully").is_some()
    });
    assert_eq!(bytes(&png), image, "the image changed");
}

#[test]
fn a_backup_can_be_restored_from_the_failed_screen() {
    let desk = desk(&["Refund for order 1182", "Login loops"]);
    let made = store_of(&desk).backup_now(&mut |_, _| {}).unwrap();
    // The database is damaged: its first page scribbled over.
    let mut damaged = bytes(&desk.path);
    damaged[..100].fill(0x5A);
    std::fs::write(&desk.path, &damaged).unwrap();

    let mut harness = window_on(
        &desk.path,
        desk.clock.clone(),
        settings_for(&desk.path, Some(desk.dana)),
    );
    wait_for_failed_screen(&mut harness);
    harness.get_by_label("Restore a backup…").click();
    restore_listed(&mut harness, &made);
    wait_for_rows(&mut harness, &["Refund for order 1182", "Login loops"]);
    harness.get_by_label_contains("Backup restored. The database as it was is kept as");

    let kept = kept_by_restores(&desk.path);
    assert_eq!(kept.len(), 1);
    assert_eq!(
        bytes(&kept[0]),
        damaged,
        "the damaged file was not kept as it was"
    );
}

#[test]
fn opening_a_database_makes_the_days_backup_once() {
    let desk = desk(&["Refund for order 1182"]);
    let automatic = || tickets::app::Settings {
        automatic_backups: true,
        ..settings_for(&desk.path, Some(desk.dana))
    };
    {
        let mut harness = open_with(&desk, automatic());
        step_until(&mut harness, "the automatic backup", |_| {
            backups(&desk.path).len() == 1
        });
    }
    // Opened again the same day: no second automatic backup. Backup now,
    // once the automatic check is over, makes the second file.
    let mut harness = open_with(&desk, automatic());
    wait_for_no_backup_running(&mut harness);
    backup_now(&mut harness);
    assert_eq!(backups(&desk.path).len(), 2);
    drop(harness);

    // The next day, opening makes one more.
    desk.clock.advance(Duration::days(1));
    let mut harness = open_with(&desk, automatic());
    step_until(&mut harness, "the next day's backup", |_| {
        backups(&desk.path).len() == 3
    });
    let days: Vec<_> = backups(&desk.path).iter().map(|b| b.made).collect();
    assert_eq!(days[0] - days[1], Duration::days(1));
}

#[test]
fn with_automatic_backups_off_opening_makes_none_but_backup_now_still_works() {
    let desk = desk(&["Refund for order 1182"]);
    let settings = tickets::app::Settings {
        automatic_backups: false,
        ..settings_for(&desk.path, Some(desk.dana))
    };
    let mut harness = crate::common::open_with(&desk, settings);
    // Give an automatic backup every chance to start, then look.
    harness.run_steps(20);
    std::thread::sleep(std::time::Duration::from_millis(300));
    harness.run_steps(5);
    assert_eq!(backups(&desk.path).len(), 0, "no automatic backup");
    backup_now(&mut harness);
    assert_eq!(backups(&desk.path).len(), 1);
}

/// Waits until no backup (the automatic one included) shows in the top bar.
/// Waits until no backup shows in the top bar: the automatic one (named
/// "Daily backup" there; it starts once the file is open, before the list
/// loads) or one asked for.
fn wait_for_no_backup_running(harness: &mut Window) {
    step_until(harness, "the automatic backup to finish", |h| {
        h.query_all_by_label_contains("Daily backup")
            .next()
            .is_none()
            && h.query_all_by_label_contains("Backing up").next().is_none()
    });
}

/// File → Backup now, and its outcome: the window says where it wrote.
fn backup_now(harness: &mut Window) {
    run_from_palette(harness, "backup now");
    step_until(harness, "the backup's outcome", |h| {
        h.query_by_label_contains("Backed up to").is_some()
            || h.query_by_label_contains("running already").is_some()
    });
    harness.get_by_label_contains("Backed up to");
}

#[test]
fn backup_now_writes_a_private_backup_beside_the_database() {
    let desk = desk(&["Refund for order 1182"]);
    let mut harness = open(&desk, Some(desk.dana));
    backup_now(&mut harness);
    let newest = backups(&desk.path)[0].clone();
    // The message says where.
    harness.get_by_label_contains(&format!("Backed up to {}", newest.path.display()));
    assert!(
        newest.path.to_string_lossy().ends_with(".db.zst"),
        "{}",
        newest.path.display()
    );
    // A compressed backup: what it holds is the database.
    let scratch = tempfile::tempdir().unwrap();
    let unpacked = scratch.path().join("copy.db");
    std::fs::write(
        &unpacked,
        zstd::decode_all(std::fs::File::open(&newest.path).unwrap()).unwrap(),
    )
    .unwrap();
    let copy = Store::open(&unpacked, desk.clock.clone()).unwrap();
    assert_eq!(copy.count_tickets(&Default::default()).unwrap(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&newest.path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn restoring_from_the_menu_keeps_the_current_database_beside_it() {
    let desk = desk(&["Refund for order 1182", "Login loops"]);
    let mut harness = open(&desk, Some(desk.dana));
    backup_now(&mut harness);
    let made = backups(&desk.path)[0].clone();
    // Someone raises a ticket after the backup; the window shows it.
    store_of(&desk)
        .create_ticket(
            desk.dana,
            &NewTicket {
                subject: "Written after the backup".to_owned(),
                ..Default::default()
            },
        )
        .unwrap();
    wait_for_rows(&mut harness, &["Written after the backup"]);

    run_from_palette(&mut harness, "restore");
    restore_listed(&mut harness, &made);
    step_until(&mut harness, "the restored list", |h| {
        h.query_by_label_contains("Backup restored").is_some()
            && h.query_by_label("2 tickets").is_some()
            && h.query_by_label("Written after the backup").is_none()
    });
    let kept = kept_by_restores(&desk.path);
    assert_eq!(kept.len(), 1);
    let before = Store::open(&kept[0], desk.clock.clone()).unwrap();
    assert_eq!(before.count_tickets(&Default::default()).unwrap(), 3);
}

#[test]
fn restoring_while_another_window_has_the_file_open_says_so_and_changes_nothing() {
    let desk = desk(&["Refund for order 1182", "Login loops"]);
    let mut harness = open(&desk, Some(desk.dana));
    backup_now(&mut harness);
    let made = backups(&desk.path)[0].clone();
    // Another window on the same file, which a restore would pull the file from under.
    let mut other = store_of(&desk);
    other
        .create_ticket(
            desk.dana,
            &NewTicket {
                subject: "Written in the other window".to_owned(),
                ..Default::default()
            },
        )
        .unwrap();
    wait_for_rows(&mut harness, &["Written in the other window"]);

    run_from_palette(&mut harness, "restore");
    restore_listed(&mut harness, &made);
    step_until(&mut harness, "the refusal", |h| {
        h.query_by_label_contains("is open in another Tickets window")
            .is_some()
    });
    wait_for_rows(&mut harness, &["Written in the other window"]);
    assert!(kept_by_restores(&desk.path).is_empty());
    assert_eq!(other.count_tickets(&Default::default()).unwrap(), 3);
}

#[test]
fn a_file_that_is_no_backup_is_refused_and_the_database_carries_on() {
    let desk = desk(&["Refund for order 1182", "Login loops"]);
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("backup.db");
    std::fs::write(&fake, "SQLite format 3 (not really)").unwrap();
    let mut harness = open(&desk, Some(desk.dana));
    open_dialog_answers(&mut harness, &fake);
    run_from_palette(&mut harness, "restore");
    step_until(&mut harness, "the restore dialog with its list", |h| {
        h.query_by_label("Backups found beside it, newest first:")
            .or_else(|| h.query_by_label("No backups were found beside it."))
            .is_some()
    });
    harness.get_by_label("Choose a file…").click();
    step_until(&mut harness, "the chosen file", |h| {
        h.query_by_label_contains("To restore: ").is_some()
    });
    harness
        .get_by_role_and_label(Role::Button, "Restore")
        .click();
    step_until(&mut harness, "the refusal and the list back", |h| {
        h.query_by_label_contains("The backup was not restored, and nothing was changed")
            .is_some()
            && h.query_by_label("2 tickets").is_some()
    });
    assert_eq!(bytes(&fake), b"SQLite format 3 (not really)");
    assert!(
        backups(&desk.path)
            .iter()
            .all(|b| b.kind == BackupKind::Backup),
        "no file was set aside"
    );
    let store = store_of(&desk);
    assert_eq!(store.count_tickets(&Default::default()).unwrap(), 2);
}

#[test]
fn switching_databases_keeps_each_ones_settings() {
    let first = desk(&["Refund for order 1182"]);
    let second = desk(&["Printer on fire", "Login loops"]);
    let mut harness = open(&first, Some(first.dana));
    open_dialog_answers(&mut harness, &second.path);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    wait_for_rows(&mut harness, &["Printer on fire", "Login loops"]);
    // Nobody has said who they are in the second database yet.
    step_until(&mut harness, "the agent picker", |h| {
        h.query_by_label("Who is using Tickets?").is_some()
    });
    harness.get_by_label("I am Sam Okafor").click();
    step_until(&mut harness, "Sam in the top bar", |h| {
        h.query_by_label_contains("You: Sam Okafor").is_some()
    });

    open_dialog_answers(&mut harness, &first.path);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    wait_for_rows(&mut harness, &["Refund for order 1182"]);
    step_until(&mut harness, "Dana in the top bar", |h| {
        h.query_by_label_contains("You: Dana Scully").is_some()
    });
    let settings = harness.state().as_ref().unwrap().settings();
    let agent_in = |path: &Path| settings.databases[&path.to_string_lossy().into_owned()].agent;
    assert_eq!(agent_in(&first.path), Some(first.dana));
    assert_eq!(agent_in(&second.path), Some(second.agents[1]));
}

/// A first start on a new file: nothing to lose yet, so no "Backed up" to
/// greet a new agent (seen in the installed package's first screenshot);
/// the day's backup comes once the file holds something.
#[test]
fn a_first_start_on_a_new_file_makes_no_backup() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("new.db");
    let clock = crate::common::clock();
    let settings = tickets::app::Settings {
        automatic_backups: true,
        ..tickets::app::Settings::default()
    };
    let mut harness = crate::common::window_on(&path, clock.clone(), settings);
    step_until(&mut harness, "the new file's first screen", |h| {
        h.query_by_label("Who is using Tickets?").is_some()
    });
    // Long enough for the automatic backup to have come and gone.
    for _ in 0..20 {
        harness.run_steps(5);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        harness.query_by_label_contains("Backed up to").is_none(),
        "a new empty file was backed up"
    );
    assert!(
        tickets::store::list_backups(&path)
            .expect("list")
            .is_empty(),
        "no backup file beside the new database"
    );
}
