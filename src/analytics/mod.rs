//! Ticket analytics: every number defined exactly as `docs/METRICS.md` says.
//!
//! - [`Period`]: the interval a report covers, in local calendar days.
//! - [`Report`]: the cards, the charts' series and the per-agent breakdown.
//! - [`Scope`]: the tickets behind one number, for drilling down from the
//!   window into the ticket list.
//!
//! This module holds the definitions and the arithmetic (percentiles); the
//! store reads the figures (`src/store/sqlite/report.rs`), in one snapshot,
//! from indexes made for them.

pub mod canned;
mod period;

use chrono::{DateTime, Utc};

pub use canned::CannedUse;
pub use period::{Bucket, Period, PeriodChoice, PeriodError};

use crate::domain::{AgentId, Priority, Status, TagId};

/// How many tags the By Tag chart names; the rest make up "Other", which
/// counts the distinct tickets carrying any of them, each once
/// (`docs/METRICS.md`, "By Tag").
pub const TOP_TAGS: usize = 15;
/// How many agents the Top Agents chart shows.
pub const TOP_AGENTS: usize = 10;

/// A set of durations (milliseconds): how many, their sum, mean, median and
/// 90th percentile. Percentiles interpolate between neighbours, as
/// spreadsheets' `MEDIAN` and `PERCENTILE.INC` do, so an export can be checked there.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Durations {
    /// How many tickets the figures cover.
    pub count: u64,
    /// Sum of the durations.
    pub total_ms: i64,
    /// Mean; `None` over no tickets.
    pub mean_ms: Option<f64>,
    /// Median.
    pub median_ms: Option<f64>,
    /// 90th percentile.
    pub p90_ms: Option<f64>,
}

impl Durations {
    /// The figures of these durations.
    pub fn of(mut values: Vec<i64>) -> Durations {
        let count = values.len() as u64;
        let total_ms: i64 = values.iter().sum();
        Durations {
            count,
            total_ms,
            mean_ms: (count > 0).then(|| total_ms as f64 / count as f64),
            median_ms: select_percentile(&mut values, 0.5),
            p90_ms: select_percentile(&mut values, 0.9),
        }
    }
}

/// The `p` quantile of sorted values, interpolating linearly (`PERCENTILE.INC`).
pub fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = (below + 1).min(last);
    let frac = rank - below as f64;
    Some(sorted[below] as f64 + frac * (sorted[above] - sorted[below]) as f64)
}

/// [`percentile`] without sorting everything: the two neighbours the rank
/// falls between are picked by selection (linear time; a year of a million
/// tickets would otherwise spend most of its time sorting). Reorders `values`.
fn select_percentile(values: &mut [i64], p: f64) -> Option<f64> {
    let last = values.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let (_, &mut low, above) = values.select_nth_unstable(below);
    let high = above.iter().copied().min().unwrap_or(low);
    Some(low as f64 + (rank - below as f64) * (high - low) as f64)
}

/// Satisfaction ratings: how many were 4 or 5, out of how many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Csat {
    /// Ratings of 4 or 5.
    pub positive: u64,
    /// All ratings.
    pub ratings: u64,
}

impl Csat {
    /// The share of ratings that were 4 or 5; `None` without ratings.
    pub fn score(self) -> Option<f64> {
        (self.ratings > 0).then(|| self.positive as f64 / self.ratings as f64)
    }

    /// Counts one rating.
    pub fn add(&mut self, rating: i64) {
        self.ratings += 1;
        if rating >= 4 {
            self.positive += 1;
        }
    }
}

/// Service-level targets that fell due: how many were met, out of how many
/// (`docs/METRICS.md`, "SLA achievement").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Achievement {
    /// Met by their due moment.
    pub met: u64,
    /// All that fell due.
    pub due: u64,
}

impl Achievement {
    /// The share met; `None` when none fell due.
    pub fn rate(self) -> Option<f64> {
        (self.due > 0).then(|| self.met as f64 / self.due as f64)
    }

    /// Counts one target.
    pub fn add(&mut self, met: bool) {
        self.due += 1;
        if met {
            self.met += 1;
        }
    }

    /// Missed: fell due and not met by then.
    pub fn missed(self) -> u64 {
        self.due - self.met
    }
}

/// The two service-level targets a ticket may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SlaTarget {
    /// A first reply within a time.
    FirstReply,
    /// A resolution within a time.
    Resolution,
}

impl SlaTarget {
    /// Both, first reply first.
    pub const ALL: [SlaTarget; 2] = [SlaTarget::FirstReply, SlaTarget::Resolution];

    /// How the window names it.
    pub fn label(self) -> &'static str {
        match self {
            SlaTarget::FirstReply => "First reply",
            SlaTarget::Resolution => "Resolution",
        }
    }
}

/// SLA achievement of a period: each target overall and per priority.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SlaFigures {
    /// First-reply targets that fell due in the period.
    pub first_reply: Achievement,
    /// Resolution targets that fell due in the period.
    pub resolution: Achievement,
    /// Per priority (its priority now), every priority listed: first
    /// reply, then resolution.
    pub by_priority: Vec<(Priority, Achievement, Achievement)>,
}

impl SlaFigures {
    /// One target's figures.
    pub fn of(&self, target: SlaTarget) -> Achievement {
        match target {
            SlaTarget::FirstReply => self.first_reply,
            SlaTarget::Resolution => self.resolution,
        }
    }
}

/// One point of Daily Ticket Trends.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrendPoint {
    /// "3 Nov", or "14:00" for Today.
    pub label: String,
    /// Start of the day (or hour).
    pub start: DateTime<Utc>,
    /// Its end (exclusive).
    pub end: DateTime<Utc>,
    /// Tickets created then.
    pub created: u64,
    /// Tickets whose close moment falls then.
    pub closed: u64,
}

/// One bar of By Tag.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TagCount {
    /// The tag; `None` for "Other" (every tag past the largest fifteen).
    pub tag: Option<TagId>,
    /// Its name.
    pub name: String,
    /// Tickets created in the period carrying it when the report is made
    /// (for Other: the distinct tickets carrying any of its tags, each once).
    pub tickets: u64,
}

/// One row of the per-agent breakdown.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgentRow {
    /// Who.
    pub agent: AgentId,
    /// Their name.
    pub name: String,
    /// Whether they are active.
    pub active: bool,
    /// Distinct tickets on which they made at least one agent event in the period.
    pub handled: u64,
    /// Tickets whose resolution moment in the period was their status change,
    /// with the times from creation to resolution.
    pub resolution: Durations,
    /// Tickets whose first reply in the period they wrote, with the times from
    /// creation to that reply.
    pub first_response: Durations,
    /// Ratings recorded in the period on tickets they resolved.
    pub csat: Csat,
    /// First-reply targets that fell due in the period and are theirs: they
    /// wrote the first reply, or (none yet) the ticket is assigned to them.
    pub sla_first_reply: Achievement,
    /// Resolution targets that fell due in the period and are theirs: they
    /// resolved it, or (not resolved) the ticket is assigned to them.
    pub sla_resolution: Achievement,
}

impl AgentRow {
    /// One target's figures.
    pub fn sla(&self, target: SlaTarget) -> Achievement {
        match target {
            SlaTarget::FirstReply => self.sla_first_reply,
            SlaTarget::Resolution => self.sla_resolution,
        }
    }

    /// Tickets resolved.
    pub fn resolved(&self) -> u64 {
        self.resolution.count
    }

    /// First responses sent.
    pub fn first_responses(&self) -> u64 {
        self.first_response.count
    }
}

/// Everything the Analytics window shows for one period.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// What it covers.
    pub period: Period,
    /// Tickets created in the period.
    pub created: u64,
    /// Tickets whose close moment is in the period.
    pub closed: u64,
    /// Tickets whose status at the end of the period is Open, In Progress or Waiting.
    pub open: u64,
    /// Creation → resolution moment, over resolution moments in the period.
    pub resolution: Durations,
    /// Creation → first reply, over first replies in the period.
    pub first_response: Durations,
    /// Of the tickets created in the period, how many are Closed at its end.
    pub closed_of_created: u64,
    /// Created and closed per day (per hour for Today).
    pub trend: Vec<TrendPoint>,
    /// Tickets created in the period by their status at its end, every status listed.
    pub by_status: Vec<(Status, u64)>,
    /// Tickets created in the period by their priority at its end, every priority listed.
    pub by_priority: Vec<(Priority, u64)>,
    /// Tickets created in the period per tag: the largest fifteen, then Other.
    pub by_tag: Vec<TagCount>,
    /// The tags behind Other (its bar counts their tickets once each, not
    /// the sum of their counts).
    pub other_tags: Vec<TagId>,
    /// One row per agent with anything in the period (agents with nothing
    /// get none, active or not), most tickets handled first.
    pub agents: Vec<AgentRow>,
    /// Every rating recorded in the period.
    pub csat: Csat,
    /// Service-level targets that fell due in the period.
    pub sla: SlaFigures,
}

impl Report {
    /// Closure Rate: the share of tickets created in the period that are Closed
    /// at its end; `None` when none were created.
    pub fn closure_rate(&self) -> Option<f64> {
        (self.created > 0).then(|| self.closed_of_created as f64 / self.created as f64)
    }

    /// Top Agents: the agents who handled most tickets, at most [`TOP_AGENTS`].
    pub fn top_agents(&self) -> impl Iterator<Item = &AgentRow> {
        self.agents
            .iter()
            .filter(|a| a.handled > 0)
            .take(TOP_AGENTS)
    }
}

/// Which tickets stand behind one number of a report.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Measure {
    /// Created in the interval.
    Created,
    /// Close moment in the interval.
    Closed,
    /// Open, In Progress or Waiting at the interval's end (whenever created before it).
    OpenAtEnd,
    /// Resolution moment in the interval (Avg Resolution).
    Resolved,
    /// First reply in the interval (Avg First Response).
    FirstReplied,
    /// Created in the interval, in this status at its end.
    CreatedWithStatus(Status),
    /// Created in the interval, at this priority at its end.
    CreatedWithPriority(Priority),
    /// Created in the interval, carrying this tag.
    CreatedWithTag(TagId),
    /// Created in the interval, carrying any of these tags ("Other").
    CreatedWithAnyTag(Vec<TagId>),
    /// Handled by this agent in the interval.
    HandledBy(AgentId),
    /// Resolved by this agent (resolution moment in the interval).
    ResolvedBy(AgentId),
    /// First reply in the interval written by this agent.
    FirstRepliedBy(AgentId),
    /// Rated in the interval.
    Rated,
    /// Rated in the interval, resolved by this agent.
    RatedResolvedBy(AgentId),
    /// A service-level target that fell due in the interval (up to when
    /// the report was made): only missed ones when `missed`, only at this
    /// priority or this agent's when given.
    TargetDue {
        /// Which target.
        target: SlaTarget,
        /// Only those missed.
        missed: bool,
        /// Only tickets at this priority now.
        priority: Option<Priority>,
        /// Only this agent's (see [`AgentRow::sla_first_reply`]).
        agent: Option<AgentId>,
    },
}

/// The tickets behind one number: a measure over an interval, with the words
/// its chip shows ("Closed in Last 30d").
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Scope {
    /// What is counted.
    pub measure: Measure,
    /// Interval start (ms since the epoch, inclusive).
    pub start_ms: i64,
    /// Interval end (exclusive).
    pub end_ms: i64,
    /// What the chip says.
    pub label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_spreadsheets() {
        // PERCENTILE.INC({1,2,3,4,10}, 0.9) = 4 + 0.6 * 6 = 7.6; MEDIAN = 3.
        let d = Durations::of(vec![10, 3, 1, 4, 2]);
        assert_eq!(d.median_ms, Some(3.0));
        assert!((d.p90_ms.unwrap() - 7.6).abs() < 1e-9);
        assert_eq!(d.mean_ms, Some(4.0));
        assert_eq!(percentile(&[1, 2, 3, 4, 10], 0.9), d.p90_ms);
        // MEDIAN({1,2,3,4}) = 2.5.
        assert_eq!(Durations::of(vec![4, 1, 3, 2]).median_ms, Some(2.5));
        assert_eq!(Durations::of(vec![]).median_ms, None);
        assert_eq!(Durations::of(vec![7]).p90_ms, Some(7.0));
    }
}
