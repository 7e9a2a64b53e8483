//! Canned replies in the window, on both engines: the library opened from
//! the palette (add, a refused title that keeps what was typed, delete),
//! a reply inserted at the cursor with Ctrl+/ and sent with its status and
//! tags, one inserted by typing `#` and words into a note, an unfilled
//! placeholder named under the box, and typing `#` and letters firing no
//! shortcut.

use crate::common::{
    Window, desk_on, field_value, open, open_ticket, press_keys, run_from_palette, step_until,
    store_of, stored, text_containing, type_into,
};
use crate::on_both_engines_with;
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use tickets::domain::{CannedReply, Status};

/// The reply every test starts with: it fills every placeholder but the
/// customer's (the tickets have none) and resolves and tags the ticket.
const REFUND: &str = "Hi {{customer.name}}, your refund for {{ticket.number}} ({{ticket.subject}}) is on its way. {{agent.name}}";

/// [`REFUND`] as inserted into ticket 1 by Dana.
const REFUND_FILLED: &str =
    "Hi {{customer.name}}, your refund for TKT-000001 (Charged twice) is on its way. Dana Scully";

/// A desk with ticket 1, "Charged twice", and the canned reply "Refund sent".
fn refund_desk(engine: crate::fixtures::Engine) -> crate::fixtures::Desk {
    let desk = desk_on(engine, &["Charged twice"]);
    store_of(&desk)
        .add_canned_reply(
            desk.dana,
            &CannedReply {
                title: "Refund sent".to_owned(),
                body: REFUND.to_owned(),
                tags: vec!["refund".to_owned()],
                status: Some(Status::Resolved),
                ..CannedReply::default()
            },
        )
        .unwrap();
    desk
}

/// Ticket 1's panel on `tab` ("Conversation (0)", "Notes (0)").
fn ticket_on_tab(harness: &mut Window, tab: &str) {
    open_ticket(harness, "Charged twice");
    harness.get_by_label(tab).click();
    harness.run_steps(2);
}

/// Types `typed` (ending in `#` and words) into the box `label`, chooses
/// "Refund sent" from what it offers, and waits for the box to say `then`.
fn hash_and_choose(harness: &mut Window, label: &str, typed: &str, then: &str) {
    type_into(harness, label, typed);
    step_until(harness, "the suggestion", |h| {
        h.query_by_role_and_label(Role::Button, "Refund sent")
            .is_some()
    });
    harness
        .get_by_role_and_label(Role::Button, "Refund sent")
        .click();
    step_until(harness, "the reply in the box", |h| {
        field_value(h, label).as_deref() == Some(then)
    });
}

/// The sentences of ticket 1's trail, oldest first.
fn trail(desk: &crate::fixtures::Desk) -> Vec<String> {
    stored(desk, 1)
        .activity
        .iter()
        .rev()
        .map(|e| e.sentence())
        .collect()
}

on_both_engines_with! {
    fn the_library_opens_from_the_palette_and_keeps_replies_by_title(engine: Engine) {
        let desk = desk_on(engine, &["Charged twice"]);
        let mut harness = open(&desk, Some(desk.dana));
        run_from_palette(&mut harness, "Canned replies");
        step_until(&mut harness, "the library", |h| {
            h.query_by_label("Search canned replies").is_some()
        });
        assert!(text_containing(&harness, "No canned replies yet").is_some());
        type_into(&mut harness, "Title", "Shipping delay");
        type_into(&mut harness, "Text", "Sorry {{customer.first_name}}, it ships Monday. {{nope}}");
        type_into(&mut harness, "Tags to add", "shipping, delay");
        // The editor shows placeholders as written, and names one it does not know.
        assert_eq!(
            field_value(&harness, "Text").as_deref(),
            Some("Sorry {{customer.first_name}}, it ships Monday. {{nope}}")
        );
        assert!(text_containing(&harness, "Not a placeholder Tickets fills: {{nope}}").is_some());
        harness.get_by_role_and_label(Role::Button, "Save reply").click();
        step_until(&mut harness, "the reply saved", |h| {
            h.query_by_label("Canned reply saved.").is_some()
        });
        let kept = store_of(&desk).canned_replies().unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].title, "Shipping delay");
        assert_eq!(kept[0].tags, ["shipping", "delay"]);
        step_until(&mut harness, "the list to show it", |h| {
            h.query_by_role_and_label(Role::Button, "Shipping delay").is_some()
        });

        // The same title in other capitals is refused, saying why; what was typed stays.
        harness.get_by_role_and_label(Role::Button, "New reply").click();
        harness.run_steps(1);
        type_into(&mut harness, "Title", "shipping DELAY");
        type_into(&mut harness, "Text", "Another");
        harness.get_by_role_and_label(Role::Button, "Save reply").click();
        step_until(&mut harness, "the refusal", |h| {
            text_containing(h, "already has a canned reply called “Shipping delay”").is_some()
        });
        assert_eq!(field_value(&harness, "Title").as_deref(), Some("shipping DELAY"));
        assert_eq!(field_value(&harness, "Text").as_deref(), Some("Another"));
        assert_eq!(store_of(&desk).canned_replies().unwrap().len(), 1);

        // Searching narrows the list by title or text; a reply is changed,
        // then deleted after asking.
        type_into(&mut harness, "Search canned replies", "monday");
        harness.get_by_role_and_label(Role::Button, "Shipping delay").click();
        harness.run_steps(1);
        assert_eq!(field_value(&harness, "Title").as_deref(), Some("Shipping delay"));
        type_into(&mut harness, "Text", " See you");
        harness.get_by_role_and_label(Role::Button, "Save reply").click();
        // (The first save's notice may still show: the store says when.)
        let reader = store_of(&desk);
        step_until(&mut harness, "the change saved", |_| {
            reader.canned_replies().unwrap()[0].body.contains(" See you")
        });
        assert_eq!(reader.canned_replies().unwrap().len(), 1, "changed, not added");
        harness.get_by_role_and_label(Role::Button, "Delete…").click();
        step_until(&mut harness, "the question", |h| {
            text_containing(h, "Delete it for the whole team?").is_some()
        });
        harness.get_by_role_and_label(Role::Button, "Delete").click();
        step_until(&mut harness, "the reply deleted", |h| {
            h.query_by_label("Canned reply deleted.").is_some()
        });
        assert!(store_of(&desk).canned_replies().unwrap().is_empty());
    }

    fn ctrl_slash_inserts_at_the_cursor_and_sending_applies_status_and_tags(engine: Engine) {
        let desk = refund_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        ticket_on_tab(&mut harness, "Conversation (0)");
        type_into(&mut harness, "Message", "Hello. Bye.");
        // The cursor goes back before "Bye.": the reply goes there.
        for _ in 0.."Bye.".len() {
            harness.key_press(Key::ArrowLeft);
        }
        harness.key_press_modifiers(Modifiers::COMMAND, Key::Slash);
        step_until(&mut harness, "the picker", |h| {
            h.query_by_label("Search canned replies").is_some()
        });
        type_into(&mut harness, "Search canned replies", "on its way");
        // The preview is the text as it will go in, the missing value named.
        step_until(&mut harness, "the preview", |h| {
            text_containing(h, "your refund for TKT-000001").is_some()
        });
        assert!(text_containing(&harness, "Not filled: {{customer.name}}").is_some());
        harness.get_by_role_and_label(Role::Button, "Insert").click();
        step_until(&mut harness, "the picker to close", |h| {
            h.query_by_label("Search canned replies").is_none()
        });
        assert_eq!(
            field_value(&harness, "Message").unwrap(),
            format!("Hello. {REFUND_FILLED}Bye.")
        );
        // The placeholder that could not be filled is named under the box, never blank.
        assert!(text_containing(&harness, "Not filled: {{customer.name}}").is_some());
        assert!(text_containing(&harness, "Canned reply “Refund sent”").is_some());
        assert!(harness
            .query_by_label("When sent, also set status Resolved and add the tag refund")
            .is_some());
        harness.get_by_role_and_label(Role::Button, "Send").click();
        step_until(&mut harness, "the reply sent", |h| {
            field_value(h, "Message").as_deref() == Some("")
        });
        let ticket = stored(&desk, 1);
        assert_eq!(ticket.messages[0].body, format!("Hello. {REFUND_FILLED}Bye."));
        assert_eq!(ticket.status, Status::Resolved);
        assert_eq!(ticket.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["refund"]);
        assert_eq!(
            trail(&desk)[1..],
            [
                "Dana Scully replied to the customer",
                "Dana Scully used the canned reply “Refund sent”",
                "Dana Scully changed status from Open to Resolved",
                "Dana Scully added the tag “refund”",
            ]
        );
        // The Analytics window counts the use (a minute on: the period ends now).
        desk.clock.advance(chrono::Duration::minutes(1));
        harness.key_press(Key::F2);
        step_until(&mut harness, "the canned replies' table", |h| {
            h.query_by_label("Canned replies used").is_some()
                && h.query_by_label("Refund sent").is_some()
        });
        let row = harness.get_by_label("Refund sent").rect();
        assert!(
            harness
                .query_all_by_label("1")
                .any(|n| (n.rect().center().y - row.center().y).abs() < 2.0 && n.rect().min.x > row.max.x),
            "one use, on the reply's row"
        );
    }

    fn hash_and_words_in_a_note_offer_the_reply_and_its_status_can_be_left(engine: Engine) {
        let desk = refund_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        ticket_on_tab(&mut harness, "Notes (0)");
        hash_and_choose(
            &mut harness,
            "Add a note",
            "Told them: #refund se",
            &format!("Told them: {REFUND_FILLED}"),
        );
        assert!(text_containing(&harness, "Not filled: {{customer.name}}").is_some());
        // Leave the status and tags as they are.
        harness
            .get_by_label("When sent, also set status Resolved and add the tag refund")
            .click();
        harness.run_steps(1);
        harness.get_by_role_and_label(Role::Button, "Add Note").click();
        step_until(&mut harness, "the note added", |h| {
            field_value(h, "Add a note").as_deref() == Some("")
        });
        let ticket = stored(&desk, 1);
        assert_eq!(ticket.notes[0].body, format!("Told them: {REFUND_FILLED}"));
        assert_eq!(ticket.status, Status::Open);
        assert!(ticket.tags.is_empty());
        assert!(ticket.messages.is_empty());
        assert_eq!(
            trail(&desk)[1..],
            [
                "Dana Scully added an internal note",
                "Dana Scully used the canned reply “Refund sent”",
            ]
        );
    }

    fn typing_hash_and_letters_in_a_reply_fires_no_shortcut(engine: Engine) {
        let desk = refund_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        ticket_on_tab(&mut harness, "Conversation (0)");
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Message")
            .focus();
        harness.run_steps(1);
        // Every single-key shortcut's letter: New ticket, views, status,
        // priority, assign, tag, reply, pick, next and previous.
        let typed = "#nsgpatrxjkic refund";
        press_keys(&mut harness, typed);
        assert_eq!(field_value(&harness, "Message").as_deref(), Some(typed));
        assert!(harness.query_by_label("Create Ticket").is_none(), "no New Ticket form");
        assert!(harness.query_by_label("Set status: 1 Open").is_none());
        assert!(text_containing(&harness, "Go to view").is_none(), "no chord waits");
        assert_eq!(stored(&desk, 1).status, Status::Open);
        assert!(stored(&desk, 1).assignees.is_empty());
        // The panel still shows ticket 1, on the same tab.
        assert!(harness.query_by_label("Conversation (0)").is_some());
    }

    fn the_button_opens_the_picker_for_the_note_and_enter_inserts(engine: Engine) {
        let desk = refund_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        ticket_on_tab(&mut harness, "Notes (0)");
        harness
            .get_by_role_and_label(Role::Button, "Insert a canned reply into the note")
            .click();
        step_until(&mut harness, "the picker", |h| {
            h.query_by_label("Search canned replies").is_some()
        });
        assert!(text_containing(&harness, "Insert a canned reply into the note").is_some());
        type_into(&mut harness, "Search canned replies", "refund");
        harness.key_press(Key::Enter);
        step_until(&mut harness, "the reply in the note", |h| {
            field_value(h, "Add a note").as_deref() == Some(REFUND_FILLED)
        });
        // Nothing is saved until the note is added.
        assert!(stored(&desk, 1).notes.is_empty());
    }

    fn a_reply_sent_on_a_ticket_changed_meanwhile_is_refused_and_kept(engine: Engine) {
        let desk = refund_desk(engine);
        let mut harness = open(&desk, Some(desk.dana));
        ticket_on_tab(&mut harness, "Conversation (0)");
        hash_and_choose(&mut harness, "Message", "#refund", REFUND_FILLED);
        // Sam raises the priority from another desk; the window has not heard yet.
        let sam = desk.agents[1];
        let mut other = desk.store_as(sam);
        let version = other.load_ticket(tickets::domain::TicketNumber(1)).unwrap().version;
        other
            .set_priority(sam, tickets::domain::TicketNumber(1), version, tickets::domain::Priority::Urgent)
            .unwrap();
        let urgent_shown = harness.query_all_by_label("Urgent").count();
        harness.get_by_role_and_label(Role::Button, "Send").click();
        step_until(&mut harness, "the refusal", |h| {
            text_containing(h, "was changed by someone else since you opened it").is_some()
        });
        // Nothing was written; the text and the reply it came from stay.
        let ticket = stored(&desk, 1);
        assert!(ticket.messages.is_empty());
        assert_eq!((ticket.status, ticket.tags.len()), (Status::Open, 0));
        assert!(!trail(&desk).iter().any(|e| e.contains("canned")));
        assert_eq!(field_value(&harness, "Message").as_deref(), Some(REFUND_FILLED));
        assert!(text_containing(&harness, "Canned reply “Refund sent”").is_some());
        // Sent again over the latest version, it goes through whole.
        step_until(&mut harness, "the latest version in the panel", |h| {
            h.query_all_by_label("Urgent").count() > urgent_shown
        });
        harness.get_by_role_and_label(Role::Button, "Send").click();
        step_until(&mut harness, "the reply sent", |h| {
            field_value(h, "Message").as_deref() == Some("")
        });
        let ticket = stored(&desk, 1);
        assert_eq!(ticket.messages[0].body, REFUND_FILLED);
        assert_eq!(ticket.status, Status::Resolved);
    }
}

/// Typing in the library's boxes as a keyboard does (key presses, not just
/// text) fires no shortcut: N, a letter of "first_name", once opened a new
/// ticket over the library and took the rest of the text.
#[test]
fn typing_in_the_library_fires_no_shortcut() {
    let desk = desk_on(crate::fixtures::Engine::File, &["Charged twice"]);
    let mut harness = open(&desk, Some(desk.dana));
    run_from_palette(&mut harness, "Canned replies");
    step_until(&mut harness, "the library", |h| {
        h.query_by_label("Search canned replies").is_some()
    });
    for (label, text) in [
        ("Title", "Refund sent"),
        (
            "Text",
            "Hi {{customer.first_name}}, your refund is on its way",
        ),
        ("Tags to add", "billing, refund"),
        ("Search canned replies", "refund"),
    ] {
        let role = if harness
            .query_by_role_and_label(Role::MultilineTextInput, label)
            .is_some()
        {
            Role::MultilineTextInput
        } else {
            Role::TextInput
        };
        harness.get_by_role_and_label(role, label).focus();
        harness.run_steps(1);
        press_keys(&mut harness, text);
        assert_eq!(
            field_value(&harness, label).as_deref(),
            Some(text),
            "{label}"
        );
        assert!(
            harness.query_by_label("New Ticket").is_none(),
            "typing in {label} opened a new ticket"
        );
    }
}

/// The library fits the window however often it is opened: its Close
/// button stays in view (it once grew to the window's height and past).
#[test]
fn the_library_stays_inside_the_window() {
    let desk = desk_on(crate::fixtures::Engine::File, &["Charged twice"]);
    let mut harness = open(&desk, Some(desk.dana));
    for _ in 0..3 {
        run_from_palette(&mut harness, "Canned replies");
        step_until(&mut harness, "the library", |h| {
            h.query_by_label("Search canned replies").is_some()
        });
        harness.run_steps(5);
        let close = harness.get_by_role_and_label(Role::Button, "Close").rect();
        let window = harness.ctx.content_rect();
        assert!(
            close.max.y <= window.max.y && close.min.y > window.min.y,
            "Close lies at {close:?}, the window is {window:?}"
        );
        assert!(
            close.max.y < window.max.y - 150.0,
            "the library takes the window's whole height: Close at {:.0} of {:.0}",
            close.max.y,
            window.max.y
        );
        harness.get_by_role_and_label(Role::Button, "Close").click();
        step_until(&mut harness, "the library to close", |h| {
            h.query_by_label("Search canned replies").is_none()
        });
    }
}
