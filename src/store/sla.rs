//! The team's service-level policy as both engines keep it: one row of
//! JSON (file migration 10, team migration 13).

use super::StoreError;
use crate::domain::sla::{SlaPolicy, check};
use crate::domain::validate::ValidationError;

/// The field a refused policy names.
pub const FIELD: &str = "Service levels";

/// The policy as kept, checked first: a refused one is
/// [`StoreError::Invalid`] in a sentence.
pub fn definition_of(policy: &SlaPolicy) -> Result<String, StoreError> {
    check(policy).map_err(|problem| {
        StoreError::Invalid(ValidationError {
            field: FIELD,
            problem,
        })
    })?;
    serde_json::to_string(policy).map_err(|e| StoreError::Unsupported(e.to_string()))
}

/// The policy kept as `definition`; none kept: no targets.
pub fn policy_of(definition: Option<String>) -> Result<SlaPolicy, StoreError> {
    match definition {
        None => Ok(SlaPolicy::default()),
        Some(text) => serde_json::from_str(&text).map_err(|_| {
            StoreError::Unsupported(
                "the service levels were saved by a newer version of Tickets; use that version to change them"
                    .to_owned(),
            )
        }),
    }
}
