//! Views: the named lists at the top of the sidebar (built-in, the agent's
//! own, and the team's shared ones), which one is open, whether the filters
//! have moved away from it, and their live counts.

use std::collections::HashMap;

use super::TicketsApp;
use super::settings::ViewRef;
use super::ui::Modal;
use super::ui::views::ViewEntry;
use super::ui::widgets::ToastKind;
use super::worker::protocol::{Request, SharedEdit};
use crate::store::TicketFilter;
use crate::store::views::{BuiltinView, SavedView};

/// The views' counts, and what they were asked for.
#[derive(Default)]
pub struct ViewCounts {
    /// Each view's count, once known.
    pub counts: HashMap<ViewRef, u64>,
    /// The views and data epoch the counts on show (or on their way) are for.
    asked_for: Option<(Vec<(ViewRef, TicketFilter)>, u64)>,
    /// The newest request's number; older answers are dropped.
    pub asked: u64,
    /// The views the newest request named, in its order.
    pub(super) pending: Vec<ViewRef>,
    /// The store's clock's minute when last asked: "Recently updated" moves
    /// with time even when no ticket changes.
    minute: i64,
    /// How many of the agent's open tickets changed since they last
    /// opened them.
    pub unread_mine: Option<u64>,
}

impl ViewCounts {
    /// Takes in an answer: the counts of the views asked for, in order.
    pub fn receive(&mut self, generation: u64, counts: Vec<u64>) {
        if generation != self.asked {
            return;
        }
        self.counts = self.pending.drain(..).zip(counts).collect();
    }

    /// Forgets everything (another database).
    pub fn clear(&mut self) {
        *self = ViewCounts {
            asked: self.asked,
            ..ViewCounts::default()
        };
    }
}

/// `name` as a view is called (checked as the store checks a shared
/// view's name: one line, 1 to 60 characters), or why it cannot name a new
/// view: a built-in view or one in `taken` has it, ignoring case.
pub fn checked_name(name: &str, taken: &[String]) -> Result<String, String> {
    let name = crate::domain::validate::view_name(name).map_err(|e| e.to_string())?;
    let key = crate::domain::sort_key(&name);
    let labels = BuiltinView::ALL.iter().map(|v| v.label());
    if labels
        .chain(taken.iter().map(String::as_str))
        .any(|other| crate::domain::sort_key(other.trim()) == key)
    {
        return Err(format!("There is a view named “{name}” already."));
    }
    Ok(name)
}

impl TicketsApp {
    /// Every view, in sidebar order: built-in, the agent's own, the team's.
    pub(super) fn view_entries(&self) -> Vec<ViewEntry> {
        let me = self.actor();
        let builtin = BuiltinView::ALL.iter().map(|&view| ViewEntry {
            view: ViewRef::Builtin(view),
            name: view.label().to_owned(),
            filter: view.filter(me),
            sort: view.sort(),
            hint: match (view, me) {
                (BuiltinView::MyOpen, None) => {
                    "Tickets assigned to you: say who you are first (File → Switch agent…)"
                        .to_owned()
                }
                _ => view.meaning().to_owned(),
            },
        });
        let personal = self.db().views.iter().map(|saved| ViewEntry {
            view: ViewRef::Personal(saved.name.clone()),
            name: saved.name.clone(),
            filter: Some(saved.filter.clone()),
            sort: saved.sort,
            hint: "Your own view (right-click to rename, move or delete)".to_owned(),
        });
        let shared = self.shared_views.iter().map(|shared| ViewEntry {
            view: ViewRef::Shared(shared.id),
            name: shared.view.name.clone(),
            // One a newer Tickets saved is listed, not opened.
            filter: shared
                .unreadable
                .is_none()
                .then(|| shared.view.filter.clone()),
            sort: shared.view.sort,
            hint: match &shared.unreadable {
                Some(why) => format!("Shared with the team; it cannot be opened here: {why}"),
                None => "Shared with the team (right-click to rename, move or delete)".to_owned(),
            },
        });
        builtin.chain(personal).chain(shared).collect()
    }

    /// The entry of one view, if it still exists.
    pub(super) fn view_entry(&self, view: &ViewRef) -> Option<ViewEntry> {
        self.view_entries().into_iter().find(|e| &e.view == view)
    }

    /// Every view's name but the built-in ones (names are unique among them).
    fn saved_view_names(&self) -> Vec<String> {
        self.db()
            .views
            .iter()
            .map(|v| v.name.clone())
            .chain(self.shared_views.iter().map(|s| s.view.name.clone()))
            .collect()
    }

    /// Opens a view: its filter and sort replace the list's.
    pub(super) fn open_view(&mut self, view: ViewRef) {
        let Some(entry) = self.view_entry(&view) else {
            return;
        };
        let Some(filter) = entry.filter else {
            // "My open" before anyone said who they are.
            self.ask_who();
            return;
        };
        self.db_mut().view = Some(view);
        self.set_filter(filter);
        if self.db().sort != entry.sort {
            self.db_mut().sort = entry.sort;
            self.list.restart();
        }
    }

    /// Whether the filters or the sort have moved away from the open view.
    pub(super) fn view_modified(&self) -> bool {
        let Some(view) = &self.db().view else {
            return false;
        };
        match self.view_entry(view) {
            Some(entry) => {
                entry.filter.as_ref() != Some(&self.db().filter) || entry.sort != self.db().sort
            }
            None => false,
        }
    }

    /// Saves the filters and sort in force as a new view, the agent's own
    /// or (on the database) the team's; it becomes the open view. Says
    /// whether it is saved already (a shared one is once the database
    /// answers).
    pub(super) fn save_view_as(&mut self, name: &str, shared: bool) -> Result<bool, String> {
        let name = checked_name(name, &self.saved_view_names())?;
        let mut filter = self.db().filter.clone();
        // A drill-down from Analytics is not kept between runs.
        filter.scope = None;
        let saved = SavedView {
            name,
            filter,
            sort: self.db().sort,
        };
        if shared {
            // The dialog stays until the database has it (or says why not).
            return self.edit_shared(SharedEdit::Share(saved)).map(|()| false);
        }
        let view = ViewRef::Personal(saved.name.clone());
        self.db_mut().views.push(saved);
        self.db_mut().view = Some(view);
        Ok(true)
    }

    /// Writes the filters and sort in force into the open view.
    pub(super) fn save_view_changes(&mut self) {
        let (filter, sort) = (self.db().filter.clone(), self.db().sort);
        match self.db().view.clone() {
            Some(ViewRef::Personal(name)) => {
                if let Some(saved) = self.db_mut().views.iter_mut().find(|v| v.name == name) {
                    saved.filter = filter;
                    saved.sort = sort;
                }
            }
            Some(ViewRef::Shared(id)) => {
                if let Some(shared) = self.shared_views.iter().find(|s| s.id == id) {
                    let view = SavedView {
                        filter,
                        sort,
                        ..shared.view.clone()
                    };
                    self.report_shared(self.edit_shared(SharedEdit::Update(id, view)));
                }
            }
            // A built-in view stays as it is: save the changes as a new view.
            Some(ViewRef::Builtin(_)) | None => {}
        }
    }

    /// Puts the open view's own filters and sort back.
    pub(super) fn revert_view(&mut self) {
        if let Some(view) = self.db().view.clone() {
            self.open_view(view);
        }
    }

    /// Renames one of the saved views; says whether it is renamed already
    /// (a shared one is once the database answers).
    pub(super) fn rename_view(&mut self, view: &ViewRef, name: &str) -> Result<bool, String> {
        let current = self.view_entry(view).map(|e| e.name).unwrap_or_default();
        let others: Vec<String> = self
            .saved_view_names()
            .into_iter()
            .filter(|n| *n != current)
            .collect();
        let name = checked_name(name, &others)?;
        match view {
            ViewRef::Personal(old) => {
                let old = old.clone();
                if let Some(saved) = self.db_mut().views.iter_mut().find(|v| v.name == old) {
                    saved.name = name.clone();
                }
                if self.db().view.as_ref() == Some(view) {
                    self.db_mut().view = Some(ViewRef::Personal(name));
                }
                Ok(true)
            }
            ViewRef::Shared(id) => self
                .edit_shared(SharedEdit::Rename(*id, name))
                .map(|()| false),
            ViewRef::Builtin(_) => Err("A built-in view keeps its name.".to_owned()),
        }
    }

    /// Moves a saved view up (`-1`) or down (`1`) among its kind.
    pub(super) fn move_view(&mut self, view: &ViewRef, by: i64) {
        match view {
            ViewRef::Personal(name) => {
                let views = &mut self.settings.database_mut(&self.db_key).views;
                if let Some(i) = views.iter().position(|v| &v.name == name) {
                    let j = i as i64 + by;
                    if (0..views.len() as i64).contains(&j) {
                        views.swap(i, j as usize);
                    }
                }
            }
            ViewRef::Shared(id) => {
                if let Some(i) = self.shared_views.iter().position(|s| s.id == *id) {
                    let j = i as i64 + by;
                    if (0..self.shared_views.len() as i64).contains(&j) {
                        let other = self.shared_views[j as usize].id;
                        self.report_shared(self.edit_shared(SharedEdit::Swap(*id, other)));
                    }
                }
            }
            ViewRef::Builtin(_) => {}
        }
    }

    /// Deletes a saved view; the list keeps its filters.
    pub(super) fn delete_view(&mut self, view: &ViewRef) {
        match view {
            ViewRef::Personal(name) => {
                let name = name.clone();
                self.db_mut().views.retain(|v| v.name != name);
                self.toasts
                    .add(ToastKind::Info, format!("Deleted the view “{name}”"));
            }
            ViewRef::Shared(id) => self.report_shared(self.edit_shared(SharedEdit::Delete(*id))),
            ViewRef::Builtin(_) => return,
        }
        if self.db().view.as_ref() == Some(view) {
            self.db_mut().view = None;
        }
    }

    /// Sends a change of the team's views to the store, as the agent using
    /// the app.
    fn edit_shared(&self, edit: SharedEdit) -> Result<(), String> {
        let Some(actor) = self.actor() else {
            return Err("Say who you are first (File → Switch agent…).".to_owned());
        };
        self.request(Request::EditSharedView { actor, edit });
        Ok(())
    }

    /// A refusal from [`Self::edit_shared`], as a notice.
    fn report_shared(&mut self, sent: Result<(), String>) {
        if let Err(why) = sent {
            self.toasts.add(ToastKind::Error, why);
        }
    }

    /// The store answered a change of the team's views: the views are read
    /// again; a new one opens and its dialog closes; a refusal shows in the
    /// dialog (what was typed stays) or as a notice.
    pub(super) fn shared_view_edited(
        &mut self,
        edit: SharedEdit,
        result: Result<Option<i64>, crate::store::StoreError>,
    ) {
        self.request(Request::SharedViews);
        match result {
            Ok(id) => {
                if let Some(Modal::ViewName(_)) = &self.modal {
                    self.modal = None;
                }
                match (&edit, id) {
                    (SharedEdit::Share(_), Some(id)) => {
                        self.db_mut().view = Some(ViewRef::Shared(id))
                    }
                    (SharedEdit::Delete(id), _) if self.db().view == Some(ViewRef::Shared(*id)) => {
                        self.db_mut().view = None;
                    }
                    _ => {}
                }
            }
            Err(error) => match &mut self.modal {
                Some(Modal::ViewName(form))
                    if matches!(edit, SharedEdit::Share(_) | SharedEdit::Rename(..)) =>
                {
                    form.error = Some(error.to_string());
                }
                _ => self.toasts.add(
                    ToastKind::Error,
                    format!("The team's view was not changed: {error}."),
                ),
            },
        }
    }

    /// Asks for every view's count when the views, the data or the minute
    /// changed since they were last asked for.
    pub(super) fn keep_view_counts_up(&mut self) {
        let views: Vec<(ViewRef, TicketFilter)> = self
            .view_entries()
            .into_iter()
            .filter_map(|e| Some((e.view, e.filter?)))
            .collect();
        let minute = self.clock.now().timestamp() / 60;
        let key = (views, self.data_epoch);
        if self.view_counts.asked_for.as_ref() == Some(&key) && self.view_counts.minute == minute {
            return;
        }
        self.view_counts.asked += 1;
        self.view_counts.minute = minute;
        self.view_counts.pending = key.0.iter().map(|(v, _)| v.clone()).collect();
        let me = self.actor();
        self.request(Request::ViewCounts {
            generation: self.view_counts.asked,
            filters: key.0.iter().map(|(_, f)| f.clone()).collect(),
            unread_of: me.and_then(|me| Some((me, BuiltinView::MyOpen.filter(Some(me))?))),
        });
        self.view_counts.asked_for = Some(key);
    }

    /// On the first start on a database, once the counts are in: "My open"
    /// when something is assigned to the agent, else "All open".
    pub(super) fn choose_first_view(&mut self) {
        if self.db().view.is_some() {
            return;
        }
        let my_open = ViewRef::Builtin(BuiltinView::MyOpen);
        let Some(mine) = self.view_counts.counts.get(&my_open).copied() else {
            // Nobody is using the app yet: where the desk has agents, wait
            // for the one who says who they are; a new desk has nothing
            // assigned to anyone.
            if self.actor().is_none()
                && self.agents.is_empty()
                && self
                    .view_counts
                    .counts
                    .contains_key(&ViewRef::Builtin(BuiltinView::AllOpen))
            {
                self.open_view(ViewRef::Builtin(BuiltinView::AllOpen));
            }
            return;
        };
        self.open_view(if mine > 0 {
            my_open
        } else {
            ViewRef::Builtin(BuiltinView::AllOpen)
        });
    }

    /// How many tickets the database holds, once counted.
    pub(super) fn all_tickets(&self) -> Option<u64> {
        self.view_counts
            .counts
            .get(&ViewRef::Builtin(BuiltinView::All))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::MAX_VIEW_NAME_CHARS as MAX_VIEW_NAME;

    #[test]
    fn a_view_needs_a_name_of_its_own() {
        let taken = ["VIP refunds".to_owned()];
        assert!(checked_name("  ", &taken).is_err());
        assert!(checked_name("vip REFUNDS", &taken).is_err());
        assert!(checked_name("my open", &taken).is_err(), "a built-in name");
        assert!(checked_name(&"x".repeat(MAX_VIEW_NAME + 1), &taken).is_err());
        assert_eq!(
            checked_name(" Urgent bugs ", &taken).as_deref(),
            Ok("Urgent bugs")
        );
        // Case beyond ASCII, as the store compares.
        assert!(checked_name("ÉLAN", &["élan".to_owned()]).is_err());
    }

    #[test]
    fn only_the_newest_counts_are_taken() {
        let mut counts = ViewCounts {
            asked: 2,
            pending: vec![ViewRef::Builtin(BuiltinView::All)],
            ..ViewCounts::default()
        };
        counts.receive(1, vec![5]);
        assert!(counts.counts.is_empty(), "an older answer");
        counts.receive(2, vec![7]);
        assert_eq!(
            counts.counts.get(&ViewRef::Builtin(BuiltinView::All)),
            Some(&7)
        );
    }
}
