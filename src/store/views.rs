//! Views: named lists an agent's day starts from ("My open", "Unassigned"),
//! each a filter and a sort, and the ones agents save themselves. The window
//! shows them at the top of the sidebar with their counts.

use super::{Sort, SortColumn, TicketFilter};
use crate::domain::{AgentId, Status};

/// The statuses of a ticket that still needs work: not Resolved or Closed.
pub const OPEN_STATUSES: [Status; 3] = [Status::Open, Status::InProgress, Status::Waiting];

/// How far back "Recently updated" looks.
pub const RECENT_HOURS: u32 = 24;

/// The views every desk has.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum BuiltinView {
    /// Assigned to me, not Resolved or Closed.
    MyOpen,
    /// Assigned to nobody, not Resolved or Closed.
    Unassigned,
    /// Not Resolved or Closed.
    AllOpen,
    /// Waiting on the customer.
    Waiting,
    /// Changed in the last day.
    RecentlyUpdated,
    /// Every ticket.
    All,
}

impl BuiltinView {
    /// Every built-in view, in sidebar order.
    pub const ALL: [BuiltinView; 6] = [
        BuiltinView::MyOpen,
        BuiltinView::Unassigned,
        BuiltinView::AllOpen,
        BuiltinView::Waiting,
        BuiltinView::RecentlyUpdated,
        BuiltinView::All,
    ];

    /// Its name in the sidebar.
    pub fn label(self) -> &'static str {
        match self {
            BuiltinView::MyOpen => "My open",
            BuiltinView::Unassigned => "Unassigned",
            BuiltinView::AllOpen => "All open",
            BuiltinView::Waiting => "Waiting on customer",
            BuiltinView::RecentlyUpdated => "Recently updated",
            BuiltinView::All => "All tickets",
        }
    }

    /// What it lists, in a sentence (its hover text).
    pub fn meaning(self) -> &'static str {
        match self {
            BuiltinView::MyOpen => "Assigned to you, and not Resolved or Closed",
            BuiltinView::Unassigned => "Assigned to nobody, and not Resolved or Closed",
            BuiltinView::AllOpen => "Every ticket that is not Resolved or Closed",
            BuiltinView::Waiting => "Status Waiting: the customer has to answer",
            BuiltinView::RecentlyUpdated => "Changed in the last 24 hours, latest first",
            BuiltinView::All => "Every ticket, newest first",
        }
    }

    /// The letter that opens it after G ("G then M": My open).
    pub fn letter(self) -> char {
        match self {
            BuiltinView::MyOpen => 'M',
            BuiltinView::Unassigned => 'U',
            BuiltinView::AllOpen => 'O',
            BuiltinView::Waiting => 'W',
            BuiltinView::RecentlyUpdated => 'R',
            BuiltinView::All => 'A',
        }
    }

    /// Its filter, for the agent `me`; `None` for "My open" while nobody is
    /// known to be using the app.
    pub fn filter(self, me: Option<AgentId>) -> Option<TicketFilter> {
        let open = OPEN_STATUSES.to_vec();
        Some(match self {
            BuiltinView::MyOpen => TicketFilter {
                assignees: vec![me?],
                statuses: open,
                ..TicketFilter::default()
            },
            BuiltinView::Unassigned => TicketFilter {
                unassigned: true,
                statuses: open,
                ..TicketFilter::default()
            },
            BuiltinView::AllOpen => TicketFilter {
                statuses: open,
                ..TicketFilter::default()
            },
            BuiltinView::Waiting => TicketFilter {
                statuses: vec![Status::Waiting],
                ..TicketFilter::default()
            },
            BuiltinView::RecentlyUpdated => TicketFilter {
                updated_within_hours: Some(RECENT_HOURS),
                ..TicketFilter::default()
            },
            BuiltinView::All => TicketFilter::default(),
        })
    }

    /// Its sort: latest change first for "Recently updated", newest first
    /// for the rest.
    pub fn sort(self) -> Sort {
        match self {
            BuiltinView::RecentlyUpdated => Sort {
                column: SortColumn::Updated,
                descending: true,
            },
            _ => Sort::default(),
        }
    }
}

/// A view saved under a name: the filter (search included) and the sort.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedView {
    /// Its name.
    pub name: String,
    /// Which tickets.
    pub filter: TicketFilter,
    /// In what order.
    pub sort: Sort,
}

/// A view shared with the team, as the database keeps it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SharedView {
    /// Its id in the database.
    pub id: i64,
    /// Its place among the shared views (smallest first).
    pub position: i64,
    /// The view.
    pub view: SavedView,
    /// Who shared it (`None` once they are gone).
    pub shared_by: Option<AgentId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_open_needs_someone_using_the_app() {
        assert_eq!(BuiltinView::MyOpen.filter(None), None);
        let mine = BuiltinView::MyOpen.filter(Some(AgentId(4))).unwrap();
        assert_eq!(mine.assignees, [AgentId(4)]);
        assert_eq!(mine.statuses, OPEN_STATUSES);
        for view in BuiltinView::ALL {
            if view != BuiltinView::MyOpen {
                assert!(view.filter(None).is_some(), "{view:?}");
            }
        }
    }

    #[test]
    fn every_view_has_its_own_letter() {
        let letters: std::collections::HashSet<char> =
            BuiltinView::ALL.iter().map(|v| v.letter()).collect();
        assert_eq!(letters.len(), BuiltinView::ALL.len());
    }
}
