//! The team's service-level policy as both engines keep it: one row of
//! JSON (file migration 10, team migration 13).

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::sla::{
    SlaPolicy, SlaTicket, StatusMove, TargetState, check, evaluate, next_due, waiting_spans,
};
use crate::domain::validate::ValidationError;
use crate::domain::{Priority, Status, from_millis};

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

/// Nothing due, as both engines keep it in `due_at`: the largest number, so
/// the soonest sort first and "nothing due" last.
pub const NOTHING_DUE: i64 = i64::MAX;

/// A ticket's `due_at` (or `due_risk_at`) as a moment; `None` for
/// [`NOTHING_DUE`].
pub fn due_of_column(due_at: i64) -> Option<DateTime<Utc>> {
    (due_at != NOTHING_DUE).then(|| from_millis(due_at))
}

/// The tickets worked out per call of `refresh_due` at most: one
/// transaction of a few milliseconds, so a change waits for none.
pub const DUE_BATCH: usize = 200;

/// What a ticket's due time is worked out from, as read from the store.
pub struct DueInputs {
    /// Its number.
    pub id: i64,
    /// Its `updated_at` when read: the due time is taken only if the
    /// ticket has not changed since.
    pub stamp: i64,
    /// Its moments and its status and priority codes.
    pub created: i64,
    /// See [`DueInputs::created`].
    pub priority: i64,
    /// See [`DueInputs::created`].
    pub status: i64,
    /// See [`DueInputs::created`].
    pub first_reply: Option<i64>,
    /// See [`DueInputs::created`].
    pub resolved: Option<i64>,
    /// Its status changes: (at, entry id, from code, to code).
    pub moves: Vec<(i64, i64, i64, i64)>,
}

/// What the store keeps of a ticket's targets (ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueColumns {
    /// When its next unmet target falls due, or [`NOTHING_DUE`].
    pub due: i64,
    /// From when that one is at risk, or [`NOTHING_DUE`].
    pub risk: i64,
    /// The first-reply target's due moment and whether it was met by then;
    /// `None` without such a target.
    pub first: Option<(i64, bool)>,
    /// The resolution target's, the same way; also `None` while its clock
    /// is paused in Waiting (its moment is not known yet).
    pub resolution: Option<(i64, bool)>,
}

impl DueColumns {
    /// Nothing due and no targets.
    pub const NONE: DueColumns = DueColumns {
        due: NOTHING_DUE,
        risk: NOTHING_DUE,
        first: None,
        resolution: None,
    };
}

/// Where a target stands as the analytics keep it: its due moment and
/// whether it was met by then.
fn kept(state: Option<TargetState>) -> Option<(i64, bool)> {
    let state = state?;
    let met = matches!(state, TargetState::Met { .. });
    state.due().map(|due| (due.timestamp_millis(), met))
}

/// The ticket's targets under `policy` as of `now`: when the next unmet one
/// falls due and from when it is at risk, and each target's due moment and
/// whether it was met.
pub fn due_of(policy: &SlaPolicy, inputs: &DueInputs, now: DateTime<Utc>) -> DueColumns {
    let (Some(priority), Some(status)) = (
        Priority::from_code(inputs.priority),
        Status::from_code(inputs.status),
    ) else {
        return DueColumns::NONE;
    };
    let moves = inputs
        .moves
        .iter()
        .filter_map(|&(at, entry, from, to)| {
            Some(StatusMove {
                at: from_millis(at),
                entry,
                from: Status::from_code(from)?,
                to: Status::from_code(to)?,
            })
        })
        .collect();
    let resolved_like = matches!(status, Status::Resolved | Status::Closed);
    let ticket = SlaTicket {
        created: from_millis(inputs.created),
        priority,
        status,
        first_reply: inputs.first_reply.map(from_millis),
        resolved: inputs.resolved.filter(|_| resolved_like).map(from_millis),
        waiting: waiting_spans(moves),
    };
    // A resolved or closed ticket has nothing due, replied to or not.
    let (due, risk) = next_due(policy, &ticket)
        .filter(|_| !resolved_like)
        .map_or((NOTHING_DUE, NOTHING_DUE), |(due, risk)| {
            (due.timestamp_millis(), risk.timestamp_millis())
        });
    let targets = evaluate(policy, &ticket, now);
    DueColumns {
        due,
        risk,
        first: kept(targets.first_reply),
        resolution: kept(targets.resolution),
    }
}
