//! Store benchmark: `cargo bench --bench store -- --tickets N` (default 1,000,000).
//!
//! Builds (or reuses) a seeded database under `target/bench/`, times each
//! operation (median and p95 over at least 20 runs after a warm-up; fewer
//! for the ones that read or write the whole file), prints a table and
//! writes `target/bench/store.json`. `--only PREFIX` runs just the
//! operations whose names start with PREFIX (`--only backup`: seven backups
//! with a day's work between them, on a copy of the file, their size
//! against the file's, and the oldest checked and restored).

mod common;
mod listing;

use common::{bench_dir, parse_tickets, percentile};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tickets::analytics::{Period, PeriodChoice};
use tickets::clock::SystemClock;
use tickets::domain::{AgentId, Direction, NewTicket, Status, TicketNumber};
use tickets::export::export_tickets;
use tickets::seed::{SeedOptions, generate};
use tickets::store::{
    BACKUPS_KEPT, ListRequest, Sort, Store, TicketFilter, list_backups, restore_backup,
    verify_backup,
};

const RUNS: usize = 25;
const WARMUP: usize = 3;
const PAGE: u32 = 100;

struct Measured {
    name: String,
    median_ms: f64,
    p95_ms: f64,
    /// The plainest correct SQL for the same answer, where there is one.
    plain_median_ms: Option<f64>,
}

/// `--only PREFIX[,PREFIX…]`: run just the operations whose names start with one of them.
fn wanted(name: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--only") {
        Some(i) => args
            .get(i + 1)
            .is_none_or(|list| list.split(',').any(|p| name.starts_with(p))),
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
    op: impl FnMut(usize),
) {
    if !wanted(name) {
        return;
    }
    let (median_ms, p95_ms) = timings_of(warmup, runs, op);
    let m = Measured {
        name: name.to_owned(),
        median_ms,
        p95_ms,
        plain_median_ms: None,
    };
    println!("{:<36} {:>10.2} {:>10.2}", m.name, m.median_ms, m.p95_ms);
    results.push(m);
}

/// Median and p95 (ms) of `op` over the usual runs, after the warm-up.
fn timings(op: impl FnMut(usize)) -> (f64, f64) {
    timings_of(WARMUP, RUNS, op)
}

fn timings_of(warmup: usize, runs: usize, mut op: impl FnMut(usize)) -> (f64, f64) {
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
    (percentile(&times, 0.5), percentile(&times, 0.95))
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
            let _ = std::fs::remove_file(with_suffix(path, suffix));
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

/// Writes a day's work on a desk of `tickets` tickets: new tickets, status
/// changes, notes and replies spread over the whole file.
fn a_days_work(store: &mut Store, rng: &mut fastrand::Rng, tickets: u64) {
    let actor = AgentId(1);
    for i in 0..DAY_NEW {
        let ticket = NewTicket {
            subject: format!("Raised today, {i}"),
            description: "The customer called about their order.".to_owned(),
            ..NewTicket::default()
        };
        store.create_ticket(actor, &ticket).expect("create");
    }
    for _ in 0..DAY_EDITS {
        let number = TicketNumber(rng.i64(1..=tickets as i64));
        let ticket = store.load_ticket(number).expect("load");
        let to = if ticket.status == Status::Waiting {
            Status::InProgress
        } else {
            Status::Waiting
        };
        store
            .set_status(actor, number, ticket.version, to)
            .expect("change status");
        let number = TicketNumber(rng.i64(1..=tickets as i64));
        store
            .add_note(actor, number, "Called back, waiting on the courier")
            .expect("note");
        let number = TicketNumber(rng.i64(1..=tickets as i64));
        store
            .add_message(
                actor,
                number,
                Direction::Outbound,
                "Thanks for your patience: a replacement is on its way.",
            )
            .expect("reply");
    }
}

/// `path` with `suffix` after its name: its `-wal`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Tickets raised in a day's work between two backups.
const DAY_NEW: usize = 200;
/// Status changes, notes and replies (each) in a day's work, on tickets drawn
/// at random.
const DAY_EDITS: usize = 1000;

/// Seven backups, a day's work before each, on a copy of the benchmark file
/// (left as it was): the time of each backup (the first has no backup
/// before it to keep as changes), the size of the seven kept against the
/// file's, then the oldest (rebuilt from the newest through six sets of
/// changes) checked as a restore checks it and restored to a new file, once
/// each. Deletes what it made. Returns the figures for store.json.
fn backups(
    results: &mut Vec<Measured>,
    path: &Path,
    dir: &Path,
    tickets: u64,
) -> Option<serde_json::Value> {
    let name = sized("backup", tickets);
    if !wanted(&name) {
        return None;
    }
    let copy = dir.join(format!("backups-{tickets}.db"));
    // With its log, should another connection have left one.
    for suffix in ["", "-wal"] {
        let (from, to) = (with_suffix(path, suffix), with_suffix(&copy, suffix));
        if from.exists() {
            std::fs::copy(from, to).expect("copy the benchmark file");
        }
    }
    let mut store = Store::open(&copy, Arc::new(SystemClock)).expect("open the copy");
    let mut rng = fastrand::Rng::with_seed(11);
    let mut times = Vec::new();
    for day in 0..BACKUPS_KEPT {
        if day > 0 {
            a_days_work(&mut store, &mut rng, tickets);
        }
        let start = Instant::now();
        store.backup_now(&mut |_, _| {}).expect("backup");
        times.push(start.elapsed());
        // A new name each time: backups are named by the second.
        std::thread::sleep(Duration::from_millis(1100));
    }
    drop(store);
    let db_bytes = std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0);
    let kept = list_backups(&copy).expect("list");
    assert_eq!(kept.len(), BACKUPS_KEPT);
    let oldest = kept.last()?.clone();
    let first = times.remove(0);
    times.sort();
    let m = Measured {
        name: name.clone(),
        median_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
        plain_median_ms: None,
    };
    println!("{:<36} {:>10.2} {:>10.2}", m.name, m.median_ms, m.p95_ms);
    results.push(m);
    let verify = sized("backup_verify_oldest", tickets);
    measure_runs(results, &verify, 0, 1, |_| {
        verify_backup(&oldest.path).expect("the oldest backup checks out");
    });
    let restored = dir.join(format!("restored-{tickets}.db"));
    let restore = sized("backup_restore_oldest", tickets);
    measure_runs(results, &restore, 0, 1, |_| {
        let kept = restore_backup(&restored, &oldest.path, &SystemClock).expect("restore");
        assert!(kept.is_none(), "nothing was there to replace");
    });
    let _ = std::fs::remove_file(&restored);
    for backup in &kept {
        let _ = std::fs::remove_file(&backup.path);
    }
    let _ = std::fs::remove_file(&copy);
    let whole = kept[0].bytes;
    let changes: Vec<u64> = kept[1..].iter().map(|b| b.bytes).collect();
    let kept_bytes: u64 = kept.iter().map(|b| b.bytes).sum();
    let mb = |n: u64| n as f64 / 1e6;
    println!(
        "  (a day's work: {DAY_NEW} new tickets, {DAY_EDITS} status changes, notes and replies each; \
         the first backup {:.1} s; the newest, whole: {:.0} MB; the six before it, changes: {} MB; \
         {BACKUPS_KEPT} kept: {:.0} MB, {:.2}× the {:.0} MB database)",
        first.as_secs_f64(),
        mb(whole),
        changes
            .iter()
            .map(|&n| format!("{:.1}", mb(n)))
            .collect::<Vec<_>>()
            .join(", "),
        mb(kept_bytes),
        kept_bytes as f64 / db_bytes as f64,
        mb(db_bytes),
    );
    let median = |name: &str| {
        results
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.median_ms / 1000.0)
    };
    Some(serde_json::json!({
        "bytes": whole,
        "changes_bytes": changes,
        "db_bytes": db_bytes,
        "kept": BACKUPS_KEPT,
        "kept_bytes": kept_bytes,
        "day": { "new_tickets": DAY_NEW, "status_changes": DAY_EDITS, "notes": DAY_EDITS, "replies": DAY_EDITS },
        "first_seconds": first.as_secs_f64(),
        "seconds": median(&name),
        "verify_oldest_seconds": median(&verify),
        "restore_oldest_seconds": median(&restore),
    }))
}

fn first_page(filter: TicketFilter) -> ListRequest {
    ListRequest {
        filter,
        sort: Sort::default(),
        offset: 0,
        limit: PAGE,
        anchor: None,
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

    listing::run(&mut results, &store, &path, tickets);

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

    let backup = backups(&mut results, &path, &dir, tickets);

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
            "plain_sql_median_ms": m.plain_median_ms,
        })).collect::<Vec<_>>(),
    });
    let compared: Vec<&Measured> = results
        .iter()
        .filter(|m| m.plain_median_ms.is_some())
        .collect();
    if !compared.is_empty() {
        println!("\nList operations beside plain SQL (exact count + first page), medians:");
        println!(
            "{:<36} {:>10} {:>10} {:>8}",
            "operation", "store ms", "plain ms", "ratio"
        );
        for m in compared {
            let plain = m.plain_median_ms.unwrap_or(f64::NAN);
            println!(
                "{:<36} {:>10.2} {:>10.2} {:>7.2}×",
                m.name,
                m.median_ms,
                plain,
                m.median_ms / plain
            );
        }
    }
    let out = dir.join("store.json");
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json"))
        .expect("write store.json");
    println!("\nWrote {}", out.display());
}
