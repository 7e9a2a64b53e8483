//! Every store operation and every kind of activity, as an agent would notice them:
//! what the ticket panel shows afterwards, what the trail says, and what is refused.

use crate::fixtures::{Desk, at, hears_within_a_second, new_ticket, t0};
use crate::on_both_engines;
use chrono::{DateTime, Utc};
use tickets::domain::{
    ActivityEntry, ActivityKind, AgentId, CustomerId, Direction, NewCustomer, NewTicket, Priority,
    Status, TicketDetail, TicketNumber,
};
use tickets::store::{ListRequest, Sort, SortColumn, StoreError, TicketFilter};

// ---------------------------------------------------------------------------
// Helpers

/// Asserts that the newest trail entry is `kind`, by `actor` at `when`, and
/// that the ticket shows `when` as its last change.
fn assert_latest(d: &TicketDetail, when: DateTime<Utc>, actor: AgentId, kind: ActivityKind) {
    let e = &d.activity[0];
    assert_eq!(e.kind, kind, "newest entry of {}", d.number);
    assert_eq!(e.at, when, "time of {:?}", e.kind);
    assert_eq!(e.actor, Some(actor), "actor of {:?}", e.kind);
    assert_eq!(d.updated, when, "updated of {}", d.number);
}

/// Moves a ticket to `to` as `who`, against its current version.
fn move_to(desk: &mut Desk, who: AgentId, n: TicketNumber, to: Status) {
    let v = desk.version(n);
    desk.act(who).set_status(who, n, v, to).unwrap();
}

fn customer(name: &str, email: &str, company: &str) -> NewCustomer {
    NewCustomer {
        name: name.to_owned(),
        email: email.to_owned(),
        company: company.to_owned(),
    }
}

fn sorted_by(column: SortColumn) -> ListRequest {
    ListRequest {
        filter: TicketFilter::default(),
        sort: Sort {
            column,
            descending: false,
        },
        offset: 0,
        limit: 100,
        anchor: None,
    }
}

fn list_numbers(desk: &Desk, request: &ListRequest) -> Vec<TicketNumber> {
    let page = desk.store.list_tickets(request).unwrap();
    page.rows.iter().map(|r| r.number).collect()
}

fn is_invalid(err: &StoreError, field: &str) -> bool {
    matches!(err, StoreError::Invalid(v) if v.field == field)
}

fn is_conflict(err: &StoreError, ticket: TicketNumber, current: i64) -> bool {
    matches!(err, StoreError::Conflict { ticket: t, current_version } if *t == ticket && *current_version == current)
}

// ---------------------------------------------------------------------------
// Raising tickets

on_both_engines! {
    fn create_ticket_starts_open_at_medium_numbered_from_one(desk: Desk) {
        let first = desk.ticket("Printer on fire");
        desk.at(5);
        let second = desk.ticket("Cannot log in");

        assert_eq!(first, TicketNumber(1));
        assert_eq!(second, TicketNumber(2));
        assert_eq!(first.to_string(), "TKT-000001");
        assert_eq!(second.to_string(), "TKT-000002");

        let t = desk.load(first);
        assert_eq!(t.number, first);
        assert_eq!(t.subject, "Printer on fire");
        assert_eq!(t.description, "");
        assert_eq!(t.status, Status::Open);
        assert_eq!(t.priority, Priority::Medium);
        assert_eq!(t.created, t0());
        assert_eq!(t.updated, t0());
        assert_eq!(t.version, 1);
        assert_eq!(t.customer, None);
        assert!(t.assignees.is_empty() && t.tags.is_empty());
        assert!(t.messages.is_empty() && t.notes.is_empty());
        assert_eq!(
            (t.first_reply, t.resolved, t.resolved_by, t.closed, t.csat),
            (None, None, None, None, None)
        );
        assert_eq!(t.activity.len(), 1);
        let created = &t.activity[0];
        assert_eq!(created.kind, ActivityKind::Created);
        assert_eq!(created.actor, Some(desk.dana));
        assert_eq!(created.actor_name, "Dana");
        assert_eq!(created.at, t0());
        assert_eq!(created.sentence(), "Dana created the ticket");

        let t2 = desk.load(second);
        assert_eq!((t2.created, t2.updated), (at(5), at(5)));
    }
}

on_both_engines! {
    fn create_ticket_with_priority_description_and_customer(desk: Desk) {
        let ann = desk
            .store
            .add_customer(&customer("Ann Lee", "ann@example.com", "Lee & Co"))
            .unwrap();
        desk.store.add_customer_tag(ann, "VIP").unwrap();
        let n = desk
            .store
            .create_ticket(
                desk.dana,
                &NewTicket {
                    subject: "Refund for order 1234".to_owned(),
                    description: "  She was charged twice.\n".to_owned(),
                    priority: Priority::Urgent,
                    customer: Some(ann),
                },
            )
            .unwrap();
        let t = desk.load(n);
        assert_eq!(t.priority, Priority::Urgent);
        assert_eq!(t.description, "She was charged twice.");
        let c = t.customer.expect("the customer");
        assert_eq!(
            (c.id, c.name.as_str(), c.email.as_str(), c.company.as_str()),
            (ann, "Ann Lee", "ann@example.com", "Lee & Co")
        );
        assert_eq!(c.tags, vec!["VIP".to_owned()]);
        let row = &desk
            .store
            .list_tickets(&sorted_by(SortColumn::Number))
            .unwrap()
            .rows[0];
        assert_eq!(row.customer.as_deref(), Some("Ann Lee"));
    }
}

on_both_engines! {
    fn create_ticket_refuses_blank_or_long_subjects_and_trims(desk: Desk) {
        let dana = desk.dana;
        for bad in ["", "   ", " \n\t ", "\r\n"] {
            let err = desk
                .store
                .create_ticket(dana, &new_ticket(bad))
                .unwrap_err();
            assert!(is_invalid(&err, "Subject"), "{bad:?}: {err:?}");
            assert_eq!(err.to_string(), "Subject: is required");
        }
        let err = desk
            .store
            .create_ticket(dana, &new_ticket(&"x".repeat(201)))
            .unwrap_err();
        assert!(is_invalid(&err, "Subject"), "{err:?}");
        assert!(err.to_string().contains("201"), "{err}");
        // A missing customer or agent is refused too.
        let err = desk
            .store
            .create_ticket(
                dana,
                &NewTicket {
                    customer: Some(CustomerId(99)),
                    ..new_ticket("For nobody")
                },
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    what: "customer",
                    id: 99
                }
            ),
            "{err:?}"
        );
        let err = desk
            .store
            .create_ticket(AgentId(99), &new_ticket("By nobody"))
            .unwrap_err();
        // On a file there is no such agent; on a server nobody acts as
        // anyone but the agent signed in.
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    what: "agent",
                    id: 99
                } | StoreError::NotAllowed(_)
            ),
            "{err:?}"
        );

        // Nothing was created, so the next ticket is still TKT-000001.
        assert_eq!(desk.count("tickets"), 0);
        assert_eq!(desk.activity_rows(), 0);
        assert!(matches!(
            desk.store.load_ticket(TicketNumber(1)),
            Err(StoreError::NoSuchTicket(TicketNumber(1)))
        ));

        // 200 characters (not bytes) fit, surrounding space does not count.
        let long = format!("  {}\n", "é".repeat(200));
        let n = desk.store.create_ticket(dana, &new_ticket(&long)).unwrap();
        assert_eq!(n, TicketNumber(1));
        assert_eq!(desk.load(n).subject, "é".repeat(200));

        let n = desk.ticket("  Refund please \n");
        assert_eq!(n, TicketNumber(2));
        assert_eq!(desk.load(n).subject, "Refund please");
        let n = desk.ticket("Line\none\ttwo");
        assert_eq!(desk.load(n).subject, "Line one two");
    }
}

// ---------------------------------------------------------------------------
// Field edits: activity with from/to, version, updated time, no-ops

on_both_engines! {
    fn set_status_records_from_and_to(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let t1 = desk.at(10);
        desk.store
            .set_status(dana, n, 1, Status::InProgress)
            .unwrap();
        let d = desk.load(n);
        assert_eq!(d.status, Status::InProgress);
        assert_eq!(d.version, 2);
        assert_eq!(d.created, t0());
        assert_eq!(d.activity.len(), 2);
        assert_eq!(
            d.activity[0],
            ActivityEntry {
                id: d.activity[0].id,
                at: t1,
                actor: Some(dana),
                actor_name: "Dana".to_owned(),
                kind: ActivityKind::StatusChanged {
                    from: Status::Open,
                    to: Status::InProgress,
                },
                bulk: None,
            }
        );

        let t2 = desk.at(25);
        desk.store.set_status(dana, n, 2, Status::Waiting).unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, 3);
        assert_latest(
            &d,
            t2,
            dana,
            ActivityKind::StatusChanged {
                from: Status::InProgress,
                to: Status::Waiting,
            },
        );

        // Setting the status it already has changes nothing at all.
        desk.at(40);
        desk.store.set_status(dana, n, 3, Status::Waiting).unwrap();
        assert_eq!(desk.load(n), d);
    }
}

on_both_engines! {
    fn set_priority_records_from_and_to(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let t1 = desk.at(3);
        desk.store
            .set_priority(dana, n, 1, Priority::Urgent)
            .unwrap();
        let d = desk.load(n);
        assert_eq!(d.priority, Priority::Urgent);
        assert_eq!(d.version, 2);
        assert_latest(
            &d,
            t1,
            dana,
            ActivityKind::PriorityChanged {
                from: Priority::Medium,
                to: Priority::Urgent,
            },
        );
        desk.at(9);
        desk.store
            .set_priority(dana, n, 2, Priority::Urgent)
            .unwrap();
        assert_eq!(desk.load(n), d);

        let t2 = desk.at(12);
        desk.store.set_priority(dana, n, 2, Priority::Low).unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, 3);
        assert_latest(
            &d,
            t2,
            dana,
            ActivityKind::PriorityChanged {
                from: Priority::Urgent,
                to: Priority::Low,
            },
        );
    }
}

on_both_engines! {
    fn set_subject_records_old_and_new_text_and_is_searchable(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let t1 = desk.at(7);
        desk.store
            .set_subject(dana, n, 1, "  Printer smoking \n")
            .unwrap();
        let d = desk.load(n);
        assert_eq!(d.subject, "Printer smoking");
        assert_eq!(d.version, 2);
        assert_latest(
            &d,
            t1,
            dana,
            ActivityKind::SubjectEdited {
                from: "Printer on fire".to_owned(),
                to: "Printer smoking".to_owned(),
            },
        );
        assert_eq!(
            d.activity[0].sentence(),
            "Dana changed the subject from “Printer on fire” to “Printer smoking”"
        );

        // Same text once trimmed: nothing to record.
        desk.at(8);
        desk.store
            .set_subject(dana, n, 2, "Printer smoking  ")
            .unwrap();
        assert_eq!(desk.load(n), d);

        // Blank is refused like at creation.
        let err = desk.store.set_subject(dana, n, 2, "  ").unwrap_err();
        assert!(is_invalid(&err, "Subject"), "{err:?}");
        assert_eq!(desk.load(n), d);

        // The list's search follows the new subject.
        let search = |text: &str| ListRequest {
            filter: TicketFilter {
                text: text.to_owned(),
                ..TicketFilter::default()
            },
            ..sorted_by(SortColumn::Number)
        };
        assert_eq!(list_numbers(&desk, &search("smoking")), vec![n]);
        assert!(list_numbers(&desk, &search("fire")).is_empty());
    }
}

on_both_engines! {
    fn set_description_records_an_edit(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let t1 = desk.at(4);
        desk.store
            .set_description(dana, n, 1, "Third floor.\nSmoke everywhere.\n")
            .unwrap();
        let d = desk.load(n);
        assert_eq!(d.description, "Third floor.\nSmoke everywhere.");
        assert_eq!(d.version, 2);
        assert_latest(&d, t1, dana, ActivityKind::DescriptionEdited);
        assert_eq!(d.activity[0].sentence(), "Dana edited the description");

        desk.at(5);
        desk.store
            .set_description(dana, n, 2, "Third floor.\nSmoke everywhere.")
            .unwrap();
        assert_eq!(desk.load(n), d);

        // Clearing it is an edit too.
        let t2 = desk.at(6);
        desk.store.set_description(dana, n, 2, "   ").unwrap();
        let d = desk.load(n);
        assert_eq!(d.description, "");
        assert_latest(&d, t2, dana, ActivityKind::DescriptionEdited);
    }
}

on_both_engines! {
    fn set_customer_records_names_before_and_after(desk: Desk) {
        let dana = desk.dana;
        let ann = desk
            .store
            .add_customer(&customer("Ann Lee", "", ""))
            .unwrap();
        let bob = desk
            .store
            .add_customer(&customer("Bob Stone", "", ""))
            .unwrap();
        let n = desk.ticket("Printer on fire");

        let t1 = desk.at(1);
        desk.store.set_customer(dana, n, 1, Some(ann)).unwrap();
        let d = desk.load(n);
        assert_eq!(d.customer.as_ref().map(|c| c.id), Some(ann));
        assert_eq!(d.version, 2);
        assert_latest(
            &d,
            t1,
            dana,
            ActivityKind::CustomerChanged {
                from: None,
                to: Some("Ann Lee".to_owned()),
            },
        );
        assert_eq!(d.activity[0].sentence(), "Dana set the customer to Ann Lee");

        let t2 = desk.at(2);
        desk.store.set_customer(dana, n, 2, Some(bob)).unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, 3);
        assert_latest(
            &d,
            t2,
            dana,
            ActivityKind::CustomerChanged {
                from: Some("Ann Lee".to_owned()),
                to: Some("Bob Stone".to_owned()),
            },
        );
        assert_eq!(
            d.activity[0].sentence(),
            "Dana moved the ticket from Ann Lee to Bob Stone"
        );

        // The same customer again: nothing.
        desk.at(3);
        desk.store.set_customer(dana, n, 3, Some(bob)).unwrap();
        assert_eq!(desk.load(n), d);

        // A customer that does not exist: refused, nothing changes.
        let err = desk
            .store
            .set_customer(dana, n, 3, Some(CustomerId(99)))
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    what: "customer",
                    id: 99
                }
            ),
            "{err:?}"
        );
        assert_eq!(desk.load(n), d);

        let t4 = desk.at(4);
        desk.store.set_customer(dana, n, 3, None).unwrap();
        let d = desk.load(n);
        assert_eq!(d.customer, None);
        assert_eq!(d.version, 4);
        assert_latest(
            &d,
            t4,
            dana,
            ActivityKind::CustomerChanged {
                from: Some("Bob Stone".to_owned()),
                to: None,
            },
        );
        assert_eq!(
            d.activity[0].sentence(),
            "Dana removed the customer Bob Stone"
        );
        let row = &desk.store.rows(&[n]).unwrap()[0];
        assert_eq!(row.customer, None);
    }
}

on_both_engines! {
    fn set_csat_only_on_resolved_like_tickets_and_within_one_to_five(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");

        // Open, In Progress, Waiting: refused.
        for status in [Status::Open, Status::InProgress, Status::Waiting] {
            move_to(&mut desk, dana, n, status);
            let before = desk.load(n);
            let err = desk.store.set_csat(dana, n, before.version, 5).unwrap_err();
            assert!(
                matches!(err, StoreError::NotAllowed(_)),
                "{status:?}: {err:?}"
            );
            assert!(err.to_string().contains("Resolved or Closed"), "{err}");
            assert_eq!(desk.load(n), before);
        }

        move_to(&mut desk, dana, n, Status::Resolved);
        let before = desk.load(n);
        for bad in [0, 6, 255] {
            let err = desk
                .store
                .set_csat(dana, n, before.version, bad)
                .unwrap_err();
            assert!(is_invalid(&err, "Satisfaction rating"), "{bad}: {err:?}");
        }
        assert_eq!(desk.load(n), before);

        let t1 = desk.at(30);
        desk.store.set_csat(dana, n, before.version, 4).unwrap();
        let d = desk.load(n);
        assert_eq!(d.csat, Some(4));
        assert_eq!(d.version, before.version + 1);
        assert_latest(
            &d,
            t1,
            dana,
            ActivityKind::CsatRecorded {
                rating: 4,
                previous: None,
            },
        );
        assert_eq!(
            d.activity[0].sentence(),
            "Dana recorded a satisfaction rating of 4 of 5"
        );

        // Same rating again: nothing.
        desk.at(31);
        desk.store.set_csat(dana, n, d.version, 4).unwrap();
        assert_eq!(desk.load(n), d);

        // Closed tickets can be rated too; re-rating keeps what it replaced.
        move_to(&mut desk, dana, n, Status::Closed);
        let t2 = desk.at(45);
        let v = desk.version(n);
        desk.store.set_csat(dana, n, v, 2).unwrap();
        let d = desk.load(n);
        assert_eq!(d.csat, Some(2));
        assert_eq!(d.version, v + 1);
        assert_latest(
            &d,
            t2,
            dana,
            ActivityKind::CsatRecorded {
                rating: 2,
                previous: Some(4),
            },
        );
        assert_eq!(
            d.activity[0].sentence(),
            "Dana changed the satisfaction rating from 4 to 2 of 5"
        );
    }
}

// ---------------------------------------------------------------------------
// Analytics moments (docs/metrics.md)

on_both_engines! {
    fn resolution_and_close_moments_follow_the_metrics_definitions(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "");
        let n = desk.ticket("Printer on fire");

        desk.at(10);
        move_to(&mut desk, dana, n, Status::InProgress);
        let d = desk.load(n);
        assert_eq!((d.resolved, d.resolved_by, d.closed), (None, None, None));

        // Entering Resolved from an unresolved status is the resolution moment.
        let resolved = desk.at(20);
        move_to(&mut desk, dana, n, Status::Resolved);
        let d = desk.load(n);
        assert_eq!(
            (d.resolved, d.resolved_by, d.closed),
            (Some(resolved), Some(dana), None)
        );

        // Resolved → Closed keeps the resolution (and who made it) and sets the close moment.
        let closed = desk.at(30);
        move_to(&mut desk, sam, n, Status::Closed);
        let d = desk.load(n);
        assert_eq!(
            (d.resolved, d.resolved_by, d.closed),
            (Some(resolved), Some(dana), Some(closed))
        );

        // Reopening clears the resolution; the close moment stays the last entry into Closed.
        desk.at(40);
        move_to(&mut desk, sam, n, Status::Open);
        let d = desk.load(n);
        assert_eq!(
            (d.resolved, d.resolved_by, d.closed),
            (None, None, Some(closed))
        );

        // Re-resolving takes the new time and the new agent.
        let re_resolved = desk.at(50);
        move_to(&mut desk, sam, n, Status::Resolved);
        let d = desk.load(n);
        assert_eq!(
            (d.resolved, d.resolved_by, d.closed),
            (Some(re_resolved), Some(sam), Some(closed))
        );

        // Closing again moves the close moment, not the resolution.
        let re_closed = desk.at(60);
        move_to(&mut desk, dana, n, Status::Closed);
        let d = desk.load(n);
        assert_eq!(
            (d.resolved, d.resolved_by, d.closed),
            (Some(re_resolved), Some(sam), Some(re_closed))
        );

        // Closed → Resolved is not a new resolution and does not enter Closed.
        desk.at(70);
        move_to(&mut desk, dana, n, Status::Resolved);
        let d = desk.load(n);
        assert_eq!(
            (d.resolved, d.resolved_by, d.closed),
            (Some(re_resolved), Some(sam), Some(re_closed))
        );

        // Moving between unresolved statuses never creates one.
        desk.at(80);
        move_to(&mut desk, dana, n, Status::Waiting);
        desk.at(90);
        move_to(&mut desk, dana, n, Status::InProgress);
        let d = desk.load(n);
        assert_eq!((d.resolved, d.resolved_by), (None, None));
    }
}

on_both_engines! {
    fn closing_straight_from_open_is_both_resolution_and_close(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Spam");
        let t = desk.at(2);
        move_to(&mut desk, dana, n, Status::Closed);
        let d = desk.load(n);
        assert_eq!(
            (d.resolved, d.resolved_by, d.closed),
            (Some(t), Some(dana), Some(t))
        );
    }
}

on_both_engines! {
    fn first_reply_is_the_first_outbound_message_only(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "");
        let n = desk.ticket("Printer on fire");

        desk.at(5);
        desk.store
            .add_message(dana, n, Direction::Inbound, "It is still burning")
            .unwrap();
        desk.at(6);
        desk.store.add_note(dana, n, "Called facilities").unwrap();
        assert_eq!(desk.load(n).first_reply, None);

        let reply = desk.at(15);
        desk.act(sam)
            .add_message(sam, n, Direction::Outbound, "Please leave the building")
            .unwrap();
        assert_eq!(desk.load(n).first_reply, Some(reply));

        desk.at(25);
        desk.store
            .add_message(dana, n, Direction::Outbound, "All clear now")
            .unwrap();
        desk.at(26);
        desk.store
            .add_message(dana, n, Direction::Inbound, "Thanks")
            .unwrap();
        assert_eq!(desk.load(n).first_reply, Some(reply));
    }
}

// ---------------------------------------------------------------------------
// Additive operations

on_both_engines! {
    fn assign_and_unassign_several_agents(desk: Desk) {
        let dana = desk.dana;
        let zoe = desk.hire("Zoe", "");
        let ben = desk.hire("ben", "");
        let n = desk.ticket("Printer on fire");

        let t1 = desk.at(1);
        desk.store.assign(dana, n, zoe).unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, 1, "assigning is not a field edit");
        assert_latest(
            &d,
            t1,
            dana,
            ActivityKind::AgentAssigned {
                agent: zoe,
                name: "Zoe".to_owned(),
            },
        );
        assert_eq!(d.activity[0].sentence(), "Dana assigned Zoe");

        let t2 = desk.at(2);
        desk.store.assign(dana, n, dana).unwrap();
        desk.store.assign(dana, n, ben).unwrap();
        let d = desk.load(n);
        assert_eq!(d.activity[1].sentence(), "Dana assigned themselves");
        let names: Vec<&str> = d.assignees.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["ben", "Dana", "Zoe"], "alphabetical, ignoring case");
        assert_eq!(
            desk.store.rows(&[n]).unwrap()[0].assignees,
            ["ben", "Dana", "Zoe"]
        );

        // Assigning someone already assigned is a no-op.
        desk.at(3);
        desk.store.assign(dana, n, zoe).unwrap();
        assert_eq!(desk.load(n), d);
        assert_eq!(d.updated, t2);

        // An inactive agent cannot be newly assigned.
        let old = desk.hire("Olga", "");
        desk.store.set_agent_active(old, false).unwrap();
        let err = desk.store.assign(dana, n, old).unwrap_err();
        assert!(matches!(err, StoreError::NotAllowed(_)), "{err:?}");
        assert!(err.to_string().contains("Olga"), "{err}");
        assert_eq!(desk.load(n), d);
        let err = desk.store.assign(dana, n, AgentId(99)).unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { what: "agent", .. }),
            "{err:?}"
        );

        let t4 = desk.at(4);
        desk.store.unassign(dana, n, zoe).unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, 1);
        assert_latest(
            &d,
            t4,
            dana,
            ActivityKind::AgentUnassigned {
                agent: zoe,
                name: "Zoe".to_owned(),
            },
        );
        assert_eq!(d.activity[0].sentence(), "Dana unassigned Zoe");
        let names: Vec<&str> = d.assignees.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["ben", "Dana"]);

        // Unassigning someone not assigned is a no-op.
        desk.at(5);
        desk.store.unassign(dana, n, zoe).unwrap();
        assert_eq!(desk.load(n), d);

        desk.store.unassign(dana, n, dana).unwrap();
        desk.store.unassign(dana, n, ben).unwrap();
        let d = desk.load(n);
        assert!(d.assignees.is_empty());
        assert_eq!(d.activity[1].sentence(), "Dana unassigned themselves");
        let unassigned = ListRequest {
            filter: TicketFilter {
                unassigned: true,
                ..TicketFilter::default()
            },
            ..sorted_by(SortColumn::Number)
        };
        assert_eq!(list_numbers(&desk, &unassigned), vec![n]);
    }
}

on_both_engines! {
    fn tags_are_case_insensitive_and_created_on_first_use(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let other = desk.ticket("Cannot log in");

        let t1 = desk.at(1);
        let vip = desk.store.add_tag(dana, n, "VIP").unwrap();
        assert_eq!(vip.name, "VIP");
        let d = desk.load(n);
        assert_eq!(d.version, 1, "tagging is not a field edit");
        assert_latest(
            &d,
            t1,
            dana,
            ActivityKind::TagAdded {
                tag: "VIP".to_owned(),
            },
        );
        assert_eq!(d.activity[0].sentence(), "Dana added the tag “VIP”");

        // "vip" is the same tag: already on the ticket, so nothing happens.
        desk.at(2);
        let again = desk.store.add_tag(dana, n, "vip").unwrap();
        assert_eq!(again, vip);
        assert_eq!(desk.load(n), d);

        // On another ticket it is the same tag, written as first written.
        desk.store.add_tag(dana, other, " vIp ").unwrap();
        assert_eq!(desk.load(other).tags, vec![vip.clone()]);

        // A new name is a new tag, trimmed.
        let t3 = desk.at(3);
        let billing = desk.store.add_tag(dana, n, "  billing\n").unwrap();
        assert_eq!(billing.name, "billing");
        assert_ne!(billing.id, vip.id);
        let d = desk.load(n);
        assert_eq!(
            d.tags,
            vec![billing.clone(), vip.clone()],
            "alphabetical, ignoring case"
        );
        assert_eq!(d.updated, t3);
        assert_eq!(
            desk.store.tags().unwrap(),
            vec![billing.clone(), vip.clone()]
        );
        assert_eq!(desk.store.tag_named("vip").unwrap(), Some(vip.clone()));
        assert_eq!(desk.store.tag_named("nope").unwrap(), None);

        let err = desk.store.add_tag(dana, n, "   ").unwrap_err();
        assert!(is_invalid(&err, "Tag"), "{err:?}");
        let err = desk.store.add_tag(dana, n, &"t".repeat(51)).unwrap_err();
        assert!(is_invalid(&err, "Tag"), "{err:?}");

        let t4 = desk.at(4);
        desk.store.remove_tag(dana, n, vip.id).unwrap();
        let d = desk.load(n);
        assert_eq!(d.tags, vec![billing.clone()]);
        assert_eq!(d.version, 1);
        assert_latest(
            &d,
            t4,
            dana,
            ActivityKind::TagRemoved {
                tag: "VIP".to_owned(),
            },
        );
        assert_eq!(d.activity[0].sentence(), "Dana removed the tag “VIP”");
        // The tag itself stays in the vocabulary (another ticket uses it).
        assert_eq!(desk.load(other).tags, vec![vip.clone()]);

        // Removing it again is a no-op.
        desk.at(5);
        desk.store.remove_tag(dana, n, vip.id).unwrap();
        assert_eq!(desk.load(n), d);
    }
}

on_both_engines! {
    fn notes_are_added_edited_with_versions_and_deleted_into_the_trail(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "");
        let n = desk.ticket("Printer on fire");

        let t1 = desk.at(1);
        let note = desk
            .store
            .add_note(dana, n, "  Called facilities\n")
            .unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, 1, "notes are not field edits");
        assert_latest(&d, t1, dana, ActivityKind::NoteAdded { note });
        assert_eq!(d.activity[0].sentence(), "Dana added an internal note");
        assert_eq!(d.notes.len(), 1);
        let shown = &d.notes[0];
        assert_eq!(shown.id, note);
        assert_eq!(shown.body, "Called facilities");
        assert_eq!(shown.author.as_ref().map(|a| a.name.as_str()), Some("Dana"));
        assert_eq!((shown.created, shown.updated, shown.version), (t1, t1, 1));

        let err = desk.store.add_note(dana, n, " \n ").unwrap_err();
        assert!(is_invalid(&err, "Note"), "{err:?}");

        // Sam edits it against version 1.
        let t2 = desk.at(2);
        desk.act(sam)
            .edit_note(sam, note, 1, "Called facilities; they are on their way")
            .unwrap();
        let d = desk.load(n);
        let shown = &d.notes[0];
        assert_eq!(shown.body, "Called facilities; they are on their way");
        assert_eq!((shown.created, shown.updated, shown.version), (t1, t2, 2));
        assert_eq!(shown.author.as_ref().map(|a| a.name.as_str()), Some("Dana"));
        assert_latest(&d, t2, sam, ActivityKind::NoteEdited { note });
        assert_eq!(d.activity[0].sentence(), "Sam edited an internal note");

        // Dana's edit, made against the version she loaded before Sam's, is refused.
        desk.at(3);
        let err = desk.store.edit_note(dana, note, 1, "Mine").unwrap_err();
        assert!(matches!(err, StoreError::NoteConflict), "{err:?}");
        assert_eq!(desk.load(n), d);

        // Same text: nothing.
        desk.store
            .edit_note(dana, note, 2, "Called facilities; they are on their way")
            .unwrap();
        assert_eq!(desk.load(n), d);

        let t4 = desk.at(4);
        desk.store.delete_note(dana, note).unwrap();
        let d = desk.load(n);
        assert!(d.notes.is_empty());
        assert_latest(
            &d,
            t4,
            dana,
            ActivityKind::NoteDeleted {
                note,
                text: "Called facilities; they are on their way".to_owned(),
            },
        );
        assert_eq!(d.activity[0].sentence(), "Dana deleted an internal note");

        let err = desk.store.delete_note(dana, note).unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { what: "note", .. }),
            "{err:?}"
        );
        let err = desk.store.edit_note(dana, note, 3, "Back").unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { what: "note", .. }),
            "{err:?}"
        );
        assert_eq!(desk.load(n), d);
    }
}

on_both_engines! {
    fn messages_inbound_and_outbound(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");

        let t1 = desk.at(1);
        let inbound = desk
            .store
            .add_message(dana, n, Direction::Inbound, "Smoke on the third floor\n")
            .unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, 1, "messages are not field edits");
        assert_latest(
            &d,
            t1,
            dana,
            ActivityKind::MessageAttached {
                message: inbound,
                direction: Direction::Inbound,
            },
        );
        assert_eq!(
            d.activity[0].sentence(),
            "Dana recorded a message from the customer"
        );

        let t2 = desk.at(2);
        let outbound = desk
            .store
            .add_message(dana, n, Direction::Outbound, "We are on it")
            .unwrap();
        let d = desk.load(n);
        assert_latest(
            &d,
            t2,
            dana,
            ActivityKind::MessageAttached {
                message: outbound,
                direction: Direction::Outbound,
            },
        );
        assert_eq!(d.activity[0].sentence(), "Dana replied to the customer");

        let shown: Vec<_> = d
            .messages
            .iter()
            .map(|m| (m.id, m.direction, m.body.as_str(), m.at))
            .collect();
        assert_eq!(
            shown,
            [
                (inbound, Direction::Inbound, "Smoke on the third floor", t1),
                (outbound, Direction::Outbound, "We are on it", t2),
            ]
        );
        assert!(
            d.messages
                .iter()
                .all(|m| m.author.as_ref().map(|a| a.id) == Some(dana))
        );

        let err = desk
            .store
            .add_message(dana, n, Direction::Outbound, "  ")
            .unwrap_err();
        assert!(is_invalid(&err, "Message"), "{err:?}");
        let err = desk
            .store
            .add_message(dana, n, Direction::Outbound, "bell\u{7}")
            .unwrap_err();
        assert!(is_invalid(&err, "Message"), "{err:?}");
        assert_eq!(desk.load(n), d);
    }
}

// ---------------------------------------------------------------------------
// Conflicts

on_both_engines! {
    fn a_field_edit_against_an_old_version_is_a_conflict(desk: Desk) {
        let dana = desk.dana;
        let ann = desk
            .store
            .add_customer(&customer("Ann Lee", "", ""))
            .unwrap();
        let n = desk.ticket("Printer on fire");
        let v = desk.load(n).version;

        desk.at(1);
        desk.store.set_priority(dana, n, v, Priority::High).unwrap();
        let after = desk.load(n);
        assert_eq!(after.version, v + 1);
        let rows = desk.activity_rows();

        desk.at(2);
        let attempts: Vec<StoreError> = vec![
            desk.store.set_subject(dana, n, v, "Other").unwrap_err(),
            desk.store
                .set_status(dana, n, v, Status::Resolved)
                .unwrap_err(),
            desk.store
                .set_priority(dana, n, v, Priority::Low)
                .unwrap_err(),
            desk.store.set_description(dana, n, v, "More").unwrap_err(),
            desk.store.set_customer(dana, n, v, Some(ann)).unwrap_err(),
            desk.store.set_csat(dana, n, v, 5).unwrap_err(),
            // A version from the future is no better.
            desk.store.set_subject(dana, n, v + 5, "Other").unwrap_err(),
        ];
        for err in &attempts {
            assert!(is_conflict(err, n, v + 1), "{err:?}");
        }
        assert!(
            attempts[0]
                .to_string()
                .starts_with("TKT-000001 was changed by someone else"),
            "{}",
            attempts[0]
        );
        assert_eq!(desk.load(n), after);
        assert_eq!(desk.activity_rows(), rows);

        // Against the current version the edit goes through.
        desk.store.set_subject(dana, n, v + 1, "Other").unwrap();
        assert_eq!(desk.load(n).subject, "Other");
    }
}

on_both_engines! {
    fn additive_changes_need_no_version_and_do_not_move_it(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let v = desk.load(n).version;

        desk.at(1);
        desk.store.assign(dana, n, dana).unwrap();
        let tag = desk.store.add_tag(dana, n, "hardware").unwrap();
        let note = desk.store.add_note(dana, n, "Called facilities").unwrap();
        desk.store
            .add_message(dana, n, Direction::Outbound, "On it")
            .unwrap();
        desk.store
            .edit_note(dana, note, 1, "Called facilities twice")
            .unwrap();
        desk.store.remove_tag(dana, n, tag.id).unwrap();
        desk.store.delete_note(dana, note).unwrap();
        desk.store.unassign(dana, n, dana).unwrap();
        let d = desk.load(n);
        assert_eq!(d.version, v);
        assert_eq!(d.updated, at(1));
        assert_eq!(d.activity.len(), 9);

        // So a field edit made against the version loaded before them still applies.
        desk.at(2);
        desk.store
            .set_status(dana, n, v, Status::InProgress)
            .unwrap();
        assert_eq!(desk.load(n).status, Status::InProgress);
    }
}

on_both_engines! {
    fn conflicts_across_two_stores_on_one_file(desk: Desk) {
        let dana = desk.dana;
        let n = desk.ticket("Printer on fire");
        let sam = desk.hire("Sam", "");
        let mut other = desk.store_as(sam);

        // Both windows show version 1.
        let mine = desk.load(n);
        let theirs = other.load_ticket(n).unwrap();
        assert_eq!(mine, theirs);

        let mut seen = tickets::store::ChangeToken::default();
        assert!(
            !desk.store.changes_since(&mut seen).unwrap(),
            "nothing new yet"
        );
        desk.at(1);
        other
            .set_status(sam, n, theirs.version, Status::InProgress)
            .unwrap();
        assert!(
            hears_within_a_second(&desk.store, &mut seen),
            "the first window can notice the other's change"
        );
        assert!(
            !desk.store.changes_since(&mut seen).unwrap(),
            "and hears of it once"
        );

        desk.at(2);
        let err = desk
            .store
            .set_priority(dana, n, mine.version, Priority::Urgent)
            .unwrap_err();
        assert!(is_conflict(&err, n, mine.version + 1), "{err:?}");
        let now = desk.load(n);
        assert_eq!(now.status, Status::InProgress);
        assert_eq!(now.priority, Priority::Medium);
        assert_eq!(now.updated, at(1));
        assert_eq!(now.activity[0].actor_name, "Sam");
        assert_eq!(now, other.load_ticket(n).unwrap());

        // With the latest version it applies, and the other window sees it.
        desk.store
            .set_priority(dana, n, now.version, Priority::Urgent)
            .unwrap();
        let err = other.set_subject(sam, n, now.version, "Stale").unwrap_err();
        assert!(is_conflict(&err, n, now.version + 1), "{err:?}");
        assert_eq!(other.load_ticket(n).unwrap().priority, Priority::Urgent);

        // Additions from both windows all land.
        desk.store.add_note(dana, n, "From window one").unwrap();
        other.add_note(sam, n, "From window two").unwrap();
        assert_eq!(desk.load(n).notes.len(), 2);
    }
}

// ---------------------------------------------------------------------------
// The trail and transactions

#[test]
fn the_activity_trail_cannot_be_rewritten_from_outside() {
    let mut desk = Desk::new();
    let dana = desk.dana;
    let n = desk.ticket("Printer on fire");
    desk.store
        .set_status(dana, n, 1, Status::InProgress)
        .unwrap();
    let before = desk.load(n);
    let rows = desk.activity_rows();

    let raw = desk.raw();
    for sql in [
        "UPDATE activity SET kind = 'created'",
        "UPDATE activity SET at = 0 WHERE id = 1",
        "DELETE FROM activity",
        "DELETE FROM activity WHERE id = 1",
    ] {
        let err = raw.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    drop(raw);
    assert_eq!(desk.activity_rows(), rows);
    assert_eq!(desk.load(n), before);
}

/// Makes the next activity entry of `kind` fail, from outside the store, so
/// that an operation fails after it has written its change.
fn sabotage(desk: &Desk, kind: &str) {
    desk.raw()
        .execute_batch(&format!(
            "CREATE TRIGGER sabotage BEFORE INSERT ON activity WHEN new.kind = '{kind}'
             BEGIN SELECT RAISE(ABORT, 'sabotaged'); END;"
        ))
        .unwrap();
}

fn repair(desk: &Desk) {
    desk.raw().execute_batch("DROP TRIGGER sabotage").unwrap();
}

#[test]
fn a_change_and_its_activity_entry_are_written_together_or_not_at_all() {
    let mut desk = Desk::new();
    let dana = desk.dana;
    let n = desk.ticket("Printer on fire");
    let tables = [
        "tickets",
        "tags",
        "ticket_tags",
        "notes",
        "messages",
        "ticket_assignees",
        "activity",
    ];
    let snapshot = |desk: &Desk| -> (TicketDetail, Vec<i64>) {
        (desk.load(n), tables.iter().map(|t| desk.count(t)).collect())
    };
    let before = snapshot(&desk);
    desk.at(5);

    sabotage(&desk, "status");
    let err = desk
        .store
        .set_status(dana, n, 1, Status::Closed)
        .unwrap_err();
    assert!(err.to_string().contains("sabotaged"), "{err}");
    repair(&desk);
    assert_eq!(
        snapshot(&desk),
        before,
        "no status, no closed time, no version bump"
    );

    sabotage(&desk, "tag_added");
    desk.store.add_tag(dana, n, "hardware").unwrap_err();
    repair(&desk);
    assert_eq!(
        snapshot(&desk),
        before,
        "no new tag in the vocabulary either"
    );
    assert_eq!(desk.store.tag_named("hardware").unwrap(), None);

    sabotage(&desk, "message");
    desk.store
        .add_message(dana, n, Direction::Outbound, "On it")
        .unwrap_err();
    repair(&desk);
    assert_eq!(snapshot(&desk), before, "no message and no first reply");

    sabotage(&desk, "note_added");
    desk.store.add_note(dana, n, "Called").unwrap_err();
    repair(&desk);
    assert_eq!(snapshot(&desk), before);

    sabotage(&desk, "assigned");
    desk.store.assign(dana, n, dana).unwrap_err();
    repair(&desk);
    assert_eq!(snapshot(&desk), before);

    sabotage(&desk, "created");
    desk.store
        .create_ticket(dana, &new_ticket("Never raised"))
        .unwrap_err();
    repair(&desk);
    assert_eq!(snapshot(&desk), before);
    // Not even the number was used up.
    assert_eq!(desk.ticket("Raised"), TicketNumber(2));
}

on_both_engines! {
    fn refused_operations_write_nothing(desk: Desk) {
        let dana = desk.dana;
        let olga = desk.hire("Olga", "");
        desk.store.set_agent_active(olga, false).unwrap();
        let n = desk.ticket("Printer on fire");
        let note = desk.store.add_note(dana, n, "Called").unwrap();
        let before = desk.load(n);
        let rows = desk.activity_rows();
        desk.at(5);

        let refusals: Vec<StoreError> = vec![
            desk.store.set_subject(dana, n, 1, "").unwrap_err(),
            desk.store
                .set_subject(dana, n, 1, &"x".repeat(201))
                .unwrap_err(),
            desk.store
                .set_description(dana, n, 1, "nul\u{0}")
                .unwrap_err(),
            desk.store
                .set_status(dana, n, 0, Status::Resolved)
                .unwrap_err(),
            desk.store.set_csat(dana, n, 1, 5).unwrap_err(),
            desk.store.set_csat(dana, n, 1, 9).unwrap_err(),
            desk.store
                .set_customer(dana, n, 1, Some(CustomerId(7)))
                .unwrap_err(),
            desk.store.assign(dana, n, olga).unwrap_err(),
            desk.store.add_tag(dana, n, "").unwrap_err(),
            desk.store.add_note(dana, n, "").unwrap_err(),
            desk.store.edit_note(dana, note, 0, "Stale").unwrap_err(),
            desk.store
                .add_message(dana, n, Direction::Inbound, "")
                .unwrap_err(),
            desk.store
                .set_status(AgentId(99), n, 1, Status::Resolved)
                .unwrap_err(),
        ];
        assert_eq!(refusals.len(), 13);
        assert_eq!(desk.activity_rows(), rows);
        assert_eq!(desk.load(n), before);
    }
}

// ---------------------------------------------------------------------------
// Loading a ticket

on_both_engines! {
    fn load_ticket_orders_conversation_notes_and_trail(desk: Desk) {
        let dana = desk.dana;
        let ann = desk
            .store
            .add_customer(&customer("Ann Lee", "ann@example.com", "Lee & Co"))
            .unwrap();
        desk.store.add_customer_tag(ann, "vip").unwrap();
        desk.store.add_customer_tag(ann, "Enterprise").unwrap();
        let n = desk
            .store
            .create_ticket(
                dana,
                &NewTicket {
                    customer: Some(ann),
                    ..new_ticket("Printer on fire")
                },
            )
            .unwrap();

        desk.at(1);
        let m1 = desk
            .store
            .add_message(dana, n, Direction::Inbound, "one")
            .unwrap();
        desk.at(2);
        let n1 = desk.store.add_note(dana, n, "first note").unwrap();
        desk.at(3);
        let m2 = desk
            .store
            .add_message(dana, n, Direction::Outbound, "two")
            .unwrap();
        desk.at(4);
        let n2 = desk.store.add_note(dana, n, "second note").unwrap();
        // Two changes in the same millisecond: still newest first.
        desk.at(5);
        let m3 = desk
            .store
            .add_message(dana, n, Direction::Inbound, "three")
            .unwrap();
        desk.store
            .set_status(dana, n, 1, Status::InProgress)
            .unwrap();
        // Editing the first note later does not move it.
        desk.at(6);
        desk.store
            .edit_note(dana, n1, 1, "first note, edited")
            .unwrap();

        let d = desk.load(n);
        assert_eq!(
            d.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
            [m1, m2, m3]
        );
        assert_eq!(d.notes.iter().map(|x| x.id).collect::<Vec<_>>(), [n1, n2]);
        let trail: Vec<String> = d.activity.iter().map(|e| e.sentence()).collect();
        assert_eq!(
            trail,
            [
                "Dana edited an internal note",
                "Dana changed status from Open to In Progress",
                "Dana recorded a message from the customer",
                "Dana added an internal note",
                "Dana replied to the customer",
                "Dana added an internal note",
                "Dana recorded a message from the customer",
                "Dana created the ticket",
            ]
        );
        let times: Vec<_> = d.activity.iter().map(|e| e.at).collect();
        assert_eq!(
            times,
            [at(6), at(5), at(5), at(4), at(3), at(2), at(1), at(0)]
        );

        let c = d.customer.expect("customer");
        assert_eq!(c.name, "Ann Lee");
        assert_eq!(c.tags, ["Enterprise", "vip"]);
    }
}

on_both_engines! {
    fn a_missing_ticket_is_reported_by_number(desk: Desk) {
        let dana = desk.dana;
        desk.ticket("Printer on fire");
        let missing = TicketNumber(42);
        let errors = vec![
            desk.store.load_ticket(missing).unwrap_err(),
            desk.store
                .set_status(dana, missing, 1, Status::Closed)
                .unwrap_err(),
            desk.store
                .set_priority(dana, missing, 1, Priority::Low)
                .unwrap_err(),
            desk.store.assign(dana, missing, dana).unwrap_err(),
            desk.store.add_tag(dana, missing, "x").unwrap_err(),
            desk.store.add_note(dana, missing, "x").unwrap_err(),
            desk.store
                .add_message(dana, missing, Direction::Inbound, "x")
                .unwrap_err(),
        ];
        for err in errors {
            assert!(
                matches!(err, StoreError::NoSuchTicket(TicketNumber(42))),
                "{err:?}"
            );
            assert_eq!(err.to_string(), "TKT-000042 does not exist");
        }
        assert_eq!(desk.store.tag_named("x").unwrap(), None);
        assert_eq!(desk.activity_rows(), 1);
    }
}

// ---------------------------------------------------------------------------
// People

on_both_engines! {
    fn agents_are_added_renamed_and_deactivated(desk: Desk) {
        let dana = desk.dana;
        let zed = desk.store.add_agent("Zed", "zed@example.com").unwrap();
        let alice = desk.store.add_agent("  alice ", "").unwrap();
        let names: Vec<String> = desk
            .store
            .agents()
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["alice", "Dana", "Zed"]);
        let a = desk.store.agent(zed).unwrap();
        assert_eq!(
            (a.name.as_str(), a.email.as_str(), a.active),
            ("Zed", "zed@example.com", true)
        );

        let err = desk.store.add_agent(" ", "").unwrap_err();
        assert!(is_invalid(&err, "Name"), "{err:?}");
        let err = desk.store.add_agent("Eve", "not an email").unwrap_err();
        assert!(is_invalid(&err, "Email"), "{err:?}");

        let to_zed = desk.ticket("One");
        let to_alice = desk.ticket("Two");
        let nobody = desk.ticket("Three");
        let both = desk.ticket("Four");
        desk.store.assign(dana, to_zed, zed).unwrap();
        desk.store.assign(dana, to_alice, alice).unwrap();
        desk.store.assign(dana, both, zed).unwrap();
        desk.store.assign(dana, both, dana).unwrap();
        let by_assignee = sorted_by(SortColumn::Assignee);
        assert_eq!(
            list_numbers(&desk, &by_assignee),
            [nobody, to_alice, both, to_zed]
        );

        // Renaming Zed to Aaron moves his tickets to the top; the trail keeps the old name.
        desk.store
            .update_agent(zed, "Aaron", "aaron@example.com")
            .unwrap();
        // (Equal keys go by creation time, then number.)
        assert_eq!(
            list_numbers(&desk, &by_assignee),
            [nobody, to_zed, both, to_alice]
        );
        let rows = desk.store.rows(&[both, to_zed]).unwrap();
        assert_eq!(rows[0].assignees, ["Aaron", "Dana"]);
        assert_eq!(rows[1].assignees, ["Aaron"]);
        let d = desk.load(to_zed);
        assert_eq!(d.assignees[0].name, "Aaron");
        assert_eq!(d.assignees[0].email, "aaron@example.com");
        assert_eq!(d.activity[0].sentence(), "Dana assigned Zed");
        let names: Vec<String> = desk
            .store
            .agents()
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["Aaron", "alice", "Dana"]);

        // The acting agent's name in the trail is their name now.
        desk.store.update_agent(dana, "Dana Reyes", "").unwrap();
        assert_eq!(
            desk.load(to_zed).activity[0].sentence(),
            "Dana Reyes assigned Zed"
        );

        let err = desk
            .store
            .update_agent(AgentId(99), "Ghost", "")
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    what: "agent",
                    id: 99
                }
            ),
            "{err:?}"
        );
        let err = desk.store.update_agent(zed, "", "").unwrap_err();
        assert!(is_invalid(&err, "Name"), "{err:?}");

        // Deactivated: kept in the list of agents and on current tickets, not newly assignable.
        desk.store.set_agent_active(zed, false).unwrap();
        assert!(!desk.store.agent(zed).unwrap().active);
        assert_eq!(desk.store.agents().unwrap().len(), 3);
        assert_eq!(desk.load(to_zed).assignees[0].id, zed);
        assert!(matches!(
            desk.store.assign(dana, to_alice, zed),
            Err(StoreError::NotAllowed(_))
        ));
        // They can still be taken off a ticket, and put back once reactivated.
        desk.store.unassign(dana, to_zed, zed).unwrap();
        desk.store.set_agent_active(zed, true).unwrap();
        desk.store.assign(dana, to_alice, zed).unwrap();
        assert_eq!(
            desk.store.rows(&[to_alice]).unwrap()[0].assignees,
            ["Aaron", "alice"]
        );
    }
}

on_both_engines! {
    fn customers_are_added_renamed_tagged_and_found(desk: Desk) {
        let dana = desk.dana;
        let ann = desk
            .store
            .add_customer(&customer("Ann Lee", "ann@example.com", "Lee & Co"))
            .unwrap();
        let bob = desk
            .store
            .add_customer(&customer("Bob Stone", "bob@stone.io", ""))
            .unwrap();
        let carla = desk
            .store
            .add_customer(&customer("Carla Diaz", "", "Diaz Imports"))
            .unwrap();
        let err = desk.store.add_customer(&customer("", "", "")).unwrap_err();
        assert!(is_invalid(&err, "Name"), "{err:?}");
        let err = desk
            .store
            .add_customer(&customer("Eve", "eve@", ""))
            .unwrap_err();
        assert!(is_invalid(&err, "Email"), "{err:?}");

        let raise = |desk: &mut Desk, subject: &str, who: Option<CustomerId>| {
            desk.store
                .create_ticket(
                    dana,
                    &NewTicket {
                        customer: who,
                        ..new_ticket(subject)
                    },
                )
                .unwrap()
        };
        let for_carla = raise(&mut desk, "One", Some(carla));
        let for_ann = raise(&mut desk, "Two", Some(ann));
        let for_nobody = raise(&mut desk, "Three", None);
        let for_bob = raise(&mut desk, "Four", Some(bob));
        let by_customer = sorted_by(SortColumn::Customer);
        assert_eq!(
            list_numbers(&desk, &by_customer),
            [for_nobody, for_ann, for_bob, for_carla]
        );

        // Renaming Ann to Zara moves her ticket to the end.
        desk.store
            .update_customer(ann, &customer("Zara Lee", "zara@example.com", "Lee & Co"))
            .unwrap();
        assert_eq!(
            list_numbers(&desk, &by_customer),
            [for_nobody, for_bob, for_carla, for_ann]
        );
        assert_eq!(
            desk.store.rows(&[for_ann]).unwrap()[0].customer.as_deref(),
            Some("Zara Lee")
        );
        let c = desk.store.customer(ann).unwrap();
        assert_eq!(
            (c.name.as_str(), c.email.as_str()),
            ("Zara Lee", "zara@example.com")
        );
        let err = desk
            .store
            .update_customer(CustomerId(99), &customer("Ghost", "", ""))
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    what: "customer",
                    id: 99
                }
            ),
            "{err:?}"
        );

        // Customer tags share the case-insensitive vocabulary.
        let vip = desk.store.add_customer_tag(bob, "VIP").unwrap();
        assert_eq!(desk.store.add_customer_tag(bob, "vip").unwrap(), vip);
        desk.store.add_customer_tag(bob, "wholesale").unwrap();
        assert_eq!(desk.store.customer(bob).unwrap().tags, ["VIP", "wholesale"]);
        assert_eq!(
            desk.load(for_bob).customer.unwrap().tags,
            ["VIP", "wholesale"]
        );
        let by_customer_tag = ListRequest {
            filter: TicketFilter {
                customer_tags: vec![vip.id],
                ..TicketFilter::default()
            },
            ..sorted_by(SortColumn::Number)
        };
        assert_eq!(list_numbers(&desk, &by_customer_tag), [for_bob]);
        desk.store.remove_customer_tag(bob, vip.id).unwrap();
        assert_eq!(desk.store.customer(bob).unwrap().tags, ["wholesale"]);
        assert!(list_numbers(&desk, &by_customer_tag).is_empty());
        let err = desk
            .store
            .add_customer_tag(CustomerId(99), "x")
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    what: "customer",
                    ..
                }
            ),
            "{err:?}"
        );

        // Finding customers: by name prefix, by email, by company, by id.
        let found = |text: &str| -> Vec<CustomerId> {
            desk.store
                .find_customers(text, 10)
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect()
        };
        assert_eq!(found("car"), [carla]);
        assert_eq!(found("Zar"), [ann]);
        assert_eq!(found("bob@stone.io"), [bob]);
        assert_eq!(found("zara@example"), [ann]);
        assert_eq!(found("imports"), [carla]);
        assert_eq!(found(&carla.0.to_string()), [carla]);
        assert!(found("Ann").is_empty(), "the old name is forgotten");
        assert!(found("nobody").is_empty());
        assert_eq!(found(""), [bob, carla, ann], "everyone, by name");
        assert_eq!(desk.store.find_customers("", 2).unwrap().len(), 2);
        let with_tags = desk.store.find_customers("stone", 10).unwrap();
        assert_eq!(with_tags[0].tags, ["wholesale"]);
    }
}

// ---------------------------------------------------------------------------
// The trail in words

on_both_engines! {
    fn activity_sentences_read_naturally(desk: Desk) {
        let dana = desk.dana;
        let sam = desk.hire("Sam", "");
        let n = desk.ticket("Printer on fire");
        desk.store
            .set_status(dana, n, 1, Status::InProgress)
            .unwrap();
        desk.store
            .set_priority(dana, n, 2, Priority::Urgent)
            .unwrap();
        desk.store.assign(dana, n, sam).unwrap();
        desk.act(sam).set_status(sam, n, 3, Status::Resolved).unwrap();
        desk.act(sam).set_csat(sam, n, 4, 5).unwrap();
        let mut trail: Vec<String> = desk.load(n).activity.iter().map(|e| e.sentence()).collect();
        trail.reverse();
        assert_eq!(
            trail,
            [
                "Dana created the ticket",
                "Dana changed status from Open to In Progress",
                "Dana changed priority from Medium to Urgent",
                "Dana assigned Sam",
                "Sam changed status from In Progress to Resolved",
                "Sam recorded a satisfaction rating of 5 of 5",
            ]
        );
    }
}

// ---------------------------------------------------------------------------
// The counts beside the list's choices stay exact

/// The counts of Open and of High beside the sidebar's choices, with no filter.
fn open_and_high(store: &tickets::store::Store) -> (u64, u64) {
    let facets = store.facet_counts(&TicketFilter::default()).unwrap();
    let status = |s: Status| facets.statuses.iter().find(|(x, _)| *x == s).unwrap().1;
    let priority = |p: Priority| facets.priorities.iter().find(|(x, _)| *x == p).unwrap().1;
    (status(Status::Open), priority(Priority::High))
}

#[test]
fn facet_counts_follow_changes_made_here_and_elsewhere() {
    let mut desk = Desk::new();
    let dana = desk.dana;
    let a = desk.ticket("Printer jams");
    let b = desk.ticket("Refund please");
    assert_eq!(open_and_high(&desk.store), (2, 0));

    // Made through this store: the counts follow at once.
    let c = desk.ticket("Invoice copy");
    move_to(&mut desk, dana, a, Status::Closed);
    let v = desk.version(b);
    desk.store.set_priority(dana, b, v, Priority::High).unwrap();
    assert_eq!(open_and_high(&desk.store), (2, 1));

    // A change refused (a stale version) changes no count.
    let stale = desk.version(c) - 1;
    assert!(
        desk.store
            .set_priority(dana, c, stale, Priority::High)
            .is_err()
    );
    assert_eq!(open_and_high(&desk.store), (2, 1));

    // Made by another window on the same file, then by a plain connection.
    let mut other = desk.second_store();
    let v = other.load_ticket(c).unwrap().version;
    other.set_priority(dana, c, v, Priority::High).unwrap();
    other
        .create_ticket(dana, &new_ticket("Login loop"))
        .unwrap();
    assert_eq!(open_and_high(&desk.store), (3, 2));
    desk.raw()
        .execute("UPDATE tickets SET priority = 0 WHERE id = ?1", [c.0])
        .unwrap();
    assert_eq!(open_and_high(&desk.store), (3, 1));

    // Filtered by a search, the counts are those of the tickets it finds.
    let refund = TicketFilter {
        text: "refund".into(),
        ..TicketFilter::default()
    };
    let facets = desk.store.facet_counts(&refund).unwrap();
    assert!(facets.statuses.contains(&(Status::Open, 1)));
    assert!(facets.priorities.contains(&(Priority::High, 1)));
    assert!(facets.statuses.contains(&(Status::Closed, 0)));
}

on_both_engines! {
    fn a_status_filter_within_a_created_range_counts_only_that_range(desk: Desk) {
        for (minutes, subject) in [(0, "First"), (10, "Second"), (20, "Third"), (30, "Fourth")] {
            desk.at(minutes);
            desk.ticket(subject);
        }
        let open_between = |from: Option<i64>, to: Option<i64>| TicketFilter {
            statuses: vec![Status::Open],
            created_from: from.map(at),
            created_to: to.map(at),
            ..TicketFilter::default()
        };
        // Counted before and after the facet counts are first asked for (which
        // lets the list count statuses from the facet table).
        for _ in 0..2 {
            assert_eq!(
                desk.store
                    .count_tickets(&open_between(None, Some(15)))
                    .unwrap(),
                2
            );
            assert_eq!(
                desk.store
                    .count_tickets(&open_between(Some(5), None))
                    .unwrap(),
                3
            );
            assert_eq!(
                desk.store
                    .count_tickets(&open_between(Some(5), Some(25)))
                    .unwrap(),
                2
            );
            assert_eq!(
                desk.store
                    .count_tickets(&open_between(Some(40), None))
                    .unwrap(),
                0
            );
            desk.store.facet_counts(&TicketFilter::default()).unwrap();
        }
    }
}

#[test]
fn a_status_code_tickets_does_not_know_is_damage_in_the_facet_counts() {
    let mut desk = Desk::new();
    desk.ticket("Printer jams");
    let odd = desk.ticket("Refund please");
    assert_eq!(open_and_high(&desk.store), (2, 0));
    // A file damaged past the schema's checks: a status no Tickets wrote.
    let raw = desk.raw();
    raw.execute_batch("PRAGMA ignore_check_constraints = ON")
        .unwrap();
    raw.execute("UPDATE tickets SET status = 9 WHERE id = ?1", [odd.0])
        .unwrap();
    let err = desk
        .store
        .facet_counts(&TicketFilter::default())
        .expect_err("counts that leave a ticket out");
    assert!(
        matches!(err, StoreError::Damaged { .. }),
        "expected Damaged, got {err:?}"
    );
}

#[test]
fn a_page_jumped_to_far_down_the_list_is_the_page_its_offset_names() {
    let mut desk = Desk::new();
    tickets::seed::generate(
        &mut desk.store,
        tickets::seed::SeedOptions {
            tickets: 3000,
            seed: 11,
        },
        |_, _| true,
    )
    .expect("seed");
    // A second store on the file has never made its facet table, so it
    // steps over the rows: the answer to compare with.
    let stepping = desk.second_store();
    desk.store.facet_counts(&TicketFilter::default()).unwrap();
    let filters = [
        TicketFilter::default(),
        TicketFilter {
            statuses: vec![Status::Closed, Status::Resolved],
            ..TicketFilter::default()
        },
        TicketFilter {
            priorities: vec![Priority::Medium, Priority::High],
            created_from: Some(t0() - chrono::Duration::days(250)),
            ..TicketFilter::default()
        },
    ];
    for filter in filters {
        let total = stepping.count_tickets(&filter).unwrap();
        assert!(total > 1_200, "a long enough list: {total}");
        for descending in [true, false] {
            for offset in [1_000, 1_001, total / 2, total - 1_001] {
                let request = ListRequest {
                    filter: filter.clone(),
                    sort: Sort {
                        column: SortColumn::Number,
                        descending,
                    },
                    offset,
                    limit: 50,
                    anchor: None,
                };
                let jumped = desk.store.list_numbers(&request).unwrap();
                let stepped = stepping.list_numbers(&request).unwrap();
                assert_eq!(jumped, stepped, "offset {offset}, descending {descending}");
                assert!(!jumped.is_empty());
            }
        }
    }
}
