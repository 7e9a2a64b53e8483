//! Frame-time benchmark of the main window: `cargo bench --bench ui -- --tickets N`
//! (default 1,000,000).
//!
//! Drives the window headless with egui_kittest on the seeded database
//! `target/bench/store-N.db` (the store benchmark's, seed 42; seeded here if
//! missing), with the ticket table, the filter sidebar and the ticket panel
//! (Detail tab) all on show at 1400×900, and times single frames.
//!
//! What is timed is the CPU part of a frame. kittest is built without its
//! `wgpu` feature here, so nothing is rendered on a GPU: `Harness::step` runs
//! egui's pass (input, layout, the app's `show`, text layout, the AccessKit
//! tree kittest queries) and nothing more. Without a renderer kittest does not
//! tessellate either, so each timed frame also tessellates the frame's shapes
//! into meshes, as eframe does before every upload. GPU upload and drawing are
//! not measured. The breakdown columns give the two parts.
//!
//! Operations (at least 200 frames each, after 20 warm-up frames):
//! - `frame_idle`: a frame with no input (pointer resting over the table).
//! - `frame_scrolling`: a frame with one 120-point mouse-wheel step over the
//!   table; rows scroll into view and pages are fetched by the store's worker
//!   thread as they go, while frames carry on without them.
//!
//! - `memory_after_a_minute`: then a minute of scrolling far through the
//!   list and ticking filters; the process's resident memory (VmRSS) and
//!   its peak (VmHWM) after it. The window is most of the process: the
//!   store's worker and its SQLite caches, the list's pages, egui.
//!
//! Prints a table and writes `target/bench/ui.json`. Targets: median ≤ 2 ms,
//! p99 ≤ 8 ms; 150 MB resident after the minute.

mod common;

use common::{bench_dir, parse_tickets, percentile};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::app::{DatabaseSettings, Settings, TicketsApp};
use tickets::clock::SystemClock;
use tickets::seed::{SeedOptions, generate};
use tickets::store::{Store, TicketFilter};

const WARMUP: usize = 20;
const FRAMES: usize = 300;
const SIZE: [f32; 2] = [1400.0, 900.0];
/// How long to wait for the worker thread before giving up.
const PATIENCE: Duration = Duration::from_secs(300);

type Window = Harness<'static, Option<TicketsApp>>;

/// Median, p95 and p99 in milliseconds.
fn summary(times: &[Duration]) -> [f64; 3] {
    let mut sorted = times.to_vec();
    sorted.sort();
    [0.5, 0.95, 0.99].map(|p| percentile(&sorted, p))
}

struct Measured {
    name: &'static str,
    frame: [f64; 3],
    step: [f64; 3],
    tessellate: [f64; 3],
    max_ms: f64,
}

/// Reuses the store benchmark's database for `tickets`, seeding it (seed 42)
/// if it is missing. Returns an active agent to act as.
fn prepare(path: &Path, tickets: u64) -> tickets::domain::AgentId {
    let clock = Arc::new(SystemClock);
    let existed = path.exists();
    let mut store = Store::open(path, clock).expect("open bench database");
    if !existed {
        println!("Seeding {tickets} tickets into {} …", path.display());
        let start = Instant::now();
        generate(&mut store, SeedOptions { tickets, seed: 42 }, |_, _| true).expect("seed");
        println!("Seeded in {:.1} s", start.elapsed().as_secs_f64());
    }
    let held = store
        .count_tickets(&TicketFilter::default())
        .expect("count");
    assert_eq!(
        held,
        tickets,
        "{} holds {held} tickets, not {tickets}; `cargo bench --bench store -- --tickets {tickets}` rebuilds it",
        path.display()
    );
    store
        .agents()
        .expect("agents")
        .into_iter()
        .find(|a| a.active)
        .expect("an active agent")
        .id
}

/// Steps the window until `done` holds, while the worker thread answers.
fn step_until(harness: &mut Window, what: &str, done: impl Fn(&Window) -> bool) {
    let start = Instant::now();
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The ticket numbers of the rows on show (and of the panel's heading).
fn numbers_on_show(harness: &Window) -> Vec<u64> {
    // A label's text is its AccessKit value.
    harness
        .query_all_by_role(Role::Label)
        .filter_map(|node| {
            let text = node.accesskit_node().value()?;
            text.strip_prefix("TKT-")?.parse().ok()
        })
        .collect()
}

/// Runs and times one frame: the egui pass, then tessellation.
fn timed_frame(harness: &mut Window) -> (Duration, Duration) {
    let start = Instant::now();
    harness.step();
    let step = start.elapsed();
    let output = harness.output();
    let (shapes, ppp) = (output.shapes.clone(), output.pixels_per_point);
    let start = Instant::now();
    let primitives = harness.ctx.tessellate(shapes, ppp);
    let tessellate = start.elapsed();
    std::hint::black_box(primitives);
    (step, tessellate)
}

fn measure(
    results: &mut Vec<Measured>,
    name: &'static str,
    harness: &mut Window,
    mut before_frame: impl FnMut(&mut Window),
) {
    for _ in 0..WARMUP {
        before_frame(harness);
        timed_frame(harness);
    }
    let (mut frames, mut steps, mut tessellations) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..FRAMES {
        before_frame(harness);
        let (step, tessellate) = timed_frame(harness);
        frames.push(step + tessellate);
        steps.push(step);
        tessellations.push(tessellate);
    }
    let m = Measured {
        name,
        frame: summary(&frames),
        step: summary(&steps),
        tessellate: summary(&tessellations),
        max_ms: frames
            .iter()
            .max()
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    };
    println!(
        "{:<16} {:>9.2} {:>9.2} {:>9.2} {:>9.2}   {:>7.2} {:>7.2} {:>7.2}   {:>7.2} {:>7.2}",
        m.name,
        m.frame[0],
        m.frame[1],
        m.frame[2],
        m.max_ms,
        m.step[0],
        m.step[1],
        m.step[2],
        m.tessellate[0],
        m.tessellate[2],
    );
    results.push(m);
}

/// 20000 → "20,000", as the window writes counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the process held after a minute of use.
struct Memory {
    seconds: f64,
    frames: u64,
    filters: u64,
    resident_mb: f64,
    peak_mb: f64,
}

/// A figure from /proc/self/status ("VmRSS", "VmHWM"), in MB.
fn proc_status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A minute of an agent's use: the table scrolled far and back in big
/// steps, and every second a status or priority filter ticked or unticked,
/// while frames keep coming. Returns the process's resident memory then.
fn minute_of_use(harness: &mut Window, over_table: egui::Pos2) -> Memory {
    let facets = [
        "Open",
        "Closed",
        "High",
        "In Progress",
        "Low",
        "Resolved",
        "Urgent",
        "Waiting",
    ];
    let start = Instant::now();
    let (mut frames, mut filters) = (0u64, 0u64);
    let mut last_filter = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        harness.hover_at(over_table);
        // Down for a while, then back up: pages far apart are fetched.
        let down = (frames / 200) % 2 == 0;
        harness.input_mut().events.push(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, if down { -3000.0 } else { 3000.0 }),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::default(),
        });
        harness.step();
        frames += 1;
        if last_filter.elapsed() >= Duration::from_secs(1) {
            last_filter = Instant::now();
            let name = facets[filters as usize % facets.len()];
            let facet = harness.query_all_by_role(Role::CheckBox).find(|n| {
                n.accesskit_node()
                    .label()
                    .is_some_and(|l| l.starts_with(&format!("{name} ")) || l == name)
            });
            if let Some(facet) = facet {
                facet.click();
                filters += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(8));
    }
    Memory {
        seconds: start.elapsed().as_secs_f64(),
        frames,
        filters,
        resident_mb: proc_status_mb("VmRSS"),
        peak_mb: proc_status_mb("VmHWM"),
    }
}

fn main() {
    let tickets = parse_tickets(1_000_000);
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).expect("create target/bench");
    let path = dir.join(format!("store-{tickets}.db"));
    let agent = prepare(&path, tickets);

    let mut settings = Settings {
        // A 1.8 GB copy on a background thread would distort the frame times.
        automatic_backups: false,
        ..Settings::default()
    };
    settings.databases.insert(
        path.to_string_lossy().into_owned(),
        DatabaseSettings {
            agent: Some(agent),
            ..DatabaseSettings::default()
        },
    );
    let opened = Instant::now();
    let mut harness: Window = Harness::builder().with_size(SIZE).build_ui_state(
        move |ui, app: &mut Option<TicketsApp>| {
            app.get_or_insert_with(|| {
                TicketsApp::new(
                    ui.ctx(),
                    path.clone(),
                    Arc::new(SystemClock),
                    settings.clone(),
                )
            })
            .show(ui)
        },
        None,
    );
    let total_label = format!("{} tickets", thousands(tickets));
    step_until(&mut harness, "the first page of rows", |h| {
        h.query_by_label(&total_label).is_some() && !numbers_on_show(h).is_empty()
    });
    let first_rows = opened.elapsed();

    // Open the top row's ticket in the panel.
    let top = numbers_on_show(&harness)
        .into_iter()
        .max()
        .expect("a row on show");
    let top_label = format!("TKT-{top:06}");
    let row_centre = harness.get_by_label(&top_label).rect().center();
    harness.get_by_label(&top_label).click();
    step_until(&mut harness, "the ticket panel's Detail tab", |h| {
        h.query_by_label("Detail").is_some()
            && h.query_by_label("Description").is_some()
            && h.query_all_by_label(&top_label).count() == 2
    });
    assert!(
        harness.query_by_label("Who is using Tickets?").is_none(),
        "no dialog should be open"
    );
    let before = numbers_on_show(&harness);
    println!(
        "\n{tickets} tickets, {}×{} window; first rows after {:.2} s; panel open on {top_label}",
        SIZE[0],
        SIZE[1],
        first_rows.as_secs_f64()
    );
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>9}   {:>7} {:>7} {:>7}   {:>7} {:>7}",
        "operation", "median", "p95", "p99", "max", "step", "step95", "step99", "tess", "tess99"
    );
    println!(
        "{:<16} {:>39}   {:>23}   {:>15}",
        "", "frame ms", "egui pass ms", "tessellate ms"
    );

    let mut results = Vec::new();
    measure(&mut results, "frame_idle", &mut harness, |_| {});

    // One wheel step a frame, with the pointer over the table.
    harness.hover_at(row_centre);
    harness.step();
    let mut waiting = 0;
    measure(&mut results, "frame_scrolling", &mut harness, |h| {
        if h.query_by_role(Role::ProgressIndicator).is_some() {
            waiting += 1;
        }
        h.input_mut().events.push(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -120.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::default(),
        });
    });

    // The table moved down the list: rows further down are on show.
    let deepest_before = before.iter().copied().min().expect("rows before");
    step_until(&mut harness, "rows further down the list", |h| {
        numbers_on_show(h)
            .iter()
            .any(|n| *n + 500 < deepest_before && *n != top)
    });
    let after = numbers_on_show(&harness);
    let deepest_after = after.iter().copied().filter(|n| *n != top).min();
    println!(
        "\nScrolled from rows TKT-{:06}..TKT-{top:06} to TKT-{:06}..; \
         {waiting} of {} scrolling frames showed a spinner (a page on its way)",
        deepest_before,
        deepest_after.unwrap_or(0),
        WARMUP + FRAMES,
    );

    let memory = minute_of_use(&mut harness, row_centre);
    println!(
        "\nAfter {:.0} s of scrolling and filtering ({} frames, {} filter changes): \
         {:.0} MB resident, {:.0} MB peak",
        memory.seconds, memory.frames, memory.filters, memory.resident_mb, memory.peak_mb
    );

    let json = serde_json::json!({
        "tickets": tickets,
        "frames": FRAMES,
        "warmup_frames": WARMUP,
        "window": SIZE,
        "operations": results.iter().map(|m| serde_json::json!({
            "name": m.name,
            "median_ms": m.frame[0],
            "p95_ms": m.frame[1],
            "p99_ms": m.frame[2],
            "max_ms": m.max_ms,
            "egui_pass": {"median_ms": m.step[0], "p95_ms": m.step[1], "p99_ms": m.step[2]},
            "tessellate": {
                "median_ms": m.tessellate[0], "p95_ms": m.tessellate[1], "p99_ms": m.tessellate[2],
            },
        })).collect::<Vec<_>>(),
        "memory_after_a_minute": {
            "seconds": memory.seconds,
            "frames": memory.frames,
            "filter_changes": memory.filters,
            "resident_mb": memory.resident_mb,
            "peak_mb": memory.peak_mb,
        },
    });
    let out = bench_dir().join("ui.json");
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json"))
        .expect("write ui.json");
    println!("Wrote {}", out.display());
}
