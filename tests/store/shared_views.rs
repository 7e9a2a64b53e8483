//! Views shared with the team, kept in the database, on both engines:
//! shared, listed in order, renamed, changed, swapped and deleted by any
//! agent; names refused in sentences; other desks hearing of each change;
//! a view a newer Tickets saved; and a desk's views moved into a team server.

use crate::fixtures::{Desk, Engine, hears_within_a_second, t0};
use crate::on_both_engines;
use chrono::Duration;
use tickets::analytics::{Measure, Scope};
use tickets::domain::{AgentId, NewCustomer, Priority, Status};
use tickets::store::views::{SavedView, SharedView};
use tickets::store::{ChangeToken, Sort, SortColumn, Store, StoreError, TicketFilter};

/// A view named `name` of the tickets with `status`, newest first.
fn view(name: &str, status: Status) -> SavedView {
    SavedView {
        name: name.to_owned(),
        filter: TicketFilter {
            statuses: vec![status],
            ..TicketFilter::default()
        },
        sort: Sort::default(),
    }
}

/// The shared views' names, in order.
fn names(store: &Store) -> Vec<String> {
    store
        .shared_views()
        .expect("list the shared views")
        .into_iter()
        .map(|v| v.view.name)
        .collect()
}

/// The shared view with id `id`.
fn shared(store: &Store, id: i64) -> SharedView {
    store
        .shared_views()
        .expect("list the shared views")
        .into_iter()
        .find(|v| v.id == id)
        .expect("the view is listed")
}

/// The sentence a refused name is refused with, checking it is about the name.
fn refused_name(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(v)) => {
            assert_eq!(v.field, "Name");
            StoreError::Invalid(v).to_string()
        }
        other => panic!("expected the name to be refused, got {other:?}"),
    }
}

/// Whether `result` says shared view `id` no longer exists.
fn is_gone<T: std::fmt::Debug>(result: Result<T, StoreError>, id: i64) -> bool {
    let Err(e) = result else {
        panic!("expected view {id} to be gone, got {result:?}");
    };
    assert_eq!(
        e.to_string(),
        format!("that shared view no longer exists (id {id})")
    );
    matches!(e, StoreError::NotFound { what: "shared view", id: missing } if missing == id)
}

/// Writes a shared view straight into the database, bypassing the store,
/// as a newer Tickets could have written it; returns its id.
fn write_raw_view(desk: &Desk, name: &str, definition: &str, position: i64) -> i64 {
    let key = name.to_lowercase();
    let at = t0().timestamp_millis();
    match desk.engine {
        Engine::File => {
            let raw = desk.raw();
            raw.execute(
                "INSERT INTO shared_views
                     (name, name_key, definition, position, shared_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                rusqlite::params![name, key, definition, position, desk.dana.0, at],
            )
            .unwrap();
            raw.last_insert_rowid()
        }
        Engine::Server => desk
            .raw_server()
            .query_one(
                "INSERT INTO tickets.shared_views
                     (name, name_key, definition, position, shared_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                &[&name, &key, &definition, &position, &desk.dana.0, &at],
            )
            .unwrap()
            .get(0),
    }
}

/// The definition a shared view has in the database, read around the store.
fn raw_definition(desk: &Desk, id: i64) -> String {
    match desk.engine {
        Engine::File => desk
            .raw()
            .query_row(
                "SELECT definition FROM shared_views WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap(),
        Engine::Server => desk
            .raw_server()
            .query_one(
                "SELECT definition FROM tickets.shared_views WHERE id = $1",
                &[&id],
            )
            .unwrap()
            .get(0),
    }
}

on_both_engines! {
    fn shared_views_are_listed_in_the_order_they_were_shared(desk: Desk) {
        let dana = desk.dana;
        assert_eq!(desk.store.shared_views().unwrap(), []);
        let waiting = desk.store.share_view(dana, &view("Waiting on customer", Status::Waiting)).unwrap();
        desk.at(1);
        let urgent = desk.store.share_view(dana, &view("  Urgent\tbilling ", Status::Open)).unwrap();
        desk.at(2);
        let done = desk.store.share_view(dana, &view("Done this week", Status::Resolved)).unwrap();

        let listed = desk.store.shared_views().unwrap();
        assert_eq!(
            listed.iter().map(|v| v.id).collect::<Vec<_>>(),
            [waiting, urgent, done]
        );
        assert!(listed.windows(2).all(|w| w[0].position < w[1].position), "{listed:?}");
        // The name is kept tidied; the view as it was shared, by whom.
        assert_eq!(names(&desk.store), ["Waiting on customer", "Urgent billing", "Done this week"]);
        assert_eq!(listed[0].view, view("Waiting on customer", Status::Waiting));
        assert!(listed.iter().all(|v| v.shared_by == Some(dana) && v.unreadable.is_none()));
        // Another window (or desk) on the same database lists the same.
        assert_eq!(desk.second_store().shared_views().unwrap(), listed);
    }

    fn a_shared_view_is_renamed_and_its_whole_filter_and_sort_replaced(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "sam@example.com");
        let n = desk.ticket("Printer on fire");
        let vip = desk.store.add_tag(dana, n, "vip").unwrap();
        let billing = desk.store.add_tag(dana, n, "billing").unwrap();
        let customer = desk
            .store
            .add_customer(&NewCustomer {
                name: "Marguerite Okafor".to_owned(),
                email: "mo@bakery.example".to_owned(),
                company: "Okafor Bakery".to_owned(),
            })
            .unwrap();
        let id = desk.store.share_view(dana, &view("Open", Status::Open)).unwrap();

        // Every field of the filter set, and a drill-down scope, which is not kept.
        let filter = TicketFilter {
            text: "printer \"on fire\" TKT-000001".to_owned(),
            statuses: vec![Status::Open, Status::InProgress, Status::Waiting],
            priorities: vec![Priority::High, Priority::Urgent],
            created_from: Some(t0() - Duration::days(30)),
            created_to: Some(t0() + Duration::milliseconds(1_234)),
            updated_within_hours: Some(72),
            breached: true,
            due_within_minutes: Some(60),
            tags: vec![vip.id, billing.id],
            customer_tags: vec![billing.id],
            assignees: vec![dana, sam],
            unassigned: true,
            customer: Some(customer),
            numbers: vec![tickets::domain::TicketNumber(1)],
            scope: Some(Scope {
                measure: Measure::Closed,
                start_ms: 0,
                end_ms: 1,
                label: "Closed in Last 30d".to_owned(),
            }),
        };
        let changed = SavedView {
            name: "Hot printers".to_owned(),
            filter: filter.clone(),
            sort: Sort {
                column: SortColumn::Updated,
                descending: false,
            },
        };
        desk.at(5);
        desk.store.update_shared_view(dana, id, &changed).unwrap();
        let got = shared(&desk.store, id);
        // Neither a drill-down nor named tickets are kept: both are the
        // moment's, not the view's.
        let unscoped = TicketFilter {
            scope: None,
            numbers: Vec::new(),
            ..filter
        };
        assert_eq!(got.view.name, "Hot printers");
        assert_eq!(got.view.filter, unscoped);
        assert_eq!(got.view.sort, changed.sort);
        assert_eq!((got.shared_by, got.unreadable), (Some(dana), None));
        assert!(!raw_definition(&desk, id).contains("Closed in Last 30d"));

        // Renaming alone keeps the filter and sort; so does a change of case.
        desk.store.rename_shared_view(dana, id, "Printers").unwrap();
        desk.store.rename_shared_view(dana, id, "PRINTERS").unwrap();
        let got = shared(&desk.store, id);
        assert_eq!(got.view.name, "PRINTERS");
        assert_eq!((got.view.filter, got.view.sort), (unscoped, changed.sort));
        // A view changed to the empty filter and default sort is that.
        desk.store
            .update_shared_view(dana, id, &SavedView {
                name: "Everything".to_owned(),
                filter: TicketFilter::default(),
                sort: Sort::default(),
            })
            .unwrap();
        let got = shared(&desk.store, id);
        assert!(got.view.filter.is_empty());
        assert_eq!(got.view.sort, Sort::default());
        assert_eq!(names(&desk.store), ["Everything"]);
    }

    fn swapping_two_views_exchanges_their_places_and_nothing_else(desk: Desk) {
        let dana = desk.dana;
        let a = desk.store.share_view(dana, &view("A", Status::Open)).unwrap();
        let b = desk.store.share_view(dana, &view("B", Status::Waiting)).unwrap();
        let c = desk.store.share_view(dana, &view("C", Status::Closed)).unwrap();
        let before = desk.store.shared_views().unwrap();

        // C up: swapped with B; then A down: swapped with C.
        desk.store.swap_shared_views(dana, c, b).unwrap();
        assert_eq!(names(&desk.store), ["A", "C", "B"]);
        desk.store.swap_shared_views(dana, a, c).unwrap();
        assert_eq!(names(&desk.store), ["C", "A", "B"]);
        let after = desk.store.shared_views().unwrap();
        let mut places: Vec<i64> = after.iter().map(|v| v.position).collect();
        let mut were: Vec<i64> = before.iter().map(|v| v.position).collect();
        places.sort_unstable();
        were.sort_unstable();
        assert_eq!(places, were, "the same places, shared out again");
        for v in &after {
            let was = before.iter().find(|w| w.id == v.id).unwrap();
            assert_eq!((&v.view, v.shared_by), (&was.view, was.shared_by));
        }
        // A view swapped with itself stays; one swapped with a deleted view
        // is refused, and nothing moves.
        desk.store.swap_shared_views(dana, a, a).unwrap();
        desk.store.delete_shared_view(dana, b).unwrap();
        assert!(is_gone(desk.store.swap_shared_views(dana, a, b), b));
        assert!(is_gone(desk.store.swap_shared_views(dana, b, c), b));
        assert_eq!(names(&desk.store), ["C", "A"]);
        // A view shared after a swap still comes last.
        desk.store.share_view(dana, &view("D", Status::Open)).unwrap();
        assert_eq!(names(&desk.store), ["C", "A", "D"]);
    }

    fn a_deleted_view_is_gone_and_changing_it_says_so(desk: Desk) {
        let dana = desk.dana;
        let a = desk.store.share_view(dana, &view("A", Status::Open)).unwrap();
        let b = desk.store.share_view(dana, &view("B", Status::Open)).unwrap();
        // Another desk deletes B meanwhile.
        desk.second_store().delete_shared_view(dana, b).unwrap();
        assert_eq!(names(&desk.store), ["A"]);
        assert!(is_gone(desk.store.update_shared_view(dana, b, &view("B2", Status::Open)), b));
        assert!(is_gone(desk.store.rename_shared_view(dana, b, "B2"), b));
        assert!(is_gone(desk.store.delete_shared_view(dana, b), b));
        // Its name is free again; its id is never given to another view.
        let again = desk.store.share_view(dana, &view("b", Status::Open)).unwrap();
        assert!(again > b, "{again} after {b}");
        desk.store.delete_shared_view(dana, again).unwrap();
        let later = desk.store.share_view(dana, &view("C", Status::Open)).unwrap();
        assert!(later > again, "{later} after {again}");
        assert_eq!(names(&desk.store), ["A", "C"]);
        assert_eq!(shared(&desk.store, a).view, view("A", Status::Open));
    }

    fn names_taken_in_any_case_empty_or_too_long_are_refused_in_a_sentence(desk: Desk) {
        let dana = desk.dana;
        let first = desk.store.share_view(dana, &view("Urgent billing", Status::Open)).unwrap();
        let second = desk.store.share_view(dana, &view("Waiting", Status::Waiting)).unwrap();

        assert_eq!(
            refused_name(desk.store.share_view(dana, &view("  URGENT Billing ", Status::Closed))),
            "Name: the team already has a shared view called “Urgent billing” (capitals do not count); choose another name, or change that view instead"
        );
        assert_eq!(
            refused_name(desk.store.share_view(dana, &view("Urgent billing", Status::Closed))),
            "Name: the team already has a shared view called “Urgent billing”; choose another name, or change that view instead"
        );
        assert_eq!(
            refused_name(desk.store.share_view(dana, &view(" \t ", Status::Open))),
            "Name: is required"
        );
        assert_eq!(
            refused_name(desk.store.share_view(dana, &view(&"x".repeat(61), Status::Open))),
            "Name: is 61 characters long; at most 60 fit"
        );
        // Renaming the second to the first's name, in any case, is refused too.
        let said = refused_name(desk.store.update_shared_view(dana, second, &view("urgent billing", Status::Waiting)));
        assert!(said.contains("called “Urgent billing”"), "{said}");
        let said = refused_name(desk.store.rename_shared_view(dana, second, "URGENT BILLING"));
        assert!(said.contains("called “Urgent billing”"), "{said}");
        refused_name(desk.store.rename_shared_view(dana, second, ""));
        refused_name(desk.store.update_shared_view(dana, second, &view(&"é".repeat(61), Status::Open)));
        // Nothing was written by any of them.
        assert_eq!(names(&desk.store), ["Urgent billing", "Waiting"]);
        assert_eq!(shared(&desk.store, second).view, view("Waiting", Status::Waiting));

        // Sixty characters fit, of any script; a view keeps its own name in another case.
        let long = "é".repeat(60);
        desk.store.share_view(dana, &view(&long, Status::Open)).unwrap();
        desk.store.update_shared_view(dana, first, &view("URGENT BILLING", Status::Open)).unwrap();
        assert_eq!(names(&desk.store), ["URGENT BILLING", "Waiting", long.as_str()]);
        // Names ignore case beyond ASCII too.
        let said = refused_name(desk.store.share_view(dana, &view(&"É".repeat(60), Status::Open)));
        assert!(said.contains("(capitals do not count)"), "{said}");
    }

    fn any_agent_changes_the_teams_views_and_other_desks_hear_of_it(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "sam@example.com");
        let mut sams = desk.store_as(sam);
        let mut dana_saw = ChangeToken::default();
        let mut sam_saw = ChangeToken::default();
        assert!(!desk.store.changes_since(&mut dana_saw).unwrap());
        assert!(!sams.changes_since(&mut sam_saw).unwrap());

        // Sam shares a view: Dana's desk hears of it and lists it as Sam's.
        desk.at(1);
        let id = sams.share_view(sam, &view("Sam's queue", Status::Open)).unwrap();
        assert!(hears_within_a_second(&desk.store, &mut dana_saw), "Dana hears of the new view");
        let listed = desk.store.shared_views().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, listed[0].shared_by), (id, Some(sam)));
        assert_eq!(listed[0].view, view("Sam's queue", Status::Open));

        // Dana renames and changes Sam's view; it stays recorded as his.
        desk.at(2);
        desk.store
            .update_shared_view(dana, id, &view("Open, all of them", Status::InProgress))
            .unwrap();
        assert!(hears_within_a_second(&sams, &mut sam_saw), "Sam hears of the change");
        let got = shared(&sams, id);
        assert_eq!(got.view, view("Open, all of them", Status::InProgress));
        assert_eq!(got.shared_by, Some(sam));
        // Nobody hears of their own changes.
        assert!(!desk.store.changes_since(&mut dana_saw).unwrap());

        // Dana shares another and Sam moves it up; Dana hears of each.
        let mine = desk.store.share_view(dana, &view("Dana's", Status::Waiting)).unwrap();
        assert!(hears_within_a_second(&sams, &mut sam_saw));
        sams.swap_shared_views(sam, mine, id).unwrap();
        assert!(hears_within_a_second(&desk.store, &mut dana_saw), "Dana hears of the swap");
        assert_eq!(names(&desk.store), ["Dana's", "Open, all of them"]);
        // Sam deletes Dana's view; Dana hears of it.
        sams.delete_shared_view(sam, mine).unwrap();
        assert!(hears_within_a_second(&desk.store, &mut dana_saw), "Dana hears of the deletion");
        assert_eq!(names(&desk.store), ["Open, all of them"]);
        // A change is made as an agent the store knows (on a server: the one signed in).
        assert!(desk.store.share_view(AgentId(999), &view("Nobody's", Status::Open)).is_err());
        assert_eq!(names(&sams), ["Open, all of them"]);
    }

    fn a_view_saved_by_a_newer_tickets_is_listed_with_a_note_and_kept_whole(desk: Desk) {
        let dana = desk.dana;
        let first = desk.store.share_view(dana, &view("First", Status::Open)).unwrap();
        let newer = r#"{"filter":{"statuses":["Snoozed"]},"sort":{"column":"DueDate","descending":true},"group":"team"}"#;
        let odd = write_raw_view(&desk, "From the future", newer, 2);
        let last = desk.store.share_view(dana, &view("Last", Status::Closed)).unwrap();

        let listed = desk.store.shared_views().unwrap();
        assert_eq!(
            listed.iter().map(|v| v.id).collect::<Vec<_>>(),
            [first, odd, last],
            "listed in its place, the others as they were"
        );
        assert_eq!(listed[0].view, view("First", Status::Open));
        assert_eq!(listed[2].view, view("Last", Status::Closed));
        let future = &listed[1];
        assert_eq!(future.view.name, "From the future");
        assert_eq!((&future.view.filter, future.view.sort), (&TicketFilter::default(), Sort::default()));
        let note = future.unreadable.as_deref().expect("a note saying why");
        assert!(note.contains("saved by a newer version of Tickets"), "{note}");
        assert_eq!(future.shared_by, Some(dana));

        // It can be renamed (its definition kept for the newer Tickets), moved and deleted.
        desk.store.rename_shared_view(dana, odd, "Future").unwrap();
        assert_eq!(raw_definition(&desk, odd), newer);
        desk.store.swap_shared_views(dana, odd, first).unwrap();
        assert_eq!(names(&desk.store), ["Future", "First", "Last"]);
        // Its name is taken like any other's.
        refused_name(desk.store.share_view(dana, &view("FUTURE", Status::Open)));
        desk.store.delete_shared_view(dana, odd).unwrap();
        assert_eq!(names(&desk.store), ["First", "Last"]);
    }
}

/// A desk's shared views move into a team server with everything else: the
/// same ids, places, names, filters and sharers; the server carries on from
/// there, and their names are still taken.
#[test]
fn a_desk_moved_into_a_team_server_keeps_its_shared_views() {
    let Some(server_desk) = Desk::on(Engine::Server) else {
        return;
    };
    let mut desk = Desk::team(&[("Dana", "dana@example.com"), ("Sam", "sam@example.com")]);
    let (dana, sam) = (desk.agents[0], desk.agents[1]);
    let n = desk.ticket("Printer on fire");
    let vip = desk.store.add_tag(dana, n, "vip").unwrap();
    let filtered = SavedView {
        name: "VIPs, latest change first".to_owned(),
        filter: TicketFilter {
            text: "printer".to_owned(),
            tags: vec![vip.id],
            assignees: vec![sam],
            updated_within_hours: Some(24),
            created_from: Some(t0() - Duration::days(7)),
            ..TicketFilter::default()
        },
        sort: Sort {
            column: SortColumn::Updated,
            descending: true,
        },
    };
    let a = desk
        .store
        .share_view(dana, &view("Gone soon", Status::Open))
        .unwrap();
    let b = desk.store.share_view(sam, &filtered).unwrap();
    let c = desk
        .store
        .share_view(dana, &view("Waiting", Status::Waiting))
        .unwrap();
    desk.store.delete_shared_view(dana, a).unwrap();
    desk.store.swap_shared_views(dana, c, b).unwrap();
    let before = desk.store.shared_views().unwrap();
    assert_eq!(names(&desk.store), ["Waiting", "VIPs, latest change first"]);

    // A team database holding a shared view is not empty: no desk moves in.
    let url = server_desk.url.clone().expect("a server desk");
    let mut server_desk = server_desk;
    let owner = server_desk.dana;
    let there = server_desk
        .store
        .share_view(owner, &view("Mine", Status::Open))
        .unwrap();
    let refused = tickets::store::server::TeamAdmin::connect(&url)
        .unwrap()
        .import(&*desk.store, &mut |_, _| {})
        .expect_err("not empty");
    assert!(refused.to_string().contains("shared views"), "{refused}");
    server_desk.store.delete_shared_view(owner, there).unwrap();

    let moved = tickets::store::server::TeamAdmin::connect(&url)
        .unwrap()
        .import(&*desk.store, &mut |_, _| {})
        .expect("move the desk");
    assert!(moved.tables.contains(&("shared_views", 2)), "{moved:?}");

    let mut team = Store::connect(&url, desk.clock.clone()).expect("connect as the owner");
    assert_eq!(team.shared_views().unwrap(), before);
    // The owner carries on: a new view comes last with a new id, and the
    // moved names are still taken, ignoring case.
    let me = team.signed_in().expect("signed in").id;
    let d = team
        .share_view(me, &view("New on the server", Status::Open))
        .unwrap();
    assert!(d > c && d > a, "{d}");
    assert_eq!(
        names(&team),
        ["Waiting", "VIPs, latest change first", "New on the server"]
    );
    refused_name(team.share_view(me, &view("WAITING", Status::Open)));
}
