//! A source's bytes as UTF-8 text, streamed: the encoding is worked out from
//! the first 64 KB (or chosen), then every read decodes a little more.
//!
//! Detection: a byte-order mark wins (UTF-8, UTF-16 LE/BE); without one,
//! NUL bytes at every other position mean UTF-16 (which half holds them
//! says the byte order); otherwise the sample is UTF-8 if it is valid UTF-8
//! (a sequence cut by the sample's end is allowed), else Windows-1252. A
//! file that looks like UTF-8 for its first 64 KB but is not later gets
//! U+FFFD where its bytes are not UTF-8; choosing the encoding reads it right.

use std::fmt;
use std::io::{self, Cursor, Read};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs::Encoding;
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

/// How many bytes are looked at to work out the encoding.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// A text encoding a source may be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// UTF-8 (with or without a byte-order mark).
    Utf8,
    /// UTF-16, little-endian (Windows' "Unicode").
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// Windows-1252 (Western European; what Excel on Windows writes as "CSV").
    Windows1252,
}

impl TextEncoding {
    /// Every encoding, in the order the preview offers them.
    pub const ALL: [TextEncoding; 4] = [
        TextEncoding::Utf8,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
        TextEncoding::Windows1252,
    ];

    /// Its name on the command line and in the preview.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }

    /// The decoder encoding_rs knows it by.
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }

    /// The names [`FromStr`] takes, for a command line's help.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|e| e.name()).collect()
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TextEncoding {
    type Err = String;

    /// `utf-8`, `utf-16le`, `utf-16be`, `windows-1252`; also `utf8`,
    /// `cp1252`, `latin1`-style spellings (case and dashes ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "utf8" => Ok(TextEncoding::Utf8),
            "utf16le" | "utf16" | "unicode" => Ok(TextEncoding::Utf16Le),
            "utf16be" => Ok(TextEncoding::Utf16Be),
            "windows1252" | "cp1252" | "latin1" | "iso88591" | "ansi" => {
                Ok(TextEncoding::Windows1252)
            }
            _ => Err(format!(
                "“{s}” is not an encoding Tickets reads (one of {})",
                TextEncoding::names().join(", ")
            )),
        }
    }
}

/// `--encoding`'s values.
impl clap::ValueEnum for TextEncoding {
    fn value_variants<'a>() -> &'a [Self] {
        &TextEncoding::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

/// What detection found: the encoding and the length of the byte-order
/// mark that announced it (0 when none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    /// The encoding.
    pub encoding: TextEncoding,
    /// Bytes of byte-order mark at the start (skipped when decoding).
    pub bom_len: usize,
}

/// Works out the encoding of a source from its first bytes. `complete` says
/// the sample is the whole source (so a sequence cut at its end is an error,
/// not a cut).
pub fn detect(sample: &[u8], complete: bool) -> Detected {
    let bom = |encoding, bom_len| Detected { encoding, bom_len };
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return bom(TextEncoding::Utf8, 3);
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return bom(TextEncoding::Utf16Le, 2);
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return bom(TextEncoding::Utf16Be, 2);
    }
    if let Some(encoding) = utf16_by_nuls(sample) {
        return bom(encoding, 0);
    }
    let utf8 = match std::str::from_utf8(sample) {
        Ok(_) => true,
        // Cut by the sample's end: the rest of the sequence is in the next bytes.
        Err(e) => e.error_len().is_none() && !complete,
    };
    bom(
        if utf8 {
            TextEncoding::Utf8
        } else {
            TextEncoding::Windows1252
        },
        0,
    )
}

/// UTF-16 without a mark: text in Latin letters has a NUL in every other
/// byte; NULs mostly at odd positions mean little-endian, at even ones big.
fn utf16_by_nuls(sample: &[u8]) -> Option<TextEncoding> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if pair[0] == 0 {
            even += 1;
        }
        if pair[1] == 0 {
            odd += 1;
        }
    }
    // Most pairs with a NUL on one side and hardly any on the other.
    if odd * 10 >= pairs * 4 && even * 10 <= pairs {
        Some(TextEncoding::Utf16Le)
    } else if even * 10 >= pairs * 4 && odd * 10 <= pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// How far through its source a reader is, shared with whoever shows it.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    read: Arc<AtomicU64>,
    total: Option<u64>,
}

impl Progress {
    /// Bytes of the source read so far (decoders and parsers buffer a
    /// little ahead of the row being parsed).
    pub fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// The source's size, where known (a file's).
    pub fn bytes_total(&self) -> Option<u64> {
        self.total
    }

    /// Read so far as a fraction of the total, where known.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.total.filter(|&t| t > 0)?;
        Some((self.bytes_read() as f64 / total as f64).min(1.0) as f32)
    }
}

/// A reader that counts what passes through it into a [`Progress`].
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

type Raw = Counting<io::Chain<Cursor<Vec<u8>>, Box<dyn Read + Send>>>;

/// A source decoded to UTF-8 as it is read.
pub struct DecodedReader {
    inner: DecodeReaderBytes<Raw, Vec<u8>>,
    detected: Detected,
    progress: Progress,
    /// Decoded bytes not yet handed on (when asked for fewer than 4).
    pending: [u8; SMALLEST_READ],
    pending_at: usize,
    pending_len: usize,
}

impl DecodedReader {
    /// Decodes `source` (of `total` bytes, where known) in `encoding`, or in
    /// the one worked out from its first 64 KB when None. A byte-order mark
    /// is skipped either way.
    pub fn new(
        mut source: Box<dyn Read + Send>,
        total: Option<u64>,
        encoding: Option<TextEncoding>,
    ) -> io::Result<DecodedReader> {
        let mut sample = Vec::with_capacity(SAMPLE_BYTES);
        let complete = (&mut source)
            .take(SAMPLE_BYTES as u64)
            .read_to_end(&mut sample)?
            < SAMPLE_BYTES;
        let found = detect(&sample, complete);
        let detected = match encoding {
            None => found,
            Some(chosen) => {
                // A mark for the chosen encoding is still skipped; any other
                // is decoded as text of the chosen one.
                let bom_len = if found.encoding == chosen {
                    found.bom_len
                } else {
                    0
                };
                Detected {
                    encoding: chosen,
                    bom_len,
                }
            }
        };
        let progress = Progress {
            read: Arc::new(AtomicU64::new(0)),
            total,
        };
        let body = sample.split_off(detected.bom_len.min(sample.len()));
        progress
            .read
            .fetch_add(sample.len() as u64, Ordering::Relaxed);
        let raw = Counting {
            inner: Cursor::new(body).chain(source),
            read: Arc::clone(&progress.read),
        };
        let inner = DecodeReaderBytesBuilder::new()
            .encoding(Some(detected.encoding.encoding()))
            .bom_sniffing(false)
            .build(raw);
        Ok(DecodedReader {
            inner,
            detected,
            progress,
            pending: [0; SMALLEST_READ],
            pending_at: 0,
            pending_len: 0,
        })
    }

    /// The encoding it decodes.
    pub fn encoding(&self) -> TextEncoding {
        self.detected.encoding
    }

    /// How far through the source it is.
    pub fn progress(&self) -> Progress {
        self.progress.clone()
    }
}

impl Read for DecodedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending_at < self.pending_len {
            let n = buf.len().min(self.pending_len - self.pending_at);
            buf[..n].copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
            self.pending_at += n;
            return Ok(n);
        }
        if buf.len() >= SMALLEST_READ {
            return self.inner.read(buf);
        }
        // encoding_rs_io 0.1.8 loses the end of a character written at the
        // end of the source into a buffer under 4 bytes (a UTF-16 file of
        // odd length ended in two bytes of U+FFFD's three): it is never
        // handed one.
        let n = self.inner.read(&mut self.pending)?;
        self.pending_len = n;
        self.pending_at = 0;
        if n == 0 {
            return Ok(0);
        }
        self.read(buf)
    }
}

/// The smallest buffer handed to the decoder (a character's UTF-8 bytes fit).
const SMALLEST_READ: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], chosen: Option<TextEncoding>) -> (TextEncoding, String) {
        let mut r = DecodedReader::new(
            Box::new(Cursor::new(bytes.to_vec())),
            Some(bytes.len() as u64),
            chosen,
        )
        .unwrap();
        let mut text = String::new();
        r.read_to_string(&mut text).unwrap();
        assert_eq!(r.progress().bytes_read(), bytes.len() as u64);
        (r.encoding(), text)
    }

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for unit in text.encode_utf16() {
            out.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn utf8_with_and_without_a_bom() {
        assert_eq!(
            decode("Id,Café\n".as_bytes(), None),
            (TextEncoding::Utf8, "Id,Café\n".into())
        );
        assert_eq!(
            decode("\u{feff}Id,Café\n".as_bytes(), None),
            (TextEncoding::Utf8, "Id,Café\n".into())
        );
    }

    #[test]
    fn utf16_by_its_mark_or_by_its_nul_bytes() {
        for le in [true, false] {
            for bom in [true, false] {
                let want = if le {
                    TextEncoding::Utf16Le
                } else {
                    TextEncoding::Utf16Be
                };
                assert_eq!(
                    decode(&utf16("Id,Subject\n1,Café €\n", le, bom), None),
                    (want, "Id,Subject\n1,Café €\n".into()),
                    "le {le} bom {bom}"
                );
            }
        }
    }

    #[test]
    fn windows_1252_when_not_utf8_or_when_chosen() {
        let bytes = b"Id,Subject\n1,Caf\xe9 \x80 5\n";
        assert_eq!(
            decode(bytes, None),
            (TextEncoding::Windows1252, "Id,Subject\n1,Café € 5\n".into())
        );
        // Valid UTF-8 read as chosen Windows-1252 shows its bytes as such.
        assert_eq!(
            decode("é".as_bytes(), Some(TextEncoding::Windows1252)).1,
            "Ã©"
        );
    }

    #[test]
    fn a_sequence_cut_at_the_samples_end_is_still_utf8() {
        let mut bytes = vec![b'a'; SAMPLE_BYTES - 1];
        bytes.extend("é and more".as_bytes());
        assert_eq!(
            detect(&bytes[..SAMPLE_BYTES], false).encoding,
            TextEncoding::Utf8
        );
        assert_eq!(
            detect(&bytes[..SAMPLE_BYTES], true).encoding,
            TextEncoding::Windows1252
        );
        let (enc, text) = decode(&bytes, None);
        assert_eq!(enc, TextEncoding::Utf8);
        assert!(text.ends_with("aé and more"));
    }

    #[test]
    fn an_odd_byte_at_the_end_of_utf16_is_one_whole_replacement_character() {
        // Found by the decode fuzz target: read a few bytes at a time, the
        // last character came out cut.
        let mut bytes = utf16("Id,Subject\n", true, true);
        bytes.push(b'x');
        for step in [1, 2, 3, 4, 7] {
            let mut r =
                DecodedReader::new(Box::new(Cursor::new(bytes.clone())), None, None).unwrap();
            let mut out = Vec::new();
            let mut buf = vec![0u8; step];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(
                String::from_utf8(out).as_deref(),
                Ok("Id,Subject\n\u{fffd}"),
                "step {step}"
            );
        }
    }

    #[test]
    fn encodings_are_named_for_the_command_line() {
        for e in TextEncoding::ALL {
            assert_eq!(e.name().parse::<TextEncoding>(), Ok(e));
        }
        assert_eq!(
            "CP-1252".parse::<TextEncoding>(),
            Ok(TextEncoding::Windows1252)
        );
        assert!(
            "ebcdic"
                .parse::<TextEncoding>()
                .unwrap_err()
                .contains("one of utf-8, utf-16le, utf-16be, windows-1252")
        );
    }
}
