//! File → Service levels…: the team's targets for each priority, how their
//! time is counted, and the team's calendar. What was typed stays when it
//! is refused; the store says why.

use chrono::{NaiveDate, NaiveTime};
use egui::{RichText, Ui};

use super::Action;
use super::widgets::field_error;
use crate::domain::Priority;
use crate::domain::sla::{Clocking, SlaPolicy, Targets, TeamCalendar};

/// The days of the week, Monday first, as the form names them.
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The dialog's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlaForm {
    /// First-reply targets by priority (Low first): "1 h", "30 m", "2 d",
    /// empty for none.
    pub first: [String; 4],
    /// Resolution targets by priority.
    pub resolution: [String; 4],
    /// Business hours rather than calendar time.
    pub business: bool,
    /// The calendar's time zone.
    pub zone: String,
    /// Working days, Monday first.
    pub days: [bool; 7],
    /// A working day's start, "09:00".
    pub start: String,
    /// Its end, "17:00".
    pub end: String,
    /// Days off, one YYYY-MM-DD a line.
    pub holidays: String,
    /// Whether Waiting stops the resolution clock.
    pub pause: bool,
    /// Why it was refused.
    pub error: Option<String>,
    /// Sent, not yet answered.
    pub saving: bool,
}

impl SlaForm {
    /// The form showing `policy`.
    pub fn of(policy: &SlaPolicy) -> SlaForm {
        let length = |m: Option<u32>| m.map(length_text).unwrap_or_default();
        let calendar = &policy.calendar;
        SlaForm {
            first: policy.targets.map(|t| length(t.first_reply_minutes)),
            resolution: policy.targets.map(|t| length(t.resolution_minutes)),
            business: policy.clocking == Clocking::BusinessHours,
            zone: calendar.zone.clone(),
            days: calendar.days,
            start: calendar.start.format("%H:%M").to_string(),
            end: calendar.end.format("%H:%M").to_string(),
            holidays: calendar
                .holidays
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            pause: policy.pause_in_waiting,
            error: None,
            saving: false,
        }
    }

    /// The policy typed, or what is wrong with it, in a sentence.
    pub fn policy(&self) -> Result<SlaPolicy, String> {
        let mut targets = [Targets::default(); 4];
        for (i, priority) in Priority::ALL.iter().enumerate() {
            targets[i] = Targets {
                first_reply_minutes: parse_length(&self.first[i])
                    .map_err(|e| format!("{} first reply: {e}", priority.label()))?,
                resolution_minutes: parse_length(&self.resolution[i])
                    .map_err(|e| format!("{} resolution: {e}", priority.label()))?,
            };
        }
        let time = |text: &str, what: &str| {
            NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
                format!(
                    "The working day's {what} “{}” is not a time such as 09:00",
                    text.trim()
                )
            })
        };
        let mut holidays = Vec::new();
        for line in self
            .holidays
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let day = NaiveDate::parse_from_str(line, "%Y-%m-%d")
                .map_err(|_| format!("The holiday “{line}” is not a date such as 2026-12-25"))?;
            holidays.push(day);
        }
        holidays.sort();
        holidays.dedup();
        let policy = SlaPolicy {
            targets,
            clocking: if self.business {
                Clocking::BusinessHours
            } else {
                Clocking::Calendar
            },
            calendar: TeamCalendar {
                zone: self.zone.trim().to_owned(),
                days: self.days,
                start: time(&self.start, "start")?,
                end: time(&self.end, "end")?,
                holidays,
            },
            pause_in_waiting: self.pause,
        };
        crate::domain::sla::check(&policy)?;
        Ok(policy)
    }
}

/// A target's length as the form shows it: "1 d 2 h 30 m", "45 m".
pub fn length_text(minutes: u32) -> String {
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(format!("{m} m"));
    }
    parts.join(" ")
}

/// A length typed as "1 h 30 m", "90m", "8h", "2 d" or plain minutes
/// ("45"); empty: no target.
pub fn parse_length(text: &str) -> Result<Option<u32>, String> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return Ok(None);
    }
    let refuse = || format!("“{text}” is not a length such as 1 h 30 m, 45 m or 2 d");
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut seen_unit = true;
    let mut rest = text.chars().peekable();
    while let Some(c) = rest.next() {
        if c.is_ascii_digit() {
            number.push(c);
            seen_unit = false;
        } else if c.is_whitespace() {
            continue;
        } else if c.is_alphabetic() {
            let mut unit = c.to_string();
            while let Some(&n) = rest.peek() {
                if !n.is_alphabetic() {
                    break;
                }
                unit.push(n);
                rest.next();
            }
            let per = match unit.as_str() {
                "m" | "min" | "mins" | "minute" | "minutes" => 1,
                "h" | "hr" | "hrs" | "hour" | "hours" => 60,
                "d" | "day" | "days" => 1440,
                _ => return Err(refuse()),
            };
            let n: u64 = number.parse().map_err(|_| refuse())?;
            total += n * per;
            number.clear();
            seen_unit = true;
        } else {
            return Err(refuse());
        }
    }
    if !seen_unit {
        // A bare number is minutes.
        total += number.parse::<u64>().map_err(|_| refuse())?;
    }
    match u32::try_from(total) {
        Ok(0) => Err("a target must be at least a minute (leave it empty for none)".to_owned()),
        Ok(m) if m <= crate::domain::sla::MAX_TARGET_MINUTES => Ok(Some(m)),
        _ => Err("a target can be at most 366 days".to_owned()),
    }
}

/// A text box with an accessible name (its visible label is the grid's row
/// and column, or the word before it).
fn named_box(ui: &mut Ui, text: &mut String, name: &str, width: f32, hint: &str) {
    ui.add(
        egui::TextEdit::singleline(text)
            .desired_width(width)
            .hint_text(hint),
    )
    .accessible_name(name);
}

/// Draws the dialog; Save sends the policy typed, or says what is wrong.
pub fn service_levels_ui(ui: &mut Ui, form: &mut SlaForm, actions: &mut Vec<Action>) {
    ui.heading("Service levels");
    ui.label("How soon the team promises a first reply and a resolution, for each priority.");
    ui.add_space(6.0);
    egui::Grid::new("sla_targets")
        .num_columns(3)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Priority").strong());
            ui.label(RichText::new("First reply within").strong());
            ui.label(RichText::new("Resolved within").strong());
            ui.end_row();
            for (i, priority) in Priority::ALL.iter().enumerate() {
                ui.label(priority.label());
                named_box(
                    ui,
                    &mut form.first[i],
                    &format!("{} first reply target", priority.label()),
                    140.0,
                    "none",
                );
                named_box(
                    ui,
                    &mut form.resolution[i],
                    &format!("{} resolution target", priority.label()),
                    140.0,
                    "none",
                );
                ui.end_row();
            }
        });
    ui.weak("Lengths such as 1 h 30 m, 45 m or 2 d; empty: no promise.");
    if form.business {
        // In business hours a day of the target is 24 working hours, not
        // one working day: say so, with this calendar's day.
        let day = match (
            NaiveTime::parse_from_str(form.start.trim(), "%H:%M"),
            NaiveTime::parse_from_str(form.end.trim(), "%H:%M"),
        ) {
            (Ok(start), Ok(end)) if end > start => {
                format!(
                    " (one working day here is {})",
                    length_text((end - start).num_minutes() as u32)
                )
            }
            _ => String::new(),
        };
        ui.weak(format!(
            "Counted in working time: 1 d is 24 working hours{day}."
        ));
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.label("Count");
        ui.radio_value(&mut form.business, false, "Calendar time");
        ui.radio_value(&mut form.business, true, "Business hours");
    });
    ui.checkbox(
        &mut form.pause,
        "Time in Waiting pauses the resolution clock",
    );
    ui.add_space(6.0);
    ui.add_enabled_ui(form.business, |ui| {
        ui.label(RichText::new("The team's calendar").strong());
        ui.horizontal(|ui| {
            ui.label("Time zone");
            named_box(ui, &mut form.zone, "Time zone", 200.0, "Europe/Berlin");
        });
        ui.horizontal(|ui| {
            for (day, on) in DAYS.iter().zip(form.days.iter_mut()) {
                ui.checkbox(on, *day);
            }
        });
        ui.horizontal(|ui| {
            ui.label("Hours");
            named_box(ui, &mut form.start, "Working day starts", 60.0, "09:00");
            ui.label("to");
            named_box(ui, &mut form.end, "Working day ends", 60.0, "17:00");
        });
        ui.label("Holidays, one date a line");
        ui.add(
            egui::TextEdit::multiline(&mut form.holidays)
                .desired_rows(3)
                .desired_width(240.0)
                .hint_text("2026-12-25"),
        )
        .accessible_name("Holidays");
    });
    field_error(ui, form.error.as_deref());
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let save = ui.add_enabled(!form.saving, egui::Button::new("Save"));
        if save.clicked() {
            match form.policy() {
                Ok(policy) => {
                    form.error = None;
                    form.saving = true;
                    actions.push(Action::SaveSlaPolicy(Box::new(policy)));
                }
                Err(problem) => form.error = Some(problem),
            }
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::CloseModal);
        }
        if form.saving {
            ui.spinner();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_as_agents_type_them() {
        assert_eq!(parse_length(""), Ok(None));
        assert_eq!(parse_length("45"), Ok(Some(45)));
        assert_eq!(parse_length("1 h 30 m"), Ok(Some(90)));
        assert_eq!(parse_length("1h30m"), Ok(Some(90)));
        assert_eq!(parse_length("2 days"), Ok(Some(2880)));
        assert_eq!(parse_length(" 8 Hours "), Ok(Some(480)));
        assert!(
            parse_length("soon")
                .unwrap_err()
                .contains("“soon” is not a length")
        );
        assert!(parse_length("0").unwrap_err().contains("at least a minute"));
        assert!(
            parse_length("400 d")
                .unwrap_err()
                .contains("at most 366 days")
        );
        assert!(parse_length("1.5 h").is_err());
        for minutes in [1, 45, 60, 90, 1440, 1441, 2 * 1440 + 150] {
            assert_eq!(parse_length(&length_text(minutes)), Ok(Some(minutes)));
        }
    }

    #[test]
    fn the_form_round_trips_a_policy_and_names_what_is_wrong() {
        let mut policy = SlaPolicy::default();
        policy.targets[3] = Targets {
            first_reply_minutes: Some(60),
            resolution_minutes: Some(8 * 60),
        };
        policy.clocking = Clocking::BusinessHours;
        policy.calendar.zone = "Europe/Berlin".to_owned();
        policy.calendar.holidays = vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()];
        let mut form = SlaForm::of(&policy);
        assert_eq!(form.first[3], "1 h");
        assert_eq!(form.resolution[3], "8 h");
        assert_eq!(form.policy(), Ok(policy));
        form.start = "9am".to_owned();
        assert_eq!(
            form.policy().unwrap_err(),
            "The working day's start “9am” is not a time such as 09:00"
        );
        form.start = "09:00".to_owned();
        form.first[2] = "soon".to_owned();
        assert!(
            form.policy()
                .unwrap_err()
                .starts_with("High first reply: “soon”")
        );
        form.first[2].clear();
        form.zone = "Mars/Base".to_owned();
        assert!(
            form.policy()
                .unwrap_err()
                .contains("“Mars/Base” is not a time zone")
        );
    }
}
