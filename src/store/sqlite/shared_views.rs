//! Views shared with the team, kept in the file (migration 8): listed in
//! their order, shared, changed, swapped and deleted by any agent, each
//! change in one immediate transaction.

use rusqlite::{OptionalExtension, Transaction, params};

use super::tickets::agent;
use super::{FileStore, StoreError};
use crate::domain::{AgentId, validate};
use crate::store::views::{Checked, SavedView, SharedView, checked, shared_view_of};

/// Refuses `name` where another shared view than `except` has it, ignoring case.
fn refuse_taken(tx: &Transaction<'_>, view: &Checked, except: i64) -> Result<(), StoreError> {
    let holder: Option<String> = tx
        .prepare_cached("SELECT name FROM shared_views WHERE name_key = ?1 AND id <> ?2")?
        .query_row(params![view.key, except], |r| r.get(0))
        .optional()?;
    match holder {
        Some(holder) => Err(validate::view_name_taken(&view.name, &holder).into()),
        None => Ok(()),
    }
}

/// A view deleted (or never shared).
fn gone(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "shared view",
        id,
    }
}

/// The place of shared view `id`.
fn position(tx: &Transaction<'_>, id: i64) -> Result<i64, StoreError> {
    tx.prepare_cached("SELECT position FROM shared_views WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| gone(id))
}

impl FileStore {
    /// Every shared view, in order. A view whose definition this version
    /// cannot read is listed with a note ([`SharedView::unreadable`]).
    pub fn shared_views(&self) -> Result<Vec<SharedView>, StoreError> {
        self.reading(|s| {
            let mut statement = s.conn().prepare_cached(
                "SELECT id, position, name, definition, shared_by
                 FROM shared_views ORDER BY position, id",
            )?;
            let rows = statement.query_map([], |r| {
                Ok(shared_view_of(
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    &r.get::<_, String>(3)?,
                    r.get::<_, Option<i64>>(4)?.map(AgentId),
                ))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Shares `view` with the team as `actor`, after the others. Returns its id.
    pub fn share_view(&mut self, actor: AgentId, view: &SavedView) -> Result<i64, StoreError> {
        let view = checked(view)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            refuse_taken(tx, &view, 0)?;
            tx.prepare_cached(
                "INSERT INTO shared_views
                     (name, name_key, definition, position, shared_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), 0) + 1 FROM shared_views),
                         ?4, ?5, ?5)",
            )?
            .execute(params![view.name, view.key, view.definition, actor, now])?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Renames shared view `id` and replaces its filter and sort with
    /// `view`'s (`actor` may be anyone on the desk).
    pub fn update_shared_view(
        &mut self,
        actor: AgentId,
        id: i64,
        view: &SavedView,
    ) -> Result<(), StoreError> {
        let view = checked(view)?;
        self.change_view(actor, id, &view, true)
    }

    /// Renames shared view `id`, keeping its filter and sort as they are
    /// (one a newer Tickets saved among them).
    pub fn rename_shared_view(
        &mut self,
        actor: AgentId,
        id: i64,
        name: &str,
    ) -> Result<(), StoreError> {
        let view = checked(&SavedView {
            name: name.to_owned(),
            filter: Default::default(),
            sort: Default::default(),
        })?;
        self.change_view(actor, id, &view, false)
    }

    fn change_view(
        &mut self,
        actor: AgentId,
        id: i64,
        view: &Checked,
        definition: bool,
    ) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            position(tx, id)?;
            refuse_taken(tx, view, id)?;
            tx.prepare_cached(
                "UPDATE shared_views
                 SET name = ?2, name_key = ?3, definition = CASE WHEN ?4 THEN ?5 ELSE definition END,
                     updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                view.name,
                view.key,
                definition,
                view.definition,
                now
            ])?;
            Ok(())
        })
    }

    /// Deletes shared view `id`.
    pub fn delete_shared_view(&mut self, actor: AgentId, id: i64) -> Result<(), StoreError> {
        self.transact(|tx, _| {
            agent(tx, actor)?;
            let deleted = tx
                .prepare_cached("DELETE FROM shared_views WHERE id = ?1")?
                .execute([id])?;
            if deleted == 0 {
                return Err(gone(id));
            }
            Ok(())
        })
    }

    /// Exchanges the places of shared views `a` and `b`, in one transaction.
    pub fn swap_shared_views(&mut self, actor: AgentId, a: i64, b: i64) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            agent(tx, actor)?;
            let (at_a, at_b) = (position(tx, a)?, position(tx, b)?);
            let mut update = tx.prepare_cached(
                "UPDATE shared_views SET position = ?2, updated_at = ?3 WHERE id = ?1",
            )?;
            update.execute(params![a, at_b, now])?;
            update.execute(params![b, at_a, now])?;
            Ok(())
        })
    }
}
