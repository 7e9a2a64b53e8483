//! A team's PostgreSQL server: connecting to it (TLS as libpq's `sslmode`
//! says), setting one up, and saying who may sign in.
//!
//! Everyone is themself: each agent signs in with their own PostgreSQL
//! login, and the server, not the client, knows who that is
//! (`tickets.current_agent()`). Only admins manage agents, through functions
//! that check the caller's login; the activity trail refuses every update
//! and delete, the owner's included. The schema lives in its own PostgreSQL
//! schema, `tickets`, with its version in `tickets.team`; each database gets
//! its own two roles, `{db}_agents` and `{db}_admins`, so two teams on one
//! server never share a grant.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use postgres::config::{Host, SslMode};
use postgres::{Client, Config};

use super::StoreError;
use crate::domain::{sort_key, validate};

mod batch;
mod canned;
mod desk;
mod import;
mod imports;
mod libpq;
mod sla;
mod tallied;
mod tally;

pub use desk::{ServerSnapshot, ServerStore};
pub use import::Moved;
pub use libpq::password_file_name;

/// Migration 1, frozen (see the file's head).
/// The team schema's migrations, in order: migration `n` is `MIGRATIONS[n - 1]`.
const MIGRATIONS: [&str; 18] = [
    include_str!("migrations/0001_team.sql"),
    include_str!("migrations/0002_writes.sql"),
    include_str!("migrations/0003_search.sql"),
    include_str!("migrations/0004_list_indexes.sql"),
    include_str!("migrations/0005_erase_and_presence.sql"),
    include_str!("migrations/0006_subject_covering.sql"),
    include_str!("migrations/0007_trail_moves_covering.sql"),
    include_str!("migrations/0008_updated.sql"),
    include_str!("migrations/0009_bulk.sql"),
    include_str!("migrations/0010_shared_views.sql"),
    include_str!("migrations/0011_reads.sql"),
    include_str!("migrations/0012_tally.sql"),
    include_str!("migrations/0013_service_levels.sql"),
    include_str!("migrations/0014_links.sql"),
    include_str!("migrations/0015_canned.sql"),
    include_str!("migrations/0016_imports.sql"),
    include_str!("migrations/0017_import_sets.sql"),
    include_str!("migrations/0018_customer_words.sql"),
];

/// The schema version this build sets up and understands.
pub const TEAM_SCHEMA_VERSION: i32 = 18;

/// Hosts that are this computer: TLS is not required to reach them.
fn is_local(host: &Host) -> bool {
    match host {
        Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
        // A socket folder: the client has this variant on Unix only, and
        // elsewhere reads a host starting with `/` as a name (Host::Tcp).
        #[cfg(unix)]
        Host::Unix(_) => true,
    }
}

/// How a server is named in messages: `host/database` (no user, no password).
pub fn server_name(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    format!("{host}/{}", config.get_dbname().unwrap_or("?"))
}

/// The server a `postgres://` URL (or libpq `key=value` string) names, with
/// what it leaves out filled in as libpq would (`PGHOST`, `PGUSER`,
/// `PGPASSWORD`, `~/.pgpass` or on Windows
/// `%APPDATA%\postgresql\pgpass.conf`…). TLS follows `sslmode` (or `PGSSLMODE`);
/// where neither says, a server on another computer must speak TLS
/// (`require`) and one on this computer may (`prefer`).
pub fn config_of(url: &str) -> Result<Config, StoreError> {
    let mut config = place_of(url)?;
    libpq::fill_in_password(&mut config, &|name: &str| std::env::var(name).ok());
    Ok(config)
}

/// [`config_of`] without the password: where the server is and who signs
/// in, read from the URL and the environment, no file (the window asks it
/// on its own thread).
fn place_of(url: &str) -> Result<Config, StoreError> {
    // libpq's TLS words the Rust client does not take are read apart.
    let (address, mode, _) = libpq::libpq_words(url);
    let mut config: Config = address.parse().map_err(|e: postgres::Error| {
        StoreError::Unsupported(format!(
            "“{}” is not a PostgreSQL address: {e}",
            redact(url)
        ))
    })?;
    if let Some(mode) = mode {
        config.ssl_mode(libpq::ssl_mode(&mode).ok_or_else(|| {
            StoreError::Unsupported(format!(
                "sslmode “{mode}” is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ))
        })?);
    }
    let env = |name: &str| std::env::var(name).ok();
    libpq::fill_in_place(&mut config, url, &env);
    let says_sslmode = url.contains("sslmode") || env("PGSSLMODE").is_some();
    if !says_sslmode && !config.get_hosts().iter().all(is_local) {
        config.ssl_mode(SslMode::Require);
    }
    // A server that went away is noticed in seconds, not at the system's
    // TCP timeouts (minutes): connecting gives up, and an answer that stops
    // coming is given up on (where the URL says nothing else). A request
    // the server has not acknowledged is given up on after the user
    // timeout; one it has, whose answer is awaited, only through keepalive
    // probes, which must then come often: at the system's interval (75 s)
    // a desk waited 80 s or more once the network was cut mid-call.
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(5));
    }
    config.keepalives_idle(Duration::from_secs(5));
    config.keepalives_interval(Duration::from_secs(1));
    // The user timeout is Linux's alone (TCP_USER_TIMEOUT; the client
    // ignores it elsewhere). On macOS and Windows an unacknowledged request
    // is given up on only when the system stops retransmitting it (its own
    // limit, tens of seconds or more); the keepalive probes above still
    // find a server that went away while an answer is awaited.
    #[cfg(target_os = "linux")]
    config.tcp_user_timeout(Duration::from_secs(10));
    Ok(config)
}

/// Connects to the server a URL names ([`config_of`]), over TLS checked
/// against the Mozilla root certificates where TLS is used.
pub fn connect(url: &str) -> Result<Client, StoreError> {
    let config = config_of(url)?;
    let name = server_name(&config);
    let env = |name: &str| std::env::var(name).ok();
    // The certificates are read only where TLS may be spoken, as libpq does.
    let tls_possible = config.get_ssl_mode() != SslMode::Disable
        && config.get_hosts().iter().any(|h| matches!(h, Host::Tcp(_)));
    let roots = match libpq::root_certificates(libpq::libpq_words(url).2, &env) {
        Some(file) if tls_possible => team_certificates(&file)?,
        _ => rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    };
    // rustls 0.23.48 deprecates ring's provider for lacking post-quantum key
    // exchange; aws-lc-rs, which has it, needs a C/CMake build on every
    // platform. A team's own server on its own network can wait for that.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Unsupported(format!("TLS could not be set up: {e}")))?;
    // A server on this computer is reached without a network between: its
    // certificate is not checked unless the address asks (verify-ca,
    // verify-full), as libpq's prefer and require do not check it. Debian's
    // own PostgreSQL speaks TLS on localhost with a self-signed certificate.
    let asked_to_verify = libpq::libpq_words(url)
        .1
        .or_else(|| env("PGSSLMODE"))
        .is_some_and(|mode| mode.starts_with("verify"));
    let tls = if config.get_hosts().iter().all(is_local) && !asked_to_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ThisComputer(provider)))
            .with_no_client_auth()
    } else {
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .map_err(|e| server_error(&name, e))
}

/// A server on this computer: its certificate is taken as it is (the
/// handshake's signatures are still checked against it).
#[derive(Debug)]
struct ThisComputer(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for ThisComputer {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The certificates in a PEM file (`sslrootcert`): a team's own
/// certificate authority, trusted instead of the public ones.
fn team_certificates(file: &std::path::Path) -> Result<rustls::RootCertStore, StoreError> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let unusable = |why: String| {
        StoreError::Unsupported(format!(
            "the certificates to trust (sslrootcert) could not be read from {}: {why}",
            file.display()
        ))
    };
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(file).map_err(|e| unusable(e.to_string()))? {
        let certificate = certificate.map_err(|e| unusable(e.to_string()))?;
        roots
            .add(certificate)
            .map_err(|e| unusable(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(unusable("it holds no certificate".to_owned()));
    }
    Ok(roots)
}

/// "host/database" of a URL, from the URL alone: naming a server reads no
/// file (no ~/.pgpass) and no environment, as the window names it often.
pub fn name_of(url: &str) -> String {
    match libpq::libpq_words(url).0.parse::<Config>() {
        Ok(config) => server_name(&config),
        Err(_) => redact(url),
    }
}

/// Where a team server's URL points, as the Connect form spells it: host
/// (or socket folder), port (empty: the default), database and login; with
/// libpq's fill-ins for what the URL leaves out. `None` if it does not parse.
pub fn parts_of(url: &str) -> Option<[String; 4]> {
    let config = place_of(url).ok()?;
    let host = match config.get_hosts().first()? {
        Host::Tcp(name) => name.clone(),
        #[cfg(unix)]
        Host::Unix(path) => path.display().to_string(),
    };
    let port = match config.get_ports().first() {
        Some(5432) | None => String::new(),
        Some(port) => port.to_string(),
    };
    Some([
        host,
        port,
        config.get_dbname().unwrap_or_default().to_owned(),
        config.get_user().unwrap_or_default().to_owned(),
    ])
}

/// A URL as it may be shown: without its password.
pub fn redact(url: &str) -> String {
    let url = match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:…{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    };
    // And `password=…` in a URL's query or a key=value address.
    let mut out = String::with_capacity(url.len());
    let mut rest = url.as_str();
    while let Some(at) = rest.find("password=") {
        let starts_word = at == 0 || matches!(rest.as_bytes()[at - 1], b'?' | b'&' | b' ' | b'\t');
        out.push_str(&rest[..at + "password=".len()]);
        rest = &rest[at + "password=".len()..];
        if starts_word {
            out.push('…');
            let end = if let Some(quoted) = rest.strip_prefix('\'') {
                quoted.find('\'').map_or(rest.len(), |q| q + 2)
            } else {
                rest.find(['&', ' ', '\t']).unwrap_or(rest.len())
            };
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// A server's error as a sentence: what the server said (our functions
/// raise sentences), or that it could not be reached.
pub fn server_error(server: &str, error: postgres::Error) -> StoreError {
    match error.as_db_error() {
        // The server shutting down or restarting (class 57: "terminating
        // connection due to administrator command"), or the connection
        // failing (class 08): it went away, as far as a desk can tell.
        Some(db) if matches!(&db.code().code()[..2], "57" | "08") => {
            StoreError::ServerUnreachable {
                server: server.to_owned(),
                detail: db.message().to_owned(),
            }
        }
        // invalid_password: the password given is not the login's.
        Some(db) if db.code().code() == "28P01" => StoreError::PasswordNeeded {
            server: server.to_owned(),
            refused: true,
        },
        Some(db) => StoreError::Server {
            server: server.to_owned(),
            message: db.message().to_owned(),
        },
        None => {
            let mut detail = error.to_string();
            let mut cause = std::error::Error::source(&error);
            while let Some(inner) = cause {
                detail = format!("{detail}: {inner}");
                cause = inner.source();
            }
            if detail.contains("password missing") {
                return StoreError::PasswordNeeded {
                    server: server.to_owned(),
                    refused: false,
                };
            }
            StoreError::ServerUnreachable {
                server: server.to_owned(),
                detail,
            }
        }
    }
}

/// An agent to add, with the login they will sign in with.
#[derive(Clone, Debug)]
pub struct NewAgentLogin {
    /// Their name, as the window shows it.
    pub name: String,
    /// Their email (optional).
    pub email: String,
    /// The PostgreSQL login: who they are, to the server.
    pub login: String,
    /// The login's password; none where the server signs people in otherwise
    /// (certificates, peer) or an admin sets it later.
    pub password: Option<String>,
    /// Whether they may manage agents.
    pub admin: bool,
}

/// An agent as the team's server knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamAgent {
    /// Their number.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// The login they sign in with; none for one moved in from a desk's
    /// file until an admin gives them one.
    pub login: Option<String>,
    /// Whether they manage agents.
    pub admin: bool,
    /// Whether they may still sign in.
    pub active: bool,
}

/// A connection for setting a team's server up and managing its agents.
pub struct TeamAdmin {
    client: Client,
    server: String,
}

impl TeamAdmin {
    /// Connects as the URL's login.
    pub fn connect(url: &str) -> Result<TeamAdmin, StoreError> {
        let config = config_of(url)?;
        Ok(TeamAdmin {
            client: connect(url)?,
            server: server_name(&config),
        })
    }

    fn fail(&self, error: postgres::Error) -> StoreError {
        server_error(&self.server, error)
    }

    /// The team schema's version on this database; `None` where there is
    /// none. A `tickets` schema that is not a team's is refused.
    pub fn version(&mut self) -> Result<Option<i32>, StoreError> {
        let row = self
            .client
            .query_one(
                "SELECT to_regnamespace('tickets') IS NOT NULL,
                        to_regclass('tickets.team') IS NOT NULL",
                &[],
            )
            .map_err(|e| self.fail(e))?;
        match (row.get::<_, bool>(0), row.get::<_, bool>(1)) {
            (false, _) => Ok(None),
            (true, false) => Err(StoreError::Server {
                server: self.server.clone(),
                message: "this database already has a schema named “tickets” that Tickets did not make; it was left untouched".to_owned(),
            }),
            (true, true) => {
                let version: i32 = self
                    .client
                    .query_one("SELECT version FROM tickets.team", &[])
                    .map_err(|e| self.fail(e))?
                    .get(0);
                Ok(Some(version))
            }
        }
    }

    /// Sets the team up on an empty database, in one transaction: the
    /// schema, this database's two roles, and the signed-in login as the
    /// first agent, an admin, named `name`. On a database an older Tickets
    /// set up, brings its schema up to this version instead and returns the
    /// version it had.
    pub fn init(
        &mut self,
        name: &str,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i32>, StoreError> {
        let name = validate::name(name)?;
        let email = validate::email(email)?;
        match self.version()? {
            Some(version) if version < TEAM_SCHEMA_VERSION => {
                self.upgrade(version)?;
                return Ok(Some(version));
            }
            Some(version) => {
                return Err(StoreError::Server {
                    server: self.server.clone(),
                    message: format!(
                        "this database is set up for a team already (schema version {version}); nothing was changed"
                    ),
                });
            }
            None => {}
        }
        let database: String = self
            .client
            .query_one("SELECT current_database()", &[])
            .map_err(|e| self.fail(e))?
            .get(0);
        let agents = role_name(&database, "agents");
        let admins = role_name(&database, "admins");
        let migration = MIGRATIONS
            .map(|m| {
                m.replace(":agents", &quote_ident(&agents))
                    .replace(":admins", &quote_ident(&admins))
            })
            .join("\n");
        let server = self.server.clone();
        let fail = |e| server_error(&server, e);
        let mut tx = self.client.transaction().map_err(fail)?;
        for role in [&agents, &admins] {
            let exists: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                    &[role],
                )
                .map_err(fail)?
                .get(0);
            if !exists {
                tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", quote_ident(role)))
                    .map_err(fail)?;
            }
        }
        tx.batch_execute(&format!(
            "GRANT {} TO {};
             CREATE SCHEMA tickets;
             {migration}
             GRANT {} TO session_user;",
            quote_ident(&agents),
            quote_ident(&admins),
            quote_ident(&admins),
        ))
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO tickets.team (agents_role, admins_role, version) VALUES ($1, $2, $3)",
            &[&agents, &admins, &TEAM_SCHEMA_VERSION],
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO tickets.agents (name, sort_key, email, created_at, login, admin)
             VALUES ($1, $2, $3, $4, session_user, true)",
            &[&name, &sort_key(&name), &email, &now.timestamp_millis()],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(None)
    }

    /// Brings a team database set up by an older Tickets to this version's
    /// schema, one migration at a time, in one transaction (run by
    /// [`TeamAdmin::init`] on such a database; the owner's login runs it).
    fn upgrade(&mut self, from: i32) -> Result<(), StoreError> {
        let server = self.server.clone();
        let fail = |e| server_error(&server, e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let row = tx
            .query_one("SELECT agents_role, admins_role FROM tickets.team", &[])
            .map_err(fail)?;
        let (agents, admins): (String, String) = (row.get(0), row.get(1));
        for migration in &MIGRATIONS[usize::try_from(from).unwrap_or_default()..] {
            let sql = migration
                .replace(":agents", &quote_ident(&agents))
                .replace(":admins", &quote_ident(&admins));
            tx.batch_execute(&sql).map_err(fail)?;
        }
        tx.execute(
            "UPDATE tickets.team SET version = $1",
            &[&TEAM_SCHEMA_VERSION],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// Adds an agent with their own login (an admin's call). Returns their id.
    pub fn add_agent(
        &mut self,
        agent: &NewAgentLogin,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let name = validate::name(&agent.name)?;
        let email = validate::email(&agent.email)?;
        let login = login_name(&agent.login)?;
        let id: i64 = self
            .client
            .query_one(
                "SELECT tickets.add_agent($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &name,
                    &sort_key(&name),
                    &email,
                    &login,
                    &agent.password,
                    &agent.admin,
                    &now.timestamp_millis(),
                ],
            )
            .map_err(|e| self.fail(e))?
            .get(0);
        Ok(id)
    }

    /// Gives an agent who has no login yet (one moved in from a desk's
    /// file) the login they will sign in with (an admin's call).
    pub fn give_login(
        &mut self,
        agent: i64,
        login: &str,
        password: Option<&str>,
        admin: bool,
    ) -> Result<(), StoreError> {
        let login = login_name(login)?;
        self.client
            .execute(
                "SELECT tickets.give_login($1, $2, $3, $4)",
                &[&agent, &login, &password, &admin],
            )
            .map_err(|e| self.fail(e))
            .map(drop)
    }

    /// Every agent: id, name, login (if any), admin, active; by name.
    pub fn agents(&mut self) -> Result<Vec<TeamAgent>, StoreError> {
        let rows = self
            .client
            .query(
                "SELECT id, name, login, admin, active FROM tickets.agents ORDER BY sort_key, id",
                &[],
            )
            .map_err(|e| self.fail(e))?;
        Ok(rows
            .iter()
            .map(|r| TeamAgent {
                id: r.get(0),
                name: r.get(1),
                login: r.get(2),
                admin: r.get(3),
                active: r.get(4),
            })
            .collect())
    }

    /// Stops a login signing in; the agent's history stays (an admin's call).
    pub fn deactivate_agent(&mut self, login: &str) -> Result<(), StoreError> {
        let login = login_name(login)?;
        self.client
            .execute("SELECT tickets.deactivate_agent($1)", &[&login])
            .map_err(|e| self.fail(e))
            .map(drop)
    }

    /// Lets an agent manage the others (an admin's call).
    pub fn make_admin(&mut self, login: &str) -> Result<(), StoreError> {
        let login = login_name(login)?;
        self.client
            .execute("SELECT tickets.make_admin($1)", &[&login])
            .map_err(|e| self.fail(e))
            .map(drop)
    }
}

/// A login as PostgreSQL takes it: one line, 1 to 63 bytes.
fn login_name(login: &str) -> Result<String, StoreError> {
    let login = login.trim();
    if login.is_empty() || login.len() > 63 || login.chars().any(char::is_control) {
        return Err(StoreError::NotAllowed(format!(
            "“{login}” cannot be a login: a login is one line of 1 to 63 bytes"
        )));
    }
    Ok(login.to_owned())
}

/// This database's role for `what` ("agents", "admins"): `{db}_{what}`,
/// cut to PostgreSQL's 63 bytes.
fn role_name(database: &str, what: &str) -> String {
    let mut base = database.to_owned();
    while base.len() + what.len() + 1 > 63 {
        base.pop();
    }
    format!("{base}_{what}")
}

/// An identifier quoted for SQL text.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_a_query_or_key_value_words_are_not_shown() {
        assert_eq!(
            redact("postgres://dana@db/help?password=s3cret&sslmode=require"),
            "postgres://dana@db/help?password=…&sslmode=require"
        );
        assert_eq!(
            redact("host=db password='a b' dbname=help"),
            "host=db password=… dbname=help"
        );
        assert_eq!(redact("host=db password=s3cret"), "host=db password=…");
        assert_eq!(redact("host=db oldpassword=x"), "host=db oldpassword=x");
    }

    #[test]
    fn a_shown_url_keeps_no_password() {
        assert_eq!(
            redact("postgres://dana:s3cret@db.example/help"),
            "postgres://dana:…@db.example/help"
        );
        assert_eq!(redact("postgres://dana@db/help"), "postgres://dana@db/help");
    }

    #[test]
    fn role_names_fit_postgres() {
        assert_eq!(role_name("help", "agents"), "help_agents");
        assert_eq!(role_name(&"x".repeat(80), "admins").len(), 63);
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
