//! Files of every earlier schema version open and are upgraded with nothing
//! lost. Each old file is made from the frozen migrations' own SQL, run
//! through a plain connection as that version of Tickets ran it, and holds
//! rows as that version wrote them; the upgrade must give the same schema as
//! a new file and fill what the later versions derive (search, the first
//! replier, each agent's tickets).

use std::path::{Path, PathBuf};

use crate::fixtures::{fixed_clock, identity, new_ticket, open_store, t0};
use chrono::{Duration, Utc};
use rusqlite::Connection;
use tickets::analytics::{Period, PeriodChoice};
use tickets::domain::{AgentId, Status, TicketNumber, to_millis};
use tickets::store::schema::{APPLICATION_ID, SCHEMA_VERSION};
use tickets::store::{ListRequest, Store, TicketFilter};

/// The migrations' SQL, read from the files the store itself includes.
const FROZEN: &[&str] = &[
    include_str!("../../src/store/sqlite/migrations/0001_tables.sql"),
    include_str!("../../src/store/sqlite/migrations/0002_search.sql"),
    include_str!("../../src/store/sqlite/migrations/0003_analytics.sql"),
    include_str!("../../src/store/sqlite/migrations/0004_erasure.sql"),
    include_str!("../../src/store/sqlite/migrations/0005_status_priority.sql"),
    include_str!("../../src/store/sqlite/migrations/0006_updated.sql"),
    include_str!("../../src/store/sqlite/migrations/0007_bulk.sql"),
    include_str!("../../src/store/sqlite/migrations/0008_shared_views.sql"),
    include_str!("../../src/store/sqlite/migrations/0009_reads.sql"),
    include_str!("../../src/store/sqlite/migrations/0010_service_levels.sql"),
    include_str!("../../src/store/sqlite/migrations/0011_links.sql"),
    include_str!("../../src/store/sqlite/migrations/0012_canned.sql"),
    include_str!("../../src/store/sqlite/migrations/0013_imports.sql"),
];

/// A day before the fixtures' `t0`, plus `minutes`, in ms.
fn at(minutes: i64) -> i64 {
    to_millis(t0() - Duration::days(1) + Duration::minutes(minutes))
}

/// A file at schema `version` made with the frozen SQL of migrations
/// 1..=version, holding one resolved ticket as that version wrote it: Dana
/// raised it for Marguerite Okafor, assigned Sam, tagged it, attached the
/// customer's message and a note; Sam replied; Dana resolved it.
fn old_file(folder: &Path, version: usize) -> PathBuf {
    let path = folder.join(format!("version-{version}.db"));
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    for sql in &FROZEN[..version] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", version as i64)
        .unwrap();

    let rows = [
        "INSERT INTO agents (id, name, sort_key, email, active, created_at)
         VALUES (1, 'Dana Reyes', 'dana reyes', 'dana@example.com', 1, :t0),
                (2, 'Sam Okafor', 'sam okafor', '', 1, :t0)",
        "INSERT INTO customers (id, name, sort_key, email, company, created_at, updated_at)
         VALUES (1, 'Marguerite Okafor', 'marguerite okafor', 'mo@bakery.example',
                 'Okafor Bakery', :t0, :t0)",
        "INSERT INTO tags (id, name) VALUES (1, 'billing')",
        "INSERT INTO tickets (id, subject, description, status, priority, customer_id,
                              created_at, updated_at, version, first_reply_at,
                              resolved_at, resolved_by, customer_key, assignee_key)
         VALUES (1, 'Invoice shows the wrong currency', 'Euros, not pounds', 3, 2, 1,
                 :t0, :t120, 2, :t30, :t120, 1, 'marguerite okafor', 'sam okafor')",
        "INSERT INTO ticket_assignees (ticket_id, agent_id, assigned_at) VALUES (1, 2, :t5)",
        "INSERT INTO ticket_tags (ticket_id, tag_id) VALUES (1, 1)",
        "INSERT INTO messages (id, ticket_id, direction, author_id, body, created_at)
         VALUES (1, 1, 0, NULL, 'The invoice says pounds', :t10),
                (2, 1, 1, 2, 'Fixed: it says euros now', :t30)",
        "INSERT INTO notes (id, ticket_id, author_id, body, created_at, updated_at, version)
         VALUES (1, 1, 1, 'Checked the invoice run', :t20, :t20, 1)",
        "INSERT INTO activity (ticket_id, at, agent_id, kind, ref_id, old_value, new_value)
         VALUES (1, :t0, 1, 'created', NULL, NULL, NULL),
                (1, :t5, 1, 'assigned', 2, NULL, 'Sam Okafor'),
                (1, :t5, 1, 'tag_added', NULL, NULL, 'billing'),
                (1, :t10, 1, 'message', 1, NULL, 0),
                (1, :t20, 1, 'note_added', 1, NULL, NULL),
                (1, :t30, 2, 'message', 2, NULL, 1),
                (1, :t120, 1, 'status', NULL, 0, 3)",
    ];
    for sql in rows {
        let mut statement = conn.prepare(sql).unwrap();
        for (name, minutes) in [
            (":t0", 0),
            (":t5", 5),
            (":t10", 10),
            (":t20", 20),
            (":t30", 30),
            (":t120", 120),
        ] {
            if let Some(i) = statement.parameter_index(name).unwrap() {
                statement.raw_bind_parameter(i, at(minutes)).unwrap();
            }
        }
        statement.raw_execute().unwrap();
    }
    if version >= 3 {
        // Version 3 recorded who sent the first reply as it happened.
        conn.execute("UPDATE tickets SET first_reply_by = 2 WHERE id = 1", [])
            .unwrap();
    }
    drop(conn);
    path
}

/// Every table, index, trigger and view, as SQLite keeps their SQL.
fn schema(path: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = Connection::open(path).unwrap();
    let mut statement = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap();
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn search(store: &Store, text: &str) -> Vec<i64> {
    let request = ListRequest {
        filter: TicketFilter {
            text: text.to_owned(),
            ..TicketFilter::default()
        },
        limit: 50,
        ..ListRequest::default()
    };
    let page = store.list_tickets(&request).unwrap();
    page.rows.iter().map(|r| r.number.0).collect()
}

#[test]
fn the_frozen_migrations_are_the_ones_the_store_runs() {
    assert_eq!(FROZEN.len() as i64, SCHEMA_VERSION);
    let folder = tempfile::tempdir().unwrap();
    let made = old_file(folder.path(), FROZEN.len());
    drop(open_store(&made, &fixed_clock()));
    let fresh = folder.path().join("fresh.db");
    drop(open_store(&fresh, &fixed_clock()));
    assert_eq!(schema(&made), schema(&fresh));
}

#[test]
fn a_file_of_every_earlier_version_is_upgraded_with_nothing_lost() {
    let folder = tempfile::tempdir().unwrap();
    let fresh = folder.path().join("fresh.db");
    drop(open_store(&fresh, &fixed_clock()));
    let (dana, sam) = (AgentId(1), AgentId(2));
    let ticket = TicketNumber(1);

    for version in 1..FROZEN.len() {
        let path = old_file(folder.path(), version);
        assert_eq!(identity(&path), (APPLICATION_ID, version as i64));
        let clock = fixed_clock();
        let mut store = open_store(&path, &clock);
        let v = format!("from version {version}");
        assert_eq!(identity(&path), (APPLICATION_ID, SCHEMA_VERSION), "{v}");
        assert_eq!(
            schema(&path),
            schema(&fresh),
            "{v}: the schema of a new file"
        );

        // The ticket, whole.
        let d = store.load_ticket(ticket).unwrap();
        assert_eq!(d.subject, "Invoice shows the wrong currency", "{v}");
        assert_eq!(d.status, Status::Resolved, "{v}");
        assert_eq!(d.customer.as_ref().unwrap().name, "Marguerite Okafor");
        assert_eq!(d.assignees.len(), 1, "{v}");
        assert_eq!(d.tags.len(), 1, "{v}");
        assert_eq!((d.messages.len(), d.notes.len()), (2, 1), "{v}");
        let trail: Vec<String> = d.activity.iter().map(|a| a.sentence()).collect();
        assert_eq!(trail.len(), 7, "{v}: {trail:?}");
        assert_eq!(
            trail[0], "Dana Reyes changed status from Open to Resolved",
            "{v}"
        );
        assert_eq!(trail[6], "Dana Reyes created the ticket", "{v}");

        // Search, filled from the rows there (version 2).
        assert_eq!(search(&store, "currency"), [1], "{v}");
        assert_eq!(search(&store, "bakery"), [1], "{v}: the customer's company");
        assert_eq!(store.find_customers("okafor", 10).unwrap().len(), 1, "{v}");

        // The analytics' derived rows (version 3): Sam sent the first reply,
        // Dana resolved it, and both handled it.
        let day = (t0() - Duration::days(1)).date_naive();
        let period =
            Period::resolve(PeriodChoice::Custom { from: day, to: day }, t0(), &Utc).unwrap();
        let report = store.report(&period).unwrap();
        let row = |agent: AgentId| {
            report
                .agents
                .iter()
                .find(|r| r.agent == agent)
                .unwrap_or_else(|| panic!("{v}: no row for agent {}", agent.0))
        };
        assert_eq!(row(sam).first_responses(), 1, "{v}: first_reply_by");
        assert_eq!(row(dana).first_responses(), 0, "{v}");
        assert_eq!(row(dana).resolved(), 1, "{v}");
        assert_eq!((row(dana).handled, row(sam).handled), (1, 1), "{v}");
        assert_eq!(report.first_response.count, 1, "{v}");

        // And the upgraded file keeps up with new work.
        let new = store
            .create_ticket(dana, &new_ticket("Refund the currency difference"))
            .unwrap();
        assert_eq!(new, TicketNumber(2), "{v}: numbers carry on");
        assert_eq!(search(&store, "currency"), [2, 1], "{v}");
        store
            .set_subject(dana, ticket, d.version, "Invoice in euros")
            .unwrap();
        assert_eq!(search(&store, "euros"), [1], "{v}");
        drop(store);
        // Opening it again changes nothing more.
        let store = open_store(&path, &clock);
        assert_eq!(schema(&path), schema(&fresh), "{v}");
        assert_eq!(search(&store, "euros"), [1], "{v}");
    }
}
