//! Progress the command line's long jobs tell on standard error.

use std::time::Instant;

/// Progress on standard error, at most every two seconds: "  N of M what…".
pub(crate) fn every_2s(what: &'static str) -> impl FnMut(u64, u64) {
    let mut last_report = Instant::now();
    move |done, total| {
        if last_report.elapsed().as_secs() >= 2 {
            eprintln!("  {done} of {total} {what}…");
            last_report = Instant::now();
        }
    }
}
