//! What the list is asked for, the same for every engine: which tickets
//! (a filter), in what order (a sort), which page, and the page that comes
//! back with the exact total.

use chrono::{DateTime, Utc};

use crate::analytics::Scope;
use crate::domain::{AgentId, CustomerId, Priority, Status, TagId, TicketNumber, TicketRow};

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
    /// Changed in the last this many hours, counted back from the store's
    /// clock when the list is read (a view's "Recently updated" stays the
    /// last day's however long the window stays open).
    pub updated_within_hours: Option<u32>,
    /// With a service-level target overdue now, unmet ([`crate::domain::sla`]).
    pub breached: bool,
    /// With a service-level target falling due within this many minutes
    /// (not yet overdue; with `breached`, overdue ones too).
    pub due_within_minutes: Option<u32>,
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
    /// Only these tickets (those a bulk action skipped, say); not
    /// remembered between runs.
    #[serde(skip)]
    pub numbers: Vec<TicketNumber>,
    /// Only the tickets behind one analytics figure ("Closed in Last 30d"),
    /// set by drilling down from the Analytics window; not remembered between runs.
    #[serde(skip)]
    pub scope: Option<Scope>,
}

impl TicketFilter {
    /// Whether the filter lets every ticket through.
    pub fn is_empty(&self) -> bool {
        *self == TicketFilter::default()
    }

    /// The condition on `due_at` (the column both engines keep, see
    /// [`crate::store::Store::refresh_due`]) that `breached` and
    /// `due_within_minutes` make, at `now`.
    pub fn due_condition(&self, now: DateTime<Utc>) -> Option<String> {
        let now = crate::domain::to_millis(now);
        match (self.breached, self.due_within_minutes) {
            (false, None) => None,
            (true, None) => Some(format!("t.due_at <= {now}")),
            (breached, Some(m)) => {
                let until = now + i64::from(m) * 60_000;
                Some(if breached {
                    format!("t.due_at <= {until}")
                } else {
                    format!("t.due_at > {now} AND t.due_at <= {until}")
                })
            }
        }
    }

    /// The earliest last-change moment `updated_within_hours` lets through,
    /// at `now` (milliseconds since the epoch, as the store keeps them).
    pub fn updated_since_millis(&self, now: DateTime<Utc>) -> Option<i64> {
        self.updated_within_hours
            .map(|h| crate::domain::to_millis(now) - i64::from(h) * 3_600_000)
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
    /// When anything about the ticket last changed.
    Updated,
    /// When its next service-level target falls due; tickets with none last.
    Due,
}

impl SortColumn {
    /// Every column, in list order.
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Number,
        SortColumn::Subject,
        SortColumn::Status,
        SortColumn::Priority,
        SortColumn::Customer,
        SortColumn::Assignee,
        SortColumn::Created,
        SortColumn::Updated,
        SortColumn::Due,
    ];
}

/// A sort order: a column and a direction. Ties go by number (which is
/// creation order) in the same direction, so a descending sort is the exact reverse.
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
    /// A row of this list whose place is known (the edge of a page read
    /// before): the page is read on from its key instead of counting rows
    /// from the top, so a page far down costs what the first one does.
    pub anchor: Option<Anchor>,
}

impl ListRequest {
    /// Every ticket matching `filter`, in `sort`'s order: what an export reads.
    pub fn all(filter: &TicketFilter, sort: Sort) -> ListRequest {
        ListRequest {
            filter: filter.clone(),
            sort,
            offset: 0,
            limit: u32::MAX,
            anchor: None,
        }
    }
}

/// A row's place in a sorted list: the sort column's value and the ticket's
/// number, which breaks ties. Reading "after this key" finds the next rows
/// through the sort column's index without stepping over those before.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListKey {
    /// The sort column's value in this row.
    pub value: SortValue,
    /// The ticket.
    pub number: TicketNumber,
}

/// A sort column's value as the store compares it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortValue {
    /// No value (no customer, nobody assigned): first when ascending.
    None,
    /// A number or a code.
    Number(i64),
    /// Text, compared ignoring case.
    Text(String),
}

/// A row known to stand at `position` (from 0) in the list, with its key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    /// Where it stands.
    pub position: u64,
    /// Its key.
    pub key: ListKey,
}

/// A page of the list, with the exact number of matching tickets where it
/// was counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TicketPage {
    /// How many tickets match the filter in all: always counted by
    /// `list_tickets`; by `list_page` only where reading the page took it
    /// (a jump deep into the list, or a page that reached the list's end),
    /// `None` otherwise.
    pub total: Option<u64>,
    /// Position of the first row in the whole list.
    pub offset: u64,
    /// The rows.
    pub rows: Vec<TicketRow>,
    /// The keys of the first and the last row, to anchor the pages beside
    /// this one (`None` for an empty page).
    pub edges: Option<(ListKey, ListKey)>,
}
