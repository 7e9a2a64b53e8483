//! The window at the sizes agents' screens have: the list uses the width it
//! is given, the panel keeps the columns that matter in view, and numbers
//! read as numbers (issue 10).

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use tickets::domain::TicketNumber;
use tickets::seed::{SeedOptions, generate};

use crate::common::{Desk, Window, desk, open_sized, open_ticket, step_until, store_of};

/// The column header with this name (its label carries a sort arrow when sorted).
fn header(harness: &Window, name: &str) -> egui::Rect {
    crate::common::named(harness, Role::Button, name).rect()
}

fn long_desk() -> Desk {
    let desk = desk(&[
        "The invoice for March shows the wrong VAT rate for customers in Ireland and Portugal",
        "Login loops",
    ]);
    let mut store = store_of(&desk);
    let customer = store
        .add_customer(&tickets::domain::NewCustomer {
            name: "Acme Corporation Worldwide".to_owned(),
            // Long enough to widen a panel that lets it.
            email: "operations-escalations-team@acme-corporation-worldwide.example".to_owned(),
            company: String::new(),
        })
        .unwrap();
    let version = store.load_ticket(TicketNumber(1)).unwrap().version;
    store
        .set_customer(desk.dana, TicketNumber(1), version, Some(customer))
        .unwrap();
    store.assign(desk.dana, TicketNumber(1), desk.dana).unwrap();
    store
        .assign(desk.dana, TicketNumber(1), desk.agents[1])
        .unwrap();
    desk
}

#[test]
fn at_1920_the_columns_span_the_window_and_the_subject_takes_the_room() {
    let desk = long_desk();
    let harness = open_sized(&desk, Some(desk.dana), [1920.0, 1080.0]);
    // The last column, Due, ends near the window's right edge.
    let last = header(&harness, "Due");
    assert!(
        last.max.x > 1920.0 - 200.0,
        "the table stops at {:.0} of 1920",
        last.max.x
    );
    let subject = header(&harness, "Subject");
    let status = header(&harness, "Status");
    assert!(
        status.min.x - subject.min.x > 700.0,
        "the subject column is only {:.0} wide",
        status.min.x - subject.min.x
    );
}

#[test]
fn at_1366_with_the_panel_open_customer_assignee_created_and_due_stay_in_view() {
    let desk = long_desk();
    let mut harness = open_sized(&desk, Some(desk.dana), [1366.0, 768.0]);
    open_ticket(&mut harness, "Login loops");
    harness.run_steps(2);
    // The panel's left edge: its Detail tab.
    let panel_left = harness.get_by_label("Detail").rect().min.x;
    for column in ["Customer", "Assignee", "Created", "Updated", "Due"] {
        let rect = header(&harness, column);
        assert!(
            rect.max.x <= panel_left,
            "{column} ends at {:.0}, under the panel at {panel_left:.0}",
            rect.max.x
        );
    }
    // Shortened, and still there.
    step_until(&mut harness, "the short assignees", |h| {
        h.query_by_label("Dana Scully +1").is_some() || h.query_by_label("Dana +1").is_some()
    });
    assert!(
        harness
            .query_by_label("Acme Corporation Worldwide")
            .is_some()
    );
}

#[test]
fn at_1280_with_the_panel_open_due_stays_in_view_and_created_gives_way() {
    // The window's first size on a 1366 screen: too little room for every
    // column beside the panel, so Created (the number gives that order)
    // gives way, and Due, the one an agent acts on, stays.
    let desk = long_desk();
    let mut harness = open_sized(&desk, Some(desk.dana), [1280.0, 768.0]);
    open_ticket(&mut harness, "Login loops");
    harness.run_steps(2);
    let panel_left = harness.get_by_label("Detail").rect().min.x;
    for column in ["Status", "Customer", "Assignee", "Updated", "Due"] {
        let rect = header(&harness, column);
        assert!(
            rect.max.x <= panel_left,
            "{column} ends at {:.0}, under the panel at {panel_left:.0}",
            rect.max.x
        );
    }
}

#[test]
fn at_800_by_560_the_filters_fold_away_and_the_list_has_the_room() {
    let desk = long_desk();
    let mut harness = open_sized(&desk, Some(desk.dana), [800.0, 560.0]);
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "Search")
            .is_none_or(|s| s.rect().max.x > 800.0 || s.rect().width() < 1.0),
        "the filters still take the side of a small window"
    );
    let subject = header(&harness, "Subject");
    assert!(
        subject.min.x < 200.0,
        "the list starts at {:.0}",
        subject.min.x
    );
    // The toggle brings them back, and it is remembered.
    harness.get_by_label("Show filters").click();
    step_until(&mut harness, "the filters", |h| {
        h.query_by_role_and_label(Role::TextInput, "Search")
            .is_some()
    });
    let app = harness.state().as_ref().unwrap();
    assert_eq!(app.settings().filters_shown, Some(true));
    // A ticket opened at this size lies over the list, which keeps its width.
    open_ticket(&mut harness, "Login loops");
    harness.get_by_label("Detail");
}

#[test]
fn the_panel_keeps_its_width_from_ticket_to_ticket() {
    let desk = long_desk();
    let mut harness = open_sized(&desk, Some(desk.dana), [1366.0, 768.0]);
    open_ticket(&mut harness, "Login loops");
    harness.run_steps(2);
    // Where the panel begins: its Detail tab's left edge.
    let width = |h: &Window| {
        let detail = h.get_by_label("Detail").rect();
        h.ctx.content_rect().max.x - detail.min.x
    };
    let short = width(&harness);
    open_ticket(
        &mut harness,
        "The invoice for March shows the wrong VAT rate for customers in Ireland and Portugal",
    );
    harness.run_steps(2);
    assert_eq!(width(&harness), short);
    // Nothing in it runs past the window's edge: the long email is cut short.
    let right = harness.ctx.content_rect().max.x;
    for node in harness.query_all_by_role(Role::Link) {
        assert!(
            node.rect().max.x <= right + 0.5,
            "a link ends at {:.0}, past the window's {right:.0}",
            node.rect().max.x
        );
    }
    let email = crate::common::text_containing(&harness, "operations-escalations")
        .expect("the customer's email");
    assert!(
        email.rect().max.x <= right + 0.5,
        "the email runs off: {:?}",
        email.rect()
    );
}

#[test]
fn counts_are_written_with_thousands_separators() {
    let desk = desk(&[]);
    let mut store = store_of(&desk);
    generate(
        &mut store,
        SeedOptions {
            tickets: 1_200,
            seed: 7,
        },
        |_, _| true,
    )
    .unwrap();
    drop(store);
    let harness = open_sized(&desk, Some(desk.dana), [1366.0, 768.0]);
    harness.get_by_label("1,200 tickets");
}

#[test]
fn at_1280_a_customers_other_tickets_leave_the_list_its_columns() {
    // Sample data: customers with many tickets, whose subjects are long.
    let desk = desk(&[]);
    let mut store = store_of(&desk);
    generate(
        &mut store,
        SeedOptions {
            tickets: 300,
            seed: 7,
        },
        |_, _| true,
    )
    .unwrap();
    drop(store);
    let mut harness = open_sized(&desk, Some(desk.dana), [1280.0, 800.0]);
    crate::common::press_keys(&mut harness, "go");
    harness.key_press(egui::Key::J);
    step_until(&mut harness, "the panel", |h| {
        h.query_by_label("Detail").is_some()
    });
    harness.get_by_label_contains("Conversation (").click();
    step_until(&mut harness, "the customer's other tickets", |h| {
        crate::common::text_containing(h, "Other tickets from").is_some()
    });
    harness.run_steps(4);
    let panel_left = harness.get_by_label("Detail").rect().min.x;
    let due = header(&harness, "Due");
    assert!(
        due.max.x <= panel_left,
        "Due ends at {:.0}, under the panel at {panel_left:.0}",
        due.max.x
    );
    let right = harness.ctx.content_rect().max.x;
    for link in harness.query_all_by_role(Role::Link) {
        assert!(
            link.rect().max.x <= right + 0.5,
            "a link runs past the window's edge: {link:?}"
        );
    }
}
