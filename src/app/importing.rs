//! File → Import… in the window: the dialog's steps become quick reads or
//! jobs on the import thread (`importer.rs`), and their answers become the
//! dialog's state, a notification and a fresh list.

use std::path::PathBuf;

use super::commands::ImportStep;
use super::failure::Failure;
use super::importer::{self, Ask, Job};
use super::receive::EVERYTHING;
use super::tasks::TaskName;
use super::ui::import::ImportDialog;
use super::ui::widgets::ToastKind;
use super::ui::{Modal, TextBox};
use super::{DialogOutcome, OpenKind, TicketsApp};
use crate::import::pipeline::ImportReport;
use crate::import::{ImportOptions, MappingLibrary};

impl TicketsApp {
    /// File → Import…: the dialog as it was last closed (or new), with the
    /// saved mappings listed afresh.
    pub(super) fn open_import(&mut self, ctx: &egui::Context) {
        if matches!(self.modal, Some(Modal::Import(_))) {
            return;
        }
        let mut dialog = self.import_draft.take().unwrap_or_default();
        if !self.tasks.is_running(TaskName::Import) {
            dialog.running = None;
        }
        // A read still under way (closed while "Reading the file…") keeps
        // its answer coming; the saved mappings are listed afresh otherwise.
        if dialog.answers.is_none() {
            self.ask_import(ctx, &mut dialog, Ask::SavedMappings, None);
        }
        self.modal = Some(Modal::Import(dialog));
        self.focus.request(TextBox::Path);
    }

    /// A step of the import dialog.
    pub(super) fn import_step(&mut self, ctx: &egui::Context, step: ImportStep) {
        let Some(Modal::Import(mut dialog)) = self.modal.take() else {
            return;
        };
        match step {
            ImportStep::ChooseFile => {
                let typed = PathBuf::from(dialog.path.trim());
                let folder = typed
                    .parent()
                    .map(PathBuf::from)
                    .or_else(|| self.location.folder());
                let outcome = (self.open_dialog)(OpenKind::Import, folder.as_deref());
                if outcome == DialogOutcome::Unavailable {
                    self.focus.request(TextBox::Path);
                }
                let chosen = matches!(outcome, DialogOutcome::Chosen(_));
                dialog.dialog_answered(outcome);
                if chosen {
                    self.preview_import(ctx, &mut dialog);
                }
            }
            ImportStep::Preview => self.preview_import(ctx, &mut dialog),
            ImportStep::Remap => {
                if let Some(previewed) = &dialog.previewed {
                    let ask = Ask::Preview {
                        path: previewed.path.clone(),
                        options: ImportOptions {
                            encoding: Some(previewed.preview.encoding),
                            format: Some(previewed.preview.format),
                            mapping: dialog.mapping.clone(),
                        },
                        saved: None,
                    };
                    self.ask_import(ctx, &mut dialog, ask, Some("Reading the rows again…"));
                }
            }
            ImportStep::SaveMapping => {
                if let Some(mapping) = &dialog.mapping {
                    match MappingLibrary::check_name(&dialog.save_name) {
                        Ok(name) => {
                            let mut mapping = mapping.clone();
                            mapping.name = name.to_owned();
                            self.ask_import(
                                ctx,
                                &mut dialog,
                                Ask::SaveMapping(mapping),
                                Some("Saving the mapping…"),
                            );
                        }
                        Err(why) => dialog.saved_note = Some(Err(why.to_string())),
                    }
                }
            }
            ImportStep::DryRun => {
                if let Some((path, options)) = chosen_import(&dialog) {
                    self.start_import_job(
                        &mut dialog,
                        step,
                        "Checking the import (dry run)",
                        Job::DryRun { path, options },
                    );
                }
            }
            ImportStep::Import => match (self.actor(), chosen_import(&dialog)) {
                (None, _) => {
                    dialog.error = Some(
                        "Say who you are first (File → Switch agent…): each imported ticket's history records who imported it."
                            .to_owned(),
                    );
                }
                (Some(actor), Some((path, options))) => {
                    self.start_import_job(
                        &mut dialog,
                        step,
                        "Importing tickets",
                        Job::Import {
                            path,
                            options,
                            actor,
                        },
                    );
                }
                (Some(_), None) => {}
            },
            ImportStep::Restore => {
                let into = dialog.restore_into.trim();
                if into.is_empty() {
                    dialog.error = Some(
                        "Say where the new database goes: type a file's path, such as tickets.db."
                            .to_owned(),
                    );
                } else if let Some(previewed) = &dialog.previewed {
                    let job = Job::Restore {
                        export: previewed.path.clone(),
                        into: PathBuf::from(into),
                    };
                    self.start_import_job(&mut dialog, step, "Restoring an export", job);
                }
            }
            ImportStep::Cancel => self.tasks.cancel(TaskName::Import),
        }
        self.modal = Some(Modal::Import(dialog));
    }

    /// Preview: reads the file's start through the choices made (the
    /// mapping as the format or the saved one has it).
    fn preview_import(&mut self, ctx: &egui::Context, dialog: &mut ImportDialog) {
        let typed = dialog.path.trim();
        if typed.is_empty() {
            dialog.error = Some("Say which file to import: type its path, or Choose….".to_owned());
            return;
        }
        let ask = Ask::Preview {
            path: PathBuf::from(typed),
            options: ImportOptions {
                encoding: dialog.encoding,
                format: dialog.format,
                mapping: None,
            },
            saved: dialog.saved_choice.clone(),
        };
        dialog.report = None;
        dialog.saved_note = None;
        self.ask_import(ctx, dialog, ask, Some("Reading the file…"));
    }

    /// Asks the import thread a quick question; the answer comes to the dialog.
    fn ask_import(
        &self,
        ctx: &egui::Context,
        dialog: &mut ImportDialog,
        ask: Ask,
        waiting: Option<&'static str>,
    ) {
        let (sender, receiver) = std::sync::mpsc::channel();
        let repaint = ctx.clone();
        match importer::ask(
            self.location.clone(),
            self.mapping_library.clone(),
            ask,
            sender,
            move || repaint.request_repaint(),
        ) {
            Ok(()) => {
                dialog.answers = Some(receiver);
                dialog.waiting = waiting;
            }
            Err(e) => dialog.error = Some(Failure::Thread(e).to_string()),
        }
    }

    /// Starts a dry run, the import or reading an export in, as the one
    /// import job (a second is refused, saying why).
    fn start_import_job(
        &mut self,
        dialog: &mut ImportDialog,
        step: ImportStep,
        what: &str,
        job: Job,
    ) {
        match self.tasks.start(TaskName::Import, what, true) {
            Ok(task) => {
                dialog.running = Some(step);
                dialog.error = None;
                if let Err(e) =
                    importer::spawn(self.location.clone(), self.clock.clone(), job, task)
                {
                    // The job, dropped unstarted, ends as stopped; say why here.
                    eprintln!("tickets: the import thread could not be started: {e}");
                }
            }
            Err(refusal) => dialog.error = Some(refusal),
        }
    }

    /// A dry run ended: the dialog shows what importing would do.
    pub(super) fn import_checked(&mut self, mut report: Box<ImportReport>) {
        // Rows the store refused are found after those the reading skipped:
        // listed by line, as the file has them.
        report.problems.sort_by_key(|p| p.line);
        match &mut self.modal {
            Some(Modal::Import(dialog)) => {
                dialog.running = None;
                dialog.report = Some(report);
            }
            _ => {
                let summary = report.summary();
                if let Some(draft) = &mut self.import_draft {
                    draft.running = None;
                    draft.report = Some(report);
                }
                self.toasts.add(ToastKind::Info, summary);
            }
        }
    }

    /// An import ended (or was cancelled): the dialog closes and the list,
    /// the counts and the people are read again.
    pub(super) fn imported(&mut self, report: &ImportReport) {
        if report.cancelled {
            if let Some(Modal::Import(dialog)) = &mut self.modal {
                dialog.running = None;
            }
        } else {
            if matches!(self.modal, Some(Modal::Import(_))) {
                self.modal = None;
            }
            self.import_draft = None;
        }
        self.list.restart();
        self.data_changed(EVERYTHING);
    }

    /// A Tickets export was restored into `into`: the dialog's work is
    /// done, and that database opens next frame (which asks for all of it;
    /// the one on show is not asked again as it is left).
    pub(super) fn restored_into(&mut self, into: PathBuf) {
        if matches!(self.modal, Some(Modal::Import(_))) {
            self.modal = None;
        }
        self.import_draft = None;
        self.open_next = Some(into);
    }

    /// An import job failed or was cancelled: the dialog, if on show, says
    /// so with everything chosen kept; otherwise a notification does.
    pub(super) fn import_failed(&mut self, failure: Failure) -> Option<(ToastKind, String)> {
        let dialog = match &mut self.modal {
            Some(Modal::Import(dialog)) => Some(dialog),
            _ => self.import_draft.as_mut(),
        };
        let step = dialog.as_ref().and_then(|d| d.running);
        let (kind, message) = match (&failure, step) {
            (Failure::Cancelled, Some(ImportStep::Restore)) => (
                ToastKind::Info,
                "Restoring the export was cancelled; no new database was made.".to_owned(),
            ),
            (Failure::Cancelled, _) => (
                ToastKind::Info,
                "The dry run was cancelled; nothing was written.".to_owned(),
            ),
            (_, Some(ImportStep::Import)) => (
                ToastKind::Error,
                format!(
                    "The import stopped: {failure}. What it wrote before stays; importing the same file again resumes."
                ),
            ),
            (_, Some(ImportStep::Restore)) => (
                ToastKind::Error,
                format!("The export was not restored: {failure}. No new database was made."),
            ),
            _ => (ToastKind::Error, format!("The dry run stopped: {failure}.")),
        };
        if step == Some(ImportStep::Import) {
            // Batches written before the failure show.
            self.list.restart();
            self.data_changed(EVERYTHING);
        }
        match &mut self.modal {
            Some(Modal::Import(dialog)) => {
                dialog.running = None;
                dialog.error = Some(message);
                None
            }
            _ => {
                if let Some(draft) = &mut self.import_draft {
                    draft.running = None;
                }
                Some((kind, message))
            }
        }
    }
}

/// The file and options of the preview on show, for a dry run or the
/// import: the encoding and format it found and the mapping as edited.
fn chosen_import(dialog: &ImportDialog) -> Option<(PathBuf, ImportOptions)> {
    let previewed = dialog.previewed.as_ref()?;
    Some((
        previewed.path.clone(),
        ImportOptions {
            encoding: Some(previewed.preview.encoding),
            format: Some(previewed.preview.format),
            mapping: dialog.mapping.clone(),
        },
    ))
}
