//! Checks and tidies everything a person types before it is stored.
//!
//! Limits (characters are Unicode scalar values, counted after trimming):
//! - subject: required, at most 200, one line;
//! - description, note, message: at most 100,000; notes and messages required;
//! - agent / customer name, company: at most 100, one line (names required);
//! - email: optional, at most 254, one `@` with text either side, no spaces;
//! - tag: required, at most 50, one line.
//!
//! "One line" fields turn tabs and line breaks into spaces. No field accepts
//! other control characters (NUL among them).

use super::{MAX_BODY_CHARS, MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_SUBJECT_CHARS};

/// Longest tag accepted, in characters.
pub const MAX_TAG_CHARS: usize = 50;

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

fn check_controls(
    field: &'static str,
    text: &str,
    allow_lines: bool,
) -> Result<(), ValidationError> {
    let bad = text
        .chars()
        .find(|&c| c.is_control() && !(allow_lines && matches!(c, '\n' | '\r' | '\t')));
    match bad {
        Some(c) => Err(ValidationError::new(
            field,
            format!(
                "contains an invisible control character (U+{:04X}); remove it",
                c as u32
            ),
        )),
        None => Ok(()),
    }
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
    text.replace(['\r', '\n', '\t'], " ").trim().to_owned()
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
    check_controls(field, text, true)?;
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
    fn emails() {
        assert_eq!(email("").unwrap(), "");
        assert_eq!(email(" dana@example.com ").unwrap(), "dana@example.com");
        for bad in ["dana", "@x", "x@", "a b@c", "a@b@c"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ratings() {
        assert!(csat(0).is_err());
        assert!(csat(6).is_err());
        assert_eq!(csat(5).unwrap(), 5);
    }
}
