//! The team's service-level policy in the file (migration 10).

use std::rc::Rc;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

use super::tickets::agent;
use super::{FileStore, StoreError};
use crate::domain::AgentId;
use crate::domain::sla::SlaPolicy;
use crate::store::sla::{DUE_BATCH, DueInputs, NOTHING_DUE, definition_of, due_of, policy_of};

/// The policy kept in the file, read on `conn`; none kept: no targets.
fn policy_in(conn: &rusqlite::Connection) -> Result<SlaPolicy, StoreError> {
    let definition = conn
        .prepare_cached("SELECT definition FROM sla_policy WHERE id = 1")?
        .query_row([], |r| r.get::<_, String>(0))
        .optional()?;
    policy_of(definition)
}

impl FileStore {
    /// The policy; none kept: no targets.
    pub fn sla_policy(&self) -> Result<SlaPolicy, StoreError> {
        self.reading(|s| policy_in(s.conn()))
    }

    /// Replaces the policy, recording who changed it.
    pub fn set_sla_policy(&mut self, actor: AgentId, policy: &SlaPolicy) -> Result<(), StoreError> {
        let definition = definition_of(policy)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            tx.prepare_cached(
                "INSERT INTO sla_policy (id, definition, updated_by, updated_at)
                 VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET definition = excluded.definition,
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )?
            .execute(params![definition, actor, now])?;
            // Every open ticket's due time is worked out again.
            tx.prepare_cached("UPDATE tickets SET sla_stamp = NULL WHERE status IN (0, 1, 2)")?
                .execute([])?;
            Ok(())
        })
    }
}

/// Tickets settled per call while the policy promises nothing (each a
/// plain UPDATE, a few milliseconds for these).
const NOTHING_DUE_SLICE: usize = 5000;

impl FileStore {
    /// Works out the due time of up to [`DUE_BATCH`] tickets changed since
    /// theirs was (up to [`NOTHING_DUE_SLICE`] while the policy promises
    /// nothing; see [`crate::store::Store::refresh_due`]); returns how many
    /// were settled.
    pub fn refresh_due(&mut self) -> Result<usize, StoreError> {
        self.transact(|tx, now| {
            // The policy in the same transaction as the tickets: one saved
            // meanwhile (marking them all again) is never settled over with
            // the one before.
            let policy = match policy_in(tx) {
                Ok(policy) => policy,
                // A newer Tickets' policy: its due times are left as they are.
                Err(StoreError::Unsupported(_)) => return Ok(0),
                Err(e) => return Err(e),
            };
            // Nothing to work out while the policy promises nothing: a
            // slice at a time all the same, since one statement over a
            // million tickets (after an import) kept its undo pages in
            // memory, 100 MB of them.
            if !policy.has_targets() {
                return Ok(tx
                    .prepare_cached(
                        "UPDATE tickets SET due_at = ?1, due_risk_at = ?1, sla_stamp = updated_at,
                             first_due_at = NULL, first_met = NULL,
                             resolve_due_at = NULL, resolve_met = NULL
                         WHERE id IN (SELECT id FROM tickets WHERE sla_stamp IS NOT updated_at
                                      ORDER BY id LIMIT ?2)",
                    )?
                    .execute(params![NOTHING_DUE, NOTHING_DUE_SLICE as i64])?);
            }
            let mut stale: Vec<DueInputs> = tx
                .prepare_cached(
                    "SELECT id, updated_at, created_at, priority, status, first_reply_at, resolved_at
                     FROM tickets WHERE sla_stamp IS NOT updated_at ORDER BY id LIMIT ?1",
                )?
                .query_map([DUE_BATCH as i64], |r| {
                    Ok(DueInputs {
                        id: r.get(0)?,
                        stamp: r.get(1)?,
                        created: r.get(2)?,
                        priority: r.get(3)?,
                        status: r.get(4)?,
                        first_reply: r.get(5)?,
                        resolved: r.get(6)?,
                        moves: Vec::new(),
                    })
                })?
                .collect::<Result<_, _>>()?;
            if stale.is_empty() {
                return Ok(0);
            }
            let ids = Rc::new(stale.iter().map(|t| Value::Integer(t.id)).collect::<Vec<_>>());
            let mut moves = tx.prepare_cached(
                "SELECT ticket_id, at, id, CAST(old_value AS INTEGER), CAST(new_value AS INTEGER)
                 FROM activity WHERE ticket_id IN rarray(?1) AND kind = 'status'",
            )?;
            let mut rows = moves.query([ids])?;
            while let Some(r) = rows.next()? {
                let ticket: i64 = r.get(0)?;
                if let Some(t) = stale.iter_mut().find(|t| t.id == ticket) {
                    t.moves.push((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?));
                }
            }
            let mut write = tx.prepare_cached(
                "UPDATE tickets SET due_at = ?2, due_risk_at = ?3, sla_stamp = updated_at,
                     first_due_at = ?4, first_met = ?5, resolve_due_at = ?6, resolve_met = ?7
                 WHERE id = ?1",
            )?;
            let now = crate::domain::from_millis(now);
            for t in &stale {
                let c = due_of(&policy, t, now);
                write.execute(params![
                    t.id,
                    c.due,
                    c.risk,
                    c.first.map(|f| f.0),
                    c.first.map(|f| f.1),
                    c.resolution.map(|r| r.0),
                    c.resolution.map(|r| r.1),
                ])?;
            }
            Ok(stale.len())
        })
    }
}
