//! Ticket numbers: `TKT-000013` on screen, typed loosely by people.

use std::fmt;

/// A ticket's number: its permanent identity, assigned at creation and never reused.
///
/// Shown as `TKT-` and at least six digits (`TKT-000013`, `TKT-1234567`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TicketNumber(pub i64);

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TKT-{:06}", self.0)
    }
}

impl std::str::FromStr for TicketNumber {
    type Err = String;

    /// [`parse_ticket_number`], or why `s` is not one, in the sentence
    /// every box and command that takes a number says.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        parse_ticket_number(s).ok_or_else(|| {
            format!("“{s}” is not a ticket number: type one such as TKT-000042 or 42.")
        })
    }
}

/// Reads a ticket number the way people type it.
///
/// `TKT-000013`, `tkt-13`, `TKT 13`, `#13` and `13` all give 13. Anything else,
/// zero, or a number too large to be a ticket gives `None`.
pub fn parse_ticket_number(text: &str) -> Option<TicketNumber> {
    let mut rest = text.trim();
    if rest.len() >= 3 && rest.is_char_boundary(3) && rest[..3].eq_ignore_ascii_case("tkt") {
        rest = rest[3..].trim_start_matches(['-', ' ', '#']);
    } else if let Some(after_hash) = rest.strip_prefix('#') {
        rest = after_hash;
    }
    if rest.is_empty() || rest.len() > 15 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = rest.parse().ok()?;
    (n > 0).then_some(TicketNumber(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_six_digits_then_grows() {
        assert_eq!(TicketNumber(13).to_string(), "TKT-000013");
        assert_eq!(TicketNumber(999_999).to_string(), "TKT-999999");
        assert_eq!(TicketNumber(1_000_000).to_string(), "TKT-1000000");
    }

    #[test]
    fn parses_what_people_type() {
        for text in [
            "TKT-000013",
            "tkt-13",
            "#13",
            "13",
            "  13 ",
            "Tkt 13",
            "TKT13",
            "tkt-#13",
        ] {
            assert_eq!(parse_ticket_number(text), Some(TicketNumber(13)), "{text}");
        }
        assert_eq!(
            parse_ticket_number("TKT-1000000"),
            Some(TicketNumber(1_000_000))
        );
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for text in [
            "",
            "TKT-",
            "#",
            "0",
            "TKT-000000",
            "-13",
            "13a",
            "1 3",
            "refund",
            "9999999999999999",
            "tk-13",
            "tkt-1.5",
            "é13",
        ] {
            assert_eq!(parse_ticket_number(text), None, "{text}");
        }
    }

    #[test]
    fn round_trips_through_display() {
        for n in [1, 13, 999_999, 1_000_000, 123_456_789] {
            let shown = TicketNumber(n).to_string();
            assert_eq!(parse_ticket_number(&shown), Some(TicketNumber(n)));
        }
    }
}
