//! Bulk actions: one change asked of many tickets at once (set status, set
//! priority, assign, tag, add the same note), and what became of each.
//!
//! A run ([`crate::store::Store::bulk_apply`]) changes each ticket in its own
//! transaction, with its own activity entry marked as part of the run (a
//! *batch*), and only where the ticket is still as the agent saw it
//! ([`BulkItem::seen`]): a ticket changed by someone else since is skipped and
//! reported, never overwritten. What a run changed can be undone
//! ([`BulkOutcome::undo_items`]): each ticket back to its own old value, as a
//! new run of its own, refusing a ticket changed since.

use chrono::{DateTime, Utc};

use super::{ActivityKind, Agent, AgentId, NoteId, Priority, Status, Tag, TagId, TicketNumber};

/// One change asked of a ticket in a bulk run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BulkChange {
    /// Move it to this status (as `set_status`).
    Status(Status),
    /// Give it this priority (as `set_priority`).
    Priority(Priority),
    /// Assign this agent, alongside any others (as `assign`).
    Assign(AgentId),
    /// Take this agent off it (as `unassign`).
    Unassign(AgentId),
    /// Tag it with the tag of this name, made if new (as `add_tag`).
    AddTag(String),
    /// Take this tag off it (as `remove_tag`).
    RemoveTag(TagId),
    /// Add an internal note with this text (as `add_note`).
    AddNote(String),
    /// Delete this internal note of the ticket (as `delete_note`; its text
    /// stays in the trail). What undoes [`BulkChange::AddNote`]; a note of
    /// another ticket is refused.
    DeleteNote(NoteId),
}

impl BulkChange {
    /// The change as the window names it, with agents' and tags' names from
    /// `agents` and `tags` (what the window holds already): "set status to
    /// Waiting", "assign Dana Lee", "add the tag “vip”". A note's text is
    /// left out (it may name the customer, and the label is kept as the
    /// batch's description, which erasure does not rewrite).
    pub fn label(&self, agents: &[Agent], tags: &[Tag]) -> String {
        let agent = |id: &AgentId| {
            agents
                .iter()
                .find(|a| a.id == *id)
                .map_or_else(|| format!("agent #{}", id.0), |a| a.name.clone())
        };
        match self {
            BulkChange::Status(s) => format!("set status to {}", s.label()),
            BulkChange::Priority(p) => format!("set priority to {}", p.label()),
            BulkChange::Assign(a) => format!("assign {}", agent(a)),
            BulkChange::Unassign(a) => format!("unassign {}", agent(a)),
            BulkChange::AddTag(name) => format!("add the tag “{}”", name.trim()),
            BulkChange::RemoveTag(id) => match tags.iter().find(|t| t.id == *id) {
                Some(tag) => format!("remove the tag “{}”", tag.name),
                None => "remove a tag".to_owned(),
            },
            BulkChange::AddNote(_) => "add an internal note".to_owned(),
            BulkChange::DeleteNote(_) => "delete an internal note".to_owned(),
        }
    }

    /// The change that puts back exactly what this entry of the trail
    /// recorded, given the tag's id where a tag was added (the entry keeps
    /// its name only). `None` for an entry no bulk change writes.
    pub fn undoing(entry: &ActivityKind, added_tag: Option<TagId>) -> Option<BulkChange> {
        Some(match entry {
            ActivityKind::StatusChanged { from, .. } => BulkChange::Status(*from),
            ActivityKind::PriorityChanged { from, .. } => BulkChange::Priority(*from),
            ActivityKind::AgentAssigned { agent, .. } => BulkChange::Unassign(*agent),
            ActivityKind::AgentUnassigned { agent, .. } => BulkChange::Assign(*agent),
            ActivityKind::TagAdded { .. } => BulkChange::RemoveTag(added_tag?),
            ActivityKind::TagRemoved { tag } => BulkChange::AddTag(tag.clone()),
            ActivityKind::NoteAdded { note } => BulkChange::DeleteNote(*note),
            ActivityKind::NoteDeleted { text, .. } => BulkChange::AddNote(text.clone()),
            _ => return None,
        })
    }
}

/// One ticket of a bulk run: which, when the agent saw it last changed, and
/// what to change. The change is per ticket so that an undo puts back each
/// ticket's own old value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BulkItem {
    /// The ticket.
    pub number: TicketNumber,
    /// Its last change when the agent selected it ([`super::TicketRow::updated`],
    /// or `Store::list_stamps`): if it changed since, it is skipped.
    pub seen: DateTime<Utc>,
    /// What to do to it.
    pub change: BulkChange,
}

impl BulkItem {
    /// The same change for each of `stamps` (ticket, last change seen), as
    /// `Store::list_stamps` or the list's rows give them.
    pub fn each(stamps: &[(TicketNumber, DateTime<Utc>)], change: &BulkChange) -> Vec<BulkItem> {
        stamps
            .iter()
            .map(|&(number, seen)| BulkItem {
                number,
                seen,
                change: change.clone(),
            })
            .collect()
    }
}

/// What became of one ticket of a bulk run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BulkResult {
    /// Changed and committed, with its activity entry.
    Changed {
        /// Its last change now (this one): what an undo must find.
        updated: DateTime<Utc>,
        /// The change that reverts exactly this one.
        undo: BulkChange,
    },
    /// Already so (the status already Waiting, the agent already assigned,
    /// the tag not there): nothing written, no activity.
    Unchanged,
    /// Changed by someone else since it was selected: skipped, nothing written.
    Conflict {
        /// Its last change now.
        updated: DateTime<Utc>,
    },
    /// Refused as the single change would be (the ticket is gone, the agent
    /// is inactive, the text is too long…), in a sentence; nothing written.
    Refused(String),
}

/// What a bulk run did, ticket by ticket.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BulkOutcome {
    /// The batch its activity entries are marked with (0 if the run stopped
    /// before one was made).
    pub batch: i64,
    /// How many tickets it was asked to change.
    pub asked: usize,
    /// Each ticket reached, in the order asked (those after a cancel or a
    /// failure are not listed).
    pub results: Vec<(TicketNumber, BulkResult)>,
    /// Whether it was stopped on request before the end; what was done
    /// stays done.
    pub cancelled: bool,
}

/// How many tickets of a run came to each end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkCounts {
    /// Changed.
    pub changed: usize,
    /// Already so.
    pub unchanged: usize,
    /// Changed by someone else since: skipped.
    pub conflicts: usize,
    /// Refused.
    pub refused: usize,
    /// Not reached (cancelled or stopped by a failure).
    pub not_reached: usize,
}

impl BulkOutcome {
    /// The tickets it changed, in order.
    pub fn changed(&self) -> Vec<TicketNumber> {
        self.numbers(|r| matches!(r, BulkResult::Changed { .. }))
    }

    /// The tickets skipped because someone else changed them since they
    /// were selected ("3 were changed by someone else: show them").
    pub fn conflicts(&self) -> Vec<TicketNumber> {
        self.numbers(|r| matches!(r, BulkResult::Conflict { .. }))
    }

    /// The tickets refused, each with why.
    pub fn refused(&self) -> Vec<(TicketNumber, &str)> {
        self.results
            .iter()
            .filter_map(|(n, r)| match r {
                BulkResult::Refused(why) => Some((*n, why.as_str())),
                _ => None,
            })
            .collect()
    }

    fn numbers(&self, keep: impl Fn(&BulkResult) -> bool) -> Vec<TicketNumber> {
        self.results
            .iter()
            .filter(|(_, r)| keep(r))
            .map(|(n, _)| *n)
            .collect()
    }

    /// How many came to each end.
    pub fn counts(&self) -> BulkCounts {
        let mut counts = BulkCounts {
            not_reached: self.asked.saturating_sub(self.results.len()),
            ..BulkCounts::default()
        };
        for (_, result) in &self.results {
            match result {
                BulkResult::Changed { .. } => counts.changed += 1,
                BulkResult::Unchanged => counts.unchanged += 1,
                BulkResult::Conflict { .. } => counts.conflicts += 1,
                BulkResult::Refused(_) => counts.refused += 1,
            }
        }
        counts
    }

    /// What undoes this run: for each ticket it changed, the change back,
    /// seen as this run left it (so a ticket changed since is a conflict,
    /// and refused). Hand them to `Store::bulk_undo`.
    pub fn undo_items(&self) -> Vec<BulkItem> {
        self.results
            .iter()
            .filter_map(|(number, result)| match result {
                BulkResult::Changed { updated, undo } => Some(BulkItem {
                    number: *number,
                    seen: *updated,
                    change: undo.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// The run in one sentence, for a toast: "Changed 237 of 240 tickets;
    /// 3 were changed by someone else since you selected them, and were left
    /// as they are."
    pub fn summary(&self) -> String {
        let c = self.counts();
        let tickets = |n: usize| {
            if n == 1 {
                "1 ticket".to_owned()
            } else {
                format!("{n} tickets")
            }
        };
        let were = |n: usize| if n == 1 { "was" } else { "were" };
        let mut parts = vec![format!("Changed {} of {}", c.changed, tickets(self.asked))];
        if c.unchanged > 0 {
            parts.push(format!("{} {} already so", c.unchanged, were(c.unchanged)));
        }
        if c.conflicts > 0 {
            parts.push(format!(
                "{} {} changed by someone else since you selected them, and left as they are",
                c.conflicts,
                were(c.conflicts)
            ));
        }
        if c.refused > 0 {
            parts.push(format!("{} {} refused", c.refused, were(c.refused)));
        }
        if self.cancelled {
            parts.push(format!(
                "cancelled with {} not reached (what was done stays done)",
                c.not_reached
            ));
        }
        format!("{}.", parts.join("; "))
    }
}

/// How an activity entry made by a bulk run is marked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BulkMark {
    /// The run's batch.
    pub batch: i64,
    /// How many tickets it changed (while it runs: how many it was asked to).
    pub size: u64,
    /// The batch it undid, for an undo.
    pub undoes: Option<i64>,
}

impl BulkMark {
    /// What the trail adds after the entry's sentence: " (bulk change of 240
    /// tickets)", " (undo of a bulk change, 240 tickets)".
    pub fn suffix(&self) -> String {
        let tickets = if self.size == 1 {
            "1 ticket".to_owned()
        } else {
            format!("{} tickets", self.size)
        };
        match self.undoes {
            Some(_) => format!(" (undo of a bulk change, {tickets})"),
            None => format!(" (bulk change of {tickets})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome() -> BulkOutcome {
        let t = |n| TicketNumber(n);
        let when = DateTime::<Utc>::from_timestamp_millis(1_000).unwrap_or_default();
        BulkOutcome {
            batch: 4,
            asked: 6,
            results: vec![
                (
                    t(1),
                    BulkResult::Changed {
                        updated: when,
                        undo: BulkChange::Status(Status::Open),
                    },
                ),
                (t(2), BulkResult::Unchanged),
                (t(3), BulkResult::Conflict { updated: when }),
                (t(4), BulkResult::Refused("gone".into())),
                (
                    t(5),
                    BulkResult::Changed {
                        updated: when,
                        undo: BulkChange::Status(Status::Waiting),
                    },
                ),
            ],
            cancelled: true,
        }
    }

    #[test]
    fn an_outcome_counts_and_undoes_only_what_it_changed() {
        let o = outcome();
        assert_eq!(o.changed(), [TicketNumber(1), TicketNumber(5)]);
        assert_eq!(o.conflicts(), [TicketNumber(3)]);
        assert_eq!(o.refused(), [(TicketNumber(4), "gone")]);
        assert_eq!(
            o.counts(),
            BulkCounts {
                changed: 2,
                unchanged: 1,
                conflicts: 1,
                refused: 1,
                not_reached: 1,
            }
        );
        let undo = o.undo_items();
        assert_eq!(undo.len(), 2);
        assert_eq!(undo[1].number, TicketNumber(5));
        assert_eq!(undo[1].change, BulkChange::Status(Status::Waiting));
        assert_eq!(
            o.summary(),
            "Changed 2 of 6 tickets; 1 was already so; 1 was changed by someone else since you selected them, and left as they are; 1 was refused; cancelled with 1 not reached (what was done stays done)."
        );
    }

    #[test]
    fn each_entry_a_bulk_change_writes_has_its_undo() {
        let dana = AgentId(2);
        let cases = [
            (
                ActivityKind::StatusChanged {
                    from: Status::Open,
                    to: Status::Waiting,
                },
                BulkChange::Status(Status::Open),
            ),
            (
                ActivityKind::PriorityChanged {
                    from: Priority::Low,
                    to: Priority::High,
                },
                BulkChange::Priority(Priority::Low),
            ),
            (
                ActivityKind::AgentAssigned {
                    agent: dana,
                    name: "Dana".into(),
                },
                BulkChange::Unassign(dana),
            ),
            (
                ActivityKind::AgentUnassigned {
                    agent: dana,
                    name: "Dana".into(),
                },
                BulkChange::Assign(dana),
            ),
            (
                ActivityKind::TagAdded { tag: "vip".into() },
                BulkChange::RemoveTag(TagId(7)),
            ),
            (
                ActivityKind::TagRemoved { tag: "vip".into() },
                BulkChange::AddTag("vip".into()),
            ),
            (
                ActivityKind::NoteAdded { note: NoteId(3) },
                BulkChange::DeleteNote(NoteId(3)),
            ),
            (
                ActivityKind::NoteDeleted {
                    note: NoteId(3),
                    text: "called".into(),
                },
                BulkChange::AddNote("called".into()),
            ),
        ];
        for (entry, undo) in cases {
            assert_eq!(
                BulkChange::undoing(&entry, Some(TagId(7))),
                Some(undo),
                "{entry:?}"
            );
        }
        assert_eq!(BulkChange::undoing(&ActivityKind::Created, None), None);
    }

    #[test]
    fn labels_name_agents_and_tags_and_leave_note_text_out() {
        let agents = [Agent {
            id: AgentId(2),
            name: "Dana Lee".into(),
            email: String::new(),
            active: true,
        }];
        let tags = [Tag {
            id: TagId(7),
            name: "vip".into(),
        }];
        let label = |c: BulkChange| c.label(&agents, &tags);
        assert_eq!(
            label(BulkChange::Status(Status::Waiting)),
            "set status to Waiting"
        );
        assert_eq!(label(BulkChange::Assign(AgentId(2))), "assign Dana Lee");
        assert_eq!(label(BulkChange::Unassign(AgentId(9))), "unassign agent #9");
        assert_eq!(
            label(BulkChange::RemoveTag(TagId(7))),
            "remove the tag “vip”"
        );
        assert_eq!(
            label(BulkChange::AddNote("Marguerite called".into())),
            "add an internal note"
        );
    }

    #[test]
    fn a_mark_says_how_many_and_whether_it_undid() {
        let mark = |size, undoes| BulkMark {
            batch: 1,
            size,
            undoes,
        };
        assert_eq!(mark(240, None).suffix(), " (bulk change of 240 tickets)");
        assert_eq!(mark(1, None).suffix(), " (bulk change of 1 ticket)");
        assert_eq!(
            mark(3, Some(1)).suffix(),
            " (undo of a bulk change, 3 tickets)"
        );
    }
}
