//! A desk's file read whole for a move to another engine (see
//! [`crate::store::transfer`]): every table, every row, in key order, in
//! one snapshot.

use rusqlite::types::ValueRef;

use super::{FileStore, StoreError};
use crate::store::transfer::{Cell, RowSink, TABLES};

impl FileStore {
    /// How many rows each table of [`TABLES`] holds, in one snapshot.
    pub fn transfer_counts(&self) -> Result<Vec<u64>, StoreError> {
        self.reading(|s| {
            TABLES
                .iter()
                .map(|table| {
                    let n: i64 = s.conn().query_row(
                        &format!("SELECT count(*) FROM {}", table.name),
                        [],
                        |r| r.get(0),
                    )?;
                    Ok(u64::try_from(n).unwrap_or(0))
                })
                .collect()
        })
    }

    /// Hands every row of every table of [`TABLES`] to `row`, table by table
    /// and in key order, all in one snapshot.
    pub fn transfer_rows(&self, row: &mut RowSink<'_>) -> Result<(), StoreError> {
        self.reading(|s| {
            for table in TABLES {
                let key = table.columns[..table.key].join(", ");
                let mut statement = s.conn().prepare(&format!(
                    "SELECT {} FROM {} ORDER BY {key}",
                    table.columns.join(", "),
                    table.name
                ))?;
                let mut rows = statement.query([])?;
                let mut cells = Vec::with_capacity(table.columns.len());
                while let Some(r) = rows.next()? {
                    cells.clear();
                    for i in 0..table.columns.len() {
                        cells.push(match r.get_ref(i)? {
                            ValueRef::Null => Cell::Null,
                            ValueRef::Integer(n) => Cell::Int(n),
                            ValueRef::Text(t) => {
                                Cell::Text(String::from_utf8_lossy(t).into_owned())
                            }
                            ValueRef::Real(x) => Cell::Text(x.to_string()),
                            ValueRef::Blob(_) => {
                                return Err(StoreError::Damaged {
                                    path: Default::default(),
                                    detail: format!(
                                        "{}.{} holds binary data Tickets never writes",
                                        table.name, table.columns[i]
                                    ),
                                });
                            }
                        });
                    }
                    row(table, &cells)?;
                }
            }
            Ok(())
        })
    }
}
