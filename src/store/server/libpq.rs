//! What a server address leaves out, filled in as `psql` and every libpq
//! program would: `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGSSLMODE`,
//! then the password from `PGPASSWORD` or the password file (`PGPASSFILE`,
//! else `~/.pgpass`, or `%APPDATA%\postgresql\pgpass.conf` on Windows).
//! The Rust client reads none of them itself.
//!
//! Also libpq's TLS words the Rust client does not take in an address:
//! `sslmode=allow`, `verify-ca` and `verify-full`, and `sslrootcert` (or
//! `PGSSLROOTCERT`, else `~/.postgresql/root.crt` where it exists): the
//! certificates a team's own certificate authority signs with, trusted
//! instead of the public ones.

use std::path::{Path, PathBuf};

use postgres::Config;
use postgres::config::{Host, SslMode};

/// Reads an environment variable (tests give their own).
pub(super) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A URL without the libpq words the Rust client refuses in its query, and
/// what they said: (the address, its `sslmode` if it gave one, its
/// `sslrootcert`). A key=value address is left as it is.
pub(super) fn libpq_words(address: &str) -> (String, Option<String>, Option<String>) {
    let mut mode = None;
    let mut root = None;
    let mut keep = |key: &str, value: &str| match key {
        "sslmode" => {
            mode = Some(value.to_owned());
            false
        }
        "sslrootcert" => {
            root = Some(value.to_owned());
            false
        }
        _ => true,
    };
    // Only a URL's query is read apart; key=value words go to the client
    // as they are (it spells sslmode's common values itself).
    let is_url = address.starts_with("postgres://") || address.starts_with("postgresql://");
    let cleaned = match address.split_once('?') {
        Some((base, query)) if is_url => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    keep(&decoded(key), &decoded(value))
                })
                .collect();
            if kept.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{}", kept.join("&"))
            }
        }
        _ => address.to_owned(),
    };
    (cleaned, mode, root)
}

/// A URL part with its `%XX` escapes decoded (as UTF-8, lossily).
fn decoded(part: &str) -> String {
    String::from_utf8_lossy(&crate::store::percent_decoded(part.as_bytes())).into_owned()
}

/// The file of certificates to trust for this address, as libpq finds it:
/// `sslrootcert` (the address's, else `PGSSLROOTCERT`), else
/// `~/.postgresql/root.crt` where it exists; `None`: the public
/// certificate authorities (also for `sslrootcert=system`).
pub(super) fn root_certificates(given: Option<String>, env: Env<'_>) -> Option<PathBuf> {
    match given.or_else(|| env("PGSSLROOTCERT")) {
        Some(system) if system == "system" => None,
        Some(file) => Some(PathBuf::from(file)),
        None => user_file(UserFile::RootCertificates, env, WINDOWS).filter(|f| f.is_file()),
    }
}

/// Fills in what `config` (parsed from `address`) leaves out of where the
/// server is and who signs in (all but the password): reads the
/// environment and no file.
pub(super) fn fill_in_place(config: &mut Config, address: &str, env: Env<'_>) {
    if config.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(host) => {
                config.host(&host);
            }
            None => {
                config.host(default_host());
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = env("PGPORT").and_then(|p| p.parse().ok())
    {
        config.port(port);
    }
    if config.get_user().is_none()
        && let Some(user) = env("PGUSER")
            .or_else(|| env("USER"))
            .or_else(|| env("USERNAME"))
    {
        config.user(&user);
    }
    if config.get_dbname().is_none()
        && let Some(db) = env("PGDATABASE").or_else(|| config.get_user().map(str::to_owned))
    {
        config.dbname(&db);
    }
    if !address.contains("sslmode")
        && let Some(mode) = env("PGSSLMODE").as_deref().and_then(ssl_mode)
    {
        config.ssl_mode(mode);
    }
}

/// Fills in the password, from `PGPASSWORD` or the password file.
pub(super) fn fill_in_password(config: &mut Config, env: Env<'_>) {
    if config.get_password().is_none() {
        let password = env("PGPASSWORD").or_else(|| {
            let file = env("PGPASSFILE")
                .map(PathBuf::from)
                .or_else(|| user_file(UserFile::Passwords, env, WINDOWS))?;
            let text = std::fs::read_to_string(file).ok()?;
            password_for(&text, config)
        });
        if let Some(password) = password {
            config.password(password);
        }
    }
}

/// An `sslmode` as the client can honour it: `verify-ca` and `verify-full`
/// are `require` with the certificate checked, as rustls always does.
pub(super) fn ssl_mode(mode: &str) -> Option<SslMode> {
    match mode {
        "disable" => Some(SslMode::Disable),
        "allow" | "prefer" => Some(SslMode::Prefer),
        "require" | "verify-ca" | "verify-full" => Some(SslMode::Require),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Where libpq looks on each system. The two halves are plain code, not
// `#[cfg]`, so that both are compiled and tested everywhere; `WINDOWS`
// picks the one in force.
// ---------------------------------------------------------------------------

/// Whether this program runs on Windows, where libpq keeps a user's files
/// under `%APPDATA%` and has no Unix-domain socket folder.
const WINDOWS: bool = cfg!(windows);

/// A file libpq reads for the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UserFile {
    /// The password file: `~/.pgpass`; `%APPDATA%\postgresql\pgpass.conf`.
    Passwords,
    /// The certificates to trust: `~/.postgresql/root.crt`;
    /// `%APPDATA%\postgresql\root.crt`.
    RootCertificates,
}

/// Where libpq looks for `file`, from the environment (`HOME`, or
/// `APPDATA` on Windows); `None` when that is not set.
fn user_file(file: UserFile, env: Env<'_>, windows: bool) -> Option<PathBuf> {
    if windows {
        let folder = Path::new(&env("APPDATA")?).join("postgresql");
        Some(folder.join(match file {
            UserFile::Passwords => "pgpass.conf",
            UserFile::RootCertificates => "root.crt",
        }))
    } else {
        let home = PathBuf::from(env("HOME")?);
        Some(match file {
            UserFile::Passwords => home.join(".pgpass"),
            UserFile::RootCertificates => home.join(".postgresql").join("root.crt"),
        })
    }
}

/// The password file as messages name it to the person at the keyboard.
pub fn password_file_name() -> &'static str {
    if WINDOWS {
        r"%APPDATA%\postgresql\pgpass.conf"
    } else {
        "~/.pgpass"
    }
}

/// libpq's default server: the system's socket folder where there is one
/// (Debian's and Fedora's `/var/run/postgresql`; a build that keeps its
/// socket in `/tmp`, as on macOS, is reached over TCP on `localhost`
/// instead), and `localhost` on Windows, which has no socket folder.
fn default_host() -> &'static str {
    if !WINDOWS && Path::new("/var/run/postgresql").is_dir() {
        "/var/run/postgresql"
    } else {
        "localhost"
    }
}

/// The password a password file gives for `config`'s first host, port,
/// database and user: the first line whose five fields match (`*` matches
/// anything; `\:` and `\\` are a colon and a backslash).
pub(super) fn password_for(text: &str, config: &Config) -> Option<String> {
    let host = match config.get_hosts().first()? {
        Host::Tcp(name) => name.clone(),
        #[cfg(unix)]
        Host::Unix(_) => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    let wanted = [host.as_str(), port.as_str(), db, user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .map(fields)
        .find(|fields| {
            fields.len() == 5
                && fields
                    .iter()
                    .zip(wanted)
                    .all(|(field, want)| field == "*" || field == want)
        })
        .map(|mut fields| fields.swap_remove(4))
}

/// A password-file line's fields.
fn fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(field) = fields.last_mut()
                {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn what_the_address_leaves_out_comes_from_the_environment() {
        let mut config: Config = "postgres:///help".parse().unwrap();
        let env = env_of(&[
            ("PGHOST", "db.example"),
            ("PGPORT", "6543"),
            ("PGUSER", "dana"),
            ("PGSSLMODE", "disable"),
            ("PGPASSWORD", "s3cret"),
        ]);
        fill_in_place(&mut config, "postgres:///help", &env);
        fill_in_password(&mut config, &env);
        assert_eq!(config.get_hosts(), [Host::Tcp("db.example".to_owned())]);
        assert_eq!(config.get_ports(), [6543]);
        assert_eq!(config.get_user(), Some("dana"));
        assert_eq!(config.get_dbname(), Some("help"));
        assert_eq!(config.get_ssl_mode(), SslMode::Disable);
        assert_eq!(config.get_password(), Some(&b"s3cret"[..]));

        // What the address says wins.
        let address = "postgres://olu:pw@other/team?sslmode=require";
        let mut config: Config = address.parse().unwrap();
        fill_in_place(&mut config, address, &env);
        fill_in_password(&mut config, &env);
        assert_eq!(config.get_hosts(), [Host::Tcp("other".to_owned())]);
        assert_eq!(config.get_user(), Some("olu"));
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert_eq!(config.get_password(), Some(&b"pw"[..]));
    }

    #[test]
    fn libpq_tls_words_are_taken_out_of_the_address() {
        let (address, mode, root) = libpq_words(
            "postgres://dana@db.example/help?sslmode=verify-full&sslrootcert=%2Fetc%2Fteam%20ca.pem&application_name=x",
        );
        assert_eq!(
            address,
            "postgres://dana@db.example/help?application_name=x"
        );
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root.as_deref(), Some("/etc/team ca.pem"));
        assert!(address.parse::<Config>().is_ok());

        // key=value words are left to the client, byte for byte.
        let words = "host=db.example password='a  b?' dbname=help sslmode=require";
        assert_eq!(libpq_words(words), (words.to_owned(), None, None));
        // A plus sign is a plus sign (libpq decodes %XX only).
        let (_, _, root) = libpq_words("postgres://db/help?sslrootcert=/etc/ca+team.pem");
        assert_eq!(root.as_deref(), Some("/etc/ca+team.pem"));

        let plain = "postgres://dana@db.example/help?host=%2Ftmp";
        assert_eq!(libpq_words(plain), (plain.to_owned(), None, None));
        assert_eq!(ssl_mode("verify-full"), Some(SslMode::Require));
        assert_eq!(ssl_mode("sometimes"), None);
    }

    #[test]
    fn the_certificates_to_trust_come_as_libpq_finds_them() {
        let none = env_of(&[("HOME", "/nonexistent-home"), ("APPDATA", "/nonexistent")]);
        assert_eq!(root_certificates(None, &none), None);
        assert_eq!(root_certificates(Some("system".into()), &none), None);
        let env = env_of(&[("PGSSLROOTCERT", "/env/ca.pem")]);
        assert_eq!(
            root_certificates(None, &env),
            Some(PathBuf::from("/env/ca.pem"))
        );
        assert_eq!(
            root_certificates(Some("/url/ca.pem".into()), &env),
            Some(PathBuf::from("/url/ca.pem"))
        );
        // The home folder on Unix, the roaming application data on Windows.
        let home = tempfile::tempdir().unwrap();
        let folder = home
            .path()
            .join(if WINDOWS { "postgresql" } else { ".postgresql" });
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("root.crt"), "x").unwrap();
        let home_path = home.path().display().to_string();
        let with_home = move |name: &str| {
            (name == if WINDOWS { "APPDATA" } else { "HOME" }).then(|| home_path.clone())
        };
        assert_eq!(
            root_certificates(None, &with_home),
            Some(folder.join("root.crt"))
        );
    }

    #[test]
    fn libpq_files_are_where_it_looks_on_each_system() {
        let env = env_of(&[
            ("HOME", "/home/dana"),
            ("APPDATA", r"C:\Users\dana\AppData\Roaming"),
        ]);
        let unix = |file| user_file(file, &env, false);
        assert_eq!(
            unix(UserFile::Passwords),
            Some(PathBuf::from("/home/dana/.pgpass"))
        );
        assert_eq!(
            unix(UserFile::RootCertificates),
            Some(PathBuf::from("/home/dana/.postgresql/root.crt"))
        );
        // Joined with this system's separator: compared by the names in it.
        let windows = |file| {
            Some(
                user_file(file, &env, true)?
                    .to_str()?
                    .replace(['/', '\\'], "|"),
            )
        };
        assert_eq!(
            windows(UserFile::Passwords).as_deref(),
            Some("C:|Users|dana|AppData|Roaming|postgresql|pgpass.conf")
        );
        assert_eq!(
            windows(UserFile::RootCertificates).as_deref(),
            Some("C:|Users|dana|AppData|Roaming|postgresql|root.crt")
        );
        // Neither variable set: no file, not a relative path.
        let bare = env_of(&[]);
        for windows in [false, true] {
            assert_eq!(user_file(UserFile::Passwords, &bare, windows), None);
        }
        assert!(password_file_name().ends_with(if WINDOWS { "pgpass.conf" } else { ".pgpass" }));
    }

    #[test]
    fn the_password_file_gives_the_first_matching_line() {
        let mut config: Config = "postgres://dana@db.example:5433/help".parse().unwrap();
        config.port(5433);
        let file = "# team servers\n\
                    db.example:5432:help:dana:wrong-port\n\
                    db.example:5433:*:olu:wrong-user\n\
                    db.example:5433:help:dana:pa\\:ss\\\\word\n\
                    *:*:*:*:fallback\n";
        assert_eq!(password_for(file, &config).as_deref(), Some("pa:ss\\word"));
        let mut elsewhere: Config = "postgres://sam@db2/help".parse().unwrap();
        elsewhere.port(5432);
        assert_eq!(password_for(file, &elsewhere).as_deref(), Some("fallback"));
        assert_eq!(password_for("too:few:fields\n", &elsewhere), None);
    }
}
