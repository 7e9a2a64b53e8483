//! How the domain's plain values are stored in SQLite: ids as integers, and
//! statuses, priorities and message directions as small codes. A code the
//! file holds that Tickets does not know is damage, never a silent default.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::{
    AgentId, CustomerId, Direction, MessageId, NoteId, Priority, Status, TagId, TicketNumber,
};
use crate::store::SortValue;

/// Ids are stored as their integer.
macro_rules! integer_id {
    ($($id:ident),*) => {$(
        impl ToSql for $id {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl FromSql for $id {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($id)
            }
        }
    )*};
}

integer_id!(AgentId, CustomerId, TagId, NoteId, MessageId, TicketNumber);

/// A stored code that names no value Tickets knows.
#[derive(Debug, thiserror::Error)]
#[error("the file holds {what} code {code}, which Tickets does not know")]
pub struct UnknownCode {
    /// "status", "priority", "message direction".
    pub what: &'static str,
    /// The code found.
    pub code: i64,
}

/// Reads a code as a value, or as damage.
fn decode<T>(
    value: ValueRef<'_>,
    what: &'static str,
    from: fn(i64) -> Option<T>,
) -> FromSqlResult<T> {
    let code = i64::column_result(value)?;
    from(code).ok_or_else(|| FromSqlError::Other(Box::new(UnknownCode { what, code })))
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        decode(value, "status", Status::from_code)
    }
}

impl FromSql for Priority {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        decode(value, "priority", Priority::from_code)
    }
}

impl FromSql for Direction {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        decode(value, "message direction", Direction::from_code)
    }
}

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.code()))
    }
}

impl ToSql for Priority {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.code()))
    }
}

impl ToSql for Direction {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.code()))
    }
}

/// A sort key's value is stored as what the column holds.
impl ToSql for SortValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            SortValue::None => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            SortValue::Number(n) => ToSqlOutput::from(*n),
            SortValue::Text(text) => ToSqlOutput::from(text.as_str()),
        })
    }
}

impl FromSql for SortValue {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Null => Ok(SortValue::None),
            ValueRef::Integer(n) => Ok(SortValue::Number(n)),
            ValueRef::Text(_) => String::column_result(value).map(SortValue::Text),
            ValueRef::Real(_) | ValueRef::Blob(_) => Err(FromSqlError::InvalidType),
        }
    }
}
