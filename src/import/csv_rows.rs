//! CSV sources (Zendesk, Freshdesk, osTicket, any other) read row by row
//! through a [`Mapping`].
//!
//! Quotes and line breaks inside cells, CR / LF / CR LF line ends, `,` `;`
//! or tab delimiters, cells of any size; a row with more or fewer cells than
//! the header is a problem (a stray quote or delimiter moved its cells), a
//! row of empty cells is passed over. Cells are data: one that looks like a
//! spreadsheet formula (`=SUM(A1)`) is kept as written.

use std::io::{self, BufRead, Read};

use chrono_tz::Tz;

use super::format::{Format, guess_delimiter};
use super::mapping::{Field, Mapping};
use super::{Draft, ImportError, Row, RowProblem};

/// The tickets of a CSV source, one per data row, in file order.
pub struct CsvTickets<R> {
    reader: csv::Reader<LineEnds<R>>,
    columns: Vec<String>,
    fields: Result<Vec<Option<Field>>, String>,
    mapping: Mapping,
    zone: Tz,
    record: csv::StringRecord,
    finished: bool,
}

impl<R: BufRead> CsvTickets<R> {
    /// Reads the header of `text` (a CSV of `format`) and binds `mapping`
    /// to it; an empty mapping for a plain CSV is guessed from the header.
    /// A mapping that lacks a required field is kept with its problem (see
    /// [`CsvTickets::mapping_problem`]) so a preview can still show the cells.
    pub fn new(
        mut text: R,
        mapping: Mapping,
        format: Format,
    ) -> Result<CsvTickets<R>, ImportError> {
        let start = text.fill_buf().map_err(ImportError::Read)?;
        let start = match std::str::from_utf8(start) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&start[..e.valid_up_to()]).unwrap_or_default(),
        };
        let delimiter = guess_delimiter(start);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(LineEnds {
                inner: text,
                after_cr: false,
            });
        let mut header = csv::StringRecord::new();
        let has_header = reader.read_record(&mut header).map_err(csv_fatal)?;
        let columns: Vec<String> = if has_header {
            header.iter().map(|c| c.trim().to_owned()).collect()
        } else {
            Vec::new()
        };
        let mapping = if format == Format::Csv && mapping.columns.is_empty() {
            Mapping {
                name: mapping.name.clone(),
                ..Mapping::guess(&columns)
            }
        } else {
            mapping
        };
        let zone = mapping.zone()?;
        let fields = mapping.bind(&columns).map_err(|e| match e {
            ImportError::Mapping(why) => why,
            other => other.to_string(),
        });
        Ok(CsvTickets {
            reader,
            columns,
            fields,
            mapping,
            zone,
            record: csv::StringRecord::new(),
            finished: false,
        })
    }

    /// The header's columns, as written (trimmed).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The mapping it reads through (guessed, for a plain CSV without one).
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// Why the mapping cannot read this CSV, if it cannot.
    pub fn mapping_problem(&self) -> Option<&str> {
        self.fields.as_ref().err().map(String::as_str)
    }

    /// The cells of the row read last.
    pub fn cells(&self) -> &csv::StringRecord {
        &self.record
    }

    /// The decoded text it reads (what follows the rows read so far).
    pub fn into_inner(self) -> R {
        self.reader.into_inner().inner
    }

    /// Reads the next row: None at the end; Some(None) when the row was read
    /// (see [`CsvTickets::cells`]) but the mapping cannot read it; rows of
    /// empty cells are passed over.
    pub fn next_record(&mut self) -> Result<Option<Option<Row>>, ImportError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => {
                    if let csv::ErrorKind::Utf8 { pos, .. } = e.kind() {
                        let line = pos.as_ref().map_or(0, |p| p.line());
                        let why = "is not valid text in the file's encoding".to_owned();
                        return Ok(Some(Some(Err(RowProblem { line, why }))));
                    }
                    return Err(csv_fatal(e));
                }
            }
            if self.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let Ok(fields) = &self.fields else {
                return Ok(Some(None));
            };
            return Ok(Some(Some(self.ticket(fields))));
        }
    }

    fn ticket(&self, fields: &[Option<Field>]) -> Row {
        let line = self.record.position().map_or(0, |p| p.line());
        let problem = |why: String| RowProblem { line, why };
        if self.record.len() != fields.len() {
            return Err(problem(format!(
                "has {} cells where the header has {} (a stray quote or delimiter may have moved them)",
                self.record.len(),
                fields.len()
            )));
        }
        let mut draft = Draft::default();
        for (cell, field) in self.record.iter().zip(fields) {
            if let Some(field) = field {
                draft.set(*field, cell);
            }
        }
        draft
            .finish(line, &self.mapping, self.zone)
            .map_err(problem)
    }
}

/// CR LF and lone CR line ends made LF before the CSV reader sees them, so
/// it counts lines the way an editor does (csv counts a CR LF's LF as the
/// start of the next row, a line early). Inside quoted cells too: the
/// readers turn a cell's line ends into LF anyway.
pub struct LineEnds<R> {
    inner: R,
    after_cr: bool,
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for i in 0..n {
                let b = buf[i];
                if self.after_cr && b == b'\n' {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = b == b'\r';
                buf[kept] = if b == b'\r' { b'\n' } else { b };
                kept += 1;
            }
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// A CSV error that stops the reading (the source failed to read).
fn csv_fatal(e: csv::Error) -> ImportError {
    ImportError::Read(std::io::Error::other(e.to_string()))
}

impl<R: BufRead> Iterator for CsvTickets<R> {
    type Item = Result<Row, ImportError>;

    /// The next ticket or row problem; an error (then the end) when the
    /// source fails or the mapping cannot read it.
    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.next_record() {
            Ok(Some(Some(row))) => Some(Ok(row)),
            Ok(Some(None)) => {
                self.finished = true;
                Some(Err(ImportError::Mapping(
                    self.mapping_problem().unwrap_or_default().to_owned(),
                )))
            }
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}
