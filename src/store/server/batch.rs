//! Bulk runs on a team's server (see [`crate::store::batch`]): the team
//! schema's `bulk_begin`, `bulk_item` and `bulk_end` (migration 9), one call
//! per ticket, each its own transaction, through the functions of the
//! single changes. And the stamps of a whole list.

use chrono::{DateTime, Utc};

use super::desk::ServerStore;
use crate::domain::validate;
use crate::domain::{
    AgentId, BulkChange, BulkItem, BulkResult, TagId, TicketNumber, from_millis, to_millis,
};
use crate::store::batch::{BatchEngine, undo_of};
use crate::store::trail::decode;
use crate::store::{ListRequest, StoreError};

impl BatchEngine for ServerStore {
    fn begin_batch(
        &mut self,
        actor: AgentId,
        description: &str,
        size: usize,
        undoes: Option<i64>,
    ) -> Result<i64, StoreError> {
        self.as_me(actor)?;
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        let row = self.call(
            None,
            "SELECT tickets.bulk_begin($1, $2, $3, $4)",
            &[&description, &size, &undoes, &self.now()],
        )?;
        Ok(row.get(0))
    }

    fn apply_item(
        &mut self,
        actor: AgentId,
        batch: i64,
        item: &BulkItem,
        announce: bool,
    ) -> Result<BulkResult, StoreError> {
        self.as_me(actor)?;
        // Texts are checked as the single calls check them, before sending.
        let (change, id, text): (&str, Option<i64>, Option<String>) = match &item.change {
            BulkChange::Status(to) => ("status", Some(to.code()), None),
            BulkChange::Priority(to) => ("priority", Some(to.code()), None),
            BulkChange::Assign(agent) => ("assign", Some(agent.0), None),
            BulkChange::Unassign(agent) => ("unassign", Some(agent.0), None),
            BulkChange::AddTag(name) => ("add_tag", None, Some(validate::tag(name)?)),
            BulkChange::RemoveTag(tag) => ("remove_tag", Some(tag.0), None),
            BulkChange::AddNote(body) => ("add_note", None, Some(validate::note(body)?)),
            BulkChange::DeleteNote(note) => ("delete_note", Some(note.0), None),
        };
        let row = self.call(
            Some(item.number),
            "SELECT result, updated_ms, entry_kind, entry_ref, entry_old, entry_new, added_tag
             FROM tickets.bulk_item($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &batch,
                &item.number.0,
                &to_millis(item.seen),
                &change,
                &id,
                &text,
                &self.now(),
                &announce,
            ],
        )?;
        let result: String = row.get(0);
        Ok(match result.as_str() {
            "conflict" => BulkResult::Conflict {
                updated: from_millis(row.get(1)),
            },
            "unchanged" => BulkResult::Unchanged,
            _ => {
                let value = |i: usize| {
                    row.get::<_, Option<String>>(i)
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or(serde_json::Value::Null)
                };
                let code: String = row.get(2);
                let kind = decode(&code, row.get(3), &value(4), &value(5)).ok_or_else(|| {
                    StoreError::Unsupported(format!(
                        "the server recorded a “{code}” entry this Tickets cannot read"
                    ))
                })?;
                let added_tag = row.get::<_, Option<i64>>(6).map(TagId);
                BulkResult::Changed {
                    updated: from_millis(row.get(1)),
                    undo: undo_of(&kind, added_tag)?,
                }
            }
        })
    }

    fn end_batch(&mut self, batch: i64) -> Result<(), StoreError> {
        self.call(None, "SELECT tickets.bulk_end($1)::text", &[&batch])?;
        // A run of 10,000 status changes adds 20,000 rows and more to the
        // views' tallies: summed now, on the run's own thread, rather than
        // by the window's next count.
        self.fold_tallies();
        Ok(())
    }
}

impl ServerStore {
    /// Every ticket of a list with its last change, in the list's order, in
    /// one snapshot (see `Store::list_stamps`).
    pub fn list_stamps(
        &self,
        request: &ListRequest,
    ) -> Result<Vec<(TicketNumber, DateTime<Utc>)>, StoreError> {
        self.snapshot(|_| {
            let numbers = self.list_numbers(request)?;
            let ids: Vec<i64> = numbers.iter().map(|n| n.0).collect();
            let stamps: std::collections::HashMap<i64, i64> = self
                .call_rows(
                    "SELECT id, updated_at FROM tickets.tickets WHERE id = ANY($1)",
                    &[&ids],
                )?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            Ok(numbers
                .into_iter()
                .filter_map(|n| stamps.get(&n.0).map(|&at| (n, from_millis(at))))
                .collect())
        })
    }
}
