//! Service levels (issue 15): the team's policy kept on both engines, and
//! each ticket's targets read from its trail, as the panel shows them.

use crate::fixtures::{Desk, at};
use crate::on_both_engines;
use chrono::{Duration, NaiveDate};
use tickets::domain::sla::{Clocking, SlaPolicy, SlaTicket, TargetState, Targets, evaluate};
use tickets::domain::{Direction, Priority, Status, TicketNumber};
use tickets::store::{ListRequest, Sort, SortColumn, StoreError, TicketFilter};

/// Urgent: a first reply within an hour and a resolution within four, in
/// calendar time, Waiting pausing the resolution clock.
fn urgent_policy() -> SlaPolicy {
    let mut policy = SlaPolicy::default();
    policy.targets[3] = Targets {
        first_reply_minutes: Some(60),
        resolution_minutes: Some(4 * 60),
    };
    policy
}

on_both_engines! {
    fn the_policy_is_kept_and_a_bad_one_refused(desk: Desk) {
        assert_eq!(desk.store.sla_policy().unwrap(), SlaPolicy::default(), "none set: no targets");
        let mut policy = urgent_policy();
        policy.clocking = Clocking::BusinessHours;
        policy.calendar.zone = "Europe/Berlin".to_owned();
        policy.calendar.holidays = vec![NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()];
        let dana = desk.dana;
        desk.store.set_sla_policy(dana, &policy).unwrap();
        assert_eq!(desk.store.sla_policy().unwrap(), policy);
        // Another agent's window reads the same policy.
        let kim = desk.hire("Kim", "kim@example.com");
        assert_eq!(desk.act(kim).sla_policy().unwrap(), policy);

        let mut bad = policy.clone();
        bad.calendar.zone = "Nowhere/Town".to_owned();
        match desk.store.set_sla_policy(dana, &bad) {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.field, "Service levels");
                assert!(e.problem.contains("“Nowhere/Town” is not a time zone"), "{}", e.problem);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(desk.store.sla_policy().unwrap(), policy, "nothing changed");

        // On a team server only an admin changes it; on a file anyone may.
        let by_kim = desk.act(kim).set_sla_policy(kim, &SlaPolicy::default());
        if desk.url.is_some() {
            match by_kim {
                Err(StoreError::NotAllowed(why)) => {
                    assert!(why.contains("only an admin"), "{why}");
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
            assert_eq!(desk.store.sla_policy().unwrap(), policy);
        } else {
            by_kim.unwrap();
            assert_eq!(desk.store.sla_policy().unwrap(), SlaPolicy::default());
        }
    }

    fn a_tickets_targets_follow_its_trail(desk: Desk) {
        let dana = desk.dana;
        let policy = urgent_policy();
        desk.store.set_sla_policy(dana, &policy).unwrap();
        desk.at(0);
        let n = desk.ticket("The printer is on fire");
        let v = desk.version(n);
        desk.store.set_priority(dana, n, v, Priority::Urgent).unwrap();
        let targets = |desk: &Desk, minute: i64| {
            let ticket = desk.load(n);
            evaluate(&policy, &SlaTicket::of(&ticket), at(minute))
        };
        // Ten minutes in: the reply is due within the hour, at risk under 15 m.
        let sla = targets(&desk, 10);
        assert_eq!(
            sla.first_reply,
            Some(TargetState::Due { due: at(60), left: Duration::minutes(50), at_risk: false })
        );
        assert!(matches!(targets(&desk, 50).first_reply, Some(TargetState::Due { at_risk: true, .. })));

        // Dana replies at 30 minutes: met. Waiting from 60 to 180 minutes.
        desk.at(30);
        desk.store.add_message(dana, n, Direction::Outbound, "We are on our way").unwrap();
        desk.at(60);
        let v = desk.version(n);
        desk.store.set_status(dana, n, v, Status::Waiting).unwrap();
        let sla = targets(&desk, 120);
        assert_eq!(sla.first_reply, Some(TargetState::Met { due: at(60), at: at(30) }));
        assert_eq!(sla.resolution, Some(TargetState::Paused { left: Duration::minutes(180) }));
        desk.at(180);
        let v = desk.version(n);
        desk.store.set_status(dana, n, v, Status::Open).unwrap();
        // Four hours of running clock: 0–60 and 180–360.
        let sla = targets(&desk, 200);
        assert_eq!(sla.resolution.and_then(|s| s.due()), Some(at(360)));
        assert_eq!(sla.next().and_then(|s| s.due()), Some(at(360)));

        // Low priority has no promise; back to Urgent, it counts from creation.
        desk.at(210);
        let v = desk.version(n);
        desk.store.set_priority(dana, n, v, Priority::Low).unwrap();
        assert_eq!(targets(&desk, 220).resolution, None);
        desk.at(220);
        let v = desk.version(n);
        desk.store.set_priority(dana, n, v, Priority::Urgent).unwrap();
        assert_eq!(targets(&desk, 230).resolution.and_then(|s| s.due()), Some(at(360)));

        // Resolved late, at 400 minutes: breached, and it stays so.
        desk.at(400);
        let v = desk.version(n);
        desk.store.set_status(dana, n, v, Status::Resolved).unwrap();
        let sla = targets(&desk, 500);
        assert_eq!(sla.resolution, Some(TargetState::Breached { due: at(360), at: Some(at(400)) }));
        assert_eq!(sla.next(), None);
    }
}

/// Works out every due time left to work out, as the window's store thread
/// does after a change.
fn settle(desk: &mut Desk) {
    while desk.store.refresh_due().unwrap() > 0 {}
}

/// The list's numbers and Due values under `filter`, sorted by Due.
fn by_due(
    store: &tickets::store::Store,
    filter: TicketFilter,
) -> Vec<(TicketNumber, Option<chrono::DateTime<chrono::Utc>>)> {
    let request = ListRequest {
        filter,
        sort: Sort {
            column: SortColumn::Due,
            descending: false,
        },
        limit: 50,
        ..ListRequest::default()
    };
    store
        .list_tickets(&request)
        .unwrap()
        .rows
        .iter()
        .map(|r| (r.number, r.due))
        .collect()
}

on_both_engines! {
    fn the_list_sorts_and_filters_by_the_next_target_due(desk: Desk) {
        let dana = desk.dana;
        desk.store.set_sla_policy(dana, &urgent_policy()).unwrap();
        let urgent = |desk: &mut Desk, minute: i64, subject: &str| {
            desk.at(minute);
            let n = desk.ticket(subject);
            let v = desk.version(n);
            desk.store.set_priority(dana, n, v, Priority::Urgent).unwrap();
            n
        };
        let a = urgent(&mut desk, 0, "Site down");
        desk.at(1);
        let b = desk.ticket("Typo on the pricing page"); // Medium: nothing promised
        let c = urgent(&mut desk, 2, "Checkout fails");
        desk.at(5);
        desk.store.add_message(dana, c, Direction::Outbound, "Looking now").unwrap();
        settle(&mut desk);

        // A's reply is due at 60; C's resolution at 242; B has nothing due.
        let everything = TicketFilter::default();
        assert_eq!(
            by_due(&desk.store, everything.clone()),
            [(a, Some(at(60))), (c, Some(at(242))), (b, None)]
        );
        let row = |desk: &Desk, n| desk.store.rows(&[n]).unwrap().remove(0);
        assert_eq!(row(&desk, a).due_risk, Some(at(45)), "at risk with a quarter left");

        // At 50 minutes A is due within the hour, not yet breached.
        desk.at(50);
        let soon = TicketFilter { due_within_minutes: Some(60), ..TicketFilter::default() };
        let breached = TicketFilter { breached: true, ..TicketFilter::default() };
        assert_eq!(by_due(&desk.store, soon.clone()), [(a, Some(at(60)))]);
        assert!(by_due(&desk.store, breached.clone()).is_empty());
        // At 90 it is breached, and no longer "due within".
        desk.at(90);
        assert_eq!(by_due(&desk.store, breached.clone()), [(a, Some(at(60)))]);
        assert!(by_due(&desk.store, soon).is_empty());
        let both = TicketFilter { breached: true, due_within_minutes: Some(60 * 3), ..TicketFilter::default() };
        assert_eq!(by_due(&desk.store, both), [(a, Some(at(60))), (c, Some(at(242)))]);

        // A late reply: A's next target is its resolution, at 240.
        desk.at(100);
        desk.store.add_message(dana, a, Direction::Outbound, "Sorry for the wait").unwrap();
        settle(&mut desk);
        assert_eq!(by_due(&desk.store, everything.clone())[0], (a, Some(at(240))));
        assert!(by_due(&desk.store, breached).is_empty(), "nothing overdue now");

        // C waits on the customer: its clock stops, nothing is due.
        desk.at(110);
        let v = desk.version(c);
        desk.store.set_status(dana, c, v, Status::Waiting).unwrap();
        settle(&mut desk);
        assert_eq!(
            by_due(&desk.store, everything.clone()),
            [(a, Some(at(240))), (b, None), (c, None)]
        );

        // A new policy: Medium tickets get a day to resolve; every open
        // ticket is worked out again.
        let mut policy = urgent_policy();
        policy.targets[1].resolution_minutes = Some(24 * 60);
        desk.store.set_sla_policy(dana, &policy).unwrap();
        settle(&mut desk);
        assert_eq!(
            by_due(&desk.store, everything),
            [(a, Some(at(240))), (b, Some(at(1 + 24 * 60))), (c, None)]
        );
    }
}

/// A desk moved into a team server keeps its policy and every due time as
/// worked out: nothing is left to work out again, and the list reads the
/// same.
#[test]
fn a_desk_moved_into_a_team_server_keeps_its_due_times() {
    let Some(server_desk) = Desk::on(crate::fixtures::Engine::Server) else {
        return;
    };
    let mut desk = Desk::new();
    let dana = desk.dana;
    desk.store.set_sla_policy(dana, &urgent_policy()).unwrap();
    let urgent = desk.ticket("Site down");
    let v = desk.version(urgent);
    desk.store
        .set_priority(dana, urgent, v, Priority::Urgent)
        .unwrap();
    desk.ticket("Question");
    settle(&mut desk);
    let before = by_due(&desk.store, TicketFilter::default());
    assert!(
        before[0].1.is_some(),
        "the urgent ticket is due: {before:?}"
    );

    let url = server_desk.url.clone().expect("a server desk");
    tickets::store::server::TeamAdmin::connect(&url)
        .unwrap()
        .import(&*desk.store, &mut |_, _| {})
        .expect("move the desk");
    let mut team =
        tickets::store::Store::connect(&url, desk.clock.clone()).expect("connect as the owner");
    assert_eq!(team.sla_policy().unwrap(), urgent_policy());
    assert_eq!(team.refresh_due().unwrap(), 0, "nothing left to work out");
    assert_eq!(by_due(&team, TicketFilter::default()), before);
}
