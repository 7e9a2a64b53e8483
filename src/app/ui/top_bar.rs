//! The top bar: the menus (built from the command list), New Ticket and
//! Analytics, the background jobs with their progress and Cancel (the one
//! place jobs show, whichever window started them), and who is using the app.

use egui::{RichText, Ui};

use super::super::TicketsApp;
use super::super::commands::{Action, Menu, Needs, UiCommand};

impl TicketsApp {
    pub(super) fn top_bar(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let open = self.is_open();
        let ticket = self.panel.as_ref().is_some_and(|p| p.detail.is_some());
        let usable = |command: UiCommand| match command.needs() {
            Needs::Nothing => true,
            Needs::Database => open,
            Needs::Ticket => ticket,
        };
        egui::Panel::top("top_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                for (menu, name) in Menu::BAR {
                    ui.menu_button(name, |ui| {
                        let mut item = |ui: &mut Ui, command: UiCommand| {
                            let mut button = egui::Button::new(command.menu_label());
                            if let Some(shortcut) = command.shortcut_text(ui.ctx()) {
                                button = button.shortcut_text(shortcut);
                            }
                            if ui.add_enabled(usable(command), button).clicked() {
                                actions.push(Action::Command(command));
                                ui.close();
                            }
                        };
                        let mut submenus_shown: Vec<&str> = Vec::new();
                        for &command in UiCommand::ALL.iter().filter(|c| c.menu() == menu) {
                            let Some(submenu) = command.submenu() else {
                                item(ui, command);
                                continue;
                            };
                            // A submenu stands where its first command would.
                            if submenus_shown.contains(&submenu) {
                                continue;
                            }
                            submenus_shown.push(submenu);
                            ui.menu_button(submenu, |ui| {
                                for &inner in UiCommand::ALL
                                    .iter()
                                    .filter(|c| c.menu() == menu && c.submenu() == Some(submenu))
                                {
                                    item(ui, inner);
                                }
                            });
                        }
                    });
                }
                ui.separator();
                // Greyed out, like the menus' database commands, with no database open.
                if ui
                    .add_enabled(
                        open,
                        egui::Button::new(RichText::new("+ New Ticket").strong()),
                    )
                    .on_hover_text(UiCommand::NewTicket.hint(ui.ctx(), "Raise a ticket"))
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::NewTicket));
                }
                if ui
                    .add_enabled(
                        open,
                        egui::Button::selectable(self.analytics.is_some(), "Analytics"),
                    )
                    .on_hover_text(UiCommand::Analytics.hint(ui.ctx(), "Ticket analytics"))
                    .clicked()
                {
                    actions.push(Action::Command(UiCommand::Analytics));
                }
                if let Some(name) = self.tasks.show(ui) {
                    actions.push(Action::CancelTask(name));
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if let Some(why) = &self.offline {
                        ui.label(
                            RichText::new("Offline: reconnecting…")
                                .color(ui.visuals().warn_fg_color),
                        )
                        .on_hover_text(format!(
                            "{why}. What is on show stays readable and what you type is kept; a change made now is not saved, and says so."
                        ));
                    }
                    if let Some(me) = &self.signed_in {
                        // On a team server everyone is themself: a name, not a switch.
                        ui.label(format!("You: {}", me.name)).on_hover_text(format!(
                            "Signed in to {} as {}. On a team server every change is recorded as the agent signed in.",
                            self.location, me.name
                        ));
                        return;
                    }
                    let you = self
                        .acting_agent()
                        .map_or("nobody yet".to_owned(), |a| a.name.clone());
                    ui.menu_button(format!("You: {you} ▾"), |ui| {
                        for agent in self.agents.iter().filter(|a| a.active) {
                            if ui.button(&agent.name).clicked() {
                                actions.push(Action::ActAs(agent.id));
                                ui.close();
                            }
                        }
                        ui.separator();
                        if ui.button("Someone else…").clicked() {
                            actions.push(Action::Command(UiCommand::SwitchAgent));
                            ui.close();
                        }
                    });
                });
            });
        });
    }
}
