//! What the window can be asked to do.
//!
//! - [`UiCommand`]: every command an agent can give from a menu, a shortcut
//!   or the command palette, defined once with its name, menu and keys, so a
//!   shortcut is never defined twice and a hover hint never disagrees with it;
//! - [`Action`]: what a widget asks for during a frame, applied once at the
//!   end of the frame (see `command_handling.rs`).

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers};

use super::worker::protocol::{Asker, Change};
use crate::analytics::{PeriodChoice, Scope};
use crate::domain::{
    AgentId, CustomerId, NewCustomer, NewTicket, Priority, Status, TagId, TicketNumber,
};
use crate::store::{Sort, TicketFilter};

/// Declares [`UiCommand`] and its [`UiCommand::ALL`] from one list, so the
/// list cannot miss a variant.
macro_rules! commands {
    ($($(#[doc = $doc:literal])* $variant:ident,)*) => {
        /// A command an agent can give from a menu, a shortcut or the palette.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum UiCommand {
            $($(#[doc = $doc])* $variant,)*
        }

        impl UiCommand {
            /// Every command, in menu order.
            pub const ALL: &[UiCommand] = &[$(UiCommand::$variant,)*];
        }
    };
}

commands! {
    /// Open the New Ticket form.
    NewTicket,
    /// Export the tickets matching the filters to CSV.
    ExportTickets,
    /// Export everything the database holds, for another database to read back.
    ExportEverything,
    /// Import tickets from another help desk's export, or a Tickets export.
    ImportTickets,
    /// Fill an empty database with sample data.
    LoadSampleData,
    /// Change who is using the app.
    SwitchAgent,
    /// Add and edit customers and agents.
    ManageAgents,
    /// The team's service-level targets and calendar.
    ServiceLevels,
    /// The team's canned replies: list, search, add, edit, delete.
    CannedReplies,
    /// Open another database file.
    OpenDatabase,
    /// Start a new, empty database file.
    NewDatabase,
    /// Connect to a team's PostgreSQL server.
    ConnectTeamServer,
    /// Set a team's server up and manage its agents.
    SetUpTeamServer,
    /// Copy this desk's file into an empty team database.
    MoveToTeamServer,
    /// Write a backup of the database now.
    BackupNow,
    /// Put a backup in place of the database.
    RestoreBackup,
    /// Close the window.
    Quit,
    /// Put the cursor in the search box.
    Search,
    /// Clear every filter.
    ClearFilters,
    /// Save the filters, search and sort in force as a view.
    SaveView,
    /// Open a view by a letter (G, then M for My open…).
    GoToView,
    /// Open the view "My open".
    ViewMyOpen,
    /// Open the view "Unassigned".
    ViewUnassigned,
    /// Open the view "All open".
    ViewAllOpen,
    /// Open the view "Waiting on customer".
    ViewWaiting,
    /// Open the view "Breaching soon".
    ViewBreachingSoon,
    /// Open the view "Recently updated".
    ViewRecentlyUpdated,
    /// Open the view "All tickets".
    ViewAll,
    /// Show or hide the filters beside the list.
    ToggleFilters,
    /// Fetch the list and the open ticket again.
    Refresh,
    /// Open or close the Analytics window.
    Analytics,
    /// Light colours.
    ThemeLight,
    /// Dark colours.
    ThemeDark,
    /// Follow the system's light or dark setting.
    ThemeSystem,
    /// Open the command palette.
    Palette,
    /// Open a ticket by its number.
    GoToTicket,
    /// Choose the open ticket's status in the palette.
    ChooseStatus,
    /// Set the status by its number (S, then 1 to 5).
    StatusByNumber,
    /// Set the open ticket's status to Open.
    StatusOpen,
    /// Set the open ticket's status to In Progress.
    StatusInProgress,
    /// Set the open ticket's status to Waiting.
    StatusWaiting,
    /// Set the open ticket's status to Resolved.
    StatusResolved,
    /// Set the open ticket's status to Closed.
    StatusClosed,
    /// Choose the open ticket's priority in the palette.
    ChoosePriority,
    /// Set the priority by its number (P, then 1 to 4).
    PriorityByNumber,
    /// Set the open ticket's priority to Low.
    PriorityLow,
    /// Set the open ticket's priority to Medium.
    PriorityMedium,
    /// Set the open ticket's priority to High.
    PriorityHigh,
    /// Set the open ticket's priority to Urgent.
    PriorityUrgent,
    /// Assign the open ticket to the agent using the app.
    AssignToMe,
    /// Open the agent picker of the open ticket.
    Assign,
    /// Open the tag box of the open ticket.
    AddTag,
    /// Put the cursor in the open ticket's note box.
    WriteNote,
    /// Put the cursor in the open ticket's reply box.
    WriteReply,
    /// Insert a canned reply at the cursor of the reply or note being written.
    InsertCanned,
    /// Merge the open ticket into another (or the picked tickets into one).
    MergeInto,
    /// Merge other tickets into the open one (or the picked tickets into one).
    MergeHere,
    /// Pick the ticket under the cursor for a bulk action, or let it go.
    ToggleSelect,
    /// Pick every ticket of the list.
    SelectAll,
    /// Pick the next ticket too, and move to it.
    ExtendDown,
    /// Pick the previous ticket too, and move to it.
    ExtendUp,
    /// Select the next ticket in the list.
    NextTicket,
    /// Select the previous ticket in the list.
    PreviousTicket,
    /// Submit the text being written (note, reply, description, form).
    Submit,
    /// Close the open dialog, picker or ticket panel.
    Close,
    /// Show every shortcut.
    KeyboardHelp,
    /// What Tickets is.
    About,
}

/// Which menu a command sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    /// File.
    File,
    /// View.
    View,
    /// Ticket: acts on the open ticket.
    Ticket,
    /// Help.
    Help,
    /// Only on the keyboard and in the palette.
    None,
}

impl Menu {
    /// The menus of the top bar, in order, with their names.
    pub const BAR: [(Menu, &'static str); 4] = [
        (Menu::File, "File"),
        (Menu::View, "View"),
        (Menu::Ticket, "Ticket"),
        (Menu::Help, "Help"),
    ];
}

/// What a command needs to be of use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Needs {
    /// Nothing: works while a database opens or after it failed to.
    Nothing,
    /// An open database.
    Database,
    /// A ticket open in the panel.
    Ticket,
}

impl UiCommand {
    /// The name shown in menus and the palette.
    pub fn label(self) -> &'static str {
        use UiCommand as C;
        match self {
            C::NewTicket => "New Ticket",
            C::ExportTickets => "Export tickets…",
            C::ExportEverything => "Export everything…",
            C::ImportTickets => "Import…",
            C::LoadSampleData => "Load sample data…",
            C::SwitchAgent => "Switch agent…",
            C::ManageAgents => "Customers and agents…",
            C::ServiceLevels => "Service levels…",
            C::CannedReplies => "Canned replies…",
            C::OpenDatabase => "Open database…",
            C::NewDatabase => "New database…",
            C::ConnectTeamServer => "Connect to team server…",
            C::SetUpTeamServer => "Set up a team server…",
            C::MoveToTeamServer => "Move this database to the team server…",
            C::BackupNow => "Backup now",
            C::RestoreBackup => "Restore from backup…",
            C::Quit => "Quit",
            C::Search => "Search",
            C::ClearFilters => "Clear filters",
            C::SaveView => "Save view…",
            C::GoToView => "Go to view…",
            C::ViewMyOpen => "View: My open",
            C::ViewUnassigned => "View: Unassigned",
            C::ViewAllOpen => "View: All open",
            C::ViewWaiting => "View: Waiting on customer",
            C::ViewBreachingSoon => "View: Breaching soon",
            C::ViewRecentlyUpdated => "View: Recently updated",
            C::ViewAll => "View: All tickets",
            C::ToggleFilters => "Show or hide filters",
            C::Refresh => "Refresh",
            C::Analytics => "Analytics",
            C::ThemeLight => "Light theme",
            C::ThemeDark => "Dark theme",
            C::ThemeSystem => "Follow system theme",
            C::Palette => "Command palette",
            C::GoToTicket => "Go to ticket…",
            C::ChooseStatus => "Set status…",
            C::StatusByNumber => "Set status by number",
            C::StatusOpen => "Set status: Open",
            C::StatusInProgress => "Set status: In Progress",
            C::StatusWaiting => "Set status: Waiting",
            C::StatusResolved => "Set status: Resolved",
            C::StatusClosed => "Set status: Closed",
            C::ChoosePriority => "Set priority…",
            C::PriorityByNumber => "Set priority by number",
            C::PriorityLow => "Set priority: Low",
            C::PriorityMedium => "Set priority: Medium",
            C::PriorityHigh => "Set priority: High",
            C::PriorityUrgent => "Set priority: Urgent",
            C::AssignToMe => "Assign to me",
            C::Assign => "Assign…",
            C::AddTag => "Add tag…",
            C::WriteNote => "Write a note",
            C::WriteReply => "Write a reply",
            C::InsertCanned => "Insert canned reply…",
            C::MergeInto => "Merge into another ticket…",
            C::MergeHere => "Merge other tickets into this…",
            C::ToggleSelect => "Pick or drop this ticket",
            C::SelectAll => "Pick every ticket of the list",
            C::ExtendDown => "Pick the next ticket too",
            C::ExtendUp => "Pick the previous ticket too",
            C::NextTicket => "Next ticket",
            C::PreviousTicket => "Previous ticket",
            C::Submit => "Submit what is being written",
            C::Close => "Close dialog, picker or panel",
            C::KeyboardHelp => "Keyboard shortcuts",
            C::About => "About Tickets",
        }
    }

    /// The submenu of its menu it stands in, if any.
    pub fn submenu(self) -> Option<&'static str> {
        match self {
            UiCommand::SetUpTeamServer | UiCommand::MoveToTeamServer => Some("Team server"),
            c if c.view().is_some() => Some("Views"),
            _ => None,
        }
    }

    /// Its name in its menu (in a submenu, without the submenu's words).
    pub fn menu_label(self) -> &'static str {
        match self {
            UiCommand::SetUpTeamServer => "Set up…",
            c => match c.view() {
                Some(view) => view.label(),
                None => self.label(),
            },
        }
    }

    /// The menu it belongs to.
    pub fn menu(self) -> Menu {
        use UiCommand as C;
        match self {
            C::NewTicket
            | C::ExportTickets
            | C::ExportEverything
            | C::ImportTickets
            | C::LoadSampleData
            | C::SwitchAgent
            | C::ManageAgents
            | C::OpenDatabase
            | C::NewDatabase
            | C::ConnectTeamServer
            | C::SetUpTeamServer
            | C::MoveToTeamServer
            | C::BackupNow
            | C::RestoreBackup
            | C::ServiceLevels
            | C::CannedReplies
            | C::Quit => Menu::File,
            C::Search
            | C::ClearFilters
            | C::SaveView
            | C::ViewMyOpen
            | C::ViewUnassigned
            | C::ViewAllOpen
            | C::ViewWaiting
            | C::ViewBreachingSoon
            | C::ViewRecentlyUpdated
            | C::ViewAll
            | C::ToggleFilters
            | C::Refresh
            | C::Analytics
            | C::ThemeLight
            | C::ThemeDark
            | C::ThemeSystem
            | C::Palette => Menu::View,
            C::GoToTicket
            | C::ChooseStatus
            | C::ChoosePriority
            | C::AssignToMe
            | C::Assign
            | C::AddTag
            | C::WriteNote
            | C::WriteReply
            | C::InsertCanned
            | C::MergeInto
            | C::MergeHere
            | C::NextTicket
            | C::PreviousTicket
            | C::ToggleSelect
            | C::SelectAll
            | C::ExtendDown
            | C::ExtendUp => Menu::Ticket,
            C::KeyboardHelp | C::About => Menu::Help,
            C::StatusOpen
            | C::StatusInProgress
            | C::StatusWaiting
            | C::StatusResolved
            | C::StatusClosed
            | C::PriorityLow
            | C::PriorityMedium
            | C::PriorityHigh
            | C::PriorityUrgent
            | C::Submit
            | C::GoToView
            | C::StatusByNumber
            | C::PriorityByNumber
            | C::Close => Menu::None,
        }
    }

    /// The shortcuts that give this command; the first is the one shown.
    pub fn shortcuts(self) -> &'static [KeyboardShortcut] {
        const fn key(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::NONE, key)
        }
        const fn cmd(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::COMMAND, key)
        }
        const fn shift(key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(Modifiers::SHIFT, key)
        }
        use UiCommand as C;
        match self {
            C::NewTicket => const { &[key(Key::N), cmd(Key::N)] },
            C::ExportTickets => const { &[cmd(Key::E)] },
            C::OpenDatabase => const { &[cmd(Key::O)] },
            C::Quit => const { &[cmd(Key::Q)] },
            C::Search => const { &[key(Key::Slash), cmd(Key::F)] },
            C::ToggleFilters => const { &[cmd(Key::B)] },
            C::Refresh => const { &[key(Key::F5)] },
            C::Analytics => const { &[key(Key::F2)] },
            C::Palette => const { &[cmd(Key::K)] },
            C::GoToTicket => const { &[cmd(Key::G)] },
            C::GoToView => const { &[key(Key::G)] },
            C::StatusByNumber => const { &[key(Key::S)] },
            C::PriorityByNumber => const { &[key(Key::P)] },
            C::AssignToMe => const { &[key(Key::I)] },
            C::Assign => const { &[key(Key::A)] },
            C::AddTag => const { &[key(Key::T)] },
            C::WriteNote => const { &[shift(Key::N), key(Key::C)] },
            C::WriteReply => const { &[key(Key::R)] },
            C::InsertCanned => const { &[cmd(Key::Slash)] },
            C::ToggleSelect => const { &[key(Key::X)] },
            C::SelectAll => const { &[cmd(Key::A)] },
            C::ExtendDown => const { &[shift(Key::J), shift(Key::ArrowDown)] },
            C::ExtendUp => const { &[shift(Key::K), shift(Key::ArrowUp)] },
            C::NextTicket => const { &[key(Key::J), key(Key::ArrowDown)] },
            C::PreviousTicket => const { &[key(Key::K), key(Key::ArrowUp)] },
            C::Submit => const { &[cmd(Key::Enter)] },
            C::Close => const { &[key(Key::Escape)] },
            C::KeyboardHelp => const { &[key(Key::F1)] },
            _ => &[],
        }
    }

    /// What the command needs to be of use.
    pub fn needs(self) -> Needs {
        use UiCommand as C;
        match self {
            C::OpenDatabase
            | C::NewDatabase
            | C::ConnectTeamServer
            | C::SetUpTeamServer
            | C::RestoreBackup
            | C::Palette
            | C::Close
            | C::Submit
            | C::ThemeLight
            | C::ThemeDark
            | C::ThemeSystem
            | C::ToggleFilters
            | C::KeyboardHelp
            | C::About
            | C::Quit => Needs::Nothing,
            C::ChooseStatus
            | C::StatusByNumber
            | C::PriorityByNumber
            | C::StatusOpen
            | C::StatusInProgress
            | C::StatusWaiting
            | C::StatusResolved
            | C::StatusClosed
            | C::ChoosePriority
            | C::PriorityLow
            | C::PriorityMedium
            | C::PriorityHigh
            | C::PriorityUrgent
            | C::AssignToMe
            | C::Assign
            | C::AddTag
            | C::WriteNote
            | C::WriteReply
            | C::InsertCanned
            | C::MergeInto
            | C::MergeHere => Needs::Ticket,
            _ => Needs::Database,
        }
    }

    /// The status this command sets, if it sets one.
    pub fn status(self) -> Option<Status> {
        use UiCommand as C;
        Some(match self {
            C::StatusOpen => Status::Open,
            C::StatusInProgress => Status::InProgress,
            C::StatusWaiting => Status::Waiting,
            C::StatusResolved => Status::Resolved,
            C::StatusClosed => Status::Closed,
            _ => return None,
        })
    }

    /// The view this command opens, if it opens one.
    pub fn view(self) -> Option<crate::store::views::BuiltinView> {
        use crate::store::views::BuiltinView as V;
        use UiCommand as C;
        Some(match self {
            C::ViewMyOpen => V::MyOpen,
            C::ViewUnassigned => V::Unassigned,
            C::ViewAllOpen => V::AllOpen,
            C::ViewWaiting => V::Waiting,
            C::ViewBreachingSoon => V::BreachingSoon,
            C::ViewRecentlyUpdated => V::RecentlyUpdated,
            C::ViewAll => V::All,
            _ => return None,
        })
    }

    /// The priority this command sets, if it sets one.
    pub fn priority(self) -> Option<Priority> {
        use UiCommand as C;
        Some(match self {
            C::PriorityLow => Priority::Low,
            C::PriorityMedium => Priority::Medium,
            C::PriorityHigh => Priority::High,
            C::PriorityUrgent => Priority::Urgent,
            _ => return None,
        })
    }

    /// Whether the shortcut is a key that also types or moves a text cursor,
    /// and so never fires while a text box has the keyboard.
    fn is_typing_key(shortcut: &KeyboardShortcut) -> bool {
        // Ctrl+A selects a text box's text.
        if *shortcut == KeyboardShortcut::new(Modifiers::COMMAND, Key::A) {
            return true;
        }
        !matches!(
            shortcut.logical_key,
            Key::Escape | Key::F1 | Key::F2 | Key::F5
        ) && !shortcut.modifiers.command
            && !shortcut.modifiers.ctrl
            && !shortcut.modifiers.alt
    }

    /// The first shortcut as the keyboard shows it: "Ctrl+K" (or "⌘K" on a
    /// Mac), "/" rather than "Slash", "Esc".
    pub fn shortcut_text(self, ctx: &egui::Context) -> Option<String> {
        self.shortcuts().first().map(|s| shortcut_text_of(s, ctx))
    }

    /// The label with its shortcut, for hover hints: "Add Note (Ctrl+Enter)".
    pub fn hint(self, ctx: &egui::Context, text: &str) -> String {
        match self.shortcut_text(ctx) {
            Some(keys) => format!("{text} ({keys})"),
            None => text.to_owned(),
        }
    }

    /// The commands whose shortcuts were pressed this frame; each key press
    /// is consumed, so a shortcut fires once. While `typing` (a text box has
    /// the keyboard, had it last frame, or was opened this frame) keys that
    /// type or move the cursor are left to the box; while a popup was open
    /// (`popup`, as the frame began: it closes itself on Esc), Esc is left
    /// to it.
    ///
    /// egui matches a shortcut whatever extra Shift or Alt is held, so the
    /// shortcuts with more modifiers are tried first: Shift+N writes a note
    /// rather than opening the New Ticket form that N opens.
    pub fn pressed(ctx: &egui::Context, typing: bool, popup: bool) -> Vec<UiCommand> {
        // Esc closes an open popup (a combo box's list, a menu) first, not
        // the dialog under it.
        let mut shortcuts: Vec<(UiCommand, &KeyboardShortcut)> = UiCommand::ALL
            .iter()
            .flat_map(|&command| command.shortcuts().iter().map(move |s| (command, s)))
            .filter(|(_, s)| !(typing && Self::is_typing_key(s)))
            .filter(|(_, s)| !(popup && s.logical_key == Key::Escape))
            .collect();
        shortcuts.sort_by_key(|(_, s)| {
            std::cmp::Reverse(u8::from(s.modifiers.shift) + u8::from(s.modifiers.alt))
        });
        let mut pressed = Vec::new();
        for (command, shortcut) in shortcuts {
            if !pressed.contains(&command) && ctx.input_mut(|i| i.consume_shortcut(shortcut)) {
                pressed.push(command);
            }
        }
        pressed
    }
}

/// A key that waits for a second one: G then a view's letter, S then a
/// status's number, P then a priority's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chord {
    /// G: a view.
    View,
    /// S: a status.
    Status,
    /// P: a priority.
    Priority,
}

impl Chord {
    /// The chord a command starts, if it starts one.
    pub fn of(command: UiCommand) -> Option<Chord> {
        match command {
            UiCommand::GoToView => Some(Chord::View),
            UiCommand::StatusByNumber => Some(Chord::Status),
            UiCommand::PriorityByNumber => Some(Chord::Priority),
            _ => None,
        }
    }

    /// What it chooses among, in the hint's words.
    pub fn title(self) -> &'static str {
        match self {
            Chord::View => "Go to view",
            Chord::Status => "Set status",
            Chord::Priority => "Set priority",
        }
    }

    /// Its choices: the second key, what it is called, and the command it gives.
    pub fn choices(self) -> Vec<(Key, &'static str, UiCommand)> {
        const DIGITS: [Key; 5] = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5];
        let commands: Vec<UiCommand> = match self {
            Chord::View => UiCommand::ALL
                .iter()
                .copied()
                .filter(|c| c.view().is_some())
                .collect(),
            Chord::Status => UiCommand::ALL
                .iter()
                .copied()
                .filter(|c| c.status().is_some())
                .collect(),
            Chord::Priority => UiCommand::ALL
                .iter()
                .copied()
                .filter(|c| c.priority().is_some())
                .collect(),
        };
        commands
            .into_iter()
            .enumerate()
            .filter_map(|(i, command)| {
                let (key, name) = match (command.view(), command.status(), command.priority()) {
                    (Some(view), _, _) => {
                        (Key::from_name(&view.letter().to_string())?, view.label())
                    }
                    (_, Some(status), _) => (*DIGITS.get(i)?, status.label()),
                    (_, _, Some(priority)) => (*DIGITS.get(i)?, priority.label()),
                    _ => return None,
                };
                Some((key, name, command))
            })
            .collect()
    }

    /// The hint shown while it waits: "Set status: 1 Open · 2 In Progress…".
    pub fn hint(self) -> String {
        let choices: Vec<String> = self
            .choices()
            .iter()
            .map(|(key, name, _)| format!("{} {name}", key.symbol_or_name()))
            .collect();
        format!("{}: {}   (Esc: cancel)", self.title(), choices.join(" · "))
    }
}

/// A shortcut as the keyboard shows it on this platform.
pub fn shortcut_text_of(shortcut: &KeyboardShortcut, ctx: &egui::Context) -> String {
    join_shortcut(
        &ctx.format_modifiers(shortcut.modifiers),
        shortcut.logical_key,
    )
}

/// A shortcut as printed on the keys: the modifiers as the platform names
/// them ("Ctrl", "⌘"), then the key as it is labelled.
fn join_shortcut(modifiers: &str, key: Key) -> String {
    let key = match key {
        Key::Slash => "/",
        Key::Escape => "Esc",
        Key::Enter => "Enter",
        other => other.symbol_or_name(),
    };
    if modifiers.is_empty() {
        key.to_owned()
    } else if modifiers.is_ascii() {
        format!("{modifiers}+{key}")
    } else {
        // Symbols stand together: ⌘K.
        format!("{modifiers}{key}")
    }
}

/// Something a widget asked for during a frame; applied once at its end.
#[derive(Clone, Debug)]
pub enum Action {
    /// Run a command.
    Command(UiCommand),
    /// Replace the filter.
    Filter(Box<TicketFilter>),
    /// Open a view.
    OpenView(super::settings::ViewRef),
    /// Ask for a new view's name (`None`), or a view's new name.
    AskViewName(Option<super::settings::ViewRef>),
    /// Save the filters in force as a view of this name (`None`; shared
    /// with the team or not), or rename a view.
    NameView(Option<super::settings::ViewRef>, String, bool),
    /// Keep the filters and sort in force in the open view.
    SaveViewChanges,
    /// Replace the team's service-level policy with this one.
    SaveSlaPolicy(Box<crate::domain::sla::SlaPolicy>),
    /// Save, delete or insert a canned reply.
    Canned(CannedAction),
    /// Open the canned reply picker for the reply or the note box.
    OpenCannedPicker(CannedInto),
    /// Put the open view's filters and sort back.
    RevertView,
    /// Move a saved view up (-1) or down (1).
    MoveView(super::settings::ViewRef, i64),
    /// Delete a saved view.
    DeleteView(super::settings::ViewRef),
    /// Show one customer's tickets (the name names the filter's chip).
    FilterCustomer(CustomerId, String),
    /// Sort the list.
    Sort(Sort),
    /// Open a ticket in the panel.
    Select(TicketNumber),
    /// Pick the tickets at these positions of the list (inclusive), some
    /// not loaded: the store names them.
    SelectRange(u64, u64),
    /// Let every picked ticket go.
    ClearSelection,
    /// A row's tooltip wants its ticket's newest change (the row's last
    /// change as shown).
    WantLastActivity(TicketNumber, chrono::DateTime<chrono::Utc>),
    /// Make one change to every picked ticket.
    Bulk(crate::domain::BulkChange),
    /// Undo the last bulk change.
    UndoBulk,
    /// Fetch the list's page that failed again.
    RetryList,
    /// Change the open ticket.
    Change(Change),
    /// Raise a ticket.
    Create(NewTicket),
    /// Look for customers.
    FindCustomers(Asker, String),
    /// Add a customer.
    AddCustomer(Asker, NewCustomer),
    /// Change a customer's name, email or company.
    SaveCustomer(CustomerId, NewCustomer),
    /// Tag a customer.
    TagCustomer(CustomerId, String),
    /// Untag a customer.
    UntagCustomer(CustomerId, TagId),
    /// Erase a customer's personal data (confirmed).
    EraseCustomer(CustomerId),
    /// Add an agent (name, email).
    AddAgent(Asker, String, String),
    /// Rename an agent or change their email.
    SaveAgent(AgentId, String, String),
    /// Deactivate or reactivate an agent.
    SetAgentActive(AgentId, bool),
    /// Act as this agent.
    ActAs(AgentId),
    /// Load this many sample tickets.
    Seed(u64),
    /// Stop a background task.
    CancelTask(super::tasks::TaskName),
    /// Work out the analytics of a period.
    Report(PeriodChoice),
    /// List the tickets behind an analytics figure.
    Drill(Scope),
    /// Open the export dialog for the Analytics window's report.
    ExportReport,
    /// Ask the system's save dialog where the export dialog's file goes.
    ChooseExportPath,
    /// Start the export the dialog describes.
    StartExport,
    /// Pick a file to restore with the open dialog.
    ChooseBackupFile,
    /// Put this backup in place of the database.
    Restore(PathBuf),
    /// A step of the import dialog.
    Import(ImportStep),
    /// Close the dialog on show.
    CloseModal,
}

/// What the import dialog asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStep {
    /// Choose the file with the system's open dialog.
    ChooseFile,
    /// Read the file's start through the choices made.
    Preview,
    /// Read it again through the mapping as edited.
    Remap,
    /// Save the mapping as edited under the name typed.
    SaveMapping,
    /// Work out what importing would do, writing nothing.
    DryRun,
    /// Import.
    Import,
    /// Read a Tickets export into the empty database.
    Restore,
    /// Stop the dry run or import running.
    Cancel,
}

/// The box a canned reply goes into: the reply being written or the note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CannedInto {
    /// The reply to the customer.
    Message,
    /// The internal note.
    Note,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::views::BuiltinView;

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
    fn each_chord_offers_every_choice_on_a_key_of_its_own() {
        assert_eq!(Chord::View.choices().len(), BuiltinView::ALL.len());
        assert_eq!(Chord::Status.choices().len(), Status::ALL.len());
        assert_eq!(Chord::Priority.choices().len(), Priority::ALL.len());
        let (key, name, command) = Chord::Status.choices()[2];
        assert_eq!(
            (key, name, command),
            (Key::Num3, "Waiting", UiCommand::StatusWaiting)
        );
        for chord in [Chord::View, Chord::Status, Chord::Priority] {
            let keys: std::collections::HashSet<Key> =
                chord.choices().iter().map(|(k, _, _)| *k).collect();
            assert_eq!(keys.len(), chord.choices().len(), "{chord:?}");
        }
        assert_eq!(
            Chord::Priority.hint(),
            "Set priority: 1 Low · 2 Medium · 3 High · 4 Urgent   (Esc: cancel)"
        );
    }

    #[test]
    fn every_command_is_listed_once() {
        let set: std::collections::HashSet<_> = UiCommand::ALL.iter().collect();
        assert_eq!(set.len(), UiCommand::ALL.len());
    }

    #[test]
    fn shortcuts_print_as_the_keys_read() {
        assert_eq!(join_shortcut("", Key::Slash), "/");
        assert_eq!(join_shortcut("Ctrl", Key::K), "Ctrl+K");
        assert_eq!(join_shortcut("⌘", Key::K), "⌘K");
        assert_eq!(join_shortcut("Ctrl", Key::Enter), "Ctrl+Enter");
        assert_eq!(join_shortcut("", Key::Escape), "Esc");
    }

    #[test]
    fn keys_that_type_never_fire_while_typing() {
        for command in UiCommand::ALL {
            for s in command.shortcuts() {
                let plain = s.modifiers.is_none()
                    || s.modifiers == Modifiers::SHIFT
                    || (s.modifiers == Modifiers::COMMAND && s.logical_key == Key::A);
                let function = matches!(s.logical_key, Key::Escape | Key::F1 | Key::F2 | Key::F5);
                assert_eq!(
                    UiCommand::is_typing_key(s),
                    plain && !function,
                    "{command:?} {s:?}"
                );
            }
        }
    }
}

/// What the canned replies' windows ask for.
#[derive(Clone, Debug)]
pub enum CannedAction {
    /// Save the reply typed: a new one (`None`) or the one with this id.
    Save(Option<i64>, crate::domain::CannedReply),
    /// Delete a reply.
    Delete(i64),
    /// Insert the reply chosen in the picker, applying its status and tags
    /// when sent or not.
    Insert {
        /// The reply.
        reply: i64,
        /// Whether its status and tags are applied.
        apply: bool,
    },
}
