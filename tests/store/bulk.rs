//! Bulk actions (`Store::bulk_apply`, `bulk_undo`, `list_stamps`), on both
//! engines: each ticket changed in its own transaction with its own entry,
//! marked in the trail as part of the run; a ticket changed by someone else
//! since it was selected skipped and reported, never overwritten; a
//! cancelled run keeping what it did; an undo putting back each ticket's
//! own old value. Checked as an agent sees it: the ticket panel and the list.

use crate::fixtures::{Desk, Engine, pg::TestServer, t0};
use crate::on_both_engines;
use chrono::{DateTime, Utc};
use tickets::domain::{
    AgentId, BulkChange, BulkItem, BulkOutcome, BulkResult, Priority, Status, TicketNumber,
};
use tickets::store::{
    ChangeToken, ListRequest, Sort, SortColumn, Store, TicketFilter, restore_backup,
};

/// Oldest first.
const BY_NUMBER: Sort = Sort {
    column: SortColumn::Number,
    descending: false,
};

/// Every ticket of the desk with its last change, oldest first.
fn stamps(store: &Store) -> Vec<(TicketNumber, DateTime<Utc>)> {
    store
        .list_stamps(&ListRequest::all(&TicketFilter::default(), BY_NUMBER))
        .expect("list the stamps")
}

/// The same change for every ticket of the desk, as it is now.
fn all(store: &Store, change: BulkChange) -> Vec<BulkItem> {
    BulkItem::each(&stamps(store), &change)
}

/// Runs `items` as Dana, to the end.
fn run(desk: &mut Desk, description: &str, items: &[BulkItem]) -> BulkOutcome {
    let dana = desk.dana;
    desk.store
        .bulk_apply(dana, description, items, &mut |_, _| true)
        .expect("the bulk run")
}

/// The same change for every ticket of the desk, run as Dana.
fn run_all(desk: &mut Desk, description: &str, change: BulkChange) -> BulkOutcome {
    let items = all(&desk.store, change);
    run(desk, description, &items)
}

/// How many tickets the list shows under `filter`.
fn listed(desk: &Desk, filter: TicketFilter) -> u64 {
    desk.store.count_tickets(&filter).unwrap()
}

/// The trail's newest entry of a ticket, as the panel shows it.
fn last_entry(desk: &Desk, ticket: TicketNumber) -> String {
    desk.load(ticket).activity[0].sentence()
}

/// `n` tickets raised by Dana a minute apart from `t0`.
fn tickets(desk: &mut Desk, n: usize) -> Vec<TicketNumber> {
    (0..n)
        .map(|i| {
            desk.at(i as i64);
            desk.ticket(&format!("Printer {i} jams"))
        })
        .collect()
}

on_both_engines! {
    fn every_kind_of_change_reaches_each_ticket_with_a_bulk_mark(desk: Desk) {
        let sam = desk.hire("Sam Okafor", "sam@example.com");
        let numbers = tickets(&mut desk, 3);

        desk.at(10);
        let done = run_all(&mut desk, "set status to Waiting", BulkChange::Status(Status::Waiting));
        assert_eq!(done.changed(), numbers);
        assert!(!done.cancelled);
        for &n in &numbers {
            let d = desk.load(n);
            assert_eq!(d.status, Status::Waiting);
            assert_eq!(d.updated, crate::fixtures::at(10));
            assert_eq!(d.version, 2, "a status change moves the version on, as alone");
            assert_eq!(
                d.activity[0].sentence(),
                "Dana changed status from Open to Waiting (bulk change of 3 tickets)"
            );
            assert_eq!(d.activity[0].bulk.as_ref().map(|m| m.batch), Some(done.batch));
            assert_eq!(d.activity[1].sentence(), "Dana created the ticket", "no mark on its own");
        }
        // The list shows it too.
        let rows = desk.store.rows(&numbers).unwrap();
        assert!(rows.iter().all(|r| r.status == Status::Waiting && r.updated == crate::fixtures::at(10)));

        desk.at(11);
        run_all(&mut desk, "set priority to High", BulkChange::Priority(Priority::High));
        desk.at(12);
        run_all(&mut desk, "assign Sam Okafor", BulkChange::Assign(sam));
        desk.at(13);
        let tagged = run_all(&mut desk, "add the tag “vip”", BulkChange::AddTag("vip".into()));
        assert_eq!(tagged.changed().len(), 3);
        desk.at(14);
        run_all(&mut desk, "add an internal note", BulkChange::AddNote("Checked the printers".into()));
        for &n in &numbers {
            let d = desk.load(n);
            assert_eq!(d.priority, Priority::High);
            assert_eq!(d.assignees.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Sam Okafor"]);
            assert_eq!(d.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["vip"]);
            assert_eq!(d.notes.len(), 1);
            assert_eq!(d.notes[0].body, "Checked the printers");
            let trail: Vec<String> = d.activity.iter().take(4).map(|a| a.sentence()).collect();
            assert_eq!(
                trail,
                [
                    "Dana added an internal note (bulk change of 3 tickets)",
                    "Dana added the tag “vip” (bulk change of 3 tickets)",
                    "Dana assigned Sam Okafor (bulk change of 3 tickets)",
                    "Dana changed priority from Medium to High (bulk change of 3 tickets)",
                ]
            );
        }
        // The list's filters see the new assignee and tag.
        let vip = desk.store.tag_named("vip").unwrap().expect("the tag was made");
        assert_eq!(listed(&desk, TicketFilter { tags: vec![vip.id], ..TicketFilter::default() }), 3);
        assert_eq!(listed(&desk, TicketFilter { assignees: vec![sam], ..TicketFilter::default() }), 3);

        desk.at(15);
        run_all(&mut desk, "remove the tag “vip”", BulkChange::RemoveTag(vip.id));
        desk.at(16);
        run_all(&mut desk, "unassign Sam Okafor", BulkChange::Unassign(sam));
        for &n in &numbers {
            let d = desk.load(n);
            assert!(d.tags.is_empty() && d.assignees.is_empty());
            assert_eq!(d.activity[0].sentence(), "Dana unassigned Sam Okafor (bulk change of 3 tickets)");
            assert_eq!(d.activity[1].sentence(), "Dana removed the tag “vip” (bulk change of 3 tickets)");
            assert_eq!(d.updated, crate::fixtures::at(16));
        }
        assert_eq!(listed(&desk, TicketFilter { unassigned: true, ..TicketFilter::default() }), 3);
    }

    fn a_ticket_changed_since_it_was_selected_is_skipped_and_reported(desk: Desk) {
        let sam = desk.hire("Sam Okafor", "sam@example.com");
        let numbers = tickets(&mut desk, 5);
        desk.at(10);
        // Dana selects all five…
        let items = all(&desk.store, BulkChange::Status(Status::Waiting));
        // …Sam resolves the third meanwhile, and tags the fourth…
        desk.at(11);
        let v = desk.version(numbers[2]);
        desk.act(sam).set_status(sam, numbers[2], v, Status::Resolved).unwrap();
        desk.act(sam).add_tag(sam, numbers[3], "printer").unwrap();
        // …then Dana's run goes.
        desk.at(12);
        let done = run(&mut desk, "set status to Waiting", &items);
        assert_eq!(done.conflicts(), [numbers[2], numbers[3]]);
        assert_eq!(
            done.results[2].1,
            BulkResult::Conflict { updated: crate::fixtures::at(11) }
        );
        assert_eq!(done.changed(), [numbers[0], numbers[1], numbers[4]]);
        assert_eq!(done.counts().conflicts, 2);
        assert!(done.summary().contains("2 were changed by someone else"), "{}", done.summary());

        // Sam's changes stand; Dana's reached the others.
        let third = desk.load(numbers[2]);
        assert_eq!(third.status, Status::Resolved);
        assert_eq!(last_entry(&desk, numbers[2]), "Sam Okafor changed status from Open to Resolved");
        assert_eq!(desk.load(numbers[3]).status, Status::Open);
        assert_eq!(last_entry(&desk, numbers[3]), "Sam Okafor added the tag “printer”");
        assert_eq!(
            last_entry(&desk, numbers[4]),
            "Dana changed status from Open to Waiting (bulk change of 3 tickets)"
        );
        // Selected again, they change.
        let fresh: Vec<BulkItem> = all(&desk.store, BulkChange::Status(Status::Waiting))
            .into_iter()
            .filter(|i| done.conflicts().contains(&i.number))
            .collect();
        desk.at(13);
        assert_eq!(run(&mut desk, "set status to Waiting", &fresh).changed(), [numbers[2], numbers[3]]);
    }

    fn a_ticket_already_so_is_left_alone_without_an_entry(desk: Desk) {
        let sam = desk.hire("Sam Okafor", "sam@example.com");
        let numbers = tickets(&mut desk, 3);
        desk.at(5);
        let v = desk.version(numbers[1]);
        desk.store.set_status(desk.dana, numbers[1], v, Status::Waiting).unwrap();
        desk.store.assign(desk.dana, numbers[0], sam).unwrap();
        let before = desk.load(numbers[1]);
        let entries = desk.activity_rows();

        desk.at(10);
        let done = run_all(&mut desk, "set status to Waiting", BulkChange::Status(Status::Waiting));
        assert_eq!(done.results[1], (numbers[1], BulkResult::Unchanged));
        assert_eq!(done.changed(), [numbers[0], numbers[2]]);
        assert_eq!(desk.load(numbers[1]), before, "not touched: same time, version and trail");
        assert_eq!(desk.activity_rows(), entries + 2);
        // The batch counts the tickets it changed.
        assert_eq!(
            last_entry(&desk, numbers[0]),
            "Dana changed status from Open to Waiting (bulk change of 2 tickets)"
        );

        desk.at(11);
        let done = run_all(&mut desk, "assign Sam Okafor", BulkChange::Assign(sam));
        assert_eq!(done.counts().unchanged, 1);
        assert_eq!(done.changed(), [numbers[1], numbers[2]]);
        assert_eq!(desk.load(numbers[0]).updated, crate::fixtures::at(10));
    }

    fn what_a_single_change_refuses_is_refused_and_the_rest_change(desk: Desk) {
        let sam = desk.hire("Sam Okafor", "sam@example.com");
        let numbers = tickets(&mut desk, 2);
        desk.store.set_agent_active(sam, false).unwrap();
        desk.at(10);
        let mut items = all(&desk.store, BulkChange::Assign(sam));
        items.push(BulkItem {
            number: TicketNumber(999),
            seen: t0(),
            change: BulkChange::Status(Status::Closed),
        });
        items.push(BulkItem {
            change: BulkChange::AddNote("   ".into()),
            ..items[0].clone()
        });
        items.push(BulkItem {
            change: BulkChange::Priority(Priority::Low),
            ..items[1].clone()
        });
        let entries = desk.activity_rows();
        let done = run(&mut desk, "mixed", &items);
        let refused = done.refused();
        assert_eq!(refused.len(), 4, "{refused:?}");
        assert!(refused[0].1.contains("no longer an active agent"), "{}", refused[0].1);
        assert_eq!(refused[2], (TicketNumber(999), "TKT-000999 does not exist"));
        assert_eq!(refused[3].0, numbers[0]);
        assert_eq!(done.changed(), [numbers[1]]);
        assert_eq!(desk.activity_rows(), entries + 1);
        assert!(desk.load(numbers[0]).assignees.is_empty());
        assert_eq!(desk.load(numbers[1]).priority, Priority::Low);
    }

    fn a_cancelled_run_keeps_what_it_did_and_reports_it(desk: Desk) {
        let numbers = tickets(&mut desk, 6);
        desk.at(10);
        let items = all(&desk.store, BulkChange::Priority(Priority::Urgent));
        let dana = desk.dana;
        let mut heard = Vec::new();
        let done = desk
            .store
            .bulk_apply(dana, "set priority to Urgent", &items, &mut |done, total| {
                heard.push((done, total));
                done < 2
            })
            .unwrap();
        assert_eq!(heard, [(1, 6), (2, 6)]);
        assert!(done.cancelled);
        assert_eq!(done.asked, 6);
        assert_eq!(done.changed(), numbers[..2]);
        assert_eq!(done.counts().not_reached, 4);
        for &n in &numbers[..2] {
            assert_eq!(desk.load(n).priority, Priority::Urgent);
            assert_eq!(
                last_entry(&desk, n),
                "Dana changed priority from Medium to Urgent (bulk change of 2 tickets)"
            );
        }
        for &n in &numbers[2..] {
            let d = desk.load(n);
            assert_eq!(d.priority, Priority::Medium);
            assert_eq!(d.activity.len(), 1, "only its creation");
        }
        // The undo puts back what was done, and only that.
        desk.at(11);
        let undone = desk.store.bulk_undo(dana, &done, "undo: set priority to Urgent", &mut |_, _| true).unwrap();
        assert_eq!(undone.changed(), numbers[..2]);
        assert!(numbers.iter().all(|&n| desk.load(n).priority == Priority::Medium));
    }

    fn an_undo_puts_back_each_old_value_and_refuses_tickets_changed_since(desk: Desk) {
        let sam = desk.hire("Sam Okafor", "sam@example.com");
        let numbers = tickets(&mut desk, 4);
        desk.at(5);
        for (&n, p) in numbers.iter().zip([Priority::Low, Priority::High, Priority::Urgent, Priority::Medium]) {
            let v = desk.version(n);
            desk.store.set_priority(desk.dana, n, v, p).unwrap();
        }
        desk.at(10);
        let done = run_all(&mut desk, "set priority to Urgent", BulkChange::Priority(Priority::Urgent));
        assert_eq!(done.changed(), [numbers[0], numbers[1], numbers[3]]);
        // Sam moves the last one on after the run.
        desk.at(11);
        let v = desk.version(numbers[3]);
        desk.act(sam).set_status(sam, numbers[3], v, Status::InProgress).unwrap();

        desk.at(12);
        let dana = desk.dana;
        let undone = desk
            .store
            .bulk_undo(dana, &done, "undo: set priority to Urgent", &mut |_, _| true)
            .unwrap();
        assert_ne!(undone.batch, done.batch);
        assert_eq!(undone.changed(), [numbers[0], numbers[1]]);
        assert_eq!(undone.conflicts(), [numbers[3]]);
        assert_eq!(desk.load(numbers[0]).priority, Priority::Low);
        assert_eq!(desk.load(numbers[1]).priority, Priority::High);
        assert_eq!(desk.load(numbers[2]).priority, Priority::Urgent, "never changed by the run");
        assert_eq!(desk.load(numbers[3]).priority, Priority::Urgent, "changed since: left as it is");
        let d = desk.load(numbers[0]);
        let trail: Vec<String> = d.activity.iter().take(2).map(|a| a.sentence()).collect();
        assert_eq!(
            trail,
            [
                "Dana changed priority from Urgent to Low (undo of a bulk change, 2 tickets)",
                "Dana changed priority from Low to Urgent (bulk change of 3 tickets)",
            ]
        );
        assert_eq!(d.activity[0].bulk.as_ref().and_then(|m| m.undoes), Some(done.batch));
        assert_eq!(d.version, 4, "the undo is a change of its own");

        // Tags, notes and assignees come back off as they went on.
        desk.at(20);
        let sets = [
            BulkChange::AddTag("printer".into()),
            BulkChange::AddNote("Vendor called back".into()),
            BulkChange::Assign(sam),
        ];
        for (i, change) in sets.into_iter().enumerate() {
            desk.at(20 + 2 * i as i64);
            let done = run_all(&mut desk, "some", change);
            desk.at(21 + 2 * i as i64);
            let undone = desk.store.bulk_undo(dana, &done, "undo", &mut |_, _| true).unwrap();
            assert_eq!(undone.changed(), done.changed());
        }
        for &n in &numbers {
            let d = desk.load(n);
            assert!(d.tags.is_empty() && d.notes.is_empty() && d.assignees.is_empty());
            let trail: Vec<String> = d.activity.iter().take(2).map(|a| a.sentence()).collect();
            assert_eq!(
                trail,
                [
                    "Dana unassigned Sam Okafor (undo of a bulk change, 4 tickets)",
                    "Dana assigned Sam Okafor (bulk change of 4 tickets)",
                ]
            );
            assert!(d.activity.iter().any(|a| a.sentence() == "Dana deleted an internal note (undo of a bulk change, 4 tickets)"));
        }
        // The tag made by the run is still a tag to choose.
        assert!(desk.store.tag_named("printer").unwrap().is_some());
    }

    fn the_stamps_of_a_list_follow_its_order_with_each_tickets_last_change(desk: Desk) {
        let numbers = tickets(&mut desk, 8);
        for (i, &n) in numbers.iter().enumerate() {
            desk.at(30 + i as i64 * 7 % 5);
            let v = desk.version(n);
            let p = [Priority::Low, Priority::High, Priority::Urgent][i % 3];
            desk.store.set_priority(desk.dana, n, v, p).unwrap();
            if i % 2 == 0 {
                let v = desk.version(n);
                desk.store.set_status(desk.dana, n, v, Status::Waiting).unwrap();
            }
        }
        for request in [
            ListRequest::all(&TicketFilter::default(), Sort::default()),
            ListRequest::all(
                &TicketFilter { statuses: vec![Status::Waiting], ..TicketFilter::default() },
                Sort { column: SortColumn::Priority, descending: true },
            ),
            ListRequest::all(
                &TicketFilter { text: "printer".into(), ..TicketFilter::default() },
                Sort { column: SortColumn::Subject, descending: false },
            ),
        ] {
            let order = desk.store.list_numbers(&request).unwrap();
            let stamps = desk.store.list_stamps(&request).unwrap();
            let rows = desk.store.rows(&order).unwrap();
            let expected: Vec<(TicketNumber, DateTime<Utc>)> =
                rows.iter().map(|r| (r.number, r.updated)).collect();
            assert!(!expected.is_empty());
            assert_eq!(stamps, expected, "{request:?}");
        }
        let waiting = desk
            .store
            .list_stamps(&ListRequest::all(
                &TicketFilter { statuses: vec![Status::Waiting], ..TicketFilter::default() },
                Sort::default(),
            ))
            .unwrap();
        assert_eq!(waiting.len(), 4);
    }

    fn a_run_is_heard_by_the_other_desks(desk: Desk) {
        let numbers = tickets(&mut desk, 3);
        let other = desk.second_store();
        let mut token = ChangeToken::default();
        assert!(!other.changes_since(&mut token).unwrap());
        desk.at(10);
        run_all(&mut desk, "set status to Waiting", BulkChange::Status(Status::Waiting));
        assert!(other.changes_since(&mut token).unwrap(), "the other desk hears of the run");
        assert_eq!(other.load_ticket(numbers[2]).unwrap().status, Status::Waiting);
        assert!(!other.changes_since(&mut token).unwrap());
    }

    fn a_run_stopped_by_a_failure_returns_what_it_did(desk: Desk) {
        let numbers = tickets(&mut desk, 4);
        // The trail refuses to grow for the third ticket, as a full disk would.
        let third = numbers[2].0;
        match desk.engine {
            Engine::File => desk
                .raw()
                .execute_batch(&format!(
                    "CREATE TRIGGER fail_third BEFORE INSERT ON activity WHEN new.ticket_id = {third}
                     BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;"
                ))
                .unwrap(),
            Engine::Server => desk
                .raw_server()
                .batch_execute(&format!(
                    "CREATE FUNCTION public.fail_third() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                         IF NEW.ticket_id = {third} THEN RAISE EXCEPTION 'the disk is full'; END IF;
                         RETURN NEW;
                     END $$;
                     CREATE TRIGGER fail_third BEFORE INSERT ON tickets.activity
                         FOR EACH ROW EXECUTE FUNCTION public.fail_third();"
                ))
                .unwrap(),
        }
        desk.at(10);
        let items = all(&desk.store, BulkChange::Status(Status::Closed));
        let dana = desk.dana;
        let failed = desk
            .store
            .bulk_apply(dana, "set status to Closed", &items, &mut |_, _| true)
            .expect_err("the third ticket cannot be changed");
        assert!(failed.to_string().contains("the disk is full"), "{failed}");
        assert_eq!(failed.outcome.changed(), numbers[..2]);
        assert_eq!(failed.outcome.results.len(), 2);
        assert_eq!(desk.load(numbers[1]).status, Status::Closed, "what was done stays done");
        assert_eq!(desk.load(numbers[2]).status, Status::Open);
        assert_eq!(desk.load(numbers[3]).status, Status::Open);
        // And it can still be undone.
        desk.at(11);
        let undone = desk
            .store
            .bulk_undo(dana, &failed.outcome, "undo: set status to Closed", &mut |_, _| true)
            .unwrap();
        assert_eq!(undone.changed(), numbers[..2]);
        assert_eq!(desk.load(numbers[0]).status, Status::Open);
    }
}

/// Tickets of a desk's file with a bulk run and its undo in their trails.
fn desk_with_runs() -> (Desk, Vec<TicketNumber>) {
    let mut desk = Desk::new();
    let numbers = tickets(&mut desk, 3);
    desk.at(10);
    let done = run_all(
        &mut desk,
        "set status to Waiting",
        BulkChange::Status(Status::Waiting),
    );
    desk.at(11);
    let dana = desk.dana;
    let items: Vec<BulkItem> = done.undo_items().into_iter().take(1).collect();
    let undo = BulkOutcome {
        results: done.results.iter().take(1).cloned().collect(),
        ..done.clone()
    };
    assert_eq!(undo.undo_items(), items);
    desk.store
        .bulk_undo(dana, &undo, "undo: set status to Waiting", &mut |_, _| true)
        .unwrap();
    (desk, numbers)
}

/// Every ticket's trail, as the panel shows it.
fn trails(store: &Store, numbers: &[TicketNumber]) -> Vec<Vec<String>> {
    numbers
        .iter()
        .map(|&n| {
            store
                .load_ticket(n)
                .unwrap()
                .activity
                .iter()
                .map(|a| a.sentence())
                .collect()
        })
        .collect()
}

#[test]
fn a_backup_keeps_the_bulk_marks_and_a_restore_brings_them_back() {
    let (mut desk, numbers) = desk_with_runs();
    let before = trails(&desk.store, &numbers);
    assert_eq!(
        before[0][..2],
        [
            "Dana changed status from Waiting to Open (undo of a bulk change, 1 ticket)",
            "Dana changed status from Open to Waiting (bulk change of 3 tickets)",
        ]
    );
    let made = desk.store.backup_now(&mut |_, _| {}).unwrap();
    // Another run after the backup, which the restore takes away.
    desk.at(30);
    run_all(
        &mut desk,
        "set priority to Low",
        BulkChange::Priority(Priority::Low),
    );
    assert_ne!(trails(&desk.store, &numbers), before);
    let Desk {
        dir,
        path,
        clock,
        store,
        ..
    } = desk;
    drop(store);
    restore_backup(&path, &made.path, clock.as_ref()).unwrap();
    let restored = Store::open(&path, clock.clone()).unwrap();
    assert_eq!(trails(&restored, &numbers), before);
    drop(dir);
}

#[test]
fn a_desk_moved_onto_a_team_server_keeps_its_bulk_marks_and_undoes_there() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let (desk, numbers) = desk_with_runs();
    let before = trails(&desk.store, &numbers);
    let url = server.create_database("help");
    let mut admin = tickets::store::server::TeamAdmin::connect(&url).unwrap();
    admin.init("Dana", "dana@example.com", t0()).unwrap();
    let moved = admin
        .import(&*desk.store, &mut |_, _| {})
        .expect("move the desk");
    assert!(
        moved.tables.contains(&("bulk_batches", 2)),
        "{:?}",
        moved.tables
    );
    let mut team = Store::connect(&url, desk.clock.clone()).unwrap();
    assert_eq!(trails(&team, &numbers), before);

    // Runs go on there, numbered after the desk's.
    desk.at(40);
    let dana: AgentId = team.signed_in().unwrap().id;
    let items = BulkItem::each(&stamps(&team), &BulkChange::Priority(Priority::High));
    let done = team
        .bulk_apply(dana, "set priority to High", &items, &mut |_, _| true)
        .unwrap();
    assert_eq!(done.batch, 3);
    assert_eq!(
        team.load_ticket(numbers[2]).unwrap().activity[0].sentence(),
        "Dana changed priority from Medium to High (bulk change of 3 tickets)"
    );
}

#[test]
fn a_run_asked_of_no_ticket_writes_nothing() {
    let mut desk = Desk::new();
    tickets(&mut desk, 1);
    let entries = desk.activity_rows();
    let done = run(&mut desk, "nothing", &[]);
    assert_eq!(done, BulkOutcome::default());
    assert_eq!(desk.count("bulk_batches"), 0);
    assert_eq!(desk.activity_rows(), entries);
}
