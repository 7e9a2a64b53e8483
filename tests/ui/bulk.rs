//! Picking tickets and changing them all at once: Ctrl/Shift-click, Ctrl+A
//! over a list longer than what is loaded, Esc, the bar's actions with a
//! ticket changed elsewhere in the middle, Undo, and the keys (X, Shift+J,
//! S then a number).

use crate::common::{
    Window, desk_on, list_counted, named, open, open_ticket, press_keys, step_until, store_of,
    stored, text_containing, wait_for_activity,
};
use crate::on_both_engines_with;
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use tickets::domain::{Priority, Status, TicketNumber};

fn selected(harness: &Window, n: u64) -> bool {
    harness.query_by_label(&format!("{n} selected")).is_some()
}

/// Picks `choice` from the bulk bar's menu `menu` ("Status ▾").
fn bar(harness: &mut Window, menu: &str, choice: &str) {
    harness.get_by_role_and_label(Role::Button, menu).click();
    harness.run_steps(2);
    harness.get_by_role_and_label(Role::Button, choice).click();
    harness.run_steps(1);
}

on_both_engines_with! {
    fn tickets_are_picked_by_click_range_and_all_and_let_go_with_esc(engine: Engine) {
        let desk = desk_on(engine, &["One", "Two", "Three", "Four", "Five"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the rows", |h| h.query_by_label("Five").is_some());
        // Newest first: Five, Four, Three, Two, One.
        let two = harness.get_by_label("Two").rect().min.y;
        harness.get_by_label("Four").click_modifiers(Modifiers::COMMAND);
        step_until(&mut harness, "one picked", |h| selected(h, 1));
        assert_eq!(
            harness.get_by_label("Two").rect().min.y,
            two,
            "picking moved the rows under the pointer"
        );
        assert!(harness.query_by_label("Pick TKT-000004").is_some(), "tick boxes show");
        assert!(harness.query_by_label("Detail").is_none(), "Ctrl-click opens nothing");
        harness.get_by_label("Two").click_modifiers(Modifiers::SHIFT);
        step_until(&mut harness, "the range", |h| selected(h, 3));
        harness.key_press(Key::Escape);
        step_until(&mut harness, "none picked", |h| h.query_by_label("Pick TKT-000004").is_none());
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        step_until(&mut harness, "every ticket", |h| selected(h, 5));
        harness.get_by_role_and_label(Role::Button, "Clear").click();
        step_until(&mut harness, "none picked", |h| h.query_by_label("Pick TKT-000001").is_none());
    }

    fn ctrl_a_picks_every_ticket_of_a_list_longer_than_what_is_loaded(engine: Engine) {
        let subjects: Vec<String> = (1..=250).map(|n| format!("Question {n}")).collect();
        let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
        let desk = desk_on(engine, &subjects);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the total", |h| h.query_by_label("250 tickets").is_some());
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        step_until(&mut harness, "all of them named", |h| {
            selected(h, 250) && h.query_by_label("Status ▾").is_some_and(|_| true)
                && text_containing(h, "naming them").is_none()
        });
        bar(&mut harness, "Priority ▾", "Urgent");
        step_until(&mut harness, "the notice", |h| {
            text_containing(h, "Set priority to Urgent on 250 tickets").is_some()
        });
        let store = store_of(&desk);
        for n in [1, 100, 250] {
            assert_eq!(store.load_ticket(TicketNumber(n)).unwrap().priority, Priority::Urgent);
        }
    }

    fn a_bulk_change_skips_a_ticket_changed_elsewhere_and_undo_puts_back_the_rest(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice", "Login", "Refund"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the list", list_counted);
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        step_until(&mut harness, "every ticket", |h| selected(h, 4));
        // Meanwhile another desk changes Invoice (2).
        let mut other = store_of(&desk);
        let v = other.load_ticket(TicketNumber(2)).unwrap().version;
        other.set_priority(desk.dana, TicketNumber(2), v, Priority::High).unwrap();
        bar(&mut harness, "Status ▾", "Waiting");
        step_until(&mut harness, "the notice", |h| {
            text_containing(h, "Set status to Waiting on 3 tickets").is_some()
        });
        assert!(text_containing(&harness, "1 was changed by someone else").is_some());
        assert_eq!(stored(&desk, 2).status, Status::Open, "not overwritten");
        for n in [1, 3, 4] {
            assert_eq!(stored(&desk, n).status, Status::Waiting);
        }
        // The skipped ticket stays picked; the others are let go.
        step_until(&mut harness, "one still picked", |h| selected(h, 1));
        // The trail says it was a bulk change.
        harness.key_press(Key::Escape);
        open_ticket(&mut harness, "Printer");
        wait_for_activity(
            &mut harness,
            "Dana Scully changed status from Open to Waiting (bulk change of 3 tickets)",
        );
        // A minute on, Refund (4) is changed again by the other desk; Undo
        // leaves it.
        desk.clock.advance(chrono::Duration::minutes(1));
        let v = other.load_ticket(TicketNumber(4)).unwrap().version;
        other.set_status(desk.dana, TicketNumber(4), v, Status::Closed).unwrap();
        harness.get_by_role_and_label(Role::Button, "Undo").click();
        step_until(&mut harness, "the undo's notice", |h| {
            text_containing(h, "Undid “set status to Waiting” on 2 tickets").is_some()
        });
        assert_eq!(stored(&desk, 1).status, Status::Open);
        assert_eq!(stored(&desk, 3).status, Status::Open);
        assert_eq!(stored(&desk, 4).status, Status::Closed, "changed since: left");
    }

    fn show_them_lists_the_tickets_a_bulk_change_skipped(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice", "Login"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the list", list_counted);
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        step_until(&mut harness, "every ticket", |h| selected(h, 3));
        let mut other = store_of(&desk);
        other.add_tag(desk.dana, TicketNumber(3), "urgent").unwrap();
        bar(&mut harness, "Priority ▾", "High");
        step_until(&mut harness, "the notice", |h| h.query_by_label("Show them").is_some());
        harness.get_by_role_and_label(Role::Button, "Show them").click();
        step_until(&mut harness, "the skipped ticket alone", |h| {
            h.query_by_label("1 ticket").is_some() && h.query_by_label("Login").is_some()
        });
        assert!(
            harness.query_by_label("Remove the filter TKT-000003").is_some(),
            "its chip names it"
        );
    }

    fn each_bar_action_changes_every_picked_ticket(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the list", list_counted);
        let pick_all = |harness: &mut Window| {
            harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
            step_until(harness, "both picked", |h| selected(h, 2));
        };
        let notice = |harness: &mut Window, text: &str| {
            step_until(harness, text, |h| text_containing(h, text).is_some());
        };
        pick_all(&mut harness);
        bar(&mut harness, "Assign ▾", "Sam Okafor");
        notice(&mut harness, "Assign Sam Okafor on 2 tickets");
        for n in [1, 2] {
            assert!(stored(&desk, n).assignees.iter().any(|a| a.name == "Sam Okafor"));
        }
        pick_all(&mut harness);
        bar(&mut harness, "Unassign ▾", "Sam Okafor");
        notice(&mut harness, "Unassign Sam Okafor on 2 tickets");
        assert!(stored(&desk, 1).assignees.is_empty());
        pick_all(&mut harness);
        harness.get_by_role_and_label(Role::Button, "Tags ▾").click();
        harness.run_steps(2);
        crate::common::type_into(&mut harness, "Add a tag", "billing");
        harness.get_by_role_and_label(Role::Button, "Add to each").click();
        notice(&mut harness, "Add the tag “billing” on 2 tickets");
        assert_eq!(stored(&desk, 2).tags[0].name, "billing");
        pick_all(&mut harness);
        bar(&mut harness, "Tags ▾", "Remove “billing”");
        notice(&mut harness, "Remove the tag “billing” on 2 tickets");
        assert!(stored(&desk, 2).tags.is_empty());
        pick_all(&mut harness);
        harness.get_by_role_and_label(Role::Button, "Note ▾").click();
        harness.run_steps(2);
        crate::common::type_into(&mut harness, "Add the same internal note to each ticket", "Escalated to billing");
        harness.get_by_role_and_label(Role::Button, "Add note to each").click();
        notice(&mut harness, "Add an internal note on 2 tickets");
        for n in [1, 2] {
            assert_eq!(stored(&desk, n).notes[0].body, "Escalated to billing");
        }
    }

    fn x_shift_j_and_s_then_a_number_change_picked_tickets_from_the_keyboard(engine: Engine) {
        let desk = desk_on(engine, &["One", "Two", "Three"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the rows", |h| h.query_by_label("Three").is_some());
        harness.key_press(Key::J);
        step_until(&mut harness, "Three open", |h| h.query_all_by_label("Three").count() == 2);
        harness.key_press(Key::X);
        step_until(&mut harness, "one picked", |h| selected(h, 1));
        harness.key_press_modifiers(Modifiers::SHIFT, Key::J);
        step_until(&mut harness, "two picked", |h| selected(h, 2));
        press_keys(&mut harness, "s");
        harness.key_press(Key::Num4);
        step_until(&mut harness, "both resolved", |_| {
            stored(&desk, 3).status == Status::Resolved && stored(&desk, 2).status == Status::Resolved
        });
        assert_eq!(stored(&desk, 1).status, Status::Open, "not picked");
        let _ = named;
    }
}

on_both_engines_with! {
    fn a_and_t_assign_and_tag_the_picked_tickets(engine: Engine) {
        let desk = desk_on(engine, &["One", "Two"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the list", list_counted);
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        step_until(&mut harness, "both picked", |h| selected(h, 2));
        harness.key_press(Key::A);
        step_until(&mut harness, "the agent box", |h| h.query_by_label("Assign 2 tickets").is_some());
        press_keys(&mut harness, "sam");
        harness.key_press(Key::Enter);
        step_until(&mut harness, "Sam on both", |_| {
            [1, 2].iter().all(|n| stored(&desk, *n).assignees.iter().any(|a| a.name == "Sam Okafor"))
        });
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        step_until(&mut harness, "both picked", |h| selected(h, 2));
        harness.key_press(Key::T);
        step_until(&mut harness, "the tag box", |h| h.query_by_label("Tag 2 tickets").is_some());
        press_keys(&mut harness, "vip");
        harness.key_press(Key::Enter);
        step_until(&mut harness, "the tag on both", |_| {
            [1, 2].iter().all(|n| stored(&desk, *n).tags.iter().any(|t| t.name == "vip"))
        });
        // Shift+N: the same note on each.
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        step_until(&mut harness, "both picked", |h| selected(h, 2));
        harness.key_press_modifiers(Modifiers::SHIFT, Key::N);
        step_until(&mut harness, "the note box", |h| {
            h.query_by_label("Add a note to 2 tickets").is_some()
        });
        press_keys(&mut harness, "called back");
        // Ctrl+Enter as a quick hand types it: Ctrl is up again by the
        // frame that reads the Enter (the event still says it was held).
        for pressed in [true, false] {
            harness.event(egui::Event::Key {
                key: Key::Enter,
                physical_key: None,
                pressed,
                repeat: false,
                modifiers: Modifiers::COMMAND,
            });
        }
        harness.run_steps(2);
        step_until(&mut harness, "the note on both", |_| {
            [1, 2].iter().all(|n| stored(&desk, *n).notes.iter().any(|t| t.body == "called back"))
        });
        assert!(harness.query_by_label("Subject (required)").is_none(), "no New Ticket form");
    }
}
