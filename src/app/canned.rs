//! Canned replies in the app: opening the library and the picker, saving
//! and deleting replies through the worker, inserting the chosen one at the
//! cursor of the reply or note being written, and taking in the answers.

use super::TicketsApp;
use super::commands::CannedAction;
use super::ui::canned::CannedPicker;
use super::ui::panel::{Tab, UsedCanned};
use super::ui::widgets::ToastKind;
use super::ui::{Modal, TextBox};
use super::worker::protocol::{CannedEdit, Request};
use crate::domain::canned::{Context, fill};
use crate::store::StoreError;

impl TicketsApp {
    /// File → Canned replies…: the library, read again in case another
    /// desk changed it.
    pub(super) fn open_canned_library(&mut self) {
        self.modal = Some(Modal::Canned(Box::default()));
        self.focus.request(TextBox::CannedSearch);
        self.request(Request::CannedReplies);
    }

    /// The box a canned reply goes into for `Ctrl+/`: the reply or note box
    /// being written in, else the open tab's (the reply box from Detail).
    pub(super) fn canned_target(&self) -> TextBox {
        match self.focus.focused_box().or(self.typed_in) {
            Some(TextBox::Note) => TextBox::Note,
            Some(TextBox::Message) => TextBox::Message,
            _ if self.panel.as_ref().is_some_and(|p| p.tab == Tab::Notes) => TextBox::Note,
            _ => TextBox::Message,
        }
    }

    /// The picker for `target`, inserting where its cursor is (where it
    /// last was: the picker takes the keyboard meanwhile).
    pub(super) fn open_canned_picker(&mut self, ctx: &egui::Context, target: TextBox) {
        let Some(panel) = &mut self.panel else {
            return;
        };
        panel.tab = if target == TextBox::Note {
            Tab::Notes
        } else {
            Tab::Conversation
        };
        let text = if target == TextBox::Note {
            &panel.note_input
        } else {
            &panel.message_input
        };
        let at = egui::TextEdit::load_state(ctx, target.id())
            .and_then(|state| state.cursor.char_range())
            .map_or_else(|| text.chars().count(), |range| range.primary.index.0);
        self.modal = Some(Modal::CannedPicker(Box::new(CannedPicker::new(
            target, at, "",
        ))));
        self.focus.request(TextBox::CannedSearch);
        self.request(Request::CannedReplies);
    }

    /// Saves, deletes or inserts a canned reply.
    pub(super) fn canned_action(&mut self, ctx: &egui::Context, action: CannedAction) {
        let edit = match action {
            CannedAction::Insert { reply, apply } => return self.insert_canned(ctx, reply, apply),
            CannedAction::Save(None, reply) => CannedEdit::Add(reply),
            CannedAction::Save(Some(id), reply) => CannedEdit::Update(id, reply),
            CannedAction::Delete(id) => CannedEdit::Delete(id),
        };
        match self.actor() {
            Some(actor) => self.request(Request::EditCanned { actor, edit }),
            None => {
                if let Some(Modal::Canned(form)) = &mut self.modal {
                    form.saving = false;
                    form.error = Some("Say who you are first (File → Switch agent…)".to_owned());
                }
            }
        }
    }

    /// Puts the reply chosen in the picker into its box at the cursor,
    /// placeholders filled from the open ticket, and puts the cursor after it.
    fn insert_canned(&mut self, ctx: &egui::Context, id: i64, apply: bool) {
        let Some(Modal::CannedPicker(picker)) = &self.modal else {
            return;
        };
        let (target, at) = (picker.target, picker.at);
        let Some(reply) = self.canned.iter().find(|r| r.id == id).cloned() else {
            return;
        };
        let agent = self.agent_name();
        let Some(panel) = &mut self.panel else {
            return;
        };
        let context = match &panel.detail {
            Some(detail) => Context::of(detail, agent.as_deref()),
            None => return,
        };
        let filled = fill(&reply.body, &context);
        let end = panel.insert(target, at, &filled.text, UsedCanned::of(&reply, apply));
        let mut state = egui::TextEdit::load_state(ctx, target.id()).unwrap_or_default();
        state
            .cursor
            .set_char_range(Some(egui::text::CCursorRange::one(
                egui::text::CCursor::new(end),
            )));
        state.store(ctx, target.id());
        self.modal = None;
        self.focus.request(target);
    }

    /// The library as the database holds it now.
    pub(super) fn canned_read(
        &mut self,
        result: Result<Vec<crate::domain::CannedReply>, StoreError>,
    ) {
        match result {
            Ok(library) => self.canned = library,
            Err(error) => {
                eprintln!("tickets: the team's canned replies could not be read: {error}");
            }
        }
    }

    /// A save or delete was answered: the library shows the outcome, or
    /// says why not and keeps what was typed.
    pub(super) fn canned_edited(
        &mut self,
        edit: CannedEdit,
        result: Result<Option<i64>, StoreError>,
    ) {
        self.request(Request::CannedReplies);
        let Some(Modal::Canned(form)) = &mut self.modal else {
            if let Err(error) = result {
                self.toasts.add(
                    ToastKind::Error,
                    format!("The canned reply was not changed: {error}."),
                );
            }
            return;
        };
        form.saving = false;
        match (result, edit) {
            (Ok(_), CannedEdit::Delete(_)) => {
                form.new_reply();
                self.toasts.add(ToastKind::Info, "Canned reply deleted.");
            }
            (Ok(id), CannedEdit::Add(_) | CannedEdit::Update(..)) => {
                if let Some(id) = id {
                    form.editing = Some(id);
                }
                form.error = None;
                self.toasts.add(ToastKind::Info, "Canned reply saved.");
            }
            (Err(error), _) => {
                let problem = match &error {
                    StoreError::Invalid(e) => e.to_string(),
                    other => other.to_string(),
                };
                form.error = Some(problem);
            }
        }
    }
}
