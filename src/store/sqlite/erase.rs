//! Erasing a customer on a desk's file: see [`crate::store::erase`] for
//! what goes and why; this is the file's part of it.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::people::sort_key;
use super::tickets::{agent, touch};
use super::{FileStore, StoreError, activity};
use crate::domain::{ActivityKind, AgentId, CustomerId, MAX_SUBJECT_CHARS, TicketNumber};
use crate::store::erase::{ERASED, ErasedSummary, erased_name};

impl FileStore {
    /// Erases a customer's personal data (see the module documentation for
    /// exactly what), recording it in the activity of each ticket it changed.
    /// Erasing an erased customer again changes nothing.
    pub fn erase_customer(
        &mut self,
        actor: AgentId,
        customer: CustomerId,
    ) -> Result<ErasedSummary, StoreError> {
        // Zero what is deleted or overwritten, for this erasure only.
        let secure: i64 = self
            .conn
            .pragma_query_value(None, "secure_delete", |r| r.get(0))?;
        self.conn.pragma_update(None, "secure_delete", true)?;
        let erased = self.transact(|tx, now| erase(tx, now, actor, customer));
        self.conn.pragma_update(None, "secure_delete", secure)?;
        let mut summary = erased?;
        // Copy everything into the file and empty the log, so the old pages
        // left in the log go too. Waits (busy timeout) for other readers.
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        summary.file_cleared = busy == 0;
        Ok(summary)
    }
}

fn erase(
    tx: &Connection,
    now: i64,
    actor: AgentId,
    customer: CustomerId,
) -> Result<ErasedSummary, StoreError> {
    let who = agent(tx, actor)?;
    let (name, email, company): (String, String, String) = tx
        .prepare_cached("SELECT name, email, company FROM customers WHERE id = ?1")?
        .query_row([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or(StoreError::NotFound {
            what: "customer",
            id: customer.0,
        })?;
    let new_name = erased_name(customer);
    let needles = needles(customer, &name, &email);

    let mut record_changed = (name != new_name) | !email.is_empty() | !company.is_empty();
    if record_changed {
        tx.prepare_cached(
            "UPDATE customers SET name = ?2, sort_key = ?3, email = '', company = '', updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![customer, new_name, sort_key(&new_name), now])?;
        tx.prepare_cached("UPDATE tickets SET customer_key = ?2 WHERE customer_id = ?1")?
            .execute(params![customer, sort_key(&new_name)])?;
    }
    record_changed |= tx
        .prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1")?
        .execute([customer])?
        > 0;

    let tickets: Vec<TicketNumber> = tx
        .prepare_cached("SELECT id FROM tickets WHERE customer_id = ?1")?
        .query_map([customer], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut changed = BTreeSet::new();
    let mut messages = 0;
    let mut trail = Vec::new();
    for ticket in tickets {
        let (erased, text_changed) = scrub_ticket(tx, ticket, now, &needles, &mut trail)?;
        messages += erased;
        if record_changed || text_changed {
            changed.insert(ticket);
        }
    }
    // "Moved the ticket from Ann Lee to …" keeps names only, and the ticket
    // may belong to someone else now: look through every ticket's trail.
    if name != new_name {
        let moves: Vec<(i64, TicketNumber, bool, bool)> = tx
            .prepare_cached(
                "SELECT id, ticket_id, old_value IS ?1, new_value IS ?1 FROM activity
                 WHERE kind = 'customer' AND (old_value = ?1 OR new_value = ?1)",
            )?
            .query_map([&name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        for (entry, ticket, from, to) in moves {
            for (side, named) in [(Side::Old, from), (Side::New, to)] {
                if named {
                    trail.push((entry, side, new_name.clone()));
                }
            }
            changed.insert(ticket);
        }
    }
    rewrite_trail(tx, &trail)?;

    for &ticket in &changed {
        touch(tx, ticket, now, true)?;
        activity::record(
            tx,
            ticket,
            now,
            actor,
            &ActivityKind::CustomerErased {
                by: actor,
                name: who.name.clone(),
            },
        )?;
    }
    if !changed.is_empty() || record_changed {
        clear_copies(tx, &needles)?;
    }
    Ok(ErasedSummary {
        customer,
        tickets: changed.into_iter().collect(),
        messages,
        file_cleared: false,
        on_server: false,
    })
}

/// Erases the text of one of the customer's tickets: its messages and
/// description, and mentions (`needles`) in its subject, notes and trail (the
/// trail's changes are added to `trail`, for [`rewrite_trail`]). Returns the
/// number of messages erased and whether anything changed.
fn scrub_ticket(
    tx: &Connection,
    ticket: TicketNumber,
    now: i64,
    needles: &[String],
    trail: &mut Vec<(i64, Side, String)>,
) -> Result<(u64, bool), StoreError> {
    let messages = tx
        .prepare_cached("UPDATE messages SET body = ?2 WHERE ticket_id = ?1 AND body <> ?2")?
        .execute(params![ticket, ERASED])?;
    let mut changed = messages > 0;
    changed |= tx
        .prepare_cached(
            "UPDATE tickets SET description = ?2 WHERE id = ?1 AND description NOT IN ('', ?2)",
        )?
        .execute(params![ticket, ERASED])?
        > 0;
    let subject: String = tx
        .prepare_cached("SELECT subject FROM tickets WHERE id = ?1")?
        .query_row([ticket], |r| r.get(0))?;
    if let Some(subject) = redact(&subject, needles) {
        let subject: String = subject.chars().take(MAX_SUBJECT_CHARS).collect();
        tx.prepare_cached("UPDATE tickets SET subject = ?2 WHERE id = ?1")?
            .execute(params![ticket, subject])?;
        changed = true;
    }
    let notes: Vec<(i64, String)> = tx
        .prepare_cached("SELECT id, body FROM notes WHERE ticket_id = ?1")?
        .query_map([ticket], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (note, body) in notes {
        if let Some(body) = redact(&body, needles) {
            tx.prepare_cached(
                "UPDATE notes SET body = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1",
            )?
            .execute(params![note, body, now])?;
            changed = true;
        }
    }
    let texts: Vec<(i64, Option<String>, Option<String>)> = tx
        .prepare_cached(
            "SELECT id, old_value, new_value FROM activity
             WHERE ticket_id = ?1 AND kind IN ('subject', 'note_deleted')",
        )?
        .query_map([ticket], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (entry, old, new) in texts {
        for (side, text) in [(Side::Old, old), (Side::New, new)] {
            if let Some(text) = text.and_then(|t| redact(&t, needles)) {
                trail.push((entry, side, text));
                changed = true;
            }
        }
    }
    Ok((messages as u64, changed))
}

/// Which of an activity entry's two values.
#[derive(Clone, Copy)]
enum Side {
    /// `old_value`.
    Old,
    /// `new_value`.
    New,
}

/// Sets activity entries' values. The trail is append-only, enforced by a
/// trigger; it is set aside for these updates only, inside the transaction,
/// so it is back in force whether the erasure commits or not.
fn rewrite_trail(tx: &Connection, changes: &[(i64, Side, String)]) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let guard: Option<String> = tx
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'activity_append_only_update'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if guard.is_some() {
        tx.execute_batch("DROP TRIGGER activity_append_only_update")?;
    }
    for (entry, side, text) in changes {
        let sql = match side {
            Side::Old => "UPDATE activity SET old_value = ?2 WHERE id = ?1",
            Side::New => "UPDATE activity SET new_value = ?2 WHERE id = ?1",
        };
        tx.prepare_cached(sql)?.execute(params![entry, text])?;
    }
    if let Some(guard) = guard {
        tx.execute_batch(&guard)?;
    }
    Ok(())
}

/// Clears the copies of the old text the database keeps besides the rows:
/// the search indexes (which only mark replaced entries as gone until their
/// segments are merged) and the query planner's index samples.
fn clear_copies(tx: &Connection, needles: &[String]) -> Result<(), StoreError> {
    tx.execute_batch(
        "INSERT INTO ticket_search(ticket_search) VALUES ('optimize');
         INSERT INTO customer_search(customer_search) VALUES ('optimize');",
    )?;
    let has_samples = tx
        .prepare_cached("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4'")?
        .exists([])?;
    if !has_samples {
        return Ok(());
    }
    let mut indexes: Vec<String> = Vec::new();
    for needle in needles {
        // Samples hold keys as stored: the name as typed and lower-cased (sort keys).
        for form in [needle.clone(), sort_key(needle)] {
            let found: Vec<String> = tx
                .prepare_cached(
                    "SELECT DISTINCT idx FROM sqlite_stat4 WHERE instr(sample, ?1) > 0",
                )?
                .query_map([form.into_bytes()], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            indexes.extend(found);
        }
    }
    indexes.sort_unstable();
    indexes.dedup();
    for index in indexes {
        tx.execute_batch(&format!("ANALYZE \"{}\"", index.replace('"', "\"\"")))?;
    }
    Ok(())
}

/// What an erasure looks for in the texts it keeps: the customer's name and
/// email as they are (neither if empty or already erased).
fn needles(customer: CustomerId, name: &str, email: &str) -> Vec<String> {
    let new_name = erased_name(customer);
    [name, email]
        .into_iter()
        .filter(|s| !s.is_empty() && *s != new_name)
        .map(str::to_owned)
        .collect()
}

/// `text` with every whole-word mention of a needle, in any case, replaced by
/// [`ERASED`]; `None` if it mentions none.
fn redact(text: &str, needles: &[String]) -> Option<String> {
    let mut out: Option<String> = None;
    for needle in needles {
        if let Some(redacted) = redact_one(out.as_deref().unwrap_or(text), needle) {
            out = Some(redacted);
        }
    }
    out
}

fn redact_one(text: &str, needle: &str) -> Option<String> {
    let fold = |c: char| c.to_lowercase().next().unwrap_or(c);
    let needle: Vec<char> = needle.chars().map(fold).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = needle.len();
    let word = |i: usize| chars.get(i).is_some_and(|(_, c)| c.is_alphanumeric());
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while n > 0 && i + n <= chars.len() {
        let here = (i == 0 || !word(i - 1))
            && !word(i + n)
            && chars[i..i + n]
                .iter()
                .zip(&needle)
                .all(|((_, c), d)| fold(*c) == *d);
        if here {
            out.push_str(&text[copied..chars[i].0]);
            out.push_str(ERASED);
            copied = chars.get(i + n).map_or(text.len(), |(at, _)| *at);
            i += n;
        } else {
            i += 1;
        }
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str, needles: &[&str]) -> Option<String> {
        let needles: Vec<String> = needles.iter().map(|s| (*s).to_owned()).collect();
        redact(text, &needles)
    }

    #[test]
    fn whole_words_in_any_case_are_redacted() {
        assert_eq!(
            r("Ann Lee called; ann lee again", &["Ann Lee"]).as_deref(),
            Some("[erased] called; [erased] again")
        );
        assert_eq!(
            r("Mail ANN@example.com.", &["ann@example.com"]).as_deref(),
            Some("Mail [erased].")
        );
        assert_eq!(
            r("Ann Lee <ann@x.io>", &["Ann Lee", "ann@x.io"]).as_deref(),
            Some("[erased] <[erased]>")
        );
        assert_eq!(
            r("Émile Zola", &["émile zola"]).as_deref(),
            Some("[erased]")
        );
    }

    #[test]
    fn parts_of_other_words_and_absent_names_are_left() {
        assert_eq!(r("Joanne Leeds", &["Ann Lee"]), None);
        assert_eq!(r("Al's tale", &["al"]), Some("[erased]'s tale".to_owned()));
        assert_eq!(r("nothing here", &["Ann"]), None);
        assert_eq!(r("", &["Ann"]), None);
        assert_eq!(r("anything", &[""]), None);
    }
}
