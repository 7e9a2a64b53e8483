//! The ticket list: any combination of filters, sorted by any column, paged, with the exact total.
//!
//! Filters of different kinds narrow together (AND); several values of one kind
//! widen (OR): statuses Open and Waiting means either. Every filter is served by
//! an index (see `tests/query_plans.rs`).

use std::rc::Rc;

use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::vtab::array::Array;
use rusqlite::{Connection, ToSql};

use super::facets::{Codes, slot};
use super::report::Lite;
use super::{FileStore, StoreError};
use crate::domain::validate;
use crate::domain::{
    Priority, Status, TicketNumber, TicketRow, from_millis, parse_ticket_number, to_millis,
};
use crate::store::figures::{first_created_from, last_created_before, scope_ids};
use crate::store::search::{email_patterns, is_email_like, search_words, text_has_email};
use crate::store::{
    FacetCounts, ListKey, ListRequest, Sort, SortColumn, SortValue, TicketFilter, TicketPage,
};

/// The primary sort expression of a column; ties are broken by number (=
/// creation order).
fn expression(column: SortColumn) -> &'static str {
    match column {
        SortColumn::Number => "t.id",
        SortColumn::Subject => "t.subject COLLATE NOCASE",
        SortColumn::Status => "t.status",
        SortColumn::Priority => "t.priority",
        SortColumn::Customer => "t.customer_key",
        SortColumn::Assignee => "t.assignee_key",
        SortColumn::Created => "t.id",
        SortColumn::Updated => "t.updated_at",
        SortColumn::Due => "t.due_at",
    }
}

/// The ORDER BY of a sort: ties go by number in the same direction.
fn order_by(sort: Sort) -> String {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    match sort.column {
        // Numbers grow with creation time, so both sort by number alone.
        SortColumn::Number | SortColumn::Created => format!("t.id {dir}"),
        column => format!("{} {dir}, t.id {dir}", expression(column)),
    }
}

/// Whether a word may hold a token for the search index's tokenizer. In
/// ASCII only letters and digits are word characters to `unicode61`; beyond
/// ASCII its own Unicode tables decide (characters newer than them count as
/// word characters), so such a word is left to it: FTS5 passes over a quoted
/// word that holds no token.
fn may_hold_token(word: &str) -> bool {
    word.chars()
        .any(|c| c.is_ascii_alphanumeric() || !c.is_ascii())
}

/// Turns what a person typed into an FTS5 query that matches every word (as a
/// word or the start of one), taking quotes, `*`, `-`, `NEAR`, `OR` and the
/// like literally. Email-like words are left to the email match. `None` when
/// nothing searchable by words was typed.
pub fn fts_query(text: &str) -> Option<String> {
    let mut query = String::new();
    for word in search_words(text) {
        if !may_hold_token(word) || is_email_like(word) {
            continue;
        }
        if !query.is_empty() {
            query.push(' ');
        }
        // Inside an FTS5 string everything is literal; `"` is written twice.
        query.push_str(&format!("\"{}\" *", word.replace('"', "\"\"")));
    }
    (!query.is_empty()).then_some(query)
}

fn id_list(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|id| id.to_string()).collect::<Vec<_>>().join(",")
}

/// A value a listing's statements bind: a text, or the numbers of a set of
/// tickets (read through `rarray`).
#[derive(Clone, Debug)]
enum Param {
    Value(Value),
    Numbers(Array),
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::Value(value) => value.to_sql(),
            Param::Numbers(numbers) => numbers.to_sql(),
        }
    }
}

impl IdSet {
    /// The tickets of the customers a subquery names, within `bounds` on `id`.
    fn of_customers(customers: &str, bounds: &str) -> IdSet {
        IdSet {
            select: format!("SELECT id FROM tickets WHERE customer_id IN ({customers}){bounds}"),
            probe: format!("+t.customer_id IN ({customers})"),
            repeats: false,
        }
    }
}

/// Which side of a filter a count starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Driver {
    /// The tickets in the sets.
    Sets,
    /// The tickets meeting the row conditions.
    Rows,
}

/// One filter that names a set of tickets through another table (tags,
/// assignees, customer tags, search).
struct IdSet {
    /// A SELECT of one column `id`: the tickets in the set.
    select: String,
    /// The same test as a condition on one ticket row `t`, for scanning in sort order.
    probe: String,
    /// Whether `select` can name a ticket more than once.
    repeats: bool,
}

/// A filter made ready for SQL: sets to intersect and conditions on the row.
///
/// Two shapes of query follow from it. Driven by the sets, SQLite visits only
/// the tickets in them and sorts those: cheap when they are few. Scanning in
/// sort order, SQLite walks the sort column's index and tests each ticket
/// against the sets until the page is full: cheap when they are many. The
/// exact count, which the list needs anyway, decides between the two.
struct Plan {
    sets: Vec<IdSet>,
    /// The word-search set and its bound query, when the search is words alone:
    /// FTS5 can hand its matches over in number order, so pages in number
    /// order are read straight from it.
    words: Option<(usize, usize)>,
    /// Conditions on the ticket row: the number range first, if any.
    conds: Vec<String>,
    /// The created range as conditions on `created_at`: the same tickets
    /// as the number range (numbers follow creation time), which only a
    /// count of the range alone reads, through the `created_at` index.
    created: Vec<String>,
    values: Vec<Param>,
    /// The filter's statuses and priorities (empty: any).
    statuses: Vec<Status>,
    priorities: Vec<Priority>,
    /// The number range of the created range, if any (inclusive).
    bounds: (Option<i64>, Option<i64>),
}

/// Where a filter's tickets are read from.
enum Source {
    /// A SELECT of distinct ticket numbers, `id`.
    Numbers(String),
    /// The rows of `tickets t` meeting this WHERE clause (empty: every ticket).
    Rows(String),
}

impl Plan {
    /// The plan of `filter`. With the facet table at hand (`codes`), a
    /// filter of sets and statuses or priorities is worked out here, to the
    /// very tickets that match (see [`Self::narrow_sets`]).
    fn build(
        conn: &Connection,
        filter: &TicketFilter,
        codes: Option<&Codes>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Plan, StoreError> {
        let mut plan = Plan {
            sets: Vec::new(),
            words: None,
            conds: Vec::new(),
            created: Vec::new(),
            values: Vec::new(),
            statuses: filter.statuses.clone(),
            priorities: filter.priorities.clone(),
            bounds: (None, None),
        };
        // Creation order is number order, so a created range is a number range:
        // it narrows every set and scan below, not just the rows at the end.
        let (lo, hi) = number_bounds(conn, filter)?;
        plan.bounds = (lo, hi);
        let bounds = |col: &str| match (lo, hi) {
            (None, None) => String::new(),
            (lo, hi) => format!(
                " AND {col} BETWEEN {} AND {}",
                lo.unwrap_or(i64::MIN),
                hi.unwrap_or(i64::MAX)
            ),
        };
        if lo.is_some() || hi.is_some() {
            plan.conds.push(format!("1{}", bounds("t.id")));
        }
        if let Some(from) = filter.created_from {
            plan.created
                .push(format!("t.created_at >= {}", to_millis(from)));
        }
        if let Some(to) = filter.created_to {
            plan.created
                .push(format!("t.created_at < {}", to_millis(to)));
        }
        if let Some(since) = filter.updated_since_millis(now) {
            plan.conds.push(format!("t.updated_at >= {since}"));
        }
        if let Some(due) = filter.due_condition(now) {
            plan.conds.push(due);
        }
        if !filter.numbers.is_empty() {
            let numbers = id_list(filter.numbers.iter().map(|n| n.0));
            plan.conds.push(format!("t.id IN ({numbers})"));
        }
        if filter.scope.is_some() {
            // Filled by `FileStore::prepare_scope` before the plan is built.
            plan.sets.push(IdSet {
                select: format!("SELECT id FROM temp.scope_tickets WHERE 1{}", bounds("id")),
                probe: "t.id IN (SELECT id FROM temp.scope_tickets)".to_owned(),
                repeats: false,
            });
        }
        if !validate::search(&filter.text)?.trim().is_empty() {
            // A merged ticket's number finds the ticket it was merged into
            // too; an imported ticket's id in its source finds it.
            let mut named = super::imports::tickets_named(conn, &filter.text)?;
            if let Some(n) = parse_ticket_number(&filter.text) {
                named.push(n.0);
                named.extend(super::links::kept_for(conn, n)?.map(|k| k.0));
            }
            let number = (!named.is_empty()).then_some(());
            let numbers = id_list(named.into_iter());
            match fts_query(&filter.text) {
                Some(query) => {
                    plan.values.push(Param::Value(Value::Text(query)));
                    let n = plan.values.len();
                    let search = format!(
                        "SELECT rowid AS id FROM ticket_search WHERE ticket_search MATCH ?{n}{}",
                        bounds("rowid")
                    );
                    let (select, probe) = match number {
                        // Only a ticket that exists (and lies in the range) is in the set.
                        Some(_) => (
                            format!(
                                "{search} UNION SELECT id FROM tickets WHERE id IN ({numbers}){}",
                                bounds("id")
                            ),
                            format!("(+t.id IN ({search}) OR t.id IN ({numbers}))"),
                        ),
                        None => {
                            plan.words = Some((plan.sets.len(), n));
                            (search.clone(), format!("+t.id IN ({search})"))
                        }
                    };
                    plan.sets.push(IdSet {
                        select,
                        probe,
                        repeats: false,
                    });
                }
                None => match number {
                    Some(_) => plan.conds.push(format!("t.id IN ({numbers})")),
                    None if !text_has_email(&filter.text) => plan.conds.push("0".to_owned()),
                    None => {}
                },
            }
            for pattern in email_patterns(&filter.text) {
                plan.values.push(Param::Value(Value::Text(pattern)));
                let customers = format!(
                    "SELECT id FROM customers WHERE email LIKE ?{} ESCAPE '\\'",
                    plan.values.len()
                );
                plan.sets
                    .push(IdSet::of_customers(&customers, &bounds("id")));
            }
        }
        if !filter.statuses.is_empty() {
            let codes = id_list(filter.statuses.iter().map(|s| s.code()));
            plan.conds.push(format!("t.status IN ({codes})"));
        }
        if !filter.priorities.is_empty() {
            let codes = id_list(filter.priorities.iter().map(|p| p.code()));
            plan.conds.push(format!("t.priority IN ({codes})"));
        }
        if let Some(customer) = filter.customer {
            plan.conds.push(format!("t.customer_id = {}", customer.0));
        }
        if !filter.tags.is_empty() {
            let tags = id_list(filter.tags.iter().map(|t| t.0));
            plan.sets.push(IdSet {
                select: format!(
                    "SELECT ticket_id AS id FROM ticket_tags WHERE tag_id IN ({tags}){}",
                    bounds("ticket_id")
                ),
                probe: format!(
                    "EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag_id IN ({tags}))"
                ),
                repeats: filter.tags.len() > 1,
            });
        }
        if !filter.customer_tags.is_empty() {
            let tags = id_list(filter.customer_tags.iter().map(|t| t.0));
            let customers =
                format!("SELECT customer_id FROM customer_tags WHERE tag_id IN ({tags})");
            plan.sets
                .push(IdSet::of_customers(&customers, &bounds("id")));
        }
        if !filter.assignees.is_empty() {
            let agents = id_list(filter.assignees.iter().map(|a| a.0));
            let mut select = format!(
                "SELECT ticket_id AS id FROM ticket_assignees WHERE agent_id IN ({agents}){}",
                bounds("ticket_id")
            );
            let mut probe = format!(
                "EXISTS (SELECT 1 FROM ticket_assignees a WHERE a.ticket_id = t.id AND a.agent_id IN ({agents}))"
            );
            if filter.unassigned {
                select.push_str(&format!(
                    " UNION SELECT id FROM tickets WHERE assignee_key IS NULL{}",
                    bounds("id")
                ));
                probe = format!("({probe} OR t.assignee_key IS NULL)");
            }
            plan.sets.push(IdSet {
                select,
                probe,
                repeats: filter.assignees.len() > 1 && !filter.unassigned,
            });
        } else if filter.unassigned {
            plan.conds.push("t.assignee_key IS NULL".to_owned());
        }
        // Several sets, or sets with statuses or priorities the facet table
        // can test, are worked out here.
        let tests_codes = !plan.sets.is_empty()
            && plan.tests_codes_only()
            && plan.conds.len() > usize::from(plan.has_range());
        match codes {
            Some(codes) if tests_codes || (plan.sets.len() > 1 && plan.tests_codes_only()) => {
                plan.narrow_sets(conn, Some(codes))?;
            }
            _ if plan.sets.len() > 1 => plan.narrow_sets(conn, None)?,
            _ => {}
        }
        Ok(plan)
    }

    fn has_range(&self) -> bool {
        self.bounds != (None, None)
    }

    /// Replaces the sets by the tickets in all of them, worked out here
    /// once: each set's numbers read (an index walk, no ticket rows), then
    /// intersected in memory. SQLite's INTERSECT builds a temporary b-tree
    /// of each side, and the count, the drive's choice and the page would
    /// each build it again. With the facet table, the status and priority
    /// conditions are applied here too (and dropped from the row
    /// conditions): the set is then exactly the tickets that match, its
    /// size the count, and no ticket row is read until the page's.
    fn narrow_sets(&mut self, conn: &Connection, codes: Option<&Codes>) -> Result<(), StoreError> {
        let mut common: Option<Vec<i64>> = None;
        for set in &self.sets {
            let mut statement = conn.prepare_cached(&set.select)?;
            let params = bound(&statement, &self.values);
            let mut numbers: Vec<i64> = statement
                .query_map(params, |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            numbers.sort_unstable();
            numbers.dedup();
            common = Some(match common {
                None => numbers,
                Some(mut so_far) => {
                    so_far.retain(|n| numbers.binary_search(n).is_ok());
                    so_far
                }
            });
        }
        let mut common = common.unwrap_or_default();
        if let Some(codes) = codes {
            let wanted = wanted_slots(&self.statuses, &self.priorities);
            common.retain(|&n| codes.slot_of(n).is_some_and(|slot| wanted[slot]));
            self.conds.retain(|c| c.starts_with("1 AND t.id BETWEEN"));
            self.statuses.clear();
            self.priorities.clear();
        }
        let numbers: Vec<Value> = common.into_iter().map(Value::Integer).collect();
        self.values.push(Param::Numbers(Rc::new(numbers)));
        let n = self.values.len();
        self.sets = vec![IdSet {
            select: format!("SELECT value AS id FROM rarray(?{n})"),
            probe: format!("+t.id IN rarray(?{n})"),
            repeats: false,
        }];
        self.words = None;
        Ok(())
    }

    /// The tickets in every set, as one SELECT of distinct ids.
    fn intersection(&self) -> String {
        match self.sets.as_slice() {
            [] => String::new(),
            [one] if one.repeats => format!("SELECT DISTINCT id FROM ({})", one.select),
            [one] => one.select.clone(),
            many => many
                .iter()
                .map(|s| format!("SELECT id FROM ({})", s.select))
                .collect::<Vec<_>>()
                .join(" INTERSECT "),
        }
    }

    /// Conditions other than the number range (which the sets already carry).
    fn has_row_conditions(&self) -> bool {
        self.conds
            .iter()
            .any(|c| !c.starts_with("1 AND t.id BETWEEN"))
    }

    /// Whether the row conditions test status and priority only (besides
    /// the number range, which the sets carry): a count can then name the
    /// tickets in the sets and look their status and priority up in the
    /// facet table rather than read each ticket's row.
    fn tests_codes_only(&self) -> bool {
        self.conds.iter().all(|c| {
            c.starts_with("1 AND t.id BETWEEN")
                || c.starts_with("t.status IN")
                || c.starts_with("t.priority IN")
        })
    }

    fn where_sql(conds: &[String]) -> String {
        if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        }
    }

    /// Where the matching tickets are read from. With both sets and row
    /// conditions, `driver` says which side is smaller and so drives: the
    /// sets (looking each ticket up), or the row conditions' index (testing
    /// each ticket against the sets).
    fn source(&self, driver: Driver) -> Source {
        if self.sets.is_empty() {
            if !self.has_row_conditions() && !self.created.is_empty() {
                // The range alone: read from the `created_at` index, whose
                // entries are smaller than ticket rows.
                return Source::Rows(Self::where_sql(&self.created));
            }
            return Source::Rows(Self::where_sql(&self.conds));
        }
        if !self.has_row_conditions() {
            // From the sets alone, without visiting a single ticket row.
            return Source::Numbers(self.intersection());
        }
        let mut conds = match driver {
            Driver::Sets => vec![format!("t.id IN ({})", self.intersection())],
            Driver::Rows => self.sets.iter().map(|s| s.probe.clone()).collect(),
        };
        conds.extend(self.conds.iter().cloned());
        Source::Rows(Self::where_sql(&conds))
    }

    /// The count query, driven as [`Self::source`] says.
    fn count_sql(&self, driver: Driver) -> String {
        match self.source(driver) {
            Source::Numbers(select) => format!("SELECT count(*) FROM ({select})"),
            Source::Rows(clause) => format!("SELECT count(*) FROM tickets t{clause}"),
        }
    }

    /// The matching tickets' numbers, driven as [`Self::source`] says;
    /// `None` when every ticket matches.
    fn numbers_sql(&self, driver: Driver) -> Option<String> {
        match self.source(driver) {
            Source::Numbers(select) => Some(select),
            Source::Rows(clause) if clause.is_empty() => None,
            Source::Rows(clause) => Some(format!("SELECT t.id FROM tickets t{clause}")),
        }
    }

    /// Whether so few tickets match that gathering them all and sorting
    /// them beats walking the sort order until `wanted` rows are found
    /// (about `wanted × all / matches` steps). Visiting a match costs about
    /// twice a step of the walk (a lookup plus its share of the sort).
    fn few(&self, wanted: u64, matches: u64, all: u64) -> bool {
        let scan_steps = wanted.max(1).saturating_mul(all) / matches.max(1);
        matches.saturating_mul(2) <= scan_steps
    }

    /// How many tickets meet the row conditions, counting no further than `cap`.
    fn capped_rows_sql(&self, cap: u64) -> String {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM tickets t{} LIMIT {cap})",
            Self::where_sql(&self.conds)
        )
    }

    /// The page query without its LIMIT, driven by the sets or scanning in
    /// sort order: the rows after `after` (a part of the keyset, see
    /// [`Part`]) in `sort`, each with its sort value. `wanted` is how many
    /// rows it will step over and return, which decides the drive.
    fn page_sql(
        &self,
        sort: Sort,
        after: Option<&After>,
        wanted: u64,
        matches: u64,
        all: u64,
    ) -> String {
        let mut conds = Vec::new();
        let dir = if sort.descending { "DESC" } else { "ASC" };
        if !self.sets.is_empty() {
            if self.few(wanted, matches, all) {
                conds.push(format!("t.id IN ({})", self.intersection()));
            } else if let (Some((set, param)), SortColumn::Number | SortColumn::Created) =
                (self.words, sort.column)
            {
                // Read the word matches in number order straight from the
                // search index, testing each against the rest of the filter.
                conds.push(format!("ticket_search MATCH ?{param}"));
                conds.extend(after.map(|a| a.condition(sort, "s.rowid")));
                conds.extend(
                    self.sets
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != set)
                        .map(|(_, s)| s.probe.clone()),
                );
                conds.extend(self.conds.iter().cloned());
                return format!(
                    "SELECT t.id, t.id FROM ticket_search s CROSS JOIN tickets t ON t.id = s.rowid{} \
                     ORDER BY s.rowid {dir}",
                    Self::where_sql(&conds),
                );
            } else {
                conds.extend(self.sets.iter().map(|s| s.probe.clone()));
            }
        }
        conds.extend(after.map(|a| a.condition(sort, "t.id")));
        if self.sets.is_empty() && !self.few(wanted, matches, all) {
            // Many match: walk the sort order and test each row, rather
            // than gather every match through an index on the condition
            // and sort them all (which a covering index makes look cheap).
            conds.extend(self.conds.iter().map(|c| unindexed(c)));
        } else {
            conds.extend(self.conds.iter().cloned());
        }
        format!(
            "SELECT t.id, {} FROM tickets t{} ORDER BY {}",
            expression(sort.column),
            Self::where_sql(&conds),
            order_by(sort),
        )
    }
}

/// A row condition that no index can serve (`+` on its column), so SQLite
/// walks the sort order and tests it; the number range stays indexed.
fn unindexed(condition: &str) -> String {
    match condition.strip_prefix("t.") {
        Some(rest) if !rest.starts_with("id ") => format!("+t.{rest}"),
        _ => condition.to_owned(),
    }
}

/// The keys of a page's first and last rows.
type Edges = (ListKey, ListKey);

/// The values a statement binds: the first as many as it has parameters
/// (a part of a keyset read may not name the key's value, bound last).
fn bound<'v>(
    statement: &rusqlite::Statement<'_>,
    values: &'v [Param],
) -> rusqlite::ParamsFromIter<std::slice::Iter<'v, Param>> {
    let n = statement.parameter_count().min(values.len());
    rusqlite::params_from_iter(values[..n].iter())
}

/// How a page is read: from the top of the list, from its end, or on from
/// a row whose key is known, whichever passes over the fewest rows.
struct PageRead<'k> {
    /// The order the rows are read in: the request's, or its reverse.
    sort: Sort,
    /// Read on after this key (in `sort`); from the start when `None`.
    after: Option<&'k ListKey>,
    /// Rows to pass over first.
    skip: u64,
    /// Rows to read.
    take: u64,
    /// Whether `sort` is the request's reversed (the rows are turned round).
    reversed: bool,
}

impl<'k> PageRead<'k> {
    fn of(request: &'k ListRequest, total: u64) -> Option<PageRead<'k>> {
        let offset = request.offset;
        if total == 0 || request.limit == 0 || offset >= total {
            return None;
        }
        let end = offset.saturating_add(u64::from(request.limit)).min(total);
        let take = end - offset;
        let reverse = Sort {
            descending: !request.sort.descending,
            ..request.sort
        };
        let mut best = PageRead {
            sort: request.sort,
            after: None,
            skip: offset,
            take,
            reversed: false,
        };
        let mut candidates = vec![PageRead {
            sort: reverse,
            after: None,
            skip: total - end,
            take,
            reversed: true,
        }];
        match &request.anchor {
            Some(anchor) if anchor.position < offset => candidates.push(PageRead {
                sort: request.sort,
                after: Some(&anchor.key),
                skip: offset - anchor.position - 1,
                take,
                reversed: false,
            }),
            Some(anchor) if anchor.position >= end && anchor.position < total => {
                candidates.push(PageRead {
                    sort: reverse,
                    after: Some(&anchor.key),
                    skip: anchor.position - end,
                    take,
                    reversed: true,
                });
            }
            _ => {}
        }
        for candidate in candidates {
            if candidate.skip < best.skip {
                best = candidate;
            }
        }
        Some(best)
    }

    /// The parts of the list after the key, in reading order (one when
    /// reading from the start). A key's text is bound as parameter `param`.
    fn parts(&self, param: usize) -> Vec<Option<After>> {
        let Some(key) = self.after else {
            return vec![None];
        };
        let column = self.sort.column;
        let nullable = matches!(column, SortColumn::Customer | SortColumn::Assignee);
        let parts: &[Part] = match (column, &key.value, self.sort.descending) {
            (SortColumn::Number | SortColumn::Created, _, _) => &[Part::LaterNumbers],
            (_, SortValue::None, false) => &[Part::NoValueLaterNumbers, Part::AnyValue],
            (_, SortValue::None, true) => &[Part::NoValueLaterNumbers],
            (_, _, false) => &[Part::SameValueLaterNumbers, Part::LaterValues],
            (_, _, true) if nullable => &[
                Part::SameValueLaterNumbers,
                Part::LaterValues,
                Part::NoValue,
            ],
            (_, _, true) => &[Part::SameValueLaterNumbers, Part::LaterValues],
        };
        parts
            .iter()
            .map(|&part| {
                Some(After {
                    part,
                    column,
                    key: key.clone(),
                    param,
                })
            })
            .collect()
    }
}

/// One part of the rows after a key, each read through an index range (a
/// row-value comparison, or an OR of the parts, would scan).
#[derive(Clone, Copy, Debug)]
enum Part {
    /// Numbers past the key's (the sort is by number).
    LaterNumbers,
    /// The key's value, numbers past the key's.
    SameValueLaterNumbers,
    /// Values past the key's.
    LaterValues,
    /// No value, numbers past the key's.
    NoValueLaterNumbers,
    /// Any value: after every row without one, ascending.
    AnyValue,
    /// No value: after every row with one, descending.
    NoValue,
}

/// A part of the rows after a key, as a condition.
struct After {
    part: Part,
    column: SortColumn,
    key: ListKey,
    /// The parameter the key's text is bound to.
    param: usize,
}

impl After {
    /// The condition, with `id` the ticket number's column.
    fn condition(&self, sort: Sort, id: &str) -> String {
        let (later, n) = (if sort.descending { "<" } else { ">" }, self.key.number.0);
        let e = expression(self.column);
        let value = match &self.key.value {
            SortValue::None => "NULL".to_owned(),
            SortValue::Number(v) => v.to_string(),
            // Text is bound, after the plan's own values.
            SortValue::Text(_) => format!("?{}", self.param),
        };
        match self.part {
            Part::LaterNumbers => format!("{id} {later} {n}"),
            Part::SameValueLaterNumbers => format!("{e} = {value} AND {id} {later} {n}"),
            Part::LaterValues => format!("{e} {later} {value}"),
            Part::NoValueLaterNumbers => format!("{e} IS NULL AND {id} {later} {n}"),
            Part::AnyValue => format!("{e} IS NOT NULL"),
            Part::NoValue => format!("{e} IS NULL"),
        }
    }
}

/// The counts beside the list's choices from a tally by status and priority
/// (see [`Codes::tally`]): each status with the filter's priorities, each
/// priority with the filter's statuses.
fn facets_of(tally: &[u64; 20], filter: &TicketFilter) -> FacetCounts {
    FacetCounts {
        statuses: Status::ALL
            .into_iter()
            .map(|s| (s, kept(tally, &[s], &filter.priorities)))
            .collect(),
        priorities: Priority::ALL
            .into_iter()
            .map(|p| (p, kept(tally, &filter.statuses, &[p])))
            .collect(),
    }
}

/// The slots of a tally (see [`slot`]) that these statuses and priorities
/// keep (none named: any).
fn wanted_slots(statuses: &[Status], priorities: &[Priority]) -> [bool; 20] {
    let mut wanted = [false; 20];
    for s in Status::ALL {
        for p in Priority::ALL {
            wanted[slot(s, p)] = (statuses.is_empty() || statuses.contains(&s))
                && (priorities.is_empty() || priorities.contains(&p));
        }
    }
    wanted
}

/// How many tickets of a tally by status and priority these statuses and
/// priorities keep.
fn kept(tally: &[u64; 20], statuses: &[Status], priorities: &[Priority]) -> u64 {
    let wanted = wanted_slots(statuses, priorities);
    tally
        .iter()
        .zip(wanted)
        .filter(|(_, w)| *w)
        .map(|(n, _)| n)
        .sum()
}

/// The first and last ticket numbers created within the filter's date range
/// (`None` where the range is open). An empty range gives an empty number range.
fn number_bounds(
    conn: &Connection,
    filter: &TicketFilter,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let lo = match filter.created_from {
        Some(from) => {
            Some(first_created_from(&mut Lite(conn), to_millis(from))?.unwrap_or(i64::MAX))
        }
        None => None,
    };
    let hi = match filter.created_to {
        Some(to) => Some(last_created_before(&mut Lite(conn), to_millis(to))?.unwrap_or(i64::MIN)),
        None => None,
    };
    Ok((lo, hi))
}

impl FileStore {
    /// One page of the tickets matching a filter, in order, with the exact total.
    pub fn list_tickets(&self, request: &ListRequest) -> Result<TicketPage, StoreError> {
        self.reading(|_| {
            self.prepare_scope(&request.filter)?;
            let plan = self.plan(&request.filter)?;
            let total = self.run_count(&plan)?;
            let (numbers, edges) = self.run_page(&plan, request, total)?;
            Ok(TicketPage {
                total: Some(total),
                offset: request.offset,
                rows: self.rows(&numbers)?,
                edges,
            })
        })
    }

    /// One page as the window wants it first: on the file, with its total,
    /// since the count chooses how the page is read (walking the sort order
    /// past few matches, or gathering them), and costs little beside it.
    pub fn list_page(&self, request: &ListRequest) -> Result<TicketPage, StoreError> {
        self.list_tickets(request)
    }

    /// The numbers of one page of matching tickets, in order.
    pub fn list_numbers(&self, request: &ListRequest) -> Result<Vec<TicketNumber>, StoreError> {
        self.reading(|_| {
            self.prepare_scope(&request.filter)?;
            let plan = self.plan(&request.filter)?;
            let total = self.run_count(&plan)?;
            Ok(self.run_page(&plan, request, total)?.0)
        })
    }

    /// How many tickets match a filter.
    pub fn count_tickets(&self, filter: &TicketFilter) -> Result<u64, StoreError> {
        self.reading(|_| {
            self.prepare_scope(filter)?;
            let plan = self.plan(filter)?;
            self.run_count(&plan)
        })
    }

    /// How many tickets match `filter` with each status in place of its
    /// statuses, and with each priority in place of its priorities: the
    /// tickets meeting the rest of the filter are named (as a count would
    /// read them) and tallied by status and priority from the table kept
    /// beside the connection ([`super::facets`]), then summed both ways.
    pub fn facet_counts(&self, filter: &TicketFilter) -> Result<FacetCounts, StoreError> {
        self.reading(|_| {
            self.prepare_scope(filter)?;
            let rest = TicketFilter {
                statuses: Vec::new(),
                priorities: Vec::new(),
                ..filter.clone()
            };
            let plan = self.plan(&rest)?;
            let driver = self.count_driver(&plan)?;
            let codes = self.facets.current(&self.conn)?;
            let tally = match plan.numbers_sql(driver) {
                None => codes.tally_range(None, None),
                Some(sql) => codes.tally(self.numbers(&sql, &plan.values)?.into_iter()),
            };
            Ok(facets_of(&tally, filter))
        })
    }

    /// The queries a listing runs, for checking plans: the page's (one per
    /// part when read on from an anchor, each bound to the filter's values
    /// and then the key's text, if any) and the count.
    pub fn listing_sql(&self, request: &ListRequest) -> Result<(Vec<String>, String), StoreError> {
        self.prepare_scope(&request.filter)?;
        let plan = self.plan(&request.filter)?;
        let total = self.run_count(&plan)?;
        let all = self.all_tickets()?;
        let driver = self.count_driver(&plan)?;
        // For an empty list, as the first page would be read.
        let empty = PageRead {
            sort: request.sort,
            after: None,
            skip: request.offset,
            take: u64::from(request.limit),
            reversed: false,
        };
        let read = PageRead::of(request, total).unwrap_or(empty);
        let pages = read
            .parts(plan.values.len() + 1)
            .iter()
            .map(|after| {
                let body =
                    plan.page_sql(read.sort, after.as_ref(), read.skip + read.take, total, all);
                format!("{body} LIMIT {} OFFSET {}", read.take, read.skip)
            })
            .collect();
        Ok((pages, plan.count_sql(driver)))
    }

    /// Puts the tickets of the filter's scope (if any) in `temp.scope_tickets`.
    /// They are worked out again only when the scope changes or the database
    /// did (here or elsewhere), so paging and facet counts cost nothing extra.
    fn prepare_scope(&self, filter: &TicketFilter) -> Result<(), StoreError> {
        let Some(scope) = &filter.scope else {
            return Ok(());
        };
        let version = self.data_version()?;
        if let Some((cached, v, changes)) = &*self.scope_cache.borrow()
            && cached == scope
            && *v == version
            && *changes == self.conn.total_changes()
        {
            return Ok(());
        }
        // Within the caller's transaction if there is one (an export), else in its own.
        let tx = self
            .conn
            .is_autocommit()
            .then(|| self.conn.unchecked_transaction())
            .transpose()?;
        let ids = scope_ids(&mut Lite(&self.conn), scope)?;
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_tickets (id INTEGER PRIMARY KEY);
             DELETE FROM temp.scope_tickets;",
        )?;
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO temp.scope_tickets (id) VALUES (?1)")?;
        for id in ids {
            insert.execute([id])?;
        }
        if let Some(tx) = tx {
            tx.commit()?;
        }
        *self.scope_cache.borrow_mut() = Some((scope.clone(), version, self.conn.total_changes()));
        Ok(())
    }

    fn all_tickets(&self) -> Result<u64, StoreError> {
        // The largest number bounds the count closely (numbers are never reused)
        // and costs one index step.
        let max: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(id) FROM tickets")?
            .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(max.unwrap_or(0)).unwrap_or(0))
    }

    /// The ticket numbers a SELECT of one column names.
    fn numbers(&self, sql: &str, values: &[Param]) -> Result<Vec<i64>, StoreError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let params = bound(&statement, values);
        let numbers = statement
            .query_map(params, |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(numbers)
    }

    fn count_with(&self, sql: &str, values: &[Param]) -> Result<u64, StoreError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let params = bound(&statement, values);
        let n: i64 = statement.query_row(params, |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// Picks the cheaper side to count from: the sets' size is cheap to know
    /// (no ticket rows), and counting the row conditions stops at that size,
    /// so the choice costs at most one pass over the smaller side's index.
    fn count_driver(&self, plan: &Plan) -> Result<Driver, StoreError> {
        if plan.sets.is_empty() || !plan.has_row_conditions() {
            return Ok(Driver::Sets);
        }
        let in_sets = self.count_with(
            &format!("SELECT count(*) FROM ({})", plan.intersection()),
            &plan.values,
        )?;
        // Row conditions are literals only; the bound values belong to the sets.
        let rows = self.count_with(&plan.capped_rows_sql(in_sets.saturating_add(1)), &[])?;
        Ok(if rows <= in_sets {
            Driver::Rows
        } else {
            Driver::Sets
        })
    }

    /// The plan of a filter, with the facet table if it is at hand.
    fn plan(&self, filter: &TicketFilter) -> Result<Plan, StoreError> {
        let codes = self.facets.if_current(&self.conn)?;
        Plan::build(&self.conn, filter, codes.as_deref(), self.clock.now())
    }

    fn run_count(&self, plan: &Plan) -> Result<u64, StoreError> {
        if plan.sets.is_empty()
            && plan.has_row_conditions()
            && plan.tests_codes_only()
            && let Some(codes) = self.facets.if_current(&self.conn)?
        {
            // Statuses and priorities (in a created range): counted in the
            // facet table, one byte a ticket.
            let (lo, hi) = plan.bounds;
            return Ok(kept(
                &codes.tally_range(lo, hi),
                &plan.statuses,
                &plan.priorities,
            ));
        }
        let driver = self.count_driver(plan)?;
        self.count_with(&plan.count_sql(driver), &plan.values)
    }

    /// The numbers of one page, in order, with the keys of its first and
    /// last row. The page is read by whichever way passes over the fewest
    /// rows ([`PageRead`]); after a key, part by part ([`Part`]).
    fn run_page(
        &self,
        plan: &Plan,
        request: &ListRequest,
        total: u64,
    ) -> Result<(Vec<TicketNumber>, Option<Edges>), StoreError> {
        let Some(read) = PageRead::of(request, total) else {
            return Ok((Vec::new(), None));
        };
        let jumped = self.jump_by_number(plan, &read)?;
        let read = match &jumped {
            Some(key) => PageRead {
                after: Some(key),
                skip: 0,
                ..read
            },
            None => read,
        };
        let all = self.all_tickets()?;
        let mut values = plan.values.clone();
        if let Some(ListKey {
            value: SortValue::Text(text),
            ..
        }) = read.after
        {
            values.push(Param::Value(Value::Text(text.clone())));
        }
        let (mut skip, mut take) = (read.skip, read.take);
        let mut found: Vec<(TicketNumber, SortValue)> = Vec::new();
        for after in read.parts(values.len()) {
            if take == 0 {
                break;
            }
            let body = plan.page_sql(read.sort, after.as_ref(), skip + take, total, all);
            let mut statement = self
                .conn
                .prepare_cached(&format!("{body} LIMIT {take} OFFSET {skip}"))?;
            let params = bound(&statement, &values);
            let rows: Vec<(TicketNumber, SortValue)> = statement
                .query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            if rows.is_empty() {
                // This part holds no more rows than are to be passed over.
                if skip > 0 {
                    skip -= self.count_with(&format!("SELECT count(*) FROM ({body})"), &values)?;
                }
            } else {
                skip = 0;
                take -= rows.len() as u64;
                found.extend(rows);
            }
        }
        if read.reversed {
            found.reverse();
        }
        let key = |(number, value): &(TicketNumber, SortValue)| ListKey {
            value: value.clone(),
            number: *number,
        };
        let edges = found
            .first()
            .zip(found.last())
            .map(|(a, b)| (key(a), key(b)));
        Ok((found.into_iter().map(|(n, _)| n).collect(), edges))
    }

    /// The key of the row just before a page far down a list in number
    /// order, found in the facet table rather than by stepping over rows:
    /// when the filter tests only status, priority and the created range,
    /// the table knows which numbers match. `None` where it cannot say (or
    /// the page is near enough to read by stepping).
    fn jump_by_number(
        &self,
        plan: &Plan,
        read: &PageRead<'_>,
    ) -> Result<Option<ListKey>, StoreError> {
        const NEAR: u64 = 1_000;
        if read.after.is_some()
            || read.skip < NEAR
            || !matches!(read.sort.column, SortColumn::Number | SortColumn::Created)
            || !plan.sets.is_empty()
            || !plan.tests_codes_only()
        {
            return Ok(None);
        }
        let Some(codes) = self.facets.if_current(&self.conn)? else {
            return Ok(None);
        };
        let wanted = wanted_slots(&plan.statuses, &plan.priorities);
        Ok(codes
            .nth(read.sort.descending, plan.bounds, &wanted, read.skip)
            .map(|number| ListKey {
                value: SortValue::Number(number),
                number: TicketNumber(number),
            }))
    }

    /// List rows for these tickets, in the order given; numbers that do not exist are skipped.
    pub fn rows(&self, numbers: &[TicketNumber]) -> Result<Vec<TicketRow>, StoreError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        const SQL: &str =
            "SELECT t.id, t.subject, t.status, t.priority, c.name, t.created_at, t.updated_at,
                    (SELECT group_concat(a.name, char(31) ORDER BY a.sort_key, a.id)
                     FROM ticket_assignees ta JOIN agents a ON a.id = ta.agent_id
                     WHERE ta.ticket_id = t.id), t.due_at, t.due_risk_at
             FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
             WHERE t.id IN rarray(?1)";
        let wanted: Array = Rc::new(numbers.iter().map(|n| Value::Integer(n.0)).collect());
        let mut stmt = self.conn.prepare_cached(SQL)?;
        let mut found: std::collections::HashMap<TicketNumber, TicketRow> = stmt
            .query_map([wanted], |r| {
                let assignees: Option<String> = r.get(7)?;
                let number: TicketNumber = r.get(0)?;
                Ok((
                    number,
                    TicketRow {
                        number,
                        subject: r.get(1)?,
                        status: r.get(2)?,
                        priority: r.get(3)?,
                        customer: r.get(4)?,
                        created: from_millis(r.get(5)?),
                        updated: from_millis(r.get(6)?),
                        due: crate::store::sla::due_of_column(r.get(8)?),
                        due_risk: crate::store::sla::due_of_column(r.get(9)?),
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
        // Email addresses are matched against customers' emails instead.
        assert_eq!(
            fts_query("dana@x.io refund"),
            Some("\"refund\" *".to_owned())
        );
        assert_eq!(
            email_patterns("a_b%c@x.io refund").collect::<Vec<_>>(),
            ["a\\_b\\%c@x.io%"]
        );
        assert_eq!(fts_query(""), None);
    }
}
