//! The ticket list: any combination of filters, sorted by any column, paged, with the exact total.
//!
//! Filters of different kinds narrow together (AND); several values of one kind
//! widen (OR): statuses Open and Waiting means either. Every filter is served by
//! an index (see `tests/query_plans.rs`).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::{Store, StoreError};
use crate::domain::{
    AgentId, CustomerId, Priority, Status, TagId, TicketNumber, TicketRow, from_millis,
    parse_ticket_number, to_millis,
};

/// Which tickets to list. Empty fields do not narrow.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TicketFilter {
    /// Words matched against the subject and the customer's name, email and
    /// company (each word also as a prefix), or a ticket number.
    pub text: String,
    /// Any of these statuses.
    pub statuses: Vec<Status>,
    /// Any of these priorities.
    pub priorities: Vec<Priority>,
    /// Created at or after this time.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this time.
    pub created_to: Option<DateTime<Utc>>,
    /// Tagged with any of these.
    pub tags: Vec<TagId>,
    /// Belonging to a customer tagged with any of these.
    pub customer_tags: Vec<TagId>,
    /// Assigned to any of these agents...
    pub assignees: Vec<AgentId>,
    /// ...or to nobody.
    pub unassigned: bool,
    /// Belonging to this customer.
    pub customer: Option<CustomerId>,
}

impl TicketFilter {
    /// Whether the filter lets every ticket through.
    pub fn is_empty(&self) -> bool {
        *self == TicketFilter::default()
    }
}

/// A list column to sort by.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum SortColumn {
    /// Ticket number.
    Number,
    /// Subject, ignoring case.
    Subject,
    /// Status, in lifecycle order.
    Status,
    /// Priority, least urgent first.
    Priority,
    /// Customer name, ignoring case; tickets without a customer first.
    Customer,
    /// First assignee's name, ignoring case; unassigned tickets first.
    Assignee,
    /// Creation time.
    #[default]
    Created,
}

impl SortColumn {
    /// Every column, in list order.
    pub const ALL: [SortColumn; 7] = [
        SortColumn::Number,
        SortColumn::Subject,
        SortColumn::Status,
        SortColumn::Priority,
        SortColumn::Customer,
        SortColumn::Assignee,
        SortColumn::Created,
    ];

    /// The primary sort expression; ties are broken by creation time, then number.
    fn expression(self) -> &'static str {
        match self {
            SortColumn::Number => "t.id",
            SortColumn::Subject => "t.subject COLLATE NOCASE",
            SortColumn::Status => "t.status",
            SortColumn::Priority => "t.priority",
            SortColumn::Customer => "t.customer_key",
            SortColumn::Assignee => "t.assignee_key",
            SortColumn::Created => "t.created_at",
        }
    }
}

/// A sort order: a column and a direction. Ties go by creation time, then
/// number, in the same direction, so a descending sort is the exact reverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    /// The column.
    pub column: SortColumn,
    /// Largest first.
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Sort {
            column: SortColumn::Created,
            descending: true,
        }
    }
}

impl Sort {
    fn order_by(self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        match self.column {
            SortColumn::Number => format!("t.id {dir}"),
            SortColumn::Created => format!("t.created_at {dir}, t.id {dir}"),
            column => format!(
                "{} {dir}, t.created_at {dir}, t.id {dir}",
                column.expression()
            ),
        }
    }
}

/// One page of the list.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListRequest {
    /// Which tickets.
    pub filter: TicketFilter,
    /// In what order.
    pub sort: Sort,
    /// How many to skip.
    pub offset: u64,
    /// How many at most.
    pub limit: u32,
}

/// A page of the list with the exact number of matching tickets.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketPage {
    /// How many tickets match the filter in all.
    pub total: u64,
    /// Position of the first row in the whole list.
    pub offset: u64,
    /// The rows.
    pub rows: Vec<TicketRow>,
}

/// Turns what a person typed into an FTS5 query that matches every word (as a
/// word or the start of one), taking quotes, `*`, `-`, `NEAR`, `OR` and the
/// like literally. `None` when nothing searchable was typed.
pub fn fts_query(text: &str) -> Option<String> {
    let mut query = String::new();
    for word in text.split_whitespace() {
        // Words without a letter or digit hold no token for the tokenizer.
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        if !query.is_empty() {
            query.push(' ');
        }
        // Inside an FTS5 string everything is literal; `"` is written twice.
        let _ = write!(query, "\"{}\" *", word.replace('"', "\"\""));
    }
    (!query.is_empty()).then_some(query)
}

fn push_ids(sql: &mut String, ids: impl Iterator<Item = i64>) {
    let list: Vec<String> = ids.map(|id| id.to_string()).collect();
    sql.push_str(&list.join(","));
}

/// The WHERE clause for a filter, with its bound values. Codes and ids are
/// written as literals (they are integers, and literals let the planner see
/// them); typed text is always bound.
fn where_clause(filter: &TicketFilter) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if !filter.text.trim().is_empty() {
        let mut either: Vec<String> = Vec::new();
        if let Some(query) = fts_query(&filter.text) {
            values.push(Value::Text(query));
            let n = values.len();
            either.push(format!(
                "t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?{n})"
            ));
            either.push(format!(
                "t.customer_id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?{n})"
            ));
        }
        if let Some(TicketNumber(n)) = parse_ticket_number(&filter.text) {
            either.push(format!("t.id = {n}"));
        }
        if either.is_empty() {
            either.push("0".to_owned());
        }
        conds.push(format!("({})", either.join(" OR ")));
    }
    if !filter.statuses.is_empty() {
        let mut c = "t.status IN (".to_owned();
        push_ids(&mut c, filter.statuses.iter().map(|s| s.code()));
        c.push(')');
        conds.push(c);
    }
    if !filter.priorities.is_empty() {
        let mut c = "t.priority IN (".to_owned();
        push_ids(&mut c, filter.priorities.iter().map(|p| p.code()));
        c.push(')');
        conds.push(c);
    }
    if let Some(from) = filter.created_from {
        conds.push(format!("t.created_at >= {}", to_millis(from)));
    }
    if let Some(to) = filter.created_to {
        conds.push(format!("t.created_at < {}", to_millis(to)));
    }
    if !filter.tags.is_empty() {
        let mut c = "t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag_id IN (".to_owned();
        push_ids(&mut c, filter.tags.iter().map(|t| t.0));
        c.push_str("))");
        conds.push(c);
    }
    if !filter.customer_tags.is_empty() {
        let mut c =
            "t.customer_id IN (SELECT customer_id FROM customer_tags WHERE tag_id IN (".to_owned();
        push_ids(&mut c, filter.customer_tags.iter().map(|t| t.0));
        c.push_str("))");
        conds.push(c);
    }
    if !filter.assignees.is_empty() || filter.unassigned {
        let mut either: Vec<String> = Vec::new();
        if !filter.assignees.is_empty() {
            let mut c =
                "t.id IN (SELECT ticket_id FROM ticket_assignees WHERE agent_id IN (".to_owned();
            push_ids(&mut c, filter.assignees.iter().map(|a| a.0));
            c.push_str("))");
            either.push(c);
        }
        if filter.unassigned {
            either.push("t.assignee_key IS NULL".to_owned());
        }
        conds.push(format!("({})", either.join(" OR ")));
    }
    if let Some(customer) = filter.customer {
        conds.push(format!("t.customer_id = {}", customer.0));
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    (sql, values)
}

/// The SQL of a listing's two queries (page of numbers; total), for plan checks.
pub fn listing_sql(request: &ListRequest) -> (String, String) {
    let (cond, _) = where_clause(&request.filter);
    (
        format!(
            "SELECT t.id FROM tickets t{cond} ORDER BY {} LIMIT {} OFFSET {}",
            request.sort.order_by(),
            request.limit,
            request.offset
        ),
        format!("SELECT count(*) FROM tickets t{cond}"),
    )
}

impl Store {
    /// One page of the tickets matching a filter, in order, with the exact total.
    pub fn list_tickets(&self, request: &ListRequest) -> Result<TicketPage, StoreError> {
        let numbers = self.list_numbers(request)?;
        Ok(TicketPage {
            total: self.count_tickets(&request.filter)?,
            offset: request.offset,
            rows: self.rows(&numbers)?,
        })
    }

    /// The numbers of one page of matching tickets, in order.
    pub fn list_numbers(&self, request: &ListRequest) -> Result<Vec<TicketNumber>, StoreError> {
        let (cond, values) = where_clause(&request.filter);
        let sql = format!(
            "SELECT t.id FROM tickets t{cond} ORDER BY {} LIMIT ?{} OFFSET ?{}",
            request.sort.order_by(),
            values.len() + 1,
            values.len() + 2
        );
        let mut values = values;
        values.push(Value::Integer(i64::from(request.limit)));
        values.push(Value::Integer(
            i64::try_from(request.offset).unwrap_or(i64::MAX),
        ));
        let mut stmt = self.conn.prepare(&sql)?;
        let numbers = stmt
            .query_map(rusqlite::params_from_iter(values), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(numbers)
    }

    /// How many tickets match a filter.
    pub fn count_tickets(&self, filter: &TicketFilter) -> Result<u64, StoreError> {
        let (cond, values) = where_clause(filter);
        let sql = format!("SELECT count(*) FROM tickets t{cond}");
        let n: i64 = self
            .conn
            .prepare(&sql)?
            .query_row(rusqlite::params_from_iter(values), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// List rows for these tickets, in the order given; numbers that do not exist are skipped.
    pub fn rows(&self, numbers: &[TicketNumber]) -> Result<Vec<TicketRow>, StoreError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from(
            "SELECT t.id, t.subject, t.status, t.priority, c.name, t.created_at, t.updated_at,
                    (SELECT group_concat(a.name, char(31) ORDER BY a.sort_key, a.id)
                     FROM ticket_assignees ta JOIN agents a ON a.id = ta.agent_id
                     WHERE ta.ticket_id = t.id)
             FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
             WHERE t.id IN (",
        );
        push_ids(&mut sql, numbers.iter().map(|n| n.0));
        sql.push(')');
        let mut stmt = self.conn.prepare(&sql)?;
        let mut found: std::collections::HashMap<TicketNumber, TicketRow> = stmt
            .query_map([], |r| {
                let assignees: Option<String> = r.get(7)?;
                let number: TicketNumber = r.get(0)?;
                Ok((
                    number,
                    TicketRow {
                        number,
                        subject: r.get(1)?,
                        status: Status::from_code(r.get(2)?).unwrap_or(Status::Open),
                        priority: Priority::from_code(r.get(3)?).unwrap_or_default(),
                        customer: r.get(4)?,
                        created: from_millis(r.get(5)?),
                        updated: from_millis(r.get(6)?),
                        assignees: assignees
                            .map(|names| names.split('\u{1f}').map(str::to_owned).collect())
                            .unwrap_or_default(),
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(numbers.iter().filter_map(|n| found.remove(n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_query_takes_syntax_literally() {
        assert_eq!(fts_query("refund"), Some("\"refund\" *".to_owned()));
        assert_eq!(
            fts_query("say \"hi\" NEAR"),
            Some("\"say\" * \"\"\"hi\"\"\" * \"NEAR\" *".to_owned())
        );
        assert_eq!(fts_query("  * - ( ) "), None);
        assert_eq!(fts_query(""), None);
    }
}
