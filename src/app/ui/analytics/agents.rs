//! The per-agent table: handled, resolved and first responses (each a
//! click away from its tickets), response and resolution times, and CSAT
//! with its number of ratings. Sortable by any column.

use egui::Ui;

use super::super::super::commands::Action;
use super::super::widgets::thousands;
use super::{AnalyticsWindow, human_duration, percent};
use crate::analytics::{AgentRow, Measure, SlaTarget};

/// A sortable column of the per-agent table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AgentColumn {
    Name,
    Handled,
    Resolved,
    FirstResponses,
    FirstResponseMean,
    FirstResponseMedian,
    ResolutionMean,
    ResolutionMedian,
    Csat,
    SlaFirstReply,
    SlaResolution,
}

pub(super) fn agent_table(ui: &mut Ui, state: &mut AnalyticsWindow, actions: &mut Vec<Action>) {
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
            AgentColumn::SlaFirstReply => d(a.sla_first_reply.rate()),
            AgentColumn::SlaResolution => d(a.sla_resolution.rate()),
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
        (AgentColumn::SlaFirstReply, "First reply SLA"),
        (AgentColumn::SlaResolution, "Resolution SLA"),
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
                    .link(thousands(n))
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
            for target in SlaTarget::ALL {
                let sla = a.sla(target);
                if sla.due == 0 {
                    ui.weak("—");
                    continue;
                }
                let (rate, met) = super::cards::achievement_text(sla);
                if ui.link(format!("{rate} ({met})")).on_hover_text("Targets that fell due in the period and were this agent's: they wrote the first reply / resolved the ticket, or, not yet done, it is assigned to them. Click to list them.").clicked() {
                    drill = Some((
                        Measure::TargetDue { target, missed: false, priority: None, agent: Some(a.agent) },
                        format!("{} targets due, {}'s", target.label(), a.name),
                    ));
                }
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
