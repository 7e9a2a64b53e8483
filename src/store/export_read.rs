//! Reading whole tickets in bulk for the exports, the same on every engine:
//! the ticket row, its tags and assignees by name and, when asked, its
//! conversation and notes, a chunk of tickets at a time, within the
//! caller's snapshot. An engine answers the queries through [`Rows`].

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::{LinkKind, Priority, Status, TicketLink, TicketNumber};
use crate::store::figures::{AtEnd, IdMap};
use crate::store::{Counted, StoreError};

/// One row of a query, as the export reads it.
pub(crate) trait Row {
    /// An integer column (`None` for NULL).
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    /// A text column (empty for NULL).
    fn text(&self, i: usize) -> Result<String, StoreError>;
}

/// An engine's answers to the export's queries (written in SQLite's
/// spelling, as [`crate::store::figures`]'s are).
pub(crate) trait Rows {
    /// Runs `sql`, handing `row` each row.
    fn rows(
        &mut self,
        sql: &str,
        row: &mut dyn FnMut(&dyn Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}

fn status(code: Option<i64>) -> Result<Status, StoreError> {
    let code = code.unwrap_or(-1);
    Status::from_code(code).ok_or_else(|| unknown("status", code))
}

fn priority(code: Option<i64>) -> Result<Priority, StoreError> {
    let code = code.unwrap_or(-1);
    Priority::from_code(code).ok_or_else(|| unknown("priority", code))
}

fn unknown(what: &str, code: i64) -> StoreError {
    StoreError::Damaged {
        path: Default::default(),
        detail: format!("a {what} stored as {code}, which Tickets does not know"),
    }
}

/// How many tickets one round of queries reads.
const CHUNK: usize = 2048;

/// A ticket's customer, as an export names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportCustomer {
    /// Name.
    pub name: String,
    /// Email (may be empty).
    pub email: String,
    /// Company (may be empty).
    pub company: String,
}

/// One message of a conversation, or one internal note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportMessage {
    /// A reply to the customer (never for a note).
    pub outbound: bool,
    /// The agent who wrote it, if an agent did.
    pub author: Option<Arc<str>>,
    /// The text.
    pub body: String,
    /// When, in milliseconds since the epoch (UTC).
    pub at_ms: i64,
}

/// A ticket with everything an export writes: names rather than ids, and
/// times in milliseconds since the epoch (UTC), which the exports format in
/// local time a million at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportTicket {
    /// Its number.
    pub number: TicketNumber,
    /// Subject.
    pub subject: String,
    /// Description (may be empty).
    pub description: String,
    /// Status (for a report's rows: at the period's end).
    pub status: Status,
    /// Priority (for a report's rows: at the period's end).
    pub priority: Priority,
    /// Its customer.
    pub customer: Option<Arc<ExportCustomer>>,
    /// Raised.
    pub created_ms: i64,
    /// Last changed.
    pub updated_ms: i64,
    /// First reply to the customer.
    pub first_reply_ms: Option<i64>,
    /// Who wrote it.
    pub first_reply_by: Option<Arc<str>>,
    /// Resolution moment.
    pub resolved_ms: Option<i64>,
    /// Who resolved it.
    pub resolved_by: Option<Arc<str>>,
    /// Close moment.
    pub closed_ms: Option<i64>,
    /// Satisfaction rating, 1 to 5.
    pub csat: Option<u8>,
    /// When it was recorded.
    pub csat_ms: Option<i64>,
    /// Its first-reply target's due moment and whether it was met by then
    /// (`None`: no such target).
    pub sla_first_reply: Option<(i64, bool)>,
    /// Its resolution target's, the same way (`None` also while paused).
    pub sla_resolution: Option<(i64, bool)>,
    /// Tag names, alphabetical (ignoring case).
    pub tags: Vec<Arc<str>>,
    /// Assignees' names, alphabetical (ignoring case).
    pub assignees: Vec<Arc<str>>,
    /// Its links to other tickets, as the panel says them ("Related to
    /// TKT-000004", "Merged into TKT-000009"), merges first, then by kind
    /// and number (for the ticket list export only).
    pub links: Vec<String>,
    /// The conversation, oldest first (when asked for).
    pub messages: Vec<ExportMessage>,
    /// Internal notes, oldest first (when asked for).
    pub notes: Vec<ExportMessage>,
}

/// Names of what tickets refer to by id, each shared by every ticket that
/// names it, with agents and tags ranked alphabetically for sorting.
pub(crate) struct Names {
    agents: HashMap<i64, (usize, Arc<str>)>,
    customers: HashMap<i64, Arc<ExportCustomer>>,
    tags: HashMap<i64, (usize, Arc<str>)>,
}

fn ranked(pairs: Vec<(i64, String)>) -> HashMap<i64, (usize, Arc<str>)> {
    let mut pairs = pairs;
    pairs.sort_by_cached_key(|(id, name)| (name.to_lowercase(), *id));
    pairs
        .into_iter()
        .enumerate()
        .map(|(rank, (id, name))| (id, (rank, Arc::from(name))))
        .collect()
}

impl Names {
    /// Every agent's, customer's and tag's name.
    pub(crate) fn load(r: &mut dyn Rows) -> Result<Names, StoreError> {
        let mut pairs = |sql: &str| -> Result<Vec<(i64, String)>, StoreError> {
            let mut out = Vec::new();
            r.rows(sql, &mut |row| {
                out.push((row.int(0)?.unwrap_or_default(), row.text(1)?));
                Ok(())
            })?;
            Ok(out)
        };
        let agents = ranked(pairs("SELECT id, name FROM agents")?);
        let tags = ranked(pairs("SELECT id, name FROM tags")?);
        let mut customers = HashMap::new();
        r.rows(
            "SELECT id, name, email, company FROM customers",
            &mut |row| {
                customers.insert(
                    row.int(0)?.unwrap_or_default(),
                    Arc::new(ExportCustomer {
                        name: row.text(1)?,
                        email: row.text(2)?,
                        company: row.text(3)?,
                    }),
                );
                Ok(())
            },
        )?;
        Ok(Names {
            agents,
            customers,
            tags,
        })
    }

    fn agent(&self, id: Option<i64>) -> Option<Arc<str>> {
        id.and_then(|id| self.agents.get(&id))
            .map(|(_, name)| name.clone())
    }

    /// The names of `ids` in `map`, alphabetical.
    fn sorted(map: &HashMap<i64, (usize, Arc<str>)>, ids: &[i64]) -> Vec<Arc<str>> {
        let mut found: Vec<&(usize, Arc<str>)> = ids.iter().filter_map(|id| map.get(id)).collect();
        found.sort_unstable_by_key(|(rank, _)| *rank);
        found.into_iter().map(|(_, name)| name.clone()).collect()
    }
}

/// A ticket as read, before its tags and assignees are named.
pub(crate) struct Read {
    ticket: ExportTicket,
    tags: Vec<i64>,
    assignees: Vec<i64>,
}

/// Calls `each` with each of `ids` in the order given (missing ones are
/// skipped), reading a chunk at a time; `each` returns false to stop. Dense
/// chunks are read as a number range, sparse ones by their numbers.
pub(crate) fn for_each(
    r: &mut dyn Rows,
    names: &Names,
    ids: &[i64],
    texts: (bool, bool),
    each: &mut dyn FnMut(ExportTicket) -> Result<bool, StoreError>,
) -> Result<u64, StoreError> {
    let mut read = 0u64;
    for chunk in ids.chunks(CHUNK) {
        let (Some(&min), Some(&max)) = (chunk.iter().min(), chunk.iter().max()) else {
            continue;
        };
        let dense = (max - min) as usize <= chunk.len() * 4;
        let cond = |col: &str| {
            if dense {
                format!("{col} BETWEEN {min} AND {max}")
            } else {
                let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
                format!("{col} IN ({})", list.join(","))
            }
        };
        let mut found: IdMap<Read> =
            IdMap::with_capacity_and_hasher(chunk.len(), Default::default());
        r.rows(
            &format!(
                "SELECT id, subject, description, status, priority, customer_id, created_at, updated_at,
                        first_reply_at, first_reply_by, resolved_at, resolved_by, closed_at, csat, csat_at,
                        first_due_at, first_met, resolve_due_at, resolve_met
                 FROM tickets WHERE {}",
                cond("id")
            ),
            &mut |row| {
                let id = row.int(0)?.unwrap_or_default();
                let customer = row.int(5)?;
                found.insert(
                    id,
                    Read {
                        ticket: ExportTicket {
                            number: TicketNumber(id),
                            subject: row.text(1)?,
                            description: row.text(2)?,
                            status: status(row.int(3)?)?,
                            priority: priority(row.int(4)?)?,
                            customer: customer.and_then(|c| names.customers.get(&c).cloned()),
                            created_ms: row.int(6)?.unwrap_or_default(),
                            updated_ms: row.int(7)?.unwrap_or_default(),
                            first_reply_ms: row.int(8)?,
                            first_reply_by: names.agent(row.int(9)?),
                            resolved_ms: row.int(10)?,
                            resolved_by: names.agent(row.int(11)?),
                            closed_ms: row.int(12)?,
                            csat: row.int(13)?.and_then(|c| u8::try_from(c).ok()),
                            csat_ms: row.int(14)?,
                            sla_first_reply: row.int(15)?.map(|due| (due, row.int(16).ok().flatten() == Some(1))),
                            sla_resolution: row.int(17)?.map(|due| (due, row.int(18).ok().flatten() == Some(1))),
                            tags: Vec::new(),
                            assignees: Vec::new(),
                            links: Vec::new(),
                            messages: Vec::new(),
                            notes: Vec::new(),
                        },
                        tags: Vec::new(),
                        assignees: Vec::new(),
                    },
                );
                Ok(())
            },
        )?;
        let mut pairs = |r: &mut dyn Rows, sql: String, put: fn(&mut Read, i64)| {
            r.rows(&sql, &mut |row| {
                if let (Some(t), Some(other)) =
                    (found.get_mut(&row.int(0)?.unwrap_or_default()), row.int(1)?)
                {
                    put(t, other);
                }
                Ok(())
            })
        };
        pairs(
            r,
            format!(
                "SELECT ticket_id, tag_id FROM ticket_tags WHERE {}",
                cond("ticket_id")
            ),
            |t, tag| t.tags.push(tag),
        )?;
        pairs(
            r,
            format!(
                "SELECT ticket_id, agent_id FROM ticket_assignees WHERE {}",
                cond("ticket_id")
            ),
            |t, agent| t.assignees.push(agent),
        )?;
        // The ticket list export's links (a report's rows have none), both
        // ends of each.
        if texts.0 {
            let mut links: IdMap<Vec<TicketLink>> = IdMap::default();
            r.rows(
                &format!(
                    "SELECT ticket_a, ticket_b, kind, 1 FROM ticket_links WHERE {}
                     UNION ALL
                     SELECT ticket_b, ticket_a, kind, 0 FROM ticket_links WHERE {}",
                    cond("ticket_a"),
                    cond("ticket_b")
                ),
                &mut |row| {
                    if let Some(kind) = LinkKind::from_code(&row.text(2)?) {
                        links
                            .entry(row.int(0)?.unwrap_or_default())
                            .or_default()
                            .push(TicketLink {
                                other: TicketNumber(row.int(1)?.unwrap_or_default()),
                                subject: String::new(),
                                kind,
                                outgoing: row.int(3)? == Some(1) || kind == LinkKind::Related,
                            });
                    }
                    Ok(())
                },
            )?;
            for (id, mut list) in links {
                if let Some(t) = found.get_mut(&id) {
                    list.sort_by_key(|l| (l.kind != LinkKind::Merged, l.kind, l.other));
                    t.ticket.links = list.iter().map(TicketLink::label).collect();
                }
            }
        }
        // Messages and notes: (ticket, outbound, author, body, time), in order.
        let mut entries =
            |r: &mut dyn Rows,
             sql: String,
             list: fn(&mut ExportTicket) -> &mut Vec<ExportMessage>| {
                r.rows(&sql, &mut |row| {
                    if let Some(t) = found.get_mut(&row.int(0)?.unwrap_or_default()) {
                        list(&mut t.ticket).push(ExportMessage {
                            outbound: row.int(1)? == Some(1),
                            author: names.agent(row.int(2)?),
                            body: row.text(3)?,
                            at_ms: row.int(4)?.unwrap_or_default(),
                        });
                    }
                    Ok(())
                })
            };
        let (messages, notes) = texts;
        if messages {
            entries(
                r,
                format!(
                    "SELECT ticket_id, direction, author_id, body, created_at FROM messages
                     WHERE {} ORDER BY ticket_id, created_at, id",
                    cond("ticket_id")
                ),
                |t| &mut t.messages,
            )?;
        }
        if notes {
            entries(
                r,
                format!(
                    "SELECT ticket_id, 0, author_id, body, created_at FROM notes
                     WHERE {} ORDER BY ticket_id, created_at, id",
                    cond("ticket_id")
                ),
                |t| &mut t.notes,
            )?;
        }
        for id in chunk {
            if let Some(Read {
                mut ticket,
                tags,
                assignees,
            }) = found.remove(id)
            {
                ticket.tags = Names::sorted(&names.tags, &tags);
                ticket.assignees = Names::sorted(&names.agents, &assignees);
                read += 1;
                if !each(ticket)? {
                    return Err(StoreError::Cancelled);
                }
            }
        }
    }
    Ok(read)
}

/// Every ticket of `numbers`, in that order, with everything an export
/// writes (`notes`: the internal notes too); `each` hears how many there
/// are in all with each. Returns how many were read.
pub(crate) fn export_tickets(
    r: &mut dyn Rows,
    numbers: &[TicketNumber],
    notes: bool,
    each: &mut dyn FnMut(ExportTicket, u64) -> Result<bool, StoreError>,
) -> Result<u64, StoreError> {
    let ids: Vec<i64> = numbers.iter().map(|n| n.0).collect();
    let total = ids.len() as u64;
    let names = Names::load(r)?;
    for_each(r, &names, &ids, (true, notes), &mut |t| each(t, total))
}

/// The tickets a report counted (`flags`, ascending, with why), with their
/// status and priority as at the period's end (`at_end`).
pub(crate) fn report_tickets(
    r: &mut dyn Rows,
    flags: Vec<(i64, Counted)>,
    at_end: &AtEnd,
    each: &mut dyn FnMut(ExportTicket, Counted, u64) -> Result<bool, StoreError>,
) -> Result<u64, StoreError> {
    let ids: Vec<i64> = flags.iter().map(|(id, _)| *id).collect();
    let total = ids.len() as u64;
    let counted: HashMap<i64, Counted> = flags.into_iter().collect();
    let names = Names::load(r)?;
    for_each(r, &names, &ids, (false, false), &mut |mut t| {
        let id = t.number.0;
        t.status = at_end.status_of(id, t.status.code()).unwrap_or(t.status);
        t.priority = at_end
            .priority_of(id, t.priority.code())
            .unwrap_or(t.priority);
        each(t, counted.get(&id).copied().unwrap_or_default(), total)
    })
}
