//! "Erase customer data…" in the Customers and agents window, driven
//! headless: the confirmation says what goes, the erasure runs on the
//! worker, a notification reports it, the ticket's Activity records it, and
//! the customer's old name and words are nowhere on screen afterwards.

use crate::common::{
    Window, desk_on, open, open_people, open_ticket, step_until, store_of, stored, type_into,
    wait_for_activity,
};
use crate::on_both_engines_with;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::domain::{Direction, NewCustomer, NewTicket};

/// The labels and values on screen that contain `text`.
fn on_screen(harness: &Window, text: &str) -> Vec<String> {
    let text = text.to_owned();
    harness
        .query_all_by(move |node| {
            [node.label(), node.value()]
                .iter()
                .flatten()
                .any(|s| s.contains(&text))
        })
        .map(|node| {
            let node = node.accesskit_node();
            format!("{:?} {:?} {:?}", node.role(), node.label(), node.value())
        })
        .collect()
}

/// Clicks the button with this label once it shows and stops moving:
/// windows and dialogs size and place themselves over their first frames.
fn click_when_still(harness: &mut Window, label: &str) {
    let button = |h: &Window| {
        h.query_by_role_and_label(Role::Button, label)
            .map(|b| b.rect())
    };
    let last = std::cell::Cell::new(None);
    step_until(harness, &format!("“{label}” to show and settle"), |h| {
        let now = button(h);
        now.is_some() && last.replace(now) == now
    });
    harness.get_by_role_and_label(Role::Button, label).click();
}

on_both_engines_with! {
    fn erasing_a_customer_from_the_people_window(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let mut store = store_of(&desk);
        let ada = store
            .add_customer(&NewCustomer {
                name: "Ada Lovelace".to_owned(),
                email: "ada@engines.example".to_owned(),
                company: "Analytical Engines".to_owned(),
            })
            .unwrap();
        store.add_customer_tag(ada, "vip").unwrap();
        let ticket = store
            .create_ticket(
                desk.dana,
                &NewTicket {
                    subject: "Engine jammed".to_owned(),
                    description: "The mill stopped at card 42".to_owned(),
                    customer: Some(ada),
                    ..NewTicket::default()
                },
            )
            .unwrap();
        store
            .add_message(
                desk.dana,
                ticket,
                Direction::Inbound,
                "Bernoulli numbers come out wrong",
            )
            .unwrap();
        drop(store);
        let old_words = [
            "Ada",
            "Lovelace",
            "ada@engines.example",
            "Analytical",
            "card 42",
            "Bernoulli",
        ];

        let mut harness = open(&desk, Some(desk.dana));
        open_ticket(&mut harness, "Engine jammed");
        // The panel names the customer (a link to their tickets) and their email.
        harness.get_by_role_and_label(Role::Link, "Ada Lovelace");
        harness.get_by_label("ada@engines.example");

        open_people(&mut harness);
        type_into(&mut harness, "Find customers", "Ada");
        click_when_still(&mut harness, "Edit Ada Lovelace");

        // Asking first: Cancel changes nothing.
        click_when_still(&mut harness, "Erase customer data…");
        step_until(&mut harness, "the confirmation", |h| {
            h.query_by_label("This cannot be undone.").is_some()
        });
        harness.get_by_label_contains("This erases Ada Lovelace's personal data (customer #1)");
        harness.get_by_label_contains("every message in their tickets' conversations");
        harness.get_by_label_contains("so analytics do not change");
        click_when_still(&mut harness, "Cancel");
        step_until(&mut harness, "the confirmation to close", |h| {
            h.query_by_label("This cannot be undone.").is_none()
        });
        assert_eq!(
            stored(&desk, ticket.0).customer.unwrap().name,
            "Ada Lovelace"
        );

        click_when_still(&mut harness, "Erase customer data…");
        click_when_still(&mut harness, "Erase permanently");
        step_until(&mut harness, "the notification", |h| {
            // On a server the sentence goes on to say when the server drops
            // the old row versions.
            h.query_all_by_label_contains(
                "Erased the personal data of Erased customer #1: 1 ticket, 1 message",
            )
            .count()
                >= 1
        });
        step_until(&mut harness, "the confirmation to close", |h| {
            h.query_by_label("This cannot be undone.").is_none()
                && h.query_by_label("Erasing…").is_none()
        });

        // The People window shows the customer as they are now, and the list
        // no longer holds the search for their name.
        assert_eq!(
            crate::common::field_value(&harness, "Name").as_deref(),
            Some("Erased customer #1")
        );
        click_when_still(&mut harness, "Back to the list");
        step_until(&mut harness, "the whole customer list", |h| {
            h.query_by_label("Edit Erased customer #1").is_some()
        });
        assert_eq!(
            crate::common::field_value(&harness, "Find customers").as_deref(),
            Some("")
        );
        for word in old_words {
            assert_eq!(on_screen(&harness, word), Vec::<String>::new(), "{word:?}");
        }

        // The ticket panel, open all along, shows the erasure in its Activity.
        wait_for_activity(
            &mut harness,
            "Dana Scully erased the customer's personal data",
        );
        click_when_still(&mut harness, "Close window");
        harness.run_steps(2);
        harness.get_by_label("Detail").click();
        step_until(
            &mut harness,
            "the erased customer in the list and the panel",
            |h| h.query_all_by_label("Erased customer #1").count() == 2,
        );
        for word in old_words {
            assert_eq!(on_screen(&harness, word), Vec::<String>::new(), "{word:?}");
        }
        harness.get_by_label("Conversation (1)").click();
        harness.run_steps(2);
        // The message, and the description above it (the conversation's start).
        assert!(harness.query_all_by_label("[erased]").count() > 0);
        for word in old_words {
            assert_eq!(on_screen(&harness, word), Vec::<String>::new(), "{word:?}");
        }

        let stored = stored(&desk, ticket.0);
        let customer = stored.customer.unwrap();
        assert_eq!(
            (
                customer.name.as_str(),
                customer.email.as_str(),
                customer.tags.len()
            ),
            ("Erased customer #1", "", 0)
        );
        assert_eq!(stored.description, "[erased]");
        assert_eq!(stored.messages[0].body, "[erased]");
    }
}

on_both_engines_with! {
    fn a_refused_erasure_says_why_and_changes_nothing(engine: Engine) {
        let desk = desk_on(engine, &[]);
        let mut store = store_of(&desk);
        let ada = store
            .add_customer(&NewCustomer {
                name: "Ada Lovelace".to_owned(),
                ..NewCustomer::default()
            })
            .unwrap();
        store
            .create_ticket(
                desk.dana,
                &NewTicket {
                    subject: "Engine jammed".to_owned(),
                    customer: Some(ada),
                    ..NewTicket::default()
                },
            )
            .unwrap();
        drop(store);
        // The database refuses the erasure's last write, as a full disk would.
        desk.fail_erasures(true);

        let mut harness = open(&desk, Some(desk.dana));
        open_people(&mut harness);
        click_when_still(&mut harness, "Edit Ada Lovelace");
        click_when_still(&mut harness, "Erase customer data…");
        click_when_still(&mut harness, "Erase permanently");
        step_until(&mut harness, "the refusal in the dialog", |h| {
            h.query_all_by_label_contains("the disk is full").count() >= 1
                && h.query_by_role_and_label(Role::Button, "Close").is_some()
        });
        click_when_still(&mut harness, "Close");
        step_until(&mut harness, "the dialog to close", |h| {
            h.query_by_role_and_label(Role::Button, "Close").is_none()
        });
        assert_eq!(
            crate::common::field_value(&harness, "Name").as_deref(),
            Some("Ada Lovelace")
        );
        let ticket = stored(&desk, 1);
        assert_eq!(ticket.customer.unwrap().name, "Ada Lovelace");
        assert_eq!(ticket.activity.len(), 1, "only the creation");
    }
}
