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
    #[error("“{}” is damaged and cannot be read ({detail}); it was left untouched", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// SQLite's description.
        detail: String,
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
    /// Input that breaks a rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The file could not be used the way the store needs.
    #[error("{0}")]
    Unsupported(String),
    /// Reading or writing a file failed.
    #[error("could not read or write the file: {0}")]
    Io(#[from] std::io::Error),
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Classifies an error met while opening `path`.
    pub(crate) fn from_open(path: &Path, error: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::NotTickets {
                path: path.to_path_buf(),
                reason: "it is not a database file".to_owned(),
            },
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
                path: path.to_path_buf(),
                detail: error.to_string(),
            },
            _ => StoreError::Sqlite(error),
        }
    }
}
