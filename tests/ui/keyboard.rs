//! The keyboard: shortcuts never fire while typing, the command palette, and
//! triaging a ticket without the mouse (issue 10).

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use tickets::domain::{Priority, Status, TicketNumber};

use crate::common::{
    Window, desk, field_value, open, open_ticket, press_keys, step_until, store_of, stored,
    type_into,
};

/// The panel shows this ticket: its subject is in the list and heads the panel.
fn shows(harness: &Window, subject: &str) -> bool {
    harness.query_all_by_label(subject).count() == 2
}

fn no_new_ticket_form(harness: &Window) -> bool {
    harness.query_by_label("Subject (required)").is_none()
}

#[test]
fn typing_in_an_edited_note_types_and_fires_no_shortcut() {
    let desk = desk(&["Alpha", "Beta"]);
    store_of(&desk)
        .add_note(desk.dana, TicketNumber(2), "Called the customer")
        .unwrap();
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Beta");
    harness.get_by_label("Notes (1)").click();
    step_until(&mut harness, "the note", |h| {
        h.query_by_label("Called the customer").is_some()
    });
    harness.get_by_label("Edit this note").click();
    step_until(&mut harness, "the note editor", |h| {
        h.query_by_label("Edit the note").is_some()
    });
    harness.run_steps(1);
    assert!(
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Edit the note")
            .is_focused(),
        "the edit box opened without the cursor in it"
    );
    press_keys(&mut harness, " just now");
    let text = field_value(&harness, "Edit the note").unwrap();
    assert!(text.ends_with(" just now"), "typed text was lost: {text:?}");
    assert!(shows(&harness, "Beta"), "J or K moved to another ticket");
    assert!(no_new_ticket_form(&harness), "N opened a new ticket");
}

#[test]
fn keys_pressed_as_a_box_opens_fire_no_shortcut() {
    let desk = desk(&["Alpha", "Beta"]);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Beta");
    // The click that opens the description editor and the first keys
    // arrive in the same frame.
    harness.get_by_label("Edit the description").click();
    for key in [Key::J, Key::N, Key::K] {
        harness.key_press(key);
    }
    harness.run_steps(3);
    assert!(shows(&harness, "Beta"), "a ticket shortcut fired");
    assert!(no_new_ticket_form(&harness), "N opened a new ticket");
    assert!(
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Description")
            .is_focused()
    );
    press_keys(&mut harness, "jk");
    assert!(shows(&harness, "Beta"));
}

#[test]
fn every_box_that_opens_for_typing_takes_the_cursor() {
    let desk = desk(&["Alpha"]);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Alpha");
    for (button, field) in [
        ("Add an assignee", "Find an agent"),
        ("Add a tag", "New tag"),
        ("Edit the description", "Description"),
    ] {
        harness.get_by_label(button).click();
        step_until(&mut harness, field, |h| {
            h.query_by_role_and_label(Role::TextInput, field)
                .or_else(|| h.query_by_role_and_label(Role::MultilineTextInput, field))
                .is_some_and(|n| n.is_focused())
        });
        press_keys(&mut harness, "nj");
        assert!(shows(&harness, "Alpha"), "{field}: J moved on");
        assert!(no_new_ticket_form(&harness), "{field}: N opened a form");
        harness.key_press(Key::Escape);
        harness.run_steps(2);
    }
}

#[test]
fn escape_in_a_box_leaves_the_box_and_a_second_escape_closes_the_panel() {
    let desk = desk(&["Alpha"]);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Alpha");
    harness.get_by_label("Notes (0)").click();
    step_until(&mut harness, "the note box", |h| {
        h.query_by_label("Add a note").is_some()
    });
    type_into(&mut harness, "Add a note", "Half a thought");
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(shows(&harness, "Alpha"), "Esc in a box closed the panel");
    harness.key_press(Key::Escape);
    step_until(&mut harness, "the panel to close", |h| {
        h.query_all_by_label("Alpha").count() == 1
    });
    assert!(
        harness.query_by_label("Detail").is_none(),
        "the panel closed"
    );
    harness.get_by_label("Alpha");
}

#[test]
fn the_palette_lists_commands_left_aligned_with_their_keys_as_printed() {
    let desk = desk(&["Alpha"]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    step_until(&mut harness, "the palette", |h| {
        h.query_by_label("Command").is_some()
    });
    // "Refresh" has a shortcut, "Clear filters" has none: both start at the
    // same left edge.
    let left = |label: &str| {
        harness
            .get_by_role_and_label(Role::Label, label)
            .rect()
            .min
            .x
    };
    assert_eq!(left("Refresh"), left("Clear filters"));
    harness.get_by_role_and_label(Role::Label, "F5");
    harness.get_by_role_and_label(Role::Label, "/");
    assert!(harness.query_by_label_contains("Slash").is_none());
}

#[test]
fn a_ticket_is_triaged_from_the_palette() {
    let desk = desk(&["Alpha", "Beta"]);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Beta");
    for (words, check) in [
        (
            "status waiting",
            Box::new(|d: &tickets::domain::TicketDetail| d.status == Status::Waiting)
                as Box<dyn Fn(&tickets::domain::TicketDetail) -> bool>,
        ),
        (
            "priority urgent",
            Box::new(|d: &tickets::domain::TicketDetail| d.priority == Priority::Urgent),
        ),
        (
            "assign to me",
            Box::new(|d: &tickets::domain::TicketDetail| d.assignees.len() == 1),
        ),
    ] {
        crate::common::run_from_palette(&mut harness, words);
        step_until(&mut harness, words, |_| check(&stored(&desk, 2)));
    }
    assert_eq!(stored(&desk, 2).assignees[0].name, "Dana Scully");
    // Go to a ticket by its number.
    crate::common::run_from_palette(&mut harness, "1");
    step_until(&mut harness, "TKT-000001 open", |h| shows(h, "Alpha"));
    assert_eq!(harness.query_all_by_label("Alpha").count(), 2);
}

#[test]
fn a_ticket_is_triaged_from_the_keyboard_alone() {
    let desk = desk(&["Alpha", "Beta"]);
    let mut harness = open(&desk, Some(desk.dana));
    // J opens the first ticket of the list; S then a number, P then a
    // number, and I change it.
    harness.key_press(Key::J);
    step_until(&mut harness, "Beta open", |h| shows(h, "Beta"));
    harness.key_press(Key::S);
    step_until(&mut harness, "the status choices", |h| {
        crate::common::text_containing(h, "Set status: 1 Open · 2 In Progress").is_some()
    });
    harness.key_press(Key::Num2);
    step_until(&mut harness, "In Progress", |_| {
        stored(&desk, 2).status == Status::InProgress
    });
    harness.key_press(Key::P);
    step_until(&mut harness, "the priority choices", |h| {
        crate::common::text_containing(h, "Set priority: 1 Low").is_some()
    });
    harness.key_press(Key::Num3);
    step_until(&mut harness, "High", |_| {
        stored(&desk, 2).priority == Priority::High
    });
    // A key that is none of the choices lets the chord go, changing nothing.
    harness.key_press(Key::S);
    harness.run_steps(2);
    harness.key_press(Key::Num9);
    harness.run_steps(2);
    assert!(crate::common::text_containing(&harness, "Set status:").is_none());
    assert_eq!(stored(&desk, 2).status, Status::InProgress);
    harness.key_press(Key::I);
    step_until(&mut harness, "assigned to me", |_| {
        stored(&desk, 2).assignees.iter().any(|a| a.id == desk.dana)
    });
    harness.key_press(Key::T);
    step_until(&mut harness, "the tag box", |h| {
        h.query_by_role_and_label(Role::TextInput, "New tag")
            .is_some_and(|n| n.is_focused())
    });
    press_keys(&mut harness, "vip");
    harness.key_press(Key::Enter);
    step_until(&mut harness, "the tag", |_| {
        stored(&desk, 2).tags.len() == 1
    });
    step_until(&mut harness, "the tag's chip", |h| {
        h.query_by_label("Remove the tag vip").is_some()
    });
    assert_eq!(stored(&desk, 2).tags[0].name, "vip");
    // Shift+N: the note box, not the New Ticket form that N opens.
    if harness
        .query_by_role_and_label(Role::TextInput, "New tag")
        .is_some_and(|n| n.is_focused())
    {
        harness.key_press(Key::Escape);
        harness.run_steps(2);
    }
    harness.key_press_modifiers(egui::Modifiers::SHIFT, Key::N);
    step_until(&mut harness, "the note box", |h| {
        h.query_by_role_and_label(Role::MultilineTextInput, "Add a note")
            .is_some_and(|n| n.is_focused())
    });
    assert!(harness.query_by_label("Subject (required)").is_none());
}

#[test]
fn enter_assigns_the_only_agent_the_picker_shows() {
    let desk = desk(&["Alpha"]);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Alpha");
    harness.get_by_label("Add an assignee").click();
    step_until(&mut harness, "the picker", |h| {
        h.query_by_label("Find an agent").is_some()
    });
    type_into(&mut harness, "Find an agent", "sam");
    harness.key_press(Key::Enter);
    step_until(&mut harness, "Sam assigned", |_| {
        stored(&desk, 1)
            .assignees
            .iter()
            .any(|a| a.name == "Sam Okafor")
    });
    let names: Vec<String> = stored(&desk, 1)
        .assignees
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["Sam Okafor"]);
}

#[test]
fn the_first_click_on_priority_puts_urgent_first() {
    let desk = desk(&["Low one", "Urgent one", "Medium one"]);
    let mut store = store_of(&desk);
    let version = stored(&desk, 1).version;
    store
        .set_priority(desk.dana, TicketNumber(1), version, Priority::Low)
        .unwrap();
    let version = stored(&desk, 2).version;
    store
        .set_priority(desk.dana, TicketNumber(2), version, Priority::Urgent)
        .unwrap();
    let mut harness = open(&desk, Some(desk.dana));
    harness
        .get_by_role_and_label(Role::Button, "Priority")
        .click();
    step_until(&mut harness, "Urgent on top", |h| {
        let y = |l: &str| h.query_by_label(l).map(|n| n.rect().min.y);
        matches!(
            (y("Urgent one"), y("Medium one"), y("Low one")),
            (Some(a), Some(b), Some(c)) if a < b && b < c
        )
    });
}

#[test]
fn satisfaction_is_rated_with_labelled_stars() {
    let desk = desk(&["Alpha"]);
    let version = stored(&desk, 1).version;
    store_of(&desk)
        .set_status(desk.dana, TicketNumber(1), version, Status::Resolved)
        .unwrap();
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Alpha");
    harness
        .get_by_role_and_label(Role::Button, "Rate 4 of 5")
        .click();
    step_until(&mut harness, "the rating", |_| {
        stored(&desk, 1).csat == Some(4)
    });
    assert!(harness.query_by_role_and_label(Role::Button, "4").is_none());
}

/// Frames as a real window runs them: eframe draws one when input comes and
/// more only while the window asks for them (kittest's `run` draws frames
/// whether asked for or not, which hid a dialog that waited for a key).
fn frames_while_asked(harness: &mut Window) {
    for _ in 0..20 {
        if !harness.ctx.has_requested_repaint() {
            return;
        }
        harness.step();
    }
}

/// A key as a window gets it (down, its text, up) in a frame of its own,
/// then the frames the window asks for.
fn key_as_a_window_gets_it(harness: &mut Window, c: char) {
    let key = Key::from_name(&c.to_string()).expect("a letter key");
    harness.key_down(key);
    harness.event(egui::Event::Text(c.to_string()));
    harness.key_up(key);
    harness.step();
    frames_while_asked(harness);
}

#[test]
fn a_form_opened_by_a_shortcut_shows_at_once_and_takes_every_key_typed_next() {
    let desk = desk(&["Alpha"]);
    let mut harness = open(&desk, Some(desk.dana));
    step_until(&mut harness, "the list", |h| {
        h.query_by_label("Alpha").is_some()
    });
    harness.run_steps(3);
    frames_while_asked(&mut harness);
    assert!(
        !harness.ctx.has_requested_repaint(),
        "the window never goes idle"
    );

    for shortcut in [Modifiers::NONE, Modifiers::COMMAND] {
        harness.key_press_modifiers(shortcut, Key::N);
        harness.step();
        frames_while_asked(&mut harness);
        assert!(
            harness.query_by_label("Subject (required)").is_some(),
            "{shortcut:?}+N showed no form"
        );
        harness.key_press(Key::Escape);
        harness.step();
        frames_while_asked(&mut harness);
        assert!(harness.query_by_label("Subject (required)").is_none());
    }
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.step();
    frames_while_asked(&mut harness);
    // P, R, I and N are shortcuts outside a text box.
    for c in "Printer".chars() {
        key_as_a_window_gets_it(&mut harness, c);
    }
    assert_eq!(
        field_value(&harness, "Subject (required)").as_deref(),
        Some("Printer"),
        "keys typed into the new form were lost"
    );
    assert!(
        harness
            .query_by_label("Open a ticket first (click a row, or J).")
            .is_none(),
        "a typed key fired a ticket shortcut"
    );
}

#[test]
fn ctrl_enter_creates_the_new_ticket_from_its_description_too() {
    let desk = desk(&["Existing"]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.key_press(Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Subject (required)", "Printer jams");
    type_into(&mut harness, "Description", "Staff can't print");
    // The cursor is in the description as Ctrl+Enter is pressed.
    assert!(
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Description")
            .is_focused()
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    step_until(&mut harness, "the new ticket", |h| {
        h.query_by_label("Created TKT-000002").is_some()
    });
    let ticket = stored(&desk, 2);
    assert_eq!(ticket.subject, "Printer jams");
    assert_eq!(ticket.description, "Staff can't print");
}

#[test]
fn ctrl_enter_on_a_focused_priority_sends_the_form_and_changes_no_priority() {
    let desk = desk(&["Existing"]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.key_press(Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Subject (required)", "Printer jams");
    type_into(&mut harness, "Description", "Staff can't print");
    // Tab from the description reaches the first priority, Low.
    harness.key_press(Key::Tab);
    harness.run_steps(2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    step_until(&mut harness, "the new ticket", |h| {
        h.query_by_label("Created TKT-000002").is_some()
    });
    assert_eq!(stored(&desk, 2).priority, Priority::Medium);
}

#[test]
fn edits_made_faster_than_the_store_answers_all_land() {
    // Each edit moves the ticket's version on; one made before the last
    // came back must not be refused as a conflict with it.
    let desk = desk(&["Alpha"]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.key_press(Key::J);
    step_until(&mut harness, "Alpha open", |h| shows(h, "Alpha"));
    let steps = [
        (Key::S, Key::Num2),
        (Key::P, Key::Num3),
        (Key::S, Key::Num3),
        (Key::P, Key::Num4),
        (Key::S, Key::Num4),
        (Key::P, Key::Num1),
    ];
    for (chord, choice) in steps {
        harness.key_press(chord);
        harness.step();
        harness.key_press(choice);
        harness.step();
    }
    step_until(&mut harness, "every edit stored", |_| {
        let t = stored(&desk, 1);
        t.status == Status::Resolved && t.priority == Priority::Low
    });
    assert!(
        crate::common::text_containing(&harness, "changed by someone else").is_none(),
        "no edit was refused"
    );
    assert_eq!(
        stored(&desk, 1).version,
        7,
        "six edits, each its own version"
    );
}
