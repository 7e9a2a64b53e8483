//! Any bytes read as a plain CSV: through the mapping guessed from its
//! header, and through a mapping with day-first dates, a default status and
//! every tag separator.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use tickets::domain::Status;
use tickets::import::{ColumnRule, DateOrder, Field, Format, Mapping, TagSeparator};

fuzz_target!(|data: &[u8]| {
    common::read_source(data, Format::Csv, None);
    let columns = ["a", "b", "c", "d", "e", "f"];
    let fields = [Field::ExternalId, Field::Subject, Field::CreatedAt, Field::Tags, Field::Description, Field::Status];
    let mapping = Mapping {
        name: "fuzz".to_owned(),
        columns: columns
            .iter()
            .zip(fields)
            .map(|(c, field)| ColumnRule { column: (*c).to_owned(), field })
            .collect(),
        default_status: Some(Status::Waiting),
        tag_separators: vec![TagSeparator::Comma, TagSeparator::Space, TagSeparator::Semicolon, TagSeparator::Pipe],
        date_order: DateOrder::DayMonthYear,
        time_zone: "America/Havana".to_owned(),
        ..Mapping::default()
    };
    common::read_source(data, Format::Csv, Some(mapping));
});
