//! Everything a help desk holds, as one file of JSON lines, and that file
//! read back into an empty database: so no team is ever locked in.
//!
//! The file is UTF-8, one JSON object per line:
//!
//! 1. a header: `{"format":"tickets-export","version":1,"tables":{…}}`,
//!    naming each table with its columns, in the order the rows follow;
//! 2. every row of every table ([`TABLES`]: agents, customers, tags,
//!    tickets, their assignees, tags, conversation, notes, links,
//!    activity, the analytics' rows, shared views, the service-level
//!    policy, canned replies, read marks…), a table at a time in key
//!    order: `{"table":"tickets","id":13,"subject":"…",…}` with the
//!    columns in the header's order, whole numbers as numbers (times are
//!    milliseconds since 1970 UTC), text as strings, nothing as `null`;
//! 3. a trailer: `{"end":{"agents":{"rows":3,"xxh3":"…"},…}}`, each table's
//!    row count and checksum, so a file cut short or changed by hand is
//!    refused whole rather than read in part.
//!
//! Nothing in it depends on when it was written: the same database gives
//! the same bytes, and a database filled from it exports the same bytes
//! again.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ExportError, PROGRESS_EVERY, Progress, Staged};
use crate::store::transfer::{Cell, RowSink, RowSource, Summer, TABLES, Table, TableSum};
use crate::store::{Store, StoreError};

/// What the header's `format` says.
pub const FORMAT: &str = "tickets-export";
/// The version of the layout this Tickets writes and reads.
pub const VERSION: u64 = 1;

/// What an export of everything wrote: each table with its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Everything {
    /// Each table's name and row count, in the file's order.
    pub tables: Vec<(&'static str, u64)>,
}

impl Everything {
    /// How many tickets it holds.
    pub fn tickets(&self) -> u64 {
        self.tables
            .iter()
            .find(|(name, _)| *name == "tickets")
            .map_or(0, |(_, n)| *n)
    }
}

/// Writes everything `store` holds to `target` (under a temporary name
/// beside it, renamed into place once whole). `progress` hears (rows done,
/// rows in all); returning false cancels, leaving nothing behind.
pub fn export_everything(
    store: &Store,
    target: &Path,
    progress: Progress<'_>,
) -> Result<Everything, ExportError> {
    let staged = Staged::new(target)?;
    let written = {
        let mut out = BufWriter::with_capacity(1 << 20, staged.file.as_file());
        let written = write_everything(store, &mut out, progress)?;
        out.flush()?;
        written
    };
    staged.commit()?;
    Ok(written)
}

/// Writes everything `store` holds to `out`, read in one snapshot (see the
/// module's description of the layout).
pub fn write_everything(
    store: &Store,
    out: &mut dyn Write,
    progress: Progress<'_>,
) -> Result<Everything, ExportError> {
    let total: u64 = store.transfer_counts()?.iter().sum();
    let mut header = Vec::new();
    write_header(&mut header)?;
    out.write_all(&header)?;
    let mut failed: Option<ExportError> = None;
    let mut sums: Vec<(&'static str, Summer)> = Vec::new();
    let mut line = Vec::with_capacity(4096);
    let mut done = 0u64;
    let read = store.transfer_rows(&mut |table, cells| {
        if sums.last().is_none_or(|(name, _)| *name != table.name) {
            sums.push((table.name, Summer::default()));
        }
        if let Some((_, sum)) = sums.last_mut() {
            sum.add(cells);
        }
        line.clear();
        row_line(&mut line, table, cells);
        if let Err(e) = out.write_all(&line) {
            failed = Some(e.into());
            return Err(StoreError::Cancelled);
        }
        done += 1;
        if done.is_multiple_of(PROGRESS_EVERY) && !progress(done, total) {
            return Err(StoreError::Cancelled);
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    read?;
    progress(done, total);
    let sums: Vec<(&'static str, TableSum)> = TABLES
        .iter()
        .map(|table| {
            let sum = sums
                .iter()
                .find(|(name, _)| *name == table.name)
                .map_or_else(|| Summer::default().finish(), |(_, s)| s.finish());
            (table.name, sum)
        })
        .collect();
    let mut trailer = Vec::new();
    write_trailer(&mut trailer, &sums)?;
    out.write_all(&trailer)?;
    Ok(Everything {
        tables: sums.iter().map(|(name, s)| (*name, s.rows)).collect(),
    })
}

fn write_header(out: &mut Vec<u8>) -> std::io::Result<()> {
    write!(
        out,
        "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"tables\":{{"
    )?;
    for (i, table) in TABLES.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write!(out, "\"{}\":[", table.name)?;
        for (j, column) in table.columns.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            write!(out, "\"{column}\"")?;
        }
        out.push(b']');
    }
    out.extend_from_slice(b"}}\n");
    Ok(())
}

fn row_line(out: &mut Vec<u8>, table: &Table, cells: &[Cell]) {
    out.extend_from_slice(b"{\"table\":\"");
    out.extend_from_slice(table.name.as_bytes());
    out.push(b'"');
    for (column, cell) in table.columns.iter().zip(cells) {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(column.as_bytes());
        out.extend_from_slice(b"\":");
        match cell {
            Cell::Null => out.extend_from_slice(b"null"),
            Cell::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Cell::Text(text) => {
                // Writing a string into memory cannot fail.
                let _ = serde_json::to_writer(&mut *out, text);
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

fn write_trailer(out: &mut Vec<u8>, sums: &[(&'static str, TableSum)]) -> std::io::Result<()> {
    out.extend_from_slice(b"{\"end\":{");
    for (i, (name, sum)) in sums.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write!(
            out,
            "\"{name}\":{{\"rows\":{},\"xxh3\":\"{:032x}\"}}",
            sum.rows, sum.checksum
        )?;
    }
    out.extend_from_slice(b"}}\n");
    Ok(())
}

/// A file of everything, to be read into an empty database: a
/// [`RowSource`] for [`Store::restore`] and a team server's move.
pub struct EverythingFile {
    path: PathBuf,
    sums: Vec<TableSum>,
}

impl EverythingFile {
    /// Opens `path` and checks its header and trailer: a file that is not
    /// one, written by a Tickets with other tables, or cut short is refused
    /// here with a sentence saying which.
    pub fn open(path: &Path) -> Result<EverythingFile, StoreError> {
        let refuse = |why: String| {
            StoreError::Unsupported(format!(
                "“{}” cannot be read back: {why}; nothing was changed",
                path.display()
            ))
        };
        let mut file = File::open(path)?;
        let mut first = String::new();
        BufReader::new((&mut file).take(1 << 20)).read_line(&mut first)?;
        let header: Value = serde_json::from_str(first.trim_end())
            .map_err(|_| refuse("it is not a file of everything from Tickets".to_owned()))?;
        if header.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(refuse(
                "it is not a file of everything from Tickets".to_owned(),
            ));
        }
        match header.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            other => {
                return Err(refuse(format!(
                    "it was written in layout {}, and this Tickets reads layout {VERSION}",
                    other.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
                )));
            }
        }
        let mut expected = Vec::new();
        write_header(&mut expected)?;
        if first.as_bytes() != expected.as_slice() {
            return Err(refuse(
                "it was written by a Tickets with other tables or columns than this one's"
                    .to_owned(),
            ));
        }
        let trailer = last_line(&mut file)?;
        let end: Value = serde_json::from_str(&trailer)
            .ok()
            .filter(|v: &Value| v.get("end").is_some())
            .ok_or_else(|| refuse("it ends before its last line (it was cut short)".to_owned()))?;
        let mut sums = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let entry = &end["end"][table.name];
            let rows = entry["rows"].as_u64();
            let checksum = entry["xxh3"]
                .as_str()
                .and_then(|h| u128::from_str_radix(h, 16).ok());
            match (rows, checksum) {
                (Some(rows), Some(checksum)) => sums.push(TableSum { rows, checksum }),
                _ => {
                    return Err(refuse(format!(
                        "its last line does not count the table {}",
                        table.name
                    )));
                }
            }
        }
        Ok(EverythingFile {
            path: path.to_path_buf(),
            sums,
        })
    }

    /// How many tickets it holds, as its last line counts them.
    pub fn tickets(&self) -> u64 {
        TABLES
            .iter()
            .zip(&self.sums)
            .find(|(t, _)| t.name == "tickets")
            .map_or(0, |(_, s)| s.rows)
    }

    fn refuse(&self, line: u64, why: &str) -> StoreError {
        StoreError::Unsupported(format!(
            "“{}” cannot be read back: line {line} {why}; nothing was changed",
            self.path.display()
        ))
    }
}

/// The file's last line (without its line break), read from the end.
fn last_line(file: &mut File) -> std::io::Result<String> {
    let length = file.seek(SeekFrom::End(0))?;
    let mut back = 64 * 1024u64;
    loop {
        let start = length.saturating_sub(back);
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        file.take(length - start).read_to_end(&mut tail)?;
        let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
        if let Some(at) = body.iter().rposition(|b| *b == b'\n') {
            return Ok(String::from_utf8_lossy(&body[at + 1..]).into_owned());
        }
        if start == 0 {
            return Ok(String::from_utf8_lossy(body).into_owned());
        }
        back *= 4;
    }
}

impl RowSource for EverythingFile {
    fn transfer_counts(&self) -> Result<Vec<u64>, StoreError> {
        Ok(self.sums.iter().map(|s| s.rows).collect())
    }

    /// Hands over each row as it is read (never the whole file in memory),
    /// checking as it goes that each table's rows come in the header's order
    /// and, at the end, that every table's count and checksum are the
    /// trailer's: a caller writing them in one transaction keeps nothing of
    /// a file that fails.
    fn transfer_rows(&self, row: &mut RowSink<'_>) -> Result<(), StoreError> {
        let mut reader = BufReader::with_capacity(1 << 20, File::open(&self.path)?);
        let mut text = String::new();
        let mut line = 0u64;
        let mut table_at = 0usize;
        let mut sum = Summer::default();
        let mut cells: Vec<Cell> = Vec::new();
        let mut ended = false;
        let check = |at: usize, sum: &Summer, line: u64| -> Result<(), StoreError> {
            let table = &TABLES[at];
            if sum.finish() != self.sums[at] {
                return Err(self.refuse(
                    line,
                    &format!(
                        "ends the table {} with {} rows where the last line counts {} (or with other contents than it sums)",
                        table.name,
                        sum.finish().rows,
                        self.sums[at].rows
                    ),
                ));
            }
            Ok(())
        };
        loop {
            text.clear();
            if reader.read_line(&mut text)? == 0 {
                break;
            }
            line += 1;
            if line == 1 {
                continue;
            }
            if ended {
                return Err(self.refuse(line, "follows the last line"));
            }
            let value: Value = serde_json::from_str(text.trim_end_matches(['\n', '\r']))
                .map_err(|e| self.refuse(line, &format!("is not JSON ({e})")))?;
            if value.get("end").is_some() {
                while table_at < TABLES.len() {
                    check(table_at, &sum, line)?;
                    sum = Summer::default();
                    table_at += 1;
                }
                ended = true;
                continue;
            }
            let Some(name) = value.get("table").and_then(Value::as_str) else {
                return Err(self.refuse(line, "names no table"));
            };
            while table_at < TABLES.len() && TABLES[table_at].name != name {
                check(table_at, &sum, line)?;
                sum = Summer::default();
                table_at += 1;
            }
            let Some(table) = TABLES.get(table_at) else {
                return Err(self.refuse(
                    line,
                    &format!(
                        "holds a row of {name}, a table that is not one of ours or out of order"
                    ),
                ));
            };
            cells.clear();
            for column in table.columns {
                cells.push(match value.get(*column) {
                    Some(Value::Null) => Cell::Null,
                    Some(Value::String(s)) => Cell::Text(s.clone()),
                    Some(Value::Number(n)) => match n.as_i64() {
                        Some(n) => Cell::Int(n),
                        None => {
                            return Err(self.refuse(
                                line,
                                &format!("gives {column} as {n}, which is not a whole number"),
                            ));
                        }
                    },
                    _ => {
                        return Err(self
                            .refuse(line, &format!("gives no value for {}.{column}", table.name)));
                    }
                });
            }
            sum.add(&cells);
            row(table, &cells)?;
        }
        if !ended {
            return Err(self.refuse(line, "is the last, and the file ends before its trailer"));
        }
        Ok(())
    }
}
