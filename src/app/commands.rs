//! Every command the window offers, defined once: the menus, the keyboard
//! shortcuts and the command palette are all built from [`UiCommand::ALL`].

use egui::{Key, KeyboardShortcut, Modifiers};

/// A command an agent can give from a menu, a shortcut or the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiCommand {
    /// Open the New Ticket form.
    NewTicket,
    /// Put the cursor in the search box.
    Search,
    /// Select the next ticket in the list.
    NextTicket,
    /// Select the previous ticket in the list.
    PreviousTicket,
    /// Close the open form, dialog or ticket panel.
    Close,
    /// Open the command palette.
    Palette,
    /// Clear every filter.
    ClearFilters,
    /// Fetch the list and the open ticket again.
    Refresh,
    /// Change who is using the app.
    SwitchAgent,
    /// Add and edit customers and agents.
    ManageAgents,
    /// Fill an empty database with sample data.
    LoadSampleData,
    /// Light colours.
    ThemeLight,
    /// Dark colours.
    ThemeDark,
    /// Follow the system's light or dark setting.
    ThemeSystem,
    /// Open or close the Analytics window.
    Analytics,
    /// Export the tickets matching the filters to CSV.
    ExportTickets,
    /// Open another database file.
    OpenDatabase,
    /// Start a new, empty database file.
    NewDatabase,
    /// Write a backup of the database now.
    BackupNow,
    /// Put a backup in place of the database.
    RestoreBackup,
    /// Show every shortcut.
    KeyboardHelp,
    /// What Tickets is.
    About,
    /// Close the window.
    Quit,
}

/// Which menu a command sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    /// File.
    File,
    /// View.
    View,
    /// Help.
    Help,
    /// Only on the keyboard and in the palette.
    None,
}

impl UiCommand {
    /// Every command, in menu order.
    pub const ALL: [UiCommand; 23] = [
        UiCommand::NewTicket,
        UiCommand::ExportTickets,
        UiCommand::LoadSampleData,
        UiCommand::SwitchAgent,
        UiCommand::ManageAgents,
        UiCommand::OpenDatabase,
        UiCommand::NewDatabase,
        UiCommand::BackupNow,
        UiCommand::RestoreBackup,
        UiCommand::Quit,
        UiCommand::Search,
        UiCommand::ClearFilters,
        UiCommand::Refresh,
        UiCommand::Analytics,
        UiCommand::ThemeLight,
        UiCommand::ThemeDark,
        UiCommand::ThemeSystem,
        UiCommand::Palette,
        UiCommand::KeyboardHelp,
        UiCommand::About,
        UiCommand::NextTicket,
        UiCommand::PreviousTicket,
        UiCommand::Close,
    ];

    /// The name shown in menus and the palette.
    pub fn label(self) -> &'static str {
        match self {
            UiCommand::NewTicket => "New Ticket",
            UiCommand::Search => "Search",
            UiCommand::NextTicket => "Next ticket",
            UiCommand::PreviousTicket => "Previous ticket",
            UiCommand::Close => "Close panel or dialog",
            UiCommand::Palette => "Command palette",
            UiCommand::ClearFilters => "Clear filters",
            UiCommand::Refresh => "Refresh",
            UiCommand::SwitchAgent => "Switch agent…",
            UiCommand::ManageAgents => "Customers and agents…",
            UiCommand::LoadSampleData => "Load sample data…",
            UiCommand::ThemeLight => "Light theme",
            UiCommand::ThemeDark => "Dark theme",
            UiCommand::ThemeSystem => "Follow system theme",
            UiCommand::Analytics => "Analytics",
            UiCommand::ExportTickets => "Export tickets…",
            UiCommand::OpenDatabase => "Open database…",
            UiCommand::NewDatabase => "New database…",
            UiCommand::BackupNow => "Backup now",
            UiCommand::RestoreBackup => "Restore from backup…",
            UiCommand::KeyboardHelp => "Keyboard shortcuts",
            UiCommand::About => "About Tickets",
            UiCommand::Quit => "Quit",
        }
    }

    /// The menu it belongs to.
    pub fn menu(self) -> Menu {
        match self {
            UiCommand::NewTicket
            | UiCommand::LoadSampleData
            | UiCommand::SwitchAgent
            | UiCommand::ManageAgents
            | UiCommand::ExportTickets
            | UiCommand::OpenDatabase
            | UiCommand::NewDatabase
            | UiCommand::BackupNow
            | UiCommand::RestoreBackup
            | UiCommand::Quit => Menu::File,
            UiCommand::Search
            | UiCommand::ClearFilters
            | UiCommand::Refresh
            | UiCommand::ThemeLight
            | UiCommand::ThemeDark
            | UiCommand::ThemeSystem
            | UiCommand::Analytics
            | UiCommand::Palette => Menu::View,
            UiCommand::KeyboardHelp | UiCommand::About => Menu::Help,
            UiCommand::NextTicket | UiCommand::PreviousTicket | UiCommand::Close => Menu::None,
        }
    }

    /// The shortcuts that give this command; the first is the one shown.
    pub fn shortcuts(self) -> Vec<KeyboardShortcut> {
        const fn key(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::NONE, key)
        }
        const fn cmd(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::COMMAND, key)
        }
        match self {
            UiCommand::NewTicket => vec![key(Key::N)],
            UiCommand::Search => vec![key(Key::Slash), cmd(Key::F)],
            UiCommand::NextTicket => vec![key(Key::J), key(Key::ArrowDown)],
            UiCommand::PreviousTicket => vec![key(Key::K), key(Key::ArrowUp)],
            UiCommand::Close => vec![key(Key::Escape)],
            UiCommand::Palette => vec![cmd(Key::K)],
            UiCommand::Refresh => vec![key(Key::F5)],
            UiCommand::Analytics => vec![key(Key::F2)],
            UiCommand::ExportTickets => vec![cmd(Key::E)],
            UiCommand::OpenDatabase => vec![cmd(Key::O)],
            UiCommand::KeyboardHelp => vec![key(Key::F1)],
            UiCommand::Quit => vec![cmd(Key::Q)],
            _ => Vec::new(),
        }
    }

    /// Whether the command needs an open database; the others also work while
    /// a database is opening or could not be opened.
    pub fn needs_database(self) -> bool {
        !matches!(
            self,
            UiCommand::OpenDatabase
                | UiCommand::NewDatabase
                | UiCommand::RestoreBackup
                | UiCommand::Palette
                | UiCommand::Close
                | UiCommand::ThemeLight
                | UiCommand::ThemeDark
                | UiCommand::ThemeSystem
                | UiCommand::KeyboardHelp
                | UiCommand::About
                | UiCommand::Quit
        )
    }

    /// Whether the shortcut is a plain key that would otherwise be typed into a
    /// text field (and so only works when no field has the keyboard).
    fn is_typing_key(shortcut: &KeyboardShortcut) -> bool {
        shortcut.logical_key != Key::Escape
            && shortcut.logical_key != Key::F5
            && shortcut.logical_key != Key::F1
            && shortcut.logical_key != Key::F2
            && (shortcut.modifiers.is_none() || shortcut.modifiers == Modifiers::SHIFT)
    }

    /// The shortcut shown beside the command ("Ctrl+K"), if it has one.
    pub fn shortcut_text(self, ctx: &egui::Context) -> Option<String> {
        self.shortcuts().first().map(|s| ctx.format_shortcut(s))
    }

    /// The commands whose shortcuts were pressed this frame (each key press is
    /// consumed, so a shortcut fires once). Plain-key shortcuts are skipped
    /// while a text field has the keyboard.
    pub fn pressed(ctx: &egui::Context) -> Vec<UiCommand> {
        let typing = ctx.egui_wants_keyboard_input();
        let mut pressed = Vec::new();
        for command in UiCommand::ALL {
            for shortcut in command.shortcuts() {
                if typing && Self::is_typing_key(&shortcut) {
                    continue;
                }
                if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                    pressed.push(command);
                    break;
                }
            }
        }
        pressed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_shortcut_is_defined_twice() {
        let mut seen = std::collections::HashSet::new();
        for command in UiCommand::ALL {
            for s in command.shortcuts() {
                assert!(
                    seen.insert((s.modifiers.command, s.modifiers.shift, s.logical_key)),
                    "{command:?} reuses {s:?}"
                );
            }
        }
    }

    #[test]
    fn every_command_is_listed_once() {
        let set: std::collections::HashSet<_> = UiCommand::ALL.into_iter().collect();
        assert_eq!(set.len(), UiCommand::ALL.len());
    }
}
