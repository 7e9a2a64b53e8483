//! Bulk runs on the file (see [`crate::store::batch`]): each ticket in its
//! own immediate transaction, through the same changes as the single calls
//! (`tickets.rs`), its entry marked with the run's batch. And the stamps of
//! a whole list, which a run's selection is made of.

use std::collections::HashMap;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

use super::{FileStore, Sharing, StoreError, tickets};
use crate::domain::validate;
use crate::domain::{
    ActivityKind, AgentId, BulkChange, BulkItem, BulkResult, TicketNumber, from_millis, to_millis,
};
use crate::store::ListRequest;
use crate::store::batch::{BatchEngine, undo_of};

impl BatchEngine for FileStore {
    fn begin_batch(
        &mut self,
        actor: AgentId,
        description: &str,
        size: usize,
        undoes: Option<i64>,
    ) -> Result<i64, StoreError> {
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        let batch = self.transact(|tx, now| {
            tickets::agent(tx, actor)?;
            tx.prepare_cached(
                "INSERT INTO bulk_batches (agent_id, at, description, size, undoes)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![actor, now, description, size, undoes])?;
            Ok(tx.last_insert_rowid())
        })?;
        // The run's tickets commit one by one, each whole, but are made
        // durable together when it ends (`end_batch`): with the write-ahead
        // log, SQLite's NORMAL writes each commit to the log without waiting
        // for the disk, and the batch's closing commit, at FULL again, waits
        // for the log (one file: all the run's commits with it). Waiting for
        // the disk at every ticket made 10,000 changes at 100k tickets take
        // 6.9 s rather than 1.7 s (`bulk_status_10k`, medians). A power cut mid-run may lose the last tickets'
        // changes, each whole (ticket and entry together), never half of
        // one; the run's outcome is handed back only once all is on disk.
        // A rollback journal (a network drive) is not relaxed: there NORMAL
        // can leave the file damaged after a power cut.
        if self.sharing == Sharing::Shared {
            self.conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        }
        Ok(batch)
    }

    fn apply_item(
        &mut self,
        actor: AgentId,
        batch: i64,
        item: &BulkItem,
        _announce: bool,
    ) -> Result<BulkResult, StoreError> {
        // A note's text is checked as `add_note` checks it, before writing.
        let body = match &item.change {
            BulkChange::AddNote(body) => validate::note(body)?,
            _ => String::new(),
        };
        let ticket = item.number;
        self.transact(|tx, now| {
            tickets::agent(tx, actor)?;
            let updated: i64 = tx
                .prepare_cached("SELECT updated_at FROM tickets WHERE id = ?1")?
                .query_row([ticket], |r| r.get(0))
                .optional()?
                .ok_or(StoreError::NoSuchTicket(ticket))?;
            // Stored in ms, as `seen` was read: any change since moved it on.
            if updated != to_millis(item.seen) {
                return Ok(BulkResult::Conflict {
                    updated: from_millis(updated),
                });
            }
            let mut added_tag = None;
            let kind = match &item.change {
                BulkChange::Status(to) => {
                    let st = tickets::state(tx, ticket)?;
                    tickets::status_change(tx, actor, ticket, &st, now, *to)?
                }
                BulkChange::Priority(to) => {
                    let st = tickets::state(tx, ticket)?;
                    tickets::priority_change(tx, ticket, &st, *to)?
                }
                BulkChange::Assign(agent) => tickets::assign_change(tx, ticket, *agent, now)?,
                BulkChange::Unassign(agent) => tickets::unassign_change(tx, ticket, *agent)?,
                BulkChange::AddTag(name) => {
                    let (tag, kind) = tickets::tag_change(tx, ticket, name)?;
                    added_tag = Some(tag.id);
                    kind
                }
                BulkChange::RemoveTag(tag) => tickets::untag_change(tx, ticket, *tag)?,
                BulkChange::AddNote(_) => {
                    let note = tickets::note_change(tx, actor, ticket, &body, now)?;
                    Some(ActivityKind::NoteAdded { note })
                }
                BulkChange::DeleteNote(note) => {
                    let (owner, _, _) = tickets::note_owner(tx, *note)?;
                    if owner != ticket {
                        return Err(note_elsewhere(ticket));
                    }
                    Some(tickets::delete_note_change(tx, *note)?.1)
                }
            };
            let Some(kind) = kind else {
                return Ok(BulkResult::Unchanged);
            };
            tickets::record_change(tx, ticket, now, actor, &kind, Some(batch))?;
            Ok(BulkResult::Changed {
                updated: from_millis(updated.max(now)),
                undo: undo_of(&kind, added_tag)?,
            })
        })
    }

    fn end_batch(&mut self, batch: i64) -> Result<(), StoreError> {
        // Back to waiting for the disk at each commit (see `begin_batch`):
        // the commit below then puts the whole run on disk.
        self.conn.execute_batch("PRAGMA synchronous = FULL")?;
        self.transact(|tx, _| {
            tx.prepare_cached(
                "UPDATE bulk_batches
                 SET size = (SELECT count(*) FROM activity WHERE batch_id = ?1)
                 WHERE id = ?1",
            )?
            .execute([batch])?;
            Ok(())
        })
    }
}

/// Why a note of another ticket is not deleted with this one.
fn note_elsewhere(ticket: TicketNumber) -> StoreError {
    StoreError::NotAllowed(format!("that note is not on {ticket}"))
}

impl FileStore {
    /// Every ticket of a list (`request`'s filter and order, its offset and
    /// limit as [`FileStore::list_numbers`] takes them) with its last
    /// change, in one snapshot: what a bulk run's selection is made of.
    pub fn list_stamps(
        &self,
        request: &ListRequest,
    ) -> Result<Vec<(TicketNumber, DateTime<Utc>)>, StoreError> {
        self.reading(|s| {
            let numbers = self.list_numbers(request)?;
            let ids: rusqlite::vtab::array::Array =
                Rc::new(numbers.iter().map(|n| Value::Integer(n.0)).collect());
            let stamps: HashMap<i64, i64> = s
                .conn()
                .prepare_cached("SELECT id, updated_at FROM tickets WHERE id IN rarray(?1)")?
                .query_map([ids], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok(numbers
                .into_iter()
                .filter_map(|n| stamps.get(&n.0).map(|&at| (n, from_millis(at))))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FixedClock;
    use crate::domain::{NewTicket, Status};
    use crate::store::batch::run;

    fn synchronous(db: &FileStore) -> i64 {
        db.conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap_or_default()
    }

    #[test]
    fn every_commit_waits_for_the_disk_again_however_a_run_ends() {
        let dir = tempfile::tempdir().expect("a folder");
        let clock = Arc::new(FixedClock::new(chrono::DateTime::UNIX_EPOCH));
        let mut db = FileStore::open(dir.path().join("t.db"), clock).expect("open");
        let dana = db.add_agent("Dana", "").expect("an agent");
        let new = NewTicket {
            subject: "Printer jams".into(),
            ..NewTicket::default()
        };
        let ticket = db.create_ticket(dana, &new).expect("a ticket");
        let full = synchronous(&db);
        assert_eq!(full, 2, "FULL");
        let item = |change| BulkItem {
            number: ticket,
            seen: chrono::DateTime::UNIX_EPOCH,
            change,
        };
        let done = run(
            &mut db,
            dana,
            "s",
            None,
            &[item(BulkChange::Status(Status::Waiting))],
            &mut |_, _| true,
        )
        .expect("the run");
        assert_eq!(done.changed(), [ticket]);
        assert_eq!(synchronous(&db), full, "after a run");
        // A run stopped by a failure: the trail refuses to grow.
        db.conn
            .execute_batch(
                "CREATE TRIGGER fail BEFORE INSERT ON activity BEGIN SELECT RAISE(ABORT, 'full'); END;",
            )
            .expect("a trigger");
        let seen = db.load_ticket(ticket).expect("load").updated;
        let failed = run(
            &mut db,
            dana,
            "s",
            None,
            &[BulkItem {
                seen,
                ..item(BulkChange::Status(Status::Closed))
            }],
            &mut |_, _| true,
        );
        assert!(failed.is_err());
        assert_eq!(synchronous(&db), full, "after a failure");
    }
}
