//! Bulk runs ([`crate::store::Store::bulk_apply`]): the part both engines
//! share. (Not the sample-data loader, which is `bulk.rs`.)
//!
//! A run is a *batch*: a row saying who ran it, when, what it was and how
//! many tickets it changed, which each of its activity entries points to.
//! The batch is made first, in a transaction of its own; then each ticket
//! is changed in its own transaction by the engine, through the same code
//! its single change uses, only if it is still as the agent saw it; then
//! the batch is closed (its size set to the tickets it changed; a server
//! announces the run to the other desks; a file puts the run on disk). What committed stays committed
//! however the run ends: cancelled, or stopped by a failure
//! ([`BulkFailed`] carries what was done by then).

use crate::domain::{ActivityKind, AgentId, BulkChange, BulkItem, BulkOutcome, BulkResult, TagId};
use crate::store::StoreError;

/// What an engine does for a run.
pub(crate) trait BatchEngine {
    /// Makes the batch (in a transaction of its own) and returns its id:
    /// `size` tickets asked of it, undoing batch `undoes` if it is an undo.
    fn begin_batch(
        &mut self,
        actor: AgentId,
        description: &str,
        size: usize,
        undoes: Option<i64>,
    ) -> Result<i64, StoreError>;

    /// Changes one ticket in its own transaction, marking its entry with
    /// `batch`. An error the single change would refuse with (see
    /// [`refusal`]) leaves the ticket as it was and is reported for it; any
    /// other stops the run. `announce`: on a server, tell the other desks
    /// with this commit (the engine announces only when asked).
    fn apply_item(
        &mut self,
        actor: AgentId,
        batch: i64,
        item: &BulkItem,
        announce: bool,
    ) -> Result<BulkResult, StoreError>;

    /// Closes the batch: its size becomes the tickets it changed, a server
    /// announces what it has not yet, a file makes the run durable. Called
    /// however the run ends, once it began.
    fn end_batch(&mut self, batch: i64) -> Result<(), StoreError>;
}

/// A bulk run stopped by a failure (the disk full, the server gone): the
/// error, and what was done before it, which stays done.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct BulkFailed {
    /// Why it stopped.
    #[source]
    pub error: StoreError,
    /// What it did before: the tickets changed so far are committed, and
    /// [`BulkOutcome::undo_items`] still undoes them. The ticket being
    /// changed when a server's connection was lost is not listed: it may or
    /// may not have been changed (its trail says which).
    pub outcome: BulkOutcome,
}

impl From<BulkFailed> for StoreError {
    fn from(failed: BulkFailed) -> StoreError {
        failed.error
    }
}

/// The sentence a ticket's change is refused with, where the error is the
/// ticket's own (the single change would refuse it the same way) rather
/// than the store's (a full disk, a lost server), which stops the run.
pub(crate) fn refusal(error: &StoreError) -> Option<String> {
    match error {
        StoreError::NoSuchTicket(_)
        | StoreError::NotFound { .. }
        | StoreError::NotAllowed(_)
        | StoreError::Invalid(_)
        | StoreError::Conflict { .. }
        | StoreError::NoteConflict => Some(error.to_string()),
        _ => None,
    }
}

/// The change undoing an entry a bulk run just wrote (`added_tag`: the tag,
/// for a tag added).
pub(crate) fn undo_of(
    kind: &ActivityKind,
    added_tag: Option<TagId>,
) -> Result<BulkChange, StoreError> {
    BulkChange::undoing(kind, added_tag)
        .ok_or_else(|| StoreError::Unsupported(format!("a bulk run cannot undo “{kind:?}”")))
}

/// How often a server's run tells the other desks, at most: each of them
/// reads the list again once per announcement it hears, and a run commits
/// a ticket every millisecond or so.
const ANNOUNCE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs `items` on `engine` as batch `description` (see the module's head).
pub(crate) fn run(
    engine: &mut impl BatchEngine,
    actor: AgentId,
    description: &str,
    undoes: Option<i64>,
    items: &[BulkItem],
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<BulkOutcome, BulkFailed> {
    let mut outcome = BulkOutcome {
        asked: items.len(),
        ..BulkOutcome::default()
    };
    if items.is_empty() {
        return Ok(outcome);
    }
    let batch = match engine.begin_batch(actor, description, items.len(), undoes) {
        Ok(batch) => batch,
        Err(error) => return Err(BulkFailed { error, outcome }),
    };
    outcome.batch = batch;
    outcome.results.reserve(items.len());
    let mut announced = std::time::Instant::now();
    for (i, item) in items.iter().enumerate() {
        let announce = announced.elapsed() >= ANNOUNCE_EVERY;
        let result = match engine.apply_item(actor, batch, item, announce) {
            Ok(result) => result,
            Err(error) => match refusal(&error) {
                Some(why) => BulkResult::Refused(why),
                None => {
                    // Closed all the same: on a file this puts what was
                    // done on disk (see `FileStore`'s `begin_batch`). Should
                    // closing fail too, it fails for the reason reported
                    // already (the same disk, the same server), and the
                    // batch keeps the number asked as its size.
                    let _closing = engine.end_batch(batch);
                    return Err(BulkFailed { error, outcome });
                }
            },
        };
        if announce {
            announced = std::time::Instant::now();
        }
        outcome.results.push((item.number, result));
        if !progress(i + 1, items.len()) && i + 1 < items.len() {
            outcome.cancelled = true;
            break;
        }
    }
    if let Err(error) = engine.end_batch(batch) {
        return Err(BulkFailed { error, outcome });
    }
    Ok(outcome)
}
