//! Merging tickets and linking them, as every engine checks it: which
//! merges are refused, in the sentences an agent reads.
//!
//! A merge keeps one ticket: every other one's messages and notes move into
//! it (keeping their times and authors), the tags and assignees it lacks are
//! added to it, and each other one is closed with a trail entry "merged
//! this ticket into TKT-…", while the kept one records "merged TKT-… into
//! this ticket". All in one transaction, every ticket at the version the
//! agent saw; a merge cannot be undone. A ticket with a customer is merged
//! only into one of the same customer: erasing a customer's data erases
//! the messages of their tickets, and must still find those moved. Links (related, duplicate of) are
//! recorded in both tickets' trails.

use crate::domain::{LinkKind, TicketNumber};
use crate::store::StoreError;

/// The tickets to merge into `keep`, each once, in number order; refused
/// when there are none or `keep` is among them.
pub(crate) fn others_checked(
    keep: TicketNumber,
    others: &[(TicketNumber, i64)],
) -> Result<Vec<(TicketNumber, i64)>, StoreError> {
    if others.iter().any(|(n, _)| *n == keep) {
        return Err(into_itself());
    }
    let mut others = others.to_vec();
    others.sort_unstable();
    others.dedup_by_key(|(n, _)| *n);
    if others.is_empty() {
        return Err(StoreError::NotAllowed(
            "choose at least one ticket to merge".to_owned(),
        ));
    }
    Ok(others)
}

/// A ticket merged into itself.
pub(crate) fn into_itself() -> StoreError {
    StoreError::NotAllowed("a ticket cannot be merged into itself".to_owned())
}

/// `ticket`, merged into `into` already, chosen as the ticket to keep.
pub(crate) fn keep_merged(ticket: TicketNumber, into: TicketNumber) -> StoreError {
    StoreError::NotAllowed(format!(
        "{ticket} was merged into {into} already, so nothing can be merged into it; merge into {into} instead"
    ))
}

/// `ticket`, merged into `into` already, chosen to merge again.
pub(crate) fn merged_already(ticket: TicketNumber, into: TicketNumber) -> StoreError {
    StoreError::NotAllowed(format!(
        "{ticket} was merged into {into} already, and a ticket is merged only once"
    ))
}

/// `ticket`, a ticket of the customer `name`, merged into `keep`, which is
/// not theirs: refused, so that erasing a customer's data still finds
/// every message of theirs (it erases the messages of their tickets).
pub(crate) fn other_customer(ticket: TicketNumber, name: &str, keep: TicketNumber) -> StoreError {
    StoreError::NotAllowed(format!(
        "{ticket} belongs to {name} but {keep} does not: only a customer's own tickets are merged, so that erasing their data still finds all of it; set {keep}'s customer first if it is theirs"
    ))
}

/// The link `a` → `b` of `kind` as stored: refused for a merge (only a
/// merge makes one) and for a ticket and itself; a related link is stored
/// the lower number first.
pub(crate) fn link_checked(
    a: TicketNumber,
    b: TicketNumber,
    kind: LinkKind,
) -> Result<(TicketNumber, TicketNumber), StoreError> {
    if kind == LinkKind::Merged {
        return Err(StoreError::NotAllowed(
            "a ticket is marked as merged only by merging it".to_owned(),
        ));
    }
    if a == b {
        return Err(StoreError::NotAllowed(
            "a ticket cannot be linked to itself".to_owned(),
        ));
    }
    Ok(if kind == LinkKind::Related && b < a {
        (b, a)
    } else {
        (a, b)
    })
}
