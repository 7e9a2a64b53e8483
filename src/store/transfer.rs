//! Moving a whole help desk from one engine to another (a desk's file into
//! a team's server): the tables it is, their columns, and rows as plain
//! cells, with a checksum both sides compute the same way, so a move can
//! prove it copied every row as it was.

use xxhash_rust::xxh3::Xxh3;

/// A table to move: its name (the same on both engines), the columns both
/// have, in order, and how many of the first columns are its key.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// The table.
    pub name: &'static str,
    /// Its columns.
    pub columns: &'static [&'static str],
    /// The first `key` columns identify a row; rows are read in their order.
    pub key: usize,
    /// Columns whose values keep their type on the server (`jsonb`).
    pub typed: &'static [&'static str],
    /// Whether `id` is drawn from a sequence the server must carry on from.
    pub numbered: bool,
}

/// The tables, in an order that puts every row after those it refers to.
pub const TABLES: &[Table] = &[
    Table {
        name: "agents",
        columns: &["id", "name", "sort_key", "email", "active", "created_at"],
        key: 1,
        typed: &[],
        numbered: true,
    },
    Table {
        name: "customers",
        columns: &[
            "id",
            "name",
            "sort_key",
            "email",
            "company",
            "created_at",
            "updated_at",
        ],
        key: 1,
        typed: &[],
        numbered: true,
    },
    Table {
        name: "tags",
        columns: &["id", "name"],
        key: 1,
        typed: &[],
        numbered: true,
    },
    Table {
        name: "customer_tags",
        columns: &["customer_id", "tag_id"],
        key: 2,
        typed: &[],
        numbered: false,
    },
    Table {
        name: "tickets",
        columns: &[
            "id",
            "subject",
            "description",
            "status",
            "priority",
            "customer_id",
            "created_at",
            "updated_at",
            "version",
            "first_reply_at",
            "first_reply_by",
            "resolved_at",
            "resolved_by",
            "closed_at",
            "csat",
            "csat_at",
            "customer_key",
            "assignee_key",
            // The due times as worked out (a move need not work out a
            // million again): each kept with the updated_at it was
            // worked out at, which moves as it is.
            "due_at",
            "due_risk_at",
            "sla_stamp",
            "first_due_at",
            "first_met",
            "resolve_due_at",
            "resolve_met",
        ],
        key: 1,
        typed: &[],
        numbered: true,
    },
    Table {
        name: "ticket_assignees",
        columns: &["ticket_id", "agent_id", "assigned_at"],
        key: 2,
        typed: &[],
        numbered: false,
    },
    Table {
        name: "ticket_tags",
        columns: &["ticket_id", "tag_id"],
        key: 2,
        typed: &[],
        numbered: false,
    },
    Table {
        name: "messages",
        columns: &[
            "id",
            "ticket_id",
            "direction",
            "author_id",
            "body",
            "created_at",
        ],
        key: 1,
        typed: &[],
        numbered: true,
    },
    Table {
        name: "notes",
        columns: &[
            "id",
            "ticket_id",
            "author_id",
            "body",
            "created_at",
            "updated_at",
            "version",
        ],
        key: 1,
        typed: &[],
        numbered: true,
    },
    Table {
        name: "bulk_batches",
        columns: &["id", "agent_id", "at", "description", "size", "undoes"],
        key: 1,
        typed: &[],
        numbered: true,
    },
    Table {
        name: "activity",
        columns: &[
            "id",
            "ticket_id",
            "at",
            "agent_id",
            "kind",
            "ref_id",
            "old_value",
            "new_value",
            "batch_id",
        ],
        key: 1,
        typed: &["old_value", "new_value"],
        numbered: true,
    },
    Table {
        name: "agent_tickets",
        columns: &["agent_id", "ticket_id", "first_at", "last_at"],
        key: 2,
        typed: &[],
        numbered: false,
    },
    // The definition is JSON kept as text on both engines, byte for byte.
    Table {
        name: "shared_views",
        columns: &[
            "id",
            "name",
            "name_key",
            "definition",
            "position",
            "shared_by",
            "created_at",
            "updated_at",
        ],
        key: 1,
        typed: &[],
        numbered: true,
    },
    // The service-level policy: JSON kept as text on both engines.
    Table {
        name: "sla_policy",
        columns: &["id", "definition", "updated_by", "updated_at"],
        key: 1,
        typed: &[],
        numbered: false,
    },
    Table {
        name: "ticket_links",
        columns: &["ticket_a", "ticket_b", "kind", "agent_id", "at"],
        key: 3,
        typed: &[],
        numbered: false,
    },
    Table {
        name: "canned_replies",
        columns: &[
            "id",
            "title",
            "title_key",
            "body",
            "tags",
            "status",
            "created_by",
            "created_at",
            "updated_at",
        ],
        key: 1,
        typed: &[],
        numbered: true,
    },
    // Each imported ticket's id in its source, so that importing the same
    // source into the desk's new home still updates rather than duplicates.
    // By ticket first: text orders alike on both engines only as far as
    // its collations agree, and a ticket rarely has two references. (Where
    // an unfinished import stands, `import_checkpoints`, stays behind: it
    // belongs to the file being imported on the desk it was imported on.)
    Table {
        name: "ticket_refs",
        columns: &["ticket_id", "source", "external_id"],
        key: 3,
        typed: &[],
        numbered: false,
    },
    Table {
        name: "ticket_reads",
        columns: &["agent_id", "ticket_id", "read_at"],
        key: 2,
        typed: &[],
        numbered: false,
    },
];

/// What a move hands each row to: its table, then its cells.
pub type RowSink<'a> =
    dyn FnMut(&'static Table, &[Cell]) -> Result<(), crate::store::StoreError> + 'a;

/// Where a move's rows come from: a desk's file, or a file of everything
/// a desk held ([`crate::export::everything`]).
pub trait RowSource {
    /// How many rows each table of [`TABLES`] holds, in its order.
    fn transfer_counts(&self) -> Result<Vec<u64>, crate::store::StoreError>;
    /// Hands every row of every table of [`TABLES`] to `row`, table by
    /// table in that order and in key order.
    fn transfer_rows(&self, row: &mut RowSink<'_>) -> Result<(), crate::store::StoreError>;
}

impl RowSource for crate::store::Store {
    fn transfer_counts(&self) -> Result<Vec<u64>, crate::store::StoreError> {
        crate::store::Store::transfer_counts(self)
    }

    fn transfer_rows(&self, row: &mut RowSink<'_>) -> Result<(), crate::store::StoreError> {
        crate::store::Store::transfer_rows(self, row)
    }
}

/// One value of a row being moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// No value.
    Null,
    /// A whole number (ids, times, codes, flags).
    Int(i64),
    /// Text.
    Text(String),
}

/// A table's rows folded into counts and one checksum: the same rows in
/// the same order give the same sum on either engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSum {
    /// How many rows.
    pub rows: u64,
    /// XXH3-128 over every cell, in order.
    pub checksum: u128,
}

/// Folds rows into a [`TableSum`].
#[derive(Default)]
pub struct Summer {
    rows: u64,
    hash: Xxh3,
}

impl Summer {
    /// Adds a row.
    pub fn add(&mut self, row: &[Cell]) {
        self.rows += 1;
        for cell in row {
            match cell {
                Cell::Null => self.hash.update(&[0]),
                // A number sums as its digits: the server hands values back as text.
                Cell::Int(n) => self.text(&n.to_string()),
                Cell::Text(text) => self.text(text),
            }
        }
    }

    fn text(&mut self, text: &str) {
        self.hash.update(&[1]);
        self.hash.update(&(text.len() as u64).to_le_bytes());
        self.hash.update(text.as_bytes());
    }

    /// The sum of the rows added.
    pub fn finish(&self) -> TableSum {
        TableSum {
            rows: self.rows,
            checksum: self.hash.digest128(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_and_its_digits_sum_alike_and_null_differs_from_empty() {
        let sum = |rows: &[&[Cell]]| {
            let mut s = Summer::default();
            rows.iter().for_each(|r| s.add(r));
            s.finish()
        };
        assert_eq!(
            sum(&[&[Cell::Int(42), Cell::Null]]),
            sum(&[&[Cell::Text("42".into()), Cell::Null]])
        );
        assert_ne!(sum(&[&[Cell::Null]]), sum(&[&[Cell::Text(String::new())]]));
        assert_ne!(
            sum(&[&[Cell::Text("ab".into()), Cell::Text("c".into())]]),
            sum(&[&[Cell::Text("a".into()), Cell::Text("bc".into())]])
        );
    }
}
