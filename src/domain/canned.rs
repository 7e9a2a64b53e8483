//! Canned replies: the team's standard answers, kept in one library every
//! desk shares, inserted into a reply or a note with their placeholders
//! filled in.
//!
//! A body may hold placeholders: `{{customer.name}}`,
//! `{{customer.first_name}}`, `{{agent.name}}`, `{{ticket.number}}` and
//! `{{ticket.subject}}`. [`fill`] replaces each it can in one pass over the
//! body, so text a value brings in (a customer called `{{agent.name}}`) is
//! never read again as a placeholder. One it cannot fill (an unknown name, a
//! ticket without a customer) stays in the text as written and is listed
//! in [`Filled::unfilled`], so the window can point at it: nothing is ever
//! silently left blank.

use std::ops::Range;

use super::{Status, TicketNumber, validate};

/// The placeholders a body may hold, as written between `{{` and `}}`.
pub const PLACEHOLDERS: [&str; 5] = [
    "customer.name",
    "customer.first_name",
    "agent.name",
    "ticket.number",
    "ticket.subject",
];

/// A canned reply as the library keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CannedReply {
    /// Its id in the library (0 for one not kept yet); never given to another.
    pub id: i64,
    /// Its title: what the picker lists and searches first.
    pub title: String,
    /// The text inserted, placeholders and all.
    pub body: String,
    /// Tags it adds to the ticket it is used on.
    pub tags: Vec<String>,
    /// The status it moves the ticket to, if any.
    pub status: Option<Status>,
}

/// What a canned reply was used in: the text sent with it, as typed (its
/// placeholders filled where they could be).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// A reply to the customer.
    Reply(String),
    /// An internal note.
    Note(String),
}

impl Written {
    /// The text.
    pub fn text(&self) -> &str {
        match self {
            Written::Reply(text) | Written::Note(text) => text,
        }
    }

    /// Whether it is a note.
    pub fn is_note(&self) -> bool {
        matches!(self, Written::Note(_))
    }

    /// The text checked as a reply's or a note's is, as every engine keeps it.
    pub fn checked(&self) -> Result<String, validate::ValidationError> {
        match self {
            Written::Reply(text) => validate::message(text),
            Written::Note(text) => validate::note(text),
        }
    }
}

/// A canned reply checked and tidied before it is kept, with the key its
/// title is unique by (lower-cased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedCanned {
    /// The title, one line.
    pub title: String,
    /// The title lower-cased: no two replies share it.
    pub title_key: String,
    /// The body, trimmed.
    pub body: String,
    /// Each tag checked as a ticket's tag is, without repeats (ignoring case).
    pub tags: Vec<String>,
    /// The status to apply.
    pub status: Option<Status>,
}

impl CheckedCanned {
    /// The tags as the library keeps them: one a line (a tag is one line).
    pub fn tags_text(&self) -> String {
        self.tags.join("\n")
    }
}

/// The tags kept as [`CheckedCanned::tags_text`] wrote them.
pub fn tags_from_text(text: &str) -> Vec<String> {
    text.split('\n')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks `reply` as every engine does before keeping it: a title (one
/// line, 1 to 100 characters), a body (required, at most 100,000
/// characters), tags as a ticket's tags are checked.
pub fn checked(reply: &CannedReply) -> Result<CheckedCanned, validate::ValidationError> {
    let title = validate::canned_title(&reply.title)?;
    let body = validate::canned_body(&reply.body)?;
    let mut tags: Vec<String> = Vec::new();
    for tag in &reply.tags {
        let tag = validate::tag(tag)?;
        if !tags
            .iter()
            .any(|t| super::sort_key(t) == super::sort_key(&tag))
        {
            tags.push(tag);
        }
    }
    Ok(CheckedCanned {
        title_key: super::sort_key(&title),
        title,
        body,
        tags,
        status: reply.status,
    })
}

/// What a placeholder is filled with: the ticket the reply is inserted
/// into and the agent writing. `None` where there is nothing to fill with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The ticket's customer's name.
    pub customer_name: Option<String>,
    /// The agent writing.
    pub agent_name: Option<String>,
    /// The ticket.
    pub ticket: Option<TicketNumber>,
    /// The ticket's subject.
    pub subject: Option<String>,
}

impl Context {
    /// What `agent` writing on `ticket` fills placeholders with.
    pub fn of(ticket: &super::TicketDetail, agent: Option<&str>) -> Context {
        Context {
            customer_name: ticket.customer.as_ref().map(|c| c.name.clone()),
            agent_name: agent.map(str::to_owned),
            ticket: Some(ticket.number),
            subject: Some(ticket.subject.clone()),
        }
    }

    /// The value of placeholder `name`; `None` for an unknown name or a
    /// value there is not (an empty one counts as none).
    pub fn value(&self, name: &str) -> Option<String> {
        let value = match name {
            "customer.name" => self.customer_name.clone(),
            "customer.first_name" => self
                .customer_name
                .as_deref()
                .and_then(|n| n.split_whitespace().next())
                .map(str::to_owned),
            "agent.name" => self.agent_name.clone(),
            "ticket.number" => self.ticket.map(|t| t.to_string()),
            "ticket.subject" => self.subject.clone(),
            _ => None,
        };
        value.filter(|v| !v.trim().is_empty())
    }
}

/// A body with its placeholders filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filled {
    /// The text to insert.
    pub text: String,
    /// The placeholders left as written, in order, once each (`{{…}}` and all).
    pub unfilled: Vec<String>,
}

/// One placeholder found in a text: where it is (bytes, braces included)
/// and the name between the braces, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Where, braces included.
    pub range: Range<usize>,
    /// The name, without braces or surrounding spaces.
    pub name: String,
    /// Whether the name is one of [`PLACEHOLDERS`].
    pub known: bool,
}

/// Every `{{name}}` in `text`, in order: a `{{` then a name holding no
/// line break and no brace, then `}}` (so `{{{x}}}` is `{` then `{{x}}`
/// then `}`). An unclosed `{{` is plain text. One pass: each character is
/// read at most twice, so a body of 100,000 braces costs no more than any
/// other (the window checks what is typed every frame).
pub fn placeholders(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at + 1 < bytes.len() {
        if bytes[at] != b'{' || bytes[at + 1] != b'{' {
            at += 1;
            continue;
        }
        let start = at + 2;
        let stop = bytes[start..]
            .iter()
            .position(|b| matches!(b, b'{' | b'}' | b'\n' | b'\r'))
            .map_or(bytes.len(), |i| start + i);
        if bytes[stop..].starts_with(b"}}") {
            let name = text[start..stop].trim().to_owned();
            found.push(Found {
                range: at..stop + 2,
                known: PLACEHOLDERS.contains(&name.as_str()),
                name,
            });
            at = stop + 2;
        } else {
            // Not closed here: a `{{` may start at the next character.
            at += 1;
        }
    }
    found
}

/// `body` with each placeholder `context` can fill replaced by its value,
/// in one pass: a value is never scanned again. Those it cannot fill stay
/// as written and are listed.
pub fn fill(body: &str, context: &Context) -> Filled {
    let mut text = String::with_capacity(body.len());
    let mut unfilled: Vec<String> = Vec::new();
    let mut last = 0;
    for found in placeholders(body) {
        text.push_str(&body[last..found.range.start]);
        let written = &body[found.range.clone()];
        match context.value(&found.name) {
            Some(value) => text.push_str(&value),
            None => {
                text.push_str(written);
                if !unfilled.iter().any(|u| u == written) {
                    unfilled.push(written.to_owned());
                }
            }
        }
        last = found.range.end;
    }
    text.push_str(&body[last..]);
    Filled { text, unfilled }
}

/// Whether `reply` matches what was typed: every word of `query` is in its
/// title or its body, ignoring case. An empty query matches every reply.
pub fn matches(reply: &CannedReply, query: &str) -> bool {
    let title = reply.title.to_lowercase();
    let body = reply.body.to_lowercase();
    query
        .split_whitespace()
        .map(str::to_lowercase)
        .all(|word| title.contains(&word) || body.contains(&word))
}

/// The replies matching `query`, those whose title matches first, each
/// group in the library's order.
pub fn search<'a>(library: &'a [CannedReply], query: &str) -> Vec<&'a CannedReply> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let in_title = |r: &CannedReply| {
        let title = r.title.to_lowercase();
        words.iter().all(|w| title.contains(w))
    };
    let mut hits: Vec<&CannedReply> = library.iter().filter(|r| matches(r, query)).collect();
    hits.sort_by_key(|r| !in_title(r));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dana_at(customer: Option<&str>) -> Context {
        Context {
            customer_name: customer.map(str::to_owned),
            agent_name: Some("Dana Kim".to_owned()),
            ticket: Some(TicketNumber(42)),
            subject: Some("Printer on fire".to_owned()),
        }
    }

    #[test]
    fn every_placeholder_is_filled_from_the_ticket_and_the_agent() {
        let filled = fill(
            "Hi {{customer.first_name}} ({{ customer.name }}), about {{ticket.number}} “{{ticket.subject}}”. {{agent.name}}",
            &dana_at(Some("Ana María López")),
        );
        assert_eq!(
            filled.text,
            "Hi Ana (Ana María López), about TKT-000042 “Printer on fire”. Dana Kim"
        );
        assert!(filled.unfilled.is_empty());
    }

    #[test]
    fn a_value_there_is_not_leaves_the_placeholder_visible_and_listed() {
        let filled = fill(
            "Hi {{customer.first_name}}, {{customer.name}}, {{customer.name}}",
            &dana_at(None),
        );
        assert_eq!(
            filled.text,
            "Hi {{customer.first_name}}, {{customer.name}}, {{customer.name}}"
        );
        assert_eq!(
            filled.unfilled,
            ["{{customer.first_name}}", "{{customer.name}}"]
        );
        // A blank name is no name.
        let filled = fill("Hi {{customer.name}}", &dana_at(Some("  ")));
        assert_eq!(filled.text, "Hi {{customer.name}}");
        assert_eq!(filled.unfilled, ["{{customer.name}}"]);
    }

    #[test]
    fn hostile_text_is_left_as_written() {
        let context = dana_at(Some("Sam"));
        for (body, text, unfilled) in [
            (
                "{{customer.nam}}",
                "{{customer.nam}}",
                vec!["{{customer.nam}}"],
            ),
            ("{{}}", "{{}}", vec!["{{}}"]),
            ("{{ customer.name", "{{ customer.name", vec![]),
            ("a {{ b {{agent.name}}", "a {{ b Dana Kim", vec![]),
            ("{{{agent.name}}}", "{Dana Kim}", vec![]),
            ("{agent.name} }}{{", "{agent.name} }}{{", vec![]),
            ("{{agent\n.name}}", "{{agent\n.name}}", vec![]),
            ("}}{{agent.name}}{{", "}}Dana Kim{{", vec![]),
        ] {
            let filled = fill(body, &context);
            assert_eq!(filled.text, text, "{body:?}");
            assert_eq!(filled.unfilled, unfilled, "{body:?}");
        }
    }

    #[test]
    fn a_value_holding_a_placeholder_is_not_expanded_again() {
        let filled = fill(
            "Dear {{customer.name}}, {{agent.name}}",
            &dana_at(Some("{{agent.name}} {{ticket.number}}")),
        );
        assert_eq!(
            filled.text,
            "Dear {{agent.name}} {{ticket.number}}, Dana Kim"
        );
        assert!(filled.unfilled.is_empty());
    }

    #[test]
    fn right_to_left_emoji_and_very_long_text_keep_every_character() {
        let name = "مريم 👩🏽‍💻";
        let filled = fill(
            "שלום {{customer.first_name}} 🎉 {{customer.name}}",
            &dana_at(Some(name)),
        );
        assert_eq!(filled.text, format!("שלום مريم 🎉 {name}"));
        let long = "{{agent.name}} 🙂 ".repeat(20_000);
        let filled = fill(&long, &dana_at(None));
        assert_eq!(filled.text, "Dana Kim 🙂 ".repeat(20_000));
        let unclosed = "{{".repeat(50_000);
        assert_eq!(fill(&unclosed, &dana_at(None)).text, unclosed);
    }

    #[test]
    fn placeholders_are_found_with_their_places_and_known_or_not() {
        let text = "é{{agent.name}} {{nope}}";
        let found = placeholders(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].range.clone()], "{{agent.name}}");
        assert!(found[0].known);
        assert_eq!(found[1].name, "nope");
        assert!(!found[1].known);
    }

    #[test]
    fn a_title_is_required_and_tags_are_checked_without_repeats() {
        let mut reply = CannedReply {
            title: "  Refund\nsent ".to_owned(),
            body: " Done. ".to_owned(),
            tags: vec!["billing".to_owned(), "Billing".to_owned()],
            ..CannedReply::default()
        };
        let c = checked(&reply).unwrap();
        assert_eq!(
            (c.title.as_str(), c.title_key.as_str()),
            ("Refund sent", "refund sent")
        );
        assert_eq!(c.body, "Done.");
        assert_eq!(c.tags, ["billing"]);
        assert_eq!(tags_from_text(&c.tags_text()), c.tags);
        reply.title = " ".to_owned();
        assert_eq!(
            checked(&reply).unwrap_err().to_string(),
            "Title: is required"
        );
        reply.title = "T".to_owned();
        reply.body = String::new();
        assert_eq!(checked(&reply).unwrap_err().field, "Body");
        reply.body = "x".to_owned();
        reply.tags = vec![String::new()];
        assert_eq!(checked(&reply).unwrap_err().field, "Tag");
    }

    #[test]
    fn search_finds_every_word_in_the_title_or_body_titles_first() {
        let library = [
            CannedReply {
                id: 1,
                title: "Shipping delay".to_owned(),
                body: "Your refund is on its way".to_owned(),
                ..CannedReply::default()
            },
            CannedReply {
                id: 2,
                title: "Refund sent".to_owned(),
                body: "We sent it".to_owned(),
                ..CannedReply::default()
            },
        ];
        let ids = |q: &str| search(&library, q).iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids("refund"), [2, 1]);
        assert_eq!(ids("REFUND way"), [1]);
        assert_eq!(ids(""), [1, 2]);
        assert!(ids("nothing").is_empty());
    }
}
