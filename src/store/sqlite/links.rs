//! Merging tickets and linking them (see [`crate::store::merge`]).

use rusqlite::{Connection, OptionalExtension, params};

use super::tickets::{
    agent, assign_change, customer_name_and_key, ensure_ticket, record_change, state_at_version,
    status_change, tag_change,
};
use super::{FileStore, StoreError};
use crate::domain::{
    ActivityKind, AgentId, LinkKind, MergeCounts, Status, TicketLink, TicketNumber,
};
use crate::store::merge;

/// The ticket `ticket` was merged into, if it was.
pub(super) fn merged_into(
    conn: &Connection,
    ticket: TicketNumber,
) -> Result<Option<TicketNumber>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT ticket_b FROM ticket_links WHERE ticket_a = ?1 AND kind = 'merged'",
        )?
        .query_row([ticket], |r| r.get(0))
        .optional()?)
}

/// The ticket that holds what `ticket` held now: the one it was merged
/// into, or the one that was merged into, and so on; `None` when it was
/// never merged.
pub(super) fn kept_for(
    conn: &Connection,
    ticket: TicketNumber,
) -> Result<Option<TicketNumber>, StoreError> {
    let mut kept = None;
    let mut at = ticket;
    // A chain is as long as the merges that made it; a few steps at most.
    for _ in 0..32 {
        match merged_into(conn, at)? {
            Some(next) => {
                kept = Some(next);
                at = next;
            }
            None => break,
        }
    }
    Ok(kept)
}

/// A ticket's links, by kind and then the other ticket's number.
pub(super) fn links_of(
    conn: &Connection,
    ticket: TicketNumber,
) -> Result<Vec<TicketLink>, StoreError> {
    let mut links = conn
        .prepare_cached(
            "SELECT l.ticket_b, t.subject, l.kind, 1 FROM ticket_links l
             JOIN tickets t ON t.id = l.ticket_b WHERE l.ticket_a = ?1
             UNION ALL
             SELECT l.ticket_a, t.subject, l.kind, 0 FROM ticket_links l
             JOIN tickets t ON t.id = l.ticket_a WHERE l.ticket_b = ?1",
        )?
        .query_map([ticket], |r| {
            Ok((
                r.get::<_, TicketNumber>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        // A kind a newer version stored is left out.
        .filter_map(|(other, subject, kind, outgoing)| {
            let kind = LinkKind::from_code(&kind)?;
            Some(TicketLink {
                other,
                subject,
                kind,
                outgoing: outgoing || kind == LinkKind::Related,
            })
        })
        .collect::<Vec<_>>();
    links.sort_by_key(|l| (l.kind != LinkKind::Merged, l.kind, l.other));
    Ok(links)
}

/// The version of `ticket` now, refused as a conflict unless it is `seen`,
/// and refused when it was merged already (`keep`: as the ticket to keep).
fn checked(
    tx: &Connection,
    ticket: TicketNumber,
    seen: i64,
    keep: bool,
) -> Result<super::tickets::TicketState, StoreError> {
    let st = state_at_version(tx, ticket, seen)?;
    if let Some(into) = merged_into(tx, ticket)? {
        return Err(if keep {
            merge::keep_merged(ticket, into)
        } else {
            merge::merged_already(ticket, into)
        });
    }
    Ok(st)
}

impl FileStore {
    /// Merges `others` into `keep` (each with the version the agent saw),
    /// in one transaction: see [`crate::store::merge`]. Returns what moved.
    pub fn merge(
        &mut self,
        actor: AgentId,
        keep: (TicketNumber, i64),
        others: &[(TicketNumber, i64)],
    ) -> Result<MergeCounts, StoreError> {
        let others = merge::others_checked(keep.0, others)?;
        let kept = keep.0;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            let customer = checked(tx, kept, keep.1, true)?.customer();
            let mut states = Vec::with_capacity(others.len());
            for &(other, seen) in &others {
                states.push((other, checked(tx, other, seen, false)?));
            }
            for (other, st) in &states {
                if let Some(theirs) = st.customer()
                    && Some(theirs) != customer
                {
                    let (name, _) = customer_name_and_key(tx, theirs)?;
                    return Err(merge::other_customer(*other, &name, kept));
                }
            }
            let mut counts = MergeCounts::default();
            for (other, st) in states {
                counts.messages += tx
                    .prepare_cached("UPDATE messages SET ticket_id = ?2 WHERE ticket_id = ?1")?
                    .execute([other, kept])? as u64;
                counts.notes += tx
                    .prepare_cached("UPDATE notes SET ticket_id = ?2 WHERE ticket_id = ?1")?
                    .execute([other, kept])? as u64;
                let tags: Vec<String> = tx
                    .prepare_cached(
                        "SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
                         WHERE tt.ticket_id = ?1 ORDER BY g.name COLLATE NOCASE",
                    )?
                    .query_map([other], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                for name in tags {
                    if let (_, Some(kind)) = tag_change(tx, kept, &name)? {
                        record_change(tx, kept, now, actor, &kind, None)?;
                        counts.tags += 1;
                    }
                }
                // An agent no longer active cannot be assigned: they stay
                // on the merged ticket only.
                let assignees: Vec<AgentId> = tx
                    .prepare_cached(
                        "SELECT ta.agent_id FROM ticket_assignees ta JOIN agents a ON a.id = ta.agent_id
                         WHERE ta.ticket_id = ?1 AND a.active ORDER BY a.sort_key, a.id",
                    )?
                    .query_map([other], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                for assignee in assignees {
                    if let Some(kind) = assign_change(tx, kept, assignee, now)? {
                        record_change(tx, kept, now, actor, &kind, None)?;
                        counts.assignees += 1;
                    }
                }
                // Its replies are the kept ticket's now: it has no first reply.
                tx.prepare_cached(
                    "UPDATE tickets SET first_reply_at = NULL, first_reply_by = NULL WHERE id = ?1",
                )?
                .execute([other])?;
                if let Some(kind) = status_change(tx, actor, other, &st, now, Status::Closed)? {
                    record_change(tx, other, now, actor, &kind, None)?;
                }
                tx.prepare_cached(
                    "INSERT INTO ticket_links (ticket_a, ticket_b, kind, agent_id, at)
                     VALUES (?1, ?2, 'merged', ?3, ?4)",
                )?
                .execute(params![other, kept, actor, now])?;
                record_change(
                    tx,
                    other,
                    now,
                    actor,
                    &ActivityKind::MergedInto { into: kept },
                    None,
                )?;
                record_change(
                    tx,
                    kept,
                    now,
                    actor,
                    &ActivityKind::MergedFrom { from: other },
                    None,
                )?;
            }
            // The kept ticket's first reply: its earliest reply now, of
            // those sent once it existed (a reply moved in from an older
            // ticket came before it was raised, and cannot answer it).
            tx.prepare_cached(
                "UPDATE tickets SET (first_reply_at, first_reply_by) = (
                     SELECT m.created_at, m.author_id FROM messages m
                     WHERE m.ticket_id = tickets.id AND m.direction = 1
                       AND m.created_at >= tickets.created_at
                     ORDER BY m.created_at, m.id LIMIT 1)
                 WHERE id = ?1",
            )?
            .execute([kept])?;
            Ok(counts)
        })
    }

    /// Links ticket `a` to `b` as `kind` (related, or `a` a duplicate of
    /// `b`), recorded in both trails; a link already there changes nothing.
    pub fn link(
        &mut self,
        actor: AgentId,
        a: TicketNumber,
        b: TicketNumber,
        kind: LinkKind,
    ) -> Result<(), StoreError> {
        self.set_link(actor, a, b, kind, true)
    }

    /// Removes the link `a` → `b` of `kind`, recorded in both trails; one
    /// not there changes nothing.
    pub fn unlink(
        &mut self,
        actor: AgentId,
        a: TicketNumber,
        b: TicketNumber,
        kind: LinkKind,
    ) -> Result<(), StoreError> {
        self.set_link(actor, a, b, kind, false)
    }

    /// Adds (`on`) or removes the link, with an entry in both trails when
    /// that changed anything.
    fn set_link(
        &mut self,
        actor: AgentId,
        a: TicketNumber,
        b: TicketNumber,
        kind: LinkKind,
        on: bool,
    ) -> Result<(), StoreError> {
        let (first, second) = merge::link_checked(a, b, kind)?;
        self.transact(|tx, now| {
            agent(tx, actor)?;
            ensure_ticket(tx, a)?;
            ensure_ticket(tx, b)?;
            let changed = if on {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO ticket_links (ticket_a, ticket_b, kind, agent_id, at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![first, second, kind.code(), actor, now])?
            } else {
                tx.prepare_cached(
                    "DELETE FROM ticket_links WHERE ticket_a = ?1 AND ticket_b = ?2 AND kind = ?3",
                )?
                .execute(params![first, second, kind.code()])?
            };
            if changed == 0 {
                return Ok(());
            }
            for (ticket, other, outgoing) in [(first, second, true), (second, first, false)] {
                let entry = if on {
                    ActivityKind::Linked {
                        other,
                        kind,
                        outgoing,
                    }
                } else {
                    ActivityKind::Unlinked {
                        other,
                        kind,
                        outgoing,
                    }
                };
                record_change(tx, ticket, now, actor, &entry, None)?;
            }
            Ok(())
        })
    }

    /// The ticket that holds what `ticket` held: the one it was merged
    /// into (following later merges); `None` when it was never merged.
    pub fn merged_into(&self, ticket: TicketNumber) -> Result<Option<TicketNumber>, StoreError> {
        kept_for(&self.conn, ticket)
    }
}
