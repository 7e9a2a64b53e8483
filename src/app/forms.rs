//! Dialogs: New Ticket, who is using the app, sample data.

use egui::{RichText, Ui};

use super::Action;
use super::widgets::button_pair;
use crate::domain::{Agent, Customer, NewCustomer, NewTicket, Priority};

/// The New Ticket form. Everything typed stays until the ticket is created.
#[derive(Default)]
pub struct NewTicketForm {
    /// Subject (required).
    pub subject: String,
    /// Description.
    pub description: String,
    /// Priority (Medium unless chosen).
    pub priority: Priority,
    /// The chosen customer.
    pub customer: Option<Customer>,
    /// What was typed to find a customer.
    pub customer_query: String,
    /// Customers matching it.
    pub found: Vec<Customer>,
    /// A customer being added on the spot.
    pub new_customer: Option<NewCustomer>,
    /// Why the ticket was not created.
    pub error: Option<String>,
    /// Waiting for the store.
    pub submitting: bool,
    focus_subject: bool,
}

impl NewTicketForm {
    /// A fresh form with the cursor in Subject.
    pub fn new() -> Self {
        Self {
            focus_subject: true,
            ..Self::default()
        }
    }
}

fn labelled_line(ui: &mut Ui, label: &str, text: &mut String, hint: &str) -> egui::Response {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id)
}

/// Draws the form; returns false when it should close.
pub fn new_ticket_ui(ui: &mut Ui, form: &mut NewTicketForm, actions: &mut Vec<Action>) -> bool {
    let mut open = true;
    ui.heading("New Ticket");
    ui.add_space(4.0);
    let subject = labelled_line(
        ui,
        "Subject (required)",
        &mut form.subject,
        "A brief description of the issue",
    );
    if std::mem::take(&mut form.focus_subject) {
        subject.request_focus();
    }
    if let Some(error) = &form.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    let label = ui.label("Description");
    ui.add(
        egui::TextEdit::multiline(&mut form.description)
            .hint_text("Fuller detail and context (optional)")
            .desired_rows(4)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    ui.horizontal(|ui| {
        ui.label("Priority");
        for p in Priority::ALL {
            ui.radio_value(&mut form.priority, p, p.label());
        }
    });
    ui.add_space(4.0);
    ui.label(RichText::new("Customer").strong());
    match &form.customer {
        Some(customer) => {
            let chosen = format!("{} {}", customer.name, customer.email);
            let change = ui
                .horizontal(|ui| {
                    ui.label(chosen);
                    ui.button("Change").clicked()
                })
                .inner;
            if change {
                form.customer = None;
            }
        }
        None => {
            if let Some(new) = &mut form.new_customer {
                labelled_line(ui, "Customer name", &mut new.name, "Full name");
                labelled_line(ui, "Customer email", &mut new.email, "name@example.com");
                labelled_line(ui, "Company", &mut new.company, "Optional");
                let (add, cancel) = button_pair(ui, "Add customer", "Cancel");
                if add {
                    actions.push(Action::AddCustomer(new.clone()));
                }
                if cancel {
                    form.new_customer = None;
                }
            } else {
                let response = labelled_line(
                    ui,
                    "Find a customer",
                    &mut form.customer_query,
                    "Name, email or ID",
                );
                if response.changed() {
                    actions.push(Action::FindCustomers(form.customer_query.clone()));
                }
                for customer in form.found.iter().take(6) {
                    let text = format!(
                        "{} · {} · #{}",
                        customer.name, customer.email, customer.id.0
                    );
                    if ui.button(text).clicked() {
                        form.customer = Some(customer.clone());
                    }
                }
                if ui.button("+ New customer").clicked() {
                    form.new_customer = Some(NewCustomer {
                        name: form.customer_query.clone(),
                        ..NewCustomer::default()
                    });
                }
            }
        }
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let create = ui.add_enabled(!form.submitting, egui::Button::new("Create Ticket"));
        if create.clicked() {
            if form.subject.trim().is_empty() {
                form.error =
                    Some("Subject is required: say in a few words what the issue is.".to_owned());
            } else {
                form.error = None;
                form.submitting = true;
                actions.push(Action::Create(NewTicket {
                    subject: form.subject.clone(),
                    description: form.description.clone(),
                    priority: form.priority,
                    customer: form.customer.as_ref().map(|c| c.id),
                }));
            }
        }
        if ui.button("Cancel").clicked() {
            open = false;
        }
        if form.submitting {
            ui.spinner();
        }
    });
    open
}

/// The "who is using Tickets?" dialog.
#[derive(Default)]
pub struct AgentPicker {
    /// A new agent's name.
    pub name: String,
    /// Whether it may be dismissed (not on first launch).
    pub can_cancel: bool,
}

impl AgentPicker {
    /// Prefilled with the computer's user name.
    pub fn new(can_cancel: bool) -> Self {
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .map(|n| {
                let mut c = n.chars();
                c.next().map_or(String::new(), |f| {
                    f.to_uppercase().collect::<String>() + c.as_str()
                })
            })
            .unwrap_or_default();
        Self { name, can_cancel }
    }
}

/// Draws the picker; returns false when it should close without a choice.
pub fn agent_picker_ui(
    ui: &mut Ui,
    picker: &mut AgentPicker,
    agents: &[Agent],
    actions: &mut Vec<Action>,
) -> bool {
    let mut open = true;
    ui.heading("Who is using Tickets?");
    ui.label("Every change you make is recorded in the ticket's activity under this name.");
    ui.add_space(6.0);
    let active: Vec<&Agent> = agents.iter().filter(|a| a.active).collect();
    if !active.is_empty() {
        egui::ScrollArea::vertical()
            .max_height(240.0)
            .show(ui, |ui| {
                for agent in active {
                    if ui.button(format!("I am {}", agent.name)).clicked() {
                        actions.push(Action::ActAs(agent.id));
                    }
                }
            });
        ui.separator();
    }
    labelled_line(ui, "Someone new", &mut picker.name, "Your name");
    ui.horizontal(|ui| {
        if ui.button("Add me").clicked() {
            actions.push(Action::AddAgent(picker.name.clone()));
        }
        if picker.can_cancel && ui.button("Cancel").clicked() {
            open = false;
        }
    });
    open
}

/// The sample-data dialog and its progress.
pub struct SampleData {
    /// How many tickets to add.
    pub tickets: u64,
    /// Tickets added so far and in all, once loading.
    pub progress: Option<(u64, u64)>,
}

impl Default for SampleData {
    fn default() -> Self {
        Self {
            tickets: 10_000,
            progress: None,
        }
    }
}

/// Draws the dialog; returns false when it should close.
pub fn sample_data_ui(ui: &mut Ui, sample: &mut SampleData, actions: &mut Vec<Action>) -> bool {
    let mut open = true;
    ui.heading("Load sample data");
    match sample.progress {
        None => {
            ui.label("Fills this empty database with realistic made-up tickets, customers and agents, to try Tickets out.");
            for n in [1_000, 10_000, 100_000, 1_000_000] {
                ui.radio_value(&mut sample.tickets, n, format!("{n} tickets"));
            }
            ui.horizontal(|ui| {
                if ui.button("Load").clicked() {
                    sample.progress = Some((0, sample.tickets));
                    actions.push(Action::Seed(sample.tickets));
                }
                if ui.button("Cancel").clicked() {
                    open = false;
                }
            });
        }
        Some((done, total)) => {
            ui.add(egui::ProgressBar::new(done as f32 / total.max(1) as f32).show_percentage());
            ui.label(format!("{done} of {total} tickets"));
            if ui
                .button("Stop")
                .on_hover_text("Nothing is kept if you stop")
                .clicked()
            {
                actions.push(Action::CancelSeed);
            }
        }
    }
    open
}
