//! Which list filters the views' tallies (team migration 12) answer, and
//! the one statement that answers each: read by the views' counts
//! (`tally.rs`) and by a list's total (`desk.rs`).

use crate::domain::{AgentId, Status};
use crate::store::TicketFilter;

/// A filter the tallies answer: statuses (none: all of them), with at most
/// one more condition: unassigned, or assigned to one agent.
#[derive(Debug, PartialEq)]
pub(super) enum Tallied {
    Tickets {
        statuses: Vec<Status>,
    },
    Unassigned {
        statuses: Vec<Status>,
    },
    AssignedTo {
        agent: AgentId,
        statuses: Vec<Status>,
    },
}

impl Tallied {
    pub(super) fn of(filter: &TicketFilter) -> Option<Tallied> {
        let rest = TicketFilter {
            statuses: Vec::new(),
            assignees: Vec::new(),
            unassigned: false,
            ..filter.clone()
        };
        if !rest.is_empty() {
            return None;
        }
        let statuses = filter.statuses.clone();
        match (filter.assignees.as_slice(), filter.unassigned) {
            ([], false) => Some(Tallied::Tickets { statuses }),
            ([], true) => Some(Tallied::Unassigned { statuses }),
            // Assigned to one of several agents counts a ticket of two of
            // them once; the tallies would count it twice.
            ([agent], false) => Some(Tallied::AssignedTo {
                agent: *agent,
                statuses,
            }),
            _ => None,
        }
    }

    pub(super) fn statuses(&self) -> &[Status] {
        match self {
            Tallied::Tickets { statuses }
            | Tallied::Unassigned { statuses }
            | Tallied::AssignedTo { statuses, .. } => statuses,
        }
    }

    /// Whether a tally row with this agent (`None`: a row of the tickets'
    /// tally) and whether unassigned counts toward the filter.
    pub(super) fn takes(&self, agent: Option<i64>, status: i16, unassigned: Option<bool>) -> bool {
        let status_in = self.statuses().is_empty()
            || self
                .statuses()
                .iter()
                .any(|s| s.code() == i64::from(status));
        status_in
            && match self {
                Tallied::Tickets { .. } => agent.is_none(),
                Tallied::Unassigned { .. } => agent.is_none() && unassigned == Some(true),
                Tallied::AssignedTo { agent: a, .. } => agent == Some(a.0),
            }
    }
}

/// The count of the tickets `filter` lets through, as one statement over the
/// tallies, where they answer it: a list's exact total read in the list's
/// own snapshot without counting a million rows (the tallies change in
/// the same transactions as the tickets).
pub(super) fn count_sql(filter: &TicketFilter) -> Option<String> {
    let tallied = Tallied::of(filter)?;
    let statuses = tallied.statuses();
    let status = if statuses.is_empty() {
        String::new()
    } else {
        let codes: Vec<String> = statuses.iter().map(|s| s.code().to_string()).collect();
        format!(" AND status IN ({})", codes.join(", "))
    };
    Some(match tallied {
        Tallied::Tickets { .. } => {
            format!(
                "SELECT coalesce(sum(n), 0)::bigint FROM tickets.ticket_tally WHERE true{status}"
            )
        }
        Tallied::Unassigned { .. } => format!(
            "SELECT coalesce(sum(n), 0)::bigint FROM tickets.ticket_tally WHERE unassigned{status}"
        ),
        Tallied::AssignedTo { agent, .. } => format!(
            "SELECT coalesce(sum(n), 0)::bigint FROM tickets.assignee_tally WHERE agent_id = {}{status}",
            agent.0
        ),
    })
}
