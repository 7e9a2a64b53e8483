//! Long jobs in the background: exports, backups and sample data, each run
//! on a named thread of its own (the store's worker runs the sample data).
//!
//! One registry knows them all (Rerun's `BackgroundTasks` is the model):
//! each has a name, and a second job of a name already running is refused
//! with a sentence saying so; each reports progress the same way and can be
//! asked to stop; and the top bar is the one place they show, with Cancel.
//! A job reports how it ended exactly once, through the registry's channel
//! (a job whose thread dies says so as it is dropped).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use super::failure::Failure;

/// The kinds of job; one of each runs at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskName {
    /// Writing a report or tickets to a file.
    Export,
    /// Copying the database to a backup file.
    Backup,
    /// Filling an empty database with sample data.
    SampleData,
    /// One change to many tickets.
    Bulk,
    /// Importing a file (or its dry run).
    Import,
}

impl TaskName {
    /// The job in a sentence: "an export is running already".
    fn described(self) -> &'static str {
        match self {
            TaskName::Export => "an export",
            TaskName::Backup => "a backup",
            TaskName::SampleData => "sample data",
            TaskName::Bulk => "a change to many tickets",
            TaskName::Import => "an import",
        }
    }
}

/// How a job ended well.
#[derive(Debug)]
pub enum Done {
    /// A report was written to these files.
    Report(Vec<PathBuf>),
    /// This many tickets were written to the file.
    Tickets(u64, PathBuf),
    /// Everything, with this many tickets, was written to the file.
    Everything(u64, PathBuf),
    /// A backup was written to this file.
    Backup(PathBuf),
    /// The day's backup had been made already.
    BackupNotDue,
    /// This many sample tickets were loaded.
    Seeded(u64),
    /// A bulk run ended (cancelled or stopped by a failure included).
    Bulk(Box<BulkRun>),
    /// An import's dry run: what importing would do.
    ImportChecked(Box<crate::import::pipeline::ImportReport>),
    /// An import ended (a cancelled one included: its report says so).
    Imported(Box<crate::import::pipeline::ImportReport>),
    /// A Tickets export with this many tickets was read into a new
    /// database file, `into`.
    Restored {
        /// Its tickets.
        tickets: u64,
        /// The export.
        export: PathBuf,
        /// The new database.
        into: PathBuf,
    },
}

/// What a bulk run was and what it did.
#[derive(Debug)]
pub struct BulkRun {
    /// The change in words ("set status to Waiting").
    pub description: String,
    /// Whether it undid an earlier run.
    pub undoing: bool,
    /// Ticket by ticket.
    pub outcome: crate::domain::BulkOutcome,
    /// Why it stopped before the end, if the store failed.
    pub failed: Option<String>,
}

/// How a job ended.
pub type Outcome = Result<Done, Failure>;

/// A job's progress, shared between the job and the window.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    cancel: AtomicBool,
    /// What done and total count (a [`Counted`] as a number).
    counted: AtomicU8,
}

/// What a job's progress counts, which decides how it is worded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Counted {
    /// Things an agent knows (tickets): "2,048 of 20,000".
    Things = 0,
    /// Bytes of a file read (an import): "42% of 325.0 MB".
    Bytes = 1,
    /// Rows of many tables (a restore), of which only the share done
    /// means anything: "94%".
    Share = 2,
}

impl Counted {
    /// The kind stored as `n` (things, the default, for any other).
    fn of(n: u8) -> Counted {
        match n {
            1 => Counted::Bytes,
            2 => Counted::Share,
            _ => Counted::Things,
        }
    }
}

impl Progress {
    /// (done, total) so far; total is 0 until known.
    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Whether the window asked the job to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The words beside its bar: "Exporting tickets 2,048 of 20,000", for
    /// a file being read "Importing tickets 42% of 325.0 MB", or for a
    /// share alone "Restoring an export 94%".
    pub fn text(&self, what: &str) -> String {
        let (done, total) = self.get();
        if total == 0 {
            format!("{what}…")
        } else {
            let share = done as f64 * 100.0 / total as f64;
            match Counted::of(self.counted.load(Ordering::Relaxed)) {
                Counted::Share => format!("{what} {share:.0}%"),
                Counted::Bytes => {
                    format!("{what} {share:.0}% of {:.1} MB", total as f64 / 1e6)
                }
                Counted::Things => format!(
                    "{what} {} of {}",
                    crate::domain::thousands(done),
                    crate::domain::thousands(total)
                ),
            }
        }
    }
}

struct Finished {
    name: TaskName,
    outcome: Outcome,
}

/// The job's end of the registry: report progress, then how it ended.
pub struct TaskHandle {
    name: TaskName,
    progress: Arc<Progress>,
    finished: Option<Sender<Finished>>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for TaskHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskHandle")
            .field("name", &self.name)
            .finish()
    }
}

impl TaskHandle {
    /// Reports progress; says whether to carry on (false once cancelled).
    pub fn progress(&self, done: u64, total: u64) -> bool {
        self.progress.done.store(done, Ordering::Relaxed);
        self.progress.total.store(total, Ordering::Relaxed);
        (self.wake)();
        !self.progress.cancelled()
    }

    /// Reports progress through a file, in bytes; says whether to carry on.
    pub fn progress_bytes(&self, read: u64, total: u64) -> bool {
        self.progress
            .counted
            .store(Counted::Bytes as u8, Ordering::Relaxed);
        self.progress(read, total)
    }

    /// Reports progress as a share of the whole (rows of many tables);
    /// says whether to carry on.
    pub fn progress_share(&self, done: u64, total: u64) -> bool {
        self.progress
            .counted
            .store(Counted::Share as u8, Ordering::Relaxed);
        self.progress(done, total)
    }

    /// Whether the window asked the job to stop.
    pub fn cancelled(&self) -> bool {
        self.progress.cancelled()
    }

    /// Reports how the job ended.
    pub fn finish(mut self, outcome: Outcome) {
        if let Some(sender) = self.finished.take()
            && sender
                .send(Finished {
                    name: self.name,
                    outcome,
                })
                .is_ok()
        {
            (self.wake)();
        }
    }
}

impl Drop for TaskHandle {
    /// A job dropped without finishing (its thread panicked or could not
    /// start) still ends, so the window never waits on it.
    fn drop(&mut self) {
        if let Some(sender) = self.finished.take()
            && sender
                .send(Finished {
                    name: self.name,
                    outcome: Err(Failure::Stopped),
                })
                .is_ok()
        {
            (self.wake)();
        }
    }
}

struct Running {
    name: TaskName,
    /// What it does, for the top bar: "Exporting tickets".
    what: String,
    progress: Arc<Progress>,
    cancellable: bool,
}

/// Every job running, and the channel they end through.
pub struct BackgroundTasks {
    running: Vec<Running>,
    sender: Sender<Finished>,
    receiver: Receiver<Finished>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl BackgroundTasks {
    /// A registry whose jobs call `wake` (the window's repaint) as they go.
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> Self {
        let (sender, receiver) = channel();
        BackgroundTasks {
            running: Vec::new(),
            sender,
            receiver,
            wake: Arc::new(wake),
        }
    }

    /// Registers a job, or says why not (one of that name runs already).
    pub fn start(
        &mut self,
        name: TaskName,
        what: impl Into<String>,
        cancellable: bool,
    ) -> Result<TaskHandle, String> {
        if let Some(running) = self.running.iter().find(|r| r.name == name) {
            let mut refusal = format!(
                "{} is running already ({}); ",
                capitalised(name.described()),
                running.what.to_lowercase()
            );
            refusal.push_str(if running.cancellable {
                "wait for it to finish, or cancel it, and try again."
            } else {
                "try again when it has finished."
            });
            return Err(refusal);
        }
        let progress = Arc::new(Progress::default());
        self.running.push(Running {
            name,
            what: what.into(),
            progress: progress.clone(),
            cancellable,
        });
        Ok(TaskHandle {
            name,
            progress,
            finished: Some(self.sender.clone()),
            wake: self.wake.clone(),
        })
    }

    /// Whether a job of this name is running.
    pub fn is_running(&self, name: TaskName) -> bool {
        self.running.iter().any(|r| r.name == name)
    }

    /// The progress of the running job of this name.
    pub fn progress(&self, name: TaskName) -> Option<(u64, u64)> {
        self.running
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.progress.get())
    }

    /// The words beside the bar of the running job of this name.
    pub fn progress_text(&self, name: TaskName) -> Option<String> {
        self.running
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.progress.text(&r.what))
    }

    /// Asks the job of this name to stop.
    pub fn cancel(&self, name: TaskName) {
        for running in self.running.iter().filter(|r| r.name == name) {
            running.progress.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// The jobs that ended since last asked, each once.
    pub fn finished(&mut self) -> Vec<(TaskName, Outcome)> {
        let mut ended = Vec::new();
        for Finished { name, outcome } in self.receiver.try_iter() {
            if let Some(i) = self.running.iter().position(|r| r.name == name) {
                self.running.remove(i);
            }
            ended.push((name, outcome));
        }
        ended
    }

    /// Draws each running job: what it does, a progress bar and, if it can
    /// stop, Cancel. Returns the job whose Cancel was clicked.
    pub fn show(&self, ui: &mut egui::Ui) -> Option<TaskName> {
        let mut cancel = None;
        for running in &self.running {
            let (done, total) = running.progress.get();
            let text = running.progress.text(&running.what);
            let bar = if total > 0 {
                egui::ProgressBar::new(done as f32 / total as f32)
            } else {
                egui::ProgressBar::new(0.0).animate(true)
            };
            ui.add(bar.desired_width(220.0).text(text));
            if running.cancellable {
                let label = format!("Cancel {}", running.what.to_lowercase());
                let response = ui.button("Cancel").on_hover_text(&label);
                response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
                if response.clicked() {
                    cancel = Some(running.name);
                }
            }
        }
        if !self.running.is_empty() {
            // Progress moves without input: look again soon.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(200));
        }
        cancel
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().collect::<String>() + chars.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_job_of_a_name_is_refused_until_the_first_ends() {
        let mut tasks = BackgroundTasks::new(|| {});
        let export = tasks
            .start(TaskName::Export, "Exporting tickets", true)
            .unwrap();
        let refusal = tasks
            .start(TaskName::Export, "Exporting the report", true)
            .unwrap_err();
        assert_eq!(
            refusal,
            "An export is running already (exporting tickets); wait for it to finish, or cancel it, and try again."
        );
        // Another kind runs beside it.
        let backup = tasks.start(TaskName::Backup, "Backing up", false).unwrap();
        assert!(export.progress(5, 10));
        assert_eq!(tasks.progress(TaskName::Export), Some((5, 10)));
        tasks.cancel(TaskName::Export);
        assert!(!export.progress(6, 10), "the job hears it was cancelled");
        export.finish(Err(Failure::Cancelled));
        let ended = tasks.finished();
        assert_eq!(ended.len(), 1);
        assert!(matches!(
            ended[0],
            (TaskName::Export, Err(Failure::Cancelled))
        ));
        let _again = tasks.start(TaskName::Export, "Exporting", true).unwrap();
        // A job whose thread died ends all the same.
        drop(backup);
        assert!(matches!(
            tasks.finished()[..],
            [(TaskName::Backup, Err(Failure::Stopped))]
        ));
        assert!(!tasks.is_running(TaskName::Backup));
    }

    /// Progress `done` of `total`, of what is `counted`.
    fn at(done: u64, total: u64, counted: Counted) -> Progress {
        let p = Progress::default();
        p.done.store(done, Ordering::Relaxed);
        p.total.store(total, Ordering::Relaxed);
        p.counted.store(counted as u8, Ordering::Relaxed);
        p
    }

    #[test]
    fn a_file_read_is_told_in_megabytes_counted_things_as_counts_and_a_share_as_one() {
        assert_eq!(
            at(2048, 20_000, Counted::Things).text("Reading everything in"),
            "Reading everything in 2,048 of 20,000"
        );
        assert_eq!(
            at(130_000_000, 325_000_000, Counted::Bytes).text("Importing tickets"),
            "Importing tickets 40% of 325.0 MB"
        );
        assert_eq!(
            Progress::default().text("Importing tickets"),
            "Importing tickets…"
        );
        assert_eq!(
            at(53_248, 56_719, Counted::Share).text("Restoring an export"),
            "Restoring an export 94%"
        );
    }
}
