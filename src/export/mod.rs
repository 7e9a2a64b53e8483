//! Reports and ticket exports, to CSV (and xlsx for reports), shared by the
//! window and the command line.
//!
//! - Every file is written beside its target under a temporary name and
//!   renamed into place once complete: a cancelled or failed export leaves
//!   nothing behind, and never half a file.
//! - CSV is UTF-8 with a byte-order mark (so Excel reads it as UTF-8) and a
//!   header row. A text cell beginning with `=`, `+`, `-`, `@`, a tab or a
//!   carriage return gets a leading `'`, so no spreadsheet runs it as a formula
//!   (a plain negative number is left as it is).
//! - Times are local ("2026-11-03 14:05:00"); durations are seconds with
//!   millisecond precision, so summing the ticket rows gives the cards exactly.

mod canned;
pub mod everything;
mod times;

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use std::fmt::Write as _;

use chrono::TimeZone;
use tempfile::NamedTempFile;

use crate::analytics::{Achievement, Durations, Period, Report, SlaTarget};
use crate::domain::Status;
use crate::store::{Counted, ExportTicket, Sort, Store, StoreError, TicketFilter};
pub use times::LocalTimes;

/// Why an export did not complete. Nothing is left behind in any case.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the database failed.
    #[error(transparent)]
    Store(StoreError),
    /// Writing the file failed (disk full, no permission, folder gone).
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
    /// Writing CSV failed.
    #[error("could not write the file: {0}")]
    Csv(#[from] csv::Error),
    /// Writing the workbook failed.
    #[error("could not write the workbook: {0}")]
    Xlsx(String),
    /// Stopped on request.
    #[error("the export was cancelled")]
    Cancelled,
}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Cancelled => ExportError::Cancelled,
            other => ExportError::Store(other),
        }
    }
}

/// Feeds tickets read from the store to a writer whose errors are the
/// export's own: the first such error stops the read, and is the one told.
struct Feed {
    failed: Option<ExportError>,
}

impl Feed {
    fn new() -> Feed {
        Feed { failed: None }
    }

    /// Runs one step of writing; says whether the read goes on.
    fn step(&mut self, write: impl FnOnce() -> Result<bool, ExportError>) -> bool {
        match write() {
            Ok(go_on) => go_on,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }

    /// How the read ended, as the export tells it.
    fn ended<T>(self, read: Result<T, StoreError>) -> Result<T, ExportError> {
        match (self.failed, read) {
            (Some(e), _) => Err(e),
            (None, read) => Ok(read?),
        }
    }
}

impl From<rust_xlsxwriter::XlsxError> for ExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// How often a long export reports progress (and can be stopped), in tickets.
const PROGRESS_EVERY: u64 = 2048;

/// Progress of an export: called with (done, total); returning false cancels it.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64) -> bool;

/// A cell as written to CSV: text that a spreadsheet would take for a formula
/// gets a leading apostrophe. A plain negative number ("-600.000", a duration
/// when the clock went back) is a number, not a formula, and stays one.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_negative_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// "-12" or "-600.000": digits after a minus, with at most one decimal point.
fn is_negative_number(cell: &str) -> bool {
    let Some(digits) = cell.strip_prefix('-') else {
        return false;
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Writes one CSV record, neutralising every cell.
fn write_row<W: Write>(w: &mut csv::Writer<W>, cells: &[String]) -> Result<(), csv::Error> {
    for cell in cells {
        w.write_field(neutralise(cell).as_bytes())?;
    }
    w.write_record(std::iter::empty::<&[u8]>())
}

/// The report's files: the summary, and (for CSV) the ticket rows beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFiles {
    /// `NAME.csv` or `NAME.xlsx`.
    pub summary: PathBuf,
    /// `NAME-tickets.csv` (CSV only; the workbook holds a Tickets sheet).
    pub tickets: Option<PathBuf>,
}

/// The format of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ReportFormat {
    /// `NAME.csv` and `NAME-tickets.csv`.
    Csv,
    /// One `NAME.xlsx` with a sheet per table.
    Xlsx,
}

impl ReportFiles {
    /// The files a report to `out` writes.
    pub fn for_target(out: &Path, format: ReportFormat) -> ReportFiles {
        let ext = match format {
            ReportFormat::Csv => "csv",
            ReportFormat::Xlsx => "xlsx",
        };
        let summary = out.with_extension(ext);
        let tickets = (format == ReportFormat::Csv).then(|| {
            let stem = summary
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "report".to_owned());
            summary.with_file_name(format!("{stem}-tickets.csv"))
        });
        ReportFiles { summary, tickets }
    }
}

/// A file being written under a temporary name beside its target.
struct Staged {
    file: NamedTempFile,
    target: PathBuf,
}

impl Staged {
    fn new(target: &Path) -> Result<Staged, ExportError> {
        Ok(Staged {
            file: tempfile::Builder::new()
                .prefix(".tickets-export-")
                .suffix(".part")
                .tempfile_in(staging_dir(target))?,
            target: target.to_path_buf(),
        })
    }

    /// A CSV writer on the file, after the byte-order mark.
    fn csv(&mut self) -> Result<csv::Writer<BufWriter<&File>>, ExportError> {
        let mut out = BufWriter::with_capacity(1 << 20, self.file.as_file());
        out.write_all("\u{feff}".as_bytes())?;
        Ok(csv::WriterBuilder::new().from_writer(out))
    }

    /// Flushes to disk and renames into place.
    fn commit(self) -> Result<(), ExportError> {
        self.file.as_file().sync_all()?;
        self.file.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }

    /// Puts several files in place together: if any cannot be, the files
    /// already moved are taken back out and what was there before is put back.
    fn commit_all(files: Vec<Staged>) -> Result<(), ExportError> {
        for staged in &files {
            staged.file.as_file().sync_all()?;
        }
        // What each target held before: moved aside, deleted once all is in place.
        let mut done: Vec<(PathBuf, Option<tempfile::TempPath>)> = Vec::new();
        let mut put = |staged: Staged| -> Result<(), ExportError> {
            let old = if staged.target.exists() {
                let aside = tempfile::Builder::new()
                    .prefix(".tickets-export-old-")
                    .tempfile_in(staged.dir())?
                    .into_temp_path();
                std::fs::rename(&staged.target, &aside)?;
                Some(aside)
            } else {
                None
            };
            let target = staged.target.clone();
            match staged.file.persist(&target) {
                Ok(_) => {
                    done.push((target, old));
                    Ok(())
                }
                Err(e) => {
                    if let Some(old) = &old {
                        let _ = std::fs::rename(old, &target);
                    }
                    Err(e.error.into())
                }
            }
        };
        let mut result = Ok(());
        for staged in files {
            result = put(staged);
            if result.is_err() {
                break;
            }
        }
        if result.is_err() {
            for (target, old) in done.into_iter().rev() {
                match old {
                    Some(old) => {
                        let _ = std::fs::rename(&old, &target);
                    }
                    None => {
                        let _ = std::fs::remove_file(&target);
                    }
                }
            }
        }
        result
    }

    /// The folder the file is written in.
    fn dir(&self) -> &Path {
        staging_dir(&self.target)
    }
}

/// The folder a file at `target` is staged in.
fn staging_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Milliseconds as seconds with three decimals: exact.
pub fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:03}",
        ms.unsigned_abs() / 1000,
        ms.unsigned_abs() % 1000
    )
}

fn seconds_f(ms: Option<f64>) -> String {
    ms.map(|ms| format!("{:.3}", ms / 1000.0))
        .unwrap_or_default()
}

fn ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.4}")).unwrap_or_default()
}

/// One row of the tidy summary: section, series, label, value, unit.
pub type SummaryRow = [String; 5];

fn row(section: &str, series: &str, label: &str, value: String, unit: &str) -> SummaryRow {
    [
        section.to_owned(),
        series.to_owned(),
        label.to_owned(),
        value,
        unit.to_owned(),
    ]
}

/// A card's average with its median, 90th percentile and count, one row each.
fn duration_rows(out: &mut Vec<SummaryRow>, series: &str, d: &Durations) {
    for (metric, value, unit) in [
        ("mean", seconds_f(d.mean_ms), "seconds"),
        ("median", seconds_f(d.median_ms), "seconds"),
        ("p90", seconds_f(d.p90_ms), "seconds"),
        ("count", d.count.to_string(), "tickets"),
    ] {
        out.push(row("card", series, metric, value, unit));
    }
}

/// The report as one tidy table: the period, the cards, every chart's series
/// and the per-agent table.
pub fn summary_rows(report: &Report) -> Vec<SummaryRow> {
    let p = &report.period;
    let mut out = vec![
        row("period", "start", "", p.start_local.clone(), "local time"),
        row("period", "end", "", p.end_local.clone(), "local time"),
        row("period", "description", "", p.description.clone(), ""),
        row("card", "Created", "", report.created.to_string(), "tickets"),
        row("card", "Closed", "", report.closed.to_string(), "tickets"),
        row("card", "Open", "", report.open.to_string(), "tickets"),
    ];
    duration_rows(&mut out, "Avg Resolution", &report.resolution);
    duration_rows(&mut out, "Avg First Response", &report.first_response);
    out.push(row(
        "card",
        "Closure Rate",
        "rate",
        ratio(report.closure_rate()),
        "ratio",
    ));
    out.push(row(
        "card",
        "Closure Rate",
        "closed",
        report.closed_of_created.to_string(),
        "tickets",
    ));
    out.push(row(
        "card",
        "Closure Rate",
        "created",
        report.created.to_string(),
        "tickets",
    ));
    out.push(row(
        "card",
        "CSAT",
        "score",
        ratio(report.csat.score()),
        "ratio",
    ));
    out.push(row(
        "card",
        "CSAT",
        "positive",
        report.csat.positive.to_string(),
        "ratings",
    ));
    out.push(row(
        "card",
        "CSAT",
        "ratings",
        report.csat.ratings.to_string(),
        "ratings",
    ));
    for target in SlaTarget::ALL {
        let series = format!("SLA {}", target.label());
        achievement_rows(&mut out, "card", &series, "", report.sla.of(target));
    }
    for (priority, first, resolution) in &report.sla.by_priority {
        for (target, a) in [
            (SlaTarget::FirstReply, first),
            (SlaTarget::Resolution, resolution),
        ] {
            let series = format!("SLA {}", target.label());
            achievement_rows(&mut out, "sla_by_priority", &series, priority.label(), *a);
        }
    }
    for (point, bucket) in report.trend.iter().zip(&p.buckets) {
        // The local date (and hour for Today), as spreadsheets read it.
        let label = bucket.label_local.clone();
        out.push(row(
            "daily_trends",
            "created",
            &label,
            point.created.to_string(),
            "tickets",
        ));
        out.push(row(
            "daily_trends",
            "closed",
            &label,
            point.closed.to_string(),
            "tickets",
        ));
    }
    for (status, n) in &report.by_status {
        out.push(row(
            "by_status",
            "tickets",
            status.label(),
            n.to_string(),
            "tickets",
        ));
    }
    for (priority, n) in &report.by_priority {
        out.push(row(
            "by_priority",
            "tickets",
            priority.label(),
            n.to_string(),
            "tickets",
        ));
    }
    for tag in &report.by_tag {
        out.push(row(
            "by_tag",
            "tickets",
            &tag.name,
            tag.tickets.to_string(),
            "tickets",
        ));
    }
    for agent in report.top_agents() {
        out.push(row(
            "top_agents",
            "handled",
            &agent.name,
            agent.handled.to_string(),
            "tickets",
        ));
    }
    for a in &report.agents {
        out.push(row(
            "agents",
            "handled",
            &a.name,
            a.handled.to_string(),
            "tickets",
        ));
        out.push(row(
            "agents",
            "resolved",
            &a.name,
            a.resolved().to_string(),
            "tickets",
        ));
        out.push(row(
            "agents",
            "first responses",
            &a.name,
            a.first_responses().to_string(),
            "tickets",
        ));
        for (metric, value) in [
            ("first response mean", a.first_response.mean_ms),
            ("first response median", a.first_response.median_ms),
            ("resolution mean", a.resolution.mean_ms),
            ("resolution median", a.resolution.median_ms),
        ] {
            out.push(row("agents", metric, &a.name, seconds_f(value), "seconds"));
        }
        out.push(row(
            "agents",
            "csat score",
            &a.name,
            ratio(a.csat.score()),
            "ratio",
        ));
        out.push(row(
            "agents",
            "csat ratings",
            &a.name,
            a.csat.ratings.to_string(),
            "ratings",
        ));
        for target in SlaTarget::ALL {
            let series = format!("sla {}", target.label().to_lowercase());
            achievement_rows(&mut out, "agents", &series, &a.name, a.sla(target));
        }
    }
    out
}

/// An SLA achievement as three rows: its rate, the targets met and those
/// that fell due (the series gains " rate", " met", " due" where the label
/// names an agent or a priority; a card's rows name them in the label).
fn achievement_rows(
    out: &mut Vec<SummaryRow>,
    section: &str,
    series: &str,
    label: &str,
    a: Achievement,
) {
    for (metric, value, unit) in [
        ("rate", ratio(a.rate()), "ratio"),
        ("met", a.met.to_string(), "targets"),
        ("due", a.due.to_string(), "targets"),
    ] {
        if label.is_empty() {
            out.push(row(section, series, metric, value, unit));
        } else {
            out.push(row(
                section,
                &format!("{series} {metric}"),
                label,
                value,
                unit,
            ));
        }
    }
}

/// Header of the report's ticket rows.
pub const REPORT_TICKET_COLUMNS: [&str; 31] = [
    "ticket",
    "subject",
    "customer",
    "status_at_end",
    "priority_at_end",
    "created",
    "first_reply",
    "first_reply_by",
    "resolved",
    "resolved_by",
    "closed",
    "csat",
    "csat_at",
    "tags",
    "assignees",
    "first_response_seconds",
    "resolution_seconds",
    "in_created",
    "in_closed",
    "in_open",
    "in_avg_first_response",
    "in_avg_resolution",
    "in_closure_rate",
    "in_csat",
    "csat_positive",
    "first_reply_due",
    "first_reply_met",
    "resolution_due",
    "resolution_met",
    "in_sla_first_reply",
    "in_sla_resolution",
];

fn flag(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

/// Whether a column of the report's ticket rows holds numbers (typed as
/// numbers in a workbook).
fn is_number_column(name: &str) -> bool {
    name == "csat"
        || name == "csat_positive"
        || name.ends_with("_seconds")
        || name.starts_with("in_")
        || name.ends_with("_met")
}

fn report_ticket_row<Tz: TimeZone>(
    t: &ExportTicket,
    counted: &Counted,
    times: &mut LocalTimes<'_, Tz>,
) -> Vec<String> {
    let customer = t
        .customer
        .as_ref()
        .map_or(String::new(), |c| c.name.clone());
    let rated = counted.rated && t.csat.is_some();
    let name = |n: &Option<std::sync::Arc<str>>| n.as_deref().unwrap_or("").to_owned();
    vec![
        t.number.to_string(),
        t.subject.clone(),
        customer,
        t.status.label().to_owned(),
        t.priority.label().to_owned(),
        times.format(t.created_ms),
        times.opt(t.first_reply_ms),
        name(&t.first_reply_by),
        times.opt(t.resolved_ms),
        name(&t.resolved_by),
        times.opt(t.closed_ms),
        t.csat.map(|c| c.to_string()).unwrap_or_default(),
        times.opt(t.csat_ms),
        t.tags.join("; "),
        t.assignees.join("; "),
        t.first_reply_ms
            .map(|f| seconds(f - t.created_ms))
            .unwrap_or_default(),
        t.resolved_ms
            .map(|r| seconds(r - t.created_ms))
            .unwrap_or_default(),
        flag(counted.created),
        flag(counted.closed),
        flag(counted.open),
        flag(counted.first_response),
        flag(counted.resolution),
        flag(counted.created && t.status == Status::Closed),
        flag(rated),
        flag(rated && t.csat.is_some_and(|c| c >= 4)),
        times.opt(t.sla_first_reply.map(|(due, _)| due)),
        t.sla_first_reply
            .map(|(_, met)| flag(met))
            .unwrap_or_default(),
        times.opt(t.sla_resolution.map(|(due, _)| due)),
        t.sla_resolution
            .map(|(_, met)| flag(met))
            .unwrap_or_default(),
        flag(counted.sla_first_reply),
        flag(counted.sla_resolution),
    ]
}

/// Writes the report of `period` to `out`: `NAME.csv` and `NAME-tickets.csv`,
/// or one `NAME.xlsx`. Returns the report and the files written.
pub fn write_report<Tz: TimeZone>(
    store: &Store,
    period: &Period,
    tz: &Tz,
    out: &Path,
    format: ReportFormat,
    progress: Progress<'_>,
) -> Result<(Report, ReportFiles), ExportError> {
    let files = ReportFiles::for_target(out, format);
    // One snapshot for the summary and the rows, so they agree.
    store.snapshot(|snap| {
        let report = snap.report(period)?;
        let mut times = LocalTimes::new(tz);
        let mut summary = summary_rows(&report);
        summary.extend(canned::canned_rows(&snap.canned_usage(period)?));
        let mut done = 0u64;
        // Hands each ticket's row to `sink`, in order, reporting progress.
        let mut each_row =
            |sink: &mut dyn FnMut(Vec<String>) -> Result<(), ExportError>| -> Result<(), ExportError> {
                let mut feed = Feed::new();
                let read = snap.report_tickets(period, &mut |t, counted, total| {
                    Ok(feed.step(|| {
                        sink(report_ticket_row(&t, &counted, &mut times))?;
                        done += 1;
                        Ok(!done.is_multiple_of(PROGRESS_EVERY) || progress(done, total))
                    }))
                });
                feed.ended(read).map(|_| ())
            };
        match format {
            ReportFormat::Csv => {
                let mut main = Staged::new(&files.summary)?;
                {
                    let mut w = main.csv()?;
                    w.write_record(["section", "series", "label", "value", "unit"])?;
                    for r in &summary {
                        write_row(&mut w, r)?;
                    }
                    w.flush()?;
                }
                let tickets_path = files.tickets.clone().unwrap_or_default();
                let mut rows = Staged::new(&tickets_path)?;
                {
                    let mut w = rows.csv()?;
                    w.write_record(REPORT_TICKET_COLUMNS)?;
                    each_row(&mut |record| Ok(write_row(&mut w, &record)?))?;
                    w.flush()?;
                }
                Staged::commit_all(vec![rows, main])?;
            }
            ReportFormat::Xlsx => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let mut sections: Vec<(&str, Vec<&SummaryRow>)> = Vec::new();
                for r in &summary {
                    match sections.last_mut() {
                        Some((name, rows)) if *name == r[0] => rows.push(r),
                        _ => sections.push((&r[0], vec![r])),
                    }
                }
                for (name, rows) in sections {
                    let sheet = book.add_worksheet_with_constant_memory()?;
                    sheet.set_name(sheet_name(name))?;
                    for (c, h) in ["series", "label", "value", "unit"].iter().enumerate() {
                        sheet.write_string(0, c as u16, *h)?;
                    }
                    for (i, r) in rows.iter().enumerate() {
                        let y = i as u32 + 1;
                        sheet.write_string(y, 0, &r[1])?;
                        sheet.write_string(y, 1, &r[2])?;
                        match r[3].parse::<f64>() {
                            Ok(v) if r[4] != "local time" => sheet.write_number(y, 2, v)?,
                            _ => sheet.write_string(y, 2, &r[3])?,
                        };
                        sheet.write_string(y, 3, &r[4])?;
                    }
                }
                let sheet = book.add_worksheet_with_constant_memory()?;
                sheet.set_name("Tickets")?;
                for (c, h) in REPORT_TICKET_COLUMNS.iter().enumerate() {
                    sheet.write_string(0, c as u16, *h)?;
                }
                let mut y = 0u32;
                each_row(&mut |record| {
                    y += 1;
                    for (x, (cell, column)) in
                        record.into_iter().zip(REPORT_TICKET_COLUMNS).enumerate()
                    {
                        // Typed cells: strings are never read as formulas in a workbook.
                        match cell.parse::<f64>() {
                            Ok(v) if is_number_column(column) => {
                                sheet.write_number(y, x as u16, v)?
                            }
                            _ => sheet.write_string(y, x as u16, cell)?,
                        };
                    }
                    Ok(())
                })?;
                let staged = Staged::new(&files.summary)?;
                book.save_to_writer(BufWriter::new(staged.file.as_file()))?;
                staged.commit()?;
            }
        }
        Ok((report, files))
    })
}

fn sheet_name(section: &str) -> &'static str {
    match section {
        "period" => "Period",
        "card" => "Cards",
        "daily_trends" => "Daily Ticket Trends",
        "by_status" => "By Status",
        "by_priority" => "By Priority",
        "by_tag" => "By Tag",
        "top_agents" => "Top Agents",
        "agents" => "Agents",
        "canned_replies" => "Canned Replies",
        _ => "Other",
    }
}

/// Header of the ticket list export (without the notes column).
pub const TICKET_COLUMNS: [&str; 19] = [
    "ticket",
    "subject",
    "status",
    "priority",
    "customer",
    "customer_email",
    "company",
    "assignees",
    "tags",
    "links",
    "created",
    "updated",
    "first_reply",
    "resolved",
    "resolved_by",
    "closed",
    "csat",
    "description",
    "messages",
];

/// Tickets sent from the reading thread to the writing one at a time.
const BATCH: usize = 256;

/// Writes the tickets matching `filter`, in `sort` order, with every column
/// (and the internal notes only when `include_notes`). Returns how many.
///
/// Reading and writing overlap: this thread reads tickets from SQLite while a
/// scoped `tickets-export-writer` thread formats and writes the previous batch.
pub fn export_tickets<Tz: TimeZone + Sync>(
    store: &Store,
    filter: &TicketFilter,
    sort: Sort,
    include_notes: bool,
    tz: &Tz,
    out: &Path,
    progress: Progress<'_>,
) -> Result<u64, ExportError> {
    let mut staged = Staged::new(out)?;
    let mut w = staged.csv()?;
    let mut header: Vec<&str> = TICKET_COLUMNS.to_vec();
    if include_notes {
        header.push("internal_notes");
    }
    w.write_record(&header)?;
    let (mut done, mut total) = (0u64, 0u64);
    std::thread::scope(|scope| -> Result<(), ExportError> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<ExportTicket>>(4);
        let writer = std::thread::Builder::new()
            .name("tickets-export-writer".to_owned())
            .spawn_scoped(scope, move || -> Result<(), ExportError> {
                let mut row = TicketRow::new(tz, include_notes);
                for batch in receive {
                    for t in &batch {
                        row.write(&mut w, t)?;
                    }
                }
                w.flush()?;
                Ok(())
            })?;
        let mut batch = Vec::with_capacity(BATCH);
        // One snapshot: the export is one moment of the desk.
        let read = store.snapshot(|snap| {
            snap.export_tickets(filter, sort, include_notes, &mut |t, all| {
                total = all;
                batch.push(t);
                done += 1;
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if send.send(full).is_err() {
                        // The writer stopped on an error; it reports it below.
                        return Ok(false);
                    }
                }
                Ok(!done.is_multiple_of(PROGRESS_EVERY) || progress(done, total))
            })
        });
        if read.is_ok() && !batch.is_empty() && send.send(batch).is_err() {
            // The writer failed; its error is reported below.
        }
        drop(send);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // A write error explains a stopped read better than "cancelled".
        written?;
        read.map(|_| ()).map_err(ExportError::from)
    })?;
    staged.commit()?;
    progress(done, total);
    Ok(done)
}

/// Writes the ticket list export's rows, reusing its buffers.
struct TicketRow<'a, Tz: TimeZone> {
    times: LocalTimes<'a, Tz>,
    include_notes: bool,
    text: String,
    number: String,
}

impl<'a, Tz: TimeZone> TicketRow<'a, Tz> {
    fn new(tz: &'a Tz, include_notes: bool) -> Self {
        TicketRow {
            times: LocalTimes::new(tz),
            include_notes,
            text: String::new(),
            number: String::new(),
        }
    }

    fn write<W: Write>(
        &mut self,
        w: &mut csv::Writer<W>,
        t: &ExportTicket,
    ) -> Result<(), ExportError> {
        let field = |w: &mut csv::Writer<W>, cell: &str| w.write_field(neutralise(cell).as_bytes());
        let (customer, email, company) = t.customer.as_ref().map_or(("", "", ""), |c| {
            (c.name.as_str(), c.email.as_str(), c.company.as_str())
        });
        self.number.clear();
        write!(self.number, "{}", t.number).ok();
        field(w, &self.number)?;
        field(w, &t.subject)?;
        field(w, t.status.label())?;
        field(w, t.priority.label())?;
        field(w, customer)?;
        field(w, email)?;
        field(w, company)?;
        field(w, &t.assignees.join("; "))?;
        field(w, &t.tags.join("; "))?;
        field(w, &t.links.join("; "))?;
        for at in [
            Some(t.created_ms),
            Some(t.updated_ms),
            t.first_reply_ms,
            t.resolved_ms,
        ] {
            self.time(w, at)?;
        }
        field(w, t.resolved_by.as_deref().unwrap_or(""))?;
        self.time(w, t.closed_ms)?;
        self.number.clear();
        if let Some(csat) = t.csat {
            write!(self.number, "{csat}").ok();
        }
        field(w, &self.number)?;
        field(w, &t.description)?;
        self.entries(t.messages.iter().map(|m| {
            let who = if m.outbound {
                [m.author.as_deref().unwrap_or(""), " (reply)"]
            } else {
                ["Customer", ""]
            };
            (m.at_ms, who, m.body.as_str())
        }));
        field(w, &self.text)?;
        if self.include_notes {
            self.entries(t.notes.iter().map(|n| {
                (
                    n.at_ms,
                    [n.author.as_deref().unwrap_or(""), ""],
                    n.body.as_str(),
                )
            }));
            field(w, &self.text)?;
        }
        w.write_record(std::iter::empty::<&[u8]>())?;
        Ok(())
    }

    /// Fills the text buffer with "time · who: body" entries, a blank line apart.
    fn entries<'t>(&mut self, items: impl Iterator<Item = (i64, [&'t str; 2], &'t str)>) {
        self.text.clear();
        for (i, (at, who, body)) in items.enumerate() {
            if i > 0 {
                self.text.push_str("\n\n");
            }
            self.times.push(&mut self.text, at);
            self.text.push_str(" · ");
            self.text.push_str(who[0]);
            self.text.push_str(who[1]);
            self.text.push_str(": ");
            self.text.push_str(body);
        }
    }

    /// A time cell ("" for none).
    fn time<W: Write>(
        &mut self,
        w: &mut csv::Writer<W>,
        at: Option<i64>,
    ) -> Result<(), csv::Error> {
        self.text.clear();
        if let Some(at) = at {
            self.times.push(&mut self.text, at);
        }
        w.write_field(self.text.as_bytes())
    }
}
