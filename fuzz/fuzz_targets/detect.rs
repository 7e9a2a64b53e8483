//! Format detection on any text start, and encoding detection on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickets::import::{decode, format};

fuzz_target!(|data: &[u8]| {
    decode::detect(data, true);
    decode::detect(data, false);
    let text = String::from_utf8_lossy(data);
    format::detect(&text);
    format::guess_delimiter(&text);
});
