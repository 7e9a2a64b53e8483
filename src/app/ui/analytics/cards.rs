//! The summary cards: each a number, its spread and count, its definition
//! on hover, and a click that lists the tickets behind it.

use egui::{RichText, Role, Sense, Ui, WidgetInfo};

use super::super::super::commands::Action;
use super::super::widgets::thousands;
use super::{AnalyticsWindow, human_duration, percent};
use crate::analytics::{Achievement, Durations, Measure, Scope, SlaTarget};
use crate::domain::Status;

/// An SLA achievement as the window says it: "92%" and "23 of 25 met".
pub(super) fn achievement_text(a: Achievement) -> (String, String) {
    (
        super::percent(a.rate()),
        format!("{} of {} met", thousands(a.met), thousands(a.due)),
    )
}

/// What an SLA card means, on hover.
const SLA_MEANING: &str = "Service-level targets (File → Service levels…) whose due moment fell in the period, up to now: the share met by their due moment. A target counts for its ticket's priority now; targets of tickets resolved before a policy was set count under the policy then. See docs/METRICS.md, “SLA achievement”.";

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

fn spread(d: &Durations) -> String {
    match (d.median_ms, d.p90_ms) {
        (Some(median), Some(p90)) => format!(
            "median {} · p90 {} · {} ticket{}",
            human_duration(median),
            human_duration(p90),
            thousands(d.count),
            if d.count == 1 { "" } else { "s" }
        ),
        _ => "no tickets".to_owned(),
    }
}

/// One summary card: clickable, explained on hover, named for screen readers.
/// The number is the brightest text on it; the title and footnote read
/// plainly beneath.
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
                ui.label(RichText::new(title).weak());
                let strong = ui.visuals().strong_text_color();
                ui.label(RichText::new(&value).size(28.0).strong().color(strong));
                ui.add(egui::Label::new(RichText::new(&detail).size(12.5)).wrap());
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

/// A card of SLA achievement for one target.
fn sla_card(
    state: &AnalyticsWindow,
    a: &Achievement,
    target: SlaTarget,
) -> (&'static str, String, String, &'static str, Option<Scope>) {
    let (value, met) = achievement_text(*a);
    (
        match target {
            SlaTarget::FirstReply => "First reply SLA",
            SlaTarget::Resolution => "Resolution SLA",
        },
        value,
        format!("{met} · {} missed", thousands(a.missed())),
        SLA_MEANING,
        state.scope(
            Measure::TargetDue {
                target,
                missed: false,
                priority: None,
                agent: None,
            },
            format!("{} target due", target.label()),
        ),
    )
}

/// SLA achievement per priority: for each target, the share met (a click
/// lists the targets that fell due) and the missed ones (a click lists
/// those).
pub(super) fn sla_by_priority(ui: &mut Ui, state: &AnalyticsWindow, actions: &mut Vec<Action>) {
    let Some(r) = &state.report else {
        return;
    };
    if r.sla.first_reply.due == 0 && r.sla.resolution.due == 0 {
        return;
    }
    ui.label(RichText::new("Service levels by priority").strong())
        .on_hover_text(SLA_MEANING);
    let mut drill = None;
    egui::Grid::new("sla_by_priority")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            ui.label(RichText::new("Priority").weak());
            for target in SlaTarget::ALL {
                ui.label(RichText::new(format!("{} met", target.label())).weak());
                ui.label(RichText::new("Missed").weak());
            }
            ui.end_row();
            for (priority, first, resolution) in &r.sla.by_priority {
                ui.label(priority.label());
                for (target, a) in [
                    (SlaTarget::FirstReply, first),
                    (SlaTarget::Resolution, resolution),
                ] {
                    if a.due == 0 {
                        ui.weak("—");
                        ui.weak("—");
                        continue;
                    }
                    let (rate, met) = achievement_text(*a);
                    for (missed, text) in [
                        (false, format!("{rate} ({met})")),
                        (true, thousands(a.missed())),
                    ] {
                        if ui.link(text).on_hover_text("List these tickets").clicked() {
                            let what = format!(
                                "{} {} target{}",
                                priority.label(),
                                target.label().to_lowercase(),
                                if missed { " missed" } else { " due" }
                            );
                            drill = Some((
                                Measure::TargetDue {
                                    target,
                                    missed,
                                    priority: Some(*priority),
                                    agent: None,
                                },
                                what,
                            ));
                        }
                    }
                }
                ui.end_row();
            }
        });
    if let Some((measure, what)) = drill
        && let Some(scope) = state.scope(measure, what)
    {
        actions.push(Action::Drill(scope));
    }
}

pub(super) fn cards(ui: &mut Ui, state: &AnalyticsWindow, actions: &mut Vec<Action>) {
    let Some(r) = &state.report else {
        return;
    };
    let period = r.period.choice.label();
    let list = [
        (
            "Created",
            thousands(r.created),
            format!("in {period}"),
            "Tickets whose creation time is in the period.",
            state.scope(Measure::Created, "Created".to_owned()),
        ),
        (
            "Closed",
            thousands(r.closed),
            format!("in {period}"),
            "Tickets whose close moment (the last time they entered Closed) is in the period, each ticket once.",
            state.scope(Measure::Closed, "Closed".to_owned()),
        ),
        (
            "Open backlog",
            thousands(r.open),
            "Open, In Progress or Waiting at the end".to_owned(),
            "The backlog: tickets whose status at the end of the period is Open, In Progress or Waiting, whenever they were created. (The Open filter beside the list is one status; this is all three.)",
            state.scope(Measure::OpenAtEnd, "Open backlog at the end".to_owned()),
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
            format!(
                "{} of {} created",
                thousands(r.closed_of_created),
                thousands(r.created)
            ),
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
                thousands(r.csat.positive),
                thousands(r.csat.ratings)
            ),
            "Satisfaction ratings of 4 or 5 divided by all ratings recorded in the period.",
            state.scope(Measure::Rated, "Rated".to_owned()),
        ),
        sla_card(state, &r.sla.first_reply, SlaTarget::FirstReply),
        sla_card(state, &r.sla.resolution, SlaTarget::Resolution),
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
