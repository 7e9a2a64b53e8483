//! What a person typed into the search box, as every engine reads it: its
//! words, and which of them are email addresses.

use crate::domain::validate::MAX_SEARCH_CHARS;

/// Whether a typed word is (the start of) an email address: text, `@`, text.
/// Such words are matched against customers' emails, from the start, rather
/// than word by word (where the domain's "com" would match half the world).
pub(crate) fn is_email_like(word: &str) -> bool {
    word.split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && !domain.is_empty())
}

/// The words of a search: split at white space and at control characters
/// (which the search index never holds; a NUL would end the query early).
///
/// Only the first [`MAX_SEARCH_CHARS`] characters are read: the list refuses
/// a longer search with a message (`validate::search`); the customer picker
/// searches by its start (thousands of words kept SQLite busy for minutes, or
/// made a query too deep for it).
pub(crate) fn search_words(text: &str) -> impl Iterator<Item = &str> {
    let text = text.trim_start();
    let end = text
        .char_indices()
        .nth(MAX_SEARCH_CHARS)
        .map_or(text.len(), |(at, _)| at);
    text[..end]
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
}

/// The email-like words of a search, as `LIKE` patterns (prefix, literal).
pub(crate) fn email_patterns(text: &str) -> impl Iterator<Item = String> + '_ {
    search_words(text).filter(|w| is_email_like(w)).map(|word| {
        let mut pattern = String::with_capacity(word.len() + 1);
        for c in word.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    })
}

/// Whether any typed word is an email address.
pub(crate) fn text_has_email(text: &str) -> bool {
    search_words(text).any(is_email_like)
}

/// Whether a character ends a word, as the team server's `tickets.words`
/// cuts text: white space, control characters, and every ASCII character
/// that is not a letter or a digit.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || c.is_control() || (c.is_ascii() && !c.is_ascii_alphanumeric())
}

/// What a person typed as a PostgreSQL `tsquery` over the words
/// `tickets.words` keeps: every typed word must match, as a word or the
/// start of one; a typed word the server cuts in several (`e-mail`) is its
/// parts, the last as a prefix. Quotes, `!`, `|`, `:` and the like end words,
/// so nothing typed is read as query syntax. Email-like words are left to the
/// email match. `None` when nothing searchable by words was typed.
pub(crate) fn ts_query(text: &str) -> Option<String> {
    let mut terms = Vec::new();
    for word in search_words(text).filter(|w| !is_email_like(w)) {
        let lowered = word.to_lowercase();
        let parts: Vec<&str> = lowered.split(ends_word).filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            continue;
        }
        let quoted: Vec<String> = parts.iter().map(|p| format!("'{p}'")).collect();
        terms.push(format!("{}:*", quoted.join(" <-> ")));
    }
    (!terms.is_empty()).then(|| terms.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::ts_query;

    #[test]
    fn typed_words_become_prefixes_and_syntax_stays_text() {
        assert_eq!(
            ts_query("Printer JAM").as_deref(),
            Some("'printer':* & 'jam':*")
        );
        assert_eq!(ts_query("e-mail").as_deref(), Some("'e' <-> 'mail':*"));
        assert_eq!(
            ts_query("it's !x | y:*").as_deref(),
            Some("'it' <-> 's':* & 'x':* & 'y':*")
        );
        assert_eq!(
            ts_query("Élan ann@example.com").as_deref(),
            Some("'élan':*")
        );
        assert_eq!(ts_query("'' && ::"), None);
    }
}
