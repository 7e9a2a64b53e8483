//! Small pieces the panels share: status pills, priority marks, chips,
//! numbers, times and notifications.

use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Utc};
use egui::{Color32, RichText, Sense, Ui, WidgetInfo};

use crate::domain::{Priority, Status, TicketNumber};

/// The hue of a status: colour in Tickets means status, and only status.
pub fn status_hue(status: Status) -> Color32 {
    match status {
        Status::Open => Color32::from_rgb(0x25, 0x63, 0xeb),
        Status::InProgress => Color32::from_rgb(0x93, 0x33, 0xea),
        Status::Waiting => Color32::from_rgb(0xd9, 0x77, 0x06),
        Status::Resolved => Color32::from_rgb(0x16, 0xa3, 0x4a),
        Status::Closed => Color32::from_rgb(0x6b, 0x72, 0x80),
    }
}

/// A status's hue as text on this theme's background: lighter on dark.
pub fn status_text_color(ui: &Ui, status: Status) -> Color32 {
    let hue = status_hue(status);
    if ui.visuals().dark_mode {
        hue.lerp_to_gamma(Color32::WHITE, 0.45)
    } else {
        hue
    }
}

/// A status as a pill. Its fill is opaque, mixed from the panel's colour,
/// so a selected or hovered row does not tint it.
pub fn status_pill(ui: &mut Ui, status: Status) -> egui::Response {
    let hue = status_hue(status);
    let base = ui.visuals().panel_fill;
    let fill = base.lerp_to_gamma(hue, if ui.visuals().dark_mode { 0.30 } else { 0.14 });
    let text = status_text_color(ui, status);
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.0, base.lerp_to_gamma(hue, 0.55)))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(7, 1))
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(RichText::new(status.label()).color(text).strong())
                    .selectable(false),
            )
        })
        .inner
}

/// How many of the mark's three bars are filled.
fn priority_bars(priority: Priority) -> usize {
    match priority {
        Priority::Low => 1,
        Priority::Medium => 2,
        Priority::High | Priority::Urgent => 3,
    }
}

/// A priority as a shape, not a hue (as Linear and Zendesk show it): one
/// to three signal bars, Urgent a red square with "!"; with `word`, the
/// name beside it in muted text. Screen readers hear the name either way.
pub fn priority_mark(ui: &mut Ui, priority: Priority, word: bool) -> egui::Response {
    let size = egui::vec2(14.0, 14.0);
    let response = ui
        .horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 5.0;
            let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
            let painter = ui.painter_at(rect);
            let strong = ui.visuals().text_color();
            let faint = ui.visuals().weak_text_color().gamma_multiply(0.45);
            if priority == Priority::Urgent {
                let red = Color32::from_rgb(0xdc, 0x26, 0x26);
                painter.rect_filled(rect.shrink(0.5), 3.0, red);
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    "!",
                    egui::FontId::proportional(11.0),
                    Color32::WHITE,
                );
            } else {
                let filled = priority_bars(priority);
                for i in 0..3 {
                    let height = 4.0 + 4.0 * i as f32;
                    let x = rect.left() + 1.0 + i as f32 * 4.5;
                    let bar = egui::Rect::from_min_max(
                        egui::pos2(x, rect.bottom() - 1.0 - height),
                        egui::pos2(x + 3.0, rect.bottom() - 1.0),
                    );
                    painter.rect_filled(bar, 1.0, if i < filled { strong } else { faint });
                }
            }
            if word {
                ui.add(egui::Label::new(RichText::new(priority.label()).weak()).selectable(false));
            }
            response
        })
        .inner;
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Image, true, priority.label()));
    response.on_hover_text(format!("{} priority", priority.label()))
}

/// A chip: a name and, beside it, a small × that removes it. Only the ×
/// acts; the name can be clicked or hovered safely. `remove` is the ×'s
/// accessible name ("Remove the tag billing"). Returns whether × was clicked.
pub fn chip(ui: &mut Ui, text: &str, remove: &str) -> bool {
    let fill = ui.visuals().faint_bg_color;
    let stroke = ui.visuals().widgets.noninteractive.bg_stroke;
    egui::Frame::new()
        .fill(fill)
        .stroke(stroke)
        .corner_radius(10.0)
        .inner_margin(egui::Margin {
            left: 8,
            right: 4,
            top: 1,
            bottom: 1,
        })
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            ui.horizontal(|ui| {
                ui.add(egui::Label::new(text).truncate().selectable(false));
                let x = ui
                    .add(
                        egui::Button::new(RichText::new("×").strong())
                            .frame(false)
                            .small(),
                    )
                    .on_hover_text(remove);
                x.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, remove));
                x.clicked()
            })
            .inner
        })
        .inner
}

/// Why what was typed in the field above was refused, in the error colour;
/// nothing when there is no error.
pub fn field_error(ui: &mut Ui, error: Option<&str>) {
    if let Some(error) = error {
        ui.add(egui::Label::new(RichText::new(error).color(ui.visuals().error_fg_color)).wrap());
    }
}

/// A spinner and what the window is waiting for.
pub fn busy(ui: &mut Ui, what: &str) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(what);
    });
}

/// Two buttons side by side ("Save" "Cancel"); says which was clicked.
pub fn button_pair(ui: &mut Ui, first: &str, second: &str) -> (bool, bool) {
    ui.horizontal(|ui| (ui.button(first).clicked(), ui.button(second).clicked()))
        .inner
}

pub use crate::domain::{count_of, thousands};

/// A time in the computer's zone, written out in full.
pub fn exact_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// A time in the computer's zone, short, for the list: "Today 14:05",
/// "3 Nov 2026".
pub fn short_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    if local.date_naive() == now.with_timezone(&Local).date_naive() {
        local.format("Today %H:%M").to_string()
    } else {
        local.format("%-d %b %Y").to_string()
    }
}

/// A time as few characters as read well in a narrow column: "5m", "3h",
/// then the date ("12 Nov"; "12 Nov 25" in another year).
pub fn compact_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    let local = t.with_timezone(&Local);
    match secs {
        ..0 => local.format("%-d %b").to_string(),
        0..60 => "now".to_owned(),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h", secs / 3600),
        _ if local.date_naive().format("%Y").to_string()
            == now.with_timezone(&Local).format("%Y").to_string() =>
        {
            local.format("%-d %b").to_string()
        }
        _ => local.format("%-d %b %y").to_string(),
    }
}

/// How long ago, in words ("5 minutes ago").
pub fn relative_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    if secs < 0 {
        return "in the future".to_owned();
    }
    let (n, unit) = match secs {
        0..60 => return "just now".to_owned(),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        86_400..2_592_000 => (secs / 86_400, "day"),
        2_592_000..31_536_000 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A label showing a relative time, with the exact time on hover.
pub fn time_label(ui: &mut Ui, t: DateTime<Utc>, now: DateTime<Utc>) -> egui::Response {
    ui.label(relative_time(t, now)).on_hover_text(exact_time(t))
}

/// "Dana Scully", "Dana Scully +2" or "Unassigned".
pub fn assignee_summary(names: &[String]) -> String {
    match names {
        [] => "Unassigned".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
}

/// The same with first names only, for narrow columns: "Dana +2".
pub fn assignee_short(names: &[String]) -> String {
    let first = |name: &String| name.split_whitespace().next().unwrap_or(name).to_owned();
    match names {
        [] => "Unassigned".to_owned(),
        [one] => first(one),
        [one, rest @ ..] => format!("{} +{}", first(one), rest.len()),
    }
}

/// How a notification looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    /// Something worked (or stopped as asked).
    Info,
    /// Something did not.
    Error,
}

/// What a notification's button asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToastButton {
    /// List these tickets ("Show them").
    ShowTickets(Vec<TicketNumber>),
    /// Undo the last bulk change.
    UndoBulk,
}

impl ToastButton {
    /// Its words.
    fn label(&self) -> &'static str {
        match self {
            ToastButton::ShowTickets(_) => "Show them",
            ToastButton::UndoBulk => "Undo",
        }
    }
}

struct Toast {
    kind: ToastKind,
    text: String,
    shown: Instant,
    /// Buttons under the text ("Undo").
    buttons: Vec<ToastButton>,
}

/// Short notifications in the corner. A message already on show is not
/// stacked again: it stays, shown for longer.
#[derive(Default)]
pub struct Toasts {
    toasts: Vec<Toast>,
}

impl Toasts {
    /// Adds a notification.
    pub fn add(&mut self, kind: ToastKind, text: impl Into<String>) {
        self.add_with_buttons(kind, text, Vec::new());
    }

    /// Adds a notification with buttons (those stay up longer: a button is
    /// there to be reached for, and goes when one is clicked). One already
    /// on show is not stacked again: it stays, shown for longer.
    pub fn add_with_buttons(
        &mut self,
        kind: ToastKind,
        text: impl Into<String>,
        buttons: Vec<ToastButton>,
    ) {
        let text = text.into();
        if let Some(same) = self
            .toasts
            .iter_mut()
            .find(|t| t.kind == kind && t.text == text && t.buttons == buttons)
        {
            same.shown = Instant::now();
            return;
        }
        self.toasts.push(Toast {
            kind,
            text,
            shown: Instant::now(),
            buttons,
        });
    }

    /// Draws the notifications and drops the old ones; returns the button
    /// clicked, if any.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<ToastButton> {
        let life = |t: &Toast| match (t.kind, t.buttons.is_empty()) {
            (_, false) => Duration::from_secs(30),
            (ToastKind::Info, true) => Duration::from_secs(5),
            (ToastKind::Error, true) => Duration::from_secs(12),
        };
        self.toasts.retain(|t| t.shown.elapsed() < life(t));
        if self.toasts.is_empty() {
            return None;
        }
        let mut clicked = None;
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -12.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                let mut dismissed = None;
                for (i, toast) in self.toasts.iter().enumerate() {
                    let color = match toast.kind {
                        ToastKind::Info => ui.visuals().widgets.active.bg_fill,
                        ToastKind::Error => ui.visuals().error_fg_color,
                    };
                    egui::Frame::popup(ui.style())
                        .stroke(egui::Stroke::new(1.5, color))
                        .show(ui, |ui| {
                            ui.set_max_width(380.0);
                            ui.horizontal(|ui| {
                                ui.add(egui::Label::new(&toast.text).wrap());
                                if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                                    dismissed = Some(i);
                                }
                            });
                            if !toast.buttons.is_empty() {
                                ui.horizontal(|ui| {
                                    for button in &toast.buttons {
                                        if ui.button(button.label()).clicked() {
                                            clicked = Some(button.clone());
                                            dismissed = Some(i);
                                        }
                                    }
                                });
                            }
                        });
                }
                if let Some(i) = dismissed {
                    self.toasts.remove(i);
                }
            });
        ctx.request_repaint_after(Duration::from_millis(500));
        clicked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let ago = |secs| relative_time(now - chrono::Duration::seconds(secs), now);
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(3 * 3600), "3 hours ago");
        assert_eq!(ago(86_400), "1 day ago");
        assert_eq!(ago(40 * 86_400), "1 month ago");
    }

    #[test]
    fn compact_times_fit_a_narrow_column() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let ago = |secs| compact_time(now - chrono::Duration::seconds(secs), now);
        assert_eq!(ago(30), "now");
        assert_eq!(ago(5 * 60), "5m");
        assert_eq!(ago(3 * 3600), "3h");
        assert!(ago(20 * 86_400).ends_with("Nov"), "{}", ago(20 * 86_400));
        assert!(ago(400 * 86_400).ends_with(" 25"), "{}", ago(400 * 86_400));
    }

    #[test]
    fn assignees_are_summarised() {
        assert_eq!(assignee_summary(&[]), "Unassigned");
        assert_eq!(assignee_summary(&["Dana".into()]), "Dana");
        let three = ["Dana Scully".into(), "Sam Okafor".into(), "Li Wei".into()];
        assert_eq!(assignee_summary(&three), "Dana Scully +2");
        assert_eq!(assignee_short(&three), "Dana +2");
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(count_of(1, "ticket", "tickets"), "1 ticket");
        assert_eq!(count_of(12_408, "ticket", "tickets"), "12,408 tickets");
    }
}
