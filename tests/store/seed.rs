//! The sample-data generator: consistent with the store's rules, deterministic,
//! lifelike, and never mixed into real data.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension};
use tickets::clock::FixedClock;
use tickets::domain::{
    ActivityKind, AgentId, Direction, MessageId, NoteId, Priority, Status, TicketDetail,
    TicketNumber,
};
use tickets::seed::{SeedOptions, generate};
use tickets::store::{ListRequest, Sort, SortColumn, Store, StoreError, TicketFilter};

/// The moment every sample here is made at.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap()
}

fn seeded(tickets: u64, seed: u64) -> Store {
    let mut store = Store::open_in_memory(Arc::new(FixedClock::new(now()))).unwrap();
    generate(&mut store, SeedOptions { tickets, seed }, |_, _| true).unwrap();
    store
}

/// A sample in a file at `path`, so that a plain connection can read what
/// the store does not show (sort keys, who replied first, handled tickets).
fn seeded_file(path: &Path, tickets: u64, seed: u64) -> (Store, Connection) {
    let mut store = Store::open(path, Arc::new(FixedClock::new(now()))).unwrap();
    generate(&mut store, SeedOptions { tickets, seed }, |_, _| true).unwrap();
    (store, Connection::open(path).unwrap())
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

/// Every kind of activity by name. The match has no catch-all, so a new kind
/// cannot be added without deciding here whether sample data shows it.
fn kind_name(kind: &ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Created => "created",
        ActivityKind::StatusChanged { .. } => "status",
        ActivityKind::PriorityChanged { .. } => "priority",
        ActivityKind::SubjectEdited { .. } => "subject",
        ActivityKind::DescriptionEdited => "description",
        ActivityKind::CustomerChanged { .. } => "customer",
        ActivityKind::AgentAssigned { .. } => "assigned",
        ActivityKind::AgentUnassigned { .. } => "unassigned",
        ActivityKind::TagAdded { .. } => "tag added",
        ActivityKind::TagRemoved { .. } => "tag removed",
        ActivityKind::NoteAdded { .. } => "note added",
        ActivityKind::NoteEdited { .. } => "note edited",
        ActivityKind::NoteDeleted { .. } => "note deleted",
        ActivityKind::MessageAttached { .. } => "message",
        ActivityKind::CsatRecorded { .. } => "rating",
        // Only erasing a customer's personal data writes this; sample data erases nobody.
        ActivityKind::CustomerErased { .. } => "erased",
        // Sample tickets are neither merged nor linked.
        ActivityKind::MergedInto { .. } => "merged into",
        ActivityKind::MergedFrom { .. } => "merged from",
        ActivityKind::Linked { .. } => "linked",
        ActivityKind::Unlinked { .. } => "unlinked",
        // Sample data has no canned replies.
        ActivityKind::CannedUsed { .. } => "canned",
    }
}

/// The kinds a sample shows: all but the erasure.
const SAMPLE_KINDS: &[&str] = &[
    "created",
    "status",
    "priority",
    "subject",
    "description",
    "customer",
    "assigned",
    "unassigned",
    "tag added",
    "tag removed",
    "note added",
    "note edited",
    "note deleted",
    "message",
    "rating",
];

/// A ticket's trail, oldest first.
fn trail(t: &TicketDetail) -> Vec<tickets::domain::ActivityEntry> {
    let mut trail = t.activity.clone();
    trail.reverse();
    trail
}

/// Replays a ticket's trail by the rules of docs/METRICS.md and the store's
/// operations, and checks that the stored state, down to the columns only
/// the list and the analytics read, says the same.
#[test]
fn every_seeded_ticket_agrees_with_its_activity_trail() {
    let dir = tempfile::tempdir().unwrap();
    // Five tickets a day: enough for a live backlog in every status.
    let (store, raw) = seeded_file(&dir.path().join("sample.db"), 1800, 7);
    let numbers = all_numbers(&store);
    assert_eq!(numbers.len(), 1800);
    let agent_keys: HashMap<AgentId, String> = raw
        .prepare("SELECT id, sort_key FROM agents")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut reopened = 0;
    let mut statuses = std::collections::HashSet::new();
    let mut kinds = BTreeSet::new();
    for number in numbers {
        let t = store.load_ticket(number).unwrap();
        let trail = trail(&t);
        assert!(
            matches!(trail.first().map(|e| &e.kind), Some(ActivityKind::Created)),
            "{number} starts with Created"
        );
        assert_eq!(trail[0].at, t.created);
        assert!(
            trail.windows(2).all(|w| w[0].at <= w[1].at),
            "{number} in time order"
        );
        assert!(
            trail.iter().all(|e| e.at < now()),
            "{number}: nothing happens at or after now"
        );
        let messages: HashMap<MessageId, (DateTime<Utc>, Direction)> = t
            .messages
            .iter()
            .map(|m| (m.id, (m.at, m.direction)))
            .collect();
        let mut status = Status::Open;
        let mut version = 1;
        let mut resolved = None;
        let mut resolved_by = None;
        let mut closed = None;
        let mut csat: Option<(u8, DateTime<Utc>)> = None;
        let mut first_reply: Option<(DateTime<Utc>, Option<AgentId>)> = None;
        // Fields whose first value the trail does not say: known from their first change.
        let mut priority: Option<Priority> = None;
        let mut subject: Option<String> = None;
        let mut customer: Option<Option<String>> = None;
        let mut assignees: BTreeMap<AgentId, DateTime<Utc>> = BTreeMap::new();
        let mut tags = BTreeSet::new();
        // Each live note: its edits and when it last changed.
        let mut notes: BTreeMap<NoteId, (i64, DateTime<Utc>)> = BTreeMap::new();
        let mut handled: BTreeMap<AgentId, (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
        let mut message_entries = 0;
        for (i, e) in trail.iter().enumerate() {
            kinds.insert(kind_name(&e.kind));
            let actor = e.actor.expect("every sample event has an agent");
            let span = handled.entry(actor).or_insert((e.at, e.at));
            span.1 = e.at;
            match &e.kind {
                ActivityKind::Created => assert_eq!(i, 0, "{number}: created once, first"),
                ActivityKind::StatusChanged { from, to } => {
                    assert_eq!(*from, status, "{number}: trail continuity");
                    assert_ne!(from, to, "{number}: a status change changes it");
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
                ActivityKind::PriorityChanged { from, to } => {
                    assert_eq!(
                        *priority.get_or_insert(*from),
                        *from,
                        "{number}: priority continuity"
                    );
                    assert_ne!(from, to, "{number}: a priority change changes it");
                    priority = Some(*to);
                    version += 1;
                }
                ActivityKind::SubjectEdited { from, to } => {
                    assert_eq!(
                        subject.get_or_insert(from.clone()),
                        from,
                        "{number}: subject continuity"
                    );
                    assert_ne!(from, to, "{number}: an edit changes the subject");
                    subject = Some(to.clone());
                    version += 1;
                }
                ActivityKind::DescriptionEdited => version += 1,
                ActivityKind::CustomerChanged { from, to } => {
                    assert_eq!(
                        customer.get_or_insert(from.clone()),
                        from,
                        "{number}: customer continuity"
                    );
                    assert_ne!(from, to, "{number}: a move changes the customer");
                    customer = Some(to.clone());
                    version += 1;
                }
                ActivityKind::AgentAssigned { agent, .. } => {
                    assert!(
                        assignees.insert(*agent, e.at).is_none(),
                        "{number}: {agent:?} assigned twice"
                    );
                }
                ActivityKind::AgentUnassigned { agent, .. } => {
                    assert!(
                        assignees.remove(agent).is_some(),
                        "{number}: {agent:?} unassigned but not assigned"
                    );
                }
                ActivityKind::TagAdded { tag } => {
                    assert!(tags.insert(tag.clone()), "{number}: “{tag}” added twice");
                }
                ActivityKind::TagRemoved { tag } => {
                    assert!(tags.remove(tag), "{number}: “{tag}” removed but not there");
                }
                ActivityKind::NoteAdded { note } => {
                    assert!(
                        notes.insert(*note, (0, e.at)).is_none(),
                        "{number}: note added twice"
                    );
                }
                ActivityKind::NoteEdited { note } => {
                    let edited = notes.get_mut(note).expect("an edited note exists");
                    *edited = (edited.0 + 1, e.at);
                }
                ActivityKind::NoteDeleted { note, text } => {
                    assert!(
                        notes.remove(note).is_some(),
                        "{number}: deleted note existed"
                    );
                    assert!(!text.is_empty(), "{number}: a deleted note's text is kept");
                }
                ActivityKind::MessageAttached { message, direction } => {
                    message_entries += 1;
                    assert_eq!(
                        messages.get(message),
                        Some(&(e.at, *direction)),
                        "{number}: the message is there"
                    );
                    if *direction == Direction::Outbound && first_reply.is_none() {
                        first_reply = Some((e.at, e.actor));
                    }
                }
                ActivityKind::CsatRecorded { rating, previous } => {
                    assert!(status.is_resolved_like(), "{number}: rated while resolved");
                    assert_eq!(
                        *previous,
                        csat.map(|c| c.0),
                        "{number}: the rating it replaced"
                    );
                    assert_ne!(Some(*rating), *previous, "{number}: a new rating differs");
                    csat = Some((*rating, e.at));
                    version += 1;
                }
                ActivityKind::MergedInto { .. }
                | ActivityKind::MergedFrom { .. }
                | ActivityKind::Linked { .. }
                | ActivityKind::Unlinked { .. } => {
                    panic!("{number}: sample data merges and links nothing")
                }
                ActivityKind::CustomerErased { .. } => {
                    panic!("{number}: sample data erases nobody")
                }
                ActivityKind::CannedUsed { .. } => {
                    panic!("{number}: sample data uses no canned replies")
                }
            }
        }
        statuses.insert(status);
        assert_eq!(t.status, status, "{number} status");
        assert_eq!(t.version, version, "{number} version");
        assert_eq!(t.resolved, resolved, "{number} resolution moment");
        assert_eq!(t.resolved_by, resolved_by, "{number} resolver");
        assert_eq!(t.closed, closed, "{number} close moment");
        assert_eq!(t.csat, csat.map(|c| c.0), "{number} rating");
        assert_eq!(
            t.first_reply,
            first_reply.map(|f| f.0),
            "{number} first reply"
        );
        assert_eq!(
            t.updated,
            trail.last().unwrap().at,
            "{number} updated = last change"
        );
        assert_eq!(
            t.priority,
            priority.unwrap_or(t.priority),
            "{number} priority"
        );
        assert_eq!(
            &t.subject,
            subject.as_ref().unwrap_or(&t.subject),
            "{number} subject"
        );
        let customer_now = t.customer.as_ref().map(|c| c.name.clone());
        assert_eq!(
            customer_now,
            customer.unwrap_or(customer_now.clone()),
            "{number} customer"
        );
        assert_eq!(
            t.assignees.iter().map(|a| a.id).collect::<BTreeSet<_>>(),
            assignees.keys().copied().collect(),
            "{number} assignees"
        );
        assert_eq!(
            t.tags
                .iter()
                .map(|g| g.name.clone())
                .collect::<BTreeSet<_>>(),
            tags,
            "{number} tags"
        );
        assert_eq!(
            t.notes
                .iter()
                .map(|n| (n.id, (n.version - 1, n.updated)))
                .collect::<BTreeMap<_, _>>(),
            notes,
            "{number} notes, their versions and last edits"
        );
        // The conversation and the trail tell the same story.
        assert_eq!(message_entries, t.messages.len(), "{number} messages");
        let outbound: Vec<_> = t
            .messages
            .iter()
            .filter(|m| m.direction == Direction::Outbound)
            .collect();
        assert_eq!(first_reply.map(|f| f.0), outbound.first().map(|m| m.at));
        assert!(t.created <= t.updated);

        // What only the list and the analytics read.
        let (first_reply_by, csat_at, customer_key, assignee_key): (
            Option<AgentId>,
            Option<i64>,
            Option<String>,
            Option<String>,
        ) = raw
            .query_row(
                "SELECT first_reply_by, csat_at, customer_key, assignee_key FROM tickets WHERE id = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            first_reply_by,
            first_reply.and_then(|f| f.1),
            "{number} first replier"
        );
        assert_eq!(
            csat_at,
            csat.map(|c| c.1.timestamp_millis()),
            "{number} rating moment"
        );
        let expected_customer_key: Option<String> = match &t.customer {
            Some(c) => raw
                .query_row(
                    "SELECT sort_key FROM customers WHERE id = ?1",
                    [c.id],
                    |r| r.get(0),
                )
                .optional()
                .unwrap(),
            None => None,
        };
        assert_eq!(
            customer_key, expected_customer_key,
            "{number} customer sort key"
        );
        assert_eq!(
            assignee_key,
            assignees.keys().map(|a| agent_keys[a].clone()).min(),
            "{number} assignee sort key"
        );
        let assigned_at: BTreeMap<AgentId, DateTime<Utc>> = raw
            .prepare("SELECT agent_id, assigned_at FROM ticket_assignees WHERE ticket_id = ?1")
            .unwrap()
            .query_map([number], |r| {
                Ok((
                    r.get(0)?,
                    DateTime::from_timestamp_millis(r.get(1)?).unwrap(),
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(assigned_at, assignees, "{number} assignment moments");
        let agent_tickets: BTreeMap<AgentId, (DateTime<Utc>, DateTime<Utc>)> = raw
            .prepare("SELECT agent_id, first_at, last_at FROM agent_tickets WHERE ticket_id = ?1")
            .unwrap()
            .query_map([number], |r| {
                let at = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap();
                Ok((r.get(0)?, (at(r.get(1)?), at(r.get(2)?))))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(agent_tickets, handled, "{number} tickets handled per agent");
    }
    // The data is varied enough to mean something.
    assert_eq!(statuses.len(), 5, "every status occurs: {statuses:?}");
    assert!(reopened > 0, "some tickets were reopened");
    let missing: Vec<_> = SAMPLE_KINDS
        .iter()
        .filter(|k| !kinds.contains(*k))
        .collect();
    assert!(missing.is_empty(), "kinds never replayed: {missing:?}");
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

/// The command line's default sample (1,000 tickets, seed 1) shows every
/// kind of activity the store writes in daily work, each more than by a fluke.
#[test]
fn a_default_sample_shows_every_kind_of_activity() {
    let store = seeded(1000, 1);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for number in all_numbers(&store) {
        for e in store.load_ticket(number).unwrap().activity {
            *counts.entry(kind_name(&e.kind)).or_default() += 1;
        }
    }
    for kind in SAMPLE_KINDS {
        let n = counts.get(kind).copied().unwrap_or(0);
        assert!(n >= 5, "“{kind}” {n} times in a default sample: {counts:?}");
    }
    assert_eq!(counts.len(), SAMPLE_KINDS.len(), "{counts:?}");
    // Shown with --nocapture.
    println!("{counts:?}");
}

/// The share of `count` in `of`, as a percentage.
fn percent(count: usize, of: usize) -> f64 {
    100.0 * count as f64 / of.max(1) as f64
}

/// The largest share (in %) that one value holds among `values`.
fn largest_share(values: impl IntoIterator<Item = i64>) -> f64 {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    let mut total = 0;
    for v in values {
        *counts.entry(v).or_default() += 1;
        total += 1;
    }
    percent(counts.values().copied().max().unwrap_or(0), total)
}

/// How the lives of a sample go, counted per ticket, against bands wide
/// enough for any seed yet narrow enough to catch a life that never happens
/// (or always does).
#[test]
fn a_sample_lives_like_a_help_desk() {
    // 5,000 tickets over a year: a share of 2% is about 100 tickets, so the
    // bands below are far outside the noise.
    let store = seeded(5000, 3);
    let numbers = all_numbers(&store);
    let tickets = numbers.len();
    assert_eq!(tickets, 5000);
    let inactive: BTreeSet<AgentId> = store
        .agents()
        .unwrap()
        .into_iter()
        .filter(|a| !a.active)
        .map(|a| a.id)
        .collect();
    assert_eq!(inactive.len(), 2);
    let minute = Duration::minutes(1).num_milliseconds();
    let hour = Duration::hours(1).num_milliseconds();
    let day = Duration::days(1).num_milliseconds();
    let (mut priority_changed, mut reopened_after_closed, mut tag_removed) = (0, 0, 0);
    let (mut rated, mut rerated, mut moved, mut handed_over) = (0, 0, 0, 0);
    let (mut old_backlog, mut waiting_for_months, mut by_leavers) = (0, 0, 0);
    let mut close_gaps = Vec::new();
    let mut waits = Vec::new();
    for number in numbers {
        let t = store.load_ticket(number).unwrap();
        let trail = trail(&t);
        let any = |f: &dyn Fn(&ActivityKind) -> bool| trail.iter().any(|e| f(&e.kind));
        priority_changed +=
            usize::from(any(&|k| matches!(k, ActivityKind::PriorityChanged { .. })));
        tag_removed += usize::from(any(&|k| matches!(k, ActivityKind::TagRemoved { .. })));
        moved += usize::from(any(&|k| matches!(k, ActivityKind::CustomerChanged { .. })));
        handed_over += usize::from(any(&|k| matches!(k, ActivityKind::AgentUnassigned { .. })));
        rated += usize::from(any(&|k| matches!(k, ActivityKind::CsatRecorded { .. })));
        rerated += usize::from(any(&|k| {
            matches!(
                k,
                ActivityKind::CsatRecorded {
                    previous: Some(_),
                    ..
                }
            )
        }));
        reopened_after_closed += usize::from(any(
            &|k| matches!(k, ActivityKind::StatusChanged { from: Status::Closed, to } if !to.is_resolved_like()),
        ));
        by_leavers += usize::from(
            trail
                .iter()
                .any(|e| e.actor.is_some_and(|a| inactive.contains(&a))),
        );
        // Each stretch in Waiting that has ended: how long the customer took.
        let mut waiting_since: Option<DateTime<Utc>> = None;
        for e in &trail {
            if let ActivityKind::StatusChanged { from, to } = &e.kind {
                if let (Status::Waiting, Some(since)) = (from, waiting_since.take()) {
                    waits.push((e.at - since).num_milliseconds());
                }
                if *to == Status::Waiting {
                    waiting_since = Some(e.at);
                }
            }
        }
        if let (Status::Closed, Some(resolved), Some(closed)) = (t.status, t.resolved, t.closed) {
            close_gaps.push((closed - resolved).num_milliseconds());
        }
        if !t.status.is_resolved_like() {
            assert!(
                t.assignees.iter().all(|a| a.active),
                "{number}: whoever left handed their backlog on"
            );
            if now() - t.created > Duration::days(60) {
                old_backlog += 1;
                waiting_for_months += usize::from(
                    t.status == Status::Waiting && now() - t.updated > Duration::days(60),
                );
            }
        }
    }
    let share = |count: usize| percent(count, tickets);
    let report = format!(
        "priority changed {:.1}%, reopened after Closed {:.1}%, tag removed {:.1}%, \
         rated {:.1}%, re-rated {:.1}% of rated, moved {:.1}%, handed over {:.1}%, \
         open over 60 days {:.2}% ({waiting_for_months} waiting that long), \
         {by_leavers} touched by agents who left",
        share(priority_changed),
        share(reopened_after_closed),
        share(tag_removed),
        share(rated),
        percent(rerated, rated),
        share(moved),
        share(handed_over),
        share(old_backlog),
    );
    // Triage corrects about one priority in 14, and escalations and tickets
    // parked for months add more: well above 5%, far below a quarter.
    assert!((5.0..=25.0).contains(&share(priority_changed)), "{report}");
    // About one customer in ten comes back after a resolution, and about half
    // of those after the close: a few percent.
    assert!(
        (1.0..=10.0).contains(&share(reopened_after_closed)),
        "{report}"
    );
    // Hasty triage tags and "escalated"/"outage" tags coming off on resolution.
    assert!((2.0..=15.0).contains(&share(tag_removed)), "{report}");
    // About a third of customers rate; some of them change their mind.
    assert!((20.0..=45.0).contains(&share(rated)), "{report}");
    assert!((5.0..=35.0).contains(&percent(rerated, rated)), "{report}");
    // Unknown senders matched to a customer, tickets raised by the wrong colleague.
    assert!((0.5..=6.0).contains(&share(moved)), "{report}");
    // Shift changes and the backlog of agents who left.
    assert!((1.0..=10.0).contains(&share(handed_over)), "{report}");
    // Feature requests and customers gone quiet keep some tickets open for
    // months, but the backlog is not mostly stale.
    assert!((0.3..=5.0).contains(&share(old_backlog)), "{report}");
    assert!(waiting_for_months > 0, "{report}");
    // The agents who left have a history.
    assert!(by_leavers > 20, "{report}");

    // Resolved → Closed: from minutes to weeks, never piled on one value, not
    // even to the minute (the old generator, its waits capped at a day, closed
    // 65% of tickets exactly one day after resolving).
    let closed = close_gaps.len();
    assert!(closed > tickets / 2, "{closed} closed");
    let within_a_day = close_gaps.iter().filter(|&&g| g < day).count();
    let over_a_week = close_gaps.iter().filter(|&&g| g > 7 * day).count();
    let gaps = format!(
        "{:.1}% closed within a day of resolving, {:.1}% over a week later; \
         the most common gap holds {:.1}%, the most common minute {:.1}%",
        percent(within_a_day, closed),
        percent(over_a_week, closed),
        largest_share(close_gaps.iter().copied()),
        largest_share(close_gaps.iter().map(|g| g / minute)),
    );
    assert!(largest_share(close_gaps.iter().copied()) <= 5.0, "{gaps}");
    assert!(
        largest_share(close_gaps.iter().map(|g| g / minute)) <= 5.0,
        "{gaps}"
    );
    assert!(
        (20.0..=60.0).contains(&percent(within_a_day, closed)),
        "{gaps}"
    );
    assert!(
        (2.0..=20.0).contains(&percent(over_a_week, closed)),
        "{gaps}"
    );

    // Waiting on the customer: mostly hours, a long tail of days and weeks.
    let mut sorted = waits.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let over_a_week = waits.iter().filter(|&&w| w > 7 * day).count();
    let over_a_month = waits.iter().filter(|&&w| w > 30 * day).count();
    let waiting = format!(
        "{} waits: median {:.1} h, {:.1}% over a week, {:.1}% over a month; \
         the most common wait holds {:.1}%",
        waits.len(),
        median as f64 / hour as f64,
        percent(over_a_week, waits.len()),
        percent(over_a_month, waits.len()),
        largest_share(waits.iter().copied()),
    );
    assert!(waits.len() > tickets / 5, "{waiting}");
    assert!(median < day, "{waiting}");
    let within_a_day = waits.iter().filter(|&&w| w < day).count();
    assert!(percent(within_a_day, waits.len()) > 50.0, "{waiting}");
    assert!(
        (3.0..=25.0).contains(&percent(over_a_week, waits.len())),
        "{waiting}"
    );
    assert!(over_a_month > 0, "{waiting}");
    assert!(largest_share(waits.iter().copied()) <= 5.0, "{waiting}");
    // Shown with --nocapture.
    println!("{report}\n{gaps}\n{waiting}");
}
