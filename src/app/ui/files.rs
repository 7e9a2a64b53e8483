//! The screens around the database file itself: why it cannot be opened
//! and the ways on, waiting for it, and choosing a backup to restore.

use std::path::PathBuf;

use egui::Ui;

use super::super::DialogOutcome;
use super::super::commands::{Action, UiCommand};
use super::widgets::busy;
use super::{Focus, TextBox};
use crate::store::{BackupFile, BackupKind, Location};

/// The Restore from backup dialog's state.
#[derive(Default)]
pub struct RestoreChooser {
    /// The backups beside the database, once listed, or why they could not be.
    pub found: Option<Result<Vec<BackupFile>, String>>,
    /// The file to restore.
    pub chosen: Option<PathBuf>,
    /// A path typed where the system has no file dialog.
    typed: Option<String>,
}

impl RestoreChooser {
    /// What the system's open dialog answered to "Choose a file…".
    pub fn dialog_answered(&mut self, outcome: DialogOutcome) {
        match outcome {
            DialogOutcome::Chosen(path) => self.chosen = Some(path),
            DialogOutcome::Cancelled => {}
            DialogOutcome::Unavailable => self.typed = Some(String::new()),
        }
    }
}

/// What the window shows when the database cannot be opened: why, and the
/// ways on.
pub fn failed_ui(ui: &mut Ui, message: &str, actions: &mut Vec<Action>) {
    ui.vertical_centered(|ui| {
        ui.set_max_width(620.0);
        ui.add_space((ui.available_height() / 6.0).min(120.0));
        ui.heading("This database cannot be opened");
        ui.add_space(4.0);
        ui.label(message);
        ui.add_space(12.0);
        ui.label(
            "You can open another database, put a backup of this one in its place, or start a new one:",
        );
        ui.add_space(6.0);
        for (label, command, hint) in [
            (
                "Open another database…",
                UiCommand::OpenDatabase,
                "Choose an existing Tickets file",
            ),
            (
                "Restore a backup…",
                UiCommand::RestoreBackup,
                "Put one of this database's backups in its place; the file as it is now is kept beside it",
            ),
            (
                "Start a new database…",
                UiCommand::NewDatabase,
                "Choose where to create an empty database",
            ),
        ] {
            if ui
                .add_sized([240.0, 28.0], egui::Button::new(label))
                .on_hover_text(hint)
                .clicked()
            {
                actions.push(Action::Command(command));
            }
        }
    });
}

/// The Restore from backup dialog; returns whether it stays open.
pub fn restore_ui(
    ui: &mut Ui,
    chooser: &mut RestoreChooser,
    database: &Location,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> bool {
    ui.heading("Restore from a backup");
    ui.label(format!(
        "Puts a backup in place of {}. The database as it is now is kept beside it, so nothing is lost.",
        database
    ));
    ui.add_space(6.0);
    match &chooser.found {
        None => busy(ui, "Looking for backups…"),
        Some(Err(message)) => {
            ui.label(format!("The backups could not be listed: {message}."));
        }
        Some(Ok(found)) if found.is_empty() => {
            ui.label("No backups were found beside it.");
        }
        Some(Ok(found)) => {
            ui.label("Backups found beside it, newest first:");
            egui::ScrollArea::vertical()
                .max_height(240.0)
                .show(ui, |ui| {
                    for backup in found {
                        let chosen = chooser.chosen.as_ref() == Some(&backup.path);
                        if ui
                            .selectable_label(chosen, backup_label(backup))
                            .on_hover_text(backup.path.display().to_string())
                            .clicked()
                        {
                            chooser.chosen = Some(backup.path.clone());
                        }
                    }
                });
        }
    }
    if let Some(chosen) = &chooser.chosen {
        ui.label(format!("To restore: {}", chosen.display()));
    }
    match &mut chooser.typed {
        Some(typed) => {
            ui.label(
                "No file dialog is available on this system (it needs a desktop portal or zenity), so type the backup's path:",
            );
            let label = ui.label("Backup file");
            let response = ui
                .add(
                    egui::TextEdit::singleline(typed)
                        .id(TextBox::Path.id())
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if response.changed() && !typed.trim().is_empty() {
                chooser.chosen = Some(PathBuf::from(typed.trim()));
            }
            focus.drawn(TextBox::Path, &response);
        }
        None => {
            if ui.button("Choose a file…").clicked() {
                actions.push(Action::ChooseBackupFile);
            }
        }
    }
    ui.separator();
    let mut keep = true;
    ui.horizontal(|ui| {
        let restore = ui.add_enabled(chooser.chosen.is_some(), egui::Button::new("Restore"));
        if restore.clicked()
            && let Some(chosen) = chooser.chosen.take()
        {
            actions.push(Action::Restore(chosen));
            keep = false;
        }
        if ui.button("Cancel").clicked() {
            keep = false;
        }
    });
    keep
}

/// A backup as the restore dialog lists it: "Tue 24 Nov 2026, 15:00:00 · 48 KB".
pub fn backup_label(backup: &BackupFile) -> String {
    let when = backup
        .made
        .with_timezone(&chrono::Local)
        .format("%a %-d %b %Y, %H:%M:%S");
    let size = match backup.bytes {
        n if n < 1 << 20 => format!("{} KB", n.div_ceil(1 << 10)),
        n if n < 1 << 30 => format!("{:.1} MB", n as f64 / f64::from(1 << 20)),
        n => format!("{:.1} GB", n as f64 / f64::from(1 << 30)),
    };
    match backup.kind {
        BackupKind::Backup => format!("{when} · {size}"),
        BackupKind::BeforeRestore => format!("{when} · {size} · replaced by a restore"),
    }
}
