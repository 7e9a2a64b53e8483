//! Service levels (issue 15): the team's policy kept on both engines, and
//! each ticket's targets read from its trail, as the panel shows them.

use crate::fixtures::{Desk, at};
use crate::on_both_engines;
use chrono::{Duration, NaiveDate};
use tickets::domain::sla::{Clocking, SlaPolicy, SlaTicket, TargetState, Targets, evaluate};
use tickets::domain::{Direction, Priority, Status};
use tickets::store::StoreError;

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
