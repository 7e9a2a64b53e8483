//! Reading whole tickets in bulk for the exports: the ticket row, its tags
//! and assignees by name and, when asked, its conversation and notes, a
//! chunk of tickets at a time, within one snapshot.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::Connection;

use super::Snapshot;
use crate::analytics::Period;
use crate::domain::{Priority, Status, TicketNumber};
use crate::store::{Counted, ListRequest, Sort, StoreError, TicketFilter};

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
    /// Tag names, alphabetical (ignoring case).
    pub tags: Vec<Arc<str>>,
    /// Assignees' names, alphabetical (ignoring case).
    pub assignees: Vec<Arc<str>>,
    /// The conversation, oldest first (when asked for).
    pub messages: Vec<ExportMessage>,
    /// Internal notes, oldest first (when asked for).
    pub notes: Vec<ExportMessage>,
}

/// Names of what tickets refer to by id, each shared by every ticket that
/// names it, with agents and tags ranked alphabetically for sorting.
struct Names {
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
    fn load(conn: &Connection) -> Result<Names, StoreError> {
        let pairs = |sql: &str| -> Result<Vec<(i64, String)>, StoreError> {
            Ok(conn
                .prepare(sql)?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?)
        };
        let customers = conn
            .prepare("SELECT id, name, email, company FROM customers")?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    Arc::new(ExportCustomer {
                        name: r.get(1)?,
                        email: r.get(2)?,
                        company: r.get(3)?,
                    }),
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Names {
            agents: ranked(pairs("SELECT id, name FROM agents")?),
            customers,
            tags: ranked(pairs("SELECT id, name FROM tags")?),
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
struct Read {
    ticket: ExportTicket,
    tags: Vec<i64>,
    assignees: Vec<i64>,
}

/// Calls `each` with each of `ids` in the order given (missing ones are
/// skipped), reading a chunk at a time; `each` returns false to stop. Dense
/// chunks are read as a number range, sparse ones by their numbers.
fn for_each(
    conn: &Connection,
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
        let mut found: HashMap<i64, Read> = HashMap::with_capacity(chunk.len());
        let mut stmt = conn.prepare(&format!(
            "SELECT id, subject, description, status, priority, customer_id, created_at, updated_at,
                    first_reply_at, first_reply_by, resolved_at, resolved_by, closed_at, csat, csat_at
             FROM tickets WHERE {}",
            cond("id")
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let customer: Option<i64> = r.get(5)?;
            found.insert(
                id,
                Read {
                    ticket: ExportTicket {
                        number: TicketNumber(id),
                        subject: r.get(1)?,
                        description: r.get(2)?,
                        status: r.get(3)?,
                        priority: r.get(4)?,
                        customer: customer.and_then(|c| names.customers.get(&c).cloned()),
                        created_ms: r.get(6)?,
                        updated_ms: r.get(7)?,
                        first_reply_ms: r.get(8)?,
                        first_reply_by: names.agent(r.get(9)?),
                        resolved_ms: r.get(10)?,
                        resolved_by: names.agent(r.get(11)?),
                        closed_ms: r.get(12)?,
                        csat: r.get(13)?,
                        csat_ms: r.get(14)?,
                        tags: Vec::new(),
                        assignees: Vec::new(),
                        messages: Vec::new(),
                        notes: Vec::new(),
                    },
                    tags: Vec::new(),
                    assignees: Vec::new(),
                },
            );
        }
        let mut pairs = |sql: String, put: fn(&mut Read, i64)| -> Result<(), StoreError> {
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(t) = found.get_mut(&r.get::<_, i64>(0)?) {
                    put(t, r.get(1)?);
                }
            }
            Ok(())
        };
        pairs(
            format!(
                "SELECT ticket_id, tag_id FROM ticket_tags WHERE {}",
                cond("ticket_id")
            ),
            |t, tag| t.tags.push(tag),
        )?;
        pairs(
            format!(
                "SELECT ticket_id, agent_id FROM ticket_assignees WHERE {}",
                cond("ticket_id")
            ),
            |t, agent| t.assignees.push(agent),
        )?;
        // Messages and notes: (ticket, outbound, author, body, time), in order.
        let mut entries = |sql: String, list: fn(&mut ExportTicket) -> &mut Vec<ExportMessage>| {
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(t) = found.get_mut(&r.get::<_, i64>(0)?) {
                    list(&mut t.ticket).push(ExportMessage {
                        outbound: r.get::<_, i64>(1)? == 1,
                        author: names.agent(r.get(2)?),
                        body: r.get(3)?,
                        at_ms: r.get(4)?,
                    });
                }
            }
            Ok::<_, StoreError>(())
        };
        let (messages, notes) = texts;
        if messages {
            entries(
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

impl Snapshot<'_> {
    /// Every ticket matching `filter`, in `sort`'s order, with everything an
    /// export writes (`notes`: the internal notes too); `each` says whether
    /// to go on (false: [`StoreError::Cancelled`]); it hears how many there
    /// are in all with each. Returns how many were read.
    pub fn export_tickets(
        &self,
        filter: &TicketFilter,
        sort: Sort,
        notes: bool,
        each: &mut dyn FnMut(ExportTicket, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        let numbers = self.db.list_numbers(&ListRequest {
            filter: filter.clone(),
            sort,
            offset: 0,
            limit: u32::MAX,
            anchor: None,
        })?;
        let ids: Vec<i64> = numbers.iter().map(|n| n.0).collect();
        let total = ids.len() as u64;
        let names = Names::load(self.conn())?;
        for_each(self.conn(), &names, &ids, (true, notes), &mut |t| {
            each(t, total)
        })
    }

    /// Every ticket a card of `period`'s report counted, in number order,
    /// with its status and priority as at the period's end and why it was
    /// counted; `each` says whether to go on, and hears how many there are
    /// in all. Returns how many were read.
    pub fn report_tickets(
        &self,
        period: &Period,
        each: &mut dyn FnMut(ExportTicket, Counted, u64) -> Result<bool, StoreError>,
    ) -> Result<u64, StoreError> {
        let (flags, at_end) = self.counted_tickets(period)?;
        let ids: Vec<i64> = flags.iter().map(|(id, _)| *id).collect();
        let total = ids.len() as u64;
        let counted: HashMap<i64, Counted> = flags.into_iter().collect();
        let names = Names::load(self.conn())?;
        for_each(self.conn(), &names, &ids, (false, false), &mut |mut t| {
            let id = t.number.0;
            t.status = at_end.status_of(id, t.status.code()).unwrap_or(t.status);
            t.priority = at_end
                .priority_of(id, t.priority.code())
                .unwrap_or(t.priority);
            each(t, counted.get(&id).copied().unwrap_or_default(), total)
        })
    }
}
