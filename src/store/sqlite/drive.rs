//! Whether a database file is on a network drive, where SQLite cannot keep
//! it safely: its write-ahead log "does not work over a network filesystem"
//! (sqlite.org/wal.html), and the file locks it relies on are often broken
//! there (sqlite.org/useovernet.html). Such a file is refused unless the
//! person starting Tickets allowed it (`--allow-network-drive`); then it is
//! opened for one program at a time.
//!
//! Linux reads the mount table (`/proc/self/mountinfo`), macOS asks
//! `statfs` (through libc), Windows asks whether the path is a UNC share or
//! its drive letter a mapped network drive (`GetDriveTypeW`, through
//! windows-sys); other systems count every file as local. Where the answer
//! cannot be had, the file counts as local: the check keeps people from a
//! known danger, it is not a lock. Each system's half is one
//! `on_network_drive` below; the rules that read text (the mount table, a
//! UNC path) are compiled and tested on every system.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether this process was started with `--allow-network-drive`.
static ALLOWED: AtomicBool = AtomicBool::new(false);

/// Lets this process open database files on network drives, each for one
/// program at a time (exclusive locking, no write-ahead log). The command
/// line calls it once, at start, for `--allow-network-drive`; it holds for
/// every file the process opens after, in the window as on the command line.
pub fn allow_network_drives() {
    ALLOWED.store(true, Ordering::Relaxed);
}

/// Whether [`allow_network_drives`] was called.
pub(super) fn network_drives_allowed() -> bool {
    ALLOWED.load(Ordering::Relaxed)
}

/// The kind of network drive the database file at `path` is on (`nfs4`,
/// `cifs`, `fuse.sshfs`, `smbfs`, "a network share"…), or `None` when it is
/// on this computer's own disk or that cannot be told. A file not there yet
/// is judged by its folder.
pub(super) fn network_drive(path: &Path) -> Option<String> {
    let place = where_is(path)?;
    on_network_drive(&place)
}

/// The file's own path with links resolved, or its folder's when there is
/// no file yet; where neither resolves (Windows cannot resolve paths on
/// some network file systems), the path made absolute as it is written,
/// which still names its drive.
fn where_is(path: &Path) -> Option<PathBuf> {
    if let Ok(found) = std::fs::canonicalize(path) {
        return Some(found);
    }
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    std::fs::canonicalize(folder)
        .or_else(|_| std::path::absolute(path))
        .ok()
}

/// File systems Linux names in its mount table that keep their files on
/// another computer (the kernel's own, and FUSE ones as `fuse.<name>`).
#[cfg(any(target_os = "linux", test))]
const LINUX_NETWORK_TYPES: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "smb",
    "ncpfs",
    "ncp",
    "9p",
    "afs",
    "coda",
    "ceph",
    "glusterfs",
    "lustre",
    "gpfs",
    "beegfs",
    "orangefs",
    "pvfs2",
    "davfs",
    "sshfs",
    "fuse.sshfs",
    "fuse.glusterfs",
    "fuse.ceph-fuse",
    "fuse.cephfs",
    "fuse.davfs",
    "fuse.davfs2",
    "fuse.rclone",
    "fuse.s3fs",
    "fuse.gcsfuse",
    "fuse.curlftpfs",
    "fuse.smbnetfs",
    "fuse.afpfs",
    "fuse.juicefs",
];

/// Whether Linux's file system type `fstype` (as `/proc/self/mountinfo`
/// names it) keeps its files on another computer.
#[cfg(any(target_os = "linux", test))]
fn is_linux_network_type(fstype: &str) -> bool {
    LINUX_NETWORK_TYPES.contains(&fstype.to_ascii_lowercase().as_str())
}

/// The file system type of the mount holding `path` (absolute, links
/// resolved), from the text of a `/proc/self/mountinfo`: the longest mount
/// point that is `path` or a folder above it; of mounts on the same point,
/// the last, which hides the others.
#[cfg(any(target_os = "linux", test))]
fn mount_type_of(mountinfo: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for line in mountinfo.lines() {
        // "36 35 98:0 /root /mnt/point rw,noatime master:1 - ext3 /dev/root rw"
        let Some((mount, fs)) = line.split_once(" - ") else {
            continue;
        };
        let (Some(point), Some(fstype)) = (mount.split(' ').nth(4), fs.split(' ').next()) else {
            continue;
        };
        let point = PathBuf::from(unescape_mount_point(point));
        if !path.starts_with(&point) {
            continue;
        }
        let depth = point.components().count();
        if best.is_none_or(|(deepest, _)| depth >= deepest) {
            best = Some((depth, fstype));
        }
    }
    best.map(|(_, fstype)| fstype.to_owned())
}

/// A mount point as the mount table writes it, where a space, tab, newline
/// or backslash in a name is an octal escape (`\040`).
#[cfg(any(target_os = "linux", test))]
fn unescape_mount_point(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|digits| {
            let digits = std::str::from_utf8(digits).ok()?;
            u8::from_str_radix(digits, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(target_os = "linux")]
fn on_network_drive(place: &Path) -> Option<String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    mount_type_of(&mountinfo, place).filter(|fstype| is_linux_network_type(fstype))
}

/// File systems macOS names (`statfs`'s `f_fstypename`) that keep their
/// files on another computer.
#[cfg(any(target_os = "macos", test))]
const MACOS_NETWORK_TYPES: &[&str] = &["nfs", "smbfs", "afpfs", "webdav", "cifs", "ftp"];

#[cfg(target_os = "macos")]
fn on_network_drive(place: &Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(place.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c_path` is a NUL-terminated string and `stats` a buffer of
    // the type statfs fills; both outlive the call.
    let mut stats: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c_path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    let name: Vec<u8> = stats
        .f_fstypename
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    let name = String::from_utf8_lossy(&name).to_ascii_lowercase();
    MACOS_NETWORK_TYPES.contains(&name.as_str()).then_some(name)
}

/// Whether `path`, as text, names a file on a Windows network share:
/// `\\server\share\…` or `//server/share/…`, or the same spelled
/// `\\?\UNC\server\share\…`; not `\\?\C:\…` or `\\.\device`.
#[cfg(any(windows, test))]
fn is_unc_path(path: &str) -> bool {
    let slash = |c: char| c == '\\' || c == '/';
    let mut chars = path.chars();
    let (Some(a), Some(b), Some(c)) = (chars.next(), chars.next(), chars.next()) else {
        return false;
    };
    if !(slash(a) && slash(b)) {
        return false;
    }
    if c == '?' || c == '.' {
        // \\?\UNC\server\share: a UNC path in the long form.
        let rest: String = path.chars().skip(3).take(5).collect();
        return rest.len() == 5
            && rest.starts_with(slash)
            && rest[1..4].eq_ignore_ascii_case("UNC")
            && rest.ends_with(slash);
    }
    !slash(c)
}

#[cfg(windows)]
fn on_network_drive(place: &Path) -> Option<String> {
    use std::path::{Component, Prefix};
    use windows_sys::Win32::Storage::FileSystem::GetDriveTypeW;
    use windows_sys::Win32::System::WindowsProgramming::DRIVE_REMOTE;
    if is_unc_path(&place.to_string_lossy()) {
        return Some("a network share".to_owned());
    }
    let Some(Component::Prefix(prefix)) = place.components().next() else {
        return None;
    };
    let (Prefix::Disk(letter) | Prefix::VerbatimDisk(letter)) = prefix.kind() else {
        return None;
    };
    let root: Vec<u16> = format!("{}:\\", char::from(letter))
        .encode_utf16()
        .chain(Some(0))
        .collect();
    // SAFETY: `root` is a NUL-terminated UTF-16 string that outlives the call.
    let kind = unsafe { GetDriveTypeW(root.as_ptr()) };
    (kind == DRIVE_REMOTE).then(|| format!("the mapped network drive {}:", char::from(letter)))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn on_network_drive(_place: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Part of a real mount table, with a network mount of each family.
    const MOUNTINFO: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
40 27 0:45 / /home rw,relatime shared:5 - ext4 /dev/vda2 rw
41 40 0:46 / /home/dana/office rw,relatime shared:7 - nfs4 files:/export/office rw,vers=4.2
42 40 0:47 / /home/dana/share\\040drive rw,relatime - cifs //nas/share rw,vers=3.1.1
43 40 0:48 / /home/dana/remote rw,nosuid,nodev - fuse.sshfs dana@host:/srv rw,user_id=1000
44 40 0:49 / /home/dana/local rw,nosuid,nodev - fuse.bindfs /data rw
45 27 0:50 / /mnt/auto rw - autofs systemd-1 rw
46 45 0:51 / /mnt/auto rw - nfs server:/auto rw
";

    fn kind(path: &str) -> Option<String> {
        mount_type_of(MOUNTINFO, Path::new(path)).filter(|t| is_linux_network_type(t))
    }

    #[test]
    fn files_under_network_mounts_are_found_whatever_their_family() {
        assert_eq!(
            kind("/home/dana/office/tickets.db").as_deref(),
            Some("nfs4")
        );
        assert_eq!(kind("/home/dana/office").as_deref(), Some("nfs4"));
        assert_eq!(kind("/home/dana/share drive/t.db").as_deref(), Some("cifs"));
        assert_eq!(
            kind("/home/dana/remote/a/b.db").as_deref(),
            Some("fuse.sshfs")
        );
        // Stacked on an automount point: the mount on top is the one used.
        assert_eq!(kind("/mnt/auto/t.db").as_deref(), Some("nfs"));
    }

    #[test]
    fn files_on_local_disks_are_not_network_ones() {
        assert_eq!(kind("/home/dana/tickets.db"), None);
        assert_eq!(
            kind("/home/dana/officer/t.db"),
            None,
            "a prefix of a name is not a folder"
        );
        assert_eq!(
            kind("/home/dana/local/t.db"),
            None,
            "a local FUSE file system"
        );
        assert_eq!(kind("/var/t.db"), None);
        assert_eq!(
            mount_type_of(MOUNTINFO, Path::new("/home/dana/local/t.db")).as_deref(),
            Some("fuse.bindfs")
        );
        assert_eq!(
            mount_type_of(MOUNTINFO, Path::new("/var/t.db")).as_deref(),
            Some("ext4")
        );
    }

    #[test]
    fn every_remote_family_the_brief_names_counts_as_network() {
        for fstype in [
            "nfs",
            "nfs4",
            "NFS",
            "cifs",
            "smb3",
            "smbfs",
            "fuse.sshfs",
            "9p",
            "afs",
            "ceph",
            "glusterfs",
            "fuse.glusterfs",
            "davfs",
            "ncpfs",
            "lustre",
        ] {
            assert!(
                is_linux_network_type(fstype),
                "{fstype} is a network file system"
            );
        }
        for fstype in [
            "ext4",
            "xfs",
            "btrfs",
            "tmpfs",
            "overlay",
            "zfs",
            "vfat",
            "fuse.bindfs",
            "fuse",
            "autofs",
        ] {
            assert!(!is_linux_network_type(fstype), "{fstype} is local");
        }
        for name in ["nfs", "smbfs", "afpfs", "webdav"] {
            assert!(MACOS_NETWORK_TYPES.contains(&name));
        }
    }

    #[test]
    fn unc_paths_are_network_shares_and_drive_paths_are_not() {
        for path in [
            r"\\server\share\tickets.db",
            "//server/share/tickets.db",
            r"\\?\UNC\server\share\tickets.db",
            r"\\?\unc\server\share",
        ] {
            assert!(is_unc_path(path), "{path} is a network share");
        }
        for path in [
            r"C:\Users\dana\tickets.db",
            r"\\?\C:\Users\dana\tickets.db",
            r"\\.\PhysicalDrive0",
            r"\tickets.db",
            "/home/dana/tickets.db",
            r"\\",
            r"\\\x",
        ] {
            assert!(!is_unc_path(path), "{path} is not a network share");
        }
    }

    #[test]
    fn mount_points_with_escaped_characters_read_as_written() {
        assert_eq!(unescape_mount_point(r"/a\040b\011c\134d"), "/a b\tc\\d");
        assert_eq!(unescape_mount_point(r"/plain\x"), r"/plain\x");
    }
}
