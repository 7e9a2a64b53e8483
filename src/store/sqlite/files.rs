//! The database file itself, before and around SQLite: what an existing
//! file is (ours, another program's, damaged, too new), whether it can be
//! written, and opening one without touching it. A file that is not ours is
//! never written to.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::os_files;
use super::schema::{self, APPLICATION_ID, FileIdentity, SCHEMA_VERSION};
use crate::store::StoreError;

/// The first bytes of every SQLite file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Looks at an existing file's header without opening it as a database, so a
/// file that is not ours is never written to (SQLite would add a journal, or
/// initialise an empty file). Returns whether the header says the file is a
/// Tickets database; creates an empty private file if there is none.
pub(super) fn check_existing_file(path: &Path) -> Result<bool, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create_new_file(path)?;
            return Ok(false);
        }
        Err(e) => return Err(StoreError::Io(e)),
    };
    let stamped = check_contents(path, &meta)?;
    check_writable(path, &meta)?;
    Ok(stamped)
}

/// What an existing file holds, from its header (and SQLite, read-only, when
/// the header leaves it open), writing nothing: folders, files that are not
/// Tickets databases, newer ones and damaged ones are refused. Returns
/// whether the header carries our stamp.
pub(crate) fn check_contents(path: &Path, meta: &std::fs::Metadata) -> Result<bool, StoreError> {
    if meta.is_dir() {
        return Err(StoreError::NotTickets {
            path: path.to_path_buf(),
            reason: "it is a folder".to_owned(),
        });
    }
    if !meta.is_file() {
        // /dev/null, a pipe, a socket: SQLite would only say "disk I/O error".
        return Err(StoreError::NotTickets {
            path: path.to_path_buf(),
            reason: "it is a device or a pipe, not a file a database can be kept in".to_owned(),
        });
    }
    if meta.len() == 0 {
        return Ok(false);
    }
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path)?;
    let read = read_up_to(&mut file, &mut header)?;
    let application_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    let stamped = read >= 72 && application_id == APPLICATION_ID;
    let damaged = |detail: String| StoreError::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    let magic = read.min(SQLITE_MAGIC.len());
    if read < header.len() && header[..magic] == SQLITE_MAGIC[..magic] {
        return Err(damaged(format!(
            "it is cut short: only its first {read} bytes are there"
        )));
    }
    if read < header.len() || &header[..16] != SQLITE_MAGIC {
        if stamped {
            return Err(damaged(GARBLED_HEADER.to_owned()));
        }
        return Err(StoreError::NotTickets {
            path: path.to_path_buf(),
            reason: "it is not a database file".to_owned(),
        });
    }
    let version = i64::from(u32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ]));
    if stamped {
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if let Some(detail) = header_damage(path, &header, meta.len()) {
            return Err(damaged(detail));
        }
        return Ok(true);
    }
    // Not stamped as ours: it may still be ours if its stamp sits in the
    // write-ahead log, or an empty SQLite file. Ask SQLite, read-only.
    let (_, identity) = open_untouched(path)?;
    refuse_foreign(path, identity)?;
    Ok(false)
}

/// Opens `path` read-only without creating anything beside it, and reads
/// its identity. With no log or journal beside it the file alone is the
/// whole truth, so it is read as immutable: a plain read-only open of a
/// write-ahead-log file would leave new -wal and -shm files beside it.
pub(crate) fn open_untouched(path: &Path) -> Result<(Connection, FileIdentity), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if beside(path, "-wal").exists() || beside(path, "-journal").exists() {
        Connection::open_with_flags(path, flags)
    } else {
        Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
    }
    .map_err(|e| StoreError::from_open(path, e))?;
    let identity = schema::identify(&conn).map_err(|e| StoreError::from_open(path, e))?;
    Ok((conn, identity))
}

const GARBLED_HEADER: &str = "its header, the first 100 bytes, is garbled";

/// What is wrong with the header of a file stamped as ours, checked against
/// the file format (<https://sqlite.org/fileformat.html>) before SQLite reads
/// it: SQLite takes some damaged values as settings (a read-only file, UTF-16
/// text) rather than as damage. Also finds a file shorter than its header says.
fn header_damage(path: &Path, header: &[u8; 100], len: u64) -> Option<String> {
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        _ => return Some(GARBLED_HEADER.to_owned()),
    };
    // Tickets reserves no space at the end of pages (byte 20).
    let sound = matches!(header[18], 1 | 2)
        && header[20] == 0
        && matches!(header[19], 1 | 2)
        && header[21..24] == [64, 32, 32]
        && (1..=4).contains(&be32(44))
        // Tickets writes UTF-8 only.
        && be32(56) == 1;
    if !sound {
        return Some(GARBLED_HEADER.to_owned());
    }
    // The page count in the header is valid when the change counter matches
    // the "version valid for" number. A log or journal beside the file may
    // still hold pages the file is to grow by.
    let pages = u64::from(be32(28));
    let expected = pages * page_size;
    let valid = pages > 0 && be32(24) == be32(92);
    let settled = !beside(path, "-wal").exists() && !beside(path, "-journal").exists();
    (valid && settled && len < expected)
        .then(|| format!("it is cut short: only the first {len} of its {expected} bytes are there"))
}

/// Refuses a file that cannot be written, or whose folder cannot take the
/// files SQLite keeps beside a database while it is open, before SQLite
/// opens it (a read-only open would still leave those files behind).
fn check_writable(path: &Path, meta: &std::fs::Metadata) -> Result<(), StoreError> {
    if meta.permissions().readonly() {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            reason: "the file is marked read-only".to_owned(),
        });
    }
    check_folder_writable(path)
}

/// Refuses a folder marked as taking no new files
/// ([`os_files::folder_takes_no_new_files`]: on Unix, one without write
/// permission).
fn check_folder_writable(path: &Path) -> Result<(), StoreError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if os_files::folder_takes_no_new_files(folder) {
        return Err(read_only_folder(path, folder));
    }
    Ok(())
}

pub(super) fn read_only_folder(path: &Path, folder: &Path) -> StoreError {
    StoreError::ReadOnly {
        path: path.to_path_buf(),
        reason: format!(
            "its folder “{}” is read-only, and Tickets keeps working files beside the database",
            folder.display()
        ),
    }
}

/// Reads the first row of every table, so that damage to the pages the tables
/// start on is found on opening, before anything is written.
pub(super) fn probe_tables(conn: &Connection) -> rusqlite::Result<()> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let sql = format!(
            "SELECT * FROM \"{}\" NOT INDEXED LIMIT 1",
            table.replace('"', "\"\"")
        );
        conn.prepare(&sql)?.exists([])?;
    }
    Ok(())
}

/// The file SQLite keeps beside `path` with this suffix (`-wal`, `-journal`).
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A `file:` URI opening `path` as immutable: no locks, nothing created beside it.
///
/// SQLite decodes every `%XX` back to the byte it stands for and hands the
/// path to the system as it was, so every byte but unreserved ones is
/// escaped, backslashes too: a Windows path keeps its separators and its
/// prefix (`C:\…`, `\\server\share\…`, `\\?\C:\…`) and is never read
/// as `file://server/…`, whose authority SQLite refuses. A path that starts
/// with `/` gets an empty authority (`file://`), so that `//server/…` is a
/// path too.
fn immutable_uri(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut uri = String::from(if bytes.first() == Some(&b'/') {
        "file://"
    } else {
        "file:"
    });
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' | b'~' => {
                uri.push(char::from(b));
            }
            _ => {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
    }
    uri.push_str("?immutable=1");
    uri
}

pub(crate) fn read_up_to<R: Read + ?Sized>(file: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

pub(super) fn refuse_foreign(path: &Path, identity: FileIdentity) -> Result<(), StoreError> {
    if identity.application_id == APPLICATION_ID {
        if identity.version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: identity.version,
                supported: SCHEMA_VERSION,
            });
        }
        return Ok(());
    }
    if identity.application_id == 0 && !identity.has_schema && identity.version == 0 {
        // An empty SQLite file: nothing to lose by making it a Tickets database.
        return Ok(());
    }
    Err(StoreError::NotTickets {
        path: path.to_path_buf(),
        reason: "it is another program's database".to_owned(),
    })
}

/// Creates an empty file readable and writable by its owner only, so the
/// database (and SQLite's files beside it, which copy its mode) stay private:
/// mode 0600 on Unix; on Windows, which has no modes, the file lives in the
/// user's profile, whose access list admits that user only
/// ([`os_files::create_private`]).
fn create_new_file(path: &Path) -> Result<(), StoreError> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !parent.is_dir()
    {
        return Err(StoreError::FolderMissing(parent.to_path_buf()));
    }
    check_folder_writable(path)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    os_files::create_private(&mut options);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Someone else created it meanwhile: check it like any existing file.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            check_existing_file(path).map(|_| ())
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(read_only_folder(path, parent.unwrap_or(Path::new("."))))
        }
        Err(e) => Err(StoreError::Io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path SQLite reads out of a `file:` URI (as `sqlite3ParseUri`
    /// does without `SQLITE_ALLOW_URI_AUTHORITY`): an authority must be
    /// empty or `localhost`, and every `%XX` is the byte it stands for.
    fn path_sqlite_reads(uri: &str) -> Result<Vec<u8>, String> {
        let rest = uri.strip_prefix("file:").ok_or("not a file: URI")?;
        let rest = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find('/').unwrap_or(after.len());
                if !matches!(&after[..end], "" | "localhost") {
                    return Err(format!("invalid uri authority: {}", &after[..end]));
                }
                &after[end..]
            }
            None => rest,
        };
        let path = rest.split(['?', '#']).next().unwrap_or_default();
        Ok(crate::store::percent_decoded(path.as_bytes()))
    }

    #[test]
    fn every_kind_of_path_comes_back_from_its_uri_as_it_was() {
        for path in [
            // Windows: a drive, a share, and both in the long form.
            r"C:\Users\dana\AppData\Roaming\Tickets\data\tickets.db",
            r"\\server\share\desk\tickets.db",
            r"\\?\C:\Users\dana\tickets.db",
            r"\\?\UNC\server\share\tickets.db",
            "//server/share/tickets.db",
            r"..\desk.db",
            r"\desk.db",
            // Unix.
            "/home/dana/tickets.db",
            "//home/dana/tickets.db",
            "desk.db",
            "./a b/what?#%25 100%/été.db",
        ] {
            let uri = immutable_uri(Path::new(path));
            assert!(uri.ends_with("?immutable=1"), "{uri}");
            assert_eq!(
                path_sqlite_reads(&uri).map(String::from_utf8),
                Ok(Ok(path.to_owned())),
                "{path} as {uri}"
            );
        }
    }

    #[test]
    fn a_file_with_uri_characters_in_its_name_is_opened_untouched() {
        let dir = tempfile::tempdir().unwrap();
        // Unix allows a backslash and a question mark in a name, Windows not.
        let odd = if cfg!(unix) { r"\?" } else { "" };
        let path = dir.path().join(format!("desk {odd} 100% #&=été.db"));
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        let (conn, _) = open_untouched(&path).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        drop(conn);
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, [path.file_name().unwrap()], "nothing made beside it");
    }
}
