//! A backup kept as the changes since the next newer one: the blocks (the
//! database's pages) of the older file that differ from the newer file,
//! with both files' lengths and checksums, so that the older file is rebuilt
//! from the newer one and checked whole.
//!
//! The stream (zstd-compressed on disk by the caller), every number little-endian:
//!
//! ```text
//! "Tickets changes" 0x01     16 bytes: what this is, format 1
//! block size                 u32
//! records, each:             index u64 (block number), length u32 (at most
//!                            the block size), that many bytes of the older file
//! u64::MAX                   end of the records
//! records                    u64, how many there were
//! older length, older hash   u64, u128: the file the changes rebuild
//! newer length, newer hash   u64, u128: the file they were made against
//! ```
//!
//! Hashes are XXH3-128 of the whole file.

use std::io::{Read, Seek, SeekFrom, Write};

use xxhash_rust::xxh3::Xxh3Default;

use super::super::read_up_to;

/// The first bytes of the stream.
pub(super) const MAGIC: [u8; 16] = *b"Tickets changes\x01";

/// Bytes compared, read or written at a time: a whole number of blocks of
/// any size SQLite allows (512 to 65536).
const CHUNK: usize = 4 << 20;

/// A whole file, told apart from others: its length and XXH3-128 hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Summary {
    pub len: u64,
    pub hash: u128,
}

/// A running [`Summary`] of bytes as they go by.
pub(super) struct Summing {
    len: u64,
    hasher: Box<Xxh3Default>,
}

impl Summing {
    pub fn new() -> Summing {
        Summing {
            len: 0,
            hasher: Box::new(Xxh3Default::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        self.hasher.update(bytes);
    }

    pub fn summary(&self) -> Summary {
        Summary {
            len: self.len,
            hash: self.hasher.digest128(),
        }
    }
}

/// Why changes could not be written.
#[derive(Debug)]
pub(super) enum WriteError {
    /// Reading the older file failed (for a compressed one, it may be damaged).
    Older(std::io::Error),
    /// Reading the newer file or writing the changes failed.
    Io(std::io::Error),
}

/// Writes to `out` the changes that turn the file read from `newer` into
/// the one read from `older`, comparing them `block` bytes at a time.
/// `progress` hears how many bytes of the older file were compared.
pub(super) fn write_changes(
    older: &mut dyn Read,
    newer: &mut dyn Read,
    block: usize,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<(), WriteError> {
    let io = WriteError::Io;
    let block_u32 =
        u32::try_from(block).map_err(|_| io(std::io::ErrorKind::InvalidInput.into()))?;
    out.write_all(&MAGIC).map_err(io)?;
    out.write_all(&block_u32.to_le_bytes()).map_err(io)?;
    let (mut old_sum, mut new_sum) = (Summing::new(), Summing::new());
    let mut old_buf = vec![0; CHUNK];
    let mut new_buf = vec![0; CHUNK];
    let (mut index, mut records) = (0u64, 0u64);
    loop {
        let old_n = read_up_to(older, &mut old_buf).map_err(WriteError::Older)?;
        let new_n = read_up_to(newer, &mut new_buf).map_err(io)?;
        if old_n == 0 && new_n == 0 {
            break;
        }
        old_sum.update(&old_buf[..old_n]);
        new_sum.update(&new_buf[..new_n]);
        for start in (0..old_n).step_by(block) {
            let end = (start + block).min(old_n);
            if end > new_n || old_buf[start..end] != new_buf[start..end] {
                let len = u32::try_from(end - start).unwrap_or(u32::MAX);
                out.write_all(&index.to_le_bytes()).map_err(io)?;
                out.write_all(&len.to_le_bytes()).map_err(io)?;
                out.write_all(&old_buf[start..end]).map_err(io)?;
                records += 1;
            }
            index += 1;
        }
        progress(old_sum.len);
    }
    let (old, new) = (old_sum.summary(), new_sum.summary());
    out.write_all(&u64::MAX.to_le_bytes()).map_err(io)?;
    out.write_all(&records.to_le_bytes()).map_err(io)?;
    for summary in [old, new] {
        out.write_all(&summary.len.to_le_bytes()).map_err(io)?;
        out.write_all(&summary.hash.to_le_bytes()).map_err(io)?;
    }
    Ok(())
}

/// Why changes could not be applied.
#[derive(Debug)]
pub(super) enum ApplyError {
    /// The changes themselves are damaged or not in this format: why.
    Damaged(String),
    /// They were made against another file than the one they were applied to.
    WrongBase,
    /// Reading or writing failed (for compressed changes, a read error the
    /// caller tells apart as it does when unpacking).
    Io(std::io::Error),
}

impl From<std::io::Error> for ApplyError {
    fn from(e: std::io::Error) -> ApplyError {
        ApplyError::Io(e)
    }
}

/// Applies the changes read from `changes` to `file`, which holds the file
/// summed up as `base`, turning it into the older file; checks it whole and
/// returns its summary. On any error `file` holds something else.
pub(super) fn apply_changes(
    changes: &mut dyn Read,
    file: &mut std::fs::File,
    base: Summary,
) -> Result<Summary, ApplyError> {
    let unknown = || ApplyError::Damaged("its changes are not in a form this Tickets knows".into());
    let mut magic = [0; 16];
    read_exactly(changes, &mut magic)?;
    if magic != MAGIC {
        return Err(unknown());
    }
    let block = u64::from(read_u32(changes)?);
    if !(512..=65536).contains(&block) {
        return Err(unknown());
    }
    let mut buffer = vec![0; usize::try_from(block).map_err(|_| unknown())?];
    let mut records = 0u64;
    let mut last = None;
    loop {
        let index = read_u64(changes)?;
        if index == u64::MAX {
            break;
        }
        let len = u64::from(read_u32(changes)?);
        // Blocks in order, each once, none past what a file can hold.
        if len == 0
            || len > block
            || last.is_some_and(|l| index <= l)
            || index > u64::MAX / block / 2
        {
            return Err(unknown());
        }
        let bytes = &mut buffer[..usize::try_from(len).map_err(|_| unknown())?];
        read_exactly(changes, bytes)?;
        file.seek(SeekFrom::Start(index * block))?;
        file.write_all(bytes)?;
        last = Some(index);
        records += 1;
    }
    if read_u64(changes)? != records {
        return Err(unknown());
    }
    let older = Summary {
        len: read_u64(changes)?,
        hash: read_u128(changes)?,
    };
    let newer = Summary {
        len: read_u64(changes)?,
        hash: read_u128(changes)?,
    };
    // Nothing may follow, and reading to the end lets zstd check its own checksum.
    let mut rest = [0; 1];
    if read_up_to(changes, &mut rest)? != 0 {
        return Err(unknown());
    }
    if newer != base {
        return Err(ApplyError::WrongBase);
    }
    if last.is_some_and(|l| l * block >= older.len) {
        return Err(unknown());
    }
    file.set_len(older.len)?;
    file.seek(SeekFrom::Start(0))?;
    if summarize(file)? != older {
        return Err(ApplyError::Damaged(
            "the file rebuilt from its changes does not match the checksum recorded when it was made"
                .into(),
        ));
    }
    Ok(older)
}

/// The summary of everything left to read from `from`.
pub(super) fn summarize(from: &mut dyn Read) -> std::io::Result<Summary> {
    let mut sum = Summing::new();
    let mut buffer = vec![0; CHUNK];
    loop {
        match read_up_to(from, &mut buffer)? {
            0 => return Ok(sum.summary()),
            n => sum.update(&buffer[..n]),
        }
    }
}

/// Fills `buf`, or says the changes end too soon.
fn read_exactly(from: &mut dyn Read, buf: &mut [u8]) -> Result<(), ApplyError> {
    if read_up_to(from, buf)? == buf.len() {
        Ok(())
    } else {
        Err(ApplyError::Io(std::io::ErrorKind::UnexpectedEof.into()))
    }
}

fn read_u32(from: &mut dyn Read) -> Result<u32, ApplyError> {
    let mut b = [0; 4];
    read_exactly(from, &mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(from: &mut dyn Read) -> Result<u64, ApplyError> {
    let mut b = [0; 8];
    read_exactly(from, &mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_u128(from: &mut dyn Read) -> Result<u128, ApplyError> {
    let mut b = [0; 16];
    read_exactly(from, &mut b)?;
    Ok(u128::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Changes from `newer` to `older`, applied to a file holding `newer`.
    fn round_trip(older: &[u8], newer: &[u8], block: usize) -> (Vec<u8>, Vec<u8>) {
        let mut changes = Vec::new();
        write_changes(
            &mut &older[..],
            &mut &newer[..],
            block,
            &mut changes,
            &mut |_| {},
        )
        .unwrap();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(newer).unwrap();
        let base = summarize(&mut &newer[..]).unwrap();
        let got = apply_changes(&mut &changes[..], &mut file, base).unwrap();
        assert_eq!(got, summarize(&mut &older[..]).unwrap());
        let mut rebuilt = Vec::new();
        file.seek(SeekFrom::Start(0)).unwrap();
        file.read_to_end(&mut rebuilt).unwrap();
        (rebuilt, changes)
    }

    #[test]
    fn changes_rebuild_the_older_file_whatever_the_lengths() {
        let mut rng = fastrand::Rng::with_seed(3);
        let page = 512;
        let newer: Vec<u8> = (0..page * 40).map(|_| rng.u8(..)).collect();
        // Two pages changed: only those are written.
        let mut older = newer.clone();
        older[page * 3 + 7] ^= 1;
        older[page * 30] ^= 0x80;
        let (rebuilt, changes) = round_trip(&older, &newer, page);
        assert_eq!(rebuilt, older);
        assert!(changes.len() < 3 * page, "{} bytes", changes.len());
        // Shorter, longer, not a whole number of blocks, empty.
        for older in [
            newer[..page * 10].to_vec(),
            [&newer[..], &newer[..page * 3]].concat(),
            newer[..page * 10 + 100].to_vec(),
            [&newer[..], b"tail"].concat(),
            Vec::new(),
        ] {
            assert_eq!(round_trip(&older, &newer, page).0, older);
        }
        assert_eq!(round_trip(&newer, &[], page).0, newer);
    }

    #[test]
    fn changes_against_another_file_or_damaged_are_refused() {
        let newer = vec![7u8; 4096];
        let mut older = newer.clone();
        older[100] = 8;
        let mut changes = Vec::new();
        write_changes(
            &mut &older[..],
            &mut &newer[..],
            1024,
            &mut changes,
            &mut |_| {},
        )
        .unwrap();
        let mut file = tempfile::tempfile().unwrap();
        let other = vec![9u8; 4096];
        file.write_all(&other).unwrap();
        let base = summarize(&mut &other[..]).unwrap();
        assert!(matches!(
            apply_changes(&mut &changes[..], &mut file, base),
            Err(ApplyError::WrongBase)
        ));
        let base = summarize(&mut &newer[..]).unwrap();
        // A changed byte in a page the changes carry: the checksum finds it.
        let mut garbled = changes.clone();
        garbled[16 + 4 + 12 + 50] ^= 1;
        file.set_len(0).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        file.write_all(&newer).unwrap();
        assert!(matches!(
            apply_changes(&mut &garbled[..], &mut file, base),
            Err(ApplyError::Damaged(_))
        ));
        // Cut short, or something after the end.
        assert!(matches!(
            apply_changes(&mut &changes[..changes.len() - 1], &mut file, base),
            Err(ApplyError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof
        ));
        let trailing = [&changes[..], b"x"].concat();
        assert!(matches!(
            apply_changes(&mut &trailing[..], &mut file, base),
            Err(ApplyError::Damaged(_))
        ));
    }
}
