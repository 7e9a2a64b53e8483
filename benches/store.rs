//! Store benchmark: `cargo bench --bench store -- --tickets N` (default 1,000,000).
//!
//! Builds (or reuses) a seeded database under `target/bench/`, times each
//! operation (median and p95 over at least 20 runs after a warm-up; fewer
//! for the ones that read or write the whole file, and 5 for any whose
//! first run takes a second or more), prints a table and
//! writes `target/bench/store.json`. `--only PREFIX` runs just the
//! operations whose names start with PREFIX (`--only backup`: seven backups
//! with a day's work between them, on a copy of the file, their size
//! against the file's, and the oldest checked and restored).
//!
//! Each filter, search and sort is timed twice: `NAME` is its first page
//! with the exact total (what `tickets list` prints, and the window has once
//! the count is in), `NAME_page` the first page alone (what the window shows
//! first; a server counts after it, the file with it).
//!
//! `bulk_status_10k` is one bulk action of 10,000 status changes, timed
//! whole (5 runs after a warm-up), on a copy of the file.
//!
//! `--db postgres://…` then runs the same operations, under the same names,
//! on a team server holding the same desk (the file moved in), signed in as
//! an agent (who every change is made as); prints both engines side by side
//! and writes `target/bench/store-postgres.json` in store.json's format.
//! What the server refuses (backups: they are pg_dump's; sample data) is
//! listed under `skipped` with the server's reason, not measured.
//! `--server-only` skips the file's run and sets the server's figures beside
//! the file's in store.json. "Cold" on a server is a new connection: the
//! server's shared buffers and the OS's cache stay warm.
//!
//! A local server for it (PostgreSQL 15 on a Unix socket in /tmp/pgbench;
//! settings in the script's head), from the repository's root:
//!
//! ```sh
//! cargo build --release                     # the `tickets` that moves the file in
//! target/release/tickets --db target/bench/store-100000.db seed --tickets 100000 --seed 42
//! benches/pg-server.sh start                # initdb (as `postgres` when root) + pg_ctl start
//! benches/pg-server.sh load 100000          # createdb, `tickets server init`, `server import`,
//!                                           # an agent login `bench_agent`, VACUUM ANALYZE
//! cargo bench --bench store -- --tickets 100000 --db "$(benches/pg-server.sh url 100000)"
//! benches/pg-server.sh psql 100000          # psql as the owner (EXPLAIN ANALYZE …)
//! benches/pg-server.sh stop                 # pg_ctl stop, and its folder deleted
//! ```
//!
//! (The seed is the benchmark's own, 42; a file the benchmark seeded itself
//! serves as well. Set `CARGO_TARGET_DIR` alike for cargo and the script.)

mod common;
mod listing;

use common::{bench_dir, parse_tickets, percentile};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tickets::analytics::{Period, PeriodChoice};
use tickets::clock::SystemClock;
use tickets::domain::{AgentId, BulkChange, BulkItem, Direction, NewTicket, Status, TicketNumber};
use tickets::export::everything::export_everything;
use tickets::export::export_tickets;
use tickets::seed::{SeedOptions, generate};
use tickets::store::views::BuiltinView;
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

/// An operation whose first run takes this long or longer is warmed up once
/// and timed [`SLOW_RUNS`] times at most (a jump deep into a million
/// tickets on a server): the median stays, the p95 is the slowest run.
const SLOW: Duration = Duration::from_secs(1);
const SLOW_RUNS: usize = 5;

fn timings_of(warmup: usize, mut runs: usize, mut op: impl FnMut(usize)) -> (f64, f64) {
    let mut warmed = 0;
    while warmed < warmup {
        let start = Instant::now();
        op(warmed);
        warmed += 1;
        if start.elapsed() >= SLOW {
            runs = runs.min(SLOW_RUNS);
            break;
        }
    }
    let warmup = warmed;
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

/// Gives the desk the service levels a team would set (business hours in
/// Berlin, Monday to Friday 09:00–17:00; Urgent 1 h / 8 h, High 4 h / 1 d,
/// Medium 8 h / 3 d, Low 1 d / 5 d) and works out every ticket's due time,
/// once: the list's Due sort and filters are measured on real due times.
fn with_service_levels(store: &mut Store) {
    use tickets::domain::sla::{Clocking, SlaPolicy, Targets};
    if !store.sla_policy().expect("policy").has_targets() {
        let mut policy = SlaPolicy::default();
        let targets = |first: u32, resolution: u32| Targets {
            first_reply_minutes: Some(first),
            resolution_minutes: Some(resolution),
        };
        policy.targets = [
            targets(24 * 60, 5 * 24 * 60),
            targets(8 * 60, 3 * 24 * 60),
            targets(4 * 60, 24 * 60),
            targets(60, 8 * 60),
        ];
        policy.clocking = Clocking::BusinessHours;
        policy.calendar.zone = "Europe/Berlin".to_owned();
        store
            .set_sla_policy(actor_of(store), &policy)
            .expect("set the service levels");
    }
    let start = Instant::now();
    let mut settled = 0;
    loop {
        let n = store.refresh_due().expect("work out due times");
        if n == 0 {
            break;
        }
        settled += n;
    }
    if settled > 0 {
        println!(
            "Worked out {settled} tickets' due times in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
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
    let actor = actor_of(store);
    for i in 0..DAY_NEW {
        let ticket = NewTicket {
            subject: format!("Raised today, {i}"),
            description: "The customer called about their order.".to_owned(),
            ..NewTicket::default()
        };
        store.create_ticket(actor, &ticket).expect("create");
    }
    for _ in 0..DAY_EDITS {
        move_a_status_on(store, actor, rng, tickets);
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

/// Where the operations run: the desk's file, or a team's server holding
/// the same desk (moved in with `tickets server import`).
#[derive(Clone, Copy)]
pub enum Engine<'a> {
    /// The seeded file.
    File(&'a Path),
    /// A team server's `postgres://` URL, signed in as an agent.
    Server(&'a str),
}

impl Engine<'_> {
    /// A new connection to it.
    pub fn open(&self) -> Store {
        let clock = Arc::new(SystemClock);
        match self {
            Engine::File(path) => Store::open(path, clock).expect("open the file"),
            Engine::Server(url) => Store::connect(url, clock).expect("connect to the server"),
        }
    }

    /// The file, on the file.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Engine::File(path) => Some(path),
            Engine::Server(_) => None,
        }
    }
}

/// Who the bench's changes are made as: on a server, the agent signed in
/// (the server records every change as its login's agent, and refuses any
/// other); on the file, agent 1.
/// The agent with the most open tickets.
fn busiest_agent(store: &Store) -> AgentId {
    let agents = store.agents().expect("agents");
    let filters: Vec<TicketFilter> = agents
        .iter()
        .filter_map(|a| BuiltinView::MyOpen.filter(Some(a.id)))
        .collect();
    let counts = store.view_counts(&filters).expect("counts");
    agents
        .iter()
        .zip(counts)
        .max_by_key(|(_, n)| *n)
        .map_or(AgentId(1), |(a, _)| a.id)
}

fn actor_of(store: &Store) -> AgentId {
    store.signed_in().map_or(AgentId(1), |agent| agent.id)
}

/// `--db URL`: the team server to run the same operations on.
fn server_url() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == "--db").map(|i| {
        args.get(i + 1)
            .cloned()
            .expect("--db takes a postgres:// URL")
    })
}

/// `--server-only`: with `--db`, skip the file's run and set the server's
/// figures beside the file's last ones (store.json, at the same size).
fn server_only() -> bool {
    std::env::args().any(|a| a == "--server-only")
}

/// An operation an engine refuses, and its reason in the engine's words.
struct Skipped {
    name: String,
    why: String,
}

/// What one engine's run measured.
struct Run {
    results: Vec<Measured>,
    skipped: Vec<Skipped>,
    backup: Option<serde_json::Value>,
}

fn skip(skipped: &mut Vec<Skipped>, name: &str, why: String) {
    if wanted(name) {
        println!("{name:<36} skipped: {why}");
        skipped.push(Skipped {
            name: name.to_owned(),
            why,
        });
    }
}

/// Every operation on `engine`, through `store` (an open connection to it).
fn run(
    engine: Engine<'_>,
    store: &mut Store,
    ops: &[listing::ListOp],
    dir: &Path,
    tickets: u64,
) -> Run {
    println!("{:<36} {:>10} {:>10}", "operation", "median ms", "p95 ms");
    let mut results = Vec::new();
    let mut skipped = Vec::new();

    measure(&mut results, "open_first_page", |_| {
        let store = engine.open();
        // As the window reads it: the page first, its total after.
        let page = store
            .list_page(&first_page(TicketFilter::default()))
            .expect("list");
        assert_eq!(page.rows.len(), PAGE.min(tickets as u32) as usize);
    });

    listing::run(&mut results, store, engine, tickets, ops);
    views_counts(&mut results, store, tickets);

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
            store,
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

    // Everything the database holds as JSON lines (every table, read in one
    // snapshot): 3 runs, each writing the whole file.
    let everything_path = dir.join(format!("everything-{tickets}.jsonl"));
    let everything_name = sized("export_jsonl", tickets);
    let mut rows = 0;
    measure_runs(&mut results, &everything_name, 0, 3, |_| {
        let written = export_everything(store, &everything_path, &mut |_, _| true)
            .expect("export everything");
        assert_eq!(written.tickets(), tickets);
        rows = written.tables.iter().map(|(_, n)| n).sum::<u64>();
    });
    if let Ok(meta) = std::fs::metadata(&everything_path) {
        println!(
            "  (export file: {:.0} MB, {rows} rows)",
            meta.len() as f64 / 1e6
        );
        let _ = std::fs::remove_file(&everything_path);
    }

    let backup = match engine {
        Engine::File(path) => backups(&mut results, path, dir, tickets),
        // The server's own refusal, in its words.
        Engine::Server(_) => {
            let why = match store.backup_now(&mut |_, _| {}) {
                Err(e) => e.to_string(),
                Ok(_) => unreachable!("a team server keeps no backups beside it"),
            };
            for name in ["backup", "backup_verify_oldest", "backup_restore_oldest"] {
                skip(&mut skipped, &sized(name, tickets), why.clone());
            }
            None
        }
    };

    let mut rng = fastrand::Rng::with_seed(7);
    measure(&mut results, "load_ticket", |_| {
        let number = TicketNumber(rng.i64(1..=tickets as i64));
        store.load_ticket(number).expect("load");
    });

    // Status changes on distinct tickets, loaded beforehand so only the change is timed.
    let actor = actor_of(store);
    let mut drawn = std::collections::BTreeSet::new();
    while drawn.len() < WARMUP + RUNS {
        drawn.insert(rng.i64(1..=tickets as i64));
    }
    let mut targets = drawn
        .into_iter()
        .map(|n| {
            let ticket = store.load_ticket(TicketNumber(n)).expect("load");
            let to = moved_on(ticket.status);
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

    bulk_status(&mut results, engine, store, dir, tickets);

    Run {
        results,
        skipped,
        backup,
    }
}

/// The status a benchmark moves a ticket to, so that every change changes
/// something: Waiting, or In Progress where it is Waiting already.
fn moved_on(status: Status) -> Status {
    if status == Status::Waiting {
        Status::InProgress
    } else {
        Status::Waiting
    }
}

/// Moves a ticket drawn at random to its [`moved_on`] status, as an agent would.
fn move_a_status_on(store: &mut Store, actor: AgentId, rng: &mut fastrand::Rng, tickets: u64) {
    let number = TicketNumber(rng.i64(1..=tickets as i64));
    let ticket = store.load_ticket(number).expect("load");
    store
        .set_status(actor, number, ticket.version, moved_on(ticket.status))
        .expect("change status");
}

/// Every built-in view's count, as the sidebar asks for them together:
/// `views_counts` with nothing changed between runs, and
/// `views_counts_after_change` with a ticket's status changed before each
/// run (not timed), as the window asks again after every change.
/// "My open" is the busiest agent's (the one with the most open tickets),
/// and `views_unread_mine` counts which of them are unread, as the window
/// does beside it: their numbers, then the unread among them.
fn views_counts(results: &mut Vec<Measured>, store: &mut Store, tickets: u64) {
    let actor = actor_of(store);
    let busiest = busiest_agent(store);
    let filters: Vec<TicketFilter> = BuiltinView::ALL
        .iter()
        .filter_map(|view| view.filter(Some(busiest)))
        .collect();
    assert_eq!(filters.len(), BuiltinView::ALL.len());
    if wanted("views_counts") {
        let counts = store.view_counts(&filters).expect("counts");
        let named: Vec<String> = BuiltinView::ALL
            .iter()
            .zip(&counts)
            .map(|(view, n)| format!("{} {n}", view.label()))
            .collect();
        println!("  (views: {})", named.join(", "));
    }
    measure(results, "views_counts", |_| {
        let counts = store.view_counts(&filters).expect("counts");
        assert_eq!(counts.last(), Some(&tickets), "All tickets");
    });
    let mine = &filters[0];
    if wanted("views_unread_mine") {
        let numbers = store
            .list_numbers(&ListRequest::all(mine, Sort::default()))
            .expect("numbers");
        let unread = store.unread_among(busiest, &numbers).expect("unread");
        println!("  (My open: {} unread of {})", unread.len(), numbers.len());
    }
    measure(results, "views_unread_mine", |_| {
        let numbers = store
            .list_numbers(&ListRequest::all(mine, Sort::default()))
            .expect("numbers");
        store.unread_among(busiest, &numbers).expect("unread");
    });
    let name = "views_counts_after_change";
    if !wanted(name) {
        return;
    }
    let mut rng = fastrand::Rng::with_seed(11);
    let mut times: Vec<Duration> = (0..WARMUP + RUNS)
        .map(|_| {
            // A status change, untimed: what the window's counts follow.
            move_a_status_on(store, actor, &mut rng, tickets);
            let start = Instant::now();
            let counts = store.view_counts(&filters).expect("counts");
            let took = start.elapsed();
            assert_eq!(counts.last(), Some(&tickets), "All tickets");
            took
        })
        .skip(WARMUP)
        .collect();
    times.sort();
    let (median_ms, p95_ms) = (percentile(&times, 0.5), percentile(&times, 0.95));
    println!("{name:<36} {median_ms:>10.2} {p95_ms:>10.2}");
    results.push(Measured {
        name: name.to_owned(),
        median_ms,
        p95_ms,
        plain_median_ms: None,
    });
}

/// How many tickets `bulk_status_10k` changes in one run.
const BULK: u64 = 10_000;

/// `bulk_status_10k`: 10,000 status changes as one bulk action
/// (`Store::bulk_apply`: each ticket in its own transaction, committed,
/// with its entry), timed whole, 1 warm-up and 5 runs; the selection (the
/// tickets' rows, as the window holds them) is read before each run and
/// not timed. The tickets are spread over the desk, and each run moves
/// each one on (Waiting, or In Progress where it is Waiting), so every run
/// changes all of them. On the file it runs on a copy (deleted after), so
/// the benchmark file is left as it was; on a server, on its data (each
/// run adds 10,000 entries to the trail).
fn bulk_status(
    results: &mut Vec<Measured>,
    engine: Engine<'_>,
    store: &mut Store,
    dir: &Path,
    tickets: u64,
) {
    let name = "bulk_status_10k";
    if !wanted(name) {
        return;
    }
    let copy = dir.join(format!("bulk-{tickets}.db"));
    let mut on_copy = engine.file().map(|path| {
        // With its log, where the open store keeps changes not yet in the file.
        for suffix in ["", "-wal"] {
            let (from, to) = (with_suffix(path, suffix), with_suffix(&copy, suffix));
            if from.exists() {
                std::fs::copy(from, to).expect("copy the benchmark file");
            }
        }
        Store::open(&copy, Arc::new(SystemClock)).expect("open the copy")
    });
    let store = on_copy.as_mut().unwrap_or(store);
    let actor = actor_of(store);
    let n = BULK.min(tickets);
    let numbers: Vec<TicketNumber> = (0..n)
        .map(|i| TicketNumber(1 + (i * tickets / n) as i64))
        .collect();
    let mut times = Vec::new();
    for run in 0..=SLOW_RUNS {
        let items: Vec<BulkItem> = store
            .rows(&numbers)
            .expect("the selection's rows")
            .into_iter()
            .map(|row| BulkItem {
                number: row.number,
                seen: row.updated,
                change: BulkChange::Status(moved_on(row.status)),
            })
            .collect();
        let start = Instant::now();
        let done = store
            .bulk_apply(actor, "benchmark", &items, &mut |_, _| true)
            .expect("bulk status change");
        let took = start.elapsed();
        assert_eq!(done.changed().len(), items.len(), "{}", done.summary());
        if run > 0 {
            times.push(took);
        }
    }
    drop(on_copy);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&copy, suffix));
    }
    times.sort();
    let m = Measured {
        name: name.to_owned(),
        median_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
        plain_median_ms: None,
    };
    println!("{:<36} {:>10.2} {:>10.2}", m.name, m.median_ms, m.p95_ms);
    results.push(m);
}

/// An engine's figures as store.json keeps them.
fn report_json(
    tickets: u64,
    db_bytes: u64,
    seed_seconds: Option<f64>,
    run: &Run,
) -> serde_json::Value {
    serde_json::json!({
        "tickets": tickets,
        "db_bytes": db_bytes,
        "seed_seconds": seed_seconds,
        "backup": run.backup,
        "operations": run.results.iter().map(|m| serde_json::json!({
            "name": m.name, "median_ms": m.median_ms, "p95_ms": m.p95_ms,
            "plain_sql_median_ms": m.plain_median_ms,
        })).collect::<Vec<_>>(),
        "skipped": run.skipped.iter().map(|s| serde_json::json!({
            "name": s.name, "why": s.why,
        })).collect::<Vec<_>>(),
    })
}

/// The figures a store.json holds, where it was written at `tickets` tickets.
fn read_results(path: &Path, tickets: u64) -> Vec<Measured> {
    let Some(json) = std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .filter(|json| json["tickets"].as_u64() == Some(tickets))
    else {
        println!("(no figures at {tickets} tickets in {})", path.display());
        return Vec::new();
    };
    json["operations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|op| {
            Some(Measured {
                name: op["name"].as_str()?.to_owned(),
                median_ms: op["median_ms"].as_f64()?,
                p95_ms: op["p95_ms"].as_f64()?,
                plain_median_ms: op["plain_sql_median_ms"].as_f64(),
            })
        })
        .collect()
}

fn print_beside_plain(results: &[Measured]) {
    let compared: Vec<&Measured> = results
        .iter()
        .filter(|m| m.plain_median_ms.is_some())
        .collect();
    if compared.is_empty() {
        return;
    }
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

/// Both engines' figures, operation by operation, in the order they ran.
fn print_side_by_side(file: &[Measured], server: &Run) {
    println!("\nBoth engines (ms):");
    println!(
        "{:<36} {:>10} {:>10} {:>10} {:>10}",
        "operation", "file med", "file p95", "server med", "server p95"
    );
    let cell = |m: Option<&Measured>| match m {
        Some(m) => format!("{:>10.2} {:>10.2}", m.median_ms, m.p95_ms),
        None => format!("{:>10} {:>10}", "—", "—"),
    };
    let mut names: Vec<&str> = file
        .iter()
        .map(|m| m.name.as_str())
        .filter(|name| wanted(name))
        .collect();
    for m in &server.results {
        if !names.contains(&m.name.as_str()) {
            names.push(&m.name);
        }
    }
    for name in names {
        let on_server = server.results.iter().find(|m| m.name == name);
        let refused = server.skipped.iter().any(|s| s.name == name);
        let right = match (on_server, refused) {
            (None, true) => format!("{:>21}", "refused (see above)"),
            (m, _) => cell(m),
        };
        println!(
            "{name:<36} {} {right}",
            cell(file.iter().find(|m| m.name == name))
        );
    }
}

/// The server's database size, in bytes.
fn server_bytes(url: &str) -> u64 {
    tickets::store::server::connect(url)
        .and_then(|mut client| {
            client
                .query_one("SELECT pg_database_size(current_database())", &[])
                .map_err(|e| tickets::store::server::server_error(url, e))
        })
        .map(|row| u64::try_from(row.get::<_, i64>(0)).unwrap_or_default())
        .unwrap_or(0)
}

fn main() {
    let tickets = parse_tickets(1_000_000);
    let url = server_url();
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).expect("create target/bench");
    let path = dir.join(format!("store-{tickets}.db"));
    let seed_seconds = prepare(&path, tickets);
    let mut store = Engine::File(&path).open();
    with_service_levels(&mut store);
    let db_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    // The filters' values come from the file; a server holding the same
    // desk is asked the very same questions.
    let ops = listing::list_ops(&store, tickets);
    let out = dir.join("store.json");

    let file = if url.is_some() && server_only() {
        read_results(&out, tickets)
    } else {
        println!(
            "\nThe file: {tickets} tickets, {:.0} MB",
            db_bytes as f64 / 1e6
        );
        let run = run(Engine::File(&path), &mut store, &ops, &dir, tickets);
        let json = report_json(tickets, db_bytes, seed_seconds, &run);
        print_beside_plain(&run.results);
        std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json"))
            .expect("write store.json");
        println!("\nWrote {}", out.display());
        run.results
    };
    drop(store);

    let Some(url) = url else { return };
    let mut server = Engine::Server(&url).open();
    with_service_levels(&mut server);
    let held = server
        .count_tickets(&TicketFilter::default())
        .expect("count the server's tickets");
    assert_eq!(
        held, tickets,
        "the server holds {held} tickets, not {tickets}: move the file in first \
         (benches/pg-server.sh load {tickets})"
    );
    let bytes = server_bytes(&url);
    println!(
        "\nThe server, as {}: {tickets} tickets, {:.0} MB",
        server.signed_in().map_or("?", |a| a.name.as_str()),
        bytes as f64 / 1e6
    );
    let mut run = run(Engine::Server(&url), &mut server, &ops, &dir, tickets);
    // Sample data goes into a file (then moved in): the server's words.
    let refused = server.bulk_load(|_| Ok(()));
    if let Err(e) = refused {
        skip(&mut run.skipped, "seed", e.to_string());
    }
    let json = report_json(tickets, bytes, None, &run);
    print_side_by_side(&file, &run);
    let out = dir.join("store-postgres.json");
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json"))
        .expect("write store-postgres.json");
    println!("\nWrote {}", out.display());
}
