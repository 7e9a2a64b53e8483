//! The command line as a script runs it: a whole `tickets` process, with
//! the environment (time zone) it is given.

use std::path::Path;
use std::process::Command;

use crate::fixtures::Desk;

/// Runs the `tickets` binary with `args`, in time zone `tz`; returns
/// (succeeded, stdout, stderr).
fn tickets(args: &[&str], tz: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tickets"))
        .args(args)
        .env("TZ", tz)
        .output()
        .expect("run tickets");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn db_arg(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn reading_commands_never_create_or_change_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here.db");
    let db = db_arg(&missing);
    for args in [
        vec!["--db", &db, "list"],
        vec!["--db", &db, "report", "--period", "today", "--out", "r.csv"],
        vec!["--db", &db, "export", "--out", "t.csv"],
    ] {
        let (ok, _, err) = tickets(&args, "UTC");
        assert!(!ok, "{args:?} succeeded on a missing file");
        assert!(err.contains("there is no database at"), "{args:?}: {err}");
        assert!(!missing.exists(), "{args:?} created the file");
    }
    // An empty file stays empty.
    std::fs::write(&missing, b"").unwrap();
    let (ok, _, err) = tickets(&["--db", &db, "list"], "UTC");
    assert!(!ok);
    assert!(err.contains("is empty"), "{err}");
    assert_eq!(
        std::fs::metadata(&missing).unwrap().len(),
        0,
        "list wrote into it"
    );
    assert_eq!(
        crate::fixtures::names_in(dir.path()),
        ["nothing-here.db"],
        "nothing beside it either"
    );
}

#[test]
fn a_path_that_looks_like_a_uri_is_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("file:x.db?mode=memory");
    let db = db_arg(&odd);
    let (ok, out, err) = tickets(&["--db", &db, "seed", "--tickets", "10"], "UTC");
    assert!(ok, "{err}");
    assert!(out.contains("Added 10 tickets"), "{out}");
    assert!(odd.is_file(), "the file of that name holds the database");
    let (ok, out, err) = tickets(&["--db", &db, "list", "--limit", "3"], "UTC");
    assert!(ok, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("TKT-")).count(),
        3,
        "{out}"
    );
}

#[test]
fn a_device_is_refused_in_a_sentence() {
    let (ok, _, err) = tickets(&["--db", "/dev/null", "list"], "UTC");
    assert!(!ok);
    assert!(
        err.contains("is a device or a pipe"),
        "not a sentence: {err}"
    );
    assert!(!err.contains("disk I/O error"), "{err}");
}

#[test]
fn the_network_drive_allowance_leaves_a_file_on_this_computers_disk_shared() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    let db = db_arg(&path);
    // Taken before the command and after it, like --db.
    let (ok, out, err) = tickets(
        &[
            "--allow-network-drive",
            "--db",
            &db,
            "seed",
            "--tickets",
            "5",
        ],
        "UTC",
    );
    assert!(ok, "{err}");
    assert!(out.contains("Added 5 tickets"), "{out}");
    let (ok, out, err) = tickets(&["--db", &db, "list", "--allow-network-drive"], "UTC");
    assert!(ok, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("TKT-")).count(),
        5,
        "{out}"
    );
    // Still in write-ahead-log mode (header bytes 18 and 19), which other
    // windows share: the allowance changes nothing on a local disk.
    let header = std::fs::read(&path).unwrap();
    assert_eq!((header[18], header[19]), (2, 2));
}

/// A file with one ticket closed 30 minutes after the first of Havana's two
/// midnights on 1 November 2026 (clocks go back from 01:00 to 00:00).
fn havana_desk() -> Desk {
    use chrono::{TimeZone, Utc};
    let mut desk = Desk::new();
    // 00:10 at UTC-4, the first midnight hour: 04:10 UTC.
    desk.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 1, 4, 10, 0).unwrap());
    let n = desk.ticket("Closed in the first hour");
    let v = desk.version(n);
    desk.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 1, 4, 30, 0).unwrap());
    desk.store
        .set_status(desk.dana, n, v, tickets::domain::Status::Closed)
        .unwrap();
    desk
}

#[test]
fn in_havana_the_day_begins_at_the_first_of_its_two_midnights() {
    let desk = havana_desk();
    let db = db_arg(&desk.path);
    // The ticket raised at 00:10 (the first 00:10) belongs to 1 November.
    let (ok, out, err) = tickets(
        &[
            "--db",
            &db,
            "list",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-01",
        ],
        "America/Havana",
    );
    assert!(ok, "{err}");
    assert!(out.contains("Closed in the first hour"), "missing: {out}");
    // The report of 1 November counts it as created and closed.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("havana.csv");
    let out_arg = db_arg(&report);
    let (ok, _, err) = tickets(
        &[
            "--db",
            &db,
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-01",
            "--out",
            &out_arg,
        ],
        "America/Havana",
    );
    assert!(ok, "{err}");
    let summary = std::fs::read_to_string(&report).unwrap();
    assert!(summary.contains("card,Created,,1,tickets"), "{summary}");
    assert!(summary.contains("card,Closed,,1,tickets"), "{summary}");
    // And 31 October does not.
    let (ok, out, _) = tickets(
        &[
            "--db",
            &db,
            "list",
            "--from",
            "2026-10-31",
            "--to",
            "2026-10-31",
        ],
        "America/Havana",
    );
    assert!(ok);
    assert!(!out.contains("Closed in the first hour"), "{out}");
}

#[test]
fn a_team_server_is_set_up_and_its_agents_managed_from_the_command_line() {
    let Some(server) = crate::fixtures::pg::TestServer::start() else {
        return;
    };
    let url = server.create_database("help");
    let (ok, out, err) = tickets(
        &[
            "server",
            "init",
            &url,
            "--name",
            "Olu Owner",
            "--email",
            "olu@example.com",
        ],
        "UTC",
    );
    assert!(ok, "init failed: {err}");
    assert!(
        out.contains("with Olu Owner as its first agent and admin"),
        "{out}"
    );

    let (ok, _, err) = tickets(&["server", "init", &url, "--name", "Olu"], "UTC");
    assert!(!ok, "a second init succeeded");
    assert!(err.contains("set up for a team already"), "{err}");

    let (ok, out, err) = tickets(
        &[
            "server",
            "add-agent",
            &url,
            "--name",
            "Dana Scully",
            "--login",
            "dana",
        ],
        "UTC",
    );
    assert!(ok, "add-agent failed: {err}");
    assert!(
        out.contains("Added Dana Scully as an agent, signing in as dana"),
        "{out}"
    );

    // Dana is no admin: the server refuses her, in a sentence.
    let as_dana = server.url("dana", "help");
    let add_sam = [
        "server",
        "add-agent",
        &as_dana,
        "--name",
        "Sam",
        "--login",
        "sam",
    ];
    let (ok, _, err) = tickets(&add_sam, "UTC");
    assert!(!ok);
    assert!(
        err.contains("refused: only an admin of this team can manage its agents"),
        "{err}"
    );
    let (ok, _, err) = tickets(&["server", "make-admin", &url, "dana"], "UTC");
    assert!(ok, "{err}");
    let (ok, _, err) = tickets(&add_sam, "UTC");
    assert!(ok, "{err}");
    let (ok, out, err) = tickets(&["server", "deactivate-agent", &as_dana, "sam"], "UTC");
    assert!(ok, "{err}");
    assert!(out.contains("sam can no longer sign in"), "{out}");

    // An address with nobody listening says so.
    let nowhere = "postgres://olu@/help?host=/nonexistent-socket-dir";
    let (ok, _, err) = tickets(&["server", "make-admin", nowhere, "dana"], "UTC");
    assert!(!ok);
    assert!(err.contains("could not be reached"), "{err}");
}

#[test]
fn a_desk_file_moves_into_a_team_server_from_the_command_line() {
    let Some(server) = crate::fixtures::pg::TestServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.db");
    let db = db_arg(&file);
    let (ok, _, err) = tickets(&["--db", &db, "seed", "--tickets", "300"], "UTC");
    assert!(ok, "seed: {err}");
    let url = server.create_database("help");
    let (ok, _, err) = tickets(&["server", "init", &url, "--name", "Olu Owner"], "UTC");
    assert!(ok, "init: {err}");

    let (ok, out, err) = tickets(&["server", "import", "--from", &db, &url], "UTC");
    assert!(ok, "import: {err}");
    assert!(out.contains("every table checked: "), "{out}");
    assert!(out.contains(", 300 tickets, "), "{out}");

    let mut team = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let tickets_there: i64 = team
        .query_one("SELECT count(*) FROM tickets.tickets", &[])
        .unwrap()
        .get(0);
    assert_eq!(tickets_there, 300);
    // The file itself is only read.
    let (ok, out, _) = tickets(&["--db", &db, "list", "--limit", "1"], "UTC");
    assert!(ok && out.contains("of 300 tickets"), "{out}");

    // `list` prints the same bytes from the file and from the server.
    let lists: [&[&str]; 9] = [
        &["--limit", "300"],
        &["--sort", "subject", "--ascending", "--limit", "40"],
        &["--sort", "customer", "--limit", "40"],
        &["--sort", "assignee", "--ascending", "--limit", "40"],
        &[
            "--sort", "priority", "--status", "open", "--status", "waiting",
        ],
        &["--search", "password", "--sort", "number", "--ascending"],
        &["--search", "TKT-000007"],
        &["--unassigned", "--priority", "urgent"],
        &["--tag", "billing", "--sort", "status"],
    ];
    for args in lists {
        let run = |db: &str| {
            let mut all = vec!["--db", db, "list"];
            all.extend(args);
            tickets(&all, "Europe/Berlin")
        };
        let (from_file, from_server) = (run(&db), run(&url));
        assert!(
            from_file.0 && from_server.0,
            "{args:?}: {} / {}",
            from_file.2,
            from_server.2
        );
        assert!(
            from_file.1.lines().count() > 1,
            "{args:?} lists nothing: {}",
            from_file.1
        );
        assert_eq!(from_file.1, from_server.1, "list {args:?}");
    }
    // And `report` and `export` write the same files from both.
    let out = tempfile::tempdir().unwrap();
    let written = |db: &str, side: &str, what: &[&str]| -> Vec<(String, Vec<u8>)> {
        let folder = out.path().join(side).join(what[0]);
        std::fs::create_dir_all(&folder).unwrap();
        let target = folder.join(if what[0] == "report" {
            "report.csv"
        } else {
            "tickets.csv"
        });
        let target = target.to_str().unwrap().to_owned();
        let mut all = vec!["--db", db];
        all.extend(what);
        all.extend(["--out", target.as_str()]);
        let (ok, _, err) = tickets(&all, "Europe/Berlin");
        assert!(ok, "{what:?} from {side}: {err}");
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|f| {
                let f = f.unwrap();
                (
                    f.file_name().to_string_lossy().into_owned(),
                    std::fs::read(f.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    // Whole days that have ended: a period running to now would end at a
    // different second for each of the two runs.
    let day = |back: i64| {
        (chrono::Local::now().date_naive() - chrono::Duration::days(back))
            .format("%Y-%m-%d")
            .to_string()
    };
    let (month_ago, year_ago, yesterday) = (day(30), day(365), day(1));
    for what in [
        &["report", "--from", &month_ago, "--to", &yesterday][..],
        &["report", "--from", &year_ago, "--to", &yesterday][..],
        &["export", "--include-notes"][..],
        &["export", "--status", "open", "--search", "password"][..],
    ] {
        let (from_file, from_server) = (written(&db, "file", what), written(&url, "server", what));
        assert!(
            !from_file.is_empty() && from_file.iter().all(|(_, b)| b.len() > 100),
            "{what:?}"
        );
        let names =
            |files: &[(String, Vec<u8>)]| files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&from_file), names(&from_server), "{what:?}");
        for ((name, a), (_, b)) in from_file.iter().zip(&from_server) {
            assert!(
                a == b,
                "{what:?}: {name} differs:\n{}\n---\n{}",
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            );
        }
    }

    // The desk's agents are listed without logins until given one.
    let (ok, out, err) = tickets(&["server", "agents", &url], "UTC");
    assert!(ok, "{err}");
    let first = out
        .lines()
        .find(|l| l.starts_with("2\t"))
        .unwrap_or_default()
        .to_owned();
    assert!(first.ends_with("\t(no login)\tagent\tactive"), "{out}");
    let (ok, out, err) = tickets(&["server", "give-login", &url, "2", "sam"], "UTC");
    assert!(ok, "{err}");
    assert!(out.contains("Agent 2 now signs in as sam"), "{out}");
    let (_, out, _) = tickets(&["server", "agents", &url], "UTC");
    assert!(
        out.lines()
            .any(|l| l.starts_with("2\t") && l.contains("\tsam\t")),
        "{out}"
    );

    let (ok, _, err) = tickets(&["server", "import", "--from", &db, &url], "UTC");
    assert!(!ok, "a second move succeeded");
    assert!(err.contains("only be moved into an empty one"), "{err}");
}

#[test]
fn passwords_come_from_the_password_file_as_with_psql() {
    let Some(server) = crate::fixtures::pg::TestServer::start_with_passwords("owner-pw") else {
        return;
    };
    let url = server.create_database("help");
    let dir = tempfile::tempdir().unwrap();
    let passfile = dir.path().join("pgpass");
    // The owner's line, as ~/.pgpass would hold it (a socket is "localhost").
    std::fs::write(&passfile, "localhost:*:help:tickets_owner:owner-pw\n").unwrap();
    let as_script = |args: &[&str], passfile: Option<&Path>, stdin: &str| {
        use std::io::Write;
        let mut command = Command::new(env!("CARGO_BIN_EXE_tickets"));
        command
            .args(args)
            .env_remove("PGPASSWORD")
            .env("HOME", dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        match passfile {
            Some(file) => command.env("PGPASSFILE", file),
            None => command.env("PGPASSFILE", dir.path().join("none")),
        };
        let mut child = command.spawn().expect("run tickets");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let init = ["server", "init", url.as_str(), "--name", "Olu Owner"];
    let (ok, err) = as_script(&init, None, "");
    assert!(!ok, "signed in without a password");
    assert!(err.contains("password"), "{err}");
    let (ok, err) = as_script(&init, Some(&passfile), "");
    assert!(ok, "with the password file: {err}");

    // A new agent's password, read from standard input, signs her in.
    let add = [
        "server",
        "add-agent",
        url.as_str(),
        "--name",
        "Dana Scully",
        "--login",
        "dana",
        "--admin",
        "--password-stdin",
    ];
    let (ok, err) = as_script(&add, Some(&passfile), "dana-pw\n");
    assert!(ok, "{err}");
    let as_dana = server.url("dana", "help");
    std::fs::write(
        &passfile,
        "localhost:*:help:tickets_owner:owner-pw\nlocalhost:*:*:dana:dana-pw\n",
    )
    .unwrap();
    let (ok, err) = as_script(
        &["server", "make-admin", &as_dana, "dana"],
        Some(&passfile),
        "",
    );
    assert!(ok, "Dana with her password: {err}");
    std::fs::write(&passfile, "localhost:*:*:dana:wrong\n").unwrap();
    let (ok, err) = as_script(
        &["server", "make-admin", &as_dana, "dana"],
        Some(&passfile),
        "",
    );
    assert!(!ok && err.contains("password"), "{err}");
}

/// Runs `tickets` with `args` and `input` on standard input; returns (exit
/// code, stdout, stderr).
fn tickets_with_input(args: &[&str], input: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tickets"))
        .args(args)
        .env("TZ", "UTC")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run tickets");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for tickets");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

crate::on_both_engines_with! {
    fn a_script_raises_changes_notes_and_replies_as_an_agent(engine: Engine) {
        use tickets::domain::{Direction, Priority, Status, TicketNumber};
        let mut desk = Desk::team_on(
            engine,
            &[("Dana Scully", "dana@example.com"), ("Sam Okafor", "sam@example.com")],
        )
        .expect("a desk on this engine");
        desk.store.close();
        let db = match desk.location() {
            tickets::store::Location::File(path) => path.display().to_string(),
            tickets::store::Location::Server(url) => url,
        };
        let run = |args: &[&str], input: &str| {
            let mut all = vec!["--db", db.as_str()];
            all.extend_from_slice(args);
            tickets_with_input(&all, input)
        };

        let (code, out, err) = run(
            &[
                "new", "--subject", "Printer on fire", "--customer", "ana@example.org",
                "--priority", "high", "--tag", "hardware", "--assign", "sam@example.com",
                "--description", "-", "--as", "Dana Scully", "--json",
            ],
            "It smokes\n",
        );
        assert_eq!(code, 0, "{err}");
        let shown: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(shown["subject"], "Printer on fire");
        let store = desk.second_store();
        let t = store.load_ticket(TicketNumber(1)).unwrap();
        assert_eq!(t.priority, Priority::High);
        assert_eq!(t.description, "It smokes");
        assert_eq!(t.customer.as_ref().map(|c| c.email.as_str()), Some("ana@example.org"));
        assert_eq!(t.assignees.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Sam Okafor"]);
        assert_eq!(t.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["hardware"]);

        let (code, out, err) = run(
            &["update", "TKT-000001", "--status", "waiting", "--untag", "hardware", "--tag", "printer", "--as", "dana@example.com"],
            "",
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.trim(), "TKT-000001: 3 changes");
        let (code, _, err) = run(&["note", "#1", "-", "--as", "Dana Scully"], "Checked the logs\n");
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = run(&["reply", "1", "We are on it", "--as", "Dana Scully"], "");
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.trim(), "TKT-000001: reply added");
        let t = store.load_ticket(TicketNumber(1)).unwrap();
        assert_eq!(t.status, Status::Waiting);
        assert_eq!(t.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["printer"]);
        assert_eq!(t.notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(), ["Checked the logs"]);
        assert!(t.messages.iter().any(|m| m.direction == Direction::Outbound && m.body == "We are on it"));
        // Each change is in the trail, as the window's are.
        assert!(t.activity.len() >= 8, "{:?}", t.activity);

        // Refused with a sentence and exit code 1; nothing changes.
        let version = t.version;
        let (code, _, err) = run(&["update", "1", "--status", "closed", "--as", "Nobody"], "");
        assert_eq!(code, 1);
        assert!(err.contains("“Nobody”"), "{err}");
        let (code, _, err) = run(&["update", "99", "--status", "closed", "--as", "Dana Scully"], "");
        assert_eq!(code, 1, "{err}");
        let (code, _, err) = run(&["update", "1", "--untag", "nope", "--as", "Dana Scully"], "");
        assert_eq!(code, 1);
        assert!(err.contains("has no tag “nope”"), "{err}");
        assert_eq!(store.load_ticket(TicketNumber(1)).unwrap().version, version);
        // A usage mistake is exit code 2.
        let (code, _, err) = run(&["update", "1", "--status", "sideways", "--as", "Dana Scully"], "");
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("is not a status"), "{err}");

        let (code, out, _) = run(&["show", "TKT-1", "--json"], "");
        assert_eq!(code, 0);
        let shown: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(shown["notes"][0]["body"], "Checked the logs");
    }
}

#[test]
fn a_script_on_a_file_must_say_who_acts_and_never_makes_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here.db");
    let db = db_arg(&missing);
    let (ok, _, err) = tickets(
        &["--db", &db, "new", "--subject", "x", "--as", "Dana"],
        "UTC",
    );
    assert!(!ok);
    assert!(err.contains("there is no database at"), "{err}");
    assert!(!missing.exists(), "new created the file");
    let desk = Desk::new();
    let db = db_arg(&desk.path);
    let (code, _, err) = tickets_with_input(&["--db", &db, "new", "--subject", "x"], "");
    assert_eq!(code, 1);
    assert!(err.contains("--as"), "{err}");
}

#[test]
fn everything_leaves_a_file_for_a_server_and_comes_back_the_same() {
    let Some(server) = crate::fixtures::pg::shared() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| tickets(args, "UTC");
    let desk = db_arg(&dir.path().join("desk.db"));
    let (ok, _, err) = run(&["--db", &desk, "seed", "--tickets", "200"]);
    assert!(ok, "seed: {err}");
    let first = dir.path().join("first.jsonl");
    let first_arg = first.display().to_string();
    let (ok, out, err) = run(&[
        "--db", &desk, "export", "--all", "--format", "jsonl", "--out", &first_arg,
    ]);
    assert!(ok, "export: {err}");
    assert!(
        out.contains("Wrote everything to ") && out.contains(": 200 tickets, "),
        "{out}"
    );

    // Filters choose tickets for CSV; everything is everything.
    let (ok, _, err) = run(&[
        "--db", &desk, "export", "--all", "--format", "jsonl", "--status", "open", "--out",
        "x.jsonl",
    ]);
    assert!(!ok && err.contains("--status"), "{err}");
    // Everything is JSON lines only: CSV is not quietly swapped for it.
    let csv = dir.path().join("x.csv");
    let (ok, _, err) = run(&[
        "--db",
        &desk,
        "export",
        "--all",
        "--format",
        "csv",
        "--out",
        &csv.display().to_string(),
    ]);
    assert!(!ok && err.contains("JSON lines"), "{err}");
    assert!(!csv.exists());

    // A dry run reads it through and writes nothing, not even a database.
    let never = dir.path().join("never.db");
    let (ok, out, err) = run(&["--db", &db_arg(&never), "import", &first_arg, "--dry-run"]);
    assert!(ok, "dry run: {err}");
    assert!(
        out.contains("200 tickets") && out.contains("nothing was written"),
        "{out}"
    );
    assert!(!never.exists());

    // Into a team's server, as its owner, and out again: the same bytes.
    let url = server.create_database(&crate::fixtures::pg::unique_name("everything"));
    let (ok, _, err) = run(&["server", "init", &url, "--name", "Olu Owner"]);
    assert!(ok, "init: {err}");
    let (ok, out, err) = run(&["--db", &url, "import", &first_arg]);
    assert!(ok, "import into the server: {err}");
    assert!(out.contains("200 tickets"), "{out}");
    // Back to a desk's file (the team leaving its server).
    let from_server = dir.path().join("server.jsonl");
    let (ok, _, err) = run(&[
        "--db",
        &url,
        "export",
        "--all",
        "--format",
        "jsonl",
        "--out",
        &from_server.display().to_string(),
    ]);
    assert!(ok, "export from the server: {err}");
    let back = db_arg(&dir.path().join("back.db"));
    let (ok, _, err) = run(&["--db", &back, "import", &from_server.display().to_string()]);
    assert!(ok, "import into a file: {err}");
    let again = dir.path().join("again.jsonl");
    let (ok, _, err) = run(&[
        "--db",
        &back,
        "export",
        "--all",
        "--format",
        "jsonl",
        "--out",
        &again.display().to_string(),
    ]);
    assert!(ok, "export again: {err}");
    assert!(
        std::fs::read(&from_server).unwrap() == std::fs::read(&again).unwrap(),
        "what left the server comes back byte for byte"
    );

    // A second import into a database that holds anything is refused.
    let (ok, _, err) = run(&["--db", &back, "import", &first_arg]);
    assert!(!ok && err.contains("nothing was changed"), "{err}");
}

crate::on_both_engines_with! {
    fn an_import_is_planned_then_written_then_updated_not_duplicated(engine: Engine) {
        use tickets::domain::TicketNumber;
        let mut desk = Desk::on(engine).expect("a desk on this engine");
        desk.store.close();
        let db = match desk.location() {
            tickets::store::Location::File(path) => path.display().to_string(),
            tickets::store::Location::Server(url) => url,
        };
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("zendesk.csv");
        std::fs::copy(format!("{fixtures}/zendesk.csv"), &csv).unwrap();
        let csv_arg = csv.display().to_string();
        let config = dir.path().join("config");
        let run = |args: &[&str]| {
            let mut all = vec!["--db", db.as_str()];
            all.extend_from_slice(args);
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_tickets"))
                .args(&all)
                .env("XDG_CONFIG_HOME", &config)
                .env("HOME", dir.path())
                .output()
                .expect("run tickets");
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };

        // The dry run: what it would make, and every skipped row by line.
        let (code, out, err) = run(&["import", &csv_arg, "--dry-run", "--as", "Dana"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("skipped line 4: Status: “escalated”"), "{out}");
        assert!(out.contains("Would import 2 tickets (2 new"), "{out}");
        assert!(out.contains("nothing was written"), "{out}");
        assert_eq!(desk.second_store().count_tickets(&Default::default()).unwrap(), 0);

        // Written, as Dana; the saved mapping kept for next time.
        let (code, out, err) = run(&["import", &csv_arg, "--as", "Dana", "--save-mapping", "our zendesk", "--json"]);
        assert_eq!(code, 0, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(report["created"], 2);
        assert_eq!(report["skipped"], 1);
        assert_eq!(report["problems"][0]["line"], 4);
        assert_eq!(report["source"], "zendesk");
        let store = desk.second_store();
        let printer = store.load_ticket(TicketNumber(1)).unwrap();
        assert_eq!(printer.subject, "Printer on fire");
        assert_eq!(printer.status, tickets::domain::Status::Waiting, "Zendesk's hold");
        assert_eq!(printer.customer.as_ref().map(|c| c.email.as_str()), Some("ana.lima@example.com"));
        assert!(config.join("tickets/mappings").read_dir().unwrap().count() == 1, "the mapping saved");

        // The same file again, through the saved mapping: nothing new.
        let (code, out, err) = run(&["import", &csv_arg, "--as", "Dana", "--mapping", "our zendesk"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("(0 new, 0 updated, 2 unchanged"), "{out}");
        // Changed in the old help desk and exported again: updated.
        let text = std::fs::read_to_string(&csv).unwrap().replace(",hold,normal,", ",solved,high,");
        std::fs::write(&csv, text).unwrap();
        let (code, out, err) = run(&["import", &csv_arg, "--as", "Dana"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("(0 new, 1 updated, 1 unchanged"), "{out}");
        let printer = desk.second_store().load_ticket(TicketNumber(1)).unwrap();
        assert_eq!(printer.status, tickets::domain::Status::Resolved);
        assert_eq!(desk.second_store().count_tickets(&Default::default()).unwrap(), 2);

        // A file that is no export says so, exit 1; an unknown format is usage, exit 2.
        let junk = dir.path().join("junk.bin");
        std::fs::write(&junk, [0xffu8, 0xfe, 0x00, 0x01, 0x02]).unwrap();
        let (code, _, err) = run(&["import", &junk.display().to_string(), "--as", "Dana"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("tickets: "), "{err}");
        let (code, _, _) = run(&["import", &csv_arg, "--format", "lotus-notes"]);
        assert_eq!(code, 2);
    }
}
