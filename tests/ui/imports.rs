//! Imported tickets in the window: the panel says where a ticket came from
//! ("Zendesk #12345"), and the list's search finds it by that id.

use crate::common::{desk_on, open, open_ticket, step_until, store_of, type_into};
use crate::on_both_engines_with;
use chrono::{TimeZone, Utc};
use egui_kittest::kittest::Queryable;
use tickets::domain::ImportedTicket;
use tickets::store::import::ImportResult;

/// Ticket 12345 of a Zendesk export, raised the day before the fixtures' clock.
fn from_zendesk() -> ImportedTicket {
    let created = Utc.with_ymd_and_hms(2024, 3, 3, 9, 0, 0).unwrap();
    crate::fixtures::imported_ticket("12345", 2, "Oven broken", created)
}

on_both_engines_with! {
    fn the_panel_shows_where_an_imported_ticket_came_from(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let mut store = store_of(&desk);
        let results = store
            .import_batch(desk.dana, "zendesk", ("export.csv", 2), &[from_zendesk()])
            .unwrap();
        assert!(matches!(results[0], ImportResult::Created(_)), "{results:?}");
        // And one raised here since.
        store
            .create_ticket(desk.dana, &crate::fixtures::new_ticket("Cannot log in"))
            .unwrap();
        drop(store);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Oven broken");
        step_until(&mut harness, "where it came from", |h| {
            h.query_by_label("Imported from Zendesk #12345").is_some()
        });
        // Searching for its id there finds it, and only it.
        type_into(&mut harness, "Search", "zendesk:12345");
        step_until(&mut harness, "the search's one ticket", |h| {
            h.query_by_label("1 ticket").is_some()
        });
        assert!(harness.query_by_label("Cannot log in").is_none());
    }
}
