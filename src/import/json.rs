//! JSON sources (Zendesk's tickets, Help Scout's conversations) read one
//! record at a time, whatever their shape: one object a line (JSON lines),
//! a top-level array, or an API page that wraps the array
//! (`{"tickets": […]}`, `{"_embedded": {"conversations": […]}}`). A serde
//! visitor walks the wrapping and hands each element on as it is parsed,
//! so only one record is ever in memory.
//!
//! Zendesk tickets: `id`, `subject`, `description`, `status`, `priority`,
//! `tags`, `created_at`, `updated_at`; the requester as a `requester`
//! object, `via.source.from` (email channel), or only `requester_id` (then
//! named "Zendesk user N"); the same for the assignee; `comments` (the
//! first is the description) where the export has them, `metric_set`'s
//! `solved_at` and `reply_time_in_minutes`, and `audits`' status changes.
//!
//! Help Scout conversations (Mailbox API 2.0, with 1.0's names accepted):
//! `number` (or `id`), `subject`, `status`, `primaryCustomer` (or
//! `customer`), `assignee` (or `owner`), `tags` (strings or `{tag}`),
//! `createdAt`, `userUpdatedAt`/`modifiedAt`, `closedAt`, and threads
//! (`_embedded.threads`, or `threads`) of type customer (a message in),
//! reply / message (out) and note (internal); the first customer thread is
//! the description. Thread bodies are HTML.

use std::fmt;
use std::io::Read;
use std::ops::ControlFlow;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::format::Format;
use super::mapping::{Field, Mapping};
use super::values;
use super::{Draft, ImportError, Row, RowProblem};
use crate::domain::{ImportedComment, ImportedPerson, ImportedStatusChange};

/// The marker a visitor's error carries when the callback asked to stop.
const STOPPED: &str = "tickets-import-stopped";

/// Reads every record of `text` as a `format` ticket, calling `each` with
/// each ticket or problem until it answers Break.
pub fn read(
    text: impl Read,
    format: Format,
    mapping: &Mapping,
    zone: Tz,
    each: &mut dyn FnMut(Row) -> ControlFlow<()>,
) -> Result<(), ImportError> {
    let mut record = 0u64;
    let mut on_record = |value: Value| {
        record += 1;
        let row = match format {
            Format::HelpScoutJson => help_scout(&value, mapping, zone),
            _ => zendesk(&value, mapping, zone),
        };
        each(
            row.map_err(|why| RowProblem { line: record, why })
                .map(|mut t| {
                    t.line = record;
                    t
                }),
        )
    };
    let mut de = serde_json::Deserializer::from_reader(text);
    let mut stopped = false;
    loop {
        if de.end().is_ok() {
            return Ok(());
        }
        let seed = Top {
            sink: &mut on_record,
            stopped: &mut stopped,
        };
        if let Err(e) = seed.deserialize(&mut de) {
            if stopped {
                return Ok(());
            }
            return Err(json_error(e, record + 1));
        }
        if stopped {
            return Ok(());
        }
    }
}

fn json_error(e: serde_json::Error, record: u64) -> ImportError {
    if e.is_io() {
        return ImportError::Read(std::io::Error::other(e.to_string()));
    }
    let why = e.to_string();
    // serde_json ends its message with " at line L column C"; those are given apart.
    let why = why.split(" at line ").next().unwrap_or_default().to_owned();
    ImportError::Json {
        record,
        line: e.line(),
        column: e.column(),
        why,
    }
}

type Sink<'a> = &'a mut dyn FnMut(Value) -> ControlFlow<()>;

/// A top-level value (or a page's list): an array of records, a wrapping
/// object, or a record.
struct Top<'a, 'b> {
    sink: Sink<'a>,
    stopped: &'b mut bool,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        stream(seq, self.sink, self.stopped)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut record = Map::new();
        let mut wrapped = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "_embedded" {
                let embedded = map.next_value_seed(Embedded {
                    sink: &mut *self.sink,
                    stopped: &mut *self.stopped,
                })?;
                match embedded {
                    None => wrapped = true,
                    Some(inner) => {
                        record.insert(key, Value::Object(inner));
                    }
                }
            } else if is_list_key(&key) {
                map.next_value_seed(Top {
                    sink: &mut *self.sink,
                    stopped: &mut *self.stopped,
                })?;
                wrapped = true;
            } else if wrapped {
                // A page's other keys ("page", "_links", "next_page"…).
                map.next_value::<IgnoredAny>()?;
            } else {
                record.insert(key, map.next_value::<Value>()?);
            }
        }
        if !wrapped && (self.sink)(Value::Object(record)).is_break() {
            *self.stopped = true;
            return Err(de::Error::custom(STOPPED));
        }
        Ok(())
    }
}

/// The keys that hold a page's list of records.
fn is_list_key(key: &str) -> bool {
    matches!(key, "tickets" | "conversations")
}

/// Hands each element of `seq` to `sink`.
fn stream<'de, A: SeqAccess<'de>>(
    mut seq: A,
    sink: Sink<'_>,
    stopped: &mut bool,
) -> Result<(), A::Error> {
    while let Some(value) = seq.next_element::<Value>()? {
        if sink(value).is_break() {
            *stopped = true;
            return Err(de::Error::custom(STOPPED));
        }
    }
    Ok(())
}

/// `_embedded`: a page's list of conversations (streamed; None), or a
/// conversation's own embedded threads (kept; Some).
struct Embedded<'a, 'b> {
    sink: Sink<'a>,
    stopped: &'b mut bool,
}

impl<'de> DeserializeSeed<'de> for Embedded<'_, '_> {
    type Value = Option<Map<String, Value>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Embedded<'_, '_> {
    type Value = Option<Map<String, Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kept = Map::new();
        let mut wrapped = false;
        while let Some(key) = map.next_key::<String>()? {
            if is_list_key(&key) {
                map.next_value_seed(Top {
                    sink: &mut *self.sink,
                    stopped: &mut *self.stopped,
                })?;
                wrapped = true;
            } else {
                kept.insert(key, map.next_value::<Value>()?);
            }
        }
        Ok(if wrapped { None } else { Some(kept) })
    }
}

/// A value as text: strings as they are, numbers written out, else empty.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The first of `keys` that `obj` has as non-empty text.
fn first_text(obj: &Value, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| text(obj.get(k)))
        .find(|t| !t.trim().is_empty())
        .unwrap_or_default()
}

/// A person object: `name`, or `first`/`last` (`firstName`/`lastName`),
/// and `email` (Help Scout 1.0 customers may have `emails: [..]`).
fn person_of(v: Option<&Value>, role: &str) -> Result<Option<ImportedPerson>, String> {
    let Some(obj) = v.filter(|v| v.is_object()) else {
        return Ok(None);
    };
    let mut name = first_text(obj, &["name"]);
    if name.is_empty() {
        let first = first_text(obj, &["first", "firstName"]);
        let last = first_text(obj, &["last", "lastName"]);
        name = format!("{first} {last}").trim().to_owned();
    }
    let mut email = first_text(obj, &["email", "address"]);
    if email.is_empty() {
        email = obj
            .get("emails")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .map_or_else(String::new, |e| {
                if e.is_object() {
                    text(e.get("value"))
                } else {
                    text(Some(e))
                }
            });
    }
    super::person(&email, &name, role)
}

/// A Zendesk user the export names only by id.
fn zendesk_user(id: &str) -> ImportedPerson {
    ImportedPerson {
        email: String::new(),
        name: format!("Zendesk user {id}"),
    }
}

/// A required time of a record, read like a CSV's.
fn time_of(
    v: Option<&Value>,
    what: &str,
    mapping: &Mapping,
    zone: Tz,
) -> Result<Option<DateTime<Utc>>, String> {
    values::optional_time(&text(v), what, mapping.date_order, zone)
}

/// The time of a conversation's `n`th message (`kind`: "Comment",
/// "Thread"), which every message must have.
fn message_time(
    v: Option<&Value>,
    kind: &str,
    n: usize,
    mapping: &Mapping,
    zone: Tz,
) -> Result<DateTime<Utc>, String> {
    time_of(v, &format!("{kind} {n}'s time"), mapping, zone)?
        .ok_or_else(|| format!("{kind} {n}: has no time"))
}

fn require_object(v: &Value) -> Result<(), String> {
    if v.is_object() {
        Ok(())
    } else {
        Err("is not a JSON object".to_owned())
    }
}

/// A Zendesk ticket object.
fn zendesk(
    v: &Value,
    mapping: &Mapping,
    zone: Tz,
) -> Result<crate::domain::ImportedTicket, String> {
    require_object(v)?;
    let mut draft = Draft::default();
    draft.set(Field::ExternalId, &text(v.get("id")));
    draft.set(Field::Subject, &first_text(v, &["subject", "raw_subject"]));
    draft.set(Field::Status, &text(v.get("status")));
    draft.set(Field::Priority, &text(v.get("priority")));
    draft.set(Field::CreatedAt, &text(v.get("created_at")));
    draft.set(Field::UpdatedAt, &text(v.get("updated_at")));
    if let Some(tags) = v.get("tags").and_then(Value::as_array) {
        draft.tag_list = Some(tags.iter().map(|t| text(Some(t))).collect());
    }
    let requester_id = text(v.get("requester_id"));
    let from = v
        .get("via")
        .and_then(|via| via.get("source"))
        .and_then(|s| s.get("from"));
    draft.customer = match person_of(v.get("requester"), "Requester email")? {
        Some(p) => Some(p),
        None => match person_of(from, "Requester email")? {
            Some(p) => Some(p),
            None => (!requester_id.is_empty()).then(|| zendesk_user(&requester_id)),
        },
    };
    let assignee_id = text(v.get("assignee_id"));
    draft.assignee = match person_of(v.get("assignee"), "Assignee email")? {
        Some(p) => Some(p),
        None => (!assignee_id.is_empty()).then(|| zendesk_user(&assignee_id)),
    };
    let organization = v
        .get("organization")
        .map_or_else(String::new, |o| first_text(o, &["name"]));
    draft.set(Field::Company, &organization);
    draft.set(Field::Company, &text(v.get("organization_name")));
    let created = time_of(v.get("created_at"), "Created at", mapping, zone)?;
    if let Some(metrics) = v.get("metric_set").filter(|m| m.is_object()) {
        draft.set(Field::SolvedAt, &text(metrics.get("solved_at")));
        let minutes = metrics
            .get("reply_time_in_minutes")
            .and_then(|r| r.get("calendar"))
            .and_then(Value::as_i64);
        let minutes = minutes.filter(|m| (0..=10_000_000).contains(m));
        // A time near the calendar's end plus minutes overflows: then none.
        let replied = created
            .zip(minutes)
            .and_then(|(c, m)| c.checked_add_signed(Duration::minutes(m)));
        draft.first_reply = replied;
    }
    let mut description = text(v.get("description"));
    if let Some(comments) = v.get("comments").and_then(Value::as_array) {
        for (i, c) in comments.iter().enumerate() {
            let body = first_text(c, &["plain_body", "body"]);
            let body = if body.is_empty() {
                values::html_to_text(&text(c.get("html_body")))
            } else {
                body
            };
            let body = values::body(&body);
            if i == 0 {
                // Zendesk's first comment is the ticket's description.
                if description.trim().is_empty() {
                    description = body;
                }
                continue;
            }
            if body.is_empty() {
                continue;
            }
            let at = message_time(c.get("created_at"), "Comment", i + 1, mapping, zone)?;
            let author_id = text(c.get("author_id"));
            let author = match person_of(c.get("author"), "Comment author's email")? {
                Some(p) => Some(p),
                None => (!author_id.is_empty()).then(|| zendesk_user(&author_id)),
            };
            draft.comments.push(ImportedComment {
                from_customer: !author_id.is_empty() && author_id == requester_id,
                public: c.get("public").and_then(Value::as_bool).unwrap_or(true),
                author,
                body,
                at,
            });
        }
    }
    draft.set(Field::Description, &description);
    if let Some(audits) = v.get("audits").and_then(Value::as_array) {
        for audit in audits {
            let author_id = text(audit.get("author_id"));
            for event in audit
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if text(event.get("type")) != "Change" || text(event.get("field_name")) != "status"
                {
                    continue;
                }
                let Some(at) = time_of(
                    audit.get("created_at"),
                    "Status change's time",
                    mapping,
                    zone,
                )?
                else {
                    continue;
                };
                let to = mapping
                    .status(&text(event.get("value")))
                    .map_err(|e| format!("Status change: {e}"))?;
                let previous = text(event.get("previous_value"));
                let from = if previous.is_empty() {
                    None
                } else {
                    mapping.status(&previous).ok()
                };
                let by =
                    (!author_id.is_empty() && author_id != "-1").then(|| zendesk_user(&author_id));
                draft
                    .status_changes
                    .push(ImportedStatusChange { at, by, from, to });
            }
        }
    }
    draft.finish(0, mapping, zone)
}

/// A Help Scout conversation object.
fn help_scout(
    v: &Value,
    mapping: &Mapping,
    zone: Tz,
) -> Result<crate::domain::ImportedTicket, String> {
    require_object(v)?;
    let mut draft = Draft::default();
    draft.set(Field::ExternalId, &first_text(v, &["number", "id"]));
    draft.set(Field::Subject, &text(v.get("subject")));
    draft.set(Field::Status, &text(v.get("status")));
    draft.set(Field::CreatedAt, &text(v.get("createdAt")));
    draft.set(
        Field::UpdatedAt,
        &first_text(v, &["userUpdatedAt", "modifiedAt", "updatedAt"]),
    );
    draft.set(Field::ClosedAt, &text(v.get("closedAt")));
    if let Some(tags) = v.get("tags").and_then(Value::as_array) {
        let names: Vec<String> = tags
            .iter()
            .map(|t| {
                if t.is_object() {
                    first_text(t, &["tag", "name"])
                } else {
                    text(Some(t))
                }
            })
            .collect();
        draft.tag_list = Some(names);
    }
    draft.customer = match person_of(v.get("primaryCustomer"), "Customer email")? {
        Some(p) => Some(p),
        None => person_of(v.get("customer"), "Customer email")?,
    };
    draft.assignee = match person_of(v.get("assignee"), "Assignee email")? {
        Some(p) => Some(p),
        None => person_of(v.get("owner"), "Assignee email")?,
    };
    let threads = v
        .get("_embedded")
        .and_then(|e| e.get("threads"))
        .or_else(|| v.get("threads"))
        .and_then(Value::as_array);
    let mut messages = Vec::new();
    for (i, t) in threads.into_iter().flatten().enumerate() {
        let kind = text(t.get("type"));
        let (from_customer, public) = match kind.as_str() {
            "customer" => (true, true),
            "reply" | "message" => (false, true),
            "note" => (false, false),
            // Line items (moves, assignments), chats' events, drafts…: not comments.
            _ => continue,
        };
        if text(t.get("state")) == "draft" {
            continue;
        }
        let body = values::body(&values::html_to_text(&text(t.get("body"))));
        if body.is_empty() {
            continue;
        }
        let at = message_time(t.get("createdAt"), "Thread", i + 1, mapping, zone)?;
        let author = person_of(t.get("createdBy"), "Thread author's email")?;
        messages.push(ImportedComment {
            author,
            from_customer,
            public,
            body,
            at,
        });
    }
    // The API lists threads newest first; the description is the first customer message.
    messages.sort_by_key(|m| m.at);
    if let Some(first) = messages.iter().position(|m| m.from_customer) {
        let first = messages.remove(first);
        draft.set(Field::Description, &first.body);
        if draft.customer.is_none() {
            draft.customer = first.author;
        }
    }
    draft.comments = messages;
    draft.finish(0, mapping, zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Priority, Status};

    fn rows(text: &str, format: Format) -> Result<Vec<Row>, ImportError> {
        let mut out = Vec::new();
        read(
            text.as_bytes(),
            format,
            &Mapping::built_in(format),
            Tz::UTC,
            &mut |row| {
                out.push(row);
                ControlFlow::Continue(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn zendesk_lines_arrays_and_pages_give_the_same_tickets() {
        let one = r#"{"id":1,"subject":"Printer","status":"hold","priority":"normal","requester":{"name":"Ana","email":"ANA@x.com"},"created_at":"2024-01-05T10:00:00Z","tags":["a","b"]}"#;
        let two = r#"{"id":2,"subject":"Login","status":"solved","priority":null,"requester_id":77,"created_at":"2024-01-06T10:00:00Z"}"#;
        let lines = rows(&format!("{one}\n{two}\n"), Format::ZendeskJson).unwrap();
        let array = rows(&format!("[{one},\n{two}]"), Format::ZendeskJson).unwrap();
        let page = rows(
            &format!("{{\"tickets\":[{one},{two}],\"next_page\":null,\"count\":2}}"),
            Format::ZendeskJson,
        )
        .unwrap();
        assert_eq!(lines, array);
        assert_eq!(lines, page);
        let a = lines[0].as_ref().unwrap();
        assert_eq!(
            (a.line, a.external_id.as_str(), a.status, a.priority),
            (1, "1", Status::Waiting, Priority::Medium)
        );
        assert_eq!(
            a.customer,
            ImportedPerson {
                email: "ana@x.com".into(),
                name: "Ana".into()
            }
        );
        assert_eq!(a.tags, vec!["a", "b"]);
        let b = lines[1].as_ref().unwrap();
        assert_eq!((b.line, b.status), (2, Status::Resolved));
        assert_eq!(b.customer.name, "Zendesk user 77");
    }

    #[test]
    fn a_broken_record_stops_the_reading_with_its_place() {
        let text = "{\"id\":1,\"subject\":\"a\",\"requester_id\":1,\"created_at\":\"2024-01-05\"}\n{\"id\":2,\"subject\":";
        let err = rows(text, Format::ZendeskJson).unwrap_err().to_string();
        assert!(err.starts_with("record 2 (line 2, column"), "{err}");
        let err = rows("[1, 2", Format::ZendeskJson).unwrap_err().to_string();
        assert!(err.contains("nothing after it can be read"), "{err}");
        let not_objects = rows("[1, \"x\"]", Format::ZendeskJson).unwrap();
        assert_eq!(
            not_objects[1],
            Err(RowProblem {
                line: 2,
                why: "is not a JSON object".into()
            })
        );
    }

    #[test]
    fn the_first_reply_is_worked_out_from_zendesks_reply_time() {
        let text = r#"{"id":1,"subject":"s","requester_id":1,"created_at":"9999-12-31T23:59:00Z","metric_set":{"reply_time_in_minutes":{"calendar":10000000}}}
{"id":2,"subject":"s","requester_id":1,"created_at":"2024-01-05T10:00:00Z","metric_set":{"reply_time_in_minutes":{"calendar":90}}}"#;
        let read = rows(text, Format::ZendeskJson).unwrap();
        // Late in the calendar and a long wait: still a time (year 10019).
        let far = read[0].as_ref().unwrap().first_reply_at.unwrap();
        assert_eq!(chrono::Datelike::year(&far), 10019);
        let late = read[1].as_ref().unwrap();
        assert_eq!(
            late.first_reply_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-01-05T11:30:00+00:00")
        );
    }

    #[test]
    fn stopping_early_reads_no_further() {
        let text = "[{\"id\":1}, {\"id\":2}, this is not json";
        let mut seen = 0;
        read(
            text.as_bytes(),
            Format::ZendeskJson,
            &Mapping::built_in(Format::ZendeskJson),
            Tz::UTC,
            &mut |_| {
                seen += 1;
                ControlFlow::Break(())
            },
        )
        .unwrap();
        assert_eq!(seen, 1);
    }
}
