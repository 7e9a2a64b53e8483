//! Reading whole tickets (with tags, assignees and, when asked, their texts)
//! in bulk, a chunk at a time, for the exports.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::store::StoreError;

/// How many tickets one round of queries reads.
const CHUNK: usize = 2048;

/// Names of the things tickets refer to by id.
pub(crate) struct Names {
    pub agents: HashMap<i64, String>,
    /// Customer → (name, email, company).
    pub customers: HashMap<i64, (String, String, String)>,
    pub tags: HashMap<i64, String>,
}

impl Names {
    pub fn load(conn: &Connection) -> Result<Names, StoreError> {
        let agents = conn
            .prepare("SELECT id, name FROM agents")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let customers = conn
            .prepare("SELECT id, name, email, company FROM customers")?
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
            .collect::<Result<_, _>>()?;
        let tags = conn
            .prepare("SELECT id, name FROM tags")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Names {
            agents,
            customers,
            tags,
        })
    }

    /// An agent's name, or "" for nobody.
    pub fn agent(&self, id: Option<i64>) -> &str {
        id.and_then(|id| self.agents.get(&id))
            .map_or("", String::as_str)
    }

    /// Names joined with "; ", in alphabetical order (ignoring case).
    pub fn list(map: &HashMap<i64, String>, ids: &[i64]) -> String {
        let mut names: Vec<&str> = ids
            .iter()
            .filter_map(|id| map.get(id).map(String::as_str))
            .collect();
        names.sort_unstable_by_key(|n| n.to_lowercase());
        names.join("; ")
    }
}

/// One message of a conversation, or one internal note (never outbound).
pub(crate) struct Entry {
    /// A reply to the customer (messages only).
    pub outbound: bool,
    pub author: Option<i64>,
    pub body: String,
    pub at: i64,
}

/// A ticket with everything an export may write.
#[derive(Default)]
pub(crate) struct FullTicket {
    pub id: i64,
    pub subject: String,
    pub description: String,
    pub status: i64,
    pub priority: i64,
    pub customer: Option<i64>,
    pub created: i64,
    pub updated: i64,
    pub first_reply: Option<i64>,
    pub first_reply_by: Option<i64>,
    pub resolved: Option<i64>,
    pub resolved_by: Option<i64>,
    pub closed: Option<i64>,
    pub csat: Option<i64>,
    pub csat_at: Option<i64>,
    pub tags: Vec<i64>,
    pub assignees: Vec<i64>,
    pub messages: Vec<Entry>,
    pub notes: Vec<Entry>,
}

/// What to read besides the ticket row, tags and assignees.
#[derive(Clone, Copy)]
pub(crate) struct Texts {
    pub messages: bool,
    pub notes: bool,
}

impl Texts {
    /// No texts: the report's ticket rows.
    pub const NONE: Texts = Texts {
        messages: false,
        notes: false,
    };
}

/// Calls `f` with each of `ids` in the order given (missing ones are skipped),
/// reading a chunk at a time; `f` returns false to stop. Dense chunks are read
/// as a number range, sparse ones by their numbers.
pub(crate) fn for_each_ticket(
    conn: &Connection,
    ids: &[i64],
    texts: Texts,
    mut f: impl FnMut(FullTicket) -> Result<bool, super::ExportError>,
) -> Result<(), super::ExportError> {
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
        let mut found: HashMap<i64, FullTicket> = HashMap::with_capacity(chunk.len());
        let mut stmt = conn.prepare(&format!(
            "SELECT id, subject, description, status, priority, customer_id, created_at, updated_at,
                    first_reply_at, first_reply_by, resolved_at, resolved_by, closed_at, csat, csat_at
             FROM tickets WHERE {}",
            cond("id")
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            found.insert(
                id,
                FullTicket {
                    id,
                    subject: r.get(1)?,
                    description: r.get(2)?,
                    status: r.get(3)?,
                    priority: r.get(4)?,
                    customer: r.get(5)?,
                    created: r.get(6)?,
                    updated: r.get(7)?,
                    first_reply: r.get(8)?,
                    first_reply_by: r.get(9)?,
                    resolved: r.get(10)?,
                    resolved_by: r.get(11)?,
                    closed: r.get(12)?,
                    csat: r.get(13)?,
                    csat_at: r.get(14)?,
                    ..FullTicket::default()
                },
            );
        }
        let mut pairs = |sql: String, put: fn(&mut FullTicket, i64)| -> Result<(), StoreError> {
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
        let mut entries = |sql: String, list: fn(&mut FullTicket) -> &mut Vec<Entry>| {
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(t) = found.get_mut(&r.get::<_, i64>(0)?) {
                    list(t).push(Entry {
                        outbound: r.get::<_, i64>(1)? == 1,
                        author: r.get(2)?,
                        body: r.get(3)?,
                        at: r.get(4)?,
                    });
                }
            }
            Ok::<_, StoreError>(())
        };
        if texts.messages {
            entries(
                format!(
                    "SELECT ticket_id, direction, author_id, body, created_at FROM messages
                     WHERE {} ORDER BY ticket_id, created_at, id",
                    cond("ticket_id")
                ),
                |t| &mut t.messages,
            )?;
        }
        if texts.notes {
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
            if let Some(ticket) = found.remove(id)
                && !f(ticket)?
            {
                return Err(super::ExportError::Cancelled);
            }
        }
    }
    Ok(())
}
