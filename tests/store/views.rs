//! The sidebar's views: what each built-in view lists and counts, and the
//! Updated column's sort, on both engines.

use crate::fixtures::Desk;
use crate::on_both_engines;
use tickets::domain::{AgentId, BulkChange, BulkItem, Status, TicketNumber};
use tickets::store::views::{BuiltinView, OPEN_STATUSES};
use tickets::store::{ListRequest, Sort, SortColumn, TicketFilter};

fn listed(desk: &Desk, filter: TicketFilter, sort: Sort) -> Vec<TicketNumber> {
    let request = ListRequest {
        filter,
        sort,
        limit: 100,
        ..ListRequest::default()
    };
    let page = desk.store.list_tickets(&request).expect("list");
    page.rows.iter().map(|r| r.number).collect()
}

/// Every count a view can show for these agents (each status alone, the
/// open ones, unassigned, each agent's), as `view_counts` gives it (on a
/// team server, from the tallies migration 12 keeps) and as the list counts
/// its tickets.
fn counts_agree(desk: &Desk, agents: &[AgentId], when: &str) {
    let mut filters: Vec<TicketFilter> = vec![TicketFilter::default()];
    let statuses: Vec<Vec<Status>> = Status::ALL
        .iter()
        .map(|s| vec![*s])
        .chain([OPEN_STATUSES.to_vec(), Vec::new()])
        .collect();
    for statuses in statuses {
        filters.push(TicketFilter {
            statuses: statuses.clone(),
            ..TicketFilter::default()
        });
        filters.push(TicketFilter {
            statuses: statuses.clone(),
            unassigned: true,
            ..TicketFilter::default()
        });
        for agent in agents {
            filters.push(TicketFilter {
                statuses: statuses.clone(),
                assignees: vec![*agent],
                ..TicketFilter::default()
            });
        }
    }
    let counts = desk.store.view_counts(&filters).expect("view counts");
    for (filter, count) in filters.iter().zip(counts) {
        assert_eq!(
            count,
            desk.store.count_tickets(filter).unwrap(),
            "{when}: {filter:?}"
        );
    }
}

/// The same change for each of these tickets, run by `actor` to the end.
fn bulk(
    desk: &mut Desk,
    actor: AgentId,
    numbers: &[TicketNumber],
    change: BulkChange,
) -> tickets::domain::BulkOutcome {
    let stamps: Vec<_> = desk
        .store
        .list_stamps(&ListRequest::all(&TicketFilter::default(), Sort::default()))
        .unwrap()
        .into_iter()
        .filter(|(n, _)| numbers.contains(n))
        .collect();
    let items = BulkItem::each(&stamps, &change);
    desk.store
        .bulk_apply(actor, "bulk", &items, &mut |_, _| true)
        .expect("the bulk run")
}

on_both_engines! {
    fn view_counts_follow_every_kind_of_change(desk: Desk) {
        let kim = desk.hire("Kim", "kim@example.com");
        let dana = desk.dana;
        let agents = [dana, kim];
        // Enough tickets that a bulk run's changes outgrow what a team
        // server's tallies keep unfolded, so a count also reads them folded.
        let n: Vec<TicketNumber> = (0..300)
            .map(|i| {
                desk.at(i);
                desk.ticket(&format!("Printer {i} jams"))
            })
            .collect();
        counts_agree(&desk, &agents, "new tickets");
        desk.at(400);
        let evens: Vec<TicketNumber> = n.iter().step_by(2).copied().collect();
        let thirds: Vec<TicketNumber> = n.iter().step_by(3).copied().collect();
        bulk(&mut desk, dana, &evens, BulkChange::Assign(kim));
        bulk(&mut desk, dana, &thirds, BulkChange::Assign(dana));
        counts_agree(&desk, &agents, "assigned: some to both, some to nobody");
        desk.at(401);
        let waiting = bulk(&mut desk, dana, &n, BulkChange::Status(Status::Waiting));
        assert_eq!(waiting.changed().len(), 300);
        counts_agree(&desk, &agents, "all waiting");
        // One by one: a ticket resolved, one losing its only assignee, one
        // losing one of two, one gaining a second.
        desk.at(402);
        let v = desk.version(n[0]);
        desk.act(kim).set_status(kim, n[0], v, Status::Resolved).unwrap();
        desk.act(kim).unassign(kim, n[2], kim).unwrap();
        desk.act(kim).unassign(kim, n[6], kim).unwrap();
        desk.act(kim).assign(kim, n[1], dana).unwrap();
        desk.act(kim).add_note(kim, n[4], "Nothing to count").unwrap();
        counts_agree(&desk, &agents, "single changes");
        desk.at(403);
        let undone = desk.store.bulk_undo(dana, &waiting, "undo", &mut |_, _| true).unwrap();
        assert_eq!(undone.changed().len(), 295, "all but the five changed since");
        counts_agree(&desk, &agents, "the status run undone");
        desk.at(404);
        bulk(&mut desk, dana, &evens, BulkChange::Unassign(kim));
        counts_agree(&desk, &agents, "Kim unassigned");
        let fresh = desk.ticket("One more");
        desk.act(kim).assign(kim, fresh, kim).unwrap();
        counts_agree(&desk, &agents, "one more, Kim's");
    }

    fn each_view_counts_exactly_what_it_lists(desk: Desk) {
        let kim = desk.hire("Kim", "kim@example.com");
        let dana = desk.dana;
        // 1: Dana's, open. 2: Kim's, waiting. 3: nobody's, open.
        // 4: Dana's, resolved. 5: nobody's, closed (changed a day and more ago).
        let mut n = Vec::new();
        for (minute, subject) in [(0, "one"), (1, "two"), (2, "three"), (3, "four"), (4, "five")] {
            desk.at(minute);
            n.push(desk.ticket(subject));
        }
        desk.at(10);
        desk.act(dana).assign(dana, n[0], dana).unwrap();
        desk.act(kim).assign(kim, n[1], kim).unwrap();
        let v = desk.version(n[1]);
        desk.act(kim).set_status(kim, n[1], v, Status::Waiting).unwrap();
        desk.act(dana).assign(dana, n[3], dana).unwrap();
        let v = desk.version(n[3]);
        desk.act(dana).set_status(dana, n[3], v, Status::Resolved).unwrap();
        let v = desk.version(n[4]);
        desk.act(dana).set_status(dana, n[4], v, Status::Closed).unwrap();
        // Two days later Kim notes ticket 3; nothing else changes.
        desk.at(2 * 24 * 60);
        desk.act(kim).add_note(kim, n[2], "Called the customer").unwrap();

        let want: [(BuiltinView, Vec<TicketNumber>); 6] = [
            (BuiltinView::MyOpen, vec![n[0]]),
            (BuiltinView::Unassigned, vec![n[2]]),
            (BuiltinView::AllOpen, vec![n[0], n[1], n[2]]),
            (BuiltinView::Waiting, vec![n[1]]),
            (BuiltinView::RecentlyUpdated, vec![n[2]]),
            (BuiltinView::All, n.clone()),
        ];
        let filters: Vec<TicketFilter> = want
            .iter()
            .map(|(view, _)| view.filter(Some(dana)).expect("Dana is known"))
            .collect();
        let counts = desk.store.view_counts(&filters).expect("counts");
        for ((view, numbers), (filter, count)) in want.iter().zip(filters.iter().zip(&counts)) {
            let mut got = listed(&desk, filter.clone(), Sort { column: SortColumn::Number, descending: false });
            got.sort();
            assert_eq!(&got, numbers, "{} lists", view.label());
            assert_eq!(*count, numbers.len() as u64, "{} counts", view.label());
        }
        // Kim's "My open" is Kim's.
        let kims = BuiltinView::MyOpen.filter(Some(kim)).unwrap();
        assert_eq!(desk.store.view_counts(&[kims]).unwrap(), [1]);
        // A day on, nothing is recent any more.
        desk.at(3 * 24 * 60 + 1);
        let recent = BuiltinView::RecentlyUpdated.filter(None).unwrap();
        assert_eq!(desk.store.view_counts(&[recent]).unwrap(), [0]);
    }

    fn the_updated_column_sorts_by_the_last_change(desk: Desk) {
        let mut n = Vec::new();
        for (minute, subject) in [(0, "oldest"), (1, "middle"), (2, "newest")] {
            desk.at(minute);
            n.push(desk.ticket(subject));
        }
        // The oldest changes last; the middle one next.
        desk.at(30);
        let v = desk.version(n[1]);
        let dana = desk.dana;
        desk.store.set_status(dana, n[1], v, Status::InProgress).unwrap();
        desk.at(40);
        desk.store.add_tag(dana, n[0], "billing").unwrap();
        let latest_first = BuiltinView::RecentlyUpdated.sort();
        assert_eq!(latest_first, Sort { column: SortColumn::Updated, descending: true });
        assert_eq!(listed(&desk, TicketFilter::default(), latest_first), [n[0], n[1], n[2]]);
        let earliest_first = Sort { descending: false, ..latest_first };
        assert_eq!(listed(&desk, TicketFilter::default(), earliest_first), [n[2], n[1], n[0]]);
    }
}
