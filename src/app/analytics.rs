//! The Analytics window: a period, the cards, the charts and the per-agent
//! breakdown. Every number says what it means on hover and opens the tickets
//! behind it in the list when clicked.

use chrono::NaiveDate;
use egui::{RichText, Role, Sense, Ui, WidgetInfo};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use super::Action;
use super::sidebar::{from_jiff, to_jiff};
use super::widgets::{self, priority_color, status_color};
use crate::analytics::{AgentRow, Durations, Measure, PeriodChoice, Report, Scope};
use crate::domain::{Status, to_millis};
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
    /// The export format picked.
    pub format: ReportFormat,
    sort: (AgentColumn, bool),
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
            sort: (AgentColumn::Handled, true),
        }
    }
}

/// A sortable column of the per-agent table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AgentColumn {
    Name,
    Handled,
    Resolved,
    FirstResponses,
    FirstResponseMean,
    FirstResponseMedian,
    ResolutionMean,
    ResolutionMedian,
    Csat,
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

fn spread(d: &Durations) -> String {
    match (d.median_ms, d.p90_ms) {
        (Some(median), Some(p90)) => format!(
            "median {} · p90 {} · {} ticket{}",
            human_duration(median),
            human_duration(p90),
            d.count,
            if d.count == 1 { "" } else { "s" }
        ),
        _ => "no tickets".to_owned(),
    }
}

impl AnalyticsWindow {
    /// The tickets behind a number of the current report.
    fn scope(&self, measure: Measure, what: String) -> Option<Scope> {
        let report = self.report.as_ref()?;
        let (start_ms, end_ms) = report.period.millis();
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

/// Draws the window's contents.
pub fn analytics_ui(
    ui: &mut Ui,
    state: &mut AnalyticsWindow,
    exporting: Option<(u64, u64)>,
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
            export_bar(ui, state, exporting, actions);
        });
    });
    if let Some(error) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    ui.separator();
    if state.report.is_none() {
        return;
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        cards(ui, state, actions);
        ui.add_space(8.0);
        charts(ui, state, actions);
        ui.add_space(8.0);
        ui.heading("Per agent");
        agent_table(ui, state, actions);
    });
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

fn export_bar(
    ui: &mut Ui,
    state: &mut AnalyticsWindow,
    exporting: Option<(u64, u64)>,
    actions: &mut Vec<Action>,
) {
    if let Some((done, total)) = exporting {
        // Right to left: the button first, so that it stands after the bar.
        if ui.button("Cancel export").clicked() {
            actions.push(Action::CancelExport);
        }
        widgets::job_progress(
            ui,
            (done, total),
            format!("Exporting {done} of {total}"),
            None,
        );
        return;
    }
    let enabled = state.report.is_some();
    if ui
        .add_enabled(enabled, egui::Button::new("Export…"))
        .on_hover_text("Write this period's report: the cards, every chart's series, the per-agent table and one row per ticket counted")
        .clicked()
    {
        actions.push(Action::ExportReport(state.format));
    }
    // Right to left: the combo box first, so that "Format" reads before it.
    let combo = egui::ComboBox::from_id_salt("export_format")
        .selected_text(match state.format {
            ReportFormat::Csv => "CSV (two files)",
            ReportFormat::Xlsx => "Excel workbook",
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut state.format, ReportFormat::Csv, "CSV (two files)");
            ui.selectable_value(&mut state.format, ReportFormat::Xlsx, "Excel workbook");
        })
        .response;
    let label = ui.label("Format");
    combo.labelled_by(label.id);
}

/// One summary card: clickable, explained on hover, named for screen readers.
/// A card's inner margin and its narrowest content width.
const CARD_MARGIN: f32 = 10.0;
const CARD_MIN_WIDTH: f32 = 170.0;

/// How many cards fit side by side in `available` points, and the width of
/// each card's content so that they fill the row.
fn card_grid(available: f32, spacing: f32, cards: usize) -> (usize, f32) {
    // A card takes its content width plus margins and the frame's stroke.
    let outer = |content: f32| content + 2.0 * CARD_MARGIN + 2.0;
    let fit = ((available + spacing) / (outer(CARD_MIN_WIDTH) + spacing)).floor() as usize;
    let per_row = fit.clamp(1, cards.max(1));
    let width = (available - spacing * (per_row - 1) as f32) / per_row as f32;
    (
        per_row,
        (width - outer(0.0)).max(CARD_MIN_WIDTH.min(available)),
    )
}

#[allow(clippy::too_many_arguments)]
fn card(
    ui: &mut Ui,
    width: f32,
    title: &str,
    value: String,
    detail: String,
    meaning: &str,
    scope: Option<Scope>,
    actions: &mut Vec<Action>,
) {
    let inner = egui::Frame::group(ui.style())
        .inner_margin(CARD_MARGIN)
        .show(ui, |ui| {
            ui.set_width(width);
            ui.vertical(|ui| {
                ui.label(RichText::new(title).strong());
                ui.label(RichText::new(&value).size(26.0));
                ui.label(RichText::new(&detail).small().weak());
            });
        });
    let response = ui
        .interact(
            inner.response.rect,
            ui.scope_id().with(title),
            Sense::click(),
        )
        .on_hover_text(format!("{meaning}\n\nClick to list these tickets."));
    response.widget_info(|| WidgetInfo::labeled(Role::Button, true, format!("{title}: {value}")));
    if response.clicked()
        && let Some(scope) = scope
    {
        actions.push(Action::Drill(scope));
    }
}

fn cards(ui: &mut Ui, state: &AnalyticsWindow, actions: &mut Vec<Action>) {
    let Some(r) = &state.report else {
        return;
    };
    let period = r.period.choice.label();
    let list = [
        (
            "Created",
            r.created.to_string(),
            format!("in {period}"),
            "Tickets whose creation time is in the period.",
            state.scope(Measure::Created, "Created".to_owned()),
        ),
        (
            "Closed",
            r.closed.to_string(),
            format!("in {period}"),
            "Tickets whose close moment (the last time they entered Closed) is in the period, each ticket once.",
            state.scope(Measure::Closed, "Closed".to_owned()),
        ),
        (
            "Open",
            r.open.to_string(),
            "at the end of the period".to_owned(),
            "Tickets whose status at the end of the period is Open, In Progress or Waiting: the backlog then, whenever they were created.",
            state.scope(Measure::OpenAtEnd, "Open at the end".to_owned()),
        ),
        (
            "Avg Resolution",
            r.resolution.mean_ms.map_or("—".to_owned(), human_duration),
            spread(&r.resolution),
            "Mean of (resolution moment − creation) over the tickets whose resolution moment is in the period. The resolution moment is the last time a ticket entered Resolved or Closed from an unresolved status, so a reopened ticket counts its latest resolution. Calendar time; median and 90th percentile beside it.",
            state.scope(Measure::Resolved, "Resolved".to_owned()),
        ),
        (
            "Avg First Response",
            r.first_response
                .mean_ms
                .map_or("—".to_owned(), human_duration),
            spread(&r.first_response),
            "Mean of (first reply − creation) over the tickets whose first reply to the customer is in the period. Internal notes are never replies. Calendar time.",
            state.scope(Measure::FirstReplied, "First replied".to_owned()),
        ),
        (
            "Closure Rate",
            percent(r.closure_rate()),
            format!("{} of {} created", r.closed_of_created, r.created),
            "Of the tickets created in the period, the share whose status at the end of the period is Closed; “—” when none were created.",
            state.scope(
                Measure::CreatedWithStatus(Status::Closed),
                "Created and Closed at the end".to_owned(),
            ),
        ),
        (
            "CSAT",
            percent(r.csat.score()),
            format!(
                "{} of {} ratings were 4 or 5",
                r.csat.positive, r.csat.ratings
            ),
            "Satisfaction ratings of 4 or 5 divided by all ratings recorded in the period.",
            state.scope(Measure::Rated, "Rated".to_owned()),
        ),
    ];
    // Nested frames do not wrap in a wrapped layout (their size is known only
    // once drawn), so lay the cards out in rows that fit the window's width.
    let spacing = ui.spacing().item_spacing.x;
    let (per_row, width) = card_grid(ui.available_width(), spacing, list.len());
    let mut list = list.into_iter().peekable();
    while list.peek().is_some() {
        ui.horizontal(|ui| {
            for (title, value, detail, meaning, scope) in list.by_ref().take(per_row) {
                card(ui, width, title, value, detail, meaning, scope, actions);
            }
        });
    }
}

/// Which bar of a chart the pointer was on when it was clicked.
fn clicked_index(
    response: &egui_plot::PlotResponse<Option<egui_plot::PlotPoint>>,
    horizontal: bool,
    len: usize,
) -> Option<usize> {
    if !response.response.clicked() {
        return None;
    }
    let point = response.inner?;
    let at = if horizontal { point.y } else { point.x }.round();
    (at >= 0.0 && (at as usize) < len).then_some(at as usize)
}

fn bar_plot(
    ui: &mut Ui,
    id: &str,
    names: &[String],
    values: &[u64],
    colors: Option<&[egui::Color32]>,
    horizontal: bool,
) -> Option<usize> {
    let count = values.len();
    // Where bar `i` stands on its axis: left to right, or top to bottom (the
    // first, largest, bar on top).
    let at = move |i: usize| {
        if horizontal {
            (count - 1 - i) as f64
        } else {
            i as f64
        }
    };
    let fill = ui.visuals().selection.bg_fill;
    let bars: Vec<Bar> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            Bar::new(at(i), v as f64)
                .name(&names[i])
                .width(0.7)
                .fill(colors.map_or(fill, |c| c[i]))
        })
        .collect();
    let mut chart = BarChart::new("Tickets", bars)
        .element_formatter(Box::new(|bar, _| format!("{}: {}", bar.name, bar.value)));
    if horizontal {
        chart = chart.horizontal();
    }
    let labels = names.to_vec();
    let label = move |mark: egui_plot::GridMark, _: &std::ops::RangeInclusive<f64>| {
        let p = mark.value.round();
        if (mark.value - p).abs() < 1e-6 && p >= 0.0 && (p as usize) < count {
            let i = at(p as usize) as usize;
            labels.get(i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    // Horizontal charts list up to 16 names: egui_plot shows a name only
    // when marks are 20 points apart or more, fully from 30.
    let height = if horizontal {
        (count as f32 * 30.0 + 40.0).clamp(200.0, 560.0)
    } else {
        200.0
    };
    let mut plot = Plot::new(id.to_owned())
        .height(height)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show_grid(false);
    // One mark per bar, so that every bar is named on its axis.
    let every_bar = move |_: egui_plot::GridInput| {
        (0..count)
            .map(|i| egui_plot::GridMark {
                value: i as f64,
                step_size: 1.0,
            })
            .collect()
    };
    plot = if horizontal {
        // Counts along x: numbers are narrow, so allow them closer than the
        // default 60 points (a chart a third of the window wide showed only "0").
        plot.y_axis_formatter(label)
            .y_grid_spacer(every_bar)
            .custom_x_axes(vec![
                egui_plot::AxisHints::new_x().label_spacing(35.0..=60.0),
            ])
            .include_x(0.0)
    } else {
        plot.x_axis_formatter(label)
            .x_grid_spacer(every_bar)
            .include_y(0.0)
    };
    let response = plot.show(ui, |p| {
        p.bar_chart(chart);
        p.pointer_coordinate()
    });
    clicked_index(&response, horizontal, count).map(|p| at(p) as usize)
}

fn charts(ui: &mut Ui, state: &AnalyticsWindow, actions: &mut Vec<Action>) {
    let Some(r) = &state.report else {
        return;
    };
    ui.heading(if r.period.hourly {
        "Ticket Trends (per hour)"
    } else {
        "Daily Ticket Trends"
    });
    let labels: Vec<String> = r.trend.iter().map(|p| p.label.clone()).collect();
    let created: PlotPoints = r
        .trend
        .iter()
        .enumerate()
        .map(|(i, p)| [i as f64, p.created as f64])
        .collect();
    let closed: PlotPoints = r
        .trend
        .iter()
        .enumerate()
        .map(|(i, p)| [i as f64, p.closed as f64])
        .collect();
    let axis = labels.clone();
    let hover = labels.clone();
    let response = Plot::new("trend")
        .height(200.0)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                axis.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .label_formatter(move |position| match position {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{}\n{plot_name}: {}",
                hover
                    .get(position.x.round().max(0.0) as usize)
                    .cloned()
                    .unwrap_or_default(),
                position.y
            )),
            _ => None,
        })
        .show(ui, |p| {
            p.line(Line::new("Created", created));
            p.line(Line::new("Closed", closed));
            p.pointer_coordinate()
        });
    if let Some(i) = clicked_index(&response, false, r.trend.len()) {
        let point = &r.trend[i];
        let nearer_closed = response.inner.is_some_and(|p| {
            (p.y - point.closed as f64).abs() < (p.y - point.created as f64).abs()
        });
        let (measure, what) = if nearer_closed {
            (Measure::Closed, "Closed")
        } else {
            (Measure::Created, "Created")
        };
        actions.push(Action::Drill(Scope {
            measure,
            start_ms: to_millis(point.start),
            end_ms: to_millis(point.end),
            label: format!(
                "{what} {}{}",
                if r.period.hourly { "at " } else { "on " },
                point.label
            ),
        }));
    }

    ui.columns(2, |cols| {
        cols[0].heading("By Status");
        let names: Vec<String> = r
            .by_status
            .iter()
            .map(|(s, _)| s.label().to_owned())
            .collect();
        let values: Vec<u64> = r.by_status.iter().map(|(_, n)| *n).collect();
        let colors: Vec<egui::Color32> =
            r.by_status.iter().map(|(s, _)| status_color(*s)).collect();
        if let Some(i) = bar_plot(
            &mut cols[0],
            "by_status",
            &names,
            &values,
            Some(&colors),
            false,
        ) {
            let status = r.by_status[i].0;
            if let Some(scope) = state.scope(
                Measure::CreatedWithStatus(status),
                format!("Created, {} at the end", status.label()),
            ) {
                actions.push(Action::Drill(scope));
            }
        }
        cols[1].heading("By Priority");
        let names: Vec<String> = r
            .by_priority
            .iter()
            .map(|(p, _)| p.label().to_owned())
            .collect();
        let values: Vec<u64> = r.by_priority.iter().map(|(_, n)| *n).collect();
        let colors: Vec<egui::Color32> = r
            .by_priority
            .iter()
            .map(|(p, _)| priority_color(*p))
            .collect();
        if let Some(i) = bar_plot(
            &mut cols[1],
            "by_priority",
            &names,
            &values,
            Some(&colors),
            false,
        ) {
            let priority = r.by_priority[i].0;
            if let Some(scope) = state.scope(
                Measure::CreatedWithPriority(priority),
                format!("Created, {} at the end", priority.label()),
            ) {
                actions.push(Action::Drill(scope));
            }
        }
    });
    ui.columns(2, |cols| {
        cols[0].heading("By Tag");
        let names: Vec<String> = r.by_tag.iter().map(|t| t.name.clone()).collect();
        let values: Vec<u64> = r.by_tag.iter().map(|t| t.tickets).collect();
        if let Some(i) = bar_plot(&mut cols[0], "by_tag", &names, &values, None, true) {
            let tag = &r.by_tag[i];
            let measure = match tag.tag {
                Some(id) => Measure::CreatedWithTag(id),
                None => Measure::CreatedWithAnyTag(r.other_tags.clone()),
            };
            if let Some(scope) = state.scope(measure, format!("Created, tagged {}", tag.name)) {
                actions.push(Action::Drill(scope));
            }
        }
        cols[1].heading("Top Agents");
        let top: Vec<&AgentRow> = r.top_agents().collect();
        let names: Vec<String> = top.iter().map(|a| a.name.clone()).collect();
        let values: Vec<u64> = top.iter().map(|a| a.handled).collect();
        if let Some(i) = bar_plot(&mut cols[1], "top_agents", &names, &values, None, true)
            && let Some(scope) = state.scope(
                Measure::HandledBy(top[i].agent),
                format!("Handled by {}", top[i].name),
            )
        {
            actions.push(Action::Drill(scope));
        }
    });
}

fn agent_table(ui: &mut Ui, state: &mut AnalyticsWindow, actions: &mut Vec<Action>) {
    let Some(r) = &state.report else {
        return;
    };
    let key = |a: &AgentRow, c: AgentColumn| -> f64 {
        let d = |v: Option<f64>| v.unwrap_or(-1.0);
        match c {
            AgentColumn::Name => 0.0,
            AgentColumn::Handled => a.handled as f64,
            AgentColumn::Resolved => a.resolved() as f64,
            AgentColumn::FirstResponses => a.first_responses() as f64,
            AgentColumn::FirstResponseMean => d(a.first_response.mean_ms),
            AgentColumn::FirstResponseMedian => d(a.first_response.median_ms),
            AgentColumn::ResolutionMean => d(a.resolution.mean_ms),
            AgentColumn::ResolutionMedian => d(a.resolution.median_ms),
            AgentColumn::Csat => d(a.csat.score()),
        }
    };
    let (column, descending) = state.sort;
    let mut rows: Vec<&AgentRow> = r.agents.iter().collect();
    rows.sort_by(|a, b| {
        let order = if column == AgentColumn::Name {
            a.name.to_lowercase().cmp(&b.name.to_lowercase())
        } else {
            key(a, column).total_cmp(&key(b, column))
        };
        if descending { order.reverse() } else { order }
    });
    let headers = [
        (AgentColumn::Name, "Agent"),
        (AgentColumn::Handled, "Handled"),
        (AgentColumn::Resolved, "Resolved"),
        (AgentColumn::FirstResponses, "First responses"),
        (AgentColumn::FirstResponseMean, "1st resp. mean"),
        (AgentColumn::FirstResponseMedian, "1st resp. median"),
        (AgentColumn::ResolutionMean, "Resolution mean"),
        (AgentColumn::ResolutionMedian, "Resolution median"),
        (AgentColumn::Csat, "CSAT"),
    ];
    let mut new_sort = None;
    let mut drill = None;
    egui::Grid::new("agent_table").striped(true).num_columns(headers.len()).show(ui, |ui| {
        for (c, name) in headers {
            let arrow = if c == column {
                if descending { " ⏷" } else { " ⏶" }
            } else {
                ""
            };
            if ui.button(format!("{name}{arrow}")).on_hover_text("Sort by this column").clicked() {
                new_sort = Some(if c == column { (c, !descending) } else { (c, c != AgentColumn::Name) });
            }
        }
        ui.end_row();
        let opt = |v: Option<f64>| v.map_or("—".to_owned(), human_duration);
        for a in rows {
            ui.label(&a.name);
            let mut link = |ui: &mut Ui, n: u64, measure: Measure, what: &str| {
                if ui
                    .link(n.to_string())
                    .on_hover_text(format!("List the tickets {what}"))
                    .clicked()
                {
                    drill = Some((measure, format!("{} {what}", a.name)));
                }
            };
            link(ui, a.handled, Measure::HandledBy(a.agent), "handled");
            link(ui, a.resolved(), Measure::ResolvedBy(a.agent), "resolved");
            link(ui, a.first_responses(), Measure::FirstRepliedBy(a.agent), "first replied to");
            ui.label(opt(a.first_response.mean_ms));
            ui.label(opt(a.first_response.median_ms));
            ui.label(opt(a.resolution.mean_ms));
            ui.label(opt(a.resolution.median_ms));
            let csat = format!("{} ({} rating{})", percent(a.csat.score()), a.csat.ratings, if a.csat.ratings == 1 { "" } else { "s" });
            if ui.link(csat).on_hover_text("Ratings of 4 or 5 ÷ all ratings recorded in the period on tickets this agent resolved").clicked() {
                drill = Some((Measure::RatedResolvedBy(a.agent), format!("Rated, resolved by {}", a.name)));
            }
            ui.end_row();
        }
    });
    if let Some(sort) = new_sort {
        state.sort = sort;
    }
    if let Some((measure, what)) = drill
        && let Some(scope) = state.scope(measure, what)
    {
        actions.push(Action::Drill(scope));
    }
}
