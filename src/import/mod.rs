//! Reading other help desks' exports into [`ImportedTicket`]s: the parsing
//! half of an import (the store writes the tickets; the pipeline batches
//! them).
//!
//! - [`decode`]: bytes to text, the encoding worked out or chosen.
//! - [`format`]: which export a source is.
//! - [`mapping`]: source columns and values → Tickets' fields; named mappings.
//! - [`csv_rows`] and [`json`]: the streaming row readers.
//! - [`values`]: times, emails, tags, HTML and text as the store accepts them.
//!
//! A [`Source`] is opened once: it reads the first 64 KB to work out the
//! encoding and the format, then [`Source::read`] streams every row to a
//! callback (or [`Source::preview`] the first few). Nothing is held beyond
//! one row; a row that cannot be imported is a [`RowProblem`] that names its
//! line and says why, and the reading goes on. Only a source that cannot be
//! read at all (a broken JSON structure, a failing disk, a mapping that
//! lacks a required field) stops it, with an [`ImportError`].
//!
//! Text is made to fit the store rather than refused: subjects, names and
//! tags are made one line and cut to their limits, bodies cut to 100,000
//! characters, control characters dropped.

pub mod command;
pub mod csv_rows;
pub mod decode;
pub mod format;
pub mod json;
pub mod mapping;
pub mod pipeline;
pub mod values;

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use decode::{DecodedReader, Progress, TextEncoding};
pub use format::Format;
pub use mapping::{ColumnRule, DateOrder, Field, Mapping, MappingLibrary, TagSeparator};

use crate::domain::{ImportedComment, ImportedPerson, ImportedStatusChange, ImportedTicket};

/// Why one row of a source is skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// The row's line (CSV: where it starts, the header being line 1) or
    /// record number (JSON: the first is 1).
    pub line: u64,
    /// Why, in a sentence ("Created at: “31/02/2024” is not a date of the
    /// calendar").
    pub why: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.why)
    }
}

/// One row of a source: a ticket, or why it is skipped.
pub type Row = Result<ImportedTicket, RowProblem>;

/// Why a source cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Reading the source failed part-way (a disk or network error).
    #[error("reading the file failed: {0}")]
    Read(io::Error),
    /// Neither JSON nor a CSV with a header row.
    #[error("the file is neither JSON nor a CSV with a header row; choose its format")]
    Unrecognised,
    /// The mapping cannot be used.
    #[error("mapping: {0}")]
    Mapping(String),
    /// JSON whose structure is broken: nothing after it can be read.
    #[error("record {record} (line {line}, column {column}): {why}; nothing after it can be read")]
    Json {
        /// The record being read.
        record: u64,
        /// Where in the text.
        line: usize,
        /// Where in the line.
        column: usize,
        /// What the JSON reader said.
        why: String,
    },
    /// A Tickets export is restored, not imported row by row.
    #[error("this is a Tickets export; it is read by the restore, not row by row")]
    TicketsExport,
}

impl ImportError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: io::Error) -> ImportError {
        ImportError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// What the person importing chose; None means worked out from the file.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The text encoding (`--encoding`).
    pub encoding: Option<TextEncoding>,
    /// The format (`--format`).
    pub format: Option<Format>,
    /// The mapping (`--mapping`); without one a known format's built-in
    /// mapping, or for another CSV one guessed from its header.
    pub mapping: Option<Mapping>,
}

/// The decoded text of a source, the sniffed start put back in front.
pub type Text = BufReader<io::Chain<Cursor<Vec<u8>>, DecodedReader>>;

enum Body {
    Csv(Box<csv_rows::CsvTickets<Text>>),
    Json(Text),
    Export(Text),
}

/// A source opened for reading: its encoding and format worked out, its
/// mapping chosen, its header read.
pub struct Source {
    body: Body,
    encoding: TextEncoding,
    format: Format,
    mapping: Mapping,
    zone: Tz,
    progress: Progress,
}

/// How much of a source's start is decoded to recognise it.
const SNIFF_CHARS: usize = 64 * 1024;

impl Source {
    /// Opens the file at `path`.
    pub fn open(path: &Path, options: &ImportOptions) -> Result<Source, ImportError> {
        let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        let total = file.metadata().ok().map(|m| m.len());
        Source::from_reader(Box::new(file), total, options).map_err(|e| match e {
            ImportError::Read(source) => ImportError::io(path, source),
            other => other,
        })
    }

    /// Opens a source read from `reader` (of `total` bytes, where known).
    pub fn from_reader(
        reader: Box<dyn Read + Send>,
        total: Option<u64>,
        options: &ImportOptions,
    ) -> Result<Source, ImportError> {
        let io_err = ImportError::Read;
        let mut decoded = DecodedReader::new(reader, total, options.encoding).map_err(io_err)?;
        let encoding = decoded.encoding();
        let progress = decoded.progress();
        let mut start = Vec::with_capacity(SNIFF_CHARS);
        (&mut decoded)
            .take(SNIFF_CHARS as u64)
            .read_to_end(&mut start)
            .map_err(io_err)?;
        let format = match options.format {
            Some(f) => f,
            None => {
                // The decoder writes UTF-8; a character cut at the end is dropped.
                let text = match std::str::from_utf8(&start) {
                    Ok(t) => t,
                    Err(e) => std::str::from_utf8(&start[..e.valid_up_to()]).unwrap_or_default(),
                };
                format::detect(text).ok_or(ImportError::Unrecognised)?
            }
        };
        let text: Text = BufReader::with_capacity(64 * 1024, Cursor::new(start).chain(decoded));
        let mapping = options.mapping.clone();
        let (body, mapping) = if format == Format::TicketsExport {
            (Body::Export(text), Mapping::built_in(format))
        } else if format.is_csv() {
            let rows = csv_rows::CsvTickets::new(
                text,
                mapping.unwrap_or_else(|| Mapping::built_in(format)),
                format,
            )?;
            let mapping = rows.mapping().clone();
            (Body::Csv(Box::new(rows)), mapping)
        } else {
            (
                Body::Json(text),
                mapping.unwrap_or_else(|| Mapping::built_in(format)),
            )
        };
        let zone = mapping.zone()?;
        Ok(Source {
            body,
            encoding,
            format,
            mapping,
            zone,
            progress,
        })
    }

    /// The encoding it is decoded from.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Its format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The mapping it is read through (for a CSV nobody described, the one
    /// guessed from its header).
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// A CSV's header columns, as written (empty for JSON).
    pub fn columns(&self) -> &[String] {
        match &self.body {
            Body::Csv(rows) => rows.columns(),
            Body::Json(_) | Body::Export(_) => &[],
        }
    }

    /// Why the mapping cannot read this CSV (a required field without a
    /// column), for the preview to show while it is edited.
    pub fn mapping_problem(&self) -> Option<&str> {
        match &self.body {
            Body::Csv(rows) => rows.mapping_problem(),
            Body::Json(_) | Body::Export(_) => None,
        }
    }

    /// How far through the source reading is (shareable with a progress bar).
    pub fn progress(&self) -> Progress {
        self.progress.clone()
    }

    /// A Tickets export's decoded text, from its header line, for the restore.
    pub fn into_text(self) -> Text {
        match self.body {
            Body::Csv(rows) => rows.into_inner(),
            Body::Json(text) | Body::Export(text) => text,
        }
    }

    /// Reads every row, calling `each` with each ticket or row problem in
    /// file order until it answers Break or the source ends. Rows with an id
    /// seen before in the source are problems naming the first one's line.
    pub fn read(self, mut each: impl FnMut(Row) -> ControlFlow<()>) -> Result<(), ImportError> {
        let mut seen = SeenIds::default();
        let mut sink = |row: Row| each(seen.check(row));
        match self.body {
            Body::Csv(mut rows) => {
                for row in &mut rows {
                    if sink(row?).is_break() {
                        break;
                    }
                }
                Ok(())
            }
            Body::Json(text) => json::read(text, self.format, &self.mapping, self.zone, &mut sink),
            Body::Export(_) => Err(ImportError::TicketsExport),
        }
    }

    /// The first `rows` rows and, for a CSV, their cells as written, for
    /// the import dialog (reading stops there).
    pub fn preview(self, rows: usize) -> Result<Preview, ImportError> {
        let mut preview = Preview {
            encoding: self.encoding,
            format: self.format,
            columns: self.columns().to_vec(),
            mapping: self.mapping.clone(),
            mapping_problem: self.mapping_problem().map(str::to_owned),
            cells: Vec::new(),
            rows: Vec::new(),
        };
        if rows == 0 || self.format == Format::TicketsExport {
            return Ok(preview);
        }
        match self.body {
            Body::Csv(mut reader) => {
                let mut seen = SeenIds::default();
                while preview.cells.len() < rows {
                    let Some(row) = reader.next_record()? else {
                        break;
                    };
                    preview.cells.push(
                        reader
                            .cells()
                            .iter()
                            .map(|c| values::shorten(c, 200))
                            .collect(),
                    );
                    if let Some(row) = row {
                        preview.rows.push(seen.check(row));
                    }
                }
            }
            Body::Json(text) => {
                let mut seen = SeenIds::default();
                json::read(text, self.format, &self.mapping, self.zone, &mut |row| {
                    preview.rows.push(seen.check(row));
                    if preview.rows.len() >= rows {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })?;
            }
            Body::Export(_) => {}
        }
        Ok(preview)
    }
}

/// The start of a source as the import dialog shows it.
#[derive(Clone, Debug)]
pub struct Preview {
    /// The encoding it was decoded from.
    pub encoding: TextEncoding,
    /// Its format.
    pub format: Format,
    /// A CSV's header columns (empty for JSON).
    pub columns: Vec<String>,
    /// The mapping it was read through.
    pub mapping: Mapping,
    /// Why the mapping cannot read it yet (then `rows` is empty).
    pub mapping_problem: Option<String>,
    /// A CSV's first rows' cells, as written (each cut to 200 characters).
    pub cells: Vec<Vec<String>>,
    /// The first rows, as they would be imported.
    pub rows: Vec<Row>,
}

/// The ids seen so far and the line of each, to report a repeated one. Kept
/// as 64-bit hashes (16 bytes an id), so a million rows cost a few tens of MB.
#[derive(Default)]
pub(crate) struct SeenIds {
    lines: HashMap<u64, u64>,
}

impl SeenIds {
    /// `row`, or a problem when its id was on an earlier line.
    pub(crate) fn check(&mut self, row: Row) -> Row {
        let ticket = row?;
        let key = xxhash_rust::xxh3::xxh3_64(ticket.external_id.as_bytes());
        match self.lines.get(&key) {
            Some(&first) => Err(RowProblem {
                line: ticket.line,
                why: format!(
                    "Id: “{}” is the same id as line {first}; only the first is imported",
                    values::shorten(&ticket.external_id, 40)
                ),
            }),
            None => {
                self.lines.insert(key, ticket.line);
                Ok(ticket)
            }
        }
    }
}

/// A ticket's values as read from a source, before they are checked: what
/// the CSV and JSON readers both fill, and [`Draft::finish`] turns into a
/// ticket or a problem.
#[derive(Default)]
pub(crate) struct Draft {
    values: HashMap<Field, String>,
    pub(crate) comments: Vec<ImportedComment>,
    pub(crate) status_changes: Vec<ImportedStatusChange>,
    pub(crate) customer: Option<ImportedPerson>,
    pub(crate) assignee: Option<ImportedPerson>,
    /// Tags the source gives as a list (JSON), each whole: a comma in one
    /// is part of its name. `None`: the Tags field's cell, split.
    pub(crate) tag_list: Option<Vec<String>>,
    /// The first reply where the source gives it as a time already worked
    /// out (Zendesk's created time plus its reply time), used when no field
    /// gives one.
    pub(crate) first_reply: Option<DateTime<Utc>>,
}

impl Draft {
    /// Sets `field` unless it already has a value (the first non-empty wins).
    pub(crate) fn set(&mut self, field: Field, value: &str) {
        if field != Field::Ignore && !value.trim().is_empty() {
            self.values.entry(field).or_insert_with(|| value.to_owned());
        }
    }

    fn get(&self, field: Field) -> &str {
        self.values.get(&field).map_or("", String::as_str)
    }

    /// The ticket, or why it cannot be one, in a sentence.
    pub(crate) fn finish(
        mut self,
        line: u64,
        mapping: &Mapping,
        zone: Tz,
    ) -> Result<ImportedTicket, String> {
        // Taken, not copied: a conversation can be long.
        let (drafted_customer, drafted_assignee) = (self.customer.take(), self.assignee.take());
        let mut comments = std::mem::take(&mut self.comments);
        let mut status_changes = std::mem::take(&mut self.status_changes);
        let external_id = values::one_line(self.get(Field::ExternalId), 200);
        if external_id.is_empty() {
            return Err("Id: is empty (every ticket needs its id in the source, so a second import updates it)".into());
        }
        let subject = values::subject(self.get(Field::Subject));
        if subject.is_empty() {
            return Err("Subject: is empty".into());
        }
        let description = self.get(Field::Description);
        let description = if values::looks_like_html(description) {
            values::body(&values::html_to_text(description))
        } else {
            values::body(description)
        };
        let status = mapping
            .status(self.get(Field::Status))
            .map_err(|e| format!("Status: {e}"))?;
        let priority = mapping
            .priority(self.get(Field::Priority))
            .map_err(|e| format!("Priority: {e}"))?;
        let customer = match drafted_customer {
            Some(p) => Some(p),
            None => person(
                self.get(Field::CustomerEmail),
                self.get(Field::CustomerName),
                "Customer email",
            )?,
        };
        let Some(customer) = customer else {
            return Err("Customer: neither an email nor a name is given".into());
        };
        let assignee = match drafted_assignee {
            Some(p) => Some(p),
            None => person(
                self.get(Field::AssigneeEmail),
                self.get(Field::AssigneeName),
                "Assignee email",
            )?,
        };
        let company = Some(values::name(self.get(Field::Company))).filter(|c| !c.is_empty());
        let tags = match &self.tag_list {
            Some(list) => values::tag_list(list.iter().map(String::as_str)),
            None => values::tags(self.get(Field::Tags), &mapping.tag_separators),
        };
        let time = |field: Field| {
            values::optional_time(self.get(field), field.label(), mapping.date_order, zone)
        };
        let Some(created_at) = time(Field::CreatedAt)? else {
            return Err("Created at: is empty (every ticket needs the time it was raised)".into());
        };
        comments.sort_by_key(|c| c.at);
        status_changes.sort_by_key(|c| c.at);
        Ok(ImportedTicket {
            line,
            external_id,
            subject,
            description,
            status,
            priority,
            customer,
            company,
            assignee,
            tags,
            created_at,
            updated_at: time(Field::UpdatedAt)?,
            first_reply_at: time(Field::FirstReplyAt)?.or(self.first_reply),
            solved_at: time(Field::SolvedAt)?,
            closed_at: time(Field::ClosedAt)?,
            comments,
            status_changes,
        })
    }
}

/// A person from an email and a name, either possibly empty (None when
/// both are); `field` names the email in the sentence when it is not one.
pub(crate) fn person(
    email: &str,
    name: &str,
    field: &str,
) -> Result<Option<ImportedPerson>, String> {
    let email = if email.trim().is_empty() {
        String::new()
    } else {
        values::email(email).map_err(|e| format!("{field}: {e}"))?
    };
    let name = values::name(name);
    Ok((!email.is_empty() || !name.is_empty()).then_some(ImportedPerson { email, name }))
}

#[cfg(test)]
mod tests;
