//! The charts: the trend (created and closed per day, or per hour for
//! Today) and the bar charts by status, priority, tag and agent. Each has
//! axis titles with their units and a value on every bar; a key only where
//! there are two series, above the chart where it covers no data; and a
//! click on a bar or a day lists the tickets behind it.

use egui::Ui;
use egui_plot::{
    AxisHints, Bar, BarChart, GridInput, GridMark, Line, Plot, PlotPoint, PlotPoints, PlotResponse,
    Points, Text,
};

use super::super::super::commands::Action;
use super::super::widgets::{status_hue, thousands};
use super::AnalyticsWindow;
use crate::analytics::{AgentRow, Measure, Scope};
use crate::domain::to_millis;

/// Which bar of a chart (or day of the trend) the pointer was on when it
/// was clicked.
fn clicked_index(
    response: &PlotResponse<Option<PlotPoint>>,
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

/// A bar chart of counts, one bar per name, each bar's value written on
/// it; `horizontal` for long lists (tags, agents), largest first on top.
/// Returns the bar clicked.
fn bar_plot(
    ui: &mut Ui,
    id: &str,
    names: &[String],
    values: &[u64],
    colors: Option<&[egui::Color32]>,
    (horizontal, count_axis): (bool, &str),
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
    let text_color = ui.visuals().strong_text_color();
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
    let mut chart = BarChart::new("Tickets", bars).element_formatter(Box::new(|bar, _| {
        format!("{}: {}", bar.name, thousands(bar.value as u64))
    }));
    if horizontal {
        chart = chart.horizontal();
    }
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let labels = names.to_vec();
    let label = move |mark: GridMark, _: &std::ops::RangeInclusive<f64>| {
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
        (count as f32 * 30.0 + 50.0).clamp(200.0, 580.0)
    } else {
        220.0
    };
    let mut plot = Plot::new(id.to_owned())
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show_grid(false);
    // One mark per bar, so that every bar is named on its axis.
    let every_bar = move |_: GridInput| {
        (0..count)
            .map(|i| GridMark {
                value: i as f64,
                step_size: 1.0,
            })
            .collect()
    };
    plot = if horizontal {
        // Room past the longest bar for its value.
        plot.y_axis_formatter(label)
            .y_grid_spacer(every_bar)
            .custom_x_axes(vec![
                AxisHints::new_x()
                    .label(count_axis)
                    .label_spacing(35.0..=60.0),
            ])
            .include_x(0.0)
            .include_x(max * 1.15)
    } else {
        plot.x_axis_formatter(label)
            .x_grid_spacer(every_bar)
            .y_axis_label(count_axis)
            .include_y(0.0)
            .include_y(max * 1.18)
    };
    let response = plot.show(ui, |p| {
        p.bar_chart(chart);
        for (i, &v) in values.iter().enumerate() {
            let (position, anchor) = if horizontal {
                (
                    PlotPoint::new(v as f64 + max * 0.01, at(i)),
                    egui::Align2::LEFT_CENTER,
                )
            } else {
                (
                    PlotPoint::new(at(i), v as f64 + max * 0.02),
                    egui::Align2::CENTER_BOTTOM,
                )
            };
            p.text(
                Text::new(format!("{id}-value-{i}"), position, thousands(v))
                    .anchor(anchor)
                    .color(text_color)
                    .allow_hover(false),
            );
        }
        p.pointer_coordinate()
    });
    clicked_index(&response, horizontal, count).map(|p| at(p) as usize)
}

/// Created and closed per day (or hour): two lines with point markers, a
/// legend above the data, and a hover that names the day with both counts.
fn trend(ui: &mut Ui, state: &AnalyticsWindow, actions: &mut Vec<Action>) {
    let Some(r) = &state.report else {
        return;
    };
    let hourly = r.period.hourly;
    ui.heading(if hourly {
        "Ticket Trends (per hour)"
    } else {
        "Daily Ticket Trends"
    });
    let series = |value: fn(&crate::analytics::TrendPoint) -> u64| -> Vec<[f64; 2]> {
        r.trend
            .iter()
            .enumerate()
            .map(|(i, p)| [i as f64, value(p) as f64])
            .collect()
    };
    let created = series(|p| p.created);
    let closed = series(|p| p.closed);
    let max = r
        .trend
        .iter()
        .map(|p| p.created.max(p.closed))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let created_color = status_hue(crate::domain::Status::Open);
    let closed_color = status_hue(crate::domain::Status::Resolved);
    // An hour named with its offset (a day with a repeated hour) takes two
    // lines under the axis, so neighbouring marks keep apart.
    let axis: Vec<String> = r
        .trend
        .iter()
        .map(|p| p.label.replacen(" (", "\n(", 1))
        .collect();
    let hover: Vec<(String, u64, u64)> = r
        .trend
        .iter()
        .map(|p| (p.label.clone(), p.created, p.closed))
        .collect();
    // The key stands above the chart, where it covers no line.
    ui.horizontal(|ui| {
        for (name, color) in [("Created", created_color), ("Closed", closed_color)] {
            ui.label(egui::RichText::new("●").color(color));
            ui.label(name);
            ui.add_space(8.0);
        }
    });
    let response = Plot::new("trend")
        .height(230.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(max * 1.1)
        .x_axis_label(if hourly { "Hour (local time)" } else { "Day" })
        .y_axis_label("Tickets")
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                axis.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .label_formatter(move |position| {
            let x = match position {
                egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position } => position.x,
            };
            let (label, created, closed) = hover.get(x.round().max(0.0) as usize)?;
            Some(format!(
                "{label}\nCreated: {}\nClosed: {}",
                thousands(*created),
                thousands(*closed)
            ))
        })
        .show(ui, |p| {
            p.line(Line::new("Created", created.clone()).color(created_color));
            p.points(
                Points::new("Created", PlotPoints::from(created))
                    .color(created_color)
                    .radius(2.5)
                    .allow_hover(false),
            );
            p.line(Line::new("Closed", closed.clone()).color(closed_color));
            p.points(
                Points::new("Closed", PlotPoints::from(closed))
                    .color(closed_color)
                    .radius(2.5)
                    .allow_hover(false),
            );
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
                if hourly { "at " } else { "on " },
                point.label
            ),
        }));
    }
}

pub(super) fn charts(ui: &mut Ui, state: &AnalyticsWindow, actions: &mut Vec<Action>) {
    let Some(r) = &state.report else {
        return;
    };
    trend(ui, state, actions);
    ui.add_space(8.0);
    ui.columns(2, |cols| {
        cols[0].heading("By Status");
        let names: Vec<String> = r
            .by_status
            .iter()
            .map(|(s, _)| s.label().to_owned())
            .collect();
        let values: Vec<u64> = r.by_status.iter().map(|(_, n)| *n).collect();
        let colors: Vec<egui::Color32> = r.by_status.iter().map(|(s, _)| status_hue(*s)).collect();
        if let Some(i) = bar_plot(
            &mut cols[0],
            "by_status",
            &names,
            &values,
            Some(&colors),
            (false, "Tickets created"),
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
        if let Some(i) = bar_plot(
            &mut cols[1],
            "by_priority",
            &names,
            &values,
            None,
            (false, "Tickets created"),
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
    ui.add_space(8.0);
    ui.columns(2, |cols| {
        cols[0].heading("By Tag");
        let names: Vec<String> = r.by_tag.iter().map(|t| t.name.clone()).collect();
        let values: Vec<u64> = r.by_tag.iter().map(|t| t.tickets).collect();
        if let Some(i) = bar_plot(
            &mut cols[0],
            "by_tag",
            &names,
            &values,
            None,
            (true, "Tickets created with the tag"),
        ) {
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
        if let Some(i) = bar_plot(
            &mut cols[1],
            "top_agents",
            &names,
            &values,
            None,
            (true, "Tickets handled"),
        ) && let Some(scope) = state.scope(
            Measure::HandledBy(top[i].agent),
            format!("Handled by {}", top[i].name),
        ) {
            actions.push(Action::Drill(scope));
        }
    });
}
