//! Reports and ticket exports as the person opening them in a spreadsheet
//! would check them: the ticket rows add up to the cards (`docs/metrics.md`,
//! "Reconciliation"), the command line and the window write the same bytes,
//! nothing a spreadsheet would run as a formula gets through, every column is
//! there, and a cancelled or failed export leaves nothing behind.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::fixtures::{Desk, Engine, bytes, names_in};
use crate::{on_both_engines, on_both_engines_with};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use clap::Parser;
use tickets::analytics::{Period, PeriodChoice};
use tickets::cli::{self, Cli};
use tickets::clock::Clock;
use tickets::domain::{AgentId, Direction, NewCustomer, NewTicket, Priority, Status, TicketNumber};
use tickets::export::{
    ExportError, REPORT_TICKET_COLUMNS, ReportFiles, ReportFormat, TICKET_COLUMNS, export_tickets,
    write_report,
};
use tickets::seed::{SeedOptions, generate};
use tickets::store::{Sort, TicketFilter};

// ---------------------------------------------------------------------------
// Reading what was written

/// A CSV file as read back: its header and rows.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads a file written by an export: it must start with a UTF-8 byte-order mark.
    #[track_caller]
    fn read(path: &Path) -> Table {
        let data = bytes(path);
        assert!(
            data.starts_with(&[0xEF, 0xBB, 0xBF]),
            "{} does not start with a UTF-8 byte-order mark: {:?}",
            path.display(),
            &data[..data.len().min(8)]
        );
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&data[3..]);
        let mut records = reader.records().map(|r| {
            r.expect("a well-formed CSV record")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<String>>()
        });
        let header = records.next().expect("a header row");
        let rows: Vec<Vec<String>> = records.collect();
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                row.len(),
                header.len(),
                "row {i} of {} has {} cells for {} columns",
                path.display(),
                row.len(),
                header.len()
            );
        }
        Table { header, rows }
    }

    #[track_caller]
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.header))
    }

    /// Every row's cell in a column.
    #[track_caller]
    fn column(&self, name: &str) -> Vec<&str> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].as_str()).collect()
    }

    /// The row of a ticket ("TKT-000003"), by its `ticket` column.
    #[track_caller]
    fn ticket(&self, number: TicketNumber) -> Row<'_> {
        let c = self.col("ticket");
        let wanted = number.to_string();
        let row = self
            .rows
            .iter()
            .find(|r| r[c] == wanted)
            .unwrap_or_else(|| panic!("no row for {wanted}"));
        Row { table: self, row }
    }

    /// Sum of a 0/1 (or integer) column.
    #[track_caller]
    fn sum(&self, name: &str) -> u64 {
        self.column(name)
            .iter()
            .map(|v| {
                v.parse::<u64>()
                    .unwrap_or_else(|_| panic!("{name} holds {v:?}, not a whole number"))
            })
            .sum()
    }
}

/// One row, read by column name.
struct Row<'a> {
    table: &'a Table,
    row: &'a Vec<String>,
}

impl Row<'_> {
    #[track_caller]
    fn get(&self, name: &str) -> &str {
        &self.row[self.table.col(name)]
    }
}

/// The report's summary: (section, series, label) → value.
struct Summary(HashMap<(String, String, String), String>, Table);

impl Summary {
    #[track_caller]
    fn read(path: &Path) -> Summary {
        let table = Table::read(path);
        assert_eq!(
            table.header,
            ["section", "series", "label", "value", "unit"],
            "summary header"
        );
        let map = table
            .rows
            .iter()
            .map(|r| ((r[0].clone(), r[1].clone(), r[2].clone()), r[3].clone()))
            .collect();
        Summary(map, table)
    }

    #[track_caller]
    fn value(&self, section: &str, series: &str, label: &str) -> &str {
        self.0
            .get(&(section.to_owned(), series.to_owned(), label.to_owned()))
            .unwrap_or_else(|| panic!("no summary row {section} / {series} / {label}"))
    }

    #[track_caller]
    fn number(&self, section: &str, series: &str, label: &str) -> f64 {
        let v = self.value(section, series, label);
        v.parse()
            .unwrap_or_else(|_| panic!("{section} / {series} / {label} is {v:?}, not a number"))
    }

    /// The rows of a section: (series, label, value).
    fn section(&self, section: &str) -> Vec<(&str, &str, &str)> {
        self.1
            .rows
            .iter()
            .filter(|r| r[0] == section)
            .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Building desks

/// A UTC time in 2024, with milliseconds.
fn utc(mo: u32, d: u32, h: u32, mi: u32, ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, mo, d, h, mi, 0).unwrap() + Duration::milliseconds(ms)
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, d).unwrap()
}

fn move_to(desk: &mut Desk, who: AgentId, n: TicketNumber, to: Status) {
    let v = desk.version(n);
    desk.act(who)
        .set_status(who, n, v, to)
        .expect("change the status");
}

fn rate(desk: &mut Desk, who: AgentId, n: TicketNumber, rating: u8) {
    let v = desk.version(n);
    desk.act(who)
        .set_csat(who, n, v, rating)
        .expect("record CSAT");
}

fn reply(desk: &mut Desk, who: AgentId, n: TicketNumber, body: &str) {
    desk.act(who)
        .add_message(who, n, Direction::Outbound, body)
        .expect("reply");
}

fn raise(desk: &mut Desk, subject: &str) -> TicketNumber {
    desk.ticket(subject)
}

/// The tickets of [`varied_desk`], by their lives.
struct Lives {
    /// Created before the period, resolved before it, rated (4) in it.
    rated_late: TicketNumber,
    /// Created before the period and still Open: backlog.
    backlog: TicketNumber,
    /// Closed before the period, reopened in it, Open at its end.
    reopened: TicketNumber,
    /// Created before the period, closed (from Open) in it.
    old_closed: TicketNumber,
    /// Created, replied, resolved, rated 5 and closed in the period.
    full_life: TicketNumber,
    /// Created, resolved, reopened and re-resolved in the period; rated 2.
    re_resolved: TicketNumber,
    /// Created and closed in the period, reopened after it.
    closed_then_reopened: TicketNumber,
    /// Created and replied in the period, still Open.
    replied_open: TicketNumber,
    /// Created in the period with only a customer message and a note.
    no_reply: TicketNumber,
    /// Created on the daylight-saving day, closed after the period.
    closed_after: TicketNumber,
    /// Created in the period, Waiting at its end.
    waiting: TicketNumber,
    /// Created in the period, first replied after it.
    replied_after: TicketNumber,
    /// Created in the last millisecond of the period.
    last_moment: TicketNumber,
    /// Created at the period's end: not in it.
    after_end: TicketNumber,
}

/// A desk in New York whose tickets lived every kind of life around the period
/// 5–14 March 2024 (New York's clocks went forward on 10 March). The clock
/// ends at 20 March 2024, 12:00 UTC. Agents: Dana and Eve.
fn varied_desk(engine: Engine) -> (Desk, AgentId, Lives) {
    let mut desk = Desk::team_on(
        engine,
        &[("Dana", "dana@example.com"), ("Eve", "eve@example.com")],
    )
    .expect("a desk on this engine");
    let dana = desk.dana;
    let eve = desk.agents[1];
    let ann = desk
        .store
        .add_customer(&NewCustomer {
            name: "Ann Lee".to_owned(),
            email: "ann@example.com".to_owned(),
            company: "Lee & Co".to_owned(),
        })
        .expect("add Ann");
    let clock = desk.clock.clone();
    let set = |t: DateTime<Utc>| clock.set(t);

    set(utc(2, 28, 10, 0, 0));
    let rated_late = raise(&mut desk, "Rated late");
    set(utc(2, 28, 11, 0, 0));
    reply(&mut desk, dana, rated_late, "Looking into it");
    set(utc(2, 29, 10, 0, 0));
    let backlog = raise(&mut desk, "Backlog from before");
    let reopened = raise(&mut desk, "Closed before, reopened in the period");
    set(utc(3, 1, 10, 0, 0));
    let old_closed = raise(&mut desk, "Old, closed in the period");
    set(utc(3, 1, 12, 0, 0));
    move_to(&mut desk, eve, rated_late, Status::Resolved);
    set(utc(3, 2, 10, 0, 0));
    move_to(&mut desk, dana, reopened, Status::Closed);

    set(utc(3, 5, 14, 0, 250));
    let full_life = desk
        .store
        .create_ticket(
            dana,
            &NewTicket {
                subject: "Full life".to_owned(),
                description: "Charged twice".to_owned(),
                priority: Priority::High,
                customer: Some(ann),
            },
        )
        .expect("create");
    desk.store.add_tag(dana, full_life, "billing").unwrap();
    desk.store.assign(dana, full_life, eve).unwrap();
    set(utc(3, 5, 15, 0, 0));
    let re_resolved = raise(&mut desk, "Resolved, reopened, resolved again");
    desk.store.add_tag(dana, re_resolved, "billing").unwrap();
    desk.store.add_tag(dana, re_resolved, "vpn").unwrap();
    set(utc(3, 5, 16, 0, 0));
    reply(&mut desk, eve, full_life, "Refunded");
    set(utc(3, 6, 9, 0, 0));
    rate(&mut desk, dana, rated_late, 4);
    set(utc(3, 6, 10, 0, 0));
    move_to(&mut desk, dana, old_closed, Status::Closed);
    set(utc(3, 6, 11, 0, 777));
    let closed_then_reopened = raise(&mut desk, "Closed, reopened after the period");
    set(utc(3, 6, 12, 0, 0));
    move_to(&mut desk, dana, re_resolved, Status::Resolved);
    set(utc(3, 7, 8, 0, 0));
    move_to(&mut desk, dana, re_resolved, Status::Open);
    move_to(&mut desk, dana, reopened, Status::Open);
    set(utc(3, 7, 9, 30, 0));
    let replied_open = raise(&mut desk, "Replied, still open");
    let no_reply = raise(&mut desk, "Only notes and customer messages");
    set(utc(3, 7, 10, 0, 0));
    reply(&mut desk, dana, replied_open, "On it");
    desk.store
        .add_message(dana, no_reply, Direction::Inbound, "Any news?")
        .unwrap();
    desk.store
        .add_note(dana, no_reply, "Internal: waiting for the vendor")
        .unwrap();
    set(utc(3, 8, 13, 0, 0));
    move_to(&mut desk, dana, closed_then_reopened, Status::Closed);
    set(utc(3, 8, 14, 0, 0));
    move_to(&mut desk, eve, full_life, Status::Resolved);
    set(utc(3, 8, 14, 5, 0));
    rate(&mut desk, dana, full_life, 5);
    set(utc(3, 9, 10, 0, 0));
    move_to(&mut desk, dana, full_life, Status::Closed);
    // 03:30 EDT on the day New York's clocks went forward.
    set(utc(3, 10, 7, 30, 0));
    let closed_after = raise(&mut desk, "Closed after the period");
    let waiting = raise(&mut desk, "Waiting at the end");
    let replied_after = raise(&mut desk, "Replied after the period");
    set(utc(3, 11, 10, 0, 0));
    move_to(&mut desk, eve, re_resolved, Status::Resolved);
    set(utc(3, 11, 10, 30, 0));
    rate(&mut desk, dana, re_resolved, 2);
    set(utc(3, 12, 10, 0, 0));
    move_to(&mut desk, dana, waiting, Status::Waiting);
    // The period ends at local midnight 15 March = 04:00 UTC.
    set(utc(3, 15, 3, 59, 59_999));
    let last_moment = raise(&mut desk, "Last moment");
    set(utc(3, 15, 4, 0, 0));
    let after_end = raise(&mut desk, "At the end: not in the period");
    set(utc(3, 16, 10, 0, 0));
    reply(&mut desk, dana, replied_after, "Sorry for the wait");
    move_to(&mut desk, dana, closed_after, Status::Closed);
    move_to(&mut desk, dana, closed_then_reopened, Status::Open);
    set(utc(3, 20, 12, 0, 0));

    let lives = Lives {
        rated_late,
        backlog,
        reopened,
        old_closed,
        full_life,
        re_resolved,
        closed_then_reopened,
        replied_open,
        no_reply,
        closed_after,
        waiting,
        replied_after,
        last_moment,
        after_end,
    };
    (desk, eve, lives)
}

/// Runs the command line `tickets --db DB ARGS…` with the desk's clock.
fn run_cli(desk: &Desk, args: &[&OsString]) -> Result<(), String> {
    let db: OsString = match &desk.url {
        Some(url) => url.into(),
        None => desk.path.clone().into(),
    };
    let mut argv: Vec<OsString> = vec!["tickets".into(), "--db".into(), db];
    argv.extend(args.iter().map(|a| (*a).clone()));
    let cli = Cli::try_parse_from(argv).expect("the command line parses");
    cli::run_with(cli, desk.clock.clone())
}

fn os(s: impl Into<OsString>) -> OsString {
    s.into()
}

fn keep_going() -> impl FnMut(u64, u64) -> bool {
    |_, _| true
}

// ---------------------------------------------------------------------------
// 1. The ticket rows add up to the cards

const FLAGS: [&str; 8] = [
    "in_created",
    "in_closed",
    "in_open",
    "in_avg_first_response",
    "in_avg_resolution",
    "in_closure_rate",
    "in_csat",
    "csat_positive",
];

on_both_engines_with! {
    fn report_ticket_rows_add_up_to_the_cards(engine: Engine) {
        let (desk, _eve, t) = varied_desk(engine);
        let period = Period::resolve(
            PeriodChoice::Custom {
                from: day(3, 5),
                to: day(3, 14),
            },
            desk.clock.now(),
            &New_York,
        )
        .unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("march.csv");
        let (report, files) = write_report(
            &desk.store,
            &period,
            &New_York,
            &out,
            ReportFormat::Csv,
            &mut keep_going(),
        )
        .expect("write the report");
        assert_eq!(
            files,
            ReportFiles {
                summary: out.clone(),
                tickets: Some(out_dir.path().join("march-tickets.csv")),
            }
        );
        assert_eq!(
            names_in(out_dir.path()),
            ["march-tickets.csv", "march.csv"],
            "exactly the two files, no temporary file left"
        );

        let summary = Summary::read(&files.summary);
        let rows = Table::read(files.tickets.as_ref().unwrap());
        assert_eq!(rows.header, REPORT_TICKET_COLUMNS, "ticket rows header");

        // The cards as the file states them agree with the report returned.
        let card = |series: &str| summary.number("card", series, "");
        assert_eq!(card("Created"), report.created as f64);
        assert_eq!(card("Closed"), report.closed as f64);
        assert_eq!(card("Open"), report.open as f64);

        // Reconciliation: summing the rows gives the cards.
        assert_eq!(rows.sum("in_created") as f64, card("Created"), "Created");
        assert_eq!(rows.sum("in_closed") as f64, card("Closed"), "Closed");
        assert_eq!(rows.sum("in_open") as f64, card("Open"), "Open");

        for (series, flag, column) in [
            ("Avg Resolution", "in_avg_resolution", "resolution_seconds"),
            (
                "Avg First Response",
                "in_avg_first_response",
                "first_response_seconds",
            ),
        ] {
            let counted: Vec<f64> = rows
                .rows
                .iter()
                .filter(|r| r[rows.col(flag)] == "1")
                .map(|r| {
                    let v = &r[rows.col(column)];
                    v.parse::<f64>()
                        .unwrap_or_else(|_| panic!("{column} of {} is {v:?}", r[0]))
                })
                .collect();
            let count = summary.number("card", series, "count");
            assert_eq!(counted.len() as f64, count, "{series}: count");
            let mean = counted.iter().sum::<f64>() / counted.len() as f64;
            let card_mean = summary.number("card", series, "mean");
            assert!(
                (mean - card_mean).abs() <= 0.001,
                "{series}: rows give a mean of {mean} s, the card says {card_mean} s"
            );
            // Median and 90th percentile are stated too.
            summary.number("card", series, "median");
            summary.number("card", series, "p90");
        }

        let closure = summary.number("card", "Closure Rate", "rate");
        let closure_rows = rows.sum("in_closure_rate") as f64 / rows.sum("in_created") as f64;
        assert!(
            (closure - closure_rows).abs() < 0.00005,
            "Closure Rate: card {closure}, rows {closure_rows}"
        );
        assert_eq!(
            summary.number("card", "Closure Rate", "closed"),
            rows.sum("in_closure_rate") as f64
        );
        assert_eq!(
            summary.number("card", "Closure Rate", "created"),
            rows.sum("in_created") as f64
        );
        let csat = summary.number("card", "CSAT", "score");
        let csat_rows = rows.sum("csat_positive") as f64 / rows.sum("in_csat") as f64;
        assert!(
            (csat - csat_rows).abs() < 0.00005,
            "CSAT: card {csat}, rows {csat_rows}"
        );
        assert_eq!(
            summary.number("card", "CSAT", "positive"),
            rows.sum("csat_positive") as f64
        );
        assert_eq!(
            summary.number("card", "CSAT", "ratings"),
            rows.sum("in_csat") as f64
        );

        // Every row is there because some card counted it.
        for r in &rows.rows {
            let flagged = FLAGS[..7].iter().any(|f| r[rows.col(f)] == "1");
            assert!(flagged, "{} is in the rows but no card counted it", r[0]);
            for f in FLAGS {
                let v = &r[rows.col(f)];
                assert!(v == "0" || v == "1", "{f} of {} is {v:?}", r[0]);
            }
            // Closure Rate counts exactly the created tickets Closed at the end.
            let created = r[rows.col("in_created")] == "1";
            let closed_at_end = r[rows.col("status_at_end")] == "Closed";
            assert_eq!(
                r[rows.col("in_closure_rate")] == "1",
                created && closed_at_end,
                "in_closure_rate of {}",
                r[0]
            );
        }

        // The charts reconcile too: the daily points sum to the cards, and the
        // created tickets by status at the end are the By Status bars.
        let trend = summary.section("daily_trends");
        assert_eq!(trend.len(), 2 * 10, "ten local days, created and closed");
        let trend_sum = |series: &str| -> f64 {
            trend
                .iter()
                .filter(|(s, _, _)| *s == series)
                .map(|(_, _, v)| v.parse::<f64>().unwrap())
                .sum()
        };
        assert_eq!(trend_sum("created"), card("Created"));
        assert_eq!(trend_sum("closed"), card("Closed"));
        for (_, status, n) in summary.section("by_status") {
            let from_rows = rows
                .rows
                .iter()
                .filter(|r| r[rows.col("in_created")] == "1" && r[rows.col("status_at_end")] == status)
                .count();
            assert_eq!(n, from_rows.to_string(), "By Status: {status}");
        }

        // The cards are what this desk's history makes them.
        assert_eq!(
            (card("Created"), card("Closed"), card("Open")),
            (9.0, 3.0, 8.0),
            "Created / Closed / Open"
        );
        assert_eq!(summary.value("card", "Closure Rate", "rate"), "0.2222");
        assert_eq!(summary.value("card", "CSAT", "score"), "0.6667");
        // (432000 + 259199.750 + 500400) / 3 and (7199.750 + 1800) / 2.
        assert_eq!(
            summary.value("card", "Avg Resolution", "mean"),
            "397199.917"
        );
        assert_eq!(
            summary.value("card", "Avg First Response", "mean"),
            "4499.875"
        );

        // One row per counted ticket, with why.
        let expected: BTreeMap<TicketNumber, [u8; 8]> = [
            (t.rated_late, [0, 0, 0, 0, 0, 0, 1, 1]),
            (t.backlog, [0, 0, 1, 0, 0, 0, 0, 0]),
            (t.reopened, [0, 0, 1, 0, 0, 0, 0, 0]),
            (t.old_closed, [0, 1, 0, 0, 1, 0, 0, 0]),
            (t.full_life, [1, 1, 0, 1, 1, 1, 1, 1]),
            (t.re_resolved, [1, 0, 0, 0, 1, 0, 1, 0]),
            (t.closed_then_reopened, [1, 1, 0, 0, 0, 1, 0, 0]),
            (t.replied_open, [1, 0, 1, 1, 0, 0, 0, 0]),
            (t.no_reply, [1, 0, 1, 0, 0, 0, 0, 0]),
            (t.closed_after, [1, 0, 1, 0, 0, 0, 0, 0]),
            (t.waiting, [1, 0, 1, 0, 0, 0, 0, 0]),
            (t.replied_after, [1, 0, 1, 0, 0, 0, 0, 0]),
            (t.last_moment, [1, 0, 1, 0, 0, 0, 0, 0]),
        ]
        .into_iter()
        .collect();
        let listed: BTreeSet<String> = rows
            .column("ticket")
            .into_iter()
            .map(str::to_owned)
            .collect();
        let wanted: BTreeSet<String> = expected.keys().map(|n| n.to_string()).collect();
        assert_eq!(listed, wanted, "the tickets in the rows");
        assert_eq!(rows.rows.len(), expected.len(), "one row per ticket");
        assert!(!listed.contains(&t.after_end.to_string()));
        for (n, flags) in &expected {
            let row = rows.ticket(*n);
            let got: Vec<&str> = FLAGS.iter().map(|f| row.get(f)).collect();
            let want: Vec<String> = flags.iter().map(u8::to_string).collect();
            assert_eq!(got, want, "flags of {n} ({})", row.get("subject"));
        }

        // The timestamps used, in New York time.
        let full = rows.ticket(t.full_life);
        assert_eq!(full.get("subject"), "Full life");
        assert_eq!(full.get("customer"), "Ann Lee");
        assert_eq!(full.get("status_at_end"), "Closed");
        assert_eq!(full.get("priority_at_end"), "High");
        assert_eq!(full.get("created"), "2024-03-05 09:00:00-05:00");
        assert_eq!(full.get("first_reply"), "2024-03-05 11:00:00-05:00");
        assert_eq!(full.get("first_reply_by"), "Eve");
        assert_eq!(full.get("resolved"), "2024-03-08 09:00:00-05:00");
        assert_eq!(full.get("resolved_by"), "Eve");
        assert_eq!(full.get("closed"), "2024-03-09 05:00:00-05:00");
        assert_eq!(full.get("csat"), "5");
        assert_eq!(full.get("tags"), "billing");
        assert_eq!(full.get("assignees"), "Eve");
        assert_eq!(full.get("first_response_seconds"), "7199.750");
        assert_eq!(full.get("resolution_seconds"), "259199.750");
        // A reopened and re-resolved ticket counts its latest resolution.
        let again = rows.ticket(t.re_resolved);
        assert_eq!(
            again.get("resolved"),
            "2024-03-11 06:00:00-04:00",
            "EDT by then"
        );
        assert_eq!(again.get("resolution_seconds"), "500400.000");
        assert_eq!(again.get("status_at_end"), "Resolved");
        assert_eq!(again.get("tags"), "billing; vpn");
        // Status at the end, not now.
        assert_eq!(
            rows.ticket(t.closed_then_reopened).get("status_at_end"),
            "Closed"
        );
        assert_eq!(rows.ticket(t.closed_after).get("status_at_end"), "Open");
        assert_eq!(rows.ticket(t.waiting).get("status_at_end"), "Waiting");
        assert_eq!(
            rows.ticket(t.closed_after).get("created"),
            "2024-03-10 03:30:00-04:00",
            "the daylight-saving day"
        );
        assert_eq!(
            rows.ticket(t.last_moment).get("created"),
            "2024-03-14 23:59:59-04:00"
        );
        // No reply before the first outbound message; notes never count.
        let quiet = rows.ticket(t.no_reply);
        assert_eq!(
            (
                quiet.get("first_reply"),
                quiet.get("first_response_seconds")
            ),
            ("", "")
        );
    }
}

// ---------------------------------------------------------------------------
// 2. The command line writes what the window writes

on_both_engines_with! {
    fn cli_report_writes_the_same_files_as_the_window(engine: Engine) {
        let (desk, _, _) = varied_desk(engine);
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("A.csv");
        let b = dir.path().join("B.csv");

        run_cli(
            &desk,
            &[
                &os("report"),
                &os("--period"),
                &os("last-30d"),
                &os("--out"),
                &a.clone().into(),
            ],
        )
        .expect("tickets report");

        // What the window's export thread does (src/app/exporter.rs).
        let period = Period::resolve(PeriodChoice::Last30d, desk.clock.now(), &chrono::Local).unwrap();
        let window_store = desk.second_store();
        let (report, files) = write_report(
            &window_store,
            &period,
            &chrono::Local,
            &b,
            ReportFormat::Csv,
            &mut keep_going(),
        )
        .expect("the window's report");
        assert_eq!(files.summary, b);
        let b_tickets = files.tickets.expect("a tickets file");
        assert_eq!(b_tickets, dir.path().join("B-tickets.csv"));

        let a_tickets = dir.path().join("A-tickets.csv");
        assert!(
            a.exists() && a_tickets.exists(),
            "the command line wrote both files"
        );
        assert!(
            bytes(&a) == bytes(&b),
            "the summaries differ:\n--- command line\n{}\n--- window\n{}",
            String::from_utf8_lossy(&bytes(&a)),
            String::from_utf8_lossy(&bytes(&b))
        );
        assert!(
            bytes(&a_tickets) == bytes(&b_tickets),
            "the ticket rows differ:\n--- command line\n{}\n--- window\n{}",
            String::from_utf8_lossy(&bytes(&a_tickets)),
            String::from_utf8_lossy(&bytes(&b_tickets))
        );
        // And they are not empty: the whole desk's month is in them.
        let rows = Table::read(&a_tickets);
        assert!(report.created >= 13, "created: {}", report.created);
        assert_eq!(rows.sum("in_created"), report.created);

        // --xlsx: one workbook (a zip), and no CSV beside it.
        let c = dir.path().join("C.csv");
        run_cli(
            &desk,
            &[
                &os("report"),
                &os("--period"),
                &os("last-30d"),
                &os("--xlsx"),
                &os("--out"),
                &c.into(),
            ],
        )
        .expect("tickets report --xlsx");
        let book = bytes(&dir.path().join("C.xlsx"));
        assert!(book.len() > 1000, "a workbook of {} bytes", book.len());
        assert!(book.starts_with(b"PK"), "an xlsx file is a zip");
        assert_eq!(
            names_in(dir.path()),
            ["A-tickets.csv", "A.csv", "B-tickets.csv", "B.csv", "C.xlsx"]
        );
    }
}

// ---------------------------------------------------------------------------
// 3. No formulas get through

on_both_engines! {
    fn formulas_are_neutralised_in_reports_and_exports(desk: Desk) {
        let dana = desk.dana;
        let evil = desk
            .store
            .add_customer(&NewCustomer {
                name: "=cmd|' /C calc'!A0".to_owned(),
                email: "evil@example.com".to_owned(),
                company: "+Evil Corp".to_owned(),
            })
            .unwrap();
        let subjects = [
            "=HYPERLINK(\"http://x\")",
            "-2+3",
            "@SUM(A1)",
            "+1",
            "a=b is fine",
        ];
        let mut numbers = Vec::new();
        for (i, subject) in subjects.iter().enumerate() {
            desk.at(i as i64);
            let n = desk
                .store
                .create_ticket(
                    dana,
                    &NewTicket {
                        subject: (*subject).to_owned(),
                        description: "=1+1 in the description".to_owned(),
                        priority: Priority::Medium,
                        customer: Some(evil),
                    },
                )
                .unwrap();
            numbers.push(n);
        }
        desk.store.add_tag(dana, numbers[0], "@home").unwrap();
        desk.at(60);
        reply(&mut desk, dana, numbers[0], "Done");
        desk.at(90);
        move_to(&mut desk, dana, numbers[0], Status::Resolved);
        rate(&mut desk, dana, numbers[0], 4);
        desk.at(120);

        let expected_subject = |s: &str| -> String {
            if s.starts_with(['=', '+', '-', '@']) {
                format!("'{s}")
            } else {
                s.to_owned()
            }
        };

        // The report's ticket rows.
        let dir = tempfile::tempdir().unwrap();
        let period = Period::resolve(PeriodChoice::Last7d, desk.clock.now(), &chrono::Local).unwrap();
        let (_, files) = write_report(
            &desk.store,
            &period,
            &chrono::Local,
            &dir.path().join("r.csv"),
            ReportFormat::Csv,
            &mut keep_going(),
        )
        .unwrap();
        let rows = Table::read(files.tickets.as_ref().unwrap());
        assert_eq!(rows.rows.len(), subjects.len());
        for (n, subject) in numbers.iter().zip(subjects) {
            let row = rows.ticket(*n);
            assert_eq!(
                row.get("subject"),
                expected_subject(subject),
                "subject of {n}"
            );
            assert_eq!(row.get("customer"), "'=cmd|' /C calc'!A0");
        }
        let first = rows.ticket(numbers[0]);
        assert_eq!(first.get("tags"), "'@home");
        // Numbers stay numbers.
        assert_eq!(first.get("first_response_seconds"), "3600.000");
        assert_eq!(first.get("resolution_seconds"), "5400.000");
        assert_eq!(first.get("csat"), "4");
        for c in REPORT_TICKET_COLUMNS
            .iter()
            .filter(|c| c.starts_with("in_"))
        {
            assert!(matches!(first.get(c), "0" | "1"), "{c}: {:?}", first.get(c));
        }
        // The By Tag label in the summary too.
        let summary = Summary::read(&files.summary);
        assert_eq!(summary.value("by_tag", "tickets", "'@home"), "1");
        assert_eq!(summary.value("card", "Created", ""), "5");

        // The ticket export.
        let out = dir.path().join("tickets.csv");
        let n = export_tickets(
            &desk.store,
            &TicketFilter::default(),
            Sort::default(),
            false,
            &chrono::Local,
            &out,
            &mut keep_going(),
        )
        .unwrap();
        assert_eq!(n, subjects.len() as u64);
        let table = Table::read(&out);
        for (n, subject) in numbers.iter().zip(subjects) {
            let row = table.ticket(*n);
            assert_eq!(
                row.get("subject"),
                expected_subject(subject),
                "subject of {n}"
            );
            assert_eq!(row.get("customer"), "'=cmd|' /C calc'!A0");
            assert_eq!(row.get("company"), "'+Evil Corp");
            assert_eq!(row.get("customer_email"), "evil@example.com");
            assert_eq!(row.get("description"), "'=1+1 in the description");
        }
        let first = table.ticket(numbers[0]);
        assert_eq!(first.get("tags"), "'@home");
        assert_eq!(first.get("csat"), "4");
        assert_eq!(first.get("status"), "Resolved");
    }
}

on_both_engines! {
    /// The store keeps creation order even when the computer's clock goes back
    /// (src/store/tickets.rs), so a reply can come "before" its ticket was raised:
    /// a negative duration. It is still a number, in the rows and on the card, and
    /// the rows must still add up to the card.
    fn negative_durations_stay_numbers(desk: Desk) {
        let dana = desk.dana;
        desk.at(10);
        desk.ticket("Raised first");
        // The clock goes back ten minutes: the next ticket is stamped at +10 min anyway.
        desk.at(0);
        let late = desk.ticket("Raised while the clock was behind");
        reply(&mut desk, dana, late, "Hello");
        desk.at(60);

        let dir = tempfile::tempdir().unwrap();
        let period = Period::resolve(PeriodChoice::Last7d, desk.clock.now(), &chrono::Local).unwrap();
        let (_, files) = write_report(
            &desk.store,
            &period,
            &chrono::Local,
            &dir.path().join("r.csv"),
            ReportFormat::Csv,
            &mut keep_going(),
        )
        .unwrap();
        let rows = Table::read(files.tickets.as_ref().unwrap());
        assert_eq!(
            rows.ticket(late).get("first_response_seconds"),
            "-600.000",
            "a negative duration is written as a number"
        );
        let summary = Summary::read(&files.summary);
        assert_eq!(
            summary.value("card", "Avg First Response", "mean"),
            "-600.000"
        );
        assert_eq!(summary.value("card", "Avg First Response", "count"), "1");
    }
}

// ---------------------------------------------------------------------------
// 4. The ticket export

on_both_engines! {
    fn export_tickets_writes_every_column_for_the_matching_tickets(desk: Desk) {
        let dana = desk.dana;
        let eve = desk.store.add_agent("eve", "eve@example.com").unwrap();
        let ann = desk
            .store
            .add_customer(&NewCustomer {
                name: "Ann Lee".to_owned(),
                email: "ann@example.com".to_owned(),
                company: "Lee & Co".to_owned(),
            })
            .unwrap();
        let printer = desk
            .store
            .create_ticket(
                dana,
                &NewTicket {
                    subject: "Printer on fire".to_owned(),
                    description: "It smokes.\nThen it beeps, \"loudly\", twice.".to_owned(),
                    priority: Priority::Urgent,
                    customer: Some(ann),
                },
            )
            .unwrap();
        desk.store.add_tag(dana, printer, "hardware").unwrap();
        desk.store.add_tag(dana, printer, "Fire").unwrap();
        desk.store.assign(dana, printer, eve).unwrap();
        desk.store.assign(dana, printer, dana).unwrap();
        desk.at(10);
        desk.store
            .add_message(dana, printer, Direction::Inbound, "It is still smoking")
            .unwrap();
        desk.at(20);
        reply(&mut desk, dana, printer, "Unplug it, please");
        desk.at(25);
        desk.store
            .add_note(dana, printer, "Secret: we sold them that printer")
            .unwrap();
        desk.at(30);
        let waiting = desk.ticket("Waiting on the vendor");
        move_to(&mut desk, dana, waiting, Status::Waiting);
        desk.at(40);
        let done = desk.ticket("Already solved");
        move_to(&mut desk, dana, done, Status::Resolved);
        desk.at(50);

        let dir = tempfile::tempdir().unwrap();
        let filter = TicketFilter {
            statuses: vec![Status::Open, Status::Waiting],
            ..TicketFilter::default()
        };
        let out = dir.path().join("open.csv");
        let mut calls = Vec::new();
        let n = export_tickets(
            &desk.store,
            &filter,
            Sort::default(),
            false,
            &chrono::Utc,
            &out,
            &mut |done, total| {
                calls.push((done, total));
                true
            },
        )
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(calls.last(), Some(&(2, 2)), "the last progress is complete");
        assert_eq!(names_in(dir.path()), ["open.csv"], "no temporary file left");
        let table = Table::read(&out);
        assert_eq!(table.header, TICKET_COLUMNS, "every column, no notes");
        // Newest first, as the list sorts by default; the Resolved one is not there.
        assert_eq!(table.column("ticket"), ["TKT-000002", "TKT-000001"]);
        let row = table.ticket(printer);
        let cells: Vec<(&str, &str)> = TICKET_COLUMNS.iter().map(|c| (*c, row.get(c))).collect();
        let messages = "2024-03-04 09:10:00+00:00 · Customer: It is still smoking\n\n\
                        2024-03-04 09:20:00+00:00 · Dana (reply): Unplug it, please";
        assert_eq!(
            cells,
            [
                ("ticket", "TKT-000001"),
                ("subject", "Printer on fire"),
                ("status", "Open"),
                ("priority", "Urgent"),
                ("customer", "Ann Lee"),
                ("customer_email", "ann@example.com"),
                ("company", "Lee & Co"),
                ("assignees", "Dana; eve"),
                ("tags", "Fire; hardware"),
                ("links", ""),
                ("created", "2024-03-04 09:00:00+00:00"),
                ("updated", "2024-03-04 09:25:00+00:00"),
                ("first_reply", "2024-03-04 09:20:00+00:00"),
                ("resolved", ""),
                ("resolved_by", ""),
                ("closed", ""),
                ("csat", ""),
                (
                    "description",
                    "It smokes.\nThen it beeps, \"loudly\", twice."
                ),
                ("messages", messages),
            ]
        );
        assert_eq!(table.ticket(waiting).get("status"), "Waiting");
        let text = String::from_utf8(bytes(&out)).unwrap();
        assert!(
            !text.contains("Secret"),
            "internal notes leaked into an export without them"
        );

        // With the notes: one more column, holding them.
        let with_notes = dir.path().join("with-notes.csv");
        export_tickets(
            &desk.store,
            &filter,
            Sort::default(),
            true,
            &chrono::Utc,
            &with_notes,
            &mut keep_going(),
        )
        .unwrap();
        let table = Table::read(&with_notes);
        let mut header: Vec<&str> = TICKET_COLUMNS.to_vec();
        header.push("internal_notes");
        assert_eq!(table.header, header);
        assert_eq!(
            table.ticket(printer).get("internal_notes"),
            "2024-03-04 09:25:00+00:00 · Dana: Secret: we sold them that printer"
        );
        assert_eq!(table.ticket(waiting).get("internal_notes"), "");
        assert_eq!(
            table.ticket(printer).get("messages"),
            messages,
            "notes are not messages"
        );

        // A filter nothing matches: just the header.
        let none = dir.path().join("none.csv");
        let n = export_tickets(
            &desk.store,
            &TicketFilter {
                statuses: vec![Status::Closed],
                ..TicketFilter::default()
            },
            Sort::default(),
            false,
            &chrono::Utc,
            &none,
            &mut keep_going(),
        )
        .unwrap();
        assert_eq!(n, 0);
        let table = Table::read(&none);
        assert_eq!(table.header, TICKET_COLUMNS);
        assert!(table.rows.is_empty());
    }
}

#[test]
fn cancelled_exports_leave_nothing_behind() {
    let mut desk = Desk::new();
    generate(
        &mut desk.store,
        SeedOptions {
            tickets: 2100,
            seed: 7,
        },
        |_, _| true,
    )
    .expect("seed");
    let total = desk.store.count_tickets(&TicketFilter::default()).unwrap();
    assert!(total > 2048, "enough tickets to be asked about progress");

    let dir = tempfile::tempdir().unwrap();
    // An export that already exists is left as it was.
    let out = dir.path().join("all.csv");
    std::fs::write(&out, "before").unwrap();
    let mut calls = Vec::new();
    let result = export_tickets(
        &desk.store,
        &TicketFilter::default(),
        Sort::default(),
        true,
        &chrono::Local,
        &out,
        &mut |done, of| {
            calls.push((done, of));
            false
        },
    );
    assert!(
        matches!(result, Err(ExportError::Cancelled)),
        "cancelled: {result:?}"
    );
    assert_eq!(calls, [(2048, total)], "asked once, then stopped");
    assert_eq!(names_in(dir.path()), ["all.csv"], "no temporary file left");
    assert_eq!(bytes(&out), b"before", "the old file is untouched");
    std::fs::remove_file(&out).unwrap();

    let period = Period::resolve(PeriodChoice::Last365d, desk.clock.now(), &chrono::Local).unwrap();
    for format in [ReportFormat::Csv, ReportFormat::Xlsx] {
        let mut asked = 0;
        let result = write_report(
            &desk.store,
            &period,
            &chrono::Local,
            &dir.path().join("report"),
            format,
            &mut |_, _| {
                asked += 1;
                false
            },
        );
        assert!(
            matches!(result, Err(ExportError::Cancelled)),
            "{format:?} cancelled: {:?}",
            result.map(|(_, files)| files)
        );
        assert_eq!(asked, 1, "{format:?}: asked once");
        assert_eq!(
            names_in(dir.path()),
            Vec::<String>::new(),
            "{format:?}: nothing left behind"
        );
    }

    // Not cancelled, the same export completes (so the cancellation above was real).
    let n = export_tickets(
        &desk.store,
        &TicketFilter::default(),
        Sort::default(),
        false,
        &chrono::Local,
        &out,
        &mut keep_going(),
    )
    .unwrap();
    assert_eq!(n, total);
    assert_eq!(Table::read(&out).rows.len() as u64, total);
}

#[test]
fn a_report_pair_that_cannot_be_put_in_place_leaves_the_old_pair() {
    // The previous report.csv and report-tickets.csv belong together. If
    // either new file cannot take its place (here a folder stands there),
    // the other must not be replaced either.
    let mut desk = Desk::new();
    desk.ticket("Something");
    let period = Period::resolve(PeriodChoice::Today, desk.clock.now(), &chrono::Local).unwrap();
    for blocked in ["report.csv", "report-tickets.csv"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report.csv");
        for name in ["report.csv", "report-tickets.csv"] {
            let path = dir.path().join(name);
            if name == blocked {
                std::fs::create_dir(&path).unwrap();
                std::fs::write(path.join("keep.txt"), "in the way").unwrap();
            } else {
                std::fs::write(&path, "the old report").unwrap();
            }
        }
        let other = dir.path().join(if blocked == "report.csv" {
            "report-tickets.csv"
        } else {
            "report.csv"
        });
        let result = write_report(
            &desk.store,
            &period,
            &chrono::Local,
            &out,
            ReportFormat::Csv,
            &mut keep_going(),
        );
        assert!(result.is_err(), "{blocked} could not be put in place");
        assert_eq!(
            bytes(&other),
            b"the old report",
            "{blocked}: the old file is back"
        );
        assert_eq!(
            names_in(dir.path()),
            ["report-tickets.csv", "report.csv"],
            "{blocked}: no temporary or set-aside file left"
        );

        // With the way clear, the pair is written.
        std::fs::remove_dir_all(dir.path().join(blocked)).unwrap();
        write_report(
            &desk.store,
            &period,
            &chrono::Local,
            &out,
            ReportFormat::Csv,
            &mut keep_going(),
        )
        .unwrap();
        assert_ne!(bytes(&other), b"the old report");
        assert!(dir.path().join(blocked).is_file());
    }
}

#[test]
fn exports_into_a_missing_folder_fail_and_create_nothing() {
    let mut desk = Desk::new();
    desk.ticket("Something");
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone");
    let out = missing.join("x.csv");

    let result = export_tickets(
        &desk.store,
        &TicketFilter::default(),
        Sort::default(),
        false,
        &chrono::Local,
        &out,
        &mut keep_going(),
    );
    assert!(
        matches!(result, Err(ExportError::Io(_))),
        "an I/O error: {result:?}"
    );
    let period = Period::resolve(PeriodChoice::Today, desk.clock.now(), &chrono::Local).unwrap();
    for format in [ReportFormat::Csv, ReportFormat::Xlsx] {
        let result = write_report(
            &desk.store,
            &period,
            &chrono::Local,
            &out,
            format,
            &mut keep_going(),
        );
        assert!(
            result.is_err(),
            "{format:?} into a missing folder succeeded"
        );
        assert!(
            !result.unwrap_err().to_string().is_empty(),
            "an error to show"
        );
    }
    let cli = run_cli(&desk, &[&os("export"), &os("--out"), &out.clone().into()]);
    assert!(
        cli.is_err(),
        "tickets export into a missing folder succeeded"
    );
    assert!(!missing.exists(), "the folder was created");
    assert_eq!(
        names_in(dir.path()),
        Vec::<String>::new(),
        "nothing written"
    );
}

// ---------------------------------------------------------------------------
// 5. `tickets export` writes what the window's export writes

on_both_engines_with! {
    fn cli_export_writes_the_same_rows_as_export_tickets(engine: Engine) {
        let (mut desk, eve, t) = varied_desk(engine);
        desk.act(eve)
            .add_note(eve, t.backlog, "A note only with --include-notes")
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let from_cli: PathBuf = dir.path().join("x.csv");
        run_cli(
            &desk,
            &[
                &os("export"),
                &os("--status"),
                &os("open"),
                &os("--out"),
                &from_cli.clone().into(),
            ],
        )
        .expect("tickets export");

        let direct = dir.path().join("y.csv");
        let filter = TicketFilter {
            statuses: vec![Status::Open],
            ..TicketFilter::default()
        };
        let n = export_tickets(
            &desk.store,
            &filter,
            Sort::default(),
            false,
            &chrono::Local,
            &direct,
            &mut keep_going(),
        )
        .unwrap();
        assert!(
            bytes(&from_cli) == bytes(&direct),
            "the files differ:\n--- command line\n{}\n--- export_tickets\n{}",
            String::from_utf8_lossy(&bytes(&from_cli)),
            String::from_utf8_lossy(&bytes(&direct))
        );
        let table = Table::read(&from_cli);
        assert_eq!(table.rows.len() as u64, n);
        assert_eq!(table.header, TICKET_COLUMNS);
        // Open now: the backlog, the reopened ones and the untouched new ones.
        let expected: BTreeSet<String> = [
            t.backlog,
            t.reopened,
            t.closed_then_reopened,
            t.replied_open,
            t.no_reply,
            t.replied_after,
            t.last_moment,
            t.after_end,
        ]
        .iter()
        .map(|n| n.to_string())
        .collect();
        let got: BTreeSet<String> = table
            .column("ticket")
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(got, expected);
        assert!(table.column("status").iter().all(|s| *s == "Open"));
        assert!(!String::from_utf8_lossy(&bytes(&from_cli)).contains("--include-notes"));

        // --include-notes adds the column, as include_notes = true does.
        let with_notes = dir.path().join("notes.csv");
        run_cli(
            &desk,
            &[
                &os("export"),
                &os("--status"),
                &os("open"),
                &os("--include-notes"),
                &os("--out"),
                &with_notes.clone().into(),
            ],
        )
        .expect("tickets export --include-notes");
        let table = Table::read(&with_notes);
        assert_eq!(
            table.header.last().map(String::as_str),
            Some("internal_notes")
        );
        assert!(
            table
                .ticket(t.backlog)
                .get("internal_notes")
                .ends_with("Eve: A note only with --include-notes")
        );
    }
}
