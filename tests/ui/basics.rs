//! The window, driven headless through its accessibility tree (egui_kittest):
//! find widgets by role and label, click, type, and step while the store's
//! worker thread answers.

use crate::common::{Window, desk, open, step_until, store_of, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use tickets::domain::{Priority, Status, TicketNumber};

#[test]
fn the_list_shows_every_ticket_with_its_columns() {
    let desk = desk(&["Refund for order 1234", "Cannot log in"]);
    let mut harness = open(&desk, Some(desk.dana));
    step_until(&mut harness, "rows", |h| {
        h.query_by_label("Cannot log in").is_some()
    });
    harness.get_by_label("2 tickets");
    harness.get_by_label("TKT-000001");
    harness.get_by_label("Refund for order 1234");
    // Newest first by default.
    let y = |h: &Window, label: &str| h.get_by_label(label).rect().min.y;
    assert!(y(&harness, "TKT-000002") < y(&harness, "TKT-000001"));
    assert!(harness.query_all_by_label("Unassigned").count() >= 2);
}

#[test]
fn an_empty_subject_is_refused_and_what_was_typed_stays() {
    let desk = desk(&["Existing"]);
    let mut harness = open(&desk, Some(desk.dana));
    // N opens the form (the top bar's button was checked by hand under Xvfb:
    // a synthetic one-frame pointer click does not reach menu-bar buttons).
    harness.key_press(egui::Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Description", "The printer is on fire");
    harness.get_by_label("Create Ticket").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Subject is required");
    let kept = harness
        .get_by_role_and_label(Role::MultilineTextInput, "Description")
        .value();
    assert_eq!(kept.as_deref(), Some("The printer is on fire"));
    // Now with a subject: created as Open, selected, panel open.
    type_into(&mut harness, "Subject (required)", "Printer on fire");
    harness.get_by_label("Create Ticket").click();
    step_until(&mut harness, "the new ticket in the panel", |h| {
        h.query_all_by_label("TKT-000002").count() == 2
            && h.query_by_label("Created TKT-000002").is_some()
    });
    let store = store_of(&desk);
    let ticket = store.load_ticket(TicketNumber(2)).unwrap();
    assert_eq!(ticket.subject, "Printer on fire");
    assert_eq!(ticket.description, "The printer is on fire");
    assert_eq!(ticket.status, Status::Open);
    assert_eq!(ticket.priority, Priority::Medium);
}

#[test]
fn search_narrows_the_list() {
    let desk = desk(&["Refund for order 1234", "Cannot log in", "Refund again"]);
    let mut harness = open(&desk, Some(desk.dana));
    type_into(&mut harness, "Search", "refund");
    step_until(&mut harness, "the search result", |h| {
        h.query_by_label("2 tickets").is_some()
    });
    assert!(harness.query_by_label("Cannot log in").is_none());
    // The active filter shows as a chip that clears it.
    harness.get_by_label("Remove the filter “refund”").click();
    step_until(&mut harness, "the full list", |h| {
        h.query_by_label("3 tickets").is_some()
    });
    assert!(harness.query_by_label("Cannot log in").is_some());
    assert!(
        crate::common::text_containing(&harness, "“refund”").is_none(),
        "the chip is gone"
    );
}

#[test]
fn changing_status_records_activity() {
    let desk = desk(&["Cannot log in"]);
    let mut harness = open(&desk, Some(desk.dana));
    step_until(&mut harness, "the row", |h| {
        h.query_by_label("Cannot log in").is_some()
    });
    harness.get_by_label("Cannot log in").click();
    step_until(&mut harness, "the panel", |h| {
        h.query_by_label("Detail").is_some() && h.query_by_label("Description").is_some()
    });
    harness
        .get_by_role_and_label(Role::ComboBox, "Status")
        .click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(Role::Button, "In Progress")
        .click();
    step_until(&mut harness, "the change to be saved", |_| {
        store_of(&desk).load_ticket(TicketNumber(1)).unwrap().status == Status::InProgress
    });
    harness.get_by_label("Activity").click();
    step_until(&mut harness, "the activity entry", |h| {
        h.query_by_label("Dana Scully changed status from Open to In Progress")
            .is_some()
    });
    assert_eq!(
        store_of(&desk)
            .load_ticket(TicketNumber(1))
            .unwrap()
            .activity[0]
            .actor,
        Some(desk.dana)
    );
}

#[test]
fn first_launch_asks_who_is_using_the_app() {
    let desk = desk(&["Something"]);
    let mut harness = open(&desk, None);
    step_until(&mut harness, "the question", |h| {
        h.query_by_label("Who is using Tickets?").is_some()
    });
    harness.get_by_label("I am Sam Okafor").click();
    step_until(&mut harness, "the top bar to name Sam", |h| {
        h.query_by_label_contains("You: Sam Okafor").is_some()
    });
    assert!(harness.query_by_label("Who is using Tickets?").is_none());
    let app = harness.state().as_ref().unwrap();
    assert_eq!(app.acting_agent().map(|a| a.id), Some(desk.agents[1]));
}

#[test]
fn keyboard_opens_the_form_and_escape_closes_it() {
    let desk = desk(&["Something"]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.key_press(egui::Key::N);
    harness.run_steps(2);
    harness.get_by_label("New Ticket");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.query_by_label("Create Ticket").is_none());
}

/// The created-date pickers open on today by the desk's clock, not the
/// computer's: a desk in another year picks that year's days.
#[test]
fn the_created_date_pickers_open_on_the_desks_today() {
    let desk = desk(&["Printer on fire"]);
    let harness = open(&desk, Some(desk.dana));
    assert_eq!(harness.query_all_by_label("2024-03-04 📆").count(), 2);
}

crate::on_both_engines_with! {
    fn about_names_the_version_the_database_and_where_backups_are(engine: Engine) {
        let desk = crate::common::desk_on(engine, &["Something"]);
        let mut harness = open(&desk, Some(desk.dana));
        crate::common::run_from_palette(&mut harness, "About");
        step_until(&mut harness, "About", |h| h.query_by_label("About Tickets").is_some());
        let version = format!("Tickets {} (pre-launch preview)", env!("CARGO_PKG_VERSION"));
        harness.get_by_label(&version);
        harness.get_by_label(&desk.location().to_string());
        let backups = match desk.url {
            None => format!(
                "{}, beside the database",
                desk.path.parent().expect("a folder").display()
            ),
            Some(_) => "the server's own, made by its admin with pg_dump (see docs/TEAM.md)".to_owned(),
        };
        harness.get_by_label(&backups);
        harness.get_by_label("Logs");
        harness.get_by_label("Close").click();
        step_until(&mut harness, "About to close", |h| {
            h.query_by_label("About Tickets").is_none()
        });
    }
}
