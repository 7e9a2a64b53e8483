//! Checks and tidies everything a person types before it is stored.
//!
//! Limits (characters are Unicode scalar values, counted after trimming):
//! - subject: required, at most 200, one line;
//! - description, note, message: at most 100,000; notes and messages required;
//! - agent / customer name, company: at most 100, one line (names required);
//! - email: optional, at most 254, one `@` with text either side, no spaces;
//! - tag: required, at most 50, one line;
//! - saved view name: required, at most 60, one line (it fits the sidebar);
//! - canned reply title: required, at most 100, one line; its body as a note's;
//! - search: at most 1,000 (a longer one, pasted, kept the search index
//!   busy for minutes; any characters, taken literally).
//!
//! Line breaks are CR, LF and the other breaks Unicode names: vertical tab
//! (a word processor's manual line break), form feed, next line (U+0085),
//! line and paragraph separators (U+2028, U+2029). "One line" fields turn
//! tabs and line breaks into spaces; the others keep CR, LF and tabs and turn
//! the other breaks into LF. No field accepts other control characters (NUL
//! among them): the message says where the first one is.

use super::{MAX_BODY_CHARS, MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_SUBJECT_CHARS};

/// Longest tag accepted, in characters.
pub const MAX_TAG_CHARS: usize = 50;

/// Longest search accepted, in characters (after trimming).
pub const MAX_SEARCH_CHARS: usize = 1_000;

/// Longest saved view name accepted, in characters: it fits the sidebar.
pub const MAX_VIEW_NAME_CHARS: usize = 60;

/// Why a piece of input was refused, in words for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ValidationError {
    /// The field, as labelled on screen.
    pub field: &'static str,
    /// What is wrong and how to fix it.
    pub problem: String,
}

impl ValidationError {
    fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// Line breaks other than CR and LF (see the module's notes).
fn is_other_line_break(c: char) -> bool {
    matches!(c, '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn check_controls(
    field: &'static str,
    text: &str,
    allow_lines: bool,
) -> Result<(), ValidationError> {
    let bad = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !(allow_lines && matches!(c, '\n' | '\r' | '\t')));
    let Some((at, c)) = bad else {
        return Ok(());
    };
    // Where it is, by the visible text just before it on its line.
    let line = text[..at].rsplit(['\n', '\r']).next().unwrap_or_default();
    let before: Vec<char> = line.chars().rev().take(21).collect();
    let place = if !before.iter().all(|c| c.is_whitespace()) {
        let shown: String = before.iter().take(20).rev().collect();
        let cut = if before.len() > 20 { "…" } else { "" };
        format!(" after “{cut}{}”", shown.trim_start())
    } else if allow_lines {
        " at the start of a line".to_owned()
    } else {
        " at the start".to_owned()
    };
    Err(ValidationError::new(
        field,
        format!(
            "contains an invisible control character (U+{:04X}){place}; remove it",
            c as u32
        ),
    ))
}

fn check_length(field: &'static str, text: &str, max: usize) -> Result<(), ValidationError> {
    let n = text.chars().count();
    if n > max {
        return Err(ValidationError::new(
            field,
            format!("is {n} characters long; at most {max} fit"),
        ));
    }
    Ok(())
}

fn one_line(text: &str) -> String {
    text.replace(
        |c: char| matches!(c, '\r' | '\n' | '\t') || is_other_line_break(c),
        " ",
    )
    .trim()
    .to_owned()
}

fn line(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<String, ValidationError> {
    let text = one_line(text);
    check_controls(field, &text, false)?;
    if required && text.is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    check_length(field, &text, max)?;
    Ok(text)
}

fn body(field: &'static str, text: &str, required: bool) -> Result<String, ValidationError> {
    let text = text.replace(is_other_line_break, "\n");
    check_controls(field, &text, true)?;
    let trimmed = text.trim();
    if required && trimmed.is_empty() {
        return Err(ValidationError::new(field, "is empty"));
    }
    check_length(field, trimmed, MAX_BODY_CHARS)?;
    Ok(trimmed.to_owned())
}

/// A ticket subject: required, one line, at most 200 characters.
pub fn subject(text: &str) -> Result<String, ValidationError> {
    line("Subject", text, MAX_SUBJECT_CHARS, true)
}

/// A ticket description: optional, at most 100,000 characters.
pub fn description(text: &str) -> Result<String, ValidationError> {
    body("Description", text, false)
}

/// An internal note: required, at most 100,000 characters.
pub fn note(text: &str) -> Result<String, ValidationError> {
    body("Note", text, true)
}

/// A message to or from the customer: required, at most 100,000 characters.
pub fn message(text: &str) -> Result<String, ValidationError> {
    body("Message", text, true)
}

/// A person's name: required, one line, at most 100 characters.
pub fn name(text: &str) -> Result<String, ValidationError> {
    line("Name", text, MAX_NAME_CHARS, true)
}

/// A company: optional, one line, at most 100 characters.
pub fn company(text: &str) -> Result<String, ValidationError> {
    line("Company", text, MAX_NAME_CHARS, false)
}

/// An email address: optional; if given, `local@domain` without spaces.
pub fn email(text: &str) -> Result<String, ValidationError> {
    let text = line("Email", text, MAX_EMAIL_CHARS, false)?;
    if text.is_empty() {
        return Ok(text);
    }
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(ValidationError::new(
            "Email",
            format!("“{text}” is not an email address (expected name@example.com)"),
        ));
    }
    Ok(text)
}

/// A tag: required, one line, at most 50 characters.
pub fn tag(text: &str) -> Result<String, ValidationError> {
    line("Tag", text, MAX_TAG_CHARS, true)
}

/// A saved view's name: required, one line, at most 60 characters.
pub fn view_name(text: &str) -> Result<String, ValidationError> {
    line("Name", text, MAX_VIEW_NAME_CHARS, true)
}

/// Longest canned reply title accepted, in characters.
pub const MAX_CANNED_TITLE_CHARS: usize = 100;

/// A canned reply's title: required, one line, at most 100 characters.
pub fn canned_title(text: &str) -> Result<String, ValidationError> {
    line("Title", text, MAX_CANNED_TITLE_CHARS, true)
}

/// A canned reply's body: required, at most 100,000 characters.
pub fn canned_body(text: &str) -> Result<String, ValidationError> {
    body("Body", text, true)
}

/// Why a canned reply cannot be called `title`: another one is called
/// `holder`, which is the same title ignoring case.
pub fn canned_title_taken(title: &str, holder: &str) -> ValidationError {
    let case = if title == holder {
        ""
    } else {
        " (capitals do not count)"
    };
    ValidationError::new(
        "Title",
        format!(
            "the team already has a canned reply called “{holder}”{case}; choose another title, or change that reply instead"
        ),
    )
}

/// Why a view cannot be shared as `name`: another shared view is called
/// `holder`, which is the same name ignoring case.
pub fn view_name_taken(name: &str, holder: &str) -> ValidationError {
    let case = if name == holder {
        ""
    } else {
        " (capitals do not count)"
    };
    ValidationError::new(
        "Name",
        format!(
            "the team already has a shared view called “{holder}”{case}; choose another name, or change that view instead"
        ),
    )
}

/// What to search for: any text of at most 1,000 characters.
pub fn search(text: &str) -> Result<&str, ValidationError> {
    check_length("Search", text.trim(), MAX_SEARCH_CHARS)?;
    Ok(text)
}

/// A satisfaction rating: 1 to 5.
pub fn csat(rating: u8) -> Result<u8, ValidationError> {
    if (1..=5).contains(&rating) {
        Ok(rating)
    } else {
        Err(ValidationError::new(
            "Satisfaction rating",
            format!("{rating} is not between 1 and 5"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_trimmed_and_required() {
        assert_eq!(subject("  Refund please \n").unwrap(), "Refund please");
        assert_eq!(subject("a\nb\tc").unwrap(), "a b c");
        let err = subject("   \n ").unwrap_err();
        assert_eq!(err.to_string(), "Subject: is required");
    }

    #[test]
    fn subject_limit_counts_characters_not_bytes() {
        assert!(subject(&"é".repeat(200)).is_ok());
        let err = subject(&"x".repeat(201)).unwrap_err();
        assert!(err.problem.contains("201"), "{err}");
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(subject("a\u{0}b").is_err());
        assert!(note("line\u{7}").is_err());
        assert_eq!(note("one\ntwo\r\n").unwrap(), "one\ntwo");
    }

    #[test]
    fn other_line_breaks_are_line_breaks() {
        // Vertical tab: a manual line break pasted from a word processor.
        assert_eq!(
            subject("one\u{b}two\u{2028}three\u{85}").unwrap(),
            "one two three"
        );
        assert_eq!(
            description("one\u{b}two\u{2029}three\u{c}").unwrap(),
            "one\ntwo\nthree"
        );
        assert_eq!(tag("\u{2028}vip\u{85}").unwrap(), "vip");
    }

    #[test]
    fn a_control_character_is_located() {
        let err = subject("Printer\u{0} on fire").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Subject: contains an invisible control character (U+0000) after “Printer”; remove it"
        );
        let err = note("First line\nsecond line, a bit longer than twenty\u{1b}[0m").unwrap_err();
        assert!(
            err.problem
                .contains("(U+001B) after “…t longer than twenty”"),
            "{err}"
        );
        let err = description("\u{7}ding").unwrap_err();
        assert!(
            err.problem.contains("(U+0007) at the start of a line"),
            "{err}"
        );
        let err = tag(" \u{1b}vip").unwrap_err();
        assert!(
            err.problem.ends_with("(U+001B) at the start; remove it"),
            "{err}"
        );
    }

    #[test]
    fn emails() {
        assert_eq!(email("").unwrap(), "");
        assert_eq!(email(" dana@example.com ").unwrap(), "dana@example.com");
        for bad in ["dana", "@x", "x@", "a b@c", "a@b@c"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn view_names() {
        assert_eq!(view_name("  Urgent\tbilling ").unwrap(), "Urgent billing");
        assert_eq!(view_name(" ").unwrap_err().to_string(), "Name: is required");
        assert!(view_name(&"é".repeat(60)).is_ok());
        assert_eq!(
            view_name(&"x".repeat(61)).unwrap_err().to_string(),
            "Name: is 61 characters long; at most 60 fit"
        );
        assert!(
            view_name_taken("urgent", "Urgent")
                .problem
                .contains("called “Urgent” (capitals do not count)")
        );
        assert!(
            !view_name_taken("Urgent", "Urgent")
                .problem
                .contains("capitals")
        );
    }

    #[test]
    fn ratings() {
        assert!(csat(0).is_err());
        assert!(csat(6).is_err());
        assert_eq!(csat(5).unwrap(), 5);
    }
}
