//! File → Import… does its reading and writing on a named thread of its
//! own ("tickets-import"), with its own store connection, so the window
//! never waits on the file or the database:
//!
//! - quick reads (the saved mappings' names, a preview of the file's first
//!   rows, saving a mapping) answer the dialog through a channel of its own;
//! - a dry run, the import itself and reading a Tickets export in are
//!   background jobs ([`TaskName::Import`]) with progress and Cancel in the
//!   top bar, ending through the task registry like exports do.

use std::path::{Path, PathBuf};
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
    /// A new database file to restore it into: beside it, named after it,
    /// where no file is yet.
    pub suggested: PathBuf,
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
    library: Option<MappingLibrary>,
    ask: Ask,
    answer: Sender<Answer>,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("tickets-import".to_owned())
        .spawn(move || {
            let reply = answer_of(&db, library.as_ref(), ask);
            // The dialog closed meanwhile: nobody waits for the answer.
            if answer.send(reply).is_ok() {
                wake();
            }
        })
        .map(|_| ())
}

const NO_LIBRARY: &str = "this system has no configuration folder for saved mappings";

fn answer_of(db: &Location, library: Option<&MappingLibrary>, ask: Ask) -> Answer {
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
                    Some(export_found(db, &path)?)
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
fn export_found(db: &Location, path: &Path) -> Result<ExportFound, String> {
    let everything = EverythingFile::open(path).map_err(|e| e.to_string())?;
    Ok(ExportFound {
        tickets: everything.tickets(),
        server: matches!(db, Location::Server(_)),
        suggested: free_name_beside(path),
    })
}

/// A database file's name beside `export`, after it ("everything.jsonl" →
/// "everything.db", else "everything 2.db" and on), where no file is yet.
fn free_name_beside(export: &Path) -> PathBuf {
    let stem = export
        .file_stem()
        .map_or_else(|| "tickets".into(), |s| s.to_string_lossy());
    let dir = export.parent().unwrap_or(Path::new(""));
    (1..1000)
        .map(|n| match n {
            1 => dir.join(format!("{stem}.db")),
            n => dir.join(format!("{stem} {n}.db")),
        })
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.db")))
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
    /// Reads the Tickets export `export` into a new database file, `into`
    /// (never over a file there), which the window then opens.
    Restore {
        /// The export.
        export: PathBuf,
        /// The new database.
        into: PathBuf,
    },
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
            let outcome = match job {
                Job::Restore { export, into } => restore_new(&export, &into, clock, &task),
                job => Store::open_at(&db, clock)
                    .map_err(Failure::from)
                    .and_then(|mut store| run(&mut store, job, &task)),
            };
            task.finish(outcome);
        })
        .map(|_| ())
}

/// Runs `job` on `store`, telling `task` how far it is and stopping when
/// it is cancelled.
fn run(store: &mut Store, job: Job, task: &TaskHandle) -> Result<Done, Failure> {
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
        Job::Restore { .. } => {
            unreachable!("a restore makes its own store: spawn runs restore_new")
        }
    }
}

/// Reads `everything` into `store` (empty), telling `task` how far it is.
fn restore_into(
    store: &mut Store,
    everything: &EverythingFile,
    task: &TaskHandle,
) -> Result<(), Failure> {
    store
        .restore(everything, &mut |done, total| {
            task.progress_share(done, total)
        })
        .map_err(|e| match e {
            StoreError::Cancelled => Failure::Cancelled,
            other => Failure::Store(other),
        })
        .map(drop)
}

/// Restores the Tickets export at `export` into a new database file at
/// `into`. Nothing is written over a file already there, and a restore
/// that fails or is cancelled takes the file it made away again.
fn restore_new(
    export: &Path,
    into: &Path,
    clock: Arc<dyn Clock>,
    task: &TaskHandle,
) -> Result<Done, Failure> {
    if into.exists() {
        return Err(Failure::Import(format!(
            "“{}” already exists, and Tickets never writes over a file; choose a new name",
            into.display()
        )));
    }
    // Checked whole before any file is made.
    let everything = EverythingFile::open(export)?;
    let restored = Store::open_at(&Location::File(into.to_path_buf()), clock)
        .map_err(Failure::from)
        .and_then(|mut store| restore_into(&mut store, &everything, task));
    if let Err(failure) = restored {
        // Closed (the store dropped) by now: the file and its companions go.
        for companion in ["", "-wal", "-shm", "-journal"] {
            let mut name = into.as_os_str().to_owned();
            name.push(companion);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
        return Err(failure);
    }
    Ok(Done::Restored {
        tickets: everything.tickets(),
        export: export.to_path_buf(),
        into: into.to_path_buf(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::tasks::{BackgroundTasks, TaskName};
    use crate::clock::FixedClock;

    fn clock() -> Arc<dyn Clock> {
        Arc::new(FixedClock::new(
            chrono::DateTime::parse_from_rfc3339("2026-03-04T10:00:00Z")
                .unwrap()
                .into(),
        ))
    }

    /// An export of a database with one agent in it, at `dir/everything.jsonl`.
    fn an_export(dir: &Path) -> PathBuf {
        let source = Location::File(dir.join("source.db"));
        let mut store = Store::open_at(&source, clock()).unwrap();
        store.add_agent("Dana", "dana@example.com").unwrap();
        let export = dir.join("everything.jsonl");
        crate::export::everything::export_everything(&store, &export, &mut |_, _| true).unwrap();
        export
    }

    #[test]
    fn a_restore_that_fails_takes_away_the_file_it_made() {
        let dir = tempfile::tempdir().unwrap();
        let export = an_export(dir.path());
        // Edited by hand: the checksum, read at the end, no longer holds.
        let text = std::fs::read_to_string(&export).unwrap();
        assert!(text.contains("\"Dana\""));
        std::fs::write(&export, text.replace("\"Dana\"", "\"Dina\"")).unwrap();
        let into = dir.path().join("new.db");
        let mut tasks = BackgroundTasks::new(|| {});
        let task = tasks.start(TaskName::Import, "Restoring", true).unwrap();
        let outcome = restore_new(&export, &into, clock(), &task);
        assert!(matches!(outcome, Err(Failure::Store(_))), "{outcome:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("new.db"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_restore_makes_the_new_file_and_never_writes_over_one() {
        let dir = tempfile::tempdir().unwrap();
        let export = an_export(dir.path());
        let mut tasks = BackgroundTasks::new(|| {});
        let task = tasks.start(TaskName::Import, "Restoring", true).unwrap();
        let taken = dir.path().join("taken.db");
        std::fs::write(&taken, "notes").unwrap();
        let refused = restore_new(&export, &taken, clock(), &task);
        assert!(
            matches!(&refused, Err(Failure::Import(why)) if why.contains("never writes over a file")),
            "{refused:?}"
        );
        assert_eq!(std::fs::read_to_string(&taken).unwrap(), "notes");
        let into = dir.path().join("new.db");
        let done = restore_new(&export, &into, clock(), &task).unwrap();
        assert!(
            matches!(done, Done::Restored { tickets: 0, .. }),
            "{done:?}"
        );
        let restored = Store::open_at(&Location::File(into), clock()).unwrap();
        let names: Vec<String> = restored
            .agents()
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["Dana"]);
        assert_eq!(free_name_beside(&export), dir.path().join("everything.db"));
        std::fs::write(dir.path().join("everything.db"), "").unwrap();
        assert_eq!(
            free_name_beside(&export),
            dir.path().join("everything 2.db")
        );
    }
}
