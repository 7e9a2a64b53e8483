//! File → Import… does its reading and writing on a named thread of its
//! own ("tickets-import"), with its own store connection, so the window
//! never waits on the file or the database:
//!
//! - quick reads (the saved mappings' names, a preview of the file's first
//!   rows, saving a mapping) answer the dialog through a channel of its own;
//! - a dry run, the import itself and reading a Tickets export in are
//!   background jobs ([`TaskName::Import`]) with progress and Cancel in the
//!   top bar, ending through the task registry like exports do.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::failure::Failure;
use super::tasks::{Done, TaskHandle};
use crate::clock::Clock;
use crate::domain::AgentId;
use crate::export::everything::EverythingFile;
use crate::import::pipeline::{Heed, ImportReport, import_file};
use crate::import::{Format, ImportOptions, Mapping, MappingLibrary, Preview, RowProblem, Source};
use crate::store::{Location, Store, StoreError};

/// How many of the file's first rows the preview reads.
pub const PREVIEW_ROWS: usize = 20;

/// A quick read the dialog waits for.
#[derive(Debug)]
pub enum Ask {
    /// The saved mappings' names.
    SavedMappings,
    /// The file's format, encoding, columns and first rows, read with
    /// `options`; `saved` names a saved mapping to read it through.
    Preview {
        /// The file.
        path: PathBuf,
        /// The encoding, format and (edited) mapping chosen.
        options: ImportOptions,
        /// A saved mapping to load first (when no edited one is given).
        saved: Option<String>,
    },
    /// Saves `mapping` under its name.
    SaveMapping(Mapping),
}

/// A Tickets export, as the preview found it.
#[derive(Clone, Debug)]
pub struct ExportFound {
    /// How many tickets it holds.
    pub tickets: u64,
    /// Whether the window's database is a team server (read in by its owner).
    pub server: bool,
    /// Whether the window's database holds nothing yet (it can be read in).
    pub empty: bool,
}

/// What the preview read.
#[derive(Clone, Debug)]
pub struct Previewed {
    /// The file read.
    pub path: PathBuf,
    /// Its start.
    pub preview: Preview,
    /// For a Tickets export, what it holds and whether it can be read in.
    pub export: Option<ExportFound>,
}

/// The answer to an [`Ask`].
#[derive(Debug)]
pub enum Answer {
    /// The saved mappings' names (or why they could not be listed).
    SavedMappings(Result<Vec<String>, String>),
    /// The preview, or why the file cannot be read.
    Previewed(Result<Box<Previewed>, String>),
    /// The mapping was saved under this name, or why not.
    MappingSaved(Result<String, String>),
}

/// Answers `ask` on the import thread, then calls `wake`.
pub fn ask(
    db: Location,
    clock: Arc<dyn Clock>,
    library: Option<MappingLibrary>,
    ask: Ask,
    answer: Sender<Answer>,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("tickets-import".to_owned())
        .spawn(move || {
            let reply = answer_of(&db, clock, library.as_ref(), ask);
            // The dialog closed meanwhile: nobody waits for the answer.
            if answer.send(reply).is_ok() {
                wake();
            }
        })
        .map(|_| ())
}

const NO_LIBRARY: &str = "this system has no configuration folder for saved mappings";

fn answer_of(
    db: &Location,
    clock: Arc<dyn Clock>,
    library: Option<&MappingLibrary>,
    ask: Ask,
) -> Answer {
    match ask {
        Ask::SavedMappings => Answer::SavedMappings(match library {
            Some(library) => library.list().map_err(|e| e.to_string()),
            None => Ok(Vec::new()),
        }),
        Ask::Preview {
            path,
            mut options,
            saved,
        } => {
            let previewed = (|| {
                if let (None, Some(name)) = (&options.mapping, &saved) {
                    let library = library.ok_or(NO_LIBRARY)?;
                    options.mapping = Some(library.load(name).map_err(|e| e.to_string())?);
                }
                let source = Source::open(&path, &options).map_err(|e| e.to_string())?;
                let format = source.format();
                let preview = source.preview(PREVIEW_ROWS).map_err(|e| e.to_string())?;
                let export = if format == Format::TicketsExport {
                    Some(export_found(db, clock, &path)?)
                } else {
                    None
                };
                Ok::<_, String>(Box::new(Previewed {
                    path,
                    preview,
                    export,
                }))
            })();
            Answer::Previewed(previewed)
        }
        Ask::SaveMapping(mapping) => Answer::MappingSaved(match library {
            Some(library) => library
                .save(&mapping)
                .map(|()| mapping.name.clone())
                .map_err(|e| e.to_string()),
            None => Err(NO_LIBRARY.to_owned()),
        }),
    }
}

/// What a Tickets export holds, and whether the database can take it.
fn export_found(
    db: &Location,
    clock: Arc<dyn Clock>,
    path: &std::path::Path,
) -> Result<ExportFound, String> {
    let everything = EverythingFile::open(path).map_err(|e| e.to_string())?;
    let server = matches!(db, Location::Server(_));
    let empty = if server {
        false
    } else {
        let store = Store::open_at(db, clock).map_err(|e| e.to_string())?;
        store
            .transfer_counts()
            .map_err(|e| e.to_string())?
            .iter()
            .all(|n| *n == 0)
    };
    Ok(ExportFound {
        tickets: everything.tickets(),
        server,
        empty,
    })
}

/// A long import job.
#[derive(Debug)]
pub enum Job {
    /// Works out what importing would do, writing nothing.
    DryRun {
        /// The file.
        path: PathBuf,
        /// Its encoding, format and mapping.
        options: ImportOptions,
    },
    /// Imports, as `actor`.
    Import {
        /// The file.
        path: PathBuf,
        /// Its encoding, format and mapping.
        options: ImportOptions,
        /// Who imports (on a team server, the admin signed in).
        actor: AgentId,
    },
    /// Reads a Tickets export into the (empty) database.
    Restore(PathBuf),
}

/// Runs `job` on the import thread against the store at `db`; the task
/// hears of progress and how it ended.
pub fn spawn(
    db: Location,
    clock: Arc<dyn Clock>,
    job: Job,
    task: TaskHandle,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("tickets-import".to_owned())
        .spawn(move || {
            let outcome = Store::open_at(&db, clock)
                .map_err(Failure::from)
                .and_then(|mut store| run(&mut store, job, &task));
            task.finish(outcome);
        })
        .map(|_| ())
}

/// Runs `job` on `store`, telling `task` how far it is and stopping when
/// it is cancelled.
pub fn run(store: &mut Store, job: Job, task: &TaskHandle) -> Result<Done, Failure> {
    let mut heed = TaskHeed(task);
    match job {
        Job::DryRun { path, options } => {
            // Nobody is written: any id will do for planning.
            let report = import_file(store, AgentId(0), &path, &options, true, &mut heed)
                .map_err(|e| Failure::Import(e.to_string()))?;
            if report.cancelled {
                return Err(Failure::Cancelled);
            }
            Ok(Done::ImportChecked(Box::new(report)))
        }
        Job::Import {
            path,
            options,
            actor,
        } => {
            let report: ImportReport = import_file(store, actor, &path, &options, false, &mut heed)
                .map_err(|e| Failure::Import(e.to_string()))?;
            Ok(Done::Imported(Box::new(report)))
        }
        Job::Restore(path) => {
            let everything = EverythingFile::open(&path)?;
            store
                .restore(&everything, &mut |done, total| task.progress(done, total))
                .map_err(|e| match e {
                    StoreError::Cancelled => Failure::Cancelled,
                    other => Failure::Store(other),
                })?;
            Ok(Done::Restored(everything.tickets(), path))
        }
    }
}

/// The pipeline's progress told to the task (bytes read of the file's).
struct TaskHeed<'a>(&'a TaskHandle);

impl Heed for TaskHeed<'_> {
    fn progress(&mut self, read: u64, total: Option<u64>) -> bool {
        self.0.progress_bytes(read, total.unwrap_or(0))
    }

    fn problem(&mut self, _problem: &RowProblem) {
        // The report keeps them: the dialog lists them when the run ends.
    }
}
