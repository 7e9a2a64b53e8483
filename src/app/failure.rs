//! Why something the window asked for did not happen, as it crosses from a
//! background thread to the window: typed, so the window decides once how
//! each is shown, and so a cancelled job is not taken for a failed one.

use crate::analytics::PeriodError;
use crate::export::ExportError;
use crate::store::StoreError;

/// Why something the window asked for did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The period asked for does not exist.
    #[error(transparent)]
    Period(#[from] PeriodError),
    /// An export failed (and left nothing behind).
    #[error(transparent)]
    Export(ExportError),
    /// An import could not read its file, or the store refused it (what
    /// it wrote before stays, and importing the file again resumes).
    #[error("{0}")]
    Import(String),
    /// A background thread could not be started.
    #[error("a background thread could not be started: {0}")]
    Thread(std::io::Error),
    /// The job was cancelled on request: not an error to show as one.
    #[error("cancelled")]
    Cancelled,
    /// The job's thread stopped without saying how it ended.
    #[error("it stopped unexpectedly")]
    Stopped,
}

impl From<ExportError> for Failure {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Cancelled => Failure::Cancelled,
            other => Failure::Export(other),
        }
    }
}

impl Failure {
    /// The store's refusal as it came, if it is one.
    pub fn store(&self) -> Option<&StoreError> {
        match self {
            Failure::Store(e) => Some(e),
            _ => None,
        }
    }
}
