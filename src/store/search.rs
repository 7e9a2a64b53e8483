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

/// The WHERE clause of a customer search (customers aliased `c`): all of
/// `conds` (its words and emails), or the customer whose number was typed;
/// none for an empty search; `None` when nothing can match.
pub(crate) fn customer_filter(conds: &[String], text: &str) -> Option<String> {
    let mut either = Vec::new();
    if !conds.is_empty() {
        either.push(format!("({})", conds.join(" AND ")));
    }
    if let Ok(id) = text.trim().parse::<i64>() {
        either.push(format!("c.id = {id}"));
    }
    match (either.is_empty(), text.trim().is_empty()) {
        (false, _) => Some(format!("WHERE {}", either.join(" OR "))),
        (true, true) => Some(String::new()),
        (true, false) => None,
    }
}

/// The typed words a search matches word by word: all but the email-like
/// ones (a team server makes its query of them with `tickets.query_of`).
pub(crate) fn plain_words(text: &str) -> Vec<String> {
    search_words(text)
        .filter(|w| !is_email_like(w))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::plain_words;

    #[test]
    fn email_words_are_left_to_the_email_match() {
        assert_eq!(
            plain_words("  Printer\tJAM ann@example.com @x"),
            ["Printer", "JAM", "@x"]
        );
    }
}
