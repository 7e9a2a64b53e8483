//! The team's service-level policy in the file (migration 10).

use rusqlite::OptionalExtension;

use super::tickets::agent;
use super::{FileStore, StoreError};
use crate::domain::AgentId;
use crate::domain::sla::SlaPolicy;
use crate::store::sla::{definition_of, policy_of};

impl FileStore {
    /// The policy; none kept: no targets.
    pub fn sla_policy(&self) -> Result<SlaPolicy, StoreError> {
        let definition = self.reading(|s| {
            Ok(s.conn()
                .prepare_cached("SELECT definition FROM sla_policy WHERE id = 1")?
                .query_row([], |r| r.get::<_, String>(0))
                .optional()?)
        })?;
        policy_of(definition)
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
            .execute(rusqlite::params![definition, actor, now])?;
            Ok(())
        })
    }
}
