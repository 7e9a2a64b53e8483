//! File → Import… end to end: a Zendesk export previewed (its format, its
//! columns, how its statuses read, its first rows), a dry run (the counts
//! and each skipped line with why), the mapping edited until a skipped
//! line imports, the import itself with its notice and the list, Cancel,
//! and a system without a file dialog.

use std::path::{Path, PathBuf};

use crate::common::{
    Engine, Window, desk_on, open, replace_in, run_from_palette, step_until, text_containing,
    type_into,
};
use crate::on_both_engines_with;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::import::MappingLibrary;

/// The Zendesk fixture: tickets 101 and 102 import; 103 (line 4) has the
/// status "escalated", which Zendesk's mapping does not know.
fn zendesk_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/zendesk.csv")
}

/// Opens File → Import… from the palette, with saved mappings kept in `dir`.
fn open_import(harness: &mut Window, dir: &Path) {
    harness
        .state_mut()
        .as_mut()
        .expect("the window")
        .set_mapping_library(MappingLibrary::new(dir.join("mappings")));
    run_from_palette(harness, "Import…");
    step_until(harness, "the import dialog", |h| {
        h.query_by_role_and_label(Role::TextInput, "File").is_some()
    });
}

/// Types `file`'s path, presses Preview and waits for what it read.
fn preview(harness: &mut Window, file: &Path) {
    type_into(harness, "File", &file.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Preview")
        .click();
    step_until(harness, "the preview", |h| {
        text_containing(h, "Read as ").is_some()
    });
}

/// Presses Dry run and waits for its counts.
fn dry_run(harness: &mut Window) {
    step_until(harness, "Dry run to be offered", |h| {
        h.query_by_role_and_label(Role::Button, "Dry run")
            .is_some_and(|b| !b.accesskit_node().is_disabled())
    });
    harness
        .get_by_role_and_label(Role::Button, "Dry run")
        .click();
    step_until(harness, "the dry run's counts", |h| {
        text_containing(h, " new, ").is_some()
    });
}

/// Clicks at `at` as a hand does: the pointer comes, then the button goes
/// down and up on frames of their own. Inside a scrolled area (the dialog's
/// body, a combo box's list) egui tells a click from a drag only so;
/// kittest's own click does all three in one frame.
fn click_slowly(harness: &mut Window, at: egui::Pos2) {
    harness.event(egui::Event::PointerMoved(at));
    harness.run_steps(1);
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
        harness.run_steps(1);
    }
    harness.run_steps(1);
}

/// Scrolls the widget `find` finds into view, waits until it stands still
/// (scrolling is smooth), and clicks it slowly. `find` scrolls to the
/// widget when asked to, and says where it is.
fn scroll_and_click(harness: &mut Window, find: impl Fn(&Window, bool) -> egui::Rect) {
    find(harness, true);
    harness.run_steps(3);
    let mut at = find(harness, false).center();
    for _ in 0..100 {
        harness.step();
        let now = find(harness, false).center();
        if now == at {
            break;
        }
        at = now;
    }
    click_slowly(harness, at);
}

/// Clicks the widget of `role` named `name` in the dialog's scrolled body.
fn click_in_body(harness: &mut Window, role: Role, name: &str) {
    scroll_and_click(harness, |h, scroll| {
        let node = h.get_by_role_and_label(role, name);
        if scroll {
            node.scroll_to_me();
        }
        node.rect()
    });
}

/// Opens the combo box named `name` and picks `choice` from its list.
fn choose(harness: &mut Window, name: &str, choice: &str) {
    click_in_body(harness, Role::ComboBox, name);
    // The open list is drawn last, above the dialog.
    scroll_and_click(harness, |h, scroll| {
        let node = h
            .query_all_by_label(choice)
            .rfind(|n| n.accesskit_node().role() == Role::Button)
            .unwrap_or_else(|| panic!("no choice {choice} in {name}"));
        if scroll {
            node.scroll_to_me();
        }
        node.rect()
    });
}

on_both_engines_with! {
    fn a_zendesk_export_is_previewed_dry_run_and_imported(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let dir = tempfile::tempdir().unwrap();
        let mut harness = open(&desk, Some(desk.dana));
        open_import(&mut harness, dir.path());
        preview(&mut harness, &zendesk_csv());
        // What it is, its columns with the field each fills, how its
        // statuses and priorities read, and its first rows.
        text_containing(&harness, "Read as Zendesk (CSV), in utf-8").expect("the format");
        for column in ["Requester email", "Organization", "Solved at"] {
            assert!(harness.query_by_label(column).is_some(), "the column {column}");
        }
        harness.get_by_role_and_label(Role::ComboBox, "Column “Requester email”");
        for value in ["“new”", "“pending”", "“hold”", "“solved”", "“closed”", "“escalated”"] {
            harness.get_by_role_and_label(Role::ComboBox, &format!("Status for {value}"));
        }
        harness.get_by_role_and_label(Role::ComboBox, "Priority for “normal”");
        text_containing(&harness, "Line 2: Printer on fire · Waiting · Medium · ")
            .expect("the first row as it imports");
        text_containing(&harness, "Line 4: skipped: Status: “escalated”").expect("the third row's problem");
        // Keys typed in the dialog's boxes type: N (New Ticket) and J
        // (next ticket) fire nothing.
        harness
            .get_by_role_and_label(Role::TextInput, "Save mapping as")
            .focus();
        harness.run_steps(1);
        crate::common::press_keys(&mut harness, "nj");
        assert_eq!(
            crate::common::field_value(&harness, "Save mapping as").as_deref(),
            Some("nj")
        );
        assert!(harness.query_by_label("Subject (required)").is_none());
        // Nor with no box holding the cursor (after a click on a button, or
        // when a file dialog has just closed): the dialog keeps the keys.
        harness.key_press(egui::Key::Tab);
        harness.run_steps(1);
        assert!(
            !harness.ctx.text_edit_focused(),
            "Tab took the cursor out of the box"
        );
        crate::common::press_keys(&mut harness, "nr");
        assert!(harness.query_by_label("Subject (required)").is_none(), "N opened no form over it");
        assert!(harness.query_by_label_contains("Open a ticket first").is_none(), "R asked for no ticket");
        text_containing(&harness, "Line 4: skipped: Status: “escalated”").expect("the dialog still on show");
        // The dry run: two new, and line 4 skipped with why.
        dry_run(&mut harness);
        text_containing(&harness, "2 new, 0 updated, 0 unchanged; 1 row skipped.").expect("the counts");
        text_containing(&harness, "It will add 2 customers and 1 agent (Bruno Costa).")
            .expect("who it adds");
        text_containing(&harness, "Line 4: Status: “escalated” is not in the mapping's status table")
            .expect("the skipped line");
        // Nothing was written by it.
        assert!(harness.query_by_label("No tickets yet").is_some());
        harness.get_by_role_and_label(Role::Button, "Import").click();
        step_until(&mut harness, "the import's notice", |h| {
            h.query_by_label_contains("Imported 2 tickets (2 new, 0 updated, 0 unchanged").is_some()
        });
        step_until(&mut harness, "the imported tickets in the list", |h| {
            h.query_by_label("Printer on fire").is_some() && h.query_by_label("Cannot log in").is_some()
        });
        assert!(
            harness.query_by_role_and_label(Role::TextInput, "File").is_none(),
            "the dialog closed"
        );
        assert!(harness.query_by_label("Odd status").is_none());
    }
}

on_both_engines_with! {
    fn editing_the_mapping_changes_what_the_dry_run_says(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let dir = tempfile::tempdir().unwrap();
        let mut harness = open(&desk, Some(desk.dana));
        open_import(&mut harness, dir.path());
        preview(&mut harness, &zendesk_csv());
        dry_run(&mut harness);
        text_containing(&harness, "2 new, 0 updated, 0 unchanged; 1 row skipped.").expect("the counts");
        // Any value the table lacks may read as one status: line 4 imports
        // as Waiting, and "escalated" says it reads as any other.
        choose(&mut harness, "Status for any other value", "Waiting");
        step_until(&mut harness, "the rows read again", |h| {
            text_containing(h, "Line 4: Odd status · Waiting").is_some()
        });
        let escalated = harness.get_by_role_and_label(Role::ComboBox, "Status for “escalated”");
        assert_eq!(escalated.value().as_deref(), Some("(as any other: Waiting)"));
        // "escalated" becomes In Progress: line 4 imports as that.
        choose(&mut harness, "Status for “escalated”", "In Progress");
        step_until(&mut harness, "the rows read again", |h| {
            text_containing(h, "Line 4: Odd status · In Progress").is_some()
        });
        assert!(text_containing(&harness, " new, ").is_none(), "the old dry run is gone");
        dry_run(&mut harness);
        text_containing(&harness, "3 new, 0 updated, 0 unchanged; 0 rows skipped.").expect("all three");
        // A column no longer read as the subject: the mapping says what it
        // lacks and there is nothing to dry run; read again, it is back.
        choose(&mut harness, "Column “Subject”", "(not imported)");
        step_until(&mut harness, "the mapping's problem", |h| {
            text_containing(h, "no column is mapped to Subject").is_some()
        });
        assert!(harness.query_by_role_and_label(Role::Button, "Dry run").is_none());
        choose(&mut harness, "Column “Subject”", "Subject");
        dry_run(&mut harness);
        text_containing(&harness, "3 new, 0 updated").expect("the subject read again");
        // Saved under a name, it is offered the next time.
        type_into(&mut harness, "Save mapping as", "zendesk escalations");
        click_in_body(&mut harness, Role::Button, "Save");
        step_until(&mut harness, "the mapping saved", |h| {
            text_containing(h, "Saved the mapping as “zendesk escalations”.").is_some()
        });
        let library = MappingLibrary::new(dir.path().join("mappings"));
        let saved = library.load("zendesk escalations").unwrap();
        assert_eq!(
            saved.status("escalated"),
            Ok(tickets::domain::Status::InProgress)
        );
    }
}

on_both_engines_with! {
    fn without_a_file_dialog_the_typed_path_is_read(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let dir = tempfile::tempdir().unwrap();
        let mut harness = open(&desk, Some(desk.dana));
        harness
            .state_mut()
            .as_mut()
            .expect("the window")
            .set_open_dialog(Box::new(|_, _| tickets::app::DialogOutcome::Unavailable));
        open_import(&mut harness, dir.path());
        harness.get_by_role_and_label(Role::Button, "Choose…").click();
        step_until(&mut harness, "the dialog saying why", |h| {
            text_containing(h, "No file dialog is available on this system").is_some()
        });
        preview(&mut harness, &zendesk_csv());
        text_containing(&harness, "Read as Zendesk (CSV)").expect("the typed file read");
        // A file that is not there: said in the dialog, the path kept.
        let missing = dir.path().join("nowhere.csv");
        let typed = missing.display().to_string();
        harness.get_by_role_and_label(Role::TextInput, "File").focus();
        harness.run_steps(1);
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness.get_by_role_and_label(Role::TextInput, "File").type_text(&typed);
        harness.run_steps(1);
        harness.get_by_role_and_label(Role::Button, "Preview").click();
        step_until(&mut harness, "why it cannot be read", |h| {
            text_containing(h, "nowhere.csv: ").is_some()
        });
        assert_eq!(crate::common::field_value(&harness, "File").as_deref(), Some(typed.as_str()));
        // Escape closes it; opened again, what was typed is still there.
        harness.key_press(egui::Key::Escape);
        harness.run_steps(2);
        assert!(harness.query_by_role_and_label(Role::TextInput, "File").is_none());
        run_from_palette(&mut harness, "Import…");
        step_until(&mut harness, "the dialog again", |h| {
            h.query_by_role_and_label(Role::TextInput, "File").is_some()
        });
        assert_eq!(crate::common::field_value(&harness, "File").as_deref(), Some(typed.as_str()));
    }
}

/// A Zendesk export of `rows` tickets, a minute apart, each with `status`.
fn many_tickets_with(dir: &Path, rows: usize, status: &str) -> PathBuf {
    let mut text = std::fs::read_to_string(zendesk_csv())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    text.push('\n');
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    for i in 0..rows {
        let at = (start + chrono::Duration::minutes(i as i64)).format("%Y-%m-%d %H:%M:%S +0000");
        text.push_str(&format!(
            ",{id},Customer {i},{id},c{i}@example.com,Customer {i},,Support,Question {i},,{status},normal,Mail,,{at},,,,\n",
            id = 5000 + i
        ));
    }
    let path = dir.join("many.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// A Zendesk export of `rows` open tickets, a minute apart.
fn many_tickets(dir: &Path, rows: usize) -> PathBuf {
    many_tickets_with(dir, rows, "open")
}

on_both_engines_with! {
    fn a_dry_run_lists_the_first_thousand_skipped_rows_and_says_so(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let dir = tempfile::tempdir().unwrap();
        let file = many_tickets_with(dir.path(), 1200, "escalated");
        let mut harness = open(&desk, Some(desk.dana));
        open_import(&mut harness, dir.path());
        preview(&mut harness, &file);
        dry_run(&mut harness);
        text_containing(&harness, "0 new, 0 updated, 0 unchanged; 1,200 rows skipped.").expect("the counts");
        text_containing(&harness, "Only the first 1,000 skipped rows are listed; 1,200 were skipped in all.")
            .expect("the note");
        text_containing(&harness, "Line 1001: Status: “escalated”").expect("the last listed");
        assert!(text_containing(&harness, "Line 1002: ").is_none());
        assert!(
            harness.get_by_role_and_label(Role::Button, "Import").accesskit_node().is_disabled(),
            "nothing to import"
        );
    }
}

on_both_engines_with! {
    fn a_cancelled_import_keeps_whole_batches_and_says_it_resumes(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let dir = tempfile::tempdir().unwrap();
        // More than one batch: a file writes five thousand at a time, a
        // server a thousand.
        let file = many_tickets(dir.path(), 6000);
        let batch = if engine == Engine::File { "5,000" } else { "1,000" };
        let mut harness = open(&desk, Some(desk.dana));
        open_import(&mut harness, dir.path());
        preview(&mut harness, &file);
        dry_run(&mut harness);
        text_containing(&harness, "6,000 new").expect("the counts");
        // Another program's write holds the database, so the import's
        // first batch waits while Cancel is pressed.
        let held = crate::common::hold_writes(&desk);
        harness.get_by_role_and_label(Role::Button, "Import").click();
        step_until(&mut harness, "the import's progress and Cancel", |h| {
            h.query_by_label("Cancel importing tickets").is_some()
                && h.query_by_role_and_label(Role::Button, "Cancel").is_some()
        });
        harness.get_by_role_and_label(Role::Button, "Cancel").click();
        harness.run_steps(2);
        held.release();
        step_until(&mut harness, "the cancelled import's notice", |h| {
            h.query_by_label_contains(&format!("Cancelled after importing {batch} tickets")).is_some()
        });
        assert!(harness
            .query_by_label_contains("importing the same file again resumes where this stopped")
            .is_some());
        step_until(&mut harness, "the first batch in the list", |h| {
            h.query_by_label(&format!("{batch} tickets")).is_some()
        });
    }
}

on_both_engines_with! {
    fn a_tickets_export_is_restored_as_a_new_database_and_opened(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let dir = tempfile::tempdir().unwrap();
        let mut harness = open(&desk, Some(desk.dana));
        open_import(&mut harness, dir.path());
        // Everything another desk held.
        let other = desk_on(Engine::File, &["Printer on fire"]);
        let export = dir.path().join("everything.jsonl");
        tickets::export::everything::export_everything(
            &crate::common::store_of(&other),
            &export,
            &mut |_, _| true,
        )
        .unwrap();
        preview(&mut harness, &export);
        text_containing(&harness, "This is a Tickets export: everything another Tickets database held, with 1 ticket.")
            .expect("what it is");
        assert!(harness.query_by_role_and_label(Role::Button, "Dry run").is_none());
        if engine == Engine::Server {
            text_containing(&harness, "read in by the server's owner").expect("who reads it in");
            assert!(harness.query_by_label("Restore as a new database").is_none());
        } else {
            restores_as_new(&mut harness, dir.path(), &other);
        }
    }
}

/// Restore as a new database, in the dialog on show with `other`'s export
/// previewed (`dir/everything.jsonl`).
fn restores_as_new(harness: &mut Window, dir: &Path, other: &crate::common::Desk) {
    // Offered a new file beside the export, named after it.
    let into = dir.join("everything.db");
    assert_eq!(
        crate::common::field_value(harness, "New database").as_deref(),
        Some(into.display().to_string().as_str())
    );
    // A file already there is never written over.
    let taken = dir.join("taken.db");
    std::fs::write(&taken, "someone's notes").unwrap();
    replace_in(harness, "New database", &taken.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Restore as a new database")
        .click();
    step_until(harness, "the refusal", |h| {
        text_containing(h, "already exists, and Tickets never writes over a file").is_some()
    });
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "someone's notes");
    // Restored into a new file, which then opens.
    replace_in(harness, "New database", &into.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Restore as a new database")
        .click();
    step_until(harness, "the restore's notice", |h| {
        h.query_by_label_contains("Restored everything from")
            .is_some()
    });
    step_until(harness, "the new database open", |h| {
        h.state()
            .as_ref()
            .is_some_and(|app| app.window_title().starts_with("everything.db"))
    });
    let restored = tickets::store::Store::open_at(
        &tickets::store::Location::File(into.clone()),
        crate::common::clock(),
    )
    .unwrap();
    assert_eq!(
        restored.transfer_counts().unwrap(),
        crate::common::store_of(other).transfer_counts().unwrap()
    );
}

/// The dialog, its preview and dry run shown, at a screen size agents have:
/// its buttons and its right edge stay on screen.
fn fits(size: [f32; 2]) {
    let desk = desk_on(Engine::File, &[]);
    let dir = tempfile::tempdir().unwrap();
    let mut harness = crate::common::open_sized(&desk, Some(desk.dana), size);
    open_import(&mut harness, dir.path());
    preview(&mut harness, &zendesk_csv());
    dry_run(&mut harness);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, size.into());
    for button in ["Preview", "Dry run", "Import", "Close", "Choose…"] {
        let rect = harness.get_by_role_and_label(Role::Button, button).rect();
        assert!(
            screen.contains_rect(rect),
            "{button} at {rect:?} in {size:?}"
        );
    }
    // The body's widest line, the column mapping, stays on screen too.
    let rect = harness
        .get_by_role_and_label(Role::ComboBox, "Column “Requester email”")
        .rect();
    assert!(rect.right() <= size[0], "{rect:?} in {size:?}");
}

#[test]
fn the_dialog_fits_1366_by_768() {
    fits([1366.0, 768.0]);
}

#[test]
fn the_dialog_fits_1280_by_800() {
    fits([1280.0, 800.0]);
}

/// On a team server an import writes other agents' history: an agent who
/// is not an admin gets the store's sentence in the dialog, with the file
/// and the dry run still there, and nothing is written.
#[test]
fn on_a_team_server_an_agent_who_is_not_an_admin_is_told_why() {
    if crate::fixtures::pg::shared().is_none() {
        return;
    }
    let desk = desk_on(Engine::Server, &[]);
    let owner = desk.url.clone().expect("a server desk");
    let sams = owner.replacen(
        &format!("{}@", crate::fixtures::pg::SUPERUSER),
        &format!("{}@", desk.logins[1]),
        1,
    );
    let location = tickets::store::Location::Server(sams);
    let mut harness = crate::common::window_on(
        location.clone(),
        desk.clock.clone(),
        crate::common::settings_for(location, None),
    );
    step_until(&mut harness, "the list", crate::common::list_counted);
    let dir = tempfile::tempdir().unwrap();
    open_import(&mut harness, dir.path());
    preview(&mut harness, &zendesk_csv());
    // The dry run is refused as the import would be, with why: it never
    // promises what the write will refuse.
    harness
        .get_by_role_and_label(Role::Button, "Dry run")
        .click();
    step_until(&mut harness, "the refusal", |h| {
        text_containing(h, "The dry run stopped: only an admin").is_some()
    });
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Import")
            .is_none_or(|b| b.accesskit_node().is_disabled()),
        "nothing to import"
    );
    assert_eq!(
        crate::common::field_value(&harness, "File"),
        Some(zendesk_csv().display().to_string())
    );
    let tickets = crate::common::store_of(&desk)
        .count_tickets(&tickets::store::TicketFilter::default())
        .unwrap();
    assert_eq!(tickets, 0);
}

#[test]
fn esc_closes_an_open_list_before_the_dialog() {
    let desk = desk_on(Engine::File, &[]);
    let dir = tempfile::tempdir().unwrap();
    let mut harness = open(&desk, Some(desk.dana));
    open_import(&mut harness, dir.path());
    click_in_body(&mut harness, Role::ComboBox, "Encoding");
    step_until(&mut harness, "the list of encodings", |h| {
        h.query_all_by_label("windows-1252")
            .any(|n| n.accesskit_node().role() == Role::Button)
    });
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(
        !harness
            .query_all_by_label("windows-1252")
            .any(|n| n.accesskit_node().role() == Role::Button),
        "the list closed"
    );
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "File")
            .is_some(),
        "the dialog stays"
    );
    // A second Esc closes the dialog.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "File")
            .is_none()
    );
}
