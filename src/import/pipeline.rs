//! An import from start to end, shared by `tickets import` and File →
//! Import…: the source read as it streams, its tickets handed to the store
//! in batches, each batch written with its checkpoint in one transaction
//! (or, for a dry run, planned without writing), progress heard and Cancel
//! honoured between batches, and every skipped row told as it is found.
//!
//! - A cancelled or failed import leaves whole batches and its checkpoint:
//!   importing the same file again (same path, size and modification time)
//!   resumes after the last committed row. One that reaches the end forgets
//!   its checkpoint, so importing the file again later updates the tickets
//!   it made (their source ids are kept) rather than resuming.
//! - Nothing but one batch of tickets is held: memory stays flat whatever
//!   the file's size.

use std::ops::ControlFlow;
use std::path::Path;

use super::{Format, ImportError, ImportOptions, RowProblem, Source, TextEncoding};
use crate::domain::{AgentId, ImportedTicket, count_of, thousands};
use crate::store::import::{ImportPlan, ImportResult, Planned};
use crate::store::{Store, StoreError};

/// Tickets written (or planned) together in a file, at most: a file's
/// batch sets the search triggers aside and puts them back (see its
/// import), which costs as much as writing a few hundred tickets.
const FILE_BATCH_TICKETS: usize = 5000;
/// Tickets written together on a team server, at most (a thousand take a
/// few seconds there: Cancel is heard between batches).
const SERVER_BATCH_TICKETS: usize = 1000;
/// A batch is written early once its text reaches this many bytes (tickets
/// with long conversations), so a batch's memory stays bounded.
const BATCH_BYTES: usize = 32 << 20;
/// How many problems a report keeps to show (all are told as found).
pub const PROBLEMS_KEPT: usize = 1000;

/// What an import did, or (a dry run) would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The source's format.
    pub format: Option<Format>,
    /// The text encoding it was read in.
    pub encoding: Option<TextEncoding>,
    /// The name its tickets' ids are kept under ("zendesk", "csv:…").
    pub source: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Tickets read from the source (rows skipped as unreadable not counted).
    pub read: u64,
    /// Tickets made.
    pub created: u64,
    /// Tickets imported before, changed.
    pub updated: u64,
    /// Tickets imported before, already as the source has them.
    pub unchanged: u64,
    /// Rows skipped: unreadable, or refused by the store.
    pub skipped: u64,
    /// Customers made (or that would be).
    pub new_customers: u64,
    /// Agents made (or that would be), by email or name.
    pub new_agents: Vec<String>,
    /// The first [`PROBLEMS_KEPT`] skipped rows, by line, with why.
    pub problems: Vec<RowProblem>,
    /// Where an earlier, unfinished import of the same file had reached:
    /// the rows up to this line were not read again.
    pub resumed_after: Option<u64>,
    /// Whether it was stopped before the end (what was written stays; the
    /// next import of the file resumes).
    pub cancelled: bool,
}

impl ImportReport {
    /// One sentence: "Imported 1,204 tickets (1,180 new, 24 updated), 3 rows skipped…".
    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "{} new, {} updated, {} unchanged",
            thousands(self.created),
            thousands(self.updated),
            thousands(self.unchanged)
        )];
        if self.new_customers > 0 || !self.new_agents.is_empty() {
            parts.push(format!(
                "{} and {} added",
                count_of(self.new_customers, "customer", "customers"),
                count_of(self.new_agents.len() as u64, "agent", "agents")
            ));
        }
        parts.push(format!("{} skipped", count_of(self.skipped, "row", "rows")));
        let verb = if self.dry_run {
            "Would import"
        } else if self.cancelled {
            "Cancelled after importing"
        } else {
            "Imported"
        };
        let mut sentence = format!(
            "{verb} {} ({})",
            count_of(
                self.created + self.updated + self.unchanged,
                "ticket",
                "tickets"
            ),
            parts.join("; ")
        );
        if let Some(line) = self.resumed_after {
            sentence.push_str(&format!(", resuming after line {}", thousands(line)));
        }
        if self.dry_run {
            sentence.push_str("; nothing was written");
        } else if self.cancelled {
            sentence.push_str("; importing the same file again resumes where this stopped");
        }
        sentence.push('.');
        sentence
    }
}

/// Why an import stopped before the end, with what it had done.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The source could not be read (nothing after the failure was).
    #[error("{0}")]
    Source(#[from] ImportError),
    /// The store refused or failed (the batches before stay written).
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// What an import tells as it goes.
pub trait Heed {
    /// How far through the source (bytes read, bytes in all where known);
    /// `false` stops the import after the batch under way.
    fn progress(&mut self, read: u64, total: Option<u64>) -> bool;
    /// A row skipped, as found.
    fn problem(&mut self, problem: &RowProblem);
}

/// The name a source's ticket ids are kept under: importing from the same
/// help desk again finds the tickets it made.
pub fn source_name(format: Format, mapping_name: &str) -> String {
    match format {
        Format::ZendeskCsv | Format::ZendeskJson => "zendesk".to_owned(),
        Format::FreshdeskCsv => "freshdesk".to_owned(),
        Format::OsTicketCsv => "osticket".to_owned(),
        Format::HelpScoutJson => "helpscout".to_owned(),
        Format::Csv | Format::TicketsExport => {
            let name = mapping_name.trim();
            format!("csv:{}", if name.is_empty() { "csv" } else { name })
        }
    }
}

/// The checkpoint key of importing `path` as `source`: the same file (path,
/// size, modification time) resumes; a changed one starts anew.
fn checkpoint_key(path: &Path, source: &str) -> String {
    let meta = std::fs::metadata(path).ok();
    let size = meta.as_ref().map_or(0, |m| m.len());
    let modified = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis());
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("{source}|{size}|{modified}|{}", path.display())
}

/// Imports the tickets of the file at `path` as `actor` (or, `dry_run`,
/// works out what that would do, writing nothing). A Tickets export is not
/// read here: [`crate::export::everything`] restores it.
pub fn import_file(
    store: &mut Store,
    actor: AgentId,
    path: &Path,
    options: &ImportOptions,
    dry_run: bool,
    heed: &mut dyn Heed,
) -> Result<ImportReport, PipelineError> {
    let batch = batch_for(store);
    import_in_batches(store, actor, path, options, dry_run, heed, batch)
}

/// How many tickets an import writes together into `store`.
pub fn batch_for(store: &Store) -> usize {
    match store.location() {
        crate::store::Location::File(_) => FILE_BATCH_TICKETS,
        crate::store::Location::Server(_) => SERVER_BATCH_TICKETS,
    }
}

/// [`import_file`] in batches of at most `batch_tickets` tickets (tests
/// make them small, to cancel and resume within a small file).
pub fn import_in_batches(
    store: &mut Store,
    actor: AgentId,
    path: &Path,
    options: &ImportOptions,
    dry_run: bool,
    heed: &mut dyn Heed,
    batch_tickets: usize,
) -> Result<ImportReport, PipelineError> {
    let source = Source::open(path, options)?;
    import_source(store, actor, path, source, dry_run, heed, batch_tickets)
}

/// [`import_in_batches`] from `source`, opened already on the file at
/// `path` (which names its checkpoint).
pub fn import_source(
    store: &mut Store,
    actor: AgentId,
    path: &Path,
    source: Source,
    dry_run: bool,
    heed: &mut dyn Heed,
    batch_tickets: usize,
) -> Result<ImportReport, PipelineError> {
    let batch_tickets = batch_tickets.max(1);
    if source.format() == Format::TicketsExport {
        return Err(ImportError::TicketsExport.into());
    }
    if let Some(problem) = source.mapping_problem() {
        return Err(ImportError::Mapping(problem.to_owned()).into());
    }
    let name = source_name(source.format(), &source.mapping().name);
    let key = checkpoint_key(path, &name);
    let resume = if dry_run {
        None
    } else {
        store.import_checkpoint(&key)?
    };
    let mut report = ImportReport {
        format: Some(source.format()),
        encoding: Some(source.encoding()),
        source: name.clone(),
        dry_run,
        resumed_after: resume,
        ..ImportReport::default()
    };
    let progress = source.progress();
    let mut batch: Vec<ImportedTicket> = Vec::with_capacity(batch_tickets);
    let mut batch_bytes = 0usize;
    let mut writer = Writer {
        actor,
        dry_run,
        name: name.clone(),
        key: key.clone(),
        plan: ImportPlan::default(),
    };
    let mut failed: Option<PipelineError> = None;
    let read = read_ahead(source, |row| {
        match row {
            Ok(ticket) => {
                if resume.is_some_and(|after| ticket.line <= after) {
                    return ControlFlow::Continue(());
                }
                report.read += 1;
                batch_bytes += text_bytes(&ticket);
                batch.push(ticket);
            }
            Err(problem) => {
                if resume.is_some_and(|after| problem.line <= after) {
                    return ControlFlow::Continue(());
                }
                skipped(&mut report, heed, problem);
            }
        }
        if batch.len() >= batch_tickets || batch_bytes >= BATCH_BYTES {
            batch_bytes = 0;
            if let Err(e) = writer.flush(store, &mut batch, &mut report, heed) {
                failed = Some(e);
                return ControlFlow::Break(());
            }
            if !heed.progress(progress.bytes_read(), progress.bytes_total()) {
                report.cancelled = true;
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    read?;
    if !report.cancelled {
        writer.flush(store, &mut batch, &mut report, heed)?;
        heed.progress(progress.bytes_read(), progress.bytes_total());
        if !dry_run {
            store.finish_import(actor, &key)?;
            // The imported tickets' due times, worked out a slice at a time.
            while store.refresh_due()? > 0 {}
        }
    }
    Ok(report)
}

/// Rows the reading thread hands over together, at most (or fewer, once
/// their text reaches [`CHUNK_BYTES`]).
const CHUNK_ROWS: usize = 256;
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks read ahead of the writing, at most: a few megabytes.
const CHUNKS_AHEAD: usize = 4;

/// A ticket's text, roughly the memory it holds.
fn text_bytes(ticket: &ImportedTicket) -> usize {
    ticket.description.len() + ticket.comments.iter().map(|c| c.body.len()).sum::<usize>()
}

/// [`Source::read`] on a thread of its own ("tickets-import-read"), a few
/// chunks ahead of `each`, which runs on the caller's: decoding and
/// parsing the file took a fifth of an import's time, which on a machine
/// of two cores or more now overlaps the writing.
fn read_ahead(
    source: Source,
    mut each: impl FnMut(super::Row) -> ControlFlow<()>,
) -> Result<(), ImportError> {
    let (send, chunks) = std::sync::mpsc::sync_channel::<Vec<super::Row>>(CHUNKS_AHEAD);
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("tickets-import-read".into())
            .spawn_scoped(scope, move || {
                let mut chunk = Vec::with_capacity(CHUNK_ROWS);
                let mut bytes = 0;
                let read = source.read(|row| {
                    bytes += row.as_ref().map_or(0, text_bytes);
                    chunk.push(row);
                    if chunk.len() >= CHUNK_ROWS || bytes >= CHUNK_BYTES {
                        bytes = 0;
                        // Sending fails once the writing stopped early.
                        if send.send(std::mem::take(&mut chunk)).is_err() {
                            return ControlFlow::Break(());
                        }
                    }
                    ControlFlow::Continue(())
                });
                if !chunk.is_empty() {
                    // Unheard if the writing stopped: nothing is lost by it.
                    let _ = send.send(chunk);
                }
                read
            })
            .map_err(ImportError::Read)?;
        'rows: for chunk in chunks.iter() {
            for row in chunk {
                if each(row).is_break() {
                    break 'rows;
                }
            }
        }
        // The reader, blocked on a full channel, hears the stop.
        drop(chunks);
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Hands batches to the store: writing them with the checkpoint, or (a
/// dry run) planning them.
struct Writer {
    actor: AgentId,
    dry_run: bool,
    name: String,
    key: String,
    plan: ImportPlan,
}

impl Writer {
    fn flush(
        &mut self,
        store: &mut Store,
        batch: &mut Vec<ImportedTicket>,
        report: &mut ImportReport,
        heed: &mut dyn Heed,
    ) -> Result<(), PipelineError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut problem = |report: &mut ImportReport, line: u64, why: String| {
            skipped(report, heed, RowProblem { line, why });
        };
        if self.dry_run {
            for row in store.import_plan(&self.name, batch, &mut self.plan)? {
                match row.planned {
                    Planned::Create => report.created += 1,
                    Planned::Update(_) => report.updated += 1,
                    Planned::Unchanged(_) => report.unchanged += 1,
                    Planned::Refused(why) => problem(report, row.line, why),
                }
                report.new_customers += row.new_customers.len() as u64;
                report.new_agents.extend(row.new_agents);
            }
        } else {
            // Tickets are numbered in creation order: a source a little out
            // of order (ids given before creation times settled) goes in
            // oldest first within its batch, which covers the same lines.
            let last = batch.iter().map(|t| t.line).max().unwrap_or(0);
            batch.sort_by_key(|t| t.created_at);
            let results = store.import_batch(self.actor, &self.name, (&self.key, last), batch)?;
            // Who is new is told by the batch that made them (others may
            // add people on a team server meanwhile).
            report.new_customers += results.new_customers;
            report.new_agents.extend(results.new_agents);
            for (ticket, result) in batch.iter().zip(results.tickets) {
                match result {
                    ImportResult::Created(_) => report.created += 1,
                    ImportResult::Updated(_) => report.updated += 1,
                    ImportResult::Unchanged(_) => report.unchanged += 1,
                    ImportResult::Refused(why) => problem(report, ticket.line, why),
                }
            }
        }
        batch.clear();
        Ok(())
    }
}

/// Tells and counts a skipped row, keeping the first few for the report.
fn skipped(report: &mut ImportReport, heed: &mut dyn Heed, problem: RowProblem) {
    heed.problem(&problem);
    report.skipped += 1;
    if report.problems.len() < PROBLEMS_KEPT {
        report.problems.push(problem);
    }
}
