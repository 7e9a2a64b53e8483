//! Whole workflows in the window, driven headless through its accessibility
//! tree (egui_kittest) as an agent would drive them: each test checks what
//! shows on screen and what the database file holds afterwards.

use std::time::{Duration, Instant};

use crate::common::{
    Window, desk, desk_on, field_value, open, open_ticket, open_with, step_until, store_of, stored,
    type_into, wait_for_activity,
};
use crate::on_both_engines_with;
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use tickets::domain::{ActivityKind, Direction, NewTicket, Priority, Status, TicketNumber};
use tickets::store::{ListRequest, Sort, SortColumn, TicketFilter};

/// The vertical position of the (first) widget with this label.
fn y(harness: &Window, label: &str) -> f32 {
    harness.get_by_label(label).rect().min.y
}

/// Whether the labels are shown top to bottom in this order.
fn shown_in_order(harness: &Window, labels: &[&str]) -> bool {
    labels
        .iter()
        .map(|l| harness.query_by_label(l).map(|n| n.rect().min.y))
        .collect::<Option<Vec<f32>>>()
        .is_some_and(|ys| ys.windows(2).all(|w| w[0] < w[1]))
}

/// Picks `choice` from the panel's combo box `field` ("Status", "Priority").
fn choose(harness: &mut Window, field: &str, choice: &str) {
    harness.get_by_role_and_label(Role::ComboBox, field).click();
    harness.run_steps(2);
    harness.get_by_role_and_label(Role::Button, choice).click();
    harness.run_steps(1);
}

on_both_engines_with! {
    fn sorting_by_subject_and_back(engine: Engine) {
        let desk = desk_on(engine, &["Banana split", "Apple pie", "Cherry tart"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the rows", |h| {
            h.query_by_label("Cherry tart").is_some()
        });
        // Newest first by default.
        assert!(shown_in_order(
            &harness,
            &["Cherry tart", "Apple pie", "Banana split"]
        ));

        harness.get_by_label("Subject").click();
        step_until(&mut harness, "A to Z", |h| {
            h.query_by_label("Subject ↑").is_some()
                && shown_in_order(h, &["Apple pie", "Banana split", "Cherry tart"])
        });
        harness.get_by_label("Subject ↑").click();
        step_until(&mut harness, "Z to A", |h| {
            h.query_by_label("Subject ↓").is_some()
                && shown_in_order(h, &["Cherry tart", "Banana split", "Apple pie"])
        });

        // The window remembers the sort, and the store lists in the same order.
        let app = harness.state().as_ref().unwrap();
        let sort = app.settings().databases[&desk.location().key()].sort;
        assert_eq!(
            sort,
            Sort {
                column: SortColumn::Subject,
                descending: true
            }
        );
        let page = store_of(&desk)
            .list_tickets(&ListRequest {
                filter: TicketFilter::default(),
                sort,
                offset: 0,
                limit: 10,
                anchor: None,
            })
            .unwrap();
        let subjects: Vec<&str> = page.rows.iter().map(|r| r.subject.as_str()).collect();
        assert_eq!(subjects, ["Cherry tart", "Banana split", "Apple pie"]);
    }
}

on_both_engines_with! {
    fn a_list_longer_than_a_page_shows_its_exact_total(engine: Engine) {
        // More than one page: a server sends the first page alone and its
        // count after; the header says the exact total either way, and
        // again once another desk adds one.
        let subjects: Vec<String> = (1..=120).map(|n| format!("Question {n}")).collect();
        let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
        let desk = desk_on(engine, &subjects);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the first page and the total", |h| {
            h.query_by_label("Question 120").is_some() && h.query_by_label("120 tickets").is_some()
        });
        let another_desk = NewTicket {
            subject: "Question 121".to_owned(),
            ..NewTicket::default()
        };
        store_of(&desk)
            .create_ticket(desk.dana, &another_desk)
            .expect("a ticket from another desk");
        step_until(&mut harness, "the new total", |h| {
            h.query_by_label("Question 121").is_some() && h.query_by_label("121 tickets").is_some()
        });
    }
}

on_both_engines_with! {
    fn keys_move_the_selection_and_the_panel_follows(engine: Engine) {
        let desk = desk_on(engine, &["First ticket", "Second ticket", "Third ticket"]);
        let before = stored(&desk, 2);
        let mut harness = open(&desk, Some(desk.dana));
        // Newest first: Third (3), Second (2), First (1).
        open_ticket(&mut harness, "Second ticket");
        let shows = |h: &Window, number: &str, subject: &str| {
            // In the list and as the panel's heading and title.
            h.query_all_by_label(number).count() == 2 && h.query_all_by_label(subject).count() == 2
        };
        assert!(shows(&harness, "TKT-000002", "Second ticket"));

        for (key, number, subject) in [
            (Key::J, "TKT-000001", "First ticket"),
            (Key::K, "TKT-000002", "Second ticket"),
            (Key::K, "TKT-000003", "Third ticket"),
            (Key::ArrowDown, "TKT-000002", "Second ticket"),
            (Key::ArrowDown, "TKT-000001", "First ticket"),
            (Key::ArrowUp, "TKT-000002", "Second ticket"),
        ] {
            harness.key_press(key);
            step_until(&mut harness, &format!("{key:?} to show {number}"), |h| {
                shows(h, number, subject)
            });
        }

        // Looking changes nothing.
        let after = stored(&desk, 2);
        assert_eq!(after.version, before.version);
        assert_eq!(after.activity.len(), before.activity.len());
    }
}

on_both_engines_with! {
    fn changing_priority_from_the_detail_tab(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        choose(&mut harness, "Priority", "High");
        step_until(&mut harness, "the panel to show High", |h| {
            // The marks in the list and the panel, and the field.
            h.query_all_by_label("High").count() >= 2
                && h.query_by_role_and_label(Role::ComboBox, "Priority")
                    .is_some_and(|c| c.value().as_deref() == Some("High"))
        });
        wait_for_activity(
            &mut harness,
            "Dana Scully changed priority from Medium to High",
        );

        let ticket = stored(&desk, 1);
        assert_eq!(ticket.priority, Priority::High);
        assert_eq!(
            ticket.activity[0].kind,
            ActivityKind::PriorityChanged {
                from: Priority::Medium,
                to: Priority::High
            }
        );
        assert_eq!(ticket.activity[0].actor, Some(desk.dana));
    }
}

on_both_engines_with! {
    fn editing_the_description_saves_and_cancel_discards(engine: Engine) {
        let desk = desk_on(engine, &["Printer jams"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Printer jams");
        harness.get_by_label("No description");

        harness.get_by_label("Edit the description").click();
        harness.run_steps(2);
        type_into(&mut harness, "Description", "Jams on page two.");
        harness.get_by_label("Save").click();
        step_until(&mut harness, "the saved description", |h| {
            h.query_by_label("Jams on page two.").is_some()
                && h.query_by_role_and_label(Role::MultilineTextInput, "Description")
                    .is_none()
        });
        assert_eq!(stored(&desk, 1).description, "Jams on page two.");

        // Cancel throws away what was typed.
        harness.get_by_label("Edit the description").click();
        harness.run_steps(2);
        assert_eq!(
            field_value(&harness, "Description").as_deref(),
            Some("Jams on page two."),
            "the edit starts from the saved text"
        );
        type_into(&mut harness, "Description", " Also smokes.");
        assert!(
            field_value(&harness, "Description").is_some_and(|v| v.contains("Also smokes.")),
            "what was typed is in the box"
        );
        harness.get_by_label("Cancel").click();
        harness.run_steps(2);
        assert!(
            harness
                .query_by_role_and_label(Role::MultilineTextInput, "Description")
                .is_none()
        );
        harness.get_by_label("Jams on page two.");
        assert!(harness.query_by_label_contains("Also smokes").is_none());

        let ticket = stored(&desk, 1);
        assert_eq!(ticket.description, "Jams on page two.");
        let edits = ticket
            .activity
            .iter()
            .filter(|e| e.kind == ActivityKind::DescriptionEdited)
            .count();
        assert_eq!(edits, 1, "only Save wrote");
        wait_for_activity(&mut harness, "Dana Scully edited the description");
    }
}

/// The "+ Add" button of the Assignees row, and the picker it opens.
fn add_assignee(harness: &mut Window) {
    harness.get_by_label("Add an assignee").click();
    step_until(harness, "the agent picker", |h| {
        h.query_by_label("Find an agent").is_some()
    });
    // Let the layout below it settle before anything there is clicked.
    harness.run_steps(1);
}

on_both_engines_with! {
    fn assigning_and_unassigning_agents(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");

        add_assignee(&mut harness);
        harness.get_by_label("Assign Dana Scully");
        // The cursor is already in the picker: typing narrows it.
        harness
            .get_by_role_and_label(Role::TextInput, "Find an agent")
            .type_text("sam");
        step_until(&mut harness, "the narrowed picker", |h| {
            h.query_by_label("Assign Dana Scully").is_none()
        });
        harness.get_by_label("Assign Sam Okafor").click();
        step_until(&mut harness, "Sam assigned", |h| {
            h.query_by_label("Unassign Sam Okafor").is_some()
                // The list's Assignee column follows.
                && h.query_by_role_and_label(Role::Label, "Sam").is_some()
        });
        // The picker stays open for the next pick; Esc closes it.
        harness.get_by_label("Find an agent");
        harness.key_press(Key::Escape);
        step_until(&mut harness, "the picker closed", |h| {
            h.query_by_label("Find an agent").is_none()
        });

        add_assignee(&mut harness);
        assert!(
            harness.query_by_label("Assign Sam Okafor").is_none(),
            "assigned agents are not offered again"
        );
        harness.get_by_label("Assign Dana Scully").click();
        step_until(&mut harness, "both assigned", |h| {
            h.query_by_label("Unassign Dana Scully").is_some()
                && h.query_by_label("Unassign Sam Okafor").is_some()
                && h.query_by_label("Dana +1").is_some()
        });
        harness.key_press(Key::Escape);
        harness.run_steps(2);
        let names = |desk| -> Vec<String> {
            stored(desk, 1)
                .assignees
                .into_iter()
                .map(|a| a.name)
                .collect()
        };
        assert_eq!(names(&desk), ["Dana Scully", "Sam Okafor"]);

        harness.get_by_label("Unassign Sam Okafor").click();
        step_until(&mut harness, "Sam unassigned", |h| {
            h.query_by_label("Unassign Sam Okafor").is_none()
                && h.query_by_label("Unassign Dana Scully").is_some()
                && h.query_by_label("Dana +1").is_none()
        });
        assert_eq!(names(&desk), ["Dana Scully"]);

        harness.get_by_label("Unassign Dana Scully").click();
        step_until(&mut harness, "nobody assigned", |h| {
            h.query_by_label("Unassign Dana Scully").is_none()
                // The panel's placeholder and the list's column.
                && h.query_all_by_label("Unassigned").count() >= 2
        });
        assert!(names(&desk).is_empty());
        wait_for_activity(&mut harness, "Dana Scully unassigned Sam Okafor");
        harness.get_by_label("Dana Scully assigned themselves");
        harness.get_by_label("Dana Scully unassigned themselves");
    }
}

on_both_engines_with! {
    fn adding_and_removing_tags(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in", "Refund please"]);
        // A tag already in use elsewhere, to be offered as a suggestion.
        store_of(&desk)
            .add_tag(desk.dana, TicketNumber(2), "refund")
            .unwrap();
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        harness.get_by_label("No tags");

        // Typed, then Enter.
        harness.get_by_label("Add a tag").click();
        step_until(&mut harness, "the tag box", |h| {
            h.query_by_label("New tag").is_some()
        });
        // The cursor is already in the box.
        harness
            .get_by_role_and_label(Role::TextInput, "New tag")
            .type_text("billing");
        harness.run_steps(1);
        assert_eq!(field_value(&harness, "New tag").as_deref(), Some("billing"));
        harness.key_press(Key::Enter);
        step_until(&mut harness, "the typed tag", |h| {
            h.query_by_label("Remove the tag billing").is_some()
                // The box is empty again, ready for the next tag.
                && field_value(h, "New tag").as_deref() == Some("")
        });

        // From a suggestion.
        step_until(&mut harness, "the suggestion", |h| {
            h.query_by_role_and_label(Role::Button, "refund").is_some()
        });
        assert!(
            harness
                .query_by_role_and_label(Role::Button, "billing")
                .is_none(),
            "tags already on the ticket are not suggested"
        );
        harness
            .get_by_role_and_label(Role::Button, "refund")
            .click();
        step_until(&mut harness, "the suggested tag", |h| {
            h.query_by_label("Remove the tag refund").is_some()
                && h.query_by_label("Remove the tag billing").is_some()
        });
        harness.key_press(Key::Escape);
        step_until(&mut harness, "the tag box closed", |h| {
            h.query_by_label("New tag").is_none()
        });
        let tags = |desk| -> Vec<String> { stored(desk, 1).tags.into_iter().map(|t| t.name).collect() };
        assert_eq!(tags(&desk), ["billing", "refund"]);

        harness.get_by_label("Remove the tag billing").click();
        step_until(&mut harness, "billing removed", |h| {
            h.query_by_label("Remove the tag billing").is_none()
                && h.query_by_label("Remove the tag refund").is_some()
        });
        assert_eq!(tags(&desk), ["refund"]);
        wait_for_activity(&mut harness, "Dana Scully removed the tag “billing”");
        harness.get_by_label("Dana Scully added the tag “billing”");
        harness.get_by_label("Dana Scully added the tag “refund”");
    }
}

on_both_engines_with! {
    fn notes_are_added_edited_and_deleted(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        harness.get_by_label("Notes (0)").click();
        harness.run_steps(2);
        harness.get_by_label("No notes yet.");

        // With the button.
        type_into(&mut harness, "Add a note", "Called the customer");
        harness.get_by_label("Add Note").click();
        step_until(&mut harness, "the first note", |h| {
            h.query_by_label("Notes (1)").is_some()
                && h.query_by_label("Called the customer").is_some()
                && field_value(h, "Add a note").as_deref() == Some("")
        });

        // With Ctrl+Enter.
        desk.clock.advance(chrono::Duration::minutes(1));
        type_into(&mut harness, "Add a note", "Waiting on logs");
        harness.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
        step_until(&mut harness, "the second note", |h| {
            h.query_by_label("Notes (2)").is_some() && h.query_by_label("Waiting on logs").is_some()
        });
        assert_eq!(
            field_value(&harness, "Add a note").as_deref(),
            Some(""),
            "no newline was typed and the box was cleared"
        );
        let bodies =
            |desk| -> Vec<String> { stored(desk, 1).notes.into_iter().map(|n| n.body).collect() };
        assert_eq!(bodies(&desk), ["Called the customer", "Waiting on logs"]);

        // Edit the newest (shown first).
        desk.clock.advance(chrono::Duration::minutes(1));
        let edit = harness
            .query_all_by_label("Edit this note")
            .min_by(|a, b| a.rect().min.y.total_cmp(&b.rect().min.y))
            .expect("an Edit button");
        assert!(edit.rect().min.y > y(&harness, "Waiting on logs"));
        assert!(edit.rect().min.y < y(&harness, "Called the customer"));
        edit.click();
        step_until(&mut harness, "the note editor", |h| {
            h.query_by_label("Edit the note").is_some()
        });
        assert_eq!(
            field_value(&harness, "Edit the note").as_deref(),
            Some("Waiting on logs")
        );
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Edit the note")
            .focus();
        harness.run_steps(1);
        harness.key_press(Key::End);
        harness.run_steps(1);
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Edit the note")
            .type_text(" from Tuesday");
        harness.run_steps(1);
        harness.get_by_label("Save note").click();
        step_until(&mut harness, "the edited note", |h| {
            h.query_by_label("Waiting on logs from Tuesday").is_some()
                && h.query_by_label("Edit the note").is_none()
                && h.query_by_label("(edited)").is_some()
        });
        assert_eq!(
            bodies(&desk),
            ["Called the customer", "Waiting on logs from Tuesday"]
        );

        // Delete the older one, after confirming.
        let delete = harness
            .query_all_by_label("Delete this note")
            .max_by(|a, b| a.rect().min.y.total_cmp(&b.rect().min.y))
            .expect("a Delete button");
        delete.click();
        step_until(&mut harness, "the confirmation", |h| {
            h.query_by_label("Delete this note?").is_some()
        });
        harness.get_by_label("Delete").click();
        step_until(&mut harness, "the note gone", |h| {
            h.query_by_label("Notes (1)").is_some() && h.query_by_label("Called the customer").is_none()
        });
        assert_eq!(bodies(&desk), ["Waiting on logs from Tuesday"]);

        wait_for_activity(&mut harness, "Dana Scully deleted an internal note");
        harness.get_by_label("Dana Scully edited an internal note");
        assert_eq!(
            harness
                .query_all_by_label("Dana Scully added an internal note")
                .count(),
            2
        );
        let ticket = stored(&desk, 1);
        let kinds: Vec<&str> = ticket
            .activity
            .iter()
            .map(|e| match e.kind {
                ActivityKind::NoteAdded { .. } => "added",
                ActivityKind::NoteEdited { .. } => "edited",
                ActivityKind::NoteDeleted { .. } => "deleted",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["deleted", "edited", "added", "added", "other"]);
    }
}

on_both_engines_with! {
    fn conversation_replies_and_customer_messages(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        harness.get_by_label("Conversation (0)").click();
        harness.run_steps(2);
        harness.get_by_label("No messages yet.");

        type_into(&mut harness, "Message", "It still says wrong password");
        harness.get_by_label("Record customer message").click();
        step_until(&mut harness, "the customer's message", |h| {
            h.query_by_label("Conversation (1)").is_some()
                && h.query_by_label("It still says wrong password").is_some()
                && field_value(h, "Message").as_deref() == Some("")
        });
        let ticket = stored(&desk, 1);
        assert_eq!(ticket.messages.len(), 1);
        assert_eq!(ticket.messages[0].direction, Direction::Inbound);
        assert_eq!(ticket.first_reply, None, "a customer message is no reply");

        desk.clock.advance(chrono::Duration::minutes(3));
        type_into(&mut harness, "Message", "Reset link sent");
        harness.get_by_role_and_label(Role::Button, "Send").click();
        step_until(&mut harness, "the reply", |h| {
            h.query_by_label("Conversation (2)").is_some()
                && h.query_by_label("Reset link sent").is_some()
                && h.query_by_label("Dana Scully (reply)").is_some()
        });
        assert!(
            y(&harness, "It still says wrong password") < y(&harness, "Reset link sent"),
            "oldest first"
        );
        let ticket = stored(&desk, 1);
        assert_eq!(ticket.messages.len(), 2);
        assert_eq!(ticket.messages[1].direction, Direction::Outbound);
        assert_eq!(ticket.messages[1].body, "Reset link sent");
        assert_eq!(ticket.first_reply, Some(ticket.messages[1].at));

        wait_for_activity(&mut harness, "Dana Scully replied to the customer");
        harness.get_by_label("Dana Scully recorded a message from the customer");
    }
}

on_both_engines_with! {
    fn satisfaction_is_rated_once_resolved(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        assert!(
            harness.query_by_label("Customer satisfaction").is_none(),
            "no rating while Open"
        );

        choose(&mut harness, "Status", "Resolved");
        step_until(&mut harness, "the rating row", |h| {
            h.query_by_label("Customer satisfaction").is_some()
                && h.query_by_label("Not rated").is_some()
        });
        harness
            .get_by_role_and_label(Role::Button, "Rate 4 of 5")
            .click();
        step_until(&mut harness, "the rating", |h| {
            h.query_by_label("4 of 5").is_some()
        });
        let ticket = stored(&desk, 1);
        assert_eq!(ticket.status, Status::Resolved);
        assert_eq!(ticket.csat, Some(4));
        wait_for_activity(
            &mut harness,
            "Dana Scully recorded a satisfaction rating of 4 of 5",
        );

        // Closed, it still shows and can be changed.
        harness.get_by_label("Detail").click();
        harness.run_steps(2);
        choose(&mut harness, "Status", "Closed");
        step_until(&mut harness, "the rating row when Closed", |h| {
            h.query_by_role_and_label(Role::ComboBox, "Status")
                .is_some_and(|c| c.value().as_deref() == Some("Closed"))
                && h.query_by_label("4 of 5").is_some()
        });
        harness
            .get_by_role_and_label(Role::Button, "Rate 5 of 5")
            .click();
        step_until(&mut harness, "the new rating", |h| {
            h.query_by_label("5 of 5").is_some()
        });
        let ticket = stored(&desk, 1);
        assert_eq!((ticket.status, ticket.csat), (Status::Closed, Some(5)));
        wait_for_activity(
            &mut harness,
            "Dana Scully changed the satisfaction rating from 4 to 5 of 5",
        );

        // Reopened, the rating row goes away (the rating itself is kept).
        harness.get_by_label("Detail").click();
        harness.run_steps(2);
        choose(&mut harness, "Status", "Open");
        step_until(&mut harness, "the rating row to go", |h| {
            h.query_by_label("Customer satisfaction").is_none()
                && h.query_by_role_and_label(Role::ComboBox, "Status")
                    .is_some_and(|c| c.value().as_deref() == Some("Open"))
        });
        let ticket = stored(&desk, 1);
        assert_eq!((ticket.status, ticket.csat), (Status::Open, Some(5)));
    }
}

#[test]
fn switching_agent_from_the_palette() {
    let desk = desk(&["Cannot log in"]);
    let mut harness = open(&desk, Some(desk.dana));
    step_until(&mut harness, "Dana in the top bar", |h| {
        h.query_by_label_contains("You: Dana Scully").is_some()
    });
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    step_until(&mut harness, "the palette", |h| {
        h.query_by_label("Command").is_some()
    });
    type_into(&mut harness, "Command", "switch");
    harness.get_by_role_and_label(Role::Button, "Switch agent…");
    harness.key_press(Key::Enter);
    step_until(&mut harness, "the agent picker", |h| {
        h.query_by_label("Who is using Tickets?").is_some() && h.query_by_label("Command").is_none()
    });
    harness.get_by_label("I am Sam Okafor").click();
    step_until(&mut harness, "Sam in the top bar", |h| {
        h.query_by_label_contains("You: Sam Okafor").is_some()
            && h.query_by_label("Who is using Tickets?").is_none()
    });

    open_ticket(&mut harness, "Cannot log in");
    choose(&mut harness, "Priority", "Urgent");
    wait_for_activity(
        &mut harness,
        "Sam Okafor changed priority from Medium to Urgent",
    );
    let ticket = stored(&desk, 1);
    assert_eq!(ticket.priority, Priority::Urgent);
    assert_eq!(ticket.activity[0].actor, Some(desk.agents[1]));
    // Remembered for this database.
    let app = harness.state().as_ref().unwrap();
    assert_eq!(app.acting_agent().map(|a| a.id), Some(desk.agents[1]));
}

#[test]
fn a_conflicting_change_reloads_and_keeps_what_was_typed() {
    let desk = desk(&["Cannot log in"]);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Cannot log in");
    harness.get_by_label("Edit the description").click();
    harness.run_steps(1);
    type_into(&mut harness, "Description", "Half-written thought");
    harness
        .get_by_role_and_label(Role::ComboBox, "Priority")
        .click();
    harness.run_steps(2);

    // Another program holds the file while this window asks for High, and
    // moves the ticket on before letting go: the window's change, made on
    // the version it showed, meets a newer one, whatever the timing.
    let other = rusqlite::Connection::open(&desk.path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    harness.get_by_role_and_label(Role::Button, "High").click();
    harness.run_steps(1);
    other
        .execute(
            "UPDATE tickets SET status = ?1, version = version + 1 WHERE id = 1",
            [Status::Waiting.code()],
        )
        .unwrap();
    other.execute_batch("COMMIT").unwrap();

    step_until(&mut harness, "the conflict, then the reload", |h| {
        h.query_by_label_contains("changed by someone else")
            .is_some()
            && h.query_by_role_and_label(Role::ComboBox, "Status")
                .is_some_and(|c| c.value().as_deref() == Some("Waiting"))
    });
    assert!(
        harness
            .query_by_role_and_label(Role::ComboBox, "Priority")
            .is_some_and(|c| c.value().as_deref() == Some("Medium")),
        "the refused change is not shown as made"
    );
    assert_eq!(
        field_value(&harness, "Description").as_deref(),
        Some("Half-written thought"),
        "what was being typed is still there"
    );

    let ticket = stored(&desk, 1);
    assert_eq!(ticket.status, Status::Waiting);
    assert_eq!(
        ticket.priority,
        Priority::Medium,
        "the refused change was not written"
    );
    assert_eq!(ticket.description, "");

    // Trying again on the fresh version works, and clears the message.
    choose(&mut harness, "Priority", "High");
    step_until(&mut harness, "the retried change", |h| {
        h.query_by_label_contains("changed by someone else")
            .is_none()
            && h.query_by_role_and_label(Role::ComboBox, "Priority")
                .is_some_and(|c| c.value().as_deref() == Some("High"))
    });
    assert_eq!(stored(&desk, 1).priority, Priority::High);
    assert_eq!(
        field_value(&harness, "Description").as_deref(),
        Some("Half-written thought")
    );
}

on_both_engines_with! {
    fn a_ticket_created_elsewhere_appears(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the row", |h| {
            h.query_by_label("Cannot log in").is_some()
                && h.query_by_label_contains("Counting").is_none()
        });
        let number = desk.store_as(desk.agents[1])
            .create_ticket(
                desk.agents[1],
                &NewTicket {
                    subject: "Made in another window".to_owned(),
                    ..Default::default()
                },
            )
            .unwrap();
        let start = Instant::now();
        step_until(&mut harness, "the new ticket in the list", |h| {
            h.query_by_label("2 tickets").is_some()
                && h.query_by_label("Made in another window").is_some()
        });
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "seen after {:?}",
            start.elapsed()
        );
        harness.get_by_label(&number.to_string());
        assert_eq!(stored(&desk, number.0).subject, "Made in another window");
    }
}

#[test]
fn an_empty_database_offers_sample_data() {
    let desk = desk(&[]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.get_by_label("No tickets yet");
    harness
        .get_by_role_and_label(Role::Button, "Create ticket")
        .click();
    step_until(&mut harness, "the New Ticket form", |h| {
        h.query_by_label("New Ticket").is_some()
    });
    harness.key_press(Key::Escape);
    step_until(&mut harness, "the form to close", |h| {
        h.query_by_label("Create Ticket").is_none()
    });
    harness
        .get_by_role_and_label(Role::Button, "Load sample data")
        .click();
    step_until(&mut harness, "the sample-data dialog", |h| {
        h.query_by_role_and_label(Role::RadioButton, "1,000 tickets")
            .is_some()
    });
    // A dialog's first frame only measures it; it stands still from the next.
    harness.run_steps(1);
    harness
        .get_by_role_and_label(Role::RadioButton, "1,000 tickets")
        .click();
    harness.run_steps(1);
    harness.get_by_role_and_label(Role::Button, "Load").click();
    step_until(&mut harness, "the loaded list", |h| {
        h.query_by_role_and_label(Role::Label, "1,000 tickets")
            .is_some()
            && h.query_by_label("No tickets yet").is_none()
    });
    let store = store_of(&desk);
    assert_eq!(store.count_tickets(&TicketFilter::default()).unwrap(), 1000);
}

on_both_engines_with! {
    fn an_open_tag_box_or_agent_picker_leaves_other_fields_typeable(engine: Engine) {
        // Both boxes used to ask for the keyboard on every frame, so nothing could
        // be typed anywhere else (the search box, the description) while one was
        // open. (A click elsewhere closes their pop-ups; moving the keyboard, as
        // Tab or a screen reader does, leaves them open.)
        let desk = desk_on(engine, &["Cannot log in", "Printer jams"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        harness.get_by_label("Edit the description").click();
        harness.run_steps(1);
        harness.get_by_label("Add a tag").click();
        step_until(&mut harness, "the tag box", |h| {
            h.query_by_label("New tag").is_some()
        });
        type_into(&mut harness, "Description", "Started on Monday");
        type_into(&mut harness, "Search", "printer");
        harness.run_steps(2);
        assert_eq!(
            field_value(&harness, "Description").as_deref(),
            Some("Started on Monday")
        );
        assert_eq!(field_value(&harness, "New tag").as_deref(), Some(""));
        harness.key_press(Key::Escape);
        harness.run_steps(2);
        add_assignee(&mut harness);
        type_into(&mut harness, "Find an agent", "sam");
        type_into(&mut harness, "Description", " (reported)");
        harness.run_steps(2);
        assert_eq!(
            field_value(&harness, "Find an agent").as_deref(),
            Some("sam")
        );
        assert_eq!(
            field_value(&harness, "Description").as_deref(),
            Some("Started on Monday (reported)")
        );
        step_until(&mut harness, "the search result", |h| {
            // The other ticket leaves the list; its title stays in the panel.
            h.query_by_label("Printer jams").is_some()
                && h.query_all_by_label("Cannot log in").count() == 1
        });
        harness.key_press(Key::Escape);
        harness.run_steps(2);
        harness.get_by_label("Save").click();
        step_until(&mut harness, "the saved description", |h| {
            h.query_by_label("Started on Monday (reported)").is_some()
        });
        assert_eq!(stored(&desk, 1).description, "Started on Monday (reported)");
        assert_eq!(stored(&desk, 2).description, "");
    }
}

on_both_engines_with! {
    fn escape_closes_the_agent_picker_not_the_panel(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        add_assignee(&mut harness);
        harness.key_press(Key::Escape);
        harness.run_steps(2);
        assert!(
            harness.query_by_label("Find an agent").is_none(),
            "the picker closes"
        );
        assert!(
            harness.query_by_label("Detail").is_some(),
            "the ticket panel stays open"
        );
        assert!(stored(&desk, 1).assignees.is_empty());
    }
}

on_both_engines_with! {
    fn a_change_elsewhere_shows_even_when_the_window_asks_for_something_right_after(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in", "Printer jams"]);
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the rows", |h| {
            h.query_by_label("Printer jams").is_some()
                && h.query_by_label_contains("Counting").is_none()
        });
        desk.store_as(desk.agents[1])
            .create_ticket(
                desk.agents[1],
                &NewTicket {
                    subject: "Made in another window".to_owned(),
                    ..Default::default()
                },
            )
            .unwrap();
        // The agent opens a ticket at once: the worker answers that request
        // before its next look for changes made elsewhere.
        harness.get_by_label("Printer jams").click();
        let start = Instant::now();
        step_until(&mut harness, "the new ticket in the list", |h| {
            h.query_by_label("Made in another window").is_some()
                || start.elapsed() > Duration::from_secs(3)
        });
        assert!(
            harness.query_by_label("Made in another window").is_some(),
            "not shown {:?} after it was made",
            start.elapsed()
        );
    }
}

on_both_engines_with! {
    fn unsaved_text_survives_moving_to_another_ticket_and_back(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in", "Printer jams"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot log in");
        harness.get_by_label_contains("Notes (").click();
        harness.run_steps(2);
        type_into(&mut harness, "Add a note", "Half-written handoff");
        // Away to the other ticket and back (while typing, J/K are letters, so by click).
        open_ticket(&mut harness, "Printer jams");
        assert_eq!(field_value(&harness, "Add a note").as_deref(), Some(""));
        open_ticket(&mut harness, "Cannot log in");
        assert_eq!(
            field_value(&harness, "Add a note").as_deref(),
            Some("Half-written handoff")
        );
        // Closing the panel keeps it too.
        harness.key_press(Key::Escape);
        harness.run_steps(2);
        assert!(harness.query_by_label("Add a note").is_none());
        open_ticket(&mut harness, "Cannot log in");
        assert_eq!(
            field_value(&harness, "Add a note").as_deref(),
            Some("Half-written handoff")
        );
        assert!(stored(&desk, 1).notes.is_empty(), "nothing was saved");
    }
}

on_both_engines_with! {
    fn filters_and_theme_are_remembered_between_runs(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in", "Printer jams"]);
        let mut harness = open(&desk, Some(desk.dana));
        let closed = |h: &Window| h.query_by_label("Printer jams").is_none();
        // Resolve one ticket elsewhere, then show only Open ones, in dark colours.
        {
            let mut store = store_of(&desk);
            let t = store.load_ticket(TicketNumber(2)).unwrap();
            store
                .set_status(desk.dana, t.number, t.version, Status::Resolved)
                .unwrap();
        }
        step_until(&mut harness, "the counts to see the change", |h| {
            h.query_by_role_and_label(Role::CheckBox, "Open 1")
                .is_some()
        });
        harness
            .get_by_role_and_label(Role::CheckBox, "Open 1")
            .click();
        step_until(&mut harness, "the filtered list", closed);
        harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
        harness.run_steps(2);
        type_into(&mut harness, "Command", "dark");
        harness.key_press(Key::Enter);
        harness.run_steps(2);
        let settings = harness.state().as_ref().unwrap().settings();
        drop(harness);
        // Next run: the same filter, already applied, and the same theme.
        let mut harness = open_with(&desk, settings);
        step_until(&mut harness, "the remembered filter", |h| {
            h.query_by_label("1 ticket").is_some() && closed(h)
        });
        harness.get_by_label("Remove the filter Status: Open");
        assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
    }
}

/// Opens File → Customers and agents… through the command palette.
fn open_people(harness: &mut Window) {
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run_steps(2);
    type_into(harness, "Command", "customers");
    harness.key_press(Key::Enter);
    harness.run_steps(2);
}

on_both_engines_with! {
    fn customers_are_added_and_tagged_and_agents_renamed_and_deactivated(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        open_people(&mut harness);
        harness.get_by_label("+ New customer").click();
        harness.run_steps(2);
        type_into(&mut harness, "Name", "Ada Lovelace");
        type_into(&mut harness, "Email", "ada@engines.example");
        harness.get_by_label("Add customer").click();
        step_until(&mut harness, "the new customer, open for editing", |h| {
            h.query_by_label_contains("Customer #").is_some()
        });
        type_into(&mut harness, "Add a customer tag", "vip");
        harness.get_by_label("Add tag").click();
        step_until(&mut harness, "the tag", |h| {
            h.query_by_label("Remove the tag vip").is_some()
        });
        let store = store_of(&desk);
        let found = store.find_customers("ada@engines", 5).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "Ada Lovelace");
        assert_eq!(found[0].tags, ["vip"]);

        harness.get_by_label("Back to the list").click();
        harness.run_steps(2);
        harness.get_by_label("Agents").click();
        harness.run_steps(2);
        harness.get_by_label("Rename Sam Okafor").click();
        harness.run_steps(2);
        type_into(&mut harness, "Agent name", " Jr");
        harness.get_by_label("Save agent").click();
        step_until(&mut harness, "the new name", |h| {
            h.query_by_label("Deactivate Sam Okafor Jr").is_some()
        });
        harness.get_by_label("Deactivate Sam Okafor Jr").click();
        harness.run_steps(2);
        step_until(&mut harness, "an inactive agent", |h| {
            h.query_by_label("Reactivate Sam Okafor Jr").is_some()
        });
        let inactive: Vec<_> = store_of(&desk)
            .agents()
            .unwrap()
            .into_iter()
            .filter(|a| !a.active)
            .collect();
        assert_eq!(inactive.len(), 1);
        assert_eq!(inactive[0].name, "Sam Okafor Jr");
    }
}

on_both_engines_with! {
    fn a_description_changed_elsewhere_while_editing_is_not_overwritten(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        let mut elsewhere = desk.store_as(desk.agents[1]);
        open_ticket(&mut harness, "Cannot log in");
        harness.get_by_label("Edit the description").click();
        harness.run_steps(1);
        type_into(&mut harness, "Description", "Mine");

        // Another window rewrites the description (and the subject, which this
        // window shows, so the test can see when it has noticed).
        let version = stored(&desk, 1).version;
        elsewhere
            .set_description(desk.agents[1], TicketNumber(1), version, "Theirs")
            .unwrap();
        elsewhere
            .set_subject(
                desk.agents[1],
                TicketNumber(1),
                version + 1,
                "Cannot log in since Monday",
            )
            .unwrap();
        step_until(&mut harness, "the window to notice", |h| {
            h.query_all_by_label_contains("since Monday")
                .next()
                .is_some()
        });

        // Saving what was typed on the old version must not erase their text.
        harness.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut harness, "the conflict", |h| {
            h.query_by_label_contains("changed by someone else")
                .is_some()
        });
        assert_eq!(stored(&desk, 1).description, "Theirs");
        assert_eq!(
            field_value(&harness, "Description").as_deref(),
            Some("Mine"),
            "what was typed stays"
        );

        // The conflict asked for the ticket as it is now: let that answer
        // arrive before saving again (a save sent before it carries the old
        // version and is refused again, as it should be).
        for _ in 0..20 {
            harness.run_steps(1);
            std::thread::sleep(Duration::from_millis(50));
        }
        // Having been shown the conflict, saving again is the agent's choice.
        harness.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut harness, "the second save", |h| {
            h.query_by_role_and_label(Role::MultilineTextInput, "Description")
                .is_none()
        });
        assert_eq!(stored(&desk, 1).description, "Mine");
    }
}

on_both_engines_with! {
    fn a_pasted_page_in_the_search_box_stops_at_the_longest_search(engine: Engine) {
        let desk = desk_on(engine, &["Cannot log in"]);
        let mut harness = open(&desk, Some(desk.dana));
        let page = "login ".repeat(200);
        type_into(&mut harness, "Search", &page);
        harness.run_steps(3);
        let kept = field_value(&harness, "Search").unwrap_or_default();
        assert_eq!(
            kept.chars().count(),
            1_000,
            "the box keeps the longest search"
        );
        assert!(page.starts_with(&kept));
        // "login" is not a word of "Cannot log in": the search runs and finds nothing.
        step_until(&mut harness, "the search to run", |h| {
            h.query_by_label("0 tickets").is_some()
        });
        assert!(
            harness.query_by_label_contains("characters long").is_none(),
            "no error about the length"
        );
    }
}

on_both_engines_with! {
    fn the_conversation_starts_with_the_description_and_a_reply_can_set_waiting(engine: Engine) {
        let mut desk = crate::fixtures::Desk::team_on(
            engine,
            &[("Dana Scully", "dana@example.com"), ("Sam Okafor", "")],
        )
        .expect("a desk");
        let customer = desk
            .store
            .add_customer(&tickets::domain::NewCustomer {
                name: "Mo Okafor".to_owned(),
                email: "mo@bakery.example".to_owned(),
                company: String::new(),
            })
            .unwrap();
        let dana = desk.dana;
        for (subject, description) in [
            ("Oven timer resets", ""),
            ("Invoice shows the old address", "Our address changed in May."),
            ("Cannot print receipts", "The printer says offline since Monday."),
        ] {
            desk.clock.advance(chrono::Duration::minutes(5));
            desk.store
                .create_ticket(
                    dana,
                    &NewTicket {
                        subject: subject.to_owned(),
                        description: description.to_owned(),
                        customer: Some(customer),
                        ..NewTicket::default()
                    },
                )
                .unwrap();
        }
        desk.clock.advance(chrono::Duration::minutes(5));
        desk.store.close();
        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Cannot print receipts");
        harness.get_by_label("Conversation (0)").click();
        step_until(&mut harness, "the description as the first message", |h| {
            h.query_by_label("The printer says offline since Monday.").is_some()
                && h.query_by_label("description").is_some()
        });
        // The customer's other tickets, newest first; a click opens one.
        step_until(&mut harness, "the other tickets", |h| {
            h.query_by_label("Other tickets from Mo Okafor").is_some()
                && h.query_by_label("TKT-000002 Invoice shows the old address").is_some()
                && h.query_by_label("TKT-000001 Oven timer resets").is_some()
        });
        assert!(
            y(&harness, "TKT-000002 Invoice shows the old address")
                < y(&harness, "TKT-000001 Oven timer resets")
        );
        // Send and set Waiting: the reply, then the status, each in the trail.
        type_into(&mut harness, "Message", "Could you restart the printer?");
        harness
            .get_by_role_and_label(Role::Button, "Send and set Waiting")
            .click();
        step_until(&mut harness, "the reply and the status", |_| {
            let t = stored(&desk, 3);
            t.messages.len() == 1 && t.status == Status::Waiting
        });
        let ticket = stored(&desk, 3);
        assert_eq!(ticket.messages[0].body, "Could you restart the printer?");
        assert_eq!(ticket.messages[0].direction, Direction::Outbound);
        wait_for_activity(&mut harness, "Dana Scully changed status from Open to Waiting");
        harness.get_by_label("Dana Scully replied to the customer");
        // Another of the customer's tickets, from the panel.
        harness.get_by_label("Conversation (1)").click();
        step_until(&mut harness, "the link", |h| {
            h.query_by_label("TKT-000002 Invoice shows the old address").is_some()
        });
        harness
            .get_by_label("TKT-000002 Invoice shows the old address")
            .click();
        step_until(&mut harness, "that ticket open", |h| {
            h.query_by_label("Our address changed in May.").is_some()
        });
    }
}

on_both_engines_with! {
    fn a_rows_tooltip_says_its_last_activity(engine: Engine) {
        let desk = desk_on(engine, &["Printer on fire"]);
        let mut store = store_of(&desk);
        let v = store.load_ticket(TicketNumber(1)).unwrap().version;
        store
            .set_status(desk.dana, TicketNumber(1), v, Status::Waiting)
            .unwrap();
        drop(store);
        desk.clock.advance(chrono::Duration::hours(3));
        let mut harness = open(&desk, Some(desk.dana));
        step_until(&mut harness, "the row", |h| h.query_by_label("Printer on fire").is_some());
        harness.get_by_label("Printer on fire").hover();
        step_until(&mut harness, "the tooltip", |h| {
            h.query_by_label(
                "Last activity: Dana Scully changed status from Open to Waiting, 3 hours ago",
            )
            .is_some()
        });
    }
}
