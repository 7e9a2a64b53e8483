//! The throwaway PostgreSQL server the team-mode tests stand on
//! (`tests/fixtures/pg.rs`): it starts from the installed binaries, answers
//! on its own socket, and two at once never meet.

use crate::fixtures::pg::{SUPERUSER, TestServer};

#[test]
fn two_throwaway_servers_start_answer_and_keep_apart() {
    let Some(first) = TestServer::start() else {
        return;
    };
    let second = TestServer::start().expect("a second server, as the first started");
    assert_ne!(first.socket_dir(), second.socket_dir());

    let mut a = postgres::Client::connect(&first.create_database("desk"), postgres::NoTls)
        .expect("connect to the first server");
    a.batch_execute("CREATE TABLE only_here (n int); INSERT INTO only_here VALUES (7);")
        .unwrap();
    let version: i32 = a
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .unwrap()
        .get(0);
    assert!(version >= 150000, "PostgreSQL 15 or newer, found {version}");
    let user: String = a
        .query_one("SELECT session_user::text", &[])
        .unwrap()
        .get(0);
    assert_eq!(user, SUPERUSER);

    let mut b = postgres::Client::connect(&second.create_database("desk"), postgres::NoTls)
        .expect("connect to the second server");
    let tables: i64 = b
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "the second server sees the first one's table");
}

use crate::fixtures::t0;
use tickets::store::StoreError;
use tickets::store::server::{NewAgentLogin, TEAM_SCHEMA_VERSION, TeamAdmin};

/// A server with a team database set up by its owner, Olu (an admin).
fn team() -> Option<(TestServer, String)> {
    let server = TestServer::start()?;
    let url = server.create_database("help");
    TeamAdmin::connect(&url)
        .expect("connect as the owner")
        .init("Olu Owner", "olu@example.com", t0())
        .expect("set the team up");
    Some((server, url))
}

fn agent(name: &str, login: &str) -> NewAgentLogin {
    NewAgentLogin {
        name: name.to_owned(),
        email: format!("{login}@example.com"),
        login: login.to_owned(),
        password: None,
        admin: false,
    }
}

fn refused_saying(result: Result<impl std::fmt::Debug, StoreError>, words: &str) {
    match result {
        Err(e) => assert!(e.to_string().contains(words), "expected “{words}” in: {e}"),
        Ok(v) => panic!("expected a refusal saying “{words}”, got {v:?}"),
    }
}

#[test]
fn a_team_is_set_up_once_and_its_owner_is_its_first_admin() {
    let Some((server, url)) = team() else {
        return;
    };
    let mut owner = TeamAdmin::connect(&url).unwrap();
    assert_eq!(owner.version().unwrap(), Some(TEAM_SCHEMA_VERSION));
    refused_saying(
        owner.init("Olu Again", "", t0()),
        "set up for a team already",
    );

    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let (name, login, admin): (String, String, bool) = {
        let row = db
            .query_one("SELECT name, login, admin FROM tickets.agents", &[])
            .unwrap();
        (row.get(0), row.get(1), row.get(2))
    };
    assert_eq!(
        (name.as_str(), login.as_str(), admin),
        ("Olu Owner", SUPERUSER, true)
    );

    // A database whose "tickets" schema is someone else's is left alone.
    let other = server.create_database("other");
    let mut raw = postgres::Client::connect(&other, postgres::NoTls).unwrap();
    raw.batch_execute("CREATE SCHEMA tickets; CREATE TABLE tickets.mine (n int);")
        .unwrap();
    refused_saying(
        TeamAdmin::connect(&other).unwrap().init("Olu", "", t0()),
        "did not make",
    );
    let tables: i64 = raw
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'tickets'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "init wrote into a schema that was not its own");
}

#[test]
fn only_admins_manage_agents_and_a_deactivated_login_cannot_sign_in() {
    let Some((server, url)) = team() else {
        return;
    };
    let mut owner = TeamAdmin::connect(&url).unwrap();
    let dana_id = owner
        .add_agent(&agent("Dana Scully", "dana"), t0())
        .unwrap();

    // Dana signs in as herself, reads the team's tables, and the server knows her.
    let dana_url = server.url("dana", "help");
    let mut dana = postgres::Client::connect(&dana_url, postgres::NoTls).unwrap();
    let me: i64 = dana
        .query_one("SELECT tickets.current_agent()", &[])
        .unwrap()
        .get(0);
    assert_eq!(me, dana_id);
    let tickets: i64 = dana
        .query_one("SELECT count(*) FROM tickets.tickets", &[])
        .unwrap()
        .get(0);
    assert_eq!(tickets, 0);

    // She is not an admin: she cannot add, promote or deactivate anyone.
    let mut as_dana = TeamAdmin::connect(&dana_url).unwrap();
    refused_saying(
        as_dana.add_agent(&agent("Sam Okafor", "sam"), t0()),
        "only an admin",
    );
    refused_saying(as_dana.make_admin("dana"), "only an admin");
    refused_saying(as_dana.deactivate_agent("olu"), "only an admin");
    // Nor can she write to the tables behind the functions' backs.
    let direct = dana.execute(
        "INSERT INTO tickets.agents (name, sort_key, created_at, login, admin)
         VALUES ('Mallory', 'mallory', 0, 'mallory', true)",
        &[],
    );
    assert!(
        direct.is_err(),
        "an agent wrote to the agents table directly"
    );
    // Nor call the helper the admin functions use, which checks nobody.
    let helper = dana.execute(
        "SELECT tickets.sign_in_as(t, 'mallory', NULL, true) FROM tickets.team t",
        &[],
    );
    assert!(
        helper
            .as_ref()
            .err()
            .and_then(postgres::Error::as_db_error)
            .is_some_and(|e| e.message().contains("permission denied")),
        "an agent made herself a login: {helper:?}"
    );

    // Made an admin, she manages the others.
    owner.make_admin("dana").unwrap();
    as_dana
        .add_agent(&agent("Sam Okafor", "sam"), t0())
        .unwrap();
    postgres::Client::connect(&server.url("sam", "help"), postgres::NoTls).expect("Sam signs in");
    as_dana.deactivate_agent("sam").unwrap();
    let refused = postgres::Client::connect(&server.url("sam", "help"), postgres::NoTls);
    assert!(
        refused
            .as_ref()
            .err()
            .and_then(postgres::Error::as_db_error)
            .is_some_and(|e| e.message().contains("not permitted to log in")),
        "a deactivated login still signs in: {:?}",
        refused.err()
    );
    refused_saying(as_dana.deactivate_agent("dana"), "their own login");
    refused_saying(
        owner.add_agent(&agent("Dana Again", "dana"), t0()),
        "already belongs",
    );
}

#[test]
fn nobody_rewrites_the_activity_trail_not_even_the_owner() {
    let Some((_server, url)) = team() else {
        return;
    };
    let mut owner = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    owner
        .batch_execute(
            "INSERT INTO tickets.tickets (subject, status, priority, created_at, updated_at)
                 VALUES ('Printer jams', 0, 1, 0, 0);
             INSERT INTO tickets.activity (ticket_id, at, agent_id, kind)
                 VALUES (1, 0, 1, 'Created');",
        )
        .unwrap();
    for statement in [
        "UPDATE tickets.activity SET kind = 'Nothing'",
        "DELETE FROM tickets.activity",
        "TRUNCATE tickets.activity CASCADE",
    ] {
        let err = owner.batch_execute(statement).expect_err(statement);
        let said = err.as_db_error().map(|e| e.message().to_owned());
        assert_eq!(
            said.as_deref(),
            Some("the activity trail is append-only"),
            "{statement}"
        );
    }
    let kept: i64 = owner
        .query_one(
            "SELECT count(*) FROM tickets.activity WHERE kind = 'Created'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(kept, 1);
}

#[test]
fn a_desk_moves_into_an_empty_team_database_whole_with_its_numbers() {
    let Some((server, url)) = team() else {
        return;
    };
    let mut desk = crate::fixtures::Desk::new();
    tickets::seed::generate(
        &mut desk.store,
        tickets::seed::SeedOptions {
            tickets: 1500,
            seed: 3,
        },
        |_, _| true,
    )
    .expect("seed the desk");
    // And views shared with the team, which move with the rest.
    use tickets::domain::Status;
    for (name, status) in [("Waiting", Status::Waiting), ("Open", Status::Open)] {
        let view = tickets::store::views::SavedView {
            name: name.to_owned(),
            filter: tickets::store::TicketFilter {
                statuses: vec![status],
                ..Default::default()
            },
            sort: Default::default(),
        };
        desk.store.share_view(desk.dana, &view).unwrap();
    }
    let mut heard = Vec::new();
    let moved = TeamAdmin::connect(&url)
        .unwrap()
        .import(&*desk.store, &mut |done, total| heard.push((done, total)))
        .expect("move the desk");
    let tickets = moved
        .tables
        .iter()
        .find(|(t, _)| *t == "tickets")
        .unwrap()
        .1;
    assert_eq!(tickets, 1500);
    assert!(moved.tables.contains(&("shared_views", 2)), "{moved:?}");
    let (done, total) = *heard.last().unwrap();
    assert_eq!(done, total, "progress ends at the whole");

    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let raw = desk.raw();
    for (table, rows) in &moved.tables {
        let here: i64 = db
            .query_one(&format!("SELECT count(*) FROM tickets.{table}"), &[])
            .unwrap()
            .get(0);
        let extra = i64::from(*table == "agents"); // the owner, after the desk's agents
        let there: i64 = raw
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            (here - extra, there),
            (*rows as i64, *rows as i64),
            "{table}"
        );
    }
    // Numbers kept: ticket 1,234 is the same ticket, and its trail with it.
    let subject: String = db
        .query_one("SELECT subject FROM tickets.tickets WHERE id = 1234", &[])
        .unwrap()
        .get(0);
    let there: String = raw
        .query_row("SELECT subject FROM tickets WHERE id = 1234", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(subject, there);
    let statuses: i64 = db
        .query_one(
            "SELECT count(*) FROM tickets.activity WHERE kind = 'status' AND jsonb_typeof(new_value) = 'number'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(statuses > 0, "status codes stay numbers in the trail");
    // The owner is still an admin agent, numbered after the desk's agents;
    // new tickets carry on after the last number.
    let (owner_id, admin): (i64, bool) = {
        let row = db
            .query_one(
                "SELECT id, admin FROM tickets.agents WHERE login = session_user",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    let desk_agents: i64 = raw
        .query_row("SELECT max(id) FROM agents", [], |r| r.get(0))
        .unwrap();
    assert!(admin && owner_id > desk_agents);
    let next: i64 = db
        .query_one(
            "INSERT INTO tickets.tickets (subject, status, priority, created_at, updated_at)
             VALUES ('After the move', 0, 1, 0, 0) RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(next, 1501);
    // The views' tallies (migration 12) count what moved in and what came
    // after, as the tickets themselves do.
    let mut read = |sql: &str| -> Vec<(String, String, i64)> {
        db.query(sql, &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    };
    let by_status = read(
        "SELECT status::text, (assignee_key IS NULL)::text, count(*) FROM tickets.tickets
         GROUP BY 1, 2 ORDER BY 1, 2",
    );
    assert_eq!(by_status.iter().map(|r| r.2).sum::<i64>(), 1501);
    assert_eq!(
        read(
            "SELECT status::text, unassigned::text, sum(n)::bigint FROM tickets.ticket_tally
             GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2"
        ),
        by_status
    );
    let by_agent = read(
        "SELECT a.agent_id::text, t.status::text, count(*) FROM tickets.ticket_assignees a
         JOIN tickets.tickets t ON t.id = a.ticket_id GROUP BY 1, 2 ORDER BY 1, 2",
    );
    assert!(!by_agent.is_empty());
    assert_eq!(
        read(
            "SELECT agent_id::text, status::text, sum(n)::bigint FROM tickets.assignee_tally
             GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2"
        ),
        by_agent
    );

    // The desk's agents came without logins; an admin gives Dana (agent 1 of
    // the desk) hers, and the server then knows her as that agent.
    let mut owner = TeamAdmin::connect(&url).unwrap();
    let agents = owner.agents().unwrap();
    let dana = agents.iter().find(|a| a.id == 1).unwrap();
    assert_eq!((dana.name.as_str(), dana.login.as_deref()), ("Dana", None));
    owner.give_login(1, "dana", None, false).unwrap();
    let mut as_dana = postgres::Client::connect(&server.url("dana", "help"), postgres::NoTls)
        .expect("Dana signs in");
    let me: i64 = as_dana
        .query_one("SELECT tickets.current_agent()", &[])
        .unwrap()
        .get(0);
    assert_eq!(me, 1);
    refused_saying(
        owner.give_login(1, "dana2", None, false),
        "not an active agent without a login",
    );
    refused_saying(owner.give_login(2, "dana", None, false), "already belongs");

    // A second move finds it no longer empty, and changes nothing.
    refused_saying(
        TeamAdmin::connect(&url)
            .unwrap()
            .import(&*desk.store, &mut |_, _| {}),
        "only be moved into an empty one",
    );
    // A database not set up for a team is refused too.
    let bare = server.create_database("bare");
    refused_saying(
        TeamAdmin::connect(&bare)
            .unwrap()
            .import(&*desk.store, &mut |_, _| {}),
        "not set up for a team yet",
    );
}

/// An agent's own login, in psql or any client, can change tickets only
/// through the team's functions: as themself, against the version, with the
/// trail written by the server.
#[test]
fn an_agents_login_cannot_forge_the_actor_touch_the_trail_or_skip_the_version() {
    use crate::fixtures::{Desk, Engine};
    use tickets::domain::{ActivityKind, Status};
    let Some(mut desk) = Desk::team_on(Engine::Server, &[("Dana", ""), ("Sam", "")]) else {
        return;
    };
    let n = desk.ticket("Printer on fire");
    let (dana, sam) = (desk.dana, desk.agents[1]);
    let owner_url = desk.url.clone().expect("a server desk");
    let sam_url = owner_url.replacen(&format!("{SUPERUSER}@"), &format!("{}@", desk.logins[1]), 1);
    let mut psql = postgres::Client::connect(&sam_url, postgres::NoTls).expect("Sam signs in");
    let refused = |client: &mut postgres::Client, sql: &str| {
        let err = client.batch_execute(sql).expect_err(sql);
        let code = err.code().map(|c| c.code().to_owned()).unwrap_or_default();
        assert_eq!(code, "42501", "{sql}: {err}");
    };
    for sql in [
        "UPDATE tickets.tickets SET status = 4",
        "UPDATE tickets.tickets SET version = version + 1",
        "INSERT INTO tickets.activity (ticket_id, at, agent_id, kind) VALUES (1, 0, 1, 'created')",
        "DELETE FROM tickets.activity",
        "UPDATE tickets.activity SET agent_id = 1",
        "SELECT tickets.record(1, 0, 1, 'created', NULL, NULL, NULL)",
        "SELECT tickets.touch(1, 0, true)",
        "SELECT tickets.add_plain_agent('Mallory', 'mallory', '', 0)",
        "INSERT INTO tickets.shared_views (name, name_key, definition, position, created_at, updated_at)
         VALUES ('Mine', 'mine', '{}', 1, 0, 0)",
        "UPDATE tickets.shared_views SET shared_by = 1",
        "DELETE FROM tickets.shared_views",
        "SELECT tickets.view_name_key('Mine', NULL)",
    ] {
        refused(&mut psql, sql);
    }
    // Through the function, a change is Sam's whatever he claims, and a
    // stale version is refused.
    psql.batch_execute(
        "SELECT tickets.set_status(1, 1, 1::smallint, (extract(epoch FROM now()) * 1000)::bigint)",
    )
    .expect("Sam moves the ticket on");
    let err = psql
        .batch_execute("SELECT tickets.set_status(1, 1, 2::smallint, 0)")
        .expect_err("a stale version");
    assert_eq!(err.code().map(|c| c.code()), Some("TK409"), "{err}");
    let t = desk.load(n);
    assert_eq!(t.status, Status::InProgress);
    assert_eq!(t.activity[0].actor, Some(sam));
    assert!(matches!(
        t.activity[0].kind,
        ActivityKind::StatusChanged { .. }
    ));
    assert_eq!(t.activity[1].actor, Some(dana));
    // Even the owner cannot rewrite the trail.
    let mut owner = postgres::Client::connect(&owner_url, postgres::NoTls).unwrap();
    let err = owner
        .batch_execute("DELETE FROM tickets.activity")
        .expect_err("the trail is append-only");
    let said = err
        .as_db_error()
        .map(|e| e.message().to_owned())
        .unwrap_or_default();
    assert!(said.contains("append-only"), "{err:?}");
}

/// A team database set up by the first team version (schema 1) is brought
/// up to this one by `init` run again, and then works.
#[test]
fn init_on_a_team_database_of_schema_1_upgrades_it() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.create_database("old");
    let mut owner = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let first = include_str!("../../src/store/server/migrations/0001_team.sql")
        .replace(":agents", "old_agents")
        .replace(":admins", "old_admins");
    owner
        .batch_execute(&format!(
            "CREATE ROLE old_agents NOLOGIN; CREATE ROLE old_admins NOLOGIN;
             GRANT old_agents TO old_admins; CREATE SCHEMA tickets; {first}
             GRANT old_admins TO session_user;
             INSERT INTO tickets.team VALUES ('old_agents', 'old_admins', 1);
             INSERT INTO tickets.agents (name, sort_key, email, created_at, login, admin)
             VALUES ('Olu Owner', 'olu owner', '', 0, session_user, true);"
        ))
        .expect("a schema-1 team database");
    let refused = tickets::store::Store::connect(&url, crate::fixtures::fixed_clock())
        .expect_err("an old schema is not used as it is");
    assert!(
        refused.to_string().contains("schema version 1"),
        "{refused}"
    );

    let upgraded = TeamAdmin::connect(&url)
        .unwrap()
        .init("Olu Owner", "", t0())
        .expect("upgrade");
    assert_eq!(upgraded, Some(1));
    assert_eq!(
        TeamAdmin::connect(&url).unwrap().version().unwrap(),
        Some(TEAM_SCHEMA_VERSION)
    );
    let mut store =
        tickets::store::Store::connect(&url, crate::fixtures::fixed_clock()).expect("connect");
    let me = store.signed_in().expect("signed in").id;
    let n = store
        .create_ticket(me, &crate::fixtures::new_ticket("After the upgrade"))
        .unwrap();
    assert_eq!(store.load_ticket(n).unwrap().subject, "After the upgrade");
}

/// The server restarts under two desks: what was acknowledged before is
/// there after, the change that met the dead connection is reported as not
/// saved (and is not), both desks reconnect by themselves, and the one that
/// only watched hears that it must read everything again.
#[test]
fn desks_reconnect_after_the_server_restarts_and_lose_nothing_acknowledged() {
    use tickets::store::{ChangeToken, Store};
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.create_database("help");
    TeamAdmin::connect(&url)
        .unwrap()
        .init("Olu Owner", "", t0())
        .unwrap();
    let clock = crate::fixtures::fixed_clock();
    let mut writer = Store::connect(&url, clock.clone()).unwrap();
    let watcher = Store::connect(&url, clock.clone()).unwrap();
    let me = writer.signed_in().unwrap().id;
    let mut seen = ChangeToken::default();
    watcher.changes_since(&mut seen).unwrap();
    let before: Vec<_> = (1..=5)
        .map(|i| {
            writer
                .create_ticket(me, &crate::fixtures::new_ticket(&format!("Before {i}")))
                .unwrap()
        })
        .collect();

    server.restart();

    // The first change meets the dead connection: it is refused as a lost
    // connection, not shown as saved; the next one reconnects and lands.
    let mut refused = 0;
    let after = loop {
        match writer.create_ticket(me, &crate::fixtures::new_ticket("After")) {
            Ok(n) => break n,
            Err(StoreError::ServerUnreachable { .. }) if refused < 3 => refused += 1,
            Err(e) => panic!("unexpected: {e:?}"),
        }
    };
    assert!(refused <= 1, "{refused} attempts refused");
    // The watcher's first look finds its connection dead, connects again
    // at once (looking changes nothing, so it may), and hears it must catch up.
    let heard = watcher
        .changes_since(&mut seen)
        .expect("the first look after the restart reconnects");
    assert!(heard, "the watcher did not hear it must read again");

    let list = watcher
        .list_tickets(&tickets::store::ListRequest {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    let subjects: Vec<&str> = list.rows.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "After", "Before 5", "Before 4", "Before 3", "Before 2", "Before 1"
        ]
    );
    // The refused attempt never reached the server: its number was not used.
    assert_eq!(after.0, before[4].0 + 1);
}

/// Two teams on one server: an agent of one can neither open the other's
/// database as an agent nor read its tables.
#[test]
fn an_agents_login_cannot_read_another_teams_database() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let ours = server.create_database("ours");
    let theirs = server.create_database("theirs");
    for url in [&ours, &theirs] {
        TeamAdmin::connect(url)
            .unwrap()
            .init("Olu Owner", "", t0())
            .unwrap();
    }
    TeamAdmin::connect(&ours)
        .unwrap()
        .add_agent(&agent("Sam Okafor", "sam"), t0())
        .unwrap();
    let sam_there = server.url("sam", "theirs");

    let refused = tickets::store::Store::connect(&sam_there, crate::fixtures::fixed_clock())
        .expect_err("Sam is not one of their agents");
    assert!(
        refused.to_string().contains("is not an agent of this team"),
        "{refused}"
    );
    let mut psql = postgres::Client::connect(&sam_there, postgres::NoTls)
        .expect("PostgreSQL lets any login connect by default");
    for sql in [
        "SELECT count(*) FROM tickets.tickets",
        "SELECT count(*) FROM tickets.activity",
        "SELECT tickets.create_ticket('x', '', 1::smallint, NULL, 0)",
    ] {
        let err = psql.batch_execute(sql).expect_err(sql);
        assert_eq!(
            err.code().map(|c| c.code()),
            Some("42501"),
            "{sql}: {err:?}"
        );
    }
}

/// Only admins erase a customer's data, and erasing cannot be used to
/// rewrite anything but mentions of that customer: the server takes no text
/// from the app, and works every new one out itself.
#[test]
fn only_admins_erase_and_an_erasure_rewrites_nothing_but_the_customer() {
    use crate::fixtures::{Desk, Engine};
    use tickets::domain::{ActivityKind, NewCustomer, NewTicket, Priority};
    let Some(mut desk) = Desk::team_on(Engine::Server, &[("Dana", ""), ("Sam", "")]) else {
        return;
    };
    let (dana, sam) = (desk.dana, desk.agents[1]);
    let ann = desk
        .store
        .add_customer(&NewCustomer {
            name: "Ann Lee".to_owned(),
            email: "ann@example.com".to_owned(),
            company: String::new(),
        })
        .unwrap();
    let n = desk
        .store
        .create_ticket(
            dana,
            &NewTicket {
                subject: "Call Ann Lee back".to_owned(),
                description: "Her words".to_owned(),
                priority: Priority::Medium,
                customer: Some(ann),
            },
        )
        .unwrap();
    let v = desk.version(n);
    desk.store
        .set_subject(dana, n, v, "Call Ann Lee back today")
        .unwrap();
    let before = desk.load(n);

    // Sam is an agent, not an admin: refused in a sentence, nothing written.
    refused_saying(
        desk.act(sam).erase_customer(sam, ann),
        "only an admin of this team can erase a customer's data",
    );
    assert_eq!(desk.load(n), before);

    // An admin names the customer to erase, and nothing else: the server
    // works out every new text itself, so no text can be slipped in.
    let mut owner = desk.raw_server();
    let err = owner
        .execute(
            "SELECT tickets.erase_customer($1, 0, '{\"subjects\": [[1, \"Nothing happened\"]]}'::jsonb)",
            &[&ann.0],
        )
        .expect_err("no texts are taken");
    assert_eq!(err.code().map(|c| c.code()), Some("42883"), "{err}");
    assert_eq!(desk.load(n), before);
    assert_eq!(desk.store.customer(ann).unwrap().name, "Ann Lee");

    // Through the app, Dana erases: the subject and its trail lose the name only.
    desk.store.erase_customer(dana, ann).unwrap();
    let after = desk.load(n);
    assert_eq!(after.subject, "Call [erased] back today");
    assert!(after.activity.iter().any(|e| e.kind
        == ActivityKind::SubjectEdited {
            from: "Call [erased] back".to_owned(),
            to: "Call [erased] back today".to_owned(),
        }));
    // And the trail is append-only again.
    let err = owner
        .batch_execute("UPDATE tickets.activity SET new_value = '\"x\"'")
        .expect_err("the trail is append-only");
    assert!(format!("{:?}", err.as_db_error()).contains("append-only"));
}

/// Presence: each desk says which ticket it has open and what its agent is
/// doing there; the others hear of it without reading every ticket again,
/// and a desk whose connection ends leaves, and comes back when it
/// reconnects by itself.
#[test]
fn desks_see_who_else_is_at_a_ticket_and_who_is_writing() {
    use crate::fixtures::{Desk, Engine};
    use std::time::{Duration, Instant};
    use tickets::domain::{Doing, Presence};
    use tickets::store::{ChangeToken, Store};
    let Some(mut desk) = Desk::team_on(Engine::Server, &[("Dana", ""), ("Sam", "")]) else {
        return;
    };
    let n = desk.ticket("Printer on fire");
    let sam = desk.agents[1];
    let sams = desk.store_as(sam);
    let mut dana_seen = ChangeToken::default();
    desk.store.changes_since(&mut dana_seen).unwrap();
    // What Dana's desk shows once it has heard, within a few seconds.
    let dana_sees = |store: &Store, seen: &mut ChangeToken, want: &[(Doing, bool)]| {
        let start = Instant::now();
        loop {
            let changed = store.changes_since(seen).unwrap();
            assert!(!changed, "presence is not a change to the tickets");
            let news = store.presence_news();
            let now = store.presence().unwrap();
            let shown: Vec<(Doing, bool)> = now
                .iter()
                .map(|p| (p.doing, p.ticket == n && p.name == "Sam"))
                .collect();
            if shown == want {
                return (news, now);
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "Dana's desk shows {now:?}, not {want:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    assert_eq!(desk.store.presence().unwrap(), []);

    sams.set_presence(Some((n, Doing::Viewing))).unwrap();
    let (news, now) = dana_sees(&desk.store, &mut dana_seen, &[(Doing::Viewing, true)]);
    assert!(news, "Sam's desk announced it");
    assert_eq!(
        now,
        [Presence {
            agent: sam,
            name: "Sam".to_owned(),
            ticket: n,
            doing: Doing::Viewing
        }]
    );
    assert_eq!(now[0].sentence(), "Sam has it open");
    sams.set_presence(Some((n, Doing::Replying))).unwrap();
    let (_, now) = dana_sees(&desk.store, &mut dana_seen, &[(Doing::Replying, true)]);
    assert_eq!(now[0].sentence(), "Sam is replying…");

    // Dana's own desk is not "someone else" to her, but is to Sam.
    desk.store.set_presence(Some((n, Doing::Noting))).unwrap();
    assert_eq!(desk.store.presence().unwrap().len(), 1);
    let sam_sees = sams.presence().unwrap();
    assert_eq!(sam_sees.len(), 1);
    assert_eq!(sam_sees[0].sentence(), "Dana is writing a note…");

    // Sam's connection is cut: he is gone from Dana's desk; his desk
    // reconnects by itself at its next look and says again where it is.
    desk.raw_server()
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
            &[&desk.logins[1]],
        )
        .unwrap();
    dana_sees(&desk.store, &mut dana_seen, &[]);
    let mut sam_seen = ChangeToken::default();
    let _ = sams.changes_since(&mut sam_seen); // meets the closed connection
    sams.changes_since(&mut sam_seen).unwrap(); // connects again
    dana_sees(&desk.store, &mut dana_seen, &[(Doing::Replying, true)]);

    // Sam closes the ticket, then the window: nobody is left.
    sams.set_presence(None).unwrap();
    dana_sees(&desk.store, &mut dana_seen, &[]);
    sams.set_presence(Some((n, Doing::Viewing))).unwrap();
    dana_sees(&desk.store, &mut dana_seen, &[(Doing::Viewing, true)]);
    drop(sams);
    dana_sees(&desk.store, &mut dana_seen, &[]);
}

/// TLS as libpq spells it, on a server that signs with the team's own
/// certificate authority: `verify-full` with `sslrootcert` connects and is
/// encrypted; `verify-full` without it (the public authorities) and with
/// another authority's certificate is refused; a server on this computer
/// reached without saying (`prefer`) is encrypted without its certificate
/// being checked, as libpq does (Debian's own server speaks TLS on
/// localhost with a self-signed certificate).
#[test]
fn tls_is_checked_against_the_teams_own_authority_when_asked() {
    use std::process::Command;
    let Some(mut server) = TestServer::start() else {
        return;
    };
    let openssl_works = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !openssl_works {
        assert!(
            std::env::var_os(crate::fixtures::pg::REQUIRE).is_none(),
            "openssl is needed to make the test's certificates"
        );
        eprintln!("skipped: openssl is not here to make the test's certificates");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for ca in ["ca", "other-ca"] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &path(&format!("{ca}.key")),
            "-out",
            &path(&format!("{ca}.pem")),
            "-subj",
            &format!("/CN=Tickets test {ca}"),
        ]);
    }
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &path("server.key"),
        "-out",
        &path("server.csr"),
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.path().join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &path("server.csr"),
        "-CA",
        &path("ca.pem"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        &path("server.pem"),
        "-extfile",
        &path("ext.cnf"),
    ]);
    let url = server.create_database("help");
    TeamAdmin::connect(&url)
        .unwrap()
        .init("Olu Owner", "", t0())
        .unwrap();
    let port = server.listen_with_tls(
        dir.path().join("server.pem").as_path(),
        dir.path().join("server.key").as_path(),
    );
    let over_tcp = |query: &str| format!("postgres://{SUPERUSER}@127.0.0.1:{port}/help{query}");
    // Whether a desk connected over this address speaks TLS, as the server
    // sees it (asked through its socket, which has the new port too).
    let socket = format!(
        "postgres://{SUPERUSER}@/help?host={}&port={port}",
        server.socket_dir()
    );
    let encrypted = |url: &str| -> Result<bool, StoreError> {
        let desk = tickets::store::Store::connect(url, crate::fixtures::fixed_clock())?;
        let mut owner = postgres::Client::connect(&socket, postgres::NoTls).unwrap();
        let tls: i64 = owner
            .query_one(
                "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE s.ssl AND a.client_addr = '127.0.0.1' AND a.datname = 'help'",
                &[],
            )
            .unwrap()
            .get(0);
        drop(desk);
        Ok(tls > 0)
    };

    let ca = path("ca.pem");
    assert!(encrypted(&over_tcp(&format!("?sslmode=verify-full&sslrootcert={ca}"))).unwrap());
    assert!(
        encrypted(&over_tcp("")).unwrap(),
        "prefer, on this computer"
    );
    for refused in [
        over_tcp("?sslmode=verify-full"),
        over_tcp(&format!(
            "?sslmode=verify-ca&sslrootcert={}",
            path("other-ca.pem")
        )),
    ] {
        let err = encrypted(&refused).expect_err(&refused);
        assert!(
            err.to_string().to_lowercase().contains("certificate"),
            "{refused}: {err}"
        );
    }
    let err = encrypted(&over_tcp(
        "?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    ))
    .unwrap_err();
    assert!(err.to_string().contains("sslrootcert"), "{err}");
}

/// The owner moving their own desk in becomes their agent there (same
/// email), history and all, signing in with the owner's login: not a second
/// agent of the same name.
#[test]
fn the_owner_moving_their_own_desk_in_is_their_agent_there() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.create_database("help");
    TeamAdmin::connect(&url)
        .unwrap()
        .init("Dana Scully", "Dana@Example.com", t0())
        .unwrap();
    let mut desk = crate::fixtures::Desk::team(&[
        ("Sam Okafor", "sam@example.com"),
        ("Dana Scully", "dana@example.com"),
    ]);
    let dana = desk.agents[1];
    let n = desk
        .store
        .create_ticket(dana, &crate::fixtures::new_ticket("Printer jams"))
        .unwrap();
    TeamAdmin::connect(&url)
        .unwrap()
        .import(&*desk.store, &mut |_, _| {})
        .expect("move the desk");

    let agents = TeamAdmin::connect(&url).unwrap().agents().unwrap();
    let danas: Vec<_> = agents.iter().filter(|a| a.name == "Dana Scully").collect();
    assert_eq!(danas.len(), 1, "{agents:?}");
    assert_eq!(danas[0].id, dana.0, "the desk's Dana, with her number");
    assert_eq!(danas[0].login.as_deref(), Some(SUPERUSER));
    assert!(danas[0].admin);
    assert_eq!(agents.len(), 2);
    // Signed in with the owner's login, she is the desk's Dana: her ticket's
    // trail names her.
    let store = tickets::store::Store::connect(&url, crate::fixtures::fixed_clock()).unwrap();
    assert_eq!(store.signed_in().map(|a| a.id), Some(dana));
    assert_eq!(store.load_ticket(n).unwrap().activity[0].actor, Some(dana));
}
