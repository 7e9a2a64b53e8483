//! The analytics' reads, the same on every engine: the report of a period
//! and the tickets behind each of its figures, as a handful of integer
//! queries an engine answers through [`Sql`]. Each figure is read from an
//! index made for it; `docs/METRICS.md` defines them, and
//! `src/analytics/` holds the report's types.
//!
//! The queries are written once, in SQLite's spelling (`?1` parameters,
//! `INDEXED BY` hints, `COLLATE NOCASE`); a team server's engine reads them
//! in its own (see `server::desk`).

use std::collections::HashMap;

use crate::analytics::{
    Achievement, AgentRow, Csat, Durations, Measure, Period, Report, Scope, SlaFigures, SlaTarget,
    TOP_TAGS, TagCount, TrendPoint,
};
use crate::domain::{AgentId, Priority, Status, TagId, to_millis};
use crate::store::{Counted, StoreError};

/// An engine's answers to the analytics' queries.
pub(crate) trait Sql {
    /// Runs `sql` with integer parameters `?1`, `?2`…, handing `row` each
    /// row's columns as integers (`None` for NULL), in order.
    fn each(
        &mut self,
        sql: &str,
        params: &[i64],
        row: &mut dyn FnMut(&[Option<i64>]),
    ) -> Result<(), StoreError>;

    /// Runs `sql`, which selects an id, a name and (optionally) a flag.
    fn named(&mut self, sql: &str) -> Result<Vec<(i64, String, bool)>, StoreError>;

    /// The count `sql` selects with `?1` and `?2` set to each range's start
    /// and end, in order, where the engine can ask for them all at once
    /// (a server: one round trip instead of one per day of a year's trend);
    /// `None` to have them asked one by one.
    fn counts_over(
        &mut self,
        _sql: &str,
        _ranges: &[(i64, i64)],
    ) -> Option<Result<Vec<u64>, StoreError>> {
        None
    }

    /// Every row `sql` selects (`columns` integer columns, `?n` set to
    /// `params`), column by column, in no particular order, where the engine
    /// can ship them in bulk (a server: each column as one array, one message
    /// instead of one per row; a year's two million durations cost the client
    /// more per row than the server to find them); `None` to have them read
    /// row by row through [`Sql::each`].
    #[allow(clippy::type_complexity)]
    fn bulk(
        &mut self,
        _sql: &str,
        _params: &[i64],
        _columns: usize,
    ) -> Option<Result<Vec<Vec<Option<i64>>>, StoreError>> {
        None
    }
}

/// Each row `sql` selects (`columns` integer columns), in bulk where the
/// engine can ([`Sql::bulk`]): for reads whose order does not matter.
fn unordered(
    r: &mut dyn Sql,
    sql: &str,
    params: &[i64],
    columns: usize,
    row: &mut dyn FnMut(&[Option<i64>]),
) -> Result<(), StoreError> {
    match r.bulk(sql, params, columns) {
        Some(read) => {
            let read = read?;
            let rows = read.first().map_or(0, Vec::len);
            let mut values = vec![None; columns];
            for i in 0..rows {
                for (value, column) in values.iter_mut().zip(&read) {
                    *value = column.get(i).copied().flatten();
                }
                row(&values);
            }
            Ok(())
        }
        None => r.each(sql, params, row),
    }
}

/// The count `sql` selects for each range (`?1` its start, `?2` its end).
fn counts_over(r: &mut dyn Sql, sql: &str, ranges: &[(i64, i64)]) -> Result<Vec<u64>, StoreError> {
    match r.counts_over(sql, ranges) {
        Some(counts) => counts,
        None => ranges
            .iter()
            .map(|&(s, e)| count(r, sql, &[s, e]))
            .collect(),
    }
}

fn count(r: &mut dyn Sql, sql: &str, params: &[i64]) -> Result<u64, StoreError> {
    let mut n = 0;
    r.each(sql, params, &mut |row| n = row[0].unwrap_or(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn ids(r: &mut dyn Sql, sql: &str, params: &[i64]) -> Result<Vec<i64>, StoreError> {
    let mut out = Vec::new();
    r.each(sql, params, &mut |row| out.extend(row[0]))?;
    Ok(out)
}

fn first_id(r: &mut dyn Sql, sql: &str, params: &[i64]) -> Result<Option<i64>, StoreError> {
    Ok(ids(r, sql, params)?.first().copied())
}

/// The number of the first ticket created at or after `at` (ms, UTC): tickets
/// are numbered in creation order, so a creation range is a number range.
pub(crate) fn first_created_from(r: &mut dyn Sql, at: i64) -> Result<Option<i64>, StoreError> {
    first_id(
        r,
        "SELECT id FROM tickets WHERE created_at >= ?1 ORDER BY created_at, id LIMIT 1",
        &[at],
    )
}

/// The number of the last ticket created before `at` (ms, UTC).
pub(crate) fn last_created_before(r: &mut dyn Sql, at: i64) -> Result<Option<i64>, StoreError> {
    first_id(
        r,
        "SELECT id FROM tickets WHERE created_at < ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
        &[at],
    )
}

/// Status codes of the backlog: Open, In Progress, Waiting.
fn backlog() -> Vec<i64> {
    Status::ALL
        .into_iter()
        .filter(|s| !s.is_resolved_like())
        .map(Status::code)
        .collect()
}

/// The tickets in the backlog at `end`.
fn backlog_ids(r: &mut dyn Sql, at_end: &AtEnd, end: i64) -> Result<Vec<i64>, StoreError> {
    match last_created_before(r, end)? {
        Some(hi) => ids_at_end(r, STATUS_IDS, &backlog(), &at_end.status, (i64::MIN, hi)),
        None => Ok(Vec::new()),
    }
}

/// The numbers of the tickets created in `[start, end)`: a range, since
/// creation order is number order. `None` when there are none.
fn created_range(r: &mut dyn Sql, start: i64, end: i64) -> Result<Option<(i64, i64)>, StoreError> {
    let lo = first_created_from(r, start)?;
    let hi = last_created_before(r, end)?;
    Ok(match (lo, hi) {
        (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
        _ => None,
    })
}

/// How many of the tickets numbered `lo..=hi` carry a tag.
const TAG_COUNT: &str = "SELECT count(*) FROM ticket_tags INDEXED BY ticket_tags_tag WHERE tag_id = ?1 AND ticket_id BETWEEN ?2 AND ?3";
/// The tickets numbered `lo..=hi` that carry a tag.
const TAG_IDS: &str = "SELECT ticket_id FROM ticket_tags INDEXED BY ticket_tags_tag WHERE tag_id = ?1 AND ticket_id BETWEEN ?2 AND ?3";

/// The tickets numbered `lo..=hi` that carry any of `tags`, each once.
/// One index range per tag, deduplicated through a bitmap over the range: a
/// `count(DISTINCT …)` sorts every pair (300 ms for a year at 1M tickets).
fn with_any_tag(
    r: &mut dyn Sql,
    tags: &[TagId],
    (lo, hi): (i64, i64),
) -> Result<Vec<i64>, StoreError> {
    let span = usize::try_from(hi - lo).unwrap_or(0) + 1;
    let mut seen = vec![0u64; span.div_ceil(64)];
    let mut out = Vec::new();
    for tag in tags {
        unordered(r, TAG_IDS, &[tag.0, lo, hi], 1, &mut |row| {
            let Some(id) = row[0] else { return };
            let k = (id - lo) as usize;
            let bit = 1u64 << (k % 64);
            if seen[k / 64] & bit == 0 {
                seen[k / 64] |= bit;
                out.push(id);
            }
        })?;
    }
    Ok(out)
}

/// Statuses and priorities at a moment `end` in the past, for the tickets that
/// changed since: a ticket's status at `end` is the "from" of its first status
/// change at or after `end`; a ticket that has not changed since is as it is now.
pub(crate) struct AtEnd {
    /// Ticket → (status now, status at end), for tickets created before end that changed since.
    status: HashMap<i64, (i64, i64)>,
    /// The same for priorities.
    priority: HashMap<i64, (i64, i64)>,
}

impl AtEnd {
    /// A ticket's status at the end, given its status (code) now.
    pub(crate) fn status_of(&self, id: i64, now: i64) -> Option<Status> {
        Status::from_code(self.status.get(&id).map_or(now, |(_, then)| *then))
    }

    /// A ticket's priority at the end, given its priority (code) now.
    pub(crate) fn priority_of(&self, id: i64, now: i64) -> Option<Priority> {
        Priority::from_code(self.priority.get(&id).map_or(now, |(_, then)| *then))
    }

    fn load(r: &mut dyn Sql, end: i64) -> Result<AtEnd, StoreError> {
        let Some(hi) = last_created_before(r, end)? else {
            return Ok(AtEnd {
                status: HashMap::new(),
                priority: HashMap::new(),
            });
        };
        // The kind is written out so that either engine uses its partial
        // index. A ticket's value at the end is the "from" of its first
        // change since, and its value now the "to" of its last (every change
        // is written with its activity entry, in one transaction): the
        // tickets themselves need not be read. Changes in the same
        // millisecond come in index order, not in the order they were made:
        // of those, the first written (lowest id) is the first.
        let mut then_and_now = |sql: &str| -> Result<HashMap<i64, (i64, i64)>, StoreError> {
            // Ticket → (first change, its "from"; last change, its "to").
            type Moves = ((i64, i64), i64, (i64, i64), i64);
            let mut moves: HashMap<i64, Moves> = HashMap::new();
            r.each(sql, &[end, hi], &mut |row| {
                let (Some(ticket), Some(old), Some(new), Some(at), Some(id)) =
                    (row[0], row[1], row[2], row[3], row[4])
                else {
                    return;
                };
                let when = (at, id);
                let entry = moves.entry(ticket).or_insert((when, old, when, new));
                if when < entry.0 {
                    (entry.0, entry.1) = (when, old);
                }
                if when > entry.2 {
                    (entry.2, entry.3) = (when, new);
                }
            })?;
            Ok(moves
                .into_iter()
                .map(|(id, (_, then, _, now))| (id, (now, then)))
                .collect())
        };
        let status = then_and_now(
            "SELECT ticket_id, old_value, new_value, at, id FROM activity
             WHERE kind = 'status' AND at >= ?1 AND ticket_id <= ?2",
        )?;
        let priority = then_and_now(
            "SELECT ticket_id, old_value, new_value, at, id FROM activity
             WHERE kind = 'priority' AND at >= ?1 AND ticket_id <= ?2",
        )?;
        let at_end = AtEnd { status, priority };
        Ok(at_end)
    }
}

/// Counts per code at the end, among tickets `lo..=hi`: the current counts
/// from the index, corrected by the tickets that changed since. With
/// `derive = (code, total)`, `total` tickets exist in the range and `code`'s
/// count is derived from the others'.
fn counts_at_end(
    r: &mut dyn Sql,
    sql: &str,
    codes: &[i64],
    changed: &HashMap<i64, (i64, i64)>,
    (lo, hi): (i64, i64),
    derive: Option<(i64, u64)>,
) -> Result<Vec<u64>, StoreError> {
    let mut counts = codes
        .iter()
        .map(|&code| {
            if Some(code) == derive.map(|(c, _)| c) {
                Ok(0)
            } else {
                count(r, sql, &[code, lo, hi]).map(|n| n as i64)
            }
        })
        .collect::<Result<Vec<i64>, _>>()?;
    // The most common code is what the others leave of the total: one long
    // index range fewer.
    if let Some((code, total)) = derive {
        let others: i64 = counts.iter().sum();
        if let Some(i) = codes.iter().position(|&c| c == code) {
            counts[i] = total as i64 - others;
        }
    }
    let slot = |code: i64| codes.iter().position(|&c| c == code);
    for (_, &(now, then)) in changed.iter().filter(|(id, _)| (lo..=hi).contains(*id)) {
        if let Some(i) = slot(now) {
            counts[i] -= 1;
        }
        if let Some(i) = slot(then) {
            counts[i] += 1;
        }
    }
    Ok(counts
        .into_iter()
        .map(|n| u64::try_from(n).unwrap_or(0))
        .collect())
}

/// The tickets `lo..=hi` whose code at the end is one of `codes`, ascending.
fn ids_at_end(
    r: &mut dyn Sql,
    sql: &str,
    codes: &[i64],
    changed: &HashMap<i64, (i64, i64)>,
    (lo, hi): (i64, i64),
) -> Result<Vec<i64>, StoreError> {
    let mut out = Vec::new();
    for &code in codes {
        out.extend(
            ids(r, sql, &[code, lo, hi])?
                .into_iter()
                .filter(|id| !changed.contains_key(id)),
        );
    }
    out.extend(
        changed
            .iter()
            .filter(|(id, (_, then))| (lo..=hi).contains(*id) && codes.contains(then))
            .map(|(id, _)| *id),
    );
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

const STATUS_COUNT: &str = "SELECT count(*) FROM tickets INDEXED BY tickets_status WHERE status = ?1 AND id BETWEEN ?2 AND ?3";
const STATUS_IDS: &str =
    "SELECT id FROM tickets INDEXED BY tickets_status WHERE status = ?1 AND id BETWEEN ?2 AND ?3";
const PRIORITY_COUNT: &str = "SELECT count(*) FROM tickets INDEXED BY tickets_priority WHERE priority = ?1 AND id BETWEEN ?2 AND ?3";
const PRIORITY_IDS: &str = "SELECT id FROM tickets INDEXED BY tickets_priority WHERE priority = ?1 AND id BETWEEN ?2 AND ?3";

/// Each agent's handled tickets in `[start, end)` that the pair table cannot
/// settle alone: pairs whose last event is at or after `end`. Pairs whose
/// first event is before `start` are checked against the trail itself, a
/// few thousand tickets a query (one query per ticket was a thousand round
/// trips to a server for last month at 1M tickets: 150 ms of a 250 ms
/// report).
fn handled_late(r: &mut dyn Sql, agent: i64, start: i64, end: i64) -> Result<Vec<i64>, StoreError> {
    let mut pairs = Vec::new();
    r.each(
        "SELECT ticket_id, first_at FROM agent_tickets WHERE agent_id = ?1 AND last_at >= ?2",
        &[agent, end],
        &mut |row| pairs.extend(row[0].zip(row[1])),
    )?;
    let mut out = Vec::new();
    let mut check = Vec::new();
    for (ticket, first_at) in pairs {
        if first_at >= end {
            continue;
        }
        if first_at >= start {
            out.push(ticket);
        } else {
            check.push(ticket);
        }
    }
    for chunk in check.chunks(4096) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        out.extend(ids(
            r,
            &format!(
                "SELECT DISTINCT ticket_id FROM activity
                 WHERE ticket_id IN ({}) AND at >= ?1 AND at < ?2 AND agent_id = ?3",
                list.join(",")
            ),
            &[start, end, agent],
        )?);
    }
    Ok(out)
}

const HANDLED_COUNT: &str =
    "SELECT count(*) FROM agent_tickets WHERE agent_id = ?1 AND last_at >= ?2 AND last_at < ?3";
const HANDLED_IDS: &str =
    "SELECT ticket_id FROM agent_tickets WHERE agent_id = ?1 AND last_at >= ?2 AND last_at < ?3";

/// (duration, agent) of each moment in `[start, end)`, read from a covering index.
fn moments(
    r: &mut dyn Sql,
    sql: &str,
    start: i64,
    end: i64,
) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    let mut out = Vec::new();
    unordered(r, sql, &[start, end], 2, &mut |row| {
        if let Some(value) = row[0] {
            out.push((value, row[1]));
        }
    })?;
    Ok(out)
}

const RESOLUTIONS: &str = "SELECT resolved_at - created_at, resolved_by FROM tickets
     WHERE resolved_at >= ?1 AND resolved_at < ?2";
const FIRST_REPLIES: &str = "SELECT first_reply_at - created_at, first_reply_by FROM tickets
     WHERE first_reply_at >= ?1 AND first_reply_at < ?2";
const RATINGS: &str = "SELECT csat, resolved_by FROM tickets WHERE csat_at >= ?1 AND csat_at < ?2";

/// A map keyed by row id. A million rows of a year are split by agent:
/// SipHash, the standard map's DoS-proof hash, was a tenth of the report's
/// time, and ids from our own database need no such protection.
pub(crate) type IdMap<V> = HashMap<i64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Multiplies the id by a large odd constant (Fibonacci hashing): cheap, and
/// spreads consecutive ids over the high bits the map's table uses.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i64(&mut self, id: i64) {
        self.0 = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Splits (value, agent) pairs into everyone's values and each agent's.
fn by_agent(rows: Vec<(i64, Option<i64>)>) -> (Vec<i64>, IdMap<Vec<i64>>) {
    let mut per: IdMap<Vec<i64>> = IdMap::default();
    let mut all = Vec::with_capacity(rows.len());
    for (value, agent) in rows {
        all.push(value);
        if let Some(agent) = agent {
            per.entry(agent).or_default().push(value);
        }
    }
    (all, per)
}

/// The part of a report a second connection reads while the first reads the
/// rest: the first replies (a million rows for a year at 1M tickets) and how
/// many tickets each agent handled.
pub(crate) struct Side {
    first_response: Durations,
    first_per: IdMap<Durations>,
    handled: IdMap<u64>,
}

pub(crate) fn side(r: &mut dyn Sql, start: i64, end: i64) -> Result<Side, StoreError> {
    let (all, per) = by_agent(moments(r, FIRST_REPLIES, start, end)?);
    let agents = ids(r, "SELECT id FROM agents", &[])?;
    let mut handled = IdMap::default();
    for agent in agents {
        let n = count(r, HANDLED_COUNT, &[agent, start, end])?
            + handled_late(r, agent, start, end)?.len() as u64;
        handled.insert(agent, n);
    }
    Ok(Side {
        first_response: Durations::of(all),
        first_per: per
            .into_iter()
            .map(|(agent, values)| (agent, Durations::of(values)))
            .collect(),
        handled,
    })
}

/// One service-level target that fell due: the ticket, whether it was met,
/// the ticket's priority code now, and whose it is (the first reply's
/// author or the resolver; `None` when not replied / resolved yet).
struct TargetRow {
    id: i64,
    met: bool,
    priority: i64,
    owner: Option<i64>,
}

/// The targets of this kind whose due moment is in `[start, until)`, and,
/// when `assignees` is asked for, the assignees of those nobody has
/// replied to / resolved yet (whose the target then is), by ticket.
fn targets_due(
    r: &mut dyn Sql,
    target: SlaTarget,
    (start, until): (i64, i64),
    assignees: bool,
) -> Result<(Vec<TargetRow>, IdMap<Vec<i64>>), StoreError> {
    let (rows_sql, assigned_sql) = match target {
        SlaTarget::FirstReply => (
            "SELECT id, first_met, priority, first_reply_by FROM tickets
             WHERE first_due_at >= ?1 AND first_due_at < ?2",
            "SELECT a.ticket_id, a.agent_id FROM tickets t
             JOIN ticket_assignees a ON a.ticket_id = t.id
             WHERE t.first_due_at >= ?1 AND t.first_due_at < ?2 AND t.first_reply_by IS NULL",
        ),
        SlaTarget::Resolution => (
            "SELECT id, resolve_met, priority,
                    CASE WHEN resolved_at IS NOT NULL THEN resolved_by END FROM tickets
             WHERE resolve_due_at >= ?1 AND resolve_due_at < ?2",
            "SELECT a.ticket_id, a.agent_id FROM tickets t
             JOIN ticket_assignees a ON a.ticket_id = t.id
             WHERE t.resolve_due_at >= ?1 AND t.resolve_due_at < ?2
               AND (t.resolved_at IS NULL OR t.resolved_by IS NULL)",
        ),
    };
    let mut rows = Vec::new();
    unordered(r, rows_sql, &[start, until], 4, &mut |row| {
        if let (Some(id), Some(priority)) = (row[0], row[2]) {
            rows.push(TargetRow {
                id,
                met: row[1] == Some(1),
                priority,
                owner: row[3],
            });
        }
    })?;
    let mut assigned: IdMap<Vec<i64>> = IdMap::default();
    if assignees {
        unordered(r, assigned_sql, &[start, until], 2, &mut |row| {
            if let (Some(ticket), Some(agent)) = (row[0], row[1]) {
                assigned.entry(ticket).or_default().push(agent);
            }
        })?;
    }
    Ok((rows, assigned))
}

impl TargetRow {
    /// The agents the target counts for.
    fn agents<'a>(&'a self, assigned: &'a IdMap<Vec<i64>>) -> impl Iterator<Item = i64> + 'a {
        let assignees = match self.owner {
            Some(_) => None,
            None => assigned.get(&self.id),
        };
        self.owner
            .into_iter()
            .chain(assignees.into_iter().flatten().copied())
    }
}

/// SLA achievement of `[start, until)`: overall, per priority, per agent
/// (first reply, resolution).
fn sla_figures(
    r: &mut dyn Sql,
    start: i64,
    until: i64,
) -> Result<(SlaFigures, IdMap<[Achievement; 2]>), StoreError> {
    let mut figures = SlaFigures {
        by_priority: Priority::ALL
            .into_iter()
            .map(|p| (p, Achievement::default(), Achievement::default()))
            .collect(),
        ..SlaFigures::default()
    };
    let mut per: IdMap<[Achievement; 2]> = IdMap::default();
    for (i, target) in SlaTarget::ALL.into_iter().enumerate() {
        let (rows, assigned) = targets_due(r, target, (start, until), true)?;
        let mut all = Achievement::default();
        for row in &rows {
            all.add(row.met);
            if let Some(p) = figures
                .by_priority
                .iter_mut()
                .find(|(p, _, _)| p.code() == row.priority)
            {
                let slot = if i == 0 { &mut p.1 } else { &mut p.2 };
                slot.add(row.met);
            }
            for agent in row.agents(&assigned) {
                per.entry(agent).or_default()[i].add(row.met);
            }
        }
        match target {
            SlaTarget::FirstReply => figures.first_reply = all,
            SlaTarget::Resolution => figures.resolution = all,
        }
    }
    Ok((figures, per))
}

/// The tickets behind a [`Measure::TargetDue`].
fn target_due_ids(
    r: &mut dyn Sql,
    target: SlaTarget,
    missed: bool,
    priority: Option<Priority>,
    agent: Option<AgentId>,
    (start, until): (i64, i64),
) -> Result<Vec<i64>, StoreError> {
    let (rows, assigned) = targets_due(r, target, (start, until), agent.is_some())?;
    Ok(rows
        .iter()
        .filter(|t| !(missed && t.met))
        .filter(|t| priority.is_none_or(|p| p.code() == t.priority))
        .filter(|t| agent.is_none_or(|a| t.agents(&assigned).any(|x| x == a.0)))
        .map(|t| t.id)
        .collect())
}

/// Everything but the side part, which `side` supplies.
pub(crate) fn report_main(
    r: &mut dyn Sql,
    period: &Period,
    side: impl FnOnce(&mut dyn Sql) -> Result<Side, StoreError>,
) -> Result<Report, StoreError> {
    let (start, end) = period.millis();
    let range = created_range(r, start, end)?;
    let at_end = AtEnd::load(r, end)?;

    let open = match last_created_before(r, end)? {
        Some(hi) => counts_at_end(
            r,
            STATUS_COUNT,
            &backlog(),
            &at_end.status,
            (i64::MIN, hi),
            None,
        )?
        .iter()
        .sum(),
        None => 0,
    };

    let ranges: Vec<(i64, i64)> = period
        .buckets
        .iter()
        .map(|b| (to_millis(b.start), to_millis(b.end)))
        .collect();
    let created_per = counts_over(
        r,
        "SELECT count(*) FROM tickets WHERE created_at >= ?1 AND created_at < ?2",
        &ranges,
    )?;
    let closed_per = counts_over(
        r,
        "SELECT count(*) FROM tickets WHERE closed_at >= ?1 AND closed_at < ?2",
        &ranges,
    )?;
    let trend: Vec<TrendPoint> = period
        .buckets
        .iter()
        .zip(created_per.into_iter().zip(closed_per))
        .map(|(b, (created, closed))| TrendPoint {
            label: b.label.clone(),
            start: b.start,
            end: b.end,
            created,
            closed,
        })
        .collect();
    // The buckets tile the period, so the cards are their sums.
    let created = trend.iter().map(|p| p.created).sum();
    let closed = trend.iter().map(|p| p.closed).sum();

    let status_codes: Vec<i64> = Status::ALL.iter().map(|s| s.code()).collect();
    let priority_codes: Vec<i64> = Priority::ALL.iter().map(|p| p.code()).collect();
    let (by_status, by_priority) = match range {
        Some(range) => (
            counts_at_end(
                r,
                STATUS_COUNT,
                &status_codes,
                &at_end.status,
                range,
                Some((Status::Closed.code(), created)),
            )?,
            counts_at_end(
                r,
                PRIORITY_COUNT,
                &priority_codes,
                &at_end.priority,
                range,
                Some((Priority::Medium.code(), created)),
            )?,
        ),
        None => (vec![0; status_codes.len()], vec![0; priority_codes.len()]),
    };
    let by_status: Vec<(Status, u64)> = Status::ALL.into_iter().zip(by_status).collect();
    let by_priority: Vec<(Priority, u64)> = Priority::ALL.into_iter().zip(by_priority).collect();
    let closed_of_created = by_status
        .iter()
        .find(|(s, _)| *s == Status::Closed)
        .map_or(0, |(_, n)| *n);

    // By Tag: one index range per tag.
    let tags: Vec<(TagId, String)> = r
        .named("SELECT id, name FROM tags ORDER BY name COLLATE NOCASE, id")?
        .into_iter()
        .map(|(id, name, _)| (TagId(id), name))
        .collect();
    let mut tag_counts = Vec::new();
    if let Some((lo, hi)) = range {
        for (tag, name) in tags {
            let n = count(r, TAG_COUNT, &[tag.0, lo, hi])?;
            if n > 0 {
                tag_counts.push(TagCount {
                    tag: Some(tag),
                    name,
                    tickets: n,
                });
            }
        }
    }
    // Largest first; equal counts by name (the sort above is stable).
    tag_counts.sort_by_key(|t| std::cmp::Reverse(t.tickets));
    let rest = if tag_counts.len() > TOP_TAGS {
        tag_counts.split_off(TOP_TAGS)
    } else {
        Vec::new()
    };
    let other_tags: Vec<TagId> = rest.iter().filter_map(|t| t.tag).collect();
    if let (false, Some((lo, hi))) = (rest.is_empty(), range) {
        // Distinct tickets: one with two of the smaller tags is one ticket,
        // as the bar's drill-down lists it.
        let tickets = with_any_tag(r, &other_tags, (lo, hi))?.len() as u64;
        tag_counts.push(TagCount {
            tag: None,
            name: "Other".to_owned(),
            tickets,
        });
    }

    let (resolutions, mut resolved_per) = by_agent(moments(r, RESOLUTIONS, start, end)?);
    let ratings = moments(r, RATINGS, start, end)?;
    let mut csat = Csat::default();
    let mut csat_per: IdMap<Csat> = IdMap::default();
    for (rating, resolver) in ratings {
        csat.add(rating);
        if let Some(agent) = resolver {
            csat_per.entry(agent).or_default().add(rating);
        }
    }

    let (sla, mut sla_per) = sla_figures(r, start, period.due_until_millis())?;

    let mut side = side(r)?;
    let agents: Vec<(AgentId, String, bool)> = r
        .named("SELECT id, name, active FROM agents ORDER BY sort_key, id")?
        .into_iter()
        .map(|(id, name, active)| (AgentId(id), name, active))
        .collect();
    let mut rows = Vec::new();
    for (agent, name, active) in agents {
        let handled = side.handled.get(&agent.0).copied().unwrap_or_default();
        let [sla_first_reply, sla_resolution] = sla_per.remove(&agent.0).unwrap_or_default();
        let row = AgentRow {
            agent,
            name,
            active,
            handled,
            resolution: Durations::of(resolved_per.remove(&agent.0).unwrap_or_default()),
            first_response: side.first_per.remove(&agent.0).unwrap_or_default(),
            csat: csat_per.get(&agent.0).copied().unwrap_or_default(),
            sla_first_reply,
            sla_resolution,
        };
        // Agents with nothing in the period get no row, active or not.
        if row.handled > 0
            || row.resolved() > 0
            || row.first_responses() > 0
            || row.csat.ratings > 0
            || row.sla_first_reply.due > 0
            || row.sla_resolution.due > 0
        {
            rows.push(row);
        }
    }
    rows.sort_by_key(|a| std::cmp::Reverse(a.handled));

    let report = Report {
        period: period.clone(),
        created,
        closed,
        open,
        resolution: Durations::of(resolutions),
        first_response: side.first_response,
        closed_of_created,
        trend,
        by_status,
        by_priority,
        by_tag: tag_counts,
        other_tags,
        agents: rows,
        csat,
        sla,
    };
    Ok(report)
}

/// The numbers of the tickets behind a scope, ascending. Runs within the caller's snapshot.
pub(crate) fn scope_ids(r: &mut dyn Sql, scope: &Scope) -> Result<Vec<i64>, StoreError> {
    let (start, end) = (scope.start_ms, scope.end_ms);
    let created = |r: &mut dyn Sql| created_range(r, start, end);
    let mut out = match &scope.measure {
        Measure::Created => match created(r)? {
            Some((lo, hi)) => ids(
                r,
                "SELECT id FROM tickets WHERE id BETWEEN ?1 AND ?2",
                &[lo, hi],
            )?,
            None => Vec::new(),
        },
        Measure::Closed => ids(
            r,
            "SELECT id FROM tickets WHERE closed_at >= ?1 AND closed_at < ?2",
            &[start, end],
        )?,
        Measure::OpenAtEnd => {
            let at_end = AtEnd::load(r, end)?;
            backlog_ids(r, &at_end, end)?
        }
        Measure::Resolved => ids(
            r,
            "SELECT id FROM tickets WHERE resolved_at >= ?1 AND resolved_at < ?2",
            &[start, end],
        )?,
        Measure::FirstReplied => ids(
            r,
            "SELECT id FROM tickets WHERE first_reply_at >= ?1 AND first_reply_at < ?2",
            &[start, end],
        )?,
        Measure::CreatedWithStatus(status) => match created(r)? {
            Some(range) => {
                let at_end = AtEnd::load(r, end)?;
                ids_at_end(r, STATUS_IDS, &[status.code()], &at_end.status, range)?
            }
            None => Vec::new(),
        },
        Measure::CreatedWithPriority(priority) => match created(r)? {
            Some(range) => {
                let at_end = AtEnd::load(r, end)?;
                ids_at_end(r, PRIORITY_IDS, &[priority.code()], &at_end.priority, range)?
            }
            None => Vec::new(),
        },
        Measure::CreatedWithTag(tag) => match created(r)? {
            Some((lo, hi)) => ids(r, TAG_IDS, &[tag.0, lo, hi])?,
            None => Vec::new(),
        },
        Measure::CreatedWithAnyTag(tags) => match created(r)? {
            Some(range) => with_any_tag(r, tags, range)?,
            None => Vec::new(),
        },
        Measure::HandledBy(agent) => {
            let mut all = ids(r, HANDLED_IDS, &[agent.0, start, end])?;
            all.extend(handled_late(r, agent.0, start, end)?);
            all
        }
        Measure::ResolvedBy(agent) => ids(
            r,
            "SELECT id FROM tickets WHERE resolved_at >= ?1 AND resolved_at < ?2 AND resolved_by = ?3",
            &[start, end, agent.0],
        )?,
        Measure::FirstRepliedBy(agent) => ids(
            r,
            "SELECT id FROM tickets WHERE first_reply_at >= ?1 AND first_reply_at < ?2 AND first_reply_by = ?3",
            &[start, end, agent.0],
        )?,
        Measure::Rated => ids(
            r,
            "SELECT id FROM tickets WHERE csat_at >= ?1 AND csat_at < ?2",
            &[start, end],
        )?,
        Measure::RatedResolvedBy(agent) => ids(
            r,
            "SELECT id FROM tickets WHERE csat_at >= ?1 AND csat_at < ?2 AND resolved_by = ?3",
            &[start, end, agent.0],
        )?,
        Measure::TargetDue {
            target,
            missed,
            priority,
            agent,
        } => target_due_ids(r, *target, *missed, *priority, *agent, (start, end))?,
    };
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Every ticket that any card (or the team's CSAT) counted, ascending, with
/// why; and the statuses and priorities at the period's end, for their rows.
pub(crate) fn report_ticket_flags(
    r: &mut dyn Sql,
    period: &Period,
) -> Result<(Vec<(i64, Counted)>, AtEnd), StoreError> {
    let (start, end) = period.millis();
    let scope = |measure| Scope {
        measure,
        start_ms: start,
        end_ms: end,
        label: String::new(),
    };
    let at_end = AtEnd::load(r, end)?;
    let mut flags: HashMap<i64, Counted> = HashMap::new();
    // The backlog at the end, from the changes already loaded.
    for id in backlog_ids(r, &at_end, end)? {
        flags.entry(id).or_default().open = true;
    }
    type Mark = fn(&mut Counted);
    let sets: [(Measure, Mark); 5] = [
        (Measure::Created, |c| c.created = true),
        (Measure::Closed, |c| c.closed = true),
        (Measure::Resolved, |c| c.resolution = true),
        (Measure::FirstReplied, |c| c.first_response = true),
        (Measure::Rated, |c| c.rated = true),
    ];
    for (measure, mark) in sets {
        for id in scope_ids(r, &scope(measure))? {
            mark(flags.entry(id).or_default());
        }
    }
    // Targets count up to when the report was made.
    let until = period.due_until_millis();
    for target in SlaTarget::ALL {
        for id in target_due_ids(r, target, false, None, None, (start, until))? {
            let counted = flags.entry(id).or_default();
            match target {
                SlaTarget::FirstReply => counted.sla_first_reply = true,
                SlaTarget::Resolution => counted.sla_resolution = true,
            }
        }
    }
    let mut out: Vec<(i64, Counted)> = flags.into_iter().collect();
    out.sort_unstable_by_key(|(id, _)| *id);
    Ok((out, at_end))
}
