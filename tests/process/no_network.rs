//! Tickets reaches the network in one way only: team mode's PostgreSQL
//! client, connecting to the server the user names (`src/store/server/`).
//! Checked two ways: every network client, TLS or socket crate in the
//! dependency tree (`Cargo.lock`, every platform and every feature together)
//! is there only for that client (`TEAM_CLIENT`), and the app's own source
//! names no socket type and uses the client only under `src/store/server/`.
//!
//! What is there and is not networking: `zbus` (pulled in by `rfd` for the
//! desktop's file-chooser portal, and by AccessKit for screen readers on
//! Linux) talks D-Bus over the session bus, a local Unix socket; it could
//! reach a TCP bus only if the user's own `DBUS_SESSION_BUS_ADDRESS` said
//! `tcp:`, which no desktop sets. `tokio` (with `mio` and `socket2` under it)
//! runs the PostgreSQL client's connection; `wasm-bindgen-futures` uses it
//! for WebAssembly builds only.

use std::collections::BTreeMap;
use std::path::Path;

/// Crates that open network connections, or exist to serve them: HTTP,
/// WebSocket, QUIC and gRPC clients and servers, TLS, DNS resolvers, the
/// socket layer under async runtimes, and telemetry senders.
const NETWORK_CRATES: &[&str] = &[
    // HTTP clients.
    "reqwest",
    "ureq",
    "ureq-proto",
    "curl",
    "curl-sys",
    "isahc",
    "surf",
    "attohttpc",
    "minreq",
    "ehttp",
    "http-req",
    "awc",
    // HTTP machinery (client or server).
    "hyper",
    "hyper-util",
    "hyper-tls",
    "hyper-rustls",
    "h2",
    "h3",
    "actix-http",
    "actix-web",
    "axum",
    "warp",
    "tiny_http",
    // WebSocket, QUIC, gRPC.
    "tungstenite",
    "tokio-tungstenite",
    "async-tungstenite",
    "quinn",
    "tonic",
    // TLS: only needed to talk to another machine.
    "native-tls",
    "openssl",
    "openssl-sys",
    "rustls",
    "tokio-rustls",
    "tokio-native-tls",
    "webpki",
    "rustls-webpki",
    "webpki-roots",
    // DNS.
    "trust-dns-resolver",
    "hickory-resolver",
    "hickory-proto",
    // The socket layer async networking sits on. If a future dependency needs
    // one of these for local I/O only, check that it is so, then say so here.
    "mio",
    "socket2",
    "async-net",
    // Telemetry and crash reporting senders.
    "sentry",
    "opentelemetry-otlp",
];

/// The team server's client: the crates that may need a network crate. The
/// synchronous `postgres` client runs `tokio-postgres` on a `tokio` runtime;
/// TLS is rustls through `tokio-postgres-rustls`.
const TEAM_CLIENT: &[&str] = &[
    "postgres",
    "tokio-postgres",
    "tokio-postgres-rustls",
    "tokio-rustls",
    "rustls",
    "tokio",
    "tokio-util",
];

/// What Tickets' own code takes from the network crates: the TLS settings
/// and the root certificates it checks a team server against.
const TICKETS_USES: &[&str] = &["rustls", "webpki-roots"];

/// Each package in a `Cargo.lock`, with the names of the packages it depends on.
fn packages(lock: &str) -> BTreeMap<String, Vec<String>> {
    let mut packages = BTreeMap::new();
    let mut name: Option<String> = None;
    let mut in_dependencies = false;
    for line in lock.lines().map(str::trim) {
        if line == "[[package]]" {
            name = None;
            in_dependencies = false;
        } else if let Some(value) = line.strip_prefix("name = ") {
            let value = value.trim_matches('"').to_owned();
            packages.entry(value.clone()).or_insert_with(Vec::new);
            name = Some(value);
        } else if line.starts_with("dependencies = [") {
            in_dependencies = true;
        } else if in_dependencies && line == "]" {
            in_dependencies = false;
        } else if in_dependencies && let Some(name) = &name {
            // `"name"` or `"name 1.2.3"` (when two versions are locked).
            let dependency = line.trim_matches([' ', '"', ',']);
            let dependency = dependency.split(' ').next().unwrap_or(dependency);
            if let Some(deps) = packages.get_mut(name) {
                deps.push(dependency.to_owned());
            }
        }
    }
    packages
}

/// The network crates among the packages that something other than the
/// team server's client needs, each with who needs it.
fn network_crates(packages: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    NETWORK_CRATES
        .iter()
        .filter(|banned| packages.contains_key(**banned))
        .filter_map(|banned| {
            let users: Vec<&str> = packages
                .iter()
                .filter(|(_, deps)| deps.iter().any(|d| d == banned))
                .map(|(name, _)| name.as_str())
                .collect();
            let only_the_client = users.iter().all(|user| {
                TEAM_CLIENT.contains(user) || (*user == "tickets" && TICKETS_USES.contains(banned))
            });
            (!only_the_client).then(|| format!("{banned} (needed by {})", users.join(", ")))
        })
        .collect()
}

#[test]
fn no_network_client_in_the_dependency_tree() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    let lock = std::fs::read_to_string(&path).expect("Cargo.lock is committed");
    let packages = packages(&lock);
    // The parse saw the real tree: the crates the app is built from are there.
    for known in ["tickets", "rusqlite", "eframe", "rfd", "zbus", "postgres"] {
        assert!(
            packages.contains_key(known),
            "{known} missing from {path:?}"
        );
    }
    assert_eq!(network_crates(&packages), Vec::<String>::new());
    // The client's own crates are needed by nothing but the client and Tickets.
    for client in TEAM_CLIENT {
        let users: Vec<&String> = packages
            .iter()
            .filter(|(_, deps)| deps.iter().any(|d| d == client))
            .map(|(name, _)| name)
            .filter(|name| {
                !TEAM_CLIENT.contains(&name.as_str())
                    && *name != "tickets"
                    && *name != "wasm-bindgen-futures"
            })
            .collect();
        assert_eq!(
            users,
            Vec::<&String>::new(),
            "{client} is needed outside the team client"
        );
    }
}

#[test]
fn the_check_catches_a_network_client() {
    let lock = r#"
version = 4

[[package]]
name = "tickets"
version = "0.1.0"
dependencies = [
 "reqwest",
 "rusqlite",
]

[[package]]
name = "reqwest"
version = "0.12.0"
dependencies = [
 "hyper 1.0.0",
 "rustls",
]

[[package]]
name = "hyper"
version = "1.0.0"

[[package]]
name = "rustls"
version = "0.23.0"

[[package]]
name = "rusqlite"
version = "0.43.0"
"#;
    assert_eq!(
        network_crates(&packages(lock)),
        [
            "reqwest (needed by tickets)",
            "hyper (needed by reqwest)",
            "rustls (needed by reqwest)",
        ]
    );
    // TLS needed by the team client alone passes; by anything else, not.
    let tls = r#"
[[package]]
name = "tickets"
dependencies = [
 "postgres",
 "webpki-roots",
]

[[package]]
name = "postgres"
dependencies = [
 "rustls",
]

[[package]]
name = "egui"
dependencies = [
 "rustls",
 "webpki-roots",
]

[[package]]
name = "rustls"

[[package]]
name = "webpki-roots"
"#;
    assert_eq!(
        network_crates(&packages(tls)),
        [
            "rustls (needed by egui, postgres)",
            "webpki-roots (needed by egui, tickets)",
        ]
    );
    let without_egui = tls.replace(
        " \"rustls\",\n \"webpki-roots\",\n]\n\n[[package]]\nname = \"rustls\"",
        "]\n\n[[package]]\nname = \"rustls\"",
    );
    assert_eq!(
        network_crates(&packages(&without_egui)),
        Vec::<String>::new()
    );
}

/// Socket types and calls that would let the app's own code reach the network,
/// or hand a URL to the browser.
const SOCKET_WORDS: &[&str] = &[
    "std::net",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "ToSocketAddrs",
    "SocketAddr",
    "OpenUrl",
    "open_url",
    "hyperlink",
];

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_source_opens_no_socket() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("store/mod.rs")),
        "{files:?}"
    );
    let server = root.join("src").join("store").join("server");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        for word in SOCKET_WORDS {
            if text.contains(word) {
                found.push(format!("{} uses {word}", file.display()));
            }
        }
        // The team client connects only where the server's address is taken.
        for word in ["postgres::", "tokio_postgres"] {
            if text.contains(word) && !file.starts_with(&server) {
                found.push(format!(
                    "{} uses {word} outside src/store/server",
                    file.display()
                ));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
}

/// Set (as `.ci/run` sets it where `strace` can trace) to make a missing or
/// refused `strace` a failure instead of a skipped check.
const REQUIRE_STRACE: &str = "TICKETS_REQUIRE_STRACE";

/// Whether `strace` is here and may trace a child (containers may forbid
/// ptrace); says in one line why not, or fails where it is required.
fn strace_works() -> bool {
    let works = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=none", "true"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !works {
        let why = "strace is missing here or may not trace (apt-get install strace)";
        assert!(std::env::var_os(REQUIRE_STRACE).is_none(), "{why}");
        eprintln!("skipped: {why}");
    }
    works
}

/// Working on a file, the program opens no socket at all: every command
/// that reads or writes a desk's file (filling it, listing, searching, a
/// report, an export) runs under `strace`, which records each socket the
/// process or its threads open. (The window adds only the display's and
/// the desktop bus's local sockets, which `the_source_opens_no_socket` and
/// the dependency check above account for.)
#[test]
fn working_on_a_file_opens_no_socket() {
    if !strace_works() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let db = db.to_str().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let report = out.join("report.csv");
    let export = out.join("tickets.csv");
    let (report, export) = (report.to_str().unwrap(), export.to_str().unwrap());
    for args in [
        &["--db", db, "seed", "--tickets", "200"][..],
        &["--db", db, "list", "--limit", "50"][..],
        &[
            "--db", db, "list", "--search", "password", "--sort", "subject",
        ][..],
        &[
            "--db", db, "report", "--period", "last-30d", "--out", report,
        ][..],
        &["--db", db, "export", "--include-notes", "--out", export][..],
    ] {
        let log = dir.path().join("strace.log");
        let status = std::process::Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=socket,connect,socketpair", "-o"])
            .arg(&log)
            .arg(env!("CARGO_BIN_EXE_tickets"))
            .args(args)
            .env("TZ", "UTC")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run tickets under strace");
        assert!(status.success(), "tickets {args:?} failed");
        let traced = std::fs::read_to_string(&log).expect("the trace");
        let sockets: Vec<&str> = traced
            .lines()
            .filter(|l| l.contains("socket") || l.contains("connect("))
            .collect();
        assert_eq!(
            sockets,
            Vec::<&str>::new(),
            "tickets {args:?} opened sockets"
        );
    }
    assert!(std::fs::metadata(export).unwrap().len() > 1_000);

    // The same trace of a command given a server's address does show the
    // connection it tries: the check sees sockets when there are some.
    let log = dir.path().join("strace-server.log");
    std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=socket,connect,socketpair", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_tickets"))
        .args([
            "--db",
            "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
            "list",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run tickets under strace");
    let traced = std::fs::read_to_string(&log).expect("the trace");
    assert!(traced.contains("connect("), "{traced}");
}
