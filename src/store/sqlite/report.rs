//! The SQL behind the analytics: the report of a period, and the tickets
//! behind each of its figures. Each figure is read from an index made for
//! it (schema version 3); `docs/METRICS.md` defines them, and
//! `src/analytics/` holds the report's types.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::numbers::{first_created_from, last_created_before};
use super::{FileStore, Snapshot};
use crate::analytics::{
    AgentRow, Csat, Durations, Measure, Period, Report, Scope, TOP_TAGS, TagCount, TrendPoint,
};
use crate::domain::{AgentId, Priority, Status, TagId, to_millis};
use crate::store::{Counted, StoreError};

/// Status codes of the backlog: Open, In Progress, Waiting.
fn backlog() -> Vec<i64> {
    Status::ALL
        .into_iter()
        .filter(|s| !s.is_resolved_like())
        .map(Status::code)
        .collect()
}

/// The tickets in the backlog at `end`.
fn backlog_ids(conn: &Connection, at_end: &AtEnd, end: i64) -> Result<Vec<i64>, StoreError> {
    match last_created_before(conn, end)? {
        Some(hi) => ids_at_end(conn, STATUS_IDS, &backlog(), &at_end.status, (i64::MIN, hi)),
        None => Ok(Vec::new()),
    }
}

/// The numbers of the tickets created in `[start, end)`: a range, since
/// creation order is number order. `None` when there are none.
fn created_range(
    conn: &Connection,
    start: i64,
    end: i64,
) -> Result<Option<(i64, i64)>, StoreError> {
    let lo = first_created_from(conn, start)?;
    let hi = last_created_before(conn, end)?;
    Ok(match (lo, hi) {
        (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
        _ => None,
    })
}

fn count(conn: &Connection, sql: &str, values: impl rusqlite::Params) -> Result<u64, StoreError> {
    let n: i64 = conn.prepare_cached(sql)?.query_row(values, |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn ids(
    conn: &Connection,
    sql: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt
        .query_map(values, |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

/// How many of the tickets numbered `lo..=hi` carry a tag.
const TAG_COUNT: &str = "SELECT count(*) FROM ticket_tags INDEXED BY ticket_tags_tag WHERE tag_id = ?1 AND ticket_id BETWEEN ?2 AND ?3";
/// The tickets numbered `lo..=hi` that carry a tag.
const TAG_IDS: &str = "SELECT ticket_id FROM ticket_tags INDEXED BY ticket_tags_tag WHERE tag_id = ?1 AND ticket_id BETWEEN ?2 AND ?3";

/// The tickets numbered `lo..=hi` that carry any of `tags`, each once.
/// One index range per tag, deduplicated through a bitmap over the range: a
/// `count(DISTINCT …)` sorts every pair (300 ms for a year at 1M tickets).
fn with_any_tag(
    conn: &Connection,
    tags: &[TagId],
    (lo, hi): (i64, i64),
) -> Result<Vec<i64>, StoreError> {
    let span = usize::try_from(hi - lo).unwrap_or(0) + 1;
    let mut seen = vec![0u64; span.div_ceil(64)];
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(TAG_IDS)?;
    for tag in tags {
        let mut rows = stmt.query(params![tag, lo, hi])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let k = (id - lo) as usize;
            let bit = 1u64 << (k % 64);
            if seen[k / 64] & bit == 0 {
                seen[k / 64] |= bit;
                out.push(id);
            }
        }
    }
    Ok(out)
}

/// Statuses and priorities at a moment `end` in the past, for the tickets that
/// changed since: a ticket's status at `end` is the "from" of its first status
/// change at or after `end`; a ticket that has not changed since is as it is now.
pub(super) struct AtEnd {
    /// Ticket → (status now, status at end), for tickets created before end that changed since.
    status: HashMap<i64, (i64, i64)>,
    /// The same for priorities.
    priority: HashMap<i64, (i64, i64)>,
}

impl AtEnd {
    /// A ticket's status at the end, given its status (code) now.
    pub(super) fn status_of(&self, id: i64, now: i64) -> Option<Status> {
        Status::from_code(self.status.get(&id).map_or(now, |(_, then)| *then))
    }

    /// A ticket's priority at the end, given its priority (code) now.
    pub(super) fn priority_of(&self, id: i64, now: i64) -> Option<Priority> {
        Priority::from_code(self.priority.get(&id).map_or(now, |(_, then)| *then))
    }

    fn load(conn: &Connection, end: i64) -> Result<AtEnd, StoreError> {
        let Some(hi) = last_created_before(conn, end)? else {
            return Ok(AtEnd {
                status: HashMap::new(),
                priority: HashMap::new(),
            });
        };
        // The kind is written out so that SQLite uses the partial indexes.
        // Changes in the same millisecond come in index order, not in the order
        // they were made: of those, the first written (lowest id) is the first.
        let first_changes = |sql: &str| -> Result<HashMap<i64, i64>, StoreError> {
            let mut first: HashMap<i64, (i64, i64, i64)> = HashMap::new();
            let mut stmt = conn.prepare_cached(sql)?;
            let mut rows = stmt.query(params![end, hi])?;
            while let Some(r) = rows.next()? {
                let change = (
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(1)?,
                );
                let entry = first.entry(r.get::<_, i64>(0)?).or_insert(change);
                if (change.0, change.1) < (entry.0, entry.1) {
                    *entry = change;
                }
            }
            Ok(first
                .into_iter()
                .map(|(id, (_, _, old))| (id, old))
                .collect())
        };
        let status = first_changes(
            "SELECT ticket_id, old_value, at, id FROM activity
             WHERE kind = 'status' AND at >= ?1 AND ticket_id <= ?2 ORDER BY at",
        )?;
        let priority = first_changes(
            "SELECT ticket_id, old_value, at, id FROM activity
             WHERE kind = 'priority' AND at >= ?1 AND ticket_id <= ?2 ORDER BY at",
        )?;
        let mut now = conn.prepare_cached("SELECT status, priority FROM tickets WHERE id = ?1")?;
        let mut at_end = AtEnd {
            status: HashMap::with_capacity(status.len()),
            priority: HashMap::with_capacity(priority.len()),
        };
        for (&id, &then) in &status {
            let current: i64 = now.query_row([id], |r| r.get(0))?;
            at_end.status.insert(id, (current, then));
        }
        for (&id, &then) in &priority {
            let current: i64 = now.query_row([id], |r| r.get(1))?;
            at_end.priority.insert(id, (current, then));
        }
        Ok(at_end)
    }
}

/// Counts per code at the end, among tickets `lo..=hi`: the current counts
/// from the index, corrected by the tickets that changed since. With
/// `derive = (code, total)`, `total` tickets exist in the range and `code`'s
/// count is derived from the others'.
fn counts_at_end(
    conn: &Connection,
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
                count(conn, sql, params![code, lo, hi]).map(|n| n as i64)
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
    conn: &Connection,
    sql: &str,
    codes: &[i64],
    changed: &HashMap<i64, (i64, i64)>,
    (lo, hi): (i64, i64),
) -> Result<Vec<i64>, StoreError> {
    let mut out = Vec::new();
    for &code in codes {
        out.extend(
            ids(conn, sql, params![code, lo, hi])?
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
/// settle alone: pairs whose last event is at or after `end`. A pair whose
/// first event is before `start` is checked against the trail itself.
fn handled_late(
    conn: &Connection,
    agent: i64,
    start: i64,
    end: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT ticket_id, first_at FROM agent_tickets WHERE agent_id = ?1 AND last_at >= ?2",
    )?;
    let pairs = stmt
        .query_map(params![agent, end], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut check = conn.prepare_cached(
        "SELECT 1 FROM activity WHERE ticket_id = ?1 AND at >= ?2 AND at < ?3 AND agent_id = ?4 LIMIT 1",
    )?;
    let mut out = Vec::new();
    for (ticket, first_at) in pairs {
        let handled = if first_at >= end {
            false
        } else if first_at >= start {
            true
        } else {
            check.exists(params![ticket, start, end, agent])?
        };
        if handled {
            out.push(ticket);
        }
    }
    Ok(out)
}

const HANDLED_COUNT: &str =
    "SELECT count(*) FROM agent_tickets WHERE agent_id = ?1 AND last_at >= ?2 AND last_at < ?3";
const HANDLED_IDS: &str =
    "SELECT ticket_id FROM agent_tickets WHERE agent_id = ?1 AND last_at >= ?2 AND last_at < ?3";

/// (duration, agent) of each moment in `[start, end)`, read from a covering index.
fn moments(
    conn: &Connection,
    sql: &str,
    start: i64,
    end: i64,
) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params![start, end], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

const RESOLUTIONS: &str = "SELECT resolved_at - created_at, resolved_by FROM tickets
     WHERE resolved_at >= ?1 AND resolved_at < ?2";
const FIRST_REPLIES: &str = "SELECT first_reply_at - created_at, first_reply_by FROM tickets
     WHERE first_reply_at >= ?1 AND first_reply_at < ?2";
const RATINGS: &str = "SELECT csat, resolved_by FROM tickets WHERE csat_at >= ?1 AND csat_at < ?2";

/// A map keyed by row id. A million rows of a year are split by agent:
/// SipHash, the standard map's DoS-proof hash, was a tenth of the report's
/// time, and ids from our own database need no such protection.
type IdMap<V> = HashMap<i64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Multiplies the id by a large odd constant (Fibonacci hashing): cheap, and
/// spreads consecutive ids over the high bits the map's table uses.
#[derive(Default)]
struct IdHasher(u64);

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

/// The report, within the caller's read transaction on `conn`, with part of
/// it read on `helper` at the same time when `helper` sees the same snapshot.
fn report(
    conn: &Connection,
    helper: Option<&mut Connection>,
    period: &Period,
) -> Result<Report, StoreError> {
    // A second connection reads part of it at the same time, if it sees the
    // same tickets and trail (nobody committed between the two reads began).
    let helper = match helper {
        Some(h) => {
            let mine = fingerprint(conn)?;
            h.execute_batch("BEGIN")?;
            match fingerprint(h) {
                Ok(theirs) if theirs == mine => Some(h),
                _ => {
                    h.execute_batch("ROLLBACK")?;
                    None
                }
            }
        }
        None => None,
    };
    match helper {
        Some(h) => {
            let report = report_with(conn, Some(&mut *h), period);
            h.execute_batch("ROLLBACK")?;
            report
        }
        None => report_with(conn, None, period),
    }
}

/// What identifies a snapshot of the tickets and their trail: every change
/// to a ticket adds an activity entry in the same transaction.
fn fingerprint(conn: &Connection) -> Result<(Option<i64>, Option<i64>), StoreError> {
    Ok(conn.query_row(
        "SELECT (SELECT max(id) FROM activity), (SELECT max(id) FROM tickets)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The part of a report a second connection reads while the first reads the
/// rest: the first replies (a million rows for a year at 1M tickets) and how
/// many tickets each agent handled.
struct Side {
    first_response: Durations,
    first_per: IdMap<Durations>,
    handled: IdMap<u64>,
}

fn side(conn: &Connection, start: i64, end: i64) -> Result<Side, StoreError> {
    let (all, per) = by_agent(moments(conn, FIRST_REPLIES, start, end)?);
    let agents: Vec<i64> = conn
        .prepare_cached("SELECT id FROM agents")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut handled = IdMap::default();
    for agent in agents {
        let n = count(conn, HANDLED_COUNT, params![agent, start, end])?
            + handled_late(conn, agent, start, end)?.len() as u64;
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

/// The report, read within the caller's transaction, with part of it read on
/// `helper` (in the same snapshot) on a thread of its own when there is one.
fn report_with(
    conn: &Connection,
    helper: Option<&mut Connection>,
    period: &Period,
) -> Result<Report, StoreError> {
    let (start, end) = period.millis();
    std::thread::scope(|scope| {
        let job = helper.and_then(|h| {
            std::thread::Builder::new()
                .name("tickets-report".to_owned())
                .spawn_scoped(scope, move || side(h, start, end))
                .ok()
        });
        let side = move || -> Result<Side, StoreError> {
            match job {
                Some(job) => job
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => side(conn, start, end),
            }
        };
        report_main(conn, period, side)
    })
}

/// Everything but the side part, which `side` supplies.
fn report_main(
    conn: &Connection,
    period: &Period,
    side: impl FnOnce() -> Result<Side, StoreError>,
) -> Result<Report, StoreError> {
    let (start, end) = period.millis();
    let range = created_range(conn, start, end)?;
    let at_end = AtEnd::load(conn, end)?;

    let open = match last_created_before(conn, end)? {
        Some(hi) => counts_at_end(
            conn,
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

    let trend = period
        .buckets
        .iter()
        .map(|b| {
            let (s, e) = (to_millis(b.start), to_millis(b.end));
            Ok(TrendPoint {
                label: b.label.clone(),
                start: b.start,
                end: b.end,
                created: count(
                    conn,
                    "SELECT count(*) FROM tickets WHERE created_at >= ?1 AND created_at < ?2",
                    params![s, e],
                )?,
                closed: count(
                    conn,
                    "SELECT count(*) FROM tickets WHERE closed_at >= ?1 AND closed_at < ?2",
                    params![s, e],
                )?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // The buckets tile the period, so the cards are their sums.
    let created = trend.iter().map(|p| p.created).sum();
    let closed = trend.iter().map(|p| p.closed).sum();

    let status_codes: Vec<i64> = Status::ALL.iter().map(|s| s.code()).collect();
    let priority_codes: Vec<i64> = Priority::ALL.iter().map(|p| p.code()).collect();
    let (by_status, by_priority) = match range {
        Some(range) => (
            counts_at_end(
                conn,
                STATUS_COUNT,
                &status_codes,
                &at_end.status,
                range,
                Some((Status::Closed.code(), created)),
            )?,
            counts_at_end(
                conn,
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
    let tags: Vec<(TagId, String)> = conn
        .prepare_cached("SELECT id, name FROM tags ORDER BY name COLLATE NOCASE, id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut tag_counts = Vec::new();
    if let Some((lo, hi)) = range {
        for (tag, name) in tags {
            let n = count(conn, TAG_COUNT, params![tag, lo, hi])?;
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
        let tickets = with_any_tag(conn, &other_tags, (lo, hi))?.len() as u64;
        tag_counts.push(TagCount {
            tag: None,
            name: "Other".to_owned(),
            tickets,
        });
    }

    let (resolutions, mut resolved_per) = by_agent(moments(conn, RESOLUTIONS, start, end)?);
    let ratings = moments(conn, RATINGS, start, end)?;
    let mut csat = Csat::default();
    let mut csat_per: IdMap<Csat> = IdMap::default();
    for (rating, resolver) in ratings {
        csat.add(rating);
        if let Some(agent) = resolver {
            csat_per.entry(agent).or_default().add(rating);
        }
    }

    let mut side = side()?;
    let agents: Vec<(AgentId, String, bool)> = conn
        .prepare_cached("SELECT id, name, active FROM agents ORDER BY sort_key, id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for (agent, name, active) in agents {
        let handled = side.handled.get(&agent.0).copied().unwrap_or_default();
        let row = AgentRow {
            agent,
            name,
            active,
            handled,
            resolution: Durations::of(resolved_per.remove(&agent.0).unwrap_or_default()),
            first_response: side.first_per.remove(&agent.0).unwrap_or_default(),
            csat: csat_per.get(&agent.0).copied().unwrap_or_default(),
        };
        // Agents with nothing in the period get no row, active or not.
        if row.handled > 0
            || row.resolved() > 0
            || row.first_responses() > 0
            || row.csat.ratings > 0
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
    };
    Ok(report)
}

/// The numbers of the tickets behind a scope, ascending. Runs within the caller's snapshot.
pub(super) fn scope_ids(conn: &Connection, scope: &Scope) -> Result<Vec<i64>, StoreError> {
    let (start, end) = (scope.start_ms, scope.end_ms);
    let created = || created_range(conn, start, end);
    let mut out = match &scope.measure {
        Measure::Created => match created()? {
            Some((lo, hi)) => ids(
                conn,
                "SELECT id FROM tickets WHERE id BETWEEN ?1 AND ?2",
                params![lo, hi],
            )?,
            None => Vec::new(),
        },
        Measure::Closed => ids(
            conn,
            "SELECT id FROM tickets WHERE closed_at >= ?1 AND closed_at < ?2",
            params![start, end],
        )?,
        Measure::OpenAtEnd => backlog_ids(conn, &AtEnd::load(conn, end)?, end)?,
        Measure::Resolved => ids(
            conn,
            "SELECT id FROM tickets WHERE resolved_at >= ?1 AND resolved_at < ?2",
            params![start, end],
        )?,
        Measure::FirstReplied => ids(
            conn,
            "SELECT id FROM tickets WHERE first_reply_at >= ?1 AND first_reply_at < ?2",
            params![start, end],
        )?,
        Measure::CreatedWithStatus(status) => match created()? {
            Some(range) => {
                let at_end = AtEnd::load(conn, end)?;
                ids_at_end(conn, STATUS_IDS, &[status.code()], &at_end.status, range)?
            }
            None => Vec::new(),
        },
        Measure::CreatedWithPriority(priority) => match created()? {
            Some(range) => {
                let at_end = AtEnd::load(conn, end)?;
                ids_at_end(
                    conn,
                    PRIORITY_IDS,
                    &[priority.code()],
                    &at_end.priority,
                    range,
                )?
            }
            None => Vec::new(),
        },
        Measure::CreatedWithTag(tag) => match created()? {
            Some((lo, hi)) => ids(conn, TAG_IDS, params![tag, lo, hi])?,
            None => Vec::new(),
        },
        Measure::CreatedWithAnyTag(tags) => match created()? {
            Some(range) => with_any_tag(conn, tags, range)?,
            None => Vec::new(),
        },
        Measure::HandledBy(agent) => {
            let mut all = ids(conn, HANDLED_IDS, params![agent, start, end])?;
            all.extend(handled_late(conn, agent.0, start, end)?);
            all
        }
        Measure::ResolvedBy(agent) => ids(
            conn,
            "SELECT id FROM tickets WHERE resolved_at >= ?1 AND resolved_at < ?2 AND resolved_by = ?3",
            params![start, end, agent],
        )?,
        Measure::FirstRepliedBy(agent) => ids(
            conn,
            "SELECT id FROM tickets WHERE first_reply_at >= ?1 AND first_reply_at < ?2 AND first_reply_by = ?3",
            params![start, end, agent],
        )?,
        Measure::Rated => ids(
            conn,
            "SELECT id FROM tickets WHERE csat_at >= ?1 AND csat_at < ?2",
            params![start, end],
        )?,
        Measure::RatedResolvedBy(agent) => ids(
            conn,
            "SELECT id FROM tickets WHERE csat_at >= ?1 AND csat_at < ?2 AND resolved_by = ?3",
            params![start, end, agent],
        )?,
    };
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Every ticket that any card (or the team's CSAT) counted, ascending, with
/// why; and the statuses and priorities at the period's end, for their rows.
fn report_ticket_flags(
    conn: &Connection,
    period: &Period,
) -> Result<(Vec<(i64, Counted)>, AtEnd), StoreError> {
    let (start, end) = period.millis();
    let scope = |measure| Scope {
        measure,
        start_ms: start,
        end_ms: end,
        label: String::new(),
    };
    let at_end = AtEnd::load(conn, end)?;
    let mut flags: HashMap<i64, Counted> = HashMap::new();
    // The backlog at the end, from the changes already loaded.
    for id in backlog_ids(conn, &at_end, end)? {
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
        for id in scope_ids(conn, &scope(measure))? {
            mark(flags.entry(id).or_default());
        }
    }
    let mut out: Vec<(i64, Counted)> = flags.into_iter().collect();
    out.sort_unstable_by_key(|(id, _)| *id);
    Ok((out, at_end))
}

impl FileStore {
    /// The report of `period`, read in one snapshot; part of it on a second,
    /// read-only connection at the same time when that sees the same
    /// snapshot (a year at a million tickets in about 300 ms).
    pub fn report(&self, period: &Period) -> Result<Report, StoreError> {
        if !self.conn.is_autocommit() {
            // Within a caller's snapshot: read it all there.
            return self.reading(|s| s.report(period));
        }
        self.reading(|s| {
            let mut reader = self.reader();
            report(s.conn(), reader.as_deref_mut(), period)
        })
    }

    /// The numbers of the tickets behind a scope, ascending.
    pub fn scope_tickets(&self, scope: &Scope) -> Result<Vec<i64>, StoreError> {
        self.reading(|s| scope_ids(s.conn(), scope))
    }
}

impl Snapshot<'_> {
    /// The report of `period`, within this snapshot.
    pub fn report(&self, period: &Period) -> Result<Report, StoreError> {
        report_with(self.conn(), None, period)
    }

    /// Every ticket a card of `period`'s report counted, ascending, with
    /// why, and its status and priority at the period's end.
    pub(super) fn counted_tickets(
        &self,
        period: &Period,
    ) -> Result<(Vec<(i64, Counted)>, AtEnd), StoreError> {
        report_ticket_flags(self.conn(), period)
    }
}
