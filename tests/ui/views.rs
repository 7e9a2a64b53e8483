//! The Views section: the first start's view, each view's list and live
//! count, saved views (save, change, revert, rename, move, delete), and
//! G then a letter.

use crate::common::{
    Window, desk_on, list_counted, open_with, press_keys, settings_for, step_until, store_of,
    type_into,
};
use crate::on_both_engines_with;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::app::ViewRef;
use tickets::domain::{AgentId, Status, TicketNumber};
use tickets::store::views::BuiltinView;
use tickets::store::{Sort, SortColumn, TicketFilter};

/// The view the window has open.
fn open_view(harness: &Window, key: &str) -> Option<ViewRef> {
    let app = harness.state().as_ref().expect("the window");
    app.settings().databases[key].view.clone()
}

/// The view button whose accessible name starts with `name` (then its count).
fn view_button<'a>(harness: &'a Window, name: &str) -> egui_kittest::Node<'a> {
    crate::common::named(harness, Role::Button, name)
}

/// Picks `item` from a saved view's right-click menu.
fn view_menu(harness: &mut Window, name: &str, item: &str) {
    view_button(harness, name).click_secondary();
    harness.run_steps(2);
    harness.get_by_label(item).click();
}

fn shows_view(harness: &Window, name: &str, count: u64) -> bool {
    harness.query_by_label(&format!("{name} {count}")).is_some()
}

fn set_status(desk: &crate::fixtures::Desk, n: i64, to: Status) {
    let mut store = store_of(desk);
    let version = store.load_ticket(TicketNumber(n)).unwrap().version;
    store
        .set_status(desk.dana, TicketNumber(n), version, to)
        .unwrap();
}

on_both_engines_with! {
    fn the_first_start_opens_my_open_when_something_is_mine(engine: Engine) {
        let desk = desk_on(engine, &["Mine", "Nobody's", "Done"]);
        store_of(&desk).assign(desk.dana, TicketNumber(1), desk.dana).unwrap();
        set_status(&desk, 3, Status::Closed);
        let mut settings = settings_for(desk.location(), Some(desk.dana));
        let key = desk.location().key();
        settings.databases.get_mut(&key).unwrap().view = None;
        let mut harness = open_with(&desk, settings);
        step_until(&mut harness, "My open", |h| {
            h.query_by_label("1 ticket").is_some() && h.query_by_label("Mine").is_some()
        });
        assert_eq!(open_view(&harness, &key), Some(ViewRef::Builtin(BuiltinView::MyOpen)));
        assert!(shows_view(&harness, "My open", 1));
        assert!(shows_view(&harness, "All open", 2));
        assert!(shows_view(&harness, "All tickets", 3));
        assert!(harness.query_by_label("Done").is_none(), "a closed ticket is not in My open");
    }

    fn the_first_start_opens_all_open_when_nothing_is_mine(engine: Engine) {
        let desk = desk_on(engine, &["Nobody's", "Done"]);
        set_status(&desk, 2, Status::Resolved);
        let mut settings = settings_for(desk.location(), Some(desk.dana));
        let key = desk.location().key();
        settings.databases.get_mut(&key).unwrap().view = None;
        let mut harness = open_with(&desk, settings);
        step_until(&mut harness, "All open", |h| {
            open_view(h, &key) == Some(ViewRef::Builtin(BuiltinView::AllOpen))
                && h.query_by_label("1 ticket").is_some()
        });
        assert!(harness.query_by_label("Nobody's").is_some());
        assert!(harness.query_by_label("Done").is_none());
    }

    fn views_list_their_tickets_and_counts_follow_changes_elsewhere(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice", "Login"]);
        let key = desk.location().key();
        let mut harness = open_with(&desk, settings_for(desk.location(), Some(desk.dana)));
        step_until(&mut harness, "the counts", |h| shows_view(h, "All open", 3));
        view_button(&harness, "Waiting on customer").click();
        step_until(&mut harness, "an empty view", |h| {
            h.query_by_label("0 tickets").is_some() || h.query_by_label("No tickets match").is_some()
        });
        assert_eq!(open_view(&harness, &key), Some(ViewRef::Builtin(BuiltinView::Waiting)));
        // Another desk puts a ticket in Waiting: the view and its count follow.
        set_status(&desk, 2, Status::Waiting);
        step_until(&mut harness, "the ticket in Waiting", |h| {
            shows_view(h, "Waiting on customer", 1)
                && h.query_by_label("1 ticket").is_some()
                && h.query_by_label("Invoice").is_some()
        });
        // Recently updated: the last change first.
        view_button(&harness, "Recently updated").click();
        step_until(&mut harness, "the recent tickets", |h| h.query_by_label("3 tickets").is_some());
        let app = harness.state().as_ref().unwrap();
        assert_eq!(
            app.settings().databases[&key].sort,
            Sort { column: SortColumn::Updated, descending: true }
        );
        let y = |label: &str| harness.get_by_label(label).rect().min.y;
        assert!(y("Invoice") < y("Login") && y("Login") < y("Printer"));
    }
}

on_both_engines_with! {
    fn a_view_is_saved_changed_reverted_renamed_moved_and_deleted(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice", "Login"]);
        set_status(&desk, 1, Status::Closed);
        let key = desk.location().key();
        let mut harness = open_with(&desk, settings_for(desk.location(), Some(desk.dana)));
        step_until(&mut harness, "the list", list_counted);
        step_until(&mut harness, "the counts", |h| shows_view(h, "All tickets", 3));

        // Ticking a status changes the view: Save as… and Revert appear.
        crate::common::named(&harness, Role::CheckBox, "Open").click();
        step_until(&mut harness, "the changed view", |h| {
            h.query_by_label("Revert").is_some() && h.query_by_label("2 tickets").is_some()
        });
        harness.get_by_label("Save as…").click();
        step_until(&mut harness, "the Save view dialog", |h| h.query_by_label("Name").is_some());
        // A name taken by a built-in view is refused; what was typed stays.
        type_into(&mut harness, "Name", "All open");
        harness.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut harness, "the refusal", |h| {
            crate::common::text_containing(h, "There is a view named").is_some()
        });
        assert_eq!(crate::common::field_value(&harness, "Name").as_deref(), Some("All open"));
        type_into(&mut harness, "Name", " mine");
        harness.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut harness, "the saved view", |h| shows_view(h, "All open mine", 2));
        assert_eq!(
            open_view(&harness, &key),
            Some(ViewRef::Personal("All open mine".to_owned()))
        );
        assert!(harness.query_by_label("Revert").is_none(), "the view is as saved");

        // Sorting changes it; Revert puts its sort back, Save keeps a change.
        harness.get_by_label("Subject").click();
        step_until(&mut harness, "the changed sort", |h| h.query_by_label("Revert").is_some());
        harness.get_by_label("Revert").click();
        step_until(&mut harness, "the view's own sort", |h| {
            h.query_by_label("Revert").is_none() && h.query_by_label("Created ↓").is_some()
        });
        harness.get_by_label("Subject").click();
        step_until(&mut harness, "the changed sort", |h| h.query_by_label("Save").is_some());
        harness.get_by_label("Save").click();
        step_until(&mut harness, "the kept sort", |h| h.query_by_label("Revert").is_none());
        let app = harness.state().as_ref().unwrap();
        let saved = &app.settings().databases[&key].views[0];
        assert_eq!(saved.sort.column, SortColumn::Subject);
        assert_eq!(saved.filter, TicketFilter { statuses: vec![Status::Open], ..TicketFilter::default() });

        // A second view, then rename, move and delete from the right-click menu.
        view_button(&harness, "All tickets").click();
        step_until(&mut harness, "every ticket", |h| h.query_by_label("3 tickets").is_some());
        crate::common::run_from_palette(&mut harness, "save view");
        step_until(&mut harness, "the Save view dialog", |h| h.query_by_label("Name").is_some());
        type_into(&mut harness, "Name", "Everything");
        harness.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut harness, "the second view", |h| shows_view(h, "Everything", 3));
        view_menu(&mut harness, "Everything", "Move up");
        step_until(&mut harness, "the new order", |h| {
            view_button(h, "Everything").rect().min.y < view_button(h, "All open mine").rect().min.y
        });
        view_menu(&mut harness, "All open mine", "Rename…");
        step_until(&mut harness, "the Rename dialog", |h| h.query_by_label("Rename view").is_some());
        // The name is selected whole: typing replaces it.
        type_into(&mut harness, "Name", "All open mine (sorted)");
        harness.get_by_role_and_label(Role::Button, "Rename").click();
        step_until(&mut harness, "the new name", |h| shows_view(h, "All open mine (sorted)", 2));
        view_menu(&mut harness, "Everything", "Delete");
        step_until(&mut harness, "the view gone", |h| {
            h.query_all_by_role(Role::Button).all(|n| {
                !n.accesskit_node().label().is_some_and(|l| l.starts_with("Everything"))
            })
        });
        let app = harness.state().as_ref().unwrap();
        let settings = app.settings();
        let names: Vec<&str> = settings.databases[&key].views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["All open mine (sorted)"]);
    }

    fn g_then_a_letter_opens_a_view_and_typing_g_in_a_box_does_not(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice"]);
        set_status(&desk, 1, Status::Closed);
        let key = desk.location().key();
        let mut harness = open_with(&desk, settings_for(desk.location(), Some(desk.dana)));
        step_until(&mut harness, "the counts", |h| shows_view(h, "All open", 1));
        press_keys(&mut harness, "g");
        step_until(&mut harness, "the hint", |h| {
            crate::common::text_containing(h, "Go to view").is_some()
        });
        press_keys(&mut harness, "o");
        step_until(&mut harness, "All open", |h| {
            open_view(h, &key) == Some(ViewRef::Builtin(BuiltinView::AllOpen))
                && h.query_by_label("1 ticket").is_some()
        });
        // In the search box, g and a are letters.
        harness.get_by_role_and_label(Role::TextInput, "Search").focus();
        harness.run_steps(2);
        press_keys(&mut harness, "ga");
        harness.run_steps(2);
        assert_eq!(open_view(&harness, &key), Some(ViewRef::Builtin(BuiltinView::AllOpen)));
        assert!(crate::common::text_containing(&harness, "Go to view").is_none());
        let _ = AgentId(0);
    }
}

on_both_engines_with! {
    fn a_view_shared_in_one_window_shows_in_another_and_goes_when_deleted(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice", "Login"]);
        set_status(&desk, 1, Status::Closed);
        let mut a = open_with(&desk, settings_for(desk.location(), Some(desk.dana)));
        let mut b = open_with(&desk, settings_for(desk.location(), Some(desk.dana)));
        step_until(&mut a, "the counts", |h| shows_view(h, "All open", 2));
        view_button(&a, "All open").click();
        step_until(&mut a, "All open", |h| h.query_by_label("2 tickets").is_some());
        a.get_by_label("Subject").click();
        step_until(&mut a, "the changed view", |h| h.query_by_label("Save as…").is_some());
        a.get_by_label("Save as…").click();
        step_until(&mut a, "the dialog", |h| h.query_by_label("Name").is_some());
        type_into(&mut a, "Name", "Team queue");
        a.get_by_role_and_label(Role::CheckBox, "Share with the team").click();
        a.run_steps(1);
        a.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut a, "the shared view", |h| {
            shows_view(h, "Team queue", 2) && h.query_by_label("The team's").is_some()
        });
        let key = desk.location().key();
        assert!(matches!(open_view(&a, &key), Some(ViewRef::Shared(_))));
        // The other window hears of it, with its count.
        step_until(&mut b, "the view from the other window", |h| shows_view(h, "Team queue", 2));
        // A second view of the same name, in any case, is refused in the
        // dialog, which keeps what was typed.
        b.get_by_label("Save view…").click();
        step_until(&mut b, "the dialog", |h| h.query_by_label("Name").is_some());
        type_into(&mut b, "Name", "team QUEUE");
        b.get_by_role_and_label(Role::CheckBox, "Share with the team").click();
        b.run_steps(1);
        b.get_by_role_and_label(Role::Button, "Save").click();
        step_until(&mut b, "the refusal", |h| {
            crate::common::text_containing(h, "There is a view named").is_some()
                || crate::common::text_containing(h, "already has a shared view").is_some()
        });
        assert_eq!(crate::common::field_value(&b, "Name").as_deref(), Some("team QUEUE"));
        b.key_press(egui::Key::Escape);
        b.run_steps(2);
        // Deleted in the first window: gone from both.
        view_menu(&mut a, "Team queue", "Delete");
        step_until(&mut a, "gone here", |h| h.query_by_label("The team's").is_none());
        step_until(&mut b, "gone there", |h| h.query_by_label("The team's").is_none());
    }
}

on_both_engines_with! {
    fn a_ticket_changed_by_someone_else_is_marked_until_opened(engine: Engine) {
        let desk = desk_on(engine, &["Printer", "Invoice"]);
        let dana = desk.dana;
        let sam = desk.agents[1];
        let mut store = store_of(&desk);
        store.assign(dana, TicketNumber(1), dana).unwrap();
        drop(store);
        let mut harness = open_with(&desk, settings_for(desk.location(), Some(dana)));
        step_until(&mut harness, "the list", list_counted);
        step_until(&mut harness, "the counts", |h| shows_view(h, "My open", 1));
        assert!(harness.query_by_label("●").is_none(), "nothing new yet");
        // Sam, on another desk, notes Dana's ticket.
        desk.clock.advance(chrono::Duration::minutes(1));
        desk.store_as(sam)
            .add_note(sam, TicketNumber(1), "Customer called again")
            .unwrap();
        step_until(&mut harness, "the mark and the count", |h| {
            h.query_by_label("●").is_some()
                && h.query_by_label("My open 1, 1 new").is_some()
        });
        // Opening it clears both.
        crate::common::open_ticket(&mut harness, "Printer");
        step_until(&mut harness, "the mark gone", |h| {
            h.query_by_label("●").is_none() && shows_view(h, "My open", 1)
        });
    }
}
