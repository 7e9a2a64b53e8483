//! Two writers on one file: two processes, each making a thousand edits side
//! by side, to tickets of their own (which never conflict) and to tickets they
//! share, with the version they read earlier (which conflict whenever the
//! other got there first), plus notes, messages and tags on the shared ones.
//! No update is lost, every conflict is refused and reported as one, and no
//! other error, "database is locked" above all, reaches the caller.
//!
//! The processes are this test binary run again on the ignored test
//! `two_writers_child`. `TICKETS_TWO_WRITERS_EDITS` sets the edits per process
//! (default 1000); `TICKETS_TWO_WRITERS_SEED` replays a run's choices.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::Arc;

use crate::fixtures::{
    child_job, env_number, is_field_edit, next_child_line, spawn_child_test, tell_parent,
};
use serde::{Deserialize, Serialize};
use tickets::clock::SystemClock;
use tickets::domain::{
    ActivityKind, AgentId, Direction, NewTicket, Priority, Status, TicketDetail, TicketNumber,
};
use tickets::store::{Store, StoreError};

const EDITS_VAR: &str = "TICKETS_TWO_WRITERS_EDITS";
const SEED_VAR: &str = "TICKETS_TWO_WRITERS_SEED";
/// Set in a child process: its [`Job`], as JSON.
const CHILD_VAR: &str = "TICKETS_TWO_WRITERS_CHILD";
const DEFAULT_EDITS: usize = 1000;

/// What one child process is asked to do.
#[derive(Serialize, Deserialize)]
enum Job {
    /// Edit tickets on an existing file, as `agent`.
    Edit {
        path: PathBuf,
        seed: u64,
        /// Makes the text this writer writes its own.
        name: String,
        agent: AgentId,
        /// Tickets only this writer edits.
        own: Vec<TicketNumber>,
        /// Tickets both writers edit.
        shared: Vec<TicketNumber>,
        edits: usize,
    },
    /// Open a file that may not exist yet, add an agent and raise a ticket.
    Join { path: PathBuf, name: String },
}

/// What a child tells its parent, one per line.
#[derive(Debug, Serialize, Deserialize)]
enum Said {
    /// The store is open (for [`Job::Edit`]; about to open it for
    /// [`Job::Join`]); waiting for "go" on stdin.
    Ready,
    /// The store accepted the change. `version` is the ticket's version after
    /// a field edit; `text` the description, note or message written.
    Accepted {
        ticket: TicketNumber,
        kind: ActivityKind,
        version: Option<i64>,
        text: Option<String>,
    },
    /// The store refused the field edit as a conflict: it was made against
    /// version `expected` and the ticket was at `current`.
    Refused {
        ticket: TicketNumber,
        kind: ActivityKind,
        text: Option<String>,
        expected: i64,
        current: i64,
        message: String,
    },
    /// Any other error: the child stopped.
    Failed(String),
    /// Every edit was made.
    Done,
}

fn tell(said: &Said) {
    tell_parent(&serde_json::to_string(said).expect("encode for the parent"));
}

// ---------------------------------------------------------------------------
// The children.

/// Waits for the parent's "go", so that both writers start together.
fn wait_for_go() {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .expect("read the parent's go");
}

/// A field edit to `d` made against its version `d.version`, picked at
/// random: what its activity entry would be, the text it writes, and what the
/// store said.
fn field_edit(
    store: &mut Store,
    rng: &mut fastrand::Rng,
    actor: AgentId,
    d: &TicketDetail,
    token: &str,
) -> (ActivityKind, Option<String>, Result<(), StoreError>) {
    let (n, v) = (d.number, d.version);
    match rng.u8(0..4) {
        0 => {
            let to = loop {
                let to = Status::ALL[rng.usize(..Status::ALL.len())];
                if to != d.status {
                    break to;
                }
            };
            let kind = ActivityKind::StatusChanged { from: d.status, to };
            (kind, None, store.set_status(actor, n, v, to))
        }
        1 => {
            let to = loop {
                let to = Priority::ALL[rng.usize(..Priority::ALL.len())];
                if to != d.priority {
                    break to;
                }
            };
            let kind = ActivityKind::PriorityChanged {
                from: d.priority,
                to,
            };
            (kind, None, store.set_priority(actor, n, v, to))
        }
        2 => {
            let to = format!("Subject {token}");
            let result = store.set_subject(actor, n, v, &to);
            let kind = ActivityKind::SubjectEdited {
                from: d.subject.clone(),
                to,
            };
            (kind, None, result)
        }
        _ => {
            let text = format!("Description {token}");
            let result = store.set_description(actor, n, v, &text);
            (ActivityKind::DescriptionEdited, Some(text), result)
        }
    }
}

/// A note, message or tag added to `ticket`: never a conflict.
fn addition(
    store: &mut Store,
    rng: &mut fastrand::Rng,
    actor: AgentId,
    ticket: TicketNumber,
    token: &str,
) -> Result<(ActivityKind, Option<String>), StoreError> {
    Ok(match rng.u8(0..3) {
        0 => {
            let body = format!("Note {token}");
            let note = store.add_note(actor, ticket, &body)?;
            (ActivityKind::NoteAdded { note }, Some(body))
        }
        1 => {
            let body = format!("Message {token}");
            let direction = if rng.bool() {
                Direction::Inbound
            } else {
                Direction::Outbound
            };
            let message = store.add_message(actor, ticket, direction, &body)?;
            (
                ActivityKind::MessageAttached { message, direction },
                Some(body),
            )
        }
        _ => {
            let tag = store.add_tag(actor, ticket, &format!("tag-{token}"))?.name;
            (ActivityKind::TagAdded { tag }, None)
        }
    })
}

fn edit(
    path: &Path,
    seed: u64,
    name: &str,
    actor: AgentId,
    own: &[TicketNumber],
    shared: &[TicketNumber],
    edits: usize,
) -> Result<(), StoreError> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut store = Store::open(path, Arc::new(SystemClock))?;
    // Each shared ticket as this writer last saw it, as a window shows it.
    let mut seen = BTreeMap::new();
    for &n in shared {
        seen.insert(n, store.load_ticket(n)?);
    }
    tell(&Said::Ready);
    wait_for_go();
    for i in 0..edits {
        let token = format!("{name}-{i}");
        let choice = rng.u8(0..100);
        let (ticket, kind, version, text, result) = if choice < 75 {
            // A field edit: to an own ticket as it is now, or to a shared one
            // as this writer last saw it.
            let d = if choice < 35 {
                store.load_ticket(own[rng.usize(..own.len())])?
            } else {
                seen[&shared[rng.usize(..shared.len())]].clone()
            };
            let (kind, text, result) = field_edit(&mut store, &mut rng, actor, &d, &token);
            (d.number, kind, d.version, text, result)
        } else {
            let n = shared[rng.usize(..shared.len())];
            match addition(&mut store, &mut rng, actor, n, &token) {
                Ok((kind, text)) => {
                    tell(&Said::Accepted {
                        ticket: n,
                        kind,
                        version: None,
                        text,
                    });
                    continue;
                }
                Err(e) => return Err(e),
            }
        };
        match result {
            Ok(()) => tell(&Said::Accepted {
                ticket,
                kind,
                version: Some(version + 1),
                text,
            }),
            Err(
                e @ StoreError::Conflict {
                    current_version, ..
                },
            ) => tell(&Said::Refused {
                ticket,
                kind,
                text,
                expected: version,
                current: current_version,
                message: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
        // After a change, saved or refused, a window shows the ticket as it is now.
        if let Some(shown) = seen.get_mut(&ticket) {
            *shown = store.load_ticket(ticket)?;
        }
    }
    Ok(())
}

fn join(path: &Path, name: &str) -> Result<(), StoreError> {
    tell(&Said::Ready);
    wait_for_go();
    let mut store = Store::open(path, Arc::new(SystemClock))?;
    let agent = store.add_agent(name, "")?;
    let new = NewTicket {
        subject: format!("Raised by {name}"),
        ..NewTicket::default()
    };
    let ticket = store.create_ticket(agent, &new)?;
    tell(&Said::Accepted {
        ticket,
        kind: ActivityKind::Created,
        version: None,
        text: None,
    });
    Ok(())
}

#[test]
#[ignore = "a process that the two-writer tests start"]
fn two_writers_child() {
    // Run by hand, without a job, there is nothing to do.
    let Some(job) = child_job(CHILD_VAR) else {
        return;
    };
    let result = match job {
        Job::Edit {
            path,
            seed,
            name,
            agent,
            own,
            shared,
            edits,
        } => edit(&path, seed, &name, agent, &own, &shared, edits),
        Job::Join { path, name } => join(&path, &name),
    };
    match result {
        Ok(()) => tell(&Said::Done),
        Err(e) => {
            tell(&Said::Failed(e.to_string()));
            panic!("{e:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// The parent.

/// Starts children on `jobs`, waits until each is ready, tells them all to
/// go at once, and returns everything each said after that.
fn run_together(jobs: &[Job]) -> Vec<Vec<Said>> {
    let mut started: Vec<(Child, BufReader<std::process::ChildStdout>)> = jobs
        .iter()
        .map(|job| {
            let job = serde_json::to_string(job).expect("encode the job");
            let mut child = spawn_child_test("two_writers::two_writers_child", &[(CHILD_VAR, job)]);
            let out = BufReader::new(child.stdout.take().expect("the child's output"));
            (child, out)
        })
        .collect();
    for (_, out) in &mut started {
        let first = next_child_line(out).map(|l| serde_json::from_str::<Said>(&l));
        assert!(
            matches!(first, Some(Ok(Said::Ready))),
            "a child did not get ready: {first:?}"
        );
    }
    let listeners: Vec<_> = started
        .into_iter()
        .map(|(mut child, mut out)| {
            let mut go = child.stdin.take().expect("the child's input");
            std::thread::Builder::new()
                .name("test-child-listener".to_owned())
                .spawn(move || {
                    go.write_all(b"go\n").expect("tell the child to go");
                    drop(go);
                    let mut said = Vec::new();
                    while let Some(line) = next_child_line(&mut out) {
                        said.push(serde_json::from_str(&line).expect("a line from the child"));
                    }
                    let status = child.wait().expect("wait for the child");
                    let mut stderr = String::new();
                    if !status.success() {
                        use std::io::Read;
                        let _ = child
                            .stderr
                            .take()
                            .map(|mut e| e.read_to_string(&mut stderr));
                    }
                    (said, status, stderr)
                })
                .expect("start a listener thread")
        })
        .collect();
    listeners
        .into_iter()
        .map(|l| {
            let (said, status, stderr) = l.join().expect("the listener");
            let failures: Vec<&String> = said
                .iter()
                .filter_map(|s| match s {
                    Said::Failed(m) => Some(m),
                    _ => None,
                })
                .collect();
            assert!(
                failures.is_empty(),
                "an error other than a conflict reached a writer: {failures:?}\n{stderr}"
            );
            assert!(status.success(), "a child failed ({status}): {stderr}");
            assert!(
                matches!(said.last(), Some(Said::Done)),
                "a child stopped early"
            );
            said
        })
        .collect()
}

/// The names of every agent in the file.
fn agent_names(path: &Path) -> BTreeSet<String> {
    let store = Store::open(path, Arc::new(SystemClock)).unwrap();
    store
        .agents()
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect()
}

/// One accepted change as the writers reported it.
struct Accepted<'a> {
    by: AgentId,
    kind: &'a ActivityKind,
    version: Option<i64>,
    text: Option<&'a str>,
}

#[test]
fn two_processes_editing_one_file_lose_no_update_and_never_see_a_lock() {
    let edits = env_number(EDITS_VAR).map_or(DEFAULT_EDITS, |n| n as usize);
    let seed = env_number(SEED_VAR).unwrap_or_else(|| fastrand::u64(..));
    let mut rng = fastrand::Rng::with_seed(seed);
    let run = format!("{SEED_VAR}={seed}");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("shared.db");

    let mut store = Store::open(&path, Arc::new(SystemClock)).unwrap();
    let mut subjects = BTreeMap::new();
    let mut raise = |store: &mut Store, agent, subject: String| {
        let new = NewTicket {
            subject: subject.clone(),
            ..NewTicket::default()
        };
        let ticket = store.create_ticket(agent, &new).unwrap();
        subjects.insert(ticket, subject);
        ticket
    };
    let writers: Vec<(String, AgentId)> = ["A", "B"]
        .iter()
        .map(|w| {
            (
                w.to_string(),
                store.add_agent(&format!("Writer {w}"), "").unwrap(),
            )
        })
        .collect();
    let own: Vec<Vec<TicketNumber>> = writers
        .iter()
        .map(|(w, id)| {
            (1..=3)
                .map(|i| raise(&mut store, *id, format!("{w}'s own {i}")))
                .collect()
        })
        .collect();
    let shared: Vec<TicketNumber> = (1..=3)
        .map(|i| raise(&mut store, writers[0].1, format!("Shared {i}")))
        .collect();
    drop(store);

    let jobs: Vec<Job> = writers
        .iter()
        .zip(&own)
        .map(|((name, agent), own)| Job::Edit {
            path: path.clone(),
            seed: rng.u64(..),
            name: name.clone(),
            agent: *agent,
            own: own.clone(),
            shared: shared.clone(),
            edits,
        })
        .collect();
    let said = run_together(&jobs);

    // Everything each writer was told, by ticket.
    let mut accepted: BTreeMap<TicketNumber, Vec<Accepted>> = BTreeMap::new();
    let mut refused = 0;
    let mut refusals: BTreeMap<TicketNumber, Vec<(&ActivityKind, &Option<String>)>> =
        BTreeMap::new();
    let mut accepted_shared_edits = BTreeMap::new();
    for ((_, agent), said) in writers.iter().zip(&said) {
        let outcomes = said.iter().filter(|s| !matches!(s, Said::Done)).count();
        assert_eq!(outcomes, edits, "{run}: a writer did not report every edit");
        for s in said {
            match s {
                Said::Accepted {
                    ticket,
                    kind,
                    version,
                    text,
                } => {
                    if version.is_some() && shared.contains(ticket) {
                        *accepted_shared_edits.entry(*agent).or_insert(0) += 1;
                    }
                    accepted.entry(*ticket).or_default().push(Accepted {
                        by: *agent,
                        kind,
                        version: *version,
                        text: text.as_deref(),
                    });
                }
                Said::Refused {
                    ticket,
                    kind,
                    text,
                    expected,
                    current,
                    message,
                } => {
                    refused += 1;
                    assert!(
                        shared.contains(ticket),
                        "{run}: an edit to {ticket}, which nobody else edits, was refused"
                    );
                    assert!(
                        expected < current,
                        "{run}: refused against version {expected} while {ticket} is at {current}"
                    );
                    assert!(
                        message.starts_with(&format!("{ticket} was changed by someone else")),
                        "{run}: the conflict is not reported as one: {message}"
                    );
                    refusals.entry(*ticket).or_default().push((kind, text));
                }
                Said::Ready | Said::Failed(_) | Said::Done => {}
            }
        }
    }

    let store = Store::open(&path, Arc::new(SystemClock)).unwrap();
    let tickets: Vec<TicketNumber> = own.iter().flatten().chain(&shared).copied().collect();
    for ticket in tickets {
        let d = store.load_ticket(ticket).unwrap();
        let changes = accepted.remove(&ticket).unwrap_or_default();
        let trail: Vec<_> = d.activity.iter().rev().skip(1).collect();

        // Each writer's entries are exactly the changes it was told were
        // saved, in the order it made them: none lost, none extra.
        for (_, agent) in &writers {
            let in_file: Vec<&ActivityKind> = trail
                .iter()
                .filter(|e| e.actor == Some(*agent))
                .map(|e| &e.kind)
                .collect();
            let told: Vec<&ActivityKind> = changes
                .iter()
                .filter(|c| c.by == *agent)
                .map(|c| c.kind)
                .collect();
            assert_eq!(in_file, told, "{run}: {ticket} by {agent:?}");
        }
        assert!(
            trail
                .iter()
                .all(|e| writers.iter().any(|w| e.actor == Some(w.1)))
        );

        // Field edits: each accepted one made the version it claims, one
        // after the other: no two were accepted against the same version.
        let mut edits: Vec<&Accepted> = changes.iter().filter(|c| c.version.is_some()).collect();
        edits.sort_by_key(|c| c.version);
        let versions: Vec<i64> = edits.iter().filter_map(|c| c.version).collect();
        let expected: Vec<i64> = (2..2 + edits.len() as i64).collect();
        assert_eq!(versions, expected, "{run}: {ticket}'s accepted versions");
        let in_file: Vec<(Option<AgentId>, &ActivityKind)> = trail
            .iter()
            .filter(|e| is_field_edit(&e.kind))
            .map(|e| (e.actor, &e.kind))
            .collect();
        let told: Vec<(Option<AgentId>, &ActivityKind)> =
            edits.iter().map(|c| (Some(c.by), c.kind)).collect();
        assert_eq!(
            in_file, told,
            "{run}: {ticket}'s field edits in version order"
        );
        assert_eq!(d.version, 1 + edits.len() as i64);

        // The ticket is as its accepted edits, replayed in order, left it.
        let (mut status, mut priority) = (Status::Open, Priority::Medium);
        let (mut subject, mut description) = (subjects[&ticket].as_str(), "");
        for c in &edits {
            match c.kind {
                ActivityKind::StatusChanged { to, .. } => status = *to,
                ActivityKind::PriorityChanged { to, .. } => priority = *to,
                ActivityKind::SubjectEdited { to, .. } => subject = to,
                _ => description = c.text.unwrap_or_default(),
            }
        }
        assert_eq!(
            (
                d.status,
                d.priority,
                d.subject.as_str(),
                d.description.as_str()
            ),
            (status, priority, subject, description),
            "{run}: {ticket} is not as its accepted edits left it"
        );

        // Every note, message and tag either writer added is there, and nothing else.
        let added = |pick: &dyn Fn(&ActivityKind) -> bool| -> BTreeSet<String> {
            changes
                .iter()
                .filter(|c| pick(c.kind))
                .filter_map(|c| c.text.map(str::to_owned))
                .collect()
        };
        let notes: BTreeSet<String> = d.notes.iter().map(|n| n.body.clone()).collect();
        assert_eq!(
            notes,
            added(&|k| matches!(k, ActivityKind::NoteAdded { .. }))
        );
        let messages: BTreeSet<String> = d.messages.iter().map(|m| m.body.clone()).collect();
        assert_eq!(
            messages,
            added(&|k| matches!(k, ActivityKind::MessageAttached { .. }))
        );
        let tags: BTreeSet<&str> = d.tags.iter().map(|t| t.name.as_str()).collect();
        let told: BTreeSet<&str> = changes
            .iter()
            .filter_map(|c| match c.kind {
                ActivityKind::TagAdded { tag } => Some(tag.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(tags, told, "{run}: {ticket}'s tags");

        // What the refused edits would have written is nowhere (the trail
        // holds only accepted changes, checked above).
        for (kind, text) in refusals.remove(&ticket).unwrap_or_default() {
            if let ActivityKind::SubjectEdited { to, .. } = kind {
                assert_ne!(&d.subject, to, "{run}: a refused subject was saved");
            }
            if let Some(text) = text {
                assert_ne!(
                    &d.description, text,
                    "{run}: a refused description was saved"
                );
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "{run}: changes reported on unknown tickets"
    );
    println!(
        "{run}: {} edits per writer; {refused} refused as conflicts; shared field edits accepted: {accepted_shared_edits:?}",
        edits
    );
    // The two really did race: each got edits to the shared tickets in, and
    // some of them collided.
    assert!(
        refused > 0,
        "{run}: no edit conflicted; the writers did not overlap"
    );
    assert_eq!(
        accepted_shared_edits.len(),
        2,
        "{run}: {accepted_shared_edits:?}"
    );
}

/// A Tickets file that is not in write-ahead-log mode, as a copy restored
/// from elsewhere may be. Every store switches its file to write-ahead
/// logging on opening, so opening such a file is a write.
fn tickets_file_not_in_wal_mode(path: &Path) {
    drop(Store::open(path, Arc::new(SystemClock)).unwrap());
    let conn = rusqlite::Connection::open(path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

/// The file is opened while another process is in the middle of writing to
/// it: the store waits for that write to finish instead of failing with
/// "database is locked" (SQLite does not wait by itself when a read turns
/// into a write, which switching to write-ahead logging is).
#[test]
fn opening_a_file_another_process_is_writing_to_waits_for_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("copy.db");
    tickets_file_not_in_wal_mode(&path);
    // The other process's write: begun, not yet committed.
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch(
            "BEGIN IMMEDIATE;
             INSERT INTO agents (name, sort_key, created_at) VALUES ('Olu', 'olu', 0);",
        )
        .unwrap();
    let finish = std::thread::Builder::new()
        .name("test-late-commit".to_owned())
        .spawn(move || {
            // Long enough for the child to start and reach the file, far below the
            // ten seconds a store waits for another's write.
            std::thread::sleep(std::time::Duration::from_millis(1500));
            other.execute_batch("COMMIT").unwrap();
        })
        .expect("start the committing thread");
    run_together(&[Job::Join {
        path: path.clone(),
        name: "Ana".to_owned(),
    }]);
    finish.join().unwrap();
    let agents = agent_names(&path);
    assert!(
        agents.contains("Olu") && agents.contains("Ana"),
        "{agents:?}"
    );
}

/// How many times the processes open a file together: the race they run
/// is lost only some of the time.
const ROUNDS: usize = 5;

/// Starts one process per name on `path` at once, each adding its agent
/// (and a ticket), and checks that every one got in.
fn all_join(path: &Path, names: &[&str], round: usize) {
    let jobs: Vec<Job> = names
        .iter()
        .map(|name| Job::Join {
            path: path.to_path_buf(),
            name: (*name).to_owned(),
        })
        .collect();
    run_together(&jobs);
    assert_eq!(
        agent_names(path),
        names.iter().map(|n| n.to_string()).collect(),
        "round {round}"
    );
}

/// A Tickets file not in write-ahead-log mode opened by several processes at
/// once (two windows started together on a restored copy): none may be told
/// it is locked.
#[test]
fn processes_opening_a_file_together_all_get_in() {
    let names = ["Ana", "Ben", "Cleo", "Dev"];
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("copy.db");
        tickets_file_not_in_wal_mode(&path);

        all_join(&path, &names, round);
        let store = Store::open(&path, Arc::new(SystemClock)).unwrap();
        let subjects: BTreeSet<String> = (1..=4)
            .map(|n| store.load_ticket(TicketNumber(n)).unwrap().subject)
            .collect();
        assert_eq!(
            subjects,
            names.iter().map(|n| format!("Raised by {n}")).collect()
        );
    }
}

/// Four processes starting on a path where no file exists yet (four windows
/// opened on a new database together): all must get in. One was sometimes
/// told the file was "another program's database": it read the application
/// id, the schema version and the schema in separate statements, or read
/// the file without locks, while another process was creating it.
#[test]
fn processes_creating_one_new_file_together_all_get_in() {
    let names = ["Ana", "Ben", "Cleo", "Dev"];
    let rounds: usize = std::env::var("TICKETS_NEW_FILE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    for round in 0..rounds {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("new.db");
        all_join(&path, &names, round);
    }
}

/// A write held by another program past the wait gives a sentence, not
/// SQLite's "database is locked", and nothing is written.
#[test]
fn a_write_kept_waiting_too_long_says_so_in_words() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("busy.db");
    let mut store = Store::open(&path, Arc::new(SystemClock)).unwrap();
    let agent = store.add_agent("Ana", "").unwrap();
    store
        .set_busy_timeout(std::time::Duration::from_millis(200))
        .unwrap();

    // Another program takes the write lock and keeps it.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let error = store
        .create_ticket(
            agent,
            &tickets::domain::NewTicket {
                subject: "Waiting".to_owned(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::Busy), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("busy for too long"), "{message}");
    assert!(!message.contains("locked"), "{message}");

    // Once it lets go, the same change goes through.
    other.execute_batch("ROLLBACK").unwrap();
    store
        .create_ticket(
            agent,
            &tickets::domain::NewTicket {
                subject: "Waiting".to_owned(),
                ..Default::default()
            },
        )
        .unwrap();
}
