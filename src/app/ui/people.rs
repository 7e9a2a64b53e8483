//! The Customers and Agents window: add and edit customers with their tags;
//! add, rename, deactivate and reactivate agents.

use egui::{RichText, Ui};

use super::super::commands::Action;
use super::super::worker::protocol::Asker;
use super::widgets::{busy, button_pair, chip};

use crate::domain::{Agent, AgentId, Customer, NewCustomer, Tag};

/// Where "Erase customer data…" stands for the customer being edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EraseStep {
    /// The confirmation is on show.
    Confirm,
    /// Sent to the store; waiting for its answer.
    Working,
}

/// The window's two tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PeopleTab {
    /// Customers.
    #[default]
    Customers,
    /// Agents.
    Agents,
}

/// The window's state.
#[derive(Default)]
pub struct PeopleWindow {
    /// The tab on show.
    pub tab: PeopleTab,
    /// What was typed to find customers.
    pub query: String,
    /// Customers found.
    pub customers: Vec<Customer>,
    /// The customer being edited, with the fields as typed.
    pub editing: Option<(Customer, NewCustomer)>,
    /// A new customer being typed.
    pub new_customer: Option<NewCustomer>,
    /// The tag box for the customer being edited.
    pub tag_input: String,
    /// The agent being edited (name, email as typed).
    pub agent_edit: Option<(AgentId, String, String)>,
    /// A new agent being typed (name, email).
    pub new_agent: Option<(String, String)>,
    /// Why the last change was refused.
    pub error: Option<String>,
    /// Whether the customer list has been asked for.
    pub asked: bool,
    /// Erasing the customer being edited, if under way.
    pub erase: Option<EraseStep>,
}

impl PeopleWindow {
    /// A customer was saved: show them as they are now.
    pub fn customer_saved(&mut self, customer: &Customer) {
        self.error = None;
        self.tag_input.clear();
        for c in &mut self.customers {
            if c.id == customer.id {
                *c = customer.clone();
            }
        }
        if let Some((editing, fields)) = &mut self.editing
            && editing.id == customer.id
        {
            *editing = customer.clone();
            *fields = fields_of(customer);
        }
    }

    /// A customer's data was erased: show them as they are now, and forget
    /// the search that found them (it holds what was typed of their name).
    pub fn customer_erased(&mut self, customer: &Customer) {
        self.customer_saved(customer);
        self.erase = None;
        self.query.clear();
        self.asked = false;
    }
}

/// A short button in a row ("Edit") whose accessible name says whose row it
/// is ("Edit Ada Lovelace"), so screen readers can tell the rows' buttons apart.
fn row_button(ui: &mut Ui, text: &str, whose: &str) -> egui::Response {
    let name = format!("{text} {whose}");
    let response = ui.button(text).on_hover_text(&name);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    response
}

fn fields_of(c: &Customer) -> NewCustomer {
    NewCustomer {
        name: c.name.clone(),
        email: c.email.clone(),
        company: c.company.clone(),
    }
}

fn line(ui: &mut Ui, label: &str, text: &mut String) {
    let label = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).desired_width(240.0))
        .labelled_by(label.id);
}

fn customer_fields(ui: &mut Ui, fields: &mut NewCustomer) {
    egui::Grid::new("customer_fields")
        .num_columns(2)
        .show(ui, |ui| {
            line(ui, "Name", &mut fields.name);
            ui.end_row();
            line(ui, "Email", &mut fields.email);
            ui.end_row();
            line(ui, "Company", &mut fields.company);
            ui.end_row();
        });
}

/// Draws the window's contents.
pub fn people_ui(
    ui: &mut Ui,
    window: &mut PeopleWindow,
    agents: &[Agent],
    tags: &[Tag],
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.selectable_value(&mut window.tab, PeopleTab::Customers, "Customers");
        ui.selectable_value(&mut window.tab, PeopleTab::Agents, "Agents");
    });
    if let Some(error) = &window.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    ui.separator();
    match window.tab {
        PeopleTab::Customers => customers_ui(ui, window, tags, actions),
        PeopleTab::Agents => agents_ui(ui, window, agents, actions),
    }
}

fn customers_ui(ui: &mut Ui, window: &mut PeopleWindow, tags: &[Tag], actions: &mut Vec<Action>) {
    if !window.asked {
        window.asked = true;
        actions.push(Action::FindCustomers(Asker::People, String::new()));
    }
    if let Some((customer, fields)) = &mut window.editing {
        ui.label(RichText::new(format!("Customer #{}", customer.id.0)).strong());
        customer_fields(ui, fields);
        ui.label(RichText::new("Customer tags").strong());
        ui.horizontal_wrapped(|ui| {
            if customer.tags.is_empty() {
                ui.weak("No tags");
            }
            for name in &customer.tags {
                let tag = tags.iter().find(|t| t.name.eq_ignore_ascii_case(name));
                if let Some(tag) = tag
                    && chip(ui, name, &format!("Remove the tag {name}"))
                {
                    actions.push(Action::UntagCustomer(customer.id, tag.id));
                }
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Add a customer tag");
            let response = ui
                .add(egui::TextEdit::singleline(&mut window.tag_input).desired_width(160.0))
                .labelled_by(label.id);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Add tag").clicked() || enter) && !window.tag_input.trim().is_empty() {
                actions.push(Action::TagCustomer(
                    customer.id,
                    window.tag_input.trim().to_owned(),
                ));
            }
        });
        let (save, back) = button_pair(ui, "Save customer", "Back to the list");
        if save {
            actions.push(Action::SaveCustomer(customer.id, fields.clone()));
        }
        ui.separator();
        if ui
            .button("Erase customer data…")
            .on_hover_text(
                "Replace this customer's personal data with a marker; their tickets stay for analytics",
            )
            .clicked()
        {
            window.erase = Some(EraseStep::Confirm);
        }
        erase_dialog(ui, &mut window.erase, customer, &mut window.error, actions);
        if back {
            window.editing = None;
            window.error = None;
        }
        return;
    }
    if let Some(fields) = &mut window.new_customer {
        ui.label(RichText::new("New customer").strong());
        customer_fields(ui, fields);
        let (add, cancel) = button_pair(ui, "Add customer", "Cancel");
        if add {
            actions.push(Action::AddCustomer(Asker::People, fields.clone()));
        }
        if cancel {
            window.new_customer = None;
        }
        return;
    }
    ui.horizontal(|ui| {
        let label = ui.label("Find customers");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut window.query)
                    .hint_text("Name, email, company or ID"),
            )
            .labelled_by(label.id);
        if response.changed() {
            actions.push(Action::FindCustomers(Asker::People, window.query.clone()));
        }
        if ui.button("+ New customer").clicked() {
            window.new_customer = Some(NewCustomer::default());
        }
    });
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .show(ui, |ui| {
            egui::Grid::new("customers")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for customer in &window.customers {
                        ui.label(&customer.name);
                        ui.label(&customer.email);
                        ui.label(customer.tags.join(", "));
                        if row_button(ui, "Edit", &customer.name).clicked() {
                            window.editing = Some((customer.clone(), fields_of(customer)));
                        }
                        ui.end_row();
                    }
                });
            if window.customers.is_empty() {
                ui.weak("No customers match");
            }
        });
}

/// The confirmation for "Erase customer data…", then its progress; a refusal
/// shows here with the window's error.
fn erase_dialog(
    ui: &mut Ui,
    erase: &mut Option<EraseStep>,
    customer: &Customer,
    error: &mut Option<String>,
    actions: &mut Vec<Action>,
) {
    let Some(step) = *erase else {
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("erase_customer")).show(ui.ctx(), |ui| {
        ui.set_width(440.0);
        ui.heading("Erase customer data");
        match (step, error.as_ref()) {
            (EraseStep::Confirm, _) => {
                ui.label(format!(
                    "This erases {}'s personal data (customer #{}) from this database:",
                    customer.name, customer.id.0
                ));
                for line in [
                    format!(
                        "• their name, email and company (the name becomes “Erased customer #{}”) and their customer tags;",
                        customer.id.0
                    ),
                    "• the text of every message in their tickets' conversations, and their tickets' descriptions;".to_owned(),
                    "• their name and email wherever their tickets' subjects, internal notes and activity mention them.".to_owned(),
                ] {
                    ui.label(line);
                }
                ui.label(
                    "Their tickets stay, with statuses, priorities, dates, assignees, tags and ratings, so analytics do not change. Each ticket's Activity records the erasure. Backups made before now still hold the old data.",
                );
                ui.label(
                    RichText::new("This cannot be undone.")
                        .strong()
                        .color(ui.visuals().error_fg_color),
                );
                let (go, cancel) = button_pair(ui, "Erase permanently", "Cancel");
                if go {
                    *error = None;
                    *erase = Some(EraseStep::Working);
                    actions.push(Action::EraseCustomer(customer.id));
                }
                if cancel {
                    *erase = None;
                }
            }
            (EraseStep::Working, None) => busy(ui, "Erasing…"),
            (EraseStep::Working, Some(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
                if ui.button("Close").clicked() {
                    *erase = None;
                }
            }
        }
    });
    if modal.should_close() && step == EraseStep::Confirm {
        *erase = None;
    }
}

fn agents_ui(ui: &mut Ui, window: &mut PeopleWindow, agents: &[Agent], actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .show(ui, |ui| {
            egui::Grid::new("agents")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for agent in agents {
                        match &mut window.agent_edit {
                            Some((id, name, email)) if *id == agent.id => {
                                let label = ui.label("Agent name");
                                ui.add(egui::TextEdit::singleline(name).desired_width(160.0))
                                    .labelled_by(label.id);
                                let label = ui.label("Agent email");
                                ui.add(egui::TextEdit::singleline(email).desired_width(160.0))
                                    .labelled_by(label.id);
                                if ui.button("Save agent").clicked() {
                                    actions.push(Action::SaveAgent(
                                        *id,
                                        name.clone(),
                                        email.clone(),
                                    ));
                                }
                            }
                            _ => {
                                let name = if agent.active {
                                    RichText::new(&agent.name)
                                } else {
                                    RichText::new(format!("{} (inactive)", agent.name)).weak()
                                };
                                ui.label(name);
                                ui.label(&agent.email);
                                ui.horizontal(|ui| {
                                    if row_button(ui, "Rename", &agent.name).clicked() {
                                        window.agent_edit = Some((
                                            agent.id,
                                            agent.name.clone(),
                                            agent.email.clone(),
                                        ));
                                    }
                                    let (text, active) = if agent.active {
                                        ("Deactivate", false)
                                    } else {
                                        ("Reactivate", true)
                                    };
                                    if row_button(ui, text, &agent.name).clicked() {
                                        actions.push(Action::SetAgentActive(agent.id, active));
                                    }
                                });
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    ui.separator();
    match &mut window.new_agent {
        Some((name, email)) => {
            let (add, cancel) = ui
                .horizontal(|ui| {
                    let label = ui.label("New agent's name");
                    ui.add(egui::TextEdit::singleline(name).desired_width(160.0))
                        .labelled_by(label.id);
                    let label = ui.label("Email");
                    ui.add(egui::TextEdit::singleline(email).desired_width(160.0))
                        .labelled_by(label.id);
                    (
                        ui.button("Add agent").clicked(),
                        ui.button("Cancel").clicked(),
                    )
                })
                .inner;
            if add {
                actions.push(Action::AddAgent(Asker::People, name.clone(), email.clone()));
            }
            if cancel {
                window.new_agent = None;
            }
        }
        None => {
            if ui.button("+ New agent").clicked() {
                window.new_agent = Some((String::new(), String::new()));
            }
        }
    }
}
