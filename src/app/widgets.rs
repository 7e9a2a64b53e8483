//! Small pieces shared by the panels: badges, times, notifications.

use std::time::{Duration, Instant};

use chrono::{DateTime, Local, Utc};
use egui::{Color32, RichText, Ui};

use crate::domain::{Priority, Status};

/// The colour of a status badge.
pub fn status_color(status: Status) -> Color32 {
    match status {
        Status::Open => Color32::from_rgb(0x25, 0x63, 0xeb),
        Status::InProgress => Color32::from_rgb(0x93, 0x33, 0xea),
        Status::Waiting => Color32::from_rgb(0xd9, 0x77, 0x06),
        Status::Resolved => Color32::from_rgb(0x16, 0xa3, 0x4a),
        Status::Closed => Color32::from_rgb(0x6b, 0x72, 0x80),
    }
}

/// The colour of a priority badge.
pub fn priority_color(priority: Priority) -> Color32 {
    match priority {
        Priority::Low => Color32::from_rgb(0x6b, 0x72, 0x80),
        Priority::Medium => Color32::from_rgb(0x02, 0x84, 0xc7),
        Priority::High => Color32::from_rgb(0xea, 0x58, 0x0c),
        Priority::Urgent => Color32::from_rgb(0xdc, 0x26, 0x26),
    }
}

/// A coloured, rounded label.
pub fn badge(ui: &mut Ui, text: &str, color: Color32) -> egui::Response {
    egui::Frame::new()
        .fill(color.gamma_multiply(0.18))
        .stroke(egui::Stroke::new(1.0, color.gamma_multiply(0.6)))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(text).color(color).strong()).selectable(false))
        })
        .inner
}

/// A spinner and what the window is waiting for.
pub fn busy(ui: &mut Ui, what: &str) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(what);
    });
}

/// A long job's progress bar, with `text` on it and, given `stop`, a button
/// of that name beside it; says whether the button was clicked.
pub fn job_progress(
    ui: &mut Ui,
    (done, total): (u64, u64),
    text: String,
    stop: Option<&str>,
) -> bool {
    let fraction = if total > 0 {
        done as f32 / total as f32
    } else {
        0.0
    };
    ui.add(
        egui::ProgressBar::new(fraction)
            .desired_width(160.0)
            .text(text),
    );
    stop.is_some_and(|label| ui.button(label).clicked())
}

/// Two buttons side by side ("Save" "Cancel"); says which was clicked.
pub fn button_pair(ui: &mut Ui, first: &str, second: &str) -> (bool, bool) {
    ui.horizontal(|ui| (ui.button(first).clicked(), ui.button(second).clicked()))
        .inner
}

/// A time in the computer's zone, written out in full.
pub fn exact_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// A time in the computer's zone, short, for the list.
pub fn short_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    if local.date_naive() == now.with_timezone(&Local).date_naive() {
        local.format("Today %H:%M").to_string()
    } else {
        local.format("%-d %b %Y").to_string()
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

/// "Dana", "Dana +2" or "Unassigned".
pub fn assignee_summary(names: &[String]) -> String {
    match names {
        [] => "Unassigned".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
}

/// How a notification looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    /// Something worked.
    Info,
    /// Something did not.
    Error,
}

struct Toast {
    kind: ToastKind,
    text: String,
    shown: Instant,
}

/// Short notifications in the corner; each error is shown once.
#[derive(Default)]
pub struct Toasts {
    toasts: Vec<Toast>,
}

impl Toasts {
    /// Adds a notification.
    pub fn add(&mut self, kind: ToastKind, text: impl Into<String>) {
        self.toasts.push(Toast {
            kind,
            text: text.into(),
            shown: Instant::now(),
        });
    }

    /// Draws the notifications and drops the old ones.
    pub fn show(&mut self, ctx: &egui::Context) {
        let life = |kind| match kind {
            ToastKind::Info => Duration::from_secs(4),
            ToastKind::Error => Duration::from_secs(10),
        };
        self.toasts.retain(|t| t.shown.elapsed() < life(t.kind));
        if self.toasts.is_empty() {
            return;
        }
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
                            ui.set_max_width(360.0);
                            ui.horizontal(|ui| {
                                ui.label(&toast.text);
                                if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                                    dismissed = Some(i);
                                }
                            });
                        });
                }
                if let Some(i) = dismissed {
                    self.toasts.remove(i);
                }
            });
        ctx.request_repaint_after(Duration::from_millis(500));
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
    fn assignees_are_summarised() {
        assert_eq!(assignee_summary(&[]), "Unassigned");
        assert_eq!(assignee_summary(&["Dana".into()]), "Dana");
        assert_eq!(
            assignee_summary(&["Dana".into(), "Sam".into(), "Li".into()]),
            "Dana +2"
        );
    }
}
