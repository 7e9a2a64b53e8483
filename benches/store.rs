//! Store benchmark: `cargo bench --bench store -- --tickets N` (default 1,000,000).
//!
//! Builds (or reuses) a seeded database under `target/bench/`, times each
//! operation (median and p95 over at least 20 runs after a warm-up; fewer
//! for the ones that read or write the whole file), prints a table and
//! writes `target/bench/store.json`. `--only PREFIX` runs just the
//! operations whose names start with PREFIX (`--only backup`: the backup,
//! its check and a restore, with the backup's size against the file's).

mod common;

use common::{bench_dir, parse_tickets, percentile};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tickets::analytics::{Period, PeriodChoice};
use tickets::clock::SystemClock;
use tickets::domain::{AgentId, CustomerId, Priority, Status, TicketNumber};
use tickets::export::export_tickets;
use tickets::seed::{SeedOptions, generate};
use tickets::store::{
    BACKUPS_KEPT, BackupFile, ListRequest, Sort, SortColumn, Store, TicketFilter, restore_backup,
    verify_backup,
};

const RUNS: usize = 25;
const WARMUP: usize = 3;
const PAGE: u32 = 100;

struct Measured {
    name: String,
    median_ms: f64,
    p95_ms: f64,
}

/// `--only PREFIX`: run just the operations whose names start with it.
fn wanted(name: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--only") {
        Some(i) => args.get(i + 1).is_none_or(|p| name.starts_with(p.as_str())),
        None => true,
    }
}

fn measure(results: &mut Vec<Measured>, name: &str, op: impl FnMut(usize)) {
    measure_runs(results, name, WARMUP, RUNS, op);
}

fn measure_runs(
    results: &mut Vec<Measured>,
    name: &str,
    warmup: usize,
    runs: usize,
    mut op: impl FnMut(usize),
) {
    if !wanted(name) {
        return;
    }
    for i in 0..warmup {
        op(i);
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|i| {
            let start = Instant::now();
            op(warmup + i);
            start.elapsed()
        })
        .collect();
    times.sort();
    let m = Measured {
        name: name.to_owned(),
        median_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
    };
    println!("{:<36} {:>10.2} {:>10.2}", m.name, m.median_ms, m.p95_ms);
    results.push(m);
}

/// Opens the seeded database for `tickets`, seeding it first if needed.
/// Returns the store and the seed time if it seeded.
fn prepare(path: &Path, tickets: u64) -> Option<f64> {
    let clock = Arc::new(SystemClock);
    if path.exists() {
        let store = Store::open(path, clock.clone()).expect("open bench database");
        if store
            .count_tickets(&TicketFilter::default())
            .expect("count")
            == tickets
        {
            return None;
        }
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    println!("Seeding {tickets} tickets into {} …", path.display());
    let mut store = Store::open(path, clock).expect("create bench database");
    let start = Instant::now();
    generate(&mut store, SeedOptions { tickets, seed: 42 }, |_, _| true).expect("seed");
    let seconds = start.elapsed().as_secs_f64();
    println!("Seeded in {seconds:.1} s");
    Some(seconds)
}

/// An operation's name at this size: `NAME_1m` at a million tickets.
fn sized(name: &str, tickets: u64) -> String {
    if tickets == 1_000_000 {
        format!("{name}_1m")
    } else {
        format!("{name}_{tickets}")
    }
}

/// Backups of the whole file: 3 made (each compresses the whole file), then
/// the newest checked as a restore checks it and restored to a new file,
/// once each. Deletes what it made. Returns the figures for store.json.
fn backups(
    results: &mut Vec<Measured>,
    store: &Store,
    dir: &Path,
    tickets: u64,
    db_bytes: u64,
) -> Option<serde_json::Value> {
    let name = sized("backup", tickets);
    let mut made: Vec<BackupFile> = Vec::new();
    measure_runs(results, &name, 0, 3, |_| {
        made.push(store.backup_now(&mut |_, _| {}).expect("backup"));
    });
    let newest = made.last()?.clone();
    measure_runs(results, &sized("backup_verify", tickets), 0, 1, |_| {
        verify_backup(&newest.path).expect("the backup checks out");
    });
    let restored = dir.join(format!("restored-{tickets}.db"));
    measure_runs(results, &sized("backup_restore", tickets), 0, 1, |_| {
        let kept = restore_backup(&restored, &newest.path, &SystemClock).expect("restore");
        assert!(kept.is_none(), "nothing was there to replace");
    });
    let _ = std::fs::remove_file(&restored);
    for backup in &made {
        let _ = std::fs::remove_file(&backup.path);
    }
    let kept_bytes = newest.bytes * BACKUPS_KEPT as u64;
    println!(
        "  (backup file: {:.0} MB, {:.1}% of the {:.0} MB database; {BACKUPS_KEPT} kept: {:.0} MB, {:.2}× the database)",
        newest.bytes as f64 / 1e6,
        100.0 * newest.bytes as f64 / db_bytes as f64,
        db_bytes as f64 / 1e6,
        kept_bytes as f64 / 1e6,
        kept_bytes as f64 / db_bytes as f64,
    );
    let median = |name: String| {
        results
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.median_ms / 1000.0)
    };
    Some(serde_json::json!({
        "bytes": newest.bytes,
        "db_bytes": db_bytes,
        "kept": BACKUPS_KEPT,
        "kept_bytes": kept_bytes,
        "seconds": median(name),
        "verify_seconds": median(sized("backup_verify", tickets)),
        "restore_seconds": median(sized("backup_restore", tickets)),
    }))
}

fn first_page(filter: TicketFilter) -> ListRequest {
    ListRequest {
        filter,
        sort: Sort::default(),
        offset: 0,
        limit: PAGE,
    }
}

fn main() {
    let tickets = parse_tickets();
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).expect("create target/bench");
    let path = dir.join(format!("store-{tickets}.db"));
    let seed_seconds = prepare(&path, tickets);
    let clock = Arc::new(SystemClock);
    let mut store = Store::open(&path, clock.clone()).expect("open");
    let db_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    // Realistic values from the data itself.
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
    let last_30d = Some(now - chrono::Duration::days(30));
    let backlog = vec![Status::Open, Status::InProgress, Status::Waiting];

    println!("\n{tickets} tickets, {:.0} MB", db_bytes as f64 / 1e6);
    println!("{:<36} {:>10} {:>10}", "operation", "median ms", "p95 ms");
    let mut results = Vec::new();

    measure(&mut results, "open_first_page", |_| {
        let store = Store::open(&path, clock.clone()).expect("open");
        let page = store
            .list_tickets(&first_page(TicketFilter::default()))
            .expect("list");
        assert_eq!(page.total, tickets);
    });

    let filters: Vec<(&str, TicketFilter)> = vec![
        (
            "filter_status_backlog",
            TicketFilter {
                statuses: backlog.clone(),
                ..Default::default()
            },
        ),
        (
            "filter_status_closed",
            TicketFilter {
                statuses: vec![Status::Closed],
                ..Default::default()
            },
        ),
        (
            "filter_priority_urgent",
            TicketFilter {
                priorities: vec![Priority::Urgent],
                ..Default::default()
            },
        ),
        (
            "filter_priority_low_medium",
            TicketFilter {
                priorities: vec![Priority::Low, Priority::Medium],
                ..Default::default()
            },
        ),
        (
            "filter_created_last_30d",
            TicketFilter {
                created_from: last_30d,
                ..Default::default()
            },
        ),
        (
            "filter_tag_refund",
            TicketFilter {
                tags: vec![refund],
                ..Default::default()
            },
        ),
        (
            "filter_customer_tag_vip",
            TicketFilter {
                customer_tags: vec![vip],
                ..Default::default()
            },
        ),
        (
            "filter_assignee",
            TicketFilter {
                assignees: vec![agent],
                ..Default::default()
            },
        ),
        (
            "filter_unassigned",
            TicketFilter {
                unassigned: true,
                ..Default::default()
            },
        ),
        (
            "filter_customer",
            TicketFilter {
                customer: Some(customer.id),
                ..Default::default()
            },
        ),
        (
            "combo_backlog_urgent_unassigned",
            TicketFilter {
                statuses: backlog.clone(),
                priorities: vec![Priority::Urgent],
                unassigned: true,
                ..Default::default()
            },
        ),
        (
            "combo_tag_sso_resolved_30d",
            TicketFilter {
                tags: vec![sso],
                statuses: vec![Status::Resolved, Status::Closed],
                created_from: last_30d,
                ..Default::default()
            },
        ),
        (
            "combo_my_queue",
            TicketFilter {
                assignees: vec![agent],
                statuses: backlog.clone(),
                ..Default::default()
            },
        ),
        (
            "combo_search_vip_high",
            TicketFilter {
                text: "refund".into(),
                customer_tags: vec![vip],
                priorities: vec![Priority::High],
                ..Default::default()
            },
        ),
        (
            "search_common_word",
            TicketFilter {
                text: "order".into(),
                ..Default::default()
            },
        ),
        (
            "search_rare_word",
            TicketFilter {
                text: order_number.clone(),
                ..Default::default()
            },
        ),
        (
            "search_prefix",
            TicketFilter {
                text: "refu".into(),
                ..Default::default()
            },
        ),
        (
            "search_ticket_number",
            TicketFilter {
                text: format!("TKT-{:06}", tickets / 2),
                ..Default::default()
            },
        ),
        (
            "search_customer_email",
            TicketFilter {
                text: customer.email.clone(),
                ..Default::default()
            },
        ),
    ];
    for (name, filter) in &filters {
        let request = first_page(filter.clone());
        measure(&mut results, name, |_| {
            store.list_tickets(&request).expect("list");
        });
    }

    for column in SortColumn::ALL {
        for descending in [false, true] {
            let name = format!(
                "sort_{}_{}",
                format!("{column:?}").to_lowercase(),
                if descending { "desc" } else { "asc" }
            );
            let request = ListRequest {
                sort: Sort { column, descending },
                ..first_page(TicketFilter::default())
            };
            measure(&mut results, &name, |_| {
                store.list_tickets(&request).expect("list");
            });
        }
    }

    for (name, choice) in [
        ("analytics_today", PeriodChoice::Today),
        ("analytics_last_30d", PeriodChoice::Last30d),
        ("analytics_last_month", PeriodChoice::LastMonth),
        ("analytics_365d", PeriodChoice::Last365d),
    ] {
        measure(&mut results, name, |_| {
            let period =
                Period::resolve(choice, chrono::Utc::now(), &chrono::Local).expect("period");
            let report = store.report(&period).expect("report");
            assert!(choice == PeriodChoice::Today || report.created > 0);
        });
    }

    // Every ticket, every column, with the conversation: 1 warm-up and 5 runs
    // (each writes the whole file).
    let export_path = dir.join(format!("export-{tickets}.csv"));
    let export_name = sized("export_tickets", tickets);
    measure_runs(&mut results, &export_name, 1, 5, |_| {
        let n = export_tickets(
            &store,
            &TicketFilter::default(),
            Sort::default(),
            false,
            &chrono::Local,
            &export_path,
            &mut |_, _| true,
        )
        .expect("export");
        assert_eq!(n, tickets);
    });
    if let Ok(meta) = std::fs::metadata(&export_path) {
        println!("  (export file: {:.0} MB)", meta.len() as f64 / 1e6);
        let _ = std::fs::remove_file(&export_path);
    }

    let backup = backups(&mut results, &store, &dir, tickets, db_bytes);

    let mut rng = fastrand::Rng::with_seed(7);
    measure(&mut results, "load_ticket", |_| {
        let number = TicketNumber(rng.i64(1..=tickets as i64));
        store.load_ticket(number).expect("load");
    });

    // Status changes on distinct tickets, loaded beforehand so only the change is timed.
    let actor = AgentId(1);
    let mut drawn = std::collections::BTreeSet::new();
    while drawn.len() < WARMUP + RUNS {
        drawn.insert(rng.i64(1..=tickets as i64));
    }
    let mut targets = drawn
        .into_iter()
        .map(|n| {
            let ticket = store.load_ticket(TicketNumber(n)).expect("load");
            let to = if ticket.status == Status::Waiting {
                Status::InProgress
            } else {
                Status::Waiting
            };
            (ticket.number, ticket.version, to)
        })
        .collect::<Vec<_>>()
        .into_iter();
    measure(&mut results, "change_status", |_| {
        let (number, version, to) = targets.next().expect("a target per run");
        store
            .set_status(actor, number, version, to)
            .expect("change status");
    });

    let json = serde_json::json!({
        "tickets": tickets,
        "db_bytes": db_bytes,
        "seed_seconds": seed_seconds,
        "backup": backup,
        "operations": results.iter().map(|m| serde_json::json!({
            "name": m.name, "median_ms": m.median_ms, "p95_ms": m.p95_ms,
        })).collect::<Vec<_>>(),
    });
    let out = dir.join("store.json");
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json"))
        .expect("write store.json");
    println!("\nWrote {}", out.display());
}
