//! The team's service-level policy on the server (migration 13): read by
//! every agent, changed by admins only.

use super::desk::ServerStore;
use crate::domain::AgentId;
use crate::domain::sla::SlaPolicy;
use crate::store::StoreError;
use crate::store::sla::{definition_of, policy_of};

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
