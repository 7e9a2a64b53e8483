//! What the benchmarks share: where they keep their files, how many tickets
//! they run at, and how they read percentiles.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `p`-th percentile (0..1, nearest rank) of sorted times, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// `target/bench/` (or under `CARGO_TARGET_DIR`): seeded databases and results.
pub fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench")
}

/// `--tickets N` from the command line (cargo adds `--bench`, which is
/// ignored); `default` without it.
pub fn parse_tickets(default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--tickets")
        .and_then(|i| args.get(i + 1))
        .map(|n| {
            n.replace('_', "")
                .parse()
                .expect("--tickets takes a whole number")
        })
        .unwrap_or(default)
}
