//! Many desks on one team server (issue 12's "Many desks"): fifty agents,
//! each at a desk of their own (their own login, their own connection, their
//! own thread), make two hundred changes each to twenty tickets they all
//! share. Field edits carry the version the desk last saw and are refused
//! when someone got there first; notes, tags and assignments carry none.
//!
//! Afterwards, read through a fresh connection and the owner's own: no
//! accepted edit is lost or recorded twice, no two edits were accepted
//! against the same version, each agent's trail is exactly what their desk
//! was told was saved, and every desk hears the last change within a second
//! and then shows what the server holds.
//!
//! `TICKETS_MANY_DESKS_SEED` replays a run's choices (not its interleaving,
//! which is the server's).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::fixtures::{Desk, Engine, env_number, is_field_edit};
use tickets::domain::{
    ActivityKind, AgentId, NoteId, Priority, Status, TicketDetail, TicketNumber,
};
use tickets::store::{ChangeToken, Store, StoreError};

const SEED_VAR: &str = "TICKETS_MANY_DESKS_SEED";
const DEFAULT_SEED: u64 = 12;
const DESKS: usize = 50;
const EDITS_PER_DESK: usize = 200;
const TICKETS: usize = 20;
/// The tags desks put on tickets; each (ticket, tag) pair is one desk's, so
/// a desk knows whether its tag is new, while every desk races to create
/// the tag itself (written in either case: one tag, ignoring case).
const TAGS: [&str; 10] = [
    "billing",
    "refund",
    "bug",
    "vip",
    "hardware",
    "login",
    "printer",
    "network",
    "urgent",
    "follow-up",
];

/// A change a desk was told was saved, as the trail should record it.
#[derive(Clone, Debug)]
struct Accepted {
    by: AgentId,
    ticket: TicketNumber,
    kind: ActivityKind,
    /// After a field edit: the ticket's version it made.
    version: Option<i64>,
}

/// What one desk did, and the desk itself (still connected).
struct Client {
    name: String,
    agent: AgentId,
    store: Store,
    accepted: Vec<Accepted>,
    /// Field edits refused as conflicts.
    refused: usize,
    /// Tags and assignments the ticket already had from this desk: saved,
    /// changing nothing, and so not in the trail.
    repeats: usize,
    /// The (ticket, tag) pairs that are this desk's to add.
    tags: Vec<(TicketNumber, &'static str)>,
    /// Its choices' seed.
    seed: u64,
}

/// What a desk knows of a ticket: what it last loaded, and what it changed since.
#[derive(Clone)]
struct Seen {
    version: i64,
    status: Status,
    priority: Priority,
    subject: String,
}

impl Seen {
    fn of(d: &TicketDetail) -> Seen {
        Seen {
            version: d.version,
            status: d.status,
            priority: d.priority,
            subject: d.subject.clone(),
        }
    }
}

/// One desk's run: `EDITS_PER_DESK` changes, chosen with its seed.
fn work(mut desk: Client, tickets: &[TicketNumber]) -> Client {
    let mut rng = fastrand::Rng::with_seed(desk.seed);
    let me = desk.agent;
    let my_name = desk
        .store
        .signed_in()
        .expect("signed in on a server")
        .name
        .clone();
    let who = desk.name.clone();
    let load = |store: &Store, n: TicketNumber| -> TicketDetail {
        store
            .load_ticket(n)
            .unwrap_or_else(|e| panic!("{who}: loading {n} failed: {e}"))
    };
    let mut seen: BTreeMap<TicketNumber, Seen> = tickets
        .iter()
        .map(|n| (*n, Seen::of(&load(&desk.store, *n))))
        .collect();
    let mut tagged: BTreeSet<(TicketNumber, String)> = BTreeSet::new();
    let mut assigned: BTreeSet<TicketNumber> = BTreeSet::new();
    let mut token = ChangeToken::default();
    for step in 0..EDITS_PER_DESK {
        // As the window does: look for others' changes now and then.
        if step % 10 == 0 {
            desk.store
                .changes_since(&mut token)
                .unwrap_or_else(|e| panic!("{who}: listening failed: {e}"));
        }
        let n = tickets[rng.usize(..tickets.len())];
        let kind = rng.u8(..10);
        if kind < 6 {
            // A field edit, with the version this desk last saw; now and
            // then the agent opens the ticket afresh first.
            if rng.u8(..4) == 0 {
                seen.insert(n, Seen::of(&load(&desk.store, n)));
            }
            let view = seen[&n].clone();
            let v = view.version;
            let (change, result) = match kind / 2 {
                0 => {
                    let to = loop {
                        let to = Status::ALL[rng.usize(..Status::ALL.len())];
                        if to != view.status {
                            break to;
                        }
                    };
                    let change = ActivityKind::StatusChanged {
                        from: view.status,
                        to,
                    };
                    (change, desk.store.set_status(me, n, v, to))
                }
                1 => {
                    let to = loop {
                        let to = Priority::ALL[rng.usize(..Priority::ALL.len())];
                        if to != view.priority {
                            break to;
                        }
                    };
                    let change = ActivityKind::PriorityChanged {
                        from: view.priority,
                        to,
                    };
                    (change, desk.store.set_priority(me, n, v, to))
                }
                _ => {
                    let to = format!("{who} says {step}");
                    let change = ActivityKind::SubjectEdited {
                        from: view.subject.clone(),
                        to: to.clone(),
                    };
                    (change, desk.store.set_subject(me, n, v, &to))
                }
            };
            match result {
                Ok(()) => {
                    let now = seen.get_mut(&n).expect("seen every ticket");
                    now.version = v + 1;
                    match &change {
                        ActivityKind::StatusChanged { to, .. } => now.status = *to,
                        ActivityKind::PriorityChanged { to, .. } => now.priority = *to,
                        ActivityKind::SubjectEdited { to, .. } => now.subject.clone_from(to),
                        _ => unreachable!("a field edit"),
                    }
                    desk.accepted.push(Accepted {
                        by: me,
                        ticket: n,
                        kind: change,
                        version: Some(v + 1),
                    });
                }
                Err(StoreError::Conflict {
                    ticket,
                    current_version,
                }) => {
                    assert_eq!(ticket, n, "{who}: a conflict on {n} names {ticket}");
                    assert!(
                        current_version > v,
                        "{who}: {n} refused against version {v} while it is at {current_version}"
                    );
                    desk.refused += 1;
                    let fresh = load(&desk.store, n);
                    assert!(
                        fresh.version >= current_version,
                        "{who}: {n} reloaded at version {} after a refusal at {current_version}",
                        fresh.version
                    );
                    seen.insert(n, Seen::of(&fresh));
                }
                Err(e) => panic!("{who}: {change:?} on {n} at version {v} failed: {e}"),
            }
            continue;
        }
        match kind {
            6 | 7 => {
                let body = format!("{who}'s note {step}");
                let note = desk
                    .store
                    .add_note(me, n, &body)
                    .unwrap_or_else(|e| panic!("{who}: a note on {n} failed: {e}"));
                desk.accepted.push(Accepted {
                    by: me,
                    ticket: n,
                    kind: ActivityKind::NoteAdded { note },
                    version: None,
                });
            }
            8 => {
                let (n, tag) = desk.tags[rng.usize(..desk.tags.len())];
                let written = if rng.bool() {
                    tag.to_uppercase()
                } else {
                    tag.to_owned()
                };
                let saved = desk
                    .store
                    .add_tag(me, n, &written)
                    .unwrap_or_else(|e| panic!("{who}: tagging {n} {written} failed: {e}"));
                assert_eq!(
                    saved.name.to_lowercase(),
                    tag,
                    "{who}: tagged {n} {written}, got {saved:?}"
                );
                if tagged.insert((n, tag.to_owned())) {
                    desk.accepted.push(Accepted {
                        by: me,
                        ticket: n,
                        kind: ActivityKind::TagAdded { tag: saved.name },
                        version: None,
                    });
                } else {
                    desk.repeats += 1;
                }
            }
            _ => {
                desk.store
                    .assign(me, n, me)
                    .unwrap_or_else(|e| panic!("{who}: taking {n} failed: {e}"));
                if assigned.insert(n) {
                    desk.accepted.push(Accepted {
                        by: me,
                        ticket: n,
                        kind: ActivityKind::AgentAssigned {
                            agent: me,
                            name: my_name.clone(),
                        },
                        version: None,
                    });
                } else {
                    desk.repeats += 1;
                }
            }
        }
    }
    desk
}

/// The trail's code for a kind of change, as `tickets.activity.kind` holds it.
fn code(kind: &ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Created => "created",
        ActivityKind::StatusChanged { .. } => "status",
        ActivityKind::PriorityChanged { .. } => "priority",
        ActivityKind::SubjectEdited { .. } => "subject",
        ActivityKind::NoteAdded { .. } => "note_added",
        ActivityKind::TagAdded { .. } => "tag_added",
        ActivityKind::AgentAssigned { .. } => "assigned",
        other => panic!("no desk makes {other:?}"),
    }
}

#[test]
fn fifty_desks_lose_no_update_refuse_every_conflict_and_all_see_the_end() {
    let test_started = Instant::now();
    let seed = env_number(SEED_VAR).unwrap_or(DEFAULT_SEED);
    let run = format!("{SEED_VAR}={seed}");
    let names: Vec<(String, String)> = std::iter::once(("Dana".to_owned(), String::new()))
        .chain((1..=DESKS).map(|i| (format!("Desk {i:02}"), format!("desk{i}@example.com"))))
        .collect();
    let team: Vec<(&str, &str)> = names
        .iter()
        .map(|(n, e)| (n.as_str(), e.as_str()))
        .collect();
    let Some(mut desk) = Desk::team_on(Engine::Server, &team) else {
        return;
    };
    let tickets: Vec<TicketNumber> = (1..=TICKETS)
        .map(|i| desk.ticket(&format!("Shared ticket {i}")))
        .collect();

    // Each (ticket, tag) pair belongs to one desk, dealt at random.
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut pairs: Vec<(TicketNumber, &'static str)> = tickets
        .iter()
        .flat_map(|n| TAGS.iter().map(move |t| (*n, *t)))
        .collect();
    rng.shuffle(&mut pairs);
    let desks: Vec<Client> = desk.agents[1..]
        .iter()
        .enumerate()
        .map(|(i, agent)| {
            let store = desk.store_as(*agent);
            assert_eq!(store.signed_in().map(|a| a.id), Some(*agent));
            Client {
                name: names[i + 1].0.clone(),
                agent: *agent,
                store,
                accepted: Vec::new(),
                refused: 0,
                repeats: 0,
                tags: pairs.iter().skip(i).step_by(DESKS).copied().collect(),
                seed: rng.u64(..),
            }
        })
        .collect();

    let started = Instant::now();
    let mut desks: Vec<Client> = std::thread::scope(|s| {
        let running: Vec<_> = desks
            .into_iter()
            .map(|one| {
                let tickets = &tickets;
                std::thread::Builder::new()
                    .name(format!("tickets-desk-{}", one.agent.0))
                    .spawn_scoped(s, move || work(one, tickets))
                    .expect("start a desk's thread")
            })
            .collect();
        running
            .into_iter()
            .map(|t| t.join().expect("a desk failed (its panic is above)"))
            .collect()
    });
    let took = started.elapsed();

    // ---- What the server holds, read afresh --------------------------------
    let fresh = desk.second_store();
    let accepted: Vec<&Accepted> = desks.iter().flat_map(|d| &d.accepted).collect();
    let mut by_ticket: BTreeMap<TicketNumber, Vec<&Accepted>> = BTreeMap::new();
    for a in &accepted {
        by_ticket.entry(a.ticket).or_default().push(a);
    }
    let mut field_edits = 0;
    for (i, n) in tickets.iter().enumerate() {
        let d = fresh.load_ticket(*n).unwrap();
        let told = by_ticket.remove(n).unwrap_or_default();
        // Oldest first, after the creation.
        let trail: Vec<_> = d.activity.iter().rev().collect();
        assert_eq!(trail[0].kind, ActivityKind::Created, "{run}: {n}");
        assert_eq!(trail[0].actor, Some(desk.dana));
        let trail = &trail[1..];

        // Each agent's entries are exactly the changes their desk was told
        // were saved, in the order it made them: none lost, none extra.
        let mut in_trail: BTreeMap<AgentId, Vec<&ActivityKind>> = BTreeMap::new();
        for e in trail {
            let actor = e.actor.expect("every entry names its agent");
            in_trail.entry(actor).or_default().push(&e.kind);
        }
        let mut by_desk: BTreeMap<AgentId, Vec<&ActivityKind>> = BTreeMap::new();
        for a in &told {
            by_desk.entry(a.by).or_default().push(&a.kind);
        }
        assert_eq!(in_trail, by_desk, "{run}: {n}'s trail, agent by agent");

        // Field edits: each accepted one made the next version, so no two
        // were accepted against the same one, and the trail holds them in
        // that order.
        let mut edits: Vec<&&Accepted> = told.iter().filter(|a| a.version.is_some()).collect();
        edits.sort_by_key(|a| a.version);
        let versions: Vec<i64> = edits.iter().filter_map(|a| a.version).collect();
        let expected: Vec<i64> = (2..2 + edits.len() as i64).collect();
        assert_eq!(versions, expected, "{run}: {n}'s accepted versions");
        let in_order: Vec<(Option<AgentId>, &ActivityKind)> = trail
            .iter()
            .filter(|e| is_field_edit(&e.kind))
            .map(|e| (e.actor, &e.kind))
            .collect();
        let told_order: Vec<(Option<AgentId>, &ActivityKind)> =
            edits.iter().map(|a| (Some(a.by), &a.kind)).collect();
        assert_eq!(in_order, told_order, "{run}: {n}'s field edits in order");
        assert_eq!(d.version, 1 + edits.len() as i64, "{run}: {n}'s version");
        field_edits += edits.len();

        // The ticket is as the last accepted edit of each field left it.
        let (mut status, mut priority) = (Status::Open, Priority::Medium);
        let mut subject = format!("Shared ticket {}", i + 1);
        for a in &edits {
            match &a.kind {
                ActivityKind::StatusChanged { to, .. } => status = *to,
                ActivityKind::PriorityChanged { to, .. } => priority = *to,
                ActivityKind::SubjectEdited { to, .. } => subject.clone_from(to),
                other => unreachable!("{other:?}"),
            }
        }
        assert_eq!(
            (d.status, d.priority, d.subject.as_str()),
            (status, priority, subject.as_str()),
            "{run}: {n} is not as its last accepted edits left it"
        );

        // Every note, tag and assignee a desk was told was saved is there,
        // and nothing else.
        let notes: BTreeSet<(NoteId, Option<AgentId>)> = d
            .notes
            .iter()
            .map(|note| (note.id, note.author.as_ref().map(|a| a.id)))
            .collect();
        let told_notes: BTreeSet<(NoteId, Option<AgentId>)> = told
            .iter()
            .filter_map(|a| match a.kind {
                ActivityKind::NoteAdded { note } => Some((note, Some(a.by))),
                _ => None,
            })
            .collect();
        assert_eq!(notes, told_notes, "{run}: {n}'s notes");
        let tags: BTreeSet<String> = d.tags.iter().map(|t| t.name.to_lowercase()).collect();
        let told_tags: BTreeSet<String> = told
            .iter()
            .filter_map(|a| match &a.kind {
                ActivityKind::TagAdded { tag } => Some(tag.to_lowercase()),
                _ => None,
            })
            .collect();
        assert_eq!(tags, told_tags, "{run}: {n}'s tags");
        let assignees: BTreeSet<AgentId> = d.assignees.iter().map(|a| a.id).collect();
        let told_assignees: BTreeSet<AgentId> = told
            .iter()
            .filter(|a| matches!(a.kind, ActivityKind::AgentAssigned { .. }))
            .map(|a| a.by)
            .collect();
        assert_eq!(assignees, told_assignees, "{run}: {n}'s assignees");
    }
    assert!(
        by_ticket.is_empty(),
        "{run}: changes saved to tickets nobody made"
    );

    // The whole trail, agent by agent and kind by kind, as the owner reads
    // the table: what each desk was told, and Dana's tickets.
    let mut raw = desk.raw_server();
    let in_table: BTreeMap<(i64, String), i64> = raw
        .query(
            "SELECT agent_id, kind, count(*) FROM tickets.activity GROUP BY agent_id, kind",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    let mut told: BTreeMap<(i64, String), i64> = BTreeMap::new();
    told.insert((desk.dana.0, "created".to_owned()), TICKETS as i64);
    for a in &accepted {
        *told.entry((a.by.0, code(&a.kind).to_owned())).or_default() += 1;
    }
    assert_eq!(in_table, told, "{run}: the trail by agent and kind");
    let versions: i64 = raw
        .query_one("SELECT sum(version - 1)::bigint FROM tickets.tickets", &[])
        .unwrap()
        .get(0);
    assert_eq!(versions, field_edits as i64, "{run}: versions moved on");

    // The desks really raced: conflicts were refused, and every desk still
    // got field edits in.
    let saved = accepted.len();
    let refused: usize = desks.iter().map(|d| d.refused).sum();
    let repeats: usize = desks.iter().map(|d| d.repeats).sum();
    assert!(refused > 0, "{run}: no edit conflicted");
    for one in &desks {
        assert!(
            one.accepted.iter().any(|a| a.version.is_some()),
            "{run}: {} got no field edit in",
            one.name
        );
    }

    // ---- Everyone sees the end -----------------------------------------------
    // Each desk catches up on what it heard; then one desk makes the last
    // change, and every other desk hears of it within a second.
    let mut tokens: Vec<ChangeToken> = desks
        .iter()
        .map(|one| {
            let mut token = ChangeToken::default();
            one.store.changes_since(&mut token).unwrap();
            token
        })
        .collect();
    let last = tickets[0];
    let v = desks[0].store.load_ticket(last).unwrap().version;
    let agent = desks[0].agent;
    desks[0]
        .store
        .set_subject(agent, last, v, "The last word")
        .expect("the last change, on a quiet server");
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut deaf: BTreeSet<usize> = (1..DESKS).collect();
    while !deaf.is_empty() && Instant::now() <= deadline {
        deaf.retain(|i| !desks[*i].store.changes_since(&mut tokens[*i]).unwrap());
        std::thread::sleep(Duration::from_millis(10));
    }
    let deaf: Vec<&str> = deaf.iter().map(|i| desks[*i].name.as_str()).collect();
    assert!(
        deaf.is_empty(),
        "{run}: not heard within a second by {deaf:?}"
    );

    // And each desk, reloading, shows every ticket as the server holds it.
    let truth: Vec<TicketDetail> = tickets
        .iter()
        .map(|n| fresh.load_ticket(*n).unwrap())
        .collect();
    assert_eq!(truth[0].subject, "The last word");
    assert_eq!(truth[0].activity[0].actor, Some(agent));
    std::thread::scope(|s| {
        let checking: Vec<_> = desks
            .iter_mut()
            .map(|one| {
                let truth = &truth;
                std::thread::Builder::new()
                    .name(format!("tickets-desk-{}", one.agent.0))
                    .spawn_scoped(s, move || {
                        for t in truth {
                            let shown = one.store.load_ticket(t.number).unwrap();
                            assert!(
                                &shown == t,
                                "{}: {} differs from the server's",
                                one.name,
                                t.number
                            );
                        }
                    })
                    .expect("start a desk's thread")
            })
            .collect();
        for c in checking {
            c.join().expect("a desk shows something else (above)");
        }
    });

    println!(
        "{run}: {DESKS} desks × {EDITS_PER_DESK} changes on {TICKETS} tickets in {took:.1?} \
         (the whole test {:.1?}): \
         {saved} saved ({field_edits} field edits), {refused} refused as conflicts, \
         {repeats} repeated tags or assignments (saved, changing nothing)",
        test_started.elapsed()
    );
}
