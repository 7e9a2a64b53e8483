//! Views: named lists an agent's day starts from ("My open", "Unassigned"),
//! each a filter and a sort, and the ones agents save themselves. The window
//! shows them at the top of the sidebar with their counts.

use super::{Sort, SortColumn, StoreError, TicketFilter};
use crate::domain::{AgentId, Status, sort_key, validate};

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
    /// Not Resolved or Closed, with a target overdue or due within the hour.
    BreachingSoon,
    /// Changed in the last day.
    RecentlyUpdated,
    /// Every ticket.
    All,
}

impl BuiltinView {
    /// Every built-in view, in sidebar order.
    pub const ALL: [BuiltinView; 7] = [
        BuiltinView::MyOpen,
        BuiltinView::Unassigned,
        BuiltinView::AllOpen,
        BuiltinView::Waiting,
        BuiltinView::BreachingSoon,
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
            BuiltinView::BreachingSoon => "Breaching soon",
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
            BuiltinView::BreachingSoon => {
                "A service-level target overdue or due within the hour, soonest first"
            }
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
            BuiltinView::BreachingSoon => 'B',
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
            // Only open tickets have a due time (a resolved or closed one
            // has none), so no status filter: its count reads the due
            // index alone.
            BuiltinView::BreachingSoon => TicketFilter {
                breached: true,
                due_within_minutes: Some(60),
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
            BuiltinView::BreachingSoon => Sort {
                column: SortColumn::Due,
                descending: false,
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
///
/// Shared views are the team's, not one agent's: any agent may share one,
/// rename it, change its filter and sort, move it and delete it; the
/// database records who shared it. Their names are unique ignoring case.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SharedView {
    /// Its id in the database; never given to another view.
    pub id: i64,
    /// Its place among the shared views (smallest first).
    pub position: i64,
    /// The view. Its filter's drill-down scope is never kept.
    pub view: SavedView,
    /// Who shared it (`None` once they are gone).
    pub shared_by: Option<AgentId>,
    /// Why this version of Tickets cannot use its filter and sort, where it
    /// cannot: a newer Tickets saved it with something this one does not
    /// know (a status, a sort column…). Such a view is still listed, in its
    /// place, under its name, with the default filter and sort standing in
    /// for its own, so that it can be renamed
    /// ([`Store::rename_shared_view`](super::Store::rename_shared_view)),
    /// moved or deleted here and still be opened in the newer Tickets; it
    /// should not be opened, and changing its filter and sort replaces what
    /// the newer Tickets saved.
    pub unreadable: Option<String>,
}

/// A shared view's filter and sort as the database keeps them: JSON, by
/// `serde_json`. The filter's drill-down scope is not part of it (it is
/// never serialized); fields a newer Tickets adds are ignored when read,
/// fields it lacks take their defaults.
#[derive(serde::Serialize, serde::Deserialize)]
struct Definition<F, S> {
    filter: F,
    sort: S,
}

/// A view about to be kept: its name checked and tidied, the key its name
/// is unique by (lower-cased), and its definition.
pub(crate) struct Checked {
    pub(crate) name: String,
    pub(crate) key: String,
    pub(crate) definition: String,
}

/// Checks `view` before it is kept, as every engine does: its name
/// (required, one line, at most 60 characters) and its search (at most
/// 1,000 characters); the filter's drill-down scope is left out.
pub(crate) fn checked(view: &SavedView) -> Result<Checked, StoreError> {
    let name = validate::view_name(&view.name)?;
    validate::search(&view.filter.text)?;
    Ok(Checked {
        key: sort_key(&name),
        definition: definition_of(view),
        name,
    })
}

/// The definition of `view` as the database keeps it.
pub(crate) fn definition_of(view: &SavedView) -> String {
    let definition = Definition {
        filter: &view.filter,
        sort: &view.sort,
    };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string(&definition).unwrap_or_default()
}

/// A shared view as read from the database: its definition parsed, or, for
/// one this version cannot read, the defaults and why (see
/// [`SharedView::unreadable`]).
pub(crate) fn shared_view_of(
    id: i64,
    position: i64,
    name: String,
    definition: &str,
    shared_by: Option<AgentId>,
) -> SharedView {
    let (filter, sort, unreadable) = match serde_json::from_str::<Definition<TicketFilter, Sort>>(
        definition,
    ) {
        Ok(d) => (d.filter, d.sort, None),
        Err(e) => (
            TicketFilter::default(),
            Sort::default(),
            Some(format!(
                "this view was saved by a newer version of Tickets, and this one cannot read its filter and sort ({e}); open it in that version, or rename, move or delete it here"
            )),
        ),
    };
    SharedView {
        id,
        position,
        view: SavedView { name, filter, sort },
        shared_by,
        unreadable,
    }
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
    fn a_definition_round_trips_without_its_scope_and_an_unknown_one_is_kept_with_a_note() {
        let view = SavedView {
            name: "Urgent".to_owned(),
            filter: TicketFilter {
                text: "printer".to_owned(),
                statuses: vec![Status::Open],
                updated_within_hours: Some(48),
                scope: Some(crate::analytics::Scope {
                    measure: crate::analytics::Measure::Created,
                    start_ms: 0,
                    end_ms: 1,
                    label: "Created in Last 30d".to_owned(),
                }),
                ..TicketFilter::default()
            },
            sort: Sort {
                column: SortColumn::Updated,
                descending: false,
            },
        };
        let text = definition_of(&view);
        assert!(!text.contains("scope"), "{text}");
        let read = shared_view_of(3, 1, "Urgent".to_owned(), &text, Some(AgentId(2)));
        let mut unscoped = view.clone();
        unscoped.filter.scope = None;
        assert_eq!(read.view, unscoped);
        assert_eq!(read.unreadable, None);
        // A field added by a newer Tickets is ignored; a value it added is not understood.
        let newer = text.replace("\"text\"", "\"snoozed\":true,\"text\"");
        assert_eq!(
            shared_view_of(3, 1, "U".to_owned(), &newer, None)
                .view
                .filter,
            unscoped.filter
        );
        let unknown = text.replace("\"Updated\"", "\"Snoozed\"");
        let read = shared_view_of(3, 1, "Urgent".to_owned(), &unknown, None);
        assert_eq!(read.view.name, "Urgent");
        assert_eq!(
            (read.view.filter, read.view.sort),
            (TicketFilter::default(), Sort::default())
        );
        assert!(
            read.unreadable
                .unwrap()
                .contains("newer version of Tickets")
        );
    }

    #[test]
    fn every_view_has_its_own_letter() {
        let letters: std::collections::HashSet<char> =
            BuiltinView::ALL.iter().map(|v| v.letter()).collect();
        assert_eq!(letters.len(), BuiltinView::ALL.len());
    }
}
