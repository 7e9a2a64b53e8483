//! Writing and reading the activity trail.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::StoreError;
use crate::domain::{
    ActivityEntry, ActivityKind, AgentId, BulkMark, Direction, Priority, Status, TicketNumber,
    from_millis,
};
use crate::store::trail::{Plain, StoredValue, decode};

/// How one kind is stored: its code, the id it refers to, and its before/after values.
struct Encoded {
    code: &'static str,
    ref_id: Option<i64>,
    old: Value,
    new: Value,
}

fn encode(kind: &ActivityKind) -> Encoded {
    let value = |v: Plain| match v {
        Plain::Null => Value::Null,
        Plain::Int(i) => Value::Integer(i),
        Plain::Text(t) => Value::Text(t),
    };
    let (code, ref_id, old, new) = crate::store::trail::encode(kind);
    Encoded {
        code,
        ref_id,
        old: value(old),
        new: value(new),
    }
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        _ => None,
    }
}

impl StoredValue for Value {
    fn int(&self) -> Option<i64> {
        as_int(self)
    }

    fn text(&self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// Appends one entry to a ticket's trail.
pub(crate) fn record(
    conn: &Connection,
    ticket: TicketNumber,
    at: i64,
    actor: AgentId,
    kind: &ActivityKind,
) -> Result<(), StoreError> {
    record_in_batch(conn, ticket, at, actor, kind, None)
}

/// Appends one entry to a ticket's trail, marked as part of bulk run
/// `batch` where one made it.
pub(crate) fn record_in_batch(
    conn: &Connection,
    ticket: TicketNumber,
    at: i64,
    actor: AgentId,
    kind: &ActivityKind,
    batch: Option<i64>,
) -> Result<(), StoreError> {
    // An erasure is bookkeeping, not an agent event (docs/METRICS.md): stored
    // without an agent, it moves nobody's handled tickets. The kind keeps who.
    let actor = (!matches!(kind, ActivityKind::CustomerErased { .. })).then_some(actor);
    insert(conn, ticket, at, actor, kind, batch)
}

/// The one INSERT every trail entry goes through.
fn insert(
    conn: &Connection,
    ticket: TicketNumber,
    at: i64,
    agent: Option<AgentId>,
    kind: &ActivityKind,
    batch: Option<i64>,
) -> Result<(), StoreError> {
    insert_one(conn, &Pending::new(ticket, at, agent, kind, batch))
}

/// A trail entry not written yet (an import keeps its batch's and writes
/// them together: [`insert_all`]).
pub(crate) struct Pending {
    ticket: TicketNumber,
    at: i64,
    agent: Option<AgentId>,
    e: Encoded,
    batch: Option<i64>,
}

impl Pending {
    pub(crate) fn new(
        ticket: TicketNumber,
        at: i64,
        agent: Option<AgentId>,
        kind: &ActivityKind,
        batch: Option<i64>,
    ) -> Pending {
        Pending {
            ticket,
            at,
            agent,
            e: encode(kind),
            batch,
        }
    }
}

/// Rows one statement of [`insert_all`] writes, at most: SQLite runs one
/// statement of many rows with its cursors open throughout, where one a
/// row opens and closes them every time (an import's trail took a
/// quarter of its time so).
const ROWS_A_STATEMENT: usize = 64;

/// Writes `entries` in their order (so ids follow it), emptying it.
pub(crate) fn insert_all(conn: &Connection, entries: &mut Vec<Pending>) -> Result<(), StoreError> {
    let mut chunks = entries.chunks_exact(ROWS_A_STATEMENT);
    if chunks.len() > 0 {
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; ROWS_A_STATEMENT].join(", ");
        let many = format!("{INSERT_ENTRY} VALUES {values}");
        for chunk in &mut chunks {
            conn.prepare_cached(&many)?
                .execute(rusqlite::params_from_iter(
                    chunk.iter().flat_map(row_params),
                ))?;
        }
    }
    // The rest row by row: one more statement kept, not one per count.
    for entry in chunks.remainder() {
        insert_one(conn, entry)?;
    }
    entries.clear();
    Ok(())
}

/// The trail's INSERT, before its VALUES.
macro_rules! insert_entry {
    () => {
        "INSERT INTO activity (ticket_id, at, agent_id, kind, ref_id, old_value, new_value, batch_id)"
    };
}
const INSERT_ENTRY: &str = insert_entry!();
/// The trail's INSERT of one entry.
const INSERT_ONE: &str = concat!(insert_entry!(), " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

/// Writes one entry.
fn insert_one(conn: &Connection, entry: &Pending) -> Result<(), StoreError> {
    conn.prepare_cached(INSERT_ONE)?
        .execute(rusqlite::params_from_iter(row_params(entry)))?;
    Ok(())
}

fn row_params(p: &Pending) -> [&dyn rusqlite::ToSql; 8] {
    [
        &p.ticket,
        &p.at,
        &p.agent,
        &p.e.code,
        &p.e.ref_id,
        &p.e.old,
        &p.e.new,
        &p.batch,
    ]
}

/// A ticket's trail, newest first.
pub(crate) fn load(
    conn: &Connection,
    ticket: TicketNumber,
) -> Result<Vec<ActivityEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.at, a.agent_id, coalesce(g.name, ''), a.kind, a.ref_id, a.old_value, a.new_value,
                a.batch_id, b.size, b.undoes
         FROM activity a LEFT JOIN agents g ON g.id = a.agent_id
         LEFT JOIN bulk_batches b ON b.id = a.batch_id
         WHERE a.ticket_id = ?1 ORDER BY a.at DESC, a.id DESC",
    )?;
    let rows = stmt.query_map([ticket], row_to_entry)?;
    let mut entries = Vec::new();
    for row in rows {
        // An entry this version cannot read (written by a newer one) is skipped, not fatal.
        if let Some(entry) = row? {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// A status, priority or direction code in an entry of a kind this version
/// knows must be one it knows: anything else is damage, not a newer kind.
fn check_codes(kind: &str, old: &Value, new: &Value) -> Result<(), super::codec::UnknownCode> {
    let check = |v: &Value, what, known: fn(i64) -> bool| match as_int(v) {
        Some(code) if !known(code) => Err(super::codec::UnknownCode { what, code }),
        _ => Ok(()),
    };
    match kind {
        "status" => {
            check(old, "status", |c| Status::from_code(c).is_some())?;
            check(new, "status", |c| Status::from_code(c).is_some())
        }
        "priority" => {
            check(old, "priority", |c| Priority::from_code(c).is_some())?;
            check(new, "priority", |c| Priority::from_code(c).is_some())
        }
        "message" => check(new, "message direction", |c| {
            Direction::from_code(c).is_some()
        }),
        _ => Ok(()),
    }
}

fn row_to_entry(row: &Row<'_>) -> rusqlite::Result<Option<ActivityEntry>> {
    let code: String = row.get(4)?;
    let old: Value = row.get(6)?;
    let new: Value = row.get(7)?;
    check_codes(&code, &old, &new).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Integer, Box::new(e))
    })?;
    Ok(
        decode(&code, row.get(5)?, &old, &new).map(|kind| ActivityEntry {
            id: row.get(0).unwrap_or_default(),
            at: from_millis(row.get(1).unwrap_or_default()),
            actor: row.get::<_, Option<AgentId>>(2).unwrap_or_default(),
            actor_name: row.get(3).unwrap_or_default(),
            kind,
            bulk: row
                .get::<_, Option<i64>>(8)
                .unwrap_or_default()
                .map(|batch| BulkMark {
                    batch,
                    size: row
                        .get::<_, Option<i64>>(9)
                        .unwrap_or_default()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or_default(),
                    undoes: row.get(10).unwrap_or_default(),
                }),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LinkKind, MessageId, NoteId};

    #[test]
    fn every_kind_round_trips() {
        let kinds = vec![
            ActivityKind::Created,
            ActivityKind::StatusChanged {
                from: Status::Open,
                to: Status::Closed,
            },
            ActivityKind::PriorityChanged {
                from: Priority::Low,
                to: Priority::Urgent,
            },
            ActivityKind::SubjectEdited {
                from: "a".into(),
                to: "b".into(),
            },
            ActivityKind::DescriptionEdited,
            ActivityKind::CustomerChanged {
                from: None,
                to: Some("Ann".into()),
            },
            ActivityKind::CustomerChanged {
                from: Some("Ann".into()),
                to: None,
            },
            ActivityKind::AgentAssigned {
                agent: AgentId(3),
                name: "Dana".into(),
            },
            ActivityKind::AgentUnassigned {
                agent: AgentId(3),
                name: "Dana".into(),
            },
            ActivityKind::TagAdded { tag: "vip".into() },
            ActivityKind::TagRemoved { tag: "vip".into() },
            ActivityKind::NoteAdded { note: NoteId(4) },
            ActivityKind::NoteEdited { note: NoteId(4) },
            ActivityKind::NoteDeleted {
                note: NoteId(4),
                text: "gone".into(),
            },
            ActivityKind::MessageAttached {
                message: MessageId(9),
                direction: Direction::Outbound,
            },
            ActivityKind::CsatRecorded {
                rating: 4,
                previous: Some(2),
            },
            ActivityKind::CsatRecorded {
                rating: 5,
                previous: None,
            },
            ActivityKind::CustomerErased {
                by: AgentId(3),
                name: "Dana".into(),
            },
            ActivityKind::CannedUsed {
                canned: 5,
                title: "Refund “sent” 🎉".into(),
            },
            ActivityKind::MergedInto {
                into: TicketNumber(7),
            },
            ActivityKind::MergedFrom {
                from: TicketNumber(8),
            },
            ActivityKind::Linked {
                other: TicketNumber(2),
                kind: LinkKind::Duplicate,
                outgoing: false,
            },
            ActivityKind::Unlinked {
                other: TicketNumber(2),
                kind: LinkKind::Related,
                outgoing: true,
            },
        ];
        for kind in kinds {
            let e = encode(&kind);
            assert_eq!(decode(e.code, e.ref_id, &e.old, &e.new), Some(kind));
        }
    }
}
