//! Canned replies, on both engines: the team's library (added, listed by
//! title, changed, deleted by any agent; titles refused in sentences; other
//! desks hearing of each change), a reply used on a ticket with its status
//! and tags in one transaction and in Activity, refused on a conflict, the
//! uses counted per period, and a desk's library moved into a team server.

use crate::fixtures::{Desk, Engine, hears_within_a_second, t0};
use crate::on_both_engines;
use chrono::{Duration, Utc};
use tickets::analytics::{CannedUse, Period, PeriodChoice};
use tickets::clock::Clock;
use tickets::domain::canned::Written;
use tickets::domain::{ActivityKind, AgentId, CannedReply, Direction, Status};
use tickets::store::{ChangeToken, Store, StoreError};

/// A reply titled `title` saying `body`, setting nothing.
fn reply(title: &str, body: &str) -> CannedReply {
    CannedReply {
        title: title.to_owned(),
        body: body.to_owned(),
        ..CannedReply::default()
    }
}

/// The reply an agent sends with a canned reply, as the window fills it.
fn reply_text() -> Written {
    Written::Reply("Thanks for waiting: it is done.".to_owned())
}

/// The library's titles, in order.
fn titles(store: &Store) -> Vec<String> {
    store
        .canned_replies()
        .expect("list the canned replies")
        .into_iter()
        .map(|r| r.title)
        .collect()
}

/// The sentence a refused title is refused with, checking it is about the title.
fn refused_title(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(v)) => {
            assert_eq!(v.field, "Title");
            StoreError::Invalid(v).to_string()
        }
        other => panic!("expected the title to be refused, got {other:?}"),
    }
}

/// The ticket's trail as sentences, oldest first.
fn trail(desk: &Desk, ticket: tickets::domain::TicketNumber) -> Vec<String> {
    desk.load(ticket)
        .activity
        .iter()
        .rev()
        .map(|e| e.sentence())
        .collect()
}

/// The last 30 days up to the desk's clock, in UTC.
fn last_30_days(desk: &Desk) -> Period {
    Period::resolve(PeriodChoice::Last30d, desk.clock.now(), &Utc).expect("a period")
}

/// (title, uses, still in the library) of each row of the usage table.
fn usage(rows: Vec<CannedUse>) -> Vec<(String, u64, bool)> {
    rows.into_iter()
        .map(|u| (u.title, u.uses, u.in_library))
        .collect()
}

on_both_engines! {
    fn the_library_is_kept_by_title_and_changed_by_any_agent(desk: Desk) {
        let dana = desk.dana;
        assert_eq!(desk.store.canned_replies().unwrap(), []);
        let refund = desk.store.add_canned_reply(dana, &CannedReply {
            title: "  Refund\nsent ".to_owned(),
            body: "Hi {{customer.first_name}}, your refund is on its way. {{agent.name}}\n".to_owned(),
            tags: vec!["billing".to_owned(), "refund".to_owned(), "Billing".to_owned()],
            status: Some(Status::Resolved),
            ..CannedReply::default()
        }).unwrap();
        let ack = desk.store.add_canned_reply(dana, &reply("ack", "Thanks, we are on it.")).unwrap();
        assert_eq!(titles(&desk.store), ["ack", "Refund sent"], "by title, ignoring case");
        let listed = desk.store.canned_replies().unwrap();
        assert_eq!(listed[1], CannedReply {
            id: refund,
            title: "Refund sent".to_owned(),
            body: "Hi {{customer.first_name}}, your refund is on its way. {{agent.name}}".to_owned(),
            tags: vec!["billing".to_owned(), "refund".to_owned()],
            status: Some(Status::Resolved),
        }, "placeholders kept as written; tags without repeats");
        assert_eq!(listed[0].status, None);
        assert_eq!(desk.second_store().canned_replies().unwrap(), listed);

        // Titles are unique ignoring case, and required; the refusal says why.
        let said = refused_title(desk.store.add_canned_reply(dana, &reply("REFUND SENT", "x")));
        assert!(said.contains("already has a canned reply called “Refund sent”"), "{said}");
        assert!(said.contains("(capitals do not count)"), "{said}");
        assert_eq!(refused_title(desk.store.add_canned_reply(dana, &reply(" ", "x"))), "Title: is required");
        assert!(matches!(
            desk.store.add_canned_reply(dana, &reply("Empty", "  ")),
            Err(StoreError::Invalid(v)) if v.field == "Body"
        ));
        refused_title(desk.store.update_canned_reply(dana, ack, &reply("refund sent", "x")));

        // Another agent changes and deletes them; its own title, in any case, is not taken.
        let sam = desk.hire("Sam", "sam@example.com");
        let mut sams = desk.store_as(sam);
        sams.update_canned_reply(sam, ack, &CannedReply {
            tags: vec!["triage".to_owned()],
            status: Some(Status::InProgress),
            ..reply("ACK", "Thanks, we are on it: {{ticket.number}}.")
        }).unwrap();
        let got = desk.store.canned_replies().unwrap().into_iter().find(|r| r.id == ack).unwrap();
        assert_eq!((got.title.as_str(), got.status, got.tags), ("ACK", Some(Status::InProgress), vec!["triage".to_owned()]));
        sams.delete_canned_reply(sam, refund).unwrap();
        assert_eq!(titles(&desk.store), ["ACK"]);
        let gone = desk.store.delete_canned_reply(dana, refund).unwrap_err();
        assert_eq!(gone.to_string(), format!("that canned reply no longer exists (id {refund})"));
        assert!(matches!(
            desk.store.update_canned_reply(dana, refund, &reply("Back", "x")),
            Err(StoreError::NotFound { what: "canned reply", id }) if id == refund
        ));
        // A change is made as an agent the store knows (on a server: the one signed in).
        assert!(desk.store.add_canned_reply(AgentId(999), &reply("Nobody's", "x")).is_err());
        assert_eq!(titles(&desk.store), ["ACK"]);
    }

    fn other_desks_hear_of_changes_to_the_library(desk: Desk) {
        let sam = desk.hire("Sam", "sam@example.com");
        let mut sams = desk.store_as(sam);
        let mut dana_saw = ChangeToken::default();
        assert!(!desk.store.changes_since(&mut dana_saw).unwrap());
        desk.at(1);
        let id = sams.add_canned_reply(sam, &reply("Hello", "Hello!")).unwrap();
        assert!(hears_within_a_second(&desk.store, &mut dana_saw), "Dana hears of the new reply");
        assert_eq!(titles(&desk.store), ["Hello"]);
        sams.update_canned_reply(sam, id, &reply("Hello again", "Hello!")).unwrap();
        assert!(hears_within_a_second(&desk.store, &mut dana_saw), "Dana hears of the change");
        sams.delete_canned_reply(sam, id).unwrap();
        assert!(hears_within_a_second(&desk.store, &mut dana_saw), "Dana hears of the deletion");
        assert!(desk.store.canned_replies().unwrap().is_empty());
    }

    fn using_a_reply_records_it_and_applies_its_status_and_tags_in_activity(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Charged twice");
        desk.store.add_tag(dana, n, "billing").unwrap();
        let refund = desk.store.add_canned_reply(dana, &CannedReply {
            tags: vec!["billing".to_owned(), "refund".to_owned()],
            status: Some(Status::Resolved),
            ..reply("Refund sent", "Your refund is on its way.")
        }).unwrap();
        desk.at(5);
        let before = desk.load(n);
        desk.store.use_canned_reply(dana, n, before.version, refund, true, &reply_text()).unwrap();
        let after = desk.load(n);
        assert_eq!(after.status, Status::Resolved);
        assert_eq!(
            after.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["billing", "refund"]
        );
        assert_eq!(after.version, before.version + 1, "the status change moves the version on");
        // Each change has its entry, as the single changes make them, after the use.
        let sentences = trail(&desk, n);
        assert_eq!(
            sentences[sentences.len() - 4..],
            [
                "Dana replied to the customer",
                "Dana used the canned reply “Refund sent”",
                "Dana changed status from Open to Resolved",
                "Dana added the tag “refund”",
            ]
        );
        let sent = after.messages.last().expect("the reply was sent");
        assert_eq!((sent.direction, sent.body.as_str()), (Direction::Outbound, "Thanks for waiting: it is done."));
        assert_eq!(after.first_reply, Some(desk.at(5)), "the reply counts as the first response");
        let used = after.activity.iter().find(|e| matches!(e.kind, ActivityKind::CannedUsed { .. })).unwrap();
        assert_eq!(used.kind, ActivityKind::CannedUsed { canned: refund, title: "Refund sent".to_owned() });
        assert_eq!(used.at, desk.at(5));
        // The analytics (the resolution) see the status change as they see any.
        assert_eq!(after.resolved, Some(desk.at(5)));

        // A reply that sets nothing the ticket lacks records only the text and its use.
        let entries = after.activity.len();
        desk.store.use_canned_reply(dana, n, after.version, refund, true, &reply_text()).unwrap();
        let again = desk.load(n);
        assert_eq!(again.activity.len(), entries + 2);
        assert_eq!(again.version, after.version);
        assert_eq!(trail(&desk, n).last().unwrap(), "Dana used the canned reply “Refund sent”");
    }

    fn a_reply_used_in_a_note_without_applying_it_changes_no_field(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Charged twice");
        let refund = desk.store.add_canned_reply(dana, &CannedReply {
            tags: vec!["refund".to_owned()],
            status: Some(Status::Resolved),
            ..reply("Refund sent", "Refund sent for {{ticket.number}}.")
        }).unwrap();
        let before = desk.load(n);
        let note = Written::Note("Refund sent for TKT-000001. {{customer.name}}".to_owned());
        desk.store.use_canned_reply(dana, n, before.version, refund, false, &note).unwrap();
        let after = desk.load(n);
        assert_eq!((after.status, after.version), (before.status, before.version));
        assert!(after.tags.is_empty());
        assert!(after.messages.is_empty(), "a note is no reply");
        assert_eq!(after.first_reply, None);
        assert_eq!(after.notes.len(), 1);
        assert_eq!(after.notes[0].body, "Refund sent for TKT-000001. {{customer.name}}", "an unfilled placeholder is kept as written");
        assert_eq!(
            trail(&desk, n)[1..],
            ["Dana added an internal note", "Dana used the canned reply “Refund sent”"]
        );
        // An empty text is refused as the note box refuses it, and nothing is written.
        let refused = desk.store.use_canned_reply(dana, n, after.version, refund, true, &Written::Note("  ".to_owned())).unwrap_err();
        assert!(matches!(refused, StoreError::Invalid(_)), "{refused:?}");
        assert_eq!(desk.load(n), after);
    }

    fn a_use_on_a_changed_ticket_or_of_a_deleted_reply_changes_nothing(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "sam@example.com");
        let n = desk.ticket("Printer on fire");
        let waiting = desk.store.add_canned_reply(dana, &CannedReply {
            tags: vec!["printer".to_owned()],
            status: Some(Status::Waiting),
            ..reply("Need the model", "Which model is it?")
        }).unwrap();
        let seen = desk.version(n);
        // Sam changes the priority meanwhile: the use is refused whole.
        desk.act(sam).set_priority(sam, n, seen, tickets::domain::Priority::Urgent).unwrap();
        let before = desk.load(n);
        let refused = desk.store.use_canned_reply(dana, n, seen, waiting, true, &reply_text()).unwrap_err();
        assert!(
            matches!(refused, StoreError::Conflict { ticket, current_version } if ticket == n && current_version == seen + 1),
            "{refused:?}"
        );
        assert_eq!(desk.load(n), before, "no status, no tag, no entry");
        // A reply deleted meanwhile is gone, and nothing changes.
        desk.act(sam).delete_canned_reply(sam, waiting).unwrap();
        let gone = desk.store.use_canned_reply(dana, n, before.version, waiting, true, &reply_text()).unwrap_err();
        assert!(matches!(gone, StoreError::NotFound { what: "canned reply", .. }), "{gone:?}");
        assert_eq!(desk.load(n), before);
        // A ticket that is not there.
        let other = desk.store.add_canned_reply(dana, &reply("Hi", "Hi")).unwrap();
        assert!(matches!(
            desk.store.use_canned_reply(dana, tickets::domain::TicketNumber(999), 1, other, true, &reply_text()),
            Err(StoreError::NoSuchTicket(_))
        ));
    }

    fn hostile_text_is_kept_and_filled_as_written(desk: Desk) {
        let dana = desk.dana;
        // A 10,000-character body of right-to-left text, emoji, stray braces
        // and placeholders, and a title of the same.
        let body = format!(
            "{} {{{{customer.name}}}} }}{{ {{{{ nope }}}} {{{{{{agent.name}}}}}}",
            "שלום مرحبا 👩🏽‍💻 {x} ".repeat(500)
        );
        assert!(body.chars().count() > 10_000, "{}", body.chars().count());
        let title = "Ответ 🎉 {{agent.name}} «quoted» 'x' \\ %_".to_owned();
        let id = desk.store.add_canned_reply(dana, &reply(&title, &body)).unwrap();
        let kept = desk.store.canned_replies().unwrap();
        assert_eq!((kept[0].id, kept[0].title.as_str(), kept[0].body.as_str()), (id, title.as_str(), body.as_str()));
        // Searching for a word with SQL's wildcards finds it literally.
        assert_eq!(tickets::domain::canned::search(&kept, "%_").len(), 1);
        assert!(tickets::domain::canned::search(&kept, "%x_").is_empty());

        // A customer named like a placeholder: their name goes in as text,
        // never read again; an unknown placeholder stays, listed.
        let customer = desk.store.add_customer(&tickets::domain::NewCustomer {
            name: "{{agent.name}} مريم".to_owned(),
            email: String::new(),
            company: String::new(),
        }).unwrap();
        let n = desk.store.create_ticket(dana, &tickets::domain::NewTicket {
            subject: "Braces {{ticket.subject}}".to_owned(),
            customer: Some(customer),
            ..crate::fixtures::new_ticket("x")
        }).unwrap();
        let ticket = desk.load(n);
        let filled = tickets::domain::canned::fill(
            "Hi {{customer.first_name}} / {{customer.name}} / {{ticket.subject}} / {{nope}} / {{agent.name}}",
            &tickets::domain::canned::Context::of(&ticket, Some("Dana")),
        );
        assert_eq!(
            filled.text,
            "Hi {{agent.name}} / {{agent.name}} مريم / Braces {{ticket.subject}} / {{nope}} / Dana"
        );
        assert_eq!(filled.unfilled, ["{{nope}}"]);
        desk.store.use_canned_reply(dana, n, ticket.version, id, true, &Written::Reply(filled.text.clone())).unwrap();
        assert_eq!(desk.load(n).messages[0].body, filled.text, "sent as shown, every character kept");
        // A title that is not one line, or too long, is refused in a sentence.
        let long = "x".repeat(101);
        assert!(refused_title(desk.store.add_canned_reply(dana, &reply(&long, "x"))).contains("100"));
    }

    fn the_report_export_has_a_canned_replies_section_in_both_formats(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("One");
        let hello = desk.store.add_canned_reply(dana, &reply("=Hello, \"you\"", "Hello!")).unwrap();
        desk.at(10);
        for _ in 0..2 {
            let v = desk.version(n);
            desk.store.use_canned_reply(dana, n, v, hello, true, &reply_text()).unwrap();
        }
        desk.at(20);
        let period = last_30_days(&desk);
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("report.csv");
        tickets::export::write_report(&desk.store, &period, &Utc, &csv, tickets::export::ReportFormat::Csv, &mut |_, _| true)
            .expect("write the CSV report");
        let text = std::fs::read_to_string(&csv).unwrap();
        // The title as written, quoted, and kept from being read as a formula.
        assert!(
            text.lines().any(|l| l == "canned_replies,uses,\"'=Hello, \"\"you\"\"\",2,uses"),
            "{text}"
        );
        let xlsx = dir.path().join("report.xlsx");
        tickets::export::write_report(&desk.store, &period, &Utc, &xlsx, tickets::export::ReportFormat::Xlsx, &mut |_, _| true)
            .expect("write the workbook, a sheet for the section");
        assert!(std::fs::metadata(&xlsx).unwrap().len() > 0);
    }

    fn analytics_count_each_replys_uses_in_the_period(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "sam@example.com");
        let a = desk.ticket("One");
        let b = desk.ticket("Two");
        let hello = desk.store.add_canned_reply(dana, &reply("Hello", "Hello!")).unwrap();
        let bye = desk.store.add_canned_reply(dana, &reply("bye", "Bye!")).unwrap();
        let old = desk.store.add_canned_reply(dana, &reply("Old one", "…")).unwrap();
        // Before the period: 40 days back.
        desk.at(-40 * 24 * 60);
        let v = desk.version(a);
        desk.store.use_canned_reply(dana, a, v, hello, true, &reply_text()).unwrap();
        // In it.
        desk.at(10);
        for (agent, ticket, reply) in [(dana, a, hello), (sam, b, hello), (sam, a, bye), (dana, b, old), (dana, a, bye), (sam, b, hello)] {
            let v = desk.version(ticket);
            desk.act(agent).use_canned_reply(agent, ticket, v, reply, true, &reply_text()).unwrap();
        }
        // Renamed, used again, then deleted: listed under the title of its last use.
        desk.at(12);
        desk.store.update_canned_reply(dana, old, &reply("Old one, renamed", "…")).unwrap();
        let v = desk.version(a);
        desk.store.use_canned_reply(dana, a, v, old, true, &reply_text()).unwrap();
        desk.store.update_canned_reply(dana, old, &reply("Old one, renamed again", "…")).unwrap();
        desk.store.delete_canned_reply(dana, old).unwrap();
        desk.at(20);
        let period = last_30_days(&desk);
        assert_eq!(
            usage(desk.store.canned_usage(&period).unwrap()),
            [
                ("Hello".to_owned(), 3, true),
                ("bye".to_owned(), 2, true),
                ("Old one, renamed".to_owned(), 2, false),
            ],
            "most used first; a deleted reply under the title it had when last used"
        );
        // The same within one snapshot, as the exports read it.
        let in_snapshot = desk.store.snapshot(|s| s.canned_usage(&period)).unwrap();
        assert_eq!(usage(in_snapshot).iter().map(|u| u.1).sum::<u64>(), 7);
        // A period with none: an empty table.
        let earlier = Period::resolve(PeriodChoice::Today, t0() - Duration::days(100), &Utc).unwrap();
        assert!(desk.store.canned_usage(&earlier).unwrap().is_empty());
    }
}

/// A desk's canned replies move into a team server with everything else,
/// their uses still counted and their titles still taken.
#[test]
fn a_desk_moved_into_a_team_server_keeps_its_canned_replies() {
    let Some(server_desk) = Desk::on(Engine::Server) else {
        return;
    };
    let mut desk = Desk::new();
    let dana = desk.dana;
    let n = desk.ticket("Printer on fire");
    let kept = desk
        .store
        .add_canned_reply(
            dana,
            &CannedReply {
                tags: vec!["printer".to_owned(), "hardware".to_owned()],
                status: Some(Status::Waiting),
                ..reply(
                    "Need the model",
                    "Hi {{customer.name}}, which model? 🖨️ مرحبا",
                )
            },
        )
        .unwrap();
    let gone = desk
        .store
        .add_canned_reply(dana, &reply("Gone", "x"))
        .unwrap();
    desk.at(10);
    let v = desk.version(n);
    desk.store
        .use_canned_reply(dana, n, v, kept, true, &reply_text())
        .unwrap();
    let v = desk.version(n);
    desk.store
        .use_canned_reply(dana, n, v, gone, true, &reply_text())
        .unwrap();
    // Deleted after it was used: the newest id, kept in the trail only.
    desk.store.delete_canned_reply(dana, gone).unwrap();
    let before = desk.store.canned_replies().unwrap();
    desk.at(20);
    let period = last_30_days(&desk);
    let uses = desk.store.canned_usage(&period).unwrap();

    let url = server_desk.url.clone().expect("a server desk");
    let moved = tickets::store::server::TeamAdmin::connect(&url)
        .unwrap()
        .import(&*desk.store, &mut |_, _| {})
        .expect("move the desk");
    assert!(moved.tables.contains(&("canned_replies", 1)), "{moved:?}");
    let mut team = Store::connect(&url, desk.clock.clone()).expect("connect as the owner");
    assert_eq!(team.canned_replies().unwrap(), before);
    assert_eq!(team.canned_usage(&period).unwrap(), uses);
    let me = team.signed_in().expect("signed in").id;
    refused_title(team.add_canned_reply(me, &reply("NEED THE MODEL", "x")));
    let new = team.add_canned_reply(me, &reply("New", "x")).unwrap();
    assert!(new > gone, "a used reply's id is never given again: {new}");
    desk.at(15);
    let v = team.load_ticket(n).unwrap().version;
    team.use_canned_reply(me, n, v, new, true, &reply_text())
        .unwrap();
    assert_eq!(
        usage(team.canned_usage(&period).unwrap()),
        [
            ("Gone".to_owned(), 1, false),
            ("Need the model".to_owned(), 1, true),
            ("New".to_owned(), 1, true),
        ]
    );
}
