//! The readers over hand-made sources in `tests/fixtures/import/`, one per
//! format and one per kind of bad file, checked for what a person importing
//! would see: the tickets' fields, and each skipped row's line and reason.

use std::io::Cursor;
use std::ops::ControlFlow;
use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::domain::{Priority, Status};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// Opens a fixture and reads all of it: its format, encoding and rows.
fn read_all(name: &str, options: &ImportOptions) -> (Format, TextEncoding, Vec<Row>) {
    let source = Source::open(&fixture(name), options).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (format, encoding) = (source.format(), source.encoding());
    let mut rows = Vec::new();
    source
        .read(|row| {
            rows.push(row);
            ControlFlow::Continue(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (format, encoding, rows)
}

/// Every row of `source`.
fn all_rows(source: Source) -> Vec<Row> {
    let mut rows = Vec::new();
    source
        .read(|row| {
            rows.push(row);
            ControlFlow::Continue(())
        })
        .unwrap();
    rows
}

fn rows_of(name: &str) -> Vec<Row> {
    read_all(name, &ImportOptions::default()).2
}

fn ok(row: &Row) -> &ImportedTicket {
    row.as_ref().unwrap_or_else(|p| panic!("{p}"))
}

fn problem(row: &Row) -> (u64, &str) {
    match row {
        Err(p) => (p.line, p.why.as_str()),
        Ok(t) => panic!("line {} was imported: {t:?}", t.line),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
}

fn person(email: &str, name: &str) -> ImportedPerson {
    ImportedPerson {
        email: email.into(),
        name: name.into(),
    }
}

#[test]
fn zendesk_csv() {
    let (format, encoding, rows) = read_all("zendesk.csv", &ImportOptions::default());
    assert_eq!((format, encoding), (Format::ZendeskCsv, TextEncoding::Utf8));
    assert_eq!(rows.len(), 3);
    let a = ok(&rows[0]);
    assert_eq!(a.line, 2);
    assert_eq!(a.external_id, "101");
    assert_eq!(a.subject, "Printer on fire");
    assert_eq!((a.status, a.priority), (Status::Waiting, Priority::Medium));
    assert_eq!(a.customer, person("ana.lima@example.com", "Ana Lima"));
    assert_eq!(a.assignee, Some(person("", "Bruno Costa")));
    assert_eq!(a.company.as_deref(), Some("Lima & Co"));
    assert_eq!(a.tags, vec!["hardware", "urgent-ish"]);
    assert_eq!(a.created_at, utc(2024, 1, 5, 9, 0));
    assert_eq!(a.updated_at, Some(utc(2024, 1, 6, 8, 30)));
    assert_eq!(a.solved_at, None);
    let b = ok(&rows[1]);
    assert_eq!(
        (b.status, b.priority, b.assignee.as_ref()),
        (Status::Resolved, Priority::Urgent, None)
    );
    assert_eq!(b.solved_at, Some(utc(2024, 1, 8, 6, 59)));
    assert_eq!(
        problem(&rows[2]),
        (
            4,
            "Status: “escalated” is not in the mapping's status table (map it, or give the mapping a default status)"
        )
    );
}

#[test]
fn zendesk_json_with_comments_and_status_history() {
    let (format, _, rows) = read_all("zendesk.json", &ImportOptions::default());
    assert_eq!(format, Format::ZendeskJson);
    assert_eq!(rows.len(), 3);
    let t = ok(&rows[0]);
    assert_eq!(
        (t.line, t.external_id.as_str(), t.status, t.priority),
        (1, "201", Status::InProgress, Priority::High)
    );
    assert_eq!(t.description, "I was charged twice.");
    assert_eq!(t.customer, person("ema@example.com", "Ema Fox"));
    assert_eq!(t.assignee, Some(person("gil@support.example", "Gil Hart")));
    assert_eq!(t.first_reply_at, Some(utc(2024, 2, 1, 10, 30)));
    let comments: Vec<(&str, bool, bool)> = t
        .comments
        .iter()
        .map(|c| (c.body.as_str(), c.from_customer, c.public))
        .collect();
    assert_eq!(
        comments,
        vec![
            ("Checking with finance.", false, false),
            ("Refunded & sorry!", false, true),
            ("Thanks!", true, true)
        ]
    );
    assert_eq!(t.status_changes.len(), 1);
    assert_eq!(
        (t.status_changes[0].from, t.status_changes[0].to),
        (Some(Status::Open), Status::InProgress)
    );
    assert_eq!(problem(&rows[1]), (2, "Subject: is empty"));
    assert_eq!(
        ok(&rows[2]).customer,
        person("ian@example.com", "Ian Jones")
    );
}

#[test]
fn freshdesk_csv_with_numeric_codes_and_html() {
    let (format, _, rows) = read_all("freshdesk.csv", &ImportOptions::default());
    assert_eq!(format, Format::FreshdeskCsv);
    let a = ok(&rows[0]);
    assert_eq!(
        (a.external_id.as_str(), a.status, a.priority),
        ("301", Status::Open, Priority::Urgent)
    );
    assert_eq!(
        a.description,
        "The VPN drops every hour.\nSince Monday – help!"
    );
    assert_eq!(a.customer, person("jo@example.com", "Jo Park"));
    assert_eq!(a.assignee, Some(person("", "Kim Lee")));
    assert_eq!(a.first_reply_at, Some(utc(2024, 3, 4, 9, 45)));
    assert_eq!(a.tags, vec!["vpn", "network"]);
    let b = ok(&rows[1]);
    assert_eq!((b.status, b.priority), (Status::Closed, Priority::Low));
    assert_eq!(
        (b.solved_at, b.closed_at),
        (Some(utc(2024, 3, 1, 10, 0)), Some(utc(2024, 3, 2, 10, 0)))
    );
    assert_eq!(b.company, None);
    assert_eq!(problem(&rows[2]).0, 4);
    assert!(
        problem(&rows[2])
            .1
            .starts_with("Status: “9” is not in the mapping's status table")
    );
}

#[test]
fn osticket_csv() {
    let (format, _, rows) = read_all("osticket.csv", &ImportOptions::default());
    assert_eq!(format, Format::OsTicketCsv);
    let a = ok(&rows[0]);
    assert_eq!(
        (a.external_id.as_str(), a.status, a.priority),
        ("401233", Status::Open, Priority::Urgent)
    );
    assert_eq!(a.created_at, utc(2024, 3, 25, 14, 5));
    assert_eq!(a.customer, person("ola@example.com", "Ola Nord"));
    assert_eq!(a.assignee, Some(person("", "Pat Quinn")));
    assert_eq!(
        problem(&rows[1]),
        (3, "Customer email: “not-an-email” is not an email address")
    );
}

#[test]
fn help_scout_page_of_conversations() {
    let (format, _, rows) = read_all("helpscout.json", &ImportOptions::default());
    assert_eq!(format, Format::HelpScoutJson);
    assert_eq!(rows.len(), 2);
    let t = ok(&rows[0]);
    assert_eq!((t.external_id.as_str(), t.status), ("501", Status::Waiting));
    assert_eq!(t.subject, "Where is my parcel?");
    assert_eq!(t.description, "Parcel late.");
    assert_eq!(t.customer, person("sam@example.com", "Sam Tran"));
    assert_eq!(t.assignee, Some(person("uma@support.example", "Uma Vale")));
    assert_eq!(t.tags, vec!["shipping", "vip"]);
    let comments: Vec<(&str, bool)> = t
        .comments
        .iter()
        .map(|c| (c.body.as_str(), c.public))
        .collect();
    assert_eq!(
        comments,
        vec![
            ("Courier is slow — chase.", false),
            ("It left today.", true)
        ]
    );
    assert_eq!(t.updated_at, Some(utc(2024, 4, 2, 8, 0)));
    assert_eq!(problem(&rows[1]).0, 2);
    assert!(problem(&rows[1]).1.starts_with("Status: “archived”"));
}

#[test]
fn any_csv_through_a_saved_mapping() {
    let mapping = Mapping::from_file(&fixture("generic-mapping.json")).unwrap();
    let options = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    let (format, _, rows) = read_all("generic-semicolon.csv", &options);
    assert_eq!(format, Format::Csv);
    let a = ok(&rows[0]);
    assert_eq!(
        (a.external_id.as_str(), a.subject.as_str()),
        ("A-1", "Day first")
    );
    // Lisbon is on UTC in winter; "y" is not in the table, so the default.
    assert_eq!(
        (a.created_at, a.status),
        (utc(2024, 12, 25, 10, 0), Status::Waiting)
    );
    let b = ok(&rows[1]);
    // Day-month-year by the mapping: 5 January.
    assert_eq!(
        (b.created_at, b.status, b.customer.name.as_str()),
        (utc(2024, 1, 5, 10, 0), Status::Open, "")
    );
}

#[test]
fn a_csv_without_a_mapping_is_guessed_and_a_missing_field_is_named() {
    let source =
        Source::open(&fixture("generic-semicolon.csv"), &ImportOptions::default()).unwrap();
    assert_eq!(
        source.columns(),
        ["Ref", "Title", "Customer email", "Opened", "Tags", "State"]
    );
    assert_eq!(
        source.mapping_problem(),
        Some(
            "no column is mapped to Id, Created at (every ticket needs them; the id is how a second import updates instead of duplicating)"
        )
    );
    let preview = source.preview(5).unwrap();
    assert_eq!(preview.cells.len(), 2);
    assert_eq!(preview.cells[0][1], "Day first");
    assert!(preview.rows.is_empty());
    let source =
        Source::open(&fixture("generic-semicolon.csv"), &ImportOptions::default()).unwrap();
    let err = source.read(|_| ControlFlow::Continue(())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("mapping: no column is mapped to Id"),
        "{err}"
    );
}

#[test]
fn encodings_are_detected_and_shown() {
    for (name, want) in [
        ("bom-utf8.csv", TextEncoding::Utf8),
        ("utf16le.csv", TextEncoding::Utf16Le),
        ("utf16be-nobom.csv", TextEncoding::Utf16Be),
    ] {
        let (format, encoding, rows) = read_all(name, &ImportOptions::default());
        assert_eq!((format, encoding), (Format::ZendeskCsv, want), "{name}");
        let t = ok(&rows[0]);
        assert_eq!(
            (
                t.external_id.as_str(),
                t.subject.as_str(),
                t.customer.name.as_str()
            ),
            ("1", "Café €", "Zé"),
            "{name}"
        );
    }
    let (_, encoding, rows) = read_all("windows-1252.csv", &ImportOptions::default());
    assert_eq!(encoding, TextEncoding::Windows1252);
    assert_eq!(ok(&rows[0]).subject, "Café coûte 5 €");
    assert_eq!(ok(&rows[0]).customer.name, "Renée");
    // Chosen by the person importing: the same bytes read as UTF-8 show U+FFFD.
    let options = ImportOptions {
        encoding: Some(TextEncoding::Utf8),
        ..ImportOptions::default()
    };
    let (_, encoding, rows) = read_all("windows-1252.csv", &options);
    assert_eq!(encoding, TextEncoding::Utf8);
    assert_eq!(ok(&rows[0]).subject, "Caf\u{fffd} co\u{fffd}te 5 \u{fffd}");
}

#[test]
fn ragged_rows_are_problems_and_the_rest_is_read() {
    let rows = rows_of("ragged.csv");
    assert_eq!(rows.len(), 4);
    assert_eq!(ok(&rows[0]).subject, "Fine");
    assert_eq!(
        problem(&rows[1]),
        (
            3,
            "has 8 cells where the header has 7 (a stray quote or delimiter may have moved them)"
        )
    );
    assert_eq!(problem(&rows[2]).0, 4);
    assert!(
        problem(&rows[2])
            .1
            .starts_with("has 3 cells where the header has 7")
    );
    assert_eq!(
        (ok(&rows[3]).line, ok(&rows[3]).subject.as_str()),
        (5, "Fine again")
    );
}

#[test]
fn quoted_line_breaks_and_every_line_end() {
    let rows = rows_of("quoted-breaks.csv");
    assert_eq!(rows.len(), 3);
    // The subject is one line; the row started on line 2 and took two.
    assert_eq!(
        (ok(&rows[0]).line, ok(&rows[0]).subject.as_str()),
        (2, "Two lines, one \"quote\"")
    );
    assert_eq!(
        (ok(&rows[1]).line, ok(&rows[1]).subject.as_str()),
        (4, "Next")
    );
    assert_eq!(
        (ok(&rows[2]).line, ok(&rows[2]).subject.as_str()),
        (5, "Old Mac end")
    );
}

#[test]
fn formula_looking_cells_are_kept_as_written() {
    let rows = rows_of("formulas.csv");
    assert_eq!(ok(&rows[0]).subject, "=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(ok(&rows[0]).customer.name, "+cmd");
    assert_eq!(ok(&rows[1]).subject, "@SUM(A1:A9)");
    assert_eq!(ok(&rows[1]).customer.name, "-2+3");
}

#[test]
fn a_repeated_id_names_the_line_that_had_it_first() {
    let rows = rows_of("duplicate-ids.csv");
    assert_eq!(ok(&rows[0]).subject, "First");
    assert_eq!(ok(&rows[1]).subject, "Other");
    assert_eq!(
        problem(&rows[2]),
        (
            4,
            "Id: “7” is the same id as line 2; only the first is imported"
        )
    );
}

#[test]
fn day_first_and_month_first_dates() {
    let rows = rows_of("dates-day-first.csv");
    assert_eq!(ok(&rows[0]).created_at, utc(2024, 1, 31, 17, 30));
    assert_eq!(
        problem(&rows[1]),
        (
            3,
            "Created at: “01/02/2024” could be day first or month first; choose the date order in the mapping"
        )
    );
    assert_eq!(
        problem(&rows[2]),
        (4, "Created at: “31/02/2024” is not a date of the calendar")
    );
    // With the order stated, the ambiguous one is read.
    let mapping = Mapping {
        date_order: DateOrder::DayMonthYear,
        ..Mapping::built_in(Format::ZendeskCsv)
    };
    let (_, _, rows) = read_all(
        "dates-day-first.csv",
        &ImportOptions {
            mapping: Some(mapping),
            ..Default::default()
        },
    );
    assert_eq!(ok(&rows[1]).created_at, utc(2024, 2, 1, 0, 0));

    let rows = rows_of("dates-month-first.csv");
    assert_eq!(ok(&rows[0]).created_at, utc(2024, 1, 31, 17, 30));
    assert_eq!(ok(&rows[1]).created_at, utc(2024, 12, 25, 0, 0));
    assert_eq!(ok(&rows[1]).solved_at, Some(utc(2024, 12, 26, 9, 0)));
    assert_eq!(problem(&rows[2]).0, 4);
    assert!(
        problem(&rows[2])
            .1
            .starts_with("Created at: “yesterday” is not a date and time it can read")
    );
}

#[test]
fn a_tickets_export_is_recognised_and_handed_over_whole() {
    let source = Source::open(&fixture("tickets-export.jsonl"), &ImportOptions::default()).unwrap();
    assert_eq!(source.format(), Format::TicketsExport);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut source.into_text(), &mut text).unwrap();
    assert!(text.starts_with("{\"format\":\"tickets-export\""));
    let source = Source::open(&fixture("tickets-export.jsonl"), &ImportOptions::default()).unwrap();
    assert!(matches!(
        source.read(|_| ControlFlow::Continue(())),
        Err(ImportError::TicketsExport)
    ));
}

#[test]
fn a_ten_megabyte_cell_is_read_and_cut_to_what_the_store_keeps() {
    let mut csv = String::from("Id,Subject,Description,Requester email,Created at,Requester\n");
    csv.push_str("1,Huge,\"");
    csv.push_str(&"log line, with \"\"quotes\"\"\n".repeat(10 * 1024 * 1024 / 26));
    csv.push_str("\",a@example.com,2024-01-05,A\n2,Small,,b@example.com,2024-01-05,B\n");
    assert!(csv.len() > 10 * 1024 * 1024);
    let total = csv.len() as u64;
    let source = Source::from_reader(
        Box::new(Cursor::new(csv.into_bytes())),
        Some(total),
        &ImportOptions::default(),
    )
    .unwrap();
    let progress = source.progress();
    let rows = all_rows(source);
    let huge = ok(&rows[0]);
    // Cut to the store's limit (less the white space before the cut).
    let kept = huge.description.chars().count();
    let limit = crate::domain::MAX_BODY_CHARS;
    assert!((limit - 30..=limit).contains(&kept), "{kept}");
    assert!(
        huge.description
            .starts_with("log line, with \"quotes\"\nlog line")
    );
    assert!(huge.description.ends_with('…'));
    assert_eq!(
        (ok(&rows[1]).line, ok(&rows[1]).subject.as_str()),
        (403_301, "Small")
    );
    assert_eq!(progress.bytes_read(), total);
    assert_eq!(progress.fraction(), Some(1.0));
}

#[test]
fn a_preview_shows_the_first_rows_and_the_mapping() {
    let preview = Source::open(&fixture("zendesk.csv"), &ImportOptions::default())
        .unwrap()
        .preview(2)
        .unwrap();
    assert_eq!(
        (preview.format, preview.encoding),
        (Format::ZendeskCsv, TextEncoding::Utf8)
    );
    assert_eq!(preview.columns.len(), 19);
    assert_eq!(preview.cells.len(), 2);
    assert_eq!(preview.cells[1][8], "Cannot log in");
    assert_eq!(preview.rows.len(), 2);
    assert_eq!(preview.mapping.name, "zendesk-csv");
    assert_eq!(preview.mapping_problem, None);
    let preview = Source::open(&fixture("helpscout.json"), &ImportOptions::default())
        .unwrap()
        .preview(1)
        .unwrap();
    assert_eq!(preview.rows.len(), 1);
    assert_eq!(ok(&preview.rows[0]).external_id, "501");
}

#[test]
fn unreadable_sources_say_so() {
    let open = |bytes: &[u8]| {
        Source::from_reader(
            Box::new(Cursor::new(bytes.to_vec())),
            None,
            &ImportOptions::default(),
        )
    };
    assert!(matches!(open(b""), Err(ImportError::Unrecognised)));
    assert!(matches!(
        open(b"just one column\n1\n"),
        Err(ImportError::Unrecognised)
    ));
    let missing = Source::open(&fixture("no-such-file.csv"), &ImportOptions::default())
        .err()
        .unwrap();
    assert!(
        missing.to_string().contains("no-such-file.csv"),
        "{missing}"
    );
}

#[test]
fn a_source_and_its_progress_can_go_to_the_import_thread() {
    // The pipeline reads on a background thread and shows progress on the
    // window's: this fails to compile if either stops being Send.
    fn send<T: Send + 'static>(_: &T) {}
    let source = Source::open(&fixture("zendesk.csv"), &ImportOptions::default()).unwrap();
    let progress = source.progress();
    send(&source);
    send(&progress);
    assert_eq!(
        progress.bytes_total(),
        Some(std::fs::metadata(fixture("zendesk.csv")).unwrap().len())
    );
}

#[test]
fn a_json_tag_with_a_comma_is_one_tag() {
    let json = r#"{"id":7,"subject":"Refund","description":"Twice.","status":"open","requester":{"name":"Ema Fox","email":"ema@example.com"},"tags":["billing, EU","vip","VIP"," "],"created_at":"2024-02-01T09:00:00Z"}
"#;
    let source = Source::from_reader(
        Box::new(Cursor::new(json.as_bytes().to_vec())),
        Some(json.len() as u64),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(source.format(), Format::ZendeskJson);
    let rows = all_rows(source);
    assert_eq!(ok(&rows[0]).tags, ["billing, EU", "vip"]);
}
