//! Reading one value of a source: times in the forms exports write them,
//! emails, tag lists, HTML bodies, and text tidied to what the store accepts.
//!
//! Each reader answers the part of a sentence that says what is wrong
//! ("“31/02/2024” is not a date"), and the row readers put the field's
//! name in front.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use super::mapping::{DateOrder, TagSeparator};
use crate::domain::validate::MAX_TAG_CHARS;
use crate::domain::{MAX_BODY_CHARS, MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_SUBJECT_CHARS};

/// How a time may be written, shown in the sentences about one that is not.
const TIME_EXAMPLE: &str = "2024-01-05 10:00, 2024-01-05T10:00:00Z or 05/01/2024 10:00 +0100";

/// A time that may be left empty (`None`), else read as [`parse_time`]
/// reads it; a problem names it `what`.
pub fn optional_time(
    text: &str,
    what: &str,
    order: DateOrder,
    zone: Tz,
) -> Result<Option<DateTime<Utc>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_time(text, order, zone)
        .map(Some)
        .map_err(|e| format!("{what}: {e}"))
}

/// Reads a time as exports write it: RFC 3339 (`2024-01-05T10:00:00Z`),
/// `2024-01-05 10:00:00 +0100`, `… UTC`, Zendesk's `2024-01-05 10:00:00
/// -0800`, or a date in `order` with an optional time (`05/01/2024 10:00
/// pm`); a time without a zone is read in `zone`. A date alone is midnight.
pub fn parse_time(text: &str, order: DateOrder, zone: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let unreadable = || {
        format!(
            "“{}” is not a date and time it can read (write it as {TIME_EXAMPLE})",
            shorten(text, 40)
        )
    };
    let (rest, offset) = split_offset(text);
    let mut parts = rest.split([' ', 'T']).filter(|p| !p.is_empty());
    let date_part = parts.next().ok_or_else(unreadable)?;
    let time_part = parts.next();
    let meridiem = parts.next();
    if parts.next().is_some() {
        return Err(unreadable());
    }
    let date = parse_date(date_part, order, text)?;
    let time = match time_part {
        None => NaiveTime::MIN,
        Some(t) => parse_clock(t, meridiem).ok_or_else(unreadable)?,
    };
    if time_part.is_none() && meridiem.is_some() {
        return Err(unreadable());
    }
    let naive = NaiveDateTime::new(date, time);
    if let Some(offset) = offset {
        return match offset.from_local_datetime(&naive) {
            LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
            _ => Err(unreadable()),
        };
    }
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // A time the clocks pass twice (autumn): the first of the two.
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "“{}” is a time that does not exist in {} (the clocks went forward over it)",
            shorten(text, 40),
            zone.name()
        )),
    }
}

/// Splits a trailing zone off a time: ` UTC`, ` GMT`, `Z`, ` +0100`,
/// `+01:00`, ` -08`.
fn split_offset(text: &str) -> (&str, Option<FixedOffset>) {
    for suffix in [" UTC", " GMT", " Z", "Z"] {
        if let Some(rest) = strip_suffix_ignore_case(text, suffix) {
            // A bare "Z" only after a digit: "2024-01-05T10:00Z".
            if suffix == "Z" && !rest.ends_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            return (rest, FixedOffset::east_opt(0));
        }
    }
    // "+0100", "+01:00", "-08" at the end, after a space or after the time.
    let bytes = text.as_bytes();
    for len in [6usize, 5, 3] {
        let Some(start) = bytes.len().checked_sub(len) else {
            continue;
        };
        let Some(tail) = text.get(start..) else {
            continue;
        };
        let Some(offset) = parse_offset(tail) else {
            continue;
        };
        let rest = &text[..start];
        // A date's own "-05" must not be read as a zone: only after a time.
        if rest
            .trim_end()
            .rsplit([' ', 'T'])
            .next()
            .is_some_and(|last| last.contains(':'))
        {
            return (rest.trim_end(), Some(offset));
        }
    }
    (text, None)
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let start = text.len().checked_sub(suffix.len())?;
    let tail = text.get(start..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..start])
}

/// `+0100`, `+01:00` or `-08`.
fn parse_offset(tail: &str) -> Option<FixedOffset> {
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = tail[1..].chars().filter(|&c| c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    if tail.len() == 6 && tail.as_bytes().get(3) != Some(&b':') {
        return None;
    }
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// A date of three numbers in `order` (a four-digit first number is always
/// year first).
fn parse_date(part: &str, order: DateOrder, whole: &str) -> Result<NaiveDate, String> {
    let unreadable = || {
        format!(
            "“{}” is not a date and time it can read (write it as {TIME_EXAMPLE})",
            shorten(whole, 40)
        )
    };
    let numbers: Vec<&str> = part.split(['-', '/', '.']).collect();
    let [a, b, c] = numbers.as_slice() else {
        return Err(unreadable());
    };
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())?
    };
    let (Some(x), Some(y), Some(z)) = (number(a), number(b), number(c)) else {
        return Err(unreadable());
    };
    let year = |n: u32, s: &str| -> i32 {
        // Two-digit years are this century's.
        let n = i32::try_from(n).unwrap_or(0);
        if s.len() <= 2 { 2000 + n } else { n }
    };
    let (y_, m, d) = if a.len() == 4 {
        (year(x, a), y, z)
    } else {
        match order {
            DateOrder::YearMonthDay => (year(x, a), y, z),
            DateOrder::DayMonthYear => (year(z, c), y, x),
            DateOrder::MonthDayYear => (year(z, c), x, y),
            DateOrder::Auto => {
                if x > 12 && y <= 12 {
                    (year(z, c), y, x)
                } else if (y > 12 && x <= 12) || x == y {
                    (year(z, c), x, y)
                } else {
                    return Err(format!(
                        "“{}” could be day first or month first; choose the date order in the mapping",
                        shorten(whole, 40)
                    ));
                }
            }
        }
    };
    NaiveDate::from_ymd_opt(y_, m, d)
        .ok_or_else(|| format!("“{}” is not a date of the calendar", shorten(whole, 40)))
}

/// `10:00`, `10:00:05`, `10:00:05.123`, with `am`/`pm` attached or apart.
fn parse_clock(part: &str, meridiem: Option<&str>) -> Option<NaiveTime> {
    let lower = part.to_ascii_lowercase();
    let (clock, attached) = if let Some(c) = lower.strip_suffix("am") {
        (c.to_owned(), Some(false))
    } else if let Some(c) = lower.strip_suffix("pm") {
        (c.to_owned(), Some(true))
    } else {
        (lower, None)
    };
    let pm = match (attached, meridiem.map(str::to_ascii_lowercase).as_deref()) {
        (Some(pm), None) => Some(pm),
        (None, None) => None,
        (None, Some("am")) => Some(false),
        (None, Some("pm")) => Some(true),
        _ => return None,
    };
    let mut fields = clock.split(':');
    let hour: u32 = fields.next()?.parse().ok()?;
    let minute: u32 = fields.next()?.parse().ok()?;
    let (second, nanos) = match fields.next() {
        None => (0, 0),
        Some(s) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            let second: u32 = whole.parse().ok()?;
            let frac: String = frac.chars().take(9).collect();
            let nanos = if frac.is_empty() {
                0
            } else {
                if !frac.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                let n: u32 = frac.parse().ok()?;
                n * 10u32.pow(9 - u32::try_from(frac.len()).ok()?)
            };
            (second, nanos)
        }
    };
    if fields.next().is_some() {
        return None;
    }
    let hour = match pm {
        None => hour,
        Some(_) if hour == 0 || hour > 12 => return None,
        Some(false) => hour % 12,
        Some(true) => hour % 12 + 12,
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// An email as the store keeps it (trimmed, lower-cased), or why it is not one.
pub fn email(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!(
            "“{}…” is longer than an email address can be",
            shorten(text, 40)
        ));
    }
    // Lower-casing can lengthen some letters: the result is checked again.
    crate::domain::validate::email(text)
        .map(|e| e.to_lowercase())
        .and_then(|e| crate::domain::validate::email(&e))
        .map_err(|_| format!("“{}” is not an email address", shorten(text, 60)))
}

/// A cell of several tags split at any of `separators`, each tidied, empty
/// ones and repeats (case ignored) dropped.
pub fn tags(text: &str, separators: &[TagSeparator]) -> Vec<String> {
    tag_list(text.split(|c: char| separators.iter().any(|s| s.matches(c))))
}

/// Tags a source gives one by one (a JSON list), each tidied as [`tags`]
/// tidies a piece, the empty and the repeated (ignoring case) left out.
pub fn tag_list<'a>(pieces: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in pieces {
        let tag = one_line(piece, MAX_TAG_CHARS);
        if !tag.is_empty() && !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            out.push(tag);
        }
    }
    out
}

/// One line of text as the store accepts it: line breaks and tabs become
/// spaces, control characters go, runs of spaces become one, cut to `max`
/// characters (ending in "…" when cut).
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    for c in text.chars() {
        let c = if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            c
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end();
    cut(out, max)
}

/// A subject: one line, at most the store's length.
pub fn subject(text: &str) -> String {
    one_line(text, MAX_SUBJECT_CHARS)
}

/// A person's name or a company: one line, at most the store's length.
pub fn name(text: &str) -> String {
    one_line(text, MAX_NAME_CHARS)
}

/// A body (description, comment): CR LF and lone CRs become LF, other line
/// breaks LF, other control characters go, trimmed, cut to the store's
/// length (ending in "…" when cut: a 10 MB cell keeps its first 100,000
/// characters).
pub fn body(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_BODY_CHARS * 4));
    let mut chars = text.chars().peekable();
    let mut count = 0usize;
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                '\n'
            }
            '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => '\n',
            '\n' | '\t' => c,
            c if c.is_control() => continue,
            c => c,
        };
        out.push(c);
        count += 1;
        // Enough kept to cut after trimming; the rest is never copied.
        if count > MAX_BODY_CHARS + 1024 {
            break;
        }
    }
    cut(out.trim(), MAX_BODY_CHARS)
}

/// `text` cut to `max` characters, ending in "…" when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let keep: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{}…", keep.trim_end())
        }
    }
}

/// At most `max` characters of `text` for a sentence, "…" when cut.
pub fn shorten(text: &str, max: usize) -> String {
    cut(text, max)
}

/// Whether a text looks like HTML (a tag such as `<p>`, `<br/>`, `</div>`).
pub fn looks_like_html(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty() && KNOWN_TAGS.contains(&name.to_ascii_lowercase().as_str()) {
            return true;
        }
    }
    false
}

const KNOWN_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "body",
    "br",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "html",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "table",
    "td",
    "tr",
    "u",
    "ul",
];

/// HTML turned into plain text: tags dropped (block ends and `<br>` become
/// line breaks, list items start with "- "), `<script>`/`<style>` content
/// dropped, entities decoded, runs of blank lines made one.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_decoded(&mut out, &rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            // A lone "<": text, not a tag.
            push_decoded(&mut out, &rest[open..]);
            rest = "";
            break;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "script" | "style" if !closing => {
                let end = format!("</{name}");
                match find_ignore_case(rest, &end) {
                    Some(i) => {
                        let after_end = &rest[i..];
                        rest = after_end.find('>').map_or("", |j| &after_end[j + 1..]);
                    }
                    None => rest = "",
                }
            }
            "br" => out.push('\n'),
            "li" if !closing => out.push_str("\n- "),
            "p" | "div" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre"
            | "ul" | "ol" | "table" | "hr" => out.push('\n'),
            _ => {}
        }
    }
    push_decoded(&mut out, rest);
    tidy_lines(&out)
}

/// Where `needle` (ASCII) first occurs in `hay`, case ignored.
fn find_ignore_case(hay: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Trailing spaces off each line, at most one blank line in a row.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}

/// `text` with HTML entities decoded; ones it does not know stay as written.
fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|end| entity(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return Some(
            char::from_u32(code)
                .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                .unwrap_or('\u{fffd}'),
        );
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "euro" => '€',
        "pound" => '£',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "auml" => 'ä',
        "szlig" => 'ß',
        "ccedil" => 'ç',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap()
    }

    #[test]
    fn times_with_zones_are_read_in_their_zone() {
        let t = |s| parse_time(s, DateOrder::Auto, Tz::UTC);
        assert_eq!(t("2024-01-05T10:00:00Z"), Ok(utc(2024, 1, 5, 10, 0, 0)));
        assert_eq!(t("2024-01-05T10:00:00+01:00"), Ok(utc(2024, 1, 5, 9, 0, 0)));
        assert_eq!(t("2024-01-05 10:00:00 +0100"), Ok(utc(2024, 1, 5, 9, 0, 0)));
        assert_eq!(
            t("2024-01-05 10:00:00 -0800"),
            Ok(utc(2024, 1, 5, 18, 0, 0))
        );
        assert_eq!(t("2024-01-05 10:00:00 UTC"), Ok(utc(2024, 1, 5, 10, 0, 0)));
        assert_eq!(t("2024-01-05 10:00 -08"), Ok(utc(2024, 1, 5, 18, 0, 0)));
        assert_eq!(t("2024-01-05"), Ok(utc(2024, 1, 5, 0, 0, 0)));
    }

    #[test]
    fn times_without_a_zone_are_read_in_the_mappings_zone() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            parse_time("2024-07-05 10:00", DateOrder::Auto, paris),
            Ok(utc(2024, 7, 5, 8, 0, 0))
        );
        let err = parse_time("2024-03-31 02:30", DateOrder::Auto, paris).unwrap_err();
        assert!(err.contains("does not exist in Europe/Paris"), "{err}");
    }

    #[test]
    fn dates_in_other_orders_follow_the_mapping_or_are_worked_out() {
        let t = |s, o| parse_time(s, o, Tz::UTC);
        assert_eq!(
            t("25/12/2024 10:00", DateOrder::Auto),
            Ok(utc(2024, 12, 25, 10, 0, 0))
        );
        assert_eq!(
            t("12/25/2024 10:00 pm", DateOrder::Auto),
            Ok(utc(2024, 12, 25, 22, 0, 0))
        );
        assert_eq!(
            t("05/01/2024", DateOrder::DayMonthYear),
            Ok(utc(2024, 1, 5, 0, 0, 0))
        );
        assert_eq!(
            t("05/01/2024", DateOrder::MonthDayYear),
            Ok(utc(2024, 5, 1, 0, 0, 0))
        );
        assert_eq!(
            t("5.1.24 9:30am", DateOrder::DayMonthYear),
            Ok(utc(2024, 1, 5, 9, 30, 0))
        );
        let err = t("05/01/2024", DateOrder::Auto).unwrap_err();
        assert!(err.contains("could be day first or month first"), "{err}");
        let err = t("31/02/2024", DateOrder::Auto).unwrap_err();
        assert_eq!(err, "“31/02/2024” is not a date of the calendar");
        let err = t("next Tuesday", DateOrder::Auto).unwrap_err();
        assert!(
            err.starts_with("“next Tuesday” is not a date and time it can read"),
            "{err}"
        );
    }

    #[test]
    fn several_tags_in_one_cell_are_split_and_tidied() {
        let seps = [TagSeparator::Comma, TagSeparator::Space];
        assert_eq!(
            tags(" billing, vip  urgent,,Billing ", &seps),
            vec!["billing", "vip", "urgent"]
        );
        assert_eq!(tags("a;b", &[TagSeparator::Semicolon]), vec!["a", "b"]);
    }

    #[test]
    fn html_becomes_plain_text() {
        let html = "<p>Hello&nbsp;Ana,</p><p>Fixed &amp; shipped &lt;v2&gt; &#8364;5 &#x41;</p>\
                    <ul><li>one</li><li>two</li></ul><script>alert(1)</script>bye<br/>now &bogus; a < b";
        assert_eq!(
            html_to_text(html),
            "Hello Ana,\n\nFixed & shipped <v2> €5 A\n\n- one\n- two\nbye\nnow &bogus; a < b"
        );
        assert!(looks_like_html("<div>x</div>"));
        assert!(!looks_like_html("if a < b and c > d"));
    }

    #[test]
    fn text_is_cut_to_what_the_store_accepts() {
        assert_eq!(one_line(" a\tb\r\nc  d ", 100), "a b c d");
        assert_eq!(one_line("abcdef", 4), "abc…");
        let long = "x".repeat(MAX_BODY_CHARS + 10);
        assert_eq!(body(&long).chars().count(), MAX_BODY_CHARS);
        assert_eq!(body("a\r\nb\rc\u{0}d"), "a\nb\ncd");
    }

    #[test]
    fn emails_are_lower_cased_or_refused_with_a_sentence() {
        assert_eq!(email(" Ana@Example.COM "), Ok("ana@example.com".to_owned()));
        assert_eq!(
            email("ana at example"),
            Err("“ana at example” is not an email address".to_owned())
        );
    }
}
