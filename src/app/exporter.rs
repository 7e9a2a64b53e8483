//! Exports run on their own named thread ("tickets-export") with their own
//! connection, so the list stays live while a million tickets are written.
//! The task registry lets one run at a time.

use std::path::PathBuf;
use std::sync::Arc;

use super::tasks::{Done, TaskHandle};
use super::worker::Failure;
use crate::analytics::Period;
use crate::clock::Clock;
use crate::export::everything::export_everything;
use crate::export::{ReportFormat, export_tickets, write_report};
use crate::store::{Location, Sort, Store, TicketFilter};

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
    /// Everything the database holds, as JSON lines (see
    /// [`crate::export::everything`]).
    Everything,
}

impl ExportKind {
    /// The file's extension.
    pub fn extension(&self) -> &'static str {
        match self {
            ExportKind::Report {
                format: ReportFormat::Xlsx,
                ..
            } => "xlsx",
            ExportKind::Everything => "jsonl",
            _ => "csv",
        }
    }

    /// What the job does, for the top bar.
    pub fn doing(&self) -> &'static str {
        match self {
            ExportKind::Report { .. } => "Exporting the report",
            ExportKind::Tickets { .. } => "Exporting tickets",
            ExportKind::Everything => "Exporting everything",
        }
    }
}

/// Starts writing `kind` to `target` from the store at `db`; the job
/// hears of progress and how it ended.
pub fn spawn(
    db: Location,
    clock: Arc<dyn Clock>,
    kind: ExportKind,
    target: PathBuf,
    task: TaskHandle,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("tickets-export".to_owned())
        .spawn(move || {
            let mut progress = |n: u64, of: u64| task.progress(n, of);
            let outcome = Store::open_at(&db, clock)
                .map_err(Failure::from)
                .and_then(|store| match kind {
                    ExportKind::Report { period, format } => write_report(
                        &store,
                        &period,
                        &chrono::Local,
                        &target,
                        format,
                        &mut progress,
                    )
                    .map(|(_, files)| {
                        Done::Report(
                            std::iter::once(files.summary)
                                .chain(files.tickets)
                                .collect(),
                        )
                    })
                    .map_err(Failure::from),
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
                        &target,
                        &mut progress,
                    )
                    .map(|n| Done::Tickets(n, target.clone()))
                    .map_err(Failure::from),
                    ExportKind::Everything => export_everything(&store, &target, &mut progress)
                        .map(|written| Done::Everything(written.tickets(), target.clone()))
                        .map_err(Failure::from),
                });
            task.finish(outcome);
        })
        .map(|_| ())
}
