//! What can go wrong in the store, in words an agent understands.

use std::path::{Path, PathBuf};

use crate::domain::TicketNumber;
use crate::domain::validate::ValidationError;

/// A store operation that did not happen, and why. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not a Tickets database; it was not touched.
    #[error("“{}” is not a Tickets database ({reason}); it was left untouched", path.display())]
    NotTickets {
        /// The file.
        path: PathBuf,
        /// What it looks like instead.
        reason: String,
    },
    /// The file was written by a newer Tickets; it was not touched.
    #[error(
        "this database was saved by a newer version of Tickets (format {found}; this version reads up to {supported}). Update Tickets to open it; the file was left untouched"
    )]
    TooNew {
        /// The file's schema version.
        found: i64,
        /// The newest version this build understands.
        supported: i64,
    },
    /// A database file is damaged.
    #[error(
        "{} is damaged and cannot be read ({detail}); it was left untouched. Restore a backup of it, or open another database",
        the_file(path)
    )]
    Damaged {
        /// The file (empty when the store did not know it).
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The file, or the folder it is in, cannot be written to.
    #[error(
        "{} is read-only ({reason}), so Tickets cannot save changes to it; it was left untouched. Make it writable, or open a copy of it",
        the_file(path)
    )]
    ReadOnly {
        /// The database file (empty when the store did not know it).
        path: PathBuf,
        /// What is read-only.
        reason: String,
    },
    /// The file is on a network drive, where SQLite can lose or corrupt
    /// changes; it was not opened.
    #[error(
        "“{}” is on a network drive ({kind}), and SQLite, which keeps this file, can lose or corrupt changes there, above all when several computers use it (sqlite.org/useovernet.html); it was left untouched. Keep the file on this computer's own disk, or share the help desk through a team server (see docs/TEAM.md); to open it anyway for one agent at a time, start Tickets with --allow-network-drive",
        path.display()
    )]
    NetworkDrive {
        /// The file.
        path: PathBuf,
        /// The kind of drive: `nfs4`, `cifs`, `fuse.sshfs`, "a network share"…
        kind: String,
    },
    /// A file on a network drive, opened for one program at a time
    /// (`--allow-network-drive`), is open in another program.
    #[error(
        "“{}” is on a network drive and open in another Tickets or program, on this computer or another; there only one at a time can use it. Close it there and try again; to share the help desk, use a team server (see docs/TEAM.md)",
        path.display()
    )]
    NetworkDriveInUse {
        /// The file.
        path: PathBuf,
    },
    /// The disk has no room for the change.
    #[error(
        "the disk is full, so this change was not saved; everything saved before is intact. Free some space on the disk and try again"
    )]
    DiskFull,
    /// Another window or program held the file's write lock past the wait.
    #[error(
        "another Tickets window or program kept the database busy for too long, so this change was not saved; try again in a moment"
    )]
    Busy,
    /// A command that only reads was pointed at a file that is not there.
    #[error("there is no database at “{}”; nothing was created", .0.display())]
    Missing(PathBuf),
    /// A command that only reads was pointed at an empty file.
    #[error("“{}” is empty: it holds no tickets yet; nothing was written to it", .0.display())]
    Empty(PathBuf),
    /// A command that only reads was pointed at a database from an older
    /// Tickets, which it would have to upgrade (a write) to read.
    #[error(
        "“{}” was saved by an older version of Tickets (format {found}); open it once in the window, or with a command that changes it, to upgrade it, then try again. Nothing was changed",
        path.display()
    )]
    NeedsUpgrade {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// The folder for a new database does not exist.
    #[error("the folder “{}” does not exist", .0.display())]
    FolderMissing(PathBuf),
    /// No ticket has this number.
    #[error("{0} does not exist")]
    NoSuchTicket(TicketNumber),
    /// A person, tag, note or message looked up by id does not exist.
    #[error("that {what} no longer exists (id {id})")]
    NotFound {
        /// "agent", "customer", "tag", "note", "message".
        what: &'static str,
        /// The id asked for.
        id: i64,
    },
    /// The ticket changed since the agent loaded it; the edit was not applied.
    #[error(
        "{ticket} was changed by someone else since you opened it, so your change was not saved. The latest version is shown; apply your change again if it still applies"
    )]
    Conflict {
        /// The ticket.
        ticket: TicketNumber,
        /// Its version now.
        current_version: i64,
    },
    /// The note changed since the agent loaded it; the edit was not applied.
    #[error(
        "this note was changed by someone else since you opened it, so your edit was not saved"
    )]
    NoteConflict,
    /// The change is not allowed in the ticket's current state.
    #[error("{0}")]
    NotAllowed(String),
    /// A long operation was stopped on request; nothing was written.
    #[error("it was cancelled, and nothing was changed")]
    Cancelled,
    /// Input that breaks a rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The file could not be used the way the store needs.
    #[error("{0}")]
    Unsupported(String),
    /// A team's server refused a call, saying why.
    #[error("the team server {server} refused: {message}")]
    Server {
        /// `host/database`.
        server: String,
        /// What the server said.
        message: String,
    },
    /// A team's server asks for the login's password, and none was given
    /// (`refused`: the one given was wrong).
    #[error("{}", password_sentence(server, *refused))]
    PasswordNeeded {
        /// `host/database`.
        server: String,
        /// Whether a password was given and refused.
        refused: bool,
    },
    /// A team's server could not be reached (or the connection broke).
    #[error("the team server {server} could not be reached ({detail})")]
    ServerUnreachable {
        /// `host/database`.
        server: String,
        /// Why, as the client library says it.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("could not read or write the file: {0}")]
    Io(#[from] std::io::Error),
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
}

/// Every SQLite error the store meets becomes a `StoreError` here: damage,
/// a full disk and a read-only file get their own sentences.
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        // A value the file holds that Tickets cannot read as what it should be.
        if let rusqlite::Error::FromSqlConversionFailure(_, _, cause) = &error
            && let Some(unknown) = cause.downcast_ref::<super::sqlite::codec::UnknownCode>()
        {
            return StoreError::Damaged {
                path: PathBuf::new(),
                detail: unknown.to_string(),
            };
        }
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Damaged {
                path: PathBuf::new(),
                detail: format!("SQLite reports “{error}”"),
            },
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            // SQLite's own words ("database is locked") mean nothing to an agent.
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
                path: PathBuf::new(),
                reason: "the system does not let Tickets write to it".to_owned(),
            },
            _ => StoreError::Sqlite(error),
        }
    }
}

/// Names a file in a message: “path”, or "the database file" when the path is not known.
fn the_file(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        "the database file".to_owned()
    } else {
        format!("“{}”", path.display())
    }
}

impl StoreError {
    /// Classifies an error met while opening `path`.
    pub(crate) fn from_open(path: &Path, error: rusqlite::Error) -> StoreError {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotTickets {
                path: path.to_path_buf(),
                reason: "it is not a database file".to_owned(),
            },
            _ => StoreError::from(error).in_file(path),
        }
    }

    /// Names `file` in an error made without knowing which file it was about.
    pub(crate) fn in_file(self, file: &Path) -> StoreError {
        match self {
            StoreError::Damaged { path, detail } if path.as_os_str().is_empty() => {
                StoreError::Damaged {
                    path: file.to_path_buf(),
                    detail,
                }
            }
            StoreError::ReadOnly { path, reason } if path.as_os_str().is_empty() => {
                StoreError::ReadOnly {
                    path: file.to_path_buf(),
                    reason,
                }
            }
            other => other,
        }
    }
}

/// What [`StoreError::PasswordNeeded`] says.
fn password_sentence(server: &str, refused: bool) -> String {
    let file = super::server::password_file_name();
    if refused {
        format!(
            "the team server {server} refused the password for this login: type it again, or correct it in {file} (or the file PGPASSFILE names)"
        )
    } else {
        format!(
            "the team server {server} asks for a password, and none was given: type it, or put it in {file} (or the file PGPASSFILE names), or in PGPASSWORD, as for psql"
        )
    }
}
