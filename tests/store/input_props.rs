//! Every text a person can type, thrown at the store and the command line:
//! empty and blank text, text at and past each limit (and a megabyte), control
//! characters and NUL, invalid UTF-8 read from a file (decoded lossily),
//! right-to-left text, emoji and combining marks, SQL and FTS5 syntax, and
//! cells that look like spreadsheet formulas.
//!
//! For each field (subject, description, note, message, tag, customer name,
//! email and company, agent name and email) creating and editing through the
//! store never panics: the text is kept exactly as the rules tidy it (the
//! rules of `src/domain/validate.rs`, restated here as a model), or it is
//! refused with `StoreError::Invalid` naming the field and the rule broken,
//! and a refusal writes nothing. The file passes SQLite's and FTS5's integrity
//! checks at the end of every property; on a team server, every ticket's
//! search words are what the server's own function makes of its text.
//! The store's properties run on both engines (file and team server).
//!
//! Search (the list's text filter and the customer picker) never fails and
//! takes text literally: a ticket whose subject is the text is found by
//! searching that text, when the text holds a word the search index keeps
//! (and no `name@domain` word, which is matched against customers' emails
//! only). The list refuses a search over 1,000 characters with a message.
//! The command line never panics on any arguments, and `list` with any
//! search, tag and sort answers or says why.
//!
//! `PROPTEST_CASES` sets the number of cases per property (128 by default);
//! `TICKETS_LONG_PROPS=1` makes it 4096.

use std::cell::RefCell;
use std::ffi::OsString;
use std::path::Path;

use crate::fixtures::{Desk, Engine, fixed_clock};
use crate::on_both_engines_with;
use clap::Parser;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rusqlite::Connection;
use tickets::cli::Cli;
use tickets::domain::{AgentId, Direction, NewCustomer, NewTicket, TicketDetail, TicketNumber};
use tickets::store::{ListRequest, Store, StoreError, TicketFilter};

// ---------------------------------------------------------------------------
// Hostile text
// ---------------------------------------------------------------------------

/// Hand-picked text that has broken programs before.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "   \t  ",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "a\0b",
    "\u{7}",
    "\u{1b}[31mred\u{1b}[0m",
    "\u{7f}",
    "\u{b}",
    "\u{c}",
    "\u{85}",
    "\u{9b}",
    "\u{2028}",
    "\u{2029}",
    "\u{200b}",
    "\u{feff}",
    "\u{202e}gnp.exe",
    "\u{fffd}",
    "\u{10ffff}",
    "\u{e000}",
    "שלום עולם",
    "مرحبا بالعالم",
    "עברית and English",
    "👍",
    "👩‍👩‍👧‍👦",
    "🇫🇷",
    "e\u{301}",
    "Z\u{324}\u{354}\u{367}\u{311}\u{313}a\u{308}\u{356}",
    "\u{301}",
    "İstanbul",
    "straße",
    "ﬃ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\"",
    "\"\"",
    "\"refund",
    "*",
    "refund*",
    "NEAR",
    "NEAR(a b, 2)",
    "OR",
    "AND",
    "NOT",
    "-",
    "-x",
    "^",
    "subject:refund",
    "{subject customer}: x",
    "(",
    ")",
    "'",
    "''",
    "'; DROP TABLE tickets; --",
    "Robert'); DROP TABLE tickets;--",
    "%",
    "_",
    "\\",
    "a@b",
    "@",
    "x@y@z",
    "dana@example.com",
    "TKT-000001",
    "#1",
    "1",
    "0",
    "-1",
    "99999999999999999999",
    "NULL",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "=HYPERLINK(\"http://example.com\",\"x\")",
    "\tindented",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%s%n%x",
];

/// One piece of a hostile text.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(HOSTILE).prop_map(str::to_owned),
        3 => "[a-zA-Z0-9]{1,10}",
        1 => any::<char>().prop_map(String::from),
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{2028}\\u{2029}\\u{200b}-\\u{200f}\\u{202a}-\\u{202e}\\u{feff}]",
        1 => "\\PC{1,8}",
        1 => "[\\p{Mn}\\p{Me}]{1,3}",
        1 => "[ \t\n]{1,3}",
    ]
}

/// A text a person might type, paste or load from a file.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => vec(fragment(), 0..6).prop_map(|parts| parts.concat()),
        2 => any::<String>(),
        // Bytes from a file that is not UTF-8, decoded the forgiving way.
        2 => vec(any::<u8>(), 0..80)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        2 => near_a_limit(),
    ]
}

/// Text just under, at and just over a limit, in characters of one to four bytes.
fn near_a_limit() -> impl Strategy<Value = String> {
    (
        select(vec![50usize, 100, 200, 254]),
        -2i64..=2,
        select(vec!["x", "é", "漢", "👍", "e\u{301}"]),
        fragment(),
    )
        .prop_map(|(limit, delta, unit, tail)| {
            let n = (limit as i64 + delta).max(0) as usize;
            let mut text: String = unit.chars().cycle().take(n).collect();
            if delta == 0 {
                text.push_str(&tail);
            }
            text
        })
}

// ---------------------------------------------------------------------------
// The rules, restated as a model
// ---------------------------------------------------------------------------

/// Why the model expects a text to be refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    Control,
    Required,
    TooLong,
    NotEmail,
}

/// One field's rules.
#[derive(Clone, Copy, Debug)]
struct Rule {
    /// The field as the message names it.
    field: &'static str,
    /// Most characters, after tidying.
    max: usize,
    /// One line: tabs and line breaks become spaces.
    one_line: bool,
    required: bool,
    email: bool,
}

const SUBJECT: Rule = Rule {
    field: "Subject",
    max: 200,
    one_line: true,
    required: true,
    email: false,
};
const DESCRIPTION: Rule = Rule {
    field: "Description",
    max: 100_000,
    one_line: false,
    required: false,
    email: false,
};
const NOTE: Rule = Rule {
    field: "Note",
    required: true,
    ..DESCRIPTION
};
const MESSAGE: Rule = Rule {
    field: "Message",
    ..NOTE
};
const NAME: Rule = Rule {
    field: "Name",
    max: 100,
    ..SUBJECT
};
const COMPANY: Rule = Rule {
    field: "Company",
    required: false,
    ..NAME
};
const EMAIL: Rule = Rule {
    field: "Email",
    max: 254,
    email: true,
    ..COMPANY
};
const TAG: Rule = Rule {
    field: "Tag",
    max: 50,
    ..NAME
};

/// Line breaks as Unicode counts them: CR, LF, vertical tab, form feed, next
/// line, line separator and paragraph separator.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\r' | '\n' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

impl Rule {
    /// What the store keeps of `text`, or why it refuses it.
    fn expect(&self, text: &str) -> Result<String, Refusal> {
        if text
            .chars()
            .any(|c| c.is_control() && c != '\t' && !is_line_break(c))
        {
            return Err(Refusal::Control);
        }
        let tidied: String = if self.one_line {
            text.chars()
                .map(|c| {
                    if c == '\t' || is_line_break(c) {
                        ' '
                    } else {
                        c
                    }
                })
                .collect()
        } else {
            text.chars()
                .map(|c| {
                    if matches!(c, '\r' | '\n') || !is_line_break(c) {
                        c
                    } else {
                        '\n'
                    }
                })
                .collect()
        };
        let tidied = tidied.trim();
        if self.required && tidied.is_empty() {
            return Err(Refusal::Required);
        }
        if tidied.chars().count() > self.max {
            return Err(Refusal::TooLong);
        }
        if self.email && !tidied.is_empty() {
            let ok = tidied.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            }) && !tidied.chars().any(char::is_whitespace);
            if !ok {
                return Err(Refusal::NotEmail);
            }
        }
        Ok(tidied.to_owned())
    }

    /// Checks the store's refusal against the model's: the field is named and
    /// the message says what rule was broken, with the limit where there is one.
    fn check_refusal(&self, err: &StoreError, why: Refusal) -> Result<(), TestCaseError> {
        let StoreError::Invalid(invalid) = err else {
            return Err(TestCaseError::fail(format!(
                "{}: expected Invalid ({why:?}), got {err:?}",
                self.field
            )));
        };
        prop_assert_eq!(invalid.field, self.field);
        let text = err.to_string();
        prop_assert!(text.starts_with(&format!("{}: ", self.field)), "{}", text);
        let says = match why {
            Refusal::Control => "control character",
            Refusal::Required => {
                if self.one_line {
                    "is required"
                } else {
                    "is empty"
                }
            }
            Refusal::TooLong => "at most",
            Refusal::NotEmail => "not an email address",
        };
        prop_assert!(text.contains(says), "{:?}: {}", why, text);
        if why == Refusal::TooLong {
            prop_assert!(text.contains(&self.max.to_string()), "{}", text);
        }
        Ok(())
    }

    /// Checks a store result against the model: kept as tidied, or refused
    /// for the reason the model gives. Returns what was kept.
    fn check<T>(
        &self,
        text: &str,
        result: &Result<T, StoreError>,
    ) -> Result<Option<String>, TestCaseError> {
        match (self.expect(text), result) {
            (Ok(kept), Ok(_)) => Ok(Some(kept)),
            (Err(why), Err(err)) => {
                self.check_refusal(err, why)?;
                Ok(None)
            }
            (Ok(kept), Err(err)) => Err(TestCaseError::fail(format!(
                "{}: {text:?} should be kept as {kept:?}, was refused: {err}",
                self.field
            ))),
            (Err(why), Ok(_)) => Err(TestCaseError::fail(format!(
                "{}: {text:?} should be refused ({why:?}), was kept",
                self.field
            ))),
        }
    }
}

// ---------------------------------------------------------------------------
// Running properties against one desk
// ---------------------------------------------------------------------------

fn cases() -> u32 {
    let long = std::env::var_os("TICKETS_LONG_PROPS").is_some_and(|v| !v.is_empty() && v != "0");
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if long { 4096 } else { 128 })
}

/// Runs `test` on generated values against one desk on `engine`, then
/// checks the database.
fn on_desk<S: Strategy>(
    engine: Engine,
    strategy: S,
    test: impl Fn(&mut Desk, S::Value) -> Result<(), TestCaseError>,
) {
    let desk = RefCell::new(Desk::on(engine).expect("a desk on this engine"));
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| test(&mut desk.borrow_mut(), value));
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert_intact(desk.into_inner());
}

/// The desk's database is sound: on a file SQLite's and both search indexes'
/// own checks pass; on a server every table is there and every ticket's
/// search words are what the server makes of its subject and customer now.
fn assert_intact(mut desk: Desk) {
    if desk.url.is_some() {
        let mut raw = desk.raw_server();
        let stale: i64 = raw
            .query_one(
                "SELECT count(*) FROM tickets.tickets
                 WHERE search IS DISTINCT FROM tickets.search_of(subject, customer_id)",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(stale, 0, "tickets whose search words are out of date");
        let tables: i64 = raw
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'tickets'
                 AND tablename IN ('tickets', 'activity', 'customers', 'agents', 'tags')",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 5, "a table went missing");
        return;
    }
    desk.store.close();
    assert_file_intact(&desk.path);
}

/// SQLite's integrity check and both search indexes' own checks pass.
fn assert_file_intact(path: &Path) {
    let conn = Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    for table in ["ticket_search", "customer_search"] {
        conn.execute(
            &format!("INSERT INTO {table}({table}) VALUES ('integrity-check')"),
            [],
        )
        .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('tickets', 'activity', 'customers', 'agents', 'tags')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 5, "a table went missing");
}

/// Rows in every table a refused change could have touched.
fn footprint(desk: &Desk) -> Vec<i64> {
    [
        "tickets",
        "activity",
        "notes",
        "messages",
        "tags",
        "ticket_tags",
        "customers",
        "customer_tags",
        "agents",
    ]
    .iter()
    .map(|table| desk.count(table))
    .collect()
}

/// Makes a change with `text` in the field `rule` describes, checks the
/// store's answer against the model, and that a refusal wrote nothing.
/// Returns the store's answer and what the model says was kept.
fn attempt<T>(
    desk: &mut Desk,
    rule: Rule,
    text: &str,
    change: impl FnOnce(&mut Desk) -> Result<T, StoreError>,
) -> Result<(Result<T, StoreError>, Option<String>), TestCaseError> {
    let before = footprint(desk);
    let result = change(desk);
    let kept = rule.check(text, &result)?;
    if kept.is_none() {
        prop_assert_eq!(footprint(desk), before, "a refused change wrote rows");
    }
    Ok((result, kept))
}

/// Edits a field of a new ticket to `text`: it reads back as the model keeps
/// it, or the refused edit leaves the ticket exactly as it was.
fn check_ticket_edit(
    desk: &mut Desk,
    rule: Rule,
    text: &str,
    edit: impl FnOnce(&mut Store, AgentId, TicketNumber, i64) -> Result<(), StoreError>,
    field: impl Fn(&TicketDetail) -> &str,
) -> Result<(), TestCaseError> {
    let n = desk.ticket("Printer on fire");
    let was = desk.load(n);
    let (_, kept) = attempt(desk, rule, text, |desk| {
        let dana = desk.dana;
        edit(&mut desk.store, dana, n, was.version)
    })?;
    let now = desk.load(n);
    match kept {
        Some(kept) => prop_assert_eq!(field(&now), kept.as_str()),
        None => prop_assert_eq!(now, was),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Ticket fields
// ---------------------------------------------------------------------------

on_both_engines_with! {
    fn subjects_are_kept_as_tidied_or_refused_with_the_rule(engine: Engine) {
        on_desk(engine, hostile(), |desk, text| {
            let new = NewTicket {
                subject: text.clone(),
                ..NewTicket::default()
            };
            let (created, kept) = attempt(desk, SUBJECT, &text, |desk| {
                desk.store.create_ticket(desk.dana, &new)
            })?;
            if let (Some(kept), Ok(n)) = (&kept, &created) {
                let d = desk.load(*n);
                prop_assert_eq!(&d.subject, kept);
                prop_assert_eq!(d.activity.len(), 1);
            }
            check_ticket_edit(
                desk,
                SUBJECT,
                &text,
                |store, dana, n, version| store.set_subject(dana, n, version, &text),
                |d| &d.subject,
            )
        });
    }
}

on_both_engines_with! {
    fn descriptions_are_kept_as_tidied_or_refused_with_the_rule(engine: Engine) {
        on_desk(engine, hostile(), |desk, text| {
            let new = NewTicket {
                subject: "Described".to_owned(),
                description: text.clone(),
                ..NewTicket::default()
            };
            let (created, kept) = attempt(desk, DESCRIPTION, &text, |desk| {
                desk.store.create_ticket(desk.dana, &new)
            })?;
            if let (Some(kept), Ok(n)) = (&kept, &created) {
                prop_assert_eq!(&desk.load(*n).description, kept);
            }
            check_ticket_edit(
                desk,
                DESCRIPTION,
                &text,
                |store, dana, n, version| store.set_description(dana, n, version, &text),
                |d| &d.description,
            )
        });
    }
}

on_both_engines_with! {
    fn notes_are_kept_as_tidied_or_refused_with_the_rule(engine: Engine) {
        on_desk(engine, hostile(), |desk, text| {
            let n = desk.ticket("Noted");
            let (_, kept) = attempt(desk, NOTE, &text, |desk| {
                desk.store.add_note(desk.dana, n, &text)
            })?;
            let notes = desk.load(n).notes;
            let bodies: Vec<String> = notes.into_iter().map(|x| x.body).collect();
            prop_assert_eq!(bodies, kept.into_iter().collect::<Vec<_>>());
            // Editing a note to the text.
            let note = desk.store.add_note(desk.dana, n, "First thoughts").unwrap();
            let (_, kept) = attempt(desk, NOTE, &text, |desk| {
                desk.store.edit_note(desk.dana, note, 1, &text)
            })?;
            let edited = desk
                .load(n)
                .notes
                .into_iter()
                .find(|x| x.id == note)
                .unwrap();
            prop_assert_eq!(
                edited.body,
                kept.unwrap_or_else(|| "First thoughts".to_owned())
            );
            Ok(())
        });
    }
}

on_both_engines_with! {
    fn messages_are_kept_as_tidied_or_refused_with_the_rule(engine: Engine) {
        on_desk(engine, (hostile(), any::<bool>()), |desk, (text, outbound)| {
            let n = desk.ticket("Conversation");
            let direction = if outbound {
                Direction::Outbound
            } else {
                Direction::Inbound
            };
            let (_, kept) = attempt(desk, MESSAGE, &text, |desk| {
                desk.store.add_message(desk.dana, n, direction, &text)
            })?;
            let d = desk.load(n);
            // The first reply is recorded only with a reply that was kept.
            prop_assert_eq!(d.first_reply.is_some(), outbound && kept.is_some());
            let bodies: Vec<String> = d.messages.into_iter().map(|m| m.body).collect();
            prop_assert_eq!(bodies, kept.into_iter().collect::<Vec<_>>());
            Ok(())
        });
    }
}

on_both_engines_with! {
    fn tags_are_kept_as_tidied_or_refused_with_the_rule(engine: Engine) {
        on_desk(engine, hostile(), |desk, text| {
            let n = desk.ticket("Tagged");
            let known = desk.store.tags().unwrap();
            let (added, kept) = attempt(desk, TAG, &text, |desk| {
                desk.store.add_tag(desk.dana, n, &text)
            })?;
            let tags = desk.load(n).tags;
            if let (Some(kept), Ok(tag)) = (&kept, &added) {
                // A tag that differs only in ASCII case is the tag already there.
                match known.iter().find(|t| t.name.eq_ignore_ascii_case(kept)) {
                    Some(old) => prop_assert_eq!(tag, old),
                    None => prop_assert_eq!(&tag.name, kept),
                }
                prop_assert_eq!(tags, vec![tag.clone()]);
                let named = desk.store.tag_named(kept).unwrap();
                prop_assert_eq!(named.as_ref(), Some(tag));
            } else {
                prop_assert!(tags.is_empty());
            }
            // The same rules for a customer's tags.
            let customer = desk
                .store
                .add_customer(&NewCustomer {
                    name: "Tagged customer".to_owned(),
                    ..NewCustomer::default()
                })
                .unwrap();
            let (_, kept) = attempt(desk, TAG, &text, |desk| {
                desk.store.add_customer_tag(customer, &text)
            })?;
            let tags = desk.store.customer(customer).unwrap().tags;
            prop_assert_eq!(tags.len(), usize::from(kept.is_some()));
            Ok(())
        });
    }
}

// ---------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------

/// The first field the store checks that the model refuses, in the store's order.
fn first_refusal(fields: &[(Rule, &str)]) -> Option<(Rule, Refusal)> {
    fields
        .iter()
        .find_map(|(rule, text)| rule.expect(text).err().map(|why| (*rule, why)))
}

/// Checks a change of several fields at once: all kept as tidied, or refused
/// for the first field the model refuses.
fn check_fields<T>(
    fields: &[(Rule, &str)],
    result: &Result<T, StoreError>,
) -> Result<Option<Vec<String>>, TestCaseError> {
    match (first_refusal(fields), result) {
        (None, Ok(_)) => Ok(Some(
            fields
                .iter()
                .map(|(rule, text)| rule.expect(text).unwrap())
                .collect(),
        )),
        (Some((rule, why)), Err(err)) => {
            rule.check_refusal(err, why)?;
            Ok(None)
        }
        (None, Err(err)) => Err(TestCaseError::fail(format!("{fields:?} refused: {err}"))),
        (Some((rule, why)), Ok(_)) => Err(TestCaseError::fail(format!(
            "{}: {fields:?} should be refused ({why:?}), was kept",
            rule.field
        ))),
    }
}

/// A customer's fields: each hostile, or a plain valid value.
fn customer_fields() -> impl Strategy<Value = (String, String, String)> {
    let or_plain = |plain: &'static str| prop_oneof![1 => Just(plain.to_owned()), 2 => hostile()];
    (
        or_plain("Marguerite Okafor"),
        or_plain("mo@bakery.example"),
        or_plain("Okafor Bakery"),
    )
}

on_both_engines_with! {
    fn customers_are_kept_as_tidied_or_refused_naming_the_field(engine: Engine) {
        on_desk(engine,
            (customer_fields(), customer_fields()),
            |desk, ((name, email, company), (name2, email2, company2))| {
                let fields = [
                    (NAME, name.as_str()),
                    (EMAIL, email.as_str()),
                    (COMPANY, company.as_str()),
                ];
                let new = NewCustomer {
                    name: name.clone(),
                    email: email.clone(),
                    company: company.clone(),
                };
                let before = footprint(desk);
                let added = desk.store.add_customer(&new);
                let kept = check_fields(&fields, &added)?;
                if kept.is_none() {
                    prop_assert_eq!(footprint(desk), before);
                }
                // Edit a customer with a ticket to the second set of fields.
                let customer = match (&kept, added) {
                    (Some(kept), Ok(id)) => {
                        let c = desk.store.customer(id).unwrap();
                        prop_assert_eq!(
                            [&c.name, &c.email, &c.company],
                            [&kept[0], &kept[1], &kept[2]]
                        );
                        id
                    }
                    _ => desk
                        .store
                        .add_customer(&NewCustomer {
                            name: "Plain".to_owned(),
                            ..NewCustomer::default()
                        })
                        .unwrap(),
                };
                let n = desk
                    .store
                    .create_ticket(
                        desk.dana,
                        &NewTicket {
                            subject: "For them".to_owned(),
                            customer: Some(customer),
                            ..NewTicket::default()
                        },
                    )
                    .unwrap();
                let was = desk.store.customer(customer).unwrap();
                let fields = [
                    (NAME, name2.as_str()),
                    (EMAIL, email2.as_str()),
                    (COMPANY, company2.as_str()),
                ];
                let changed = NewCustomer {
                    name: name2.clone(),
                    email: email2.clone(),
                    company: company2.clone(),
                };
                let updated = desk.store.update_customer(customer, &changed);
                let now = desk.store.customer(customer).unwrap();
                match check_fields(&fields, &updated)? {
                    Some(kept) => {
                        prop_assert_eq!(
                            [&now.name, &now.email, &now.company],
                            [&kept[0], &kept[1], &kept[2]]
                        );
                        prop_assert_eq!(desk.load(n).customer.unwrap().name, kept[0].clone());
                    }
                    None => prop_assert_eq!(now, was),
                }
                // The customer picker finds them by any text without failing.
                for text in [&name, &email, &company, &name2] {
                    desk.store
                        .find_customers(text, 10)
                        .map_err(|e| TestCaseError::fail(format!("finding {text:?}: {e}")))?;
                }
                Ok(())
            },
        );
    }
}

on_both_engines_with! {
    fn agents_are_kept_as_tidied_or_refused_naming_the_field(engine: Engine) {
        let plain_or = |plain: &'static str| prop_oneof![1 => Just(plain.to_owned()), 2 => hostile()];
        on_desk(engine,
            (plain_or("Sam"), plain_or("sam@example.com"), hostile()),
            |desk, (name, email, rename)| {
                let fields = [(NAME, name.as_str()), (EMAIL, email.as_str())];
                let before = footprint(desk);
                let added = desk.store.add_agent(&name, &email);
                let kept = check_fields(&fields, &added)?;
                let agent = match (kept, added) {
                    (Some(kept), Ok(id)) => {
                        let a = desk.store.agent(id).unwrap();
                        prop_assert_eq!([&a.name, &a.email], [&kept[0], &kept[1]]);
                        id
                    }
                    _ => {
                        prop_assert_eq!(footprint(desk), before);
                        desk.store.add_agent("Plain", "").unwrap()
                    }
                };
                let was = desk.store.agent(agent).unwrap();
                let renamed = desk.store.update_agent(agent, &rename, &was.email);
                let now = desk.store.agent(agent).unwrap();
                match NAME.check(&rename, &renamed)? {
                    Some(kept) => prop_assert_eq!(now.name, kept),
                    None => prop_assert_eq!(now, was),
                }
                Ok(())
            },
        );
    }
}

// ---------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------

fn search(store: &Store, text: &str) -> Result<Vec<TicketNumber>, TestCaseError> {
    let filter = TicketFilter {
        text: text.to_owned(),
        ..TicketFilter::default()
    };
    let page = store
        .list_tickets(&ListRequest {
            filter: filter.clone(),
            limit: 1_000,
            ..ListRequest::default()
        })
        .map_err(|e| TestCaseError::fail(format!("searching {text:?}: {e}")))?;
    let count = store
        .count_tickets(&filter)
        .map_err(|e| TestCaseError::fail(format!("counting {text:?}: {e}")))?;
    prop_assert_eq!(page.total, Some(count));
    Ok(page.rows.into_iter().map(|r| r.number).collect())
}

/// How many words the search index takes from `text`, by FTS5's own
/// tokenizer set up as the store's search tables are.
fn index_tokens(text: &str) -> i64 {
    thread_local! {
        static FTS: Connection = {
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch(
                "CREATE VIRTUAL TABLE t USING fts5(s, tokenize = 'unicode61 remove_diacritics 2');
                 CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');",
            )
            .unwrap();
            conn
        };
    }
    FTS.with(|conn| {
        conn.execute("DELETE FROM t", []).unwrap();
        conn.execute("INSERT INTO t (s) VALUES (?1)", [text])
            .unwrap();
        conn.query_row("SELECT count(*) FROM v", [], |r| r.get(0))
            .unwrap()
    })
}

/// Whether a search word is matched against customers' emails instead of
/// words (`x@y`, see `src/store/listing.rs`).
fn has_email_like_word(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        w.split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && !domain.is_empty())
    })
}

on_both_engines_with! {
    fn search_never_fails_and_finds_a_subject_by_its_own_text(engine: Engine) {
        on_desk(engine, hostile(), |desk, text| {
            // Whatever is typed, the list and its count answer (`search` checks
            // both), and so does the customer picker.
            search(&desk.store, &text)?;
            desk.store
                .find_customers(&text, 10)
                .map_err(|e| TestCaseError::fail(format!("finding {text:?}: {e}")))?;
            // A ticket whose subject is that text is found by it, when the text
            // holds a word for the index (and no email address, which is matched
            // against customers' emails only).
            if let Ok(subject) = SUBJECT.expect(&text) {
                let n = desk.ticket(&subject);
                if index_tokens(&subject) > 0 && !has_email_like_word(&subject) {
                    let found = search(&desk.store, &text)?;
                    prop_assert!(found.contains(&n), "{:?} not found by its subject", text);
                    prop_assert!(search(&desk.store, &subject)?.contains(&n));
                }
            }
            Ok(())
        });
    }
}

on_both_engines_with! {
    fn sql_in_the_search_box_is_only_words(engine: Engine) {
        let mut desk = Desk::on(engine).expect("a desk on this engine");
        let n = desk.ticket("'; DROP TABLE tickets; --");
        let other = desk.ticket("Robert'); DROP TABLE tickets;--");
        let before = footprint(&desk);
        for text in [
            "'; DROP TABLE tickets; --",
            "Robert'); DROP TABLE tickets;--",
            "\"; DROP TABLE tickets; --",
        ] {
            let found = search(&desk.store, text).unwrap();
            assert!(
                found.contains(&n) || found.contains(&other),
                "{text}: {found:?}"
            );
            desk.store.find_customers(text, 10).unwrap();
        }
        assert_eq!(
            search(&desk.store, "drop table tickets").unwrap(),
            [other, n]
        );
        assert_eq!(footprint(&desk), before);
        assert_intact(desk);
    }
}

on_both_engines_with! {
    /// Found by the property test: a NUL (or any control character) typed in a
    /// search ended the FTS5 query in the middle of a quoted word, and the search
    /// failed with "database error: unterminated string".
    fn control_characters_in_a_search_separate_words(engine: Engine) {
        let mut desk = Desk::on(engine).expect("a desk on this engine");
        let n = desk.ticket("Printer on fire");
        desk.store
            .add_customer(&NewCustomer {
                name: "Marguerite Okafor".to_owned(),
                ..NewCustomer::default()
            })
            .unwrap();
        for text in [
            "printer\0fire",
            "\0printer",
            "\u{1b}printer\u{1b}",
            "fire\u{7f}on",
        ] {
            assert_eq!(search(&desk.store, text).unwrap(), [n], "{text:?}");
        }
        assert_eq!(search(&desk.store, "\0").unwrap(), []);
        // NUL then "0", as the property found it.
        for text in ["\0\x30", "okafor\0", "\0marg"] {
            let found = desk.store.find_customers(text, 10);
            assert!(found.is_ok(), "{text:?}: {found:?}");
        }
        assert_eq!(
            desk.store.find_customers("marg\0okafor", 10).unwrap().len(),
            1
        );
    }
}

on_both_engines_with! {
    /// Found by the property test: the search index takes private-use
    /// characters (Apple's logo, U+F8FF, among them) and characters newer than
    /// its Unicode tables (emoji such as 🥺, the bitcoin sign ₿) as words, but
    /// the search passed over any word without a letter or digit, so a subject
    /// holding them could not be found by them.
    fn what_the_index_takes_as_words_is_searchable(engine: Engine) {
        let mut desk = Desk::on(engine).expect("a desk on this engine");
        let apple = desk.ticket("Mac \u{f8ff} keyboard");
        let private = desk.ticket("\u{e000}\u{e001}");
        let pleading = desk.ticket("Customer sent 🥺 twice");
        let bitcoin = desk.ticket("Paid in ₿");
        assert_eq!(search(&desk.store, "\u{f8ff}").unwrap(), [apple]);
        assert_eq!(search(&desk.store, "\u{e000}").unwrap(), [private]);
        assert_eq!(search(&desk.store, "🥺").unwrap(), [pleading]);
        assert_eq!(search(&desk.store, "₿").unwrap(), [bitcoin]);
        assert_eq!(search(&desk.store, "paid ₿").unwrap(), [bitcoin]);
        // Symbols the index does not hold still match nothing rather than everything.
        assert_eq!(search(&desk.store, "👍").unwrap(), []);
        // On a file a symbol the index does not hold is passed over; a team
        // server keeps every run of characters between separators as a word, so
        // there it is a word that no ticket holds.
        let paid_thumbs: &[TicketNumber] = match engine {
            Engine::File => &[bitcoin],
            Engine::Server => &[],
        };
        assert_eq!(search(&desk.store, "paid 👍").unwrap(), paid_thumbs);
    }
}

// ---------------------------------------------------------------------------
// A megabyte
// ---------------------------------------------------------------------------

on_both_engines_with! {
    fn a_megabyte_is_refused_in_every_field_naming_its_limit(engine: Engine) {
        let mut desk = Desk::on(engine).expect("a desk on this engine");
        let n = desk.ticket("Big");
        let megabyte = "Lorem ipsum dolor sit amet. ".repeat(37_450);
        assert!(megabyte.len() > 1 << 20);
        let before = footprint(&desk);
        let was = desk.load(n);
        let dana = desk.dana;
        let store = &mut desk.store;
        let checks: Vec<(Rule, Result<(), StoreError>)> = vec![
            (
                SUBJECT,
                store
                    .create_ticket(
                        dana,
                        &NewTicket {
                            subject: megabyte.clone(),
                            ..Default::default()
                        },
                    )
                    .map(drop),
            ),
            (SUBJECT, store.set_subject(dana, n, was.version, &megabyte)),
            (NAME, store.add_agent(&megabyte, "").map(drop)),
            (EMAIL, store.add_agent("Sam", &megabyte).map(drop)),
            (TAG, store.add_tag(dana, n, &megabyte).map(drop)),
            (
                COMPANY,
                store
                    .add_customer(&NewCustomer {
                        name: "C".into(),
                        email: String::new(),
                        company: megabyte.clone(),
                    })
                    .map(drop),
            ),
        ];
        for (rule, result) in &checks {
            let err = result.as_ref().expect_err(rule.field);
            rule.check_refusal(err, Refusal::TooLong).unwrap();
        }
        // Bodies take 100,000 characters: a megabyte is refused...
        let body = "Lorem ipsum dolor sit amet, consectetur. ".repeat(25_000);
        assert_eq!(body.chars().count(), 1_025_000);
        for (rule, result) in [
            (
                DESCRIPTION,
                desk.store.set_description(dana, n, was.version, &body),
            ),
            (NOTE, desk.store.add_note(dana, n, &body).map(drop)),
            (
                MESSAGE,
                desk.store
                    .add_message(dana, n, Direction::Inbound, &body)
                    .map(drop),
            ),
        ] {
            rule.check_refusal(&result.unwrap_err(), Refusal::TooLong)
                .unwrap();
        }
        assert_eq!(footprint(&desk), before);
        assert_eq!(desk.load(n), was);
        // Searches take 1,000 characters: a megabyte pasted into the search box
        // is refused at once (it took the search index minutes), naming the limit.
        let search_rule = Rule {
            field: "Search",
            max: 1_000,
            ..DESCRIPTION
        };
        for text in [body.clone(), "\0".repeat(1 << 20), "x".repeat(1_001)] {
            let filter = TicketFilter {
                text,
                ..TicketFilter::default()
            };
            let err = desk.store.count_tickets(&filter).unwrap_err();
            search_rule.check_refusal(&err, Refusal::TooLong).unwrap();
            let request = ListRequest {
                filter,
                limit: 10,
                ..ListRequest::default()
            };
            let err = desk.store.list_tickets(&request).unwrap_err();
            search_rule.check_refusal(&err, Refusal::TooLong).unwrap();
        }
        // The customer picker searches by the first 1,000 characters of a megabyte.
        let ana = desk
            .store
            .add_customer(&NewCustomer {
                name: "Ana Lorem".to_owned(),
                email: "a@b.example".to_owned(),
                ..NewCustomer::default()
            })
            .unwrap();
        for text in [body.clone(), "a@b ".repeat(300_000), "\0".repeat(1 << 20)] {
            let found = desk.store.find_customers(&text, 10);
            assert!(found.is_ok(), "{:?}", found.map(|_| ()));
        }
        let found = desk
            .store
            .find_customers(&"lor a@b ".repeat(200_000), 10)
            .unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [ana]);
        // At the limit, a thousand characters of words answer.
        let words: String = (0..200).map(|i| format!("w{i:03} ")).collect();
        assert_eq!(words.chars().count(), 1_000);
        assert_eq!(search(&desk.store, &words).unwrap(), []);
        assert_eq!(
            search(&desk.store, &format!("  big{}  ", " ".repeat(995))).unwrap(),
            [n]
        );
        assert_intact(desk);
    }
}

on_both_engines_with! {
    fn a_body_at_its_limit_is_kept_whole(engine: Engine) {
        let mut desk = Desk::on(engine).expect("a desk on this engine");
        let n = desk.ticket("Long story");
        let dana = desk.dana;
        // 100,000 characters of two, three and four bytes, with line breaks.
        let body: String = "é漢👍\n".chars().cycle().take(100_000).collect();
        let body = format!("x{}", &body[..body.len() - 1]);
        assert_eq!(body.chars().count(), 100_000);
        desk.store.set_description(dana, n, 1, &body).unwrap();
        desk.store.add_note(dana, n, &body).unwrap();
        desk.store
            .add_message(dana, n, Direction::Outbound, &body)
            .unwrap();
        let d = desk.load(n);
        assert_eq!(d.description, body);
        assert_eq!(d.notes[0].body, body);
        assert_eq!(d.messages[0].body, body);
        // One character more is refused, naming the limit.
        let over = format!("{body}y");
        let err = desk.store.add_note(dana, n, &over).unwrap_err();
        NOTE.check_refusal(&err, Refusal::TooLong).unwrap();
        assert!(
            err.to_string().contains("100000") || err.to_string().contains("100,000"),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

/// A command-line argument: a flag, a hostile text, or bytes that are not UTF-8.
fn argument() -> impl Strategy<Value = OsString> {
    let flags = vec![
        "--db",
        "list",
        "seed",
        "report",
        "export",
        "--search",
        "--status",
        "--priority",
        "--from",
        "--to",
        "--tag",
        "--customer-tag",
        "--unassigned",
        "--sort",
        "--ascending",
        "--limit",
        "--period",
        "--out",
        "--xlsx",
        "--include-notes",
        "--tickets",
        "--seed",
        "--help",
        "--version",
        "-h",
        "-V",
        "--",
        "-",
        "--search=",
        "--limit=-1",
        "--limit=99999999999999999999",
    ];
    prop_oneof![
        3 => select(flags).prop_map(OsString::from),
        3 => hostile().prop_map(OsString::from),
        1 => vec(any::<u8>(), 0..12).prop_map(os_from_bytes),
    ]
}

#[cfg(unix)]
fn os_from_bytes(bytes: Vec<u8>) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(bytes)
}

#[cfg(not(unix))]
fn os_from_bytes(bytes: Vec<u8>) -> OsString {
    OsString::from(String::from_utf8_lossy(&bytes).into_owned())
}

#[test]
fn any_arguments_parse_or_are_refused_without_a_panic() {
    let mut runner = TestRunner::new(Config {
        cases: cases() * 4,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&vec(argument(), 0..8), |args| {
            let argv = std::iter::once(OsString::from("tickets")).chain(args);
            if let Err(e) = Cli::try_parse_from(argv) {
                prop_assert!(!e.to_string().is_empty());
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn list_with_any_search_tag_or_sort_answers_or_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    {
        let mut desk_store = Store::open(&db, fixed_clock()).unwrap();
        let dana = desk_store.add_agent("Dana", "").unwrap();
        let n = desk_store
            .create_ticket(
                dana,
                &NewTicket {
                    subject: "Refund please".into(),
                    ..NewTicket::default()
                },
            )
            .unwrap();
        desk_store.add_tag(dana, n, "vip").unwrap();
    }
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(hostile(), hostile(), hostile()), |(search, tag, sort)| {
            let argv: Vec<OsString> = vec![
                "tickets".into(),
                "--db".into(),
                db.clone().into(),
                "list".into(),
                "--search".into(),
                search.into(),
                "--tag".into(),
                tag.into(),
                "--sort".into(),
                sort.into(),
                "--limit".into(),
                "5".into(),
            ];
            // Text starting with "-" is taken for a flag: refused, with a message.
            match Cli::try_parse_from(argv) {
                Ok(cli) => {
                    if let Err(message) = tickets::cli::run_with(cli, fixed_clock()) {
                        prop_assert!(!message.is_empty());
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
            Ok(())
        })
        .unwrap();
    assert_file_intact(&db);
}
