//! The sample-data generator: consistent with the store's rules, deterministic,
//! and never mixed into real data.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tickets::clock::FixedClock;
use tickets::domain::{ActivityKind, Direction, Status, TicketNumber};
use tickets::seed::{SeedOptions, generate};
use tickets::store::{ListRequest, Sort, SortColumn, Store, StoreError, TicketFilter};

fn seeded(tickets: u64, seed: u64) -> Store {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap(),
    ));
    let mut store = Store::open_in_memory(clock).unwrap();
    generate(&mut store, SeedOptions { tickets, seed }, |_, _| true).unwrap();
    store
}

fn all_numbers(store: &Store) -> Vec<TicketNumber> {
    let request = ListRequest {
        sort: Sort {
            column: SortColumn::Number,
            descending: false,
        },
        limit: 100_000,
        ..ListRequest::default()
    };
    store.list_numbers(&request).unwrap()
}

/// Replays a ticket's trail by the rules of docs/metrics.md and the store's
/// operations, and checks the stored state says the same.
#[test]
fn every_seeded_ticket_agrees_with_its_activity_trail() {
    // Five tickets a day: enough for a live backlog in every status.
    let store = seeded(1800, 7);
    let numbers = all_numbers(&store);
    assert_eq!(numbers.len(), 1800);
    let mut reopened = 0;
    let mut statuses = std::collections::HashSet::new();
    for number in numbers {
        let t = store.load_ticket(number).unwrap();
        let mut trail = t.activity.clone();
        trail.reverse();
        assert!(
            matches!(trail.first().map(|e| &e.kind), Some(ActivityKind::Created)),
            "{number} starts with Created"
        );
        assert_eq!(trail[0].at, t.created);
        assert!(
            trail.windows(2).all(|w| w[0].at <= w[1].at),
            "{number} in time order"
        );
        let mut status = Status::Open;
        let mut version = 1;
        let mut resolved = None;
        let mut resolved_by = None;
        let mut closed = None;
        let mut csat = None;
        let mut first_reply = None;
        for e in &trail {
            match &e.kind {
                ActivityKind::StatusChanged { from, to } => {
                    assert_eq!(*from, status, "{number}: trail continuity");
                    if !to.is_resolved_like() {
                        resolved = None;
                        resolved_by = None;
                    } else if !from.is_resolved_like() {
                        resolved = Some(e.at);
                        resolved_by = e.actor;
                    }
                    if *to == Status::Closed {
                        closed = Some(e.at);
                    }
                    if from.is_resolved_like() && !to.is_resolved_like() {
                        reopened += 1;
                    }
                    status = *to;
                    version += 1;
                }
                ActivityKind::CsatRecorded { rating, .. } => {
                    assert!(status.is_resolved_like(), "{number}: rated while resolved");
                    csat = Some(*rating);
                    version += 1;
                }
                ActivityKind::MessageAttached {
                    direction: Direction::Outbound,
                    ..
                } if first_reply.is_none() => first_reply = Some(e.at),
                _ => {}
            }
        }
        statuses.insert(status);
        assert_eq!(t.status, status, "{number} status");
        assert_eq!(t.version, version, "{number} version");
        assert_eq!(t.resolved, resolved, "{number} resolution moment");
        assert_eq!(t.resolved_by, resolved_by, "{number} resolver");
        assert_eq!(t.closed, closed, "{number} close moment");
        assert_eq!(t.csat, csat, "{number} rating");
        assert_eq!(t.first_reply, first_reply, "{number} first reply");
        assert_eq!(
            t.updated,
            trail.last().unwrap().at,
            "{number} updated = last change"
        );
        // The conversation and the trail tell the same story.
        let outbound: Vec<_> = t
            .messages
            .iter()
            .filter(|m| m.direction == Direction::Outbound)
            .collect();
        assert_eq!(first_reply, outbound.first().map(|m| m.at));
        assert!(t.created <= t.updated);
    }
    // The data is varied enough to mean something.
    assert_eq!(statuses.len(), 5, "every status occurs: {statuses:?}");
    assert!(reopened > 0, "some tickets were reopened");
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    let rows = |store: &Store| {
        store
            .list_tickets(&ListRequest {
                limit: 1000,
                ..ListRequest::default()
            })
            .unwrap()
            .rows
    };
    let a = rows(&seeded(150, 3));
    assert_eq!(a, rows(&seeded(150, 3)));
    assert_ne!(a, rows(&seeded(150, 4)));
}

#[test]
fn seeded_data_is_searchable_and_filterable() {
    let store = seeded(500, 11);
    let refunds = store
        .count_tickets(&TicketFilter {
            text: "refund".into(),
            ..TicketFilter::default()
        })
        .unwrap();
    assert!(refunds > 0 && refunds < 500, "{refunds}");
    let backlog = store
        .count_tickets(&TicketFilter {
            statuses: vec![Status::Open, Status::InProgress, Status::Waiting],
            ..TicketFilter::default()
        })
        .unwrap();
    assert!(backlog > 0 && backlog < 250, "{backlog}");
    assert!(store.agents().unwrap().iter().any(|a| !a.active));
    assert!(!store.tags().unwrap().is_empty());
}

#[test]
fn sample_data_never_goes_into_a_database_with_tickets() {
    let mut store = seeded(10, 1);
    let err = generate(
        &mut store,
        SeedOptions {
            tickets: 5,
            seed: 2,
        },
        |_, _| true,
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::NotAllowed(_)), "{err}");
    assert_eq!(all_numbers(&store).len(), 10);
}

#[test]
fn a_cancelled_load_leaves_the_database_empty() {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap(),
    ));
    let mut store = Store::open_in_memory(clock).unwrap();
    let err = generate(
        &mut store,
        SeedOptions {
            tickets: 20_000,
            seed: 1,
        },
        |done, _| done < 10_000,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert!(all_numbers(&store).is_empty());
    assert!(store.agents().unwrap().is_empty());
    // And the database still works normally afterwards.
    let agent = store.add_agent("Dana", "").unwrap();
    store
        .create_ticket(
            agent,
            &tickets::domain::NewTicket {
                subject: "After a cancelled load".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        store
            .count_tickets(&TicketFilter {
                text: "cancelled".into(),
                ..TicketFilter::default()
            })
            .unwrap(),
        1
    );
}

#[test]
fn sample_data_loads_beside_the_people_and_tags_already_there() {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap(),
    ));
    let mut store = Store::open_in_memory(clock).unwrap();
    // First launch: the person using the app, a customer and a tag come first.
    let me = store.add_agent("Robin Example", "").unwrap();
    let customer = store
        .add_customer(&tickets::domain::NewCustomer {
            name: "First Customer".into(),
            ..Default::default()
        })
        .unwrap();
    store.add_customer_tag(customer, "vip").unwrap();
    generate(
        &mut store,
        SeedOptions {
            tickets: 50,
            seed: 5,
        },
        |_, _| true,
    )
    .unwrap();
    assert_eq!(all_numbers(&store).len(), 50);
    let agents = store.agents().unwrap();
    assert!(
        agents
            .iter()
            .any(|a| a.id == me && a.name == "Robin Example")
    );
    assert_eq!(agents.len(), 37);
    assert_eq!(store.customer(customer).unwrap().tags, ["vip"]);
    // The existing tag was reused, not duplicated.
    let vip: Vec<_> = store
        .tags()
        .unwrap()
        .into_iter()
        .filter(|t| t.name.eq_ignore_ascii_case("vip"))
        .collect();
    assert_eq!(vip.len(), 1);
}
