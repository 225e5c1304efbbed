//! Filesystem plumbing shared by every bosun crate that writes.
//!
//! - [`write_atomic`] and [`AtomicFile`]: write to a temporary file in the target's directory,
//!   fsync, then rename over the target, so readers never see half a file and a crash or
//!   Ctrl-C leaves either the old or the new content.
//! - [`HashWriter`]: a writer that sha256-hashes and counts what passes through it.
//! - [`LockedFile`]: an advisory `flock`-style lock on a file, shared or exclusive, released on
//!   drop, so several bosun processes can use one store or cache at once.
#![deny(missing_docs)]

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What an entry of a tar archive is, as layers and packages hold them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file with its content.
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A symbolic link and its target, as written.
    Symlink(String),
    /// A hard link to an earlier entry of the same archive (normalised path, no leading
    /// `/`).
    Hardlink(String),
}

/// Attach the path to an I/O error so every message names its file. The original error is
/// kept, not rebuilt from its text: it reads `PATH: CAUSE`, keeps its kind, and a caller can
/// reach it (`raw_os_error` and all) through [`PathError::cause`]. The cause is part of the
/// message rather than a second link of the error chain, because io errors are displayed
/// alone in many places, and a chain printer would then say it twice.
pub fn with_path(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        PathError {
            path: path.to_path_buf(),
            cause: err,
        },
    )
}

/// An I/O error and the file it happened to.
#[derive(Debug)]
pub struct PathError {
    /// The file or directory.
    pub path: PathBuf,
    /// What went wrong.
    pub cause: io::Error,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.cause)
    }
}

impl std::error::Error for PathError {}

/// Writes `bytes` to `path` atomically (temp file in the same directory, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|e| with_path(path, e))?;
    file.commit()
}

/// [`write_atomic`] for a cache entry: never half-written, but not synced to disk (a cache
/// that loses an entry in a crash only misses it; waiting for the disk on every entry cost
/// more than the work the entry saves, as ShellCheck's results of small scripts).
pub fn write_cache(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|e| with_path(path, e))?;
    file.commit_unsynced()
}

/// A file being written that only appears at its final path on [`AtomicFile::commit`].
///
/// Dropping it without committing removes the temporary file.
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

/// How every [`AtomicFile`]'s temporary name starts: `.tmp-PID-`.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Whether the temporary file `name` (in a directory [`AtomicFile`]s write to), last changed
/// at `modified`, was left by a process that is gone: its pid names no live process of this
/// machine and it has not changed for a minute (a writer in another pid namespace keeps
/// writing, so its file stays fresh).
pub fn abandoned(name: &str, modified: std::time::SystemTime) -> bool {
    let Some(pid) = name
        .strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        return false;
    };
    let quiet = modified
        .elapsed()
        .is_ok_and(|age| age > std::time::Duration::from_secs(60));
    quiet && pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

impl AtomicFile {
    /// Starts writing a file that will replace `target` on commit. Parent directories are
    /// created as needed. The file gets the mode a user expects of a new file: 0666 less the
    /// umask (`-rw-r--r--` under the usual 022), so a lockfile or an exported archive can be
    /// read by other users, CI caches and container builds.
    pub fn create(target: &Path) -> io::Result<Self> {
        Self::create_with_mode(target, 0o666)
    }

    /// Like [`AtomicFile::create`] for a file nobody should change once it is written (a
    /// blob named by its digest): 0444 less the umask.
    pub fn create_read_only(target: &Path) -> io::Result<Self> {
        Self::create_with_mode(target, 0o444)
    }

    fn create_with_mode(target: &Path, mode: u32) -> io::Result<Self> {
        use std::os::unix::fs::PermissionsExt;
        let dir = target.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
        // The kernel takes the umask off the mode at creation, as for any new file.
        // The writer's pid in the name says whose it is, so what a killed process left
        // behind can be told from what a live one is writing ([`abandoned`]).
        let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
        let temp = tempfile::Builder::new()
            .prefix(&prefix)
            .permissions(fs::Permissions::from_mode(mode))
            .tempfile_in(dir)
            .map_err(|e| with_path(dir, e))?;
        Ok(Self {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// The temporary file, for writers that need a `File`.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Changes the final path, for content-addressed files whose name is known only once
    /// their content has been written. The new target must be on the same filesystem.
    pub fn retarget(&mut self, target: &Path) {
        self.target = target.to_path_buf();
    }

    /// Renames the file into place without waiting for the disk: for caches, where a crash
    /// may lose an entry (a miss) but never leave half of one under its name.
    pub fn commit_unsynced(self) -> io::Result<()> {
        let target = self.target;
        self.temp
            .persist(&target)
            .map_err(|e| with_path(&target, e.error))?;
        Ok(())
    }

    /// Flushes, fsyncs and renames the file into place, then fsyncs the directory.
    pub fn commit(self) -> io::Result<()> {
        let target = self.target;
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
        }
        self.temp
            .as_file()
            .sync_all()
            .map_err(|e| with_path(&target, e))?;
        self.temp
            .persist(&target)
            .map_err(|e| with_path(&target, e.error))?;
        sync_dir(target.parent().unwrap_or(Path::new(".")));
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// A writer that hashes (sha256) and counts what passes through it.
pub struct HashWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
    len: u64,
}

impl<W: Write> HashWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        use sha2::Digest;
        Self {
            inner,
            hasher: sha2::Sha256::new(),
            len: 0,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The sha256 of everything written, and the inner writer.
    pub fn finish(self) -> (sha2::Sha256, W) {
        (self.hasher, self.inner)
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Best effort: persist a rename. Some filesystems refuse fsync on directories.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// An advisory lock held on a file until dropped.
#[derive(Debug)]
pub struct LockedFile {
    _file: File,
}

impl LockedFile {
    /// Blocks until an exclusive lock on `path` is held (creating the file if needed).
    pub fn exclusive(path: &Path) -> io::Result<Self> {
        let file = Self::open(path)?;
        file.lock().map_err(|e| with_path(path, e))?;
        Ok(Self { _file: file })
    }

    /// Blocks until a shared lock on `path` is held (creating the file if needed).
    pub fn shared(path: &Path) -> io::Result<Self> {
        let file = Self::open(path)?;
        file.lock_shared().map_err(|e| with_path(path, e))?;
        Ok(Self { _file: file })
    }

    fn open(path: &Path) -> io::Result<File> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
        }
        File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| with_path(path, e))
    }
}

/// Cleans an archive member name lexically, as Go's `path.Clean` does, without the leading
/// `/`: `./a//b/../c` is `a/c`, `.` is empty. `None` when `..` climbs above the root.
pub fn clean_path(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether a relative symlink at `path` (root-relative) points above the root. Absolute
/// targets resolve inside the container's own root, so they never escape it.
pub fn link_escapes(path: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth = path.matches('/').count() as i64; // components of the parent directory
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn uncommitted_file_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!p.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// Two readers hold the lock at once (the second from another thread, which must get it
    /// at once: a wait would be a hang, so a bounded wait fails the test instead), and a
    /// writer cannot take it until both let go.
    #[test]
    fn shared_locks_coexist_and_keep_writers_out() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("lock");
        let a = LockedFile::shared(&p).unwrap();
        let (sent, got) = std::sync::mpsc::channel();
        let second = p.clone();
        std::thread::spawn(move || sent.send(LockedFile::shared(&second)).unwrap());
        let b = got
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("a second shared lock is granted while the first is held")
            .unwrap();
        let writer = File::options().read(true).write(true).open(&p).unwrap();
        assert!(
            matches!(writer.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
            "no exclusive lock while readers hold it"
        );
        drop((a, b));
        writer
            .try_lock()
            .expect("the writer gets it once the readers are gone");
    }

    /// New files get 0666 (read-only ones 0444) less the umask, not tempfile's 0600.
    #[test]
    fn modes_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let umask = {
            // Read the process umask by creating a file with a known mode.
            let probe = dir.path().join("probe");
            std::os::unix::fs::OpenOptionsExt::mode(
                File::options().write(true).create_new(true),
                0o777,
            )
            .open(&probe)
            .unwrap();
            !fs::metadata(&probe).unwrap().permissions().mode() & 0o777
        };
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let plain = dir.path().join("plain");
        write_atomic(&plain, b"x").unwrap();
        assert_eq!(mode(&plain), 0o666 & !umask);
        let blob = dir.path().join("blob");
        let mut f = AtomicFile::create_read_only(&blob).unwrap();
        f.write_all(b"x").unwrap();
        f.commit().unwrap();
        assert_eq!(mode(&blob), 0o444 & !umask);
    }

    /// The path is in the message once and the original error stays reachable.
    #[test]
    fn path_errors_keep_their_cause() {
        let missing = Path::new("/nonexistent/bosun-test");
        let err = with_path(missing, fs::read(missing).unwrap_err());
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            err.to_string().matches("/nonexistent/bosun-test").count(),
            1
        );
        let inner = err.get_ref().unwrap().downcast_ref::<PathError>().unwrap();
        assert_eq!(inner.cause.raw_os_error(), Some(2));
    }

    #[test]
    fn cleans_like_go_and_refuses_climbing_out() {
        assert_eq!(clean_path("./usr/bin/").as_deref(), Some("usr/bin"));
        assert_eq!(clean_path("/a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(clean_path("a/../b").as_deref(), Some("b"));
        assert_eq!(clean_path(".").as_deref(), Some(""));
        assert_eq!(clean_path("../etc/passwd"), None);
    }

    #[test]
    fn escaping_links() {
        assert!(!link_escapes("usr/lib/x", "../share/y"));
        assert!(!link_escapes("usr/lib/x", "../../etc/y"));
        assert!(link_escapes("usr/lib/x", "../../../etc/y"));
        assert!(!link_escapes("etc/localtime", "/usr/share/zoneinfo/UTC"));
    }
}
