//! The Analytics window, driven headless (egui_kittest): periods, cards,
//! drill-down into the list, and export with the save dialog replaced by a
//! chosen path.

use crate::common::{Window, desk, desk_on, open, step_until, store_of};
use crate::on_both_engines_with;
use egui_kittest::kittest::Queryable;
use tickets::domain::{Direction, Status, TicketNumber};

/// Opens the Analytics window (F2) and waits for its first report.
fn open_analytics(harness: &mut Window) {
    harness.key_press(egui::Key::F2);
    step_until(harness, "the cards", |h| {
        h.query_by_label_contains("Created: ").is_some()
    });
}

on_both_engines_with! {
    fn cards_count_the_period_and_switching_periods_recounts(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire", "Cannot log in", "Refund please"]);
        {
            let mut store = store_of(&desk);
            let t = store.load_ticket(TicketNumber(1)).unwrap();
            store
                .add_message(desk.dana, TicketNumber(1), Direction::Outbound, "On it")
                .unwrap();
            store
                .set_status(desk.dana, TicketNumber(1), t.version, Status::Closed)
                .unwrap();
        }
        // Periods end now, exclusive: let a minute pass after the changes.
        desk.clock.advance(chrono::Duration::minutes(1));
        let mut harness = open(&desk, Some(desk.dana));
        open_analytics(&mut harness);
        // Last 30d by default: three created today, one closed, two still open.
        harness.get_by_label("Created: 3");
        harness.get_by_label("Closed: 1");
        harness.get_by_label("Open backlog: 2");
        harness.get_by_label("Closure Rate: 33.3%");
        harness.get_by_label_contains("1 of 3 created");
        // Last Month holds none of them: zeros, and no rate rather than 0%.
        harness.get_by_label("Last Month").click();
        step_until(&mut harness, "last month's cards", |h| {
            h.query_by_label("Created: 0").is_some()
        });
        harness.get_by_label("1 Feb – 29 Feb 2024, local time");
        harness.get_by_label("Closure Rate: —");
        harness.get_by_label("Avg Resolution: —");
        // Back to Today.
        harness.get_by_label("Today").click();
        step_until(&mut harness, "today's cards", |h| {
            h.query_by_label("Created: 3").is_some()
        });
        harness.get_by_label("Closed: 1");
        harness.get_by_label("Open backlog: 2");
    }
}

on_both_engines_with! {
    fn clicking_a_card_lists_exactly_the_tickets_behind_it(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire", "Cannot log in", "Refund please"]);
        {
            let mut store = store_of(&desk);
            for n in [1, 3] {
                let t = store.load_ticket(TicketNumber(n)).unwrap();
                store
                    .set_status(desk.dana, TicketNumber(n), t.version, Status::Closed)
                    .unwrap();
            }
        }
        desk.clock.advance(chrono::Duration::minutes(1));
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "all three", |h| {
            h.query_by_label("3 tickets").is_some()
        });
        open_analytics(&mut harness);
        harness.get_by_label("Closed: 2").click();
        step_until(&mut harness, "the drilled-down list", |h| {
            h.query_by_label("2 tickets").is_some()
        });
        // The chip says what the list is, and the rows are the closed ones.
        crate::common::text_containing(&harness, "Closed (").expect("the chip");
        assert!(harness.query_by_label("Printer on fire").is_some());
        assert!(harness.query_by_label("Refund please").is_some());
        assert!(harness.query_by_label("Cannot log in").is_none());
        // The Open card goes to the backlog instead.
        harness.get_by_label("Open backlog: 1").click();
        step_until(&mut harness, "the backlog", |h| {
            h.query_by_label("1 ticket").is_some() && h.query_by_label("Cannot log in").is_some()
        });
        assert!(harness.query_by_label("Printer on fire").is_none());
        assert!(harness.query_by_label("Refund please").is_none());
    }
}

on_both_engines_with! {
    fn export_writes_the_report_to_the_chosen_path(engine: Engine) {
        let desk = desk_on(engine, &["=HYPERLINK(\"http://evil\")", "Cannot log in"]);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("november.csv");
        let mut harness = open(&desk, Some(desk.dana));
        let chosen = target.clone();
        crate::common::save_dialog_answers(&mut harness, &chosen);
        open_analytics(&mut harness);
        harness.get_by_label("Export…").click();
        crate::common::choose_and_export(&mut harness);
        let rows = dir.path().join("november-tickets.csv");
        step_until(&mut harness, "both files", |h| {
            h.query_by_label_contains("Exported the report").is_some()
        });
        let summary = std::fs::read_to_string(&target).unwrap();
        assert!(summary.contains("card,Created,,2,tickets"), "{summary}");
        let tickets = std::fs::read_to_string(&rows).unwrap();
        assert!(tickets.contains("'=HYPERLINK"), "{tickets}");
        // Nothing else was left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}

on_both_engines_with! {
    fn ticket_export_includes_internal_notes_only_when_ticked(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire"]);
        {
            let mut store = store_of(&desk);
            store
                .add_note(desk.dana, TicketNumber(1), "Customer is a reseller")
                .unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("tickets.csv");
        let mut harness = open(&desk, Some(desk.dana));
        let chosen = target.clone();
        crate::common::save_dialog_answers(&mut harness, &chosen);
        // Ctrl+E: Export tickets…, without notes.
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
        harness.run_steps(2);
        crate::common::choose_and_export(&mut harness);
        step_until(&mut harness, "the export", |h| {
            h.query_by_label_contains("Exported 1 ticket").is_some()
        });
        let text = std::fs::read_to_string(&target).unwrap();
        assert!(text.contains("Printer on fire"));
        assert!(!text.contains("reseller"), "notes left out unless asked");
        // Again, with notes.
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
        harness.run_steps(2);
        harness.get_by_label("Include internal notes").click();
        harness.run_steps(1);
        crate::common::choose_and_export(&mut harness);
        step_until(&mut harness, "the export with notes", |h| {
            std::fs::read_to_string(dir.path().join("tickets.csv"))
                .is_ok_and(|t| t.contains("reseller"))
                && h.query_by_label_contains("Exported 1 ticket").is_some()
        });
        assert!(
            std::fs::read_to_string(&target)
                .unwrap()
                .contains("internal_notes")
        );
    }
}

#[test]
fn every_card_stays_inside_a_narrow_window() {
    // At 900 points wide the seven cards cannot stand in one row: they wrap,
    // and none runs past the app window's right edge (CSAT once did).
    let desk = desk(&["Printer on fire"]);
    desk.clock.advance(chrono::Duration::minutes(1));
    let mut harness = open(&desk, Some(desk.dana));
    harness.set_size(egui::vec2(900.0, 700.0));
    harness.run_steps(2);
    open_analytics(&mut harness);
    harness.run_steps(2);
    let cards = [
        "Created: ",
        "Closed: ",
        "Open backlog: ",
        "Avg Resolution: ",
        "Avg First Response: ",
        "Closure Rate: ",
        "CSAT: ",
    ];
    let rects: Vec<egui::Rect> = cards
        .iter()
        .map(|c| harness.get_by_label_contains(c).rect())
        .collect();
    for (card, rect) in cards.iter().zip(&rects) {
        assert!(
            rect.right() <= 900.0 && rect.left() >= 0.0,
            "{card}card runs off the window: {rect:?}"
        );
    }
    assert!(
        rects.iter().any(|r| r.top() > rects[0].bottom()),
        "the cards wrap onto a second row"
    );
}

on_both_engines_with! {
    fn a_ticket_export_shows_its_progress_and_cancel_without_analytics_open(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire"]);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("tickets.csv");
        let mut harness = open(&desk, Some(desk.dana));
        let chosen = target.clone();
        crate::common::save_dialog_answers(&mut harness, &chosen);
        // Another program's write holds the file (on a server, a lock on the
        // tickets): the export waits, so it is certainly still running when
        // looked at.
        let held = crate::common::hold_writes(&desk);
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
        harness.run_steps(2);
        crate::common::choose_and_export(&mut harness);
        step_until(&mut harness, "the export's progress in the top bar", |h| {
            h.query_by_label("Cancel exporting tickets").is_some()
                && h.query_all_by_label_contains("Exporting").next().is_some()
        });
        assert!(
            harness
                .query_by_label_contains("Working out the numbers")
                .is_none()
                && harness.query_by_label("Created: 1").is_none(),
            "the Analytics window is not open"
        );
        held.release();
        step_until(&mut harness, "the export", |h| {
            h.query_by_label_contains("Exported 1 ticket").is_some()
                && h.query_by_label("Cancel exporting tickets").is_none()
        });
        assert!(target.is_file());
    }
}

on_both_engines_with! {
    fn the_backlog_card_is_named_so_and_a_drill_down_says_what_it_did(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire", "Cannot log in"]);
        desk.clock.advance(chrono::Duration::minutes(1));
        let mut harness = open(&desk, Some(desk.dana));
        open_analytics(&mut harness);
        // Not "Open", which the sidebar uses for one status.
        harness.get_by_label("Open backlog: 2").click();
        step_until(&mut harness, "the drill-down", |h| {
            h.query_by_label_contains("The ticket list now shows the 2 tickets")
                .is_some()
        });
        // The chip over the list names the scope on one line.
        let chip =
            crate::common::text_containing(&harness, "Open backlog at the end (").expect("the chip");
        assert!(
            chip.rect().height() < 30.0,
            "the chip wraps: {:?}",
            chip.rect()
        );
    }
}

on_both_engines_with! {
    fn a_customers_chip_names_the_customer(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire", "Cannot log in"]);
        {
            let mut store = store_of(&desk);
            let acme = store
                .add_customer(&tickets::domain::NewCustomer {
                    name: "Acme Ltd".to_owned(),
                    ..Default::default()
                })
                .unwrap();
            let version = store.load_ticket(TicketNumber(1)).unwrap().version;
            store
                .set_customer(desk.dana, TicketNumber(1), version, Some(acme))
                .unwrap();
        }
        let mut harness = open(&desk, Some(desk.dana));
        crate::common::open_ticket(&mut harness, "Printer on fire");
        harness
            .get_by_role_and_label(egui::accesskit::Role::Link, "Acme Ltd")
            .click();
        step_until(&mut harness, "the customer's tickets", |h| {
            h.query_by_label("1 ticket").is_some()
        });
        crate::common::text_containing(&harness, "Customer: Acme Ltd").expect("the chip");
    }
}

#[test]
fn at_1366_no_card_lies_under_the_scroll_bar() {
    let desk = desk(&["Printer on fire"]);
    desk.clock.advance(chrono::Duration::minutes(1));
    let mut harness = open(&desk, Some(desk.dana));
    harness.set_size(egui::vec2(1366.0, 768.0));
    harness.run_steps(2);
    open_analytics(&mut harness);
    harness.run_steps(2);
    // The Analytics window's own right edge, inside the app's.
    let export = harness.get_by_label("Export…").rect();
    for card in ["CSAT: ", "Closure Rate: ", "Avg First Response: "] {
        let rect = harness.get_by_label_contains(card).rect();
        assert!(
            rect.right() <= export.right() - 8.0,
            "{card}card reaches {:.0}, under the scroll bar by {:.0}",
            rect.right(),
            export.right()
        );
    }
}

on_both_engines_with! {
    fn the_sla_cards_count_targets_that_fell_due_and_open_them(engine: Engine) {
        use tickets::clock::Clock as _;
        use tickets::domain::sla::{SlaPolicy, Targets};
        // Raised at 15:05, 15:10 and 15:15; a first reply promised within
        // 10 minutes. The first is answered at 15:12 (met), the second is
        // not (missed at 15:20); the third's falls due at 15:25, after now.
        let desk = desk_on(engine, &["Printer on fire", "Cannot log in", "Refund please"]);
        {
            let mut store = store_of(&desk);
            let mut policy = SlaPolicy::default();
            policy.targets[1] = Targets {
                first_reply_minutes: Some(10),
                resolution_minutes: None,
            };
            store.set_sla_policy(desk.dana, &policy).unwrap();
            desk.clock.set(desk.clock.now() - chrono::Duration::minutes(8));
            store
                .add_message(desk.dana, TicketNumber(1), Direction::Outbound, "On it")
                .unwrap();
            // It is 15:22.
            desk.clock.advance(chrono::Duration::minutes(10));
            while store.refresh_due().unwrap() > 0 {}
        }
        let mut harness = open(&desk, Some(desk.dana));
        open_analytics(&mut harness);
        step_until(&mut harness, "the SLA card", |h| {
            h.query_by_label("First reply SLA: 50.0%").is_some()
        });
        harness.get_by_label_contains("1 of 2 met · 1 missed");
        harness.get_by_label("Resolution SLA: —");
        harness.get_by_label("First reply SLA: 50.0%").click();
        step_until(&mut harness, "the targets' tickets", |h| {
            h.query_by_label("2 tickets").is_some()
        });
        assert!(harness.query_by_label("Printer on fire").is_some());
        assert!(harness.query_by_label("Cannot log in").is_some());
        assert!(harness.query_by_label("Refund please").is_none());
    }
}

on_both_engines_with! {
    fn export_everything_writes_a_file_the_command_line_reads_back(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire", "Refund please"]);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("all.jsonl");
        let mut harness = open(&desk, Some(desk.dana));
        crate::common::save_dialog_answers(&mut harness, &target);
        crate::common::run_from_palette(&mut harness, "Export everything");
        harness.get_by_label_contains("every ticket with its conversation");
        crate::common::choose_and_export(&mut harness);
        step_until(&mut harness, "the export", |h| {
            h.query_by_label_contains("Exported everything (2 tickets").is_some()
        });
        // What the window wrote is a whole file of everything: it reads
        // back into an empty desk with both tickets.
        let file = tickets::export::everything::EverythingFile::open(&target).unwrap();
        assert_eq!(file.tickets(), 2);
        let mut empty = tickets::store::Store::open(dir.path().join("copy.db"), desk.clock.clone()).unwrap();
        empty.restore(&file, &mut |_, _| true).unwrap();
        assert_eq!(empty.load_ticket(TicketNumber(2)).unwrap().subject, "Refund please");
    }
}

#[test]
fn the_export_dialog_warns_of_a_file_it_would_replace() {
    let desk = crate::common::desk(&["Printer on fire"]);
    let dir = tempfile::tempdir().unwrap();
    let taken = dir.path().join("taken.csv");
    std::fs::write(&taken, "last week's").unwrap();
    let mut harness = open(&desk, Some(desk.dana));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    harness.run_steps(2);
    let warning = "A file of that name exists; exporting replaces it.";
    crate::common::replace_in(&mut harness, "Save as", &taken.display().to_string());
    step_until(&mut harness, "the warning", |h| {
        crate::common::text_containing(h, warning).is_some()
    });
    let fresh = dir.path().join("fresh.csv");
    crate::common::replace_in(&mut harness, "Save as", &fresh.display().to_string());
    step_until(&mut harness, "the warning gone", |h| {
        crate::common::text_containing(h, warning).is_none()
    });
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "last week's");
}
