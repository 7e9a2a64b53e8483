//! Importing tickets from other help desks (issue 16), on both engines: what
//! an agent sees after an import (the ticket, its conversation, notes and
//! trail, the people it brought, its external id found by the search), what
//! importing the same file again does, what the dry run says, that imported
//! tickets count in the analytics, and that a batch is kept whole or not at
//! all.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use tickets::analytics::{Period, PeriodChoice};
use tickets::domain::sla::{SlaPolicy, Targets};
use tickets::domain::{
    ActivityKind, Direction, ExternalRef, ImportedComment, ImportedPerson, ImportedStatusChange,
    ImportedTicket, Priority, Status, TicketNumber,
};
use tickets::store::import::{ImportPlan, ImportResult, Planned};
use tickets::store::{ListRequest, Sort, StoreError, TicketFilter};

use crate::fixtures::{Desk, imported_ticket};
use crate::on_both_engines;

/// `day` of February 2024 at `hour`:`minute` UTC (the fixtures' clock
/// stands on 4 March 2024).
fn feb(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 2, day, hour, minute, 0).unwrap()
}

fn person(email: &str, name: &str) -> ImportedPerson {
    ImportedPerson {
        email: email.to_owned(),
        name: name.to_owned(),
    }
}

/// A Zendesk ticket as a parser hands it over: raised by Marguerite on
/// 5 February at 10:00, nothing else said.
fn zendesk(id: &str, line: u64, subject: &str) -> ImportedTicket {
    imported_ticket(id, line, subject, feb(5, 10, 0))
}

/// The same ticket with its whole story: assigned to Sam (new to the
/// desk), a reply from Sam after two hours, a private note, the customer's
/// answer, and solved then closed by Sam.
fn with_history(id: &str, line: u64) -> ImportedTicket {
    let sam = person("Sam.Okafor@Example.com", "Sam Okafor");
    ImportedTicket {
        assignee: Some(sam.clone()),
        tags: vec!["oven".to_owned(), "Urgent-Fix".to_owned()],
        status: Status::Closed,
        updated_at: Some(feb(7, 9, 0)),
        comments: vec![
            ImportedComment {
                author: Some(sam.clone()),
                from_customer: false,
                public: true,
                body: "A technician comes tomorrow.".to_owned(),
                at: feb(5, 12, 0),
            },
            ImportedComment {
                author: Some(sam.clone()),
                from_customer: false,
                public: false,
                body: "Warranty expired in January.".to_owned(),
                at: feb(5, 12, 5),
            },
            ImportedComment {
                author: Some(person("marguerite@bakery.example", "")),
                from_customer: true,
                public: true,
                body: "Thank you!".to_owned(),
                at: feb(5, 13, 0),
            },
        ],
        status_changes: vec![
            ImportedStatusChange {
                at: feb(6, 10, 0),
                by: Some(sam.clone()),
                from: Some(Status::Open),
                to: Status::Resolved,
            },
            ImportedStatusChange {
                at: feb(7, 9, 0),
                by: Some(sam),
                from: Some(Status::Resolved),
                to: Status::Closed,
            },
        ],
        ..zendesk(id, line, "Oven broken")
    }
}

/// The one number of a batch's result that made or changed a ticket.
#[track_caller]
fn created(result: &ImportResult) -> TicketNumber {
    match result {
        ImportResult::Created(n) => *n,
        other => panic!("expected a ticket made, got {other:?}"),
    }
}

/// The tickets the list's search box finds for `text`.
fn search(desk: &Desk, text: &str) -> Vec<TicketNumber> {
    let filter = TicketFilter {
        text: text.to_owned(),
        ..TicketFilter::default()
    };
    desk.store
        .list_numbers(&ListRequest::all(&filter, Sort::default()))
        .unwrap()
}

on_both_engines! {
    fn a_ticket_comes_in_with_its_people_conversation_notes_and_trail(desk: Desk) {
        let dana = desk.dana;
        let results = desk
            .store
            .import_batch(dana, "zendesk", ("file-1", 2), &[with_history("12345", 2)])
            .unwrap();
        let n = created(&results[0]);
        let t = desk.store.load_ticket(n).unwrap();
        assert_eq!(t.subject, "Oven broken");
        assert_eq!(t.description, "The oven will not heat.");
        assert_eq!(t.status, Status::Closed);
        assert_eq!(t.created, feb(5, 10, 0), "created when the source raised it");
        let customer = t.customer.clone().expect("its customer");
        assert_eq!(
            (customer.name.as_str(), customer.email.as_str(), customer.company.as_str()),
            ("Marguerite Okafor", "marguerite@bakery.example", "Okafor Bakery")
        );
        // Sam was new: made an agent (active, so still assignable), and assigned.
        let sam = desk
            .store
            .agents()
            .unwrap()
            .into_iter()
            .find(|a| a.name == "Sam Okafor")
            .expect("Sam made an agent");
        assert!(sam.active);
        assert_eq!(sam.email, "sam.okafor@example.com");
        assert_eq!(t.assignees.iter().map(|a| a.id).collect::<Vec<_>>(), [sam.id]);
        let tags: Vec<&str> = t.tags.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(tags, ["oven", "Urgent-Fix"], "as the source wrote them");

        // Public comments are the conversation, each by its author at its time.
        let conversation: Vec<_> = t
            .messages
            .iter()
            .map(|m| (m.direction, m.body.as_str(), m.at, m.author.as_ref().map(|a| a.id)))
            .collect();
        assert_eq!(
            conversation,
            [
                (Direction::Outbound, "A technician comes tomorrow.", feb(5, 12, 0), Some(sam.id)),
                (Direction::Inbound, "Thank you!", feb(5, 13, 0), None),
            ]
        );
        // The private one is an internal note.
        assert_eq!(t.notes.len(), 1);
        assert_eq!(t.notes[0].body, "Warranty expired in January.");
        assert_eq!(t.notes[0].author.as_ref().map(|a| a.id), Some(sam.id));

        // The analytics moments come from the history.
        assert_eq!(t.first_reply, Some(feb(5, 12, 0)));
        assert_eq!(t.resolved, Some(feb(6, 10, 0)));
        assert_eq!(t.resolved_by, Some(sam.id));
        assert_eq!(t.closed, Some(feb(7, 9, 0)));

        // The status history is the trail's, by Sam, at its times.
        let mut moves: Vec<_> = t
            .activity
            .iter()
            .filter_map(|e| match e.kind {
                ActivityKind::StatusChanged { from, to } => Some((e.at, e.actor, from, to)),
                _ => None,
            })
            .collect();
        moves.reverse();
        assert_eq!(
            moves,
            [
                (feb(6, 10, 0), Some(sam.id), Status::Open, Status::Resolved),
                (feb(7, 9, 0), Some(sam.id), Status::Resolved, Status::Closed),
            ]
        );
        let created_entry = t.activity.last().expect("the first entry");
        assert_eq!((created_entry.at, &created_entry.kind), (feb(5, 10, 0), &ActivityKind::Created));

        // Its id in the source is shown, and found by the search.
        assert_eq!(
            t.external_refs,
            [ExternalRef { source: "zendesk".to_owned(), external_id: "12345".to_owned() }]
        );
        assert_eq!(t.external_refs[0].label(), "Zendesk #12345");
        assert_eq!(search(&desk, "12345"), [n]);
        assert_eq!(search(&desk, "zendesk:12345"), [n]);
        assert_eq!(search(&desk, "freshdesk:12345"), Vec::<TicketNumber>::new());
    }

    fn importing_again_updates_instead_of_duplicating(desk: Desk) {
        let dana = desk.dana;
        let first = desk
            .store
            .import_batch(dana, "zendesk", ("file-1", 2), &[zendesk("77", 2, "Oven broken")])
            .unwrap();
        let n = created(&first[0]);
        // The same file again: nothing differs.
        let again = desk
            .store
            .import_batch(dana, "zendesk", ("file-2", 2), &[zendesk("77", 2, "Oven broken")])
            .unwrap();
        assert_eq!(again.tickets, [ImportResult::Unchanged(n)]);
        let before = desk.store.load_ticket(n).unwrap();

        // Later, the source has it solved, renamed, tagged and answered.
        let mut changed = zendesk("77", 2, "Oven broken again");
        changed.status = Status::Resolved;
        changed.solved_at = Some(feb(9, 16, 0));
        changed.tags = vec!["oven".to_owned()];
        changed.comments = vec![ImportedComment {
            author: Some(person("dana@example.com", "Dana")),
            from_customer: false,
            public: true,
            body: "Fixed: new thermostat.".to_owned(),
            at: feb(9, 15, 0),
        }];
        let updated = desk
            .store
            .import_batch(dana, "zendesk", ("file-3", 2), &[changed.clone()])
            .unwrap();
        assert_eq!(updated.tickets, [ImportResult::Updated(n)]);
        let t = desk.store.load_ticket(n).unwrap();
        assert_eq!(t.subject, "Oven broken again");
        assert_eq!(t.status, Status::Resolved);
        assert_eq!(t.resolved, Some(feb(9, 16, 0)), "resolved when the source solved it");
        assert_eq!(t.first_reply, Some(feb(9, 15, 0)));
        assert_eq!(t.messages.len(), 1);
        assert_eq!(t.messages[0].author.as_ref().map(|a| a.id), Some(dana), "Dana matched by email");
        assert!(t.version > before.version, "an edit moves the version on");
        let kinds: Vec<&ActivityKind> = t.activity.iter().map(|e| &e.kind).collect();
        assert!(kinds.contains(&&ActivityKind::SubjectEdited {
            from: "Oven broken".to_owned(),
            to: "Oven broken again".to_owned()
        }), "{kinds:?}");
        assert!(kinds.contains(&&ActivityKind::StatusChanged { from: Status::Open, to: Status::Resolved }));
        assert!(kinds.contains(&&ActivityKind::TagAdded { tag: "oven".to_owned() }));
        assert_eq!(search(&desk, "77"), [n], "still one ticket");

        // A tag written with a capital beyond ASCII is the same tag again.
        let mut umlaut = zendesk("78", 3, "Überfall gemeldet");
        umlaut.tags = vec!["Überfall".to_owned()];
        let made = desk
            .store
            .import_batch(dana, "zendesk", ("file-u1", 3), &[umlaut.clone()])
            .unwrap();
        let u = created(&made[0]);
        let again = desk
            .store
            .import_batch(dana, "zendesk", ("file-u2", 3), &[umlaut])
            .unwrap();
        assert_eq!(again.tickets, [ImportResult::Unchanged(u)], "“Überfall” is not added twice");

        // Once more: the comment is there already, nothing else differs.
        let third = desk
            .store
            .import_batch(dana, "zendesk", ("file-4", 2), &[changed])
            .unwrap();
        assert_eq!(third.tickets, [ImportResult::Unchanged(n)]);
        assert_eq!(desk.store.load_ticket(n).unwrap().messages.len(), 1);
    }

    fn a_refused_row_does_not_stop_the_batch(desk: Desk) {
        let dana = desk.dana;
        let mut no_subject = zendesk("2", 3, "  ");
        no_subject.created_at = feb(5, 11, 0);
        let mut no_id = zendesk(" ", 4, "No id");
        no_id.created_at = feb(5, 12, 0);
        let mut last = zendesk("3", 5, "Fine too");
        last.created_at = feb(5, 13, 0);
        let results = desk
            .store
            .import_batch(dana, "zendesk", ("file", 5), &[zendesk("1", 2, "Fine"), no_subject, no_id, last])
            .unwrap();
        assert!(matches!(results[0], ImportResult::Created(_)));
        match &results[1] {
            ImportResult::Refused(why) => assert!(why.contains("Subject"), "{why}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        match &results[2] {
            ImportResult::Refused(why) => assert!(why.contains("no id"), "{why}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(matches!(results[3], ImportResult::Created(_)));
        assert_eq!(desk.store.count_tickets(&TicketFilter::default()).unwrap(), 2);

        // Older than what is here already: refused, saying why.
        let mut older = zendesk("4", 6, "From January");
        older.created_at = Utc.with_ymd_and_hms(2024, 1, 10, 9, 0, 0).unwrap();
        match &desk.store.import_batch(dana, "zendesk", ("file", 6), &[older]).unwrap()[0] {
            ImportResult::Refused(why) => assert!(why.contains("before tickets already here"), "{why}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(desk.store.count_tickets(&TicketFilter::default()).unwrap(), 2);
    }

    fn people_are_matched_ignoring_case_and_made_when_new(desk: Desk) {
        let dana = desk.dana;
        let known = desk
            .store
            .add_customer(&tickets::domain::NewCustomer {
                name: "Marguerite O.".to_owned(),
                email: "Marguerite@Bakery.example".to_owned(),
                company: String::new(),
            })
            .unwrap();
        let mut by_email = zendesk("1", 2, "Known by email");
        by_email.assignee = Some(person("DANA@EXAMPLE.COM", "Someone else"));
        let mut by_name = zendesk("2", 3, "Known by name");
        by_name.created_at = feb(5, 11, 0);
        by_name.customer = person("", "Kofi Mensah");
        let mut again_by_name = zendesk("3", 4, "Kofi again");
        again_by_name.created_at = feb(5, 12, 0);
        again_by_name.customer = person("", "KOFI MENSAH");
        let results = desk
            .store
            .import_batch(dana, "zendesk", ("file", 4), &[by_email, by_name, again_by_name])
            .unwrap();
        let first = desk.store.load_ticket(created(&results[0])).unwrap();
        assert_eq!(first.customer.as_ref().map(|c| c.id), Some(known), "the customer there already");
        assert_eq!(first.assignees.iter().map(|a| a.id).collect::<Vec<_>>(), [dana]);
        let second = desk.store.load_ticket(created(&results[1])).unwrap();
        let third = desk.store.load_ticket(created(&results[2])).unwrap();
        let kofi = second.customer.expect("Kofi made a customer");
        assert_eq!((kofi.name.as_str(), kofi.email.as_str()), ("Kofi Mensah", ""));
        assert_eq!(third.customer.map(|c| c.id), Some(kofi.id), "made once");
        assert_eq!(desk.store.agents().unwrap().len(), 1, "no agent made for Dana");
    }

    fn imported_tickets_count_in_the_period_report(desk: Desk) {
        let dana = desk.dana;
        // One with its history; one with only the source's times.
        let mut bare = zendesk("2", 3, "Printer jam");
        bare.created_at = feb(8, 9, 0);
        bare.status = Status::Resolved;
        bare.first_reply_at = Some(feb(8, 10, 0));
        bare.solved_at = Some(feb(8, 13, 0));
        let results = desk
            .store
            .import_batch(dana, "zendesk", ("file", 3), &[with_history("1", 2), bare])
            .unwrap();
        let bare_n = created(&results[1]);
        let t = desk.store.load_ticket(bare_n).unwrap();
        assert_eq!((t.first_reply, t.resolved), (Some(feb(8, 10, 0)), Some(feb(8, 13, 0))));

        let day = |d| NaiveDate::from_ymd_opt(2024, 2, d).unwrap();
        let february = Period::resolve(
            PeriodChoice::Custom { from: day(1), to: day(29) },
            feb(29, 12, 0) + Duration::days(4),
            &Utc,
        )
        .unwrap();
        let r = desk.store.report(&february).unwrap();
        assert_eq!(r.created, 2);
        assert_eq!(r.closed, 1);
        assert_eq!(r.open, 0);
        assert_eq!(r.first_response.count, 2);
        // 2 h and 1 h to the first reply.
        assert_eq!(r.first_response.total_ms, 3 * 3_600_000);
        assert_eq!(r.resolution.count, 2);
        // 24 h (solved on the 6th at 10:00) and 4 h.
        assert_eq!(r.resolution.total_ms, 28 * 3_600_000);
        // Sam resolved one and sent one first reply; the source's bare
        // times credit nobody.
        let sam = desk
            .store
            .agents()
            .unwrap()
            .into_iter()
            .find(|a| a.name == "Sam Okafor")
            .unwrap();
        let row = r.agents.iter().find(|a| a.agent == sam.id).expect("Sam's row");
        assert_eq!(row.resolved(), 1);
        assert_eq!(row.first_responses(), 1);
        // At the end of 5 February both were in the backlog: the first open,
        // the second not yet raised.
        let fifth = Period::resolve(
            PeriodChoice::Custom { from: day(5), to: day(5) },
            feb(29, 12, 0),
            &Utc,
        )
        .unwrap();
        let r = desk.store.report(&fifth).unwrap();
        assert_eq!((r.created, r.open, r.closed), (1, 1, 0));
    }

    fn a_batch_and_its_checkpoint_are_kept_whole_or_not_at_all(desk: Desk) {
        let dana = desk.dana;
        assert_eq!(desk.store.import_checkpoint("file").unwrap(), None);
        let mut second = zendesk("2", 3, "Second");
        second.created_at = feb(5, 11, 0);
        desk.store
            .import_batch(dana, "zendesk", ("file", 3), &[zendesk("1", 2, "First"), second])
            .unwrap();
        assert_eq!(desk.store.import_checkpoint("file").unwrap(), Some(3));

        // A batch whose checkpoint goes back fails after its tickets were
        // written: nothing of it stays, neither its tickets nor its people.
        let mut third = zendesk("3", 2, "Third");
        third.created_at = feb(5, 12, 0);
        third.customer = person("new@example.org", "New Person");
        third.assignee = Some(person("kim@example.com", "Kim"));
        match desk.store.import_batch(dana, "zendesk", ("file", 2), &[third.clone()]) {
            Err(StoreError::NotAllowed(why)) => assert!(why.contains("line 3"), "{why}"),
            other => panic!("expected the batch refused, got {other:?}"),
        }
        assert_eq!(desk.store.count_tickets(&TicketFilter::default()).unwrap(), 2);
        assert!(search(&desk, "3").is_empty(), "no reference kept");
        assert!(desk.store.find_customers("new@example.org", 10).unwrap().is_empty());
        assert_eq!(desk.store.agents().unwrap().len(), 1, "Kim not made");
        assert_eq!(desk.store.import_checkpoint("file").unwrap(), Some(3));

        // Resumed after the checkpoint, it goes in; finished, it is forgotten.
        third.line = 4;
        let results = desk.store.import_batch(dana, "zendesk", ("file", 4), &[third]).unwrap();
        assert!(matches!(results[0], ImportResult::Created(_)));
        assert_eq!(desk.store.import_checkpoint("file").unwrap(), Some(4));
        desk.store.finish_import(dana, "file").unwrap();
        assert_eq!(desk.store.import_checkpoint("file").unwrap(), None);
    }

    fn the_dry_run_says_what_the_import_does_across_batches(desk: Desk) {
        let dana = desk.dana;
        desk.store
            .import_batch(
                dana,
                "zendesk",
                ("before", 3),
                &[zendesk("1", 2, "Oven broken"), zendesk("9", 3, "Fridge humming")],
            )
            .unwrap();
        let fridge = search(&desk, "9")[0];
        let existing = search(&desk, "zendesk:1")[0];
        let mut renamed = zendesk("1", 2, "Oven still broken");
        renamed.created_at = feb(5, 10, 0);
        let mut new_one = with_history("2", 3);
        new_one.created_at = feb(5, 11, 0);
        let mut bad = zendesk("3", 4, "");
        bad.created_at = feb(5, 12, 0);
        let batch1 = vec![renamed, new_one, bad, zendesk("9", 5, "Fridge humming")];
        // The second batch names Sam and a new customer again, and a new agent.
        let mut later = with_history("4", 6);
        later.created_at = feb(6, 9, 0);
        later.customer = person("kofi@example.org", "Kofi");
        let mut kim_assigned = zendesk("5", 7, "Kim's");
        kim_assigned.created_at = feb(6, 10, 0);
        kim_assigned.customer = person("kofi@example.org", "Kofi");
        kim_assigned.assignee = Some(person("kim@example.com", "Kim"));
        let batch2 = vec![later, kim_assigned];

        let tickets_before = desk.store.count_tickets(&TicketFilter::default()).unwrap();
        let mut plan = ImportPlan::default();
        let p1 = desk.store.import_plan("zendesk", &batch1, &mut plan).unwrap();
        let p2 = desk.store.import_plan("zendesk", &batch2, &mut plan).unwrap();
        assert_eq!(desk.store.count_tickets(&TicketFilter::default()).unwrap(), tickets_before, "a dry run writes nothing");
        let planned: Vec<&Planned> = p1.iter().chain(&p2).map(|r| &r.planned).collect();
        assert_eq!(planned[0], &Planned::Update(Some(existing)));
        assert_eq!(planned[1], &Planned::Create);
        assert!(matches!(planned[2], Planned::Refused(why) if why.contains("Subject")));
        assert_eq!(planned[3], &Planned::Unchanged(fridge));
        assert_eq!((planned[4], planned[5]), (&Planned::Create, &Planned::Create));
        assert_eq!(p1[1].new_agents, ["Sam Okafor"], "by the name they would have");
        assert!(p1[1].new_customers.is_empty(), "Marguerite is here already");
        assert!(p2[0].new_agents.is_empty(), "Sam is new once per dry run");
        assert_eq!(p2[0].new_customers, ["kofi@example.org"]);
        assert!(p2[1].new_customers.is_empty());
        assert_eq!(p2[1].new_agents, ["Kim"]);
        assert_eq!((p1[2].line, p1[2].external_id.as_str()), (4, "3"));

        // The import does what the dry run said.
        let w1 = desk.store.import_batch(dana, "zendesk", ("file", 5), &batch1).unwrap();
        let w2 = desk.store.import_batch(dana, "zendesk", ("file", 7), &batch2).unwrap();
        assert_eq!((w1.new_agents.as_slice(), w1.new_customers), (&["Sam Okafor".to_owned()][..], 0));
        assert_eq!((w2.new_agents.as_slice(), w2.new_customers), (&["Kim".to_owned()][..], 1));
        for (plan, done) in p1.iter().chain(&p2).zip(w1.iter().chain(w2.iter())) {
            let agree = match (&plan.planned, done) {
                (Planned::Create, ImportResult::Created(_)) => true,
                (Planned::Update(Some(a)), ImportResult::Updated(b)) => a == b,
                (Planned::Unchanged(a), ImportResult::Unchanged(b)) => a == b,
                (Planned::Refused(a), ImportResult::Refused(b)) => a == b,
                _ => false,
            };
            assert!(agree, "line {}: planned {:?}, did {done:?}", plan.line, plan.planned);
        }
        let agents: Vec<String> = desk.store.agents().unwrap().into_iter().map(|a| a.email).collect();
        assert_eq!(agents.len(), 3, "{agents:?}");
    }

    fn imported_tickets_get_due_times_like_any_other(desk: Desk) {
        let dana = desk.dana;
        let mut policy = SlaPolicy::default();
        policy.targets[Priority::Urgent.code() as usize] = Targets {
            first_reply_minutes: Some(60),
            resolution_minutes: Some(4 * 60),
        };
        desk.store.set_sla_policy(dana, &policy).unwrap();
        // Raised on 5 February, never answered: its first reply was due an
        // hour later, long past.
        let mut unanswered = zendesk("1", 2, "Site down");
        unanswered.priority = Priority::Urgent;
        let n = created(&desk.store.import_batch(dana, "zendesk", ("file", 2), &[unanswered.clone()]).unwrap()[0]);
        while desk.store.refresh_due().unwrap() > 0 {}
        let breached = TicketFilter { breached: true, ..TicketFilter::default() };
        let request = ListRequest::all(&breached, Sort::default());
        assert_eq!(desk.store.list_numbers(&request).unwrap(), [n]);
        assert_eq!(desk.store.rows(&[n]).unwrap()[0].due, Some(feb(5, 11, 0)));

        // Imported again, answered and solved in time: nothing is due.
        unanswered.status = Status::Resolved;
        unanswered.solved_at = Some(feb(5, 10, 40));
        unanswered.comments = vec![ImportedComment {
            author: Some(person("dana@example.com", "")),
            from_customer: false,
            public: true,
            body: "Back up.".to_owned(),
            at: feb(5, 10, 30),
        }];
        let again = desk.store.import_batch(dana, "zendesk", ("file-2", 2), &[unanswered]).unwrap();
        assert_eq!(again.tickets, [ImportResult::Updated(n)]);
        while desk.store.refresh_due().unwrap() > 0 {}
        assert!(desk.store.list_numbers(&request).unwrap().is_empty());
        assert_eq!(desk.store.rows(&[n]).unwrap()[0].due, None);
    }

    fn on_a_team_server_only_an_admin_imports(desk: Desk) {
        let kim = desk.hire("Kim", "kim@example.com");
        let batch = [zendesk("1", 2, "Oven broken")];
        let plan = desk.act(kim).import_plan("zendesk", &batch, &mut ImportPlan::default());
        let by_kim = desk.act(kim).import_batch(kim, "zendesk", ("file", 2), &batch);
        if desk.url.is_some() {
            // The dry run says so already.
            match plan {
                Err(StoreError::NotAllowed(why)) => assert!(why.contains("only an admin"), "{why}"),
                other => panic!("expected a refusal, got {other:?}"),
            }
            match by_kim {
                Err(StoreError::NotAllowed(why)) => assert!(why.contains("only an admin"), "{why}"),
                other => panic!("expected a refusal, got {other:?}"),
            }
            assert_eq!(desk.store.count_tickets(&TicketFilter::default()).unwrap(), 0);
            assert_eq!(desk.store.import_checkpoint("file").unwrap(), None);
        } else {
            assert_eq!(plan.unwrap()[0].planned, Planned::Create);
            assert!(matches!(by_kim.unwrap()[0], ImportResult::Created(_)));
        }
        // Found by its words as any ticket is.
        let dana = desk.dana;
        desk.store.import_batch(dana, "zendesk", ("file", 3), &[zendesk("2", 3, "Freezer alarm")]).unwrap();
        assert_eq!(search(&desk, "freezer").len(), 1);
    }
}

on_both_engines! {
    fn imported_and_renamed_tickets_are_found_by_their_words(desk: Desk) {
        let dana = desk.dana;
        let mut oven = zendesk("1", 2, "Oven thermostat broken");
        oven.customer = person("marguerite@example.com", "Marguerite Duras");
        let kettle = zendesk("2", 3, "Kettle whistles");
        let made = desk
            .store
            .import_batch(dana, "zendesk", ("words", 3), &[oven.clone(), kettle])
            .unwrap();
        let (a, b) = (created(&made[0]), created(&made[1]));
        assert_eq!(search(&desk, "thermostat"), [a], "a new ticket's subject");
        assert_eq!(search(&desk, "duras"), [a], "its customer's name");
        assert_eq!(search(&desk, "kettle"), [b]);
        // The trail says the import made it, not "Someone".
        let trail: Vec<String> = desk
            .store
            .load_ticket(b)
            .unwrap()
            .activity
            .iter()
            .map(|e| e.sentence())
            .collect();
        assert_eq!(trail, ["The import created the ticket"]);
        // Renamed at the source and imported again: found by its new words only.
        oven.subject = "Oven door hinge".to_owned();
        desk.store
            .import_batch(dana, "zendesk", ("words-2", 2), &[oven])
            .unwrap();
        assert_eq!(search(&desk, "hinge"), [a]);
        assert!(search(&desk, "thermostat").is_empty());
        // A ticket made by hand afterwards is indexed as ever.
        let c = desk.ticket("Thermostat again");
        assert_eq!(search(&desk, "thermostat"), [c]);
    }
}

/// Hears an import: stops it at the first progress when `stop`.
struct Stopping {
    stop: bool,
    heard: u32,
}

impl tickets::import::pipeline::Heed for Stopping {
    fn progress(&mut self, _read: u64, _total: Option<u64>) -> bool {
        self.heard += 1;
        !self.stop
    }

    fn problem(&mut self, _problem: &tickets::import::RowProblem) {}
}

on_both_engines! {
    fn a_cancelled_import_keeps_whole_batches_and_resumes_where_it_stopped(desk: Desk) {
        use tickets::import::ImportOptions;
        use tickets::import::pipeline::import_in_batches;
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("zendesk.csv");
        let mut text = String::from("Id,Subject,Requester email,Status,Priority,Created at\n");
        for i in 1..=7 {
            text.push_str(&format!("{i},Ticket {i},c{i}@example.com,open,normal,2024-01-0{i} 10:00:00 +0000\n"));
        }
        std::fs::write(&csv, text).unwrap();
        let options = ImportOptions {
            format: Some(tickets::import::Format::ZendeskCsv),
            ..ImportOptions::default()
        };
        let dana = desk.dana;
        let mut stopping = Stopping { stop: true, heard: 0 };
        let first = import_in_batches(&mut desk.store, dana, &csv, &options, false, &mut stopping, 2).unwrap();
        assert!(first.cancelled);
        assert_eq!(first.created, 2, "the first batch of two, whole");
        assert_eq!(desk.store.count_tickets(&TicketFilter::default()).unwrap(), 2);
        assert!(first.summary().contains("resumes where this stopped"), "{}", first.summary());

        // The same file again: on from line 4, the first two not read again.
        let mut going = Stopping { stop: false, heard: 0 };
        let second = import_in_batches(&mut desk.store, dana, &csv, &options, false, &mut going, 2).unwrap();
        assert!(!second.cancelled);
        assert_eq!(second.resumed_after, Some(3));
        assert_eq!((second.created, second.unchanged), (5, 0));
        assert!(going.heard >= 3, "progress heard batch by batch");
        assert_eq!(desk.store.count_tickets(&TicketFilter::default()).unwrap(), 7);

        // Finished: a third time reads it all again, and changes nothing.
        let third = import_in_batches(&mut desk.store, dana, &csv, &options, false, &mut going, 2).unwrap();
        assert_eq!(third.resumed_after, None);
        assert_eq!((third.created, third.unchanged), (0, 7));
    }
}

/// A desk that imported tickets, moved into a team server, takes their
/// references along: the server's search finds them by their source ids,
/// and importing the same file there again changes nothing.
#[test]
fn references_move_with_a_desk_to_a_team_server() {
    let Some(server) = crate::fixtures::pg::shared() else {
        return;
    };
    let mut desk = Desk::new();
    let dana = desk.dana;
    let batch = [
        with_history("12345", 2),
        zendesk("777", 3, "Fridge humming"),
    ];
    desk.store
        .import_batch(dana, "zendesk", ("file", 3), &batch)
        .unwrap();
    let url = server.create_database(&crate::fixtures::pg::unique_name("moved"));
    let mut admin = tickets::store::server::TeamAdmin::connect(&url).unwrap();
    admin
        .init("Dana", "dana@example.com", crate::fixtures::t0())
        .unwrap();
    let moved = admin.import(&*desk.store, &mut |_, _| {}).unwrap();
    assert!(moved.tables.contains(&("ticket_refs", 2)), "{moved:?}");

    let mut team = tickets::store::Store::connect(&url, desk.clock.clone()).unwrap();
    let filter = TicketFilter {
        text: "zendesk:777".to_owned(),
        ..TicketFilter::default()
    };
    let found = team
        .list_numbers(&ListRequest::all(&filter, Sort::default()))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        team.load_ticket(found[0]).unwrap().subject,
        "Fridge humming"
    );
    let again = team
        .import_batch(dana, "zendesk", ("file-again", 3), &batch)
        .unwrap();
    assert!(
        again
            .iter()
            .all(|r| matches!(r, ImportResult::Unchanged(_))),
        "{again:?}"
    );
}

on_both_engines! {
    fn imported_tickets_sort_by_their_assignee_as_made_and_as_updated(desk: Desk) {
        let dana = desk.dana;
        let assigned = |id: &str, line: u64, who: Option<ImportedPerson>| ImportedTicket {
            assignee: who,
            ..zendesk(id, line, "Oven broken")
        };
        let zoe = person("zoe@example.com", "Zoe Zimmer");
        let abe = person("abe@example.com", "Abe Adams");
        let results = desk
            .store
            .import_batch(
                dana,
                "zendesk",
                ("file-1", 4),
                &[
                    assigned("1", 2, Some(zoe.clone())),
                    assigned("2", 3, Some(abe.clone())),
                    assigned("3", 4, None),
                ],
            )
            .unwrap();
        let [zoes, abes, nobodys] = [0, 1, 2].map(|i| created(&results[i]));
        let by_assignee = |desk: &Desk| {
            let sort = Sort {
                column: tickets::store::SortColumn::Assignee,
                descending: false,
            };
            desk.store
                .list_numbers(&ListRequest::all(&TicketFilter::default(), sort))
                .unwrap()
        };
        assert_eq!(by_assignee(&desk), [nobodys, abes, zoes], "unassigned first, then by name");

        // Imported again, the unassigned one now Abe's: it sorts with Abe's.
        desk.store
            .import_batch(dana, "zendesk", ("file-2", 2), &[assigned("3", 2, Some(abe))])
            .unwrap();
        let order = by_assignee(&desk);
        assert_eq!(order.last(), Some(&zoes), "{order:?}");
        assert_ne!(order.first(), Some(&nobodys), "{order:?}");
    }
}

on_both_engines! {
    fn a_large_batch_keeps_every_ticket_s_trail_whole_and_in_order(desk: Desk) {
        let dana = desk.dana;
        let alone = created(
            &desk
                .store
                .import_batch(dana, "zendesk", ("file-1", 2), &[with_history("1", 2)])
                .unwrap()[0],
        );
        // Far more entries than one statement writes, and a count that
        // leaves some over.
        let many: Vec<ImportedTicket> = (0..37).map(|i| with_history(&format!("x{i}"), i + 2)).collect();
        let results = desk
            .store
            .import_batch(dana, "zendesk", ("file-2", 38), &many)
            .unwrap();
        let trail = |n: TicketNumber| {
            let t = desk.store.load_ticket(n).unwrap();
            t.activity
                .iter()
                .map(|e| {
                    let kind = match &e.kind {
                        ActivityKind::MessageAttached { direction, .. } => format!("message {direction:?}"),
                        ActivityKind::NoteAdded { .. } => "note".to_owned(),
                        other => format!("{other:?}"),
                    };
                    (e.at, e.actor, kind)
                })
                .collect::<Vec<_>>()
        };
        let expected = trail(alone);
        assert!(expected.len() >= 8, "{expected:?}");
        for result in results.iter() {
            let n = created(result);
            assert_eq!(trail(n), expected, "ticket {n:?}");
            let t = desk.store.load_ticket(n).unwrap();
            assert!(t.messages.iter().all(|m| m.at >= t.created), "its own conversation");
        }
    }
}

on_both_engines! {
    fn an_id_twice_in_one_batch_makes_one_ticket_then_updates_it(desk: Desk) {
        let dana = desk.dana;
        let results = desk
            .store
            .import_batch(
                dana,
                "zendesk",
                ("file-1", 3),
                &[zendesk("55", 2, "Oven broken"), zendesk("55", 3, "Oven still broken")],
            )
            .unwrap();
        let n = created(&results[0]);
        assert_eq!(results[1], ImportResult::Updated(n), "{results:?}");
        assert_eq!(desk.store.load_ticket(n).unwrap().subject, "Oven still broken");
        assert_eq!(search(&desk, "zendesk:55"), [n], "one ticket");
    }
}

/// Hears an import: another desk adds a customer and an agent while it
/// runs (at the first batch's end).
struct Meanwhile {
    other: tickets::store::Store,
    added: bool,
}

impl tickets::import::pipeline::Heed for Meanwhile {
    fn progress(&mut self, _read: u64, _total: Option<u64>) -> bool {
        if !self.added {
            self.added = true;
            self.other
                .add_customer(&tickets::domain::NewCustomer {
                    name: "Walk-in".to_owned(),
                    email: "walk-in@example.com".to_owned(),
                    company: String::new(),
                })
                .unwrap();
        }
        true
    }

    fn problem(&mut self, _problem: &tickets::import::RowProblem) {}
}

on_both_engines! {
    fn an_import_counts_the_people_it_made_not_those_added_meanwhile(desk: Desk) {
        use tickets::import::ImportOptions;
        use tickets::import::pipeline::import_in_batches;
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("zendesk.csv");
        let mut text = String::from("Id,Subject,Requester email,Assignee,Status,Priority,Created at\n");
        for i in 1..=6 {
            // Three customers, each twice; two agents.
            let (customer, agent) = (i % 3, i % 2);
            text.push_str(&format!(
                "{i},Ticket {i},c{customer}@example.com,Agent {agent},open,normal,2024-01-0{i} 10:00:00 +0000\n"
            ));
        }
        std::fs::write(&csv, text).unwrap();
        let options = ImportOptions {
            format: Some(tickets::import::Format::ZendeskCsv),
            ..ImportOptions::default()
        };
        let mut meanwhile = Meanwhile { other: desk.second_store(), added: false };
        let dana = desk.dana;
        let report = import_in_batches(&mut desk.store, dana, &csv, &options, false, &mut meanwhile, 2).unwrap();
        assert!(meanwhile.added);
        assert_eq!(report.created, 6);
        assert_eq!(report.new_customers, 3, "{}", report.summary());
        let mut agents = report.new_agents.clone();
        agents.sort();
        assert_eq!(agents, ["Agent 0", "Agent 1"]);
    }
}

on_both_engines! {
    fn an_assignee_added_by_a_second_row_of_the_same_batch_keys_the_ticket(desk: Desk) {
        let dana = desk.dana;
        let assigned = |id: &str, line: u64, who: Option<ImportedPerson>| ImportedTicket {
            assignee: who,
            ..zendesk(id, line, "Oven broken")
        };
        let results = desk
            .store
            .import_batch(
                dana,
                "zendesk",
                ("file-1", 4),
                &[
                    assigned("1", 2, Some(person("abe@example.com", "Abe Adams"))),
                    assigned("77", 3, None),
                    assigned("77", 4, Some(person("zoe@example.com", "Zoe Zimmer"))),
                ],
            )
            .unwrap();
        let (abes, zoes) = (created(&results[0]), created(&results[1]));
        assert_eq!(results[2], ImportResult::Updated(zoes));
        let sort = Sort {
            column: tickets::store::SortColumn::Assignee,
            descending: false,
        };
        let order = desk
            .store
            .list_numbers(&ListRequest::all(&TicketFilter::default(), sort))
            .unwrap();
        assert_eq!(order, [abes, zoes], "Zoe's sorts after Abe's, not with the unassigned");
    }
}
