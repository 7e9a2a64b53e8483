//! The views' counts on a team's server, read from the tallies migration 12
//! keeps as tickets change: how many tickets have each status, assigned or
//! not, and how many each agent has in each status. Counting "All tickets"
//! by passing over a million of them took 84 ms; the tallies are a few
//! hundred rows.

use super::desk::ServerStore;
use super::tallied::Tallied;
use crate::store::{StoreError, TicketFilter};

/// Once the tallies hold more rows than this, the reader folds them (see
/// the migration's head): a few hundred rows sum in well under a
/// millisecond, and a bulk run of 10,000 status changes adds 20,000 and
/// more. Folded, they are one row per status and agent (~200 at 36 agents).
const FOLD_AT: i64 = 500;

/// One summed row of a tally.
struct TallyRow {
    agent: Option<i64>,
    status: i16,
    unassigned: Option<bool>,
    n: i64,
}

impl ServerStore {
    /// How many tickets each filter lets through, in order: from the
    /// tallies where they answer it, by counting the tickets otherwise (see
    /// [`crate::store::Store::view_counts`]).
    pub fn view_counts(&self, filters: &[TicketFilter]) -> Result<Vec<u64>, StoreError> {
        let tallied: Vec<Option<Tallied>> = filters.iter().map(Tallied::of).collect();
        let tally = if tallied.iter().any(Option::is_some) {
            Some(self.tally()?)
        } else {
            None
        };
        filters
            .iter()
            .zip(&tallied)
            .map(|(filter, tallied)| match (tallied, &tally) {
                (Some(t), Some(rows)) => Ok(u64::try_from(
                    rows.iter()
                        .filter(|r| t.takes(r.agent, r.status, r.unassigned))
                        .map(|r| r.n)
                        .sum::<i64>(),
                )
                .unwrap_or_default()),
                _ => self.count_tickets(filter),
            })
            .collect()
    }

    /// Sums the tallies' rows into one per key (see migration 12), unless a
    /// snapshot is open (its transaction only reads). Counts are right
    /// either way: a fold only saves the next reader time, so a failed one
    /// is only logged.
    pub(super) fn fold_tallies(&self) {
        if self.in_snapshot() {
            return;
        }
        if let Err(e) = self.call(None, "SELECT tickets.fold_tallies()::text", &[]) {
            eprintln!("tickets: the view counts' tallies could not be folded: {e}");
        }
    }

    /// Both tallies, summed; folded afterwards when they have grown long.
    fn tally(&self) -> Result<Vec<TallyRow>, StoreError> {
        let rows = self.call_rows(
            "SELECT NULL::bigint, status, unassigned, sum(n)::bigint, count(*)
             FROM tickets.ticket_tally GROUP BY status, unassigned
             UNION ALL
             SELECT agent_id, status, NULL::boolean, sum(n)::bigint, count(*)
             FROM tickets.assignee_tally GROUP BY agent_id, status",
            &[],
        )?;
        let held: i64 = rows.iter().map(|r| r.get::<_, i64>(4)).sum();
        if held > FOLD_AT {
            self.fold_tallies();
        }
        Ok(rows
            .iter()
            .map(|r| TallyRow {
                agent: r.get(0),
                status: r.get(1),
                unassigned: r.get(2),
                n: r.get(3),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AgentId, Status};

    #[test]
    fn only_statuses_and_one_assignment_condition_are_tallied() {
        let open = vec![Status::Open, Status::Waiting];
        let mine = TicketFilter {
            assignees: vec![AgentId(3)],
            statuses: open.clone(),
            ..TicketFilter::default()
        };
        assert_eq!(
            Tallied::of(&mine),
            Some(Tallied::AssignedTo {
                agent: AgentId(3),
                statuses: open.clone()
            })
        );
        assert_eq!(
            Tallied::of(&TicketFilter::default()),
            Some(Tallied::Tickets { statuses: vec![] })
        );
        for counted in [
            TicketFilter {
                assignees: vec![AgentId(3), AgentId(4)],
                ..TicketFilter::default()
            },
            TicketFilter {
                assignees: vec![AgentId(3)],
                unassigned: true,
                ..TicketFilter::default()
            },
            TicketFilter {
                text: "printer".into(),
                ..TicketFilter::default()
            },
            TicketFilter {
                updated_within_hours: Some(24),
                ..TicketFilter::default()
            },
        ] {
            assert_eq!(Tallied::of(&counted), None, "{counted:?}");
        }
    }

    #[test]
    fn a_row_counts_toward_the_filters_it_belongs_to() {
        let unassigned_open = Tallied::Unassigned {
            statuses: vec![Status::Open],
        };
        let open = Status::Open.code() as i16;
        let closed = Status::Closed.code() as i16;
        assert!(unassigned_open.takes(None, open, Some(true)));
        assert!(!unassigned_open.takes(None, open, Some(false)));
        assert!(!unassigned_open.takes(None, closed, Some(true)));
        assert!(!unassigned_open.takes(Some(1), open, None));
        let every = Tallied::Tickets { statuses: vec![] };
        assert!(every.takes(None, closed, Some(false)));
        assert!(!every.takes(Some(1), closed, None));
        let mine = Tallied::AssignedTo {
            agent: AgentId(1),
            statuses: vec![],
        };
        assert!(mine.takes(Some(1), closed, None));
        assert!(!mine.takes(Some(2), closed, None));
        assert!(!mine.takes(None, closed, Some(false)));
    }
}
