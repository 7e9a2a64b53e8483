//! When each agent last opened each ticket (migration 9), and which
//! tickets have changed for them since: the list's unread marks.

use std::rc::Rc;

use rusqlite::params;
use rusqlite::types::Value;

use super::{FileStore, StoreError};
use crate::domain::{AgentId, TicketNumber};

/// The tickets among `?2` with a trail entry by someone other than agent
/// `?1` after the agent last opened them (one they never opened: only if
/// it is assigned to them). An erasure's bookkeeping entry is no news.
pub(crate) const UNREAD_SQL: &str = "SELECT t.id FROM tickets t
     LEFT JOIN ticket_reads r ON r.agent_id = ?1 AND r.ticket_id = t.id
     WHERE t.id IN rarray(?2) AND EXISTS (
         SELECT 1 FROM activity a
         WHERE a.ticket_id = t.id
           AND a.at > coalesce(r.read_at, CASE WHEN EXISTS (
                   SELECT 1 FROM ticket_assignees ta WHERE ta.ticket_id = t.id AND ta.agent_id = ?1)
               THEN -9223372036854775808 ELSE 9223372036854775807 END)
           AND (a.agent_id IS NULL OR a.agent_id <> ?1)
           AND a.kind <> 'customer_erased')
     ORDER BY t.id";

impl FileStore {
    /// Records that `agent` has ticket `ticket` open now.
    pub fn mark_read(&mut self, agent: AgentId, ticket: TicketNumber) -> Result<(), StoreError> {
        self.transact(|tx, now| {
            tx.prepare_cached(
                "INSERT INTO ticket_reads (agent_id, ticket_id, read_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (agent_id, ticket_id) DO UPDATE SET read_at = max(read_at, excluded.read_at)",
            )?
            .execute(params![agent.0, ticket.0, now])?;
            Ok(())
        })
    }

    /// Which of `numbers` changed for `agent` since they last opened them.
    pub fn unread_among(
        &self,
        agent: AgentId,
        numbers: &[TicketNumber],
    ) -> Result<Vec<TicketNumber>, StoreError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        self.reading(|s| {
            let wanted = Rc::new(
                numbers
                    .iter()
                    .map(|n| Value::Integer(n.0))
                    .collect::<Vec<_>>(),
            );
            let mut statement = s.conn().prepare_cached(UNREAD_SQL)?;
            let found = statement
                .query_map(params![agent.0, wanted], |r| r.get::<_, i64>(0))?
                .map(|n| n.map(TicketNumber))
                .collect::<Result<_, _>>()?;
            Ok(found)
        })
    }
}
