//! The value readers: times in every date order, HTML, tags, bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickets::import::{DateOrder, TagSeparator, values};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for order in [DateOrder::Auto, DateOrder::DayMonthYear, DateOrder::MonthDayYear, DateOrder::YearMonthDay] {
        let _ = values::parse_time(&text, order, chrono_tz::Europe::Paris);
    }
    values::html_to_text(&text);
    values::looks_like_html(&text);
    values::body(&text);
    values::tags(&text, &[TagSeparator::Comma, TagSeparator::Space, TagSeparator::Semicolon]);
    let _ = values::email(&text);
});

