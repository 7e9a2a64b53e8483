//! Every list filter is served by an index, and every sort's first page is
//! read in index order.
//!
//! A desk of a few hundred tickets is built through the public store API in a
//! temporary file. For each filter kind alone (narrow and broad, so that both
//! page shapes come up: driven by the filter's id sets, or scanning in sort
//! order and probing them) and for each sort, the listing's own SQL
//! (`Store::listing_sql`: exactly what `list_tickets` runs) is explained on a
//! second, plain SQLite connection to the same file, before and after
//! `ANALYZE`. The rules:
//!
//! - no table is ever read by a plain `SCAN x` without an index, except the
//!   tickets in number order (`SCAN t` is then the walk of the INTEGER
//!   PRIMARY KEY the ORDER BY asks for, stopped at the page's end);
//! - a count never walks the tickets (nor any other table): every filter
//!   reaches its tickets through an index;
//! - a page that probes the sets scans in sort order, never sorts in memory;
//! - with no filter, every sort's first page is read in index order.
//!
//! Run with `--nocapture` to see every plan.

use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use rusqlite::{Connection, StatementStatus};
use tickets::clock::FixedClock;
use tickets::domain::{AgentId, CustomerId, NewCustomer, NewTicket, Priority, Status, TagId};
use tickets::store::{
    Anchor, ListRequest, Sort, SortColumn, SortValue, Store, TicketFilter, fts_query,
};

const TICKETS: usize = 400;
const PAGE: u32 = 50;

/// A small deterministic generator (xorshift), so the desk is the same every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "refund", "login", "password", "invoice", "billing", "error", "crash", "export", "slow",
    "printer", "account", "upgrade", "cancel", "shipping", "delivery", "broken", "question",
];
const FIRST: &[&str] = &[
    "Ana",
    "Bob",
    "Émile",
    "Zoë",
    "Noah",
    "Mia",
    "Liam",
    "Жанна",
    "Omar",
    "Ines",
];
const LAST: &[&str] = &[
    "Smith", "García", "Okafor", "Chen", "Novak", "Dubois", "Silva", "Kim",
];
const COMPANIES: &[&str] = &[
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "",
];
const TAGS: &[&str] = &[
    "vip", "billing", "bug", "legal", "feature", "refund", "mobile", "api",
];

/// Ids the filters below pick from.
struct Desk {
    store: Store,
    agents: Vec<AgentId>,
    customers: Vec<CustomerId>,
    ticket_tags: Vec<TagId>,
    customer_tags: Vec<TagId>,
}

fn build_desk(path: &Path) -> Desk {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).unwrap(),
    ));
    let mut store = Store::open(path, clock.clone()).expect("open store");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let agents: Vec<AgentId> = [
        "Dana", "Eli", "frank", "Grace", "Émile", "Hana", "ivan", "Jo",
    ]
    .iter()
    .map(|n| store.add_agent(n, "").unwrap())
    .collect();
    let actor = agents[0];
    let customers: Vec<CustomerId> = (0..60)
        .map(|i| {
            let first = *rng.pick(FIRST);
            let last = *rng.pick(LAST);
            store
                .add_customer(&NewCustomer {
                    name: format!("{first} {last}"),
                    email: format!("{}.{i}@example.com", first.to_lowercase()),
                    company: (*rng.pick(COMPANIES)).to_owned(),
                })
                .unwrap()
        })
        .collect();
    let mut customer_tags = Vec::new();
    for &c in &customers {
        if rng.below(3) == 0 {
            let tag = *rng.pick(&TAGS[..4]);
            customer_tags.push(store.add_customer_tag(c, tag).unwrap().id);
        }
    }
    let mut ticket_tags = Vec::new();
    for _ in 0..TICKETS {
        clock.advance(Duration::seconds(rng.below(7200) as i64));
        let subject = (0..1 + rng.below(4))
            .map(|_| *rng.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ");
        let customer = (rng.below(10) != 0).then(|| *rng.pick(&customers));
        let number = store
            .create_ticket(
                actor,
                &NewTicket {
                    subject,
                    description: String::new(),
                    priority: *rng.pick(&Priority::ALL),
                    customer,
                },
            )
            .unwrap();
        store
            .set_status(actor, number, 1, *rng.pick(&Status::ALL))
            .unwrap();
        for _ in 0..rng.below(3) {
            store.assign(actor, number, *rng.pick(&agents)).unwrap();
        }
        for _ in 0..rng.below(3) {
            let tag = *rng.pick(TAGS);
            ticket_tags.push(store.add_tag(actor, number, tag).unwrap().id);
        }
    }
    ticket_tags.sort();
    ticket_tags.dedup();
    customer_tags.sort();
    customer_tags.dedup();
    Desk {
        store,
        agents,
        customers,
        ticket_tags,
        customer_tags,
    }
}

/// The values the listing binds for a filter's text, in its order: the
/// word search, then each email-like word as a LIKE prefix pattern. (Bound
/// for real because a LIKE can use an index only once SQLite sees its pattern.)
fn binds(filter: &TicketFilter) -> Vec<String> {
    let mut values: Vec<String> = fts_query(&filter.text).into_iter().collect();
    for word in filter.text.split_whitespace() {
        if word
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && !domain.is_empty())
        {
            let mut pattern = String::new();
            for c in word.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            values.push(pattern);
        }
    }
    values
}

/// `EXPLAIN QUERY PLAN` as indented lines, with `values` bound.
fn plan(conn: &Connection, sql: &str, values: &[String]) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("cannot explain {sql}: {e}"));
    assert_eq!(
        stmt.parameter_count(),
        values.len(),
        "the listing binds other values than {values:?} in {sql}"
    );
    let rows: Vec<(i64, i64, String)> = stmt
        .query_map(rusqlite::params_from_iter(values), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut depth = std::collections::HashMap::new();
    rows.into_iter()
        .map(|(id, parent, detail)| {
            let d = depth.get(&parent).map_or(0, |d| d + 1);
            depth.insert(id, d);
            format!("{}{detail}", "  ".repeat(d))
        })
        .collect()
}

/// How many values a statement binds.
fn parameters(conn: &Connection, sql: &str) -> usize {
    conn.prepare(sql).unwrap().parameter_count()
}

/// Plan lines that read a real table or index from one end to the other
/// (`SCAN x`, with or without an index); not virtual tables (FTS, where the
/// index is the table), subquery results or constant rows.
fn scans(plan: &[String]) -> Vec<&str> {
    plan.iter()
        .map(|l| l.trim())
        .filter(|l| {
            l.starts_with("SCAN ")
                && !l.contains("VIRTUAL TABLE")
                && !l.contains("CONSTANT ROW")
                && !l.starts_with("SCAN (")
        })
        .collect()
}

/// Scans without any index: `SCAN x` alone.
fn plain_scans(plan: &[String]) -> Vec<&str> {
    scans(plan)
        .into_iter()
        .filter(|l| !l.contains(" USING "))
        .collect()
}

fn show(label: &str, sql: &str, plan: &[String]) -> String {
    format!("{label}\n  {sql}\n  {}", plan.join("\n  "))
}

fn filter_cases(desk: &Desk) -> Vec<(&'static str, TicketFilter)> {
    let day = |d: u32| Some(Utc.with_ymd_and_hms(2024, 1, d, 0, 0, 0).unwrap());
    let f = TicketFilter::default;
    vec![
        (
            "text, common word",
            TicketFilter {
                text: "refund".into(),
                ..f()
            },
        ),
        (
            "text, rare prefix",
            TicketFilter {
                text: "prin".into(),
                ..f()
            },
        ),
        (
            "text, subject and customer",
            TicketFilter {
                text: "acme refund".into(),
                ..f()
            },
        ),
        (
            "text, customer email",
            TicketFilter {
                text: "ana.1@example".into(),
                ..f()
            },
        ),
        (
            "text, ticket number",
            TicketFilter {
                text: "TKT-000013".into(),
                ..f()
            },
        ),
        (
            "text, bare number",
            TicketFilter {
                text: "13".into(),
                ..f()
            },
        ),
        (
            "status, one",
            TicketFilter {
                statuses: vec![Status::Waiting],
                ..f()
            },
        ),
        (
            "status, three",
            TicketFilter {
                statuses: vec![Status::Open, Status::InProgress, Status::Waiting],
                ..f()
            },
        ),
        (
            "priority",
            TicketFilter {
                priorities: vec![Priority::Urgent],
                ..f()
            },
        ),
        (
            "created range",
            TicketFilter {
                created_from: day(5),
                created_to: day(8),
                ..f()
            },
        ),
        (
            "created from",
            TicketFilter {
                created_from: day(20),
                ..f()
            },
        ),
        (
            "created to",
            TicketFilter {
                created_to: day(3),
                ..f()
            },
        ),
        (
            "tags, one",
            TicketFilter {
                tags: desk.ticket_tags[..1].to_vec(),
                ..f()
            },
        ),
        (
            "tags, all",
            TicketFilter {
                tags: desk.ticket_tags.clone(),
                ..f()
            },
        ),
        (
            "customer tags, one",
            TicketFilter {
                customer_tags: desk.customer_tags[..1].to_vec(),
                ..f()
            },
        ),
        (
            "customer tags, all",
            TicketFilter {
                customer_tags: desk.customer_tags.clone(),
                ..f()
            },
        ),
        (
            "assignees, one",
            TicketFilter {
                assignees: desk.agents[1..2].to_vec(),
                ..f()
            },
        ),
        (
            "assignees, all",
            TicketFilter {
                assignees: desk.agents.clone(),
                ..f()
            },
        ),
        (
            "unassigned",
            TicketFilter {
                unassigned: true,
                ..f()
            },
        ),
        (
            "assignee or unassigned",
            TicketFilter {
                assignees: vec![desk.agents[2]],
                unassigned: true,
                ..f()
            },
        ),
        (
            "customer",
            TicketFilter {
                customer: Some(desk.customers[7]),
                ..f()
            },
        ),
    ]
}

/// A page query that tests the filter's sets ticket by ticket in sort order
/// (rather than being driven by them: `t.id IN (the sets)`).
fn probes(page_sql: &str) -> bool {
    [
        "+t.id IN",
        "+t.customer_id IN",
        "EXISTS (",
        "FROM ticket_search s CROSS JOIN",
    ]
    .iter()
    .any(|p| page_sql.contains(p))
}

/// Checks every filter and sort; returns the problems found.
fn check_plans(conn: &Connection, desk: &Desk, state: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut shapes = (0, 0);
    let mut sorted_in_memory = Vec::new();

    // Each sort alone: the first page is read in index order.
    for column in SortColumn::ALL {
        for descending in [true, false] {
            let request = ListRequest {
                filter: TicketFilter::default(),
                sort: Sort { column, descending },
                offset: 0,
                limit: PAGE,
                anchor: None,
            };
            let (pages, _) = desk.store.listing_sql(&request).unwrap();
            let sql = pages[0].clone();
            let p = plan(conn, &sql, &[]);
            let label = format!("[{state}] no filter / {column:?} desc={descending}");
            println!("{}\n", show(&label, &sql, &p));
            if p.iter().any(|l| l.contains("TEMP B-TREE")) {
                problems.push(format!("sorts in memory:\n{}", show(&label, &sql, &p)));
            }
            let ticket_scans: Vec<&str> = scans(&p)
                .into_iter()
                .filter(|l| *l == "SCAN t" || l.starts_with("SCAN t "))
                .collect();
            let in_order = match column {
                // Number order is the table's own (rowid) order.
                SortColumn::Number | SortColumn::Created => ticket_scans == ["SCAN t"],
                _ => ticket_scans.len() == 1 && ticket_scans[0].contains(" USING "),
            };
            if !in_order {
                problems.push(format!(
                    "not read in index order:\n{}",
                    show(&label, &sql, &p)
                ));
            }
        }
    }

    // Each sort alone, read on from a row in the middle and, where the
    // column can be empty, from a row without a value (keyset paging):
    // every part is a search through an index, never a scan or a sort.
    for column in SortColumn::ALL {
        for descending in [true, false] {
            let sort = Sort { column, descending };
            let at = |offset| {
                let request = ListRequest {
                    sort,
                    offset,
                    limit: 1,
                    ..ListRequest::default()
                };
                let page = desk.store.list_tickets(&request).unwrap();
                page.edges.map(|(key, _)| Anchor {
                    position: offset,
                    key,
                })
            };
            // Ascending, rows without a value come first; descending, last.
            let empty_end = if descending { TICKETS as u64 - 1 } else { 0 };
            for anchor in [at(TICKETS as u64 / 2), at(empty_end)]
                .into_iter()
                .flatten()
            {
                // A few rows past the anchor, or before it at the end.
                let offset = if anchor.position + 4 + u64::from(PAGE) <= TICKETS as u64 {
                    anchor.position + 4
                } else {
                    anchor.position - 3 - u64::from(PAGE)
                };
                let request = ListRequest {
                    sort,
                    offset,
                    limit: PAGE,
                    anchor: Some(anchor.clone()),
                    ..ListRequest::default()
                };
                let (pages, _) = desk.store.listing_sql(&request).unwrap();
                let values: Vec<String> = match &anchor.key.value {
                    SortValue::Text(text) => vec![text.clone()],
                    _ => Vec::new(),
                };
                for sql in &pages {
                    let p = plan(
                        conn,
                        sql,
                        &values[..values.len().min(parameters(conn, sql))],
                    );
                    let label = format!(
                        "[{state}] {column:?} desc={descending} after {:?}",
                        anchor.key.value
                    );
                    println!("{}\n", show(&label, sql, &p));
                    if !scans(&p).is_empty() || p.iter().any(|l| l.contains("TEMP B-TREE")) {
                        problems.push(format!(
                            "a keyset part scans or sorts:\n{}",
                            show(&label, sql, &p)
                        ));
                    }
                }
            }
        }
    }

    // Each filter alone, under every sort.
    for (name, filter) in filter_cases(desk) {
        for column in SortColumn::ALL {
            for descending in [true, false] {
                let request = ListRequest {
                    filter: filter.clone(),
                    sort: Sort { column, descending },
                    offset: 0,
                    limit: PAGE,
                    anchor: None,
                };
                let (pages, count_sql) = desk.store.listing_sql(&request).unwrap();
                let page_sql = pages[0].clone();
                let by_number = matches!(column, SortColumn::Number | SortColumn::Created);
                let label = format!("[{state}] {name} / {column:?} desc={descending}");

                let values = binds(&filter);
                let p = plan(conn, &page_sql, &values);
                println!("{}\n", show(&format!("{label} (page)"), &page_sql, &p));
                let plain: Vec<&str> = plain_scans(&p)
                    .into_iter()
                    .filter(|l| !(by_number && *l == "SCAN t"))
                    .collect();
                if !plain.is_empty() {
                    problems.push(format!(
                        "page reads {plain:?} without an index:\n{}",
                        show(&label, &page_sql, &p)
                    ));
                }
                let in_memory = p.iter().any(|l| l.contains("TEMP B-TREE FOR ORDER BY"));
                if probes(&page_sql) {
                    shapes.1 += 1;
                    if in_memory {
                        problems.push(format!(
                            "page probes the sets but sorts everything in memory:\n{}",
                            show(&label, &page_sql, &p)
                        ));
                    }
                } else {
                    shapes.0 += 1;
                    if in_memory {
                        sorted_in_memory.push(label.clone());
                    }
                }

                let p = plan(conn, &count_sql, &values);
                println!("{}\n", show(&format!("{label} (count)"), &count_sql, &p));
                let walked = scans(&p);
                if !walked.is_empty() {
                    problems.push(format!(
                        "count walks {walked:?}:\n{}",
                        show(&label, &count_sql, &p)
                    ));
                }
            }
        }
    }
    println!(
        "[{state}] filtered pages driven by the filter and sorted in memory \
         (fine: the filter found few rows through an index):\n  {}",
        sorted_in_memory.join("\n  ")
    );
    // Both page shapes were explained.
    assert!(
        shapes.0 > 0 && shapes.1 > 0,
        "[{state}] pages driven by sets / probing sets: {shapes:?}"
    );
    problems
}

#[test]
fn every_filter_and_sort_is_served_by_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.db");
    let desk = build_desk(&path);
    let conn = Connection::open(&path).unwrap();
    let tickets: i64 = conn
        .query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tickets, TICKETS as i64);

    let mut problems = check_plans(&conn, &desk, "fresh file");
    conn.execute_batch("ANALYZE").unwrap();
    let stats: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tickets'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stats > 0, "ANALYZE left no statistics for tickets");
    problems.extend(check_plans(&conn, &desk, "analyzed"));
    assert!(
        problems.is_empty(),
        "{} plan problems:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// Text with nothing searchable in it is the constant condition `0`: SQLite
/// tests it once, before the loop, and reads no row at all (its plan still
/// names a scan, which never runs), and the page query is not run.
#[test]
fn nothing_searchable_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.db");
    let desk = build_desk(&path);
    let conn = Connection::open(&path).unwrap();
    for text in ["\"", "* - ( )", "\"\""] {
        let request = ListRequest {
            filter: TicketFilter {
                text: text.to_owned(),
                ..TicketFilter::default()
            },
            limit: PAGE,
            ..ListRequest::default()
        };
        let page = desk.store.list_tickets(&request).unwrap();
        assert_eq!((page.total, page.rows.len()), (Some(0), 0), "{text:?}");
        let (_, count_sql) = desk.store.listing_sql(&request).unwrap();
        assert!(count_sql.ends_with(" WHERE 0"), "{count_sql}");
        let mut stmt = conn.prepare(&count_sql).unwrap();
        let n: i64 = stmt.query_row([], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
        assert_eq!(
            stmt.get_status(StatementStatus::FullscanStep),
            0,
            "{count_sql} stepped through a table"
        );
    }
}

/// The rules above do catch what they look for.
#[test]
fn the_rules_catch_unindexed_reads() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status INTEGER, description TEXT);
         CREATE INDEX tickets_status ON tickets(status);",
    )
    .unwrap();
    let full = plan(
        &conn,
        "SELECT count(*) FROM tickets t WHERE t.description = 'x'",
        &[],
    );
    assert_eq!(plain_scans(&full), ["SCAN t"], "{full:?}");
    let walk = plan(
        &conn,
        "SELECT count(*) FROM tickets t WHERE t.status + 0 = 1",
        &[],
    );
    // A walk of a whole index is a scan too, though not a plain one.
    assert_eq!(scans(&walk).len(), 1, "{walk:?}");
    assert!(plain_scans(&walk).is_empty(), "{walk:?}");
    let search = plan(
        &conn,
        "SELECT count(*) FROM tickets t WHERE t.status = 1",
        &[],
    );
    assert!(scans(&search).is_empty(), "{search:?}");
    let sorted = plan(
        &conn,
        "SELECT id FROM tickets t ORDER BY t.description LIMIT 5",
        &[],
    );
    assert!(
        sorted
            .iter()
            .any(|l| l.contains("TEMP B-TREE FOR ORDER BY")),
        "{sorted:?}"
    );
    assert!(probes(
        "SELECT t.id FROM tickets t WHERE +t.id IN (SELECT 1)"
    ));
    assert!(!probes(
        "SELECT t.id FROM tickets t WHERE t.id IN (SELECT 1)"
    ));
}
