//! The window on a team's server: who "You" are comes from the login, the
//! title names the server, and what belongs to the server (backups) says
//! how it is done there.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

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
