//! Shared helpers for the window's headless tests (egui_kittest): a database
//! on a temporary file, the window on it, and ways to wait and type.
//!
//! Two kittest quirks shape these helpers:
//! - `type_text` only reaches the focused widget, so fields are focused first;
//! - a one-frame synthetic pointer click does not reach buttons in the top
//!   `MenuBar`, so top-bar actions are driven by their keyboard shortcuts or
//!   the command palette instead (the buttons were checked by hand under Xvfb).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tickets::app::{DatabaseSettings, Settings, TicketsApp, ViewRef};
use tickets::clock::FixedClock;
use tickets::domain::{AgentId, TicketDetail, TicketNumber};
use tickets::store::views::BuiltinView;
use tickets::store::{Location, Store};

pub use crate::fixtures::Engine;

/// The window tests' desk: the shared fixture's, with two agents.
pub use crate::fixtures::Desk;

/// The clock every window test starts at (the fixtures' [`t0`]).
pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 15, 0, 0).unwrap(),
    ))
}

/// A database with two agents, Dana Scully (`desk.dana`, who the window acts
/// as unless a test says otherwise) and Sam Okafor (`desk.agents[1]`), and
/// the given tickets, five minutes apart, numbered from 1 in this order. The
/// clock then stands five minutes after the last, and the desk's store is
/// closed: the window meets the file as an agent's first start does.
pub fn desk(subjects: &[&str]) -> Desk {
    desk_on(Engine::File, subjects)
}

/// [`desk`] on `engine`: on a team server Dana set the team up and Sam has
/// a login of his own.
pub fn desk_on(engine: Engine, subjects: &[&str]) -> Desk {
    let mut desk = Desk::team_on(
        engine,
        &[("Dana Scully", "dana@example.com"), ("Sam Okafor", "")],
    )
    .expect("a desk on this engine");
    for subject in subjects {
        desk.clock.advance(chrono::Duration::minutes(5));
        desk.ticket(subject);
    }
    desk.clock.advance(chrono::Duration::minutes(5));
    desk.store.close();
    desk
}

/// Remembered settings that open `location` acting as `agent` on the view
/// "All tickets" (as an agent who last looked at every ticket; the first
/// start's own choice of view has tests of its own), with automatic backups
/// off (the backup tests turn them on).
pub fn settings_for(location: impl Into<Location>, agent: Option<AgentId>) -> Settings {
    let location = location.into();
    let mut settings = Settings {
        automatic_backups: false,
        ..Settings::default()
    };
    settings.databases.insert(
        location.key(),
        DatabaseSettings {
            agent,
            view: Some(ViewRef::Builtin(BuiltinView::All)),
            ..DatabaseSettings::default()
        },
    );
    settings
}

/// Whether the list's header shows its count ("120 tickets", or "No
/// tickets yet" in an empty database), not a view's name ("All tickets").
pub fn list_counted(h: &Window) -> bool {
    h.query_all_by_label_contains(" tickets").any(|n| {
        let node = n.accesskit_node();
        // A label's text is its value; a button's its label.
        let text = node.value().or(node.label()).unwrap_or_default();
        text == "No tickets yet"
            || (text.starts_with(|c: char| c.is_ascii_digit()) && text.ends_with(" tickets"))
    })
}

/// The widget of `role` whose accessible name is `name`, or `name` and
/// then more after a space (a count, a sort arrow): "Open 3", "Subject ↑".
pub fn named<'a>(harness: &'a Window, role: Role, name: &str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_role(role)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l == name || l.starts_with(&format!("{name} ")))
        })
        .unwrap_or_else(|| panic!("no {role:?} named {name}"))
}

/// The window under test.
pub type Window = Harness<'static, Option<TicketsApp>>;

/// The window on a desk, built on the harness's own context in its first frame.
pub fn open(desk: &Desk, agent: Option<AgentId>) -> Window {
    open_with(desk, settings_for(desk.location(), agent))
}

/// The window on a desk with these remembered settings.
pub fn open_with(desk: &Desk, settings: Settings) -> Window {
    let mut harness = window_on(desk.location(), desk.clock.clone(), settings);
    step_until(&mut harness, "the list to load", |h| {
        // "1 ticket", "N tickets", or the empty database's "No tickets yet".
        h.query_by_label("1 ticket").is_some() || list_counted(h)
    });
    harness
}

/// The window on a desk at a screen size, once its list has loaded.
pub fn open_sized(desk: &Desk, agent: Option<AgentId>, size: [f32; 2]) -> Window {
    let mut harness = window_sized(
        desk.location(),
        desk.clock.clone(),
        settings_for(desk.location(), agent),
        size,
    );
    step_until(&mut harness, "the list to load", |h| {
        h.query_by_label("1 ticket").is_some() || list_counted(h)
    });
    harness
}

/// The window on the store at `location`, built on the harness's own
/// context in its first frame, without waiting for anything.
pub fn window_on(
    location: impl Into<Location>,
    clock: Arc<FixedClock>,
    settings: Settings,
) -> Window {
    window_sized(location, clock, settings, [1280.0, 800.0])
}

/// [`window_on`] at a given size.
pub fn window_sized(
    location: impl Into<Location>,
    clock: Arc<FixedClock>,
    settings: Settings,
    size: [f32; 2],
) -> Window {
    let location: Location = location.into();
    Harness::builder().with_size(size).build_ui_state(
        move |ui, app: &mut Option<TicketsApp>| {
            app.get_or_insert_with(|| {
                TicketsApp::new(ui.ctx(), location.clone(), clock.clone(), settings.clone())
            })
            .show(ui)
        },
        None,
    )
}

/// Runs the command whose name contains `words` from the command palette
/// (Ctrl+K), as a person would.
pub fn run_from_palette(harness: &mut Window, words: &str) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    step_until(harness, "the palette", |h| {
        h.query_by_label("Command").is_some()
    });
    type_into(harness, "Command", words);
    harness.key_press(egui::Key::Enter);
    step_until(harness, "the palette to close", |h| {
        h.query_by_label("Command").is_none()
    });
}

/// Steps the window until `done` holds, while the worker thread answers.
pub fn step_until(harness: &mut Window, what: &str, done: impl Fn(&Window) -> bool) {
    let start = Instant::now();
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        if start.elapsed() >= Duration::from_secs(20) {
            let shown: Vec<String> = harness
                .root()
                .query_all(egui_kittest::kittest::By::new())
                .filter_map(|n| n.accesskit_node().label().or(n.accesskit_node().value()))
                .collect();
            panic!("timed out waiting for {what}; the window shows {shown:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Focuses the text field with this label and types into it, as a person would.
pub fn type_into(harness: &mut Window, label: &str, text: &str) {
    let role = if harness
        .query_by_role_and_label(Role::MultilineTextInput, label)
        .is_some()
    {
        Role::MultilineTextInput
    } else {
        Role::TextInput
    };
    harness.get_by_role_and_label(role, label).focus();
    harness.run_steps(1);
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.run_steps(1);
}

/// Puts `text` in the field `label` in place of what it held, as a hand
/// does: select all, then type.
pub fn replace_in(harness: &mut Window, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .focus();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run_steps(1);
}

/// What the text field with this label holds now.
pub fn field_value(harness: &Window, label: &str) -> Option<String> {
    harness
        .query_by_role_and_label(Role::MultilineTextInput, label)
        .or_else(|| harness.query_by_role_and_label(Role::TextInput, label))
        .and_then(|field| field.value())
}

/// A second connection to the window's store, as another window would have.
pub fn store_of(desk: &Desk) -> Store {
    Store::open_at(&desk.location(), desk.clock.clone()).unwrap()
}

/// The ticket as the file holds it now.
pub fn stored(desk: &Desk, number: i64) -> TicketDetail {
    store_of(desk).load_ticket(TicketNumber(number)).unwrap()
}

/// Clicks the list row with this subject and waits for its panel to load.
pub fn open_ticket(harness: &mut Window, subject: &str) {
    step_until(harness, "the row", |h| h.query_by_label(subject).is_some());
    harness.get_by_label(subject).click();
    step_until(harness, "the ticket panel", |h| {
        // The subject shows twice: in the list and as the panel's title.
        h.query_all_by_label(subject).count() == 2 && h.query_by_label("Detail").is_some()
    });
}

/// Switches the panel to the Activity tab and waits for this entry.
pub fn wait_for_activity(harness: &mut Window, sentence: &str) {
    harness.get_by_label("Activity").click();
    step_until(
        harness,
        &format!("the activity entry “{sentence}”"),
        |h| h.query_by_label(sentence).is_some(),
    );
}

/// Opens File → Customers and agents… through the command palette.
pub fn open_people(harness: &mut Window) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    type_into(harness, "Command", "customers");
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
}

/// Types `text` as a keyboard does: for each character a key press, the
/// text it makes and the key's release, one frame each. Unlike kittest's
/// `type_text`, which hands text to the focused widget only, these are the
/// events shortcuts listen to.
pub fn press_keys(harness: &mut Window, text: &str) {
    for c in text.chars() {
        let key = match c {
            ' ' => Some(egui::Key::Space),
            c => egui::Key::from_name(&c.to_string()),
        };
        if let Some(key) = key {
            harness.key_down(key);
        }
        harness.event(egui::Event::Text(c.to_string()));
        if let Some(key) = key {
            harness.key_up(key);
        }
        harness.step();
    }
    harness.run_steps(2);
}

/// In the export dialog on show: "Choose…" (the test's save dialog
/// answers), then Export.
pub fn choose_and_export(harness: &mut Window) {
    step_until(harness, "the export dialog", |h| {
        h.query_by_label("Save as").is_some()
    });
    harness.get_by_label("Choose…").click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(Role::Button, "Export")
        .click();
}

/// Makes the save dialog answer with `path`.
pub fn save_dialog_answers(harness: &mut Window, path: &Path) {
    let chosen = path.to_path_buf();
    harness
        .state_mut()
        .as_mut()
        .expect("the window")
        .set_save_dialog(Box::new(move |_, _, _| {
            tickets::app::DialogOutcome::Chosen(chosen.clone())
        }));
}

/// The text (not a button) whose words contain `part`: a chip's name, a
/// note, a sentence. Buttons named after the same text are left out.
pub fn text_containing<'a>(harness: &'a Window, part: &str) -> Option<egui_kittest::Node<'a>> {
    harness.query_all_by_role(Role::Label).find(|n| {
        let node = n.accesskit_node();
        node.label()
            .or_else(|| node.value())
            .is_some_and(|l| l.contains(part))
    })
}

/// The right-most widget labelled exactly `label` (the ticket panel stands
/// right of the filters and the list).
pub fn rightmost<'a>(harness: &'a Window, label: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label(label)
        .max_by(|a, b| a.rect().min.x.total_cmp(&b.rect().min.x))
        .unwrap_or_else(|| panic!("nothing labelled {label}"))
}

/// Another program's write holding the desk's store, so that the window's
/// own writes (and a server's reads of the tickets) wait while a test looks
/// at a job still running: on a file an immediate transaction, on a server
/// an exclusive lock on the tickets.
pub enum HeldWrites {
    /// The file's other connection, in its transaction.
    File(rusqlite::Connection),
    /// The server's other session, holding the lock.
    Server(postgres::Client),
}

/// Holds the desk's store (see [`HeldWrites`]) until released.
pub fn hold_writes(desk: &Desk) -> HeldWrites {
    match desk.engine {
        Engine::File => {
            let other = rusqlite::Connection::open(&desk.path).unwrap();
            other.execute_batch("BEGIN IMMEDIATE").unwrap();
            HeldWrites::File(other)
        }
        Engine::Server => {
            let mut other = desk.raw_server();
            other
                .batch_execute("BEGIN; LOCK TABLE tickets.tickets IN ACCESS EXCLUSIVE MODE")
                .unwrap();
            HeldWrites::Server(other)
        }
    }
}

impl HeldWrites {
    /// Lets the window's store go on.
    pub fn release(self) {
        match self {
            HeldWrites::File(other) => other.execute_batch("ROLLBACK").unwrap(),
            HeldWrites::Server(mut other) => other.batch_execute("ROLLBACK").unwrap(),
        }
    }
}
