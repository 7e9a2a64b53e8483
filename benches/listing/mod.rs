//! The list's operations in the store benchmark: every filter and sort (each
//! beside the plainest correct SQL for the same answer, on the file), pages
//! deep in the list, the sidebar's facet counts, and cold reads on a new
//! connection. The same operations run on either engine ([`Engine`]).

use rusqlite::Connection;
use tickets::domain::{CustomerId, Priority, Status, to_millis};
use tickets::store::{Anchor, ListRequest, Sort, SortColumn, Store, TicketFilter};

use super::{Engine, Measured, PAGE, first_page, measure, timings};

/// A list operation: the filter, and the same answer (count + first page,
/// newest first) asked in plain SQL as `WHERE {plain}`.
pub struct ListOp {
    name: String,
    filter: TicketFilter,
    plain: String,
}

/// The list's columns as plain SQL reads them for one page: what the store's
/// rows carry (the customer's name, the assignees' names).
const ROW_COLUMNS: &str =
    "t.id, t.subject, t.status, t.priority, c.name, t.created_at, t.updated_at,
     (SELECT group_concat(a.name, char(31) ORDER BY a.sort_key, a.id)
      FROM ticket_assignees ta JOIN agents a ON a.id = ta.agent_id WHERE ta.ticket_id = t.id)";

/// The exact count and the first page in plain SQL, as anyone would write
/// them, left to SQLite's planner, in one read transaction (so the count is
/// the page's, as the store's is).
fn plain(conn: &Connection, condition: &str, order: &str) {
    conn.execute_batch("BEGIN").expect("begin");
    let where_sql = if condition.is_empty() {
        String::new()
    } else {
        format!(" WHERE {condition}")
    };
    let count: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM tickets t{where_sql}"),
            [],
            |r| r.get(0),
        )
        .expect("plain count");
    let mut page = conn
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id\
             {where_sql} ORDER BY {order} LIMIT {PAGE}"
        ))
        .expect("plain page");
    let rows = page
        .query_map([], |r| r.get::<_, i64>(0))
        .expect("plain rows")
        .count();
    assert!(count >= 0 && rows <= PAGE as usize);
    conn.execute_batch("COMMIT").expect("commit");
}

/// Measures `op` through the store, then its plain SQL, and notes the ratio.
fn beside_plain(
    results: &mut Vec<Measured>,
    name: &str,
    conn: Option<&Connection>,
    condition: &str,
    order: &str,
    mut op: impl FnMut(),
) {
    let before = results.len();
    measure(results, name, |_| op());
    let Some(conn) = conn.filter(|_| results.len() > before) else {
        return;
    };
    let (median, p95) = timings(|_| plain(conn, condition, order));
    let ratio = results[before].median_ms / median;
    println!(
        "{:<36} {median:>10.2} {p95:>10.2}   plain SQL, {ratio:.2}× of it",
        "  ↳ plain"
    );
    results[before].plain_median_ms = Some(median);
}

/// Every list operation, at `tickets` tickets, on `engine`'s `store`. The
/// plain SQL beside each runs on the file only.
pub fn run(
    results: &mut Vec<Measured>,
    store: &Store,
    engine: Engine<'_>,
    tickets: u64,
    ops: &[ListOp],
) {
    let conn = engine.file().map(|path| {
        let conn = Connection::open(path).expect("a plain connection");
        // The same page cache the store gives itself.
        conn.execute_batch("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;")
            .expect("cache size");
        conn
    });
    let conn = conn.as_ref();

    // The window asks for the facet counts with its first list, which makes
    // the facet table: the warm runs below find it made.
    store
        .facet_counts(&TicketFilter::default())
        .expect("facets");
    for op in ops {
        let request = first_page(op.filter.clone());
        beside_plain(results, &op.name, conn, &op.plain, "t.id DESC", || {
            store.list_tickets(&request).expect("list");
        });
        first_page_alone(results, store, &op.name, &request);
    }

    for column in SortColumn::ALL {
        for descending in [false, true] {
            let name = format!(
                "sort_{}_{}",
                format!("{column:?}").to_lowercase(),
                if descending { "desc" } else { "asc" }
            );
            let sort = Sort { column, descending };
            let request = ListRequest {
                sort,
                ..first_page(TicketFilter::default())
            };
            let dir = if descending { "DESC" } else { "ASC" };
            let order = match column {
                SortColumn::Number | SortColumn::Created => format!("t.id {dir}"),
                SortColumn::Subject => format!("t.subject COLLATE NOCASE {dir}, t.id {dir}"),
                SortColumn::Status => format!("t.status {dir}, t.id {dir}"),
                SortColumn::Priority => format!("t.priority {dir}, t.id {dir}"),
                SortColumn::Customer => format!("t.customer_key {dir}, t.id {dir}"),
                SortColumn::Assignee => format!("t.assignee_key {dir}, t.id {dir}"),
                SortColumn::Updated => format!("t.updated_at {dir}, t.id {dir}"),
                SortColumn::Due => format!("t.due_at {dir}, t.id {dir}"),
            };
            beside_plain(results, &name, conn, "", &order, || {
                store.list_tickets(&request).expect("list");
            });
            first_page_alone(results, store, &name, &request);
        }
    }

    deep_pages(results, store, tickets);
    facets(results, store, ops);
    cold(results, engine, tickets, ops);
}

/// `{name}_page`: the first page as the window reads it first, before its
/// total (`{name}` is the page with its total, as the window has it once
/// the count is in). The file counts with the page (the count chooses how
/// the page is read), so there the two are one.
fn first_page_alone(results: &mut Vec<Measured>, store: &Store, name: &str, request: &ListRequest) {
    measure(results, &format!("{name}_page"), |_| {
        store.list_page(request).expect("page");
    });
}

/// Pages half-way down and at the very end, by the default sort and by
/// subject: read on from the row before (as scrolling there does), and
/// jumped to with no row known (as dragging the scroll bar does).
fn deep_pages(results: &mut Vec<Measured>, store: &Store, tickets: u64) {
    let name_of = |position: u64| {
        if tickets == 1_000_000 && position == 500_000 {
            "500k".to_owned()
        } else {
            position.to_string()
        }
    };
    for (column, label) in [
        (SortColumn::Created, "created"),
        (SortColumn::Subject, "subject"),
    ] {
        let sort = Sort {
            column,
            descending: column == SortColumn::Created,
        };
        for position in [tickets / 2, tickets.saturating_sub(100)] {
            if position == 0 {
                continue;
            }
            // The row before, as the page above it handed it over.
            let before = store
                .list_tickets(&ListRequest {
                    sort,
                    offset: position - 1,
                    limit: 1,
                    ..ListRequest::default()
                })
                .expect("the row before");
            let anchor = before.edges.map(|(key, _)| Anchor {
                position: position - 1,
                key,
            });
            let request = ListRequest {
                sort,
                offset: position,
                limit: PAGE,
                anchor,
                ..ListRequest::default()
            };
            let expected = store
                .list_tickets(&ListRequest {
                    anchor: None,
                    ..request.clone()
                })
                .expect("the page by offset");
            let position = name_of(position);
            measure(results, &format!("page_deep_{label}_{position}"), |_| {
                let page = store.list_tickets(&request).expect("list");
                assert_eq!(page.rows, expected.rows);
            });
            let jump = ListRequest {
                anchor: None,
                ..request.clone()
            };
            measure(results, &format!("page_jump_{label}_{position}"), |_| {
                store.list_tickets(&jump).expect("list");
            });
        }
    }
}

/// The sidebar's counts (each status, each priority, with the rest of the
/// filter) for a few filters.
fn facets(results: &mut Vec<Measured>, store: &Store, ops: &[ListOp]) {
    let filter = |name: &str| {
        ops.iter()
            .find(|op| op.name == name)
            .map(|op| op.filter.clone())
            .expect("a filter of that name")
    };
    for (name, filter) in [
        ("facets_all", TicketFilter::default()),
        ("facets_backlog", filter("filter_status_backlog")),
        ("facets_search_common_word", filter("search_common_word")),
        ("facets_customer_tag_vip", filter("filter_customer_tag_vip")),
        ("facets_my_queue", filter("combo_my_queue")),
        ("facets_created_last_30d", filter("filter_created_last_30d")),
    ] {
        measure(results, name, |_| {
            store.facet_counts(&filter).expect("facets");
        });
    }
}

/// Each filter as a script or the window's first click after opening meets
/// it: a new connection per run, SQLite's cache empty (the OS's warm); on a
/// server, a new connection (a new server process, its catalog cache
/// empty; the server's shared buffers and the OS's cache stay warm). Then
/// the facet counts on a new connection, which on the file read every
/// ticket's status and priority into the facet table.
fn cold(results: &mut Vec<Measured>, engine: Engine<'_>, tickets: u64, ops: &[ListOp]) {
    measure(results, "cold_facets_all", |_| {
        let store = engine.open();
        store
            .facet_counts(&TicketFilter::default())
            .expect("facets");
    });
    for op in ops {
        let request = first_page(op.filter.clone());
        let name = format!("cold_{}", op.name);
        measure(results, &name, |_| {
            let store = engine.open();
            let page = store.list_tickets(&request).expect("list");
            assert!(page.total.is_some_and(|total| total <= tickets));
        });
    }
}

/// The filters, with values taken from the data itself (the file's: a
/// server holding the same desk runs the very same filters).
pub fn list_ops(store: &Store, tickets: u64) -> Vec<ListOp> {
    let tag = |name: &str| store.tag_named(name).expect("tag").expect("seeded tag").id;
    let (refund, sso, vip) = (tag("refund"), tag("sso"), tag("vip"));
    let agent = store.agents().expect("agents")[3].id;
    let customer = store.customer(CustomerId(1)).expect("customer 1");
    let order_number = store
        .list_tickets(&first_page(TicketFilter {
            text: "refund request order".into(),
            ..TicketFilter::default()
        }))
        .expect("refund tickets")
        .rows
        .first()
        .and_then(|r| r.subject.rsplit('#').next().map(str::to_owned))
        .expect("an order number");
    let now = chrono::Utc::now();
    let last_30d = now - chrono::Duration::days(30);
    let backlog = vec![Status::Open, Status::InProgress, Status::Waiting];
    let codes = |s: &[Status]| {
        s.iter()
            .map(|s| s.code().to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let words = |w: &str| {
        format!("t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH '\"{w}\" *')")
    };
    let vip_customers = format!(
        "t.customer_id IN (SELECT customer_id FROM customer_tags WHERE tag_id = {})",
        vip.0
    );
    let assigned = |agent: i64| {
        format!("t.id IN (SELECT ticket_id FROM ticket_assignees WHERE agent_id = {agent})")
    };
    let tagged =
        |tag: i64| format!("t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag_id = {tag})");
    let op = |name: &str, filter: TicketFilter, plain: String| ListOp {
        name: name.to_owned(),
        filter,
        plain,
    };
    vec![
        op(
            "filter_status_backlog",
            TicketFilter {
                statuses: backlog.clone(),
                ..Default::default()
            },
            format!("t.status IN ({})", codes(&backlog)),
        ),
        op(
            "filter_status_closed",
            TicketFilter {
                statuses: vec![Status::Closed],
                ..Default::default()
            },
            format!("t.status = {}", Status::Closed.code()),
        ),
        op(
            "filter_priority_urgent",
            TicketFilter {
                priorities: vec![Priority::Urgent],
                ..Default::default()
            },
            format!("t.priority = {}", Priority::Urgent.code()),
        ),
        op(
            "filter_priority_low_medium",
            TicketFilter {
                priorities: vec![Priority::Low, Priority::Medium],
                ..Default::default()
            },
            format!(
                "t.priority IN ({}, {})",
                Priority::Low.code(),
                Priority::Medium.code()
            ),
        ),
        op(
            "filter_created_last_30d",
            TicketFilter {
                created_from: Some(last_30d),
                ..Default::default()
            },
            format!("t.created_at >= {}", to_millis(last_30d)),
        ),
        op(
            "filter_breached",
            TicketFilter {
                breached: true,
                ..Default::default()
            },
            format!("t.due_at <= {}", to_millis(now)),
        ),
        op(
            "filter_due_within_1h",
            TicketFilter {
                due_within_minutes: Some(60),
                ..Default::default()
            },
            format!(
                "t.due_at > {} AND t.due_at <= {}",
                to_millis(now),
                to_millis(now) + 3_600_000
            ),
        ),
        op(
            "filter_tag_refund",
            TicketFilter {
                tags: vec![refund],
                ..Default::default()
            },
            tagged(refund.0),
        ),
        op(
            "filter_customer_tag_vip",
            TicketFilter {
                customer_tags: vec![vip],
                ..Default::default()
            },
            vip_customers.clone(),
        ),
        op(
            "filter_assignee",
            TicketFilter {
                assignees: vec![agent],
                ..Default::default()
            },
            assigned(agent.0),
        ),
        op(
            "filter_unassigned",
            TicketFilter {
                unassigned: true,
                ..Default::default()
            },
            "t.assignee_key IS NULL".to_owned(),
        ),
        op(
            "filter_customer",
            TicketFilter {
                customer: Some(customer.id),
                ..Default::default()
            },
            format!("t.customer_id = {}", customer.id.0),
        ),
        op(
            "combo_open_high",
            TicketFilter {
                statuses: vec![Status::Open],
                priorities: vec![Priority::High],
                ..Default::default()
            },
            format!(
                "t.status = {} AND t.priority = {}",
                Status::Open.code(),
                Priority::High.code()
            ),
        ),
        op(
            "combo_backlog_urgent_unassigned",
            TicketFilter {
                statuses: backlog.clone(),
                priorities: vec![Priority::Urgent],
                unassigned: true,
                ..Default::default()
            },
            format!(
                "t.status IN ({}) AND t.priority = {} AND t.assignee_key IS NULL",
                codes(&backlog),
                Priority::Urgent.code()
            ),
        ),
        op(
            "combo_tag_sso_resolved_30d",
            TicketFilter {
                tags: vec![sso],
                statuses: vec![Status::Resolved, Status::Closed],
                created_from: Some(last_30d),
                ..Default::default()
            },
            format!(
                "{} AND t.status IN ({}) AND t.created_at >= {}",
                tagged(sso.0),
                codes(&[Status::Resolved, Status::Closed]),
                to_millis(last_30d)
            ),
        ),
        op(
            "combo_my_queue",
            TicketFilter {
                assignees: vec![agent],
                statuses: backlog.clone(),
                ..Default::default()
            },
            format!(
                "{} AND t.status IN ({})",
                assigned(agent.0),
                codes(&backlog)
            ),
        ),
        op(
            "combo_search_vip_high",
            TicketFilter {
                text: "refund".into(),
                customer_tags: vec![vip],
                priorities: vec![Priority::High],
                ..Default::default()
            },
            format!(
                "{} AND {vip_customers} AND t.priority = {}",
                words("refund"),
                Priority::High.code()
            ),
        ),
        op(
            "search_common_word",
            TicketFilter {
                text: "order".into(),
                ..Default::default()
            },
            words("order"),
        ),
        op(
            "search_rare_word",
            TicketFilter {
                text: order_number.clone(),
                ..Default::default()
            },
            words(&order_number),
        ),
        op(
            "search_prefix",
            TicketFilter {
                text: "refu".into(),
                ..Default::default()
            },
            words("refu"),
        ),
        op(
            "search_ticket_number",
            TicketFilter {
                text: format!("TKT-{:06}", tickets / 2),
                ..Default::default()
            },
            // The number, or the words of its text (as any search is).
            format!(
                "({} OR t.id = {})",
                words(&format!("TKT-{:06}", tickets / 2)),
                tickets / 2
            ),
        ),
        op(
            "search_customer_email",
            TicketFilter {
                text: customer.email.clone(),
                ..Default::default()
            },
            format!(
                "t.customer_id IN (SELECT id FROM customers WHERE email LIKE '{}%')",
                customer.email.replace('\'', "''")
            ),
        ),
    ]
}
