//! The team's canned replies, kept in the file (migration 12): listed by
//! title, added, changed and deleted by any agent, and used on a ticket,
//! each in one immediate transaction.

use rusqlite::{OptionalExtension, Transaction, params};

use super::tickets::{
    agent, message_change, note_change, record_change, state_at_version, status_change, tag_change,
};
use super::{FileStore, Snapshot, StoreError};
use crate::analytics::{CannedUse, Period, canned::ordered};
use crate::domain::canned::{CannedReply, CheckedCanned, Written, checked, tags_from_text};
use crate::domain::{ActivityKind, AgentId, Direction, Status, TicketNumber, to_millis, validate};

/// A reply deleted (or never kept).
pub(crate) fn canned_gone(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "canned reply",
        id,
    }
}

/// Refuses `reply`'s title where another reply than `except` has it, ignoring case.
fn refuse_taken(
    tx: &Transaction<'_>,
    reply: &CheckedCanned,
    except: i64,
) -> Result<(), StoreError> {
    let holder: Option<String> = tx
        .prepare_cached("SELECT title FROM canned_replies WHERE title_key = ?1 AND id <> ?2")?
        .query_row(params![reply.title_key, except], |r| r.get(0))
        .optional()?;
    match holder {
        Some(holder) => Err(validate::canned_title_taken(&reply.title, &holder).into()),
        None => Ok(()),
    }
}

/// Reads one reply's row.
fn reply_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<CannedReply> {
    Ok(CannedReply {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        tags: tags_from_text(&r.get::<_, String>(3)?),
        status: r.get::<_, Option<i64>>(4)?.and_then(Status::from_code),
    })
}

impl Snapshot<'_> {
    /// How often each canned reply was used in `period`.
    pub fn canned_usage(&self, period: &Period) -> Result<Vec<CannedUse>, StoreError> {
        let mut statement = self.conn().prepare_cached(
            // With max(a.at), SQLite reads the bare new_value from that row:
            // the title the reply had at its last use in the period.
            "SELECT a.ref_id, c.title, a.new_value, count(*), max(a.at)
             FROM activity a LEFT JOIN canned_replies c ON c.id = a.ref_id
             WHERE a.kind = 'canned' AND a.at >= ?1 AND a.at < ?2
             GROUP BY a.ref_id",
        )?;
        let rows = statement.query_map(
            params![to_millis(period.start), to_millis(period.end)],
            |r| {
                let now: Option<String> = r.get(1)?;
                Ok(CannedUse {
                    id: r.get(0)?,
                    in_library: now.is_some(),
                    title: now.or(r.get(2)?).unwrap_or_default(),
                    uses: r.get::<_, i64>(3)?.try_into().unwrap_or_default(),
                })
            },
        )?;
        Ok(ordered(rows.collect::<Result<_, _>>()?))
    }
}

impl FileStore {
    /// Every canned reply, by title.
    pub fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError> {
        self.reading(|s| {
            let mut statement = s.conn().prepare_cached(
                "SELECT id, title, body, tags, status FROM canned_replies ORDER BY title_key, id",
            )?;
            let rows = statement.query_map([], reply_of)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// How often each canned reply was used in `period`.
    pub fn canned_usage(&self, period: &Period) -> Result<Vec<CannedUse>, StoreError> {
        self.reading(|s| s.canned_usage(period))
    }

    /// Adds `reply` to the library as `actor`; returns its id.
    pub fn add_canned_reply(
        &mut self,
        actor: AgentId,
        reply: &CannedReply,
    ) -> Result<i64, StoreError> {
        let reply = checked(reply)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            refuse_taken(tx, &reply, 0)?;
            tx.prepare_cached(
                "INSERT INTO canned_replies
                     (title, title_key, body, tags, status, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            )?
            .execute(params![
                reply.title,
                reply.title_key,
                reply.body,
                reply.tags_text(),
                reply.status,
                actor,
                now
            ])?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Replaces canned reply `id` with `reply`.
    pub fn update_canned_reply(
        &mut self,
        actor: AgentId,
        id: i64,
        reply: &CannedReply,
    ) -> Result<(), StoreError> {
        let reply = checked(reply)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            refuse_taken(tx, &reply, id)?;
            let changed = tx
                .prepare_cached(
                    "UPDATE canned_replies
                     SET title = ?2, title_key = ?3, body = ?4, tags = ?5, status = ?6,
                         updated_at = ?7
                     WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    reply.title,
                    reply.title_key,
                    reply.body,
                    reply.tags_text(),
                    reply.status,
                    now
                ])?;
            if changed == 0 {
                return Err(canned_gone(id));
            }
            Ok(())
        })
    }

    /// Deletes canned reply `id`; the trail keeps its uses, by title.
    pub fn delete_canned_reply(&mut self, actor: AgentId, id: i64) -> Result<(), StoreError> {
        self.transact(|tx, _| {
            agent(tx, actor)?;
            let deleted = tx
                .prepare_cached("DELETE FROM canned_replies WHERE id = ?1")?
                .execute([id])?;
            if deleted == 0 {
                return Err(canned_gone(id));
            }
            Ok(())
        })
    }

    /// Sends `written` (a reply or a note) on `ticket` as `actor`, records
    /// that it used canned reply `canned` and, where `apply`, sets the
    /// reply's status and adds its tags, each with its entry as the single
    /// changes make them: all in one transaction, refused whole as a
    /// conflict if the ticket is no longer at `expected_version`.
    pub fn use_canned_reply(
        &mut self,
        actor: AgentId,
        ticket: TicketNumber,
        expected_version: i64,
        canned: i64,
        apply: bool,
        written: &Written,
    ) -> Result<(), StoreError> {
        let text = written.checked()?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            let st = state_at_version(tx, ticket, expected_version)?;
            let reply = tx
                .prepare_cached(
                    "SELECT id, title, body, tags, status FROM canned_replies WHERE id = ?1",
                )?
                .query_row([canned], reply_of)
                .optional()?
                .ok_or_else(|| canned_gone(canned))?;
            let sent = if written.is_note() {
                let note = note_change(tx, actor, ticket, &text, now)?;
                ActivityKind::NoteAdded { note }
            } else {
                message_change(tx, actor, ticket, Direction::Outbound, &text, now)?.1
            };
            record_change(tx, ticket, now, actor, &sent, None)?;
            let used = ActivityKind::CannedUsed {
                canned,
                title: reply.title.clone(),
            };
            record_change(tx, ticket, now, actor, &used, None)?;
            if !apply {
                return Ok(());
            }
            if let Some(to) = reply.status
                && let Some(kind) = status_change(tx, actor, ticket, &st, now, to)?
            {
                record_change(tx, ticket, now, actor, &kind, None)?;
            }
            for tag in &reply.tags {
                if let (_, Some(kind)) = tag_change(tx, ticket, tag)? {
                    record_change(tx, ticket, now, actor, &kind, None)?;
                }
            }
            Ok(())
        })
    }
}
