//! What the window's state does between frames: open and close tickets,
//! switch databases, ask again for what a change can alter, and ask for
//! what the state lacks (pages on screen, counts for the filter in force).

use std::path::PathBuf;

use super::ui::list::PAGE;
use super::ui::panel::PanelState;
use super::ui::widgets::ToastKind;
use super::worker::Worker;
use super::worker::protocol::{Alters, Asker, Request};
use super::{Database, TicketsApp};
use crate::analytics::PeriodChoice;
use crate::domain::{Doing, TicketNumber};
use crate::store::{ListRequest, Location, TicketFilter};

impl TicketsApp {
    /// Today in local time, by the app's clock.
    pub(super) fn today(&self) -> chrono::NaiveDate {
        self.clock.now().with_timezone(&chrono::Local).date_naive()
    }

    /// Sends a request to the store's worker.
    pub(super) fn request(&self, request: Request) {
        if let Some(worker) = &self.worker {
            worker.send(request);
        }
    }

    /// Starts a new database at `path`, unless a file is there.
    pub(super) fn new_database(&mut self, ctx: &egui::Context, path: PathBuf) {
        if path.exists() {
            self.toasts.add(
                ToastKind::Error,
                format!(
                    "“{}” already exists, and Tickets never writes over a file. Choose a new name, or open it with Open database….",
                    path.display()
                ),
            );
        } else {
            self.switch_database(ctx, Location::File(path), None);
        }
    }

    /// Remembers the Connect form's server and login (never the password).
    pub(super) fn remember_server(&mut self) {
        let Some(super::Modal::Connect(form)) = &self.modal else {
            return;
        };
        self.settings.team_server = Some(crate::app::settings::TeamServer {
            host: form.host.trim().to_owned(),
            port: form.port.trim().to_owned(),
            database: form.database.trim().to_owned(),
            user: form.user.trim().to_owned(),
            options: form.options.clone(),
        });
    }

    /// The Connect form filled with the server last used (not its password).
    pub(super) fn known_server(&self) -> crate::app::ui::dialogs::ConnectForm {
        let known = self.settings.team_server.clone().unwrap_or_default();
        crate::app::ui::dialogs::ConnectForm {
            host: known.host,
            port: known.port,
            database: known.database,
            user: known.user,
            options: known.options,
            ..Default::default()
        }
    }

    /// Tries a connection on a thread of its own (the window never waits
    /// on the network); the Connect form shows the answer when it comes.
    pub(super) fn test_connection(&mut self, url: String, ctx: &egui::Context) {
        let Some(super::Modal::Connect(form)) = &mut self.modal else {
            return;
        };
        let (tell, answer) = std::sync::mpsc::channel();
        let clock = self.clock.clone();
        let repaint = ctx.clone();
        let started = std::thread::Builder::new()
            .name("tickets-connect-test".to_owned())
            .spawn(move || {
                let outcome = match crate::store::Store::connect(&url, clock) {
                    Ok(store) => Ok(match store.signed_in() {
                        Some(me) => format!("signed in as {}", me.name),
                        None => "the server answers".to_owned(),
                    }),
                    Err(e) => Err(e.to_string()),
                };
                let _ = tell.send(outcome);
                repaint.request_repaint();
            });
        match started {
            Ok(_) => {
                form.testing = true;
                form.tested = None;
                form.answer = Some(answer);
            }
            Err(e) => form.tested = Some(Err(format!("the test could not start: {e}"))),
        }
    }

    /// Leaves the store on show for the one at `location` (the same one when
    /// putting the backup `restore` in its place). A new worker opens it
    /// once the old one has let go of it. What was on show belonged to the
    /// old store and goes, except unsaved ticket text when the store stays
    /// the same; each store's settings stay remembered under its location.
    pub(super) fn switch_database(
        &mut self,
        ctx: &egui::Context,
        location: Location,
        restore: Option<PathBuf>,
    ) {
        self.close_panel();
        if location != self.location {
            self.drafts.clear();
            self.new_ticket_draft = None;
        }
        let restoring = restore.is_some();
        let repaint = ctx.clone();
        let worker = Worker::replace(
            self.worker.take(),
            location.clone(),
            self.clock.clone(),
            restore,
            move || repaint.request_repaint(),
        );
        (self.worker, self.database) = match worker {
            Ok(worker) if restoring => (Some(worker), Database::Restoring),
            Ok(worker) => (Some(worker), Database::Opening),
            Err(e) => (None, Database::Failed(e.into())),
        };
        self.db_key = location.key();
        self.location = location;
        self.signed_in = None;
        self.offline = None;
        self.presence.clear();
        self.presence_said = None;
        self.search = self.db().filter.text.clone();
        self.agents.clear();
        self.tags.clear();
        self.list = Default::default();
        self.list.restart();
        self.counts = None;
        self.counts_for = None;
        self.view_counts.clear();
        self.shared_views.clear();
        self.selection.clear();
        self.last_bulk = None;
        self.modal = None;
        self.people = None;
        self.analytics = None;
    }

    /// Asks the worker for the analytics of a period.
    pub(super) fn ask_report(&mut self, choice: PeriodChoice) {
        let Some(window) = &mut self.analytics else {
            return;
        };
        window.choice = choice;
        window.asked += 1;
        window.loading = true;
        let generation = window.asked;
        self.request(Request::Report { generation, choice });
        self.request(Request::CannedUsage { generation, choice });
    }

    pub(super) fn set_filter(&mut self, filter: TicketFilter) {
        if filter.text != self.search {
            self.search = filter.text.clone();
        }
        if filter != self.db().filter {
            if let Some(customer) = filter.customer
                && !self.customer_names.contains_key(&customer)
            {
                self.request(Request::Customer {
                    asker: Asker::CustomerChip,
                    id: customer,
                });
            }
            self.db_mut().filter = filter;
            self.list.restart();
            // Picked tickets are picked from a list; another list starts afresh.
            self.selection.clear();
        }
    }

    /// Picks the tickets at positions `first` to `last` of the list: at
    /// once when their rows are loaded, else as the store names them (the
    /// count shows meanwhile).
    pub(super) fn select_range(&mut self, first: u64, last: u64) {
        if self.list.rows() == 0 {
            return;
        }
        let (first, last) = (first.min(last), first.max(last));
        if let Some(rows) = self.list.rows_between(first, last) {
            self.selection.add_rows(rows);
            return;
        }
        let count = last - first + 1;
        let asked = self.selection.ask(count);
        let request = ListRequest {
            filter: self.db().filter.clone(),
            sort: self.db().sort,
            offset: first,
            limit: u32::try_from(count).unwrap_or(u32::MAX),
            anchor: None,
        };
        self.request(Request::Stamps { asked, request });
    }

    /// Opens a ticket in the panel, keeping the unsaved text of the one it
    /// replaces for its next visit.
    pub(super) fn open_ticket(&mut self, number: TicketNumber) {
        let last_tab = self.last_tab;
        let panel = self
            .panel
            .get_or_insert_with(|| PanelState::on_tab(last_tab));
        if panel.ticket != Some(number) {
            if let Some((ticket, draft)) = panel.take_draft() {
                self.drafts.insert(ticket, draft);
            }
            panel.open(number);
            if let Some(draft) = self.drafts.remove(&number) {
                panel.restore(draft);
            }
        }
        self.request(Request::Load(number));
    }

    /// Closes the ticket panel, keeping any unsaved text for the next visit.
    pub(super) fn close_panel(&mut self) {
        if let Some(mut panel) = self.panel.take() {
            self.last_tab = panel.tab;
            if let Some((ticket, draft)) = panel.take_draft() {
                self.drafts.insert(ticket, draft);
            }
        }
    }

    /// The data changed (here or elsewhere): fetch again what it can alter.
    pub(super) fn data_changed(&mut self, alters: Alters) {
        if alters.list {
            self.list.refresh();
        }
        if alters.counts {
            self.data_epoch += 1;
        }
        if alters.tags {
            // Changes from elsewhere alter everything, the team's views too.
            self.request(Request::People);
            self.request(Request::SharedViews);
            self.request(Request::SlaPolicy);
            self.request(Request::CannedReplies);
        }
        if alters.report
            && let Some(choice) = self.analytics.as_ref().map(|a| a.choice)
        {
            self.ask_report(choice);
        }
    }

    /// Whether the filters beside the list are on show in a window this wide.
    pub(super) fn filters_shown(&self, width: f32) -> bool {
        self.settings.filters_shown.unwrap_or(width >= 1000.0)
    }

    /// Shows or hides the filters, and remembers it.
    pub(super) fn show_filters(&mut self, shown: bool) {
        self.settings.filters_shown = Some(shown);
    }

    /// Asks for what the state says is missing: pages of the list on
    /// screen, counts for the filter in force.
    pub(super) fn keep_up(&mut self, ctx: &egui::Context) {
        if !self.is_open() {
            return;
        }
        for page in self.list.wanted() {
            self.request(Request::List {
                generation: self.list.generation,
                request: ListRequest {
                    filter: self.db().filter.clone(),
                    sort: self.db().sort,
                    offset: page * u64::from(PAGE),
                    limit: PAGE,
                    anchor: self.list.anchor_for(page),
                },
            });
        }
        if self.list.total_wanted() {
            self.request(Request::Total {
                generation: self.list.generation,
                filter: self.db().filter.clone(),
            });
        }
        let key = (self.db().filter.clone(), self.data_epoch);
        if self.counts_for.as_ref() != Some(&key) {
            self.counts_asked += 1;
            self.request(Request::Counts {
                generation: self.counts_asked,
                filter: key.0.clone(),
            });
            self.counts_for = Some(key);
        }
        self.keep_view_counts_up();
        if self.list.loading() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        self.say_where_i_am();
    }

    /// On a team's server, tells the other desks which ticket is open here
    /// and whether a reply or note is being written (when that changes).
    fn say_where_i_am(&mut self) {
        if self.signed_in.is_none() {
            return;
        }
        let here = self.panel.as_ref().and_then(|panel| {
            let doing = if !panel.message_input.trim().is_empty() {
                Doing::Replying
            } else if !panel.note_input.trim().is_empty() {
                Doing::Noting
            } else {
                Doing::Viewing
            };
            panel.ticket.map(|ticket| (ticket, doing))
        });
        if here != self.presence_said {
            self.presence_said = here;
            self.request(Request::Presence(here));
        }
    }
}
