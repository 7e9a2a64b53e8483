//! File → Import…: choose a file, see how it reads (format, encoding, each
//! column's field, how statuses and priorities map, the first rows), save
//! the mapping, run a dry run (the counts and every skipped row by line),
//! then import. The dialog only draws and asks: every read and write runs
//! on the import thread (`app/importer.rs`).

use std::collections::BTreeMap;
use std::sync::mpsc::Receiver;

use egui::{RichText, Ui};

use super::super::commands::{Action, ImportStep};
use super::super::importer::{Answer, Previewed};
use super::widgets::{count_of, field_error, thousands};
use super::{Focus, TextBox};
use crate::domain::{Priority, Status};
use crate::import::mapping::normalise;
use crate::import::pipeline::ImportReport;
use crate::import::{ColumnRule, Field, Format, Mapping, TextEncoding};

/// The import dialog's state.
#[derive(Default)]
pub struct ImportDialog {
    /// The file, as typed or chosen.
    pub path: String,
    /// The encoding chosen (None: worked out from the file).
    pub encoding: Option<TextEncoding>,
    /// The format chosen (None: recognised from the file).
    pub format: Option<Format>,
    /// A saved mapping chosen by name (None: the format's built-in one).
    pub saved_choice: Option<String>,
    /// The saved mappings' names, once listed.
    pub saved: Vec<String>,
    /// The mapping as shown and edited, once a preview read one.
    pub mapping: Option<Mapping>,
    /// What the last preview read.
    pub previewed: Option<Box<Previewed>>,
    /// What the last dry run found (for the mapping on show).
    pub report: Option<Box<ImportReport>>,
    /// The name to save the mapping as.
    pub save_name: String,
    /// What saving the mapping did.
    pub saved_note: Option<Result<String, String>>,
    /// What the system's file dialog did, when it was asked.
    pub note: Option<String>,
    /// Why the last step was refused or failed.
    pub error: Option<String>,
    /// What the dialog waits for, in words ("Reading the file…").
    pub waiting: Option<&'static str>,
    /// The import thread's answer to the quick read under way.
    pub answers: Option<Receiver<Answer>>,
    /// The job this dialog started, while it runs: a dry run, the import
    /// or reading an export in.
    pub running: Option<ImportStep>,
    /// The new database file a Tickets export is restored into, as typed.
    pub restore_into: String,
}

impl ImportDialog {
    /// Takes the import thread's answer, if it came.
    pub fn poll(&mut self) {
        let Some(answer) = self.answers.as_ref().and_then(|a| a.try_recv().ok()) else {
            return;
        };
        self.answers = None;
        self.waiting = None;
        match answer {
            Answer::SavedMappings(Ok(names)) => self.saved = names,
            Answer::SavedMappings(Err(why)) => {
                self.error = Some(format!("The saved mappings could not be listed: {why}"));
            }
            Answer::Previewed(Ok(previewed)) => {
                self.error = None;
                if let Some(export) = &previewed.export {
                    self.restore_into = export.suggested.display().to_string();
                }
                self.mapping = Some(previewed.preview.mapping.clone());
                self.previewed = Some(previewed);
            }
            Answer::Previewed(Err(why)) => {
                self.error = Some(why);
                self.previewed = None;
                self.report = None;
            }
            Answer::MappingSaved(result) => {
                if let Ok(name) = &result
                    && !self.saved.contains(name)
                {
                    self.saved.push(name.clone());
                    self.saved.sort_by_key(|n| n.to_lowercase());
                }
                self.saved_note = Some(result);
            }
        }
    }

    /// What the system's open dialog answered.
    pub fn dialog_answered(&mut self, outcome: super::super::DialogOutcome) {
        use super::super::DialogOutcome;
        self.note = match outcome {
            DialogOutcome::Chosen(path) => {
                self.path = path.display().to_string();
                self.forget_preview();
                None
            }
            DialogOutcome::Cancelled => None,
            DialogOutcome::Unavailable => Some(
                "No file dialog is available on this system (it needs a desktop portal or zenity), so type the file's path in the field above."
                    .to_owned(),
            ),
        };
    }

    /// The file, encoding, format or mapping chosen changed: what was read
    /// through the old choice no longer holds.
    fn forget_preview(&mut self) {
        self.previewed = None;
        self.mapping = None;
        self.report = None;
        self.error = None;
    }
}

/// What the dialog is told of the window: the import job's progress, if one runs.
pub struct Shown {
    /// (done, total) of the import job running, if any.
    pub progress: Option<(u64, u64)>,
    /// The words beside its bar.
    pub progress_text: Option<String>,
}

/// Draws the dialog; its steps go out as actions.
pub fn import_ui(
    ui: &mut Ui,
    dialog: &mut ImportDialog,
    shown: &Shown,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    ui.heading("Import tickets");
    ui.add(
        egui::Label::new(
            "Reads another help desk's export (Zendesk, Freshdesk, osTicket, Help Scout), any CSV with a header row, or a whole Tickets export. Nothing is written until Import, after a dry run has said what it will do.",
        )
        .wrap(),
    );
    ui.add_space(6.0);
    let entered = choose_ui(ui, dialog, focus, actions);
    if let Some(waiting) = dialog.waiting {
        super::widgets::busy(ui, waiting);
    }
    field_error(ui, dialog.error.as_deref());
    if dialog.running.is_some()
        && let Some((done, total)) = shown.progress
    {
        ui.horizontal(|ui| {
            let bar = if total > 0 {
                egui::ProgressBar::new(done as f32 / total as f32)
                    .text(shown.progress_text.clone().unwrap_or_default())
            } else {
                egui::ProgressBar::new(0.0).animate(true)
            };
            ui.add(bar.desired_width(300.0));
            if ui.button("Cancel").clicked() {
                actions.push(Action::Import(ImportStep::Cancel));
            }
        });
    }
    ui.horizontal(|ui| {
        let can_run = dialog.running.is_none() && dialog.waiting.is_none();
        if ui
            .add_enabled(can_run, egui::Button::new("Preview"))
            .on_hover_text("Read the file's first rows as they would be imported")
            .clicked()
            || (entered && can_run)
        {
            actions.push(Action::Import(ImportStep::Preview));
        }
        let readable = dialog
            .previewed
            .as_ref()
            .is_some_and(|p| p.export.is_none() && p.preview.mapping_problem.is_none());
        if readable
            && ui
                .add_enabled(can_run, egui::Button::new("Dry run"))
                .on_hover_text(
                    "Read the whole file and say what importing would do, writing nothing",
                )
                .clicked()
        {
            actions.push(Action::Import(ImportStep::DryRun));
        }
        let importable = dialog
            .report
            .as_ref()
            .map(|r| r.created + r.updated + r.unchanged > 0);
        if readable
            && let Some(importable) = importable
            && ui
                .add_enabled(can_run && importable, egui::Button::new("Import"))
                .on_hover_text("Write the tickets the dry run found")
                .on_disabled_hover_text("The dry run found no ticket to import")
                .clicked()
        {
            actions.push(Action::Import(ImportStep::Import));
        }
        if ui.button("Close").clicked() {
            actions.push(Action::CloseModal);
        }
    });
    // The rest of the window's height, less the buttons' rows below: the
    // dialog fits a 1366×768 screen, its long lists scrolling.
    let body_height = (ui.ctx().content_rect().bottom() - ui.cursor().top() - 16.0).max(120.0);
    egui::ScrollArea::vertical()
        .id_salt("import_body")
        .max_height(body_height)
        .min_scrolled_height(body_height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            // The dry run's answer first, where Dry run was pressed; the
            // preview and its mapping below it.
            if let Some(report) = &dialog.report {
                ui.separator();
                report_ui(ui, report);
            }
            if dialog.previewed.is_some() {
                ui.separator();
                preview_ui(ui, dialog, focus, actions);
            }
        });
}

/// The file, its encoding and format, and the mapping.
/// Returns whether Enter was pressed in the file's box.
fn choose_ui(
    ui: &mut Ui,
    dialog: &mut ImportDialog,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> bool {
    let mut changed = false;
    let mut entered = false;
    egui::Grid::new("import_choose")
        .num_columns(2)
        .min_col_width(super::dialogs::FORM_LABEL_WIDTH)
        .show(ui, |ui| {
            let label = ui.label("File");
            ui.horizontal(|ui| {
                let (field, choose) = super::dialogs::path_with_choose(
                    ui,
                    focus,
                    &label,
                    &mut dialog.path,
                    "the export to read",
                    "Choose the file with the system's dialog",
                );
                changed |= field.changed();
                entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if choose {
                    actions.push(Action::Import(ImportStep::ChooseFile));
                }
            });
            ui.end_row();

            ui.label("Encoding");
            let before = dialog.encoding;
            egui::ComboBox::from_id_salt("import_encoding")
                .selected_text(dialog.encoding.map_or("Detected", TextEncoding::name))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut dialog.encoding, None, "Detected");
                    for encoding in TextEncoding::ALL {
                        ui.selectable_value(&mut dialog.encoding, Some(encoding), encoding.name());
                    }
                })
                .response
                .widget_info(|| {
                    combo_info("Encoding", dialog.encoding.map_or("Detected", TextEncoding::name))
                });
            changed |= dialog.encoding != before;
            ui.end_row();

            ui.label("Format");
            let before = dialog.format;
            egui::ComboBox::from_id_salt("import_format")
                .selected_text(dialog.format.map_or("Detected", Format::label))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut dialog.format, None, "Detected");
                    for format in Format::ALL {
                        ui.selectable_value(&mut dialog.format, Some(format), format.label());
                    }
                })
                .response
                .widget_info(|| combo_info("Format", dialog.format.map_or("Detected", Format::label)));
            changed |= dialog.format != before;
            ui.end_row();

            ui.label("Mapping");
            let before = dialog.saved_choice.clone();
            let response = egui::ComboBox::from_id_salt("import_mapping")
                .selected_text(
                    dialog
                        .saved_choice
                        .as_deref()
                        .unwrap_or("The format's own"),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut dialog.saved_choice, None, "The format's own");
                    for name in &dialog.saved {
                        ui.selectable_value(&mut dialog.saved_choice, Some(name.clone()), name);
                    }
                })
                .response;
            response
                .widget_info(|| {
                    combo_info(
                        "Mapping",
                        dialog.saved_choice.as_deref().unwrap_or("The format's own"),
                    )
                });
            response.on_hover_text("Which column fills which field, and how statuses and priorities read: the format's built-in mapping (for another CSV, one guessed from its header), or one saved earlier");
            changed |= dialog.saved_choice != before;
            ui.end_row();
        });
    if let Some(note) = &dialog.note {
        ui.add(egui::Label::new(RichText::new(note).weak()).wrap());
    }
    if changed {
        dialog.forget_preview();
    }
    entered
}

/// How the file reads: format and encoding, columns, values, first rows,
/// and saving the mapping.
fn preview_ui(
    ui: &mut Ui,
    dialog: &mut ImportDialog,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    let Some(previewed) = dialog.previewed.as_deref() else {
        return;
    };
    let preview = &previewed.preview;
    ui.label(format!(
        "Read as {}, in {}.",
        preview.format.label(),
        preview.encoding.name()
    ));
    if let Some(export) = &previewed.export {
        let running = dialog.running.is_some();
        export_ui(
            ui,
            export,
            &mut dialog.restore_into,
            running,
            focus,
            actions,
        );
        return;
    }
    let Some(mapping) = dialog.mapping.as_mut() else {
        return;
    };
    let mut remap = false;
    if !preview.columns.is_empty() {
        ui.add_space(4.0);
        ui.strong("Columns");
        egui::Grid::new("import_columns")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                for (i, column) in preview.columns.iter().enumerate() {
                    ui.label(column);
                    let name = format!("Column “{column}”");
                    let sample = preview
                        .cells
                        .iter()
                        .filter_map(|row| row.get(i))
                        .map(|cell| cell.trim())
                        .find(|cell| !cell.is_empty())
                        .unwrap_or("");
                    ui.add_sized(
                        [180.0, 18.0],
                        egui::Label::new(RichText::new(shortened(sample, 40)).weak()).truncate(),
                    );
                    let mut field = field_of(mapping, column);
                    let before = field;
                    egui::ComboBox::from_id_salt(("import_column", i))
                        .selected_text(field.label())
                        .width(150.0)
                        .show_ui(ui, |ui| {
                            for option in Field::ALL {
                                ui.selectable_value(&mut field, option, option.label());
                            }
                        })
                        .response
                        .widget_info(|| combo_info(&name, field.label()));
                    if field != before {
                        set_field(mapping, column, field);
                        remap = true;
                    }
                    ui.end_row();
                }
            });
    }
    if let Some(problem) = &preview.mapping_problem {
        ui.colored_label(ui.visuals().error_fg_color, format!("Mapping: {problem}"));
    }
    ui.add_space(4.0);
    ui.strong("Statuses");
    let seen = values_in(previewed, mapping, Field::Status);
    remap |= value_table(
        ui,
        "Status",
        &mut mapping.statuses,
        &mut mapping.default_status,
        &seen,
        &Status::ALL,
        Status::label,
        Status::parse,
    );
    ui.add_space(4.0);
    ui.strong("Priorities");
    let seen = values_in(previewed, mapping, Field::Priority);
    remap |= value_table(
        ui,
        "Priority",
        &mut mapping.priorities,
        &mut mapping.default_priority,
        &seen,
        &Priority::ALL,
        Priority::label,
        Priority::parse,
    );
    ui.add_space(4.0);
    ui.strong(format!(
        "First rows ({})",
        count_of(preview.rows.len() as u64, "row", "rows")
    ));
    egui::ScrollArea::vertical()
        .id_salt("import_rows")
        .max_height(140.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for row in &preview.rows {
                let text = match row {
                    Ok(ticket) => format!(
                        "Line {}: {} · {} · {} · {}",
                        ticket.line,
                        ticket.subject,
                        ticket.status.label(),
                        ticket.priority.label(),
                        if ticket.customer.email.is_empty() {
                            &ticket.customer.name
                        } else {
                            &ticket.customer.email
                        }
                    ),
                    Err(problem) => format!("Line {}: skipped: {}", problem.line, problem.why),
                };
                let color = if row.is_ok() {
                    ui.visuals().text_color()
                } else {
                    ui.visuals().warn_fg_color
                };
                ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
            }
        });
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let label = ui.label("Save mapping as");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut dialog.save_name)
                    .id(TextBox::MappingName.id())
                    .hint_text("a name for next time")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
        focus.drawn(TextBox::MappingName, &field);
        if field.changed() {
            dialog.saved_note = None;
        }
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui
            .button("Save")
            .on_hover_text("Keep this mapping under this name, for the next import (here or `tickets import --mapping NAME`)")
            .clicked()
            || entered
        {
            actions.push(Action::Import(ImportStep::SaveMapping));
        }
    });
    match &dialog.saved_note {
        Some(Ok(name)) => {
            ui.label(format!("Saved the mapping as “{name}”."));
        }
        Some(Err(why)) => field_error(ui, Some(why)),
        None => {}
    }
    if remap {
        // What the dry run said was for the mapping as it was.
        dialog.report = None;
        actions.push(Action::Import(ImportStep::Remap));
    }
}

/// A Tickets export: what it is, and the new database it can be restored
/// into (an export goes only into an empty database, and the one on show
/// has its agents at least).
fn export_ui(
    ui: &mut Ui,
    export: &super::super::importer::ExportFound,
    into: &mut String,
    running: bool,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    ui.add(
        egui::Label::new(format!(
            "This is a Tickets export: everything another Tickets database held, with {}. It is read in whole, as it was written, not row by row.",
            count_of(export.tickets, "ticket", "tickets")
        ))
        .wrap(),
    );
    if export.server {
        ui.add(
            egui::Label::new(
                "On a team server it is read in by the server's owner, from the command line: tickets import FILE --db URL, signed in as the owner.",
            )
            .wrap(),
        );
        return;
    }
    ui.add(
        egui::Label::new(
            "It becomes a new database file of its own, which then opens here; this database stays as it is (File → Open database… comes back to it).",
        )
        .wrap(),
    );
    ui.horizontal(|ui| {
        let label = ui.label("New database");
        let field = ui
            .add(
                egui::TextEdit::singleline(into)
                    .id(TextBox::RestoreInto.id())
                    .hint_text("a new file, such as tickets.db")
                    .desired_width(ui.available_width() - 190.0),
            )
            .labelled_by(label.id);
        focus.drawn(TextBox::RestoreInto, &field);
        let restore = ui
            .add_enabled(!running, egui::Button::new("Restore as a new database"))
            .on_hover_text("Makes the file (never over one already there), reads the export into it, and opens it");
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if restore.clicked() || (entered && !running) {
            actions.push(Action::Import(ImportStep::Restore));
        }
    });
}

/// What the dry run found: the counts and every skipped row.
fn report_ui(ui: &mut Ui, report: &ImportReport) {
    ui.strong("Dry run");
    ui.label(format!(
        "{} new, {} updated, {} unchanged; {} skipped.",
        thousands(report.created),
        thousands(report.updated),
        thousands(report.unchanged),
        count_of(report.skipped, "row", "rows")
    ));
    if report.new_customers > 0 || !report.new_agents.is_empty() {
        let mut adds = count_of(report.new_customers, "customer", "customers");
        if !report.new_agents.is_empty() {
            adds.push_str(&format!(
                " and {} ({})",
                count_of(report.new_agents.len() as u64, "agent", "agents"),
                report.new_agents.join(", ")
            ));
        }
        ui.label(format!("It will add {adds}."));
    }
    if report.problems.is_empty() {
        return;
    }
    ui.label("Skipped, by line:");
    egui::ScrollArea::vertical()
        .id_salt("import_skipped")
        .max_height(160.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for problem in &report.problems {
                ui.add(egui::Label::new(format!("Line {}: {}", problem.line, problem.why)).wrap());
            }
        });
    if report.skipped > report.problems.len() as u64 {
        ui.label(
            RichText::new(format!(
                "Only the first {} skipped rows are listed; {} were skipped in all.",
                thousands(report.problems.len() as u64),
                thousands(report.skipped)
            ))
            .weak(),
        );
    }
}

/// The field a column fills under `mapping` (Ignore when none).
fn field_of(mapping: &Mapping, column: &str) -> Field {
    let key = normalise(column);
    mapping
        .columns
        .iter()
        .find(|r| normalise(&r.column) == key)
        .map_or(Field::Ignore, |r| r.field)
}

/// Makes `column` fill `field`.
fn set_field(mapping: &mut Mapping, column: &str, field: Field) {
    let key = normalise(column);
    match mapping
        .columns
        .iter_mut()
        .find(|r| normalise(&r.column) == key)
    {
        Some(rule) => rule.field = field,
        None => mapping.columns.push(ColumnRule {
            column: column.to_owned(),
            field,
        }),
    }
}

/// The distinct values of the columns filling `field` in the rows read, as
/// written (a CSV's; a JSON source has no cells).
fn values_in(previewed: &Previewed, mapping: &Mapping, field: Field) -> Vec<String> {
    let columns: Vec<usize> = previewed
        .preview
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| field_of(mapping, c) == field)
        .map(|(i, _)| i)
        .collect();
    let mut values: Vec<String> = Vec::new();
    for row in &previewed.preview.cells {
        for &i in &columns {
            let Some(value) = row.get(i).map(|v| v.trim()) else {
                continue;
            };
            let key = normalise(value);
            if !key.is_empty() && !values.iter().any(|v| normalise(v) == key) {
                values.push(value.to_owned());
            }
        }
    }
    values
}

/// The status or priority table: each value the mapping names and each
/// value seen in the rows read, with what it becomes, and what any other
/// value becomes. Returns whether it was changed.
#[allow(clippy::too_many_arguments)]
fn value_table<T: Copy + PartialEq>(
    ui: &mut Ui,
    what: &str,
    table: &mut BTreeMap<String, T>,
    default: &mut Option<T>,
    seen: &[String],
    all: &[T],
    label: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) -> bool {
    let mut values: Vec<String> = table.keys().cloned().collect();
    for value in seen {
        let key = normalise(value);
        if !values.iter().any(|v| normalise(v) == key) {
            values.push(value.clone());
        }
    }
    let skipped = "(row skipped)";
    let mut changed = false;
    egui::Grid::new(("import_values", what))
        .num_columns(2)
        .show(ui, |ui| {
            for value in &values {
                let key = normalise(value);
                let entry = table
                    .iter()
                    .find(|(k, _)| normalise(k) == key)
                    .map(|(k, v)| (k.clone(), *v));
                // None: not in the table, so read as any other value is.
                let mut now = entry.as_ref().map(|(_, v)| *v).or_else(|| parse(value));
                let before = now;
                let otherwise = match *default {
                    Some(d) => format!("(as any other: {})", label(d)),
                    None => skipped.to_owned(),
                };
                let text = format!("“{value}”");
                let name = format!("{what} for {text}");
                ui.label(&text);
                egui::ComboBox::from_id_salt(("import_value", what, value.as_str()))
                    .selected_text(now.map_or(otherwise.as_str(), label))
                    .width(150.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut now, None, otherwise.as_str());
                        for &option in all {
                            ui.selectable_value(&mut now, Some(option), label(option));
                        }
                    })
                    .response
                    .widget_info(|| {
                        combo_info(
                            &name,
                            &now.map_or(otherwise.clone(), |v| label(v).to_owned()),
                        )
                    });
                if now != before {
                    if let Some((k, _)) = entry {
                        table.remove(&k);
                    }
                    if let Some(chosen) = now {
                        table.insert(value.clone(), chosen);
                    }
                    changed = true;
                }
                ui.end_row();
            }
            let name = format!("{what} for any other value");
            ui.label("Any other value");
            let before = *default;
            egui::ComboBox::from_id_salt(("import_default", what))
                .selected_text(default.map_or(skipped, label))
                .width(150.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(default, None, skipped);
                    for &option in all {
                        ui.selectable_value(default, Some(option), label(option));
                    }
                })
                .response
                .widget_info(|| combo_info(&name, default.map_or(skipped, label)));
            changed |= *default != before;
            ui.end_row();
        });
    changed
}

/// A combo box's accessible description: its name, and the choice it shows.
fn combo_info(name: &str, shown: &str) -> egui::WidgetInfo {
    let mut info = egui::WidgetInfo::labeled(egui::Role::ComboBox, true, name);
    info.current_text_value = Some(shown.to_owned());
    info
}

/// `text` cut to `chars` characters, with an ellipsis when cut.
fn shortened(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        text.chars().take(chars - 1).chain(['…']).collect()
    }
}
