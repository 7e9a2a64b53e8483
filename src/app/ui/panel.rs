//! The ticket panel: the subject, then Detail, Conversation, Notes and
//! Activity of one ticket.
//!
//! What the agent types stays here until the store confirms the change: a
//! refused change (a conflict, a rule) leaves the text in place to try again,
//! and says why beside the control it came from.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use egui::{RichText, Ui};

use super::super::commands::{Action, UiCommand};
use super::super::worker::protocol::Change;
use super::widgets::{busy, exact_time, field_error, priority_mark, status_pill, time_label};
use super::{Focus, TextBox};
use crate::domain::canned::{CannedReply, Written};
use crate::domain::{
    Agent, Direction, Doing, NoteId, Presence, Status, Tag, TicketDetail, TicketNumber, TicketRow,
};

mod detail;

/// The panel's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// Fields, assignees, tags, rating.
    #[default]
    Detail,
    /// Messages with the customer.
    Conversation,
    /// Internal notes.
    Notes,
    /// The audit trail.
    Activity,
}

/// Where in the panel a refusal is shown: beside what was acted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Status and priority.
    Fields,
    /// The description.
    Description,
    /// The assignees.
    Assignees,
    /// The tags.
    Tags,
    /// The satisfaction rating.
    Rating,
    /// The "Add a note" box.
    Note,
    /// One note.
    NoteItem(NoteId),
    /// The message box.
    Message,
    /// The links to other tickets.
    Links,
}

impl Place {
    /// Where a refusal of this change belongs.
    pub fn of(change: &Change) -> Place {
        match change {
            Change::Status { .. } | Change::Priority { .. } => Place::Fields,
            Change::Description { .. } => Place::Description,
            Change::Csat { .. } => Place::Rating,
            Change::Assign(_) | Change::Unassign(_) => Place::Assignees,
            Change::AddTag(_) | Change::RemoveTag(_) => Place::Tags,
            Change::AddNote(_) => Place::Note,
            Change::EditNote { note, .. } | Change::DeleteNote(note) => Place::NoteItem(*note),
            Change::Message { .. } => Place::Message,
            Change::Canned { written, .. } if written.is_note() => Place::Note,
            Change::Canned { .. } => Place::Message,
            Change::Link { .. } | Change::Unlink { .. } => Place::Links,
        }
    }
}

/// Text typed in the panel and not yet saved, kept per ticket so moving to
/// another ticket (or closing the panel) loses nothing.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    description: Option<Editing>,
    note: String,
    message: String,
    note_edits: HashMap<NoteId, Editing>,
    canned_note: Option<UsedCanned>,
    canned_message: Option<UsedCanned>,
}

/// The canned reply a box's text came from: sent with it, the store records
/// it was used and, where `apply`, sets its status and adds its tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsedCanned {
    /// Its id in the library.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The status it sets.
    pub status: Option<Status>,
    /// The tags it adds.
    pub tags: Vec<String>,
    /// Whether to set them when the text is sent.
    pub apply: bool,
}

impl UsedCanned {
    /// `reply`, used, applying its status and tags or not.
    pub fn of(reply: &CannedReply, apply: bool) -> UsedCanned {
        UsedCanned {
            id: reply.id,
            title: reply.title.clone(),
            status: reply.status,
            tags: reply.tags.clone(),
            apply,
        }
    }
}

/// Text being edited, with the version it was edited from: saving asks the
/// store to apply it to that version, so a change made elsewhere meanwhile
/// is refused rather than silently overwritten.
#[derive(Clone, Debug)]
pub struct Editing {
    /// The ticket's (or note's) version when editing began, or when the
    /// agent was last shown the latest version after a conflict.
    pub since: i64,
    /// What is typed.
    pub text: String,
}

/// Everything the panel holds for the open ticket.
#[derive(Default)]
pub struct PanelState {
    /// The ticket shown.
    pub ticket: Option<TicketNumber>,
    /// Its details, once loaded.
    pub detail: Option<TicketDetail>,
    /// The tab on show.
    pub tab: Tab,
    /// The description being edited, if Edit was pressed.
    pub description_edit: Option<Editing>,
    /// The "Add a note" box.
    pub note_input: String,
    /// The message box on the Conversation tab.
    pub message_input: String,
    /// The canned reply the note box's text came from, if any.
    pub canned_note: Option<UsedCanned>,
    /// The canned reply the message box's text came from, if any.
    pub canned_message: Option<UsedCanned>,
    /// Notes being edited.
    pub note_edits: HashMap<NoteId, Editing>,
    /// A change was refused as a conflict: once the latest version arrives,
    /// the edits under way are based on it (the agent has now seen it).
    rebase_edits: bool,
    /// Field edits sent and not yet answered.
    edits_in_flight: u32,
    /// The customer's other tickets (newest first, a few) and how many
    /// they have, once read; or why they could not be.
    pub other_tickets: Option<Result<(Vec<TicketRow>, u64), String>>,
    /// A note whose deletion awaits confirmation.
    pub confirm_delete: Option<NoteId>,
    /// The agent picker's search, while it is open.
    pub assignee_query: Option<String>,
    /// The tag box, while it is open.
    pub tag_input: Option<String>,
    /// The number typed to link another ticket.
    pub link_input: String,
    /// What that link says: related, or this ticket a duplicate of it.
    pub link_kind: crate::domain::LinkKind,
    /// Why the last change was refused, and where it came from.
    pub error: Option<(Place, String)>,
    /// Why the ticket could not be loaded.
    pub load_error: Option<String>,
}

impl PanelState {
    /// An empty panel that will open tickets on `tab`.
    pub fn on_tab(tab: Tab) -> Self {
        PanelState {
            tab,
            ..PanelState::default()
        }
    }

    /// Takes the unsaved text out of the panel, if there is any.
    pub fn take_draft(&mut self) -> Option<(TicketNumber, Draft)> {
        let draft = Draft {
            description: self.description_edit.take(),
            note: std::mem::take(&mut self.note_input),
            message: std::mem::take(&mut self.message_input),
            note_edits: std::mem::take(&mut self.note_edits),
            canned_note: self.canned_note.take(),
            canned_message: self.canned_message.take(),
        };
        let empty = draft.description.is_none()
            && draft.note.trim().is_empty()
            && draft.message.trim().is_empty()
            && draft.note_edits.is_empty();
        match self.ticket {
            Some(ticket) if !empty => Some((ticket, draft)),
            _ => None,
        }
    }

    /// Puts unsaved text kept from an earlier visit back in place.
    pub fn restore(&mut self, draft: Draft) {
        self.description_edit = draft.description;
        self.note_input = draft.note;
        self.message_input = draft.message;
        self.note_edits = draft.note_edits;
        self.canned_note = draft.canned_note;
        self.canned_message = draft.canned_message;
    }

    /// Closes the small pickers (agent, tag), if one is open; says whether one was.
    pub fn close_picker(&mut self) -> bool {
        let open = self.assignee_query.is_some() || self.tag_input.is_some();
        self.assignee_query = None;
        self.tag_input = None;
        open
    }

    /// Opens a ticket, keeping the tab.
    pub fn open(&mut self, ticket: TicketNumber) {
        if self.ticket != Some(ticket) {
            let tab = self.tab;
            *self = PanelState {
                ticket: Some(ticket),
                tab,
                ..PanelState::default()
            };
        }
    }

    /// The ticket as loaded. After a conflict, edits under way now apply to
    /// this version: saving again is the agent's decision over what is shown.
    pub fn loaded(&mut self, mut detail: TicketDetail) {
        // A load read before field edits still on their way is older than
        // what they will leave: the version they were sent against stays,
        // so the next edit is made against it (not refused as a conflict).
        if self.edits_in_flight > 0
            && let Some(shown) = &self.detail
            && shown.number == detail.number
            && shown.version > detail.version
        {
            detail.version = shown.version;
        }
        if std::mem::take(&mut self.rebase_edits) {
            if let Some(edit) = &mut self.description_edit {
                edit.since = detail.version;
            }
            for note in &detail.notes {
                if let Some(edit) = self.note_edits.get_mut(&note.id) {
                    edit.since = note.version;
                }
            }
        }
        self.load_error = None;
        self.detail = Some(detail);
    }

    /// A field edit was sent: the panel's version moves on with it.
    pub fn edit_sent(&mut self) {
        self.edits_in_flight += 1;
    }

    /// The store answered a change; a field edit is no longer on its way.
    fn edit_answered(&mut self, change: &Change) {
        if change.version().is_some() {
            self.edits_in_flight = self.edits_in_flight.saturating_sub(1);
        }
    }

    /// A change was refused; a conflict reloads the ticket.
    pub fn refused(&mut self, change: &Change, message: String, conflict: bool) {
        self.edit_answered(change);
        self.error = Some((Place::of(change), message));
        self.rebase_edits |= conflict;
    }

    /// A change was saved: clears the text it came from, and its error.
    pub fn saved(&mut self, change: &Change) {
        self.edit_answered(change);
        if self
            .error
            .as_ref()
            .is_some_and(|(place, _)| *place == Place::of(change))
        {
            self.error = None;
        }
        match change {
            Change::Description { .. } => self.description_edit = None,
            Change::AddNote(_) => self.note_input.clear(),
            Change::Message { .. } => self.message_input.clear(),
            Change::Canned { written, .. } if written.is_note() => {
                self.note_input.clear();
                self.canned_note = None;
            }
            Change::Canned { .. } => {
                self.message_input.clear();
                self.canned_message = None;
            }
            Change::Link { .. } => self.link_input.clear(),
            Change::EditNote { note, .. } => {
                self.note_edits.remove(note);
            }
            _ => {}
        }
    }

    /// The refusal shown at `place`, if any.
    fn error_at(&self, place: Place) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(at, _)| *at == place)
            .map(|(_, message)| message.as_str())
    }

    /// Forgets the refusal at `place` (what it was about was changed).
    fn clear_error(&mut self, place: Place) {
        if self.error.as_ref().is_some_and(|(at, _)| *at == place) {
            self.error = None;
        }
    }

    /// The version the panel shows, for a change made against it.
    fn version(&self) -> Option<i64> {
        self.detail.as_ref().map(|d| d.version)
    }

    /// `written` sent as canned reply `used` (when the box holds one) made,
    /// against the version shown.
    fn canned_change(
        &self,
        used: Option<&UsedCanned>,
        written: Written,
        then: Option<Status>,
    ) -> Option<Change> {
        let (used, version) = (used?, self.version()?);
        Some(Change::Canned {
            version,
            canned: used.id,
            apply: used.apply,
            written,
            then,
        })
    }

    /// The note box's text as the change it makes: with the canned reply it
    /// came from, if any.
    pub fn note_change(&self) -> Change {
        let text = self.note_input.clone();
        self.canned_change(self.canned_note.as_ref(), Written::Note(text.clone()), None)
            .unwrap_or(Change::AddNote(text))
    }

    /// The message box's text sent as a reply (then setting `then`), with
    /// the canned reply it came from, if any.
    pub fn reply_change(&self, then: Option<Status>) -> Change {
        let text = self.message_input.clone();
        self.canned_change(
            self.canned_message.as_ref(),
            Written::Reply(text.clone()),
            then,
        )
        .unwrap_or(Change::Message {
            direction: Direction::Outbound,
            text,
            then,
        })
    }

    /// Puts `text` into `target` (the reply or the note box) at character
    /// `at` (its end if past it), remembering `used`; returns the
    /// character just after it, where the cursor goes.
    pub fn insert(&mut self, target: TextBox, at: usize, text: &str, used: UsedCanned) -> usize {
        let (input, slot) = if target == TextBox::Note {
            (&mut self.note_input, &mut self.canned_note)
        } else {
            (&mut self.message_input, &mut self.canned_message)
        };
        let byte = input.char_indices().nth(at).map_or(input.len(), |(b, _)| b);
        input.insert_str(byte, text);
        *slot = Some(used);
        let end = input[..byte].chars().count() + text.chars().count();
        self.clear_error(if target == TextBox::Note {
            Place::Note
        } else {
            Place::Message
        });
        end
    }

    /// The text to submit for the box with the cursor (Ctrl+Enter), as the
    /// change it makes.
    pub fn submit(&self, text_box: TextBox) -> Option<Change> {
        match text_box {
            TextBox::Note => Some(self.note_change()),
            TextBox::Message => Some(self.reply_change(None)),
            TextBox::Description => {
                self.description_edit
                    .as_ref()
                    .map(|edit| Change::Description {
                        version: edit.since,
                        text: edit.text.clone(),
                    })
            }
            TextBox::NoteEdit(note) => self.note_edits.get(&note).map(|edit| Change::EditNote {
                note,
                version: edit.since,
                text: edit.text.clone(),
            }),
            _ => None,
        }
    }
}

/// What the panel shows besides its own state.
pub struct PanelInput<'a> {
    /// Every agent.
    pub agents: &'a [Agent],
    /// Every tag.
    pub tags: &'a [Tag],
    /// Now, for relative times.
    pub now: DateTime<Utc>,
    /// On a team server, the other agents at tickets now.
    pub others: &'a [Presence],
    /// The team's service levels.
    pub sla: &'a crate::domain::sla::SlaPolicy,
    /// The team's canned replies, for `#` in a reply or a note.
    pub canned: &'a [CannedReply],
    /// The agent writing, for `{{agent.name}}`.
    pub agent_name: Option<&'a str>,
}

/// Draws the panel; changes become actions.
pub fn panel_ui(
    ui: &mut Ui,
    state: &mut PanelState,
    input: &PanelInput<'_>,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    let Some(number) = state.ticket else {
        return;
    };
    // Long words and subjects wrap: the panel's width never follows its text.
    ui.set_max_width(ui.available_width());
    ui.horizontal(|ui| {
        ui.label(RichText::new(number.to_string()).monospace().weak());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let close = ui
                .add(egui::Button::new("×").frame(false))
                .on_hover_text(UiCommand::Close.hint(ui.ctx(), "Close the ticket"));
            close.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Button, true, "Close the ticket")
            });
            if close.clicked() {
                actions.push(Action::Command(UiCommand::Close));
            }
            // The ticket's menu: what acts on the ticket as a whole.
            let menu = ui.menu_button("⋯", |ui| {
                for command in [UiCommand::MergeInto, UiCommand::MergeHere] {
                    if ui.button(command.label()).clicked() {
                        actions.push(Action::Command(command));
                        ui.close();
                    }
                }
            });
            menu.response
                .on_hover_text("More for this ticket")
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "Ticket menu"));
        });
    });
    let Some(detail) = state.detail.clone() else {
        match &state.load_error {
            Some(error) => field_error(ui, Some(error)),
            None => busy(ui, "Loading…"),
        }
        return;
    };
    ui.add(egui::Label::new(RichText::new(&detail.subject).size(18.0).strong()).wrap());
    ui.horizontal(|ui| {
        status_pill(ui, detail.status);
        priority_mark(ui, detail.priority, true);
    });
    targets_line(ui, input.sla, &detail, input.now);
    others_here(ui, input.others, number);
    ui.add_space(2.0);
    ui.separator();
    ui.horizontal(|ui| {
        for (tab, name) in [
            (Tab::Detail, "Detail".to_owned()),
            (
                Tab::Conversation,
                format!("Conversation ({})", detail.messages.len()),
            ),
            (Tab::Notes, format!("Notes ({})", detail.notes.len())),
            (Tab::Activity, "Activity".to_owned()),
        ] {
            ui.selectable_value(&mut state.tab, tab, name);
        }
    });
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match state.tab {
            Tab::Detail => detail::detail_tab(ui, state, &detail, input, focus, actions),
            Tab::Conversation => conversation_tab(ui, state, &detail, input, focus, actions),
            Tab::Notes => notes_tab(ui, state, &detail, input, focus, actions),
            Tab::Activity => activity_tab(ui, &detail, input.now),
        });
}

/// Where the ticket stands against the team's service levels: "First
/// reply: met, 12 m early · Resolution: due in 3 h 20 m", overdue targets
/// in red and those at risk in amber. Nothing where no target applies.
fn targets_line(
    ui: &mut Ui,
    policy: &crate::domain::sla::SlaPolicy,
    detail: &TicketDetail,
    now: DateTime<Utc>,
) {
    use crate::domain::sla::{SlaTicket, TargetState, evaluate};
    let sla = evaluate(policy, &SlaTicket::of(detail), now);
    let targets = [
        ("First reply", sla.first_reply),
        ("Resolution", sla.resolution),
    ];
    if targets.iter().all(|(_, t)| t.is_none()) {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        let mut first = true;
        for (name, target) in targets {
            let Some(target) = target else {
                continue;
            };
            if !first {
                ui.weak("·");
            }
            first = false;
            let text = format!("{name}: {}", target.describe(now));
            let colour = match target {
                TargetState::Breached { at: None, .. } => Some(ui.visuals().error_fg_color),
                TargetState::Breached { .. } => Some(ui.visuals().warn_fg_color),
                TargetState::Due { at_risk: true, .. } => Some(ui.visuals().warn_fg_color),
                _ => None,
            };
            let label = match colour {
                Some(c) => ui.label(RichText::new(text).color(c)),
                None => ui.label(text),
            };
            if let Some(due) = target.due() {
                label.on_hover_text(format!("Due {}", exact_time(due)));
            }
        }
    });
}

/// Who else is at this ticket, on a team server: "Dana is replying… · Sam
/// has it open". Writing shows first, in the colour of a warning: a reply
/// sent now may cross theirs.
fn others_here(ui: &mut Ui, others: &[Presence], number: TicketNumber) {
    let mut here: Vec<&Presence> = others.iter().filter(|p| p.ticket == number).collect();
    if here.is_empty() {
        return;
    }
    here.sort_by_key(|p| p.doing == Doing::Viewing);
    let text = here
        .iter()
        .map(|p| p.sentence())
        .collect::<Vec<_>>()
        .join(" · ");
    let writing = here[0].doing != Doing::Viewing;
    let color = if writing {
        ui.visuals().warn_fg_color
    } else {
        ui.visuals().weak_text_color()
    };
    ui.add(egui::Label::new(RichText::new(text).color(color)).wrap())
        .on_hover_text("Other agents at this ticket now, on the team server");
}

/// The trail: when in a column of its own, then who did what.
fn activity_tab(ui: &mut Ui, detail: &TicketDetail, now: DateTime<Utc>) {
    egui::Grid::new("activity")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            for entry in &detail.activity {
                ui.add(
                    egui::Label::new(
                        RichText::new(super::widgets::relative_time(entry.at, now)).weak(),
                    )
                    .selectable(false),
                )
                .on_hover_text(exact_time(entry.at));
                ui.add(egui::Label::new(entry.sentence()).wrap());
                ui.end_row();
            }
        });
}

/// A multi-line box for writing, with its label; registers it for focus.
/// With `canned` (a reply or a note): see [`canned_completion`].
#[allow(clippy::too_many_arguments)]
fn writing_box(
    ui: &mut Ui,
    focus: &mut Focus,
    which: TextBox,
    label: &str,
    text: &mut String,
    hint: &str,
    rows: usize,
    canned: Option<(&CannedInput<'_>, &mut Option<UsedCanned>)>,
) -> egui::Response {
    let label = ui.label(label);
    let mut marked = super::canned::placeholder_layouter;
    let edit = egui::TextEdit::multiline(text)
        .id(which.id())
        .hint_text(hint)
        .desired_rows(rows)
        .desired_width(f32::INFINITY);
    let response = match canned {
        None => ui.add(edit),
        // What a canned reply left unfilled is marked in the box itself.
        Some((input, used)) => {
            canned_completion(ui, which, edit.layouter(&mut marked), input, used)
        }
    }
    .labelled_by(label.id);
    focus.drawn(which, &response);
    response
}

/// What `#` in a reply or a note searches and fills placeholders from.
struct CannedInput<'a> {
    library: &'a [CannedReply],
    context: crate::domain::canned::Context,
}

impl<'a> CannedInput<'a> {
    fn of(input: &PanelInput<'a>, detail: &TicketDetail) -> CannedInput<'a> {
        CannedInput {
            library: input.canned,
            context: crate::domain::canned::Context::of(detail, input.agent_name),
        }
    }
}

/// The most replies `#` offers at once.
const HASH_SUGGESTIONS: usize = 8;

/// Where `#` and the words after it start in `line` (the text from the
/// line's start to the cursor), and those words: the last `#` at the line's
/// start or after a space, followed by at least one letter.
fn hash_query(line: &str) -> Option<(usize, &str)> {
    let at = line.rmatch_indices('#').map(|(i, _)| i).find(|&i| {
        line[..i]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace)
    })?;
    let words = &line[at + 1..];
    words
        .starts_with(|c: char| !c.is_whitespace())
        .then_some((at, words))
}

/// The reply or note box `edit`, where typing `#` and words offers the
/// canned replies whose title or text has them; choosing one (click, Enter
/// or Tab) puts it in place of `#` and the words, placeholders filled, and
/// remembers it in `used` (its status and tags applied when sent).
fn canned_completion(
    ui: &mut Ui,
    which: TextBox,
    edit: egui::TextEdit<'_>,
    canned: &CannedInput<'_>,
    used: &mut Option<UsedCanned>,
) -> egui::Response {
    // Each suggestion's text, with the reply it is.
    let mut offered: Vec<(String, &CannedReply)> = Vec::new();
    let output = egui::CompletionPopup::new(which.id())
        // The words after `#` may hold spaces: the "word" is the line so far.
        .word_boundary(|c| c == '\n')
        .accept_keys([egui::Key::Enter, egui::Key::Tab])
        .show(ui, edit, |query| {
            let Some((at, words)) = hash_query(query.word) else {
                return Vec::new();
            };
            let before = &query.word[..at];
            crate::domain::canned::search(canned.library, words)
                .into_iter()
                .take(HASH_SUGGESTIONS)
                .map(|reply| {
                    let filled = crate::domain::canned::fill(&reply.body, &canned.context);
                    let insert = format!("{before}{}", filled.text);
                    offered.push((insert.clone(), reply));
                    egui::Suggestion::new(insert).content(reply.title.clone())
                })
                .collect()
        });
    if let Some(accepted) = &output.accepted
        && let Some((_, reply)) = offered
            .iter()
            .find(|(insert, _)| *insert == accepted.insert)
    {
        *used = Some(UsedCanned::of(reply, true));
    }
    output.text_edit.response.response
}

/// "Canned reply…": the picker for `target`, inserting at its cursor.
fn canned_button(ui: &mut Ui, target: TextBox, actions: &mut Vec<Action>) {
    let name = if target == TextBox::Note {
        "Insert a canned reply into the note"
    } else {
        "Insert a canned reply into the reply"
    };
    let button = ui
        .button("Canned reply…")
        .on_hover_text(UiCommand::InsertCanned.hint(ui.ctx(), name));
    button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name));
    if button.clicked() {
        actions.push(Action::OpenCannedPicker(if target == TextBox::Note {
            crate::app::commands::CannedInto::Note
        } else {
            crate::app::commands::CannedInto::Message
        }));
    }
}

fn conversation_tab(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    input: &PanelInput<'_>,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    let now = input.now;
    let customer = detail
        .customer
        .as_ref()
        .map_or("Customer".to_owned(), |c| c.name.clone());
    // The description is how the conversation began.
    if !detail.description.trim().is_empty() {
        message_frame(
            ui,
            &customer,
            Some("description"),
            detail.created,
            &detail.description,
            ui.visuals().faint_bg_color,
            now,
        );
    }
    if detail.messages.is_empty() && detail.description.trim().is_empty() {
        ui.weak("No messages yet.");
    }
    for message in &detail.messages {
        let (who, fill) = match message.direction {
            Direction::Inbound => (customer.clone(), ui.visuals().faint_bg_color),
            Direction::Outbound => (
                format!(
                    "{} (reply)",
                    message.author.as_ref().map_or("Agent", |a| a.name.as_str())
                ),
                ui.visuals().extreme_bg_color,
            ),
        };
        message_frame(ui, &who, None, message.at, &message.body, fill, now);
    }
    ui.add_space(8.0);
    let canned = CannedInput::of(input, detail);
    let response = writing_box(
        ui,
        focus,
        TextBox::Message,
        "Message",
        &mut state.message_input,
        "Write a reply, or paste what the customer sent (# and a word: a canned reply)",
        4,
        Some((&canned, &mut state.canned_message)),
    );
    if response.changed() {
        state.clear_error(Place::Message);
    }
    super::canned::unfilled_warning(ui, &state.message_input);
    super::canned::used_line(ui, &mut state.canned_message);
    field_error(ui, state.error_at(Place::Message));
    let received = Action::Change(Change::Message {
        direction: Direction::Inbound,
        text: state.message_input.clone(),
        then: None,
    });
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Send")
            .on_hover_text(UiCommand::Submit.hint(ui.ctx(), "Send the reply"))
            .clicked()
        {
            actions.push(Action::Change(state.reply_change(None)));
        }
        // A canned reply that sets a status sets it itself.
        let sets_status = state
            .canned_message
            .as_ref()
            .is_some_and(|u| u.apply && u.status.is_some());
        for then in [Status::Waiting, Status::Resolved] {
            if detail.status != then
                && !sets_status
                && ui
                    .button(format!("Send and set {}", then.label()))
                    .on_hover_text(format!(
                        "Send the reply, then set the status to {}",
                        then.label()
                    ))
                    .clicked()
            {
                actions.push(Action::Change(state.reply_change(Some(then))));
            }
        }
        if ui.button("Record customer message").clicked() {
            actions.push(received);
        }
        canned_button(ui, TextBox::Message, actions);
    });
    if let Some(customer) = &detail.customer {
        ui.add_space(8.0);
        ui.separator();
        other_tickets(ui, &state.other_tickets, customer, actions);
    }
}

/// The customer's other tickets, newest first: each opens on a click, and
/// all of them show in the list from the last line.
fn other_tickets(
    ui: &mut Ui,
    other: &Option<Result<(Vec<TicketRow>, u64), String>>,
    customer: &crate::domain::Customer,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new(format!("Other tickets from {}", customer.name)).strong());
    match other {
        None => busy(ui, "Loading…"),
        Some(Err(error)) => field_error(ui, Some(error)),
        Some(Ok((rows, _))) if rows.is_empty() => {
            ui.weak("None: this is their only ticket.");
        }
        Some(Ok((rows, total))) => {
            for row in rows {
                ui.horizontal(|ui| {
                    status_pill(ui, row.status);
                    let text = format!("{} {}", row.number, row.subject);
                    if short_link(ui, &text).clicked() {
                        actions.push(Action::Select(row.number));
                    }
                });
            }
            if *total > rows.len() as u64
                && short_link(
                    ui,
                    &format!("All {} tickets from {}", total + 1, customer.name),
                )
                .clicked()
            {
                actions.push(Action::FilterCustomer(customer.id, customer.name.clone()));
            }
        }
    }
}

/// A link cut short with "…" where the panel is too narrow for it (the
/// whole text on hover): a long subject must not widen the panel over the
/// list.
fn short_link(ui: &mut Ui, text: &str) -> egui::Response {
    ui.scope(|ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        ui.link(text)
    })
    .inner
}

/// One message of the conversation: who, when, and the text.
fn message_frame(
    ui: &mut Ui,
    who: &str,
    tag: Option<&str>,
    at: DateTime<Utc>,
    body: &str,
    fill: egui::Color32,
    now: DateTime<Utc>,
) {
    egui::Frame::group(ui.style()).fill(fill).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(who).strong());
            if let Some(tag) = tag {
                ui.weak(tag);
            }
            time_label(ui, at, now);
        });
        ui.add(egui::Label::new(body).wrap());
    });
}

/// The fill of an internal note: yellow, as help desks mark what the
/// customer never sees.
fn note_fill(ui: &Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(66, 58, 24)
    } else {
        egui::Color32::from_rgb(255, 246, 200)
    }
}

fn notes_tab(
    ui: &mut Ui,
    state: &mut PanelState,
    detail: &TicketDetail,
    input: &PanelInput<'_>,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    let now = input.now;
    ui.label(
        RichText::new("Internal notes: your team sees these; the customer never does.").weak(),
    );
    let canned = CannedInput::of(input, detail);
    let response = writing_box(
        ui,
        focus,
        TextBox::Note,
        "Add a note",
        &mut state.note_input,
        "Findings, handoff details, next steps (# and a word: a canned reply)",
        3,
        Some((&canned, &mut state.canned_note)),
    );
    if response.changed() {
        state.clear_error(Place::Note);
    }
    super::canned::unfilled_warning(ui, &state.note_input);
    super::canned::used_line(ui, &mut state.canned_note);
    field_error(ui, state.error_at(Place::Note));
    ui.horizontal(|ui| {
        if ui
            .button("Add Note")
            .on_hover_text(UiCommand::Submit.hint(ui.ctx(), "Add the note"))
            .clicked()
        {
            actions.push(Action::Change(state.note_change()));
        }
        canned_button(ui, TextBox::Note, actions);
    });
    ui.separator();
    if detail.notes.is_empty() {
        ui.weak("No notes yet.");
    }
    let fill = note_fill(ui);
    for note in detail.notes.iter().rev() {
        egui::Frame::group(ui.style()).fill(fill).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(note.author.as_ref().map_or("Someone", |a| a.name.as_str()))
                        .strong(),
                );
                time_label(ui, note.created, now);
                if note.updated != note.created {
                    ui.weak("(edited)").on_hover_text(exact_time(note.updated));
                }
            });
            if let Some(edit) = state.note_edits.get_mut(&note.id) {
                let response = writing_box(
                    ui,
                    focus,
                    TextBox::NoteEdit(note.id),
                    "Edit the note",
                    &mut edit.text,
                    "",
                    3,
                    None,
                );
                let (since, text) = (edit.since, edit.text.clone());
                if response.changed() {
                    state.clear_error(Place::NoteItem(note.id));
                }
                field_error(ui, state.error_at(Place::NoteItem(note.id)));
                ui.horizontal(|ui| {
                    if ui
                        .button("Save note")
                        .on_hover_text(UiCommand::Submit.hint(ui.ctx(), "Save the note"))
                        .clicked()
                    {
                        actions.push(Action::Change(Change::EditNote {
                            note: note.id,
                            version: since,
                            text,
                        }));
                    }
                    if ui.button("Cancel").clicked() {
                        state.note_edits.remove(&note.id);
                        state.clear_error(Place::NoteItem(note.id));
                    }
                });
            } else {
                ui.add(egui::Label::new(&note.body).wrap());
                field_error(ui, state.error_at(Place::NoteItem(note.id)));
                if state.confirm_delete == Some(note.id) {
                    ui.horizontal(|ui| {
                        ui.colored_label(ui.visuals().warn_fg_color, "Delete this note?");
                        if ui.button("Delete").clicked() {
                            actions.push(Action::Change(Change::DeleteNote(note.id)));
                            state.confirm_delete = None;
                        }
                        if ui.button("Keep").clicked() {
                            state.confirm_delete = None;
                        }
                    });
                } else {
                    ui.horizontal(|ui| {
                        if small_named_button(ui, "Edit", "Edit this note").clicked() {
                            state.note_edits.insert(
                                note.id,
                                Editing {
                                    since: note.version,
                                    text: note.body.clone(),
                                },
                            );
                            focus.request(TextBox::NoteEdit(note.id));
                        }
                        if small_named_button(ui, "Delete…", "Delete this note").clicked() {
                            state.confirm_delete = Some(note.id);
                        }
                    });
                }
            }
        });
    }
}

/// A small button whose accessible name says more than its text.
fn small_named_button(ui: &mut Ui, text: &str, name: &str) -> egui::Response {
    let response = ui.small_button(text).on_hover_text(name);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name));
    response
}

/// A status or priority from the palette's or keyboard's commands, as the
/// change it makes to the open ticket.
pub fn field_change(detail: &TicketDetail, command: UiCommand) -> Option<Change> {
    let version = detail.version;
    if let Some(to) = command.status() {
        return (to != detail.status).then_some(Change::Status { version, to });
    }
    if let Some(to) = command.priority() {
        return (to != detail.priority).then_some(Change::Priority { version, to });
    }
    None
}
