//! Merging and linking in the window: the dialog says exactly what will
//! move and that it cannot be undone, a conflict leaves everything as it
//! was and says so, and the panel shows the merge and links, each opening
//! its ticket.

use crate::common::{
    Window, desk_on, open, open_ticket, run_from_palette, step_until, store_of, stored,
    text_containing, type_into,
};
use crate::on_both_engines_with;
use egui::Modifiers;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::domain::{Direction, Status, TicketNumber};

const SUMMARY: &str = "Moves 2 messages, 1 note, 1 tag and 0 assignees into TKT-000001 (from TKT-000002), and TKT-000002 is closed as merged. A merge cannot be undone.";

/// A desk where ticket 2 has the customer's two messages, a note and a tag.
fn printer_desk(engine: crate::fixtures::Engine) -> crate::fixtures::Desk {
    let desk = desk_on(engine, &["Printer on fire", "Printer smoking"]);
    let mut store = store_of(&desk);
    let two = TicketNumber(2);
    store
        .add_message(desk.dana, two, Direction::Inbound, "It smokes")
        .unwrap();
    store
        .add_message(desk.dana, two, Direction::Inbound, "Still smoking")
        .unwrap();
    store.add_note(desk.dana, two, "Same printer").unwrap();
    store.add_tag(desk.dana, two, "hardware").unwrap();
    desk
}

/// From ticket 2's panel, the merge dialog with ticket 1 named as the one kept.
fn merge_two_into_one(harness: &mut Window) {
    open_ticket(harness, "Printer smoking");
    run_from_palette(harness, "Merge into another");
    step_until(harness, "the merge dialog", |h| {
        h.query_by_label("Add a ticket").is_some()
    });
    type_into(harness, "Add a ticket", "1");
    harness.get_by_role_and_label(Role::Button, "Add").click();
    step_until(harness, "what will move", |h| {
        text_containing(h, SUMMARY).is_some()
    });
}

on_both_engines_with! {
    fn the_merge_dialog_says_what_moves_and_the_panel_shows_the_merge(engine: Engine) {
        let desk = printer_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        merge_two_into_one(&mut harness);
        // Ticket 1 is the one kept, as named; both are listed with their subjects.
        assert!(harness.query_by_label("Keep TKT-000001").is_some());
        assert!(harness.query_by_label("Keep TKT-000002").is_some());
        harness.get_by_role_and_label(Role::Button, "Merge").click();
        step_until(&mut harness, "the kept ticket's panel", |h| {
            h.query_by_label("TKT-000002 merged into this").is_some()
        });
        let kept = stored(&desk, 1);
        assert_eq!(kept.messages.len(), 2);
        assert_eq!(kept.notes.len(), 1);
        assert_eq!(stored(&desk, 2).status, Status::Closed);
        // The merged-in ticket opens from the kept one's panel, and says where it went.
        harness.get_by_label("TKT-000002 merged into this").click();
        step_until(&mut harness, "the merged ticket's panel", |h| {
            h.query_by_label("Merged into TKT-000001").is_some()
        });
        // Searching for the merged number finds the kept ticket too, and says why.
        type_into(&mut harness, "Search", "TKT-2");
        step_until(&mut harness, "the search", |h| {
            h.query_by_label("2 tickets").is_some()
                && text_containing(h, "TKT-000002 was merged into TKT-000001, which is listed too.")
                    .is_some()
        });
    }

    fn a_ticket_changed_meanwhile_refuses_the_merge_and_nothing_moves(engine: Engine) {
        let desk = printer_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        merge_two_into_one(&mut harness);
        // Sam moves ticket 1 on while Dana reads the dialog.
        let mut sam = desk.store_as(desk.agents[1]);
        let v = sam.load_ticket(TicketNumber(1)).unwrap().version;
        sam.set_status(desk.agents[1], TicketNumber(1), v, Status::Waiting)
            .unwrap();
        harness.get_by_role_and_label(Role::Button, "Merge").click();
        step_until(&mut harness, "the refusal", |h| {
            text_containing(h, "Nothing was merged: TKT-000001 was changed by someone else").is_some()
        });
        assert!(stored(&desk, 1).messages.is_empty(), "nothing moved");
        assert_eq!(stored(&desk, 2).status, Status::Open);
        // The dialog read both again: merging now goes ahead.
        step_until(&mut harness, "the tickets read again", |h| {
            text_containing(h, SUMMARY).is_some()
        });
        harness.get_by_role_and_label(Role::Button, "Merge").click();
        step_until(&mut harness, "the merge", |h| {
            h.query_by_label("TKT-000002 merged into this").is_some()
        });
        assert_eq!(stored(&desk, 1).status, Status::Waiting);
    }

    fn the_panel_menu_merges_other_tickets_into_the_open_one(engine: Engine) {
        let desk = printer_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Printer on fire");
        harness.get_by_label("Ticket menu").click();
        step_until(&mut harness, "the menu", |h| {
            h.query_by_label("Merge other tickets into this…").is_some()
        });
        harness.get_by_label("Merge other tickets into this…").click();
        step_until(&mut harness, "the merge dialog", |h| {
            text_containing(h, "Name at least one more ticket").is_some()
        });
        assert!(harness.query_by_label("Keep TKT-000001").is_some());
        assert!(
            harness
                .query_by_role_and_label(Role::Button, "Merge")
                .is_some_and(|b| b.accesskit_node().is_disabled()),
            "nothing to merge yet"
        );
        type_into(&mut harness, "Add a ticket", "TKT-000002");
        harness.key_press(egui::Key::Enter);
        // The open ticket stays the one kept.
        step_until(&mut harness, "what will move", |h| {
            text_containing(h, SUMMARY).is_some()
        });
        harness.get_by_label("Cancel").click();
        step_until(&mut harness, "the dialog closed", |h| {
            h.query_by_label("Add a ticket").is_none()
        });
        assert!(stored(&desk, 1).messages.is_empty(), "cancelled: nothing moved");
    }

    fn picked_tickets_merge_into_the_one_chosen(engine: Engine) {
        let desk = printer_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the rows", |h| h.query_by_label("Printer on fire").is_some());
        harness.get_by_label("Printer on fire").click_modifiers(Modifiers::COMMAND);
        harness.get_by_label("Printer smoking").click_modifiers(Modifiers::COMMAND);
        step_until(&mut harness, "two picked", |h| h.query_by_label("2 selected").is_some());
        harness.get_by_role_and_label(Role::Button, "Merge…").click();
        // The oldest is kept unless another is chosen.
        step_until(&mut harness, "what will move", |h| {
            text_containing(h, SUMMARY).is_some()
        });
        harness.get_by_label("Keep TKT-000002").click();
        step_until(&mut harness, "the other way round", |h| {
            text_containing(h, "into TKT-000002 (from TKT-000001), and TKT-000001 is closed as merged. A merge cannot be undone.").is_some()
        });
        harness.get_by_role_and_label(Role::Button, "Merge").click();
        step_until(&mut harness, "the kept ticket's panel", |h| {
            h.query_by_label("TKT-000001 merged into this").is_some()
        });
        assert_eq!(stored(&desk, 1).status, Status::Closed);
        assert_eq!(stored(&desk, 2).messages.len(), 2);
    }

    fn links_are_added_by_number_shown_both_ways_and_open_their_ticket(engine: Engine) {
        let desk = printer_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Printer smoking");
        type_into(&mut harness, "Link to", "printer");
        harness.get_by_label("Add link").click();
        step_until(&mut harness, "the refusal", |h| {
            text_containing(h, "“printer” is not a ticket number").is_some()
        });
        assert_eq!(
            crate::common::field_value(&harness, "Link to").as_deref(),
            Some("printer"),
            "what was typed stays"
        );
        harness.get_by_role_and_label(Role::TextInput, "Link to").focus();
        harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
        harness.get_by_role_and_label(Role::TextInput, "Link to").type_text("1");
        harness.run_steps(1);
        harness.get_by_label("Add link").click();
        step_until(&mut harness, "the link", |h| {
            h.query_by_label("Related to TKT-000001").is_some()
        });
        assert_eq!(stored(&desk, 1).links[0].label(), "Related to TKT-000002");
        harness.get_by_label("Related to TKT-000001").click();
        step_until(&mut harness, "ticket 1 with its link", |h| {
            h.query_by_label("Related to TKT-000002").is_some()
        });
        harness
            .get_by_label("Remove the link: Related to TKT-000002")
            .click();
        step_until(&mut harness, "the link gone", |h| {
            h.query_by_label("No links").is_some()
        });
        assert!(stored(&desk, 2).links.is_empty());
    }
}

/// The number box takes a click and typed keys as a person gives them (it
/// once opened with its focus taken by the reply box behind the dialog).
#[test]
fn the_number_box_takes_a_click_and_keys() {
    let desk = printer_desk(crate::fixtures::Engine::File);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Printer on fire");
    harness.get_by_label("Conversation (0)").click();
    harness.run_steps(2);
    harness.get_by_label("Ticket menu").click();
    step_until(&mut harness, "the menu", |h| {
        h.query_by_label("Merge other tickets into this…").is_some()
    });
    harness
        .get_by_label("Merge other tickets into this…")
        .click();
    step_until(&mut harness, "the merge dialog", |h| {
        h.query_by_label("Add a ticket").is_some()
    });
    harness.run_steps(3);
    harness
        .get_by_role_and_label(Role::TextInput, "Add a ticket")
        .click();
    harness.run_steps(3);
    crate::common::press_keys(&mut harness, "2");
    assert_eq!(
        crate::common::field_value(&harness, "Add a ticket").as_deref(),
        Some("2")
    );
}
