//! Which kind of export a source is, recognised from its first row or its
//! first JSON object, or named on the command line (`--format`).

use std::fmt;
use std::str::FromStr;

use super::mapping::normalise;

/// A kind of source Tickets reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Zendesk's ticket CSV export.
    ZendeskCsv,
    /// Zendesk's JSON export: one ticket object a line (also read: an array
    /// of tickets, or the API's `{"tickets": […]}`).
    ZendeskJson,
    /// Freshdesk's ticket CSV export (names or numeric codes).
    FreshdeskCsv,
    /// osTicket's ticket CSV export.
    OsTicketCsv,
    /// Help Scout conversations as JSON: the API's
    /// `{"_embedded":{"conversations":[…]}}` pages, an array, or one
    /// conversation a line.
    HelpScoutJson,
    /// Any CSV with a header row, read through a mapping.
    Csv,
    /// Tickets' own full export (JSONL with a header line); recognised here,
    /// read by the restore.
    TicketsExport,
}

impl Format {
    /// Every format, in the order the preview and `--help` list them.
    pub const ALL: [Format; 7] = [
        Format::ZendeskCsv,
        Format::ZendeskJson,
        Format::FreshdeskCsv,
        Format::OsTicketCsv,
        Format::HelpScoutJson,
        Format::Csv,
        Format::TicketsExport,
    ];

    /// Its `--format` name.
    pub fn name(self) -> &'static str {
        match self {
            Format::ZendeskCsv => "zendesk-csv",
            Format::ZendeskJson => "zendesk-json",
            Format::FreshdeskCsv => "freshdesk-csv",
            Format::OsTicketCsv => "osticket-csv",
            Format::HelpScoutJson => "helpscout-json",
            Format::Csv => "csv",
            Format::TicketsExport => "tickets-export",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Format::ZendeskCsv => "Zendesk (CSV)",
            Format::ZendeskJson => "Zendesk (JSON)",
            Format::FreshdeskCsv => "Freshdesk (CSV)",
            Format::OsTicketCsv => "osTicket (CSV)",
            Format::HelpScoutJson => "Help Scout (JSON)",
            Format::Csv => "CSV through a mapping",
            Format::TicketsExport => "Tickets export",
        }
    }

    /// The `--format` names, for clap's `value_parser` / help.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|f| f.name()).collect()
    }

    /// Whether it is read as CSV (through a mapping).
    pub fn is_csv(self) -> bool {
        matches!(
            self,
            Format::ZendeskCsv | Format::FreshdeskCsv | Format::OsTicketCsv | Format::Csv
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        Format::ALL
            .into_iter()
            .find(|f| f.name() == key)
            .ok_or_else(|| {
                format!(
                    "“{s}” is not a format Tickets reads (one of {})",
                    Format::names().join(", ")
                )
            })
    }
}

/// `--format`'s values, each with its label as help.
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.label()))
    }
}

/// Recognises a source from the start of its text (at least its first line;
/// 64 KB is plenty). JSON is told by its first character; a CSV by the
/// columns of its header row. None: neither JSON nor a header row Tickets
/// can read.
pub fn detect(start: &str) -> Option<Format> {
    let trimmed = start.trim_start();
    match trimmed.chars().next()? {
        '{' | '[' => Some(detect_json(trimmed)),
        _ => detect_csv(&csv_header(trimmed)?),
    }
}

/// The header row of a CSV's start, split with the delimiter it seems to use.
pub fn csv_header(start: &str) -> Option<Vec<String>> {
    let delimiter = guess_delimiter(start);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(start.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => Some(record.iter().map(str::to_owned).collect()),
        _ => None,
    }
}

/// The delimiter of a CSV: whichever of `,` `;` tab appears most in its
/// first line outside quotes (`,` when none does).
pub fn guess_delimiter(start: &str) -> u8 {
    let (mut commas, mut semicolons, mut tabs) = (0, 0, 0);
    let mut quoted = false;
    for c in start.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas && tabs > semicolons {
        b'\t'
    } else {
        b','
    }
}

/// A CSV's format by its header. Each known export is told by columns only
/// it writes; any other header with at least two columns is a CSV for a
/// mapping.
pub fn detect_csv(header: &[String]) -> Option<Format> {
    let names: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let has = |n: &str| names.iter().any(|h| h == n);
    if has("ticket id") && (has("created time") || has("last update time") || has("resolved time"))
    {
        Some(Format::FreshdeskCsv)
    } else if has("ticket number")
        && (has("date created")
            || has("from email")
            || has("current status")
            || has("agent assigned"))
    {
        Some(Format::OsTicketCsv)
    } else if has("id")
        && (has("requester") || has("requester email"))
        && (has("created at") || has("solved at"))
    {
        Some(Format::ZendeskCsv)
    } else if names.iter().filter(|n| !n.is_empty()).count() >= 2 {
        Some(Format::Csv)
    } else {
        None
    }
}

/// A JSON source's format by its first object: its first line when that is
/// a whole object (JSON lines), otherwise the keys seen in its start.
fn detect_json(start: &str) -> Format {
    let first_line = start.lines().next().unwrap_or_default();
    if let Ok(serde_json::Value::Object(first)) =
        serde_json::from_str::<serde_json::Value>(first_line)
    {
        if first.get("format").and_then(|f| f.as_str()) == Some(crate::export::everything::FORMAT) {
            return Format::TicketsExport;
        }
        if first.contains_key("_embedded")
            || first.contains_key("primaryCustomer")
            || first.contains_key("mailboxId")
        {
            return Format::HelpScoutJson;
        }
        return Format::ZendeskJson;
    }
    // Pretty-printed or an array: Help Scout's keys, else Zendesk.
    let help_scout = [
        "\"_embedded\"",
        "\"primaryCustomer\"",
        "\"mailboxId\"",
        "\"threads\"",
    ];
    if help_scout.iter().any(|k| start.contains(k)) {
        Format::HelpScoutJson
    } else if start.contains("\"tickets-export\"") && start.contains("\"format\"") {
        Format::TicketsExport
    } else {
        Format::ZendeskJson
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_exports_are_told_by_their_headers() {
        let cases = [
            (
                "Id,Requester,Requester email,Subject,Status,Priority,Tags,Created at,Updated at,Solved at\n",
                Format::ZendeskCsv,
            ),
            (
                "\"Ticket ID\",\"Subject\",\"Status\",\"Priority\",\"Created time\",\"Resolved time\"\r\n",
                Format::FreshdeskCsv,
            ),
            (
                "Ticket Number,Date Created,Subject,From,From Email,Priority,Current Status\n",
                Format::OsTicketCsv,
            ),
            ("ref;title;opened\n", Format::Csv),
            (
                "{\"id\":1,\"subject\":\"x\",\"requester_id\":5}\n",
                Format::ZendeskJson,
            ),
            (
                "{\"format\":\"tickets-export\",\"version\":1}\n{}\n",
                Format::TicketsExport,
            ),
            (
                "{\n  \"_embedded\": {\n    \"conversations\": [",
                Format::HelpScoutJson,
            ),
            ("[{\"id\":1,\"threads\":[]}]", Format::HelpScoutJson),
            ("[\n {\"id\": 1, \"via\": {}}", Format::ZendeskJson),
        ];
        for (start, want) in cases {
            assert_eq!(detect(start), Some(want), "{start}");
        }
        assert_eq!(detect("just one column\n"), None);
        assert_eq!(detect("   "), None);
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert_eq!("Zendesk_CSV".parse::<Format>(), Ok(Format::ZendeskCsv));
        assert!(
            "jira"
                .parse::<Format>()
                .unwrap_err()
                .contains("one of zendesk-csv")
        );
    }

    #[test]
    fn semicolons_and_tabs_are_recognised_as_delimiters() {
        assert_eq!(guess_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(guess_delimiter("a\tb\tc"), b'\t');
        assert_eq!(guess_delimiter("\"a;b\",c"), b',');
    }
}
