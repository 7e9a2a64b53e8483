//! The team's service-level policy on the server (migration 13): read by
//! every agent, changed by admins only.

use super::desk::ServerStore;
use crate::domain::AgentId;
use crate::domain::sla::SlaPolicy;
use crate::store::StoreError;
use crate::store::sla::{DUE_BATCH, DueColumns, DueInputs, definition_of, due_of, policy_of};

impl ServerStore {
    /// The policy; none kept: no targets.
    pub fn sla_policy(&self) -> Result<SlaPolicy, StoreError> {
        let rows = self.call_rows(
            "SELECT definition FROM tickets.sla_policy WHERE id = 1",
            &[],
        )?;
        policy_of(rows.first().map(|r| r.get(0)))
    }

    /// Replaces the policy, as the signed-in agent, who must be an admin.
    pub fn set_sla_policy(&mut self, actor: AgentId, policy: &SlaPolicy) -> Result<(), StoreError> {
        self.as_me(actor)?;
        let definition = definition_of(policy)?;
        self.call(
            None,
            "SELECT tickets.set_sla_policy($1, $2)::text",
            &[&definition, &self.now()],
        )?;
        Ok(())
    }
}

impl ServerStore {
    /// Works out the due time of up to [`DUE_BATCH`] tickets changed since
    /// theirs was (see [`crate::store::Store::refresh_due`]); returns how
    /// many were settled. Read in one snapshot, written through
    /// `tickets.settle_due`, which skips a ticket changed meanwhile.
    pub fn refresh_due(&mut self) -> Result<usize, StoreError> {
        let policy = match self.sla_policy() {
            Ok(policy) => policy,
            Err(StoreError::Unsupported(_)) => return Ok(0),
            Err(e) => return Err(e),
        };
        if !policy.has_targets() {
            // Nothing to work out while the policy promises nothing.
            let settled: i32 = self
                .call(None, "SELECT tickets.settle_no_due(true)", &[])?
                .get(0);
            return Ok(usize::try_from(settled).unwrap_or_default());
        }
        let limit = DUE_BATCH as i64;
        // Two reads, not one snapshot: a status change between them moves
        // the ticket's updated_at on, so settle_due skips it.
        let tickets = self.call_rows(
            "SELECT id, updated_at, created_at, priority::bigint, status::bigint,
                    first_reply_at, resolved_at
             FROM tickets.tickets WHERE sla_stamp IS DISTINCT FROM updated_at
             ORDER BY id LIMIT $1",
            &[&limit],
        )?;
        if tickets.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = tickets.iter().map(|r| r.get(0)).collect();
        let moves = self.call_rows(
            "SELECT ticket_id, at, id, (old_value #>> '{}')::bigint, (new_value #>> '{}')::bigint
             FROM tickets.activity WHERE ticket_id = ANY($1) AND kind = 'status'",
            &[&ids],
        )?;
        let mut stale: Vec<DueInputs> = tickets
            .iter()
            .map(|r| DueInputs {
                id: r.get(0),
                stamp: r.get(1),
                created: r.get(2),
                priority: r.get(3),
                status: r.get(4),
                first_reply: r.get(5),
                resolved: r.get(6),
                moves: Vec::new(),
            })
            .collect();
        for r in &moves {
            let ticket: i64 = r.get(0);
            if let Some(t) = stale.iter_mut().find(|t| t.id == ticket) {
                t.moves.push((r.get(1), r.get(2), r.get(3), r.get(4)));
            }
        }
        let now = crate::domain::from_millis(self.now());
        let columns: Vec<DueColumns> = stale.iter().map(|t| due_of(&policy, t, now)).collect();
        let dues: Vec<i64> = columns.iter().map(|c| c.due).collect();
        let risks: Vec<i64> = columns.iter().map(|c| c.risk).collect();
        let stamps: Vec<i64> = stale.iter().map(|t| t.stamp).collect();
        let due_at =
            |f: fn(&DueColumns) -> Option<(i64, bool)>| -> (Vec<Option<i64>>, Vec<Option<i16>>) {
                columns
                    .iter()
                    .map(|c| (f(c).map(|t| t.0), f(c).map(|t| i16::from(t.1))))
                    .unzip()
            };
        let (first_dues, first_met) = due_at(|c| c.first);
        let (resolve_dues, resolve_met) = due_at(|c| c.resolution);
        let taken: i32 = self
            .call(
                None,
                "SELECT tickets.settle_due($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &ids,
                    &dues,
                    &risks,
                    &stamps,
                    &first_dues,
                    &first_met,
                    &resolve_dues,
                    &resolve_met,
                ],
            )?
            .get(0);
        Ok(usize::try_from(taken).unwrap_or_default())
    }
}
