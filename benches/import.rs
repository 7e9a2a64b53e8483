//! Import benchmark: `cargo bench --bench import -- --tickets N` (default
//! 100,000).
//!
//! Each import is a whole `tickets import` process into a new, empty file,
//! timed from start to exit, with its peak memory (the process's `VmHWM`,
//! read from /proc while it runs: Linux only). Three runs each; the median
//! and p95 of the time, tickets per second at the median, and the largest
//! peak. Writes `target/bench/import.json`.
//!
//! - `import_jsonl_N`: a file of everything (`tickets export --all --format
//!   jsonl`) of a seeded desk of N tickets, read back into an empty file;
//! - `import_csv_N`: a Zendesk CSV export of N tickets without history
//!   (written by the benchmark from the seeded desk's tickets), through the
//!   format's built-in mapping.
//!
//! `--only PREFIX[,PREFIX…]` runs just those.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{bench_dir, parse_tickets, percentile};
use tickets::clock::SystemClock;
use tickets::export::everything::export_everything;
use tickets::seed::{SeedOptions, generate};
use tickets::store::Store;

const RUNS: usize = 3;

/// `--only PREFIX[,PREFIX…]`.
fn wanted(name: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--only") {
        Some(i) => args
            .get(i + 1)
            .is_none_or(|list| list.split(',').any(|p| name.starts_with(p))),
        None => true,
    }
}

/// "100k", "1m", or the number.
fn sized(name: &str, tickets: u64) -> String {
    match tickets {
        n if n >= 1_000_000 && n.is_multiple_of(1_000_000) => format!("{name}_{}m", n / 1_000_000),
        n if n >= 1_000 && n.is_multiple_of(1_000) => format!("{name}_{}k", n / 1_000),
        n => format!("{name}_{n}"),
    }
}

/// A process's peak resident memory so far, in KiB (`VmHWM`).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `tickets ARGS` to its end: how long it took and its peak memory (KiB).
fn run_tickets(args: &[&str]) -> (Duration, u64) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tickets"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start tickets");
    let mut peak = 0;
    loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait for tickets") {
            assert!(status.success(), "tickets {args:?} failed");
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    (start.elapsed(), peak)
}

struct Measured {
    name: String,
    tickets: u64,
    median_ms: f64,
    p95_ms: f64,
    peak_mib: f64,
}

/// Imports `source` into a new file `RUNS` times.
fn measure_import(name: &str, tickets: u64, source: &Path, dir: &Path, extra: &[&str]) -> Measured {
    let mut times = Vec::new();
    let mut peak = 0;
    for run in 0..RUNS {
        let db = dir.join(format!("{name}-{run}.db"));
        remove_db(&db);
        let db_arg = db.display().to_string();
        let source_arg = source.display().to_string();
        let mut args = vec!["--db", db_arg.as_str(), "import", source_arg.as_str()];
        args.extend_from_slice(extra);
        let (took, kib) = run_tickets(&args);
        times.push(took);
        peak = peak.max(kib);
        remove_db(&db);
    }
    times.sort();
    let m = Measured {
        name: name.to_owned(),
        tickets,
        median_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
        peak_mib: peak as f64 / 1024.0,
    };
    println!(
        "{:<24} {:>10.0} {:>10.0} {:>12.0} {:>10.1}",
        m.name,
        m.median_ms,
        m.p95_ms,
        m.tickets as f64 / (m.median_ms / 1000.0),
        m.peak_mib
    );
    m
}

/// A Zendesk ticket CSV export of `tickets` tickets without history, as
/// Zendesk writes it (its columns, its status and priority words, times
/// with their offset, space-separated tags), oldest first: 2,000 requesters
/// and 40 agents, a third of the tickets solved.
fn write_zendesk_csv(path: &Path, tickets: u64) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create the CSV"));
    writeln!(
        out,
        "Summation column,Id,Requester,Requester id,Requester email,Submitter,Assignee,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Updated at,Assigned at,Organization,Solved at"
    )
    .expect("write");
    let mut rng = fastrand::Rng::with_seed(42);
    let statuses = ["new", "open", "pending", "hold", "solved", "closed"];
    let priorities = ["low", "normal", "high", "urgent", ""];
    let subjects = [
        "Printer on fire",
        "Cannot log in",
        "Refund, please",
        "Invoice \"INV-2041\" is wrong",
        "Export times out",
        "Password reset mail never arrives",
    ];
    let start = chrono::DateTime::parse_from_rfc3339("2021-01-01T08:00:00+01:00").expect("a time");
    for i in 0..tickets {
        let requester = rng.u32(0..2000);
        let agent = rng.u32(0..40);
        let created = start + chrono::Duration::minutes(i as i64 * 2);
        let updated = created + chrono::Duration::hours(rng.i64(1..72));
        let status = statuses[rng.usize(..statuses.len())];
        let solved = if status == "solved" || status == "closed" {
            updated.format("%Y-%m-%d %H:%M:%S %z").to_string()
        } else {
            String::new()
        };
        writeln!(
            out,
            ",{},Customer {requester},{requester},customer{requester}@example.com,Customer {requester},Agent {agent},Support,\"{} #{i}\",billing tier-{},{status},{},Mail,incident,{},{},{},Company {},{solved}",
            100_000 + i,
            subjects[rng.usize(..subjects.len())].replace('"', "\"\""),
            rng.u32(1..4),
            priorities[rng.usize(..priorities.len())],
            created.format("%Y-%m-%d %H:%M:%S %z"),
            updated.format("%Y-%m-%d %H:%M:%S %z"),
            created.format("%Y-%m-%d %H:%M:%S %z"),
            requester % 300,
        )
        .expect("write");
    }
    out.flush().expect("write the CSV");
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn main() {
    let tickets = parse_tickets(100_000);
    let dir = bench_dir().join("import");
    std::fs::create_dir_all(&dir).expect("create target/bench/import");
    println!(
        "\n{:<24} {:>10} {:>10} {:>12} {:>10}",
        "import", "median ms", "p95 ms", "tickets/s", "peak MiB"
    );
    let mut results = Vec::new();

    let jsonl_name = sized("import_jsonl", tickets);
    if wanted(&jsonl_name) {
        // A seeded desk to export, made once (only this run reads it).
        let seeded = dir.join(format!("seeded-{tickets}.db"));
        if !seeded.exists() {
            println!("Seeding {tickets} tickets…");
            let mut store = Store::open(&seeded, std::sync::Arc::new(SystemClock)).expect("open");
            generate(&mut store, SeedOptions { tickets, seed: 42 }, |_, _| true).expect("seed");
        }
        let store = Store::open(&seeded, std::sync::Arc::new(SystemClock)).expect("open");
        let everything = dir.join(format!("everything-{tickets}.jsonl"));
        let written = export_everything(&store, &everything, &mut |_, _| true).expect("export");
        let rows: u64 = written.tables.iter().map(|(_, n)| n).sum();
        println!(
            "  (the file: {:.0} MB, {rows} rows)",
            std::fs::metadata(&everything).map_or(0, |m| m.len()) as f64 / 1e6
        );
        results.push(measure_import(&jsonl_name, tickets, &everything, &dir, &[]));
        let _ = std::fs::remove_file(&everything);
    }

    let csv_name = sized("import_csv", tickets);
    if wanted(&csv_name) {
        let csv = dir.join(format!("zendesk-{tickets}.csv"));
        write_zendesk_csv(&csv, tickets);
        println!(
            "  (the file: {:.0} MB, {tickets} rows)",
            std::fs::metadata(&csv).map_or(0, |m| m.len()) as f64 / 1e6
        );
        results.push(measure_import(
            &csv_name,
            tickets,
            &csv,
            &dir,
            &["--as", "Bench Importer"],
        ));
        let _ = std::fs::remove_file(&csv);
    }

    let json: Vec<serde_json::Value> = results
        .iter()
        .map(|m| {
            serde_json::json!({
                "name": m.name,
                "tickets": m.tickets,
                "median_ms": m.median_ms,
                "p95_ms": m.p95_ms,
                "tickets_per_second": m.tickets as f64 / (m.median_ms / 1000.0),
                "peak_mib": m.peak_mib,
            })
        })
        .collect();
    let out = bench_dir().join("import.json");
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json")).expect("write");
    println!("\nWrote {}", out.display());
}
