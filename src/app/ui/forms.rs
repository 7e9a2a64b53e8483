//! Dialogs that ask for a few fields: New Ticket, who is using the app,
//! and sample data. Each puts the cursor in its first field, says what is
//! wrong beside the field it is about, and forgets the error once the field
//! changes.

use egui::{RichText, Ui};

use super::super::commands::{Action, UiCommand};
use super::super::tasks::TaskName;
use super::super::worker::protocol::Asker;
use super::widgets::{busy, field_error, thousands};
use super::{Focus, TextBox};
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
    /// Why the subject was refused.
    pub subject_error: Option<String>,
    /// Why the customer could not be added.
    pub customer_error: Option<String>,
    /// Why the ticket was not created (not about one field).
    pub error: Option<String>,
    /// Waiting for the store.
    pub submitting: bool,
}

impl NewTicketForm {
    /// Takes a refusal from the store: about the subject beside it, else
    /// under the form.
    pub fn refused(&mut self, message: String) {
        self.submitting = false;
        if message.starts_with("Subject") {
            self.subject_error = Some(message);
        } else {
            self.error = Some(message);
        }
    }

    /// The ticket as typed, or (beside the field) why it cannot be sent yet.
    fn checked(&mut self) -> Option<NewTicket> {
        if self.subject.trim().is_empty() {
            self.subject_error =
                Some("Subject is required: say in a few words what the issue is.".to_owned());
            return None;
        }
        Some(NewTicket {
            subject: self.subject.clone(),
            description: self.description.clone(),
            priority: self.priority,
            customer: self.customer.as_ref().map(|c| c.id),
        })
    }

    /// Create Ticket (or Ctrl+Enter): the ticket to create, if it can be.
    pub fn submit(&mut self) -> Option<NewTicket> {
        if self.submitting {
            return None;
        }
        let ticket = self.checked()?;
        self.submitting = true;
        self.error = None;
        Some(ticket)
    }
}

/// A one-line field with its label above it (which names it to screen
/// readers); registers it for focus.
pub(super) fn labelled_line(
    ui: &mut Ui,
    focus: &mut Focus,
    which: Option<TextBox>,
    label: &str,
    text: &mut String,
    hint: &str,
) -> egui::Response {
    let label = ui.label(label);
    let mut edit = egui::TextEdit::singleline(text)
        .hint_text(hint)
        .desired_width(f32::INFINITY);
    if let Some(which) = which {
        edit = edit.id(which.id());
    }
    let response = ui.add(edit).labelled_by(label.id);
    if let Some(which) = which {
        focus.drawn(which, &response);
    }
    response
}

/// Draws the form; returns false when it should close.
pub fn new_ticket_ui(
    ui: &mut Ui,
    form: &mut NewTicketForm,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) -> bool {
    let mut open = true;
    // Ctrl+Enter sends the form whichever of its widgets has the keyboard.
    // Taken before they are drawn: a focused priority would otherwise read
    // the Enter as a click and set itself.
    if let Some(send) = UiCommand::Submit.shortcuts().first()
        && ui.input_mut(|i| i.consume_shortcut(send))
    {
        actions.push(Action::Command(UiCommand::Submit));
    }
    ui.heading("New Ticket");
    ui.add_space(4.0);
    let subject = labelled_line(
        ui,
        focus,
        Some(TextBox::NewSubject),
        "Subject (required)",
        &mut form.subject,
        "A brief description of the issue",
    );
    if subject.changed() {
        form.subject_error = None;
    }
    field_error(ui, form.subject_error.as_deref());
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
    customer_section(ui, form, focus, actions);
    field_error(ui, form.error.as_deref());
    ui.add_space(8.0);
    ui.separator();
    ui.horizontal(|ui| {
        let create = ui
            .add_enabled(!form.submitting, egui::Button::new("Create Ticket"))
            .on_hover_text(UiCommand::Submit.hint(ui.ctx(), "Create the ticket"));
        if create.clicked()
            && let Some(ticket) = form.submit()
        {
            actions.push(Action::Create(ticket));
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

fn customer_section(
    ui: &mut Ui,
    form: &mut NewTicketForm,
    focus: &mut Focus,
    actions: &mut Vec<Action>,
) {
    if let Some(customer) = &form.customer {
        let chosen = if customer.email.is_empty() {
            customer.name.clone()
        } else {
            format!("{} <{}>", customer.name, customer.email)
        };
        let change = ui
            .horizontal(|ui| {
                ui.label(chosen);
                ui.button("Change").clicked()
            })
            .inner;
        if change {
            form.customer = None;
        }
        return;
    }
    if let Some(new) = &mut form.new_customer {
        labelled_line(ui, focus, None, "Customer name", &mut new.name, "Full name");
        labelled_line(
            ui,
            focus,
            None,
            "Customer email",
            &mut new.email,
            "name@example.com",
        );
        labelled_line(ui, focus, None, "Company", &mut new.company, "Optional");
        field_error(ui, form.customer_error.as_deref());
        let (add, back) = ui
            .horizontal(|ui| {
                (
                    ui.button("Add customer").clicked(),
                    ui.button("Find a customer instead").clicked(),
                )
            })
            .inner;
        if add {
            form.customer_error = None;
            actions.push(Action::AddCustomer(Asker::NewTicket, new.clone()));
        }
        if back {
            form.new_customer = None;
            form.customer_error = None;
        }
        return;
    }
    let response = labelled_line(
        ui,
        focus,
        None,
        "Find a customer",
        &mut form.customer_query,
        "Name, email or ID",
    );
    if response.changed() {
        actions.push(Action::FindCustomers(
            Asker::NewTicket,
            form.customer_query.clone(),
        ));
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

/// The "who is using Tickets?" dialog.
#[derive(Default)]
pub struct AgentPicker {
    /// A new agent's name.
    pub name: String,
    /// Whether it may be dismissed (not on first launch).
    pub can_cancel: bool,
    /// Why the name was refused.
    pub error: Option<String>,
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
        Self {
            name,
            can_cancel,
            error: None,
        }
    }
}

/// Draws the picker; returns false when it should close without a choice.
pub fn agent_picker_ui(
    ui: &mut Ui,
    picker: &mut AgentPicker,
    agents: &[Agent],
    focus: &mut Focus,
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
    let field = labelled_line(
        ui,
        focus,
        Some(TextBox::WhoAreYou),
        "Someone new",
        &mut picker.name,
        "Your name",
    );
    if field.changed() {
        picker.error = None;
    }
    field_error(ui, picker.error.as_deref());
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.horizontal(|ui| {
        if ui.button("Add me").clicked() || entered {
            actions.push(Action::AddAgent(
                Asker::WhoAreYou,
                picker.name.clone(),
                String::new(),
            ));
        }
        if picker.can_cancel && ui.button("Cancel").clicked() {
            open = false;
        }
    });
    open
}

/// The sample-data dialog: how many tickets, then their progress.
pub struct SampleData {
    /// How many tickets to add.
    pub tickets: u64,
    /// Whether loading has started.
    pub started: bool,
}

impl Default for SampleData {
    fn default() -> Self {
        Self {
            tickets: 10_000,
            started: false,
        }
    }
}

/// Draws the dialog; returns false when it should close.
pub fn sample_data_ui(
    ui: &mut Ui,
    sample: &mut SampleData,
    progress: Option<(u64, u64)>,
    actions: &mut Vec<Action>,
) -> bool {
    let mut open = true;
    ui.heading("Load sample data");
    if !sample.started {
        ui.label("Fills this empty database with realistic made-up tickets, customers and agents, to try Tickets out.");
        for n in [1_000, 10_000, 100_000, 1_000_000] {
            ui.radio_value(&mut sample.tickets, n, format!("{} tickets", thousands(n)));
        }
        ui.horizontal(|ui| {
            if ui.button("Load").clicked() {
                sample.started = true;
                actions.push(Action::Seed(sample.tickets));
            }
            if ui.button("Cancel").clicked() {
                open = false;
            }
        });
        return open;
    }
    match progress {
        Some((done, total)) => {
            ui.add(egui::ProgressBar::new(done as f32 / total.max(1) as f32).show_percentage());
            ui.label(format!(
                "{} of {} tickets",
                thousands(done),
                thousands(total)
            ));
        }
        None => busy(ui, "Starting…"),
    }
    if ui
        .button("Stop")
        .on_hover_text("Nothing is kept if you stop")
        .clicked()
    {
        actions.push(Action::CancelTask(TaskName::SampleData));
    }
    open
}
