//! The Analytics window: a period, the cards, the charts and the per-agent
//! breakdown. Every number says what it means on hover and opens the tickets
//! behind it in the list when clicked; the window then says what it did.
//!
//! - `cards.rs`: the summary cards;
//! - `charts.rs`: the trend and the bar charts;
//! - `agents.rs`: the per-agent table.

mod agents;
mod canned;
mod cards;
mod charts;

use chrono::NaiveDate;
use egui::{RichText, Ui};

use super::super::commands::Action;
use super::sidebar::{from_jiff, to_jiff};
use super::widgets::count_of;
use crate::analytics::{Measure, PeriodChoice, Report, Scope};
use crate::export::ReportFormat;

/// What the window shows and is asked.
pub struct AnalyticsWindow {
    /// The period picked.
    pub choice: PeriodChoice,
    custom: (NaiveDate, NaiveDate),
    /// The latest report, once computed.
    pub report: Option<Report>,
    /// Why the last report failed, if it did.
    pub error: Option<String>,
    /// The newest report asked for; older answers are dropped.
    pub asked: u64,
    /// Whether a report is being computed.
    pub loading: bool,
    /// The export format last picked.
    pub format: ReportFormat,
    /// The figure whose tickets the list was last asked to show.
    pub drilled: Option<Scope>,
    /// How often each canned reply was used in the period, or why not.
    pub canned: Option<Result<Vec<crate::analytics::CannedUse>, String>>,
    sort: (agents::AgentColumn, bool),
}

impl AnalyticsWindow {
    /// The window on Last 30d; Custom starts as the week up to `today`.
    pub fn new(today: NaiveDate) -> Self {
        AnalyticsWindow {
            choice: PeriodChoice::Last30d,
            custom: (today - chrono::Duration::days(6), today),
            report: None,
            error: None,
            asked: 0,
            loading: false,
            format: ReportFormat::Csv,
            drilled: None,
            canned: None,
            sort: (agents::AgentColumn::Handled, true),
        }
    }

    /// The tickets behind a number of the current report.
    fn scope(&self, measure: Measure, what: String) -> Option<Scope> {
        let report = self.report.as_ref()?;
        let (start_ms, mut end_ms) = report.period.millis();
        if matches!(measure, Measure::TargetDue { .. }) {
            // Targets count once their due moment has passed.
            end_ms = report.period.due_until_millis();
        }
        Some(Scope {
            measure,
            start_ms,
            end_ms,
            label: format!(
                "{what} ({})",
                report.period.description.trim_end_matches(", local time")
            ),
        })
    }
}

/// What the window shows of the rest of the app.
pub struct Shown<'a> {
    /// The running export's progress, if one runs.
    pub exporting: Option<(u64, u64)>,
    /// How many tickets the list holds now.
    pub list_total: Option<u64>,
    /// The figure the list is showing the tickets of, if it is.
    pub list_scope: Option<&'a Scope>,
}

/// "3d 4h", "5h 12m", "12m", "45s".
pub fn human_duration(ms: f64) -> String {
    let s = (ms / 1000.0).round() as i64;
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    }
}

fn percent(r: Option<f64>) -> String {
    r.map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// Shows the window: its own native window beside the list where the
/// platform has them (drill-downs land in the list while the numbers stay
/// in view), else a window inside the app's, never larger than it.
/// Returns false once it is closed.
pub fn window(
    ctx: &egui::Context,
    state: &mut AnalyticsWindow,
    shown: &Shown<'_>,
    actions: &mut Vec<Action>,
) -> bool {
    let mut open = true;
    if ctx.embed_viewports() {
        egui::Window::new("Analytics")
            .open(&mut open)
            .default_size([1000.0, 720.0])
            .default_pos([240.0, 50.0])
            .max_size(ctx.content_rect().size() - egui::vec2(16.0, 40.0))
            .resizable(true)
            .show(ctx, |ui| analytics_ui(ui, state, shown, actions));
    } else {
        // As large as suits it, and no larger than the screen.
        let screen = ctx
            .input(|i| i.viewport().monitor_size)
            .unwrap_or(egui::vec2(1280.0, 800.0));
        let size = egui::vec2(1040.0, 780.0).min(screen - egui::vec2(40.0, 80.0));
        ctx.show_viewport_immediate(
            egui::ViewportId::from_hash_of("analytics"),
            egui::ViewportBuilder::default()
                .with_title("Tickets — Analytics")
                .with_inner_size(size)
                .with_min_inner_size([480.0, 360.0]),
            |ui, _| {
                egui::CentralPanel::default()
                    .show(ui, |ui| analytics_ui(ui, state, shown, actions));
                if ui.input(|i| i.viewport().close_requested() || i.key_pressed(egui::Key::Escape))
                {
                    open = false;
                }
            },
        );
    }
    open
}

/// Draws the window's contents.
fn analytics_ui(
    ui: &mut Ui,
    state: &mut AnalyticsWindow,
    shown: &Shown<'_>,
    actions: &mut Vec<Action>,
) {
    period_bar(ui, state, actions);
    ui.horizontal(|ui| {
        match &state.report {
            Some(r) => ui.label(RichText::new(&r.period.description).strong()),
            None => ui.label("Working out the numbers…"),
        };
        if state.loading {
            ui.spinner();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let running = shown.exporting.is_some();
            let hint = if running {
                "An export is running; its progress and Cancel are in the main window's top bar"
            } else {
                "Write this period's report: the cards, every chart's series, the per-agent table and one row per ticket counted"
            };
            if ui
                .add_enabled(
                    state.report.is_some() && !running,
                    egui::Button::new("Export…"),
                )
                .on_hover_text(hint)
                .on_disabled_hover_text(hint)
                .clicked()
            {
                actions.push(Action::ExportReport);
            }
        });
    });
    if let Some(error) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    drilled_note(ui, state, shown);
    ui.separator();
    if state.report.is_none() {
        return;
    }
    // A scroll bar beside the cards, not over them.
    ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            cards::cards(ui, state, actions);
            ui.add_space(8.0);
            cards::sla_by_priority(ui, state, actions);
            ui.add_space(12.0);
            charts::charts(ui, state, actions);
            ui.add_space(12.0);
            ui.heading("Per agent");
            // Eleven columns: scrolled sideways in a narrow window rather
            // than widening the window past the screen.
            egui::ScrollArea::horizontal()
                .id_salt("agent_table_scroll")
                .show(ui, |ui| agents::agent_table(ui, state, actions));
            ui.add_space(12.0);
            canned::canned_table(ui, state.canned.as_ref());
        });
}

/// After a drill-down: what the list now shows, in words.
fn drilled_note(ui: &mut Ui, state: &AnalyticsWindow, shown: &Shown<'_>) {
    let Some(scope) = &state.drilled else {
        return;
    };
    if shown.list_scope != Some(scope) {
        return;
    }
    let text = match shown.list_total {
        Some(n) => format!(
            "The ticket list now shows the {} behind “{}”.",
            count_of(n, "ticket", "tickets"),
            scope.label
        ),
        None => format!(
            "The ticket list is being filled with the tickets behind “{}”…",
            scope.label
        ),
    };
    ui.add(egui::Label::new(RichText::new(format!("→ {text}")).weak()).wrap());
}

fn period_bar(ui: &mut Ui, state: &mut AnalyticsWindow, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        for choice in PeriodChoice::PRESETS {
            if ui
                .selectable_label(state.choice == choice, choice.label())
                .clicked()
            {
                actions.push(Action::Report(choice));
            }
        }
        let custom = matches!(state.choice, PeriodChoice::Custom { .. });
        if ui.selectable_label(custom, "Custom").clicked() && !custom {
            let (from, to) = state.custom;
            actions.push(Action::Report(PeriodChoice::Custom { from, to }));
        }
        if custom {
            let (mut from, mut to) = (to_jiff(state.custom.0), to_jiff(state.custom.1));
            let label = ui.label("From");
            let a = ui
                .add(egui_extras::DatePickerButton::new(&mut from).id_salt("analytics_from"))
                .labelled_by(label.id);
            let label = ui.label("to");
            let b = ui
                .add(egui_extras::DatePickerButton::new(&mut to).id_salt("analytics_to"))
                .labelled_by(label.id);
            if (a.changed() || b.changed())
                && let (Some(from), Some(to)) = (from_jiff(from), from_jiff(to))
            {
                state.custom = (from, to);
                actions.push(Action::Report(PeriodChoice::Custom { from, to }));
            }
        }
    });
}
