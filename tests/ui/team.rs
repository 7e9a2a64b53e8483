//! The window on a team's server: who "You" are comes from the login, the
//! title names the server, and what belongs to the server (backups) says
//! how it is done there.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use tickets::clock::Clock;

use crate::common::{Engine, desk_on, open, run_from_palette, step_until, text_containing};
use crate::fixtures::pg;

#[test]
fn on_a_team_server_you_are_your_login_and_backups_point_to_pg_dump() {
    if pg::shared().is_none() {
        return;
    }
    let desk = desk_on(Engine::Server, &["Printer jams"]);
    // Settings that remembered Sam as the agent are not who acts here.
    let mut harness = open(&desk, Some(desk.agents[1]));
    step_until(&mut harness, "the ticket", |h| {
        h.query_by_label("Printer jams").is_some()
    });

    // "You" is the login's agent, a label and not a switch.
    assert!(harness.query_by_label("You: Dana Scully").is_some());
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "You: Dana Scully ▾")
            .is_none()
    );
    let app = harness.state().as_ref().unwrap();
    let title = app.window_title();
    assert!(title.ends_with("(team server) — Tickets"), "{title}");
    assert!(title.contains("/desk"), "{title}");

    // Switching agent says how, instead of offering a list.
    run_from_palette(&mut harness, "switch agent");
    step_until(&mut harness, "the explanation", |h| {
        text_containing(h, "connect with their login").is_some()
    });

    // Backups are the server's: the window says so and names pg_dump.
    run_from_palette(&mut harness, "backup now");
    step_until(&mut harness, "the pg_dump sentence", |h| {
        text_containing(h, "pg_dump").is_some()
    });
}

/// The server goes away under the window: the top bar says so, the list and
/// ticket on show stay, and when the server is back the window reconnects
/// by itself and the line goes.
#[test]
fn when_the_server_goes_away_the_window_says_offline_and_comes_back_by_itself() {
    use tickets::store::server::TeamAdmin;
    let Some(server) = pg::TestServer::start() else {
        return;
    };
    let url = server.create_database("help");
    let clock = crate::common::clock();
    TeamAdmin::connect(&url)
        .unwrap()
        .init("Dana Scully", "", clock.now())
        .unwrap();
    {
        let mut store = tickets::store::Store::connect(&url, clock.clone()).unwrap();
        let me = store.signed_in().unwrap().id;
        store
            .create_ticket(me, &crate::fixtures::new_ticket("Printer jams"))
            .unwrap();
    }
    let location = tickets::store::Location::Server(url);
    let mut harness = crate::common::window_on(
        location.clone(),
        clock,
        crate::common::settings_for(location, None),
    );
    step_until(&mut harness, "the ticket", |h| {
        h.query_by_label("Printer jams").is_some()
    });

    server.stop();
    step_until(&mut harness, "the offline line", |h| {
        h.query_by_label("Offline: reconnecting…").is_some()
    });
    assert!(harness.query_by_label("Printer jams").is_some());

    server.start_again();
    step_until(&mut harness, "the line to go", |h| {
        h.query_by_label("Offline: reconnecting…").is_none()
            && h.query_by_label("Printer jams").is_some()
    });
}
