//! What a new agent met in the real window in their first minutes, each
//! defect with the test that failed before its fix (issue 10).

use std::path::Path;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::app::{DialogOutcome, Settings};
use tickets::domain::{NewTicket, Status, TicketNumber};

use crate::common::{
    Desk, Window, desk, open, open_ticket, open_with, run_from_palette, settings_for, step_until,
    store_of, stored, type_into,
};

/// The top edge of the (right-most) text with this label.
fn top(harness: &Window, label: &str) -> f32 {
    crate::common::rightmost(harness, label).rect().min.y
}

/// The sidebar's tick box whose label starts with `name` ("Open", "Closed"):
/// its label carries the live count after the name.
fn facet<'a>(harness: &'a Window, name: &str) -> egui_kittest::Node<'a> {
    crate::common::named(harness, Role::CheckBox, name)
}

#[test]
fn the_first_ticket_of_an_empty_database_shows_in_the_list() {
    let desk = desk(&[]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.get_by_label("No tickets yet");

    harness.get_by_label("Create ticket").click();
    step_until(&mut harness, "the New Ticket form", |h| {
        h.query_by_label("Subject (required)").is_some()
    });
    type_into(&mut harness, "Subject (required)", "Printer on fire");
    harness.get_by_label("Create Ticket").click();
    step_until(&mut harness, "the new ticket in the list", |h| {
        h.query_by_label("1 ticket").is_some()
    });
    // In the list's row and as the panel's heading.
    step_until(&mut harness, "the row", |h| {
        h.query_all_by_label("Printer on fire").count() == 2
    });
    assert!(harness.query_by_label("No tickets yet").is_none());
    assert!(
        harness.query_by_label("Load sample data").is_none(),
        "sample data is offered only to an empty database"
    );
    // The filters are there to use.
    harness.get_by_role_and_label(Role::TextInput, "Search");
}

#[test]
fn an_empty_database_offers_to_import_another_help_desks_tickets() {
    let desk = desk(&[]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.get_by_label("No tickets yet");
    harness
        .get_by_role_and_label(Role::Button, "Import from another help desk…")
        .click();
    step_until(&mut harness, "the import dialog", |h| {
        h.query_by_label("Import tickets").is_some()
    });
}

#[test]
fn a_ticket_made_elsewhere_in_an_empty_database_shows_without_a_restart() {
    let desk = desk(&[]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.get_by_label("No tickets yet");
    store_of(&desk)
        .create_ticket(
            desk.dana,
            &NewTicket {
                subject: "Raised in another window".to_owned(),
                ..Default::default()
            },
        )
        .unwrap();
    step_until(&mut harness, "the other window's ticket", |h| {
        h.query_by_label("Raised in another window").is_some()
            && h.query_by_label("1 ticket").is_some()
    });
    assert!(harness.query_by_label("No tickets yet").is_none());
    harness.get_by_role_and_label(Role::TextInput, "Search");
}

/// Settings for `desk` whose exports go to `folder` by default.
fn exporting_to(desk: &Desk, folder: &Path) -> Settings {
    Settings {
        export_folder: Some(folder.to_path_buf()),
        ..settings_for(&desk.path, Some(desk.dana))
    }
}

#[test]
fn without_a_file_dialog_an_export_goes_to_the_path_typed_in_the_dialog() {
    let desk = desk(&["Refund for order 1182", "Login loops"]);
    let out = tempfile::tempdir().unwrap();
    let mut harness = open_with(&desk, exporting_to(&desk, out.path()));
    harness
        .state_mut()
        .as_mut()
        .unwrap()
        .set_save_dialog(Box::new(|_, _, _| DialogOutcome::Unavailable));

    run_from_palette(&mut harness, "export tickets");
    step_until(&mut harness, "the export dialog", |h| {
        h.query_by_label("Save as").is_some()
    });
    // A dated name in the default folder, ready to use.
    let suggested = crate::common::field_value(&harness, "Save as").unwrap();
    let expected = out.path().join("tickets-2024-03-04.csv");
    assert_eq!(Path::new(&suggested), expected);

    // The native dialog is not there: the dialog says so, and the path field works.
    harness.get_by_label("Choose…").click();
    step_until(&mut harness, "the explanation", |h| {
        h.query_by_label_contains("No file dialog is available")
            .is_some()
    });
    harness.get_by_label("Export").click();
    step_until(&mut harness, "the export to finish", |h| {
        h.query_by_label_contains("Exported 2 tickets to").is_some()
    });
    let written = std::fs::read_to_string(&expected).unwrap();
    assert!(written.contains("Login loops"));
}

#[test]
fn a_path_chosen_in_the_native_dialog_is_the_one_written() {
    let desk = desk(&["Refund for order 1182"]);
    let out = tempfile::tempdir().unwrap();
    let chosen = out.path().join("for-finance.csv");
    let answer = chosen.clone();
    let mut harness = open_with(&desk, exporting_to(&desk, out.path()));
    harness
        .state_mut()
        .as_mut()
        .unwrap()
        .set_save_dialog(Box::new(move |_, _, _| {
            DialogOutcome::Chosen(answer.clone())
        }));
    run_from_palette(&mut harness, "export tickets");
    step_until(&mut harness, "the export dialog", |h| {
        h.query_by_label("Save as").is_some()
    });
    harness.get_by_label("Choose…").click();
    step_until(&mut harness, "the chosen path in the field", |h| {
        crate::common::field_value(h, "Save as").as_deref() == chosen.to_str()
    });
    harness.get_by_label("Export").click();
    step_until(&mut harness, "the export to finish", |h| {
        h.query_by_label_contains("Exported 1 ticket to").is_some()
    });
    assert!(chosen.exists());
    assert!(!out.path().join("tickets-2024-03-04.csv").exists());
}

#[test]
fn j_after_the_open_ticket_leaves_the_filtered_list_opens_the_one_that_followed_it() {
    let desk = desk(&["One", "Two", "Three", "Four"]);
    let mut harness = open(&desk, Some(desk.dana));
    facet(&harness, "Open").click();
    step_until(&mut harness, "the Open filter", |h| {
        crate::common::text_containing(h, "Status: Open").is_some()
            && h.query_by_label("Four").is_some()
    });
    // Newest first: Four, Three, Two, One.
    open_ticket(&mut harness, "Three");
    harness
        .get_by_role_and_label(Role::ComboBox, "Status")
        .click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(Role::Button, "Waiting")
        .click();
    step_until(&mut harness, "Three to leave the list", |h| {
        h.query_by_label("3 tickets").is_some()
    });
    assert_eq!(stored(&desk, 3).status, Status::Waiting);
    harness.key_press(egui::Key::J);
    step_until(&mut harness, "the ticket after Three", |h| {
        h.query_all_by_label("Two").count() == 2
    });
    // Two, in the list and heading the panel; Three is in neither.
    assert_eq!(harness.query_all_by_label("Two").count(), 2);
    assert!(harness.query_by_label("Three").is_none());
}

#[test]
fn ticking_a_filter_moves_none_of_the_filters() {
    let desk = desk(&["One", "Two"]);
    let mut harness = open(&desk, Some(desk.dana));
    step_until(&mut harness, "the counts", |h| {
        facet(h, "Closed")
            .accesskit_node()
            .label()
            .is_some_and(|l| l.contains('0'))
    });
    let before: Vec<f32> = ["Closed", "Urgent"]
        .iter()
        .map(|name| facet(&harness, name).rect().min.y)
        .collect();
    facet(&harness, "Open").click();
    step_until(&mut harness, "the filter in force", |h| {
        crate::common::text_containing(h, "Status: Open").is_some()
    });
    harness.run_steps(2);
    let after: Vec<f32> = ["Closed", "Urgent"]
        .iter()
        .map(|name| facet(&harness, name).rect().min.y)
        .collect();
    assert_eq!(before, after, "the filters moved under the pointer");
}

#[test]
fn a_pick_in_the_agent_picker_moves_nothing_and_only_a_tags_x_removes_it() {
    let desk = desk(&["Cannot log in"]);
    store_of(&desk)
        .add_tag(desk.dana, TicketNumber(1), "billing")
        .unwrap();
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Cannot log in");
    let tags_heading = top(&harness, "Tags");

    harness.get_by_label("Add an assignee").click();
    step_until(&mut harness, "the agent picker", |h| {
        h.query_by_label("Find an agent").is_some()
    });
    harness.get_by_label("Assign Sam Okafor").click();
    step_until(&mut harness, "Sam assigned", |h| {
        h.query_by_label("Unassign Sam Okafor").is_some()
    });
    harness.run_steps(2);
    assert_eq!(
        top(&harness, "Tags"),
        tags_heading,
        "the tags moved after a pick"
    );

    // A click on the tag's name does nothing; its × removes it.
    harness
        .get_by_role_and_label(Role::Label, "billing")
        .click();
    harness.run_steps(3);
    assert_eq!(
        stored(&desk, 1).tags.len(),
        1,
        "a click on the tag's name removed it"
    );
    harness.get_by_label("Remove the tag billing").click();
    step_until(&mut harness, "the tag removed", |h| {
        h.query_by_label("Remove the tag billing").is_none()
    });
    assert!(stored(&desk, 1).tags.is_empty());
}

#[test]
fn filters_that_match_nothing_say_so_and_offer_to_clear_them() {
    let desk = desk(&["Refund for order 1182", "Login loops"]);
    let mut harness = open(&desk, Some(desk.dana));
    type_into(&mut harness, "Search", "zebra");
    step_until(&mut harness, "the empty result", |h| {
        h.query_by_label("No tickets match these filters").is_some()
    });
    harness
        .get_by_role_and_label(Role::Button, "Clear filters")
        .click();
    step_until(&mut harness, "every ticket again", |h| {
        h.query_by_label("2 tickets").is_some() && h.query_by_label("Login loops").is_some()
    });
    assert_eq!(
        crate::common::field_value(&harness, "Search").as_deref(),
        Some("")
    );
}

#[test]
fn the_new_ticket_form_keeps_still_focuses_the_subject_and_clears_a_fixed_error() {
    let desk = desk(&["Existing"]);
    let mut harness = open(&desk, Some(desk.dana));
    harness.key_press(egui::Key::N);
    step_until(&mut harness, "the form", |h| {
        h.query_by_label("Subject (required)").is_some()
    });
    harness.run_steps(1);
    assert!(
        harness
            .get_by_role_and_label(Role::TextInput, "Subject (required)")
            .is_focused(),
        "the cursor is not in Subject"
    );
    // N opened the form; it is not typed into it.
    assert_eq!(
        crate::common::field_value(&harness, "Subject (required)").as_deref(),
        Some("")
    );

    harness.get_by_label("Create Ticket").click();
    step_until(&mut harness, "the error", |h| {
        h.query_by_label_contains("Subject is required").is_some()
    });
    type_into(&mut harness, "Subject (required)", "Printer");
    assert!(
        harness
            .query_by_label_contains("Subject is required")
            .is_none(),
        "the error stayed after a subject was typed"
    );

    // Opening the new-customer fields moves nothing above them, and the
    // form has one Cancel.
    let subject = top(&harness, "Subject (required)");
    harness.get_by_label("+ New customer").click();
    step_until(&mut harness, "the customer fields", |h| {
        h.query_by_label("Customer name").is_some()
    });
    harness.run_steps(2);
    assert_eq!(
        top(&harness, "Subject (required)"),
        subject,
        "the form jumped"
    );
    assert_eq!(
        harness
            .query_all_by_role_and_label(Role::Button, "Cancel")
            .count(),
        1
    );
}

#[test]
fn who_is_using_tickets_takes_enter_and_shows_its_error_by_the_field() {
    let desk = desk(&["Existing"]);
    let mut harness = open(&desk, None);
    step_until(&mut harness, "the question", |h| {
        h.query_by_label("Who is using Tickets?").is_some()
    });
    harness.run_steps(1);
    assert!(
        harness
            .get_by_role_and_label(Role::TextInput, "Someone new")
            .is_focused()
    );
    // An empty name (the prefilled one deleted): refused beside the field,
    // not in a toast.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(1);
    harness.get_by_label("Add me").click();
    step_until(&mut harness, "the error", |h| {
        h.query_by_label_contains("is required").is_some()
    });
    let error = harness.get_by_label_contains("is required").rect();
    let field = harness
        .get_by_role_and_label(Role::TextInput, "Someone new")
        .rect();
    let button = harness.get_by_label("Add me").rect();
    assert!(
        error.min.y >= field.max.y - 1.0 && error.max.y <= button.min.y + 1.0,
        "the error is not between the field and its button: {error:?} {field:?} {button:?}"
    );
    // Typing a name and pressing Enter adds the agent and closes the dialog.
    type_into(&mut harness, "Someone new", "Mulder");
    harness.key_press(egui::Key::Enter);
    step_until(&mut harness, "the dialog to close", |h| {
        h.query_by_label("Who is using Tickets?").is_none()
            && h.query_by_label_contains("You: Mulder").is_some()
    });
    let app = harness.state().as_ref().unwrap();
    assert_eq!(app.acting_agent().map(|a| a.name.as_str()), Some("Mulder"));
}

#[test]
fn an_empty_note_is_refused_beside_the_box_and_the_tabs_stay_put() {
    let desk = desk(&["Cannot log in"]);
    let mut harness = open(&desk, Some(desk.dana));
    open_ticket(&mut harness, "Cannot log in");
    harness.get_by_label("Notes (0)").click();
    step_until(&mut harness, "the note box", |h| {
        h.query_by_label("Add a note").is_some()
    });
    let tabs = top(&harness, "Notes (0)");
    harness
        .get_by_role_and_label(Role::Button, "Add Note")
        .click();
    step_until(&mut harness, "the refusal", |h| {
        h.query_by_label_contains("Note: is empty").is_some()
    });
    harness.run_steps(1);
    assert_eq!(top(&harness, "Notes (0)"), tabs, "the tabs moved");
    let error = harness.get_by_label_contains("Note: is empty").rect();
    let note = harness
        .get_by_role_and_label(Role::MultilineTextInput, "Add a note")
        .rect();
    assert!(
        error.min.y >= note.max.y - 1.0 && error.min.y <= note.max.y + 60.0,
        "the error is not by the note box: {error:?} {note:?}"
    );
    // Typing clears it.
    type_into(&mut harness, "Add a note", "Checked the logs");
    assert!(harness.query_by_label_contains("Note: is empty").is_none());
}

#[test]
fn someone_new_who_is_already_an_agent_is_that_agent() {
    let desk = desk(&["Existing"]);
    let mut harness = open(&desk, None);
    step_until(&mut harness, "the question", |h| {
        h.query_by_label("Who is using Tickets?").is_some()
    });
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    type_into(&mut harness, "Someone new", "dana scully");
    harness.key_press(egui::Key::Enter);
    step_until(&mut harness, "the dialog to close", |h| {
        h.query_by_label("Who is using Tickets?").is_none()
    });
    let app = harness.state().as_ref().unwrap();
    assert_eq!(app.acting_agent().map(|a| a.id), Some(desk.dana));
    assert_eq!(store_of(&desk).agents().unwrap().len(), 2, "no second Dana");
}
