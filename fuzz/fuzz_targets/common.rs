//! What every source target does: open the bytes as `format` (each
//! encoding detected), read every row, then preview them again; rows and
//! problems must hold what the store accepts.

use std::io::Cursor;
use std::ops::ControlFlow;

use tickets::domain::validate;
use tickets::import::{Format, ImportOptions, Mapping, Row, Source};

/// Reads `data` as `format` through `mapping` (the built-in one when None).
pub fn read_source(data: &[u8], format: Format, mapping: Option<Mapping>) {
    let options = ImportOptions { format: Some(format), mapping, ..ImportOptions::default() };
    let open = || Source::from_reader(Box::new(Cursor::new(data.to_vec())), Some(data.len() as u64), &options);
    if let Ok(source) = open() {
        let _ = source.read(|row| {
            check(&row);
            ControlFlow::Continue(())
        });
    }
    if let Ok(source) = open() {
        if let Ok(preview) = source.preview(3) {
            preview.rows.iter().for_each(check);
        }
    }
}

/// A ticket the readers hand on is one the store takes.
fn check(row: &Row) {
    let Ok(t) = row else {
        return;
    };
    assert!(!t.external_id.is_empty());
    assert_eq!(validate::subject(&t.subject).as_deref(), Ok(t.subject.as_str()), "subject");
    assert!(validate::description(&t.description).is_ok(), "description");
    assert!(validate::email(&t.customer.email).is_ok(), "email");
    for tag in &t.tags {
        assert!(validate::tag(tag).is_ok(), "tag {tag:?}");
    }
    for c in &t.comments {
        assert!(!c.body.is_empty() && validate::message(&c.body).is_ok(), "comment");
    }
}
