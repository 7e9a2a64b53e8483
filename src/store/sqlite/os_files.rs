//! What the file system does differently on Unix (Linux, macOS) and on
//! Windows, for a database and the files kept beside it: who may read a new
//! file, whether a folder takes new files, and making a rename durable.
//! Each function has both halves here, side by side; nothing else in the
//! store asks which system it runs on about files.

use std::fs::OpenOptions;
use std::path::Path;

/// Makes the file `options` creates readable and writable by its owner only.
///
/// - Unix: mode 0600. SQLite gives the files it keeps beside a database
///   (`-wal`, `-shm`, `-journal`) the database's own mode, so they are
///   private too; tempfile creates backups and other temporary files 0600.
/// - Windows: there are no modes. A new file takes the access list of its
///   folder, and the default place, `%APPDATA%\Tickets\data`, is in the
///   user's profile, whose access list already admits only that user (and
///   the system and administrators). A database kept elsewhere, on a folder
///   others share, is as private as that folder.
pub(super) fn create_private(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Whether `folder` is marked as taking no new files, read before anything
/// is created in it.
///
/// - Unix: it has no write permission.
/// - Windows: never. The read-only attribute on a folder does not stop
///   files being made in it (Explorer marks customised folders with it), so
///   it is not read; a folder this user may not write to is found when the
///   file is created (`PermissionDenied`).
pub(super) fn folder_takes_no_new_files(folder: &Path) -> bool {
    cfg!(unix) && std::fs::metadata(folder).is_ok_and(|m| m.permissions().readonly())
}

/// Makes a rename in `folder` durable.
///
/// - Unix: the folder, which holds the names, is synced (fsync).
/// - Windows: nothing. std offers no way to sync a folder there (a folder
///   is not opened as a file); NTFS journals the rename, so after a crash
///   a file is under its old name or its new one, whole either way (the
///   file itself was synced before the rename).
pub(super) fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}
