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
    // Sam, at another desk, has the ticket open.
    TeamAdmin::connect(&url)
        .unwrap()
        .add_agent(
            &tickets::store::server::NewAgentLogin {
                name: "Sam Okafor".to_owned(),
                email: String::new(),
                login: "sam".to_owned(),
                password: None,
                admin: false,
            },
            clock.now(),
        )
        .unwrap();
    let sams_url = url.replacen(&format!("{}@", pg::SUPERUSER), "sam@", 1);
    let sam = tickets::store::Store::connect(&sams_url, clock.clone()).unwrap();
    sam.set_presence(Some((
        tickets::domain::TicketNumber(1),
        tickets::domain::Doing::Viewing,
    )))
    .unwrap();
    let location = tickets::store::Location::Server(url);
    let mut harness = crate::common::window_on(
        location.clone(),
        clock,
        crate::common::settings_for(location, None),
    );
    crate::common::open_ticket(&mut harness, "Printer jams");
    step_until(&mut harness, "Sam at the ticket", |h| {
        h.query_by_label("Sam Okafor has it open").is_some()
    });

    server.stop();
    step_until(&mut harness, "the offline line", |h| {
        h.query_by_label("Offline: reconnecting…").is_some()
    });
    assert!(harness.query_all_by_label("Printer jams").count() > 0);
    // Who is where is not known while the server is away.
    assert!(text_containing(&harness, "Sam Okafor").is_none());

    server.start_again();
    step_until(&mut harness, "the line to go", |h| {
        h.query_by_label("Offline: reconnecting…").is_none()
            && h.query_all_by_label("Printer jams").count() > 0
    });
}

/// File → Connect to team server…: the form tests the connection on its own
/// thread, then connects; the window then shows the team's tickets as the
/// login's agent, and remembers the server and login (not the password).
#[test]
fn connecting_to_a_team_server_from_the_file_menu() {
    if pg::shared().is_none() {
        return;
    }
    let team = desk_on(Engine::Server, &["Printer jams on the team server"]);
    let url = team.url.clone().expect("a server desk");
    let (rest, socket) = url.split_once("?host=").expect("a socket URL");
    let database = rest.rsplit('/').next().unwrap();
    let desk = crate::common::desk(&["A ticket on my own file"]);
    let mut harness = open(&desk, Some(desk.dana));

    run_from_palette(&mut harness, "connect to team");
    step_until(&mut harness, "the form", |h| {
        h.query_by_label("Server").is_some()
    });
    for (label, text) in [
        ("Server", socket),
        ("Database", database),
        ("Login", pg::SUPERUSER),
    ] {
        crate::common::type_into(&mut harness, label, text);
    }
    harness.get_by_label("Test connection").click();
    step_until(&mut harness, "the test's answer", |h| {
        text_containing(h, "Connected: signed in as Dana Scully").is_some()
    });
    harness.get_by_label("Connect").click();
    step_until(&mut harness, "the team's tickets", |h| {
        h.query_by_label("Printer jams on the team server")
            .is_some()
            && h.query_by_label("You: Dana Scully").is_some()
    });
    let app = harness.state().as_ref().unwrap();
    assert!(app.window_title().contains("(team server)"));
    let remembered = app
        .settings()
        .team_server
        .expect("the server is remembered");
    assert_eq!(
        (remembered.host.as_str(), remembered.user.as_str()),
        (socket, pg::SUPERUSER)
    );
}

/// Two agents at one ticket: the window shows who else has it open and
/// who is writing a reply, and tells the others when its own agent starts
/// writing one.
#[test]
fn the_panel_shows_who_else_is_at_the_ticket_and_who_is_replying() {
    use crate::common::{open_ticket, type_into};
    use tickets::domain::{Doing, TicketNumber};
    if pg::shared().is_none() {
        return;
    }
    let desk = desk_on(Engine::Server, &["Printer jams", "Invoice copy"]);
    let sam = desk.store_as(desk.agents[1]);
    let mut harness = open(&desk, None);
    open_ticket(&mut harness, "Printer jams");
    let printer = TicketNumber(1);

    // Sam opens the same ticket, then starts a reply.
    sam.set_presence(Some((printer, Doing::Viewing))).unwrap();
    step_until(&mut harness, "Sam at the ticket", |h| {
        h.query_by_label("Sam Okafor has it open").is_some()
    });
    sam.set_presence(Some((printer, Doing::Replying))).unwrap();
    step_until(&mut harness, "Sam replying", |h| {
        h.query_by_label("Sam Okafor is replying…").is_some()
    });
    // On another ticket he is not shown here.
    sam.set_presence(Some((TicketNumber(2), Doing::Replying)))
        .unwrap();
    step_until(&mut harness, "Sam gone from this ticket", |h| {
        text_containing(h, "Sam Okafor").is_none()
    });

    // Dana's window says where she is: at the ticket, then replying.
    let sees_dana = |doing: Doing| {
        let start = std::time::Instant::now();
        loop {
            let now = sam.presence().unwrap();
            if now.iter().any(|p| p.ticket == printer && p.doing == doing) {
                return;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(5),
                "Sam sees {now:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    sees_dana(Doing::Viewing);
    harness.get_by_label("Conversation (0)").click();
    harness.run_steps(2);
    type_into(&mut harness, "Message", "Have you tried turning it off");
    harness.run_steps(2);
    sees_dana(Doing::Replying);
}

/// File → Team server → Set up… and Move this database to the team
/// server…: an agent sets a team up on an empty database, moves their desk's
/// file into it with progress and a checked copy, connects to it, and gives
/// logins to the agents the file brought and to a new one.
#[test]
fn setting_a_team_up_and_moving_this_desk_in_from_the_window() {
    use crate::common::type_into;
    use tickets::store::server::TeamAdmin;
    let Some(server) = pg::shared() else {
        return;
    };
    let db = pg::unique_name("move");
    let url = server.create_database(&db);
    let (_, socket) = url.split_once("?host=").expect("a socket URL");
    let desk = crate::common::desk(&["A ticket on my own file", "Another of mine"]);
    let mut harness = open(&desk, Some(desk.dana));
    let fill_server = |harness: &mut crate::common::Window| {
        step_until(harness, "the form", |h| {
            h.query_by_label("Server").is_some()
        });
        for (label, text) in [
            ("Server", socket),
            ("Database", db.as_str()),
            ("Owner's login", pg::SUPERUSER),
        ] {
            if crate::common::field_value(harness, label).as_deref() != Some(text) {
                type_into(harness, label, text);
            }
        }
    };

    // Moving into a database nobody set up is refused with a sentence.
    run_from_palette(&mut harness, "move this database");
    fill_server(&mut harness);
    harness.get_by_label("Move").click();
    step_until(&mut harness, "the refusal", |h| {
        text_containing(h, "is not set up for a team yet").is_some()
    });
    harness.get_by_label("Close").click();
    harness.run_steps(2);

    // Set up: the owner becomes the first agent and admin.
    run_from_palette(&mut harness, "set up a team server");
    fill_server(&mut harness);
    type_into(&mut harness, "Your name", "Olu Owner");
    harness.get_by_label("Set up").click();
    step_until(&mut harness, "the set-up", |h| {
        text_containing(h, "Set up a team on").is_some() && h.query_by_label("Olu Owner").is_some()
    });
    harness.get_by_label("Close").click();
    harness.run_steps(2);

    // Move: every table copied and checked, then connect to it.
    run_from_palette(&mut harness, "move this database");
    fill_server(&mut harness);
    harness.get_by_label("Move").click();
    step_until(&mut harness, "the move", |h| {
        text_containing(h, "every table counted and checked").is_some()
    });
    assert!(text_containing(&harness, "2 tickets").is_some());
    harness
        .get_by_label(&format!("Connect as {}", pg::SUPERUSER))
        .click();
    step_until(&mut harness, "the team's tickets", |h| {
        h.query_by_label("A ticket on my own file").is_some()
            && h.query_by_label("You: Olu Owner").is_some()
    });
    assert!(
        harness
            .state()
            .as_ref()
            .unwrap()
            .window_title()
            .contains("(team server)")
    );

    // The file's agents came without logins: give Dana one, and add Sam.
    run_from_palette(&mut harness, "set up a team server");
    fill_server(&mut harness);
    harness.get_by_label("Set up").click();
    step_until(&mut harness, "the agents", |h| {
        text_containing(h, "is set up for a team already").is_some()
            && h.query_by_label("Give Dana Scully a login…").is_some()
    });
    harness.get_by_label("Give Dana Scully a login…").click();
    harness.run_steps(2);
    let dana_login = format!("dana_{db}");
    type_into(&mut harness, "Their login", &dana_login);
    harness.get_by_label("Give login").click();
    step_until(&mut harness, "Dana's login", |h| {
        text_containing(h, "now signs in as").is_some() && h.query_by_label(&dana_login).is_some()
    });
    let sam_login = format!("sam_{db}");
    type_into(&mut harness, "Name", "Sam Okafor");
    type_into(&mut harness, "Their login", &sam_login);
    harness.get_by_label("Add agent").click();
    step_until(&mut harness, "Sam added", |h| {
        h.query_by_label(&sam_login).is_some()
    });
    let agents = TeamAdmin::connect(&url).unwrap().agents().unwrap();
    let logins: Vec<Option<&str>> = agents.iter().map(|a| a.login.as_deref()).collect();
    assert!(logins.contains(&Some(dana_login.as_str())), "{agents:?}");
    assert!(logins.contains(&Some(sam_login.as_str())), "{agents:?}");
}

/// A team server that asks for the login's password, when neither the
/// address nor ~/.pgpass gives it: the window asks for it in the Connect
/// form, filled from the address with the cursor in the Password box, and a
/// wrong one is refused there again, saying so.
#[test]
fn a_server_that_asks_for_a_password_gets_it_typed_into_the_window() {
    use tickets::store::server::TeamAdmin;
    let Some(server) = pg::TestServer::start_with_passwords("owner-pw") else {
        return;
    };
    let url = server.create_database("help");
    let with_password = url.replacen(
        &format!("{}@", pg::SUPERUSER),
        &format!("{}:owner-pw@", pg::SUPERUSER),
        1,
    );
    let clock = crate::common::clock();
    TeamAdmin::connect(&with_password)
        .unwrap()
        .init("Dana Scully", "", clock.now())
        .unwrap();
    {
        let mut store = tickets::store::Store::connect(&with_password, clock.clone()).unwrap();
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
    step_until(&mut harness, "the question", |h| {
        text_containing(h, "asks for a password").is_some()
            && crate::common::field_value(h, "Login").as_deref() == Some(pg::SUPERUSER)
    });
    // The cursor is in the Password box, ready for typing.
    harness.run_steps(2);
    let password = harness.get_by_role_and_label(Role::PasswordInput, "Password");
    assert!(password.is_focused());
    password.type_text("wrong");
    harness.get_by_label("Connect").click();
    step_until(&mut harness, "the refusal", |h| {
        text_containing(h, "refused the password").is_some()
    });
    harness.run_steps(2);
    harness
        .get_by_role_and_label(Role::PasswordInput, "Password")
        .focus();
    harness.run_steps(1);
    harness
        .get_by_role_and_label(Role::PasswordInput, "Password")
        .type_text("owner-pw");
    harness.run_steps(1);
    harness.get_by_label("Connect").click();
    step_until(&mut harness, "the team's tickets", |h| {
        h.query_by_label("Printer jams").is_some() && h.query_by_label("You: Dana Scully").is_some()
    });
    // The password is kept nowhere on disk.
    let settings = harness.state().as_ref().unwrap().settings();
    assert!(!format!("{settings:?}").contains("owner-pw"));
}
