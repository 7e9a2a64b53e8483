//! "Erase customer data": the customer's name, email and words leave the
//! file (rows, search indexes, the activity trail, free space and the
//! write-ahead log) in one transaction, while every ticket and every
//! analytics figure stays as it was.

use crate::fixtures::{Desk, Engine, sidecars};
use crate::on_both_engines_with;
use chrono::{NaiveDate, Utc};
use tickets::analytics::{Period, PeriodChoice, Report};
use tickets::clock::Clock;
use tickets::domain::{
    ActivityKind, AgentId, CustomerId, Direction, NewCustomer, NewTicket, Priority, Status,
    TicketDetail, TicketNumber,
};
use tickets::store::erase::{ERASED, erased_name};
use tickets::store::{ListRequest, StoreError, TicketFilter};

/// Words that appear nowhere but in Ann's data, to look for in the file.
const DESCRIPTION_WORD: &str = "Zanzibarquux";
const MESSAGE_WORD: &str = "Xylophonic";
const LONG_MESSAGE_WORD: &str = "Pumpernickelish";
const COMPANY: &str = "Quillfeather Ltd";
const ANN: &str = "Ann Lee";
const ANN_EMAIL: &str = "ann.lee@example.com";

/// A help desk over four days: Ann Lee with two tickets of her own and one
/// moved to Bob, Bob with one; replies, notes, a deleted note, a subject
/// edit, a resolution with a rating, assignees and tags.
struct Fixture {
    desk: Desk,
    sam: AgentId,
    ann: CustomerId,
    bob: CustomerId,
    printer: TicketNumber,
    invoice: TicketNumber,
    moved: TicketNumber,
    bobs: TicketNumber,
}

const DAY: i64 = 24 * 60;

fn customer(desk: &mut Desk, name: &str, email: &str, company: &str) -> CustomerId {
    desk.store
        .add_customer(&NewCustomer {
            name: name.to_owned(),
            email: email.to_owned(),
            company: company.to_owned(),
        })
        .unwrap()
}

fn raise(desk: &mut Desk, subject: &str, description: &str, customer: CustomerId) -> TicketNumber {
    desk.store
        .create_ticket(
            desk.dana,
            &NewTicket {
                subject: subject.to_owned(),
                description: description.to_owned(),
                priority: Priority::High,
                customer: Some(customer),
            },
        )
        .unwrap()
}

/// The fixture on `engine`; `None` where there is no PostgreSQL for a server.
fn fixture(engine: Engine) -> Fixture {
    fixture_with(engine, true)
}

/// The fixture, with or without a note mentioning Ann that is deleted before
/// the erasure (whose text stays in the trail). On a server Dana set the
/// team up and Sam has a login of his own; both are admins, who alone may
/// erase there.
fn fixture_with(engine: Engine, deleted_note: bool) -> Fixture {
    let mut desk = Desk::on(engine).expect("a desk on this engine");
    let dana = desk.dana;
    let sam = desk.hire("Sam", "sam@example.com");
    if let Some(url) = &desk.url {
        tickets::store::server::TeamAdmin::connect(url)
            .unwrap()
            .make_admin(desk.logins.last().unwrap())
            .unwrap();
    }
    let ann = customer(&mut desk, ANN, ANN_EMAIL, COMPANY);
    desk.store.add_customer_tag(ann, "vip").unwrap();
    let bob = customer(&mut desk, "Bob Stone", "bob@example.com", "");

    let printer = raise(
        &mut desk,
        "Printer on fire",
        &format!("{DESCRIPTION_WORD} printer at 12 Elm Street smokes"),
        ann,
    );
    desk.at(5);
    desk.store
        .add_message(
            dana,
            printer,
            Direction::Inbound,
            &format!("Still smoking. Order {MESSAGE_WORD}-7731"),
        )
        .unwrap();
    desk.at(7);
    // Long enough to spill onto overflow pages.
    let long = format!("{} {LONG_MESSAGE_WORD}", "smoke ".repeat(4000));
    desk.store
        .add_message(dana, printer, Direction::Inbound, &long)
        .unwrap();
    desk.at(10);
    desk.act(sam)
        .add_message(
            sam,
            printer,
            Direction::Outbound,
            "Hi Ann Lee, please unplug it",
        )
        .unwrap();
    desk.at(12);
    desk.store
        .add_note(dana, printer, "Ann Lee called twice about this")
        .unwrap();
    if deleted_note {
        let note = desk
            .store
            .add_note(dana, printer, "ann lee wants a refund")
            .unwrap();
        desk.store.delete_note(dana, note).unwrap();
    }
    desk.store.assign(dana, printer, sam).unwrap();
    desk.store.add_tag(dana, printer, "hardware").unwrap();

    desk.at(DAY);
    let v = desk.version(printer);
    desk.act(sam)
        .set_status(sam, printer, v, Status::Resolved)
        .unwrap();
    let v = desk.version(printer);
    desk.act(sam).set_csat(sam, printer, v, 4).unwrap();
    let invoice = raise(&mut desk, "Invoice for Ann Lee", "", ann);
    let v = desk.version(invoice);
    desk.store
        .set_subject(dana, invoice, v, "Invoice copy for Ann Lee")
        .unwrap();

    desk.at(2 * DAY);
    let moved = raise(
        &mut desk,
        "Wrong account",
        "Filed under Ann by mistake",
        ann,
    );
    let v = desk.version(moved);
    desk.store.set_customer(dana, moved, v, Some(bob)).unwrap();
    let v = desk.version(moved);
    desk.act(sam)
        .set_status(sam, moved, v, Status::Closed)
        .unwrap();

    desk.at(3 * DAY);
    let bobs = raise(&mut desk, "Bob's own ticket", "Bob's words", bob);
    desk.act(sam)
        .add_message(sam, bobs, Direction::Outbound, "Hello Bob")
        .unwrap();
    desk.at(3 * DAY + 120);
    Fixture {
        desk,
        sam,
        ann,
        bob,
        printer,
        invoice,
        moved,
        bobs,
    }
}

/// Tickets matching a search box entry.
fn search(desk: &Desk, text: &str) -> Vec<TicketNumber> {
    let page = desk
        .store
        .list_tickets(&ListRequest {
            filter: TicketFilter {
                text: text.to_owned(),
                ..TicketFilter::default()
            },
            limit: 100,
            ..ListRequest::default()
        })
        .unwrap();
    let mut numbers: Vec<TicketNumber> = page.rows.iter().map(|r| r.number).collect();
    numbers.sort();
    numbers
}

/// Every report the Analytics window offers, at the desk's clock, in UTC.
fn reports(desk: &Desk) -> Vec<(String, Report)> {
    let now = desk.clock.now();
    let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
    [
        PeriodChoice::Today,
        PeriodChoice::Last7d,
        PeriodChoice::Last30d,
        PeriodChoice::ThisMonth,
        PeriodChoice::LastMonth,
        PeriodChoice::Custom {
            from: day(4),
            to: day(5),
        },
        PeriodChoice::Custom {
            from: day(6),
            to: day(7),
        },
    ]
    .into_iter()
    .map(|choice| {
        let period = Period::resolve(choice, now, &Utc).unwrap();
        (format!("{choice:?}"), desk.store.report(&period).unwrap())
    })
    .collect()
}

/// The parts of a ticket an erasure must not touch.
fn kept(t: &TicketDetail) -> impl PartialEq + std::fmt::Debug {
    (
        t.number,
        t.status,
        t.priority,
        t.customer.as_ref().map(|c| c.id),
        t.assignees.clone(),
        t.tags.clone(),
        (
            t.created,
            t.first_reply,
            t.resolved,
            t.resolved_by,
            t.closed,
        ),
        t.csat,
        t.messages
            .iter()
            .map(|m| (m.id, m.direction, m.at, m.author.as_ref().map(|a| a.id)))
            .collect::<Vec<_>>(),
        t.notes
            .iter()
            .map(|n| (n.id, n.created))
            .collect::<Vec<_>>(),
    )
}

/// The trail without the erasure's own entries, as (kind, actor).
fn trail_without_erasure(t: &TicketDetail) -> Vec<(ActivityKind, Option<AgentId>)> {
    t.activity
        .iter()
        .filter(|e| !matches!(e.kind, ActivityKind::CustomerErased { .. }))
        .map(|e| (e.kind.clone(), e.actor))
        .collect()
}

on_both_engines_with! {
    fn erasing_replaces_the_customers_data_and_keeps_their_tickets(engine: Engine) {
        let mut f = fixture(engine);
        let before: Vec<TicketDetail> = [f.printer, f.invoice, f.moved, f.bobs]
            .iter()
            .map(|&n| f.desk.load(n))
            .collect();

        let summary = f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
        assert_eq!(summary.tickets, [f.printer, f.invoice, f.moved]);
        assert_eq!(summary.messages, 3, "both of Ann's messages and the reply");
        let said = "Erased the personal data of Erased customer #1: 3 tickets, 3 messages";
        if engine == Engine::File {
            assert!(summary.file_cleared);
            assert_eq!(summary.to_string(), said);
        } else {
            assert!(summary.on_server);
            assert_eq!(
                summary.to_string(),
                format!("{said}. The server removes the old row versions at its next vacuum (autovacuum does so by itself; its owner can run VACUUM now)")
            );
        }

        let ann = f.desk.store.customer(f.ann).unwrap();
        assert_eq!(
            (ann.name.as_str(), ann.email.as_str(), ann.company.as_str()),
            ("Erased customer #1", "", "")
        );
        assert!(ann.tags.is_empty(), "customer tags describe the person");
        assert_eq!(f.desk.store.customer(f.bob).unwrap().name, "Bob Stone");

        let printer = f.desk.load(f.printer);
        assert_eq!(kept(&printer), kept(&before[0]));
        assert_eq!(printer.description, ERASED);
        assert!(printer.messages.iter().all(|m| m.body == ERASED));
        assert_eq!(printer.notes.len(), 1);
        assert_eq!(printer.notes[0].body, "[erased] called twice about this");
        assert_eq!(
            printer.subject, "Printer on fire",
            "subjects are the team's"
        );
        let entry = &printer.activity[0];
        assert_eq!(
            entry.kind,
            ActivityKind::CustomerErased {
                by: f.desk.dana,
                name: "Dana".to_owned()
            }
        );
        assert_eq!(entry.sentence(), "Dana erased the customer's personal data");
        assert_eq!(entry.actor, None, "an erasure is no agent event");
        // Everything else in the trail is as it was, who did it included; the
        // deleted note's text loses Ann's name.
        let mut expected = trail_without_erasure(&before[0]);
        for (kind, _) in &mut expected {
            if let ActivityKind::NoteDeleted { text, .. } = kind {
                *text = "[erased] wants a refund".to_owned();
            }
        }
        assert_eq!(trail_without_erasure(&printer), expected);
        assert!(
            printer.version > before[0].version,
            "open edits must reload"
        );

        let invoice = f.desk.load(f.invoice);
        assert_eq!(kept(&invoice), kept(&before[1]));
        assert_eq!(invoice.subject, "Invoice copy for [erased]");
        assert_eq!(invoice.description, "", "an empty description stays empty");
        assert!(invoice.activity.iter().any(|e| e.kind
            == ActivityKind::SubjectEdited {
                from: "Invoice for [erased]".to_owned(),
                to: "Invoice copy for [erased]".to_owned(),
            }));

        // The ticket moved to Bob keeps its text, but not Ann's name in its trail.
        let moved = f.desk.load(f.moved);
        assert_eq!(kept(&moved), kept(&before[2]));
        assert_eq!(moved.description, "Filed under Ann by mistake");
        assert!(moved.activity.iter().any(|e| e.kind
            == ActivityKind::CustomerChanged {
                from: Some(erased_name(f.ann)),
                to: Some("Bob Stone".to_owned()),
            }));
        assert!(matches!(
            moved.activity[0].kind,
            ActivityKind::CustomerErased { .. }
        ));

        assert_eq!(f.desk.load(f.bobs), before[3], "Bob's ticket is untouched");
    }
}

on_both_engines_with! {
    fn search_finds_none_of_the_old_text(engine: Engine) {
        let mut f = fixture(engine);
        let ann_tickets = vec![f.printer, f.invoice];
        assert_eq!(search(&f.desk, "Ann"), ann_tickets);
        assert_eq!(search(&f.desk, "quillfeather"), ann_tickets);
        assert_eq!(search(&f.desk, ANN_EMAIL), ann_tickets);
        assert_eq!(f.desk.store.find_customers("ann", 10).unwrap().len(), 1);

        f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
        for text in [
            "Ann",
            "Lee",
            "ann lee",
            "quillfeather",
            ANN_EMAIL,
            "ann.lee",
            "ann.lee@",
        ] {
            assert_eq!(search(&f.desk, text), [], "searching {text:?}");
            assert!(
                f.desk.store.find_customers(text, 10).unwrap().is_empty(),
                "customers matching {text:?}"
            );
        }
        // What stays is still found.
        assert_eq!(search(&f.desk, "printer"), [f.printer]);
        assert_eq!(search(&f.desk, "Erased customer"), ann_tickets);
        assert_eq!(search(&f.desk, "Bob"), [f.moved, f.bobs]);
        let found = f.desk.store.find_customers("erased", 10).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, f.ann);
    }
}

on_both_engines_with! {
    fn analytics_are_the_same_before_and_after(engine: Engine) {
        let mut f = fixture(engine);
        let before = reports(&f.desk);
        let count_before = f
            .desk
            .store
            .count_tickets(&TicketFilter::default())
            .unwrap();
        // The erasing agent did nothing else today: were the erasure an agent
        // event, Top Agents and handled counts would move.
        f.desk.act(f.sam).erase_customer(f.sam, f.ann).unwrap();
        let after = reports(&f.desk);
        for ((name, b), (_, a)) in before.iter().zip(&after) {
            assert_eq!(a, b, "the {name} report changed");
        }
        assert_eq!(
            f.desk
                .store
                .count_tickets(&TicketFilter::default())
                .unwrap(),
            count_before
        );
        assert_eq!(
            f.desk
                .store
                .count_tickets(&TicketFilter {
                    customer: Some(f.ann),
                    ..TicketFilter::default()
                })
                .unwrap(),
            2,
            "the tickets still belong to the (erased) customer"
        );
    }
}

on_both_engines_with! {
    fn a_failure_midway_leaves_everything_as_it_was(engine: Engine) {
        let mut f = fixture(engine);
        let before: Vec<TicketDetail> = [f.printer, f.invoice, f.moved]
            .iter()
            .map(|&n| f.desk.load(n))
            .collect();
        let rows = f.desk.activity_rows();
        // Fails on the last step, after messages, the customer and the trail
        // (its append-only guard set aside) were written.
        f.desk.fail_erasures(true);
        let err = f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap_err();
        assert!(err.to_string().contains("the disk is full"), "{err}");

        let ann = f.desk.store.customer(f.ann).unwrap();
        assert_eq!(
            (ann.name.as_str(), ann.email.as_str(), ann.tags.clone()),
            (ANN, ANN_EMAIL, vec!["vip".to_owned()])
        );
        for (ticket, was) in before.iter().map(|t| (f.desk.load(t.number), t)) {
            assert_eq!(&ticket, was);
        }
        assert_eq!(f.desk.activity_rows(), rows);
        assert_eq!(search(&f.desk, "Ann"), [f.printer, f.invoice]);
        // The trail is append-only still.
        assert_trail_is_append_only(&f.desk);

        f.desk.fail_erasures(false);
        let summary = f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
        assert_eq!(summary.tickets.len(), 3);
        // The guard is back after a successful erasure too.
        assert_trail_is_append_only(&f.desk);
    }
}

on_both_engines_with! {
    /// Whole words only, in any case (accented capitals too), as on a file:
    /// a name that starts the customer's email, a subject at its length
    /// limit, and words that merely contain the name.
    fn whole_words_in_any_case_go_and_nothing_else(engine: Engine) {
        let mut desk = Desk::on(engine).expect("a desk on this engine");
        let dana = desk.dana;
        let sam = customer(&mut desk, "Sam", "samantha@x.io", "");
        let emile = customer(&mut desk, "Émile Zola", "", "");
        let long = format!("{} Sam", "x".repeat(196));
        assert_eq!(long.chars().count(), 200);
        let first = raise(&mut desk, &long, "", sam);
        desk.store
            .add_note(dana, first, "Call samantha@x.io now, Sam said; Samuel and SAM too")
            .unwrap();
        let second = raise(&mut desk, "From ÉMILE ZOLA", "", emile);
        desk.store
            .add_note(dana, second, "ÉMILE ZOLA wrote; émile zolas and émile zola again")
            .unwrap();

        desk.store.erase_customer(dana, sam).unwrap();
        desk.store.erase_customer(dana, emile).unwrap();
        let first = desk.load(first);
        assert_eq!(first.subject, format!("{} [er", "x".repeat(196)));
        assert_eq!(
            first.notes[0].body,
            "Call [erased] now, [erased] said; Samuel and [erased] too"
        );
        let second = desk.load(second);
        assert_eq!(second.subject, "From [erased]");
        assert_eq!(
            second.notes[0].body,
            "[erased] wrote; émile zolas and [erased] again"
        );
    }
}

/// Rewriting the trail directly is refused (on a server even to its owner).
fn assert_trail_is_append_only(desk: &Desk) {
    let refusal = match desk.engine {
        Engine::File => desk
            .raw()
            .execute("UPDATE activity SET old_value = 'x'", [])
            .unwrap_err()
            .to_string(),
        Engine::Server => desk
            .raw_server()
            .execute("UPDATE tickets.activity SET old_value = '\"x\"'", &[])
            .unwrap_err()
            .as_db_error()
            .expect("a refusal from the server")
            .message()
            .to_owned(),
    };
    assert!(refusal.contains("append-only"), "{refusal}");
}

/// Where `needle` occurs in the database file or the files beside it.
fn traces(path: &std::path::Path, needle: &str) -> Vec<String> {
    std::iter::once(path.to_path_buf())
        .chain(sidecars(path))
        .filter(|path| {
            std::fs::read(path)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
        })
        .map(|path| path.display().to_string())
        .collect()
}

#[test]
fn the_old_text_is_gone_from_the_file() {
    // With a note about Ann deleted before the erasure: the store zeroes
    // what it deletes in the ordinary course (`PRAGMA secure_delete = FAST`),
    // so the deleted text is not left in free space for the erasure to miss.
    let mut f = fixture_with(Engine::File, true);
    // Planner statistics keep sample keys (names among them) in the file.
    f.desk.store.analyze().unwrap();
    let needles = [
        DESCRIPTION_WORD,
        MESSAGE_WORD,
        LONG_MESSAGE_WORD,
        "12 Elm Street",
        COMPANY,
        "quillfeather",
        ANN,
        "ann lee",
        ANN_EMAIL,
        "unplug",
    ];
    for needle in needles {
        assert!(
            !traces(&f.desk.path, needle).is_empty(),
            "{needle:?} should be in the file before"
        );
    }
    f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
    for needle in needles {
        assert_eq!(
            traces(&f.desk.path, needle),
            Vec::<String>::new(),
            "{needle:?}"
        );
    }
    // Still a sound database.
    let ok: String = f
        .desk
        .raw()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    f.desk
        .raw()
        .execute_batch(
            "INSERT INTO ticket_search(ticket_search) VALUES ('integrity-check');
             INSERT INTO customer_search(customer_search) VALUES ('integrity-check');",
        )
        .unwrap();
}

#[test]
fn a_reader_elsewhere_is_reported_and_the_text_goes_when_it_closes() {
    let mut f = fixture_with(Engine::File, false);
    // Another window in the middle of reading an older snapshot.
    let elsewhere = f.desk.raw();
    elsewhere.execute_batch("BEGIN").unwrap();
    let _: i64 = elsewhere
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    // The checkpoint waits for it (the store's busy timeout), then gives up.
    let summary = f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
    assert!(!summary.file_cleared);
    assert!(
        summary
            .to_string()
            .ends_with("once every window on it has closed"),
        "{summary}"
    );
    assert!(
        !traces(&f.desk.path, MESSAGE_WORD).is_empty(),
        "still in the log"
    );
    elsewhere.execute_batch("COMMIT").unwrap();
    drop(elsewhere);
    // The last connection to close empties the log into the file.
    let Desk {
        store, path, dir, ..
    } = f.desk;
    drop(store);
    assert_eq!(traces(&path, MESSAGE_WORD), Vec::<String>::new());
    drop(dir);
}

on_both_engines_with! {
    fn erasing_twice_is_harmless(engine: Engine) {
        let mut f = fixture(engine);
        f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
        let tickets = [f.printer, f.invoice, f.moved, f.bobs];
        let once: Vec<TicketDetail> = tickets.iter().map(|&n| f.desk.load(n)).collect();
        let rows = f.desk.activity_rows();

        let again = f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
        assert_eq!(again.tickets, []);
        assert_eq!(again.messages, 0);
        assert_eq!(
            again.to_string(),
            "Erased customer #1 had no personal data left to erase"
        );
        let twice: Vec<TicketDetail> = tickets.iter().map(|&n| f.desk.load(n)).collect();
        assert_eq!(twice, once);
        assert_eq!(f.desk.activity_rows(), rows);

        // A message recorded after the erasure is erased by the next one.
        f.desk.at(4 * DAY);
        f.desk
            .store
            .add_message(f.desk.dana, f.printer, Direction::Inbound, "I am back")
            .unwrap();
        let third = f.desk.store.erase_customer(f.desk.dana, f.ann).unwrap();
        assert_eq!((third.tickets, third.messages), (vec![f.printer], 1));
        assert!(
            f.desk
                .load(f.printer)
                .messages
                .iter()
                .all(|m| m.body == ERASED)
        );
    }
}

on_both_engines_with! {
    fn unknown_customers_and_agents_are_refused_and_nothing_is_written(engine: Engine) {
        let mut f = fixture(engine);
        let rows = f.desk.activity_rows();
        let err = f
            .desk
            .store
            .erase_customer(f.desk.dana, CustomerId(99))
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::NotFound {
                what: "customer",
                id: 99
            }
        ));
        assert_eq!(err.to_string(), "that customer no longer exists (id 99)");
        let err = f.desk.store.erase_customer(AgentId(99), f.ann).unwrap_err();
        if engine == Engine::File {
            assert_eq!(err.to_string(), "that agent no longer exists (id 99)");
        } else {
            assert!(matches!(err, StoreError::NotAllowed(_)), "{err:?}");
            assert!(err.to_string().contains("signed in (Dana)"), "{err}");
        }
        assert_eq!(f.desk.activity_rows(), rows);
        assert_eq!(f.desk.store.customer(f.ann).unwrap().name, ANN);
    }
}

/// How long erasing takes on a big database: a copy of the file named by
/// `TICKETS_ERASE_DB` (e.g. the benchmark's `target/bench/store-1000000.db`),
/// erasing the customer with the most tickets and one with the median number,
/// each twice. Prints the figures; run on request:
/// `TICKETS_ERASE_DB=target/bench/store-1000000.db cargo test --test store erase_timing -- --ignored --nocapture`.
#[test]
#[ignore = "needs a big database: TICKETS_ERASE_DB=target/bench/store-1000000.db, run with --ignored"]
fn erase_timing_on_a_big_database() {
    let source = std::env::var("TICKETS_ERASE_DB")
        .expect("TICKETS_ERASE_DB names the database to time erasures on");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    std::fs::copy(&source, &path).unwrap();
    let clock = crate::fixtures::fixed_clock();
    let mut store = crate::fixtures::open_store(&path, &clock);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let customers: i64 = raw
        .query_row("SELECT count(DISTINCT customer_id) FROM tickets", [], |r| {
            r.get(0)
        })
        .unwrap();
    let per_customer = |order: &str, offset: i64| -> (i64, i64) {
        raw.query_row(
            &format!(
                "SELECT customer_id, count(*) FROM tickets WHERE customer_id IS NOT NULL
                 GROUP BY customer_id ORDER BY count(*) {order}, customer_id LIMIT 1 OFFSET {offset}"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let agent = store.agents().unwrap()[0].id;
    // The customer with the most tickets, then one with the median number.
    for (what, (customer, tickets)) in [
        ("most", per_customer("DESC", 0)),
        ("median", per_customer("ASC", customers / 2)),
    ] {
        let start = std::time::Instant::now();
        let summary = store.erase_customer(agent, CustomerId(customer)).unwrap();
        println!(
            "{what}: erased customer {customer} ({tickets} tickets, {} messages) in {:.2?}; file cleared: {}",
            summary.messages,
            start.elapsed(),
            summary.file_cleared
        );
        assert_eq!(summary.tickets.len() as i64, tickets);
        assert!(summary.file_cleared);
        let start = std::time::Instant::now();
        let again = store.erase_customer(agent, CustomerId(customer)).unwrap();
        assert_eq!(again.tickets, []);
        println!(
            "{what}: erasing again: {:.2?} ({} tickets)",
            start.elapsed(),
            again.tickets.len()
        );
    }
}
