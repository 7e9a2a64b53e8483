//! What the window remembers between runs: the theme, where exports go,
//! whether the filters are shown, and per database file the filter, the
//! sort and who is using it. eframe keeps the window's size and the panels'
//! widths itself.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::LazyLock;

use crate::domain::AgentId;
use crate::store::views::{BuiltinView, SavedView};
use crate::store::{Sort, TicketFilter};

/// The key the settings are stored under in eframe's storage.
pub const SETTINGS_KEY: &str = "tickets-settings";

/// The application's id: the Linux desktop file's name and Wayland app id,
/// and the name of the folder eframe keeps the window's settings in.
pub const APP_ID: &str = "app.tickets.Tickets";

/// The name eframe kept the settings under before the app had an id.
const OLD_STORAGE_NAME: &str = "Tickets";

/// The file eframe keeps its storage in, within its folder.
const STORAGE_FILE: &str = "app.ron";

/// Moves the settings eframe saved before the app had an id (window size,
/// panels, filters, theme) to the folder the id names, once: where that
/// folder holds none yet. Returns what was moved (from, to), or why not;
/// nothing to move is `Ok(None)`. The database files beside the old
/// settings stay where they are.
pub fn move_saved_settings() -> std::io::Result<Option<(PathBuf, PathBuf)>> {
    match (
        eframe::storage_dir(OLD_STORAGE_NAME),
        eframe::storage_dir(APP_ID),
    ) {
        (Some(old), Some(new)) => move_settings_file(&old, &new),
        _ => Ok(None),
    }
}

/// [`move_saved_settings`] between two folders.
fn move_settings_file(
    old_dir: &std::path::Path,
    new_dir: &std::path::Path,
) -> std::io::Result<Option<(PathBuf, PathBuf)>> {
    let (old, new) = (old_dir.join(STORAGE_FILE), new_dir.join(STORAGE_FILE));
    if old == new || new.exists() || !old.is_file() {
        return Ok(None);
    }
    std::fs::create_dir_all(new_dir)?;
    // Copied whole to a temporary name and renamed, so that a crash leaves
    // either no settings at the new place or all of them; then the old file
    // goes (a rename alone may cross file systems).
    let part = new_dir.join(format!("{STORAGE_FILE}.moving"));
    std::fs::copy(&old, &part)?;
    std::fs::rename(&part, &new)?;
    std::fs::remove_file(&old)?;
    Ok(Some((old, new)))
}

/// Light, dark, or as the system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// Follow the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl ThemeChoice {
    /// egui's name for it.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// What is remembered for one database between runs.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// The filter in force.
    pub filter: TicketFilter,
    /// The sort in force.
    pub sort: Sort,
    /// Who is using the app.
    pub agent: Option<AgentId>,
    /// The view last opened; `None` before the first (the window then opens
    /// on "My open", or "All open" when nothing is assigned to the agent).
    pub view: Option<ViewRef>,
    /// The agent's own saved views, in the order they chose.
    pub views: Vec<SavedView>,
}

/// Which view: one every desk has, one of the agent's own (by name), or
/// one shared with the team (by its id in the database).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ViewRef {
    /// A built-in view.
    Builtin(BuiltinView),
    /// One of the agent's own, kept in these settings.
    Personal(String),
    /// One shared with the team, kept in the database.
    Shared(i64),
}

/// What is remembered between runs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The colour theme.
    pub theme: ThemeChoice,
    /// Per database file, by its path. The open database's entry is the
    /// only copy of its settings: the window reads and writes it in place.
    pub databases: HashMap<String, DatabaseSettings>,
    /// Whether opening a database makes the day's backup of it (on unless
    /// turned off, as the window tests and the UI benchmark do).
    pub automatic_backups: bool,
    /// The folder an export is suggested in: the last one exported to, or
    /// (when none yet) the Documents folder, else the home folder.
    pub export_folder: Option<PathBuf>,
    /// Whether the filters beside the list are shown, once the agent has
    /// said; until then they are shown when the window is wide enough.
    pub filters_shown: Option<bool>,
    /// The team server last connected to from File → Connect to team
    /// server…, without its password (which is never kept).
    #[serde(default)]
    pub team_server: Option<TeamServer>,
}

/// Where a team's server is and who signs in to it (never the password).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TeamServer {
    /// The server's name or address.
    pub host: String,
    /// Its port, as typed (empty: 5432).
    pub port: String,
    /// The team's database.
    pub database: String,
    /// The agent's login.
    pub user: String,
    /// The rest of the address (`sslmode=…&sslrootcert=…`), if it had any.
    #[serde(default)]
    pub options: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: ThemeChoice::default(),
            databases: HashMap::new(),
            automatic_backups: true,
            export_folder: None,
            filters_shown: None,
            team_server: None,
        }
    }
}

/// The settings of a database seen for the first time.
static FRESH: LazyLock<DatabaseSettings> = LazyLock::new(DatabaseSettings::default);

impl Settings {
    /// The remembered settings of the database under `key`.
    pub fn database(&self, key: &str) -> &DatabaseSettings {
        self.databases.get(key).unwrap_or(&FRESH)
    }

    /// The same, to change (remembered from then on).
    pub fn database_mut(&mut self, key: &str) -> &mut DatabaseSettings {
        self.databases.entry(key.to_owned()).or_default()
    }

    /// The folder exports are suggested in.
    pub fn export_folder(&self) -> PathBuf {
        self.export_folder
            .clone()
            .or_else(|| {
                directories::UserDirs::new()
                    .map(|dirs| dirs.document_dir().unwrap_or(dirs.home_dir()).to_path_buf())
            })
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_settings_move_once_to_the_ids_folder() {
        let dir = tempfile::tempdir().expect("a folder");
        let (old, new) = (
            dir.path().join("tickets"),
            dir.path().join("app.tickets.tickets"),
        );
        std::fs::create_dir_all(&old).expect("old folder");
        std::fs::write(old.join("app.ron"), "(theme: Dark)").expect("old settings");
        std::fs::write(old.join("tickets.db"), "the desk").expect("a database beside them");
        let moved = move_settings_file(&old, &new).expect("moved");
        assert_eq!(moved, Some((old.join("app.ron"), new.join("app.ron"))));
        assert_eq!(
            std::fs::read_to_string(new.join("app.ron")).expect("new settings"),
            "(theme: Dark)"
        );
        assert!(!old.join("app.ron").exists(), "moved, not copied");
        assert!(old.join("tickets.db").exists(), "the database stays");
        // Settings saved at the new place are never overwritten by old ones.
        std::fs::write(old.join("app.ron"), "(theme: Light)").expect("old again");
        assert_eq!(move_settings_file(&old, &new).expect("nothing"), None);
        assert_eq!(
            std::fs::read_to_string(new.join("app.ron")).expect("kept"),
            "(theme: Dark)"
        );
        // Nothing saved before: nothing to do.
        let fresh = dir.path().join("fresh");
        assert_eq!(
            move_settings_file(&fresh, &new.join("x")).expect("none"),
            None
        );
    }
}
