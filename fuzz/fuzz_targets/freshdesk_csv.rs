//! Any bytes read as FreshdeskCsv through its built-in mapping.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use tickets::import::Format;

fuzz_target!(|data: &[u8]| {
    common::read_source(data, Format::FreshdeskCsv, None);
});
