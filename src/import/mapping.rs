//! How a source's columns and values become Tickets' fields: a [`Mapping`]
//! (saved as JSON, edited in the import preview), the built-in ones for the
//! exports Tickets knows, and a [`MappingLibrary`] of named mappings in a
//! directory.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{Format, ImportError};
use crate::domain::{Priority, Status};

/// A Tickets field a source column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// The ticket's id in the source (required: re-importing updates by it).
    ExternalId,
    /// The subject (required).
    Subject,
    /// The first message (HTML is turned into text).
    Description,
    /// The status, through the mapping's status table.
    Status,
    /// The priority, through the mapping's priority table.
    Priority,
    /// The requester's email.
    CustomerEmail,
    /// The requester's name.
    CustomerName,
    /// The requester's company.
    Company,
    /// The assigned agent's email.
    AssigneeEmail,
    /// The assigned agent's name.
    AssigneeName,
    /// Tags, several in a cell, split at the mapping's separators.
    Tags,
    /// When it was raised (required).
    CreatedAt,
    /// When the source last changed it.
    UpdatedAt,
    /// The first reply to the customer.
    FirstReplyAt,
    /// When it was solved / resolved.
    SolvedAt,
    /// When it was closed.
    ClosedAt,
    /// Not imported.
    Ignore,
}

impl Field {
    /// Every field, in the order the preview offers them.
    pub const ALL: [Field; 17] = [
        Field::ExternalId,
        Field::Subject,
        Field::Description,
        Field::Status,
        Field::Priority,
        Field::CustomerEmail,
        Field::CustomerName,
        Field::Company,
        Field::AssigneeEmail,
        Field::AssigneeName,
        Field::Tags,
        Field::CreatedAt,
        Field::UpdatedAt,
        Field::FirstReplyAt,
        Field::SolvedAt,
        Field::ClosedAt,
        Field::Ignore,
    ];

    /// The name shown to people (and used in row problems).
    pub fn label(self) -> &'static str {
        match self {
            Field::ExternalId => "Id",
            Field::Subject => "Subject",
            Field::Description => "Description",
            Field::Status => "Status",
            Field::Priority => "Priority",
            Field::CustomerEmail => "Customer email",
            Field::CustomerName => "Customer name",
            Field::Company => "Company",
            Field::AssigneeEmail => "Assignee email",
            Field::AssigneeName => "Assignee name",
            Field::Tags => "Tags",
            Field::CreatedAt => "Created at",
            Field::UpdatedAt => "Updated at",
            Field::FirstReplyAt => "First reply at",
            Field::SolvedAt => "Solved at",
            Field::ClosedAt => "Closed at",
            Field::Ignore => "(not imported)",
        }
    }
}

/// The order of day, month and year in dates written with numbers only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// Worked out per date where it can be (25/12/2024 is day first;
    /// 05/01/2024 is refused as ambiguous). Four-digit years first are
    /// always year-month-day.
    #[default]
    Auto,
    /// 25/12/2024.
    DayMonthYear,
    /// 12/25/2024.
    MonthDayYear,
    /// 2024-12-25.
    YearMonthDay,
}

/// A character that separates tags in one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TagSeparator {
    /// `,`
    Comma,
    /// Any white space.
    Space,
    /// `;`
    Semicolon,
    /// `|`
    Pipe,
}

impl TagSeparator {
    /// Whether `c` is this separator.
    pub fn matches(self, c: char) -> bool {
        match self {
            TagSeparator::Comma => c == ',',
            TagSeparator::Space => c.is_whitespace(),
            TagSeparator::Semicolon => c == ';',
            TagSeparator::Pipe => c == '|',
        }
    }
}

/// One source column and the field it fills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRule {
    /// The column's header as the source writes it (matched ignoring case,
    /// spaces, underscores and punctuation).
    pub column: String,
    /// What it fills.
    pub field: Field,
}

/// How a source's columns and values become a ticket. Saved as JSON; the
/// built-in ones ([`Mapping::built_in`]) are shown and edited like any other.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mapping {
    /// Its name (a [`MappingLibrary`] file name).
    pub name: String,
    /// Columns and the fields they fill. Several columns may fill one field
    /// (the first non-empty one wins); a column listed for no field is not
    /// imported.
    pub columns: Vec<ColumnRule>,
    /// Source status values (matched ignoring case and spacing) and the
    /// status each becomes. Tickets' own names ("In Progress") are always
    /// understood too.
    pub statuses: BTreeMap<String, Status>,
    /// The status for a value not in the table; without one such a row is
    /// skipped with a problem. Also the status of a row with an empty status
    /// (Open when there is none).
    pub default_status: Option<Status>,
    /// Source priority values and the priority each becomes; Tickets' own
    /// names always understood, an empty cell is Medium.
    pub priorities: BTreeMap<String, Priority>,
    /// The priority for a value not in the table; without one such a row is
    /// skipped with a problem.
    pub default_priority: Option<Priority>,
    /// What separates several tags in one cell.
    pub tag_separators: Vec<TagSeparator>,
    /// The order of numeric dates.
    pub date_order: DateOrder,
    /// The IANA zone of times written without one ("UTC", "Europe/Paris").
    pub time_zone: String,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            name: String::new(),
            columns: Vec::new(),
            statuses: BTreeMap::new(),
            default_status: None,
            priorities: BTreeMap::new(),
            default_priority: None,
            tag_separators: vec![TagSeparator::Comma],
            date_order: DateOrder::Auto,
            time_zone: "UTC".to_owned(),
        }
    }
}

/// A header or a value as matched: lower case, runs of anything but letters
/// and digits made one space, trimmed ("Requester_Email " → "requester email").
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim_end().to_owned()
}

fn rules(list: &[(&str, Field)]) -> Vec<ColumnRule> {
    list.iter()
        .map(|&(column, field)| ColumnRule {
            column: column.to_owned(),
            field,
        })
        .collect()
}

fn table<T: Copy>(list: &[(&str, T)]) -> BTreeMap<String, T> {
    list.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

/// Zendesk's statuses: new is untouched, open is being worked, pending waits
/// on the customer, on-hold on a third party.
const ZENDESK_STATUSES: &[(&str, Status)] = &[
    ("new", Status::Open),
    ("open", Status::InProgress),
    ("pending", Status::Waiting),
    ("hold", Status::Waiting),
    ("on-hold", Status::Waiting),
    ("solved", Status::Resolved),
    ("closed", Status::Closed),
];

const ZENDESK_PRIORITIES: &[(&str, Priority)] = &[
    ("low", Priority::Low),
    ("normal", Priority::Medium),
    ("high", Priority::High),
    ("urgent", Priority::Urgent),
];

impl Mapping {
    /// The built-in mapping of a known format (for `csv` and
    /// `tickets-export`, an empty one named after it).
    pub fn built_in(format: Format) -> Mapping {
        use Field::{
            AssigneeEmail, AssigneeName, ClosedAt, Company, CreatedAt, CustomerEmail, CustomerName,
            Description, ExternalId, FirstReplyAt, SolvedAt, Subject, Tags, UpdatedAt,
        };
        let base = Mapping {
            name: format.name().to_owned(),
            ..Mapping::default()
        };
        match format {
            // Zendesk's ticket CSV export ("Id", "Requester", "Requester
            // email", "Assignee", "Status", "Priority", "Subject", "Tags",
            // "Created at", "Updated at", "Solved at", "Organization"…).
            // "Assignee email" and "Description" are not in every export;
            // listed in case. Tags are space-separated.
            Format::ZendeskCsv => Mapping {
                columns: rules(&[
                    ("Id", ExternalId),
                    ("Subject", Subject),
                    ("Description", Description),
                    ("Status", Field::Status),
                    ("Priority", Field::Priority),
                    ("Requester email", CustomerEmail),
                    ("Requester", CustomerName),
                    ("Organization", Company),
                    ("Assignee email", AssigneeEmail),
                    ("Assignee", AssigneeName),
                    ("Tags", Tags),
                    ("Created at", CreatedAt),
                    ("Updated at", UpdatedAt),
                    ("Solved at", SolvedAt),
                    ("Closed at", ClosedAt),
                ]),
                statuses: table(ZENDESK_STATUSES),
                priorities: table(ZENDESK_PRIORITIES),
                tag_separators: vec![TagSeparator::Space, TagSeparator::Comma],
                ..base
            },
            Format::ZendeskJson => Mapping {
                statuses: table(ZENDESK_STATUSES),
                priorities: table(ZENDESK_PRIORITIES),
                ..base
            },
            // Freshdesk's ticket export: "Ticket ID", "Subject",
            // "Description", "Status", "Priority", "Agent", "Created time",
            // "Resolved time", "Closed time", "Last update time", "Initial
            // response time", "Tags"; the requester's columns are named
            // differently by account and version ("Full name", "Contact
            // name", "Requester name"; "Email", "Requester email"…), so each
            // seen variant is listed. Statuses and priorities come as names
            // or as the API's numeric codes.
            Format::FreshdeskCsv => Mapping {
                columns: rules(&[
                    ("Ticket ID", ExternalId),
                    ("Subject", Subject),
                    ("Description", Description),
                    ("Status", Field::Status),
                    ("Priority", Field::Priority),
                    ("Requester email", CustomerEmail),
                    ("Contact email", CustomerEmail),
                    ("Email", CustomerEmail),
                    ("Requester name", CustomerName),
                    ("Contact name", CustomerName),
                    ("Full name", CustomerName),
                    ("Company name", Company),
                    ("Company", Company),
                    ("Agent email", AssigneeEmail),
                    ("Agent", AssigneeName),
                    ("Tags", Tags),
                    ("Created time", CreatedAt),
                    ("Last update time", UpdatedAt),
                    ("Initial response time", FirstReplyAt),
                    ("Resolved time", SolvedAt),
                    ("Closed time", ClosedAt),
                ]),
                statuses: table(&[
                    ("2", Status::Open),
                    ("open", Status::Open),
                    ("3", Status::Waiting),
                    ("pending", Status::Waiting),
                    ("waiting on customer", Status::Waiting),
                    ("waiting on third party", Status::Waiting),
                    ("4", Status::Resolved),
                    ("resolved", Status::Resolved),
                    ("5", Status::Closed),
                    ("closed", Status::Closed),
                ]),
                priorities: table(&[
                    ("1", Priority::Low),
                    ("low", Priority::Low),
                    ("2", Priority::Medium),
                    ("medium", Priority::Medium),
                    ("3", Priority::High),
                    ("high", Priority::High),
                    ("4", Priority::Urgent),
                    ("urgent", Priority::Urgent),
                ]),
                ..base
            },
            // osTicket's staff-panel ticket export: "Ticket Number", "Date
            // Created", "Subject", "From", "From Email", "Priority",
            // "Current Status", "Last Updated", "Agent Assigned"… Older
            // versions write "Date" and "Status"; "Closed Date" is listed in
            // case. Dates follow the installation's format setting, hence
            // order auto.
            Format::OsTicketCsv => Mapping {
                columns: rules(&[
                    ("Ticket Number", ExternalId),
                    ("Number", ExternalId),
                    ("Subject", Subject),
                    ("Current Status", Field::Status),
                    ("Status", Field::Status),
                    ("Priority", Field::Priority),
                    ("From Email", CustomerEmail),
                    ("Email", CustomerEmail),
                    ("From", CustomerName),
                    ("Name", CustomerName),
                    ("Organization", Company),
                    ("Agent Assigned", AssigneeName),
                    ("Date Created", CreatedAt),
                    ("Create Date", CreatedAt),
                    ("Date", CreatedAt),
                    ("Last Updated", UpdatedAt),
                    ("Closed Date", ClosedAt),
                    ("Date Closed", ClosedAt),
                ]),
                statuses: table(&[
                    ("open", Status::Open),
                    ("resolved", Status::Resolved),
                    ("closed", Status::Closed),
                    ("archived", Status::Closed),
                ]),
                priorities: table(&[
                    ("low", Priority::Low),
                    ("normal", Priority::Medium),
                    ("high", Priority::High),
                    ("emergency", Priority::Urgent),
                ]),
                ..base
            },
            // Help Scout: active needs a reply, pending waits, closed is
            // done, spam is put away. It has no priorities.
            Format::HelpScoutJson => Mapping {
                statuses: table(&[
                    ("active", Status::Open),
                    ("open", Status::Open),
                    ("pending", Status::Waiting),
                    ("closed", Status::Closed),
                    ("spam", Status::Closed),
                ]),
                ..base
            },
            Format::Csv | Format::TicketsExport => base,
        }
    }

    /// A mapping for a CSV nobody described: each header that a built-in
    /// mapping or a common name ("Title", "Email", "Created"…) knows, mapped
    /// to that field; status and priority tables of every built-in one.
    pub fn guess(columns: &[String]) -> Mapping {
        let mut known: Vec<ColumnRule> = Vec::new();
        for format in [
            Format::ZendeskCsv,
            Format::FreshdeskCsv,
            Format::OsTicketCsv,
        ] {
            known.extend(Mapping::built_in(format).columns);
        }
        known.extend(rules(&[
            ("ID", Field::ExternalId),
            ("Ticket", Field::ExternalId),
            ("Title", Field::Subject),
            ("Body", Field::Description),
            ("Message", Field::Description),
            ("Customer email", Field::CustomerEmail),
            ("Customer", Field::CustomerName),
            ("Customer name", Field::CustomerName),
            ("Assignee name", Field::AssigneeName),
            ("Created", Field::CreatedAt),
            ("Updated", Field::UpdatedAt),
            ("Solved", Field::SolvedAt),
            ("Resolved", Field::SolvedAt),
            ("Closed", Field::ClosedAt),
        ]));
        let mut mapping = Mapping {
            name: "csv".to_owned(),
            ..Mapping::default()
        };
        for column in columns {
            let key = normalise(column);
            if let Some(rule) = known.iter().find(|r| normalise(&r.column) == key) {
                mapping.columns.push(ColumnRule {
                    column: column.clone(),
                    field: rule.field,
                });
            }
        }
        for format in [
            Format::FreshdeskCsv,
            Format::OsTicketCsv,
            Format::ZendeskCsv,
        ] {
            let built = Mapping::built_in(format);
            mapping.statuses.extend(built.statuses);
            mapping.priorities.extend(built.priorities);
        }
        mapping
    }

    /// The zone of times written without one.
    pub fn zone(&self) -> Result<Tz, ImportError> {
        self.time_zone.trim().parse::<Tz>().map_err(|_| {
            ImportError::Mapping(format!(
                "“{}” is not a time zone (write an IANA name such as UTC or Europe/Paris)",
                self.time_zone
            ))
        })
    }

    /// A source status value as a status: the table, then Tickets' own
    /// names, then the default; an empty value is the default (or Open).
    pub fn status(&self, value: &str) -> Result<Status, String> {
        let key = normalise(value);
        if key.is_empty() {
            return Ok(self.default_status.unwrap_or(Status::Open));
        }
        lookup(&self.statuses, &key)
            .or_else(|| Status::parse(value))
            .or(self.default_status)
            .ok_or_else(|| {
                format!(
                    "“{}” is not in the mapping's status table (map it, or give the mapping a default status)",
                    super::values::shorten(value.trim(), 40)
                )
            })
    }

    /// A source priority value as a priority, like [`Mapping::status`]; an
    /// empty value is Medium.
    pub fn priority(&self, value: &str) -> Result<Priority, String> {
        let key = normalise(value);
        if key.is_empty() {
            return Ok(Priority::Medium);
        }
        lookup(&self.priorities, &key)
            .or_else(|| Priority::parse(value))
            .or(self.default_priority)
            .ok_or_else(|| {
                format!(
                    "“{}” is not in the mapping's priority table (map it, or give the mapping a default priority)",
                    super::values::shorten(value.trim(), 40)
                )
            })
    }

    /// For each of `header`'s columns, the field it fills (None: not
    /// imported); refused when the fields every ticket needs have no column.
    pub fn bind(&self, header: &[String]) -> Result<Vec<Option<Field>>, ImportError> {
        let rules: Vec<(String, Field)> = self
            .columns
            .iter()
            .map(|r| (normalise(&r.column), r.field))
            .collect();
        let fields: Vec<Option<Field>> = header
            .iter()
            .map(|column| {
                let key = normalise(column);
                rules
                    .iter()
                    .find(|(column, _)| *column == key)
                    .map(|&(_, field)| field)
                    .filter(|&f| f != Field::Ignore)
            })
            .collect();
        let missing: Vec<&str> = [Field::ExternalId, Field::Subject, Field::CreatedAt]
            .into_iter()
            .filter(|f| !fields.contains(&Some(*f)))
            .map(Field::label)
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::Mapping(format!(
                "no column is mapped to {} (every ticket needs {}; the id is how a second import updates instead of duplicating)",
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            )));
        }
        self.zone()?;
        Ok(fields)
    }
}

fn lookup<T: Copy>(table: &BTreeMap<String, T>, key: &str) -> Option<T> {
    table
        .iter()
        .find(|(k, _)| normalise(k) == key)
        .map(|(_, v)| *v)
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Named mappings kept as JSON files in one directory (`NAME.json`).
#[derive(Clone, Debug)]
pub struct MappingLibrary {
    dir: PathBuf,
}

/// Longest mapping name accepted, in characters.
pub const MAX_MAPPING_NAME_CHARS: usize = 60;

impl MappingLibrary {
    /// The library kept in `dir` (created when the first mapping is saved).
    pub fn new(dir: impl Into<PathBuf>) -> MappingLibrary {
        MappingLibrary { dir: dir.into() }
    }

    /// This user's saved mappings: `mappings` in the platform's
    /// configuration folder (`~/.config/tickets/mappings` on Linux), where
    /// the system has one.
    pub fn of_this_user() -> Option<MappingLibrary> {
        directories::ProjectDirs::from("", "", "Tickets")
            .map(|dirs| MappingLibrary::new(dirs.config_dir().join("mappings")))
    }

    /// A name as a safe file name, or why it is not one: letters, digits,
    /// spaces, `-`, `_` and `.`; not starting with a dot; at most 60 characters.
    pub fn check_name(name: &str) -> Result<&str, ImportError> {
        let trimmed = name.trim();
        let bad = |why: &str| {
            Err(ImportError::Mapping(format!(
                "“{}” cannot name a mapping: {why}",
                super::values::shorten(name, 40)
            )))
        };
        if trimmed.is_empty() {
            return bad("it is empty");
        }
        if trimmed.chars().count() > MAX_MAPPING_NAME_CHARS {
            return bad("it is longer than 60 characters");
        }
        if trimmed.starts_with('.') {
            return bad("it starts with a dot");
        }
        if let Some(c) = trimmed
            .chars()
            .find(|&c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
        {
            return bad(&format!(
                "it contains “{c}” (use letters, digits, spaces, - _ and .)"
            ));
        }
        Ok(trimmed)
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, ImportError> {
        Ok(self.dir.join(format!("{}.json", Self::check_name(name)?)))
    }

    /// Saves `mapping` under its name, replacing one of that name.
    pub fn save(&self, mapping: &Mapping) -> Result<(), ImportError> {
        let path = self.path_of(&mapping.name)?;
        std::fs::create_dir_all(&self.dir).map_err(|e| ImportError::io(&self.dir, e))?;
        let json = serde_json::to_string_pretty(mapping)
            .map_err(|e| ImportError::Mapping(e.to_string()))?;
        // Written beside and renamed into place: never half a mapping.
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)
            .map_err(|e| ImportError::io(&self.dir, e))?;
        std::io::Write::write_all(&mut tmp, json.as_bytes())
            .map_err(|e| ImportError::io(&path, e))?;
        tmp.persist(&path)
            .map_err(|e| ImportError::io(&path, e.error))?;
        Ok(())
    }

    /// The mapping saved as `name`.
    pub fn load(&self, name: &str) -> Result<Mapping, ImportError> {
        let path = self.path_of(name)?;
        if !path.exists() {
            return Err(ImportError::Mapping(format!(
                "there is no saved mapping named “{}”",
                name.trim()
            )));
        }
        Mapping::from_file(&path)
    }

    /// The names of the saved mappings, sorted.
    pub fn list(&self) -> Result<Vec<String>, ImportError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ImportError::io(&self.dir, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ImportError::io(&self.dir, e))?;
            let file = entry.file_name();
            let Some(name) = file.to_str().and_then(|f| f.strip_suffix(".json")) else {
                continue;
            };
            if Self::check_name(name).is_ok() {
                names.push(name.to_owned());
            }
        }
        names.sort_by_key(|n| n.to_lowercase());
        Ok(names)
    }

    /// Deletes the mapping saved as `name`.
    pub fn delete(&self, name: &str) -> Result<(), ImportError> {
        let path = self.path_of(name)?;
        std::fs::remove_file(&path).map_err(|e| ImportError::io(&path, e))
    }

    /// `--mapping NAME|FILE`: a path to a JSON file when one exists there
    /// (or it ends in `.json`), otherwise a saved mapping's name.
    pub fn resolve(&self, name_or_file: &str) -> Result<Mapping, ImportError> {
        let path = Path::new(name_or_file);
        if path.is_file() || name_or_file.ends_with(".json") {
            Mapping::from_file(path)
        } else {
            self.load(name_or_file)
        }
    }
}

impl Mapping {
    /// A mapping read from a JSON file.
    pub fn from_file(path: &Path) -> Result<Mapping, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ImportError::io(path, e))?;
        let mapping: Mapping = serde_json::from_str(&text).map_err(|e| {
            ImportError::Mapping(format!("{} is not a mapping: {e}", path.display()))
        })?;
        mapping.zone()?;
        Ok(mapping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zendesk_statuses_and_normal_priority_map() {
        let m = Mapping::built_in(Format::ZendeskCsv);
        assert_eq!(m.status("New"), Ok(Status::Open));
        assert_eq!(m.status("open"), Ok(Status::InProgress));
        assert_eq!(m.status("Hold"), Ok(Status::Waiting));
        assert_eq!(m.status("solved"), Ok(Status::Resolved));
        assert_eq!(m.priority("Normal"), Ok(Priority::Medium));
        assert_eq!(m.priority(""), Ok(Priority::Medium));
        let err = m.status("escalated").unwrap_err();
        assert!(
            err.starts_with("“escalated” is not in the mapping's status table"),
            "{err}"
        );
        let lenient = Mapping {
            default_status: Some(Status::Waiting),
            ..m
        };
        assert_eq!(lenient.status("escalated"), Ok(Status::Waiting));
    }

    #[test]
    fn freshdesk_numeric_codes_map() {
        let m = Mapping::built_in(Format::FreshdeskCsv);
        assert_eq!(m.status("2"), Ok(Status::Open));
        assert_eq!(m.status("3"), Ok(Status::Waiting));
        assert_eq!(m.status("4"), Ok(Status::Resolved));
        assert_eq!(m.status("5"), Ok(Status::Closed));
        assert_eq!(m.priority("1"), Ok(Priority::Low));
        assert_eq!(m.priority("4"), Ok(Priority::Urgent));
        assert!(m.status("9").is_err());
    }

    #[test]
    fn headers_bind_ignoring_case_and_spacing_and_missing_fields_are_named() {
        let m = Mapping::built_in(Format::ZendeskCsv);
        let header: Vec<String> = ["ID", "subject", "requester_email", "CREATED  AT", "Via"]
            .map(String::from)
            .to_vec();
        let bound = m.bind(&header).unwrap();
        assert_eq!(
            bound,
            vec![
                Some(Field::ExternalId),
                Some(Field::Subject),
                Some(Field::CustomerEmail),
                Some(Field::CreatedAt),
                None
            ]
        );
        let err = m.bind(&header[1..]).unwrap_err().to_string();
        assert!(err.contains("no column is mapped to Id"), "{err}");
    }

    #[test]
    fn a_library_saves_lists_loads_and_deletes_by_safe_names() {
        let dir = tempfile::tempdir().unwrap();
        let lib = MappingLibrary::new(dir.path().join("mappings"));
        assert_eq!(lib.list().unwrap(), Vec::<String>::new());
        let mut m = Mapping::guess(&[
            "Title".to_owned(),
            "Ticket".to_owned(),
            "Created".to_owned(),
        ]);
        m.name = "Old desk".to_owned();
        m.date_order = DateOrder::DayMonthYear;
        lib.save(&m).unwrap();
        assert_eq!(lib.list().unwrap(), vec!["Old desk"]);
        assert_eq!(lib.load("Old desk").unwrap(), m);
        assert_eq!(lib.resolve("Old desk").unwrap(), m);
        let file = dir.path().join("mappings").join("Old desk.json");
        assert_eq!(lib.resolve(file.to_str().unwrap()).unwrap(), m);
        lib.delete("Old desk").unwrap();
        assert!(
            lib.load("Old desk")
                .unwrap_err()
                .to_string()
                .contains("no saved mapping named “Old desk”")
        );
        for bad in ["../evil", "a/b", ".hidden", "", "x\\y"] {
            assert!(MappingLibrary::check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_guessed_mapping_knows_common_headers() {
        let m = Mapping::guess(&[
            "Ticket ID".into(),
            "Title".into(),
            "Email".into(),
            "Created".into(),
            "Mood".into(),
        ]);
        let fields: Vec<Field> = m.columns.iter().map(|r| r.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::ExternalId,
                Field::Subject,
                Field::CustomerEmail,
                Field::CreatedAt
            ]
        );
    }
}
