//! The decoder: any bytes, detected or read as each encoding, decode to
//! UTF-8 without a panic, and every byte is counted.
#![no_main]

use std::io::{Cursor, Read};

use libfuzzer_sys::fuzz_target;
use tickets::import::{DecodedReader, TextEncoding};

fuzz_target!(|data: &[u8]| {
    let choices = [None].into_iter().chain(TextEncoding::ALL.map(Some));
    for chosen in choices {
        let source = Box::new(Cursor::new(data.to_vec()));
        let Ok(mut reader) = DecodedReader::new(source, Some(data.len() as u64), chosen) else {
            return;
        };
        let mut text = String::new();
        reader.read_to_string(&mut text).expect("decoded text is UTF-8");
        assert_eq!(reader.progress().bytes_read(), data.len() as u64);
    }
});
