//! Canned replies in the window: the team's library (File → Canned
//! replies…: list, search, add, edit, delete), the picker that inserts one
//! into a reply or a note at the cursor (its button, `Ctrl+/`), and the line
//! under a box that says which reply it holds, what it will set when sent,
//! and which placeholders are still unfilled.
//!
//! The editor shows placeholders as written; the picker previews the text
//! as it will be inserted. Nothing here talks to the store.

use egui::{RichText, Ui};

use super::forms::labelled_line;
use super::widgets::field_error;
use super::{Focus, TextBox};
use crate::app::commands::{Action, CannedAction};
use crate::domain::Status;
use crate::domain::canned::{self, CannedReply, Context, PLACEHOLDERS};

/// The library window's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CannedLibrary {
    /// What the list is narrowed to (titles and bodies).
    pub query: String,
    /// The reply being edited (`None`: a new one).
    pub editing: Option<i64>,
    /// Its title.
    pub title: String,
    /// Its body, placeholders as written.
    pub body: String,
    /// Its tags, separated by commas.
    pub tags: String,
    /// The status it sets.
    pub status: Option<Status>,
    /// Why the last save or delete was refused.
    pub error: Option<String>,
    /// Sent, not yet answered.
    pub saving: bool,
    /// Delete was pressed: asks before deleting.
    pub confirm_delete: bool,
}

impl CannedLibrary {
    /// The editor showing `reply` (its fields as the library keeps them).
    pub fn edit(&mut self, reply: &CannedReply) {
        self.editing = Some(reply.id);
        self.title = reply.title.clone();
        self.body = reply.body.clone();
        self.tags = reply.tags.join(", ");
        self.status = reply.status;
        self.error = None;
        self.confirm_delete = false;
    }

    /// An empty editor, for a new reply; the search stays.
    pub fn new_reply(&mut self) {
        *self = CannedLibrary {
            query: std::mem::take(&mut self.query),
            ..CannedLibrary::default()
        };
    }

    /// The reply as typed.
    pub fn reply(&self) -> CannedReply {
        CannedReply {
            id: self.editing.unwrap_or_default(),
            title: self.title.clone(),
            body: self.body.clone(),
            tags: self
                .tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            status: self.status,
        }
    }
}

/// A dropdown of "no status" and the five statuses, announced as `label`.
fn status_choice(ui: &mut Ui, label: &str, status: &mut Option<Status>) {
    let name = |s: Option<Status>| s.map_or("Leave as it is", Status::label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(name(*status))
        .show_ui(ui, |ui| {
            ui.selectable_value(status, None, name(None));
            for option in Status::ALL {
                ui.selectable_value(status, Some(option), option.label());
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label));
}

/// What a reply sets on the ticket it is used on: "set status Resolved and
/// add the tags billing, refund"; `None` where it sets nothing.
pub fn sets(status: Option<Status>, tags: &[String]) -> Option<String> {
    let status = status.map(|s| format!("set status {}", s.label()));
    let tags = match tags.len() {
        0 => None,
        1 => Some(format!("add the tag {}", tags[0])),
        _ => Some(format!("add the tags {}", tags.join(", "))),
    };
    match (status, tags) {
        (Some(s), Some(t)) => Some(format!("{s} and {t}")),
        (s, t) => s.or(t),
    }
}

/// The placeholders of `text` that are still there, once each, as written:
/// what would be sent unfilled.
pub fn unfilled(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for p in canned::placeholders(text) {
        let written = text[p.range].to_owned();
        if !found.contains(&written) {
            found.push(written);
        }
    }
    found
}

/// Lays out a reply or note box's text (as a [`egui::TextEdit`] layouter)
/// with each `{{…}}` still in it marked in the colour of a warning: what
/// would be sent unfilled stands out where it is, not only in the line
/// under the box.
pub fn placeholder_layouter(
    ui: &Ui,
    text: &dyn egui::TextBuffer,
    wrap_width: f32,
) -> std::sync::Arc<egui::Galley> {
    use egui::text::{LayoutJob, TextFormat};
    let text = text.as_str();
    let visuals = ui.visuals();
    let plain = TextFormat::simple(
        egui::TextStyle::Body.resolve(ui.style()),
        visuals
            .override_text_color
            .unwrap_or_else(|| visuals.widgets.inactive.text_color()),
    );
    let marked = TextFormat {
        color: visuals.warn_fg_color,
        background: visuals.warn_fg_color.gamma_multiply(0.2),
        ..plain.clone()
    };
    let mut job = LayoutJob::default();
    let mut last = 0;
    for found in canned::placeholders(text) {
        job.append(&text[last..found.range.start], 0.0, plain.clone());
        job.append(&text[found.range.clone()], 0.0, marked.clone());
        last = found.range.end;
    }
    job.append(&text[last..], 0.0, plain);
    job.wrap.max_width = wrap_width;
    job.keep_trailing_whitespace = true;
    ui.fonts_mut(|f| f.layout_job(job))
}

/// The warning line naming each placeholder `text` still holds; nothing
/// when there is none.
pub fn unfilled_warning(ui: &mut Ui, text: &str) {
    let left = unfilled(text);
    if left.is_empty() {
        return;
    }
    let sentence = format!(
        "⚠ Not filled: {}. It stays as written unless you change it.",
        left.join(", ")
    );
    ui.add(egui::Label::new(RichText::new(sentence).color(ui.visuals().warn_fg_color)).wrap());
}

/// The replies `hits` as a list, `chosen` marked, `height` at most; says
/// `empty` where the library is empty (or that none matches). Returns the
/// one clicked.
fn reply_list<'a>(
    ui: &mut Ui,
    id: &str,
    height: f32,
    hits: &[&'a CannedReply],
    chosen: Option<i64>,
    empty: Option<&str>,
) -> Option<&'a CannedReply> {
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(height)
        .show(ui, |ui| {
            match empty {
                Some(empty) => {
                    ui.weak(empty);
                }
                None if hits.is_empty() => {
                    ui.weak("None matches.");
                }
                None => {}
            }
            let mut clicked = None;
            for &reply in hits {
                if ui
                    .selectable_label(chosen == Some(reply.id), &reply.title)
                    .clicked()
                {
                    clicked = Some(reply);
                }
            }
            clicked
        })
        .inner
}

/// Draws the library; edits become actions. Returns whether it stays open.
pub fn library_ui(
    ui: &mut Ui,
    form: &mut CannedLibrary,
    library: &[CannedReply],
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> bool {
    let mut keep = true;
    ui.heading("Canned replies");
    ui.label("The team's standard answers. Insert one in a reply or a note with Ctrl+/ or by typing # and a word.");
    ui.add_space(6.0);
    ui.horizontal_top(|ui| {
        // The list on the left, the editor on the right.
        ui.vertical(|ui| {
            ui.set_width(250.0);
            labelled_line(
                ui,
                focus,
                Some(TextBox::CannedSearch),
                "Search canned replies",
                &mut form.query,
                "Search titles and text",
            );
            if ui.button("New reply").clicked() {
                form.new_reply();
            }
            ui.separator();
            let hits = canned::search(library, &form.query);
            let empty = "No canned replies yet: write one on the right.";
            if let Some(reply) = reply_list(
                ui,
                "canned_list",
                360.0,
                &hits,
                form.editing,
                library.is_empty().then_some(empty),
            ) {
                form.edit(reply);
            }
        });
        // Space, not a separator: a vertical one here takes the whole
        // height it is offered, and the dialog grew past the window.
        ui.add_space(16.0);
        ui.vertical(|ui| {
            ui.label(
                RichText::new(if form.editing.is_some() {
                    "Edit the reply"
                } else {
                    "A new reply"
                })
                .strong(),
            );
            let title = labelled_line(ui, focus, None, "Title", &mut form.title, "Refund sent");
            let body_label = ui.label("Text");
            let body = ui
                .add(
                    egui::TextEdit::multiline(&mut form.body)
                        .id(TextBox::CannedBody.id())
                        .hint_text("Hi {{customer.first_name}}, …")
                        .desired_rows(8)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(body_label.id);
            focus.drawn(TextBox::CannedBody, &body);
            ui.add(
                egui::Label::new(
                    RichText::new(format!(
                        "Placeholders, filled when inserted: {}",
                        PLACEHOLDERS.map(|p| format!("{{{{{p}}}}}")).join(" ")
                    ))
                    .weak(),
                )
                .wrap(),
            );
            let unknown: Vec<String> = canned::placeholders(&form.body)
                .into_iter()
                .filter(|p| !p.known)
                .map(|p| form.body[p.range].to_owned())
                .collect();
            if !unknown.is_empty() {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "⚠ Not a placeholder Tickets fills: {}. It is inserted as written.",
                            unknown.join(", ")
                        ))
                        .color(ui.visuals().warn_fg_color),
                    )
                    .wrap(),
                );
            }
            let tags = labelled_line(
                ui,
                focus,
                None,
                "Tags to add",
                &mut form.tags,
                "billing, refund",
            );
            ui.horizontal(|ui| {
                ui.label("Status to set");
                status_choice(ui, "Status to set", &mut form.status);
            });
            if title.changed() || body.changed() || tags.changed() {
                form.error = None;
            }
            field_error(ui, form.error.as_deref());
            ui.horizontal_wrapped(|ui| {
                if form.saving {
                    ui.spinner();
                }
                if ui
                    .add_enabled(!form.saving, egui::Button::new("Save reply"))
                    .clicked()
                {
                    match canned::checked(&form.reply()) {
                        Ok(_) => {
                            form.saving = true;
                            actions.push(Action::Canned(CannedAction::Save(
                                form.editing,
                                form.reply(),
                            )));
                        }
                        Err(e) => form.error = Some(e.to_string()),
                    }
                }
                if let Some(id) = form.editing {
                    if form.confirm_delete {
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            "Delete it for the whole team?",
                        );
                        if ui.button("Delete").clicked() {
                            form.saving = true;
                            form.confirm_delete = false;
                            actions.push(Action::Canned(CannedAction::Delete(id)));
                        }
                        if ui.button("Keep").clicked() {
                            form.confirm_delete = false;
                        }
                    } else if ui.button("Delete…").clicked() {
                        form.confirm_delete = true;
                    }
                }
            });
        });
    });
    ui.separator();
    if ui.button("Close").clicked() {
        keep = false;
    }
    keep
}

/// The picker's state: where the reply goes and what is chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct CannedPicker {
    /// The box it goes into: the reply or the note box.
    pub target: TextBox,
    /// Where its cursor was, in characters: the reply goes there.
    pub at: usize,
    /// What the list is narrowed to.
    pub query: String,
    /// The reply chosen (the first match until one is clicked).
    pub chosen: Option<i64>,
    /// Whether its status and tags are applied when the text is sent.
    pub apply: bool,
}

impl CannedPicker {
    /// A picker for `target`, inserting at character `at`, searching `query`.
    pub fn new(target: TextBox, at: usize, query: &str) -> CannedPicker {
        CannedPicker {
            target,
            at,
            query: query.to_owned(),
            chosen: None,
            apply: true,
        }
    }
}

/// Draws the picker: search, the matches, the chosen one as it will be
/// inserted (placeholders filled from `context`), and Insert (or Enter in
/// the search box). Returns whether it stays open.
pub fn picker_ui(
    ui: &mut Ui,
    picker: &mut CannedPicker,
    library: &[CannedReply],
    context: &Context,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> bool {
    let into = if picker.target == TextBox::Note {
        "the note"
    } else {
        "the reply"
    };
    ui.heading(format!("Insert a canned reply into {into}"));
    let search = labelled_line(
        ui,
        focus,
        Some(TextBox::CannedSearch),
        "Search canned replies",
        &mut picker.query,
        "Words of its title or text",
    );
    let enter = search.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let hits = canned::search(library, &picker.query);
    if !hits.iter().any(|r| Some(r.id) == picker.chosen) {
        picker.chosen = hits.first().map(|r| r.id);
    }
    let empty = "The team has no canned replies yet: add them in File → Canned replies….";
    if let Some(reply) = reply_list(
        ui,
        "canned_picks",
        200.0,
        &hits,
        picker.chosen,
        library.is_empty().then_some(empty),
    ) {
        picker.chosen = Some(reply.id);
    }
    let chosen = picker
        .chosen
        .and_then(|id| library.iter().find(|r| r.id == id));
    if let Some(reply) = chosen {
        ui.separator();
        let filled = canned::fill(&reply.body, context);
        egui::ScrollArea::vertical()
            .id_salt("canned_preview")
            .max_height(160.0)
            .show(ui, |ui| {
                ui.add(egui::Label::new(&filled.text).wrap());
            });
        unfilled_warning(ui, &filled.text);
        if let Some(sets) = sets(reply.status, &reply.tags) {
            ui.checkbox(&mut picker.apply, format!("When sent, also {sets}"));
        }
    }
    let mut keep = true;
    ui.horizontal(|ui| {
        let insert = ui.add_enabled(chosen.is_some(), egui::Button::new("Insert"));
        if let Some(reply) = chosen
            && (insert.clicked() || enter)
        {
            actions.push(Action::Canned(CannedAction::Insert {
                reply: reply.id,
                apply: picker.apply,
            }));
        }
        if ui.button("Cancel").clicked() {
            keep = false;
        }
    });
    keep
}

/// The reply a box holds, chosen from the library: what it will set when
/// sent, whether to, and a way to forget it (the text stays).
pub fn used_line(ui: &mut Ui, used: &mut Option<super::panel::UsedCanned>) {
    let Some(u) = used else {
        return;
    };
    let mut forget = false;
    ui.horizontal_wrapped(|ui| {
        ui.weak(format!("Canned reply “{}”", u.title));
        let forget_button = ui
            .small_button("×")
            .on_hover_text("Forget which canned reply this is (the text stays)");
        forget_button.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, "Forget the canned reply")
        });
        forget = forget_button.clicked();
    });
    if let Some(sets) = sets(u.status, &u.tags) {
        ui.checkbox(&mut u.apply, format!("When sent, also {sets}"));
    }
    if forget {
        *used = None;
    }
}
