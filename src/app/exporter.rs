//! Exports run on their own named thread ("tickets-export") with their own
//! connection, so the list stays live while a million tickets are written.
//! One at a time: the window refuses a second while one runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};

use crate::analytics::Period;
use crate::clock::Clock;
use crate::export::{ReportFormat, export_tickets, write_report};
use crate::store::{Sort, Store, TicketFilter};

/// What to export.
#[derive(Clone, Debug)]
pub enum ExportKind {
    /// The Analytics window's report of a period.
    Report {
        /// The period in force.
        period: Box<Period>,
        /// CSV pair or workbook.
        format: ReportFormat,
    },
    /// The tickets matching the list's filters.
    Tickets {
        /// The filter in force.
        filter: Box<TicketFilter>,
        /// The list's order.
        sort: Sort,
        /// Whether to add the internal notes.
        include_notes: bool,
    },
}

/// A running export.
pub struct ExportJob {
    /// What it writes, for messages.
    pub target: PathBuf,
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Result<String, String>>,
}

impl ExportJob {
    /// Starts writing `kind` to `target` from the database at `db`.
    pub fn start(
        db: PathBuf,
        clock: Arc<dyn Clock>,
        kind: ExportKind,
        target: PathBuf,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<ExportJob> {
        let done = Arc::new(AtomicU64::new(0));
        let total = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (send, result) = channel();
        let (d, t, c, out) = (done.clone(), total.clone(), cancel.clone(), target.clone());
        std::thread::Builder::new()
            .name("tickets-export".to_owned())
            .spawn(move || {
                let mut progress = |n: u64, of: u64| {
                    d.store(n, Ordering::Relaxed);
                    t.store(of, Ordering::Relaxed);
                    wake();
                    !c.load(Ordering::Relaxed)
                };
                let outcome = Store::open(&db, clock).map_err(|e| e.to_string()).and_then(
                    |store| match kind {
                        ExportKind::Report { period, format } => write_report(
                            &store,
                            &period,
                            &chrono::Local,
                            &out,
                            format,
                            &mut progress,
                        )
                        .map(|(_, files)| match files.tickets {
                            Some(tickets) => format!(
                                "Exported the report to {} and {}",
                                files.summary.display(),
                                tickets.display()
                            ),
                            None => format!("Exported the report to {}", files.summary.display()),
                        })
                        .map_err(|e| e.to_string()),
                        ExportKind::Tickets {
                            filter,
                            sort,
                            include_notes,
                        } => export_tickets(
                            &store,
                            &filter,
                            sort,
                            include_notes,
                            &chrono::Local,
                            &out,
                            &mut progress,
                        )
                        .map(|n| {
                            format!(
                                "Exported {n} ticket{} to {}",
                                if n == 1 { "" } else { "s" },
                                out.display()
                            )
                        })
                        .map_err(|e| e.to_string()),
                    },
                );
                // If the window has gone, nobody needs the answer.
                if send.send(outcome).is_ok() {
                    wake();
                }
            })?;
        Ok(ExportJob {
            target,
            done,
            total,
            cancel,
            result,
        })
    }

    /// (done, total) so far.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Asks the export to stop; it leaves no file behind.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The outcome, once finished: a message saying what was written, or why not.
    pub fn finished(&self) -> Option<Result<String, String>> {
        self.result.try_recv().ok()
    }
}
